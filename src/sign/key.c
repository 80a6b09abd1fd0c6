/* SPDX-License-Identifier: MIT */
/* Signing keys: generation, PEM files, fingerprints, sign and verify. */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/fs.h"
#include "slugguard/sign.h"
#include "sign-internal.h"

#include <fcntl.h>
#include <unistd.h>

#include "crypto-dl.h"

#define KEY_FILE_MAX (64 * 1024)

struct sign_key {
	EVP_PKEY *pkey;
	enum sign_key_type type;
	bool is_private;
};

int sign_error_ssl(const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256];

	if (!e)
		return error_set("%s", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return error_set("%s: %s", what, buf);
}

int sign_key_type_parse(enum sign_key_type *out, const char *name)
{
	if (!strcmp(name, "ecdsa-p256") || !strcmp(name, "p256") ||
	    !strcmp(name, "ecdsa")) {
		*out = SIGN_KEY_ECDSA_P256;
		return 0;
	}
	if (!strcmp(name, "ed25519")) {
		*out = SIGN_KEY_ED25519;
		return 0;
	}
	return error_setc(ERR_USAGE,
			  "unknown key type '%s' (ecdsa-p256, ed25519)", name);
}

void sign_key_free(struct sign_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

enum sign_key_type sign_key_type(const struct sign_key *k)
{
	return k->type;
}

bool sign_key_is_private(const struct sign_key *k)
{
	return k->is_private;
}

/* Wrap pkey (taken) after checking it is a type we support. */
static int key_wrap(struct sign_key **out, EVP_PKEY *pkey, bool priv,
		    const char *what)
{
	struct sign_key *k;
	char group[64] = "";
	size_t glen = 0;

	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		k = xcalloc(1, sizeof(*k));
		k->type = SIGN_KEY_ED25519;
	} else if (EVP_PKEY_is_a(pkey, "EC") &&
		   EVP_PKEY_get_utf8_string_param(
			   pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
			   sizeof(group), &glen) == 1 &&
		   (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))) {
		k = xcalloc(1, sizeof(*k));
		k->type = SIGN_KEY_ECDSA_P256;
	} else {
		EVP_PKEY_free(pkey);
		return error_set("'%s' is not an ECDSA P-256 or Ed25519 key",
				 what);
	}
	k->pkey = pkey;
	k->is_private = priv;
	*out = k;
	return 0;
}

int sign_key_from_pem(struct sign_key **out, const char *pem, size_t len,
		      const char *what)
{
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	bool priv = false;
	int rc;

	*out = NULL;
	if ((rc = sign_crypto_load()) < 0)
		return rc;
	if (len > INT32_MAX)
		return error_set("'%s' is too large", what);
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return sign_error_ssl("cannot allocate a BIO");
	/* Decide by the label: never guess a private key from a public one. */
	if (strstr(pem, "PRIVATE KEY-----")) {
		pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		priv = true;
	} else {
		pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	}
	BIO_free_all(bio);
	if (!pkey) {
		ERR_clear_error();
		return error_set("'%s' is not a PEM %s key (encrypted keys are "
				 "not supported)",
				 what, priv ? "private" : "public");
	}
	rc = key_wrap(out, pkey, priv, what);
	return rc;
}

static int key_load(struct sign_key **out, const char *path, bool priv)
{
	struct strbuf sb = STRBUF_INIT;
	int fd = -1;
	int rc;

	*out = NULL;
	if ((rc = sign_crypto_load()) < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = error_from_errno("cannot open key '%s'", path);
		goto out;
	}
	rc = fs_read_fd_capped(&sb, fd, KEY_FILE_MAX, path);
	if (rc < 0)
		goto out;
	rc = sign_key_from_pem(out, sb.buf, sb.len, path);
	if (rc < 0)
		goto out;
	if (priv && !(*out)->is_private) {
		sign_key_free(*out);
		*out = NULL;
		rc = error_set(
			"'%s' is a public key; signing needs the private "
			"key",
			path);
	}
out:
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(sb.buf, sb.alloc ? sb.alloc : 0);
	strbuf_release(&sb);
	return rc;
}

int sign_key_load_private(struct sign_key **out, const char *path)
{
	return key_load(out, path, true);
}

int sign_key_load_public(struct sign_key **out, const char *path)
{
	int rc = key_load(out, path, false);

	/* A private key also verifies: keep only its public half's role. */
	if (!rc)
		(*out)->is_private = false;
	return rc;
}

int sign_key_from_ed25519_seed(struct sign_key **out,
			       const unsigned char seed[32])
{
	EVP_PKEY *pkey;
	int rc;

	*out = NULL;
	if ((rc = sign_crypto_load()) < 0)
		return rc;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if (!pkey)
		return sign_error_ssl("cannot make an Ed25519 key");
	return key_wrap(out, pkey, true, "seed");
}

static void bio_to_strbuf(struct strbuf *out, BIO *bio)
{
	char *p = NULL;
	long n = BIO_get_mem_data(bio, &p);

	if (n > 0)
		strbuf_add(out, p, (size_t)n);
}

