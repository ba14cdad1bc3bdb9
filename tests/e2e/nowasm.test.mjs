// When WebAssembly cannot run (SPEC §2, issue 5): a Content-Security-Policy without
// 'wasm-unsafe-eval', a browser without WebAssembly, a hush_bg.wasm that 404s. The page sees
// no error, `_paq` stays a plain array that takes pushes, one console warning says why,
// and nothing reaches the collector. And the CSP the README documents does work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, newPage, snippetPage, consoleOf, expectExactlyHits, waitForTracker, sleep, push } from './harness.mjs';

const t = useStack();

const PAQ = [['trackPageView'], ['trackEvent', 'nowasm', 'queued']];

/** A page in a fresh context, not navigated yet (closed and checked by the harness). */
async function blankPage() {
  const page = await newPage(t.browser);
  t.pages.push(page);
  return page;
}

/** What the page sees once hush has had every chance to start. */
async function assertInert(page, why) {
  // Long enough for the script, the wasm fetch and its failure (or a start, which would show).
  await sleep(1500);
  const state = await page.evaluate(() => {
    const before = window._paq.length;
    let threw = null;
    let returned;
    try {
      returned = window._paq.push(['trackEvent', 'nowasm', 'later']);
    } catch (e) {
      threw = String(e);
    }
    return {
      isArray: Array.isArray(window._paq),
      plainPush: window._paq.push === Array.prototype.push,
      threw,
      grew: window._paq.length === before + 1 && returned === before + 1,
      queued: window._paq.length,
    };
  });
  assert.deepEqual(page.logs.pageErrors, [], 'no page error');
  assert.ok(state.isArray, '_paq is still an array');
  assert.ok(state.plainPush, '_paq.push is still Array.prototype.push');
  assert.equal(state.threw, null, 'a push after the failure throws nothing');
  assert.ok(state.grew, 'the push appends, as on a plain array');
  assert.equal(state.queued, 2 + PAQ.length + 1, 'the snippet commands are still in the array');
  const warnings = consoleOf(page, 'warning');
  assert.equal(warnings.length, 1, `exactly one warning, got: ${warnings.join(' | ')}`);
  assert.match(warnings[0], /^hush: /);
  assert.match(warnings[0], why);
  await sleep(300);
  assert.equal(t.collector.requests.length, 0, 'no request reached the collector');
  return warnings[0];
}

test("a CSP without 'wasm-unsafe-eval': inert, one warning naming the CSP, nothing sent", async () => {
  const csp = `default-src 'none'; script-src 'self' 'unsafe-inline'; connect-src 'self' ${t.collector.url}`;
  t.site.page('/t/csp-strict.html', snippetPage({ paq: PAQ }), { headers: { 'Content-Security-Policy': csp } });
  const page = await t.open('/t/csp-strict.html');
  const warning = await assertInert(page, /wasm-unsafe-eval/);
  console.log(`nowasm: CSP → ${warning}`);
});

test("the README's CSP (script-src 'self' 'wasm-unsafe-eval', connect-src the collector) lets hush run", async () => {
  // 'unsafe-inline' only for the test page's inline snippet (a site may use a nonce or hash).
  const csp = `default-src 'none'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; connect-src 'self' ${t.collector.url}`;
  t.site.page('/t/csp-ok.html', snippetPage({ paq: PAQ }), { headers: { 'Content-Security-Policy': csp } });
  const page = await t.open('/t/csp-ok.html');
  await waitForTracker(page);
  await expectExactlyHits(t.collector, 2);
  assert.deepEqual(consoleOf(page, 'warning'), []);
});

test('no WebAssembly at all (deleted before the page runs): inert, one warning, nothing sent', async () => {
  t.site.page('/t/no-wasm.html', snippetPage({ paq: PAQ }));
  const page = await blankPage();
  await page.context().addInitScript(() => { delete window.WebAssembly; });
  await page.goto(`${t.site.url}/t/no-wasm.html`);
  const warning = await assertInert(page, /WebAssembly is not available/);
  console.log(`nowasm: no WebAssembly → ${warning}`);
});

test('hush_bg.wasm answers 404: inert, one warning, nothing sent', async () => {
  t.site.page('/t/wasm-404.html', snippetPage({ paq: PAQ }));
  const page = await blankPage();
  await page.route('**/hush_bg.wasm', (r) => r.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }));
  await page.goto(`${t.site.url}/t/wasm-404.html`);
  const warning = await assertInert(page, /could not start/);
  assert.doesNotMatch(warning, /Content-Security-Policy/, 'a 404 is not blamed on the CSP');
  console.log(`nowasm: 404 → ${warning}`);
});

// Visit and page-view IDs come from crypto.getRandomValues, asked by the wasm for each ID
// (its `h.r` import): no Web Crypto, no start, rather than weak IDs.
test('no Web Crypto (getRandomValues deleted before the page runs): inert, one warning, nothing sent', async () => {
  t.site.page('/t/no-crypto.html', snippetPage({ paq: PAQ }));
  const page = await blankPage();
  await page.context().addInitScript(() => { delete Crypto.prototype.getRandomValues; });
  await page.goto(`${t.site.url}/t/no-crypto.html`);
  const warning = await assertInert(page, /could not start/);
  console.log(`nowasm: no getRandomValues → ${warning}`);
});

test('a page that swaps in a weak getRandomValues after hush started does not weaken its IDs', async () => {
  const page = await t.open('/t/weak-crypto.html', snippetPage({ paq: [['setBatchOptions', { maxHits: 1 }]] }));
  await waitForTracker(page);
  await page.evaluate(() => { Crypto.prototype.getRandomValues = (a) => a.fill(0); });
  for (let i = 0; i < 3; i++) await push(page, ['trackPageView', 'p' + i]);
  const hits = await expectExactlyHits(t.collector, 3);
  const ids = hits.map((h) => h.pv_id);
  assert.equal(new Set(ids).size, 3, `three page views, three random IDs: ${ids}`);
  assert.ok(hits.every((h) => /^[0-9a-f]{16}$/.test(h._id) && !/^0+$/.test(h._id)), 'the visit ID is not the weak source\'s zeros');
  assert.deepEqual(page.logs.pageErrors, []);
});
