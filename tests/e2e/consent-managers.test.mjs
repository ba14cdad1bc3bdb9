// connectConsentManager end to end, with the real banners from npm (vanilla-cookieconsent v3,
// Klaro, an IAB TCF v2.2 CMP built on @iabtcf/cmpapi with TC strings made by @iabtcf/core)
// and a plain gtag() dataLayer for Google Consent Mode v2 (gtag.js itself is not loaded:
// it cannot be fetched here, and the connector reads only the dataLayer, which gtag() fills).
// Each banner's own buttons are clicked. For every connector and requirement mode: nothing
// stored before the decision (the banner's own cookie is the banner's, checked by name),
// no request at all under requireConsent; accept → the held hit is released (with cdt) and
// hush may store its visitor ID; reject → nothing under requireConsent, cookieless hits
// otherwise, and no hush storage; withdrawal → nothing more and hush's storage erased.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { TCModel, TCString, GVL } from '@iabtcf/core';
import { useStack, snippetPage, waitForHits, expectExactlyHits, waitForTracker, push, consoleOf, trackingRequests, sleep } from './harness.mjs';

const t = useStack();
const HUSH_KEYS = ['hush_id', 'hush_queue', 'hush_consent', 'hush_optout'];

// ---------- TCF: TC strings made in Node, a small CMP on @iabtcf/cmpapi in the page ----------

const PURPOSES = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i + 1, { id: i + 1, name: `Purpose ${i + 1}`, description: '', illustrations: [] }]));
const gvl = new GVL({ gvlSpecificationVersion: 3, vendorListVersion: 1, tcfPolicyVersion: 4, lastUpdated: '2025-01-01T00:00:00Z',
  purposes: PURPOSES, specialPurposes: {}, features: {}, specialFeatures: {}, vendors: {}, stacks: {}, dataCategories: {} });
function tcString(purposeConsents, legitimateInterests = []) {
  const m = new TCModel(gvl);
  m.cmpId = 10;
  m.cmpVersion = 1;
  m.isServiceSpecific = true;
  m.purposeConsents.set(purposeConsents);
  m.purposeLegitimateInterests.set(legitimateInterests);
  return TCString.encode(m);
}
const TC = { all: tcString([1, 7, 8, 9]), none: tcString([]), storageOnly: tcString([1]), measureOnly: tcString([7, 8, 9]),
  legit: tcString([1], [7, 8, 9]) };

// @iabtcf/cmpapi bundled for the browser, served at /cmp/tcf.js.
const CMP_JS = (await build({ stdin: { contents: "import { CmpApi } from '@iabtcf/cmpapi'; window.CmpApi = CmpApi;",
  resolveDir: process.cwd() }, bundle: true, write: false, format: 'iife', target: 'es2018', logLevel: 'warning' })).outputFiles[0].text;

// A TCF banner: the __tcfapi stub is CmpApi's; the decision is kept in the euconsent-v2
// cookie, as TCF CMPs do, and re-announced on every page (tcloaded).
function tcfPage({ accept = TC.all, reject = TC.none, gdpr = true } = {}) {
  t.site.page('/cmp/tcf.js', CMP_JS);
  return {
    head: '<script src="/cmp/tcf.js"></script>',
    body: `<div id="tcf-banner" hidden><button id="tcf-accept">Accept</button><button id="tcf-reject">Reject</button></div>
<button id="tcf-settings">Privacy settings</button>
<script>
  var cmp = new CmpApi(10, 1, true);
  var banner = document.getElementById('tcf-banner');
  var stored = (document.cookie.match(/(?:^|; )euconsent-v2=([^;]+)/) || [])[1];
  function decide(s) { document.cookie = 'euconsent-v2=' + s + '; path=/'; banner.hidden = true; cmp.update(s, false); }
  document.getElementById('tcf-accept').onclick = function () { decide(${JSON.stringify(accept)}); };
  document.getElementById('tcf-reject').onclick = function () { decide(${JSON.stringify(reject)}); };
  document.getElementById('tcf-settings').onclick = function () { banner.hidden = false; cmp.update(stored || '', true); };
  ${gdpr ? "if (stored) cmp.update(stored, false); else { banner.hidden = false; cmp.update('', true); }" : 'cmp.update(null);'}
</script>`,
  };
}

// ---------- Google Consent Mode v2: the gtag() snippet and a site banner calling update ----------

