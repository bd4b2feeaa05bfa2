// A real browser logging in to a real Streamlit app through st.login, at
// `stauth dev-provider`'s login page, in steps.
//
//   node tests/browser/dev_login.mjs --app http://localhost:PORT/ \
//        --steps login:alice,page:Admin,session,logout,session,fresh,login:bob \
//        [--screenshots DIR] [--timeout 120]
//
// Headless Chromium (Debian's /usr/bin/chromium, or $STAUTH_CHROMIUM) driven
// by playwright-core. Steps, run in order in one browser:
//   login:SUB[@BUTTON]
//              click the app's first "Log in" or "Log in with ..." button
//              (or the button BUTTON, e.g. "Log in with Keycloak"; st.login);
//              at the dev provider's login page click the button
//              data-testid "dev-login-user-SUB"; when no page shows (a
//              provider session approved it) just follow. Then wait until
//              the app shows its "Log out" button (signed in) or, back from
//              /oauth2callback, still shows "Log in" for 6 s (not signed in).
//   page:NAME  click the page NAME in the app's navigation.
//   logout     click the app's "Log out" button (st.logout) and follow until
//              the app shows "Log in" again.
//   session    whether the provider still has a session for this browser:
//              the last authorization request of the app, without its
//              prompt (Streamlit sends prompt=select_account, which always
//              shows the page), sent with the browser's cookies and not
//              followed: "session_alive" is true when it redirects straight
//              to the redirect_uri with a code, false when it shows a page.
//   fresh      a new browser context: no cookies, no provider session.
//   text:A|B   wait (at most 20 s) until the page's text holds A or B: the
//              script may still be running when a login step ends.
// Each step adds one record to "steps" (see `record` below): the page's
// title (first h1), the navigation's entries, the text, the route the step
// took, the Set-Cookie headers of the app's origin, whether the login page
// was shown and whether the app is signed in.
//
// stdout, when every step ran: {"steps": [...]} on one line, exit 0. A step
// that cannot run (no button, an error page of the provider, an exception in
// the app, the timeout) exits 1 with the step, URL, page text and route on
// stderr; 2 is a usage error.

import { executablePath, launch, withTimeout } from './chromium.mjs';
import { parseArgs } from 'node:util';

const USAGE = 'usage: node tests/browser/dev_login.mjs --app URL --steps STEP,... '
  + '[--screenshots DIR] [--timeout SECONDS]';

