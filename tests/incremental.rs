//! Incremental rebuilds must give exactly what a fresh build gives: after
//! each edit, the served output is compared with a full `campfire build`,
//! file by file.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use campfire::build::BuildOptions;
use campfire::serve::LiveSite;
use campfire::serve::Rebuild;
use common::*;

/// The day both sides count coverage up to (`SOURCE_DATE_EPOCH` for the
/// build, the render option for serve): a step run across a midnight would
/// otherwise compare two dates. Far from any test's today, so a side that
/// ignored it would show.
const PINNED_EPOCH: &str = "2000000000";

fn pinned_day() -> chrono::NaiveDate {
    "2033-05-18".parse().unwrap()
}

fn next_day() -> chrono::NaiveDate {
    "2033-05-19".parse().unwrap()
}

/// The day after [`pinned_day`], as a build is told it.
const NEXT_DAY_EPOCH: &str = "2000086400";

fn fresh_build(root: &Path, epoch: &str) -> BTreeMap<PathBuf, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let o = campfire_in_env(
        root,
        &["build", "--output", target.to_str().unwrap()],
        &[("SOURCE_DATE_EPOCH", epoch)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    snapshot(&target)
}

/// Serve's options, its day pinned as the fresh build's.
fn serve_options(root: &Path) -> BuildOptions {
    let mut options = BuildOptions::new(root);
    options.render.today = Some(pinned_day());
    options
}

fn assert_same(root: &Path, served: &Path, step: &str) {
    assert_same_as_built(root, served, step, PINNED_EPOCH);
}

/// [`assert_same`] against a build told `epoch` is now.
fn assert_same_as_built(root: &Path, served: &Path, step: &str, epoch: &str) {
    let fresh = fresh_build(root, epoch);
    let incremental = snapshot(served);
    let only_fresh: Vec<_> = fresh
        .keys()
        .filter(|k| !incremental.contains_key(*k))
        .collect();
    let only_incr: Vec<_> = incremental
        .keys()
        .filter(|k| !fresh.contains_key(*k))
        .collect();
    assert!(
        only_fresh.is_empty() && only_incr.is_empty(),
        "{step}: missing {only_fresh:?}, stale {only_incr:?}"
    );
    for (path, bytes) in &fresh {
        assert!(
            incremental[path] == *bytes,
            "{step}: {} differs from a fresh build:\n{}",
            path.display(),
            first_difference(&incremental[path], bytes)
        );
    }
}

/// A live session over `root` after its first build, search index included.
fn served(root: &Path) -> LiveSite {
    let mut session = LiveSite::new(serve_options(root));
    session.build_all().expect("first build");
    session.wait_for_search();
    session
}

struct Edit {
    name: &'static str,
    apply: fn(&Path) -> Vec<PathBuf>,
}

fn write(root: &Path, rel: &str, text: &str) -> Vec<PathBuf> {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    vec![p]
}

fn replace(root: &Path, rel: &str, from: &str, to: &str) -> Vec<PathBuf> {
    let p = root.join(rel);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{rel} lacks {from:?}");
    std::fs::write(&p, text.replace(from, to)).unwrap();
    vec![p]
}

const EDITS: &[Edit] = &[
    Edit {
        name: "paginate every list (page_size: 1; 'mentioned in' pages at 6)",
        apply: |r| {
            replace(
                r,
                "site.yaml",
                "title: Fixture Stories",
                "title: Fixture Stories\npage_size: 1",
            )
        },
    },
    Edit {
        name: "redate a story: it moves from the last page of the stories to the first",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in-van.md",
                "date: 2025-12-01",
                "date: 2026-06-01",
            )
        },
    },
    Edit {
        name: "a dozen stories mention NPS: its 'mentioned in' runs to a second page",
        apply: |r| {
            (0..12)
                .flat_map(|i| {
                    write(
                        r,
                        &format!("content/stories/nps-{i:02}.md"),
                        &format!("---\ntitle: NPS story {i:02}\ndate: 2026-04-{:02}\nauthor: Z\ndepartment: it\nvalues: [empathy]\ntags: [nps-talk]\n---\nOur NPS went up.\n", i + 1),
                    )
                })
                .collect()
        },
    },
    Edit {
        name: "retitle a story on the second page of 'mentioned in'",
        apply: |r| {
            replace(
                r,
                "content/stories/nps-00.md",
                "title: NPS story 00",
                "title: The oldest NPS story",
            )
        },
    },
    Edit {
        name: "delete most of them: pages past the end go",
        apply: |r| {
            (1..12)
                .map(|i| {
                    let p = r.join(format!("content/stories/nps-{i:02}.md"));
                    std::fs::remove_file(&p).unwrap();
                    p
                })
                .collect()
        },
    },
    Edit {
        name: "edit a story's body",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in.md",
                "walked the last mile",
                "walked the last two miles",
            )
        },
    },
    Edit {
        name: "edit a path step's second paragraph (only its page and the path's print view)",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in.md",
                "Check the `NPS` in code, never link it.",
                "Check the `NPS` in code and never link it.",
            )
        },
    },
    Edit {
        name: "a story stops mentioning a term (the term's back-links change)",
        apply: |r| {
            replace(
                r,
                "content/stories/billing-fix.md",
                "Satisfação went up",
                "Happiness went up",
            )
        },
    },
    Edit {
        name: "edit a story's title (lists, taxonomies, feed, paths change)",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in.md",
                "title: The snowed-in delivery",
                "title: The snow day",
            )
        },
    },
    Edit {
        name: "add a story with a new tag",
        apply: |r| {
            write(
                r,
                "content/stories/new-one.md",
                "---\ntitle: A new one\ndate: 2026-05-01\nauthor: Z\ndepartment: it\ntags: [brand-new]\n---\nWe improved the touchpoint.\n",
            )
        },
    },
    Edit {
        name: "add an alias to a term (auto-links change everywhere)",
        apply: |r| {
            replace(
                r,
                "content/glossary/touchpoint.md",
                "term: Touchpoint",
                "term: Touchpoint\naliases: [double charges]",
            )
        },
    },
    Edit {
        name: "change a term's short definition (tooltips everywhere)",
        apply: |r| {
            replace(
                r,
                "content/glossary/nps.md",
                "How likely customers are to <recommend> us.",
                "Would they recommend us?",
            )
        },
    },
    // A body holds a mark per term saying only whether it has a tooltip
    // (its text is reused while that stays so): taking the tooltip away,
    // then giving it back, changes the bodies themselves.
    Edit {
        name: "remove a term's short definition (its tooltips go)",
        apply: |r| {
            replace(
                r,
                "content/glossary/nps.md",
                "short: \"Would they recommend us?\"\n",
                "",
            )
        },
    },
    Edit {
        name: "give a term a short definition again (its tooltips come back)",
        apply: |r| {
            replace(
                r,
                "content/glossary/nps.md",
                "aliases: [NPS]\n",
                "aliases: [NPS]\nshort: \"Promoters minus detractors.\"\n",
            )
        },
    },
    Edit {
        name: "reorder a training path (step navigation on other pages)",
        apply: |r| {
            replace(
                r,
                "content/paths/foundations.md",
                "  - story: snowed-in\n  - case: window-pilot\n",
                "  - case: window-pilot\n  - story: snowed-in\n",
            )
        },
    },
    Edit {
        name: "add discuss questions to a story (its slides end with them)",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in.md",
                "featured: true\n",
                "featured: true\ndiscuss: [What would you have done?]\n",
            )
        },
    },
    Edit {
        name: "change a term's lens (its slides and the path deck that shows it)",
        apply: |r| {
            replace(
                r,
                "content/glossary/nps.md",
                "Drivers see it after each drop.",
                "Drivers see it at every stop.",
            )
        },
    },
    Edit {
        name: "give a term a lens (department pages read it)",
        apply: |r| {
            replace(
                r,
                "content/glossary/touchpoint.md",
                "lenses:\n",
                "lenses:\n  billing: \"Every line of the invoice.\"\n",
            )
        },
    },
    Edit {
        name: "move a case to another department",
        apply: |r| {
            replace(
                r,
                "content/cases/window-pilot.md",
                "departments: [logistics]",
                "departments: [it]",
            )
        },
    },
    Edit {
        name: "translate a term (the pt glossary and path navigation in pt change)",
        apply: |r| {
            write(
                r,
                "content/glossary/touchpoint.pt.md",
                "---\nterm: Ponto de contato\nshort: Qualquer momento em que nos encontram.\n---\n\nQualquer ponto.\n",
            )
        },
    },
    Edit {
        name: "translate a department's name in site.yaml",
        apply: |r| {
            let p = r.join("site.yaml");
            let text =
                std::fs::read_to_string(&p).unwrap() + "names:\n  pt:\n    logistics: Logística\n";
            std::fs::write(&p, text).unwrap();
            vec![p]
        },
    },
    Edit {
        name: "a touchpoint shares the billing department's id, each named apart in names:",
        apply: |r| {
            replace(
                r,
                "site.yaml",
                "  - stage: Discover\n    touchpoints: [website]",
                "  - stage: Discover\n    touchpoints: [website, billing]",
            );
            let mut changed = replace(
                r,
                "site.yaml",
                "names:\n  pt:\n    logistics: Logística\n",
                "names:\n  en:\n    touchpoint.billing: Invoice\n  pt:\n    logistics: Logística\n    department.billing: Faturação\n    touchpoint.billing: Fatura\n",
            );
            changed.extend(replace(
                r,
                "content/stories/snowed-in.md",
                "touchpoints: [delivery]",
                "touchpoints: [delivery, billing]",
            ));
            changed
        },
    },
    Edit {
        name: "rename the touchpoint that shares an id (its cards, page and the journey follow)",
        apply: |r| {
            replace(
                r,
                "site.yaml",
                "touchpoint.billing: Invoice",
                "touchpoint.billing: Invoices",
            )
        },
    },
    Edit {
        name: "restyle dates in site.yaml's strings (cards, story and case pages, slides)",
        apply: |r| {
            let p = r.join("site.yaml");
            let text = std::fs::read_to_string(&p).unwrap()
                + "strings:\n  en:\n    date_long: \"{month} {day}, {year}\"\n    month_1: Jan.\n";
            std::fs::write(&p, text).unwrap();
            vec![p]
        },
    },
    Edit {
        name: "mark a path section for trainers (the handout changes)",
        apply: |r| {
            replace(
                r,
                "content/paths/foundations.md",
                "## Take-aways",
                "## Take-aways {.trainer}",
            )
        },
    },
    Edit {
        name: "rename a department in site.yaml",
        apply: |r| {
            replace(
                r,
                "site.yaml",
                "name: Logistics",
                "name: Delivery Logistics",
            )
        },
    },
    Edit {
        name: "rename a story",
        apply: |r| {
            let from = r.join("content/stories/new-one.md");
            let to = r.join("content/stories/renamed-one.md");
            std::fs::rename(&from, &to).unwrap();
            vec![from, to]
        },
    },
    Edit {
        name: "the renamed story says where it moved from: its old address leads to it",
        apply: |r| {
            replace(
                r,
                "content/stories/renamed-one.md",
                "---\n",
                "---\nmoved_from: new-one.md\n",
            )
        },
    },
    Edit {
        name: "rename a term and its translation, the original saying where it moved from",
        apply: |r| {
            let mut changed = Vec::new();
            for (from, to) in [
                ("touchpoint.md", "contact-point.md"),
                ("touchpoint.pt.md", "contact-point.pt.md"),
            ] {
                let (from, to) = (
                    r.join("content/glossary").join(from),
                    r.join("content/glossary").join(to),
                );
                std::fs::rename(&from, &to).unwrap();
                changed.extend([from, to]);
            }
            changed.extend(replace(
                r,
                "content/glossary/contact-point.md",
                "---\n",
                "---\nmoved_from: touchpoint.md\n",
            ));
            for nps in ["content/glossary/nps.md", "content/glossary/nps.pt.md"] {
                changed.extend(replace(
                    r,
                    nps,
                    "related: [touchpoint]",
                    "related: [contact-point]",
                ));
            }
            changed
        },
    },
    Edit {
        name: "the story forgets its old name: its old address goes",
        apply: |r| {
            replace(
                r,
                "content/stories/renamed-one.md",
                "moved_from: new-one.md\n",
                "",
            )
        },
    },
    Edit {
        name: "the story gains addresses of the old intranet: each leads to it",
        apply: |r| {
            replace(
                r,
                "content/stories/renamed-one.md",
                "title: A new one\n",
                "title: A new one\nmoved_from: [/cx/new-one.html, \"/kb/caf%C3%A9/\"]\n",
            )
        },
    },
    Edit {
        name: "the story drops the intranet's addresses: their pages go",
        apply: |r| {
            replace(
                r,
                "content/stories/renamed-one.md",
                "moved_from: [/cx/new-one.html, \"/kb/caf%C3%A9/\"]\n",
                "",
            )
        },
    },
    Edit {
        name: "delete a story and its tag page",
        apply: |r| {
            let p = r.join("content/stories/renamed-one.md");
            std::fs::remove_file(&p).unwrap();
            vec![p]
        },
    },
    Edit {
        name: "add a photo, the cover of a story and shown in its body",
        apply: |r| {
            let photo = r.join("content/stories/snow.png");
            image::RgbImage::from_pixel(1000, 600, image::Rgb([200, 210, 230]))
                .save(&photo)
                .unwrap();
            let mut changed = vec![photo];
            changed.extend(replace(
                r,
                "content/stories/snowed-in.md",
                "title: The snow day",
                "title: The snow day\ncover: snow.png",
            ));
            changed.extend(replace(
                r,
                "content/stories/snowed-in.md",
                "walked the last two miles",
                "walked the last two miles\n\n![The road](snow.png)\n",
            ));
            changed
        },
    },
    Edit {
        name: "replace the photo: new copies, and its size on the story and the cards",
        apply: |r| {
            let photo = r.join("content/stories/snow.png");
            image::RgbImage::from_pixel(1500, 1500, image::Rgb([90, 90, 90]))
                .save(&photo)
                .unwrap();
            vec![photo]
        },
    },
    Edit {
        name: "add an image asset",
        apply: |r| {
            write(
                r,
                "content/stories/photo.svg",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            )
        },
    },
    Edit {
        name: "override a layout",
        apply: |r| {
            write(
                r,
                "layouts/page.html",
                "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ page.title }}</h1>{{ page.html | safe }}{% endblock content %}",
            )
        },
    },
    Edit {
        name: "change a story's author to another person (people pages, walls)",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in.md",
                "author: ana-lima",
                "author: bo-chen",
            )
        },
    },
    Edit {
        name: "change who a story recognises (story, people pages, walls)",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in.md",
                "recognized: [bo-chen, \"The night shift\"]",
                "recognized: [ana-lima]",
            )
        },
    },
    Edit {
        name: "drop a value from a story (recognition wall, person's values)",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in.md",
                "values: [empathy, ownership]",
                "values: [ownership]",
            )
        },
    },
    Edit {
        name: "move a story to another stage and department (coverage matrix and cells)",
        apply: |r| {
            replace(
                r,
                "content/stories/snowed-in-van.md",
                "department: logistics\ntouchpoints: [delivery]",
                "department: it\ntouchpoints: [website]",
            )
        },
    },
    Edit {
        name: "date a term's last update (coverage freshness)",
        apply: |r| {
            replace(
                r,
                "content/glossary/contact-point.md",
                "term: Touchpoint",
                "updated: 2001-02-03\nterm: Touchpoint",
            )
        },
    },
    Edit {
        name: "rename a person and change a touchpoint's backstage (people, blueprint, departments)",
        apply: |r| {
            replace(
                r,
                "site.yaml",
                "name: Bo Chen, role: Planner",
                "name: Bo Chen-Lima, role: Route Planner",
            );
            replace(
                r,
                "site.yaml",
                "backstage: [logistics]",
                "backstage: [logistics, it]",
            )
        },
    },
    Edit {
        name: "change site.yaml",
        apply: |r| {
            replace(
                r,
                "site.yaml",
                "title: Fixture Stories",
                "title: Renamed Site",
            )
        },
    },
    Edit {
        name: "a story's touchpoints change: related stories on other pages follow",
        apply: |r| {
            replace(
                r,
                "content/stories/billing-fix.md",
                "touchpoints: [website]",
                "touchpoints: [delivery]\nvalues: [empathy]",
            )
        },
    },
    Edit {
        name: "add a parent page: a nested page's breadcrumbs link it",
        apply: |r| {
            write(
                r,
                "content/pages/guides.md",
                "---\ntitle: Guides\n---\nAll guides.\n",
            )
        },
    },
    Edit {
        name: "a larger page size: fewer pages",
        apply: |r| replace(r, "site.yaml", "page_size: 1", "page_size: 2"),
    },
    Edit {
        name: "remove a whole folder",
        apply: |r| {
            let p = r.join("content/pages/guides");
            std::fs::remove_dir_all(&p).unwrap();
            vec![p]
        },
    },
    Edit {
        name: "the stories on one page again: its filters read the cards' facets",
        apply: |r| replace(r, "site.yaml", "page_size: 2", "page_size: 50"),
    },
];

