// Mints signed JWTs for stauth's decode tests, with node:crypto only.
//
//   node tests/tokens/mint.mjs '<json>'
//
// Input (one JSON object, every key optional):
//   alg      "RS256" (default) | "PS256" | "ES256" | "EdDSA" | "HS256" | "none"
//   claims   the payload object (default {})
//   header   extra or overriding header fields (applied last, so
//            {"alg": "HS512"} or {"kid": "other"} lies about the key)
//   kid      kid of the key, in the header and the JWKS (default "k1";
//            null: no kid anywhere)
//   secret   the HMAC secret for HS256 (default "secret-for-hs256-tokens-0123456789")
//   flip     true: the signature is changed after signing (its first
//            character shifted in the base64url alphabet, as the test IdP's
//            "signature" tamper mode does), so it no longer verifies
//
// A fresh key pair is generated per call (RSA 2048, P-256, Ed25519).
// Output (one JSON object on stdout):
//   {"token": "...", "jwks": {"keys": [public JWK with kid, alg, use]},
//    "jwk": the same public JWK, "public_pem": "...", "private_pem": "..."}
// For HS256 and none there is no key pair: jwks holds the oct key (HS256) or
// nothing, and the PEM fields are null.

import crypto from "node:crypto";

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function b64url(buf) {
  return Buffer.from(buf).toString("base64url");
}

function fail(message) {
  process.stderr.write(`mint.mjs: ${message}\n`);
  process.exit(2);
}

function keyPair(alg) {
  switch (alg) {
    case "RS256":
    case "PS256":
      return crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    case "ES256":
      return crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    case "EdDSA":
      return crypto.generateKeyPairSync("ed25519");
    default:
      return null;
  }
}

function sign(alg, input, privateKey, secret) {
  const data = Buffer.from(input);
  switch (alg) {
    case "RS256":
      return crypto.sign("sha256", data, privateKey);
    case "PS256":
      return crypto.sign("sha256", data, {
        key: privateKey,
        padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      });
    case "ES256":
      return crypto.sign("sha256", data, { key: privateKey, dsaEncoding: "ieee-p1363" });
    case "EdDSA":
      return crypto.sign(null, data, privateKey);
    case "HS256":
      return crypto.createHmac("sha256", secret).update(data).digest();
    case "none":
      return Buffer.alloc(0);
    default:
      return fail(`unsupported alg ${alg}`);
  }
}

function flipFirst(sig) {
  if (sig.length === 0) return "A";
  const i = B64URL.indexOf(sig[0]);
  return B64URL[(i + 1) % 64] + sig.slice(1);
}

let input;
try {
  input = JSON.parse(process.argv[2] ?? "{}");
} catch (e) {
  fail(`the argument is not JSON: ${e.message}`);
}
const alg = input.alg ?? "RS256";
const kid = input.kid === undefined ? "k1" : input.kid;
const secret = input.secret ?? "secret-for-hs256-tokens-0123456789";
const claims = input.claims ?? {};

const header = { alg, typ: "JWT" };
if (kid !== null) header.kid = kid;
Object.assign(header, input.header ?? {});

const pair = keyPair(alg);
const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
let signature = b64url(sign(alg, signingInput, pair?.privateKey, secret));
if (input.flip) signature = flipFirst(signature);

let jwk = null;
if (pair) {
  jwk = pair.publicKey.export({ format: "jwk" });
} else if (alg === "HS256") {
  jwk = { kty: "oct", k: b64url(Buffer.from(secret)) };
}
if (jwk) {
  if (kid !== null) jwk.kid = kid;
  jwk.alg = alg;
  jwk.use = "sig";
}

process.stdout.write(
  JSON.stringify({
    token: `${signingInput}.${signature}`,
    jwks: { keys: jwk ? [jwk] : [] },
    jwk,
    public_pem: pair ? pair.publicKey.export({ type: "spki", format: "pem" }) : null,
    private_pem: pair ? pair.privateKey.export({ type: "pkcs8", format: "pem" }) : null,
  }) + "\n",
);
