/* SPDX-License-Identifier: MIT */
/*
 * Retries: exponential backoff with jitter, Retry-After, the rate-limit
 * bucket, Heroku's error bodies, and the loop around one transfer.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "heroku-internal.h"
#include "curl-dl.h"

#include <time.h>

/* ---- waiting ----------------------------------------------------------- */

void heroku_sleep_ms(long ms)
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

/*
 * Before a failed request is sent again: ask q->before_retry whether it
 * took effect after all. 1 when it did (r->status is then 0: no
 * response of its own), 0 to retry, or the probe's error.
 */
static int probe_before_retry(struct heroku *h, const struct heroku_req *q,
			      struct heroku_resp *r)
{
	bool done = false;
	int rc;

	if (!q->before_retry)
		return 0;
	rc = q->before_retry(h, q->retry_data, &done);
	if (rc < 0)
		return rc;
	if (!done)
		return 0;
	r->status = 0;
	return 1;
}

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
		int prc;

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
			heroku_sleep_ms(backoff_ms(h, 1));
		rc = heroku_http_once(h, q, r, &retry);
		retriable = rc < 0 ? retry :
				     r->status == 429 || r->status >= 500;
		if (rc < 0) {
			if (!retry || attempt >= h->o.tries)
				break;
			prc = probe_before_retry(h, q, r);
			if (prc) {
				rc = prc < 0 ? prc : 0;
				break;
			}
			heroku_sleep_ms(backoff_ms(h, attempt));
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
			heroku_sleep_ms(wait);
			continue;
		}
		if (r->status >= 500 && attempt < h->o.tries) {
			prc = probe_before_retry(h, q, r);
			if (prc) {
				rc = prc < 0 ? prc : 0;
				break;
			}
			heroku_sleep_ms(backoff_ms(h, attempt));
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
