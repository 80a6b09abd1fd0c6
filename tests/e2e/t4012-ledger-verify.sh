#!/bin/sh
# slugguard verify --app: an app's release checked against the release
# ledger in git, on any clone: a teammate's fresh clone verifies the live
# release; a release nobody recorded, a revoked key's release and a
# tampered ledger entry do not verify (exit 1, and why).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1
standin_app app1

# slug_of VERSION: the slug id of release VERSION of app1.
slug_of() {
	standin_json "[r[\"slug\"][\"id\"] for r in s[\"apps\"][\"app1\"][\"releases\"] if r[\"version\"] == $1][0]"
}

# tamper GITDIR NAME FILE: put FILE as NAME in the ledger of app1 in
# GITDIR, a fast-forward as any pusher could make it.
tamper() {
	_ref=refs/slugguard/ledger/app1 &&
	_blob=$(git --git-dir="$1" hash-object -w "$3") &&
	_tree=$({
		git --git-dir="$1" ls-tree "$_ref" | grep -v "	$2\$"
		printf "100644 blob %s\t%s\n" "$_blob" "$2"
	} | git --git-dir="$1" mktree) &&
	_c=$(git --git-dir="$1" commit-tree -p "$_ref" -m tamper "$_tree") &&
	git --git-dir="$1" update-ref "$_ref" "$_c"
}

# verify_fresh NAME ARGS...: slugguard verify in a fresh clone NAME of the
# deploy repository, without a signing key; stdout in NAME.out, stderr in
# NAME.err, the exit code returned.
verify_fresh() {
	_n=$1 &&
	shift &&
	git clone -q deploy.git "$_n" 2>/dev/null &&
	(
		cd "$_n" &&
		unset SLUGGUARD_SIGNING_KEY &&
		"$SG" verify "$@" >"../$_n.out" 2>"../$_n.err"
	)
}

test_expect_success 'setup: a deploy repository with the key committed, two releases' '
	standin_signing_key &&
	git init -q --bare deploy.git &&
	git clone -q deploy.git a 2>/dev/null &&
	(
		cd a &&
		echo app >README &&
		"$SG" -q keys add "$STANDIN_DIR/signing.pub.pem" >/dev/null &&
		git add . && test_tick && git commit -q -m "app, trusted key" &&
		git push -q origin main 2>/dev/null
	) &&
	standin_fake_build b1 >/dev/null &&
	standin_fake_build b2 >/dev/null &&
	(cd a && "$SG" -q deploy --app app1 --build-dir ../b1 >../out) &&
	grep "^Released v1" out &&
	(cd a && "$SG" -q deploy --app app1 --build-dir ../b2 >../out) &&
	grep "^Released v2" out
'

test_expect_success "a teammate's fresh clone verifies the live release and an older one" '
	verify_fresh m1 --app app1 &&
	id=$("$SG" keys list --dir a | cut -d" " -f1) &&
	grep "^OK: v2 of app .app1.: slug $(slug_of 2) SHA256:[0-9a-f]*\.\.\. signed by $id\$" m1.out &&
	verify_fresh m2 --app app1 --release v1 &&
	grep "^OK: v1 of app .app1.: slug $(slug_of 1) " m2.out &&
	test_expect_code 2 verify_fresh m3 --app app1 --release v9 &&
	grep "^slugguard: app .app1. has no release v9" m3.err &&
	test_expect_code 2 verify_fresh m4 --app app1 --release latest &&
	grep "^slugguard: verify: .latest. is not a release version" m4.err &&
	test_expect_code 2 verify_fresh m5 --app app1 --commit abc &&
	grep "need a SLUG" m5.err
'

test_expect_success 'a tampered entry does not verify: changed checksum, replayed entry' '
	s2=$(slug_of 2) &&
	s1=$(slug_of 1) &&
	git --git-dir=deploy.git show "refs/slugguard/ledger/app1:$s2.json" >e2 &&
	sed "s/\"SHA256:[0-9a-f]\{8\}/\"SHA256:00000000/" e2 >bad &&
	! test_cmp e2 bad >/dev/null &&
	cp -R deploy.git keep.git &&
	tamper deploy.git "$s2.json" bad &&
	test_expect_code 1 verify_fresh t1 --app app1 &&
	grep "^slugguard: not verified: v2 of app .app1.: the attestation does not verify" t1.err &&
	rm -rf deploy.git && cp -R keep.git deploy.git &&
	git --git-dir=deploy.git show "refs/slugguard/ledger/app1:$s1.json" |
		sed "s/$s1/$s2/" >replay &&
	tamper deploy.git "$s2.json" replay &&
	test_expect_code 1 verify_fresh t2 --app app1 &&
	grep "^slugguard: not verified: v2 of app .app1.: digest mismatch: the ledger attests SHA256:" t2.err &&
	grep "Heroku.s slug $s2 has SHA256:" t2.err &&
	rm -rf deploy.git && mv keep.git deploy.git &&
	verify_fresh t3 --app app1
'

test_expect_success 'a release nobody recorded: no ledger entry' '
	standin_ctl "{\"seed_releases\": {\"app1\": 1}}" >/dev/null &&
	test_expect_code 1 verify_fresh n1 --app app1 &&
	grep "^slugguard: not verified: v3 of app .app1.: not released by slugguard (no ledger entry)" n1.err &&
	! test -s n1.out &&
	verify_fresh n2 --app app1 --release 2
'

test_expect_success 'a pending entry is reported as such' '
	s2=$(slug_of 2) &&
	git --git-dir=deploy.git show "refs/slugguard/ledger/app1:$s2.json" |
		sed "s/\"state\":[[:space:]]*\"complete\"/\"state\": \"pending\"/" >pend &&
	grep "\"pending\"" pend &&
	cp -R deploy.git keep.git &&
	tamper deploy.git "$s2.json" pend &&
	test_expect_code 1 verify_fresh p1 --app app1 --release v2 &&
	grep "v2 of app .app1.: its ledger entry is pending" p1.err &&
	rm -rf deploy.git && mv keep.git deploy.git
'

test_expect_success "a revoked key's release: exit 1 naming the key" '
	(
		cd a &&
		"$SG" -q keys revoke "$STANDIN_DIR/signing.pub.pem" >../rev &&
		git add .slugguard && test_tick && git commit -q -m "revoke" &&
		git push -q origin main 2>/dev/null
	) &&
	id=$(sed -n "s/^revoked //p" rev) &&
	test -n "$id" &&
	test_expect_code 1 verify_fresh r1 --app app1 --release v2 &&
	grep -F "slugguard: not verified: v2 of app '\''app1'\'': signed by revoked key $id (revoked 20" r1.err
'

test_done
