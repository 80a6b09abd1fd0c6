/* SPDX-License-Identifier: MIT */
/*
 * The Build API: sources, builds, following a build, downloading the slug
 * it made, and the config var values that build output must not show.
 * Kept apart from api.c (slugs and releases) on purpose: a build is a
 * second way to a release, with its own duplicate guard.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "heroku-internal.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static char *dup_str(const struct json *j, const char *key)
{
	const char *s = json_get_string(j, key);

	return s ? xstrdup(s) : NULL;
}

/* ---- sources ----------------------------------------------------------- */

void heroku_source_release(struct heroku_source *s)
{
	free(s->get_url);
	free(s->put_url);
	s->get_url = s->put_url = NULL;
}

int heroku_source_create(struct heroku *h, struct heroku_source *out,
			 const char *app)
{
	struct strbuf path = STRBUF_INIT;
	struct json *j = NULL;
	const struct json *blob;
	int rc;

	heroku_source_release(out);
	heroku_app_path(&path, app, "/sources");
	/* A retried POST /sources at worst leaves an unused upload slot. */
	rc = heroku_call(h, &j, "POST", path.buf, NULL);
	if (rc < 0)
		goto out;
	blob = json_get(j, "source_blob");
	out->get_url = dup_str(blob, "get_url");
	out->put_url = dup_str(blob, "put_url");
	if (!out->get_url || !out->put_url) {
		heroku_source_release(out);
		rc = error_set("heroku: '%s' replied without "
			       "source_blob.get_url and put_url",
			       path.buf);
	}
out:
	json_free(j);
	strbuf_release(&path);
	return rc;
}

/* ---- builds ------------------------------------------------------------ */

void heroku_build_release(struct heroku_build *b)
{
	free(b->id);
	free(b->status);
	free(b->output_stream_url);
	free(b->slug_id);
	free(b->release_id);
	free(b->stack);
	free(b->checksum);
	free(b->version);
	strvec_clear(&b->buildpacks);
	b->id = b->status = b->output_stream_url = b->slug_id = NULL;
	b->release_id = b->stack = b->checksum = b->version = NULL;
}

void heroku_builds_free(struct heroku_build *b, size_t nr)
{
	if (!b)
		return;
	for (size_t i = 0; i < nr; i++)
		heroku_build_release(&b[i]);
	free(b);
}

void heroku_build_from_json(struct heroku_build *b, const struct json *j)
{
	const struct json *src = json_get(j, "source_blob");
	const struct json *bps = json_get(j, "buildpacks");
	const struct json *stack = json_get(j, "stack");

	heroku_build_release(b);
	b->id = dup_str(j, "id");
	b->status = dup_str(j, "status");
	b->output_stream_url = dup_str(j, "output_stream_url");
	b->slug_id = dup_str(json_get(j, "slug"), "id");
	b->release_id = dup_str(json_get(j, "release"), "id");
	/* "stack" is a name in the schema, an object in some replies. */
	b->stack = json_is_string(stack) ? xstrdup(json_string(stack)) :
					   dup_str(stack, "name");
	b->checksum = dup_str(src, "checksum");
	b->version = dup_str(src, "version");
	for (size_t i = 0; i < json_array_size(bps); i++) {
		const struct json *e = json_array_at(bps, i);
		const char *u = json_get_string(e, "url");

		if (!u)
			u = json_get_string(e, "name");
		if (u)
			strvec_push(&b->buildpacks, u);
	}
}

int heroku_build_get(struct heroku *h, struct heroku_build *out,
		     const char *app, const char *id)
{
	struct strbuf path = STRBUF_INIT;
	struct json *j = NULL;
	int rc;

	heroku_build_release(out);
	heroku_app_path(&path, app, "/builds/");
	heroku_path_escape(&path, id);
	rc = heroku_call(h, &j, "GET", path.buf, NULL);
	if (rc < 0)
		goto out;
	if (!json_is_object(j)) {
		rc = error_set("heroku: unexpected reply to '%s'", path.buf);
		goto out;
	}
	heroku_build_from_json(out, j);
out:
	json_free(j);
	strbuf_release(&path);
	return rc;
}

