//! `campfire serve` over HTTP: files, types, indexes, 404, HEAD, caching,
//! injection, path safety, concurrency, port errors.

mod serve_support;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, TcpListener, TcpStream};
use std::time::Duration;

use campfire::serve::{ServeError, ServeOptions, Server};
use serve_support::{Site, request};

const PAGE: &str = "<!doctype html><html><body><h1>Home</h1></body></html>";

#[test]
fn serves_files_with_their_content_types() {
    let site = Site::serve(&[
        ("index.html", PAGE),
        ("assets/site.css", "body{}"),
        ("assets/app.js", "1"),
        ("search/index.json", "{}"),
        ("feed.xml", "<feed/>"),
        ("img/logo.svg", "<svg/>"),
        ("img/photo.png", "png"),
        ("img/photo.jpg", "jpg"),
        ("img/anim.gif", "gif"),
        ("img/pic.webp", "webp"),
        ("favicon.ico", "ico"),
        ("fonts/a.woff2", "woff2"),
        ("robots.txt", "User-agent: *"),
        ("handout.pdf", "%PDF"),
        ("blob.bin", "?"),
    ]);
    for (path, expected) in [
        ("/", "text/html; charset=utf-8"),
        ("/assets/site.css", "text/css; charset=utf-8"),
        ("/assets/app.js", "text/javascript; charset=utf-8"),
        ("/search/index.json", "application/json"),
        ("/feed.xml", "text/xml; charset=utf-8"),
        ("/img/logo.svg", "image/svg+xml"),
        ("/img/photo.png", "image/png"),
        ("/img/photo.jpg", "image/jpeg"),
        ("/img/anim.gif", "image/gif"),
        ("/img/pic.webp", "image/webp"),
        ("/favicon.ico", "image/x-icon"),
        ("/fonts/a.woff2", "font/woff2"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/handout.pdf", "application/pdf"),
        ("/blob.bin", "application/octet-stream"),
    ] {
        let reply = site.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("Content-Type"), Some(expected), "{path}");
    }
    assert_eq!(site.get("/assets/site.css").text(), "body{}");
}

#[test]
fn directories_serve_their_index_and_redirect_without_slash() {
    let site = Site::serve(&[
        ("index.html", PAGE),
        ("stories/snow/index.html", "<p>snow</p>"),
    ]);
    assert!(site.get("/").text().contains("<h1>Home</h1>"));
    assert!(site.get("/stories/snow/").text().contains("snow"));
    assert!(site.get("/stories/snow/?utm=x").text().contains("snow"));

    let redirect = site.get("/stories/snow");
    assert_eq!(redirect.status, 302);
    assert_eq!(redirect.header("Location"), Some("/stories/snow/"));
    let redirect = site.get("/stories?q=a");
    assert_eq!(redirect.header("Location"), Some("/stories/?q=a"));

    // A directory without index.html is not listed.
    assert_eq!(site.get("/stories/").status, 404);
}

#[test]
fn missing_pages_get_the_sites_404_page() {
    let site = Site::serve(&[
        ("index.html", PAGE),
        ("404.html", "<html><body>Lost?</body></html>"),
    ]);
    let reply = site.get("/no/such/page/");
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert!(reply.text().contains("Lost?"));
    // The 404 page reloads too, and knows it is the 404 page.
    assert!(reply.text().contains("data-page=\"404.html\""));
}

#[test]
fn missing_pages_without_a_404_page_get_a_plain_one() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let reply = site.get("/nope/<script>");
    assert_eq!(reply.status, 404);
    let text = reply.text();
    assert!(text.contains("404"));
    assert!(text.contains("/nope/&lt;script&gt;"), "{text}");
    assert!(text.contains("/__campfire/livereload.js"));
}

#[test]
fn head_sends_headers_only() {
    let site = Site::serve(&[("index.html", PAGE), ("assets/site.css", "body{color:red}")]);
    for path in ["/", "/assets/site.css"] {
        let get = site.get(path);
        let head = request(site.addr(), "HEAD", path, &[]);
        assert_eq!(head.status, 200);
        assert!(head.body.is_empty(), "{path}");
        assert_eq!(
            head.header("Content-Length"),
            Some(get.body.len().to_string().as_str()),
            "{path}"
        );
        assert_eq!(head.header("Content-Type"), get.header("Content-Type"));
    }
    assert_eq!(request(site.addr(), "HEAD", "/missing", &[]).status, 404);
}

#[test]
fn other_methods_are_refused() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let reply = request(site.addr(), "POST", "/", &[("Content-Length", "0")]);
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("Allow"), Some("GET, HEAD"));
}

