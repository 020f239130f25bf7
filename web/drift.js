// drift.js: the ES-module wrapper over the drift core's WebAssembly C API (wasm/api/drift_api.h).
// No dependencies, no build step. Every URL is relative (to this file by default), so the
// page works from any static host and any sub-path.
//
//   const drift = await loadDrift();                       // drift_api.wasm next to drift.js
//   const model = await drift.loadModel('models/mnist/model.json');
//   const { pixels, ms } = model.generate({ labels: [3, 1, 4], alpha: 1.5, seed: 7 });
//   await drift.loadToy();                                 // drift_toy.wasm, the 2D trainer
//   drift.toyTargets();                                    // ['checkerboard', 'swissroll', ...]
//   const toy = drift.createToyTrainer({ target: 'checkerboard', init: 'far' });
//   toy.step(10); toy.generated(); toy.field(); toy.distance();
//
// Two wasm modules: drift_api.wasm (model loader + generator, all a digits page needs) and
// drift_toy.wasm (2D toy trainer + drift field), fetched only by loadToy() or {toy: true}.
// Each comes with a tiny loader (drift_api.js, drift_toy.js: the same file, wasm/api/module.js).
//
// Errors are thrown as Error whose message is the core's one-line message.

import { binUrl, fetchWithProgress } from './lib/fetch.js';
import { OptionalModule, instantiate, withJs, fetchBytes } from './lib/modules.js';

// Part of this module's API; they live in lib/fetch.js so that the page's main thread can
// fetch a model without loading this wrapper (the wrapper then runs in its worker, lib/core-worker.js).
export { binUrl, fetchWithProgress };

/**
 * @typedef {Object} LoadOptions
 * @property {string|URL} [wasmUrl]  drift_api.wasm (default: next to this module)
 * @property {string|URL} [glueUrl]  drift_api.js, its loader (default: wasmUrl with .js)
 * @property {string|URL} [toyWasmUrl]  drift_toy.wasm (default: drift_toy.wasm next to wasmUrl);
 *   its loader is toyWasmUrl with .js
 * @property {boolean} [toy]  also load the toy module now (default false: loadToy() does it)
 * @property {ArrayBuffer|Uint8Array} [wasmBytes]  drift_api.wasm's bytes, already fetched (then
 *   wasmUrl only locates its loader)
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
 * @property {{name: string, step: number, file?: string, bytes?: number, sha256?: string}[]} snapshots
 *   file, bytes, sha256: a snapshot in its own file (format version 2), fetched by loadSnapshots()
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
 * @property {string} [target]                     a toy set: one of drift.toyTargets() (default checkerboard)
 * @property {Float32Array|ArrayLike<number>|Array<[number, number]>} [points]  user points instead of target
 * @property {string} [init]                       middle | far | collapsed (default middle)
 * @property {number} [n]                          samples per step (default 512)
 * @property {number} [seed]                       (default 0)
 * @property {number} [tau]                        temperature (default 0.05)
 * @property {number} [lr]                         Adam learning rate (default 1e-3)
 * @property {number} [hidden]                     MLP width (default 128; 64 is ~30% faster per step)
 */

/**
 * Loads the WebAssembly core.
 * @param {LoadOptions} [options]
 * @returns {Promise<Drift>}
 */
export async function loadDrift(options = {}) {
  const wasmUrl = new URL(options.wasmUrl ?? 'drift_api.wasm', import.meta.url);
  const glueUrl = options.glueUrl ? new URL(options.glueUrl, import.meta.url) : withJs(wasmUrl);
  const toyUrl = new URL(options.toyWasmUrl ?? 'drift_toy.wasm', options.toyWasmUrl ? import.meta.url : wasmUrl);
  const core = instantiate(wasmUrl, glueUrl, options.wasmBytes);
  const toy = options.toy ? startToy(toyUrl) : null;  // in parallel
  toy?.catch(() => {});  // awaited below, after the core
  const drift = new Drift(await core, toyUrl, toy);
  if (toy) await drift.loadToy();
  return drift;
}

/**
 * Loads only the toy module (drift_toy.wasm: the 2D trainer and the drift field), for a page
 * that runs the inference core elsewhere (the element runs it in a worker).
 * @param {{toyWasmUrl?: string|URL}} [options]  default: drift_toy.wasm next to this module
 * @returns {Promise<ToyModule>}
 */
