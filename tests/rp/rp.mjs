// An independent relying party: npm openid-client 6 (OpenID Certified),
// run against `stauth dev-provider` started with --auto-login.
//
//   node tests/rp/rp.mjs --issuer URL --client-id ID --client-secret SECRET \
//        --redirect-uri URL [--alg RS256] [--auth basic|post] [--timeout 30]
//
// It does, with the library's own checks at every step:
//   1. discovery of ISSUER (allowInsecureRequests: the dev provider is http);
//   2. authorization code + PKCE S256 (state, nonce): the authorization URL
//      is fetched with redirect: 'manual' and the code taken from Location;
//   3. the token exchange (client_secret_basic, or _post with --auth post),
//      with ID token validation (signature by the JWKS, iss, aud, exp, nonce);
//   4. a refresh with the refresh token (scope offline_access);
//   5. userinfo with the access token (sub must match the ID token's);
//   6. the same callback again: the used code must be refused (and a refresh
//      after it is reported: a replay revokes the tokens the code gave);
//   7. the end-session URL (id_token_hint, post_logout_redirect_uri = the
//      redirect URI), fetched: the answer and its Location are reported.
//
// stdout: one JSON line, the summary (see `summary` below). Exit 0 when every
// step ran (the Rust test judges the values); 1 on the first failure, with
// the step and the error on stderr; 2 on a usage error.

import { parseArgs } from 'node:util';

const USAGE = 'usage: node tests/rp/rp.mjs --issuer URL --client-id ID --client-secret SECRET '
  + '--redirect-uri URL [--alg RS256] [--auth basic|post] [--timeout SECONDS]';

