// The digits panel's state in the location hash, #class=7&alpha=1.5&seed=42 (any subset;
// other keys are kept). Pure functions, so that the parsing rules are tested under node.

const SEED_MAX = 2147483647;   // the seed input's max

/**
 * Reads class, α and seed from a hash. Values that make no sense are dropped (class, seed)
 * or clamped into [alphaMin, alphaMax] (α); nothing here throws.
 * @param {string} hash  location.hash, with or without '#'
 * @param {{classes: number, alphaMin: number, alphaMax: number}} limits
 * @returns {{cls?: string, alpha?: number, seed?: number}}  cls: 'mixed' or '0'..'classes-1'
 */
export function readHashState(hash, { classes, alphaMin, alphaMax }) {
  const p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const out = {};
  const c = p.get('class');
  if (c === 'mixed') out.cls = 'mixed';
  else if (c !== null && /^\d+$/.test(c) && Number(c) < classes) out.cls = String(Number(c));
  const a = p.get('alpha');
  if (a !== null && a.trim() !== '' && Number.isFinite(Number(a)))
    out.alpha = Math.min(alphaMax, Math.max(alphaMin, Number(a)));
  const s = p.get('seed');
  if (s !== null && /^\d+$/.test(s) && Number(s) <= SEED_MAX) out.seed = Number(s);
  return out;
}

/**
 * The hash with class, α and seed set, other keys as they were.
 * @param {string} hash @param {{cls: string, alpha: number, seed: number}} st @returns {string}
 */
export function writeHashState(hash, { cls, alpha, seed }) {
  const p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  p.set('class', cls);
  p.set('alpha', String(Number(alpha.toFixed(2))));
  p.set('seed', String(seed));
  return `#${p.toString()}`;
}
