// Loopback OpenID Connect provider for stauth's integration tests.
//
//   node tests/idp/server.mjs '<CONFIG JSON>'      ('{}' for the defaults)
//
// Built on oidc-provider (OpenID Certified). Listens on 127.0.0.1 only, prints
// one JSON "ready" line on stdout, logs to stderr, and exits when its stdin
// closes (so a crashed test never leaves it running) or on SIGTERM/SIGINT.
// See README.md next to this file for the configuration keys and routes.

import * as crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';

// oidc-provider prints its NOTICEs with console.info (stdout). stdout is
// reserved for the single ready line, so send every console.* to stderr
// before the library is loaded (hence the dynamic import below).
for (const name of ['log', 'info', 'debug']) {
  console[name] = (...args) => console.error(...args);
}
const { default: Provider, interactionPolicy } = await import('oidc-provider');

const log = (...args) => console.error(...args);

// ---------------------------------------------------------------- lifetime --

process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

// ------------------------------------------------------------------ config --

// The configuration is the single argument: JSON text, or `@FILE` to read the
// JSON from FILE (for configurations too large for a command-line argument).
let config;
try {
  const arg = process.argv[2] ?? '{}';
  config = JSON.parse(arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new TypeError('the configuration must be a JSON object');
  }
} catch (err) {
  log(`invalid configuration argument: ${err.message}`);
  process.exit(2);
}

const DEFAULT_REDIRECT = 'http://localhost:8501/oauth2callback';
const DEFAULT_CLIENTS = [{
  client_id: 'stauth-test',
  client_secret: 'test-secret-1234567890',
  redirect_uris: [DEFAULT_REDIRECT],
  post_logout_redirect_uris: [DEFAULT_REDIRECT],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
}];
const DEFAULT_ACCOUNTS = {
  alice: {
    sub: 'alice',
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Example',
    given_name: 'Alice',
    family_name: 'Example',
    picture: 'https://example.com/alice.png',
  },
};

const idTokenSigningAlgs = config.idTokenSigningAlgs ?? ['RS256'];
const clients = config.clients ?? DEFAULT_CLIENTS;
const accountsByLogin = config.accounts ?? DEFAULT_ACCOUNTS;
const conformIdTokenClaims = config.conformIdTokenClaims ?? false;
const endSession = config.endSession ?? true;
const advertisePkce = config.pkce ?? true;
// Publish "code_challenge_methods_supported": null (Streamlit's Tornado server fails on it).
const pkceMethodsNull = config.pkceMethodsNull ?? false;
// A query the discovery's end_session_endpoint carries (Streamlit 1.53 appends "?" to it blindly).
const endSessionQuery = config.endSessionQuery ?? null;
const promptSelectAccount = config.promptSelectAccount ?? false;
const tamper = config.tamper ?? null;
const stopAfterAuthorize = config.stopAfterAuthorize ?? false;

const TAMPER_MODES = ['signature', 'aud', 'iss', 'expired', 'alg_none', 'unknown_kid', 'nonce'];
if (tamper !== null && !TAMPER_MODES.includes(tamper)) {
  log(`invalid configuration: tamper must be one of ${TAMPER_MODES.join(', ')} (got ${JSON.stringify(tamper)})`);
  process.exit(2);
}
if (typeof stopAfterAuthorize !== 'boolean') {
  log('invalid configuration: stopAfterAuthorize must be true or false');
  process.exit(2);
}

// accountId (= the `sub` claim) -> claims; login name -> accountId.
const accountsById = new Map();
const loginToId = new Map();
for (const [login, claims] of Object.entries(accountsByLogin)) {
  const sub = String(claims?.sub ?? login);
  accountsById.set(sub, { ...claims, sub });
  loginToId.set(login, sub);
}

