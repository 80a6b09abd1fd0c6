/* SPDX-License-Identifier: MIT */
/* Keyed hashes: the scanner's content fingerprints. */
#include "slugguard/common.h"
#include "slugguard/sign.h"

#include "crypto-dl.h"

void sign_hmac_sha256_hex(char hex[SIGN_SHA256_HEXSZ + 1], const void *key,
			  size_t key_len, const void *msg, size_t msg_len)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, md, &n) ||
	    n != 32)
		die("hmac-sha256 failed");
	for (unsigned int i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
}
