// The digit trainer's step in node: drift_digits.wasm (or --module drift_digits_relaxed, the
// relaxed-SIMD build: node 20 needs --experimental-wasm-relaxed-simd) through its loader, one thread.
//   node scripts/bench/digits_bench.mjs --wasm-dir build/wasm --pack FILE [--steps 50] [--warmup 5]
//        [--arch A] [--module drift_digits[,drift_digits_relaxed]] [--rounds 1]
// Prints one JSON line per module: {"arch":..,"steps":N,"step_ms":..,"params":..,"module":..,
// "rounds":R,"cpu_step_ms":..} (step_ms as drift-digits bench prints it natively). With several
// modules and rounds, the modules take turns in this one process and each keeps its best round:
// wall time and this process's CPU time (less disturbed by other jobs).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { hasRelaxedSimd } from '../../web/lib/modules.js';

const opt = { 'wasm-dir': 'build/wasm', pack: '', steps: '50', warmup: '5', arch: '', module: 'drift_digits', rounds: '1' };
const a = process.argv.slice(2);
for (let i = 0; i < a.length; i += 2) opt[a[i].replace(/^--/, '')] = a[i + 1];
const fail = (msg) => {
  console.error(`digits_bench: ${msg}`);
  process.exit(1);
};
let pack = fs.readFileSync(opt.pack);
if (pack[0] === 0x1f && pack[1] === 0x8b) pack = zlib.gunzipSync(pack);

// A trainer of the module `name` on the pack, warmed up; run() times `steps` steps.
async function trainer(name) {
  const wasmName = `${name}.wasm`;
  const dir = [path.join(opt['wasm-dir'], 'wasm', 'api'), opt['wasm-dir']].find((d) => fs.existsSync(path.join(d, wasmName)));
  if (!dir) fail(`no ${wasmName} under ${opt['wasm-dir']}`);
  if (name.endsWith('_relaxed') && !hasRelaxedSimd()) {
    fail(`${wasmName}: this node has no relaxed SIMD (node 20: --experimental-wasm-relaxed-simd)`);
  }
  const { default: create } = await import(pathToFileURL(path.resolve(dir, `${name}.js`)).href);
  const M = await create({ wasmBinary: fs.readFileSync(path.join(dir, wasmName)) });
  const err = () => {
    const p = M._drift_last_error();
    let e = p;
    while (M.HEAPU8[e]) e++;
    return `${wasmName}: ${Buffer.from(M.HEAPU8.subarray(p, e)).toString()}`;
  };
  const cstr = (s) => {
    const b = Buffer.from(s + '\0');
    const p = M._drift_malloc(b.length);
    M.HEAPU8.set(b, p);
    return p;
  };
  const h = M._drift_digits_create(cstr(opt.arch), 0, 0, 0);
  if (!h) fail(err());
  const p = M._drift_malloc(pack.length);
  M.HEAPU8.set(pack, p);
  if (M._drift_digits_set_data(h, p, pack.length, cstr(opt.pack)) < 0) fail(err());
  M._drift_free(p);
  if (M._drift_digits_step(h, Number(opt.warmup)) < 0) fail(err());
  const steps = Number(opt.steps);
  return {
    wasmName, params: M._drift_digits_param_count(h), best: Infinity, bestCpu: Infinity,
    run() {
      const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
      if (M._drift_digits_step(h, steps) < 0) fail(err());
      const ms = Number(process.hrtime.bigint() - t0) / 1e6 / steps, c = process.cpuUsage(c0);
      this.best = Math.min(this.best, ms);
      this.bestCpu = Math.min(this.bestCpu, (c.user + c.system) / 1e3 / steps);
    },
  };
}

const trainers = [];
for (const name of opt.module.split(',')) trainers.push(await trainer(name));
for (let r = 0; r < Number(opt.rounds); r++) for (const t of trainers) t.run();
for (const t of trainers) {
  console.log(JSON.stringify({ arch: opt.arch || 'default', steps: Number(opt.steps), step_ms: Number(t.best.toFixed(3)),
    params: t.params, module: t.wasmName, rounds: Number(opt.rounds), cpu_step_ms: Number(t.bestCpu.toFixed(3)) }));
}
