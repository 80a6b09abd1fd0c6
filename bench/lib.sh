# shellcheck shell=sh
# Shared bench helpers: timing and medians. Source after setting $top.
top=${top:-$(cd "$(dirname "$0")/.." && pwd)}
SG=${SG:-$top/${BUILD:-build}/slugguard}
BENCH_DIR=${BENCH_DIR:-$top/build/bench}
mkdir -p "$BENCH_DIR"

# now_ns: wall-clock nanoseconds.
now_ns() {
	date +%s%N
}

# time_ms CMD...: run CMD (output discarded), print elapsed milliseconds.
time_ms() {
	_t0=$(now_ns)
	"$@" >/dev/null 2>&1
	_t1=$(now_ns)
	echo $(((_t1 - _t0) / 1000000))
}

# median_ms N CMD...: median of N timed runs, in milliseconds.
median_ms() {
	_n=$1
	shift
	_i=0
	_f=$BENCH_DIR/.times.$$
	: >"$_f"
	while [ $_i -lt "$_n" ]; do
		time_ms "$@" >>"$_f"
		_i=$((_i + 1))
	done
	sort -n "$_f" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
	rm -f "$_f"
}

# ratio A B: A/B with two decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f\n", a / b }'
}
