// Digits panel: a grid of generated digits with class, guidance α, seed, re-roll and a
// latent morph. One network evaluation per digit, so the whole grid is one generate() call.
import { h, slider, select, field, errorText, nextId } from '../lib/dom.js';
import { toImageData, drawSample, upscale } from '../lib/image.js';
import { gaussianNoise, slerp, ease } from '../lib/noise.js';
import { reducedMotion, watchShown } from '../lib/motion.js';
import { readHashState, writeHashState } from '../lib/url-state.js';
import { Panel } from './panel.js';

const COLS = 10;
const ROWS = 4;
const GAP = 2;            // canvas pixels between digits in the grid's one canvas
const MORPH_MS = 1600;    // one morph leg; time-based, so slow models skip frames, not time

// tileAt(i, shape) -> [x, y]: top-left canvas pixel of digit i in the grid's one canvas.
const tileAt = (i, { w, h }) => [(i % COLS) * (w + GAP), Math.floor(i / COLS) * (h + GAP)];

export default class DigitsPanel extends Panel {
  // ctx.urlState: class, α and seed live in the page's location hash (#class=7&alpha=1.5&seed=42);
  // ctx.onFirstRender(): called once the first grid is painted.
  constructor(host, ctx = {}) {
    super(host, ctx);
    const { onFirstRender, urlState = false } = ctx;
    this.urlState = urlState;
    this.model = null;
    this.meta = null;
    this.onFirstRender = onFirstRender;
    this.pending = false;
    this.morph = null;
    this.last = null;   // {pixels, labels} of the shown grid, for enlarge/download

    const titleId = nextId('digits-title');
    this.cls = select('Class', [['mixed', 'Mixed (0–9)']], {
      value: 'mixed', onchange: () => this.render() });
    // 1.25: the smallest α at which the shipped model reaches 99% accuracy (docs/results.md).
    this.alpha = slider('Guidance α', { min: 1, max: 4, step: 0.05, value: 1.25,
      fmt: (v) => v.toFixed(2), oninput: () => this.render() });
    this.seed = h('input', { type: 'number', min: 0, max: 2147483647, step: 1, value: '1',
      inputmode: 'numeric' });
    this.seed.addEventListener('change', () => this.render());
    this.reroll = h('button', { type: 'button', onclick: () => {
      this.seed.value = String(Math.floor(Math.random() * 1e6));
      this.render();
    } }, 'Re-roll');
    this.morphBtn = h('button', { type: 'button', 'aria-pressed': 'false',
      title: 'Walk smoothly through noise space (spherical interpolation between noise vectors)',
      onclick: () => this.toggleMorph() }, 'Morph');
    this.copyBtn = h('button', { type: 'button', hidden: !urlState,
      title: 'Copy a link to this page with the class, α and seed shown',
      onclick: () => this.copyLink() }, 'Copy link');
    this.readout = h('p', { class: 'readout', 'aria-live': 'polite' }, ' ');
    this.msg = h('p', { class: 'msg', role: 'alert', hidden: true });
    // The digits are drawn into one canvas, GAP pixels apart, with a button over each: one
    // putImageData and one image for the page's first paint instead of forty (forty small
    // canvases took 20-40 ms to fill and made that frame a task of over 50 ms).
    this.canvas = h('canvas', { class: 'digit-canvas', 'aria-hidden': 'true' });
    this.grid = h('div', { class: 'digit-grid', role: 'list', 'aria-label': 'Generated digits' }, this.canvas);
    this.cells = [];
    // One tab stop for the whole grid; the arrow keys, Home and End move between digits.
    for (let i = 0; i < COLS * ROWS; i++) {
      const btn = h('button', { type: 'button', class: 'digit', tabindex: i === 0 ? '0' : '-1',
        onclick: () => this.enlarge(i) });
      btn.addEventListener('keydown', (e) => this.gridKey(e, i));
      const cell = h('div', { role: 'listitem', class: 'cell' }, btn);
      this.cells.push({ btn, cell });
      this.grid.append(cell);
    }
    this.layoutGrid({ w: 28, h: 28 });
    this.dialog = this.makeDialog();

    this.mount(h('section', { class: 'panel panel-digits', 'aria-labelledby': titleId,
      'data-panel': 'digits' },
      h('header', {}, h('h2', { id: titleId }, 'Digits'),
        h('p', { class: 'sub' }, 'Each digit is one forward pass of the generator: noise, class and α in, image out.')),
      h('div', { class: 'controls' },
        this.cls.row, this.alpha.row,
        h('div', { class: 'field seed-field' }, h('label', { for: (this.seed.id = nextId('seed')) }, 'Seed'),
          h('div', { class: 'inline' }, this.seed, this.reroll))),
      this.msg, this.grid,
      h('div', { class: 'grid-foot' }, this.readout, h('div', { class: 'inline' }, this.copyBtn, this.morphBtn)),
      this.dialog));
    this.setEnabled(false);
    // The morph pauses while the panel is scrolled away or the tab hidden, and goes on after.
    this.onDispose(watchShown(this.el, (shown) => (shown ? this.resumeMorph() : this.pauseMorph())));
    if (urlState) this.listen(window, 'hashchange', () => { if (this.applyHash()) this.render(); });
  }

