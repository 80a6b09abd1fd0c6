#!/bin/sh
# Scan engine bench: each figure beside its baseline, medians of several
# runs in the same session.
#   (a) pre-push: a 5-commit range in a ~80k-commit repository (< 30 ms),
#       beside the process start-up floor (slugguard --version);
#   (b) full history: `slugguard scan HEAD` vs `git log -p -U0 HEAD`
#       (at most half its time), on git.git when SCAN_BENCH_REPO points at
#       a copy (default: /work/.mirror/git+git/repo if present), else on
#       the synthetic repository;
#   (c) --dir throughput per core (>= 300 MB/s), --threads 1.
# Environment: SCAN_BENCH_COMMITS (80000), SCAN_BENCH_RUNS (5),
# SCAN_BENCH_FULL_RUNS (3), SCAN_BENCH_REPO, SCAN_BENCH_SKIP_FULL=1.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"

commits=${SCAN_BENCH_COMMITS:-80000}
runs=${SCAN_BENCH_RUNS:-5}
full_runs=${SCAN_BENCH_FULL_RUNS:-3}
synth=$BENCH_DIR/synth
real=${SCAN_BENCH_REPO:-/work/.mirror/git+git/repo}

echo "load before: $(uptime | sed 's/.*load average/load average/')"
echo "generating the synthetic repository ($commits commits) if needed..."
sh "$top/bench/gen-repo.sh" "$synth" "$commits" || exit 1

# (a) the pre-push path
floor=$(median_ms "$runs" "$SG" --version)
revlist=$(cd "$synth" && median_ms "$runs" git rev-list main~5..main)
prepush=$(cd "$synth" && median_ms "$runs" "$SG" scan main~5..main)
git2=$(cd "$synth" && median_ms "$runs" env SLUGGUARD_NO_ODB=1 "$SG" scan main~5..main)
printf '%-44s %6s ms   (target < 30 ms)\n' "pre-push: scan main~5..main" "$prepush"
printf '%-44s %6s ms\n' "  same through libgit2 (SLUGGUARD_NO_ODB=1)" "$git2"
printf '%-44s %6s ms\n' "  baseline: slugguard --version (start-up)" "$floor"
printf '%-44s %6s ms\n' "  baseline: git rev-list main~5..main" "$revlist"

# (b) full history against git log -p
if [ "${SCAN_BENCH_SKIP_FULL:-0}" != 1 ]; then
	if git --git-dir="$real" rev-parse --verify -q HEAD >/dev/null 2>&1; then
		repo=$real
	else
		repo=$synth
	fi
	n=$(git --git-dir="$repo" rev-list --count HEAD)
	gitlog=$(median_ms "$full_runs" git --git-dir="$repo" log -p -U0 HEAD)
	ours=$(cd "$repo" && median_ms "$full_runs" "$SG" scan HEAD)
	printf '%-44s %6s ms   (target <= 0.5 x baseline: %s)\n' \
		"full history: scan HEAD ($n commits)" "$ours" \
		"$(ratio "$ours" "$gitlog")"
	printf '%-44s %6s ms\n' "  baseline: git log -p -U0 HEAD" "$gitlog"
	printf '  repository: %s\n' "$repo"
fi

# (c) --dir throughput, one thread
corpus=$BENCH_DIR/corpus
if [ ! -f "$corpus/.complete" ]; then
	rm -rf "$corpus"
	mkdir -p "$corpus/src"
	if git --git-dir="$real" rev-parse --verify -q HEAD >/dev/null 2>&1; then
		git --git-dir="$real" archive HEAD | tar -x -C "$corpus/src"
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
