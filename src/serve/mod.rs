//! `campfire serve`: build, serve the output over HTTP, watch the sources,
//! rebuild on change and live-reload open browser tabs.
//!
//! Threads: one event loop serving every HTTP connection (see `http`); one
//! rebuild thread that owns the [`Rebuild`] implementation (the warm
//! [`LiveSite`] pipeline) and the file watcher, fed by a channel; one
//! thread rebuilding the search index off the reload's path.
//!
//! Contract with the build pipeline (see [`Rebuild`]):
//! - `start` calls `build_all` once, on the calling thread, before it returns;
//!   later calls come from the rebuild thread, one at a time.
//! - `rebuild` receives absolute paths under `root/site.yaml`, `root/content/`
//!   or `root/layouts/`: files created, modified or removed, both sides of a
//!   rename, and paths inside what a symbolic link under `content/` leads
//!   to (see `Rebuild::link_targets`). A path that no longer exists may
//!   have been a directory (removed or moved away): everything under it is
//!   gone. Directories created or moved in are replaced by the files inside
//!   them; a symbolic link to a directory is passed as itself. Editors'
//!   temporary files, hidden files and anything under the output are never
//!   passed.
//! - After a failed `rebuild`, its paths are passed again with the next
//!   change, until a rebuild succeeds.
//! - `build_all` is called instead of `rebuild` after a failed first build
//!   and after a panic (the builder may be half-updated). When the watcher
//!   lost events, `rebuild` gets what changed since it last knew (found by
//!   looking: see `watch`); when the output went missing, `rebuild` is
//!   called too (with nothing changed, if so) and must make it again whole.
//! - `start` prints the URLs; the rebuild thread prints one line per rebuild
//!   (stdout) or the errors (stderr).

mod http;
mod live;
mod mime;
mod net;
mod paths;
mod rebuilder;
mod reload;
mod room;
mod search_worker;
mod watch;

pub use live::LiveSite;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

pub struct ServeOptions {
    /// Site root (watched: root/site.yaml, root/content/, root/layouts/).
    pub root: PathBuf,
    /// Directory to serve. The build may swap a fresh directory into this
    /// path: it is resolved on every request.
    pub output: PathBuf,
    /// 0 picks a free port (tests).
    pub port: u16,
    pub bind: IpAddr,
    /// Open the browser (failure is reported, not fatal); with `room`, as
    /// the presenter.
    pub open: bool,
    /// Lead a room: attendees follow the presenter's slides (`room.rs`).
    pub room: bool,
}

impl ServeOptions {
    /// Port 1111 on 127.0.0.1, no browser.
    pub fn new(root: impl Into<PathBuf>, output: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            root: root.into(),
            output: output.into(),
            port: 1111,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            open: false,
            room: false,
        }
    }
}

/// What the serve loop needs from the build pipeline.
pub trait Rebuild: Send + 'static {
    /// Full build into `output`.
    fn build_all(&mut self) -> Result<Outcome, BuildFailure>;
    /// Rebuild after these files changed (absolute paths; created, modified,
    /// or removed — check existence).
    fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Outcome, BuildFailure>;
    /// Whether the output is still there as the last build left it; asked
    /// when nothing else is happening, so a deleted output comes back
    /// without waiting for the next save.
    fn output_intact(&self) -> bool {
        true
    }
    /// What the symbolic links under `content/` lead to (canonical paths),
    /// as the last build found them: the watcher watches those elsewhere
    /// in the site too, and passes changes there to `rebuild`.
    fn link_targets(&self) -> Vec<PathBuf> {
        Vec::new()
    }
    /// Called after each build's outcome has been reported (tabs told to
    /// reload): housekeeping that must not delay the reload.
    fn settle(&mut self) {}
    /// Called about once a second while nothing happens: retries what a
    /// build could not finish (a file that could not be removed).
    fn idle(&mut self) {}
    /// Whether midnight has passed since the last build, which counted the
    /// coverage page's freshness up to its day: asked while idle, and
    /// answered by a build of no changed files.
    fn day_passed(&self) -> bool {
        false
    }
    /// What the server holds while it reads a page, when the builder
    /// writes pages in place (see `write::PageWrites`).
    fn page_writes(&self) -> Option<Arc<crate::write::PageWrites>> {
        None
    }
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Site-relative URL paths of output files written or removed, e.g.
    /// "stories/x/index.html", "assets/campfire.css".
    pub changed_urls: Vec<String>,
    /// One line for the terminal, e.g. "rebuilt 4 pages in 12 ms".
    pub summary: String,
}

