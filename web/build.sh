#!/usr/bin/env bash
# Build the meso playground into web/dist/ (entry web/dist/index.html, one self-contained
# file that works from file:// and from any static host).
#
# Needs: the Rust target wasm32-unknown-unknown, wasm-bindgen-cli at the version pinned in
# web/engine/Cargo.toml, and `npm ci` done in web/ (.ci/web installs all three).
# CARGO_TARGET_DIR is honoured (default web/engine/target).
set -euo pipefail
cd "$(dirname "$0")"

want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' engine/Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "error: web/build.sh needs wasm-bindgen-cli $want (found: ${have:-none});" >&2
  echo "  install it with: cargo install --locked wasm-bindgen-cli --version =$want" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/esbuild ]; then
  echo "error: web/node_modules is missing; run \`npm ci\` in web/ first" >&2
  exit 1
fi

target_dir=${CARGO_TARGET_DIR:-$PWD/engine/target}
echo "== engine: cargo build --release --target wasm32-unknown-unknown"
cargo build --locked --release --target wasm32-unknown-unknown \
  --manifest-path engine/Cargo.toml --target-dir "$target_dir"

echo "== engine: wasm-bindgen --target web"
rm -rf build && mkdir -p build/pkg
wasm-bindgen --target web --no-typescript --out-dir build/pkg \
  "$target_dir/wasm32-unknown-unknown/release/meso_web_engine.wasm"

wasm=build/pkg/meso_web_engine_bg.wasm
if [ "${MESO_WEB_NO_OPT:-}" = "1" ]; then
  echo "== engine: wasm-opt skipped (MESO_WEB_NO_OPT=1)"
else
  echo "== engine: wasm-opt -Oz (binaryen from npm)"
  node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
fi

echo "== page: esbuild"
rm -rf dist && mkdir -p dist
node_modules/.bin/esbuild src/main.js --bundle --format=iife --minify \
  --target=es2022 --legal-comments=none \
  --outfile=build/main.js --log-level=warning --log-override:empty-import-meta=silent
node_modules/.bin/esbuild src/bench.js --bundle --format=iife --minify \
  --target=es2022 --legal-comments=none \
  --outfile=build/bench.js --log-level=warning --log-override:empty-import-meta=silent
node_modules/.bin/esbuild src/style.css --minify --outfile=build/style.css --log-level=warning

# One file per page: the script (with the engine inlined) and the style go inside the HTML.
node tools/inline.mjs src/index.html build/style.css build/main.js "$wasm" dist/index.html
node tools/inline.mjs src/bench.html build/style.css build/bench.js "$wasm" dist/bench.html

size=$(wc -c < dist/index.html)
gz=$(gzip -9 -c dist/index.html | wc -c)
echo "== built web/dist/index.html: $size bytes, $gz gzipped"
