#!/bin/sh
# deploy --build-on heroku against the stand-in: the source tarball goes
# to a signed URL, Heroku builds it, slugguard attests the slug it built.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1
standin_app app1
SLUGGUARD_BUILD_POLL_MS=50
SLUGGUARD_DEPLOY_APP=app1
export SLUGGUARD_DEPLOY_APP
export SLUGGUARD_BUILD_POLL_MS

# build_entries STATE: the ledger's build entries (files) in STATE.
build_entries() {
	for _f in $(git -C app ls-tree --name-only refs/slugguard/ledger/app1 |
		grep "^build-"); do
		git -C app show "refs/slugguard/ledger/app1:$_f" |
			grep -q "\"state\":.*\"$1\"" && echo "$_f"
	done
	return 0
}

# live_slugs: the slug ids of app1's releases at the stand-in, sorted.
live_slugs() {
	standin_json "\"\\n\".join(sorted(set(r[\"slug\"][\"id\"] for r in s[\"apps\"][\"app1\"][\"releases\"] if r.get(\"slug\"))))" |
		sed "/^\$/d"
}

# kill_build N POINT: commit, start deploy --build-on heroku and kill -9
# it at POINT: "post" while the stand-in holds the reply to POST /builds
# (the build exists, nothing after the POST ran), "follow" while the
# build's output streams, "download" while the stand-in holds the slug
# download (Heroku's release exists, the slug is not attested yet).
kill_build() {
	(cd app && echo "$1" >"kill-$1" && git add "kill-$1" && test_tick &&
		git commit -q -m "kill $1") &&
	_n=$(standin_count POST /apps/app1/builds) &&
	_g=$(standin_count GET /slug-blobs/) &&
	case $2 in
	post) standin_ctl '{"clear_faults": true, "faults": [{"method": "POST", "path": "/apps/app1/builds", "kind": "slow_after", "delay": 5}]}' ;;
	download) standin_ctl '{"clear_faults": true, "faults": [{"method": "GET", "path": "/slug-blobs/", "kind": "slow_after", "delay": 5}]}' ;;
	*) true ;;
	esac >/dev/null || return 1
	(cd app && exec "$SG" deploy --app app1 --build-on heroku \
		>"$TRASH/kout-$1" 2>&1) &
	_p=$!
	case $2 in
	post)
		while test "$(standin_count POST /apps/app1/builds)" = "$_n" &&
			kill -0 "$_p" 2>/dev/null; do sleep 0.02; done ;;
	follow)
		while ! grep -q "Building on Heroku" "$TRASH/kout-$1" &&
			kill -0 "$_p" 2>/dev/null; do sleep 0.02; done ;;
	download)
		while test "$(standin_count GET /slug-blobs/)" = "$_g" &&
			kill -0 "$_p" 2>/dev/null; do sleep 0.02; done ;;
	esac
	kill -9 "$_p" 2>/dev/null
	wait "$_p"
	standin_ctl '{"clear_faults": true}' >/dev/null
}

# foreign_build TGZ VERSION: start a build of TGZ labelled VERSION through
# the API, as `heroku builds:create` would; prints the tarball's checksum.
foreign_build() {
	python3 - "$1" "$2" <<-\EOF
	import hashlib, json, os, ssl, sys, urllib.request
	ctx = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
	base = os.environ["HEROKU_API_URL"]
	def call(method, url, body=None, auth=True, raw=False):
	    h = {"Accept": "application/vnd.heroku+json; version=3"}
	    if auth:
	        h["Authorization"] = "Bearer " + os.environ["HEROKU_API_KEY"]
	    if body is not None and not raw:
	        body = json.dumps(body).encode()
	        h["Content-Type"] = "application/json"
	    req = urllib.request.Request(url, data=body, method=method, headers=h)
	    with urllib.request.urlopen(req, context=ctx) as r:
	        out = r.read()
	    return json.loads(out) if out and not raw else None
	data = open(sys.argv[1], "rb").read()
	sb = call("POST", base + "/apps/app1/sources", {})["source_blob"]
	req = urllib.request.Request(sb["put_url"], data=data, method="PUT",
	                             headers={"Content-Type": ""})
	urllib.request.urlopen(req, context=ctx).read()
	ck = "SHA256:" + hashlib.sha256(data).hexdigest()
	call("POST", base + "/apps/app1/builds",
	     {"source_blob": {"url": sb["get_url"], "checksum": ck,
	                      "version": sys.argv[2]}})
	print(ck)
	EOF
}

