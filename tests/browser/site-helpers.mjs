// Helpers for the browser tests over a REAL site: the fixture site
// (tests/fixtures/basic) copied into a temp dir and built with the release
// binary `target/release/campfire`, or served by `campfire serve`.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { launch, repo, serve } from './helpers.mjs';

export const campfireBin = path.join(repo, 'target', 'release', 'campfire');
export const fixtureSrc = path.join(repo, 'tests', 'fixtures', 'basic');

let built = false;
/** `cargo build --release --quiet`, once per process (a no-op when fresh). */
export function buildCampfire() {
  if (built) return campfireBin;
  execFileSync('cargo', ['build', '--release', '--quiet'], {
    cwd: repo,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  built = true;
  return campfireBin;
}

/** A fresh temp copy of tests/fixtures/basic; returns its path. */
export function copyFixture(label = 'site') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `campfire-${label}-`));
  fs.cpSync(fixtureSrc, dir, { recursive: true });
  return dir;
}

/**
 * The fixture site copied, changed by `prepare(dir)`, built, and served
 * over HTTP, with a browser: `{ dir, http, browser, close() }`.
 */
export async function builtSite(label, prepare = () => {}) {
  buildCampfire();
  const dir = copyFixture(label);
  const site = { dir, http: null, browser: null };
  site.close = async () => {
    if (site.browser) await site.browser.close();
    if (site.http) site.http.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  prepare(dir);
  campfire(['build', '--root', dir]);
  site.http = await serve(path.join(dir, 'public'));
  site.browser = await launch();
  return site;
}

/** Runs the campfire binary; returns stdout. Throws (with stderr) on failure. */
export function campfire(args) {
  try {
    return execFileSync(campfireBin, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    throw new Error(`campfire ${args.join(' ')} failed (${e.status}):\n${e.stdout}\n${e.stderr}`);
  }
}

/** Writes a file (creating its directories). */
export function writeFile(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Replaces `from` by `to` in a file; fails if `from` is not there. */
export function replaceInFile(file, from, to) {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
  fs.writeFileSync(file, text.replace(from, to));
}

/** Polls fn (sync or async) until it returns a truthy value; returns it. */
export async function until(fn, { timeout = 10_000, interval = 50, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      if (e && e.fatal) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    // agent: false: a probe must not keep a connection (and a server thread) open.
    const req = http.get(url, { agent: false }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', () => resolve(0));
    req.setTimeout(2000, () => { req.destroy(); resolve(0); });
  });
}

const live = new Set();
// Never leave a `campfire serve` behind, even if the test process dies.
process.on('exit', () => { for (const p of live) { try { p.kill('SIGKILL'); } catch { /* gone */ } } });

/**
 * Starts `campfire serve --root dir --port N` on a free port and waits until
 * the URL it prints answers. Returns { proc, url, port, output(), stop() }.
 */
export async function startServe(dir, { timeout = 60_000, extraArgs = [] } = {}) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawn(campfireBin, ['serve', '--root', dir, '--port', String(port), ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(proc);
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    let exited = null;
    proc.on('exit', (code, signal) => { exited = { code, signal }; live.delete(proc); });
    const stop = async () => {
      if (exited) return;
      proc.kill('SIGTERM');
      try {
        await until(() => exited, { timeout: 5000, message: 'campfire serve to exit' });
      } catch {
        proc.kill('SIGKILL');
        await until(() => exited, { timeout: 5000, message: 'campfire serve to die' });
      }
    };
    try {
      const url = await until(() => {
        if (exited) throw Object.assign(new Error(`campfire serve exited (${JSON.stringify(exited)}):\n${out}`), { fatal: true });
        const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\/?/);
        return m ? `http://127.0.0.1:${m[1]}/` : null;
      }, { timeout, message: 'campfire serve to print its URL' });
      await until(async () => (await httpStatus(url)) === 200, { timeout, message: `${url} to answer 200` });
      return { proc, url, port, output: () => out, stop };
    } catch (e) {
      lastError = e;
      await stop();
      // A port taken between freePort() and the bind: try another one.
      if (!/in use|AddrInUse|address already/i.test(out)) break;
    }
  }
  throw lastError;
}

/**
 * A pass-through HTTP proxy to 127.0.0.1:port that opens one upstream
 * connection per request and closes it after the response (streams, such as
 * the live-reload event stream, are piped as they come).
 *
 * Why: `campfire serve` (tiny_http 0.12) can leave a burst of new keep-alive
 * connections unread until another connection closes (see the `todo` test
 * "answers a burst of simultaneous connections" in site.test.mjs), which makes
 * a fresh server hang Chromium's page loads. Going through this proxy keeps
 * the live-reload tests about live reload. CAMPFIRE_SERVE_DIRECT=1 skips it.
 */
export async function closingProxy(port) {
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const up = http.request({
      host: '127.0.0.1', port, method: req.method, path: req.url, agent: false,
      headers: { ...req.headers, host: `127.0.0.1:${port}`, connection: 'close' },
    }, (ur) => {
      res.writeHead(ur.statusCode, ur.headers);
      res.flushHeaders();
      ur.pipe(res);
    });
    up.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

/**
 * Opens `count` connections to 127.0.0.1:port at once, sends a keep-alive GET
 * on each and keeps them open; resolves to each one's time to the first
 * response byte in ms, or null when none came within `timeout`.
 */
export async function burst(port, { count = 12, path: target = '/', timeout = 3000 } = {}) {
  const socks = [];
  const t0 = Date.now();
  try {
    return await Promise.all(Array.from({ length: count }, () => new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
      });
      socks.push(s);
      const timer = setTimeout(() => resolve(null), timeout);
      s.once('data', () => { clearTimeout(timer); resolve(Date.now() - t0); });
      s.on('error', () => { clearTimeout(timer); resolve(null); });
    })));
  } finally {
    for (const s of socks) s.destroy();
  }
}
