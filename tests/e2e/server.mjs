// A small static file server for the e2e tests: serves ROOT under a mount path (e.g.
// /sub/dir/), gzips compressible responses when the client accepts it (as a static host
// would), and counts the bytes it sends so tests can report the page's transfer size.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream',
  '.png': 'image/png', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

// startServer({root, mount='/', overlays={urlPrefix: dir}}) -> {url, stats, close()}.
// overlays map a path below the mount to another folder (used to supply a test model).
export async function startServer({ root, mount = '/', overlays = {} }) {
  const gzCache = new Map();
  const stats = { requests: [], bytesSent: 0, bytesRaw: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let rel = decodeURIComponent(url.pathname);
    const send = (code, body, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (!rel.startsWith(mount)) { stats.requests.push({ path: rel, status: 404 }); return send(404, 'not found'); }
    rel = rel.slice(mount.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    let base = root;
    for (const [prefix, dir] of Object.entries(overlays)) {
      if (rel.startsWith(prefix)) { base = dir; rel = rel.slice(prefix.length); break; }
    }
    const file = path.resolve(base, rel);
    if (!file.startsWith(path.resolve(base) + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      stats.requests.push({ path: url.pathname, status: 404 });
      return send(404, `not found: ${url.pathname}`);
    }
    let body = fs.readFileSync(file);
    const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
    const headers = { 'content-type': type, 'cache-control': 'no-store' };
    stats.bytesRaw += body.length;
    if (/\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      // the usual static-host setting; kept per file, as a host's cache or precompressed files
      // would be, so a benchmark does not time this server's gzip of a megabyte bin
      const st = fs.statSync(file), key = `${file}:${st.mtimeMs}:${st.size}`;
      if (!gzCache.has(key)) gzCache.set(key, zlib.gzipSync(body, { level: 6 }));
      body = gzCache.get(key);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = body.length;
    stats.bytesSent += body.length;
    stats.requests.push({ path: url.pathname, status: 200, bytes: body.length });
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${mount}`,
    stats,
    resetStats() { stats.requests = []; stats.bytesSent = 0; stats.bytesRaw = 0; },
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(ok); }),
  };
}

// Standalone use: node tests/e2e/server.mjs build/site [/mount/]  (prints the URL)
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startServer({ root: process.argv[2] || 'build/site', mount: process.argv[3] || '/' });
  console.log(s.url);
}
