//! Sites that grow: every list is cut into pages (`stories/page/2/`), so
//! no page grows with the number of entries.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use common::*;

/// A site of `stories` stories (each mentioning NPS, tagged, in one of two
/// departments), `cases` case studies and `terms` terms; `page_size` in
/// site.yaml when given.
fn generated_site(
    stories: usize,
    cases: usize,
    terms: usize,
    page_size: Option<usize>,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut yaml = String::from(
        "title: Big\nlanguage: en\nlanguages: [pt]\ndepartments:\n  - { id: it, name: IT }\n  - { id: logistics, name: Logistics }\njourney:\n  - stage: Receive\n    touchpoints: [delivery]\nvalues: [empathy]\n",
    );
    if let Some(n) = page_size {
        let _ = writeln!(yaml, "page_size: {n}");
    }
    std::fs::write(root.join("site.yaml"), yaml).unwrap();
    let write = |rel: String, text: String| {
        let p = root.join("content").join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "glossary/nps.md".into(),
        "---\nterm: NPS\nshort: Would they recommend us?\nlenses:\n  it: A survey number.\n---\nNet Promoter Score.\n".into(),
    );
    write(
        "glossary/nps.pt.md".into(),
        "---\nterm: NPS\n---\nÍndice.\n".into(),
    );
    for i in 0..terms {
        write(
            format!("glossary/term-{i:04}.md"),
            format!(
                "---\nterm: Term {i:04}\naliases: [Alias {i:04}]\nshort: The {i}th term of this glossary, defined at some length.\nlenses:\n  it: What IT means by term {i}.\n---\nA term.\n"
            ),
        );
    }
    for i in 0..stories {
        // Dates fall one day apart, newest last-numbered, so the order is known.
        let date =
            chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(i as u64);
        write(
            format!("stories/story-{i:04}.md"),
            format!(
                "---\ntitle: Story {i:04}\ndate: {date}\nauthor: Ana\ndepartment: {}\ntouchpoints: [delivery]\nvalues: [empathy]\ntags: [Winter Storms]\n---\nOur NPS went up when we fixed the delivery for customer {i}, and here is how we did it in some detail.\n",
                if i % 2 == 0 { "it" } else { "logistics" }
            ),
        );
    }
    for i in 0..cases {
        write(
            format!("cases/case-{i:04}.md"),
            format!("---\ntitle: Case {i:04}\ndate: 2024-01-01\norganization: Org\n---\nA case.\n"),
        );
    }
    dir
}

fn pages_of(public: &Path, list: &str) -> Vec<String> {
    let mut out = vec![read(public.join(list).join("index.html"))];
    for n in 2.. {
        let p = public.join(list).join(format!("page/{n}/index.html"));
        if !p.exists() {
            break;
        }
        out.push(read(p));
    }
    out
}

