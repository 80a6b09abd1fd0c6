// Independent check of a DSSE envelope or Sigstore bundle with
// @sigstore/verify (offline: empty trusted root, our key, no tlog).
// usage: NODE_PATH=<dir>/node_modules node sigstore-verify.js FILE PUB.pem SLUG
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

function fail(msg) {
  console.error('sigstore-verify: ' + msg);
  process.exit(1);
}

const [file, pubPath, artifact] = process.argv.slice(2);
if (!file || !pubPath || !artifact)
  fail('usage: sigstore-verify.js FILE PUB.pem SLUG');

let json = JSON.parse(fs.readFileSync(file, 'utf8'));
if (!json.mediaType) {
  // A bare envelope: wrap it as a v0.3 bundle with the same key hint.
  const keyid = (json.signatures && json.signatures[0] &&
                 json.signatures[0].keyid) || '';
  json = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      publicKey: { hint: keyid },
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: json,
  };
}

const key = crypto.createPublicKey(fs.readFileSync(pubPath));
const trust = toTrustMaterial(
  { mediaType: '', tlogs: [], certificateAuthorities: [], ctlogs: [],
    timestampAuthorities: [] },
  () => ({ publicKey: key, validFor: () => true }));

try {
  const bundle = bundleFromJSON(json);
  const entity = toSignedEntity(bundle);
  new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0,
                        timestampThreshold: 0 }).verify(entity);
} catch (e) {
  fail((e && (e.code || e.name)) + ': ' + (e && e.message));
}

// @sigstore/verify does not match DSSE subjects: check type and digest.
const env = json.dsseEnvelope;
if (env.payloadType !== 'application/vnd.in-toto+json')
  fail('payloadType is ' + env.payloadType);
const stmt = JSON.parse(Buffer.from(env.payload, 'base64').toString('utf8'));
if (stmt._type !== 'https://in-toto.io/Statement/v1')
  fail('not an in-toto Statement v1');
const want = crypto.createHash('sha256')
  .update(fs.readFileSync(artifact)).digest('hex');
if (!(stmt.subject || []).some((s) => s.digest && s.digest.sha256 === want))
  fail('no subject matches ' + artifact);
console.log('OK: @sigstore/verify accepted ' + file);
