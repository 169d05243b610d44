#!/usr/bin/env bash
# Runs every test: formatting, lints, Rust unit and integration tests, and
# the browser tests in headless Chromium (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== search engine (WebAssembly) matches its source"
bash scripts/build-search-engine.sh --check
echo "== cargo fmt --check"
cargo fmt -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p campfire-search --target wasm32-unknown-unknown -- -D warnings
echo "== cargo test"
cargo test --workspace --all-targets
if [ -d tests/browser ]; then
  echo "== browser tests"
  bash scripts/install-browser-deps.sh
  cargo build --release
  node --test tests/browser/
fi
