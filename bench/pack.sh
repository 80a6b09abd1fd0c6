#!/bin/sh
# Slug packing vs `tar -czf` of the same tree: a synthetic Rails app with
# vendored gems (>= 200 MB, generated once under build/bench from files of
# this machine, never committed). Target: at most 0.6x tar's time at no
# more than 1.02x its size. RUNS=N sets the number of timed runs (median).
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"

tree=$BENCH_DIR/pack-tree
runs=${RUNS:-3}

# gen_app: the app skeleton plus vendored "gems": C headers and native
# extension sources (/usr/include), library code (python stdlib standing
# in for Ruby) and shared objects; symlinks dereferenced.
gen_app() {
	rm -rf "$tree"
	gems=$tree/vendor/bundle/ruby/3.3.0/gems
	mkdir -p "$tree/app/models" "$tree/config" "$gems" "$tree/bin" || exit 2
	i=0
	while [ $i -lt 200 ]; do
		printf 'class Model%d < ApplicationRecord\n  has_many :items\n  validates :name, presence: true\nend\n' \
			$i >"$tree/app/models/model$i.rb"
		i=$((i + 1))
	done
	printf 'web: bundle exec puma -C config/puma.rb\n' >"$tree/Procfile"
	printf '#!/bin/sh\nexec bundle exec rails "$@"\n' >"$tree/bin/rails"
	chmod +x "$tree/bin/rails"
	cp -RL /usr/include "$gems/native-headers-1.0" 2>/dev/null
	for d in /usr/lib/python3.11 /usr/lib/python3; do
		[ -d "$d" ] && cp -RL "$d" "$gems/$(basename "$d")-lib-2.0" 2>/dev/null
	done
	mkdir -p "$gems/native-ext-3.1/lib"
	find /usr/lib/x86_64-linux-gnu -maxdepth 1 -name '*.so*' -type f \
		-size -4M | sort | head -n 60 |
		while read -r f; do cp "$f" "$gems/native-ext-3.1/lib/"; done
	# Only regular files and directories: the slug refuses odd types.
	find "$tree" ! -type f ! -type d -exec rm -f {} + 2>/dev/null
	touch "$tree/.complete"
}

[ -f "$tree/.complete" ] || gen_app
mb=$(du -sm "$tree" | cut -f1)
if [ "$mb" -lt 200 ]; then
	echo "pack: tree is only ${mb} MB (< 200 MB)" >&2
	exit 1
fi

tar_ms=$(median_ms "$runs" tar -czf "$BENCH_DIR/tar.tgz" -C "$tree" .)
sg_ms=$(median_ms "$runs" "$SG" -q build --pack-dir "$tree" \
	--out "$BENCH_DIR/sg" --max-size 100000000000)
"$SG" -q build --pack-dir "$tree" --out "$BENCH_DIR/sg" \
	--max-size 100000000000 >/dev/null || exit 1
tar_b=$(wc -c <"$BENCH_DIR/tar.tgz")
sg_b=$(wc -c <"$BENCH_DIR/sg/slug.tgz")
t=$(ratio "$sg_ms" "$tar_ms")
s=$(awk -v a="$sg_b" -v b="$tar_b" 'BEGIN { printf "%.3f\n", a / b }')
echo "tree:        ${mb} MB, $(find "$tree" -type f | wc -l) files, $(nproc) cores"
echo "tar -czf:    ${tar_ms} ms, ${tar_b} bytes"
echo "slug pack:   ${sg_ms} ms, ${sg_b} bytes (incl. sha256)"
echo "time ratio:  ${t}x (target <= 0.60)"
echo "size ratio:  ${s}x (target <= 1.02)"
# CPU seconds tell more than wall time on a busy machine.
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f '%U %S' -o "$BENCH_DIR/cpu.tar" \
		tar -czf "$BENCH_DIR/tar.tgz" -C "$tree" .
	/usr/bin/time -f '%U %S' -o "$BENCH_DIR/cpu.sg" "$SG" -q build \
		--pack-dir "$tree" --out "$BENCH_DIR/sg" \
		--max-size 100000000000 >/dev/null
	echo "cpu (u+s):   tar $(awk '{print $1 + $2}' "$BENCH_DIR/cpu.tar") s," \
		"slug $(awk '{print $1 + $2}' "$BENCH_DIR/cpu.sg") s;" \
		"load $(cut -d' ' -f1 /proc/loadavg)"
fi
gzip -t "$BENCH_DIR/sg/slug.tgz" || exit 1
awk -v t="$t" -v s="$s" 'BEGIN { exit !(t <= 0.60 && s <= 1.02) }'
