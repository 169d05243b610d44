//! While serving, the search index is rebuilt on a background thread after
//! each save, so the page reload never waits for it (a 10,000-story index
//! takes most of a second). Only the newest request is built, and it is
//! written through the same [`LiveOutput`] as every other file: an index
//! from before a full rebuild's swap is dropped, never written into the
//! new tree.

use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use crate::render::search_docs::SearchInput;
use crate::search::build_index_owned;
use crate::write::LiveOutput;

struct Job {
    /// The output generation the documents were rendered for.
    generation: u64,
    input: SearchInput,
}

/// Requests submitted and finished (built or dropped), for `wait_idle`.
#[derive(Default)]
struct Progress {
    counts: Mutex<(u64, u64)>,
    idle: Condvar,
}

pub struct SearchWorker {
    jobs: Option<Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    progress: Arc<Progress>,
}

impl SearchWorker {
    pub fn start(output: Arc<LiveOutput>) -> SearchWorker {
        let progress = Arc::new(Progress::default());
        let (tx, rx) = mpsc::channel();
        let shared = progress.clone();
        let thread = std::thread::Builder::new()
            .name("campfire-search-index".into())
            .spawn(move || run(&output, &shared, rx))
            .ok();
        SearchWorker {
            jobs: Some(tx),
            thread,
            progress,
        }
    }

    /// Asks for the index of a render for output `generation`;
    /// replaces any request not started yet.
    pub fn submit(&self, generation: u64, input: SearchInput) {
        let Some(tx) = &self.jobs else { return };
        self.progress
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0 += 1;
        let _ = tx.send(Job { generation, input });
    }

    /// Blocks until every submitted index is on disk (tests, benchmarks).
    pub fn wait_idle(&self) {
        let mut counts = self
            .progress
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        while counts.1 < counts.0 {
            counts = self
                .progress
                .idle
                .wait(counts)
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

/// The index is built on a pool of its own, one thread at the lowest
/// priority: on the global pool its work would queue ahead of the next
/// save's render, and a save would wait for the index of the one before.
fn background_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "campfire-search-index-worker".into())
        .start_handler(|_| lower_priority())
        .build()
        .ok()
}

/// Makes the calling thread yield to every other (Linux: `nice` is per
/// thread); elsewhere it keeps its priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority with who = 0 changes only the calling thread's
    // nice value; it touches no memory.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

fn run(output: &LiveOutput, progress: &Progress, rx: Receiver<Job>) {
    lower_priority();
    let pool = background_pool();
    while let Ok(mut job) = rx.recv() {
        // Only the newest request matters.
        let mut taken = 1;
        while let Ok(newer) = rx.try_recv() {
            job = newer;
            taken += 1;
        }
        if job.generation == output.generation() {
            let build = || build_index_owned(job.input.into_docs());
            let files = match &pool {
                Some(pool) => pool.install(build),
                None => build(),
            };
            match &pool {
                Some(pool) => pool.install(|| output.write_index(job.generation, files)),
                None => output.write_index(job.generation, files),
            };
            // The index was built on this thread and the pool's: their
            // heaps hold what it freed.
            super::live::give_back_memory(pool.as_ref());
        }
        let mut counts = progress.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.1 += taken;
        progress.idle.notify_all();
    }
}
