#!/usr/bin/env node
// Writes the digit pack (docs/digit-pack.md) of the browser digit trainer: the first COUNT
// digits of the canonical MNIST training set, gzipped. No LibTorch, no native build: it reads
// the IDX files (plain or .gz) that scripts/fetch-data.sh puts in data/mnist.
//   node scripts/pack-digits.mjs [--data data/mnist] [--count 10500] [--out build/digits.pack.gz]
// The file is written atomically (temp file + rename). Prints one line: count, sizes, SHA-256.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';

function fail(msg) {
  console.error(`pack-digits: error: ${msg}`);
  process.exit(1);
}

const opt = { data: 'data/mnist', count: '10500', out: 'build/digits.pack.gz' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, '');
  if (!(k in opt) || argv[i + 1] === undefined) fail(`bad option ${argv[i]} (--data DIR, --count N, --out FILE)`);
  opt[k] = argv[i + 1];
}
const count = Number(opt.count);
if (!Number.isInteger(count) || count < 1 || count > 60000) fail(`--count ${opt.count}: not an integer in [1, 60000]`);

// An IDX file's bytes (plain preferred, else .gz), checked against the expected magic.
function readIdx(base, magic) {
  for (const f of [base, base + '.gz']) {
    const p = path.join(opt.data, f);
    if (!fs.existsSync(p)) continue;
    let b = fs.readFileSync(p);
    if (b[0] === 0x1f && b[1] === 0x8b) b = zlib.gunzipSync(b);
    if (b.length < 8 || b.readUInt32BE(0) !== magic) fail(`${p}: not an IDX file of the expected type`);
    return { file: p, bytes: b };
  }
  fail(`${path.join(opt.data, base)}: missing (scripts/fetch-data.sh fetches data/mnist)`);
}
const img = readIdx('train-images-idx3-ubyte', 0x00000803);
const lab = readIdx('train-labels-idx1-ubyte', 0x00000801);
const n = img.bytes.readUInt32BE(4), rows = img.bytes.readUInt32BE(8), cols = img.bytes.readUInt32BE(12);
if (lab.bytes.readUInt32BE(4) !== n) fail(`${lab.file}: ${lab.bytes.readUInt32BE(4)} labels for ${n} images`);
if (count > n) fail(`--count ${count}: ${img.file} has only ${n} digits`);
if (img.bytes.length < 16 + n * rows * cols || lab.bytes.length < 8 + n) fail(`${img.file}: truncated`);

// Header (28 bytes, little-endian), then labels, then pixels: docs/digit-pack.md.
const px = rows * cols, body = Buffer.alloc(count + count * px);
lab.bytes.copy(body, 0, 8, 8 + count);
img.bytes.copy(body, count, 16, 16 + count * px);
let h = 0x811c9dc5;  // FNV-1a 32
for (let i = 0; i < body.length; i++) h = Math.imul(h ^ body[i], 0x01000193) >>> 0;
const head = Buffer.alloc(28);
head.write('DRDIGITS', 0, 'latin1');
head.writeUInt32LE(1, 8);
head.writeUInt32LE(count, 12);
head.writeUInt16LE(rows, 16);
head.writeUInt16LE(cols, 18);
head.writeUInt16LE(10, 20);
head.writeUInt16LE(0, 22);
head.writeUInt32LE(h, 24);
const raw = Buffer.concat([head, body]);
// mtime 0 and no name in the gzip header: the same digits give the same bytes.
const gz = zlib.gzipSync(raw, { level: 9 });

fs.mkdirSync(path.dirname(path.resolve(opt.out)), { recursive: true });
const tmp = `${opt.out}.tmp-${process.pid}`;
fs.writeFileSync(tmp, gz);
fs.renameSync(tmp, opt.out);
const sha = crypto.createHash('sha256').update(gz).digest('hex');
console.log(`pack-digits: ${opt.out}: ${count} digits, ${raw.length} bytes raw, ${gz.length} bytes gzipped, sha256 ${sha}`);
