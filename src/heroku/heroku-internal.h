/* SPDX-License-Identifier: MIT */
/* Shared between the files of src/heroku/ only. */
#ifndef SLUGGUARD_HEROKU_INTERNAL_H
#define SLUGGUARD_HEROKU_INTERNAL_H

#include "slugguard/heroku.h"

#define FREE_AND_NULL(p)    \
	do {                \
		free(p);    \
		(p) = NULL; \
	} while (0)

struct heroku {
	struct heroku_opts o;
	char *base; /* without a trailing '/' */
	char *cacert;
	char *key; /* secret: wiped in heroku_free() */
	void *curl; /* CURL *, reused so connections are kept alive */
	bool base_loopback;
	long rate_remaining; /* last RateLimit-Remaining, -1 unknown */
	uint64_t rng;
};

struct heroku_upload {
	FILE *fp;
	const char *path;
	long long size;
	long long sent;
	struct sign_sha256 *sha; /* hashes what was actually sent */
	bool read_error;
};

/*
 * Called before a failed non-idempotent request is retried: set *done
 * when the request turns out to have taken effect (then no retry).
 */
typedef int (*heroku_retry_fn)(struct heroku *h, void *data, bool *done);

struct heroku_req {
	const char *method;
	const char *url; /* absolute */
	const char *body; /* JSON text or NULL */
	const char *range; /* Range header value or NULL */
	const char *accept; /* whole "Accept: ..." line or NULL */
	bool auth; /* send the key (base URL only) */
	bool fresh; /* new connection: no silent re-send by curl */
	long timeout_ms;
	struct heroku_upload *upload;
	heroku_retry_fn before_retry;
	void *retry_data;
};
#define HEROKU_REQ_INIT                                                    \
	{                                                                  \
		NULL, NULL, NULL, NULL, NULL, false, false, 0, NULL, NULL, \
			NULL                                               \
	}

struct heroku_resp {
	long status; /* 0: no response (or the retry probe found it) */
	struct strbuf body;
	char *retry_after;
	char *next_range;
	long rate_remaining;
	bool too_big;
	heroku_output_fn sink; /* stream the body here instead */
	void *sink_data;
};
#define HEROKU_RESP_INIT                                          \
	{                                                         \
		0, STRBUF_INIT, NULL, NULL, -1, false, NULL, NULL \
	}
void heroku_resp_release(struct heroku_resp *r);
/* "/apps/<app escaped><rest>" appended to sb (rest may be NULL; api.c). */
void heroku_app_path(struct strbuf *sb, const char *app, const char *rest);

/* Fill a slug or release from a Platform API response body (api.c);
 * missing or mistyped fields stay empty. Exposed for the fuzz target. */
void heroku_slug_from_json(struct heroku_slug *s, const struct json *j);
void heroku_release_from_json(struct heroku_release *r, const struct json *j);
/* Fill a build from a Build API response body (builds.c); for the fuzz
 * target too. */
void heroku_build_from_json(struct heroku_build *b, const struct json *j);
/* A JSON number as an integer: false when j is not a number or is out of
 * long long's range (so a forged "version": 1e30 is ignored, not UB). */
bool heroku_json_integer(const struct json *j, long long *out);

bool heroku_url_is_loopback(const char *url);
void heroku_url_redact(struct strbuf *sb, const char *url);
int heroku_error_from_resp(const struct heroku_resp *r, const char *method,
			   const char *path);
/* Sleep ms milliseconds (none when <= 0), through signals. */
void heroku_sleep_ms(long ms);
/* The API key in the .netrc at path (NULL: ~/.netrc), or NULL. Caller
 * wipes (heroku_wipe) and frees. */
char *heroku_key_from_netrc(const char *path);
/*
 * One attempt (transfer.c). Returns 0 when an HTTP response arrived (any
 * status, in r->status), or a negative code with the message stored and
 * *retry set when the failure was a dropped or timed-out connection.
 */
int heroku_http_once(struct heroku *h, const struct heroku_req *q,
		     struct heroku_resp *r, bool *retry);
/* heroku_http_once() with retries and backoff (retry.c); a status that is
 * not 2xx becomes the error of Heroku's body. */
int heroku_exchange(struct heroku *h, const struct heroku_req *q,
		    struct heroku_resp *r);
int heroku_call_ex(struct heroku *h, struct json **out, const char *method,
		   const char *path, const struct json *body, const char *range,
		   struct heroku_resp *resp, heroku_retry_fn before_retry,
		   void *retry_data);
/* GET an absolute URL without the key, body streamed to fn. */
int heroku_get_stream(struct heroku *h, const char *url, long timeout_ms,
		      heroku_output_fn fn, void *data, long *status);

#endif
