#!/bin/sh
# A real git push to a bare deploy repository whose post-receive builds
# the pushed commit in-process and deploys it to the HTTPS stand-in,
# streaming the output to the pusher; a failing release keeps the last
# good release live and the log.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1
SLUGGUARD_DEPLOY_APP=app1
export SLUGGUARD_DEPLOY_APP

# make_bp DIR NAME: a fixture buildpack that detects as NAME.
make_bp() {
	mkdir -p "$1/bin" &&
	printf '#!/bin/sh\necho %s\n' "$2" >"$1/bin/detect" &&
	printf '#!/bin/sh\necho "-----> %s compile"\necho %s >"$1/.%s"\n' \
		"$2" "$2" "$2" >"$1/bin/compile" &&
	chmod +x "$1/bin/detect" "$1/bin/compile"
}

test_expect_success 'setup: buildpacks, a deploy repository with server hooks, an app' '
	make_bp "$TRASH/bp/ruby" Ruby &&
	make_bp "$TRASH/bp/pgvector" pgvector &&
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	git clone -q remote.git work 2>/dev/null &&
	(
		cd work &&
		"$SG" init --template grayledger --app-json >/dev/null &&
		for f in app.json slugguard.json; do
			sed -e "s|\"heroku/ruby\"|\"$TRASH/bp/ruby\"|" \
				-e "s|\"https://github.com/heroku/heroku-buildpack-pgvector.git\"|\"$TRASH/bp/pgvector\"|" \
				"$f" >"$f.new" && mv "$f.new" "$f" || return 1
		done &&
		grep "$TRASH/bp/ruby" app.json slugguard.json &&
		mkdir -p config && echo "# puma" >config/puma.rb &&
		git add . && test_tick && git commit -q -m "the app"
	) &&
	standin_app app1 "{\"buildpacks\": [\"$TRASH/bp/ruby\", \"$TRASH/bp/pgvector\"]}"
'

test_expect_success 'a push to main deploys it, output streamed to the pusher' '
	git -C work push origin main 2>err &&
	grep "^remote: slugguard: deploying [0-9a-f]* to Heroku app .app1." err &&
	grep "^remote: -----> Ruby app detected" err &&
	grep "^remote: -----> Releasing v1" err &&
	grep "^remote: Running release command" err &&
	grep "^remote: Released v1" err &&
	grep "^remote: slugguard: deployed [0-9a-f]* to .app1.; log in" err &&
	test "$(standin_json "s[\"apps\"][\"app1\"][\"releases\"][0][\"status\"]")" = succeeded
'

test_expect_success 'the deploy log is kept in the repository' '
	ls remote.git/slugguard/logs/push-*.log >logs &&
	test_line_count = 1 logs &&
	grep "^Released v1$" $(cat logs) &&
	grep "^--- status: deployed (exit 0)$" $(cat logs)
'

test_expect_success 'the released slug is the signed build of the pushed commit' '
	(cd work && "$SG" releases --app app1 >../out) &&
	grep "^v1 .*succeeded  current verified " out &&
	standin_log POST /apps/app1/slugs >log &&
	grep -F "\\\"commit\\\":\\\"$(git -C work rev-parse main)\\\"" log &&
	grep -F "\\\"release\\\":\\\"bundle exec rails db:migrate\\\"" log
'

test_expect_success 'check --app passes every line on the live app' '
	(cd work && "$SG" check --app app1 >../out) &&
	grep "^ok     buildpacks: 1. $TRASH/bp/ruby 2. $TRASH/bp/pgvector" out &&
	grep "^ok     config vars: all 16 required names set" out &&
	grep "^ok     formation: web=1 worker=1" out &&
	grep "^ok     last release: v1 succeeded" out &&
	grep "^ok     signed: current release v1 runs a verified slug" out &&
	(cd work && "$SG" check --app app1 main >../out2) &&
	test_cmp out out2
'

test_expect_success 'check --app names what is wrong and how to fix it' '
	standin_ctl "{\"apps\": {\"app1\": {\"buildpacks\": [\"$TRASH/bp/pgvector\", \"$TRASH/bp/ruby\"], \"formation\": [{\"type\": \"web\", \"quantity\": 1}], \"config_vars\": {\"RAILS_ENV\": \"production\"}}}}" &&
	(cd work && test_expect_code 1 "$SG" check --app app1 >../out 2>../err) &&
	grep "^FAILED buildpacks: not in the policy.s order" out &&
	grep "fix: slugguard deploy --app app1 --fix-buildpacks" out &&
	grep "^FAILED config vars: required names are missing" out &&
	grep "OPENAI_API_KEY" out &&
	! grep production out &&
	grep "^FAILED formation: web=1 worker=0" out &&
	grep "fix: heroku ps:scale worker=1 -a app1" out &&
	grep "3 checks failed for app .app1." err &&
	standin_app app1 "{\"buildpacks\": [\"$TRASH/bp/ruby\", \"$TRASH/bp/pgvector\"]}"