#[test]
fn every_edit_gives_the_same_output_as_a_fresh_build() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let served = root.join("public");
    assert_same(&root, &served, "first build");
    for edit in EDITS {
        let changed = (edit.apply)(&root);
        let outcome = session
            .rebuild(&changed)
            .unwrap_or_else(|e| panic!("{}: {e}", edit.name));
        assert!(
            !outcome.changed_urls.is_empty(),
            "{}: nothing changed",
            edit.name
        );
        session.wait_for_search();
        assert_same(&root, &served, edit.name);
    }
}

/// What a server does at midnight (see `serve::rebuilder`): a render with
/// no file changed, the day moved on. The pages that count up to the day
/// are made again, and nothing else: the output is then what a build on
/// the new day makes.
#[test]
fn a_new_day_gives_what_a_build_on_that_day_gives() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let served = root.join("public");
    let before = snapshot(&served);
    session.pin_day(next_day());
    let outcome = session.rebuild(&[]).expect("the new day's render");
    session.wait_for_search();
    assert!(
        outcome
            .changed_urls
            .iter()
            .any(|u| u.starts_with("coverage/")),
        "the coverage page counts up to the new day: {:?}",
        outcome.changed_urls
    );
    assert_same_as_built(&root, &served, "the next day", NEXT_DAY_EPOCH);
    let after = snapshot(&served);
    let rewritten: Vec<_> = after
        .iter()
        .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        rewritten.iter().all(|p| p.contains("coverage")),
        "only what counts up to the day changes: {rewritten:?}"
    );
}

