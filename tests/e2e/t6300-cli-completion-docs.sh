#!/bin/sh
# bash completion offers commands and a command's options; every long
# option a command's -h shows is in its man page, and every option the
# man page's OPTIONS section lists is in -h (as git's t0450 checks).
. "$(dirname "$0")/lib.sh"

MAN="$SLUGGUARD_TOP/docs/man"
export MAN
COMPLETION="$SLUGGUARD_TOP/completion/slugguard.bash"
mkdir bin && ln -s "$SG" bin/slugguard || exit 1
PATH="$TRASH/bin:$PATH"

# complete WORDS...: what the bash completion offers, one per line, for
# the command line "slugguard WORDS" with the cursor on the last word.
complete_words() {
	bash -c '
		. "$1" && shift &&
		COMP_WORDS=(slugguard "$@") &&
		COMP_CWORD=$# &&
		_slugguard &&
		printf "%s\n" "${COMPREPLY[@]}"' complete "$COMPLETION" "$@"
}

test_expect_success 'bash completion offers the commands' '
	complete_words "" >out &&
	grep -x scan out &&
	grep -x deploy out &&
	grep -x version out &&
	complete_words de >out &&
	echo deploy >expect &&
	test_cmp expect out
'

test_expect_success 'bash completion offers a command options' '
	complete_words deploy --f >out &&
	echo --fix-buildpacks >expect &&
	test_cmp expect out &&
	complete_words deploy -- >out &&
	grep -x -e --app out &&
	grep -x -e --remote out &&
	complete_words scan --format "" >out &&
	printf "%s\n" text json sarif gitleaks >expect &&
	test_cmp expect out &&
	complete_words hooks "" >out &&
	grep -x install out &&
	complete_words help ro >out &&
	echo rollback >expect &&
	test_cmp expect out
'

test_expect_success 'bash completion offers git remotes for -r' '
	git init -q repo &&
	git -C repo remote add heroku https://git.heroku.com/app1.git &&
	(cd repo && complete_words releases -r h >../out) &&
	echo heroku >expect &&
	test_cmp expect out
'

# help_opts CMD: the long options "slugguard CMD -h" shows.
help_opts() {
	if [ "$1" = slugguard ]; then
		"$SG" --help
	else
		"$SG" "$1" -h
	fi | grep -o -e "--[a-z][a-z0-9-]*" | sort -u
}

# man_opts PAGE [OPTIONS]: the long options anywhere in PAGE, or (with a
# second argument) those that open an item of its OPTIONS section.
man_opts() {
	if [ $# = 2 ]; then
		sed -n "/^\.SH OPTIONS/,/^\.SH /p" "$1" | sed -n "/^\.TP/{n;p;}"
	else
		cat "$1"
	fi | sed "s/\\\\-/-/g" | grep -o -e "--[a-z][a-z0-9-]*" | sort -u
}

test_expect_success 'every command has a man page and every page a command' '
	"$SG" --help | sed -n "s/^   \([a-z][a-z-]*\) .*/\1/p" >cmds &&
	while read -r cmd; do
		case $cmd in
		help | version) continue ;;
		esac &&
		{ test -f "$MAN/slugguard-$cmd.1" || echo "no page: $cmd" >&2; } &&
		test -f "$MAN/slugguard-$cmd.1" || return 1
	done <cmds &&
	for page in "$MAN"/slugguard-*.1; do
		cmd=${page##*/slugguard-} &&
		grep -x "${cmd%.1}" cmds || return 1
	done
'

test_expect_success 'every -h option is in the man page, and back' '
	: >bad &&
	for page in "$MAN"/slugguard*.1; do
		cmd=${page##*/} &&
		cmd=${cmd%.1} &&
		cmd=${cmd#slugguard-} &&
		help_opts "$cmd" >h &&
		man_opts "$page" >m &&
		man_opts "$page" OPTIONS >mo &&
		comm -23 h m | sed "s/^/$cmd: in -h, not in the man page: /" >>bad &&
		comm -23 mo h | sed "s/^/$cmd: in the man page, not in -h: /" >>bad ||
		return 1
	done &&
	cat bad >&2 &&
	test ! -s bad
'

test_done
