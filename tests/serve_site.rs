//! `campfire serve` with the real build pipeline: edits, deletes, renames
//! and errors, seen through HTTP and the live-reload event stream.

mod common;
#[path = "serve_support/mod.rs"]
mod serve_support;

use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use campfire::build::BuildOptions;
use campfire::serve::LiveSite;
use campfire::serve::{ServeOptions, Server};
use serve_support::{Events, request, wait_for};

fn start(root: &Path) -> Server {
    let options = BuildOptions::new(root);
    let serve = ServeOptions {
        root: root.to_path_buf(),
        output: options.output.clone(),
        port: 0,
        bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
        open: false,
        room: false,
    };
    Server::start(serve, LiveSite::new(options)).expect("server starts")
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from));
    std::fs::write(&p, text.replace(from, to)).unwrap();
}

#[test]
fn edits_reload_the_page_and_errors_keep_the_last_good_site() {
    let site = common::site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let server = start(&root);
    let addr = server.addr();

    let page = request(addr, "GET", "/stories/snowed-in/", &[]);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("walked the last mile"));
    assert!(
        page.text().contains("/__campfire/livereload.js"),
        "the reload script is injected when serving"
    );
    let on_disk =
        std::fs::read_to_string(root.join("public/stories/snowed-in/index.html")).unwrap();
    assert!(!on_disk.contains("__campfire"), "but never written to disk");

    let mut events = Events::open(addr, "");
    edit(
        &root,
        "content/stories/snowed-in.md",
        "walked the last mile",
        "walked the final mile",
    );
    let reload = events.next_of("reload");
    let changed: Vec<&str> = reload["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        changed.contains(&"stories/snowed-in/index.html"),
        "{reload}"
    );
    assert!(
        request(addr, "GET", "/stories/snowed-in/", &[])
            .text()
            .contains("walked the final mile")
    );

    // A broken front matter: the error is announced, the old page still served.
    edit(
        &root,
        "content/stories/snowed-in.md",
        "department: logistics",
        "department: [logistics",
    );
    let error = events.next_of("error");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("content/stories/snowed-in.md:"), "{error}");
    let page = request(addr, "GET", "/stories/snowed-in/", &[]);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("walked the final mile"));

    // Fixing it clears the error.
    edit(
        &root,
        "content/stories/snowed-in.md",
        "department: [logistics",
        "department: logistics",
    );
    events.next_of("ok");
    server.shutdown();
}

#[test]
fn deletes_and_renames_remove_the_old_pages() {
    let site = common::site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let server = start(&root);
    let addr = server.addr();
    assert_eq!(
        request(addr, "GET", "/stories/billing-fix/", &[]).status,
        200
    );

    std::fs::rename(
        root.join("content/stories/billing-fix.md"),
        root.join("content/stories/billing-repair.md"),
    )
    .unwrap();
    wait_for("the renamed page", || {
        (request(addr, "GET", "/stories/billing-repair/", &[]).status == 200).then_some(())
    });
    assert_eq!(
        request(addr, "GET", "/stories/billing-fix/", &[]).status,
        404,
        "no stale page after a rename"
    );
    assert!(!root.join("public/stories/billing-fix").exists());

    std::fs::remove_file(root.join("content/stories/billing-repair.md")).unwrap();
    wait_for("the deleted page to go", || {
        (request(addr, "GET", "/stories/billing-repair/", &[]).status == 404).then_some(())
    });
    // The list is rewritten in the same rebuild, just after the removal.
    wait_for("the list to drop the deleted story", || {
        (!request(addr, "GET", "/stories/", &[])
            .text()
            .contains("billing"))
        .then_some(())
    });
    server.shutdown();
}

