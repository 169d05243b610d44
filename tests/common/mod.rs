//! Helpers shared by the integration tests: fixture sites copied into temp
//! dirs, the `campfire` binary, and whole-directory snapshots.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh copy of a fixture site in a temp dir (the dir is removed on drop).
pub fn site_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn campfire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_campfire"))
        .args(args)
        .output()
        .unwrap()
}

pub fn campfire_in(root: &Path, args: &[&str]) -> Output {
    campfire_in_env(root, args, &[])
}

/// [`campfire_in`] with these environment variables set.
pub fn campfire_in_env(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_campfire"))
        .args(args)
        .arg("--root")
        .arg(root)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Builds `root` into `root/public`, panicking with the messages on failure.
pub fn build(root: &Path) -> PathBuf {
    let o = campfire_in(root, &["build"]);
    assert!(o.status.success(), "build failed:\n{}", stderr(&o));
    root.join("public")
}

pub fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir` with its bytes, to show a directory is untouched.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Builds once, breaks the site with `mutate`, builds again: the second
/// build must fail with `expected` in its messages and touch nothing.
pub fn fails_cleanly(mutate: impl FnOnce(&Path), expected: &[&str]) -> String {
    let site = site_copy("basic");
    let public = build(site.path());
    let before = snapshot(&public);
    assert!(before.len() > 20);
    mutate(site.path());
    let o = campfire_in(site.path(), &["build"]);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "exit status 1 for content errors; stderr:\n{err}"
    );
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in:\n{err}");
    }
    assert!(
        err.contains("the previous output was left untouched"),
        "{err}"
    );
    assert_eq!(
        snapshot(&public),
        before,
        "public/ changed after a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging") || n.contains("-old-"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
    err
}

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
pub struct Rng(u64);

impl Rng {
    /// Spreads any seed (small ones included) over the state; xorshift
    /// needs a non-zero state.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)).max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Where two versions of a file part, with some text around it on each
/// side: enough to tell from a CI log what a cache missed.
pub fn first_difference(served: &[u8], fresh: &[u8]) -> String {
    let at = served
        .iter()
        .zip(fresh)
        .position(|(a, b)| a != b)
        .unwrap_or(served.len().min(fresh.len()));
    let around = |bytes: &[u8]| {
        let from = at.saturating_sub(300);
        let to = (at + 300).min(bytes.len());
        String::from_utf8_lossy(&bytes[from..to]).into_owned()
    };
    format!(
        "at byte {at} of {} (served) and {} (fresh)\n--- served:\n{}\n--- fresh:\n{}",
        served.len(),
        fresh.len(),
        around(served),
        around(fresh)
    )
}

/// The warning lines of printed diagnostics, sorted: what serve and a
/// fresh build are compared by.
pub fn warning_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| l.contains(": warning: "))
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}
