/* SPDX-License-Identifier: MIT */
/*
 * git's commit-graph file (objects/info/commit-graph, format version 1,
 * SHA-1): each commit's parents and committer date in fixed-size rows,
 * so a revision walk needs no commit object inflated. A small push on
 * git.git walks ~2,200 commits to prove a range's side branches are old
 * (git's limit_list); through the graph that is a table lookup each.
 *
 * The file is the repository's own (git gc, git maintenance and
 * `git commit-graph write` make it; a push never carries one), read as
 * strictly as a pack index: every chunk inside the file, sized by the
 * commit count, ids sorted, every parent position inside the table. A
 * split graph (commit-graphs/ chain) is not read: the walk then reads
 * commit objects as before. Commits newer than the file are not in it
 * and are read from their objects too.
 */
/* MAP_POPULATE is not POSIX. */
#define _DEFAULT_SOURCE
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/strbuf.h"
#include "odb-internal.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define GRAPH_HEADER 8
#define CHUNK_ROW 12
#define FANOUT_LEN (256 * 4)
#define CDAT_ROW (ODB_RAWSZ + 16)
#define PARENT_NONE 0x70000000u
#define PARENT_EXTRA 0x80000000u
#define EDGE_LAST 0x80000000u
/* A graph of a billion commits is not a repository's. */
#define MAX_GRAPH ((size_t)1 << 34)

struct odb_graph {
	const unsigned char *map;
	size_t len;
	uint32_t nr;
	const unsigned char *fanout, *ids, *cdat, *edges;
	size_t edges_nr;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* Check the mapped file and point g's tables into it; why on failure. */
static const char *graph_parse(struct odb_graph *g)
{
	const unsigned char *d = g->map;
	size_t n = g->len, cdat_len = 0, ids_len = 0;
	unsigned chunks;
	uint32_t prev = 0;

	if (n < GRAPH_HEADER + CHUNK_ROW + ODB_RAWSZ || memcmp(d, "CGPH", 4))
		return "not a commit-graph file";
	if (d[4] != 1)
		return "unsupported version";
	if (d[5] != 1)
		return "not a SHA-1 graph";
	if (d[7] != 0)
		return "a split graph's layer";
	chunks = d[6];
	if ((size_t)(chunks + 1) * CHUNK_ROW > n - GRAPH_HEADER - ODB_RAWSZ)
		return "chunk table past the end";
	for (unsigned i = 0; i < chunks; i++) {
		const unsigned char *row = d + GRAPH_HEADER + i * CHUNK_ROW;
		uint64_t at = be64(row + 4), end = be64(row + 4 + CHUNK_ROW);

		if (at < GRAPH_HEADER + (uint64_t)(chunks + 1) * CHUNK_ROW ||
		    end < at || end > n - ODB_RAWSZ)
			return "chunk outside the file";
		if (!memcmp(row, "OIDF", 4)) {
			if (end - at != FANOUT_LEN)
				return "bad fanout size";
			g->fanout = d + at;
		} else if (!memcmp(row, "OIDL", 4)) {
			g->ids = d + at;
			ids_len = (size_t)(end - at);
		} else if (!memcmp(row, "CDAT", 4)) {
			g->cdat = d + at;
			cdat_len = (size_t)(end - at);
		} else if (!memcmp(row, "EDGE", 4)) {
			if ((end - at) % 4)
				return "bad extra-edge list size";
			g->edges = d + at;
			g->edges_nr = (size_t)(end - at) / 4;
		}
	}
	if (!g->fanout || !g->ids || !g->cdat)
		return "a required chunk is missing";
	for (unsigned i = 0; i < 256; i++) {
		uint32_t v = be32(g->fanout + i * 4);

		if (v < prev)
			return "fanout not sorted";
		prev = v;
	}
	g->nr = prev;
	if (ids_len != (size_t)g->nr * ODB_RAWSZ ||
	    cdat_len != (size_t)g->nr * CDAT_ROW)
		return "tables do not match the commit count";
	/*
	 * The ids are not checked for order here (that is 80,000 compares
	 * on git.git at every start): a disordered table makes a lookup
	 * miss, and a miss only sends the walk to the commit's object. A
	 * hit is always the id asked for.
	 */
	return NULL;
}

int odb_graph_open(struct odb_graph **out, const char *objdir)
{
	struct strbuf path = STRBUF_INIT;
	struct odb_graph *g = NULL;
	const char *why;
	struct stat st;
	void *p;
	int fd = -1, rc = 0;

	*out = NULL;
	strbuf_addf(&path, "%s/info/commit-graph", objdir);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = ERR_NOTFOUND;
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MAX_GRAPH) {
		rc = error_set("damaged commit-graph '%s': not a regular file "
			       "of a sane size",
			       path.buf);
		goto out;
	}
	/* Populated at once: a walk touches rows all over the file, and
	 * one batch of mappings costs less than a fault per row. */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		 MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED) {
		rc = error_set("cannot map '%s': %s", path.buf,
			       strerror(errno));
		goto out;
	}
	g = xcalloc(1, sizeof(*g));
	g->map = p;
	g->len = (size_t)st.st_size;
	why = graph_parse(g);
	if (why) {
		rc = error_set("damaged commit-graph '%s': %s; run 'git "
			       "commit-graph write --reachable' or remove it",
			       path.buf, why);
		goto out;
	}
	*out = g;
	g = NULL;