export async function loadToy(options = {}) {
  return startToy(new URL(options.toyWasmUrl ?? 'drift_toy.wasm', import.meta.url));
}

/** @param {URL} url drift_toy.wasm @returns {Promise<ToyModule>} */
const startToy = async (url) => new ToyModule(new Heap(await instantiate(url, withJs(url))));

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

/**
 * One instantiated module and the heap helpers over its C API. For the wrappers only (this
 * file's, and lib/digit-trainer.js's): Drift, DriftModel, ToyTrainer and DigitTrainer each keep
 * theirs in a #private field, so no caller can reach the module's raw exports or heap.
 */
export class Heap {
  #dead = null;  // set by a trap: the module's state is unknown from then on

  /** @param {*} mod the instantiated module (module.js): exports as _drift_*, HEAPU8, HEAPF32 */
  constructor(mod) {
    this.mod = mod;
  }

  /** The NUL-terminated UTF-8 string at ptr ('' for NULL). */
  cstr(ptr) {
    if (!ptr) return '';
    const heap = this.mod.HEAPU8;
    let end = ptr;
    while (heap[end]) end++;
    return new TextDecoder().decode(heap.subarray(ptr, end));
  }

  /** An Error with the core's last message. */
  error(fallback) {
    const msg = this.cstr(this.mod._drift_last_error());
    return new Error(msg || fallback);
  }

