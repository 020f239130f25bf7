// 2D drift, live: a small generator trained in the browser by the core's toy trainer.
// Each animation frame runs `speed` training steps, then draws data (blue) and generated
// (orange) points and, optionally, the drift field V as arrows on the generated points.
import { h, slider, select, errorText, fmtNum, groupDigits, nextId } from '../lib/dom.js';
import { gaussianNoise, uniformRng } from '../lib/noise.js';
import { watchShown, whenNear } from '../lib/motion.js';
import { Panel } from './panel.js';

// The toy sets come from the core (drift.toyTargets()); these are only their display names.
// A set without one here is listed under its own name.
const TARGET_LABELS = { checkerboard: 'Checkerboard', swissroll: 'Swiss roll', '8gaussians': '8 Gaussians',
  moons: 'Two moons', bimodal: 'Bimodal' };
const DRAW = ['draw', 'Draw your own…'];
const INITS = [['middle', 'Middle'], ['far', 'Far away'], ['collapsed', 'Collapsed']];
const TAUS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];
const N = 512;
const MIN_BOX = 3.5;   // the view always shows at least [-3.5, 3.5]^2 (all toy sets fit)

export default class Drift2DPanel extends Panel {
  // ctx.drift: the core (its toy module holds the trainer); ctx.firstDigits: on a page that
  // shows digits, the toy module waits for them (see below).
  constructor(host, ctx = {}) {
    super(host, ctx);
    const drift = ctx.drift;
    this.drift = drift;
    this.trainer = null;
    this.playing = false;
    this.raf = 0;
    this.drawing = [];       // strokes in world coordinates: [[x,y,x,y,...], ...]
    this.view = { x0: -MIN_BOX, x1: MIN_BOX, y0: -MIN_BOX, y1: MIN_BOX };
    const titleId = nextId('d2-title');

    this.target = select('Target', [], { onchange: (v) => this.onTarget(v) });
    this.target.select.disabled = true;   // until the toy module lists its sets
    this.init = select('Start', INITS, { value: 'middle', onchange: () => this.reset() });
    this.speed = slider('Steps per frame', { min: 1, max: 20, step: 1, value: 4 });
    this.tau = slider('Temperature τ', { min: 0, max: TAUS.length - 1, step: 1, value: 2,
      fmt: (i) => String(TAUS[i]), oninput: (i) => this.setTau(TAUS[i]) });
    this.arrows = h('input', { type: 'checkbox', id: nextId('arrows') });
    this.arrows.addEventListener('change', () => this.redraw());
    this.playBtn = h('button', { type: 'button', class: 'primary', 'aria-pressed': 'false',
      onclick: () => { this.resumeWhenShown = false; if (this.playing) this.pause(); else this.play(); } }, 'Play');
    this.stepBtn = h('button', { type: 'button', onclick: () => { this.pause(); this.advance(1); } }, 'Step');
    this.resetBtn = h('button', { type: 'button', onclick: () => this.reset() }, 'Reset');
    this.useDrawing = h('button', { type: 'button', class: 'primary', onclick: () => this.applyDrawing() },
      'Train on drawing');
    this.clearDrawing = h('button', { type: 'button', onclick: () => {
      this.pause(); this.drawing = []; this.points = null; this.updateStats(); this.redraw(); } },
      'Clear drawing');
    this.drawBar = h('div', { class: 'inline draw-bar', hidden: true },
      h('span', { class: 'hint' }, 'Draw a shape on the canvas with mouse or finger.'),
      this.useDrawing, this.clearDrawing);

    this.canvas = h('canvas', { class: 'd2-canvas', width: 480, height: 480, role: 'img',
      'aria-label': 'Data points in blue, generated points in orange' });
    this.stepOut = h('output', {}, '0');
    this.distOut = h('output', {}, '–');
    this.rateOut = h('output', { class: 'rate' }, '');
    this.msg = h('p', { class: 'msg', role: 'alert', hidden: true });

    this.mount(h('section', { class: 'panel panel-drift2d', 'aria-labelledby': titleId, 'data-panel': 'drift2d' },
      h('header', {}, h('h2', { id: titleId }, '2D drift, live'),
        h('p', { class: 'sub' }, 'A tiny generator trained in your browser: each step moves its samples along the drift field V, attracted by data, repelled by each other.')),
      h('div', { class: 'd2-layout' },
        h('div', { class: 'd2-stage' }, this.canvas,
          h('div', { class: 'legend' },
            h('span', { class: 'dot data' }), 'data ', h('span', { class: 'dot gen' }), 'generated',
            h('span', { class: 'stats' }, 'step ', this.stepOut, ' · distance ', this.distOut, this.rateOut))),
        h('div', { class: 'controls column' },
          this.target.row, this.drawBar, this.init.row,
          h('div', { class: 'inline buttons' }, this.playBtn, this.stepBtn, this.resetBtn),
          this.speed.row, this.tau.row,
          h('div', { class: 'field check' }, this.arrows,
            h('label', { for: this.arrows.id }, 'Show drift arrows V')))),
      this.msg));

    this.installDrawing();
    const ro = new ResizeObserver(() => this.fitCanvas());
    ro.observe(this.canvas);
    this.onDispose(() => ro.disconnect());
    // Colours come from CSS custom properties; repaint when the colour scheme flips.
    this.listen(matchMedia('(prefers-color-scheme: dark)'), 'change', () => this.redraw());
    // The trainer lives in the toy module (drift_toy.wasm), which only this panel fetches, and
    // only after the first digits (its 29 KB would otherwise share the link with the model)
    // and once the panel is near the viewport (its first steps run unoptimised wasm).
    (ctx.firstDigits || Promise.resolve()).then(() => whenNear(this.el)).then(() => !this.disposed && drift.loadToy())
      .then(() => !this.disposed && this.start(), (e) => this.showError(`Could not load the 2D trainer: ${errorText(e)}`));
    // Training pauses while the panel is scrolled away or the tab hidden, and goes on after.
    this.onDispose(watchShown(this.el, (shown) => {
      if (!shown && this.playing) { this.pause(); this.resumeWhenShown = true; }
      else if (shown && this.resumeWhenShown) { this.resumeWhenShown = false; this.play(); }
    }));
    this.onDispose(() => this.disposeTrainer());
  }

