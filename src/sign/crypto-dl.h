/* SPDX-License-Identifier: MIT */
/*
 * OpenSSL's libcrypto, loaded on first use. Linked statically it was
 * 340 KB of tables that the loader relocates at every start (~90 page
 * faults, ~1.5 ms of every process, a tenth of a small pre-push scan that
 * signs nothing). src/sign (libcrypto's one user) loads it the first time
 * it hashes, signs or reads a key. Include this instead of the OpenSSL
 * headers: each OpenSSL function the module calls is redefined below as
 * a call through the table, so the code reads as plain OpenSSL.
 */
#ifndef SLUGGUARD_SIGN_CRYPTO_DL_H
#define SLUGGUARD_SIGN_CRYPTO_DL_H

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

struct sign_crypto_api {
	__typeof__(BIO_ctrl) *BIO_ctrl;
	__typeof__(BIO_free_all) *BIO_free_all;
	__typeof__(BIO_new) *BIO_new;
	__typeof__(BIO_new_mem_buf) *BIO_new_mem_buf;
	__typeof__(BIO_s_mem) *BIO_s_mem;
	__typeof__(BIO_s_secmem) *BIO_s_secmem;
	__typeof__(ERR_clear_error) *ERR_clear_error;
	__typeof__(ERR_error_string_n) *ERR_error_string_n;
	__typeof__(ERR_get_error) *ERR_get_error;
	__typeof__(EVP_DecodeBlock) *EVP_DecodeBlock;
	__typeof__(EVP_Digest) *EVP_Digest;
	__typeof__(EVP_DigestFinal_ex) *EVP_DigestFinal_ex;
	__typeof__(EVP_DigestInit_ex) *EVP_DigestInit_ex;
	__typeof__(EVP_DigestSign) *EVP_DigestSign;
	__typeof__(EVP_DigestSignInit_ex) *EVP_DigestSignInit_ex;
	__typeof__(EVP_DigestUpdate) *EVP_DigestUpdate;
	__typeof__(EVP_DigestVerify) *EVP_DigestVerify;
	__typeof__(EVP_DigestVerifyInit_ex) *EVP_DigestVerifyInit_ex;
	__typeof__(EVP_EncodeBlock) *EVP_EncodeBlock;
	__typeof__(EVP_MD_CTX_free) *EVP_MD_CTX_free;
	__typeof__(EVP_MD_CTX_new) *EVP_MD_CTX_new;
	__typeof__(EVP_PKEY_Q_keygen) *EVP_PKEY_Q_keygen;
	__typeof__(EVP_PKEY_free) *EVP_PKEY_free;
	__typeof__(EVP_PKEY_get_octet_string_param)
		*EVP_PKEY_get_octet_string_param;
	__typeof__(EVP_PKEY_get_raw_public_key) *EVP_PKEY_get_raw_public_key;
	__typeof__(EVP_PKEY_get_utf8_string_param)
		*EVP_PKEY_get_utf8_string_param;
	__typeof__(EVP_PKEY_is_a) *EVP_PKEY_is_a;
	__typeof__(EVP_PKEY_new_raw_private_key) *EVP_PKEY_new_raw_private_key;
	__typeof__(EVP_sha256) *EVP_sha256;
	__typeof__(HMAC) *HMAC;
	__typeof__(OPENSSL_cleanse) *OPENSSL_cleanse;
	__typeof__(OpenSSL_version) *OpenSSL_version;
	__typeof__(PEM_read_bio_PUBKEY) *PEM_read_bio_PUBKEY;
	__typeof__(PEM_read_bio_PrivateKey) *PEM_read_bio_PrivateKey;
	__typeof__(PEM_write_bio_PUBKEY) *PEM_write_bio_PUBKEY;
	__typeof__(PEM_write_bio_PrivateKey) *PEM_write_bio_PrivateKey;
};

