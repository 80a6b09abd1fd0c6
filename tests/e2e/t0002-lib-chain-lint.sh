#!/bin/sh
# lib.sh: a test body whose &&-chain is broken fails without running,
# as git's chainlint makes it; a missing prerequisite is a TAP skip.
. "$(dirname "$0")/lib.sh"

INNER="$TRASH/../t0002-inner"
export INNER

# run_inner BODY [PREREQ]: run a one-test script with that body (in its
# own trash directory, $INNER); its TAP output goes to tap, stderr to err.
run_inner() {
	printf '%s\n' ". \"$SLUGGUARD_TOP/tests/e2e/lib.sh\"" \
		"test_expect_success $2 'inner' '$1'" test_done >t0002-inner.sh &&
	{ env -u TEST_CHAIN_LINT sh t0002-inner.sh >tap 2>err || true; }
}

test_expect_success 'a line not joined with && fails the test, unrun' '
	run_inner "false
	touch ran" &&
	grep "^not ok 1 - inner (broken &&-chain)" tap &&
	grep "broken &&-chain" err &&
	grep "^false$" err &&
	test ! -f "$INNER/ran"
'

test_expect_success 'a ; between commands is a break too' '
	run_inner "false; true" &&
	grep "^not ok 1 - inner (broken &&-chain)" tap
'

test_expect_success 'closed blocks, loops, pipes and here-documents pass' '
	cat >body <<-\EOF &&
	for i in 1 2; do
		test -n "$i" || return 1
	done &&
	if test -d .
	then
		echo yes |
		grep yes
	else
		false
	fi &&
	(
		cat >doc <<-\END &&
		a line; with no chain
		END
		grep with doc
	) &&
	case x in
	x)
		true ;;
	esac &&
	{ echo done && true; } # a comment; ignored
	EOF
	run_inner "$(cat body)" &&
	grep "^ok 1 - inner$" tap
'

test_expect_success 'a break inside a subshell is found' '
	run_inner "(
		false
		true
	)" &&
	grep "^not ok 1 - inner (broken &&-chain)" tap
'

test_expect_success 'a missing prerequisite skips, as TAP SKIP' '
	run_inner false NOT_HERE &&
	grep "^ok 1 # SKIP inner (missing NOT_HERE)$" tap
'

test_set_prereq HERE
test_expect_success HERE 'a prerequisite set in this script counts' '
	true
'

test_expect_success HERE,NOT_HERE 'one missing of two skips' '
	false
'

test_done
