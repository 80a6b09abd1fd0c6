#!/bin/sh
# The release ledger in git (refs/slugguard/ledger/<app>): two deploys at
# once both land, round after round; kill -9 at random points of a deploy
# leaves the ledger consistent; a teammate's fresh clone verifies and
# rolls back; key rotation and revocation.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1
standin_app app1
standin_app app2
ROUNDS=${LEDGER_ROUNDS:-4}
KILLS=${LEDGER_KILLS:-20}
export ROUNDS KILLS

# ledger_slugs GITDIR APP: the slug ids in the ledger of APP, sorted.
ledger_slugs() {
	git --git-dir="$1" ls-tree --name-only "refs/slugguard/ledger/$2" 2>/dev/null |
		sed "s/\.json\$//" | sort
}

# live_slugs APP: the slug ids of APP's releases at the stand-in, sorted.
live_slugs() {
	standin_json "\"\\n\".join(sorted(set(r[\"slug\"][\"id\"] for r in s[\"apps\"][\"$1\"][\"releases\"] if r.get(\"slug\"))))" |
		sed "/^\$/d"
}

# deploy_in DIR BUILD OUT: deploy BUILD to app1 from the clone DIR.
deploy_in() {
	(cd "$1" && "$SG" -q deploy --app app1 --build-dir "$2" >"$3" 2>&1)
}

# deploy_pair A B N: two deploys at once, from clones A and B.
deploy_pair() {
	standin_fake_build "$TRASH/x$3" >/dev/null &&
		standin_fake_build "$TRASH/y$3" >/dev/null || return 1
	deploy_in "$1" "$TRASH/x$3" "$TRASH/out-x$3" &
	_p1=$!
	deploy_in "$2" "$TRASH/y$3" "$TRASH/out-y$3" &
	_p2=$!
	_rc=0
	wait "$_p1" || { cat "$TRASH/out-x$3" >&2; _rc=1; }
	wait "$_p2" || { cat "$TRASH/out-y$3" >&2; _rc=1; }
	return $_rc
}

# kill_deploy N: start a deploy to app2 from clone a and kill -9 it once
# it talks to Heroku (slug, upload, release), where a crash used to leave
# a live release the ledger did not know: odd N at a random point, even
# N while the stand-in holds the reply to the release POST (the release
# exists, the ledger has it pending). Appends "<random|release> <new
# releases>" to kill-points.
kill_deploy() {
	_kp=random
	_n=$(standin_count POST /apps/app2/releases) &&
	_live=$(live_slugs app2 | wc -l) &&
	if test $(($1 % 2)) = 0; then
		_kp=release &&
		standin_ctl '{"clear_faults": true, "faults": [{"method": "POST", "path": "/apps/app2/releases", "kind": "slow_after", "delay": 3}]}' >/dev/null
	fi &&
	standin_fake_build "$TRASH/k$1" >/dev/null || return 1
	(cd a && exec "$SG" deploy --app app2 --build-dir "$TRASH/k$1" \
		>"$TRASH/out-k$1" 2>&1) &
	_p=$!
	if test $_kp = release; then
		while test "$(standin_count POST /apps/app2/releases)" = "$_n" &&
			kill -0 "$_p" 2>/dev/null; do
			sleep 0.02
		done
	else
		while ! grep -q "Creating the slug" "$TRASH/out-k$1" &&
			kill -0 "$_p" 2>/dev/null; do
			sleep 0.05
		done
		sleep "0.$(rand_hex 8 | tr -dc 0-9 | head -c 1)$(rand_hex 8 | tr -dc 0-9 | head -c 1)"
	fi
	kill -9 "$_p" 2>/dev/null
	wait "$_p"
	standin_ctl '{"clear_faults": true}' >/dev/null &&
	echo "$_kp $(($(live_slugs app2 | wc -l) - _live))" >>"$TRASH/kill-points"
}

test_expect_success 'setup: a deploy repository, two clones, the key committed' '
	standin_signing_key &&
	git init -q --bare deploy.git &&
	git clone -q deploy.git a 2>/dev/null &&
	(
		cd a &&
		echo app >README &&
		"$SG" keys add "$STANDIN_DIR/signing.pub.pem" >out 2>err &&
		grep "^trusted SHA256:" out &&
		grep "git add .slugguard/keys" err &&
		git add . && test_tick && git commit -q -m "app, trusted key" &&
		git push -q origin main 2>/dev/null
	) &&
	git clone -q deploy.git b 2>/dev/null &&
	"$SG" keys list --dir b >out &&
	grep "^SHA256:.*  trusted  .slugguard/keys/.*\.pem\$" out
'

test_expect_success 'a deploy writes the ledger ref and pushes it to the deploy repository' '
	standin_fake_build b0 >/dev/null &&
	deploy_in a "$TRASH/b0" "$TRASH/out" &&
	grep "^Released v1" out &&
	live_slugs app1 >expect &&
	ledger_slugs a/.git app1 >actual &&
	test_cmp expect actual &&
	ledger_slugs deploy.git app1 >actual &&
	test_cmp expect actual &&
	git --git-dir=deploy.git log --format=%s refs/slugguard/ledger/app1 >log &&
	grep "^ledger: pending " log &&
	grep "^ledger: complete " log
'

test_expect_success 'two deploys at once from two clones, and from one clone: nothing lost' '
	i=1 &&
	while test $i -le "$ROUNDS"; do
		deploy_pair a b "$i" &&
		deploy_pair a a "r$i" || return 1
		i=$((i + 1))
	done &&
	live_slugs app1 >expect &&
	test_line_count = $((4 * ROUNDS + 1)) expect &&
	ledger_slugs deploy.git app1 >actual &&
	test_cmp expect actual &&
	(cd b && "$SG" releases --app app1 >../out) &&
	test_line_count = $((4 * ROUNDS + 1)) out &&
	! grep unverified out
