#!/bin/sh
# Installed hooks fire from every layout: a linked worktree, a
# core.hooksPath directory, and a symlinked foreign hook kept as .legacy.
. "$(dirname "$0")/lib.sh"

openai_key() {
	_p="sk-"
	_p="${_p}proj-"
	printf '%s%s' "$_p" "$(rand_chars 74)"
}
KEY=$(openai_key)
export KEY

test_expect_success 'setup' '
	git init -q --bare remote.git &&
	git clone -q remote.git work 2>/dev/null &&
	test_commit -C work base &&
	git -C work push -q origin main
'

test_expect_success 'a push from a linked worktree runs the common hook' '
	git -C work worktree add -q -b wtb ../wt &&
	(cd wt && "$SG" hooks install >/dev/null) &&
	test -x work/.git/hooks/pre-push &&
	test_commit -C wt wt-leak k.rb "K = \"$KEY\"" &&
	test_must_fail git -C wt push origin wtb 2>err &&
	grep "k.rb:1" err &&
	test_must_fail git --git-dir=remote.git rev-parse --verify wtb &&
	git -C wt reset -q --hard HEAD~1 &&
	test_commit -C wt wt-clean &&
	git -C wt push origin wtb 2>err &&
	grep "^slugguard: 1 commit, " err
'

test_expect_success 'hooks in core.hooksPath (--force) fire on push' '
	(cd work && "$SG" hooks uninstall >/dev/null) &&
	git -C work config core.hooksPath ../shared-hooks &&
	(cd work && "$SG" hooks install --force >/dev/null) &&
	test -x shared-hooks/pre-push &&
	test_commit -C work hp-leak h.rb "K = \"$KEY\"" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "h.rb:1" err &&
	git -C work reset -q --hard HEAD~1 &&
	(cd work && "$SG" hooks uninstall >/dev/null) &&
	! test -e shared-hooks/pre-push &&
	git -C work config --unset core.hooksPath
'

test_expect_success 'a symlinked foreign hook is kept and still runs first' '
	cat >linked-hook <<-\EOF &&
	#!/bin/sh
	echo "linked hook ran for $1" >&2
	exit 0
	EOF
	chmod +x linked-hook &&
	ln -s "$TRASH/linked-hook" work/.git/hooks/pre-push &&
	(cd work && "$SG" hooks install >/dev/null) &&
	test -L work/.git/hooks/pre-push.legacy &&
	test_commit -C work after-link &&
	git -C work push origin main 2>err &&
	grep "linked hook ran for origin" err &&
	grep "^slugguard: 1 commit, " err
'

test_done
