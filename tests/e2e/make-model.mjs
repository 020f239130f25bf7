// Writes a small random-init drift-model (docs/weights-format.md) for the e2e tests, used
// while no trained model is shipped under web/models, and as an old-format (version 1, f16)
// model and a corrupt int8 one for the loader tests. Written here from the spec, not by the
// project's writer, so the reader is checked against a second reading of the spec. Not a
// trained model: its digits are structured noise, but they depend on noise, class, α and
// snapshot, which is what the page tests check.
//   node tests/e2e/make-model.mjs OUT_DIR [--dtype f32|f16|int8] [--snapshot-files] [--corrupt]
// Version 1 (f32, f16, snapshots in model.bin) unless int8 or --snapshot-files need version 2.
// --corrupt flips one byte of model.bin after its SHA-256 is written.
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

// IEEE binary16 bits of a float, round to nearest even (the values here are far from the
// subnormal and overflow ranges, which are not handled).
function f16bits(x) {
  const f = new Float32Array([x]), u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000, e = ((u >>> 23) & 0xff) - 127 + 15;
  if (e <= 0) return sign;
  let m = u & 0x7fffff, h = sign | (e << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return h;
}

// The bytes of one tensor in `dtype`: int8 is rows (shape[0]) f32 scales, max|row|/127, then
// round(v / scale) row by row; biases (rank 1) stay f16, as the spec's writer does.
function encodeTensor(arr, shape, dtype) {
  if (dtype === 'int8' && shape.length < 2) dtype = 'f16';
  if (dtype === 'f32') return [Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength), 'f32'];
  if (dtype === 'f16') {
    const b = Buffer.alloc(arr.length * 2);
    arr.forEach((x, i) => b.writeUInt16LE(f16bits(x), 2 * i));
    return [b, 'f16'];
  }
  const rows = shape[0], per = arr.length / rows, b = Buffer.alloc(4 * rows + arr.length);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let k = 0; k < per; k++) m = Math.max(m, Math.abs(arr[r * per + k]));
    const scale = Math.fround(m / 127);
    b.writeFloatLE(scale, 4 * r);
    for (let k = 0; k < per; k++) b.writeInt8(scale ? Math.max(-127, Math.min(127, Math.round(arr[r * per + k] / scale))) : 0, 4 * rows + r * per + k);
  }
  return [b, 'int8'];
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');

export function makeModel(outDir, { dtype = 'f32', snapshotFiles = false, corrupt = false } = {}) {
  const final = weights(7, 2.0);
  // Snapshots drift from a different random start toward the final weights.
  const steps = [0, 250, 500, 1000];
  const snaps = steps.map((step, k) => {
    const start = weights(100 + k, 2.0);
    const t = k / steps.length;
    return start.map((w, i) => w.map((x, j) => (1 - t) * x + t * final[i][j]));
  });
  // entries(set, chunks) -> tensor entries, appending each tensor's bytes (4-byte aligned)
  const entries = (set, chunks) => set.map((arr, i) => {
    const pad = (4 - (chunks.bytes % 4)) % 4;
    if (pad) { chunks.push(Buffer.alloc(pad)); chunks.bytes += pad; }
    const [buf, dt] = encodeTensor(arr, TENSORS[i][1], dtype);
    const e = { name: TENSORS[i][0], shape: TENSORS[i][1], dtype: dt, offset: chunks.bytes, length: buf.length };
    chunks.push(buf);
    chunks.bytes += buf.length;
    return e;
  });
  const main = Object.assign([], { bytes: 0 });
  const tensors = entries(final, main);
  const files = {};   // snapshot file name -> bytes
  const snapshots = snaps.map((s, k) => {
    const name = `step_${String(steps[k]).padStart(8, '0')}`;
    if (!snapshotFiles) return { name, step: steps[k], tensors: entries(s, main) };
    const own = Object.assign([], { bytes: 0 });
    const t = entries(s, own);
    const b = Buffer.concat(own), file = `model.snapshot-${k + 1}.bin`;
    files[file] = b;
    return { name, step: steps[k], tensors: t, bin: { file, bytes: b.length, sha256: sha256(b) } };
  });
  const bin = Buffer.concat(main);
  const manifest = {
    format: 'drift-model', version: dtype === 'int8' || snapshotFiles ? 2 : 1,
    conditioning: { num_classes: CLASSES, latent_dim: LATENT, alpha_range: [1, 4],
      alpha_encoding: 'alpha_minus_one' },
    output: { shape: [1, 28, 28], range: [-1, 1] },
    architecture: { layers: LAYERS },
    tensors,
    bin: { file: 'model.bin', bytes: bin.length, sha256: sha256(bin) },
    training: { dataset: 'none (random-init e2e test model)', steps: 2000,
      metrics: { fd: 123.4, accuracy: 0.1 } },
    snapshots,
  };
  if (corrupt) bin[bin.length >> 1] ^= 0x55;
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'model.bin'), bin);
  for (const [file, b] of Object.entries(files)) fs.writeFileSync(path.join(outDir, file), b);
  fs.writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(manifest, null, 1));
  return { manifest, bin };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] || 'build/e2e-model';
  const flag = (f) => process.argv.includes(f);
  const dt = process.argv.indexOf('--dtype');
  const { bin } = makeModel(out, { dtype: dt > 0 ? process.argv[dt + 1] : 'f32',
    snapshotFiles: flag('--snapshot-files'), corrupt: flag('--corrupt') });
  console.log(`${out}/model.json + model.bin (${bin.length} bytes)`);
}