#[test]
fn a_story_edit_rewrites_only_what_shows_it() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let changed = replace(
        &root,
        "content/stories/billing-fix.md",
        "We refunded everyone.",
        "We refunded everyone at once.",
    );
    let outcome = session.rebuild(&changed).unwrap();
    // The body is not in any list (the summary is the first paragraph), so
    // only the story page itself (with its slides) changes; the search
    // index follows in the background.
    assert_eq!(outcome.changed_urls, vec!["stories/billing-fix/index.html"]);
    session.wait_for_search();
    let index = std::fs::read_dir(root.join("public/search/d"))
        .unwrap()
        .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
        .collect::<String>();
    assert!(
        index.contains("We refunded everyone at once."),
        "the index holds the new words"
    );
}

/// The slides read through the recording reader too: a path's deck shows
/// its steps' bodies, so the path's page (which holds the deck) is
/// rewritten when a step's body changes, and nothing else is.
#[test]
fn slides_are_rewritten_exactly_when_what_they_show_changes() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let path_page = root.join("public/paths/foundations/index.html");
    assert!(
        !std::fs::read_to_string(&path_page)
            .unwrap()
            .contains("What we learned together")
    );
    let changed = replace(
        &root,
        "content/stories/snowed-in.md",
        "## What we learned",
        "## What we learned together",
    );
    let outcome = session.rebuild(&changed).unwrap();
    assert_eq!(
        outcome.changed_urls,
        vec![
            "paths/foundations/index.html",
            "paths/foundations/print/index.html",
            "stories/snowed-in/index.html"
        ],
        "the story's page, the deck of the path it is a step of, its handout"
    );
    let text = std::fs::read_to_string(&path_page).unwrap();
    assert!(
        text.contains("What we learned together"),
        "the deck shows the new heading"
    );
    // A case's metric moves its page and the path's deck; the story's
    // page does not move.
    let changed = replace(
        &root,
        "content/cases/window-pilot.md",
        "after: 3.1",
        "after: 2.9",
    );
    let outcome = session.rebuild(&changed).unwrap();
    for (url, moved) in [
        ("cases/window-pilot/index.html", true),
        ("paths/foundations/index.html", true),
        ("stories/snowed-in/index.html", false),
    ] {
        assert_eq!(
            outcome.changed_urls.iter().any(|u| u == url),
            moved,
            "{url}: {outcome:?}"
        );
    }
    session.wait_for_search();
    assert_same(&root, &root.join("public"), "after the slide edits");
}

