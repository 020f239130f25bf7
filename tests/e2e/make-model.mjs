// Writes a small random-init drift-model (docs/weights-format.md) for the e2e tests, used
// only while no trained model is shipped under web/models. Not a trained model: its digits
// are structured noise, but they depend on noise, class, α and snapshot, which is what the
// page tests check.
//   node tests/e2e/make-model.mjs OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { gaussianNoise } from '../../web/lib/noise.js';   // the page's own N(0,1) source

const LATENT = 16, CLASSES = 10, HIDDEN = 64, OUT = 28 * 28;

// layer list: [name, shape] of every tensor, PyTorch layout
const IN = LATENT + CLASSES + 1;
const TENSORS = [
  ['net.0.weight', [HIDDEN, IN]], ['net.0.bias', [HIDDEN]],
  ['net.2.weight', [HIDDEN, HIDDEN]], ['net.2.bias', [HIDDEN]],
  ['net.4.weight', [OUT, HIDDEN]], ['net.4.bias', [OUT]],
];
const LAYERS = [
  { type: 'linear', in: IN, out: HIDDEN, weight: 'net.0.weight', bias: 'net.0.bias' },
  { type: 'silu' },
  { type: 'linear', in: HIDDEN, out: HIDDEN, weight: 'net.2.weight', bias: 'net.2.bias' },
  { type: 'silu' },
  { type: 'linear', in: HIDDEN, out: OUT, weight: 'net.4.weight', bias: 'net.4.bias' },
  { type: 'tanh' },
];

// weights(seed, gain) -> Float32Array per tensor: N(0, gain²/fan_in) weights, small biases.
function weights(seed, gain) {
  return TENSORS.map(([name, shape], k) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const fanIn = shape.length > 1 ? shape[1] : 1;
    const sd = shape.length > 1 ? gain / Math.sqrt(fanIn) : 0.3;
    return gaussianNoise(n, 1, seed * TENSORS.length + k).map((x) => x * sd);   // a stream per tensor
  });
}

export function makeModel(outDir) {
  const final = weights(7, 2.0);
  // Snapshots drift from a different random start toward the final weights.
  const steps = [0, 250, 500, 1000];
  const snaps = steps.map((step, k) => {
    const start = weights(100 + k, 2.0);
    const t = k / steps.length;
    return start.map((w, i) => w.map((x, j) => (1 - t) * x + t * final[i][j]));
  });
  const chunks = [];
  let offset = 0;
  const entries = (set) => set.map((arr, i) => {
    const buf = Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
    chunks.push(buf);
    const e = { name: TENSORS[i][0], shape: TENSORS[i][1], dtype: 'f32', offset, length: buf.length };
    offset += buf.length;
    return e;
  });
  const tensors = entries(final);
  const snapshots = snaps.map((s, k) => ({ name: `step_${String(steps[k]).padStart(8, '0')}`,
    step: steps[k], tensors: entries(s) }));
  const bin = Buffer.concat(chunks);
  const manifest = {
    format: 'drift-model', version: 1,
    conditioning: { num_classes: CLASSES, latent_dim: LATENT, alpha_range: [1, 4],
      alpha_encoding: 'alpha_minus_one' },
    output: { shape: [1, 28, 28], range: [-1, 1] },
    architecture: { layers: LAYERS },
    tensors,
    bin: { file: 'model.bin', bytes: bin.length, sha256: crypto.createHash('sha256').update(bin).digest('hex') },
    training: { dataset: 'none (random-init e2e test model)', steps: 2000,
      metrics: { fd: 123.4, accuracy: 0.1 } },
    snapshots,
  };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'model.bin'), bin);
  fs.writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(manifest, null, 1));
  return { manifest, bin };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] || 'build/e2e-model';
  const { bin } = makeModel(out);
  console.log(`${out}/model.json + model.bin (${bin.length} bytes)`);
}
