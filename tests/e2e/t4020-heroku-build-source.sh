#!/bin/sh
# The source tarball a build on Heroku's builders uploads: the commit's
# tree only, byte-identical from any clone, umask or file time.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a repository with a link, an executable, a subdir' '
	git init -q app &&
	(
		cd app &&
		mkdir -p lib/deep &&
		echo hi >README &&
		printf "#!/bin/sh\necho run\n" >run.sh &&
		chmod +x run.sh &&
		echo code >lib/deep/a.rb &&
		ln -s lib/deep/a.rb link &&
		git add -A && test_tick && git commit -q -m "first subject"
	)
'

test_expect_success 'two independent packs of one commit are byte-identical' '
	(cd app && "$SG" build --source-tarball ../a.tgz >../a.out) &&
	git clone -q app other &&
	(
		cd other &&
		umask 077 &&
		touch -d "2001-01-01" README lib/deep/a.rb &&
		TZ=Asia/Tokyo "$SG" build --source-tarball ../b.tgz >../b.out
	) &&
	cmp a.tgz b.tgz &&
	sed 1d a.out >a.rest && sed 1d b.out >b.rest &&
	test_cmp a.rest b.rest &&
	grep "^checksum SHA256:$(sha256sum a.tgz | cut -d" " -f1)$" a.out &&
	grep "^commit $(git -C app rev-parse HEAD)$" a.out
'

test_expect_success 'gzip is valid, its header has no name and no time' '
	gzip -t a.tgz &&
	od -An -tx1 -N10 a.tgz | tr -d " \n" >hdr &&
	test "$(cat hdr)" = 1f8b0800000000000003
'

test_expect_success 'GNU tar lists the tree under source/, owner 0/0, commit time' '
	TZ=UTC tar --numeric-owner -tvzf a.tgz >list &&
	when=$(TZ=UTC git -C app log -1 --format=%cd --date=format-local:"%Y-%m-%d %H:%M") &&
	test "$(grep -c " 0/0 " list)" = 7 &&
	test "$(grep -c " $when " list)" = 7 &&
	grep "^drwxr-xr-x .* source/$" list &&
	grep "^-rwxr-xr-x .* source/run.sh$" list &&
	grep "^-rw-r--r-- .* source/README$" list &&
	grep "^lrwxrwxrwx .* source/link -> lib/deep/a.rb$" list &&
	! grep "\.git" list &&
	tar -tzf a.tgz >names &&
	sort names >sorted &&
	test_cmp sorted names
'

test_expect_success 'the same files as git archive, with the same contents' '
	mkdir ours theirs &&
	tar -C ours -xzf a.tgz &&
	git -C app archive --format=tar HEAD | tar -C theirs -xf - &&
	diff -r ours/source theirs
'

test_expect_success 'a new commit gives other bytes; the old commit the same' '
	(cd app && echo more >>README && git commit -q -am second &&
	 "$SG" build --source-tarball ../c.tgz >/dev/null &&
	 "$SG" build --source-tarball ../d.tgz --commit HEAD~1 >/dev/null) &&
	! cmp -s a.tgz c.tgz &&
	cmp a.tgz d.tgz
'

test_done