#[test]
fn a_failed_rebuild_keeps_the_output_and_recovers() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let before = snapshot(&root.join("public"));
    let changed = replace(
        &root,
        "content/stories/billing-fix.md",
        "department: billing",
        "department: bilings",
    );
    let err = session.rebuild(&changed).unwrap_err();
    assert!(
        err.message
            .contains("content/stories/billing-fix.md:5:13: unknown department \"bilings\""),
        "{}",
        err.message
    );
    assert_eq!(snapshot(&root.join("public")), before);
    let changed = replace(
        &root,
        "content/stories/billing-fix.md",
        "department: bilings",
        "department: billing",
    );
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert_same(&root, &root.join("public"), "after the fix");
}

/// `rm -rf public/` while serving: the next rebuild makes all of it again,
/// not only the pages of the file that changed.
#[test]
fn a_deleted_output_is_rebuilt_whole() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    assert!(session.output_intact());
    std::fs::remove_dir_all(root.join("public")).unwrap();
    assert!(!session.output_intact(), "the loss is noticed");
    let changed = replace(
        &root,
        "content/stories/billing-fix.md",
        "We refunded everyone.",
        "We refunded everyone twice.",
    );
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert!(session.output_intact());
    assert_same(&root, &root.join("public"), "after the output was deleted");
}

/// Every check a build makes, serve makes: here, two sources that would
/// be written to the same output file.
#[test]
fn serve_refuses_two_sources_for_one_output_file_like_build() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let before = snapshot(&root.join("public"));
    // An asset beside the pages that lands where the about page does.
    let changed = write(&root, "content/pages/about/index.html", "<p>mine</p>");
    let err = session.rebuild(&changed).unwrap_err();
    assert!(
        err.message
            .contains("two things would be written to about/index.html"),
        "{}",
        err.message
    );
    // Both sources are named, so the champion knows what to rename.
    assert!(
        err.message.contains("content/pages/about.md")
            && err.message.contains("content/pages/about/index.html"),
        "{}",
        err.message
    );
    assert_eq!(snapshot(&root.join("public")), before);
    let o = campfire_in(&root, &["build"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("two things would be written to about/index.html"));
}

/// A full render (the first, or after the output was lost) swaps its
/// search index in with its pages, made beside them: the moment the site is
/// served it is complete, with no index still to come from the search
/// thread (nothing waited for here).
#[test]
fn a_full_render_puts_the_search_index_in_place_with_the_pages() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = LiveSite::new(serve_options(&root));
    let outcome = session.build_all().expect("first build");
    assert!(
        outcome
            .changed_urls
            .iter()
            .any(|u| u == "search/manifest.js"),
        "{:?}",
        outcome.changed_urls
    );
    assert_same(&root, &root.join("public"), "right after the first build");
    // Lost while serving: made again whole, index included.
    std::fs::remove_dir_all(root.join("public")).unwrap();
    let outcome = session
        .rebuild(&[root.join("content/stories")])
        .expect("full rebuild");
    assert!(
        outcome
            .changed_urls
            .iter()
            .any(|u| u.starts_with("search/"))
    );
    assert_same(&root, &root.join("public"), "right after a full rebuild");
}

/// One rule for symbolic links while serving and building: a link that
/// leads out of the site is never published.
#[cfg(unix)]
#[test]
fn serve_never_publishes_a_symlink_that_leads_out_of_the_site() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "password").unwrap();
    let mut session = served(&root);
    let link = root.join("content/stories/leak.txt");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let md = root.join("content/stories/leak.md");
    std::os::unix::fs::symlink(&secret, &md).unwrap();
    session.rebuild(&[link, md]).unwrap();
    session.wait_for_search();
    assert!(!root.join("public/stories/leak.txt").exists());
    assert!(!root.join("public/stories/leak/index.html").exists());
    assert_same(
        &root,
        &root.join("public"),
        "after adding links out of the site",
    );
}

