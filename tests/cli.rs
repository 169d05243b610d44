//! `campfire init`, `new` and `check` from a champion's point of view.

mod common;

use common::*;

#[test]
fn init_creates_a_site_that_builds_and_refuses_non_empty_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("new-site");
    let o = campfire(&["init", site.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = campfire_in(&site, &["check"]);
    assert!(
        o.status.success(),
        "a fresh site passes check:\n{}{}",
        stdout(&o),
        stderr(&o)
    );
    let public = build(&site);
    assert!(read(public.join("index.html")).contains("Customer Stories"));
    assert!(public.join("pt/glossary/nps/index.html").exists());

    let o = campfire(&["init", site.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is not empty"), "{}", stderr(&o));
}

#[test]
fn new_writes_a_skeleton_that_check_flags_until_filled_in() {
    let site = site_copy("basic");
    let o = campfire_in(site.path(), &["new", "story", "The Night Shift: a Story!"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = stdout(&o).trim().to_string();
    assert!(
        path.ends_with("content/stories/the-night-shift-a-story.md"),
        "{path}"
    );
    let text = read(&path);
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    assert!(text.contains(&format!("date: {today}")), "{text}");
    assert!(
        text.contains("title: \"The Night Shift: a Story!\""),
        "{text}"
    );

    // Placeholders are the only problems check reports.
    let o = campfire_in(site.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let problems: Vec<&str> = err.lines().filter(|l| l.starts_with("content/")).collect();
    assert!(!problems.is_empty());
    assert!(
        problems
            .iter()
            .all(|l| l.contains("placeholder left from `campfire new`")),
        "{err}"
    );

    // Filled in, it passes.
    let filled = text
        .replace("TODO: tell the story in your own words.", "We did it.")
        .replace("TODO ", "");
    std::fs::write(&path, filled).unwrap();
    let o = campfire_in(site.path(), &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Never overwrites.
    let o = campfire_in(site.path(), &["new", "story", "The Night Shift: a Story!"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
}

#[test]
fn new_works_for_every_kind() {
    let site = site_copy("basic");
    let mut paths = Vec::new();
    for kind in ["term", "case", "path", "page"] {
        let o = campfire_in(site.path(), &["new", kind, &format!("A new {kind}")]);
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
        let path = std::path::PathBuf::from(stdout(&o).trim());
        assert!(path.exists());
        paths.push(path);
    }
    // Placeholders would be published: build refuses them...
    let o = campfire_in(site.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("placeholder left from `campfire new`"),
        "{}",
        stderr(&o)
    );
    // ...unless the entries are drafts, still being written.
    for path in paths {
        let text = read(&path).replacen("---\n", "---\ndraft: true\n", 1);
        std::fs::write(&path, text).unwrap();
    }
    build(site.path());
}

#[test]
fn check_reports_missing_translations() {
    let site = site_copy("basic");
    let o = campfire_in(site.path(), &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("pt: 1 of 3 terms translated; missing: satisfacao, touchpoint"),
        "{out}"
    );
    assert!(out.contains("check passed"));
}

#[test]
fn check_writes_nothing() {
    let site = site_copy("basic");
    let o = campfire_in(site.path(), &["check"]);
    assert!(o.status.success());
    assert!(!site.path().join("public").exists());
}

/// One rule for drafts in `build` and `check`: a draft left out of the
/// build may be unfinished, so its problems stop neither; `--drafts`
/// builds and checks it like any entry.
#[test]
fn an_unfinished_draft_stops_neither_build_nor_check() {
    let site = site_copy("basic");
    let o = campfire_in(site.path(), &["new", "story", "Half written"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = stdout(&o).trim().to_string();
    // Unfinished: placeholders, and a department not chosen yet.
    let text = read(&path).replacen("---\n", "---\ndraft: true\n", 1);
    let text = text.replacen("department: ", "department: undecided #", 1);
    std::fs::write(&path, text).unwrap();
    // Barely begun: no author, no department, a date still to fix and a
    // key misspelt. Each alone made the entry unreadable, and that failed
    // both commands, draft or not.
    let barely = site.path().join("content/stories/barely-begun.md");
    std::fs::write(
        &barely,
        "---\ntitle: Barely begun\ndraft: true\ndate: 2026-13-45\ntuchpoints: [website]\n---\nSome notes.\n",
    )
    .unwrap();
    // A translation begun before its language is listed in site.yaml.
    std::fs::write(
        site.path().join("content/glossary/touchpoint.fr.md"),
        "---\nterm: Point de contact\ndraft: true\n---\nÀ traduire.\n",
    )
    .unwrap();
    let o = campfire_in(site.path(), &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = campfire_in(site.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!site.path().join("public/stories/barely-begun").exists());
    // Asked to include drafts, both see what is wrong with them.
    for command in ["check", "build"] {
        let o = campfire_in(site.path(), &[command, "--drafts"]);
        assert_eq!(o.status.code(), Some(1), "{command}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("half-written.md"), "{err}");
        assert!(
            err.contains("content/glossary/touchpoint.fr.md: unknown language suffix \".fr\""),
            "{err}"
        );
        for problem in ["author", "department", "2026-13-45", "tuchpoints"] {
            assert!(
                err.lines()
                    .any(|l| l.starts_with("content/stories/barely-begun.md:")
                        && l.contains(problem)),
                "{command}: {problem}: {err}"
            );
        }
    }
}

#[test]
fn search_before_a_build_says_once_to_build_first() {
    let site = site_copy("basic");
    let o = campfire_in(site.path(), &["search", "refund"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("no search index here"), "{err}");
    assert_eq!(
        err.matches("run `campfire build` first").count(),
        1,
        "{err}"
    );
    // --limit 0 is a usage error (it said "No results" for any query).
    let o = campfire_in(site.path(), &["search", "refund", "--limit", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--limit"), "{}", stderr(&o));
}

/// `init` on a file names the problem (it said "File exists"); `new page`
/// refuses an address Campfire uses itself, which the build would refuse,
/// and writes nothing.
#[test]
fn init_on_a_file_and_new_on_a_reserved_address_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes");
    std::fs::write(&file, "mine").unwrap();
    let o = campfire(&["init", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is a file (or a link to nothing), not a folder"),
        "{}",
        stderr(&o)
    );
    assert_eq!(read(&file), "mine");

    let site = site_copy("basic");
    for (title, slug) in [("Room", "room"), ("Search", "search"), ("PT", "pt")] {
        let o = campfire_in(site.path(), &["new", "page", title]);
        assert_eq!(o.status.code(), Some(2), "{title}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "a page named \"{slug}\" would take the address /{slug}/, which Campfire uses itself"
            )),
            "{}",
            stderr(&o)
        );
        assert!(
            !site
                .path()
                .join(format!("content/pages/{slug}.md"))
                .exists()
        );
    }
    let o = campfire_in(site.path(), &["new", "page", "Rooms"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A kind's folder that links out of the site: the build would skip
    // what `new` wrote there.
    let outside = tempfile::tempdir().unwrap();
    let cases = site.path().join("content/cases");
    std::fs::remove_dir_all(&cases).unwrap();
    std::os::unix::fs::symlink(outside.path(), &cases).unwrap();
    let o = campfire_in(site.path(), &["new", "case", "Elsewhere"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "is a symbolic link to a place outside the site folder, which the build skips"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
}
