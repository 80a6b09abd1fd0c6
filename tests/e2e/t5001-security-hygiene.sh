#!/bin/sh
# The deploy server's smaller trust-boundary rules: push logs are private
# (0600 in a 0700 folder), control characters from hook input or from a
# build never reach the pusher's terminal raw, and the slug's modes are
# normalised whatever a buildpack left (no world write, no setuid, no
# sticky bit).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"
standin_start "$TRASH/standin" || exit 1

esc=$(printf '\033')
zero=0000000000000000000000000000000000000000
export esc zero

test_expect_success 'setup: a bare deploy repository, an app, a buildpack' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >/dev/null) &&
	mkdir -p bp/bin &&
	printf "#!/bin/sh\necho Fixture\n" >bp/bin/detect &&
	cat >bp/bin/compile <<-\EOS &&
	#!/bin/sh
	printf "\033[31mred\033]0;title\007 done\r\n"
	cd "$1" || exit 1
	echo w >world && chmod 666 world
	echo s >suid && chmod 4755 suid
	echo g >gexec && chmod 2770 gexec
	echo p >private && chmod 600 private
	mkdir sticky && chmod 1777 sticky
	mkdir grp && chmod 775 grp
	EOS
	chmod +x bp/bin/detect bp/bin/compile &&
	git clone -q remote.git work 2>/dev/null &&
	printf "web: true\n" >work/Procfile &&
	printf "%s\n" "$TRASH/bp" >work/.buildpacks &&
	git -C work add . &&
	test_tick &&
	git -C work commit -q -m app
'

test_expect_success 'push logs are 0600 in a 0700 folder, an old 0755 one too' '
	mkdir -p remote.git/slugguard/logs &&
	chmod 755 remote.git/slugguard/logs &&
	git -C work push -q origin main 2>err &&
	grep "accepted refs/heads/main" err &&
	test "$(stat -c %a remote.git/slugguard/logs)" = 700 &&
	ls remote.git/slugguard/logs/push-*.log >logs &&
	test "$(wc -l <logs)" -eq 1 &&
	test "$(stat -c %a "$(cat logs)")" = 600
'

test_expect_success 'build output reaches the pusher and the log escaped' '
	standin_app app1 "{\"buildpacks\": [\"$TRASH/bp\"]}" &&
	test_commit -C work second &&
	SLUGGUARD_DEPLOY_APP=app1 git -C work push origin main 2>err &&
	grep "^remote: -----> Fixture app detected" err &&
	grep "^remote: ?\[31mred?\]0;title? done" err &&
	! grep "$esc" err &&
	! grep -l "$esc" remote.git/slugguard/logs/* &&
	grep "?\[31mred" remote.git/slugguard/logs/push-*.log &&
	test_commit -C work third &&
	SLUGGUARD_DEPLOY_APP=no-such-app git -C work push origin main 2>err &&
	grep "^remote: slugguard: post-receive failed for refs/heads/main" err &&
	test "$(stat -c %a remote.git/slugguard/logs/post-receive-errors.log)" = 600 &&
	for f in remote.git/slugguard/logs/*; do
		test "$(stat -c %a "$f")" = 600 || return 1
	done
'

test_expect_success 'a ref name with control characters is refused, escaped' '
	c=$(git -C work rev-parse main) &&
	test_must_fail git -C work update-ref "refs/heads/a${esc}b" "$c" &&
	for hook in pre-receive post-receive; do
		printf "%s %s refs/heads/%s[31mx\n" "$zero" "$c" "$esc" >in &&
		(cd remote.git && test_expect_code 1 "$SG" hooks run $hook \
			<../in) 2>err &&
		grep "^slugguard: malformed hook input line 1: control character in ref name .refs/heads/?\[31mx.$" err &&
		! grep "$esc" err || return 1
	done
'

# Built in a repository without "origin": looking the remote up leaks
# regex match data in libgit2 1.5 with PCRE2, which LeakSanitizer reports.
test_expect_success 'slug modes are normalised (GNU tar listing)' '
	git clone -q --no-local work app 2>/dev/null &&
	git -C app remote remove origin &&
	(cd app && "$SG" -q build --out ../slug) 2>err &&
	tar -tvzf slug/slug.tgz >list &&
	grep "^-rw-r--r-- 0/0 .* \./app/world$" list &&
	grep "^-rwxr-xr-x 0/0 .* \./app/suid$" list &&
	grep "^-rwxr-xr-x 0/0 .* \./app/gexec$" list &&
	grep "^-rw-r--r-- 0/0 .* \./app/private$" list &&
	grep "^drwxr-xr-x 0/0 .* \./app/sticky/$" list &&
	grep "^drwxr-xr-x 0/0 .* \./app/grp/$" list &&
	grep "^-rw-r--r-- 0/0 .* \./app/Procfile$" list &&
	! grep "^.....w\|^........w\|^...[sS]\|^......[sS]\|^.........[tT]" list
'

test_done
