// The element's handle on the drift core. The inference core (model loading with its SHA-256
// check, decoding, generator runs) runs in a Web Worker (lib/core-worker.js), so the page's
// main thread only fetches, draws and answers the user. The 2D toy trainer steps once per
// animation frame and is drawn from its results at once, so it stays on this thread.
//
//   const core = await startCore({ wasmUrl, wasmBytes });      // the worker, or this thread
//   const model = await core.loadModel(manifest, binBytes, { baseUrl });
//   const { pixels, ms } = await model.generate({ labels, alpha, seed });
//
// The models it returns have DriftModel's surface (drift.js) with generate(), loadSnapshot()
// and dispose() returning promises. Where a module worker cannot start (an old browser, the
// element's files on another origin than the page), the core runs on this thread instead,
// through drift.js directly: same surface, since callers await every call.

/**
 * Starts the core in a worker, or on this thread when that fails.
 * @param {{wasmUrl: URL, wasmBytes: Promise<ArrayBuffer>}} opts  wasmBytes: drift_api.wasm,
 *   fetched by the caller (so that the page's preload of it is used)
 * @returns {Promise<WorkerCore|import('../drift.js').Drift>}
 */
export async function startCore({ wasmUrl, wasmBytes }) {
  let worker = null;
  try {
    worker = new Worker(new URL('./core-worker.js', import.meta.url), { type: 'module', name: 'drift core' });
  } catch { /* no workers here: this thread it is */ }
  const bytes = new Uint8Array(await wasmBytes);
  if (worker) {
    const rpc = connect(worker);
    try {
      const { version } = await rpc('init', { wasmUrl: wasmUrl.href, wasmBytes: bytes });
      return new WorkerCore(rpc, version, wasmUrl);
    } catch (e) {
      worker.terminate();
      // A worker that started but whose core failed would fail here too: report that.
      if (!(e instanceof WorkerStartError)) throw e;
    }
  }
  const { loadDrift } = await import('../drift.js');
  return loadDrift({ wasmUrl, wasmBytes: bytes });
}

class WorkerStartError extends Error {}

// connect(worker) -> rpc(op, args, onProgress?, transfer?) -> Promise of the worker's result.
function connect(worker) {
  const pending = new Map();
  let next = 1, dead = null;
  worker.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    if (!p) return;
    if ('progress' in data) { if (p.onProgress) p.onProgress(data.progress); return; }
    pending.delete(data.id);
    if ('error' in data) p.reject(new Error(data.error));
    else p.resolve(data.result);
  };
  // A module that fails to load (a network error, no module workers) ends the worker.
  worker.onerror = (e) => {
    e.preventDefault();
    dead = new WorkerStartError(`core worker: ${e.message || 'could not start'}`);
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  return (op, args, onProgress = null, transfer = []) => new Promise((resolve, reject) => {
    if (dead) { reject(dead); return; }
    const id = next++;
    pending.set(id, { resolve, reject, onProgress });
    worker.postMessage({ id, op, args }, transfer);
  });
}

/** The core in its worker: drift.js's Drift surface, asynchronous. */
class WorkerCore {
  #rpc;
  #toyUrl;
  #toy = null;         // ToyModule on this thread, once loaded
  #toyLoading = null;

  constructor(rpc, version, wasmUrl) {
    this.#rpc = rpc;
    this.version = version;
    this.#toyUrl = new URL('drift_toy.wasm', wasmUrl);   // as loadDrift: next to drift_api.wasm
  }

  /**
   * As Drift.loadModel, with the manifest as an object or bytes and the bin as bytes (an
   * ArrayBuffer is handed over to the worker, not copied).
   * @returns {Promise<WorkerModel>}
   */
  async loadModel(manifest, bin, opts = {}) {
    const b = bin instanceof ArrayBuffer ? bin : bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const baseUrl = opts.baseUrl ? new URL(opts.baseUrl, document.baseURI).href : null;
    const { id, info } = await this.#rpc('loadModel', { manifest, bin: new Uint8Array(b), baseUrl }, null, [b]);
    return new WorkerModel(this.#rpc, id, info);
  }

  /** The toy module, on this thread (see the top of this file). @returns {Promise<void>} */
  loadToy() {
    this.#toyLoading ??= import('../drift.js').then((m) => m.loadToy({ toyWasmUrl: this.#toyUrl }))
      .then((t) => { this.#toy = t; }, (e) => { this.#toyLoading = null; throw e; });
    return this.#toyLoading;
  }

  #loadedToy(what) {
    if (!this.#toy) throw new Error(`${what}: the toy module is not loaded (await loadToy() first)`);
    return this.#toy;
  }

  toyTargets() { return this.#loadedToy('toy targets').toyTargets(); }

  createToyTrainer(opts = {}) { return this.#loadedToy('toy trainer').createToyTrainer(opts); }
}

/** A model in the worker: DriftModel's surface, asynchronous. */
class WorkerModel {
  #rpc;
  #id;
  #loaded = new Set();    // snapshot names whose own file the worker's core has taken
  #snapLoading = null;

  constructor(rpc, id, info) {
    this.#rpc = rpc;
    this.#id = id;
    /** @type {import('../drift.js').ModelInfo} */
    this.info = info;
  }

  pendingSnapshots() {
    return this.info.snapshots.filter((s) => s.file && !this.#loaded.has(s.name));
  }

  /** The worker fetches the snapshot files and checks them. Later calls share the promise. */
  loadSnapshots({ onProgress } = {}) {
    this.#snapLoading ??= this.#rpc('loadSnapshots', { id: this.#id }, onProgress && ((p) => onProgress(...p)))
      .then(() => { for (const s of this.info.snapshots) this.#loaded.add(s.name); },
        (e) => { this.#snapLoading = null; throw e; });
    return this.#snapLoading;
  }

  async loadSnapshot(name, bytes) {
    await this.#rpc('loadSnapshot', { id: this.#id, name, bytes });
    this.#loaded.add(name);
  }

  /** @returns {Promise<{pixels: Float32Array, ms: number}>} ms: the generator's time in the worker */
  generate(opts = {}) {
    return this.#rpc('generate', { id: this.#id, opts });
  }

  dispose() {
    this.#rpc('dispose', { id: this.#id }).catch(() => {});
  }
}
