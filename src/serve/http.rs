//! The HTTP server: one thread runs a readiness loop (mio, i.e. epoll or
//! kqueue) over non-blocking sockets. Every connection is a small state
//! machine (reading a request head, writing a response, streaming events,
//! lingering before close) with a deadline, so a client that sends nothing,
//! trickles a header or stops reading costs a socket and a buffer until its
//! deadline, never a thread, and never holds anyone else up. Live-reload
//! streams are parked sockets: the hub wakes the loop, which writes each
//! event to all of them.
//!
//! Why not a thread per connection: a room of 300 tabs each holding an event
//! stream, plus the page loads, made 465 threads and still refused work at a
//! fixed cap. Why not async: one loop serving files from the page cache keeps
//! up with `wrk` on a laptop (see README.md, "Why this server"), with no
//! runtime to carry.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::Shutdown;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};

use super::paths::{self, Resolved};
use super::reload::{self, Hub, Since, Subscription};
use super::room::{self, Room, RoomRequest};
use super::{ServeError, mime, net};
use crate::write::PageWrites;

/// Connections open at once. Beyond, a new connection gets 503 with
/// `Retry-After` and is closed. Each costs at most one head buffer and one
/// body chunk, so this also bounds memory (about 100 MB at worst).
const MAX_CONNECTIONS: usize = 1024;
/// Longest request line (method, target, version); beyond, 414.
const MAX_REQUEST_LINE: usize = 8 * 1024;
/// Longest request head (request line and headers); beyond, 431. Generous
/// because every dev server on `localhost` shares its cookies.
const MAX_HEAD: usize = 32 * 1024;
/// Most header fields in one request; beyond, 431.
const MAX_HEADERS: usize = 100;
/// From accepting a connection (or finishing the previous response on it)
/// to a complete request head. Closes idle keep-alive connections and
/// clients that trickle a header a byte at a time.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// A response (or an event stream's backlog) that makes no progress this
/// long is abandoned: the reader stopped (a laptop lid closed mid-download).
/// A browser that paused a video asks again with a Range when it resumes.
const WRITE_TIMEOUT: Duration = Duration::from_secs(20);
/// After a response that closes the connection, unread input is discarded
/// this long, so the client reads the response rather than a reset.
const LINGER: Duration = Duration::from_secs(2);
/// File bodies are read and sent in chunks of this size.
const CHUNK: usize = 64 * 1024;
/// Bytes one connection may write (or discard) in one turn before the
/// others get theirs: a fast reader of a large video on loopback could
/// otherwise keep the loop to itself until the whole file is sent.
const TURN: usize = 1024 * 1024;
/// Responses one connection may complete in one turn: a client pipelining
/// requests back to back would otherwise never let the loop move on.
const RESPONSES_PER_TURN: usize = 16;
/// An event stream whose reader lets this much pile up is closed (its
/// browser reconnects and catches up).
const MAX_STREAM_BACKLOG: usize = 64 * 1024;
/// An idle event stream gets a comment this often, so proxies and browsers
/// see it alive and a vanished peer is noticed.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// Memory for HTML pages with the script injected, kept to be shared by
/// every response that sends the same version of a page: 300 tabs loading
/// a 5 MB list page then hold one copy, not 300.
const PAGE_CACHE_BYTES: usize = 32 * 1024 * 1024;
/// How often deadlines are checked.
const TICK: Duration = Duration::from_millis(250);
/// After running out of file descriptors, accepting resumes after this.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
const FIRST_CONNECTION: usize = 2;

pub(crate) struct Context {
    pub output: PathBuf,
    pub hub: Arc<Hub>,
    /// Bound to a loopback address: only answer requests addressed to this
    /// machine by IP or as `localhost`, so a web page cannot read the site
    /// through DNS rebinding.
    pub loopback_only: bool,
    /// `serve --room`: the room attendees follow.
    pub room: Option<Arc<Room>>,
    /// Held while a page is read: pages are written over in place.
    pub page_writes: Option<Arc<PageWrites>>,
}

pub(crate) struct HttpServer {
    waker: Arc<Waker>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    pub(crate) fn start(
        listener: std::net::TcpListener,
        context: Context,
    ) -> Result<HttpServer, ServeError> {
        let error = |e: io::Error| ServeError::Http(e.to_string());
        net::raise_open_file_limit();
        listener.set_nonblocking(true).map_err(error)?;
        let mut listener = TcpListener::from_std(listener);
        let poll = Poll::new().map_err(error)?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)
            .map_err(error)?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER).map_err(error)?);
        {
            let waker = waker.clone();
            context.hub.set_notify(move || {
                let _ = waker.wake();
            });
        }
        if let Some(room) = &context.room {
            let waker = waker.clone();
            room.set_notify(move || {
                let _ = waker.wake();
            });
        }
        let stopping = Arc::new(AtomicBool::new(false));
        let mut event_loop = Loop {
            poll,
            listener,
            connections: Vec::new(),
            free: Vec::new(),
            open: 0,
            context,
            stopping: stopping.clone(),
            accept_paused_until: None,
            next_heartbeat: Instant::now() + HEARTBEAT,
            pages: PageCache::default(),
            again: Vec::new(),
        };
        let thread = thread::Builder::new()
            .name("campfire-http".into())
            .spawn(move || event_loop.run())
            .map_err(error)?;
        Ok(HttpServer {
            waker,
            stopping,
            thread: Some(thread),
        })
    }

    /// Blocks until `stop` (from another thread) or forever.
    pub(crate) fn join(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Closes the listener and every connection, then returns.
    pub(crate) fn stop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = self.waker.wake();
        self.join();
    }
}

