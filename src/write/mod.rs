//! Write: put the rendered files on disk. A full build writes into a staging
//! directory beside the output and swaps it in only once everything is
//! written, so a failed build never leaves a half-written site behind.
//!
//! Data safety: nothing Campfire did not make is ever moved, replaced or
//! deleted. The output is replaced only when it is missing, an empty
//! directory, or carries [`MARKER`]; staging and old trees carry the marker
//! from the moment they exist, so a later build can tell its own leftovers
//! (from a crash or Ctrl-C) from anything else.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use crate::render::{Contents, OutputFile, Sink};

mod live;
pub use live::{DiffSink, HashingSink, LiveOutput, PageWrites};

/// Marks a directory as Campfire's output, so it may be replaced wholesale.
pub use crate::paths::OUTPUT_MARKER as MARKER;
const MARKER_TEXT: &str = "Written by Campfire; replaced on every build.\n";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{0} already exists, is not empty and was not made by Campfire; refusing to replace it (move it away or empty it first, or write the site elsewhere with `campfire build --output DIR`)"
    )]
    NotOurs(PathBuf),
    #[error(
        "{0} is a file, not a folder; refusing to replace it (move it away, or write the site elsewhere with `campfire build --output DIR`)"
    )]
    NotADirectory(PathBuf),
    #[error(
        "{0} is a symbolic link; refusing to replace it (remove the link, or write the site where it points with `campfire build --output DIR`)"
    )]
    Symlink(PathBuf),
}

/// Why an output directory may not be used at all (a usage error).
#[derive(Debug, thiserror::Error)]
pub enum OutputLocationError {
    #[error(
        "the output folder {output} is the site root: a build would replace the sources (choose e.g. {root}/public)"
    )]
    IsRoot { output: PathBuf, root: PathBuf },
    #[error(
        "the output folder {output} is inside {inside}/, which Campfire reads: the output would become part of the sources (choose a folder outside content/ and layouts/, e.g. {root}/public)"
    )]
    InsideSources {
        output: PathBuf,
        inside: &'static str,
        root: PathBuf,
    },
    #[error(
        "the output folder {output} contains the site root: replacing it would delete the sources (choose a folder inside or beside the site)"
    )]
    ContainsRoot { output: PathBuf },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// `path` made absolute and free of symlinks as far as it exists, so that
/// `content/../content/public` and a symlinked root compare as they are.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// Refuses output folders that would overwrite or feed back into the
/// sources: the root itself, anything under `content/` or `layouts/`, or a
/// folder that contains the root.
pub fn check_output_location(root: &Path, output: &Path) -> Result<(), OutputLocationError> {
    let root_real = resolved(root);
    let out_real = resolved(output);
    if out_real == root_real {
        return Err(OutputLocationError::IsRoot {
            output: output.to_path_buf(),
            root: root.to_path_buf(),
        });
    }
    for inside in [crate::load::CONTENT_DIR, crate::render::theme::LAYOUTS_DIR] {
        if out_real.starts_with(root_real.join(inside)) {
            return Err(OutputLocationError::InsideSources {
                output: output.to_path_buf(),
                inside,
                root: root.to_path_buf(),
            });
        }
    }
    if root_real.starts_with(&out_real) {
        return Err(OutputLocationError::ContainsRoot {
            output: output.to_path_buf(),
        });
    }
    Ok(())
}

/// Whether `dir` may be replaced: missing, an empty directory, or made by
/// us. A regular file or a symlink is never ours to move.
fn check_replaceable(dir: &Path) -> Result<(), WriteError> {
    let meta = match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err(dir)(e)),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Err(WriteError::Symlink(dir.to_path_buf()));
    }
    if !meta.is_dir() {
        return Err(WriteError::NotADirectory(dir.to_path_buf()));
    }
    let mut entries = std::fs::read_dir(dir).map_err(io_err(dir))?;
    if dir.join(MARKER).is_file() || entries.next().is_none() {
        Ok(())
    } else {
        Err(WriteError::NotOurs(dir.to_path_buf()))
    }
}

