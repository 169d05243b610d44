//! The single rebuild thread: collects watcher messages into batches
//! (debounce), calls the build pipeline, reports to the terminal and to the
//! browsers. Nothing a build does — failing or panicking — stops it.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::reload::Hub;
use super::watch::{Change, Filter, Msg, Watch, Write};
use super::{BuildFailure, Outcome, Rebuild};

/// A batch ends after this much quiet…
pub(crate) const QUIET: Duration = Duration::from_millis(30);
/// …or this little, when all it holds is one file whose writer has closed
/// it (an editor's save is complete: waiting longer only delays the reload;
/// where close events are unknown, the full quiet period applies)…
pub(crate) const QUIET_AFTER_SAVE: Duration = Duration::from_millis(5);
/// …or this long after its first event, whichever comes first…
pub(crate) const MAX_WAIT: Duration = Duration::from_millis(500);
/// …unless a file is still being written (its data changed and its writer
/// has not closed it): then up to this long, so a slow save is never built
/// half-written (and never reloads the room's tabs with a truncated page).
pub(crate) const SETTLE_WAIT: Duration = Duration::from_secs(3);

/// Whether the platform reports a writer closing a file (inotify does);
/// elsewhere a data change cannot be told from a finished save, and the
/// quiet period alone decides.
const CLOSE_EVENTS: bool = cfg!(target_os = "linux");

/// Changes collected from one burst of events.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// path → whether a directory there should be expanded into its files
    pub changes: BTreeMap<PathBuf, bool>,
    pub rescan: bool,
    /// The day changed while nothing else happened: pages that count up to
    /// today (coverage) are rendered again.
    pub new_day: bool,
    /// Files written to and not closed yet.
    pub writing: BTreeSet<PathBuf>,
    /// The last event was a writer closing a file.
    last_closed: bool,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.changes.is_empty() && !self.rescan
    }

    /// One file, saved and closed: nothing more is coming for it.
    fn is_one_finished_save(&self) -> bool {
        CLOSE_EVENTS
            && self.last_closed
            && self.writing.is_empty()
            && !self.rescan
            && self.changes.len() == 1
    }

    fn add(&mut self, change: Change) {
        self.last_closed = matches!(change.write, Write::Closed);
        match change.write {
            Write::Data if CLOSE_EVENTS => {
                self.writing.insert(change.path.clone());
            }
            Write::Closed => {
                self.writing.remove(&change.path);
            }
            // Gone, or moved into place whole: nobody is writing there.
            _ if !change.path.exists() || change.expand => {
                self.writing.remove(&change.path);
            }
            _ => {}
        }
        *self.changes.entry(change.path).or_default() |= change.expand;
    }
}

/// How often, while nothing happens, the output is checked to still be
/// there (`rm -rf public/` while serving).
pub(crate) const IDLE_CHECK: Duration = Duration::from_secs(1);

/// What a look around while idle found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idle {
    Nothing,
    /// The output is gone (or not as the last build left it).
    OutputLost,
    /// Midnight passed since the last build.
    NewDay,
}

