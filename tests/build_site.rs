//! Building the fixture site: the pages exist, say the right things, and
//! link to each other relatively so the output works from `file://`.

mod common;

use std::path::Path;

use common::*;

#[test]
fn builds_every_section_with_the_right_text() {
    let site = site_copy("basic");
    let o = campfire_in(site.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = stdout(&o);
    assert!(
        summary.contains("3 stories, 4 terms, 1 cases, 1 paths, 2 pages"),
        "{summary}"
    );
    let public = site.path().join("public");

    let home = read(public.join("index.html"));
    assert!(home.contains("Fixture Stories"));
    assert!(
        home.contains("href=\"stories/snowed-in/index.html\""),
        "home links the featured story relatively"
    );

    let story = read(public.join("stories/snowed-in/index.html"));
    assert!(story.contains("<h1>The snowed-in delivery</h1>"));
    assert!(story.contains("href=\"../../departments/logistics/index.html\">Logistics</a>"));
    assert!(
        story.contains("href=\"../../stories/billing-fix/index.html#the-fix\""),
        "md links become page URLs"
    );
    assert!(
        story.contains("src=\"../../stories/van.svg\""),
        "assets are linked beside their page"
    );
    assert!(public.join("stories/van.svg").exists(), "assets are copied");
    assert!(story.contains("Step 2 of 4"), "path membership is shown");

    // Titles are escaped everywhere they appear.
    let billing = read(public.join("stories/billing-fix/index.html"));
    assert!(billing.contains("The &lt;billing&gt; fix &amp; what it taught us"));
    assert!(!billing.contains("<billing>"));

    let list = read(public.join("stories/index.html"));
    assert!(list.contains("snowed-in/index.html") && list.contains("billing-fix/index.html"));
    assert!(
        list.contains("data-department=\"logistics\""),
        "cards carry filter data"
    );
    assert!(!list.contains("A draft story"), "drafts are left out");
    assert!(!public.join("stories/secret-draft").exists());

    let about = read(public.join("about/index.html"));
    assert!(about.contains("href=\"../stories/snowed-in/index.html\""));
    assert!(
        home.contains("href=\"about/index.html\""),
        "menu pages are in the navigation"
    );
    assert!(
        !home.contains("Workshop guide"),
        "menu: false keeps a page out of the menu"
    );
    assert!(public.join("guides/workshop/index.html").exists());

    for taxonomy in ["departments", "touchpoints", "values", "tags"] {
        assert!(
            public.join(taxonomy).join("index.html").exists(),
            "{taxonomy} index"
        );
    }
    let logistics = read(public.join("departments/logistics/index.html"));
    assert!(logistics.contains("The snowed-in delivery") && !logistics.contains("billing&gt; fix"));
    let departments = read(public.join("departments/index.html"));
    assert!(departments.contains(
        "href=\"../departments/logistics/index.html\">Logistics</a> <span class=\"muted taxonomy-detail\">"
    ));
    assert!(
        public.join("tags/weather-events/index.html").exists(),
        "tag names are slugged"
    );
    // The stories list is on one page: its filters hide cards in place,
    // reading each card's facets. No other list filters, so no other
    // list's cards carry them.
    assert!(list.contains("type=\"reset\"") && !list.contains("data-navigate"));
    assert!(list.contains(
        "data-department=\"logistics\" data-touchpoint=\"delivery \" \
         data-value=\"empathy ownership \" data-tag=\"winter weather-events \""
    ));
    for other in [
        "index.html",
        "departments/logistics/index.html",
        "tags/weather-events/index.html",
    ] {
        let html = read(public.join(other));
        assert!(
            html.contains("<article class=\"card card-story\">"),
            "{other}"
        );
        assert!(!html.contains("data-department="), "{other}");
        assert!(!html.contains("data-tag="), "{other}");
    }
    assert!(read(public.join("404.html")).contains("Page not found"));
}

#[test]
fn feed_and_sitemap_are_well_formed() {
    let site = site_copy("basic");
    let config = site.path().join("site.yaml");
    let text = read(&config).replace(
        "title: Fixture Stories",
        "title: Fixture Stories\nbase_url: https://cx.example.org/stories",
    );
    std::fs::write(&config, text).unwrap();
    let public = build(site.path());
    let feed = read(public.join("feed.xml"));
    let doc = roxmltree::Document::parse(&feed).expect("feed.xml is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "feed");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert_eq!(entries.len(), 3);
    // Newest first; every entry has the elements Atom requires.
    let first_title = entries[0]
        .children()
        .find(|n| n.has_tag_name("title"))
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(first_title, "The <billing> fix & what it taught us");
    for e in &entries {
        for required in ["id", "title", "updated", "link"] {
            assert!(
                e.children().any(|n| n.has_tag_name(required)),
                "entry lacks <{required}>"
            );
        }
    }
    let sitemap = read(public.join("sitemap.xml"));
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap.xml is well-formed");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    // Sitemaps and feeds need absolute addresses: from base_url.
    assert!(
        locs.contains(&"https://cx.example.org/stories/stories/snowed-in/"),
        "{locs:?}"
    );
    assert!(
        locs.contains(&"https://cx.example.org/stories/"),
        "{locs:?}"
    );
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://cx.example.org/stories/"))
    );
    let links: Vec<&str> = roxmltree::Document::parse(&feed)
        .unwrap()
        .descendants()
        .filter(|n| n.has_tag_name("link"))
        .filter_map(|n| n.attribute("href"))
        .map(|h| &*Box::leak(h.to_string().into_boxed_str()))
        .collect();
    assert!(
        links.contains(&"https://cx.example.org/stories/feed.xml"),
        "{links:?}"
    );
    assert!(
        links.contains(&"https://cx.example.org/stories/"),
        "{links:?}"
    );
    assert!(
        links.contains(&"https://cx.example.org/stories/stories/billing-fix/index.html"),
        "{links:?}"
    );
}

/// Every href and src in every page points at a file that exists, resolved
/// relative to the page, exactly as a browser on `file://` would.
#[test]
fn every_internal_link_resolves_from_file_urls() {
    let site = site_copy("basic");
    let public = build(site.path());
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|x| x != "html") || entry.file_name() == "404.html" {
            continue;
        }
        let html = read(entry.path());
        for attr in ["href=\"", "src=\""] {
            for piece in html.split(attr).skip(1) {
                let url = &piece[..piece.find('"').unwrap()];
                if url.starts_with("http")
                    || url.starts_with('#')
                    || url.starts_with("mailto:")
                    || url.is_empty()
                {
                    continue;
                }
                let path = url.split('#').next().unwrap().split('?').next().unwrap();
                assert!(
                    !path.starts_with('/'),
                    "absolute link {url} in {}",
                    entry.path().display()
                );
                let target = entry.path().parent().unwrap().join(path);
                assert!(
                    target.is_file(),
                    "{} links to {url}, which is not a file ({})",
                    entry.path().strip_prefix(&public).unwrap().display(),
                    target.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "only {checked} links checked");
}

#[test]
fn stale_files_are_removed_and_drafts_can_be_included() {
    let site = site_copy("basic");
    let public = build(site.path());
    std::fs::write(public.join("stale.html"), "old").unwrap();
    let o = campfire_in(site.path(), &["build", "--drafts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!public.join("stale.html").exists());
    assert!(read(public.join("stories/index.html")).contains("A draft story"));
}

#[test]
fn output_can_go_elsewhere() {
    let site = site_copy("basic");
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("nested/site");
    let o = campfire_in(
        site.path(),
        &["build", "--output", target.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(target.join("index.html").exists());
    assert!(!Path::new(&site.path().join("public")).exists());
}

/// A handbook of many pages: only pages that ask (`menu: true`) are in
/// the menu; a nested page shows where it sits; a long one has contents.
#[test]
fn menus_are_opt_in_nested_pages_have_breadcrumbs_long_pages_contents() {
    let site = site_copy("basic");
    let pages = site.path().join("content/pages");
    for i in 0..40 {
        std::fs::write(
            pages.join(format!("handbook-{i:02}.md")),
            format!("---\ntitle: Handbook chapter {i:02}\n---\nA chapter.\n"),
        )
        .unwrap();
    }
    std::fs::create_dir_all(pages.join("guides/rooms")).unwrap();
    std::fs::write(
        pages.join("guides/rooms/layout.md"),
        "---\ntitle: Room layout\n---\nChairs in a circle.\n",
    )
    .unwrap();
    let mut long = String::from("---\ntitle: The long guide\n---\n");
    for section in ["Before the day", "On the day", "Afterwards"] {
        long.push_str(&format!("\n## {section}\n\n"));
        long.push_str(&"We talk about the customer and the journey. ".repeat(50));
        long.push_str("\n\n### A detail\n\nMore.\n");
    }
    std::fs::write(pages.join("long.md"), long).unwrap();
    let public = build(site.path());

    let home = read(public.join("index.html"));
    assert!(
        home.contains("href=\"about/index.html\""),
        "menu: true is in the menu"
    );
    assert!(
        !home.contains("Handbook chapter"),
        "pages are off the menu by default"
    );
    assert!(public.join("handbook-07/index.html").exists());

    // guides/ is not a page (named after its folder); guides/workshop is.
    let layout = read(public.join("guides/rooms/layout/index.html"));
    let crumbs = &layout[layout.find("class=\"breadcrumbs\"").expect("breadcrumbs")..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    assert!(
        crumbs.contains("<li><a href=\"../../../index.html\">Home</a></li>"),
        "{crumbs}"
    );
    assert!(
        crumbs.contains("<li>Guides</li>") && crumbs.contains("<li>Rooms</li>"),
        "{crumbs}"
    );
    assert!(crumbs.contains("<li aria-current=\"page\">Room layout</li>"));
    std::fs::write(
        pages.join("guides.md"),
        "---\ntitle: All our guides\n---\nGuides.\n",
    )
    .unwrap();
    let public = build(site.path());
    let layout = read(public.join("guides/rooms/layout/index.html"));
    assert!(layout.contains("<li><a href=\"../../../guides/index.html\">All our guides</a></li>"));
    assert!(
        !read(public.join("about/index.html")).contains("breadcrumbs"),
        "top-level pages have none"
    );

    let long = read(public.join("long/index.html"));
    let toc = &long[long
        .find("class=\"toc\"")
        .expect("a long page has contents")..];
    assert!(
        toc.contains("<li class=\"toc-2\"><a href=\"#before-the-day\">Before the day</a></li>")
    );
    assert!(
        toc.contains("<li class=\"toc-3\"><a href=\"#a-detail-1\">A detail</a></li>"),
        "{toc}"
    );
    assert!(
        !read(public.join("about/index.html")).contains("class=\"toc\""),
        "short pages have none"
    );
}

/// Pages render through copies of the templates with each language's UI
/// strings and the site block written in, and where many entry pages share
/// a language and a depth, their `root` and `lang` too
/// (`src/render/fold.rs`): the demo site (three languages, every kind of
/// page), with 240 more stories and 240 more terms, each term also in
/// Portuguese, comes out byte for byte as with the plain templates; and
/// as with whole contexts, where pages get only what their templates read
/// of their data (`src/render/template_reads.rs`); and as when its
/// bodies are held packed, as a big site's are (`src/packed.rs`).
#[test]
fn specialized_templates_write_the_same_bytes_as_plain_ones() {
    const SWITCHES: [(&str, &str); 3] = [
        ("CAMPFIRE_PLAIN_TEMPLATES", "1"),
        ("CAMPFIRE_WHOLE_CONTEXTS", "1"),
        ("CAMPFIRE_PACK_ABOVE", "0"),
    ];
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = tempfile::tempdir().unwrap();
    std::fs::copy(repo.join("site.yaml"), site.path().join("site.yaml")).unwrap();
    copy_dir(&repo.join("content"), &site.path().join("content"));
    let content = site.path().join("content");
    for i in 0..240 {
        let story = format!(
            "---\ntitle: \"Many {i}\"\ndate: 2025-03-{:02}\nauthor: nikhil-sharma\ndepartment: it\nvalues: [ownership]\ntags: [proactive-communication]\nsummary: \"A <summary> & {i}.\"\n---\n\nSome text about NPS, CSAT and term {i}.\n\n## A section\n\nMore text.\n",
            i % 28 + 1
        );
        std::fs::write(content.join(format!("stories/many-{i}.md")), story).unwrap();
        for (suffix, short) in [("", "A term"), (".pt", "Um termo")] {
            let term = format!(
                "---\nterm: \"Term {i}\"\nshort: \"{short} & {i}.\"\n---\n{short}, {i}: see [NPS](nps.md).\n"
            );
            std::fs::write(content.join(format!("glossary/term-{i}{suffix}.md")), term).unwrap();
        }
    }
    let out = tempfile::tempdir().unwrap();
    let build_into = |name: &str, switch: Option<&str>| {
        let dir = out.path().join(name);
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_campfire"));
        command.args([
            "build",
            "--root",
            site.path().to_str().unwrap(),
            "--output",
            dir.to_str().unwrap(),
        ]);
        // One day for every build's coverage page, midnight or not.
        command.env("SOURCE_DATE_EPOCH", "1796515200");
        for (variable, value) in SWITCHES {
            if switch == Some(variable) {
                command.env(variable, value);
            } else {
                command.env_remove(variable);
            }
        }
        let o = command.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        snapshot(&dir)
    };
    let fast = build_into("fast", None);
    assert!(fast.len() > 1000, "{} files", fast.len());
    for (switch, _) in SWITCHES {
        let other = build_into(switch, Some(switch));
        assert_eq!(
            fast.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &fast {
            assert!(
                bytes == &other[path],
                "{} differs with {switch}",
                path.display()
            );
        }
    }
    for (page, lang, root) in [
        ("stories/many-7/index.html", "en", "../../"),
        ("glossary/term-7/index.html", "en", "../../"),
        ("pt/glossary/term-7/index.html", "pt", "../../../"),
    ] {
        let html = String::from_utf8_lossy(&fast[Path::new(page)]).into_owned();
        assert!(
            html.contains(&format!("<html lang=\"{lang}\""))
                && html.contains(&format!("href=\"{root}assets/campfire.css\"")),
            "{page}: {html}"
        );
    }
    // Including pages in another language, with its own strings.
    let pt = String::from_utf8_lossy(&fast[Path::new("pt/glossary/nps/index.html")]).into_owned();
    assert!(
        pt.contains("lang=\"pt\"") && pt.contains("Glossário"),
        "{pt}"
    );
}

/// The strings the theme's scripts show (the search box's, the slides'
/// controls) are one small script per language, which every page of that
/// language loads, not a kilobyte and a half written into each page; the
/// search page carries its own, so that its first query loads no more.
#[test]
fn each_language_has_one_strings_script_that_its_pages_load() {
    let site = site_copy("basic");
    let public = build(site.path());
    let strings = |lang: &str| -> serde_json::Map<String, serde_json::Value> {
        let text = read(public.join(format!("assets/strings-{lang}.js")));
        let json = text
            .strip_prefix("window.campfireStrings=")
            .and_then(|t| t.strip_suffix(";\n"))
            .unwrap_or_else(|| panic!("not a strings script: {text}"));
        serde_json::from_str(json).unwrap()
    };
    let (en, pt) = (strings("en"), strings("pt"));
    assert_eq!(en["search_none"], "No results");
    assert_eq!(en["end_of_deck"], "End of the presentation");
    assert_eq!(pt["search_none"], "Nenhum resultado");
    assert_eq!(pt["kind_story"], "História");
    assert_eq!(en.len(), pt.len());

    // Each page loads its own language's script, from its own depth, and
    // before the scripts that read it.
    for (page, script) in [
        ("stories/snowed-in/index.html", "../../assets/strings-en.js"),
        ("index.html", "assets/strings-en.js"),
        (
            "pt/glossary/nps/index.html",
            "../../../assets/strings-pt.js",
        ),
    ] {
        let html = read(public.join(page));
        let tag = format!("<script src=\"{script}\" defer></script>");
        let at = html
            .find(&tag)
            .unwrap_or_else(|| panic!("{page} lacks {tag}"));
        assert!(at < html.find("assets/search.js").unwrap(), "{page}");
        if let Some(present) = html.find("assets/present.js") {
            assert!(at < present, "{page}");
        }
        assert!(!html.contains("data-search-strings"), "{page}");
        assert!(!html.contains("data-t-"), "{page}");
    }
    let search = read(public.join("search/index.html"));
    assert!(!search.contains("assets/strings-"), "{search}");
    assert!(search.contains("&quot;search_none&quot;:&quot;No results&quot;"));

    // A site's own layouts/assets/strings-en.js is shipped as it is.
    let own = site.path().join("layouts/assets");
    std::fs::create_dir_all(&own).unwrap();
    std::fs::write(own.join("strings-en.js"), "window.campfireStrings={};\n").unwrap();
    let public = build(site.path());
    assert_eq!(
        read(public.join("assets/strings-en.js")),
        "window.campfireStrings={};\n"
    );
    assert!(read(public.join("assets/strings-pt.js")).contains("Nenhum resultado"));
}
