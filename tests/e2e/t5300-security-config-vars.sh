#!/bin/sh
# Config vars in the build as on Heroku (issue 15): ENV_DIR holds the
# app's vars (0700, 0600 files, gone afterwards, also after SIGTERM);
# every value is masked in what the build prints (whole, split across
# writes, base64 at three alignments, JSON-escaped, URL-encoded); a slug
# that carries a value (plain or gzipped) is refused and never uploaded;
# no file left behind holds a value.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"
standin_start "$TRASH/standin" || exit 1

# Values made now: no secret-looking literal in the repository.
S="skb-$(rand_hex 40)"
# shellcheck disable=SC2089 # the quotes are part of the value
T="tok/\"$(rand_hex 12)\" x&y"
TMPDIR="$TRASH/tmp"
mkdir -p "$TMPDIR"
# shellcheck disable=SC2090
export S T TMPDIR
CFG=$(python3 -c 'import json, os; print(json.dumps({"SECRET_KEY_BASE": os.environ["S"], "API_TOKEN": os.environ["T"], "RAILS_ENV": "production", "SHORT": "abc"}))')
BAD=$(python3 -c 'import json; print(json.dumps({"GOOD_NAME": "a-long-enough-value", "../evil": "x"}))')
export CFG BAD

# No file under the test's HOME (repositories, caches, logs, ledger, temp
# files, outputs) holds a value; the stand-in's own state is the server.
no_value_left() {
	! grep -rlF -e "$S" -e "$T" --exclude-dir=standin "$TRASH"
}

# Start a build that hangs in bin/compile, wait for its ENV_DIR line, send
# SIGTERM; print the exit status and the ENV_DIR path.
sigterm_build() {
	(cd app && exec "$SG" build --app app1 --out ../out7 2>../err7) &
	_pid=$!
	_i=0
	while [ $_i -lt 300 ] && ! grep -q "^envdir: " err7 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	_dir=$(sed -n "s/^envdir: \(.*\) mode.*/\1/p" err7)
	if [ ! -d "$_dir" ]; then
		echo "sigterm_build: no ENV_DIR in err7" >&2
		kill $_pid
		return 1
	fi
	kill -TERM $_pid
	wait $_pid
	echo "$? $_dir"
}