/// Pages that change are written over their files in place: a page read
/// while a save rewrites it is the page before the save or after it, never
/// a mix of the two (its head and its footer name one site title), and a
/// page made shorter keeps nothing of its longer self.
#[test]
fn a_page_read_while_it_is_rewritten_is_one_version_whole() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let site = common::site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    // A long page: writing it over takes long enough for reads to meet it.
    let story = root.join("content/stories/snowed-in.md");
    let mut text = std::fs::read_to_string(&story).unwrap();
    for i in 0..20_000 {
        text.push_str(&format!("\nParagraph {i} of a long account of the van.\n"));
    }
    std::fs::write(&story, text).unwrap();
    let server = start(&root);
    let addr = server.addr();
    let whole_page_title = |html: &str| -> Option<String> {
        let head = html.split("</title>").next()?.rsplit(" · ").next()?;
        let footer = html
            .split("<footer class=\"site-footer\">")
            .nth(1)?
            .split("<p>")
            .nth(1)?
            .split(" — ")
            .next()?;
        (head == footer && html.matches("</html>").count() == 1).then(|| head.to_string())
    };
    let page = || request(addr, "GET", "/stories/snowed-in/", &[]);
    assert_eq!(
        whole_page_title(&page().text()).as_deref(),
        Some("Fixture Stories")
    );
    // Titles longer and shorter by turns: the page grows and shrinks.
    let titles = [
        "Fixture Stories, the long edition",
        "Fixture",
        "Fixture Stories 3",
        "F",
    ];
    let stop = AtomicBool::new(false);
    let (reads, torn) = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let (mut reads, mut torn) = (0, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let page = page();
                assert_eq!(page.status, 200);
                if whole_page_title(&page.text()).is_none() {
                    torn.push(page.text().len());
                }
                reads += 1;
            }
            (reads, torn)
        });
        let mut events = Events::open(addr, "");
        let mut title = "Fixture Stories";
        for next in titles.iter().cycle().take(8) {
            edit(
                &root,
                "site.yaml",
                &format!("title: {title}\n"),
                &format!("title: {next}\n"),
            );
            events.next_of("reload");
            title = next;
        }
        stop.store(true, Ordering::Relaxed);
        reader.join().unwrap()
    });
    assert!(
        torn.is_empty(),
        "{} of {reads} pages read half rewritten (lengths {:?}…)",
        torn.len(),
        &torn[..torn.len().min(3)]
    );
    assert!(reads > 8, "only {reads} reads");
    assert_eq!(whole_page_title(&page().text()).as_deref(), Some("F"));
    server.shutdown();
}

/// `serve` puts its first site in place with its search index (made beside
/// the pages): a search page opened at startup asks for the index at once,
/// and gets all of it (each file as a fresh build writes it), never a 404
/// or a part.
#[test]
fn the_search_index_asked_for_at_startup_is_the_complete_one() {
    let site = common::site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let fresh = common::site_copy("basic");
    let built = common::build(fresh.path());
    let index: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(built.join("search"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&built).unwrap();
            let url = rel.to_string_lossy().replace('\\', "/");
            (url, std::fs::read(e.path()).unwrap())
        })
        .filter(|(url, _)| url.ends_with(".js"))
        .collect();
    assert!(index.len() > 3, "{index:?}");
    let server = start(&root);
    let addr = server.addr();
    // The manifest first, as the search script asks for it.
    let (manifest, shards): (Vec<_>, Vec<_>) = index
        .iter()
        .partition(|(url, _)| url == "search/manifest.js");
    for (url, bytes) in manifest.into_iter().chain(shards) {
        let reply = request(addr, "GET", &format!("/{url}"), &[]);
        assert_eq!(reply.status, 200, "{url}");
        assert!(reply.body == *bytes, "{url} differs from a fresh build's");
    }
}

/// `rm -rf public/` while serving, caught halfway: what is left is no
/// longer marked as Campfire's, so serve will not replace it (it might be
/// someone's) and says so; once it is gone, the site is made again without
/// waiting for a save.
#[test]
fn an_output_removed_slowly_is_made_again_once_it_is_gone() {
    let site = common::site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let server = start(&root);
    let addr = server.addr();
    let mut events = Events::open(addr, "");
    // The removal got to the marker first and is still at work.
    std::fs::remove_file(root.join("public/.campfire")).unwrap();
    let error = events.next_of("error");
    assert!(
        error["message"].as_str().unwrap().contains(
            "was not made by Campfire; refusing to replace it (move it away or empty it first"
        ),
        "{error}"
    );
    // serve has no --output of its own to suggest.
    assert!(
        !error["message"]
            .as_str()
            .unwrap()
            .contains("another --output"),
        "{error}"
    );
    assert!(
        root.join("public/stories/snowed-in/index.html").is_file(),
        "what was there is left alone"
    );
    std::fs::remove_dir_all(root.join("public")).unwrap();
    assert_eq!(events.next_of("ok")["type"], "ok");
    assert!(root.join("public/.campfire").is_file());
    let page = request(addr, "GET", "/stories/snowed-in/", &[]);
    assert_eq!(page.status, 200);
}
