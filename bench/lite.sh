#!/bin/sh
# Does the lite code (src/gitwalk/lite-*.c: discovery, refs and the
# commit walk without libgit2) earn its lines? The same scans with it
# (default), with SLUGGUARD_NO_LITE=1 (libgit2 discovers, resolves and
# walks; our object reader stays on) and with SLUGGUARD_NO_ODB=1
# (libgit2 for everything), in interleaved rounds; medians of N runs
# (default 11) per round, ROUNDS rounds (default 3).
# Repositories: LITE_BENCH_REPOS (working trees; default clones of the
# git.git and maybe snapshots under /tmp/lite-bench, made if missing).
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
N=${N:-11}
ROUNDS=${ROUNDS:-3}
dir=/tmp/lite-bench
if [ -z "$LITE_BENCH_REPOS" ]; then
	for m in git+git maybe-finance+maybe; do
		src=/work/.mirror/$m/repo
		dst=$dir/${m#*+}
		[ -d "$dst" ] || [ ! -d "$src" ] ||
			git clone -q "$src" "$dst" || exit 2
		[ -d "$dst" ] && LITE_BENCH_REPOS="$LITE_BENCH_REPOS $dst"
	done
fi
[ -n "$LITE_BENCH_REPOS" ] || { echo "lite: no repository" >&2; exit 2; }

echo "load before: $(cut -d" " -f1-3 /proc/loadavg)"
echo "start-up floor, slugguard --version: $(median_ms "$N" "$SG" --version) ms"
for repo in $LITE_BENCH_REPOS; do
	n=$(git -C "$repo" rev-list --count HEAD)
	echo "$(basename "$repo") ($n commits):"
	for range in HEAD~5..HEAD HEAD~100..HEAD; do
		r=0
		while [ $r -lt "$ROUNDS" ]; do
			lite=$(cd "$repo" && median_ms "$N" "$SG" scan "$range")
			nolite=$(cd "$repo" && median_ms "$N" env \
				SLUGGUARD_NO_LITE=1 "$SG" scan "$range")
			noodb=$(cd "$repo" && median_ms "$N" env \
				SLUGGUARD_NO_ODB=1 "$SG" scan "$range")
			printf '  scan %-14s lite %7s ms   NO_LITE %7s ms (x%s)   NO_ODB %7s ms (x%s)\n' \
				"$range" "$lite" "$nolite" \
				"$(ratio "$nolite" "$lite")" "$noodb" \
				"$(ratio "$noodb" "$lite")"
			r=$((r + 1))
		done
	done
done
echo "load after: $(cut -d" " -f1-3 /proc/loadavg)"
