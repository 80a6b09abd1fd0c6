/* SPDX-License-Identifier: MIT */
/*
 * The history walk's tree compare: parse trees, match entries in git's
 * tree order, skip subtrees equal to a parent's, and pair a deleted
 * blob with an added one of the same name (a move).
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/gitwalk.h"
#include "slugguard/odb.h"
#include "slugguard/oidmap.h"
#include "gitwalk-internal.h"
#include "hist.h"

/* Git's canonical modes: old trees hold 100664 and the like. */
static enum tmode canon_mode(unsigned m)
{
	switch (m & 0170000) {
	case 0040000:
		return TM_TREE;
	case 0100000:
		return TM_BLOB;
	default:
		return TM_OTHER; /* symlinks, submodules */
	}
}

/*
 * Load tree id into t (its raw bytes and its parsed entries). Entries
 * point into t->raw. A tree we cannot read or parse is noted as missing
 * and fails with ERR_NOTFOUND.
 */
int gitwalk_tree_parse(struct ptree *t);

int gitwalk_tree_load(struct walker *wk, const git_oid *id, struct ptree *t)
{
	t->nr = 0;
	t->loaded = false;
	if (gitwalk_read_raw(wk, id, ODB_TREE, 0, &t->raw, NULL) < 0)
		return ERR_NOTFOUND;
	if (gitwalk_tree_parse(t) < 0) {
		gitwalk_note_missing(wk->h, id);
		return ERR_NOTFOUND;
	}
	git_oid_cpy(&t->id, id);
	t->loaded = true;
	return 0;
}

int gitwalk_tree_load_slot(struct walker *wk, size_t depth, size_t slot,
			   const git_oid *id)
{
	struct level *l = &wk->levels[depth];

	for (size_t i = slot + 1; i < l->nr; i++) {
		if (l->t[i].loaded && git_oid_equal(&l->t[i].id, id)) {
			struct ptree tmp = l->t[slot];

			l->t[slot] = l->t[i];
			l->t[i] = tmp;
			return 0;
		}
	}
	return gitwalk_tree_load(wk, id, &l->t[slot]);
}

/*
 * The first NUL in [q, end), or end: eight bytes at a time (a byte is
 * zero where (v - 0x01..) & ~v & 0x80.. has its top bit; the lowest such
 * bit is exact). A name is a dozen bytes or so, where memchr()'s set-up
 * costs more than the search.
 */
static const char *find_nul(const char *q, const char *end)
{
	while (end - q >= 8) {
		uint64_t v, z;

		memcpy(&v, q, 8);
		z = (v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull;
		if (z) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return q + __builtin_ctzll(z) / 8;
#else
			break;
#endif
		}
		q += 8;
	}
	while (q < end && *q)
		q++;
	return q;
}

/*
 * Parse t->raw into t->e; ERR_NOTFOUND when it is not a tree. No memchr():
 * a mode is at most 7 bytes and a name a dozen or so, and two memchr()
 * calls an entry were 6% of a history scan.
 */
int gitwalk_tree_parse(struct ptree *t)
{
	const char *p = t->raw.buf, *end = t->raw.buf + t->raw.len;

	t->nr = 0;
	while (p < end) {
		const char *q = p, *name;
		unsigned mode = 0;
		struct tentry *e;

		for (; q < end && *q != ' '; q++)
			if (mode < 01000000) /* digits 0-7, as git reads them */
				mode = mode * 8 + (unsigned)(*q - '0') % 8;
		if (q == end)
			return ERR_NOTFOUND;
		name = ++q;
		q = find_nul(q, end);
		if (q == end || q == name ||
		    (size_t)(end - q) < 1 + GIT_OID_RAWSZ)
			return ERR_NOTFOUND;
		ALLOC_GROW(t->e, t->nr + 1, t->alloc);
		e = &t->e[t->nr++];
		e->name = name;
		e->namelen = (size_t)(q - name);
		e->mode = canon_mode(mode);
		e->id = (const unsigned char *)q + 1;
		p = q + 1 + GIT_OID_RAWSZ;
	}
	return 0;
}

