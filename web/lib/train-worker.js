// The train panel's worker: it owns its own drift_digits.wasm instance, fetches the digit pack,
// trains, and posts what the panel draws. The page's main thread only draws (panels/train.js).
//
// in:  {op: 'start', wasmUrl, packUrl, perClass, frameMs}   load module + pack, then train
//                       (wasmUrl: drift_digits.wasm; drift_digits_relaxed.wasm beside it is
//                       loaded instead where the engine has relaxed SIMD)
//      {op: 'pause'} | {op: 'resume'} | {op: 'reset'} | {op: 'frameMs', ms}
//      {op: 'export', id}                                    the weights as model.json + model.bin
// out: {type: 'progress', got, total}                        pack download (bytes; total 0: unknown)
//      {type: 'ready', parameters, digits, module}           training starts (module: the .wasm loaded)
//      {type: 'frame', step, loss, elapsedMs, stepsPerSec, width, height, rgba}   the grid's pixels
//      {type: 'quality', step, elapsedMs, value}             energy distance to held-out digits
//      {type: 'model', id, step, elapsedMs, manifest, bin: ArrayBuffer}
//      {type: 'error', message}
import { loadDigits } from './digit-trainer.js';
import { fetchWithProgress } from './fetch.js';
import { simdVariant } from './modules.js';

const PX = 28;             // digit side
const CHUNK_MS = 40;       // steps between looks at the message queue (a pause answers within this)
const QUALITY_MS = 2000;   // the quality proxy costs a few steps' time: once every 2 s of training

let trainer = null;
let running = false;       // wanted by the panel
let looping = false;       // the loop is active
let perClass = 6;
let frameMs = 150;
let elapsed = 0;           // training time before the current run of steps, ms
let since = 0;             // when the current run started (performance.now())
let lastFrame = -Infinity, lastQuality = -Infinity;
let rate = { t: 0, step: 0, value: 0 };

const now = () => performance.now();
const elapsedMs = () => elapsed + (looping ? now() - since : 0);
const post = (m, transfer) => self.postMessage(m, transfer || []);

// A zero-delay yield: lets queued messages (pause, export) run between chunks of steps,
// without setTimeout's 4 ms clamp on nested timers.
const yieldTask = () => new Promise((ok) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => ok();
  ch.port2.postMessage(0);
});

async function start({ wasmUrl, packUrl, perClass: pc, frameMs: fm }) {
  perClass = pc || perClass;
  frameMs = fm || frameMs;
  const url = new URL(packUrl);
  const name = url.pathname.split('/').pop();
  const wasm = simdVariant(new URL(wasmUrl));
  const [digits, gz] = await Promise.all([
    loadDigits({ wasmUrl: wasm }),
    fetchPack(url),
  ]);
  const pack = await inflate(gz, name);
  trainer = digits.createTrainer({ seed: 1 });
  trainer.setData(pack, name.replace(/\.gz$/, ''));
  post({ type: 'ready', parameters: trainer.parameters, digits: digitCount(pack), module: wasm.pathname.split('/').pop() });
}

async function fetchPack(url) {
  let last = 0;
  return fetchWithProgress(url, { onProgress: (got, total) => {
    const t = now();
    if (t - last < 100 && got !== total) return;   // a message per 100 ms is plenty for a bar
    last = t;
    post({ type: 'progress', got, total });
  } });
}

// digits.pack.gz as fetched: still gzipped, unless the host sent it with Content-Encoding
// gzip and the browser inflated it already.
async function inflate(bytes, name) {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  if (typeof DecompressionStream !== 'function') throw new Error(`${name}: this browser cannot inflate gzip (no DecompressionStream)`);
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new Error(`${name}: corrupt gzip data (${e && e.message || e})`);
  }
}

const digitCount = (pack) => (pack.length >= 16 ? new DataView(pack.buffer, pack.byteOffset).getUint32(12, true) : 0);

async function loop() {
  if (looping || !running || !trainer) return;
  looping = true;
  since = now();
  rate = { t: since, step: trainer.stepCount, value: 0 };
  try {
    while (running) {
      const t0 = now();
      do trainer.step(1); while (now() - t0 < CHUNK_MS);
      const t = now();
      if (t - rate.t >= 1000) {   // steps/s over the last second or so
        const s = trainer.stepCount;
        rate = { t, step: s, value: (s - rate.step) * 1000 / (t - rate.t) };
      }
      if (t - lastFrame >= frameMs) { lastFrame = t; frame(); }
      if (t - lastQuality >= QUALITY_MS) { lastQuality = t; quality(); }
      await yieldTask();
    }
    frame();   // paused: the panel shows the exact step it stopped at (and Download exports it)
  } catch (e) {
    running = false;
    post({ type: 'error', message: String(e && e.message || e) });
  } finally {
    elapsed += now() - since;
    looping = false;
  }
}

// The grid as the canvas wants it (RGBA, class c in column c, a digit per row), laid out here
// so that the page's main thread only puts it on screen.
function frame() {
  const px = trainer.sample(perClass);
  const W = 10 * PX, H = perClass * PX;
  const rgba = new Uint8ClampedArray(4 * W * H);
  for (let c = 0; c < 10; c++) {
    for (let r = 0; r < perClass; r++) {
      const src = (c * perClass + r) * PX * PX;
      for (let y = 0; y < PX; y++) {
        let o = 4 * ((r * PX + y) * W + c * PX);
        for (let x = 0; x < PX; x++, o += 4) {
          const v = px[src + y * PX + x] * 255 + 0.5;
          rgba[o] = v; rgba[o + 1] = v; rgba[o + 2] = v; rgba[o + 3] = 255;
        }
      }
    }
  }
  const step = trainer.stepCount;
  post({ type: 'frame', step, loss: trainer.loss, elapsedMs: elapsedMs(),
    stepsPerSec: rate.value || step * 1000 / Math.max(1, elapsedMs()), width: W, height: H, rgba }, [rgba.buffer]);
}

function quality() {
  post({ type: 'quality', step: trainer.stepCount, elapsedMs: elapsedMs(), value: trainer.quality() });
}

const ops = {
  async start(args) {
    if (trainer) return;
    running = true;
    await start(args);
    frame();
    quality();
    lastFrame = lastQuality = now();
    loop();
  },
  pause() { running = false; },
  resume() { running = true; loop(); },
  reset() {
    if (!trainer) return;
    trainer.reset();
    elapsed = 0;
    since = now();
    rate = { t: since, step: 0, value: 0 };
    frame();
    quality();
  },
  frameMs({ ms }) { frameMs = ms; },
  export({ id }) {
    if (!trainer) throw new Error('train: nothing trained yet');
    const { manifest, bin } = trainer.exportModel();
    // How long it trained, for the model card (the weights format's training.wall_time_s).
    const m = JSON.parse(manifest);
    m.training = { ...m.training, wall_time_s: Math.round(elapsedMs()) / 1000 };
    post({ type: 'model', id, step: trainer.stepCount, elapsedMs: elapsedMs(),
      manifest: JSON.stringify(m, null, 1), bin: bin.buffer }, [bin.buffer]);
  },
};

self.onmessage = async ({ data }) => {
  try {
    if (!Object.hasOwn(ops, data.op)) throw new Error(`train worker: unknown request '${data.op}'`);
    await ops[data.op](data);
  } catch (e) {
    running = false;
    post({ type: 'error', id: data.id, message: String(e && e.message || e) });
  }
};
