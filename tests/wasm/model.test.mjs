// The wasm module, through web/drift.js, against the native core on the same model, noise,
// labels, α and snapshot (written by drift_wasm_fixture), and the same error lines for
// broken files.   node model.test.mjs --wasm-dir build/wasm --fixture DIR
import fs from 'node:fs';
import path from 'node:path';
import { args, loadCore, check, done } from './common.mjs';

const a = args();
const drift = await loadCore(a['wasm-dir']);
const fx = a.fixture;
const expected = JSON.parse(fs.readFileSync(path.join(fx, 'expected.json'), 'utf8'));
const f32 = (name) => { const b = fs.readFileSync(path.join(fx, name)); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };

for (const m of expected.models) {
  const manifest = fs.readFileSync(path.join(fx, m.manifest));
  const bin = fs.readFileSync(path.join(fx, m.bin));
  const model = await drift.loadModel(manifest, bin);
  check(model.info.parameters === m.parameters, `${m.manifest}: info.parameters ${model.info.parameters} == native ${m.parameters}`);
  check(model.info.snapshots.length === 1 && model.info.snapshots[0].name === 'step_00000010' && model.info.snapshots[0].step === 10,
    `${m.manifest}: info.snapshots lists step_00000010 (step 10)`);
  for (const c of m.cases) {
    const want = f32(`${c.name}.f32`);
    const opts = { labels: Int32Array.from(c.labels), alpha: c.alpha, seed: BigInt(c.seed) };
    if (c.noise) opts.noise = f32(`${c.name}.noise.f32`);
    if (c.snapshot) opts.snapshot = c.snapshot;
    const { pixels, ms } = model.generate(opts);
    let maxAbs = 0, maxDiff = 0;
    for (let i = 0; i < want.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(want[i]));
      maxDiff = Math.max(maxDiff, Math.abs(want[i] - pixels[i]));
    }
    const rel = maxDiff / maxAbs;
    check(pixels.length === want.length && rel <= 1e-5 && ms >= 0,
      `${c.name}: wasm vs native max rel diff ${rel.toExponential(2)} <= 1e-5 (${pixels.length} values)`);
  }
  // A different seed must give different outputs (the seed really reaches the core).
  const c0 = m.cases[0];
  const other = model.generate({ labels: Int32Array.from(c0.labels), alpha: c0.alpha, seed: 1 }).pixels;
  const base = f32(`${c0.name}.f32`);
  check(other.some((v, i) => Math.abs(v - base[i]) > 1e-4), `${m.manifest}: another seed gives other samples`);
  let msg = '';
  try { model.generate({ labels: [0], snapshot: 'nope' }); } catch (e) { msg = e.message; }
  check(/unknown snapshot 'nope'/.test(msg), `unknown snapshot rejected: "${msg}"`);
  model.dispose();
  msg = '';
  try { model.generate({ labels: [0] }); } catch (e) { msg = e.message; }
  check(/disposed/.test(msg), `generate after dispose rejected: "${msg}"`);
}

for (const b of expected.corrupt) {
  let msg = null;
  try {
    await drift.loadModel(fs.readFileSync(path.join(fx, `${b.name}.json`)), fs.readFileSync(path.join(fx, `${b.name}.bin`)));
  } catch (e) { msg = e.message; }
  check(msg === b.error, `${b.name}: wasm error "${msg}" == native "${b.error}"`);
}
// The module is still usable after all the rejected files.
const ok = await drift.loadModel(fs.readFileSync(path.join(fx, expected.models[0].manifest)),
  fs.readFileSync(path.join(fx, expected.models[0].bin)));
check(ok.info.num_classes === 3, 'a good model still loads after the rejected ones');

// Toy trainer: same config, same points as the native core (0 and 5 steps).
const tc = expected.toy;
const toy = drift.createToyTrainer({ target: tc.target, init: tc.init, n: tc.n, seed: tc.seed, tau: tc.tau, lr: tc.lr, hidden: tc.hidden });
for (const [k, file] of [[0, 'toy_step0.f32'], [5, 'toy_step5.f32']]) {
  if (k) toy.step(k);
  const want = f32(file), got = toy.generated();
  let maxAbs = 0, maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(want[i]));
    maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
  }
  check(got.length === want.length && maxDiff / maxAbs <= 1e-4,
    `toy trainer after ${k} steps: wasm vs native max rel diff ${(maxDiff / maxAbs).toExponential(2)} <= 1e-4`);
}
check(Math.abs(toy.distance() - tc.distance5) <= 1e-3 * Math.max(1, tc.distance5),
  `toy distance after 5 steps: wasm ${toy.distance().toFixed(5)} vs native ${tc.distance5.toFixed(5)}`);
done();
