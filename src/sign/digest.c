/* SPDX-License-Identifier: MIT */
/* Streaming SHA-256 through OpenSSL, for callers that hash as they send. */
#include "slugguard/common.h"
#include "slugguard/sign.h"
#include "sign-internal.h"

#include "crypto-dl.h"

struct sign_sha256 {
	EVP_MD_CTX *ctx;
};

void sign_to_hex(char *hex, const unsigned char *md, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = '\0';
}

struct sign_sha256 *sign_sha256_new(void)
{
	struct sign_sha256 *c = xcalloc(1, sizeof(*c));

	c->ctx = EVP_MD_CTX_new();
	if (!c->ctx)
		die("out of memory starting sha256");
	sign_sha256_reset(c);
	return c;
}

/* Failures here are allocation failures in OpenSSL: fatal, as OOM is. */
void sign_sha256_reset(struct sign_sha256 *c)
{
	if (EVP_DigestInit_ex(c->ctx, EVP_sha256(), NULL) != 1)
		die("sha256 init failed");
}

void sign_sha256_update(struct sign_sha256 *c, const void *p, size_t n)
{
	if (n && EVP_DigestUpdate(c->ctx, p, n) != 1)
		die("sha256 update failed");
}

void sign_sha256_final_hex(struct sign_sha256 *c,
			   char hex[SIGN_SHA256_HEXSZ + 1])
{
	unsigned char md[32];

	if (EVP_DigestFinal_ex(c->ctx, md, NULL) != 1)
		die("sha256 final failed");
	sign_to_hex(hex, md, sizeof(md));
}

void sign_sha256_free(struct sign_sha256 *c)
{
	if (!c)
		return;
	EVP_MD_CTX_free(c->ctx);
	free(c);
}
