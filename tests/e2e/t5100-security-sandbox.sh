#!/bin/sh
# Buildpacks are third-party code: a hostile one that hunts for the API
# key and the signing key (other processes' environ and cmdline, the key
# file, the repository, the ledger) and tries to write outside its build
# finds nothing, with `slugguard build --key` and through a real push to
# a deploy repository with server hooks. Without bubblewrap the server
# refuses to build; a local --no-sandbox says loudly what it gives up.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1
LEDGER_DIR="$HOME/.local/share/slugguard"
OUTSIDE="/tmp/slugguard-t5100-$(rand_chars 12 a-z0-9)"
export LEDGER_DIR OUTSIDE

# make_hostile DIR REPO KEY: a buildpack whose every step (and its export
# file) runs bin/grab STEP, which reports what it found in the build dir,
# on stdout and stderr, and tries to write into REPO/hooks and /tmp.
make_hostile() {
	mkdir -p "$1/bin" &&
	cat >"$1/bin/grab.in" <<-\EOS &&
	#!/bin/sh
	build=$1
	step=$2
	loot="$build/loot-$step.txt"
	{
		echo "== $step ran"
		for d in /proc/[0-9]*; do
			echo "-- pid ${d#/proc/}: $(tr "\000" " " <"$d/cmdline")"
			tr "\000" "\n" <"$d/environ"
			for f in $(tr "\000" "\n" <"$d/cmdline" | sed -n "/^--key$/{n;p;}") \
				$(tr "\000" "\n" <"$d/environ" | sed -n "s/^SLUGGUARD_SIGNING_KEY=//p"); do
				echo "-- key file $f"
				cat "$f"
			done
		done
		echo "-- fds"
		ls -l /proc/self/fd/
		echo "-- known key"
		cat "@KEY@"
		echo "-- repository"
		ls -la "@REPO@"
		cat "@REPO@/config"
		echo "-- ledger"
		ls -laR "@LEDGER@"
		cat "@LEDGER@/sentinel"
		echo "-- home"
		ls -la "@HOME@"
	} >"$loot" 2>&1
	echo pwned >"@REPO@/hooks/pwned-$step" 2>/dev/null
	echo pwned >"@OUTSIDE@-$step" 2>/dev/null
	cat "$loot"
	cat "$loot" >&2
	exit 0
	EOS
	sed -e "s|@KEY@|$3|g" -e "s|@REPO@|$2|g" -e "s|@LEDGER@|$LEDGER_DIR|g" \
		-e "s|@HOME@|$HOME|g" -e "s|@OUTSIDE@|$OUTSIDE|g" \
		"$1/bin/grab.in" >"$1/bin/grab" &&
	rm "$1/bin/grab.in" &&
	printf '#!/bin/sh\n"$(dirname "$0")/grab" "$1" detect >&2\necho Hostile\n' \
		>"$1/bin/detect" &&
	cat >"$1/bin/compile" <<-\EOS &&
	#!/bin/sh
	bp=$(cd "$(dirname "$0")/.." && pwd)
	"$bp/bin/grab" "$1" compile
	printf "\"%s/bin/grab\" \"%s\" export >&2\n" "$bp" "$1" >"$bp/export"
	EOS
	printf '#!/bin/sh\n"$(dirname "$0")/grab" "$1" release >&2\nprintf -- "---\\ndefault_process_types:\\n  web: ./run\\n"\n' \
		>"$1/bin/release" &&
	chmod +x "$1/bin/grab" "$1/bin/detect" "$1/bin/compile" "$1/bin/release"
}

# no_secrets FILE...: neither the API key nor a line of the private key
# is in any of the files (directories are searched).
no_secrets() {
	! grep -r -F -e "$HEROKU_API_KEY" "$@" &&
	! grep -r -F -f "$TRASH/keylines" "$@"
}

# grabbed DIR: every step ran and reported, in the slug unpacked in DIR.
grabbed() {
	for s in detect compile export release; do
		grep "^== $s ran" "$1/app/loot-$s.txt" || return 1
	done
}