// Scope -> claims released. Standard OIDC claims go to their standard scope;
// `groups` and any other non-standard claim found in `accounts` are released
// with `profile` (and `groups` also with a `groups` scope of its own).
const STANDARD_CLAIMS = {
  email: ['email', 'email_verified'],
  profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname',
    'preferred_username', 'profile', 'picture', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'updated_at'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};
const known = new Set(['sub', ...Object.values(STANDARD_CLAIMS).flat()]);
const extraClaims = new Set(['groups']);
for (const claims of accountsById.values()) {
  for (const key of Object.keys(claims)) {
    if (!known.has(key)) extraClaims.add(key);
  }
}
const claimsConfig = {
  openid: ['sub'],
  ...STANDARD_CLAIMS,
  profile: [...STANDARD_CLAIMS.profile, ...extraClaims],
  groups: ['groups'],
};

// -------------------------------------------------------------------- keys --

// Keys are generated as DER and re-imported before the JWK export: on Node 20,
// exporting a freshly generated Ed25519 KeyObject as JWK can deadlock the
// process when a GC runs during the export (seen with Node 20.20).
function generateJwk(type, options, alg, kid) {
  const { privateKey } = crypto.generateKeyPairSync(type, {
    ...options,
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  const key = crypto.createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' });
  return { ...key.export({ format: 'jwk' }), alg, use: 'sig', kid };
}
const jwks = {
  keys: [
    generateJwk('rsa', { modulusLength: 2048 }, 'RS256', 'rsa-1'),
    generateJwk('ec', { namedCurve: 'P-256' }, 'ES256', 'ec-1'),
    generateJwk('ed25519', {}, 'EdDSA', 'ed-1'),
  ],
};
// A PS256 ID token needs an RSA key without alg pinned to RS256.
if (idTokenSigningAlgs.includes('PS256')) {
  jwks.keys.push(generateJwk('rsa', { modulusLength: 2048 }, 'PS256', 'rsa-ps-1'));
}
// Likewise an Ed25519 ID token (the fully-specified JOSE alg) needs a key
// whose alg is Ed25519: ed-1 is pinned to EdDSA.
if (idTokenSigningAlgs.includes('Ed25519')) {
  jwks.keys.push(generateJwk('ed25519', {}, 'Ed25519', 'ed25519-1'));
}

// ------------------------------------------------------- ID token tamper --

// The private keys of the published JWKS, by kid, to re-sign tampered tokens.
const privateKeys = new Map(jwks.keys.map((jwk) => [jwk.kid, crypto.createPrivateKey({ key: jwk, format: 'jwk' })]));

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const b64uJson = (obj) => b64u(JSON.stringify(obj));
const B64U_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// JWS signature over `signingInput` with `key` (a KeyObject, or a Buffer secret for HS256).
function jwsSign(alg, key, signingInput) {
  const data = Buffer.from(signingInput, 'ascii');
  switch (alg) {
    case 'HS256':
      return crypto.createHmac('sha256', key).update(data).digest();
    case 'RS256':
      return crypto.sign('sha256', data, key);
    case 'PS256':
      return crypto.sign('sha256', data, {
        key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32,
      });
    case 'ES256':
      return crypto.sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
    case 'Ed25519':
      return crypto.sign(null, data, key);
    default:
      throw new Error(`cannot sign with alg ${alg}`);
  }
}

// Keys not in the JWKS (tamper "unknown_kid"), one per key type, made on demand.
const strayKeys = new Map();
function strayKey(alg) {
  if (alg === 'HS256') return crypto.randomBytes(32);
  const type = { RS256: 'rsa', PS256: 'rsa', ES256: 'ec', EdDSA: 'ed25519', Ed25519: 'ed25519' }[alg];
  if (!type) throw new Error(`no key type for alg ${alg}`);
  if (!strayKeys.has(type)) {
    const options = { rsa: { modulusLength: 2048 }, ec: { namedCurve: 'P-256' }, ed25519: {} }[type];
    strayKeys.set(type, crypto.generateKeyPairSync(type, options).privateKey);
  }
  return strayKeys.get(type);
}

// The key that signed the original token: the JWKS key of its kid (or of its
// alg when it has no kid); HS256: the secret of the client it was issued to.
function realKey(header, client) {
  if (header.alg === 'HS256') {
    if (!client?.clientSecret) throw new Error('HS256 token for a client without a secret');
    return Buffer.from(client.clientSecret, 'utf8');
  }
  const kid = header.kid ?? jwks.keys.find((k) => k.alg === header.alg)?.kid;
  const key = privateKeys.get(kid);
  if (!key) throw new Error(`no private key for kid ${kid} (alg ${header.alg})`);
  return key;
}

// Rewrites a compact JWS ID token as the `tamper` mode says.
function tamperIdToken(idToken, mode, client) {
  const [h, p, sig] = idToken.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  const now = Math.floor(Date.now() / 1000);
  const resign = (hdr, pl, key) => {
    const input = `${b64uJson(hdr)}.${b64uJson(pl)}`;
    return `${input}.${b64u(jwsSign(hdr.alg, key, input))}`;
  };
  switch (mode) {
    case 'signature': {
      // Shift the first 4 characters of the signature by one in the
      // base64url alphabet: still base64url of the same length, but the
      // first 3 signature bytes differ (the last character is left alone,
      // its low bits may be padding that lenient decoders ignore).
      const flipped = [...sig.slice(0, 4)]
        .map((c) => B64U_ALPHABET[(B64U_ALPHABET.indexOf(c) + 1) % 64]).join('');
      return `${h}.${p}.${flipped}${sig.slice(4)}`;
    }
    case 'aud':
      return resign(header, { ...payload, aud: 'someone-else' }, realKey(header, client));
    case 'iss':
      return resign(header, { ...payload, iss: `${issuer}/evil` }, realKey(header, client));
    case 'expired':
      return resign(header, { ...payload, exp: now - 3600, iat: now - 7200 }, realKey(header, client));
    case 'nonce':
      return resign(header, { ...payload, nonce: 'wrong-nonce' }, realKey(header, client));
    case 'alg_none':
      return `${b64uJson({ alg: 'none', typ: 'JWT' })}.${p}.`;
    case 'unknown_kid':
      return resign({ ...header, kid: 'not-in-jwks' }, payload, strayKey(header.alg));
    default:
      throw new Error(`unknown tamper mode ${mode}`);
  }
}

// ------------------------------------------------------------------- pages --

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title></head>
<body><h1>${esc(title)}</h1>
${body}
</body></html>
`;
}

function errorPage(error, description) {
  return page('oops! something went wrong',
    `<pre id="error">${esc(error)}</pre>\n<pre id="error_description">${esc(description ?? '')}</pre>`);
}

// ---------------------------------------------------------------- provider --

const policy = interactionPolicy.base();
if (promptSelectAccount) {
  // A requestable prompt makes `prompt=select_account` acceptable. There is a
  // single account per login, so the selection is resolved automatically by
  // the interaction handler below (after the login form).
  policy.add(new interactionPolicy.Prompt({ name: 'select_account', requestable: true }));
}

function buildConfiguration() {
  return {
    clients,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: idTokenSigningAlgs[0],
    },
    enabledJWA: { idTokenSigningAlgValues: idTokenSigningAlgs },
    jwks,
    claims: claimsConfig,
    conformIdTokenClaims,
    cookies: {
      keys: ['stauth-test-idp-cookie-key-0123456789'],
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: endSession,
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out', `${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<p id="logout-success">You are signed out.</p>');
        },
      },
    },
    // Never force PKCE on confidential clients; public clients still need it.
    pkce: { required: (ctx, client) => client.clientAuthMethod === 'none' },
    interactions: {
      policy,
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async findAccount(ctx, id) {
      const claims = accountsById.get(id);
      if (!claims) return undefined;
      return {
        accountId: id,
        async claims() { return { ...claims }; },
      };
    },
    async renderError(ctx, out, error) {
      const internal = error?.stack && !error.expose ? `\n${error.stack}` : '';
      log(`error page: ${out.error}: ${out.error_description ?? ''}${internal}`);
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
    clientBasedCORS: () => true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 120,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 86400,
    },
  };
}

