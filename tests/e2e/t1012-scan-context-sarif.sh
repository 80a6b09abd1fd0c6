#!/bin/sh
# Context labels (test, fixture, docs, example) in every format; SARIF
# that GitHub code scanning accepts, checked by Microsoft's SARIF
# multitool when it is installed; --format gitleaks.
. "$(dirname "$0")/lib.sh"

CHECK="$TEST_DIRECTORY/helper/check-report.py"
export CHECK

# fake tokens, built at run time from pieces
fake_token() {
	printf 'gh%s%s' "p_" "$(rand_chars 36)"
}

# The multitool: $SARIF_MULTITOOL (.ci/run sets it), else on PATH.
MULTITOOL=${SARIF_MULTITOOL:-$(command -v Sarif.Multitool 2>/dev/null)}
if [ -n "$MULTITOOL" ] && [ -x "$MULTITOOL" ]; then
	test_set_prereq MULTITOOL
fi
# its .NET runtime needs no ICU this way
DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
export MULTITOOL DOTNET_SYSTEM_GLOBALIZATION_INVARIANT

# validate FILE: zero errors and zero warnings for GitHub and SARIF rules
validate() {
	"$MULTITOOL" validate --rule-kind "Gh;Sarif" "$1" >"$1.log" 2>&1 &&
	grep "Analysis completed successfully" "$1.log" &&
	! grep -E ": (error|warning) " "$1.log"
}

test_expect_success 'setup: one token in plain code, tests, fixtures, docs, examples' '
	T=$(fake_token) && echo "$T" >token &&
	git init -q repo &&
	test_commit -C repo one a.txt "hello" &&
	mkdir -p repo/app repo/spec/models repo/spec/fixtures repo/docs \
		repo/examples repo/records "repo/dir with space" &&
	echo "TOKEN = \"$T\"" >repo/app/client.rb &&
	echo "TOKEN = \"$T\"" >repo/spec/models/client_spec.rb &&
	echo "token: $T" >repo/spec/fixtures/github.yml &&
	echo "Set token: $T" >repo/docs/setup.md &&
	echo "TOKEN = \"$T\"" >repo/examples/client.rb &&
	printf "http_interactions:\n- request:\n    token: %s\nrecorded_with: VCR 6.0\n" \
		"$T" >repo/records/github.yml &&
	echo "key: $T" >"repo/dir with space/k.yml" &&
	git -C repo add . &&
	git -C repo commit -q -m "tokens everywhere" &&
	git -C repo remote add origin "https://user:hunter2@example.com/o/repo.git"
'

test_expect_success 'text shows each label beside the rule' '
	(cd repo && test_expect_code 1 "$SG" scan HEAD >../out) &&
	grep "^app/client.rb:1:10  github-pat  .*token (classic)$" out &&
	grep "^spec/models/client_spec.rb:1:10  github-pat  .*  \[test\]$" out &&
	grep "^spec/fixtures/github.yml:1:8  github-pat  .*  \[fixture\]$" out &&
	grep "^records/github.yml:3:12  github-pat  .*  \[fixture\]$" out &&
	grep "^docs/setup.md:1:12  github-pat  .*  \[docs\]$" out &&
	grep "^examples/client.rb:1:10  github-pat  .*  \[example\]$" out &&
	! grep -F "$(cat token)" out
'

# contexts FILE: "file=context" per finding of a JSON report, sorted
contexts() {
	python3 -c 'import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    print("%s=%s" % (f["file"], f["context"]))' "$1" | sort
}

test_expect_success 'json: "context" on every finding' '
	(cd repo && test_expect_code 1 "$SG" scan --format json HEAD >../out.json) &&
	python3 "$CHECK" json out.json &&
	contexts out.json >actual &&
	printf "%s\n" "app/client.rb=" "dir with space/k.yml=" \
		"docs/setup.md=docs" "examples/client.rb=example" \
		"records/github.yml=fixture" "spec/fixtures/github.yml=fixture" \
		"spec/models/client_spec.rb=test" >expect &&
	test_cmp expect actual
'

test_expect_success 'gitleaks: its report shape, redacted, labels in Tags' '
	(cd repo && test_expect_code 1 "$SG" scan --format gitleaks HEAD >../gl.json 2>../err) &&
	python3 "$CHECK" gitleaks gl.json &&
	! grep -F "$(cat token)" gl.json &&
	grep "\"Secret\":	\"ghp_\*\*\*\*\"" gl.json &&
	grep "\"Match\":	\"token: ghp_\*\*\*\*\"" gl.json &&
	grep "\"context:fixture\"" gl.json &&
	grep "\"Email\":	\"author@example.com\"" gl.json &&
	grep "^slugguard: 7 findings" err &&
	(cd repo && "$SG" scan --format gitleaks HEAD~1 >../empty.json) &&
	test "$(cat empty.json)" = "[]" &&
	(cd repo && test_expect_code 1 "$SG" scan --no-redact --format gitleaks HEAD >../raw.json) &&
	grep -F "\"Secret\":	\"$(cat token)\"" raw.json
'

test_expect_success 'sarif: relative URIs, snippet, labels, provenance without credentials' '
	(cd repo && test_expect_code 1 "$SG" scan --format sarif HEAD >../c.sarif) &&
	python3 "$CHECK" sarif c.sarif &&
	grep "\"uri\":\"dir%20with%20space/k.yml\",\"uriBaseId\":\"SRCROOT\"" c.sarif &&
	grep "\"snippet\":{\"text\":\"key: ghp_\*\*\*\*\"}" c.sarif &&
	grep "\"context\":\"fixture\"" c.sarif &&
	grep "\"repositoryUri\":\"https://example.com/o/repo.git\"" c.sarif &&
	grep "\"revisionId\":\"$(git -C repo rev-parse HEAD)\"" c.sarif &&
	grep "\"helpUri\":\"[^\"]*/docs/rules.md#github-pat\"" c.sarif &&
	grep "^| <a id=\"github-pat\"></a>" "$SLUGGUARD_TOP/docs/rules.md" &&
	! grep "hunter2" c.sarif &&
	! grep -F "$(cat token)" c.sarif
'

test_expect_success 'sarif: --dir with an absolute path gives no absolute URI' '
	test_expect_code 1 "$SG" scan --format sarif --dir "$TRASH/repo" >d.sarif &&
	python3 "$CHECK" sarif d.sarif &&
	grep "\"uri\":\"spec/fixtures/github.yml\",\"uriBaseId\":\"SRCROOT\"" d.sarif &&
	! grep "\"uri\":\"/" d.sarif &&
	(cd repo/spec && test_expect_code 1 "$SG" scan --format sarif --dir ../docs >../../s.sarif) &&
	grep "\"uri\":\"docs/setup.md\",\"uriBaseId\":\"SRCROOT\"" s.sarif
'

if test_have_prereq MULTITOOL; then
	test_expect_success 'sarif multitool: commit scan passes Gh;Sarif with no error or warning' '
		validate c.sarif
	'
	test_expect_success 'sarif multitool: --dir /abs/path passes' '
		validate d.sarif
	'
	test_expect_success 'sarif multitool: a bare repository and a clean scan pass' '
		git clone -q --bare repo bare.git &&
		(cd bare.git && test_expect_code 1 "$SG" scan --format sarif HEAD >../b.sarif) &&
		validate b.sarif &&
		(cd repo && "$SG" scan --format sarif HEAD~1 >../e.sarif) &&
		validate e.sarif
	'
else
	test_skip 'sarif multitool validation' \
		"Sarif.Multitool not installed: npm install @microsoft/sarif-multitool-linux and set SARIF_MULTITOOL"
fi

test_done
