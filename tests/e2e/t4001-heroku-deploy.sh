#!/bin/sh
# slugguard deploy against the HTTPS stand-in: the whole hand-off (slug,
# streamed upload, release, follow), the live checks (buildpack order,
# config vars, Fir), a failing release phase and a tampered slug.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1
standin_app app1
LEDGER="$HOME/.local/share/slugguard/ledger.git"
export LEDGER

test_expect_success 'deploy releases v1 and follows the release phase' '
	standin_fake_build b1 &&
	"$SG" deploy --app app1 --build-dir b1 >out 2>err &&
	test "$(cat out)" = "Released v1" &&
	grep "Running release command" err &&
	test "$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][0][\"status\"]")" = succeeded
'

test_expect_success 'the slug request carries what release.json says' '
	standin_log POST /apps/app1/slugs >log &&
	test_line_count = 1 log &&
	sum=$(sed -n "s/.*\"checksum\": \"\\(SHA256:[0-9a-f]*\\)\".*/\\1/p" b1/release.json) &&
	grep -F "\\\"checksum\\\":\\\"$sum\\\"" log &&
	grep -F "\\\"stack\\\":\\\"heroku-24\\\"" log &&
	grep -F "\\\"buildpack_provided_description\\\":\\\"Ruby\\\"" log &&
	grep -F "\\\"release\\\":\\\"bin/rails db:migrate\\\"" log
'

test_expect_success 'the blob PUT has no Authorization and an empty Content-Type' '
	standin_log PUT /blobs/ >log &&
	test_line_count = 1 log &&
	! grep -i "authorization" log &&
	grep "\"content-type\": \"\"" log &&
	grep "\"sha256\": \"$(sha256sum b1/slug.tgz | cut -d" " -f1)\"" log
'

test_expect_success 'the release description carries the attestation digest' '
	att=$(sha256sum b1/slug.tgz.intoto.json | cut -d" " -f1) &&
	standin_log POST /apps/app1/releases >log &&
	grep -F "attestation sha256:$att" log
'

test_expect_success 'the ledger records slug, checksum, attestation, commit, version' '
	slug=$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][0][\"slug\"][\"id\"]") &&
	git --git-dir="$LEDGER" show "refs/slugguard/ledger/app1:$slug.json" >entry &&
	grep "\"slug_id\":.*\"$slug\"" entry &&
	grep "\"version\":.*1" entry &&
	grep "\"state\":.*\"complete\"" entry &&
	grep "\"commit\":" entry &&
	grep "\"public_key\":.*BEGIN PUBLIC KEY" entry &&
	python3 -c "import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))[\"attestation\"])" entry >att &&
	cmp b1/slug.tgz.intoto.json att
'

test_expect_success 'releases marks the slugguard release verified' '
	"$SG" releases --app app1 >out &&
	grep "^v1 .*succeeded.*current.*verified" out &&
	! grep unverified out
'

test_expect_success 'a wrong buildpack order is refused with the diff and the fix' '
	standin_ctl "{\"apps\": {\"app1\": {\"buildpacks\": [\"https://github.com/heroku/heroku-buildpack-pgvector.git\", \"heroku/ruby\"]}}}" &&
	standin_fake_build b2 &&
	before=$(standin_count POST /apps/app1/slugs) &&
	test_expect_code 1 "$SG" deploy --app app1 --build-dir b2 >out 2>err &&
	grep "expected: 1. heroku/ruby, 2. https://github.com/heroku/heroku-buildpack-pgvector.git" err &&
	grep "found   : 1. https://github.com/heroku/heroku-buildpack-pgvector.git, 2. urn:buildpack:heroku/ruby" err &&
	grep "fix: slugguard deploy --app app1 --fix-buildpacks" err &&
	grep "heroku buildpacks:add --index 1 heroku/ruby -a app1" err &&
	test "$(standin_count POST /apps/app1/slugs)" = "$before"
'

