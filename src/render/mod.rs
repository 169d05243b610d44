//! Render: Markdown bodies (phase one, [`bodies`]), then every page through
//! the templates (phase two, [`pages`]), the feed, the sitemap and the
//! static files. Everything stays in memory; [`crate::write`] puts it on disk.

pub mod autolink;
pub mod bodies;
pub mod cache;
pub mod chart;
pub mod dates;
mod feeds;
mod fold;
pub mod images;
pub mod in_place;
pub mod markdown;
mod moved;
pub mod pages;
pub mod search_docs;
pub mod template_reads;
pub mod theme;

use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::Site;
use crate::load::CONTENT_DIR;
pub use cache::RenderCache;
use theme::{AssetSource, Theme};

/// One file of the output, relative to the output directory.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Forward slashes, e.g. `stories/snow/index.html`.
    pub path: String,
    pub contents: Contents,
}

#[derive(Debug, Clone)]
pub enum Contents {
    Bytes(Vec<u8>),
    Static(&'static [u8]),
    /// Copied from this file when written (images can be large).
    Copy(PathBuf),
}

/// Where rendered files go as soon as each is ready: staged to disk by a
/// build, compared with what is served by `serve`, dropped by `check`.
/// Streaming them keeps a 10,000-page site from sitting in memory at once.
pub trait Sink: Sync {
    fn put(&self, file: OutputFile) -> Result<(), String>;
    /// The file at `path` is exactly as the previous render left it (only
    /// sinks that keep a previous render, like `serve`'s, are told this).
    fn keep(&self, path: &str) -> Result<(), String> {
        Err(format!("{path}: nothing to keep from a previous render"))
    }
}

/// Discards everything (`check` renders only to find problems).
pub struct NullSink;

impl Sink for NullSink {
    fn put(&self, _: OutputFile) -> Result<(), String> {
        Ok(())
    }

    fn keep(&self, _: &str) -> Result<(), String> {
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Glossary auto-linking (on unless benchmarking its cost).
    pub autolink: bool,
    /// Leave the search index to the caller ([`RenderOutput::search_bodies`]):
    /// `serve` rebuilds it in the background so a save reloads at once.
    pub defer_search: bool,
    /// Keep what the next render can reuse (`serve`); a one-off render
    /// (`build`, `check`) frees each part as soon as it is done with it.
    pub reuse: bool,
    /// The day coverage counts freshness and quarters up to; `None` for
    /// [`crate::coverage::today`]. Pinned where two renders must agree
    /// across a midnight (serve's output against a fresh build's).
    pub today: Option<chrono::NaiveDate>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            autolink: true,
            defer_search: false,
            reuse: true,
            today: None,
        }
    }
}

/// Resident memory of this process now and at its peak (Linux), for
/// `CAMPFIRE_TIMINGS`.
pub fn peak_memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or("unknown", str::trim)
            .to_string()
    };
    let held = match crate::alloc_stats::live_and_peak() {
        Some((live, peak)) => format!(", held {live} MB, at most {peak} MB since"),
        None => String::new(),
    };
    format!("{} (now {}{held})", field("VmHWM:"), field("VmRSS:"))
}

/// Gives the memory freed so far back to the system, on every thread of
/// the pool and this one. mimalloc keeps freed pages for a while (a
/// second, see `serve::site_complete`), and what a one-off
/// build frees at once (the pages' data and HTML once the pages are
/// written; the search texts once analysed)
/// was then still resident while the next step allocated its own anew:
/// at 100,000 stories the search index reached 1.33 GB resident for 0.93
/// GB held. Called there only: each call costs page faults later.
pub fn give_back_memory() {
    crate::allocator::give_back_freed(None);
}

/// CPU time (user and system, all threads) the process has used so far,
/// for `CAMPFIRE_TIMINGS` (on a busy machine wall time says little).
pub fn cpu_time() -> std::time::Duration {
    #[cfg(unix)]
    {
        // SAFETY: getrusage only writes the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            let time = |t: libc::timeval| {
                std::time::Duration::from_secs(t.tv_sec as u64)
                    + std::time::Duration::from_micros(t.tv_usec as u64)
            };
            return time(usage.ru_utime) + time(usage.ru_stime);
        }
    }
    std::time::Duration::ZERO
}

