/* SPDX-License-Identifier: MIT */
/* The in-toto Statement v1 / SLSA Provenance v1 of a slug, signed. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/json.h"
#include "slugguard/slug.h"
#include "slugguard/utc.h"
#include "buildpack-internal.h"

static struct json *statement(const struct build_state *st,
			      const struct build_opts *o, const char *hex)
{
	struct json *root = json_new_object();
	struct json *subj, *one, *pred, *def, *ext, *src, *bps, *deps, *dep;
	struct json *run, *builder, *ver, *meta;
	struct strbuf sb = STRBUF_INIT;
	const char *ref = o->ref ? o->ref : o->commit ? o->commit : "HEAD";
	char when[UTC_ISO_LEN];

	json_add_string(root, "_type", "https://in-toto.io/Statement/v1");
	subj = json_add(root, "subject", json_new_array());
	one = json_push(subj, json_new_object());
	json_add_string(one, "name", "slug.tgz");
	json_add_string(json_add(one, "digest", json_new_object()), "sha256",
			hex);
	json_add_string(root, "predicateType",
			"https://slsa.dev/provenance/v1");
	pred = json_add(root, "predicate", json_new_object());

	def = json_add(pred, "buildDefinition", json_new_object());
	json_add_string(def, "buildType", BUILDPACK_BUILD_TYPE);
	ext = json_add(def, "externalParameters", json_new_object());
	src = json_add(ext, "source", json_new_object());
	json_add_string(src, "repository", st->source_uri.buf);
	json_add_string(src, "ref", ref);
	/* resolvedDependencies is unordered: the order lives here. */
	bps = json_add(ext, "buildpacks", json_new_array());
	for (size_t i = 0; i < st->nr_bps; i++)
		json_push(bps, json_new_string(st->bps[i].ref));
	if (o->app)
		json_add_string(ext, "app", o->app);
	json_add_string(ext, "stack", st->stack);

	deps = json_add(def, "resolvedDependencies", json_new_array());
	dep = json_push(deps, json_new_object());
	json_add_string(dep, "name", "source");
	strbuf_addf(&sb, "git+%s@%s", st->source_uri.buf, ref);
	json_add_string(dep, "uri", sb.buf);
	json_add_string(json_add(dep, "digest", json_new_object()), "gitCommit",
			st->commit);
	for (size_t i = 0; i < st->nr_bps; i++) {
		const struct bp *bp = &st->bps[i];

		dep = json_push(deps, json_new_object());
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

	run = json_add(pred, "runDetails", json_new_object());
	builder = json_add(run, "builder", json_new_object());
	json_add_string(builder, "id", BUILDPACK_BUILDER_ID);
	ver = json_add(builder, "version", json_new_object());
	json_add_string(ver, "slugguard", SLUGGUARD_VERSION);
	json_add_string(ver, "openssl", sign_backend_version());
	json_add_string(ver, "libarchive", slug_backend_version());
	meta = json_add(run, "metadata", json_new_object());
	strbuf_reset(&sb);
	strbuf_addf(&sb, "slugguard-build-%.12s-%lld", st->commit,
		    (long long)st->started);
	json_add_string(meta, "invocationId", sb.buf);
	utc_iso(when, st->started);
	json_add_string(meta, "startedOn", when);
	utc_iso(when, st->finished);
	json_add_string(meta, "finishedOn", when);
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
