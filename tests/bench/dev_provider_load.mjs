// The load driver of tests/bench/dev_provider.sh: starts `stauth dev-provider`
// (keys already on disk) and measures it against its budgets.
//
//   node tests/bench/dev_provider_load.mjs --bin STAUTH --app-dir DIR --keys-dir DIR \
//        --client-id ID --client-secret SECRET --redirect-uri URL \
//        [--starts 30] [--concurrent 100] [--sequential 300]
//
// 1. start-up: spawn, then GET discovery every millisecond until it answers
//    200; the time from spawn to that 200, over --starts runs (median); and
//    the same with --streamlit-version (no Python run to find the release);
// 2. --concurrent full logins at once (authorize with --auto-login alice,
//    token, userinfo): how many failed;
// 3. --sequential logins one after another: the token request's time
//    (median, p95), and a discovery request's (the round trip alone);
// 4. the provider's peak resident memory (VmHWM of /proc/PID/status) after
//    all of it.
// stdout: one JSON line with the numbers. Exit 0; the shell script judges.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    bin: { type: 'string' },
    'app-dir': { type: 'string' },
    'keys-dir': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string' },
    port: { type: 'string' },
    starts: { type: 'string', default: '30' },
    concurrent: { type: 'string', default: '100' },
    sequential: { type: 'string', default: '300' },
    alg: { type: 'string', default: 'rs256' },
  },
  strict: true,
});
const port = Number(opts.port);
const base = `http://127.0.0.1:${port}`;
const issuer = `http://localhost:${port}`;
// Plain keep-alive-free requests: each login is a new connection, as a
// browser and Streamlit's server would make.
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

function request(method, path, { headers = {}, body = null } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers, agent, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function startProvider(extra = []) {
  return spawn(opts.bin, [
    'dev-provider', '--app-dir', opts['app-dir'], '--keys-dir', opts['keys-dir'],
    '--port', String(port), '--auto-login', 'alice', '--json', '--alg', opts.alg, ...extra,
  ], { stdio: ['ignore', 'ignore', 'ignore'] });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function stop(child) {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([gone, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
  // The port must be free before the next start.
  for (let i = 0; i < 500; i += 1) {
    try {
      await request('GET', '/.well-known/openid-configuration');
      await sleep(10);
    } catch {
      return;
    }
  }
}

/// Milliseconds from spawn to the first 200 on discovery.
async function timeToReady(extra = []) {
  const t0 = process.hrtime.bigint();
  const child = startProvider(extra);
  const limit = Date.now() + 10_000;
  for (;;) {
    try {
      const r = await request('GET', '/.well-known/openid-configuration');
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > limit || child.exitCode !== null) {
      await stop(child);
      throw new Error('the dev provider did not answer discovery within 10 s');
    }
    await sleep(1);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await stop(child);
  return ms;
}

const basic = `Basic ${Buffer.from(`${encodeURIComponent(opts['client-id'])}:${encodeURIComponent(opts['client-secret'])}`).toString('base64')}`;

/// One full login; the token request's milliseconds.
async function login(i) {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: opts['client-id'],
    redirect_uri: opts['redirect-uri'],
    scope: 'openid email profile',
    state: `state-${i}`,
    nonce: `nonce-${i}`,
  });
  const a = await request('GET', `/authorize?${q}`);
  if (a.status !== 302 && a.status !== 303) throw new Error(`authorize: ${a.status} ${a.body.slice(0, 200)}`);
  const code = new URL(a.headers.location).searchParams.get('code');
  if (!code) throw new Error(`authorize: no code in ${a.headers.location}`);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: opts['redirect-uri'] }).toString();
  const t0 = process.hrtime.bigint();
  const t = await request('POST', '/token', {
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    body,
  });
  const tokenMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (t.status !== 200) throw new Error(`token: ${t.status} ${t.body.slice(0, 200)}`);
  const { access_token: accessToken, id_token: idToken } = JSON.parse(t.body);
  if (!idToken) throw new Error('token: no id_token');
  const u = await request('GET', '/userinfo', { headers: { authorization: `Bearer ${accessToken}` } });
  if (u.status !== 200 || JSON.parse(u.body).sub !== 'alice') throw new Error(`userinfo: ${u.status} ${u.body.slice(0, 200)}`);
  return tokenMs;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

const starts = [];
// One unmeasured start: the page cache, the binary's first run.
await timeToReady();
for (let i = 0; i < Number(opts.starts); i += 1) starts.push(await timeToReady());
// The same with the Streamlit release given, so no Python runs to find it:
// how much of the start-up is that look-up.
const pinned = [];
for (let i = 0; i < Number(opts.starts); i += 1) pinned.push(await timeToReady(['--streamlit-version', '1.67.0']));

const child = startProvider();
for (let i = 0; ; i += 1) {
  try {
    if ((await request('GET', '/.well-known/openid-configuration')).status === 200) break;
  } catch { /* starting */ }
  if (i > 5000) throw new Error('the dev provider did not start');
  await sleep(2);
}
const discovery = JSON.parse((await request('GET', '/.well-known/openid-configuration')).body);
if (discovery.issuer !== issuer) throw new Error(`issuer ${discovery.issuer}, not ${issuer}`);

const errors = [];
const concurrentStart = Date.now();
const results = await Promise.allSettled(
  Array.from({ length: Number(opts.concurrent) }, (_, i) => login(i)),
);
const concurrentMs = Date.now() - concurrentStart;
for (const r of results) if (r.status === 'rejected') errors.push(String(r.reason?.message ?? r.reason));

const tokenTimes = [];
// The same kind of request (a new connection) to discovery, which does no
// work: what the HTTP round trip itself costs here.
const roundTrips = [];
for (let i = 0; i < Number(opts.sequential); i += 1) {
  try {
    tokenTimes.push(await login(100_000 + i));
    const t0 = process.hrtime.bigint();
    await request('GET', '/.well-known/openid-configuration');
    roundTrips.push(Number(process.hrtime.bigint() - t0) / 1e6);
  } catch (err) {
    errors.push(`sequential: ${err.message}`);
  }
}

let peakKb = null;
try {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  peakKb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
} catch { /* not Linux */ }
await stop(child);

process.stdout.write(`${JSON.stringify({
  ready_ms: { median: median(starts), min: Math.min(...starts), max: Math.max(...starts), runs: starts.length },
  ready_pinned_ms: { median: median(pinned), min: Math.min(...pinned), max: Math.max(...pinned), runs: pinned.length },
  concurrent: { logins: Number(opts.concurrent), failed: results.filter((r) => r.status === 'rejected').length, wall_ms: concurrentMs },
  token_ms: { median: tokenTimes.length ? median(tokenTimes) : null, p95: tokenTimes.length ? percentile(tokenTimes, 95) : null, runs: tokenTimes.length },
  discovery_ms: { median: roundTrips.length ? median(roundTrips) : null },
  alg: opts.alg,
  peak_rss_kb: peakKb,
  errors: errors.slice(0, 5),
})}\n`);