pub struct RenderOutput {
    /// Every file produced, relative to the output.
    pub paths: Vec<String>,
    /// What the next render may reuse.
    pub cache: RenderCache,
    /// With `defer_search`: every entry's rendered body, when the search
    /// documents changed (the caller makes the documents and the index).
    pub search_bodies: Option<Vec<Arc<markdown::Rendered>>>,
    /// The image cache's files this render used (see [`images::prune`]).
    pub image_cache: Vec<PathBuf>,
}

/// Renders the whole site into `sink`, reusing what `previous` holds from
/// an earlier render (empty for a full build).
pub fn render_site(
    root: &Path,
    site: &Site,
    theme: &Theme,
    options: RenderOptions,
    previous: &RenderCache,
    sink: &dyn Sink,
    diags: &mut Diagnostics,
) -> RenderOutput {
    let t = std::time::Instant::now();
    // A one-off build of a big site (one whose bodies it packs) gives what
    // it frees back to the system after 10 ms rather than the allocator's
    // second: each phase frees hundreds of MB of small blocks (the
    // sources, the bodies' HTML, the index's token sequences) while it
    // allocates anew, and within that second both were resident (at
    // 100,000 stories the index's first steps reached 830 MB resident for
    // 560 MB held; 10 ms: 650 MB). A small site keeps the delay, which
    // saves it work.
    if bodies::packs(site, options.reuse, crate::packed::pack_above()) {
        // 10 ms: at once (0) held as little, and cost page faults for
        // memory reused a moment later.
        crate::allocator::set_purge_delay(10);
    }
    let image_sizes = Arc::new(images::sizes(root, &site.assets));
    let (mut bodies, body_cache) = bodies::render_bodies(
        site,
        image_sizes.clone(),
        options.autolink,
        previous,
        options.reuse,
        diags,
    );
    let t_bodies = t.elapsed();
    if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
        eprintln!("timings: bodies rendered, memory {}", peak_memory());
    }
    // site.yaml feeds cards, page chrome and the index: hash it once.
    let config_key = cache::key(|h| cache::hash_serialized(h, &*site.config));
    // The index is made beside the pages when every body's search text
    // is there already (see below); a build's bodies hand theirs over.
    let index_beside = !options.defer_search && (options.reuse || bodies.text_made());
    let mut search_texts = (index_beside && !options.reuse).then(|| bodies.take_search_texts());
    let today = options.today.unwrap_or_else(crate::coverage::today);
    let mut pages = pages::Pages::new(
        site,
        theme,
        &bodies,
        previous,
        config_key,
        options.reuse,
        today,
    );
    let t_new = t.elapsed();
    // The index only changes when some entry's searchable text does: its
    // body (keyed already), its front matter or its address.
    let search_key = cache::key(|h| {
        for (id, e) in site.entries.iter().enumerate() {
            (&e.source, e.text_hash, bodies.keys[id]).hash(h);
            site.url(id).hash(h);
        }
        config_key.hash(h);
    });
    // Each index file is written as soon as it is made: the index of a
    // big site is never all in memory.
    let make_index = |pending: search_docs::PendingDocs, freed: &(dyn Fn() + Sync)| {
        let written = std::sync::Mutex::new(Vec::new());
        let emit = |path: String, bytes| {
            let result = sink.put(OutputFile {
                path: path.clone(),
                contents: Contents::Bytes(bytes),
            });
            written.lock().expect("index files").push((path, result));
        };
        crate::search::build_index_freeing(pending.into_docs(), &emit, freed);
        let mut written = written.into_inner().expect("index files");
        written.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        written
    };
    // An inline index is made only by a render that starts from nothing
    // (a build, or serve's full render), so there is never a previous one
    // to reuse. It is made beside the pages when every body's search text
    // is there already (serve's render, which keeps the HTML, and a build
    // that does not pack): the index's steps that run on one thread, and
    // the pages' waits for the file system, leave a core to the other, so
    // the whole site is there sooner than pages then index. A build that
    // packs (a big site's) makes it after the pages, once their memory is
    // freed: the two side by side would hold both. On threads of its own:
    // the allocator keeps a heap per thread, so what the index frees is
    // not scattered among what the pages keep for the next render.
    let index_pool = index_beside
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(rayon::current_num_threads())
                .thread_name(|i| format!("campfire-index-{i}"))
                .build()
                .ok()
        })
        .flatten();
    let ((mut paths, mut page_cache, mut entry_pages, mut card_cache), mut index_written) =
        match &index_pool {
            Some(pool) => std::thread::scope(|scope| {
                let index = scope.spawn(|| {
                    let index = pool.install(|| {
                        let pending = match search_texts.take() {
                            // Dropped once the documents hold them: each
                            // text is then moved into its document.
                            Some(texts) => search_docs::search_docs(site, &texts),
                            None => search_docs::search_docs(site, &bodies.rendered),
                        };
                        make_index(pending, &|| {})
                    });
                    // Its threads end with the pool: what their heaps
                    // hold free goes back first.
                    pool.broadcast(|_| crate::allocator::collect_freed());
                    index
                });
                let pages_out = pages.render_all(sink, diags);
                let index = index
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (pages_out, Some(index))
            }),
            None => (pages.render_all(sink, diags), None),
        };
    let cards_data = pages.cards_data();
    let templates = if options.reuse {
        pages.specialized_made()
    } else {
        Default::default()
    };
    let lookups = pages.lookups();
    let lists = pages.lists();
    // Free the page data before the search index needs its memory…
    drop(pages);
    if !options.reuse {
        page_cache.clear();
        entry_pages.clear();
        card_cache.clear();
        // …and all the bodies keep of their HTML is its search text (each
        // freed as soon as its entry's pages were written).
        bodies.keep_search_text();
        give_back_memory();
    }
    if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
        eprintln!(
            "timings: markdown {t_bodies:?}, cards {:?}, pages {:?}, peak memory so far {}",
            t_new - t_bodies,
            t.elapsed() - t_new,
            peak_memory()
        );
    }
    let summary = |i: usize| {
        site.entries[i]
            .summary()
            .map(str::to_string)
            .unwrap_or_else(|| pages::truncate_words(&bodies.rendered[i].first_paragraph, 40))
    };
    let t_extra = std::time::Instant::now();
    let cpu_extra = cpu_time();
    let mut extra = vec![feeds::atom(site, &summary)];
    extra.extend(feeds::department_feeds(site, &summary));
    // A sitemap must hold absolute URLs: without `base_url` there is none
    // (`check` says so).
    if site.config.base_url.is_some() {
        extra.push(feeds::sitemap(&paths, site));
    }
    // Renamed entries' old addresses (after the sitemap, which lists
    // only the pages themselves).
    for m in site.moves() {
        let strings = theme.strings(&site.entries[m.to].lang);
        extra.push(moved::moved_page(site, &strings, m));
    }
    let mut search_bodies = None;
    if options.defer_search {
        if previous.search != search_key {
            search_bodies = Some(bodies.rendered.clone());
        }
    } else if index_written.is_none() {
        let pending = search_docs::search_docs(site, &bodies.rendered);
        if !options.reuse {
            // The documents hold the last references to the bodies now.
            bodies.rendered.clear();
        }
        let freed = || {
            if !options.reuse {
                give_back_memory();
            }
        };
        index_written = Some(make_index(pending, &freed));
    }
    for (path, result) in index_written.into_iter().flatten() {
        match result {
            Ok(()) => paths.push(path),
            Err(e) => diags.push(Diagnostic::cannot_write(&path, e)),
        }
    }
    for (path, source) in &theme.assets {
        extra.push(OutputFile {
            path: path.clone(),
            contents: match source {
                // The built-in search script, minified (it counts towards
                // every first query; src/search/search.min.js).
                AssetSource::Embedded(_) if path == "assets/search.js" => {
                    Contents::Static(crate::search::SEARCH_JS_MINIFIED)
                }
                AssetSource::Embedded(bytes) => Contents::Static(bytes),
                AssetSource::File(p) => Contents::Copy(p.clone()),
            },
        });
    }
    // Each language's UI strings for the theme's scripts, unless the
    // site's layouts bring a file of that name.
    let language_names: Vec<(&str, String)> = site
        .config
        .all_languages()
        .into_iter()
        .map(|l| (l, pages::language_name(l)))
        .collect();
    for lang in site.config.all_languages() {
        let path = crate::paths::strings_script(lang);
        if !theme.assets.contains_key(&path) {
            extra.push(OutputFile {
                path,
                contents: Contents::Bytes(theme::strings_script(
                    &theme.strings(lang),
                    &language_names,
                )),
            });
        }
    }
    // Side by side: every render looks at every file (a stat each, its
    // bytes only when it changed), and a site may have thousands.
    use rayon::prelude::*;
    let assets: Vec<(Option<String>, Option<OutputFile>)> = site
        .assets
        .par_iter()
        .map(|asset| {
            let file = root.join(CONTENT_DIR).join(asset);
            // Not published: opened at its own address it would run (see
            // `images::svg_script`); the source stays as it is.
            if let Some(what) = images::svg_script(&file) {
                return (Some(format!("this SVG holds {what}, which runs when the file is opened on its own: it is not published; save the drawing again without it")), None);
            }
            // A JPEG or PNG whose size cannot be read is no image a browser
            // shows either (a file renamed, cut short, or saved as text).
            let unreadable = images::is_raster(asset)
                && !image_sizes.contains_key(&Path::new(CONTENT_DIR).join(asset));
            let problem = unreadable.then(|| "this file cannot be read as the image its name says: pages showing it will show a broken image; export it again, or name it by what it is".to_string());
            let copy = OutputFile {
                path: bodies::asset_output_path(asset),
                contents: Contents::Copy(file),
            };
            (problem, Some(copy))
        })
        .collect();
    for (asset, (problem, copy)) in site.assets.iter().zip(assets) {
        if let Some(problem) = problem {
            diags.warning(Path::new(CONTENT_DIR).join(asset), 0, 0, problem);
        }
        extra.extend(copy);
    }
    // Smaller copies of the photos, made once and kept in the image cache.
    let (variants, problems) = images::variants(root, &image_sizes);
    let mut image_cache = Vec::with_capacity(variants.len());
    for (path, cached) in variants {
        image_cache.push(cached.clone());
        extra.push(OutputFile {
            path,
            contents: Contents::Copy(cached),
        });
    }
    for (source, problem) in problems {
        diags.warning(
            source,
            0,
            0,
            format!("{problem}; it is shown at its own size"),
        );
    }
    // Thousands of index files: written in parallel like the pages.
    let written: Vec<(String, Result<(), String>)> = extra
        .into_par_iter()
        .map(|f| {
            let path = f.path.clone();
            (path, sink.put(f))
        })
        .collect();
    for (path, result) in written {
        match result {
            Ok(()) => paths.push(path),
            Err(e) => diags.push(Diagnostic::cannot_write(&path, e)),
        }
    }
    if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
        eprintln!(
            "timings: feeds, search index, static files {:?} (cpu {:?})",
            t_extra.elapsed(),
            cpu_time() - cpu_extra
        );
    }
    let cache = RenderCache {
        glossary: Some((bodies.glossary_names, bodies.glossary.clone())),
        bodies: body_cache,
        cards: card_cache,
        cards_data,
        pages: page_cache,
        entry_pages,
        search: search_key,
        answers: bodies.answers.clone(),
        lookups,
        lists,
        templates,
    };
    RenderOutput {
        paths,
        cache,
        search_bodies,
        image_cache,
    }
}
