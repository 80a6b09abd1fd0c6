#!/bin/sh
# Config files are parsed strictly (issue 10.5): text after the JSON
# value and duplicate keys are refused with file and line, a FIFO or
# device in place of a config file is refused at once instead of hanging
# the scan, and a symbolic link found in the work tree is refused too.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	git clone -q remote.git work 2>/dev/null &&
	(cd work && "$SG" init --app-json >/dev/null &&
	 "$SG" hooks install >/dev/null) &&
	git -C work add . &&
	test_tick && git -C work commit -q -m "deploy policy" &&
	git -C work push -q origin main 2>/dev/null
'

test_expect_success 'a FIFO as .slugguardignore is refused, not waited on' '
	git init -q fifo &&
	echo "x = 1" >fifo/a.txt &&
	mkfifo fifo/.slugguardignore &&
	(cd fifo && test_expect_code 2 timeout 10 "$SG" scan --dir . 2>../err) &&
	grep "^slugguard: .*fifo/.slugguardignore.: not a regular file$" err &&
	test "$(wc -l <err)" = 1
'

test_expect_success 'a FIFO as .slugguard.json or slugguard.json too' '
	rm fifo/.slugguardignore &&
	mkfifo fifo/.slugguard.json &&
	(cd fifo && test_expect_code 2 timeout 10 "$SG" scan --dir . 2>../err) &&
	grep "fifo/.slugguard.json.: not a regular file$" err &&
	rm fifo/.slugguard.json &&
	mkfifo fifo/slugguard.json &&
	test_expect_code 2 timeout 10 "$SG" check --dir fifo 2>err &&
	grep "fifo/slugguard.json.: not a regular file$" err
'

test_expect_success 'a symlinked .slugguardignore in the tree is refused' '
	rm fifo/slugguard.json &&
	echo "# nothing" >ignore.txt &&
	ln -s ../ignore.txt fifo/.slugguardignore &&
	(cd fifo && test_expect_code 2 "$SG" scan --dir . 2>../err) &&
	grep "slugguardignore.: not a regular file (a symbolic link)$" err &&
	rm fifo/.slugguardignore &&
	(cd fifo && "$SG" scan --dir . >../out) &&
	grep "0 findings" out
'

test_expect_success 'text after the policy object is refused with its line' '
	printf "{\"version\": 1}\n,\"procfile\": {\"process_types\": [\"web\"]}}\n" \
		>work/slugguard.json &&
	(cd work && test_expect_code 2 "$SG" check --dir . 2>../err) &&
	grep "slugguard.json:2: unexpected text after the JSON value$" err &&
	git -C work rm -q Procfile &&
	test_tick && git -C work commit -q -am "trailing text, no Procfile" &&
	test_must_fail git -C work push origin main 2>err &&
	grep "slugguard.json at [0-9a-f]*:2: unexpected text after the JSON value" err &&
	test_must_fail git -C work push --no-verify origin main 2>err &&
	grep "remote: .*slugguard.json at [0-9a-f]*:2: unexpected text" err &&
	test "$(git --git-dir=remote.git rev-parse main)" = \
		"$(git -C work rev-parse HEAD~1)"
'

test_expect_success 'a duplicate key is refused with the line of the second' '
	git -C work reset -q --hard HEAD~1 &&
	sed "s/^{/{\"procfile\": {}, \"app\": \"a\",/" work/slugguard.json >tmp &&
	mv tmp work/slugguard.json &&
	grep -n "\"procfile\"" work/slugguard.json | sed -n 2p | cut -d: -f1 >want &&
	(cd work && test_expect_code 2 "$SG" check --dir . 2>../err) &&
	grep "slugguard.json:$(cat want): duplicate key \"procfile\"$" err &&
	printf "{\"maxBlobSize\": 10,\n \"maxBlobSize\": 99999}\n" >work/.slugguard.json &&
	(cd work && test_expect_code 2 "$SG" scan --dir . 2>../err) &&
	grep "slugguard.json:2: duplicate key \"maxBlobSize\"$" err &&
	printf "{\"name\": \"a\"} {}" >work/app.json &&
	rm work/.slugguard.json &&
	git -C work checkout -q slugguard.json &&
	(cd work && test_expect_code 1 "$SG" check --dir . >../out) &&
	grep "app.json:1: unexpected text after the JSON value" out
'

test_done
