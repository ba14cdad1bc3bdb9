// The development collector: Matomo rules, wire formats, CORS, faults, live events.
// No browser: plain fetch from Node.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startCollector } from '../../tools/collector.mjs';
import { validateHit, decodeQuery } from '../../tools/matomo-rules.mjs';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const base = { idsite: '1', rec: '1', url: 'https://shop.example/a' };
const problem = (extra) => validateHit({ ...base, ...extra }, NOW);

test('a minimal hit and a full page view are valid', () => {
  assert.equal(validateHit(base, NOW), null);
  assert.equal(problem({ apiv: '1', _id: '0123456789abcdef', cid: '0123456789ABCDEF', h: '23', m: '59', s: '0', pv_id: 'aB3dE6', action_name: 'Home', urlref: '', rand: 'x1', dimension1: 'gold', dimension12: 'x' }), null);
});

test('each Matomo rule names the parameter it refuses', () => {
  const cases = [
    [{ idsite: '0' }, 'idsite'], [{ idsite: 'abc' }, 'idsite'], [{ rec: '0' }, 'rec'], [{ apiv: '2' }, 'apiv'],
    [{ url: '/relative' }, 'url'], [{ url: 'ftp://x.example/' }, 'url'], [{ urlref: 'nope' }, 'urlref'],
    [{ _id: '0123456789abcde' }, '_id'], [{ cid: 'zz23456789abcdef' }, 'cid'],
    [{ h: '24' }, 'h'], [{ m: '60' }, 'm'], [{ s: '-1' }, 's'], [{ pv_id: 'abc' }, 'pv_id'], [{ pv_id: 'ab-d_f' }, 'pv_id'],
    [{ e_c: 'video' }, 'e_a'], [{ e_a: 'play' }, 'e_c'], [{ e_c: 'v', e_a: 'p', e_v: 'abc' }, 'e_v'], [{ e_n: 'x' }, 'e_c'],
    [{ idgoal: '1.5' }, 'idgoal'], [{ idgoal: '1', revenue: '1,5' }, 'revenue'], [{ ping: 'true' }, 'ping'],
    [{ link: '/rel' }, 'link'], [{ download: 'file.pdf' }, 'download'], [{ ec_id: 'x', revenue: '3' }, 'idgoal'],
    [{ idgoal: '0', ec_id: 'x' }, 'revenue'], [{ idgoal: '0', revenue: '1', ec_items: '[["s","n","c","free",1]]' }, 'ec_items'],
    [{ idgoal: '0', revenue: '1', ec_items: '{}' }, 'ec_items'], [{ search_cat: 'c' }, 'search'], [{ search: 'q', search_count: '-1' }, 'search_count'],
    [{ dimension0: 'x' }, 'dimension0'], [{ dimensionA: 'x' }, 'dimensionA'], [{ token_auth: 'abc' }, 'token_auth'],
    [{ _pkp: 'cheap' }, '_pkp'], [{ res: '1024' }, 'res'], [{ url: undefined }, 'url'],
  ];
  for (const [extra, param] of cases) {
    const hit = { ...base, ...extra };
    for (const k of Object.keys(hit)) if (hit[k] === undefined) delete hit[k];
    assert.equal(validateHit(hit, NOW)?.param, param, `${JSON.stringify(extra)} should be refused on ${param}`);
  }
});

test('cdt: unix seconds or UTC datetime, within the last 24 hours', () => {
  const s = NOW / 1000;
  assert.equal(problem({ cdt: String(s - 3600) }), null);
  assert.equal(problem({ cdt: '2025-01-15 01:00:00' }), null);
  assert.equal(problem({ cdt: String(s - 25 * 3600) }).param, 'cdt');
  assert.equal(problem({ cdt: '2025-01-14 11:59:00' }).param, 'cdt');
  assert.equal(problem({ cdt: String(NOW) }).param, 'cdt', 'milliseconds are in the future');
  assert.equal(problem({ cdt: 'yesterday' }).param, 'cdt');
});

test('ecommerce items in Matomo form are valid', () => {
  const items = JSON.stringify([['SKU-1', 'Thermos', 'Outdoor', 24.5, 2], ['SKU-2', 'Socks', ['Clothing', 'Wool'], '9', 1], ['SKU-3']]);
  assert.equal(problem({ idgoal: '0', ec_id: 'f'.repeat(64), revenue: '58', ec_st: '50', ec_items: items }), null);
});

test('decodeQuery reads every form Matomo accepts', () => {
  assert.deepEqual(decodeQuery('?a=1&b=x%20y'), { a: '1', b: 'x y' });
  assert.deepEqual(decodeQuery('/matomo.php?a=1&a=2'), { a: '2' });
  assert.deepEqual(decodeQuery('a=%C3%A9+b'), { a: 'é b' });
});

let c;
before(async () => { c = await startCollector(); });
after(() => c.close());
beforeEach(() => c.reset());

const hitQuery = (extra = {}) => `?${new URLSearchParams({ ...base, ...extra })}`;
const post = (body, type = 'text/plain;charset=UTF-8') =>
  fetch(`${c.url}/matomo.php`, { method: 'POST', body, headers: { 'Content-Type': type } });

