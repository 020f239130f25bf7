// <drift-demo model="models/mnist/model.json" panels="digits,replay,drift2d,upload,metrics">
// The whole demo as one custom element; index.html is just this element plus a header.
// URLs: `model` resolves against the page (like an <img src>); the core, the panels and the
// stylesheet resolve against this module, so the element works from any sub-path or iframe.
// Load order: this module has no static imports, so the element starts at once and fetches
// the core, the model, its stylesheet and the panels' code all in parallel.

// Every panel, in the default display order. Each module's default export is a panel class
// with the interface of panels/panel.js: new Panel(host, ctx), setModel, showError, suspend,
// dispose. needsModel: shows the model (gets setModel and its load errors). wide: one of the
// four that drift-demo.css's .panels.full lays out side by side when all four are on the page.
// afterDigits: its code is fetched only after the first digits, so that the bytes before
// them stay those of the other panels.
const PANELS = {
  digits: { module: './panels/digits.js', needsModel: true, wide: true },
  replay: { module: './panels/replay.js', needsModel: true, wide: true },
  metrics: { module: './panels/metrics.js', needsModel: true, wide: true },
  drift2d: { module: './panels/drift2d.js', needsModel: false, wide: false },
  train: { module: './panels/train.js', needsModel: false, wide: false, afterDigits: true },
  upload: { module: './panels/upload.js', needsModel: false, wide: true },
};
const PANEL_NAMES = Object.keys(PANELS);

function h(tag, attrs, text) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== false) el.setAttribute(k, v === true ? '' : v);
  if (text) el.textContent = text;
  return el;
}

const errorText = (e) => String((e && e.message) || e || 'unknown error').split('\n')[0]
  .replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1…');   // as lib/dom.js shortenHashes

// fetchChecked(url, kind) -> Response, or an Error that names the file and the HTTP status.
async function fetchChecked(url, what) {
  let r;
  try { r = await fetch(url); } catch (e) { throw new Error(`${what}: could not fetch (${errorText(e)})`); }
  if (!r.ok) throw new Error(`${what}: HTTP ${r.status} ${r.statusText}`.trim());
  return r;
}

// mainBin(manifest, manifestUrl) -> {file, sha256, bytes}: the manifest names its weights
// file; default model.bin next to it.
function mainBin(manifest, manifestUrl) {
  const b = (manifest && manifest.bin) || {};
  const file = (typeof b.file === 'string' && b.file) || manifestUrl.pathname.split('/').pop().replace(/\.json$/i, '') + '.bin';
  return { file, sha256: b.sha256, bytes: Number.isInteger(b.bytes) && b.bytes > 0 ? b.bytes : 0 };
}

const mb = (n) => (n / 1e6).toFixed(n < 1e7 ? 2 : 1);

// fn() once the frame after this moment has been rendered (in a hidden tab, which draws no
// frames, after 100 ms).
function afterNextFrame(fn) {
  let done = false;
  const run = () => { if (!done) { done = true; fn(); } };
  requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = run;
    ch.port2.postMessage(0);
  });
  if (document.hidden) setTimeout(run, 100);
}

// Resolves in a later task, so that what follows is not part of the current long task.
const nextTask = () => new Promise((ok) => setTimeout(ok, 0));

class DriftDemo extends HTMLElement {
  // The element's interface is its attributes, its drift-first-digits event and data-state
  // (docs/embedding.md); everything else stays private.
  #statusEl;
  #progressEl;  // the model download's progress bar, removed once the model is loaded
  #errorEl;
  #gridEl;
  #panels = {};       // name -> panel, for the names in the panels attribute
  #run = 0;           // which start the panels belong to; a teardown ends it
  #model = null;      // the model shown, disposed when another replaces it
  #modelMeta = null;  // lib/meta.js modelMeta, loaded with the panels' code
  #modelInfo = null;  // what modelMeta said of #model
  #modelSource = '';  // where #model came from
  #modelError = '';   // why the shipped model could not be loaded, for panels built later
  #firstDigits = Promise.resolve();   // resolves once the first digits are on screen

