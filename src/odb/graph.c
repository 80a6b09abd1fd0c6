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
 * commit count, every parent position inside the table. When there is
 * no single file, a split graph is read (info/commit-graphs/: the
 * commit-graph-chain file lists its layers, base first; `git
 * maintenance` and `git commit-graph write --split` write them): each
 * layer's rows follow the rows of the layers below it, and its parent
 * positions count across them, as git's do. Commits newer than the
 * graph are not in it and are read from their objects.
 */
/* MAP_POPULATE is not POSIX. */
#define _DEFAULT_SOURCE
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
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

/* One file: the single graph, or one layer of a chain. */
struct graph_layer {
	const unsigned char *map;
	size_t len;
	uint32_t base; /* rows in the layers below */
	uint32_t nr;
	const unsigned char *fanout, *ids, *cdat, *edges;
	size_t edges_nr;
};

/* At most this many layers (git merges a chain long before). */
#define MAX_LAYERS 64
/* Rows are 31-bit positions, and 0x70000000 means "no parent". */
#define MAX_ROWS 0x70000000u

struct odb_graph {
	struct graph_layer *l; /* base first */
	size_t layers;
	uint32_t nr; /* rows in all layers */
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

/*
 * Check the mapped file of layer i (bases: the chain's ids of the layers
 * below, i of them; NULL for the single file) and point its tables into
 * it; why on failure. Parent positions are checked as they are read.
 */
static const char *graph_parse(struct graph_layer *g, size_t i,
			       const unsigned char *bases)
{
	const unsigned char *d = g->map;
	size_t n = g->len, cdat_len = 0, ids_len = 0, base_len = 0;
	const unsigned char *base_ids = NULL;
	unsigned chunks;
	uint32_t prev = 0;

	if (n < GRAPH_HEADER + CHUNK_ROW + ODB_RAWSZ || memcmp(d, "CGPH", 4))
		return "not a commit-graph file";
	if (d[4] != 1)
		return "unsupported version";
	if (d[5] != 1)
		return "not a SHA-1 graph";
	if (d[7] != i)
		return bases ? "its base count does not match the chain" :
			       "a split graph's layer";
	chunks = d[6];
	if ((size_t)(chunks + 1) * CHUNK_ROW > n - GRAPH_HEADER - ODB_RAWSZ)
		return "chunk table past the end";
	for (unsigned c = 0; c < chunks; c++) {
		const unsigned char *row = d + GRAPH_HEADER + c * CHUNK_ROW;
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
		} else if (!memcmp(row, "BASE", 4)) {
			base_ids = d + at;
			base_len = (size_t)(end - at);
		}
	}
	if (!g->fanout || !g->ids || !g->cdat)
		return "a required chunk is missing";
	/* A layer names the layers below it: they must be the chain's. */
	if (i && (base_len != i * ODB_RAWSZ ||
		  memcmp(base_ids, bases, i * ODB_RAWSZ)))
		return "its base list does not match the chain";
	for (unsigned c = 0; c < 256; c++) {
		uint32_t v = be32(g->fanout + c * 4);

		if (v < prev)
			return "fanout not sorted";
		prev = v;
	}
	g->nr = prev;
	if (ids_len != (size_t)g->nr * ODB_RAWSZ ||
	    cdat_len != (size_t)g->nr * CDAT_ROW)
		return "tables do not match the commit count";
	if (g->nr > MAX_ROWS - g->base)
		return "too many commits";
	/*
	 * The ids are not checked for order here (that is 80,000 compares
	 * on git.git at every start): a disordered table makes a lookup
	 * miss, and a miss only sends the walk to the commit's object. A
	 * hit is always the id asked for.
	 */
	return NULL;
}

/*
 * Map path as layer i of g (the caller has made room) and check it;
 * ERR_NOTFOUND when there is no such file (silently), ERR_FAIL with the
 * message set when it is damaged.
 */