// ------------------------------------------------------------ interactions --

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 1 << 20) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, body, type = 'text/html; charset=utf-8') {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-store');
  res.end(body);
}

function loginForm(uid, details) {
  const hint = details.params.login_hint;
  return page('Sign-in', `<form id="login" autocomplete="off" action="/interaction/${esc(uid)}/login" method="post">
<input type="hidden" name="uid" value="${esc(uid)}"/>
<input required type="text" name="login" placeholder="Enter a login name"${hint ? ` value="${esc(hint)}"` : ''}/>
<input type="password" name="password" placeholder="and any password"/>
<button type="submit">Sign-in</button>
</form>
<p>Known login names: ${[...loginToId.keys()].map(esc).join(', ')}</p>
<a id="abort" href="/interaction/${esc(uid)}/abort">Cancel</a>`);
}

// Handles /interaction/<uid>[/login|/abort]. Login is a form (any password);
// consent and select_account are granted automatically.
async function interaction(provider, req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    return send(res, 400, errorPage('invalid_request', err.error_description ?? err.message));
  }
  if (details.uid !== uid) {
    return send(res, 400, errorPage('invalid_request', 'interaction uid mismatch'));
  }
  const { prompt, params } = details;

  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }

  if (action === 'login') {
    if (req.method !== 'POST') return send(res, 405, errorPage('invalid_request', 'POST the login form'));
    const form = await readForm(req);
    const login = form.get('login') ?? '';
    const accountId = loginToId.get(login);
    if (!accountId) {
      log(`login rejected: unknown login name ${JSON.stringify(login)}`);
      return send(res, 403, errorPage('access_denied', `unknown login name: ${login}`));
    }
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }

  switch (prompt.name) {
    case 'login':
      return send(res, 200, loginForm(uid, details));
    case 'consent': {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      if (missingResourceScopes) {
        for (const [indicator, scopes] of Object.entries(missingResourceScopes)) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    }
    case 'select_account':
      return provider.interactionFinished(req, res, { select_account: {} }, { mergeWithLastSubmission: true });
    default:
      return send(res, 501, errorPage('server_error', `prompt ${prompt.name} not implemented`));
  }
}

