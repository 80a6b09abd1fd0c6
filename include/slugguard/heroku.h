/* SPDX-License-Identifier: MIT */
/*
 * heroku: the Platform API v3 client. The
 * only user of libcurl. JSON goes through slugguard/json.h.
 *
 * Calling sequence:
 *   1. heroku_global_cleanup() once in main, at exit (libcurl itself is
 *      loaded and initialised by the first heroku_new()).
 *   2. struct heroku_opts o = HEROKU_OPTS_INIT; heroku_opts_from_env(&o);
 *      then override fields from flags (--cacert).
 *   3. heroku_new(&h, &o) reads the API key (HEROKU_API_KEY, else
 *      ~/.netrc "machine api.heroku.com ... password KEY").
 *   4. the heroku_<object>_<verb>() calls below; heroku_free(h).
 *
 * Transport rules: TLS is always verified (a custom CA comes from
 * opts.cacert, else SSL_CERT_FILE, else the system store). Only https is
 * allowed, plus http when the base URL's host is loopback. The API key is
 * sent as "Authorization: Bearer" to the base URL only (never to blob or
 * stream URLs), is never printed or put into an error message, and is
 * wiped before it is freed. Bodies are capped at HEROKU_MAX_BODY.
 *
 * Retries: 429 waits for Retry-After (seconds or an HTTP date), else
 * backs off; 5xx and dropped or timed-out connections back off
 * exponentially with jitter, at most opts.tries attempts. A POST that
 * creates a release is never blindly retried: the releases are listed
 * first and one carrying our slug and description is taken as ours.
 *
 * Errors: "heroku: <id>: <message>" from Heroku's error body (ERR_AUTH
 * for 401, ERR_NOTFOUND for 404, ERR_FAIL otherwise), or "heroku: HTTP
 * 503 from 'GET /apps/x'" when the body is not Heroku's JSON.
 */
#ifndef SLUGGUARD_HEROKU_H
#define SLUGGUARD_HEROKU_H

#include "slugguard/strbuf.h"
#include "slugguard/strvec.h"

#define HEROKU_DEFAULT_URL "https://api.heroku.com"
#define HEROKU_MAX_BODY (8u * 1024 * 1024)
#define HEROKU_NETRC_MAX (64u * 1024)
#define HEROKU_SHA256_HEX 64

struct heroku_opts {
	const char *base_url; /* NULL: HEROKU_DEFAULT_URL (borrowed) */
	const char *cacert; /* CA bundle path or NULL (borrowed) */
	long connect_timeout_ms; /* per attempt */
	long timeout_ms; /* whole API request, per attempt */
	long upload_timeout_ms; /* blob upload, per attempt */
	unsigned tries; /* attempts per request, >= 1 */
	long backoff_ms; /* first backoff; doubles, with jitter */
	long max_wait_ms; /* cap on any single wait (Retry-After too) */
	const char *netrc; /* NULL: $HOME/.netrc (borrowed) */
};

#define HEROKU_OPTS_INIT                                                \
	{                                                               \
		NULL, NULL, 10000, 60000, 1800000, 5, 1000, 60000, NULL \
	}

/*
 * Fill opts from the environment: HEROKU_API_URL, SSL_CERT_FILE,
 * SLUGGUARD_HTTP_TIMEOUT (seconds, API requests),
 * SLUGGUARD_HTTP_CONNECT_TIMEOUT (seconds), SLUGGUARD_HTTP_TRIES,
 * SLUGGUARD_HTTP_BACKOFF_MS, SLUGGUARD_HTTP_MAX_WAIT_MS. The strings are
 * borrowed from the environment. Returns ERR_USAGE-free ERR_FAIL naming
 * the variable when a number does not parse.
 */
int heroku_opts_from_env(struct heroku_opts *opts);

/*
 * Call once from main, at exit. Loading libcurl and curl_global_init()
 * are deferred to the first heroku_new(), so that commands that never
 * talk to Heroku start without them; cleanup runs only if they ran.
 */
void heroku_global_cleanup(void);