const GTAG = `<script>
  window.dataLayer = window.dataLayer || [];
  function gtag() { dataLayer.push(arguments); }
  gtag('consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' });
  var remembered = (document.cookie.match(/(?:^|; )site_consent=([^;]+)/) || [])[1];
  if (remembered) gtag('consent', 'update', { analytics_storage: remembered });
  gtag('js', new Date());
</script>`;
const gcmPage = () => ({
  head: GTAG,
  body: `<div id="gcm-banner"><button id="gcm-accept">Accept</button><button id="gcm-reject">Reject</button></div>
<script>
  function choose(v) { document.cookie = 'site_consent=' + v + '; path=/'; gtag('consent', 'update', { analytics_storage: v }); }
  document.getElementById('gcm-accept').onclick = function () { choose('granted'); };
  document.getElementById('gcm-reject').onclick = function () { choose('denied'); };
</script>`,
});

// ---------- vanilla-cookieconsent v3 and Klaro, from node_modules via /vendor ----------

const CC_CONFIG = {
  hideFromBots: false, // playwright sets navigator.webdriver, which the banner would take for a bot
  categories: { necessary: { enabled: true, readOnly: true }, analytics: {} },
  language: { default: 'en', translations: { en: {
    consentModal: { title: 'Cookies', description: 'We measure visits.', acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all' },
    preferencesModal: { title: 'Preferences', acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', savePreferencesBtn: 'Save',
      sections: [{ title: 'Analytics', description: 'hush', linkedCategory: 'analytics' }] },
  } } },
};
const ccPage = () => ({
  head: '<link rel="stylesheet" href="/vendor/vanilla-cookieconsent/cookieconsent.css"><script src="/vendor/vanilla-cookieconsent/cookieconsent.umd.js"></script>',
  body: `<button type="button" data-cc="show-preferencesModal" id="cc-settings">Cookie settings</button>
<script>CookieConsent.run(${JSON.stringify(CC_CONFIG)});</script>`,
});

const KLARO_CONFIG = { acceptAll: true, services: [{ name: 'hush', title: 'hush analytics', purposes: ['analytics'] }] };
const klaroPage = () => ({
  head: `<script>window.klaroConfig = ${JSON.stringify(KLARO_CONFIG)};</script><script defer src="/vendor/klaro/klaro.js"></script>`,
  body: '<button id="klaro-settings" onclick="klaro.show()">Cookie settings</button>',
});

/** Each banner: its page, its own buttons, and the names of what it stores itself. */
const BANNERS = {
  cookieconsent: {
    page: ccPage,
    ready: (p) => p.waitForSelector('#cc-main .cm [data-role="all"]'),
    accept: (p) => p.click('#cc-main .cm [data-role="all"]'),
    reject: (p) => p.click('#cc-main .cm [data-role="necessary"]'),
    withdraw: async (p) => { await p.click('#cc-settings'); await p.click('#cc-main .pm [data-role="necessary"]'); },
    own: ['cc_cookie'],
  },
  klaro: {
    page: klaroPage,
    ready: (p) => p.waitForSelector('.klaro .cookie-notice .cm-btn-success'),
    accept: (p) => p.click('.klaro .cookie-notice .cm-btn-success'),
    reject: (p) => p.click('.klaro .cookie-notice .cn-decline'),
    // Once decided, Klaro's modal has no "decline all": switch the purpose off and save.
    withdraw: async (p) => {
      await p.click('#klaro-settings');
      await p.click('.klaro .cookie-modal label[for="purpose-item-analytics"]');
      await p.click('.klaro .cookie-modal .cm-btn-accept');
    },
    own: ['klaro'],
  },
  tcf: {
    page: tcfPage,
    ready: (p) => p.waitForSelector('#tcf-accept'),
    accept: (p) => p.click('#tcf-accept'),
    reject: (p) => p.click('#tcf-reject'),
    withdraw: async (p) => { await p.click('#tcf-settings'); await p.click('#tcf-reject'); },
    own: ['euconsent-v2'],
  },
  'google-consent-mode': {
    page: gcmPage,
    ready: (p) => p.waitForSelector('#gcm-accept'),
    accept: (p) => p.click('#gcm-accept'),
    reject: (p) => p.click('#gcm-reject'),
    withdraw: (p) => p.click('#gcm-reject'),
    own: ['site_consent'],
  },
};

const MODES = { requireConsent: [['requireConsent']], requireCookieConsent: [['requireCookieConsent']], none: [] };

/** Cookies, localStorage and sessionStorage names of the page's origin. */
async function storedNames(page) {
  const web = await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]);
  const cookies = (await page.context().cookies()).map((c) => c.name);
  return [...web, ...cookies].sort();
}

async function assertNothingStoredBut(page, own) {
  const extra = (await storedNames(page)).filter((n) => !own.includes(n));
  assert.deepEqual(extra, [], 'nothing stored but the banner\'s own record');
}

