// Hostile input in Chromium (SPEC §2 "nothing ever throws into the page", issue 5): seeded
// random `_paq.push` calls against the real bundle: wrong types, null, NaN, 1 MB strings,
// deep and cyclic nesting, functions that throw, Symbols, BigInts, Proxies whose traps
// throw, revoked Proxies, arrays with throwing index getters, unknown names, many arguments
// per push, non-array items. Zero page errors, no exception escapes `_paq.push`, and a
// valid event pushed after the fuzz still arrives, correct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, snippetPage, waitForTracker, waitForHits, expectExactlyHits, consoleOf, sleep, js } from './harness.mjs';

const t = useStack();
const RUNS = [0x5eed1, 0x5eed2, 0x5eed3, 0x5eed4];
const PUSHES_PER_RUN = 3000;
const totals = { pushes: 0, threw: 0, pageErrors: 0, warnings: 0 };

/** Runs in the page: `n` random pushes from `seed`; returns what happened. */
function fuzz({ seed, n }) {
  let s = seed >>> 0;
  const rnd = () => { // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let x = Math.imul(s ^ (s >>> 15), 1 | s);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const below = (k) => Math.floor(rnd() * k);
  const pick = (a) => a[below(a.length)];
  const boom = () => { throw new Error('fuzz: boom'); };
  // Commands that would send hits elsewhere or stop tracking for good are left out of the
  // names (setTrackerUrl, setSiteId); the rest, consent and opt-out included, are in, and
  // the valid tail below restores a known state.
  const KNOWN = ['setUserId', 'resetUserId', 'setUserIdSalt', 'setDomains', 'setExcludedQueryParams',
    'setAllowedQueryParams', 'setMaskSelectors', 'setDownloadExtensions', 'setLinkClasses', 'setDownloadClasses',
    'setIgnoreClasses', 'setCustomUrl', 'setReferrerUrl', 'setDocumentTitle', 'setCustomDimension', 'deleteCustomDimension',
    'discardHashTag', 'enableLinkTracking', 'enableHistoryTracking', 'enableHeartBeatTimer', 'setRequestMethod',
    'setBatchOptions', 'flush', 'trackPageView', 'trackEvent', 'trackSiteSearch', 'trackGoal', 'trackLink', 'ping',
    'addEcommerceItem', 'removeEcommerceItem', 'clearEcommerceCart', 'setEcommerceView', 'trackEcommerceCartUpdate',
    'trackEcommerceOrder', 'getVisitorId', 'getPageViewId', 'hasConsent', 'isUserOptedOut', 'setCustomRequestProcessing',
    'requireConsent', 'requireCookieConsent', 'setConsentGiven', 'rememberConsentGiven', 'forgetConsentGiven',
    'setCookieConsentGiven', 'rememberCookieConsentGiven', 'forgetCookieConsentGiven', 'optUserOut', 'forgetUserOptOut',
    'setDoNotTrack', 'setHonorGlobalPrivacyControl', 'disableCookies', 'setConsentPolicyVersion',
    'trackContentImpression', 'setCookieDomain', 'addTracker', 'constructor', '__proto__', 'toString', 'hasOwnProperty', ''];
  const BIG = 'x'.repeat(1 << 20);
  const WORDS = ['', ' ', '0', '12', '-3.5', '1e3', 'NaN', 'GET', 'POST', 'link', 'download', 'tcf', 'pdf|zip',
    '/relative?x=1', '#h', 'javascript:alert(1)', 'jane.doe@example.com', '4111 1111 1111 1111', '日本語', '👩‍👩‍👧',
    '\u202e', '\u0000', '\ud800', '<script>', '%E2%82', 'maxHits', 'maxDelayMs'];
  const NUMS = [0, -0, 1, -1, 1.5, 50, 51, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MIN_VALUE, NaN, Infinity, -Infinity];
  const cyclic = () => { const o = { a: 1 }; o.self = o; o.list = [o]; return o; };
  const deep = () => { let o = 'leaf'; for (let i = 0; i < 10000; i++) o = [o, { o }]; return o; };
  const throwingProxy = () => new Proxy(pick([{}, [], () => 0]), {
    get: boom, has: boom, ownKeys: boom, getPrototypeOf: boom, getOwnPropertyDescriptor: boom, apply: boom,
  });
  const revoked = () => { const r = Proxy.revocable(pick([{}, []]), {}); r.revoke(); return r.proxy; };
  const throwingArray = () => { const a = [pick(KNOWN), 1]; Object.defineProperty(a, below(3), { get: boom }); return a; };
  const throwingObject = () => Object.defineProperty({ maxHits: 5 }, 'maxDelayMs', { get: boom, enumerable: true });
  const VALUES = [
    () => undefined, () => null, () => pick([true, false]), () => pick(NUMS), () => rnd() * 1e6 - 5e5,
    () => pick(WORDS), () => pick(WORDS) + pick(WORDS), () => BIG, () => BIG.slice(0, below(70000)),
    () => Symbol('fuzz'), () => BigInt(below(1e9)) ** 3n, () => boom, () => function () { return this; },
    () => cyclic(), () => deep(), () => throwingProxy(), () => revoked(), () => throwingArray(), () => throwingObject(),
    () => ({ toString: boom, valueOf: boom, [Symbol.toPrimitive]: boom }), () => Object.create(null),
    () => new Date(NaN), () => /re/g, () => new Uint8Array(8), () => document.body, () => window, () => new Array(1e6),
    () => [1, , 3], () => Object.freeze([pick(WORDS)]), () => new Map([[1, 2]]), () => Promise.reject(new Error('fuzz')).catch(() => 0),
    () => ({ maxHits: pick(NUMS), maxDelayMs: pick(NUMS) }), () => [pick(WORDS), pick(NUMS)], () => new String('boxed'), () => new Number(5),
  ];
  const value = () => pick(VALUES)();
  const command = () => {
    const args = Array.from({ length: below(rnd() < 0.05 ? 40 : 6) }, value);
    switch (below(12)) {
      case 0: return value(); // not an array at all
      case 1: return [value(), ...args]; // a name of the wrong type
      case 2: return [boom, ...args]; // function form that throws
      case 3: return [function () { this.trackEvent(value(), value()); return this.getVisitorId(); }];
      case 4: return throwingArray();
      case 5: return throwingProxy();
      case 6: return revoked();
      default: return [pick(KNOWN), ...args];
    }
  };
  let threw = 0;
  const errors = [];
  for (let i = 0; i < n; i++) {
    const many = rnd() < 0.05;
    const items = Array.from({ length: many ? 2 + below(30) : 1 }, command);
    try {
      window._paq.push(...items);
    } catch (e) {
      threw++;
      if (errors.length < 5) errors.push(String(e && e.stack || e));
    }
  }
  return { threw, errors, isArray: Array.isArray(window._paq), pushIsHush: window._paq.push !== Array.prototype.push };
}

for (const [i, seed] of RUNS.entries()) {
  test(`fuzz run ${i + 1}/${RUNS.length} (seed ${seed.toString(16)}): ${PUSHES_PER_RUN} random pushes, nothing thrown, tracking still correct`, async () => {
    const page = await t.open(`/t/fuzz-${i}.html`, snippetPage({ paq: [['trackPageView']] }));
    // Only loopback traffic, whatever the fuzz configures.
    await page.context().route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (r) => r.abort());
    await waitForTracker(page);
    const started = Date.now();
    const r = await page.evaluate(fuzz, { seed, n: PUSHES_PER_RUN });
    const ms = Date.now() - started;
    // A valid tail: back to a known state, then one marked event.
    await page.evaluate(() => {
      const p = window._paq;
      p.push(['forgetUserOptOut'], ['setDoNotTrack', false], ['setHonorGlobalPrivacyControl', false], ['setConsentGiven'],
        ['setRequestMethod', 'POST'], ['setCustomUrl', location.href]);
      p.push(['trackEvent', 'after-fuzz', 'still-works', 'marker', 42], ['flush']);
    });
    const [hit] = await waitForHits(t.collector, 1, { timeout: 5000, where: (h) => h.e_c === 'after-fuzz' });
    await sleep(300);
    const warnings = consoleOf(page, 'warning');
    totals.pushes += PUSHES_PER_RUN;
    totals.threw += r.threw;
    totals.pageErrors += page.logs.pageErrors.length;
    totals.warnings += warnings.length;
    console.log(`fuzz: seed ${seed.toString(16)}: ${PUSHES_PER_RUN} pushes in ${ms} ms, ${r.threw} threw, ` +
      `${page.logs.pageErrors.length} page errors, ${warnings.length} warnings, ` +
      `${warnings.filter((w) => w.startsWith('hush: command failed')).length} caught by the loader`);
    assert.deepEqual(r.errors, [], 'exceptions escaped _paq.push');
    assert.equal(r.threw, 0);
    assert.ok(r.isArray && r.pushIsHush, '_paq is still the array hush took over');
    assert.deepEqual(page.logs.pageErrors, [], 'page errors');
    assert.equal(t.collector.hits.filter((h) => h.e_c === 'after-fuzz').length, 1, 'the valid event arrives once');
    assert.equal(hit.e_a, 'still-works');
    assert.equal(hit.e_n, 'marker');
    assert.equal(hit.e_v, '42');
    assert.equal(hit.idsite, '1');
    assert.match(hit._id, /^[0-9a-f]{16}$/);
    assert.ok(warnings.every((w) => w.startsWith('hush: ')), `a warning not from hush: ${warnings.find((w) => !w.startsWith('hush: '))}`);
  });
}

