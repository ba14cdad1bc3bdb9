// Development collector speaking the Matomo Tracking HTTP API: single GET/POST hits and bulk
// POST {"requests":[…]}. It validates every hit like Matomo would (tools/matomo-rules.mjs),
// keeps what it received for tests and the demo's live panel, and can inject faults.
//
//   node tools/collector.mjs [--port 8081] [--hits .hush-hits.jsonl] [--quiet]
import http from 'node:http';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { validateHit, decodeQuery } from './matomo-rules.mjs';

const MAX_BODY = 2 * 1024 * 1024;
const FAULT_MODES = ['503', '429', 'close', 'stall'];
// The smallest transparent GIF: what Matomo answers a single hit with unless send_image=0.
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * @param {{port?: number, hitsFile?: string, log?: boolean | ((line: string) => void)}} [opts]
 */
export async function startCollector({ port = 0, hitsFile, log = false } = {}) {
  const say = typeof log === 'function' ? log : log ? (l) => console.log(`[collector] ${l}`) : () => {};
  const state = { hits: [], requests: [], invalid: [], seqBase: 0 };
  const sse = new Set();
  const stalled = new Set();
  const faults = createFaults();

  const c = {
    url: '',
    port: 0,
    get hits() { return state.hits; },
    get requests() { return state.requests; },
    get invalid() { return state.invalid; },
    faults,
    reset,
    close,
  };

  function reset() {
    state.seqBase += state.hits.length;
    state.hits = [];
    state.requests = [];
    state.invalid = [];
    faults.clear();
    for (const res of stalled) res.destroy();
    stalled.clear();
    broadcast('reset', {});
  }

  function broadcast(event, data, id) {
    const msg = `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of sse) res.write(msg);
  }

  function record(params, n) {
    const hit = { ...params, _received: Date.now(), _request: n };
    state.hits.push(hit);
    if (hitsFile) fs.appendFileSync(hitsFile, `${JSON.stringify(hit)}\n`);
    broadcast('hit', hit, state.seqBase + state.hits.length);
  }

  const server = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    // Cross-origin fetch hides every response header but the safelisted ones: without this
    // the tracker could not read Retry-After (a real collector behind a proxy needs it too).
    res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    readBody(req).then(
      (body) => route(req, res, body),
      () => answer(res, 413, 'text/plain', 'body too large'),
    );
  });

  function route(req, res, body) {
    const url = new URL(req.url, 'http://collector');
    const key = `${req.method} ${url.pathname}`;
    if (key === 'GET /hits') return answer(res, 200, 'application/json', JSON.stringify(state.hits));
    if (key === 'GET /requests') return answer(res, 200, 'application/json', JSON.stringify(state.requests));
    if (key === 'GET /events') return openEvents(req, res, url);
    if (key === 'POST /reset') return reset(), answer(res, 204);
    if (url.pathname === '/_fault') return setFaultFromQuery(res, url);
    if (!/\/(matomo|piwik)\.php$/.test(url.pathname)) return answer(res, 404, 'text/plain', 'not found');
    track(req, res, url, body);
  }

  function setFaultFromQuery(res, url) {
    const q = Object.fromEntries(url.searchParams);
    try {
      if (q.mode === 'off') faults.clear();
      else faults.set({ mode: q.mode, count: num(q.count), retryAfter: num(q.retryAfter), delayMs: num(q.delayMs) });
    } catch (e) {
      return answer(res, 400, 'text/plain', e.message);
    }
    answer(res, 200, 'application/json', JSON.stringify(faults.current));
  }

  // Every request to the tracking endpoint is recorded raw, preflights included: tests
  // assert that hush never triggers one.
  function track(req, res, url, body) {
    const n = state.requests.length;
    state.requests.push({ method: req.method, path: req.url, headers: req.headers, body, ts: Date.now() });
    if (req.method === 'OPTIONS') {
      say(`#${n} OPTIONS preflight (hush should never cause one)`);
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] || '*');
      res.setHeader('Access-Control-Max-Age', '0');
      return answer(res, 204);
    }
    if (req.method !== 'GET' && req.method !== 'POST') return answer(res, 405, 'text/plain', 'GET or POST');
    const fault = faults.take(n);
    if (fault) return injectFault(fault, n, req, res, () => accept(res, url, body, n));
    accept(res, url, body, n);
  }

  function injectFault(fault, n, req, res, proceed) {
    say(`#${n} fault ${fault.mode}`);
    state.requests[n].fault = fault.mode;
    if (fault.mode === 'close') return req.socket.destroy();
    if (fault.mode === 'stall') return stall(res, fault.delayMs, proceed);
    if (fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter));
    else if (fault.mode === '429') res.setHeader('Retry-After', '1');
    answer(res, Number(fault.mode), 'text/plain', fault.mode === '429' ? 'too many requests' : 'service unavailable');
  }

  // A stalled request is answered (and its hits recorded) only if a delay was given and
  // the client is still waiting by then; otherwise it hangs until reset() or close().
  function stall(res, delayMs, proceed) {
    stalled.add(res);
    res.on('close', () => stalled.delete(res));
    if (delayMs === undefined) return;
    setTimeout(() => {
      if (!stalled.delete(res) || res.destroyed) return;
      proceed();
    }, delayMs).unref();
  }

  function accept(res, url, body, n) {
    const bulk = parseBulk(body);
    if (bulk.error) return answer(res, 400, 'text/plain', bulk.error);
    const hits = bulk.requests ? bulk.requests.map(decodeQuery) : [{ ...decodeQuery(url.search), ...decodeQuery(body) }];
    const bad = [];
    const now = Date.now();
    hits.forEach((params, i) => {
      const problem = validateHit(params, now);
      if (!problem) return record(params, n);
      const reason = `hit ${i}: ${problem.param}: ${problem.reason}`;
      bad.push(reason);
      state.invalid.push({ request: n, index: i, param: problem.param, reason, params });
      broadcast('invalid', { reason, params });
    });
    say(`#${n} ${bulk.requests ? 'bulk' : 'single'} tracked ${hits.length - bad.length}${bad.length ? `, invalid: ${bad.join('; ')}` : ''}`);
    if (bulk.requests) return answerBulk(res, hits.length, bad);
    if (bad.length) return answer(res, 400, 'text/plain', bad[0]);
    if (hits[0].send_image === '0') return answer(res, 204);
    answer(res, 200, 'image/gif', GIF);
  }

  function answerBulk(res, total, bad) {
    const out = { status: bad.length ? 'error' : 'success', tracked: total - bad.length, invalid: bad.length };
    if (bad.length) out.message = bad.join('; ');
    answer(res, bad.length ? 400 : 200, 'application/json', JSON.stringify(out));
  }

  // Server-Sent Events: replays the hits the client has not seen (Last-Event-ID), then live.
  function openEvents(req, res, url) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    const last = Number(req.headers['last-event-id'] ?? url.searchParams.get('last') ?? 0) || 0;
    const from = last >= state.seqBase ? last - state.seqBase : 0;
    res.write('retry: 1000\n\n');
    state.hits.slice(from).forEach((h, i) => res.write(`id: ${state.seqBase + from + i + 1}\nevent: hit\ndata: ${JSON.stringify(h)}\n\n`));
    sse.add(res);
    const ping = setInterval(() => res.write(': keep-alive\n\n'), 15000);
    res.on('close', () => (clearInterval(ping), sse.delete(res)));
  }

  function close() {
    for (const res of [...sse, ...stalled]) res.destroy();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  await listen(server, port);
  c.port = server.address().port;
  c.url = `http://127.0.0.1:${c.port}`;
  return c;
}

