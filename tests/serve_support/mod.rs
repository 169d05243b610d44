//! Shared by the `serve_*` tests: a throwaway site, a fake build pipeline,
//! and minimal HTTP / Server-Sent Events clients over raw TCP (so tests can
//! send paths no HTTP library would).
#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use campfire::serve::{BuildFailure, Outcome, Rebuild, ServeOptions, Server};

/// Generous: these machines are shared and slow at times.
pub const DEADLINE: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    All,
    Rebuild(Vec<PathBuf>),
}

/// Copies every file under `root/content` to the output (same relative
/// path, which is also its URL), staging and swapping like the real build.
/// A file containing `BROKEN` fails the build; `PANIC` panics.
pub struct FakeBuild {
    root: PathBuf,
    output: PathBuf,
    pub calls: Arc<Mutex<Vec<Call>>>,
}

impl FakeBuild {
    fn build(&self, changed: Option<&[PathBuf]>) -> Result<Outcome, BuildFailure> {
        let content = self.root.join("content");
        let mut errors = Vec::new();
        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(&content)
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry.path().strip_prefix(&content).unwrap().to_path_buf();
            let text = fs::read_to_string(entry.path()).unwrap_or_default();
            if text.contains("PANIC") {
                panic!("fake build panicked on {}", rel.display());
            }
            if let Some(line) = text.lines().position(|l| l.contains("BROKEN")) {
                let col = text.lines().nth(line).unwrap().find("BROKEN").unwrap() + 1;
                errors.push(format!(
                    "content/{}:{}:{col}: unknown word \"BROKEN\" (remove it)",
                    url(&rel),
                    line + 1
                ));
            }
            files.push(rel);
        }
        if !errors.is_empty() {
            return Err(BuildFailure {
                message: errors.join("\n"),
            });
        }
        let staging = self.root.join(".staging");
        let _ = fs::remove_dir_all(&staging);
        for rel in &files {
            let to = staging.join(rel);
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            // The file may have been removed since the walk: skip it then.
            let _ = fs::copy(content.join(rel), to);
        }
        fs::create_dir_all(&staging).unwrap();
        let old = self.root.join(".old");
        let _ = fs::remove_dir_all(&old);
        if self.output.exists() {
            fs::rename(&self.output, &old).unwrap();
        }
        fs::rename(&staging, &self.output).unwrap();
        let _ = fs::remove_dir_all(&old);
        let changed_urls: Vec<String> = match changed {
            None => files.iter().map(|f| url(f)).collect(),
            Some(paths) => paths
                .iter()
                .filter_map(|p| p.strip_prefix(fs::canonicalize(&content).unwrap()).ok())
                .map(url)
                .collect(),
        };
        Ok(Outcome {
            summary: format!("copied {} files", files.len()),
            changed_urls,
        })
    }
}

fn url(rel: &Path) -> String {
    rel.to_string_lossy().replace('\\', "/")
}

impl Rebuild for FakeBuild {
    fn build_all(&mut self) -> Result<Outcome, BuildFailure> {
        self.calls.lock().unwrap().push(Call::All);
        self.build(None)
    }

    fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Outcome, BuildFailure> {
        self.calls
            .lock()
            .unwrap()
            .push(Call::Rebuild(changed.to_vec()));
        self.build(Some(changed))
    }

    /// Where the links directly under `content/` lead, as a build finds
    /// them.
    fn link_targets(&self) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(self.root.join("content")) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_symlink()))
            .filter_map(|e| fs::canonicalize(e.path()).ok())
            .collect()
    }
}

/// A site in a temporary directory, served on a free port.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub output: PathBuf,
    pub calls: Arc<Mutex<Vec<Call>>>,
    pub server: Option<Server>,
}

impl Site {
    /// Creates `content/` with `files` (relative path, text), then serves.
    pub fn serve(files: &[(&str, &str)]) -> Site {
        let site = Site::new(files);
        site.start()
    }

