#!/bin/sh
# Context labels in hook reports, and the policy's scan.allow_contexts:
# by default every finding refuses the push; a policy that allows
# fixtures lets a fixture's finding through (still shown), not others.
. "$(dirname "$0")/lib.sh"

# fake token, built at run time from pieces
github_token() {
	printf 'gh%s%s' "p_" "$(rand_chars 36)"
}

TOKEN=$(github_token)
export TOKEN

remote_has() {
	test "$(git --git-dir=remote.git rev-parse --verify "$1")" = \
		"$(git -C work rev-parse --verify "${2:-$1}")"
}

# policy ALLOW: slugguard.json with scan.allow_contexts ALLOW (JSON)
policy() {
	printf '{"deploy_branches": ["main"], "scan": {"allow_contexts": %s}}\n' "$1"
}

test_expect_success 'setup: remote with server hooks, clone with hooks' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	git clone -q remote.git work 2>/dev/null &&
	(cd work && "$SG" hooks install >/dev/null) &&
	policy "[]" >work/slugguard.json &&
	git -C work add . &&
	test_tick && git -C work commit -q -m "policy" &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main
'

test_expect_success 'a fixture finding refuses the push by default, labelled' '
	mkdir -p work/spec/fixtures &&
	echo "token: $TOKEN" >work/spec/fixtures/github.yml &&
	git -C work add . &&
	test_tick && git -C work commit -q -m "fixture" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "push refused by the pre-push hook" err &&
	grep "^spec/fixtures/github.yml:1:8  github-pat  .*  \[fixture\]$" err &&
	! grep -F "$TOKEN" err &&
	! remote_has refs/heads/main &&
	test_must_fail git -C work push --no-verify origin main 2>err &&
	grep "push refused by the pre-receive hook" err &&
	grep "\[fixture\]" err
'

test_expect_success 'a policy allowing fixtures lets it through, and says so' '
	policy "[\"fixture\", \"docs\"]" >work/slugguard.json &&
	git -C work commit -q -a -m "allow fixtures" &&
	cp work/slugguard.json remote.git/slugguard.json &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main &&
	grep "^spec/fixtures/github.yml:1:8  github-pat  .*  \[fixture\]$" err &&
	grep "warning: 1 finding in a context the policy allows (scan.allow_contexts) did not refuse the push" err &&
	! grep -F "$TOKEN" err
'

test_expect_success 'the same policy still refuses an unlabelled finding' '
	echo "TOKEN = \"$TOKEN\"" >work/client.rb &&
	git -C work add . &&
	test_tick && git -C work commit -q -m "code" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "push refused by the pre-push hook" err &&
	grep "^client.rb:1:10  github-pat" err &&
	! grep "^client.rb.*\[" err &&
	! remote_has refs/heads/main &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a label the policy does not know is one clear error' '
	policy "[\"vendor\"]" >work/slugguard.json &&
	git -C work commit -q -a -m "bad label" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "scan.allow_contexts.: .vendor. is not a context label (test, fixture, docs, example)" err
'

test_done
