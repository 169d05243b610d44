//! Writing while `serve` owns the output: only what changed is written.
//!
//! Every write to a served output — a rebuild's changed pages, the search
//! index from its background thread, a full rebuild's swap — goes through
//! one [`LiveOutput`], under one lock, so they never interleave; and its
//! record of what is on disk changes only with what really happened (a
//! file that could not be removed stays recorded, and is tried again).
//!
//! On Linux, a changed page that was there before is set aside (see
//! [`Spill`]) until the render is through, then written over its file in
//! place (see [`PageWrites`]), not written beside it and renamed over it:
//! on ext4, making a new file and freeing the old one for each page cost a
//! save of a popular term's tooltip (6,639 pages) 0.75-1 s on a fresh file
//! system and 3-3.5 s on a long-used one, where writing the same bytes over
//! the same files took 0.1-0.25 s. New pages and every other file are still
//! written beside their place and renamed over it.

use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, RwLockReadGuard};

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
        Contents::Copy(p) => hash_copied_file(p).map_err(|e| format!("{}: {e}", p.display()))?,
    })
}

/// A file copied into the output (a photo, a handout) as its size, time
/// of change and the hash of its bytes when they were last read: read
/// again only when the first two change (as a build tool's watcher goes
/// by them; file systems keep the time to the nanosecond). Every save
/// renders every copied file's entry; reading them all each time made a
/// story save with 574 MB of handouts in the site take 249 ms instead
/// of 70.
fn hash_copied_file(path: &Path) -> std::io::Result<u64> {
    use std::hash::Hasher;
    type Seen = FxHashMap<PathBuf, (u64, Option<std::time::SystemTime>, u64)>;
    static SEEN: OnceLock<Mutex<Seen>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    let meta = std::fs::metadata(path)?;
    let stamp = (meta.len(), meta.modified().ok());
    let known = seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(path)
        .copied();
    if let Some((len, modified, hash)) = known
        && (len, modified) == stamp
    {
        return Ok(hash);
    }
    // Streamed: a video need not be held in memory to be hashed.
    struct Hashing(rustc_hash::FxHasher);
    impl std::io::Write for Hashing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.write(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(rustc_hash::FxHasher::default());
    std::io::copy(&mut std::fs::File::open(path)?, &mut hashing)?;
    let hash = hashing.0.finish();
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_path_buf(), (stamp.0, stamp.1, hash));
    Ok(hash)
}

/// Keeps the server's reads of pages apart from their writing in place: a
/// page is read whole before it is written or after, never half written.
/// (A renamed file needs no such care: a reader has the old file or the new.)
/// The server reads a page into memory at once, under [`PageWrites::reading`];
/// other files are streamed, and so are never written in place.
#[derive(Default)]
pub struct PageWrites(RwLock<()>);

impl PageWrites {
    /// Held while the server opens and reads a page.
    pub fn reading(&self) -> RwLockReadGuard<'_, ()> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn writing(&self) -> std::sync::RwLockWriteGuard<'_, ()> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether `path` is a page: the server reads it whole (under
/// [`PageWrites::reading`]), so it may be written in place.
fn is_page(path: &str) -> bool {
    path.ends_with(".html")
}

pub struct LiveOutput {
    dir: PathBuf,
    state: Mutex<LiveState>,
    page_writes: Arc<PageWrites>,
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
            page_writes: Arc::default(),
        }
    }

    /// What the server takes to read a page of this output.
    pub fn page_writes(&self) -> Arc<PageWrites> {
        self.page_writes.clone()
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
        let spill = diff.spill;
        let spilled = spill.as_ref().map_or_else(Vec::new, Spill::take_pages);
        let mut touched = Vec::with_capacity(stale.len() + changed.len() + spilled.len());
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
        // A save of site.yaml changes every page: each write or rename is
        // a system call into a folder of its own, so they go in parallel.
        let mut done: Vec<(String, u64, Result<(), WriteError>)> = match &spill {
            Some(spill) => spilled
                .into_par_iter()
                .map(|page| self.write_spilled(spill, page))
                .collect(),
            None => Vec::new(),
        };
        done.par_extend(changed.into_par_iter().map(|(path, hash)| {
            let result = put_pending_in_place(&self.dir, &path);
            (path, hash, result)
        }));
        for (path, hash, result) in done {
            match result {
                Ok(()) => {
                    files.insert(path.clone(), hash);
                    touched.push(path);
                }
                Err(e) => {
                    // Whatever is there now (a page half written over, if
                    // the disk filled up), the next render writes it again.
                    files.remove(&path);
                    problems.push(e.to_string());
                }
            }
        }
        if problems.is_empty() {
            Ok(touched)
        } else {
            Err(problems.join("\n"))
        }
    }

