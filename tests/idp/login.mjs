#!/usr/bin/env node
// Scripted "browser" for the test identity provider (server.mjs): performs a
// whole interactive login over plain HTTP, without a real browser.
//
//   node tests/idp/login.mjs [--login NAME] [--deny] [--expect-error]
//                            [--stray-first] [--delay-ms N] [--never] URL
//
// URL (always the last argument, so this works as a BROWSER program) is an
// authorization URL of the test IdP, or any URL that redirects to one (e.g.
// Streamlit's /auth/login). Redirects are followed with a cookie jar shared by
// all hosts. On the IdP's login form it signs in as NAME (default alice); with
// --deny it cancels instead (the IdP then redirects with error=access_denied).
// The first redirect from the IdP to a URL that is not on the IdP is the
// client's redirect_uri: it is fetched once (not followed further) and
//
//   {"callback":"<url>","status":<status of that GET>[,"location":"..."]}
//
// is printed on stdout, exit 0 ("location" only when that GET redirected;
// "status":0 and "fetch_error":"..." when nothing answered at the callback;
// the callback URL carries code/state/iss, or error/error_description). With
// response_mode=form_post the callback is POSTed instead and the output adds
// "method":"POST" and "form":{...the posted fields...}.
// If the IdP shows an error page instead (unknown client, bad redirect_uri,
// unknown login name, ...):
//
//   {"provider_error":"<error>: <description>","status":N,"error":...,"error_description":...}
//
// exit 3. After an RP-initiated logout without a post_logout_redirect_uri:
// {"logged_out":true,"status":200}, exit 0. Network failures, timeouts
// (10 s per request) and unexpected pages: message on stderr, exit 2.
// --expect-error: the run is expected to end in an error (IdP error page, or
// callback carrying `error`): exit 0 for those, exit 5 for a successful
// callback (the same JSON is printed either way).
// --stray-first: before the login, GET the callback URL (the redirect_uri
// parameter of the first request URL that has one: the authorization URL)
// twice, once with no query and once with ?code=forged&state=forged-state,
// not following redirects; their statuses (0: nothing answered) are added to
// whatever JSON is printed as "stray":[s1,s2] ("stray":null when no request
// URL had a redirect_uri parameter).
// --delay-ms N: sleep N ms before doing anything.
// --never: a browser nobody uses: exit 0 at once, no request, no output.

const IDP_HEADER = 'x-stauth-test-idp';
const TIMEOUT_MS = 10_000;
const MAX_STEPS = 40;

function usage(msg) {
  if (msg) process.stderr.write(`login.mjs: ${msg}\n`);
  process.stderr.write('usage: node login.mjs [--login NAME] [--deny] [--expect-error] '
    + '[--stray-first] [--delay-ms N] [--never] URL\n');
  process.exit(2);
}

function fail(msg) {
  process.stderr.write(`login.mjs: ${msg}\n`);
  process.exit(2);
}

// ------------------------------------------------------------------- args --

const argv = process.argv.slice(2);
let loginName = 'alice';
let deny = false;
let expectError = false;
let strayFirst = false;
let delayMs = 0;
let never = false;
let startUrl;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--login') {
    if (i + 1 >= argv.length - 1) usage('--login needs a value');
    loginName = argv[++i];
  } else if (a.startsWith('--login=')) {
    loginName = a.slice('--login='.length);
  } else if (a === '--deny') {
    deny = true;
  } else if (a === '--expect-error') {
    expectError = true;
  } else if (a === '--stray-first') {
    strayFirst = true;
  } else if (a === '--never') {
    never = true;
  } else if (a === '--delay-ms' || a.startsWith('--delay-ms=')) {
    let v;
    if (a === '--delay-ms') {
      if (i + 1 >= argv.length - 1) usage('--delay-ms needs a value');
      v = argv[++i];
    } else {
      v = a.slice('--delay-ms='.length);
    }
    if (!/^\d+$/.test(v)) usage(`--delay-ms: not a number of milliseconds: ${v}`);
    delayMs = Number(v);
  } else if (a === '-h' || a === '--help') {
    usage();
  } else if (i === argv.length - 1) {
    startUrl = a;
  } else {
    usage(`unexpected argument ${a}`);
  }
}
// A browser nobody uses: whatever the URL, nothing happens.
if (never) process.exit(0);
if (!startUrl) usage('missing URL');
try {
  startUrl = new URL(startUrl).href;
} catch {
  usage(`not a URL: ${startUrl}`);
}

// ------------------------------------------------------------- cookie jar --

const jar = new Map(); // `${domain}|${path}|${name}` -> cookie

function defaultPath(url) {
  const p = url.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
}

