//! A seeded property test over the demo site (the repository root): apply
//! thousands of random mutations to copies of its files — truncations,
//! random bytes and Unicode, duplicated and deleted lines, lost front
//! matter delimiters, swapped YAML values, broken and hostile template
//! syntax, hostile Markdown — and build after each batch through the
//! library. Whatever the input, a build must not panic, overflow its stack
//! or hang; it succeeds or reports errors, and when it fails the previous
//! output is byte-identical.
//!
//! Fixed seed, so a failure reproduces. For a longer local run:
//! `CAMPFIRE_MUTATION_SEED=7 CAMPFIRE_MUTATION_ROUNDS=2000 cargo test --release --test mutations`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use campfire::build::{BuildOptions, build};
use common::{Rng, copy_dir, snapshot};

/// Characters that tend to break parsers: controls, a BOM, line and
/// paragraph separators, combining marks, right-to-left text, astral
/// characters, YAML and Markdown punctuation.
const ODD_CHARS: &[char] = &[
    '\0', '\t', '\r', '\u{b}', '\u{feff}', '\u{2028}', '\u{2029}', '\u{301}', '\u{200d}',
    '\u{202e}', 'ß', 'İ', 'ﬃ', '😀', '𝔘', 'ü', '"', '\'', ':', '#', '-', '[', ']', '{', '}', '|',
    '>', '*', '&', '!', '%', '@', '`', '\\', '<', '=', '~', '_', '^',
];

/// Fragments an author or a broken editor could leave behind.
const FRAGMENTS: &[&str] = &[
    "---\n",
    "---",
    "\n---\n",
    "title: \n",
    "title: [a, b]\n",
    "date: 2026-02-30\n",
    "date: 99999-01-01\n",
    "draft: true\n",
    "featured: yes\n",
    "department: nowhere\n",
    "touchpoints: [delivery, nowhere]\n",
    "tags: [\"\", \" \", \"a/b\", \"..\", \"\\u0000\"]\n",
    "steps:\n  - story: missing\n  - term: nps\n    note: x\n",
    "metrics:\n  - { name: m, before: 1e308, after: -1e308, better: higher }\n",
    "metrics:\n  - { name: m, before: .nan, after: .inf, better: lower }\n",
    "lenses: { it: x, nowhere: y }\n",
    "related: [nps, nps, missing]\n",
    "aliases: [NPS, nps, '', ' ']\n",
    "term: ''\n",
    "a: &a [x]\nb: *a\n",
    "a: &a [*a]\n",
    "x: !!binary AAAA\n",
    "<<: {title: y}\n",
    "key: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
    "\tindented: with a tab\n",
    "[x](javascript:alert(1))",
    "![i](data:text/html,x)",
    "<a href=\"javascript:x\" onclick=\"y\">",
    "[nps](../glossary/nps.md#nowhere)",
    "[self](#)",
    "[up](../../../../../../etc/passwd)",
    "![img](../../layouts/base.html)",
    "\n# Heading {#dup}\n\n# Heading {#dup}\n",
    "\n## \n",
    "[^1]\n\n[^1]: note [^1]\n",
    "\n| a | b |\n|---|\n| x |\n",
    "\n```\nunclosed fence\n",
    "\n> > > > > > > > > > > > > > > > deep\n",
    "\n- - - - - - - - - - - - - - - - - - deep\n",
    "*a **b ***c ****d",
    "[[[[[[[[[[[[[[[[[[[[",
    "<div>\n\n<!--",
    "&#0; &#x110000; &amp &NotAnEntity;",
    "{% raw %}",
    "{{",
    "{%",
    "%}",
    "}}",
    "{% endif %}",
    "{% block content %}",
    "{% endblock content %}",
    "{{ page.title | nosuchfilter }}",
    "{{ nosuchvariable.field }}",
    "{{ page.title | truncate(length=-1) }}",
    "{% include \"base.html\" %}",
    "{% include \"missing.html\" %}",
    "{% extends \"base.html\" %}",
    "{% import \"macros.html\" as m %}",
    "{% for i in range(end=100000000000) %}{{ i }}{% endfor %}",
    "{% for i in range(end=3, step_by=0) %}{% endfor %}",
    "{% macro r(n) %}{{ self::r(n=n) }}{% endmacro r %}",
    "{{ throw(message=\"boom\") }}",
    "{{ 1 / 0 }}",
    "{{ get_env(name=\"HOME\") }}",
];

/// A site file as the mutations see it.
struct File {
    rel: PathBuf,
    pristine: Vec<u8>,
}

