// Model output -> canvas pixels.

// outputRange(info) -> [lo, hi]: the value range the model's final layer produces, so that
// lo maps to black and hi to white. A tanh head gives [-1,1], a sigmoid head [0,1]; an
// explicit manifest range wins over the guess from the last layer.
export function outputRange(info) {
  const r = info && (info.output_range || (info.output && info.output.range));
  if (Array.isArray(r) && r.length === 2) return r;
  const last = info && info.last_activation;
  if (last === 'sigmoid') return [0, 1];
  return [-1, 1];
}

// imageShape(info) -> {c, h, w}: output.shape is [C,H,W] or [H,W].
export function imageShape(info) {
  const s = (info && (info.output_shape || (info.output && info.output.shape))) || [1, 28, 28];
  return s.length === 2 ? { c: 1, h: s[0], w: s[1] } : { c: s[0], h: s[1], w: s[2] };
}

// toImageData(pixels[N*C*H*W], index, shape, range) -> ImageData of sample `index`.
// Planar CHW input, 1 channel drawn as grey; values clamp to the range.
export function toImageData(pixels, index, shape, range) {
  const img = new ImageData(shape.w, shape.h);
  drawSample(img, 0, 0, pixels, index, shape, range);
  return img;
}

// drawSample(img, x0, y0, pixels, index, shape, range): sample `index` into the ImageData
// `img` with its top-left corner at (x0, y0), as toImageData draws it. Many samples in one
// ImageData make one putImageData: a canvas per sample cost 20-40 ms on a page's first paint.
export function drawSample(img, x0, y0, pixels, index, { c, h, w }, [lo, hi]) {
  const d = img.data;
  const base = index * c * h * w;
  const k = 255 / (hi - lo);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x, o = 4 * ((y0 + y) * img.width + x0 + x);
      for (let ch = 0; ch < 3; ch++) {
        const v = pixels[base + (c === 1 ? 0 : ch) * h * w + p];
        d[o + ch] = Math.max(0, Math.min(255, Math.round((v - lo) * k)));
      }
      d[o + 3] = 255;
    }
  }
}

export function paint(canvas, imageData) {
  if (canvas.width !== imageData.width) canvas.width = imageData.width;
  if (canvas.height !== imageData.height) canvas.height = imageData.height;
  canvas.getContext('2d').putImageData(imageData, 0, 0);
}

// upscale(imageData, size) -> canvas of size×size drawn without smoothing (crisp pixels),
// used for the enlarged view and the PNG download.
export function upscale(imageData, size) {
  const src = document.createElement('canvas');
  paint(src, imageData);
  const big = document.createElement('canvas');
  big.width = size;
  big.height = Math.round(size * imageData.height / imageData.width);
  const g = big.getContext('2d');
  g.imageSmoothingEnabled = false;
  g.drawImage(src, 0, 0, big.width, big.height);
  return big;
}
