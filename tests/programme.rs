//! Programme views: people and recognition walls, coverage (page and
//! `campfire report`), and the service blueprint, on a small site whose
//! every number is known.

mod common;

use std::path::Path;

use common::*;

const SITE_YAML: &str = "title: Programme
languages: [pt]
departments:
  - { id: logistics, name: Logistics }
  - { id: it, name: IT }
  - { id: care, name: Customer Care }
journey:
  - stage: Buy
    touchpoints:
      - { id: checkout, customer: Orders online, backstage: [it], systems: [Web shop], visible: Order status }
  - stage: Receive
    touchpoints:
      - id: delivery
        customer: Waits at home
        backstage: [logistics, care]
        systems: [Route planner, Telematics]
        visible: Live tracking of the van
      - installation
values: [empathy, ownership]
people:
  - { id: ana, name: Ana Lima, role: Driver, department: logistics, photo: people/ana.svg }
  - { id: bo, name: Bo Chen, role: Engineer, department: it }
coverage:
  stale_after_days: 30
";

fn story(title: &str, date: &str, author: &str, department: &str, extra: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: {date}\nauthor: {author}\ndepartment: {department}\n{extra}---\nWhat happened.\n"
    )
}

/// The site: stories s1–s4, a case, two terms (one translated).
fn programme_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files: Vec<(&str, String)> = vec![
        ("site.yaml", SITE_YAML.to_string()),
        (
            "content/people/ana.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".into(),
        ),
        (
            "content/stories/s1.md",
            story(
                "Snow day",
                "2026-01-10",
                "ana",
                "logistics",
                "touchpoints: [delivery]\nvalues: [empathy, ownership]\nrecognized: [bo, \"The night shift\"]\n",
            ),
        ),
        (
            "content/stories/s2.md",
            story(
                "Two touchpoints",
                "2026-02-01",
                "ana",
                "logistics",
                "touchpoints: [delivery, checkout]\nvalues: [empathy]\nupdated: 2000-01-01\n",
            ),
        ),
        (
            "content/stories/s3.md",
            story(
                "Checkout fix",
                "2025-11-01",
                "bo",
                "it",
                "touchpoints: [checkout]\nvalues: [ownership]\n",
            ),
        ),
        (
            "content/stories/s4.md",
            story(
                "No touchpoint",
                "2025-10-01",
                "\"Cy Free, Agent\"",
                "care",
                "values: [empathy]\n",
            ),
        ),
        (
            "content/cases/c1.md",
            "---\ntitle: Window pilot\ndate: 2026-03-01\norganization: Hub\ntouchpoints: [delivery]\n---\nBody.\n".into(),
        ),
        (
            "content/glossary/nps.md",
            "---\nterm: NPS\nlenses:\n  logistics: Drivers ask.\n---\nScore.\n".into(),
        ),
        (
            "content/glossary/nps.pt.md",
            "---\nterm: NPS\n---\nPontuação.\n".into(),
        ),
        (
            "content/glossary/churn.md",
            "---\nterm: Churn\n---\nLeaving.\n".into(),
        ),
    ];
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn cards(html: &str) -> usize {
    html.matches("<article class=\"card").count()
}

/// Text between `from` and `to` (both must be there).
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html.find(from).unwrap_or_else(|| panic!("no {from:?}"));
    let rest = &html[start..];
    &rest[..rest
        .find(to)
        .unwrap_or_else(|| panic!("no {to:?} after {from:?}"))]
}