function storeCookies(url, response) {
  const headers = typeof response.headers.getSetCookie === 'function'
    ? response.headers.getSetCookie()
    : [response.headers.get('set-cookie')].filter(Boolean);
  for (const header of headers) {
    const [pair, ...attrs] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let domain = url.hostname;
    let hostOnly = true;
    let path = defaultPath(url);
    let expired = false;
    for (const attr of attrs) {
      const [k, ...rest] = attr.split('=');
      const key = k.trim().toLowerCase();
      const v = rest.join('=').trim();
      if (key === 'domain' && v) {
        domain = v.replace(/^\./, '').toLowerCase();
        hostOnly = false;
      } else if (key === 'path' && v.startsWith('/')) {
        path = v;
      } else if (key === 'max-age' && Number(v) <= 0) {
        expired = true;
      } else if (key === 'expires' && Date.parse(v) < Date.now()) {
        expired = true;
      }
    }
    const key = `${domain}|${path}|${name}`;
    if (expired) jar.delete(key);
    else jar.set(key, { name, value, domain, hostOnly, path });
  }
}

function cookieHeader(url) {
  const host = url.hostname.toLowerCase();
  const out = [];
  for (const c of jar.values()) {
    const domainOk = c.hostOnly ? host === c.domain : (host === c.domain || host.endsWith(`.${c.domain}`));
    const pathOk = url.pathname === c.path
      || (url.pathname.startsWith(c.path) && (c.path.endsWith('/') || url.pathname[c.path.length] === '/'));
    if (domainOk && pathOk) out.push(c);
  }
  // Longer paths first, as browsers do.
  out.sort((a, b) => b.path.length - a.path.length);
  return out.map((c) => `${c.name}=${c.value}`).join('; ');
}

// ------------------------------------------------------------------- HTTP --

async function request(method, url, body, { tolerant = false } = {}) {
  const u = new URL(url);
  const headers = { 'user-agent': 'stauth-test-login/1', accept: 'text/html,application/json;q=0.9,*/*;q=0.8' };
  const cookies = cookieHeader(u);
  if (cookies) headers.cookie = cookies;
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  let response;
  try {
    response = await fetch(u, {
      method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const why = err?.name === 'TimeoutError' ? `timed out after ${TIMEOUT_MS / 1000} s` : (err?.cause?.message ?? err.message);
    if (tolerant) return { error: why };
    fail(`${method} ${url} failed: ${why}`);
  }
  storeCookies(u, response);
  let text = '';
  try {
    text = await response.text();
  } catch (err) {
    fail(`reading the response of ${method} ${url} failed: ${err.message}`);
  }
  return { response, text, url: u };
}

// ------------------------------------------------------------------- HTML --

function decodeEntities(s) {
  return s
    .replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
}

function attr(tag, name) {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3]) : undefined;
}

function forms(html) {
  const out = [];
  const re = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  let m;
  while ((m = re.exec(html))) {
    const open = `<form ${m[1]}>`;
    const fields = [];
    const inputRe = /<input\b[^>]*>/gi;
    let im;
    while ((im = inputRe.exec(m[2]))) {
      fields.push({
        type: (attr(im[0], 'type') ?? 'text').toLowerCase(),
        name: attr(im[0], 'name'),
        value: attr(im[0], 'value') ?? '',
      });
    }
    out.push({
      id: attr(open, 'id'),
      action: attr(open, 'action'),
      method: (attr(open, 'method') ?? 'get').toUpperCase(),
      fields,
    });
  }
  return out;
}

