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
# git must never find the project's own repository above the trash
# directory (the release ledger would land in its refs).
GIT_CEILING_DIRECTORIES="$SLUGGUARD_TOP/$SLUGGUARD_BUILD/trash"
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY \
	GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH HEROKU_API_KEY \
	HEROKU_API_URL SLUGGUARD_SIGNING_KEY
export HOME XDG_CONFIG_HOME GIT_CONFIG_NOSYSTEM GIT_AUTHOR_NAME \
	GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL \
	GIT_AUTHOR_DATE GIT_COMMITTER_DATE TZ LANG LC_ALL NO_COLOR \
	GIT_CEILING_DIRECTORIES
git config --global init.defaultBranch main
git config --global user.name 'A U Thor'
git config --global user.email 'author@example.com'
git config --global protocol.file.allow always
git config --global advice.detachedHead false

test_count=0
test_failures=0
test_skipped=0
test_prereqs=" "
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

# test_chain_lint BODY: print every line of BODY whose command is not
# joined to the next by &&, || or |, as git's chainlint does: with a
# plain eval only the last command decides, so a failure before a break
# goes unnoticed. Accepted line ends: && || | \, "|| return N" (a loop
# step, which leaves on failure) and the keywords or
# brackets that open a block (then do else in { ( ;;); a line before one
# that closes a block (fi done esac } ) else elif then do ;;) ends it;
# the body's last line is free. A ';' joins nothing either, except before
# then/do/a closer. Here-document contents and lines inside a quoted
# string are not commands; comments are ignored.
test_chain_lint() {
	printf '%s\n' "$1" | awk '
	# Remove quoted text, escaped characters and a trailing comment from
	# s; q carries an open quote (1 single, 2 double) across lines.
	function code(s,   i, n, c, out) {
		out = ""
		n = length(s)
		for (i = 1; i <= n; i++) {
			c = substr(s, i, 1)
			if (q == 1) {
				if (c == "\047")
					q = 0
				continue
			}
			if (q == 2) {
				if (c == "\\")
					i++
				else if (c == "\"")
					q = 0
				continue
			}
			if (c == "\\") {
				out = out (i == n ? "\\" : "x")
				i++
				continue
			}
			if (c == "\047") {
				q = 1
				out = out "Q"
				continue
			}
			if (c == "\"") {
				q = 2
				out = out "Q"
				continue
			}
			if (c == "#" && (i == 1 || substr(s, i - 1, 1) ~ /[ \t;|&(]/))
				break
			out = out c
		}
		sub(/^[ \t]+/, "", out)
		sub(/[ \t]+$/, "", out)
		return out
	}
	{
		line = $0
		if (doc != "") {
			t = line
			if (dash)
				sub(/^\t+/, "", t)
			if (t == doc)
				doc = ""
			next
		}
		e = code(line)
		if (e == "" && !q)
			next
		n++
		raw[n] = line
		eff[n] = e
		open[n] = q
		if (!q && match(line, /<<-?[ \t]*[\\"\047]?[A-Za-z_0-9]+/)) {
			t = substr(line, RSTART, RLENGTH)
			dash = t ~ /^<<-/
			sub(/^<<-?[ \t]*[\\"\047]?/, "", t)
			doc = t
		}
	}
	function joined(i,   e, t, nx) {
		e = eff[i]
		if (open[i])
			return 1
		if (e ~ /(&&|\|\||\||\\)$/ || e ~ /[{(]$/ || e ~ /;;$/)
			return 1
		if (e ~ /\|\|[ \t]*(return|exit)([ \t]+[0-9]+)?$/)
			return 1 # a loop step: a failure leaves at once
		if (e ~ /(^|[ \t;])(then|do|else|in)$/)
			return 1
		nx = eff[i + 1]
		if (nx ~ /^(fi|done|esac|else|elif|then|do)([ \t;)&|]|$)/ ||
		    nx ~ /^(;;|[})])/)
			return 1
		if (incase && e ~ /^[^(]*\)$/)
			return 1 # a case pattern
		return 0
	}
	function semi(e,   t) {
		t = e
		gsub(/;;/, "", t)
		gsub(/;[ \t]*(then|do|fi|done|esac|else|elif|[})])([^A-Za-z0-9_]|$)/, "", t)
		sub(/;[ \t]*$/, "", t)
		return index(t, ";") > 0
	}
	END {
		bad = 0
		for (i = 1; i <= n; i++) {
			if (eff[i] ~ /(^|[ \t;(])case[ \t].*[ \t]in$/)
				incase++
			if (eff[i] ~ /(^|[ \t;])esac([ \t;)&|]|$)/ && incase)
				incase--
			if ((i < n && !joined(i)) || (!open[i] && semi(eff[i]))) {
				print raw[i]
				bad = 1
			}
		}
		exit bad
	}'
}

# test_set_prereq NAME: NAME is available (see test_expect_success).
test_set_prereq() {
	test_prereqs="$test_prereqs $1 "
}

# test_have_prereq NAMES: true when every comma-separated NAME is set.
test_have_prereq() {
	_missing=
	for _p in $(printf '%s' "$1" | tr , ' '); do
		case "$test_prereqs" in
		*" $_p "*) ;;
		*) _missing="$_missing${_missing:+,}$_p" ;;
		esac
	done
	test -z "$_missing"
}

# test_skip DESC REASON: count a test that cannot run here, in TAP's
# words: "ok N # SKIP", which tests/run.sh counts as skipped, not passed.
test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	say "--- $test_count: $1: skipped, $2"
	printf 'ok %d # SKIP %s (%s)\n' "$test_count" "$1" "$2"
}

# test_expect_success [PREREQS] DESC BODY: run BODY in a subshell; it
# passes when its &&-chain (checked first, see test_chain_lint) succeeds.
# With PREREQS (comma-separated, see test_set_prereq) missing, the test
# is skipped.
test_expect_success() {
	if [ $# = 3 ]; then
		if ! test_have_prereq "$1"; then
			test_skip "$2" "missing $_missing"
			return 0
		fi
		shift
	fi
	_desc=$1
	_body=$2
	test_count=$((test_count + 1))
	rm -f "$TRASH/.when-finished"
	say "--- $test_count: $_desc"
	if [ "${TEST_CHAIN_LINT:-1}" != 0 ] &&
		! _broken=$(test_chain_lint "$_body"); then
		say "broken &&-chain in '$_desc':"
		say "$_broken"
		test_failures=$((test_failures + 1))
		printf 'not ok %d - %s (broken &&-chain)\n' "$test_count" "$_desc"
		return 0
	fi
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

# skip_all REASON: skip the whole script ("1..0 # SKIP"); call it
# before any test.
skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

test_done() {
	printf '1..%d\n' "$test_count"
	if [ "$test_failures" = 0 ]; then
		exit 0
	fi
	exit 1
}