int heroku_builds_list(struct heroku *h, struct heroku_build **out, size_t *nr,
		       const char *app)
{
	struct strbuf path = STRBUF_INIT;
	struct heroku_build *v = NULL;
	struct json *j = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*nr = 0;
	heroku_app_path(&path, app, "/builds");
	rc = heroku_call(h, &j, "GET", path.buf, NULL);
	if (rc < 0)
		goto out;
	if (!json_is_array(j)) {
		rc = error_set("heroku: unexpected reply to '%s'", path.buf);
		goto out;
	}
	n = json_array_size(j);
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		strvec_init(&v[i].buildpacks);
		heroku_build_from_json(&v[i], json_array_at(j, i));
	}
	*out = v;
	*nr = n;
	v = NULL;
out:
	heroku_builds_free(v, n);
	json_free(j);
	strbuf_release(&path);
	return rc;
}

/*
 * The duplicate guard: the ids of the builds that existed before our
 * POST, and, after a lost reply, a new one with our checksum and version.
 */
struct build_probe {
	const char *app;
	const struct heroku_build_req *req;
	struct strvec before;
	struct heroku_build found;
};

static bool seen_before(const struct build_probe *p, const char *id)
{
	for (size_t i = 0; i < p->before.nr; i++)
		if (!strcmp(p->before.v[i], id))
			return true;
	return false;
}

static int probe_build(struct heroku *h, void *data, bool *done)
{
	struct build_probe *p = data;
	struct heroku_build *list = NULL;
	size_t n = 0;
	int rc;

	*done = false;
	rc = heroku_builds_list(h, &list, &n, p->app);
	if (rc < 0) {
		/* Cannot tell: refuse to risk a second build. */
		error_wrap(rc, "heroku: cannot tell whether the build was "
			       "started");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct heroku_build *b = &list[i];

		if (!b->id || seen_before(p, b->id) || !b->checksum ||
		    !b->version || strcmp(b->checksum, p->req->checksum) ||
		    strcmp(b->version, p->req->version))
			continue;
		heroku_build_release(&p->found);
		p->found = *b;
		memset(b, 0, sizeof(*b));
		strvec_init(&b->buildpacks);
		*done = true;
		break;
	}
out:
	heroku_builds_free(list, n);
	return rc;
}

static struct json *build_body(const struct heroku_build_req *req)
{
	struct json *body = json_new_object();
	struct json *src = json_add(body, "source_blob", json_new_object());

	json_add_string(src, "url", req->source_url);
	json_add_string(src, "checksum", req->checksum);
	json_add_string(src, "version", req->version);
	if (req->description)
		json_add_string(src, "version_description", req->description);
	if (req->nr_buildpacks) {
		struct json *bps =
			json_add(body, "buildpacks", json_new_array());

		for (size_t i = 0; i < req->nr_buildpacks; i++)
			json_add_string(json_push(bps, json_new_object()),
					"url", req->buildpacks[i]);
	}
	return body;
}

