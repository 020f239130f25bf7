// The inference core in a Web Worker: drift.js and drift_api.wasm run here, so that the
// model's SHA-256 check, its decoding and every generator run stay off the page's main
// thread (on a cold start the unoptimised wasm takes 100+ ms for each). lib/core.js is the
// other end; the messages are {id, op, args} -> {id, result} | {id, error} | {id, progress}.
//
// The loader and the wrapper are imported statically, so all three files are requested at
// once when the worker starts; the wasm bytes and the model come from the main thread, which
// fetched them in parallel (index.html preloads them).
import { loadDrift } from '../drift.js';
import '../drift_api.js';

let drift = null;
const models = new Map();   // id -> DriftModel
let nextModel = 1;

function model(id) {
  const m = models.get(id);
  if (!m) throw new Error('model: already disposed');
  return m;
}

// Each op returns its result, or [result, transfer list] via transfer().
const transfer = (result, list) => ({ [TRANSFER]: true, result, list });
const TRANSFER = Symbol('transfer');

const ops = {
  async init({ wasmUrl, wasmBytes }) {
    drift = await loadDrift({ wasmUrl, wasmBytes });
    return { version: drift.version };
  },
  async loadModel({ manifest, bin, baseUrl }) {
    const m = await drift.loadModel(manifest, bin, baseUrl ? { baseUrl } : {});
    const id = nextModel++;
    models.set(id, m);
    return { id, info: m.info };
  },
  generate({ id, opts }) {
    const out = model(id).generate(opts);
    return transfer(out, [out.pixels.buffer]);
  },
  loadSnapshot({ id, name, bytes }) { model(id).loadSnapshot(name, bytes); },
  async loadSnapshots({ id }, progress) {
    await model(id).loadSnapshots({ onProgress: (got, total, done) => progress([got, total, done]) });
  },
  dispose({ id }) {
    const m = models.get(id);
    if (m) m.dispose();
    models.delete(id);
  },
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    if (!Object.hasOwn(ops, op)) throw new Error(`core worker: unknown request '${op}'`);
    if (op !== 'init' && !drift) throw new Error('core worker: not started');
    const r = await ops[op](args || {}, (progress) => self.postMessage({ id, progress }));
    if (r && r[TRANSFER]) self.postMessage({ id, result: r.result }, r.list);
    else self.postMessage({ id, result: r });
  } catch (e) {
    self.postMessage({ id, error: String((e && e.message) || e) });
  }
};
