// npm run bench: hush next to the trackers a site would pick instead, in one headless
// Chromium run, against local endpoints only (127.0.0.1).
//
//   node bench/run.mjs [--runs 7] [--no-native] [--out bench/results]
//   node bench/run.mjs --render bench/results/latest.json   (rewrites latest.md only)
//   HUSH_DIST=/tmp/dist-x  bench another bundle directory (default dist/)
//   MATOMO_JS=/path/to/matomo.js  adds matomo.js (not shipped here; bring your own copy)
//   CHROMIUM=/usr/bin/chromium
//
// Trackers: hush as a script tag (hush.js + hush_bg.wasm, the matomo.js drop-in), hush through
// npm (dist/index.js bundled by esbuild + hush_bg.wasm), @plausible-analytics/tracker and
// plausible-tracker (bundled by esbuild with their init code, speaking Plausible's Events API to
// bench/plausible-endpoint.mjs), and matomo.js when MATOMO_JS is set. hush and matomo.js talk
// to the development collector (tools/collector.mjs). What each number means is in DEFINITIONS
// below and is printed with the table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { startCollector } from '../tools/collector.mjs';
import { startSite } from '../tools/site.mjs';
import { startPlausibleEndpoint } from './plausible-endpoint.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', process.env.BENCH_RUNS ?? 7));
const OUT = path.resolve(REPO, opt('--out', 'bench/results'));
const NATIVE = !argv.includes('--no-native');
const DIST = path.resolve(REPO, process.env.HUSH_DIST ?? 'dist');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// The same flags as tests/e2e/harness.mjs.
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const QUIET_MS = 700; // no new tracking request for this long = the tracker is done sending
const TRACKING_URL = /\/(matomo|piwik)\.php|\/api\/event/;

const DEFINITIONS = [
  ['bytes', 'what a page must load for the tracker, as served: hush = hush.js + hush_bg.wasm; hush (npm) = the esbuild bundle of an app entry importing hush-analytics + hush_bg.wasm; Plausible packages = the esbuild IIFE bundle (minified) of the package plus its init call; matomo.js = the file. gzip level 9, brotli quality 11 (node:zlib).'],
  ['first hit', 'wall time from the tracker script arriving (Resource Timing responseEnd of its JS file) to its first tracking request handed to the browser (fetch / sendBeacon / XHR.send / image src, hooked by an init script). hush is told to flush right after trackPageView, so its batching delay is not counted; for hush this includes fetching (loopback) and compiling hush_bg.wasm.'],
  ['main thread to first hit', 'CDP Performance.getMetrics TaskDuration of the page when its first hit is sent, minus the median of the same page without any tracker: main-thread work the tracker added up to its first hit (noisy: a difference of two page loads, it can come out negative). "of which script" is the same with ScriptDuration (JavaScript and wasm execution, no parsing/layout).'],
  ['1,000 events (calls)', 'synchronous time of 1,000 trackEvent calls in one loop (performance.now around the loop), after the first hit: hush _paq.push([\'trackEvent\', …]) / tracker.trackEvent, Plausible track(name, {props}) / trackEvent, matomo.js _paq.push.'],
  ['1,000 events (main thread)', 'CDP TaskDuration from just before the loop until the tracker is done sending (no new request for 700 ms): the calls plus deferred work (batching timers, encoding, request dispatch and response handling).'],
  ['pv + 100 events + leave', 'fresh page: page view (default config, no explicit flush), 100 trackEvent calls as soon as the tracker is ready, then navigate away. Requests and bytes counted at the local endpoint until quiet; bytes = request line + headers + body as received (HTTP/1.1), body bytes separately. "delivered" = distinct hits/events the endpoint accepted (101 expected; @plausible-analytics/tracker adds an engagement event), "duplicate" = the same hit received again.'],
  ['JS heap', 'CDP Runtime.getHeapUsage usedSize after a forced GC, once the first hit is sent, minus the same for the page without a tracker.'],
  ['wasm linear memory', 'byteLength of every WebAssembly.Memory the tracker instantiated (hooked WebAssembly.instantiate*), at the same moment; it is outside the JS heap. The JSON also has backingStorageSize (ArrayBuffers) vs the empty page.'],
];