struct Loop {
    poll: Poll,
    listener: TcpListener,
    /// Indexed by token minus `FIRST_CONNECTION`; `None` slots are in `free`.
    connections: Vec<Option<Connection>>,
    free: Vec<usize>,
    open: usize,
    context: Context,
    stopping: Arc<AtomicBool>,
    accept_paused_until: Option<Instant>,
    next_heartbeat: Instant,
    pages: PageCache,
    /// Connections that used up their turn with work left: driven again
    /// next round without waiting for readiness (which may not come again,
    /// as readiness is edge-triggered).
    again: Vec<usize>,
}

impl Loop {
    fn run(&mut self) {
        let mut events = Events::with_capacity(1024);
        let mut next_sweep = Instant::now() + TICK;
        loop {
            let timeout = if self.again.is_empty() {
                next_sweep.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            if let Err(error) = self.poll.poll(&mut events, Some(timeout))
                && error.kind() != io::ErrorKind::Interrupted
            {
                eprintln!("campfire: HTTP server stopped: {error}");
                return;
            }
            if self.stopping.load(Ordering::SeqCst) {
                return; // dropping the loop closes the listener and every socket
            }
            let mut woken = false;
            for event in events.iter() {
                match event.token() {
                    LISTENER => self.accept(),
                    WAKER => woken = true,
                    Token(token) => self.drive(token - FIRST_CONNECTION),
                }
            }
            for slot in std::mem::take(&mut self.again) {
                self.drive(slot);
            }
            if woken {
                self.feed_streams();
            }
            let now = Instant::now();
            if self.accept_paused_until.is_some_and(|until| now >= until) {
                self.accept_paused_until = None;
                self.accept();
            }
            if now >= next_sweep {
                self.sweep(now);
                next_sweep = now + TICK;
            }
        }
    }

    fn accept(&mut self) {
        if self.accept_paused_until.is_some() {
            return;
        }
        loop {
            match self.listener.accept() {
                Ok((stream, _)) if self.open >= MAX_CONNECTIONS => refuse(stream),
                Ok((stream, _)) => self.add(stream),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(error) => {
                    // Out of file descriptors (or buffers): the pending
                    // connections wait in the backlog; try again shortly,
                    // as no new readiness event will say so.
                    eprintln!("campfire: HTTP server cannot accept: {error}");
                    self.accept_paused_until = Some(Instant::now() + ACCEPT_BACKOFF);
                    return;
                }
            }
        }
    }

    fn add(&mut self, mut stream: TcpStream) {
        let _ = stream.set_nodelay(true);
        let slot = self.free.pop().unwrap_or_else(|| {
            self.connections.push(None);
            self.connections.len() - 1
        });
        let token = Token(slot + FIRST_CONNECTION);
        // Edge-triggered: readiness present at registration is reported too.
        let registered = self.poll.registry().register(
            &mut stream,
            token,
            Interest::READABLE | Interest::WRITABLE,
        );
        if registered.is_err() {
            self.free.push(slot);
            return;
        }
        self.connections[slot] = Some(Connection::new(stream));
        self.open += 1;
    }

    fn close(&mut self, slot: usize) {
        if let Some(mut connection) = self.connections[slot].take() {
            let _ = self.poll.registry().deregister(&mut connection.stream);
            self.free.push(slot);
            self.open -= 1;
        }
    }

    fn drive(&mut self, slot: usize) {
        let Some(Some(connection)) = self.connections.get_mut(slot) else {
            return; // closed earlier in this batch of events
        };
        // One thread serves everyone: a bug hit by one request must cost
        // that connection, not the server (the panic message is printed).
        let step = panic::catch_unwind(AssertUnwindSafe(|| {
            connection.drive(&self.context, &mut self.pages)
        }));
        match step.unwrap_or(Step::Close) {
            Step::Keep => {}
            Step::Again => self.again.push(slot),
            Step::Close => self.close(slot),
        }
    }

    /// The hub has news: queue it on every event stream and send it.
    fn feed_streams(&mut self) {
        for slot in 0..self.connections.len() {
            let Some(connection) = &mut self.connections[slot] else {
                continue;
            };
            if matches!(connection.phase, Phase::Streaming(_)) {
                match connection.stream_events() {
                    Step::Keep => {}
                    Step::Again => self.again.push(slot),
                    Step::Close => self.close(slot),
                }
            }
        }
    }

    /// Closes connections past their deadline; sends heartbeats.
    fn sweep(&mut self, now: Instant) {
        let heartbeat = now >= self.next_heartbeat;
        if heartbeat {
            self.next_heartbeat = now + HEARTBEAT;
        }
        for slot in 0..self.connections.len() {
            let Some(connection) = &mut self.connections[slot] else {
                continue;
            };
            let expired = connection.deadline.is_some_and(|d| now >= d);
            let step = if expired {
                Step::Close
            } else if heartbeat && matches!(connection.phase, Phase::Streaming(_)) {
                connection.queue(b":\n\n");
                connection.stream_events()
            } else {
                Step::Keep
            };
            match step {
                Step::Keep => {}
                Step::Again => self.again.push(slot),
                Step::Close => self.close(slot),
            }
        }
    }
}

/// A connection beyond the limit: a short 503 it can read, then closed.
/// What it already sent is read first: closing a socket with unread input
/// sends a reset, which could destroy the 503 before the client reads it.
fn refuse(mut stream: TcpStream) {
    let _ = stream.read(&mut [0u8; 4096]);
    let body = "Too many connections; try again in a moment.\n";
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write(response.as_bytes());
    let _ = stream.shutdown(Shutdown::Write);
}

#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Waiting for readiness or a deadline.
    Keep,
    /// Turn used up with work left.
    Again,
    Close,
}

