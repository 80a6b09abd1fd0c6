/* SPDX-License-Identifier: MIT */
/* Platform API endpoints: apps, buildpacks, config vars, slugs, releases. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "heroku-internal.h"

#include <strings.h>
#include <time.h>

void heroku_app_path(struct strbuf *sb, const char *app, const char *rest)
{
	strbuf_addstr(sb, "/apps/");
	heroku_path_escape(sb, app);
	if (rest)
		strbuf_addstr(sb, rest);
}

static int expect(const struct json *j, bool array, const char *what)
{
	if (array ? !json_is_array(j) : !json_is_object(j))
		return error_set("heroku: unexpected reply to '%s'", what);
	return 0;
}

/* heroku_call() whose reply must be a JSON object (or, with array, an
 * array); *j is the caller's to free either way. */
static int call_json(struct heroku *h, struct json **j, const char *method,
		     const char *path, const struct json *body, bool array)
{
	int rc = heroku_call(h, j, method, path, body);

	if (rc < 0)
		return rc;
	return expect(*j, array, path);
}

/*
 * GET /apps/{app}{rest}{id} (id escaped; rest and id may be NULL): the
 * reply as a JSON object (array: an array), *j the caller's to free
 * either way. Every endpoint that only reads goes through here.
 */
static int get_app(struct heroku *h, struct json **j, const char *app,
		   const char *rest, const char *id, bool array)
{
	struct strbuf path = STRBUF_INIT;
	int rc;

	heroku_app_path(&path, app, rest);
	if (id)
		heroku_path_escape(&path, id);
	rc = call_json(h, j, "GET", path.buf, NULL, array);
	strbuf_release(&path);
	return rc;
}

/* ---- apps -------------------------------------------------------------- */

