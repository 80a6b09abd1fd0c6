#!/bin/sh
# A binary key store is a finding by its path alone, in commits and on
# disk; other binary files are read for prefixed keys only and stay
# silent.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a committed binary .p12 and a binary image' '
	git init -q repo &&
	head -c 2000 /dev/urandom >repo/store.p12 &&
	printf "\\000" >>repo/store.p12 &&
	head -c 2000 /dev/urandom >repo/logo.png &&
	printf "\\000" >>repo/logo.png &&
	git -C repo add . &&
	git -C repo commit -qm "key store"
'

test_expect_success 'scan of the commit reports the key store by path' '
	(cd repo && test_expect_code 1 "$SG" scan HEAD) >out &&
	grep "^store.p12:1:1  pkcs12-file" out &&
	! grep "logo.png" out &&
	grep "2 binary files scanned by their printable text" out
'

test_expect_success 'scan --dir reports it too' '
	(cd repo && test_expect_code 1 "$SG" scan --dir .) >out &&
	grep "^store.p12:1:1  pkcs12-file" out &&
	! grep "logo.png" out
'

test_expect_success 'a new version or a rename of the key store is not a new finding' '
	(cd repo &&
	 head -c 2000 /dev/urandom >store.p12 && printf "\\000" >>store.p12 &&
	 git commit -qam "rotate the key store" &&
	 git mv store.p12 keys.p12 && git commit -qm "rename it" &&
	 test_expect_code 1 "$SG" scan HEAD >../out &&
	 "$SG" scan HEAD~2..HEAD >../later) &&
	test "$(grep -c "  pkcs12-file  " out)" = 1 &&
	grep "^store.p12:1:1  pkcs12-file" out &&
	grep "0 findings in commits HEAD~2..HEAD: scanned 2 commits" later
'

test_expect_success 'a key store added at a new path is a finding' '
	(cd repo &&
	 head -c 2000 /dev/urandom >other.p12 && printf "\\000" >>other.p12 &&
	 git add other.p12 && git commit -qm "another one" &&
	 test_expect_code 1 "$SG" scan HEAD^..HEAD >../out) &&
	grep "^other.p12:1:1  pkcs12-file" out
'

test_done
