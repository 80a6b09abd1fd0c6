/* SPDX-License-Identifier: MIT */
/*
 * The in-toto Statement v1 / SLSA Provenance v1 skeleton that both of our
 * builders (the local build and Heroku's) fill the same way, so that the
 * two attestations cannot drift apart in what `verify` reads.
 */
#include "slugguard/common.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"
#include "slugguard/utc.h"

struct json *sign_slsa_statement(struct sign_slsa *s)
{
	struct json *root = json_new_object();
	struct json *subj, *one, *pred, *def, *src, *dep, *builder, *meta;
	struct strbuf sb = STRBUF_INIT;
	char when[UTC_ISO_LEN];

	json_add_string(root, "_type", "https://in-toto.io/Statement/v1");
	subj = json_add(root, "subject", json_new_array());
	one = json_push(subj, json_new_object());
	json_add_string(one, "name", s->subject);
	json_add_string(json_add(one, "digest", json_new_object()), "sha256",
			s->sha256);
	json_add_string(root, "predicateType",
			"https://slsa.dev/provenance/v1");
	pred = json_add(root, "predicate", json_new_object());

	def = json_add(pred, "buildDefinition", json_new_object());
	json_add_string(def, "buildType", s->build_type);
	s->ext = json_add(def, "externalParameters", json_new_object());
	src = json_add(s->ext, "source", json_new_object());
	json_add_string(src, "repository", s->repo);
	json_add_string(src, "ref", s->ref);
	s->deps = json_add(def, "resolvedDependencies", json_new_array());
	dep = json_push(s->deps, json_new_object());
	json_add_string(dep, "name", "source");
	strbuf_addf(&sb, "git+%s@%s", s->repo, s->ref);
	json_add_string(dep, "uri", sb.buf);
	json_add_string(json_add(dep, "digest", json_new_object()), "gitCommit",
			s->commit);

	s->run = json_add(pred, "runDetails", json_new_object());
	builder = json_add(s->run, "builder", json_new_object());
	json_add_string(builder, "id", s->builder_id);
	s->version = json_add(builder, "version", json_new_object());
	json_add_string(s->version, "slugguard", SLUGGUARD_VERSION);
	meta = json_add(s->run, "metadata", json_new_object());
	json_add_string(meta, "invocationId", s->invocation);
	utc_iso(when, s->started);
	json_add_string(meta, "startedOn", when);
	utc_iso(when, s->finished);
	json_add_string(meta, "finishedOn", when);
	strbuf_release(&sb);
	return root;
}
