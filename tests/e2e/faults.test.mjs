// Delivery through faults (SPEC §6, issue 5): a failing, refusing, dropping or stalling
// collector, a flaky network, fast navigations and reloads. Every hit carries a unique
// marker (its event action), so each test counts exactly what was lost and what came twice.
// The measured figures are printed as `scenario: …` lines (node --test shows them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, snippetPage, waitForHits, waitForTracker, trackingRequests, consoleOf, sleep } from './harness.mjs';

const t = useStack();

/** `n` markers for one scenario: s-0, s-1, … */
const markers = (scenario, n) => Array.from({ length: n }, (_, i) => `${scenario}-${i}`);

/** Pushes one trackEvent per marker (category 'fault', action = marker). */
function pushMarked(page, list, name = null) {
  return page.evaluate(([list, name]) => {
    for (const m of list) window._paq.push(['trackEvent', 'fault', m, ...(name ? [name] : [])]);
  }, [list, name]);
}

/**
 * Waits until every marker arrived (or `timeout`), then `quietMs` more for late duplicates,
 * and counts: arrived (distinct), lost, duplicated (extra copies), in order.
 */
async function tally(collector, expected, { timeout = 15000, quietMs = 1500 } = {}) {
  const want = new Set(expected);
  const ours = () => collector.hits.filter((h) => want.has(h.e_a));
  try {
    await waitForHits(collector, expected.length, { timeout, where: (h) => want.has(h.e_a) });
  } catch { /* counted below */ }
  await sleep(quietMs);
  const got = ours().map((h) => h.e_a);
  const distinct = new Set(got);
  const firstSeen = got.filter((m, i) => got.indexOf(m) === i);
  return {
    sent: expected.length,
    arrived: distinct.size,
    lost: expected.filter((m) => !distinct.has(m)).length,
    duplicated: got.length - distinct.size,
    inOrder: firstSeen.join() === expected.filter((m) => distinct.has(m)).join(),
    hits: ours(),
  };
}

function report(scenario, r, startedAt, extra = '') {
  const ms = Date.now() - startedAt;
  console.log(`scenario: ${scenario} | sent ${r.sent} | arrived ${r.arrived} | lost ${r.lost} | duplicated ${r.duplicated} | ${(ms / 1000).toFixed(1)} s${extra ? ` | ${extra}` : ''}`);
}

function assertExactlyOnce(r, { ordered = true } = {}) {
  assert.equal(r.lost, 0, `${r.lost} hits lost`);
  assert.equal(r.duplicated, 0, `${r.duplicated} hits arrived twice`);
  if (ordered) assert.ok(r.inOrder, `hits out of order: ${r.hits.map((h) => h.e_a).join(', ')}`);
}

/** Requests that reached the tracking endpoint, with the fault they got (if any). */
const tracked = (c) => trackingRequests(c).map((r) => ({ ts: r.ts, fault: r.fault, hits: r.body ? JSON.parse(r.body).requests?.length ?? 1 : 1 }));

async function openTracker(path, paq = []) {
  const page = await t.open(path, snippetPage({ paq }));
  await waitForTracker(page);
  return page;
}