let opts;
try {
  opts = parseArgs({
    options: {
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string' },
      alg: { type: 'string', default: 'RS256' },
      auth: { type: 'string', default: 'basic' },
      timeout: { type: 'string', default: '30' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (err) {
  process.stderr.write(`rp.mjs: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
for (const key of ['issuer', 'client-id', 'client-secret', 'redirect-uri']) {
  if (!opts[key]) {
    process.stderr.write(`rp.mjs: --${key} is required\n${USAGE}\n`);
    process.exit(2);
  }
}
if (!['basic', 'post'].includes(opts.auth)) {
  process.stderr.write(`rp.mjs: --auth is basic or post, not ${opts.auth}\n`);
  process.exit(2);
}

let client;
try {
  client = await import('openid-client');
} catch (err) {
  process.stderr.write(`rp.mjs: cannot load openid-client (${err.message}): `
    + 'run `npm ci --prefix tests/rp` first\n');
  process.exit(1);
}

let step = 'starting';
setTimeout(() => {
  process.stderr.write(`rp.mjs: timed out after ${opts.timeout} s (step: ${step})\n`);
  process.exit(1);
}, Number(opts.timeout) * 1000).unref();

const errorOf = (err) => ({
  name: err?.name ?? null,
  code: err?.code ?? null,
  error: err?.error ?? err?.cause?.error ?? null,
  status: err?.status ?? err?.cause?.status ?? null,
  message: String(err?.message ?? err),
});

const decodePart = (jwt, i) => JSON.parse(Buffer.from(jwt.split('.')[i], 'base64url').toString());

try {
  const redirectUri = opts['redirect-uri'];
  step = 'discovery';
  const auth = opts.auth === 'post'
    ? client.ClientSecretPost(opts['client-secret'])
    : client.ClientSecretBasic(opts['client-secret']);
  const config = await client.discovery(
    new URL(opts.issuer),
    opts['client-id'],
    { id_token_signed_response_alg: opts.alg, redirect_uris: [redirectUri] },
    auth,
    { execute: [client.allowInsecureRequests] },
  );
  const meta = config.serverMetadata();

  step = 'authorization request';
  const verifier = client.randomPKCECodeVerifier();
  const challenge = await client.calculatePKCECodeChallenge(verifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const authorizeUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile offline_access',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const authorizeResponse = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = authorizeResponse.headers.get('location');
  if (authorizeResponse.status !== 302 && authorizeResponse.status !== 303) {
    throw new Error(`the authorization endpoint answered ${authorizeResponse.status}, not a redirect: `
      + `${(await authorizeResponse.text()).slice(0, 500)}`);
  }
  const callback = new URL(location, authorizeUrl);

  step = 'token exchange';
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  }, { redirect_uri: redirectUri });
  const claims = tokens.claims();
  const idHeader = decodePart(tokens.id_token, 0);

  step = 'refresh';
  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  const refreshedClaims = refreshed.id_token ? refreshed.claims() : null;

  step = 'userinfo';
  const userinfo = await client.fetchUserInfo(config, refreshed.access_token, claims.sub);

  // After the refresh and userinfo: a replayed code also revokes the tokens
  // it gave (RFC 6749 section 4.1.2).
  step = 'the same code again';
  let replay;
  try {
    await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    }, { redirect_uri: redirectUri });
    replay = { refused: false };
  } catch (err) {
    replay = { refused: true, ...errorOf(err) };
  }

  step = 'refresh after the replay';
  let refreshAfterReplay;
  try {
    await client.refreshTokenGrant(config, refreshed.refresh_token ?? tokens.refresh_token);
    refreshAfterReplay = { refused: false };
  } catch (err) {
    refreshAfterReplay = { refused: true, ...errorOf(err) };
  }

  step = 'userinfo after the replay';
  const userinfoAfterReplay = async (accessToken) => (await fetch(meta.userinfo_endpoint, {
    headers: { authorization: `Bearer ${accessToken}` },
  })).status;
  const afterReplay = {
    code_access_token_userinfo_status: await userinfoAfterReplay(tokens.access_token),
    refreshed_access_token_userinfo_status: await userinfoAfterReplay(refreshed.access_token),
  };

  step = 'end session';
  const endSessionUrl = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: redirectUri,
    state: 'after-logout',
  });
  const endResponse = await fetch(endSessionUrl, { redirect: 'manual' });

  step = 'end session with an unregistered post_logout_redirect_uri';
  const strayUrl = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: 'http://localhost:1/elsewhere',
  });
  const stray = await fetch(strayUrl, { redirect: 'manual' });

  const summary = {
    discovery: {
      issuer: meta.issuer,
      authorization_endpoint: meta.authorization_endpoint,
      token_endpoint: meta.token_endpoint,
      userinfo_endpoint: meta.userinfo_endpoint,
      jwks_uri: meta.jwks_uri,
      end_session_endpoint: meta.end_session_endpoint ?? null,
      code_challenge_methods_supported: meta.code_challenge_methods_supported ?? null,
      id_token_signing_alg_values_supported: meta.id_token_signing_alg_values_supported ?? null,
    },
    authorize: {
      status: authorizeResponse.status,
      callback_origin_path: `${callback.origin}${callback.pathname}`,
      state_echoed: callback.searchParams.get('state') === state,
      iss: callback.searchParams.get('iss'),
    },
    token: {
      token_type: tokens.token_type,
      expires_in: tokens.expiresIn() ?? null,
      scope: tokens.scope ?? null,
      has_refresh_token: typeof tokens.refresh_token === 'string',
      id_token_alg: idHeader.alg,
      id_token_kid: idHeader.kid ?? null,
    },
    claims,
    replay,
    refresh_after_replay: refreshAfterReplay,
    after_replay: afterReplay,
    refresh: {
      token_type: refreshed.token_type,
      new_access_token: refreshed.access_token !== tokens.access_token,
      has_id_token: !!refreshed.id_token,
      sub: refreshedClaims?.sub ?? null,
    },
    userinfo,
    end_session: {
      status: endResponse.status,
      location: endResponse.headers.get('location'),
    },
    end_session_unregistered: {
      status: stray.status,
      location: stray.headers.get('location'),
    },
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(0));
} catch (err) {
  process.stderr.write(`rp.mjs: ${step} failed: ${JSON.stringify(errorOf(err))}\n`);
  if (err?.cause) process.stderr.write(`rp.mjs: cause: ${JSON.stringify(err.cause)}\n`);
  process.exit(1);
}
