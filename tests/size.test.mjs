// Size budget: what a site serves for the script tag (dist/hush.js + dist/hush_bg.wasm),
// gzipped at level 9, must stay within bench/size-budget.json's budgetBytes. Lower budgetBytes
// (and add a history line) whenever the bundle shrinks, so it cannot silently grow back.
// The product limits are fixed: target 15 KB, never above 20 KB (issue 6).
//
//   node --test tests/size.test.mjs          HUSH_DIST=/tmp/dist-x checks another bundle
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(REPO, process.env.HUSH_DIST ?? 'dist');
const BUDGET_FILE = path.join(REPO, 'bench/size-budget.json');
const FILES = ['hush.js', 'hush_bg.wasm'];

const budget = JSON.parse(fs.readFileSync(BUDGET_FILE, 'utf8'));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function gzipSize(file) {
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
}

test('size budget file is sane', () => {
  for (const k of ['budgetBytes', 'target', 'hardLimit']) assert.ok(Number.isInteger(budget[k]) && budget[k] > 0, `${k} must be a positive integer`);
  assert.equal(budget.hardLimit, 20480, 'the hard limit is 20 KB gzip (issue 6)');
  assert.equal(budget.target, 15360, 'the target is 15 KB gzip (issue 6)');
  assert.ok(Array.isArray(budget.history) && budget.history.length > 0, 'history lists each measured figure');
  for (const h of budget.history) assert.ok(/^\d{4}-\d{2}-\d{2}$/.test(h.date) && Number.isInteger(h.bytes) && h.note, `history entry ${JSON.stringify(h)}`);
});

test(`script-tag bundle (${FILES.join(' + ')}) within the gzip size budget`, (t) => {
  const sizes = FILES.map((f) => {
    const file = path.join(DIST, f);
    assert.ok(fs.existsSync(file), `${file} is missing: run ./build.sh first`);
    return gzipSize(file);
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  const line = `${FILES.map((f, i) => `${f} ${sizes[i]}`).join(' + ')} = ${total} bytes gzip (${kb(total)}); ` +
    `budget ${budget.budgetBytes}, target ${budget.target}, hard limit ${budget.hardLimit}`;
  t.diagnostic(line);
  if (total > budget.hardLimit || budget.budgetBytes > budget.hardLimit) {
    const msg = `size: ABOVE THE HARD LIMIT: ${kb(total)} gzip > ${kb(budget.hardLimit)} ` +
      `(${total - budget.hardLimit} bytes over; target ${kb(budget.target)}). The budget is temporarily ${budget.budgetBytes}.`;
    console.log(msg); // stdout, so it shows whatever the reporter
  }
  assert.ok(total <= budget.budgetBytes,
    `${total} bytes gzip is over the budget of ${budget.budgetBytes} (bench/size-budget.json) by ${total - budget.budgetBytes}. ` +
    'Find what grew (twiggy / build.sh sizes) rather than raising the budget.');
  const slack = budget.budgetBytes - total;
  if (slack > Math.max(512, total * 0.05)) {
    const msg = `size: ${slack} bytes under the budget: lower budgetBytes in bench/size-budget.json to lock the gain in (and add a history line).`;
    console.log(msg);
  }
});