  // The toy module is there: list its sets (the first one selected) and start training on it.
  start() {
    const targets = this.drift.toyTargets().map((n) => [n, TARGET_LABELS[n] ?? n]);
    this.target.select.replaceChildren(...[...targets, DRAW].map(([v, text]) => h('option', { value: v }, text)));
    this.target.select.disabled = false;
    this.reset();
  }

  suspend() { this.resumeWhenShown = false; this.pause(); }

  showError(text) { this.msg.hidden = !text; this.msg.textContent = text || ''; }

  fitCanvas() {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    if (w && (this.canvas.width !== w || this.canvas.height !== w)) {
      this.canvas.width = w; this.canvas.height = w;
      this.redraw();
    }
  }

  // (Re)create the trainer for the current target, init and τ; the view is fitted once here
  // and stays put while training so that motion on screen is motion of the points.
  reset(points = this.points) {
    this.pause();
    const target = this.target.select.value;
    if (target === 'draw' && !points) {   // nothing drawn yet: restart the generator only
      try { if (this.trainer) this.trainer.reset(this.init.select.value); } catch (e) { this.showError(errorText(e)); }
      this.updateStats(); this.redraw(); return;
    }
    try {
      const opts = { init: this.init.select.value, n: N, seed: 1, tau: TAUS[Number(this.tau.input.value)] };
      if (target === 'draw') opts.points = points; else opts.target = target;
      this.disposeTrainer();
      this.trainer = this.drift.createToyTrainer(opts);
      this.fitView();
      this.showError('');
    } catch (e) {
      this.trainer = null;
      this.showError(`Could not start the 2D trainer: ${errorText(e)}`);
    }
    this.updateStats();
    this.redraw();
  }

  disposeTrainer() {
    if (this.trainer) this.trainer.dispose();
    this.trainer = null;
  }

  // A new target keeps the current generator, so its samples visibly drift from the old
  // shape to the new one; Reset starts a fresh generator from the chosen init.
  onTarget(v) {
    this.drawBar.hidden = v !== 'draw';
    this.canvas.classList.toggle('drawing', v === 'draw');
    this.points = null;
    if (v === 'draw') { this.drawing = []; this.pause(); this.updateStats(); this.redraw(); return; }
    this.retarget(v);
  }

  retarget(target) {
    if (!this.trainer) { this.reset(target === 'draw' ? this.points : null); return; }
    try {
      this.trainer.setTarget(target);
      this.fitView();
      this.showError('');
    } catch (e) {
      this.pause();
      this.showError(`Could not switch the target: ${errorText(e)}`);
    }
    this.updateStats();
    this.redraw();
  }

  // Drawing mode before "Train on drawing": the old targets are hidden, the strokes shown.
  showTargets() { return this.target.select.value !== 'draw' || !!this.points; }

  setTau(tau) {
    if (!this.trainer) return;
    try { this.trainer.setTemperature(tau); } catch (e) { this.showError(errorText(e)); }
  }

