#!/bin/sh
# The binary runs, prints its version and help, and maps usage errors to 2.
. "$(dirname "$0")/lib.sh"

test_expect_success 'version prints the version' '
	"$SG" --version >out &&
	grep "^slugguard [0-9]" out
'

test_expect_success 'help lists the commands' '
	"$SG" --help >out &&
	grep "^   scan " out &&
	grep "^   deploy " out
'

test_expect_success 'unknown command exits 2 with one line naming it' '
	test_expect_code 2 "$SG" no-such-command 2>err &&
	grep "slugguard: .no-such-command. is not a slugguard command" err
'

test_expect_success 'no command is a usage error' '
	test_expect_code 2 "$SG" 2>err &&
	grep "^usage:" err
'

test_done
