#!/bin/sh
# Buildpack URLs go through git's url.<base>.insteadOf rules (a company
# mirror); the provenance keeps the canonical URL.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a fixture buildpack behind a mirror rule' '
	mkdir -p bp/bin &&
	printf "#!/bin/sh\necho Fixture\n" >bp/bin/detect &&
	printf "#!/bin/sh\necho \"-----> mirrored\"\n" >bp/bin/compile &&
	printf "#!/bin/sh\nprintf -- \"---\\\\ndefault_process_types:\\\\n  web: ./run\\\\n\"\n" >bp/bin/release &&
	chmod +x bp/bin/* &&
	git -C bp init -q && git -C bp add -A && git -C bp commit -qm bp &&
	git config --global url."file://$TRASH/bp".insteadOf \
		https://github.com/example/heroku-buildpack-fixture &&
	git init -q app &&
	printf "{\"buildpacks\": [{\"url\": \"https://github.com/example/heroku-buildpack-fixture\"}]}\n" >app/app.json &&
	git -C app add app.json &&
	test_commit -C app first run "echo hi" &&
	"$SG" keygen --out key.pem >/dev/null
'

test_expect_success 'build fetches through the mirror, provenance names the canonical URL' '
	(cd app && "$SG" build --key ../key.pem --out ../out) 2>err &&
	grep "mirrored" err &&
	payload=$(sed -n "s/.*\"payload\": *\"\\([^\"]*\\)\".*/\\1/p" out/slug.tgz.intoto.json) &&
	printf "%s" "$payload" | base64 -d >statement.json &&
	grep "https://github.com/example/heroku-buildpack-fixture" statement.json &&
	! grep "file://" statement.json
'

test_done