#[test]
fn every_list_is_cut_into_pages_holding_each_entry_once() {
    let site = generated_site(25, 9, 30, Some(4));
    let public = build(site.path());

    // Stories: 25 at 4 a page is 7 pages, newest first, each story once.
    let pages = pages_of(&public, "stories");
    assert_eq!(pages.len(), 7);
    for i in 0..25 {
        let link = format!("stories/story-{i:04}/index.html\"");
        let holders: Vec<usize> = (0..7).filter(|&p| pages[p].contains(&link)).collect();
        assert_eq!(holders, vec![(24 - i) / 4], "story {i}");
    }
    // Pager: where this page is, its neighbours, first and last.
    let first = &pages[0];
    assert!(first.contains("1–4 of 25"), "range shown");
    assert!(first.contains("rel=\"next\" href=\"../stories/page/2/index.html\""));
    assert!(!first.contains("rel=\"prev\""));
    let fourth = &pages[3];
    assert!(fourth.contains("13–16 of 25"));
    assert!(fourth.contains("rel=\"prev\" href=\"../../../stories/page/3/index.html\""));
    assert!(fourth.contains("aria-current=\"page\" href=\"../../../stories/page/4/index.html\""));
    assert!(fourth.contains("href=\"../../../stories/index.html\" aria-label=\"Page 1\""));
    let last = &pages[6];
    assert!(last.contains("25–25 of 25") && !last.contains("rel=\"next\""));
    // Many pages: the filters open the chosen item's own page, so no
    // card carries the facets that only an in-place filter reads.
    assert!(
        first.contains("data-navigate")
            && first.contains("data-href=\"../departments/it/index.html\"")
            && !first.contains("type=\"reset\"")
    );
    for page in &pages {
        assert!(
            page.contains("<article class=\"card card-story\">"),
            "{page}"
        );
        assert!(!page.contains("data-department=") && !page.contains("data-tag="));
    }

    // A department's stories, a value's, a tag's: paginated alike.
    // IT: 13 stories and 31 terms through its lens, paged in step: the
    // vocabulary is a compact list (24 rows a page here), over two pages.
    let it = pages_of(&public, "departments/it");
    assert_eq!(it.len(), 4);
    assert!(
        it[0].contains("13 stories · 0 cases · 0 training paths · 31 of 31 terms with a lens")
            && it[3].contains("13–13 of 13")
    );
    assert_eq!(it[0].matches("What IT means by term").count(), 23);
    assert_eq!(it[1].matches("What IT means by term").count(), 7);
    assert!(it[3].contains("card-story") && !it[3].contains("What IT means by term"));
    assert_eq!(pages_of(&public, "values/empathy").len(), 7);
    let tag = pages_of(&public, "tags/winter-storms");
    assert_eq!(tag.len(), 7);
    assert!(
        tag[0].contains("<h1>Winter Storms</h1>"),
        "the tag as written"
    );
    assert_eq!(pages_of(&public, "cases").len(), 3);

    // Compact lists hold six page sizes (24 here): the glossary index (31
    // terms and 30 aliases) runs to three pages, "mentioned in" (25
    // stories) to two.
    let glossary = pages_of(&public, "glossary");
    assert_eq!(glossary.len(), 3);
    assert!(glossary[0].contains("<h2 id=\"letter-A\">A</h2>"));
    // The A–Z bar points at the page where each letter starts: T starts on
    // page 2 and goes on on page 3.
    assert!(glossary[2].contains("href=\"../../../glossary/page/2/index.html#letter-T\">T</a>"));
    assert!(glossary[2].contains("<h2 id=\"letter-T\">T</h2>"));
    assert!(glossary[2].contains("<span aria-disabled=\"true\">B</span>"));
    let nps = read(public.join("glossary/nps/index.html"));
    assert_eq!(
        nps.matches("<li><span class=\"badge badge-story\">")
            .count(),
        24
    );
    assert!(nps.contains("rel=\"next\" href=\"../../glossary/nps/page/2/index.html\""));
    let more = read(public.join("glossary/nps/page/2/index.html"));
    assert_eq!(
        more.matches("<li><span class=\"badge badge-story\">")
            .count(),
        1
    );
    assert!(more.contains("href=\"../../../../stories/story-0000/index.html\">Story 0000</a>"));
    // The translation's page continues the same list.
    assert!(public.join("pt/glossary/nps/page/2/index.html").exists());
}

/// The page-size bar of a big site: no HTML page over 200 kB, whatever
/// the number of entries (the search index's data files aside).
#[test]
fn no_page_grows_with_the_site() {
    let site = generated_site(800, 60, 300, None);
    let public = build(site.path());
    let mut largest = (0u64, String::new());
    let mut pages = 0;
    for e in walkdir::WalkDir::new(&public) {
        let e = e.unwrap();
        if e.path().extension().is_some_and(|x| x == "html") {
            pages += 1;
            let size = e.metadata().unwrap().len();
            if size > largest.0 {
                largest = (
                    size,
                    e.path()
                        .strip_prefix(&public)
                        .unwrap()
                        .display()
                        .to_string(),
                );
            }
        }
    }
    assert!(pages > 800);
    assert!(largest.0 < 200_000, "{} is {} bytes", largest.1, largest.0);
}

/// Cards are rendered once and pasted into lists at every depth, with the
/// page's path to the root filled in; a card whose own text holds the
/// placeholder used for that path keeps its text.
#[test]
fn cards_link_from_every_depth_and_keep_their_own_text() {
    let site = site_copy("basic");
    let root = site.path();
    std::fs::write(
        root.join("content/stories/odd.md"),
        "---\ntitle: Odd \u{FDD0} title\ndate: 2026-05-01\nauthor: A\ndepartment: it\n---\nText.\n",
    )
    .unwrap();
    let public = build(root);
    // Depth 1 (the stories list) and depth 2 (a department page).
    let list = read(public.join("stories/index.html"));
    assert!(list.contains("href=\"../stories/snowed-in/index.html\""));
    assert!(!list.contains('\u{FDD0}') || list.contains("Odd \u{FDD0} title"));
    let department = read(public.join("departments/it/index.html"));
    assert!(department.contains("href=\"../../stories/odd/index.html\">Odd \u{FDD0} title</a>"));
    assert!(department.contains("href=\"../../departments/it/index.html\""));
    assert_eq!(
        department.matches('\u{FDD0}').count(),
        department.matches("Odd \u{FDD0} title").count(),
        "the placeholder is replaced everywhere but in the title"
    );
}
