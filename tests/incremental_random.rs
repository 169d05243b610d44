//! The oracle, randomized: a few hundred seeded random edits to the demo
//! site (bodies, titles, front matter, renames, deletes, new terms and
//! stories, term tooltips, site.yaml, layouts, drafts, translations, case
//! metrics, path steps, images, pages), each applied to a warm `serve`
//! pipeline and compared, file by file and warning by warning, with a
//! fresh build. An edit that breaks the site must fail both ways; it is
//! then undone, and the warm pipeline must recover to exactly the fresh
//! build again.
//!
//! `CAMPFIRE_RANDOM_EDITS=2000 CAMPFIRE_SEED=7 cargo test --test
//! incremental_random` runs a longer or different sequence.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::Mutex;

use campfire::build::BuildOptions;
use campfire::diagnostics::Diagnostics;
use campfire::pipeline::{Changes, Pipeline};
use campfire::render::{Contents, OutputFile, Sink};
use campfire::serve::{LiveSite, Rebuild};
use common::*;

/// The demo site (the repository root), copied: its content, layouts and
/// site.yaml.
fn demo_site() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("content"), &dir.path().join("content"));
    copy_dir(&repo.join("layouts"), &dir.path().join("layouts"));
    std::fs::copy(repo.join("site.yaml"), dir.path().join("site.yaml")).unwrap();
    dir
}

fn files_under(root: &Path, dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(root.join(dir))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().to_string_lossy().ends_with(ext))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// What an edit touched, and how to put it back.
struct Undo {
    /// Path → its bytes before the edit (`None`: it did not exist).
    before: BTreeMap<PathBuf, Option<Vec<u8>>>,
}

impl Undo {
    fn new() -> Undo {
        Undo {
            before: BTreeMap::new(),
        }
    }

    fn remember(&mut self, path: &Path) {
        self.before
            .entry(path.to_path_buf())
            .or_insert_with(|| std::fs::read(path).ok());
    }

