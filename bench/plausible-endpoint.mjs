// A local sink for Plausible's Events API (POST /api/event, JSON body sent as text/plain), so
// the bench can run Plausible's trackers against 127.0.0.1 instead of plausible.io. It answers
// like Plausible (202 "ok", CORS open) and records every request the way tools/collector.mjs
// does ({method, path, headers, body, ts}), so both are counted the same way.
import http from 'node:http';
import { listen } from '../tools/collector.mjs';

export async function startPlausibleEndpoint({ port = 0 } = {}) {
  const state = { requests: [], events: [], invalid: [] };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.setHeader('Access-Control-Allow-Origin', '*');
      const { pathname } = new URL(req.url, 'http://endpoint');
      if (pathname !== '/api/event') return void res.writeHead(404).end('not found');
      state.requests.push({ method: req.method, path: req.url, headers: req.headers, body, ts: Date.now() });
      if (req.method === 'OPTIONS') {
        res.setHeader('Access-Control-Allow-Methods', 'POST');
        res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] || '*');
        return void res.writeHead(204).end();
      }
      if (req.method !== 'POST') return void res.writeHead(405).end('POST only');
      let event;
      try {
        event = JSON.parse(body);
      } catch {
        state.invalid.push(body);
        return void res.writeHead(400).end('body is not JSON');
      }
      if (!event || typeof event.n !== 'string' || typeof event.u !== 'string' || typeof event.d !== 'string') {
        state.invalid.push(body);
        return void res.writeHead(400).end('n, u and d are required');
      }
      state.events.push(event);
      res.writeHead(202, { 'Content-Type': 'text/plain' }).end('ok');
    });
  });
  await listen(server, port);
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    endpoint: `${url}/api/event`,
    get requests() { return state.requests; },
    get events() { return state.events; },
    get invalid() { return state.invalid; },
    reset() {
      state.requests = [];
      state.events = [];
      state.invalid = [];
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
