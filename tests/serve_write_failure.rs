//! `campfire serve` when a write fails halfway (a file size limit, as a
//! full disk or a quota would): the error is announced, the last good site
//! stays served, and no half-written temporary file is left in the output.
//! Its own test binary, because the size limit is set for the whole process.

#![cfg(unix)]

mod common;
#[path = "serve_support/mod.rs"]
mod serve_support;

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use campfire::build::BuildOptions;
use campfire::serve::LiveSite;
use campfire::serve::{ServeOptions, Server};
use serve_support::{Events, request};

/// Files under `dir` whose name marks a temporary copy.
fn temporary_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".campfire-tmp"))
        .collect()
}

#[test]
fn a_failed_write_keeps_the_last_good_site_and_leaves_no_temporary_file() {
    let site = common::site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let options = BuildOptions::new(&root);
    let public = options.output.clone();
    let serve = ServeOptions {
        root: root.clone(),
        output: options.output.clone(),
        port: 0,
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        open: false,
        room: false,
    };
    let server = Server::start(serve, LiveSite::new(options)).expect("server starts");
    let addr = server.addr();
    // The search index follows the pages; asking for it waits until it
    // is all there.
    assert_eq!(request(addr, "GET", "/search/manifest.js", &[]).status, 200);
    let before = common::snapshot(&public);
    let mut events = Events::open(addr, "");

    // A story whose page (and slides) are far larger than the limit set
    // below: written aside first (the limit holds for this process too),
    // then moved into place, which the limit does not stop.
    let body = "A long paragraph about the customer's evening calls. ".repeat(8000);
    let aside = site.path().join("very-long.md");
    std::fs::write(
        &aside,
        format!(
            "---\ntitle: A very long story\ndate: 2024-03-01\ndepartment: logistics\nauthor: ana-lima\n---\n{body}\n"
        ),
    )
    .unwrap();
    // And a story that was there, grown likewise (for the second part).
    let story = root.join("content/stories/snowed-in.md");
    let text = std::fs::read_to_string(&story).unwrap();
    let grown = site.path().join("grown.md");
    std::fs::write(&grown, format!("{text}\n{body}\n")).unwrap();
    const LIMIT: u64 = 256 * 1024;
    // SAFETY: plain libc calls; ignoring SIGXFSZ makes a write past the
    // limit fail with EFBIG instead of killing the process.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let limit = libc::rlimit {
            rlim_cur: LIMIT,
            rlim_max: libc::RLIM_INFINITY,
        };
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
    std::fs::rename(&aside, root.join("content/stories/very-long.md")).unwrap();
    let error = events.next_of("error");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("very-long"), "the file is named: {error}");
    assert!(
        message.to_lowercase().contains("too large"),
        "the cause is given: {error}"
    );
    assert_eq!(temporary_files(&public), Vec::<String>::new());
    assert_eq!(common::snapshot(&public), before, "the last good site");
    assert_eq!(
        request(addr, "GET", "/stories/very-long/", &[]).status,
        404,
        "nothing of the failed render is served"
    );
    assert_eq!(request(addr, "GET", "/stories/snowed-in/", &[]).status, 200);

    // Removing the story clears the error.
    std::fs::remove_file(root.join("content/stories/very-long.md")).unwrap();
    events.next_of("ok");
    assert_eq!(temporary_files(&public), Vec::<String>::new());

    // A page that was there grows past the limit: it is set aside first,
    // to be written over in place once the render is through, and setting
    // it aside fails, so the page stays as it was, not half written over.
    let before = common::snapshot(&public);
    std::fs::rename(&grown, &story).unwrap();
    let error = events.next_of("error");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("snowed-in"), "the page is named: {error}");
    assert_eq!(temporary_files(&public), Vec::<String>::new());
    assert_eq!(common::snapshot(&public), before, "the last good site");
    std::fs::write(&story, text).unwrap();
    events.next_of("ok");
    server.shutdown();
}