test('each hostile push gives exactly one warning and throws nothing', async () => {
  const head = `<script>window.__warnings = []; const warn = console.warn;
    console.warn = function (...a) { window.__warnings.push(a.map(String).join(' ')); return warn.apply(this, a); };</script>`;
  const page = await t.open('/t/fuzz-one.html', snippetPage({ head }));
  await waitForTracker(page);
  const cases = await page.evaluate(() => {
    const boom = () => { throw new Error('fuzz: boom'); };
    const revoked = Proxy.revocable([], {});
    revoked.revoke();
    const getterArray = ['trackEvent', 'a'];
    Object.defineProperty(getterArray, 2, { get: boom });
    return [
      ['not an array', 'trackPageView'],
      ['unknown name', ['noSuchCommand', 1]],
      ['name of the wrong type', [42]],
      ['NaN value', ['trackEvent', 'a', 'b', 'c', NaN]],
      ['Symbol argument', ['trackEvent', Symbol('s'), 'b']],
      ['throwing Proxy item', new Proxy([], { get: boom })],
      ['throwing Proxy argument', ['setBatchOptions', new Proxy({}, { ownKeys: boom, get: boom, getPrototypeOf: boom })]],
      ['revoked Proxy item', revoked.proxy],
      ['throwing index getter', getterArray],
      ['1 MB name', ['x'.repeat(1 << 20)]],
    ].map(([label, item]) => {
      const before = window.__warnings.length;
      let threw = null;
      try { window._paq.push(item); } catch (e) { threw = String(e); }
      return { label, threw, warnings: window.__warnings.slice(before) };
    });
  });
  for (const c of cases) {
    assert.equal(c.threw, null, `${c.label}: threw ${c.threw}`);
    assert.equal(c.warnings.length, 1, `${c.label}: ${c.warnings.length} warnings: ${c.warnings.join(' | ')}`);
    assert.ok(c.warnings[0].startsWith('hush: '), c.warnings[0]);
    assert.ok(c.warnings[0].length < 300, `${c.label}: a ${c.warnings[0].length}-character warning`);
  }
});

