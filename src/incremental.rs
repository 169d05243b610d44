//! Rebuilding while serving. Parsed entries stay in memory between builds,
//! so a save re-reads only the files that changed; the site is re-linked and
//! re-rendered in memory, and only the output files whose bytes changed are
//! written (stale ones removed). Writing the same bytes a full build would,
//! file by file, is what makes it safe: the tests compare the two.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use crate::build::BuildOptions;
use crate::config::{CONFIG_FILE, SiteConfig};
use crate::diagnostics::Diagnostics;
use crate::link::{self, Site};
use crate::load::{self, CONTENT_DIR, Entry};
use crate::render::theme::{LAYOUTS_DIR, Theme};
use crate::render::{self, Contents, OutputFile, RenderCache, RenderOptions, Sink};
use crate::search_worker::SearchWorker;
use crate::serve::{BuildFailure, Outcome, Rebuild};
use crate::write::{self, Staging};

/// The build pipeline, kept warm between rebuilds.
pub struct Incremental {
    options: BuildOptions,
    config: Option<SiteConfig>,
    theme: Option<Theme>,
    /// Parsed Markdown files, by path under `content/`.
    files: BTreeMap<PathBuf, (Option<Entry>, Diagnostics)>,
    assets: BTreeSet<PathBuf>,
    /// What the output holds now: path → hash of its bytes.
    served: HashMap<String, u64>,
    cache: RenderCache,
    /// Rebuilds the search index after a save, off the reload's path.
    search: SearchWorker,
}

impl Incremental {
    pub fn new(mut options: BuildOptions) -> Incremental {
        // Watchers report canonical absolute paths; compare like with like.
        if let Ok(root) = options.root.canonicalize() {
            if options.output.is_relative() || options.output.starts_with(&options.root) {
                let rel = options
                    .output
                    .strip_prefix(&options.root)
                    .unwrap_or(&options.output)
                    .to_path_buf();
                options.output = root.join(rel);
            }
            options.root = root;
        }
        Incremental {
            config: None,
            theme: None,
            files: BTreeMap::new(),
            assets: BTreeSet::new(),
            served: HashMap::new(),
            cache: RenderCache::default(),
            search: SearchWorker::start(options.output.clone()),
            options,
        }
    }

    /// Blocks until the background search index has caught up.
    pub fn wait_for_search(&self) {
        self.search.wait_idle();
    }

    fn reload_config(&mut self, diags: &mut Diagnostics) {
        self.config = match SiteConfig::load(&self.options.root) {
            Ok(c) => Some(c),
            Err(problems) => {
                problems.into_iter().for_each(|p| diags.push(p));
                None
            }
        };
    }

    fn reload_theme(&mut self, diags: &mut Diagnostics) {
        let Some(config) = &self.config else { return };
        self.theme = match Theme::load(&self.options.root, config) {
            Ok(t) => Some(t),
            Err(problems) => {
                problems.into_iter().for_each(|p| diags.push(p));
                None
            }
        };
    }

    fn reload_all_content(&mut self, diags: &mut Diagnostics) {
        let Some(config) = &self.config else { return };
        let (markdown, assets, d) = load::scan(&self.options.root);
        diags.extend(d);
        use rayon::prelude::*;
        let root = &self.options.root;
        self.files = markdown
            .into_par_iter()
            .map(|rel| {
                let parsed = load::parse_file(root, &rel, config);
                (rel, parsed)
            })
            .collect();
        self.assets = assets.into_iter().collect();
    }

