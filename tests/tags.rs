//! Tags: free text that drifts (`callback`, `callbacks`), so near-duplicates
//! are warned about naming the closest existing tag; an optional list in
//! site.yaml controls them and says how each is shown.

mod common;

use common::*;

fn add_story(root: &std::path::Path, slug: &str, tags: &str) {
    std::fs::write(
        root.join(format!("content/stories/{slug}.md")),
        format!("---\ntitle: {slug}\ndate: 2026-01-02\nauthor: A\ndepartment: it\ntags: [{tags}]\n---\nText.\n"),
    )
    .unwrap();
}

#[test]
fn near_duplicate_tags_are_warned_about_naming_the_closest() {
    let site = site_copy("basic");
    add_story(site.path(), "one", "callbacks, winter");
    add_story(site.path(), "two", "callbacks");
    add_story(site.path(), "three", "callback, agent-empowerment");
    add_story(site.path(), "four", "empowerment, Empowerment");
    let o = campfire_in(site.path(), &["build"]);
    assert!(
        o.status.success(),
        "warnings do not stop a build: {}",
        stderr(&o)
    );
    let err = stderr(&o);
    assert!(
        err.contains("content/stories/three.md:6:8: warning: tag \"callback\" is close to the tag \"callbacks\" (on 2 entries)"),
        "{err}"
    );
    assert!(
        err.contains("content/stories/three.md:6:18: warning: tag \"agent-empowerment\" is close to the tag \"empowerment\" (on 1 entry)"),
        "{err}"
    );
    // The more used spelling is not the one flagged. One tag in two cases
    // in one entry is one tag, on one entry (it was counted twice), and
    // the second is said to be the first again.
    assert!(
        err.contains(
            "content/stories/four.md:6:21: warning: tag \"Empowerment\" is \"empowerment\" again"
        ),
        "{err}"
    );
    assert!(
        !err.contains("warning: tag \"callbacks\"")
            && !err.contains("warning: tag \"Empowerment\" is close")
            && !err.contains("warning: tag \"empowerment\""),
        "{err}"
    );
    let o = campfire_in(site.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1), "check is strict");
}

#[test]
fn a_controlled_list_names_tags_and_refuses_others() {
    let site = site_copy("basic");
    let config = site.path().join("site.yaml");
    let text = read(&config) + "tags: [Billing, Winter storms, Weather Events]\n";
    std::fs::write(&config, text).unwrap();
    add_story(site.path(), "one", "winter-storms, biling");
    let o = campfire_in(site.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("content/stories/one.md:6:23: warning: tag \"biling\" is not in site.yaml's `tags`: did you mean \"Billing\"?"),
        "{err}"
    );
    // snowed-in.md's `winter` is close to nothing listed: named as such.
    assert!(
        err.contains("tag \"winter\" is not in site.yaml's `tags`"),
        "{err}"
    );
    let public = site.path().join("public");
    // Shown as site.yaml writes them, wherever they appear.
    let tag = read(public.join("tags/winter-storms/index.html"));
    assert!(tag.contains("<h1>Winter storms</h1>"), "{tag}");
    let story = read(public.join("stories/one/index.html"));
    assert!(story.contains(">Winter storms</a>"), "the chip");
    let stories = read(public.join("stories/index.html"));
    assert!(
        stories.contains(">Winter storms (1)</option>"),
        "the filter"
    );
    assert!(read(public.join("tags/billing/index.html")).contains("<h1>Billing</h1>"));
}

#[test]
fn a_tag_listed_twice_is_an_error_at_its_line() {
    let site = site_copy("basic");
    let config = site.path().join("site.yaml");
    let text = read(&config) + "tags:\n  - Winter storms\n  - winter-storms\n";
    std::fs::write(&config, text).unwrap();
    let o = campfire_in(site.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1));
    let lines = read(&config).lines().count();
    assert!(
        stderr(&o).contains(&format!(
            "site.yaml:{lines}:5: tag \"winter-storms\" is listed twice in `tags`"
        )),
        "{}",
        stderr(&o)
    );
}
