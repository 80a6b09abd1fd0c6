#!/bin/sh
# Revisions and refs as the scan reads them without libgit2 (loose and
# packed refs, symbolic refs, worktrees, globs, tags), checked against
# libgit2 (SLUGGUARD_NO_ODB=1 turns our reader and walk off).
. "$(dirname "$0")/lib.sh"

fake_token() {
	printf 'ghp_%s' "$(rand_chars 36)"
}

# same_as_git2 ARGS...: the JSON report (minus timing) of our walk and of
# libgit2's must be identical, and so must the exit code.
same_as_git2() {
	rc1=0 && "$SG" scan --format json "$@" >../ours.json 2>/dev/null || rc1=$?
	rc2=0 && SLUGGUARD_NO_ODB=1 "$SG" scan --format json "$@" \
		>../git2.json 2>/dev/null || rc2=$?
	sed "s/\"seconds\":[0-9.e+-]*//" ../ours.json >../ours.cmp &&
	sed "s/\"seconds\":[0-9.e+-]*//" ../git2.json >../git2.cmp &&
	test "$rc1" = "$rc2" && test_cmp ../ours.cmp ../git2.cmp
}

test_expect_success 'setup: branches, tags, a remote, a merge, secrets' '
	git init -q repo &&
	test_commit -C repo one a.txt "one" &&
	T1=$(fake_token) &&
	test_commit -C repo leak1 cfg.txt "token = $T1" &&
	git -C repo tag -a v1 -m "release one" &&
	git -C repo checkout -q -b topic &&
	T2=$(fake_token) &&
	test_commit -C repo leak2 topic.txt "key = $T2" &&
	git -C repo checkout -q main &&
	test_commit -C repo two b.txt "two" &&
	(cd repo && test_tick && git merge -q --no-edit topic) &&
	T3=$(fake_token) &&
	git -C repo tag -a v2 -m "shipped with $T3" &&
	git init -q --bare remote.git &&
	git -C repo remote add origin ../remote.git &&
	git -C repo push -q origin main~2:refs/heads/main &&
	git -C repo fetch -q origin
'

test_expect_success 'loose refs: ranges, suffixes, globs match libgit2' '
	(cd repo &&
	 same_as_git2 HEAD &&
	 same_as_git2 main~1..main &&
	 same_as_git2 HEAD^2 &&
	 same_as_git2 "HEAD^{commit}" &&
	 same_as_git2 ^v1 main &&
	 same_as_git2 main --not --remotes=origin &&
	 same_as_git2 --branches &&
	 same_as_git2 --tags &&
	 same_as_git2 --all &&
	 same_as_git2 origin/main..topic &&
	 same_as_git2 ..topic)
'

test_expect_success 'an annotated tag message is scanned (tag in the range)' '
	(cd repo && test_expect_code 1 "$SG" scan HEAD >../out) &&
	grep "(tag v2)" out
'

test_expect_success 'packed refs (and peeled tags) read the same' '
	(cd repo && git pack-refs --all &&
	 ! test -e .git/refs/tags/v1 &&
	 same_as_git2 HEAD &&
	 same_as_git2 main~1..main &&
	 same_as_git2 ^v1 main &&
	 same_as_git2 --tags &&
	 same_as_git2 --all &&
	 same_as_git2 main --not --remotes=origin &&
	 test_expect_code 1 "$SG" scan HEAD >../out) &&
	grep "(tag v2)" out
'

# packed-refs records what each annotated tag peels to ("^<id>" lines):
# the scan trusts it instead of reading every tag object, so a tag of a
# tag, a lightweight tag and a tag outside the range must all come out
# as before.
test_expect_success 'peeled packed tags: nested, lightweight, outside the range' '
	T4=$(fake_token) &&
	(cd repo && git tag -a v2n -m "nested $T4" v2 &&
	 git tag light HEAD &&
	 git tag -a old -m "old one" HEAD~2 &&
	 git pack-refs --all &&
	 head -1 .git/packed-refs | grep " peeled" &&
	 grep "^\^" .git/packed-refs &&
	 same_as_git2 HEAD &&
	 same_as_git2 main~1..main &&
	 same_as_git2 --tags &&
	 test_expect_code 1 "$SG" scan main~1..main >../out) &&
	grep "(tag v2n)" out &&
	grep "(tag v2)" out &&
	! grep "(tag old)" out &&
	! grep "(tag light)" out
'

test_expect_success 'a loose ref shadows its packed copy' '
	(cd repo && git branch -f topic main~1 &&
	 test -f .git/refs/heads/topic &&
	 same_as_git2 topic &&
	 same_as_git2 --branches)
'

test_expect_success 'a linked worktree (a .git file) reads the same' '
	(cd repo && git worktree add -q ../wt topic) &&
	(cd wt && test -f .git &&
	 same_as_git2 HEAD &&
	 same_as_git2 main~1..HEAD &&
	 test_expect_code 1 "$SG" scan HEAD >../out) &&
	grep "commits HEAD: scanned" out
'

test_expect_success 'what we do not parse still works through libgit2' '
	short=$(git -C repo rev-parse --short HEAD~1) &&
	(cd repo &&
	 test_expect_code 1 "$SG" scan "$short..HEAD" >../out &&
	 same_as_git2 "main@{0}" &&
	 same_as_git2 main...topic) &&
	grep "commits $short..HEAD: scanned 2 commits" out
'

test_expect_success 'an unknown name is exit 2, from either walk' '
	(cd repo && test_expect_code 2 "$SG" scan no-such-branch 2>../err1 &&
	 SLUGGUARD_NO_ODB=1 test_expect_code 2 "$SG" scan no-such-branch \
		2>../err2) &&
	grep "no-such-branch" err1 &&
	test_cmp err1 err2
'

test_expect_success 'a bare repository, scanned from inside it' '
	(cd remote.git && same_as_git2 main && same_as_git2 --all)
'

test_done
