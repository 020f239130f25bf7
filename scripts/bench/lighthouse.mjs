// scripts/bench-lighthouse.sh's work: serve the site, run the Lighthouse CLI `runs` times in
// Debian's Chromium, print the median of each figure with its range, write the JSON.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { startServer } from '../../tests/e2e/server.mjs';

const [site, page, runsArg, out] = process.argv.slice(2);
const runs = Math.max(1, Number(runsArg) || 1);
const server = await startServer({ root: path.resolve(site) });
const url = new URL(page === 'index.html' ? '' : page, server.url).href;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-lh-'));
const version = JSON.parse(fs.readFileSync('node_modules/lighthouse/package.json', 'utf8')).version;
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const results = [];
try {
  for (let r = 0; r < runs; r++) {
    const file = path.join(tmp, `run${r}.json`);
    // Asynchronous: the static server runs in this process, so a synchronous child would
    // block it and Lighthouse would wait forever for the page.
    await new Promise((ok, bad) => {
      const child = execFile(process.execPath, ['node_modules/lighthouse/cli/index.js', url, '--quiet',
        '--output=json', `--output-path=${file}`, '--only-categories=performance,accessibility,best-practices',
        '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage'],
      { env: { ...process.env, CHROME_PATH: chromium } }, (err) => (err ? bad(err) : ok()));
      child.stderr.pipe(process.stderr);
    });
    const lhr = JSON.parse(fs.readFileSync(file, 'utf8'));
    const a = lhr.audits;
    results.push({
      performance: Math.round(100 * lhr.categories.performance.score),
      accessibility: Math.round(100 * lhr.categories.accessibility.score),
      best_practices: Math.round(100 * lhr.categories['best-practices'].score),
      total_blocking_time_ms: Math.round(a['total-blocking-time'].numericValue),
      largest_contentful_paint_ms: Math.round(a['largest-contentful-paint'].numericValue),
      first_contentful_paint_ms: Math.round(a['first-contentful-paint'].numericValue),
      cumulative_layout_shift: Number(a['cumulative-layout-shift'].numericValue.toFixed(3)),
      failed_a11y_audits: Object.values(lhr.categories.accessibility.auditRefs)
        .filter((ref) => a[ref.id] && a[ref.id].score === 0).map((ref) => ref.id),
    });
  }
} finally {
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
const median = (xs) => { const s = [...xs].sort((p, q) => p - q); return s[Math.floor((s.length - 1) / 2)]; };
const keys = ['performance', 'accessibility', 'best_practices', 'total_blocking_time_ms',
  'largest_contentful_paint_ms', 'first_contentful_paint_ms', 'cumulative_layout_shift'];
const summary = Object.fromEntries(keys.map((k) => [k, { median: median(results.map((x) => x[k])),
  min: Math.min(...results.map((x) => x[k])), max: Math.max(...results.map((x) => x[k])) }]));
console.log(`Lighthouse ${version}, mobile preset, ${page}, ${runs} run(s), ${path.basename(chromium)}`);
console.log('| figure | median | range |');
console.log('|---|---:|---|');
for (const k of keys) console.log(`| ${k} | ${summary[k].median} | ${summary[k].min}–${summary[k].max} |`);
const failed = [...new Set(results.flatMap((x) => x.failed_a11y_audits))];
if (failed.length) console.log(`accessibility audits failed in some run: ${failed.join(', ')}`);
fs.mkdirSync(path.dirname(out), { recursive: true });
const tmpOut = `${out}.tmp`;
fs.writeFileSync(tmpOut, JSON.stringify({ lighthouse: version, preset: 'mobile (default)', page, runs: results, summary }, null, 2));
fs.renameSync(tmpOut, out);
console.log(`JSON: ${out}`);