'

test_expect_success "kill -9 at random points of $KILLS deploys: the ledger knows every release" '
	i=1 &&
	while test $i -le "$KILLS"; do
		kill_deploy "$i" || return 1
		i=$((i + 1))
	done &&
	find a/.git deploy.git -name "*.lock" >locks &&
	test ! -s locks &&
	live_slugs app2 >live &&
	ledger_slugs a/.git app2 >known &&
	comm -23 live known >unknown &&
	test ! -s unknown &&
	(cd a && "$SG" releases --app app2 >../out) &&
	! grep unverified out &&
	for s in $(cat live); do
		git --git-dir=a/.git show "refs/slugguard/ledger/app2:$s.json" >e &&
		grep "\"state\":.*\"complete\"" e || return 1
	done &&
	test "$(grep -c "^release 1\$" kill-points)" = $((KILLS / 2)) &&
	echo "$(wc -l <live) of $KILLS killed deploys had created their release" &&
	echo "timed after the release POST: $(grep -c "^release " kill-points) kills, $(grep -c "^release 1\$" kill-points) releases created" &&
	echo "at random points: $(grep -c "^random " kill-points) kills, $(grep -c "^random 1\$" kill-points) releases created"
'

test_expect_success 'after the kills the next deploy is fine and pushes the whole ledger' '
	standin_fake_build k-next >/dev/null &&
	(cd a && "$SG" -q deploy --app app2 --build-dir ../k-next >../out) &&
	grep "^Released v" out &&
	live_slugs app2 >live &&
	ledger_slugs deploy.git app2 >known &&
	comm -23 live known >unknown &&
	test ! -s unknown
'

test_expect_success "a teammate's fresh clone verifies and rolls back" '
	git clone -q deploy.git mate 2>/dev/null &&
	(
		cd mate &&
		unset SLUGGUARD_SIGNING_KEY &&
		"$SG" releases --app app1 >../out &&
		! grep unverified ../out &&
		"$SG" rollback --app app1 v2 >../out
	) &&
	grep "^Rolled back to v2 (release v" out
'

test_expect_success 'a key nobody trusts shows unverified, and why' '
	"$SG" keygen --type ed25519 --out k2.pem >out 2>err &&
	grep "slugguard keys add .*k2.pub.pem" err &&
	standin_fake_build r1 >/dev/null &&
	(
		SLUGGUARD_SIGNING_KEY=$TRASH/k2.pem &&
		export SLUGGUARD_SIGNING_KEY &&
		standin_sign_slug r1/slug.tgz r1/slug.tgz.intoto.json &&
		cd a &&
		"$SG" -q deploy --app app1 --build-dir ../r1 --key ../k2.pem >../out
	) &&
	v=$(sed -n "s/^Released v//p" out) &&
	echo "$v" >k2-version &&
	(cd mate && unset SLUGGUARD_SIGNING_KEY && "$SG" releases --app app1 >../out) &&
	grep "^v$v .*unverified .*(signed by key SHA256:.*, which is not trusted" out
'

test_expect_success 'rotation: the new key is added, old and new releases verify' '
	(
		cd a &&
		"$SG" -q keys add ../k2.pub.pem >/dev/null &&
		git add .slugguard && test_tick && git commit -q -m "trust k2" &&
		git push -q origin main 2>/dev/null
	) &&
	(
		cd mate &&
		unset SLUGGUARD_SIGNING_KEY &&
		git pull -q 2>/dev/null &&
		"$SG" keys list >../keys &&
		"$SG" releases --app app1 >../out
	) &&
	test_line_count = 2 keys &&
	! grep unverified out &&
	v=$(cat k2-version) &&
	grep "^v$v .* verified " out
'

test_expect_success 'revocation: the old key s releases show unverified; rollback needs --force' '
	(
		cd a &&
		"$SG" -q keys revoke "$STANDIN_DIR/signing.pub.pem" >../rev &&
		git add .slugguard && test_tick && git commit -q -m "revoke k1" &&
		git push -q origin main 2>/dev/null
	) &&
	id=$(sed -n "s/^revoked //p" rev) &&
	v=$(cat k2-version) &&
	(
		cd mate &&
		unset SLUGGUARD_SIGNING_KEY &&
		git pull -q 2>/dev/null &&
		"$SG" keys list >../keys &&
		"$SG" releases --app app1 >../out &&
		test_expect_code 1 "$SG" rollback --app app1 v3 2>../err &&
		"$SG" -q rollback --app app1 --force v3 >../out2
	) &&
	grep -F "$id  revoked 20" keys &&
	grep "^v3 .*unverified .*(signed by revoked key $id (revoked 20" out &&
	grep "^v$v .* verified " out &&
	grep "refusing to roll back to v3: .*signed by revoked key" err &&
	grep "^Rolled back to v3" out2
'

test_expect_success 'a deploy signed with a revoked key is refused before the release' '
	standin_fake_build r2 >/dev/null &&
	n=$(standin_count POST /apps/app1/releases) &&
	(cd a && test_expect_code 1 "$SG" -q deploy --app app1 --build-dir ../r2 2>../err) &&
	grep "refusing to deploy: signing key SHA256:.* was revoked" err &&
	test "$(standin_count POST /apps/app1/releases)" = "$n" &&
	test_must_fail "$SG" keys add --dir a "$STANDIN_DIR/signing.pub.pem" 2>err &&
	grep "was revoked" err
'

test_done