#[test]
fn caching_revalidates_and_never_serves_a_stale_page() {
    let site = Site::serve(&[("index.html", PAGE), ("assets/site.css", "a{}")]);
    for path in ["/", "/assets/site.css"] {
        let first = site.get(path);
        assert_eq!(first.header("Cache-Control"), Some("no-cache"));
        let etag = first.header("ETag").expect("an ETag").to_string();
        let again = request(site.addr(), "GET", path, &[("If-None-Match", &etag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
    }
    let etag = site
        .get("/assets/site.css")
        .header("ETag")
        .unwrap()
        .to_string();
    let before = site.calls().len();
    site.write("assets/site.css", "b{}");
    site.calls_until_path(before, &site.content("assets/site.css"));
    let fresh = serve_support::wait_for("the rebuilt stylesheet", || {
        let reply = request(
            site.addr(),
            "GET",
            "/assets/site.css",
            &[("If-None-Match", &etag)],
        );
        (reply.status == 200).then_some(reply)
    });
    assert_eq!(fresh.text(), "b{}");
}

#[test]
fn the_reload_script_is_injected_in_responses_only() {
    let site = Site::serve(&[("index.html", PAGE), ("bare.html", "<p>no body tag")]);
    let html = site.get("/").text();
    let script = html
        .find("<script src=\"/__campfire/livereload.js\"")
        .expect("injected");
    assert!(script < html.find("</body>").unwrap(), "before </body>");
    assert!(
        site.get("/bare.html")
            .text()
            .starts_with("<p>no body tag<script")
    );
    // The build output itself stays clean.
    let on_disk = std::fs::read_to_string(site.output.join("index.html")).unwrap();
    assert_eq!(on_disk, PAGE);

    let js = site.get("/__campfire/livereload.js");
    assert_eq!(js.status, 200);
    assert_eq!(
        js.header("Content-Type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(js.text().contains("EventSource"));
    assert_eq!(site.get("/__campfire/nothing").status, 404);
}

#[test]
fn nothing_outside_the_output_is_ever_served() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let secret = site.root.join("secret.txt");
    std::fs::write(&secret, "TOP SECRET").unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&secret, site.output.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(&site.root, site.output.join("up")).unwrap();
    }
    for target in [
        "/../secret.txt",
        "/../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e/secret.txt",
        "/..%2f..%2fetc/passwd",
        "/..%2fsecret.txt",
        "/..\\..\\x",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/index.html%00",
        "//etc/passwd",
        "/leak.txt",
        "/up/secret.txt",
        "/up/site.yaml",
        "secret.txt",
        "http://evil.example/../secret.txt",
    ] {
        let reply = site.get(target);
        assert!(
            [400, 403, 404].contains(&reply.status),
            "{target}: status {}",
            reply.status
        );
        let text = reply.text();
        assert!(
            !text.contains("TOP SECRET") && !text.contains("root:"),
            "{target}"
        );
        assert!(!text.contains("title: Test"), "{target}");
    }
}

#[test]
fn on_loopback_only_local_host_names_are_answered() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let port = site.addr().port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("campfire.localhost:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_string(),
    ] {
        let reply = request(site.addr(), "GET", "/", &[("Host", &host)]);
        assert_eq!(reply.status, 200, "{host}");
    }
    // DNS rebinding: a foreign name resolving to 127.0.0.1.
    for host in ["evil.example", "evil.example:80", "localhost.evil.example"] {
        let reply = request(site.addr(), "GET", "/", &[("Host", host)]);
        assert_eq!(reply.status, 403, "{host}");
        assert!(reply.text().contains("--bind"));
        let reply = request(site.addr(), "GET", "/__campfire/events", &[("Host", host)]);
        assert_eq!(reply.status, 403, "{host}");
    }
}

#[test]
fn a_slow_client_and_open_event_streams_do_not_block_others() {
    let site = Site::serve(&[("index.html", PAGE)]);
    // A client that sends half a request and stalls…
    let mut stalled = TcpStream::connect(site.addr()).unwrap();
    stalled.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    // …and a dozen live-reload streams held open.
    let streams: Vec<_> = (0..12).map(|_| site.events("")).collect();
    for _ in 0..20 {
        assert_eq!(site.get("/").status, 200);
    }
    drop(streams);
    drop(stalled);
}

#[test]
fn a_taken_port_is_reported_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let mut opts = ServeOptions::new(dir.path(), dir.path().join("public"));
    opts.port = port;
    opts.bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let builder = NeverBuilt;
    let error = Server::start(opts, builder)
        .err()
        .expect("the port is taken");
    assert!(matches!(error, ServeError::PortInUse { port: p, .. } if p == port));
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "port {port} on 127.0.0.1 is already in use; try --port "
        )),
        "{message}"
    );
}

