// What every browser script here shares: Debian's headless Chromium (or
// $STAUTH_CHROMIUM) with the flags the tests run it with, and a timeout
// for any promise. playwright-core is loaded by the caller, which says how
// to install it when it is missing.

export const executablePath = process.env.STAUTH_CHROMIUM || '/usr/bin/chromium';

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/// Launches headless Chromium with `playwright` (the playwright-core module).
export function launch(playwright, options = {}) {
  return playwright.chromium.launch({ executablePath, headless: true, args: ARGS, ...options });
}

/// `promise`, or a rejection after `ms` milliseconds.
export function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}
