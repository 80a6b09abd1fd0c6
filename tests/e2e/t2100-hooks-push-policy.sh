#!/bin/sh
# Real pushes through installed hooks: the deploy policy (buildpacks,
# config vars, Procfile) on pre-push and on the server's pre-receive, the
# push cases (new branch, several refs, deletion, tags, other branches),
# post-receive, foreign hooks and failing closed.
. "$(dirname "$0")/lib.sh"

PGV=https://github.com/heroku/heroku-buildpack-pgvector.git
export PGV

# remote_has REF: the remote's REF equals the work clone's
remote_has() {
	test "$(git --git-dir=remote.git rev-parse --verify "$1")" = \
		"$(git -C work rev-parse --verify "${2:-$1}")"
}

test_expect_success 'setup: server with hooks, clone with policy and hooks' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	git clone -q remote.git work 2>/dev/null &&
	(cd work && "$SG" init --template grayledger --app-json >/dev/null &&
	 "$SG" hooks install >/dev/null) &&
	git -C work add . &&
	test_tick && git -C work commit -q -m "deploy policy"
'

test_expect_success 'a clean push is accepted with one short line' '
	git -C work push origin main 2>err &&
	remote_has refs/heads/main &&
	grep "^slugguard: .*scanned, policy ok$" err &&
	test "$(grep -c "^slugguard:" err)" = 1 &&
	grep "^remote: slugguard: accepted refs/heads/main" err
'

test_expect_success 'post-receive recorded the accepted push' '
	ls remote.git/slugguard/logs/push-*.log >logs &&
	test "$(wc -l <logs)" = 1 &&
	grep "^new $(git -C work rev-parse main)$" $(cat logs)
'

test_expect_success 'check passes on HEAD with a checklist' '
	(cd work && "$SG" check >../out) &&
	grep "^ok   buildpacks" out &&
	grep "^ok   config vars" out &&
	grep "^ok   procfile" out
'

test_expect_success 'wrong buildpack order is refused with the fix' '
	sed -e "s|\"heroku/ruby\"|\"@P@\"|" -e "s|\"$PGV\"|\"heroku/ruby\"|" \
		-e "s|\"@P@\"|\"$PGV\"|" work/app.json >tmp &&
	mv tmp work/app.json &&
	test_tick && git -C work commit -q -am "swap buildpacks" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "push refused by the pre-push hook" err &&
	grep "FAIL buildpacks: wrong order in app.json" err &&
	grep "expected: 1. heroku/ruby  2. $PGV" err &&
	grep "found:    1. $PGV  2. heroku/ruby" err &&
	grep "heroku buildpacks:clear -a APP" err &&
	grep "heroku buildpacks:add --index 1 heroku/ruby -a APP" err &&
	grep "heroku buildpacks:add --index 2 $PGV -a APP" err &&
	grep "and in app.json: \"buildpacks\"" err &&
	grep "git push --no-verify" err &&
	! remote_has refs/heads/main
'

test_expect_success 'check shows the same failure and exits 1' '
	(cd work && test_expect_code 1 "$SG" check >../out) &&
	grep "^FAIL buildpacks" out
'

test_expect_success '--no-verify is refused by the server with remote: lines' '
	test_must_fail git -C work push --no-verify origin main 2>err &&
	grep "^remote: slugguard: push refused by the pre-receive hook" err &&
	grep "^remote: slugguard:   FAIL buildpacks: wrong order" err &&
	grep "^remote: slugguard: this check runs on the server" err &&
	grep "pre-receive hook declined" err &&
	! remote_has refs/heads/main
'

test_expect_success 'a non-deploy branch gets the secret scan only' '
	git -C work push origin main:refs/heads/topic 2>err &&
	remote_has refs/heads/topic main &&
	grep "no policy checked" err
'

test_expect_success 'a missing required config var declaration is refused' '
	git -C work reset -q --hard HEAD~1 &&
	sed "/\"PLAID_SECRET\"/d" work/app.json >tmp && mv tmp work/app.json &&
	test_tick && git -C work commit -q -am "drop a var" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "FAIL config vars: not declared in app.json env: PLAID_SECRET" err &&
	grep "add to app.json \"env\": \"PLAID_SECRET\"" err &&
	! remote_has refs/heads/main
