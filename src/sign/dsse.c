/* SPDX-License-Identifier: MIT */
/* File digests, DSSE envelopes and Sigstore bundles. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "sign-internal.h"

#include <fcntl.h>
#include <unistd.h>

#include "crypto-dl.h"

#define ENVELOPE_MAX (16 * 1024 * 1024)

int sign_sha256_file(char hex[SIGN_SHA256_HEXSZ + 1], uint64_t *size_out,
		     const char *path)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char md[32];
	char *buf = NULL;
	uint64_t total = 0;
	int fd = -1;
	int rc = 0;

	hex[0] = '\0';
	if ((rc = sign_crypto_load()) < 0)
		return rc;
	ctx = EVP_MD_CTX_new();
	buf = xmalloc(1 << 20);
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = sign_error_ssl("cannot start sha256");
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = error_from_errno("cannot open '%s'", path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 20);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = error_from_errno("cannot read '%s'", path);
			goto out;
		}
		if (!n)
			break;
		total += (uint64_t)n;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
	}
	if (EVP_DigestFinal_ex(ctx, md, NULL) != 1) {
		rc = sign_error_ssl("cannot finish sha256");
		goto out;
	}
	sign_to_hex(hex, md, sizeof(md));
	if (size_out)
		*size_out = total;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

void sign_pae(struct strbuf *out, const char *type, const void *body,
	      size_t len)
{
	strbuf_addf(out, "DSSEv1 %zu %s %zu ", strlen(type), type, len);
	strbuf_add(out, body, len);
}

int sign_dsse_envelope(struct strbuf *envelope, struct strbuf *bundle,
		       const struct sign_key *k, const char *type,
		       const void *body, size_t len)
{
	struct strbuf pae = STRBUF_INIT, sig = STRBUF_INIT, b64 = STRBUF_INIT;
	struct strbuf keyid = STRBUF_INIT;
	struct json *env = NULL, *bun = NULL, *sigs, *one, *vm;
	char *text = NULL;
	int rc;

	sign_pae(&pae, type, body, len);
	rc = sign_message(&sig, k, pae.buf, pae.len);
	if (rc < 0)
		goto out;
	rc = sign_key_id(&keyid, k);
	if (rc < 0)
		goto out;
	env = json_new_object();
	sign_base64_encode(&b64, body, len);
	json_add_string(env, "payload", b64.buf);
	json_add_string(env, "payloadType", type);
	sigs = json_add(env, "signatures", json_new_array());
	one = json_push(sigs, json_new_object());
	strbuf_reset(&b64);
	sign_base64_encode(&b64, sig.buf, sig.len);
	json_add_string(one, "keyid", keyid.buf);
	json_add_string(one, "sig", b64.buf);
	text = json_print(env, false);
	strbuf_addstr(envelope, text);
	free(text);

	bun = json_new_object();
	json_add_string(bun, "mediaType", SIGN_BUNDLE_MEDIA_TYPE);
	vm = json_add(bun, "verificationMaterial", json_new_object());
	json_add_string(json_add(vm, "publicKey", json_new_object()), "hint",
			keyid.buf);
	json_add(vm, "tlogEntries", json_new_array());
	json_add(json_add(vm, "timestampVerificationData", json_new_object()),
		 "rfc3161Timestamps", json_new_array());
	json_add(bun, "dsseEnvelope", env);
	env = NULL;
	text = json_print(bun, false);
	strbuf_addstr(bundle, text);
	free(text);
out:
	json_free(env);
	json_free(bun);
	strbuf_release(&pae);
	strbuf_release(&sig);
	strbuf_release(&b64);
	strbuf_release(&keyid);
	return rc;
}

int sign_dsse_open(struct strbuf *payload, const struct sign_key *k,
		   const char *buf, size_t len, const char *what)
{
	struct json *root = NULL;
	const struct json *env, *sigs;
	const char *type, *p64, *s64, *media;
	struct strbuf body = STRBUF_INIT, sig = STRBUF_INIT, pae = STRBUF_INIT;
	int rc;

	if (len > ENVELOPE_MAX)
		return error_set("'%s' is too large", what);
	rc = json_parse(&root, buf, len, what);
	if (rc < 0)
		goto out;
	env = root;
	media = json_get_string(root, "mediaType");
	if (media) {
		if (!starts_with(media,
				 "application/vnd.dev.sigstore.bundle")) {
			rc = error_setc(ERR_REJECTED,
					"'%s': unknown bundle media type",
					what);
			goto out;
		}
		env = json_get(root, "dsseEnvelope");
		if (!env) {
			rc = error_setc(ERR_REJECTED,
					"'%s': bundle holds no DSSE envelope",
					what);
			goto out;
		}
	}
	type = json_get_string(env, "payloadType");
	p64 = json_get_string(env, "payload");
	sigs = json_get(env, "signatures");
	if (!type || !p64 || !json_is_array(sigs) || !json_array_size(sigs)) {
		rc = error_setc(ERR_REJECTED, "'%s' is not a DSSE envelope",
				what);
		goto out;
	}
	s64 = json_get_string(json_array_at(sigs, 0), "sig");
	if (!s64) {
		rc = error_setc(ERR_REJECTED, "'%s' has no signature", what);
		goto out;
	}
	rc = sign_base64_decode(&body, p64, strlen(p64), "the payload");
	if (!rc)
		rc = sign_base64_decode(&sig, s64, strlen(s64),
					"the signature");
	if (rc < 0) {
		char *msg = xstrdup(error_last());

		rc = error_setc(ERR_REJECTED, "'%s': %s", what, msg);
		free(msg);
		goto out;
	}
	sign_pae(&pae, type, body.buf, body.len);
	rc = sign_verify_message(k, pae.buf, pae.len, sig.buf, sig.len);
	if (rc < 0) {
		rc = error_wrap(rc, "'%s'", what);
		goto out;
	}
	if (strcmp(type, SIGN_INTOTO_PAYLOAD_TYPE)) {
		rc = error_setc(ERR_REJECTED, "'%s': payload type is not '%s'",
				what, SIGN_INTOTO_PAYLOAD_TYPE);
		goto out;
	}
	strbuf_addbuf(payload, &body);
out:
	json_free(root);
	strbuf_release(&body);
	strbuf_release(&sig);
	strbuf_release(&pae);
	return rc;
}
