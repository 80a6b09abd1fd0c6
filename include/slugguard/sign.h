/* SPDX-License-Identifier: MIT */
/*
 * sign: the only user of OpenSSL. Signing keys (ECDSA P-256 and Ed25519),
 * their OpenSSH-style fingerprints, SHA-256 digests, base64, and DSSE
 * envelopes (in-toto attestations) with their Sigstore bundle wrapping.
 *
 * Secrets: every buffer that held private key material is wiped with
 * OPENSSL_cleanse before it is freed; private keys are never printed.
 */
#ifndef SLUGGUARD_SIGN_H
#define SLUGGUARD_SIGN_H

#include "slugguard/strbuf.h"

#include <time.h>

/* The DSSE payload type of in-toto statements: the only one we accept. */
#define SIGN_INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define SIGN_BUNDLE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle.v0.3+json"
/* 64 hex digits and a NUL. */
#define SIGN_SHA256_HEXSZ 64

enum sign_key_type {
	SIGN_KEY_ECDSA_P256 = 0, /* the default: widest verifier support */
	SIGN_KEY_ED25519 = 1
};

/* An opaque public or private key. */
struct sign_key;

/*
 * Parse "ecdsa-p256" (also "p256", "ecdsa") or "ed25519". Returns 0 or
 * ERR_USAGE with a message naming the bad value.
 */
int sign_key_type_parse(enum sign_key_type *out, const char *name);

/*
 * Generate a key pair and write the private key (PKCS#8 PEM) to path,
 * created O_EXCL|O_NOFOLLOW with mode 0600, and the public key (SPKI PEM,
 * "PUBLIC KEY") to pub_path with mode 0644 (also exclusive). With force,
 * existing regular files are replaced. Returns 0 or ERR_FAIL.
 */
int sign_keygen(const char *path, const char *pub_path, enum sign_key_type type,
		bool force);

/*
 * Load a PEM private key (unencrypted PKCS#8, as sign_keygen writes) or a
 * PEM public key ("PUBLIC KEY"). The file is opened O_NOFOLLOW. Only
 * ECDSA P-256 and Ed25519 keys are accepted. The caller frees *out with
 * sign_key_free(). Returns 0, ERR_NOTFOUND or ERR_FAIL.
 */
int sign_key_load_private(struct sign_key **out, const char *path);
int sign_key_load_public(struct sign_key **out, const char *path);
/* Parse a PEM from memory (either kind, by its label). */
int sign_key_from_pem(struct sign_key **out, const char *pem, size_t len,
		      const char *what);
/* An Ed25519 private key from its 32-byte RFC 8032 seed (golden tests). */
int sign_key_from_ed25519_seed(struct sign_key **out,
			       const unsigned char seed[32]);
void sign_key_free(struct sign_key *k);
enum sign_key_type sign_key_type(const struct sign_key *k);
bool sign_key_is_private(const struct sign_key *k);

/*
 * The key id used in DSSE envelopes and Sigstore bundle hints: the
 * OpenSSH fingerprint "SHA256:<unpadded base64 of sha256(ssh wire key)>"
 * (what `ssh-keygen -lf` prints). Appended to out.
 */
int sign_key_id(struct strbuf *out, const struct sign_key *k);
/* The SPKI PEM of the public half, appended to out. */
int sign_key_public_pem(struct strbuf *out, const struct sign_key *k);

/*
 * SHA-256 of a file, streamed. *size_out (optional) receives its length.
 * Returns 0 or ERR_FAIL naming the path.
 */
int sign_sha256_file(char hex[SIGN_SHA256_HEXSZ + 1], uint64_t *size_out,
		     const char *path);

/*
 * Streaming SHA-256, for hashing bytes as they are sent (the slug upload).
 * sign_sha256_new() returns a started context the caller frees with
 * sign_sha256_free(); reset starts over; final_hex writes 64 lowercase hex
 * digits and a NUL (call reset before reusing). OpenSSL failures here are
 * allocation failures and fatal.
 */