  suspend() { this.stopMorph(); }

  setEnabled(on) {
    for (const c of [this.cls.select, this.alpha.input, this.seed, this.reroll, this.morphBtn, this.copyBtn])
      c.disabled = !on;
  }

  showError(text) {
    this.msg.hidden = !text;
    this.msg.textContent = text || '';
  }

  setModel(model, meta) {
    this.stopMorph();
    this.model = model;
    this.meta = meta;
    const opts = [['mixed', meta.numClasses ? 'Mixed (all classes)' : 'Unconditional']]
      .concat(meta.classNames.map((n, i) => [String(i), n]));
    this.cls.select.replaceChildren(...opts.map(([v, t]) => h('option', { value: v }, t)));
    this.cls.select.disabled = meta.numClasses === 0;
    this.layoutGrid(meta.shape);
    // α slider spans the trained guidance range (at least 1..2; larger α extrapolates).
    const amax = Math.max(2, Math.min(8, (meta.alphaRange && meta.alphaRange[1]) || 4));
    this.alpha.input.max = String(amax);
    if (Number(this.alpha.input.value) > amax) this.alpha.set(amax);
    this.showError('');
    this.setEnabled(true);
    if (meta.numClasses === 0) this.cls.select.disabled = true;
    if (!this.hashRead) { this.hashRead = true; this.applyHash(); }
    this.render();
  }

  // Class, α and seed from the location hash; values out of range are clamped (α) or ignored
  // (class, seed). Returns whether anything changed.
  applyHash() {
    if (!this.urlState || !this.meta) return false;
    const st = readHashState(location.hash, { classes: this.meta.numClasses,
      alphaMin: Number(this.alpha.input.min), alphaMax: Number(this.alpha.input.max) });
    let changed = false;
    if (st.cls !== undefined && st.cls !== this.cls.select.value) { this.cls.select.value = st.cls; changed = true; }
    if (st.alpha !== undefined && st.alpha !== Number(this.alpha.input.value)) { this.alpha.set(st.alpha); changed = true; }
    if (st.seed !== undefined && st.seed !== this.seedValue()) { this.seed.value = String(st.seed); changed = true; }
    return changed;
  }

  // The shown class, α and seed into the hash, without a history entry per slider step.
  saveHash() {
    if (!this.urlState) return;
    const hash = writeHashState(location.hash, { cls: this.cls.select.value,
      alpha: Number(this.alpha.input.value), seed: this.seedValue() });
    if (hash !== location.hash) history.replaceState(history.state, '', hash);
  }

