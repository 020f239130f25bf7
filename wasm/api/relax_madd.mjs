// Post-link step of the relaxed-SIMD module (drift_digits_relaxed.wasm; wasm/api/CMakeLists.txt
// runs it after shrink.cmake):
//   node wasm/api/relax_madd.mjs IN.wasm OUT.wasm [--plain]
// Emscripten 3.1.6 (Debian 12, clang 14) encodes its FMA builtin as the relaxed-SIMD proposal's
// old opcode, which engines reject, and has no wasm_f32x4_relaxed_madd. So gemm_blocked.cpp,
// compiled with DRIFT_RELAXED_MADD, calls a placeholder import drift.f32x4_relaxed_madd(a, b, c)
// (= a * b + c). Here binaryen (npm, pinned in package.json) turns that import into a function
// whose body is the one standard instruction f32x4.relaxed_madd (opcode 0xfd 0x105), inlines it
// into its callers and drops it. --plain uses mul + add instead (same passes, no FMA: a control
// for measuring what the FMA alone gives).
// Fails with one line naming IN when there is nothing to rewrite, or a call is left.
import fs from 'node:fs';
import path from 'node:path';
import binaryen from 'binaryen';

const [inPath, outPath, flag] = process.argv.slice(2);
const die = (msg) => {
  console.error(`relax_madd: ${inPath}: ${msg}`);
  process.exit(1);
};
if (!inPath || !outPath || (flag && flag !== '--plain')) {
  console.error('usage: node relax_madd.mjs IN.wasm OUT.wasm [--plain]');
  process.exit(2);
}
const plain = flag === '--plain';
const IMPORT = ['drift', 'f32x4_relaxed_madd'];

const mod = binaryen.readBinary(fs.readFileSync(inPath));
// The output runs only where f32x4.relaxed_madd validates; every engine with relaxed SIMD also
// has these older features, which Emscripten may use (3.1.69 emits sign-extension ops).
const F = binaryen.Features;
mod.setFeatures(F.MVP | F.SIMD128 | F.RelaxedSIMD | F.SignExt | F.BulkMemory |
                F.NontrappingFPToInt | F.MutableGlobals);

let target = null;
for (let i = 0; i < mod.getNumFunctions(); i++) {
  const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
  if (info.module === IMPORT[0] && info.base === IMPORT[1]) target = info;
}
if (!target) die(`no import ${IMPORT.join('.')} (was gemm_blocked.cpp built with DRIFT_RELAXED_MADD?)`);
const v = binaryen.v128;
if (target.params !== binaryen.createType([v, v, v]) || target.results !== v) {
  die(`${IMPORT.join('.')} is not (v128, v128, v128) -> v128`);
}
const callRe = new RegExp(`\\(call \\$${target.name.replace(/[$^.*+?()[\]{}|\\]/g, '\\$&')}\\s`, 'g');
const calls = (mod.emitText().match(callRe) || []).length;
if (calls === 0) die(`${IMPORT.join('.')} is imported but never called`);

mod.removeFunction(target.name);
const get = (i) => mod.local.get(i, v);
const body = plain ? mod.f32x4.add(mod.f32x4.mul(get(0), get(1)), get(2))
  : binaryen._BinaryenSIMDTernary(mod.ptr, binaryen.RelaxedMaddVecF32x4, get(0), get(1), get(2));
mod.addFunction(target.name, target.params, target.results, [], body);
if (!mod.validate()) die('does not validate after the rewrite');

// Inline the one-instruction function everywhere (and tidy the callers), then drop it.
binaryen.setOptimizeLevel(3);
binaryen.setShrinkLevel(0);
mod.runPasses(['inlining-optimizing', 'remove-unused-module-elements']);
if (!mod.validate()) die('does not validate after inlining');

const text = mod.emitText();
const left = (text.match(callRe) || []).length;
const madds = (text.match(/f32x4\.relaxed_madd/g) || []).length;
if (left > 0) die(`${left} of ${calls} calls to the placeholder were not inlined`);
if (!plain && madds === 0) die('no f32x4.relaxed_madd after inlining');
if (new RegExp(`\\(import "${IMPORT[0]}"`).test(text)) die(`an import from "${IMPORT[0]}" is left`);

const tmp = path.join(path.dirname(outPath), `.${path.basename(outPath)}.${process.pid}.tmp`);
fs.writeFileSync(tmp, mod.emitBinary());
fs.renameSync(tmp, outPath);
console.log(`relax_madd: ${path.basename(outPath)}: ${calls} placeholder calls -> ` +
  (plain ? 'f32x4.mul + f32x4.add' : `${madds} f32x4.relaxed_madd`));