static int open_layer(struct odb_graph *g, const char *path, size_t i,
		      const unsigned char *bases)
{
	struct graph_layer *l = &g->l[i];
	const char *why;
	struct stat st;
	void *p;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return bases ? error_set("damaged commit-graph '%s': the "
					 "chain names it but it cannot be "
					 "opened: %s",
					 path, strerror(errno)) :
			       ERR_NOTFOUND;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MAX_GRAPH) {
		rc = error_set("damaged commit-graph '%s': not a regular file "
			       "of a sane size",
			       path);
		goto out;
	}
	/* Populated at once: a walk touches rows all over the file, and
	 * one batch of mappings costs less than a fault per row. */
	p = mmap(NULL, (size_t)st.st_size, PROT_READ,
		 MAP_PRIVATE | MAP_POPULATE, fd, 0);
	if (p == MAP_FAILED) {
		rc = error_set("cannot map '%s': %s", path, strerror(errno));
		goto out;
	}
	l->map = p;
	l->len = (size_t)st.st_size;
	l->base = g->nr;
	g->layers = i + 1;
	why = graph_parse(l, i, bases);
	/* A layer's file is named after its checksum, its last bytes. */
	if (!why && bases &&
	    memcmp(l->map + l->len - ODB_RAWSZ, bases + i * ODB_RAWSZ,
		   ODB_RAWSZ))
		why = "its checksum is not its name";
	if (why) {
		rc = error_set("damaged commit-graph '%s': %s; run 'git "
			       "commit-graph write --reachable' or remove it",
			       path, why);
		goto out;
	}
	g->nr += l->nr;
out:
	close(fd);
	return rc;
}

/* 40 hex digits at hex into out; -1 when one is not a digit. */
static int hex_id(unsigned char *out, const char *hex)
{
	for (size_t i = 0; i < ODB_RAWSZ; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/*
 * The split graph of objdir: info/commit-graphs/commit-graph-chain, one
 * layer id a line (40 lower-case hex digits), base first.
 */
static int open_chain(struct odb_graph *g, const char *objdir)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	unsigned char ids[MAX_LAYERS * ODB_RAWSZ];
	size_t n = 0;
	int rc;

	strbuf_addf(&path, "%s/info/commit-graphs/commit-graph-chain", objdir);
	rc = fs_read_capped(&text, path.buf, MAX_LAYERS * 41);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		goto out;
	}
	if (rc < 0) {
		rc = error_wrap(rc, "commit-graph chain");
		goto out;
	}
	/* By length, not by NUL: a NUL in the file must not end the list. */
	for (size_t at = 0; at < text.len; at += 41, n++) {
		const char *p = text.buf + at;

		if (n >= MAX_LAYERS || text.len - at < 41 || p[40] != '\n' ||
		    hex_id(ids + n * ODB_RAWSZ, p) < 0) {
			rc = error_set("damaged commit-graph '%s': line %zu is "
				       "not a layer id; run 'git commit-graph "
				       "write --reachable' or remove it",
				       path.buf, n + 1);
			goto out;
		}
	}
	if (!n) {
		rc = ERR_NOTFOUND;
		goto out;
	}
	g->l = xcalloc(n, sizeof(*g->l));
	for (size_t i = 0; i < n && !rc; i++) {
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/info/commit-graphs/graph-%.40s.graph",
			    objdir, text.buf + i * 41);
		rc = open_layer(g, path.buf, i, ids);
	}
out:
	strbuf_release(&text);
	strbuf_release(&path);
	return rc;
}

int odb_graph_open(struct odb_graph **out, const char *objdir)
{
	struct strbuf path = STRBUF_INIT;
	struct odb_graph *g = xcalloc(1, sizeof(*g));
	int rc;

	*out = NULL;
	/* git's order: the single file first, then a chain. */
	g->l = xcalloc(1, sizeof(*g->l));
	strbuf_addf(&path, "%s/info/commit-graph", objdir);
	rc = open_layer(g, path.buf, 0, NULL);
	if (rc == ERR_NOTFOUND) {
		free(g->l);
		g->l = NULL;
		rc = open_chain(g, objdir);
	}
	if (!rc) {
		*out = g;
		g = NULL;
	}
	odb_graph_free(g);
	strbuf_release(&path);
	return rc;
}

