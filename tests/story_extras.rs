//! What a story page offers a reader beyond the story: reading time,
//! related stories, the previous and next story, and per-department feeds.

mod common;

use common::*;

fn story(root: &std::path::Path, slug: &str, date: &str, front: &str, body: &str) {
    std::fs::write(
        root.join(format!("content/stories/{slug}.md")),
        format!("---\ntitle: Story {slug}\ndate: {date}\nauthor: A\n{front}\n---\n{body}\n"),
    )
    .unwrap();
}

#[test]
fn reading_time_related_stories_and_neighbours() {
    let site = site_copy("basic");
    let root = site.path();
    story(
        root,
        "long",
        "2026-05-01",
        "department: it\ntouchpoints: [delivery]",
        &"word ".repeat(450),
    );
    // Shares the delivery touchpoint and NPS with snowed-in (4 points)…
    story(
        root,
        "close",
        "2026-05-02",
        "department: it\ntouchpoints: [delivery]\nvalues: [empathy]",
        "Our NPS rose.",
    );
    // …this one only a value (1 point): not related.
    story(
        root,
        "far",
        "2026-05-03",
        "department: it\nvalues: [ownership]",
        "Nothing in common.",
    );
    let public = build(root);
    assert!(
        read(public.join("stories/long/index.html")).contains("· 3 min read</p>"),
        "450 words"
    );
    let short = read(public.join("stories/far/index.html"));
    assert!(short.contains("· 1 min read</p>"));

    let snowed = read(public.join("stories/snowed-in/index.html"));
    let related = &snowed[snowed
        .find("id=\"related-stories-h\"")
        .expect("related stories")..];
    let related = &related[..related.find("</section>").unwrap()];
    let close = related
        .find("stories/close/index.html")
        .expect("close is related");
    let long = related
        .find("stories/long/index.html")
        .expect("long is related");
    assert!(close < long, "more in common comes first: {related}");
    assert!(!related.contains("stories/far/"), "{related}");
    assert!(!related.contains("stories/snowed-in/"), "not itself");
    assert!(!short.contains("related-stories-h") || !short.contains("stories/snowed-in-van/"));

    // Neighbours in the stories list, newest first: far, close, long,
    // billing-fix, snowed-in, snowed-in-van.
    let nav = |slug: &str| {
        let page = read(public.join(format!("stories/{slug}/index.html")));
        let nav = page[page.find("class=\"story-nav\"").expect("story nav")..].to_string();
        nav[..nav.find("</nav>").unwrap()].to_string()
    };
    let close = nav("close");
    assert!(
        close.contains("rel=\"prev\" href=\"../../stories/long/index.html\""),
        "{close}"
    );
    assert!(
        close.contains("rel=\"next\" href=\"../../stories/far/index.html\""),
        "{close}"
    );
    assert!(
        !nav("far").contains("rel=\"next\""),
        "the newest has no newer"
    );
    assert!(
        !nav("snowed-in-van").contains("rel=\"prev\""),
        "the oldest has no older"
    );
}

#[test]
fn each_department_has_its_own_feed() {
    let site = site_copy("basic");
    let public = build(site.path());
    let feed = read(public.join("departments/logistics/feed.xml"));
    let doc = roxmltree::Document::parse(&feed).expect("well-formed");
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .map(|e| {
            e.children()
                .find(|n| n.has_tag_name("title"))
                .unwrap()
                .text()
                .unwrap()
        })
        .collect();
    assert_eq!(
        titles,
        [
            "The snowed-in delivery",
            "A second story, auto-linking disabled"
        ]
    );
    assert!(feed.contains("<title>Fixture Stories · Logistics</title>"));
    // Without base_url, links are relative to the feed's own folder.
    assert!(
        feed.contains("<link href=\"../../stories/snowed-in/index.html\"/>"),
        "{feed}"
    );
    assert!(
        feed.contains("rel=\"self\" href=\"../../departments/logistics/feed.xml\""),
        "{feed}"
    );
    let page = read(public.join("departments/logistics/index.html"));
    assert!(page.contains("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Fixture Stories · Logistics\" href=\"../../departments/logistics/feed.xml\">"));
    assert!(
        page.contains(
            "href=\"../../departments/logistics/feed.xml\">This department&#39;s feed</a>"
        ) || page.contains("This department's feed</a>"),
        "{page}"
    );
    assert!(
        read(public.join("departments/it/feed.xml")).contains("<feed"),
        "even with no story yet"
    );
}
