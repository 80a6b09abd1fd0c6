/* SPDX-License-Identifier: MIT */
/*
 * odb: our own read-only reader of a git object store (packs and loose
 * objects), for the history scan's hot loop only. libgit2 remains the
 * reader for everything else and the fallback for anything odb does not
 * understand (ERR_NOTFOUND from here means "ask libgit2").
 *
 * Why: a full-history walk reads every tree and blob version once, each
 * stored as a delta on a neighbour. libgit2 1.5 caches delta bases in a
 * fixed 16 MiB cache of objects up to 1 MiB (a compile-time limit), so it
 * rebuilds the same delta chains over and over; on git.git that made the
 * walk five times slower than git's own. Here every reader (one per
 * thread) keeps a large cache of resolved objects keyed by pack position,
 * so a chain is resolved once while the walk moves along the history.
 *
 * Object ids are raw 20-byte SHA-1 (repositories in SHA-256 format are
 * not read: odb_open refuses them and the caller keeps using libgit2).
 */
#ifndef SLUGGUARD_ODB_H
#define SLUGGUARD_ODB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ODB_RAWSZ 20

enum odb_type {
	ODB_NONE = 0,
	ODB_COMMIT = 1,
	ODB_TREE = 2,
	ODB_BLOB = 3,
	ODB_TAG = 4
};

/* The store: object directories and their mapped packs. Read-only once
 * opened, so readers on several threads may share it. */
struct odb;
/* One thread's view: its cache, inflater and scratch buffers. */
struct odb_reader;

/*
 * Open the object directories dirs[0..nr) (each one's
 * info/alternates is followed too) and map their packs. Directories that
 * do not exist are skipped. The caller frees *out with odb_free() after
 * freeing every reader. Every pack index is checked against its pack
 * first in O(256) (header, fan-out, object count against the sizes,
 * checksum); a damaged one fails the open with ERR_FAIL and a message
 * naming it, so that the caller can refuse the store rather than let
 * libgit2 read that index. Ids and offsets are checked where a read
 * uses them. Returns 0 or ERR_FAIL (message stored).
 */
int odb_open(struct odb **out, const char *const *dirs, size_t nr);
/*
 * The O(objects) checks of every index: ids sorted and inside their
 * fan-out range, offsets inside the pack. For callers about to hand the
 * same directories to a reader that trusts them (libgit2); a small scan
 * through odb alone needs none of it. Returns 0 or ERR_FAIL naming the
 * index. Does not change db.
 */
int odb_verify(const struct odb *db);
void odb_free(struct odb *db);
/* Packs and directories found, for diagnostics. */
size_t odb_packs(const struct odb *db);

/*
 * A reader with a cache of at most cache_bytes of resolved objects
 * (0: a default sized for full-history walks), mapped on first use and
 * reused in place. The caller frees it.
 */
struct odb_reader *odb_reader_new(struct odb *db, size_t cache_bytes);
void odb_reader_free(struct odb_reader *r);

/*
 * Read object id. On success *type, *data and *len describe it; data is
 * borrowed from r and valid until the next odb_read() on r, and a NUL
 * byte follows it (not counted in *len), as libgit2 does. When the
 * object is larger than max (0: no limit) only *type and *len are set
 * and *data is NULL. Returns 0, ERR_NOTFOUND (not in this store, or in a
 * form odb does not read) or ERR_FAIL (damaged). Never touches the error
 * slot: readers run on worker threads.
 */
int odb_read(struct odb_reader *r, const unsigned char *id, size_t max,
	     enum odb_type *type, const unsigned char **data, size_t *len);
/*
 * odb_read() for an object read once and dropped (the commits of a
 * revision walk): delta bases on the way are cached, the object itself
 * is not, which spares a small push the allocation, the cache entry and
 * the fresh pages of each of the ~1,000 commits it may parse.
 */
int odb_read_once(struct odb_reader *r, const unsigned char *id,
		  enum odb_type *type, const unsigned char **data, size_t *len);

/*
 * Keep the last answer's data valid across further reads on r until
 * odb_unhold() (or the next odb_hold()): two objects side by side, a
 * blob and its parent's version, without a copy. While held, the cache
 * stores around it (objects that do not fit go to the heap).
 */
void odb_hold(struct odb_reader *r);
void odb_unhold(struct odb_reader *r);

/*
 * git's commit-graph (version 1: objects/info/commit-graph, or else the
 * layers of a split graph under objects/info/commit-graphs/): parents
 * and committer dates without reading commit objects. Rows are numbered
 * across a split graph's layers, base first, as git numbers them. Opened
 * from an object directory; ERR_NOTFOUND when there is none, ERR_FAIL
 * (message set) when it is damaged. The graph is the caller's, freed by
 * odb_graph_free(); read-only, so threads may share it.
 */
struct odb_graph;

int odb_graph_open(struct odb_graph **out, const char *objdir);
void odb_graph_free(struct odb_graph *g);
/* The number of commits in the graph. */
uint32_t odb_graph_nr(const struct odb_graph *g);
/* The row of commit id; false when the graph does not have it. */
bool odb_graph_find(const struct odb_graph *g, const unsigned char *id,
		    uint32_t *pos);
/* The id of the commit in row pos (inside the graph), NULL past the end. */
const unsigned char *odb_graph_id(const struct odb_graph *g, uint32_t pos);
/*
 * The committer date and parents (their rows, at most max into parents,
 * *nr of them) of row pos. ERR_FAIL for a row that points outside the
 * graph, ERR_NOTFOUND when the commit has more than max parents (read
 * its object instead).
 */
int odb_graph_commit(const struct odb_graph *g, uint32_t pos, int64_t *date,
		     uint32_t *parents, size_t max, size_t *nr);

#endif
