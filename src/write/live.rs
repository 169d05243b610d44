//! Writing while `serve` owns the output: only what changed is written.
//!
//! Every write to a served output — a rebuild's changed pages, the search
//! index from its background thread, a full rebuild's swap — goes through
//! one [`LiveOutput`], under one lock, so they never interleave; and its
//! record of what is on disk changes only with what really happened (a
//! file that could not be removed stays recorded, and is tried again).

use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::{FxHashMap, FxHashSet};

use rayon::prelude::*;

use super::{
    MARKER, Staging, WriteError, pending_name, put_pending_in_place, replace_file, write_pending,
};
use crate::paths::is_search_index_file;
use crate::render::{Contents, OutputFile, Sink};

/// Output path → hash of the bytes there.
pub type FileHashes = FxHashMap<String, u64>;

fn hash_bytes(bytes: &[u8]) -> u64 {
    rustc_hash::FxBuildHasher.hash_one(bytes)
}

fn hash_contents(contents: &Contents) -> Result<u64, String> {
    Ok(match contents {
        Contents::Bytes(b) => hash_bytes(b),
        Contents::Static(b) => hash_bytes(b),
        Contents::Copy(p) => {
            hash_bytes(&std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?)
        }
    })
}

pub struct LiveOutput {
    dir: PathBuf,
    state: Mutex<LiveState>,
}

#[derive(Default)]
struct LiveState {
    /// Shared with the [`DiffSink`] of a render in progress, which reads
    /// it on every thread: a save of one story compares some 40,000 paths
    /// against it, and copying them for each render cost more than the
    /// render of the story's pages. Changed in place once the render is
    /// over (copied only if one were still reading it then).
    files: Arc<FileHashes>,
    /// Stale files that could not be removed (still recorded), retried by
    /// [`LiveOutput::retry_removals`] without waiting for a save.
    failed_removals: std::collections::BTreeSet<String>,
    /// Bumped by every full swap: an index built from an older render is
    /// dropped rather than written into the new tree.
    generation: u64,
}

