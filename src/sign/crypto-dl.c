/* SPDX-License-Identifier: MIT */
/* libcrypto on first use: see crypto-dl.h. */
#include "slugguard/common.h"
#include "slugguard/dl.h"
#include "slugguard/error.h"
#define SIGN_CRYPTO_DL_TABLE
#include "crypto-dl.h"

#include <pthread.h>

/* Debian's soname (libssl3). */
#define CRYPTO_SONAME "libcrypto.so.3"

static struct sign_crypto_api api;
static void *handle;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc;
static char *load_msg; /* the failure's message, kept for every caller */

static void load(void)
{
	const struct dl_sym syms[] = {
		{ "BIO_ctrl", &api.BIO_ctrl },
		{ "BIO_free_all", &api.BIO_free_all },
		{ "BIO_new", &api.BIO_new },
		{ "BIO_new_mem_buf", &api.BIO_new_mem_buf },
		{ "BIO_s_mem", &api.BIO_s_mem },
		{ "BIO_s_secmem", &api.BIO_s_secmem },
		{ "ERR_clear_error", &api.ERR_clear_error },
		{ "ERR_error_string_n", &api.ERR_error_string_n },
		{ "ERR_get_error", &api.ERR_get_error },
		{ "EVP_DecodeBlock", &api.EVP_DecodeBlock },
		{ "EVP_Digest", &api.EVP_Digest },
		{ "EVP_DigestFinal_ex", &api.EVP_DigestFinal_ex },
		{ "EVP_DigestInit_ex", &api.EVP_DigestInit_ex },
		{ "EVP_DigestSign", &api.EVP_DigestSign },
		{ "EVP_DigestSignInit_ex", &api.EVP_DigestSignInit_ex },
		{ "EVP_DigestUpdate", &api.EVP_DigestUpdate },
		{ "EVP_DigestVerify", &api.EVP_DigestVerify },
		{ "EVP_DigestVerifyInit_ex", &api.EVP_DigestVerifyInit_ex },
		{ "EVP_EncodeBlock", &api.EVP_EncodeBlock },
		{ "EVP_MD_CTX_free", &api.EVP_MD_CTX_free },
		{ "EVP_MD_CTX_new", &api.EVP_MD_CTX_new },
		{ "EVP_PKEY_Q_keygen", &api.EVP_PKEY_Q_keygen },
		{ "EVP_PKEY_free", &api.EVP_PKEY_free },
		{ "EVP_PKEY_get_octet_string_param",
		  &api.EVP_PKEY_get_octet_string_param },
		{ "EVP_PKEY_get_raw_public_key",
		  &api.EVP_PKEY_get_raw_public_key },
		{ "EVP_PKEY_get_utf8_string_param",
		  &api.EVP_PKEY_get_utf8_string_param },
		{ "EVP_PKEY_is_a", &api.EVP_PKEY_is_a },
		{ "EVP_PKEY_new_raw_private_key",
		  &api.EVP_PKEY_new_raw_private_key },
		{ "EVP_sha256", &api.EVP_sha256 },
		{ "HMAC", &api.HMAC },
		{ "OPENSSL_cleanse", &api.OPENSSL_cleanse },
		{ "OpenSSL_version", &api.OpenSSL_version },
		{ "PEM_read_bio_PUBKEY", &api.PEM_read_bio_PUBKEY },
		{ "PEM_read_bio_PrivateKey", &api.PEM_read_bio_PrivateKey },
		{ "PEM_write_bio_PUBKEY", &api.PEM_write_bio_PUBKEY },
		{ "PEM_write_bio_PrivateKey", &api.PEM_write_bio_PrivateKey },
	};

	load_rc = dl_load(&handle, CRYPTO_SONAME, syms, ARRAY_SIZE(syms));
	if (load_rc < 0)
		load_msg = xstrdup(error_last());
}

int sign_crypto_load(void)
{
	pthread_once(&once, load);
	if (load_rc < 0)
		return error_set("%s", load_msg);
	return 0;
}

const struct sign_crypto_api *sign_crypto(void)
{
	if (sign_crypto_load() < 0)
		die("%s", error_last());
	return &api;
}
