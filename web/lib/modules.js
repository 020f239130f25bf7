// Loading the wasm modules (x.wasm + its loader x.js). The optional ones, drift_toy.wasm and
// drift_digits.wasm, each through an OptionalModule: loaded on first use, once; retried after a failure.

/** x.wasm -> x.js (the module's loader) @param {URL} url @returns {URL} */
export const withJs = (url) => new URL(url.pathname.replace(/\.wasm$/, '') + '.js' + url.search, url);

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
