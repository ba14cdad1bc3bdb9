// Static server for the demo (www/) and the built bundle (/dist/*), plus in-memory test
// pages and /config.js, which tells pages where the collector is.
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen } from './collector.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Consent banners the demo and the tests load, served straight from their npm packages
// (devDependencies; never copied into the repository): /vendor/<name>/<file in dist/>.
const VENDOR = {
  'vanilla-cookieconsent': 'node_modules/vanilla-cookieconsent/dist',
  klaro: 'node_modules/klaro/dist',
};

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/**
 * @param {{port?: number, root?: string, dist?: string, collector?: string | {url: string}}} [opts]
 *   root and dist are relative to the repository; collector is its base URL (or the object
 *   startCollector returned), for /config.js.
 */
export async function startSite({ port = 0, root = 'www', dist = 'dist', collector } = {}) {
  const rootDir = path.resolve(REPO, root);
  const distDir = path.resolve(REPO, dist);
  const pages = new Map();
  const collectorBase = typeof collector === 'string' ? collector : collector?.url;

  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://site');
    try {
      await serve(pathname, res);
    } catch {
      send(res, 500, TYPES['.txt'], 'internal error');
    }
  });

  async function serve(pathname, res) {
    const page = pages.get(pathname);
    if (page) return send(res, 200, page.type, page.body, page.headers);
    if (pathname === '/config.js') return send(res, 200, TYPES['.js'], configJs(collectorBase));
    if (pathname.startsWith('/dist/')) return sendFile(res, distDir, pathname.slice('/dist'.length));
    const vendor = /^\/vendor\/([^/]+)(\/.*)$/.exec(pathname);
    if (vendor && Object.hasOwn(VENDOR, vendor[1])) return sendFile(res, path.resolve(REPO, VENDOR[vendor[1]]), vendor[2]);
    sendFile(res, rootDir, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
  }

  const site = {
    url: '',
    port: 0,
    /**
     * Serves `body` at `path` from memory (test pages); `headers` e.g. a CSP.
     * The type follows the extension (HTML when there is none).
     */
    page(pagePath, body, { headers = {}, type } = {}) {
      pages.set(pagePath, { body, headers, type: type ?? TYPES[path.extname(pagePath)] ?? TYPES['.html'] });
      return `${site.url}${pagePath}`;
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };

  await listen(server, port);
  site.port = server.address().port;
  site.url = `http://127.0.0.1:${site.port}`;
  return site;
}

function configJs(collectorBase) {
  const value = collectorBase ? JSON.stringify(`${collectorBase}/matomo.php`) : 'undefined';
  return `window.HUSH_COLLECTOR = ${value};\n`;
}

// Resolves inside `dir` only: a path that climbs out (../) is a 404, not a file read.
async function sendFile(res, dir, urlPath) {
  let rel;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return send(res, 400, TYPES['.txt'], 'bad path');
  }
  const file = path.resolve(dir, `.${rel}`);
  if (file !== dir && !file.startsWith(dir + path.sep)) return notFound(res);
  let served = file;
  let body;
  try {
    if ((await fs.stat(file)).isDirectory()) served = path.join(file, 'index.html');
    body = await fs.readFile(served);
  } catch {
    return notFound(res);
  }
  send(res, 200, TYPES[path.extname(served)] ?? 'application/octet-stream', body);
}

function notFound(res) {
  send(res, 404, TYPES['.html'], '<!doctype html><title>Not found</title><h1>404 Not found</h1>');
}

function send(res, status, type, body, headers = {}) {
  // Development server: never let the browser reuse a stale bundle.
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}
