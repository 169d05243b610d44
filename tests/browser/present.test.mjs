// Present view (slides) and leading a room (`campfire serve --room`), in
// headless Chromium over a real build of the fixture site.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { launch, newPage, repo, serve } from './helpers.mjs';
import { buildCampfire, campfire, copyFixture, startServe, until, writeFile } from './site-helpers.mjs';

const SETUP = { timeout: 15 * 60 * 1000 };
const T = { timeout: 60_000 };
const AXE = fs.readFileSync(path.join(repo, 'node_modules/axe-core/axe.min.js'), 'utf8');

// Six slides: title, intro, a quote, a section, a forced break, Discuss.
const DECK = `---
title: Deck demo
date: 2026-01-02
author: "Rui Costa, Trainer"
department: it
values: [empathy]
discuss:
  - What would you have done?
  - Who else should hear this?
---

Opening line for the room.

Only the trainer reads this intro note.

## The call

> I was sure nobody would call back.

She called back within the hour. NOTE-SECRET-1

## Why it matters

It matters because trust compounds.

- a detail for the notes NOTE-SECRET-2

---

Forced break text.
`;
const DECK_SLIDES = 6;

// HTML of the author's may open or close any number of elements: its
// slides are copied into the deck rather than pointing into the page.
const RAW_DECK = `---
title: Raw deck
date: 2026-01-03
author: "Rui Costa, Trainer"
department: it
---

<div class="callout">

Inside the callout.

</div>

## Second

Plain text after it.
`;

function prepare(dir) {
  writeFile(path.join(dir, 'content/stories/deck-demo.md'), DECK);
  writeFile(path.join(dir, 'content/stories/raw-deck.md'), RAW_DECK);
}

const current = (page) => page.evaluate(() => {
  const s = document.querySelector('.slide.current');
  return { hash: location.hash, number: s && s.getAttribute('data-number'), text: s && s.innerText };
});

async function violations(page) {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
}

