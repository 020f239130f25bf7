// What a visitor pays before the first digits: the bytes fetched (as sent, i.e. gzipped by
// the server) by requests that started before the drift:first-digits mark, and the time to
// that mark, on an emulated link (CDP Network.emulateNetworkConditions). A benchmark
// printout, not a timed assertion: the machine is shared and the numbers are noisy.
// page.test.mjs calls measureLoad(); standalone it serves a built site itself:
//   node tests/e2e/load-metrics.mjs [--site build/site] [--page index.html] [--runs 3]
//        [--mbps 20] [--latency 40] [--trace]
import fs from 'node:fs';
import path from 'node:path';

// The issue's link: 20 Mbit/s down and up, 40 ms latency.
export const LINK_20MBPS = { mbps: 20, latencyMs: 40 };

// What a person sees, measured by the test rather than by the page's own code: installed
// before any page script runs, it observes long main-thread tasks and, every animation frame,
// looks at the digit grid's canvas; the first frame in which it has ink is the
// time the digits were visible. (The page's mark can run ahead of that frame by hundreds of
// ms while the main thread is busy.) Read back as window.__driftProbe. It tells the test
// through the console when it has seen the digits (or the page's error state), so that the
// test need not poll the page: Playwright's polling (waitForFunction) first compiles its own
// script of several hundred KB into the page, a task of 50-120 ms on this machine that the
// longtask observer counted against the page.
const PROBE_SEEN = 'drift-probe: digits seen';
const PROBE_ERROR = 'drift-probe: error state';
const PROBE = ({ seen, error }) => {
  const probe = { longTasks: [], seenMs: NaN };
  window.__driftProbe = probe;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push([Math.round(e.startTime), Math.round(e.duration)]);
    }).observe({ type: 'longtask', buffered: true });
  } catch { probe.noLongTasks = true; }
  const look = (now) => {
    const root = document.querySelector('drift-demo')?.shadowRoot;
    const c = root && root.querySelector('.digit-grid canvas');
    if (c && c.width > 1) {
      const d = c.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, c.width, c.height).data;
      let lo = 255, hi = 0;
      for (let i = 0; i < d.length; i += 4) { lo = Math.min(lo, d[i]); hi = Math.max(hi, d[i]); }
      if (hi - lo > 20) { probe.seenMs = now; console.debug(seen); return; }
    }
    if (document.querySelector('drift-demo')?.dataset.state === 'error') { console.debug(error); return; }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
};

