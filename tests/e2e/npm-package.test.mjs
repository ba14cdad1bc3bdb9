// The npm package in a real app: `npm pack` the package, install the tarball into a fresh
// Vite 7 project, type-check an example against the installed .d.ts, `vite build`, serve the
// built app, and check in Chromium that hits reach the collector and bad options are refused.
//
// Uses dist/ (or HUSH_DIST, packed from a temporary copy of the package). npm's own cache
// plus --prefer-offline keeps the install to a few seconds after the first run.
// KEEP_NPM_APP=1 leaves the temporary app directory in place for a look.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../../tools/collector.mjs';
import { startSite } from '../../tools/site.mjs';
import { launchBrowser, newPage, waitForHits, assertBaseParams, assertParams, kindOf, sleep } from './harness.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.resolve(REPO, process.env.HUSH_DIST ?? 'dist');
const VITE = 'vite@7';
const PACKAGE_FILES = ['dist/hush_bg.wasm', 'dist/index.js', 'dist/index.d.ts', 'dist/hush.js'];
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');

const s = { tmp: '', app: '', tarball: '', entries: [], browser: null, collector: null, site: null };

function run(cmd, args, cwd, timeout = 110_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed with ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`.slice(0, 4000));
  }
  return r.stdout;
}

/** Packs the repository (or, with HUSH_DIST, a copy of it holding that bundle). */
function pack() {
  let dir = REPO;
  if (process.env.HUSH_DIST) {
    dir = path.join(s.tmp, 'package');
    fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
    for (const f of ['package.json', 'README.md']) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
    for (const f of fs.readdirSync(DIST)) fs.copyFileSync(path.join(DIST, f), path.join(dir, 'dist', f));
  }
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', s.tmp], dir));
  s.entries = info.files.map((f) => f.path).sort();
  return path.join(s.tmp, info.filename);
}

const APP_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Vite app</title><link rel="icon" href="data:,">
<script src="/config.js"></script>
<script type="module" src="/main.js"></script>
</head><body><h1>A Vite app using hush-analytics</h1></body></html>
`;

// The app an npm user writes, plus the option checks, whose outcome it leaves on window.
const APP_MAIN = `import { createTracker } from 'hush-analytics';

const tracker = await createTracker({ trackerUrl: window.HUSH_COLLECTOR, siteId: 1 });
tracker.trackPageView('Vite app');
tracker.trackEvent('vite', 'built', 'npm-package', 7);
await tracker.flush();

const refused = {};
for (const [name, options] of Object.entries({ badSiteId: { siteId: 'abc' }, unknownOption: { sitId: 1 }, badFlag: { linkTracking: 'yes' } })) {
  try {
    await createTracker(options);
    refused[name] = null;
  } catch (e) {
    refused[name] = { type: e.constructor.name, message: e.message };
  }
}
window.hushApp = { done: true, refused, visitor: tracker.getVisitorId() };
`;

before(async () => {
  for (const f of PACKAGE_FILES) {
    assert.ok(fs.existsSync(path.join(DIST, path.basename(f))), `${path.join(DIST, path.basename(f))} is missing: run ./build.sh first`);
  }
  s.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hush-npm-package-'));
  s.tarball = pack();

  s.app = path.join(s.tmp, 'app');
  fs.mkdirSync(s.app);
  fs.writeFileSync(path.join(s.app, 'package.json'), `${JSON.stringify({ name: 'hush-vite-app', private: true, type: 'module' }, null, 2)}\n`);
  fs.writeFileSync(path.join(s.app, 'index.html'), APP_HTML);
  fs.writeFileSync(path.join(s.app, 'main.js'), APP_MAIN);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', VITE, s.tarball], s.app);
  run(process.execPath, [path.join(s.app, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], s.app);

  s.collector = await startCollector();
  s.site = await startSite({ root: path.join(s.app, 'dist'), collector: s.collector });
  s.browser = await launchBrowser();
}, { timeout: 150_000 });

after(async () => {
  await s.browser?.close();
  await Promise.all([s.site?.close(), s.collector?.close()]);
  if (s.tmp && !process.env.KEEP_NPM_APP) fs.rmSync(s.tmp, { recursive: true, force: true });
  else if (s.tmp) console.log(`npm app kept in ${s.tmp}`);
});

test('npm pack: the tarball holds the package files and nothing else', () => {
  assert.deepEqual(s.entries, [...PACKAGE_FILES, 'README.md', 'package.json'].sort());
  const installed = JSON.parse(fs.readFileSync(path.join(s.app, 'node_modules/hush-analytics/package.json'), 'utf8'));
  assert.equal(installed.name, 'hush-analytics');
  assert.deepEqual(installed.exports['.'], { types: './dist/index.d.ts', import: './dist/index.js' });
  assert.equal(installed.types, './dist/index.d.ts');
  assert.equal(installed.private, undefined, 'a private package cannot be published');
  for (const f of PACKAGE_FILES) {
    assert.deepEqual(fs.readFileSync(path.join(s.app, 'node_modules/hush-analytics', f)), fs.readFileSync(path.join(DIST, path.basename(f))), `${f} as built`);
  }
});

test('types: an example app type-checks against the installed package (tsc --noEmit)', () => {
  const dir = path.join(s.app, 'types');
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(REPO, 'tests/types/example.ts'), path.join(dir, 'example.ts'));
  // No paths mapping: 'hush-analytics' resolves through node_modules and the package's exports.
  for (const moduleResolution of ['bundler', 'nodenext']) {
    fs.writeFileSync(path.join(dir, `tsconfig.${moduleResolution}.json`), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], types: [],
        module: moduleResolution === 'bundler' ? 'esnext' : 'nodenext', moduleResolution },
      files: ['example.ts'],
    }));
    run(process.execPath, [TSC, '-p', path.join(dir, `tsconfig.${moduleResolution}.json`)], s.app, 60_000);
  }
});

