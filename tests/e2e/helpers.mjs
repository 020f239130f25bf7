// What the e2e tests share: a headless Chromium (Debian's, through playwright-core), pages
// that record console errors and off-origin requests, and readers of the digit grid.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(REPO, 'package.json'));
const { chromium } = require('playwright-core');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// --name value pairs from argv
export const parseArgs = (argv) => Object.fromEntries(argv.reduce((acc, a, i, all) =>
  (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));

// A checker that prints one PASS/FAIL line per check and counts the failures.
export function makeCheck() {
  const c = (name, ok, detail = '') => {
    console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
    if (!ok) c.failures++;
  };
  c.failures = 0;
  return c;
}

// launchBrowser(opts) -> a persistent context in a fresh profile folder (removed by close()).
export async function launchBrowser(opts = {}) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-e2e-'));
  // Playwright passes the fresh profile folder as --user-data-dir itself.
  const browser = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    ...opts,
  });
  const close = browser.close.bind(browser);
  browser.close = async () => { await close(); fs.rmSync(userDir, { recursive: true, force: true }); };
  return browser;
}

// Every page: collect console errors and warnings, and abort any request that leaves the origin.
export async function openPage(browser, origin, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  page.errors = [];
  page.offOrigin = [];
  page.warnings = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text());
    // The readback warning comes from this test's own getImageData calls, not from the page.
    if (m.type() === 'warning' && !/willReadFrequently/.test(m.text())) page.warnings.push(m.text());
  });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    page.offOrigin.push(u);
    return route.abort();
  });
  return page;
}

export const inDemo = (sel) => `drift-demo ${sel}`;   // playwright CSS pierces open shadow roots
export const panel = (name) => inDemo(`[data-panel=${name}]`);

// The text of `sel` once it contains `text` (or what it holds after `timeout` ms). Panels other
// than the digits take a new model a frame after the digits redraw, so a read straight after
// the redraw can still see the old model.
export async function textOnceIncludes(page, sel, text, timeout = 10000) {
  const loc = page.locator(sel);
  try { await loc.filter({ hasText: text }).waitFor({ timeout }); } catch { /* reported by the caller's check */ }
  return (await loc.textContent()) || '';
}

// Waits for the first digits (the element's data-first-digits-ms) or an error state.
export const firstDigits = (page, timeout = 30000) => page.waitForFunction(() =>
  document.querySelector('drift-demo')?.dataset.firstDigitsMs
  || document.querySelector('drift-demo')?.dataset.state === 'error', null, { timeout });

// Grid pixels as one red-channel array per cell (greyscale digits), cut from the grid's one
// canvas where its data-tile, data-gap and data-cols put them, one per digit button; `page`
// may also be a frame.
export const gridCells = (page) => page.evaluate(() => {
  const root = document.querySelector('drift-demo').shadowRoot;
  const c = root.querySelector('.digit-grid canvas');
  const n = root.querySelectorAll('.digit').length;
  const [w, h] = c.dataset.tile.split('x').map(Number);
  const gap = Number(c.dataset.gap), cols = Number(c.dataset.cols);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return Array.from({ length: n }, (_, i) => {
    const x0 = (i % cols) * (w + gap), y0 = Math.floor(i / cols) * (h + gap);
    const out = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.push(d[4 * ((y0 + y) * c.width + x0 + x)]);
    return out;
  });
});
export const gridKey = async (page) => (await gridCells(page)).map((c) => c.join(',')).join('|');
export const renders = (page) => page.evaluate(() =>
  Number(document.querySelector('drift-demo').shadowRoot.querySelector('.digit-grid').dataset.renders || 0));

// act() then wait for the digit grid to repaint.
export async function rerender(page, act) {
  const before = await renders(page);
  await act();
  await page.waitForFunction((b) => Number(document.querySelector('drift-demo').shadowRoot
    .querySelector('.digit-grid').dataset.renders || 0) > b, before, { timeout: 10000 });
}

// Set a range/number/select element's value and fire the events a user would cause.
export async function setValue(page, selector, value, events = ['input', 'change']) {
  await page.locator(inDemo(selector)).evaluate((el, [v, evs]) => {
    el.value = String(v);
    for (const e of evs) el.dispatchEvent(new Event(e, { bubbles: true }));
  }, [value, events]);
}
