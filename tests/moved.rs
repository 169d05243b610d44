//! Renamed and moved entries (`moved_from:`): their old addresses keep
//! working, links to their old files lead to them with a warning, and
//! every mistake in the key is an error at its line.

mod common;

use std::path::Path;

use common::*;

fn rename(root: &Path, from: &str, to: &str, moved_from: Option<&str>) {
    let (from, to) = (
        root.join("content").join(from),
        root.join("content").join(to),
    );
    let text = std::fs::read_to_string(&from).unwrap();
    std::fs::remove_file(&from).unwrap();
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    let text = match moved_from {
        Some(old) => text.replacen("---\n", &format!("---\nmoved_from: {old}\n"), 1),
        None => text,
    };
    std::fs::write(to, text).unwrap();
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&p, text.replace(from, to)).unwrap();
}

/// What the page at `old` (relative to the output) sends the reader to.
fn leads_to(public: &Path, old: &str) -> String {
    let html = read(public.join(old));
    let refresh = html
        .split("<meta http-equiv=\"refresh\" content=\"0; url=")
        .nth(1)
        .unwrap_or_else(|| panic!("{old} has no refresh:\n{html}"));
    let href = &refresh[..refresh.find('"').unwrap()];
    assert!(
        html.contains(&format!(
            "location.replace(\"{href}\" + location.search + location.hash)"
        )),
        "{old}: the script keeps the #heading and goes to the same page:\n{html}"
    );
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    // Resolved against the old page's folder, as a browser does.
    let dir = Path::new(old).parent().unwrap();
    let mut target = dir.to_path_buf();
    for part in href.split('/') {
        match part {
            ".." => assert!(target.pop(), "{href} leaves the site"),
            p => target.push(p),
        }
    }
    assert!(
        public.join(&target).is_file(),
        "{old} leads to {href}, which does not exist"
    );
    target.to_string_lossy().into_owned()
}