/// Waits for the next burst of changes and returns it once the burst is
/// over. `None` on shutdown. `watch_dir` is called for new top directories;
/// `look` while idle: a batch asking for a full rebuild is returned when it
/// says the output is gone, an empty one marked `new_day` at midnight.
pub(crate) fn next_batch(
    rx: &Receiver<Msg>,
    quiet: Duration,
    max_wait: Duration,
    mut watch_dir: impl FnMut(&Path),
    mut look: impl FnMut() -> Idle,
) -> Option<Batch> {
    let mut batch = Batch::default();
    let mut add = |msg: Msg, batch: &mut Batch| -> bool {
        match msg {
            Msg::Changed(changes) => {
                for change in changes {
                    batch.add(change);
                }
            }
            Msg::Rescan => batch.rescan = true,
            Msg::WatchDir(dir) => watch_dir(&dir),
            Msg::Shutdown => return false,
        }
        true
    };
    loop {
        // Wait as long as it takes for something relevant…
        let msg = match rx.recv_timeout(IDLE_CHECK) {
            Ok(msg) => msg,
            Err(RecvTimeoutError::Timeout) => match look() {
                Idle::Nothing => continue,
                Idle::OutputLost => {
                    batch.rescan = true;
                    return Some(batch);
                }
                Idle::NewDay => {
                    batch.new_day = true;
                    return Some(batch);
                }
            },
            Err(RecvTimeoutError::Disconnected) => return None,
        };
        if !add(msg, &mut batch) {
            return None;
        }
        if batch.is_empty() {
            continue;
        }
        // …then until the burst is over and every writer has finished.
        let started = Instant::now();
        loop {
            let limit = if batch.writing.is_empty() {
                max_wait
            } else {
                SETTLE_WAIT.max(max_wait)
            };
            let left = (started + limit).saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Some(batch);
            }
            let quiet = if batch.is_one_finished_save() {
                quiet.min(QUIET_AFTER_SAVE)
            } else {
                quiet
            };
            match rx.recv_timeout(quiet.min(left)) {
                Ok(msg) => {
                    if !add(msg, &mut batch) {
                        return None;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return None,
                Err(RecvTimeoutError::Timeout) if batch.writing.is_empty() => {
                    return Some(batch);
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

/// Turns a batch into the paths handed to `Rebuild::rebuild`: files as they
/// are (existing or not), directories that were created or moved in replaced
/// by the files inside them, other directory events dropped. A symbolic
/// link to a folder is passed as itself: the builder reads the whole
/// content again for a link, and walking where it leads could go anywhere
/// (`ln -s / content/all`), or round and round.
pub(crate) fn expand(batch: &Batch, filter: &Filter) -> BTreeSet<PathBuf> {
    let mut paths = BTreeSet::new();
    for (path, &expand) in &batch.changes {
        let is_link = || path.symlink_metadata().is_ok_and(|m| m.is_symlink());
        if !path.is_dir() || is_link() {
            paths.insert(path.clone());
        } else if expand {
            let files = walkdir::WalkDir::new(path)
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                })
                .filter_map(Result::ok)
                .filter(|e| !e.file_type().is_dir() && filter.wants(e.path()));
            paths.extend(files.map(walkdir::DirEntry::into_path));
        }
    }
    paths
}

enum Failure {
    Build(BuildFailure),
    Panic(String),
}

fn guarded(f: impl FnOnce() -> Result<Outcome, BuildFailure>) -> Result<Outcome, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(Failure::Build),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Failure::Panic(message))
        }
    }
}

pub(crate) struct Rebuilder<R> {
    builder: R,
    hub: Arc<Hub>,
    filter: Filter,
    root: PathBuf,
    /// Paths of failed rebuilds, handed again to the next one.
    pending: BTreeSet<PathBuf>,
    /// The first build failed, a build panicked, or events were lost.
    needs_full: bool,
}

impl<R: Rebuild> Rebuilder<R> {
    pub(crate) fn new(builder: R, hub: Arc<Hub>, filter: Filter, root: PathBuf) -> Self {
        Rebuilder {
            builder,
            hub,
            filter,
            root,
            pending: BTreeSet::new(),
            needs_full: false,
        }
    }

    /// The first build, reported; its housekeeping (`Rebuild::settle`) is
    /// left to [`Rebuilder::run`], so the site is served without waiting
    /// for it.
    pub(crate) fn initial_build(&mut self) {
        let started = Instant::now();
        let result = guarded(|| self.builder.build_all());
        self.report(result, started, "first build", true);
    }