const hushKeys = (page) => page.evaluate((keys) => keys.filter((k) => localStorage.getItem(k) !== null), HUSH_KEYS);

async function openBanner(name, mode, path, extra = []) {
  const b = BANNERS[name];
  const { head, body } = b.page();
  const page = await t.open(path, snippetPage({ head, body, paq: [...MODES[mode], ['trackPageView', 'before the decision'],
    ['connectConsentManager', name], ...extra] }));
  await waitForTracker(page);
  await b.ready(page);
  return page;
}

for (const name of Object.keys(BANNERS)) {
  const b = BANNERS[name];
  for (const mode of Object.keys(MODES)) {
    test(`${name} · ${mode}: nothing stored before the decision; accept → hits, held hit released with cdt, visitor ID stored`, async () => {
      const page = await openBanner(name, mode, `/t/cmp-${name}-${mode}-accept.html`);
      await sleep(2100); // longer than the queue's "late" threshold: a released hit carries cdt
      await assertNothingStoredBut(page, []);
      if (mode === 'requireConsent') assert.equal(trackingRequests(t.collector).length, 0, 'no request before consent');
      else {
        const [pv] = await waitForHits(t.collector, 1);
        assert.equal(pv.cdt, undefined, 'sent at once, cookieless');
      }
      await b.accept(page);
      const [pv] = await waitForHits(t.collector, 1, { where: (h) => h.action_name === 'before the decision' });
      if (mode === 'requireConsent') assert.match(pv.cdt ?? '', /^\d+$/, 'released late: cdt');
      await page.waitForFunction(() => localStorage.getItem('hush_id') !== null, null, { timeout: 3000 });
      await push(page, ['trackEvent', 'cmp', 'after accept']);
      const hits = await expectExactlyHits(t.collector, 2, { quietMs: 500 });
      assert.equal(hits[1].e_a, 'after accept');
      assert.equal(hits[1]._id, pv._id, 'same visit');
      const names = await storedNames(page);
      assert.ok(b.own.some((n) => names.includes(n)), `the banner keeps its own record (${b.own})`);
      await assertNothingStoredBut(page, [...b.own, 'hush_id']);
    });

    test(`${name} · ${mode}: reject → ${mode === 'requireConsent' ? 'nothing sent' : 'hits stay cookieless'}, nothing stored by hush`, async () => {
      const page = await openBanner(name, mode, `/t/cmp-${name}-${mode}-reject.html`);
      await assertNothingStoredBut(page, []);
      await b.reject(page);
      await push(page, ['trackEvent', 'cmp', 'after reject']);
      if (mode === 'requireConsent') {
        await sleep(1500);
        assert.equal(trackingRequests(t.collector).length, 0, 'nothing sent after a refusal');
        assert.equal(await page.evaluate(() => new Promise((r) => window._paq.push([function () { r(this.hasConsent()); }]))), false);
      } else {
        const hits = await expectExactlyHits(t.collector, 2, { quietMs: 500 });
        assert.equal(hits[1].e_a, 'after reject');
      }
      assert.deepEqual(await hushKeys(page), []);
      await assertNothingStoredBut(page, b.own);
    });
  }

  test(`${name} · requireConsent: the banner's remembered decision applies on the next page; withdrawal stops hits and erases hush's storage`, async () => {
    const page = await openBanner(name, 'requireConsent', `/t/cmp-${name}-withdraw.html`);
    await b.accept(page);
    await waitForHits(t.collector, 1);
    // Next page, same browser: the banner re-announces its record, hush follows at once.
    t.collector.reset();
    await page.reload();
    await waitForTracker(page);
    const [again] = await waitForHits(t.collector, 1);
    assert.equal(again.action_name, 'before the decision');
    assert.equal(again.cdt, undefined, 'sent at once: the banner had decided');
    await page.waitForFunction(() => localStorage.getItem('hush_id') !== null, null, { timeout: 3000 });
    await b.withdraw(page);
    await page.waitForFunction(() => localStorage.getItem('hush_id') === null, null, { timeout: 3000 });
    await push(page, ['trackEvent', 'cmp', 'after withdrawal']);
    await sleep(1500);
    assert.equal(t.collector.hits.length, 1, 'nothing after the withdrawal');
    assert.deepEqual(await hushKeys(page), []);
  });
}

