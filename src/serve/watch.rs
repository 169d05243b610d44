//! Watching `site.yaml`, `content/` and `layouts/` with notify, turning raw
//! events into the paths that matter, and sending them to the rebuild thread.
//!
//! The site root is watched non-recursively (for `site.yaml`, which editors
//! replace by rename, and for `content/` or `layouts/` appearing later);
//! `content/` and `layouts/` recursively (notify adds new folders itself).
//! `content/` is watched only once the first build is done
//! ([`Watch::complete`]), and what changed in it meanwhile is found by its
//! files' and folders' change times (`ctime`, which no program sets back)
//! instead: notify watches for files being opened too, so a watch during
//! the first build woke its thread for every source the build read (some
//! 15,000 thread switches and 70 ms of CPU for 10,000 stories, on the
//! build's critical path), and its own walk looks up every file (a `stat`
//! each, some 60 ms), which the first build would otherwise wait for.
//!
//! notify follows no symbolic link: what a link under `content/` leads to
//! is either inside `content/` or `layouts/`, watched anyway (an event
//! there names the real path, which the build recognises as a link's
//! target), or elsewhere in the site, watched on its own once a build has
//! found the link ([`Watch::watch_link_targets`]). Following links itself,
//! notify watched them only at start-up, and through the link, so that a
//! folder watched twice reported its events under one of its names only
//! (a layout's edit, through a link to `layouts/`, as content's).
//!
//! When the kernel's queue overflows (a checkout of thousands of files),
//! the events are lost; what changed is found the same way, against the
//! listing and the time of the last such look ([`Watch::lost_changes`]),
//! not by reading every source again: those reads are events too (notify
//! watches for opens): where a full read outran the watcher's thread by
//! more events than the queue holds (16,384 by default; seen at 10,000
//! stories with a queue of 256), it overflowed the queue again, and
//! `serve` rebuilt everything, reloading every tab, every few seconds for
//! ever.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::ServeError;

/// What the watcher tells the rebuild thread.
#[derive(Debug)]
pub(crate) enum Msg {
    Changed(Vec<Change>),
    /// Events were lost (kernel queue overflow): look for what changed.
    Rescan,
    /// `content/` or `layouts/` appeared: watch it.
    WatchDir(PathBuf),
    Shutdown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub path: PathBuf,
    /// Created or renamed into place: if it is a directory, its files count.
    pub expand: bool,
    /// What the event says about a writer: its data changed (a writer may
    /// still be at work), or a writer closed it (the save is complete).
    pub write: Write,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// Nothing about writing (created, renamed, removed, metadata).
    None,
    /// Bytes were written; more may follow until the writer closes.
    Data,
    /// A writer closed the file: what it wrote is all there.
    Closed,
}

const TOP_DIRS: [&str; 2] = ["content", "layouts"];
const CONFIG_FILES: [&str; 2] = ["site.yaml", "site.yml"];

/// Decides which paths matter. Paths are absolute, under the canonical root.
#[derive(Clone)]
pub(crate) struct Filter {
    root: PathBuf,
    output: PathBuf,
    /// What links under `content/` lead to elsewhere in the site (see
    /// [`Watch::watch_link_targets`]): sources too. Shared with the
    /// watcher's thread, which classifies its events.
    link_targets: Arc<RwLock<Vec<PathBuf>>>,
}

#[derive(Debug, PartialEq, Eq)]
enum Relevance {
    Skip,
    Source,
    /// `root/content` or `root/layouts` itself.
    TopDir,
}

impl Filter {
    pub(crate) fn new(root: &Path, output: &Path) -> Filter {
        Filter {
            root: root.to_path_buf(),
            output: output.to_path_buf(),
            link_targets: Arc::default(),
        }
    }

