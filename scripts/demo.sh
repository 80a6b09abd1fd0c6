#!/bin/sh
# make demo: the whole story on the embedded default, with no account and
# no network. A sample app is generated from templates/grayledger, a bare
# deploy repository gets the server hooks, a local HTTPS stand-in of the
# Heroku Platform API plays Heroku, and fixture buildpacks (reached through
# git's url.<mirror>.insteadOf, as a company mirror would be) play
# heroku/ruby and pgvector. Everything lives under build/demo.
#
# With HEROKU_API_KEY set and DEMO_APP=<name>, the same commands talk to
# the real Heroku instead of the stand-in.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
SG="$top/${BUILD:-build}/slugguard"
demo=${DEMO_DIR:-"$top/${BUILD:-build}/demo"}
SLUGGUARD_TOP=$top
export SG SLUGGUARD_TOP

step() {
	printf '\n\033[1m==> %s\033[0m\n' "$*"
}

rm -rf "$demo"
mkdir -p "$demo/home"
HOME="$demo/home"
XDG_CONFIG_HOME="$HOME/.config"
XDG_DATA_HOME="$HOME/.local/share"
GIT_CONFIG_NOSYSTEM=1
GIT_AUTHOR_NAME='Demo Dev'
GIT_AUTHOR_EMAIL='dev@example.com'
GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export HOME XDG_CONFIG_HOME XDG_DATA_HOME GIT_CONFIG_NOSYSTEM \
	GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
git config --global init.defaultBranch main
git config --global advice.detachedHead false
cd "$demo"

if [ -n "${HEROKU_API_KEY:-}" ] && [ -n "${DEMO_APP:-}" ]; then
	app=$DEMO_APP
	step "using the real Heroku Platform API for app '$app'"
else
	app=grayledger
	step "starting the local Heroku stand-in (HTTPS on 127.0.0.1)"
	STANDIN_PY="$top/tests/helper/standin.py"
	export STANDIN_PY
	. "$top/tests/helper/standin.sh"
	standin_start "$demo/standin"
	standin_app "$app"
	echo "Platform API stand-in at $HEROKU_API_URL (app '$app': heroku/ruby, pgvector, 16 config vars, web=1 worker=1)"
fi

step "fixture buildpacks, reached through git url.insteadOf mirrors"
mkbp() {
	bp="$demo/buildpacks/$1"
	mkdir -p "$bp/bin"
	cat >"$bp/bin/detect" <<SH
#!/bin/sh
[ -f "\$1/$2" ] && echo "$3" && exit 0
echo "no $2" >&2
exit 1
SH
	cat >"$bp/bin/compile" <<SH
#!/bin/sh
echo "-----> $3 (demo buildpack)"
echo "       build dir: \$1"
$4
SH
	cat >"$bp/bin/release" <<SH
#!/bin/sh
printf -- '---\ndefault_process_types:\n  web: bundle exec puma -C config/puma.rb\n'
SH
	chmod +x "$bp/bin/detect" "$bp/bin/compile" "$bp/bin/release"
	git -C "$bp" init -q
	git -C "$bp" add -A
	git -C "$bp" commit -qm "$3 demo buildpack"
}
mkbp heroku-buildpack-ruby Gemfile Ruby \
	'mkdir -p "$1/vendor/bundle" && echo "gems installed" >"$1/vendor/bundle/.done" && printf "export GEM_PATH=/app/vendor/bundle\n" >"$(dirname "$0")/../export"'
mkbp heroku-buildpack-pgvector Gemfile pgvector \
	'echo "       GEM_PATH from the ruby buildpack: ${GEM_PATH:-unset}"'
git config --global url."file://$demo/buildpacks/heroku-buildpack-ruby".insteadOf \
	https://github.com/heroku/heroku-buildpack-ruby
git config --global url."file://$demo/buildpacks/heroku-buildpack-pgvector.git".insteadOf \
	https://github.com/heroku/heroku-buildpack-pgvector.git
mv "$demo/buildpacks/heroku-buildpack-pgvector" "$demo/buildpacks/heroku-buildpack-pgvector.git"

step "a signing key for slug attestations"
mkdir -p "$demo/keys"
"$SG" keygen --out "$demo/keys/slugguard.pem"
ls -l "$demo/keys"
SLUGGUARD_SIGNING_KEY="$demo/keys/slugguard.pem"
export SLUGGUARD_SIGNING_KEY

