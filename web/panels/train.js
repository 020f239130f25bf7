// Train: a class-conditional digit generator trained from scratch in the reader's browser. A
// Web Worker (lib/train-worker.js) owns its own drift_digits.wasm and the training data; this
// thread only draws what it posts: a grid of digits per class from fixed noise, the step, its
// rate, the time and the loss, and the quality proxy over time. Nothing is fetched until Train
// is pressed, and this module itself only after the page's first digits (drift-demo.js).
import { h, errorText, fmtNum, groupDigits, nextId } from '../lib/dom.js';
import { reducedMotion, watchShown } from '../lib/motion.js';
import { Panel } from './panel.js';

const PER_CLASS = 6;          // grid rows: digits per class, on fixed noise
const FRAME_MS = 150;         // a new grid about 6-7 times a second...
const FRAME_MS_REDUCED = 1000;   // ...or once a second for a reader who asked for reduced motion
const PX = 28;

// The panel's own styles: a panel that comes after the first digits brings its CSS with it,
// so drift-demo.css (fetched before them) does not grow.
const CSS = `
.panel-train { grid-column: 1 / -1; }
.train-layout { display: grid; gap: 18px; grid-template-columns: minmax(0, 560px) minmax(220px, 1fr); align-items: start; }
@media (max-width: 760px) { .train-layout { grid-template-columns: 1fr; } }
.train-grid { width: 100%; aspect-ratio: ${10 * PX} / ${PER_CLASS * PX}; height: auto; display: block;
  image-rendering: pixelated; background: var(--cell-bg); border-radius: 8px; }
.train-classes { display: grid; grid-template-columns: repeat(10, 1fr); text-align: center;
  color: var(--muted); font-size: 0.8rem; font-variant-numeric: tabular-nums; margin-top: 2px; }
.train-stats { display: grid; grid-template-columns: auto 1fr; gap: 2px 14px; margin: 0 0 10px; font-size: 0.92rem; }
.train-stats dt { color: var(--muted); }
.train-stats dd { margin: 0; font-variant-numeric: tabular-nums; font-weight: 600; }
.train-plot { width: 100%; height: 110px; display: block; border: 1px solid var(--line); border-radius: 8px; background: var(--plot-bg); }
.train-panel-note { color: var(--muted); font-size: 0.82rem; margin: 4px 0 0; }
`;

