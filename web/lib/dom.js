// Tiny DOM helpers so panels read as markup, not as createElement chains.

// h('button', {class: 'x', onclick: f}, 'text', child) -> element. Attributes whose name
// starts with "on" become listeners; `false`/null attributes are left out.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;
// Unique id for label/for and aria pairs; ids only need to be unique inside one shadow root,
// but a counter keeps two <drift-demo> elements on one page unambiguous too.
export const nextId = (prefix) => `${prefix}-${++uid}`;

// A labelled control row: <label for=id>text <output></label> + control.
export function field(labelText, control, output = null) {
  if (!control.id) control.id = nextId('c');
  return h('div', { class: 'field' },
    h('label', { for: control.id }, labelText, output ? ' ' : '', output),
    control);
}

// A labelled range slider with a live value readout. fmt formats the value for display.
export function slider(labelText, { min, max, step = 1, value, fmt = String, oninput }) {
  const out = h('output', { class: 'val' }, fmt(Number(value)));
  const input = h('input', { type: 'range', min, max, step, value: String(value) });
  input.addEventListener('input', () => {
    out.textContent = fmt(Number(input.value));
    oninput && oninput(Number(input.value));
  });
  const row = field(labelText, input, out);
  out.setAttribute('for', input.id);
  return { row, input, out, set(v) { input.value = String(v); out.textContent = fmt(Number(v)); } };
}

export function select(labelText, options, { value, onchange } = {}) {
  const sel = h('select', {},
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  if (onchange) sel.addEventListener('change', () => onchange(sel.value));
  return { row: field(labelText, sel), select: sel };
}

// Error text for the page: the core's one-line message, without a JS stack.
export function errorText(e) {
  if (!e) return 'unknown error';
  const m = e.message || String(e);
  return shortenHashes(m.split('\n')[0]);
}

// SHA-256 digests in messages are shown as their first 12 digits: enough to compare by eye.
export function shortenHashes(text) {
  return text.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');
}

// 12,345: thousands separated by commas. By hand, because the first toLocaleString() call
// loads the locale data, a task of ~80 ms on the main thread (measured in the page's profile).
export function groupDigits(n) {
  const s = String(Math.trunc(Math.abs(n)));
  return (n < 0 ? '-' : '') + s.replace(/\B(?=(\d{3})+$)/g, ',');
}

// 3 significant digits for readouts; integers stay integers.
export function fmtNum(x) {
  if (typeof x !== 'number' || !isFinite(x)) return String(x);
  if (Number.isInteger(x)) return groupDigits(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}
