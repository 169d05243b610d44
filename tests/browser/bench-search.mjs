// Benchmark (not a test): search on a synthetic 10,000-story site in real
// headless Chromium. Prints what the first query downloads and how long
// queries take in the browser.
//
//   node tests/browser/bench-search.mjs [STORIES]
//
// Builds the site with `cargo run --release --example search_bench`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { launch, newPage, repo, rustRank, serve } from './helpers.mjs';

const stories = process.argv[2] || '10000';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campfire-search-bench-'));
console.log(execFileSync('cargo', ['run', '--quiet', '--release', '--example', 'search_bench', '--', dir, stories],
  { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] }).toString());

const http = await serve(dir);
const browser = await launch();
const kb = (b) => (b / 1000).toFixed(1) + ' kB';

async function downloads(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.includes('/search/') || e.name.includes('/assets/'))
    .map((e) => ({ name: e.name.replace(/^.*?\/(search|assets)\//, '$1/').replace(/\?.*$/, ''), bytes: e.encodedBodySize })));
}

try {
  // 1. First query on the /search/ page, from a cold cache.
  for (const q of ['refund delay', 'customer', 'satisfação']) {
    const page = await newPage(browser);
    await page.goto(`${http.base}search/index.html?q=${encodeURIComponent(q)}`);
    await page.waitForSelector('.cs-result-link, .cs-empty');
    await page.waitForFunction(() => !document.getElementById('search-results').hasAttribute('aria-busy'));
    const files = await downloads(page);
    const index = files.filter((f) => f.name.startsWith('search/') && f.name.endsWith('.js'));
    const js = files.filter((f) => f.name.startsWith('assets/'));
    const sum = (l) => l.reduce((a, f) => a + f.bytes, 0);
    console.log(`browser, /search/?q=${q}: index files ${kb(sum(index))} in ${index.length} requests` +
      ` (+ ${js.map((f) => `${f.name} ${kb(f.bytes)}`).join(', ')}) = ${kb(sum(index) + sum(js))}`);
    await page.close();
  }

  // 2. Typing "refund delay" into the header box of a page, key by key.
  {
    const page = await newPage(browser);
    await page.goto(`${http.base}index.html`);
    await page.click('#site-search');
    await page.keyboard.type('refund delay', { delay: 120 });
    await page.waitForSelector('.cs-listbox [role="option"]');
    await page.waitForTimeout(500);
    const index = (await downloads(page)).filter((f) => f.name.startsWith('search/'));
    console.log(`browser, typing "refund delay" (120 ms a key) in the header box: ${kb(index.reduce((a, f) => a + f.bytes, 0))} in ${index.length} requests`);
    await page.close();
  }

  // 3. Query time: ranking in the page once the shards are there (warm),
  //    and the first time (cold, includes loading the shards).
  {
    const page = await newPage(browser);
    await page.goto(`${http.base}search/index.html`);
    const queries = ['refund delay', 'customer service', 'customer', 'refu', 'snow driver late', 'satisfação', 'the team'];
    for (const q of queries) {
      const r = await page.evaluate(async (q) => {
        const t0 = performance.now();
        const cold = await window.campfireSearch.search(q, 10);
        const coldMs = performance.now() - t0;
        const ms = [];
        for (let i = 0; i < 20; i++) ms.push((await window.campfireSearch.search(q, 10)).ms);
        ms.sort((a, b) => a - b);
        return { total: cold.total, coldMs, median: ms[10], max: ms[19] };
      }, q);
      console.log(`browser query ${JSON.stringify(q)}: ${r.total} results; ranking median ${r.median.toFixed(2)} ms, max ${r.max.toFixed(2)} ms; first run incl. loading ${r.coldMs.toFixed(1)} ms`);
    }
    await page.close();
  }

  // 4. Same order as Rust on the big corpus.
  {
    const page = await newPage(browser);
    await page.goto(`${http.base}search/index.html`);
    const queries = ['refund delay', 'customer service', 'refu', 'snow driver late', 'satisfação', 'delayed refunds', 'the team'];
    const rust = rustRank(dir, queries);
    let same = 0;
    for (const q of queries) {
      const js = await page.evaluate((q) => window.campfireSearch.search(q, 50), q);
      const a = js.hits.map((h) => h.url).join();
      const b = rust[q].map((h) => h.url).join();
      if (a === b) same++; else console.log(`DIFFERENT order for ${q}:\n  js   ${a}\n  rust ${b}`);
    }
    console.log(`top-50 order identical in Rust and the browser for ${same} of ${queries.length} queries`);
    await page.close();
  }
} finally {
  await browser.close();
  http.server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
