// The privacy corpus end to end (issue 4 item 6): every case of tests/corpus/leaks.json goes
// through the real bundle in Chromium the way a site would hand it over, and its marker must
// not appear in any byte the collector receives (path, body, headers), decoded any way
// (percent, JSON, base64). Every case of tests/corpus/keep.json must arrive unchanged.
//
//   url       setCustomUrl(input) + trackPageView, and the page's own URL: history.replaceState
//             to this origin + the input's path?query#fragment, then trackPageView
//   referrer  setReferrerUrl(input) + trackPageView
//   title     document.title = input + trackPageView, and setDocumentTitle(input) + trackPageView
//   event     trackEvent(input, input, input)
//   search    trackSiteSearch(input, input)
//   dimension setCustomDimension(1, input) + trackEvent
//
// Cases are batched: one page load per group, a flush every CHUNK cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useStack, snippetPage, waitForHits, waitForTracker } from './harness.mjs';
import { haystack } from './leaks.mjs';

const t = useStack();
const load = (f) => JSON.parse(readFileSync(new URL(`../corpus/${f}`, import.meta.url), 'utf8')).cases;
const LEAKS = load('leaks.json');
const KEEP = load('keep.json');
const CHUNK = 20;

/** Runs `steps` (arrays of _paq commands or {title}/{replace} page actions) on one page,
 *  flushing every CHUNK steps; returns once `hits` hits arrived. */
async function run(path, steps, hits, base = 0) {
  const page = await t.open(path, snippetPage({ paq: [['setBatchOptions', { maxHits: 50, maxDelayMs: 60000 }], ['enableLinkTracking']] }));
  await waitForTracker(page);
  for (let i = 0; i < steps.length; i += CHUNK) {
    await page.evaluate((chunk) => {
      for (const step of chunk) {
        for (const c of step) {
          if (c.title !== undefined) document.title = c.title;
          else if (c.replace !== undefined) history.replaceState(null, '', c.replace);
          else if (c.click !== undefined) {
            const a = Object.assign(document.createElement('a'), { href: c.click, textContent: c.click });
            a.addEventListener('click', (e) => e.preventDefault());
            document.body.append(a);
            a.click();
          }
          else window._paq.push(c);
        }
      }
      window._paq.push(['flush']);
    }, steps.slice(i, i + CHUNK));
    await waitForHits(t.collector, base + Math.min(hits, Math.round(((i + CHUNK) / steps.length) * hits)) - 2, { timeout: 10000 });
  }
  return (await waitForHits(t.collector, base + hits, { timeout: 10000 })).slice(base);
}

function leakSteps(c) {
  const pv = ['trackPageView'];
  switch (c.kind) {
    case 'url': {
      // tel: / mailto: are links, not pages: a real click with link tracking on.
      if (!/^https?:/.test(c.input)) return [[{ click: c.input }]];
      const u = new URL(c.input);
      return [[['setCustomUrl', c.input], pv], [{ replace: `/t/corpus-url${u.pathname}${u.search}${u.hash}` }, pv]];
    }
    case 'referrer': return [[['setReferrerUrl', c.input], pv]];
    case 'title': return [[{ title: c.input }, pv], [['setDocumentTitle', c.input], pv, ['setDocumentTitle', 'corpus']]];
    case 'event': return [[['trackEvent', c.input, c.input, c.input]]];
    case 'search': return [[['trackSiteSearch', c.input, c.input]]];
    case 'dimension': return [[['setCustomDimension', 1, c.input], ['trackEvent', 'corpus', 'dimension'], ['deleteCustomDimension', 1]]];
    default: throw new Error(`unknown kind ${c.kind}`);
  }
}

test(`leaks.json: ${LEAKS.length} cases through the bundle, no marker in any byte sent`, async () => {
  // The page-URL variants get their own page: a setCustomUrl would stay in force.
  const all = LEAKS.flatMap(leakSteps);
  const own = all.filter((s) => s[0].replace !== undefined);
  const steps = all.filter((s) => s[0].replace === undefined);
  const first = steps.filter((s) => s[0].click === undefined).length; // a tel:/mailto: click may be untracked
  await run('/t/corpus-cmds.html', steps, first);
  await run('/t/corpus-url/start.html', own, own.length, t.collector.hits.length);
  const expectedHits = first + own.length;
  await new Promise((r) => setTimeout(r, 300));
  const hay = haystack(t.collector);
  // The scan sees what was sent: non-personal parts of the cases are there.
  for (const seen of ['shop.example.com/account/reset', 'wp-login.php', '/t/corpus-url/', 'action=rp']) assert.ok(hay.includes(seen), `scan sees ${seen}`);
  const leaked = LEAKS.filter((c) => hay.includes(c.marker.toLowerCase()));
  console.log(`# corpus: ${LEAKS.length} leak cases (${t.collector.hits.length} hits, ${t.collector.requests.length} requests), leaks: ${leaked.length}`);
  assert.deepEqual(leaked.map((c) => `${c.kind}: ${c.input}  →  marker ${c.marker}`), []);
  assert.ok(t.collector.hits.length >= expectedHits, 'every case produced its hit');
});

test(`keep.json: ${KEEP.length} cases arrive unchanged`, async () => {
  const steps = KEEP.map((c) => c.kind === 'url' ? [['setCustomUrl', c.input], ['trackPageView']]
    : [['setDocumentTitle', c.input], ['trackPageView']]);
  const hits = await run('/t/corpus-keep.html', steps, KEEP.length);
  const changed = [];
  KEEP.forEach((c, i) => {
    const got = c.kind === 'url' ? hits[i].url : hits[i].action_name;
    if (got !== c.input) changed.push(`${c.kind}: ${c.input}  →  ${got}`);
  });
  console.log(`# corpus: ${KEEP.length} keep cases, false positives: ${changed.length}`);
  assert.deepEqual(changed, []);
});
