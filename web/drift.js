// drift.js: the ES-module wrapper over the drift core's WebAssembly C API (wasm/api/drift_api.h).
// No dependencies, no build step. Every URL is relative (to this file by default), so the
// page works from any static host and any sub-path.
//
//   const drift = await loadDrift();                       // drift_api.wasm next to drift.js
//   const model = await drift.loadModel('models/mnist/model.json');
//   const { pixels, ms } = model.generate({ labels: [3, 1, 4], alpha: 1.5, seed: 7 });
//   await drift.loadToy();                                 // drift_toy.wasm, the 2D trainer
//   const toy = drift.createToyTrainer({ target: 'checkerboard', init: 'far' });
//   toy.step(10); toy.generated(); toy.field(); toy.distance();
//
// Two wasm modules: drift_api.wasm (model loader + generator, all a digits page needs) and
// drift_toy.wasm (2D toy trainer + drift field), fetched only by loadToy() or {toy: true}.
// Each comes with a tiny loader (drift_api.js, drift_toy.js: the same file, wasm/api/module.js).
//
// Errors are thrown as Error whose message is the core's one-line message.

/**
 * @typedef {Object} LoadOptions
 * @property {string|URL} [wasmUrl]  drift_api.wasm (default: next to this module)
 * @property {string|URL} [glueUrl]  drift_api.js, its loader (default: wasmUrl with .js)
 * @property {string|URL} [toyWasmUrl]  drift_toy.wasm (default: drift_toy.wasm next to wasmUrl);
 *   its loader is toyWasmUrl with .js
 * @property {boolean} [toy]  also load the toy module now (default false: loadToy() does it)
 */

/**
 * @typedef {Object} ModelInfo
 * @property {string} format
 * @property {number} version
 * @property {number} num_classes
 * @property {number} latent_dim
 * @property {number} input_dim
 * @property {[number, number]} alpha_range
 * @property {number[]} output_shape
 * @property {[number, number]} output_range
 * @property {number} output_size   floats per sample
 * @property {number} parameters
 * @property {string[]} layers       layer types in order
 * @property {{name: string, step: number}[]} snapshots
 * @property {Object} training       the manifest's training record
 */

/**
 * @typedef {Object} GenerateOptions
 * @property {ArrayLike<number>} [labels]  one class per sample (ignored if num_classes is 0)
 * @property {number} [n]                  sample count when neither labels nor noise give it
 * @property {number} [alpha]              guidance α (default 1: none)
 * @property {number|bigint} [seed]        noise seed (default 0), used when noise is absent
 * @property {Float32Array|ArrayLike<number>} [noise]  [n, latent_dim] explicit noise
 * @property {string} [snapshot]           a snapshot name; absent, '' or 'final' for the final weights
 */

/**
 * @typedef {Object} ToyOptions
 * @property {string} [target]                     checkerboard | swissroll | 8gaussians | moons | bimodal
 * @property {Float32Array|ArrayLike<number>|Array<[number, number]>} [points]  user points instead of target
 * @property {string} [init]                       middle | far | collapsed (default middle)
 * @property {number} [n]                          samples per step (default 512)
 * @property {number} [seed]                       (default 0)
 * @property {number} [tau]                        temperature (default 0.05)
 * @property {number} [lr]                         Adam learning rate (default 1e-3)
 * @property {number} [hidden]                     MLP width (default 128; 64 is ~30% faster per step)
 */

const TOY_TARGETS = ['checkerboard', 'swissroll', '8gaussians', 'moons', 'bimodal'];

/**
 * Loads the WebAssembly core.
 * @param {LoadOptions} [options]
 * @returns {Promise<Drift>}
 */
