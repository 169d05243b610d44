//! `serve`'s side of the pipeline: the same [`Pipeline`] as `build`, kept
//! warm between saves. A full render streams into a staging directory and
//! is swapped in, like a build; a save renders into a [`DiffSink`] and
//! writes only the files whose bytes changed. A full render makes the
//! search index beside the pages; after a save it is rebuilt off the
//! reload's path and written through the same [`LiveOutput`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::search_worker::SearchWorker;
use super::{BuildFailure, Outcome, Rebuild};
use crate::build::BuildOptions;
use crate::diagnostics::Diagnostics;
use crate::pipeline::{Changes, Pipeline};
use crate::write::{DiffSink, HashingSink, LiveOutput, Staging};

pub struct LiveSite {
    pipeline: Pipeline,
    output: Arc<LiveOutput>,
    search: SearchWorker,
    /// Whether the last build succeeded: only then is a missing output a
    /// loss to repair (after a failure, the next save retries anyway).
    last_ok: bool,
    /// The last full render could not begin: something not marked as
    /// Campfire's was where the output goes (an `rm -rf public/` still
    /// running when it was found gone, say).
    output_in_the_way: bool,
    /// The warnings of the last build that succeeded, as printed.
    warnings: String,
}

/// The message for the terminal and the browser overlay: errors first,
/// those of the files just saved before the rest.
fn failure(diags: &Diagnostics, saved: &[PathBuf]) -> BuildFailure {
    let first: Vec<&Path> = saved.iter().map(PathBuf::as_path).collect();
    BuildFailure {
        message: diags.render_for(&first).trim_end().to_string(),
    }
}

impl LiveSite {
    pub fn new(options: BuildOptions) -> LiveSite {
        let pipeline = Pipeline::new(options);
        let output = Arc::new(LiveOutput::new(pipeline.output().to_path_buf()));
        LiveSite {
            search: SearchWorker::start(output.clone()),
            pipeline,
            output,
            last_ok: false,
            output_in_the_way: false,
            warnings: String::new(),
        }
    }

    /// Pins the day coverage counts up to (see [`Pipeline::pin_day`]).
    pub fn pin_day(&mut self, day: chrono::NaiveDate) {
        self.pipeline.pin_day(Some(day));
    }

    /// The warnings of the last build that succeeded, as printed: a
    /// build's, for the same sources.
    pub fn warnings(&self) -> &str {
        &self.warnings
    }

    /// Blocks until the background search index has caught up.
    pub fn wait_for_search(&self) {
        self.search.wait_idle();
    }

    /// Renders every page and the search index into a staging directory
    /// and swaps it in, the whole site at once: the index is made beside
    /// the pages, on the same threads (see `render::render_site`), so the
    /// complete site is there as soon as a build would have it, and the
    /// pages no later than when the index followed them. Nothing is there
    /// to compare with, so nothing is compared: the files are streamed to
    /// disk as by `build`.
    fn render_full(&mut self, start: Instant, saved: &[PathBuf]) -> Result<Outcome, BuildFailure> {
        let mut diags = Diagnostics::new();
        let staging = Staging::begin(self.output.dir());
        self.output_in_the_way = staging.is_err();
        let staging = staging.map_err(|e| BuildFailure {
            message: e.to_string(),
        })?;
        self.pipeline.forget_output();
        self.pipeline.defer_search(false);
        let sink = HashingSink::new(&staging);
        let rendered = self.pipeline.render(&sink, &mut diags);
        let hashes = sink.finish();
        let Some(rendered) = rendered.filter(|_| !diags.has_errors()) else {
            return Err(failure(&diags, saved));
        };
        let mut changed_urls = self
            .output
            .swap(staging, hashes)
            .map_err(|e| BuildFailure {
                message: e.to_string(),
            })?;
        // Only a full render prunes the image cache (see the method).
        self.pipeline.prune_image_cache(&rendered);
        changed_urls.sort();
        self.warnings = diags.render();
        Ok(outcome(changed_urls, rendered.paths.len(), start, &diags))
    }

