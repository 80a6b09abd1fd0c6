#!/bin/sh
# Signed provenance: keygen, in-toto/DSSE/Sigstore files checked by openssl,
# by @sigstore/verify (npm) and by slugguard verify, for both key types.
. "$(dirname "$0")/lib.sh"

HELPER="$TEST_DIRECTORY/helper"
NPM_DIR="$SLUGGUARD_TOP/$SLUGGUARD_BUILD/npm"

# One npm install per build tree; a clear skip when npm is unreachable.
have_node_verify() {
	[ -d "$NPM_DIR/node_modules/@sigstore/verify" ] && return 0
	command -v npm >/dev/null 2>&1 || return 1
	mkdir -p "$NPM_DIR" &&
	timeout 300 npm install --prefix "$NPM_DIR" --no-audit --no-fund \
		--no-save @sigstore/verify@3.1.1 @sigstore/bundle@4 \
		@sigstore/core@3 >"$TRASH/npm.log" 2>&1
}

node_verify() {
	NODE_PATH="$NPM_DIR/node_modules" node "$HELPER/sigstore-verify.js" "$@"
}

if have_node_verify; then
	NODE_OK=1
else
	NODE_OK=
	say "npm registry unreachable: @sigstore/verify checks skipped"
fi

# node_skip TEXT: a TAP skip line when node checks cannot run.
node_skip() {
	test_skip "$1" "npm unreachable"
}

