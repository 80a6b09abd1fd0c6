#!/bin/sh
# releases and rollback: verified marks from the ledger, rollback only to
# a succeeded release with a signed slug unless --force.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1
standin_app app1
standin_ctl '{"seed_releases": {"app1": 1}}' >/dev/null

current() {
	standin_json "[r[\"version\"] for r in s[\"apps\"][\"app1\"][\"releases\"] if r[\"current\"]][0]"
}

test_expect_success 'two signed deploys on top of an unsigned release' '
	standin_fake_build b2 &&
	"$SG" deploy --app app1 --build-dir b2 >out &&
	test "$(cat out)" = "Released v2" &&
	standin_fake_build b3 &&
	"$SG" deploy --app app1 --build-dir b3 >out &&
	test "$(cat out)" = "Released v3"
'

test_expect_success 'releases marks slugguard releases verified, the rest not' '
	"$SG" releases --app app1 >out &&
	test_line_count = 3 out &&
	grep "^v3 .*succeeded  current verified " out &&
	grep "^v2 .*succeeded          verified " out &&
	grep "^v1 .*succeeded          unverified .*Deploy by hand" out
'

test_expect_success 'a release whose attestation left the ledger is unverified' '
	L="$HOME/.local/share/slugguard/ledger.git" &&
	save=$(git --git-dir="$L" rev-parse refs/slugguard/ledger/app1) &&
	git --git-dir="$L" update-ref -d refs/slugguard/ledger/app1 &&
	"$SG" releases --app app1 >out &&
	grep "^v3 .*unverified" out &&
	git --git-dir="$L" update-ref refs/slugguard/ledger/app1 "$save" &&
	"$SG" releases --app app1 >out &&
	grep "^v3 .*verified" out
'

test_expect_success 'rollback refuses an unsigned release' '
	test_expect_code 1 "$SG" rollback --app app1 v1 >out 2>err &&
	grep "refusing to roll back to v1: its slug has no valid signed attestation" err &&
	test "$(standin_count POST /apps/app1/releases)" = 2 &&
	test "$(current)" = 3
'

test_expect_success 'rollback without a version goes to the previous good release' '
	"$SG" rollback --app app1 >out 2>err &&
	test "$(cat out)" = "Rolled back to v2 (release v4)" &&
	test "$(current)" = 4 &&
	standin_log POST /apps/app1/releases | tail -n 1 >log &&
	v2=$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][1][\"id\"]") &&
	grep -F "{\\\"release\\\":\\\"$v2\\\"}" log &&
	test "$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][3][\"description\"]")" = "Rollback to v2"
'

test_expect_success 'the rollback release runs a verified slug' '
	"$SG" releases --app app1 >out &&
	grep "^v4 .*current verified .*Rollback to v2" out
'

test_expect_success 'rollback --force goes to an unsigned release anyway' '
	"$SG" rollback --app app1 --force v1 >out 2>err &&
	grep "warning: v1 is not verified" err &&
	test "$(cat out)" = "Rolled back to v1 (release v5)"
'

test_expect_success 'rollback refuses a failed release' '
	standin_ctl "{\"apps\": {\"app1\": {\"release_phase\": \"failed\"}}}" &&
	standin_fake_build b6 &&
	test_must_fail "$SG" deploy --app app1 --build-dir b6 &&
	standin_ctl "{\"apps\": {\"app1\": {\"release_phase\": \"succeeded\"}}}" &&
	test_expect_code 1 "$SG" rollback --app app1 v6 2>err &&
	grep "refusing to roll back to v6: its status is .failed." err
'

test_expect_success 'a dropped rollback POST is not repeated' '
	standin_ctl "{\"faults\": [{\"method\": \"POST\", \"path\": \"/apps/app1/releases\", \"kind\": \"drop_after\", \"count\": 1}]}" &&
	n=$(standin_json "len(s[\"apps\"][\"app1\"][\"releases\"])") &&
	"$SG" rollback --app app1 v3 >out &&
	test "$(cat out)" = "Rolled back to v3 (release v$((n + 1)))" &&
	test "$(standin_json "len(s[\"apps\"][\"app1\"][\"releases\"])")" = $((n + 1))
'

test_expect_success 'rollback to a version that does not exist' '
	test_expect_code 2 "$SG" rollback --app app1 v99 2>err &&
	grep "app .app1. has no release v99" err &&
	test_expect_code 2 "$SG" rollback --app app1 banana 2>err &&
	grep "not a release version" err
'

test_done