int heroku_build_create(struct heroku *h, struct heroku_build *out,
			const char *app, const struct heroku_build_req *req)
{
	struct build_probe probe = { app, req, STRVEC_INIT, HEROKU_BUILD_INIT };
	struct strbuf path = STRBUF_INIT;
	struct heroku_resp r = HEROKU_RESP_INIT;
	struct heroku_build *list = NULL;
	struct json *body = build_body(req), *j = NULL;
	size_t n = 0;
	int rc;

	heroku_build_release(out);
	rc = heroku_builds_list(h, &list, &n, app);
	if (rc < 0) {
		error_wrap(rc,
			   "heroku: listing the builds of '%s' before "
			   "starting one",
			   app);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (list[i].id)
			strvec_push(&probe.before, list[i].id);
	heroku_app_path(&path, app, "/builds");
	rc = heroku_call_ex(h, &j, "POST", path.buf, body, NULL, &r,
			    probe_build, &probe);
	if (rc < 0)
		goto out;
	if (!r.status) {
		/* The lost reply's build: found by the probe, not re-sent. */
		*out = probe.found;
		memset(&probe.found, 0, sizeof(probe.found));
		strvec_init(&probe.found.buildpacks);
		goto out;
	}
	if (!json_is_object(j)) {
		rc = error_set("heroku: unexpected reply to '%s'", path.buf);
		goto out;
	}
	heroku_build_from_json(out, j);
	if (!out->id)
		rc = error_set("heroku: build reply without an id");
out:
	heroku_build_release(&probe.found);
	strvec_clear(&probe.before);
	heroku_builds_free(list, n);
	heroku_resp_release(&r);
	json_free(body);
	json_free(j);
	strbuf_release(&path);
	return rc;
}

static long long clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int heroku_build_follow(struct heroku *h, struct heroku_build *b,
			const char *app, long poll_ms, long timeout_ms,
			heroku_output_fn fn, void *data, bool *stream_ok)
{
	long long deadline = clock_ms() + timeout_ms;
	char *id = xstrdup(b->id ? b->id : "");
	int rc = 0;

	if (stream_ok)
		*stream_ok = false;
	if (fn && b->output_stream_url) {
		long status = 0;

		/* The stream ends when the build does. */
		rc = heroku_get_stream(h, b->output_stream_url, timeout_ms, fn,
				       data, &status);
		if (!rc && status >= 200 && status < 300 && stream_ok)
			*stream_ok = true;
		error_clear(); /* the status below decides */
		rc = 0;
	}
	while (b->status && !strcmp(b->status, "pending")) {
		if (clock_ms() >= deadline) {
			rc = error_set("heroku: build %s still pending after "
				       "%ld s",
				       id, timeout_ms / 1000);
			goto out;
		}
		nap_ms(poll_ms < deadline - clock_ms() ? poll_ms :
							 deadline - clock_ms());
		rc = heroku_build_get(h, b, app, id);
		if (rc < 0)
			goto out;
	}
out:
	free(id);
	return rc;
}

int heroku_build_output(struct heroku *h, const struct heroku_build *b,
			long timeout_ms, heroku_output_fn fn, void *data)
{
	long status = 0;
	int rc;

	if (!b->output_stream_url)
		return error_set("heroku: build %s has no output stream",
				 b->id ? b->id : "?");
	rc = heroku_get_stream(h, b->output_stream_url, timeout_ms, fn, data,
			       &status);
	if (!rc && (status < 200 || status > 299))
		rc = error_set("heroku: HTTP %ld from the output stream of "
			       "build %s",
			       status, b->id ? b->id : "?");
	return rc;
}

/* ---- slug download ----------------------------------------------------- */

struct download {
	int fd;
	uint64_t got, max;
	struct sign_sha256 *sha;
	bool too_big, write_error;
	int err;
};

static void download_sink(const char *buf, size_t len, void *data)
{
	struct download *d = data;

	if (d->too_big || d->write_error)
		return;
	if (len > d->max - d->got) {
		d->too_big = true;
		return;
	}
	if (fs_write_all(d->fd, buf, len) < 0) {
		d->write_error = true;
		d->err = errno;
		return;
	}
	sign_sha256_update(d->sha, buf, len);
	d->got += len;
}

int heroku_blob_download(struct heroku *h, const char *url, const char *path,
			 uint64_t max, const char *want_sha256,
			 long long *size_out)
{
	struct download d = { -1, 0, max, NULL, false, false, 0 };
	struct strbuf where = STRBUF_INIT;
	char hex[HEROKU_SHA256_HEX + 1];
	long status = 0;
	bool keep = false;
	int rc;

	heroku_url_redact(&where, url);
	d.fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
		    0644);
	if (d.fd < 0) {
		rc = error_from_errno("cannot create '%s'", path);
		goto out;
	}
	d.sha = sign_sha256_new();
	rc = heroku_get_stream(h, url, h->o.upload_timeout_ms, download_sink,
			       &d, &status);
	if (rc < 0)
		goto out;
	if (status < 200 || status > 299) {
		rc = error_set("heroku: HTTP %ld from 'GET %s'", status,
			       where.buf);
		goto out;
	}
	if (d.too_big) {
		rc = error_setc(ERR_REJECTED,
				"heroku: '%s' is larger than %llu bytes",
				where.buf, (unsigned long long)max);
		goto out;
	}
	if (d.write_error) {
		errno = d.err;
		rc = error_from_errno("cannot write '%s'", path);
		goto out;
	}
	if (fsync(d.fd) < 0) {
		rc = error_from_errno("cannot write '%s'", path);
		goto out;
	}
	sign_sha256_final_hex(d.sha, hex);
	if (want_sha256 && strcmp(hex, want_sha256)) {
		rc = error_setc(ERR_REJECTED,
				"heroku: the downloaded slug hashes to %s, "
				"not its checksum %s",
				hex, want_sha256);
		goto out;
	}
	if (size_out)
		*size_out = (long long)d.got;
	keep = true;
out:
	if (d.fd >= 0)
		close(d.fd);
	if (d.fd >= 0 && !keep)
		unlink(path);
	sign_sha256_free(d.sha);
	strbuf_release(&where);
	return rc;
}
