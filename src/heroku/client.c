/* SPDX-License-Identifier: MIT */
/* The Platform API transport: TLS, auth, bounded bodies, retries. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/heroku.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "heroku-internal.h"
#include "curl-dl.h"

#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * A memset through a volatile function pointer: the compiler cannot
 * prove the call dead, so secrets really are overwritten before free.
 */
static void *(*const volatile wipe_fn)(void *, int, size_t) = memset;

void heroku_wipe(void *p, size_t len)
{
	if (p && len)
		wipe_fn(p, 0, len);
}

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

/* ---- netrc ------------------------------------------------------------- */

/* Next whitespace-separated token of [*p, end); NULL at the end. */
static const char *netrc_token(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *t;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' ||
			   *s == '\r' || *s == '\f' || *s == '\v'))
		s++;
	if (s >= end) {
		*p = s;
		return NULL;
	}
	t = s;
	while (t < end && !(*t == ' ' || *t == '\t' || *t == '\n' ||
			    *t == '\r' || *t == '\f' || *t == '\v'))
		t++;
	*len = (size_t)(t - s);
	*p = t;
	return s;
}

static bool tok_is(const char *t, size_t len, const char *word)
{
	return len == strlen(word) && !memcmp(t, word, len);
}

char *heroku_netrc_password(const char *buf, size_t len, const char *host)
{
	const char *p = buf, *end = buf + len, *t;
	bool in_host = false;
	size_t tl = 0;

	while ((t = netrc_token(&p, end, &tl))) {
		if (tok_is(t, tl, "machine")) {
			t = netrc_token(&p, end, &tl);
			if (!t)
				break;
			in_host = tl == strlen(host) && !memcmp(t, host, tl);
		} else if (tok_is(t, tl, "default")) {
			in_host = false;
		} else if (tok_is(t, tl, "macdef")) {
			/* A macro runs to the next blank line: skip it. */
			const char *blank = NULL;

			for (const char *q = p; q + 1 < end; q++)
				if (q[0] == '\n' && q[1] == '\n') {
					blank = q;
					break;
				}
			p = blank ? blank : end;
			in_host = false;
		} else if (tok_is(t, tl, "password") ||
			   tok_is(t, tl, "login") || tok_is(t, tl, "account")) {
			bool want = in_host && tok_is(t, tl, "password");

			t = netrc_token(&p, end, &tl);
			if (!t)
				break;
			if (want && tl)
				return xstrndup(t, tl);
		}
	}
	return NULL;
}

static char *key_from_netrc(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *key = NULL;
	char *home_path = NULL;
	const char *home = getenv("HOME");

	if (!path) {
		if (!home || !*home)
			return NULL;
		sb.len = 0;
		strbuf_addf(&sb, "%s/.netrc", home);
		home_path = strbuf_detach(&sb, NULL);
		path = home_path;
	}
	if (fs_read_capped(&sb, path, HEROKU_NETRC_MAX) == 0)
		key = heroku_netrc_password(sb.buf, sb.len, "api.heroku.com");
	error_clear(); /* a missing or unreadable .netrc just means no key */
	heroku_wipe(sb.buf, sb.alloc ? sb.len : 0);
	strbuf_release(&sb);
	free(home_path);
	return key;
}

/* ---- URLs -------------------------------------------------------------- */

/* The host part of an absolute URL (without port or brackets). */
static void url_host(struct strbuf *sb, const char *url)
{
	const char *p = strstr(url, "://"), *e;

	if (!p)
		return;
	p += 3;
	e = p + strcspn(p, "/?#");
	{
		const char *at = memchr(p, '@', (size_t)(e - p));

		if (at)
			p = at + 1;
	}
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(e - p));

		if (rb) {
			strbuf_add(sb, p + 1, (size_t)(rb - p - 1));
			return;
		}
	}
	{
		const char *colon = memchr(p, ':', (size_t)(e - p));

		strbuf_add(sb, p, (size_t)((colon ? colon : e) - p));
	}
}

bool heroku_url_is_loopback(const char *url)
{
	struct strbuf host = STRBUF_INIT;
	bool ok;

	url_host(&host, url);
	ok = !strcasecmp(host.buf, "localhost") || !strcmp(host.buf, "::1") ||
	     starts_with(host.buf, "127.");
	strbuf_release(&host);
	return ok;
}