// ------------------------------------------------------------------ server --

const server = http.createServer();
server.keepAliveTimeout = 1000;

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen({ host: '127.0.0.1', port: Number(config.port ?? 0) }, resolve);
});
const { port } = server.address();
const base = `http://127.0.0.1:${port}`;
const issuer = String(config.issuer ?? 'http://127.0.0.1:{port}').replaceAll('{port}', String(port));

let provider;
try {
  provider = new Provider(issuer, buildConfiguration());
} catch (err) {
  log(`cannot configure oidc-provider: ${err.stack ?? err}`);
  process.exit(2);
}

// The issuer's path (e.g. /other for http://localhost:P/other) is accepted as
// an optional prefix of every request path: it is stripped and put in
// req.originalUrl, so oidc-provider builds endpoint URLs with that prefix for
// requests that carried it, and without it for requests at the root.
const issuerPath = new URL(issuer).pathname.replace(/\/+$/, '');

const promptValues = ['none', 'login', 'consent', ...(promptSelectAccount ? ['select_account'] : [])];
provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route === 'discovery' && ctx.body && typeof ctx.body === 'object') {
    ctx.body.prompt_values_supported = promptValues;
    if (!advertisePkce) delete ctx.body.code_challenge_methods_supported;
    if (pkceMethodsNull) ctx.body.code_challenge_methods_supported = null;
    if (endSessionQuery && ctx.body.end_session_endpoint) ctx.body.end_session_endpoint += `?${endSessionQuery}`;
  }
  if (tamper && ctx.oidc?.route === 'token' && ctx.status === 200
    && ctx.body && typeof ctx.body === 'object' && typeof ctx.body.id_token === 'string') {
    ctx.body.id_token = tamperIdToken(ctx.body.id_token, tamper, ctx.oidc.client);
    log(`token: id_token tampered (${tamper})`);
  }
});

