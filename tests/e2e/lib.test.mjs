// Node test of the page's pure helpers (web/lib): latent noise and slerp for the morph, and
// modelMeta's reading of a manifest as drift-train export writes it. No browser needed.
import assert from 'node:assert/strict';
import { gaussianNoise, slerp, ease } from '../../web/lib/noise.js';
import { modelMeta } from '../../web/lib/meta.js';
import { outputRange, imageShape, drawSample } from '../../web/lib/image.js';
import { readHashState, writeHashState } from '../../web/lib/url-state.js';

let failures = 0;
function test(name, fn) {
  try { fn(); console.log(`PASS ${name}`); } catch (e) { failures++; console.log(`FAIL ${name} — ${e.message}`); }
}

test('gaussianNoise: deterministic per seed, mean ~0, variance ~1', () => {
  const a = gaussianNoise(100, 50, 3), b = gaussianNoise(100, 50, 3), c = gaussianNoise(100, 50, 4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  const v = a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length;
  assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(v - 1) < 0.06, `variance ${v}`);
});

test('slerp: exact endpoints, norm stays between the endpoint norms (no shrink midway)', () => {
  const dim = 64, a = gaussianNoise(4, dim, 1), b = gaussianNoise(4, dim, 2);
  const close = (x, y) => x.every((v, i) => Math.abs(v - y[i]) < 1e-5);
  assert.ok(close(slerp(a, b, 0, dim), a));
  assert.ok(close(slerp(a, b, 1, dim), b));
  const norm = (x, s) => Math.hypot(...x.slice(s, s + dim));
  const mid = slerp(a, b, 0.5, dim);
  for (let s = 0; s < a.length; s += dim) {
    const lo = Math.min(norm(a, s), norm(b, s)), hi = Math.max(norm(a, s), norm(b, s));
    const m = norm(mid, s);
    assert.ok(m > 0.97 * lo && m < 1.03 * hi, `mid norm ${m} outside [${lo}, ${hi}]`);
    // a straight line would shrink to about 0.71 of the norm for orthogonal-ish vectors
    const lin = Math.hypot(...Array.from({ length: dim }, (_, j) => (a[s + j] + b[s + j]) / 2));
    assert.ok(m > lin * 1.2, `slerp ${m} not above lerp ${lin}`);
  }
});

test('ease: 0 -> 0, 1 -> 1, symmetric', () => {
  assert.equal(ease(0), 0);
  assert.equal(ease(1), 1);
  assert.ok(Math.abs(ease(0.3) + ease(0.7) - 1) < 1e-12);
});

