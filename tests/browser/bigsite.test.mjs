// The demo site as a big site reads it: paginated lists, photos with
// smaller copies, breadcrumbs and contents, story extras; axe-core at zero
// violations on those pages at 390 and 1280 px, English and Portuguese, no
// failed request (favicon included), and 404.html under a sub-path.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launch, repo, serve } from './helpers.mjs';
import { buildCampfire, campfire } from './site-helpers.mjs';

const SETUP = { timeout: 15 * 60 * 1000 };
const T = { timeout: 90_000 };
const AXE = fs.readFileSync(path.join(repo, 'node_modules/axe-core/axe.min.js'), 'utf8');

const PAGES = [
  'stories/index.html',
  'stories/page/2/index.html',
  'stories/snowed-in-delivery/index.html',
  'guides/running-a-workshop/index.html',
  'departments/logistics/index.html',
  'pt/glossary/index.html',
  'tags/index.html',
  'pt/glossary/nps/index.html',
];

async function violations(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
}

describe('a big site in the browser (the demo site)', () => {
  let dir, out, browser, site;

  before(async () => {
    buildCampfire();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campfire-bigsite-'));
    out = path.join(dir, 'public');
    // The demo site, with its own image cache kept out of the repository.
    for (const f of ['content', 'layouts', 'site.yaml']) fs.cpSync(path.join(repo, f), path.join(dir, f), { recursive: true });
    campfire(['build', '--root', dir]);
    site = await serve(out);
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (site) site.server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const width of [390, 1280]) {
    it(`has no violations and no failed requests at ${width} px`, T, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const failed = [];
      page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
      page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`));
      const found = [];
      for (const p of PAGES) {
        await page.goto(`${site.base}${p}`);
        for (const v of await violations(page)) found.push(`${p}: ${v}`);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= width, `${p} is ${wide} px wide at ${width}`);
      }
      assert.deepEqual(found, []);
      assert.deepEqual(failed, [], 'no 404 (a favicon is there)');
      await page.close();
    });
  }

  it('a phone downloads the small copy of a photo', T, async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 900 }, deviceScaleFactor: 1 });
    await page.goto(`${site.base}stories/snowed-in-delivery/index.html`);
    const cover = page.locator('img.entry-cover');
    await cover.evaluate((img) => img.decode());
    assert.match(await cover.evaluate((img) => img.currentSrc), /snowed-in-van-480w\.jpg$/);
    const box = await cover.boundingBox();
    assert.ok(box.width <= 390 && box.height > 100, JSON.stringify(box));
    // Below the fold, the same photo in the body waits until it is needed.
    assert.equal(await page.locator('.prose img').first().getAttribute('loading'), 'lazy');
    await page.close();
  });

  it('on a list of many pages a filter opens the chosen item\'s page', T, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${site.base}stories/index.html`);
    await page.locator('#story-filters').waitFor({ state: 'visible' });
    await Promise.all([
      page.waitForURL(/departments\/logistics\/index\.html$/),
      page.selectOption('select[name="department"]', 'logistics'),
    ]);
    assert.match(await page.textContent('h1'), /Logistics/);
    // The pager leads on and back.
    await page.goto(`${site.base}stories/index.html`);
    await page.click('.pager a[rel="next"]');
    assert.match(page.url(), /stories\/page\/2\/index\.html$/);
    assert.match(await page.title(), /Page 2/);
    await page.close();
  });

  it('404.html keeps its looks under a sub-path, at any depth', T, async () => {
    // The demo has base_url https://stories.example.com/ (the root path):
    // built without it, as a site that does not know its sub-path. (Runs
    // last: it rebuilds the site.)
    const yaml = path.join(dir, 'site.yaml');
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace(/^base_url:.*$/m, ''));
    campfire(['build', '--root', dir]);
    const notFound = fs.readFileSync(path.join(out, '404.html'));
    // A static host that answers anything missing with 404.html.
    const host = http.createServer((req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end(notFound));
    await new Promise((r) => host.listen(0, '127.0.0.1', r));
    const page = await browser.newPage({ viewport: { width: 390, height: 900 } });
    const failed = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('response', (r) => { if (r.status() >= 400 && !r.url().includes('/deep/')) failed.push(r.url()); });
    try {
      await page.goto(`http://127.0.0.1:${host.address().port}/cx/deep/nowhere/at/all/`);
      const border = await page.locator('.site-header').evaluate((e) => getComputedStyle(e).borderBottomStyle);
      assert.equal(border, 'solid', 'the theme\'s styles apply');
      assert.match(await page.textContent('h1'), /Page not found/);
      assert.deepEqual(failed, [], 'nothing is fetched from a guessed root');
      assert.deepEqual(await violations(page), []);
    } finally {
      await page.close();
      host.close();
    }
  });
});
