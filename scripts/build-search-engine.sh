#!/usr/bin/env bash
# Builds the search engine (the `campfire-search` crate in search-engine/)
# for WebAssembly and writes layouts/assets/search-engine.js: the module,
# gzip-compressed and base64-encoded, for assets/search.js to instantiate
# (a script, not a .wasm fetched at run time, so search works from file://).
#
# The asset is committed, so `cargo install` and `campfire build` need no
# WebAssembly toolchain; run this after changing search-engine/.
#
#   scripts/build-search-engine.sh          # rebuild the asset
#   scripts/build-search-engine.sh --check  # fail if the committed asset is
#                                           # not what the source builds to
set -euo pipefail
cd "$(dirname "$0")/.."

asset=layouts/assets/search-engine.js
target_dir=target
if [ "${1:-}" = "--check" ]; then
  # A build from nothing, so the comparison also shows the build is
  # deterministic (not merely that the last build's file is unchanged).
  target_dir=$(mktemp -d)
  trap 'rm -rf "$target_dir"' EXIT
fi
wasm=$target_dir/wasm32-unknown-unknown/wasm/campfire_search.wasm

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# Paths in the module (there should be none) do not depend on where the
# repository or the cargo registry are: same source, same bytes.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
RUSTFLAGS="--remap-path-prefix=$PWD=/campfire --remap-path-prefix=$cargo_home=/cargo" \
  cargo rustc --quiet --target-dir "$target_dir" -p campfire-search --profile wasm \
    --target wasm32-unknown-unknown --crate-type cdylib

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
  committed=$(sed -n 's/^window.campfireSearchWasm="\(.*\)";$/\1/p' "$asset" | base64 -d | gzip -dc | sha256sum | cut -d' ' -f1)
  built_with=$(sed -n 's/.* rustc \([^;]*\);.*/\1/p' "$asset" | head -1)
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
  printf '/* The search engine (search-engine/, Rust) compiled to WebAssembly, gzip, base64: %s bytes of WebAssembly built by scripts/build-search-engine.sh with rustc %s; wasm sha256 %s; source sha256 %s. Do not edit. */\n' \
    "$wasm_bytes" "$rustc_version" "$wasm_sha" "$(source_hash)"
  printf 'window.campfireSearchWasm="%s";\n' "$(gzip -9 -n -c "$wasm" | base64 -w0)"
} > "$asset.tmp"
mv "$asset.tmp" "$asset"
echo "wrote $asset: $(wc -c < "$asset") bytes ($wasm_bytes bytes of WebAssembly, $(gzip -9 -n -c "$wasm" | wc -c) gzipped)"
