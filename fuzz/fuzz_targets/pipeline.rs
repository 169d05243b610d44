//! The whole pipeline (load → link → render, into a null sink) on a tiny
//! site made from the input: `site.yaml`, a story's front matter and its
//! Markdown body, and optionally a template that replaces the default
//! `page.html`, separated by 0xFF bytes (which UTF-8 text never holds).
//! A missing part takes a working default, so the fuzzer can explore one
//! part while the others stay valid. The body is also a free page's body,
//! so it is rendered even when the story's front matter is broken.
//!
//! Nothing is asserted but the absence of crashes, hangs (libFuzzer's
//! `-timeout`) and stack overflows: every input must end in a result.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

const SITE: &[u8] = b"title: Fuzz\nlanguages: [pt]\ndepartments:\n  - { id: it, name: IT }\njourney:\n  - stage: Receive\n    touchpoints: [delivery]\nvalues: [empathy]\n";
const FRONT: &[u8] = b"title: A story\ndate: 2026-01-01\nauthor: Someone\ndepartment: it\ntouchpoints: [delivery]\nvalues: [empathy]\ntags: [a]\n";
const TERM: &str = "---\nterm: NPS\naliases: [Net Promoter Score]\nshort: How likely customers recommend us\n---\nThe **NPS** is a score; see [the story](../stories/fuzz.md#a).\n";

/// One site directory for the whole run (on tmpfs where there is one):
/// a new directory per input would make file creation the bottleneck.
fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let root = base.join(format!("campfire-fuzz-{}", std::process::id()));
        for dir in [
            "content/stories",
            "content/pages",
            "content/glossary",
            "layouts",
        ] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::write(root.join("content/glossary/nps.md"), TERM).unwrap();
        root
    })
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |b| *b == 0xFF);
    let mut part = |default: &'static [u8]| match parts.next() {
        Some(p) if !p.is_empty() => p.to_vec(),
        _ => default.to_vec(),
    };
    let site = part(SITE);
    let front = part(FRONT);
    let body = part(b"# A\n\nBody mentioning NPS.\n");
    let layout = parts.next().filter(|p| !p.is_empty());

    let root = root();
    let mut story = b"---\n".to_vec();
    story.extend_from_slice(&front);
    story.extend_from_slice(b"\n---\n");
    story.extend_from_slice(&body);
    let mut page = b"---\ntitle: Page\n---\n".to_vec();
    page.extend_from_slice(&body);
    std::fs::write(root.join("site.yaml"), &site).unwrap();
    std::fs::write(root.join("content/stories/fuzz.md"), &story).unwrap();
    std::fs::write(root.join("content/pages/fuzz.md"), &page).unwrap();
    let layout_path = root.join("layouts/page.html");
    match layout {
        Some(text) => std::fs::write(&layout_path, text).unwrap(),
        None => {
            let _ = std::fs::remove_file(&layout_path);
        }
    }

    let (diagnostics, _report) = campfire::build::check(root);
    // Every problem names something and says something.
    for d in diagnostics.iter() {
        assert!(!d.message.is_empty(), "{d:?}");
    }
});
