/* SPDX-License-Identifier: MIT */
/* Private to lite-walk.c: the commit cache (commit-cache.c). */
#ifndef SLUGGUARD_GITWALK_COMMIT_CACHE_H
#define SLUGGUARD_GITWALK_COMMIT_CACHE_H

struct ccache;

/*
 * The cache of the repository whose common directory is commondir
 * (ending in '/'). Never fails: a missing or damaged file gives an empty
 * cache, which ccache_save() writes anew. The caller frees it with
 * ccache_free().
 */
struct ccache *ccache_open(const char *commondir);
void ccache_free(struct ccache *c);
/*
 * Commit id's date and parents (nr raw ids at *parents, borrowed from c
 * until ccache_free()); false when the cache does not have it.
 */
bool ccache_get(const struct ccache *c, const unsigned char *id, int64_t *date,
		const unsigned char **parents, size_t *nr);
/* Whether c holds any commit (false for NULL). */
bool ccache_has_commits(const struct ccache *c);
/* How many commits ccache_add() kept (0 for NULL). */
size_t ccache_added(const struct ccache *c);
/* Whether ccache_add() would keep another commit (false for NULL). */
bool ccache_wants(const struct ccache *c);
/* A commit the walk read from its object, for ccache_save() (copied). */
void ccache_add(struct ccache *c, const unsigned char *id, int64_t date,
		const unsigned char *parents, size_t nr);
/*
 * Rewrite the file with what ccache_add() gave, when that is enough to
 * be worth it (always: whatever it is): the newest commits of the old
 * file and the new ones.
 * Returns 0 or an error (the caller drops it: the cache is never
 * needed).
 */
int ccache_save(struct ccache *c, bool always);

#endif