export async function loadDrift(options = {}) {
  const wasmUrl = new URL(options.wasmUrl ?? 'drift_api.wasm', import.meta.url);
  const glueUrl = options.glueUrl ? new URL(options.glueUrl, import.meta.url) : withJs(wasmUrl);
  const toyUrl = new URL(options.toyWasmUrl ?? 'drift_toy.wasm', options.toyWasmUrl ? import.meta.url : wasmUrl);
  const core = instantiate(wasmUrl, glueUrl);
  const toy = options.toy ? instantiate(toyUrl, withJs(toyUrl)) : null;  // in parallel
  toy?.catch(() => {});  // awaited below, after the core
  const drift = new Drift(await core, toyUrl);
  if (toy) {
    drift._toy = new Heap(await toy);
    drift._toyModule = toy;
  }
  return drift;
}

/** x.wasm -> x.js (the module's loader) @param {URL} url @returns {URL} */
const withJs = (url) => new URL(url.pathname.replace(/\.wasm$/, '') + '.js' + url.search, url);

/** Fetches a module's loader and bytes in parallel and instantiates it. */
async function instantiate(wasmUrl, glueUrl) {
  const [glue, wasmBinary] = await Promise.all([import(glueUrl.href), fetchBytes(wasmUrl)]);
  const factory = glue.default;
  if (typeof factory !== 'function') throw new Error(`${glueUrl.pathname}: not a drift module loader`);
  try {
    return await factory({ wasmBinary });
  } catch (e) {
    throw new Error(`${wasmUrl.pathname}: ${e && e.message || e}`);
  }
}

