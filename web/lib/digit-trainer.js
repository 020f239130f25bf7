// The digit trainer's C API (drift_api.h, "digit trainer"; module drift_digits.wasm) as a JS
// class. Used by the train panel's worker (lib/train-worker.js), which owns one instance of the
// module; node scripts may use it directly.
//
//   const digits = await loadDigits({ wasmUrl: new URL('drift_digits.wasm', base) });
//   const t = digits.createTrainer({ seed: 1 });
//   t.setData(packBytes, 'digits.pack');       // inflated digits.pack.gz
//   t.step(4); t.sample(6); t.quality(); const { manifest, bin } = t.exportModel();
import { Heap } from '../drift.js';
import { OptionalModule, instantiate } from './modules.js';

/**
 * The digit trainer module, loaded once (later calls share the load; a failed one is retried).
 * @param {{wasmUrl: URL}} opts  drift_digits.wasm; its loader is drift_digits.js next to it
 * @returns {Promise<DigitsModule>}
 */
export function loadDigits({ wasmUrl }) {
  const key = wasmUrl.href;
  if (!modules.has(key)) {
    modules.set(key, new OptionalModule('drift_digits.wasm',
      async () => new DigitsModule(new Heap(await instantiate(wasmUrl)))));
  }
  return modules.get(key).load();
}
const modules = new Map();   // wasm URL -> OptionalModule

export class DigitsModule {
  #m;  // Heap over drift_digits.wasm

  /** @param {Heap} heap */
  constructor(heap) { this.#m = heap; }

  /** Architecture names of the core's table, the default first. @returns {string[]} */
  archs() {
    const m = this.#m;
    return m.call(() => m.cstr(m.mod._drift_digits_archs()).split(','));
  }

  /**
   * @param {{arch?: string, seed?: number, lr?: number}} [opts] lr 0: the arch's own
   * @returns {DigitTrainer}
   */
  createTrainer({ arch = '', seed = 1, lr = 0 } = {}) {
    const m = this.#m;
    return m.call(() => {
      const ap = arch ? m.allocStr(arch) : 0;
      try {
        const h = m.mod._drift_digits_create(ap, seed >>> 0, 0, lr);
        if (!h) throw m.error('digit trainer: create failed');
        return new DigitTrainer(m, h);
      } finally {
        m.free(ap);
      }
    });
  }
}

export class DigitTrainer {
  #m;
  #h;

  /** @param {Heap} m @param {number} h */
  constructor(m, h) { this.#m = m; this.#h = h; }

  #handle() {
    if (!this.#h) throw new Error('digit trainer: already disposed');
    return this.#h;
  }

  /** fn(exports, handle) must return 0; else the core's message becomes the Error. */
  #run(fn) {
    const h = this.#handle(), m = this.#m;
    m.call(() => { if (fn(m.mod, h) !== 0) throw m.error('digit trainer: call failed'); });
  }

  /** Hands the trainer a digit pack (docs/digit-pack.md), the bytes after gunzip. Resets training. */
  setData(bytes, name = 'digits.pack') {
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    this.#run((mod, h) => {
      const bp = this.#m.alloc(b), np = this.#m.allocStr(name);
      try { return mod._drift_digits_set_data(h, bp, b.byteLength, np); } finally { this.#m.free(bp, np); }
    });
  }

  /** k training steps. @returns {number} the step count */
  step(k = 1) {
    this.#run((mod, h) => mod._drift_digits_step(h, k | 0));
    return this.stepCount;
  }

  /** @type {number} */
  get stepCount() { return this.#m.mod._drift_digits_step_count(this.#handle()); }

  /** Last step's drift loss. @type {number} */
  get loss() { return this.#m.mod._drift_digits_loss(this.#handle()); }

  /** @type {number} */
  get parameters() { return this.#m.mod._drift_digits_param_count(this.#handle()); }

  /** Energy distance to 200 held-out digits (pixel space; lower is better). @returns {number} */
  quality() {
    const h = this.#handle(), m = this.#m;
    return m.call(() => m.mod._drift_digits_quality(h));
  }

  /**
   * perClass digits of each class on fixed noise, class 0 first: [10 * perClass, 784] in [0, 1].
   * @param {number} perClass @returns {Float32Array}
   */
  sample(perClass) {
    const h = this.#handle(), m = this.#m;
    return m.call(() => {
      const p = m.mod._drift_digits_sample(h, perClass | 0);
      if (!p) throw m.error('digit trainer: sample failed');
      return m.readF32(p, 10 * perClass * 784);
    });
  }

  /** New weights (same seed), step 0. */
  reset() { this.#run((mod, h) => mod._drift_digits_reset(h)); }

  /** @param {number} lr */
  setLearningRate(lr) { this.#run((mod, h) => mod._drift_digits_set_lr(h, lr)); }

  /**
   * The generator in the weights format (docs/weights-format.md, f32).
   * @returns {{manifest: string, bin: Uint8Array}} model.json's text and model.bin's bytes
   */
  exportModel() {
    const h = this.#handle(), m = this.#m;
    this.#run((mod) => mod._drift_digits_export(h));
    return m.call(() => {
      const manifest = m.cstr(m.mod._drift_digits_export_manifest(h));
      const n = m.mod._drift_digits_export_bin_size(h);
      const p = m.mod._drift_digits_export_bin(h);
      if (!manifest || n < 0 || !p) throw m.error('digit trainer: export failed');
      return { manifest, bin: m.mod.HEAPU8.slice(p, p + n) };
    });
  }

  dispose() {
    if (this.#h) this.#m.mod._drift_digits_free(this.#h);
    this.#h = 0;
  }
}
