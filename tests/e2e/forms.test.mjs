// enableFormAnalytics with real typing into real forms: the event sequence and names
// (SPEC §4, issue 4 item 5), `masked` for sensitive fields and masked areas, and that no
// typed value reaches the collector in any byte of any request, decoded any way.
//
// Scheme (src/shell/forms.rs): e_c=Form; e_a=view|start|field|submit|abandon;
// e_n=<form> or <form>/<field>; e_v=ms (field: time with focus; submit/abandon: since start).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useStack, snippetPage, waitForHits, expectExactlyHits, waitForTracker, push, assertKnownParams, sleep } from './harness.mjs';
import { leaksIn } from './leaks.mjs';

const t = useStack();

// ---- pages -----------------------------------------------------------------------------

const FORMS = `
<form name="login" action="/t/forms-done.html" method="get">
  <input name="username" autocomplete="username"> <input type="password" name="password" autocomplete="current-password">
  <button id="login-go">Sign in</button>
</form>
<form id="checkout" onsubmit="event.preventDefault()">
  <input name="fullname" autocomplete="name"> <input name="city" autocomplete="address-level2">
  <select name="country"><option value="">–</option><option value="FR">France</option><option value="DE">Germany</option></select>
  <input name="ccn" autocomplete="cc-number" inputmode="numeric"> <input name="exp" autocomplete="cc-exp">
  <input name="sec" autocomplete="cc-csc" inputmode="numeric">
  <input type="checkbox" name="terms" value="yes"> <textarea name="notes"></textarea>
  <button id="pay">Pay</button>
</form>
<form onsubmit="event.preventDefault()"><input type="email" name="addr"><button id="subscribe">Subscribe</button></form>
<form name="reset" onsubmit="event.preventDefault()">
  <input name="c1" autocomplete="one-time-code"> <input type="password" name="np1" autocomplete="new-password">
  <input type="tel" name="contactnr"> <button id="reset-go">Reset</button>
</form>
<form id="site-search" role="search" onsubmit="event.preventDefault()"><input type="search" name="q"></form>
<div data-hush-mask><form name="survey" onsubmit="event.preventDefault()"><input name="favourite"></form></div>
<form name="profile" onsubmit="event.preventDefault()">
  <div data-matomo-mask><input name="nickname"></div> <input name="hobby">
  <input class="private" name="mood"> <textarea name="comment"></textarea>
</form>`;

const formHits = (c) => c.hits.filter((h) => h.e_c === 'Form');
const seq = (hits) => hits.map((h) => `${h.e_a}:${h.e_n}`);

async function formPage(path, { paq = [], body = FORMS } = {}) {
  const page = await t.open(path, snippetPage({ paq: [['setMaskSelectors', ['.private', '###not a selector']], ['enableFormAnalytics'], ...paq], body }));
  await waitForTracker(page);
  return page;
}

async function flushed(page, n, where = (h) => h.e_c === 'Form') {
  await push(page, ['flush']);
  return waitForHits(t.collector, n, { where });
}

const VIEWS = ['view:login', 'view:checkout', 'view:form2', 'view:reset', 'view:site-search', 'view:masked', 'view:profile'];

test('every form present is viewed once, by name, id or form<index>; a masked area names the form masked', async () => {
  const page = await formPage('/t/forms-view.html');
  const hits = await flushed(page, VIEWS.length);
  await sleep(300);
  assert.deepEqual(seq(formHits(t.collector)), VIEWS);
  for (const h of hits) assertKnownParams(h);
  assert.equal(consoleWarnings(page).length, 0, consoleWarnings(page).join('\n'));
});

const consoleWarnings = (page) => page.logs.console.filter((m) => m.type === 'warning').map((m) => m.text);

test('login form: typed, submitted with a page navigation; fields masked, no value sent', async () => {
  t.site.page('/t/forms-done.html', '<!doctype html><title>done</title>');
  const page = await formPage('/t/forms-login.html');
  await page.fill('[name=username]', 'MKRFORM101jane');
  await page.type('[name=password]', 'MKRFORM102Secr3t!');
  await page.click('#login-go');
  await page.waitForURL(/forms-done/);
  const hits = await waitForHits(t.collector, VIEWS.length + 4, { where: (h) => h.e_c === 'Form' });
  assert.deepEqual(seq(hits).slice(VIEWS.length), ['start:login', 'field:login/masked', 'field:login/masked', 'submit:login']);
  for (const h of hits.slice(VIEWS.length + 1)) assert.match(h.e_v, /^\d+$/, 'time spent in ms');
  assert.deepEqual(leaksIn(t.collector, ['MKRFORM101', 'MKRFORM102', 'Secr3t']), []);
});

