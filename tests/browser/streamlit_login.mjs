// A real browser logging in to a real Streamlit app through st.login.
//
//   node tests/browser/streamlit_login.mjs --app http://localhost:PORT/ \
//        [--login alice] [--password any] [--screenshot FILE] [--timeout 60] \
//        [--settle SECONDS] [--logout]
//
// Headless Chromium (Debian's /usr/bin/chromium, or $STAUTH_CHROMIUM) driven by
// playwright-core: opens the app, clicks its "Log in" button (st.login), signs
// in on the test provider's form (tests/idp/server.mjs: fields `login` and
// `password`), follows the redirects back (/auth/login?provider=... → provider
// → /oauth2callback → /) and waits until the app shows "Signed in as ".
//
// --settle SECONDS: the login may also end *not* signed in. Once the browser
// is back on the app from /oauth2callback, wait at most SECONDS for
// "Signed in as ", then report either way (exit 0, "signed_in" says which).
// Without it, not being signed in is a failure.
//
// --logout: once signed in, click the app's "Log out" button (st.logout) and
// follow the browser until it either leaves the app's origin (the provider's
// end_session_endpoint: that document's response ends the wait) or is back
// on the app showing "Log in" (local logout). The JSON then has "logout":
//   {"kind": "provider"|"local", "url": "<the first URL off the app's origin,
//    or the app's final URL>", "status": N, "navigations": [...after the
//    click], "set_cookies": [...after the click], "text": "<page text>"}
// An error page of the provider does not fail the run here: it is recorded
// (its text) so the test can say what the user saw.
//
// A main-frame response of the app's origin with status >= 400 before the
// provider's form (e.g. /auth/login answering 400 or 500 in a broken
// environment) fails at once, naming the status, URL and page text, instead
// of waiting out the timeout.
//
// stdout, on success only, one JSON line:
//   {"text": "...", "set_cookies": [{"name", "value", "header", "url"}...],
//    "url": "...", "signed_in": true, "navigations": [{"url", "status"}...],
//    "cookie_jar": [{"name", "value_len", "domain", "path"}...],
//    "cookie_header_len": N, "authorize_url": "...",
//    "websockets": [{"url", "after_callback", "frames_received", ...}]}
// text: the visible text of the app's st.markdown elements (data-testid
// stMarkdown), or the page's body text when it has none. set_cookies: every
// Set-Cookie header of every response from the app's origin, in the order
// received (redirect responses included); header = the header's whole value,
// url = the response's URL. navigations: the main frame's document responses.
// cookie_jar / cookie_header_len: the browser's cookies for the app's URL at
// the end and the length of the Cookie header they make (`a=1; b=2`).
// websockets: the page's WebSockets (Streamlit's /_stcore/stream), whether
// each was opened after the return from /oauth2callback, and how many frames
// it received. authorize_url: the first request off the app's origin that
// carries client_id and redirect_uri (the authorization request as it
// reached the provider).
//
// Exit codes: 0 signed in (or, with --settle, back on the app); 1 the login
// failed or timed out (reason on stderr, with the page's URL, text and the
// route taken); 2 usage error. All of it is bounded by --timeout seconds.

import { executablePath, launch, withTimeout } from './chromium.mjs';
import { parseArgs } from 'node:util';

const USAGE = 'usage: node tests/browser/streamlit_login.mjs --app URL [--login NAME] '
  + '[--password PW] [--screenshot FILE] [--timeout SECONDS] [--settle SECONDS] [--logout]';