function createFaults() {
  let plan = null;
  const served = [];
  return {
    /** The next `count` tracking requests fail with `mode` (503 | 429 | close | stall). */
    set({ mode, count = 1, retryAfter, delayMs } = {}) {
      mode = String(mode);
      if (!FAULT_MODES.includes(mode)) throw new Error(`fault mode must be one of ${FAULT_MODES.join(', ')}, got '${mode}'`);
      if (!(count >= 1)) throw new Error(`fault count must be ≥ 1, got ${count}`);
      plan = { mode, count, retryAfter, delayMs };
    },
    clear() {
      plan = null;
      served.length = 0;
    },
    /** The plan still pending, or null. */
    get current() {
      return plan && { ...plan };
    },
    /** Requests that got a fault: `{request, mode}`. */
    served,
    take(request) {
      if (!plan) return null;
      const f = { ...plan };
      if (--plan.count <= 0) plan = null;
      served.push({ request, mode: f.mode });
      return f;
    },
  };
}

function parseBulk(body) {
  if (!body.trimStart().startsWith('{')) return {};
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    return { error: 'bulk body is not valid JSON' };
  }
  const ok = Array.isArray(json.requests) && json.requests.every((r) => typeof r === 'string');
  return ok ? { requests: json.requests } : { error: 'bulk body needs "requests": an array of query strings' };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) return reject(new Error('too large'));
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res, status, type, body) {
  if (res.headersSent || res.destroyed) return;
  if (type) res.setHeader('Content-Type', type);
  res.statusCode = status;
  res.end(body);
}

function num(v) {
  return v === undefined || v === '' ? undefined : Number(v);
}

/** Listens on 127.0.0.1 only; rejects on EADDRINUSE so callers can fall back. */
export function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const c = await startCollector({
    port: Number(arg('--port') ?? process.env.COLLECTOR_PORT ?? 8081),
    hitsFile: arg('--hits'),
    log: !process.argv.includes('--quiet'),
  });
  console.log(`collector: ${c.url}/matomo.php  (hits: ${c.url}/hits, live: ${c.url}/events)`);
}
