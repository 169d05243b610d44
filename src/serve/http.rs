//! The HTTP server: tiny_http accepts connections and parses requests on its
//! own threads; one dispatcher thread hands each request to a short-lived
//! thread of its own (bounded), so slow clients and the long-lived event
//! streams never hold anyone else up.

use std::fs::File;
use std::io::{self, Cursor, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, ResponseBox, StatusCode};

use super::ServeError;
use super::mime;
use super::paths::{self, Resolved};
use super::reload::{self, Hub, Since};

/// Requests answered at once (each on its own thread); beyond, 503.
const MAX_REQUESTS: usize = 64;
/// An idle event stream gets a comment this often, which also notices
/// browsers that went away.
const HEARTBEAT: Duration = Duration::from_secs(2);

pub(crate) struct Context {
    pub output: PathBuf,
    pub hub: Arc<Hub>,
    /// Bound to a loopback address: only answer requests addressed to this
    /// machine by IP or as `localhost`, so a web page cannot read the site
    /// through DNS rebinding.
    pub loopback_only: bool,
}

pub(crate) struct HttpServer {
    server: Arc<tiny_http::Server>,
    stopping: Arc<AtomicBool>,
    dispatcher: Option<JoinHandle<()>>,
}

impl HttpServer {
    pub(crate) fn start(listener: TcpListener, context: Context) -> Result<HttpServer, ServeError> {
        let server = tiny_http::Server::from_listener(listener, None)
            .map_err(|e| ServeError::Http(e.to_string()))?;
        let server = Arc::new(server);
        let stopping = Arc::new(AtomicBool::new(false));
        let dispatcher = {
            let (server, stopping) = (server.clone(), stopping.clone());
            thread::Builder::new()
                .name("campfire-http".into())
                .spawn(move || dispatch(&server, &stopping, Arc::new(context)))
                .map_err(|e| ServeError::Http(e.to_string()))?
        };
        Ok(HttpServer {
            server,
            stopping,
            dispatcher: Some(dispatcher),
        })
    }

    /// Blocks until `stop` (from another thread) or forever.
    pub(crate) fn join(&mut self) {
        if let Some(dispatcher) = self.dispatcher.take() {
            let _ = dispatcher.join();
        }
    }

    pub(crate) fn stop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.server.unblock();
        self.join();
    }
}

