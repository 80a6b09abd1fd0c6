# shellcheck shell=sh
# Start and drive the local Heroku Platform API stand-in (standin.py).
# Source this file (the e2e tests and scripts/demo.sh do), then:
#
#   standin_start [DIR]   make a CA and a server certificate with openssl,
#                         start the server on 127.0.0.1 (ephemeral port),
#                         and export HEROKU_API_URL, SSL_CERT_FILE,
#                         HEROKU_API_KEY (a random token made now, also
#                         given to the server), STANDIN_DIR, STANDIN_PID
#                         and short retry/timeout knobs for slugguard;
#                         with $SG set and no SLUGGUARD_SIGNING_KEY, also
#                         a signing key (standin_signing_key)
#   standin_stop          stop it (also run at exit)
#   standin_ctl JSON      POST JSON to /__control (see standin.py)
#   standin_app NAME [JSON-OVERRIDES]
#                         create an app shaped like the reference app:
#                         heroku/ruby then pgvector, every required config
#                         var, web=1 worker=1; the overrides object is
#                         merged into the app's spec
#   standin_state         print the state as JSON
#   standin_log [METHOD] [PATH-SUBSTRING]
#                         print matching requests, one JSON line each
#   standin_count METHOD PATH-SUBSTRING
#                         how many such requests were made
#   standin_json EXPR     evaluate a Python expression over the state
#                         (bound to s) and print the result

STANDIN_PY=${STANDIN_PY:-$(cd "$(dirname "$0")/.." 2>/dev/null && pwd)/helper/standin.py}
[ -f "$STANDIN_PY" ] || STANDIN_PY="${SLUGGUARD_TOP:-.}/tests/helper/standin.py"

standin_certs() {
	_d=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$_d/ca.key" -out "$_d/ca.pem" -days 2 \
		-subj "/CN=slugguard test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" \
		>/dev/null 2>&1 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$_d/server.key" -out "$_d/server.csr" \
		-subj "/CN=127.0.0.1" >/dev/null 2>&1 &&
	printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" \
		"basicConstraints=CA:FALSE" \
		"extendedKeyUsage=serverAuth" >"$_d/server.ext" &&
	openssl x509 -req -in "$_d/server.csr" -CA "$_d/ca.pem" \
		-CAkey "$_d/ca.key" -CAcreateserial -out "$_d/server.pem" \
		-days 2 -extfile "$_d/server.ext" >/dev/null 2>&1
}

standin_start() {
	STANDIN_DIR=${1:-$PWD/standin}
	mkdir -p "$STANDIN_DIR" || return 1
	if ! standin_certs "$STANDIN_DIR"; then
		echo "standin: cannot make certificates" >&2
		return 1
	fi
	rm -f "$STANDIN_DIR/port"
	python3 "$STANDIN_PY" serve --dir "$STANDIN_DIR" \
		--cert "$STANDIN_DIR/server.pem" --key "$STANDIN_DIR/server.key" \
		>>"$STANDIN_DIR/server.log" 2>&1 &
	STANDIN_PID=$!
	_n=0
	while [ ! -s "$STANDIN_DIR/port" ]; do
		_n=$((_n + 1))
		if [ $_n -gt 100 ] || ! kill -0 "$STANDIN_PID" 2>/dev/null; then
			echo "standin: server did not start" >&2
			cat "$STANDIN_DIR/server.log" >&2
			return 1
		fi
		sleep 0.1
	done
	STANDIN_PORT=$(cat "$STANDIN_DIR/port")
	HEROKU_API_URL="https://127.0.0.1:$STANDIN_PORT"
	SSL_CERT_FILE="$STANDIN_DIR/ca.pem"
	# A fresh token per run, built here: nothing key-like is committed.
	HEROKU_API_KEY="HRKU-$(LC_ALL=C tr -dc 'a-f0-9' </dev/urandom | head -c 32)"
	SLUGGUARD_HTTP_TIMEOUT=${SLUGGUARD_HTTP_TIMEOUT:-5}
	SLUGGUARD_HTTP_BACKOFF_MS=${SLUGGUARD_HTTP_BACKOFF_MS:-50}
	SLUGGUARD_HTTP_MAX_WAIT_MS=${SLUGGUARD_HTTP_MAX_WAIT_MS:-3000}
	SLUGGUARD_RELEASE_POLL_MS=${SLUGGUARD_RELEASE_POLL_MS:-50}
	export STANDIN_DIR STANDIN_PID STANDIN_PORT HEROKU_API_URL \
		SSL_CERT_FILE HEROKU_API_KEY SLUGGUARD_HTTP_TIMEOUT \
		SLUGGUARD_HTTP_BACKOFF_MS SLUGGUARD_HTTP_MAX_WAIT_MS \
		SLUGGUARD_RELEASE_POLL_MS
	trap 'standin_stop' EXIT
	standin_ctl "{\"token\": \"$HEROKU_API_KEY\"}" >/dev/null &&
	if [ -n "$SG" ] && [ -z "$SLUGGUARD_SIGNING_KEY" ]; then
		standin_signing_key
	fi
}

standin_stop() {
	if [ -n "$STANDIN_PID" ]; then
		kill "$STANDIN_PID" 2>/dev/null
		wait "$STANDIN_PID" 2>/dev/null
		STANDIN_PID=
	fi
}

standin_ctl() {
	python3 "$STANDIN_PY" control --dir "$STANDIN_DIR" "$1"
}