test('hostile items queued before hush loads: it still starts, runs the rest, and takes over _paq', async () => {
  const page = await t.open('/t/fuzz-boot.html', snippetPage({ paq: [
    js('(function () { var r = Proxy.revocable([], {}); r.revoke(); return r.proxy; })()'),
    js("new Proxy(['setSiteId', 1], { get: function () { throw new Error('boom'); } })"),
    js("Object.defineProperty(['trackEvent', 'x'], 0, { get: function () { throw new Error('boom'); } })"),
    [function () { throw new Error('boom'); }],
    ['trackEvent', 'boot', 'survived'],
  ] }));
  await waitForTracker(page);
  const [hit] = await expectExactlyHits(t.collector, 1);
  assert.equal(hit.e_a, 'survived');
  const warnings = consoleOf(page, 'warning');
  assert.equal(warnings.length, 4, warnings.join(' | '));
  assert.ok(warnings.every((w) => w.startsWith('hush: ') && !/could not start|command failed/.test(w)), warnings.join(' | '));
});

test('a page whose TextEncoder emits invalid UTF-8: the wasm refuses the text, hush sends nothing and throws nothing', async () => {
  // A broken polyfill installed before hush.js: every string becomes a lone continuation byte.
  const broken = `window.TextEncoder = class { encode() { return new Uint8Array([0x80, 0xff]); } };`;
  const page = await t.open('/t/broken-encoder.html', snippetPage({
    paq: [['trackPageView'], ['trackEvent', 'a', 'b']],
  }).replace('<script src="/config.js"></script>', `<script src="/config.js"></script><script>${broken}</script>`));
  await waitForTracker(page);
  await page.evaluate(() => window._paq.push(['trackEvent', 'c', 'd'], ['flush']));
  await expectExactlyHits(t.collector, 0, { quietMs: 1000 });
  assert.deepEqual(page.logs.pageErrors, []);
});