test('modelMeta: exporter-style manifest + core info', () => {
  const manifest = {
    format: 'drift-model', version: 1,
    conditioning: { num_classes: 10, latent_dim: 32, alpha_range: [1, 4], alpha_encoding: 'alpha_minus_one' },
    output: { shape: [1, 28, 28], range: [0, 1] },
    training: { dataset: 'mnist', steps: 3000, metrics: { fd: 15.2 } },
    snapshots: [{ name: 'step_00002000', step: 2000 }, { name: 'step_00000500', step: 500 }],
  };
  const info = { num_classes: 10, latent_dim: 32, output_shape: [1, 28, 28], output_range: [0, 1],
    parameters: 1234, alpha_range: [1, 4], snapshots: manifest.snapshots };
  const m = modelMeta({ info }, manifest);
  assert.equal(m.numClasses, 10);
  assert.equal(m.latentDim, 32);
  assert.deepEqual(m.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(m.snapshots.map((s) => s.step), [500, 2000]);
  assert.deepEqual(m.shape, { c: 1, h: 28, w: 28 });
  assert.deepEqual(m.range, [0, 1]);
  assert.deepEqual(m.metrics, { fd: 15.2 });
  assert.equal(m.totalSteps, 3000);
  assert.equal(m.params, 1234);
  assert.deepEqual(m.alphaRange, [1, 4]);
});

test('modelMeta: unconditional model without snapshots or training', () => {
  const m = modelMeta({ info: { num_classes: 0, latent_dim: 8, output_shape: [28, 28], output_range: [-1, 1] } }, {});
  assert.equal(m.numClasses, 0);
  assert.deepEqual(m.classNames, []);
  assert.deepEqual(m.snapshots, []);
  assert.equal(m.metrics, null);
  assert.deepEqual(m.shape, { c: 1, h: 28, w: 28 });
});

test('outputRange / imageShape defaults', () => {
  assert.deepEqual(outputRange({ output: { range: [0, 1] } }), [0, 1]);
  assert.deepEqual(outputRange({}), [-1, 1]);
  assert.deepEqual(imageShape({ output_shape: [3, 32, 32] }), { c: 3, h: 32, w: 32 });
});

const LIM = { classes: 10, alphaMin: 1, alphaMax: 4 };
test('drawSample: a sample lands at its offset in a shared image, grey, clamped; the rest untouched', () => {
  // two 1-channel 2x2 samples in [-1, 1], drawn side by side one pixel apart in a 5x2 image
  const pixels = Float32Array.from([-1, 0, 1, 3,   0.5, -0.5, -2, 1]);
  const img = { width: 5, height: 2, data: new Uint8ClampedArray(5 * 2 * 4) };
  const shape = { c: 1, h: 2, w: 2 };
  drawSample(img, 0, 0, pixels, 0, shape, [-1, 1]);
  drawSample(img, 3, 0, pixels, 1, shape, [-1, 1]);
  const grey = (x, y) => { const o = 4 * (y * 5 + x); return [img.data[o], img.data[o + 1], img.data[o + 2], img.data[o + 3]]; };
  // (v + 1) * 127.5, rounded; 3 and -2 clamp to 255 and 0
  assert.deepEqual(grey(0, 0), [0, 0, 0, 255]);
  assert.deepEqual(grey(1, 0), [128, 128, 128, 255]);
  assert.deepEqual(grey(0, 1), [255, 255, 255, 255]);
  assert.deepEqual(grey(1, 1), [255, 255, 255, 255]);
  assert.deepEqual(grey(3, 0), [191, 191, 191, 255]);
  assert.deepEqual(grey(4, 0), [64, 64, 64, 255]);
  assert.deepEqual(grey(3, 1), [0, 0, 0, 255]);
  assert.deepEqual(grey(4, 1), [255, 255, 255, 255]);
  assert.deepEqual(grey(2, 0), [0, 0, 0, 0]);   // the gap column is left as it was
  assert.deepEqual(grey(2, 1), [0, 0, 0, 0]);
});

test('readHashState: the documented example, any subset, and other keys ignored', () => {
  assert.deepEqual(readHashState('#class=7&alpha=1.5&seed=42', LIM), { cls: '7', alpha: 1.5, seed: 42 });
  assert.deepEqual(readHashState('seed=3', LIM), { seed: 3 });
  assert.deepEqual(readHashState('#class=mixed&x=y', LIM), { cls: 'mixed' });
  assert.deepEqual(readHashState('', LIM), {});
});
test('readHashState: bad values are clamped (alpha) or dropped (class, seed), never thrown', () => {
  assert.deepEqual(readHashState('#class=x&alpha=1e9&seed=-1', LIM), { alpha: 4 });
  assert.deepEqual(readHashState('#class=10&alpha=-3&seed=1.5', LIM), { alpha: 1 });
  assert.deepEqual(readHashState('#class=&alpha=&seed=99999999999', LIM), {});
  assert.deepEqual(readHashState('#alpha=NaN&alpha=2', LIM), {});
  assert.deepEqual(readHashState('#class=3', { ...LIM, classes: 0 }), {});   // unconditional model
  assert.doesNotThrow(() => readHashState('#%E0%A4%A&class=%', LIM));
});
test('writeHashState: sets the three keys, keeps the others, round-trips through readHashState', () => {
  const h = writeHashState('#tab=2&seed=1', { cls: '7', alpha: 1.2500001, seed: 42 });
  const p = new URLSearchParams(h.slice(1));
  assert.equal(p.get('tab'), '2');
  assert.equal(p.get('alpha'), '1.25');
  assert.deepEqual(readHashState(h, LIM), { cls: '7', alpha: 1.25, seed: 42 });
});

console.log(failures ? `FAILED: ${failures}` : 'OK');
process.exit(failures ? 1 : 0);
