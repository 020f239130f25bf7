// End-to-end test of the static page in headless Chromium (playwright-core + Debian's
// chromium). Serves the assembled site from a local static server, optionally under a
// sub-path, and checks what a visitor would see. Prints one line per check and exits 1 if
// any check fails.
//   node tests/e2e/page.test.mjs [--site build/site] [--base /sub/dir/] [--shots build/e2e-screenshots]
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './server.mjs';
import { makeModel } from './make-model.mjs';
import { measureLoad, printLoad, LINK_20MBPS } from './load-metrics.mjs';
import { REPO, parseArgs, makeCheck, launchBrowser, openPage as openPageIn, inDemo, panel, gridCells,
  gridKey, renders, rerender, setValue, textOnceIncludes } from './helpers.mjs';

const args = parseArgs(process.argv.slice(2));
const SITE = path.resolve(REPO, args.site || 'build/site');
const BASE = args.base || '/';
const SHOTS = path.resolve(REPO, args.shots || 'build/e2e-screenshots');
const TAG = BASE === '/' ? 'root' : 'subpath';
const check = makeCheck();

if (!fs.existsSync(path.join(SITE, 'index.html'))) {
  console.error(`${SITE}/index.html: missing; assemble the site first (scripts/build-site.sh)`);
  process.exit(1);
}

