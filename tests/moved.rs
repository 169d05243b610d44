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

/// Adds `keys` at the top of the front matter of `rel`.
fn front(root: &Path, rel: &str, keys: &str) {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    let text = text.replacen("---\n", &format!("---\n{keys}"), 1);
    std::fs::write(&p, text).unwrap();
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

/// A file of the built site, by its path relative to the output.
fn written(public: &Path) -> Vec<String> {
    snapshot(public)
        .into_keys()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect()
}

/// The old file and addresses of the old intranet a story names.
const OLD_ADDRESSES: &str = "[billing-fix.md, /cx/billing.html, /kb/refunds/, /kb/refunds, \"/kb/caf%C3%A9%20menu\", /KB/Double-Charges.ASPX, \"/kb/a&b's (x).htm\"]";

#[test]
fn addresses_of_another_system_lead_to_the_entry() {
    let site = site_copy("basic");
    let root = site.path();
    // One entry with an old file and addresses of the old intranet, as a
    // list; the same address twice (with and without its slash) is one.
    rename(
        root,
        "stories/billing-fix.md",
        "stories/billing-fixed.md",
        Some(OLD_ADDRESSES),
    );
    // One address alone, at the top of the site; a translation's own.
    edit(
        root,
        "content/stories/snowed-in.md",
        "billing-fix.md#the-fix",
        "billing-fixed.md#the-fix",
    );
    front(root, "content/glossary/nps.md", "moved_from: /nps.html\n");
    front(
        root,
        "content/glossary/nps.pt.md",
        "moved_from:\n  - /intranet/pt/nps.htm\n",
    );
    let o = campfire_in(root, &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let public = root.join("public");
    for (old, new) in [
        ("cx/billing.html", "stories/billing-fixed/index.html"),
        ("kb/refunds/index.html", "stories/billing-fixed/index.html"),
        (
            "kb/café menu/index.html",
            "stories/billing-fixed/index.html",
        ),
        (
            "KB/Double-Charges.ASPX/index.html",
            "stories/billing-fixed/index.html",
        ),
        ("kb/a&b's (x).htm", "stories/billing-fixed/index.html"),
        (
            "stories/billing-fix/index.html",
            "stories/billing-fixed/index.html",
        ),
        ("nps.html", "glossary/nps/index.html"),
        ("intranet/pt/nps.htm", "pt/glossary/nps/index.html"),
    ] {
        assert_eq!(leads_to(&public, old), new, "{old}");
    }
    let files = written(&public);
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("kb/refunds/") && f != "kb/refunds/index.html"),
        "{files:?}"
    );
    // Relative, so it works from file:// and under any sub-path; escaped.
    let top = read(public.join("nps.html"));
    assert!(
        top.contains("<meta http-equiv=\"refresh\" content=\"0; url=glossary/nps/index.html\">"),
        "{top}"
    );
    let kb = read(public.join("KB/Double-Charges.ASPX/index.html"));
    assert!(
        kb.contains(
            "<h1>This page has moved to <a href=\"../../stories/billing-fixed/index.html\">The &lt;billing&gt; fix &amp; what it taught us</a>"
        ),
        "{kb}"
    );
    let pt = read(public.join("intranet/pt/nps.htm"));
    assert!(pt.contains("<html lang=\"pt\">"), "{pt}");
    assert!(pt.contains("Esta página mudou para"), "{pt}");
    // In no list, the search index, the sitemap or the feed.
    for file in &files {
        if file.ends_with(".html") || file.ends_with(".htm") {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(public.join(file)).unwrap()).into_owned();
        for old in ["cx/billing", "kb/refunds", "intranet/", "nps.html"] {
            assert!(
                !text.contains(old),
                "{file} names {old}: {}",
                &text[text.find(old).unwrap().saturating_sub(200)..]
            );
        }
    }
    let stories = read(public.join("stories/index.html"));
    assert!(!stories.contains("kb/refunds"), "{stories}");
    // Nothing to warn about: check passes.
    let check = campfire_in(root, &["check"]);
    assert!(check.status.success(), "{}", stderr(&check));

    // The addresses go when the entry stops naming them.
    edit(
        root,
        "content/stories/billing-fixed.md",
        &format!("moved_from: {OLD_ADDRESSES}\n"),
        "moved_from: billing-fix.md\n",
    );
    build(root);
    let files = written(&public);
    assert!(files.contains(&"stories/billing-fix/index.html".to_string()));
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("cx/") || f.starts_with("kb/") || f.starts_with("KB/")),
        "{files:?}"
    );
}

