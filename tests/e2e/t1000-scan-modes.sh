#!/bin/sh
# slugguard scan: revision ranges, --all, --staged, --dir, --stdin,
# commit and tag messages, exit codes.
. "$(dirname "$0")/lib.sh"

# A GitHub-token-shaped fake, made at run time.
fake_token() {
	printf 'ghp_%s' "$(rand_chars 36)"
}

test_expect_success 'setup: a secret added, then the file changed again' '
	git init -q repo &&
	test_commit -C repo one a.txt "hello" &&
	T1=$(fake_token) && echo "$T1" >t1 &&
	test_commit -C repo leak config.txt "x = 1
token = $T1" &&
	git -C repo rev-parse HEAD >leak.commit &&
	test_commit -C repo more config.txt "x = 2
token = $T1
y = 3" &&
	test_commit -C repo last b.txt "bye"
'

test_expect_success 'HEAD reports the secret once, at the commit that added it' '
	(cd repo && test_expect_code 1 "$SG" scan HEAD >../out 2>../err) &&
	grep "config.txt:2:9  github-pat" out &&
	test "$(grep -c "  github-pat  " out)" = 1 &&
	grep "commit  $(cut -c1-8 leak.commit)" out &&
	grep "ghp_\*\*\*\*" out &&
	! grep "$(cat t1)" out &&
	grep "1 finding in commits HEAD: scanned 4 commits" out
'

test_expect_success 'a range that excludes the introducing commit is clean' '
	(cd repo && "$SG" scan HEAD~2..HEAD >../out) &&
	grep "0 findings in commits HEAD~2..HEAD: scanned 2 commits" out
'

test_expect_success 'a range ending at the introducing commit finds it' '
	(cd repo && test_expect_code 1 "$SG" scan HEAD~3..HEAD~2 >../out) &&
	grep "config.txt:2" out
'

test_expect_success '^x, --not and a...b select the same commits as git' '
	(cd repo &&
	 test_expect_code 1 "$SG" scan HEAD ^HEAD~3 >../out1 &&
	 test_expect_code 1 "$SG" scan HEAD --not HEAD~3 >../out2 &&
	 test_expect_code 2 "$SG" scan HEAD~3...HEAD~3 >../out3 2>&1) &&
	grep "config.txt:2" out1 && grep "config.txt:2" out2 &&
	grep "selects no commits" out3
'

test_expect_success 'an empty range is an error, not a clean scan' '
	(cd repo && test_expect_code 2 "$SG" scan HEAD..HEAD >../out 2>../err) &&
	grep "slugguard: .HEAD..HEAD. selects no commits" err &&
	test_must_fail grep "0 findings" out
'

test_expect_success 'an unresolvable revision exits 2 naming it' '
	(cd repo && test_expect_code 2 "$SG" scan no-such-branch..HEAD 2>../err) &&
	grep "no-such-branch" err
'

test_expect_success 'no mode at all is a usage error' '
	(cd repo && test_expect_code 2 "$SG" scan 2>../err) &&
	grep "^usage:" err
'

test_expect_success '--all reaches a side branch that HEAD does not' '
	(cd repo &&
	 git checkout -q -b side &&
	 T2=$(fake_token) &&
	 test_commit side side.txt "key: $T2" &&
	 git checkout -q main &&
	 "$SG" scan HEAD~1..HEAD >/dev/null &&
	 test_expect_code 1 "$SG" scan --all >../out) &&
	grep "side.txt:1" out && grep "config.txt:2" out &&
	(cd repo && test_expect_code 1 "$SG" scan "--branches=s*" --not main >../out) &&
	grep "side.txt:1" out && ! grep "config.txt" out
'

test_expect_success 'commit messages and annotated tag messages are scanned' '
	git init -q msg &&
	test_commit -C msg base a.txt "a" &&
	T3=$(fake_token) && T4=$(fake_token) &&
	test_tick &&
	git -C msg commit -q --allow-empty -m "oops
the token is $T3" &&
	git -C msg tag -a v1 -m "release with $T4" &&
	(cd msg && test_expect_code 1 "$SG" scan --format json HEAD >../out) &&
	grep "\"file\":\"(commit message)\",\"line\":2" out &&
	grep "\"file\":\"(tag v1)\",\"line\":1" out
'

test_expect_success '--staged: what the index adds over HEAD' '
	(cd repo &&
	 "$SG" scan --staged >../out &&
	 T5=$(fake_token) &&
	 printf "a\nb\nsecret=%s\n" "$T5" >staged.txt &&
	 git add staged.txt &&
	 test_expect_code 1 "$SG" scan --staged >../out &&
	 git commit -q -m staged &&
	 "$SG" scan --staged >../out2) &&
	grep "staged.txt:3" out &&
	grep "0 findings in the index" out2
'

test_expect_success '--staged works on an unborn branch' '
	git init -q fresh &&
	fake_token >fresh/first.txt &&
	git -C fresh add first.txt &&
	(cd fresh && test_expect_code 1 "$SG" scan --staged >../out) &&
	grep "first.txt:1:1" out
'

test_expect_success '--dir scans files recursively and skips .git' '
	mkdir -p tree/sub/deeper &&
	fake_token >tree/sub/deeper/x.env &&
	echo clean >tree/top.txt &&
	git init -q tree &&
	fake_token >tree/.git/description &&
	test_expect_code 1 "$SG" scan --dir tree >out &&
	grep "^tree/sub/deeper/x.env:1:1" out &&
	! grep "description" out &&
	grep "1 finding in files on disk: scanned 0 commits, 2 blobs" out &&
	(cd tree && test_expect_code 1 "$SG" scan --dir . >../out) &&
	grep "^sub/deeper/x.env:1:1" out
'

test_expect_success '--dir on a missing path exits 2' '
	test_expect_code 2 "$SG" scan --dir no-such-dir 2>err &&
	grep "no-such-dir" err
'

test_expect_success '--stdin with a diff: only added lines, hunk line numbers' '
	T6=$(fake_token) && T7=$(fake_token) &&
	cat >d.diff <<-EOF &&
	diff --git a/app/settings.py b/app/settings.py
	index 1111111..2222222 100644
	--- a/app/settings.py
	+++ b/app/settings.py
	@@ -10,3 +10,4 @@ class X:
	 keep = 1
	-old = "$T7"
	+new = "$T6"
	+other = 2
	 end = 3
	EOF
	test_expect_code 1 "$SG" scan --stdin <d.diff >out &&
	grep "^app/settings.py:11:8  github-pat" out &&
	test "$(grep -c "  github-pat  " out)" = 1
'

test_expect_success '--stdin with plain text' '
	fake_token | test_expect_code 1 "$SG" scan --stdin >out &&
	grep "^(stdin):1:1" out &&
	echo "nothing here" | "$SG" scan --stdin >out
'

test_expect_success 'git diff output pipes into --stdin' '
	(cd repo && git diff HEAD~4 HEAD | test_expect_code 1 "$SG" scan --stdin >../out) &&
	grep "^config.txt:2" out
'

test_done
