// Matomo consent commands end to end (no banner): requirement modes, held hits released with
// cdt, withdrawal erasing hush's storage, remembered consent across reloads and its expiry,
// opt-out across pages, GPC and DNT honoured by default and lifted by the site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, snippetPage, waitForHits, expectExactlyHits, waitForTracker, push, trackingRequests, newPage, sleep } from './harness.mjs';

const t = useStack();
const HUSH_KEYS = ['hush_id', 'hush_queue', 'hush_consent', 'hush_optout'];

/** Every cookie, localStorage and sessionStorage name of the page's origin. */
async function storedNames(page) {
  const web = await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]);
  return [...web, ...(await page.context().cookies()).map((c) => c.name)].sort();
}
const hasConsent = (page) => page.evaluate(() => new Promise((r) => window._paq.push([function () { r(this.hasConsent()); }])));
const optedOut = (page) => page.evaluate(() => new Promise((r) => window._paq.push([function () { r(this.isUserOptedOut()); }])));

/** Opens `path` in a fresh context whose pages run `init` before any script (navigator signals). */
async function openWith(path, html, init) {
  t.site.page(path, html);
  const page = await newPage(t.browser);
  t.pages.push(page);
  if (init) await page.addInitScript(init);
  await page.goto(`${t.site.url}${path}`);
  return page;
}

test('requireConsent: nothing sent or stored before consent; setConsentGiven releases the held hits with cdt; forgetConsentGiven erases', async () => {
  const page = await t.open('/t/consent-require.html', snippetPage({ paq: [['requireConsent'], ['trackPageView', 'held']] }));
  await waitForTracker(page);
  await push(page, ['trackEvent', 'c', 'held too']);
  await sleep(2100);
  assert.equal(trackingRequests(t.collector).length, 0);
  assert.deepEqual(await storedNames(page), []);
  assert.equal(await hasConsent(page), false);
  await push(page, ['setConsentGiven']);
  const [pv, ev] = await expectExactlyHits(t.collector, 2, { quietMs: 500 });
  assert.equal(pv.action_name, 'held');
  assert.equal(ev.e_a, 'held too');
  for (const h of [pv, ev]) assert.match(h.cdt ?? '', /^\d+$/, 'late hits carry cdt');
  assert.deepEqual(await storedNames(page), ['hush_id'], 'consent allows the visitor ID, nothing else');
  await push(page, ['forgetConsentGiven'], ['trackEvent', 'c', 'after forget']);
  await sleep(1000);
  assert.equal(t.collector.hits.length, 2, 'nothing after forgetConsentGiven');
  assert.deepEqual(await storedNames(page), [], 'hush_id erased');
});

test('requireConsent: a refusal on the page drops the held hits; they never leave', async () => {
  const page = await t.open('/t/consent-refuse.html', snippetPage({ paq: [['requireConsent'], ['trackPageView']] }));
  await waitForTracker(page);
  await push(page, ['forgetConsentGiven'], ['trackPageView']);
  await sleep(1200);
  assert.equal(trackingRequests(t.collector).length, 0);
  assert.equal(await optedOut(page), true);
  assert.deepEqual(await storedNames(page), []);
});

test('requireCookieConsent: cookieless hits and no storage until setCookieConsentGiven; forgetCookieConsentGiven erases and keeps measuring cookieless', async () => {
  const page = await t.open('/t/consent-cookie.html', snippetPage({ paq: [['requireCookieConsent'], ['trackPageView']] }));
  const [pv] = await waitForHits(t.collector, 1);
  assert.equal(pv.cdt, undefined);
  assert.deepEqual(await storedNames(page), []);
  await push(page, ['setCookieConsentGiven']);
  await page.waitForFunction(() => localStorage.getItem('hush_id') !== null);
  await push(page, ['forgetCookieConsentGiven'], ['trackEvent', 'c', 'cookieless again']);
  await waitForHits(t.collector, 2);
  assert.deepEqual(await storedNames(page), []);
});

test('no requirement: hits are sent at once and nothing is stored', async () => {
  const page = await t.open('/t/consent-none.html', snippetPage({ paq: [['trackPageView']] }));
  await expectExactlyHits(t.collector, 1, { quietMs: 500 });
  assert.deepEqual(await storedNames(page), []);
});

