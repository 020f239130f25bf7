// "Your own model": drop model.json + model.bin (from `drift-train export`), and optionally
// its model.snapshot-<i>.bin files for the replay. The core validates them all; any problem is
// shown as the core's one-line message, never a blank page.
import { h, errorText, nextId } from '../lib/dom.js';
import { Panel } from './panel.js';

export default class UploadPanel extends Panel {
  // ctx.drift loads the files; ctx.onModel(model, manifest, source) shows the model loaded.
  constructor(host, ctx) {
    super(host, ctx);
    this.drift = ctx.drift;
    this.onModel = ctx.onModel;
    this.files = { json: null, bins: new Map() };   // bins: file name -> File
    const titleId = nextId('up-title');
    this.input = h('input', { type: 'file', multiple: true, accept: '.json,.bin,application/json',
      id: nextId('files'), class: 'visually-hidden' });
    this.input.addEventListener('change', () => this.take([...this.input.files]));
    this.zone = h('label', { class: 'dropzone', for: this.input.id },
      h('strong', {}, 'Drop model.json and model.bin here'),
      h('span', {}, 'or press to choose the two files'));
    for (const ev of ['dragenter', 'dragover']) this.zone.addEventListener(ev, (e) => {
      e.preventDefault(); this.zone.classList.add('over'); });
    for (const ev of ['dragleave', 'drop']) this.zone.addEventListener(ev, () => this.zone.classList.remove('over'));
    this.zone.addEventListener('drop', (e) => { e.preventDefault(); this.take([...e.dataTransfer.files]); });
    this.status = h('p', { class: 'status', 'aria-live': 'polite' }, 'No model loaded from disk yet.');
    this.msg = h('p', { class: 'msg', role: 'alert', hidden: true });
    this.mount(h('section', { class: 'panel panel-upload', 'aria-labelledby': titleId, 'data-panel': 'upload' },
      h('header', {}, h('h2', { id: titleId }, 'Your own model'),
        h('p', { class: 'sub' }, 'Train with drift-train, export, and try it here. Files stay on your machine.')),
      this.input, this.zone, this.status, this.msg));
  }

  showError(text) { this.msg.hidden = !text; this.msg.textContent = text || ''; }

  async take(list) {
    for (const f of list) {
      if (/\.json$/i.test(f.name)) this.files.json = f;
      else if (/\.bin$/i.test(f.name)) this.files.bins.set(f.name, f);
      else { this.showError(`${f.name}: not a .json or .bin file`); return; }
    }
    const { json, bins } = this.files;
    if (!json || !bins.size) {
      this.showError('');
      this.status.textContent = `Got ${(json || [...bins.values()][0]).name}; now add the ${json ? '.bin' : '.json'} file.`;
      return;
    }
    this.files = { json: null, bins: new Map() };
    let manifest;
    try {
      manifest = JSON.parse(await json.text());
    } catch (e) {
      this.lastNames = json.name;
      this.fail(`${json.name}: not valid JSON (${errorText(e)})`);
      return;
    }
    // The main bin is the one the manifest names, or the only .bin given; the others may be
    // its snapshot files.
    const named = manifest && manifest.bin && manifest.bin.file;
    const bin = bins.get(named) || (bins.size === 1 ? [...bins.values()][0] : null);
    if (!bin) {
      this.lastNames = json.name;
      this.fail(`${json.name}: names ${named || 'no bin file'}, which is not among the dropped files`);
      return;
    }
    this.lastNames = `${json.name} + ${bin.name}`;
    this.status.textContent = `Checking ${this.lastNames}…`;
    try {
      const model = await this.drift.loadModel(manifest, await bin.arrayBuffer());
      let snaps = 0;
      for (const s of model.pendingSnapshots()) {
        const f = bins.get(s.file);
        if (f) { await model.loadSnapshot(s.name, await f.arrayBuffer()); snaps++; }
      }
      this.showError('');
      this.status.textContent = `Loaded ${json.name} + ${bin.name}${snaps ? ` + ${snaps} snapshot files` : ''}; the panels now use it.`;
      this.onModel(model, manifest, `${json.name} (your file)`);
    } catch (e) {
      this.fail(errorText(e));   // the core's message already names the file and the problem
    }
  }

  fail(text) {
    this.status.textContent = `${this.lastNames || 'The files'} rejected; the previous model stays in use.`;
    this.showError(text);
  }
}
