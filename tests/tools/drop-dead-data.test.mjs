// tools/drop-dead-data.mjs: zeroes Rust's unread panic / out-of-memory texts in the wasm's
// data section only, and leaves anything ambiguous alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PATH = '/rustc/' + 'ab12'.repeat(10) + '/library/alloc/src/raw_vec/mod.rs';
const DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join('');
const DEAD = [PATH, 'memory allocation of ', ' bytes failed', 'capacity overflow', DIGITS];
const LIVE = 'hush: shortened a hit of  bytes to fit one request0123456789abcdef';

/** A wasm-shaped file: header, a "code" section (id 10) and a data section (id 11). */
function wasm(code, data) {
  const section = (id, text) => {
    const body = Buffer.from(text, 'latin1');
    const size = [];
    for (let n = body.length; ; n >>= 7) { size.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); if (n <= 0x7f) break; }
    return Buffer.concat([Buffer.from([id, ...size]), body]);
  };
  return Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), section(10, code), section(11, data)]);
}

function run(input) {
  const dir = mkdtempSync(join(tmpdir(), 'hush-dd-'));
  writeFileSync(join(dir, 'in.wasm'), input);
  const out = execFileSync(process.execPath, ['tools/drop-dead-data.mjs', join(dir, 'in.wasm'), join(dir, 'out.wasm')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { bytes: readFileSync(join(dir, 'out.wasm')).toString('latin1'), out };
}

test('zeroes each dead text in the data section, and nothing else', () => {
  const code = DEAD.join('|');
  const data = LIVE + DEAD.join('#') + LIVE;
  const { bytes } = run(wasm(code, data));
  const after = wasm(code, LIVE + DEAD.map((t) => '\0'.repeat(t.length)).join('#') + LIVE).toString('latin1');
  assert.equal(bytes, after);
});

test('a text found twice in the data is left alone', () => {
  const data = 'capacity overflow|capacity overflow|' + DIGITS;
  const { bytes } = run(wasm('', data));
  assert.ok(bytes.includes('capacity overflow|capacity overflow|'));
  assert.ok(!bytes.includes(DIGITS), 'the other texts are still dropped');
});

test('the built bundle carries none of the dead texts', () => {
  const built = readFileSync('dist/hush_bg.wasm').toString('latin1');
  for (const t of ['/rustc/', 'memory allocation of', 'capacity overflow', '00010203040506070809']) {
    assert.ok(!built.includes(t), `dist/hush_bg.wasm still holds ${JSON.stringify(t)}`);
  }
});