struct heroku;

/*
 * A client for opts (copied). Fails with ERR_AUTH when no API key is
 * found, ERR_FAIL on a bad base URL. Free with heroku_free().
 */
int heroku_new(struct heroku **out, const struct heroku_opts *opts);
/* Wipes the key. Accepts NULL. */
void heroku_free(struct heroku *h);

/*
 * Look the API key up the way the Heroku CLI stores it, for tests and
 * heroku_new(): the password of "machine <host>" in the netrc text buf
 * (len bytes). Returns a copy the caller wipes with heroku_wipe() and
 * frees, or NULL when there is none.
 */
char *heroku_netrc_password(const char *buf, size_t len, const char *host);
/* memset that the compiler may not drop (for secrets). */
void heroku_wipe(void *p, size_t len);

/*
 * Parse a Retry-After value: delta seconds or an HTTP date (IMF-fixdate,
 * RFC 850 or asctime, read by libcurl, which this loads) relative to now
 * (seconds since the epoch). Returns the wait in ms (>= 0) or -1.
 */
long heroku_parse_retry_after(const char *value, long long now);

/*
 * The low-level call: method on path (relative to the base URL, e.g.
 * "/apps/x") with an optional JSON body (borrowed). On 2xx *out (may be
 * NULL to ignore) receives the parsed body, which the caller frees with
 * json_free(). Non-2xx is an error as described at the top.
 */
struct json;
int heroku_call(struct heroku *h, struct json **out, const char *method,
		const char *path, const struct json *body);

/* Percent-encode an app name or id for a path segment into sb. */
void heroku_path_escape(struct strbuf *sb, const char *s);

/* ---- apps, buildpacks, config vars, formation --------------------------- */

struct heroku_app {
	char *id;
	char *name;
	char *stack; /* stack.name, e.g. "heroku-24" or "cnb" */
	char *generation; /* generation.name ("cedar", "fir") or NULL */
};
#define HEROKU_APP_INIT                \
	{                              \
		NULL, NULL, NULL, NULL \
	}
void heroku_app_release(struct heroku_app *app);
int heroku_app_get(struct heroku *h, struct heroku_app *out, const char *app);
/* Fir apps have no slugs or buildpack installations. */
bool heroku_app_is_fir(const struct heroku_app *app);
/*
 * The app name in a Heroku git remote URL, as `heroku git:remote` writes
 * it (https://git.heroku.com/<app>.git, git@heroku.com:<app>.git or
 * ssh://git@heroku.com/<app>.git), appended to out. Returns 0, or
 * ERR_NOTFOUND when url is not a Heroku git URL.
 */
int heroku_app_from_git_url(struct strbuf *out, const char *url);

/*
 * The installed buildpacks in ordinal order: urls[i] is the buildpack's
 * url (maybe "urn:buildpack:heroku/ruby"), names[i] its name or "".
 * Both strvecs are cleared first; the caller clears them.
 */
int heroku_buildpacks_get(struct heroku *h, struct strvec *urls,
			  struct strvec *names, const char *app);
/* Replace the whole list, in this order. */
int heroku_buildpacks_set(struct heroku *h, const char *app,
			  const char *const *urls, size_t nr);
/*
 * The canonical spelling of a buildpack reference, so that
 * "urn:buildpack:heroku/ruby", "heroku/ruby" and
 * "https://github.com/heroku/heroku-buildpack-ruby(.git)" compare equal
 * (all become "heroku/ruby"); other URLs lose a trailing ".git" and "/".
 * Appends to sb.
 */
void heroku_buildpack_canonical(struct strbuf *sb, const char *ref);
bool heroku_buildpack_same(const char *a, const char *b);

/*
 * The names of the app's config vars, sorted (values are read, wiped
 * and dropped: they never leave this function). names is cleared first.
 */
int heroku_config_var_names(struct heroku *h, struct strvec *names,
			    const char *app);

