/* SPDX-License-Identifier: MIT */
/* The local release ledger: what slugguard released, per app. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "heroku-internal.h"

#include <time.h>

#define LEDGER_MAX (16u * 1024 * 1024)
#define ATTESTATION_MAX (16u * 1024 * 1024)

char *ledger_default_dir(void)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v = getenv("SLUGGUARD_LEDGER_DIR");

	if (v && *v) {
		strbuf_addstr(&sb, v);
	} else if ((v = getenv("XDG_DATA_HOME")) && *v == '/') {
		strbuf_addf(&sb, "%s/slugguard/ledger", v);
	} else {
		v = getenv("HOME");
		strbuf_addf(&sb, "%s/.local/share/slugguard/ledger",
			    v && *v ? v : ".");
	}
	return strbuf_detach(&sb, NULL);
}

static bool app_name_ok(const char *app)
{
	if (!*app || strlen(app) > 100 || app[0] == '.')
		return false;
	for (const char *p = app; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		      *p == '.'))
			return false;
	return true;
}

static void entry_release(struct ledger_entry *e)
{
	free(e->slug_id);
	free(e->checksum);
	free(e->attestation);
	free(e->commit);
	free(e->time);
	free(e->release_id);
	free(e->status);
	memset(e, 0, sizeof(*e));
}

void ledger_release(struct ledger *l)
{
	for (size_t i = 0; i < l->nr; i++)
		entry_release(&l->entries[i]);
	free(l->entries);
	free(l->dir);
	free(l->app);
	memset(l, 0, sizeof(*l));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

int ledger_load(struct ledger *l, const char *dir, const char *app)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct json *j = NULL;
	const struct json *arr;
	int rc = 0;

	ledger_release(l);
	if (!app_name_ok(app))
		return error_set("invalid app name '%s'", app);
	l->dir = dir ? xstrdup(dir) : ledger_default_dir();
	l->app = xstrdup(app);
	strbuf_addf(&path, "%s/%s.json", l->dir, app);
	rc = fs_read_capped(&text, path.buf, LEDGER_MAX);
	if (rc == ERR_NOTFOUND) {
		error_clear();
		rc = 0;
		goto out;
	}
	if (rc < 0)
		goto out;
	rc = json_parse(&j, text.buf, text.len, path.buf);
	if (rc < 0)
		goto out;
	arr = json_get(j, "entries");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const struct json *e = json_array_at(arr, i);
		struct ledger_entry *n;
		long long v = 0;

		if (!json_get_string(e, "slug_id"))
			continue;
		ALLOC_GROW(l->entries, l->nr + 1, l->alloc);
		n = &l->entries[l->nr++];
		memset(n, 0, sizeof(*n));
		n->slug_id = xstrdup(json_get_string(e, "slug_id"));
		n->checksum = dup_or_null(json_get_string(e, "checksum"));
		n->attestation = dup_or_null(json_get_string(e, "attestation"));
		n->commit = dup_or_null(json_get_string(e, "commit"));
		n->time = dup_or_null(json_get_string(e, "time"));
		n->release_id = dup_or_null(json_get_string(e, "release_id"));
		n->status = dup_or_null(json_get_string(e, "status"));
		if (heroku_json_integer(json_get(e, "version"), &v))
			n->version = (long)v;
	}
out:
	json_free(j);
	strbuf_release(&text);
	strbuf_release(&path);
	return rc;
}

const struct ledger_entry *ledger_find_slug(const struct ledger *l,
					    const char *slug_id)
{
	if (!slug_id)
		return NULL;
	/* Newest first: a later entry for the same slug wins. */
	for (size_t i = l->nr; i-- > 0;)
		if (!strcmp(l->entries[i].slug_id, slug_id))
			return &l->entries[i];
	return NULL;
}

static void add_opt(struct json *o, const char *key, const char *v)
{
	if (v)
		json_add_string(o, key, v);
	else
		json_add_null(o, key);
}

int ledger_save(const struct ledger *l)
{
	struct strbuf path = STRBUF_INIT;
	struct json *root = json_new_object();
	struct json *arr;
	char *text = NULL;
	int rc;

	json_add_string(root, "app", l->app);
	arr = json_add(root, "entries", json_new_array());
	for (size_t i = 0; i < l->nr; i++) {
		const struct ledger_entry *e = &l->entries[i];
		struct json *o = json_push(arr, json_new_object());

		add_opt(o, "slug_id", e->slug_id);
		add_opt(o, "checksum", e->checksum);
		add_opt(o, "attestation", e->attestation);
		add_opt(o, "commit", e->commit);
		add_opt(o, "time", e->time);
		add_opt(o, "release_id", e->release_id);
		json_add_number(o, "version", (double)e->version);
		add_opt(o, "status", e->status);
	}
	text = json_print(root, true);
	rc = fs_mkdir_p(l->dir, 0700);
	if (rc < 0)
		goto out;
	strbuf_addf(&path, "%s/%s.json", l->dir, l->app);
	rc = fs_write_atomic(path.buf, text, strlen(text), 0600);
out:
	free(text);
	json_free(root);
	strbuf_release(&path);
	return rc;
}

static bool slug_id_ok(const char *id)
{
	if (!*id || strlen(id) > 100)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

int ledger_record(struct ledger *l, const struct ledger_entry *e)
{
	struct strbuf dir = STRBUF_INIT, dst = STRBUF_INIT, buf = STRBUF_INIT;
	struct ledger_entry *n = NULL;
	char when[32] = "";
	int rc = 0;

	if (!e->slug_id || !slug_id_ok(e->slug_id))
		return error_set("ledger: invalid slug id");
	if (e->attestation) {
		strbuf_addf(&dir, "%s/%s", l->dir, l->app);
		rc = fs_mkdir_p(dir.buf, 0700);
		if (rc < 0)
			goto out;
		strbuf_addf(&dst, "%s/%s.intoto.json", dir.buf, e->slug_id);
		if (strcmp(dst.buf, e->attestation)) {
			rc = fs_read_capped(&buf, e->attestation,
					    ATTESTATION_MAX);
			if (rc < 0)
				goto out;
			rc = fs_write_atomic(dst.buf, buf.buf, buf.len, 0600);
			if (rc < 0)
				goto out;
		}
	}
	if (!e->time) {
		time_t t = time(NULL);
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	for (size_t i = 0; i < l->nr; i++)
		if (!strcmp(l->entries[i].slug_id, e->slug_id))
			n = &l->entries[i];
	if (!n) {
		ALLOC_GROW(l->entries, l->nr + 1, l->alloc);
		n = &l->entries[l->nr++];
		memset(n, 0, sizeof(*n));
	} else {
		entry_release(n);
	}
	n->slug_id = xstrdup(e->slug_id);
	n->checksum = dup_or_null(e->checksum);
	n->attestation = e->attestation ? xstrdup(dst.buf) : NULL;
	n->commit = dup_or_null(e->commit);
	n->time = xstrdup(e->time ? e->time : when);
	n->release_id = dup_or_null(e->release_id);
	n->version = e->version;
	n->status = dup_or_null(e->status);
	rc = ledger_save(l);
out:
	strbuf_release(&buf);
	strbuf_release(&dst);
	strbuf_release(&dir);
	return rc;
}