  async copyLink() {
    this.saveHash();
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      this.readout.textContent = 'Link copied.';
    } catch {
      this.readout.textContent = `Link: ${url}`;   // no clipboard access here: show it to copy by hand
    }
  }

  // Arrow keys move along the grid, Home/End to its ends (roving tabindex).
  gridKey(e, i) {
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLS, ArrowUp: -COLS };
    let j;
    if (e.key in moves) j = i + moves[e.key];
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = this.cells.length - 1;
    else return;
    e.preventDefault();
    if (j < 0 || j >= this.cells.length) return;
    this.cells[i].btn.tabIndex = -1;
    this.cells[j].btn.tabIndex = 0;
    this.cells[j].btn.focus();
  }

  labels() {
    const n = COLS * ROWS;
    const k = this.meta.numClasses;
    if (!k) return new Int32Array(n).fill(-1);
    const v = this.cls.select.value;
    return Int32Array.from({ length: n }, (_, i) => (v === 'mixed' ? i % Math.min(COLS, k) : Number(v)));
  }

  seedValue() {
    const s = Math.floor(Number(this.seed.value));
    return Number.isFinite(s) && s >= 0 ? s : 0;
  }

  // Coalesce bursts of slider events into one generate() per animation frame, and never
  // queue more than one behind the one in flight (the generator runs in a worker).
  render() {
    if (!this.model) return;
    this.saveHash();
    if (this.morph) { this.stopMorph(); }
    if (this.pending || this.drawing) { this.again = true; return; }
    this.pending = true;
    requestAnimationFrame(async () => {
      this.pending = false;
      this.drawing = true;
      try { await this.draw({ seed: this.seedValue() }); } finally { this.drawing = false; }
      if (this.again) { this.again = false; this.render(); }
    });
  }

  async draw(opts) {
    const labels = this.labels();
    try {
      const out = await this.model.generate(Object.assign({ labels,
        alpha: Number(this.alpha.input.value) }, opts));
      this.paintGrid(out.pixels, labels);
      const n = labels.length;
      this.readout.textContent = `${n} digits in ${out.ms.toFixed(1)} ms`;
      this.readout.dataset.ms = String(out.ms);
      this.showError('');
      if (this.onFirstRender) { const f = this.onFirstRender; this.onFirstRender = null; f(out.ms); }
    } catch (e) {
      this.stopMorph();
      this.showError(`Could not generate: ${errorText(e)}`);
    }
  }

  // The canvas holds COLS × ROWS tiles of w × h pixels, GAP apart; each cell (its button) is
  // placed over its tile in percentages, so the two scale together. data-tile and data-gap
  // say where the tiles are, for the tests that read them.
  layoutGrid({ w, h }) {
    const W = COLS * w + (COLS - 1) * GAP, H = ROWS * h + (ROWS - 1) * GAP;
    if (this.canvas.width === W && this.canvas.height === H) return;
    Object.assign(this.canvas, { width: W, height: H });
    Object.assign(this.canvas.dataset, { tile: `${w}x${h}`, gap: String(GAP), cols: String(COLS) });
    this.grid.style.aspectRatio = `${W} / ${H}`;
    const pct = (v, of) => `${(100 * v / of).toFixed(4)}%`;
    this.cells.forEach(({ cell }, i) => {
      const [x, y] = tileAt(i, { w, h });
      Object.assign(cell.style, { left: pct(x, W), top: pct(y, H), width: pct(w, W), height: pct(h, H) });
    });
  }

  paintGrid(pixels, labels) {
    const { shape, range, classNames } = this.meta;
    this.last = { pixels, labels, seed: this.seedValue() };
    const img = new ImageData(this.canvas.width, this.canvas.height);
    this.cells.forEach(({ btn }, i) => {
      drawSample(img, ...tileAt(i, shape), pixels, i, shape, range);
      const name = labels[i] >= 0 ? `class ${classNames[labels[i]]}` : 'unconditional';
      btn.setAttribute('aria-label', `Digit ${i + 1}, ${name}: enlarge`);
    });
    this.canvas.getContext('2d').putImageData(img, 0, 0);
    this.grid.dataset.renders = String(Number(this.grid.dataset.renders || 0) + 1);
  }

  // Morph: a walk through noise space, one leg of MORPH_MS from noise a to noise b, then on.
  // The button pauses it where it is and resumes it; any other control ends it. With reduced
  // motion the grid jumps from one end point to the next instead of tweening.
  toggleMorph() {
    if (this.morph) {
      if (this.morph.paused) this.resumeMorph(true); else this.pauseMorph(true);
      return;
    }
    const { latentDim } = this.meta;
    if (!latentDim) { this.showError('This model does not report its latent size, so it cannot morph.'); return; }
    const n = COLS * ROWS;
    let seed = this.seedValue() * 7919 + 1;
    const m = { a: gaussianNoise(n, latentDim, seed), b: gaussianNoise(n, latentDim, seed + 1),
      buf: new Float32Array(n * latentDim), t0: performance.now(), raf: 0, paused: false, leg: -1, legs: 0 };
    m.tick = async () => {
      if (this.morph !== m || m.paused) return;
      let u = (performance.now() - m.t0) / MORPH_MS;
      if (u >= 1) {   // next leg: the end point becomes the start
        m.t0 += MORPH_MS * Math.floor(u); u %= 1;
        m.a = m.b; seed += 1; m.b = gaussianNoise(n, latentDim, seed + 1);
        m.legs++;
      }
      if (!reducedMotion()) await this.draw({ noise: slerp(m.a, m.b, ease(u), latentDim, m.buf) });
      else if (m.leg !== m.legs) { m.leg = m.legs; await this.draw({ noise: m.a }); }
      if (this.morph === m && !m.paused) m.raf = requestAnimationFrame(m.tick);
    };
    this.morph = m;
    this.showMorphState(true);
    m.raf = requestAnimationFrame(m.tick);
  }

  // byUser: the Pause button. Otherwise the panel left the view and resumes when back.
  pauseMorph(byUser = false) {
    const m = this.morph;
    if (!m || m.paused) return;
    m.paused = byUser ? 'user' : 'hidden';
    m.elapsed = performance.now() - m.t0;
    cancelAnimationFrame(m.raf);
    if (byUser) this.showMorphState(false);
  }

  resumeMorph(byUser = false) {
    const m = this.morph;
    if (!m || !m.paused || (m.paused === 'user' && !byUser)) return;
    m.paused = false;
    m.t0 = performance.now() - m.elapsed;
    this.showMorphState(true);
    m.raf = requestAnimationFrame(m.tick);
  }

  showMorphState(running) {
    this.morphBtn.setAttribute('aria-pressed', String(running));
    this.morphBtn.textContent = running ? 'Pause morph' : 'Morph';
  }

  stopMorph() {
    if (!this.morph) return;
    cancelAnimationFrame(this.morph.raf);
    this.morph = null;
    this.showMorphState(false);
  }

  makeDialog() {
    const titleId = nextId('dlg');
    this.bigHolder = h('div', { class: 'big' });
    this.dlgTitle = h('h3', { id: titleId }, 'Digit');
    this.download = h('a', { class: 'button', download: 'digit.png', href: '#' }, 'Download PNG');
    const close = h('button', { type: 'button', onclick: () => this.dialog.close() }, 'Close');
    const dlg = h('dialog', { class: 'enlarge', 'aria-labelledby': titleId },
      this.dlgTitle, this.bigHolder, h('div', { class: 'inline' }, this.download, close));
    dlg.addEventListener('click', (e) => { if (e.target === dlg) dlg.close(); });
    // Focus stays inside the dialog (showModal() alone lets Tab leave for the browser's own
    // controls) and goes back to the digit enlarged when it closes.
    dlg.addEventListener('keydown', (e) => {
      if (e.key !== 'Tab') return;
      const items = [this.download, close];
      const at = items.indexOf(dlg.getRootNode().activeElement);
      if (e.shiftKey ? at <= 0 : at === items.length - 1) {
        e.preventDefault();
        items[e.shiftKey ? items.length - 1 : 0].focus();
      }
    });
    dlg.addEventListener('close', () => { if (this.opener) this.opener.focus(); this.opener = null; });
    return dlg;
  }

  enlarge(i) {
    if (!this.last) return;
    const { pixels, labels, seed } = this.last;
    const img = toImageData(pixels, i, this.meta.shape, this.meta.range);
    const big = upscale(img, 280);
    big.setAttribute('role', 'img');
    const name = labels[i] >= 0 ? this.meta.classNames[labels[i]] : 'unconditional';
    big.setAttribute('aria-label', `Enlarged digit, class ${name}`);
    this.bigHolder.replaceChildren(big);
    this.dlgTitle.textContent = `Class ${name} · seed ${seed} · α ${Number(this.alpha.input.value).toFixed(2)}`;
    this.download.href = upscale(img, 280).toDataURL('image/png');
    this.download.download = `drift-${name}-seed${seed}-${i + 1}.png`;
    this.opener = this.cells[i].btn;
    this.dialog.showModal();
  }
}