// stopAfterAuthorize: once a successful authorization response (the redirect
// carrying the code to the client's redirect_uri, or the form_post page) has
// been sent, stop listening and drop every open connection, so the token
// request that follows finds nothing (ECONNREFUSED). The process keeps
// running (until its stdin closes), it just no longer serves anything.
if (stopAfterAuthorize) {
  let armed = false;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    log('stopAfterAuthorize: authorization response sent, no longer listening');
    server.close();
    server.closeAllConnections();
  };
  provider.on('authorization.success', (ctx) => {
    if (armed) return;
    armed = true;
    // Let the response go out first; 'close' also covers an aborted one.
    ctx.res.once('finish', () => setImmediate(stop));
    ctx.res.once('close', () => setImmediate(stop));
  });
}

for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error',
  'end_session.error', 'discovery.error', 'jwks.error', 'introspection.error', 'revocation.error']) {
  provider.on(event, (ctx, err) => {
    log(`${event}: ${err?.error ?? err?.name ?? 'error'}: ${err?.error_description ?? err?.message ?? ''}`);
    if (event === 'server_error') log(err?.stack);
  });
}

const providerCallback = provider.callback();
const DISCOVERY = '/.well-known/openid-configuration';

async function handle(req, res) {
  const started = Date.now();
  res.setHeader('X-Stauth-Test-Idp', '1');
  res.on('finish', () => {
    log(`${req.method} ${(req.originalUrl ?? req.url).split('?')[0]} -> ${res.statusCode} (${Date.now() - started} ms)`);
  });
  const path = req.url.split('?')[0];

  if (req.method === 'GET' && path === `/not-json${DISCOVERY}`) {
    return send(res, 200, '<html><body>Not an OpenID provider</body></html>');
  }
  if (req.method === 'GET' && path === `/missing-fields${DISCOVERY}`) {
    return send(res, 200, JSON.stringify({ issuer: `${base}/missing-fields` }), 'application/json');
  }
  if (path === `/slow${DISCOVERY}`) {
    // Answer only after 30 s; the unref'd timer does not keep node alive.
    setTimeout(() => {
      if (!res.writableEnded) send(res, 504, errorPage('temporarily_unavailable', 'slow route'));
    }, 30_000).unref();
    return undefined;
  }

  const m = /^\/interaction\/([^/]+)(?:\/(login|abort))?\/?$/.exec(path);
  if (m) {
    try {
      return await interaction(provider, req, res, m[1], m[2]);
    } catch (err) {
      log(`interaction failed: ${err.stack ?? err}`);
      if (!res.headersSent) return send(res, 500, errorPage('server_error', err.message));
      return res.end();
    }
  }

  if (issuerPath && (path === issuerPath || path.startsWith(`${issuerPath}/`))) {
    req.originalUrl = req.url;
    req.url = req.url.slice(issuerPath.length) || '/';
    if (req.url.startsWith('?')) req.url = `/${req.url}`;
  }
  return providerCallback(req, res);
}

server.on('request', (req, res) => {
  handle(req, res).catch((err) => {
    log(`request failed: ${err.stack ?? err}`);
    if (!res.headersSent) send(res, 500, errorPage('server_error', err.message));
    else res.end();
  });
});

process.stdout.write(`${JSON.stringify({ ready: true, port, issuer, base })}\n`);
