#!/usr/bin/env bash
# Builds the search engine (the `campfire-search` crate in search-engine/)
# for WebAssembly and writes layouts/assets/search-engine.js: the module,
# gzip-compressed and base64-encoded, for assets/search.js to instantiate
# (a script, not a .wasm fetched at run time, so search works from file://).
#
# It also minifies layouts/assets/search.js (the readable source) into
# src/search/search.min.js, which `campfire build` ships as assets/search.js
# (a first query downloads it). Both tools, esbuild and binaryen's wasm-opt,
# are npm packages pinned in package.json, installed here if missing.
#
# Both outputs are committed, so `cargo install` and `campfire build` need no
# WebAssembly toolchain or Node.js; run this after changing search-engine/ or
# layouts/assets/search.js.
#
#   scripts/build-search-engine.sh          # rebuild the asset
#   scripts/build-search-engine.sh --check  # fail if the committed asset is
#                                           # not what the source builds to
#                                           # (either of the two outputs)
set -euo pipefail
cd "$(dirname "$0")/.."

asset=layouts/assets/search-engine.js
script_src=layouts/assets/search.js
script_min=src/search/search.min.js

if [ ! -x node_modules/.bin/esbuild ] || [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/@gfx/zopfli ]; then
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  npm ci --no-audit --no-fund
fi
esbuild_version=$(node_modules/.bin/esbuild --version)
wasm_opt_version=$(node_modules/.bin/wasm-opt --version | sed -n 's/.*version \([0-9]*\).*/\1/p')

# search.js, minified (esbuild is deterministic: same input, same bytes).
minify_script() {
  printf '/* layouts/assets/search.js minified (scripts/build-search-engine.sh): esbuild %s; source sha256 %s */\n' \
    "$esbuild_version" "$(sha256sum "$script_src" | cut -d' ' -f1)"
  node_modules/.bin/esbuild --minify --target=es2017 --log-level=warning < "$script_src"
}
if [ "${1:-}" = "--check" ]; then
  if ! minify_script | cmp -s - "$script_min"; then
    echo "$script_min is not $script_src as esbuild $esbuild_version minifies it: run scripts/build-search-engine.sh" >&2
    exit 1
  fi
  echo "$script_min matches $script_src ($(wc -c < "$script_min") bytes)"
else
  minify_script > "$script_min.tmp"
  mv "$script_min.tmp" "$script_min"
  echo "wrote $script_min: $(wc -c < "$script_min") bytes ($(wc -c < "$script_src") bytes of source)"
fi
target_dir=target
if [ "${1:-}" = "--check" ]; then
  # A build from nothing, so the comparison also shows the build is
  # deterministic (not merely that the last build's file is unchanged).
  target_dir=$(mktemp -d)
  trap 'rm -rf "$target_dir"' EXIT
fi
rustc_wasm=$target_dir/wasm32-unknown-unknown/wasm/campfire_search.wasm
wasm=$target_dir/campfire_search.opt.wasm

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# Paths in the module (there should be none) do not depend on where the
# repository or the cargo registry are: same source, same bytes.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
RUSTFLAGS="--remap-path-prefix=$PWD=/campfire --remap-path-prefix=$cargo_home=/cargo" \
  cargo rustc --quiet --target-dir "$target_dir" -p campfire-search --profile wasm \
    --target wasm32-unknown-unknown --crate-type cdylib

# binaryen's optimiser for size: about 12% less WebAssembly than rustc's
# opt-level "z" alone. The features are those rustc enables for
# wasm32-unknown-unknown (`rustc --print cfg --target wasm32-unknown-unknown`).
node_modules/.bin/wasm-opt -Oz --converge --strip-debug --strip-producers \
  --enable-bulk-memory --enable-multivalue --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
  "$rustc_wasm" -o "$wasm"

# The hash of the engine's source, recorded in the asset (a browser test
# checks it against the source, so a change to the engine without a rebuild
# fails the tests).
source_hash() {
  { echo search-engine/Cargo.toml; find search-engine/src -name '*.rs'; } | LC_ALL=C sort |
    while read -r f; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -d' ' -f1
}

rustc_version=$(rustc --version | cut -d' ' -f2)
wasm_sha=$(sha256sum "$wasm" | cut -d' ' -f1)
wasm_bytes=$(wc -c < "$wasm")

if [ "${1:-}" = "--check" ]; then
  committed=$(node scripts/pack-wasm.mjs decode "$asset" | sha256sum | cut -d' ' -f1)
  built_with=$(sed -n 's/.* rustc \([^; ]*\)[; ].*/\1/p' "$asset" | head -1)
  recorded_source=$(sed -n 's/.*source sha256 \([0-9a-f]*\).*/\1/p' "$asset" | head -1)
  if [ "$recorded_source" != "$(source_hash)" ]; then
    echo "$asset was built from another version of search-engine/: run scripts/build-search-engine.sh" >&2
    exit 1
  fi
  if [ "$committed" = "$wasm_sha" ]; then
    echo "$asset matches a fresh build ($wasm_bytes bytes of WebAssembly, rustc $rustc_version)"
  elif [ "$built_with" != "$rustc_version" ]; then
    echo "$asset was built with rustc $built_with, this is $rustc_version: not comparing bytes (the source hash matches)"
  else
    echo "$asset differs from a fresh build of search-engine/ with the same rustc: run scripts/build-search-engine.sh" >&2
    exit 1
  fi
  exit 0
fi

{
  # Kept short: a first query downloads it.
  printf '/* search-engine/ as WebAssembly, zopfli, basE91 (scripts/build-search-engine.sh): rustc %s; wasm-opt %s; %s bytes; source sha256 %s */\n' \
    "$rustc_version" "$wasm_opt_version" "$wasm_bytes" "$(source_hash)"
  printf "window.campfireSearchWasm='%s';\n" "$(node scripts/pack-wasm.mjs encode "$wasm")"
} > "$asset.tmp"
mv "$asset.tmp" "$asset"
echo "wrote $asset: $(wc -c < "$asset") bytes ($wasm_bytes bytes of WebAssembly)"
