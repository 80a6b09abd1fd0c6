#!/bin/sh
# slugguard scan output: text, JSON (exact shape), SARIF 2.1.0, --report,
# redaction and --no-redact, exit codes.
. "$(dirname "$0")/lib.sh"

CHECK="$TEST_DIRECTORY/helper/check-report.py"
export CHECK

fake_token() {
	printf 'ghp_%s' "$(rand_chars 36)"
}

test_expect_success 'setup' '
	git init -q repo &&
	test_commit -C repo one a.txt "hello" &&
	T=$(fake_token) && echo "$T" >token &&
	test_commit -C repo leak "dir with space/creds.txt" "a
b
the token: $T" &&
	git -C repo rev-parse HEAD >leak.commit
'

test_expect_success 'text: location, commit and author, rule, redacted secret, fix' '
	(cd repo && test_expect_code 1 "$SG" scan HEAD >../out) &&
	grep "^dir with space/creds.txt:3:12  github-pat  " out &&
	grep "^    commit  $(cut -c1-8 leak.commit)  A U Thor <author@example.com>  20" out &&
	grep "^    secret  ghp_\*\*\*\*$" out &&
	grep "^    fix     ." out &&
	grep "^    ignore  content:github-pat:[0-9a-f]\{32\}$" out &&
	! grep "$(cat token)" out &&
	tail -n 1 out | grep "^1 finding in commits HEAD: scanned 2 commits, 2 blobs, [0-9]* bytes in"
'

test_expect_success 'text: no colour when stdout is not a terminal' '
	(cd repo && test_expect_code 1 "$SG" scan HEAD >../out) &&
	! grep "$(printf "\033")" out &&
	(cd repo && test_expect_code 1 "$SG" --color=always scan HEAD >../out) &&
	grep "$(printf "\033")" out
'

test_expect_success '--no-redact shows the secret' '
	(cd repo && test_expect_code 1 "$SG" scan --no-redact HEAD >../out) &&
	grep "^    secret  $(cat token)$" out
'

test_expect_success 'json: exactly the documented shape' '
	(cd repo && test_expect_code 1 "$SG" scan --format json HEAD >../out.json 2>../err) &&
	python3 "$CHECK" json out.json &&
	grep "\"commit\":\"$(cat leak.commit)\"" out.json &&
	grep "\"fingerprint\":\"$(cat leak.commit):dir with space/creds.txt:github-pat:3\"" out.json &&
	grep "\"secret\":\"ghp_\*\*\*\*\"" out.json &&
	grep "^slugguard: 1 finding; scanned 2 commits" err
'

test_expect_success 'json: clean scans and non-commit modes keep the shape' '
	(cd repo && "$SG" scan --format json HEAD~1 >../clean.json) &&
	python3 "$CHECK" json clean.json &&
	grep "\"findings\":\[\]" clean.json &&
	(cd repo && test_expect_code 1 "$SG" scan --format json --dir . >../dir.json) &&
	python3 "$CHECK" json dir.json &&
	grep "\"commit\":null" dir.json && grep "\"date\":null" dir.json &&
	grep "\"fingerprint\":\"dir:dir with space/creds.txt:github-pat:3\"" dir.json
'

test_expect_success 'sarif: the structure GitHub code scanning requires' '
	(cd repo && test_expect_code 1 "$SG" scan --format sarif HEAD >../out.sarif) &&
	python3 "$CHECK" sarif out.sarif &&
	grep "\"version\":\"2.1.0\"" out.sarif &&
	grep "\"uri\":\"dir%20with%20space/creds.txt\"" out.sarif &&
	! grep "$(cat token)" out.sarif &&
	(cd repo && "$SG" scan --format sarif HEAD~1 >../clean.sarif) &&
	python3 "$CHECK" sarif clean.sarif
'

test_expect_success '--report writes JSON beside the text output' '
	(cd repo && test_expect_code 1 "$SG" scan --report ../report.json HEAD >../out) &&
	python3 "$CHECK" json report.json &&
	grep "^dir with space/creds.txt:3" out &&
	(cd repo && test_expect_code 1 "$SG" scan --format sarif --report ../r.sarif HEAD >/dev/null) &&
	python3 "$CHECK" sarif r.sarif
'

test_expect_success 'bad --format is a usage error' '
	(cd repo && test_expect_code 2 "$SG" scan --format xml HEAD 2>../err) &&
	grep "xml" err
'

test_expect_success 'outside a repository a commit scan exits 2' '
	plain=$(mktemp -d) &&
	test_when_finished "rm -rf \"$plain\"" &&
	(cd "$plain" && test_expect_code 2 "$SG" scan HEAD 2>"$TRASH/err") &&
	grep "not in a git repository" err
'

test_done
