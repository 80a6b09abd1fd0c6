#!/bin/sh
# Merges: what the parents introduced is not reported again, but lines a
# merge adds that neither parent had (conflict resolutions) are.
. "$(dirname "$0")/lib.sh"

fake_token() {
	printf 'ghp_%s' "$(rand_chars 36)"
}

test_expect_success 'setup: two branches edit the same line' '
	git init -q repo &&
	test_commit -C repo base app.cfg "name = demo
value = 0
end = 1" &&
	git -C repo checkout -q -b topic &&
	TA=$(fake_token) && echo "$TA" >ta &&
	test_commit -C repo topic-side other.cfg "token = $TA" &&
	test_commit -C repo topic-edit app.cfg "name = demo
value = topic
end = 1" &&
	git -C repo checkout -q main &&
	test_commit -C repo main-edit app.cfg "name = demo
value = main
end = 1"
'

test_expect_success 'a conflict resolved with a new secret is found at the merge' '
	TM=$(fake_token) &&
	(cd repo &&
	 test_must_fail git merge -q topic >/dev/null 2>&1 &&
	 printf "name = demo\nvalue = %s\nend = 1\n" "$TM" >app.cfg &&
	 git add app.cfg && test_tick && git commit -q --no-edit &&
	 git rev-parse HEAD >../merge.commit &&
	 test_expect_code 1 "$SG" scan --format json HEAD >../out) &&
	grep "\"file\":\"app.cfg\",\"line\":2,\"column\":9,\"commit\":\"$(cat merge.commit)\"" out &&
	test "$(grep -o "\"file\":\"other.cfg\"" out | wc -l)" = 1 &&
	! grep "\"file\":\"other.cfg\"[^}]*$(cat merge.commit)" out
'

test_expect_success 'git log -p (what log-based scanners read) misses that line' '
	(cd repo && git log -p -U0 HEAD >../log.txt) &&
	! grep "^+value = ghp_" log.txt
'

test_expect_success 'scanning only the merge reports only the resolution' '
	(cd repo && test_expect_code 1 "$SG" scan HEAD --not HEAD^1 HEAD^2 >../out) &&
	grep "^app.cfg:2:9  github-pat" out &&
	! grep "other.cfg" out
'

test_expect_success 'a clean merge re-reports nothing from its parents' '
	(cd repo &&
	 git checkout -q -b feature HEAD~1 &&
	 TF=$(fake_token) &&
	 test_commit feature-leak feature.cfg "key = $TF" &&
	 git checkout -q main &&
	 test_commit main-more more.txt "more" &&
	 test_tick && git merge -q --no-edit feature &&
	 test_expect_code 1 "$SG" scan HEAD~1..HEAD >../out1 &&
	 "$SG" scan HEAD^1..HEAD --not feature >../out2) &&
	grep "^feature.cfg:1" out1 && grep "feature-leak\|commit" out1 &&
	test "$(grep -c "  github-pat  " out1)" = 1 &&
	grep "0 findings" out2
'

test_expect_success 'packed objects read the same as loose ones and as libgit2' '
	(cd repo &&
	 test_expect_code 1 "$SG" scan --format json --all >../loose.json &&
	 SLUGGUARD_NO_ODB=1 test_expect_code 1 "$SG" scan --format json \
		--all >../git2-loose.json &&
	 git -c repack.useDeltaBaseOffset=false repack -adfq --depth=50 &&
	 git count-objects -v | grep "^in-pack: [1-9]" &&
	 test_expect_code 1 "$SG" scan --format json --all >../refdelta.json &&
	 git repack -adfq --depth=50 &&
	 test_expect_code 1 "$SG" scan --format json --all >../packed.json &&
	 SLUGGUARD_NO_ODB=1 test_expect_code 1 "$SG" scan --format json \
		--all >../git2-packed.json) &&
	for f in loose git2-loose refdelta packed git2-packed; do
		sed "s/\"seconds\":[0-9.e+-]*//" $f.json >$f.cmp || return 1
	done &&
	grep "\"findings\":\[{" loose.cmp &&
	test_cmp loose.cmp git2-loose.cmp &&
	test_cmp loose.cmp refdelta.cmp &&
	test_cmp loose.cmp packed.cmp &&
	test_cmp loose.cmp git2-packed.cmp
'

# A blob is matched once, beside the version a parent of the change it is
# first met in has (docs/scan.md): what the two share is not new there.
# Met again against other versions, it is matched whole for that change.
test_expect_success 'a blob met again beside other versions is matched whole' '
	git init -q again &&
	test_commit -C again base README "readme" &&
	git -C again branch side &&
	TB=$(fake_token) &&
	test_commit -C again add-f f.cfg "token = $TB
foo = 1" &&
	git -C again checkout -q side &&
	test_commit -C again add-g g.cfg "token = $TB
foo = 2" &&
	git -C again rev-parse HEAD >g.commit &&
	git -C again checkout -q main &&
	test_commit -C again edit-f f.cfg "token = $TB
foo = 2" &&
	test_tick && git -C again merge -q --no-edit side &&
	(cd again &&
	 test_expect_code 1 "$SG" scan --format json HEAD >../again.json &&
	 SLUGGUARD_NO_REGION=1 test_expect_code 1 "$SG" scan --format json \
		HEAD >../again-whole.json) &&
	grep "\"file\":\"g.cfg\",\"line\":1,\"column\":9,\"commit\":\"$(cat g.commit)\"" again.json &&
	test "$(grep -o "\"rule\":\"github-pat\"" again.json | wc -l)" = 2 &&
	sed "s/\"seconds\":[0-9.e+-]*//" again.json >again.cmp &&
	sed "s/\"seconds\":[0-9.e+-]*//" again-whole.json >again-whole.cmp &&
	test_cmp again-whole.cmp again.cmp
'

test_done