test_expect_success '--fix-buildpacks sets the order and deploys' '
	"$SG" deploy --app app1 --build-dir b2 --fix-buildpacks >out 2>err &&
	test "$(cat out)" = "Released v2" &&
	standin_log PUT /apps/app1/buildpack-installations >log &&
	test_line_count = 1 log &&
	grep -F "{\\\"updates\\\":[{\\\"buildpack\\\":\\\"heroku/ruby\\\"},{\\\"buildpack\\\":\\\"https://github.com/heroku/heroku-buildpack-pgvector.git\\\"}]}" log &&
	test "$(standin_json "s[\"apps\"][\"app1\"][\"buildpacks\"][0]")" = heroku/ruby
'

test_expect_success 'a missing config var is refused, naming it, never a value' '
	standin_app app2 "{\"config_vars\": {\"RAILS_ENV\": \"production\", \"PLAID_SECRET\": \"plaid-value-xyz\"}}" &&
	test_expect_code 1 "$SG" deploy --app app2 --build-dir b2 >out 2>err &&
	grep "lacks required config vars: OPENAI_API_KEY" err &&
	grep "heroku config:set OPENAI_API_KEY=... -a app2" err &&
	! grep -e production -e plaid-value-xyz out err &&
	test "$(standin_count POST /apps/app2/slugs)" = 0
'

test_expect_success 'BUILDPACK_URL overriding the buildpacks is refused' '
	standin_app app3 &&
	standin_ctl "{\"apps\": {\"app3\": {\"config_vars\": {\"RAILS_ENV\": \"x\", \"OPENAI_API_KEY\": \"x\", \"PLAID_SECRET\": \"x\", \"BUILDPACK_URL\": \"https://example.com/bp.git\"}}}}" &&
	test_expect_code 1 "$SG" deploy --app app3 --build-dir b2 2>err &&
	grep "config var BUILDPACK_URL overrides" err
'

test_expect_success 'a Fir app is refused' '
	standin_app fir1 "{\"generation\": \"fir\", \"stack\": \"cnb\"}" &&
	test_expect_code 1 "$SG" deploy --app fir1 --build-dir b2 2>err &&
	grep "is a Fir app" err
'

test_expect_success 'a failing release phase exits non-zero; the last good release stays' '
	standin_ctl "{\"apps\": {\"app1\": {\"release_phase\": \"failed\"}}}" &&
	standin_fake_build b3 &&
	test_expect_code 2 "$SG" deploy --app app1 --build-dir b3 >out 2>err &&
	! grep Released out &&
	grep "release v3 failed: the previous release stays live" err &&
	grep "rake aborted" err &&
	test "$(standin_json "[r[\"version\"] for r in s[\"apps\"][\"app1\"][\"releases\"] if r[\"current\"]]")" = "[2]" &&
	standin_ctl "{\"apps\": {\"app1\": {\"release_phase\": \"succeeded\"}}}"
'

test_expect_success 'a slug that does not match its signed checksum is not uploaded' '
	standin_fake_build b4 &&
	printf "tampered" >>b4/slug.tgz &&
	before=$(standin_count POST /apps/app1/slugs) &&
	test_expect_code 1 "$SG" deploy --app app1 --build-dir b4 2>err &&
	grep "does not match its signed checksum" err &&
	test "$(standin_count POST /apps/app1/slugs)" = "$before"
'

test_expect_success 'an unsigned build is not deployed' '
	standin_fake_build b5 &&
	rm b5/slug.tgz.intoto.json &&
	test_expect_code 1 "$SG" deploy --app app1 --build-dir b5 2>err &&
	grep "refusing to deploy an unsigned slug" err
'

test_expect_success 'deploy usage errors exit 2' '
	test_expect_code 2 "$SG" deploy 2>err &&
	grep "^usage: slugguard deploy" err &&
	"$SG" deploy -h >out &&
	grep "^usage: slugguard deploy" out
'

test_expect_success 'the API key appears in no output and no request log' '
	! grep -r -F -e "$HEROKU_API_KEY" "$STANDIN_DIR/requests.log" \
		"$TRASH"/out "$TRASH"/err "$LEDGER"
'

test_done
