#!/bin/sh
# Rules micro benchmark: compile time, a cold pre-push-sized scan, and
# single-thread rules_scan throughput on generated source-like text
# beside two floors (memchr per line; the keyword pass alone).
# RULES_BENCH_MB sets the text size (default 200).
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
build=$top/${BUILD:-build}
cd "$top" || exit 2
[ -f "$build/libslugguard.a" ] || make --no-print-directory all || exit 2
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -Iinclude -Isrc \
	-o "$BENCH_DIR/rules_bench" bench/rules_bench.c "$build/libslugguard.a" \
	$(pkg-config --libs libgit2 libcurl libcjson libarchive libcrypto \
		libhs libpcre2-8 zlib libdeflate) -lpthread -lm || exit 2
"$BENCH_DIR/rules_bench" "${RULES_BENCH_MB:-200}"