test('collector answers 503 three times, then 200: every hit exactly once, in order (real backoff)', async () => {
  const start = Date.now();
  const page = await openTracker('/t/f503.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 0 }]]);
  t.collector.faults.set({ mode: '503', count: 3 });
  const list = markers('503', 10);
  await pushMarked(page, list);
  const r = await tally(t.collector, list);
  const reqs = tracked(t.collector);
  report('503 ×3 then 200', r, start, `${reqs.length} requests, gaps ${gaps(reqs).join('/')} ms`);
  assertExactlyOnce(r);
  assert.deepEqual(reqs.slice(0, 3).map((q) => q.fault), ['503', '503', '503']);
  // No Retry-After: backoff with full jitter, base 1 s doubling: each gap ≤ 1 s, 2 s, 4 s (+ slack).
  gaps(reqs).slice(0, 3).forEach((g, i) => assert.ok(g <= 1000 * 2 ** i + 500, `retry ${i + 1} after ${g} ms`));
  assert.ok(r.hits.every((h) => h._request >= 3), 'no hit recorded from a failed request');
});

test('503 with Retry-After: 0 for five requests: all arrive once, in order, hits made meanwhile too', async () => {
  const start = Date.now();
  const page = await openTracker('/t/f503b.html', [['setBatchOptions', { maxHits: 4, maxDelayMs: 0 }]]);
  t.collector.faults.set({ mode: '503', count: 5, retryAfter: 0 });
  const list = markers('503ra', 20);
  // Pushed in bursts while the first batches are failing.
  for (let i = 0; i < list.length; i += 5) {
    await pushMarked(page, list.slice(i, i + 5));
    await sleep(30);
  }
  const r = await tally(t.collector, list);
  report('503 ×5 (Retry-After: 0), 20 hits in bursts', r, start, `${tracked(t.collector).length} requests`);
  assertExactlyOnce(r);
});

test('connection dropped mid-batch (close) twice: every hit exactly once, in order', async () => {
  const start = Date.now();
  const page = await openTracker('/t/fclose.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 0 }]]);
  t.collector.faults.set({ mode: 'close', count: 2 });
  const list = markers('close', 10);
  await pushMarked(page, list);
  const r = await tally(t.collector, list);
  const reqs = tracked(t.collector);
  report('connection closed ×2', r, start, `${reqs.length} requests`);
  assertExactlyOnce(r);
  assert.deepEqual(reqs.slice(0, 2).map((q) => q.fault), ['close', 'close']);
});

test('429 with Retry-After: 2 is honoured (measured gap), then all arrive once', async () => {
  const start = Date.now();
  const page = await openTracker('/t/f429.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 0 }]]);
  t.collector.faults.set({ mode: '429', count: 1, retryAfter: 2 });
  const list = markers('429', 5);
  await pushMarked(page, list);
  const r = await tally(t.collector, list);
  const reqs = tracked(t.collector);
  const [gap] = gaps(reqs);
  report('429 Retry-After: 2', r, start, `retry after ${gap} ms`);
  assertExactlyOnce(r);
  assert.equal(reqs[0].fault, '429');
  assert.ok(gap >= 1950 && gap < 3500, `retried ${gap} ms after the 429, Retry-After said 2 s`);
});

test('a 4xx other than 429 is not retried: one request, hits dropped with one warning', async () => {
  const page = await openTracker('/t/f400.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 300 }]]);
  // The collector answers 400 for a body it cannot parse; make it refuse by routing instead.
  await page.route(`${t.collector.url}/**`, (r) => r.fulfill({ status: 400, body: 'no' }));
  await pushMarked(page, markers('400', 3));
  await sleep(2500);
  const warnings = consoleOf(page, 'warning').filter((w) => /refused/.test(w));
  assert.equal(warnings.length, 1, `warnings: ${consoleOf(page, 'warning').join(' | ')}`);
  assert.match(warnings[0], /^hush: dropped 3 hits: the collector refused them \(HTTP 400\)$/);
});

// The stall mode hangs a request; hush gives up on it only after its 15 s fetch timeout,
// too slow for this suite. What it proves quickly: a slow collector (answering after 3 s)
// holds later hits back behind the batch in flight, and then everything arrives once, in
// order. The timeout path itself (NetworkError → retry) is the same code path as `close`.
test('a collector that stalls 3 s before answering: progress, once, in order', async () => {
  const start = Date.now();
  const page = await openTracker('/t/fstall.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 0 }]]);
  t.collector.faults.set({ mode: 'stall', count: 1, delayMs: 3000 });
  const list = markers('stall', 10);
  await pushMarked(page, list.slice(0, 5));
  await sleep(500);
  await pushMarked(page, list.slice(5));
  const r = await tally(t.collector, list);
  const reqs = tracked(t.collector);
  report('stall 3 s then answer', r, start, `${reqs.length} requests`);
  assertExactlyOnce(r);
  assert.equal(reqs.length, 2, 'the stalled batch, then the hits made meanwhile: no resend');
});

test('5 hits then an immediate navigation to another origin: all 5 arrive once', async () => {
  const start = Date.now();
  // A long batch delay: the hits are surely still queued when the page goes.
  const page = await openTracker('/t/fnav.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 60000 }]]);
  await page.context().route('https://elsewhere.example/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: 'elsewhere' }));
  const list = markers('nav', 5);
  await page.evaluate((list) => {
    for (const m of list) window._paq.push(['trackEvent', 'fault', m]);
    location.href = 'https://elsewhere.example/';
  }, list);
  await page.waitForURL('https://elsewhere.example/');
  const r = await tally(t.collector, list);
  report('5 hits, navigate to another origin', r, start);
  assertExactlyOnce(r);
});

test('300 events with 1–2 KB strings: every body < 64 KB (< 60 KB), every hit once, in order', async () => {
  const start = Date.now();
  const page = await openTracker('/t/flong.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 200 }]]);
  const list = markers('long', 300);
  await page.evaluate((list) => {
    list.forEach((m, i) => {
      const long = `${m}:` + 'abcdefghij'.repeat(100 + (i % 100)); // 1 000 – 2 000 characters
      window._paq.push(['trackEvent', 'fault', m, long]);
    });
  }, list);
  const r = await tally(t.collector, list, { timeout: 20000 });
  const bodies = trackingRequests(t.collector).map((q) => Buffer.byteLength(q.body ?? ''));
  report('300 long events', r, start, `${bodies.length} requests, largest body ${Math.max(...bodies)} B`);
  assertExactlyOnce(r);
  assert.ok(bodies.every((b) => b < 60_000), `body sizes ${bodies.join(', ')}`);
  for (const h of r.hits) {
    assert.ok(h.e_n.startsWith(`${h.e_a}:abcdefghij`), 'long value intact');
    assert.ok(h.e_n.length >= 1000, `e_n cut to ${h.e_n.length}`);
  }
});

test('offline, then online: hits made offline all arrive once, in order', async () => {
  const start = Date.now();
  const page = await openTracker('/t/foffline.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 0 }]]);
  const context = page.context();
  await context.setOffline(true);
  const list = markers('offline', 8);
  await pushMarked(page, list.slice(0, 4));
  await sleep(800);
  await pushMarked(page, list.slice(4));
  await sleep(800);
  assert.equal(t.collector.hits.length, 0, 'nothing reaches the collector while offline');
  await context.setOffline(false);
  const r = await tally(t.collector, list);
  report('offline → online', r, start, `${tracked(t.collector).length} request(s) in all, none while offline`);
  assertExactlyOnce(r);
});

/** Page that grants storage with `consent` and reads what was persisted before hush ran. */
async function reloadDuringOutage(scenario, consent) {
  const start = Date.now();
  const path = `/t/freload-${scenario}.html`;
  const page = await t.open(path, snippetPage({
    paq: [consent, ['setBatchOptions', { maxHits: 50, maxDelayMs: 0 }]],
    head: '<script>window.__persisted = localStorage.getItem("hush_queue");</script>',
  }));
  await waitForTracker(page);
  // An outage that outlasts the first page: every request fails, retried after 1 s.
  t.collector.faults.set({ mode: '503', count: 1000, retryAfter: 1 });
  const list = markers(scenario, 6);
  const pushedAt = Date.now();
  await pushMarked(page, list);
  // Two failed tries: the hits are over 1 s old, the tracker knows the collector is down.
  while (t.collector.faults.served.length < 2) await sleep(50);
  // Hits sent more than 2 s after they happened carry cdt: make sure they are that old.
  await sleep(Math.max(0, pushedAt + 2200 - Date.now()));
  const failedBefore = t.collector.faults.served.length;
  await page.reload();
  t.collector.faults.clear();
  await waitForTracker(page);
  const persisted = await page.evaluate(() => window.__persisted);
  const r = await tally(t.collector, list);
  report(`reload during an outage (${consent[0]})`, r, start, `${failedBefore} failed requests before the reload; ` +
    `stored ${persisted ? persisted.trim().split('\n').length : 0} hits`);
  return { r, persisted, page };
}

for (const consent of [['setCookieConsentGiven'], ['rememberCookieConsentGiven', 1], ['setConsentGiven']]) {
  test(`storage consent (${consent[0]}): a reload during an outage loses nothing, sends with cdt, once`, async () => {
    const { r, persisted, page } = await reloadDuringOutage(consent[0], consent);
    assert.ok(persisted, 'the first page stored its unsent hits in localStorage hush_queue');
    assert.equal(persisted.trim().split('\n').length, 6);
    assertExactlyOnce(r);
    for (const h of r.hits) assert.match(h.cdt ?? '<absent>', /^\d{10}$/, 'a late hit carries cdt');
    assert.equal(await page.evaluate(() => localStorage.getItem('hush_queue')), null, 'the stored queue is removed once taken');
  });
}

test('without storage consent nothing is written to storage during an outage', async () => {
  const page = await openTracker('/t/fnostore.html', [['setBatchOptions', { maxHits: 50, maxDelayMs: 0 }]]);
  t.collector.faults.set({ mode: '503', count: 1000, retryAfter: 1 });
  await pushMarked(page, markers('nostore', 3));
  while (t.collector.faults.served.length < 2) await sleep(50);
  await hide(page);
  const stored = await page.evaluate(() => Object.keys(localStorage));
  assert.deepEqual(stored, []);
  t.collector.faults.clear();
});

test('no hit twice: a tab hidden during an outage, the collector recovers, then the next page', async () => {
  const start = Date.now();
  const path = '/t/fhidden.html';
  const page = await t.open(path, snippetPage({ paq: [['setCookieConsentGiven'], ['setBatchOptions', { maxHits: 50, maxDelayMs: 0 }]] }));
  await waitForTracker(page);
  t.collector.faults.set({ mode: '503', count: 2, retryAfter: 0.5 });
  const list = markers('hidden', 4);
  await pushMarked(page, list);
  while (t.collector.faults.served.length < 1) await sleep(25);
  // Let the page read that answer first (the retry comes 500 ms later): this test is about a
  // tab hidden during a *known* outage. Hidden in the few ms before the page has the 503,
  // the batch still counts as in flight and is handed to a beacon, whose answer no page can
  // read (a known limit, see the closing note of 2026-12-07).
  await sleep(150);
  // The tab goes to the background while the collector is failing: hush persists the queue.
  await hide(page);
  // Still in the background, the retries get through.
  await waitForHits(t.collector, 4, { where: (h) => list.includes(h.e_a) });
  // The next page of the site (same storage) must not send them again.
  const next = await page.context().newPage();
  await next.goto(`${t.site.url}${path}`);
  await waitForTracker(next);
  const r = await tally(t.collector, list);
  report('hidden during an outage, recovered, next page', r, start);
  assertExactlyOnce(r);
  await next.close();
});

/** The tab goes to the background (headless Chromium never hides a page on its own). */
function hide(page) {
  return page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

function gaps(reqs) {
  return reqs.slice(1).map((q, i) => q.ts - reqs[i].ts);
}
