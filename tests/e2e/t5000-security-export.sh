#!/bin/sh
# A push is hostile input. A tree that holds "zz" twice, a symlink to the
# server repository's hooks/ folder and a directory zz/ with an executable
# post-update, must never be exported through the link: git refuses it
# when receive.fsckObjects is on (hooks install --server sets it), and
# slugguard's pre-receive, its post-receive deploy and `slugguard build`
# refuse it, and every tree git's fsck flags, when it is off.
. "$(dirname "$0")/lib.sh"

# tree_entry MODE NAME HEX: one raw tree entry, as git stores it.
tree_entry() {
	printf '%s %s\0' "$1" "$2" && printf '%s' "$3" | xxd -r -p
}

# hostile_commit REPO TARGET: in REPO, a commit whose tree holds "zz"
# twice, a symlink to TARGET and a directory with an executable
# post-update that writes $TRASH/pwned; prints the commit id.
hostile_commit() {
	_hook=$(printf '#!/bin/sh\necho pwned >"%s/pwned"\n' "$TRASH" |
		git -C "$1" hash-object -w --stdin) &&
	_sub=$(printf '100755 blob %s\tpost-update\n' "$_hook" |
		git -C "$1" mktree) &&
	_link=$(printf '%s' "$2" | git -C "$1" hash-object -w --stdin) &&
	_proc=$(printf 'web: true\n' | git -C "$1" hash-object -w --stdin) &&
	_tree=$({
		tree_entry 100644 Procfile "$_proc" &&
		tree_entry 120000 zz "$_link" &&
		tree_entry 40000 zz "$_sub"
	} | git -C "$1" hash-object -t tree --literally -w --stdin) &&
	git -C "$1" commit-tree -m hostile "$_tree"
}

# bad_commit REPO ENTRY...: in REPO, a commit whose tree holds Procfile
# and a directory "sub" with the raw entries given as "MODE NAME"
# (sorted as git sorts them), each a blob; prints the commit id.
bad_commit() {
	_repo=$1 &&
	shift &&
	_blob=$(printf 'x\n' | git -C "$_repo" hash-object -w --stdin) &&
	_sub=$(for _e in "$@"; do
		tree_entry "${_e%% *}" "${_e#* }" "$_blob" || return 1
	done | git -C "$_repo" hash-object -t tree --literally -w --stdin) &&
	_tree=$({
		tree_entry 100644 Procfile "$_blob" &&
		tree_entry 40000 sub "$_sub"
	} | git -C "$_repo" hash-object -t tree --literally -w --stdin) &&
	git -C "$_repo" commit-tree -m bad "$_tree"
}

test_expect_success 'setup: a bare deploy repository, a work repository' '
	git init -q --bare remote.git &&
	(cd remote.git && "$SG" hooks install --server >../install.out) &&
	git init -q work &&
	test_commit -C work first Procfile "web: true" &&
	mkdir -p bp/bin outside &&
	printf "#!/bin/sh\necho Fixture\n" >bp/bin/detect &&
	printf "#!/bin/sh\nexit 0\n" >bp/bin/compile &&
	chmod +x bp/bin/detect bp/bin/compile
'

test_expect_success 'hooks install --server turns on receive.fsckObjects' '
	test "$(git -C remote.git config receive.fsckObjects)" = true &&
	grep "receive.fsckObjects=true" install.out
'

test_expect_success 'with receive.fsckObjects git itself refuses the tree' '
	git init -q --bare strict.git &&
	(cd strict.git && "$SG" hooks install --server >/dev/null) &&
	c=$(hostile_commit work "$TRASH/strict.git/hooks") &&
	test_must_fail env SLUGGUARD_DEPLOY_APP=app1 \
		git -C work push ../strict.git "$c:refs/heads/main" 2>err &&
	grep "duplicateEntries" err &&
	! test -e strict.git/hooks/post-update &&
	! test -e pwned &&
	test_must_fail git --git-dir=strict.git rev-parse --verify main
'