// measureLoad(context, url, {mbps, latencyMs, shoot, after}) -> {firstMs, seenMs, bytes,
//   bytesBeforeMark, longestTask, longTasks, files: [[name, bytes, startMs, endMs]], later}
// Opens url in a fresh page of a playwright context with the cache disabled and the link
// emulated (no emulation when mbps is 0), waits until the probe sees the first digits, then
// `after` ms more (default 3000), and reports: firstMs, the page's drift:first-digits mark;
// seenMs, the probe's frame; bytes (encodedBodySize, as sent) of the document and every
// resource that started before seenMs (bytesBeforeMark: before the mark); the long tasks
// (over 50 ms, [startMs, durationMs]) from navigation to seenMs + after, and the longest.
// shoot(name, page), if given, is called while the model downloads ('loading', once its
// progress bar shows), at the first digits ('first-digits') and, with the replay panel
// scrolled into view, while its snapshots download ('replay-loading'); then the page closes
// without waiting for them. Screenshots take time: a load with shoot is for looking at, not
// for its numbers (give it a slow link, so the bars are still there when the shots land).
export async function measureLoad(context, url, { mbps = 0, latencyMs = 0, shoot = null, after = 3000, trace = false } = {}) {
  const page = await context.newPage();
  let tracer = null;
  try {
    // the issue's probe window: the replay panel is in view at load
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.addInitScript(PROBE, { seen: PROBE_SEEN, error: PROBE_ERROR });
    const told = page.waitForEvent('console', { predicate: (m) => m.text() === PROBE_SEEN || m.text() === PROBE_ERROR,
      timeout: 120000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (mbps > 0) {
      const bytesPerS = (mbps * 1e6) / 8;
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: latencyMs,
        downloadThroughput: bytesPerS, uploadThroughput: bytesPerS });
    }
    if (trace) tracer = await startTrace(cdp);
    await page.goto(url, { waitUntil: 'commit' });
    if (shoot) {
      const bar = await page.waitForFunction(() => {
        const p = document.querySelector('drift-demo')?.shadowRoot?.querySelector('.load-progress');
        return p && !p.hidden && p.value > 0.2;
      }, null, { timeout: 20000, polling: 20 }).then(() => true, () => false);
      if (bar) await shoot('loading', page);
    }
    if ((await told).text() === PROBE_ERROR) throw new Error(`${url}: the page reports an error instead of digits`);
    if (shoot) {
      await shoot('first-digits', page);
      const replay = page.locator('drift-demo [data-panel=replay]');
      if (await replay.count()) {
        await replay.scrollIntoViewIfNeeded();
        const loading = await page.waitForFunction(() => {
          const r = document.querySelector('drift-demo').shadowRoot.querySelector('[data-panel=replay]');
          return r.dataset.snapshots === 'loading' && r.querySelector('.load-progress').value > 0.05;
        }, null, { timeout: 20000, polling: 20 }).then(() => true, () => false);
        if (loading) await shoot('replay-loading', page);
      }
      return null;
    }
    // Long tasks up to `after` ms past the digits; requests still running then report their
    // size once done, so wait for them too.
    await page.waitForTimeout(after);
    await page.waitForLoadState('networkidle');
    const traced = tracer ? await tracer.longTasks() : null;
    const m = await page.evaluate((a) => {
      const probe = window.__driftProbe;
      const mark = performance.getEntriesByName('drift:first-digits')[0];
      const firstMs = mark ? mark.startTime : NaN, seenMs = probe.seenMs;
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
      const sum = (t) => entries.filter((e) => e.startTime < t).reduce((s, e) => s + e.encodedBodySize, 0);
      const files = entries.filter((e) => e.startTime < seenMs).map((e) => [
        new URL(e.name).pathname, e.encodedBodySize, Math.round(e.startTime), Math.round(e.responseEnd)]);
      const later = entries.filter((e) => e.startTime >= seenMs).map((e) => new URL(e.name).pathname);
      const longTasks = probe.longTasks.filter(([s]) => s < seenMs + a);
      return { firstMs, seenMs, bytes: sum(seenMs), bytesBeforeMark: sum(firstMs), files, later, longTasks,
        longestTask: longTasks.reduce((m, t) => Math.max(m, t[1]), 0), longTasksObserved: !probe.noLongTasks };
    }, after);
    return traced ? { ...m, traced } : m;
  } finally {
    await page.close();
  }
}

// With --trace, each load is also traced (CDP Tracing; the tracing costs time itself, so a
// traced load's numbers are not comparable with an untraced one's). For every task over 50 ms
// on the page's main thread it reports the main thread's own CPU time in it, which tells the
// page's work from waiting for a core (wall time far above CPU time: other processes ran),
// and the kinds of work inside it.
const WORK = { ParseHTML: 'parse', EvaluateScript: 'script', 'v8.compileModule': 'script', 'v8.evaluateModule': 'script',
  FunctionCall: 'script', TimerFire: 'script', FireAnimationFrame: 'script', EventDispatch: 'script',
  RunMicrotasks: 'script', HandlePostMessage: 'script', 'DocumentLoader::CommitNavigation': 'navigation', UpdateLayoutTree: 'style', Layout: 'layout', PrePaint: 'paint', Paint: 'paint',
  Commit: 'paint', MinorGC: 'gc', MajorGC: 'gc' };