/*
 * The app's config vars, names[i] = values[i], in the API's order (the
 * build writes them into ENV_DIR and masks their values). Both vectors
 * are cleared first; the caller owns them and clears them with
 * heroku_config_vars_clear(), which wipes the values.
 */
int heroku_config_vars(struct heroku *h, struct strvec *names,
		       struct strvec *values, const char *app);
void heroku_config_vars_clear(struct strvec *names, struct strvec *values);

/*
 * The API key in use (borrowed, valid until heroku_free()), for the
 * masker only: output that carries it is masked as HEROKU_API_KEY.
 */
const char *heroku_api_key(const struct heroku *h);

struct heroku_formation {
	char *type;
	long quantity;
	char *size;
};
/* *out gets an array of *nr entries; free with heroku_formation_free. */
int heroku_formation_get(struct heroku *h, struct heroku_formation **out,
			 size_t *nr, const char *app);
void heroku_formation_free(struct heroku_formation *f, size_t nr);

/* ---- slugs and blobs ---------------------------------------------------- */

struct heroku_slug {
	char *id;
	char *blob_url; /* pre-signed: never log it whole */
	char *blob_method; /* "PUT" or "put": compare without case */
	char *checksum; /* "SHA256:<hex>" */
	char *commit;
	long long size; /* -1 while unknown (null) */
};
#define HEROKU_SLUG_INIT                         \
	{                                        \
		NULL, NULL, NULL, NULL, NULL, -1 \
	}
void heroku_slug_release(struct heroku_slug *s);

/*
 * POST /apps/{app}/slugs. req is the JSON body (borrowed; must hold
 * process_types, and should hold checksum, commit, stack,
 * buildpack_provided_description).
 */
int heroku_slug_create(struct heroku *h, struct heroku_slug *out,
		       const char *app, const struct json *req);
int heroku_slug_get(struct heroku *h, struct heroku_slug *out, const char *app,
		    const char *id);

/*
 * Upload the file at path to the blob url with method, streamed from
 * disk with "Content-Type:" empty and no Authorization. The bytes are
 * hashed as they are sent; when want_sha256 (64 lowercase hex, may be
 * NULL) differs from what was sent, the upload is an error (retried
 * attempts re-read the file). *size_out (may be NULL) gets the size.
 */
int heroku_blob_upload(struct heroku *h, const char *url, const char *method,
		       const char *path, const char *want_sha256,
		       long long *size_out);

/* ---- releases ----------------------------------------------------------- */

struct heroku_release {
	char *id;
	long version;
	char *status; /* pending, succeeded, failed, expired */
	bool current;
	bool eligible_for_rollback;
	char *description;
	char *slug_id; /* NULL when the release has no slug */
	char *created_at;
	char *output_stream_url;
};
#define HEROKU_RELEASE_INIT                                         \
	{                                                           \
		NULL, 0, NULL, false, false, NULL, NULL, NULL, NULL \
	}
void heroku_release_release(struct heroku_release *r);
void heroku_releases_free(struct heroku_release *r, size_t nr);

/*
 * POST /apps/{app}/releases {"slug", "description"}. When the POST drops
 * or times out (or answers 5xx), the releases are listed and one with
 * this slug id and description is taken as ours before any retry, so a
 * release is never created twice.
 */
int heroku_release_create(struct heroku *h, struct heroku_release *out,
			  const char *app, const char *slug_id,
			  const char *description);
/* id_or_version: a UUID or a decimal version. */
int heroku_release_get(struct heroku *h, struct heroku_release *out,
		       const char *app, const char *id_or_version);
/*
 * Every release, newest first, following Range / Next-Range paging.
 * *out is an array of *nr; free with heroku_releases_free().
 */
int heroku_releases_list(struct heroku *h, struct heroku_release **out,
			 size_t *nr, const char *app);
/* POST /apps/{app}/releases {"release": id}; same duplicate guard. */
int heroku_rollback(struct heroku *h, struct heroku_release *out,
		    const char *app, const char *release_id);