'

test_expect_success 'a failing release phase keeps the push, the last good release and the log' '
	standin_ctl "{\"apps\": {\"app1\": {\"release_phase\": \"failed\"}}}" &&
	test_commit -C work second second.txt &&
	git -C work push origin main 2>err &&
	test "$(git --git-dir=remote.git rev-parse main)" = "$(git -C work rev-parse main)" &&
	grep "^remote: -----> Releasing v2" err &&
	grep "^remote: slugguard: release v2 failed: the previous release stays live" err &&
	grep "^remote: slugguard: post-receive failed for refs/heads/main: deploy of [0-9a-f]* to .app1. failed; the last good release stays live" err &&
	test "$(standin_json "[r[\"version\"] for r in s[\"apps\"][\"app1\"][\"releases\"] if r[\"current\"]]")" = "[1]" &&
	ls remote.git/slugguard/logs/push-*.log >logs &&
	grep -l "^--- status: failed (exit 2)$" $(cat logs) >failed &&
	test_line_count = 1 failed &&
	grep "rake aborted" $(cat failed)
'

test_expect_success 'check --app reports the failed release' '
	(cd work && test_expect_code 1 "$SG" check --app app1 >../out) &&
	grep "^FAILED last release: v2 failed" out &&
	grep "^ok     signed: current release v1 runs a verified slug" out
'

test_expect_success 'rollback after the failure goes back to the verified v1' '
	standin_ctl "{\"apps\": {\"app1\": {\"release_phase\": \"succeeded\"}}}" &&
	(cd work && "$SG" rollback --app app1 v1 >../out) &&
	test "$(cat out)" = "Rolled back to v1 (release v3)"
'

test_expect_success 'the API key is in no log, no output and no ledger' '
	! grep -r -F -e "$HEROKU_API_KEY" remote.git/slugguard "$STANDIN_DIR/requests.log" \
		"$HOME/.local/share/slugguard" err out &&
	git --git-dir=remote.git log -p refs/slugguard/ledger/app1 >ledger &&
	grep "slug_id" ledger &&
	! grep -F -e "$HEROKU_API_KEY" ledger
'

# push_pair N: a commit on main and one on staging, pushed at once by two
# git processes; both post-receive deploys must succeed.
push_pair() {
	test_commit -C work "main$1" "main$1.txt" >/dev/null &&
		git -C work checkout -q staging &&
		test_commit -C work "staging$1" "staging$1.txt" >/dev/null &&
		git -C work checkout -q main || return 1
	git -C work push origin main >"$TRASH/push-m$1" 2>&1 &
	_p1=$!
	git -C work push origin staging >"$TRASH/push-s$1" 2>&1 &
	_p2=$!
	_rc=0
	wait "$_p1" || _rc=1
	wait "$_p2" || _rc=1
	grep -q "^remote: Released v" "$TRASH/push-m$1" || _rc=1
	grep -q "^remote: Released v" "$TRASH/push-s$1" || _rc=1
	test $_rc = 0 || cat "$TRASH/push-m$1" "$TRASH/push-s$1" >&2
	return $_rc
}

# ledger_slugs GITDIR: the slug ids in app1's ledger, sorted.
ledger_slugs() {
	git --git-dir="$1" ls-tree --name-only refs/slugguard/ledger/app1 |
		sed "s/\.json\$//" | sort
}

# live_slugs: the slug ids of the stand-in's releases, one a line; fails
# when the stand-in's state cannot be read (an empty list must mean no
# release, never a failed read)
live_slugs() {
	_ls=$(standin_json "\"\\n\".join(sorted(set(r[\"slug\"][\"id\"] for r in s[\"apps\"][\"app1\"][\"releases\"] if r.get(\"slug\"))))") ||
		return 1
	printf "%s\n" "$_ls" | sed "/^\$/d"
}

# kill_point I: where kill run I is aimed, spread over the whole deploy;
# with it KP_METHOD and KP_PATH, the request whose arrival at the stand-in
# times the kill (none for "build"), and KP_FAULT, the stand-in fault
# that holds the request so that the kill lands while it is held.
kill_point() {
	KP_FAULT=
	case $(($1 % 5)) in
	0) KP=build KP_METHOD='' KP_PATH='' ;;
	1) KP=slug KP_METHOD=POST KP_PATH=/apps/app1/slugs KP_KIND=slow_after ;;
	2) KP=upload KP_METHOD=PUT KP_PATH=/blobs/ KP_KIND=slow ;;
	# after the release POST, before the ledger's completion: the
	# release exists, the ledger has it pending
	3) KP=release KP_METHOD=POST KP_PATH=/apps/app1/releases KP_KIND=slow_after ;;
	4) KP=follow KP_METHOD=GET KP_PATH=/apps/app1/releases/ KP_KIND=slow_after ;;
	esac
	if test -n "$KP_METHOD"; then
		KP_FAULT="{\"method\": \"$KP_METHOD\", \"path\": \"$KP_PATH\", \"kind\": \"$KP_KIND\", \"delay\": 4}"
	fi
}

