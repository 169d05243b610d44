// The reading experience in a real browser: tooltips on phones and with a
// mouse, case studies at 320 px, the journey map at any number of stages,
// path context, the phone menu, and the printed handout.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { launch, serve } from './helpers.mjs';
import { buildCampfire, campfire, copyFixture, replaceInFile } from './site-helpers.mjs';

const SETUP = { timeout: 15 * 60 * 1000 };
const T = { timeout: 60_000 };

const STORY = 'stories/snowed-in/index.html';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('reading on phones and on paper', () => {
  let dir, browser, http;

  before(async () => {
    buildCampfire();
    dir = copyFixture('reading');
    // A seventh stage: the journey must still read as one row.
    replaceInFile(path.join(dir, 'site.yaml'), '      - installation\n',
      '      - installation\n' +
      ['Use', 'Resolve', 'Renew', 'Refer', 'Leave'].map((s) => `  - stage: ${s}\n    touchpoints: [${s.toLowerCase()}-point]\n`).join(''));
    campfire(['build', '--root', dir]);
    http = await serve(path.join(dir, 'public'));
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (http) http.server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const pageWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);

  it('keeps every tooltip inside a 320 and a 390 px viewport, and the page as wide as the screen', T, async () => {
    for (const width of [320, 390]) {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      for (const p of [STORY, 'stories/billing-fix/index.html', 'cases/window-pilot/index.html']) {
        await page.goto(`${http.base}${p}`);
        const links = page.locator('.term-ref:has(.term-tip) .term-link');
        const n = await links.count();
        assert.ok(n > 0, `${p} has tooltips`);
        for (let i = 0; i < n; i++) {
          await links.nth(i).focus();
          const tip = page.locator('.term-ref:has(.term-tip) .term-tip').nth(i);
          assert.ok(await tip.isVisible(), 'shown on focus');
          const box = await tip.boundingBox();
          assert.ok(box.x >= 0 && box.x + box.width <= width, `${p} tip ${i} at ${width}: ${JSON.stringify(box)}`);
          assert.equal(await pageWidth(page), width, `${p}: an open tooltip widens the page`);
        }
      }
      await page.close();
    }
  });

  it('keeps a tooltip open while the pointer is on it, and Escape closes it (WCAG 1.4.13)', T, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${http.base}${STORY}`);
    const link = page.locator('.term-link[aria-describedby]').first();
    const tip = page.locator('.term-ref:has(.term-link[aria-describedby]) .term-tip').first();
    await link.hover();
    assert.ok(await tip.isVisible());
    // Move, in steps, from the term up onto the tooltip: it must stay.
    const l = await link.boundingBox();
    const b = await tip.boundingBox();
    await page.mouse.move(b.x + 10, b.y + b.height - 2, { steps: 8 });
    assert.ok(await tip.isVisible(), 'stays while hovered');
    await page.mouse.move(l.x + 5, l.y + l.height / 2, { steps: 4 });
    await page.keyboard.press('Escape');
    assert.ok(!(await tip.isVisible()), 'Escape dismisses it');
    await page.close();
  });

  it('opens a tooltip on the first tap and follows the link on the second', T, async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(`${http.base}${STORY}`);
    const link = page.locator('.term-link[aria-describedby]').first();
    const tip = page.locator('.term-ref:has(.term-link[aria-describedby]) .term-tip').first();
    await link.tap();
    assert.ok(page.url().endsWith(STORY), `still on the story: ${page.url()}`);
    assert.ok(await tip.isVisible(), 'the first tap shows the definition');
    const box = await tip.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
    // A tap elsewhere closes it.
    await page.locator('h1').tap();
    assert.ok(!(await tip.isVisible()));
    await link.tap();
    await link.tap();
    await page.waitForURL(/glossary\/nps\/index\.html$/);
    await ctx.close();
  });

  it('lays a case study out legibly at 320 px, legend apart from the bars', T, async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 800 } });
    await page.goto(`${http.base}cases/window-pilot/index.html`);
    assert.equal(await pageWidth(page), 320);
    const sizes = await page.$$eval('.chart-bars text, .metric-name, .metrics-table td', (els) =>
      els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
    assert.ok(sizes.length > 0 && Math.min(...sizes) >= 12, `font sizes ${sizes}`);
    // Every bar's label fits in the chart.
    const overflow = await page.$$eval('.chart-bars', (svgs) => svgs.flatMap((s) => {
      const r = s.getBoundingClientRect();
      return [...s.querySelectorAll('text')].map((t) => t.getBoundingClientRect().right - r.right).filter((d) => d > 1);
    }));
    assert.deepEqual(overflow, []);
    const legend = await page.locator('.chart-legend').boundingBox();
    const firstBars = await page.locator('.chart-bars').first().boundingBox();
    assert.ok(legend.y + legend.height <= firstBars.y, 'legend above the bars, not over them');
    // Not colour alone: each bar says what it is.
    const labels = await page.$$eval('.chart-bars text', (ts) => ts.map((t) => t.textContent));
    assert.ok(labels.some((l) => /^Before 7\.4%$/.test(l)) && labels.some((l) => /^After 6 min ✗$/.test(l)), labels.join(' | '));
    assert.match(await page.locator('.metrics-table').textContent(), /−4\.3 points \(−58% relative\), better/);
    await page.close();
  });

  it('reads the journey left to right at seven stages: one row at 1280 px, scrolling sideways on a phone', T, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${http.base}journey/index.html`);
    const stages = await page.$$eval('.journey-stage', (els) => els.map((e) => e.getBoundingClientRect().top));
    assert.equal(stages.length, 7);
    assert.equal(new Set(stages).size, 1, `one row: ${stages}`);
    const spill = await page.$$eval('.journey-stage li', (lis) => lis.filter((li) => {
      const c = li.querySelector('.tp-counts').getBoundingClientRect();
      const r = li.closest('.journey-stage').getBoundingClientRect();
      return c.right > r.right + 0.5 || c.left < r.left - 0.5;
    }).length);
    assert.equal(spill, 0, 'counts stay inside their card');
    assert.match(await page.locator('.tp-empty').first().textContent(), /No story yet — write the first/);
    await page.close();

    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${http.base}journey/index.html`);
    assert.equal(await pageWidth(phone), 390, 'the page itself does not scroll sideways');
    const map = await phone.$eval('.journey-map', (m) => ({ sw: m.scrollWidth, cw: m.clientWidth }));
    assert.ok(map.sw > map.cw, `the map scrolls: ${JSON.stringify(map)}`);
    const order = await phone.$$eval('.journey-stage', (els) => els.map((e) => e.getBoundingClientRect().left));
    assert.deepEqual(order, [...order].sort((a, b) => a - b), 'stages left to right');
    await phone.close();
  });

  it('shows path context only to readers who came from the path, compactly', T, async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(`${http.base}${STORY}`);
    assert.equal(await page.locator('.path-nav:visible').count(), 0, 'no path box for a reader from elsewhere');
    // Only one line saying which path it is part of, and where.
    const partOf = page.locator('.path-part-of');
    assert.ok(await partOf.isVisible());
    assert.equal((await partOf.textContent()).trim(), 'Part of: Foundations (step 2 of 4)');
    assert.ok((await partOf.boundingBox()).height < 50, 'one line');
    // From the path page, the step link carries the path.
    await page.goto(`${http.base}paths/foundations/index.html`);
    await page.locator('.steps a[href*="snowed-in"]').tap();
    await page.waitForURL(/snowed-in\/index\.html\?path=foundations$/);
    const nav = page.locator('.path-nav:visible');
    assert.equal(await nav.count(), 1);
    assert.match(await nav.textContent(), /Step 2 of 4/);
    const box = await nav.boundingBox();
    assert.ok(box.height < 60, `one compact line: ${box.height}px`);
    const first = await page.locator('.prose p').first().boundingBox();
    assert.ok(first.y < 700, `the story starts on the first screen (${first.y}px)`);
    assert.equal(await page.locator('.path-part-of').isVisible(), false, 'the bar replaces the line');
    // Next keeps the context.
    await page.locator('.path-nav:visible a[rel=next]').tap();
    await page.waitForURL(/window-pilot\/index\.html\?path=foundations$/);
    assert.match(await page.locator('.path-nav:visible').textContent(), /Step 3 of 4/);
    await ctx.close();
  });

  it('without JavaScript, walks a path through its steps and names the path on each step', T, async () => {
    for (const options of [PHONE, { viewport: { width: 1280, height: 900 } }]) {
      const ctx = await browser.newContext({ ...options, javaScriptEnabled: false });
      const page = await ctx.newPage();
      await page.goto(`${http.base}paths/foundations/index.html`);
      await page.locator('.steps a[href*="snowed-in"]').click();
      await page.waitForURL(/snowed-in\/index\.html\?path=foundations$/);
      assert.equal(await page.locator('.path-nav:visible').count(), 0, 'no bar that needs the script');
      const partOf = page.locator('.path-part-of');
      assert.ok(await partOf.isVisible(), 'the path is named without JavaScript');
      assert.match(await partOf.textContent(), /Part of: Foundations \(step 2 of 4\)/);
      assert.ok((await partOf.boundingBox()).height < 50, 'one line');
      // Back to the path, and on to the next step, all without a script.
      await partOf.locator('a', { hasText: 'Foundations' }).click();
      await page.waitForURL(/paths\/foundations\/index\.html$/);
      await page.locator('.steps a[href*="window-pilot"]').click();
      await page.waitForURL(/window-pilot\/index\.html\?path=foundations$/);
      assert.match(await page.locator('.path-part-of').textContent(), /step 3 of 4/);
      await ctx.close();
    }
  });

  it('keeps the phone menu on one line and hides the "/" hint on touch screens', T, async () => {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    await page.goto(`${http.base}index.html`);
    const tops = await page.$$eval('.site-nav li', (lis) => lis.map((li) => Math.round(li.getBoundingClientRect().top)));
    assert.equal(new Set(tops).size, 1, `one line: ${tops}`);
    assert.equal(await pageWidth(page), 390);
    assert.ok(!(await page.locator('.search-key').isVisible()), '"/" hint hidden on touch');
    await ctx.close();
    const desk = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await desk.goto(`${http.base}index.html`);
    assert.ok(await desk.locator('.search-key').isVisible(), '"/" hint shown with a keyboard and mouse');
    await desk.close();
  });

  it('prints a handout with lenses and metrics, without the trainer notes unless asked', T, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${http.base}paths/foundations/print/index.html`);
    assert.equal((await page.locator('button[data-print]').textContent()).trim(), 'Print this handout (or save as PDF)');
    const trainer = page.locator('.trainer-only');
    assert.ok(!(await trainer.isVisible()), 'the handout leaves trainer notes out');
    await page.locator('#trainer-notes').check();
    assert.ok(await trainer.isVisible(), 'the trainer version shows them');
    await page.locator('#trainer-notes').uncheck();
    await page.emulateMedia({ media: 'print' });
    assert.ok(!(await trainer.isVisible()));
    assert.ok(await page.locator('.print-step-term table.lenses').isVisible(), 'term steps keep their lenses');
    assert.ok(await page.locator('.print-step-case .metrics-table').isVisible(), 'case steps keep their metrics');
    assert.ok(await page.locator('.print-step-case .metrics-chart').isVisible(), 'and their chart');
    assert.ok(!(await page.locator('.site-header').isVisible()));
    const ids = await page.$$eval('[id]', (els) => els.map((e) => e.id));
    assert.equal(new Set(ids).size, ids.length, `unique ids: ${ids}`);
    // A4 and Letter: the PDF is made at both sizes, with no step forced onto a page of its own.
    for (const format of ['A4', 'Letter']) {
      const pdf = await page.pdf({ format });
      const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
      assert.ok(pages >= 1 && pages <= 4, `${format}: ${pages} pages for 4 steps`);
    }
    await page.close();
  });
});
