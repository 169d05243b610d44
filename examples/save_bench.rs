//! What one save costs `serve` once its pipeline is warm, without the
//! watcher, the disk or the browser: the render a save triggers, measured
//! alone and repeatably (run it under `perf record` to see where it goes).
//!
//!     cargo run --release --example save_bench -- CORPUS [SAVES] [story|term-body|term-tooltip]
//!
//! CORPUS is a site made by `bench/gen_corpus.py`. Each save edits one
//! story's body (or a term's body, or the tooltip of the most mentioned
//! term, `huddle`) on disk, then applies and renders into a sink that keeps
//! nothing. Prints the median wall and CPU time (all threads) and each wall
//! figure, in milliseconds. The edits
//! stay in the corpus; regenerate it to undo them.

use std::path::{Path, PathBuf};
use std::time::Instant;

use campfire::build::BuildOptions;
use campfire::diagnostics::Diagnostics;
use campfire::pipeline::{Changes, Pipeline};
use campfire::render::{NullSink, OutputFile, Sink};

/// Counts what a render hands over, like serve's sink would see it.
#[derive(Default)]
struct Counting {
    put: std::sync::atomic::AtomicUsize,
}

impl Sink for Counting {
    fn put(&self, _: OutputFile) -> Result<(), String> {
        self.put.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn keep(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

/// CPU time of the whole process (every thread), in milliseconds: steadier
/// than wall time on a shared machine.
fn cpu_ms() -> f64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn edit(path: &Path, i: usize, kind: &str) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let edited = if kind == "term-tooltip" {
        let start = text.find("\nshort:").expect("a term has short:") + 1;
        let end = start + text[start..].find('\n').unwrap_or(text.len() - start);
        format!(
            "{}short: \"Tooltip text, edit {i}.\"{}",
            &text[..start],
            &text[end..]
        )
    } else {
        text.replacen("\n\n", &format!("\n\nEdit {i}.\n\n"), 1)
    };
    std::fs::write(path, edited)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(
        args.get(1)
            .expect("usage: save_bench CORPUS [SAVES] [KIND]"),
    );
    let saves: usize = args.get(2).map_or(20, |n| n.parse().expect("SAVES"));
    let kind = args.get(3).map_or("story", String::as_str);
    let mut options = BuildOptions::new(&root);
    options.render.defer_search = true;
    let mut pipeline = Pipeline::new(options);
    let root = pipeline.options().root.clone();
    let t = Instant::now();
    pipeline.apply(Changes::Everything);
    let mut diags = Diagnostics::new();
    pipeline
        .render(&NullSink, &mut diags)
        .expect("the corpus renders");
    pipeline.tidy();
    eprintln!("warm-up render: {:?}", t.elapsed());
    let mut terms: Vec<String> = std::fs::read_dir(root.join("content/glossary"))
        .expect("content/glossary")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".md") && n.matches('.').count() == 1)
        .collect();
    terms.sort();
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    for i in 0..saves {
        let rel = match kind {
            "story" => format!("content/stories/story-{:05}.md", 200 + i),
            "term-body" => format!("content/glossary/{}", terms[(10 + i) % terms.len()]),
            "term-tooltip" => "content/glossary/huddle.md".to_string(),
            other => panic!("unknown kind {other}: story, term-body or term-tooltip"),
        };
        let path = root.join(&rel);
        edit(&path, i, kind).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let sink = Counting::default();
        let t = Instant::now();
        let c = cpu_ms();
        pipeline.apply(Changes::Paths(std::slice::from_ref(&path)));
        let mut diags = Diagnostics::new();
        pipeline.render(&sink, &mut diags).expect("renders");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        cpu.push(cpu_ms() - c);
        pipeline.tidy();
        if i == 0 {
            eprintln!(
                "{rel}: {} files rewritten",
                sink.put.load(std::sync::atomic::Ordering::Relaxed)
            );
        }
    }
    println!(
        "{kind} save, apply + render: median {:.1} ms wall, {:.1} ms CPU, over {saves} ({:?})",
        median(times.clone()),
        median(cpu),
        times.iter().map(|t| t.round() as u64).collect::<Vec<_>>()
    );
}
