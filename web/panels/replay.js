// Training replay: the same noise and labels pushed through each saved training snapshot,
// so the grid shows digits drifting out of noise as training goes on. Snapshots in files of
// their own (format version 2) are fetched only once this panel is scrolled into view or its
// Load button is pressed, and never before the page's first digits.
import { h, errorText, groupDigits, nextId } from '../lib/dom.js';
import { drawSample } from '../lib/image.js';
import { watchShown } from '../lib/motion.js';
import { Panel } from './panel.js';

const N = 20;          // two rows of ten classes
const SEED = 2026;     // fixed noise: only the weights change between frames
const FRAME_MS = 450;

const mb = (n) => (n / 1e6).toFixed(1);

export default class ReplayPanel extends Panel {
  // ctx.firstDigits: a promise settled once the first digits are on screen (drift-demo.js).
  constructor(host, ctx = {}) {
    super(host, ctx);
    this.firstDigits = ctx.firstDigits || Promise.resolve();
    this.wanted = false;   // shown or asked for: fetch the snapshot files once a model needs them
    this.model = null;
    this.meta = null;
    this.timer = 0;
    this.busy = false;
    const titleId = nextId('replay-title');
    this.slider = h('input', { type: 'range', min: 0, max: 0, step: 1, value: '0', id: nextId('snap') });
    this.slider.addEventListener('input', () => { this.resumeWhenShown = false; this.stop(); this.show(); });
    this.stepOut = h('output', { class: 'val', for: this.slider.id }, '–');
    this.play = h('button', { type: 'button', 'aria-pressed': 'false',
      onclick: () => { this.resumeWhenShown = false; this.toggle(); } }, 'Play');
    this.msg = h('p', { class: 'msg', role: 'alert', hidden: true });
    this.note = h('p', { class: 'note', hidden: true });
    this.loadBtn = h('button', { type: 'button', hidden: true, onclick: () => this.want() }, 'Load snapshots');
    this.progress = h('progress', { class: 'load-progress', max: 1, hidden: true, 'aria-label': 'Snapshot download' });
    this.canvas = h('canvas', { class: 'replay-canvas', width: 280, height: 56, role: 'img',
      'aria-label': 'Digits from the selected training snapshot' });
    this.mount(h('section', { class: 'panel panel-replay', 'aria-labelledby': titleId, 'data-panel': 'replay' },
      h('header', {}, h('h2', { id: titleId }, 'Training replay'),
        h('p', { class: 'sub' }, 'Fixed noise through the weights saved during training.')),
      h('div', { class: 'controls' },
        h('div', { class: 'field grow' },
          h('label', { for: this.slider.id }, 'Snapshot ', this.stepOut), this.slider),
        h('div', { class: 'field' }, h('span', { class: 'label' }, 'Replay'), this.play)),
      this.msg, this.note, h('div', { class: 'inline' }, this.loadBtn), this.progress, this.canvas));
    this.setEnabled(false);
    if (typeof IntersectionObserver === 'function') {
      // Observed only once the first digits are drawn: before that the panels above it are
      // still empty, and this one would count as "in view" on a page that scrolls it away.
      // A quarter in view, not a sliver: a phone shows this panel's top edge at load, and 3 MB of
      // snapshots should wait for a reader who scrolled to it.
      this.seen = new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting)) this.want(); },
        { threshold: 0.25 });
      this.firstDigits.then(() => this.seen && this.seen.observe(this.el));
      this.onDispose(() => { if (this.seen) this.seen.disconnect(); this.seen = null; });
    } else {
      this.want();
    }
    // Playback pauses while the panel is scrolled away or the tab hidden, and goes on after.
    this.onDispose(watchShown(this.el, (shown) => {
      if (!shown && this.timer) { this.stop(); this.resumeWhenShown = true; }
      else if (shown && this.resumeWhenShown) { this.resumeWhenShown = false; this.toggle(); }
    }));
  }

  // The panel is in view or the user asked: fetch the current model's snapshot files.
  want() {
    this.wanted = true;
    if (this.seen) { this.seen.disconnect(); this.seen = null; }
    this.fetchSnapshots();
  }

  async fetchSnapshots() {
    const model = this.model;
    if (!this.wanted || !model || !model.pendingSnapshots || !model.pendingSnapshots().length) return;
    await this.firstDigits;
    if (model !== this.model) return;
    this.loadBtn.hidden = true;
    this.progress.hidden = false;
    this.el.dataset.snapshots = 'loading';
    try {
      // Progress comes per network chunk; the bar and the note change once per frame.
      let latest = null;
      const showProgress = () => {
        const [got, total, done] = latest;
        latest = null;
        if (model !== this.model) return;
        this.progress.value = total ? got / total : 0;
        this.note.textContent = `Loading training snapshots… ${mb(got)} of ${mb(total)} MB (${done} of ${this.meta.snapshots.length})`;
      };
      await model.loadSnapshots({ onProgress: (...p) => {
        if (!latest) requestAnimationFrame(showProgress);
        latest = p;
      } });
    } catch (e) {
      if (model !== this.model) return;
      this.progress.hidden = true;
      this.loadBtn.hidden = false;
      this.el.dataset.snapshots = 'error';
      this.showError(`Could not load the snapshots: ${errorText(e)}`);
      return;
    }
    if (model !== this.model) return;
    this.progress.hidden = true;
    this.note.hidden = true;
    this.el.dataset.snapshots = 'loaded';
    this.showError('');
    this.setEnabled(true);
    this.slider.value = '0';
    this.show();
  }

  suspend() { this.resumeWhenShown = false; this.stop(); }

  setEnabled(on) { this.slider.disabled = !on; this.play.disabled = !on; }

  showError(text) { this.msg.hidden = !text; this.msg.textContent = text || ''; }

  setModel(model, meta) {
    this.stop();
    this.model = model;
    this.meta = meta;
    // Frames: every snapshot, then the final weights (snapshot undefined).
    this.frames = meta.snapshots.map((s) => ({ snapshot: s.name, step: s.step }))
      .concat([{ snapshot: undefined, step: meta.totalSteps, final: true }]);
    const { w, h: ih } = meta.shape;
    this.canvas.width = w * 10;
    this.canvas.height = ih * Math.ceil(N / 10);
    this.slider.max = String(this.frames.length - 1);
    this.slider.value = String(this.frames.length > 1 ? 0 : 0);
    const none = meta.snapshots.length === 0;
    const pending = none || !model.pendingSnapshots ? [] : model.pendingSnapshots();
    this.note.hidden = !none && !pending.length;
    this.note.textContent = none ? 'This model carries no training snapshots; only the final weights are shown.'
      : pending.length ? `${meta.snapshots.length} training snapshots (${mb(pending.reduce((a, s) => a + s.bytes, 0))} MB) load when this panel is shown.` : '';
    this.loadBtn.hidden = !pending.length;
    this.progress.hidden = true;
    this.el.dataset.snapshots = pending.length ? 'pending' : 'loaded';
    this.showError('');
    this.setEnabled(!none && !pending.length);
    // Until the snapshots are here, the final weights (the last frame) are what can be shown.
    if (pending.length) this.slider.value = this.slider.max;
    this.show();
    if (pending.length) this.fetchSnapshots();
  }

  labels() {
    const k = this.meta.numClasses;
    return Int32Array.from({ length: N }, (_, i) => (k ? i % Math.min(10, k) : -1));
  }

  async show() {
    if (!this.model || this.busy) { this.again = true; return; }
    this.busy = true;
    try {
      do {
        this.again = false;
        const f = this.frames[Number(this.slider.value)];
        const out = await this.model.generate({ labels: this.labels(), alpha: 1.25, seed: SEED,
          snapshot: f.snapshot });
        this.paint(out.pixels);
        this.stepOut.textContent = f.final
          ? `final${f.step ? ` (step ${groupDigits(f.step)})` : ''}`
          : `step ${groupDigits(f.step)}`;
        this.canvas.dataset.frame = String(this.slider.value);
        this.msg.hidden = true;
      } while (this.again);
    } catch (e) {
      this.stop();
      this.showError(`Could not replay: ${errorText(e)}`);
    } finally {
      this.busy = false;
    }
  }

  paint(pixels) {
    const { shape, range } = this.meta;
    const img = new ImageData(this.canvas.width, this.canvas.height);
    for (let i = 0; i < N; i++) drawSample(img, (i % 10) * shape.w, Math.floor(i / 10) * shape.h, pixels, i, shape, range);
    this.canvas.getContext('2d').putImageData(img, 0, 0);
  }

  toggle() {
    if (this.timer) { this.stop(); return; }
    if (Number(this.slider.value) >= this.frames.length - 1) this.slider.value = '0';
    this.play.setAttribute('aria-pressed', 'true');
    this.play.textContent = 'Pause';
    this.show();
    this.timer = setInterval(() => {
      const next = Number(this.slider.value) + 1;
      if (next >= this.frames.length) { this.stop(); return; }
      this.slider.value = String(next);
      this.show();
    }, FRAME_MS);
  }

  stop() {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = 0;
    this.play.setAttribute('aria-pressed', 'false');
    this.play.textContent = 'Play';
  }
}
