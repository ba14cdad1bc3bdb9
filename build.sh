#!/usr/bin/env bash
# Builds the release bundle into dist/:
#   hush.js + hush_bg.wasm   the script-tag drop-in for matomo.js (classic script)
#   index.js + index.d.ts    the npm ES module (the same shell and wasm loader bundled in) and its types
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

# No wasm-bindgen pass: the wasm's boundary is three plain exports and one import
# (src/export.rs), spoken by js/wasm.js.
mkdir -p "$tmp/src"
cp js/*.js "$tmp/src/"

# Texts only a formatting panic / out-of-memory report would read are zeroed first, so that
# wasm-opt's memory packing drops them (tools/drop-dead-data.mjs says why that is safe).
node tools/drop-dead-data.mjs "$raw" "$tmp/hush.wasm" >/dev/null
# Debian's binaryen is too old (its output fails in Chromium); npm's binaryen 132 is right.
# Never -all: the output would not load in Chromium or Node. `--flatten --rereloop` before
# two -Oz rounds: 0.6 KB gzip smaller than -Oz alone (binaryen 132).
"$bin/wasm-opt" --flatten --rereloop -Oz -Oz --strip-debug --strip-producers --strip-target-features \
  --remove-exports --pass-arg='remove-exports@__*' \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  "$tmp/hush.wasm" -o "$tmp/out/hush_bg.wasm"

# hush.js: one classic script (IIFE, no globals). esbuild bundles and minifies, then terser
# compresses and mangles again: terser's mangler names by frequency, which gzips ~0.2 KB
# better. Only safe options (no booleans_as_integers: the API returns real booleans).
"$bin/esbuild" --log-level=warning --bundle --minify \
  --format=iife --target=es2018 "$tmp/src/loader.js" --outfile="$tmp/hush.esbuild.js"
"$bin/terser" "$tmp/hush.esbuild.js" --ecma 2018 --compress passes=2,ecma=2018 --mangle \
  --output "$tmp/out/hush.js"
# index.js: the npm ES module (the app's bundler may minify again; direct <script type=module> use stays small).
"$bin/esbuild" --log-level=warning --bundle --minify --format=esm --target=es2020 \
  "$tmp/src/index.js" --outfile="$tmp/out/index.js"
cp js/index.d.ts "$tmp/out/"
# Swap in whole, so a test server never serves a half-written bundle.
rm -rf "$out"
mkdir -p "$(dirname "$out")"
mv "$tmp/out" "$out"

printf '%-22s %9s %9s\n' file raw gzip
for f in "$out"/hush.js "$out"/hush_bg.wasm "$out"/index.js "$out"/index.d.ts; do
  printf '%-22s %9d %9d\n' "$f" "$(wc -c < "$f")" "$(gzip -9c "$f" | wc -c)"
done
total=$(( $(gzip -9c "$out"/hush.js | wc -c) + $(gzip -9c "$out"/hush_bg.wasm | wc -c) ))
echo "script tag (hush.js + hush_bg.wasm), gzip: $total bytes"
