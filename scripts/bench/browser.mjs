// node scripts/bench/browser.mjs WASM_DIR MODEL_DIR BATCHES SECONDS
// Serves the repository over http on 127.0.0.1 (wasm needs http, not file://), opens
// scripts/bench/browser.html in headless Chromium (playwright-core, /usr/bin/chromium)
// and prints its JSON result. Single-threaded: no COOP/COEP, so tfjs runs without threads.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [wasmDir, modelDir, batches = '1,16,256', seconds = '1'] = process.argv.slice(2);
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html',
                '.json': 'application/json', '.wasm': 'application/wasm' };
const server = createServer(async (req, res) => {
  const p = path.join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!p.startsWith(root)) { res.writeHead(403); res.end(); return; }
  try {
    const body = await readFile(p);
    res.writeHead(200, { 'content-type': types[path.extname(p)] || 'application/octet-stream' });
    res.end(body);
  } catch { res.writeHead(404); res.end(); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const rel = (d) => '/' + path.relative(root, path.resolve(d)).split(path.sep).join('/');
const userDir = mkdtempSync(path.join(os.tmpdir(), 'drift-bench-chromium-'));
const browser = await chromium.launchPersistentContext(userDir, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
let code = 0;
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.error('chromium:', m.text()); });
  const url = `http://127.0.0.1:${server.address().port}/scripts/bench/browser.html?wasm=${rel(wasmDir)}` +
              `&model=${rel(modelDir)}&batches=${batches}&seconds=${seconds}`;
  await page.goto(url);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 300000, polling: 200 });
  const result = await page.evaluate(() => window.benchResult);
  if (result.error) { console.error('browser bench:', result.error); code = 1; }
  else console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
  rmSync(userDir, { recursive: true, force: true });
}
process.exit(code);