/// `.{name}-{tag}-{pid}` beside the output.
fn sibling(output: &Path, tag: &str) -> PathBuf {
    output.with_file_name(format!(
        "{}{}",
        sibling_prefix(output, tag),
        std::process::id()
    ))
}

fn sibling_prefix(output: &Path, tag: &str) -> String {
    let name = output.file_name().map_or_else(
        || crate::paths::OUTPUT_DIR.into(),
        |n| n.to_string_lossy().into_owned(),
    );
    format!(".{name}-{tag}-")
}

/// Whether the process `pid` is still running. Where we cannot tell (not
/// Linux), it is assumed alive, so nothing is removed that might be in use.
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes staging and old trees that an earlier Campfire process left
/// beside `output` when it crashed or was killed: only directories whose
/// name is ours, whose process is gone, and that carry the marker.
pub fn remove_stale_siblings(output: &Path) {
    let Some(parent) = output.parent() else {
        return;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        sibling_prefix(output, "staging"),
        sibling_prefix(output, "old"),
    ];
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = prefixes
            .iter()
            .find_map(|p| name.strip_prefix(p.as_str()))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let path = entry.path();
        let ours = entry.file_type().is_ok_and(|t| t.is_dir()) && path.join(MARKER).is_file();
        if ours && pid != std::process::id() && !process_alive(pid) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Staging directories of this process, removed on Ctrl-C (see
/// [`remove_own_staging`]); a killed build would otherwise leave a copy of
/// the site beside the output.
static LIVE_STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Every write into a staging directory (its folders included), and every
/// `write_file`, holds this gate shared; Ctrl-C takes it exclusively and
/// sets it. Taking it waits for the
/// writes under way to end, and every write after sees it set and stops,
/// so no render thread can make a folder (and with it the staging
/// directory again) once the staging directory is being removed.
static INTERRUPTED: RwLock<bool> = RwLock::new(false);

/// Runs `write` unless Ctrl-C was pressed, holding the gate while it runs.
fn unless_interrupted<T>(
    path: &Path,
    write: impl FnOnce() -> Result<T, WriteError>,
) -> Result<T, WriteError> {
    let interrupted = INTERRUPTED.read().unwrap_or_else(|e| e.into_inner());
    if *interrupted {
        return Err(io_err(path)(io::Error::new(
            io::ErrorKind::Interrupted,
            "interrupted",
        )));
    }
    write()
}

/// Stops all writing and removes this process's unfinished staging
/// directories (the Ctrl-C handler calls this before exiting).
pub fn remove_own_staging() {
    *INTERRUPTED.write().unwrap_or_else(|e| e.into_inner()) = true;
    let dirs = LIVE_STAGING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for dir in dirs {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn forget_staging(dir: &Path) {
    LIVE_STAGING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|d| d != dir);
}

/// A fresh directory beside the output that pages are written into as they
/// are rendered; [`Staging::commit`] swaps it in place of the output. If the
/// build fails it is dropped, and the output is never touched.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    committed: bool,
    /// Set when a write found the disk full: the build has failed, and the
    /// files after it fail at once instead of each trying again.
    disk_full: std::sync::OnceLock<String>,
    /// The folders made so far (relative, forward slashes). The staged
    /// tree starts empty, so a file whose folder is not in here goes into
    /// a new folder: it is made first, without trying the write. A write
    /// that fails for want of its folder looks the name up on disk under
    /// the parent's lock, which a thread making a sibling folder holds:
    /// two threads writing `stories/*/index.html` then waited on each
    /// other some 1,000 times a 10,000-story build (about 0.3 s of the
    /// two cores' time).
    made_dirs: Mutex<rustc_hash::FxHashSet<String>>,
}

impl Staging {
    pub fn begin(output: &Path) -> Result<Staging, WriteError> {
        check_replaceable(output)?;
        if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        remove_stale_siblings(output);
        let dir = sibling(output, "staging");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io_err(&dir))?;
        }
        unless_interrupted(&dir, || {
            // Listed before it exists, so that Ctrl-C at any moment from
            // here on removes it.
            LIVE_STAGING
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(dir.clone());
            std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
            // Marked from the start: a crash leaves a tree the next build
            // recognises as its own.
            std::fs::write(dir.join(MARKER), MARKER_TEXT).map_err(io_err(&dir))
        })
        .inspect_err(|_| forget_staging(&dir))?;
        Ok(Staging {
            dir,
            output: output.to_path_buf(),
            committed: false,
            disk_full: std::sync::OnceLock::new(),
            made_dirs: Mutex::default(),
        })
    }

    /// Swaps the staged tree in place of the output.
    pub fn commit(mut self) -> Result<(), WriteError> {
        // Checked again: the output may have changed during the build.
        check_replaceable(&self.output)?;
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
        forget_staging(&self.dir);
        if had_output {
            std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
        }
        Ok(())
    }
}

