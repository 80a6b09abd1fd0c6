#!/bin/sh
# slugguard build: buildpacks run as Heroku runs them, a reproducible slug.
. "$(dirname "$0")/lib.sh"

# make_bp DIR NAME: a fixture buildpack that detects as NAME.
make_bp() {
	mkdir -p "$1/bin" &&
	printf '#!/bin/sh\necho %s\n' "$2" >"$1/bin/detect" &&
	printf '#!/bin/sh\necho "-----> %s compile"\n' "$2" >"$1/bin/compile" &&
	chmod +x "$1/bin/detect" "$1/bin/compile"
}

test_expect_success 'setup: an app and two buildpacks' '
	git init -q app &&
	(
		cd app &&
		printf "web: bundle exec puma\n" >Procfile &&
		mkdir -p bin log config &&
		printf "#!/bin/sh\necho hi\n" >bin/run &&
		chmod +x bin/run &&
		echo conf >config/app.yml &&
		ln -s config/app.yml app-link &&
		echo noise >log/dev.log &&
		echo big >big.psd &&
		printf "# drop logs and art\nlog/\n*.psd\n" >.slugignore &&
		git add -A && test_tick && git commit -q -m init
	) &&
	make_bp bp1 First &&
	cat >bp1/bin/compile <<-\EOS &&
	#!/bin/sh
	echo "-----> First compile"
	echo "export FIRST_VAR=from-first" >"$(dirname "$0")/../export"
	echo "export PATH=\"/opt/first/bin:\$PATH\"" >>"$(dirname "$0")/../export"
	echo one >"$1/one.txt"
	[ -d "$2" ] && [ -d "$3" ] || exit 3
	EOS
	make_bp bp2 Second &&
	cat >bp2/bin/compile <<-\EOS &&
	#!/bin/sh
	printf "%s\n" "$FIRST_VAR" "$STACK" "$SOURCE_VERSION" "$PATH" >"$1/seen.txt"
	echo cache >"$HOME/.bp-cache"
	cat "$3/GREETING" >"$1/greeting.txt" 2>/dev/null || true
	EOS
	cat >bp2/bin/release <<-\EOS &&
	#!/bin/sh
	cat <<EOY
	---
	addons: []
	default_process_types:
	  web: should-lose-to-procfile
	  worker: "bundle exec sidekiq"
	EOY
	EOS
	chmod +x bp2/bin/release &&
	mkdir envdir && echo hello >envdir/GREETING
'

test_expect_success 'multi-buildpack build with an export file' '
	(cd app && "$SG" build --buildpack ../bp1 --buildpack ../bp2 \
		--env-dir ../envdir --out ../out1 --cache-dir ../cache) \
		>stdout 2>stderr &&
	grep "^-----> First app detected" stderr &&
	grep "^-----> Second app detected" stderr &&
	grep "^-----> First compile" stderr &&
	grep "^slug .*/out1/slug.tgz$" stdout &&
	test -f out1/slug.tgz && test -f out1/release.json &&
	mkdir x1 && tar xzf out1/slug.tgz -C x1 &&
	sed -n 1p x1/app/seen.txt >v && echo from-first >e && test_cmp e v &&
	sed -n 2p x1/app/seen.txt >v && echo heroku-24 >e && test_cmp e v &&
	sed -n 3p x1/app/seen.txt >v && git -C app rev-parse HEAD >e &&
	test_cmp e v &&
	sed -n 4p x1/app/seen.txt | grep "^/opt/first/bin:" &&
	echo hello >e && test_cmp e x1/app/greeting.txt &&
	tar tzf out1/slug.tgz >names1 && ! grep "bp-cache" names1
'

