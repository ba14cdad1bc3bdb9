// Page views through the drop-in snippet: the Matomo parameters, cookieless identity,
// and the commands that shape a page view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, newPage, snippetPage, waitForHits, expectExactlyHits, waitForTracker, push, consoleOf, kindOf,
  assertBaseParams, assertParams, FINGERPRINT_PARAMS, sleep } from './harness.mjs';

const t = useStack();

test('page view: the literal Matomo parameters, referrer from a real navigation', async () => {
  t.site.page('/t/pv-from.html', '<!doctype html><title>from</title><link rel="icon" href="data:,"><a id="go" href="/t/pv.html?lang=en">go</a>');
  t.site.page('/t/pv.html', snippetPage({ title: 'Trail Thermos – Shop', paq: [['trackPageView'], ['enableLinkTracking']] }));
  const page = await t.open('/t/pv-from.html');
  await page.click('#go');
  const [hit] = await expectExactlyHits(t.collector, 1);
  assertBaseParams(hit, { url: `${t.site.url}/t/pv.html?lang=en` });
  assertParams(hit, { action_name: 'Trail Thermos – Shop', urlref: `${t.site.url}/t/pv-from.html` });
  assert.equal(kindOf(hit), 'pageview');
  for (const k of FINGERPRINT_PARAMS) assert.equal(hit[k], undefined, k);
  assert.deepEqual(consoleOf(page, 'warning'), [], 'a default page logs no warnings');
  assert.deepEqual(consoleOf(page, 'error'), []);
});

test('default page: zero cookies, zero web storage, zero IndexedDB databases', async () => {
  const page = await t.open('/t/storage.html', snippetPage({ paq: [['trackPageView'], ['trackEvent', 'a', 'b']] }));
  await waitForHits(t.collector, 2);
  assert.deepEqual(await page.context().cookies(), []);
  const stored = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    idb: (await indexedDB.databases()).length,
    cookie: document.cookie,
  }));
  assert.deepEqual(stored, { local: 0, session: 0, idb: 0, cookie: '' });
});

test('_id/cid identical across the hits of a page; a new page load gets a new visit ID', async () => {
  const html = snippetPage({ paq: [['trackPageView'], ['trackEvent', 'c', 'a'], ['trackGoal', 1]] });
  const page = await t.open('/t/ids.html', html);
  const hits = await waitForHits(t.collector, 3);
  assert.equal(new Set(hits.map((h) => h._id)).size, 1, 'one _id');
  for (const h of hits) assert.equal(h.cid, h._id);
  assert.equal(new Set(hits.map((h) => h.pv_id)).size, 1, 'event and goal belong to the page view');
  await page.reload();
  const after = await waitForHits(t.collector, 6);
  assert.notEqual(after[5]._id, hits[0]._id, 'cookieless: the visit ID is not kept across page loads');
  assert.match(after[5]._id, /^[0-9a-f]{16}$/);
  assert.notEqual(after[3].pv_id, hits[0].pv_id, 'a new page view ID per page view');
});

test('setCustomUrl (relative, resolved), setReferrerUrl, setDocumentTitle', async () => {
  await t.open('/t/custom.html', snippetPage({ paq: [
    ['setCustomUrl', '/virtual/step-2?plan=pro'],
    ['setReferrerUrl', 'https://news.example/story/42'],
    ['setDocumentTitle', 'Checkout / Step 2'],
    ['trackPageView'],
  ] }));
  const [hit] = await waitForHits(t.collector, 1);
  assertBaseParams(hit, { url: `${t.site.url}/virtual/step-2?plan=pro` });
  assertParams(hit, { urlref: 'https://news.example/story/42', action_name: 'Checkout / Step 2' });
});

test('trackPageView(customTitle) overrides the document title for that page view only', async () => {
  const page = await t.open('/t/title.html', snippetPage({ title: 'Doc Title', paq: [['trackPageView', 'Custom Title']] }));
  await waitForTracker(page);
  await push(page, ['trackPageView']);
  const hits = await waitForHits(t.collector, 2);
  assert.deepEqual(hits.map((h) => h.action_name), ['Custom Title', 'Doc Title']);
});

test('setCustomDimension goes on every later hit; deleteCustomDimension removes it', async () => {
  const page = await t.open('/t/dim.html', snippetPage({ paq: [
    ['setCustomDimension', 1, 'gold'],
    ['setCustomDimension', 3, 'beta'],
    ['trackPageView'],
    ['trackEvent', 'plan', 'view'],
  ] }));
  await waitForTracker(page);
  await push(page, ['deleteCustomDimension', 1], ['trackEvent', 'plan', 'after-delete']);
  const hits = await waitForHits(t.collector, 3);
  assertParams(hits[0], { dimension1: 'gold', dimension3: 'beta', action_name: 'hush test page' });
  assertParams(hits[1], { dimension1: 'gold', dimension3: 'beta', e_a: 'view' });
  assertParams(hits[2], { dimension1: undefined, dimension3: 'beta', e_a: 'after-delete' });
});

