#!/bin/sh
# This repository's own history holds no secret-looking literal: scan
# --all over it, with no allowlist, finds nothing.
. "$(dirname "$0")/lib.sh"

# A source tarball has no history to scan.
git -C "$SLUGGUARD_TOP" rev-parse --git-dir >/dev/null 2>&1 &&
	test_set_prereq GIT_CHECKOUT

test_expect_success GIT_CHECKOUT 'scan --all over this repository finds nothing' '
	echo "{}" >empty.json &&
	(cd "$SLUGGUARD_TOP" &&
	 "$SG" scan --all --no-ignore-files --config "$TRASH/empty.json" \
		>"$TRASH/out" ||
	 { cat "$TRASH/out" && false; })
'

test_done