export default class TrainPanel extends Panel {
  // ctx.wasmUrl: drift_api.wasm (drift_digits.wasm is next to it); ctx.trainData: the digit
  // pack's URL; ctx.drift + ctx.onModel + ctx.showsModels: trained weights shown in the
  // model panels.
  constructor(host, ctx) {
    super(host, ctx);
    this.worker = null;
    this.state = 'idle';       // idle | loading | training | paused | error
    this.pausedBy = null;      // 'user' | 'hidden'
    this.shown = true;
    this.points = [];          // quality proxy: [elapsed s, value]
    this.exports = new Map();  // export id -> {resolve, reject}
    this.nextExport = 1;
    const titleId = nextId('train-title');

    this.trainBtn = h('button', { type: 'button', class: 'primary', 'aria-pressed': 'false',
      onclick: () => this.toggle() }, 'Train');
    this.resetBtn = h('button', { type: 'button', disabled: true, onclick: () => this.reset() }, 'Reset');
    this.downloadBtn = h('button', { type: 'button', disabled: true,
      title: 'Save the weights trained so far as model.json + model.bin (the weights format)',
      onclick: () => this.download() }, 'Download model');
    this.useBtn = h('button', { type: 'button', disabled: true, hidden: !ctx.showsModels,
      title: 'Show the weights trained so far in the other panels, as a model loaded from files would be',
      onclick: () => this.useModel() }, 'Show in the digit panels');
    this.progress = h('progress', { class: 'load-progress', max: 1, hidden: true, 'aria-label': 'Training data download' });
    this.status = h('p', { class: 'status', 'aria-live': 'polite' },
      'Press Train to fetch 10,000 training digits (1.7 MB) and train a generator from scratch, here.');
    this.msg = h('p', { class: 'msg', role: 'alert', hidden: true });
    this.grid = h('canvas', { class: 'train-grid', width: 10 * PX, height: PER_CLASS * PX, role: 'img',
      'aria-label': `Generated digits: one column per class, 0 to 9, ${PER_CLASS} per class, from fixed noise` });
    this.stats = {};
    const stat = (key, label) => [h('dt', {}, label), h('dd', {}, (this.stats[key] = h('span', {}, '–')))];
    this.plot = h('canvas', { class: 'train-plot', width: 400, height: 110, role: 'img',
      'aria-label': 'Quality proxy over training time: no values yet' });
    this.mount(h('section', { class: 'panel panel-train', 'aria-labelledby': titleId, 'data-panel': 'train',
      'data-state': 'idle' },
      h('style', {}, CSS),
      h('header', {}, h('h2', { id: titleId }, 'Train digits, live'),
        h('p', { class: 'sub' }, 'A class-conditional generator trained from noise in your browser with the drift loss: '
          + 'each column is one class, each digit one forward pass from fixed noise.')),
      h('div', { class: 'inline buttons controls' }, this.trainBtn, this.resetBtn, this.downloadBtn, this.useBtn),
      this.progress, this.status, this.msg,
      h('div', { class: 'train-layout' },
        h('div', {}, this.grid,
          h('div', { class: 'train-classes', 'aria-hidden': 'true' }, [...Array(10).keys()].map((c) => h('span', {}, String(c))))),
        h('div', {},
          h('dl', { class: 'train-stats' }, stat('step', 'Step'), stat('rate', 'Steps/s'), stat('time', 'Training time'),
            stat('loss', 'Loss'), stat('quality', 'Quality proxy')),
          this.plot,
          h('p', { class: 'train-panel-note' }, 'Quality proxy: energy distance between 20 generated digits per class '
            + 'and 200 held-out training digits, in pixel space (lower is better). '
            + 'The drift loss stays about constant by construction, so it does not measure progress.')))));
    this.clearGrid();
    this.drawPlot();
    // Training pauses while the panel is scrolled away or the tab hidden, and goes on after.
    this.onDispose(watchShown(this.el, (shown) => {
      this.shown = shown;
      if (!shown && this.state === 'training') this.pause('hidden');
      else if (shown && this.state === 'paused' && this.pausedBy === 'hidden') this.resume();
    }));
    this.onDispose(() => this.endWorker());
  }

  suspend() { if (this.state === 'training') this.pause('user'); }

  showError(text) { this.msg.hidden = !text; this.msg.textContent = text || ''; }

  toggle() {
    if (this.state === 'idle' || this.state === 'error') this.start();
    else if (this.state === 'training') this.pause('user');
    else if (this.state === 'paused') this.resume();
  }

  // First press: the worker starts, loads the module and the data, and trains.
  start() {
    this.endWorker();
    this.showError('');
    this.points = [];
    try {
      this.worker = new Worker(new URL('../lib/train-worker.js', import.meta.url), { type: 'module', name: 'drift trainer' });
    } catch (e) {
      this.fail(`Training needs module workers, which this browser could not start (${errorText(e)}).`);
      return;
    }
    this.worker.onmessage = ({ data }) => this.onMessage(data);
    this.worker.onerror = (e) => { e.preventDefault(); this.fail(`The training worker stopped: ${e.message || 'could not start'}`); };
    this.setState('loading');
    this.status.textContent = 'Fetching the training digits and the trainer…';
    this.worker.postMessage({ op: 'start', wasmUrl: new URL('drift_digits.wasm', this.ctx.wasmUrl).href,
      packUrl: this.ctx.trainData.href, perClass: PER_CLASS, frameMs: this.frameMs() });
  }

  frameMs() { return reducedMotion() ? FRAME_MS_REDUCED : FRAME_MS; }

  pause(by) {
    if (!this.worker) return;
    this.worker.postMessage({ op: 'pause' });
    this.pausedBy = by;
    this.setState('paused');
    this.status.textContent = by === 'hidden' ? 'Paused while out of view; it goes on when shown.' : 'Paused. Train resumes where it stopped.';
  }

  resume() {
    if (!this.worker) return;
    this.worker.postMessage({ op: 'frameMs', ms: this.frameMs() });
    this.worker.postMessage({ op: 'resume' });
    this.pausedBy = null;
    this.setState('training');
    this.status.textContent = 'Training…';
  }

