// modelMeta(model, manifest) -> the few facts the panels need, read from the core's
// model.info with the manifest as fallback, so panels never dig into either directly.
import { imageShape, outputRange } from './image.js';

export function modelMeta(model, manifest = {}) {
  const info = Object.assign({}, manifest, model.info || {});
  const gen = info.conditioning || manifest.conditioning || {};
  const numClasses = num(info.num_classes, gen.num_classes, manifest.num_classes, 0);
  const latentDim = num(info.latent_dim, gen.latent_dim, manifest.latent_dim, 0);
  const classNames = (info.class_names || manifest.class_names
    || Array.from({ length: numClasses }, (_, i) => String(i))).map(String);
  const rawSnaps = info.snapshots || manifest.snapshots || [];
  // Snapshots may be listed as names or as {name, step}; keep them in training order.
  const snapshots = rawSnaps.map((s, i) => (typeof s === 'string'
    ? { name: s, step: stepFromName(s, i) }
    : { name: s.name, step: s.step ?? stepFromName(s.name, i) }))
    .sort((a, b) => a.step - b.step);
  const training = manifest.training || info.training || {};
  return {
    numClasses, latentDim, classNames, snapshots,
    shape: imageShape(info),
    range: outputRange(info),
    metrics: training.metrics || null,
    training,
    totalSteps: num(training.steps, training.total_steps, null),
    params: num(info.parameters, info.num_params, info.param_count, null),
    name: info.name || manifest.name || '',
    alphaRange: info.alpha_range || gen.alpha_range || null,
    tensorDtypes: Array.isArray(manifest.tensors) ? manifest.tensors.map((t) => t && t.dtype).filter(Boolean) : [],
  };
}

function num(...xs) {
  for (const x of xs) if (typeof x === 'number' && isFinite(x)) return x;
  return xs[xs.length - 1];
}

function stepFromName(name, i) {
  const m = /(\d+)\s*$/.exec(String(name));
  return m ? Number(m[1]) : i;
}
