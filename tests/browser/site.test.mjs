// Browser tests over a REAL built site: the fixture site tests/fixtures/basic,
// copied into a temp dir per suite and built (or served) by
// target/release/campfire. `node --test tests/browser/`
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { XSS_TITLE, launch, newPage, repo, serve } from './helpers.mjs';
import {
  buildCampfire, burst, campfire, closingProxy, copyFixture, replaceInFile, startServe, until, writeFile,
} from './site-helpers.mjs';

const SETUP = { timeout: 15 * 60 * 1000 }; // a cold `cargo build --release`
const T = { timeout: 60_000 };

const XSS_STORY = `---
title: "${XSS_TITLE}"
date: 2026-01-01
author: X
department: it
---

A snowplough cleared the road before dawn.
`;

/** Copies the fixture, lets `prepare(dir)` change it, builds it; returns dir. */
function buildSite(label, prepare = () => {}) {
  buildCampfire();
  const dir = copyFixture(label);
  prepare(dir);
  campfire(['build', '--root', dir]);
  return dir;
}

/** Fails the test if the page ever opened a dialog or threw. */
function assertQuiet(page) {
  assert.deepEqual(page.dialogs, [], 'no dialog may open');
  assert.deepEqual(page.errors, [], 'no page error');
}

/** src attributes of every <img> in the document (including shadow-free DOM). */
const imgSrcs = (page) => page.$$eval('img', (imgs) => imgs.map((i) => i.getAttribute('src')));

// ---------------------------------------------------------------------------
describe('search on a real build', () => {
  let dir, browser, http, base;

  before(async () => {
    dir = buildSite('search', (d) => writeFile(path.join(d, 'content/stories/xss.md'), XSS_STORY));
    http = await serve(path.join(dir, 'public'));
    base = http.base;
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (http) http.server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows an HTML-looking title as text on the search page, running nothing', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}search/index.html?q=snowplough`);
    const first = page.locator('.cs-result-link').first();
    await first.waitFor({ timeout: 10_000 });
    assert.equal(await first.locator('.cs-title').textContent(), XSS_TITLE);
    assert.equal(await first.getAttribute('href'), '../stories/xss/index.html');
    assert.equal(await page.locator('.cs-result-link').count(), 1, 'only the xss story mentions snowplough');
    const marks = await first.locator('mark').allTextContents();
    assert.ok(marks.some((m) => /^snowplough$/i.test(m)), `snippet marks: ${marks}`);
    // Let any image that slipped in load (and fail) before looking for dialogs.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
    assert.ok(!(await imgSrcs(page)).includes('x'), 'no <img src=x> may be created');
    assertQuiet(page);
    await page.close();
  });

  it('shows the same title as text in the header dropdown, on the list and on its page', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}index.html`);
    await page.locator('#site-search').fill('snowplough');
    const option = page.locator('.cs-listbox [role=option].cs-option:not(.cs-all)').first();
    await option.waitFor({ timeout: 10_000 });
    assert.equal(await option.locator('.cs-title').textContent(), XSS_TITLE);
    await page.goto(`${base}stories/xss/index.html`);
    assert.equal(await page.locator('main h1').textContent(), XSS_TITLE);
    await page.goto(`${base}stories/index.html`);
    assert.ok((await page.locator('.card-title').allTextContents()).includes(XSS_TITLE));
    assert.ok(!(await imgSrcs(page)).includes('x'));
    assertQuiet(page);
    await page.close();
  });

  it('header box on the home page: "snow" lists the story, ArrowDown + Enter opens it', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}index.html`);
    const box = page.locator('#site-search');
    await box.click();
    await box.pressSequentially('snow', { delay: 20 });
    const options = page.locator('.cs-listbox [role=option].cs-option:not(.cs-all)');
    await options.first().waitFor({ timeout: 10_000 });
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    const titles = await options.locator('.cs-title').allTextContents();
    assert.ok(titles.includes('The snowed-in delivery'), `dropdown: ${titles}`);
    assert.equal(titles[0], 'The snowed-in delivery', `title hits rank first: ${titles}`);
    assert.ok(titles.includes(XSS_TITLE), `prefix "snow" finds "snowplough": ${titles}`);

    await box.press('ArrowDown');
    const active = await box.getAttribute('aria-activedescendant');
    assert.ok(active, 'ArrowDown makes an option active');
    assert.equal(await page.locator(`#${active} .cs-title`).textContent(), 'The snowed-in delivery');
    await Promise.all([page.waitForURL(/\/stories\/snowed-in\/index\.html$/), box.press('Enter')]);
    assert.equal(await page.locator('main h1').textContent(), 'The snowed-in delivery');
    assertQuiet(page);
    await page.close();
  });
});

