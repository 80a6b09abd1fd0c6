/* SPDX-License-Identifier: MIT */
/*
 * The Platform API client: options, the handle, URLs, and the calls the
 * endpoints make. The transfer itself is transfer.c, the retry loop
 * retry.c, the key from ~/.netrc netrc.c, URLs url.c.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "heroku-internal.h"
#include "curl-dl.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Loading libcurl and curl_global_init() are deferred to the first
 * heroku_new(): commands that never talk to Heroku (the git hooks above
 * all) start without them. Our commands are single-threaded there.
 */
static bool curl_inited;

static int lazy_global_init(void)
{
	int rc;

	if (curl_inited)
		return 0;
	rc = heroku_curl_load();
	if (rc < 0)
		return rc;
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return error_set("cannot initialise libcurl");
	curl_inited = true;
	return 0;
}

void heroku_global_cleanup(void)
{
	if (curl_inited)
		curl_global_cleanup();
	curl_inited = false;
}

static int env_long(long *out, const char *name, long min, long max, long scale)
{
	const char *v = getenv(name);
	long n;

	if (!v || !*v)
		return 0;
	if (parse_long(&n, v, min, max) < 0)
		return error_set("invalid %s '%s'", name, v);
	*out = n * scale;
	return 0;
}

int heroku_opts_from_env(struct heroku_opts *o)
{
	const char *v;
	long tries = (long)o->tries;
	int rc = 0;

	v = getenv("HEROKU_API_URL");
	if (v && *v)
		o->base_url = v;
	v = getenv("SSL_CERT_FILE");
	if (v && *v)
		o->cacert = v;
	if (!rc)
		rc = env_long(&o->timeout_ms, "SLUGGUARD_HTTP_TIMEOUT", 1,
			      86400, 1000);
	if (!rc)
		rc = env_long(&o->connect_timeout_ms,
			      "SLUGGUARD_HTTP_CONNECT_TIMEOUT", 1, 3600, 1000);
	if (!rc)
		rc = env_long(&tries, "SLUGGUARD_HTTP_TRIES", 1, 100, 1);
	if (!rc)
		rc = env_long(&o->backoff_ms, "SLUGGUARD_HTTP_BACKOFF_MS", 0,
			      600000, 1);
	if (!rc)
		rc = env_long(&o->max_wait_ms, "SLUGGUARD_HTTP_MAX_WAIT_MS", 0,
			      3600000, 1);
	o->tries = (unsigned)tries;
	return rc;
}

/* ---- the client -------------------------------------------------------- */

int heroku_new(struct heroku **out, const struct heroku_opts *opts)
{
	struct heroku *h = NULL;
	const char *base = opts->base_url ? opts->base_url : HEROKU_DEFAULT_URL;
	const char *env_key = getenv("HEROKU_API_KEY");
	int rc = 0;

	*out = NULL;
	rc = lazy_global_init();
	if (rc < 0)
		return rc;
	h = xcalloc(1, sizeof(*h));
	h->o = *opts;
	if (h->o.tries < 1)
		h->o.tries = 1;
	h->base = xstrdup(base);
	while (h->base[0] && ends_with(h->base, "/"))
		h->base[strlen(h->base) - 1] = '\0';
	h->o.base_url = h->base;
	h->cacert = opts->cacert ? xstrdup(opts->cacert) : NULL;
	h->o.cacert = h->cacert;
	h->o.netrc = NULL;
	h->base_loopback = heroku_url_is_loopback(h->base);
	if (!starts_with(h->base, "https://") &&
	    !(starts_with(h->base, "http://") && h->base_loopback)) {
		rc = error_set("heroku: base URL '%s' must be https "
			       "(http only for loopback)",
			       h->base);
		goto out;
	}
	if (env_key && *env_key)
		h->key = xstrdup(env_key);
	else
		h->key = heroku_key_from_netrc(opts->netrc);
	if (!h->key) {
		rc = error_setc(ERR_AUTH,
				"heroku: no API key: set HEROKU_API_KEY or "
				"run 'heroku login' (~/.netrc)");
		goto out;
	}
	h->curl = curl_easy_init();
	if (!h->curl) {
		rc = error_set("heroku: cannot create a curl handle");
		goto out;
	}
	h->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
		 (uint64_t)(uintptr_t)h;
	h->rate_remaining = -1;
	*out = h;
	h = NULL;
out:
	heroku_free(h);
	return rc;
}

