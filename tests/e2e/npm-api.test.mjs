// The npm entry (dist/index.js, an ES module) loaded as is in a page: consent state and
// change events, option errors, flush. The Vite test (npm-package.test.mjs) proves the
// packed tarball; this one proves the API's behaviour quickly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, waitForHits, assertParams } from './harness.mjs';

const t = useStack();

function modulePage(body) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>npm api</title>
<link rel="icon" href="data:,"><script src="/config.js"></script></head><body>
<script type="module">
import { createTracker } from '/dist/index.js';
window.result = (async () => { ${body} })().catch((e) => ({ error: String(e && e.message || e) }));
</script></body></html>`;
}

async function run(path, body) {
  const page = await t.open(path, modulePage(body));
  return page.evaluate(() => window.result);
}

test('consent(): the decision and the record, and an event on every change', async () => {
  const out = await run('/t/npm-consent.html', `
    const tracker = await createTracker({ trackerUrl: window.HUSH_COLLECTOR, siteId: 1, requireConsent: true, consentPolicyVersion: 'v7' });
    const seen = [];
    tracker.onConsentChange((s) => seen.push(s));
    const before = tracker.consent();
    tracker.trackPageView('held');
    tracker.rememberConsentGiven(24);
    await tracker.flush();
    const after = tracker.consent();
    tracker.forgetConsentGiven();
    return { before, after, seen, stored: Object.keys(localStorage).sort(), afterForget: tracker.consent() };
  `);
  assert.equal(out.error, undefined);
  assert.equal(out.before.requirement, 'consent');
  assert.equal(out.before.gate, 'hold');
  assert.equal(out.before.measurement, false);
  assert.equal(out.before.record, null);
  assert.equal(out.after.gate, 'send');
  assert.equal(out.after.storage, true);
  assert.equal(out.after.record.policy, 'v7');
  assert.equal(out.after.record.measurement, true);
  const hours = (out.after.record.expiresAt - out.after.record.givenAt) / 3600e3;
  assert.equal(Math.round(hours), 24);
  assert.ok(out.seen.length >= 2, 'an event for the grant and one for the withdrawal');
  assert.equal(out.seen.at(-1).record, null);
  assert.equal(out.afterForget.gate, 'drop', 'a withdrawal drops hits until consent is given again');
  const [hit] = await waitForHits(t.collector, 1);
  assertParams(hit, { action_name: 'held' });
  assert.ok(hit.cdt === undefined || /^\d+$/.test(hit.cdt));
});

test('a bad option rejects with an error that names it; nothing is sent', async () => {
  const out = await run('/t/npm-bad.html', `
    const errors = [];
    for (const options of [{ siteId: 'abc' }, { sitId: 1 }, { batch: { maxHits: 'ten' } }, { linkTracking: 'yes' }]) {
      try { await createTracker(options); errors.push(null); } catch (e) { errors.push(e.message); }
    }
    return { errors };
  `);
  const [siteId, unknown, batch, flag] = out.errors;
  assert.match(siteId, /option "siteId"/);
  assert.match(unknown, /option "sitId": unknown option/);
  assert.match(batch, /option "batch"/);
  assert.match(flag, /option "linkTracking": must be true or false/);
  assert.equal(t.collector.requests.length, 0);
});

test('flush() resolves after the hits reached the collector', async () => {
  const out = await run('/t/npm-flush.html', `
    const tracker = await createTracker({ trackerUrl: window.HUSH_COLLECTOR, siteId: 3, batch: { maxDelayMs: 60000 } });
    tracker.trackEvent('video', 'play', 'intro', 3);
    await tracker.flush();
    const got = await (await fetch(window.HUSH_COLLECTOR.replace('/matomo.php', '/hits'))).json();
    return { count: got.length, id: tracker.getVisitorId() };
  `);
  assert.equal(out.count, 1, 'the hit is there when flush resolves');
  assert.match(out.id, /^[0-9a-f]{16}$/);
  const [hit] = t.collector.hits;
  assertParams(hit, { idsite: '3', e_c: 'video', e_a: 'play', e_n: 'intro', e_v: '3', _id: out.id });
});