    pub fn new(files: &[(&str, &str)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        // Canonical, so paths compare equal to what the watcher reports.
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::write(root.join("site.yaml"), "title: Test\n").unwrap();
        fs::create_dir_all(root.join("content")).unwrap();
        fs::create_dir_all(root.join("layouts")).unwrap();
        let output = root.join("public");
        let site = Site {
            dir,
            root,
            output,
            calls: Arc::default(),
            server: None,
        };
        for (path, text) in files {
            site.write(path, text);
        }
        site
    }

    pub fn start(mut self) -> Site {
        // What changed in the file clock's last tick before serve starts
        // is reported again once its first build is done (it might have
        // changed after that build read it): the tests count rebuilds, so
        // the site is made a tick earlier.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let mut opts = ServeOptions::new(&self.root, &self.output);
        opts.port = 0;
        let builder = FakeBuild {
            root: self.root.clone(),
            output: self.output.clone(),
            calls: self.calls.clone(),
        };
        self.server = Some(Server::start(opts, builder).expect("server starts"));
        self
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.as_ref().unwrap().addr()
    }

    /// Absolute path of `content/<rel>`.
    pub fn content(&self, rel: &str) -> PathBuf {
        self.root.join("content").join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.content(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Waits until more than `before` build calls were made; returns the new ones.
    pub fn calls_after(&self, before: usize) -> Vec<Call> {
        wait_for("a build call", || {
            let calls = self.calls();
            (calls.len() > before).then(|| calls[before..].to_vec())
        })
    }

    /// Waits until some call after `before` passed `path`; returns all new calls.
    pub fn calls_until_path(&self, before: usize, path: &Path) -> Vec<Call> {
        wait_for(&format!("a rebuild of {}", path.display()), || {
            let calls = self.calls();
            let new = calls[before.min(calls.len())..].to_vec();
            new.iter().any(|c| passed(c, path)).then_some(new)
        })
    }

    pub fn get(&self, target: &str) -> Reply {
        request(self.addr(), "GET", target, &[])
    }

    pub fn events(&self, query: &str) -> Events {
        Events::open(self.addr(), query)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        // Stop serving and watching before the directory goes away.
        if let Some(server) = self.server.take() {
            server.shutdown();
        }
    }
}

pub fn passed(call: &Call, path: &Path) -> bool {
    matches!(call, Call::Rebuild(paths) if paths.iter().any(|p| p == path))
}

pub fn all_paths(calls: &[Call]) -> Vec<PathBuf> {
    calls
        .iter()
        .flat_map(|c| match c {
            Call::Rebuild(paths) => paths.clone(),
            Call::All => Vec::new(),
        })
        .collect()
}

/// Polls `probe` every few milliseconds until it returns `Some`, or panics
/// after `DEADLINE`.
pub fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, DEADLINE).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    stream.set_write_timeout(Some(DEADLINE)).unwrap();
    stream
}

/// One request on a fresh connection; `target` is sent verbatim.
pub fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = connect(addr);
    send_head(&mut stream, addr, method, target, headers);
    read_reply(&mut stream, method)
}

/// Writes a request head (with `Connection: close` and, unless given, `Host`).
pub fn send_head(
    stream: &mut TcpStream,
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) {
    let mut head = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n");
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("Host"))
    {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
}

/// Reads one response (to a request made with `method`).
pub fn read_reply(stream: &mut TcpStream, method: &str) -> Reply {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let header_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf).expect("response");
        assert!(n > 0, "connection closed before the response headers");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8(raw[..header_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[header_end + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        .map(|(_, v)| v.parse::<usize>().unwrap());
    let no_body = method == "HEAD" || status == 304 || status == 204;
    if !no_body {
        match length {
            Some(length) => {
                while body.len() < length {
                    let n = stream.read(&mut buf).expect("body");
                    assert!(n > 0, "connection closed in the body");
                    body.extend_from_slice(&buf[..n]);
                }
            }
            None => {
                stream.read_to_end(&mut body).expect("body");
            }
        }
    }
    Reply {
        status,
        headers,
        body,
    }
}

/// An open `/__campfire/events` stream.
pub struct Events {
    stream: TcpStream,
    buffer: Vec<u8>,
    pub head: String,
}

impl Events {
    pub fn open(addr: SocketAddr, query: &str) -> Events {
        let mut stream = connect(addr);
        let target = format!("/__campfire/events{query}");
        let head =
            format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut events = Events {
            stream,
            buffer: Vec::new(),
            head: String::new(),
        };
        let end = wait_for("the event stream's headers", || {
            events.fill();
            events.buffer.windows(4).position(|w| w == b"\r\n\r\n")
        });
        events.head = String::from_utf8_lossy(&events.buffer[..end]).into_owned();
        events.buffer.drain(..end + 4);
        events
    }

    fn fill(&mut self) {
        let mut buf = [0u8; 4096];
        match self.stream.read(&mut buf) {
            Ok(n) => self.buffer.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("event stream: {e}"),
        }
    }

    /// The next `data:` event, parsed as JSON.
    pub fn next(&mut self) -> serde_json::Value {
        wait_for("an event", || {
            self.take_event().or_else(|| {
                self.fill();
                self.take_event()
            })
        })
    }

    fn take_event(&mut self) -> Option<serde_json::Value> {
        loop {
            let end = self.buffer.windows(2).position(|w| w == b"\n\n")?;
            let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
            let block = String::from_utf8(block).unwrap();
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .collect();
            if !data.is_empty() {
                return Some(serde_json::from_str(&data).unwrap());
            }
        }
    }

    /// The next event of `kind`, skipping others.
    pub fn next_of(&mut self, kind: &str) -> serde_json::Value {
        loop {
            let event = self.next();
            if event["type"] == kind {
                return event;
            }
        }
    }
}
