#!/usr/bin/env bash
# Size work: builds the release wasm (as build.sh does) and prints its size after
# wasm-opt, raw and gzip -9; `--top N` also lists the N largest functions
# (needs `cargo install twiggy`). Uses CARGO_TARGET_DIR if set; writes only under it.
#   tools/measure-wasm.sh [--top N]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
target=${CARGO_TARGET_DIR:-target}
opt=$(cd "$(dirname "$0")/.." && pwd)/node_modules/.bin/wasm-opt
[ -x "$opt" ] || opt=/work/main/node_modules/.bin/wasm-opt
cargo build --quiet --release --target wasm32-unknown-unknown --features slim
d=$target/measure
rm -rf "$d"; mkdir -p "$d"
node tools/drop-dead-data.mjs "$target/wasm32-unknown-unknown/release/hush.wasm" "$d/hush_bg.wasm" >/dev/null
flags="--flatten --rereloop -Oz -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types --enable-multivalue --enable-mutable-globals"
"$opt" $flags --strip-debug --strip-producers --strip-target-features --remove-exports --pass-arg="remove-exports@__*" "$d/hush_bg.wasm" -o "$d/opt.wasm"
echo "wasm after wasm-opt: raw $(wc -c < "$d/opt.wasm") gzip $(gzip -9c "$d/opt.wasm" | wc -c)"
if [ "${1:-}" = --top ]; then
  "$opt" $flags --debuginfo --strip-dwarf "$d/hush_bg.wasm" -o "$d/named.wasm"
  twiggy top -n "${2:-40}" "$d/named.wasm"
fi
