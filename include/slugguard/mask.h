/* SPDX-License-Identifier: MIT */
/*
 * mask: hides config var values in everything slugguard relays or writes
 * (buildpack and release-phase output, git "remote:" lines, push logs,
 * error messages, JSON reports, attestations). Each value becomes
 * "[masked NAME]". As GitHub Actions' runner does, the forms a value
 * takes in real output are masked too: JSON-string escaped, URL-encoded
 * (RFC 3986, upper-case hex) and base64 at each of the three byte
 * alignments (only the characters that depend on the value alone).
 *
 * Not masked: values shorter than MASK_MIN_LEN bytes (masking "true" or
 * "3" would garble all output and protects nothing) and names that are
 * public: the built-in list (mask_default_public) plus a policy's
 * config_vars.public. HEROKU_API_KEY is always masked.
 *
 * All values are matched at once by one literal set (src/rules/), so the
 * cost does not grow with the number of vars.
 *
 * Calling sequence:
 *   1. mask_set_new(&set, vars, nr, public, public_nr)
 *   2. mask_stream_new(&ms, set, write_fn, data); mask_stream_write()...;
 *      mask_stream_close(ms); mask_stream_free(ms)     (streams), or
 *      mask_strbuf(set, &sb)                           (whole texts)
 *   3. mask_set_free(set)
 */
#ifndef SLUGGUARD_MASK_H
#define SLUGGUARD_MASK_H

#include "slugguard/strbuf.h"

/* Values shorter than this are never masked. */
#define MASK_MIN_LEN 8

/* A config var; both strings borrowed by mask_set_new() (it copies). */
struct mask_var {
	const char *name;
	const char *value;
	size_t value_len;
};

/* The built-in public names, NULL-terminated (static storage). */
extern const char *const mask_default_public[];

/*
 * Is name public: in mask_default_public or in extra[0..extra_nr)?
 * HEROKU_API_KEY never is.
 */
bool mask_name_public(const char *name, const char *const *extra,
		      size_t extra_nr);

struct mask_set;

/*
 * The patterns for vars[0..nr): each secret var's value in every form.
 * public (may be NULL) adds public names. Caller frees with
 * mask_set_free(). The matcher compiles on a worker thread (signals
 * blocked), so this returns at once: streams buffer what they are given
 * until it is ready (nothing goes out unmasked), mask_strbuf() waits, and
 * mask_set_wait() says whether it could be built. Use the set (wait,
 * free) from the thread that made it.
 */
int mask_set_new(struct mask_set **out, const struct mask_var *vars, size_t nr,
		 const char *const *public, size_t public_nr);
/*
 * Wait for the matcher. 0, or ERR_FAIL when it cannot be built (said
 * again on every call). set may be NULL.
 */
int mask_set_wait(const struct mask_set *set);
void mask_set_free(struct mask_set *set);
/* Number of secret vars (those masked). */
size_t mask_set_secret_nr(const struct mask_set *set);
/* Number of patterns (all forms of all secret values). */
size_t mask_set_pattern_nr(const struct mask_set *set);
/*
 * The literal set behind it (borrowed), for one-pass scans elsewhere;
 * only after mask_set_wait() returned 0.
 */
const struct rules_literals *mask_set_literals(const struct mask_set *set);
/* The var name of pattern id (borrowed). */
const char *mask_set_pattern_var(const struct mask_set *set, size_t id);
/* The form of pattern id: "value", "json", "url", "base64". */
const char *mask_set_pattern_form(const struct mask_set *set, size_t id);

/*
 * Mask a whole text in place. set may be NULL (nothing to mask).
 * Returns 0 or ERR_FAIL on a matcher error (sb is then emptied, so an
 * error never lets the value through).
 */
int mask_strbuf(const struct mask_set *set, struct strbuf *sb);

/* Where a stream's masked bytes go; negative stops the stream. */
typedef int (*mask_write_fn)(const char *buf, size_t len, void *data);

struct mask_stream;

/* A mask_write_fn writing to the fd *(int *)data, whole (fs_write_all). */
int mask_write_fd(const char *buf, size_t len, void *data);

/*
 * A masking stream over set (borrowed; must outlive the stream), writing
 * to fn(data). Flush policy: bytes that cannot be part of a value are
 * passed on at once; the stream holds back only the longest tail of what
 * it was given that is the beginning of some pattern (at most the
 * longest pattern's length - 1 bytes, and with it a masked run that
 * reaches into it, up to 64 KiB, as a value there may overlap it), so a
 * value split across two writes is still masked, and a line that ends in a
 * newline goes out whole unless a value continues over the newline (a PEM key).
 * The held tail goes out at mask_stream_close(). Until the set's matcher is
 * ready everything is held (up to 1 MiB; past that a write waits for it).
 * Caller frees with mask_stream_free().
 */
int mask_stream_new(struct mask_stream **out, const struct mask_set *set,
		    mask_write_fn fn, void *data);
/* Returns 0, fn's negative code or ERR_FAIL. */
int mask_stream_write(struct mask_stream *ms, const char *buf, size_t len);
/* Flush the held tail (masking a value that ends the stream). */
int mask_stream_close(struct mask_stream *ms);
void mask_stream_free(struct mask_stream *ms);

#endif