const INIT_SCRIPT = `(() => {
  const B = window.__bench = { sends: [] };
  const re = ${TRACKING_URL};
  const note = (kind, url) => { url = String(url); if (re.test(url)) B.sends.push({ kind, url, t: performance.now() }); };
  const f = window.fetch;
  window.fetch = function (input) { note('fetch', input && input.url ? input.url : input); return f.apply(this, arguments); };
  const sb = navigator.sendBeacon;
  if (sb) navigator.sendBeacon = function (url) { note('beacon', url); return sb.apply(this, arguments); };
  const xo = XMLHttpRequest.prototype.open, xs = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (m, url) { this.__benchUrl = url; return xo.apply(this, arguments); };
  XMLHttpRequest.prototype.send = function () { note('xhr', this.__benchUrl); return xs.apply(this, arguments); };
  // Keep every wasm instance's memory, to report linear memory (not part of the JS heap).
  B.memories = [];
  const keep = (r) => { try { const i = r && r.instance ? r.instance : r;
    for (const x of Object.values(i.exports)) if (x instanceof WebAssembly.Memory) B.memories.push(x); } catch (e) {} return r; };
  for (const k of ['instantiate', 'instantiateStreaming']) {
    const o = WebAssembly[k];
    if (o) WebAssembly[k] = function () { return o.apply(this, arguments).then(keep); };
  }
  const d = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, 'src');
  Object.defineProperty(HTMLImageElement.prototype, 'src', { configurable: true, enumerable: d.enumerable, get: d.get,
    set(v) { note('img', v); d.set.call(this, v); } });
})();`;

const pkgVersion = (name) => JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')).version;

function page({ head = '', config = {} }) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hush bench page</title><link rel="icon" href="data:,">
<script>window.BENCH = ${JSON.stringify(config)};</script>
${head}
</head><body><main><h1>A page to measure trackers on</h1>
${'<p>Some ordinary article text, the kind of page a tracker runs on. </p>\n'.repeat(20)}</main></body></html>`;
}

// The matomo.js snippet, as hush is a drop-in for it.
function paqSnippet(collector, { flush, src }) {
  return `<script>
  var _paq = window._paq = window._paq || [];
  _paq.push(['setTrackerUrl', ${JSON.stringify(`${collector.url}/matomo.php`)}]);
  _paq.push(['setSiteId', '1']);
  _paq.push(['trackPageView']);${flush ? "\n  _paq.push(['flush']);" : ''}
  window.benchEvent = function (i) { _paq.push(['trackEvent', 'bench', 'click', 'item ' + i, i]); };
  window.benchReady = function () { return window._paq.push !== Array.prototype.push; };
</script>
<script async src="${src}"></script>`;
}

const moduleReady = 'window.benchReady = function () { return !!window.benchTrackerReady; };';

async function bundle(contents, { format = 'iife', resolveDir = REPO } = {}) {
  const out = await esbuild.build({
    stdin: { contents, resolveDir, loader: 'js' }, bundle: true, write: false, minify: true,
    format, target: format === 'esm' ? 'es2020' : 'es2018', logLevel: 'warning',
  });
  return Buffer.from(out.outputFiles[0].contents);
}

/** Each tracker: the files it serves, the page that loads it, and where its hits go. */
async function trackers({ collector, plausible }) {
  const list = [];
  const wasm = fs.readFileSync(path.join(DIST, 'hush_bg.wasm'));
  list.push({
    id: 'hush', label: 'hush (script tag)', version: JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version,
    assets: [['/dist/hush.js', fs.readFileSync(path.join(DIST, 'hush.js'))], ['/dist/hush_bg.wasm', wasm]],
    script: '/dist/hush.js',
    html: (flush) => page({ head: paqSnippet(collector, { flush, src: '/dist/hush.js' }) }),
  });

  const npmEntry = `import { createTracker } from ${JSON.stringify(path.join(DIST, 'index.js'))};
