//! `campfire serve` watching: which file changes reach `Rebuild::rebuild`,
//! and how bursts are batched.

mod serve_support;

use std::fs;
use std::path::PathBuf;

use serve_support::{Call, Site, all_paths, passed};

const PAGE: &str = "<html><body>v1</body></html>";

#[test]
fn the_first_build_is_a_full_build() {
    let site = Site::serve(&[("index.html", PAGE)]);
    assert_eq!(site.calls(), [Call::All]);
    assert_eq!(site.get("/").status, 200);
}

#[test]
fn an_edit_rebuilds_with_the_edited_path() {
    let site = Site::serve(&[("index.html", PAGE), ("stories/snow.html", PAGE)]);
    let before = site.calls().len();
    site.write("stories/snow.html", "<html><body>v2</body></html>");
    let calls = site.calls_until_path(before, &site.content("stories/snow.html"));
    assert!(
        all_paths(&calls)
            .iter()
            .all(|p| p == &site.content("stories/snow.html"))
    );
    serve_support::wait_for("the new version", || {
        site.get("/stories/snow.html")
            .text()
            .contains("v2")
            .then_some(())
    });
}

#[test]
fn a_burst_of_writes_is_one_rebuild() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let before = site.calls().len();
    let written: Vec<PathBuf> = (0..200)
        .map(|i| {
            let rel = format!("stories/s{i:03}.html");
            site.write(&rel, PAGE);
            site.content(&rel)
        })
        .collect();
    let calls = serve_support::wait_for("all 200 files to be rebuilt", || {
        let calls = site.calls()[before..].to_vec();
        let seen = all_paths(&calls);
        written.iter().all(|p| seen.contains(p)).then_some(calls)
    });
    // One batch, or very few on a busy machine; never one per file.
    assert!(
        calls.len() <= 3,
        "{} rebuild calls for one burst",
        calls.len()
    );
    assert!(calls.iter().all(|c| matches!(c, Call::Rebuild(_))));
}

#[test]
fn editor_temporary_files_are_ignored() {
    let site = Site::serve(&[("x.md", "x"), ("index.html", PAGE)]);
    let before = site.calls().len();
    let litter = [
        ".x.md.swp",
        ".x.md.swx",
        "4913",
        "x.md~",
        "#x.md#",
        ".#x.md",
        "x.md___jb_tmp___",
        "x.md___jb_old___",
        ".goutputstream-QX41",
        ".DS_Store",
        "x.md.tmp",
        "photo.png.crdownload",
        ".git/objects/ab",
    ];
    for name in litter {
        site.write(name, "litter");
    }
    fs::remove_file(site.content("4913")).unwrap();
    // Events arrive in order: once the sentinel is rebuilt, the litter has
    // been seen (and must not have caused a rebuild of its own).
    site.write("sentinel.html", PAGE);
    let calls = site.calls_until_path(before, &site.content("sentinel.html"));
    assert!(
        calls
            .iter()
            .all(|c| passed(c, &site.content("sentinel.html"))),
        "{calls:?}"
    );
    let paths = all_paths(&calls);
    for name in litter {
        assert!(
            !paths.contains(&site.content(name)),
            "{name} was passed to rebuild"
        );
    }
}

#[test]
fn an_atomic_save_rebuilds_the_real_file() {
    let site = Site::serve(&[("index.html", PAGE), ("story.html", PAGE)]);
    let before = site.calls().len();
    // Like many editors: write a temporary file, rename it over the original.
    let tmp = site.content(".story.html.tmp1234");
    fs::write(&tmp, "<html><body>v2</body></html>").unwrap();
    fs::rename(&tmp, site.content("story.html")).unwrap();
    let calls = site.calls_until_path(before, &site.content("story.html"));
    assert!(!all_paths(&calls).contains(&tmp));
    // vim's default: rename the original to a backup, write anew, delete the backup.
    let before = site.calls().len();
    let backup = site.content("story.html~");
    fs::rename(site.content("story.html"), &backup).unwrap();
    fs::write(site.content("story.html"), "<html><body>v3</body></html>").unwrap();
    fs::remove_file(&backup).unwrap();
    let calls = site.calls_until_path(before, &site.content("story.html"));
    assert!(!all_paths(&calls).contains(&backup));
}

#[test]
fn renames_and_deletes_pass_every_path_involved() {
    let site = Site::serve(&[
        ("index.html", PAGE),
        ("old.html", PAGE),
        ("gone.html", PAGE),
    ]);
    let before = site.calls().len();
    fs::rename(site.content("old.html"), site.content("new.html")).unwrap();
    let calls = site.calls_until_path(before, &site.content("new.html"));
    assert!(
        all_paths(&calls).contains(&site.content("old.html")),
        "{calls:?}"
    );

    let before = site.calls().len();
    fs::remove_file(site.content("gone.html")).unwrap();
    site.calls_until_path(before, &site.content("gone.html"));
    serve_support::wait_for("the page to go", || {
        (site.get("/gone.html").status == 404).then_some(())
    });
}

