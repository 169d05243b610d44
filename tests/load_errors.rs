//! Mistakes caught while loading the site (site.yaml, file names, front
//! matter), seen from the command line: each names its file and line, and a
//! failed build leaves the previous `public/` as it was.

mod common;

use std::path::Path;

use common::*;

fn write(root: &Path, rel: &str, text: &str) {
    std::fs::write(root.join(rel), text).unwrap();
}

fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let text = read(root.join(rel));
    assert!(text.contains(from), "{rel} has no {from:?}");
    write(root, rel, &text.replacen(from, to, 1));
}

const STORY: &str = "---\ntitle: A\ndate: 2026-01-01\nauthor: X\ndepartment: it\n---\nBody\n";

#[test]
fn a_missing_root_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-site");
    for command in ["build", "check"] {
        let o = campfire_in(&missing, &[command]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {err}");
        assert!(err.contains("does not exist: check --root"), "{err}");
        assert!(!err.contains("cannot read the site configuration"), "{err}");
    }
}

#[test]
fn base_url_must_be_a_web_address() {
    fails_cleanly(
        |root| {
            edit(
                root,
                "site.yaml",
                "language: en\n",
                "language: en\nbase_url: javascript:alert(1)//\n",
            )
        },
        &[
            "site.yaml:4:11: `base_url: javascript:alert(1)//` is not a web address",
            "like `base_url: https://",
        ],
    );
}

#[test]
fn a_repeated_department_is_located_at_the_repeat() {
    fails_cleanly(
        |root| {
            edit(
                root,
                "site.yaml",
                "  - { id: billing, name: Billing }\n",
                "  - { id: billing, name: Billing }\n  - { id: it, name: IT again }\n",
            )
        },
        &["site.yaml:9:11: department \"it\" is declared twice"],
    );
}

#[test]
fn a_repeated_front_matter_key_is_located_at_the_repeat() {
    fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/twice.md",
                "---\ntitle: A\ndate: 2026-01-01\nauthor: X\ndepartment: it\nauthor: Y\n---\n",
            )
        },
        &["content/stories/twice.md:6:1: `author` is given twice"],
    );
}

/// Nested front matter read without the YAML parser (a term's lenses, a
/// case's metrics as a block list) is checked and located like any other.
#[test]
fn mistakes_in_nested_front_matter_are_located() {
    fails_cleanly(
        |root| {
            write(
                root,
                "content/glossary/lensed.md",
                "---\nterm: \"Lensed\"\naliases: [\"lens, term\", lensy]\nlenses:\n  it: \"For IT: screens.\"\n  logsitics: \"For Logistics: vans.\"\n---\nBody\n",
            );
            write(
                root,
                "content/cases/listed.md",
                "---\ntitle: \"Listed\"\ndate: 2026-01-01\norganization: \"O\"\nmetrics:\n  - name: \"Wait\"\n    before: 3\n    after: 2\n    better: sideways\n---\nBody\n",
            );
        },
        &[
            "content/glossary/lensed.md:6:3: unknown department \"logsitics\"",
            "did you mean \"logistics\"?",
            "content/cases/listed.md:6:5: invalid `metrics`, metric 1: unknown variant `sideways`",
        ],
    );
}

#[test]
fn blank_required_text_and_non_finite_metrics() {
    fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/blank.md",
                "---\ntitle: \"  \"\ndate: 2026-01-01\nauthor: X\ndepartment: it\n---\n",
            );
            write(
                root,
                "content/cases/nan.md",
                "---\ntitle: C\ndate: 2026-01-01\norganization: O\nmetrics:\n  - { name: Wait, before: .inf, after: 2, better: lower }\n---\n",
            );
        },
        &[
            "content/stories/blank.md:2:8: `title` is empty",
            "content/cases/nan.md:6:5:",
            "inf is not a measurement",
            "2 errors",
        ],
    );
}

#[test]
fn leftover_placeholders_fail_the_build_but_author_notes_do_not() {
    let site = site_copy("basic");
    write(
        site.path(),
        "content/stories/notes.md",
        "---\ntitle: A\ndate: 2026-01-01\nauthor: X\ndepartment: it\n---\n<!-- TODO add a photo -->\nBody\n",
    );
    build(site.path());
    fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/half.md",
                "---\ntitle: A\ndate: 2026-01-01\nauthor: \"TODO your name, your role\"\ndepartment: it\n---\nBody\n",
            )
        },
        &["content/stories/half.md:4:10: placeholder left from `campfire new`"],
    );
}

#[test]
fn non_ascii_file_names_become_readable_addresses() {
    let site = site_copy("basic");
    write(site.path(), "content/stories/ação.md", STORY);
    write(site.path(), "content/stories/日本.md", STORY);
    write(
        site.path(),
        "content/stories/link.md",
        &STORY.replace(
            "Body",
            "See [the other](a%C3%A7%C3%A3o.md) and [this](ação.md).",
        ),
    );
    let public = build(site.path());
    assert!(public.join("stories/acao/index.html").is_file());
    let page = read(public.join("stories/link/index.html"));
    // Both spellings of the link (as typed, and percent-encoded) reach the page.
    let para = page
        .split("See <a")
        .nth(1)
        .and_then(|p| p.split("</p>").next());
    let para = para.unwrap_or_else(|| panic!("{page}"));
    assert_eq!(para.matches("stories/acao/").count(), 2, "{para}");
    assert!(public.join("stories/ri-ben/index.html").is_file());
    // Two names that give one address: both are named.
    fails_cleanly(
        |root| {
            write(root, "content/stories/café.md", STORY);
            write(root, "content/stories/cafe.md", STORY);
        },
        &[
            "duplicate story slug \"cafe\"",
            "content/stories/café.md",
            "content/stories/cafe.md",
        ],
    );
}

