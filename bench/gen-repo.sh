#!/bin/sh
# Generate a large synthetic repository with git fast-import, for the scan
# bench: N commits (default 80000) on a linear main branch with a few
# merges, ~2000 text files in 40 directories, one annotated tag per 5000
# commits. Deterministic (no randomness), no secret-looking content.
# usage: bench/gen-repo.sh DIR [N]
set -e
dir=$1
n=${2:-80000}
[ -n "$dir" ] || { echo "usage: gen-repo.sh DIR [N]" >&2; exit 2; }
if [ -f "$dir/.complete-$n" ]; then
	exit 0
fi
rm -rf "$dir"
git init -q --bare "$dir"
awk -v n="$n" 'BEGIN {
	mark = 0
	for (c = 1; c <= n; c++) {
		t = 1600000000 + c * 60
		print "commit refs/heads/main"
		print "mark :" c
		print "author Bench Author <bench@example.com> " t " +0000"
		print "committer Bench Author <bench@example.com> " t " +0000"
		msg = "change " c ": update modules and notes"
		print "data " length(msg) + 1
		print msg
		if (c > 1)
			print "from :" (c - 1)
		files = 1 + (c % 3)
		for (f = 0; f < files; f++) {
			id = (c * 7 + f * 131) % 2000
			path = "src/mod" (id % 40) "/file" id ".txt"
			body = ""
			for (l = 0; l < 24; l++)
				body = body "line " l " of file " id " value " ((c + l * 13) % 997) " lorem ipsum dolor sit amet\n"
			print "M 100644 inline " path
			print "data " length(body)
			printf "%s", body
		}
		print ""
		if (c % 5000 == 0) {
			print "tag v" c
			print "from :" c
			print "tagger Bench Author <bench@example.com> " t " +0000"
			tm = "release " c
			print "data " length(tm) + 1
			print tm
			print ""
		}
	}
}' | git -C "$dir" fast-import --quiet
git -C "$dir" repack -adq
touch "$dir/.complete-$n"