    /// Writes a spilled page over its file in place; a file that is not a
    /// plain file of its own (a link, or gone) is replaced by a new one
    /// instead, as every other file is, so that nothing it points to or
    /// shares its bytes with is written.
    /// Returns the page's path and hash with the outcome, as `update`
    /// records them.
    fn write_spilled(
        &self,
        spill: &Spill,
        page: SpilledPage,
    ) -> (String, u64, Result<(), WriteError>) {
        let SpilledPage {
            path,
            hash,
            at,
            len,
        } = page;
        let bytes = match spill.read(at, len) {
            Ok(bytes) => bytes,
            Err(source) => {
                let error = WriteError::Io {
                    path: self.dir.join(&path),
                    source,
                };
                return (path, hash, Err(error));
            }
        };
        let written = {
            let _writing = self.page_writes.writing();
            write_over(&self.dir.join(&path), &bytes)
        };
        // A write that failed halfway is mended by the replacement too.
        if let Ok(true) = written {
            return (path, hash, Ok(()));
        }
        let file = OutputFile {
            path,
            contents: Contents::Bytes(bytes),
        };
        let result = replace_file(&self.dir, &file);
        (file.path, hash, result)
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

/// Writes `bytes` over the file at `path`, in place (the same file, its
/// blocks reused); `false`, with nothing written, when it is not a plain
/// file with one name (a symbolic or hard link is replaced, not written
/// through), or when the room for a longer page cannot be had first.
///
/// Linux only (where ext4 makes replacing files slow, and `fallocate`
/// takes the room first); elsewhere pages are replaced as every other
/// file is.
#[cfg(target_os = "linux")]
fn write_over(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(file) => file,
        // A symbolic link (ELOOP), or no file: made anew instead.
        Err(_) => return Ok(false),
    };
    let meta = file.metadata()?;
    if !meta.is_file() || meta.nlink() != 1 {
        return Ok(false);
    }
    let len = bytes.len() as u64;
    // The room for a longer page is taken before a byte of it is written:
    // a full disk or a size limit refuses it whole, and the page is then
    // replaced as a new file instead (which fails the same way and leaves
    // it as it was), never left half written over.
    if len > meta.len() {
        let Ok(end) = libc::off_t::try_from(len) else {
            return Ok(false);
        };
        // SAFETY: fallocate on a descriptor this function owns; mode 0
        // only allocates (and extends the file to `end`).
        if unsafe { libc::fallocate(file.as_raw_fd(), 0, 0, end) } != 0 {
            return Ok(false);
        }
    }
    file.write_all(bytes)?;
    if meta.len() > len {
        file.set_len(len)?;
    }
    Ok(true)
}

#[cfg(not(target_os = "linux"))]
fn write_over(_path: &Path, _bytes: &[u8]) -> std::io::Result<bool> {
    Ok(false)
}

/// Changed pages that were there before, set aside until the render is
/// through to be written over their files in place: one after another in
/// an unnamed file of the output's file system (Linux `O_TMPFILE`), which
/// nothing can see or serve, and whose room goes back when it is closed,
/// even if `serve` is killed. A save that changes thousands of pages writes
/// them once more this way, to the page cache (about 1 GB/s), where held
/// in memory they were up to 170 MB of `serve`'s peak (a site.yaml save).
struct Spill {
    file: std::fs::File,
    /// Where the next page goes: threads take their room and write at once.
    end: AtomicU64,
    pages: Mutex<Vec<SpilledPage>>,
}

/// A page in a [`Spill`], `len` bytes at `at`.
struct SpilledPage {
    path: String,
    hash: u64,
    at: u64,
    len: usize,
}

impl Spill {
    /// A spill in `dir`; `None` where pages are not written in place (see
    /// [`write_over`]) or the file system has no unnamed files: the pages
    /// are then written beside their places, as every other file is.
    fn create(dir: &Path) -> Option<Spill> {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::OpenOptionsExt;
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .custom_flags(libc::O_TMPFILE)
                .mode(0o600)
                .open(dir)
                .ok()?;
            Some(Spill {
                file,
                end: AtomicU64::new(0),
                pages: Mutex::new(Vec::new()),
            })
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = dir;
            None
        }
    }