test('vite build: hush_bg.wasm is emitted as an asset and referenced by the bundle', () => {
  const assets = path.join(s.app, 'dist/assets');
  const files = fs.readdirSync(assets);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  assert.equal(wasm.length, 1, `one .wasm asset, got ${files.join(', ')}`);
  assert.match(wasm[0], /^hush_bg-[\w-]+\.wasm$/);
  assert.deepEqual(fs.readFileSync(path.join(assets, wasm[0])), fs.readFileSync(path.join(DIST, 'hush_bg.wasm')), 'the shipped wasm, unchanged');
  const js = files.filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(assets, f), 'utf8')).join('\n');
  assert.ok(js.includes(wasm[0]), 'the JS bundle refers to the emitted wasm by its hashed name');
});

test('the built app tracks: page view and event reach the collector, wasm from the emitted asset', async () => {
  const page = await newPage(s.browser);
  const requested = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  try {
    await page.goto(`${s.site.url}/`);
    await page.waitForFunction(() => window.hushApp?.done, null, { timeout: 10_000 });
    const [pv, ev] = await waitForHits(s.collector, 2);
    const url = `${s.site.url}/`;
    assertBaseParams(pv, { url });
    assertBaseParams(ev, { url });
    assert.equal(kindOf(pv), 'pageview');
    assertParams(pv, { action_name: 'Vite app' });
    assertParams(ev, { e_c: 'vite', e_a: 'built', e_n: 'npm-package', e_v: '7', action_name: undefined, pv_id: pv.pv_id, _id: pv._id });
    assert.ok(requested.some((p) => /^\/assets\/hush_bg-[\w-]+\.wasm$/.test(p)), `wasm fetched from /assets/: ${requested.join(', ')}`);
    assert.equal((await page.evaluate(() => window.hushApp.visitor)), pv._id, 'getVisitorId() is the _id sent');
    await sleep(300);
    assert.equal(s.collector.hits.length, 2, 'nothing else sent (the refused options sent nothing)');
    assert.deepEqual(s.collector.invalid.map((i) => i.reason), [], 'hits the collector refused');
    assert.deepEqual(page.logs.pageErrors, [], 'uncaught page errors');
  } finally {
    await page.context().close();
  }
});

test('createTracker rejects a bad option with an error naming it', async () => {
  const page = await newPage(s.browser);
  try {
    await page.goto(`${s.site.url}/`);
    const { refused } = await page.waitForFunction(() => window.hushApp?.done && window.hushApp, null, { timeout: 10_000 }).then((h) => h.jsonValue());
    assert.ok(refused.badSiteId, '{siteId: "abc"} must be rejected');
    assert.match(refused.badSiteId.message, /siteId/);
    assert.ok(refused.unknownOption, '{sitId: 1} must be rejected');
    assert.match(refused.unknownOption.message, /sitId/);
    assert.match(refused.unknownOption.message, /unknown option/);
    assert.ok(refused.badFlag, '{linkTracking: "yes"} must be rejected');
    assert.match(refused.badFlag.message, /linkTracking/);
    for (const r of Object.values(refused)) assert.equal(r.type, 'TypeError');
  } finally {
    await page.context().close();
  }
});
