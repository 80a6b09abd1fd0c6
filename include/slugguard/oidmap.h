/* SPDX-License-Identifier: MIT */
/*
 * A map from a raw 20-byte object id to a number (open addressing,
 * linear probing, at most half full). The one such map of the project:
 * the history walk's blob and commit sets, the commit walk's index and
 * export's set of checked trees all use it. Keys are raw bytes so that
 * util needs neither libgit2 nor odb; a git_oid's id member fits.
 */
#ifndef SLUGGUARD_OIDMAP_H
#define SLUGGUARD_OIDMAP_H

#define OIDMAP_RAWSZ 20

struct oidmap {
	unsigned char (*keys)[OIDMAP_RAWSZ];
	size_t *vals;
	unsigned char *used;
	size_t nr, alloc; /* alloc is 0 or a power of two */
};

#define OIDMAP_INIT                    \
	{                              \
		NULL, NULL, NULL, 0, 0 \
	}

/* Find id; true when present, then *val (if val) holds its number. */
bool oidmap_get(const struct oidmap *m, const unsigned char *id, size_t *val);
/*
 * Find id, or insert it with the number *val. Returns true when it was
 * present already; then *val receives the stored number instead.
 */
bool oidmap_put(struct oidmap *m, const unsigned char *id, size_t *val);
/* Frees the arrays; m is empty and reusable. Accepts an empty map. */
void oidmap_release(struct oidmap *m);

#endif
