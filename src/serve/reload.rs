//! Live reload: the state browsers are told about (build number, current
//! error), the Server-Sent Events hub, and the script injected into HTML
//! responses.
//!
//! Events (one JSON object per SSE `data:` line):
//! - `{"type":"hello","session":"…","build":3,"error":null}` on connect;
//! - `{"type":"reload","build":4,"changed":["stories/x/index.html"],"all":false}`;
//! - `{"type":"css","build":5,"changed":["assets/campfire.css"],"all":false}` when only CSS changed;
//! - `{"type":"error","message":"content/x.md:4:12: …"}` after a failed rebuild;
//! - `{"type":"ok"}` after the first successful rebuild that follows a failure.
//!
//! Every page carries the session and build it was served from; a browser
//! that reconnects (tab shown again, server restarted) sends them back and
//! receives what changed since, so hidden tabs may close their connection.
//!
//! A save can change thousands of pages (a popular term's tooltip). Such a
//! change is not listed in full: each browser is told whether its own page
//! (it names it when it connects) and which other files changed, so only
//! the tabs showing a changed page reload, without sending every tab a list
//! of thousands of addresses.

use std::collections::{BTreeSet, VecDeque};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use serde_json::json;

pub(crate) const SCRIPT: &str = include_str!("livereload.js");
pub(crate) const SCRIPT_PATH: &str = "/__campfire/livereload.js";
pub(crate) const EVENTS_PATH: &str = "/__campfire/events";
pub(crate) const STATUS_PATH: &str = "/__campfire/status";

/// Most SSE connections at once. A stream is a parked socket and a queue,
/// not a thread, so a room of 300 tabs is far from this; the HTTP server's
/// own connection limit is the real bound.
pub(crate) const MAX_CLIENTS: usize = 2048;
/// Messages queued for a client before it is dropped. The HTTP loop drains
/// every queue as soon as it is woken, so only a wedged loop fills one.
const CLIENT_QUEUE: usize = 32;
/// Builds remembered for reconnecting browsers.
const HISTORY: usize = 64;
/// Beyond this many changed URLs an event is made for each browser's page.
const MAX_LISTED: usize = 2000;
/// Changes too big to list that the history keeps in full, for browsers
/// that reconnect (older ones then say "everything").
const BIG_CHANGES_KEPT: usize = 4;

/// A browser connecting: the page it shows, and where that page came from.
#[derive(Debug, Default)]
pub(crate) struct Since {
    pub session: Option<String>,
    pub build: Option<u64>,
    /// The page's addresses as site-relative files (`stories/x/index.html`;
    /// two for a not-found page, which is served at any address).
    pub pages: Vec<String>,
}

struct Change {
    build: u64,
    urls: Option<Arc<[String]>>, // sorted; None = forgotten (too many)
}

struct Client {
    tx: SyncSender<Arc<str>>,
    alive: Weak<()>,
    pages: Vec<String>,
}

/// An SSE client's end: its queue of messages (JSON strings).
pub(crate) struct Subscription {
    rx: Receiver<Arc<str>>,
    _alive: Arc<()>,
}

impl Subscription {
    /// A stream's queue for a hub other than this one (the room): the
    /// sender, a handle that tells whether the stream is still open, and
    /// the end the HTTP loop reads.
    pub(crate) fn channel() -> (SyncSender<Arc<str>>, Weak<()>, Subscription) {
        let (tx, rx) = sync_channel(CLIENT_QUEUE);
        let alive = Arc::new(());
        let weak = Arc::downgrade(&alive);
        (tx, weak, Subscription { rx, _alive: alive })
    }

    /// The next queued message, `Ok(None)` when there is none yet, `Err`
    /// once the hub dropped this client (shutdown, or it fell behind).
    pub(crate) fn try_next(&self) -> Result<Option<Arc<str>>, ()> {
        match self.rx.try_recv() {
            Ok(message) => Ok(Some(message)),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(()),
        }
    }
}

/// Called after every message the hub queues (and on close): the HTTP loop
/// parks the event streams and needs a nudge to write to them.
type Notify = Box<dyn Fn() + Send + Sync>;

struct State {
    clients: Vec<Client>,
    error: Option<String>,
    build: u64,
    history: VecDeque<Change>,
    closed: bool,
}

pub(crate) struct Hub {
    session: String,
    state: Mutex<State>,
    notify: Mutex<Option<Notify>>,
}