test_expect_success 'with it off, pre-receive refuses it: nothing written' '
	git -C remote.git config receive.fsckObjects false &&
	SLUGGUARD_DEPLOY_APP=app1 &&
	export SLUGGUARD_DEPLOY_APP &&
	c=$(hostile_commit work "$TRASH/remote.git/hooks") &&
	short=$(printf "%.12s" "$c") &&
	test_must_fail git -C work push ../remote.git "$c:refs/heads/main" \
		2>err &&
	grep "^remote: slugguard: refusing tree of commit $short: duplicate entry .zz." err &&
	! test -e remote.git/hooks/post-update &&
	! test -e pwned &&
	test_must_fail git --git-dir=remote.git rev-parse --verify main
'

test_expect_success 'post-receive (its deploy exports) refuses it too' '
	c=$(hostile_commit remote.git "$TRASH/remote.git/hooks") &&
	short=$(printf "%.12s" "$c") &&
	zero=0000000000000000000000000000000000000000 &&
	printf "%s %s refs/heads/main\n" "$zero" "$c" >in &&
	(cd remote.git && test_expect_code 1 env SLUGGUARD_DEPLOY_APP=app1 \
		"$SG" hooks run post-receive <../in) 2>err &&
	grep "refusing tree of commit $short: duplicate entry .zz." err &&
	grep "the last good release stays live" err &&
	! test -e remote.git/hooks/post-update &&
	! test -e pwned &&
	(cd remote.git && test_expect_code 2 "$SG" deploy --app app1 \
		--commit "$c") 2>err &&
	grep "^slugguard: refusing tree of commit $short: duplicate entry .zz." err &&
	! test -e remote.git/hooks/post-update
'

test_expect_success 'build --commit refuses it and writes nothing outside' '
	c=$(hostile_commit work "$TRASH/outside") &&
	short=$(printf "%.12s" "$c") &&
	(cd work && test_expect_code 2 "$SG" build --commit "$c" \
		--buildpack ../bp --out ../slug1) 2>err &&
	grep "^slugguard: refusing tree of commit $short: duplicate entry .zz." err &&
	ls -A outside >list &&
	test_must_fail test -s list &&
	! test -e slug1/slug.tgz
'

test_expect_success 'every tree git fsck flags is refused, naming the path' '
	hfs=$(printf ".g\342\200\214it") &&
	for spec in "100644 .GIT|.git entry .sub/.GIT." \
		"100644 .git.|.git entry .sub/.git\.." \
		"100644 .git |.git entry .sub/.git ." \
		"100644 git~1|.git entry .sub/git~1." \
		"100644 $hfs|.git entry .sub/.g...it." \
		"100644 ..|. or .. entry .sub/\.\.." \
		"100644 .|. or .. entry .sub/\.." \
		"100644 a/b|entry with a slash .sub/a/b." \
		"100664 run|bad mode 100664 entry .sub/run." \
		"100644 a@100644 a|duplicate entry .sub/a." \
		"100644 a@40000 a|duplicate entry .sub/a."; do
		entries=${spec%%|*} &&
		want=${spec#*|} &&
		old_ifs=$IFS && IFS=@ &&
		set -- $entries &&
		IFS=$old_ifs &&
		c=$(bad_commit work "$@") &&
		short=$(printf "%.12s" "$c") &&
		(cd work && test_expect_code 2 "$SG" build --commit "$c" \
			--buildpack ../bp --out ../slug2) 2>err &&
		grep "^slugguard: refusing tree of commit $short: $want$" err ||
		return 1
	done
'

test_expect_success 'a push of a .GIT tree is refused by pre-receive' '
	c=$(bad_commit work "100644 .GIT") &&
	test_must_fail git -C work push ../remote.git "$c:refs/heads/main" \
		2>err &&
	grep "^remote: slugguard: refusing tree of commit .*: .git entry .sub/.GIT." err &&
	test_must_fail git --git-dir=remote.git rev-parse --verify main
'

test_expect_success 'a clean tree still builds' '
	(cd work && "$SG" -q build --buildpack ../bp --out ../slug3) &&
	tar -tzf slug3/slug.tgz >names &&
	grep "^\./app/Procfile$" names
'

test_done
