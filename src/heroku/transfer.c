/* SPDX-License-Identifier: MIT */
/*
 * One HTTP exchange through libcurl: TLS and protocol limits, headers
 * (the key only to the API's own base URL), bounded bodies, uploads that
 * hash what they send, streamed downloads.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/sign.h"
#include "heroku-internal.h"
#include "curl-dl.h"

#include <strings.h>

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
int heroku_http_once(struct heroku *h, const struct heroku_req *q,
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
	rc = heroku_http_once(h, &q, &r, &retry);
	*status = r.status;
	heroku_resp_release(&r);
	return rc;
}