test_expect_success 'setup: an app and a buildpack' '
	git init -q app &&
	(cd app && printf "web: ./run\n" >Procfile && git add -A &&
		test_tick && git commit -q -m init) &&
	mkdir -p bp/bin &&
	printf "#!/bin/sh\necho Fixture\n" >bp/bin/detect &&
	printf "#!/bin/sh\necho built >\"\$1/built\"\n" >bp/bin/compile &&
	chmod +x bp/bin/*
'

test_expect_success 'keygen writes a 0600 private key and refuses to overwrite' '
	"$SG" keygen --out p256.pem >out &&
	test "$(stat -c %a p256.pem)" = 600 &&
	test -f p256.pub.pem &&
	sed -n 1p out >v && echo p256.pub.pem >e && test_cmp e v &&
	sed -n 2p out | grep "^SHA256:[A-Za-z0-9+/]\{43\}$" &&
	test_expect_code 2 "$SG" keygen --out p256.pem 2>err &&
	grep "already exists" err &&
	"$SG" keygen --out p256.pem --force >/dev/null &&
	"$SG" keygen --type ed25519 --out ed.pem >/dev/null &&
	openssl pkey -in ed.pem -noout -text | grep -q ED25519 &&
	"$SG" keygen --out other.pem >/dev/null &&
	test_expect_code 2 "$SG" keygen --type rsa --out rsa.pem
'

test_expect_success 'the P-256 key id is the OpenSSH fingerprint' '
	"$SG" keygen --out fp.pem | sed -n 2p >v &&
	ssh-keygen -i -m PKCS8 -f fp.pub.pem >fp.ssh &&
	ssh-keygen -lf fp.ssh | cut -d" " -f2 >e &&
	test_cmp e v
'

for type in p256 ed; do
	test_expect_success "$type: build writes a signed attestation and bundle" '
		(cd app && "$SG" -q build --buildpack ../bp --key ../$type.pem \
			--app demo-app --out ../out-$type) &&
		jq -e ".payloadType == \"application/vnd.in-toto+json\"" \
			out-$type/slug.tgz.intoto.json &&
		jq -e ".signatures | length == 1" out-$type/slug.tgz.intoto.json &&
		jq -r ".signatures[0].keyid" out-$type/slug.tgz.intoto.json >kid &&
		grep "^SHA256:" kid &&
		jq -r ".verificationMaterial.publicKey.hint" \
			out-$type/slug.tgz.sigstore.json >hint &&
		test_cmp kid hint &&
		jq -e ".mediaType == \"application/vnd.dev.sigstore.bundle.v0.3+json\"" \
			out-$type/slug.tgz.sigstore.json &&
		jq -r .payload out-$type/slug.tgz.intoto.json | base64 -d >stmt &&
		jq -e "._type == \"https://in-toto.io/Statement/v1\"" stmt &&
		jq -e ".predicateType == \"https://slsa.dev/provenance/v1\"" stmt &&
		jq -e "keys == [\"_type\",\"predicate\",\"predicateType\",\"subject\"]" stmt &&
		jq -r ".subject[0].digest.sha256" stmt >v &&
		sha256sum out-$type/slug.tgz | cut -d" " -f1 >e && test_cmp e v &&
		jq -r ".predicate.buildDefinition.externalParameters.app" stmt >v &&
		echo demo-app >e && test_cmp e v &&
		jq -r ".predicate.buildDefinition.resolvedDependencies[0].digest.gitCommit" stmt >v &&
		git -C app rev-parse HEAD >e && test_cmp e v &&
		jq -e ".predicate.runDetails.builder.id" stmt &&
		jq -e ".predicate.runDetails.metadata.startedOn | test(\"Z$\")" stmt
	'

	test_expect_success "$type: openssl recipe verifies envelope and bundle" '
		sh "$HELPER/dsse-openssl-verify.sh" out-$type/slug.tgz.intoto.json \
			$type.pub.pem out-$type/slug.tgz &&
		sh "$HELPER/dsse-openssl-verify.sh" out-$type/slug.tgz.sigstore.json \
			$type.pub.pem out-$type/slug.tgz
	'

	test_expect_success "$type: slugguard verify accepts it with expectations" '
		"$SG" verify out-$type/slug.tgz --key $type.pub.pem \
			--app demo-app --commit "$(git -C app rev-parse HEAD)" >out &&
		grep "^OK: " out &&
		"$SG" verify out-$type/slug.tgz --key $type.pub.pem \
			--attestation out-$type/slug.tgz.sigstore.json &&
		SLUGGUARD_SIGNING_KEY=$type.pub.pem "$SG" verify out-$type/slug.tgz &&
		test_expect_code 1 "$SG" verify out-$type/slug.tgz \
			--key $type.pub.pem --app other-app 2>err &&
		grep "not for app .other-app." err &&
		test_expect_code 1 "$SG" verify out-$type/slug.tgz \
			--key $type.pub.pem --commit 0000000000 2>err &&
		grep "not for commit" err
	'

	test_expect_success "$type: negative cases (tampered, wrong key, payload type)" '
		cp out-$type/slug.tgz tampered.tgz &&
		printf x >>tampered.tgz &&
		test_must_fail sh "$HELPER/dsse-openssl-verify.sh" \
			out-$type/slug.tgz.intoto.json $type.pub.pem tampered.tgz &&
		test_expect_code 1 "$SG" verify tampered.tgz --key $type.pub.pem \
			--attestation out-$type/slug.tgz.intoto.json 2>err &&
		grep "is not a subject" err &&
		test_must_fail sh "$HELPER/dsse-openssl-verify.sh" \
			out-$type/slug.tgz.intoto.json other.pub.pem out-$type/slug.tgz &&
		test_expect_code 1 "$SG" verify out-$type/slug.tgz \
			--key other.pub.pem 2>err &&
		grep "signature does not verify" err &&
		jq ".payloadType = \"application/vnd.in-toto.provenance+json\"" \
			out-$type/slug.tgz.intoto.json >badtype.json &&
		test_must_fail sh "$HELPER/dsse-openssl-verify.sh" badtype.json \
			$type.pub.pem out-$type/slug.tgz &&
		test_expect_code 1 "$SG" verify out-$type/slug.tgz \
			--key $type.pub.pem --attestation badtype.json 2>err &&
		grep "verification failed" err
	'

	if [ -n "$NODE_OK" ]; then
		test_expect_success "$type: @sigstore/verify accepts envelope and bundle" '
			node_verify out-$type/slug.tgz.intoto.json $type.pub.pem \
				out-$type/slug.tgz &&
			node_verify out-$type/slug.tgz.sigstore.json $type.pub.pem \
				out-$type/slug.tgz
		'
		test_expect_success "$type: @sigstore/verify rejects the negative cases" '
			test_must_fail node_verify out-$type/slug.tgz.sigstore.json \
				$type.pub.pem tampered.tgz &&
			test_must_fail node_verify out-$type/slug.tgz.sigstore.json \
				other.pub.pem out-$type/slug.tgz &&
			test_must_fail node_verify badtype.json $type.pub.pem \
				out-$type/slug.tgz
		'
	else
		node_skip "$type: @sigstore/verify accepts envelope and bundle"
		node_skip "$type: @sigstore/verify rejects the negative cases"
	fi
done

test_expect_success 'the key id is never a hex digest of the DER key' '
	openssl pkey -pubin -in p256.pub.pem -outform DER | sha256sum |
		cut -d" " -f1 >hexid &&
	! grep -F -f hexid out-p256/slug.tgz.intoto.json
'

test_expect_success 'a public key cannot sign' '
	(cd app && test_expect_code 2 "$SG" build --buildpack ../bp \
		--key ../p256.pub.pem --out ../bad) 2>err &&
	grep "is a public key" err
'

test_done