enum Phase {
    /// Waiting for (the rest of) a request head.
    Reading,
    /// Sending a response; then `Reading` again (keep-alive) or `Draining`.
    Writing,
    /// A live-reload stream: events are queued as the hub sends them.
    Streaming(Subscription),
    /// Response sent and write side shut: discarding input until the
    /// client closes or `LINGER` passes.
    Draining,
}

enum Flush {
    Done,
    Blocked,
    /// Wrote a turn's worth; more to send.
    Yield,
    Failed,
}

struct Connection {
    stream: TcpStream,
    phase: Phase,
    /// When this connection is closed unless it makes progress.
    deadline: Option<Instant>,
    /// Received and not yet parsed (at most `MAX_HEAD` and one read more).
    input: Vec<u8>,
    /// How much of `input` was already found not to hold a whole head.
    scanned: usize,
    /// To send, from `sent` on.
    output: Vec<u8>,
    sent: usize,
    /// The rest of the body, copied into `output` a chunk at a time.
    rest: Option<Rest>,
    keep_alive: bool,
}

impl Connection {
    fn new(stream: TcpStream) -> Connection {
        Connection {
            stream,
            phase: Phase::Reading,
            deadline: Some(Instant::now() + HEAD_TIMEOUT),
            input: Vec::new(),
            scanned: 0,
            output: Vec::new(),
            sent: 0,
            rest: None,
            keep_alive: false,
        }
    }

    /// Makes all the progress the socket allows right now, up to a turn's
    /// worth. Readiness is edge-triggered, so every branch reads or writes
    /// until it would block, or asks to be driven again.
    fn drive(&mut self, context: &Context, pages: &mut PageCache) -> Step {
        let mut responses = 0;
        loop {
            match self.phase {
                Phase::Reading => match self.read_request(context, pages) {
                    Ok(true) => {}                  // a response was started
                    Ok(false) => return Step::Keep, // needs more input
                    Err(()) => return Step::Close,
                },
                Phase::Writing => match self.flush() {
                    Flush::Done => {
                        self.finish_response();
                        responses += 1;
                        if responses == RESPONSES_PER_TURN {
                            return Step::Again;
                        }
                    }
                    Flush::Blocked => return Step::Keep,
                    Flush::Yield => return Step::Again,
                    Flush::Failed => return Step::Close,
                },
                Phase::Streaming(_) => {
                    if self.discard_input() == Step::Close {
                        return Step::Close; // the browser went away
                    }
                    return self.stream_events();
                }
                Phase::Draining => return self.discard_input(),
            }
        }
    }

    /// `Ok(true)` once a response is under way, `Ok(false)` when more input
    /// is needed, `Err` when the connection is done (closed by the client).
    fn read_request(&mut self, context: &Context, pages: &mut PageCache) -> Result<bool, ()> {
        loop {
            match parse(&self.input, self.scanned) {
                Parsed::Complete(request, length) => {
                    self.input.drain(..length);
                    self.scanned = 0;
                    self.respond(&request, context, pages);
                    return Ok(true);
                }
                Parsed::Invalid(status, message) => {
                    self.input = Vec::new();
                    self.scanned = 0;
                    let response = plain(status, message);
                    self.start(response, false, false);
                    return Ok(true);
                }
                Parsed::Partial => self.scanned = self.input.len(),
            }
            let mut buffer = [0u8; 8192];
            match self.stream.read(&mut buffer) {
                Ok(0) => return Err(()),
                Ok(n) => self.input.extend_from_slice(&buffer[..n]),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(()),
            }
        }
    }

    fn respond(&mut self, request: &Request, context: &Context, pages: &mut PageCache) {
        let head_only = request.method == "HEAD";
        // A request body is never read (this server only reads files), so
        // a connection that sent one cannot carry another request.
        let keep_alive = request.keep_alive() && !request.has_body();
        match handle(request, context, pages) {
            Reply::Response(response) => self.start(response, head_only, keep_alive),
            Reply::Stream(subscription) => {
                self.output.clear();
                self.sent = 0;
                self.output.extend_from_slice(EVENT_STREAM_HEAD.as_bytes());
                self.deadline = Some(Instant::now() + WRITE_TIMEOUT);
                self.keep_alive = false;
                self.phase = Phase::Streaming(subscription);
            }
        }
    }