createTracker({ trackerUrl: window.BENCH.collector, siteId: 1 }).then((t) => {
  t.trackPageView();
  if (window.BENCH.flush) t.flush();
  window.benchEvent = (i) => t.trackEvent('bench', 'click', 'item ' + i, i);
  window.benchTrackerReady = true;
});`;
  list.push({
    id: 'hush-npm', label: 'hush (npm, esbuild)', version: '',
    assets: [['/bench/hush-npm.js', await bundle(npmEntry, { format: 'esm' })], ['/bench/hush_bg.wasm', wasm]],
    script: '/bench/hush-npm.js',
    html: (flush) => page({ config: { collector: `${collector.url}/matomo.php`, flush },
      head: `<script>${moduleReady}</script>\n<script type="module" src="/bench/hush-npm.js"></script>` }),
  });

  // Plausible's checks skip localhost and automated browsers unless told otherwise.
  list.push({
    id: 'plausible', label: '@plausible-analytics/tracker', version: pkgVersion('@plausible-analytics/tracker'),
    assets: [['/bench/plausible.js', await bundle(`import { init, track } from '@plausible-analytics/tracker';
init({ domain: 'bench.example', endpoint: window.BENCH.endpoint, captureOnLocalhost: true, logging: false });
window.benchEvent = (i) => track('bench', { props: { category: 'bench', action: 'click', name: 'item ' + i, value: String(i) } });
window.benchTrackerReady = true;`)]],
    script: '/bench/plausible.js',
    html: () => page({ config: { endpoint: plausible.endpoint },
      head: `<script>window.__plausible = true; ${moduleReady}</script>\n<script async src="/bench/plausible.js"></script>` }),
  });
  list.push({
    id: 'plausible-tracker', label: 'plausible-tracker', version: pkgVersion('plausible-tracker'),
    assets: [['/bench/plausible-tracker.js', await bundle(`import Plausible from 'plausible-tracker';
