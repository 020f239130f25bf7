// node scripts/bench/node_bench.mjs WASM_DIR MODEL_DIR BATCHES SECONDS [tfjs]
// Prints one JSON object: {"drift-wasm-node": [...], "tfjs-wasm-node": [...]}.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchDriftWasm, benchTfjs } from './engines.mjs';

const [wasmDir, modelDir, batchArg = '1,16,256', secArg = '1', withTf] = process.argv.slice(2);
const batches = batchArg.split(',').map(Number);
const seconds = Number(secArg);
const manifest = readFileSync(path.join(modelDir, 'model.json'), 'utf8');
const bin = new Uint8Array(readFileSync(path.join(modelDir, 'model.bin')));
const { default: createModule } = await import(pathToFileURL(path.resolve(wasmDir, 'drift_api.js')).href);
const result = {};
result['drift-wasm-node'] = await benchDriftWasm(createModule, readFileSync(path.join(wasmDir, 'drift_api.wasm')),
                                                 manifest, bin, batches, seconds);
if (withTf) {
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
  result['tfjs-wasm-node'] = await benchTfjs(tf, manifest, bin, batches, seconds);
}
console.log(JSON.stringify(result));
