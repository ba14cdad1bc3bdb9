// End-to-end rig for node:test: headless Debian Chromium (playwright-core), the static site
// serving the real dist/ bundle, and the development collector. One browser per test file.
//
//   const t = useStack();                       // registers before/after hooks
//   test('…', async () => {
//     const page = await t.open('/t/x.html', snippetPage({ paq: [['trackPageView']] }));
//     const [hit] = await waitForHits(t.collector, 1);
//   });
import { before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startCollector } from '../../tools/collector.mjs';
import { startSite } from '../../tools/site.mjs';
import { kindOf } from '../../www/assets/hitkind.js';

export { kindOf };

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** Collector + site on 127.0.0.1, the site's /config.js pointing at the collector. HUSH_DIST
 *  serves another bundle directory as /dist (e.g. a debug build). */
export async function startStack({ dist = process.env.HUSH_DIST ?? 'dist', root = 'www' } = {}) {
  const collector = await startCollector();
  const site = await startSite({ collector, dist, root });
  return { site, collector, close: () => Promise.all([site.close(), collector.close()]) };
}

/**
 * A page in a fresh context (own cookies and storage). `page.logs` collects console
 * messages `{type, text}` and uncaught page errors.
 */
export async function newPage(browser, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  page.logs = { console: [], pageErrors: [] };
  const watch = (p) => {
    p.on('console', (m) => page.logs.console.push({ type: m.type(), text: m.text() }));
    p.on('pageerror', (e) => page.logs.pageErrors.push(String(e?.stack ?? e)));
  };
  watch(page);
  context.on('page', (p) => p !== page && watch(p)); // popups (middle-click) report here too
  return page;
}

/** Console messages of one type ('warning', 'error', 'log' …). */
export const consoleOf = (page, type) => page.logs.console.filter((m) => m.type === type).map((m) => m.text);

/** Resolves once hush has taken over `_paq` (its push is no longer Array.prototype.push). */
export async function waitForTracker(page, timeout = 5000) {
  await page.waitForFunction(() => window._paq && window._paq.push !== Array.prototype.push, null, { timeout });
}

/** Pushes plain-array commands after load, as a page script would. */
export function push(page, ...commands) {
  return page.evaluate((cmds) => cmds.forEach((c) => window._paq.push(c)), commands);
}

/**
 * Waits until at least `n` recorded hits match `where`, then returns the matching ones in
 * arrival order. The error on timeout lists what did arrive and what the collector refused.
 */
export async function waitForHits(collector, n, { timeout = 5000, where = () => true } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const hits = collector.hits.filter(where);
    if (hits.length >= n) return hits;
    if (Date.now() > deadline) {
      const got = hits.map((h) => `${kindOf(h)}(${h.action_name ?? h.e_a ?? h.search ?? h.link ?? h.download ?? ''})`);
      const refused = collector.invalid.map((i) => i.reason);
      throw new Error(`expected ≥ ${n} hits within ${timeout} ms, got ${hits.length}: [${got.join(', ')}]` +
        `${refused.length ? `; collector refused: ${refused.join(' | ')}` : ''}; requests: ${collector.requests.length}`);
    }
    await sleep(25);
  }
}

/** Asserts that exactly `n` matching hits arrived and nothing more comes within `quietMs`. */
export async function expectExactlyHits(collector, n, { quietMs = 1500, timeout = 5000, where = () => true } = {}) {
  await waitForHits(collector, n, { timeout, where });
  await sleep(quietMs);
  const hits = collector.hits.filter(where);
  assert.equal(hits.length, n, `expected exactly ${n} hits, got ${hits.length}: ${hits.map(kindOf).join(', ')}`);
  return hits;
}

/** Tracking requests that carried hits (preflights and other methods excluded). */
export const trackingRequests = (collector) => collector.requests.filter((r) => r.method === 'POST' || r.method === 'GET');

/** The Matomo parameters of a recorded hit, without the collector's bookkeeping. */
export function params(hit) {
  const { _received, _request, ...rest } = hit;
  return rest;
}

// Parameters a privacy-first tracker never sends by default: browser features, client
// hints, cookie-derived visit history, server-side overrides.
export const FINGERPRINT_PARAMS = ['res', 'cookie', 'fla', 'java', 'dir', 'pdf', 'qt', 'realp', 'wma', 'gears', 'ag',
  'uadata', 'ua', 'lang', 'cip', 'token_auth', '_idts', '_idvc', '_idn', '_viewts', '_ects', '_ref', '_rcn', '_rck', '_cvar', 'cvar'];

// Every parameter of the Matomo Tracking HTTP API (plus custom dimensions). A key outside
// this list is a typo Matomo would silently ignore.
const KNOWN = new Set(['idsite', 'rec', 'action_name', 'url', '_id', 'rand', 'apiv', 'urlref', 'h', 'm', 's', 'uid', 'cid',
  'new_visit', 'link', 'download', 'search', 'search_cat', 'search_count', 'pv_id', 'idgoal', 'revenue', 'cs', 'ca',
  'pf_net', 'pf_srv', 'pf_tfr', 'pf_dm1', 'pf_dm2', 'pf_onl', 'gt_ms', 'e_c', 'e_a', 'e_n', 'e_v', 'c_n', 'c_p', 'c_t', 'c_i',
  'ec_id', 'ec_items', 'ec_st', 'ec_tx', 'ec_sh', 'ec_dt', 'cdt', 'send_image', 'ping', 'bots', '_pkc', '_pks', '_pkn', '_pkp',
  ...FINGERPRINT_PARAMS]);