test_expect_success 'setup: an app with config vars, a buildpack that echoes them' '
	mkdir -p bp/bin &&
	printf "#!/bin/sh\necho Fixture\n" >bp/bin/detect &&
	cat >bp/bin/compile <<-\EOS &&
	#!/bin/sh
	env_dir=$3
	s=$(cat "$env_dir/SECRET_KEY_BASE")
	t=$(cat "$env_dir/API_TOKEN")
	echo "envdir: $env_dir mode $(stat -c %a "$env_dir") file $(stat -c %a "$env_dir/SECRET_KEY_BASE")"
	echo "public: $(cat "$env_dir/RAILS_ENV") short: $(cat "$env_dir/SHORT")"
	echo "whole: $s"
	half=$((${#s} / 2))
	printf "split: %s" "$(printf "%s" "$s" | cut -c1-$half)"
	sleep 0.3
	printf "%s end\n" "$(printf "%s" "$s" | cut -c$((half + 1))-)"
	for p in "" a ab; do
		echo "b64: $(printf "%s%s!" "$p" "$s" | base64 -w0)"
	done
	echo "json: {\"token\":\"$(printf "%s" "$t" | sed "s/[\"\\\\]/\\\\&/g")\"}"
	echo "url: ?t=$(printf "%s" "$t" | sed -e "s/%/%25/g" -e "s/ /%20/g" -e "s/\"/%22/g" -e "s,/,%2F,g" -e "s/&/%26/g")"
	echo "on stderr: $s" >&2
	cd "$1" || exit 1
	if test -f bake; then
		mkdir -p public/assets &&
		printf "var k = \"%s\";\n" "$s" >public/assets/app.js
	fi
	if test -f bake-gz; then
		mkdir -p public/assets &&
		printf "var k = \"%s\";\n" "$s" | gzip -c >public/assets/app.js.gz
	fi
	if test -f hang; then
		sleep 60
	fi
	exit 0
	EOS
	chmod +x bp/bin/detect bp/bin/compile &&
	standin_app app1 "{\"buildpacks\": [\"$TRASH/bp\"], \"config_vars\": $CFG}" &&
	standin_app app2 "{\"buildpacks\": [\"$TRASH/bp\"], \"config_vars\": $BAD}" &&
	git init -q app &&
	printf "web: true\nrelease: true\n" >app/Procfile &&
	printf "%s\n" "$TRASH/bp" >app/.buildpacks &&
	git -C app add . &&
	test_tick &&
	git -C app commit -q -m app
'

test_expect_success 'build --app: ENV_DIR holds the vars, private, gone afterwards' '
	(cd app && "$SG" build --app app1 --out ../out) 2>err &&
	test -f out/slug.tgz &&
	grep "^envdir: .* mode 700 file 600$" err &&
	dir=$(sed -n "s/^envdir: \(.*\) mode.*/\1/p" err) &&
	test -n "$dir" &&
	test ! -e "$dir" &&
	grep "^public: production short: abc$" err &&
	test "$(standin_count GET /apps/app1/config-vars)" = 1
'

test_expect_success 'every form of every value is masked in the build output' '
	grep "^whole: \[masked SECRET_KEY_BASE\]$" err &&
	grep "^split: \[masked SECRET_KEY_BASE\] end$" err &&
	test "$(grep -c "^b64: .*\[masked SECRET_KEY_BASE\]" err)" = 3 &&
	grep "^json: {\"token\":\"\[masked API_TOKEN\]\"}$" err &&
	grep "^url: ?t=\[masked API_TOKEN\]$" err &&
	grep "^on stderr: \[masked SECRET_KEY_BASE\]$" err &&
	! grep -F -e "$S" -e "$T" err &&
	for p in "" a ab; do
		core=$(printf "%s%s!" "$p" "$S" | base64 -w0 | cut -c5-40) &&
		! grep -F "$core" err || return 1
	done &&
	! grep -F "$HEROKU_API_KEY" err &&
	! zcat out/slug.tgz | grep -aF "$S"
'

test_expect_success 'a config var name that is no file name: one line, exit 2' '
	(cd app && test_expect_code 2 "$SG" build --app app2 --out ../out2) 2>err &&
	test_line_count = 1 err &&
	grep "^slugguard: config var name .\.\./evil. cannot be a file name in ENV_DIR$" err &&
	test ! -e out2/slug.tgz
'

test_expect_success 'a slug that carries a value is refused: exit 1, file and var named' '
	test_commit -C app bake bake &&
	(cd app && test_expect_code 1 "$SG" build --app app1 --out ../out3) 2>err &&
	test "$(grep -c "^slugguard:" err)" = 1 &&
	grep "^slugguard: slug refused, a config var value is baked into it: app/public/assets/app.js carries SECRET_KEY_BASE (value) (config_vars.allow_in_slug" err &&
	! grep -F "$S" err &&
	test ! -e out3/slug.tgz
'

test_expect_success 'a gzipped asset is opened too' '
	git -C app rm -q bake &&
	test_commit -C app bake-gz bake-gz &&
	(cd app && test_expect_code 1 "$SG" build --app app1 --out ../out4) 2>err &&
	grep "baked into it: app/public/assets/app.js.gz carries SECRET_KEY_BASE (value) (" err &&
	test ! -e out4/slug.tgz
'

test_expect_success 'config_vars.allow_in_slug allows a var by name' '
	printf "{\"version\": 1, \"config_vars\": {\"allow_in_slug\": [\"SECRET_KEY_BASE\"]}}\n" >app/slugguard.json &&
	git -C app add slugguard.json &&
	git -C app commit -q -m allow &&
	(cd app && "$SG" build --app app1 --out ../out5) 2>err &&
	test -f out5/slug.tgz &&
	git -C app rm -q slugguard.json &&
	git -C app commit -q -m "no allow"
'

test_expect_success 'config_vars.public leaves a var unmasked' '
	printf "{\"version\": 1, \"config_vars\": {\"public\": [\"API_TOKEN\"]}}\n" >app/slugguard.json &&
	git -C app add slugguard.json &&
	git -C app rm -q bake-gz &&
	git -C app commit -q -m public &&
	(cd app && "$SG" build --app app1 --out ../out6) 2>err &&
	grep "^url: ?t=tok%2F%22" err &&
	grep "^whole: \[masked SECRET_KEY_BASE\]$" err &&
	git -C app rm -q slugguard.json &&
	git -C app commit -q -m "not public" &&
	rm -rf out6
'

test_expect_success 'build --env-dir: the values of a given ENV_DIR are masked too' '
	mkdir -m 700 given &&
	printf "%s\n" "$S" >given/SECRET_KEY_BASE &&
	printf "%s" "$T" >given/API_TOKEN &&
	printf "production" >given/RAILS_ENV &&
	printf "abc" >given/SHORT &&
	(cd app && "$SG" build --env-dir ../given --out ../out8) 2>err &&
	test -f out8/slug.tgz &&
	grep "^whole: \[masked SECRET_KEY_BASE\]$" err &&
	grep "^split: \[masked SECRET_KEY_BASE\] end$" err &&
	grep "^json: {\"token\":\"\[masked API_TOKEN\]\"}$" err &&
	grep "^public: production short: abc$" err &&
	! grep -F -e "$S" -e "$T" err &&
	rm -rf given out8
'

test_expect_success 'SIGTERM during bin/compile removes ENV_DIR' '
	test_commit -C app hang hang &&
	sigterm_build >res &&
	read -r status dir <res &&
	test "$status" = 143 &&
	test -n "$dir" &&
	test ! -e "$dir" &&
	git -C app rm -q hang &&
	git -C app commit -q -m "no hang"
'

test_expect_success 'deploy: ENV_DIR filled, build and release output masked' '
	standin_signing_key &&
	standin_ctl "{\"apps\": {\"app1\": {\"release_output\": \"Migrating with $S\\n\"}}}" &&
	before=$(standin_count GET /apps/app1/config-vars) &&
	(cd app && "$SG" deploy --app app1) >dout 2>err &&
	test "$(cat dout)" = "Released v1" &&
	test "$(standin_count GET /apps/app1/config-vars)" = $((before + 1)) &&
	grep "^envdir: .* mode 700 file 600$" err &&
	grep "^whole: \[masked SECRET_KEY_BASE\]$" err &&
	grep "Migrating with \[masked SECRET_KEY_BASE\]" err &&
	! grep -F -e "$S" -e "$T" err
'

test_expect_success 'deploy: a slug that carries a value is never uploaded' '
	test_commit -C app bake bake &&
	slugs=$(standin_count POST /apps/app1/slugs) &&
	blobs=$(standin_count PUT /blobs/) &&
	rels=$(standin_count POST /apps/app1/releases) &&
	(cd app && test_expect_code 1 "$SG" deploy --app app1) >dout 2>err &&
	grep "^slugguard: slug refused, a config var value is baked into it: app/public/assets/app.js carries SECRET_KEY_BASE (value)" err &&
	! grep -F "$S" err &&
	test "$(standin_count POST /apps/app1/slugs)" = "$slugs" &&
	test "$(standin_count PUT /blobs/)" = "$blobs" &&
	test "$(standin_count POST /apps/app1/releases)" = "$rels" &&
	git -C app rm -q bake &&
	git -C app commit -q -m "no bake"
'

test_expect_success 'push: remote: lines and the push log are masked' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	SLUGGUARD_DEPLOY_APP=app1 git -C app push ../remote.git main 2>err &&
	grep "^remote: whole: \[masked SECRET_KEY_BASE\]" err &&
	grep "^remote: split: \[masked SECRET_KEY_BASE\] end" err &&
	grep "^remote: .*Migrating with \[masked SECRET_KEY_BASE\]" err &&
	! grep -F -e "$S" -e "$T" err &&
	ls remote.git/slugguard/logs/push-*.log >logs &&
	! grep -F -e "$S" -e "$T" $(cat logs)
'

test_expect_success 'no file left behind holds a value' '
	no_value_left
'

test_done
