#!/usr/bin/env node
// Zeroes the texts that only Rust's formatting panic / out-of-memory reports would read, in the
// wasm's data section, so that wasm-opt's memory packing drops them (about 0.3 KB gzip).
//
// Why this is safe: our panic handler (src/lib.rs) traps at once and never reads its
// argument, and no `#[alloc_error_handler]` can be set on stable Rust. So alloc's message
// "memory allocation of {n} bytes failed", its "capacity overflow", the `/rustc/…/*.rs` paths
// of panic locations, and core's "00".."99" digit table that formats the byte count are never
// read. LLVM still emits them (the panic calls pass pointers to them); wasm-opt later removes
// the formatting code that read them, but it cannot know data is dead.
//
// Why it cannot hurt the live data: each text must occur exactly once, inside the data
// section, or it is left alone with a warning (a new Rust version may word them differently;
// the bundle is then a little bigger, never wrong).
//   node tools/drop-dead-data.mjs in.wasm out.wasm
import { readFileSync, writeFileSync } from 'node:fs';

const DEAD = [
  ['std source paths', /\/rustc\/[0-9a-f]{40}\/library\/[a-z_/]+\.rs/g, Infinity],
  ['out-of-memory message', /memory allocation of /g, 1],
  ['out-of-memory message', / bytes failed/g, 1],
  ['capacity overflow', /capacity overflow/g, 1],
  ['digit-pair table', /(?:0[0-9]|[1-9][0-9]){100}/g, 1],
];

/** [start, end) of the data section (id 11) in a wasm binary. */
function dataSection(b) {
  let i = 8;
  const leb = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = b[i++];
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return v;
    }
  };
  while (i < b.length) {
    const id = b[i++];
    const size = leb();
    if (id === 11) return [i, i + size];
    i += size;
  }
  throw new Error('no data section');
}

const [, , input, output] = process.argv;
const bytes = readFileSync(input);
const [start, end] = dataSection(bytes);
const data = bytes.subarray(start, end).toString('latin1');
let dropped = 0;
for (const [what, pattern, most] of DEAD) {
  const hits = [...data.matchAll(pattern)];
  if (hits.length === 0 || hits.length > most) {
    console.warn(`drop-dead-data: ${what}: found ${hits.length} times, left as is`);
    continue;
  }
  for (const m of hits) {
    bytes.fill(0, start + m.index, start + m.index + m[0].length);
    dropped += m[0].length;
  }
}
writeFileSync(output, bytes);
console.log(`drop-dead-data: zeroed ${dropped} bytes of panic and out-of-memory texts`);