    fn write(&mut self, path: &Path, text: &str) {
        self.remember(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn remove(&mut self, path: &Path) {
        self.remember(path);
        std::fs::remove_file(path).unwrap();
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.before.keys().cloned().collect()
    }

    fn revert(self) -> Vec<PathBuf> {
        for (path, bytes) in &self.before {
            match bytes {
                Some(b) => std::fs::write(path, b).unwrap(),
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
        self.before.into_keys().collect()
    }
}

fn read_text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// Replaces the value of a front matter key (first occurrence).
fn set_key(text: &str, key: &str, value: &str) -> Option<String> {
    let prefix = format!("\n{key}:");
    let start = if text.starts_with(&prefix[1..]) {
        0
    } else {
        text.find(&prefix)? + 1
    };
    let end = start + text[start..].find('\n')?;
    Some(format!("{}{key}: {value}{}", &text[..start], &text[end..]))
}

const WORDS: &[&str] = &[
    "customer",
    "delivery",
    "NPS",
    "touchpoint",
    "churn",
    "the",
    "refund",
    "escalation",
    "journey map",
    "first-contact resolution",
    "empathy",
    "queue",
];

fn sentence(rng: &mut Rng) -> String {
    let n = 3 + rng.below(8);
    let words: Vec<&str> = (0..n).map(|_| *rng.pick(WORDS)).collect();
    format!("{}.", words.join(" "))
}

/// Applies one random edit; returns its name and how to undo it.
fn random_edit(rng: &mut Rng, root: &Path, step: usize) -> (&'static str, Undo) {
    let mut undo = Undo::new();
    let markdown = files_under(root, "content", ".md");
    let stories = files_under(root, "content/stories", ".md");
    let terms = files_under(root, "content/glossary", ".md");
    let name = match rng.below(21) {
        0 | 1 => {
            let f = rng.pick(&markdown).clone();
            let text = read_text(&f);
            undo.write(&f, &format!("{text}\n{}\n", sentence(rng)));
            "append to a body"
        }
        2 => {
            let f = rng.pick(&markdown).clone();
            let text = read_text(&f);
            // Prepend a paragraph: the summary and cards may change.
            let Some(end) = text[3..].find("\n---\n").map(|i| i + 3 + 5) else {
                return ("no-op", undo);
            };
            undo.write(
                &f,
                &format!("{}{}\n\n{}", &text[..end], sentence(rng), &text[end..]),
            );
            "new first paragraph"
        }
        3 => {
            let f = rng.pick(&stories).clone();
            let text = read_text(&f);
            let title = format!("\"{} {step}\"", sentence(rng).trim_end_matches('.'));
            match set_key(&text, "title", &title) {
                Some(t) => undo.write(&f, &t),
                None => return ("no-op", undo),
            }
            "retitle a story"
        }
        4 => {
            let f = rng.pick(&stories).clone();
            let text = read_text(&f);
            let dept = rng.pick(&["it", "logistics", "billing", "retail", "collections"]);
            undo.write(&f, &set_key(&text, "department", dept).unwrap());
            "move a story to another department"
        }
        5 => {
            let f = rng.pick(&stories).clone();
            let text = read_text(&f);
            let edited = if text.contains("\nfeatured: true") {
                text.replace("\nfeatured: true", "\nfeatured: false")
            } else {
                text.replacen("\ntitle:", "\nfeatured: true\ntitle:", 1)
            };
            undo.write(&f, &edited);
            "toggle featured"
        }
        6 => {
            let f = rng.pick(&stories).clone();
            let text = read_text(&f);
            let day = 1 + rng.below(28);
            undo.write(
                &f,
                &set_key(&text, "date", &format!("2025-03-{day:02}")).unwrap(),
            );
            "redate a story"
        }
        7 => {
            // Rename: the old page must go, the new one appear.
            let f = rng.pick(&stories).clone();
            let text = read_text(&f);
            let to = f.with_file_name(format!("renamed-{step}.md"));
            undo.remove(&f);
            if rng.chance(50) {
                // Its old address then leads to it (and links to the old
                // file), with what it moved from before, if anything.
                let old = f.file_name().unwrap().to_string_lossy().to_string();
                let text = match text.lines().find_map(|l| l.strip_prefix("moved_from: ")) {
                    Some(before) => {
                        let before = before.trim_start_matches('[').trim_end_matches(']');
                        set_key(&text, "moved_from", &format!("[{before}, {old}]")).unwrap()
                    }
                    None => text.replacen("---\n", &format!("---\nmoved_from: {old}\n"), 1),
                };
                undo.write(&to, &text);
                "rename a story, saying where it moved from"
            } else {
                undo.write(&to, &text);
                "rename a story"
            }
        }
        8 => {
            let f = rng.pick(&markdown).clone();
            undo.remove(&f);
            "delete an entry"
        }
        9 => {
            let word = format!("Widget{step}");
            let f = root.join(format!("content/glossary/widget-{step}.md"));
            undo.write(
                &f,
                &format!(
                    "---\nterm: {word}\naliases: [gadget{step}]\nshort: \"A {word}.\"\nlenses:\n  it: \"What IT calls a {word}.\"\n---\n\nA {word} is {}\n",
                    sentence(rng)
                ),
            );
            // Mention it somewhere so auto-linking and back-links change.
            let s = rng.pick(&stories).clone();
            let text = read_text(&s);
            undo.write(&s, &format!("{text}\nWe used a {word} here.\n"));
            "new term, mentioned in a story"
        }
        10 => {
            let f = root.join(format!("content/stories/new-{step}.md"));
            let value = rng.pick(&["ownership", "empathy", "teamwork"]);
            let tag = rng.pick(&["sms", "new-tag", "billing"]);
            undo.write(
                &f,
                &format!(
                    "---\ntitle: \"New story {step}\"\ndate: 2026-02-{:02}\nauthor: Ana\ndepartment: logistics\ntouchpoints: [delivery]\nvalues: [{value}]\ntags: [{tag}]\n---\n\n{}\n",
                    1 + rng.below(28),
                    sentence(rng)
                ),
            );
            "new story"
        }
        11 => {
            let f = root.join("site.yaml");
            let text = read_text(&f);
            let edited = match rng.below(4) {
                0 => set_key(&text, "title", &format!("Stories {step}")).unwrap(),
                // Lists re-cut into pages: entries cross page boundaries.
                1 => set_key(&text, "page_size", &(1 + rng.below(6)).to_string()).unwrap(),
                2 => text.replace(
                    "name: Retail Stores",
                    &format!("name: Retail Stores {step}"),
                ),
                _ => text.replace("learning]", &format!("learning, value-{step}]")),
            };
            undo.write(&f, &edited);
            "edit site.yaml"
        }
        12 => {
            let layouts = files_under(root, "layouts", ".html");
            let f = rng.pick(&layouts).clone();
            let text = read_text(&f);
            undo.write(&f, &format!("{text}\n<!-- edit {step} -->\n"));
            "edit a layout"
        }
        13 => {
            // A tooltip: every body that links the term shows it, while
            // the glossary's names (and its compiled matcher) stay the same.
            let originals: Vec<PathBuf> = terms
                .iter()
                .filter(|t| {
                    t.file_stem()
                        .is_some_and(|n| !n.to_string_lossy().contains('.'))
                })
                .cloned()
                .collect();
            let f = rng.pick(&originals).clone();
            let text = read_text(&f);
            let short = format!("\"Tooltip {step}: {}\"", sentence(rng));
            match set_key(&text, "short", &short) {
                Some(t) => undo.write(&f, &t),
                None => undo.write(
                    &f,
                    &text.replacen("\nterm:", &format!("\nshort: {short}\nterm:"), 1),
                ),
            }
            "change a term's tooltip"
        }
        15 => {
            // A draft leaves the site (and whatever linked or listed it
            // changes); an entry drafted while a path names it fails both.
            let f = rng.pick(&markdown).clone();
            let text = read_text(&f);
            let edited = if text.contains("\ndraft: true\n") {
                text.replacen("\ndraft: true\n", "\n", 1)
            } else {
                text.replacen("---\n", "---\ndraft: true\n", 1)
            };
            undo.write(&f, &edited);
            "toggle a draft"
        }
        16 => {
            // A translation: edited, or one made for a term without one.
            let translated: Vec<PathBuf> = terms
                .iter()
                .filter(|t| t.to_string_lossy().ends_with(".pt.md"))
                .cloned()
                .collect();
            if rng.below(2) == 0 && !translated.is_empty() {
                let f = rng.pick(&translated).clone();
                let text = read_text(&f);
                undo.write(&f, &format!("{text}\nTraduzido {step}.\n"));
            } else {
                let original = rng.pick(&terms).clone();
                let stem = original.file_stem().unwrap().to_string_lossy().to_string();
                if stem.contains('.') {
                    return ("no-op", undo);
                }
                let f = original.with_file_name(format!("{stem}.pt.md"));
                undo.write(
                    &f,
                    &format!("---\nterm: \"Termo {step}\"\nshort: \"Curto {step}.\"\n---\n\nTexto {step}.\n"),
                );
            }
            "edit or add a translation"
        }
        17 => {
            // A case's metric: its chart and card change.
            let cases = files_under(root, "content/cases", ".md");
            let f = rng.pick(&cases).clone();
            let text = read_text(&f);
            let Some(at) = text.find("after: ") else {
                return ("no-op", undo);
            };
            let from = at + "after: ".len();
            let to = from + text[from..].find([',', ' ', '}']).unwrap_or(0);
            let value = format!("{}.{}", rng.below(100), rng.below(10));
            undo.write(&f, &format!("{}{value}{}", &text[..from], &text[to..]));
            "change a case's metric"
        }
        18 => {
            // A path loses its last step: numbering, previous/next and
            // the steps' own pages change.
            let paths = files_under(root, "content/paths", ".md");
            let f = rng.pick(&paths).clone();
            let text = read_text(&f);
            let Some(end) = text[3..].find("\n---\n").map(|i| i + 3) else {
                return ("no-op", undo);
            };
            let Some(last) = text[..end].rfind("\n  - ") else {
                return ("no-op", undo);
            };
            undo.write(&f, &format!("{}{}", &text[..last], &text[end..]));
            "drop a path's last step"
        }
        19 => {
            // An image beside a story, shown in it; or a person's photo
            // deleted (site.yaml names it: both must fail).
            if rng.below(3) == 0 {
                let photos = files_under(root, "content/people", ".svg");
                let f = rng.pick(&photos).clone();
                undo.remove(&f);
                "delete a person's photo"
            } else {
                let image = root.join(format!("content/stories/picture-{step}.svg"));
                undo.write(
                    &image,
                    // Now and then one holding script: never published.
                    &format!(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"10\"{}></svg>\n",
                        10 + step,
                        if step.is_multiple_of(4) { " onload=\"alert(1)\"" } else { "" }
                    ),
                );
                let s = rng.pick(&stories).clone();
                let text = read_text(&s);
                undo.write(
                    &s,
                    &format!("{text}\n![Picture {step}](picture-{step}.svg)\n"),
                );
                "add an image shown in a story"
            }
        }
        20 => {
            // A new page, linking to a story by its file.
            let story = rng.pick(&stories).clone();
            let name = story.file_name().unwrap().to_string_lossy().to_string();
            let f = root.join(format!("content/pages/guides/note-{step}.md"));
            undo.write(
                &f,
                &format!(
                    "---\ntitle: \"Note {step}\"\n---\n\nSee [the story](../../stories/{name}).\n"
                ),
            );
            "new page linking to a story"
        }
        _ => {
            // Breaking edits: both serve and build must refuse them.
            let f = rng.pick(&terms).clone();
            let text = read_text(&f);
            match rng.below(3) {
                0 => undo.write(&f, &text.replacen("---\n", "---\n: : broken\n", 1)),
                1 => {
                    let s = rng.pick(&stories).clone();
                    let t = read_text(&s);
                    let Some(broken) = set_key(&t, "department", "nowhere") else {
                        panic!("{}: no department in\n{t}", s.display());
                    };
                    undo.write(&s, &broken);
                }
                _ => {
                    let l = root.join("layouts/story.html");
                    let t = read_text(&l);
                    undo.write(&l, &format!("{t}\n{{% if %}}\n"));
                }
            }
            "break something"
        }
    };
    (name, undo)
}

/// Collects a render in memory: the fresh build to compare with, without
/// writing 600 files per step.
#[derive(Default)]
struct Collect(Mutex<BTreeMap<PathBuf, Vec<u8>>>);

impl Sink for Collect {
    fn put(&self, file: OutputFile) -> Result<(), String> {
        let bytes = match file.contents {
            Contents::Bytes(b) => b,
            Contents::Static(b) => b.to_vec(),
            Contents::Copy(p) => std::fs::read(&p).map_err(|e| e.to_string())?,
        };
        self.0
            .lock()
            .unwrap()
            .insert(PathBuf::from(file.path), bytes);
        Ok(())
    }
}

/// Options for serve and for the fresh build alike, with the day coverage
/// counts up to pinned: a step that ran across a midnight compared the
/// coverage page's two dates (a CI failure).
fn options(root: &Path) -> BuildOptions {
    let mut options = BuildOptions::new(root);
    options.render.today = Some("2026-12-05".parse().unwrap());
    options
}

/// Output files by path.
type Files = BTreeMap<PathBuf, Vec<u8>>;

/// A fresh pipeline's full render, as `campfire build` makes it, and its
/// warnings.
fn fresh_build(root: &Path) -> Result<(Files, Vec<String>), String> {
    let mut pipeline = Pipeline::new(options(root));
    pipeline.apply(Changes::Everything);
    let sink = Collect::default();
    let mut diags = Diagnostics::new();
    let rendered = pipeline.render(&sink, &mut diags);
    if rendered.is_none() || diags.has_errors() {
        return Err(diags.render());
    }
    let mut files = sink.0.into_inner().unwrap();
    // The staging directory's marker, which a build adds on commit.
    files.insert(PathBuf::from(".campfire"), snapshot_marker(root));
    Ok((files, warning_lines(&diags.render())))
}

fn snapshot_marker(root: &Path) -> Vec<u8> {
    std::fs::read(root.join("public/.campfire")).unwrap_or_default()
}

fn compare(root: &Path, session: &LiveSite, step: usize, what: &str) {
    let (fresh, warnings) = fresh_build(root)
        .unwrap_or_else(|e| panic!("step {step} ({what}): the fresh build failed:\n{e}"));
    assert_eq!(
        warning_lines(session.warnings()),
        warnings,
        "step {step} ({what}): serve's warnings differ from a fresh build's"
    );
    let served = snapshot(&root.join("public"));
    let missing: Vec<_> = fresh.keys().filter(|k| !served.contains_key(*k)).collect();
    let stale: Vec<_> = served.keys().filter(|k| !fresh.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "step {step} ({what}): missing {missing:?}, stale {stale:?}"
    );
    for (path, bytes) in &fresh {
        let served = &served[path];
        assert!(
            served == bytes,
            "step {step} ({what}): {} differs from a fresh build:\n{}",
            path.display(),
            first_difference(served, bytes)
        );
    }
}

#[test]
fn random_edits_give_the_same_output_as_a_fresh_build() {
    let edits: usize = std::env::var("CAMPFIRE_RANDOM_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("CAMPFIRE_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20261130);
    let site = demo_site();
    let root = site.path().canonicalize().unwrap();
    let mut session = LiveSite::new(options(&root));
    session.build_all().expect("first build");
    session.wait_for_search();
    compare(&root, &session, 0, "first build");
    let mut rng = Rng::new(seed);
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for step in 1..=edits {
        let (what, undo) = random_edit(&mut rng, &root, step);
        *kinds.entry(what).or_default() += 1;
        let changed = undo.paths();
        match session.rebuild(&changed) {
            Ok(_) => {
                session.wait_for_search();
                compare(&root, &session, step, what);
            }
            Err(served_error) => {
                let fresh = fresh_build(&root);
                assert!(
                    fresh.is_err(),
                    "step {step} ({what}): serve failed but a fresh build passed:\n{served_error}"
                );
                let changed = undo.revert();
                session
                    .rebuild(&changed)
                    .unwrap_or_else(|e| panic!("step {step}: undoing {what} failed:\n{e}"));
                session.wait_for_search();
                compare(&root, &session, step, &format!("undo of {what}"));
            }
        }
    }
    // The sequence exercised every kind of edit.
    assert!(kinds.len() >= 20, "{kinds:?}");
}
