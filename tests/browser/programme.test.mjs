// Programme views in a browser: the service blueprint is a real table
// (caption, column headers for stages, row headers for the blueprint's
// rows, each cell tied to both by the accessibility tree), readable on a
// phone by scrolling it sideways; the recognition wall's screen mode.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launch, serve } from './helpers.mjs';
import { buildCampfire, campfire, copyFixture, writeFile } from './site-helpers.mjs';

const SETUP = { timeout: 15 * 60 * 1000 };
const T = { timeout: 60_000 };

describe('programme views', () => {
  let dir, browser, http;

  before(async () => {
    buildCampfire();
    dir = copyFixture('programme');
    campfire(['build', '--root', dir]);
    http = await serve(path.join(dir, 'public'));
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (http) http.server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the blueprint is a table with stage columns and blueprint rows', T, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${http.base}journey/blueprint/index.html`);
    const table = page.getByRole('table', { name: /Service blueprint/ });
    assert.equal(await table.count(), 1);
    const columns = await table.getByRole('columnheader').allInnerTexts();
    assert.deepEqual(columns.map((c) => c.replace(/^\d+\s*/, '').trim()), ['Discover', 'Receive']);
    const rows = await table.getByRole('rowheader').allInnerTexts();
    assert.deepEqual(rows.map((r) => r.trim()), [
      'Customer actions',
      'Frontstage touchpoints',
      'Line of visibility — what customers see of the back end',
      'Backstage departments',
      'Support systems',
    ]);
    // A cell is found by its row and column: backstage × Receive links
    // to Logistics' stories at that stage.
    const backstage = table.getByRole('row', { name: /Backstage departments/ });
    const cells = backstage.getByRole('cell');
    assert.equal(await cells.count(), 2);
    const link = cells.nth(1).getByRole('link', { name: /Logistics/ });
    assert.equal(await link.getAttribute('href'), '../../coverage/departments/logistics/receive/index.html');
    await link.click();
    await page.waitForURL(/coverage\/departments\/logistics\/receive/);
    assert.match(await page.locator('h1').innerText(), /Logistics · Receive/);
    await page.close();
  });

  it('on a phone the blueprint scrolls sideways inside its region, not the page', T, async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    for (const p of ['journey/blueprint/index.html', 'coverage/index.html']) {
      await page.goto(`${http.base}${p}`);
      const widths = await page.evaluate(() => {
        const region = document.querySelector('.table-scroll');
        return {
          page: document.documentElement.scrollWidth,
          region: region.clientWidth,
          table: region.scrollWidth,
          focusable: region.tabIndex === 0 && region.getAttribute('role') === 'region',
        };
      });
      assert.equal(widths.page, 390, `${p}: the page itself does not scroll sideways`);
      assert.ok(widths.table > widths.region, `${p}: the table scrolls inside its region`);
      assert.ok(widths.focusable, `${p}: keyboard users can scroll it`);
    }
    await page.close();
  });

  it('the recognition wall opens in screen mode without the site chrome', T, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${http.base}values/empathy/index.html`);
    assert.equal(await page.locator('.site-header').isVisible(), true);
    await page.getByRole('button', { name: 'Show on a screen' }).click();
    await page.waitForFunction(() => document.body.classList.contains('screen'));
    assert.equal(await page.locator('.site-header').isVisible(), false);
    assert.equal(await page.locator('.wall-item').first().isVisible(), true);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.body.classList.contains('screen'));
    await page.close();
  });

  it('prints on one landscape page with eight stages, on Letter and A4', T, async () => {
    const site = copyFixture('blueprint-print');
    try {
      const stages = Array.from({ length: 8 }, (_, i) => `  - stage: Stage ${i + 1}
    touchpoints:
${[1, 2, 3].map((j) => `      - id: tp-${i + 1}-${j}
        customer: Does something that takes a sentence to describe
        backstage: [logistics, it, billing]
        systems: [A planning system, A second system]
        visible: Sees the status of what we are doing for them`).join('\n')}`).join('\n');
      writeFile(path.join(site, 'site.yaml'), `title: Print
departments:
  - { id: logistics, name: Logistics }
  - { id: it, name: IT }
  - { id: billing, name: Billing }
journey:
${stages}
`);
      fs.rmSync(path.join(site, 'content'), { recursive: true, force: true });
      writeFile(path.join(site, 'content/pages/about.md'), '---\ntitle: About\n---\nHi.\n');
      campfire(['build', '--root', site]);
      const server = await serve(path.join(site, 'public'));
      try {
        const page = await browser.newPage();
        await page.goto(`${server.base}journey/blueprint/index.html`);
        assert.equal(await page.locator('table.blueprint th[scope=col]').count(), 8);
        for (const format of ['Letter', 'A4']) {
          const pdf = (await page.pdf({ format, preferCSSPageSize: true })).toString('latin1');
          const pages = pdf.match(/\/Type\s*\/Page[^s]/g) || [];
          assert.equal(pages.length, 1, `${format}: one page`);
          const [, , , w, h] = pdf.match(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/);
          assert.ok(Number(w) > Number(h), `${format}: landscape`);
        }
        await page.close();
      } finally {
        server.server.close();
      }
    } finally {
      fs.rmSync(site, { recursive: true, force: true });
    }
  });
});