standin_app() {
	_over=${2:-}
	[ -n "$_over" ] || _over='{}'
	python3 - "$1" "$_over" <<'EOF' >"$STANDIN_DIR/app.json" &&
import json, sys
name, over = sys.argv[1], json.loads(sys.argv[2])
names = ["RAILS_ENV", "RACK_ENV", "RAILS_LOG_TO_STDOUT",
         "RAILS_SERVE_STATIC_FILES", "RAILS_MAX_THREADS", "WEB_CONCURRENCY",
         "OPENAI_API_KEY", "PLAID_CLIENT_ID", "PLAID_SECRET", "PLAID_ENV",
         "TAXCLOUD_API_LOGIN", "TAXCLOUD_API_KEY", "AWS_ACCESS_KEY_ID",
         "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_S3_BUCKET"]
spec = {
    "buildpacks": ["heroku/ruby",
                   "https://github.com/heroku/heroku-buildpack-pgvector.git"],
    # Values are placeholders: the client must never print them anyway.
    "config_vars": {n: "value-of-" + n.lower() for n in names},
    "formation": [{"type": "web", "quantity": 1},
                  {"type": "worker", "quantity": 1}],
}
spec.update(over)
print(json.dumps({"apps": {name: spec}}))
EOF
	standin_ctl "$(cat "$STANDIN_DIR/app.json")" >/dev/null
}

standin_state() {
	python3 "$STANDIN_PY" state --dir "$STANDIN_DIR"
}

standin_log() {
	python3 "$STANDIN_PY" log --dir "$STANDIN_DIR" \
		${1:+--method "$1"} ${2:+--path "$2"}
}

standin_count() {
	standin_log "$1" "$2" | wc -l | tr -d ' '
}

standin_json() {
	standin_state | python3 -c '
import json, sys
s = json.load(sys.stdin)
r = eval(sys.argv[1])
print(r if isinstance(r, str) else json.dumps(r))' "$1"
}

# standin_signing_key: make (once) an Ed25519 key with slugguard keygen
# and export SLUGGUARD_SIGNING_KEY (its public half is beside it).
standin_signing_key() {
	if [ ! -f "$STANDIN_DIR/signing.pem" ]; then
		"$SG" keygen --type ed25519 --out "$STANDIN_DIR/signing.pem" 2>&1 \
			>/dev/null || return 1
	fi
	SLUGGUARD_SIGNING_KEY="$STANDIN_DIR/signing.pem"
	export SLUGGUARD_SIGNING_KEY
}

# standin_sign_slug SLUG OUT: a DSSE envelope with an in-toto statement
# whose subject is SLUG's sha256, signed by $SLUGGUARD_SIGNING_KEY with
# the openssl CLI (the PAE of the DSSE spec; Ed25519 signs it raw).
standin_sign_slug() {
	_sha=$(sha256sum "$1" | cut -d' ' -f1) &&
	printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"slug.tgz","digest":{"sha256":"%s"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{}}' \
		"$_sha" >"$2.payload" &&
	_len=$(wc -c <"$2.payload" | tr -d ' ') &&
	{ printf 'DSSEv1 28 application/vnd.in-toto+json %s ' "$_len" &&
	  cat "$2.payload"; } >"$2.pae" &&
	openssl pkeyutl -sign -rawin -inkey "$SLUGGUARD_SIGNING_KEY" \
		-in "$2.pae" -out "$2.sig" &&
	printf '{"payloadType":"application/vnd.in-toto+json","payload":"%s","signatures":[{"keyid":"","sig":"%s"}]}\n' \
		"$(base64 -w0 <"$2.payload")" "$(base64 -w0 <"$2.sig")" >"$2" &&
	rm -f "$2.payload" "$2.pae" "$2.sig"
}

# standin_fake_build DIR [RELEASE-CMD]: a build directory as `slugguard
# build` leaves it (slug.tgz, slug.tgz.intoto.json signed with
# standin_signing_key, release.json) made with tar and openssl, for
# deploy tests that need no buildpacks.
standin_fake_build() {
	_d=$1
	standin_signing_key &&
	mkdir -p "$_d/tree/app" &&
	printf 'source "https://rubygems.org"\n' >"$_d/tree/app/Gemfile" &&
	printf 'build %s\n' "$(rand_hex 16)" >"$_d/tree/app/VERSION" &&
	tar -C "$_d/tree" -czf "$_d/slug.tgz" ./app &&
	_sha=$(sha256sum "$_d/slug.tgz" | cut -d' ' -f1) &&
	standin_sign_slug "$_d/slug.tgz" "$_d/slug.tgz.intoto.json" &&
	cat >"$_d/release.json" <<JSON
{
  "process_types": {"web": "bundle exec puma -C config/puma.rb",
                    "worker": "bundle exec sidekiq",
                    "release": "${2:-bin/rails db:migrate}"},
  "checksum": "SHA256:$_sha",
  "stack": "heroku-24",
  "commit": "$(rand_hex 40)",
  "commit_description": "test build",
  "buildpack_provided_description": "Ruby",
  "buildpacks": ["heroku/ruby",
                 "https://github.com/heroku/heroku-buildpack-pgvector.git"],
  "required_config_vars": ["RAILS_ENV", "OPENAI_API_KEY", "PLAID_SECRET"]
}
JSON
}

rand_hex() {
	LC_ALL=C tr -dc 'a-f0-9' </dev/urandom | head -c "$1"
}

# test_line_count OP N FILE, as in git's test-lib (if lib.sh lacks it).
if ! command -v test_line_count >/dev/null 2>&1; then
	test_line_count() {
		if ! test "$(wc -l <"$3" | tr -d ' ')" "$1" "$2"; then
			echo "test_line_count: $3 has $(wc -l <"$3") lines, wanted $1 $2" >&2
			cat "$3" >&2
			return 1
		fi
	}
fi