#[test]
fn a_thousand_bad_aliases_are_one_error() {
    let err = fails_cleanly(
        |root| {
            let aliases: Vec<String> = (0..1000).map(|i| format!("[a{i}]")).collect();
            write(
                root,
                "content/glossary/many.md",
                &format!("---\nterm: Many\naliases: [{}]\n---\n", aliases.join(", ")),
            );
        },
        &["content/glossary/many.md:3:10: every item of `aliases` must be text"],
    );
    let problems = err.lines().filter(|l| l.starts_with("content/")).count();
    assert_eq!(problems, 1, "{err}");
    assert!(err.contains(": 1 error"), "{err}");
}

#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_skipped_with_a_warning() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.md"), STORY).unwrap();
    let site = site_copy("basic");
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        site.path().join("content/stories/secret.md"),
    )
    .unwrap();
    let o = campfire_in(site.path(), &["build"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(
            "content/stories/secret.md: warning: symbolic link to a place outside the site folder"
        ),
        "{err}"
    );
    assert!(!site.path().join("public/stories/secret").exists());
}

/// A case with an error, linked from two stories: the build reports the
/// case's own error at its line, and each link says the case has errors
/// reported there (not that the file does not exist or is a draft). A link
/// to a draft says it is one and how to publish it: a warning in a build,
/// which `check` fails.
#[test]
fn a_link_to_a_left_out_file_says_why_it_has_no_page() {
    let err = fails_cleanly(
        |root| {
            edit(
                root,
                "content/cases/window-pilot.md",
                "better: lower }\n  - { name: Handle time",
                "better: lowest }\n  - { name: Handle time",
            );
            for story in ["billing-fix", "snowed-in"] {
                let rel = format!("content/stories/{story}.md");
                let text = read(root.join(&rel)) + "\nSee [the pilot](../cases/window-pilot.md).\n";
                write(root, &rel, &text);
            }
        },
        &[
            "content/cases/window-pilot.md:9:5: invalid `metrics`, metric 1: unknown variant `lowest`",
        ],
    );
    let broken: Vec<&str> = err.lines().filter(|l| l.contains("broken link")).collect();
    let says = "warning: broken link \"../cases/window-pilot.md\": content/cases/window-pilot.md has errors, reported at its own lines, so it has no page; the link will work once they are fixed";
    assert_eq!(broken.len(), 2, "{err}");
    for (line, story) in broken.iter().zip(["billing-fix", "snowed-in"]) {
        assert!(
            line.starts_with(&format!("content/stories/{story}.md:")),
            "{line}"
        );
        assert!(line.ends_with(says), "{line}");
    }
    assert!(!err.contains("does not exist"), "{err}");

    let site = site_copy("basic");
    let rel = "content/stories/billing-fix.md";
    let text = read(site.path().join(rel)) + "\nSee [the draft](secret-draft.md).\n";
    write(site.path(), rel, &text);
    let o = campfire_in(site.path(), &["build"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: broken link \"secret-draft.md\": content/stories/secret-draft.md is a draft (`draft: true`), so it has no page; publish it with `draft: false` or remove the link"),
        "{err}"
    );
    let o = campfire_in(site.path(), &["check"]);
    assert!(!o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a draft (`draft: true`)"),
        "{}",
        stderr(&o)
    );
}

/// A file with an error of its own (a date that does not exist, a key
/// misspelt) still has its ids checked against site.yaml: the champion
/// sees every error of the file in one run, not the next after each fix.
#[test]
fn every_error_of_a_file_is_reported_at_once() {
    let err = fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/all-at-once.md",
                "---\ntitle: All at once\ndate: 2026-02-30\nauthor: X\ndepartment: Billing\ntouchpoints: [Website, delivery]\nvalues: [empthy]\ntgas: [billing]\n---\nBody\n",
            );
            // A term whose lens names no department, and an alias list
            // that is no list: the lens is still checked.
            write(
                root,
                "content/glossary/lens.md",
                "---\nterm: Lens\nshort: A view\naliases: { a: b }\nlenses:\n  Logistic: How drivers see it\n---\nBody\n",
            );
        },
        &[
            "content/stories/all-at-once.md:3:7: `date: 2026-02-30` is not a date",
            "content/stories/all-at-once.md:5:13: unknown department \"Billing\" (known: logistics, it, billing; did you mean \"billing\"?)",
            "content/stories/all-at-once.md:6:15: unknown touchpoint \"Website\"",
            "content/stories/all-at-once.md:7:10: unknown value \"empthy\"",
            "content/stories/all-at-once.md:8:1: warning: unknown key `tgas` (did you mean `tags`?)",
            "content/glossary/lens.md:4:10: `aliases` must be a list",
            "content/glossary/lens.md:6:3: unknown department \"Logistic\"",
        ],
    );
    // What read is not reported again as unknown: "delivery" is known, and
    // the date, unread, is no id.
    assert!(!err.contains("\"delivery\""), "{err}");
    assert_eq!(err.matches("all-at-once.md:").count(), 5, "{err}");
}
