// The search page of each language (`search/`, `pt/search/`) in headless
// Chromium: its filters name departments, touchpoints and values as
// site.yaml's `names:` does in the page's language (the index holds their
// ids), a name from site.yaml is text, never HTML, and a page's search box
// opens its language's search page. Zero axe-core violations with the
// filters shown, at a phone's and a desktop's width.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { newPage, repo } from './helpers.mjs';
import { builtSite } from './site-helpers.mjs';

const SETUP = { timeout: 15 * 60 * 1000 };
const T = { timeout: 60_000 };
const AXE = fs.readFileSync(path.join(repo, 'node_modules/axe-core/axe.min.js'), 'utf8');
const HOSTILE = 'TI <img src=x onerror=alert(1)>';
const NAMES = [
  'names:',
  '  pt:',
  '    logistics: Logística',
  '    department.billing: Faturação',
  '    touchpoint.delivery: Entrega',
  `    it: "${HOSTILE}"`,
  '',
].join('\n');

/** The search page at `url` once its filters are shown: { legend: { value: label } }. */
async function filters(page, url) {
  await page.goto(url);
  await page.waitForSelector('.cs-facet');
  return page.$$eval('.cs-facet', (fss) => Object.fromEntries(fss.map((fs) => [
    fs.querySelector('legend').textContent,
    Object.fromEntries([...fs.querySelectorAll('label')].map((l) => [
      l.querySelector('input').value,
      [...l.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim(),
    ])),
  ])));
}

describe('search pages in each language', () => {
  let built, browser, base;

  before(async () => {
    built = await builtSite('search-languages', (dir) => {
      fs.appendFileSync(path.join(dir, 'site.yaml'), NAMES);
    });
    ({ browser } = built);
    base = built.http.base;
  }, SETUP);

  after(() => built?.close());

  it('names the filters in Portuguese on the Portuguese search page', T, async () => {
    const page = await newPage(browser);
    const f = await filters(page, `${base}pt/search/index.html?q=customer`);
    assert.equal(await page.getAttribute('html', 'lang'), 'pt');
    assert.deepEqual(f.Departamento, { billing: 'Faturação', logistics: 'Logística', it: HOSTILE }, JSON.stringify(f));
    // Not translated: the default language's name, as every page shows it.
    assert.equal(f['Ponto de contato'].delivery, 'Entrega', JSON.stringify(f));
    assert.equal(f['Ponto de contato'].website, 'Website', JSON.stringify(f));
    assert.ok(f.Tipo && f.Idioma, JSON.stringify(f));
    // A name is text: the <img> in it is not an element.
    assert.equal(await page.$('.cs-facet img'), null);
    assert.deepEqual(page.dialogs, []);

    // Filtering by a translated name filters by its id, kept in the URL.
    const all = await page.textContent('#search-status');
    await page.check('.cs-facet input[name="department"][value="logistics"]');
    await page.waitForFunction((before) => document.getElementById('search-status').textContent !== before, all);
    assert.match(page.url(), /department=logistics/);
    assert.ok(await page.isChecked('.cs-facet input[name="department"][value="logistics"]'));
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('names the filters in English on the English search page', T, async () => {
    const page = await newPage(browser);
    const f = await filters(page, `${base}search/index.html?q=customer`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.deepEqual(f.Department, { billing: 'Billing', logistics: 'Logistics', it: 'IT' }, JSON.stringify(f));
    assert.equal(f.Touchpoint.delivery, 'Delivery', JSON.stringify(f));
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  it('opens the search page of the page\'s language from its search box', T, async () => {
    const page = await newPage(browser);
    await page.goto(`${base}pt/glossary/nps/index.html`);
    await page.fill('#site-search', 'customer');
    const all = page.locator('.cs-listbox .cs-all');
    await all.waitFor();
    await all.click();
    await page.waitForURL(/\/pt\/search\/index\.html\?q=customer$/);
    await page.waitForSelector('.cs-facet');
    assert.match(await page.textContent('.cs-facets-title'), /Filtrar resultados/);
    // Enter in the box submits its form: the same page.
    await page.goto(`${base}pt/glossary/nps/index.html`);
    await page.fill('#site-search', 'van');
    await page.press('#site-search', 'Enter');
    await page.waitForURL(/\/pt\/search\/index\.html\?q=van$/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  for (const width of [390, 1280]) {
    it(`has no axe-core violations with the filters shown, at ${width} px`, T, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const found = [];
      for (const url of ['pt/search/index.html?q=customer', 'search/index.html?q=customer']) {
        await filters(page, `${base}${url}`);
        await page.addScriptTag({ content: AXE });
        const v = await page.evaluate(async () => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, { resultTypes: ['violations'] });
          return r.violations.map((x) => `${x.id}: ${x.help} (${x.nodes.map((n) => n.target.join(' ')).join(', ')})`);
        });
        found.push(...v.map((x) => `${url}: ${x}`));
      }
      await page.close();
      assert.deepEqual(found, []);
    });
  }
});
