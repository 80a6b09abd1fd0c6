/* SPDX-License-Identifier: MIT */
/* One ledger entry file: parse (outside input) and format. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/json.h"
#include "slugguard/ledger.h"
#include "ledger-internal.h"

#define ENTRY_FORMAT "slugguard-ledger/v1"
/* Bounds on a build entry's buildpack list (outside input). */
#define BUILDPACKS_MAX 32
#define BUILDPACK_REF_MAX 1024

void ledger_entry_release(struct ledger_entry *e)
{
	if (!e)
		return;
	free(e->slug_id);
	free(e->checksum);
	free(e->attestation);
	free(e->commit);
	free(e->time);
	free(e->release_id);
	free(e->status);
	free(e->state);
	free(e->envelope);
	free(e->public_key);
	free(e->keyid);
	free(e->kind);
	free(e->source_checksum);
	free(e->build_id);
	free(e->repo);
	free(e->ref);
	strvec_clear(&e->buildpacks);
	memset(e, 0, sizeof(*e));
}

bool ledger_slug_id_ok(const char *id)
{
	if (!id || !*id || strlen(id) > 100)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

int ledger_state_rank(const char *state)
{
	if (!state || !strcmp(state, LEDGER_PENDING))
		return 0;
	if (!strcmp(state, LEDGER_ABANDONED))
		return 1;
	return 2;
}

/* A string member, absent or null allowed; anything else is an error. */
static int opt_string(char **out, const struct json *o, const char *key,
		      const char *what)
{
	const struct json *v = json_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return error_set("'%s': \"%s\" is not a string", what, key);
	*out = xstrdup(json_string(v));
	return 0;
}

static bool sha256_ok(const char *s)
{
	if (!s || !starts_with(s, "SHA256:") || strlen(s) != 7 + 64)
		return false;
	for (s += 7; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* The members of a build entry (LEDGER_KIND_BUILD), strictly. */
static int parse_build(struct ledger_entry *e, const struct json *j,
		       const char *what)
{
	const struct json *bps = json_get(j, "buildpacks");
	const struct json *size = json_get(j, "source_size");
	double v = 0;

	if (strcmp(e->kind, LEDGER_KIND_BUILD))
		return error_set("'%s': unknown kind \"%.40s\"", what, e->kind);
	if (!sha256_ok(e->source_checksum))
		return error_set("'%s': build entry without a valid "
				 "source_checksum",
				 what);
	if (!e->commit || !ledger_is_oid(e->commit))
		return error_set("'%s': build entry without a full commit id",
				 what);
	if (!size || !json_number(size, &v) || v < 0 || v > 1e15 ||
	    v != (double)(long long)v)
		return error_set("'%s': \"source_size\" is not a size", what);
	e->source_size = (long long)v;
	if (!bps || json_is_null(bps))
		return 0;
	if (!json_is_array(bps) || json_array_size(bps) > BUILDPACKS_MAX)
		return error_set("'%s': \"buildpacks\" is not a list of at "
				 "most %d names",
				 what, BUILDPACKS_MAX);
	for (size_t i = 0; i < json_array_size(bps); i++) {
		const struct json *b = json_array_at(bps, i);

		if (!json_is_string(b) || !*json_string(b) ||
		    strlen(json_string(b)) > BUILDPACK_REF_MAX)
			return error_set("'%s': buildpack %zu is not a name",
					 what, i + 1);
		strvec_push(&e->buildpacks, json_string(b));
	}
	return 0;
}

int ledger_entry_parse(struct ledger_entry *e, const char *buf, size_t len,
		       const char *what)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ "slug_id", offsetof(struct ledger_entry, slug_id) },
		{ "checksum", offsetof(struct ledger_entry, checksum) },
		{ "commit", offsetof(struct ledger_entry, commit) },
		{ "time", offsetof(struct ledger_entry, time) },
		{ "release_id", offsetof(struct ledger_entry, release_id) },
		{ "status", offsetof(struct ledger_entry, status) },
		{ "state", offsetof(struct ledger_entry, state) },
		{ "attestation", offsetof(struct ledger_entry, envelope) },
		{ "public_key", offsetof(struct ledger_entry, public_key) },
		{ "keyid", offsetof(struct ledger_entry, keyid) },
		{ "kind", offsetof(struct ledger_entry, kind) },
		{ "source_checksum",
		  offsetof(struct ledger_entry, source_checksum) },
		{ "build_id", offsetof(struct ledger_entry, build_id) },
		{ "repo", offsetof(struct ledger_entry, repo) },
		{ "ref", offsetof(struct ledger_entry, ref) },
	};
	struct json *j = NULL;
	const char *fmt;
	double v = 0;
	int rc;

	ledger_entry_release(e);
	if (len > LEDGER_ENTRY_MAX)
		return error_set("'%s': entry larger than %u bytes", what,
				 LEDGER_ENTRY_MAX);
	rc = json_parse(&j, buf, len, what);
	if (rc < 0)
		goto out;
	if (!json_is_object(j)) {
		rc = error_set("'%s': entry is not a JSON object", what);
		goto out;
	}
	fmt = json_get_string(j, "format");
	if (!fmt || strcmp(fmt, ENTRY_FORMAT)) {
		rc = error_set("'%s': not a %s entry", what, ENTRY_FORMAT);
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		char **slot = (char **)(void *)((char *)e + fields[i].off);

		rc = opt_string(slot, j, fields[i].key, what);
		if (rc < 0)
			goto out;
	}
	if (!ledger_slug_id_ok(e->slug_id)) {
		rc = error_set("'%s': missing or invalid slug_id", what);
		goto out;
	}
	if (!e->state || (strcmp(e->state, LEDGER_PENDING) &&
			  strcmp(e->state, LEDGER_COMPLETE) &&
			  strcmp(e->state, LEDGER_ABANDONED))) {
		rc = error_set("'%s': missing or unknown state", what);
		goto out;
	}
	if (json_get(j, "version") && !json_is_null(json_get(j, "version"))) {
		if (!json_number(json_get(j, "version"), &v) || v < 0 ||
		    v > 1e9 || v != (double)(long)v) {
			rc = error_set("'%s': \"version\" is not a release "
				       "number",
				       what);
			goto out;
		}
		e->version = (long)v;
	}
	if (e->kind) {
		rc = parse_build(e, j, what);
		if (rc < 0)
			goto out;
	} else {
		/* a slug's entry has no build members: keep it canonical */
		free(e->source_checksum);
		free(e->build_id);
		free(e->repo);
		free(e->ref);
		e->source_checksum = e->build_id = e->repo = e->ref = NULL;
	}
out:
	if (rc < 0)
		ledger_entry_release(e);
	json_free(j);
	return rc;
}

