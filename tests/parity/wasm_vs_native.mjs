// node wasm_vs_native.mjs WASM_API_DIR MODEL_DIR NATIVE_NPY SEED LABELS ALPHA
// Runs the wasm module's drift_generate with the seeded noise stream and compares it with
// drift-infer's output for the same seed/labels/alpha (the native Eigen build).
// Exit 0 if max|wasm - native| / max|native| <= 1e-5, else 1. Also checks that broken inputs
// (truncated manifest, flipped bin byte) are rejected with the core's one-line message in
// wasm, where C++ exceptions are disabled: errors must come back as strings, not aborts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, modelDir, npyPath, seed, labelArg, alpha] = process.argv.slice(2);
const { default: create } = await import(pathToFileURL(path.resolve(dir, 'drift_api.js')).href);
const M = await create({ wasmBinary: readFileSync(path.join(dir, 'drift_api.wasm')) });
const man = new TextEncoder().encode(readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
const bin = new Uint8Array(readFileSync(path.join(modelDir, 'model.bin')));
const mp = M._drift_malloc(man.length), bp = M._drift_malloc(bin.length);
M.HEAPU8.set(man, mp);
M.HEAPU8.set(bin, bp);
const h = M._drift_model_load(mp, man.length, bp, bin.length);
if (!h) throw new Error('drift_model_load failed');
const cstr = (p) => { let e = p; while (M.HEAPU8[e]) e++; return new TextDecoder().decode(M.HEAPU8.slice(p, e)); };
const expectError = (manLen, flip, want) => {
  if (flip) M.HEAPU8[bp + 7] ^= 1;
  const bad = M._drift_model_load(mp, manLen, bp, bin.length);
  if (flip) M.HEAPU8[bp + 7] ^= 1;
  const msg = cstr(M._drift_last_error());
  if (bad || !msg.startsWith(want) || msg.includes('\n')) {
    console.log(`expected an error starting with "${want}", got handle ${bad}: "${msg}"`);
    process.exit(1);
  }
};
expectError(man.length - 5, false, 'model.json: not valid JSON: ');
expectError(man.length, true, 'model.json: model.bin: sha256 ');
const labels = labelArg.split(',').map(Number), n = labels.length, osz = M._drift_model_output_size(h);
const lp = M._drift_malloc(4 * n), op = M._drift_malloc(4 * n * osz);
M.HEAP32.set(labels, lp >> 2);
if (M._drift_generate(h, n, lp, Number(alpha), Number(seed) >>> 0, 0, 0, 0, op) !== 0) throw new Error('drift_generate failed');
const wasm = M.HEAPF32.slice(op >> 2, (op >> 2) + n * osz);
const npy = readFileSync(npyPath);  // drift_io writes .npy v1: 10-byte preamble + header
const hl = npy.readUInt16LE(8);
const nat = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + hl, npy.byteOffset + npy.length));
if (nat.length !== wasm.length) throw new Error(`sizes differ: native ${nat.length}, wasm ${wasm.length}`);
let diff = 0, scale = 0;
for (let i = 0; i < wasm.length; i++) {
  diff = Math.max(diff, Math.abs(wasm[i] - nat[i]));
  scale = Math.max(scale, Math.abs(nat[i]));
}
const rel = diff / scale;
console.log(`${modelDir}: wasm vs native max rel ${rel.toExponential(2)} over ${wasm.length} values`);
process.exit(rel <= 1e-5 ? 0 : 1);
