#!/bin/sh
# make demo's script, end to end: keeps the README's first command true.
. "$(dirname "$0")/lib.sh"

test_expect_success 'the demo runs the whole story and exits 0' '
	DEMO_DIR="$TRASH/demo" BUILD="$SLUGGUARD_BUILD" \
		sh "$SLUGGUARD_TOP/scripts/demo.sh" >out 2>&1 ||
	{ tail -n 40 out && false; }
'

test_expect_success 'the leak was refused on both sides, by name' '
	grep "push refused by the pre-push hook" out &&
	grep "remote: slugguard: push refused by the pre-receive hook" out &&
	grep "openai-project-key" out &&
	! grep -E "sk-proj-[A-Za-z0-9_-]{8}" out
'

test_expect_success 'the fix was built, signed, released, verified and rolled back' '
	grep "remote: Released v1" out &&
	grep "^OK: .*slug.tgz sha256:[0-9a-f]* signed by SHA256:" out &&
	grep "^ok  *signed: current release v1 runs a verified slug" out &&
	grep "Rolled back to v1 (release v3)" out
'

test_done