#[test]
fn mistakes_in_addresses_of_another_system_are_errors_at_their_line_and_keep_the_output() {
    fails_cleanly(
        |root| {
            // A file copied to the output, and one inside a folder named
            // like a page.
            std::fs::create_dir_all(root.join("content/pages/files/old.html")).unwrap();
            std::fs::write(root.join("content/pages/files/menu.html"), "<p>menu</p>").unwrap();
            std::fs::write(root.join("content/pages/files/old.html/map.txt"), "map").unwrap();
            front(
                root,
                "content/stories/snowed-in.md",
                "moved_from:\n  - /kb/../../etc/passwd.html\n  - /kb/%2e%2e/x/\n  - /cx/nps.html?id=3\n  - /cx/nps.html#top\n  - https://intranet.example/cx/nps.html\n  - //intranet.example/cx/\n  - /kb/a:b.html\n  - /kb/a%2Fb/\n  - /kb/%zz/\n  - /kb/CON/\n  - /.campfire\n",
            );
            front(
                root,
                "content/pages/about.md",
                "moved_from: [/about/, /guides/workshop, /about/index.html, /search/, /assets/app.js, /sitemap.xml, /404.html, /index.html, /pt/sobre/, /stories/old-tale/]\n",
            );
            front(
                root,
                "content/cases/window-pilot.md",
                "moved_from: [/files/menu.html, /files/menu.html/x/, /files/old.html, /kb/refunds/, /kb/old.html, /KB/Refunds/]\n",
            );
            // Claimed first: the case above claims it again (spelt
            // otherwise, and in capitals) and has a file where this has a
            // folder. The same address twice is one.
            front(
                root,
                "content/stories/billing-fix.md",
                "moved_from:\n  - /kb/refunds\n  - /kb/refunds/\n  - /KB/REFUNDS\n  - /kb/old.html/more/\n",
            );
        },
        &[
            "content/stories/snowed-in.md:3:5: moved_from \"/kb/../../etc/passwd.html\": \"..\" steps out of its folder, and an old address must stay inside the site",
            "content/stories/snowed-in.md:4:5: moved_from \"/kb/%2e%2e/x/\": \"%2e%2e\" steps out of its folder",
            "content/stories/snowed-in.md:5:5: moved_from \"/cx/nps.html?id=3\": a static site answers every ?… of an address with the same page: write \"/cx/nps.html\"",
            "content/stories/snowed-in.md:6:5: moved_from \"/cx/nps.html#top\": the part after # never reaches the host, which answers for the page: write \"/cx/nps.html\"",
            "content/stories/snowed-in.md:7:5: moved_from \"https://intranet.example/cx/nps.html\": an address with its host: write its path only, from the site's root, e.g. \"/cx/nps.html\"",
            "content/stories/snowed-in.md:8:5: moved_from \"//intranet.example/cx/\": an address starts with one /",
            "content/stories/snowed-in.md:9:5: moved_from \"/kb/a:b.html\": \"a:b.html\" has \":\", which a file name cannot have",
            "content/stories/snowed-in.md:10:5: moved_from \"/kb/a%2Fb/\": \"a/b\" has \"/\", which a file name cannot have",
            "content/stories/snowed-in.md:11:5: moved_from \"/kb/%zz/\": \"%zz\" has a % that is not an escape like %20: write a % itself as %25",
            "content/stories/snowed-in.md:12:5: moved_from \"/kb/CON/\": \"CON\" is a device's name on Windows",
            "content/stories/snowed-in.md:13:5: moved_from \"/.campfire\": \".campfire\" is a hidden file's name",
            "content/pages/about.md:2:14: moved_from \"/about/\": that is this entry's own address: remove it",
            "content/pages/about.md:2:23: moved_from \"/guides/workshop\": that is the address of content/pages/guides/workshop.md's page: an old address never takes a page's place; remove it",
            "content/pages/about.md:2:41: moved_from \"/about/index.html\": that is this entry's own address",
            "content/pages/about.md:2:60: moved_from \"/search/\": /search is Campfire's own (Campfire writes its own pages there): remove it",
            "content/pages/about.md:2:70: moved_from \"/assets/app.js\": /assets is Campfire's own",
            "content/pages/about.md:2:86: moved_from \"/sitemap.xml\": /sitemap.xml is Campfire's own",
            "content/pages/about.md:2:100: moved_from \"/404.html\": /404 is Campfire's own",
            "content/pages/about.md:2:111: moved_from \"/index.html\": /index is Campfire's own",
            "content/pages/about.md:2:124: moved_from \"/pt/sobre/\": /pt/ is where Campfire writes the site's pages in \"pt\": remove it",
            "content/pages/about.md:2:136: moved_from \"/stories/old-tale/\": /stories is Campfire's own (Campfire writes its own pages there): if it was the page of a file under content/, name that file instead, relative to this one (moved_from: old-name.md)",
            "content/cases/window-pilot.md:2:14: moved_from \"/files/menu.html\": content/pages/files/menu.html is copied there: an old address never takes a file's place; remove it (or move that file)",
            "content/cases/window-pilot.md:2:32: moved_from \"/files/menu.html/x/\": content/pages/files/menu.html is copied to files/menu.html, a file, so nothing can be written inside it",
            "content/cases/window-pilot.md:2:53: moved_from \"/files/old.html\": the site has pages or files inside files/old.html, so that is a folder and no page can be written as it: remove it",
            "content/cases/window-pilot.md:2:70: moved_from \"/kb/refunds/\": content/stories/billing-fix.md says it moved from there too; an old address can lead to one page only: remove it from one of them",
            "content/cases/window-pilot.md:2:84: moved_from \"/kb/old.html\": content/stories/billing-fix.md's old address has its page inside kb/old.html (kb/old.html/more/index.html), so that is a folder and no page can be written as it: remove one of them",
            "content/cases/window-pilot.md:2:98: moved_from \"/KB/Refunds/\": content/stories/billing-fix.md has an old address at kb/refunds/index.html, which differs only in capitals: macOS and Windows take them for one file, so keep one",
            "content/stories/billing-fix.md:5:5: moved_from \"/KB/REFUNDS\": this entry has an old address at kb/refunds/index.html, which differs only in capitals",
        ],
    );
}

#[test]
fn an_address_under_the_sites_own_path_is_told_to_start_at_the_sites_root() {
    fails_cleanly(
        |root| {
            edit(
                root,
                "site.yaml",
                "title: Fixture Stories",
                "title: Fixture Stories\nbase_url: https://example.org/cx",
            );
            front(
                root,
                "content/stories/snowed-in.md",
                "moved_from: /cx/kb/snow.html\n",
            );
        },
        &[
            "content/stories/snowed-in.md:2:13: moved_from \"/cx/kb/snow.html\": addresses are from the site's root, and the site is published at /cx/ (base_url): this one would be /cx/cx/kb/snow.html; write \"/kb/snow.html\"",
        ],
    );
}
