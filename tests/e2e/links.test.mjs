// enableLinkTracking with real clicks: outlinks, downloads, middle-click, links added
// later, and the classes/extensions that steer it. Off-site targets are answered by the
// browser context (no network): 204 keeps the page where it is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, snippetPage, waitForHits, expectExactlyHits, waitForTracker, push, kindOf,
  assertBaseParams, assertParams } from './harness.mjs';

const t = useStack();

const LINKS = `
  <a id="out" href="https://partner.example/offer?ref=hush">Partner offer</a>
  <a id="mid" href="https://partner.example/middle">Partner (middle-click)</a>
  <a id="pdf" href="/files/brochure.pdf">Brochure (PDF)</a>
  <a id="internal" href="/t/internal.html">Internal page</a>
  <a id="nav" href="https://partner.example/landing">Partner (follow)</a>`;

// Opens a page with link tracking on; off-site pages and the PDF answer 204.
async function linkPage(path, paq = [], body = LINKS) {
  const page = await t.open(path, snippetPage({ paq: [...paq, ['enableLinkTracking']], body }));
  await page.context().route('https://partner.example/**', (r) => r.fulfill({ status: 204 }));
  await page.context().route('**/files/brochure.pdf', (r) => r.fulfill({ status: 204 }));
  await page.context().route('**/t/internal.html', (r) => r.fulfill({ status: 204 }));
  await waitForTracker(page);
  return page;
}

test('click on an outlink: link=<href>, url=<page>', async () => {
  const page = await linkPage('/t/links-out.html');
  await page.click('#out');
  const [hit] = await expectExactlyHits(t.collector, 1);
  assertBaseParams(hit, { url: `${t.site.url}/t/links-out.html` });
  assertParams(hit, { link: 'https://partner.example/offer?ref=hush', download: undefined, action_name: undefined });
  assert.equal(kindOf(hit), 'outlink');
});

test('click on a .pdf link: download=<absolute URL>', async () => {
  const page = await linkPage('/t/links-pdf.html');
  await page.click('#pdf');
  const [hit] = await expectExactlyHits(t.collector, 1);
  assertBaseParams(hit, { url: `${t.site.url}/t/links-pdf.html` });
  assertParams(hit, { download: `${t.site.url}/files/brochure.pdf`, link: undefined });
});

test('a click on an internal link is not tracked', async () => {
  const page = await linkPage('/t/links-internal.html');
  await page.click('#internal');
  await expectExactlyHits(t.collector, 0);
});

test('middle-click (auxclick) on an outlink is tracked', async () => {
  const page = await linkPage('/t/links-middle.html');
  await page.click('#mid', { button: 'middle' });
  const [hit] = await waitForHits(t.collector, 1);
  assertParams(hit, { link: 'https://partner.example/middle', url: `${t.site.url}/t/links-middle.html` });
});

test('a link added to the DOM after enableLinkTracking is tracked', async () => {
  const page = await linkPage('/t/links-later.html');
  await page.evaluate(() => {
    const a = Object.assign(document.createElement('a'), { id: 'later', href: 'https://later.example/news', textContent: 'Later' });
    document.body.append(a);
  });
  await page.context().route('https://later.example/**', (r) => r.fulfill({ status: 204 }));
  await page.click('#later');
  const [hit] = await expectExactlyHits(t.collector, 1);
  assertParams(hit, { link: 'https://later.example/news' });
});

test('an outlink click that leaves the page still arrives', async () => {
  const page = await linkPage('/t/links-nav.html', [['trackPageView']]);
  await page.context().route('https://partner.example/landing', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<title>partner</title>' }));
  await page.click('#nav');
  await page.waitForURL('https://partner.example/landing');
  const hits = await waitForHits(t.collector, 2);
  assert.deepEqual(hits.map(kindOf), ['pageview', 'outlink']);
  assertParams(hits[1], { link: 'https://partner.example/landing', pv_id: hits[0].pv_id });
});

test('Matomo classes and setDownloadExtensions steer link tracking', async () => {
  const body = `
    <a id="ignored" class="matomo_ignore" href="https://partner.example/ignored">ignored</a>
    <a id="forced-dl" class="matomo_download" href="https://partner.example/report">forced download</a>
    <a id="forced-link" class="matomo_link" href="/t/internal.html">forced outlink</a>
    <a id="ext" href="https://partner.example/data.csv2">custom extension</a>`;
  const page = await linkPage('/t/links-classes.html', [['setDownloadExtensions', 'csv2|zip']], body);
  for (const id of ['ignored', 'forced-dl', 'forced-link', 'ext']) await page.click(`#${id}`);
  const hits = await expectExactlyHits(t.collector, 3);
  assert.deepEqual(hits.map((h) => [kindOf(h), h.link ?? h.download]), [
    ['download', 'https://partner.example/report'],
    ['outlink', `${t.site.url}/t/internal.html`],
    ['download', 'https://partner.example/data.csv2'],
  ]);
});

test('setDomains: a listed host is internal, others are outlinks', async () => {
  const body = `<a id="alias" href="https://www.shop.example/about">alias</a><a id="other" href="https://partner.example/x">other</a>`;
  const page = await linkPage('/t/links-domains.html', [['setDomains', ['127.0.0.1', '*.shop.example']]], body);
  await page.context().route('https://www.shop.example/**', (r) => r.fulfill({ status: 204 }));
  await page.click('#alias');
  await page.click('#other');
  const hits = await expectExactlyHits(t.collector, 1);
  assertParams(hits[0], { link: 'https://partner.example/x' });
  await push(page, ['trackLink', 'https://www.shop.example/manual', 'link']);
  await waitForHits(t.collector, 2);
});

// The core classifies the parts the browser parsed (protocol, hostname, pathname and the
// page's hostname): other schemes, query and fragment kept out of the extension, IPv6 hosts
// against setDomains, and the link URL still masked. The page keeps every click on it.
test('other schemes, query-stripped extensions, IPv6 hosts and masked link URLs', async () => {
  const body = `
    <script>document.addEventListener('click', (e) => e.preventDefault());</script>
    <a id="mail" href="mailto:someone@example.com">mail</a>
    <a id="tel" href="tel:+4930123456">tel</a>
    <a id="zip" href="/files/pack.ZIP?v=1.2#part.html">zip</a>
    <a id="page" href="/files/page?f=a.pdf#b.zip">not a download</a>
    <a id="attr" download href="/t/report">download attribute</a>
    <a id="v6" href="http://[::1]:9/x">listed IPv6 host</a>
    <a id="v6out" href="http://[::2]:9/x">other IPv6 host</a>
    <a id="masked" href="https://partner.example/p?email=jane@example.com&amp;id=7">masked</a>`;
  const page = await linkPage('/t/links-parts.html', [['setDomains', ['127.0.0.1', '::1']]], body);
  for (const id of ['mail', 'tel', 'zip', 'page', 'attr', 'v6', 'v6out', 'masked']) await page.click(`#${id}`);
  const hits = await expectExactlyHits(t.collector, 4);
  assert.deepEqual(hits.map((h) => [kindOf(h), h.link ?? h.download]), [
    ['download', `${t.site.url}/files/pack.ZIP?v=1.2#part.html`],
    ['download', `${t.site.url}/t/report`],
    ['outlink', 'http://[::2]:9/x'],
    ['outlink', 'https://partner.example/p?id=7'],
  ]);
});
