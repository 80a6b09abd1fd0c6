#!/bin/sh
# Moving from gitleaks (issue 11.5): inline gitleaks:allow, and the
# allowlists and custom rules of .gitleaks.toml, read at the root of the
# work tree (pre-push, scan) and of the server's git dir (pre-receive).
. "$(dirname "$0")/lib.sh"

# fake keys, built at run time from pieces
github_token() {
	_p="gh"
	_p="${_p}p_"
	printf '%s%s' "$_p" "$(rand_chars 36)"
}

remote_has() {
	test "$(git --git-dir=remote.git rev-parse --verify "$1")" = \
		"$(git -C work rev-parse --verify "${2:-$1}")"
}

test_expect_success 'setup: server and clone with hooks' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	git clone -q remote.git work 2>/dev/null &&
	(cd work && "$SG" hooks install >/dev/null) &&
	test_commit -C work one a.txt "hello" &&
	git -C work push -q origin main 2>/dev/null &&
	remote_has refs/heads/main
'

test_expect_success 'a key in a test fixture is refused without an allowlist' '
	mkdir work/fixtures &&
	printf "token = %s\n" "$(github_token)" >work/fixtures/keys.rb &&
	git -C work add fixtures &&
	test_tick && git -C work commit -q -m fixture &&
	test_must_fail git -C work push origin main 2>err &&
	grep "fixtures/keys.rb:1" err &&
	grep "push refused by the pre-push hook" err
'

test_expect_success '.gitleaks.toml [allowlist] paths let the push through' '
	cat >work/.gitleaks.toml <<-\EOF &&
	title = "migrated from gitleaks"

	[extend]
	useDefault = true

	[allowlist]
	description = "test fixtures"
	paths = [
	  '\'\'\''^fixtures/'\'\'\'',
	]
	EOF
	git -C work add .gitleaks.toml &&
	test_tick && git -C work commit -q -m "gitleaks allowlist" &&
	test_must_fail git -C work push origin main 2>err &&
	! grep "pre-push hook" err &&
	grep "remote: .*fixtures/keys.rb:1" err &&
	cp work/.gitleaks.toml remote.git/.gitleaks.toml &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main
'

test_expect_success 'inline gitleaks:allow works in --dir, --staged and history' '
	printf "a = %s # gitleaks:allow\nb = %s\n" "$(github_token)" \
		"$(github_token)" >work/inline.txt &&
	(cd work && test_expect_code 1 "$SG" scan --dir inline.txt >../out) &&
	grep "^inline.txt:2:" out && ! grep "^inline.txt:1:" out &&
	sed -i 2d work/inline.txt &&
	(cd work && "$SG" scan --dir inline.txt >../out) &&
	grep "0 findings" out &&
	git -C work add inline.txt &&
	(cd work && "$SG" scan --staged >../out) &&
	grep "0 findings" out &&
	test_tick && git -C work commit -q -m inline &&
	(cd work && "$SG" scan HEAD~1..HEAD >../out) &&
	grep "0 findings" out &&
	git -C work push origin main 2>err &&
	remote_has refs/heads/main
'

test_expect_success 'regexTarget line and match, stopwords, commits' '
	git init -q repo &&
	printf "x = 1\n" >repo/a.txt &&
	git -C repo add a.txt &&
	test_tick && git -C repo commit -q -m one &&
	printf "t1 = %s\nseed_fixture = %s\nt3 = %s\n" "$(github_token)" \
		"$(github_token)" "$(github_token)" >repo/b.txt &&
	git -C repo add b.txt &&
	test_tick && git -C repo commit -q -m leak &&
	(cd repo && test_expect_code 1 "$SG" scan HEAD >../out) &&
	grep "3 findings" out &&
	cat >line.toml <<-\EOF &&
	[[allowlists]]
	regexTarget = "line"
	regexes = ["^seed_fixture"]
	EOF
	(cd repo && test_expect_code 1 "$SG" scan --config ../line.toml HEAD >../out) &&
	grep "2 findings" out && ! grep "^b.txt:2:" out &&
	cat >match.toml <<-\EOF &&
	[[allowlists]]
	regexes = ['\''^gh'\'']
	regexTarget = "match"
	EOF
	(cd repo && "$SG" scan --config ../match.toml HEAD >../out) &&
	grep "0 findings" out &&
	printf "[allowlist]\ncommits = [\"%s\"]\n" \
		"$(git -C repo rev-parse HEAD | cut -c1-12)" >commits.toml &&
	(cd repo && "$SG" scan --config ../commits.toml HEAD >../out) &&
	grep "0 findings" out && grep "3 findings silenced" out &&
	(cd repo && test_expect_code 1 "$SG" scan --config ../commits.toml --dir . >../out) &&
	grep "3 findings" out
'

test_expect_success 'a custom [[rules]] entry finds its secret group' '
	printf "acme_key: id=%s key=%s\n" "$(rand_chars 8)" "$(rand_chars 32)" \
		>repo/acme.txt &&
	cat >rules.toml <<-\EOF &&
	# a custom rule, regex in a multi-line literal string
	[[rules]]
	id = "acme-key"
	description = "Acme API key"
	regex = '\'\'\''acme_key: id=([a-zA-Z0-9]{8}) key=([a-zA-Z0-9]{32})'\'\'\''
	secretGroup = 2
	keywords = ["ACME_KEY"]
	tags = ["key", "acme"]
	EOF
	(cd repo && test_expect_code 1 "$SG" scan --config ../rules.toml --dir acme.txt >../out) &&
	grep "^acme.txt:1:27  acme-key" out
'

test_expect_success 'TOML outside the subset: one line naming file and line' '
	printf "[allowlist]\nregexes = [\"a\"]\npaths = { a = 1 }\n" \
		>repo/.gitleaks.toml &&
	(cd repo && test_expect_code 2 "$SG" scan --dir . 2>../err) &&
	test "$(wc -l <err)" = 1 &&
	grep "^slugguard: .*repo/.gitleaks.toml:3: unsupported TOML (inline tables)$" err &&
	printf "[allowlist]\nregexes = [\"a\\\\.\"]\n" >repo/.gitleaks.toml &&
	(cd repo && test_expect_code 2 "$SG" scan HEAD 2>../err) &&
	grep "gitleaks.toml:2: invalid escape" err &&
	rm repo/.gitleaks.toml
'

test_done
