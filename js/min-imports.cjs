// Build step (build.sh): shortens the wasm's import names and module name, and the same
// keys in each wasm-bindgen glue file given; shortens its export names the same way
// (`wasm.<name>` in the glues) and drops the exports no glue uses.
//   node js/min-imports.cjs hush_bg.wasm glue1.js [glue2.js ...]
// wasm-bindgen names every import `__wbg_<name>_<16 hex digits>` in module "./hush_bg.js":
// about 30 bytes each, mostly incompressible, paid once in the wasm and once in each glue.
// Every rename must match exactly once in every glue file, else the build stops (a
// wasm-bindgen upgrade that changes the glue's shape cannot slip through half renamed).
'use strict';
const fs = require('fs');
const [wasmPath, ...gluePaths] = process.argv.slice(2);
const MODULE = './hush_bg.js';

const bytes = fs.readFileSync(wasmPath);
let pos = 0;
function leb() {
  let result = 0, shift = 0, b;
  do { b = bytes[pos++]; result += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
  return result;
}
function encodeLeb(n) {
  const out = [];
  do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Buffer.from(out);
}
function name() { const len = leb(); const s = bytes.toString('utf8', pos, pos + len); pos += len; return s; }
function encodeName(s) { const b = Buffer.from(s, 'utf8'); return Buffer.concat([encodeLeb(b.length), b]); }
function fail(msg) { console.error('min-imports: ' + msg); process.exit(1); }

// Short, valid JS identifiers: a..z A..Z, then two letters.
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const shortName = (i) => (i < 52 ? LETTERS[i] : LETTERS[Math.floor(i / 52) - 1] + LETTERS[i % 52]);

const glues = gluePaths.map((path) => fs.readFileSync(path, 'utf8'));
const exportRe = (name) => new RegExp(`\\bwasm\\.${name}\\b`, 'g');
const exportUses = (name) => glues.reduce((n, js) => n + (js.match(exportRe(name)) || []).length, 0);

const parts = [bytes.subarray(0, 8)];
pos = 8;
const renames = [];
const exportRenames = [];
while (pos < bytes.length) {
  const start = pos;
  const id = bytes[pos++];
  const size = leb();
  const body = pos;
  const end = body + size;
  if (id === 7) {
    const count = leb();
    const kept = [];
    for (let i = 0; i < count; i++) {
      const field = name();
      const descStart = pos;
      pos++;
      leb();
      if (exportUses(field) === 0) continue;
      const short = shortName(exportRenames.length);
      exportRenames.push([field, short]);
      kept.push(encodeName(short), bytes.subarray(descStart, pos));
    }
    if (pos !== end) fail('export section parse mismatch');
    const content = Buffer.concat([encodeLeb(exportRenames.length), ...kept]);
    parts.push(Buffer.from([7]), encodeLeb(content.length), content);
    continue;
  }
  if (id !== 2) { parts.push(bytes.subarray(start, end)); pos = end; continue; }
  const count = leb();
  const out = [encodeLeb(count)];
  for (let i = 0; i < count; i++) {
    const module = name();
    const field = name();
    const descStart = pos;
    const kind = bytes[pos++];
    if (kind === 0) leb();
    else if (kind === 1) { pos++; const flags = leb(); leb(); if (flags & 1) leb(); }
    else if (kind === 2) { const flags = leb(); leb(); if (flags & 1) leb(); }
    else if (kind === 3) pos += 2;
    else if (kind === 4) { pos++; leb(); }
    else fail('unknown import kind ' + kind);
    if (module !== MODULE) fail('unexpected import module ' + module);
    const short = shortName(renames.length);
    renames.push([field, short]);
    out.push(encodeName('a'), encodeName(short), bytes.subarray(descStart, pos));
  }
  if (pos !== end) fail('import section parse mismatch');
  const content = Buffer.concat(out);
  parts.push(Buffer.from([2]), encodeLeb(content.length), content);
}
fs.writeFileSync(wasmPath, Buffer.concat(parts));

gluePaths.forEach((path, g) => {
  let js = glues[g];
  const replaceOnce = (from, to) => {
    const n = js.split(from).length - 1;
    if (n !== 1) fail(`${path}: "${from}" found ${n} times`);
    js = js.replace(from, to);
  };
  for (const [field, short] of renames) replaceOnce(`${field}: function`, `${short}: function`);
  replaceOnce(`"${MODULE}": import0`, 'a: import0');
  for (const [field, short] of exportRenames) js = js.replace(exportRe(field), `wasm.${short}`);
  fs.writeFileSync(path, js);
});
