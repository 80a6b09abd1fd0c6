#!/bin/sh
# slugguard scan on awkward input: binary files, size caps, CRLF, invalid
# UTF-8, long lines, missing objects, shallow clones, unborn branches.
. "$(dirname "$0")/lib.sh"

fake_token() {
	printf 'ghp_%s' "$(rand_chars 36)"
}

test_expect_success 'setup' '
	git init -q repo &&
	test_commit -C repo one a.txt "hello"
'

test_expect_success 'binary files (a NUL early on) are skipped' '
	(cd repo &&
	 { printf "\000\001binary"; printf "k = %s\n" "$(fake_token)"; } >blob.bin &&
	 git add blob.bin && test_tick && git commit -q -m bin &&
	 "$SG" scan HEAD~1..HEAD >../out) &&
	grep "0 findings" out && grep "(1 skipped" out
'

test_expect_success 'blobs and files over the size cap are skipped' '
	(cd repo &&
	 { fake_token; echo; head -c 5000 /dev/zero | tr "\000" "x"; } >big.txt &&
	 git add big.txt && test_tick && git commit -q -m big &&
	 test_expect_code 1 "$SG" scan HEAD~1..HEAD >/dev/null &&
	 "$SG" scan --max-blob-size 1000 HEAD~1..HEAD >../out &&
	 "$SG" scan --max-blob-size 1000 --dir big.txt >../out2 &&
	 echo "{\"maxBlobSize\": 1000}" >../cap.json &&
	 "$SG" scan --config ../cap.json HEAD~1..HEAD >../out3) &&
	grep "0 findings" out && grep "0 findings" out2 && grep "0 findings" out3
'

test_expect_success 'CRLF, invalid UTF-8 and very long lines are fine' '
	(cd repo &&
	 printf "a = 1\r\nk = %s\r\n" "$(fake_token)" >crlf.txt &&
	 { printf "\377\376\300 broken \351\n"; printf "t = %s\n" "$(fake_token)"; } >latin.txt &&
	 { head -c 300000 /dev/zero | tr "\000" "y"; printf " %s\n" "$(fake_token)"; } >long.txt &&
	 git add crlf.txt latin.txt long.txt && test_tick && git commit -q -m odd &&
	 test_expect_code 1 "$SG" scan HEAD~1..HEAD >../out) &&
	grep "^crlf.txt:2:5  github-pat" out &&
	grep "^latin.txt:2:5  github-pat" out &&
	grep "^long.txt:1:300002  github-pat" out
'

test_expect_success 'a missing blob is skipped with one warning naming it' '
	git init -q damaged &&
	test_commit -C damaged one a.txt "a" &&
	test_commit -C damaged two b.txt "k = $(fake_token)" &&
	test_commit -C damaged three c.txt "k = $(fake_token)" &&
	blob=$(git -C damaged rev-parse HEAD~1:b.txt) &&
	rm "damaged/.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)" &&
	(cd damaged && test_expect_code 1 "$SG" scan HEAD >../out 2>../err) &&
	test "$(grep -c warning err)" = 1 &&
	grep "warning: 1 missing object skipped: $blob" err &&
	grep "^c.txt:1" out && ! grep "^b.txt" out
'

test_expect_success 'a missing tree is skipped too, never a crash' '
	tree=$(git -C damaged rev-parse HEAD^{tree}) &&
	rm "damaged/.git/objects/$(echo "$tree" | cut -c1-2)/$(echo "$tree" | cut -c3-)" &&
	(cd damaged && "$SG" scan HEAD >../out 2>../err; test $? -lt 3) &&
	grep "warning: .*missing object.*$tree" err
'

test_expect_success 'a shallow clone scans what it has' '
	git init -q deep &&
	test_commit -C deep one a.txt "a" &&
	test_commit -C deep two b.txt "k = $(fake_token)" &&
	test_commit -C deep three c.txt "c" &&
	test_commit -C deep four d.txt "d" &&
	git clone -q --depth 2 "file://$TRASH/deep" shallow &&
	(cd shallow && test_expect_code 1 "$SG" scan HEAD >../out 2>../err &&
	 "$SG" scan HEAD~1..HEAD >../out2 2>>../err) &&
	grep "scanned 2 commits" out &&
	grep "^b.txt:1" out &&
	grep "0 findings.*scanned 1 commit" out2 &&
	! grep warning err
'

test_expect_success 'an unborn branch: --staged works, HEAD is an error' '
	git init -q unborn &&
	(cd unborn && "$SG" scan --staged >../out &&
	 test_expect_code 2 "$SG" scan HEAD 2>../err) &&
	grep "0 findings in the index" out &&
	grep "HEAD" err
'

test_done