impl LiveOutput {
    pub fn new(dir: PathBuf) -> LiveOutput {
        LiveOutput {
            dir,
            state: Mutex::new(LiveState::default()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn state(&self) -> std::sync::MutexGuard<'_, LiveState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What is on disk now, for the next render's [`DiffSink`].
    pub fn recorded(&self) -> Arc<FileHashes> {
        self.state().files.clone()
    }

    pub fn generation(&self) -> u64 {
        self.state().generation
    }

    /// Whether the output still looks as we left it (someone may have run
    /// `rm -rf public/` while serving).
    pub fn is_intact(&self) -> bool {
        self.dir.join(MARKER).is_file()
    }

    /// Puts a full render in place: the staged tree (its search index
    /// included) replaces the output. Returns every path, all of which may
    /// have changed.
    pub fn swap(&self, staging: Staging, files: FileHashes) -> Result<Vec<String>, WriteError> {
        let mut state = self.state();
        state.generation += 1;
        staging.commit()?;
        let mut paths: Vec<String> = files.keys().cloned().collect();
        // Pages that existed before and are gone now changed too.
        paths.extend(
            state
                .files
                .keys()
                .filter(|p| !files.contains_key(*p))
                .cloned(),
        );
        state.files = Arc::new(files);
        Ok(paths)
    }

    /// Applies an incremental render: `diff` is what its [`DiffSink`] saw,
    /// `produced` every file the render made except the search index (its
    /// thread writes that). The changed files are already written beside
    /// their places. Stale files go first, so once a renamed page is served
    /// its old address already answers 404. Returns the paths written or
    /// removed.
    pub fn update(&self, diff: SinkDiff, produced: &[String]) -> Result<Vec<String>, String> {
        let mut state = self.state();
        let state = &mut *state;
        let files = Arc::make_mut(&mut state.files);
        let recorded_pages = files.keys().filter(|p| !is_search_index_file(p)).count();
        // A render's paths are distinct (`check_unique_paths` fails the
        // render otherwise): when as many of them were recorded as the
        // record holds, none of the record is stale, which is a save's
        // usual case and spares hashing every path again.
        let stale: Vec<String> = if diff.recorded_seen == recorded_pages {
            Vec::new()
        } else {
            let produced: FxHashSet<&str> = produced.iter().map(String::as_str).collect();
            files
                .keys()
                .filter(|p| !is_search_index_file(p) && !produced.contains(p.as_str()))
                .cloned()
                .collect()
        };
        let mut pending = diff.pending;
        let changed = std::mem::take(&mut pending.files);
        let mut touched = Vec::with_capacity(stale.len() + changed.len());
        let mut problems = Vec::new();
        for path in stale {
            match remove_file_and_empty_dirs(&self.dir, &path) {
                Ok(()) => {
                    files.remove(&path);
                    state.failed_removals.remove(&path);
                    touched.push(path);
                }
                Err(e) => {
                    problems.push(format!("{path}: cannot remove: {e}"));
                    state.failed_removals.insert(path);
                }
            }
        }
        // A save of site.yaml changes every page: each rename is a
        // system call into a folder of its own, so they go in parallel.
        let renamed: Vec<(String, u64, Result<(), WriteError>)> = changed
            .into_par_iter()
            .map(|(path, hash)| {
                let result = put_pending_in_place(&self.dir, &path);
                (path, hash, result)
            })
            .collect();
        for (path, hash, result) in renamed {
            match result {
                Ok(()) => {
                    files.insert(path.clone(), hash);
                    touched.push(path);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        if problems.is_empty() {
            Ok(touched)
        } else {
            Err(problems.join("\n"))
        }
    }

    /// Tries again to remove the stale files that could not be removed
    /// (a read-only folder since made writable); returns those removed.
    pub fn retry_removals(&self) -> Vec<String> {
        let mut state = self.state();
        let pending: Vec<String> = state.failed_removals.iter().cloned().collect();
        let mut removed = Vec::new();
        for path in pending {
            if remove_file_and_empty_dirs(&self.dir, &path).is_ok() {
                Arc::make_mut(&mut state.files).remove(&path);
                state.failed_removals.remove(&path);
                removed.push(path);
            }
        }
        removed
    }

    /// Writes a search index built from the render of `generation`; drops
    /// it if a full swap happened since. Index files of the record that the
    /// new index lacks are removed, with the folders they leave empty.
    pub fn write_index(&self, generation: u64, files: Vec<(String, Vec<u8>)>) -> Vec<String> {
        let mut state = self.state();
        if state.generation != generation {
            return Vec::new();
        }
        // The index comes with its manifest last (it names a hash of all
        // the others: see `build_index_owned`).
        let manifest = files.last().map(|(path, _)| path.clone());
        let mut wanted = std::collections::HashSet::with_capacity(files.len());
        let mut differ = Vec::new();
        for (path, bytes) in files {
            wanted.insert(path.clone());
            let hash = hash_bytes(&bytes);
            if state.files.get(&path) != Some(&hash) {
                differ.push((path, bytes, hash));
            }
        }
        // After a full render every index file is new: thousands of them,
        // written in parallel like the pages. The manifest still goes last,
        // so it never names files that are not there yet.
        let (manifest, shards): (Vec<_>, Vec<_>) = differ
            .into_iter()
            .partition(|(path, _, _)| Some(path) == manifest.as_ref());
        let write = |(path, bytes, hash): (String, Vec<u8>, u64)| {
            let file = OutputFile {
                path,
                contents: Contents::Bytes(bytes),
            };
            let result = replace_file(&self.dir, &file);
            (file.path, hash, result)
        };
        let mut written: Vec<_> = shards.into_par_iter().map(write).collect();
        written.extend(manifest.into_iter().map(write));
        let mut touched = Vec::new();
        let files = Arc::make_mut(&mut state.files);
        for (path, hash, result) in written {
            match result {
                Ok(()) => {
                    files.insert(path.clone(), hash);
                    touched.push(path);
                }
                Err(e) => eprintln!("search index: {e}"),
            }
        }
        let stale: Vec<String> = files
            .keys()
            .filter(|p| is_search_index_file(p) && !wanted.contains(*p))
            .cloned()
            .collect();
        for path in stale {
            match remove_file_and_empty_dirs(&self.dir, &path) {
                Ok(()) => {
                    files.remove(&path);
                    touched.push(path);
                }
                Err(e) => eprintln!("search index: {path}: cannot remove: {e}"),
            }
        }
        touched
    }
}

/// Removes a file no longer produced (already gone is fine), then the
/// folders it leaves empty, up to the output.
fn remove_file_and_empty_dirs(output: &Path, rel: &str) -> std::io::Result<()> {
    let path = output.join(rel);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == output || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

/// The changed files of an incremental render, written beside their
/// places under temporary names as the render made them: a save that
/// re-renders thousands of pages never holds them all in memory, and what
/// is served changes only when [`LiveOutput::update`] renames them into
/// place after the whole render succeeded. Dropped without that (the
/// render failed), they are removed with the folders made for them.
pub struct PendingFiles {
    dir: PathBuf,
    /// Each file's path and the hash of its bytes.
    files: Vec<(String, u64)>,
}

impl Drop for PendingFiles {
    fn drop(&mut self) {
        for (path, _) in self.files.drain(..) {
            let _ = remove_file_and_empty_dirs(&self.dir, &pending_name(&path));
        }
    }
}

/// Hashes every file and writes the ones that differ from the record as
/// [`PendingFiles`]: an incremental render writes only those. A page kept
/// as it was is only counted (see [`LiveOutput::update`]).
pub struct DiffSink {
    dir: PathBuf,
    previous: Arc<FileHashes>,
    pending: Mutex<PendingFiles>,
    /// Files made that the record holds, whether kept or made again.
    recorded_seen: AtomicUsize,
}

/// What a [`DiffSink`] saw, for [`LiveOutput::update`].
pub struct SinkDiff {
    pending: PendingFiles,
    recorded_seen: usize,
}

impl DiffSink {
    /// For a render into the output at `dir`, whose files are `previous`.
    pub fn new(dir: &Path, previous: Arc<FileHashes>) -> Self {
        DiffSink {
            dir: dir.to_path_buf(),
            previous,
            pending: Mutex::new(PendingFiles {
                dir: dir.to_path_buf(),
                files: Vec::new(),
            }),
            recorded_seen: AtomicUsize::new(0),
        }
    }

    /// The files that changed, and how many recorded files were made.
    /// Lets go of the record, so that the update changes it in place.
    pub fn finish(self) -> SinkDiff {
        SinkDiff {
            pending: self.pending.into_inner().unwrap_or_else(|e| e.into_inner()),
            recorded_seen: self.recorded_seen.into_inner(),
        }
    }
}

impl Sink for DiffSink {
    fn put(&self, file: OutputFile) -> Result<(), String> {
        let hash = hash_contents(&file.contents)?;
        let before = self.previous.get(&file.path);
        if before.is_some() {
            self.recorded_seen.fetch_add(1, Ordering::Relaxed);
        }
        if before != Some(&hash) {
            // Written outside the lock: the render's threads write at once.
            write_pending(&self.dir, &file).map_err(|e| e.to_string())?;
            let mut pending = self.pending.lock().map_err(|e| e.to_string())?;
            pending.files.push((file.path, hash));
        }
        Ok(())
    }

    fn keep(&self, path: &str) -> Result<(), String> {
        if !self.previous.contains_key(path) {
            return Err(format!("{path} was not written before"));
        }
        self.recorded_seen.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Passes files on to a staging directory and records their hashes: a full
/// render while serving streams to disk like a build, and leaves the
/// record the next incremental render compares against.
pub struct HashingSink<'a> {
    inner: &'a Staging,
    hashes: Mutex<FileHashes>,
}

impl<'a> HashingSink<'a> {
    pub fn new(inner: &'a Staging) -> Self {
        HashingSink {
            inner,
            hashes: Mutex::new(FileHashes::default()),
        }
    }

    pub fn finish(self) -> FileHashes {
        self.hashes.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for HashingSink<'_> {
    fn put(&self, file: OutputFile) -> Result<(), String> {
        let hash = hash_contents(&file.contents)?;
        let path = file.path.clone();
        self.inner.put(file)?;
        self.hashes
            .lock()
            .map_err(|e| e.to_string())?
            .insert(path, hash);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::tests::file;

    fn full(out: &LiveOutput, files: Vec<OutputFile>) {
        let staging = Staging::begin(out.dir()).unwrap();
        let sink = HashingSink::new(&staging);
        for f in files {
            sink.put(f).unwrap();
        }
        let hashes = sink.finish();
        out.swap(staging, hashes).unwrap();
    }

    fn incremental(out: &LiveOutput, files: Vec<OutputFile>) -> Result<Vec<String>, String> {
        let sink = DiffSink::new(out.dir(), out.recorded());
        let produced: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        for f in files {
            sink.put(f).unwrap();
        }
        out.update(sink.finish(), &produced)
    }

    #[test]
    fn writes_only_changes_and_removes_stale_files_with_their_folders() {
        let dir = tempfile::tempdir().unwrap();
        let out = LiveOutput::new(dir.path().join("public"));
        full(
            &out,
            vec![file("a/index.html", "A"), file("b/deep/index.html", "B")],
        );
        let touched = incremental(&out, vec![file("a/index.html", "A2")]).unwrap();
        assert_eq!(touched, vec!["b/deep/index.html", "a/index.html"]);
        assert!(!out.dir().join("b").exists(), "empty folders go too");
        assert_eq!(
            std::fs::read_to_string(out.dir().join("a/index.html")).unwrap(),
            "A2"
        );
        assert!(
            incremental(&out, vec![file("a/index.html", "A2")])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn changes_are_served_only_once_the_render_is_through() {
        let dir = tempfile::tempdir().unwrap();
        let out = LiveOutput::new(dir.path().join("public"));
        full(&out, vec![file("a/index.html", "A")]);
        let listing = |out: &LiveOutput| {
            let mut all: Vec<String> = walkdir::WalkDir::new(out.dir())
                .into_iter()
                .map(|e| e.unwrap().path().display().to_string())
                .collect();
            all.sort();
            all
        };
        let before = listing(&out);
        // A render that fails after writing some changes: nothing it wrote
        // stays, not even the folder of its new page.
        let sink = DiffSink::new(out.dir(), out.recorded());
        sink.put(file("a/index.html", "A2")).unwrap();
        sink.put(file("new/deep/index.html", "N")).unwrap();
        let read = |rel: &str| std::fs::read_to_string(out.dir().join(rel)).unwrap();
        assert_eq!(
            read("a/index.html"),
            "A",
            "not served before the render ends"
        );
        assert!(!out.dir().join("new/deep/index.html").exists());
        drop(sink);
        assert_eq!(listing(&out), before);
        // The same render, through: both in place, no temporary left.
        let sink = DiffSink::new(out.dir(), out.recorded());
        sink.put(file("a/index.html", "A2")).unwrap();
        sink.put(file("new/deep/index.html", "N")).unwrap();
        let produced = [
            "a/index.html".to_string(),
            "new/deep/index.html".to_string(),
        ];
        let mut touched = out.update(sink.finish(), &produced).unwrap();
        touched.sort();
        assert_eq!(touched, ["a/index.html", "new/deep/index.html"]);
        assert_eq!(read("a/index.html"), "A2");
        assert_eq!(read("new/deep/index.html"), "N");
        assert!(!listing(&out).iter().any(|p| p.ends_with(".campfire-tmp")));
    }

    #[test]
    fn an_index_from_before_a_swap_is_dropped_and_stale_index_files_go() {
        let dir = tempfile::tempdir().unwrap();
        let out = LiveOutput::new(dir.path().join("public"));
        full(&out, vec![file("index.html", "home")]);
        let generation = out.generation();
        out.write_index(generation, vec![("search/t/a.js".into(), b"1".to_vec())]);
        assert!(out.dir().join("search/t/a.js").exists());
        // A newer index without that shard removes it and its folder.
        out.write_index(
            generation,
            vec![("search/manifest.js".into(), b"m".to_vec())],
        );
        assert!(!out.dir().join("search/t").exists());
        // A full swap in between: the older index is not written.
        full(&out, vec![file("index.html", "home2")]);
        assert!(
            out.write_index(generation, vec![("search/x.js".into(), b"old".to_vec())])
                .is_empty()
        );
        assert!(!out.dir().join("search/x.js").exists());
        // An incremental render leaves the index files to their thread.
        out.write_index(
            out.generation(),
            vec![("search/m.js".into(), b"m".to_vec())],
        );
        incremental(&out, vec![file("index.html", "home3")]).unwrap();
        assert!(out.dir().join("search/m.js").exists());
    }

    /// A served output whose stale `old.html` cannot be removed: in its
    /// place is something removing a file cannot remove (a non-empty
    /// folder fails even for root, unlike permissions). Returns the output
    /// (and its temp dir) and the blocker's path, after a render failed on it.
    fn output_with_a_blocked_removal() -> (tempfile::TempDir, LiveOutput, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let out = LiveOutput::new(dir.path().join("public"));
        full(&out, vec![file("keep.html", "k"), file("old.html", "x")]);
        let blocker = out.dir().join("old.html");
        std::fs::remove_file(&blocker).unwrap();
        std::fs::create_dir_all(blocker.join("x")).unwrap();
        assert!(incremental(&out, vec![file("keep.html", "k")]).is_err());
        (dir, out, blocker)
    }

    #[test]
    fn a_file_that_cannot_be_removed_stays_recorded_and_is_retried() {
        let (_dir, out, blocker) = output_with_a_blocked_removal();
        assert!(out.recorded().contains_key("old.html"));
        // Once it is out of the way, the next render finishes the job…
        std::fs::remove_dir_all(&blocker).unwrap();
        let touched = incremental(&out, vec![file("keep.html", "k")]).unwrap();
        assert_eq!(touched, vec!["old.html"]);
        assert!(!out.recorded().contains_key("old.html"));
        assert!(out.retry_removals().is_empty());
    }

    #[test]
    fn a_file_that_could_not_be_removed_goes_without_waiting_for_a_save() {
        let (_dir, out, blocker) = output_with_a_blocked_removal();
        assert!(out.retry_removals().is_empty(), "still in the way");
        std::fs::remove_dir_all(&blocker).unwrap();
        // …or the idle retry does, with no render at all.
        assert_eq!(out.retry_removals(), vec!["old.html"]);
        assert!(!out.recorded().contains_key("old.html"));
    }
}
