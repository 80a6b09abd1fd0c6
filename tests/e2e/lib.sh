# shellcheck shell=sh
# A small test library in the style of git's test-lib: TAP output, one
# trash directory per script used as HOME, fixed identities and dates.
# Source it from tests/e2e/tNNNN-*.sh, then call test_expect_success and
# finally test_done.

TEST_NAME=$(basename "$0" .sh)
SLUGGUARD_TOP=${SLUGGUARD_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SLUGGUARD_BUILD=${SLUGGUARD_BUILD:-build}
SG="$SLUGGUARD_TOP/$SLUGGUARD_BUILD/slugguard"
TEST_DIRECTORY="$SLUGGUARD_TOP/tests"
TRASH="$SLUGGUARD_TOP/$SLUGGUARD_BUILD/trash/$TEST_NAME"
export SG SLUGGUARD_TOP TEST_DIRECTORY TRASH

rm -rf "$TRASH"
mkdir -p "$TRASH" || exit 1
cd "$TRASH" || exit 1

HOME="$TRASH"
XDG_CONFIG_HOME="$TRASH/.config"
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME='A U Thor'
GIT_AUTHOR_EMAIL='author@example.com'
GIT_COMMITTER_NAME='C O Mitter'
GIT_COMMITTER_EMAIL='committer@example.com'
GIT_AUTHOR_DATE='1700000000 +0000'
GIT_COMMITTER_DATE='1700000000 +0000'
TZ=UTC
LANG=C
LC_ALL=C
NO_COLOR=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH HEROKU_API_KEY \
	HEROKU_API_URL SLUGGUARD_SIGNING_KEY
export HOME XDG_CONFIG_HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME \
	GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL \
	GIT_AUTHOR_DATE GIT_COMMITTER_DATE TZ LANG LC_ALL NO_COLOR
git config --global init.defaultBranch main
git config --global user.name 'A U Thor'
git config --global user.email 'author@example.com'
git config --global protocol.file.allow always
git config --global advice.detachedHead false

test_count=0
test_failures=0
test_tick_n=0

say() {
	printf '%s\n' "$*" >&2
}

# test_tick: advance the fixed clock so commits get distinct dates.
test_tick() {
	test_tick_n=$((test_tick_n + 60))
	GIT_COMMITTER_DATE="$((1700000000 + test_tick_n)) +0000"
	GIT_AUTHOR_DATE=$GIT_COMMITTER_DATE
	export GIT_COMMITTER_DATE GIT_AUTHOR_DATE
}

# test_when_finished CMD: run CMD after the current test, pass or fail.
# The test body runs in a subshell, so the commands go through a file.
test_when_finished() {
	printf '%s\n' "$*" >>"$TRASH/.when-finished"
}

test_expect_success() {
	_desc=$1
	_body=$2
	test_count=$((test_count + 1))
	rm -f "$TRASH/.when-finished"
	say "--- $test_count: $_desc"
	if (
		cd "$TRASH" || exit 1
		set +e
		eval "$_body"
	) >&2; then
		printf 'ok %d - %s\n' "$test_count" "$_desc"
	else
		test_failures=$((test_failures + 1))
		printf 'not ok %d - %s\n' "$test_count" "$_desc"
	fi
	if [ -s "$TRASH/.when-finished" ]; then
		# Last registered runs first, as in git's test-lib.
		(cd "$TRASH" && eval "$(sed -n '1!G;h;$p' .when-finished)") >&2 2>&1
	fi
	rm -f "$TRASH/.when-finished"
}

# test_must_fail CMD...: CMD must exit non-zero but not die of a signal.
test_must_fail() {
	"$@"
	_rc=$?
	if [ $_rc = 0 ]; then
		say "test_must_fail: '$*' succeeded"
		return 1
	elif [ $_rc -gt 129 ] && [ $_rc -le 192 ]; then
		say "test_must_fail: '$*' died of signal $((_rc - 128))"
		return 1
	fi
	return 0
}

# test_expect_code N CMD...: CMD must exit with status N.
test_expect_code() {
	_want=$1
	shift
	"$@"
	_rc=$?
	if [ "$_rc" != "$_want" ]; then
		say "test_expect_code: '$*' exited $_rc, wanted $_want"
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# test_commit [-C DIR] MSG [FILE [CONTENT]]: commit CONTENT into FILE.
test_commit() {
	_dir=.
	if [ "$1" = -C ]; then
		_dir=$2
		shift 2
	fi
	_msg=$1
	_file=${2:-$1.t}
	_content=${3:-$1}
	test_tick
	mkdir -p "$_dir/$(dirname "$_file")" &&
	printf '%s\n' "$_content" >"$_dir/$_file" &&
	git -C "$_dir" add "$_file" &&
	git -C "$_dir" commit -q -m "$_msg"
}

# rand_chars N [SET]: N random characters from SET (tr syntax), made at
# run time so that no secret-looking literal lives in this repository.
rand_chars() {
	LC_ALL=C tr -dc "${2:-A-Za-z0-9}" </dev/urandom | head -c "$1"
}

test_done() {
	printf '1..%d\n' "$test_count"
	if [ "$test_failures" = 0 ]; then
		exit 0
	fi
	exit 1
}