describe('present view', () => {
  let dir, browser, http, base;

  before(async () => {
    buildCampfire();
    dir = copyFixture('present');
    prepare(dir);
    campfire(['build', '--root', dir]);
    http = await serve(path.join(dir, 'public'));
    base = http.base;
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (http) http.server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is linked from every entry page', T, async () => {
    const page = await newPage(browser);
    for (const p of ['stories/snowed-in/', 'glossary/nps/', 'cases/window-pilot/', 'paths/foundations/', 'pt/glossary/nps/']) {
      await page.goto(`${base}${p}index.html`);
      const href = await page.getAttribute('a[href$="?present"]', 'href');
      assert.equal(href, '../'.repeat(p.split('/').length - 1) + p + 'index.html?present', p);
      // Read, the page shows no slide: its deck waits in a <template>.
      assert.equal(await page.locator('.slide').count(), 0, p);
      assert.equal(await page.locator('template#deck-template').count(), 1, p);
    }
    await page.close();
  });

  it('moves with the keys and keeps the slide number in the hash', T, async () => {
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${base}stories/deck-demo/index.html?present`);
    let c = await current(page);
    assert.equal(c.hash, '#1');
    assert.match(c.text, /Deck demo/);
    assert.match(c.text, /Rui Costa, Trainer/);
    await page.keyboard.press('ArrowRight');
    assert.equal((await current(page)).hash, '#2');
    await page.keyboard.press('Space');
    c = await current(page);
    assert.equal(c.hash, '#3');
    assert.match(c.text, /I was sure nobody would call back/);
    assert.ok(await page.locator('.slide.current.slide-quote').count() === 1, 'a quote slide');
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageUp');
    assert.equal((await current(page)).hash, '#3');
    await page.keyboard.press('ArrowLeft');
    assert.equal((await current(page)).hash, '#2');
    await page.keyboard.press('End');
    c = await current(page);
    assert.equal(c.hash, `#${DECK_SLIDES}`);
    assert.match(c.text, /Discuss/);
    assert.match(c.text, /Who else should hear this\?/);
    await page.keyboard.press('ArrowRight'); // stays on the last slide
    assert.equal((await current(page)).hash, `#${DECK_SLIDES}`);
    await page.keyboard.press('Home');
    assert.equal((await current(page)).hash, '#1');
    // A reload (or a link) with a hash opens that slide.
    await page.goto(`${base}stories/deck-demo/index.html?present#5`);
    await page.reload();
    c = await current(page);
    assert.equal(c.number, '5');
    assert.match(c.text, /Forced break text/);
    // The overview grid shows every slide; a click goes there.
    await page.keyboard.press('o');
    assert.equal(await page.locator('.slide:visible').count(), DECK_SLIDES);
    await page.locator('.slide[data-number="2"]').click();
    assert.equal((await current(page)).hash, '#2');
    assert.equal(await page.locator('.slide:visible').count(), 1);
    // Esc leaves to the entry's page.
    await page.keyboard.press('Escape');
    await page.waitForURL(/deck-demo\/index\.html$/);
    await page.waitForSelector('article.entry');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('moves the page\'s own body into its slides, each block once', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/deck-demo/index.html`);
    assert.equal(await page.getAttribute('#deck-template', 'data-blocks'), '10');
    await page.goto(`${base}stories/deck-demo/index.html?present#3`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const shown = await page.evaluate(() => ({
      article: document.querySelectorAll('article.entry, .site-header, template').length,
      // In the deck itself (the presenter's panels show copies).
      quotes: document.querySelectorAll('#deck blockquote').length,
      secret: document.getElementById('deck').innerHTML.split('NOTE-SECRET-1').length - 1,
      headings: [...document.querySelectorAll('#deck .slide-text h2, #deck .slide > .slide-inner > h2')].map((h) => h.textContent),
      anchors: document.querySelectorAll('#deck .anchor').length,
      title: document.title,
    }));
    assert.deepEqual(shown, {
      article: 0, quotes: 1, secret: 1,
      headings: ['The call', 'Why it matters', 'Discuss'],
      anchors: 0,
      title: shown.title,
    });
    assert.match(shown.title, /^Deck demo · Present · /);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('copies a body with HTML of its own into its slides', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/raw-deck/index.html`);
    assert.equal(await page.getAttribute('#deck-template', 'data-blocks'), null);
    await page.goto(`${base}stories/raw-deck/index.html?present#2`);
    assert.match((await current(page)).text, /Inside the callout/);
    await page.keyboard.press('ArrowRight');
    const c = await current(page);
    assert.match(c.text, /Second/);
    assert.match(c.text, /Plain text after it/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('moves with a swipe', T, async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${base}stories/deck-demo/index.html?present#2`);
    const swipe = (dx) => page.evaluate((dx) => {
      const deck = document.getElementById('deck');
      const touch = (x) => new Touch({ identifier: 1, target: deck, clientX: x, clientY: 400 });
      deck.dispatchEvent(new TouchEvent('touchstart', { touches: [touch(200)], changedTouches: [touch(200)], bubbles: true }));
      deck.dispatchEvent(new TouchEvent('touchend', { touches: [], changedTouches: [touch(200 + dx)], bubbles: true }));
    }, dx);
    await swipe(-120);
    assert.equal((await current(page)).hash, '#3');
    await swipe(120);
    await swipe(120);
    assert.equal((await current(page)).hash, '#1');
    await swipe(-20); // too short to count
    assert.equal((await current(page)).hash, '#1');
    await context.close();
  });

  it('opens a presenter view that moves with the slides: current, next, notes, timer', T, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${base}stories/deck-demo/index.html?present#2`);
    const [presenter] = await Promise.all([context.waitForEvent('page'), page.keyboard.press('p')]);
    await presenter.waitForLoadState();
    await presenter.waitForFunction(() => document.body.dataset.ready === 'true');
    assert.match(presenter.url(), /view=presenter/);
    assert.match((await current(presenter)).text, /Opening line for the room/);
    assert.match(await presenter.textContent('.presenter-next'), /The call/);
    assert.match(await presenter.textContent('.notes-panel'), /Only the trainer reads this intro note/);
    assert.match(await presenter.textContent('.timer'), /^\d+:\d\d$/);
    // Moving in either window moves the other.
    await presenter.keyboard.press('ArrowRight');
    await until(async () => (await current(page)).hash === '#3', { message: 'the main window to follow' });
    assert.match(await presenter.textContent('.notes-panel'), /NOTE-SECRET-1/);
    await page.keyboard.press('ArrowRight');
    await until(async () => (await current(presenter)).hash === '#4', { message: 'the presenter view to follow' });
    assert.match(await presenter.textContent('.presenter-next'), /Forced break text/);
    // The audience's window still shows no notes.
    assert.equal(await page.locator('.notes-panel').isVisible(), false);
    await context.close();
  });

  it('works from file://', T, async () => {
    const page = await newPage(browser);
    await page.goto(pathToFileURL(path.join(dir, 'public/stories/deck-demo/index.html')).href + '?present#2');
    assert.match((await current(page)).text, /Opening line for the room/);
    await page.keyboard.press('ArrowRight');
    assert.equal((await current(page)).hash, '#3');
    assert.equal(await page.locator('.room-join').isVisible(), false, 'no room from file://');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('hides the speaker notes from the audience; n shows them to the presenter', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/deck-demo/index.html?present#3`);
    assert.equal(await page.getByText(/NOTE-SECRET-1/).first().isVisible(), false);
    assert.equal(await page.getByText(/She called back within the hour/).first().isVisible(), false);
    for (const n of [2, 4]) {
      await page.goto(`${base}stories/deck-demo/index.html?present#${n}`);
      await page.reload();
      const visible = await page.evaluate(() => document.body.innerText);
      assert.doesNotMatch(visible, /NOTE-SECRET|Only the trainer reads/, `slide ${n}`);
    }
    await page.goto(`${base}stories/deck-demo/index.html?present#3`);
    await page.reload();
    await page.keyboard.press('n');
    assert.equal(await page.locator('.notes-panel').getByText(/NOTE-SECRET-1/).isVisible(), true);
    await page.keyboard.press('n');
    assert.equal(await page.locator('.notes-panel').isVisible(), false);
    await page.close();
  });

  it('presents a training path as one deck: a section slide per step, then its slides', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}paths/foundations/index.html?present`);
    const deck = await page.$$eval('.slide', (slides) => slides.map((s) => ({
      layout: [...s.classList].find((c) => c.startsWith('slide-') && c !== 'slide-inner'),
      step: s.getAttribute('data-step'),
      title: (s.querySelector('h1, h2') || {}).textContent || '',
    })));
    assert.equal(deck[0].layout, 'slide-title');
    assert.equal(deck[0].title, 'Foundations');
    const sections = deck.filter((s) => s.layout === 'slide-section');
    assert.deepEqual(sections.map((s) => s.step), ['1', '2', '3', '4']);
    assert.deepEqual(sections.map((s) => s.title.trim()), [
      'Net Promoter Score', 'The snowed-in delivery', 'Delivery window pilot', 'About',
    ]);
    const at = (step) => deck.findIndex((s) => s.step === step);
    // Step 1 (a term) brings its lenses, step 3 (a case) its metrics, each after its own section slide.
    const lenses = deck.map((s, i) => (s.layout === 'slide-lens' ? i : -1)).filter((i) => i >= 0);
    const metrics = deck.map((s, i) => (s.layout === 'slide-metric' ? i : -1)).filter((i) => i >= 0);
    assert.equal(lenses.length, 2);
    assert.ok(lenses.every((i) => i > at('1') && i < at('2')), 'lenses within step 1');
    assert.equal(metrics.length, 2);
    assert.ok(metrics.every((i) => i > at('3') && i < at('4')), 'metrics within step 3');
    assert.ok(deck.slice(at('2'), at('3')).some((s) => s.title === 'What we learned'), 'the story\'s section in step 2');
    await page.close();
  });

  it('lets the trainer choose one department\'s lens', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}glossary/nps/index.html?present`);
    const total = Number(await page.textContent('.count-total'));
    await page.selectOption('#lens-choice', 'it');
    assert.equal(Number(await page.textContent('.count-total')), total - 1);
    assert.match(page.url(), /lens=it/);
    await page.keyboard.press('End');
    assert.match((await current(page)).text, /A number in the survey system/);
    await page.close();
  });

  it('labels its controls in the page\'s language (assets/strings-LANG.js)', T, async () => {
    const page = await newPage(browser);
    const bar = async (p) => {
      await page.goto(`${base}${p}`);
      await page.waitForSelector('.present-bar');
      return page.evaluate(() => ({
        leave: document.querySelector('.bar-leave').textContent.trim(),
        presenter: document.querySelector('[data-action="presenter"]').textContent,
        help: document.querySelector('.bar-help').textContent,
        slide: document.querySelector('#deck > .slide').getAttribute('aria-label'),
      }));
    };
    assert.deepEqual(await bar('stories/deck-demo/index.html?present'),
      { leave: '✕ Leave', presenter: 'Presenter view', help: '→ next · ← back · n notes · o overview · f full screen · p presenter view · Esc leaves', slide: 'Slide 1' });
    const pt = await bar('pt/glossary/nps/index.html?present');
    assert.equal(pt.leave, '✕ Sair');
    assert.equal(pt.presenter, 'Vista do apresentador');
    assert.match(pt.help, /^→ próximo/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('prints one slide per landscape page', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/deck-demo/index.html?present#3`);
    const pdf = (await page.pdf({ preferCSSPageSize: true, printBackground: true })).toString('latin1');
    const pages = pdf.match(/\/Type\s*\/Page(?!s)/g) || [];
    assert.equal(pages.length, DECK_SLIDES);
    const box = pdf.match(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/);
    assert.ok(box && Number(box[1]) > Number(box[2]), `landscape: ${box && box[0]}`);
    await page.close();
  });

  for (const width of [390, 1280]) {
    it(`has no axe violations at ${width} px, in English and Portuguese`, T, async () => {
      const page = await browser.newPage({ viewport: { width, height: width === 390 ? 844 : 720 } });
      const found = [];
      for (const p of ['stories/deck-demo/index.html?present#3', 'cases/window-pilot/index.html?present#3', 'pt/glossary/nps/index.html?present', 'paths/foundations/index.html?present#2']) {
        await page.goto(`${base}${p}`);
        for (const v of await violations(page)) found.push(`${p}: ${v}`);
      }
      await page.close();
      assert.deepEqual(found, []);
    });
  }
});

