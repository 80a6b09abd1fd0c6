/* SPDX-License-Identifier: MIT */
/* Private to src/odb/: the store behind the opaque handles. */
#ifndef SLUGGUARD_ODB_INTERNAL_H
#define SLUGGUARD_ODB_INTERNAL_H

#include "slugguard/odb.h"

/* One pack: its index and data, both mapped read-only. */
struct odb_pack {
	char *idx_path; /* owned; for odb_verify()'s message */
	int idx_fd; /* the index again, for odb_pack_find_pread() */
	const unsigned char *idx;
	size_t idx_len;
	const unsigned char *data;
	size_t data_len;
	int data_fd; /* the pack again, for odb_pack_pread() */
	uint32_t nr; /* objects */
	const unsigned char *fanout; /* owned: a copy of the index's */
	const unsigned char *names, *off32, *off64; /* in the index */
	size_t off64_nr;
};

struct odb {
	struct odb_pack *packs;
	size_t packs_nr, packs_alloc;
	char **dirs; /* object directories, for loose objects */
	size_t dirs_nr, dirs_alloc;
	struct {
		dev_t dev;
		ino_t ino;
	} * dir_ids; /* parallel to dirs */
	size_t dir_ids_alloc;
};

/*
 * pread len bytes of pack p's data at off (a small read's windows: see
 * read.c); false on a short read or an error.
 */
bool odb_pack_pread(const struct odb_pack *p, void *buf, size_t len,
		    uint64_t off);

/*
 * Find id in pack p; *off receives its offset in the pack data. Returns
 * true when found.
 */
bool odb_pack_find(const struct odb_pack *p, const unsigned char *id,
		   uint64_t *off);
/*
 * The same through pread() on the index file instead of its mapping: a
 * few hundred lookups (a small push) then cost a system call or two each
 * instead of faulting in 64 KiB of the mapping around every probe (20
 * MB of git.git's index resident for ~2,500 lookups). A reader switches
 * to odb_pack_find() once it has made many lookups.
 */
bool odb_pack_find_pread(const struct odb_pack *p, const unsigned char *id,
			 uint64_t *off);

/*
 * For tests: 0 when r's cache table is sound (every live entry found
 * from its home slot, nothing else in it, at most half full or at its
 * largest and at most 7/8 full), else -1. With full, also whether the
 * table is at its largest and full (the ring drops entries for room).
 */
int odb_reader_check(const struct odb_reader *r, bool *full);

#endif
