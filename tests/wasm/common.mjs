// Shared by the wasm node tests: argument parsing and locating the wasm build.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const SKIP = 77;  // ctest SKIP_RETURN_CODE

// args(['--wasm-dir', 'x']) -> { 'wasm-dir': 'x' }
export function args() {
  const out = {};
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i += 2) out[a[i].replace(/^--/, '')] = a[i + 1];
  return out;
}

// The drift_api.wasm of a wasm build folder (build/wasm layout, its bin/, or the folder
// itself), or exit with SKIP when there is none.
export function findWasm(dir) {
  for (const d of [path.join(dir, 'wasm', 'api'), path.join(dir, 'bin'), dir]) {
    const f = path.join(d, 'drift_api.wasm');
    if (fs.existsSync(f) && fs.existsSync(path.join(d, 'drift_api.js'))) return pathToFileURL(f).href;
  }
  console.log(`SKIP: no drift_api.wasm/.js under ${dir} (build the wasm preset first)`);
  process.exit(SKIP);
}

export async function loadCore(wasmDir) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const { loadDrift } = await import(pathToFileURL(path.join(root, 'web', 'drift.js')).href);
  return loadDrift({ wasmUrl: findWasm(wasmDir), toy: true });  // both modules
}

let failures = 0;
export function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}
export function done() {
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
}