    fn relevance(&self, path: &Path) -> Relevance {
        if path.starts_with(&self.output) {
            return Relevance::Skip;
        }
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return Relevance::Skip;
        };
        let names = names(rel);
        match names.as_slice() {
            [name] if CONFIG_FILES.contains(name) => Relevance::Source,
            [dir] if TOP_DIRS.contains(dir) => Relevance::TopDir,
            [dir, rest @ ..] if TOP_DIRS.contains(dir) && !crate::load::is_ignored_path(rest) => {
                Relevance::Source
            }
            _ if self.linked(path) => Relevance::Source,
            _ => Relevance::Skip,
        }
    }

    /// Whether `path` is what a link leads to, or inside it, and not
    /// under a name loading ignores.
    fn linked(&self, path: &Path) -> bool {
        let targets = self.link_targets.read().unwrap_or_else(|e| e.into_inner());
        targets.iter().any(|target| {
            path.strip_prefix(target)
                .is_ok_and(|rest| !crate::load::is_ignored_path(&names(rest)))
        })
    }

    /// Whether a file found by walking a created directory counts.
    pub(crate) fn wants(&self, path: &Path) -> bool {
        self.relevance(path) == Relevance::Source
    }

    /// The messages one notify event gives rise to.
    pub(crate) fn classify(&self, event: &Event) -> Vec<Msg> {
        if event.need_rescan() {
            return vec![Msg::Rescan];
        }
        let (expand, write) = match event.kind {
            // Reads (the build itself opens every source) must not count.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => (false, Write::Closed),
            EventKind::Access(_) => return Vec::new(),
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_)) => (true, Write::None),
            EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => (false, Write::Data),
            _ => (false, Write::None),
        };
        let mut msgs = Vec::new();
        let mut changes = Vec::new();
        for path in &event.paths {
            match self.relevance(path) {
                Relevance::Skip => continue,
                Relevance::TopDir if expand && path.is_dir() => {
                    msgs.push(Msg::WatchDir(path.clone()));
                }
                _ => {}
            }
            changes.push(Change {
                path: path.clone(),
                expand,
                write,
            });
        }
        if !changes.is_empty() {
            msgs.push(Msg::Changed(changes));
        }
        msgs
    }
}

/// A relative path's names, for matching.
fn names(rel: &Path) -> Vec<&str> {
    rel.components()
        .map(|c| match c {
            Component::Normal(name) => name.to_str().unwrap_or("."),
            _ => ".",
        })
        .collect()
}

/// The running watcher. Dropping it stops watching.
pub(crate) struct Watch {
    watcher: RecommendedWatcher,
    filter: Filter,
    tx: Sender<Msg>,
    /// `content/`, while it is not watched yet (see the module's
    /// documentation).
    deferred: Option<PathBuf>,
    /// The sources as they were when watching started or when lost events
    /// were last looked for.
    baseline: Baseline,
    /// The folders watched for what links lead to (see
    /// [`Watch::watch_link_targets`]).
    link_watches: BTreeMap<PathBuf, RecursiveMode>,
}

/// The sources' folders and files at a time, to find what changed since
/// without any event.
struct Baseline {
    /// From when a file's change counts.
    since: SystemTime,
    /// The folders and files of `content/` and `layouts/` (see [`walk`])
    /// and the configuration file.
    listing: std::collections::HashSet<PathBuf>,
}

impl Baseline {
    /// The sources as they are now, with what changed in them since `then`.
    /// The time is taken first: a change made while listing counts as
    /// after it (it is built once more, never missed).
    fn now(root: &Path, then: Option<&Baseline>, filter: &Filter) -> (Baseline, Vec<Change>) {
        let since = file_clock_now();
        let (folders, files) = listing(root, &filter.output);
        let changes = then.map_or_else(Vec::new, |then| {
            changed_since(then, &folders, &files, filter)
        });
        let listing = folders.into_iter().chain(files).collect();
        (Baseline { since, listing }, changes)
    }
}

/// The folders and files of `content/` and `layouts/` as loading sees
/// them, and the configuration files there are.
fn listing(root: &Path, output: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut folders, mut files) = (Vec::new(), Vec::new());
    for name in TOP_DIRS {
        let dir = root.join(name);
        if dir.is_dir() {
            let (more_folders, more_files) = walk(root, output, &dir);
            folders.extend(more_folders);
            files.extend(more_files);
        }
    }
    files.extend(
        CONFIG_FILES
            .iter()
            .map(|name| root.join(name))
            .filter(|p| p.is_file()),
    );
    (folders, files)
}

