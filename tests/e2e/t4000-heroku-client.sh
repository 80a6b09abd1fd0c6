#!/bin/sh
# The Platform API client against the HTTPS stand-in: auth, Heroku's
# error shape, retries on 429/503/dropped connections, timeouts, paging,
# TLS verification, and the key never leaking.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/helper/standin.sh"

standin_start "$TRASH/standin" || exit 1
standin_app app1

test_expect_success 'releases of an app with none lists nothing' '
	"$SG" releases --app app1 >out 2>err &&
	test ! -s out
'

test_expect_success 'the client sends Heroku v3 headers and a bearer token' '
	standin_log GET /apps/app1/releases >log &&
	grep "\"accept\": \"application/vnd.heroku+json; version=3\"" log &&
	grep "\"authorization\": \"Bearer \[redacted\]\"" log &&
	grep "\"user-agent\": \"slugguard/" log
'

test_expect_success 'a wrong API key is one line with Heroku id and message' '
	test_expect_code 2 env HEROKU_API_KEY=wrong-key \
		"$SG" releases --app app1 >out 2>err &&
	test_line_count = 1 err &&
	grep "^slugguard: heroku: unauthorized: Invalid credentials provided.$" err
'

test_expect_success 'no key at all says how to provide one' '
	test_expect_code 2 env -u HEROKU_API_KEY "$SG" releases --app app1 2>err &&
	grep "no API key" err
'

test_expect_success 'the key is read from ~/.netrc' '
	printf "machine example.com login a password b\nmachine api.heroku.com\n  login me@example.com\n  password %s\n" \
		"$HEROKU_API_KEY" >"$HOME/.netrc" &&
	env -u HEROKU_API_KEY "$SG" releases --app app1 &&
	rm "$HOME/.netrc"
'

test_expect_success 'an unknown app is not_found' '
	test_expect_code 2 "$SG" releases --app nope 2>err &&
	grep "^slugguard: heroku: not_found: Couldn.t find that app.$" err
'

test_expect_success '429 with Retry-After is waited for and retried' '
	standin_ctl "{\"faults\": [{\"method\": \"GET\", \"path\": \"/apps/app1/releases\", \"kind\": \"429\", \"retry_after\": \"1\", \"count\": 1}]}" &&
	before=$(standin_count GET /apps/app1/releases) &&
	start=$(date +%s) &&
	"$SG" releases --app app1 &&
	end=$(date +%s) &&
	test $((end - start)) -ge 1 &&
	test "$(standin_count GET /apps/app1/releases)" = $((before + 2))
'

test_expect_success '429 without Retry-After backs off; exhausted is rate_limit' '
	standin_ctl "{\"faults\": [{\"method\": \"GET\", \"path\": \"/apps/app1/releases\", \"kind\": \"429\", \"count\": 3}]}" &&
	test_expect_code 2 env SLUGGUARD_HTTP_TRIES=3 \
		"$SG" releases --app app1 2>err &&
	grep "^slugguard: heroku: rate_limit: Your account reached the API rate limit" err &&
	grep "after 3 tries" err
'

test_expect_success '503 without JSON is retried, and says the status when it persists' '
	standin_ctl "{\"faults\": [{\"method\": \"GET\", \"path\": \"/apps/app1/releases\", \"kind\": \"503\", \"count\": 1}]}" &&
	"$SG" releases --app app1 &&
	standin_ctl "{\"faults\": [{\"method\": \"GET\", \"path\": \"/apps/app1/releases\", \"kind\": \"503\", \"count\": 2}]}" &&
	test_expect_code 2 env SLUGGUARD_HTTP_TRIES=2 \
		"$SG" releases --app app1 2>err &&
	test_line_count = 1 err &&
	grep "heroku: HTTP 503 from .GET /apps/app1/releases." err
'

test_expect_success 'a dropped connection is retried' '
	standin_ctl "{\"faults\": [{\"method\": \"GET\", \"path\": \"/apps/app1/releases\", \"kind\": \"drop\", \"count\": 1}]}" &&
	"$SG" releases --app app1
'

test_expect_success 'a reply slower than the timeout fails clearly' '
	standin_ctl "{\"faults\": [{\"method\": \"GET\", \"path\": \"/apps/app1/releases\", \"kind\": \"slow\", \"delay\": 3, \"count\": 2}]}" &&
	test_expect_code 2 env SLUGGUARD_HTTP_TIMEOUT=1 SLUGGUARD_HTTP_TRIES=2 \
		"$SG" releases --app app1 2>err &&
	grep "timed out" err &&
	sleep 3
'

test_expect_success 'releases page through Range / Next-Range' '
	standin_ctl "{\"apps\": {\"paged\": {}}, \"seed_releases\": {\"paged\": 7}, \"page_size\": 3}" &&
	"$SG" releases --app paged >out &&
	test_line_count = 7 out &&
	head -n 1 out | grep "^v7 " &&
	tail -n 1 out | grep "^v1 " &&
	standin_log GET /apps/paged/releases >log &&
	test_line_count = 3 log &&
	grep "\"range\": \"version ..4; order=desc, max=3\"" log &&
	standin_ctl "{\"page_size\": 200}"
'

test_expect_success 'an empty rate-limit bucket slows down but still works' '
	standin_ctl "{\"rate_remaining\": 0}" &&
	"$SG" releases --app paged >out &&
	test_line_count = 7 out &&
	standin_ctl "{\"rate_remaining\": 4500}"
'

test_expect_success 'TLS is verified: an unknown CA is refused' '
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout other.key -out other.pem -days 1 -subj "/CN=other" \
		2>/dev/null &&
	test_expect_code 2 env SSL_CERT_FILE="$TRASH/other.pem" \
		"$SG" releases --app app1 2>err &&
	grep -i "certificate" err
'

test_expect_success '--cacert overrides SSL_CERT_FILE' '
	env SSL_CERT_FILE="$TRASH/other.pem" \
		"$SG" releases --app app1 --cacert "$STANDIN_DIR/ca.pem"
'

test_expect_success 'plain http is refused for a non-loopback API URL' '
	test_expect_code 2 env HEROKU_API_URL=http://api.example.com \
		"$SG" releases --app app1 2>err &&
	grep "must be https" err
'

test_expect_success 'the API key appears in no output and no request log' '
	! grep -r -F -e "$HEROKU_API_KEY" "$STANDIN_DIR/requests.log" \
		"$TRASH"/out "$TRASH"/err
'

test_done