// ---------------------------------------------------------------------------
describe('search from file://', () => {
  let dir, browser;

  before(async () => {
    dir = buildSite('file');
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds a story from the header box and clicking it opens its file:// page', T, async () => {
    const page = await newPage(browser);
    const home = pathToFileURL(path.join(dir, 'public', 'index.html')).href;
    await page.goto(home);
    await page.locator('#site-search').fill('snowed');
    const option = page.locator('.cs-listbox [role=option].cs-option', { hasText: 'The snowed-in delivery' });
    await option.waitFor({ timeout: 10_000 });
    await Promise.all([page.waitForURL(/^file:\/\//), option.click()]);
    const expected = pathToFileURL(path.join(dir, 'public', 'stories', 'snowed-in', 'index.html')).href;
    await until(() => page.url() === expected, { message: `URL ${expected} (now ${page.url()})` });
    assert.equal(await page.locator('main h1').textContent(), 'The snowed-in delivery');
    assertQuiet(page);
    await page.close();
  });

  it('runs the search page from file:// with diacritics folded', T, async () => {
    const page = await newPage(browser);
    const url = pathToFileURL(path.join(dir, 'public', 'search', 'index.html')).href;
    await page.goto(`${url}?q=satisfacao`);
    const titles = page.locator('.cs-result-link .cs-title');
    await titles.first().waitFor({ timeout: 10_000 });
    const hrefs = await page.locator('.cs-result-link').evaluateAll((as) => as.map((a) => a.href));
    assert.ok(hrefs.every((h) => h.startsWith('file://')), `links stay on file://: ${hrefs}`);
    assert.ok(hrefs.some((h) => h.endsWith('/stories/billing-fix/index.html')), `"Satisfação" in the billing story: ${hrefs}`);
    assertQuiet(page);
    await page.close();
  });
});

// ---------------------------------------------------------------------------
describe('story filters', () => {
  let dir, browser, http, base;

  before(async () => {
    dir = buildSite('filters');
    http = await serve(path.join(dir, 'public'));
    base = http.base;
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (http) http.server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const billingCard = (page) => page.locator('#story-list .card', { has: page.locator('a[href$="billing-fix/index.html"]') });
  const hiddenFlags = (page) => page.locator('#story-list .card').evaluateAll((cs) => cs.map((c) => c.hidden));

  it('without JavaScript every story is listed and the form keeps its hidden attribute', T, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base}stories/index.html`);
    assert.equal(await page.locator('#story-filters').getAttribute('hidden'), '');
    assert.deepEqual(await hiddenFlags(page), [false, false, false]);
    await context.close();
  });

  // Known bug (reported, not fixed here): campfire.css's `.filters { display:
  // flex }` overrides the `hidden` attribute, so without JavaScript the form
  // shows controls that do nothing. Runs as a TODO until fixed.
  it('without JavaScript the filter form is not shown', T, async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${base}stories/index.html`);
      assert.equal(await page.locator('#story-filters').isVisible(), false, '#story-filters is visible without JS');
    } finally {
      await context.close();
    }
  });

  it('department "Logistics" hides the billing story; reset shows all again', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/index.html`);
    const form = page.locator('#story-filters');
    await form.waitFor({ state: 'visible', timeout: 10_000 });
    const status = page.locator('#story-filters .filter-status');
    assert.equal(await status.textContent(), 'Showing 3 of 3');
    assert.equal(await billingCard(page).getAttribute('hidden'), null);

    await page.selectOption('#story-filters select[name=department]', { label: 'Logistics (2)' });
    await until(async () => (await status.textContent()) === 'Showing 2 of 3', { message: 'status "Showing 2 of 3"' });
    assert.notEqual(await billingCard(page).getAttribute('hidden'), null, 'billing card gets the hidden attribute');
    assert.equal(await billingCard(page).isVisible(), false);
    assert.deepEqual(await hiddenFlags(page), [true, false, false]);
    assert.equal(new URL(page.url()).search, '?department=logistics', 'the filter is kept in the URL');

    // A combination nothing matches says so.
    await page.selectOption('#story-filters select[name=value]', 'empathy');
    await page.selectOption('#story-filters select[name=department]', 'billing');
    await until(async () => /No story matches/.test(await status.textContent()), { message: 'no-match status' });
    assert.deepEqual(await hiddenFlags(page), [true, true, true]);

    await page.locator('#story-filters button[type=reset]').click();
    await until(async () => (await status.textContent()) === 'Showing 3 of 3', { message: 'status after reset' });
    assert.deepEqual(await hiddenFlags(page), [false, false, false]);
    assert.equal(await billingCard(page).isVisible(), true);
    assert.equal(await page.locator('#story-filters select[name=department]').inputValue(), '');
    assert.equal(new URL(page.url()).search, '');
    assertQuiet(page);
    await page.close();
  });

  it('a linked filter (?tag=weather-events) applies on load', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/index.html?tag=weather-events`);
    const status = page.locator('#story-filters .filter-status');
    await until(async () => (await status.textContent()) === 'Showing 1 of 3', { message: 'status "Showing 1 of 3"' });
    assert.equal(await page.locator('#story-filters select[name=tag]').inputValue(), 'weather-events');
    const shown = await page.locator('#story-list .card:not([hidden]) .card-title').allTextContents();
    assert.deepEqual(shown, ['The snowed-in delivery']);
    assertQuiet(page);
    await page.close();
  });
});

// ---------------------------------------------------------------------------
describe('glossary tooltip', () => {
  let dir, browser, http, base;

  before(async () => {
    dir = buildSite('tooltip');
    http = await serve(path.join(dir, 'public'));
    base = http.base;
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (http) http.server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows on keyboard focus, hides on Escape, and comes back on the next focus', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/snowed-in/index.html`);
    const link = page.locator('.term-link').first();
    assert.equal(await link.textContent(), 'Net Promoter Score');
    const tipId = await link.getAttribute('aria-describedby');
    assert.ok(tipId, 'the term link is described by its tooltip');
    const tip = page.locator(`[id="${tipId}"]`);
    assert.equal(await tip.getAttribute('role'), 'tooltip');
    assert.equal(await tip.textContent(), 'How likely customers are to <recommend> us.');
    assert.equal(await tip.isVisible(), false, 'hidden until hover or focus');

    // Reach it with Tab, as a keyboard user would.
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await link.evaluate((a) => document.activeElement === a);
    }
    assert.ok(reached, 'the term link is reachable with Tab');
    await until(() => tip.isVisible(), { timeout: 5000, message: 'tooltip visible on focus' });

    await page.keyboard.press('Escape');
    await until(async () => !(await tip.isVisible()), { timeout: 5000, message: 'tooltip hidden by Escape' });
    assert.ok(await link.evaluate((a) => document.activeElement === a), 'Escape keeps the focus on the link');

    // Leaving and coming back shows it again.
    await page.keyboard.press('Tab');
    await link.focus();
    await until(() => tip.isVisible(), { timeout: 5000, message: 'tooltip visible on refocus' });
    assertQuiet(page);
    await page.close();
  });

  it('shows on hover too, and the opted-out story has no term links', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/snowed-in/index.html`);
    const link = page.locator('.term-link').first();
    const tip = page.locator(`[id="${await link.getAttribute('aria-describedby')}"]`);
    await link.hover();
    await until(() => tip.isVisible(), { timeout: 5000, message: 'tooltip visible on hover' });
    await page.goto(`${base}stories/snowed-in-van/index.html`);
    assert.equal(await page.locator('.term-link').count(), 0);
    assertQuiet(page);
    await page.close();
  });
});

// ---------------------------------------------------------------------------
describe('live reload with campfire serve', () => {
  let dir, server, proxy, base, browser, page;
  let events = 0;
  const story = () => path.join(dir, 'content/stories/snowed-in.md');

  before(async () => {
    buildCampfire();
    dir = copyFixture('serve');
    server = await startServe(dir);
    proxy = process.env.CAMPFIRE_SERVE_DIRECT ? null : await closingProxy(server.port);
    base = proxy ? proxy.url : server.url;
    browser = await launch();
    page = await newPage(browser);
    page.on('request', (r) => { if (r.url().includes('/__campfire/events')) events++; });
    await page.setViewportSize({ width: 800, height: 300 });
  }, SETUP);

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    if (proxy) await proxy.close();
    if (server) { await server.stop(); if (process.env.DEBUG_SERVE) console.log(server.output()); }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reloads an open page when its story is saved, keeping the scroll position', T, async () => {
    await page.goto(`${base}stories/snowed-in/`);
    await page.getByText('walked the last mile').waitFor({ timeout: 10_000 });
    // The reload script is injected (and only when serving).
    await until(() => page.evaluate(() => window.__campfireLiveReload === true), { message: 'live reload script' });
    assert.ok(!fs.readFileSync(path.join(dir, 'public/stories/snowed-in/index.html'), 'utf8').includes('__campfire'),
      'the reload script is never written to public/');

    const maxScroll = await page.evaluate(() => document.documentElement.scrollHeight - innerHeight);
    assert.ok(maxScroll > 150, `the page must scroll in an 800x300 viewport (max ${maxScroll})`);
    const target = Math.min(250, maxScroll);
    await page.evaluate((y) => { window.scrollTo(0, y); window.__marker = 1; }, target);
    await until(() => page.evaluate((y) => Math.abs(window.scrollY - y) < 2, target), { message: 'scrolled' });
    const before = await page.evaluate(() => window.scrollY);
    // The page has opened its event stream before the edit.
    await until(() => events > 0, { timeout: 10_000, message: 'the event stream request' });

    let requestAt = 0;
    const onRequest = (req) => {
      if (!requestAt && req.isNavigationRequest() && req.url().includes('/stories/snowed-in/')) requestAt = Date.now();
    };
    page.on('request', onRequest);
    const loaded = page.waitForEvent('load', { timeout: 20_000 });
    const t0 = Date.now();
    replaceInFile(story(), 'walked the last mile', 'walked the final mile');
    await loaded;
    const loadAt = Date.now();
    await page.getByText('walked the final mile').waitFor({ timeout: 20_000 });
    const textAt = Date.now();
    page.off('request', onRequest);
    console.log(`live reload: save → reload request ${requestAt ? requestAt - t0 : '?'} ms, ` +
      `→ load event ${loadAt - t0} ms, → new text in DOM ${textAt - t0} ms`);

    assert.equal(await page.evaluate(() => window.__marker), undefined, 'the page was reloaded');
    assert.equal(await page.getByText('walked the last mile').count(), 0);
    await until(async () => Math.abs((await page.evaluate(() => window.scrollY)) - before) <= 50,
      { timeout: 5000, message: `scrollY near ${before}` });
    assertQuiet(page);
  });

  it('shows a build error as an overlay naming the file, and clears it when fixed', T, async () => {
    const overlay = page.locator('[role=alert]', { hasText: 'content/stories/snowed-in.md' });
    assert.equal(await overlay.count(), 0);
    await page.evaluate(() => { window.__marker = 2; });
    replaceInFile(story(), 'department: logistics', 'department: [logistics');
    await overlay.waitFor({ state: 'visible', timeout: 20_000 });
    const text = await overlay.textContent();
    assert.match(text, /content\/stories\/snowed-in\.md:\d+:\d+/, `overlay: ${text}`);
    assert.match(text, /front matter/i, `overlay: ${text}`);
    // The last good page stays.
    assert.equal(await page.evaluate(() => window.__marker), 2, 'a failed build does not reload the page');
    assert.equal(await page.getByText('walked the final mile').count(), 1);

    replaceInFile(story(), 'department: [logistics', 'department: logistics');
    await overlay.waitFor({ state: 'detached', timeout: 20_000 });
    assert.equal(await page.locator('#campfire-error-overlay').count(), 0);
    assert.equal(await page.getByText('walked the final mile').count(), 1);
  });

  it('puts the error of the file just saved first and folds warnings away', T, async () => {
    // A warning elsewhere (a broken link) that a build accepts…
    const other = path.join(dir, 'content/stories/billing-fix.md');
    const original = fs.readFileSync(other, 'utf8');
    writeFile(other, `${original}\nSee [the missing one](nowhere.md).\n`);
    await page.waitForTimeout(300);
    try {
      // …then an error in the story being edited.
      replaceInFile(story(), 'department: logistics', 'department: [logistics');
      const overlay = page.locator('[role=alert]', { hasText: 'content/stories/snowed-in.md' });
      await overlay.waitFor({ state: 'visible', timeout: 20_000 });
      const first = overlay.locator('ul li').first();
      assert.match(await first.textContent(), /content\/stories\/snowed-in\.md/);
      const folded = overlay.locator('details');
      assert.equal(await folded.count(), 1);
      assert.match(await folded.locator('summary').textContent(), /^\d+ warnings?$/);
      assert.equal(await folded.getAttribute('open'), null, 'warnings start folded');
      assert.equal(await folded.locator('li', { hasText: 'nowhere.md' }).count(), 1,
        'the broken link is among the folded warnings');
      assert.equal(await overlay.locator(':scope > ul > li', { hasText: 'warning' }).count(), 0,
        'no warning outside the fold');
    } finally {
      replaceInFile(story(), 'department: [logistics', 'department: logistics');
      writeFile(other, original);
    }
    await page.locator('#campfire-error-overlay').waitFor({ state: 'detached', timeout: 20_000 });
  });

  it('applies a CSS-only change in place, without reloading', T, async () => {
    // Let a reload triggered by the fix (if any) finish before marking the page.
    await page.waitForLoadState('load');
    await page.getByText('walked the final mile').waitFor();
    const outline = () => page.evaluate(() => getComputedStyle(document.body).outlineColor);
    assert.notEqual(await outline(), 'rgb(1, 2, 3)');
    await page.evaluate(() => { window.__marker = 3; });
    const css = fs.readFileSync(path.join(repo, 'layouts/assets/campfire.css'), 'utf8');
    writeFile(path.join(dir, 'layouts/assets/campfire.css'), `${css}\nbody { outline: 3px solid rgb(1, 2, 3); }\n`);
    await until(async () => (await outline()) === 'rgb(1, 2, 3)', { timeout: 20_000, message: 'the new outline color' });
    assert.equal(await page.evaluate(() => window.__marker), 3, 'the page was not reloaded');
    // The served stylesheet has the rule; the built one on disk too.
    assert.match(fs.readFileSync(path.join(dir, 'public/assets/campfire.css'), 'utf8'), /rgb\(1, 2, 3\)/);
    assertQuiet(page);
  });
});

// ---------------------------------------------------------------------------
describe('campfire serve under a burst of connections', () => {
  // tiny_http 0.12's TaskPool decided whether to start a thread from a
  // count of idle threads that still included threads already woken for
  // earlier connections, so a burst of new connections could queue behind
  // open keep-alive ones and hang (Chromium opens six for one page). The
  // vendored tiny_http carries the fix; this holds it in place.
  it('answers every one of 12 simultaneous keep-alive connections (5 fresh servers)', {
    timeout: 120_000,
  }, async () => {
    buildCampfire();
    const dir = copyFixture('burst');
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const server = await startServe(dir);
        try {
          const times = await burst(server.port, { count: 12, path: '/assets/campfire.css', timeout: 3000 });
          assert.ok(times.every((t) => t !== null),
            `fresh server #${attempt + 1}: ${times.filter((t) => t === null).length} of 12 connections got no answer in 3 s (${times.map((t) => t ?? '-').join(' ')} ms)`);
        } finally {
          await server.stop();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