/// Multi-line; each line like
/// `content/stories/x.md:4:12: unknown department "logsitics" …`.
#[derive(Debug, Clone)]
pub struct BuildFailure {
    pub message: String,
}

impl std::fmt::Display for BuildFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildFailure {}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("port {port} on {bind} is already in use; try --port {suggestion}")]
    PortInUse {
        port: u16,
        bind: IpAddr,
        suggestion: u16,
    },
    #[error("cannot listen on {addr}: {source}{hint}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
        hint: &'static str,
    },
    #[error("site root {}: {source}", path.display())]
    Root {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot watch {}: {message}", path.display())]
    Watch { path: PathBuf, message: String },
    #[error("cannot start the HTTP server: {0}")]
    Http(String),
}

pub struct Server {
    addr: SocketAddr,
    urls: Vec<String>,
    http: http::HttpServer,
    hub: Arc<reload::Hub>,
    room: Option<Arc<room::Room>>,
    rebuild_tx: Sender<watch::Msg>,
    rebuild_thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Builds once (a failed first build still serves, with the overlay),
    /// binds, starts watching; returns at once.
    pub fn start<R: Rebuild>(opts: ServeOptions, builder: R) -> Result<Server, ServeError> {
        let root = std::fs::canonicalize(&opts.root).map_err(|source| ServeError::Root {
            path: opts.root.clone(),
            source,
        })?;
        let output = std::path::absolute(&opts.output).unwrap_or_else(|_| opts.output.clone());
        // Bind first: a taken port should fail before a long build.
        let listener = net::bind(opts.bind, opts.port)?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServeError::Http(e.to_string()))?;