  /** Runs fn(); a wasm trap (a core bug) marks the module dead and becomes an Error. */
  call(fn) {
    if (this.#dead) throw new Error(`drift core stopped after an earlier failure: ${this.#dead}`);
    try {
      return fn();
    } catch (e) {
      // Our own Errors pass through; a trap (including an abort or an uncaught C++
      // exception, which the loader turns into one) leaves the module in an unknown state.
      if (e instanceof Error && !(e instanceof WebAssembly.RuntimeError)) throw e;
      this.#dead = typeof e === 'number' ? 'uncaught C++ exception' : String(e && e.message || e);
      throw new Error(`drift core failed: ${this.#dead}`);
    }
  }

  /** Copies bytes into a fresh heap block; returns its pointer (0 for empty input). */
  alloc(bytes) {
    if (!bytes.byteLength) return 0;
    const p = this.mod._drift_malloc(bytes.byteLength);
    if (!p) throw new Error(`out of memory (${bytes.byteLength} bytes)`);
    this.mod.HEAPU8.set(bytes, p);
    return p;
  }

  allocStr(s) { return this.alloc(new TextEncoder().encode(String(s) + '\0')); }

  allocF32(arr) {
    const f = arr instanceof Float32Array ? arr : Float32Array.from(arr);
    return this.alloc(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
  }

  free(...ptrs) { for (const p of ptrs) if (p) this.mod._drift_free(p); }

  /** Copy of count floats at ptr. */
  readF32(ptr, count) {
    return new Float32Array(this.mod.HEAPF32.buffer, ptr, count).slice();
  }
}

/** The toy module's entry points: its target names and new trainers. */
export class ToyModule {
  #toy;  // Heap over drift_toy.wasm

  /** @param {Heap} heap */
  constructor(heap) { this.#toy = heap; }

  /** The toy set names the core knows (ToyOptions.target), in the core's order. @returns {string[]} */
  toyTargets() {
    const toy = this.#toy;
    return toy.call(() => toy.cstr(toy.mod._drift_toy_names()).split(','));
  }

  /** A 2D drifting trainer (MLP generator, Adam, the drift loss). @param {ToyOptions} [opts] @returns {ToyTrainer} */
  createToyTrainer(opts = {}) { return createToy(this.#toy, opts); }
}

export class Drift {
  #core;              // Heap over drift_api.wasm
  #toy;               // OptionalModule: the ToyModule over drift_toy.wasm

  /**
   * @param {*} mod the inference module @param {URL} toyUrl where loadToy() finds drift_toy.wasm
   * @param {Promise<ToyModule>|null} [toyModule] the toy module, already being loaded (loadDrift({toy: true}))
   */
  constructor(mod, toyUrl, toyModule = null) {
    this.#core = new Heap(mod);
    this.#toy = new OptionalModule('drift_toy.wasm', () => startToy(toyUrl), toyModule);
    /** @type {string} */
    this.version = this.#core.cstr(mod._drift_version());
  }

  // ---- models --------------------------------------------------------------------------

  /**
   * Loads a drift-model (docs/weights-format.md).
   * @param {string|URL|Object|ArrayBuffer|ArrayBufferView} manifest  model.json URL, its parsed
   *   object, or its bytes
   * @param {string|URL|ArrayBuffer|ArrayBufferView} [bin]  model.bin bytes or URL; absent: the
   *   bin named in the manifest, next to the manifest URL
   * @param {{baseUrl?: string|URL}} [opts]  where snapshot files are (default: the manifest
   *   URL); without either, model.loadSnapshots() has nowhere to fetch from
   * @returns {Promise<DriftModel>}
   */
  async loadModel(manifest, bin, opts = {}) {
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
      let sha;
      try { sha = JSON.parse(new TextDecoder().decode(manifestBytes))?.bin?.sha256; } catch { sha = null; }
      if (typeof file !== 'string') {
        // let the core name the problem
        binBytes = new Uint8Array(0);
      } else {
        binBytes = await fetchBytes(binUrl(file, sha, manifestUrl));
      }
    } else if (isUrlLike(bin)) {
      binBytes = await fetchBytes(resolveUrl(bin));
    } else {
      binBytes = asBytes(bin);
    }
    const core = this.#core;
    return core.call(() => {
      const mp = core.alloc(manifestBytes), bp = core.alloc(binBytes);
      let h;
      try {
        h = core.mod._drift_model_load(mp, manifestBytes.byteLength, bp, binBytes.byteLength);
      } finally {
        core.free(mp, bp);
      }
      if (!h) throw core.error('model load failed');
      const base = opts.baseUrl ? resolveUrl(opts.baseUrl) : manifestUrl;
      return new DriftModel(core, h, base);
    });
  }

  // ---- toy trainer ------------------------------------------------------------------------

  /**
   * Loads the toy module (drift_toy.wasm: the 2D trainer and the drift field) once; later
   * calls return the same promise. A failed load can be retried.
   * @returns {Promise<void>}
   */
  async loadToy() {
    await this.#toy.load();
  }

  /** Whether the toy module is loaded (createToyTrainer works). @type {boolean} */
  get toyLoaded() { return this.#toy.loaded; }

  /**
   * The toy set names the core knows (ToyOptions.target), in the core's order. Needs the toy
   * module, like createToyTrainer.
   * @returns {string[]}
   */
  toyTargets() {
    return this.#toy.need('toy targets').toyTargets();
  }

  /**
   * A 2D drifting trainer (an MLP generator, Adam, the drift loss) in the toy module, which
   * must be loaded first (await loadToy(), or loadDrift({toy: true})).
   * @param {ToyOptions} [opts]
   * @returns {ToyTrainer}
   */
  createToyTrainer(opts = {}) {
    return this.#toy.need('toy trainer').createToyTrainer(opts);
  }
}

/** @param {Heap} toy the toy module @param {ToyOptions} opts @returns {ToyTrainer} */
function createToy(toy, opts) {
  const { init = 'middle', n = 512, seed = 0, tau = 0.05, lr = 1e-3, hidden = 0 } = opts;
  return toy.call(() => {
    let tp = 0, pp = 0, ip = 0, m = 0;
    try {
      if (opts.points != null) {
        const pts = flatPoints(opts.points);
        if (pts.length % 2) throw new Error('toy trainer: points must be pairs (x, y)');
        m = pts.length / 2;
        pp = toy.allocF32(pts);
      } else {
        tp = toy.allocStr(opts.target ?? 'checkerboard');
      }
      ip = toy.allocStr(init);
      const h = toy.mod._drift_toy_create(tp, pp, m, ip, n | 0, seed >>> 0, tau, lr, hidden | 0);
      if (!h) throw toy.error('toy trainer: create failed');
      return new ToyTrainer(toy, h);
    } finally {
      toy.free(tp, pp, ip);
    }
  });
}

export class DriftModel {
  #core;  // Heap over drift_api.wasm
  #h;     // the model's handle in it; 0 once disposed
  #base;  // URL the snapshot files are relative to (null: none)
  #loaded = new Set();      // snapshot names whose own file the core has taken
  #snapLoading = null;      // loadSnapshots()'s promise

  /** @param {Heap} core the inference module @param {number} handle @param {URL|null} [base] */
  constructor(core, handle, base = null) {
    this.#core = core;
    this.#h = handle;
    this.#base = base;
    /** @type {ModelInfo} */
    this.info = JSON.parse(core.cstr(core.mod._drift_model_info(handle)));
  }

  /**
   * Snapshots kept in files of their own (format version 2) that are not loaded yet: generating
   * from them fails until loadSnapshots() has fetched them.
   * @returns {{name: string, step: number, file: string, bytes: number, sha256: string}[]}
   */
  pendingSnapshots() {
    return this.info.snapshots.filter((s) => s.file && !this.#loaded.has(s.name));
  }

  /**
   * Fetches the pending snapshot files (one at a time, in training order) and hands each to
   * the core, which checks its size and SHA-256. onProgress(receivedBytes, totalBytes, done)
   * is called as bytes arrive; done counts the snapshots ready. Later calls return the same
   * promise; a failed load can be retried.
   * @param {{onProgress?: function(number, number, number): void}} [opts]
   * @returns {Promise<void>}
   */
  loadSnapshots({ onProgress } = {}) {
    this.#snapLoading ??= this.#fetchSnapshots(onProgress).catch((e) => { this.#snapLoading = null; throw e; });
    return this.#snapLoading;
  }

  async #fetchSnapshots(onProgress) {
    const todo = this.pendingSnapshots();
    if (!todo.length) return;
    if (!this.#base) throw new Error(`${todo[0].file}: not given (this model came without its snapshot files)`);
    const total = todo.reduce((a, s) => a + s.bytes, 0);
    let before = 0, done = 0;
    for (const s of todo) {
      const bytes = await fetchWithProgress(binUrl(s.file, s.sha256, this.#base), { expected: s.bytes,
        onProgress: onProgress && ((got) => onProgress(before + got, total, done)) });
      this.loadSnapshot(s.name, bytes);
      before += s.bytes;
      done++;
      if (onProgress) onProgress(before, total, done);
    }
  }

  /**
   * Gives the core the bytes of one snapshot's own file.
   * @param {string} name @param {ArrayBuffer|ArrayBufferView} bytes
   */
  loadSnapshot(name, bytes) {
    const core = this.#core, h = this.#handle(), b = asBytes(bytes);
    core.call(() => {
      const np = core.allocStr(name), bp = core.alloc(b);
      try {
        if (core.mod._drift_model_load_snapshot(h, np, bp, b.byteLength) !== 0) throw core.error('snapshot load failed');
      } finally {
        core.free(np, bp);
      }
    });
    this.#loaded.add(name);
  }

  #handle() {
    if (!this.#h) throw new Error('model: already disposed');
    return this.#h;
  }
  /**
   * One network evaluation per sample.
   * @param {GenerateOptions} [opts]
   * @returns {{pixels: Float32Array, ms: number}} pixels: [n, ...output_shape] in C order
   */
  generate(opts = {}) {
    const core = this.#core, h = this.#handle();
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
    return core.call(() => {
      let lp = 0, np = 0, sp = 0, op = 0;
      try {
        if (K > 0) lp = core.alloc(new Uint8Array(Int32Array.from(opts.labels).buffer));
        if (noise) np = core.allocF32(noise);
        if (opts.snapshot) sp = core.allocStr(opts.snapshot);
        op = core.mod._drift_malloc(n * S * 4);
        if (!op) throw new Error(`generate: out of memory (${n} x ${S} floats)`);
        const t0 = performance.now();
        const rc = core.mod._drift_generate(h, n, lp, alpha, lo, hi, np, sp, op);
        const ms = performance.now() - t0;
        if (rc !== 0) throw core.error('generate failed');
        return { pixels: core.readF32(op, n * S), ms };
      } finally {
        core.free(lp, np, sp, op);
      }
    });
  }

  /** Frees the model's memory in the module. */
  dispose() {
    if (this.#h) this.#core.mod._drift_model_free(this.#h);
    this.#h = 0;
  }
}

export class ToyTrainer {
  #toy;  // Heap over drift_toy.wasm
  #h;    // the trainer's handle in it; 0 once disposed

  /** @param {Heap} toy the toy module @param {number} handle */
  constructor(toy, handle) {
    this.#toy = toy;
    this.#h = handle;
  }

  #handle() {
    if (!this.#h) throw new Error('toy trainer: already disposed');
    return this.#h;
  }

  /** Runs fn(toy exports, handle) in the module; a nonzero status becomes the core's Error. */
  #run(fn) {
    const h = this.#handle(), toy = this.#toy;
    toy.call(() => {
      if (fn(toy.mod, h) !== 0) throw toy.error('toy trainer: call failed');
    });
  }

  /** fn(pointer to s in the toy heap), freeing it afterwards. */
  #withStr(s, fn) {
    const p = this.#toy.allocStr(s);
    try { return fn(p); } finally { this.#toy.free(p); }
  }

  /** Copy of the [rows, 2] points that fn(toy exports, handle) -> [ptr, rows] names. */
  #points(fn) {
    const h = this.#handle(), toy = this.#toy;
    return toy.call(() => {
      const [ptr, rows] = fn(toy.mod, h);
      return toy.readF32(ptr, 2 * rows);
    });
  }

  /** Number of training steps taken since creation or the last reset. @type {number} */
  get stepCount() { return this.#toy.mod._drift_toy_step_count(this.#handle()); }

  /** Last step's drift loss (about the number of temperatures by construction). @type {number} */
  get loss() { return this.#toy.mod._drift_toy_loss(this.#handle()); }

  /** Runs k training steps. @param {number} [k] @returns {number} the step count */
  step(k = 1) {
    this.#run((m, h) => m._drift_toy_step(h, k | 0));
    return this.stepCount;
  }

  /** Generated points on fixed noise, [x0, y0, x1, y1, ...]. @returns {Float32Array} */
  generated() {
    return this.#points((m, h) => [m._drift_toy_generated(h), m._drift_toy_eval_count(h)]);
  }

  /** The target points shown (a fixed sample of the target set, or the user's points). @returns {Float32Array} */
  targets() {
    return this.#points((m, h) => [m._drift_toy_targets(h), m._drift_toy_target_count(h)]);
  }

  /** The drift field at generated(), in data units: [vx0, vy0, ...]. @returns {Float32Array} */
  field() {
    return this.#points((m, h) => [m._drift_toy_field(h), m._drift_toy_eval_count(h)]);
  }

  /** Energy distance between generated() and targets() (0 = same distribution). @returns {number} */
  distance() {
    const h = this.#handle(), toy = this.#toy;
    return toy.call(() => toy.mod._drift_toy_distance(h));
  }

  /** New weights placed by init (middle | far | collapsed); step count back to 0. @param {string} [init] */
  reset(init = 'middle') {
    this.#run((m, h) => this.#withStr(init, (p) => m._drift_toy_reset(h, p)));
  }

  /** Switches the target: a toy set name or points. @param {string|Float32Array|ArrayLike<number>} target */
  setTarget(target) {
    if (typeof target === 'string') {
      this.#run((m, h) => this.#withStr(target, (p) => m._drift_toy_set_target(h, p)));
      return;
    }
    this.#run((m, h) => {
      const pts = flatPoints(target);
      if (pts.length < 2 || pts.length % 2) throw new Error('toy trainer: points must be pairs (x, y)');
      const p = this.#toy.allocF32(pts);
      try { return m._drift_toy_set_points(h, p, pts.length / 2); } finally { this.#toy.free(p); }
    });
  }

  /** @param {number} tau the kernel temperature (> 0) */
  setTemperature(tau) {
    this.#run((m, h) => m._drift_toy_set_temperature(h, tau));
  }

  /** @param {number} lr Adam's learning rate (> 0) */
  setLearningRate(lr) {
    this.#run((m, h) => m._drift_toy_set_lr(h, lr));
  }

  /** Frees the trainer's memory in the module. */
  dispose() {
    if (this.#h) this.#toy.mod._drift_toy_free(this.#h);
    this.#h = 0;
  }
}