/* scheme://host/path of url without query or fragment (for messages). */
void heroku_url_redact(struct strbuf *sb, const char *url)
{
	strbuf_add(sb, url, strcspn(url, "?#"));
}

void heroku_path_escape(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			strbuf_addch(sb, c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
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
		h->key = key_from_netrc(opts->netrc);
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

/* ---- waiting ----------------------------------------------------------- */

static void sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t rng_next(struct heroku *h)
{
	/* xorshift64*: jitter only, not security. */
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return h->rng * 2685821657736338717ULL;
}

/* Exponential backoff with "equal jitter": [d/2, d]. */
static long backoff_ms(struct heroku *h, unsigned attempt)
{
	long d = h->o.backoff_ms;

	for (unsigned i = 1; i < attempt && d < h->o.max_wait_ms; i++)
		d *= 2;
	if (d > h->o.max_wait_ms)
		d = h->o.max_wait_ms;
	if (d <= 1)
		return d;
	return d / 2 + (long)(rng_next(h) % (uint64_t)(d / 2 + 1));
}

long heroku_parse_retry_after(const char *v, long long now)
{
	size_t len;
	long n;
	long long t;

	while (*v == ' ' || *v == '\t')
		v++;
	if (!parse_long(&n, v, 0, 86400))
		return n * 1000;
	/*
	 * An HTTP date in any of its three forms (IMF-fixdate, RFC 850,
	 * asctime): libcurl's parser reads them all, where ours read only
	 * the first. The first two must say GMT; curl would take any zone.
	 */
	len = strlen(v);
	if (strchr(v, ',') && (len < 4 || strcmp(v + len - 4, " GMT")))
		return -1;
	if (heroku_curl_load() < 0) {
		error_clear();
		return -1;
	}
	t = heroku_curl_getdate(v);
	if (t < 0)
		return -1;
	if (t <= now)
		return 0;
	if (t - now > 86400)
		return 86400L * 1000;
	return (long)(t - now) * 1000;
}

/* ---- one HTTP exchange ------------------------------------------------- */

static size_t body_cb(char *p, size_t sz, size_t n, void *ud)
{
	struct heroku_resp *r = ud;

	if (r->sink) {
		r->sink(p, sz * n, r->sink_data);
		return sz * n;
	}
	if (n && sz > (HEROKU_MAX_BODY - r->body.len) / n) {
		r->too_big = true;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	strbuf_add(&r->body, p, sz * n);
	return sz * n;
}

static void set_str(char **dst, const char *v, size_t len)
{
	free(*dst);
	*dst = xstrndup(v, len);
}

static size_t header_cb(char *p, size_t sz, size_t n, void *ud)
{
	struct heroku_resp *r = ud;
	size_t len = sz * n, klen;
	const char *colon, *v, *end = p + len;

	if (len >= 5 && !memcmp(p, "HTTP/", 5)) {
		/* A new response (after 100 Continue or a retry). */
		FREE_AND_NULL(r->retry_after);
		FREE_AND_NULL(r->next_range);
		r->rate_remaining = -1;
		return len;
	}
	colon = memchr(p, ':', len);
	if (!colon)
		return len;
	klen = (size_t)(colon - p);
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (klen == 11 && !strncasecmp(p, "Retry-After", klen)) {
		set_str(&r->retry_after, v, (size_t)(end - v));
	} else if (klen == 10 && !strncasecmp(p, "Next-Range", klen)) {
		set_str(&r->next_range, v, (size_t)(end - v));
	} else if (klen == 19 && !strncasecmp(p, "RateLimit-Remaining", klen)) {
		char tmp[32];
		long rem;

		if ((size_t)(end - v) < sizeof(tmp)) {
			memcpy(tmp, v, (size_t)(end - v));
			tmp[end - v] = '\0';
			if (!parse_long(&rem, tmp, 0, 1000000000L))
				r->rate_remaining = rem;
		}
	}
	return len;
}

static size_t read_cb(char *buf, size_t sz, size_t n, void *ud)
{
	struct heroku_upload *u = ud;
	size_t got = fread(buf, 1, sz * n, u->fp);

	if (got < sz * n && ferror(u->fp)) {
		u->read_error = true;
		return CURL_READFUNC_ABORT;
	}
	sign_sha256_update(u->sha, buf, got);
	u->sent += (long long)got;
	return got;
}

/* curl rewinds when it must re-send (a reused connection had died). */
static int seek_cb(void *ud, curl_off_t offset, int origin)
{
	struct heroku_upload *u = ud;

	if (offset != 0 || origin != SEEK_SET || fseek(u->fp, 0, SEEK_SET))
		return CURL_SEEKFUNC_CANTSEEK;
	sign_sha256_reset(u->sha);
	u->sent = 0;
	return CURL_SEEKFUNC_OK;
}

void heroku_resp_release(struct heroku_resp *r)
{
	strbuf_release(&r->body);
	FREE_AND_NULL(r->retry_after);
	FREE_AND_NULL(r->next_range);
	r->status = 0;
	r->too_big = false;
}

static bool retriable_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

static struct curl_slist *append_header(struct curl_slist *l, const char *s)
{
	struct curl_slist *n = curl_slist_append(l, s);

	if (!n)
		die("out of memory");
	return n;
}

/* Wipe every header (one of them carries the key), then free the list. */
static void free_headers(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		heroku_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

/*
 * One attempt. Returns 0 when an HTTP response arrived (any status, in
 * r->status), or a negative code with the message stored and *retry set
 * when the failure was a dropped or timed-out connection.
 */
static int http_once(struct heroku *h, const struct heroku_req *q,
		     struct heroku_resp *r, bool *retry)
{
	CURL *c = h->curl;
	struct curl_slist *hdrs = NULL;
	struct strbuf sb = STRBUF_INIT;
	char errbuf[CURL_ERROR_SIZE] = "";
	bool loopback = h->base_loopback && heroku_url_is_loopback(q->url);
	struct heroku_setopts o = { c, 0 };
	CURLcode cc;
	long status = 0;
	int rc = 0;

	*retry = false;
	heroku_resp_release(r);
	r->rate_remaining = -1;
	curl_easy_reset(c);
	if (!starts_with(q->url, "https://") &&
	    !(loopback && starts_with(q->url, "http://"))) {
		strbuf_reset(&sb);
		heroku_url_redact(&sb, q->url);
		rc = error_set("heroku: refusing non-https URL '%s'", sb.buf);
		goto out;
	}
	hdrs = append_header(hdrs, q->accept ? q->accept :
					       "Accept: application/"
					       "vnd.heroku+json; version=3");
	hdrs = append_header(hdrs, "User-Agent: slugguard/" SLUGGUARD_VERSION);
	if (q->auth) {
		strbuf_addstr(&sb, "Authorization: Bearer ");
		strbuf_addstr(&sb, h->key);
		hdrs = append_header(hdrs, sb.buf);
		heroku_wipe(sb.buf, sb.len);
		strbuf_reset(&sb);
	}
	if (q->range) {
		strbuf_addf(&sb, "Range: %s", q->range);
		hdrs = append_header(hdrs, sb.buf);
		strbuf_reset(&sb);
	}
	if (q->upload) {
		/* "X;" sends an empty header; "X:" would delete it. */
		hdrs = append_header(hdrs, "Content-Type;");
		hdrs = append_header(hdrs, "Expect:");
	} else if (q->body) {
		hdrs = append_header(hdrs, "Content-Type: application/json");
	}
	OPT_PTR(&o, CURLOPT_URL, q->url);
	OPT_PTR(&o, CURLOPT_HTTPHEADER, hdrs);
	OPT_PTR(&o, CURLOPT_ERRORBUFFER, errbuf);
	OPT_LONG(&o, CURLOPT_NOSIGNAL, 1L);
	OPT_PTR(&o, CURLOPT_PROTOCOLS_STR, loopback ? "https,http" : "https");
	OPT_PTR(&o, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	OPT_LONG(&o, CURLOPT_FOLLOWLOCATION, 0L);
	OPT_LONG(&o, CURLOPT_SSL_VERIFYPEER, 1L);
	OPT_LONG(&o, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->cacert)
		OPT_PTR(&o, CURLOPT_CAINFO, h->cacert);
	OPT_LONG(&o, CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	if (q->timeout_ms > 0)
		OPT_LONG(&o, CURLOPT_TIMEOUT_MS, q->timeout_ms);
	OPT_WRITE_FN(&o, CURLOPT_HEADERFUNCTION, header_cb);
	OPT_PTR(&o, CURLOPT_HEADERDATA, r);
	OPT_WRITE_FN(&o, CURLOPT_WRITEFUNCTION, body_cb);
	OPT_PTR(&o, CURLOPT_WRITEDATA, r);
	if (!r->sink)
		OPT_OFF(&o, CURLOPT_MAXFILESIZE_LARGE,
			(curl_off_t)HEROKU_MAX_BODY);
	if (q->fresh)
		/* curl silently re-sends a request whose reused connection
		 * died; for a POST that could create a second release. */
		OPT_LONG(&o, CURLOPT_FRESH_CONNECT, 1L);
	if (q->upload) {
		OPT_LONG(&o, CURLOPT_UPLOAD, 1L);
		OPT_READ_FN(&o, CURLOPT_READFUNCTION, read_cb);
		OPT_PTR(&o, CURLOPT_READDATA, q->upload);
		OPT_SEEK_FN(&o, CURLOPT_SEEKFUNCTION, seek_cb);
		OPT_PTR(&o, CURLOPT_SEEKDATA, q->upload);
		OPT_OFF(&o, CURLOPT_INFILESIZE_LARGE,
			(curl_off_t)q->upload->size);
		if (strcmp(q->method, "PUT"))
			OPT_PTR(&o, CURLOPT_CUSTOMREQUEST, q->method);
		/* A stalled upload fails even before the total timeout. */
		OPT_LONG(&o, CURLOPT_LOW_SPEED_LIMIT, 1L);
		OPT_LONG(&o, CURLOPT_LOW_SPEED_TIME,
			 h->o.timeout_ms / 1000 > 0 ? h->o.timeout_ms / 1000 :
						      1L);
	} else if (q->body) {
		OPT_PTR(&o, CURLOPT_POSTFIELDS, q->body);
		OPT_OFF(&o, CURLOPT_POSTFIELDSIZE_LARGE,
			(curl_off_t)strlen(q->body));
		if (strcmp(q->method, "POST"))
			OPT_PTR(&o, CURLOPT_CUSTOMREQUEST, q->method);
	} else if (strcmp(q->method, "GET")) {
		OPT_PTR(&o, CURLOPT_CUSTOMREQUEST, q->method);
	}
	/* Never send a request without the options that make it safe. */
	rc = o.rc;
	if (rc < 0)
		goto out;

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	r->status = status;
	if (r->rate_remaining >= 0)
		h->rate_remaining = r->rate_remaining;
	strbuf_reset(&sb);
	heroku_url_redact(&sb, q->url);
	if (cc == CURLE_WRITE_ERROR && r->too_big) {
		rc = error_set("heroku: response from '%s %s' is larger than "
			       "%u bytes",
			       q->method, sb.buf, HEROKU_MAX_BODY);
	} else if (cc == CURLE_FILESIZE_EXCEEDED) {
		rc = error_set("heroku: response from '%s %s' is larger than "
			       "%u bytes",
			       q->method, sb.buf, HEROKU_MAX_BODY);
	} else if (cc == CURLE_ABORTED_BY_CALLBACK && q->upload &&
		   q->upload->read_error) {
		rc = error_from_errno("heroku: cannot read '%s'",
				      q->upload->path);
	} else if (cc != CURLE_OK) {
		*retry = retriable_curl(cc);
		rc = error_set("heroku: '%s %s' failed: %s", q->method, sb.buf,
			       errbuf[0] ? errbuf : curl_easy_strerror(cc));
	}
out:
	free_headers(hdrs);
	strbuf_release(&sb);
	return rc;
}

/* ---- errors in Heroku's shape ------------------------------------------ */

int heroku_error_from_resp(const struct heroku_resp *r, const char *method,
			   const char *path)
{
	struct json *j = NULL;
	const char *id = NULL, *msg = NULL;
	int code = r->status == 401 ? ERR_AUTH :
		   r->status == 404 ? ERR_NOTFOUND :
				      ERR_FAIL;
	int rc;

	if (r->body.len && !json_parse(&j, r->body.buf, r->body.len, "error")) {
		id = json_get_string(j, "id");
		msg = json_get_string(j, "message");
	}
	error_clear();
	if (id && msg)
		rc = error_setc(code, "heroku: %s: %s", id, msg);
	else if (id)
		rc = error_setc(code, "heroku: %s (HTTP %ld from '%s %s')", id,
				r->status, method, path);
	else
		rc = error_setc(code, "heroku: HTTP %ld from '%s %s'",
				r->status, method, path);
	json_free(j);
	return rc;
}

/* ---- the retry loop ---------------------------------------------------- */

int heroku_exchange(struct heroku *h, const struct heroku_req *q,
		    struct heroku_resp *r)
{
	struct strbuf where = STRBUF_INIT;
	unsigned attempt;
	bool retriable = false;
	int rc = 0;

	heroku_url_redact(&where, q->url);
	if (q->auth && starts_with(where.buf, h->base)) {
		size_t n = strlen(h->base);

		memmove(where.buf, where.buf + n, where.len - n);
		strbuf_setlen(&where, where.len - n);
	}
	for (attempt = 1;; attempt++) {
		bool retry = false;
		long wait = -1;

		if (attempt > 1 && q->upload) {
			if (fseek(q->upload->fp, 0, SEEK_SET)) {
				rc = error_from_errno("heroku: cannot rewind "
						      "'%s'",
						      q->upload->path);
				break;
			}
			sign_sha256_reset(q->upload->sha);
			q->upload->sent = 0;
		}
		/* The bucket is empty: give it time to refill. */
		if (h->rate_remaining == 0 && q->auth)
			sleep_ms(backoff_ms(h, 1));
		rc = http_once(h, q, r, &retry);
		retriable = rc < 0 ? retry :
				     r->status == 429 || r->status >= 500;
		if (rc < 0) {
			if (!retry || attempt >= h->o.tries)
				break;
			if (q->before_retry) {
				bool done = false;
				int prc;

				prc = q->before_retry(h, q->retry_data, &done);
				if (prc < 0) {
					rc = prc;
					break;
				}
				if (done) {
					r->status = 0;
					rc = 0;
					break;
				}
			}
			sleep_ms(backoff_ms(h, attempt));
			continue;
		}
		if (r->status == 429 && attempt < h->o.tries) {
			if (r->retry_after)
				wait = heroku_parse_retry_after(
					r->retry_after, (long long)time(NULL));
			if (wait < 0)
				wait = backoff_ms(h, attempt);
			if (wait > h->o.max_wait_ms)
				wait = h->o.max_wait_ms;
			sleep_ms(wait);
			continue;
		}
		if (r->status >= 500 && attempt < h->o.tries) {
			if (q->before_retry) {
				bool done = false;
				int prc;

				prc = q->before_retry(h, q->retry_data, &done);
				if (prc < 0) {
					rc = prc;
					break;
				}
				if (done) {
					r->status = 0;
					break;
				}
			}
			sleep_ms(backoff_ms(h, attempt));
			continue;
		}
		if (r->status < 200 || r->status > 299)
			rc = heroku_error_from_resp(r, q->method, where.buf);
		break;
	}
	if (rc < 0 && retriable && attempt > 1 && attempt >= h->o.tries) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addstr(&msg, error_last());
		rc = error_setc(rc, "%s (after %u tries)", msg.buf, attempt);
		strbuf_release(&msg);
	}
	strbuf_release(&where);
	return rc;
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

int heroku_get_stream(struct heroku *h, const char *url, long timeout_ms,
		      heroku_output_fn fn, void *data, long *status)
{
	struct heroku_req q = HEROKU_REQ_INIT;
	struct heroku_resp r = HEROKU_RESP_INIT;
	bool retry = false;
	int rc;

	q.method = "GET";
	q.url = url;
	q.auth = false;
	q.accept = "Accept: text/plain, text/event-stream";
	q.timeout_ms = timeout_ms;
	r.sink = fn;
	r.sink_data = data;
	rc = http_once(h, &q, &r, &retry);
	*status = r.status;
	heroku_resp_release(&r);
	return rc;
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