/// The time from which a change counts: the clock the kernel stamps files
/// with, which advances once a tick (Linux: `CLOCK_REALTIME_COARSE`), so a
/// change made after now never reads earlier; what changed in the tick
/// before now counts too (it is built once more). Elsewhere, now less
/// [`CLOCK_TICK`].
fn file_clock_now() -> SystemTime {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: clock_gettime only writes the struct it is given.
        let mut now: libc::timespec = unsafe { std::mem::zeroed() };
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME_COARSE, &mut now) } == 0
            && let (Ok(secs), Ok(nanos)) = (u64::try_from(now.tv_sec), u32::try_from(now.tv_nsec))
        {
            return SystemTime::UNIX_EPOCH + Duration::new(secs, nanos);
        }
    }
    SystemTime::now() - CLOCK_TICK
}

/// The longest a file clock's tick may be.
const CLOCK_TICK: Duration = Duration::from_millis(10);

impl Watch {
    pub(crate) fn start(filter: Filter, tx: Sender<Msg>) -> Result<Watch, ServeError> {
        let root = filter.root.clone();
        // Only the listings are read (a few milliseconds for 10,000
        // stories), no file is looked up on its own.
        let (baseline, _) = Baseline::now(&root, None, &filter);
        let handler = {
            let filter = filter.clone();
            let tx = tx.clone();
            move |result: notify::Result<Event>| match result {
                Ok(event) => {
                    for msg in filter.classify(&event) {
                        let _ = tx.send(msg);
                    }
                }
                Err(error) => eprintln!("campfire: file watching: {error}{}", hint(&error)),
            }
        };
        let watch_error = |path: &Path, error: notify::Error| ServeError::Watch {
            path: path.to_path_buf(),
            message: format!("{error}{}", hint(&error)),
        };
        // Links are left to `watch_link_targets` (see the module's
        // documentation).
        let config = notify::Config::default().with_follow_symlinks(false);
        let mut watcher =
            RecommendedWatcher::new(handler, config).map_err(|e| watch_error(&root, e))?;
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| watch_error(&root, e))?;
        let mut deferred = None;
        for name in TOP_DIRS {
            let dir = root.join(name);
            if !dir.is_dir() {
                continue;
            }
            if name == crate::paths::CONTENT_DIR {
                deferred = Some(dir);
            } else {
                watcher
                    .watch(&dir, RecursiveMode::Recursive)
                    .map_err(|e| watch_error(&dir, e))?;
            }
        }
        Ok(Watch {
            watcher,
            filter,
            tx,
            deferred,
            baseline,
            link_watches: BTreeMap::new(),
        })
    }

    /// Watches `content/` (with notify's recursive watch, which also
    /// watches folders made later), then reports what changed in it since
    /// [`Watch::start`]: files and folders that appeared or went (by their
    /// listings then and now), and files changed in place (by their change
    /// times). Called by the rebuild thread once the first build is done,
    /// before it takes the first batch of changes; a change seen both ways
    /// is built once more, never missed.
    pub(crate) fn complete(&mut self) {
        let Some(dir) = self.deferred.take() else {
            return;
        };
        if dir.is_dir() {
            self.add(&dir);
        }
        let changes = self.lost_changes();
        if !changes.is_empty() {
            let _ = self.tx.send(Msg::Changed(changes));
        }
    }

    /// What changed in the sources since watching started or since this
    /// was last asked: for when events were lost ([`Msg::Rescan`]). Looks
    /// files up, opens none, so it causes no events of its own.
    pub(crate) fn lost_changes(&mut self) -> Vec<Change> {
        let (now, changes) = Baseline::now(&self.filter.root, Some(&self.baseline), &self.filter);
        self.baseline = now;
        changes
    }

    /// Watches what symbolic links under `content/` lead to (`targets`,
    /// canonical, as the last build found them) outside `content/` and
    /// `layouts/` (a shared folder elsewhere in the site), and lets events
    /// there through, under their own names: the build knows them as what
    /// a link leads to. A folder is watched whole; a file by its folder,
    /// as an editor may save it by renaming a new file over it. Watches no
    /// longer needed are dropped. A target holding `content/`, `layouts/`
    /// or the output (a link to the site folder itself) is left unwatched:
    /// its watch would hold the whole site, the output included.
    pub(crate) fn watch_link_targets(&mut self, targets: &[PathBuf]) {
        let root = &self.filter.root;
        let watched_anyway: Vec<PathBuf> = TOP_DIRS.iter().map(|d| root.join(d)).collect();
        let elsewhere: Vec<PathBuf> = targets
            .iter()
            .filter(|t| {
                let holds_sources = watched_anyway.iter().any(|d| d.starts_with(t));
                let inside_sources = watched_anyway.iter().any(|d| t.starts_with(d));
                !holds_sources && !inside_sources && !self.filter.output.starts_with(t)
            })
            .cloned()
            .collect();
        let mut wanted: BTreeMap<PathBuf, RecursiveMode> = BTreeMap::new();
        for target in &elsewhere {
            let (folder, mode) = match target.is_dir() {
                true => (target.as_path(), RecursiveMode::Recursive),
                false => match target.parent() {
                    Some(folder) => (folder, RecursiveMode::NonRecursive),
                    None => continue,
                },
            };
            // The root is watched already, for site.yaml.
            if folder == root {
                continue;
            }
            let mode = match wanted.get(folder) {
                Some(RecursiveMode::Recursive) => RecursiveMode::Recursive,
                _ => mode,
            };
            wanted.insert(folder.to_path_buf(), mode);
        }
        // A folder inside one watched whole needs no watch of its own
        // (dropping either would drop the other's).
        let whole: Vec<PathBuf> = wanted
            .iter()
            .filter(|(_, mode)| **mode == RecursiveMode::Recursive)
            .map(|(folder, _)| folder.clone())
            .collect();
        wanted.retain(|folder, _| !whole.iter().any(|w| folder.starts_with(w) && folder != w));
        *self
            .filter
            .link_targets
            .write()
            .unwrap_or_else(|e| e.into_inner()) = elsewhere;
        let dropped: Vec<PathBuf> = self
            .link_watches
            .iter()
            .filter(|(folder, mode)| wanted.get(*folder) != Some(mode))
            .map(|(folder, _)| folder.clone())
            .collect();
        for folder in dropped {
            self.link_watches.remove(&folder);
            // Gone with its folder, perhaps: nothing left to drop.
            let _ = self.watcher.unwatch(&folder);
        }
        for (folder, mode) in wanted {
            if self.link_watches.contains_key(&folder) {
                continue;
            }
            match self.watcher.watch(&folder, mode) {
                Ok(()) => {
                    self.link_watches.insert(folder, mode);
                }
                Err(error) => eprintln!(
                    "campfire: cannot watch {}: {error}{}",
                    folder.display(),
                    hint(&error)
                ),
            }
        }
    }

    /// Starts watching a directory that appeared after start-up.
    pub(crate) fn add(&mut self, dir: &Path) {
        if let Err(error) = self.watcher.watch(dir, RecursiveMode::Recursive) {
            eprintln!(
                "campfire: cannot watch {}: {error}{}",
                dir.display(),
                hint(&error)
            );
        }
    }
}

