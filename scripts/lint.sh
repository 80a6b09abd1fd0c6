#!/bin/sh
# make lint: layout (clang-format), shell (shellcheck) and layering rules.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
fail=0

if command -v clang-format >/dev/null 2>&1; then
	# shellcheck disable=SC2046
	clang-format --dry-run --Werror $(git ls-files 'src/*.c' 'src/*.h' \
		'include/*.h' 'tests/unit/*.c' 'tests/fuzz/*.[ch]') || fail=1
else
	echo "lint: clang-format not installed, layout not checked" >&2
fi

if command -v shellcheck >/dev/null 2>&1; then
	# shellcheck disable=SC2046
	shellcheck -s sh -e SC2016,SC1090,SC1091 $(git ls-files 'bin/*' \
		'hooks/*.in' 'tests/e2e/*.sh' 'scripts/*.sh' 'bench/*.sh') || fail=1
	shellcheck -s bash completion/slugguard.bash || fail=1
else
	echo "lint: shellcheck not installed, shell not checked" >&2
fi

# Each third-party library belongs to exactly one module.
owner() {
	hdr=$1
	dir=$2
	bad=$(git grep -l "#include <$hdr" -- 'src/*' 'include/*' | grep -v "^src/$dir/")
	if [ -n "$bad" ]; then
		echo "lint: <$hdr> included outside src/$dir/: $bad" >&2
		fail=1
	fi
}
owner git2 gitwalk
owner curl/ heroku
owner cjson/ json
owner archive slug
owner zlib zstream
owner openssl/ sign
owner hs rules
owner pcre2 rules

# Nothing includes cli/ but main.c and cli itself; util includes no module.
bad=$(git grep -l '"cli/' -- 'src/*' | grep -v '^src/main.c$')
[ -n "$bad" ] && { echo "lint: cli/ included from $bad" >&2; fail=1; }
bad=$(git grep -E '#include "slugguard/(rules|gitwalk|heroku|slug|sign|sandbox|config|scan|hooks|policy|buildpack|deploy)\.h"' -- 'src/util/*' 'src/json/*')
[ -n "$bad" ] && { echo "lint: util/json include higher modules: $bad" >&2; fail=1; }
# The deploy workflow sits above everything but hooks and cli.
bad=$(git grep -l '"slugguard/deploy.h"' -- 'src/*' | grep -v -E '^src/(deploy|hooks|cli)/')
[ -n "$bad" ] && { echo "lint: deploy.h included below hooks/cli: $bad" >&2; fail=1; }
# Only the sandbox module starts bubblewrap (and decides its arguments).
bad=$(git grep -l '"bwrap' -- 'src/*' | grep -v '^src/sandbox/')
[ -n "$bad" ] && { echo "lint: bwrap run outside src/sandbox/: $bad" >&2; fail=1; }
# Every .c includes common.h first.
for f in $(git ls-files 'src/*.c'); do
	first=$(grep -m1 '^#include' "$f")
	[ "$first" = '#include "slugguard/common.h"' ] ||
		{ echo "lint: $f does not include common.h first" >&2; fail=1; }
done
exit $fail
