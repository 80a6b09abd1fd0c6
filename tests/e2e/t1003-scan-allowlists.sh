#!/bin/sh
# Silencing findings: inline slugguard:allow, .slugguardignore (positional
# and content fingerprints), .gitleaksignore, --baseline, .slugguard.json
# allowlists, disabled and extra rules; bad configuration.
. "$(dirname "$0")/lib.sh"

fake_token() {
	printf 'ghp_%s' "$(rand_chars 36)"
}

# fp_of FIELD: the value of FIELD of the first finding in out.json.
fp_of() {
	python3 -c 'import json,sys; print(json.load(open("out.json"))["findings"][0][sys.argv[1]])' "$1"
}

test_expect_success 'setup' '
	git init -q repo &&
	test_commit -C repo one a.txt "hello" &&
	TA=$(fake_token) &&
	test_commit -C repo leak creds.txt "line one
token = $TA" &&
	git -C repo rev-parse HEAD >leak.commit
'

test_expect_success 'inline slugguard:allow silences its line only' '
	(cd repo &&
	 printf "a = %s # slugguard:allow\nb = %s\n" "$(fake_token)" "$(fake_token)" >inline.txt &&
	 test_expect_code 1 "$SG" scan --dir inline.txt >../out) &&
	grep "^inline.txt:2:" out &&
	! grep "^inline.txt:1:" out
'

test_expect_success '.slugguardignore: a positional fingerprint with commit' '
	(cd repo && test_expect_code 1 "$SG" scan --format json HEAD >../out.json) &&
	fp_of fingerprint >repo/.slugguardignore &&
	(cd repo && "$SG" scan HEAD >../out) &&
	grep "0 findings" out && grep "; 1 finding silenced by ignore files or the baseline" out
'

test_expect_success '.slugguardignore: without commit, with comments' '
	printf "# known test fixture\n\ncreds.txt:github-pat:2\n" >repo/.slugguardignore &&
	(cd repo && "$SG" scan HEAD >../out) &&
	grep "0 findings" out
'

test_expect_success '.slugguardignore: a content fingerprint follows the secret' '
	(cd repo && test_expect_code 1 "$SG" scan --no-ignore-files --format json HEAD >../out.json) &&
	content=$(grep -o "content:github-pat:[0-9a-f]*" repo/../out.json || true) &&
	(cd repo && test_expect_code 1 "$SG" scan --no-ignore-files HEAD >../out) &&
	content=$(sed -n "s/^    ignore  //p" out) &&
	echo "$content" >repo/.slugguardignore &&
	(cd repo && "$SG" scan HEAD >../out) &&
	grep "0 findings" out &&
	! grep -r "$(cat repo/creds.txt | sed -n 2p | cut -d" " -f3)" repo/.slugguardignore
'

test_expect_success 'a content fingerprint does not silence a different secret on that line' '
	(cd repo &&
	 printf "line one\ntoken = %s\n" "$(fake_token)" >creds.txt &&
	 git add creds.txt && test_tick && git commit -q -m swap &&
	 test_expect_code 1 "$SG" scan HEAD >../out) &&
	grep "^creds.txt:2:" out && grep "1 finding" out
'

test_expect_success 'ignore entries that match nothing are reported with --all' '
	(cd repo &&
	 echo "nowhere.txt:github-pat:9" >>.slugguardignore &&
	 test_expect_code 1 "$SG" scan --all >../out 2>../err) &&
	grep "warning: ignore entry matches nothing: .*nowhere.txt:github-pat:9" err
'

test_expect_success '.gitleaksignore fingerprints are honoured' '
	rm repo/.slugguardignore &&
	(cd repo && test_expect_code 1 "$SG" scan --format json HEAD >../out.json) &&
	fp_of fingerprint >repo/.gitleaksignore &&
	(cd repo && "$SG" scan HEAD~1..HEAD >../out) &&
	grep "0 findings" out &&
	rm repo/.gitleaksignore
'