/** @param {URL} url @returns {Promise<Uint8Array>} */
async function fetchBytes(url) {
  if (url.protocol === 'file:') {  // node (tests, scripts): fetch() cannot read files
    const fs = await import('node:fs/promises');
    try {
      return new Uint8Array(await fs.readFile(url));
    } catch (e) {
      throw new Error(`${url.pathname}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
    }
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** @param {string|URL} x @returns {URL} */
function resolveUrl(x) {
  const base = globalThis.document?.baseURI ?? globalThis.location?.href ?? import.meta.url;
  return new URL(x, base);
}

/** @param {*} x @returns {boolean} */
const isUrlLike = (x) => typeof x === 'string' || x instanceof URL;

/** @param {ArrayBuffer|ArrayBufferView} x @returns {Uint8Array} */
function asBytes(x) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new Error('expected an ArrayBuffer, a typed array or a URL');
}

/** Flattens [[x,y],...] or a flat list into a Float32Array [m*2]. */
function flatPoints(points) {
  if (points instanceof Float32Array) return points;
  const a = Array.from(points);
  if (a.length && Array.isArray(a[0])) return Float32Array.from(a.flat());
  return Float32Array.from(a);
}

/** One instantiated module and the heap helpers over its C API. */
class Heap {
  /** @param {*} mod the instantiated module (module.js) */
  constructor(mod) {
    this._m = mod;
    this._dead = null;
  }

  // ---- heap helpers ------------------------------------------------------------------

  _cstr(ptr) {
    if (!ptr) return '';
    const heap = this._m.HEAPU8;
    let end = ptr;
    while (heap[end]) end++;
    return new TextDecoder().decode(heap.subarray(ptr, end));
  }

  _error(fallback) {
    const msg = this._cstr(this._m._drift_last_error());
    return new Error(msg || fallback);
  }

  /** Runs fn(); a wasm trap (a core bug) marks the module dead and becomes an Error. */
  _call(fn) {
    if (this._dead) throw new Error(`drift core stopped after an earlier failure: ${this._dead}`);
    try {
      return fn();
    } catch (e) {
      // Our own Errors pass through; a trap (including an abort or an uncaught C++
      // exception, which the loader turns into one) leaves the module in an unknown state.
      if (e instanceof Error && !(e instanceof WebAssembly.RuntimeError)) throw e;
      this._dead = typeof e === 'number' ? 'uncaught C++ exception' : String(e && e.message || e);
      throw new Error(`drift core failed: ${this._dead}`);
    }
  }

  /** Copies bytes into a fresh heap block; returns its pointer (0 for empty input). */
  _alloc(bytes) {
    if (!bytes.byteLength) return 0;
    const p = this._m._drift_malloc(bytes.byteLength);
    if (!p) throw new Error(`out of memory (${bytes.byteLength} bytes)`);
    this._m.HEAPU8.set(bytes, p);
    return p;
  }

  _allocStr(s) { return this._alloc(new TextEncoder().encode(String(s) + '\0')); }

  _allocF32(arr) {
    const f = arr instanceof Float32Array ? arr : Float32Array.from(arr);
    return this._alloc(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
  }

  _free(...ptrs) { for (const p of ptrs) if (p) this._m._drift_free(p); }

  /** Copy of count floats at ptr. */
  _readF32(ptr, count) {
    return new Float32Array(this._m.HEAPF32.buffer, ptr, count).slice();
  }

}

export class Drift extends Heap {
  /** @param {*} mod the inference module @param {URL} toyUrl where loadToy() finds drift_toy.wasm */
  constructor(mod, toyUrl) {
    super(mod);
    this._toyUrl = toyUrl;
    this._toyModule = null;
    /** @type {Heap|null} */
    this._toy = null;
    /** @type {string} */
    this.version = this._cstr(mod._drift_version());
  }

  // ---- models --------------------------------------------------------------------------

  /**
   * Loads a drift-model (docs/weights-format.md).
   * @param {string|URL|Object|ArrayBuffer|ArrayBufferView} manifest  model.json URL, its parsed
   *   object, or its bytes
   * @param {string|URL|ArrayBuffer|ArrayBufferView} [bin]  model.bin bytes or URL; absent: the
   *   bin named in the manifest, next to the manifest URL
   * @returns {Promise<DriftModel>}
   */
  async loadModel(manifest, bin) {
    let manifestBytes, manifestUrl = null;
    if (isUrlLike(manifest)) {
      manifestUrl = resolveUrl(manifest);
      manifestBytes = await fetchBytes(manifestUrl);
    } else if (manifest instanceof ArrayBuffer || ArrayBuffer.isView(manifest)) {
      manifestBytes = asBytes(manifest);
    } else if (manifest && typeof manifest === 'object') {
      manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
    } else {
      throw new Error('loadModel: manifest must be a URL, an object or bytes');
    }
    let binBytes;
    if (bin === undefined || bin === null) {
      if (!manifestUrl) throw new Error('loadModel: give the bin (bytes or URL) with a manifest object');
      let file;
      try { file = JSON.parse(new TextDecoder().decode(manifestBytes))?.bin?.file; } catch { file = null; }
      if (typeof file !== 'string') {
        // let the core name the problem
        binBytes = new Uint8Array(0);
      } else {
        binBytes = await fetchBytes(new URL(file, manifestUrl));
      }
    } else if (isUrlLike(bin)) {
      binBytes = await fetchBytes(resolveUrl(bin));
    } else {
      binBytes = asBytes(bin);
    }
    return this._call(() => {
      const mp = this._alloc(manifestBytes), bp = this._alloc(binBytes);
      let h;
      try {
        h = this._m._drift_model_load(mp, manifestBytes.byteLength, bp, binBytes.byteLength);
      } finally {
        this._free(mp, bp);
      }
      if (!h) throw this._error('model load failed');
      return new DriftModel(this, h);
    });
  }

  // ---- toy trainer ------------------------------------------------------------------------

  /**
   * Loads the toy module (drift_toy.wasm: the 2D trainer and the drift field) once; later
   * calls return the same promise. A failed load can be retried.
   * @returns {Promise<void>}
   */
  loadToy() {
    if (!this._toyModule) {
      this._toyModule = instantiate(this._toyUrl, withJs(this._toyUrl)).then(
        (m) => { this._toy = new Heap(m); },
        (e) => { this._toyModule = null; throw e; });
    }
    return this._toyModule.then(() => {});
  }

  /** Whether the toy module is loaded (createToyTrainer works). @type {boolean} */
  get toyLoaded() { return this._toy !== null; }

  /**
   * A 2D drifting trainer (an MLP generator, Adam, the drift loss) in the toy module, which
   * must be loaded first (await loadToy(), or loadDrift({toy: true})).
   * @param {ToyOptions} [opts]
   * @returns {ToyTrainer}
   */
  createToyTrainer(opts = {}) {
    if (!this._toy) throw new Error('toy trainer: the toy module is not loaded (await drift.loadToy() first)');
    return createToy(this._toy, opts);
  }
}

/** @param {Heap} t the toy module @param {ToyOptions} opts @returns {ToyTrainer} */
function createToy(t, opts) {
  const { init = 'middle', n = 512, seed = 0, tau = 0.05, lr = 1e-3, hidden = 0 } = opts;
  return t._call(() => {
    let tp = 0, pp = 0, ip = 0, m = 0;
    try {
      if (opts.points != null) {
        const pts = flatPoints(opts.points);
        if (pts.length % 2) throw new Error('toy trainer: points must be pairs (x, y)');
        m = pts.length / 2;
        pp = t._allocF32(pts);
      } else {
        tp = t._allocStr(opts.target ?? 'checkerboard');
      }
      ip = t._allocStr(init);
      const h = t._m._drift_toy_create(tp, pp, m, ip, n | 0, seed >>> 0, tau, lr, hidden | 0);
      if (!h) throw t._error('toy trainer: create failed');
      return new ToyTrainer(t, h);
    } finally {
      t._free(tp, pp, ip);
    }
  });
}

export class DriftModel {
  /** @param {Drift} drift @param {number} handle */
  constructor(drift, handle) {
    this._d = drift;
    this._h = handle;
    /** @type {ModelInfo} */
    this.info = JSON.parse(drift._cstr(drift._m._drift_model_info(handle)));
  }

  _handle() {
    if (!this._h) throw new Error('model: already disposed');
    return this._h;
  }

  /**
   * One network evaluation per sample.
   * @param {GenerateOptions} [opts]
   * @returns {{pixels: Float32Array, ms: number}} pixels: [n, ...output_shape] in C order
   */
  generate(opts = {}) {
    const d = this._d, m = d._m, h = this._handle();
    const { latent_dim: L, num_classes: K, output_size: S } = this.info;
    const noise = opts.noise != null ? (opts.noise instanceof Float32Array ? opts.noise : Float32Array.from(opts.noise)) : null;
    let n;
    if (opts.labels != null) n = opts.labels.length;
    else if (noise) n = Math.floor(noise.length / L);
    else n = opts.n ?? 1;
    if (!Number.isInteger(n) || n < 1) throw new Error('generate: need at least one sample (labels, noise or n)');
    if (noise && noise.length !== n * L) throw new Error(`generate: noise has ${noise.length} values, expected ${n} x ${L}`);
    if (K > 0 && opts.labels == null) throw new Error(`generate: this model needs labels (one of ${K} classes per sample)`);
    const alpha = opts.alpha ?? 1;
    const seed = BigInt.asUintN(64, BigInt(opts.seed ?? 0));
    const lo = Number(seed & 0xffffffffn), hi = Number(seed >> 32n);
    return d._call(() => {
      let lp = 0, np = 0, sp = 0, op = 0;
      try {
        if (K > 0) lp = d._alloc(new Uint8Array(Int32Array.from(opts.labels).buffer));
        if (noise) np = d._allocF32(noise);
        if (opts.snapshot) sp = d._allocStr(opts.snapshot);
        op = m._drift_malloc(n * S * 4);
        if (!op) throw new Error(`generate: out of memory (${n} x ${S} floats)`);
        const t0 = performance.now();
        const rc = m._drift_generate(h, n, lp, alpha, lo, hi, np, sp, op);
        const ms = performance.now() - t0;
        if (rc !== 0) throw d._error('generate failed');
        return { pixels: d._readF32(op, n * S), ms };
      } finally {
        d._free(lp, np, sp, op);
      }
    });
  }

  /** Frees the model's memory in the module. */
  dispose() {
    if (this._h) this._d._m._drift_model_free(this._h);
    this._h = 0;
  }
}

export class ToyTrainer {
  /** @param {Heap} drift the toy module @param {number} handle */
  constructor(drift, handle) {
    this._d = drift;
    this._h = handle;
  }

  _handle() {
    if (!this._h) throw new Error('toy trainer: already disposed');
    return this._h;
  }

  _check(rc) {
    if (rc !== 0) throw this._d._error('toy trainer: call failed');
  }

  /** Number of training steps taken since creation or the last reset. @type {number} */
  get stepCount() { return this._d._m._drift_toy_step_count(this._handle()); }

  /** Last step's drift loss (about the number of temperatures by construction). @type {number} */
  get loss() { return this._d._m._drift_toy_loss(this._handle()); }

  /** Runs k training steps. @param {number} [k] @returns {number} the step count */
  step(k = 1) {
    const h = this._handle();
    this._d._call(() => this._check(this._d._m._drift_toy_step(h, k | 0)));
    return this.stepCount;
  }

  /** Generated points on fixed noise, [x0, y0, x1, y1, ...]. @returns {Float32Array} */
  generated() {
    const h = this._handle(), m = this._d._m;
    return this._d._call(() => this._d._readF32(m._drift_toy_generated(h), 2 * m._drift_toy_eval_count(h)));
  }

  /** The target points shown (a fixed sample of the target set, or the user's points). @returns {Float32Array} */
  targets() {
    const h = this._handle(), m = this._d._m;
    return this._d._call(() => this._d._readF32(m._drift_toy_targets(h), 2 * m._drift_toy_target_count(h)));
  }

  /** The drift field at generated(), in data units: [vx0, vy0, ...]. @returns {Float32Array} */
  field() {
    const h = this._handle(), m = this._d._m;
    return this._d._call(() => this._d._readF32(m._drift_toy_field(h), 2 * m._drift_toy_eval_count(h)));
  }

  /** Energy distance between generated() and targets() (0 = same distribution). @returns {number} */
  distance() {
    const h = this._handle();
    return this._d._call(() => this._d._m._drift_toy_distance(h));
  }

  /** New weights placed by init (middle | far | collapsed); step count back to 0. @param {string} [init] */
  reset(init = 'middle') {
    const h = this._handle(), d = this._d;
    d._call(() => {
      const p = d._allocStr(init);
      try { this._check(d._m._drift_toy_reset(h, p)); } finally { d._free(p); }
    });
  }

  /** Switches the target: a toy set name or points. @param {string|Float32Array|ArrayLike<number>} target */
  setTarget(target) {
    const h = this._handle(), d = this._d;
    d._call(() => {
      if (typeof target === 'string') {
        const p = d._allocStr(target);
        try { this._check(d._m._drift_toy_set_target(h, p)); } finally { d._free(p); }
      } else {
        const pts = flatPoints(target);
        if (pts.length < 2 || pts.length % 2) throw new Error('toy trainer: points must be pairs (x, y)');
        const p = d._allocF32(pts);
        try { this._check(d._m._drift_toy_set_points(h, p, pts.length / 2)); } finally { d._free(p); }
      }
    });
  }

  /** @param {number} tau the kernel temperature (> 0) */
  setTemperature(tau) {
    const h = this._handle();
    this._d._call(() => this._check(this._d._m._drift_toy_set_temperature(h, tau)));
  }

  /** @param {number} lr Adam's learning rate (> 0) */
  setLearningRate(lr) {
    const h = this._handle();
    this._d._call(() => this._check(this._d._m._drift_toy_set_lr(h, lr)));
  }

  /** Frees the trainer's memory in the module. */
  dispose() {
    if (this._h) this._d._m._drift_toy_free(this._h);
    this._h = 0;
  }
}

export { TOY_TARGETS };
