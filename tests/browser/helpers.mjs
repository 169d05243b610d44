// Shared by the browser tests: builds the fixture site, serves it on
// 127.0.0.1, launches Debian's Chromium through playwright-core, and asks
// Rust for its ranking of the same queries.
//
// The fixture is built in ONE place, buildFixture(): today by the
// `search_fixture` example; once the pipeline lands, by `campfire build` of a
// fixture site.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const XSS_TITLE = '<img src=x onerror=alert(1)>';

function cargo(args, input) {
  return execFileSync('cargo', args, {
    cwd: repo,
    input,
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'inherit'],
  }).toString();
}

/** Runs the search_fixture example (built once, debug profile). */
export function fixtureTool(args, input) {
  return cargo(['run', '--quiet', '--example', 'search_fixture', '--', ...args], input);
}

/** Builds the fixture site into a fresh temporary directory; returns it. */
export function buildFixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campfire-search-fixture-'));
  fixtureTool(['build', dir]);
  return dir;
}

/** Rust's ranking (search_output) of each query: { query: [Hit…] }. */
export function rustRank(dir, queries) {
  return JSON.parse(fixtureTool(['rank', dir, ...queries]));
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A static file server for dir on 127.0.0.1 (random port). */
export async function serve(dir) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let p = path.join(dir, decodeURIComponent(url.pathname));
    if (!p.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (p.endsWith('/')) p += 'index.html';
    fs.readFile(p, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(p)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${server.address().port}/` };
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function launch() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** A new page that records dialogs and page errors (both must stay empty). */
export async function newPage(browser) {
  const page = await browser.newPage();
  page.dialogs = [];
  page.errors = [];
  page.on('dialog', (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}
