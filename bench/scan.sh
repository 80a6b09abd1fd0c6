#!/bin/sh
# Scan engine bench: each figure beside its baseline, medians of several
# runs in the same session, peak memory (the process's own maximum
# resident set) beside the pre-push figures.
#   (a) real repositories (bare snapshots; none are committed, and a
#       missing one is skipped): for each, in a local clone under
#       build/bench/real (hard links, objects shared):
#       - a small push, HEAD~N..HEAD (merges included), against
#         `git log -p -U0` of the same range (target: < 30 ms, and
#         <= 0.25x on git.git; peak <= 30 MiB);
#       - the first push of a new branch: three new commits on HEAD,
#         range "topic --not --remotes" with every branch of the
#         snapshot as a remote-tracking ref (what pre-push scans), and
#         `slugguard hooks run pre-push` given that push on stdin;
#       - a shallow clone (--depth 50): the same small push, and the
#         whole history down to its boundary;
#       - the small push in a copy with a commit-graph (git commit-graph
#         write --reachable), read and not read (SLUGGUARD_NO_GRAPH=1),
#         and in one with a split graph of two layers (git maintenance);
#   (b) full history on the first real repository (git.git): `scan HEAD`
#       vs `git log -p -U0 HEAD` (target <= 0.2x); SCAN_BENCH_SKIP_FULL=1
#       leaves it out;
#   (c) the synthetic ~80k-commit linear repository (bench/gen-repo.sh):
#       scan main~5..main beside start-up and git rev-list;
#   (d) --dir throughput per core (>= 300 MB/s), --threads 1.
# Environment: SLUGGUARD_BENCH_REPOS ("PATH[:N] ...", default the git.git
# and maybe-finance/maybe snapshots under /work/.mirror with N 5 and 20),
# SCAN_BENCH_COMMITS (80000), SCAN_BENCH_RUNS (5, at least 5 is wise),
# SCAN_BENCH_FULL_RUNS (3), SCAN_BENCH_SKIP_FULL=1, SCAN_BENCH_SKIP_DIR=1.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"

commits=${SCAN_BENCH_COMMITS:-80000}
runs=${SCAN_BENCH_RUNS:-5}
full_runs=${SCAN_BENCH_FULL_RUNS:-3}
synth=$BENCH_DIR/synth
mirror=/work/.mirror
repos=${SLUGGUARD_BENCH_REPOS-"$mirror/git+git/repo:5 $mirror/maybe-finance+maybe/repo:20"}

echo "load before: $(uptime | sed 's/.*load average/load average/')"

# row LABEL OURS BASE [TARGET]: "ours ms (peak MiB) | base ms | ratio".
# OURS and BASE are timeit -m output ("ms MiB").
row() {
	set -- "$1" "${2% *}" "${2#* }" "${3% *}" "$4"
	printf '  %-40s %7s ms %6s MiB | %8s ms | %5sx %s\n' "$1" "$2" "$3" \
		"$4" "$(ratio "$2" "$4")" "$5"
}

# prepare_real SNAPSHOT DIR: a local bare clone of SNAPSHOT with every
# branch also as refs/remotes/origin/*, a branch bench-topic three new
# commits ahead of HEAD, and a --depth 50 shallow clone in DIR.shallow.
prepare_real() {
	[ -f "$2/.bench-complete" ] && return 0
	rm -rf "$2" "$2.shallow"
	git clone -q --bare "$1" "$2" || return 1
	git -C "$2" for-each-ref --format='%(refname:lstrip=2) %(objectname)' \
		refs/heads | while read -r name id; do
		echo "update refs/remotes/origin/$name $id"
	done | git -C "$2" update-ref --stdin || return 1
	idx=$2/bench-index
	tip=$(git -C "$2" rev-parse HEAD) &&
		GIT_INDEX_FILE=$idx git -C "$2" read-tree HEAD || return 1
	for i in 1 2 3; do
		blob=$(seq 1 200 | sed "s/^/bench line $i: /" |
			git -C "$2" hash-object -w --stdin) &&
			GIT_INDEX_FILE=$idx git -C "$2" update-index --add \
				--cacheinfo "100644,$blob,bench/new-$i.txt" &&
			tree=$(GIT_INDEX_FILE=$idx git -C "$2" write-tree) &&
			tip=$(GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@example.com \
				GIT_COMMITTER_NAME=b \
				GIT_COMMITTER_EMAIL=b@example.com \
				git -C "$2" commit-tree "$tree" -p "$tip" \
				-m "bench $i") || return 1
	done
	rm -f "$idx"
	git -C "$2" update-ref refs/heads/bench-topic "$tip" &&
		git clone -q --bare --depth 50 "file://$1" "$2.shallow" &&
		touch "$2/.bench-complete"
}