test_expect_success 'setup: keys, a ledger, an app, a hostile buildpack' '
	mkdir keys &&
	"$SG" keygen --out keys/signing.pem >/dev/null 2>&1 &&
	grep -v "^-----" keys/signing.pem >keylines &&
	test -s keylines &&
	mkdir -p "$LEDGER_DIR" &&
	rand_chars 24 >"$LEDGER_DIR/sentinel" &&
	git init -q app &&
	(
		cd app &&
		printf "web: ./run\n" >Procfile &&
		printf "{\"buildpacks\": [{\"url\": \"%s\"}]}\n" "$TRASH/hostile" \
			>app.json &&
		git add -A && test_tick && git commit -q -m app
	) &&
	make_hostile hostile "$TRASH/app/.git" "$TRASH/keys/signing.pem"
'

test_expect_success 'build --key: the hostile buildpack finds no secret' '
	(cd app && "$SG" build --key ../keys/signing.pem --out ../out1) \
		>stdout 2>stderr &&
	test -f out1/slug.tgz.intoto.json &&
	mkdir x1 && tar xzf out1/slug.tgz -C x1 &&
	tar tzvf out1/slug.tgz >list1 &&
	grabbed x1 &&
	grep "^-- pid 1: " x1/app/loot-compile.txt &&
	no_secrets x1 stdout stderr list1 out1 &&
	! grep -F "$(cat "$LEDGER_DIR/sentinel")" x1/app/loot-compile.txt &&
	! grep "^\[core\]" x1/app/loot-compile.txt &&
	! ls app/.git/hooks/pwned-* &&
	! ls "$OUTSIDE"-*
'

test_expect_success 'build: a sandboxed step holds only fds 0, 1 and 2' '
	sed -n "/^-- fds/,/^-- known key/p" x1/app/loot-compile.txt >fds &&
	! grep " [3-9] -> \| [1-9][0-9][0-9]* -> " fds | grep -v "/proc/" &&
	grep " 2 -> " fds
'

test_expect_success 'build: HEROKU_API_KEY and the key path are in no step environment' '
	! grep "^HEROKU_API_KEY=\|^SLUGGUARD_SIGNING_KEY=" x1/app/loot-*.txt &&
	grep "^TMPDIR=/tmp$" x1/app/loot-compile.txt &&
	grep "^STACK=heroku-24$" x1/app/loot-compile.txt
'

test_expect_success 'a push deploys through the server hooks; nothing leaks' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	make_hostile hostile2 "$TRASH/remote.git" "$SLUGGUARD_SIGNING_KEY" &&
	git clone -q remote.git work 2>/dev/null &&
	(
		cd work &&
		printf "web: ./run\n" >Procfile &&
		printf "{\"buildpacks\": [{\"url\": \"%s\"}]}\n" \
			"$TRASH/hostile2" >app.json &&
		git add -A && test_tick && git commit -q -m app
	) &&
	grep -v "^-----" "$SLUGGUARD_SIGNING_KEY" >>keylines &&
	standin_app app1 "{\"buildpacks\": [\"$TRASH/hostile2\"]}" &&
	SLUGGUARD_DEPLOY_APP=app1 git -C work push origin main 2>push-err &&
	grep "^remote: -----> Hostile app detected" push-err &&
	grep "^remote: == compile ran" push-err &&
	grep "^remote: Released v1" push-err &&
	for st in detect compile export release; do
		grep "^remote: == $st ran" push-err || return 1
	done &&
	grep "^remote: -- pid 1: " push-err &&
	no_secrets push-err remote.git/slugguard "$LEDGER_DIR" \
		"$STANDIN_DIR/requests.log" &&
	! grep -F "$(cat "$LEDGER_DIR/sentinel")" push-err &&
	! grep "^remote: \[core\]" push-err &&
	! ls remote.git/hooks/pwned-* &&
	! ls "$OUTSIDE"-*