function usage(message) {
  process.stderr.write(`streamlit_login.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

let opts;
try {
  opts = parseArgs({
    options: {
      app: { type: 'string' },
      login: { type: 'string', default: 'alice' },
      password: { type: 'string', default: 'any-password' },
      screenshot: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      settle: { type: 'string' },
      logout: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (err) {
  usage(err.message);
}
if (!opts.app) usage('--app is required');
let appUrl;
try {
  appUrl = new URL(opts.app);
} catch {
  usage(`--app is not a URL: ${opts.app}`);
}
const timeoutMs = Number(opts.timeout) * 1000;
if (!(timeoutMs > 0)) usage(`--timeout must be a positive number of seconds: ${opts.timeout}`);
const settleMs = opts.settle === undefined ? null : Number(opts.settle) * 1000;
if (settleMs !== null && !(settleMs >= 0)) usage(`--settle must be a number of seconds: ${opts.settle}`);
const appOrigin = appUrl.origin;
const started = Date.now();
const deadline = started + timeoutMs;

let playwright;
try {
  playwright = await import('playwright-core');
} catch (err) {
  process.stderr.write(`streamlit_login.mjs: cannot load playwright-core (${err.message}): `
    + 'run `npm ci --prefix tests/browser` first\n');
  process.exit(1);
}

let browser = null;
let context = null;
let page = null;
let step = 'starting';
const responses = []; // {url, headers: [Set-Cookie values]} of the app's origin
const navigations = [];
const websockets = [];
let authorizeUrl = null;
const pending = []; // header reads of `responses`, awaited before reporting

async function closeBrowser() {
  const b = browser;
  browser = null;
  if (b) {
    try { await withTimeout(b.close(), 5000); } catch { /* killed with us */ }
  }
}

// Prints the reason (with where the browser is) and exits 1. Runs once.
let failing = false;
async function fail(reason) {
  if (failing) return;
  failing = true;
  let where = '';
  if (page) {
    try {
      where += `\n  page URL: ${page.url()}`;
      const body = await withTimeout(page.evaluate(() => document.body?.innerText ?? ''), 3000);
      where += `\n  page text: ${JSON.stringify(String(body).slice(0, 1500))}`;
    } catch { /* the page may be gone */ }
    if (opts.screenshot) {
      try {
        await withTimeout(page.screenshot({ path: opts.screenshot, fullPage: true }), 5000);
        where += `\n  screenshot: ${opts.screenshot}`;
      } catch { /* ignore */ }
    }
  }
  if (navigations.length) {
    where += `\n  route: ${navigations.map((n) => `${n.status} ${n.url}`).join('\n    -> ')}`;
  }
  if (websockets.length) {
    where += `\n  websockets: ${JSON.stringify(websockets)}`;
  }
  process.stderr.write(`streamlit_login.mjs: ${reason} (step: ${step}, after `
    + `${((Date.now() - started) / 1000).toFixed(1)} s)${where}\n`);
  await closeBrowser();
  process.exit(1);
}

// The overall limit; a hard exit follows should fail() itself hang.
setTimeout(() => {
  setTimeout(() => process.exit(1), 10_000).unref();
  fail(`timed out after ${opts.timeout} s`);
}, timeoutMs).unref();
process.on('SIGTERM', () => { closeBrowser().finally(() => process.exit(143)); });
process.on('SIGINT', () => { closeBrowser().finally(() => process.exit(130)); });

const remaining = () => Math.max(1, deadline - Date.now());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const originOf = (url) => { try { return new URL(url).origin; } catch { return null; } };
const pathOf = (url) => { try { return new URL(url).pathname; } catch { return ''; } };
const backFromCallback = () => navigations.some((n) => pathOf(n.url).endsWith('/oauth2callback'));

// The page's state, read in one evaluate (which throws while a navigation
// replaces the document: the caller retries).
function pageState() {
  return page.evaluate(() => {
    const idpError = document.querySelector('pre#error');
    const idpErrorDescription = document.querySelector('pre#error_description');
    const exception = document.querySelector('[data-testid="stException"]');
    return {
      href: location.href,
      text: document.body?.innerText ?? '',
      loginForm: !!document.querySelector('input[name="login"]'),
      loginButton: [...document.querySelectorAll('button')].some((b) => b.innerText.trim() === 'Log in'),
      idpError: idpError ? `${idpError.textContent}: ${idpErrorDescription?.textContent ?? ''}` : null,
      streamlitError: exception ? exception.innerText : null,
    };
  });
}

// Polls pageState until `done(state)` returns a truthy value (`{failure}`:
// fail with that reason); fails on an error page of the provider or an
// exception shown by the app.
async function waitFor(what, done) {
  step = what;
  for (;;) {
    let state = null;
    try {
      state = await withTimeout(pageState(), Math.min(5000, remaining()));
    } catch { /* navigating */ }
    if (state) {
      if (state.idpError) await fail(`the identity provider showed an error page: ${state.idpError}`);
      if (state.streamlitError && originOf(state.href) === appOrigin) {
        await fail(`the app shows an exception: ${state.streamlitError}`);
      }
      const result = done(state);
      if (result?.failure) await fail(result.failure);
      if (result) return result;
    }
    await sleep(200);
  }
}

// Clicks "Log out" and follows the browser to the provider or back to the
// app (see --logout in the header).
async function logOut() {
  step = 'clicking "Log out"';
  const navFrom = navigations.length;
  const respFrom = responses.length;
  const button = page.getByRole('button', { name: 'Log out', exact: true });
  await button.waitFor({ state: 'visible', timeout: remaining() });
  await button.click({ timeout: remaining() });
  step = 'waiting for the logout to end at the provider or on the app';
  let kind = null;
  let state = null;
  for (;;) {
    const after = navigations.slice(navFrom);
    const off = after.find((n) => originOf(n.url) !== appOrigin);
    try {
      state = await withTimeout(pageState(), Math.min(5000, remaining()));
    } catch { state = null; }
    if (off) {
      kind = 'provider';
      break;
    }
    if (state && after.some((n) => pathOf(n.url).endsWith('/auth/logout'))
      && originOf(state.href) === appOrigin && state.loginButton) {
      kind = 'local';
      break;
    }
    await sleep(200);
  }
  await Promise.all(pending);
  const after = navigations.slice(navFrom);
  const off = after.find((n) => originOf(n.url) !== appOrigin);
  // Let the provider's page render, for its text.
  if (off) await sleep(500);
  try {
    state = await withTimeout(pageState(), Math.min(5000, remaining()));
  } catch { /* navigating */ }
  const setCookies = [];
  for (const slot of responses.slice(respFrom)) {
    for (const header of slot.headers) setCookies.push({ header, url: slot.url });
  }
  return {
    kind,
    url: off ? off.url : page.url(),
    status: off ? off.status : (after.at(-1)?.status ?? 0),
    navigations: after,
    set_cookies: setCookies,
    text: state ? String(state.text).slice(0, 2000) : '',
  };
}

const signedIn = (s) => originOf(s.href) === appOrigin && !pathOf(s.href).endsWith('/oauth2callback')
  && s.text.includes('Signed in as ');

try {
  step = `launching ${executablePath}`;
  browser = await launch(playwright, { timeout: remaining() });
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(remaining());
  page.setDefaultNavigationTimeout(remaining());

  // Every response of the app's origin, redirects included. On Chromium,
  // headersArray() (and headerValues()) keep each Set-Cookie header as its
  // own entry; allHeaders() joins them with "\n" and headers() drops them.
  page.on('response', (response) => {
    const url = response.url();
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      navigations.push({ url, status: response.status() });
    }
    if (originOf(url) !== appOrigin) return;
    const slot = { url, headers: [] };
    responses.push(slot);
    pending.push(response.headersArray().then((headers) => {
      slot.headers = headers
        .filter((h) => h.name.toLowerCase() === 'set-cookie')
        .map((h) => h.value);
    }, () => { /* response gone */ }));
  });
  page.on('request', (request) => {
    const url = request.url();
    if (authorizeUrl !== null || originOf(url) === appOrigin) return;
    try {
      const q = new URL(url).searchParams;
      if (q.has('client_id') && q.has('redirect_uri')) authorizeUrl = url;
    } catch { /* not a URL */ }
  });
  page.on('websocket', (ws) => {
    const entry = {
      url: ws.url(), after_callback: backFromCallback(), frames_received: 0, frames_sent: 0,
      closed: false, error: null,
    };
    websockets.push(entry);
    ws.on('framereceived', () => { entry.frames_received += 1; });
    ws.on('framesent', () => { entry.frames_sent += 1; });
    ws.on('close', () => { entry.closed = true; });
    ws.on('socketerror', (e) => { entry.error = String(e); });
  });

  step = `opening ${appUrl.href}`;
  await page.goto(appUrl.href, { waitUntil: 'domcontentloaded' });

  step = 'waiting for the app\'s "Log in" button';
  const button = page.getByRole('button', { name: 'Log in', exact: true });
  await button.waitFor({ state: 'visible', timeout: remaining() });
  step = 'clicking "Log in"';
  await button.click({ timeout: remaining() });

  // st.login navigates to /auth/login?provider=..., which redirects to the
  // provider's authorization endpoint and on to its login form.
  const reached = await waitFor('waiting for the identity provider\'s login form', (s) => {
    const refused = navigations.find((n) => n.status >= 400 && originOf(n.url) === appOrigin);
    if (refused) {
      return {
        failure: `the app answered ${refused.status} at ${refused.url}: `
          + `${JSON.stringify(s.text.slice(0, 500))}`,
      };
    }
    if (originOf(s.href) !== appOrigin && s.loginForm) return 'form';
    if (signedIn(s)) return 'signed-in';
    return null;
  });

  if (reached === 'form') {
    step = 'signing in at the identity provider';
    await page.locator('input[name="login"]').fill(opts.login, { timeout: remaining() });
    await page.locator('input[name="password"]').fill(opts.password, { timeout: remaining() });
    await page.locator('form button[type="submit"], form input[type="submit"]').first()
      .click({ timeout: remaining(), noWaitAfter: true });
  }

  // The provider redirects to /oauth2callback, which sets the cookies and
  // redirects to the app's root; the app then reads st.user over its
  // WebSocket. A login Streamlit rejects at /oauth2callback (state or origin
  // mismatch, token error) lands on the app showing "Log in" again: without
  // --settle that fails once it has lasted LOOP_MS, instead of waiting out the
  // timeout (Streamlit logs the reason on its stderr).
  const LOOP_MS = 4000;
  let since = null;
  const outcome = await waitFor('waiting for the app to show "Signed in as "', (s) => {
    if (signedIn(s)) return 'signed-in';
    const u = new URL(s.href);
    const onApp = backFromCallback() && !u.pathname.endsWith('/oauth2callback')
      && (u.origin === appOrigin || s.loginButton);
    if (!onApp) {
      since = null;
      return null;
    }
    since ??= Date.now();
    if (settleMs !== null) return Date.now() - since >= settleMs ? 'not-signed-in' : null;
    if (s.loginButton && Date.now() - since > LOOP_MS) {
      const where = u.origin === appOrigin ? '' : ` (now at ${u.origin}, not ${appOrigin}: `
        + 'the redirect_uri\'s host differs from the one the app was opened at)';
      return {
        failure: `Streamlit came back from /oauth2callback but the app is not signed in${where}; `
          + 'see Streamlit\'s log for the reason',
      };
    }
    return null;
  });

  step = 'reading the page';
  await Promise.all(pending);
  const text = await page.evaluate(() => {
    const md = [...document.querySelectorAll('[data-testid="stMarkdown"]')]
      .map((e) => e.innerText.trim()).filter(Boolean);
    return md.length ? md.join('\n') : (document.body?.innerText ?? '');
  });
  const jar = await context.cookies(page.url());
  if (opts.screenshot) {
    step = 'taking the screenshot';
    await page.screenshot({ path: opts.screenshot, fullPage: true, timeout: remaining() });
  }
  const setCookies = [];
  for (const slot of responses) {
    for (const header of slot.headers) {
      const semi = header.indexOf(';');
      const pair = semi === -1 ? header : header.slice(0, semi);
      const eq = pair.indexOf('=');
      setCookies.push({
        name: (eq === -1 ? '' : pair.slice(0, eq)).trim(),
        value: (eq === -1 ? pair : pair.slice(eq + 1)).trim(),
        header,
        url: slot.url,
      });
    }
  }
  let logout = null;
  if (opts.logout && outcome === 'signed-in') logout = await logOut();
  const out = {
    text,
    set_cookies: setCookies,
    url: page.url(),
    signed_in: outcome === 'signed-in',
    navigations,
    cookie_jar: jar.map((c) => ({ name: c.name, value_len: c.value.length, domain: c.domain, path: c.path })),
    cookie_header_len: jar.reduce((n, c) => n + c.name.length + 1 + c.value.length, 0)
      + 2 * Math.max(0, jar.length - 1),
    websockets,
    authorize_url: authorizeUrl,
    logout,
  };
  await closeBrowser();
  // A pipe takes 64 KiB at once: exit only once the whole line is written.
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0));
} catch (err) {
  await fail(err?.message?.split('\n')[0] ?? String(err));
}