test('bulk POST with a text/plain body: success, hits recorded in order with request numbers', async () => {
  const r = await post(JSON.stringify({ requests: [hitQuery({ e_c: 'a', e_a: 'b' }), hitQuery({ action_name: 'Home' })] }));
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await r.json(), { status: 'success', tracked: 2, invalid: 0 });
  assert.deepEqual(c.hits.map((h) => [h.e_c, h.action_name, h._request]), [['a', undefined, 0], [undefined, 'Home', 0]]);
  assert.equal(typeof c.hits[0]._received, 'number');
  assert.equal(c.requests[0].headers['content-type'], 'text/plain;charset=UTF-8');
});

test('a bad hit in a bulk: 400 naming index and parameter; the good ones are kept', async () => {
  const r = await post(JSON.stringify({ requests: [hitQuery(), hitQuery({ h: '25' })] }));
  assert.equal(r.status, 400);
  const body = await r.json();
  assert.deepEqual([body.tracked, body.invalid], [1, 1]);
  assert.match(body.message, /hit 1: h: '25'/);
  assert.equal(c.hits.length, 1);
  assert.equal(c.invalid[0].param, 'h');
});

test('single hits by GET and by form POST', async () => {
  const g = await fetch(`${c.url}/matomo.php${hitQuery({ action_name: 'G' })}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('content-type'), 'image/gif');
  const p = await post(new URLSearchParams({ ...base, action_name: 'P', send_image: '0' }).toString(), 'application/x-www-form-urlencoded');
  assert.equal(p.status, 204);
  const bad = await fetch(`${c.url}/matomo.php?idsite=1&rec=1`);
  assert.equal(bad.status, 400);
  assert.equal(await bad.text(), 'hit 0: url: missing');
  assert.deepEqual(c.hits.map((h) => h.action_name), ['G', 'P']);
});

test('OPTIONS is answered and recorded (tests assert it never happens)', async () => {
  const r = await fetch(`${c.url}/matomo.php`, { method: 'OPTIONS', headers: { 'Access-Control-Request-Headers': 'content-type' } });
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-headers'), 'content-type');
  assert.deepEqual(c.requests.map((q) => q.method), ['OPTIONS']);
});

test('faults: 503 then 429 with Retry-After, for exactly N requests, then normal', async () => {
  c.faults.set({ mode: '503', count: 2 });
  const body = JSON.stringify({ requests: [hitQuery()] });
  assert.equal((await post(body)).status, 503);
  assert.equal((await post(body)).status, 503);
  assert.equal((await post(body)).status, 200);
  c.faults.set({ mode: '429', count: 1, retryAfter: 3 });
  const r = await post(body);
  assert.equal(r.status, 429);
  assert.equal(r.headers.get('retry-after'), '3');
  assert.equal(c.hits.length, 1, 'failed requests record no hits');
  assert.deepEqual(c.faults.served.map((f) => f.mode), ['503', '503', '429']);
});

test('faults over HTTP: /_fault?mode=close drops the connection', async () => {
  const set = await fetch(`${c.url}/_fault?mode=close&count=1`);
  assert.deepEqual(await set.json(), { mode: 'close', count: 1 });
  await assert.rejects(post(JSON.stringify({ requests: [hitQuery()] })));
  assert.equal((await fetch(`${c.url}/_fault?mode=teapot`)).status, 400);
  assert.equal(c.requests[0].fault, 'close');
});

test('stall: no answer until the delay, then recorded', async () => {
  c.faults.set({ mode: 'stall', delayMs: 150 });
  const t0 = Date.now();
  const r = await post(JSON.stringify({ requests: [hitQuery()] }));
  assert.equal(r.status, 200);
  assert.ok(Date.now() - t0 >= 140);
  assert.equal(c.hits.length, 1);
});

test('stall without a delay hangs until reset', async () => {
  c.faults.set({ mode: 'stall' });
  const pending = post(JSON.stringify({ requests: [hitQuery()] }));
  await new Promise((r) => setTimeout(r, 100));
  c.reset();
  await assert.rejects(pending);
});

test('/hits, /events (SSE replay then live) and /reset', async () => {
  await post(JSON.stringify({ requests: [hitQuery({ action_name: 'one' })] }));
  const events = [];
  const req = http.get(`${c.url}/events`, (res) => {
    assert.equal(res.headers['content-type'], 'text/event-stream');
    assert.equal(res.headers['access-control-allow-origin'], '*');
    res.setEncoding('utf8');
    res.on('data', (d) => events.push(...d.split('\n\n').filter((e) => e.includes('event: hit'))));
  });
  await new Promise((r) => setTimeout(r, 100));
  await post(JSON.stringify({ requests: [hitQuery({ action_name: 'two' })] }));
  await new Promise((r) => setTimeout(r, 100));
  req.destroy();
  assert.deepEqual(events.map((e) => JSON.parse(e.split('data: ')[1]).action_name), ['one', 'two']);
  const ids = events.map((e) => Number(/^id: (\d+)/.exec(e)[1]));
  assert.equal(ids[1], ids[0] + 1, 'event ids are consecutive across resets, for Last-Event-ID');
  assert.deepEqual((await (await fetch(`${c.url}/hits`)).json()).map((h) => h.action_name), ['one', 'two']);
  assert.equal((await fetch(`${c.url}/reset`, { method: 'POST' })).status, 204);
  assert.equal(c.hits.length, 0);
});