/// The port is checked before anything is built.
struct NeverBuilt;

impl campfire::serve::Rebuild for NeverBuilt {
    fn build_all(&mut self) -> Result<campfire::serve::Outcome, campfire::serve::BuildFailure> {
        panic!("must not build when the port is taken");
    }
    fn rebuild(
        &mut self,
        _: &[std::path::PathBuf],
    ) -> Result<campfire::serve::Outcome, campfire::serve::BuildFailure> {
        panic!("must not build when the port is taken");
    }
}

#[test]
fn shutdown_stops_serving() {
    let mut site = Site::serve(&[("index.html", PAGE)]);
    let addr = site.addr();
    assert_eq!(site.get("/").status, 200);
    let events = site.events("");
    site.server.take().unwrap().shutdown();
    drop(events);
    // The listener closes right after shutdown returns.
    serve_support::wait_for("the port to close", || {
        TcpStream::connect_timeout(&addr, Duration::from_secs(2))
            .is_err()
            .then_some(())
    });
}

/// Threads of the servers in this process (all are named `campfire-…`).
#[cfg(target_os = "linux")]
fn server_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        .filter(|name| name.starts_with("campfire"))
        .count()
}

#[test]
fn three_hundred_connections_at_once_are_all_answered() {
    use std::io::Write;
    let site = Site::serve(&[("index.html", PAGE), ("assets/site.css", "body{}")]);
    let addr = site.addr();
    const CLIENTS: usize = 300;
    const REQUESTS: usize = 10;
    // Every client connects first, then all send at once and keep sending on
    // their kept-alive connection: 300 requests in flight, ten times over.
    let ready = std::sync::Arc::new(std::sync::Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let ready = ready.clone();
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let mut stream = serve_support::connect(addr);
                    ready.wait();
                    let mut failed = Vec::new();
                    for n in 0..REQUESTS {
                        let path = if (i + n) % 2 == 0 {
                            "/"
                        } else {
                            "/assets/site.css"
                        };
                        let head = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
                        if stream.write_all(head.as_bytes()).is_err() {
                            failed.push(format!("write {n}"));
                            break;
                        }
                        let reply = serve_support::read_reply(&mut stream, "GET");
                        if reply.status != 200 {
                            failed.push(format!("{path}: {}", reply.status));
                        }
                        if reply.header("Connection") == Some("close") {
                            break; // a refusal closes the connection
                        }
                    }
                    failed
                })
                .unwrap()
        })
        .collect();
    let failed: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(
        failed.is_empty(),
        "{} failures: {:?}",
        failed.len(),
        &failed[..failed.len().min(5)]
    );
}

#[test]
fn three_hundred_live_reload_streams_all_receive_the_reload() {
    let site = Site::serve(&[("index.html", PAGE), ("story.html", "<p>v1</p>")]);
    #[cfg(target_os = "linux")]
    let threads_before = server_threads();
    let mut streams: Vec<_> = (0..300).map(|_| site.events("")).collect();
    for (i, stream) in streams.iter_mut().enumerate() {
        assert!(
            stream.head.starts_with("HTTP/1.1 200"),
            "stream {i}: {}",
            stream.head
        );
        assert_eq!(stream.next()["type"], "hello", "stream {i}");
    }
    // A stream is a parked socket, not a thread.
    #[cfg(target_os = "linux")]
    assert!(
        server_threads() < threads_before + 20,
        "{} server threads for 300 streams (from {threads_before})",
        server_threads()
    );
    // Pages still answer with every stream open.
    assert_eq!(site.get("/").status, 200);
    site.write("story.html", "<p>v2</p>");
    for (i, stream) in streams.iter_mut().enumerate() {
        let event = stream.next_of("reload");
        assert_eq!(
            event["changed"],
            serde_json::json!(["story.html"]),
            "stream {i}"
        );
    }
}

/// A 4 MB file (bigger than any socket buffer) of known bytes.
fn big_file() -> String {
    (0..4 * 1024 * 1024 / 16)
        .map(|i| format!("{i:015x}\n"))
        .collect()
}