test_expect_success 'Procfile wins over default_process_types' '
	jq -r ".process_types.web" out1/release.json >v &&
	echo "bundle exec puma" >e && test_cmp e v &&
	jq -r ".process_types.worker" out1/release.json >v &&
	echo "bundle exec sidekiq" >e && test_cmp e v &&
	jq -r ".checksum" out1/release.json >v &&
	echo "SHA256:$(sha256sum out1/slug.tgz | cut -d" " -f1)" >e &&
	test_cmp e v &&
	jq -r ".buildpack_provided_description" out1/release.json >v &&
	echo "First, Second" >e && test_cmp e v
'

test_expect_success 'slug lists ./app/ entries with modes (GNU tar, gzip -t)' '
	gzip -t out1/slug.tgz &&
	tar tzvf out1/slug.tgz >list &&
	tar tzf out1/slug.tgz >names &&
	! grep -v "^\./app/" names &&
	grep "^drwxr-xr-x 0/0 .* \./app/$" list &&
	grep "^-rwxr-xr-x 0/0 .* \./app/bin/run$" list &&
	grep "^-rw-r--r-- 0/0 .* \./app/Procfile$" list &&
	grep "^lrwxrwxrwx 0/0 .* \./app/app-link -> config/app.yml$" list &&
	sort names >sorted && test_cmp sorted names &&
	tar tzvf out1/slug.tgz --full-time >full &&
	! grep -v "2023-11-14 22:1" full
'

test_expect_success '.slugignore drops paths before the buildpacks run' '
	! grep "log/" names &&
	! grep "big.psd" names &&
	grep "^\./app/\.slugignore$" names
'

test_expect_success 'gzip header has no name and no time' '
	od -An -tx1 -N10 out1/slug.tgz | tr -d " \n" >v &&
	printf 1f8b0800000000000003 >e && test_cmp e v
'

test_expect_success 'two builds of the same commit are byte-identical' '
	rm -rf cache &&
	(cd app && "$SG" -q build --buildpack ../bp1 --buildpack ../bp2 \
		--env-dir ../envdir --out ../out2) &&
	cmp out1/slug.tgz out2/slug.tgz
'

test_expect_success 'SOURCE_DATE_EPOCH sets every mtime' '
	(cd app && SOURCE_DATE_EPOCH=86400 "$SG" -q build \
		--buildpack ../bp1 --out ../out3) &&
	tar tzvf out3/slug.tgz --full-time >list3 &&
	! grep -v " 1970-01-02 00:00:00 " list3
'

test_expect_success 'app.json lists the buildpacks' '
	(
		cd app &&
		printf "{\"buildpacks\": [{\"url\": \"../bp1\"}]}\n" >app.json &&
		git add app.json && test_tick && git commit -q -m appjson &&
		"$SG" -q build --out ../out4
	) &&
	tar tzf out4/slug.tgz | grep "^\./app/one.txt$" &&
	jq -r ".buildpacks[0]" out4/release.json | grep "/bp1$"
'