'

test_expect_success 'a disallowed PLAID_ENV value is refused' '
	git -C work reset -q --hard HEAD~1 &&
	sed "s/\"value\": \"sandbox\"/\"value\": \"development\"/" \
		work/app.json >tmp && mv tmp work/app.json &&
	test_tick && git -C work commit -q -am "plaid env" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "PLAID_ENV is not one of sandbox, production" err
'

test_expect_success 'a missing release process is refused' '
	git -C work reset -q --hard HEAD~1 &&
	sed "/^release:/d" work/Procfile >tmp && mv tmp work/Procfile &&
	test_tick && git -C work commit -q -am "no release" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "FAIL procfile: no .release. process" err &&
	grep "release: bundle exec rails db:migrate" err &&
	test_must_fail git -C work push --no-verify origin main 2>err &&
	grep "remote: .*FAIL procfile" err
'

test_expect_success '.buildpacks disagreeing with app.json is refused' '
	git -C work reset -q --hard HEAD~1 &&
	printf "%s\n" heroku/ruby >work/.buildpacks &&
	git -C work add .buildpacks &&
	test_tick && git -C work commit -q -m "half buildpacks" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "FAIL buildpacks: missing $PGV in .buildpacks" err &&
	grep "rewrite .buildpacks" err &&
	printf "%s\n" "urn:buildpack:heroku/ruby" "${PGV%.git}" >work/.buildpacks &&
	test_tick && git -C work commit -q -am "equivalent names" &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main
'

test_expect_success 'new branch, several refs and a tag in one push' '
	test_commit -C work two &&
	git -C work branch feature &&
	git -C work tag -a -m "release one" v1 &&
	git -C work push origin main feature v1 2>err &&
	remote_has refs/heads/main &&
	remote_has refs/heads/feature &&
	remote_has refs/tags/v1 &&
	grep "policy ok" err
'

test_expect_success 'deleting a branch scans nothing and is accepted' '
	git -C work push origin :feature 2>err &&
	test_must_fail git --git-dir=remote.git rev-parse --verify feature &&
	grep "no new commits to scan" err
'

test_expect_success 'a force push is checked' '
	git -C work reset -q --hard HEAD~1 &&
	sed "/^worker:/d" work/Procfile >tmp && mv tmp work/Procfile &&
	test_tick && git -C work commit -q -am "no worker" &&
	test_must_fail git -C work push -f origin main 2>err &&
	grep "no .worker. process type" err &&
	git -C work reset -q --hard HEAD~1 &&
	test_commit -C work three &&
	git -C work push -f origin main 2>err &&
	remote_has refs/heads/main
'

test_expect_success 'the server policy in the git dir cannot be pushed away' '
	cp work/slugguard.json remote.git/slugguard.json &&
	git -C work rm -q slugguard.json Procfile &&
	test_tick && git -C work commit -q -m "no policy, no Procfile" &&
	test_must_fail git -C work push --no-verify origin main 2>err &&
	test_must_fail remote_has refs/heads/main &&
	grep "remote: .*FAIL procfile: no Procfile" err &&
	rm remote.git/slugguard.json &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a broken policy file fails closed with the bypass named' '
	echo "{\"buildpaks\": []}" >work/slugguard.json &&
	test_tick && git -C work commit -q -am "typo" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "slugguard: invalid policy .slugguard.json at [0-9a-f]*.: unknown key .buildpaks." err &&
	grep "git push --no-verify" err &&
	(cd work && test_expect_code 2 "$SG" check 2>../err2) &&
	test "$(wc -l <err2)" = 1 &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'dirty work tree: warning by default, error by policy' '
	echo change >>work/three.t &&
	test_commit -C work four &&
	git -C work push origin main 2>err &&
	grep "warning: the work tree has uncommitted changes" err &&
	sed "s/\"dirty_worktree\": \"warn\"/\"dirty_worktree\": \"error\"/" \
		work/slugguard.json >tmp && mv tmp work/slugguard.json &&
	git -C work add slugguard.json &&
	test_tick && git -C work commit -q -m strict &&
	test_must_fail git -C work push origin main 2>err &&
	grep "uncommitted changes (the policy makes that an error)" err &&
	git -C work checkout -q three.t &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main
