#!/bin/sh
# The signing key can come from the policy ("signing": {"key": PATH}),
# after --key and SLUGGUARD_SIGNING_KEY.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: an app whose policy names the signing key' '
	mkdir -p bp/bin &&
	printf "#!/bin/sh\necho Fixture\n" >bp/bin/detect &&
	printf "#!/bin/sh\nexit 0\n" >bp/bin/compile &&
	printf "#!/bin/sh\necho ---\n" >bp/bin/release &&
	chmod +x bp/bin/* &&
	"$SG" keygen --out "$TRASH/policy.pem" >/dev/null &&
	git init -q app &&
	printf "{\"version\": 1, \"signing\": {\"key\": \"%s\"}}\n" \
		"$TRASH/policy.pem" >app/slugguard.json &&
	git -C app add slugguard.json &&
	test_commit -C app first web.txt "hi"
'

test_expect_success 'build signs with the policy key' '
	(cd app && "$SG" build --buildpack "$TRASH/bp" --out ../out) 2>err &&
	"$SG" verify out/slug.tgz --key policy.pub.pem
'

test_expect_success 'a policy key that cannot be read is an error naming it' '
	printf "{\"version\": 1, \"signing\": {\"key\": \"%s\"}}\n" \
		"$TRASH/missing.pem" >app/slugguard.json &&
	git -C app commit -qam "missing key" &&
	(cd app && test_expect_code 2 "$SG" build --buildpack "$TRASH/bp" \
		--out ../out2) 2>err &&
	grep "signing key from the policy" err &&
	grep "missing.pem" err
'

test_expect_success 'a malformed signing section is a one-line policy error' '
	printf "{\"version\": 1, \"signing\": {\"kee\": 1}}\n" >app/slugguard.json &&
	git -C app commit -qam "bad" &&
	(cd app && test_expect_code 2 "$SG" build --buildpack "$TRASH/bp" \
		--out ../out3) 2>err &&
	grep "slugguard.json" err
'

test_done