    fn put(&self, path: String, hash: u64, bytes: &[u8]) -> std::io::Result<()> {
        let at = self.end.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        write_at(&self.file, bytes, at)?;
        let page = SpilledPage {
            path,
            hash,
            at,
            len: bytes.len(),
        };
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(page);
        Ok(())
    }

    fn read(&self, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let mut bytes = vec![0; len];
        read_at(&self.file, &mut bytes, at)?;
        Ok(bytes)
    }

    fn take_pages(&self) -> Vec<SpilledPage> {
        std::mem::take(&mut *self.pages.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(unix)]
fn write_at(file: &std::fs::File, bytes: &[u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, bytes: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, at)
}

// Never called: no spill is made there (see `Spill::create`).
#[cfg(not(unix))]
fn write_at(_: &std::fs::File, _: &[u8], _: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(not(unix))]
fn read_at(_: &std::fs::File, _: &mut [u8], _: u64) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The changed files of an incremental render that are not spilled (see
/// [`Spill`]), written beside their places under temporary names as
/// the render made them: a save that re-renders thousands of pages never
/// holds them all in memory, and what is served changes only when
/// [`LiveOutput::update`] renames them into place after the whole render
/// succeeded. Dropped without that (the render failed), they are removed
/// with the folders made for them.
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
    /// Changed pages that were there before, to be written over in place;
    /// made with the first of them (`None`: none can be, see [`Spill::create`]).
    spill: OnceLock<Option<Spill>>,
    /// Files made that the record holds, whether kept or made again.
    recorded_seen: AtomicUsize,
}

/// What a [`DiffSink`] saw, for [`LiveOutput::update`].
pub struct SinkDiff {
    pending: PendingFiles,
    spill: Option<Spill>,
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
            spill: OnceLock::new(),
            recorded_seen: AtomicUsize::new(0),
        }
    }

    /// The files that changed, and how many recorded files were made.
    /// Lets go of the record, so that the update changes it in place.
    pub fn finish(self) -> SinkDiff {
        SinkDiff {
            pending: self.pending.into_inner().unwrap_or_else(|e| e.into_inner()),
            spill: self.spill.into_inner().flatten(),
            recorded_seen: self.recorded_seen.into_inner(),
        }
    }