/// `dir` and every folder below it as loading sees them, and the files in
/// them: names loading ignores are skipped, symbolic links to folders
/// inside the site followed (once each), unless they lead into the output.
/// The kind of each entry comes with its folder's listing.
fn walk(root: &Path, output: &Path, dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut found = Vec::new();
    let mut files = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(folder) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        if !seen.insert(folder.canonicalize().unwrap_or_else(|_| folder.clone())) {
            continue;
        }
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if crate::load::is_ignored(&entry.file_name().to_string_lossy()) {
                continue;
            }
            let path = entry.path();
            if kind.is_symlink()
                && (!crate::load::within_root(root, &path)
                    || path.canonicalize().is_ok_and(|p| p.starts_with(output)))
            {
                continue;
            }
            if kind.is_dir() || (kind.is_symlink() && path.is_dir()) {
                todo.push(path);
            } else {
                files.push(path);
            }
        }
        found.push(folder);
    }
    (found, files)
}

/// What changed in the sources since `then`: files and folders made (a
/// folder stands for its files: see `rebuilder::expand`), files and
/// folders gone (named as they were: all under a gone folder is gone), and
/// files whose change time is after `then` (written in place, or renamed
/// over another).
fn changed_since(
    then: &Baseline,
    folders: &[PathBuf],
    files: &[PathBuf],
    filter: &Filter,
) -> Vec<Change> {
    let changed_after = |path: &Path| {
        std::fs::metadata(path)
            .ok()
            .and_then(|m| change_time(&m))
            .is_none_or(|time| time >= then.since)
    };
    let change = |path: &Path, expand: bool| Change {
        path: path.to_path_buf(),
        expand,
        write: Write::None,
    };
    let mut changes: Vec<Change> = Vec::new();
    for folder in folders {
        if !then.listing.contains(folder) {
            changes.push(change(folder, true));
        }
    }
    for file in files {
        if filter.wants(file) && (!then.listing.contains(file) || changed_after(file)) {
            changes.push(change(file, false));
        }
    }
    let now: std::collections::HashSet<&PathBuf> = folders.iter().chain(files).collect();
    let mut gone: Vec<&PathBuf> = then.listing.iter().filter(|p| !now.contains(p)).collect();
    gone.sort();
    changes.extend(gone.into_iter().map(|p| change(p, false)));
    changes
}

