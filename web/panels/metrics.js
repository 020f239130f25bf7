// Model card: what the model is and how it scored when it was trained (manifest's
// training.metrics, written by drift-train export).
import { h, fmtNum, nextId } from '../lib/dom.js';
import { Panel } from './panel.js';

const LABELS = {
  fd: 'Fréchet distance (classifier features)', fid: 'Fréchet distance', accuracy: 'Classifier accuracy',
  precision: 'Precision', recall: 'Recall', diversity: 'Diversity', energy_distance: 'Energy distance',
  fd_real: 'Real-vs-real FD (floor)', mode_coverage: 'Mode coverage',
};

export default class MetricsPanel extends Panel {
  constructor(host, ctx) {
    super(host, ctx);
    const titleId = nextId('m-title');
    this.body = h('div', { class: 'metrics-body' }, h('p', { class: 'note' }, 'Loading model…'));
    this.mount(h('section', { class: 'panel panel-metrics', 'aria-labelledby': titleId, 'data-panel': 'metrics' },
      h('header', {}, h('h2', { id: titleId }, 'Model card')), this.body));
  }

  setModel(model, meta, source) {
    const rows = [];
    if (source) rows.push(['Source', source]);
    if (meta.name) rows.push(['Name', meta.name]);
    if (meta.params) rows.push(['Parameters', fmtNum(meta.params)]);
    rows.push(['Output', `${meta.shape.c}×${meta.shape.h}×${meta.shape.w}`]);
    rows.push(['Classes', meta.numClasses || 'unconditional']);
    if (meta.latentDim) rows.push(['Latent size', meta.latentDim]);
    rows.push(['Snapshots', meta.snapshots.length]);
    const tr = meta.training;
    if (tr.dataset) rows.push(['Dataset', tr.dataset]);
    if (tr.arch) rows.push(['Architecture', tr.arch]);
    if (typeof tr.steps === 'number') rows.push(['Training steps', fmtNum(tr.steps)]);
    if (typeof tr.wall_time_s === 'number') rows.push(['Training time', duration(tr.wall_time_s)]);
    // Weights dtype: the eval below was measured on the trained weights, before any export
    // to f16/int8 or later conversion (training.converted_from), which the card says.
    const dtypes = [...new Set((meta.tensorDtypes || []))];
    if (dtypes.length) rows.push(['Weights', dtypes.join(' + ') + (tr.converted_from ? `, converted from ${tr.converted_from}` : '')]);
    const card = h('dl', { class: 'kv' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, breakable(String(v)))]));
    const parts = [card];
    if (meta.metrics && Array.isArray(meta.metrics.alphas)) {
      parts.push(h('h3', {}, 'Measured at export'), evalTable(meta.metrics));
    } else if (meta.metrics && Object.keys(meta.metrics).length) {
      parts.push(h('h3', {}, 'Measured at export'),
        h('dl', { class: 'kv metrics' }, flatten(meta.metrics).map(([k, v]) =>
          [h('dt', {}, LABELS[k] || k.replace(/_/g, ' ')), h('dd', {}, fmtNum(v))])));
    } else {
      parts.push(h('p', { class: 'note' }, 'This model carries no training metrics.'));
    }
    this.body.replaceChildren(...parts);
  }

  showError(text) { this.body.replaceChildren(h('p', { class: 'msg', role: 'alert' }, text)); }
}

// drift-train's quick eval (eval.json): one row per guidance α plus the real-vs-real floor.
function evalTable(m) {
  const pct = (v) => (typeof v === 'number' ? `${(100 * v).toFixed(1)}%` : '–');
  const num = (v, d = 2) => (typeof v === 'number' ? v.toFixed(d) : '–');
  const head = h('tr', {}, ['α', 'FD/floor', 'accuracy', 'precision', 'recall'].map((t) => h('th', { scope: 'col' }, t)));
  const alpha = (v) => (typeof v === 'number' ? String(Number(v.toFixed(2))) : '–');  // 1.25, 1.5, 2
  const rows = m.alphas.map((a) => h('tr', {}, [alpha(a.alpha), num(a.fd_over_floor), pct(a.accuracy),
    num(a.precision), num(a.recall)].map((t) => h('td', {}, t))));
  if (m.floor) {
    rows.push(h('tr', { class: 'floor' }, ['real', '1.00', pct(m.floor.accuracy), num(m.floor.precision),
      num(m.floor.recall)].map((t) => h('td', {}, t))));
  }
  const notes = [];
  if (typeof m.n === 'number') notes.push(`${fmtNum(m.n)} samples per α`);
  if (m.classifier && typeof m.classifier.test_accuracy === 'number') {
    notes.push(`classifier test accuracy ${pct(m.classifier.test_accuracy)}`);
  }
  return h('div', { class: 'eval' },
    h('table', { class: 'eval-table' }, h('thead', {}, head), h('tbody', {}, rows)),
    h('p', { class: 'note' }, `FD in the evaluation classifier's features, over the real-vs-real floor (1 = as good as real data); ${notes.join('; ')}.`));
}

function duration(s) {
  if (s < 120) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

// {a: 1, b: {c: 2}} -> [['a',1], ['b c',2]]; arrays and strings are shown as text.
function flatten(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v)
    ? flatten(v, `${prefix}${k} `) : [[prefix + k, Array.isArray(v) ? v.join(', ') : v]]));
}

// Long values (a path, a file name) may wrap after a '/', '_' or '-', never inside a word.
function breakable(text) {
  return text.split(/(?<=[/_-])/).flatMap((part, i) => (i ? [h('wbr'), part] : [part]));
}
