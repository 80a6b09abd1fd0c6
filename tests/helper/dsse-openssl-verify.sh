#!/bin/sh
# Independent DSSE check with the openssl CLI and jq (attestation.md, sec. 6).
# usage: dsse-openssl-verify.sh ENVELOPE-OR-BUNDLE PUB.pem ARTIFACT
set -eu
ENV=$1 PUB=$2 ART=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# A Sigstore bundle carries the envelope under .dsseEnvelope.
jq 'if .dsseEnvelope then .dsseEnvelope else . end' "$ENV" >"$T/env"
jq -j '.payloadType' "$T/env" >"$T/type"
[ "$(cat "$T/type")" = "application/vnd.in-toto+json" ] ||
	{ echo "bad payloadType" >&2; exit 1; }
jq -j '.payload' "$T/env" | base64 -d >"$T/body"
jq -j '.signatures[0].sig' "$T/env" | base64 -d >"$T/sig"
{
	printf 'DSSEv1 %d ' "$(wc -c <"$T/type")"
	cat "$T/type"
	printf ' %d ' "$(wc -c <"$T/body")"
	cat "$T/body"
} >"$T/pae"
if openssl pkey -pubin -in "$PUB" -noout -text 2>/dev/null | grep -q ED25519; then
	openssl pkeyutl -verify -pubin -inkey "$PUB" -rawin -in "$T/pae" \
		-sigfile "$T/sig"
else
	openssl dgst -sha256 -verify "$PUB" -signature "$T/sig" "$T/pae"
fi
jq -e '._type == "https://in-toto.io/Statement/v1" and .predicateType == "https://slsa.dev/provenance/v1"' "$T/body" >/dev/null
WANT=$(sha256sum "$ART" | cut -d' ' -f1)
jq -e --arg d "$WANT" 'any(.subject[]; .digest.sha256 == $d)' "$T/body" >/dev/null ||
	{ echo "subject digest mismatch" >&2; exit 1; }
echo "OK: signature and subject digest verified"