let opts;
try {
  opts = parseArgs({
    options: {
      app: { type: 'string' },
      steps: { type: 'string' },
      screenshots: { type: 'string' },
      timeout: { type: 'string', default: '120' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (err) {
  process.stderr.write(`dev_login.mjs: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
if (!opts.app || !opts.steps) {
  process.stderr.write(`dev_login.mjs: --app and --steps are required\n${USAGE}\n`);
  process.exit(2);
}
const appUrl = new URL(opts.app);
const appOrigin = appUrl.origin;
const steps = opts.steps.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of steps) {
  if (!/^(login:[^,]+|page:[^,]+|text:[^,]+|logout|session|fresh)$/.test(s)) {
    process.stderr.write(`dev_login.mjs: unknown step ${JSON.stringify(s)}\n${USAGE}\n`);
    process.exit(2);
  }
}
const timeoutMs = Number(opts.timeout) * 1000;
const started = Date.now();
const deadline = started + timeoutMs;

let playwright;
try {
  playwright = await import('playwright-core');
} catch (err) {
  process.stderr.write(`dev_login.mjs: cannot load playwright-core (${err.message}): `
    + 'run `npm ci --prefix tests/browser` first\n');
  process.exit(1);
}

let browser = null;
let context = null;
let page = null;
let step = 'starting';
let navigations = []; // main-frame documents of the current step: {url, status}
let responses = []; // app-origin responses of the current step: {url, headers}
let pending = [];
const records = [];
let lastAuthorize = null; // the last authorization request the browser made

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const remaining = () => Math.max(1, deadline - Date.now());
const originOf = (url) => { try { return new URL(url).origin; } catch { return null; } };
const pathOf = (url) => { try { return new URL(url).pathname; } catch { return ''; } };

async function closeBrowser() {
  const b = browser;
  browser = null;
  if (b) {
    try { await withTimeout(b.close(), 5000); } catch { /* killed with us */ }
  }
}

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
    } catch { /* navigating */ }
    if (opts.screenshots) {
      try {
        const path = `${opts.screenshots}/failure.png`;
        await withTimeout(page.screenshot({ path, fullPage: true }), 5000);
        where += `\n  screenshot: ${path}`;
      } catch { /* ignore */ }
    }
  }
  if (navigations.length) {
    where += `\n  route: ${navigations.map((n) => `${n.status} ${n.url}`).join('\n    -> ')}`;
  }
  where += `\n  done: ${JSON.stringify(records.map((r) => r.step))}`;
  process.stderr.write(`dev_login.mjs: ${reason} (step: ${step}, after `
    + `${((Date.now() - started) / 1000).toFixed(1)} s)${where}\n`);
  await closeBrowser();
  process.exit(1);
}

setTimeout(() => {
  setTimeout(() => process.exit(1), 10_000).unref();
  fail(`timed out after ${opts.timeout} s`);
}, timeoutMs).unref();
process.on('SIGTERM', () => { closeBrowser().finally(() => process.exit(143)); });
process.on('SIGINT', () => { closeBrowser().finally(() => process.exit(130)); });

// The page's state in one evaluate (throws while a navigation replaces the
// document: callers retry).
function pageState() {
  return page.evaluate(() => {
    const buttons = [...document.querySelectorAll('button')].map((b) => b.innerText.trim());
    const nav = [...document.querySelectorAll(
      '[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"], [data-testid="stTopNavLink"]',
    )].map((a) => a.innerText.trim()).filter(Boolean);
    const exception = document.querySelector('[data-testid="stException"]');
    return {
      href: location.href,
      text: document.body?.innerText ?? '',
      title: document.querySelector('h1')?.innerText?.trim() ?? '',
      nav: [...new Set(nav)],
      loginButton: buttons.some((b) => b === 'Log in' || b.startsWith('Log in with ')),
      buttons,
      logoutButton: buttons.includes('Log out'),
      devLoginPage: !!document.querySelector('[data-testid^="dev-login-user-"]'),
      devUsers: [...document.querySelectorAll('[data-testid^="dev-login-user-"]')]
        .map((e) => e.getAttribute('data-testid').slice('dev-login-user-'.length)),
      streamlitError: exception ? exception.innerText : null,
    };
  });
}

async function state() {
  try {
    return await withTimeout(pageState(), Math.min(5000, remaining()));
  } catch {
    return null;
  }
}

// Polls until `done(state)` returns a value; fails on an app exception.
async function waitFor(what, done) {
  step = what;
  for (;;) {
    const s = await state();
    if (s) {
      if (s.streamlitError && originOf(s.href) === appOrigin) {
        await fail(`the app shows an exception: ${s.streamlitError}`);
      }
      const result = done(s);
      if (result?.failure) await fail(result.failure);
      if (result) return result;
    }
    await sleep(200);
  }
}

async function newContext() {
  if (context) {
    try { await withTimeout(context.close(), 5000); } catch { /* gone */ }
  }
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(remaining());
  page.setDefaultNavigationTimeout(remaining());
  page.on('response', (response) => {
    const url = response.url();
    if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
      navigations.push({ url, status: response.status() });
      try {
        const q = new URL(url).searchParams;
        if (originOf(url) !== appOrigin && q.has('client_id') && q.has('redirect_uri')) lastAuthorize = url;
      } catch { /* not a URL */ }
    }
    if (originOf(url) !== appOrigin) return;
    const slot = { url, headers: [] };
    responses.push(slot);
    pending.push(response.headersArray().then((headers) => {
      slot.headers = headers.filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
    }, () => { /* response gone */ }));
  });
  await page.goto(appUrl.href, { waitUntil: 'domcontentloaded' });
}

// Settles the page (Streamlit renders over its WebSocket), then records it.
async function record(name, extra) {
  await Promise.all(pending);
  let s = await state();
  // Let the page's elements arrive: the title, the navigation.
  const until = Date.now() + 1500;
  while (Date.now() < until && s && !s.title) {
    await sleep(200);
    s = await state();
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
  if (opts.screenshots) {
    try {
      await page.screenshot({ path: `${opts.screenshots}/${records.length}-${name.replace(/[^a-z0-9-]/gi, '_')}.png`, fullPage: true });
    } catch { /* not essential */ }
  }
  const jar = await context.cookies(appUrl.href);
  records.push({
    step: name,
    url: page.url(),
    title: s?.title ?? '',
    nav: s?.nav ?? [],
    text: String(s?.text ?? '').slice(0, 4000),
    signed_in: !!(s && originOf(s.href) === appOrigin && s.logoutButton),
    navigations,
    set_cookies: setCookies,
    cookie_header_len: jar.reduce((n, c) => n + c.name.length + 1 + c.value.length, 0)
      + 2 * Math.max(0, jar.length - 1),
    ...extra,
  });
  navigations = [];
  responses = [];
  pending = [];
}

async function clickButton(name) {
  const button = page.getByRole('button', { name, exact: true }).first();
  await button.waitFor({ state: 'visible', timeout: remaining() });
  await button.click({ timeout: remaining() });
}

async function login(name, who) {
  // Without @BUTTON: the first "Log in" or "Log in with ..." button.
  const [sub, named = null] = who.split('@');
  const isLogin = (b) => (named === null ? b === 'Log in' || b.startsWith('Log in with ') : b === named);
  const buttonName = await waitFor(`waiting for the app's "${named ?? 'Log in'}" button`, (s) => (
    originOf(s.href) === appOrigin ? s.buttons.find(isLogin) ?? null : null));
  step = `clicking "${buttonName}" (${name})`;
  await clickButton(buttonName);
  const reached = await waitFor('waiting for the dev provider\'s login page or the signed-in app', (s) => {
    const refused = navigations.find((n) => n.status >= 400);
    if (refused) {
      return { failure: `${refused.url} answered ${refused.status}: ${JSON.stringify(s.text.slice(0, 500))}` };
    }
    if (originOf(s.href) !== appOrigin && s.devLoginPage) return 'page';
    const back = navigations.some((n) => pathOf(n.url).endsWith('/oauth2callback'));
    if (back && originOf(s.href) === appOrigin && (s.logoutButton || s.loginButton)) return 'back';
    return null;
  });
  let users = [];
  if (reached === 'page') {
    const s = await state();
    users = s?.devUsers ?? [];
    step = `clicking dev-login-user-${sub}`;
    const button = page.locator(`[data-testid="dev-login-user-${sub}"]`);
    if (await button.count() === 0) await fail(`the login page has no user ${sub} (it has ${users.join(', ')})`);
    await button.click({ timeout: remaining(), noWaitAfter: true });
  }
  let since = null;
  await waitFor('waiting for the app to sign in', (s) => {
    const back = navigations.some((n) => pathOf(n.url).endsWith('/oauth2callback'));
    if (!back || originOf(s.href) !== appOrigin) return null;
    if (s.logoutButton) return 'signed-in';
    since ??= Date.now();
    return Date.now() - since > 6000 ? 'not-signed-in' : null;
  });
  await record(name, { login_page_shown: reached === 'page', login_page_users: users });
}

async function openPage(name, title) {
  step = `opening the page ${title}`;
  const link = page.locator(
    '[data-testid="stSidebarNav"] a, [data-testid="stSidebarNavLink"], [data-testid="stTopNavLink"]',
  ).filter({ hasText: title }).first();
  await link.waitFor({ state: 'visible', timeout: remaining() });
  await link.click({ timeout: remaining() });
  await waitFor(`waiting for the page ${title}`, (s) => (s.title === title ? true : null));
  await record(name, {});
}

async function waitText(name, wanted) {
  const options = wanted.split('|');
  const until = Date.now() + Math.min(20000, remaining());
  await waitFor(`waiting for the text ${wanted}`, (s) => (
    options.some((o) => s.text.includes(o)) || Date.now() > until ? true : null));
  await record(name, {});
}

async function logout(name) {
  step = 'clicking "Log out"';
  await clickButton('Log out');
  await waitFor('waiting for the app to show "Log in" again', (s) => (
    originOf(s.href) === appOrigin && s.loginButton && !s.logoutButton
      && navigations.some((n) => originOf(n.url) === appOrigin) ? true : null));
  const atProvider = navigations.filter((n) => originOf(n.url) !== appOrigin);
  await record(name, { provider_logout: atProvider.length > 0 });
}

async function session(name) {
  step = 'asking the provider for its session';
  if (!lastAuthorize) await fail('no authorization request seen yet');
  const url = new URL(lastAuthorize);
  url.searchParams.delete('prompt');
  url.searchParams.set('state', `session-probe-${Date.now()}`);
  const response = await context.request.get(url.href, { maxRedirects: 0, timeout: remaining() });
  const location = response.headers().location ?? null;
  const redirectUri = url.searchParams.get('redirect_uri');
  const alive = response.status() >= 300 && response.status() < 400 && location !== null
    && location.startsWith(redirectUri) && new URL(location).searchParams.has('code');
  records.push({ step: name, status: response.status(), location, session_alive: alive });
}

try {
  step = `launching ${executablePath}`;
  browser = await launch(playwright, { timeout: remaining() });
  await newContext();
  for (const s of steps) {
    if (s === 'fresh') {
      step = 'a fresh browser context';
      await newContext();
      records.push({ step: s });
      navigations = [];
      responses = [];
      pending = [];
    } else if (s === 'session') {
      await session(s);
    } else if (s === 'logout') {
      await logout(s);
    } else if (s.startsWith('login:')) {
      await login(s, s.slice('login:'.length));
    } else if (s.startsWith('text:')) {
      await waitText(s, s.slice('text:'.length));
    } else {
      await openPage(s, s.slice('page:'.length));
    }
  }
  await closeBrowser();
  process.stdout.write(`${JSON.stringify({ steps: records })}\n`, () => process.exit(0));
} catch (err) {
  await fail(err?.message?.split('\n')[0] ?? String(err));
}