test('checkout: select, checkbox, textarea named; card fields (autocomplete cc-*) masked; no value sent', async () => {
  const page = await formPage('/t/forms-checkout.html');
  await page.fill('[name=fullname]', 'MKRFORM201 Jane Doe');
  await page.fill('[name=city]', 'MKRFORM202ville');
  await page.click('[name=country]'); // a user opens the select (selectOption alone does not focus it)
  await page.keyboard.press('Escape');
  await page.selectOption('[name=country]', 'FR');
  await page.fill('[name=ccn]', '4111 1111 1111 1111');
  await page.fill('[name=exp]', '12/MKRFORM203');
  await page.fill('[name=sec]', '737');
  await page.check('[name=terms]');
  await page.fill('[name=notes]', 'Leave at door MKRFORM204');
  await page.click('#pay');
  await sleep(300);
  const hits = (await flushed(page, VIEWS.length + 10).catch((e) => { throw new Error(`${e.message}\n${seq(formHits(t.collector)).join(' ')}`); })).slice(VIEWS.length);
  assert.deepEqual(seq(hits), ['start:checkout', 'field:checkout/masked', 'field:checkout/city', 'field:checkout/country',
    'field:checkout/masked', 'field:checkout/masked', 'field:checkout/masked', 'field:checkout/terms', 'field:checkout/notes', 'submit:checkout']);
  assert.deepEqual(leaksIn(t.collector, ['MKRFORM201', 'MKRFORM202', 'MKRFORM203', 'MKRFORM204', '4111 1111', '41111111', '737', 'Jane Doe', 'FR', 'yes']).filter((m) => !['FR', 'yes', '737'].includes(m) || valueLeak(t.collector, m)), []);
});

// Short values ('FR', 'yes', '737') can occur by chance (IDs, rand); they count as a leak only
// as a parameter value of their own.
function valueLeak(collector, v) {
  return collector.hits.some((h) => Object.values(h).some((x) => x === v || (typeof x === 'string' && x.split('/').includes(v))));
}

test('newsletter e-mail and password reset: e-mail, one-time code, new password and phone fields are masked', async () => {
  const page = await formPage('/t/forms-reset.html');
  await page.fill('[name=addr]', 'mkrform301.news@example.com');
  await page.click('#subscribe');
  await page.fill('[name=c1]', 'MKRFORM302');
  await page.fill('[name=np1]', 'MKRFORM303-new');
  await page.fill('[name=contactnr]', '+33 6 12 34 56 78');
  await page.click('#reset-go');
  const hits = (await flushed(page, VIEWS.length + 8)).slice(VIEWS.length);
  assert.deepEqual(seq(hits), ['start:form2', 'field:form2/masked', 'submit:form2',
    'start:reset', 'field:reset/masked', 'field:reset/masked', 'field:reset/masked', 'submit:reset']);
  assert.deepEqual(leaksIn(t.collector, ['mkrform301', 'MKRFORM302', 'MKRFORM303', '12 34 56 78', '612345678']), []);
});

test('search form submitted with Enter: the field is left at submit, its name kept, the query never sent', async () => {
  const page = await formPage('/t/forms-search.html');
  await page.fill('[name=q]', 'MKRFORM401 how to cancel');
  await page.press('[name=q]', 'Enter');
  const hits = (await flushed(page, VIEWS.length + 3)).slice(VIEWS.length);
  assert.deepEqual(seq(hits), ['start:site-search', 'field:site-search/q', 'submit:site-search']);
  assert.deepEqual(leaksIn(t.collector, ['MKRFORM401', 'cancel']), []);
});

test('masked areas and setMaskSelectors (an invalid selector is ignored): names become masked', async () => {
  const page = await formPage('/t/forms-masked.html');
  await page.fill('[name=favourite]', 'MKRFORM501');
  await page.fill('[name=nickname]', 'MKRFORM502');
  await page.fill('[name=hobby]', 'MKRFORM503');
  await page.fill('[name=mood]', 'MKRFORM504');
  await page.fill('[name=comment]', 'MKRFORM505');
  await page.press('[name=comment]', 'Tab');
  const hits = (await flushed(page, VIEWS.length + 7)).slice(VIEWS.length);
  assert.deepEqual(seq(hits), ['start:masked', 'field:masked/masked', 'start:profile', 'field:profile/masked', 'field:profile/hobby',
    'field:profile/masked', 'field:profile/comment']);
  assert.deepEqual(leaksIn(t.collector, ['MKRFORM501', 'MKRFORM502', 'MKRFORM503', 'MKRFORM504', 'MKRFORM505', 'nickname', 'favourite', 'mood']), []);
  assert.equal(page.logs.pageErrors.length, 0);
});

test('a started form left without submit is abandoned when the page goes away', async () => {
  const page = await formPage('/t/forms-abandon.html');
  await page.fill('[name=city]', 'MKRFORM601');
  await page.focus('[name=notes]');
  await page.goto('about:blank');
  const hits = (await waitForHits(t.collector, VIEWS.length + 4, { where: (h) => h.e_c === 'Form' })).slice(VIEWS.length);
  assert.deepEqual(seq(hits), ['start:checkout', 'field:checkout/city', 'field:checkout/notes', 'abandon:checkout']);
  assert.match(hits[3].e_v, /^\d+$/);
  assert.deepEqual(leaksIn(t.collector, ['MKRFORM601']), []);
});

