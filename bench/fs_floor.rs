//! The file-system floor: how long it takes merely to create a site's output
//! files, with nothing else to do.
//!
//!     rustc -O bench/fs_floor.rs -o bench/target/fs_floor
//!     bench/target/fs_floor REFERENCE_DIR TARGET_DIR [--threads N]
//!
//! Reads every file under REFERENCE_DIR into memory (untimed), then times
//! creating the same directories (create_dir_all) and files (fs::write) under
//! TARGET_DIR, which should not exist or be empty. Prints the elapsed seconds
//! on stdout, alone on a line; a summary goes to stderr.
//!
//! Single-threaded by default: that is the plainest reading of "the time it
//! takes to create the files". `--threads N` splits the files over N threads
//! (each creating its own files' directories) to show how much the file
//! system itself scales on this machine.

use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::exit;
use std::time::Instant;

struct Entry {
    rel: PathBuf,
    bytes: Vec<u8>,
}

fn collect(root: &Path, rel: &Path, dirs: &mut Vec<PathBuf>, files: &mut Vec<Entry>) -> io::Result<()> {
    let mut entries: Vec<_> = fs::read_dir(root.join(rel))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ft = e.file_type()?;
        let r = rel.join(e.file_name());
        if ft.is_dir() {
            dirs.push(r.clone());
            collect(root, &r, dirs, files)?;
        } else if ft.is_file() || ft.is_symlink() {
            let bytes = fs::read(root.join(&r))?;
            files.push(Entry { rel: r, bytes });
        }
    }
    Ok(())
}

fn replay(target: &Path, dirs: &[PathBuf], files: &[Entry]) -> io::Result<()> {
    fs::create_dir_all(target)?;
    for d in dirs {
        fs::create_dir_all(target.join(d))?;
    }
    for f in files {
        fs::write(target.join(&f.rel), &f.bytes)?;
    }
    Ok(())
}

fn replay_threads(target: &Path, dirs: &[PathBuf], files: &[Entry], n: usize) -> io::Result<()> {
    fs::create_dir_all(target)?;
    // Each thread creates the directories its files need; the empty ones
    // (rare in a site) are created up front.
    let has_file: std::collections::HashSet<&Path> =
        files.iter().filter_map(|f| f.rel.parent()).collect();
    for d in dirs {
        if !has_file.contains(d.as_path()) {
            fs::create_dir_all(target.join(d))?;
        }
    }
    let chunk = files.len().div_ceil(n.max(1)).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || -> io::Result<()> {
                    let mut last: Option<&Path> = None;
                    for f in part {
                        let parent = f.rel.parent().unwrap_or(Path::new(""));
                        if last != Some(parent) {
                            fs::create_dir_all(target.join(parent))?;
                            last = Some(parent);
                        }
                        fs::write(target.join(&f.rel), &f.bytes)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().expect("writer thread panicked")?;
        }
        Ok(())
    })
}

fn usage() -> ! {
    eprintln!("usage: fs_floor REFERENCE_DIR TARGET_DIR [--threads N]");
    exit(2)
}

fn main() {
    let mut args = env::args().skip(1);
    let mut pos = Vec::new();
    let mut threads = 1usize;
    while let Some(a) = args.next() {
        if a == "--threads" {
            threads = args.next().and_then(|v| v.parse().ok()).filter(|&n| n >= 1).unwrap_or_else(|| usage());
        } else if a.starts_with("--") {
            usage();
        } else {
            pos.push(PathBuf::from(a));
        }
    }
    if pos.len() != 2 {
        usage();
    }
    let (reference, target) = (&pos[0], &pos[1]);
    if let Ok(mut rd) = fs::read_dir(target) {
        if rd.next().is_some() {
            eprintln!("fs_floor: {} is not empty; give a fresh directory", target.display());
            exit(2);
        }
    }

    let mut dirs = Vec::new();
    let mut files = Vec::new();
    if let Err(e) = collect(reference, Path::new(""), &mut dirs, &mut files) {
        eprintln!("fs_floor: reading {}: {e}", reference.display());
        exit(1);
    }
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();

    let start = Instant::now();
    let res = if threads == 1 {
        replay(target, &dirs, &files)
    } else {
        replay_threads(target, &dirs, &files, threads)
    };
    let secs = start.elapsed().as_secs_f64();
    if let Err(e) = res {
        eprintln!("fs_floor: writing {}: {e}", target.display());
        exit(1);
    }
    eprintln!(
        "fs_floor: {} dirs, {} files, {:.1} MB in {:.3} s ({} thread{})",
        dirs.len(),
        files.len(),
        total as f64 / 1e6,
        secs,
        threads,
        if threads == 1 { "" } else { "s" }
    );
    println!("{secs:.6}");
}
