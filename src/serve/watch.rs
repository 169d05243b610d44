//! Watching `site.yaml`, `content/` and `layouts/` with notify, turning raw
//! events into the paths that matter, and sending them to the rebuild thread.
//!
//! The site root is watched non-recursively (for `site.yaml`, which editors
//! replace by rename, and for `content/` or `layouts/` appearing later);
//! `content/` and `layouts/` recursively (notify adds new folders itself).
//! At start-up `content/`'s folders are first watched one by one, found by
//! reading their listings only, and handed to notify's recursive watch once
//! the first build is done ([`Watch::complete`]): notify's own walk looks
//! up every file (a `stat` each: some 60 ms for 10,000 stories), which the
//! first build would otherwise wait for.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;

use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::ServeError;

/// What the watcher tells the rebuild thread.
#[derive(Debug)]
pub(crate) enum Msg {
    Changed(Vec<Change>),
    /// Events were lost (kernel queue overflow): rebuild everything.
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
        }
    }

    fn relevance(&self, path: &Path) -> Relevance {
        if path.starts_with(&self.output) {
            return Relevance::Skip;
        }
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return Relevance::Skip;
        };
        let names: Vec<&str> = rel
            .components()
            .map(|c| match c {
                Component::Normal(name) => name.to_str().unwrap_or("."),
                _ => ".",
            })
            .collect();
        match names.as_slice() {
            [name] if CONFIG_FILES.contains(name) => Relevance::Source,
            [dir] if TOP_DIRS.contains(dir) => Relevance::TopDir,
            [dir, rest @ ..] if TOP_DIRS.contains(dir) && !crate::load::is_ignored_path(rest) => {
                Relevance::Source
            }
            _ => Relevance::Skip,
        }
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

/// The running watcher. Dropping it stops watching.
pub(crate) struct Watch {
    watcher: RecommendedWatcher,
    /// `content/`, while its folders are watched one by one (see the
    /// module's documentation) rather than by notify's recursive watch.
    shallow: Option<PathBuf>,
}

impl Watch {
    pub(crate) fn start(filter: Filter, tx: Sender<Msg>) -> Result<Watch, ServeError> {
        let root = filter.root.clone();
        let handler = move |result: notify::Result<Event>| match result {
            Ok(event) => {
                for msg in filter.classify(&event) {
                    let _ = tx.send(msg);
                }
            }
            Err(error) => eprintln!("campfire: file watching: {error}{}", hint(&error)),
        };
        let watch_error = |path: &Path, error: notify::Error| ServeError::Watch {
            path: path.to_path_buf(),
            message: format!("{error}{}", hint(&error)),
        };
        let mut watcher =
            notify::recommended_watcher(handler).map_err(|e| watch_error(&root, e))?;
        watcher
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| watch_error(&root, e))?;
        let mut shallow = None;
        for name in TOP_DIRS {
            let dir = root.join(name);
            if !dir.is_dir() {
                continue;
            }
            if name == crate::paths::CONTENT_DIR {
                for folder in folders(&root, &dir) {
                    watcher
                        .watch(&folder, RecursiveMode::NonRecursive)
                        .map_err(|e| watch_error(&folder, e))?;
                }
                shallow = Some(dir);
            } else {
                watcher
                    .watch(&dir, RecursiveMode::Recursive)
                    .map_err(|e| watch_error(&dir, e))?;
            }
        }
        Ok(Watch { watcher, shallow })
    }

    /// Hands `content/` to notify's recursive watch, which from then on
    /// also watches folders made later (until then a new folder is seen
    /// made, and its files are read when its batch is built: see
    /// `rebuilder::expand`). Called by the rebuild thread once the first
    /// build is done, before it takes the first batch of changes.
    pub(crate) fn complete(&mut self) {
        if let Some(dir) = self.shallow.take()
            && dir.is_dir()
        {
            self.add(&dir);
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

/// `dir` and every folder below it as loading sees them: names loading
/// ignores are skipped, symbolic links to folders inside the site followed
/// (once each). Only the listings are read: the kind of each entry comes
/// with them, so no file is looked up on its own.
fn folders(root: &Path, dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
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
            if kind.is_dir()
                || (kind.is_symlink() && path.is_dir() && crate::load::within_root(root, &path))
            {
                todo.push(path);
            }
        }
        found.push(folder);
    }
    found
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
        let mut found: Vec<String> = folders(&root, &root.join("content"))
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

    /// While the first build runs, edits anywhere under `content/` (in
    /// linked folders too) are seen; once it is done, so are files in
    /// folders made after start-up.
    #[test]
    fn edits_during_the_first_build_and_in_later_folders_are_seen() {
        let (_dir, _outside, root) = site();
        let (tx, rx) = channel();
        let filter = Filter::new(&root, &root.join("public"));
        let mut watch = Watch::start(filter, tx).unwrap();
        assert!(watch.shallow.is_some());
        for file in ["content/stories/2024/q1/a.md", "content/shared/images/b.md"] {
            std::fs::write(root.join(file), "edited").unwrap();
            assert!(sees(&rx, &root.join(file)), "{file}");
        }
        watch.complete();
        assert!(watch.shallow.is_none());
        let later = root.join("content/stories/2025");
        std::fs::create_dir(&later).unwrap();
        assert!(sees(&rx, &later));
        // notify watches the new folder itself once it saw it made.
        std::thread::sleep(Duration::from_millis(200));
        let file = later.join("c.md");
        std::fs::write(&file, "c").unwrap();
        assert!(sees(&rx, &file));
    }
}
