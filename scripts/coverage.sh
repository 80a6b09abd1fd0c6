#!/bin/sh
# scripts/coverage.sh [BUILD]: line coverage per module (src/<module>/)
# and in total, from the .gcda files a --coverage build left in BUILD
# (default build-cov) after the tests ran. gcov only, no other tool.
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build-cov}
cd "$top" || exit 2
command -v gcov >/dev/null 2>&1 || { echo "coverage: no gcov" >&2; exit 2; }
ls "$build"/obj/*/*.gcno >/dev/null 2>&1 ||
	{ echo "coverage: no .gcno files in $build; build with make coverage" >&2; exit 2; }
for f in src/*.c src/*/*.c; do
	obj=$build/obj/$(dirname "${f#src/}")
	[ -f "$obj/$(basename "$f" .c).gcno" ] || continue
	# "File 'src/x/y.c'" then "Lines executed:NN.NN% of N" for each
	# source gcov reports; keep the one asked for, not its headers.
	gcov -n -o "$obj" "$f" 2>/dev/null | awk -v want="$f" '
		/^File / { gsub(/^File .|.$/, ""); cur = $0; next }
		/^Lines executed:/ && cur == want {
			split($0, a, /[:% ]+/)
			pct = a[3]; n = $NF
			printf "%s %d %d\n", want, n, int(pct * n / 100 + 0.5)
			cur = ""
		}'
done | awk '
	{
		m = $1; sub(/^src\//, "", m)
		if (m ~ /\//) sub(/\/.*/, "", m); else m = "main"
		lines[m] += $2; hit[m] += $3; tl += $2; th += $3
	}
	END {
		printf "%-12s %8s %8s %7s\n", "module", "lines", "covered", "%"
		for (m in lines)
			printf "%-12s %8d %8d %6.1f%%\n", m, lines[m], hit[m],
				100 * hit[m] / lines[m] | "sort"
		close("sort")
		printf "%-12s %8d %8d %6.1f%%\n", "total", tl, th, 100 * th / tl
	}'
