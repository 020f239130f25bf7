// The toy trainer in the wasm module, through web/drift.js: training lowers the distance,
// the API's shapes and errors.   node toy.test.mjs --wasm-dir build/wasm
import { args, loadCore, check, done } from './common.mjs';

const drift = await loadCore(args()['wasm-dir']);

// The page lists the core's toy sets (drift_toy_names), in the core's order.
const names = drift.toyTargets();
check(names.join() === 'checkerboard,swissroll,8gaussians,moons,bimodal', `toyTargets(): ${names.join(', ')}`);

for (const [target, init] of [['checkerboard', 'far'], ['8gaussians', 'middle']]) {
  const t = drift.createToyTrainer({ target, init, n: 256, seed: 2, tau: 0.05 });
  const d0 = t.distance();
  const t0 = performance.now();
  t.step(300);
  const ms = (performance.now() - t0) / 300;
  const d1 = t.distance();
  check(t.stepCount === 300, `${target}/${init}: stepCount 300`);
  check(d1 < 0.1 * d0 && d1 < 0.15, `${target}/${init}: distance ${d0.toFixed(3)} -> ${d1.toFixed(4)} in 300 steps (${ms.toFixed(1)} ms/step)`);
  t.dispose();
}

const t = drift.createToyTrainer({ target: 'bimodal', init: 'far', n: 128, seed: 1, hidden: 64 });
const g = t.generated(), y = t.targets(), v = t.field();
check(g.length === 256 && y.length === 256 && v.length === 256, 'generated/targets/field are [n*2]');
check(g.every(Number.isFinite) && v.every(Number.isFinite), 'all finite');
let toward = 0;
for (let i = 0; i < 128; i++) toward += v[2 * i] < 0 && v[2 * i + 1] < 0;
check(toward === 128, `far init: all ${toward}/128 arrows point back toward the data`);
// collapsed init: every point nearly the same
t.reset('collapsed');
const c = t.generated();
let spread = 0;
for (let i = 0; i < c.length; i += 2) spread = Math.max(spread, Math.hypot(c[i] - c[0], c[i + 1] - c[1]));
check(t.stepCount === 0 && spread < 0.02, `reset('collapsed'): step 0, spread ${spread.toExponential(2)}`);
t.setTarget([[0, 0], [2, 2], [-2, 1]]);
check(t.targets().length === 6, 'setTarget(points) shows the points');
const dp = t.distance();
t.step(200);
check(t.distance() < 0.3 * dp, `trains on user points: ${dp.toFixed(3)} -> ${t.distance().toFixed(4)}`);
t.setTemperature(0.2);
t.step(1);
check(t.stepCount === 201, 'setTemperature keeps training state');

const errs = [
  [() => t.setTarget('spiral'), /^toy data: unknown set 'spiral' \(known: checkerboard, swissroll, 8gaussians, moons, bimodal\)$/],
  [() => t.reset('nowhere'), /^toy init: unknown init 'nowhere'/],
  [() => t.setTemperature(0), /^toy trainer: temperatures must be > 0$/],
  [() => t.setTarget([1, NaN]), /finite/],
  [() => drift.createToyTrainer({ n: 1 }), /n must be in \[2, 8192\]/],
  [() => drift.createToyTrainer({ lr: -1 }), /lr must be > 0/],
  [() => drift.createToyTrainer({ hidden: 5000 }), /hidden must be in/],
];
for (const [fn, re] of errs) {
  let msg = '';
  try { fn(); } catch (e) { msg = e.message; }
  check(re.test(msg), `error line: "${msg}"`);
}
check(t.stepCount === 201, 'a rejected call leaves the trainer as it was');
t.dispose();
let msg = '';
try { t.step(1); } catch (e) { msg = e.message; }
check(/disposed/.test(msg), 'step after dispose rejected');
done();
