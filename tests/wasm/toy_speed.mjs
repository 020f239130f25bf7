// Measurement, not a test: toy trainer ms/step in the wasm module through web/drift.js.
//   node tests/wasm/toy_speed.mjs --wasm-dir build/wasm
import { args, loadCore } from './common.mjs';

const drift = await loadCore(args()['wasm-dir'] ?? 'build/wasm');
for (const [n, hidden] of [[512, 128], [512, 64], [256, 128], [256, 64]]) {
  const t = drift.createToyTrainer({ target: 'checkerboard', init: 'far', n, hidden, seed: 1 });
  t.step(2);
  let best = Infinity;
  for (let r = 0; r < 10; r++) {
    const t0 = performance.now();
    t.step(4);
    best = Math.min(best, (performance.now() - t0) / 4);
  }
  let bd = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    t.distance();
    t.field();
    bd = Math.min(bd, performance.now() - t0);
  }
  console.log(`n=${n} hidden=${hidden}: ${best.toFixed(1)} ms/step (best of 10x4), distance()+field() ${bd.toFixed(1)} ms`);
  t.dispose();
}