/* Git's tree order: a directory sorts as if its name ended in '/'. */
static int tentry_cmp(const struct tentry *a, const struct tentry *b)
{
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c = memcmp(a->name, b->name, n);
	unsigned ca, cb;

	if (c)
		return c;
	ca = n < a->namelen	? (unsigned char)a->name[n] :
	     a->mode == TM_TREE ? '/' :
				  0;
	cb = n < b->namelen	? (unsigned char)b->name[n] :
	     b->mode == TM_TREE ? '/' :
				  0;
	return (int)ca - (int)cb;
}

/* The trees of one recursion level: [0] the commit's, [1..] parents'. */
struct ptree *gitwalk_tree_levels(struct walker *wk, size_t depth, size_t n)
{
	if (depth >= wk->levels_nr) {
		size_t old = wk->levels_nr;

		ALLOC_GROW(wk->levels, depth + 1, wk->levels_alloc);
		for (size_t i = old; i < wk->levels_alloc; i++)
			memset(&wk->levels[i], 0, sizeof(wk->levels[i]));
		wk->levels_nr = depth + 1;
	}
	if (wk->levels[depth].nr < n) {
		struct level *l = &wk->levels[depth];

		l->t = xrealloc(l->t, st_mult(n, sizeof(*l->t)));
		for (size_t i = l->nr; i < n; i++) {
			memset(&l->t[i], 0, sizeof(l->t[i]));
			strbuf_init(&l->t[i].raw, 0);
		}
		l->nr = n;
	}
	return wk->levels[depth].t;
}

/*
 * Remember a blob the commit deleted (every blob under a deleted
 * directory, too), so that a file that moved keeps its history: a secret
 * it already held is not new where it lands. Only single-parent commits;
 * a merge compares each path with its parents anyway.
 */
static void note_deleted(struct walker *wk, const struct tentry *e,
			 size_t depth)
{
	if (wk->dels_nr >= MAX_DELETED || depth > MAX_TREE_DEPTH)
		return;
	if (e->mode == TM_BLOB) {
		struct deleted *d;

		ALLOC_GROW(wk->dels, wk->dels_nr + 1, wk->dels_alloc);
		d = &wk->dels[wk->dels_nr++];
		d->name_at = wk->del_names.len;
		d->name_len = e->namelen;
		strbuf_add(&wk->del_names, e->name, e->namelen);
		memcpy(d->id.id, e->id, GIT_OID_RAWSZ);
	} else if (e->mode == TM_TREE) {
		/* Its own buffer: the caller's trees must stay intact. */
		struct ptree sub;
		git_oid id;

		memcpy(id.id, e->id, GIT_OID_RAWSZ);
		memset(&sub, 0, sizeof(sub));
		strbuf_init(&sub.raw, 0);
		if (!gitwalk_tree_load(wk, &id, &sub))
			for (size_t i = 0; i < sub.nr; i++)
				note_deleted(wk, &sub.e[i], depth + 1);
		strbuf_release(&sub.raw);
		free(sub.e);
	}
}

static const char *base_name(const char *path, size_t *len)
{
	const char *slash = strrchr(path, '/');
	const char *b = slash ? slash + 1 : path;

	*len = strlen(b);
	return b;
}

/*
 * Give each file this commit added (no version in its one parent) the
 * deleted blob of the same base name as its "parent version", or the
 * only deleted blob when there is just one: a rename or move. The
 * attribution then sees the secret was already there.
 */
void gitwalk_pair_moves(struct walker *wk, size_t first)
{
	for (size_t i = first; i < wk->changes_nr && wk->dels_nr; i++) {
		struct change *c = &wk->changes[i];
		git_oid *pv = &wk->poids[c->parents_at];
		const struct deleted *hit = NULL;
		size_t blen;
		const char *b;

		if (c->parents_nr != 1 || !git_oid_is_zero(pv))
			continue;
		b = base_name(c->path, &blen);
		for (size_t j = 0; j < wk->dels_nr && !hit; j++)
			if (wk->dels[j].name_len == blen &&
			    !memcmp(wk->del_names.buf + wk->dels[j].name_at, b,
				    blen))
				hit = &wk->dels[j];
		if (!hit && wk->dels_nr == 1)
			hit = &wk->dels[0];
		if (hit)
			git_oid_cpy(pv, &hit->id);
	}
}