    pub(crate) fn run(mut self, rx: Receiver<Msg>, mut watch: Watch) {
        self.builder.settle();
        watch.complete();
        watch.watch_link_targets(&self.builder.link_targets());
        while let Some(mut batch) = next_batch(
            &rx,
            QUIET,
            MAX_WAIT,
            |dir| watch.add(dir),
            || {
                self.builder.idle();
                if !self.builder.output_intact() {
                    Idle::OutputLost
                } else if self.builder.day_passed() {
                    Idle::NewDay
                } else {
                    Idle::Nothing
                }
            },
        ) {
            let started = Instant::now();
            if batch.rescan {
                // Events were lost (or the output was): what changed is
                // found by looking, and built like any save (a lost output
                // is made again whole by the builder).
                for change in watch.lost_changes() {
                    batch.add(change);
                }
            }
            let paths = expand(&batch, &self.filter);
            // Nothing to build: an empty folder was made, say, or a look
            // for lost events found nothing while the output is there.
            if paths.is_empty() && !batch.new_day && (!batch.rescan || self.builder.output_intact())
            {
                continue;
            }
            self.pending.extend(paths);
            let what = match batch.new_day && self.pending.is_empty() {
                true => "a new day".to_string(),
                false => self.describe(batch.rescan),
            };
            let result = if self.needs_full {
                guarded(|| self.builder.build_all())
            } else {
                let paths: Vec<PathBuf> = self.pending.iter().cloned().collect();
                guarded(|| self.builder.rebuild(&paths))
            };
            self.report(result, started, &what, false);
            // A link made or removed changes what is watched.
            watch.watch_link_targets(&self.builder.link_targets());
            self.builder.settle();
        }
    }

    fn describe(&self, rescan: bool) -> String {
        if self.needs_full {
            return "full rebuild".into();
        }
        let changed = changed_names(&self.root, &self.pending);
        match rescan {
            true => format!("events lost, looked for changes: {changed}"),
            false => changed,
        }
    }

