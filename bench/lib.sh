# shellcheck shell=sh
# Shared bench helpers: timing and medians. Source after setting $top.
top=${top:-$(cd "$(dirname "$0")/.." && pwd)}
SG=${SG:-$top/${BUILD:-build}/slugguard}
BENCH_DIR=${BENCH_DIR:-$top/build/bench}
mkdir -p "$BENCH_DIR"

# timeit_build: compile bench/timeit.c into $BENCH_DIR once (again when
# the source changes); through a temporary name, as two benches may race.
TIMEIT=$BENCH_DIR/timeit
timeit_build() {
	[ -x "$TIMEIT" ] &&
		[ -z "$(find "$top/bench/timeit.c" -newer "$TIMEIT")" ] &&
		return 0
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -o "$TIMEIT.$$" \
		"$top/bench/timeit.c" && mv -f "$TIMEIT.$$" "$TIMEIT"
}

# median_ms [-m] [-i FILE] N CMD...: median wall time of N runs of CMD in
# milliseconds with one decimal (e.g. 23.4; do the arithmetic in awk);
# -m adds the median peak memory of a run in MiB ("23.4 31.2").
# CMD is exec'd by bench/timeit (no shell, output discarded, stdin from
# FILE or /dev/null), so starting a timer costs no process of its own; a
# shell function has to be run as sh -c '. FILE && fn'.
median_ms() {
	timeit_build || return 2
	"$TIMEIT" "$@"
}

# ratio A B: A/B with two decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f\n", a / b }'
}

# minus A B: A-B with one decimal.
minus() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", a - b }'
}
