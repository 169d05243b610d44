//! Nothing Campfire did not make is ever moved, replaced or deleted, and
//! the output never lands inside the sources.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn hidden_entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn an_existing_file_as_output_is_refused_and_left_alone() {
    let site = site_copy("basic");
    let notes = site.path().join("notes.txt");
    std::fs::write(&notes, "my notes").unwrap();
    let o = campfire_in(site.path(), &["build", "--output", notes.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("is a file, not a folder"), "{err}");
    // The path is named once, not twice.
    assert_eq!(err.matches("notes.txt").count(), 1, "{err}");
    assert_eq!(read(&notes), "my notes");
    assert!(
        hidden_entries(site.path()).is_empty(),
        "no renamed copy or staging left: {:?}",
        hidden_entries(site.path())
    );
}

#[test]
fn output_inside_the_sources_is_a_usage_error() {
    let site = site_copy("basic");
    let before = snapshot(site.path());
    for out in ["content/public", "layouts/out", ".", "content/stories/../x"] {
        let target = site.path().join(out);
        let o = campfire_in(
            site.path(),
            &["build", "--output", target.to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(2), "{out}: {}", stderr(&o));
        assert!(stderr(&o).contains("output folder"), "{}", stderr(&o));
    }
    assert_eq!(snapshot(site.path()), before, "nothing was written");
}

/// Ctrl-C in the middle of a build, or of `serve`'s first build, removes
/// its staging directory.
#[cfg(unix)]
#[test]
fn interrupting_a_build_leaves_no_staging_behind() {
    let site = site_copy("basic");
    // Enough stories that the build is still running when interrupted.
    let stories = site.path().join("content/stories");
    let template = std::fs::read_to_string(stories.join("snowed-in.md")).unwrap();
    for i in 0..3000 {
        std::fs::write(stories.join(format!("copy-{i}.md")), &template).unwrap();
    }
    for command in [&["build"][..], &["serve", "--port", "0"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_campfire"))
            .args(command)
            .args(["--root", site.path().to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let staging = site.path().join(format!(".public-staging-{}", child.id()));
        let deadline = Instant::now() + Duration::from_secs(60);
        while !staging.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(staging.exists(), "{command:?} started staging");
        // SIGINT, as Ctrl-C sends.
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        // The build may have won the race; either way nothing is left.
        assert!(
            exit.success() || exit.code() == Some(130),
            "{command:?}: {exit:?}"
        );
        assert!(!staging.exists(), "{command:?}: staging removed on Ctrl-C");
    }
}

/// A staging directory left by a build that was killed outright (no chance
/// to clean up) is removed by the next build.
#[test]
fn the_next_build_removes_a_killed_builds_staging() {
    let site = site_copy("basic");
    build(site.path());
    let stale = site.path().join(".public-staging-999999999");
    std::fs::create_dir_all(stale.join("stories")).unwrap();
    std::fs::write(stale.join(".campfire"), "Written by Campfire").unwrap();
    build(site.path());
    assert!(!stale.exists());
}

/// A write that fails halfway through a build (here a file size limit, as
/// a full disk or a quota would) fails the build with the file named, and
/// leaves the previous output exactly as it was, with no staging behind.
#[cfg(unix)]
#[test]
fn a_write_that_fails_midway_leaves_the_previous_output_untouched() {
    let site = site_copy("basic");
    let public = build(site.path());
    let before = snapshot(&public);
    // One page far larger than the limit below; every other file fits.
    let body = "A long paragraph about the customer's evening calls. ".repeat(8000);
    std::fs::write(
        site.path().join("content/stories/very-long.md"),
        format!(
            "---\ntitle: A very long story\ndate: 2024-03-01\ndepartment: logistics\nauthor: ana-lima\n---\n{body}\n"
        ),
    )
    .unwrap();
    // `ulimit -f` counts 1 KiB blocks in bash; SIGXFSZ is ignored so the
    // write fails with an error instead of killing the process.
    let o = Command::new("bash")
        .args([
            "-c",
            "trap '' XFSZ; ulimit -f 256; exec \"$0\" build --root \"$1\"",
            env!("CARGO_BIN_EXE_campfire"),
            site.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("very-long"), "the file is named: {err}");
    assert!(
        err.to_lowercase().contains("too large"),
        "the cause is given: {err}"
    );
    assert_eq!(snapshot(&public), before, "public/ is untouched");
    assert!(
        hidden_entries(site.path()).is_empty(),
        "no staging left: {:?}",
        hidden_entries(site.path())
    );
}