/// In a git repository, coverage's freshness comes from commit dates:
/// serve reads them as a fresh build does.
#[test]
fn serve_over_a_git_repository_dates_entries_like_build() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .args(args)
            .current_dir(&root)
            .env("GIT_AUTHOR_DATE", "2001-05-06T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2001-05-06T12:00:00Z")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    };
    git(&["init", "-q"]);
    git(&["add", "content"]);
    git(&["commit", "-q", "-m", "old"]);
    let mut session = served(&root);
    let coverage = std::fs::read_to_string(root.join("public/coverage/index.html")).unwrap();
    assert!(
        coverage.contains("6 May 2001 (git)"),
        "commit dates are used"
    );
    let changed = replace(
        &root,
        "content/stories/snowed-in.md",
        "values: [empathy, ownership]",
        "values: [empathy]\nupdated: 2002-02-02",
    );
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert_same(
        &root,
        &root.join("public"),
        "after an edit in a git repository",
    );
}

/// Paginated lists while serving: an entry added, redated or removed
/// shifts every later page, adds or removes the last one, and the served
/// pages are exactly a fresh build's after each step.
#[test]
fn entries_move_across_page_boundaries_while_serving() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    replace(
        &root,
        "site.yaml",
        "title: Fixture Stories",
        "title: Fixture Stories\npage_size: 1",
    );
    let mut session = served(&root);
    let public = root.join("public");
    let page = |n: usize| public.join(format!("stories/page/{n}/index.html"));
    // Three stories, newest first, one a page.
    assert!(read(public.join("stories/index.html")).contains("billing-fix/index.html"));
    assert!(read(page(3)).contains("snowed-in-van/index.html"));
    assert!(!page(4).exists());

    let changed = write(
        &root,
        "content/stories/newest.md",
        "---\ntitle: Newest\ndate: 2026-09-01\nauthor: Z\ndepartment: it\n---\nNew.\n",
    );
    let outcome = session.rebuild(&changed).unwrap();
    for moved in [
        "stories/index.html",
        "stories/page/2/index.html",
        "stories/page/4/index.html",
    ] {
        assert!(
            outcome.changed_urls.iter().any(|u| u == moved),
            "{moved} not rewritten: {:?}",
            outcome.changed_urls
        );
    }
    session.wait_for_search();
    assert!(read(public.join("stories/index.html")).contains("newest/index.html"));
    assert!(read(page(4)).contains("snowed-in-van/index.html"));
    assert_same(&root, &public, "a new story shifts every page");

    let changed = replace(
        &root,
        "content/stories/snowed-in-van.md",
        "date: 2025-12-01",
        "date: 2026-12-01",
    );
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert!(read(public.join("stories/index.html")).contains("snowed-in-van/index.html"));
    assert_same(&root, &public, "a redated story moves to the first page");

    let p = root.join("content/stories/newest.md");
    std::fs::remove_file(&p).unwrap();
    session.rebuild(&[p]).unwrap();
    session.wait_for_search();
    assert!(!page(4).exists(), "the page past the end is removed");
    assert_same(&root, &public, "a deleted story removes the last page");
}

/// A site.yaml edit that leaves the languages alone keeps what was read of
/// the content (here the title); one that changes them reads every file
/// again, saved or not: a translation's suffix is valid or not by them.
#[test]
fn a_change_of_languages_in_site_yaml_reads_the_content_again() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let title = replace(
        &root,
        "site.yaml",
        "title: Fixture Stories",
        "title: Renamed",
    );
    session.rebuild(&title).expect("a new title");
    session.wait_for_search();
    assert_same(&root, &root.join("public"), "a new title");
    // Portuguese is no language of the site any more: its translations,
    // not saved since, are now wrong.
    let languages = replace(&root, "site.yaml", "languages: [pt]", "languages: []");
    let failure = session.rebuild(&languages).unwrap_err();
    assert!(
        failure.message.contains("nps.pt.md")
            && failure.message.contains("unknown language suffix"),
        "{failure}"
    );
    let languages = replace(&root, "site.yaml", "languages: []", "languages: [pt]");
    session.rebuild(&languages).expect("pt is a language again");
    session.wait_for_search();
    assert_same(&root, &root.join("public"), "languages: [pt] again");
}

