// The relaxed-SIMD digit trainer (drift_digits_relaxed.wasm) against the simd128 one
// (drift_digits.wasm): the same trainer, seed and pack, stepped side by side.
//   node --experimental-wasm-relaxed-simd tests/wasm/digits_relaxed.test.mjs --wasm-dir build/wasm --pack FILE(.gz)
// The two differ only in the GEMM's multiply-add, fused (one rounding) or not (two): float32
// rounding, ~1e-7 relative per operation. Measured here (AMD EPYC, node 20, packs of 2,000 and
// 10,500 digits): the loss agrees to <= 1.1e-6 relative per step and the samples to <= 4.2e-7
// after 20 steps (untrained: 6e-8). The bounds below (1e-4) leave
// room for other CPUs and compilers, yet sit far below what training moves: 20 steps move the
// samples by ~0.5, and a wrong kernel (operands swapped, a lost accumulate) by far more than 1e-4.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { args, check, done, SKIP } from './common.mjs';
import { hasRelaxedSimd } from '../../web/lib/modules.js';

const a = args();
const dir = path.join(a['wasm-dir'], 'wasm', 'api');
const files = ['drift_digits', 'drift_digits_relaxed'].map((m) => path.join(dir, `${m}.wasm`));
for (const f of files) {
  if (!fs.existsSync(f)) {
    console.log(`SKIP: no ${f} (build the wasm preset first)`);
    process.exit(SKIP);
  }
}
if (!a.pack || !fs.existsSync(a.pack)) {
  console.log(`SKIP: no digit pack ${a.pack} (scripts/pack-digits.mjs writes one from data/mnist)`);
  process.exit(SKIP);
}
const [simdBytes, relaxedBytes] = files.map((f) => fs.readFileSync(f));
check(hasRelaxedSimd(), 'this node validates f32x4.relaxed_madd (run it with --experimental-wasm-relaxed-simd)');
if (!hasRelaxedSimd()) done();

// Without relaxed SIMD (node 20 without the flag) the relaxed module must not validate, the
// simd128 one must: the relaxed build really uses relaxed SIMD, the other does not need it.
const probe = `import(${JSON.stringify(new URL('../../web/lib/modules.js', import.meta.url).href)}).then((m) => {
  const fs = require('node:fs');
  console.log(JSON.stringify([m.hasRelaxedSimd(), ...process.argv.slice(1).map((f) => WebAssembly.validate(fs.readFileSync(f)))]));
})`;
const [plainHas, simdOk, relaxedOk] = JSON.parse(execFileSync(process.execPath, ['-e', probe, ...files], { encoding: 'utf8' }));
if (plainHas) {
  console.log('note: this node has relaxed SIMD without a flag; the validation check needs one without');
} else {
  check(simdOk && !relaxedOk, `without relaxed SIMD: drift_digits.wasm validates (${simdOk}), drift_digits_relaxed.wasm does not (${relaxedOk})`);
}

let pack = fs.readFileSync(a.pack);
if (pack[0] === 0x1f && pack[1] === 0x8b) pack = zlib.gunzipSync(pack);
const { default: create } = await import(pathToFileURL(path.resolve(dir, 'drift_digits.js')).href);
async function trainer(bytes) {
  const M = await create({ wasmBinary: bytes });
  const put = (b) => {
    const p = M._drift_malloc(b.length);
    M.HEAPU8.set(b, p);
    return p;
  };
  const h = M._drift_digits_create(put(Buffer.from('\0')), 11, 0, 0);
  if (!h || M._drift_digits_set_data(h, put(pack), pack.length, put(Buffer.from('digits.pack\0'))) !== 0) {
    throw new Error('digit trainer: create or set_data failed');
  }
  return {
    step: () => M._drift_digits_step(h, 1),
    loss: () => M._drift_digits_loss(h),
    sample: () => {
      const p = M._drift_digits_sample(h, 3) / 4;
      return Float32Array.from(M.HEAPF32.subarray(p, p + 30 * 784));
    },
  };
}
const maxDiff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
const A = await trainer(simdBytes), B = await trainer(relaxedBytes);
const first = A.sample();
console.log(`untrained samples: max diff ${maxDiff(first, B.sample()).toExponential(2)} (0 where the CPU has no FMA)`);
const STEPS = 20;
let worstLoss = 0, ok = true;
for (let s = 0; s < STEPS; s++) {
  ok = ok && A.step() === 0 && B.step() === 0;
  const la = A.loss(), lb = B.loss();
  worstLoss = Math.max(worstLoss, Number.isFinite(la) && Number.isFinite(lb) ? Math.abs(la - lb) / Math.abs(la) : Infinity);
}
check(ok, `${STEPS} steps in both modules`);
check(worstLoss <= 1e-4, `loss per step agrees: worst relative difference ${worstLoss.toExponential(2)} <= 1e-4`);
const sa = A.sample(), sb = B.sample();
const moved = maxDiff(first, sa), diff = maxDiff(sa, sb);
check(moved > 0.05, `training moved the samples (max ${moved.toFixed(3)})`);
check(diff <= 1e-4, `samples after ${STEPS} steps agree: max diff ${diff.toExponential(2)} <= 1e-4`);
done();