out:
	odb_graph_free(g);
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	return rc;
}

void odb_graph_free(struct odb_graph *g)
{
	if (!g)
		return;
	munmap((void *)(uintptr_t)g->map, g->len);
	free(g);
}

uint32_t odb_graph_nr(const struct odb_graph *g)
{
	return g->nr;
}

bool odb_graph_find(const struct odb_graph *g, const unsigned char *id,
		    uint32_t *pos)
{
	uint32_t lo = id[0] ? be32(g->fanout + (id[0] - 1) * 4) : 0;
	uint32_t hi = be32(g->fanout + id[0] * 4);

	while (lo < hi) {
		uint32_t m = lo + (hi - lo) / 2;
		int c = memcmp(g->ids + (size_t)m * ODB_RAWSZ, id, ODB_RAWSZ);

		if (!c) {
			*pos = m;
			return true;
		}
		if (c < 0)
			lo = m + 1;
		else
			hi = m;
	}
	return false;
}

const unsigned char *odb_graph_id(const struct odb_graph *g, uint32_t pos)
{
	return pos < g->nr ? g->ids + (size_t)pos * ODB_RAWSZ : NULL;
}

int odb_graph_commit(const struct odb_graph *g, uint32_t pos, int64_t *date,
		     uint32_t *parents, size_t max, size_t *nr)
{
	const unsigned char *row;
	uint32_t p1, p2;
	size_t n = 0;

	if (pos >= g->nr)
		return ERR_FAIL;
	row = g->cdat + (size_t)pos * CDAT_ROW;
	p1 = be32(row + ODB_RAWSZ);
	p2 = be32(row + ODB_RAWSZ + 4);
	/* Commit time: 34 bits, the low two bits of the generation word
	 * over the next 32. */
	*date = (int64_t)(((uint64_t)(be32(row + ODB_RAWSZ + 8) & 3) << 32) |
			  be32(row + ODB_RAWSZ + 12));
	if (p1 != PARENT_NONE) {
		if (p1 >= g->nr || !max)
			return ERR_FAIL;
		parents[n++] = p1;
	}
	if (p2 != PARENT_NONE && !(p2 & PARENT_EXTRA)) {
		if (p2 >= g->nr || n >= max || p1 == PARENT_NONE)
			return ERR_FAIL;
		parents[n++] = p2;
	} else if (p2 != PARENT_NONE) {
		/* An octopus: its second and later parents in EDGE. */
		size_t e = p2 & ~PARENT_EXTRA;

		if (p1 == PARENT_NONE)
			return ERR_FAIL;
		for (;;) {
			uint32_t v;

			if (e >= g->edges_nr)
				return ERR_FAIL;
			if (n >= max)
				return ERR_NOTFOUND; /* read the object */
			v = be32(g->edges + e * 4);
			if ((v & ~EDGE_LAST) >= g->nr)
				return ERR_FAIL;
			parents[n++] = v & ~EDGE_LAST;
			if (v & EDGE_LAST)
				break;
			e++;
		}
	}
	*nr = n;
	return 0;
}