#[test]
fn stalled_readers_of_a_large_file_do_not_block_anyone() {
    let big = big_file();
    let site = Site::serve(&[("index.html", PAGE), ("media/talk.mp4", &big)]);
    // Seventy clients ask for the large file and never read: their
    // responses fill the socket buffers and stop.
    let stalled: Vec<TcpStream> = (0..70)
        .map(|_| {
            let mut stream = serve_support::connect(site.addr());
            serve_support::send_head(&mut stream, site.addr(), "GET", "/media/talk.mp4", &[]);
            stream
        })
        .collect();
    // Give the server time to get stuck on them, were it to.
    std::thread::sleep(Duration::from_millis(500));
    for _ in 0..20 {
        assert_eq!(site.get("/").status, 200);
    }
    let whole = site.get("/media/talk.mp4");
    assert_eq!(whole.status, 200);
    assert!(whole.body == big.as_bytes(), "the full file, intact");
    drop(stalled);
}

#[test]
fn idle_and_trickling_clients_are_disconnected() {
    use std::io::Read;
    let site = Site::serve(&[("index.html", PAGE)]);
    let patience = Duration::from_secs(60);
    // Connects and sends nothing.
    let mut idle = serve_support::connect(site.addr());
    idle.set_read_timeout(Some(patience)).unwrap();
    // Sends a header one byte at a time, never finishing it.
    let trickle = std::thread::spawn({
        let addr = site.addr();
        move || {
            let mut stream = serve_support::connect(addr);
            let start = std::time::Instant::now();
            for byte in b"GET / HTTP/1.1\r\nX-Slow: ".iter().cycle() {
                if stream.write_all(&[*byte]).is_err() {
                    return true; // the server hung up
                }
                if start.elapsed() > patience {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            unreachable!()
        }
    });
    let mut buf = [0u8; 64];
    let closed = matches!(idle.read(&mut buf), Ok(0) | Err(_));
    assert!(closed, "an idle connection is closed");
    assert!(trickle.join().unwrap(), "a trickled header is cut off");
    assert_eq!(site.get("/").status, 200);
}

#[test]
fn a_reader_that_stops_is_disconnected() {
    use std::io::Read;
    let big = big_file();
    let site = Site::serve(&[("talk.mp4", &big)]);
    let mut stream = serve_support::connect(site.addr());
    serve_support::send_head(&mut stream, site.addr(), "GET", "/talk.mp4", &[]);
    // Read nothing for longer than the server waits on a stalled write…
    std::thread::sleep(Duration::from_secs(35));
    // …then the response is cut short: the connection ends before 4 MB.
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut received = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => received += n,
        }
    }
    assert!(
        received < big.len(),
        "got all {received} bytes of a stalled response"
    );
}