test('setUserId: uid is a SHA-256 hex digest, never the raw ID; resetUserId removes it', async () => {
  const page = await t.open('/t/uid.html', snippetPage({ paq: [['setUserId', 'user-8812'], ['trackPageView'], ['trackEvent', 'a', 'b']] }));
  await waitForTracker(page);
  await push(page, ['resetUserId'], ['trackEvent', 'a', 'after-reset']);
  const hits = await waitForHits(t.collector, 3);
  assert.match(hits[0].uid ?? '<absent>', /^[0-9a-f]{64}$/);
  assert.equal(hits[1].uid, hits[0].uid, 'the same digest on every hit');
  for (const h of hits) assert.ok(!JSON.stringify(h).includes('user-8812'), 'the raw user ID never leaves the page');
  assert.equal(hits[2].uid, undefined);
});

test('commands pushed after load run at once; the function form sees the tracker as this', async () => {
  const page = await t.open('/t/fn.html', snippetPage({ paq: [
    ['trackPageView'],
    [function () { window.seen = { visitor: this.getVisitorId(), pageView: this.getPageViewId() }; }],
  ] }));
  await waitForTracker(page);
  const [hit] = await waitForHits(t.collector, 1);
  const seen = await page.evaluate(() => window.seen);
  assert.deepEqual(seen, { visitor: hit._id, pageView: hit.pv_id });
  await push(page, ['trackEvent', 'late', 'push']);
  const hits = await waitForHits(t.collector, 2);
  assertParams(hits[1], { e_c: 'late', e_a: 'push', _id: hit._id, pv_id: hit.pv_id });
});

test('unknown command and bad arguments: one console warning each, no page error, tracking goes on', async () => {
  const page = await t.open('/t/unknown.html', snippetPage({ paq: [['trackPageView']] }));
  await waitForTracker(page);
  await push(page, ['doesNotExist', 1]);
  await sleep(100);
  const warnings = consoleOf(page, 'warning');
  assert.equal(warnings.length, 1, `warnings: ${JSON.stringify(warnings)}`);
  assert.match(warnings[0], /doesNotExist/);
  await push(page, ['trackEvent']);
  await sleep(100);
  assert.equal(consoleOf(page, 'warning').length, 2, 'trackEvent without category/action warns once');
  await push(page, ['trackEvent', 'still', 'works']);
  const hits = await expectExactlyHits(t.collector, 2);
  assertParams(hits[1], { e_c: 'still', e_a: 'works' });
  assert.deepEqual(page.logs.pageErrors, []);
});

test('hush adds no global but _paq, and text with the shell\'s separators cannot forge an action', async () => {
  const page = await t.open('/t/globals.html', snippetPage({
    head: '<script>window.BEFORE = Object.getOwnPropertyNames(window);</script>',
    paq: [['trackPageView'], ['enableLinkTracking']],
  }));
  await waitForTracker(page);
  const added = await page.evaluate(() => Object.getOwnPropertyNames(window).filter((k) => k !== 'BEFORE' && !window.BEFORE.includes(k)));
  assert.deepEqual(added, [], 'hush.js runs in its own scope');
  // U+001E / U+001F frame the core's answer: an event name carrying them must arrive as
  // text (spaces), not become a storage write or a second request.
  await push(page, ['trackEvent', 'forge', 'x\u001eT\u001fhush_id\u001fevil\u001eS\u001f9\u001fhttps://evil.example/\u001f0']);
  const [hit] = await waitForHits(t.collector, 1, { where: (h) => h.e_c === 'forge' });
  assert.equal(hit.e_a, 'x T hush_id evil S 9 https://evil.example/ 0');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.deepEqual(consoleOf(page, 'warning'), []);
});

test("README's preload of hush_bg.wasm is used: one request for the module, and hush starts", async () => {
  t.site.page('/t/preload.html', snippetPage({
    head: '<link rel="preload" href="/dist/hush_bg.wasm" as="fetch" crossorigin>',
    paq: [['trackPageView']],
  }));
  const page = await newPage(t.browser);
  t.pages.push(page);
  const wasmRequests = [];
  page.on('request', (r) => { if (r.url().endsWith('/hush_bg.wasm')) wasmRequests.push(r.url()); });
  await page.goto(`${t.site.url}/t/preload.html`);
  await waitForHits(t.collector, 1);
  assert.equal(wasmRequests.length, 1, `requests for the wasm: ${wasmRequests.join(', ')}`);
  assert.deepEqual(consoleOf(page, 'warning'), [], 'no "preloaded but not used" warning');
});

test('hush.js included twice: one tracker, every hit once, one warning', async () => {
  const page = await t.open('/t/twice.html', snippetPage({
    paq: [['trackPageView'], ['enableLinkTracking']],
    head: '<script async src="/dist/hush.js"></script>',
  }));
  await waitForTracker(page);
  await sleep(500); // both copies have loaded their wasm by now
  await push(page, ['trackEvent', 'twice', 'later'], ['flush']);
  await expectExactlyHits(t.collector, 2);
  const warnings = consoleOf(page, 'warning');
  assert.equal(warnings.length, 1, warnings.join(' | '));
  assert.match(warnings[0], /included twice/);
});