void heroku_free(struct heroku *h)
{
	if (!h)
		return;
	if (h->key) {
		heroku_wipe(h->key, strlen(h->key));
		free(h->key);
	}
	if (h->curl)
		curl_easy_cleanup(h->curl);
	free(h->base);
	free(h->cacert);
	free(h);
}

int heroku_call_ex(struct heroku *h, struct json **out, const char *method,
		   const char *path, const struct json *body, const char *range,
		   struct heroku_resp *resp, heroku_retry_fn before_retry,
		   void *retry_data)
{
	struct heroku_req q = HEROKU_REQ_INIT;
	struct heroku_resp own = HEROKU_RESP_INIT;
	struct heroku_resp *r = resp ? resp : &own;
	struct strbuf url = STRBUF_INIT;
	char *text = NULL;
	int rc;

	if (out)
		*out = NULL;
	strbuf_addf(&url, "%s%s", h->base, path);
	if (body)
		text = json_print(body, false);
	q.method = method;
	q.url = url.buf;
	q.body = text;
	q.auth = true;
	q.range = range;
	q.timeout_ms = h->o.timeout_ms;
	q.fresh = !strcmp(method, "POST");
	q.before_retry = before_retry;
	q.retry_data = retry_data;
	rc = heroku_exchange(h, &q, r);
	if (rc < 0 || !r->status)
		goto out;
	if (out && r->body.len) {
		rc = json_parse(out, r->body.buf, r->body.len, path);
		if (rc < 0)
			rc = error_set("heroku: invalid JSON from '%s %s'",
				       method, path);
	}
out:
	free(text);
	strbuf_release(&url);
	heroku_resp_release(&own);
	return rc;
}

int heroku_call(struct heroku *h, struct json **out, const char *method,
		const char *path, const struct json *body)
{
	return heroku_call_ex(h, out, method, path, body, NULL, NULL, NULL,
			      NULL);
}

int heroku_blob_upload(struct heroku *h, const char *url, const char *method,
		       const char *path, const char *want_sha256,
		       long long *size_out)
{
	struct heroku_req q = HEROKU_REQ_INIT;
	struct heroku_resp r = HEROKU_RESP_INIT;
	struct heroku_upload u;
	struct strbuf m = STRBUF_INIT;
	struct stat st;
	char hex[HEROKU_SHA256_HEX + 1];
	int rc = 0;

	memset(&u, 0, sizeof(u));
	u.path = path;
	u.fp = fopen(path, "rb");
	if (!u.fp) {
		rc = error_from_errno("cannot open '%s'", path);
		goto out;
	}
	if (fstat(fileno(u.fp), &st) || !S_ISREG(st.st_mode)) {
		rc = error_set("'%s' is not a regular file", path);
		goto out;
	}
	u.size = (long long)st.st_size;
	u.sha = sign_sha256_new();
	for (const char *p = method ? method : "PUT"; *p; p++) {
		char ch = *p;

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (!(ch >= 'A' && ch <= 'Z')) {
			rc = error_set("heroku: unexpected blob method '%s'",
				       method);
			goto out;
		}
		strbuf_addch(&m, ch);
	}
	q.method = m.buf;
	q.url = url;
	q.auth = false; /* a pre-signed URL: the key must not go there */
	q.upload = &u;
	q.timeout_ms = h->o.upload_timeout_ms;
	rc = heroku_exchange(h, &q, &r);
	if (rc < 0)
		goto out;
	if (u.sent != u.size) {
		rc = error_set("heroku: sent %lld bytes of '%s', expected %lld",
			       u.sent, path, u.size);
		goto out;
	}
	sign_sha256_final_hex(u.sha, hex);
	if (want_sha256 && strcmp(hex, want_sha256)) {
		rc = error_set("heroku: the uploaded bytes of '%s' hash to "
			       "%s, not the signed %s",
			       path, hex, want_sha256);
		goto out;
	}
	if (size_out)
		*size_out = u.sent;
out:
	if (u.fp)
		fclose(u.fp);
	sign_sha256_free(u.sha);
	strbuf_release(&m);
	heroku_resp_release(&r);
	return rc;
}