// The model: the shipped one if the site has it, else a random-init test model in build/.
const overlays = {};
let modelDir = path.join(SITE, 'models/mnist');
if (!fs.existsSync(path.join(modelDir, 'model.json'))) {
  modelDir = path.join(REPO, 'build/e2e-model');
  makeModel(modelDir);
  overlays['models/mnist/'] = modelDir;
  console.log(`note: no shipped model in ${SITE}/models/mnist; using random-init test model ${modelDir}`);
}
// Two host pages as docs/embedding.md describes them, one folder below the site: the element
// loaded by a relative <script>, and the full page inside an <iframe>.
const embedDir = path.join(REPO, 'build/e2e-embed');
fs.mkdirSync(embedDir, { recursive: true });
const hostPage = (body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title>
<link rel="icon" href="data:,"></head><body><h1>Host page</h1>${body}</body></html>`;
fs.writeFileSync(path.join(embedDir, 'element.html'), hostPage(
  '<script type="module" src="../drift-demo.js"></script>\n'
  + '<drift-demo model="../models/mnist/model.json" panels="digits,drift2d"></drift-demo>'));
// digits only: the 2D toy module (drift_toy.wasm) must never be fetched
fs.writeFileSync(path.join(embedDir, 'digits-only.html'), hostPage(
  '<script type="module" src="../drift-demo.js"></script>\n'
  + '<drift-demo model="../models/mnist/model.json" panels="digits"></drift-demo>'));
fs.writeFileSync(path.join(embedDir, 'iframe.html'), hostPage(
  '<iframe src="../index.html" title="Drifting Models demo" style="width:100%;height:900px;border:0"></iframe>'));
overlays['embed/'] = embedDir;
const modelJson = fs.readFileSync(path.join(modelDir, 'model.json'));
const binName = JSON.parse(modelJson).bin.file;
const modelBin = fs.readFileSync(path.join(modelDir, binName));
// An old-format model (version 1, f16, snapshots inside model.bin), as exported before int8.
const oldModel = makeModel(path.join(REPO, 'build/e2e-model-f16-v1'), { dtype: 'f16' });

const server = await startServer({ root: SITE, mount: BASE, overlays });
const browser = await launchBrowser();
fs.mkdirSync(SHOTS, { recursive: true });
const openPage = (viewport) => openPageIn(browser, new URL(server.url).origin, viewport);

async function shot(page, name, locator) {
  const file = path.join(SHOTS, `${TAG}-${name}.png`);
  await (locator ? page.locator(locator).screenshot({ path: file }) : page.screenshot({ path: file, fullPage: true }));
}

// ---- 1. load, first digits, transfer size ---------------------------------------------
try {
  server.resetStats();
  const page = await openPage();
  await page.goto(server.url, { waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector('drift-demo')?.dataset.firstDigitsMs
    || document.querySelector('drift-demo')?.dataset.state === 'error', null, { timeout: 30000 });
  const state = await page.evaluate(() => document.querySelector('drift-demo').dataset.state || '');
  const errText = await page.locator(inDemo('.msg.global')).textContent().catch(() => '');
  check('page loads the model and renders digits', state !== 'error', errText || '');
  const firstMs = await page.evaluate(() => {
    const m = performance.getEntriesByName('drift:first-digits')[0];
    return m ? m.startTime : NaN;
  });
  await page.waitForLoadState('networkidle');
  const kib = (b) => (b / 1024).toFixed(1);
  console.log(`METRIC time_to_first_digits_ms=${firstMs.toFixed(0)} (navigation start -> first rendered grid, ${TAG})`);
  console.log(`METRIC transfer_bytes_gzip=${server.stats.bytesSent} (${kib(server.stats.bytesSent)} KiB; raw ${kib(server.stats.bytesRaw)} KiB, ${server.stats.requests.length} requests)`);
  const modelBytes = server.stats.requests.filter((r) => /\/models\//.test(r.path)).reduce((a, r) => a + (r.bytes || 0), 0);
  console.log(`METRIC transfer_bytes_gzip_without_model=${server.stats.bytesSent - modelBytes} (${kib(server.stats.bytesSent - modelBytes)} KiB: page, element, core; model ${kib(modelBytes)} KiB)`);
  // The load's critical path: when each file finished, relative to navigation start.
  const timeline = await page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => [e.name.replace(location.origin, ''), Math.round(e.startTime), Math.round(e.responseEnd)]));
  for (const [name, start, end] of timeline) console.log(`  ${String(start).padStart(5)}-${String(end).padEnd(5)} ms ${name}`);
  check('every request was found (no 404)', server.stats.requests.every((r) => r.status === 200),
    server.stats.requests.filter((r) => r.status !== 200).map((r) => r.path).join(' '));

  // The benchmark: the whole page and a digits-only embed on an emulated 20 Mbps /
  // 40 ms link. A printout, no timed assertion; what loads before the first digits is checked.
  for (const [what, url] of [['index.html', server.url], ['digits-only embed', new URL('embed/digits-only.html', server.url).href]]) {
    const m = await measureLoad(browser, url, LINK_20MBPS);
    printLoad(`${what}, ${TAG}`, m, LINK_20MBPS);
    const early = m.files.map((f) => f[0]).filter((f) => /drift_toy|drift_digits|digits\.pack|panels\/train\.js|\.snapshot-\d+\.bin/.test(f));
    check(`${what}: no toy module, trainer, digit pack or snapshot files before the first digits`, early.length === 0, early.join(' '));
  }
  // One more load, to look at, on a slower link (5 Mbps) so that the progress bars are still
  // there when the screenshots land: the model's bar, the first digits, then the replay panel
  // scrolled into view, fetching its snapshots.
  await measureLoad(browser, server.url, { mbps: 5, latencyMs: 40,
    shoot: (name, p) => p.screenshot({ path: path.join(SHOTS, `${TAG}-load-${name}.png`) }) });

  // ---- 2. digits ------------------------------------------------------------------------
  const cells = await gridCells(page);
  const nonBlank = cells.filter((c) => Math.max(...c) - Math.min(...c) > 20).length;
  check('digit grid is not blank', cells.length >= 10 && nonBlank === cells.length,
    `${nonBlank}/${cells.length} cells with contrast`);
  const distinct = new Set(cells.map((c) => c.join(','))).size;
  check('grid cells differ from each other', cells.length >= 10 && distinct === cells.length, `${distinct} distinct of ${cells.length}`);
  const readout = await page.locator(inDemo('.readout')).textContent();
  check('readout says "N digits in X ms"', /^\d+ digits in [\d.]+ ms$/.test(readout.trim()), readout.trim());
  await shot(page, 'digits', panel('digits'));

  const perClass = [];
  for (let c = 0; c < 10; c++) {
    await rerender(page, () => setValue(page, '[data-panel=digits] select', String(c), ['change']));
    perClass.push(await gridKey(page));
  }
  check('each class choice yields different images', new Set(perClass).size === 10,
    `${new Set(perClass).size} distinct grids for 10 classes`);
  await rerender(page, () => setValue(page, '[data-panel=digits] select', 'mixed', ['change']));

  const alphaSel = '[data-panel=digits] input[type=range]';
  await rerender(page, () => setValue(page, alphaSel, 1, ['input']));
  const a1 = await gridKey(page);
  await rerender(page, () => setValue(page, alphaSel, 3, ['input']));
  const a3 = await gridKey(page);
  check('guidance α changes the output', a1 !== a3);

  const seedSel = '[data-panel=digits] input[type=number]';
  await rerender(page, () => setValue(page, seedSel, 42, ['change']));
  const s42 = await gridKey(page);
  await rerender(page, () => page.locator(inDemo('[data-panel=digits] button:text-is("Re-roll")')).click());
  const rolled = await gridKey(page);
  await rerender(page, () => setValue(page, seedSel, 42, ['change']));
  const s42b = await gridKey(page);
  check('re-roll changes the grid', rolled !== s42);
  check('the same seed reproduces the same grid', s42 === s42b);

  // Morph: the grid keeps changing while it runs, and stops when toggled off.
  const morphBtn = page.locator(inDemo('[data-panel=digits] button[aria-pressed]'));
  await morphBtn.click();
  const m0 = await renders(page);
  await page.waitForTimeout(1000);
  const m1 = await renders(page);
  const mk1 = await gridKey(page);
  await page.waitForTimeout(300);
  const mk2 = await gridKey(page);
  await morphBtn.click();
  await page.waitForTimeout(300);
  const m2 = await renders(page);
  await page.waitForTimeout(300);
  const m3 = await renders(page);
  check('latent morph animates, and stops when toggled off', m1 - m0 >= 3 && mk1 !== mk2 && m3 === m2,
    `${m1 - m0} frames in 1 s; ${m3 - m2} after stop`);

  // Every control has an accessible name (a <label for>, aria-label or its own text).
  const unnamed = await page.evaluate(() => {
    const root = document.querySelector('drift-demo').shadowRoot;
    return [...root.querySelectorAll('input, select, button')].filter((el) => {
      if (el.type === 'file') return !root.querySelector(`label[for="${el.id}"]`);
      const lab = el.id && root.querySelector(`label[for="${el.id}"]`);
      return !(lab && lab.textContent.trim()) && !el.getAttribute('aria-label') && !el.textContent.trim();
    }).map((el) => el.outerHTML.slice(0, 80));
  });
  check('every control is labelled', unnamed.length === 0, unnamed.slice(0, 3).join(' '));
  // Keyboard only: Tab to Re-roll and press Enter.
  await page.locator(inDemo('[data-panel=digits] select')).focus();
  let onReroll = false;
  for (let i = 0; i < 6 && !onReroll; i++) {
    await page.keyboard.press('Tab');
    onReroll = await page.evaluate(() => document.querySelector('drift-demo').shadowRoot.activeElement?.textContent === 'Re-roll');
  }
  const kb0 = await gridKey(page);
  if (onReroll) await rerender(page, () => page.keyboard.press('Enter'));
  check('keyboard: Tab reaches Re-roll and Enter re-rolls', onReroll && (await gridKey(page)) !== kb0);
  await rerender(page, () => setValue(page, seedSel, 42, ['change']));

  // Enlarge + download link.
  await page.locator(inDemo('.digit')).nth(3).click();
  const dlg = page.locator(inDemo('dialog.enlarge'));
  await dlg.waitFor({ state: 'visible' });
  const href = await page.locator(inDemo('dialog.enlarge a[download]')).getAttribute('href');
  check('clicking a digit enlarges it with a PNG download', href.startsWith('data:image/png;base64,'));
  await shot(page, 'enlarged', 'drift-demo dialog.enlarge');
  await page.keyboard.press('Escape');

  // ---- 3. replay --------------------------------------------------------------------------
  // Snapshots in their own files load once the panel is in view, with a progress bar.
  const replay = page.locator(panel('replay'));
  await replay.scrollIntoViewIfNeeded();
  const snapState = await page.waitForFunction(() => {
    const s = document.querySelector('drift-demo').shadowRoot.querySelector('[data-panel=replay]').dataset.snapshots;
    return (s === 'loaded' || s === 'error') && s;
  }, null, { timeout: 60000 }).then((h) => h.jsonValue());
  const replayMsg = await page.locator(inDemo('[data-panel=replay] .msg')).textContent();
  check('replay: snapshots load once the panel is shown', snapState === 'loaded', replayMsg.trim());
  const nSnap = await page.locator(inDemo('[data-panel=replay] input[type=range]')).getAttribute('max');
  const replayKey = () => page.locator(inDemo('.replay-canvas')).evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let s = 0; for (let i = 0; i < d.length; i += 4) s = (s * 31 + d[i]) >>> 0;
    return `${c.dataset.frame}:${s}`;
  });
  const frames = [];
  for (const v of [0, Number(nSnap)]) {
    await setValue(page, '[data-panel=replay] input[type=range]', v, ['input']);
    await page.waitForFunction((f) => document.querySelector('drift-demo').shadowRoot
      .querySelector('.replay-canvas').dataset.frame === String(f), v);
    frames.push(await replayKey());
    if (v === 0) await shot(page, 'replay-first', panel('replay'));
  }
  check('replay slider changes the digits', Number(nSnap) > 0 && frames[0].split(':')[1] !== frames[1].split(':')[1],
    `${Number(nSnap) + 1} frames`);
  await shot(page, 'replay', panel('replay'));
  await shot(page, 'metrics', panel('metrics'));
  const metricsText = await page.locator(panel('metrics')).textContent();
  const man = JSON.parse(modelJson);
  const mkeys = Object.keys((man.training && man.training.metrics) || {});
  // Every α row of the manifest's eval, formatted here from the manifest's numbers, is a row of
  // the card's table (α, FD/floor, accuracy %, precision, recall).
  const cardRows = await page.locator(inDemo('[data-panel=metrics] .eval-table tbody tr')).evaluateAll(
    (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()).join(' ')));
  const wantRows = ((man.training && man.training.metrics && man.training.metrics.alphas) || []).map((a) =>
    [String(Number(a.alpha.toFixed(2))), a.fd_over_floor.toFixed(2), `${(100 * a.accuracy).toFixed(1)}%`,
      a.precision.toFixed(2), a.recall.toFixed(2)].join(' '));
  check('model card shows the manifest metrics, every α row with its values',
    mkeys.length > 0 && /Measured at export/.test(metricsText) && wantRows.length > 0
    && wantRows.every((r) => cardRows.includes(r)),
    `want ${wantRows.join(' | ')}; card ${cardRows.join(' | ')}`);

  // ---- 4. 2D drift -------------------------------------------------------------------------
  // The toy module loads once the panel comes near the viewport.
  const d2 = page.locator(panel('drift2d'));
  await d2.scrollIntoViewIfNeeded();
  await page.locator(inDemo('[data-panel=drift2d] select >> nth=0')).and(page.locator(':enabled')).waitFor({ timeout: 30000 });
  const d2data = () => d2.evaluate((el) => ({ step: Number(el.dataset.step || 0), dist: Number(el.dataset.distance) }));
  async function train2d(label, steps) {
    const start = await d2data();
    await setValue(page, '[data-panel=drift2d] input[type=range] >> nth=0', 20, ['input']);
    await page.locator(inDemo('[data-panel=drift2d] button:text-is("Play")')).click();
    await d2.evaluate((el, n) => new Promise((ok, bad) => {
      const t0 = performance.now();
      const poll = () => (Number(el.dataset.step) >= n ? ok()
        : performance.now() - t0 > 60000 ? bad(new Error('timeout')) : setTimeout(poll, 50));
      poll();
    }), start.step + steps);
    await page.locator(inDemo('[data-panel=drift2d] button:text-is("Pause")')).click();
    const end = await d2data();
    check(`2D ${label}: distance falls over ${end.step - start.step} steps`, end.dist < 0.5 * start.dist,
      `${start.dist.toPrecision(3)} -> ${end.dist.toPrecision(3)}`);
    return end;
  }
  for (const t of ['checkerboard', '8gaussians']) {
    await setValue(page, '[data-panel=drift2d] select >> nth=0', t, ['change']);
    await train2d(t, 300);
    await shot(page, `drift2d-${t}`, panel('drift2d'));
  }
  // Draw a small ring in the upper right with the mouse (away from where the 8 Gaussians
  // left the generator), then train on it.
  await setValue(page, '[data-panel=drift2d] select >> nth=0', 'draw', ['change']);
  const box = await page.locator(inDemo('.d2-canvas')).boundingBox();
  const cx = box.x + box.width * 0.68, cy = box.y + box.height * 0.32, r = box.width * 0.1;
  await page.mouse.move(cx + r, cy);
  await page.mouse.down();
  for (let k = 1; k <= 48; k++) await page.mouse.move(cx + r * Math.cos(k * Math.PI / 24), cy + r * Math.sin(k * Math.PI / 24));
  await page.mouse.up();
  await page.locator(inDemo('button:text-is("Train on drawing")')).click();
  await train2d('drawn ring', 300);
  await page.locator(inDemo('[data-panel=drift2d] input[type=checkbox]')).check();
  await shot(page, 'drift2d-drawn', panel('drift2d'));

  // ---- 5. your own model: corrupted files are rejected in words ------------------------------
  const upload = page.locator(inDemo('[data-panel=upload] input[type=file]'));
  const uploadMsg = page.locator(inDemo('[data-panel=upload] .msg'));
  const flipped = Buffer.from(modelBin);
  for (let i = 0; i < 64; i++) flipped[(i * 7919) % flipped.length] ^= 0xff;
  await upload.setInputFiles([{ name: 'model.json', mimeType: 'application/json', buffer: modelJson },
    { name: 'model.bin', mimeType: 'application/octet-stream', buffer: flipped }]);
  await uploadMsg.waitFor({ state: 'visible', timeout: 10000 });
  const m1txt = (await uploadMsg.textContent()).trim();
  check('corrupted model.bin: one line naming the file and the failed SHA-256 check',
    /model\.bin/.test(m1txt) && /sha-?256/i.test(m1txt) && !m1txt.includes('\n'), m1txt);
  await shot(page, 'upload-error', panel('upload'));
  await upload.setInputFiles([{ name: 'model.json', mimeType: 'application/json',
    buffer: modelJson.subarray(0, Math.floor(modelJson.length / 2)) },
  { name: 'model.bin', mimeType: 'application/octet-stream', buffer: modelBin }]);
  await page.waitForFunction((prev) => {
    const el = document.querySelector('drift-demo').shadowRoot.querySelector('[data-panel=upload] .msg');
    return !el.hidden && el.textContent.trim() !== prev;
  }, m1txt, { timeout: 10000 });
  const m2txt = (await uploadMsg.textContent()).trim();
  check('truncated model.json: one line naming the file and its JSON problem',
    /model\.json/.test(m2txt) && /JSON/.test(m2txt) && !m2txt.includes('\n'), m2txt);
  // An old model (format version 1, f16) still loads and draws digits, snapshots included.
  await rerender(page, () => upload.setInputFiles([
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(oldModel.manifest)) },
    { name: 'model.bin', mimeType: 'application/octet-stream', buffer: oldModel.bin }]));
  const oldStatus = (await page.locator(inDemo('[data-panel=upload] .status')).textContent()).trim();
  const oldCells = await gridCells(page);
  check('an old version-1 f16 model loads and draws digits', (await uploadMsg.isHidden()) && /^Loaded/.test(oldStatus)
    && oldCells.length >= 10 && oldCells.every((c) => Math.max(...c) - Math.min(...c) > 20), oldStatus);
  // The replay panel takes the model a frame or more after the digits: wait for the card, which
  // comes after it, to show the f16 weights, or the slider below could move the shipped model's.
  const oldCard = await textOnceIncludes(page, panel('metrics'), 'f16');
  check('the model card shows the old model (f16 weights)', oldCard.includes('f16'), oldCard.slice(0, 120));
  const oldFrames = [];
  const oldLast = oldModel.manifest.snapshots.length;
  for (const v of [oldLast, 0]) {
    await setValue(page, '[data-panel=replay] input[type=range]', v, ['input']);
    await page.waitForFunction((f) => document.querySelector('drift-demo').shadowRoot
      .querySelector('.replay-canvas').dataset.frame === String(f), v);
    oldFrames.push(await replayKey());
  }
  check('the old model replays its snapshots from model.bin', oldFrames[0].split(':')[1] !== oldFrames[1].split(':')[1]
    && (await page.locator(inDemo('[data-panel=replay] .msg')).isHidden()), oldFrames.join(' '));

  // A good model dropped onto the zone (a real drop event with a DataTransfer) after the bad
  // ones still loads, with its snapshot files when it has them, and the digits repaint from it.
  const snapFiles = (JSON.parse(modelJson).snapshots || []).filter((s) => s.bin)
    .map((s) => [s.bin.file, fs.readFileSync(path.join(modelDir, s.bin.file)).toString('base64')]);
  await rerender(page, () => page.locator(inDemo('.dropzone')).evaluate((zone, [j, b, snaps]) => {
    const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes(j)], 'model.json', { type: 'application/json' }));
    dt.items.add(new File([bytes(b)], 'model.bin', { type: 'application/octet-stream' }));
    for (const [name, s] of snaps) dt.items.add(new File([bytes(s)], name, { type: 'application/octet-stream' }));
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [modelJson.toString('base64'), modelBin.toString('base64'), snapFiles]));
  const upStatus = (await page.locator(inDemo('[data-panel=upload] .status')).textContent()).trim();
  check('a valid model dropped after rejected ones loads, with its snapshot files', (await uploadMsg.isHidden())
    && /^Loaded/.test(upStatus) && (!snapFiles.length || upStatus.includes(`+ ${snapFiles.length} snapshot files`)), upStatus);
  await page.waitForFunction(() => document.querySelector('drift-demo').shadowRoot
    .querySelector('[data-panel=replay]').dataset.snapshots === 'loaded', null, { timeout: 10000 })
    .then(() => check('replay works from the dropped snapshot files', true),
      () => check('replay works from the dropped snapshot files', false));
  check('no console errors', page.errors.length === 0, page.errors.slice(0, 3).join(' | '));
  check('no console warnings (e.g. unused preloads)', page.warnings.length === 0, page.warnings.slice(0, 3).join(' | '));
  check('no request left the origin', page.offOrigin.length === 0, page.offOrigin.slice(0, 3).join(' '));
  await shot(page, 'page-desktop');
  await page.close();
} catch (e) {
  check('desktop run completed', false, e.stack.split('\n').slice(0, 3).join(' '));
}

// ---- 6. a corrupted shipped model: the page explains, other panels still work -----------------
try {
  const page = await openPage();
  await page.route(`**/models/mnist/${binName}*`, async (route) => {
    const body = Buffer.from(modelBin); body[body.length >> 1] ^= 0x55;
    await route.fulfill({ status: 200, contentType: 'application/octet-stream', body });
  });
  await page.goto(server.url);
  const g = page.locator(inDemo('.msg.global'));
  await g.waitFor({ state: 'visible', timeout: 30000 });
  const txt = (await g.textContent()).trim();
  check(`corrupted shipped ${binName}: one line in words naming the file`,
    txt.includes(binName) && /sha256/.test(txt) && !txt.includes('\n'), txt);
  await shot(page, 'model-error');
  await page.locator(panel('drift2d')).scrollIntoViewIfNeeded();
  await page.locator(inDemo('[data-panel=drift2d] select >> nth=0')).and(page.locator(':enabled')).waitFor({ timeout: 30000 });
  await page.locator(inDemo('[data-panel=drift2d] button:text-is("Step")')).click();
  const step = await page.locator(panel('drift2d')).evaluate((el) => Number(el.dataset.step));
  check('2D panel still works after a model error', step === 1, `step ${step}`);
  check('model error: no script errors', page.errors.filter((e) => !/Failed to load resource/.test(e)).length === 0,
    page.errors.slice(0, 3).join(' | '));
  await page.close();
  // A truncated shipped model.json: same, with the JSON problem named.
  const page2 = await openPage();
  await page2.route('**/models/mnist/model.json', (route) => route.fulfill({ status: 200,
    contentType: 'application/json', body: modelJson.subarray(0, modelJson.length >> 1) }));
  await page2.goto(server.url);
  const g2 = page2.locator(inDemo('.msg.global'));
  await g2.waitFor({ state: 'visible', timeout: 30000 });
  const txt2 = (await g2.textContent()).trim();
  check('truncated shipped model.json: error in words', /model\.json/.test(txt2) && /JSON/.test(txt2), txt2);
  const digitsMsg = (await page2.locator(inDemo('[data-panel=digits] .msg')).textContent()).trim();
  check('digits panel explains why it is empty, naming the file', /model\.json/.test(digitsMsg), digitsMsg);
  check('truncated model.json: no script errors', page2.errors.length === 0, page2.errors.slice(0, 3).join(' | '));
  await page2.close();
} catch (e) {
  check('corrupted-model run completed', false, e.stack.split('\n').slice(0, 3).join(' '));
}

// ---- 7. phone width -----------------------------------------------------------------------------
try {
  const page = await openPage({ width: 375, height: 740 });
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelector('drift-demo')?.dataset.firstDigitsMs, null, { timeout: 30000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('phone width (375 px): no horizontal overflow', overflow <= 0, `${overflow} px`);
  await shot(page, 'page-phone');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(100);
  await shot(page, 'page-phone-dark');
  // The 2D panel loads its module once it comes near the viewport: shoot it once it has drawn.
  await page.locator(panel('drift2d')).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('drift-demo').shadowRoot
    .querySelector('[data-panel=drift2d]')?.dataset.distance, null, { timeout: 30000 }).catch(() => {});
  await shot(page, 'drift2d-phone-dark', panel('drift2d'));
  check('phone: no console errors', page.errors.length === 0, page.errors.slice(0, 3).join(' | '));
  await page.close();
} catch (e) {
  check('phone run completed', false, e.stack.split('\n').slice(0, 3).join(' '));
}

// ---- 8. embedding: element in a host page one folder down, and the page in an iframe ---------
try {
  const page = await openPage();
  await page.goto(new URL('embed/element.html', server.url).href);
  await page.waitForFunction(() => document.querySelector('drift-demo')?.dataset.firstDigitsMs
    || document.querySelector('drift-demo')?.dataset.state === 'error', null, { timeout: 30000 });
  const panels = await page.evaluate(() => [...document.querySelector('drift-demo').shadowRoot
    .querySelectorAll('[data-panel]')].map((e) => e.dataset.panel).join(','));
  check('embedded element (relative script, panels attribute) renders digits', panels === 'digits,drift2d', panels);
  check('embedded element: no console errors', page.errors.length === 0, page.errors.slice(0, 3).join(' | '));
  // A page of its own: the previous one may still fetch its lazy modules while it closes.
  const only = await openPage();
  const fetched = [];
  only.on('request', (r) => fetched.push(new URL(r.url()).pathname.split('/').pop()));
  await only.goto(new URL('embed/digits-only.html', server.url).href);
  await only.waitForFunction(() => document.querySelector('drift-demo')?.dataset.firstDigitsMs
    || document.querySelector('drift-demo')?.dataset.state === 'error', null, { timeout: 30000 });
  const state = await only.evaluate(() => document.querySelector('drift-demo').dataset.state);
  await only.waitForTimeout(1000);   // anything fetched lazily would have started by now
  await only.close();
  check('digits-only element: digits, inference module only (drift_toy.*, drift_digits.*, the digit pack, the train panel and snapshot files never fetched)',
    state === 'ready' && fetched.includes('drift_api.wasm')
    && !fetched.some((f) => /^(drift_toy|drift_digits|digits\.pack|train\.js|train-worker\.js)/.test(f) || /\.snapshot-\d+\.bin/.test(f)),
    `state ${state}; fetched ${fetched.filter((f) => /^drift_|\.bin$/.test(f)).join(', ')}`);
  await page.goto(new URL('embed/iframe.html', server.url).href);
  const frame = page.frameLocator('iframe');
  await frame.locator('drift-demo .digit-grid[data-renders]').waitFor({ timeout: 30000 });
  const inner = page.frames().find((f) => f !== page.mainFrame());
  const iframeCells = await gridCells(inner);
  const iframeInk = iframeCells.filter((c) => Math.max(...c) - Math.min(...c) > 20).length;
  check('page inside an iframe renders digits (pixels read in the frame)',
    iframeCells.length >= 10 && iframeInk === iframeCells.length, `${iframeInk}/${iframeCells.length} cells with contrast`);
  await shot(page, 'embed-iframe');
  check('iframe: no console errors', page.errors.length === 0, page.errors.slice(0, 3).join(' | '));
  await page.close();
} catch (e) {
  check('embedding run completed', false, e.stack.split('\n').slice(0, 3).join(' '));
}

await browser.close();
await server.close();
console.log(`${check.failures ? 'FAILED' : 'OK'}: ${TAG} (${server.url}), screenshots in ${SHOTS}`);
process.exit(check.failures ? 1 : 0);