impl Staging {
    /// Writes `file` into the staged tree, making its folder first when
    /// this build has not made it yet.
    fn write_staged(&self, file: &OutputFile) -> Result<(), WriteError> {
        unless_interrupted(&self.dir, || self.write_staged_now(file))
    }

    fn write_staged_now(&self, file: &OutputFile) -> Result<(), WriteError> {
        if let Some((folder, _)) = file.path.rsplit_once('/') {
            let made = |dirs: &Mutex<rustc_hash::FxHashSet<String>>| {
                dirs.lock().expect("made folders").contains(folder)
            };
            if !made(&self.made_dirs) {
                let path = self.dir.join(folder);
                std::fs::create_dir_all(&path).map_err(io_err(&path))?;
                // Only once it exists: another thread may write into it as
                // soon as it is listed.
                self.made_dirs
                    .lock()
                    .expect("made folders")
                    .insert(folder.to_string());
            }
        }
        write_into(&self.dir, file)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
            forget_staging(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn put(&self, file: OutputFile) -> Result<(), String> {
        if let Some(cause) = self.disk_full.get() {
            return Err(format!("{}: {cause}", self.dir.join(&file.path).display()));
        }
        self.write_staged(&file).map_err(|e| {
            if let WriteError::Io { source, .. } = &e
                && source.kind() == io::ErrorKind::StorageFull
            {
                let _ = self.disk_full.set(source.to_string());
            }
            e.to_string()
        })
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
    write_pending(dir, f)?;
    put_pending_in_place(dir, &f.path)
}

/// The temporary name `rel` is written under before it replaces the file.
pub(crate) fn pending_name(rel: &str) -> String {
    format!("{rel}.campfire-tmp")
}

/// Writes `f` beside its place under `dir`, under its [`pending_name`]; a
/// copy half written (a full disk) is removed again.
pub(crate) fn write_pending(dir: &Path, f: &OutputFile) -> Result<(), WriteError> {
    let tmp = dir.join(pending_name(&f.path));
    // Its folder is there already unless the page is new (a site.yaml
    // edit rewrites every page): try first, as `write_file` does.
    let written = match write_contents(&tmp, &f.contents) {
        Err(WriteError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            create_parent(&tmp)?;
            write_contents(&tmp, &f.contents)
        }
        result => result,
    };
    written.inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Renames the pending copy of `rel` over it (removing the copy if that
/// fails).
pub(crate) fn put_pending_in_place(dir: &Path, rel: &str) -> Result<(), WriteError> {
    let path = dir.join(rel);
    let tmp = dir.join(pending_name(rel));
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(&path)(e)
    })
}

/// Writes one file under `dir`, creating its folders.
pub fn write_file(dir: &Path, f: &OutputFile) -> Result<(), WriteError> {
    unless_interrupted(dir, || write_into(dir, f))
}

fn write_into(dir: &Path, f: &OutputFile) -> Result<(), WriteError> {
    let path = dir.join(&f.path);
    // Most files go into a folder that already exists: trying the write
    // first saves a `mkdir` and a `stat` per file, and the lock `mkdir`
    // takes on the parent folder, which two threads writing into
    // `stories/` would otherwise fight over.
    match write_contents(&path, &f.contents) {
        Err(WriteError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
            create_parent(&path)?;
            write_contents(&path, &f.contents)
        }
        result => result,
    }
}

fn create_parent(path: &Path) -> Result<(), WriteError> {
    match path.parent() {
        Some(parent) => std::fs::create_dir_all(parent).map_err(io_err(parent)),
        None => Ok(()),
    }
}

fn write_contents(path: &Path, contents: &Contents) -> Result<(), WriteError> {
    match contents {
        Contents::Bytes(b) => std::fs::write(path, b),
        Contents::Static(b) => std::fs::write(path, b),
        Contents::Copy(from) => std::fs::copy(from, path).map(|_| ()),
    }
    .map_err(io_err(path))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn file(path: &str, text: &str) -> OutputFile {
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
    fn files_put_side_by_side_into_new_folders_all_land() {
        use rayon::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let staging = Staging::begin(&out).unwrap();
        // Pairs of files share a folder, folders share parents, and the
        // threads race to make them.
        let files: Vec<(String, String)> = (0..400)
            .flat_map(|i| {
                let folder = format!("s{}/e{}", i % 7, i / 2);
                [
                    (format!("{folder}/index.html"), format!("page {i}")),
                    (format!("{folder}/print.html"), format!("print {i}")),
                ]
            })
            .chain([("top.html".to_string(), "top".to_string())])
            .collect();
        files
            .par_iter()
            .for_each(|(path, text)| staging.put(file(path, text)).unwrap());
        staging.commit().unwrap();
        for (path, text) in &files {
            assert_eq!(&std::fs::read_to_string(out.join(path)).unwrap(), text);
        }
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
    fn never_moves_a_regular_file_or_a_symlink_given_as_output() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, "my notes").unwrap();
        let err = write_site(&notes, vec![file("index.html", "x")]).unwrap_err();
        assert!(err.to_string().contains("is a file, not a folder"), "{err}");
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes");
        let link = dir.path().join("site-link");
        #[cfg(unix)]
        {
            let target = dir.path().join("elsewhere");
            std::fs::create_dir(&target).unwrap();
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let err = write_site(&link, vec![file("index.html", "x")]).unwrap_err();
            assert!(err.to_string().contains("symbolic link"), "{err}");
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert!(!target.join("index.html").exists());
        }
        // Nothing beside them either: no hidden renamed copies.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }

    #[test]
    fn stale_staging_of_a_dead_process_is_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // A crashed build's staging: our name, a dead pid, the marker.
        let stale = dir.path().join(".public-staging-999999999");
        std::fs::create_dir_all(stale.join("stories")).unwrap();
        std::fs::write(stale.join(MARKER), MARKER_TEXT).unwrap();
        // Same name pattern, but not made by Campfire: kept.
        let foreign = dir.path().join(".public-staging-999999998");
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("mine.txt"), "keep").unwrap();
        write_site(&out, vec![file("index.html", "x")]).unwrap();
        assert!(!stale.exists(), "a dead build's staging is cleaned up");
        assert_eq!(
            std::fs::read_to_string(foreign.join("mine.txt")).unwrap(),
            "keep"
        );
    }

    #[test]
    fn output_inside_the_sources_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/stories")).unwrap();
        std::fs::create_dir_all(root.join("layouts")).unwrap();
        let refused = |out: PathBuf| check_output_location(root, &out).unwrap_err().to_string();
        assert!(refused(root.to_path_buf()).contains("is the site root"));
        assert!(refused(root.join("content/public")).contains("inside content/"));
        assert!(refused(root.join("content/../layouts/out")).contains("inside layouts/"));
        assert!(refused(root.join("content/stories/new/deeper")).contains("inside content/"));
        assert!(refused(root.parent().unwrap().to_path_buf()).contains("contains the site root"));
        check_output_location(root, &root.join("public")).unwrap();
        check_output_location(root, &root.join("content-public")).unwrap();
        check_output_location(root, &dir.path().join("../elsewhere/public")).unwrap();
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
