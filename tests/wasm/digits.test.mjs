// The digit trainer module (drift_digits.wasm) in node: a corrupt pack is refused with one line
// naming it; a few steps change the samples; the export loads through the inference module
// (drift_api.wasm, packed weights) and draws the trainer's own samples (plain weights) for the
// trainer's seed, which checks both linear paths of the wasm build against each other.
//   node tests/wasm/digits.test.mjs --wasm-dir build/wasm --pack FILE(.gz)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { args, loadCore, check, done, SKIP } from './common.mjs';

const a = args();
const dir = path.join(a['wasm-dir'], 'wasm', 'api');
if (!fs.existsSync(path.join(dir, 'drift_digits.wasm'))) {
  console.log(`SKIP: no drift_digits.wasm under ${dir}`);
  process.exit(SKIP);
}
if (!a.pack || !fs.existsSync(a.pack)) {
  console.log(`SKIP: no digit pack ${a.pack} (scripts/pack-digits.mjs writes one from data/mnist)`);
  process.exit(SKIP);
}
const { default: create } = await import(pathToFileURL(path.resolve(dir, 'drift_digits.js')).href);
const M = await create({ wasmBinary: fs.readFileSync(path.join(dir, 'drift_digits.wasm')) });
const str = (p) => {
  let e = p;
  while (M.HEAPU8[e]) e++;
  return Buffer.from(M.HEAPU8.subarray(p, e)).toString();
};
const lastError = () => str(M._drift_last_error());
const cstr = (s) => {
  const b = Buffer.from(s + '\0');
  const p = M._drift_malloc(b.length);
  M.HEAPU8.set(b, p);
  return p;
};
const setData = (h, bytes, name) => {
  const p = M._drift_malloc(bytes.length);
  M.HEAPU8.set(bytes, p);
  const rc = M._drift_digits_set_data(h, p, bytes.length, cstr(name));
  M._drift_free(p);
  return rc;
};

let pack = fs.readFileSync(a.pack);
if (pack[0] === 0x1f && pack[1] === 0x8b) pack = zlib.gunzipSync(pack);
const seed = 5;
const h = M._drift_digits_create(cstr(''), seed, 0, 0);
check(h > 0, `create: handle ${h}`);
check(M._drift_digits_create(cstr('nope'), 0, 0, 0) === 0 && /unknown arch 'nope'/.test(lastError()),
  `unknown arch refused: "${lastError()}"`);
check(setData(h, pack.subarray(0, pack.length - 1000), 'models/mnist/digits.pack') === -1 &&
  /^models\/mnist\/digits\.pack: truncated digit pack: \d+ bytes, the header says \d+$/.test(lastError()),
  `truncated pack refused: "${lastError()}"`);
const bad = Buffer.from(pack);
bad[pack.length - 3] ^= 1;
check(setData(h, bad, 'digits.pack') === -1 && lastError() === 'digits.pack: corrupt digit pack: checksum mismatch',
  `corrupt pack refused: "${lastError()}"`);
check(M._drift_digits_step(h, 1) === -1 && /no training data/.test(lastError()), 'step without data refused');
check(setData(h, pack, 'digits.pack') === 0, 'the pack loads');

const sample = (pc) => Float32Array.from(M.HEAPF32.subarray(M._drift_digits_sample(h, pc) / 4, M._drift_digits_sample(h, pc) / 4 + 10 * pc * 784));
const s0 = sample(2);
const q0 = M._drift_digits_quality(h);
check(M._drift_digits_step(h, 30) === 0 && M._drift_digits_step_count(h) === 30, '30 steps');
const s1 = sample(2);
let moved = 0;
for (let i = 0; i < s0.length; i++) moved = Math.max(moved, Math.abs(s1[i] - s0[i]));
check(moved > 0.05 && s1.every((v) => v >= 0 && v <= 1), `samples changed (max ${moved.toFixed(3)}) and stay in [0, 1]`);
const q1 = M._drift_digits_quality(h);
check(Number.isFinite(q1) && q1 < q0, `quality proxy fell: ${q0.toFixed(4)} -> ${q1.toFixed(4)}`);

check(M._drift_digits_export(h) === 0, 'export');
const manifest = str(M._drift_digits_export_manifest(h));
const bp = M._drift_digits_export_bin(h), bn = M._drift_digits_export_bin_size(h);
const bin = Uint8Array.from(M.HEAPU8.subarray(bp, bp + bn));
check(JSON.parse(manifest).training.steps === 30, 'manifest records the steps');

const drift = await loadCore(a['wasm-dir']);
const model = await drift.loadModel(new TextEncoder().encode(manifest), bin);
const labels = Int32Array.from({ length: 20 }, (_, i) => Math.floor(i / 2));
const { pixels } = model.generate({ labels, seed });
let diff = 0;
for (let i = 0; i < pixels.length; i++) diff = Math.max(diff, Math.abs(pixels[i] - s1[i]));
check(pixels.length === s1.length && diff < 1e-4,
  `export through drift_api.wasm draws the trainer's samples: max diff ${diff.toExponential(2)}`);
M._drift_digits_free(h);
check(M._drift_digits_step(h, 1) === -1 && /invalid handle/.test(lastError()), 'freed handle refused');
done();
