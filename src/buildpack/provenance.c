/* SPDX-License-Identifier: MIT */
/* The in-toto Statement v1 / SLSA Provenance v1 of a slug, signed. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "slugguard/slug.h"
#include "buildpack-internal.h"

static struct json *statement(const struct build_state *st,
			      const struct build_opts *o, const char *hex)
{
	struct strbuf sb = STRBUF_INIT;
	const char *ref = o->ref ? o->ref : o->commit ? o->commit : "HEAD";
	struct sign_slsa s = { 0 };
	struct json *root, *bps, *dep;

	strbuf_addf(&sb, "slugguard-build-%.12s-%lld", st->commit,
		    (long long)st->started);
	s.subject = "slug.tgz";
	s.sha256 = hex;
	s.build_type = BUILDPACK_BUILD_TYPE;
	s.builder_id = BUILDPACK_BUILDER_ID;
	s.repo = st->source_uri.buf;
	s.ref = ref;
	s.commit = st->commit;
	s.invocation = sb.buf;
	s.started = st->started;
	s.finished = st->finished;
	root = sign_slsa_statement(&s);

	/* resolvedDependencies is unordered: the order lives here. */
	bps = json_add(s.ext, "buildpacks", json_new_array());
	for (size_t i = 0; i < st->nr_bps; i++)
		json_push(bps, json_new_string(st->bps[i].ref));
	if (o->app)
		json_add_string(s.ext, "app", o->app);
	json_add_string(s.ext, "stack", st->stack);
	for (size_t i = 0; i < st->nr_bps; i++) {
		const struct bp *bp = &st->bps[i];

		dep = json_push(s.deps, json_new_object());
		strbuf_reset(&sb);
		strbuf_addf(&sb, "buildpack:%zu", i);
		json_add_string(dep, "name", sb.buf);
		json_add_string(dep, "uri", bp->url);
		if (bp->commit[0])
			json_add_string(json_add(dep, "digest",
						 json_new_object()),
					"gitCommit", bp->commit);
		if (bp->name)
			json_add_string(json_add(dep, "annotations",
						 json_new_object()),
					"detected", bp->name);
	}
	json_add_string(s.version, "openssl", sign_backend_version());
	json_add_string(s.version, "libarchive", slug_backend_version());
	strbuf_release(&sb);
	return root;
}

int buildpack_attest(const struct build_state *st, const struct build_result *r,
		     const struct build_opts *o, const struct sign_key *key,
		     const char *hex)
{
	struct json *stmt = statement(st, o, hex);
	struct strbuf env = STRBUF_INIT, bundle = STRBUF_INIT;
	struct strbuf text = STRBUF_INIT;
	char *body = json_print(stmt, false);
	int rc;

	/* No config var value in what we sign and publish (the envelope
	 * carries it base64'd: masking the statement first covers that). */
	strbuf_addstr(&text, body);
	rc = mask_strbuf(st->mask, &text);
	/* DSSE signs these exact bytes; no canonical form is needed. */
	if (!rc)
		rc = sign_dsse_envelope(&env, &bundle, key,
					SIGN_INTOTO_PAYLOAD_TYPE, text.buf,
					text.len);
	if (!rc) {
		strbuf_addch(&env, '\n');
		strbuf_addch(&bundle, '\n');
		rc = fs_write_atomic(r->intoto_path, env.buf, env.len, 0644);
	}
	if (!rc)
		rc = fs_write_atomic(r->sigstore_path, bundle.buf, bundle.len,
				     0644);
	free(body);
	json_free(stmt);
	strbuf_release(&text);
	strbuf_release(&env);
	strbuf_release(&bundle);
	return rc;
}
