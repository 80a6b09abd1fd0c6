/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: git's commit-graph file (src/odb/graph.c). The input is
 * objects/info/commit-graph; when it opens, every row is read and every
 * listed id looked up: reads must stay inside the file whatever the
 * chunk table, fanout, id order, parent positions and extra-edge
 * list say.
 */
#include "fuzz.h"
#include "slugguard/odb.h"

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
	if (fuzz_write(file.buf, data, size) < 0)
		abort();
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
