/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: git's commit-graph file (src/odb/graph.c). The input is
 * objects/info/commit-graph; or, when it starts with "CGCH" and a 4-byte
 * big-endian length k, a split graph of two layers: the next k bytes
 * and the rest, each named after its last 20 bytes in the chain file (so
 * that the name check passes and the layers' contents are reached).
 * When it opens, every row is read and every listed id looked up: reads
 * must stay inside the files whatever the chunk tables, fanouts, id
 * order, base lists, parent positions and extra-edge lists say.
 */
#include "fuzz.h"
#include "slugguard/odb.h"

static void layer_path(struct strbuf *sb, const char *objdir,
		       const uint8_t *layer, size_t len)
{
	strbuf_addf(sb, "%s/info/commit-graphs/graph-", objdir);
	for (size_t i = len - 20; i < len; i++)
		strbuf_addf(sb, "%02x", layer[i]);
	strbuf_addstr(sb, ".graph");
}

static char *last_chain; /* the layer files written last, to remove */

static void remove_chain(const char *objdir)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/info/commit-graphs/commit-graph-chain", objdir);
	unlink(sb.buf);
	if (last_chain) {
		for (char *p = last_chain, *nl; *p; p = nl + 1) {
			nl = strchr(p, '\n');
			*nl = '\0';
			unlink(p);
		}
		free(last_chain);
		last_chain = NULL;
	}
	strbuf_release(&sb);
}

/* Two layers, each named after its last 20 bytes, and their chain. */
static int write_chain(const char *objdir, const uint8_t *a, size_t alen,
		       const uint8_t *b, size_t blen)
{
	struct strbuf path = STRBUF_INIT, chain = STRBUF_INIT,
		      files = STRBUF_INIT;
	const uint8_t *layer[2] = { a, b };
	size_t len[2] = { alen, blen };
	int rc = 0;

	remove_chain(objdir);
	if (alen < 20 || blen < 20)
		return -1;
	strbuf_addf(&path, "%s/info/commit-graphs", objdir);
	mkdir(path.buf, 0700);
	for (int i = 0; i < 2 && !rc; i++) {
		strbuf_reset(&path);
		layer_path(&path, objdir, layer[i], len[i]);
		rc = fuzz_write(path.buf, layer[i], len[i]);
		strbuf_addf(&files, "%s\n", path.buf);
		strbuf_add(&chain, path.buf + path.len - 46, 40);
		strbuf_addch(&chain, '\n');
	}
	last_chain = strbuf_detach(&files, NULL);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/info/commit-graphs/commit-graph-chain", objdir);
	if (!rc)
		rc = fuzz_write(path.buf, chain.buf, chain.len);
	strbuf_release(&path);
	strbuf_release(&chain);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct strbuf dir = STRBUF_INIT, file = STRBUF_INIT;
	struct odb_graph *g = NULL;
	uint32_t parents[4];
	const char *tmp = fuzz_tmpdir();

	if (!tmp)
		abort();
	if (!dir.len) {
		strbuf_addf(&dir, "%s/objects", tmp);
		mkdir(dir.buf, 0700);
		strbuf_addf(&dir, "/info");
		mkdir(dir.buf, 0700);
		strbuf_addf(&file, "%s/commit-graph", dir.buf);
		strbuf_setlen(&dir, dir.len - strlen("/info"));
	}
	if (size >= 8 && !memcmp(data, "CGCH", 4)) {
		size_t k = (size_t)data[4] << 24 | (size_t)data[5] << 16 |
			   (size_t)data[6] << 8 | data[7];

		unlink(file.buf);
		if (k > size - 8 || write_chain(dir.buf, data + 8, k,
						data + 8 + k, size - 8 - k) < 0)
			return 0;
	} else {
		remove_chain(dir.buf);
		if (fuzz_write(file.buf, data, size) < 0)
			abort();
	}
	if (odb_graph_open(&g, dir.buf) < 0) {
		error_clear();
		return 0;
	}
	for (uint32_t i = 0; i < odb_graph_nr(g) && i < 4096; i++) {
		const unsigned char *id = odb_graph_id(g, i);
		uint32_t pos;
		int64_t date;
		size_t nr;

		if (!id)
			abort();
		/* Unsorted ids may miss; a hit is the id asked for. */
		if (odb_graph_find(g, id, &pos) &&
		    memcmp(odb_graph_id(g, pos), id, ODB_RAWSZ))
			abort();
		if (!odb_graph_commit(g, i, &date, parents, 4, &nr))
			for (size_t k = 0; k < nr; k++)
				if (!odb_graph_id(g, parents[k]))
					abort();
	}
	odb_graph_free(g);
	return 0;
}