fn demo_files(root: &Path) -> Vec<File> {
    let mut files = vec![File {
        rel: "site.yaml".into(),
        pristine: std::fs::read(root.join("site.yaml")).unwrap(),
    }];
    for dir in ["content", "layouts"] {
        for e in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_file()
                && (name.ends_with(".md") || name.ends_with(".html") || name.ends_with(".yaml"))
            {
                files.push(File {
                    rel: e.path().strip_prefix(root).unwrap().to_path_buf(),
                    pristine: std::fs::read(e.path()).unwrap(),
                });
            }
        }
    }
    files
}

/// Byte offset of a random line start in `bytes`.
fn line_start(rng: &mut Rng, bytes: &[u8]) -> usize {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&i| i <= bytes.len())
        .collect();
    *rng.pick(&starts)
}

fn line_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| start + i + 1)
}

/// Valid template statements that used to crash or hang a build; `{self}`
/// is the template's own name.
const HOSTILE_STATEMENTS: &[&str] = &[
    "{% include \"{self}\" %}",
    "{% include \"base.html\" %}",
    "{% for i in range(end=5, step_by=0) %}{% endfor %}",
    "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
];

/// Applies one random mutation to `bytes` of the file `rel`; returns what
/// it did.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, others: &[File], rel: &Path) -> String {
    let at = rng.below(bytes.len() + 1);
    let template = rel.extension().is_some_and(|x| x == "html");
    match rng.below(if template { 14 } else { 12 }) {
        0 => {
            bytes.truncate(at);
            format!("truncate at {at}")
        }
        1 => {
            let n = 1 + rng.below(16);
            let random: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, random);
            format!("insert {n} random bytes at {at}")
        }
        2 => {
            let n = 1 + rng.below(8);
            let text: String = (0..n).map(|_| *rng.pick(ODD_CHARS)).collect();
            bytes.splice(at..at, text.bytes());
            format!("insert {text:?} at {at}")
        }
        3 | 4 => {
            // Snap to a line start half of the time: many fragments are lines.
            let at = if rng.chance(50) {
                line_start(rng, bytes)
            } else {
                at
            };
            let f = *rng.pick(FRAGMENTS);
            bytes.splice(at..at, f.bytes());
            format!("insert {f:?} at {at}")
        }
        5 => {
            let start = line_start(rng, bytes);
            let end = line_end(bytes, start);
            let line = bytes[start..end].to_vec();
            let copies = if rng.chance(10) { 200 } else { 1 };
            for _ in 0..copies {
                bytes.splice(start..start, line.iter().copied());
            }
            format!("duplicate line at {start} ×{copies}")
        }
        6 => {
            let start = line_start(rng, bytes);
            let end = line_end(bytes, start);
            bytes.drain(start..end);
            format!("delete line at {start}")
        }
        7 => {
            // Delete a front matter delimiter.
            // Byte offsets (a lossy string's would be off after invalid UTF-8).
            let delimiters: Vec<usize> = bytes
                .windows(3)
                .enumerate()
                .filter(|(_, w)| *w == b"---")
                .map(|(i, _)| i)
                .collect();
            if delimiters.is_empty() {
                return "no delimiter to delete".into();
            }
            let i = *rng.pick(&delimiters);
            bytes.drain(i..i + 3);
            format!("delete --- at {i}")
        }
        8 => {
            // Swap the values of two `key: value` lines.
            let text = String::from_utf8_lossy(bytes).into_owned();
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            let kv: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains(": "))
                .collect();
            if kv.len() < 2 {
                return "no values to swap".into();
            }
            let (a, b) = (*rng.pick(&kv), *rng.pick(&kv));
            let split = |l: &str| {
                let i = l.find(": ").unwrap();
                (
                    l[..i + 2].to_string(),
                    l[i + 2..].trim_end_matches('\n').to_string(),
                )
            };
            let ((ka, va), (kb, vb)) = (split(lines[a]), split(lines[b]));
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            out[a] = format!("{ka}{vb}\n");
            out[b] = format!("{kb}{va}\n");
            *bytes = out.concat().into_bytes();
            format!("swap values of lines {a} and {b}")
        }
        9 => {
            // Splice in a piece of another file (YAML into Markdown, a
            // template into front matter…).
            let other = &rng.pick(others).pristine;
            let from = rng.below(other.len() + 1);
            let to = (from + rng.below(400)).min(other.len());
            bytes.splice(at..at, other[from..to].iter().copied());
            format!("splice {from}..{to} of another file at {at}")
        }
        10 => {
            let end = (at + rng.below(200)).min(bytes.len());
            bytes.drain(at..end);
            format!("delete {at}..{end}")
        }
        12 | 13 => {
            // A whole, valid statement at a line start, so it is rendered
            // often (random fragments mostly make a syntax error).
            let name = rel.file_name().unwrap().to_string_lossy();
            let statement = rng.pick(HOSTILE_STATEMENTS).replace("{self}", &name);
            let at = line_start(rng, bytes);
            bytes.splice(at..at, statement.bytes());
            format!("insert {statement:?} at {at}")
        }
        _ => {
            // Repeat a fragment many times: size and depth.
            let f = *rng.pick(&[
                "> ",
                "- ",
                "#",
                "[",
                "*",
                "\n",
                "|",
                "{{",
                "&amp;",
                "a\n\n# A\n",
            ]);
            let n = 1 + rng.below(3000);
            let at = line_start(rng, bytes);
            bytes.splice(at..at, f.repeat(n).bytes());
            format!("insert {f:?} ×{n} at {at}")
        }
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_mutations_never_crash_and_failed_builds_leave_output_untouched() {
    let seed = env_number("CAMPFIRE_MUTATION_SEED", 0x5eed_cafe);
    // About 3,300 mutations in 220 builds: 40–60 s in a debug build on 2
    // busy cores.
    let rounds = env_number("CAMPFIRE_MUTATION_ROUNDS", 220);
    let mut rng = Rng::new(seed);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A build writes ~600 files: on tmpfs that takes a tenth of the time it
    // takes on this machine's disk.
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let root = dir.path().join("site");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(repo.join("site.yaml"), root.join("site.yaml")).unwrap();
    copy_dir(&repo.join("content"), &root.join("content"));
    copy_dir(&repo.join("layouts"), &root.join("layouts"));
    let files = demo_files(&root);
    let options = BuildOptions::new(&root);

    let first = build(&options);
    assert!(
        first.is_ok(),
        "the demo site must build: {:?}",
        first
            .err()
            .map(|d| d.iter().map(|d| d.to_string()).collect::<Vec<_>>())
    );
    let mut output = snapshot(&options.output);
    let (mut ok, mut failed, mut mutations) = (0, 0, 0);
    // Files changed by the previous round, to restore.
    let mut touched: Vec<usize> = Vec::new();
    let mut created: Vec<PathBuf> = Vec::new();

    for round in 0..rounds {
        for &i in &touched {
            std::fs::write(root.join(&files[i].rel), &files[i].pristine).unwrap();
        }
        touched.clear();
        for p in created.drain(..) {
            let _ = std::fs::remove_file(p);
        }
        // Half the rounds change one thing, so builds often still succeed
        // and the output keeps changing; the others pile up many changes
        // in several files (such builds mostly fail, and fail fast).
        let light = rng.chance(50);
        let (file_count, mutation_count) = if light { (1, 2) } else { (4, 20) };
        let mut log: Vec<String> = Vec::new();
        for _ in 0..1 + rng.below(file_count) {
            let i = rng.below(files.len());
            let mut bytes = std::fs::read(root.join(&files[i].rel)).unwrap();
            for _ in 0..1 + rng.below(mutation_count) {
                let what = mutate(&mut rng, &mut bytes, &files, &files[i].rel);
                log.push(format!("{}: {what}", files[i].rel.display()));
                mutations += 1;
            }
            if rng.chance(5) {
                // A brand-new file next to it, made of the mutated bytes.
                let new = root
                    .join(&files[i].rel)
                    .with_file_name(format!("new-{round}.md"));
                std::fs::write(&new, &bytes).unwrap();
                log.push(format!("{}: created from it", new.display()));
                created.push(new);
            } else {
                std::fs::write(root.join(&files[i].rel), &bytes).unwrap();
                touched.push(i);
            }
        }

        let result = std::panic::catch_unwind(|| build(&options));
        let describe = || format!("seed {seed:#x}, round {round}:\n  {}", log.join("\n  "));
        match result {
            Err(_) => panic!("the build panicked; {}", describe()),
            Ok(Ok(_)) => {
                ok += 1;
                output = snapshot(&options.output);
            }
            Ok(Err(diags)) => {
                failed += 1;
                assert!(diags.has_errors(), "Err without an error; {}", describe());
                for d in diags.iter() {
                    assert!(
                        !d.message.is_empty() && d.path.as_os_str().len() < 4096,
                        "unhelpful message {d:?}; {}",
                        describe()
                    );
                }
                let now: BTreeMap<PathBuf, Vec<u8>> = snapshot(&options.output);
                assert!(
                    now == output,
                    "a failed build changed the output; {}",
                    describe()
                );
            }
        }
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .chain(std::fs::read_dir(&root).unwrap())
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("staging") || n.contains("-old-"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "staging left behind: {leftovers:?}; {}",
            describe()
        );
    }
    eprintln!("{mutations} mutations in {rounds} builds: {ok} succeeded, {failed} failed cleanly");
    // Both outcomes must have been exercised, or the mutations are too
    // weak (or too strong) to test anything.
    assert!(
        ok > rounds / 10 && failed > rounds / 10,
        "ok {ok}, failed {failed}"
    );
}
