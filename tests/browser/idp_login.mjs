// A real browser as `stauth test-login --browser-command`: headless Chromium
// (Debian's /usr/bin/chromium, or $STAUTH_CHROMIUM) driven by playwright-core
// opens the login URL (the last argument), signs in on the test provider's
// form (tests/idp/server.mjs: fields `login` and `password`), and follows the
// redirect to stauth's loopback listener, whose page says "Login received".
//
//   node tests/browser/idp_login.mjs [--login alice] [--timeout 60] URL
//
// Exit codes: 0 the listener's page was reached; 1 anything else (reason on
// stderr); 2 usage error.

import { launch } from './chromium.mjs';
import { parseArgs } from 'node:util';

let parsed;
try {
  parsed = parseArgs({
    options: { login: { type: 'string', default: 'alice' }, timeout: { type: 'string', default: '60' } },
    allowPositionals: true,
  });
} catch (err) {
  process.stderr.write(`idp_login.mjs: ${err.message}\n`);
  process.exit(2);
}
const url = parsed.positionals.at(-1);
if (!url) {
  process.stderr.write('usage: node tests/browser/idp_login.mjs [--login NAME] URL\n');
  process.exit(2);
}
const timeout = Number(parsed.values.timeout) * 1000;
const { chromium } = await import('playwright-core');
const browser = await launch({ chromium });
const kill = setTimeout(() => {
  process.stderr.write('idp_login.mjs: timed out\n');
  process.exit(1);
}, timeout);
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url, { timeout });
  await page.locator('input[name="login"]').fill(parsed.values.login, { timeout });
  await page.locator('input[name="password"]').fill('any-password', { timeout });
  await page.locator('form button[type="submit"], form input[type="submit"]').first().click({ timeout });
  await page.getByText('Login received').waitFor({ timeout });
  clearTimeout(kill);
  await browser.close();
  process.exit(0);
} catch (err) {
  process.stderr.write(`idp_login.mjs: ${err.message}\n`);
  await browser.close().catch(() => {});
  process.exit(1);
}