    /// Renders everything in memory and writes what differs from the output.
    fn render_changes(
        &mut self,
        start: Instant,
        saved: &[PathBuf],
    ) -> Result<Outcome, BuildFailure> {
        let mut diags = Diagnostics::new();
        self.pipeline.defer_search(true);
        let generation = self.output.generation();
        let sink = DiffSink::new(self.output.dir(), self.output.recorded());
        let rendered = self.pipeline.render(&sink, &mut diags);
        let Some(rendered) = rendered.filter(|_| !diags.has_errors()) else {
            return Err(failure(&diags, saved));
        };
        let written = Instant::now();
        let mut changed_urls = self
            .output
            .update(sink.finish(), &rendered.paths)
            .map_err(|message| BuildFailure { message })?;
        if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
            eprintln!(
                "timings: apply+render {:?}, write {:?}",
                written - start,
                written.elapsed()
            );
        }
        if let Some(input) = rendered.search {
            self.search.submit(generation, input);
        }
        changed_urls.sort();
        self.warnings = diags.render();
        Ok(outcome(changed_urls, rendered.paths.len(), start, &diags))
    }
}

/// The allocator keeps freed memory in the heap of the thread that used it
/// until that thread allocates again: a server that renders ten thousand
/// pages or builds an index after a save would hold that peak while idle.
/// Hand the free memory of this thread and of `pool`'s threads back (the
/// render pool's by default; see also `serve::site_complete`).
pub(super) fn give_back_memory(pool: Option<&rayon::ThreadPool>) {
    crate::allocator::give_back_freed(pool);
}

fn outcome(
    changed_urls: Vec<String>,
    files: usize,
    start: Instant,
    diags: &Diagnostics,
) -> Outcome {
    let warnings = match diags.warning_count() {
        0 => String::new(),
        n => {
            eprint!("{}", diags.render());
            format!(", {n} warning{}", if n == 1 { "" } else { "s" })
        }
    };
    Outcome {
        summary: format!(
            "{} of {files} files changed in {} ms{warnings}",
            changed_urls.len(),
            start.elapsed().as_millis()
        ),
        changed_urls,
    }
}

impl Rebuild for LiveSite {
    fn page_writes(&self) -> Option<Arc<crate::write::PageWrites>> {
        Some(self.output.page_writes())
    }

    fn build_all(&mut self) -> Result<Outcome, BuildFailure> {
        let start = Instant::now();
        self.pipeline.apply(Changes::Everything);
        let result = self.render_full(start, &[]);
        self.last_ok = result.is_ok();
        result
    }

    fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Outcome, BuildFailure> {
        let start = Instant::now();
        self.pipeline.apply(Changes::Paths(changed));
        // Messages name files relative to the root.
        let root = self.pipeline.options().root.clone();
        let saved: Vec<PathBuf> = changed
            .iter()
            .filter_map(|p| p.strip_prefix(&root).ok().map(Path::to_path_buf))
            .collect();
        let result = if self.output.is_intact() {
            self.render_changes(start, &saved)
        } else {
            // Someone removed the output (or our marker) while serving:
            // make all of it again rather than only what this save touched.
            self.render_full(start, &saved)
        };
        self.last_ok = result.is_ok();
        result
    }

    fn link_targets(&self) -> Vec<PathBuf> {
        self.pipeline.link_targets()
    }

    fn idle(&mut self) {
        for path in self.output.retry_removals() {
            println!("removed {path}, which could not be removed before");
        }
    }

    fn day_passed(&self) -> bool {
        self.pipeline.day_passed(crate::coverage::today())
    }

    fn settle(&mut self) {
        self.pipeline.tidy();
        give_back_memory(None);
        super::site_complete();
    }

    fn output_intact(&self) -> bool {
        if self.last_ok {
            return self.output.is_intact();
        }
        // After a failure the next save tries again; but an output that
        // was in the way of a full render is tried again as soon as it
        // is gone, unasked (no spurious retries while it is there).
        !self.output_in_the_way || self.output.dir().exists()
    }
}