# kill_post_receive N: a new commit on main, fetched into the deploy
# repository, and post-receive run on it as git would; kill -9 at kill
# point N (kill_point): while the build runs, or while the stand-in
# holds the request of that step. Then `releases` reconciles and the
# ledger must know every live release, complete. (Why the git dir's own
# HEAD and not a push: a push would wait for the killed hook.)
kill_post_receive() {
	kill_point "$1" &&
	test_commit -C work "kill$1" "kill$1.txt" >/dev/null &&
		_old=$(git --git-dir=remote.git rev-parse main) &&
		git --git-dir=remote.git fetch -q "$TRASH/work" main:main 2>/dev/null &&
		echo "$_old $(git --git-dir=remote.git rev-parse main) refs/heads/main" \
			>"$TRASH/stdin" || return 1
	standin_ctl "{\"clear_faults\": true, \"faults\": [$KP_FAULT]}" >/dev/null &&
	_n=$(standin_count "$KP_METHOD" "$KP_PATH") &&
	live_slugs >"$TRASH/live0" &&
	_live=$(wc -l <"$TRASH/live0") || return 1
	_t0=$(date +%s%N)
	# its own session, so that the kill takes the forked deploy (in a
	# process group of its own) and its git children too, as a crash of
	# the server would; the session's id comes from its leader itself
	# (setsid forks when it must, and a zombie parent passes kill -0)
	rm -f "$TRASH/pgid" || return 1
	(cd remote.git && exec setsid sh -c 'echo $$ >"$1" && shift && exec "$@"' \
		sh "$TRASH/pgid" "$SG" hooks run post-receive \
		<"$TRASH/stdin" >"$TRASH/pr-out" 2>&1) &
	_p=$!
	while ! test -s "$TRASH/pgid"; do
		sleep 0.01
	done
	_g=$(cat "$TRASH/pgid")
	if test -z "$KP_METHOD"; then
		while ! grep -q "Building" "$TRASH/pr-out" &&
			kill -0 "$_g" 2>/dev/null; do
			sleep 0.02
		done
	else
		while test "$(standin_count "$KP_METHOD" "$KP_PATH")" = "$_n" &&
			kill -0 "$_g" 2>/dev/null; do
			sleep 0.02
		done
	fi
	_alive=no
	kill -0 "$_g" 2>/dev/null && _alive=yes
	# every process of the session, by id (bounded)
	_w=0
	while _pids=$(ps -o pid= -s "$_g") && test -n "$_pids" &&
		test $_w -lt 100; do
		# shellcheck disable=SC2086 # one id per word
		kill -9 $_pids 2>/dev/null
		sleep 0.01
		_w=$((_w + 1))
	done
	wait "$_p"
	# killed at its point, or the run proves nothing
	test "$_alive" = yes || { cat "$TRASH/pr-out" >&2; return 1; }
	_t1=$(date +%s%N)
	standin_ctl "{\"clear_faults\": true}" >/dev/null &&
	live_slugs >"$TRASH/live1" &&
	echo "$KP $(($(wc -l <"$TRASH/live1") - _live))" >>"$TRASH/kill-points" &&
	(cd work && "$SG" -q releases --app app1 >/dev/null) &&
	live_slugs >"$TRASH/live" &&
	ledger_slugs remote.git >"$TRASH/known" &&
	comm -23 "$TRASH/live" "$TRASH/known" >"$TRASH/unknown" &&
	test ! -s "$TRASH/unknown" &&
	# no live release left pending (one git process for every entry)
	git --git-dir=remote.git grep -l "\"state\":.*\"pending\"" \
		refs/slugguard/ledger/app1 -- >"$TRASH/pending" ||
		test $? = 1 || return 1
	sed "s|.*:||; s|\.json\$||" "$TRASH/pending" | sort >"$TRASH/pending-slugs" &&
	comm -12 "$TRASH/live" "$TRASH/pending-slugs" >"$TRASH/live-pending" || return 1
	if test -s "$TRASH/live-pending"; then
		echo "kill run $1 ($KP): a live release left pending" >&2
		return 1
	fi
	echo "kill run $1 ($KP): killed after $(((_t1 - _t0) / 1000000)) ms, checked after $((($(date +%s%N) - _t1) / 1000000)) ms"
}

