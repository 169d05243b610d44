#!/usr/bin/env bash
# Runs every test: formatting, lints, Rust unit and integration tests, the
# browser tests in headless Chromium (installed here if missing), and the
# profile-guided release build's training run.
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
# The profile-guided release build trains on these commands: they must
# keep running (and serve must rebuild on each save).
echo "== scripts/build-release.sh --train-with target/release/campfire"
cargo build --release --quiet
bash scripts/build-release.sh --train-with target/release/campfire