  connectedCallback() {
    if (this.#run > 0) return;   // moved within the page: everything is still there
    const root = this.shadowRoot || this.attachShadow({ mode: 'open' });
    root.replaceChildren();
    this.#run = -this.#run + 1;
    root.append(h('link', { rel: 'stylesheet', href: new URL('drift-demo.css', import.meta.url).href }));
    this.#statusEl = h('p', { class: 'status-bar', role: 'status' }, 'Loading the WebAssembly core…');
    this.#progressEl = h('progress', { class: 'load-progress', max: 1, hidden: true, 'aria-label': 'Model download' });
    this.#errorEl = h('p', { class: 'msg global', role: 'alert', hidden: true });
    this.#gridEl = h('div', { class: 'panels' });
    root.append(this.#statusEl, this.#progressEl, this.#errorEl, this.#gridEl);
    this.#start();
  }

  // Removed from the page (e.g. by a framework): stop every animation loop it started. Still
  // off the page a task later (not merely moved): dispose of the panels (their workers end)
  // and the model; should it come back, it starts afresh.
  disconnectedCallback() {
    for (const p of Object.values(this.#panels)) p.suspend();
    setTimeout(() => {
      if (this.isConnected || this.#run <= 0) return;
      this.#run = -this.#run;
      for (const p of Object.values(this.#panels)) p.dispose();
      this.#panels = {};
      if (this.#model) this.#model.dispose();
      this.#model = null;
    }, 0);
  }

  #panelNames() {
    const attr = this.getAttribute('panels');
    const names = attr ? attr.split(',').map((s) => s.trim()).filter(Boolean) : PANEL_NAMES;
    return names.filter((n) => Object.hasOwn(PANELS, n));
  }

  #modelPanels() {
    return Object.entries(this.#panels).filter(([n]) => PANELS[n].needsModel).map(([, p]) => p);
  }

  #fail(text) {
    this.#errorEl.hidden = false;
    this.#errorEl.textContent = text;
    this.dataset.state = 'error';
  }

  async #start() {
    const t0 = performance.now();
    const names = this.#panelNames();
    // The model downloads while the core compiles: neither waits for the other.
    const src = this.getAttribute('model');
    const wantModel = src && names.some((n) => PANELS[n].needsModel);
    // The weights (0.8 MB) wait for the first presented frame: fetched before it, they share
    // a slow link with the page's own CSS and code and hold back its first paint (Lighthouse's
    // simulated mobile link put LCP at 5.6 s when the weights finished before the first paint).
    const firstFrame = new Promise((ok) => afterNextFrame(ok));
    const files = wantModel ? this.#fetchModel(src, firstFrame) : null;
    if (files) files.catch(() => {});   // reported below, once the panels exist
    const run = this.#run;
    const now = names.filter((n) => !PANELS[n].afterDigits);
    const code = Promise.all([import('./lib/meta.js'), ...now.map((n) => import(PANELS[n].module))]);
    code.catch(() => {});
    // The core's bytes are fetched here, where index.html's preload of them is used, and
    // handed to its worker.
    const wasmAttr = this.getAttribute('wasm');
    const wasmUrl = wasmAttr ? new URL(wasmAttr, document.baseURI) : new URL('drift_api.wasm', import.meta.url);
    const wasmBytes = fetchChecked(wasmUrl, wasmUrl.pathname.split('/').pop()).then((r) => r.arrayBuffer());
    wasmBytes.catch(() => {});
    let drift, meta, mods;
    const modelUrl = src ? new URL(src, document.baseURI) : null;
    try {
      const { startCore } = await import('./lib/core.js');
      drift = await startCore({ wasmUrl, wasmBytes });
      [meta, ...mods] = await code;
    } catch (e) {
      this.#statusEl.textContent = 'The demo could not start.';
      this.#fail(`Could not load the WebAssembly core: ${errorText(e)}`);
      return;
    }
    if (run !== this.#run) return;   // taken off the page meanwhile
    this.#modelMeta = meta.modelMeta;
    let firstDigitsDone;
    const firstDigits = new Promise((ok) => { firstDigitsDone = ok; });
    if (!wantModel || !names.includes('digits')) firstDigitsDone();
    this.#firstDigits = firstDigits;
    const ctx = {
      drift,
      firstDigits,
      // Called right after the first grid is painted into its canvases; the mark, the event
      // and the lazy fetches wait until a frame showing it has been rendered: the next
      // animation frame draws it, and a task queued from that callback runs after it.
      onFirstRender: () => afterNextFrame(() => {
        performance.mark('drift:first-digits');
        this.dataset.firstDigitsMs = String(Math.round(performance.now()));
        this.dispatchEvent(new CustomEvent('drift-first-digits', { bubbles: true, composed: true }));
        firstDigitsDone();
      }),
      // url-state: the digits panel keeps class, α and seed in the page's location hash.
      urlState: this.hasAttribute('url-state'),
      // A model loaded on the page (the reader's files, or weights trained in the train panel),
      // shown by the model panels; source names it on the model card.
      onModel: (model, manifest, source) => this.#useModel(model, manifest, source),
      showsModels: names.some((n) => PANELS[n].needsModel),
      // The digit trainer's module (drift_digits.wasm, next to the inference core) and its
      // data: the train-data attribute, else digits.pack.gz next to the model, else in the
      // element's own models/mnist/.
      wasmUrl,
      trainData: new URL(this.getAttribute('train-data') || 'digits.pack.gz',
        this.hasAttribute('train-data') ? document.baseURI : modelUrl || new URL('models/mnist/', import.meta.url)),
    };
    // Each panel fills a slot of its own, so that one whose code comes later keeps its place.
    const slots = names.map((n) => this.#gridEl.appendChild(h('div', { class: 'panel-slot', 'data-slot': n, style: 'display: contents' })));
    const create = (n, i, mod) => {
      if (run !== this.#run) return;
      const p = new mod.default(slots[i], ctx);
      this.#panels[n] = p;
      if (!PANELS[n].needsModel) return;
      if (this.#model) p.setModel(this.#model, this.#modelInfo, this.#modelSource);
      else if (this.#modelError) p.showError(this.#modelError);
    };
    // One panel per task, the digits panel first and at once: building every panel in one go
    // was one long task (about 150 ms with a phone's CPU), and only the digits need to be early.
    const early = names.map((n, i) => [n, i]).filter(([n]) => !PANELS[n].afterDigits)
      .sort(([a], [b]) => (b === 'digits') - (a === 'digits'));
    (async () => {
      for (const [k, [n, i]] of early.entries()) {
        if (k > 0) await nextTask();
        create(n, i, mods[now.indexOf(n)]);
      }
    })();
    names.forEach((n, i) => {
      if (!PANELS[n].afterDigits) return;
      firstDigits.then(() => import(PANELS[n].module)).then((mod) => create(n, i, mod),
        (e) => slots[i].append(h('p', { class: 'msg', role: 'alert' }, `Could not load the ${n} panel: ${errorText(e)}`)));
    });
    this.#gridEl.classList.toggle('full',
      PANEL_NAMES.filter((n) => PANELS[n].wide).every((n) => names.includes(n)));
    if (!wantModel) {
      this.#statusEl.textContent = 'Ready.';
      this.dataset.state = 'ready';
      return;
    }
    if (this.#progressEl.hidden) this.#statusEl.textContent = 'Loading the model…';   // else it shows the bytes
    try {
      const { manifest, bin, base } = await files;
      const model = await drift.loadModel(manifest, bin, { baseUrl: base });
      if (run !== this.#run) { model.dispose(); return; }
      this.#progressEl.remove();
      this.#useModel(model, manifest, src);
      // Should the digits fail to draw, the other panels' downloads wait no longer than this.
      setTimeout(firstDigitsDone, 5000);
      this.#statusEl.textContent = `Ready in ${Math.round(performance.now() - t0)} ms.`;
      this.dataset.state = 'ready';
    } catch (e) {
      this.#progressEl.remove();
      firstDigitsDone();   // nothing to wait for any more: the other panels may fetch
      this.#statusEl.textContent = 'The shipped model could not be loaded; the 2D panel and your own model still work.';
      const text = `Could not load the model: ${errorText(e)}`;
      this.#fail(text);
      this.#modelError = text;   // for the panels still to be built too
      for (const p of this.#modelPanels()) p.showError(text);
    }
  }

  // #fetchModel(src, firstFrame) -> {manifest, bin, base}: model.json, then, once firstFrame
  // resolves, the bin it names next to it (streamed, with the progress bar; the SHA-256 in its
  // URL keeps caches honest). Snapshot files are not fetched here: the replay panel asks for
  // them when it is shown or used.
  async #fetchModel(src, firstFrame) {
    const manifestUrl = new URL(src, document.baseURI);
    const fileName = manifestUrl.pathname.split('/').pop();
    const text = await (await fetchChecked(manifestUrl, fileName)).text();
    let manifest;
    try { manifest = JSON.parse(text); } catch (e) { throw new Error(`${fileName}: not valid JSON (${errorText(e)})`); }
    const b = mainBin(manifest, manifestUrl);
    const { fetchWithProgress, binUrl } = await import('./lib/fetch.js');
    const bar = this.#progressEl;
    await firstFrame;
    const bin = await fetchWithProgress(binUrl(b.file, b.sha256, manifestUrl), { expected: b.bytes,
      onProgress: (got, total) => {
        if (!bar.isConnected) return;
        bar.hidden = false;
        if (total) bar.value = got / total; else bar.removeAttribute('value');
        this.#statusEl.textContent = `Loading the model… ${mb(got)}${total ? ` of ${mb(total)}` : ''} MB`;
      } });
    return { manifest, bin, base: manifestUrl };
  }

  #useModel(model, manifest, source) {
    let meta;
    try { meta = this.#modelMeta(model, manifest); } catch (e) { this.#fail(`Model info unreadable: ${errorText(e)}`); return; }
    // The previous model's weights live in the wasm heap until disposed.
    if (this.#model && this.#model !== model) this.#model.dispose();
    this.#model = model;
    this.#modelInfo = meta;
    this.#modelSource = source;
    this.#errorEl.hidden = true;
    this.#modelError = '';
    // The digits panel at once. Every other one after the first digits are on screen, and
    // each in a frame of its own: filled in beside the digits, their first layout and the
    // digits' paint made one rendering task of 50-80 ms in a third of loads.
    const digits = this.#panels.digits;
    if (digits) digits.setModel(model, meta, source);
    (async () => {
      await this.#firstDigits;
      for (const p of this.#modelPanels()) {
        if (p === digits) continue;
        await new Promise((ok) => afterNextFrame(ok));
        if (this.#model !== model) return;
        p.setModel(model, meta, source);
      }
    })();
  }
}

if (!customElements.get('drift-demo')) customElements.define('drift-demo', DriftDemo);
