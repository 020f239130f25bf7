// Fetching the model's files: URLs that change with their bytes, and streamed downloads with
// progress. Shared by drift.js (which re-exports both) and the element's main thread, which
// downloads the model while the core starts in its worker.

/**
 * A URL for a bin named by a manifest, with the first 16 hex digits of its SHA-256 as a query:
 * the URL changes exactly when the bytes do, so a static host may let browsers cache bins
 * for long (the manifest itself should be revalidated).
 * @param {string} file @param {string} sha256 @param {URL|string} base @returns {URL}
 */
export function binUrl(file, sha256, base) {
  const u = new URL(file, base);
  if (typeof sha256 === 'string' && /^[0-9a-f]{16}/.test(sha256)) u.searchParams.set('v', sha256.slice(0, 16));
  return u;
}

/**
 * Fetches url as bytes, streaming, calling onProgress(received, total) as chunks arrive.
 * total is `expected` (a manifest's bin.bytes: the size after any gzip) when given, else the
 * Content-Length, else 0. Errors name the file: "model.bin: HTTP 404".
 * @param {URL} url @param {{expected?: number, onProgress?: function(number, number): void}} [opts]
 * @returns {Promise<Uint8Array>}
 */
export async function fetchWithProgress(url, { expected = 0, onProgress } = {}) {
  const name = url.pathname.split('/').pop();
  let res;
  try { res = await fetch(url); } catch (e) { throw new Error(`${name}: could not fetch (${e && e.message || e})`); }
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${res.statusText}`.trim());
  const total = expected || Number(res.headers.get('content-length')) || 0;
  if (!res.body || !onProgress) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  let buf = new Uint8Array(total || 1 << 16), got = 0;
  onProgress(0, total);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (got + value.length > buf.length) {   // more than announced: grow (the core names the size mismatch)
      const bigger = new Uint8Array(Math.max(buf.length * 2, got + value.length));
      bigger.set(buf.subarray(0, got));
      buf = bigger;
    }
    buf.set(value, got);
    got += value.length;
    onProgress(got, total);
  }
  return got === buf.length ? buf : buf.slice(0, got);
}
