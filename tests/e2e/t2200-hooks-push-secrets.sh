#!/bin/sh
# Planted keys against real pushes: refused by pre-push (nothing reaches
# the remote), refused again by the server's pre-receive under
# --no-verify, and each push case scans exactly what is new.
. "$(dirname "$0")/lib.sh"

# fake keys, built at run time from pieces
openai_key() {
	_p="sk-"
	_p="${_p}proj-"
	printf '%s%s' "$_p" "$(rand_chars 74)"
}
github_token() {
	_p="gh"
	_p="${_p}p_"
	printf '%s%s' "$_p" "$(rand_chars 36)"
}

KEY=$(openai_key)
TOKEN=$(github_token)

remote_has() {
	test "$(git --git-dir=remote.git rev-parse --verify "$1")" = \
		"$(git -C work rev-parse --verify "${2:-$1}")"
}

# the report names the file and rule and never shows the secret
redacted() {
	! grep -F "$KEY" "$1" && ! grep -F "$TOKEN" "$1"
}

test_expect_success 'setup: server with hooks and its own policy' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	git clone -q remote.git work 2>/dev/null &&
	(cd work && "$SG" init --template grayledger --app-json >/dev/null &&
	 "$SG" hooks install >/dev/null) &&
	cp work/slugguard.json remote.git/slugguard.json &&
	git -C work add . &&
	test_tick && git -C work commit -q -m "deploy policy" &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main &&
	grep "^slugguard: 1 commit, .* scanned, policy ok$" err
'

test_expect_success 'a planted key is refused client-side, nothing reaches the remote' '
	test_commit -C work leak config/openai.rb "OPENAI_API_KEY = \"$KEY\"" &&
	leak=$(git -C work rev-parse HEAD) &&
	test_must_fail git -C work push origin main 2>err &&
	grep "push refused by the pre-push hook" err &&
	grep "config/openai.rb:1" err &&
	grep "openai" err &&
	grep "sk-p\*\*\*\*" err &&
	grep "rotate it" err &&
	grep "git push --no-verify" err &&
	redacted err &&
	! remote_has refs/heads/main &&
	test_must_fail git --git-dir=remote.git cat-file -e "$leak"
'

test_expect_success 'the same push with --no-verify is refused by pre-receive' '
	leak=$(git -C work rev-parse HEAD) &&
	test_must_fail git -C work push --no-verify origin main 2>err &&
	grep "^remote: slugguard: push refused by the pre-receive hook" err &&
	grep "^remote: config/openai.rb:1" err &&
	grep "^remote: slugguard: this check runs on the server" err &&
	grep "pre-receive hook declined" err &&
	redacted err &&
	! remote_has refs/heads/main &&
	test_must_fail git --git-dir=remote.git cat-file -e "$leak" &&
	! grep -r "$leak" remote.git/slugguard/logs
'

test_expect_success 'once the key is gone the push is accepted' '
	git -C work reset -q --hard HEAD~1 &&
	test_commit -C work clean config/openai.rb "OPENAI_API_KEY = ENV.fetch(\"OPENAI_API_KEY\")" &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main &&
	grep "^slugguard: 1 commit, .* scanned, policy ok$" err &&
	ls remote.git/slugguard/logs/push-*.log
'

test_expect_success 'a key on a non-deploy branch is refused too' '
	git -C work checkout -q -b topic &&
	test_commit -C work topic1 &&
	test_commit -C work topic-leak gh.txt "token: $TOKEN" &&
	test_must_fail git -C work push origin topic 2>err &&
	grep "gh.txt:1" err &&
	redacted err &&
	test_must_fail git --git-dir=remote.git rev-parse --verify topic &&
	test_must_fail git -C work push --no-verify origin topic 2>err &&
	grep "^remote: gh.txt:1" err &&
	test_must_fail git --git-dir=remote.git rev-parse --verify topic
'

test_expect_success 'a new branch scans only commits no remote ref has' '
	git -C work reset -q --hard HEAD~1 &&
	git -C work push origin topic 2>err &&
	grep "^slugguard: 1 commit, " err &&
	grep "^remote: slugguard: 1 commit, " err &&
	git -C work checkout -q main
'

test_expect_success 'several refs in one push: one leak refuses them all' '
	test_commit -C work m2 &&
	git -C work checkout -q -b other &&
	test_commit -C work other-leak other.rb "KEY = \"$KEY\"" &&
	git -C work checkout -q main &&
	test_must_fail git -C work push origin main other 2>err &&
	grep "other.rb:1" err &&
	! remote_has refs/heads/main &&
	test_must_fail git -C work push --no-verify origin main other 2>err &&
	grep "^remote: other.rb:1" err &&
	! remote_has refs/heads/main &&
	test_must_fail git --git-dir=remote.git rev-parse --verify other
'

test_expect_success 'several clean refs, a deletion and a tag in one push' '
	git -C work branch -D -q other &&
	git -C work branch two &&
	git -C work tag -a -m "release notes" v1 &&
	git -C work push origin main two v1 :topic 2>err &&
	remote_has refs/heads/main &&
	remote_has refs/heads/two &&
	remote_has refs/tags/v1 &&
	test_must_fail git --git-dir=remote.git rev-parse --verify topic &&
	grep "^slugguard: 1 commit, .* policy ok$" err
'

test_expect_success 'an annotated tag whose message holds a key is refused' '
	git -C work tag -a -m "deploy with $TOKEN" v2 &&
	test_must_fail git -C work push origin v2 2>err &&
	grep "tag" err &&
	redacted err &&
	test_must_fail git -C work push --no-verify origin v2 2>err &&
	grep "^remote: .*tag" err &&
	test_must_fail git --git-dir=remote.git rev-parse --verify v2 &&
	git -C work tag -d v2 >/dev/null
'

test_expect_success 'a force push scans only what is new to the remote' '
	git -C work reset -q --hard HEAD~1 &&
	test_commit -C work rewritten &&
	test_commit -C work rewritten2 &&
	git -C work push -f origin main 2>err &&
	remote_has refs/heads/main &&
	grep "^slugguard: 2 commits, " err &&
	git -C work reset -q --hard HEAD~2 &&
	test_commit -C work forced-leak f.rb "K = \"$KEY\"" &&
	test_must_fail git -C work push -f origin main 2>err &&
	grep "f.rb:1" err &&
	test_must_fail git -C work push -f --no-verify origin main 2>err &&
	grep "^remote: f.rb:1" err &&
	! remote_has refs/heads/main
'

test_expect_success 'a push to a URL without remote-tracking refs still works' '
	git -C work reset -q --hard HEAD~1 &&
	test_commit -C work by-url &&
	git -C work push "$TRASH/remote.git" main:refs/heads/by-url 2>err &&
	remote_has refs/heads/by-url main
'

test_done