# forge_entry CHECKSUM COMMIT: write a pending build entry into app's
# ledger as anyone who can push to the deploy repository could.
forge_entry() {
	_blob=$(printf '{"format": "slugguard-ledger/v1", "slug_id": "build-1-forged-1", "state": "pending", "kind": "heroku-build", "source_checksum": "%s", "source_size": 1, "commit": "%s", "time": "2026-01-01T00:00:00Z", "repo": "x", "ref": "HEAD", "buildpacks": []}\n' "$1" "$2" |
		git -C app hash-object -w --stdin) &&
	_old=$(git -C app rev-parse refs/slugguard/ledger/app1) &&
	_tree=$({ git -C app ls-tree "$_old"; printf '100644 blob %s\tbuild-1-forged-1.json\n' "$_blob"; } |
		git -C app mktree) &&
	_new=$(git -C app commit-tree "$_tree" -p "$_old" -m forged) &&
	git -C app update-ref refs/slugguard/ledger/app1 "$_new" "$_old"
}

test_expect_success 'setup: an app with a policy naming the buildpacks' '
	git init -q app &&
	(
		cd app &&
		"$SG" init --template grayledger --app-json >/dev/null &&
		mkdir -p config && echo "# puma" >config/puma.rb &&
		git add . && test_tick && git commit -q -m "the app"
	)
'

test_expect_success 'a Heroku build is released, its slug attested' '
	(cd app && "$SG" deploy --app app1 --build-on heroku >../out 2>../err) &&
	test "$(cat out)" = "Released v1" &&
	grep "^-----> Ruby app detected" err &&
	grep "^-----> Building on Heroku: build " err &&
	grep "^-----> Releasing v1" err &&
	grep "Running release command" err &&
	test "$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][0][\"status\"]")" = succeeded &&
	test "$(standin_count GET /apps/app1/config-vars)" = 1
'

test_expect_success 'the build got the tarball checksum, commit, subject, buildpacks' '
	standin_log POST /apps/app1/builds >log &&
	test_line_count = 1 log &&
	(cd app && "$SG" build --source-tarball ../src.tgz >/dev/null) &&
	sum=$(sha256sum src.tgz | cut -d" " -f1) &&
	grep -F "\\\"checksum\\\":\\\"SHA256:$sum\\\"" log &&
	grep -F "\\\"version\\\":\\\"$(git -C app rev-parse HEAD)\\\"" log &&
	grep -F "\\\"version_description\\\":\\\"the app\\\"" log &&
	grep -F "\\\"buildpacks\\\":[{\\\"url\\\":\\\"heroku/ruby\\\"},{\\\"url\\\":\\\"https://github.com/heroku/heroku-buildpack-pgvector.git\\\"}]" log &&
	standin_log PUT /sources/ >put &&
	test_line_count = 1 put &&
	grep "\"sha256\": \"$sum\"" put
'

test_expect_success 'the source PUT is upper-case PUT with no Authorization' '
	grep "\"method\": \"PUT\"" put &&
	! grep -i "authorization" put &&
	grep "\"content-type\": \"\"" put &&
	standin_log GET /slug-blobs/ >get &&
	test_line_count = 1 get &&
	! grep -i "authorization" get
'

test_expect_success 'the signed URLs are never printed' '
	standin_log POST /apps/app1/builds | grep -o "X-Amz-Signature=[0-9a-f]*" >sig &&
	test -s sig &&
	! grep -F -f sig out err &&
	! grep "X-Amz" out err