  fitView() {
    let x0 = -MIN_BOX, x1 = MIN_BOX, y0 = -MIN_BOX, y1 = MIN_BOX;
    for (const p of [this.trainer.targets(), this.trainer.generated()]) {
      for (let i = 0; i < p.length; i += 2) {
        x0 = Math.min(x0, p[i]); x1 = Math.max(x1, p[i]);
        y0 = Math.min(y0, p[i + 1]); y1 = Math.max(y1, p[i + 1]);
      }
    }
    const c = [(x0 + x1) / 2, (y0 + y1) / 2];
    const r = Math.max(x1 - x0, y1 - y0) / 2 * 1.08;
    this.view = { x0: c[0] - r, x1: c[0] + r, y0: c[1] - r, y1: c[1] + r };
  }

  play() {
    if (this.target.select.value === 'draw' && !this.points) { this.applyDrawing(); if (!this.points) return; }
    if (!this.trainer) return;
    this.playing = true;
    this.playBtn.textContent = 'Pause';
    this.playBtn.setAttribute('aria-pressed', 'true');
    const rate = { t: performance.now(), steps: this.stepCount() };
    const tick = () => {
      if (!this.playing) return;
      this.advance(Number(this.speed.input.value));
      const now = performance.now();
      if (now - rate.t > 1000) {   // steps per second over the last second or so
        const s = this.stepCount();
        this.rateOut.textContent = ` · ${Math.round((s - rate.steps) * 1000 / (now - rate.t))} steps/s`;
        rate.t = now; rate.steps = s;
      }
      if (this.playing) this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  pause() {
    const was = this.playing;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    if (was) this.updateStats();
    this.rateOut.textContent = '';
    this.playBtn.textContent = 'Play';
    this.playBtn.setAttribute('aria-pressed', 'false');
  }

  advance(k) {
    if (!this.trainer) return;
    try {
      this.trainer.step(k);
    } catch (e) {
      this.pause();
      this.showError(`Training step failed: ${errorText(e)}`);
    }
    this.updateStats(this.playing);
    this.redraw();
  }

  stepCount() { return this.trainer ? this.trainer.stepCount : 0; }

  // The distance is O(n²); while playing it is refreshed a few times a second, not per frame.
  updateStats(throttle = false) {
    const s = this.stepCount();
    this.stepOut.textContent = groupDigits(s);
    this.el.dataset.step = String(s);
    if (!this.trainer || !this.showTargets()) { this.distOut.textContent = '–'; delete this.el.dataset.distance; return; }
    const now = performance.now();
    if (throttle && now - (this.lastDist || 0) < 200) return;
    this.lastDist = now;
    const d = this.trainer.distance();
    this.distOut.textContent = fmtNum(d);
    this.el.dataset.distance = String(d);
  }

  toPx(x, y) {
    const { x0, x1, y0, y1 } = this.view;
    const W = this.canvas.width;
    return [(x - x0) / (x1 - x0) * W, (y1 - y) / (y1 - y0) * W];
  }

  toWorld(px, py) {
    const { x0, x1, y0, y1 } = this.view;
    const r = this.canvas.getBoundingClientRect();
    return [x0 + (px - r.left) / r.width * (x1 - x0), y1 - (py - r.top) / r.height * (y1 - y0)];
  }

  redraw() {
    const g = this.canvas.getContext('2d');
    const W = this.canvas.width;
    const css = getComputedStyle(this.el);
    const col = (name, fb) => css.getPropertyValue(name).trim() || fb;
    g.fillStyle = col('--plot-bg', '#fff');
    g.fillRect(0, 0, W, W);
    this.drawAxes(g, W, col('--grid', '#e5e7eb'));
    const r = Math.max(1.5, W / 220);
    if (this.trainer) {
      if (this.showTargets()) this.drawPoints(g, this.trainer.targets(), col('--data', '#2563eb'), r, 0.55);
      const gen = this.trainer.generated();
      if (this.arrows.checked) this.drawArrows(g, gen, this.trainer.field(), col('--arrow', '#555'));
      this.drawPoints(g, gen, col('--gen', '#ea580c'), r, 0.85);
    }
    if (this.target.select.value === 'draw') this.drawStrokes(g, col('--data', '#2563eb'), W);
  }

  drawAxes(g, W, color) {
    g.strokeStyle = color;
    g.lineWidth = 1;
    const { x0, x1 } = this.view;
    for (let v = Math.ceil(x0); v <= Math.floor(x1); v++) {
      const [px] = this.toPx(v, 0);
      const [, py] = this.toPx(0, v);
      g.beginPath(); g.moveTo(px, 0); g.lineTo(px, W); g.stroke();
      g.beginPath(); g.moveTo(0, py); g.lineTo(W, py); g.stroke();
    }
  }

  drawPoints(g, p, color, r, alpha) {
    g.fillStyle = color;
    g.globalAlpha = alpha;
    for (let i = 0; i < p.length; i += 2) {
      const [x, y] = this.toPx(p[i], p[i + 1]);
      g.beginPath(); g.arc(x, y, r, 0, 2 * Math.PI); g.fill();
    }
    g.globalAlpha = 1;
  }

  // Arrows are scaled by the field's RMS so they stay readable whatever V's magnitude.
  drawArrows(g, p, v, color) {
    let ss = 0;
    for (let i = 0; i < v.length; i++) ss += v[i] * v[i];
    const rms = Math.sqrt(ss / Math.max(1, v.length / 2)) || 1;
    const len = 0.25 * (this.view.x1 - this.view.x0) / 12 / rms;
    g.strokeStyle = color;
    g.globalAlpha = 0.7;
    g.lineWidth = Math.max(1, this.canvas.width / 480);
    for (let i = 0; i < p.length; i += 4) {   // every other point keeps the plot legible
      const [ax, ay] = this.toPx(p[i], p[i + 1]);
      const [bx, by] = this.toPx(p[i] + v[i] * len, p[i + 1] + v[i + 1] * len);
      g.beginPath(); g.moveTo(ax, ay); g.lineTo(bx, by); g.stroke();
      const a = Math.atan2(by - ay, bx - ax), hs = 3 * g.lineWidth;
      g.beginPath(); g.moveTo(bx, by);
      g.lineTo(bx - hs * Math.cos(a - 0.5), by - hs * Math.sin(a - 0.5));
      g.moveTo(bx, by); g.lineTo(bx - hs * Math.cos(a + 0.5), by - hs * Math.sin(a + 0.5));
      g.stroke();
    }
    g.globalAlpha = 1;
  }

  drawStrokes(g, color, W) {
    g.strokeStyle = color;
    g.lineWidth = Math.max(2, W / 120);
    g.lineCap = 'round'; g.lineJoin = 'round';
    g.globalAlpha = this.points ? 0.25 : 0.8;
    for (const s of this.drawing) {
      g.beginPath();
      for (let i = 0; i < s.length; i += 2) {
        const [x, y] = this.toPx(s[i], s[i + 1]);
        if (i === 0) { g.moveTo(x, y); g.lineTo(x + 0.01, y); } else g.lineTo(x, y);
      }
      g.stroke();
    }
    g.globalAlpha = 1;
  }

  installDrawing() {
    let stroke = null;
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      if (this.target.select.value !== 'draw') return;
      if (this.points) { this.points = null; this.drawing = []; }   // start a new drawing
      this.pause();
      c.setPointerCapture(e.pointerId);
      stroke = [...this.toWorld(e.clientX, e.clientY)];
      this.drawing.push(stroke);
      this.redraw();
      e.preventDefault();
    });
    c.addEventListener('pointermove', (e) => {
      if (!stroke) return;
      stroke.push(...this.toWorld(e.clientX, e.clientY));
      this.redraw();
    });
    const end = () => { stroke = null; };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
  }