/// site.yaml names files that must exist (a person's photo): deleting one
/// while serving fails the rebuild as a build fails, with the output kept,
/// and putting it back recovers. Moving the whole `content/` away is the
/// same loss.
#[test]
fn a_deleted_photo_fails_serve_like_build_and_its_return_recovers() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    replace(
        &root,
        "site.yaml",
        "role: Driver, department: logistics }",
        "role: Driver, department: logistics, photo: people/ana.svg }",
    );
    let photo = root.join("content/people/ana.svg");
    std::fs::create_dir_all(photo.parent().unwrap()).unwrap();
    std::fs::write(&photo, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let mut session = served(&root);
    let before = snapshot(&root.join("public"));
    assert!(before.contains_key(Path::new("people/ana.svg")));
    let missing = "photo of \"ana-lima\" not found: put the image at content/people/ana.svg";

    std::fs::remove_file(&photo).unwrap();
    let err = session.rebuild(std::slice::from_ref(&photo)).unwrap_err();
    assert!(err.message.contains(missing), "{}", err.message);
    assert_eq!(snapshot(&root.join("public")), before, "the output is kept");
    let o = campfire_in(&root, &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(missing), "{}", stderr(&o));

    std::fs::write(&photo, "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    session.rebuild(std::slice::from_ref(&photo)).unwrap();
    session.wait_for_search();
    assert_same(&root, &root.join("public"), "after the photo came back");

    // The whole content folder moved away: one event, for the folder.
    let content = root.join("content");
    let away = site.path().join("content-away");
    std::fs::rename(&content, &away).unwrap();
    let err = session.rebuild(std::slice::from_ref(&content)).unwrap_err();
    assert!(err.message.contains(missing), "{}", err.message);
    std::fs::rename(&away, &content).unwrap();
    session.rebuild(std::slice::from_ref(&content)).unwrap();
    session.wait_for_search();
    assert_same(&root, &root.join("public"), "after content/ came back");
}

/// The warnings a fresh build of `root` prints, one a line.
fn build_warnings(root: &Path) -> Vec<String> {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("public");
    let o = campfire_in_env(
        root,
        &["build", "--output", target.to_str().unwrap()],
        &[("SOURCE_DATE_EPOCH", PINNED_EPOCH)],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    warning_lines(&stderr(&o))
}

/// Serve's last build warned as a fresh build does, `expected` among them.
fn assert_warned_alike(root: &Path, session: &LiveSite, expected: &str, step: &str) {
    let served = warning_lines(session.warnings());
    assert_eq!(served, build_warnings(root), "{step}: serve's warnings");
    assert!(
        expected.is_empty() || served.iter().any(|w| w.contains(expected)),
        "{step}: {expected:?} not in {served:#?}"
    );
}

/// Symbolic links made and removed while serving are followed or skipped
/// as a build follows or skips them, with its warnings. The paths passed
/// are the watcher's: a link, and what it used to pass for a link to a
/// folder, the files found through it.
#[cfg(unix)]
#[test]
fn links_made_while_serving_are_followed_or_skipped_as_by_build() {
    use std::os::unix::fs::symlink;
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let public = root.join("public");
    let mut session = served(&root);

    // A link to the folder that holds it.
    let content = root.join("content");
    let looped = content.join("stories/loop");
    symlink("..", &looped).unwrap();
    let through = looped.join("stories/snowed-in.md");
    session.rebuild(&[looped.clone(), through]).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "a link to the folder holding it");
    let step = "a link to the folder holding it";
    assert_warned_alike(&root, &session, "a folder that contains it: skipped", step);
    std::fs::remove_file(&looped).unwrap();
    session.rebuild(std::slice::from_ref(&looped)).unwrap();
    assert_same(&root, &public, "the loop removed");
    assert_warned_alike(&root, &session, "", "the loop removed");

    // A new folder with a page and a link to that folder in it.
    let folder = write(&root, "content/pages/a/x.md", "---\ntitle: X\n---\nPage.\n");
    let own = content.join("pages/a/self");
    symlink("../a", &own).unwrap();
    let changed = [folder[0].clone(), own.clone(), own.join("x.md")];
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert!(!public.join("a/self").exists());
    assert_same(&root, &public, "a folder linking to itself");
    let step = "a folder linking to itself";
    assert_warned_alike(&root, &session, "a folder that contains it: skipped", step);

    // A link out of the site.
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("away.md"), "---\ntitle: Away\n---\n").unwrap();
    let away = content.join("pages/elsewhere");
    symlink(outside.path(), &away).unwrap();
    session
        .rebuild(&[away.clone(), away.join("away.md")])
        .unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "a link out of the site");
    let step = "a link out of the site";
    assert_warned_alike(
        &root,
        &session,
        "a place outside the site folder: skipped",
        step,
    );
}

/// What a link leads to is published at the link too, and an edit there
/// shows at both: a file linked in its own folder, a folder of the site
/// outside `content/` (whose edits the watcher passes by their own path).
#[cfg(unix)]
#[test]
fn edits_reached_through_a_link_show_at_the_link() {
    use std::os::unix::fs::symlink;
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let public = root.join("public");
    symlink("snowed-in.md", root.join("content/stories/snow-alias.md")).unwrap();
    write(
        &root,
        "shared/handbook.md",
        "---\ntitle: Handbook\n---\nRead me.\n",
    );
    symlink("../../shared", root.join("content/pages/shared")).unwrap();
    let mut session = served(&root);
    assert!(read(public.join("stories/snow-alias/index.html")).contains("The snowed-in delivery"));

    let changed = replace(
        &root,
        "content/stories/snowed-in.md",
        "title: The snowed-in delivery",
        "title: The delivery through the snow",
    );
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert!(
        read(public.join("stories/snow-alias/index.html"))
            .contains("The delivery through the snow")
    );
    assert_same(&root, &public, "the linked story retitled");

    let changed = replace(
        &root,
        "shared/handbook.md",
        "title: Handbook",
        "title: Manual",
    );
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert!(read(public.join("shared/handbook/index.html")).contains("Manual"));
    assert_same(
        &root,
        &public,
        "a page in a linked folder outside content/ edited",
    );

    // A story that links lead to is gone: so are the links, with a warning.
    let gone = root.join("content/stories/snowed-in-van.md");
    symlink(
        "snowed-in-van.md",
        root.join("content/stories/van-alias.md"),
    )
    .unwrap();
    session
        .rebuild(&[root.join("content/stories/van-alias.md")])
        .unwrap();
    std::fs::remove_file(&gone).unwrap();
    session.rebuild(std::slice::from_ref(&gone)).unwrap();
    session.wait_for_search();
    assert!(!public.join("stories/van-alias").exists());
    assert_same(&root, &public, "the linked story deleted");
    let step = "the linked story deleted";
    assert_warned_alike(
        &root,
        &session,
        "van-alias.md: warning: symbolic link to nothing",
        step,
    );
}

/// A link into the output is never read, by a build (which would publish
/// the output inside itself, one level deeper each time) or by serve: it
/// is skipped with a warning.
#[cfg(unix)]
#[test]
fn a_link_into_the_output_is_never_read_as_content() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let public = root.join("public");
    let mut session = served(&root);
    let before = snapshot(&public);
    let link = root.join("content/pages/pub");
    std::os::unix::fs::symlink("../../public", &link).unwrap();
    session
        .rebuild(&[link.clone(), link.join("index.html")])
        .unwrap();
    session.wait_for_search();
    let after = snapshot(&public);
    let read: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert!(read.is_empty(), "the output read as content: {read:?}");
    assert!(after == before, "nothing of the output is read");
    let served_warnings = warning_lines(session.warnings());
    let skipped =
        "content/pages/pub: warning: symbolic link into the output folder (public): skipped";
    assert!(
        served_warnings.iter().any(|w| w.contains(skipped)),
        "{served_warnings:#?}"
    );
    for round in 1..=3 {
        let o = campfire_in_env(&root, &["build"], &[("SOURCE_DATE_EPOCH", PINNED_EPOCH)]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(warning_lines(&stderr(&o)), served_warnings, "build {round}");
        assert!(!public.join("pub").exists(), "build {round}");
    }
}