static void add_opt(struct json *o, const char *key, const char *v)
{
	if (v)
		json_add_string(o, key, v);
	else
		json_add_null(o, key);
}

void ledger_entry_format(struct strbuf *out, const struct ledger_entry *e)
{
	struct json *o = json_new_object();
	char *text;

	json_add_string(o, "format", ENTRY_FORMAT);
	add_opt(o, "slug_id", e->slug_id);
	add_opt(o, "state", e->state ? e->state : LEDGER_COMPLETE);
	add_opt(o, "checksum", e->checksum);
	add_opt(o, "commit", e->commit);
	add_opt(o, "time", e->time);
	add_opt(o, "release_id", e->release_id);
	json_add_number(o, "version", (double)e->version);
	add_opt(o, "status", e->status);
	add_opt(o, "keyid", e->keyid);
	add_opt(o, "public_key", e->public_key);
	add_opt(o, "attestation", e->envelope);
	if (e->kind) {
		struct json *bps;

		/* Only build entries carry these: slug entries stay as v1. */
		add_opt(o, "kind", e->kind);
		add_opt(o, "source_checksum", e->source_checksum);
		json_add_number(o, "source_size", (double)e->source_size);
		add_opt(o, "build_id", e->build_id);
		add_opt(o, "repo", e->repo);
		add_opt(o, "ref", e->ref);
		bps = json_add(o, "buildpacks", json_new_array());
		for (size_t i = 0; i < e->buildpacks.nr; i++)
			json_push(bps, json_new_string(e->buildpacks.v[i]));
	}
	text = json_print(o, true);
	strbuf_addstr(out, text);
	strbuf_addch(out, '\n');
	free(text);
	json_free(o);
}

void ledger_entry_copy(struct ledger_entry *dst, const struct ledger_entry *src)
{
	ledger_entry_release(dst);
	dst->slug_id = src->slug_id ? xstrdup(src->slug_id) : NULL;
	dst->checksum = src->checksum ? xstrdup(src->checksum) : NULL;
	dst->commit = src->commit ? xstrdup(src->commit) : NULL;
	dst->time = src->time ? xstrdup(src->time) : NULL;
	dst->release_id = src->release_id ? xstrdup(src->release_id) : NULL;
	dst->version = src->version;
	dst->status = src->status ? xstrdup(src->status) : NULL;
	dst->state = xstrdup(src->state ? src->state : LEDGER_COMPLETE);
	dst->envelope = src->envelope ? xstrdup(src->envelope) : NULL;
	dst->public_key = src->public_key ? xstrdup(src->public_key) : NULL;
	dst->keyid = src->keyid ? xstrdup(src->keyid) : NULL;
	dst->kind = src->kind ? xstrdup(src->kind) : NULL;
	dst->source_checksum =
		src->source_checksum ? xstrdup(src->source_checksum) : NULL;
	dst->source_size = src->source_size;
	dst->build_id = src->build_id ? xstrdup(src->build_id) : NULL;
	dst->repo = src->repo ? xstrdup(src->repo) : NULL;
	dst->ref = src->ref ? xstrdup(src->ref) : NULL;
	for (size_t i = 0; i < src->buildpacks.nr; i++)
		strvec_push(&dst->buildpacks, src->buildpacks.v[i]);
}
