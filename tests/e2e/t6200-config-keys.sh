#!/bin/sh
# The two configuration files, slugguard.json (deploy policy) and
# .slugguard.json (scanner config): the docs name exactly the keys the
# parsers accept, every JSON example in the docs parses, and a key in
# the wrong file is refused with a pointer to the right one.
. "$(dirname "$0")/lib.sh"

DOCS="$SLUGGUARD_TOP/docs"
export DOCS

test_expect_success 'help config lists both files and their keys' '
	"$SG" help config >keys &&
	sed -n "/^slugguard.json /,/^\.slugguard.json /s/^   //p" keys >policy-keys &&
	sed -n "/^\.slugguard.json /,\$s/^   //p" keys >scan-keys &&
	grep -x procfile.release.commands policy-keys &&
	grep -x disabledRules scan-keys &&
	grep -x "allowlist.paths" scan-keys
'

# documented KEYFILE DOC: every key of KEYFILE (its last component) is
# written in DOC as `key` or "key".
documented() {
	while read -r key; do
		leaf=${key##*.}
		if ! grep -F -e "\`$key" -e "\`$leaf" -e "\"$leaf\"" "$2" \
			>/dev/null; then
			printf '%s does not document %s\n' "$2" "$key"
			return 1
		fi
	done <"$1"
}

test_expect_success 'docs/policy.md documents every policy key' '
	documented policy-keys "$DOCS/policy.md"
'

test_expect_success 'docs/scan.md documents every scanner key' '
	documented scan-keys "$DOCS/scan.md"
'

test_expect_success 'every key in the policy key table is a policy key' '
	sed -n "/^## Keys/,/^## /s/^| \`\([^\`]*\)\` |.*/\1/p" \
		"$DOCS/policy.md" >table &&
	test -s table &&
	while read -r key; do
		grep -x -F "$key" policy-keys || return 1
	done <table
'

test_expect_success 'every "key": docs/rules.md shows is a scanner key' '
	grep -o "\"[A-Za-z\$_]*\": " "$DOCS/rules.md" | tr -d "\": " >rkeys &&
	test -s rkeys &&
	while read -r key; do
		grep -x -F "$key" scan-keys || return 1
	done <rkeys
'

# json_blocks DOC SECTION: the ```json blocks of DOC under the heading
# matching SECTION (awk regex), one file each as block.N.
json_blocks() {
	rm -f block.* &&
	awk -v want="$2" '
		/^#/ { in_sec = ($0 ~ want) }
		/^```json/ { if (in_sec) { n++; on = 1; next } }
		/^```/ { on = 0 }
		on { print > ("block." n) }
	' "$1" &&
	ls block.* >/dev/null
}

test_expect_success 'every policy example in docs/policy.md parses' '
	json_blocks "$DOCS/policy.md" "^#" &&
	mkdir -p pdir &&
	for b in block.*; do
		{ echo "{" && cat "$b" && echo "}"; } >pdir/slugguard.json &&
		"$SG" check --dir pdir >out 2>err ||
		{ test_expect_code 1 "$SG" check --dir pdir >out 2>err &&
		  ! grep "invalid policy" err; } ||
		{ cat err && false; } || return 1
	done
'

test_expect_success 'the scanner example in docs/scan.md parses' '
	json_blocks "$DOCS/scan.md" "slugguard.json" &&
	mkdir -p empty &&
	for b in block.*; do
		"$SG" scan --config "$b" --dir empty >out 2>err ||
		{ cat err && false; } || return 1
	done
'

test_expect_success 'a scanner key in slugguard.json names the right file' '
	mkdir -p wrong1 &&
	echo "{\"disabledRules\": [\"generic-api-key\"]}" >wrong1/slugguard.json &&
	test_expect_code 2 "$SG" check --dir wrong1 2>err &&
	grep "^slugguard: invalid policy .*slugguard.json.: .disabledRules. belongs in .slugguard.json (the scanner config)" err
'

test_expect_success 'a policy key in .slugguard.json names the right file' '
	mkdir -p wrong2 &&
	echo "{\"deploy_branches\": [\"main\"]}" >wrong2/.slugguard.json &&
	test_expect_code 2 "$SG" scan --config wrong2/.slugguard.json \
		--dir wrong2 2>err &&
	grep "^slugguard: .*unknown member .deploy_branches.: the scanner config (.slugguard.json) takes" err &&
	grep "belong in slugguard.json (see docs/policy.md)" err
'

test_done