impl Hub {
    pub(crate) fn new() -> Hub {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Hub {
            session: format!("{:x}", nanos ^ (u64::from(std::process::id()) << 40)),
            state: Mutex::new(State {
                clients: Vec::new(),
                error: None,
                build: 0,
                history: VecDeque::new(),
                closed: false,
            }),
            notify: Mutex::new(None),
        }
    }

    /// `notify` runs after each broadcast, outside the hub's lock.
    pub(crate) fn set_notify(&self, notify: impl Fn() + Send + Sync + 'static) {
        *self.notify.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(notify));
    }

    fn notify(&self) {
        if let Some(notify) = &*self.notify.lock().unwrap_or_else(|e| e.into_inner()) {
            notify();
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state inconsistent.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn session(&self) -> &str {
        &self.session
    }

    pub(crate) fn build(&self) -> u64 {
        self.lock().build
    }

    /// A build succeeded and wrote or removed `changed` (site-relative URLs).
    pub(crate) fn succeeded(&self, changed: &[String]) {
        self.record_success(changed);
        self.notify();
    }

    fn record_success(&self, changed: &[String]) {
        let mut state = self.lock();
        if state.error.take().is_some() {
            broadcast(&mut state, json!({"type": "ok"}));
        }
        if changed.is_empty() {
            return;
        }
        let urls: BTreeSet<String> = changed.iter().map(|u| normalize(u)).collect();
        let urls: Arc<[String]> = urls.into_iter().collect();
        state.build += 1;
        let build = state.build;
        // One message per page shown (the same for all when few changed).
        let mut messages: std::collections::HashMap<Vec<String>, Arc<str>> =
            std::collections::HashMap::new();
        send_each(&mut state, |client| {
            let pages = if urls.len() <= MAX_LISTED {
                &[][..]
            } else {
                &client.pages[..]
            };
            messages
                .entry(pages.to_vec())
                .or_insert_with(|| event_for(build, &urls, pages).to_string().into())
                .clone()
        });
        state.history.push_back(Change {
            build,
            urls: Some(urls),
        });
        if state.history.len() > HISTORY {
            state.history.pop_front();
        }
        // Big lists are kept for the last few changes only.
        let mut big = 0;
        for change in state.history.iter_mut().rev() {
            if change.urls.as_ref().is_some_and(|u| u.len() > MAX_LISTED) {
                big += 1;
                if big > BIG_CHANGES_KEPT {
                    change.urls = None;
                }
            }
        }
    }

    /// A build failed; browsers show `message` until the next success.
    pub(crate) fn failed(&self, message: &str) {
        {
            let mut state = self.lock();
            state.error = Some(message.to_owned());
            broadcast(&mut state, json!({"type": "error", "message": message}));
        }
        self.notify();
    }

    /// Registers an SSE client. Its queue already holds the `hello` event
    /// and, for a reconnecting page, what changed since it was served.
    /// `None` when the server is shutting down or has too many clients.
    pub(crate) fn subscribe(&self, since: &Since) -> Option<Subscription> {
        let mut state = self.lock();
        state.clients.retain(|c| c.alive.strong_count() > 0);
        if state.closed || state.clients.len() >= MAX_CLIENTS {
            return None;
        }
        let pages: Vec<String> = since.pages.iter().map(|p| normalize(p)).collect();
        let (tx, rx) = sync_channel(CLIENT_QUEUE);
        let hello = json!({
            "type": "hello",
            "session": self.session,
            "build": state.build,
            "error": state.error,
        });
        tx.try_send(hello.to_string().into()).ok()?;
        if let Some(event) = self.catch_up(&state, since, &pages) {
            tx.try_send(event.to_string().into()).ok()?;
        }
        let alive = Arc::new(());
        state.clients.push(Client {
            tx,
            alive: Arc::downgrade(&alive),
            pages,
        });
        Some(Subscription { rx, _alive: alive })
    }

    /// What changed since `since` for a page at `pages` (normalized).
    fn catch_up(
        &self,
        state: &State,
        since: &Since,
        pages: &[String],
    ) -> Option<serde_json::Value> {
        let build = since.build?;
        if since.session.as_deref() != Some(self.session.as_str()) || build > state.build {
            return Some(change_event(state.build, None)); // server restarted
        }
        if build == state.build {
            return None;
        }
        let missed: Vec<&Change> = state.history.iter().filter(|c| c.build > build).collect();
        let complete = missed.len() as u64 == state.build - build;
        let mut urls = BTreeSet::new();
        for change in &missed {
            match &change.urls {
                Some(list) if complete => urls.extend(list.iter().cloned()),
                _ => return Some(change_event(state.build, None)),
            }
        }
        let urls: Vec<String> = urls.into_iter().collect();
        Some(event_for(state.build, &urls, pages))
    }

    /// Disconnects every client and refuses new ones.
    pub(crate) fn close(&self) {
        {
            let mut state = self.lock();
            state.closed = true;
            state.clients.clear();
        }
        self.notify();
    }

    pub(crate) fn status_json(&self) -> String {
        let state = self.lock();
        json!({
            "ok": state.error.is_none(),
            "error": state.error,
            "session": self.session,
            "build": state.build,
        })
        .to_string()
    }

    /// The tag injected into HTML responses: the page was served from
    /// `build`. `page` names the file actually served when it differs from
    /// the URL (the 404 page).
    pub(crate) fn script_tag(&self, build: u64, page: Option<&str>) -> String {
        let page = page.map_or(String::new(), |p| format!(" data-page=\"{}\"", attr(p)));
        format!(
            "<script src=\"{SCRIPT_PATH}\" data-session=\"{}\" data-build=\"{build}\"{page} defer></script>",
            self.session
        )
    }
}

fn broadcast(state: &mut State, event: serde_json::Value) {
    let message: Arc<str> = event.to_string().into();
    send_each(state, |_| message.clone());
}

/// Queues `message_for(client)` to every client. A client whose queue is
/// full is stuck; dropping it closes its stream and the browser reconnects
/// (and catches up) on its own.
fn send_each(state: &mut State, mut message_for: impl FnMut(&Client) -> Arc<str>) {
    state
        .clients
        .retain(|client| client.tx.try_send(message_for(client)).is_ok());
}

/// The change event for a browser showing `pages`, of a change to `urls`
/// (sorted): all of them when few, else the files other than pages (each
/// page may use them) and its own pages among them.
fn event_for(build: u64, urls: &[String], pages: &[String]) -> serde_json::Value {
    if urls.len() <= MAX_LISTED {
        return change_event(build, Some(urls));
    }
    let is_page = |u: &String| {
        let u = u.to_ascii_lowercase();
        u.ends_with(".html") || u.ends_with(".htm")
    };
    let mut listed: Vec<String> = urls.iter().filter(|u| !is_page(u)).cloned().collect();
    if pages.is_empty() || listed.len() > MAX_LISTED {
        return change_event(build, None);
    }
    listed.extend(
        pages
            .iter()
            .filter(|p| urls.binary_search(p).is_ok())
            .cloned(),
    );
    change_event(build, Some(&listed))
}

fn change_event(build: u64, urls: Option<&[String]>) -> serde_json::Value {
    let only_css = urls.is_some_and(|u| {
        !u.is_empty() && u.iter().all(|u| u.to_ascii_lowercase().ends_with(".css"))
    });
    json!({
        "type": if only_css { "css" } else { "reload" },
        "build": build,
        "changed": urls.unwrap_or_default(),
        "all": urls.is_none(),
    })
}

/// `/stories\x\` → `stories/x/index.html`.
fn normalize(url: &str) -> String {
    let url = url.replace('\\', "/");
    let url = url.trim_start_matches("./").trim_start_matches('/');
    if url.is_empty() || url.ends_with('/') {
        format!("{url}index.html")
    } else {
        url.to_owned()
    }
}

fn attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Inserts `tag` before the last `</body` (any case), or appends it.
pub(crate) fn inject(mut html: Vec<u8>, tag: &str) -> Vec<u8> {
    let needle = b"</body";
    let at = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    html.splice(at..at, tag.bytes());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(sub: &Subscription) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        while let Ok(Some(m)) = sub.try_next() {
            out.push(serde_json::from_str(&m).unwrap());
        }
        out
    }

    #[test]
    fn injects_before_the_last_body_close() {
        let html = b"<p>a</body></p></BODY>\n</html>".to_vec();
        let out = String::from_utf8(inject(html, "<s>")).unwrap();
        assert_eq!(out, "<p>a</body></p><s></BODY>\n</html>");
        let out = String::from_utf8(inject(b"<p>no body".to_vec(), "<s>")).unwrap();
        assert_eq!(out, "<p>no body<s>");
    }

    #[test]
    fn classifies_changes_and_errors() {
        let hub = Hub::new();
        let rx = hub.subscribe(&Since::default()).unwrap();
        hub.succeeded(&["/assets/campfire.css".into()]);
        hub.succeeded(&["stories/x/".into(), "assets/a.css".into()]);
        hub.failed("content/x.md:1:1: bad");
        hub.succeeded(&[]);
        let events = drain(&rx);
        let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(types, ["hello", "css", "reload", "error", "ok"]);
        assert_eq!(events[1]["changed"][0], "assets/campfire.css");
        assert_eq!(events[2]["changed"][1], "stories/x/index.html");
        assert_eq!(hub.build(), 2);
    }

    #[test]
    fn reconnecting_pages_catch_up() {
        let hub = Hub::new();
        hub.succeeded(&["a.html".into()]);
        hub.succeeded(&["b.html".into()]);
        hub.failed("boom");
        let since = |session: &str, build| Since {
            session: Some(session.into()),
            build: Some(build),
            pages: Vec::new(),
        };
        let events = drain(&hub.subscribe(&since(hub.session(), 1)).unwrap());
        assert_eq!(events[0]["error"], "boom");
        assert_eq!(events[1]["changed"], json!(["b.html"]));
        let events = drain(&hub.subscribe(&since(hub.session(), 2)).unwrap());
        assert_eq!(events.len(), 1);
        let events = drain(&hub.subscribe(&since("old-server", 2)).unwrap());
        assert_eq!(events[1]["all"], true);
    }

    #[test]
    fn a_change_to_thousands_of_pages_reloads_only_the_tabs_showing_one() {
        let hub = Hub::new();
        let showing = |page: &str| Since {
            pages: vec![page.into()],
            ..Since::default()
        };
        let changed_page = hub.subscribe(&showing("/stories/s7/")).unwrap();
        let other_page = hub.subscribe(&showing("glossary/x/index.html")).unwrap();
        let unnamed = hub.subscribe(&Since::default()).unwrap();
        let mut changed: Vec<String> = (0..MAX_LISTED + 10)
            .map(|i| format!("stories/s{i}/index.html"))
            .collect();
        hub.succeeded(&changed);
        let event = |sub: &Subscription| drain(sub).pop().unwrap();
        let e = event(&changed_page);
        assert_eq!(
            (e["all"].clone(), e["changed"].clone()),
            (json!(false), json!(["stories/s7/index.html"]))
        );
        let e = event(&other_page);
        assert_eq!(
            (e["all"].clone(), e["changed"].clone()),
            (json!(false), json!([]))
        );
        assert_eq!(e["type"], "reload", "nothing to swap either");
        assert_eq!(event(&unnamed)["all"], true, "a page that did not say");
        // Files other than pages are listed for every tab (any page may use them).
        changed.push("assets/campfire.js".into());
        hub.succeeded(&changed);
        assert_eq!(event(&other_page)["changed"], json!(["assets/campfire.js"]));
        // A tab reconnecting after both catches up the same way.
        let since = |page: &str| Since {
            session: Some(hub.session().into()),
            build: Some(0),
            pages: vec![page.into()],
        };
        let e = drain(&hub.subscribe(&since("stories/s3/index.html")).unwrap())
            .pop()
            .unwrap();
        assert_eq!(
            e["changed"],
            json!(["assets/campfire.js", "stories/s3/index.html"])
        );
        // Only the last few big changes are kept in full.
        for _ in 0..BIG_CHANGES_KEPT {
            hub.succeeded(&changed);
        }
        let e = drain(&hub.subscribe(&since("stories/s3/index.html")).unwrap())
            .pop()
            .unwrap();
        assert_eq!(e["all"], true);
    }

    #[test]
    fn gone_clients_are_pruned_and_a_closed_hub_refuses() {
        let hub = Hub::new();
        for _ in 0..MAX_CLIENTS * 2 {
            drop(
                hub.subscribe(&Since::default())
                    .expect("room for a new client"),
            );
        }
        let kept = hub.subscribe(&Since::default()).unwrap();
        hub.close();
        drain(&kept);
        assert!(kept.try_next().is_err(), "disconnected");
        assert!(hub.subscribe(&Since::default()).is_none());
    }
}
