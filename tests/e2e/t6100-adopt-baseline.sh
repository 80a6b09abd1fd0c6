#!/bin/sh
# Adopting slugguard in a repository with history: init records the keys
# already in it as the baseline (fingerprints only), the first push to a
# server with hooks passes, a new key is still refused with advice that
# fits where it is, and a push cannot baseline its own new key.
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

OLD1=$(openai_key)
OLD2=$(github_token)
NEW=$(openai_key)

remote_has() {
	test "$(git --git-dir=remote.git rev-parse --verify "$1" 2>/dev/null)" = \
		"$(git -C work rev-parse --verify "${2:-$1}")"
}

# the secrets never appear in full
redacted() {
	! grep -F -e "$OLD1" -e "$OLD2" -e "$NEW" "$@"
}

test_expect_success 'setup: an app with years of history and old fixture keys' '
	git init -q old &&
	test_commit -C old readme README.md "an app" &&
	test_commit -C old cassette test/vcr_cassettes/openai.yml "token: \"$OLD1\"" &&
	test_commit -C old fixture spec/fixtures/github.rb "GITHUB_TOKEN = \"$OLD2\"" &&
	test_commit -C old scrub test/vcr_cassettes/openai.yml "token: <FILTERED>" &&
	test_commit -C old more app.rb "puts 1" &&
	git clone -q --bare old upstream.git &&
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	git clone -q upstream.git work &&
	git -C work remote rename origin upstream &&
	git -C work remote add origin ../remote.git
'

test_expect_success 'without a baseline the history blocks the first push' '
	(cd work && "$SG" hooks install >/dev/null) &&
	test_must_fail git -C work push origin main 2>err &&
	grep "2 secrets found" err &&
	test_must_fail git --git-dir=remote.git rev-parse --verify main
'

test_expect_success 'init without a TTY records the baseline and says what it did' '
	(cd work && "$SG" init </dev/null >../out 2>../err) &&
	grep "5 commits scanned in .*: 2 findings already in the history" err &&
	grep "kinds  1 github-pat, 1 openai-project-key" err &&
	grep "paths  1 spec/fixtures/, 1 test/vcr_cassettes/" err &&
	grep "accepted baseline in .*/.slugguard-baseline.json (fingerprints only" err &&
	grep "git add slugguard.json .slugguard-baseline.json" out &&
	test "$(grep -c "\"fingerprint\":\"content:" work/.slugguard-baseline.json)" = 2 &&
	grep "\"file\":\"spec/fixtures/github.rb\"" work/.slugguard-baseline.json &&
	redacted out err work/.slugguard-baseline.json &&
	(cd work && "$SG" baseline show >../out) &&
	grep "2 accepted findings" out &&
	(cd work && "$SG" scan --all >../out) &&
	grep "^0 findings .*; 2 findings silenced by ignore files or the baseline" out
'

test_expect_success 'the first push passes pre-push and pre-receive' '
	git -C work add slugguard.json .slugguard-baseline.json &&
	test_tick && git -C work commit -q -m "adopt slugguard" &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main &&
	grep "^slugguard: 6 commits, .* scanned; 2 findings silenced by ignore files or the baseline, policy ok$" err &&
	grep "^remote: slugguard: warning: first push into an empty repository: the 2 entries" err &&
	grep "^remote: slugguard: 6 commits, .* scanned; 2 findings silenced .*, policy ok" err
'

test_expect_success 'a new key in the tip commit: amend' '
	test_commit -C work tip config/openai.rb "OPENAI_KEY = \"$NEW\"" &&
	tip=$(git -C work rev-parse --short=12 HEAD) &&
	test_must_fail git -C work push origin main 2>err &&
	grep "config/openai.rb:1" err &&
	grep "^slugguard:   $tip \"tip\" is the last commit of the push" err &&
	grep "^slugguard:     git add config/openai.rb && git commit --amend --no-edit$" err &&
	grep "echo .content:openai-project-key:[0-9a-f]*. >>.slugguardignore" err &&
	grep "slugguard:allow" err &&
	redacted err &&
	test_must_fail git -C work push --no-verify origin main 2>err &&
	grep "^remote: slugguard:   $tip \"tip\" is the last commit of the push" err &&
	grep "in the server.s git directory" err &&
	! remote_has refs/heads/main
'

test_expect_success 'a key removed by a later commit: rebase -i that commit' '
	leak=$(git -C work rev-parse --short=12 HEAD) &&
	test_commit -C work unleak config/openai.rb "OPENAI_KEY = ENV.fetch(\"OPENAI_KEY\")" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "^slugguard:   $leak \"tip\" is an earlier commit of the push" err &&
	grep "^slugguard:     git rebase -i $leak^   (mark $leak .edit." err &&
	! grep "is the last commit" err &&
	test_must_fail git -C work push --no-verify origin main 2>err &&
	grep "^remote: slugguard:     git rebase -i $leak^" err &&
	! remote_has refs/heads/main
'

test_expect_success 'a key some remote already has: rotate, then filter-repo' '
	git -C work push -q --no-verify upstream main:refs/heads/wip 2>/dev/null &&
	git -C work fetch -q upstream &&
	leak=$(git -C work rev-parse --short=12 HEAD~1) &&
	test_must_fail git -C work push origin main 2>err &&
	grep "^slugguard:   $leak \"tip\" is already on a remote" err &&
	grep "First rotate it where it was issued, then rewrite history" err &&
	grep "git filter-repo --invert-paths --path config/openai.rb" err &&
	grep "git push --force-with-lease --all" err &&
	! grep "git rebase -i" err
'

test_expect_success 'a push cannot baseline its own new key; the server refuses it' '
	git -C work reset -q --hard HEAD~1 &&
	(cd work && "$SG" baseline update 2>../err) &&
	grep "3 findings already in the history" err &&
	git -C work add .slugguard-baseline.json &&
	test_tick && git -C work commit -q -m "accept everything" &&
	git -C work push --dry-run origin main 2>err &&
	test_must_fail git -C work push --no-verify origin main 2>err &&
	grep "^remote: slugguard: push refused by the pre-receive hook" err &&
	grep "^remote: config/openai.rb:1" err &&
	! remote_has refs/heads/main
'

test_expect_success 'a fixed push passes, and the accepted baseline stays' '
	git -C work reset -q --hard HEAD~2 &&
	test_commit -C work clean config/openai.rb "OPENAI_KEY = ENV.fetch(\"OPENAI_KEY\")" &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main &&
	! grep "first push" err
'

test_done