    /// Applies changed paths (absolute) to the cache.
    fn apply(&mut self, changed: &[PathBuf], diags: &mut Diagnostics) {
        let root = self.options.root.clone();
        let content = root.join(CONTENT_DIR);
        let config_changed = changed.iter().any(|p| p == &root.join(CONFIG_FILE));
        let layouts_changed = changed
            .iter()
            .any(|p| p.starts_with(root.join(LAYOUTS_DIR)));
        if config_changed || self.config.is_none() {
            self.reload_config(diags);
            self.reload_theme(diags);
            // Languages and vocabularies shape how every file parses.
            self.reload_all_content(diags);
            return;
        }
        if layouts_changed || self.theme.is_none() {
            self.reload_theme(diags);
        }
        let Some(config) = &self.config else { return };
        for path in changed {
            let Ok(rel) = path.strip_prefix(&content) else {
                continue;
            };
            let rel = rel.to_path_buf();
            if path.is_file() {
                let hidden = rel.iter().any(|c| load::is_ignored(&c.to_string_lossy()));
                if hidden {
                    continue;
                }
                if load::is_markdown(&rel) {
                    let parsed = load::parse_file(&root, &rel, config);
                    self.files.insert(rel, parsed);
                } else {
                    self.assets.insert(rel);
                }
            } else if !path.exists() {
                // A file, or a whole folder, is gone.
                self.files.retain(|p, _| !p.starts_with(&rel));
                self.assets.retain(|p| !p.starts_with(&rel));
            }
        }
    }

    /// Load-stage results as a `Content`, with their messages.
    fn content(&mut self, diags: &mut Diagnostics) -> load::Content {
        let mut entries = Vec::with_capacity(self.files.len());
        for (entry, d) in self.files.values_mut() {
            diags.extend(d.clone());
            if let Some(e) = entry.take() {
                entries.push(e);
            }
        }
        load::assemble(
            entries,
            self.assets.iter().cloned().collect(),
            self.options.drafts,
            diags,
        )
    }

    /// Puts entries back into the cache after a render.
    fn restore(&mut self, site: Site) {
        let (_, content) = site.into_parts();
        let mut by_source: HashMap<PathBuf, Entry> = content
            .entries
            .into_iter()
            .map(|e| {
                (
                    e.source
                        .strip_prefix(CONTENT_DIR)
                        .unwrap_or(&e.source)
                        .to_path_buf(),
                    e,
                )
            })
            .collect();
        for (rel, (entry, _)) in self.files.iter_mut() {
            if entry.is_none() {
                *entry = by_source.remove(rel);
            }
        }
    }

    /// Renders the whole site into memory, keeping only files that differ
    /// from what is served. Errors leave the output untouched.
    fn render(&mut self, full: bool) -> Result<Outcome, BuildFailure> {
        let start = Instant::now();
        let mut diags = Diagnostics::new();
        let failure = |diags: &Diagnostics| BuildFailure {
            message: diags.render().trim_end().to_string(),
        };
        if self.config.is_none() || self.theme.is_none() {
            return Err(failure(&diags));
        }
        let content = self.content(&mut diags);
        let config = self.config.clone().expect("config loaded");
        let site = link::link(config, content, &mut diags);
        let linked = start.elapsed();
        let theme = self.theme.as_ref().expect("theme loaded");
        if full {
            self.served.clear();
            self.cache = RenderCache::default();
        }
        let sink = DiffSink::new(&self.served);
        let options = RenderOptions {
            defer_search: !full,
            ..self.options.render
        };
        let out = render::render_site(
            &self.options.root,
            &site,
            theme,
            options,
            &self.cache,
            &sink,
            &mut diags,
        );
        let paths = out.paths;
        let rendered = start.elapsed();
        let (mut hashes, changed) = sink.finish();
        self.restore(site);
        if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
            eprintln!(
                "timings: load+link {linked:?}, render {:?}, restore {:?}",
                rendered - linked,
                start.elapsed() - rendered
            );
        }
        if diags.has_errors() {
            return Err(failure(&diags));
        }
        self.cache = out.cache;
        let mut changed_urls: Vec<String> = changed.iter().map(|f| f.path.clone()).collect();
        if full {
            write_fresh(&self.options.output, changed).map_err(|e| BuildFailure {
                message: e.to_string(),
            })?;
        } else {
            // Old pages go first: once a renamed page is served, its old
            // address already answers 404.
            let current: BTreeSet<&String> = paths.iter().collect();
            for stale in self
                .served
                .keys()
                .filter(|p| !current.contains(p) && !is_search_file(p))
            {
                remove_stale(&self.options.output, stale);
                changed_urls.push(stale.clone());
            }
            for f in &changed {
                write::replace_file(&self.options.output, f).map_err(|e| BuildFailure {
                    message: e.to_string(),
                })?;
            }
            // The search worker owns the index files from here on.
            for (path, hash) in &self.served {
                if is_search_file(path) {
                    hashes.insert(path.clone(), *hash);
                }
            }
            if let Some(docs) = out.search_docs {
                self.search.submit(docs);
            }
        }
        self.served = hashes;
        changed_urls.sort();
        let warnings = match diags.warning_count() {
            0 => String::new(),
            n => {
                eprint!("{}", diags.render());
                format!(", {n} warning{}", if n == 1 { "" } else { "s" })
            }
        };
        Ok(Outcome {
            summary: format!(
                "{} of {} files changed in {} ms{warnings}",
                changed_urls.len(),
                paths.len(),
                start.elapsed().as_millis()
            ),
            changed_urls,
        })
    }
}