#[test]
fn oversized_request_heads_are_refused() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let cookie = "c".repeat(64 * 1024);
    let reply = request(site.addr(), "GET", "/", &[("Cookie", &cookie)]);
    assert_eq!(reply.status, 431);
    let many: Vec<(String, String)> = (0..200).map(|i| (format!("X-{i}"), "1".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(request(site.addr(), "GET", "/", &many).status, 431);
    let target = format!("/{}", "a".repeat(16 * 1024));
    assert_eq!(site.get(&target).status, 414);
    // A big but reasonable head (localhost cookies pile up) is fine.
    let cookie = "c".repeat(16 * 1024);
    let reply = request(site.addr(), "GET", "/", &[("Cookie", &cookie)]);
    assert_eq!(reply.status, 200);
    assert_eq!(site.get("/").status, 200);
}

#[test]
fn single_byte_ranges_are_served() {
    let big = big_file();
    let site = Site::serve(&[
        ("digits.txt", "0123456789"),
        ("clip.mp4", &big),
        ("page.html", PAGE),
    ]);
    let range = |path: &str, method: &str, headers: &[(&str, &str)]| {
        request(site.addr(), method, path, headers)
    };
    let full = site.get("/digits.txt");
    assert_eq!(full.header("Accept-Ranges"), Some("bytes"));
    let etag = full.header("ETag").unwrap().to_string();

    for (spec, body, content_range) in [
        ("bytes=2-5", "2345", "bytes 2-5/10"),
        ("bytes=7-", "789", "bytes 7-9/10"),
        ("bytes=-3", "789", "bytes 7-9/10"),
        ("bytes=8-100", "89", "bytes 8-9/10"),
        ("bytes=0-0", "0", "bytes 0-0/10"),
    ] {
        let reply = range("/digits.txt", "GET", &[("Range", spec)]);
        assert_eq!(reply.status, 206, "{spec}");
        assert_eq!(reply.text(), body, "{spec}");
        assert_eq!(reply.header("Content-Range"), Some(content_range), "{spec}");
        assert_eq!(
            reply.header("Content-Length"),
            Some(body.len().to_string().as_str())
        );
    }
    let reply = range("/digits.txt", "HEAD", &[("Range", "bytes=2-5")]);
    assert_eq!(reply.status, 206);
    assert_eq!(reply.header("Content-Length"), Some("4"));
    assert_eq!(reply.header("Content-Range"), Some("bytes 2-5/10"));
    assert!(reply.body.is_empty());

    let reply = range("/digits.txt", "GET", &[("Range", "bytes=10-")]);
    assert_eq!(reply.status, 416);
    assert_eq!(reply.header("Content-Range"), Some("bytes */10"));

    // Several ranges, or a stale If-Range: the whole file.
    let reply = range("/digits.txt", "GET", &[("Range", "bytes=0-1,4-5")]);
    assert_eq!((reply.status, reply.text().as_str()), (200, "0123456789"));
    let stale = [("Range", "bytes=2-5"), ("If-Range", "\"old\"")];
    let reply = range("/digits.txt", "GET", &stale);
    assert_eq!((reply.status, reply.text().as_str()), (200, "0123456789"));
    let current = [("Range", "bytes=2-5"), ("If-Range", etag.as_str())];
    assert_eq!(range("/digits.txt", "GET", &current).status, 206);

    // A page is a range of what is sent, script included.
    let page = site.get("/page.html").body;
    let reply = range("/page.html", "GET", &[("Range", "bytes=-20")]);
    assert_eq!(reply.status, 206);
    assert!(reply.body == page[page.len() - 20..]);

    // Seeking in a video: a slice from the middle, byte for byte.
    let reply = range("/clip.mp4", "GET", &[("Range", "bytes=1000000-1000099")]);
    assert_eq!(reply.status, 206);
    assert_eq!(reply.header("Content-Type"), Some("video/mp4"));
    assert!(reply.body == big.as_bytes()[1_000_000..1_000_100]);
    let total = big.len();
    assert_eq!(
        reply.header("Content-Range"),
        Some(format!("bytes 1000000-1000099/{total}").as_str())
    );
}

#[test]
fn keep_alive_connections_answer_request_after_request() {
    use std::io::Read;
    let site = Site::serve(&[("index.html", PAGE), ("a.txt", "A")]);
    let mut stream = serve_support::connect(site.addr());
    let host = site.addr().to_string();
    // Two requests in one write (pipelined)…
    let two = format!(
        "GET /a.txt HTTP/1.1\r\nHost: {host}\r\n\r\nHEAD / HTTP/1.1\r\nHost: {host}\r\n\r\n"
    );
    stream.write_all(two.as_bytes()).unwrap();
    // More than one turn's worth of pipelined requests, then one that closes.
    let more = format!("GET /a.txt HTTP/1.1\r\nHost: {host}\r\n\r\n").repeat(40);
    stream.write_all(more.as_bytes()).unwrap();
    let last = format!("GET /a.txt HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(last.as_bytes()).unwrap();
    let mut all = String::new();
    stream.read_to_string(&mut all).unwrap();
    assert_eq!(all.matches("HTTP/1.1 200 OK\r\n").count(), 43, "{all}");
    assert!(all.ends_with("\r\n\r\nA"), "{all}");
}

#[test]
fn beyond_the_connection_limit_clients_are_told_to_retry() {
    let site = Site::serve(&[("index.html", PAGE)]);
    // Far more idle connections than a room needs (the limit is 1024),
    // opened quickly: idle ones are closed after a few seconds.
    let streams: Vec<TcpStream> = (0..1100)
        .map(|_| serve_support::connect(site.addr()))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let mut refused = Vec::new();
    let mut held = 0;
    for mut stream in streams.iter() {
        // Accepted connections say nothing until asked.
        stream.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 512];
        match std::io::Read::read(&mut stream, &mut buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => held += 1,
            // Closed as idle: connecting took long on a busy machine.
            Ok(0) => {}
            Ok(n) => refused.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
            Err(e) => panic!("{e}"),
        }
    }
    assert!(held >= 300, "only {held} connections held");
    assert!(!refused.is_empty(), "no connection limit");
    for reply in &refused {
        assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
        assert!(reply.contains("Retry-After: 1\r\n"), "{reply}");
    }
    // Room again once they go.
    drop(streams);
    serve_support::wait_for("a free connection", || {
        (request(site.addr(), "GET", "/", &[]).status == 200).then_some(())
    });
}
