// enableHistoryTracking: single-page apps get a page view per history change, with the
// previous URL as referrer, a new page view ID, and the same visit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, snippetPage, waitForHits, expectExactlyHits, waitForTracker, assertBaseParams, assertParams } from './harness.mjs';

const t = useStack();

test('pushState, replaceState and popstate each give a page view with urlref = previous URL', async () => {
  const page = await t.open('/t/spa/', snippetPage({ title: 'SPA Home', paq: [['enableHistoryTracking'], ['trackPageView']] }));
  await waitForTracker(page);
  const [home] = await waitForHits(t.collector, 1);
  const base = `${t.site.url}/t/spa`;

  await page.evaluate(() => { document.title = 'Step 2'; history.pushState({}, '', '/t/spa/step-2'); });
  const [, step2] = await waitForHits(t.collector, 2);
  assertBaseParams(step2, { url: `${base}/step-2` });
  assertParams(step2, { action_name: 'Step 2', urlref: `${base}/`, _id: home._id });
  assert.notEqual(step2.pv_id, home.pv_id, 'a new page view ID');

  await page.evaluate(() => { document.title = 'Step 3'; history.replaceState({}, '', '/t/spa/step-3'); });
  const [, , step3] = await waitForHits(t.collector, 3);
  assertParams(step3, { url: `${base}/step-3`, urlref: `${base}/step-2`, action_name: 'Step 3', _id: home._id });

  await page.evaluate(() => { document.title = 'SPA Home'; history.back(); });
  const hits = await expectExactlyHits(t.collector, 4);
  assertParams(hits[3], { url: `${base}/`, urlref: `${base}/step-3`, _id: home._id });
  assert.equal(new Set(hits.map((h) => h.pv_id)).size, 4, 'four page views, four IDs');
});

test('without enableHistoryTracking, pushState sends nothing', async () => {
  const page = await t.open('/t/spa-off/', snippetPage({ paq: [['trackPageView']] }));
  await waitForHits(t.collector, 1);
  await page.evaluate(() => history.pushState({}, '', '/t/spa-off/next'));
  await expectExactlyHits(t.collector, 1);
});

test('events after a pushState carry the new page view ID and URL', async () => {
  const page = await t.open('/t/spa-ev/', snippetPage({ paq: [['enableHistoryTracking'], ['trackPageView']] }));
  await waitForTracker(page);
  await page.evaluate(() => {
    history.pushState({}, '', '/t/spa-ev/cart');
    window._paq.push(['trackEvent', 'cart', 'open']);
  });
  const hits = await waitForHits(t.collector, 3);
  assert.deepEqual(hits.map((h) => h.e_a ?? h.action_name), ['hush test page', 'hush test page', 'open'],
    'the history page view comes before an event pushed right after pushState');
  const [, pv2, ev] = hits;
  assertParams(ev, { e_a: 'open', pv_id: pv2.pv_id, url: `${t.site.url}/t/spa-ev/cart` });
});
