/* SPDX-License-Identifier: MIT */
/*
 * Base64 through OpenSSL, used by key fingerprints (key.c) and DSSE
 * envelopes (dsse.c) alike, so neither file needs the other for it.
 */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/sign.h"

#include "crypto-dl.h"

void sign_base64_encode(struct strbuf *out, const void *buf, size_t len)
{
	size_t need = st_add(st_mult(4, (len + 2) / 3), 1);

	if (len > INT32_MAX)
		die("base64 input too large");
	strbuf_grow(out, need);
	EVP_EncodeBlock((unsigned char *)out->buf + out->len, buf, (int)len);
	strbuf_setlen(out, out->len + need - 1);
}

int sign_base64_decode(struct strbuf *out, const char *s, size_t len,
		       const char *what)
{
	struct strbuf in = STRBUF_INIT;
	size_t pad = 0;
	int n;
	int rc = 0;

	/* DSSE verifiers must accept both alphabets, padded or not. */
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (c == '=')
			continue;
		else if (c == '\n' || c == '\r')
			continue;
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '+' || c == '/')) {
			rc = error_set("invalid base64 in %s", what);
			goto out;
		}
		strbuf_addch(&in, c);
	}
	if (in.len % 4 == 1) {
		rc = error_set("invalid base64 in %s", what);
		goto out;
	}
	while (in.len % 4) {
		strbuf_addch(&in, '=');
		pad++;
	}
	if (in.len > INT32_MAX) {
		rc = error_set("base64 in %s is too large", what);
		goto out;
	}
	if ((rc = sign_crypto_load()) < 0)
		goto out;
	strbuf_grow(out, in.len / 4 * 3 + 1);
	n = EVP_DecodeBlock((unsigned char *)out->buf + out->len,
			    (const unsigned char *)in.buf, (int)in.len);
	if (n < 0 || (size_t)n < pad) {
		rc = error_set("invalid base64 in %s", what);
		goto out;
	}
	strbuf_setlen(out, out->len + (size_t)n - pad);
out:
	strbuf_release(&in);
	return rc;
}
