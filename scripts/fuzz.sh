#!/bin/sh
# Run the libFuzzer targets of build-fuzz/fuzz/ (see docs/fuzzing.md).
#   fuzz.sh run    each target FUZZ_TIME seconds on a copy of its seed
#                  corpus; a crash, leak, UB report or hang fails the run
#                  and names the target and the reproducer
#   fuzz.sh merge  the same, then merge what the run found into
#                  tests/fuzz/corpus/<name>/ (minimised: libFuzzer keeps
#                  only inputs that add coverage)
# F='odb*' picks targets by name.
set -u
mode=${1:-run}
time=${FUZZ_TIME:-60}
pick=${F:-*}
bins=build-fuzz/fuzz
out=build-fuzz/fuzz-out
failed=
ran=0

case $mode in
run | merge) ;;
*)
	echo "usage: fuzz.sh run|merge" >&2
	exit 2
	;;
esac
mkdir -p "$out" || exit 2
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
for bin in "$bins"/*; do
	name=$(basename "$bin")
	# shellcheck disable=SC2254
	case $name in
	*.d) continue ;;
	$pick) ;;
	*) continue ;;
	esac
	seeds=tests/fuzz/corpus/$name
	work=$out/$name
	rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts" || exit 2
	if [ -d "$seeds" ]; then
		cp "$seeds"/* "$work/corpus/" 2>/dev/null
	fi
	dict=
	if [ -f "tests/fuzz/$name.dict" ]; then
		dict=-dict=tests/fuzz/$name.dict
	fi
	ran=$((ran + 1))
	printf 'fuzz: %s (%ss)\n' "$name" "$time" >&2
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/artifacts/" \
		$dict "$work/corpus" >"$work/log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		repro=$(find "$work/artifacts" -type f | head -n 1)
		printf 'fuzz: %s FAILED (exit %s): reproducer %s, log %s\n' \
			"$name" "$rc" "${repro:-none}" "$work/log" >&2
		grep -m 3 -E 'ERROR|SUMMARY|runtime error' "$work/log" >&2
		failed="$failed $name"
		continue
	fi
	grep -E '^stat::(number_of_executed_units|new_units_added)' \
		"$work/log" | tr '\n' ' ' >&2
	echo >&2
	[ "$mode" = merge ] || continue
	if mkdir -p "$seeds" "$work/merged" &&
		"$bin" -merge=1 "$work/merged" "$seeds" "$work/corpus" \
			>>"$work/log" 2>&1; then
		rm -f "$seeds"/*
		cp "$work/merged"/* "$seeds"/
	else
		echo "fuzz: merging $name failed (log $work/log)" >&2
		failed="$failed $name"
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "fuzz: no target matches '$pick' in $bins" >&2
	exit 2
fi
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
echo "fuzz: $ran targets clean (${time}s each)" >&2
