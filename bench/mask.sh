#!/bin/sh
# Masking and the slug check with 200 config vars (issue 15's targets):
#  1. a build that prints 100 MB, its output relayed through `cat`,
#     through the relay with no vars (the build without masking: the
#     baseline of the x1.05 target, same binary, same start-up) and
#     through the masker (what `build`/`deploy` do): paired runs,
#     medians of the wall time and of the CPU time of the whole
#     pipeline, their ratios and whether they meet x1.05; the same for
#     the bare bytes (no build work: the worst case);
#  2. the slug check over a slug of a real tree (rails), MB/s of
#     uncompressed bytes per CPU second on the .tgz (inflate included),
#     on the same tar uncompressed, and the matcher alone over the tar in
#     memory, each beside `cat` of the same bytes and the 500 MB/s
#     target; the check while packing; `gzip -dc` of the slug.
# MASK_BENCH_MB sets the output size (default 100), MASK_BENCH_RUNS the
# runs per median (default 5).
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
build=$top/${BUILD:-build}
mb=${MASK_BENCH_MB:-100}
runs=${MASK_BENCH_RUNS:-5}
cd "$top" || exit 2
[ -f "$build/libslugguard.a" ] || make --no-print-directory all || exit 2
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Iinclude -Isrc \
	-o "$BENCH_DIR/mask_bench" bench/mask_bench.c "$build/libslugguard.a" \
	$(pkg-config --libs libgit2 libcurl libcjson libarchive libcrypto \
		libhs libpcre2-8 zlib libdeflate) -lpthread -lm -ldl || exit 2
MB=$BENCH_DIR/mask_bench

# 200 vars: random values of 24 to 88 characters.
vars=$BENCH_DIR/mask-vars.env
head -c 60000 /dev/urandom | od -An -tx1 | tr -d ' \n' |
	awk '{ for (i = 0; i < 200; i++) {
		n = 24 + (i * 37) % 64;
		printf "BENCH_VAR_%03d=%s\n", i, substr($0, i * 100 + 1, n) } }' \
	>"$vars"

# The build: awk writes build-like lines, a value now and then (one line
# in 5000), until it has printed $mb MB.
gen=$BENCH_DIR/mask-gen.awk
cat >"$gen" <<'AWK'
BEGIN {
	while ((getline l < vars) > 0) { sub(/^[^=]*=/, "", l); v[n++] = l }
	limit = mb * 1048576
	while (total < limit) {
		i++
		if (i % 5000 == 0)
			s = "       Using secret " v[i % n] " for assets"
		else
			s = "       Compiling app/assets/stylesheets/part_" i ".css (" i % 977 " ms)"
		print s
		total += length(s) + 1
	}
}
AWK
log=$BENCH_DIR/mask-build.log
awk -v vars="$vars" -v mb="$mb" -f "$gen" >"$log"

novars=$BENCH_DIR/mask-novars.env
: >"$novars"
cat >"$BENCH_DIR/mask-run.sh" <<EOF2
build_cat() { awk -v vars="$vars" -v mb="$mb" -f "$gen" | cat; }
build_plain() { awk -v vars="$vars" -v mb="$mb" -f "$gen" | "$MB" relay "$novars"; }
build_mask() { awk -v vars="$vars" -v mb="$mb" -f "$gen" | "$MB" relay "$vars"; }
EOF2
run=$BENCH_DIR/mask-run.sh

masked=$("$MB" relay "$vars" <"$log" | grep -c 'masked BENCH_VAR')
lines=$(grep -c 'Using secret' "$log")
echo "masking: $lines lines with a value, $masked masked"
[ "$masked" = "$lines" ] || { echo "masking: missed values" >&2; exit 1; }