typedef void (*heroku_output_fn)(const char *buf, size_t len, void *data);
/*
 * Follow a release until it is no longer pending: stream its
 * output_stream_url (if any) through fn, and poll GET every poll_ms.
 * rel is updated in place. Gives up with an error after timeout_ms.
 */
int heroku_release_follow(struct heroku *h, struct heroku_release *rel,
			  const char *app, long poll_ms, long timeout_ms,
			  heroku_output_fn fn, void *data);

/* ---- sources and builds (Heroku's builders) ----------------------------- */

/*
 * POST /apps/{app}/sources: where to PUT a source tarball and the URL a
 * build reads it from. Both are pre-signed (about an hour): never print
 * or log them; heroku_url_redact() them in messages.
 */
struct heroku_source {
	char *get_url;
	char *put_url;
};
#define HEROKU_SOURCE_INIT \
	{                  \
		NULL, NULL \
	}
int heroku_source_create(struct heroku *h, struct heroku_source *out,
			 const char *app);
void heroku_source_release(struct heroku_source *s);

struct heroku_build {
	char *id;
	char *status; /* pending, succeeded, failed */
	char *output_stream_url; /* no key is sent there */
	char *slug_id; /* NULL until the build succeeded */
	char *release_id; /* NULL until the build made its release */
	char *stack;
	char *checksum; /* source_blob.checksum, "SHA256:<hex>" */
	char *version; /* source_blob.version, the commit */
	struct strvec buildpacks; /* urls as the API returned them */
};
#define HEROKU_BUILD_INIT                                                   \
	{                                                                   \
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, STRVEC_INIT \
	}
void heroku_build_release(struct heroku_build *b);
void heroku_builds_free(struct heroku_build *b, size_t nr);

/* What POST /apps/{app}/builds is given (all borrowed). */
struct heroku_build_req {
	const char *source_url; /* heroku_source.get_url */
	const char *checksum; /* "SHA256:<hex>" of the uploaded bytes */
	const char *version; /* the full commit id */
	const char *description; /* the commit's subject, or NULL */
	const char *const *buildpacks; /* in order; nr 0: the app's own */
	size_t nr_buildpacks;
};

/*
 * Start a build. A lost reply (dropped or timed-out connection, 5xx)
 * never makes a second build: before any retry the builds are listed and
 * one that was not there before, with this checksum and version, is
 * taken as ours.
 */
int heroku_build_create(struct heroku *h, struct heroku_build *out,
			const char *app, const struct heroku_build_req *req);
int heroku_build_get(struct heroku *h, struct heroku_build *out,
		     const char *app, const char *id);
/* GET /apps/{app}/builds; *out is an array of *nr (heroku_builds_free). */
int heroku_builds_list(struct heroku *h, struct heroku_build **out, size_t *nr,
		       const char *app);

/*
 * Follow a build until it is no longer pending: stream its
 * output_stream_url through fn as the bytes arrive (if fn), then poll GET
 * every poll_ms. b is updated in place. *stream_ok (may be NULL) tells
 * whether the stream ran to its end. ERR_FAIL "heroku: build <id> still
 * pending after N s" once timeout_ms have passed.
 */
int heroku_build_follow(struct heroku *h, struct heroku_build *b,
			const char *app, long poll_ms, long timeout_ms,
			heroku_output_fn fn, void *data, bool *stream_ok);

/*
 * Read the build's whole output stream once more through fn (for the last
 * lines of a failed build whose live stream was missed). 0 or ERR_FAIL.
 */
int heroku_build_output(struct heroku *h, const struct heroku_build *b,
			long timeout_ms, heroku_output_fn fn, void *data);

/*
 * GET url (a pre-signed blob URL: no key is sent) into a new file at path
 * (O_EXCL, 0644), at most max bytes, hashed as it arrives. When
 * want_sha256 (64 lowercase hex, may be NULL) differs, the file is
 * removed and ERR_REJECTED says so. *size_out (may be NULL) gets the size.
 */
int heroku_blob_download(struct heroku *h, const char *url, const char *path,
			 uint64_t max, const char *want_sha256,
			 long long *size_out);

#endif