    fn start(&mut self, response: Response, head_only: bool, keep_alive: bool) {
        let Response {
            status,
            headers,
            body,
        } = response;
        let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (name, value) in &headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if status != 304 {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        let connection = if keep_alive { "keep-alive" } else { "close" };
        head.push_str(&format!("Connection: {connection}\r\n\r\n"));
        self.output.clear();
        self.sent = 0;
        self.output.extend_from_slice(head.as_bytes());
        self.rest = match body {
            _ if head_only => None,
            Body::Empty => None,
            Body::Bytes(bytes, range) => Some(Rest::Bytes(bytes, range)),
            Body::File { file, len } => Some(Rest::File(file.take(len))),
        };
        // The head and the first chunk go out in one write. An error here
        // comes back on the next read, in `flush`.
        let _ = self.refill();
        self.keep_alive = keep_alive;
        self.deadline = Some(Instant::now() + WRITE_TIMEOUT);
        self.phase = Phase::Writing;
    }

    /// Writes until the response is sent, the socket is full, or the turn
    /// is over.
    fn flush(&mut self) -> Flush {
        let mut budget = TURN;
        loop {
            if self.sent == self.output.len() {
                self.output.clear();
                self.sent = 0;
                match self.refill() {
                    Ok(true) => continue,
                    Ok(false) => return Flush::Done,
                    Err(_) => return Flush::Failed,
                }
            }
            match self.stream.write(&self.output[self.sent..]) {
                Ok(0) => return Flush::Failed,
                Ok(n) => {
                    self.sent += n;
                    self.deadline = Some(Instant::now() + WRITE_TIMEOUT);
                    budget = budget.saturating_sub(n);
                    if budget == 0 {
                        return Flush::Yield;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Flush::Blocked,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Flush::Failed,
            }
        }
    }

    /// Appends the next chunk of a file body to `output`; `Ok(false)` when
    /// the body is all sent.
    fn refill(&mut self) -> io::Result<bool> {
        match &mut self.rest {
            None => Ok(false),
            Some(Rest::Bytes(_, range)) if range.start >= range.end => {
                self.rest = None;
                Ok(false)
            }
            Some(Rest::Bytes(bytes, range)) => {
                let end = range.end.min(range.start + CHUNK);
                self.output.extend_from_slice(&bytes[range.start..end]);
                range.start = end;
                Ok(true)
            }
            Some(Rest::File(file)) if file.limit() == 0 => {
                self.rest = None;
                Ok(false)
            }
            Some(Rest::File(file)) => {
                let start = self.output.len();
                let chunk = file.limit().min(CHUNK as u64) as usize;
                self.output.resize(start + chunk, 0);
                let read = file.read(&mut self.output[start..]);
                let n = *read.as_ref().unwrap_or(&0);
                self.output.truncate(start + n);
                read?;
                if n == 0 {
                    // The file shrank under us: the promised length cannot be met.
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                Ok(true)
            }
        }
    }

    fn finish_response(&mut self) {
        // An idle connection keeps no buffers of a large response.
        if self.output.capacity() > 16 * 1024 {
            self.output = Vec::new();
        }
        if self.input.capacity() > 16 * 1024 && self.input.len() < 1024 {
            self.input.shrink_to(1024);
        }
        if self.keep_alive {
            self.phase = Phase::Reading;
            self.deadline = Some(Instant::now() + HEAD_TIMEOUT);
        } else {
            let _ = self.stream.shutdown(Shutdown::Write);
            self.phase = Phase::Draining;
            self.deadline = Some(Instant::now() + LINGER);
        }
    }

    /// Reads and drops whatever the client sends: `Close` once it closed.
    /// Beyond a turn's worth the rest waits: a client that keeps sending
    /// (a 64 MB header) is cut off by its deadline anyway.
    fn discard_input(&mut self) -> Step {
        let mut buffer = [0u8; 8192];
        let mut budget = TURN;
        loop {
            match self.stream.read(&mut buffer) {
                Ok(0) => return Step::Close,
                Ok(n) if n >= budget => return Step::Keep,
                Ok(n) => budget -= n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Step::Keep,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Step::Close,
            }
        }
    }

    fn queue(&mut self, bytes: &[u8]) {
        if self.sent == self.output.len() {
            self.output.clear();
            self.sent = 0;
            // Only now is there something to deliver: start the clock.
            self.deadline = Some(Instant::now() + WRITE_TIMEOUT);
        }
        self.output.extend_from_slice(bytes);
    }

    /// Queues what the hub has for this stream and sends what it can.
    fn stream_events(&mut self) -> Step {
        let Phase::Streaming(subscription) = &self.phase else {
            return Step::Keep;
        };
        let mut messages = Vec::new();
        loop {
            match subscription.try_next() {
                Ok(Some(message)) => messages.push(message),
                Ok(None) => break,
                Err(()) => return Step::Close, // shutting down, or fell behind
            }
        }
        for message in messages {
            self.queue(format!("data: {message}\n\n").as_bytes());
        }
        if self.output.len() - self.sent > MAX_STREAM_BACKLOG {
            return Step::Close; // not reading; it reconnects and catches up
        }
        match self.flush() {
            Flush::Done => {
                self.deadline = None;
                Step::Keep
            }
            Flush::Blocked => Step::Keep,
            Flush::Yield => Step::Again,
            Flush::Failed => Step::Close,
        }
    }
}

const EVENT_STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\n\
    Content-Type: text/event-stream\r\n\
    Cache-Control: no-store\r\n\
    X-Accel-Buffering: no\r\n\
    Connection: close\r\n\r\n\
    retry: 1000\n\n";

/// A parsed request head; header values are decoded lossily (a non-UTF-8
/// value can only fail to match).
struct Request {
    method: String,
    target: String,
    minor_version: u8,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    fn keep_alive(&self) -> bool {
        if self.minor_version == 0 {
            self.has_token("Connection", "keep-alive")
        } else {
            !self.has_token("Connection", "close")
        }
    }

    /// Whether a body may follow the head. The server reads none: the
    /// connection is closed after the response, so a body is never taken
    /// for a next request. Every `Content-Length` counts, not the first
    /// only: `0` then `41` made the 41 bytes a second request, one a proxy
    /// in front would not have seen (request smuggling).
    fn has_body(&self) -> bool {
        self.header("Transfer-Encoding").is_some()
            || self
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
                .any(|(_, l)| l.trim() != "0")
    }
}

enum Parsed {
    Complete(Request, usize),
    Partial,
    Invalid(u16, &'static str),
}

/// Parses a request head from `input`, of which the first `scanned` bytes
/// were seen before without a complete head: a head trickled in a byte at a
/// time is looked at once per byte, not parsed from the start each time.
fn parse(input: &[u8], scanned: usize) -> Parsed {
    // The request line is checked once, when the input first outgrows it.
    if scanned <= MAX_REQUEST_LINE && input.len() > MAX_REQUEST_LINE {
        let line = input.iter().position(|&b| b == b'\n');
        if line.is_none_or(|end| end > MAX_REQUEST_LINE) {
            return Parsed::Invalid(414, "URI too long.\n");
        }
    }
    let too_large = Parsed::Invalid(431, "Request header fields too large.\n");
    // A head ends with an empty line; until one arrives there is nothing
    // to parse (the 3 bytes before the new ones may begin it).
    let fresh = &input[scanned.saturating_sub(3).min(input.len())..];
    let blank_line =
        fresh.windows(2).any(|w| w == b"\n\n") || fresh.windows(3).any(|w| w == b"\n\r\n");
    if !blank_line {
        return if input.len() > MAX_HEAD {
            too_large
        } else {
            Parsed::Partial
        };
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(input) {
        Ok(httparse::Status::Complete(length)) if length > MAX_HEAD => too_large,
        Ok(httparse::Status::Complete(length)) => Parsed::Complete(
            Request {
                method: request.method.unwrap_or_default().to_owned(),
                target: request.path.unwrap_or_default().to_owned(),
                minor_version: request.version.unwrap_or(1),
                headers: request
                    .headers
                    .iter()
                    .map(|h| {
                        let value = String::from_utf8_lossy(h.value).into_owned();
                        (h.name.to_owned(), value)
                    })
                    .collect(),
            },
            length,
        ),
        Ok(httparse::Status::Partial) if input.len() > MAX_HEAD => too_large,
        Ok(httparse::Status::Partial) => Parsed::Partial,
        Err(httparse::Error::TooManyHeaders) => too_large,
        Err(_) => Parsed::Invalid(400, "Bad request.\n"),
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        416 => "Range Not Satisfiable",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl Response {
    fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

enum Body {
    Empty,
    /// Part of bytes shared with other responses (a cached page).
    Bytes(Arc<[u8]>, Range<usize>),
    /// `len` bytes of `file` from its current position.
    File {
        file: File,
        len: u64,
    },
}

/// What is left to send of a body.
enum Rest {
    Bytes(Arc<[u8]>, Range<usize>),
    File(io::Take<File>),
}

impl Body {
    fn bytes(bytes: impl Into<Arc<[u8]>>) -> Body {
        let bytes = bytes.into();
        let all = 0..bytes.len();
        Body::Bytes(bytes, all)
    }

    fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(_, range) => range.len() as u64,
            Body::File { len, .. } => *len,
        }
    }

    /// Bytes `start..=end` (checked by the caller against `len`).
    fn slice(self, start: u64, end: u64) -> io::Result<Body> {
        Ok(match self {
            Body::Empty => Body::Empty,
            Body::Bytes(bytes, range) => {
                let from = range.start + start as usize;
                Body::Bytes(bytes, from..range.start + end as usize + 1)
            }
            Body::File { mut file, .. } => {
                file.seek(SeekFrom::Start(start))?;
                Body::File {
                    file,
                    len: end - start + 1,
                }
            }
        })
    }
}

enum Reply {
    Response(Response),
    Stream(Subscription),
}

fn plain(status: u16, body: &str) -> Response {
    Response {
        status,
        headers: vec![
            ("Content-Type", "text/plain; charset=utf-8".into()),
            ("Cache-Control", "no-store".into()),
        ],
        body: Body::bytes(body.as_bytes()),
    }
}

fn handle(request: &Request, context: &Context, pages: &mut PageCache) -> Reply {
    if context.loopback_only && !local_host(request.header("Host")) {
        return Reply::Response(plain(403, FOREIGN_HOST));
    }
    if paths::split_target(&request.target).0 == reload::EVENTS_PATH {
        return event_stream(request, context);
    }
    if let Some(room) = &context.room
        && let Some(answer) = room.handle(&RoomRequest {
            method: &request.method,
            target: &request.target,
            cookies: request
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("Cookie"))
                .map(|(_, v)| v.as_str())
                .collect(),
            origin: request.header("Origin"),
            host: request.header("Host"),
            published: &|page| context.output.join(page).is_file(),
        })
    {
        return room_reply(answer, context);
    }
    Reply::Response(match request.method.as_str() {
        "GET" | "HEAD" => route(request, context, pages),
        _ => plain(405, "Method not allowed: this server only reads.\n")
            .with_header("Allow", "GET, HEAD"),
    })
}

/// The room's answer as an HTTP reply.
fn room_reply(answer: room::Answer, context: &Context) -> Reply {
    let with_type = |body: String, content_type: &str| Response {
        status: 200,
        headers: vec![
            ("Content-Type", content_type.into()),
            ("Cache-Control", "no-store".into()),
        ],
        body: Body::bytes(body.into_bytes()),
    };
    Reply::Response(match answer {
        room::Answer::Json(json) => with_type(json, "application/json"),
        room::Answer::Svg(svg) => with_type(svg, "image/svg+xml"),
        room::Answer::Html(html) => {
            let tag = context.hub.script_tag(context.hub.build(), None);
            let html =
                String::from_utf8_lossy(&reload::inject(html.into_bytes(), &tag)).into_owned();
            with_type(html, "text/html; charset=utf-8")
        }
        room::Answer::Redirect(location, cookie) => {
            let mut headers = vec![("Location", location), ("Cache-Control", "no-store".into())];
            if let Some(cookie) = cookie {
                headers.push(("Set-Cookie", cookie));
            }
            Response {
                status: 302,
                headers,
                body: Body::Empty,
            }
        }
        room::Answer::NoContent => Response {
            status: 204,
            headers: vec![("Cache-Control", "no-store".into())],
            body: Body::Empty,
        },
        room::Answer::Refused(status, message) => plain(status, message),
        room::Answer::Stream(subscription) => return Reply::Stream(subscription),
    })
}

fn route(request: &Request, context: &Context, pages: &mut PageCache) -> Response {
    let target = request.target.as_str();
    match paths::split_target(target).0 {
        reload::SCRIPT_PATH => Response {
            status: 200,
            headers: vec![
                ("Content-Type", "text/javascript; charset=utf-8".into()),
                ("Cache-Control", "no-cache".into()),
            ],
            body: Body::bytes(reload::SCRIPT.as_bytes()),
        },
        reload::STATUS_PATH => Response {
            status: 200,
            headers: vec![
                ("Content-Type", "application/json".into()),
                ("Cache-Control", "no-store".into()),
            ],
            body: Body::bytes(context.hub.status_json().into_bytes()),
        },
        path if path.starts_with("/__campfire/") => plain(404, "Not found.\n"),
        _ => match paths::resolve(&context.output, target) {
            Resolved::File(file) => serve_file(request, context, pages, &file, 200, None)
                .unwrap_or_else(|_| not_found(request, context, pages)),
            Resolved::Redirect(location) => Response {
                status: 302,
                headers: vec![("Location", location), ("Cache-Control", "no-cache".into())],
                body: Body::Empty,
            },
            Resolved::NotFound => not_found(request, context, pages),
            Resolved::Forbidden => plain(403, "Forbidden: outside the site.\n"),
            Resolved::BadRequest => plain(400, "Bad request: malformed path.\n"),
        },
    }
}

/// The site's own `404.html` with status 404, or a small page that still
/// carries the live-reload script (so it shows build errors and reloads
/// once the page exists).
fn not_found(request: &Request, context: &Context, pages: &mut PageCache) -> Response {
    if let Resolved::File(file) = paths::resolve(&context.output, "/404.html")
        && let Ok(response) = serve_file(request, context, pages, &file, 404, Some("404.html"))
    {
        return response;
    }
    let path = paths::split_target(&request.target).0;
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title>\
         <meta name=\"viewport\" content=\"width=device-width\"></head><body style=\"font-family:system-ui,\
         sans-serif;margin:3rem\"><h1>404 Not found</h1><p>Nothing at <code>{}</code>.</p>\
         <p><a href=\"/\">Home</a></p></body></html>\n",
        crate::render::theme::escape_html(path)
    );
    let tag = context.hub.script_tag(context.hub.build(), None);
    Response {
        status: 404,
        headers: vec![
            ("Content-Type", "text/html; charset=utf-8".into()),
            ("Cache-Control", "no-store".into()),
        ],
        body: Body::bytes(reload::inject(html.into_bytes(), &tag)),
    }
}

fn serve_file(
    request: &Request,
    context: &Context,
    pages: &mut PageCache,
    path: &Path,
    status: u16,
    served_as: Option<&str>,
) -> io::Result<Response> {
    // Read before the file: a page is never older than the build it names
    // (at worst newer, which costs one needless reload).
    let build = context.hub.build();
    let html = mime::is_html(path);
    // A page is read whole, never while it is being written over.
    let _reading = html
        .then(|| context.page_writes.as_deref().map(PageWrites::reading))
        .flatten();
    let mut file = File::open(path)?;
    let meta = file.metadata()?;
    let mut headers: Vec<(&'static str, String)> = vec![
        ("Content-Type", mime::content_type(path).into_owned()),
        ("Cache-Control", "no-cache".into()),
        ("X-Content-Type-Options", "nosniff".into()),
    ];
    let mut version = file_tag(&meta);
    if html {
        // The injected script names the session and build.
        version = format!("{version}-{}-{build}", context.hub.session());
    }
    let mut etag = None;
    if status == 200 {
        let tag = format!("\"{version}\"");
        headers.push(("ETag", tag.clone()));
        headers.push(("Accept-Ranges", "bytes".into()));
        if if_none_match(request, &tag) {
            return Ok(Response {
                status: 304,
                headers,
                body: Body::Empty,
            });
        }
        etag = Some(tag);
    }
    let body = if html {
        let key = (path.to_path_buf(), version, served_as.is_some());
        let bytes = match pages.get(&key) {
            Some(bytes) => bytes,
            None => {
                let mut bytes = Vec::with_capacity(meta.len() as usize + 200);
                file.read_to_end(&mut bytes)?;
                let tag = context.hub.script_tag(build, served_as);
                let bytes: Arc<[u8]> = reload::inject(bytes, &tag).into();
                pages.insert(key, bytes.clone());
                bytes
            }
        };
        Body::bytes(bytes)
    } else {
        Body::File {
            file,
            len: meta.len(),
        }
    };
    let range = request
        .header("Range")
        .filter(|_| etag.as_deref().is_some_and(|tag| if_range(request, tag)));
    let Some(range) = range else {
        return Ok(Response {
            status,
            headers,
            body,
        });
    };
    let total = body.len();
    Ok(match byte_range(range, total) {
        None => Response {
            status,
            headers,
            body,
        },
        Some(Ok((start, end))) => {
            headers.push(("Content-Range", format!("bytes {start}-{end}/{total}")));
            Response {
                status: 206,
                headers,
                body: body.slice(start, end)?,
            }
        }
        Some(Err(())) => plain(416, "Range not satisfiable.\n")
            .with_header("Content-Range", format!("bytes */{total}"))
            .with_header("Accept-Ranges", "bytes"),
    })
}

/// A page: its file, its version (file tag, session, build), whether it is
/// served as the 404 page (the script says so).
type PageKey = (PathBuf, String, bool);

/// Recently served HTML pages with the script injected, most recent last.
/// A new version of a page (rebuilt, or a new build number) has a new key
/// and replaces the old one.
#[derive(Default)]
struct PageCache {
    pages: VecDeque<(PageKey, Arc<[u8]>)>,
    bytes: usize,
}

impl PageCache {
    fn get(&mut self, key: &PageKey) -> Option<Arc<[u8]>> {
        let at = self.pages.iter().rposition(|(k, _)| k == key)?;
        let entry = self.pages.remove(at)?;
        let bytes = entry.1.clone();
        self.pages.push_back(entry);
        Some(bytes)
    }

    fn insert(&mut self, key: PageKey, bytes: Arc<[u8]>) {
        if bytes.len() > PAGE_CACHE_BYTES / 4 {
            return; // still shared by this response's range, just not kept
        }
        // Older versions of the same page are of no more use.
        self.pages
            .retain(|((path, _, as_404), _)| (path, as_404) != (&key.0, &key.2));
        self.pages.push_back((key, bytes));
        self.bytes = self.pages.iter().map(|(_, b)| b.len()).sum();
        while self.bytes > PAGE_CACHE_BYTES {
            match self.pages.pop_front() {
                Some((_, old)) => self.bytes -= old.len(),
                None => break,
            }
        }
    }
}

/// A single byte range of a body of `total` bytes: `None` to send it all
/// (no usable Range: another unit, several ranges, bad syntax, which a
/// server may ignore), `Err` when the range lies beyond the end (416).
fn byte_range(spec: &str, total: u64) -> Option<Result<(u64, u64), ()>> {
    let (unit, ranges) = spec.trim().split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") || ranges.contains(',') {
        return None; // several ranges would need multipart/byteranges
    }
    let (first, last) = ranges.trim().split_once('-')?;
    let number = |s: &str| {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<u64>().ok()
    };
    if first.trim().is_empty() {
        // `bytes=-N`: the last N bytes.
        let suffix = number(last)?;
        if suffix == 0 || total == 0 {
            return Some(Err(()));
        }
        return Some(Ok((total.saturating_sub(suffix), total - 1)));
    }
    let start = number(first)?;
    let end = if last.trim().is_empty() {
        None
    } else {
        Some(number(last)?)
    };
    if end.is_some_and(|end| end < start) {
        return None;
    }
    if start >= total {
        return Some(Err(()));
    }
    Some(Ok((start, end.map_or(total - 1, |end| end.min(total - 1)))))
}

/// `If-Range` absent, or naming the current version: the range applies.
/// A date never matches (no `Last-Modified` is sent), nor a weak tag.
fn if_range(request: &Request, etag: &str) -> bool {
    request
        .header("If-Range")
        .is_none_or(|value| value.trim() == etag)
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
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("If-None-Match"))
        .flat_map(|(_, value)| value.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

const FOREIGN_HOST: &str = "Forbidden: this server answers only to addresses of this machine \
     (http://127.0.0.1:PORT/ or http://localhost:PORT/). To reach it under another name, \
     start it with --bind.\n";

/// The `Host` header names this machine: an IP address, `localhost` or
/// `*.localhost` (any port). Requests without `Host` (HTTP/1.0 tools) pass.
fn local_host(host: Option<&str>) -> bool {
    let Some(host) = host else {
        return true;
    };
    let host = host.trim().to_ascii_lowercase();
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

/// `/__campfire/events`: a Server-Sent Events stream, parked in the loop.
fn event_stream(request: &Request, context: &Context) -> Reply {
    if request.method != "GET" {
        return Reply::Response(plain(405, "Use GET.\n").with_header("Allow", "GET"));
    }
    let since = parse_since(paths::split_target(&request.target).1.unwrap_or(""));
    match context.hub.subscribe(&since) {
        Some(subscription) => Reply::Stream(subscription),
        None => Reply::Response(
            plain(503, "Too many live-reload connections.\n").with_header("Retry-After", "1"),
        ),
    }
}

fn parse_since(query: &str) -> Since {
    let mut since = Since::default();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding::percent_decode_str(value)
            .decode_utf8()
            .ok()
            .map(Cow::into_owned);
        match (key, value) {
            ("session", Some(v)) if !v.is_empty() => since.session = Some(v),
            ("build", Some(v)) => since.build = v.parse().ok(),
            ("page", Some(v)) if !v.is_empty() && since.pages.len() < 2 => since.pages.push(v),
            _ => {}
        }
    }
    since
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stream_request_names_where_its_page_came_from() {
        let since =
            parse_since("session=ab&build=3&page=stories%2Fx%2Findex.html&page=404.html&page=more");
        assert_eq!(since.session.as_deref(), Some("ab"));
        assert_eq!(since.build, Some(3));
        assert_eq!(
            since.pages,
            ["stories/x/index.html", "404.html"],
            "two at most"
        );
        assert!(parse_since("build=x&page=").pages.is_empty());
    }

    #[test]
    fn byte_ranges() {
        assert_eq!(byte_range("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(byte_range("bytes=90-", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=90-200", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=-500", 100), Some(Ok((0, 99))));
        assert_eq!(byte_range(" Bytes = 5 - 5 ", 100), Some(Ok((5, 5))));
        assert_eq!(byte_range("bytes=100-", 100), Some(Err(())));
        assert_eq!(byte_range("bytes=-0", 100), Some(Err(())));
        assert_eq!(byte_range("bytes=0-", 0), Some(Err(())));
        // Ignored: whole body.
        assert_eq!(byte_range("bytes=0-1,5-6", 100), None);
        assert_eq!(byte_range("items=0-1", 100), None);
        assert_eq!(byte_range("bytes=5-1", 100), None);
        assert_eq!(byte_range("bytes=+1-2", 100), None);
        assert_eq!(byte_range("bytes=x", 100), None);
    }

    #[test]
    fn head_limits() {
        let long_line = format!("GET /{} HTTP/1.1\r\n", "a".repeat(MAX_REQUEST_LINE));
        assert!(matches!(
            parse(long_line.as_bytes(), 0),
            Parsed::Invalid(414, _)
        ));
        // Still arriving, but already too long.
        let partial = format!("GET /{}", "a".repeat(MAX_REQUEST_LINE));
        assert!(matches!(
            parse(partial.as_bytes(), 0),
            Parsed::Invalid(414, _)
        ));
        let big = format!("GET / HTTP/1.1\r\nCookie: {}\r\n", "c".repeat(MAX_HEAD));
        assert!(matches!(parse(big.as_bytes(), 0), Parsed::Invalid(431, _)));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: 1\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert!(matches!(parse(many.as_bytes(), 0), Parsed::Invalid(431, _)));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: x\r\n", 0),
            Parsed::Partial
        ));
        assert!(matches!(
            parse(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET", 0),
            Parsed::Complete(_, 27)
        ));
        assert!(matches!(
            parse(b"\x01\x02 / HTTP/1.1\r\n\r\n", 0),
            Parsed::Invalid(400, _)
        ));
    }

    #[test]
    fn any_content_length_but_zero_means_a_body_follows() {
        let has_body = |head: &[u8]| match parse(head, 0) {
            Parsed::Complete(request, _) => request.has_body(),
            _ => panic!("a complete head"),
        };
        assert!(!has_body(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        assert!(!has_body(b"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
        assert!(has_body(b"GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"));
        assert!(has_body(
            b"GET / HTTP/1.1\r\nContent-Length: 0\r\nContent-Length: 41\r\n\r\n"
        ));
        assert!(has_body(b"GET / HTTP/1.1\r\ncontent-length: 0, 41\r\n\r\n"));
        assert!(has_body(
            b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        ));
    }

    #[test]
    fn a_head_trickled_byte_by_byte_is_found() {
        let head = b"GET /x HTTP/1.1\r\nHost: x\r\nCookie: a=b\r\n\r\n";
        let mut scanned = 0;
        for end in 1..head.len() {
            assert!(
                matches!(parse(&head[..end], scanned), Parsed::Partial),
                "{end}"
            );
            scanned = end;
        }
        match parse(head, scanned) {
            Parsed::Complete(request, length) => {
                assert_eq!((request.target.as_str(), length), ("/x", head.len()));
                assert_eq!(request.header("cookie"), Some("a=b"));
            }
            _ => panic!("a complete head"),
        }
        // Bare newlines end a head too.
        assert!(matches!(
            parse(b"GET / HTTP/1.1\nHost: x\n\n", 20),
            Parsed::Complete(..)
        ));
    }

    #[test]
    fn the_page_cache_keeps_one_version_per_page_within_its_budget() {
        let mut cache = PageCache::default();
        let key = |page: &str, version: &str| (PathBuf::from(page), version.to_owned(), false);
        let page = |len: usize| Arc::<[u8]>::from(vec![b'x'; len]);
        cache.insert(key("a", "1"), page(10));
        assert_eq!(cache.get(&key("a", "1")).map(|b| b.len()), Some(10));
        cache.insert(key("a", "2"), page(20));
        assert!(
            cache.get(&key("a", "1")).is_none(),
            "replaced by the new version"
        );
        assert_eq!(cache.bytes, 20);
        // Over budget: the least recently used go first.
        let big = PAGE_CACHE_BYTES / 4;
        for name in ["b", "c", "d", "e"] {
            cache.insert(key(name, "1"), page(big));
        }
        assert!(cache.bytes <= PAGE_CACHE_BYTES);
        assert!(cache.get(&key("a", "2")).is_none());
        assert!(cache.get(&key("b", "1")).is_some()); // now the most recent
        cache.insert(key("f", "1"), page(big));
        assert!(cache.get(&key("c", "1")).is_none());
        assert!(cache.get(&key("b", "1")).is_some());
        // Too big to keep at all.
        cache.insert(key("huge", "1"), page(big + 1));
        assert!(cache.get(&key("huge", "1")).is_none());
    }

    #[test]
    fn keep_alive_by_version() {
        let request = |version: u8, connection: Option<&str>| Request {
            method: "GET".into(),
            target: "/".into(),
            minor_version: version,
            headers: connection
                .map(|c| vec![("Connection".into(), c.into())])
                .unwrap_or_default(),
        };
        assert!(request(1, None).keep_alive());
        assert!(!request(1, Some("Close")).keep_alive());
        assert!(!request(0, None).keep_alive());
        assert!(request(0, Some("keep-alive")).keep_alive());
    }
}
