#!/bin/sh
# Detection bench (issue 14): recall and false positives per class on a
# corpus built at run time by bench/detect_corpus.py (no key-like literal
# in the repository), for this build and, when BASE_SG names another
# slugguard binary (e.g. one built from main), for that one in the same
# run. Prints every false positive.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
corpus=$BENCH_DIR/detect-corpus
rm -rf "$corpus" && mkdir -p "$corpus" || exit 2
python3 "$top/bench/detect_corpus.py" "$corpus" || exit 2
rc=0
for sg in ${BASE_SG:+"$BASE_SG"} "$SG"; do
	echo "$sg:"
	(cd "$corpus" && "$sg" scan --dir . --format json --no-ignore-files \
		>"$BENCH_DIR/detect.json" 2>/dev/null)
	[ $? -le 1 ] || rc=2
	python3 "$top/bench/detect_corpus.py" score "$corpus" \
		"$BENCH_DIR/detect.json" || rc=2
done
exit $rc
