#!/bin/sh
# Content a push carries must be scanned, or the hook must say why not:
# a key after a NUL byte (a "binary" file), in a file over the size cap
# (and across a window boundary of the streamed scan), in a blob or a
# tree that a tag points at. Each through a real push: refused by the
# installed pre-push, and again by the server's pre-receive under
# --no-verify.
. "$(dirname "$0")/lib.sh"

# fake keys, built at run time from pieces
openai_key() {
	_p="sk-"
	_p="${_p}proj-"
	printf '%s%s' "$_p" "$(rand_chars 74)"
}
KEY=$(openai_key)

# lines of 99 x's: line n starts at byte 100 * (n - 1)
filler() {
	awk -v n="$1" 'BEGIN { s = sprintf("%99s", ""); gsub(/ /, "x", s);
		for (i = 0; i < n; i++) print s }'
}

# the object the ref names in work never reached the remote
remote_lacks() {
	_obj=$(git -C work rev-parse --verify "$1") &&
	test_must_fail git --git-dir=remote.git cat-file -e "$_obj"
}

# blobs written at run time (tests run in subshells: no shared variables)
key_blob() {
	printf "k = \"%s\"\n" "$KEY" | git -C work hash-object -w --stdin
}
clean_blob() {
	printf "ok\n" | git -C work hash-object -w --stdin
}

# refused by pre-push, then by pre-receive with --no-verify; the ref
# never reaches the remote and the report names what and where
refused_twice() {
	_ref=$1
	shift
	test_must_fail git -C work push origin "$_ref" 2>err &&
	grep "push refused by the pre-push hook" err &&
	for _want in "$@"; do
		grep -F -- "$_want" err || return 1
	done &&
	! grep -F "$KEY" err &&
	! grep "unknown error" err &&
	test_must_fail git -C work push --no-verify origin "$_ref" 2>err &&
	grep "push refused by the pre-receive hook" err &&
	for _want in "$@"; do
		grep -F -- "$_want" err || return 1
	done &&
	remote_lacks "$_ref"
}

test_expect_success 'setup: bare remote with server hooks, a clone' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	git clone -q remote.git work 2>/dev/null &&
	(cd work && "$SG" hooks install >/dev/null) &&
	test_commit -C work base &&
	git -C work push origin main 2>err &&
	grep "^slugguard: 1 commit, .* scanned, no policy checked$" err
'

test_expect_success 'a key after a NUL byte in the first 8 KB is refused' '
	printf "GIF89a\000\001\002 key %s\000tail" "$KEY" >work/logo.gif &&
	git -C work add logo.gif &&
	git -C work commit -q -m "logo" &&
	refused_twice main "logo.gif (binary) at byte 14" openai-project-key &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a key in a 20 MB file past the size cap is refused' '
	filler 150000 >work/dump.sql &&
	printf "INSERT INTO keys VALUES (%s);\n" "$KEY" >>work/dump.sql &&
	filler 50000 >>work/dump.sql &&
	test "$(wc -c <work/dump.sql)" -gt 20000000 &&
	git -C work add dump.sql &&
	git -C work commit -q -m "dump" &&
	refused_twice main "dump.sql:150001:26" &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a key across a window boundary is found exactly once' '
	filler 10485 >work/big.log &&
	printf "%066d %s\n" 0 "$KEY" >>work/big.log &&
	filler 150000 >>work/big.log &&
	git -C work add big.log &&
	git -C work commit -q -m "log" &&
	refused_twice main "big.log:10486:68" &&
	test "$(grep -c "big.log:" err)" = 1 &&
	test_expect_code 1 "$SG" scan --dir work/big.log >out &&
	test "$(grep -c "big.log:10486:68" out)" = 1 &&
	git -C work reset -q --hard HEAD~1
'

test_expect_success 'a key in a blob under a lightweight tag is refused' '
	git -C work tag blobtag "$(key_blob)" &&
	refused_twice refs/tags/blobtag "refs/tags/blobtag:1:6" &&
	grep "1 tree or blob" err
'

test_expect_success 'an annotated tag to a blob is scanned, not an unknown error' '
	git -C work tag -a -m "a blob" blobnote "$(key_blob)" &&
	refused_twice refs/tags/blobnote "refs/tags/blobnote:1:6" &&
	(cd work && test_expect_code 2 "$SG" scan blobnote) 2>err &&
	grep "^slugguard: .blobnote. does not name a commit$" err &&
	(cd work && SLUGGUARD_NO_ODB=1 test_expect_code 2 "$SG" scan blobnote) 2>err2 &&
	test_cmp err err2
'

test_expect_success 'the message of an annotated tag to a clean blob is scanned' '
	git -C work tag -a -m "rotated $KEY" msgtag "$(clean_blob)" &&
	refused_twice refs/tags/msgtag "(tag msgtag):1:9"
'

test_expect_success 'a tag to a tree is scanned as a root commit would be' '
	printf "100644 blob %s\tk.rb\n100644 blob %s\tREADME\n" \
		"$(key_blob)" "$(clean_blob)" >tree.in &&
	tree=$(git -C work mktree <tree.in) &&
	git -C work tag treetag "$tree" &&
	refused_twice refs/tags/treetag "refs/tags/treetag:k.rb:1:6"
'

test_expect_success 'the summary says what was read and how' '
	printf "\000binary, no key\n" >work/blob.bin &&
	filler 120000 >work/big.txt &&
	git -C work add blob.bin big.txt &&
	git -C work commit -q -m "binary and big" &&
	git -C work push origin main 2>err &&
	grep "1 binary file scanned by its printable text" err &&
	grep "1 file over the size cap scanned in windows" err &&
	grep "^slugguard: 1 commit, 11.4 MB scanned; " err
'

test_expect_success 'a clean tagged blob is accepted and counted' '
	git -C work tag cleantag "$(clean_blob)" &&
	git -C work push origin refs/tags/cleantag 2>err &&
	grep "^slugguard: 0 commits, 1 tree or blob, 3 bytes scanned" err &&
	test "$(git --git-dir=remote.git rev-parse cleantag)" = "$(clean_blob)"
'

test_expect_success 'a policy that turns the scan off says so' '
	printf "{\"scan\": false}\n" >work/slugguard.json &&
	git -C work add slugguard.json &&
	git -C work commit -q -m "no scan" &&
	git -C work push origin main 2>err &&
	grep "not scanned for secrets: the policy turns the scan off" err
'

test_done
