#!/usr/bin/env bash
# Builds the release bundle into dist/:
#   hush.js + hush_bg.wasm   the script-tag drop-in for matomo.js (classic script)
#   index.js + index.d.ts    the npm ES module and its types (hush_web.js is its wasm glue)
set -euo pipefail
cd "$(dirname "$0")"
# DIST / CARGO_TARGET_DIR let parallel work build its own bundle without touching dist/.
out=${DIST:-dist}
target=${CARGO_TARGET_DIR:-target}

bin=node_modules/.bin
tools/setup-toolchain.sh
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --release --target wasm32-unknown-unknown --features slim
raw=$target/wasm32-unknown-unknown/release/hush.wasm
tmp=$target/bundle
rm -rf "$tmp"
mkdir -p "$tmp/out"

# Same .wasm for both targets; only the JS glue differs.
wasm-bindgen --target no-modules --no-typescript --out-dir "$tmp/classic" --out-name hush "$raw"
wasm-bindgen --target web --no-typescript --out-dir "$tmp/esm" --out-name hush "$raw"

# Debian's binaryen is too old (its output fails in Chromium); npm's binaryen 132 is right.
# Never -all: the output would not load in Chromium or Node. `--flatten --rereloop` before
# two -Oz rounds: 0.6 KB gzip smaller than -Oz alone (binaryen 132).
"$bin/wasm-opt" --flatten --rereloop -Oz -Oz --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$tmp/classic/hush_bg.wasm" -o "$tmp/out/hush_bg.wasm"

# Short import names in the wasm and both glues (js/min-imports.cjs says why).
node js/min-imports.cjs "$tmp/out/hush_bg.wasm" "$tmp/classic/hush.js" "$tmp/esm/hush.js"

# Classic script: the glue and our loader share one function scope (no globals leak).
# The loader only calls `wasm_bindgen()`: drop the glue's initSync, and the encodeInto
# fallback (every browser with wasm reference types has TextEncoder.encodeInto). Each cut
# must match exactly once, so a wasm-bindgen upgrade that changes the glue stops the build.
node -e '
const fs = require("fs");
let s = fs.readFileSync(process.argv[1], "utf8");
for (const [from, to] of [
  [/\n    function initSync\(module\) \{[^]*?\n    \}\n/g, "\n"],
  [/Object\.assign\(__wbg_init, \{ initSync \}, exports\)/g, "Object.assign(__wbg_init, exports)"],
  [/\n    if \(!\(.encodeInto. in cachedTextEncoder\)\) \{[^]*?\n    \}\n/g, "\n"],
]) {
  const n = (s.match(from) || []).length;
  if (n !== 1) { console.error("build.sh: glue cut " + from + " matched " + n + " times"); process.exit(1); }
  s = s.replace(from, to);
}
fs.writeFileSync(process.argv[1], s);
' "$tmp/classic/hush.js"
{ echo '(function(){"use strict";'; cat "$tmp/classic/hush.js" js/loader.js; echo '})();'; } > "$tmp/hush.js"
"$bin/esbuild" --log-level=warning --minify --target=es2018 "$tmp/hush.js" --outfile="$tmp/out/hush.js"
"$bin/esbuild" --log-level=warning --minify --format=esm --target=es2020 "$tmp/esm/hush.js" --outfile="$tmp/out/hush_web.js"
cp js/index.js js/index.d.ts "$tmp/out/"
# Swap in whole, so a test server never serves a half-written bundle.
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$tmp/out" "$out"

printf '%-22s %9s %9s\n' file raw gzip
for f in "$out"/hush.js "$out"/hush_bg.wasm "$out"/index.js "$out"/index.d.ts "$out"/hush_web.js; do
  printf '%-22s %9d %9d\n' "$f" "$(wc -c < "$f")" "$(gzip -9c "$f" | wc -c)"
done
total=$(( $(gzip -9c "$out"/hush.js | wc -c) + $(gzip -9c "$out"/hush_bg.wasm | wc -c) ))
echo "script tag (hush.js + hush_bg.wasm), gzip: $total bytes"