test_expect_success 'a file:// git buildpack is cloned and its commit recorded' '
	git init -q bpgit &&
	cp -R bp1/bin bpgit/ &&
	git -C bpgit add -A && test_tick && git -C bpgit commit -q -m bp &&
	(cd app && "$SG" -q build --buildpack "file://$TRASH/bpgit" \
		--cache-dir ../cache --key "" --out ../out5) &&
	jq -r ".buildpacks[0]" out5/release.json >v &&
	echo "file://$TRASH/bpgit" >e && test_cmp e v &&
	ls cache/buildpacks/*.git >/dev/null &&
	(cd app && "$SG" -q build --buildpack "file://$TRASH/bpgit#main" \
		--cache-dir ../cache --out ../out6) &&
	cmp out5/slug.tgz out6/slug.tgz
'

test_expect_success 'a failing detect stops the build naming the buildpack' '
	make_bp nodetect Never &&
	printf "#!/bin/sh\necho not for me >&2\nexit 1\n" >nodetect/bin/detect &&
	(cd app && test_expect_code 1 "$SG" build --buildpack ../bp1 \
		--buildpack ../nodetect --out ../bad1) 2>err &&
	grep "not for me" err &&
	grep "slugguard: buildpack .*nodetect.*not compatible.*status 1" err &&
	test_must_fail test -f bad1/slug.tgz
'

test_expect_success 'a failing compile stops the build with its exit code' '
	make_bp broken Broken &&
	printf "#!/bin/sh\necho compiling\nexit 7\n" >broken/bin/compile &&
	(cd app && test_expect_code 1 "$SG" build --buildpack ../broken \
		--buildpack ../bp2 --out ../bad2) 2>err &&
	grep "^compiling" err &&
	grep "slugguard: buildpack .Broken. failed: bin/compile exited with status 7" err &&
	! grep "Second app detected" err
'

test_expect_success 'a compile step over the timeout is killed' '
	make_bp slow Slow &&
	printf "#!/bin/sh\nsleep 30\n" >slow/bin/compile &&
	(cd app && test_expect_code 1 "$SG" build --buildpack ../slow \
		--timeout 1 --out ../bad3) 2>err &&
	grep "bin/compile timed out after 1 seconds" err
'

test_expect_success 'a detect step that hangs with stdout open is killed' '
	make_bp stuck Stuck &&
	printf "#!/bin/sh\necho Stuck\nsleep 30\n" >stuck/bin/detect &&
	start=$(date +%s) &&
	(cd app && test_expect_code 1 "$SG" build --buildpack ../stuck \
		--timeout 1 --out ../bad4) 2>err &&
	test $(($(date +%s) - start)) -lt 15 &&
	grep "timed out after 1 seconds" err
'

test_expect_success 'a symlink escaping the app is refused' '
	make_bp escape Escape &&
	printf "#!/bin/sh\nln -s ../../etc/passwd \"\$1/config/pw\"\n" \
		>escape/bin/compile &&
	(cd app && test_expect_code 1 "$SG" build --buildpack ../escape \
		--out ../bad4) 2>err &&
	grep "symlink .config/pw. points outside the app" err &&
	make_bp escape2 Escape2 &&
	printf "#!/bin/sh\nln -s /etc/passwd \"\$1/pw\"\nln -s /app/Procfile \"\$1/ok\"\n" \
		>escape2/bin/compile &&
	(cd app && test_expect_code 1 "$SG" build --buildpack ../escape2 \
		--out ../bad5) 2>err &&
	grep "symlink .pw. points outside the app" err
'

test_expect_success 'a slug over the size limit names the largest paths' '
	make_bp fat Fat &&
	printf "#!/bin/sh\nhead -c 300000 /dev/urandom >\"\$1/blob.bin\"\nhead -c 100000 /dev/urandom >\"\$1/small.bin\"\n" \
		>fat/bin/compile &&
	(cd app && test_expect_code 1 "$SG" build --buildpack ../fat \
		--max-size 200000 --out ../bad6) 2>err &&
	grep "slug is larger than the limit of 200000 bytes; largest paths: blob.bin (293.0 KiB), small.bin" err &&
	test_must_fail test -f bad6/slug.tgz
'

test_expect_success 'no buildpacks at all is an error' '
	git init -q bare-app && test_commit -C bare-app one &&
	(cd bare-app && test_expect_code 1 "$SG" build --out ../bad7) 2>err &&
	grep "no buildpacks" err
'

test_expect_success 'the policy lists the buildpacks and checks their order' '
	git init -q pol-app &&
	(
		cd pol-app &&
		printf "{\"version\": 1, \"buildpacks\": [\"../bp1\", \"../bp2\"]}\n" \
			>slugguard.json &&
		git add -A && test_tick && git commit -q -m policy &&
		"$SG" -q build --out ../out7 &&
		test_expect_code 1 "$SG" build --buildpack ../bp2 \
			--buildpack ../bp1 --out ../bad8 2>../err
	) &&
	tar tzf out7/slug.tgz | grep "^\./app/seen.txt$" &&
	grep "slugguard: buildpack order refused by" err &&
	test_must_fail test -f bad8/slug.tgz
'

test_done