/// A folder named like a Markdown file, made and removed while serving,
/// is warned about as a build warns about it, and its files are published
/// as usual. The paths passed are the watcher's: the folder, then its file.
#[test]
fn a_folder_named_like_a_markdown_file_is_warned_about_as_by_build() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let public = root.join("public");
    let mut session = served(&root);

    let folder = root.join("content/pages/notes.md");
    let page = write(
        &root,
        "content/pages/notes.md/plan.txt",
        "A file, not an entry.\n",
    );
    session.rebuild(&[folder.clone(), page[0].clone()]).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "a folder named notes.md");
    let step = "a folder named notes.md";
    assert_warned_alike(&root, &session, "a folder named like a Markdown file", step);

    std::fs::remove_dir_all(&folder).unwrap();
    session.rebuild(&[page[0].clone(), folder.clone()]).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "the folder removed");
    let served = warning_lines(session.warnings());
    assert!(
        !served
            .iter()
            .any(|w| w.contains("named like a Markdown file")),
        "{served:#?}"
    );
    assert_warned_alike(&root, &session, "", "the folder removed");
}

/// A JPEG `width` pixels wide, of one colour, at `path`.
fn jpeg(path: &Path, width: u32, shade: u8) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_pixel(width, width / 2, image::Rgb([shade, 90, 40]))
        .save(path)
        .unwrap();
}

/// Avatars show a large photo's smallest copy: a photo replaced by a
/// small one (no copies) is shown whole, and back, as a build shows it.
#[test]
fn a_replaced_photo_changes_the_avatars_like_a_build() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    replace(
        &root,
        "site.yaml",
        "role: Driver, department: logistics }",
        "role: Driver, department: logistics, photo: people/ana.jpg }",
    );
    let photo = root.join("content/people/ana.jpg");
    jpeg(&photo, 1000, 10);
    let mut session = served(&root);
    let public = root.join("public");
    let people = read(public.join("people/index.html"));
    assert!(
        people.contains("<img class=\"avatar\" src=\"../people/ana-480w.jpg\""),
        "{people}"
    );
    let person = read(public.join("people/ana-lima/index.html"));
    assert!(
        person.contains("src=\"../../people/ana-480w.jpg\""),
        "{person}"
    );

    jpeg(&photo, 200, 20);
    session.rebuild(std::slice::from_ref(&photo)).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "a small photo");
    let people = read(public.join("people/index.html"));
    assert!(people.contains("<img class=\"avatar\" src=\"../people/ana.jpg\""));

    jpeg(&photo, 1200, 30);
    session.rebuild(std::slice::from_ref(&photo)).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "a large photo again");
}

/// The lines of `text` that are about `what`, from `what` on (`check`
/// prints `error: ` before them, serve's failure does not).
fn lines_about(text: &str, what: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find(what).map(|at| l[at..].to_string()))
        .collect()
}

/// A training-path step naming a draft is reported while serving as a
/// build reports it, as the draft comes, goes and is published: which
/// entries are drafts is part of what linking reads.
#[test]
fn a_step_naming_a_draft_fails_serve_like_build_as_the_draft_comes_and_goes() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let before = snapshot(&root.join("public"));
    let draft = root.join("content/stories/secret-draft.md");
    let draft_text = std::fs::read_to_string(&draft).unwrap();
    let step = "step 5: ";
    let fails_alike = |session: &mut LiveSite, changed: &[PathBuf], moment: &str| {
        let err = session.rebuild(changed).unwrap_err();
        let o = campfire_in(&root, &["check"]);
        assert_eq!(o.status.code(), Some(1), "{moment}");
        let built = lines_about(&stderr(&o), step);
        assert_eq!(built.len(), 1, "{moment}: {}", stderr(&o));
        assert_eq!(lines_about(&err.message, step), built, "{moment}");
        assert_eq!(snapshot(&root.join("public")), before, "{moment}");
        built[0].clone()
    };

    let changed = replace(
        &root,
        "content/paths/foundations.md",
        "  - page: about\n",
        "  - page: about\n  - story: secret-draft\n",
    );
    let named = fails_alike(&mut session, &changed, "a step naming a draft");
    assert!(named.contains("\"secret-draft\""), "{named}");
    assert!(named.contains("is a draft"), "{named}");

    std::fs::remove_file(&draft).unwrap();
    let gone = fails_alike(
        &mut session,
        std::slice::from_ref(&draft),
        "the draft deleted",
    );
    assert!(!gone.contains("is a draft"), "{gone}");

    std::fs::write(&draft, &draft_text).unwrap();
    let back = fails_alike(&mut session, std::slice::from_ref(&draft), "the draft back");
    assert_eq!(back, named);

    let published = replace(
        &root,
        "content/stories/secret-draft.md",
        "draft: true\n",
        "",
    );
    session.rebuild(&published).unwrap();
    session.wait_for_search();
    assert_same(&root, &root.join("public"), "the draft published");
}

/// A Markdown link to a draft warns while serving as a build warns, and
/// says what became of the file as it changes: a draft, a file with
/// errors (the message a check gives), then published, when the link
/// works and the warning goes, like a fresh build.
#[test]
fn a_link_to_a_draft_follows_the_draft_while_serving_like_build() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let public = root.join("public");
    let link = "broken link \"secret-draft.md\"";

    let changed = replace(
        &root,
        "content/stories/billing-fix.md",
        "We refunded everyone.",
        "We refunded everyone, as [the draft](secret-draft.md) tells.",
    );
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "a link to a draft");
    assert_warned_alike(
        &root,
        &session,
        "content/stories/secret-draft.md is a draft (`draft: true`), so it has no page; publish it with `draft: false`",
        "a link to a draft",
    );

    // Published with a mistake: left out for its errors, not as a draft.
    let changed = replace(
        &root,
        "content/stories/secret-draft.md",
        "draft: true\n",
        "date: 2026-03-02\n",
    );
    let err = session.rebuild(&changed).unwrap_err();
    let o = campfire_in(&root, &["check"]);
    let built = lines_about(&stderr(&o), link);
    assert_eq!(built.len(), 1, "{}", stderr(&o));
    assert!(
        built[0].contains("has errors, reported at its own lines"),
        "{built:?}"
    );
    assert_eq!(
        lines_about(&err.message, link),
        built,
        "a draft with errors"
    );

    let changed = replace(
        &root,
        "content/stories/secret-draft.md",
        "date: 2026-03-02\n",
        "",
    );
    session.rebuild(&changed).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "the draft published");
    assert_warned_alike(&root, &session, "", "the draft published");
    assert!(!session.warnings().contains(link), "{}", session.warnings());
    assert!(
        read(public.join("stories/billing-fix/index.html"))
            .contains("href=\"../../stories/secret-draft/index.html\""),
        "the link leads to the published page"
    );
}

