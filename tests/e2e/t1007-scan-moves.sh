#!/bin/sh
# Renames and moves: a file that moves keeps its history, so a secret it
# already held is not reported again where it lands; a new one is.
. "$(dirname "$0")/lib.sh"

fake_token() {
	printf 'ghp_%s' "$(rand_chars 36)"
}

count_findings() {
	grep -c "  github-pat  " "$1"
}

test_expect_success 'setup: a secret committed in config/app.yml' '
	git init -q repo &&
	mkdir -p repo/config repo/docs &&
	T1=$(fake_token) && echo "$T1" >t1 &&
	printf "name: demo\ntoken: %s\n" "$T1" >repo/config/app.yml &&
	echo "notes" >repo/docs/notes.txt &&
	(cd repo && git add . && test_tick &&
	 git commit -q -m "add config" && git rev-parse HEAD >../leak.commit)
'

test_expect_success 'a plain rename is not a new finding' '
	(cd repo && git mv config/app.yml config/application.yml &&
	 test_tick && git commit -q -m rename &&
	 test_expect_code 1 "$SG" scan HEAD >../out &&
	 "$SG" scan HEAD^..HEAD >../only) &&
	test "$(count_findings out)" = 1 &&
	grep "commit  $(cut -c1-8 leak.commit)" out &&
	grep "0 findings in commits HEAD^..HEAD: scanned 1 commit" only
'

test_expect_success 'a directory move with other deletions pairs by name' '
	(cd repo && git mv config settings && git rm -q docs/notes.txt &&
	 test_tick && git commit -q -m "move config, drop notes" &&
	 test_expect_code 1 "$SG" scan HEAD >../out) &&
	test "$(count_findings out)" = 1 &&
	grep "^config/app.yml:2:8  github-pat" out
'

test_expect_success 'a rename with an edit keeps the old secret old' '
	(cd repo && git mv settings/application.yml settings/prod.yml &&
	 echo "region: eu" >>settings/prod.yml && git add -A &&
	 test_tick && git commit -q -m "rename and edit" &&
	 test_expect_code 1 "$SG" scan HEAD >../out) &&
	test "$(count_findings out)" = 1
'

test_expect_success 'a new secret in a moved file is reported at the move' '
	T2=$(fake_token) &&
	(cd repo && git mv settings/prod.yml settings/production.yml &&
	 echo "second: $T2" >>settings/production.yml && git add -A &&
	 test_tick && git commit -q -m "move and leak" &&
	 git rev-parse HEAD >../move.commit &&
	 test_expect_code 1 "$SG" scan --format json HEAD >../out.json) &&
	test "$(grep -o "\"rule\":\"github-pat\"" out.json | wc -l)" = 2 &&
	grep "\"file\":\"settings/production.yml\",\"line\":4,\"column\":9,\"commit\":\"$(cat move.commit)\"" out.json
'

test_expect_success 'a copy (nothing deleted) is a new place for the secret' '
	(cd repo && cp settings/production.yml copy.yml && git add copy.yml &&
	 test_tick && git commit -q -m copy &&
	 test_expect_code 1 "$SG" scan HEAD^..HEAD >../out) &&
	test "$(count_findings out)" = 2 &&
	grep "^copy.yml:2:8  github-pat" out
'

test_expect_success 'with our reader off (libgit2 only) the report is the same' '
	(cd repo && test_expect_code 1 "$SG" scan --format json HEAD >../a.json &&
	 SLUGGUARD_NO_ODB=1 test_expect_code 1 "$SG" scan --format json \
		HEAD >../b.json) &&
	sed "s/\"seconds\":[0-9.e+-]*//" a.json >a.cmp &&
	sed "s/\"seconds\":[0-9.e+-]*//" b.json >b.cmp &&
	test_cmp a.cmp b.cmp
'

test_done
