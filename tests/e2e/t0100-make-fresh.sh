#!/bin/sh
# Every README make target works where the -dev packages are not installed
# yet: pkg-config and dpkg-query stand-ins answer "not installed" until a
# stand-in apt-get has run, so a Makefile that reads pkg-config before
# deps.sh installs anything links without the libraries' flags. The
# compiler is a stand-in that records its command lines (the build itself
# is covered by every other test); the recipes' scripts are stubs.
. "$(dirname "$0")/lib.sh"

# Under make check this script inherits the outer make's variables
# (SLUGGUARD_DEPS=done among them, exported as command-line variables
# are); a fresh machine has none.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES SLUGGUARD_DEPS DEVELOPER BUILD V
real_pkg_config=$(command -v pkg-config)
real_cc=$(command -v cc)
export real_pkg_config real_cc

test_expect_success 'set up stand-ins and a copy of the tree' '
	mkdir bin &&
	printf "%s\n" "#!/bin/sh" \
		"[ -f \"\$TRASH/installed\" ] || exit 1" \
		"exec \"\$real_pkg_config\" \"\$@\"" >bin/pkg-config &&
	printf "%s\n" "#!/bin/sh" \
		"[ -f \"\$TRASH/installed\" ] || { echo \"dpkg-query: no packages found\" >&2; exit 1; }" \
		"echo \"install ok installed\"" >bin/dpkg-query &&
	printf "%s\n" "#!/bin/sh" \
		"echo \"apt-get \$*\" >>\"\$TRASH/apt.log\"" \
		"case \"\$1\" in install) : >\"\$TRASH/installed\" ;; esac" >bin/apt-get &&
	printf "%s\n" "#!/bin/sh" "exec \"\$@\"" >bin/sudo &&
	printf "%s\n" "#!/bin/sh" \
		"echo \"cc \$*\" >>\"\$TRASH/cc.log\"" \
		"case \"\$1\" in -print-file-name=*) exec \"\$real_cc\" \"\$@\" ;; esac" \
		"out=" \
		"while [ \$# -gt 0 ]; do" \
		"	[ \"\$1\" = -o ] && out=\$2" \
		"	shift" \
		"done" \
		"[ -n \"\$out\" ] && : >\"\$out\"" >bin/cc &&
	chmod +x bin/* &&
	mkdir tree &&
	(cd "$SLUGGUARD_TOP" && git ls-files -z --cached --others \
		--exclude-standard | xargs -0 tar cf -) | tar xf - -C tree &&
	for s in scripts/demo.sh tests/run.sh scripts/lint.sh bench/run.sh; do
		printf "echo stub %s ran\n" "$s" >"tree/$s" || return 1
	done
'

# fresh TARGET...: a machine where nothing is installed, then make.
fresh() {
	rm -rf tree/build tree/build-asan "$TRASH/installed" "$TRASH/apt.log" \
		"$TRASH/cc.log" &&
	PATH="$TRASH/bin:$PATH" make -C tree --no-print-directory CC=cc \
		DESTDIR="$TRASH/dest" "$@" >out 2>err
}

# linked_right: the link of the binary got the libraries' flags.
linked_right() {
	grep "cc .*-o build[-a-z]*/slugguard " cc.log >link.out &&
	grep -e "-lcjson" link.out &&
	grep -e "-lgit2\|-Wl,-Bstatic -lgit2" link.out &&
	grep "cc .*-c -o build[-a-z]*/obj/util/strbuf.o" cc.log >compile &&
	grep -e "-I/usr/include" compile
}

test_expect_success 'the stand-ins say nothing is installed' '
	test_must_fail env PATH="$TRASH/bin:$PATH" pkg-config --libs libcjson &&
	test_must_fail env PATH="$TRASH/bin:$PATH" \
		make -C tree --no-print-directory SLUGGUARD_DEPS=done all 2>err &&
	grep "missing development packages" err
'

test_expect_success 'make demo installs, then builds with the flags' '
	fresh demo &&
	grep "apt-get install" apt.log &&
	linked_right &&
	grep "stub scripts/demo.sh ran" out
'

test_expect_success 'plain make installs what it needs, then builds' '
	fresh &&
	grep "apt-get install" apt.log &&
	linked_right
'

test_expect_success 'make check installs its linters too, then builds' '
	fresh check &&
	grep "apt-get install .*clang-format shellcheck" apt.log &&
	linked_right &&
	grep "stub scripts/lint.sh ran" out
'

for target in test asan bench install; do
	test_expect_success "make $target works on a fresh machine" '
		fresh $target &&
		grep "apt-get install" apt.log &&
		linked_right || return 1
	'
done

test_expect_success 'make install installs the binary, pages and completions' '
	test -x dest/usr/local/bin/slugguard &&
	test -f dest/usr/local/share/man/man1/slugguard-scan.1 &&
	test -f dest/usr/local/share/bash-completion/completions/slugguard &&
	test -f dest/usr/local/share/zsh/site-functions/_slugguard
'

test_done
