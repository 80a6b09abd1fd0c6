#!/bin/sh
# slugguard's own files (.slugguardignore, the baseline, slugguard.json,
# .slugguard.json) are read as what they are: the fingerprints and commit
# ids slugguard wrote are no secrets, but a real key pasted into any of
# them is still found.
. "$(dirname "$0")/lib.sh"

openai_key() {
	_p="sk-"
	_p="${_p}proj-"
	printf '%s%s' "$_p" "$(rand_chars 74)"
}
KEY=$(openai_key)
# a fingerprint hash and a commit id: random hex, high entropy
HASH=$(rand_chars 32 0-9a-f)
COMMIT=$(rand_chars 40 0-9a-f)
# the test bodies (eval'd strings) use them
export KEY HASH COMMIT

test_expect_success 'setup: own files full of fingerprints, committed' '
	git init -q repo &&
	printf "%s\n" "# accepted" \
		"content:generic-secret:$HASH" \
		"$COMMIT:config/secrets.rb:generic-secret:3" \
		"test/fixtures/token.rb:generic-secret:1" \
		>repo/.slugguardignore &&
	cp repo/.slugguardignore repo/.gitleaksignore &&
	printf "%s\n" "{\"version\": 1, \"findings\": [" \
		"{\"fingerprint\":\"content:generic-secret:$HASH\",\"rule\":\"generic-secret\",\"file\":\"a/secret_token.rb\",\"commit\":\"$COMMIT\"}," \
		"{\"fingerprint\": \"content:api-key:$HASH\", \"commit\": \"$COMMIT\"}" \
		"]}" >repo/.slugguard-baseline.json &&
	printf "%s\n" "{\"fingerprintSalt\": \"team-salt\"}" >repo/.slugguard.json &&
	printf "%s\n" "{\"version\": 1, \"config_vars\": {\"required\": [\"SECRET_KEY_BASE\", \"API_TOKEN\"]}}" \
		>repo/slugguard.json &&
	git -C repo add . &&
	test_tick && git -C repo commit -q -m "slugguard files"
'

test_expect_success 'fingerprint lines are not reported as leaks' '
	(cd repo && "$SG" scan --dir . >../out 2>../err) &&
	grep "^0 findings in files on disk" out &&
	(cd repo && "$SG" scan --all >../out) &&
	grep "^0 findings in commits" out &&
	(cd repo && "$SG" scan --all --no-redact --format json >../out) &&
	! grep "slugguardignore\|baseline.json" out
'

test_expect_success 'a real key pasted into an own file is still found' '
	for f in .slugguardignore .gitleaksignore slugguard.json; do
		cp "repo/$f" "$f.orig" &&
		printf "%s\n" "OPENAI_API_KEY=$KEY" >>"repo/$f" &&
		(cd repo && test_expect_code 1 "$SG" scan --dir "$f" >../out) &&
		grep "^$f:.*openai-project-key" out &&
		cp "$f.orig" "repo/$f" || return 1
	done &&
	printf "%s\n" "content:generic-secret:$HASH $KEY" >>repo/.slugguardignore &&
	(cd repo && test_expect_code 1 "$SG" scan --dir .slugguardignore >../out) &&
	grep "^.slugguardignore:5:.*openai-project-key" out &&
	cp .slugguardignore.orig repo/.slugguardignore &&
	cp repo/.slugguard-baseline.json baseline.orig &&
	sed "1s/\"findings\"/\"note\": \"$KEY\", \"findings\"/" \
		baseline.orig >repo/.slugguard-baseline.json &&
	(cd repo && test_expect_code 1 "$SG" scan --dir .slugguard-baseline.json >../out) &&
	grep "^.slugguard-baseline.json:1:.*openai-project-key" out &&
	cp baseline.orig repo/.slugguard-baseline.json
'

test_expect_success 'a key that breaks the JSON of an own file fails closed' '
	for f in .slugguard-baseline.json .slugguard.json; do
		cp "repo/$f" "$f.orig" &&
		printf "%s\n" "OPENAI_API_KEY=$KEY" >>"repo/$f" &&
		(cd repo && test_expect_code 2 "$SG" scan --dir "$f" >../out 2>../err) &&
		grep "$f:[0-9]*: unexpected text after the JSON value" err &&
		! grep "$KEY" out err &&
		cp "$f.orig" "repo/$f" || return 1
	done
'

test_done