/// Counts running threads of one kind; `None` when at the limit.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(counter: &Arc<AtomicUsize>, limit: usize) -> Option<Slot> {
        counter
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(counter.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn dispatch(server: &tiny_http::Server, stopping: &AtomicBool, context: Arc<Context>) {
    let requests = Arc::new(AtomicUsize::new(0));
    let streams = Arc::new(AtomicUsize::new(0));
    loop {
        let request = match server.recv() {
            Ok(request) => request,
            Err(_) if stopping.load(Ordering::SeqCst) => return,
            Err(error) => {
                eprintln!("campfire: HTTP server: {error}");
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        let is_stream = paths::split_target(request.url()).0 == reload::EVENTS_PATH;
        let (counter, limit, stack) = if is_stream {
            (&streams, reload::MAX_CLIENTS, 128 * 1024)
        } else {
            (&requests, MAX_REQUESTS, 512 * 1024)
        };
        let Some(slot) = Slot::take(counter, limit) else {
            let _ = request.respond(plain(503, "Too many connections; try again.\n"));
            continue;
        };
        let context = context.clone();
        // If the thread cannot start, the request is dropped: tiny_http answers 500.
        let _ = thread::Builder::new()
            .name("campfire-request".into())
            .stack_size(stack)
            .spawn(move || {
                let _slot = slot;
                if is_stream {
                    event_stream(request, &context);
                } else {
                    handle(request, &context);
                }
            });
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

fn plain(status: u16, body: &str) -> ResponseBox {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
        .boxed()
}

fn handle(request: Request, context: &Context) {
    if context.loopback_only && !local_host(&request) {
        let _ = request.respond(plain(403, FOREIGN_HOST));
        return;
    }
    let response = match request.method() {
        Method::Get | Method::Head => route(&request, context),
        _ => plain(405, "Method not allowed: this server only reads.\n")
            .with_header(header("Allow", "GET, HEAD")),
    };
    let _ = request.respond(response);
}

fn route(request: &Request, context: &Context) -> ResponseBox {
    let target = request.url();
    match paths::split_target(target).0 {
        reload::SCRIPT_PATH => Response::from_string(reload::SCRIPT)
            .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
            .with_header(header("Cache-Control", "no-cache"))
            .boxed(),
        reload::STATUS_PATH => Response::from_string(context.hub.status_json())
            .with_header(header("Content-Type", "application/json"))
            .with_header(header("Cache-Control", "no-store"))
            .boxed(),
        path if path.starts_with("/__campfire/") => plain(404, "Not found.\n"),
        _ => match paths::resolve(&context.output, target) {
            Resolved::File(file) => serve_file(request, context, &file, 200, None)
                .unwrap_or_else(|_| not_found(request, context)),
            Resolved::Redirect(location) => Response::empty(302)
                .with_header(header("Location", &location))
                .with_header(header("Cache-Control", "no-cache"))
                .boxed(),
            Resolved::NotFound => not_found(request, context),
            Resolved::Forbidden => plain(403, "Forbidden: outside the site.\n"),
            Resolved::BadRequest => plain(400, "Bad request: malformed path.\n"),
        },
    }
}

/// The site's own `404.html` with status 404, or a small page that still
/// carries the live-reload script (so it shows build errors and reloads
/// once the page exists).
fn not_found(request: &Request, context: &Context) -> ResponseBox {
    if let Resolved::File(file) = paths::resolve(&context.output, "/404.html")
        && let Ok(response) = serve_file(request, context, &file, 404, Some("404.html"))
    {
        return response;
    }
    let path = paths::split_target(request.url()).0;
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title>\
         <meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"font-family:system-ui,\
         sans-serif;margin:3rem\"><h1>404 Not found</h1><p>Nothing at <code>{}</code>.</p>\
         <p><a href=\"/\">Home</a></p></body></html>\n",
        escape_html(path)
    );
    let tag = context.hub.script_tag(context.hub.build(), None);
    let html = reload::inject(html.into_bytes(), &tag);
    Response::from_data(html)
        .with_status_code(404)
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
        .boxed()
}

fn serve_file(
    request: &Request,
    context: &Context,
    path: &Path,
    status: u16,
    served_as: Option<&str>,
) -> io::Result<ResponseBox> {
    // Read before the file: a page is never older than the build it names
    // (at worst newer, which costs one needless reload).
    let build = context.hub.build();
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    let html = mime::is_html(path);
    let mut headers = vec![
        header("Content-Type", &mime::content_type(path)),
        header("Cache-Control", "no-cache"),
        header("X-Content-Type-Options", "nosniff"),
    ];
    if status == 200 {
        let mut etag = file_tag(&meta);
        if html {
            // The injected script names the session and build.
            etag = format!("{etag}-{}-{build}", context.hub.session());
        }
        let etag = format!("\"{etag}\"");
        let fresh = if_none_match(request, &etag);
        headers.push(header("ETag", &etag));
        if fresh {
            return Ok(Response::new(
                StatusCode(304),
                headers,
                Box::new(io::empty()) as _,
                Some(0),
                None,
            ));
        }
    }
    let (body, length): (Box<dyn Read + Send>, usize) = if html {
        let mut bytes = Vec::with_capacity(meta.len() as usize + 200);
        file.read_to_end(&mut bytes)?;
        let bytes = reload::inject(bytes, &context.hub.script_tag(build, served_as));
        let length = bytes.len();
        (Box::new(Cursor::new(bytes)), length)
    } else {
        (Box::new(file), meta.len() as usize)
    };
    Ok(
        Response::new(StatusCode(status), headers, body, Some(length), None)
            // The length is known: always send Content-Length, never chunks.
            .with_chunked_threshold(usize::MAX),
    )
}

/// Changes whenever the file is rewritten or replaced (size, modification
/// time in nanoseconds, inode). `Last-Modified` is deliberately not used: its
/// one-second resolution could hide a rebuild.
fn file_tag(meta: &std::fs::Metadata) -> String {
    let nanos = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let inode = 0u64;
    format!("{:x}-{nanos:x}-{inode:x}", meta.len())
}

fn if_none_match(request: &Request, etag: &str) -> bool {
    request
        .headers()
        .iter()
        .filter(|h| h.field.equiv("If-None-Match"))
        .flat_map(|h| h.value.as_str().split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

const FOREIGN_HOST: &str = "Forbidden: this server answers only to addresses of this machine \
     (http://127.0.0.1:PORT/ or http://localhost:PORT/). To reach it under another name, \
     start it with --bind.\n";

/// The `Host` header names this machine: an IP address, `localhost` or
/// `*.localhost` (any port). Requests without `Host` (HTTP/1.0 tools) pass.
fn local_host(request: &Request) -> bool {
    let Some(host) = request.headers().iter().find(|h| h.field.equiv("Host")) else {
        return true;
    };
    let host = host.value.as_str().trim().to_ascii_lowercase();
    let name = if let Some(v6) = host.strip_prefix('[') {
        return v6
            .split(']')
            .next()
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok());
    } else {
        host.rsplit_once(':')
            .map_or(host.as_str(), |(name, _port)| name)
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::Ipv4Addr>().is_ok()
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `/__campfire/events`: a Server-Sent Events stream, written by hand on
/// the raw connection so every event is flushed at once.
fn event_stream(request: Request, context: &Context) {
    let hub = &context.hub;
    if context.loopback_only && !local_host(&request) {
        let _ = request.respond(plain(403, FOREIGN_HOST));
        return;
    }
    if request.method() != &Method::Get {
        let _ = request.respond(plain(405, "Use GET.\n").with_header(header("Allow", "GET")));
        return;
    }
    let since = parse_since(paths::split_target(request.url()).1.unwrap_or(""));
    let Some(subscription) = hub.subscribe(&since) else {
        let _ = request.respond(plain(503, "Too many live-reload connections.\n"));
        return;
    };
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\n\
                Content-Type: text/event-stream\r\n\
                Cache-Control: no-store\r\n\
                X-Accel-Buffering: no\r\n\
                Connection: close\r\n\r\n\
                retry: 1000\n\n";
    let mut send = |text: &str| out.write_all(text.as_bytes()).and_then(|_| out.flush());
    if send(head).is_err() {
        return;
    }
    loop {
        let written = match subscription.next(HEARTBEAT) {
            Ok(Some(message)) => send(&format!("data: {message}\n\n")),
            Ok(None) => send(":\n\n"),
            Err(()) => return, // shutting down, or this client fell behind
        };
        if written.is_err() {
            return; // the browser went away
        }
    }
}

fn parse_since(query: &str) -> Since {
    let mut since = Since::default();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = paths::percent_decode(value).and_then(|v| String::from_utf8(v).ok());
        match (key, value) {
            ("session", Some(v)) if !v.is_empty() => since.session = Some(v),
            ("build", Some(v)) => since.build = v.parse().ok(),
            _ => {}
        }
    }
    since
}