test('a form added later is viewed at its first interaction; submitted once, restarted after', async () => {
  const page = await formPage('/t/forms-later.html', { body: '<p>no form yet</p>' });
  await page.evaluate(() => {
    document.body.insertAdjacentHTML('beforeend', '<form id="later" onsubmit="event.preventDefault()"><input name="topic"><button id="go">Go</button></form>');
  });
  await page.fill('[name=topic]', 'MKRFORM701');
  await page.click('#go');
  await page.fill('[name=topic]', 'MKRFORM702');
  await page.press('[name=topic]', 'Tab');
  const hits = await flushed(page, 6);
  assert.deepEqual(seq(hits), ['view:later', 'start:later', 'field:later/topic', 'submit:later', 'start:later', 'field:later/topic']);
  assert.deepEqual(leaksIn(t.collector, ['MKRFORM701', 'MKRFORM702']), []);
});

test('hush never reads a field value: value/checked/selection getters are never called', async () => {
  const page = await formPage('/t/forms-noread.html', {
    paq: [],
    body: FORMS.replace('<form name="login"', `<script>
      window.__reads = [];
      const trap = (proto, names) => names.forEach((n) => {
        const d = Object.getOwnPropertyDescriptor(proto, n);
        Object.defineProperty(proto, n, { ...d, get() { window.__reads.push(n); return d.get.call(this); } });
      });
      trap(HTMLInputElement.prototype, ['value', 'checked', 'valueAsNumber', 'valueAsDate', 'files']);
      trap(HTMLTextAreaElement.prototype, ['value', 'textLength']);
      trap(HTMLSelectElement.prototype, ['value', 'selectedIndex', 'selectedOptions']);
      trap(HTMLOptionElement.prototype, ['selected', 'value', 'text']);
      trap(Node.prototype, ['textContent']);
      trap(HTMLElement.prototype, ['innerText']);
      trap(Element.prototype, ['innerHTML']);
    </script><form name="login"`),
  });
  // Native keyboard and mouse input only (no script reads by the test driver).
  await page.click('[name=city]');
  await page.keyboard.type('MKRFORM801');
  await page.keyboard.press('Tab'); // country select
  await page.keyboard.press('ArrowDown');
  await page.click('[name=terms]');
  await page.click('[name=notes]');
  await page.keyboard.type('MKRFORM802');
  await page.click('#pay');
  await flushed(page, VIEWS.length + 5);
  assert.deepEqual(await page.evaluate(() => window.__reads), []);
  assert.deepEqual(leaksIn(t.collector, ['MKRFORM801', 'MKRFORM802']), []);
});

test('link tracking sends no link text, also not from masked areas', async () => {
  const page = await t.open('/t/forms-links.html', snippetPage({
    paq: [['enableLinkTracking'], ['setMaskSelectors', ['.account']]],
    body: `<div data-hush-mask><a id="m1" href="https://partner.example/a">MKRLINK901 Jane Doe's orders</a></div>
      <nav class="account"><a id="m2" href="https://partner.example/b"><span>MKRLINK902 jane@example.com</span></a></nav>
      <a id="m3" href="https://partner.example/c" title="MKRLINK903">MKRLINK904 plain text</a>`,
  }));
  await page.context().route('https://partner.example/**', (r) => r.fulfill({ status: 204 }));
  await waitForTracker(page);
  for (const id of ['#m1', '#m2', '#m3']) await page.click(id);
  const hits = await flushed(page, 3, (h) => h.link !== undefined);
  assert.deepEqual(hits.map((h) => h.link), ['https://partner.example/a', 'https://partner.example/b', 'https://partner.example/c']);
  assert.deepEqual(leaksIn(t.collector, ['MKRLINK901', 'MKRLINK902', 'MKRLINK903', 'MKRLINK904', 'Jane Doe', 'jane@example.com']), []);
});

test('the leak scan itself finds a marker percent-, JSON- and base64-encoded', () => {
  const fake = (body) => ({ requests: [{ path: '/matomo.php', body, headers: {} }] });
  assert.deepEqual(leaksIn(fake('{"requests":["?e_n=MKR%5FX1"]}'), ['MKR_X1']), ['MKR_X1']);
  assert.deepEqual(leaksIn(fake(`?x=${Buffer.from('zz MKR_X2 zz').toString('base64url')}`), ['MKR_X2']), ['MKR_X2']);
  assert.deepEqual(leaksIn(fake(`{"requests":["?e_n=${encodeURIComponent(Buffer.from('MKR_X3').toString('base64'))}"]}`), ['mkr_x3']), ['mkr_x3']);
  assert.deepEqual(leaksIn(fake('?e_n=nothing'), ['MKR_X4']), []);
});
