// The digit trainer's step in node: drift_digits.wasm (or --module drift_digits_relaxed, the
// relaxed-SIMD build: node 20 needs --experimental-wasm-relaxed-simd) through its loader, one thread.
//   node scripts/bench/digits_bench.mjs --wasm-dir build/wasm --pack FILE [--steps 50] [--warmup 5]
//        [--arch A] [--module drift_digits]
// Prints one JSON line: {"arch":..,"steps":N,"step_ms":..,"params":..,"module":..} (the shape
// drift-digits bench prints natively).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { hasRelaxedSimd } from '../../web/lib/modules.js';

const opt = { 'wasm-dir': 'build/wasm', pack: '', steps: '50', warmup: '5', arch: '', module: 'drift_digits' };
const a = process.argv.slice(2);
for (let i = 0; i < a.length; i += 2) opt[a[i].replace(/^--/, '')] = a[i + 1];
const wasmName = `${opt.module}.wasm`;
const dir = [path.join(opt['wasm-dir'], 'wasm', 'api'), opt['wasm-dir']].find((d) => fs.existsSync(path.join(d, wasmName)));
if (!dir) {
  console.error(`digits_bench: no ${wasmName} under ${opt['wasm-dir']}`);
  process.exit(1);
}
if (opt.module.endsWith('_relaxed') && !hasRelaxedSimd()) {
  console.error(`digits_bench: ${wasmName}: this node has no relaxed SIMD (node 20: --experimental-wasm-relaxed-simd)`);
  process.exit(1);
}
const { default: create } = await import(pathToFileURL(path.resolve(dir, `${opt.module}.js`)).href);
const M = await create({ wasmBinary: fs.readFileSync(path.join(dir, wasmName)) });
const err = () => {
  const p = M._drift_last_error();
  let e = p;
  while (M.HEAPU8[e]) e++;
  return Buffer.from(M.HEAPU8.subarray(p, e)).toString();
};
const cstr = (s) => {
  const b = Buffer.from(s + '\0');
  const p = M._drift_malloc(b.length);
  M.HEAPU8.set(b, p);
  return p;
};
let bytes = fs.readFileSync(opt.pack);
if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
const h = M._drift_digits_create(cstr(opt.arch), 0, 0, 0);
if (!h) throw new Error(err());
const p = M._drift_malloc(bytes.length);
M.HEAPU8.set(bytes, p);
if (M._drift_digits_set_data(h, p, bytes.length, cstr(opt.pack)) < 0) throw new Error(err());
M._drift_free(p);
const steps = Number(opt.steps), warmup = Number(opt.warmup);
if (M._drift_digits_step(h, warmup) < 0) throw new Error(err());
const t0 = process.hrtime.bigint();
if (M._drift_digits_step(h, steps) < 0) throw new Error(err());
const ms = Number(process.hrtime.bigint() - t0) / 1e6 / steps;
console.log(JSON.stringify({ arch: opt.arch || 'default', steps, step_ms: Number(ms.toFixed(3)),
  params: M._drift_digits_param_count(h), module: wasmName }));
