#!/bin/sh
# Detection classes of issue 14 through the command line: assignments
# through subscripts and environment mappings, SDK constructors taking
# secrets positionally, JSON-escaped quotes, every entry of a Kubernetes
# Secret (base64 data decoded), vendor context from the file; and the
# real-code shapes that must stay silent. Keys are made here at run time.
. "$(dirname "$0")/lib.sh"

# A digit always: a value of letters only reads as a word to the
# generic rule (1 key in 180 of the old form had none: a flaky test).
key32() {
	printf '%s%s%s' "$(rand_chars 16 A-Za-z)" "$(rand_chars 1 0-9)" \
		"$(rand_chars 15 0-9a-z)"
}

test_expect_success 'setup' '
	mkdir -p t/config/initializers t/deploy t/notebooks t/web t/guides &&
	printf "ENV[\"MAILER_SECRET_KEY\"] = \"%s\"\n" "$(key32)" \
		>t/config/initializers/env.rb &&
	printf "import os\nos.environ[\"SERVICE_API_TOKEN\"] = \"%s\"\n" \
		"$(key32)" >t/setup_env.py &&
	printf "process.env[\"PAYMENT_API_KEY\"] = \"%s\";\n" "$(key32)" \
		>t/web/config.js &&
	sid="A""C$(rand_chars 32 0-9a-f)" &&
	printf "client = Client(\"%s\", \"%s\")\n" "$sid" \
		"$(rand_chars 32 0-9a-f)" >t/sms.py &&
	printf "{\"source\": [\"api_key = \\\\\"%s\\\\\"\\\\n\"]}\n" \
		"$(key32)" >t/notebooks/a.ipynb &&
	sk="sk_""live_$(rand_chars 24)" &&
	printf "%s\n" "$sk" >sk.txt &&
	{
		echo "apiVersion: v1" &&
		echo "kind: Secret" &&
		echo "data:" &&
		echo "  user: $(key32 | base64 | tr -d "\n")" &&
		echo "  pass: $(key32 | base64 | tr -d "\n")" &&
		echo "  stripe: $(printf %s "$sk" | base64 | tr -d "\n")"
	} >t/deploy/secret.yaml &&
	printf "production:\n  login: %s%s\n" "$(rand_chars 6 A-Za-z)" \
		"$(rand_chars 4 0-9)" >t/config/authorize_net.yml
'

test_expect_success 'each class is found where it is' '
	(cd t && test_expect_code 1 "$SG" scan --dir . >../out 2>../err) &&
	grep "^config/initializers/env.rb:1:.* generic-secret " out &&
	grep "^setup_env.py:2:.* generic-secret " out &&
	grep "^web/config.js:1:.* generic-secret " out &&
	grep "^sms.py:1:.* twilio-account-sid " out &&
	grep "^sms.py:1:.* twilio-auth-token " out &&
	grep "^notebooks/a.ipynb:1:.* generic-secret " out &&
	grep "^deploy/secret.yaml:4:.* kubernetes-secret " out &&
	grep "^deploy/secret.yaml:5:.* kubernetes-secret " out &&
	grep "^deploy/secret.yaml:6:.* stripe-secret-key " out &&
	grep "^config/authorize_net.yml:2:.* vendor-credential " out &&
	grep "^10 findings in files on disk" out
'

test_expect_success 'a decoded secret is redacted like any other' '
	test -s sk.txt &&
	! grep -F -f sk.txt out &&
	(cd t && test_expect_code 1 "$SG" scan --dir . --format json \
		>../out.json 2>/dev/null) &&
	! grep -F -f sk.txt out.json &&
	grep "\"rule\":\"stripe-secret-key\"" out.json
'

test_expect_success 'real-code shapes stay silent' '
	mkdir q &&
	echo "    @api_key.expires_at = 1.day.from_now" >q/key_test.rb &&
	echo "#   api_key: a1B2c3D4e5F6" >q/secrets.yml &&
	printf "Set it:\n\n    api_key = \"%s\"\n" "$(key32)" >q/guide.md &&
	printf "headers[\"X-Api-Key\"] = api_key\n" >q/h.rb &&
	printf "production:\n  key: %s%s\n" "$(rand_chars 6 A-Za-z)" \
		"$(rand_chars 6 0-9)" >q/cache.yml &&
	(cd q && "$SG" scan --dir . >../out 2>../err) &&
	grep "^0 findings in files on disk" out
'

test_expect_success 'one secret twice on a line is one finding' '
	mkdir d &&
	v=$(key32) &&
	printf "H = { \"api_key\" => \"%s\", \"x-api-key\" => \"%s\" }\n" \
		"$v" "$v" >d/h.rb &&
	(cd d && test_expect_code 1 "$SG" scan --dir . >../out 2>../err) &&
	grep "^1 finding in files on disk" out &&
	test "$(grep -c "^h.rb:1:" out)" = 1
'

test_done
