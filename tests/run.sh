#!/bin/sh
# Runs the unit suites (cmocka, TAP output) and the end-to-end scripts
# (TAP), two at a time, and ends with "N passed, N failed, N skipped".
BUILD=${BUILD:-build}
UNIT=${UNIT:-1}
top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/$BUILD/test-results"
rm -rf "$out"
mkdir -p "$out"
export SLUGGUARD_TOP="$top" SLUGGUARD_BUILD="$BUILD"

list="$out/list"
: >"$list"
if [ "$UNIT" = 1 ]; then
	for t in "$top/$BUILD"/tests/*; do
		[ -x "$t" ] && echo "unit $t" >>"$list"
	done
fi
for t in "$top"/tests/e2e/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	case "$(basename "$t")" in
	${T:-*}) echo "e2e $t" >>"$list" ;;
	esac
done


export out top
while read -r kind t; do
	printf '%s %s\n' "$kind" "$t"
done <"$list" | xargs -P "${JOBS:-2}" -L 1 sh -c '
	kind=$0; t=$1; name=$(basename "$t" .sh)
	if [ "$kind" = unit ]; then
		(cd "$top" && CMOCKA_MESSAGE_OUTPUT=TAP "$t") >"$out/$name.tap" 2>"$out/$name.err"
	else
		(cd "$top/tests/e2e" && sh "$t") >"$out/$name.tap" 2>"$out/$name.err"
	fi
	echo $? >"$out/$name.rc"'

pass=0
fail=0
skip=0
for tap in "$out"/*.tap; do
	[ -f "$tap" ] || continue
	name=$(basename "$tap" .tap)
	# "ok N # SKIP reason" is a skip, not a pass (TAP: any case).
	s=$(grep -ci '^ok .*# *skip' "$tap")
	p=$(($(grep -c '^ok ' "$tap") - s))
	f=$(grep -c '^not ok ' "$tap")
	grep -qi '^1\.\.0 # *skip' "$tap" && s=$((s + 1))
	rc=$(cat "$out/$name.rc" 2>/dev/null || echo 99)
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		# A script that died without reporting a failure still failed.
		f=1
	fi
	if [ "$p" = 0 ] && [ "$f" = 0 ] && [ "$s" = 0 ]; then
		f=1
		echo "$name: ran no test" >>"$tap"
	fi
	if [ "$f" != 0 ]; then
		echo "FAIL $name ($p passed, $f failed, $s skipped)"
		grep '^not ok' "$tap" | sed 's/^/    /'
		tail -n 30 "$out/$name.err" | sed 's/^/    | /'
	else
		extra=
		[ "$s" != 0 ] && extra=", $s skipped"
		echo "ok   $name ($p passed$extra)"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + s))
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
