#!/bin/sh
# make bench: run every bench/<name>.sh in turn. Each prints its figures
# beside the baseline measured in the same run (medians of several runs).
# B='scan*' limits the run to matching scripts.
top=$(cd "$(dirname "$0")/.." && pwd)
rc=0
for b in "$top"/bench/*.sh; do
	name=$(basename "$b")
	case "$name" in
	run.sh | lib.sh) continue ;;
	esac
	# shellcheck disable=SC2254 # B is a glob on purpose
	case "$name" in
	${B:-*}) ;;
	*) continue ;;
	esac
	echo "== ${name%.sh}"
	sh "$b" || rc=1
done
exit $rc