/*
 * dlopen libcrypto (once, thread-safe) and fill the table. Returns 0 or
 * ERR_FAIL naming the library and dlerror()'s reason.
 */
int sign_crypto_load(void);

/*
 * The table, loaded. A missing libcrypto is an installation fault, like a
 * missing libc: where a caller has no way to report it (the hashing
 * helpers return void) this die()s with sign_crypto_load()'s message.
 * Entry points that can fail call sign_crypto_load() first instead.
 */
const struct sign_crypto_api *sign_crypto(void);

/* crypto-dl.c fills the table by these names: it sees no redirection. */
#ifndef SIGN_CRYPTO_DL_TABLE
#define BIO_ctrl (sign_crypto()->BIO_ctrl)
#define BIO_free_all (sign_crypto()->BIO_free_all)
#define BIO_new (sign_crypto()->BIO_new)
#define BIO_new_mem_buf (sign_crypto()->BIO_new_mem_buf)
#define BIO_s_mem (sign_crypto()->BIO_s_mem)
#define BIO_s_secmem (sign_crypto()->BIO_s_secmem)
#define ERR_clear_error (sign_crypto()->ERR_clear_error)
#define ERR_error_string_n (sign_crypto()->ERR_error_string_n)
#define ERR_get_error (sign_crypto()->ERR_get_error)
#define EVP_DecodeBlock (sign_crypto()->EVP_DecodeBlock)
#define EVP_Digest (sign_crypto()->EVP_Digest)
#define EVP_DigestFinal_ex (sign_crypto()->EVP_DigestFinal_ex)
#define EVP_DigestInit_ex (sign_crypto()->EVP_DigestInit_ex)
#define EVP_DigestSign (sign_crypto()->EVP_DigestSign)
#define EVP_DigestSignInit_ex (sign_crypto()->EVP_DigestSignInit_ex)
#define EVP_DigestUpdate (sign_crypto()->EVP_DigestUpdate)
#define EVP_DigestVerify (sign_crypto()->EVP_DigestVerify)
#define EVP_DigestVerifyInit_ex (sign_crypto()->EVP_DigestVerifyInit_ex)
#define EVP_EncodeBlock (sign_crypto()->EVP_EncodeBlock)
#define EVP_MD_CTX_free (sign_crypto()->EVP_MD_CTX_free)
#define EVP_MD_CTX_new (sign_crypto()->EVP_MD_CTX_new)
#define EVP_PKEY_Q_keygen (sign_crypto()->EVP_PKEY_Q_keygen)
#define EVP_PKEY_free (sign_crypto()->EVP_PKEY_free)
#define EVP_PKEY_get_octet_string_param \
	(sign_crypto()->EVP_PKEY_get_octet_string_param)
#define EVP_PKEY_get_raw_public_key (sign_crypto()->EVP_PKEY_get_raw_public_key)
#define EVP_PKEY_get_utf8_string_param \
	(sign_crypto()->EVP_PKEY_get_utf8_string_param)
#define EVP_PKEY_is_a (sign_crypto()->EVP_PKEY_is_a)
#define EVP_PKEY_new_raw_private_key \
	(sign_crypto()->EVP_PKEY_new_raw_private_key)
#define EVP_sha256 (sign_crypto()->EVP_sha256)
#define HMAC (sign_crypto()->HMAC)
#define OPENSSL_cleanse (sign_crypto()->OPENSSL_cleanse)
#define OpenSSL_version (sign_crypto()->OpenSSL_version)
#define PEM_read_bio_PUBKEY (sign_crypto()->PEM_read_bio_PUBKEY)
#define PEM_read_bio_PrivateKey (sign_crypto()->PEM_read_bio_PrivateKey)
#define PEM_write_bio_PUBKEY (sign_crypto()->PEM_write_bio_PUBKEY)
#define PEM_write_bio_PrivateKey (sign_crypto()->PEM_write_bio_PrivateKey)

#endif

#endif