# Paired runs, cat then masker, so that load from elsewhere hits both
# alike: wall time of the build and CPU time of the whole pipeline (awk,
# the relay and sh), medians. GNU time reports both; without it, the
# wall times only.
pipeline_runs() {
	for _ in $(seq "$runs"); do
		for how in cat plain mask; do
			if [ -x /usr/bin/time ]; then
				/usr/bin/time -f "$how %e %U %S" -o "$BENCH_DIR/mask-time" \
					sh -c ". $run && build_$how" >/dev/null ||
					return 2
				cat "$BENCH_DIR/mask-time"
			else
				echo "$how $(median_ms 1 sh -c ". $run && build_$how" |
					awk '{ print $1 / 1000 }') 0 0"
			fi
		done
	done
}
pipeline_runs >"$BENCH_DIR/mask-pipe" || exit 2
awk -v mb="$mb" '
	function median(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == "cat" { cw[++nc] = $2 * 1000; cc[nc] = ($3 + $4) * 1000 }
	$1 == "plain" { pw[++np] = $2 * 1000; pc[np] = ($3 + $4) * 1000 }
	$1 == "mask" { mw[++nm] = $2 * 1000; mc[nm] = ($3 + $4) * 1000 }
	END {
		wc = median(cw, nc); w0 = median(pw, np); w1 = median(mw, nm)
		ccpu = median(cc, nc); c0 = median(pc, np); c1 = median(mc, nm)
		printf "build printing %d MB, relayed by cat:      %.0f ms wall, %.0f ms CPU\n", mb, wc, ccpu
		printf "build printing %d MB, relayed, no vars:    %.0f ms wall, %.0f ms CPU\n", mb, w0, c0
		printf "build printing %d MB, relayed masked:      %.0f ms wall, %.0f ms CPU\n", mb, w1, c1
		printf "masking adds: wall x%.3f (%+.0f ms), CPU x%.3f (%+.0f ms); target <= x1.05: wall %s, CPU %s\n",
			w1 / w0, w1 - w0, c1 / c0, c1 - c0,
			(w1 / w0 <= 1.05 ? "met" : "NOT met"),
			(c1 / c0 <= 1.05 ? "met" : "NOT met")
		printf "against cat (start-up of a bigger binary included): wall x%.3f, CPU x%.3f\n",
			w1 / wc, c1 / ccpu
	}' "$BENCH_DIR/mask-pipe"
c=$(median_ms -i "$log" "$runs" cat) || exit 2
m=$(median_ms -i "$log" "$runs" "$MB" relay "$vars") || exit 2
echo "bare $mb MB, cat:                          $c ms"
echo "bare $mb MB, masker:                       $m ms (x$(ratio "$m" "$c"); no build work: the worst case)"

# The slug check over a real tree.
src=${MASK_BENCH_REPO:-/work/.mirror/rails+rails/repo}
slug=$BENCH_DIR/mask-slug.tgz
tar=$BENCH_DIR/mask-slug.tar
if [ ! -f "$slug" ]; then
	if [ -d "$src" ]; then
		git --git-dir="$src" archive --prefix=./app/ HEAD >"$tar" || exit 2
	else
		tar cf "$tar" --transform 's,^,./app/,' src include tests || exit 2
	fi
	gzip -5 -c "$tar" >"$slug" || exit 2
fi
[ -f "$tar" ] || gzip -dc "$slug" >"$tar"
# cat of the same bytes: MB/s (wall of a median run, single-threaded and
# from the page cache, so about its CPU time).
cat_mbs() {
	_ms=$(median_ms -i "$1" "$runs" cat) || return 2
	awk -v b="$(wc -c <"$1")" -v t="$_ms" \
		'BEGIN { if (t < 0.1) t = 0.1; printf "%.0f", b / 1048576 / (t / 1000) }'
}
# slug_check MODE FILE WHAT: the median of $runs checks of FILE, MB/s per
# core, beside cat's MB/s and the >= 500 MB/s target.
slug_check() {
	_cat=$(cat_mbs "$2") || return 2
	for _ in $(seq "$runs"); do
		"$MB" "$1" "$vars" "$2" || return 2
	done | sort -k2 -n | awk -v what="$3" -v cat="$_cat" '
		{ b[NR] = $1; s[NR] = $2; f = $3; p = $4 }
		END { m = int((NR + 1) / 2); r = b[m] / 1048576 / s[m]
		      printf "slug check, %s: %.0f MB in %.3f s CPU (median): %.0f MB/s per core (cat: %.0f MB/s), %d patterns, %d hits; >= 500 MB/s: %s\n",
			what, b[m] / 1048576, s[m], r, cat, p, f, (r >= 500 ? "met" : "NOT met") }'
}
slug_check slug "$slug" "the .tgz (inflate included)"
slug_check slug "$tar" "the same tar uncompressed (matcher and tar walk)"
slug_check scan "$tar" "the matcher alone over the tar's bytes in memory"
# The check as the build runs it: while packing, on the bytes packed; the
# CPU time of the packing thread (deflate runs on workers) without and
# with the check.
tree=$BENCH_DIR/mask-tree
[ -d "$tree/app" ] || { mkdir -p "$tree" && tar -C "$tree" -xf "$tar"; } || exit 2
for _ in $(seq "$runs"); do
	# (libarchive warns of every non-UTF-8-able name of the tree)
	"$MB" pack "$vars" "$tree/app" "$BENCH_DIR/mask-pack.tgz" \
		2>"$BENCH_DIR/mask-pack.err" || exit 2
done | awk '{ print $1, $3 - $2, $2 }' | sort -k2 -n | awk '
	{ b[NR] = $1; d[NR] = $2; w[NR] = $3 }
	END { m = int((NR + 1) / 2)
	      printf "slug check while packing (the build): %.0f MB, packing thread %.3f s CPU, the check adds %+.3f s (median)",
		b[m] / 1048576, w[m], d[m]
	      if (d[m] > 0.005)
		printf ": %.0f MB/s per core\n", b[m] / 1048576 / d[m]
	      else
		printf ": within the noise of this measure (< 5 ms)\n" }'
g=$(median_ms "$runs" gzip -dc "$slug") || exit 2
c=$(median_ms -i "$tar" "$runs" cat) || exit 2
sz=$(wc -c <"$tar")
echo "gzip -dc of the slug: $g ms ($(awk -v b="$sz" -v t="$g" 'BEGIN { printf "%.0f", b / 1048576 / (t / 1000) }') MB/s); cat of the tar: $c ms"
