// `npm start`: builds the bundle when needed, then serves the demo and a development
// collector on 127.0.0.1. Ports: PORT (site, 8080) and COLLECTOR_PORT (8081); a busy
// port falls back to a free one. Hits are appended to .hush-hits.jsonl.
//
//   node tools/dev.mjs [--build]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector } from './collector.mjs';
import { startSite } from './site.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE = ['dist/hush.js', 'dist/hush_bg.wasm'];

function buildIfNeeded() {
  const missing = BUNDLE.some((f) => !fs.existsSync(path.join(REPO, f)));
  if (!missing && !process.argv.includes('--build')) return;
  console.log('building dist/ with ./build.sh …');
  const r = spawnSync('./build.sh', { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`./build.sh failed (${r.error?.message ?? `exit ${r.status}`})`);
    process.exit(1);
  }
}

// Tries the preferred port, then any free one, so a second `npm start` still comes up.
async function onPort(preferred, start) {
  try {
    return await start(preferred);
  } catch (e) {
    if (e.code !== 'EADDRINUSE') throw e;
    console.log(`port ${preferred} is busy, using a free one`);
    return start(0);
  }
}

buildIfNeeded();
const hitsFile = path.join(REPO, '.hush-hits.jsonl');
const collector = await onPort(Number(process.env.COLLECTOR_PORT ?? 8081), (port) =>
  startCollector({ port, hitsFile, log: true }));
const site = await onPort(Number(process.env.PORT ?? 8080), (port) => startSite({ port, collector }));

console.log(`
  hush demo        ${site.url}/
  collector        ${collector.url}/matomo.php   (all hits: ${collector.url}/hits)
  hits appended to ${path.relative(process.cwd(), hitsFile) || hitsFile}
  Ctrl-C to stop
`);

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await Promise.all([site.close(), collector.close()]);
    process.exit(0);
  });
}
