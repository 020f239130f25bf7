// Measurement, not a test: the train panel as a reader runs it, in headless Chromium (Debian's,
// through playwright-core) on this machine: one Web Worker trains; at 15, 30, 60 and 120 s of
// training (the panel's own clock) the Download button saves the model, then
// build/native/bin/drift-digit-eval scores each download with the project's classifier
// (data/mnist/classifier.pt): conditional accuracy, FD and FD over the real-vs-real floor.
// The grid is saved at 0 s and at each of those times (OUT/train-grid-<t>s.png).
// Prints a table and writes JSON. scripts/bench-train-browser.sh runs it on a quiet machine.
//   node scripts/bench/train-browser.mjs [--site build/site] [--out build/bench-train-browser]
//     [--times 15,30,60,120] [--eval build/native/bin/drift-digit-eval] [--n 2000] [--release FILE]
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer } from '../../tests/e2e/server.mjs';
import { REPO, parseArgs, launchBrowser, inDemo, panel } from '../../tests/e2e/helpers.mjs';

const args = parseArgs(process.argv.slice(2));
const SITE = path.resolve(REPO, args.site || 'build/site');
const OUT = path.resolve(REPO, args.out || 'build/bench-train-browser');
const TIMES = (args.times || '15,30,60,120').split(',').map(Number);
const EVAL = path.resolve(REPO, args.eval || 'build/native/bin/drift-digit-eval');
const N = args.n || '2000';

for (const f of [path.join(SITE, 'models/mnist/digits.pack.gz'), path.join(SITE, 'drift_digits.wasm'), EVAL]) {
  if (!fs.existsSync(f)) { console.error(`${f}: missing (scripts/build-site.sh; cmake --build build/native --target drift-digit-eval)`); process.exit(1); }
}
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(path.join(OUT, 'embed'), { recursive: true });
fs.writeFileSync(path.join(OUT, 'embed/train.html'), `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>bench</title><link rel="icon" href="data:,"></head><body>
<script type="module" src="../drift-demo.js"></script>
<drift-demo model="../models/mnist/model.json" panels="train"></drift-demo></body></html>`);

const server = await startServer({ root: SITE, overlays: { 'embed/': path.join(OUT, 'embed') } });
const browser = await launchBrowser({ acceptDownloads: true });
const rows = [];
let chromium = '';
try {
  const page = await browser.newPage();
  chromium = browser.browser()?.version() || '';
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(new URL('embed/train.html', server.url).href);
  await page.locator(inDemo('[data-panel=train] button:text-is("Train")')).click();
  const state = () => page.locator(panel('train')).evaluate((el) => ({ state: el.dataset.state, elapsed: Number(el.dataset.elapsed || 0) }));
  // The grid at each time too (README's sequence): it shows what the accuracy column measures.
  const grid = page.locator(inDemo('[data-panel=train] .train-grid'));
  await page.waitForFunction(() => Number(document.querySelector('drift-demo').shadowRoot
    .querySelector('.train-grid').dataset.frames || 0) > 0, null, { timeout: 120000 });
  await grid.screenshot({ path: path.join(OUT, 'train-grid-0s.png') });
  for (const t of TIMES) {
    await page.waitForFunction((ms) => {
      const el = document.querySelector('drift-demo').shadowRoot.querySelector('[data-panel=train]');
      if (el.dataset.state === 'error') throw new Error(el.querySelector('.msg').textContent);
      return Number(el.dataset.elapsed || 0) >= ms;
    }, t * 1000, { timeout: (t + 120) * 1000, polling: 50 });
    await grid.screenshot({ path: path.join(OUT, `train-grid-${t}s.png`) });
    const dir = path.join(OUT, `${t}s`);
    fs.mkdirSync(dir, { recursive: true });
    const downloads = [];
    const both = new Promise((ok) => {
      const on = (d) => { downloads.push(d); if (downloads.length === 2) { page.off('download', on); ok(); } };
      page.on('download', on);
    });
    await page.locator(inDemo('[data-panel=train] button:text-is("Download model")')).click();
    await both;
    for (const d of downloads) await d.saveAs(path.join(dir, d.suggestedFilename()));
    const tr = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).training;
    rows.push({ seconds: t, steps: tr.steps, trained_s: tr.wall_time_s, dir });
    console.log(`  ${t} s: step ${tr.steps} (training clock ${tr.wall_time_s} s; ${(await state()).state})`);
  }
  if (errors.length) throw new Error(errors[0]);
} finally {
  await browser.close();
  await server.close();
}

// The eval runs after the browser has closed, so it never competes with the training; the
// quiet flag (--release, from bench-train-browser.sh) is lifted first: the eval is not timed.
if (args.release) fs.rmSync(args.release, { force: true });
const lines = execFileSync(EVAL, ['--data-dir', path.join(REPO, 'data'), '--n', N,
  ...rows.map((r) => path.join(r.dir, 'model.json'))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  .trim().split('\n').map((l) => JSON.parse(l));
rows.forEach((r, i) => Object.assign(r, { accuracy: lines[i].accuracy, fd: lines[i].fd, fd_over_floor: lines[i].fd_over_floor, recall: lines[i].recall }));

console.log(`\nIn-browser training (headless Chromium ${chromium}, one Web Worker, this machine); eval: drift-digit-eval, n=${N} per model, α=1`);
console.log('| seconds | steps | accuracy | FD | FD/floor | recall |');
console.log('|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.seconds} | ${r.steps} | ${(100 * r.accuracy).toFixed(1)}% | ${r.fd.toFixed(2)} | ${r.fd_over_floor.toFixed(2)} | ${r.recall.toFixed(3)} |`);
}
const json = { chromium, n: Number(N), rows: rows.map(({ dir, ...r }) => ({ ...r, model: path.relative(REPO, path.join(dir, 'model.json')) })) };
fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(json, null, 1) + '\n');
console.log(JSON.stringify(json));