  reset() {
    if (!this.worker || this.state === 'loading') return;
    this.worker.postMessage({ op: 'reset' });
    this.points = [];
    this.drawPlot();
  }

  // Each change of state is also a drift-train event on the element (docs/embedding.md).
  setState(s) {
    if (s !== this.state) {
      this.el.dispatchEvent(new CustomEvent('drift-train', { bubbles: true, composed: true,
        detail: { state: s, step: Number(this.el.dataset.step || 0) } }));
    }
    this.state = s;
    this.el.dataset.state = s;
    const label = { idle: 'Train', loading: 'Loading…', training: 'Pause', paused: 'Resume', error: 'Train' }[s];
    this.trainBtn.textContent = label;
    this.trainBtn.setAttribute('aria-pressed', String(s === 'training'));
    this.trainBtn.disabled = s === 'loading';
    const trained = s === 'training' || s === 'paused';
    this.resetBtn.disabled = !trained;
    this.downloadBtn.disabled = !trained;
    this.useBtn.disabled = !trained;
  }

  onMessage(m) {
    if (m.type === 'progress') {
      this.progress.hidden = false;
      if (m.total) this.progress.value = Math.min(1, m.got / m.total); else this.progress.removeAttribute('value');
      this.status.textContent = `Fetching the training digits… ${(m.got / 1e6).toFixed(2)}${m.total ? ` of ${(m.total / 1e6).toFixed(2)}` : ''} MB`;
    } else if (m.type === 'ready') {
      this.progress.hidden = true;
      this.el.dataset.parameters = String(m.parameters);
      this.setState('training');
      this.status.textContent = `Training on ${groupDigits(m.digits - 500)} digits (${groupDigits(500)} held out), `
        + `${groupDigits(m.parameters)} parameters…`;
      if (!this.shown) this.pause('hidden');
    } else if (m.type === 'frame') {
      this.drawGrid(m);
      this.showStats(m);
    } else if (m.type === 'quality') {
      this.points.push([m.elapsedMs / 1000, m.value]);
      this.stats.quality.textContent = fmtNum(m.value);
      this.el.dataset.quality = String(m.value);
      this.drawPlot();
    } else if (m.type === 'model') {
      const p = this.exports.get(m.id);
      this.exports.delete(m.id);
      if (p) p.resolve(m);
    } else if (m.type === 'error') {
      const p = m.id && this.exports.get(m.id);
      if (p) { this.exports.delete(m.id); p.reject(new Error(m.message)); return; }
      this.fail(m.message);
    }
  }

  fail(text) {
    this.progress.hidden = true;
    this.showError(`Training stopped: ${text}`);
    this.status.textContent = 'Press Train to try again.';
    this.endWorker();
    this.setState('error');
  }