    fn report(
        &mut self,
        result: Result<Outcome, Failure>,
        started: Instant,
        what: &str,
        first: bool,
    ) {
        let ms = started.elapsed().as_millis();
        let now = chrono::Local::now().format("%H:%M:%S");
        match result {
            Ok(outcome) => {
                self.pending.clear();
                self.needs_full = false;
                println!("{now} {what}: {} [{ms} ms]", outcome.summary);
                // Nothing was served before the first build, so no page
                // needs to hear what it changed (every file: listing
                // them was some 10-30 ms before the site was answered).
                let changed: &[String] = if first { &[] } else { &outcome.changed_urls };
                self.hub.succeeded(changed);
            }
            Err(Failure::Build(failure)) => {
                self.needs_full |= first;
                let keep = if first {
                    "serving what is there"
                } else {
                    "still serving the last good site"
                };
                eprintln!("{now} {what}: build failed; {keep}. Fix the file and save:");
                for line in failure.message.lines() {
                    eprintln!("  {line}");
                }
                self.hub.failed(&failure.message);
            }
            Err(Failure::Panic(message)) => {
                self.needs_full = true;
                self.pending.clear();
                let text = format!(
                    "internal error: the build panicked: {message}\n\
                     This is a bug in Campfire; the next change triggers a full rebuild."
                );
                eprintln!("{now} {what}: {text}");
                self.hub.failed(&text);
            }
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// What a rebuild's log line says changed: one path by name, the others
/// counted. A file that is there now is named first: a save by rename
/// (`sed -i`, many editors) also leaves the name of a temporary file,
/// gone by now, that means nothing to whoever saved.
fn changed_names(root: &Path, paths: &BTreeSet<PathBuf>) -> String {
    let first = paths.iter().find(|p| p.is_file()).or(paths.iter().next());
    match (first, paths.len()) {
        (None, _) => "nothing changed".to_string(),
        (Some(first), 1) => relative(root, first),
        (Some(first), n) => format!("{} and {} more", relative(root, first), n - 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn a_log_line_names_a_file_that_is_there_not_an_editor_s_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let story = root.join("content/stories/snow.md");
        std::fs::create_dir_all(story.parent().unwrap()).unwrap();
        std::fs::write(&story, "x").unwrap();
        // `sed -i`'s temporary file, renamed over the story: sorts first.
        let temporary = root.join("content/stories/sed09PjnV");
        let both = BTreeSet::from([temporary.clone(), story.clone()]);
        assert_eq!(
            changed_names(root, &both),
            "content/stories/snow.md and 1 more"
        );
        // A deletion alone is named all the same.
        assert_eq!(
            changed_names(root, &BTreeSet::from([temporary])),
            "content/stories/sed09PjnV"
        );
        assert_eq!(changed_names(root, &BTreeSet::new()), "nothing changed");
    }

    fn changed(p: &str) -> Msg {
        event(p, Write::None)
    }

    fn event(p: &str, write: Write) -> Msg {
        Msg::Changed(vec![Change {
            path: PathBuf::from(p),
            expand: false,
            write,
        }])
    }

    /// A file saved in chunks, slower than the quiet period: the batch
    /// waits for its writer to close it.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_still_being_written_is_waited_for() {
        let (tx, rx) = channel();
        let writer = std::thread::spawn(move || {
            for _ in 0..5 {
                tx.send(event("/s/content/slow.md", Write::Data)).unwrap();
                std::thread::sleep(QUIET * 3);
            }
            tx.send(event("/s/content/slow.md", Write::Closed)).unwrap();
            tx
        });
        let started = Instant::now();
        let batch = next_batch(&rx, QUIET, MAX_WAIT, |_| {}, || Idle::Nothing).unwrap();
        assert!(batch.writing.is_empty(), "returned once the writer closed");
        assert!(started.elapsed() >= QUIET * 12, "{:?}", started.elapsed());
        let _tx = writer.join().unwrap();
    }

    /// A save that is complete ends its batch sooner than the quiet
    /// period; a burst of several files still waits for the quiet.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_finished_save_of_one_file_is_not_delayed() {
        let (tx, rx) = channel();
        let long_quiet = Duration::from_secs(2);
        tx.send(event("/s/content/a.md", Write::Data)).unwrap();
        tx.send(event("/s/content/a.md", Write::Closed)).unwrap();
        let started = Instant::now();
        let batch = next_batch(&rx, long_quiet, long_quiet * 2, |_| {}, || Idle::Nothing).unwrap();
        assert_eq!(batch.changes.len(), 1);
        assert!(started.elapsed() < long_quiet, "{:?}", started.elapsed());

        tx.send(event("/s/content/a.md", Write::Closed)).unwrap();
        tx.send(event("/s/content/b.md", Write::Closed)).unwrap();
        let started = Instant::now();
        let batch = next_batch(&rx, long_quiet, long_quiet * 2, |_| {}, || Idle::Nothing).unwrap();
        assert_eq!(batch.changes.len(), 2);
        assert!(started.elapsed() >= long_quiet, "{:?}", started.elapsed());
    }

    #[test]
    fn a_burst_is_one_batch() {
        let (tx, rx) = channel();
        for i in 0..200 {
            tx.send(changed(&format!("/s/content/{i}.md"))).unwrap();
            tx.send(changed(&format!("/s/content/{i}.md"))).unwrap();
        }
        let batch = next_batch(&rx, QUIET, MAX_WAIT, |_| {}, || Idle::Nothing).unwrap();
        assert_eq!(batch.changes.len(), 200);
        tx.send(Msg::Shutdown).unwrap();
        assert!(next_batch(&rx, QUIET, MAX_WAIT, |_| {}, || Idle::Nothing).is_none());
    }

    #[test]
    fn a_steady_stream_is_cut_at_max_wait() {
        let (tx, rx) = channel();
        let writer = std::thread::spawn(move || {
            for i in 0..60 {
                if tx.send(changed(&format!("/s/content/{i}.md"))).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        let batch = next_batch(
            &rx,
            Duration::from_millis(50),
            Duration::from_millis(200),
            |_| {},
            || Idle::Nothing,
        )
        .unwrap();
        assert!(!batch.changes.is_empty() && batch.changes.len() < 60);
        drop(rx);
        writer.join().unwrap();
    }

    #[test]
    fn a_lost_output_while_idle_asks_for_a_full_rebuild() {
        let (tx, rx) = channel::<Msg>();
        let mut asked = 0;
        let batch = next_batch(
            &rx,
            QUIET,
            MAX_WAIT,
            |_| {},
            || {
                asked += 1;
                match asked {
                    2 => Idle::OutputLost,
                    _ => Idle::Nothing,
                }
            },
        )
        .unwrap();
        assert!(batch.rescan && batch.changes.is_empty());
        assert_eq!(asked, 2, "checked once per idle period until lost");
        drop(tx);
    }

    #[test]
    fn panics_are_caught() {
        let result = guarded(|| panic!("kaboom"));
        assert!(matches!(result, Err(Failure::Panic(m)) if m == "kaboom"));
    }

    /// Records what the rebuild thread asks for.
    struct Calls(Arc<std::sync::Mutex<Vec<Option<Vec<PathBuf>>>>>);

    impl Rebuild for Calls {
        fn build_all(&mut self) -> Result<Outcome, BuildFailure> {
            self.0.lock().unwrap().push(None);
            Ok(Outcome::default())
        }

        fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Outcome, BuildFailure> {
            self.0.lock().unwrap().push(Some(changed.to_vec()));
            Ok(Outcome::default())
        }
    }

    /// A pipeline whose day moves on once: as a site served across midnight.
    struct Midnight {
        calls: Arc<std::sync::Mutex<Vec<Option<Vec<PathBuf>>>>>,
        passed: bool,
    }

    impl Rebuild for Midnight {
        fn build_all(&mut self) -> Result<Outcome, BuildFailure> {
            self.calls.lock().unwrap().push(None);
            Ok(Outcome::default())
        }

        fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Outcome, BuildFailure> {
            self.calls.lock().unwrap().push(Some(changed.to_vec()));
            self.passed = false;
            Ok(Outcome {
                changed_urls: vec!["coverage/index.html".into()],
                summary: String::new(),
            })
        }

        fn day_passed(&self) -> bool {
            self.passed
        }
    }

    /// Past midnight, an idle server renders once with nothing changed (the
    /// coverage page counts up to the new day) and reloads the tabs showing
    /// what that changed; then it waits again.
    #[test]
    fn midnight_while_idle_renders_the_new_day_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let filter = Filter::new(&root, &root.join("public"));
        let (tx, rx) = std::sync::mpsc::channel();
        let mut watch = Watch::start(filter.clone(), tx.clone()).unwrap();
        watch.complete();
        let stop = std::thread::spawn(move || {
            std::thread::sleep(IDLE_CHECK * 3 + Duration::from_millis(500));
            tx.send(Msg::Shutdown).unwrap();
        });
        let calls = Arc::new(std::sync::Mutex::new(Vec::new()));
        let hub = Arc::new(Hub::new());
        let midnight = Midnight {
            calls: calls.clone(),
            passed: true,
        };
        Rebuilder::new(midnight, hub.clone(), filter, root).run(rx, watch);
        stop.join().unwrap();
        assert_eq!(*calls.lock().unwrap(), [Some(vec![])]);
        assert_eq!(hub.build(), 1, "the tabs were told what changed");
    }

    /// When the watcher lost events (a big checkout overflowed the kernel's
    /// queue), the files changed since are rebuilt as a save is: not every
    /// source read again, whose reads (opens, which notify watches) could
    /// overflow the queue once more and start it all over.
    #[test]
    fn lost_events_rebuild_what_changed_not_everything() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("content/stories")).unwrap();
        for name in ["a", "b"] {
            std::fs::write(root.join(format!("content/stories/{name}.md")), name).unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
        let filter = Filter::new(&root, &root.join("public"));
        let (tx, rx) = std::sync::mpsc::channel();
        let mut watch = Watch::start(filter.clone(), tx.clone()).unwrap();
        watch.complete();
        std::thread::sleep(Duration::from_millis(50));
        let changed = root.join("content/stories/b.md");
        std::fs::write(&changed, "b, edited").unwrap();
        // The edit's own events are not wanted here: only the lost ones.
        while rx.recv_timeout(Duration::from_millis(300)).is_ok() {}
        tx.send(Msg::Rescan).unwrap();
        let stop = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(500));
            tx.send(Msg::Rescan).unwrap();
            std::thread::sleep(Duration::from_millis(500));
            tx.send(Msg::Shutdown).unwrap();
        });
        let calls = Arc::new(std::sync::Mutex::new(Vec::new()));
        let hub = Arc::new(Hub::new());
        Rebuilder::new(Calls(calls.clone()), hub, filter, root).run(rx, watch);
        stop.join().unwrap();
        assert_eq!(*calls.lock().unwrap(), [Some(vec![changed])]);
    }
}