        // Watch before building, so edits made during the build count.
        let filter = watch::Filter::new(&root, &canonical_output(&output));
        let (tx, rx) = mpsc::channel();
        let watching = std::time::Instant::now();
        let watcher = watch::Watch::start(filter.clone(), tx.clone())?;
        if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
            eprintln!("timings: watching started in {:?}", watching.elapsed());
        }

        let hub = Arc::new(reload::Hub::new());
        let page_writes = builder.page_writes();
        let mut rebuilder = rebuilder::Rebuilder::new(builder, hub.clone(), filter, root);
        rebuilder.initial_build();

        let urls = net::urls(opts.bind, addr.port());
        let room = match opts.room {
            true => Some(Arc::new(
                room::Room::new(&urls, addr.port()).map_err(ServeError::Http)?,
            )),
            false => None,
        };
        let context = http::Context {
            output: output.clone(),
            hub: hub.clone(),
            loopback_only: opts.bind.is_loopback(),
            room: room.clone(),
            page_writes,
        };
        let http = http::HttpServer::start(listener, context)?;
        let rebuild_thread = std::thread::Builder::new()
            .name("campfire-rebuild".into())
            .spawn(move || rebuilder.run(rx, watcher))
            .map_err(|e| ServeError::Http(e.to_string()))?;

        println!("Serving {} at", output.display());
        for url in &urls {
            println!("  {url}");
        }
        if let Some(room) = &room {
            use std::io::IsTerminal;
            let colours = std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
                && std::env::var("TERM").map_or(true, |t| t != "dumb");
            print!("{}", room.banner(colours));
        }
        println!("Watching site.yaml, content/ and layouts/ for changes; press Ctrl+C to stop.");
        if opts.open {
            net::open_browser(room.as_ref().map_or(&urls[0], |r| r.presenter_url()));
        }
        Ok(Server {
            addr,
            urls,
            http,
            hub,
            room,
            rebuild_tx: tx,
            rebuild_thread: Some(rebuild_thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL(s) to print; for an unspecified bind address (`0.0.0.0`)
    /// loopback first, then the machine's other addresses.
    pub fn urls(&self) -> Vec<String> {
        self.urls.clone()
    }

    /// With `room`: the URL attendees open, and the presenter's (tests).
    pub fn room_urls(&self) -> Option<(String, String)> {
        self.room
            .as_ref()
            .map(|r| (r.url().to_string(), r.presenter_url().to_string()))
    }

    /// Blocks forever (CLI).
    pub fn wait(mut self) {
        self.http.join();
    }

    /// Stops the server and watcher threads (tests).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.rebuild_tx.send(watch::Msg::Shutdown);
        if let Some(thread) = self.rebuild_thread.take() {
            let _ = thread.join(); // waits for a build in progress
        }
        self.http.stop();
        self.hub.close();
        if let Some(room) = &self.room {
            room.close();
        }
    }
}

/// The output as the watcher reports it: canonical, even if it does not
/// exist yet.
fn canonical_output(output: &std::path::Path) -> PathBuf {
    if let Ok(path) = std::fs::canonicalize(output) {
        return path;
    }
    match (output.parent(), output.file_name()) {
        (Some(parent), Some(name)) => std::fs::canonicalize(parent)
            .map(|p| p.join(name))
            .unwrap_or_else(|_| output.to_path_buf()),
        _ => output.to_path_buf(),
    }
}

/// Makes mimalloc (the allocator, see README "Dependencies") give freed
/// memory back to the system at once instead of after a delay it only
/// checks when it allocates again: the threads of an idle server allocate
/// nothing, so memory freed after a save (the search index's, the previous
/// render's) stayed resident: some 280 MB on the 10k corpus. A one-off
/// build keeps a delay (10 ms for a big site), which saves it work; so does
/// a server until its
/// first site is complete (see [`site_complete`]): giving every freed block
/// back at once, then faulting it in again, cost the first render and its
/// search index `madvise` calls and page faults while a browser waited.
fn return_freed_memory_at_once() {
    crate::allocator::set_purge_delay(0);
}

/// Set by [`prepare_memory_for_serving`]: this process is a server (tests
/// that start one leave the allocator as it is).
static RELEASE_WHEN_COMPLETE: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// For `campfire serve`, before its first build: freed memory goes back
/// at once from [`site_complete`] on. (Transparent huge pages are off for
/// every command: see `cli::turn_off_transparent_huge_pages`.)
pub fn prepare_memory_for_serving() {
    RELEASE_WHEN_COMPLETE.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// The served site is complete (its first render and search index are in
/// place): from now on a server gives freed memory back at once (see
/// [`return_freed_memory_at_once`]). Call it after collecting what the
/// threads freed (`live::give_back_memory`): with the delay at 0 the
/// allocator no longer purges what it scheduled before, so what the first
/// render freed is purged here, while the delay is still set (left
/// resident, it was some 16 MB after startup). Cheap; called after every
/// build.
pub(crate) fn site_complete() {
    if RELEASE_WHEN_COMPLETE.load(std::sync::atomic::Ordering::SeqCst) {
        crate::allocator::collect_freed();
        return_freed_memory_at_once();
    }
}

#[cfg(test)]
mod allocator_tests {
    /// One test, as they share the allocator's option.
    #[test]
    fn the_purge_delay_is_the_default_until_a_server_s_site_is_complete() {
        use std::sync::atomic::Ordering;
        let delay = crate::allocator::purge_delay;
        assert_eq!(delay(), 1000, "mimalloc v3's default purge delay (ms)");
        // Not a server (a test, a build): nothing changes.
        super::site_complete();
        assert_eq!(delay(), 1000);
        // A server, once its site is complete.
        super::RELEASE_WHEN_COMPLETE.store(true, Ordering::SeqCst);
        super::site_complete();
        assert_eq!(delay(), 0);
        super::RELEASE_WHEN_COMPLETE.store(false, Ordering::SeqCst);
        crate::allocator::set_purge_delay(1000);
    }
}