test_expect_success 'two pushes to two deploy branches at once: both releases in the ledger' '
	(
		cd work &&
		sed "s/\"deploy_branches\": \[\"main\"\]/\"deploy_branches\": [\"main\", \"staging\"]/" slugguard.json >s.new &&
		grep "\"staging\"" s.new &&
		mv s.new slugguard.json &&
		git add slugguard.json && test_tick && git commit -q -m "deploy staging too" &&
		git branch staging &&
		git push -q origin main staging 2>/dev/null
	) &&
	i=1 &&
	while test $i -le "${LEDGER_PUSH_ROUNDS:-2}"; do
		push_pair $i || return 1
		i=$((i + 1))
	done &&
	live_slugs >expect &&
	ledger_slugs remote.git >actual &&
	test_cmp expect actual &&
	(cd work && "$SG" releases --app app1 >../out) &&
	grep "current verified" out
'

test_expect_success "kill -9 at ${LEDGER_PUSH_KILLS:-20} points of push deploys: the ledger knows every release" '
	mkdir -p ktmp &&
	start=$(date +%s) &&
	(
		TMPDIR=$TRASH/ktmp &&
		SLUGGUARD_RELEASE_POLL_MS=50 &&
		export TMPDIR SLUGGUARD_RELEASE_POLL_MS &&
		i=1 &&
		while test $i -le "${LEDGER_PUSH_KILLS:-20}"; do
			kill_post_receive $i || exit 1
			i=$((i + 1))
		done &&
		find "$TRASH/remote.git" -name "*.lock" >"$TRASH/locks" &&
		test ! -s "$TRASH/locks" &&
		test_commit -C "$TRASH/work" after-kills after.txt &&
		git -C "$TRASH/work" push origin main 2>"$TRASH/err"
	) &&
	grep "^remote: Released v" err &&
	ls ktmp >left &&
	test ! -s left &&
	(cd work && "$SG" releases --app app1 >../out) &&
	grep "current verified" out &&
	! grep unverified out &&
	test "$(wc -l <kill-points)" = "${LEDGER_PUSH_KILLS:-20}" &&
	test "$(grep -c "^release 1\$" kill-points)" = "$(grep -c "^release" kill-points)" &&
	test "$(grep -c "^slug 1\$" kill-points)" = 0 &&
	for p in build slug upload release follow; do
		echo "$p: $(grep -c "^$p " kill-points) kills, $(grep "^$p " kill-points | awk "{n += \$2} END {print n + 0}") releases created" || return 1
	done &&
	echo "${LEDGER_PUSH_KILLS:-20} killed push deploys in $(($(date +%s) - start)) s"
'

test_expect_success 'a push may not rewind or delete the ledger' '
	first=$(git --git-dir=remote.git rev-list --max-parents=0 refs/slugguard/ledger/app1) &&
	git -C work fetch -q origin "+refs/slugguard/ledger/app1:refs/old-ledger" &&
	git -C work update-ref refs/old-ledger "$first" &&
	test_must_fail git -C work push -f origin refs/old-ledger:refs/slugguard/ledger/app1 2>err &&
	grep "the release ledger only grows" err &&
	test_must_fail git -C work push origin :refs/slugguard/ledger/app1 2>err &&
	grep "the release ledger only grows" err &&
	git --git-dir=remote.git rev-parse refs/slugguard/ledger/app1
'

# term_deploy: a deploy from the clone with TMPDIR=$TRASH/tmp, sent
# SIGTERM once it is building.
term_deploy() {
	(cd work && TMPDIR=$TRASH/tmp exec "$SG" deploy --app app1 \
		>"$TRASH/term-out" 2>&1) &
	_p=$!
	while ! grep -q "Building" "$TRASH/term-out" &&
		kill -0 "$_p" 2>/dev/null; do
		sleep 0.1
	done
	kill -TERM "$_p" 2>/dev/null
	wait "$_p"
	return 0
}

test_expect_success 'SIGTERM during a build removes its temporary directories; a killed deploy s are swept' '
	mkdir -p tmp/slugguard-deploy-4194303-AbCdEf tmp/slugguard-build-4194303-AbCdEf tmp/other &&
	term_deploy &&
	grep "Building" term-out &&
	ls tmp >left &&
	echo other >expect &&
	test_cmp expect left
'

test_done
