#!/bin/sh
# Faults during a deploy: never a duplicate release, never a partial
# release, always a clear error.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1

releases_of() {
	standin_json "len(s[\"apps\"][\"$1\"][\"releases\"])"
}

test_expect_success 'a POST release dropped after it took effect is not repeated' '
	standin_app a1 &&
	standin_fake_build b1 &&
	standin_ctl "{\"faults\": [{\"method\": \"POST\", \"path\": \"/apps/a1/releases\", \"kind\": \"drop_after\", \"count\": 1}]}" &&
	"$SG" deploy --app a1 --build-dir b1 >out 2>err &&
	test "$(cat out)" = "Released v1" &&
	test "$(standin_count POST /apps/a1/releases)" = 1 &&
	test "$(releases_of a1)" = 1
'

test_expect_success 'a POST release slower than the timeout is not repeated' '
	standin_app a2 &&
	standin_fake_build b2 &&
	standin_ctl "{\"faults\": [{\"method\": \"POST\", \"path\": \"/apps/a2/releases\", \"kind\": \"slow_after\", \"delay\": 2, \"count\": 1}]}" &&
	SLUGGUARD_HTTP_TIMEOUT=1 "$SG" deploy --app a2 --build-dir b2 >out 2>err &&
	test "$(cat out)" = "Released v1" &&
	test "$(standin_count POST /apps/a2/releases)" = 1 &&
	test "$(releases_of a2)" = 1
'

test_expect_success 'a POST release dropped before it took effect is sent again' '
	standin_app a3 &&
	standin_fake_build b3 &&
	standin_ctl "{\"faults\": [{\"method\": \"POST\", \"path\": \"/apps/a3/releases\", \"kind\": \"drop\", \"count\": 1}]}" &&
	"$SG" deploy --app a3 --build-dir b3 >out 2>err &&
	test "$(cat out)" = "Released v1" &&
	test "$(standin_count POST /apps/a3/releases)" = 2 &&
	test "$(releases_of a3)" = 1
'

test_expect_success 'an upload dropped midway is retried from the start' '
	standin_app a4 &&
	standin_fake_build b4 &&
	standin_ctl "{\"faults\": [{\"method\": \"PUT\", \"path\": \"/blobs/\", \"kind\": \"drop_mid_upload\", \"count\": 1}]}" &&
	"$SG" deploy --app a4 --build-dir b4 >out 2>err &&
	test "$(cat out)" = "Released v1" &&
	blob=$(standin_log PUT /blobs/ | sed -n "s/.*dropped_after.*\"path\": \"\([^\"]*\)\".*/\1/p") &&
	test -n "$blob" &&
	standin_log PUT "$blob" >log &&
	test_line_count = 2 log
'

test_expect_success 'an upload that keeps failing makes no release' '
	standin_app a5 &&
	standin_fake_build b5 &&
	standin_ctl "{\"faults\": [{\"method\": \"PUT\", \"path\": \"/blobs/\", \"kind\": \"drop_mid_upload\", \"count\": -1}]}" &&
	test_expect_code 2 env SLUGGUARD_HTTP_TRIES=3 \
		"$SG" deploy --app a5 --build-dir b5 >out 2>err &&
	! test -s out &&
	grep "^slugguard: heroku: .PUT https://127.0.0.1:[0-9]*/blobs/[^?]*. failed: .*(after 3 tries)$" err &&
	! grep "X-Amz-Signature" err &&
	test "$(standin_count POST /apps/a5/releases)" = 0 &&
	test "$(releases_of a5)" = 0
'

test_expect_success 'clear the upload fault' '
	standin_ctl "{\"clear_faults\": true}"
'

test_expect_success '503 and 429 on the way are ridden out' '
	standin_app a6 &&
	standin_fake_build b6 &&
	standin_ctl "{\"faults\": [{\"method\": \"POST\", \"path\": \"/apps/a6/slugs\", \"kind\": \"503\", \"count\": 1}, {\"method\": \"GET\", \"path\": \"/apps/a6/config-vars\", \"kind\": \"429\", \"retry_after\": \"0\", \"count\": 1}, {\"method\": \"POST\", \"path\": \"/apps/a6/releases\", \"kind\": \"503\", \"count\": 1}]}" &&
	"$SG" deploy --app a6 --build-dir b6 >out 2>err &&
	test "$(cat out)" = "Released v1" &&
	test "$(releases_of a6)" = 1
'

test_expect_success 'a 401 midway stops the deploy with one clear line' '
	standin_app a7 &&
	standin_fake_build b7 &&
	standin_ctl "{\"faults\": [{\"method\": \"POST\", \"path\": \"/apps/a7/slugs\", \"kind\": \"401\", \"count\": 1}]}" &&
	test_expect_code 2 "$SG" deploy --app a7 --build-dir b7 >out 2>err &&
	grep "^slugguard: heroku: unauthorized: Invalid credentials provided.$" err &&
	test "$(releases_of a7)" = 0
'

test_expect_success 'a release that never leaves pending times out clearly' '
	standin_app a8 &&
	standin_fake_build b8 &&
	standin_ctl "{\"pending_polls\": 1000}" &&
	test_expect_code 2 env SLUGGUARD_RELEASE_TIMEOUT_MS=1000 \
		"$SG" deploy --app a8 --build-dir b8 >out 2>err &&
	grep "release v1 still pending" err &&
	standin_ctl "{\"pending_polls\": 1}"
'

test_done
