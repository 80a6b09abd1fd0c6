/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a release ledger entry (src/ledger/entry.c), which comes
 * from a fetched ref, then its verification (the public key PEM and the
 * DSSE envelope it carries), then format + parse again, which must give
 * the same entry.
 */
#include "fuzz.h"
#include "slugguard/ledger.h"

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ledger l = LEDGER_INIT;
	struct ledger_entry e, again;
	struct strbuf why = STRBUF_INIT, text = STRBUF_INIT;

	memset(&e, 0, sizeof(e));
	memset(&again, 0, sizeof(again));
	if (ledger_entry_parse(&e, (const char *)data, size, "fuzz") < 0) {
		error_clear();
		goto out;
	}
	if (ledger_entry_ok(&l, &e, NULL, &why))
		abort(); /* nothing is trusted: nothing verifies */
	ledger_entry_format(&text, &e);
	if (ledger_entry_parse(&again, text.buf, text.len, "again") < 0 ||
	    !same(e.slug_id, again.slug_id) ||
	    !same(e.checksum, again.checksum) || !same(e.state, again.state) ||
	    !same(e.envelope, again.envelope) ||
	    !same(e.public_key, again.public_key) ||
	    e.version != again.version || !same(e.kind, again.kind) ||
	    !same(e.source_checksum, again.source_checksum) ||
	    !same(e.build_id, again.build_id) || !same(e.ref, again.ref) ||
	    e.source_size != again.source_size ||
	    e.buildpacks.nr != again.buildpacks.nr)
		abort();
	for (size_t i = 0; i < e.buildpacks.nr; i++)
		if (strcmp(e.buildpacks.v[i], again.buildpacks.v[i]))
			abort();
out:
	ledger_entry_release(&again);
	ledger_entry_release(&e);
	strbuf_release(&text);
	strbuf_release(&why);
	ledger_release(&l);
	return 0;
}
