//! What a published site needs beyond its pages: absolute feed and sitemap
//! addresses from `base_url`, a 404 page that works under a sub-path, a
//! favicon, counts in good grammar, social previews.

mod common;

use common::*;

fn set_base_url(root: &std::path::Path, url: &str) {
    let config = root.join("site.yaml");
    let text = read(&config).replace(
        "title: Fixture Stories",
        &format!("title: Fixture Stories\nbase_url: {url}"),
    );
    std::fs::write(&config, text).unwrap();
}

#[test]
fn without_base_url_the_feed_is_relative_no_sitemap_is_written_and_check_says_so() {
    let site = site_copy("basic");
    let public = build(site.path());
    let feed = read(public.join("feed.xml"));
    assert!(!feed.contains("href=\"\""), "no empty links");
    assert!(feed.contains("<link rel=\"alternate\" type=\"text/html\" href=\"./\"/>"));
    assert!(feed.contains("<link href=\"stories/snowed-in/index.html\"/>"));
    assert!(
        !public.join("sitemap.xml").exists(),
        "a sitemap needs absolute URLs"
    );
    let o = campfire_in(site.path(), &["check"]);
    assert!(
        o.status.success(),
        "a warning, not a failure: {}",
        stderr(&o)
    );
    let out = stdout(&o);
    assert!(
        out.contains("site.yaml: warning: no `base_url`")
            && out.contains("add `base_url: https://"),
        "{out}"
    );
    set_base_url(site.path(), "https://cx.example.org/");
    let out = stdout(&campfire_in(site.path(), &["check"]));
    assert!(!out.contains("base_url"), "{out}");
}

#[test]
fn the_404_page_works_at_any_depth_and_under_a_sub_path() {
    let site = site_copy("basic");
    let public = build(site.path());
    let page = read(public.join("404.html"));
    // No base_url: nothing the page needs is fetched from a guessed root.
    assert!(
        !page.contains("href=\"/assets/") && !page.contains("stylesheet"),
        "{page}"
    );
    assert!(page.contains("<style>") && page.contains(".site-header"));
    assert!(page.contains("<link rel=\"icon\" href=\"data:,\">"));

    set_base_url(site.path(), "https://intranet.example.org/cx");
    let public = build(site.path());
    let page = read(public.join("404.html"));
    assert!(page.contains("href=\"/cx/assets/campfire.css\""), "{page}");
    assert!(page.contains("href=\"/cx/index.html\""));
    assert!(!page.contains("<style>"));
}

#[test]
fn every_page_has_a_favicon() {
    let site = site_copy("basic");
    let public = build(site.path());
    assert!(read(public.join("assets/favicon.svg")).starts_with("<svg"));
    for page in [
        "index.html",
        "stories/snowed-in/index.html",
        "glossary/index.html",
    ] {
        let html = read(public.join(page));
        let root = "../".repeat(page.matches('/').count());
        assert!(
            html.contains(&format!(
                "<link rel=\"icon\" type=\"image/svg+xml\" href=\"{root}assets/favicon.svg\">"
            )),
            "{page}"
        );
    }
    // Every page, slides included: a page without one makes the browser
    // ask for /favicon.ico, a 404 in the console.
    for (path, bytes) in snapshot(&public) {
        if path.extension().is_some_and(|x| x == "html") {
            let html = String::from_utf8_lossy(&bytes);
            assert!(html.contains("<link rel=\"icon\""), "{}", path.display());
        }
    }
}

#[test]
fn counts_are_in_good_grammar() {
    let site = site_copy("basic");
    let public = build(site.path());
    // One billing story: "1 story", not "1 stories"; one case, one path.
    let it = read(public.join("departments/billing/index.html"));
    assert!(
        it.contains(">1 story · 0 cases · 0 training paths · "),
        "{it}"
    );
    let logistics = read(public.join("departments/logistics/index.html"));
    assert!(logistics.contains(">2 stories · 1 case · 1 training path · 1 of 3 terms with a lens"));
    // Entries counted in the plural on a touchpoint page.
    let website = read(public.join("touchpoints/delivery/index.html"));
    assert!(website.contains(">3 entries<"), "{website}");
    let home = read(public.join("index.html"));
    assert!(
        home.contains("3 stories · 3 terms · 1 case study · 1 training path"),
        "{home}"
    );
}

#[test]
fn entry_pages_have_social_previews() {
    let site = site_copy("basic");
    set_base_url(site.path(), "https://cx.example.org/");
    let public = build(site.path());
    let story = read(public.join("stories/billing-fix/index.html"));
    assert!(story.contains(
        "<meta property=\"og:title\" content=\"The &lt;billing&gt; fix &amp; what it taught us\">"
    ));
    assert!(story.contains("<meta property=\"og:description\" content=\""));
    assert!(story.contains(
        "<meta property=\"og:url\" content=\"https://cx.example.org/stories/billing-fix/\">"
    ));
    assert!(story.contains("<meta property=\"og:type\" content=\"article\">"));
    // List pages are not articles.
    assert!(!read(public.join("stories/index.html")).contains("og:type"));
}