test('rememberConsentGiven(hours): the record survives a reload, then expires and takes hush\'s storage with it', async () => {
  const html = snippetPage({ paq: [['requireConsent'], ['trackPageView']] });
  const page = await t.open('/t/consent-remember.html', html);
  await waitForTracker(page);
  await push(page, ['rememberConsentGiven', 0.001]); // 3.6 s
  await waitForHits(t.collector, 1);
  const record = await page.evaluate(() => localStorage.getItem('hush_consent'));
  assert.ok(record, 'a consent record is written');
  t.collector.reset();
  await page.reload();
  const [again] = await waitForHits(t.collector, 1);
  assert.equal(again.cdt, undefined, 'sent at once on the next page');
  await sleep(3800);
  t.collector.reset();
  await page.reload();
  await waitForTracker(page);
  await sleep(1200);
  assert.equal(trackingRequests(t.collector).length, 0, 'expired: held again');
  assert.deepEqual(await storedNames(page), [], 'record and visitor ID removed');
});

test('rememberConsentGiven(): default lifetime 13 months, kept across pages', async () => {
  const page = await t.open('/t/consent-remember-default.html', snippetPage({ paq: [['requireConsent'], ['rememberConsentGiven'], ['trackPageView']] }));
  await waitForHits(t.collector, 1);
  const text = await page.evaluate(() => localStorage.getItem('hush_consent'));
  assert.equal(await hasConsent(page), true);
  const at = Number(/\|at=(\d+)/.exec(text)[1]);
  const exp = Number(/\|exp=(\d+)/.exec(text)[1]);
  const months = (exp - at) / (30.44 * 86400e3);
  assert.ok(months > 12.5 && months < 13.5, `lifetime ${months} months`);
  t.site.page('/t/consent-remember-default-2.html', snippetPage({ paq: [['requireConsent'], ['trackPageView', 'page 2']] }));
  await page.goto(`${t.site.url}/t/consent-remember-default-2.html`);
  await waitForHits(t.collector, 1, { where: (h) => h.action_name === 'page 2' });
});

test('optUserOut holds on every later page until forgetUserOptOut', async () => {
  const page = await t.open('/t/optout-1.html', snippetPage({ paq: [['optUserOut'], ['trackPageView']] }));
  await waitForTracker(page);
  assert.equal(await optedOut(page), true);
  assert.deepEqual(await storedNames(page), ['hush_optout'], 'only the opt-out record');
  t.site.page('/t/optout-2.html', snippetPage({ paq: [['trackPageView'], ['trackEvent', 'c', 'a']] }));
  await page.goto(`${t.site.url}/t/optout-2.html`);
  await waitForTracker(page);
  await sleep(1200);
  assert.equal(trackingRequests(t.collector).length, 0);
  assert.equal(await optedOut(page), true);
  await push(page, ['forgetUserOptOut'], ['trackPageView', 'back in']);
  await waitForHits(t.collector, 1);
  assert.deepEqual(await storedNames(page), []);
});

const GPC = () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true });
const DNT = () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1', configurable: true });

for (const [signal, init, lift] of [['GPC', GPC, 'setHonorGlobalPrivacyControl'], ['DNT', DNT, 'setDoNotTrack']]) {
  test(`${signal} is honoured by default: nothing sent, nothing stored, even with consent`, async () => {
    const page = await openWith(`/t/${signal}-on.html`, snippetPage({ paq: [['setConsentGiven'], ['trackPageView']] }), init);
    await waitForTracker(page);
    await sleep(1200);
    assert.equal(trackingRequests(t.collector).length, 0);
    assert.equal(await optedOut(page), true);
    assert.deepEqual(await storedNames(page), []);
  });

  test(`${signal}: ${lift}(false) lifts it`, async () => {
    const page = await openWith(`/t/${signal}-off.html`, snippetPage({ paq: [[lift, false], ['trackPageView']] }), init);
    await expectExactlyHits(t.collector, 1, { quietMs: 500 });
    assert.equal(await optedOut(page), false);
  });
}