/// A file named in a story's raw HTML (`<img src>`, `<a href>`) is
/// followed while serving as a Markdown image is: it arrives, the page
/// leads to it; it goes, the page warns at the line, as a build does.
#[test]
fn a_file_named_in_raw_html_comes_and_goes_like_a_build() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let story = "content/stories/snowed-in.md";
    let text = read(root.join(story));
    let edited = format!("{text}\n<figure><img src=\"yard.jpg\" alt=\"The yard\"></figure>\n");
    write(&root, story, &edited);
    let mut session = served(&root);
    let public = root.join("public");
    let page = public.join("stories/snowed-in/index.html");
    let warning = "broken image \"yard.jpg\": content/stories/yard.jpg does not exist";
    assert_warned_alike(&root, &session, warning, "raw HTML naming a missing photo");
    assert!(read(&page).contains("<img src=\"yard.jpg\""));

    let photo = root.join("content/stories/yard.jpg");
    jpeg(&photo, 300, 10);
    session.rebuild(std::slice::from_ref(&photo)).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "the photo arrives");
    assert_warned_alike(&root, &session, "", "the photo arrives");
    assert!(!session.warnings().contains("yard.jpg"));
    assert!(read(&page).contains("<img src=\"../../stories/yard.jpg\""));

    std::fs::remove_file(&photo).unwrap();
    session.rebuild(std::slice::from_ref(&photo)).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "the photo goes");
    assert_warned_alike(&root, &session, warning, "the photo goes");
    assert!(read(&page).contains("<img src=\"yard.jpg\""));
}

/// The warning for a missing photo names a file of the same name in other
/// capitals once one arrives, and goes when the file is renamed to the
/// name written, as a fresh build's would.
#[test]
fn a_photo_named_with_other_capitals_is_named_as_it_comes_and_goes() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let story = "content/stories/snowed-in.md";
    let text = read(root.join(story));
    write(&root, story, &format!("{text}\n![The yard](yard.jpg)\n"));
    let mut session = served(&root);
    let public = root.join("public");
    let missing = "content/stories/yard.jpg does not exist; fix the path";
    assert_warned_alike(&root, &session, missing, "no photo");

    let camera = root.join("content/stories/Yard.JPG");
    jpeg(&camera, 300, 10);
    session.rebuild(std::slice::from_ref(&camera)).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "a photo in other capitals arrives");
    let twin = "content/stories/yard.jpg does not exist; content/stories/Yard.JPG has the name with other capitals";
    assert_warned_alike(&root, &session, twin, "a photo in other capitals arrives");

    let renamed = root.join("content/stories/yard.jpg");
    std::fs::rename(&camera, &renamed).unwrap();
    session.rebuild(&[camera.clone(), renamed.clone()]).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "the photo is renamed to the name written");
    assert_warned_alike(
        &root,
        &session,
        "",
        "the photo is renamed to the name written",
    );
    assert!(
        !session.warnings().contains("yard.jpg"),
        "{}",
        session.warnings()
    );
}

/// A link to an entry's file in other capitals names the file while it
/// is there, and says only that nothing is there once it goes, as a
/// fresh build would.
#[test]
fn a_link_in_other_capitals_names_the_entry_while_it_is_there() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let story = "content/stories/snowed-in.md";
    let text = read(root.join(story));
    write(
        &root,
        story,
        &format!("{text}\n[The van](Snowed-In-Van.md)\n"),
    );
    let mut session = served(&root);
    let public = root.join("public");
    let twin = "content/stories/Snowed-In-Van.md does not exist; content/stories/snowed-in-van.md has the name with other capitals: write \"snowed-in-van.md\"";
    assert_warned_alike(&root, &session, twin, "the entry is there");

    let van = root.join("content/stories/snowed-in-van.md");
    std::fs::remove_file(&van).unwrap();
    session.rebuild(std::slice::from_ref(&van)).unwrap();
    session.wait_for_search();
    assert_same(&root, &public, "the entry goes");
    let missing = "content/stories/Snowed-In-Van.md does not exist; fix the path";
    assert_warned_alike(&root, &session, missing, "the entry goes");
}

/// A file with errors has its ids checked against site.yaml's lists as
/// well; when site.yaml declares the missing department while serving,
/// that error goes and the file's own stays, as in a fresh check.
#[test]
fn a_failed_files_ids_are_checked_against_site_yaml_as_it_changes() {
    let site = site_copy("basic");
    let root = site.path().canonicalize().unwrap();
    let mut session = served(&root);
    let before = snapshot(&root.join("public"));
    let story = write(
        &root,
        "content/stories/sales.md",
        "---\ntitle: Sales\ndate: 2026-02-30\nauthor: X\ndepartment: sales\n---\nBody\n",
    );
    let unknown = "content/stories/sales.md:5:13: unknown department \"sales\"";
    let date = "content/stories/sales.md:3:7: `date: 2026-02-30` is not a date";
    let err = session.rebuild(&story).unwrap_err();
    assert!(
        err.message.contains(unknown) && err.message.contains(date),
        "{}",
        err.message
    );

    let declared = replace(
        &root,
        "site.yaml",
        "  - { id: billing, name: Billing }",
        "  - { id: billing, name: Billing }\n  - { id: sales, name: Sales }",
    );
    let err = session.rebuild(&declared).unwrap_err();
    assert!(err.message.contains(date), "{}", err.message);
    assert!(!err.message.contains(unknown), "{}", err.message);
    let check = stderr(&campfire_in(&root, &["check"]));
    assert!(check.contains(date) && !check.contains(unknown), "{check}");
    assert_eq!(snapshot(&root.join("public")), before, "the output is kept");
}
