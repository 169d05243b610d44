// Accessibility: axe-core over the main kinds of page of a built site, in
// English and in a translation, at a phone's and a desktop's width, and
// over serve's error overlay. Zero violations.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { repo } from './helpers.mjs';
import { builtSite, copyFixture, replaceInFile, startServe, until } from './site-helpers.mjs';

const SETUP = { timeout: 15 * 60 * 1000 };
const T = { timeout: 60_000 };
const AXE = fs.readFileSync(path.join(repo, 'node_modules/axe-core/axe.min.js'), 'utf8');

async function violations(page) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
  return result;
}

const PAGES = [
  'index.html',
  'stories/index.html',
  'stories/snowed-in/index.html',
  'glossary/index.html',
  'glossary/nps/index.html',
  'pt/glossary/nps/index.html',
  'pt/glossary/index.html',
  'search/index.html',
  'people/index.html',
  'people/ana-lima/index.html',
  'values/empathy/index.html',
  'coverage/index.html',
  'coverage/departments/logistics/receive/index.html',
  'journey/blueprint/index.html',
  'departments/logistics/index.html',
  'journey/index.html',
  'departments/index.html',
  'touchpoints/installation/index.html',
  'cases/window-pilot/index.html',
  'paths/foundations/index.html',
  'paths/foundations/print/index.html',
  'stories/snowed-in/index.html?path=foundations',
];

describe('accessibility (axe-core)', () => {
  let built, dir, browser, http;

  before(async () => {
    built = await builtSite('a11y');
    ({ dir, browser, http } = built);
  }, SETUP);

  after(() => built?.close());

  for (const width of [390, 1280]) {
    it(`has no violations on the main pages at ${width} px`, T, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const found = [];
      for (const p of PAGES) {
        if (!fs.existsSync(path.join(dir, 'public', p.split('?')[0]))) continue;
        await page.goto(`${http.base}${p}`);
        for (const v of await violations(page)) found.push(`${p}: ${v}`);
      }
      await page.close();
      assert.deepEqual(found, []);
    });
  }

  it('has no violations in serve\'s error overlay', T, async () => {
    const site = copyFixture('a11y-serve');
    const server = await startServe(site);
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(`${server.url}stories/snowed-in/index.html`);
      replaceInFile(path.join(site, 'content/stories/snowed-in.md'), 'department: logistics', 'department: [logistics');
      await page.locator('#campfire-error-overlay').waitFor({ state: 'attached', timeout: 20_000 });
      await until(async () => (await page.locator('[role=alert]').count()) === 1, { timeout: 5000, message: 'the overlay' });
      const found = await violations(page);
      await page.close();
      assert.deepEqual(found, []);
    } finally {
      await server.stop();
      fs.rmSync(site, { recursive: true, force: true });
    }
  });
});
