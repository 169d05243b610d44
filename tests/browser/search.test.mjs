// Search in a real headless Chromium: `node --test tests/browser/`
// (after scripts/install-browser-deps.sh).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import {
  XSS_TITLE, buildFixture, fixtureTool, launch, newPage, repo, rustRank, serve,
} from './helpers.mjs';
import { buildCampfire, campfire, copyFixture, replaceInFile } from './site-helpers.mjs';

let dir, browser, http, base;

before(async () => {
  dir = buildFixture();
  http = await serve(dir);
  base = http.base;
  browser = await launch();
}, { timeout: 15 * 60 * 1000 });

after(async () => {
  if (browser) await browser.close();
  if (http) http.server.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function searchPage(page, query, extra = '') {
  // Not until 'load': a test that holds back facets.js would hold the
  // load event too whenever the results ask for it first (a busy machine).
  await page.goto(`${base}search/index.html?q=${encodeURIComponent(query)}${extra}`, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#search-status');
  await page.waitForFunction(() => {
    const r = document.getElementById('search-results');
    return !r.hasAttribute('aria-busy') && /result|No results/.test(document.getElementById('search-status').textContent);
  });
}

const resultUrls = (page) => page.$$eval('.cs-result-link', (as) => as.map((a) => a.getAttribute('href')));
const statusText = (page) => page.textContent('#search-status');

async function facetCounts(page) {
  // The facets arrive after the first results.
  await page.waitForSelector('.cs-facet');
  return page.$$eval('.cs-facet', (fss) => Object.fromEntries(fss.map((fs) => [
    fs.querySelector('legend').textContent,
    Object.fromEntries([...fs.querySelectorAll('input')].map((i) => [
      i.value, Number(i.parentNode.querySelector('.cs-count').textContent.replace(/\D/g, '')),
    ])),
  ])));
}

describe('search page', () => {
  it('shows the expected first result, with a badge and highlighted snippet', async () => {
    const page = await newPage(browser);
    await searchPage(page, 'refund delay');
    const urls = await resultUrls(page);
    const rust = rustRank(dir, ['refund delay'])['refund delay'];
    assert.ok(urls.length >= 3, `results: ${urls}`);
    assert.equal(urls[0], `../${rust[0].url}index.html`);
    assert.match(rust[0].url, /refund/);
    const first = await page.$('.cs-result-link');
    assert.equal(await first.$eval('.cs-badge', (b) => b.textContent), 'Story');
    const marks = await first.$$eval('mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
    assert.ok(marks.some((m) => m.startsWith('refund')), `marks: ${marks}`);
    assert.ok(marks.some((m) => m.startsWith('delay')), `marks: ${marks}`);
    assert.match(await statusText(page), /^\d+ results? for “refund delay”/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('updates the URL while typing, so results can be linked', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}search/index.html`);
    assert.match(await statusText(page), /Type a word/);
    await page.fill('#search-page-input', 'snowed');
    await page.waitForFunction(() => location.search === '?q=snowed');
    await page.waitForSelector('.cs-result-link');
    assert.equal((await resultUrls(page))[0], '../stories/snowed-in-delivery/index.html');
    await page.close();
  });

  it('narrows results with facets, and the counts change', async () => {
    const page = await newPage(browser);
    await searchPage(page, 'customer');
    const before = await facetCounts(page);
    const total = Number((await statusText(page)).match(/^(\d+)/)[1]);
    assert.ok(before.Type && before.Department && before.Touchpoint && before.Language, JSON.stringify(before));
    const logistics = before.Department.logistics;
    assert.ok(logistics > 0 && logistics < total, `logistics ${logistics} of ${total}`);

    await page.check('.cs-facet input[name="department"][value="logistics"]');
    await page.waitForFunction((n) => document.getElementById('search-status').textContent.startsWith(`${n} result`), logistics);
    const after = await facetCounts(page);
    assert.equal((await resultUrls(page)).length, Math.min(logistics, 10));
    // Other dimensions now count only logistics results; its own keeps its alternatives.
    assert.notDeepEqual(after.Type, before.Type);
    assert.deepEqual(after.Department, before.Department);
    assert.match(page.url(), /department=logistics/);

    // The filter is in the URL: reloading keeps it.
    await page.reload();
    await page.waitForFunction((n) => document.getElementById('search-status').textContent.startsWith(`${n} result`), logistics);
    assert.ok(await page.isChecked('.cs-facet input[name="department"][value="logistics"]'));
    await page.close();
  });

  it('shows the first results before it loads the facets, then the facets', async () => {
    const page = await newPage(browser);
    const requested = [];
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route('**/search/facets.js*', async (route) => { await held; await route.continue(); });
    await searchPage(page, 'refund delay');
    assert.ok((await resultUrls(page)).length >= 3);
    assert.equal(await page.$('.cs-facet'), null, 'facets shown before facets.js arrived');
    // Asked for only once the results were shown.
    const facetsAt = requested.findIndex((p) => p.endsWith('/search/facets.js'));
    assert.ok(facetsAt >= 0, `requests: ${requested}`);
    assert.ok(requested.slice(0, facetsAt).some((p) => p.includes('/search/d/')), `requests: ${requested}`);
    release();
    const counts = await facetCounts(page);
    assert.ok(counts.Type, JSON.stringify(counts));
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('shows more results on demand and moves the focus to the first new one', async () => {
    const page = await newPage(browser);
    await searchPage(page, 'customer');
    const total = Number((await statusText(page)).match(/^(\d+)/)[1]);
    assert.ok(total > 10, `${total} results`);
    assert.equal((await resultUrls(page)).length, 10);
    await page.click('.cs-more');
    await page.waitForFunction(() => document.querySelectorAll('.cs-result-link').length > 10);
    assert.equal((await resultUrls(page)).length, Math.min(total, 20));
    const focused = await page.evaluate(() => [...document.querySelectorAll('.cs-result-link')].indexOf(document.activeElement));
    assert.equal(focused, 10);
    await page.close();
  });

  it('says something useful when nothing matches', async () => {
    const page = await newPage(browser);
    await searchPage(page, 'zzyzx');
    assert.match(await statusText(page), /No results for “zzyzx”/);
    assert.match(await page.textContent('#search-results'), /fewer words/);

    await searchPage(page, 'refund', '&type=page');
    assert.match(await statusText(page), /No results match the selected filters/);
    assert.match(await page.textContent('#search-results'), /remove a filter/);
    await page.click('.cs-clear');
    await page.waitForSelector('.cs-result-link');
    assert.doesNotMatch(page.url(), /type=page/);

    // Words that never occur together: falls back to any of them.
    await searchPage(page, 'refund zzyzx');
    assert.ok((await resultUrls(page)).length > 0);
    assert.match(await page.textContent('#search-results'), /contain some of them/);
    await page.close();
  });

  it('shows an HTML-looking title as text and runs nothing', async () => {
    const page = await newPage(browser);
    await searchPage(page, 'onerror');
    const title = await page.$eval('.cs-result-link .cs-title', (t) => t.textContent);
    assert.equal(title, XSS_TITLE);
    assert.equal(await page.$$eval('#search-results img', (i) => i.length), 0);
    // And in the dropdown.
    await page.fill('#site-search', 'onerror');
    await page.waitForSelector('.cs-listbox .cs-option .cs-title');
    assert.equal(await page.$eval('.cs-listbox .cs-title', (t) => t.textContent), XSS_TITLE);
    assert.equal(await page.$$eval('.cs-listbox img', (i) => i.length), 0);
    await page.waitForTimeout(300);
    assert.deepEqual(page.dialogs, []);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

describe('as-you-type box', () => {
  it('is driven by the keyboard: / focuses, arrows move, Escape closes, Enter opens', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}stories/first-call/index.html`);
    // "/" in a text field types a slash.
    await page.focus('#page-text-input');
    await page.keyboard.press('/');
    assert.equal(await page.inputValue('#page-text-input'), '/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'page-text-input');
    // Elsewhere it focuses the search box.
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'site-search');

    await page.keyboard.type('refund');
    const box = page.locator('#site-search');
    await page.waitForSelector('.cs-listbox:not([hidden]) [role="option"]');
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    const ids = await page.$$eval('.cs-listbox [role="option"]:not([aria-disabled])', (os) => os.map((o) => o.id));
    assert.ok(ids.length >= 3, `options: ${ids}`);

    await page.keyboard.press('ArrowDown');
    assert.equal(await box.getAttribute('aria-activedescendant'), ids[0]);
    assert.equal(await page.getAttribute(`#${ids[0]}`, 'aria-selected'), 'true');
    await page.keyboard.press('ArrowDown');
    assert.equal(await box.getAttribute('aria-activedescendant'), ids[1]);
    assert.equal(await page.getAttribute(`#${ids[0]}`, 'aria-selected'), 'false');
    await page.keyboard.press('ArrowUp');
    assert.equal(await box.getAttribute('aria-activedescendant'), ids[0]);

    await page.keyboard.press('Escape');
    assert.equal(await box.getAttribute('aria-expanded'), 'false');
    assert.ok(await page.$eval('.cs-listbox', (l) => l.hidden));

    await page.keyboard.press('ArrowDown');
    assert.equal(await box.getAttribute('aria-expanded'), 'true');
    const href = await page.getAttribute(`#${ids[0]}`, 'data-href');
    const target = new URL(href, page.url()).href;
    await Promise.all([page.waitForURL(target), page.keyboard.press('Enter')]);
    assert.match(page.url(), /\/index\.html$/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('Enter without a selection opens the search page with the query', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}index.html`);
    await page.fill('#site-search', 'nps');
    await Promise.all([page.waitForURL(/search\/index\.html\?q=nps$/), page.press('#site-search', 'Enter')]);
    await page.waitForSelector('.cs-result-link');
    assert.equal((await resultUrls(page))[0], '../glossary/nps/index.html');
    await page.close();
  });
});

describe('from file://', () => {
  it('finds results with diacritics folded, and links work', async () => {
    const page = await newPage(browser);
    const url = pathToFileURL(path.join(dir, 'search/index.html')).href + '?q=' + encodeURIComponent('satisfação');
    await page.goto(url);
    await page.waitForSelector('.cs-result-link');
    const urls = await resultUrls(page);
    assert.ok(urls.includes('../pt/glossary/satisfacao/index.html'), urls.join());
    assert.ok(urls.includes('../glossary/csat/index.html'), urls.join());
    // Without the accents, the same documents.
    await page.fill('#search-page-input', 'SATISFACAO');
    await page.waitForFunction(() => /“SATISFACAO”/.test(document.getElementById('search-status').textContent));
    assert.deepEqual((await resultUrls(page)).sort(), urls.slice().sort());

    // The dropdown on an entry page, two levels deep.
    await page.goto(pathToFileURL(path.join(dir, 'glossary/nps/index.html')).href);
    await page.fill('#site-search', 'snowed');
    await page.waitForSelector('.cs-listbox [role="option"]');
    await Promise.all([page.waitForURL(/snowed-in-delivery\/index\.html$/), page.click('.cs-listbox .cs-option')]);
    assert.match(page.url(), /^file:/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

describe('search v2', () => {
  it('finds phrases, versions, hyphenated words, mid-word prefixes and typos', async () => {
    const page = await newPage(browser);
    const upgrade = '../stories/on-call-upgrade/index.html';
    for (const q of ['"code review"', '4.5.0', 'on-call', 'onboardin', 'reimburseme', 'onbaording', 'reimbursment']) {
      await searchPage(page, q);
      const urls = await resultUrls(page);
      const want = /onboard|onbaord/.test(q) ? '../paths/listening/index.html' : upgrade;
      assert.equal(urls[0], want, `${q}: ${urls}`);
    }
    // The phrase needs the words next to each other, in that order.
    await searchPage(page, '"review code"');
    assert.deepEqual(await resultUrls(page), [upgrade]);
    await searchPage(page, '"customer code"');
    assert.match(await statusText(page), /No results/);
    // A typo says which words it used instead.
    await searchPage(page, 'onbaording');
    assert.match(await page.textContent('#search-results'), /Including similar words: onboarding/);
    const marks = await page.$$eval('.cs-result-link mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
    assert.ok(marks.includes('onboarding'), `marks: ${marks}`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('labels results in other languages and groups translations', async () => {
    const page = await newPage(browser);
    await searchPage(page, 'nps');
    const items = await page.$$eval('.cs-result', (lis) => lis.map((li) => ({
      href: li.querySelector('a').getAttribute('href'),
      lang: li.querySelector('.cs-lang') ? li.querySelector('.cs-lang').textContent : '',
      translation: li.classList.contains('cs-translation'),
    })));
    const en = items.findIndex((x) => x.href === '../glossary/nps/index.html');
    const pt = items.findIndex((x) => x.href === '../pt/glossary/nps/index.html');
    assert.ok(en >= 0 && pt >= 0, JSON.stringify(items));
    assert.equal(Math.abs(en - pt), 1, 'translations are next to each other');
    assert.ok(items[Math.max(en, pt)].translation && !items[Math.min(en, pt)].translation);
    assert.equal(items[pt].lang, 'Português');
    assert.equal(items[en].lang, '', 'the page language needs no label');
    await page.close();
  });
});

describe('Rust and the browser', () => {
  const QUERIES = [
    'refund delay', 'refu', 'customer', 'satisfação', 'delivery snow', 'nps',
    'first contact resolution', 'weekly review', 'refund zzyzx', 'delayed', 'touch', 'the',
    '"code review"', '"review code" engineer', '4.5', 'on-call', 'rota-call', 'onboardin',
    'onbaording', 'custmer', 'refunding delayed', 'reviews',
  ];

  it('rank the same queries in the same order with the same scores and snippets', async () => {
    const rust = rustRank(dir, QUERIES);
    const page = await newPage(browser);
    await page.goto(`${base}search/index.html`);
    for (const q of QUERIES) {
      const js = await page.evaluate((q) => window.campfireSearch.search(q, 50), q);
      const r = rust[q];
      assert.deepEqual(js.hits.map((h) => h.url), r.map((h) => h.url), `order for ${q}`);
      js.hits.forEach((h, i) => assert.ok(Math.abs(h.score - r[i].score) < 1e-9, `score for ${q}`));
      assert.deepEqual(js.hits.map((h) => h.snippet), r.map((h) => h.snippet), `snippets for ${q}`);
      if (q !== 'refund zzyzx' && q !== 'the') assert.ok(r.length > 0, `no results for ${q}`);
    }
    await page.close();
  });

  it('cut text into the same tokens', async () => {
    const lines = [
      'Satisfação do cliente: 95%! NPS-score e-mail',
      "the customer's order, don’t 'quoted'",
      'Привет, мир — 日本語のテキスト',
      'ﬁne Straße İstanbul ΣΊΣΥΦΟΣ',
      'e\u0301te\u0301 naïve café x²',
      'v4.5.0 on\u2011call 24/7 ISO_9001 a--b end. Next Café-Bar',
    ];
    const rust = fixtureTool(['tokens'], lines.join('\n') + '\n').trim().split('\n').map((l) => JSON.parse(l));
    const page = await newPage(browser);
    await page.goto(`${base}search/index.html`);
    const js = await page.evaluate((ls) => Promise.all(ls.map((l) => window.campfireSearch.tokens(l))), lines);
    assert.deepEqual(js, rust);
    await page.close();
  });
});

describe('the engine asset', () => {
  it('is built from the engine source as it is now (scripts/build-search-engine.sh)', () => {
    const asset = fs.readFileSync(path.join(repo, 'layouts/assets/search-engine.js'), 'utf8');
    const recorded = /source sha256 ([0-9a-f]{64})/.exec(asset)[1];
    const files = ['search-engine/Cargo.toml', ...fs.readdirSync(path.join(repo, 'search-engine/src'), { recursive: true })
      .filter((f) => f.endsWith('.rs')).map((f) => `search-engine/src/${f}`)].sort();
    const h = crypto.createHash('sha256');
    for (const f of files) h.update(`${f}\n`).update(fs.readFileSync(path.join(repo, f)));
    assert.equal(h.digest('hex'), recorded, 'the engine changed: run scripts/build-search-engine.sh');
  });

  it('ships search.js minified from its source as it is now (scripts/build-search-engine.sh)', () => {
    const min = fs.readFileSync(path.join(repo, 'src/search/search.min.js'), 'utf8');
    const recorded = /source sha256 ([0-9a-f]{64})/.exec(min)[1];
    const src = fs.readFileSync(path.join(repo, 'layouts/assets/search.js'));
    assert.equal(crypto.createHash('sha256').update(src).digest('hex'), recorded,
      'layouts/assets/search.js changed: run scripts/build-search-engine.sh');
    assert.ok(min.length < src.length * 2 / 3, `${min.length} bytes minified, ${src.length} of source`);
  });
});

describe('search in Portuguese', () => {
  let site, server, pbase;
  before(async () => {
    buildCampfire();
    site = copyFixture('search-pt');
    // A Portuguese site (its one translation, nps.pt.md, goes).
    replaceInFile(path.join(site, 'site.yaml'), 'language: en\nlanguages: [pt]', 'language: pt');
    fs.rmSync(path.join(site, 'content/glossary/nps.pt.md'));
    campfire(['build', '--root', site]);
    server = await serve(path.join(site, 'public'));
    pbase = server.base;
  }, { timeout: 15 * 60 * 1000 });
  after(() => {
    if (server) server.server.close();
    if (site) fs.rmSync(site, { recursive: true, force: true });
  });

  async function ptSearch(page, q) {
    await page.goto(`${pbase}search/index.html?q=${encodeURIComponent(q)}`);
    await page.waitForFunction(() => {
      const s = document.getElementById('search-status').textContent;
      return !document.getElementById('search-results').hasAttribute('aria-busy') && /resultado/i.test(s);
    });
    return page.textContent('#search-status');
  }

  it('writes the results page in the site language, with plurals', async () => {
    const page = await newPage(browser);
    assert.match(await ptSearch(page, 'snowed'), /^\d+ resultados? para “snowed”\.$/);
    const n = Number((await statusText(page)).match(/^\d+/)[0]);
    assert.match(await statusText(page), n === 1 ? /^1 resultado para/ : /^\d+ resultados para/);
    assert.equal(await page.$eval('.cs-badge', (b) => b.textContent), 'História');
    assert.equal(await page.textContent('.cs-facets-title'), 'Filtrar resultados');
    const legends = await page.$$eval('.cs-facet legend', (ls) => ls.map((l) => l.textContent));
    assert.ok(legends.includes('Tipo') && legends.includes('Departamento'), legends.join());
    assert.ok((await page.$$eval('.cs-facet-value', (ls) => ls.map((l) => l.textContent))).some((t) => t.includes('Histórias')));
    assert.match(await ptSearch(page, 'zzyzx'), /^Nenhum resultado para “zzyzx”\.$/);
    assert.match(await page.textContent('#search-results'), /Verifique a ortografia/);
    await ptSearch(page, 'snowedd');
    assert.match(await page.textContent('#search-results'), /Incluindo palavras semelhantes: snowed/);
    const text = await page.textContent('#search-page');
    for (const english of ['results for', 'Including', 'Story', 'Filter results', 'Check the spelling']) {
      assert.ok(!text.includes(english), `English "${english}" on the Portuguese page`);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('writes the dropdown in the site language', async () => {
    const page = await newPage(browser);
    await page.goto(`${pbase}index.html`);
    await page.click('#site-search');
    await page.keyboard.type('snow');
    await page.waitForSelector('.cs-listbox [role="option"]');
    await page.waitForFunction(() => /resultado/.test(document.querySelector('.cs-status').textContent));
    assert.match(await page.textContent('.cs-status'), /^\d+ resultados?$/);
    assert.equal(await page.getAttribute('.cs-listbox', 'aria-label'), 'Resultados da pesquisa');
    assert.match(await page.textContent('.cs-all'), /^(Abrir a página de pesquisa|Ver todos os \d+ resultados)$/);
    await page.fill('#site-search', 'zzyzx');
    await page.waitForFunction(() => document.querySelector('.cs-status').textContent === 'Nenhum resultado');
    assert.match(await page.textContent('.cs-listbox'), /Nenhum resultado\. Tente menos palavras ou outras\./);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