test_expect_success '--baseline reports only findings not in the earlier report' '
	(cd repo &&
	 test_expect_code 1 "$SG" scan --report ../base.json HEAD >/dev/null &&
	 "$SG" scan --baseline ../base.json HEAD >../out &&
	 test_commit new-leak new.txt "k = $(fake_token)" &&
	 test_expect_code 1 "$SG" scan --baseline ../base.json HEAD >../out2) &&
	grep "0 findings" out &&
	grep "^new.txt:1" out2 && grep "1 finding" out2
'

test_expect_success '.slugguard.json: allowlist paths, regexes and stopwords' '
	(cd repo &&
	 mkdir -p fixtures &&
	 printf "k = %s\n" "$(fake_token)" >fixtures/f.txt &&
	 printf "k = ghp_%sZZTESTZZ\n" "$(rand_chars 28)" >stop.txt &&
	 printf "k = ghp_000000%s\n" "$(rand_chars 30)" >regex.txt &&
	 test_expect_code 1 "$SG" scan --dir fixtures stop.txt regex.txt >../out &&
	 cat >.slugguard.json <<-\EOF &&
	{
	  "allowlist": {
	    "paths": ["^fixtures/"],
	    "regexes": ["^ghp_000000"],
	    "stopwords": ["ZZTESTZZ"]
	  }
	}
	EOF
	 "$SG" scan --dir fixtures stop.txt regex.txt >../out2) &&
	test "$(grep -c "  github-pat  " out)" = 3 &&
	grep "0 findings" out2
'

test_expect_success '.slugguard.json: disabled rules and extra rules' '
	(cd repo &&
	 printf "acme = acme_%s\n" "$(rand_chars 32 0-9a-f)" >acme.txt &&
	 cat >.slugguard.json <<-\EOF &&
	{
	  "disabledRules": ["github-pat"],
	  "rules": [{
	    "id": "acme-token",
	    "description": "ACME deploy token",
	    "regex": "(acme_[0-9a-f]{32})",
	    "keywords": ["acme_"],
	    "remediation": "Rotate it in the ACME console"
	  }]
	}
	EOF
	 test_expect_code 1 "$SG" scan --dir acme.txt new.txt >../out) &&
	grep "^acme.txt:1:8  acme-token  ACME deploy token" out &&
	grep "Rotate it in the ACME console" out &&
	! grep "github-pat" out
'

test_expect_success '--config FILE replaces .slugguard.json' '
	echo "{}" >empty.json &&
	(cd repo && test_expect_code 1 "$SG" scan --config ../empty.json --dir new.txt >../out) &&
	grep "github-pat" out &&
	(cd repo && test_expect_code 2 "$SG" scan --config ../missing.json --dir new.txt 2>../err) &&
	grep "missing.json" err
'

test_expect_success 'bad configuration: one line naming the file and the problem' '
	(cd repo &&
	 echo "{ not json" >.slugguard.json &&
	 test_expect_code 2 "$SG" scan --dir new.txt >../out 2>../err) &&
	test "$(wc -l <err)" = 1 && grep "slugguard.json" err &&
	(cd repo &&
	 echo "{\"allowlists\": {}}" >.slugguard.json &&
	 test_expect_code 2 "$SG" scan --dir new.txt 2>../err) &&
	test "$(wc -l <err)" = 1 && grep "slugguard.json.*unknown member .allowlists." err &&
	(cd repo &&
	 echo "{\"rules\": [{\"id\": \"x\"}]}" >.slugguard.json &&
	 test_expect_code 2 "$SG" scan --dir new.txt 2>../err) &&
	grep "slugguard.json.*rules\[0\]: missing .regex." err &&
	(cd repo &&
	 echo "{\"rules\": [{\"id\": \"x\", \"regex\": \"(unclosed\"}]}" >.slugguard.json &&
	 test_expect_code 2 "$SG" scan --dir new.txt 2>../err) &&
	test "$(wc -l <err)" = 1 && grep "slugguard.json" err &&
	(cd repo &&
	 echo "{\"maxBlobSize\": -4}" >.slugguard.json &&
	 test_expect_code 2 "$SG" scan HEAD 2>../err) &&
	grep "maxBlobSize" err &&
	rm repo/.slugguard.json
'

test_done