const p = Plausible({ domain: 'bench.example', apiHost: window.BENCH.apiHost, trackLocalhost: true });
p.trackPageview();
window.benchEvent = (i) => p.trackEvent('bench', { props: { category: 'bench', action: 'click', name: 'item ' + i, value: String(i) } });
window.benchTrackerReady = true;`)]],
    script: '/bench/plausible-tracker.js',
    html: () => page({ config: { apiHost: plausible.url },
      head: `<script>${moduleReady}</script>\n<script async src="/bench/plausible-tracker.js"></script>` }),
  });

  if (process.env.MATOMO_JS) {
    const src = fs.readFileSync(process.env.MATOMO_JS);
    const v = /Matomo\s+(?:-\s+)?.*?(\d+\.\d+\.\d+)/.exec(src.subarray(0, 2000).toString())?.[1];
    list.push({
      id: 'matomo', label: 'matomo.js', version: v ?? `sha256:${crypto.createHash('sha256').update(src).digest('hex').slice(0, 12)}`,
      assets: [['/bench/matomo.js', src]],
      script: '/bench/matomo.js',
      html: () => page({ head: paqSnippet(collector, { flush: false, src: '/bench/matomo.js' }) }),
    });
  }
  return list;
}

function sizes(assets) {
  const one = (buf) => ({
    raw: buf.length,
    gzip: zlib.gzipSync(buf, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length,
  });
  const files = assets.map(([url, buf]) => ({ url, ...one(buf) }));
  const sum = (k) => files.reduce((a, f) => a + f[k], 0);
  return { raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli'), files };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- measuring

function sinks(stack) {
  const all = () => [...stack.collector.requests, ...stack.plausible.requests];
  return {
    all,
    reset() {
      stack.collector.reset();
      stack.plausible.reset();
    },
    /** Hits / events the endpoints accepted: unique ones and repeats of one already received. */
    delivered() {
      const keys = [
        ...stack.collector.hits.map(({ _received, _request, ...h }) => JSON.stringify(h)),
        ...stack.plausible.events.map((e) => JSON.stringify(e)),
      ];
      const unique = new Set(keys).size;
      return { unique, duplicates: keys.length - unique };
    },
    refused: () => [...stack.collector.invalid.map((i) => i.reason), ...stack.plausible.invalid],
    /** Resolves once no tracking request arrived for QUIET_MS (at most capMs). */
    async quiet(capMs = 15000) {
      const end = Date.now() + capMs;
      let n = -1;
      let since = Date.now();
      while (Date.now() < end) {
        const now = all().length;
        if (now !== n) {
          n = now;
          since = Date.now();
        } else if (Date.now() - since >= QUIET_MS) return;
        await sleep(50);
      }
    },
  };
}

async function openPage(browser, stack, pathName, html) {
  stack.site.page(pathName, html);
  const context = await browser.newContext();
  await context.addInitScript(INIT_SCRIPT);
  const pg = await context.newPage();
  const errors = [];
  pg.on('pageerror', (e) => errors.push(String(e)));
  const cdp = await context.newCDPSession(pg);
  await cdp.send('Performance.enable');
  return { context, page: pg, cdp, errors };
}

async function until(fn, timeout, what) {
  const end = Date.now() + timeout;
  while (!fn()) {
    if (Date.now() > end) throw new Error(what);
    await sleep(5);
  }
}

/** Main-thread time so far (ms): all tasks, and JavaScript (incl. wasm) execution only. */
async function taskMs(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const ms = (name) => metrics.find((m) => m.name === name).value * 1000;
  return { task: ms('TaskDuration'), script: ms('ScriptDuration') };
}

async function heap(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const h = await cdp.send('Runtime.getHeapUsage');
  return { used: h.usedSize, backing: h.backingStorageSize ?? 0 };
}

/** Empty page: the main-thread and heap baseline. */
async function measureBaseline(browser, stack) {
  const p = await openPage(browser, stack, '/bench/baseline.html', page({}));
  await p.page.goto(`${stack.site.url}/bench/baseline.html`, { waitUntil: 'load' });
  await sleep(20);
  const task = await taskMs(p.cdp);
  const h = await heap(p.cdp);
  await p.context.close();
  return { task: task.task, script: task.script, heapUsed: h.used, heapBacking: h.backing };
}

/** First hit, heap, then 1,000 events, on one page. */
async function measureMain(browser, stack, s, tr) {
  await s.quiet();
  s.reset();
  const p = await openPage(browser, stack, `/bench/${tr.id}.html`, tr.html(true));
  await p.page.goto(`${stack.site.url}/bench/${tr.id}.html`, { waitUntil: 'load' });
  // Polled from here, not in the page (waitForFunction would add main-thread work per frame).
  await until(() => s.all().length > 0, 10000, `${tr.label}: no first hit`);
  const task = await taskMs(p.cdp);
  const first = await p.page.evaluate((script) => {
    const entry = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === script);
    return { sent: window.__bench.sends[0].t, arrived: entry ? entry.responseEnd : NaN };
  }, tr.script);
  await s.quiet();
  const h = await heap(p.cdp);
  const wasmBytes = await p.page.evaluate(() => window.__bench.memories.reduce((a, m) => a + m.buffer.byteLength, 0));

  const before = await taskMs(p.cdp);
  const loopMs = await p.page.evaluate(() => {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) window.benchEvent(i);
    return performance.now() - t0;
  });
  await s.quiet();
  const after = await taskMs(p.cdp);
  const errors = p.errors.slice();
  await p.context.close();
  return { firstHit: first.sent - first.arrived, firstTask: task.task, firstScript: task.script, heapUsed: h.used, heapBacking: h.backing, wasmBytes,
    loopMs, eventsTask: after.task - before.task, errors };
}

/** Page view + 100 events + leave: what reaches the endpoint. */
async function measureVisit(browser, stack, s, tr) {
  await s.quiet();
  s.reset();
  stack.site.page('/bench/next.html', page({}));
  const p = await openPage(browser, stack, `/bench/${tr.id}-visit.html`, tr.html(false));
  await p.page.goto(`${stack.site.url}/bench/${tr.id}-visit.html`, { waitUntil: 'load' });
  await p.page.waitForFunction(() => window.benchReady(), null, { timeout: 10000 });
  await p.page.evaluate(() => { for (let i = 0; i < 100; i++) window.benchEvent(i); });
  await p.page.goto(`${stack.site.url}/bench/next.html`, { waitUntil: 'load' });
  await s.quiet();
  const reqs = s.all();
  const wire = (r) => {
    let n = Buffer.byteLength(`${r.method} ${r.path} HTTP/1.1\r\n`) + 2;
    for (const [k, v] of Object.entries(r.headers)) n += Buffer.byteLength(`${k}: ${v}\r\n`);
    return n + Buffer.byteLength(r.body);
  };
  const out = {
    requests: reqs.length,
    preflights: reqs.filter((r) => r.method === 'OPTIONS').length,
    bytes: reqs.reduce((a, r) => a + wire(r), 0),
    bodyBytes: reqs.reduce((a, r) => a + Buffer.byteLength(r.body), 0),
    ...(({ unique, duplicates }) => ({ delivered: unique, duplicates }))(s.delivered()),
    refused: s.refused(),
    errors: p.errors.slice(),
  };
  await p.context.close();
  return out;
}

// ---------------------------------------------------------------- statistics and output

function stat(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return { median: NaN, min: NaN, max: NaN, q1: NaN, q3: NaN, values };
  const q = (p) => {
    const i = (v.length - 1) * p;
    const lo = Math.floor(i);
    return v[lo] + (v[Math.ceil(i)] - v[lo]) * (i - lo);
  };
  return { median: q(0.5), q1: q(0.25), q3: q(0.75), min: v[0], max: v[v.length - 1], values };
}

const METRICS = [
  ['firstHitMs', 'first hit (ms, wall)', 1],
  ['firstTaskMs', 'main thread to first hit (ms)', 1],
  ['firstScriptMs', '… of which script (ms)', 1],
  ['loopMs', '1,000 events: calls (ms)', 1],
  ['eventsTaskMs', '1,000 events: main thread (ms)', 1],
  ['visitRequests', 'pv + 100 events + leave: requests', 0],
  ['visitBytes', 'pv + 100 events + leave: request bytes', 0],
  ['visitBodyBytes', 'pv + 100 events + leave: body bytes', 0],
  ['visitDelivered', 'pv + 100 events + leave: hits delivered (unique)', 0],
  ['visitDuplicates', 'pv + 100 events + leave: duplicate hits', 0],
  ['heapUsedKB', 'JS heap used (KB, vs empty page)', 0],
  ['wasmKB', 'wasm linear memory (KB)', 0],
];

const fmt = (x, d) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;

function markdown(result) {
  const { trackers: trs } = result;
  const hush = trs[0];
  const lines = [];
  lines.push(`# hush bench — ${result.date}`, '');
  const m = result.machine;
  lines.push(`Machine: ${m.cpu}, ${m.nproc} cores (nproc), ${m.memGB} GB RAM, ${m.os}; ${m.chromium}; Node ${m.node}; ` +
    `${result.runs} runs per tracker: median (interquartile range; min, max and every value are in latest.json), ×n = median / hush's median. Bundle: \`${result.hushDist}\`.`, '');
  lines.push('## Bytes a page loads', '');
  lines.push('| tracker | version | files | raw | gzip -9 | brotli -11 | gzip ×hush |', '| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const t of trs) {
    lines.push(`| ${t.label} | ${t.version || '—'} | ${t.bytes.files.map((f) => path.basename(f.url)).join(' + ')} | ${t.bytes.raw} | ${t.bytes.gzip} | ${t.bytes.brotli} | ×${(t.bytes.gzip / hush.bytes.gzip).toFixed(2)} |`);
  }
  lines.push('', '## Time, requests, memory', '');
  lines.push(`| metric | ${trs.map((t) => t.label).join(' | ')} |`, `| --- | ${trs.map(() => '---:').join(' | ')} |`);
  for (const [key, label, d] of METRICS) {
    const cells = trs.map((t) => {
      const s = t.metrics[key];
      const range = fmt(s.q1, d) === fmt(s.q3, d) ? '' : ` (${fmt(s.q1, d)}–${fmt(s.q3, d)})`;
      const h = hush.metrics[key].median;
      const ratio = t === hush || !h ? '' : ` ×${fmt(s.median / h, 2)}`;
      return `${fmt(s.median, d)}${range}${ratio}`;
    });
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  if (result.notes.length) lines.push('', ...result.notes.map((n) => `- ${n}`));
  lines.push('', '## What each number is', '', ...DEFINITIONS.map(([k, v]) => `- **${k}**: ${v}`));
  lines.push('', '## Native core benchmarks', '');
  if (result.native.lines.length) lines.push(`\`${result.native.command}\``, '', '```', ...result.native.lines, '```');
  else lines.push(result.native.note);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- native benches

function nativeBenches() {
  const command = 'cargo test --release -- --ignored --nocapture bench_';
  if (!NATIVE) return { command, lines: [], note: 'skipped (--no-native).' };
  const rs = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.rs') && /fn bench_/.test(fs.readFileSync(p, 'utf8'))) rs.push(p);
    }
  };
  walk(path.join(REPO, 'src'));
  walk(path.join(REPO, 'tests'));
  if (!rs.length) return { command, lines: [], note: 'none yet (no `fn bench_…` ignored test in src/ or tests/).' };
  console.error(`native: ${command}`);
  const r = spawnSync('cargo', ['test', '--release', '--', '--ignored', '--nocapture', 'bench_'], {
    cwd: REPO, encoding: 'utf8', timeout: 15 * 60 * 1000, env: process.env,
  });
  const out = `${r.stdout ?? ''}`.split('\n');
  const harness = /^(running \d+ tests?|test result:|test .* \.\.\. |\s*$|successes:|failures:|---- )/;
  const lines = out.filter((l) => !harness.test(l)).map((l) => l.trimEnd());
  if (r.status !== 0) lines.push(`(cargo exited with ${r.status ?? r.signal}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')})`);
  return { command, lines, note: '' };
}