function textOf(html) {
  return decodeEntities(html
    .replace(/<(script|style|title)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function errorFromPage(html) {
  const pick = (id) => {
    const m = new RegExp(`<[a-z]+[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</`, 'i').exec(html);
    return m ? textOf(m[1]) : undefined;
  };
  const error = pick('error');
  const description = pick('error_description');
  if (error) {
    return { provider_error: description ? `${error}: ${description}` : error, error, error_description: description };
  }
  return { provider_error: textOf(html).slice(0, 2000) || '(empty response)' };
}

// ------------------------------------------------------------------ output --

let strayStatuses; // [status, status] once --stray-first has run

function finish(obj, isError) {
  // null: no request URL carried a redirect_uri, so there was nothing to hit.
  if (strayFirst) obj.stray = strayStatuses ?? null;
  process.stdout.write(`${JSON.stringify(obj)}\n`);
  if (expectError) process.exit(isError ? 0 : 5);
  process.exit(isError && obj.provider_error !== undefined ? 3 : 0);
}

// The callback's outcome: its status (and redirect target), or status 0 and
// the reason when nothing answered at the redirect_uri.
function callbackResult(cb, url) {
  if (cb.error) return { status: 0, fetch_error: cb.error };
  const out = { status: cb.response.status };
  const location = cb.response.headers.get('location');
  if (location) out.location = new URL(location, url).href;
  return out;
}

// -------------------------------------------------------------------- flow --

const idpOrigins = new Set();
const idpPorts = new Set();
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function onIdp(url) {
  if (idpOrigins.has(url.origin)) return true;
  return LOOPBACK.has(url.hostname) && idpPorts.has(url.port);
}

let method = 'GET';
let url = startUrl;
let body;
let submittedLogin = false;

// --stray-first: two requests at the redirect_uri that no provider sent, as a
// stray browser tab or a forged link would.
async function strayRequests(redirectUri) {
  const bare = new URL(redirectUri);
  bare.search = '';
  bare.hash = '';
  const forged = new URL(bare.href);
  forged.search = '?code=forged&state=forged-state';
  const statuses = [];
  for (const target of [bare, forged]) {
    const r = await request('GET', target.href, undefined, { tolerant: true });
    if (r.error) process.stderr.write(`login.mjs: stray GET ${target.href}: ${r.error}\n`);
    statuses.push(r.error ? 0 : r.response.status);
  }
  return statuses;
}

if (delayMs > 0) await new Promise((resolve) => { setTimeout(resolve, delayMs); });

for (let step = 0; step < MAX_STEPS; step++) {
  if (strayFirst && !strayStatuses && method === 'GET') {
    const redirectUri = new URL(url).searchParams.get('redirect_uri');
    if (redirectUri) strayStatuses = await strayRequests(redirectUri);
  }
  const { response, text, url: current } = await request(method, url, body);
  const fromIdp = response.headers.has(IDP_HEADER);
  if (fromIdp) {
    idpOrigins.add(current.origin);
    idpPorts.add(current.port);
  }
  method = 'GET';
  body = undefined;

  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) {
    const next = new URL(location, current);
    if (fromIdp && !onIdp(next)) {
      // Left the IdP: this is the client's redirect_uri.
      const cb = await request('GET', next.href, undefined, { tolerant: true });
      const out = { callback: next.href, ...callbackResult(cb, next) };
      const isError = next.searchParams.has('error') || new URLSearchParams(next.hash.slice(1)).has('error');
      finish(out, isError);
    }
    url = next.href;
    continue;
  }

  if (!fromIdp) {
    fail(`unexpected ${response.status} response from ${current.href} (not the test IdP): ${textOf(text).slice(0, 500)}`);
  }

  const pageForms = forms(text);
  const loginForm = pageForms.find((f) => f.fields.some((x) => x.name === 'login'));
  const logoutForm = pageForms.find((f) => f.id === 'op.logoutForm');

  if (response.status === 200 && loginForm) {
    if (deny) {
      const abort = /<a\b[^>]*\sid="abort"[^>]*>/i.exec(text);
      const href = abort ? attr(abort[0], 'href') : undefined;
      if (!href) fail('the login page has no cancel link');
      url = new URL(href, current).href;
      continue;
    }
    if (submittedLogin) fail('the login form was shown again after signing in');
    submittedLogin = true;
    const params = new URLSearchParams();
    for (const f of loginForm.fields) {
      if (!f.name) continue;
      if (f.name === 'login') params.set('login', loginName);
      else if (f.type === 'password') params.set(f.name, 'any-password');
      else params.set(f.name, f.value);
    }
    method = loginForm.method;
    url = new URL(loginForm.action ?? current.href, current).href;
    if (method === 'POST') {
      body = params.toString();
    } else {
      const u = new URL(url);
      u.search = params.toString();
      url = u.href;
    }
    continue;
  }

  // Auto-submitting pages (response_mode=form_post, logout confirmation):
  // submit the first form as a browser with JavaScript would.
  const autoSubmit = /\.submit\(\)/.test(text) && pageForms.length > 0 ? pageForms[0] : undefined;
  if (response.status === 200 && autoSubmit && !loginForm) {
    const params = new URLSearchParams();
    for (const f of autoSubmit.fields) if (f.name) params.set(f.name, f.value);
    const target = new URL(autoSubmit.action ?? current.href, current);
    if (!onIdp(target)) {
      const cb = await request(autoSubmit.method, target.href, autoSubmit.method === 'POST' ? params.toString() : undefined, { tolerant: true });
      const out = {
        callback: target.href, ...callbackResult(cb, target), method: autoSubmit.method, form: Object.fromEntries(params),
      };
      finish(out, params.has('error'));
    }
    method = autoSubmit.method;
    url = target.href;
    if (method === 'POST') body = params.toString();
    continue;
  }

  if (response.status === 200 && logoutForm) {
    const params = new URLSearchParams();
    for (const f of logoutForm.fields) if (f.name) params.set(f.name, f.value);
    params.set('logout', 'yes');
    method = 'POST';
    body = params.toString();
    url = new URL(logoutForm.action ?? current.href, current).href;
    continue;
  }

  if (response.status === 200 && /id="logout-success"/.test(text)) {
    finish({ logged_out: true, status: response.status }, false);
  }

  finish({ ...errorFromPage(text), status: response.status }, true);
}

fail(`gave up after ${MAX_STEPS} requests without reaching the redirect_uri`);
