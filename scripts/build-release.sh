#!/usr/bin/env bash
# The fastest campfire: a release build optimised with a profile of its own
# work (profile-guided optimisation, PGO). 9-14% less CPU in a 10,000-story
# build than `cargo build --release` (README, Benchmarks); takes some 10
# minutes.
#
#   scripts/build-release.sh [--install]
#   scripts/build-release.sh --train-with BINARY   # step 2 alone (the tests run it)
#
# 1. builds campfire instrumented to count what its code does;
# 2. runs it on a training corpus (bench/gen_corpus.py, another seed and
#    size than the benchmark's), its bodies also packed as a big site's
#    are (CAMPFIRE_PACK_ABOVE=0), on the demo site, `check` on both, and a
#    short `serve` with two edits;
# 3. builds it again with those counts (rustc -Cprofile-use).
#
# The binary is target/pgo/campfire; --install also copies it to
# $CARGO_HOME/bin (where `cargo install` puts it). Needs python3 and
# rustup's llvm-tools component (installed here if missing: its
# llvm-profdata matches rustc's LLVM).
set -euo pipefail
CALLER=$PWD
cd "$(dirname "$0")/.."
REPO=$PWD

usage() { echo "usage: scripts/build-release.sh [--install | --train-with BINARY]" >&2; exit 2; }
INSTALL=0
TRAIN_WITH=""
while (( $# )); do
  case $1 in
    --install) INSTALL=1 ;;
    --train-with) [[ $# -ge 2 ]] || usage; TRAIN_WITH=$(cd "$CALLER" && realpath "$2"); shift ;;
    *) usage ;;
  esac
  shift
done

say() { printf 'build-release: %s\n' "$*" >&2; }
trap 'say "failed (line $LINENO)"' ERR

PGO=$REPO/target/pgo
PROFILES=$PGO/profiles
TRAIN=$PGO/train
PROFDATA=$PGO/campfire.profdata

# What the profile is made of: a run of each part of campfire, with $1.
train() {
  local BIN=$1
  rm -rf "$TRAIN"
  mkdir -p "$TRAIN"
  python3 bench/gen_corpus.py --stories 3000 --terms 300 --cases 150 --seed 7 \
    --out "$TRAIN/corpus" >/dev/null
  # Each command's output is shown only if it fails.
  quiet() { "$@" >"$TRAIN/command.log" 2>&1 || { say "failed: $*"; cat "$TRAIN/command.log" >&2; exit 1; }; }
  quiet "$BIN" build --root "$TRAIN/corpus" --output "$TRAIN/out"
  CAMPFIRE_PACK_ABOVE=0 quiet "$BIN" build --root "$TRAIN/corpus" --output "$TRAIN/out-packed"
  quiet "$BIN" build --root "$REPO" --output "$TRAIN/demo"
  quiet "$BIN" check --root "$REPO"
  quiet "$BIN" check --root "$TRAIN/corpus"
  quiet "$BIN" search "refund delay" --root "$REPO" --output "$TRAIN/demo"

  # serve: startup, two pages, a story's and a term's edit, then Ctrl-C
  # (the counts are written as the process exits).
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$BIN" serve --root "$TRAIN/corpus" --port "$PORT" >"$TRAIN/serve.log" 2>&1 &
  SERVE=$!
  trap 'kill $SERVE 2>/dev/null || true' EXIT
  URL=http://127.0.0.1:$PORT
  fetch() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10).read()' "$1" 2>/dev/null; }
  for _ in $(seq 300); do
    fetch "$URL/" && break
    kill -0 $SERVE 2>/dev/null || { cat "$TRAIN/serve.log" >&2; exit 1; }
    sleep 0.2
  done
  fetch "$URL/" || { say "serve did not answer at $URL within 60 s:"; cat "$TRAIN/serve.log" >&2; exit 1; }
  fetch "$URL/stories/index.html"
  story=$(find "$TRAIN/corpus/content/stories" -name '*.md' | sort | sed -n 1p)
  term=$(find "$TRAIN/corpus/content/glossary" -name '*.md' | sort | sed -n 1p)
  printf '\nOne more paragraph, saved while serving.\n' >>"$story"
  sleep 3
  printf '\nOne more sentence about this term.\n' >>"$term"
  sleep 3
  fetch "$URL/glossary/index.html"
  kill -INT $SERVE
  wait $SERVE || true
  trap - EXIT
  # The first build and one rebuild for each save.
  local builds
  builds=$(grep -c 'files changed' "$TRAIN/serve.log" || true)
  if (( builds < 3 )); then
    say "serve rebuilt $((builds - 1)) time(s) for 2 saves:"
    cat "$TRAIN/serve.log" >&2
    exit 1
  fi
  say "serve: the first build and $((builds - 1)) rebuilds"
  rm -rf "$TRAIN"
}

if [[ -n $TRAIN_WITH ]]; then
  say "training with $TRAIN_WITH"
  train "$TRAIN_WITH"
  say "training ran"
  exit 0
fi

host=$(rustc -vV | sed -n 's/^host: //p')
LLVM_PROFDATA=$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata
if [[ ! -x $LLVM_PROFDATA ]]; then
  say "rustup component add llvm-tools"
  rustup component add llvm-tools
fi

# The same release profile (fat LTO) for both builds; each its own target
# directory, as their flags differ.
say "1/3 instrumented build"
rm -rf "$PROFILES"
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-generate=$PROFILES" \
  cargo build --release --quiet --bin campfire --target-dir "$PGO/instrumented"

say "2/3 training"
train "$PGO/instrumented/release/campfire"

say "3/3 optimised build"
"$LLVM_PROFDATA" merge -o "$PROFDATA" "$PROFILES"
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-use=$PROFDATA" \
  cargo build --release --quiet --bin campfire --target-dir "$PGO/optimised"
cp "$PGO/optimised/release/campfire" "$PGO/campfire"
say "done: $PGO/campfire"

if (( INSTALL )); then
  dest=${CARGO_HOME:-$HOME/.cargo}/bin
  mkdir -p "$dest"
  cp "$PGO/campfire" "$dest/campfire"
  say "installed: $dest/campfire"
fi