int sign_key_public_pem(struct strbuf *out, const struct sign_key *k)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc = 0;

	if (!bio)
		return sign_error_ssl("cannot allocate a BIO");
	if (PEM_write_bio_PUBKEY(bio, k->pkey) != 1)
		rc = sign_error_ssl("cannot write public key");
	else
		bio_to_strbuf(out, bio);
	BIO_free_all(bio);
	return rc;
}

int sign_keygen(const char *path, const char *pub_path, enum sign_key_type type,
		bool force)
{
	struct sign_key k = { NULL, SIGN_KEY_ECDSA_P256, true };
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	struct strbuf pub = STRBUF_INIT;
	char *p = NULL;
	long n;
	int rc = 0;

	if ((rc = sign_crypto_load()) < 0)
		return rc;
	if (type == SIGN_KEY_ED25519)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	else
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (!pkey) {
		rc = sign_error_ssl("cannot generate key");
		goto out;
	}
	bio = BIO_new(BIO_s_secmem());
	if (!bio) {
		rc = sign_error_ssl("cannot allocate a BIO");
		goto out;
	}
	if (PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL) !=
	    1) {
		rc = sign_error_ssl("cannot encode private key");
		goto out;
	}
	n = BIO_get_mem_data(bio, &p);
	if (n <= 0) {
		rc = error_set("cannot encode private key");
		goto out;
	}
	k.pkey = pkey;
	k.type = type;
	rc = sign_key_public_pem(&pub, &k);
	if (rc < 0)
		goto out;
	rc = fs_write_exclusive(path, p, (size_t)n, 0600, force);
	if (rc < 0)
		goto out;
	rc = fs_write_exclusive(pub_path, pub.buf, pub.len, 0644, force);
	if (rc < 0)
		unlink(path);
out:
	/* The secure-heap BIO is cleansed when freed. */
	BIO_free_all(bio);
	EVP_PKEY_free(pkey);
	strbuf_release(&pub);
	return rc;
}

/* SSH wire "string": uint32 big-endian length, then the bytes. */
static void ssh_string(struct strbuf *sb, const void *p, size_t n)
{
	unsigned char len[4] = { (unsigned char)(n >> 24),
				 (unsigned char)(n >> 16),
				 (unsigned char)(n >> 8), (unsigned char)n };

	strbuf_add(sb, len, 4);
	strbuf_add(sb, p, n);
}

int sign_key_id(struct strbuf *out, const struct sign_key *k)
{
	struct strbuf wire = STRBUF_INIT, b64 = STRBUF_INIT;
	unsigned char raw[133];
	unsigned char md[32];
	size_t n = sizeof(raw);
	int rc = 0;

	if (k->type == SIGN_KEY_ED25519) {
		if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &n) != 1) {
			rc = sign_error_ssl("cannot read public key");
			goto out;
		}
		ssh_string(&wire, "ssh-ed25519", 11);
		ssh_string(&wire, raw, n);
	} else {
		if (EVP_PKEY_get_octet_string_param(
			    k->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, raw,
			    sizeof(raw), &n) != 1 ||
		    n != 65) {
			rc = sign_error_ssl("cannot read public key");
			goto out;
		}
		ssh_string(&wire, "ecdsa-sha2-nistp256", 19);
		ssh_string(&wire, "nistp256", 8);
		ssh_string(&wire, raw, n);
	}
	if (EVP_Digest(wire.buf, wire.len, md, NULL, EVP_sha256(), NULL) != 1) {
		rc = sign_error_ssl("cannot hash public key");
		goto out;
	}
	sign_base64_encode(&b64, md, sizeof(md));
	while (b64.len && b64.buf[b64.len - 1] == '=')
		strbuf_setlen(&b64, b64.len - 1);
	strbuf_addstr(out, "SHA256:");
	strbuf_addbuf(out, &b64);
out:
	strbuf_release(&wire);
	strbuf_release(&b64);
	return rc;
}

int sign_message(struct strbuf *sig, const struct sign_key *k, const void *msg,
		 size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *md = k->type == SIGN_KEY_ED25519 ? NULL : "SHA256";
	size_t n = 0;
	int rc = 0;

	if (!k->is_private)
		BUG("sign_message with a public key");
	if (!ctx)
		return sign_error_ssl("cannot allocate a digest context");
	if (EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, k->pkey, NULL) !=
		    1 ||
	    EVP_DigestSign(ctx, NULL, &n, msg, len) != 1) {
		rc = sign_error_ssl("cannot sign");
		goto out;
	}
	strbuf_grow(sig, n);
	if (EVP_DigestSign(ctx, (unsigned char *)sig->buf + sig->len, &n, msg,
			   len) != 1) {
		rc = sign_error_ssl("cannot sign");
		goto out;
	}
	strbuf_setlen(sig, sig->len + n);
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int sign_verify_message(const struct sign_key *k, const void *msg, size_t len,
			const void *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const char *md = k->type == SIGN_KEY_ED25519 ? NULL : "SHA256";
	int ok;

	if (!ctx)
		return sign_error_ssl("cannot allocate a digest context");
	ok = EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, k->pkey,
				     NULL) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return error_setc(ERR_REJECTED,
				  "signature does not verify with this key");
	return 0;
}

const char *sign_backend_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION_STRING);
}