// ---------------------------------------------------------------- main

function machine(browserVersion) {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout?.trim() || String(os.availableParallelism?.() ?? os.cpus().length);
  return {
    nproc: Number(nproc),
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU',
    memGB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.versions.node,
    chromium: `Chromium ${browserVersion}`,
    playwright: pkgVersion('playwright-core'),
  };
}

async function main() {
  const missing = () => ['hush.js', 'hush_bg.wasm', 'index.js'].filter((f) => !fs.existsSync(path.join(DIST, f)));
  if (missing().length && !process.env.HUSH_DIST) {
    // A fresh clone: build the bundle first.
    console.log('bench: building dist/ with ./build.sh …');
    const r = spawnSync('./build.sh', { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('./build.sh failed');
  }
  if (missing().length) throw new Error(`${DIST}: ${missing().join(', ')} missing: run ./build.sh first (or set HUSH_DIST)`);
  const collector = await startCollector();
  const plausible = await startPlausibleEndpoint();
  const site = await startSite({ collector, dist: DIST });
  const stack = { collector, plausible, site };
  const s = sinks(stack);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const notes = [];
  try {
    const trs = await trackers(stack);
    for (const t of trs) {
      for (const [url, buf] of t.assets) if (url.startsWith('/bench/')) site.page(url, buf, { type: url.endsWith('.wasm') ? 'application/wasm' : undefined });
      t.bytes = sizes(t.assets);
      t.samples = [];
    }
    if (!process.env.MATOMO_JS) notes.push('matomo.js not measured: set MATOMO_JS=/path/to/matomo.js to add it.');
    const baseline = [];
    console.error(`bench: ${trs.map((t) => t.label).join(', ')}; ${RUNS} runs`);
    for (let r = 0; r < RUNS; r++) {
      baseline.push(await measureBaseline(browser, stack));
      // Rotate the order so no tracker always runs first (warm-up, caches, thermal drift).
      const order = trs.map((_, i) => trs[(i + r) % trs.length]);
      for (const t of order) {
        const main = await measureMain(browser, stack, s, t);
        const visit = await measureVisit(browser, stack, s, t);
        t.samples.push({ ...main, visit });
        for (const e of [...main.errors, ...visit.errors]) notes.push(`${t.label}: page error: ${e}`);
        for (const e of visit.refused) notes.push(`${t.label}: endpoint refused: ${e}`);
      }
      process.stderr.write(`  run ${r + 1}/${RUNS} done\n`);
    }
    const base = { task: stat(baseline.map((b) => b.task)).median, script: stat(baseline.map((b) => b.script)).median, used: stat(baseline.map((b) => b.heapUsed)).median,
      backing: stat(baseline.map((b) => b.heapBacking)).median };
    const result = {
      date: new Date().toISOString(),
      machine: machine(browser.version()),
      runs: RUNS,
      hushDist: DIST.startsWith(REPO + path.sep) ? path.relative(REPO, DIST) : DIST,
      baseline: { taskMs: base.task, scriptMs: base.script, heapUsed: base.used, heapBacking: base.backing },
      trackers: trs.map((t) => ({
        id: t.id, label: t.label, version: t.version, bytes: t.bytes,
        metrics: {
          firstHitMs: stat(t.samples.map((x) => x.firstHit)),
          firstTaskMs: stat(t.samples.map((x) => x.firstTask - base.task)),
          firstScriptMs: stat(t.samples.map((x) => x.firstScript - base.script)),
          loopMs: stat(t.samples.map((x) => x.loopMs)),
          eventsTaskMs: stat(t.samples.map((x) => x.eventsTask)),
          visitRequests: stat(t.samples.map((x) => x.visit.requests)),
          visitBytes: stat(t.samples.map((x) => x.visit.bytes)),
          visitBodyBytes: stat(t.samples.map((x) => x.visit.bodyBytes)),
          visitDelivered: stat(t.samples.map((x) => x.visit.delivered)),
          heapUsedKB: stat(t.samples.map((x) => (x.heapUsed - base.used) / 1024)),
          heapBackingKB: stat(t.samples.map((x) => (x.heapBacking - base.backing) / 1024)),
          wasmKB: stat(t.samples.map((x) => x.wasmBytes / 1024)),
          visitDuplicates: stat(t.samples.map((x) => x.visit.duplicates)),
        },
      })),
      notes: [...new Set(notes)].slice(0, 20),
      definitions: Object.fromEntries(DEFINITIONS),
      native: null,
    };
    await browser.close();
    result.native = nativeBenches();
    const md = markdown(result);
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    fs.writeFileSync(path.join(OUT, 'latest.md'), md);
    console.log(md);
    console.error(`written: ${path.relative(REPO, path.join(OUT, 'latest.md'))}, ${path.relative(REPO, path.join(OUT, 'latest.json'))}`);
  } finally {
    await browser.close().catch(() => {});
    await Promise.all([site.close(), collector.close(), plausible.close()]);
  }
}

// --render latest.json: rewrite the markdown from a saved result (no browser).
const render = opt('--render');
if (render) {
  const md = markdown(JSON.parse(fs.readFileSync(render, 'utf8')));
  fs.writeFileSync(render.replace(/\.json$/, '.md'), md);
  console.log(md);
} else {
  await main();
}
