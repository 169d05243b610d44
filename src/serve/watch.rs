//! Watching `site.yaml`, `content/` and `layouts/` with notify, turning raw
//! events into the paths that matter, and sending them to the rebuild thread.
//!
//! The site root is watched non-recursively (for `site.yaml`, which editors
//! replace by rename, and for `content/` or `layouts/` appearing later);
//! `content/` and `layouts/` recursively (notify adds new folders itself).

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
        for dir in TOP_DIRS {
            let dir = root.join(dir);
            if dir.is_dir() {
                watcher
                    .watch(&dir, RecursiveMode::Recursive)
                    .map_err(|e| watch_error(&dir, e))?;
            }
        }
        Ok(Watch { watcher })
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
