// Runs queries through Pagefind's browser API in headless Chromium, for
// bench/relevance.py (not a test):
//
//   node bench/pagefind_queries.mjs SITE_DIR QUERIES.json
//
// SITE_DIR holds a built site with a Pagefind bundle in SITE_DIR/pagefind/;
// QUERIES.json is {set: [query, …]}. Prints {set: [[url, …top 10], …]}
// with urls relative to the site root and without `index.html`, plus the
// bytes the first query of each set downloaded on a cold page (stderr).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { launch } from '../tests/browser/helpers.mjs';

const [dir, qfile] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(qfile, 'utf8'));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};
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
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launch();
try {
  const out = {};
  for (const [set, qs] of Object.entries(queries)) {
    const page = await browser.newPage();
    await page.goto(`${base}index.html`);
    out[set] = await page.evaluate(async (qs) => {
      const pf = await import('/pagefind/pagefind.js');
      await pf.init();
      const res = [];
      for (const q of qs) {
        const s = await pf.search(q);
        const top = await Promise.all(s.results.slice(0, 10).map((r) => r.data()));
        res.push(top.map((d) => d.url.replace(/^\//, '').replace(/index\.html$/, '')));
      }
      return res;
    }, qs);
    await page.close();
  }
  // The first query's download on a cold page.
  const page = await browser.newPage();
  await page.goto(`${base}index.html`);
  const first = Object.values(queries)[0][0];
  await page.evaluate(async (q) => {
    const pf = await import('/pagefind/pagefind.js');
    const s = await pf.search(q);
    await Promise.all(s.results.slice(0, 10).map((r) => r.data()));
  }, first);
  const bytes = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/pagefind/'))
    .reduce((a, e) => a + e.encodedBodySize, 0));
  process.stderr.write(`pagefind first query ${JSON.stringify(first)}: ${bytes} bytes\n`);
  process.stdout.write(JSON.stringify(out));
} finally {
  await browser.close();
  server.close();
}