  // Strokes -> N target points spread evenly along the drawn lines, with a little jitter so
  // the target is a thin band rather than a curve (a curve has no density to match).
  applyDrawing() {
    const segs = [];
    let total = 0;
    for (const s of this.drawing) {
      if (s.length === 2) { segs.push([s[0], s[1], s[0], s[1], 0]); continue; }
      for (let i = 2; i < s.length; i += 2) {
        const l = Math.hypot(s[i] - s[i - 2], s[i + 1] - s[i - 1]);
        segs.push([s[i - 2], s[i - 1], s[i], s[i + 1], l]);
        total += l;
      }
    }
    if (!segs.length) { this.showError('Draw something on the canvas first.'); return; }
    const pts = new Float32Array(2 * N);
    const rnd = uniformRng(12345);
    const noise = gaussianNoise(N, 2, 12346);
    const jitter = 0.06 * (this.view.x1 - this.view.x0) / 7;
    for (let k = 0; k < N; k++) {
      let u = total > 0 ? rnd() * total : 0;
      let seg = segs[Math.floor(rnd() * segs.length)];
      if (total > 0) for (const s of segs) { if (u <= s[4]) { seg = s; break; } u -= s[4]; }
      const t = seg[4] > 0 ? u / seg[4] : 0;
      pts[2 * k] = seg[0] + t * (seg[2] - seg[0]) + jitter * noise[2 * k];
      pts[2 * k + 1] = seg[1] + t * (seg[3] - seg[1]) + jitter * noise[2 * k + 1];
    }
    this.points = pts;
    if (this.trainer) this.retarget(pts); else this.reset(pts);
  }
}
