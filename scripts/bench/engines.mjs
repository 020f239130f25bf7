// Bench engines shared by node (node_bench.mjs) and Chromium (browser.html): the drift wasm
// core through its C API, and the same MLP built from model.json in tfjs (wasm backend).
// Both take the same noise/labels per call and leave [n, 784] floats readable from JS.

// Deterministic inputs so every engine sees the same batch.
export function makeInputs(n, latent, classes) {
  const noise = new Float32Array(n * latent);
  let s = 12345;
  for (let i = 0; i < noise.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    noise[i] = (s / 4294967296) * 2 - 1;
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = classes ? i % classes : 0;
  return { noise, labels };
}

// Runs fn() repeatedly for `seconds` (at least 3 calls) after a warm-up of at least 0.3 s,
// so V8 has tiered the wasm up from its baseline compiler before timing starts. In node the
// clock is the process's CPU time (robust on a shared, loaded machine); browsers have no CPU
// clock, so Chromium runs use wall time.
const cpuClock = typeof process === 'object' && typeof process.cpuUsage === 'function';
const now = cpuClock ? () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; }
                     : () => performance.now();
export const clockName = cpuClock ? 'cpu' : 'wall';
function timeIt(fn, seconds) {
  const w0 = performance.now();
  do fn(); while (performance.now() - w0 < 300);
  let calls = 0;
  const t0 = now();
  let el = 0;
  do {
    fn();
    calls++;
    el = (now() - t0) / 1000;
  } while (el < seconds || calls < 3);
  return { calls, seconds: el };
}

export async function benchDriftWasm(createModule, wasmBytes, manifestText, binBytes, batches, seconds, alpha = 2) {
  const M = await createModule({ wasmBinary: wasmBytes });
  const enc = new TextEncoder().encode(manifestText);
  const mp = M._drift_malloc(enc.length), bp = M._drift_malloc(binBytes.length);
  M.HEAPU8.set(enc, mp);
  M.HEAPU8.set(binBytes, bp);
  const model = M._drift_model_load(mp, enc.length, bp, binBytes.length);
  if (!model) throw new Error(M.UTF8ToString ? M.UTF8ToString(M._drift_last_error()) : 'drift_model_load failed');
  M._drift_free(mp);
  M._drift_free(bp);
  const latent = M._drift_model_latent_dim(model), osize = M._drift_model_output_size(model);
  const manifest = JSON.parse(manifestText);
  const out = [];
  for (const n of batches) {
    const { noise, labels } = makeInputs(n, latent, manifest.conditioning.num_classes);
    const np = M._drift_malloc(noise.length * 4), lp = M._drift_malloc(n * 4), op = M._drift_malloc(n * osize * 4);
    let checksum = 0;
    const r = timeIt(() => {
      M.HEAPF32.set(noise, np >> 2);  // views are re-read each call: the heap may grow
      M.HEAP32.set(labels, lp >> 2);
      if (M._drift_generate(model, n, lp, alpha, 0, 0, np, 0, op) !== 0) throw new Error('drift_generate failed');
      const o = M.HEAPF32.subarray(op >> 2, (op >> 2) + n * osize);
      checksum = o[0] + o[o.length - 1];
    }, seconds);
    out.push({ batch: n, samples_per_s: (n * r.calls) / r.seconds, calls: r.calls, clock: clockName, checksum });
    M._drift_free(np); M._drift_free(lp); M._drift_free(op);
  }
  return out;
}

// The manifest's layer stack in tfjs: linear (weights pre-transposed to [in,out]) and the
// activations drift-train uses for MLPs. Weights are read from the f32 bin.
export async function benchTfjs(tf, manifestText, binBytes, batches, seconds, alpha = 2) {
  const m = JSON.parse(manifestText);
  const buf = binBytes.buffer.slice(binBytes.byteOffset, binBytes.byteOffset + binBytes.byteLength);
  const byName = {};
  for (const t of m.tensors) {
    if (t.dtype !== 'f32') throw new Error('tfjs bench needs an f32 model');
    byName[t.name] = tf.tensor(new Float32Array(buf, t.offset, t.length / 4), t.shape);
  }
  const layers = m.architecture.layers.map((l) => {
    if (l.type === 'linear') return { type: l.type, W: tf.transpose(byName[l.weight]), b: byName[l.bias] };
    if (['relu', 'silu', 'tanh', 'sigmoid'].includes(l.type)) return { type: l.type };
    throw new Error(`tfjs bench: layer ${l.type} not built`);
  });
  const L = m.conditioning.latent_dim, K = m.conditioning.num_classes;
  const forward = (x) => {
    for (const l of layers) {
      // fused matMul + bias (XNNPACK's fully-connected op): tfjs's fastest path
      if (l.type === 'linear') x = tf.fused.matMul({ a: x, b: l.W, bias: l.b });
      else if (l.type === 'relu') x = tf.relu(x);
      else if (l.type === 'tanh') x = tf.tanh(x);
      else if (l.type === 'sigmoid') x = tf.sigmoid(x);
      else x = tf.mul(x, tf.sigmoid(x));
    }
    return x;
  };
  const out = [];
  for (const n of batches) {
    const { noise, labels } = makeInputs(n, L, K);
    let checksum = 0;
    const r = timeIt(() => {
      const y = tf.tidy(() => {
        const eps = tf.tensor2d(noise, [n, L]);
        const oh = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), K), 'float32');
        const a = tf.fill([n, 1], alpha - 1);
        return forward(tf.concat([eps, oh, a], 1));
      });
      const d = y.dataSync();
      checksum = d[0] + d[d.length - 1];
      y.dispose();
    }, seconds);
    out.push({ batch: n, samples_per_s: (n * r.calls) / r.seconds, calls: r.calls, clock: clockName, checksum });
  }
  return out;
}
