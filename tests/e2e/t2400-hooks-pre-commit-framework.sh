#!/bin/sh
# The pre-commit framework (https://pre-commit.com) runs slugguard from
# .pre-commit-hooks.yaml: Debian 12's pre-commit (3.0) accepts the
# manifest, a planted key is refused at the commit stage (scan --staged)
# and, committed with --no-verify, at the push stage (hooks run pre-push).
. "$(dirname "$0")/lib.sh"

openai_key() {
	_p="sk-"
	_p="${_p}proj-"
	printf '%s%s' "$_p" "$(rand_chars 74)"
}
KEY=$(openai_key)
export KEY

if ! command -v pre-commit >/dev/null 2>&1; then
	test_skip_all=1
fi
mkdir bin && ln -s "$SG" bin/slugguard || exit 1
PATH="$TRASH/bin:$PATH"
# pre-commit keeps its cache under HOME (the trash) and needs no network
# for language: system hooks.
PRE_COMMIT_HOME="$TRASH/pre-commit-cache"
export PRE_COMMIT_HOME

if [ -n "${test_skip_all:-}" ]; then
	echo "ok 1 # SKIP pre-commit is not installed"
	echo "1..1"
	exit 0
fi

test_expect_success 'the hooks repository: the manifest at a commit' '
	git init -q hookrepo &&
	cp "$SLUGGUARD_TOP/.pre-commit-hooks.yaml" hookrepo/ &&
	git -C hookrepo add .pre-commit-hooks.yaml &&
	git -C hookrepo commit -q -m hooks &&
	rev=$(git -C hookrepo rev-parse HEAD) &&
	printf "%s\n" "repos:" \
		"  - repo: $TRASH/hookrepo" \
		"    rev: $rev" \
		"    hooks:" \
		"      - id: slugguard-staged" \
		"      - id: slugguard-pre-push" >config.yaml
'

test_expect_success 'pre-commit installs the commit and push hooks' '
	git init -q --bare remote.git &&
	git clone -q remote.git work 2>/dev/null &&
	cp config.yaml work/.pre-commit-config.yaml &&
	git -C work add .pre-commit-config.yaml &&
	(cd work && pre-commit install --hook-type pre-commit \
		--hook-type pre-push >../out 2>../err) &&
	grep "pre-commit installed at .git/hooks/pre-commit" out &&
	grep "pre-commit installed at .git/hooks/pre-push" out &&
	! grep -i "InvalidManifestError\|error" err &&
	git -C work commit -q -m config &&
	git -C work push -q origin main 2>err &&
	git --git-dir=remote.git rev-parse --verify main
'

test_expect_success 'a staged key is refused at the commit stage' '
	echo "OPENAI_API_KEY = \"$KEY\"" >work/openai.rb &&
	git -C work add openai.rb &&
	test_must_fail git -C work commit -q -m leak >out 2>&1 &&
	grep "slugguard (secrets in the staged changes).*Failed" out &&
	grep "openai.rb:1" out &&
	! grep -F "$KEY" out &&
	test "$(git -C work rev-list --count HEAD)" = 1
'

test_expect_success 'committed anyway, the push stage refuses it' '
	git -C work commit -q --no-verify -m leak &&
	test_must_fail git -C work push origin main >out 2>&1 &&
	grep "slugguard (secrets and deploy policy).*Failed" out &&
	grep "openai.rb:1" out &&
	! grep -F "$KEY" out &&
	test "$(git --git-dir=remote.git rev-list --count main)" = 1
'

test_expect_success 'without the key both stages pass' '
	git -C work reset -q --hard HEAD~1 &&
	echo "OPENAI_API_KEY = ENV.fetch(\"OPENAI_API_KEY\")" >work/openai.rb &&
	git -C work add openai.rb &&
	git -C work commit -q -m clean >out 2>&1 &&
	grep "slugguard (secrets in the staged changes).*Passed" out &&
	git -C work push origin main >out 2>&1 &&
	grep "slugguard (secrets and deploy policy).*Passed" out &&
	test "$(git --git-dir=remote.git rev-parse main)" = \
		"$(git -C work rev-parse HEAD)"
'

test_done
