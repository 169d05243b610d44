//! Write: put the rendered files on disk. A full build writes into a staging
//! directory beside the output and swaps it in only once everything is
//! written, so a failed build never leaves a half-written site behind.

use std::io;
use std::path::{Path, PathBuf};

use crate::render::{Contents, OutputFile, Sink};

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

/// A fresh directory beside the output that pages are written into as they
/// are rendered; [`Staging::commit`] swaps it in place of the output. If the
/// build fails it is dropped, and the output is never touched.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    committed: bool,
}

impl Staging {
    pub fn begin(output: &Path) -> Result<Staging, WriteError> {
        if !replaceable(output) {
            return Err(WriteError::NotOurs(output.to_path_buf()));
        }
        if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let dir = sibling(output, "staging");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_err(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        Ok(Staging {
            dir,
            output: output.to_path_buf(),
            committed: false,
        })
    }

    /// Swaps the staged tree in place of the output.
    pub fn commit(mut self) -> Result<(), WriteError> {
        std::fs::write(
            self.dir.join(MARKER),
            "Written by Campfire; replaced on every build.\n",
        )
        .map_err(io_err(&self.dir))?;
        let old = sibling(&self.output, "old");
        let had_output = self.output.exists();
        if had_output {
            std::fs::rename(&self.output, &old).map_err(io_err(&self.output))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.output) {
            if had_output {
                let _ = std::fs::rename(&old, &self.output);
            }
            return Err(io_err(&self.output)(e));
        }
        self.committed = true;
        if had_output {
            std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) -> Result<(), String> {
        write_file(&self.dir, &file).map_err(|e| e.to_string())
    }
}

/// Writes `files` into a fresh directory, then swaps it in place of `output`.
pub fn write_site(output: &Path, files: Vec<OutputFile>) -> Result<(), WriteError> {
    let staging = Staging::begin(output)?;
    for f in files {
        write_file(&staging.dir, &f)?;
    }
    staging.commit()
}

/// Replaces one file under a directory that is being served: written to a
/// temporary name, then renamed, so no reader ever sees half a file.
pub fn replace_file(dir: &Path, f: &OutputFile) -> Result<(), WriteError> {
    let tmp = OutputFile {
        path: format!("{}.campfire-tmp", f.path),
        contents: f.contents.clone(),
    };
    write_file(dir, &tmp)?;
    std::fs::rename(dir.join(&tmp.path), dir.join(&f.path)).map_err(io_err(&dir.join(&f.path)))
}

/// Writes one file under `dir`, creating its folders.
pub fn write_file(dir: &Path, f: &OutputFile) -> Result<(), WriteError> {
    let path = dir.join(&f.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    match &f.contents {
        Contents::Bytes(b) => std::fs::write(&path, b),
        Contents::Static(b) => std::fs::write(&path, b),
        Contents::Shared(b) => std::fs::write(&path, b.as_slice()),
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
        write_site(&out, vec![file("a/index.html", "A"), file("old.html", "x")]).unwrap();
        write_site(&out, vec![file("a/index.html", "B")]).unwrap();
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
    fn an_abandoned_staging_leaves_the_output_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, vec![file("index.html", "old")]).unwrap();
        {
            let staging = Staging::begin(&out).unwrap();
            staging.put(file("index.html", "new")).unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn refuses_to_replace_a_foreign_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("precious.txt"), "keep").unwrap();
        let err = write_site(dir.path(), vec![file("index.html", "x")]).unwrap_err();
        assert!(err.to_string().contains("was not made by Campfire"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("precious.txt")).unwrap(),
            "keep"
        );
    }
}
