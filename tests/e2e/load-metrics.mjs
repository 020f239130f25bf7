// What a visitor pays before the first digits: the bytes fetched (as sent, i.e. gzipped by
// the server) by requests that started before the drift:first-digits mark, and the time to
// that mark, on an emulated link (CDP Network.emulateNetworkConditions). A benchmark
// printout, not a timed assertion: the machine is shared and the numbers are noisy.
// page.test.mjs calls measureLoad(); standalone it serves a built site itself:
//   node tests/e2e/load-metrics.mjs [--site build/site] [--page index.html] [--runs 3]
//        [--mbps 20] [--latency 40]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

// The link: 20 Mbit/s down and up, 40 ms latency.
export const LINK_20MBPS = { mbps: 20, latencyMs: 40 };

// measureLoad(context, url, {mbps, latencyMs, shoot}) -> {firstMs, bytes, files: [[name, bytes, startMs, endMs]], later}
// Opens url in a fresh page of a playwright context with the cache disabled and the link
// emulated (no emulation when mbps is 0), waits for the first digit grid, and sums
// encodedBodySize over the document and every resource that started before it.
// shoot(name, page), if given, is called while the model downloads ('loading', once its
// progress bar shows), at the first digits ('first-digits') and, with the replay panel
// scrolled into view, while its snapshots download ('replay-loading'); then the page closes
// without waiting for them. Screenshots take time: a load with shoot is for looking at, not
// for its numbers (give it a slow link, so the bars are still there when the shots land).
export async function measureLoad(context, url, { mbps = 0, latencyMs = 0, shoot = null } = {}) {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (mbps > 0) {
      const bytesPerS = (mbps * 1e6) / 8;
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: latencyMs,
        downloadThroughput: bytesPerS, uploadThroughput: bytesPerS });
    }
    await page.goto(url, { waitUntil: 'commit' });
    if (shoot) {
      const bar = await page.waitForFunction(() => {
        const p = document.querySelector('drift-demo')?.shadowRoot?.querySelector('.load-progress');
        return p && !p.hidden && p.value > 0.2;
      }, null, { timeout: 20000, polling: 20 }).then(() => true, () => false);
      if (bar) await shoot('loading', page);
    }
    await page.waitForFunction(() => document.querySelector('drift-demo')?.dataset.firstDigitsMs
      || document.querySelector('drift-demo')?.dataset.state === 'error', null, { timeout: 120000 });
    const state = await page.evaluate(() => document.querySelector('drift-demo').dataset.state || '');
    if (state === 'error') throw new Error(`${url}: the page reports an error instead of digits`);
    if (shoot) {
      await shoot('first-digits', page);
      const replay = page.locator('drift-demo [data-panel=replay]');
      if (await replay.count()) {
        await replay.scrollIntoViewIfNeeded();
        const loading = await page.waitForFunction(() => {
          const r = document.querySelector('drift-demo').shadowRoot.querySelector('[data-panel=replay]');
          return r.dataset.snapshots === 'loading' && r.querySelector('.load-progress').value > 0.05;
        }, null, { timeout: 20000, polling: 20 }).then(() => true, () => false);
        if (loading) await shoot('replay-loading', page);
      }
      return null;
    }
    // Requests still running at the mark report their size once done: wait for them.
    await page.waitForTimeout(200);
    await page.waitForLoadState('networkidle');
    return await page.evaluate(() => {
      const mark = performance.getEntriesByName('drift:first-digits')[0];
      const firstMs = mark ? mark.startTime : NaN;
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
      const files = entries.filter((e) => e.startTime < firstMs).map((e) => [
        new URL(e.name).pathname, e.encodedBodySize, Math.round(e.startTime), Math.round(e.responseEnd)]);
      const later = entries.filter((e) => e.startTime >= firstMs).map((e) => new URL(e.name).pathname);
      return { firstMs, bytes: files.reduce((a, f) => a + f[1], 0), files, later };
    });
  } finally {
    await page.close();
  }
}

// printLoad(tag, m): the METRIC lines page.test.mjs and this script print.
export function printLoad(tag, m, link) {
  const where = link.mbps ? `${link.mbps} Mbps / ${link.latencyMs} ms` : 'no throttling';
  console.log(`METRIC bytes_before_first_digits=${m.bytes} (gzipped as sent, ${m.files.length} requests, ${tag})`);
  console.log(`METRIC time_to_first_digits_ms=${m.firstMs.toFixed(0)} (${where}, ${tag})`);
  for (const [name, bytes, start, end] of m.files)
    console.log(`  ${String(start).padStart(5)}-${String(end).padEnd(5)} ms ${String(bytes).padStart(9)} B ${name}`);
  if (m.later.length) console.log(`  after first digits: ${m.later.join(' ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const require = createRequire(path.join(REPO, 'package.json'));
  const { chromium } = require('playwright-core');
  const { startServer } = await import('./server.mjs');
  const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) =>
    (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
  const site = path.resolve(REPO, args.site || 'build/site');
  const link = { mbps: Number(args.mbps ?? LINK_20MBPS.mbps), latencyMs: Number(args.latency ?? LINK_20MBPS.latencyMs) };
  const server = await startServer({ root: site });
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-load-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    // one unmeasured load first, so the server has gzipped every file once (a static host
    // serves them precompressed or from its cache)
    await measureLoad(context, new URL(args.page || '', server.url).href, {});
    for (let r = 0; r < Number(args.runs || 1); r++)
      printLoad(`${args.page || 'index.html'}, run ${r + 1}`,
        await measureLoad(context, new URL(args.page || '', server.url).href, link), link);
  } finally {
    await context.close();
    await server.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}