  endWorker() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    for (const p of this.exports.values()) p.reject(new Error('the training worker ended'));
    this.exports.clear();
  }

  // Text only where it changed: each change costs the page a style and layout pass.
  showStats({ step, loss, elapsedMs, stepsPerSec }) {
    const set = (el, t) => { if (el.textContent !== t) el.textContent = t; };
    set(this.stats.step, groupDigits(step));
    set(this.stats.rate, stepsPerSec.toFixed(0));
    set(this.stats.time, `${(elapsedMs / 1000).toFixed(1)} s`);
    set(this.stats.loss, step ? fmtNum(loss) : '–');   // no step, no loss yet
    this.el.dataset.step = String(step);
    this.el.dataset.elapsed = String(Math.round(elapsedMs));
  }

  clearGrid() {
    const g = this.grid.getContext('2d');
    g.fillStyle = '#000';
    g.fillRect(0, 0, this.grid.width, this.grid.height);
    g.fillStyle = '#9aa2ae';
    g.font = '11px system-ui, sans-serif';
    g.textAlign = 'center';
    g.fillText('digits appear here once training starts', this.grid.width / 2, this.grid.height / 2);
  }

  // rgba: the whole grid, laid out by the worker (one column per class).
  drawGrid({ rgba, width, height }) {
    this.grid.getContext('2d').putImageData(new ImageData(rgba, width, height), 0, 0);
    this.grid.dataset.frames = String(Number(this.grid.dataset.frames || 0) + 1);
  }

  // The quality proxy against training time, on a log scale (it falls by orders of magnitude).
  drawPlot() {
    const c = this.plot, dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round((c.clientWidth || 400) * dpr)), ht = Math.max(1, Math.round((c.clientHeight || 110) * dpr));
    if (c.width !== w || c.height !== ht) { c.width = w; c.height = ht; }
    const g = c.getContext('2d'), css = getComputedStyle(this.el);
    const fg = css.getPropertyValue('--fg').trim() || '#1c1f24', muted = css.getPropertyValue('--muted').trim() || '#5f6672';
    const accent = css.getPropertyValue('--accent').trim() || '#4f46e5';
    g.clearRect(0, 0, w, ht);
    g.font = `${11 * dpr}px system-ui, sans-serif`;
    g.fillStyle = muted;
    const pts = this.points.filter(([, v]) => v > 0 && isFinite(v));
    if (pts.length < 2) {
      g.fillText('quality proxy over time (log scale) appears here', 8 * dpr, ht / 2);
      return;
    }
    const t1 = Math.max(10, pts[pts.length - 1][0]);
    const ls = pts.map(([, v]) => Math.log10(v));
    const lo = Math.floor(Math.min(...ls)), hi = Math.ceil(Math.max(...ls));
    const pad = 6 * dpr, left = 34 * dpr;
    const X = (t) => left + (w - left - pad) * t / t1;
    const Y = (l) => pad + (ht - 2 * pad - 12 * dpr) * (hi === lo ? 0.5 : (hi - l) / (hi - lo));
    for (let e = lo; e <= hi; e++) g.fillText(`1e${e}`, 2 * dpr, Y(e) + 4 * dpr);
    g.fillText(`${t1.toFixed(0)} s`, w - 34 * dpr, ht - 2 * dpr);
    g.fillText('0 s', left, ht - 2 * dpr);
    g.strokeStyle = accent;
    g.lineWidth = 2 * dpr;
    g.beginPath();
    pts.forEach(([t], i) => (i ? g.lineTo(X(t), Y(ls[i])) : g.moveTo(X(t), Y(ls[i]))));
    g.stroke();
    g.fillStyle = fg;
    const [tl, vl] = pts[pts.length - 1];
    c.setAttribute('aria-label', `Quality proxy over training time: ${fmtNum(vl)} at ${tl.toFixed(0)} s, from ${fmtNum(pts[0][1])} at the start`);
  }

  // The weights trained so far, in the weights format, from the worker (training goes on).
  exportModel() {
    if (!this.worker) return Promise.reject(new Error('nothing trained yet'));
    const id = this.nextExport++;
    return new Promise((resolve, reject) => {
      this.exports.set(id, { resolve, reject });
      this.worker.postMessage({ op: 'export', id });
    });
  }

  async download() {
    try {
      const m = await this.exportModel();
      const name = JSON.parse(m.manifest).bin?.file || 'model.bin';
      save(new Blob([m.manifest], { type: 'application/json' }), 'model.json');
      // Two downloads from one click: the second a moment later, as browsers take them in turn.
      await new Promise((ok) => setTimeout(ok, 200));
      save(new Blob([m.bin], { type: 'application/octet-stream' }), name);
      this.status.textContent = `Saved model.json + ${name} at step ${groupDigits(m.step)}: they load in "Your own model" and in drift-infer.`;
    } catch (e) {
      this.showError(`Could not export the model: ${errorText(e)}`);
    }
  }

  // The main thread loads the trained weights as it loads any model: the digits panel shows them.
  async useModel() {
    try {
      const m = await this.exportModel();
      const manifest = JSON.parse(m.manifest);
      const model = await this.ctx.drift.loadModel(manifest, m.bin);
      this.ctx.onModel(model, manifest, `trained here, step ${groupDigits(m.step)}`);
      this.status.textContent = `The digit panels now show the weights of step ${groupDigits(m.step)}.`;
    } catch (e) {
      this.showError(`Could not load the trained weights: ${errorText(e)}`);
    }
  }
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