'

test_expect_success 'the attestation names the slug, the tarball, the commit, the build' '
	slug=$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][0][\"slug\"][\"id\"]") &&
	git -C app show "refs/slugguard/ledger/app1:$slug.json" >entry &&
	grep "\"state\":.*\"complete\"" entry &&
	python3 -c "
import base64, json, sys
e = json.loads(json.load(open(sys.argv[1]))[\"attestation\"])
print(base64.b64decode(e[\"payload\"]).decode())" entry >stmt &&
	sha=$(standin_json "s[\"apps\"][\"app1\"][\"slugs\"][\"$slug\"][\"checksum\"]") &&
	grep -F "\"sha256\":\"${sha#SHA256:}\"" stmt &&
	sum=$(sha256sum src.tgz | cut -d" " -f1) &&
	grep -F "\"sha256\":\"$sum\"" stmt &&
	grep -F "\"gitCommit\":\"$(git -C app rev-parse HEAD)\"" stmt &&
	build=$(standin_json "list(s[\"builds\"])[0]") &&
	grep -F "\"invocationId\":\"$build\"" stmt &&
	grep -F "/apps/app1/builds/$build\"" stmt &&
	grep -F "\"stack\":\"heroku-24\"" stmt &&
	grep -F "urn:buildpack:heroku/ruby" stmt
'

test_expect_success 'releases shows it verified; rollback accepts it' '
	(cd app && "$SG" releases --app app1 >../rel) &&
	grep "^v1 .*succeeded.*current.*verified" rel &&
	! grep unverified rel &&
	(cd app && "$SG" deploy --app app1 --build-on heroku >../out2 2>../err2) &&
	test "$(cat out2)" = "Released v2" &&
	(cd app && "$SG" rollback --app app1 v1 >../rb 2>../rberr) &&
	grep "v3" rb &&
	test "$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][2][\"description\"]")" = "Rollback to v1"
'

test_expect_success 'a lost reply to POST /builds does not build twice' '
	before=$(standin_count POST /apps/app1/builds) &&
	standin_ctl "{\"faults\": [{\"method\": \"POST\", \"path\": \"/apps/app1/builds\", \"kind\": \"drop_after\"}]}" &&
	(cd app && "$SG" deploy --app app1 --build-on heroku >out3 2>err3) &&
	test "$(cat app/out3)" = "Released v4" &&
	test "$(standin_count POST /apps/app1/builds)" = $((before + 1)) &&
	test "$(standin_json "len(s[\"builds\"])")" = 3
'

test_expect_success 'a failed build exits 1 with its last lines, nothing released' '
	standin_ctl "{\"apps\": {\"app1\": {\"build_outcome\": \"failed\"}}}" &&
	nrel=$(standin_json "len(s[\"apps\"][\"app1\"][\"releases\"])") &&
	(cd app && test_expect_code 1 "$SG" deploy --app app1 --build-on heroku >../out4 2>../err4) &&
	! grep Released out4 &&
	grep "^-----> Last lines of Heroku build" err4 &&
	grep "^        !     Push rejected, failed to compile Ruby app." err4 &&
	grep "^slugguard: Heroku build .* failed: nothing was released" err4 &&
	test "$(standin_json "len(s[\"apps\"][\"app1\"][\"releases\"])")" = "$nrel"
'

test_expect_success 'a stream cut half way: the build status still decides' '
	standin_ctl "{\"apps\": {\"app1\": {\"build_outcome\": \"succeeded\"}}, \"faults\": [{\"path\": \"/build-streams/\", \"kind\": \"cut\"}]}" &&
	(cd app && "$SG" deploy --app app1 --build-on heroku >../out5 2>../err5) &&
	test "$(cat out5)" = "Released v5" &&
	grep "warning: the output stream of build .* broke off" err5 &&
	! grep "^-----> Launching" err5
'

test_expect_success 'a build that never ends is given up after --timeout' '
	standin_ctl "{\"apps\": {\"app1\": {\"build_outcome\": \"pending\"}}}" &&
	nrel=$(standin_json "len(s[\"apps\"][\"app1\"][\"releases\"])") &&
	(cd app && test_expect_code 2 "$SG" deploy --app app1 --build-on heroku --timeout 1 >../out6 2>../err6) &&
	grep "still pending after 1 s" err6 &&
	! grep Released out6 &&
	test "$(standin_json "len(s[\"apps\"][\"app1\"][\"releases\"])")" = "$nrel"
'

test_expect_success 'build output is masked: the API key and config var values' '
	key_line="token $HEROKU_API_KEY in a log" &&
	secret=$(standin_json "s[\"apps\"][\"app1\"][\"buildpacks\"]" >/dev/null && echo "value-of-plaid_secret") &&
	standin_ctl "{\"apps\": {\"app1\": {\"build_outcome\": \"succeeded\", \"build_output\": [\"-----> $key_line\", \"       PLAID_SECRET=$secret\"]}}}" &&
	(cd app && "$SG" deploy --app app1 --build-on heroku >../out7 2>../err7) &&
	grep -Fx -- "-----> token [masked HEROKU_API_KEY] in a log" err7 &&
	grep -Fx "       PLAID_SECRET=[masked PLAID_SECRET]" err7 &&
	! grep -F "$HEROKU_API_KEY" err7 out7 &&
	! grep -F "$secret" err7 out7
'

test_expect_success 'the ledger hears of each build before Heroku does' '
	build_entries complete >done &&
	test -s done &&
	test -z "$(build_entries pending)" &&
	f=$(head -n 1 done) &&
	git -C app show "refs/slugguard/ledger/app1:$f" >entry &&
	grep "\"kind\":.*\"heroku-build\"" entry &&
	grep "\"source_checksum\":.*\"SHA256:[0-9a-f]\{64\}\"" entry &&
	grep "\"build_id\":.*\"[0-9a-f-]\{36\}\"" entry &&
	grep "heroku/ruby" entry &&
	git -C app log --format=%s refs/slugguard/ledger/app1 >log &&
	grep "^ledger: pending build-" log &&
	grep "^ledger: pending [0-9a-f-]\{36\} v0; complete build-" log &&
	build_entries abandoned >failed &&
	test_line_count = 1 failed
'

test_expect_success 'kill -9 between the build POST and the slug entry: a clone shows it pending, the next deploy attests it' '
	git clone -q app mate &&
	i=0 &&
	for point in ${BUILD_KILL_POINTS:-post follow download post follow download}; do
		i=$((i + 1)) &&
		kill_build "$i" "$point" &&
		echo "kill $i at $point" &&
		build_entries pending >open &&
		test_line_count = 1 open &&
		standin_ctl "{\"finish_builds\": true}" >/dev/null &&
		v=$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][-1][\"version\"]") &&
		(cd mate && "$SG" releases --app app1 >../rel-$i 2>../relerr-$i) &&
		grep "^v$v .*unverified .*(pending attestation: Heroku build .* of $(git -C app rev-parse --short=12 HEAD) was started by a slugguard deploy that did not finish" rel-$i &&
		(cd mate && test_expect_code 1 "$SG" verify --app app1 --release "v$v" 2>../verr-$i) &&
		grep "v$v of app .app1.: pending attestation" verr-$i &&
		(cd app && echo "$i" >"after-$i" && git add "after-$i" && test_tick &&
			git commit -q -m "after $i" &&
			"$SG" deploy --app app1 --build-on heroku >../rout-$i 2>../rerr-$i) &&
		grep "^-----> Attesting slug .* left unrecorded by a deploy that did not finish" rerr-$i &&
		grep "^Released v" rout-$i &&
		test -z "$(build_entries pending)" &&
		live_slugs >live &&
		git -C app ls-tree --name-only refs/slugguard/ledger/app1 |
			sed -n "/^build-/!s/\.json\$//p" >recorded &&
		comm -23 live recorded >missing &&
		test ! -s missing &&
		(cd mate && "$SG" releases --app app1 >../rel2-$i &&
			"$SG" verify --app app1 --release "v$v" >../vok-$i) &&
		! grep unverified rel2-$i &&
		grep "^OK: v$v of app .app1.: slug " vok-$i || return 1
	done
'

test_expect_success 'a killed deploy whose build failed: the next deploy abandons its entry' '
	build_entries abandoned >before &&
	standin_ctl "{\"apps\": {\"app1\": {\"build_outcome\": \"failed\"}}}" &&
	kill_build f1 follow &&
	build_entries pending >open &&
	test_line_count = 1 open &&
	standin_ctl "{\"finish_builds\": true}" &&
	standin_ctl "{\"apps\": {\"app1\": {\"build_outcome\": \"succeeded\"}}}" &&
	(cd app && "$SG" deploy --app app1 --build-on heroku >../fout 2>../ferr) &&
	grep "^Released v" fout &&
	! grep "Attesting slug" ferr &&
	test -z "$(build_entries pending)" &&
	build_entries abandoned >after &&
	test_line_count = $(($(wc -l <before) + 1)) after
'

test_expect_success 'a forged build entry gets nothing signed: the source must pack from its commit' '
	mkdir -p other/source &&
	echo "not the app" >other/source/README &&
	tar -czf other.tgz -C other source &&
	head=$(git -C app rev-parse HEAD) &&
	sum=$(foreign_build other.tgz "$head") &&
	standin_ctl "{\"finish_builds\": true}" >/dev/null &&
	forge_entry "$sum" "$head" &&
	(cd app && "$SG" deploy --app app1 --build-on heroku >../gout 2>../gerr) &&
	grep "^Released v" gout &&
	grep "warning: ledger build entry build-1-forged-1 says the source of $(git -C app rev-parse --short=12 HEAD) is SHA256:.*but it packs to SHA256:.*not attested" gerr &&
	test "$(build_entries pending)" = build-1-forged-1.json &&
	foreign=$(standin_json "[b[\"slug\"] for b in s[\"builds\"].values() if b[\"source_blob\"][\"checksum\"] == \"$sum\"][0]") &&
	test -n "$foreign" &&
	! git -C app cat-file -e "refs/slugguard/ledger/app1:$foreign.json"
'

test_expect_success 'a policy with "build": "heroku" makes post-receive build there' '
	standin_ctl "{\"apps\": {\"app1\": {\"build_output\": [\"-----> Ruby app detected\"]}}}" &&
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	(
		cd app &&
		python3 -c "
import json
p = json.load(open(\"slugguard.json\"))
p[\"build\"] = \"heroku\"
json.dump(p, open(\"slugguard.json\", \"w\"), indent=2)" &&
		git commit -q -am "build on heroku" &&
		git push -q ../remote.git HEAD:main 2>../push-err
	) &&
	before=$(standin_json "len(s[\"builds\"])") &&
	test "$before" -ge 1 &&
	grep "^remote: -----> Building on Heroku: build " push-err &&
	grep "^remote: Released v" push-err &&
	test "$(standin_json "list(s[\"builds\"].values())[-1][\"source_blob\"][\"version\"]")" = "$(git -C app rev-parse HEAD)"
'

test_expect_success 'a policy "build" other than local or heroku is refused' '
	mkdir bad &&
	echo "{\"build\": \"cloud\"}" >bad/slugguard.json &&
	test_expect_code 2 "$SG" check --dir bad 2>err &&
	grep "must be \"local\" or \"heroku\"" err
'

test_expect_success 'usage: --build-on takes local or heroku, not with --build-dir' '
	test_expect_code 2 "$SG" deploy --app app1 --build-on mars 2>err &&
	grep "build-on must be .local. or .heroku." err &&
	test_expect_code 2 "$SG" deploy --app app1 --build-on heroku --build-dir x 2>err &&
	grep "no --build-dir" err
'

test_done
