#!/bin/sh
# init --template rails (the default) infers the policy from the app:
# Gemfile.lock (job runner, pg, neighbor -> pgvector second), Procfile,
# app.json, .env.example, .ruby-version. What it writes passes the tree,
# or it says exactly what to add; --template grayledger is the old one.
. "$(dirname "$0")/lib.sh"

# A Rails app skeleton like the ones slugguard meets: sidekiq, pg,
# neighbor, no app.json, a Procfile without a worker.
skeleton() {
	mkdir -p "$1/config" &&
	printf "%s\n" "source \"https://rubygems.org\"" "gem \"rails\"" \
		"gem \"pg\"" "gem \"sidekiq\"" "gem \"neighbor\"" >"$1/Gemfile" &&
	printf "%s\n" "GEM" "  remote: https://rubygems.org/" "  specs:" \
		"    connection_pool (2.4.1)" "    neighbor (0.5.1)" \
		"      activerecord (>= 7)" "    pg (1.5.9)" \
		"    rails (8.0.2)" "    sidekiq (8.0.5)" \
		"      connection_pool (>= 2.3.0)" "" "PLATFORMS" "  ruby" "" \
		"DEPENDENCIES" "  neighbor" "  pg" "  rails" "  sidekiq" \
		>"$1/Gemfile.lock" &&
	printf "%s\n" "# Required vars" "SECRET_KEY_BASE=changeme" \
		"PLAID_CLIENT_ID=" "" "# Optional vars" "SMTP_ADDRESS=" \
		"# DISABLE_SSL=true" >"$1/.env.example" &&
	echo "3.4.4" >"$1/.ruby-version" &&
	echo "# puma" >"$1/config/puma.rb"
}

test_expect_success 'setup: a Rails app with history' '
	git init -q app &&
	skeleton app &&
	printf "%s\n" "web: bundle exec puma -C config/puma.rb" >app/Procfile &&
	git -C app add . &&
	test_tick && git -C app commit -q -m "the app"
'

test_expect_success 'init infers from the app and the policy passes the tree' '
	(cd app && "$SG" init </dev/null >../out 2>../err) &&
	grep "\"web\"" app/slugguard.json &&
	! grep "TAXCLOUD\|solid_queue\|\"worker\"" app/slugguard.json &&
	! grep "buildpacks\|config_vars" app/slugguard.json &&
	grep "the Gemfile has sidekiq but no Procfile process runs it: add to Procfile: worker: bundle exec sidekiq" out &&
	grep "add to Procfile: release: bundle exec rails db:migrate" out &&
	grep "heroku/ruby.*heroku-buildpack-pgvector.git" out &&
	grep "declare RAILS_ENV, RACK_ENV, RAILS_LOG_TO_STDOUT, RAILS_SERVE_STATIC_FILES, SECRET_KEY_BASE, PLAID_CLIENT_ID in app.json" out &&
	! grep "SMTP_ADDRESS" out &&
	grep "Gemfile.lock has no RUBY VERSION" out &&
	grep "the policy passes the current tree" out &&
	(cd app && "$SG" check --dir . >../out) &&
	grep "no secret in the history, no baseline needed" err &&
	test ! -f app/.slugguard-baseline.json
'

test_expect_success 'init --app-json writes app.json and a Procfile the full policy passes' '
	(cd app && "$SG" init --app-json --force </dev/null >../out 2>&1) &&
	grep "\"heroku/ruby\"" app/slugguard.json &&
	grep "heroku-buildpack-pgvector.git" app/slugguard.json &&
	grep -A2 "\"order\"" app/slugguard.json | tail -1 | grep pgvector &&
	grep "\"SECRET_KEY_BASE\"" app/slugguard.json &&
	grep "\"worker\"" app/slugguard.json &&
	grep "^worker: bundle exec sidekiq$" app/Procfile &&
	grep "^release: bundle exec rails db:migrate$" app/Procfile &&
	grep "\"generator\":.*\"secret\"" app/app.json &&
	grep "heroku-redis" app/app.json &&
	grep "\"name\":.*\"app\"" app/app.json &&
	grep "the policy passes the current tree" out &&
	(cd app && "$SG" check --dir . >../out) &&
	! grep "^FAIL" out
'

test_expect_success 'an app.json that disagrees: init says exactly what to add' '
	mkdir other && skeleton other &&
	printf "%s\n" "{\"buildpacks\": [{\"url\": \"heroku/ruby\"}]," \
		"\"env\": {\"RAILS_ENV\": {\"value\": \"production\"}}}" \
		>other/app.json &&
	printf "%s\n" "web: bundle exec puma" "worker: bundle exec sidekiq" \
		"release: bin/rails db:migrate" >other/Procfile &&
	"$SG" init --dir other >out &&
	grep "\"RAILS_ENV\"" other/slugguard.json &&
	grep "\"release\": true" other/slugguard.json &&
	! grep "to check more: .*Procfile" out &&
	grep "does not pass the current tree yet; add:" out &&
	grep "heroku-buildpack-pgvector" out &&
	test_expect_code 1 "$SG" check --dir other >out
'

test_expect_success 'no Procfile: the Ruby default web, and what a worker needs' '
	mkdir bare && skeleton bare &&
	"$SG" init --dir bare >out &&
	! grep "procfile" bare/slugguard.json &&
	grep "no Procfile: Heroku runs only the Ruby buildpack.s default .web." out &&
	grep "worker: bundle exec sidekiq" out &&
	"$SG" check --dir bare >out
'

test_expect_success 'a worker runner other than sidekiq, and --template grayledger' '
	mkdir gj && skeleton gj &&
	sed -i "s/sidekiq/good_job/" gj/Gemfile.lock &&
	"$SG" init --dir gj --app-json >out &&
	grep "^worker: bundle exec good_job start$" gj/Procfile &&
	! grep "heroku-redis" gj/app.json &&
	"$SG" init --dir gj --template grayledger --force >out &&
	grep "TAXCLOUD_API_KEY" gj/slugguard.json
'

test_done