void odb_graph_free(struct odb_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->layers; i++)
		munmap((void *)(uintptr_t)g->l[i].map, g->l[i].len);
	free(g->l);
	free(g);
}

uint32_t odb_graph_nr(const struct odb_graph *g)
{
	return g->nr;
}

bool odb_graph_find(const struct odb_graph *g, const unsigned char *id,
		    uint32_t *pos)
{
	/* Newest layer first: a push's recent commits are in the top. */
	for (size_t i = g->layers; i-- > 0;) {
		const struct graph_layer *l = &g->l[i];
		uint32_t lo = id[0] ? be32(l->fanout + (id[0] - 1) * 4) : 0;
		uint32_t hi = be32(l->fanout + id[0] * 4);

		while (lo < hi) {
			uint32_t m = lo + (hi - lo) / 2;
			int c = memcmp(l->ids + (size_t)m * ODB_RAWSZ, id,
				       ODB_RAWSZ);

			if (!c) {
				*pos = l->base + m;
				return true;
			}
			if (c < 0)
				lo = m + 1;
			else
				hi = m;
		}
	}
	return false;
}

/* The layer holding row pos (pos < g->nr). */
static const struct graph_layer *layer_of(const struct odb_graph *g,
					  uint32_t pos)
{
	size_t i = g->layers - 1;

	while (i && pos < g->l[i].base)
		i--;
	return &g->l[i];
}

const unsigned char *odb_graph_id(const struct odb_graph *g, uint32_t pos)
{
	const struct graph_layer *l;

	if (pos >= g->nr)
		return NULL;
	l = layer_of(g, pos);
	return l->ids + (size_t)(pos - l->base) * ODB_RAWSZ;
}

/*
 * A row's parents may be in its own layer or any below it, never above:
 * top is the first row past its layer.
 */
int odb_graph_commit(const struct odb_graph *g, uint32_t pos, int64_t *date,
		     uint32_t *parents, size_t max, size_t *nr)
{
	const struct graph_layer *l;
	const unsigned char *row;
	uint32_t p1, p2, top;
	size_t n = 0;

	if (pos >= g->nr)
		return ERR_FAIL;
	l = layer_of(g, pos);
	top = l->base + l->nr;
	row = l->cdat + (size_t)(pos - l->base) * CDAT_ROW;
	p1 = be32(row + ODB_RAWSZ);
	p2 = be32(row + ODB_RAWSZ + 4);
	/* Commit time: 34 bits, the low two bits of the generation word
	 * over the next 32. */
	*date = (int64_t)(((uint64_t)(be32(row + ODB_RAWSZ + 8) & 3) << 32) |
			  be32(row + ODB_RAWSZ + 12));
	if (p1 != PARENT_NONE) {
		if (p1 >= top || !max)
			return ERR_FAIL;
		parents[n++] = p1;
	}
	if (p2 != PARENT_NONE && !(p2 & PARENT_EXTRA)) {
		if (p2 >= top || n >= max || p1 == PARENT_NONE)
			return ERR_FAIL;
		parents[n++] = p2;
	} else if (p2 != PARENT_NONE) {
		/* An octopus: its second and later parents in EDGE. */
		size_t e = p2 & ~PARENT_EXTRA;

		if (p1 == PARENT_NONE)
			return ERR_FAIL;
		for (;;) {
			uint32_t v;

			if (e >= l->edges_nr)
				return ERR_FAIL;
			if (n >= max)
				return ERR_NOTFOUND; /* read the object */
			v = be32(l->edges + e * 4);
			if ((v & ~EDGE_LAST) >= top)
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
