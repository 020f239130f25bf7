// "Your own model": drop model.json + model.bin (from `drift-train export`). The core
// validates both; any problem is shown as the core's one-line message, never a blank page.
import { h, errorText, nextId } from '../lib/dom.js';

export class UploadPanel {
  constructor(drift, onModel) {
    this.drift = drift;
    this.onModel = onModel;
    this.files = { json: null, bin: null };
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
    this.el = h('section', { class: 'panel panel-upload', 'aria-labelledby': titleId, 'data-panel': 'upload' },
      h('header', {}, h('h2', { id: titleId }, 'Your own model'),
        h('p', { class: 'sub' }, 'Train with drift-train, export, and try it here. Files stay on your machine.')),
      this.input, this.zone, this.status, this.msg);
  }

  showError(text) { this.msg.hidden = !text; this.msg.textContent = text || ''; }

  async take(list) {
    for (const f of list) {
      if (/\.json$/i.test(f.name)) this.files.json = f;
      else if (/\.bin$/i.test(f.name)) this.files.bin = f;
      else { this.showError(`${f.name}: not a .json or .bin file`); return; }
    }
    const { json, bin } = this.files;
    if (!json || !bin) {
      this.showError('');
      this.status.textContent = `Got ${(json || bin).name}; now add the ${json ? '.bin' : '.json'} file.`;
      return;
    }
    this.files = { json: null, bin: null };
    this.lastNames = `${json.name} + ${bin.name}`;
    this.status.textContent = `Checking ${this.lastNames}…`;
    let manifest;
    try {
      manifest = JSON.parse(await json.text());
    } catch (e) {
      this.fail(`${json.name}: not valid JSON (${errorText(e)})`);
      return;
    }
    try {
      const model = await this.drift.loadModel(manifest, await bin.arrayBuffer());
      this.showError('');
      this.status.textContent = `Loaded ${json.name} + ${bin.name}; the panels now use it.`;
      this.onModel(model, manifest, json.name);
    } catch (e) {
      this.fail(errorText(e));   // the core's message already names the file and the problem
    }
  }

  fail(text) {
    this.status.textContent = `${this.lastNames || 'The files'} rejected; the previous model stays in use.`;
    this.showError(text);
  }
}