    /// Sets `file` aside to be written over in place when it is a page
    /// that was there before (see [`Spill`]); gives it back otherwise, or
    /// where there is no spill.
    fn spill(
        &self,
        file: OutputFile,
        existed: bool,
        hash: u64,
    ) -> Result<Option<OutputFile>, String> {
        let bytes: &[u8] = match &file.contents {
            Contents::Bytes(bytes) => bytes,
            Contents::Static(bytes) => bytes,
            Contents::Copy(_) => return Ok(Some(file)),
        };
        if !existed || !is_page(&file.path) {
            return Ok(Some(file));
        }
        let Some(spill) = self.spill.get_or_init(|| Spill::create(&self.dir)) else {
            return Ok(Some(file));
        };
        spill
            .put(file.path.clone(), hash, bytes)
            .map_err(|e| format!("{}: cannot set the page aside: {e}", file.path))?;
        Ok(None)
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
            let Some(file) = self.spill(file, before.is_some(), hash)? else {
                return Ok(());
            };
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

    /// A copied file is read again when its size or time of change
    /// differs, and only then: the bytes are what counts, not the stamp.
    #[test]
    fn a_copied_file_is_read_again_only_when_its_size_or_time_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("handout.pdf");
        let hash = |p: &Path| hash_contents(&Contents::Copy(p.to_path_buf())).unwrap();
        let set_time = |secs: u64| {
            let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(time)
                .unwrap();
        };
        std::fs::write(&path, b"first").unwrap();
        set_time(1_000);
        let first = hash(&path);
        // Other bytes of the same size, at another time: read again.
        std::fs::write(&path, b"other").unwrap();
        set_time(2_000);
        let other = hash(&path);
        assert_ne!(first, other);
        // The first bytes again: the first hash, whatever the time.
        std::fs::write(&path, b"first").unwrap();
        set_time(3_000);
        assert_eq!(hash(&path), first);
        // Bytes changed behind a kept size and time are not read (what
        // spares a save from reading every photo of the site).
        std::fs::write(&path, b"third").unwrap();
        set_time(3_000);
        assert_eq!(hash(&path), first);
        // A longer file is read again.
        std::fs::write(&path, b"third, longer").unwrap();
        set_time(3_000);
        assert_ne!(hash(&path), first);
    }

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
        incremental_into(out, DiffSink::new(out.dir(), out.recorded()), files)
    }

    fn incremental_into(
        out: &LiveOutput,
        sink: DiffSink,
        files: Vec<OutputFile>,
    ) -> Result<Vec<String>, String> {
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

    #[cfg(target_os = "linux")]
    fn inode(path: &Path) -> u64 {
        std::os::unix::fs::MetadataExt::ino(&std::fs::symlink_metadata(path).unwrap())
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn changed_pages_are_written_over_in_place_and_other_files_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = LiveOutput::new(dir.path().join("public"));
        full(
            &out,
            vec![
                file("a/index.html", "a long first version"),
                file("b/index.html", "B"),
                file("feed.xml", "F"),
            ],
        );
        let path = |rel: &str| out.dir().join(rel);
        let (a, b, feed) = (
            inode(&path("a/index.html")),
            inode(&path("b/index.html")),
            inode(&path("feed.xml")),
        );
        let touched = incremental(
            &out,
            vec![
                file("a/index.html", "short"),
                file("b/index.html", "B, longer now"),
                file("feed.xml", "F2"),
                file("c/index.html", "new"),
            ],
        )
        .unwrap();
        assert_eq!(touched.len(), 4);
        let read = |rel: &str| std::fs::read_to_string(path(rel)).unwrap();
        // Shorter and longer than before, the bytes are exactly the new ones.
        assert_eq!(read("a/index.html"), "short");
        assert_eq!(read("b/index.html"), "B, longer now");
        assert_eq!(read("feed.xml"), "F2");
        assert_eq!(read("c/index.html"), "new");
        assert_eq!(inode(&path("a/index.html")), a, "the same file");
        assert_eq!(inode(&path("b/index.html")), b);
        assert_ne!(inode(&path("feed.xml")), feed, "not a page: replaced");
        // Recorded as written: the same bytes again change nothing.
        let again = incremental(&out, vec![file("a/index.html", "short")]).unwrap();
        assert!(!again.contains(&"a/index.html".to_string()));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn pages_are_replaced_where_they_cannot_be_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let out = LiveOutput::new(dir.path().join("public"));
        // Pages of many lengths, so that each is read back from its own
        // place in the spill.
        let pages = |v: &str| -> Vec<OutputFile> {
            (0..40)
                .map(|i| {
                    file(
                        &format!("p{i}/index.html"),
                        &format!("{v} {i}").repeat(i + 1),
                    )
                })
                .collect()
        };
        let page = |i: usize| out.dir().join(format!("p{i}/index.html"));
        let inodes = || (0..40).map(|i| inode(&page(i))).collect::<Vec<u64>>();
        let contents = || {
            (0..40)
                .map(|i| std::fs::read_to_string(page(i)).unwrap())
                .collect::<Vec<String>>()
        };
        let expected = |v: &str| -> Vec<String> {
            pages(v)
                .into_iter()
                .map(|f| match f.contents {
                    Contents::Bytes(b) => String::from_utf8(b).unwrap(),
                    _ => unreachable!(),
                })
                .collect()
        };
        full(&out, pages("one"));
        let first = inodes();
        // As on a file system without unnamed files: replaced.
        let mut sink = DiffSink::new(out.dir(), out.recorded());
        sink.spill = OnceLock::from(None);
        incremental_into(&out, sink, pages("two")).unwrap();
        assert_eq!(contents(), expected("two"));
        let second = inodes();
        assert!(first.iter().zip(&second).all(|(a, b)| a != b));
        // Set aside as usual: written in place.
        incremental(&out, pages("three")).unwrap();
        assert_eq!(contents(), expected("three"));
        assert_eq!(inodes(), second);
        let leftovers = walkdir::WalkDir::new(out.dir())
            .into_iter()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .to_string_lossy()
                    .ends_with(".campfire-tmp")
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    #[cfg(unix)]
    #[test]
    fn a_page_that_is_a_link_is_replaced_never_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let out = LiveOutput::new(dir.path().join("public"));
        full(
            &out,
            vec![file("s/index.html", "S"), file("h/index.html", "H")],
        );
        // Someone's own files, linked in where pages were.
        let mine = dir.path().join("mine.html");
        let shared = dir.path().join("shared.html");
        std::fs::write(&mine, "my notes").unwrap();
        std::fs::write(&shared, "my shared notes").unwrap();
        let s = out.dir().join("s/index.html");
        let h = out.dir().join("h/index.html");
        std::fs::remove_file(&s).unwrap();
        std::os::unix::fs::symlink(&mine, &s).unwrap();
        std::fs::remove_file(&h).unwrap();
        std::fs::hard_link(&shared, &h).unwrap();
        incremental(
            &out,
            vec![file("s/index.html", "S2"), file("h/index.html", "H2")],
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(&mine).unwrap(), "my notes");
        assert_eq!(std::fs::read_to_string(&shared).unwrap(), "my shared notes");
        assert_eq!(std::fs::read_to_string(&s).unwrap(), "S2");
        assert_eq!(std::fs::read_to_string(&h).unwrap(), "H2");
        assert!(!std::fs::symlink_metadata(&s).unwrap().is_symlink());
    }

    /// A reader under `PageWrites::reading` (as the server reads a page)
    /// gets each page whole, the version before a write or the one after.
    #[test]
    fn a_page_read_under_the_lock_is_never_half_written() {
        use std::sync::atomic::AtomicBool;
        let dir = tempfile::tempdir().unwrap();
        let out = LiveOutput::new(dir.path().join("public"));
        // Versions of different lengths, each one byte over and over.
        let version = |i: usize| (b'a' + (i % 26) as u8) as char;
        let page = |i: usize| {
            file(
                "p/index.html",
                &version(i).to_string().repeat(2_000_000 + i),
            )
        };
        full(&out, vec![page(0)]);
        let path = out.dir().join("p/index.html");
        let page_writes = out.page_writes();
        let stop = AtomicBool::new(false);
        let (reads, torn) = std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                let (mut reads, mut torn) = (0, 0);
                while !stop.load(Ordering::Relaxed) {
                    let bytes = {
                        let _reading = page_writes.reading();
                        std::fs::read(&path).unwrap()
                    };
                    // Whole: its length and its first and last bytes are
                    // those of one version (a read meeting a write has the
                    // new version's beginning and the old one's end).
                    let whole = bytes.len() >= 2_000_000
                        && version(bytes.len() - 2_000_000) as u8 == bytes[0]
                        && bytes.last() == Some(&bytes[0]);
                    torn += usize::from(!whole);
                    reads += 1;
                }
                (reads, torn)
            });
            for i in 1..=30 {
                incremental(&out, vec![page(i)]).unwrap();
            }
            stop.store(true, Ordering::Relaxed);
            reader.join().unwrap()
        });
        assert_eq!(torn, 0, "{torn} of {reads} reads were half written");
        assert!(reads > 0);
        let last = std::fs::read(&path).unwrap();
        assert_eq!((last.len(), last[0]), (2_000_030, version(30) as u8));
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
