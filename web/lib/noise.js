// The page's one random source: latent noise where the page needs explicit vectors (the
// latent morph) and the jitter of a drawn 2D target. Plain grids use generate({seed}) so the
// core's own RNG decides the noise.

// uniformRng(seed) -> () => uniform in [0, 1). mulberry32: 32-bit state, full period 2^32;
// plenty for a few thousand normals.
export function uniformRng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// gaussianNoise(n, dim, seed) -> Float32Array [n*dim] of N(0,1) (Box-Muller).
export function gaussianNoise(n, dim, seed) {
  const u = uniformRng(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    const th = 2 * Math.PI * u();
    out[i] = r * Math.cos(th);
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

// slerp(a, b, t, dim) -> [n*dim]: per-sample spherical interpolation. Gaussian vectors have
// norm ~sqrt(dim); a straight line would pass through shorter (atypical) vectors midway,
// which a generator renders as washed-out digits, while slerp stays on the typical shell.
export function slerp(a, b, t, dim, out = new Float32Array(a.length)) {
  for (let s = 0; s < a.length; s += dim) {
    let dot = 0, na = 0, nb = 0;
    for (let j = 0; j < dim; j++) {
      dot += a[s + j] * b[s + j]; na += a[s + j] ** 2; nb += b[s + j] ** 2;
    }
    const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(na * nb || 1)));
    const om = Math.acos(cos);
    const so = Math.sin(om);
    const wa = so < 1e-6 ? 1 - t : Math.sin((1 - t) * om) / so;
    const wb = so < 1e-6 ? t : Math.sin(t * om) / so;
    for (let j = 0; j < dim; j++) out[s + j] = wa * a[s + j] + wb * b[s + j];
  }
  return out;
}

// Smooth 0..1..0 easing so the morph lingers on each endpoint digit.
export const ease = (t) => t * t * (3 - 2 * t);