/** Every key is a Matomo Tracking API parameter, and none of the fingerprinting ones. */
export function assertKnownParams(hit) {
  for (const k of Object.keys(params(hit))) {
    assert.ok(KNOWN.has(k) || /^dimension[1-9]\d*$/.test(k), `unknown Matomo parameter '${k}' in ${kindOf(hit)} hit`);
  }
  for (const k of FINGERPRINT_PARAMS) assert.equal(hit[k], undefined, `${kindOf(hit)} hit must not carry '${k}'`);
}

/**
 * Literal parameter checks: a string must be equal, a RegExp must match, `undefined`
 * means the parameter must be absent.
 */
export function assertParams(hit, expected) {
  for (const [k, want] of Object.entries(expected)) {
    const got = hit[k];
    if (want === undefined) assert.equal(got, undefined, `${k} must be absent, got '${got}'`);
    else if (want instanceof RegExp) assert.match(got ?? '<absent>', want, `${k}`);
    else assert.equal(got, want, `${k}`);
  }
}

/**
 * What every hush hit carries (SPEC §6): site, rec, apiv, visit ID as both _id and cid,
 * page view ID, rand, the visitor's local time and the page URL.
 */
export function assertBaseParams(hit, { url, idsite = '1' }) {
  assertParams(hit, { idsite, rec: '1', apiv: '1', _id: /^[0-9a-f]{16}$/, cid: hit._id, pv_id: /^[A-Za-z0-9]{6}$/, rand: /^.+$/, url });
  assertLocalTime(hit);
  assertKnownParams(hit);
}

// h/m/s are the browser's local time when the hit was made: within a few seconds of the
// collector's clock (same machine, same time zone).
function assertLocalTime(hit) {
  for (const k of ['h', 'm', 's']) assert.match(hit[k] ?? '<absent>', /^\d{1,2}$/, k);
  const at = new Date(hit._received);
  const sent = Number(hit.h) * 3600 + Number(hit.m) * 60 + Number(hit.s);
  const now = at.getHours() * 3600 + at.getMinutes() * 60 + at.getSeconds();
  const diff = (now - sent + 86400) % 86400;
  assert.ok(diff <= 10, `h:m:s ${hit.h}:${hit.m}:${hit.s} is ${diff} s before the hit arrived`);
}

const RAW = Symbol('raw js');
/** Marks a string as JavaScript source for snippetPage, e.g. js('window.HUSH_COLLECTOR'). */
export const js = (code) => ({ [RAW]: code });

function toJs(v) {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return v.toString();
  if (v && v[RAW] !== undefined) return v[RAW];
  if (Array.isArray(v)) return `[${v.map(toJs).join(', ')}]`;
  return JSON.stringify(v);
}

const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A test page with the standard Matomo snippet. `paq` is the list of commands pushed
 * before hush loads (arrays; elements may be functions, for the function form, or js(…)).
 * The snippet starts with setTrackerUrl(window.HUSH_COLLECTOR) and setSiteId('1') unless
 * `preamble: false`. `loader: false` leaves out the hush.js script tag.
 */
export function snippetPage({ paq = [], body = '', head = '', title = 'hush test page', preamble = true, loader = true } = {}) {
  const commands = [...(preamble ? [['setTrackerUrl', js('window.HUSH_COLLECTOR')], ['setSiteId', '1']] : []), ...paq];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<script src="/config.js"></script>
<script>
  var _paq = window._paq = window._paq || [];
${commands.map((c) => `  _paq.push(${toJs(c)});`).join('\n')}
</script>
${loader ? '<script async src="/dist/hush.js"></script>' : ''}
${head}
</head><body>
${body}
</body></html>`;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Registers the per-file hooks: one browser and one stack for the file, a clean collector
 * before each test, and after each test: its pages closed, then zero uncaught page errors
 * and zero hits the collector refused (so every test also checks those).
 */
export function useStack() {
  const t = { browser: null, site: null, collector: null, pages: [] };
  before(async () => {
    t.browser = await launchBrowser();
    Object.assign(t, await startStack());
  });
  after(async () => {
    await t.browser?.close();
    await t.close?.();
  });
  beforeEach(() => t.collector.reset());
  afterEach(async () => {
    const pages = t.pages.splice(0);
    await Promise.all(pages.map((p) => p.context().close()));
    await sleep(100); // let a beacon fired by closing the page land before the next reset
    for (const p of pages) assert.deepEqual(p.logs.pageErrors, [], 'uncaught page errors');
    assert.deepEqual(t.collector.invalid.map((i) => i.reason), [], 'hits the collector refused');
  });
  /**
   * Registers `html` at `path` (when given; a query or fragment in `path` is kept for the
   * navigation only), opens it in a fresh context, returns the page.
   */
  t.open = async (path, html, { contextOptions, gotoOptions } = {}) => {
    if (html !== undefined) t.site.page(path.split(/[?#]/)[0], html);
    const page = await newPage(t.browser, contextOptions);
    t.pages.push(page);
    await page.goto(`${t.site.url}${path}`, gotoOptions);
    return page;
  };
  return t;
}
