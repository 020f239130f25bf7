// <drift-demo model="models/mnist/model.json" panels="digits,replay,drift2d,upload,metrics">
// The whole demo as one custom element; index.html is just this element plus a header.
// URLs: `model` resolves against the page (like an <img src>); the core, the panels and the
// stylesheet resolve against this module, so the element works from any sub-path or iframe.
// Load order: this module has no static imports, so the element starts at once and fetches
// the core, the model, its stylesheet and the panels' code all in parallel.

const ALL_PANEL_MODULES = {
  digits: './panels/digits.js', replay: './panels/replay.js', metrics: './panels/metrics.js',
  drift2d: './panels/drift2d.js', upload: './panels/upload.js',
};

function h(tag, attrs, text) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== false) el.setAttribute(k, v === true ? '' : v);
  if (text) el.textContent = text;
  return el;
}

const errorText = (e) => String((e && e.message) || e || 'unknown error').split('\n')[0]
  .replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');   // as lib/dom.js shortenHashes

const ALL_PANELS = ['digits', 'replay', 'metrics', 'drift2d', 'upload'];
const MODEL_PANELS = new Set(['digits', 'replay', 'metrics']);

// fetchChecked(url, kind) -> Response, or an Error that names the file and the HTTP status.
async function fetchChecked(url, what) {
  let r;
  try { r = await fetch(url); } catch (e) { throw new Error(`${what}: could not fetch (${errorText(e)})`); }
  if (!r.ok) throw new Error(`${what}: HTTP ${r.status} ${r.statusText}`.trim());
  return r;
}

// binUrl(manifest, manifestUrl): the manifest names its weights file; default model.bin next to it.
function binUrl(manifest, manifestUrl) {
  const name = (manifest && manifest.bin && typeof manifest.bin.file === 'string' && manifest.bin.file) || null;
  return new URL(name || manifestUrl.pathname.split('/').pop().replace(/\.json$/i, '') + '.bin', manifestUrl);
}

class DriftDemo extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    root.append(h('link', { rel: 'stylesheet', href: new URL('drift-demo.css', import.meta.url).href }));
    this.statusEl = h('p', { class: 'status-bar', role: 'status' }, 'Loading the WebAssembly core…');
    this.errorEl = h('p', { class: 'msg global', role: 'alert', hidden: true });
    this.gridEl = h('div', { class: 'panels' });
    root.append(this.statusEl, this.errorEl, this.gridEl);
    this.start();
  }

  // Removed from the page (e.g. by a framework): stop every animation loop it started.
  disconnectedCallback() {
    for (const p of Object.values(this.panels || {})) if (p.suspend) p.suspend();
  }

  panelNames() {
    const attr = this.getAttribute('panels');
    const names = attr ? attr.split(',').map((s) => s.trim()).filter(Boolean) : ALL_PANELS;
    return names.filter((n) => ALL_PANELS.includes(n));
  }

  fail(text) {
    this.errorEl.hidden = false;
    this.errorEl.textContent = text;
    this.dataset.state = 'error';
  }

  async start() {
    const t0 = performance.now();
    const names = this.panelNames();
    // The model downloads while the core compiles: neither waits for the other.
    const src = this.getAttribute('model');
    const wantModel = src && names.some((n) => MODEL_PANELS.has(n));
    const files = wantModel ? this.fetchModel(src) : null;
    if (files) files.catch(() => {});   // reported below, once the panels exist
    const code = Promise.all([import('./lib/meta.js'),
      ...names.map((n) => import(ALL_PANEL_MODULES[n]))]);
    code.catch(() => {});
    let drift, meta, mods;
    try {
      const { loadDrift } = await import('./drift.js');
      const wasmAttr = this.getAttribute('wasm');
      drift = await loadDrift(wasmAttr ? { wasmUrl: new URL(wasmAttr, document.baseURI).href } : {});
      [meta, ...mods] = await code;
    } catch (e) {
      this.statusEl.textContent = 'The demo could not start.';
      this.fail(`Could not load the WebAssembly core: ${errorText(e)}`);
      return;
    }
    this.drift = drift;
    this.panels = {};
    const firstRender = () => {
      performance.mark('drift:first-digits');
      this.dataset.firstDigitsMs = String(Math.round(performance.now()));
      this.dispatchEvent(new CustomEvent('drift-first-digits', { bubbles: true, composed: true }));
    };
    this.modelMeta = meta.modelMeta;
    names.forEach((n, i) => {
      const M = mods[i];
      let p;
      if (n === 'digits') p = new M.DigitsPanel({ onFirstRender: firstRender });
      else if (n === 'replay') p = new M.ReplayPanel();
      else if (n === 'metrics') p = new M.MetricsPanel();
      else if (n === 'drift2d') p = new M.Drift2DPanel(drift);
      else if (n === 'upload') p = new M.UploadPanel(drift, (m, man, src) => this.useModel(m, man, `${src} (your file)`));
      this.panels[n] = p;
      this.gridEl.append(p.el);
    });
    this.gridEl.classList.toggle('full', ['digits', 'replay', 'metrics', 'upload'].every((n) => names.includes(n)));
    if (!wantModel) {
      this.statusEl.textContent = 'Ready.';
      this.dataset.state = 'ready';
      return;
    }
    this.statusEl.textContent = 'Loading the model…';
    try {
      const { manifest, bin } = await files;
      const model = await drift.loadModel(manifest, bin);
      this.useModel(model, manifest, src);
      this.statusEl.textContent = `Ready in ${Math.round(performance.now() - t0)} ms.`;
      this.dataset.state = 'ready';
    } catch (e) {
      this.statusEl.textContent = 'The shipped model could not be loaded; the 2D panel and your own model still work.';
      const text = `Could not load the model: ${errorText(e)}`;
      this.fail(text);
      for (const n of MODEL_PANELS) if (this.panels[n]) this.panels[n].showError(text);
    }
  }

  // fetchModel(src) -> {manifest, bin}: model.json, then the bin it names next to it.
  async fetchModel(src) {
    const manifestUrl = new URL(src, document.baseURI);
    const fileName = manifestUrl.pathname.split('/').pop();
    const text = await (await fetchChecked(manifestUrl, fileName)).text();
    let manifest;
    try { manifest = JSON.parse(text); } catch (e) { throw new Error(`${fileName}: not valid JSON (${errorText(e)})`); }
    const bu = binUrl(manifest, manifestUrl);
    const bin = await (await fetchChecked(bu, bu.pathname.split('/').pop())).arrayBuffer();
    return { manifest, bin };
  }

  useModel(model, manifest, source) {
    let meta;
    try { meta = this.modelMeta(model, manifest); } catch (e) { this.fail(`Model info unreadable: ${errorText(e)}`); return; }
    // The previous model's weights live in the wasm heap until disposed.
    if (this.model && this.model !== model && this.model.dispose) this.model.dispose();
    this.model = model;
    this.errorEl.hidden = true;
    for (const n of MODEL_PANELS) if (this.panels[n]) this.panels[n].setModel(model, meta, source);
  }
}

if (!customElements.get('drift-demo')) customElements.define('drift-demo', DriftDemo);