# prepare_graph DIR: DIR.graph, a copy of DIR with a commit-graph.
prepare_graph() {
	[ -f "$1.graph/objects/info/commit-graph" ] && return 0
	rm -rf "$1.graph"
	git clone -q --bare "$1" "$1.graph" &&
		git -C "$1.graph" commit-graph write --reachable
}

# prepare_split DIR: DIR.split, a copy of DIR with a split commit-graph
# of two layers (what git maintenance leaves): all but the last 500
# first-parent commits, then the rest on top.
prepare_split() {
	[ -f "$1.split/objects/info/commit-graphs/commit-graph-chain" ] &&
		return 0
	rm -rf "$1.split"
	git clone -q --bare "$1" "$1.split" || return 1
	base=$(git -C "$1.split" rev-list -n 1 --skip=500 --first-parent HEAD)
	echo "${base:-$(git -C "$1.split" rev-parse HEAD)}" |
		git -C "$1.split" commit-graph write --split --stdin-commits &&
		git -C "$1.split" commit-graph write --reachable \
			--split=no-merge
}

# (a) real repositories
first_real=
for spec in $repos; do
	path=${spec%:*}
	n=${spec##*:}
	[ "$n" = "$spec" ] && n=5
	if ! git --git-dir="$path" rev-parse --verify -q HEAD >/dev/null 2>&1; then
		echo "skipped: no repository at $path"
		continue
	fi
	name=$(basename "$(dirname "$path")")
	d=$BENCH_DIR/real/$name
	mkdir -p "$BENCH_DIR/real"
	echo "preparing $name (once)..."
	{ prepare_real "$path" "$d" && prepare_graph "$d" &&
		prepare_split "$d"; } || {
		echo "bench: cannot prepare $d" >&2
		exit 1
	}
	[ -n "$first_real" ] || first_real=$d
	range="HEAD~$n..HEAD"
	nc=$(git -C "$d" rev-list --count "$range")
	echo "$name: medians of $runs | ours (peak) | git log -p -U0 | ratio"
	# the commit cache filled first, as hooks install leaves it (a walk
	# that writes it fsyncs: not what a push after install pays)
	(cd "$d" && "$SG" scan "$range" >/dev/null 2>&1)
	(cd "$d.graph" && "$SG" scan "$range" >/dev/null 2>&1)
	ours=$(cd "$d" && median_ms -m "$runs" "$SG" scan "$range")
	base=$(cd "$d" && median_ms -m "$runs" git log -p -U0 "$range")
	row "small push $range ($nc commits)" "$ours" "$base" \
		"(< 30 ms; git.git <= 0.25x)"
	# the walk's commits come from slugguard/commits after the first
	# run (src/gitwalk/commit-cache.c); without it, as a first push
	ours=$(cd "$d" && median_ms -m "$runs" env \
		SLUGGUARD_NO_COMMIT_CACHE=1 "$SG" scan "$range")
	row "  same, without the commit cache (a first push)" "$ours" "$base"
	ours=$(cd "$d" && median_ms -m "$runs" env SLUGGUARD_NO_ODB=1 \
		"$SG" scan "$range")
	row "  same through libgit2 (SLUGGUARD_NO_ODB=1)" "$ours" "$base"
	# most clones a few weeks old have one (git gc, git maintenance);
	# git log reads it too
	ours=$(cd "$d.graph" && median_ms -m "$runs" "$SG" scan "$range")
	base=$(cd "$d.graph" && median_ms -m "$runs" git log -p -U0 "$range")
	row "  with a commit-graph" "$ours" "$base" "(< 30 ms)"
	ours=$(cd "$d.graph" && median_ms -m "$runs" env \
		SLUGGUARD_NO_GRAPH=1 "$SG" scan "$range")
	row "  same, the graph not read" "$ours" "$base"
	# each blob beside its parent's version (docs/scan.md) or whole
	ours=$(cd "$d.graph" && median_ms -m "$runs" env \
		SLUGGUARD_NO_REGION=1 "$SG" scan "$range")
	row "  same, graph read, every blob matched whole" "$ours" "$base"
	# pack bytes through the mapping, not pread() windows (src/odb/read.c)
	ours=$(cd "$d.graph" && median_ms -m "$runs" env \
		SLUGGUARD_NO_WINDOWS=1 "$SG" scan "$range")
	row "  same, graph read, pack read through its mapping" "$ours" "$base"
	ours=$(cd "$d.split" && median_ms -m "$runs" "$SG" scan "$range")
	base=$(cd "$d.split" && median_ms -m "$runs" git log -p -U0 "$range")
	row "  with a split commit-graph (2 layers)" "$ours" "$base" "(< 30 ms)"
	base=$(cd "$d" && median_ms -m "$runs" git log -p -U0 "$range")
	ours=$(cd "$d" && median_ms -m "$runs" "$SG" scan bench-topic \
		--not --remotes)
	base=$(cd "$d" && median_ms -m "$runs" git log -p -U0 bench-topic \
		--not --remotes)
	row "new branch: topic --not --remotes (3)" "$ours" "$base"
	# the pre-push hook itself on that push: it reads the pushed refs
	# on stdin and scans what no origin/* ref has
	printf 'refs/heads/bench-topic %s refs/heads/bench-topic %s\n' \
		"$(git -C "$d" rev-parse bench-topic)" \
		0000000000000000000000000000000000000000 >"$d.stdin"
	ours=$(cd "$d" && median_ms -m -i "$d.stdin" "$runs" "$SG" hooks run \
		pre-push origin "$d")
	row "  the pre-push hook on that push" "$ours" "$base"
	ours=$(cd "$d.shallow" && median_ms -m "$runs" "$SG" scan "$range")
	base=$(cd "$d.shallow" && median_ms -m "$runs" git log -p -U0 "$range")
	row "shallow (depth 50): $range" "$ours" "$base"
	# the whole tree at the boundary: full-history sized, so as many
	# runs as the full-history figures (git log takes minutes here)
	ours=$(cd "$d.shallow" && median_ms -m "$full_runs" "$SG" scan HEAD)
	base=$(cd "$d.shallow" && median_ms -m "$full_runs" git log -p -U0 HEAD)
	row "shallow (depth 50): HEAD to the boundary" "$ours" "$base"
	ours=$(median_ms -m "$runs" "$SG" --version)
	printf '  %-40s %7s ms %6s MiB\n' "start-up: slugguard --version" \
		"${ours% *}" "${ours#* }"
done

# (b) full history against git log -p
if [ "${SCAN_BENCH_SKIP_FULL:-0}" != 1 ]; then
	repo=${first_real:-}
	if [ -z "$repo" ]; then
		echo "generating the synthetic repository ($commits commits) if needed..."
		sh "$top/bench/gen-repo.sh" "$synth" "$commits" || exit 1
		repo=$synth
	fi
	n=$(git --git-dir="$repo" rev-list --count HEAD)
	base=$(cd "$repo" && median_ms -m "$full_runs" git log -p -U0 HEAD)
	ours=$(cd "$repo" && median_ms -m "$full_runs" "$SG" scan HEAD)
	echo "full history ($repo, $n commits), medians of $full_runs:"
	row "scan HEAD" "$ours" "$base" "(target <= 0.2x)"
fi

# (c) the synthetic repository
echo "generating the synthetic repository ($commits commits) if needed..."
sh "$top/bench/gen-repo.sh" "$synth" "$commits" || exit 1
floor=$(median_ms "$runs" "$SG" --version)
revlist=$(cd "$synth" && median_ms "$runs" git rev-list main~5..main)
prepush=$(cd "$synth" && median_ms "$runs" "$SG" scan main~5..main)
git2=$(cd "$synth" && median_ms "$runs" env SLUGGUARD_NO_ODB=1 "$SG" scan main~5..main)
echo "synthetic linear repository ($commits commits):"
printf '  %-42s %6s ms   (target < 30 ms)\n' "pre-push: scan main~5..main" "$prepush"
printf '  %-42s %6s ms\n' "  same through libgit2 (SLUGGUARD_NO_ODB=1)" "$git2"
printf '  %-42s %6s ms\n' "  baseline: slugguard --version (start-up)" "$floor"
printf '  %-42s %6s ms\n' "  baseline: git rev-list main~5..main" "$revlist"

# (d) --dir throughput, one thread
if [ "${SCAN_BENCH_SKIP_DIR:-0}" = 1 ]; then
	echo "load after: $(uptime | sed 's/.*load average/load average/')"
	exit 0
fi
corpus=$BENCH_DIR/corpus
if [ ! -f "$corpus/.complete" ]; then
	rm -rf "$corpus"
	mkdir -p "$corpus/src"
	if [ -n "$first_real" ]; then
		git --git-dir="$first_real" archive HEAD | tar -x -C "$corpus/src"
	else
		git -C "$top" archive HEAD | tar -x -C "$corpus/src"
	fi
	i=1
	while [ "$(du -sm "$corpus" | cut -f1)" -lt 200 ]; do
		cp -r "$corpus/src" "$corpus/copy$i"
		i=$((i + 1))
	done
	touch "$corpus/.complete"
fi
bytes=$(cd "$corpus" && "$SG" scan --format json --threads 1 --dir . 2>/dev/null |
	sed -n 's/.*"bytes":\([0-9]*\).*/\1/p')
dir_ms=$(median_ms "$runs" "$SG" scan --threads 1 --dir "$corpus")
cat_ms=$(median_ms "$runs" sh -c "find '$corpus' -type f -exec cat {} + >/dev/null")
printf '%-44s %6s MB/s (target >= 300; %s MB in %s ms)\n' \
	"--dir, 1 thread" "$(awk -v b="$bytes" -v t="$dir_ms" 'BEGIN { printf "%.0f", b / 1e6 / (t / 1000) }')" \
	"$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }')" "$dir_ms"
printf '%-44s %6s MB/s\n' "  baseline: find | cat (reading only)" \
	"$(awk -v b="$bytes" -v t="$cat_ms" 'BEGIN { printf "%.0f", b / 1e6 / (t / 1000) }')"

# The same text in 4 MB files: the scanner's rate without the per-file
# system calls, which are dear on this VM (see the find | cat line).
big=$BENCH_DIR/bigcorpus
if [ ! -f "$big/.complete" ]; then
	rm -rf "$big"
	mkdir -p "$big"
	python3 - "$corpus" "$big" <<'PY' || exit 1
import os, sys
src, out = sys.argv[1], sys.argv[2]
buf, n = bytearray(), 0
for root, dirs, files in os.walk(src):
    dirs.sort()
    for f in sorted(files):
        try:
            b = open(os.path.join(root, f), 'rb').read()
        except OSError:
            continue
        if b'\0' in b[:8000]:
            continue
        buf += b
        if len(buf) >= 4 << 20:
            open('%s/part%04d.txt' % (out, n), 'wb').write(buf)
            n, buf = n + 1, bytearray()
if buf:
    open('%s/part%04d.txt' % (out, n), 'wb').write(buf)
PY
	touch "$big/.complete"
fi
bbytes=$("$SG" scan --format json --threads 1 --dir "$big" 2>/dev/null |
	sed -n 's/.*"bytes":\([0-9]*\).*/\1/p')
big_ms=$(median_ms "$runs" "$SG" scan --threads 1 --dir "$big")
printf '%-44s %6s MB/s (%s MB in 4 MB files, %s ms)\n' \
	"--dir, 1 thread, large files" \
	"$(awk -v b="$bbytes" -v t="$big_ms" 'BEGIN { printf "%.0f", b / 1e6 / (t / 1000) }')" \
	"$(awk -v b="$bbytes" 'BEGIN { printf "%.0f", b / 1e6 }')" "$big_ms"
echo "load after: $(uptime | sed 's/.*load average/load average/')"