#[test]
fn new_folders_are_watched_and_moved_in_folders_count() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let before = site.calls().len();
    site.write("cases/2024/deep/report.html", PAGE);
    site.calls_until_path(before, &site.content("cases/2024/deep/report.html"));
    // A later write deep inside the new folder is seen too.
    let before = site.calls().len();
    site.write(
        "cases/2024/deep/report.html",
        "<html><body>v2</body></html>",
    );
    site.calls_until_path(before, &site.content("cases/2024/deep/report.html"));

    // A folder moved in from elsewhere brings its files.
    let outside = site.root.join("import");
    fs::create_dir_all(outside.join("sub")).unwrap();
    fs::write(outside.join("a.html"), PAGE).unwrap();
    fs::write(outside.join("sub/b.html"), PAGE).unwrap();
    fs::write(outside.join("sub/.b.html.swp"), "x").unwrap();
    let before = site.calls().len();
    fs::rename(&outside, site.content("imported")).unwrap();
    let calls = site.calls_until_path(before, &site.content("imported/sub/b.html"));
    let paths = all_paths(&calls);
    assert!(paths.contains(&site.content("imported/a.html")));
    assert!(!paths.contains(&site.content("imported/sub/.b.html.swp")));
    assert!(
        !paths.contains(&site.content("imported")),
        "directories are expanded"
    );
}

#[test]
fn site_yaml_and_layouts_are_watched() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let config = site.root.join("site.yaml");
    for round in 0..2 {
        // Replaced by rename, twice: the watch must survive the first.
        let before = site.calls().len();
        let tmp = site.root.join(".site.yaml.tmp");
        fs::write(&tmp, format!("title: Test {round}\n")).unwrap();
        fs::rename(&tmp, &config).unwrap();
        site.calls_until_path(before, &config);
    }
    let before = site.calls().len();
    let layout = site.root.join("layouts/partials/head.html");
    fs::create_dir_all(layout.parent().unwrap()).unwrap();
    fs::write(&layout, "<head>").unwrap();
    site.calls_until_path(before, &layout);
}

#[test]
fn changes_in_the_output_and_elsewhere_never_rebuild() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let before = site.calls().len();
    fs::write(site.output.join("stray.html"), PAGE).unwrap();
    fs::write(site.root.join("README.md"), "readme").unwrap();
    fs::create_dir_all(site.root.join(".git")).unwrap();
    fs::write(site.root.join(".git/index"), "x").unwrap();
    site.write("sentinel.html", PAGE);
    let calls = site.calls_until_path(before, &site.content("sentinel.html"));
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(all_paths(&calls), [site.content("sentinel.html")]);
}

#[test]
fn a_content_folder_created_after_start_is_watched() {
    let site = Site::new(&[]);
    fs::remove_dir_all(site.root.join("content")).unwrap();
    let site = site.start();
    let before = site.calls().len();
    site.write("late.html", PAGE);
    site.calls_until_path(before, &site.content("late.html"));
    let before = site.calls().len();
    site.write("later.html", PAGE);
    site.calls_until_path(before, &site.content("later.html"));
}

/// Writes `path` now and then until a rebuild after `before` is passed it
/// (what a link leads to is watched once the build that found the link is
/// done, a moment after the rebuild began).
fn rewrite_until_passed(site: &Site, before: usize, path: &std::path::Path) -> Vec<Call> {
    let mut polls = 0;
    serve_support::wait_for(&format!("a rebuild of {}", path.display()), || {
        if polls % 20 == 0 {
            fs::write(path, format!("<html><body>{polls}</body></html>")).unwrap();
        }
        polls += 1;
        let calls = site.calls()[before..].to_vec();
        calls.iter().any(|c| passed(c, path)).then_some(calls)
    })
}

/// Links made while serving to a folder and to a file elsewhere in the
/// site (outside `content/`): the link is passed as itself, and from then
/// on edits there are passed by their own paths, a save by rename too;
/// once the link is gone, they are not.
#[cfg(unix)]
#[test]
fn what_a_link_made_while_serving_leads_to_is_watched() {
    let site = Site::serve(&[("index.html", PAGE)]);
    let shared = site.root.join("shared");
    fs::create_dir_all(shared.join("deep")).unwrap();
    fs::write(shared.join("deep/handbook.html"), PAGE).unwrap();
    let notes = site.root.join("notes");
    fs::create_dir_all(&notes).unwrap();
    fs::write(notes.join("note.html"), PAGE).unwrap();
    // Watching has begun (what the first build missed is reported, links
    // included, by a walk through them).
    let before = site.calls().len();
    site.write("sentinel.html", PAGE);
    site.calls_until_path(before, &site.content("sentinel.html"));

    let before = site.calls().len();
    let folder_link = site.content("shared");
    std::os::unix::fs::symlink("../shared", &folder_link).unwrap();
    std::os::unix::fs::symlink("../notes/note.html", site.content("note.html")).unwrap();
    let calls = site.calls_until_path(before, &folder_link);
    assert!(
        !all_paths(&calls).contains(&folder_link.join("deep/handbook.html")),
        "a link to a folder is passed as itself: {calls:?}"
    );

    let before = site.calls().len();
    rewrite_until_passed(&site, before, &shared.join("deep/handbook.html"));
    let before = site.calls().len();
    let tmp = notes.join(".note.html.tmp");
    fs::write(&tmp, "<html><body>renamed</body></html>").unwrap();
    fs::rename(&tmp, notes.join("note.html")).unwrap();
    let calls = site.calls_until_path(before, &notes.join("note.html"));
    assert!(!all_paths(&calls).contains(&tmp), "{calls:?}");

    let before = site.calls().len();
    fs::remove_file(&folder_link).unwrap();
    site.calls_until_path(before, &folder_link);
    // The watch is dropped once that rebuild is done.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let before = site.calls().len();
    fs::write(shared.join("deep/handbook.html"), PAGE).unwrap();
    site.write("sentinel.html", PAGE);
    let calls = site.calls_until_path(before, &site.content("sentinel.html"));
    assert_eq!(all_paths(&calls), [site.content("sentinel.html")]);
}