'

test_expect_success 'the server refuses to build without bubblewrap' '
	test_commit -C work second &&
	before=$(standin_count POST /apps/app1/slugs) &&
	SLUGGUARD_BWRAP=/nonexistent/bwrap SLUGGUARD_DEPLOY_APP=app1 \
		git -C work push origin main 2>push-err &&
	grep "^remote: slugguard: cannot sandbox buildpacks: bubblewrap (Debian package .bubblewrap.) is not installed" push-err &&
	grep "^remote: slugguard: post-receive failed for refs/heads/main" push-err &&
	! grep "Hostile app detected\|== detect ran" push-err &&
	test "$(standin_count POST /apps/app1/slugs)" = "$before"
'

test_expect_success 'a bwrap that cannot set up is refused, naming it' '
	(cd app && SLUGGUARD_BWRAP=/bin/false test_expect_code 2 "$SG" build \
		--key ../keys/signing.pem --out ../bad1) 2>err &&
	grep "^slugguard: cannot sandbox buildpacks: ./bin/false. does not work here (exit 1)" err &&
	! grep "== detect ran" err &&
	test_must_fail test -f bad1/slug.tgz
'

test_expect_success 'build --no-sandbox warns, even with -q' '
	mkdir -p plain/bin &&
	printf "#!/bin/sh\necho Plain\n" >plain/bin/detect &&
	printf "#!/bin/sh\ntrue\n" >plain/bin/compile &&
	chmod +x plain/bin/detect plain/bin/compile &&
	(cd app && SLUGGUARD_BWRAP=/nonexistent/bwrap "$SG" -q build \
		--no-sandbox --buildpack ../plain --out ../out3) 2>err &&
	grep "^slugguard: warning: --no-sandbox: buildpacks run UNSANDBOXED" err &&
	test -f out3/slug.tgz
'

test_expect_success 'the server policy, not the pushed one, vets the list before any buildpack runs' '
	mkdir -p evil/bin &&
	printf "#!/bin/sh\necho EVIL RAN >&2\necho Evil\n" >evil/bin/detect &&
	printf "#!/bin/sh\necho EVIL RAN >&2\n" >evil/bin/compile &&
	chmod +x evil/bin/detect evil/bin/compile &&
	printf "{\"version\": 1, \"buildpacks\": [\"%s\"]}\n" \
		"$TRASH/hostile2" >remote.git/slugguard.json &&
	test_when_finished "rm -f remote.git/slugguard.json" &&
	git clone -q remote.git evil-work 2>/dev/null &&
	(
		cd evil-work &&
		printf "{\"buildpacks\": [{\"url\": \"%s\"}]}\n" \
			"$TRASH/evil" >app.json &&
		printf "{\"version\": 1, \"buildpacks\": [\"%s\"]}\n" \
			"$TRASH/evil" >slugguard.json &&
		git add -A && test_tick && git commit -q -m evil
	) &&
	git --git-dir=remote.git fetch -q "$TRASH/evil-work" main:refs/heads/evil &&
	(cd remote.git && test_expect_code 1 "$SG" deploy --app app1 \
		--commit evil) >out 2>err &&
	grep "^slugguard: buildpack order refused by .*remote.git/slugguard.json" err &&
	! grep "EVIL RAN" err out
'

test_expect_success 'deploy holds the list against the live app before building' '
	standin_app app1 "{\"buildpacks\": [\"$TRASH/evil\"]}" &&
	test_when_finished "standin_app app1 \"{\\\"buildpacks\\\": [\\\"$TRASH/hostile2\\\"]}\"" &&
	(cd remote.git && test_expect_code 1 "$SG" deploy --app app1 \
		--commit main) >out 2>err &&
	grep "^slugguard: refusing to deploy: buildpacks of .app1. are not in the policy.s order" err &&
	grep "expected: 1. $TRASH/hostile2" err &&
	! grep "== detect ran\|EVIL RAN\|Building" err out
'

test_done
