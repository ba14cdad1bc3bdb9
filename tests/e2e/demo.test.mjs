// The www/ demo as a visitor uses it: every page tracks, the live panel shows the hits,
// and nothing is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, waitForHits, waitForTracker, kindOf, assertBaseParams } from './harness.mjs';

const t = useStack();

test('demo tour: home, search form, product buy, contact form, brochure download', async () => {
  const page = await t.open('/');
  // The demo requires consent through its vanilla-cookieconsent banner: accept it.
  await page.click('#cc-main .cm [data-role="all"]');
  await page.context().route('**/files/brochure.pdf', (r) => r.fulfill({ status: 204 }));
  await waitForTracker(page);
  await page.click('text=Download brochure (PDF)');
  await page.goto(`${t.site.url}/search.html`);
  await page.fill('[name=q]', 'wool');
  await page.click('button[type=submit]');
  await page.waitForURL('**/search.html?q=wool*');
  // The results page tracks the search once hush has started there (leaving earlier would
  // take the page's queued commands with it, as with matomo.js).
  await waitForTracker(page);
  await page.goto(`${t.site.url}/shop/trail-thermos.html`);
  await waitForTracker(page);
  await page.click('#buy');
  await page.goto(`${t.site.url}/contact.html`);
  await page.fill('[name=name]', 'Ada');
  await page.fill('[name=email]', 'ada@example.org');
  await page.fill('[name=message]', 'Hello');
  await page.click('button[type=submit]');
  const hits = await waitForHits(t.collector, 10, { timeout: 8000 });
  assert.deepEqual(hits.map(kindOf), ['pageview', 'download', 'pageview', 'search', 'pageview', 'event', 'order', 'pageview', 'event', 'goal']);
  for (const h of hits) assertBaseParams(h, { url: h.url });
  assert.equal(hits[3].search, 'wool');
  assert.equal(hits[3].search_count, '2');
  assert.ok(!JSON.stringify(hits).includes('ada@example.org'), 'form values never leave the page');
  assert.deepEqual((await page.context().cookies()).map((c) => c.name), ['cc_cookie'], "only the banner's own record");

  const rows = await page.locator('#hush-panel tbody tr').count();
  assert.ok(rows >= 8, `the live panel lists the hits (${rows} rows)`);
});
