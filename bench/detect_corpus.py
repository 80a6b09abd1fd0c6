#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Detection corpus for bench/detect.sh, built at run time.

Writes one file per case under DIR and DIR/expect.tsv with one row per
line that must be reported ("secret") or may be ("neutral"): class, path,
line, count. Every other finding is a false positive, and so is a second
finding of one secret on a line. The fake keys are drawn from a seeded
generator and assembled from pieces here: no key-like literal is kept in
the repository.

Classes (issue 14): subscript and environment assignments, SDK
constructors taking secrets positionally, JSON-escaped quotes,
Kubernetes Secret manifests, vendor context from the file, and real-code
shapes that must stay silent.
"""
import base64
import os
import random
import sys

rng = random.Random(14)
LOWER = "abcdefghijklmnopqrstuvwxyz"
UPPER = LOWER.upper()
DIGITS = "0123456789"
ALNUM = LOWER + UPPER + DIGITS
HEX = DIGITS + "abcdef"


def draw(n, alphabet=ALNUM):
    """n characters with letters and digits both (a key, not a word)."""
    while True:
        s = "".join(rng.choice(alphabet) for _ in range(n))
        if any(c.isdigit() for c in s) and any(c.isalpha() for c in s):
            return s


def aws_id():
    return "AK" + "IA" + draw(16, UPPER + DIGITS)


def aws_secret():
    return draw(40, ALNUM + "+/")


def twilio_sid():
    return "A" + "C" + draw(32, HEX)


def stripe_key():
    return "sk" + "_" + "live" + "_" + draw(24)


CASES = []


def case(cls, path, lines):
    """lines: (text, kind, count) with kind secret, neutral or clean."""
    CASES.append((cls, path, lines))


def S(text, n=1):
    return (text, "secret", n)


def N(text):
    return (text, "neutral", 1)


def C(text):
    return (text, "clean", 0)


def build():
    q = '"'
    # -- values assigned through an index or subscript
    case("subscript", "app/lib/headers.rb",
         [C("def headers"), S(f'  headers["X-Api-Key"] = "{draw(24)}"'),
          C("end")])
    case("subscript", "config/initializers/svc.rb",
         [S(f"config[:secret_key] = '{draw(28)}'")])
    case("subscript", "config/initializers/env.rb",
         [S(f'ENV["STRIPE_SECRET_KEY"] = "{draw(32)}"'),
          S(f"ENV['MAILER_API_TOKEN'] = '{draw(30)}'")])
    case("subscript", "scripts/setup_env.py",
         [C("import os"),
          S(f'os.environ["SERVICE_API_TOKEN"] = "{draw(32)}"'),
          S(f"os.environ['PAYMENT_SECRET'] = '{draw(30)}'")])
    case("subscript", "web/config.js",
         [S(f'process.env.PAYMENT_API_KEY = "{draw(32)}";'),
          S(f"process.env['MAILER_SECRET'] = '{draw(28)}';")])
    case("subscript", "app/services/client.py",
         [S(f'settings["auth_token"] = "{draw(30)}"')])
    case("subscript", "config/boot_env.rb",
         [S(f'ENV.fetch("SIGNING_SECRET", "{draw(30)}")'),
          S(f'ENV.store("API_SECRET", "{draw(30)}")')])
    case("subscript-clean", "app/lib/headers_ok.rb",
         [C('headers["X-Api-Key"] = api_key'),
          C('ENV["SECRET_KEY_BASE"] = ENV.fetch("OTHER_SECRET")'),
          C("config[:secret_key] = "
            "Rails.application.credentials.secret_key"),
          C("params[:api_key] = nil"),
          C('ENV.fetch("API_KEY", nil)'),
          C('t("api_key", "Your API key goes here")')])
    case("subscript-clean", "scripts/env_ok.py",
         [C('os.environ["API_TOKEN"] = token_from_vault()'),
          C("process.env.API_KEY = process.env.FALLBACK_API_KEY || ''")])

    # -- secrets passed positionally to SDK constructors
    case("sdk", "config/initializers/aws.rb",
         [S(f'creds = Aws::Credentials.new("{aws_id()}", "{aws_secret()}")',
            2)])
    case("sdk", "app/lib/aws_client.js",
         [S(f"const c = new AWS.Credentials('{aws_id()}', "
            f"'{aws_secret()}');", 2)])
    case("sdk", "config/initializers/twilio.rb",
         [S(f"client = Twilio::REST::Client.new('{twilio_sid()}', "
            f"'{draw(32, HEX)}')", 2)])
    case("sdk", "notify/sms.py",
         [C("from twilio.rest import Client"),
          S(f'client = Client("{twilio_sid()}", "{draw(32, HEX)}")', 2)])
    case("sdk", "link/plaid_client.js",
         [S(f"const client = new plaid.Client('{draw(24, HEX)}', "
            f"'{draw(30, LOWER + DIGITS)}', 'public', "
            "plaid.environments.sandbox);", 2)])
    case("sdk", "config/initializers/algolia.rb",
         [S(f"Algolia::Search::Client.create('{draw(10, UPPER + DIGITS)}', "
            f"'{draw(32, HEX)}')")])
    case("sdk", "config/initializers/stripe.rb",
         [S(f'Stripe::StripeClient.new("{stripe_key()}")')])
    case("sdk-clean", "config/initializers/sdk_ok.rb",
         [C('Aws::Credentials.new(ENV["AWS_ACCESS_KEY_ID"], '
            'ENV["AWS_SECRET_ACCESS_KEY"])'),
          C("Twilio::REST::Client.new(account_sid, auth_token)"),
          C('Client("ACCOUNT_SID", "AUTH_TOKEN")')])

    # -- JSON-escaped quotes around names and values
    case("json-escaped", "notebooks/explore.ipynb",
         [C('{"cells": [{"cell_type": "code", "source": ['),
          S(f'    "api_key = \\"{draw(32)}\\"\\n",'),
          S(f'    "client = Client(token=\\"{draw(40)}\\")\\n"'),
          C("]}]}")])
    case("json-escaped", "spec/fixtures/payload.json",
         [S('{"body": "{\\"api_key\\": \\"' + draw(32) + '\\"}"}')])
    case("json-escaped", "app/lib/hook.rb",
         [S('BODY = "{\\"client_secret\\":\\"' + draw(30) + '\\"}"')])
    case("json-escaped", "app/lib/aws_body.js",
         [S("const b = \"{\\\"aws_secret_access_key\\\": \\\"" +
            aws_secret() + "\\\"}\";")])
    case("json-escaped-clean", "app/lib/body_ok.rb",
         [C('BODY = "{\\"api_key\\": \\"${API_KEY}\\"}"'),
          C('T = "{\\"token\\": \\"<your-token-here>\\"}"')])

    # -- Kubernetes Secret manifests
    b = [base64.b64encode(draw(n).encode()).decode() for n in (18, 24, 30)]
    inner = base64.b64encode(stripe_key().encode()).decode()
    case("kubernetes", "deploy/secret.yaml",
         [C("apiVersion: v1"), C("kind: Secret"), C("metadata:"),
          C("  name: app"), C("type: Opaque"), C("data:"),
          S(f"  db-password: {b[0]}"), S(f"  api-token: {b[1]}"),
          C("  # rotated monthly"), S(f"  session: {b[2]}"),
          S(f"  stripe: {inner}")])
    case("kubernetes", "deploy/kubectl-out.yaml",
         [C("apiVersion: v1"), C("data:"),
          S(f"  password: {b[2]}"), S(f"  token: {b[0]}"),
          C("kind: Secret"), C("metadata:"), C("  name: out")])
    case("kubernetes", "deploy/string.yaml",
         [C("apiVersion: v1"), C("kind: Secret"), C("stringData:"),
          S(f"  SESSION_KEY: \"{draw(26)}\""),
          S(f"  WORKER_PASS: {draw(20)}")])
    case("kubernetes-clean", "deploy/config.yaml",
         [C("apiVersion: v1"), C("kind: Secret"), C("data:"),
          C("  password: {{ .Values.password | b64enc }}"),
          C("---"), C("apiVersion: v1"), C("kind: ConfigMap"),
          C("data:"), C(f"  color: {b[1]}")])

    # -- vendor context from the file
    case("vendor-file", "config/plaid.yml",
         [C("development:"), N(f"  client_id: {draw(24, HEX)}"),
          S(f"  secret: {draw(30, LOWER + DIGITS)}")])
    case("vendor-file", "config/authorize_net.yml",
         [C("production:"), S(f"  login: {draw(10)}"),
          S(f"  key: {draw(16)}")])
    case("vendor-file", "config/services.json",
         [C("{"), C(' "sendgrid": {'),
          S(f'   "apiKey": "{draw(20)}",'),
          C('   "from": "ops@shop.test"'), C(" }"), C("}")])
    case("vendor-file", "config/initializers/pusher_conf.rb",
         [C("Pusher.app_id = '1234'"),
          S(f"Pusher.key = '{draw(20, HEX)}'"),
          S(f"Pusher.secret = '{draw(20, HEX)}'")])
    case("vendor-file-clean", "config/stripe.yml",
         [C("production:"), C('  key: <%= ENV["STRIPE_KEY"] %>'),
          C("  login: admin"), C("  secret: changeme"),
          C("  token: payment_method_id")])
    case("vendor-file-clean", "config/cache.yml",
         [C("production:"), C(f"  key: {draw(16)}")])

    # -- real-code shapes that are not secrets
    case("code-clean", "test/models/key_test.rb",
         [C("    @api_key.expires_at = 1.day.from_now"),
          C("    @token.refreshed_at = 30.minutes.ago")])
    case("code-clean", "config/secrets.yml",
         [C("#   api_key: a1B2c3D4e5F6"), C("#   token: abcdef123456")])
    case("code-clean", "guides/source/setup.md",
         [C("Set `secret_key_base: " + draw(64, HEX) + "` in the file"),
          C('    api_key = "' + draw(32) + '"')])
    case("code-clean", "lib/format.c",
         [C('printf("{\\"token\\": \\"sha512-%86b==\\"}");')])
    same = draw(32)
    case("same-line", "config/initializers/dup.rb",
         [S(f'HEADERS = {{ "api_key" => "{same}", '
            f'"x-api-key" => "{same}" }}')])


def score(top, report):
    """Per class: secrets found / expected, and false positives."""
    import json
    want = {}
    classes = {}
    for row in open(os.path.join(top, "expect.tsv")):
        cls, path, line, kind, n = row.rstrip("\n").split("\t")
        classes.setdefault(cls, [0, 0, 0])
        classes[cls][1] += int(n) if kind == "secret" else 0
        if kind != "none":
            want[(path, int(line))] = (cls, kind, int(n))
    owner = {}
    for row in open(os.path.join(top, "expect.tsv")):
        cls, path = row.split("\t")[:2]
        owner[path] = cls
    seen = {}
    for f in json.load(open(report))["findings"]:
        path = os.path.relpath(f["file"], top) \
            if os.path.isabs(f["file"]) else f["file"]
        seen.setdefault((path, f["line"]), []).append(f["rule"])
    for key, rules in sorted(seen.items()):
        cls, kind, n = want.get(key, (owner.get(key[0], "?"), "clean", 0))
        if kind == "secret":
            classes[cls][0] += min(len(rules), n)
            extra = len(rules) - n
        elif kind == "neutral":
            extra = len(rules) - n
        else:
            extra = len(rules)
        if extra > 0:
            classes[cls][2] += extra
            print(f"  false positive: {key[0]}:{key[1]} {','.join(rules)}")
    tp = sum(c[0] for c in classes.values())
    total = sum(c[1] for c in classes.values())
    fp = sum(c[2] for c in classes.values())
    for cls in sorted(classes):
        found, n, fps = classes[cls]
        print(f"  {cls:20} found {found:3}/{n:<3} false positives {fps}")
    print(f"  {'all':20} found {tp:3}/{total:<3} recall "
          f"{tp / total if total else 1:.3f} false positives {fp}")


def main():
    if sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
        return
    top = sys.argv[1]
    build()
    rows = []
    for cls, path, lines in CASES:
        full = os.path.join(top, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            for i, (text, kind, n) in enumerate(lines, 1):
                f.write(text + "\n")
                if kind != "clean":
                    rows.append(f"{cls}\t{path}\t{i}\t{kind}\t{n}")
        if not any(k != "clean" for _, k, _ in lines):
            rows.append(f"{cls}\t{path}\t0\tnone\t0")
    with open(os.path.join(top, "expect.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


main()
