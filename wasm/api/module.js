// Hand-written loader for a standalone drift wasm module (drift_api.wasm, drift_toy.wasm).
// Replaces Emscripten's JS glue: the modules are linked with -sSTANDALONE_WASM, so they
// import only emscripten_notify_memory_growth and proc_exit (abort; an uncaught C++ exception
// in the toy module ends there too). Same factory shape as Emscripten's MODULARIZE
// output: createDriftModule({wasmBinary}) -> {_drift_*: exports, HEAPU8, HEAP32, HEAPF32}.
export default async function createDriftModule(opts = {}) {
  let bytes = opts.wasmBinary;
  if (!bytes) {
    const url = import.meta.url.replace(/\.js(?=$|[?#])/, '.wasm');  // x.js -> x.wasm
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    bytes = await res.arrayBuffer();
  }
  const { instance } = await WebAssembly.instantiate(bytes, {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: { proc_exit() { throw new WebAssembly.RuntimeError('abort'); } },
  });
  const e = instance.exports, M = {};
  for (const k in e) if (typeof e[k] == 'function') M['_' + k] = e[k];
  // Views over the heap, rebuilt whenever memory growth replaced its buffer.
  let buf, views;
  const view = (i) => {
    if (buf !== e.memory.buffer) {
      buf = e.memory.buffer;
      views = [new Uint8Array(buf), new Int32Array(buf), new Float32Array(buf)];
    }
    return views[i];
  };
  ['HEAPU8', 'HEAP32', 'HEAPF32'].forEach((k, i) => Object.defineProperty(M, k, { get: () => view(i) }));
  e._initialize();
  return M;
}