async function startTrace(cdp) {
  const events = [];
  cdp.on('Tracing.dataCollected', (d) => { for (const e of d.value) events.push(e); });
  const complete = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
  await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig: {
    includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'loading', 'v8', 'blink.user_timing'] } });
  return {
    // -> [{startMs, ms, cpuMs, work: {kind: ms}}] for the main thread's tasks over 50 ms
    async longTasks() {
      await cdp.send('Tracing.end');
      await complete;
      const threads = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
      const nav = events.filter((e) => e.name === 'navigationStart').pop();
      const main = events.filter((e) => e.ph === 'X' && threads.get(`${e.pid}:${e.tid}`) === 'CrRendererMain'
        && (!nav || e.pid === nav.pid));
      const tasks = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.dur > 50000
        && (!nav || e.ts + e.dur > nav.ts));
      return tasks.map((t) => {
        const inside = main.filter((e) => WORK[e.name] && e.ts >= t.ts && e.ts + e.dur <= t.ts + t.dur);
        // only the outermost piece of each nest, so that nothing is counted twice
        const outer = inside.filter((e) => !inside.some((o) => o !== e && o.ts <= e.ts && o.ts + o.dur >= e.ts + e.dur
          && (o.ts < e.ts || o.dur > e.dur)));
        const work = {};
        for (const e of outer) work[WORK[e.name]] = (work[WORK[e.name]] || 0) + e.dur / 1000;
        return { startMs: nav ? (t.ts - nav.ts) / 1000 : NaN, ms: t.dur / 1000, cpuMs: t.tdur / 1000, work };
      });
    },
  };
}

// printLoad(tag, m): the METRIC lines page.test.mjs and this script print.
export function printLoad(tag, m, link) {
  const where = link.mbps ? `${link.mbps} Mbps / ${link.latencyMs} ms` : 'no throttling';
  console.log(`METRIC bytes_before_first_digits=${m.bytes} (gzipped as sent, requests started before the probe saw the digits: ${m.files.length}; before the page's mark: ${m.bytesBeforeMark} B; ${tag})`);
  console.log(`METRIC time_to_first_digits_ms=${m.seenMs.toFixed(0)} (frame-polled probe; the page's own mark: ${m.firstMs.toFixed(0)} ms; ${where}, ${tag})`);
  console.log(`METRIC longest_main_thread_task_ms=${m.longestTask} (navigation to 3 s after the digits; tasks over 50 ms: ${m.longTasks.map(([s, d]) => `${d} at ${s}`).join(', ') || 'none'}; ${tag})`);
  for (const t of m.traced || []) {
    const work = Object.entries(t.work).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
    console.log(`  traced task at ${t.startMs.toFixed(0)} ms: ${t.ms.toFixed(0)} ms, main-thread CPU ${t.cpuMs.toFixed(0)} ms (${work || 'no work recorded'})`);
  }
  for (const [name, bytes, start, end] of m.files)
    console.log(`  ${String(start).padStart(5)}-${String(end).padEnd(5)} ms ${String(bytes).padStart(9)} B ${name}`);
  if (m.later.length) console.log(`  after first digits: ${m.later.join(' ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { REPO, parseArgs, launchBrowser } = await import('./helpers.mjs');
  const { startServer } = await import('./server.mjs');
  const args = parseArgs(process.argv.slice(2));
  const site = path.resolve(REPO, args.site || 'build/site');
  const link = { mbps: Number(args.mbps ?? LINK_20MBPS.mbps), latencyMs: Number(args.latency ?? LINK_20MBPS.latencyMs) };
  // the embed pages page.test.mjs writes (build/e2e-embed), e.g. --page embed/digits-only.html
  const embed = path.join(REPO, 'build/e2e-embed');
  const server = await startServer({ root: site, overlays: fs.existsSync(embed) ? { 'embed/': embed } : {} });
  const context = await launchBrowser();
  try {
    // one unmeasured load first, so the server has gzipped every file once (a static host
    // serves them precompressed or from its cache)
    await measureLoad(context, new URL(args.page || '', server.url).href, {});
    for (let r = 0; r < Number(args.runs || 1); r++)
      printLoad(`${args.page || 'index.html'}, run ${r + 1}`,
        await measureLoad(context, new URL(args.page || '', server.url).href, { ...link, trace: 'trace' in args }), link);
  } finally {
    await context.close();
    await server.close();
  }
}
