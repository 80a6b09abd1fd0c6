#!/bin/sh
# bin/detect, bin/compile and bin/release run the way Heroku runs a
# buildpack, on fixture apps made here.
. "$(dirname "$0")/lib.sh"

BP="$SLUGGUARD_TOP"
export BP
# Without the scanner, compile stops at its step: check the rest.
"$SG" scan -h >/dev/null 2>&1 && test_set_prereq SCAN

# make_app DIR: a small Rails-shaped app with a deploy policy.
make_app() {
	mkdir -p "$1/config" &&
	printf "web: bundle exec puma\nrelease: bin/rails db:migrate\n" \
		>"$1/Procfile" &&
	printf "source \"https://rubygems.org\"\n" >"$1/Gemfile" &&
	cat >"$1/app.json" <<-\EOF &&
	{ "buildpacks": [ { "url": "heroku/ruby" },
	  { "url": "https://github.com/heroku/heroku-buildpack-pgvector.git" } ] }
	EOF
	cat >"$1/slugguard.json" <<-\EOF
	{ "version": 1,
	  "buildpacks": { "source": "app.json", "order": [ "heroku/ruby",
	    "https://github.com/heroku/heroku-buildpack-pgvector.git" ] } }
	EOF
}

test_expect_success 'bin/detect names the buildpack' '
	make_app app &&
	"$BP/bin/detect" "$TRASH/app" >out &&
	echo slugguard >e && test_cmp e out &&
	test_must_fail "$BP/bin/detect" "$TRASH/no-such-dir"
'

test_expect_success 'bin/release prints valid YAML' '
	"$BP/bin/release" "$TRASH/app" >out &&
	printf -- "---\naddons: []\n" >e && test_cmp e out &&
	if python3 -c "import yaml" 2>/dev/null; then
		python3 -c "import sys, yaml; d = yaml.safe_load(sys.stdin); assert d == {\"addons\": []}" <out
	fi
'

test_expect_success 'bin/compile builds slugguard into the cache, then checks' '
	mkdir cache env &&
	rc=0 &&
	{ "$BP/bin/compile" "$TRASH/app" "$TRASH/cache" "$TRASH/env" \
		>out 2>&1 || rc=$?; } &&
	cat out &&
	grep "^-----> Building slugguard from source" out &&
	grep "^-----> slugguard check" out &&
	grep "^       check: clean" out &&
	ls cache/slugguard-*/slugguard &&
	{ ! test_have_prereq SCAN || test $rc = 0; }
'

test_expect_success 'bin/compile reuses the cached build' '
	rc=0 &&
	{ "$BP/bin/compile" "$TRASH/app" "$TRASH/cache" "$TRASH/env" \
		>out 2>&1 || rc=$?; } &&
	grep "^-----> Using cached slugguard" out &&
	{ ! test_have_prereq SCAN || test $rc = 0; } &&
	! grep "Building slugguard" out
'

test_expect_success 'bin/compile fails the build on a policy violation' '
	make_app bad &&
	cat >bad/app.json <<-\EOF &&
	{ "buildpacks": [
	  { "url": "https://github.com/heroku/heroku-buildpack-pgvector.git" },
	  { "url": "heroku/ruby" } ] }
	EOF
	test_must_fail "$BP/bin/compile" "$TRASH/bad" "$TRASH/cache" \
		"$TRASH/env" >out 2>&1 &&
	grep "FAIL *buildpacks" out &&
	grep "slugguard: .slugguard check. failed the build" out
'

test_expect_success SCAN 'bin/compile fails the build on a planted secret' '
	make_app leak &&
	prefix="AKIA" &&
	body=$(rand_chars 16 A-Z2-7) &&
	printf "aws_access_key_id: %s%s\n" "$prefix" "$body" \
		>leak/config/aws.yml &&
	test_must_fail "$BP/bin/compile" "$TRASH/leak" "$TRASH/cache" \
		"$TRASH/env" >out 2>&1 &&
	grep "config/aws.yml" out &&
	grep "slugguard: .slugguard scan. failed the build" out
'

test_done
