//! `campfire serve` live reload and error reporting, seen from the event
//! stream and the status endpoint.

mod serve_support;

use serde_json::Value;
use serve_support::{Call, Site, all_paths, wait_for};

const PAGE: &str = "<html><body>v1</body></html>";

fn status(site: &Site) -> Value {
    let reply = site.get("/__campfire/status");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    serde_json::from_slice(&reply.body).unwrap()
}

#[test]
fn the_event_stream_says_hello_then_reloads_after_an_edit() {
    let site = Site::serve(&[("index.html", PAGE), ("stories/snow/index.html", PAGE)]);
    let mut events = site.events("");
    assert!(events.head.starts_with("HTTP/1.1 200"), "{}", events.head);
    assert!(events.head.contains("Content-Type: text/event-stream"));
    let hello = events.next();
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["error"], Value::Null);
    let build = hello["build"].as_u64().unwrap();

    site.write("stories/snow/index.html", "<html><body>v2</body></html>");
    let reload = events.next_of("reload");
    assert_eq!(
        reload["changed"],
        serde_json::json!(["stories/snow/index.html"])
    );
    assert_eq!(reload["all"], false);
    assert_eq!(reload["build"].as_u64().unwrap(), build + 1);
}

#[test]
fn stylesheet_only_changes_are_css_events() {
    let site = Site::serve(&[("index.html", PAGE), ("assets/site.css", "a{}")]);
    let mut events = site.events("");
    events.next_of("hello");
    site.write("assets/site.css", "b{}");
    let css = events.next();
    assert_eq!(css["type"], "css");
    assert_eq!(css["changed"], serde_json::json!(["assets/site.css"]));
}

#[test]
fn a_failed_rebuild_keeps_the_old_site_and_shows_the_error_until_fixed() {
    let site = Site::serve(&[("index.html", PAGE), ("story.html", PAGE)]);
    let mut events = site.events("");
    events.next_of("hello");

    site.write("story.html", "<html><body>\nthis is BROKEN</body></html>");
    let error = events.next_of("error");
    let message = error["message"].as_str().unwrap();
    assert_eq!(
        message,
        "content/story.html:2:9: unknown word \"BROKEN\" (remove it)"
    );

    // The last good output is still served…
    assert!(site.get("/story.html").text().contains("v1"));
    // …the status says what is wrong…
    let now = status(&site);
    assert_eq!(now["ok"], false);
    assert_eq!(now["error"], message);
    // …and so does a page opened now (its script connects and says hello).
    let page = site.get("/index.html").text();
    assert!(page.contains("/__campfire/livereload.js"));
    let mut late = site.events("");
    assert_eq!(late.next()["error"], message);

    site.write("story.html", "<html><body>v2</body></html>");
    assert_eq!(events.next()["type"], "ok");
    let reload = events.next_of("reload");
    assert!(
        reload["changed"]
            .as_array()
            .unwrap()
            .contains(&"story.html".into())
    );
    assert_eq!(late.next()["type"], "ok");
    assert_eq!(status(&site)["ok"], true);
    assert!(site.get("/story.html").text().contains("v2"));
}

#[test]
fn paths_of_a_failed_rebuild_are_passed_again() {
    let site = Site::serve(&[("a.html", PAGE), ("b.html", PAGE)]);
    let before = site.calls().len();
    site.write("a.html", "BROKEN");
    site.calls_until_path(before, &site.content("a.html"));
    wait_for("the error", || (status(&site)["ok"] == false).then_some(()));
    let before = site.calls().len();
    site.write("a.html", "fixed");
    site.write("b.html", "v2");
    let calls = site.calls_until_path(before, &site.content("b.html"));
    assert!(all_paths(&calls).contains(&site.content("a.html")));
    wait_for("success", || (status(&site)["ok"] == true).then_some(()));
}

#[test]
fn a_panicking_build_is_reported_and_the_server_lives_on() {
    let site = Site::serve(&[("index.html", PAGE), ("story.html", PAGE)]);
    let mut events = site.events("");
    events.next_of("hello");
    site.write("story.html", "PANIC");
    let error = events.next_of("error");
    assert!(
        error["message"].as_str().unwrap().contains("panicked"),
        "{error}"
    );
    assert!(site.get("/story.html").text().contains("v1"));

    // The builder may be half-updated: the next change rebuilds everything.
    let before = site.calls().len();
    site.write("story.html", "<html><body>v2</body></html>");
    assert_eq!(events.next()["type"], "ok");
    assert_eq!(site.calls()[before], Call::All);
    assert!(site.get("/story.html").text().contains("v2"));
}

#[test]
fn a_failed_first_build_still_serves_and_recovers() {
    let site = Site::serve(&[("index.html", "BROKEN")]);
    assert_eq!(status(&site)["ok"], false);
    let reply = site.get("/");
    assert_eq!(reply.status, 404);
    // The fallback page carries the script, so the browser shows the error.
    assert!(reply.text().contains("/__campfire/livereload.js"));
    let mut events = site.events("");
    assert!(events.next()["error"].as_str().unwrap().contains("BROKEN"));

    let before = site.calls().len();
    site.write("index.html", PAGE);
    assert_eq!(events.next()["type"], "ok");
    let reload = events.next_of("reload");
    assert!(
        reload["changed"]
            .as_array()
            .unwrap()
            .contains(&"index.html".into())
    );
    assert_eq!(
        site.calls()[before],
        Call::All,
        "nothing good was built yet"
    );
    assert_eq!(site.get("/").status, 200);
}

#[test]
fn a_reconnecting_page_learns_what_changed_while_it_was_away() {
    let site = Site::serve(&[("index.html", PAGE), ("story.html", PAGE)]);
    let hello = site.events("").next();
    let session = hello["session"].as_str().unwrap().to_string();
    let build = hello["build"].as_u64().unwrap();
    // Every page names the session and build it was served from.
    let page = site.get("/story.html").text();
    assert!(page.contains(&format!(
        "data-session=\"{session}\" data-build=\"{build}\""
    )));

    let before = site.calls().len();
    site.write("story.html", "<html><body>v2</body></html>");
    site.calls_until_path(before, &site.content("story.html"));
    wait_for("the new build", || {
        (status(&site)["build"].as_u64() == Some(build + 1)).then_some(())
    });

    let mut back = site.events(&format!("?session={session}&build={build}"));
    assert_eq!(back.next()["type"], "hello");
    let missed = back.next();
    assert_eq!(missed["type"], "reload");
    assert_eq!(missed["changed"], serde_json::json!(["story.html"]));

    // A page from an earlier server run reloads whatever it is.
    let mut stale = site.events(&format!("?session=0&build={build}"));
    stale.next_of("hello");
    assert_eq!(stale.next()["all"], true);
}