describe('leading a room', () => {
  let dir, browser, server, presenterUrl;

  before(async () => {
    buildCampfire();
    dir = copyFixture('room');
    prepare(dir);
    server = await startServe(dir, { extraArgs: ['--room', '--bind', '127.0.0.1'] });
    presenterUrl = server.output().match(/http:\/\/127\.0\.0\.1:\d+\/room\/\?key=[0-9a-f]{32}/)[0];
    browser = await launch();
  }, SETUP);

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the room URL and a QR code', () => {
    const out = server.output();
    assert.match(out, /Room: attendees open http:\/\/127\.0\.0\.1:\d+\/room\//);
    // Dark modules drawn dark (the finder pattern's top edge), not inverted:
    // piped output has no colours, so the drawing must read on a light page.
    assert.match(out, /█▀▀▀▀▀█/, 'a QR code drawn in the terminal');
    assert.doesNotMatch(out, /\x1b\[/, 'no colour codes when not a terminal');
  });

  it('moves every follower with the presenter, and only the presenter', T, async () => {
    const trainer = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const attendee = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const deck = `${server.url}stories/deck-demo/index.html?present`;
    const lead = await trainer.newPage();
    await lead.goto(presenterUrl); // sets the presenter's cookie
    await lead.goto(deck);
    await lead.waitForFunction(() => document.body.dataset.ready === 'true');
    // The title slide shows the room's URL and QR code.
    await until(() => lead.locator('.room-join').isVisible(), { message: 'the room box' });
    assert.match(await lead.textContent('.room-url'), /\/room\/$/);
    await until(() => lead.$eval('.room-qr', (img) => img.complete && img.naturalWidth > 0), { message: 'the QR code' });

    const follower = await attendee.newPage();
    await follower.goto(`${server.url}room/`);
    await follower.waitForURL(/deck-demo\/index\.html\?present&follow#1$/);
    await until(() => follower.locator('.follow-bar.following').isVisible(), { message: 'following' });

    await lead.keyboard.press('ArrowRight');
    await lead.keyboard.press('ArrowRight');
    await until(async () => (await current(follower)).hash === '#3', { message: 'the follower to reach slide 3' });
    assert.match((await current(follower)).text, /I was sure nobody would call back/);
    // Notes stay hidden in the audience's view, even with n.
    await follower.keyboard.press('n');
    assert.equal(await follower.getByText(/NOTE-SECRET-1/).first().isVisible(), false);

    // Anyone else's move is refused, and the room stays where it is.
    const refused = await follower.evaluate(async () => (await fetch('/__campfire/room/go?deck=stories/deck-demo/index.html&slide=6', { method: 'POST' })).status);
    assert.equal(refused, 403);
    const state = await follower.evaluate(async () => (await fetch('/__campfire/room/state')).json());
    assert.equal(state.slide, 3);
    assert.equal(state.presenter, false);

    // Unfollow to look around; the room moves on without them; rejoin.
    await follower.keyboard.press('ArrowRight');
    assert.equal((await current(follower)).hash, '#4');
    assert.equal(await follower.locator('.follow-bar.following').count(), 0);
    await lead.keyboard.press('ArrowLeft');
    await until(async () => (await lead.evaluate(async () => (await fetch('/__campfire/room/state')).json())).slide === 2, { message: 'the room at 2' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await current(follower)).hash, '#4', 'an unfollowed attendee stays');
    await follower.keyboard.press('r');
    await until(async () => (await current(follower)).hash === '#2', { message: 'rejoined at 2' });

    // The presenter opens another deck: followers are taken there.
    await lead.goto(`${server.url}glossary/nps/index.html?present#2`);
    await follower.waitForURL(/glossary\/nps\/index\.html\?present&follow#2$/);
    await trainer.close();
    await attendee.close();
  });
});