#[test]
fn people_pages_link_authors_and_count_recognition() {
    let site = programme_site();
    let public = build(site.path());
    let index = read(public.join("people/index.html"));
    assert!(
        index.contains("<a class=\"person-name\" href=\"../people/ana/index.html\">Ana Lima</a>")
    );
    assert!(
        index.contains("<a class=\"person-name\" href=\"../people/bo/index.html\">Bo Chen</a>")
    );
    assert!(index.contains("<img class=\"avatar\" src=\"../people/ana.svg\""));
    assert!(
        public.join("people/ana.svg").is_file(),
        "the photo is published"
    );

    let ana = read(public.join("people/ana/index.html"));
    assert!(ana.contains("<h1>Ana Lima</h1>"));
    assert!(
        ana.contains("Driver · <a href=\"../../departments/logistics/index.html\">Logistics</a>")
    );
    let stories = between(&ana, "id=\"stories-h\"", "</section>");
    assert_eq!(cards(stories), 2);
    assert!(stories.contains("<span class=\"count\">2</span>"));
    // The values her stories show, most shown first, each with its count.
    let values = between(&ana, "id=\"values-h\"", "</section>");
    let empathy = values
        .find("Empathy <span class=\"count\">2</span>")
        .expect("empathy 2");
    let ownership = values
        .find("Ownership <span class=\"count\">1</span>")
        .expect("ownership 1");
    assert!(empathy < ownership);
    assert!(
        !ana.contains("id=\"recognized-h\""),
        "nobody recognised Ana"
    );

    // Bo wrote one story and was recognised in another: both count.
    let bo = read(public.join("people/bo/index.html"));
    assert_eq!(cards(between(&bo, "id=\"stories-h\"", "</section>")), 1);
    let recognized = between(&bo, "id=\"recognized-h\"", "</section>");
    assert_eq!(cards(recognized), 1);
    assert!(recognized.contains("Snow day"));
    assert!(bo.contains("Ownership <span class=\"count\">2</span>"));
    assert!(index.contains("1 story · recognised in 1"));

    // Story pages link the author (with the role) and the people recognised.
    let s1 = read(public.join("stories/s1/index.html"));
    assert!(s1.contains("by <a href=\"../../people/ana/index.html\">Ana Lima</a>, Driver"));
    assert!(s1.contains(
        "Recognised:</span> <a href=\"../../people/bo/index.html\">Bo Chen</a>, The night shift"
    ));
    // Free text still works, unlinked.
    let s4 = read(public.join("stories/s4/index.html"));
    assert!(s4.contains("<p class=\"byline\">by Cy Free, Agent ·"));
    // The feed names people in full.
    assert!(read(public.join("feed.xml")).contains("<author><name>Ana Lima</name></author>"));
    // The footer links people and coverage.
    assert!(read(public.join("index.html")).contains("href=\"people/index.html\">People</a>"));
    assert!(read(public.join("index.html")).contains("href=\"coverage/index.html\">Coverage</a>"));
}