'

test_expect_success 'a foreign pre-push hook runs first with the same input' '
	(cd work && "$SG" hooks uninstall >/dev/null) &&
	cat >work/.git/hooks/pre-push <<-\EOF &&
	#!/bin/sh
	echo "legacy args: $*" >&2
	while read -r l; do echo "legacy saw: $l" >&2; done
	test ! -e "$(git rev-parse --git-dir)/fail-legacy"
	EOF
	chmod +x work/.git/hooks/pre-push &&
	(cd work && "$SG" hooks install >/dev/null) &&
	test_commit -C work five &&
	git -C work push origin main 2>err &&
	grep "legacy args: origin " err &&
	grep "legacy saw: refs/heads/main $(git -C work rev-parse main) refs/heads/main" err &&
	grep "policy ok" err &&
	touch work/.git/fail-legacy &&
	test_commit -C work six &&
	test_must_fail git -C work push origin main 2>err &&
	grep "pre-push.legacy (your previous pre-push hook) failed" err &&
	! remote_has refs/heads/main &&
	rm work/.git/fail-legacy
'

test_expect_success 'a missing binary fails closed and names --no-verify' '
	cp "$SG" sg-copy &&
	(cd work && "$TRASH/sg-copy" hooks install >/dev/null) &&
	grep "sg-copy" work/.git/hooks/pre-push &&
	rm sg-copy &&
	test_must_fail env PATH=/usr/bin:/bin git -C work push origin main 2>err &&
	grep "slugguard binary is missing" err &&
	grep "git push --no-verify" err &&
	! remote_has refs/heads/main &&
	(cd work && "$SG" hooks install >/dev/null)
'

test_expect_success 'a post-receive failure keeps the push and is logged' '
	rm -rf remote.git/slugguard/logs &&
	echo not-a-dir >remote.git/slugguard/logs &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main &&
	grep "remote: slugguard: post-receive failed for refs/heads/main" err &&
	grep "remote: slugguard: the push itself was accepted" err &&
	grep "refs/heads/main $(git -C work rev-parse main)" \
		remote.git/slugguard/post-receive-errors.log &&
	rm remote.git/slugguard/logs
'

test_expect_success 'the pre-commit framework passes the range in the environment' '
	test_commit -C work seven &&
	(cd work &&
	 PRE_COMMIT_FROM_REF=$(git rev-parse origin/main) \
	 PRE_COMMIT_TO_REF=$(git rev-parse HEAD) \
	 PRE_COMMIT_REMOTE_NAME=origin \
	 PRE_COMMIT_REMOTE_BRANCH=refs/heads/main \
	 "$SG" hooks run pre-push </dev/null 2>../err) &&
	grep "policy ok" err &&
	sed "/^web:/d" work/Procfile >tmp && mv tmp work/Procfile &&
	test_tick && git -C work commit -q -am "no web" &&
	(cd work &&
	 PRE_COMMIT_FROM_REF=$(git rev-parse origin/main) \
	 PRE_COMMIT_TO_REF=$(git rev-parse HEAD) \
	 PRE_COMMIT_REMOTE_BRANCH=refs/heads/main \
	 test_expect_code 1 "$SG" hooks run pre-push </dev/null 2>../err) &&
	grep "no .web. process type" err
'

test_expect_success 'check --dir and init refusing to overwrite' '
	mkdir app &&
	(cd app && "$SG" init --template grayledger --dir . --app-json >/dev/null) &&
	"$SG" check --dir app >out &&
	grep "^ok   procfile" out &&
	test_expect_code 2 "$SG" init --dir app 2>err &&
	grep "already exists" err &&
	"$SG" init --template grayledger --dir app --force >/dev/null &&
	mkdir empty &&
	"$SG" check --dir empty >out &&
	grep "no slugguard.json" out &&
	test_expect_code 2 "$SG" init --dir app --template nope 2>err &&
	grep "unknown template .nope. (known: rails, grayledger)" err
'

test_done
