// A renamed entry's old address (`moved_from:`) in a real browser: a
// bookmark with a #heading or ?present lands on the new page with them,
// over HTTP and from file://; without scripts the refresh still gets there.
// So does an address of the system the site replaced (`/cx/billing.html`,
// `/kb/refunds/`).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { builtSite } from './site-helpers.mjs';

const SETUP = { timeout: 15 * 60 * 1000 };
const T = { timeout: 60_000 };

describe('old addresses of renamed entries', () => {
  let built, dir, browser, http;

  before(async () => {
    built = await builtSite('moved', (root) => {
      const stories = path.join(root, 'content', 'stories');
      const text = fs.readFileSync(path.join(stories, 'billing-fix.md'), 'utf8');
      fs.rmSync(path.join(stories, 'billing-fix.md'));
      fs.writeFileSync(path.join(stories, 'billing-fixed.md'),
        text.replace('---\n', '---\nmoved_from: [billing-fix.md, /cx/billing.html, /kb/refunds/]\n'));
    });
    ({ dir, browser, http } = built);
  }, SETUP);

  after(() => built?.close());

  const title = 'The <billing> fix & what it taught us';

  it('lands on the new page with the #heading, over HTTP and from file://', T, async () => {
    const page = await browser.newPage();
    const old = 'stories/billing-fix/index.html';
    for (const base of [http.base, pathToFileURL(path.join(dir, 'public')).href + '/']) {
      await page.goto(`${base}${old}#the-fix`);
      await page.waitForURL(/billing-fixed\/index\.html#the-fix$/);
      assert.equal(await page.locator('h1').first().textContent(), title);
      assert.ok(await page.locator('#the-fix').count(), 'the heading is there');
    }
    await page.goto(`${http.base}${old}?present`);
    await page.waitForURL(/billing-fixed\/index\.html\?present/);
    await page.waitForSelector('html.presenting');
    await page.close();
  });

  it('an old intranet address lands there with the #heading, over HTTP and from file://', T, async () => {
    const page = await browser.newPage();
    for (const base of [http.base, pathToFileURL(path.join(dir, 'public')).href + '/']) {
      for (const old of ['cx/billing.html', 'kb/refunds/index.html']) {
        await page.goto(`${base}${old}#the-fix`);
        await page.waitForURL(/billing-fixed\/index\.html#the-fix$/);
        assert.equal(await page.locator('h1').first().textContent(), title, `${base}${old}`);
        assert.ok(await page.locator('#the-fix').count(), 'the heading is there');
      }
    }
    // As the old system's links were written: the folder, no index.html.
    await page.goto(`${http.base}kb/refunds/?present`);
    await page.waitForURL(/billing-fixed\/index\.html\?present/);
    await page.waitForSelector('html.presenting');
    await page.close();
  });

  it('gets there without scripts too', T, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    for (const old of ['stories/billing-fix/index.html', 'cx/billing.html']) {
      await page.goto(`${http.base}${old}`);
      await page.waitForURL(/billing-fixed\/index\.html$/);
      assert.equal(await page.locator('h1').first().textContent(), title);
    }
    await context.close();
  });
});