#[test]
fn old_addresses_of_renamed_entries_lead_to_their_new_pages() {
    let site = site_copy("basic");
    let root = site.path();
    // A story renamed, a page moved out of its folder, a term renamed with
    // its translation (which says nothing: it follows the original).
    rename(
        root,
        "stories/billing-fix.md",
        "stories/billing-fixed.md",
        Some("billing-fix.md"),
    );
    rename(
        root,
        "pages/guides/workshop.md",
        "pages/workshop.md",
        Some("guides/workshop.md"),
    );
    rename(
        root,
        "glossary/nps.md",
        "glossary/net-promoter-score.md",
        Some("nps.md"),
    );
    rename(
        root,
        "glossary/nps.pt.md",
        "glossary/net-promoter-score.pt.md",
        None,
    );
    edit(
        root,
        "content/paths/foundations.md",
        "term: nps",
        "term: net-promoter-score",
    );

    let o = campfire_in(root, &["build"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let public = root.join("public");
    assert_eq!(
        leads_to(&public, "stories/billing-fix/index.html"),
        "stories/billing-fixed/index.html"
    );
    assert_eq!(
        leads_to(&public, "guides/workshop/index.html"),
        "workshop/index.html"
    );
    assert_eq!(
        leads_to(&public, "glossary/nps/index.html"),
        "glossary/net-promoter-score/index.html"
    );
    assert_eq!(
        leads_to(&public, "pt/glossary/nps/index.html"),
        "pt/glossary/net-promoter-score/index.html"
    );

    // The page says where it went, in the entry's language, escaped.
    let story = read(public.join("stories/billing-fix/index.html"));
    assert!(
        story.contains(
            "<h1>This page has moved to <a href=\"../../stories/billing-fixed/index.html\">The &lt;billing&gt; fix &amp; what it taught us</a>"
        ),
        "{story}"
    );
    let pt = read(public.join("pt/glossary/nps/index.html"));
    assert!(pt.contains("<html lang=\"pt\">"), "{pt}");
    assert!(pt.contains("Esta página mudou para"), "{pt}");

    // Old addresses are no pages: not listed, not searched.
    let list = read(public.join("stories/index.html"));
    assert!(list.contains("stories/billing-fixed/index.html"));
    assert!(!list.contains("stories/billing-fix/index.html"));
    for file in walkdir::WalkDir::new(public.join("search"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|f| f.file_type().is_file())
    {
        let text = std::fs::read_to_string(file.path()).unwrap();
        assert!(
            !text.contains("stories/billing-fix/"),
            "{} indexes the old address",
            file.path().display()
        );
    }

    // The story still links the old file: the link leads to the new page,
    // and both commands say what to write.
    let snowed = read(public.join("stories/snowed-in/index.html"));
    assert!(
        snowed.contains("href=\"../../stories/billing-fixed/index.html#the-fix\""),
        "{snowed}"
    );
    assert!(
        snowed.contains("href=\"../../glossary/net-promoter-score/index.html\""),
        "{snowed}"
    );
    let expected = "content/stories/snowed-in.md:19:45: warning: link \"billing-fix.md#the-fix\": content/stories/billing-fix.md was renamed to content/stories/billing-fixed.md (its moved_from says so): the link leads there, but write \"billing-fixed.md#the-fix\" so that it keeps working";
    assert!(err.contains(expected), "{err}");
    assert!(
        err.contains("write \"../glossary/net-promoter-score.md\""),
        "{err}"
    );
    let check = campfire_in(root, &["check"]);
    assert_eq!(check.status.code(), Some(1), "check is strict");
    assert!(
        stderr(&check).contains(&expected.replace("warning: ", "")),
        "{}",
        stderr(&check)
    );
}

#[test]
fn mistakes_in_moved_from_are_errors_at_their_line_and_keep_the_output() {
    let err = fails_cleanly(
        |root| {
            // Still there.
            edit(
                root,
                "content/stories/snowed-in.md",
                "---\n",
                "---\nmoved_from: [billing-fix.md, ../stories/snowed-in.md, snow]\n",
            );
            // Two entries, one old address.
            edit(
                root,
                "content/cases/window-pilot.md",
                "---\n",
                "---\nmoved_from: ../stories/old-tale.md\n",
            );
            edit(
                root,
                "content/stories/billing-fix.md",
                "---\n",
                "---\nmoved_from: old-tale.md\n",
            );
            // A draft is still there too.
            edit(
                root,
                "content/paths/foundations.md",
                "---\n",
                "---\nmoved_from: ../stories/secret-draft.md\n",
            );
            // Outside content/, and an address Campfire keeps for itself.
            edit(
                root,
                "content/pages/about.md",
                "---\n",
                "---\nmoved_from:\n  - ../../../notes.md\n  - search.md\n",
            );
        },
        &[
            "content/stories/snowed-in.md:2:14: moved_from \"billing-fix.md\": content/stories/billing-fix.md is still there: delete it (or rename it back and remove this line): moved_from is for a file that no longer exists",
            "content/stories/snowed-in.md:2:30: moved_from \"../stories/snowed-in.md\": that is this file itself: remove the line",
            "content/stories/snowed-in.md:2:55: moved_from \"snow\": name the old file as it was, relative to this file, e.g. \"snow.md\"",
            "content/paths/foundations.md:2:13: moved_from \"../stories/secret-draft.md\": content/stories/secret-draft.md is still there",
            "content/cases/window-pilot.md:2:13: moved_from \"../stories/old-tale.md\": content/stories/billing-fix.md says it moved from there too; an old address can lead to one page only: remove it from one of them",
            "content/pages/about.md:3:5: moved_from \"../../../notes.md\": notes.md is outside content/",
            "content/pages/about.md:4:5: moved_from \"search.md\": the address /search/ is Campfire's own, so no page was ever there: remove the line",
        ],
    );
    assert!(
        !err.contains("billing-fix.md:2"),
        "the first to claim an address keeps it:\n{err}"
    );
}
