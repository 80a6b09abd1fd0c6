#!/bin/sh
# This repository's own history holds no secret-looking literal: scan
# --all over it, with no allowlist, finds nothing.
. "$(dirname "$0")/lib.sh"

test_expect_success 'scan --all over this repository finds nothing' '
	echo "{}" >empty.json &&
	if git -C "$SLUGGUARD_TOP" rev-parse --git-dir >/dev/null 2>&1
	then
		(cd "$SLUGGUARD_TOP" &&
		 "$SG" scan --all --no-ignore-files --config "$TRASH/empty.json" \
			>"$TRASH/out" ||
		 { cat "$TRASH/out"; false; })
	else
		say "skipped: $SLUGGUARD_TOP is not a git repository"
	fi
'

test_done
