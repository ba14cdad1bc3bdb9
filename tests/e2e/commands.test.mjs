// Tracking commands other than page views: each hit carries what matomo.js sends for the
// same command, literally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, snippetPage, waitForHits, expectExactlyHits, waitForTracker, push, kindOf,
  assertBaseParams, assertParams } from './harness.mjs';

const t = useStack();
const pageUrl = (path) => `${t.site.url}${path}`;

test('trackEvent: e_c, e_a, e_n, e_v (numbers formatted like JavaScript), no action_name', async () => {
  await t.open('/t/event.html', snippetPage({ paq: [
    ['trackPageView'],
    ['trackEvent', 'video', 'play', 'intro', 3],
    ['trackEvent', 'video', 'pause', 'intro', 12.5],
    ['trackEvent', 'video', 'stop'],
  ] }));
  const [pv, play, pause, stop] = await expectExactlyHits(t.collector, 4);
  for (const h of [play, pause, stop]) {
    assertBaseParams(h, { url: pageUrl('/t/event.html') });
    assertParams(h, { action_name: undefined, pv_id: pv.pv_id, _id: pv._id });
    assert.equal(kindOf(h), 'event');
  }
  assertParams(play, { e_c: 'video', e_a: 'play', e_n: 'intro', e_v: '3' });
  assertParams(pause, { e_c: 'video', e_a: 'pause', e_n: 'intro', e_v: '12.5' });
  assertParams(stop, { e_c: 'video', e_a: 'stop', e_n: undefined, e_v: undefined });
});

// Matomo's documentation passes `false` for "no category" / "count unknown".
test('trackSiteSearch: search, search_cat, search_count instead of a page view', async () => {
  await t.open('/t/search.html?q=wool+socks', snippetPage({ paq: [
    ['trackSiteSearch', 'wool socks', 'Clothing', 12],
    ['trackSiteSearch', 'thermos'],
    ['trackSiteSearch', 'mug', false, false],
  ] }));
  const [full, bare, documented] = await expectExactlyHits(t.collector, 3);
  assertBaseParams(full, { url: pageUrl('/t/search.html?q=wool+socks') });
  assertParams(full, { search: 'wool socks', search_cat: 'Clothing', search_count: '12', action_name: undefined });
  assertParams(bare, { search: 'thermos', search_cat: undefined, search_count: undefined });
  assertParams(documented, { search: 'mug', search_cat: undefined, search_count: undefined });
  assert.equal(kindOf(full), 'search');
});

test('trackGoal: idgoal and revenue', async () => {
  await t.open('/t/goal.html', snippetPage({ paq: [['trackGoal', 3, 19.99], ['trackGoal', '7']] }));
  const [paid, free] = await expectExactlyHits(t.collector, 2);
  assertBaseParams(paid, { url: pageUrl('/t/goal.html') });
  assertParams(paid, { idgoal: '3', revenue: '19.99' });
  assertParams(free, { idgoal: '7', revenue: undefined });
});

test('trackLink: link or download with the page as url', async () => {
  await t.open('/t/tracklink.html', snippetPage({ paq: [
    ['trackLink', 'https://partner.example/offer?id=9', 'link'],
    ['trackLink', 'https://cdn.example/app-1.2.zip', 'download'],
  ] }));
  const [link, download] = await expectExactlyHits(t.collector, 2);
  assertBaseParams(link, { url: pageUrl('/t/tracklink.html') });
  assertParams(link, { link: 'https://partner.example/offer?id=9', download: undefined, action_name: undefined });
  assertParams(download, { download: 'https://cdn.example/app-1.2.zip', link: undefined });
});

test('setEcommerceView: _pks, _pkn, _pkc, _pkp on the page view', async () => {
  await t.open('/t/product.html', snippetPage({ title: 'Trail Thermos', paq: [
    ['setEcommerceView', 'SKU-42', 'Trail Thermos', 'Outdoor', 24.5],
    ['trackPageView'],
  ] }));
  const [hit] = await waitForHits(t.collector, 1);
  assertBaseParams(hit, { url: pageUrl('/t/product.html') });
  assertParams(hit, { action_name: 'Trail Thermos', _pks: 'SKU-42', _pkn: 'Trail Thermos', _pkc: 'Outdoor', _pkp: '24.5' });
});