step "the deploy repository (bare) with the server hooks"
git init -q --bare "$demo/deploy.git"
(cd "$demo/deploy.git" && "$SG" hooks install --server)
# post-receive deploys the deploy branch to this app.
SLUGGUARD_DEPLOY_APP=$app
export SLUGGUARD_DEPLOY_APP

step "the sample app from templates/grayledger"
mkdir -p "$demo/app"
cd "$demo/app"
git init -q
"$SG" init --template grayledger --app-json
mkdir -p app/models config/initializers db/migrate
printf 'source "https://rubygems.org"\ngem "rails", "~> 8.0"\ngem "pg"\ngem "neighbor"\ngem "solid_queue"\n' >Gemfile
printf 'class LedgerEntry < ApplicationRecord\n  has_neighbors :embedding\nend\n' >app/models/ledger_entry.rb
printf 'class EnableVector < ActiveRecord::Migration[8.0]\n  def change\n    enable_extension "vector"\n  end\nend\n' >db/migrate/20260101000000_enable_vector.rb
printf 'production:\n  url: <%%= ENV["DATABASE_URL"] %%>\n' >config/database.yml
git add -A
git commit -qm "Grayledger: a ledger on Rails and pgvector"
git remote add heroku "$demo/deploy.git"
# the release ledger (refs/slugguard/ledger/APP) travels through this remote
git config slugguard.ledgerRemote heroku
"$SG" hooks install
"$SG" check

step "a commit that leaks a (fake) OpenAI key"
# The key is assembled here, at run time: no key-like literal is committed.
k1="sk-proj-$(LC_ALL=C tr -dc 'A-Za-z0-9_-' </dev/urandom | head -c 58)"
k2="$(LC_ALL=C tr -dc 'A-Za-z0-9_-' </dev/urandom | head -c 58)"
printf 'OpenAI.configure do |c|\n  c.access_token = "%sT3BlbkFJ%s"\nend\n' "$k1" "$k2" \
	>config/initializers/openai.rb
git add -A
git commit -qm "Configure OpenAI"
if git push heroku main; then
	echo "demo: the leaking push was NOT refused" >&2
	exit 1
fi
echo "(refused by pre-push, as it should be)"

step "the same push with --no-verify: the server's pre-receive refuses it"
if git push --no-verify heroku main; then
	echo "demo: pre-receive did NOT refuse the leak" >&2
	exit 1
fi
if git -C "$demo/deploy.git" rev-parse -q --verify main >/dev/null; then
	echo "demo: the deploy repository received the leak" >&2
	exit 1
fi
echo "(refused by pre-receive; the deploy repository has no main branch)"

step "the fix: read the key from the environment, rewrite the commit"
printf 'OpenAI.configure do |c|\n  c.access_token = ENV.fetch("OPENAI_API_KEY")\nend\n' \
	>config/initializers/openai.rb
git add -A
git commit -q --amend -m "Configure OpenAI from OPENAI_API_KEY"
git push heroku main

step "the same commit rebuilt here is byte-identical to what was released"
"$SG" build --commit HEAD --app "$app" --out "$demo/local-build"
ls -l "$demo/local-build"
slug="$demo/local-build/slug.tgz"
tar tzvf "$slug" | head -n 8
gzip -t "$slug" && echo "gzip -t: ok"
# The newest entry of the ledger ref the deploy repository's post-receive
# wrote: its attestation, as released.
ref="refs/slugguard/ledger/$app"
entry=$(git --git-dir="$demo/deploy.git" log -1 --format=%s "$ref" |
	sed -n 's/^ledger: [a-z]* \([^ ]*\) .*/\1/p')
att="$demo/released.intoto.json"
git --git-dir="$demo/deploy.git" show "$ref:$entry.json" |
	python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["attestation"])' >"$att"
echo "attestation of the released slug (from the release ledger $ref): $att"

step "slugguard verify: the local rebuild against the released attestation"
"$SG" verify "$slug" --attestation "$att" --key "$demo/keys/slugguard.pub.pem" --app "$app"

step "slugguard check --app $app"
"$SG" check --app "$app"

step "a second release, then a rollback to the signed v1"
printf '# Grayledger\n' >README.md
git add README.md
git commit -qm "README"
git push heroku main
"$SG" releases --app "$app"
"$SG" rollback --app "$app" v1
"$SG" releases --app "$app"

step "done: refused leak, signed slug, released, verified, checked, rolled back"
if [ -n "${STANDIN_PID:-}" ]; then
	trap - EXIT
	standin_stop || true
fi
exit 0
