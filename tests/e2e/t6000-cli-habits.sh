#!/bin/sh
# The command line behaves as the Heroku CLI and git do: -a/--app,
# HEROKU_APP and -r/--remote pick the app; -V, version and help <cmd>;
# every complaint is one "slugguard: ..." line naming what was wrong;
# a closed pipe ends quietly; keys stay out of the work tree; deploy checks
# the credentials and the app before it builds; an offline buildpack fetch
# names the mirror way out.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

openai_key() {
	_p="sk-"
	_p="${_p}proj-"
	printf '%s%s' "$_p" "$(rand_chars 74)"
}

standin_start "$TRASH/standin" || exit 1
standin_app app1

test_expect_success '-V, --version and version print the version' '
	"$SG" -V >v1 &&
	"$SG" --version >v2 &&
	"$SG" version >v3 &&
	grep "^slugguard [0-9]" v1 &&
	test_cmp v1 v2 &&
	test_cmp v1 v3
'

# libcurl, libarchive and Hyperscan load on first use, and so does
# GSSAPI with the static libgit2 (src/gitwalk/gss-dl.c): a hook pays for
# none of them (LD_DEBUG=libs lists what the loader loads).
test_expect_success 'start-up loads no library only some commands need' '
	LD_DEBUG=libs "$SG" --version >/dev/null 2>libs &&
	grep "calling init" libs &&
	! grep -E "libcurl|libarchive|libhs" libs &&
	if ldd "$SG" | grep -q libgit2; then
		: a shared libgit2 brings GSSAPI itself
	else
		! grep -E "gssapi|krb5" libs
	fi
'

test_expect_success 'help <command> shows that command usage' '
	"$SG" help deploy >out &&
	grep "^usage: slugguard deploy" out &&
	"$SG" deploy -h >expect &&
	test_cmp expect out &&
	test_expect_code 2 "$SG" help no-such 2>err &&
	grep "^slugguard: help: .no-such. is not a slugguard command" err
'

test_expect_success 'getopt complaints are slugguard: lines, exit 2' '
	test_expect_code 2 "$SG" deploy --bogus 2>err &&
	head -n 1 err >first &&
	echo "slugguard: deploy: unknown option '"'"'--bogus'"'"'" >expect &&
	test_cmp expect first &&
	test_expect_code 2 "$SG" releases --app 2>err &&
	grep "^slugguard: releases: option .--app. requires an argument" err &&
	test_expect_code 2 "$SG" scan -Z 2>err &&
	grep "^slugguard: scan: unknown option .-Z." err &&
	test_expect_code 2 "$SG" --bogus 2>err &&
	grep "^slugguard: unknown option .--bogus." err &&
	! grep -v "^slugguard: \|^usage: \|^  \|^ *or: \|^$\|^commands:\|^Run " err
'

test_expect_success 'a missing or extra argument is named' '
	test_expect_code 2 "$SG" hooks 2>err &&
	grep "^slugguard: hooks: a subcommand is required" err &&
	test_expect_code 2 "$SG" hooks install --bogus 2>err &&
	grep "^slugguard: hooks install: unknown option .--bogus." err &&
	test_expect_code 2 "$SG" hooks run 2>err &&
	grep "^slugguard: hooks run: <hook> is required" err &&
	test_expect_code 2 "$SG" buildpack detect 2>err &&
	grep "^slugguard: buildpack detect: BUILD_DIR is required" err &&
	test_expect_code 2 "$SG" check HEAD extra 2>err &&
	grep "^slugguard: check: unexpected .extra." err &&
	test_expect_code 2 "$SG" verify 2>err &&
	grep "^slugguard: verify: --app is required (or HEROKU_APP, -r REMOTE)" err &&
	test_expect_code 2 "$SG" verify a.tgz b.tgz 2>err &&
	grep "^slugguard: verify: unexpected .b.tgz." err
'

test_expect_success 'a missing app is named, with the ways to give one' '
	test_expect_code 2 "$SG" deploy 2>err &&
	grep "^slugguard: deploy: --app is required (or HEROKU_APP, -r REMOTE)" err &&
	test_expect_code 2 "$SG" releases 2>err &&
	grep "^slugguard: releases: --app is required" err