#[test]
fn an_author_that_looks_like_an_unknown_id_gets_a_warning() {
    let site = programme_site();
    let root = site.path();
    std::fs::write(
        root.join("content/stories/s3.md"),
        story(
            "Checkout fix",
            "2025-11-01",
            "boo",
            "it",
            "recognized: [anaa]\n",
        ),
    )
    .unwrap();
    let o = campfire_in(root, &["build"]);
    assert!(
        o.status.success(),
        "a warning does not stop a build: {}",
        stderr(&o)
    );
    let err = stderr(&o);
    assert!(
        err.contains("content/stories/s3.md:4:9: warning: \"boo\" looks like a person id, but no one in site.yaml's `people` has it (known: ana, bo; did you mean \"bo\"?)"),
        "{err}"
    );
    assert!(err.contains("\"anaa\" looks like a person id"), "{err}");
    let o = campfire_in(root, &["check"]);
    assert_eq!(o.status.code(), Some(1), "check is strict");
    // A name with a space is free text: no warning.
    std::fs::write(
        root.join("content/stories/s3.md"),
        story("Checkout fix", "2025-11-01", "Boo Radley", "it", ""),
    )
    .unwrap();
    let o = campfire_in(root, &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_value_page_is_a_recognition_wall_newest_first() {
    let site = programme_site();
    let public = build(site.path());
    let wall = read(public.join("values/empathy/index.html"));
    assert!(wall.contains("Recognition wall</span> Empathy</h1>"));
    assert!(wall.contains("3 stories · 2 people · 2 departments"));
    let order: Vec<usize> = ["Two touchpoints", "Snow day", "No touchpoint"]
        .iter()
        .map(|t| {
            wall.find(&format!(">{t}</a></h2>"))
                .unwrap_or_else(|| panic!("{t}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "newest first");
    assert_eq!(wall.matches("<li class=\"wall-item\">").count(), 3);
    // Who and which department, linked when they are known.
    assert!(wall.contains(
        "<span class=\"wall-name\"><a href=\"../../people/ana/index.html\">Ana Lima</a></span>"
    ));
    assert!(wall.contains("<span class=\"wall-name\">Cy Free, Agent</span>"));
    assert!(wall.contains("<a href=\"../../departments/care/index.html\">Customer Care</a>"));
    assert!(wall.contains("<span class=\"avatar\" aria-hidden=\"true\">CF</span>"));
    // The values index still lists every value, with the wall's count.
    let index = read(public.join("values/index.html"));
    assert!(
        index.contains("values/empathy/index.html\">Empathy</a> <span class=\"count\">3</span>")
    );
}

/// Every number in the matrix links to a page listing exactly that many
/// entries, and a department's total is what the story list shows for it.
#[test]
fn coverage_counts_match_the_lists() {
    let site = programme_site();
    let public = build(site.path());
    let page = read(public.join("coverage/index.html"));
    let matrix = between(&page, "id=\"matrix-h\"", "id=\"lenses-h\"");
    let mut seen = Vec::new();
    let mut rest = matrix;
    while let Some(i) = rest.find("<a href=\"../coverage/") {
        rest = &rest[i + "<a href=\"../".len()..];
        let href = &rest[..rest.find('"').unwrap()];
        let count: usize = rest[rest.find("\">").unwrap() + 2..]
            .split('<')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let listed = cards(&read(public.join(href)));
        assert_eq!(count, listed, "{href}");
        seen.push((href.to_string(), count));
    }
    let expect = [
        ("coverage/departments/logistics/buy/index.html", 1),
        ("coverage/departments/logistics/receive/index.html", 2),
        ("coverage/departments/it/buy/index.html", 1),
        ("coverage/departments/care/none/index.html", 1),
        ("coverage/cases/receive/index.html", 1),
    ];
    assert_eq!(
        seen,
        expect
            .iter()
            .map(|(h, n)| (h.to_string(), *n))
            .collect::<Vec<_>>()
    );
    // Empty cells of real stages are highlighted, and say so to screen readers.
    assert_eq!(matrix.matches("<td class=\"gap\">").count(), 3);
    assert!(matrix.contains("<span class=\"visually-hidden\">no story yet</span>"));
    assert!(matrix.contains("<strong>3 empty cells</strong>"));
    // Row totals are the department's stories in the story list.
    let list = read(public.join("stories/index.html"));
    for (department, total) in [("logistics", 2), ("it", 1), ("care", 1)] {
        assert_eq!(
            list.matches(&format!("data-department=\"{department}\""))
                .count(),
            total
        );
        let row = between(
            matrix,
            &format!("departments/{department}/index.html"),
            "</tr>",
        );
        assert!(
            row.ends_with(&format!("<td class=\"total\">{total}</td>")),
            "{row}"
        );
    }
    // Glossary gaps: lenses per department, translations per language.
    let lenses = between(&page, "id=\"lenses-h\"", "</section>");
    assert!(lenses.contains("Logistics: 1 / 2 · <strong>1 missing</strong>"));
    assert!(lenses.contains("IT: 0 / 2 · <strong>2 missing</strong>"));
    let translations = between(&page, "id=\"translations-h\"", "</section>");
    assert!(translations.contains("Português: 1 / 2 · <strong>1 missing</strong>"));
    assert!(translations.contains("glossary/churn/index.html\">Churn</a>"));
    // Champions: stories per quarter, summing to the department's total.
    let champions = between(&page, "id=\"champions-h\"", "</section>");
    let row = between(champions, "departments/logistics/index.html", "</tr>");
    assert!(row.ends_with("<td class=\"total\">2</td>"), "{row}");
}

#[test]
fn freshness_uses_updated_then_git_then_nothing() {
    let site = programme_site();
    let root = site.path();
    let report = |root: &Path| -> serde_json::Value {
        let o = campfire_in(root, &["report", "--format", "json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let r = report(root);
    let fresh = &r["freshness"];
    assert_eq!(fresh["stale_after_days"], 30);
    let stale = fresh["stale"].as_array().unwrap();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0]["slug"], "s2");
    assert_eq!(stale[0]["updated"], "2000-01-01");
    assert_eq!(stale[0]["updated_from"], "front_matter");
    // Not a git repository: everything else has no date.
    assert_eq!(fresh["dated"], 1);
    assert_eq!(fresh["undated"].as_array().unwrap().len(), 7);
    let page = read(build(root).join("coverage/index.html"));
    let freshness = between(&page, "id=\"freshness-h\"", "</section>");
    assert!(freshness.contains("<strong>1 stale</strong> · 7 with no date"));
    assert!(freshness.contains(
        "stories/s2/index.html\">Two touchpoints</a> <span class=\"muted\">— 1 January 2000,"
    ));

    // In a git repository, a file's last commit dates it.
    let git = |args: &[&str]| {
        let o = std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .env("GIT_AUTHOR_DATE", "2001-05-06T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2001-05-06T12:00:00Z")
            .env("GIT_AUTHOR_NAME", "T")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "T")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .expect("git");
        assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    };
    git(&["init", "-q"]);
    git(&["add", "content/stories", "content/cases"]);
    git(&["commit", "-q", "-m", "old stories"]);
    let r = report(root);
    let fresh = &r["freshness"];
    let stale = fresh["stale"].as_array().unwrap();
    // s2's own date wins over git; the other stories and the case are git-dated.
    assert_eq!(stale.len(), 5, "{stale:?}");
    assert_eq!(stale[0]["slug"], "s2");
    assert!(
        stale[1..]
            .iter()
            .all(|s| s["updated"] == "2001-05-06" && s["updated_from"] == "git")
    );
    // The terms were never committed.
    assert_eq!(fresh["undated"].as_array().unwrap().len(), 3);
}

/// `campfire report --format json`: its shape, and the same numbers as
/// the page.
#[test]
fn report_json_has_a_stable_schema_and_agrees_with_the_page() {
    let site = programme_site();
    let root = site.path();
    let o = campfire_in(root, &["report", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for key in ["today", "matrix", "glossary", "freshness", "champions"] {
        assert!(r.get(key).is_some(), "{key}");
    }
    let stages: Vec<&str> = r["matrix"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["buy", "receive", "none"]);
    let departments = r["matrix"]["departments"].as_array().unwrap();
    assert_eq!(departments.len(), 3);
    for d in departments {
        assert!(d["department"].is_string() && d["name"].is_string() && d["total"].is_u64());
        for cell in d["cells"].as_array().unwrap() {
            let entries = cell["entries"].as_array().unwrap();
            assert_eq!(cell["count"].as_u64().unwrap() as usize, entries.len());
            for e in entries {
                for key in ["kind", "slug", "lang", "title", "url", "source"] {
                    assert!(e[key].is_string(), "{key} in {e}");
                }
            }
        }
    }
    let logistics_receive = &departments[0]["cells"][1];
    assert_eq!(logistics_receive["stage"], "receive");
    let slugs: Vec<&str> = logistics_receive["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["s2", "s1"], "newest first, as on the cell page");
    assert_eq!(r["matrix"]["cases"]["department"], serde_json::Value::Null);
    assert_eq!(r["matrix"]["cases"]["total"], 1);
    let empty = r["matrix"]["empty_cells"].as_array().unwrap();
    assert_eq!(empty.len(), 3);
    // Ids where the rest of the report has ids, names beside them.
    let first = &empty[0];
    let department = first["department"].as_str().unwrap();
    assert!(
        departments.iter().any(|d| d["department"] == department),
        "{first}"
    );
    let stage = first["stage"].as_str().unwrap();
    assert!(
        r["matrix"]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["slug"] == stage),
        "{first}"
    );
    assert!(first["name"].is_string() && first["stage_name"].is_string());
    assert_eq!(r["glossary"]["terms"], 2);
    let lenses = r["glossary"]["lenses_missing"].as_array().unwrap();
    assert_eq!(lenses[0]["department"], "logistics");
    assert_eq!(lenses[0]["count"], 1);
    assert_eq!(lenses[0]["terms"][0]["slug"], "churn");
    let tr = &r["glossary"]["translations_missing"][0];
    assert_eq!(
        (tr["language"].as_str(), tr["translated"].as_u64()),
        (Some("pt"), Some(1))
    );
    let champions = &r["champions"];
    assert_eq!(champions["quarters"].as_array().unwrap().len(), 8);
    for d in champions["departments"].as_array().unwrap() {
        let sum: u64 = d["per_quarter"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>()
            + d["earlier"].as_u64().unwrap();
        assert_eq!(sum, d["total"].as_u64().unwrap());
    }
    // The text report carries the same matrix.
    let o = campfire_in(root, &["report"]);
    let text = stdout(&o);
    assert!(text.contains("3 empty cells (-): no story yet."), "{text}");
    // Said of the whole glossary, not of the terms missing a lens.
    assert!(
        text.contains("Glossary lenses missing, per department (of 2 terms):"),
        "{text}"
    );
    assert!(
        text.contains("pt: 1 of 2 translated; missing: churn"),
        "{text}"
    );
}

#[test]
fn report_fails_like_check_on_broken_content() {
    let site = programme_site();
    let root = site.path();
    std::fs::write(
        root.join("content/stories/s3.md"),
        story("X", "2025-11-01", "bo", "itt", ""),
    )
    .unwrap();
    let o = campfire_in(root, &["report"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("content/stories/s3.md:5:13: unknown department \"itt\""));
    assert!(stdout(&o).is_empty());
}

#[test]
fn blueprint_cells_link_the_entries_that_touch_them() {
    let site = programme_site();
    let public = build(site.path());
    let bp = read(public.join("journey/blueprint/index.html"));
    assert!(bp.contains("<caption id=\"blueprint-caption\">"));
    assert!(bp.contains("<th scope=\"col\" id=\"stage-1\"><span class=\"stage-number\" aria-hidden=\"true\">1</span> Buy</th>"));
    for row in [
        "Customer actions",
        "Frontstage touchpoints",
        "Line of visibility",
        "Backstage departments",
        "Support systems",
    ] {
        assert!(bp.contains(&format!("<th scope=\"row\">{row}")), "{row}");
    }
    // Frontstage: each touchpoint links to its page, with what touches it.
    assert!(bp.contains("<a href=\"../../touchpoints/delivery/index.html\">Delivery</a> <span class=\"bp-count\">2 stories, 1 case study</span>"));
    let tp = read(public.join("touchpoints/delivery/index.html"));
    assert_eq!(
        cards(&tp),
        3,
        "the touchpoint page lists those 2 stories and 1 case"
    );
    // Backstage: a department links to its stories at that stage.
    let backstage = between(&bp, "<tr class=\"bp-backstage\">", "</tr>");
    assert!(backstage.contains("<a class=\"chip\" href=\"../../coverage/departments/logistics/receive/index.html\">Logistics <span class=\"count\""));
    assert!(backstage.contains(">2</span></a>"));
    assert!(backstage.contains(
        "<span class=\"chip chip-empty\">Customer Care <span class=\"count\">0</span></span>"
    ));
    let cell = read(public.join("coverage/departments/logistics/receive/index.html"));
    assert!(cell.contains(">Snow day</a>") && cell.contains(">Two touchpoints</a>"));
    // Customer, visible and systems rows carry site.yaml's words, each
    // under its touchpoint, which links to what touches it.
    assert!(
        between(&bp, "<tr class=\"bp-customer\">", "</tr>").contains(
            "<a class=\"bp-tp\" href=\"../../touchpoints/delivery/index.html\">Delivery</a> Waits at home"
        )
    );
    assert!(
        between(&bp, "<tr class=\"bp-visibility\">", "</tr>").contains("Live tracking of the van")
    );
    assert!(
        between(&bp, "<tr class=\"bp-systems\">", "</tr>").contains("Route planner, Telematics")
    );
    // The journey page links it; department pages say where they sit.
    assert!(
        read(public.join("journey/index.html"))
            .contains("href=\"blueprint/index.html\">Service blueprint")
    );
    let it = read(public.join("departments/it/index.html"));
    assert!(it.contains(
        "you are backstage for <a href=\"../../journey/blueprint/index.html#stage-1\">Checkout</a>."
    ));
    let care = read(public.join("departments/care/index.html"));
    assert!(care.contains(
        "backstage for <a href=\"../../journey/blueprint/index.html#stage-2\">Delivery</a>."
    ));
}

#[test]
fn blueprint_and_people_errors_name_the_line_in_site_yaml() {
    let site = programme_site();
    let root = site.path();
    let yaml = SITE_YAML
        .replace(
            "backstage: [logistics, care]",
            "backstage: [logistcs, care]",
        )
        .replace("department: it }", "department: ti }")
        .replace("photo: people/ana.svg", "photo: people/nobody.png");
    std::fs::write(root.join("site.yaml"), &yaml).unwrap();
    let o = campfire_in(root, &["build"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("site.yaml:15:21: unknown department \"logistcs\" in the backstage of touchpoint \"delivery\" (known: logistics, it, care; did you mean \"logistics\"?)"),
        "{err}"
    );
    assert!(
        err.contains("site.yaml:22:58: unknown department \"ti\" for person \"bo\""),
        "{err}"
    );
    // A photo is looked for once the rest is right.
    std::fs::write(
        root.join("site.yaml"),
        SITE_YAML.replace("photo: people/ana.svg", "photo: people/nobody.png"),
    )
    .unwrap();
    let err = stderr(&campfire_in(root, &["build"]));
    assert!(
        err.contains("site.yaml:21:76: photo of \"ana\" not found: put the image at content/people/nobody.png"),
        "{err}"
    );
    // A touchpoint's blueprint keys are checked like any other.
    std::fs::write(
        root.join("site.yaml"),
        SITE_YAML.replace(
            "        systems: [Route planner",
            "        sytems: [Route planner",
        ),
    )
    .unwrap();
    let err = stderr(&campfire_in(root, &["build"]));
    assert!(err.contains("site.yaml:16:"), "{err}");
    assert!(err.contains("unknown field `sytems`"), "{err}");
}

/// A big wall comes in pages of 48, newest first across them, and every
/// story is on exactly one page; so do coverage cells, by 60.
#[test]
fn long_walls_and_coverage_cells_are_split_into_pages() {
    let site = programme_site();
    let root = site.path();
    for i in 0..62 {
        std::fs::write(
            root.join(format!("content/stories/extra-{i:02}.md")),
            story(
                &format!("Extra {i:02}"),
                &format!("2024-{:02}-{:02}", 1 + i / 28, 1 + i % 28),
                "ana",
                "logistics",
                "values: [empathy]\n",
            ),
        )
        .unwrap();
    }
    std::fs::write(
        root.join("site.yaml"),
        SITE_YAML.replace("title: Programme", "title: Programme\npage_size: 30"),
    )
    .unwrap();
    let public = build(root);
    let wall = |n: usize| {
        read(public.join(match n {
            1 => "values/empathy/index.html".to_string(),
            n => format!("values/empathy/page/{n}/index.html"),
        }))
    };
    let pages: Vec<String> = (1..=3).map(wall).collect();
    assert!(!public.join("values/empathy/page/4").exists());
    let counts: Vec<usize> = pages
        .iter()
        .map(|p| p.matches("<li class=\"wall-item\">").count())
        .collect();
    assert_eq!(counts, [30, 30, 5]);
    assert!(
        pages[0].contains("65 stories"),
        "the count is the whole wall's"
    );
    assert!(pages[0].contains("<p class=\"pager-range\">1–30 of 65</p>"));
    assert!(pages[0].contains("<a rel=\"next\" href=\"../../values/empathy/page/2/index.html\">"));
    assert!(
        pages[2].contains("<a rel=\"prev\" href=\"../../../../values/empathy/page/2/index.html\">")
    );
    assert!(pages[1].contains("<title>Empathy · Page 2 ·"));
    // The newest stories open the wall; the oldest close its last page.
    assert!(pages[0].contains(">Two touchpoints</a>"));
    assert!(pages[2].contains(">Extra 00</a>") && !pages[1].contains(">Extra 00</a>"));
    // The coverage cell of those 62 stories (no touchpoint): 30 + 30 + 2.
    let coverage = read(public.join("coverage/index.html"));
    assert!(coverage.contains("href=\"../coverage/departments/logistics/none/index.html\">62<"));
    let cell = |rel: &str| {
        cards(&read(public.join(format!(
            "coverage/departments/logistics/none/{rel}index.html"
        ))))
    };
    assert_eq!((cell(""), cell("page/2/"), cell("page/3/")), (30, 30, 2));
    assert!(
        read(public.join("coverage/departments/logistics/none/index.html"))
            .contains("<p class=\"muted\">62 stories</p>")
    );
}

/// On a big site the coverage page lists the first hundred of a gap and
/// says how many more there are; the counts stay whole.
#[test]
fn coverage_lists_are_capped_but_counts_are_whole() {
    let site = programme_site();
    let root = site.path();
    for i in 0..103 {
        std::fs::write(
            root.join(format!("content/glossary/t{i:03}.md")),
            format!("---\nterm: Term {i:03}\n---\nText.\n"),
        )
        .unwrap();
    }
    let public = build(root);
    let page = read(public.join("coverage/index.html"));
    let lenses = between(&page, "id=\"lenses-h\"", "</section>");
    let it = between(lenses, "<summary>IT:", "</details>");
    assert!(
        it.starts_with("<summary>IT: 0 / 105 · <strong>105 missing</strong>"),
        "{it}"
    );
    assert_eq!(it.matches("<li><a href=").count(), 100);
    assert!(it.contains("… 5 more (campfire report lists them all)"));
    let o = campfire_in(root, &["report", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        r["glossary"]["lenses_missing"][1]["terms"]
            .as_array()
            .unwrap()
            .len(),
        105
    );
}

/// `SOURCE_DATE_EPOCH` fixes the day coverage counts up to, as reproducible
/// builds expect: the page's date, the freshness ages and the report agree
/// on it; a value that is not a number is said, and today is used.
#[test]
fn source_date_epoch_fixes_coverage_day() {
    let site = programme_site();
    let root = site.path();
    let run = |epoch: &str, args: &[&str]| {
        let o = campfire_in_env(root, args, &[("SOURCE_DATE_EPOCH", epoch)]);
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };
    // 2001-09-09 01:46:40 UTC.
    run("1000000000", &["build"]);
    let page = read(root.join("public/coverage/index.html"));
    assert!(page.contains("As of 9 September 2001"), "{page}");
    let report: serde_json::Value =
        serde_json::from_str(&stdout(&run("1000000000", &["report", "--format", "json"]))).unwrap();
    assert_eq!(report["today"], "2001-09-09");
    // s2 was updated on 2000-01-01: 617 days before that day.
    let stale = report["freshness"]["stale"].as_array().unwrap();
    assert_eq!(stale[0]["slug"], "s2");
    assert_eq!(stale[0]["days"], 617);

    let o = run("next tuesday", &["build"]);
    assert!(
        stderr(&o).contains("SOURCE_DATE_EPOCH=\"next tuesday\" is not a number of seconds"),
        "{}",
        stderr(&o)
    );
    let page = read(root.join("public/coverage/index.html"));
    assert!(page.contains("As of "), "{page}");
    assert!(!page.contains("September 2001"), "{page}");
}

/// The blueprint is made from the journey: a site without one has no
/// blueprint page, and its journey page does not link to one.
#[test]
fn a_site_without_a_journey_links_to_no_blueprint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.yaml"), "title: No journey yet\n").unwrap();
    let public = build(dir.path());
    assert!(!read(public.join("journey/index.html")).contains("blueprint/index.html"));
    assert!(!public.join("journey/blueprint").exists());
    // Nor does its report claim every department covered.
    let o = campfire_in(dir.path(), &["report"]);
    let text = stdout(&o);
    assert!(
        text.contains("No departments in site.yaml: nothing to cover."),
        "{text}"
    );
    assert!(!text.contains("Every department"), "{text}");
    // With one, both are there.
    let site = site_copy("basic");
    let public = build(site.path());
    assert!(read(public.join("journey/index.html")).contains("href=\"blueprint/index.html\""));
    assert!(public.join("journey/blueprint/index.html").is_file());
}
