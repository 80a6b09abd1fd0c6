#!/bin/sh
# lib.sh: test_when_finished runs its commands after the test.
. "$(dirname "$0")/lib.sh"
test_expect_success 'registers cleanup' '
	touch marker && test_when_finished "rm -f marker" && test -f marker
'
test_expect_success 'cleanup ran' '
	! test -f marker
'
test_done