'

test_expect_success '-a, --app, HEROKU_APP and -r pick the app' '
	"$SG" releases -a app1 >a &&
	"$SG" releases --app=app1 >b &&
	HEROKU_APP=app1 "$SG" releases >c &&
	test_cmp a b &&
	test_cmp a c &&
	git init -q repo &&
	git -C repo remote add heroku https://git.heroku.com/app1.git &&
	git -C repo remote add staging git@heroku.com:app1.git &&
	git -C repo remote add origin https://github.com/acme/app1.git &&
	(cd repo && "$SG" releases -r heroku >../d) &&
	(cd repo && "$SG" releases --remote staging >../e) &&
	test_cmp a d &&
	test_cmp a e &&
	test "$(standin_count GET /apps/app1/releases)" = 5
'

test_expect_success '-r with a remote that is not Heroku says which' '
	(cd repo && test_expect_code 2 "$SG" releases -r origin 2>../err) &&
	grep "^slugguard: releases: git remote .origin. is not a Heroku app" err &&
	(cd repo && test_expect_code 2 "$SG" releases -r nope 2>../err) &&
	grep "^slugguard: releases: no git remote .nope." err
'

test_expect_success 'scan --all | head ends quietly' '
	git init -q leaky &&
	(cd leaky &&
	 i=0 &&
	 while [ $i -lt 300 ]; do
		echo "OPENAI_API_KEY=$(openai_key)" >"f$i.env" || return 1
		i=$((i + 1))
	 done &&
	 git add . && git commit -q -m leak) &&
	echo 0 >rc &&
	(cd leaky && "$SG" scan --all 2>../scan-err || echo $? >../rc) |
		head -n 1 >out &&
	test -s out &&
	test ! -s scan-err &&
	rc=$(cat rc) &&
	{ test "$rc" = 141 || test "$rc" = 1; }
'

test_expect_success 'keygen writes under XDG_CONFIG_HOME, not the work tree' '
	(cd repo && "$SG" keygen >../out 2>../err) &&
	test -f "$XDG_CONFIG_HOME/slugguard/signing.pem" &&
	test -f "$XDG_CONFIG_HOME/slugguard/signing.pub.pem" &&
	test "$(stat -c %a "$XDG_CONFIG_HOME/slugguard/signing.pem")" = 600 &&
	test "$(stat -c %a "$XDG_CONFIG_HOME/slugguard")" = 700 &&
	! ls repo/*.pem &&
	(cd repo && test_expect_code 2 "$SG" keygen 2>../err) &&
	grep "^slugguard: .*signing.pem" err &&
	(unset XDG_CONFIG_HOME && HOME=$TRASH/home2 && export HOME &&
	 cd repo && "$SG" keygen >/dev/null 2>&1) &&
	test -f "$TRASH/home2/.config/slugguard/signing.pem"
'

test_expect_success 'deploy checks the credentials before it builds' '
	git -C repo commit -q --allow-empty -m one &&
	(cd repo && HEROKU_API_KEY=wrong test_expect_code 2 "$SG" deploy -a app1 2>../err) &&
	grep "^slugguard: deploy: checking the Heroku credentials before the build" err &&
	! grep "Building\|Exporting" err
'

test_expect_success 'deploy checks the app exists before it builds' '
	(cd repo && test_must_fail "$SG" deploy -a no-such-app 2>../err) &&
	grep "^slugguard: deploy: checking app .no-such-app. before the build" err &&
	! grep "Building\|Exporting" err
'

# (a repository without remotes: libgit2 1.5 leaks in git_regexp_match
# while it applies insteadOf to a remote, which LeakSanitizer reports)
test_expect_success 'an unreachable buildpack names the insteadOf mirror' '
	git init -q app &&
	(cd app && echo "web: true" >Procfile && git add Procfile &&
	 git commit -q -m procfile) &&
	(cd app && test_must_fail "$SG" build --out ../slug \
		--buildpack https://127.0.0.1:9/bp.git 2>../err) &&
	grep "^slugguard: fetching buildpack .*insteadOf https://127.0.0.1:9/bp.git" err
'

test_done
