//! Write: put the rendered files on disk. A full build writes into a staging
//! directory beside the output and swaps it in only once everything is
//! written, so a failed build never leaves a half-written site behind.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::{Contents, OutputFile};

/// Marks a directory as Campfire's output, so it may be replaced wholesale.
pub const MARKER: &str = ".campfire";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{0} already exists, is not empty and was not made by Campfire; refusing to replace it (choose another --output, or empty it first)"
    )]
    NotOurs(PathBuf),
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Whether `dir` may be replaced: missing, empty, or made by us.
fn replaceable(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Err(_) => true,
        Ok(mut entries) => dir.join(MARKER).exists() || entries.next().is_none(),
    }
}

fn sibling(output: &Path, tag: &str) -> PathBuf {
    let name = output
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    output.with_file_name(format!(".{name}-{tag}-{}", std::process::id()))
}

/// Writes `files` into a fresh directory, then swaps it in place of `output`.
pub fn write_site(output: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    if !replaceable(output) {
        return Err(WriteError::NotOurs(output.to_path_buf()));
    }
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    let staging = sibling(output, "staging");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(io_err(&staging))?;
    let written = write_files(&staging, files).and_then(|()| {
        std::fs::write(
            staging.join(MARKER),
            "Written by Campfire; replaced on every build.\n",
        )
        .map_err(io_err(&staging))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let old = sibling(output, "old");
    let had_output = output.exists();
    if had_output {
        std::fs::rename(output, &old).map_err(io_err(output))?;
    }
    if let Err(e) = std::fs::rename(&staging, output) {
        if had_output {
            let _ = std::fs::rename(&old, output);
        }
        return Err(io_err(output)(e));
    }
    if had_output {
        std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(())
}

/// Writes files under `dir`, creating folders first, then files in parallel.
pub fn write_files(dir: &Path, files: &[OutputFile]) -> Result<(), WriteError> {
    let folders: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|p| dir.join(p)))
        .collect();
    for folder in &folders {
        std::fs::create_dir_all(folder).map_err(io_err(folder))?;
    }
    files.par_iter().try_for_each(|f| write_file(dir, f))
}

pub fn write_file(dir: &Path, f: &OutputFile) -> Result<(), WriteError> {
    let path = dir.join(&f.path);
    match &f.contents {
        Contents::Bytes(b) => std::fs::write(&path, b),
        Contents::Static(b) => std::fs::write(&path, b),
        Contents::Copy(from) => std::fs::copy(from, &path).map(|_| ()),
    }
    .map_err(io_err(&path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: Contents::Bytes(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn swaps_in_a_fresh_tree_and_drops_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a/index.html", "A"), file("old.html", "x")]).unwrap();
        write_site(&out, &[file("a/index.html", "B")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "B"
        );
        assert!(!out.join("old.html").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(
            leftovers.len(),
            1,
            "staging and old directories are cleaned up"
        );
    }

    #[test]
    fn refuses_to_replace_a_foreign_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        let err = write_site(dir.path(), &[file("index.html", "x")]).unwrap_err();
        assert!(err.to_string().contains("was not made by Campfire"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
            "keep"
        );
    }
}
