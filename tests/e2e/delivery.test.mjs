// Delivery on the wire (SPEC §6): bulk POSTs with a CORS-safelisted content type (no
// preflight), batching by count and delay, nothing lost when the page is left at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, snippetPage, waitForHits, expectExactlyHits, waitForTracker, trackingRequests, sleep } from './harness.mjs';

const t = useStack();
const SAFELISTED = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'];

// Every tracking request: a POST whose body is {"requests":["?…", …]}, ≤ 50 hits, < 60 KB,
// with a content type that needs no preflight.
function assertBulkRequests(collector) {
  const reqs = trackingRequests(collector);
  assert.deepEqual(collector.requests.filter((r) => r.method === 'OPTIONS').length, 0, 'no CORS preflight');
  for (const r of reqs) {
    assert.equal(r.method, 'POST');
    const essence = (r.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    assert.ok(SAFELISTED.includes(essence), `content type '${r.headers['content-type']}' is not CORS-safelisted`);
    const body = JSON.parse(r.body);
    assert.ok(Array.isArray(body.requests) && body.requests.every((q) => q.startsWith('?')), 'bulk body');
    assert.ok(body.requests.length <= 50, `${body.requests.length} hits in one request`);
    assert.ok(Buffer.byteLength(r.body) < 60_000, `${Buffer.byteLength(r.body)} bytes in one request`);
  }
  return reqs;
}

test('hits go as one bulk POST, text/plain-like content type, no preflight', async () => {
  await t.open('/t/bulk.html', snippetPage({ paq: [['trackPageView'], ['trackEvent', 'a', 'b'], ['trackGoal', 2]] }));
  await expectExactlyHits(t.collector, 3);
  const reqs = assertBulkRequests(t.collector);
  assert.equal(reqs.length, 1, 'three hits made together travel together');
  assert.deepEqual(t.collector.hits.map((h) => h._request), [0, 0, 0]);
});

test('50 events in a tight loop: at most 3 requests, all 50 in order', async () => {
  const page = await t.open('/t/loop.html', snippetPage());
  await waitForTracker(page);
  await page.evaluate(() => { for (let i = 0; i < 50; i++) window._paq.push(['trackEvent', 'loop', 'tick', `n${i}`, i]); });
  const hits = await expectExactlyHits(t.collector, 50);
  assert.deepEqual(hits.map((h) => h.e_n), Array.from({ length: 50 }, (_, i) => `n${i}`));
  assert.deepEqual(hits.map((h) => h.e_v), Array.from({ length: 50 }, (_, i) => String(i)));
  const reqs = assertBulkRequests(t.collector);
  assert.ok(reqs.length <= 3, `${reqs.length} requests for 50 events`);
});

test('a full batch goes at once, without waiting for the delay', async () => {
  const page = await t.open('/t/full.html', snippetPage({ paq: [['setBatchOptions', { maxHits: 10, maxDelayMs: 60000 }]] }));
  await waitForTracker(page);
  await page.evaluate(() => { for (let i = 0; i < 10; i++) window._paq.push(['trackEvent', 'full', 'x', `n${i}`]); });
  await waitForHits(t.collector, 10, { timeout: 2000 });
  assert.equal(trackingRequests(t.collector).length, 1);
});

test('flush sends what is queued at once', async () => {
  const page = await t.open('/t/flush.html', snippetPage({ paq: [['setBatchOptions', { maxHits: 50, maxDelayMs: 60000 }], ['trackPageView']] }));
  await waitForTracker(page);
  await sleep(300);
  assert.equal(t.collector.hits.length, 0, 'held by a 60 s delay');
  await page.evaluate(() => window._paq.push(['flush']));
  await waitForHits(t.collector, 1, { timeout: 1500 });
});

test('5 events then an immediate same-origin navigation: all 5 arrive', async () => {
  t.site.page('/t/next.html', '<!doctype html><title>next</title><link rel="icon" href="data:,">next');
  const page = await t.open('/t/leave.html', snippetPage());
  await waitForTracker(page);
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++) window._paq.push(['trackEvent', 'leave', 'click', `n${i}`]);
    location.href = '/t/next.html';
  });
  await page.waitForURL('**/t/next.html');
  const hits = await expectExactlyHits(t.collector, 5);
  assert.deepEqual(hits.map((h) => h.e_n), ['n0', 'n1', 'n2', 'n3', 'n4']);
  assertBulkRequests(t.collector);
});

test('5 events then an immediate navigation to another origin: all 5 arrive', async () => {
  const page = await t.open('/t/leave-x.html', snippetPage());
  await page.context().route('https://elsewhere.example/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: 'elsewhere' }));
  await waitForTracker(page);
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++) window._paq.push(['trackEvent', 'leave', 'away', `n${i}`]);
    location.href = 'https://elsewhere.example/';
  });
  await page.waitForURL('https://elsewhere.example/');
  const hits = await expectExactlyHits(t.collector, 5);
  assert.deepEqual(hits.map((h) => h.e_n), ['n0', 'n1', 'n2', 'n3', 'n4']);
});

test('a hit made just before the tab is closed arrives', async () => {
  const page = await t.open('/t/close.html', snippetPage({ paq: [['trackPageView']] }));
  await waitForTracker(page);
  await page.evaluate(() => window._paq.push(['trackEvent', 'bye', 'close']));
  await page.close({ runBeforeUnload: true });
  const hits = await waitForHits(t.collector, 2);
  assert.deepEqual(hits.map((h) => h.e_a ?? 'pv'), ['pv', 'close']);
});

test('page view + 100 events, then leaving while a batch is in flight: every hit exactly once', async () => {
  // The batch in flight is a keepalive fetch the browser finishes after the page is gone;
  // hush must not send it again by beacon (it did: the unload rejects the fetch's promise).
  const paq = [['trackPageView']];
  for (let i = 0; i < 100; i++) paq.push(['trackEvent', 'burst', 'leave', `h${i}`]);
  t.site.page('/t/burst.html', snippetPage({ paq }));
  t.site.page('/t/after-burst.html', '<!doctype html><title>after</title><p>after</p>');
  for (let run = 0; run < 4; run++) {
    t.collector.reset();
    // A slow first answer makes sure the first batch is still in flight when the page goes.
    t.collector.faults.set({ mode: 'stall', count: 1, delayMs: 600 });
    const page = await t.open('/t/burst.html');
    await waitForTracker(page);
    await page.goto(`${t.site.url}/t/after-burst.html`);
    const hits = await expectExactlyHits(t.collector, 101, { quietMs: 1000, timeout: 8000 });
    const names = hits.map((h) => h.e_n ?? 'page view');
    assert.equal(new Set(names).size, 101, `run ${run}: no duplicates`);
    await page.close();
  }
});