/*
 * Compare tree t (under wk->path) with the parents' trees ps[0..np)
 * (NULL: absent). Entries are matched by a merge in git's tree order. A
 * subtree equal to the same subtree of ANY parent holds nothing new and
 * is skipped without being read.
 */
int gitwalk_tree_diff(struct walker *wk, uint32_t commit, size_t depth,
		      const struct ptree *t, const struct ptree *const *ps,
		      size_t np)
{
	size_t cur_small[4], *cur = cur_small;
	const struct tentry *pe_small[4], **pe = pe_small;
	git_oid poid_small[4], *poid = poid_small;
	const git_oid *pid_small[4], **pid = pid_small;
	const struct ptree *sps_small[4], **sps = sps_small;
	size_t base = wk->path.len;
	int rc = 0;

	if (depth > MAX_TREE_DEPTH)
		return 0; /* a tree cycle in a forged repository */
	if (np > ARRAY_SIZE(cur_small)) {
		cur = xcalloc(np, sizeof(*cur));
		pe = xcalloc(np, sizeof(*pe));
		poid = xcalloc(np, sizeof(*poid));
		pid = xcalloc(np, sizeof(*pid));
		sps = xcalloc(np, sizeof(*sps));
	}
	for (size_t k = 0; k < np; k++)
		cur[k] = 0;
	for (size_t i = 0; i < t->nr && !rc; i++) {
		const struct tentry *e = &t->e[i];
		bool same = false;
		git_oid id;

		for (size_t k = 0; k < np; k++) {
			const struct ptree *p = ps[k];
			int c = 1;

			pe[k] = NULL;
			while (p && cur[k] < p->nr &&
			       (c = tentry_cmp(&p->e[cur[k]], e)) < 0) {
				if (np == 1)
					note_deleted(wk, &p->e[cur[k]], depth);
				cur[k]++;
			}
			/* Matched: step past it, it is not a deletion. */
			if (p && cur[k] < p->nr && !c)
				pe[k] = &p->e[cur[k]++];
			if (pe[k] && pe[k]->mode == e->mode &&
			    !memcmp(pe[k]->id, e->id, GIT_OID_RAWSZ))
				same = true;
		}
		if (same || e->mode == TM_OTHER)
			continue;
		memcpy(id.id, e->id, GIT_OID_RAWSZ);
		strbuf_setlen(&wk->path, base);
		strbuf_add(&wk->path, e->name, e->namelen);
		if (e->mode == TM_TREE) {
			struct ptree *lv =
				gitwalk_tree_levels(wk, depth + 1, np + 1);

			if (gitwalk_tree_load_slot(wk, depth + 1, 0, &id) < 0)
				continue;
			for (size_t k = 0; k < np; k++) {
				sps[k] = NULL;
				if (pe[k] && pe[k]->mode == TM_TREE) {
					memcpy(poid[k].id, pe[k]->id,
					       GIT_OID_RAWSZ);
					if (!gitwalk_tree_load_slot(
						    wk, depth + 1, k + 1,
						    &poid[k]))
						sps[k] = &lv[k + 1];
				}
			}
			strbuf_addch(&wk->path, '/');
			rc = gitwalk_tree_diff(wk, commit, depth + 1, &lv[0],
					       sps, np);
		} else {
			for (size_t k = 0; k < np; k++) {
				pid[k] = NULL;
				if (pe[k] && pe[k]->mode == TM_BLOB) {
					memcpy(poid[k].id, pe[k]->id,
					       GIT_OID_RAWSZ);
					pid[k] = &poid[k];
				}
			}
			rc = gitwalk_add_change(wk, commit, wk->path.buf,
						wk->path.len, &id, pid, np);
		}
	}
	/* What the parent has past our last entry was deleted too. */
	for (size_t j = cur[0]; np == 1 && ps[0] && !rc && j < ps[0]->nr; j++)
		note_deleted(wk, &ps[0]->e[j], depth);
	strbuf_setlen(&wk->path, base);
	if (cur != cur_small) {
		free(sps);
		free(pid);
		free(poid);
		free(pe);
		free(cur);
	}
	return rc;
}