test('tcf: purpose 1 alone grants storage only; purposes 7+8+9 alone measurement only; legitimate interest is not consent', async () => {
  // storage only: under requireConsent nothing is sent (measurement not consented) and nothing stored
  let page = await t.open('/t/tcf-storage-only.html', snippetPage({ ...tcfPage({ accept: TC.storageOnly }),
    paq: [['requireConsent'], ['trackPageView'], ['connectConsentManager', 'tcf']] }));
  await waitForTracker(page);
  await page.click('#tcf-accept');
  await sleep(1200);
  assert.equal(trackingRequests(t.collector).length, 0);
  assert.deepEqual(await hushKeys(page), []);
  // measurement only: sent, nothing stored
  page = await t.open('/t/tcf-measure-only.html', snippetPage({ ...tcfPage({ accept: TC.measureOnly }),
    paq: [['requireConsent'], ['trackPageView'], ['connectConsentManager', 'tcf']] }));
  await waitForTracker(page);
  await page.click('#tcf-accept');
  await waitForHits(t.collector, 1);
  await sleep(500);
  assert.deepEqual(await hushKeys(page), []);
  // 7, 8, 9 under legitimate interest only: not measurement consent
  t.collector.reset();
  page = await t.open('/t/tcf-legit.html', snippetPage({ ...tcfPage({ accept: TC.legit }),
    paq: [['requireConsent'], ['trackPageView'], ['connectConsentManager', 'tcf']] }));
  await waitForTracker(page);
  await page.click('#tcf-accept');
  await sleep(1200);
  assert.equal(trackingRequests(t.collector).length, 0);
});

test('tcf: gdprApplies false leaves the site\'s default (held under requireConsent, sent otherwise)', async () => {
  await t.open('/t/tcf-nogdpr-consent.html', snippetPage({ ...tcfPage({ gdpr: false }),
    paq: [['requireConsent'], ['trackPageView'], ['connectConsentManager', 'tcf']] }));
  await sleep(1500);
  assert.equal(trackingRequests(t.collector).length, 0);
  const page = await t.open('/t/tcf-nogdpr-none.html', snippetPage({ ...tcfPage({ gdpr: false }),
    paq: [['trackPageView'], ['connectConsentManager', 'tcf']] }));
  await expectExactlyHits(t.collector, 1, { quietMs: 500 });
  assert.deepEqual(await hushKeys(page), []);
});

test('google-consent-mode: later gtag updates are seen after the page (or gtag.js) replaces dataLayer.push, and every push runs once', async () => {
  const page = await t.open('/t/gcm-replace.html', snippetPage({ head: GTAG,
    paq: [['requireConsent'], ['trackPageView'], ['connectConsentManager', 'google-consent-mode']] }));
  await waitForTracker(page);
  await page.waitForFunction(() => Object.getOwnPropertyDescriptor(window.dataLayer, 'push')?.get);
  // What gtag.js's data layer helper does: wrap the push it finds and process after it.
  const before = await page.evaluate(() => {
    window.processed = 0;
    const old = dataLayer.push;
    dataLayer.push = function () { const r = old.apply(dataLayer, arguments); window.processed += arguments.length; return r; };
    return dataLayer.length;
  });
  await page.evaluate(() => gtag('consent', 'update', { analytics_storage: 'granted' }));
  await waitForHits(t.collector, 1);
  assert.deepEqual(await page.evaluate(() => [window.processed, dataLayer.length]), [1, before + 1], 'pushed once, processed once');
  // A replacement that does not chain to the previous push: still seen.
  await page.evaluate(() => { dataLayer.push = function () { window.processed += 10; return Array.prototype.push.apply(dataLayer, arguments); }; });
  await page.evaluate(() => gtag('consent', 'update', { analytics_storage: 'denied' }));
  await page.waitForFunction(() => new Promise((r) => window._paq.push([function () { r(!this.hasConsent()); }])));
  assert.deepEqual(await page.evaluate(() => [window.processed, dataLayer.length]), [11, before + 2]);
  await push(page, ['trackEvent', 'gcm', 'after denied']);
  await sleep(1000);
  assert.equal(t.collector.hits.length, 1);
});

test('a connector that finds no banner warns once and leaves the consent state as it was', async () => {
  const page = await t.open('/t/cmp-missing.html', snippetPage({ paq: [['requireConsent'], ['trackPageView'],
    ['connectConsentManager', 'cookieconsent'], ['connectConsentManager', 'klaro'], ['connectConsentManager', 'tcf'],
    ['connectConsentManager', 'google-consent-mode']] }));
  await waitForTracker(page);
  await sleep(6500);
  const warnings = consoleOf(page, 'warning').filter((w) => w.includes('connectConsentManager'));
  assert.equal(warnings.length, 4, warnings.join('\n'));
  for (const n of ['cookieconsent', 'klaro', 'tcf', 'google-consent-mode']) assert.ok(warnings.some((w) => w.includes(n)), n);
  assert.equal(trackingRequests(t.collector).length, 0);
  await push(page, ['setConsentGiven']);
  await waitForHits(t.collector, 1);
});
