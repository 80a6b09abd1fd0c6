#!/bin/sh
# A history scan splits the commits among its walker threads: each walks
# its own stretch of the history and a walker done early takes half of
# the largest stretch left. Whatever the number of threads and however
# uneven the work, every commit is walked once and the report is the
# same.
. "$(dirname "$0")/lib.sh"

fake_token() {
	printf 'ghp_%s' "$(rand_chars 36)"
}

# The history, written through git fast-import (500 commits by hand would
# take most of this test's time): commits 1-60 rewrite a large file each
# time, so the walker with the oldest stretch has far more to read than
# the others and the others must take over part of it. A secret lands at
# commits 5, 59, 60, 61, 250 and 500, the edges of the stretches that 2,
# 3 and 8 walkers start with among them; a side branch with a seventh
# is merged at commit 300.
make_history() {
	big=$(rand_chars 120000) &&
	i=1 &&
	while [ "$i" -le 500 ]; do
		case "$i" in
		5 | 59 | 60 | 61 | 250 | 500)
			line="token = $(fake_token)" ;;
		*)
			line="value = $i" ;;
		esac &&
		body="$line" &&
		if [ "$i" -le 60 ]; then
			body="$line
$i $big"
		fi &&
		printf 'commit refs/heads/main\n' &&
		printf 'committer T <t@example.com> %d +0000\n' $((1700000000 + i)) &&
		printf 'data %d\nc%d\n' $((${#i} + 2)) "$i" &&
		if [ "$i" = 300 ]; then
			printf 'merge refs/heads/side\n'
		fi &&
		printf 'M 100644 inline file%d.cfg\ndata %d\n%s\n' $((i % 7)) \
			$(($(printf '%s' "$body" | wc -c) + 1)) "$body" &&
		if [ "$i" = 290 ]; then
			printf 'commit refs/heads/side\n' &&
			printf 'committer T <t@example.com> %d +0000\n' $((1700000000 + i)) &&
			printf 'data 5\nside\n' &&
			printf 'from refs/heads/main\n' &&
			side="token = $(fake_token)" &&
			printf 'M 100644 inline side.cfg\ndata %d\n%s\n' \
				$((${#side} + 1)) "$side"
		fi &&
		i=$((i + 1)) || return 1
	done
}

test_expect_success 'setup: 501 commits, uneven work, seven secrets' '
	git init -q repo &&
	make_history >stream &&
	git -C repo fast-import --quiet <stream &&
	git -C repo reset -q --hard main &&
	test "$(git -C repo rev-list --count HEAD)" = 501
'

for n in 1 2 3 8; do
	test_expect_success "--threads $n walks every commit once" "
		(cd repo &&
		 test_expect_code 1 \"\$SG\" scan --threads $n --format json HEAD \
			>../json.$n 2>../err.$n) &&
		grep 'scanned 501 commits' err.$n &&
		test \"\$(grep -o '\"rule\":\"github-pat\"' json.$n | wc -l)\" = 7
	"
done

test_expect_success 'the report is the same whatever the number of threads' '
	for n in 1 2 3 8; do
		sed "s/\"seconds\":[0-9.e+-]*//" json.$n >report.$n || return 1
	done &&
	grep -q "\"blobs\":501," report.1 &&
	test_cmp report.1 report.2 &&
	test_cmp report.1 report.3 &&
	test_cmp report.1 report.8
'

test_done