bool heroku_json_integer(const struct json *j, long long *out)
{
	double d;

	/* The range test is false for NaN too; outside it, the conversion
	 * would be undefined behaviour (a response is outside input). */
	if (!json_number(j, &d) ||
	    !(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
		return false;
	*out = (long long)d;
	return true;
}

void heroku_app_release(struct heroku_app *a)
{
	free(a->id);
	free(a->name);
	free(a->stack);
	free(a->generation);
	memset(a, 0, sizeof(*a));
}

int heroku_app_get(struct heroku *h, struct heroku_app *out, const char *app)
{
	struct json *j = NULL;
	int rc;

	heroku_app_release(out);
	rc = get_app(h, &j, app, NULL, NULL, false);
	if (rc < 0)
		goto out;
	out->id = xstrdup_or_null(json_get_string(j, "id"));
	out->name = xstrdup_or_null(json_get_string(j, "name"));
	out->stack =
		xstrdup_or_null(json_get_string(json_get(j, "stack"), "name"));
	out->generation = xstrdup_or_null(
		json_get_string(json_get(j, "generation"), "name"));
	if (!out->generation)
		out->generation =
			xstrdup_or_null(json_get_string(j, "generation"));
out:
	json_free(j);
	return rc;
}

bool heroku_app_is_fir(const struct heroku_app *a)
{
	return (a->generation && !strcasecmp(a->generation, "fir")) ||
	       (a->stack && !strcasecmp(a->stack, "cnb"));
}

int heroku_app_from_git_url(struct strbuf *out, const char *url)
{
	static const char *const prefixes[] = {
		"https://git.heroku.com/",
		"ssh://git@heroku.com/",
		"git@heroku.com:",
	};
	const char *name = NULL;
	size_t len;

	for (size_t i = 0; i < ARRAY_SIZE(prefixes) && !name; i++)
		if (starts_with(url, prefixes[i]))
			name = url + strlen(prefixes[i]);
	if (!name)
		return ERR_NOTFOUND;
	len = strlen(name);
	if (len > 4 && !strcmp(name + len - 4, ".git"))
		len -= 4;
	/* Heroku app names: lowercase letters, digits and dashes. */
	if (!len || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") < len)
		return ERR_NOTFOUND;
	strbuf_add(out, name, len);
	return 0;
}

/* ---- buildpacks -------------------------------------------------------- */

int heroku_buildpacks_get(struct heroku *h, struct strvec *urls,
			  struct strvec *names, const char *app)
{
	struct json *j = NULL;
	size_t n;
	int rc;

	strvec_clear(urls);
	if (names)
		strvec_clear(names);
	rc = get_app(h, &j, app, "/buildpack-installations", NULL, true);
	if (rc < 0)
		goto out;
	n = json_array_size(j);
	/* Place each by its ordinal; the array order is not promised. */
	for (size_t want = 0; want < n; want++) {
		const struct json *hit = NULL;

		for (size_t i = 0; i < n; i++) {
			const struct json *e = json_array_at(j, i);
			double ord;

			if (json_number(json_get(e, "ordinal"), &ord) &&
			    ord == (double)want)
				hit = e;
		}
		if (!hit)
			hit = json_array_at(j, want);
		{
			const struct json *bp = json_get(hit, "buildpack");
			const char *url = json_get_string(bp, "url");
			const char *name = json_get_string(bp, "name");

			strvec_push(urls, url ? url : (name ? name : ""));
			if (names)
				strvec_push(names, name ? name : "");
		}
	}
out:
	json_free(j);
	return rc;
}

int heroku_buildpacks_set(struct heroku *h, const char *app,
			  const char *const *urls, size_t nr)
{
	struct strbuf path = STRBUF_INIT;
	struct json *body = json_new_object();
	struct json *updates = json_add(body, "updates", json_new_array());
	int rc;

	for (size_t i = 0; i < nr; i++) {
		struct json *u = json_push(updates, json_new_object());

		json_add_string(u, "buildpack", urls[i]);
	}
	heroku_app_path(&path, app, "/buildpack-installations");
	rc = heroku_call(h, NULL, "PUT", path.buf, body);
	json_free(body);
	strbuf_release(&path);
	return rc;
}

void heroku_buildpack_canonical(struct strbuf *sb, const char *ref)
{
	static const char gh[] = "https://github.com/heroku/heroku-buildpack-";
	size_t start = sb->len;
	const char *p = ref;
	size_t len;

	if (starts_with(p, "urn:buildpack:"))
		p += strlen("urn:buildpack:");
	len = strlen(p);
	while (len && p[len - 1] == '/')
		len--;
	if (len > 4 && !memcmp(p + len - 4, ".git", 4))
		len -= 4;
	if (len > strlen(gh) && !strncasecmp(p, gh, strlen(gh))) {
		strbuf_addstr(sb, "heroku/");
		strbuf_add(sb, p + strlen(gh), len - strlen(gh));
	} else {
		strbuf_add(sb, p, len);
	}
	/* Host names and the heroku/ shorthand are case-insensitive. */
	for (size_t i = start; i < sb->len; i++)
		if (sb->buf[i] >= 'A' && sb->buf[i] <= 'Z')
			sb->buf[i] = (char)(sb->buf[i] - 'A' + 'a');
}

bool heroku_buildpack_same(const char *a, const char *b)
{
	struct strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	bool same;

	heroku_buildpack_canonical(&x, a);
	heroku_buildpack_canonical(&y, b);
	same = !strcmp(x.buf, y.buf);
	strbuf_release(&x);
	strbuf_release(&y);
	return same;
}

/* ---- config vars and formation ----------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int heroku_config_var_names(struct heroku *h, struct strvec *names,
			    const char *app)
{
	struct strvec values = STRVEC_INIT, none = STRVEC_INIT;
	int rc = heroku_config_vars(h, names, &values, app);

	/* Only the names are wanted: the values are wiped at once. */
	heroku_config_vars_clear(&none, &values);
	if (!rc)
		qsort(names->v, names->nr, sizeof(*names->v), cmp_str);
	return rc;
}

int heroku_config_vars(struct heroku *h, struct strvec *names,
		       struct strvec *values, const char *app)
{
	struct strbuf path = STRBUF_INIT;
	struct heroku_resp r = HEROKU_RESP_INIT;
	struct json *j = NULL;
	int rc;

	heroku_config_vars_clear(names, values);
	heroku_app_path(&path, app, "/config-vars");
	rc = heroku_call_ex(h, NULL, "GET", path.buf, NULL, NULL, &r, NULL,
			    NULL);
	if (rc < 0)
		goto out;
	rc = json_parse(&j, r.body.buf, r.body.len, path.buf);
	if (rc < 0)
		goto out;
	rc = expect(j, false, path.buf);
	if (rc < 0)
		goto out;
	for (struct json *e = json_child(j); e; e = json_next(e)) {
		const char *v = json_string(e);

		/* null unsets a var in a PATCH; a GET has none, but a
		 * value that is not a string is no config var */
		if (!v)
			continue;
		strvec_push(names, json_key(e));
		strvec_push(values, v);
		heroku_wipe((void *)(uintptr_t)v, strlen(v));
	}
out:
	if (rc < 0)
		heroku_config_vars_clear(names, values);
	json_free(j);
	heroku_wipe(r.body.buf, r.body.len);
	heroku_resp_release(&r);
	strbuf_release(&path);
	return rc;
}

void heroku_config_vars_clear(struct strvec *names, struct strvec *values)
{
	for (size_t i = 0; i < values->nr; i++)
		heroku_wipe((void *)(uintptr_t)values->v[i],
			    strlen(values->v[i]));
	strvec_clear(values);
	strvec_clear(names);
}

const char *heroku_api_key(const struct heroku *h)
{
	return h ? h->key : NULL;
}

int heroku_formation_get(struct heroku *h, struct heroku_formation **out,
			 size_t *nr, const char *app)
{
	struct heroku_formation *f = NULL;
	struct json *j = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	rc = get_app(h, &j, app, "/formation", NULL, true);
	if (rc < 0)
		goto out;
	n = json_array_size(j);
	f = xcalloc(n ? n : 1, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		const struct json *e = json_array_at(j, i);
		const char *size =
			json_get_string(json_get(e, "dyno_size"), "name");
		long long q = 0;

		f[i].type = xstrdup_or_null(json_get_string(e, "type"));
		if (!f[i].type)
			f[i].type = xstrdup("");
		if (heroku_json_integer(json_get(e, "quantity"), &q))
			f[i].quantity = (long)q;
		if (!size)
			size = json_get_string(e, "size");
		f[i].size = xstrdup_or_null(size);
	}
	*out = f;
	*nr = n;
	f = NULL;
out:
	heroku_formation_free(f, n);
	json_free(j);
	return rc;
}

void heroku_formation_free(struct heroku_formation *f, size_t nr)
{
	if (!f)
		return;
	for (size_t i = 0; i < nr; i++) {
		free(f[i].type);
		free(f[i].size);
	}
	free(f);
}

/* ---- slugs ------------------------------------------------------------- */

void heroku_slug_release(struct heroku_slug *s)
{
	free(s->id);
	free(s->blob_url);
	free(s->blob_method);
	free(s->checksum);
	free(s->commit);
	memset(s, 0, sizeof(*s));
	s->size = -1;
}

void heroku_slug_from_json(struct heroku_slug *s, const struct json *j)
{
	const struct json *blob = json_get(j, "blob");

	heroku_slug_release(s);
	s->id = xstrdup_or_null(json_get_string(j, "id"));
	s->blob_url = xstrdup_or_null(json_get_string(blob, "url"));
	s->blob_method = xstrdup_or_null(json_get_string(blob, "method"));
	s->checksum = xstrdup_or_null(json_get_string(j, "checksum"));
	s->commit = xstrdup_or_null(json_get_string(j, "commit"));
	heroku_json_integer(json_get(j, "size"), &s->size);
}

int heroku_slug_create(struct heroku *h, struct heroku_slug *out,
		       const char *app, const struct json *req)
{
	struct strbuf path = STRBUF_INIT;
	struct json *j = NULL;
	int rc;

	heroku_slug_release(out);
	heroku_app_path(&path, app, "/slugs");
	/* A retried POST /slugs at worst leaves an unused slug behind. */
	rc = call_json(h, &j, "POST", path.buf, req, false);
	if (rc < 0)
		goto out;
	heroku_slug_from_json(out, j);
	if (!out->id || !out->blob_url) {
		rc = error_set("heroku: slug reply without id or blob url");
		goto out;
	}
out:
	json_free(j);
	strbuf_release(&path);
	return rc;
}

int heroku_slug_get(struct heroku *h, struct heroku_slug *out, const char *app,
		    const char *id)
{
	struct json *j = NULL;
	int rc;

	heroku_slug_release(out);
	rc = get_app(h, &j, app, "/slugs/", id, false);
	if (!rc)
		heroku_slug_from_json(out, j);
	json_free(j);
	return rc;
}

/* ---- releases ---------------------------------------------------------- */

void heroku_release_release(struct heroku_release *r)
{
	free(r->id);
	free(r->status);
	free(r->description);
	free(r->slug_id);
	free(r->created_at);
	free(r->output_stream_url);
	memset(r, 0, sizeof(*r));
}

void heroku_releases_free(struct heroku_release *r, size_t nr)
{
	if (!r)
		return;
	for (size_t i = 0; i < nr; i++)
		heroku_release_release(&r[i]);
	free(r);
}

void heroku_release_from_json(struct heroku_release *r, const struct json *j)
{
	long long v = 0;
	bool b;

	heroku_release_release(r);
	r->id = xstrdup_or_null(json_get_string(j, "id"));
	if (heroku_json_integer(json_get(j, "version"), &v))
		r->version = (long)v;
	r->status = xstrdup_or_null(json_get_string(j, "status"));
	if (json_bool(json_get(j, "current"), &b))
		r->current = b;
	if (json_bool(json_get(j, "eligible_for_rollback"), &b))
		r->eligible_for_rollback = b;
	r->description = xstrdup_or_null(json_get_string(j, "description"));
	r->slug_id =
		xstrdup_or_null(json_get_string(json_get(j, "slug"), "id"));
	r->created_at = xstrdup_or_null(json_get_string(j, "created_at"));
	r->output_stream_url =
		xstrdup_or_null(json_get_string(j, "output_stream_url"));
}

int heroku_release_get(struct heroku *h, struct heroku_release *out,
		       const char *app, const char *id_or_version)
{
	struct json *j = NULL;
	int rc;

	heroku_release_release(out);
	rc = get_app(h, &j, app, "/releases/", id_or_version, false);
	if (!rc)
		heroku_release_from_json(out, j);
	json_free(j);
	return rc;
}

int heroku_releases_list(struct heroku *h, struct heroku_release **out,
			 size_t *nr, const char *app)
{
	struct strbuf path = STRBUF_INIT;
	struct heroku_resp r = HEROKU_RESP_INIT;
	struct heroku_release *rel = NULL;
	char *range = xstrdup("version ..; order=desc, max=200");
	size_t n = 0, alloc = 0;
	int rc = 0;

	*out = NULL;
	*nr = 0;
	heroku_app_path(&path, app, "/releases");
	for (unsigned page = 0;; page++) {
		struct json *j = NULL;

		if (page > 100000) {
			rc = error_set("heroku: too many release pages");
			goto out;
		}
		rc = heroku_call_ex(h, &j, "GET", path.buf, NULL, range, &r,
				    NULL, NULL);
		if (rc < 0)
			goto out;
		if (!json_is_array(j)) {
			json_free(j);
			rc = expect(NULL, true, path.buf);
			goto out;
		}
		for (size_t i = 0; i < json_array_size(j); i++) {
			ALLOC_GROW(rel, n + 1, alloc);
			memset(&rel[n], 0, sizeof(rel[n]));
			heroku_release_from_json(&rel[n], json_array_at(j, i));
			n++;
		}
		json_free(j);
		if (r.status != 206 || !r.next_range)
			break;
		free(range);
		range = r.next_range;
		r.next_range = NULL;
	}
	*out = rel;
	*nr = n;
	rel = NULL;
out:
	heroku_releases_free(rel, n);
	heroku_resp_release(&r);
	free(range);
	strbuf_release(&path);
	return rc;
}

/*
 * The duplicate guard. Before re-sending a POST that creates a release,
 * look for a release made after we started that carries our slug and our
 * description (or, for a rollback, "Rollback to vN").
 */
struct release_probe {
	const char *app;
	const char *slug_id;
	const char *description;
	long min_version; /* only releases newer than this are ours */
	struct heroku_release found;
};

static int probe_release(struct heroku *h, void *data, bool *done)
{
	struct release_probe *p = data;
	struct heroku_release *list = NULL;
	size_t n = 0;
	int rc;

	*done = false;
	rc = heroku_releases_list(h, &list, &n, p->app);
	if (rc < 0) {
		/* Cannot tell: refuse to risk a second release. */
		error_wrap(rc, "heroku: cannot tell whether the release was "
			       "created");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct heroku_release *r = &list[i];

		if (r->version <= p->min_version || !r->slug_id ||
		    strcmp(r->slug_id, p->slug_id))
			continue;
		if (p->description &&
		    (!r->description || strcmp(r->description, p->description)))
			continue;
		heroku_release_release(&p->found);
		p->found = *r;
		memset(r, 0, sizeof(*r));
		*done = true;
		break;
	}
out:
	heroku_releases_free(list, n);
	return rc;
}

static long newest_version(struct heroku *h, const char *app)
{
	struct strbuf path = STRBUF_INIT;
	struct json *j = NULL;
	long long v = 0;

	/* One release, the newest: the Range orders by version. */
	heroku_app_path(&path, app, "/releases");
	if (heroku_call_ex(h, &j, "GET", path.buf, NULL,
			   "version ..; order=desc, max=1", NULL, NULL,
			   NULL) < 0) {
		error_clear();
		v = -1;
	} else if (json_array_size(j)) {
		heroku_json_integer(json_get(json_array_at(j, 0), "version"),
				    &v);
	}
	json_free(j);
	strbuf_release(&path);
	return (long)v;
}

static int release_post(struct heroku *h, struct heroku_release *out,
			const char *app, struct json *body,
			struct release_probe *probe)
{
	struct strbuf path = STRBUF_INIT;
	struct heroku_resp r = HEROKU_RESP_INIT;
	struct json *j = NULL;
	int rc;

	heroku_release_release(out);
	probe->min_version = newest_version(h, app);
	heroku_app_path(&path, app, "/releases");
	rc = heroku_call_ex(h, &j, "POST", path.buf, body, NULL, &r,
			    probe_release, probe);
	if (rc < 0)
		goto out;
	if (!r.status) {
		*out = probe->found;
		memset(&probe->found, 0, sizeof(probe->found));
		goto out;
	}
	rc = expect(j, false, path.buf);
	if (rc < 0)
		goto out;
	heroku_release_from_json(out, j);
out:
	heroku_release_release(&probe->found);
	heroku_resp_release(&r);
	json_free(j);
	strbuf_release(&path);
	return rc;
}

int heroku_release_create(struct heroku *h, struct heroku_release *out,
			  const char *app, const char *slug_id,
			  const char *description)
{
	struct release_probe probe = { app, slug_id, description, 0,
				       HEROKU_RELEASE_INIT };
	struct json *body = json_new_object();
	int rc;

	json_add_string(body, "slug", slug_id);
	if (description)
		json_add_string(body, "description", description);
	rc = release_post(h, out, app, body, &probe);
	json_free(body);
	return rc;
}

int heroku_rollback(struct heroku *h, struct heroku_release *out,
		    const char *app, const char *release_id)
{
	struct heroku_release target = HEROKU_RELEASE_INIT;
	struct release_probe probe = { app, NULL, NULL, 0,
				       HEROKU_RELEASE_INIT };
	struct strbuf desc = STRBUF_INIT;
	struct json *body = NULL;
	int rc;

	rc = heroku_release_get(h, &target, app, release_id);
	if (rc < 0)
		goto out;
	if (!target.slug_id) {
		rc = error_set("heroku: release v%ld has no slug",
			       target.version);
		goto out;
	}
	strbuf_addf(&desc, "Rollback to v%ld", target.version);
	probe.slug_id = target.slug_id;
	probe.description = desc.buf;
	body = json_new_object();
	json_add_string(body, "release", target.id);
	rc = release_post(h, out, app, body, &probe);
out:
	json_free(body);
	strbuf_release(&desc);
	heroku_release_release(&target);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int heroku_release_follow(struct heroku *h, struct heroku_release *rel,
			  const char *app, long poll_ms, long timeout_ms,
			  heroku_output_fn fn, void *data)
{
	long long deadline = now_ms() + timeout_ms;
	bool streamed = !rel->output_stream_url || !fn;
	char *id = xstrdup(rel->id ? rel->id : "");
	int rc = 0;

	while (rel->status && !strcmp(rel->status, "pending")) {
		if (!streamed) {
			long status = 0;

			/* The stream ends when the release command does;
			 * a 404 means it has not started yet. */
			rc = heroku_get_stream(h, rel->output_stream_url,
					       deadline - now_ms(), fn, data,
					       &status);
			if (rc < 0)
				error_clear(); /* the poll below decides */
			rc = 0;
			if (status >= 200 && status < 300)
				streamed = true;
		}
		if (now_ms() >= deadline) {
			rc = error_set("heroku: release v%ld still pending "
				       "after %ld s",
				       rel->version, timeout_ms / 1000);
			goto out;
		}
		heroku_sleep_ms(poll_ms);
		rc = heroku_release_get(h, rel, app, id);
		if (rc < 0)
			goto out;
	}
out:
	free(id);
	return rc;
}
