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
