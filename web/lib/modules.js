// Loading the wasm modules (x.wasm + its loader x.js). The optional ones, drift_toy.wasm and
// drift_digits.wasm, each through an OptionalModule: loaded on first use, once; retried after a failure.
// drift_digits.wasm is also built with relaxed SIMD (drift_digits_relaxed.wasm); simdVariant()
// picks the one this engine runs.

/** x.wasm -> x.js (the module's loader) @param {URL} url @returns {URL} */
export const withJs = (url) => new URL(url.pathname.replace(/\.wasm$/, '') + '.js' + url.search, url);

// A module whose one function is f32x4.relaxed_madd (opcode 0xfd 0x105) of its three v128
// parameters: it validates where the engine has relaxed SIMD (Chrome 114+, Firefox 146+; node
// 20 only with --experimental-wasm-relaxed-simd).
const RELAXED_MADD = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,              // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b,  // type: (v128 x3) -> v128
  0x03, 0x02, 0x01, 0x00,                                      // one function of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);
let relaxed = null;

/** Whether this engine has relaxed SIMD (asked once). @returns {boolean} */
export const hasRelaxedSimd = () => (relaxed ??= WebAssembly.validate(RELAXED_MADD));

/**
 * A module built twice, x.wasm (simd128) and x_relaxed.wasm (relaxed SIMD): the one to load here.
 * @param {URL} url x.wasm @returns {URL}
 */
export const simdVariant = (url) =>
  (hasRelaxedSimd() ? new URL(url.pathname.replace(/\.wasm$/, '_relaxed.wasm') + url.search, url) : url);

/** @param {URL} url @returns {Promise<Uint8Array>} errors name the file */
export async function fetchBytes(url) {
  if (url.protocol === 'file:') {  // node (tests, scripts): fetch() cannot read files
    const fs = await import('node:fs/promises');
    try {
      return new Uint8Array(await fs.readFile(url));
    } catch (e) {
      throw new Error(`${url.pathname}: ${e.code === 'ENOENT' ? 'not found' : e.message}`);
    }
  }
  let res;
  try { res = await fetch(url); } catch (e) { throw new Error(`${url.pathname}: could not fetch (${e && e.message || e})`); }
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Fetches a module's loader and bytes (unless given) in parallel and instantiates it. */
export async function instantiate(wasmUrl, glueUrl = withJs(wasmUrl), bytes = null) {
  const [glue, wasmBinary] = await Promise.all([import(glueUrl.href), bytes ?? fetchBytes(wasmUrl)]);
  const factory = glue.default;
  if (typeof factory !== 'function') throw new Error(`${glueUrl.pathname}: not a drift module loader`);
  try {
    return await factory({ wasmBinary });
  } catch (e) {
    throw new Error(`${wasmUrl.pathname}: ${e && e.message || e}`);
  }
}

export class OptionalModule {
  #name;
  #start;
  #value = null;
  #loading = null;

  // name: for errors; start(): loads it, resolving to what callers use; pending: a start already under way
  constructor(name, start, pending = null) {
    this.#name = name;
    this.#start = start;
    if (pending) this.#adopt(pending);
  }

  load() {
    return this.#loading ?? this.#adopt(this.#start());
  }

  #adopt(pending) {
    this.#loading = pending.then((v) => { this.#value = v; return v; },
      (e) => { this.#loading = null; throw e; });
    return this.#loading;
  }

  get loaded() { return this.#value !== null; }

  /** The loaded value, or an Error saying that `what` needs it loaded first. */
  need(what) {
    if (this.#value === null) throw new Error(`${what}: ${this.#name} is not loaded (await its load first)`);
    return this.#value;
  }
}