test('cart update and order: idgoal=0, revenue, ec_items as Matomo JSON, ec_id only as a digest', async () => {
  const page = await t.open('/t/order.html', snippetPage({ paq: [
    ['addEcommerceItem', 'SKU-42', 'Trail Thermos', 'Outdoor', 24.5, 2],
    ['addEcommerceItem', 'SKU-7', 'Wool Socks', 'Clothing', 9, 1],
    ['trackEcommerceCartUpdate', 58],
  ] }));
  await waitForTracker(page);
  await push(page, ['trackEcommerceOrder', 'ORDER-1001', 62, 58, 4, 4]);
  const [cart, order] = await expectExactlyHits(t.collector, 2);
  const items = [['SKU-42', 'Trail Thermos', 'Outdoor', 24.5, 2], ['SKU-7', 'Wool Socks', 'Clothing', 9, 1]];
  assertBaseParams(cart, { url: pageUrl('/t/order.html') });
  assertParams(cart, { idgoal: '0', revenue: '58', ec_id: undefined });
  assert.deepEqual(JSON.parse(cart.ec_items), items);
  assert.equal(kindOf(cart), 'cart');
  assertParams(order, { idgoal: '0', revenue: '62', ec_st: '58', ec_tx: '4', ec_sh: '4', ec_dt: undefined, ec_id: /^[0-9a-f]{64}$/ });
  assert.deepEqual(JSON.parse(order.ec_items), items);
  assert.ok(!JSON.stringify(order).includes('ORDER-1001'), 'the raw order ID never leaves the page');
  assert.equal(kindOf(order), 'order');
});

test('removeEcommerceItem and clearEcommerceCart change what the next cart update carries', async () => {
  await t.open('/t/cart.html', snippetPage({ paq: [
    ['addEcommerceItem', 'A', 'Apple', 'Fruit', 1, 3],
    ['addEcommerceItem', 'B', 'Bread', 'Bakery', 2.5],
    ['removeEcommerceItem', 'A'],
    ['trackEcommerceCartUpdate', 2.5],
    ['clearEcommerceCart'],
    ['addEcommerceItem', 'C', 'Cheese'],
    ['trackEcommerceCartUpdate', 0],
  ] }));
  const [first, second] = await expectExactlyHits(t.collector, 2);
  // matomo.js fills a missing price with 0 and a missing quantity with 1
  assert.deepEqual(JSON.parse(first.ec_items), [['B', 'Bread', 'Bakery', 2.5, 1]]);
  assert.deepEqual(JSON.parse(second.ec_items), [['C', 'Cheese', '', 0, 1]]);
  assertParams(second, { idgoal: '0', revenue: '0' });
});

test('ping: ping=1 on the page view it belongs to, no action_name', async () => {
  const page = await t.open('/t/ping.html', snippetPage({ paq: [['trackPageView']] }));
  await waitForTracker(page);
  await push(page, ['ping']);
  const [pv, ping] = await expectExactlyHits(t.collector, 2);
  assertBaseParams(ping, { url: pageUrl('/t/ping.html') });
  assertParams(ping, { ping: '1', pv_id: pv.pv_id, action_name: undefined });
  assert.equal(kindOf(ping), 'ping');
});

// matomo.js clamps the delay to at least 5 s and pings once that long has passed since the
// last request, provided the page had focus at least once.
test('enableHeartBeatTimer: a ping follows while the page stays open and focused', async () => {
  const page = await t.open('/t/heartbeat.html', snippetPage({ paq: [['enableHeartBeatTimer', 2], ['trackPageView']] }));
  await page.bringToFront();
  const hits = await waitForHits(t.collector, 1, { where: (h) => h.ping === '1', timeout: 12000 });
  const [pv] = t.collector.hits;
  assertParams(hits[0], { ping: '1', pv_id: pv.pv_id, _id: pv._id });
});
