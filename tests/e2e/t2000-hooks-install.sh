#!/bin/sh
# hooks install/uninstall: fresh repo, foreign and symlinked hooks kept as
# .legacy, core.hooksPath, worktrees, idempotent re-install, restore.
. "$(dirname "$0")/lib.sh"

test_expect_success 'install into a fresh repository' '
	git init -q fresh &&
	(cd fresh && "$SG" hooks install >out) &&
	grep "pre-push: installed" fresh/out &&
	test -x fresh/.git/hooks/pre-push &&
	grep "^# slugguard-hook v1$" fresh/.git/hooks/pre-push &&
	grep "^sg=.$SG.$" fresh/.git/hooks/pre-push &&
	! test -e fresh/.git/hooks/pre-push.lock
'

test_expect_success 'the shim is valid POSIX sh' '
	sh -n fresh/.git/hooks/pre-push
'

test_expect_success 're-install is idempotent' '
	cp fresh/.git/hooks/pre-push before &&
	(cd fresh && "$SG" hooks install >out) &&
	grep "already installed" fresh/out &&
	test_cmp before fresh/.git/hooks/pre-push &&
	! test -e fresh/.git/hooks/pre-push.legacy
'

test_expect_success 'a foreign hook is kept as .legacy and restored' '
	git init -q foreign &&
	printf "#!/bin/sh\necho mine\n" >foreign/.git/hooks/pre-push &&
	chmod +x foreign/.git/hooks/pre-push &&
	cp foreign/.git/hooks/pre-push mine &&
	(cd foreign && "$SG" hooks install >out) &&
	grep "kept the existing hook as pre-push.legacy" foreign/out &&
	test_cmp mine foreign/.git/hooks/pre-push.legacy &&
	grep "slugguard-hook" foreign/.git/hooks/pre-push &&
	(cd foreign && "$SG" hooks install) &&
	test_cmp mine foreign/.git/hooks/pre-push.legacy &&
	(cd foreign && "$SG" hooks uninstall >out) &&
	grep "restored" foreign/out &&
	test_cmp mine foreign/.git/hooks/pre-push &&
	! test -e foreign/.git/hooks/pre-push.legacy
'

test_expect_success 'a symlinked hook is kept as a symlink' '
	git init -q linked &&
	printf "#!/bin/sh\nexit 0\n" >shared-hook &&
	chmod +x shared-hook &&
	ln -s "$TRASH/shared-hook" linked/.git/hooks/pre-push &&
	(cd linked && "$SG" hooks install) &&
	test -L linked/.git/hooks/pre-push.legacy &&
	! test -L linked/.git/hooks/pre-push &&
	(cd linked && "$SG" hooks uninstall) &&
	test -L linked/.git/hooks/pre-push &&
	test "$(cat shared-hook)" = "$(printf "#!/bin/sh\nexit 0\n")"
'

test_expect_success 'foreign hook plus existing .legacy is refused' '
	git init -q both &&
	echo a >both/.git/hooks/pre-push &&
	echo b >both/.git/hooks/pre-push.legacy &&
	(cd both && test_expect_code 2 "$SG" hooks install 2>err) &&
	grep "move one of them away" both/err &&
	test "$(cat both/.git/hooks/pre-push)" = a
'

test_expect_success 'uninstall leaves foreign hooks alone' '
	(cd both && "$SG" hooks uninstall) &&
	test "$(cat both/.git/hooks/pre-push)" = a &&
	test "$(cat both/.git/hooks/pre-push.legacy)" = b
'

test_expect_success 'core.hooksPath elsewhere is refused without --force' '
	git init -q hp &&
	git -C hp config core.hooksPath .husky &&
	(cd hp && test_expect_code 2 "$SG" hooks install 2>err) &&
	grep "core.hooksPath is set to .*\.husky" hp/err &&
	grep -- "--force" hp/err &&
	! test -e hp/.husky/pre-push &&
	! test -e hp/.git/hooks/pre-push
'

test_expect_success 'core.hooksPath with --force installs there, relative to the top' '
	mkdir -p hp/sub &&
	(cd hp/sub && "$SG" hooks install --force) &&
	test -x hp/.husky/pre-push &&
	! test -e hp/sub/.husky &&
	(cd hp && "$SG" hooks uninstall) &&
	! test -e hp/.husky/pre-push
'

test_expect_success 'core.hooksPath pointing at the default dir needs no --force' '
	git init -q hp2 &&
	git -C hp2 config core.hooksPath "$TRASH/hp2/.git/hooks" &&
	(cd hp2 && "$SG" hooks install) &&
	test -x hp2/.git/hooks/pre-push
'

test_expect_success 'worktrees share the common hooks directory' '
	git init -q wtmain &&
	test_commit -C wtmain one &&
	git -C wtmain worktree add -q ../wt2 &&
	(cd wt2 && "$SG" hooks install >out) &&
	test -x wtmain/.git/hooks/pre-push &&
	! test -e wtmain/.git/worktrees/wt2/hooks &&
	(cd wtmain && "$SG" hooks install >out) &&
	grep "already installed" wtmain/out
'

test_expect_success 'a bare repository needs --server' '
	git init -q --bare srv.git &&
	(cd srv.git && test_expect_code 2 "$SG" hooks install 2>err) &&
	grep -- "--server" srv.git/err &&
	(cd srv.git && "$SG" hooks install --server) &&
	test -x srv.git/hooks/pre-receive &&
	test -x srv.git/hooks/post-receive &&
	! test -e srv.git/hooks/pre-push &&
	(cd srv.git && "$SG" hooks uninstall) &&
	! test -e srv.git/hooks/pre-receive &&
	! test -e srv.git/hooks/post-receive
'

test_expect_success 'usage errors exit 2' '
	(cd fresh && test_expect_code 2 "$SG" hooks) &&
	(cd fresh && test_expect_code 2 "$SG" hooks frobnicate) &&
	(cd fresh && test_expect_code 0 "$SG" hooks -h >out) &&
	grep "hooks install" fresh/out
'

test_expect_success 'install fills the commit cache for the pre-push walk' '
	git init -q cached &&
	(cd cached &&
	 for i in $(seq 40); do
		git commit -q --allow-empty -m "c$i" || exit 1
	 done &&
	 "$SG" hooks install >out &&
	 grep "pre-push: installed" out &&
	 grep "slugguard/commits: 40 commits cached for the pre-push walk" out &&
	 test "$(head -c 4 .git/slugguard/commits)" = SGCC &&
	 "$SG" scan HEAD~3..HEAD >scan.out &&
	 grep "scanned 3 commits" scan.out &&
	 "$SG" -q hooks uninstall) &&
	git clone -q --depth 5 "file://$PWD/cached" shallow-cached &&
	(cd shallow-cached &&
	 "$SG" hooks install >out &&
	 grep "pre-push: installed" out &&
	 ! grep "commits cached" out &&
	 ! test -e .git/slugguard/commits) &&
	git clone -q cached nocache &&
	(cd nocache &&
	 SLUGGUARD_NO_COMMIT_CACHE=1 "$SG" hooks install >out &&
	 ! grep "commits cached" out &&
	 ! test -e .git/slugguard/commits &&
	 "$SG" -q hooks uninstall &&
	 : >.git/slugguard &&
	 "$SG" hooks install >out &&
	 grep "pre-push: installed" out &&
	 grep "^note: the commit cache was not filled (" out) &&
	git init -q empty-cached &&
	(cd empty-cached && "$SG" hooks install >out) &&
	grep "pre-push: installed" empty-cached/out &&
	! grep "commits cached" empty-cached/out
'

test_done
