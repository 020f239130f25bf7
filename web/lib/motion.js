// When a panel may animate: only while it is near the viewport and the tab is visible, and,
// for a reader who asked the system for reduced motion, only once they press play.

const reduceQuery = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;

/** Whether the reader asked for reduced motion (checked at each call: the setting can change). */
export const reducedMotion = () => !!(reduceQuery && reduceQuery.matches);

/**
 * Calls onChange(true|false) whenever `el` becomes shown (within `margin` of the viewport, in
 * a visible tab) or hidden. Animations pause on false and resume on true where they were.
 * Returns a function that stops watching.
 * @param {Element} el @param {function(boolean): void} onChange @param {string} [margin]
 */
export function watchShown(el, onChange, margin = '100px') {
  let near = true, shown = true;
  const update = () => {
    const now = near && document.visibilityState !== 'hidden';
    if (now !== shown) { shown = now; onChange(now); }
  };
  let io = null;
  if (typeof IntersectionObserver === 'function') {
    io = new IntersectionObserver((es) => { near = es[es.length - 1].isIntersecting; update(); },
      { rootMargin: margin });
    io.observe(el);
  }
  document.addEventListener('visibilitychange', update);
  return () => {
    if (io) io.disconnect();
    document.removeEventListener('visibilitychange', update);
  };
}

/**
 * Resolves once `el` is first within `margin` of the viewport (at once without
 * IntersectionObserver): for work that only a reader looking at the panel needs.
 * @param {Element} el @param {string} [margin] @returns {Promise<void>}
 */
export function whenNear(el, margin = '200px') {
  if (typeof IntersectionObserver !== 'function') return Promise.resolve();
  return new Promise((ok) => {
    const io = new IntersectionObserver((es) => {
      if (es.some((e) => e.isIntersecting)) { io.disconnect(); ok(); }
    }, { rootMargin: margin });
    io.observe(el);
  });
}
