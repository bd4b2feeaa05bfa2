// stauth's browser pages in real Chromium (Debian's /usr/bin/chromium, or
// $STAUTH_CHROMIUM) driven by playwright-core, with a screenshot of each.
//
//   node tests/browser/pages.mjs check SPEC.json OUT_DIR
//       SPEC.json: [{"name", "url", "texts": [...], "testids": [...]}, ...].
//       Opens each page and checks that: the visible text holds every
//       `texts` entry (hostile text shows literally); each `testids` entry
//       names exactly one element; no script ran (a page that reflects
//       `<script>window.pwned=1</script>` must not set it) and the page has
//       no <script> element; the stylesheet applied (its Content-Security-
//       Policy hash matched); the console has no error (a CSP violation is
//       one; the page's own error status, given as "status", is not).
//       Screenshots OUT_DIR/NAME.png (light) and NAME-dark.png.
//
//   node tests/browser/pages.mjs login --out DIR --user SUB [--timeout 60] URL
//       As `stauth test-login --browser-command`: opens the dev provider's
//       login page at URL (screenshot dev_login_live.png), clicks the user
//       SUB (data-testid dev-login-user-SUB), waits for test-login's final
//       page (data-testid report-headline; screenshot test_login_report.png)
//       and writes DIR/login.json: {"ok": true, "text": the page's text,
//       "console_errors": [...]} or {"ok": false, "error": ...}.
//
// Exit codes: 0 every check passed; 1 a check failed (reasons on stderr);
// 2 usage error.

import { launch } from './chromium.mjs';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const USAGE = 'usage: node tests/browser/pages.mjs check SPEC.json OUT_DIR\n'
  + '       node tests/browser/pages.mjs login --out DIR --user SUB [--timeout SECONDS] URL';

let parsed;
try {
  parsed = parseArgs({
    options: {
      out: { type: 'string' },
      user: { type: 'string' },
      timeout: { type: 'string', default: '60' },
    },
    allowPositionals: true,
  });
} catch (err) {
  process.stderr.write(`pages.mjs: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
const [mode, ...rest] = parsed.positionals;
const timeout = Number(parsed.values.timeout) * 1000;
if (!['check', 'login'].includes(mode) || !(timeout > 0)) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const { chromium } = await import('playwright-core');
const browser = await launch({ chromium });
// Each step waits at most `timeout`; the whole run (check mode opens many
// pages) at most a few times that.
const kill = setTimeout(() => {
  process.stderr.write('pages.mjs: timed out\n');
  process.exit(1);
}, timeout * 4);

/// A page in a fresh context that records console errors.
async function open(colorScheme) {
  const context = await browser.newContext({ colorScheme, viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return { context, page, errors };
}

/// What is wrong with the page as loaded (an empty list: nothing).
async function problems(page, errors, spec) {
  const found = [];
  const text = await page.locator('body').innerText();
  for (const want of spec.texts || []) {
    if (!text.includes(want)) found.push(`the page does not show ${JSON.stringify(want)}`);
  }
  for (const id of spec.testids || []) {
    const n = await page.getByTestId(id).count();
    if (n !== 1) found.push(`data-testid ${JSON.stringify(id)} names ${n} elements, not 1`);
  }
  const state = await page.evaluate(() => ({
    pwned: window.pwned,
    scripts: document.querySelectorAll('script').length,
    font: getComputedStyle(document.body).fontFamily,
  }));
  if (state.pwned !== undefined) found.push('a reflected script ran');
  if (state.scripts !== 0) found.push(`the page has ${state.scripts} <script> element(s)`);
  if (!state.font.includes('system-ui')) {
    found.push(`the stylesheet did not apply (font-family ${state.font}): blocked by the CSP?`);
  }
  // Chromium logs the page's own error status (an error page's 400) as one.
  const expected = `the server responded with a status of ${spec.status} `;
  for (const e of errors) {
    if (!(spec.status >= 400 && e.includes(expected))) found.push(`console error: ${e}`);
  }
  return found;
}

async function check(specFile, outDir) {
  const specs = JSON.parse(readFileSync(specFile, 'utf8'));
  mkdirSync(outDir, { recursive: true });
  let failed = false;
  for (const spec of specs) {
    for (const scheme of ['light', 'dark']) {
      const { context, page, errors } = await open(scheme);
      const response = await page.goto(spec.url, { timeout });
      const found = await problems(page, errors, spec);
      if (response && spec.status && response.status() !== spec.status) {
        found.push(`status ${response.status()}, not ${spec.status}`);
      }
      const file = join(outDir, scheme === 'light' ? `${spec.name}.png` : `${spec.name}-dark.png`);
      await page.screenshot({ path: file, fullPage: true });
      for (const p of found) process.stderr.write(`pages.mjs: ${spec.name} (${scheme}): ${p}\n`);
      failed ||= found.length > 0;
      await context.close();
    }
  }
  return failed ? 1 : 0;
}

async function login(url, outDir, user) {
  mkdirSync(outDir, { recursive: true });
  const result = join(outDir, 'login.json');
  const { page, errors } = await open('light');
  try {
    await page.goto(url, { timeout });
    const button = page.getByTestId(`dev-login-user-${user}`);
    await button.waitFor({ timeout });
    const loginProblems = await problems(page, errors, { testids: ['dev-login-deny', 'dev-login-custom-submit'] });
    await page.screenshot({ path: join(outDir, 'dev_login_live.png'), fullPage: true });
    await button.click({ timeout });
    await page.getByTestId('report-headline').waitFor({ timeout });
    const reportProblems = await problems(page, errors, {});
    await page.screenshot({ path: join(outDir, 'test_login_report.png'), fullPage: true });
    const text = await page.locator('body').innerText();
    writeFileSync(result, JSON.stringify({ ok: true, text, problems: [...loginProblems, ...reportProblems] }));
    return 0;
  } catch (err) {
    const text = await page.locator('body').innerText().catch(() => '');
    writeFileSync(result, JSON.stringify({ ok: false, error: err.message, url: page.url(), text }));
    process.stderr.write(`pages.mjs: ${err.message}\n`);
    return 1;
  }
}

let code;
try {
  if (mode === 'check') {
    if (rest.length !== 2) {
      process.stderr.write(`${USAGE}\n`);
      process.exit(2);
    }
    code = await check(rest[0], rest[1]);
  } else {
    const url = rest.at(-1);
    if (!url || !parsed.values.out || !parsed.values.user) {
      process.stderr.write(`${USAGE}\n`);
      process.exit(2);
    }
    code = await login(url, parsed.values.out, parsed.values.user);
  }
} catch (err) {
  process.stderr.write(`pages.mjs: ${err.message}\n`);
  code = 1;
}
clearTimeout(kill);
await browser.close().catch(() => {});
process.exit(code);