/// When a file's data or its entry last changed: its `ctime` where there
/// is one (no program can set it back, unlike the modification time an
/// archive or a copy keeps), else the later of modified and created.
/// `None` if unknown (then it counts as changed).
fn change_time(meta: &std::fs::Metadata) -> Option<SystemTime> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let secs = u64::try_from(meta.ctime()).ok()?;
        let nanos = u32::try_from(meta.ctime_nsec()).ok()?;
        Some(SystemTime::UNIX_EPOCH + Duration::new(secs, nanos))
    }
    #[cfg(not(unix))]
    {
        let modified = meta.modified().ok()?;
        Some(meta.created().map_or(modified, |c| c.max(modified)))
    }
}

fn hint(error: &notify::Error) -> &'static str {
    match error.kind {
        notify::ErrorKind::MaxFilesWatch => {
            " (the system's limit on watched folders is reached; on Linux raise it with \
             `sudo sysctl fs.inotify.max_user_watches=524288`)"
        }
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, RenameMode};

    fn ignored(name: &str) -> bool {
        crate::load::is_ignored_path(&name.split('/').collect::<Vec<_>>())
    }

    #[test]
    fn editor_litter_is_ignored() {
        for name in [
            ".x.md.swp",
            ".x.md.swx",
            "x.md.swp",
            "4913",
            "5036",
            "x.md~",
            "#x.md#",
            ".#x.md",
            "x.md___jb_tmp___",
            "x.md___jb_old___",
            ".goutputstream-ABC123",
            ".DS_Store",
            "x.md.tmp",
            "photo.jpg.crdownload",
            "stories/.hidden/x.md",
            ".git/HEAD",
            "Thumbs.db",
        ] {
            assert!(ignored(name), "{name} should be ignored");
        }
        for name in [
            "x.md",
            "stories/x.md",
            "2024",
            "4914",
            "img/a.png",
            "x.pt.md",
            "a-b_c.svg",
        ] {
            assert!(!ignored(name), "{name} should count");
        }
    }

    fn filter() -> Filter {
        Filter::new(Path::new("/site"), Path::new("/site/public"))
    }

    fn paths(msgs: &[Msg]) -> Vec<PathBuf> {
        msgs.iter()
            .flat_map(|m| match m {
                Msg::Changed(c) => c.iter().map(|c| c.path.clone()).collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn only_sources_count() {
        let f = filter();
        let event = |kind, p: &str| Event::new(kind).add_path(PathBuf::from(p));
        let modify = EventKind::Modify(ModifyKind::Any);
        assert_eq!(
            paths(&f.classify(&event(modify, "/site/content/x.md"))).len(),
            1
        );
        assert_eq!(
            paths(&f.classify(&event(modify, "/site/site.yaml"))).len(),
            1
        );
        assert_eq!(
            paths(&f.classify(&event(modify, "/site/layouts/a/b.html"))).len(),
            1
        );
        for p in [
            "/site/public/index.html",
            "/site/README.md",
            "/site/.public-staging/x",
            "/site/content/.x.md.swp",
            "/elsewhere/content/x.md",
        ] {
            assert!(f.classify(&event(modify, p)).is_empty(), "{p}");
        }
        let read = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert!(f.classify(&event(read, "/site/content/x.md")).is_empty());
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(
            paths(&f.classify(&event(closed, "/site/content/x.md"))).len(),
            1
        );
    }

    #[test]
    fn atomic_saves_and_renames_keep_the_real_names() {
        let f = filter();
        let rename = Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
            .add_path(PathBuf::from("/site/content/.x.md.tmp123"))
            .add_path(PathBuf::from("/site/content/x.md"));
        assert_eq!(
            paths(&f.classify(&rename)),
            [PathBuf::from("/site/content/x.md")]
        );
        let rename = Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
            .add_path(PathBuf::from("/site/content/a.md"))
            .add_path(PathBuf::from("/site/content/b.md"));
        assert_eq!(paths(&f.classify(&rename)).len(), 2);
        let created = Event::new(EventKind::Create(CreateKind::File))
            .add_path(PathBuf::from("/site/content/x.md"));
        assert!(matches!(&f.classify(&created)[0], Msg::Changed(c) if c[0].expand));
    }
}

#[cfg(all(test, target_os = "linux"))]
mod start_up_tests {
    use super::*;
    use std::sync::mpsc::{Receiver, channel};
    use std::time::{Duration, Instant};

    /// A site with nested folders, an ignored one, a link to a folder
    /// inside the site, one to a folder outside it, and a link cycle.
    fn site() -> (tempfile::TempDir, tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for d in [
            "content/stories/2024/q1",
            "content/.hidden/deep",
            "shared/images",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("site.yaml"), "title: T\n").unwrap();
        std::fs::write(root.join("content/stories/2024/q1/a.md"), "a").unwrap();
        std::fs::write(root.join("shared/images/b.md"), "b").unwrap();
        let link = |to: &Path, at: &str| std::os::unix::fs::symlink(to, root.join(at)).unwrap();
        link(&root.join("shared"), "content/shared");
        link(outside.path(), "content/elsewhere");
        link(&root.join("content/stories"), "content/stories/2024/loop");
        (dir, outside, root)
    }

    #[test]
    fn folders_are_found_as_loading_finds_them() {
        let (_dir, _outside, root) = site();
        let (folders, files) = walk(&root, &root.join("public"), &root.join("content"));
        let mut files: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        files.sort();
        assert_eq!(
            files,
            ["content/shared/images/b.md", "content/stories/2024/q1/a.md"]
        );
        let mut found: Vec<String> = folders
            .iter()
            .map(|f| f.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                "content",
                "content/shared",
                "content/shared/images",
                "content/stories",
                "content/stories/2024",
                "content/stories/2024/q1",
            ]
        );
    }

    /// Waits up to a few seconds for a change to `path`.
    fn sees(rx: &Receiver<Msg>, path: &Path) -> bool {
        let until = Instant::now() + Duration::from_secs(5);
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(Msg::Changed(changes)) if changes.iter().any(|c| c.path == path) => {
                    return true;
                }
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    }

    /// Made by a site (or anything else) just before a watch starts: the
    /// clock files are stamped by may say a little earlier than the start.
    fn before_the_start() {
        std::thread::sleep(CLOCK_TICK * 5);
    }

    /// Edits made while the first build runs, anywhere under `content/`
    /// (in linked folders too), are reported once it is done; so are,
    /// from then on, files in folders made after start-up.
    #[test]
    fn edits_during_the_first_build_and_in_later_folders_are_seen() {
        let (_dir, _outside, root) = site();
        before_the_start();
        let (tx, rx) = channel();
        let filter = Filter::new(&root, &root.join("public"));
        let mut watch = Watch::start(filter, tx).unwrap();
        assert!(watch.deferred.is_some());
        for file in ["content/stories/2024/q1/a.md", "content/shared/images/b.md"] {
            std::fs::write(root.join(file), "edited").unwrap();
        }
        watch.complete();
        assert!(watch.deferred.is_none());
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Msg::Changed(changes)) => {
                let mut paths: Vec<&Path> = changes.iter().map(|c| c.path.as_path()).collect();
                paths.sort();
                // Through the link, as loading sees it.
                assert_eq!(
                    paths,
                    [
                        root.join("content/shared/images/b.md"),
                        root.join("content/stories/2024/q1/a.md"),
                    ]
                );
            }
            other => panic!("expected the two edits, got {other:?}"),
        }
        let later = root.join("content/stories/2025");
        std::fs::create_dir(&later).unwrap();
        assert!(sees(&rx, &later));
        // notify watches the new folder itself once it saw it made.
        std::thread::sleep(Duration::from_millis(200));
        let file = later.join("c.md");
        std::fs::write(&file, "c").unwrap();
        assert!(sees(&rx, &file));
    }

    /// What appears or goes while the first build runs is reported too:
    /// a new folder (standing for its files), a file gone. With no change
    /// at all, nothing is reported.
    #[test]
    fn files_and_folders_made_or_removed_during_the_first_build_are_seen() {
        let (_dir, _outside, root) = site();
        before_the_start();
        let (tx, rx) = channel();
        let filter = Filter::new(&root, &root.join("public"));
        let mut watch = Watch::start(filter.clone(), tx).unwrap();
        watch.complete();
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "nothing changed"
        );
        drop(watch);
        let (tx, rx) = channel();
        let mut watch = Watch::start(filter, tx).unwrap();
        std::fs::remove_file(root.join("content/stories/2024/q1/a.md")).unwrap();
        std::fs::create_dir_all(root.join("content/terms/new")).unwrap();
        std::fs::write(root.join("content/terms/new/t.md"), "t").unwrap();
        watch.complete();
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(Msg::Changed(changes)) => {
                let mut seen: Vec<(String, bool)> = changes
                    .iter()
                    .map(|c| {
                        let rel = c.path.strip_prefix(&root).unwrap();
                        (rel.display().to_string(), c.expand)
                    })
                    .collect();
                seen.sort();
                assert_eq!(
                    seen,
                    [
                        ("content/stories/2024/q1/a.md".to_string(), false),
                        ("content/terms".to_string(), true),
                        ("content/terms/new".to_string(), true),
                        ("content/terms/new/t.md".to_string(), false),
                    ]
                );
            }
            other => panic!("expected the changes, got {other:?}"),
        }
    }

    /// Lost events (the kernel's queue overflowed): what changed since the
    /// last look is found by looking, in `content/`, `layouts/` and
    /// `site.yaml`; looked at again later, nothing, so one look never
    /// leads to another.
    #[test]
    fn lost_changes_are_found_by_looking_once() {
        let (_dir, _outside, root) = site();
        std::fs::create_dir_all(root.join("layouts")).unwrap();
        std::fs::write(root.join("layouts/story.html"), "old").unwrap();
        before_the_start();
        let (tx, _rx) = channel();
        let mut watch = Watch::start(Filter::new(&root, &root.join("public")), tx).unwrap();
        watch.complete();
        before_the_start();
        assert_eq!(watch.lost_changes(), [], "nothing changed");
        before_the_start();
        std::fs::write(root.join("content/stories/2024/q1/a.md"), "edited").unwrap();
        std::fs::write(root.join("layouts/story.html"), "new").unwrap();
        std::fs::write(root.join("site.yaml"), "title: T2\n").unwrap();
        std::fs::remove_file(root.join("shared/images/b.md")).unwrap();
        std::fs::write(root.join("content/stories/new.md"), "new").unwrap();
        // (What changed in the clock tick of a look is found by the next
        // one too: the edits' tick is over before this look.)
        before_the_start();
        let mut seen: Vec<String> = watch
            .lost_changes()
            .iter()
            .map(|c| c.path.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            [
                "content/shared/images/b.md",
                "content/stories/2024/q1/a.md",
                "content/stories/new.md",
                "layouts/story.html",
                "site.yaml",
            ]
        );
        before_the_start();
        assert_eq!(watch.lost_changes(), [], "nothing since the last look");
    }
}
