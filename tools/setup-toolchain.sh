#!/usr/bin/env bash
# Installs what building hush needs, if missing: the wasm32 Rust target and the npm dev
# dependencies; with --tests also the wasm-bindgen CLI at exactly the crate's version in
# Cargo.lock (its test runner runs tests/browser.rs; the bundle itself does not use it).
# Idempotent and quick when everything is there; used by build.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

# A crate/CLI mismatch stops wasm-bindgen with a "schema version" error. No --locked: the
# CLI's own lock file pins a crate version this registry does not serve.
wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "${1:-}" = --tests ] && [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wb" ]; then
  cargo install wasm-bindgen-cli --version "$wb"
fi

if ! { [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/esbuild ] && [ -x node_modules/.bin/terser ]; }; then
  # npm ci empties node_modules first: through a symlink (a worktree sharing another
  # checkout's install) it would empty that shared install. Say so instead.
  if [ -L node_modules ]; then
    echo "setup-toolchain: node_modules -> $(readlink node_modules) lacks wasm-opt, esbuild or terser; run npm ci there" >&2
    exit 1
  fi
  npm ci --no-audit --no-fund
fi