impl Rebuild for Incremental {
    fn build_all(&mut self) -> Result<Outcome, BuildFailure> {
        let mut diags = Diagnostics::new();
        self.reload_config(&mut diags);
        self.reload_theme(&mut diags);
        self.reload_all_content(&mut diags);
        if diags.has_errors() {
            return Err(BuildFailure {
                message: diags.render().trim_end().to_string(),
            });
        }
        self.render(true)
    }

    fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Outcome, BuildFailure> {
        let mut diags = Diagnostics::new();
        self.apply(changed, &mut diags);
        if diags.has_errors() {
            return Err(BuildFailure {
                message: diags.render().trim_end().to_string(),
            });
        }
        self.render(false)
    }
}

fn is_search_file(path: &str) -> bool {
    path.starts_with("search/") && path.ends_with(".js")
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    render::cache::key(|h| bytes.hash(h))
}

/// Hashes every file and keeps the ones that differ from `previous`.
struct DiffSink<'a> {
    previous: &'a HashMap<String, u64>,
    state: Mutex<(HashMap<String, u64>, Vec<OutputFile>)>,
}

impl<'a> DiffSink<'a> {
    fn new(previous: &'a HashMap<String, u64>) -> Self {
        DiffSink {
            previous,
            state: Mutex::new((HashMap::with_capacity(previous.len()), Vec::new())),
        }
    }

    fn finish(self) -> (HashMap<String, u64>, Vec<OutputFile>) {
        self.state.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for DiffSink<'_> {
    fn put(&self, file: OutputFile) -> Result<(), String> {
        let hash = match &file.contents {
            Contents::Bytes(b) => hash_bytes(b),
            Contents::Static(b) => hash_bytes(b),
            Contents::Shared(b) => hash_bytes(b),
            Contents::Copy(p) => {
                hash_bytes(&std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?)
            }
        };
        let changed = self.previous.get(&file.path) != Some(&hash);
        let mut state = self.state.lock().map_err(|e| e.to_string())?;
        state.0.insert(file.path.clone(), hash);
        if changed {
            state.1.push(file);
        }
        Ok(())
    }

    fn keep(&self, path: &str) -> Result<(), String> {
        let hash = *self
            .previous
            .get(path)
            .ok_or_else(|| format!("{path} was not written before"))?;
        let mut state = self.state.lock().map_err(|e| e.to_string())?;
        state.0.insert(path.to_string(), hash);
        Ok(())
    }
}

fn write_fresh(output: &Path, files: Vec<OutputFile>) -> Result<(), write::WriteError> {
    let staging = Staging::begin(output)?;
    for f in files {
        staging.put(f).map_err(|e| write::WriteError::Io {
            path: output.to_path_buf(),
            source: std::io::Error::other(e),
        })?;
    }
    staging.commit()
}

/// Removes a file no longer produced, and the folders it leaves empty.
fn remove_stale(output: &Path, rel: &str) {
    let path = output.join(rel);
    let _ = std::fs::remove_file(&path);
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == output || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}