struct sign_sha256;
struct sign_sha256 *sign_sha256_new(void);
void sign_sha256_reset(struct sign_sha256 *c);
void sign_sha256_update(struct sign_sha256 *c, const void *p, size_t n);
void sign_sha256_final_hex(struct sign_sha256 *c,
			   char hex[SIGN_SHA256_HEXSZ + 1]);
void sign_sha256_free(struct sign_sha256 *c);

/* Standard padded base64 of buf, appended to out. */
void sign_base64_encode(struct strbuf *out, const void *buf, size_t len);
/*
 * Decode standard or URL-safe base64, padded or not, appended to out.
 * Returns 0 or ERR_FAIL ("invalid base64 in <what>").
 */
int sign_base64_decode(struct strbuf *out, const char *s, size_t len,
		       const char *what);

/*
 * DSSE pre-authentication encoding, appended to out:
 * "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body.
 */
void sign_pae(struct strbuf *out, const char *type, const void *body,
	      size_t len);

/*
 * Sign / verify msg with the key (Ed25519: pure; P-256: SHA-256 with a
 * DER signature). sign appends the signature to sig. verify returns 0 when
 * the signature is good, ERR_REJECTED when it is not.
 */
int sign_message(struct strbuf *sig, const struct sign_key *k, const void *msg,
		 size_t len);
int sign_verify_message(const struct sign_key *k, const void *msg, size_t len,
			const void *sig, size_t siglen);

/*
 * An in-toto Statement v1 with a SLSA Provenance v1 predicate, the parts
 * every builder of ours fills the same way: the subject (file name and
 * SHA-256 hex), buildType, externalParameters.source {repository, ref},
 * the first resolvedDependency (the source, git+repo@ref with its
 * gitCommit), runDetails.builder {id, version.slugguard} and
 * runDetails.metadata {invocationId, startedOn, finishedOn}. The inputs
 * are borrowed. On return ext, deps, version and run point into the
 * statement (owned by it) for the builder's own fields, which go after
 * these. The statement is the caller's (json_free()).
 */
struct json;
struct sign_slsa {
	const char *subject, *sha256;
	const char *build_type, *builder_id;
	const char *repo, *ref, *commit;
	const char *invocation;
	time_t started, finished;
	struct json *ext, *deps, *version, *run; /* out */
};
struct json *sign_slsa_statement(struct sign_slsa *s);

/*
 * Build a DSSE envelope over body with payload type type, signed with the
 * private key k: {"payload", "payloadType", "signatures":[{"keyid","sig"}]}
 * with keyid = sign_key_id(k). The compact JSON is appended to envelope
 * and the Sigstore bundle v0.3 holding the same envelope (publicKey hint
 * = the key id, no tlog entries) to bundle. Returns 0 or ERR_FAIL.
 */
int sign_dsse_envelope(struct strbuf *envelope, struct strbuf *bundle,
		       const struct sign_key *k, const char *type,
		       const void *body, size_t len);

/*
 * Verify a DSSE envelope or a Sigstore bundle (found by its mediaType)
 * held in buf against the public key k, in the order DSSE prescribes:
 * decode, verify the first signature over PAE(payloadType, payload), then
 * require payloadType == SIGN_INTOTO_PAYLOAD_TYPE. On success the decoded
 * payload is appended to payload. Returns 0, ERR_REJECTED (bad signature
 * or type, message says which) or ERR_FAIL (malformed input).
 */
int sign_dsse_open(struct strbuf *payload, const struct sign_key *k,
		   const char *buf, size_t len, const char *what);

/* "OpenSSL 3.0.x ..." version text, borrowed (for provenance). */
const char *sign_backend_version(void);

/*
 * HMAC-SHA256 of msg under key as lowercase hex (hex receives 65 bytes).
 * Used by the scanner for content fingerprints that do not reveal the
 * secret (added by the scan engine).
 */
void sign_hmac_sha256_hex(char hex[SIGN_SHA256_HEXSZ + 1], const void *key,
			  size_t key_len, const void *msg, size_t msg_len);

#endif
