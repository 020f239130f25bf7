// The interface every page panel has (HACKING.md, "A page panel"): drift-demo.js creates each
// as `new module.default(host, ctx)` and calls only setModel, showError, suspend and dispose.
export class Panel {
  #cleanups = [];

  /** @param {Element} host the panel's slot @param {Object} ctx the element's services */
  constructor(host, ctx = {}) {
    this.host = host;
    this.ctx = ctx;
    this.el = null;
    this.disposed = false;
  }

  /** Puts the panel's section into its slot. @param {HTMLElement} el */
  mount(el) {
    this.el = el;
    this.host.append(el);
  }

  /** fn() runs on dispose(), last registered first (e.g. what watchShown returns). */
  onDispose(fn) {
    this.#cleanups.push(fn);
    return fn;
  }

  /** addEventListener, undone by dispose(): for targets that outlive the panel. */
  listen(target, type, fn, opts) {
    target.addEventListener(type, fn, opts);
    this.onDispose(() => target.removeEventListener(type, fn, opts));
  }

  setModel() {}

  showError() {}

  suspend() {}

  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.suspend();
    for (const fn of this.#cleanups.splice(0).reverse()) {
      try { fn(); } catch { /* one failing cleanup must not keep the others from running */ }
    }
    if (this.el) this.el.remove();
  }
}
