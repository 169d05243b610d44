//! While serving, the search index is rebuilt on a background thread after
//! each save, so the page reload never waits for it (a 10,000-story index
//! takes most of a second). Only the newest request is built; a full build
//! in between makes older requests moot.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::render::search_docs::PendingDocs;
use crate::render::{Contents, OutputFile};
use crate::search::build_index;

struct Job {
    generation: u64,
    docs: PendingDocs,
}

/// Shared with the rebuild thread: writes to the output happen under this
/// lock, so a swap of the whole output never interleaves with index writes.
#[derive(Default)]
pub struct OutputLock {
    state: Mutex<IndexState>,
    idle: std::sync::Condvar,
}

#[derive(Default)]
struct IndexState {
    /// Requests submitted and finished (built or dropped), for `wait_idle`.
    submitted: u64,
    finished: u64,
    /// Bumped by every full build; jobs from before it are dropped.
    generation: u64,
}

impl OutputLock {
    /// Runs `swap` (a full build's write) with index writes held off;
    /// index requests made before it are dropped.
    pub fn full_build<T>(&self, swap: impl FnOnce() -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.generation += 1;
        swap()
    }
}

pub struct SearchWorker {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    pub lock: Arc<OutputLock>,
}

impl SearchWorker {
    pub fn start(output: PathBuf) -> SearchWorker {
        let lock = Arc::new(OutputLock::default());
        let (tx, rx) = mpsc::channel();
        let shared = lock.clone();
        let thread = std::thread::Builder::new()
            .name("campfire-search-index".into())
            .spawn(move || run(&output, &shared, rx))
            .ok();
        SearchWorker {
            jobs: Some(tx),
            thread,
            lock,
        }
    }

    /// Asks for the index of `docs`; replaces any request not started yet.
    pub fn submit(&self, docs: PendingDocs) {
        let Some(tx) = &self.jobs else { return };
        let generation = {
            let mut state = self.lock.state.lock().unwrap_or_else(|e| e.into_inner());
            state.submitted += 1;
            state.generation
        };
        let _ = tx.send(Job { generation, docs });
    }

    /// Blocks until every submitted index is on disk (tests, benchmarks).
    pub fn wait_idle(&self) {
        let mut state = self.lock.state.lock().unwrap_or_else(|e| e.into_inner());
        while state.finished < state.submitted {
            state = self
                .lock
                .idle
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl Drop for SearchWorker {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(output: &Path, lock: &OutputLock, rx: Receiver<Job>) {
    while let Ok(mut job) = rx.recv() {
        // Only the newest request matters.
        let mut taken = 1;
        while let Ok(newer) = rx.try_recv() {
            job = newer;
            taken += 1;
        }
        let files = build_index(&job.docs.into_docs());
        let mut state = lock.state.lock().unwrap_or_else(|e| e.into_inner());
        state.finished += taken;
        lock.idle.notify_all();
        if state.generation != job.generation {
            continue;
        }
        let mut written = BTreeSet::new();
        for (rel, bytes) in files {
            let unchanged = std::fs::read(output.join(&rel)).is_ok_and(|old| old == bytes);
            if !unchanged {
                let file = OutputFile {
                    path: rel.clone(),
                    contents: Contents::Bytes(bytes),
                };
                if let Err(e) = crate::write::replace_file(output, &file) {
                    eprintln!("search index: {e}");
                }
            }
            written.insert(rel);
        }
        // What is on disk, not what we think is: nothing stale survives.
        let on_disk = walkdir::WalkDir::new(output.join("search"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "js"));
        for f in on_disk {
            let rel = f
                .path()
                .strip_prefix(output)
                .unwrap_or(f.path())
                .to_string_lossy()
                .replace('\\', "/");
            if !written.contains(&rel) {
                let _ = std::fs::remove_file(f.path());
            }
        }
    }
}
