//! The build pipeline as one object: load → link → render → write.
//!
//! `build` runs a fresh [`Pipeline`] into a staging directory, `check` into
//! a sink that discards, and `serve` keeps one warm between saves and
//! renders into a sink that keeps only what changed. There is no second
//! copy of the stages: whatever `build` checks, `serve` checks.
//!
//! Between renders the pipeline keeps the parsed sources (a save re-reads
//! only the files it touched) and the [`RenderCache`] of the last render
//! that succeeded, which lets unchanged bodies, cards and pages be reused.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::build::BuildOptions;
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::link::{self, Site};
use crate::load::{self, Entry, Kind};
use crate::paths::{CONFIG_FILE, CONTENT_DIR, LAYOUTS_DIR};
use crate::render::search_docs::SearchInput;
use crate::render::theme::Theme;
use crate::render::{self, RenderCache, Sink};

/// What changed since the pipeline last read its sources.
#[derive(Debug, Clone, Copy)]
pub enum Changes<'a> {
    /// Read everything again (first build, lost watcher events).
    Everything,
    /// These files or folders (absolute paths) were created, modified or
    /// removed.
    Paths(&'a [PathBuf]),
}

/// One Markdown file as last read, with what loading it found wrong.
struct Loaded {
    entry: Option<Arc<Entry>>,
    diags: Diagnostics,
    /// Marked `draft: true`, whether or not it has errors.
    draft: bool,
}

/// What a render produced, for the caller to report or finish.
pub struct Rendered {
    /// Every output file, relative to the output directory.
    pub paths: Vec<String>,
    /// Entries rendered, per kind.
    pub entries: BTreeMap<Kind, usize>,
    /// With deferred search: what the search documents are made from,
    /// when they changed since the last render; the caller builds the index.
    pub search: Option<SearchInput>,
    /// The image cache's files the output uses: after a full build, the
    /// caller prunes the rest (see [`Pipeline::prune_image_cache`]).
    pub image_cache: Vec<PathBuf>,
}

/// A fingerprint of everything linking reads: the configuration, each
/// entry's file name, kind, slug, language and front matter (never its
/// body), and the assets.
#[derive(PartialEq)]
struct LinkInput(u64);

impl LinkInput {
    fn of(
        config: &Arc<SiteConfig>,
        entries: &[Arc<Entry>],
        assets: &BTreeSet<PathBuf>,
        left_out: &load::LeftOut,
    ) -> Self {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        Arc::as_ptr(config).hash(&mut h);
        for e in entries {
            (
                e.source_bytes(),
                e.kind,
                &e.slug,
                &e.lang,
                e.front_matter_hash,
            )
                .hash(&mut h);
        }
        assets.hash(&mut h);
        left_out.hash(&mut h);
        LinkInput(h.finish())
    }
}

/// What a full read of `content/` found (see [`load_content`]).
struct LoadedContent {
    markdown: BTreeMap<PathBuf, Loaded>,
    assets: BTreeSet<PathBuf>,
    links: Vec<load::Link>,
    scan_diags: Diagnostics,
    git_dates: Arc<std::collections::HashMap<PathBuf, chrono::NaiveDate>>,
    git_dates_key: u64,
}

struct Linked {
    input: LinkInput,
    site: Arc<Site>,
    /// What linking (and the duplicate-slug check before it) reported.
    diags: Diagnostics,
}

pub struct Pipeline {
    options: BuildOptions,
    config: Option<Arc<SiteConfig>>,
    theme: Option<Theme>,
    /// Problems of `site.yaml` and `layouts/`, reported on every render
    /// until fixed.
    config_diags: Diagnostics,
    theme_diags: Diagnostics,
    /// Markdown files under `content/`, by path relative to it.
    markdown: BTreeMap<PathBuf, Loaded>,
    /// Other files under `content/`, relative to it.
    assets: BTreeSet<PathBuf>,
    /// The symbolic links the last full scan met (see
    /// [`Pipeline::involves_links`]).
    links: Vec<load::Link>,
    scan_diags: Diagnostics,
    /// Each source's last commit date, read with every full scan (a save
    /// commits nothing, so it cannot change them).
    git_dates: Arc<std::collections::HashMap<PathBuf, chrono::NaiveDate>>,
    git_dates_key: u64,
    /// What the last successful render can lend the next one.
    memo: RenderCache,
    /// The site of the last render (for `check`'s translation report, and
    /// shared with `serve`'s search thread).
    site: Option<Arc<Site>>,
    /// What the last link was made from and what it reported.
    linked: Option<Linked>,
    /// What the last render replaced (the previous site and cache: a
    /// hundred thousand allocations), freed by [`Pipeline::tidy`] once the
    /// render's result has been put to use rather than before.
    retired: Vec<Box<dyn Send>>,
    /// The day the last render counted coverage up to, kept whether or
    /// not it succeeded (see [`Pipeline::day_passed`]).
    rendered_day: Option<chrono::NaiveDate>,
}

impl Pipeline {
    /// A pipeline that has read nothing yet: call [`Pipeline::apply`] with
    /// [`Changes::Everything`] first.
    pub fn new(mut options: BuildOptions) -> Pipeline {
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
        Pipeline {
            options,
            config: None,
            theme: None,
            config_diags: Diagnostics::new(),
            theme_diags: Diagnostics::new(),
            markdown: BTreeMap::new(),
            assets: BTreeSet::new(),
            links: Vec::new(),
            scan_diags: Diagnostics::new(),
            git_dates: Arc::default(),
            git_dates_key: 0,
            memo: RenderCache::default(),
            site: None,
            linked: None,
            retired: Vec::new(),
            rendered_day: None,
        }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// The site of the last render, if it got that far.
    pub fn site(&self) -> Option<&Site> {
        self.site.as_deref()
    }

    /// Whether the day has changed since the last render counted coverage
    /// up to its own (never when the day is pinned): a site served across
    /// midnight renders again so its coverage page is not a day behind.
    /// A failed render counts too, so a broken site is not retried every
    /// second after midnight.
    pub fn day_passed(&self, today: chrono::NaiveDate) -> bool {
        self.options.render.today.is_none() && self.rendered_day.is_some_and(|day| day != today)
    }

    /// Pins the day coverage counts up to for the renders from now on
    /// (`None`: the clock's). What a server reaching midnight sees, for
    /// tests that must not wait for one.
    pub fn pin_day(&mut self, day: Option<chrono::NaiveDate>) {
        self.options.render.today = day;
    }

    /// Forgets what earlier renders produced, so the next render makes
    /// every file afresh (its sink holds nothing from before).
    pub fn forget_output(&mut self) {
        self.memo = RenderCache::default();
    }

    /// Reads what changed from disk.
    pub fn apply(&mut self, changes: Changes<'_>) {
        let root = self.options.root.clone();
        let paths = match changes {
            Changes::Everything => {
                self.reload_config();
                // The templates and the content side by side: neither needs
                // the other, and listing `content/` is one thread's work.
                let (root, output) = (&self.options.root, &self.options.output);
                let config = self.config.as_deref();
                let (theme, content) = rayon::join(
                    || load_theme(root, config),
                    || load_content(root, output, config),
                );
                self.set_theme(theme);
                self.set_content(content);
                return;
            }
            Changes::Paths(paths) => paths,
        };
        // site.yaml is read again when it changed, and when a file it
        // names (a person's photo, which must exist) or a folder holding
        // one did: what a build finds wrong with it, serve finds too.
        let config_changed = paths
            .iter()
            .any(|p| p == &root.join(CONFIG_FILE) || self.config_names(p));
        if config_changed || self.config.is_none() {
            let before = self.config.take();
            self.reload_config();
            self.reload_theme();
            let parses_alike = match (&before, &self.config) {
                (Some(before), Some(now)) => parses_alike(before, now),
                _ => false,
            };
            if !parses_alike {
                self.reload_content();
                return;
            }
            // Otherwise what was read stays right (a new title, a renamed
            // department: linking and rendering see those): only the
            // files this batch touched are read again, below.
        } else if self.theme.is_none()
            || paths.iter().any(|p| p.starts_with(root.join(LAYOUTS_DIR)))
        {
            self.reload_theme();
        }
        let Some(config) = self.config.clone() else {
            return;
        };
        // What a symbolic link changes reaches beyond the path saved (an
        // edit of a file shows at each link to it; a link made may lead to
        // a whole folder, to a folder holding it, out of the site or into
        // the output). Links are rare: a batch that involves one reads the
        // whole content again, by the very scan a build makes, so the same
        // links are followed or skipped, with the same warnings.
        if self.involves_links(paths) {
            self.reload_content();
            return;
        }
        let content = root.join(CONTENT_DIR);
        // A folder named like a Markdown file is a scan warning (see
        // `load::scan`): one made, or one gone (a missing `.md` path that
        // was no entry), reads the content again by the scan, for its
        // warning to come or go as in a build. Such folders are rare.
        let markdown_folder = |path: &PathBuf| {
            path.strip_prefix(&content).is_ok_and(|rel| {
                load::is_markdown(rel)
                    && !rel.iter().any(|c| load::is_ignored(&c.to_string_lossy()))
                    && (path.is_dir() || (!path.exists() && !self.markdown.contains_key(rel)))
            })
        };
        if paths.iter().any(markdown_folder) {
            self.reload_content();
            return;
        }
        let mut reread = Vec::new();
        for path in paths {
            let Ok(rel) = path.strip_prefix(&content) else {
                continue;
            };
            if path.is_file() {
                // The same rules as a full scan: nothing under an ignored
                // name (hidden folders, editors' litter) is content, and a
                // symbolic link counts only if it stays inside the site.
                if rel.iter().any(|c| load::is_ignored(&c.to_string_lossy()))
                    || !load::within_root(&root, path)
                {
                    continue;
                }
                if load::is_markdown(rel) {
                    reread.push(rel.to_path_buf());
                } else {
                    self.assets.insert(rel.to_path_buf());
                }
            } else if !path.exists() {
                // A file, or a whole folder, is gone.
                self.markdown.retain(|p, _| !p.starts_with(rel));
                self.assets.retain(|p| !p.starts_with(rel));
            }
        }
        if config_changed {
            // A file with errors had its ids checked against site.yaml's
            // lists when it was read (see `load::KnownIds`): read again
            // against the new ones. (Such files are few.)
            reread.extend(
                self.markdown
                    .iter()
                    .filter(|(_, loaded)| loaded.entry.is_none())
                    .map(|(rel, _)| rel.clone()),
            );
        }
        self.markdown.extend(parse_all(&root, reread, &config));
    }

    /// Whether any of `paths` (absolute) is a symbolic link now, or is
    /// inside a folder that is one; or, at the last full scan, was a link
    /// or inside a folder one led to, or was what one led to; or is a
    /// folder that held either.
    fn involves_links(&self, paths: &[PathBuf]) -> bool {
        let content = self.options.root.join(CONTENT_DIR);
        let is_link = |path: &Path| path.symlink_metadata().is_ok_and(|m| m.is_symlink());
        let nested = |a: &Path, b: &Path| a.starts_with(b) || b.starts_with(a);
        // Folders looked up and found not to be links: a batch's files
        // mostly share them.
        let mut plain_folders = HashSet::new();
        paths.iter().any(|path| {
            let known = self
                .links
                .iter()
                .any(|link| nested(path, &link.path) || nested(path, &link.target));
            known
                || is_link(path)
                || path
                    .ancestors()
                    .skip(1)
                    .take_while(|folder| folder.starts_with(&content) && *folder != content)
                    .any(|folder| {
                        !plain_folders.contains(folder) && {
                            plain_folders.insert(folder.to_path_buf());
                            is_link(folder)
                        }
                    })
        })
    }

    /// What the symbolic links under `content/` that the last full scan
    /// followed lead to (canonical paths): `serve` watches them too.
    pub fn link_targets(&self) -> Vec<PathBuf> {
        let followed = self.links.iter().filter(|link| link.followed);
        followed.map(|link| link.target.clone()).collect()
    }

    /// Whether `path` (absolute) is a file site.yaml names, or a folder
    /// holding one.
    fn config_names(&self, path: &Path) -> bool {
        let content = self.options.root.join(CONTENT_DIR);
        self.config.as_ref().is_some_and(|config| {
            config
                .people
                .iter()
                .filter_map(|person| person.photo.as_deref())
                .any(|photo| content.join(photo).starts_with(path))
        })
    }

    fn reload_config(&mut self) {
        self.config_diags = Diagnostics::new();
        self.config = match SiteConfig::load(&self.options.root) {
            Ok(c) => Some(Arc::new(c)),
            Err(problems) => {
                problems.into_iter().for_each(|p| self.config_diags.push(p));
                None
            }
        };
    }

    fn reload_theme(&mut self) {
        let theme = load_theme(&self.options.root, self.config.as_deref());
        self.set_theme(theme);
    }

    fn set_theme(&mut self, (theme, diags): (Option<Theme>, Diagnostics)) {
        self.theme = theme;
        self.theme_diags = diags;
    }

    fn reload_content(&mut self) {
        let options = &self.options;
        let content = load_content(&options.root, &options.output, self.config.as_deref());
        self.set_content(content);
    }

    fn set_content(&mut self, content: Option<LoadedContent>) {
        self.markdown.clear();
        self.assets.clear();
        if let Some(c) = content {
            self.markdown = c.markdown;
            self.assets = c.assets;
            self.links = c.links;
            self.scan_diags = c.scan_diags;
            self.git_dates = c.git_dates;
            self.git_dates_key = c.git_dates_key;
        }
    }

    /// Links the sources and renders every page into `sink`, with the
    /// checks every build makes. Problems go to `diags`; `None` when
    /// nothing could be rendered at all (site.yaml or a layout is broken).
    /// The render cache advances only when the render had no errors: after
    /// a failure, what is served is still what the last good render made.
    pub fn render(&mut self, sink: &dyn Sink, diags: &mut Diagnostics) -> Option<Rendered> {
        let today = self
            .options
            .render
            .today
            .unwrap_or_else(crate::coverage::today);
        self.rendered_day = Some(today);
        diags.extend(self.config_diags.clone());
        diags.extend(self.theme_diags.clone());
        let config = self.config.clone()?;
        diags.extend(self.scan_diags.clone());
        let mut entries = Vec::with_capacity(self.markdown.len());
        let mut left_out = load::LeftOut::default();
        for (rel, loaded) in &self.markdown {
            // A draft left out of the build may be unfinished (a missing
            // field, a date still to fix): its problems stop neither
            // `build` nor `check` (with `--drafts` it is built, and checked
            // like any entry).
            if loaded.draft && !self.options.drafts {
                left_out.insert_draft(rel);
                continue;
            }
            match &loaded.entry {
                Some(e) => {
                    diags.extend(loaded.diags.clone());
                    entries.push(e.clone());
                }
                None => {
                    diags.extend(loaded.diags.clone());
                    left_out.insert_failed(rel);
                }
            }
        }
        let t = std::time::Instant::now();
        let cpu = crate::render::cpu_time();
        let site = self.link(config, entries, left_out, diags);
        if !self.options.render.reuse {
            // Only messages made while loading and linking point into the
            // front matter: a one-off build frees it now.
            for e in &site.entries {
                e.front_matter.release();
            }
        }
        let linked = t.elapsed();
        if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
            eprintln!(
                "timings: loaded and linked, memory {}, cpu {:?} so far",
                crate::render::peak_memory(),
                crate::render::cpu_time()
            );
        }
        let theme = self.theme.as_ref()?;
        let out = render::render_site(
            &self.options.root,
            &site,
            theme,
            render::RenderOptions {
                today: Some(today),
                ..self.options.render
            },
            &self.memo,
            sink,
            diags,
        );
        let rendered = t.elapsed();
        check_unique_paths(&out.paths, &site, diags);
        if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
            eprintln!(
                "timings: link {linked:?}, render {:?}, output checks {:?}, memory {}, cpu {:?} since loaded",
                rendered - linked,
                t.elapsed() - rendered,
                crate::render::peak_memory(),
                crate::render::cpu_time() - cpu
            );
        }
        if !diags.has_errors() {
            let old = std::mem::replace(&mut self.memo, out.cache);
            self.retired.push(Box::new(old));
        }
        let mut counts = BTreeMap::new();
        for e in &site.entries {
            *counts.entry(e.kind).or_insert(0) += 1;
        }
        if let Some(old) = self.site.replace(site.clone()) {
            self.retired.push(Box::new(old));
        }
        Some(Rendered {
            paths: out.paths,
            entries: counts,
            search: out
                .search_bodies
                .map(|rendered| SearchInput { site, rendered }),
            image_cache: out.image_cache,
        })
    }

    /// Links the entries into a site. When only bodies changed since the
    /// last link (a save of a story's text), the last site is reused with
    /// the new entries and its problems are reported again.
    fn link(
        &mut self,
        config: Arc<SiteConfig>,
        entries: Vec<Arc<Entry>>,
        left_out: load::LeftOut,
        diags: &mut Diagnostics,
    ) -> Arc<Site> {
        let input = LinkInput::of(&config, &entries, &self.assets, &left_out);
        if let Some(linked) = &self.linked
            && linked.input == input
            && linked.site.git_dates_key == self.git_dates_key
        {
            diags.extend(linked.diags.clone());
            return Arc::new(linked.site.with_new_bodies(&entries));
        }
        let mut found = Diagnostics::new();
        load::report_duplicate_slugs(&entries, &mut found);
        let assets = self.assets.iter().cloned().collect();
        let mut site =
            link::link_with_left_out(config, entries, assets, Some(&left_out), &mut found);
        site.git_dates = self.git_dates.clone();
        site.git_dates_key = self.git_dates_key;
        let site = Arc::new(site);
        diags.extend(found.clone());
        if let Some(old) = self.linked.replace(Linked {
            input,
            site: site.clone(),
            diags: found,
        }) {
            self.retired.push(Box::new(old));
        }
        site
    }

    /// After a full build that succeeded and was put in place: removes the
    /// image cache's copies `rendered` no longer uses. Only then, so a
    /// save while serving (an image moved for a moment, a failed build)
    /// never costs the resizing again.
    pub fn prune_image_cache(&self, rendered: &Rendered) -> usize {
        render::images::prune(&self.options.root, &rendered.image_cache)
    }

    /// Frees what earlier renders left behind (see `retired`).
    pub fn tidy(&mut self) {
        self.retired.clear();
    }

    /// Sets whether the search index is left to the caller.
    pub fn defer_search(&mut self, defer: bool) {
        self.options.render.defer_search = defer;
    }

    /// The output folder's path as the pipeline resolved it.
    pub fn output(&self) -> &Path {
        &self.options.output
    }
}

/// The layouts, compiled, and what they reported.
fn load_theme(root: &Path, config: Option<&SiteConfig>) -> (Option<Theme>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(config) = config else {
        return (None, diags);
    };
    let theme = match Theme::load(root, config) {
        Ok(t) => {
            t.warnings.iter().for_each(|w| diags.push(w.clone()));
            Some(t)
        }
        Err(problems) => {
            problems.into_iter().for_each(|p| diags.push(p));
            None
        }
    };
    (theme, diags)
}

/// Everything under `content/`, read and parsed afresh (`None` without a
/// usable site.yaml); `output` is never read (see [`load::scan`]).
fn load_content(root: &Path, output: &Path, config: Option<&SiteConfig>) -> Option<LoadedContent> {
    let config = config?;
    let scan = load::scan(root, output);
    let git_dates = Arc::new(crate::coverage::git_dates(root));
    Some(LoadedContent {
        git_dates_key: crate::coverage::dates_key(&git_dates),
        git_dates,
        markdown: parse_all(root, scan.markdown, config).collect(),
        assets: scan.assets.into_iter().collect(),
        links: scan.links,
        scan_diags: scan.diags,
    })
}

/// Whether every file parses the same under both configurations: parsing
/// reads only the default language and the languages a translation may
/// name (`load::parse_entry`); everything else site.yaml says is used by
/// linking and rendering, which run again anyway.
fn parses_alike(a: &SiteConfig, b: &SiteConfig) -> bool {
    a.language == b.language && a.languages == b.languages
}

/// Parses Markdown files (relative to `content/`) in parallel.
fn parse_all(
    root: &Path,
    files: Vec<PathBuf>,
    config: &SiteConfig,
) -> impl Iterator<Item = (PathBuf, Loaded)> {
    let many = files.len() >= MANY_FILES;
    let parse = || {
        files
            .into_par_iter()
            .map(|rel| {
                let parsed = load::parse_file(root, &rel, config);
                let loaded = Loaded {
                    entry: parsed.entry.map(Arc::new),
                    diags: parsed.diags,
                    draft: parsed.draft,
                };
                (rel, loaded)
            })
            .collect::<Vec<(PathBuf, Loaded)>>()
    };
    // Many files: on more threads than cores, so that a file the system
    // must fetch from the disk is read while others are parsed (a source
    // not read for a while is often no longer in memory: on the 10k site
    // with none in memory, loading took 307 against 376 ms; with most,
    // 126 against 140 ms). A few (a save while serving) need no pool.
    let readers = many
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(rayon::current_num_threads() * READERS_PER_CORE)
                .thread_name(|i| format!("campfire-read-{i}"))
                .build()
                .ok()
        })
        .flatten();
    let parsed = match readers {
        Some(pool) => pool.install(parse),
        None => parse(),
    };
    parsed.into_iter()
}

/// Threads reading and parsing sources, per core (see `parse_all`).
const READERS_PER_CORE: usize = 4;
/// How many files `parse_all` reads on threads of their own.
const MANY_FILES: usize = 256;

/// Two sources that map to one output file would overwrite each other:
/// reported at the first of them, naming all.
fn check_unique_paths(paths: &[String], site: &Site, diags: &mut Diagnostics) {
    let mut seen = HashSet::with_capacity(paths.len());
    for p in paths {
        if seen.insert(p.as_str()) {
            continue;
        }
        let pages = (0..site.entries.len())
            .filter(|&id| crate::paths::page_file(site.url(id)) == *p)
            .map(|id| site.entries[id].source.clone());
        let assets = site
            .assets
            .iter()
            .filter(|a| crate::paths::asset_output_path(a) == *p)
            .map(|a| Path::new(CONTENT_DIR).join(a));
        let moved = site
            .moves()
            .iter()
            .filter(|m| m.file == *p)
            .map(|m| site.entries[m.to].source.clone());
        let sources: Vec<PathBuf> = pages.chain(assets).chain(moved).collect();
        let names: Vec<String> = sources.iter().map(|s| s.display().to_string()).collect();
        let at = sources
            .first()
            .map_or_else(|| PathBuf::from(CONTENT_DIR), Clone::clone);
        diags.error(
            at,
            0,
            0,
            format!(
                "two things would be written to {p} ({}): rename one of them",
                if names.is_empty() {
                    "a generated page".to_string()
                } else {
                    names.join(" and ")
                }
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The day a render counted up to is what `serve` compares with at
    /// midnight: a render that failed counts (so a broken site is not
    /// retried every second), a pinned day never passes.
    #[test]
    fn a_day_passes_after_the_day_a_render_counted_up_to() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("site.yaml"), "title: T\n").unwrap();
        let mut pipeline = Pipeline::new(BuildOptions::new(root));
        let today = crate::coverage::today();
        let tomorrow = today.succ_opt().unwrap();
        assert!(!pipeline.day_passed(tomorrow), "nothing rendered yet");
        pipeline.apply(Changes::Everything);
        let mut diags = Diagnostics::new();
        pipeline.render(&render::NullSink, &mut diags);
        assert!(!pipeline.day_passed(today));
        assert!(pipeline.day_passed(tomorrow));

        std::fs::write(root.join("site.yaml"), "title: [\n").unwrap();
        pipeline.apply(Changes::Paths(&[root.join("site.yaml")]));
        let mut diags = Diagnostics::new();
        assert!(pipeline.render(&render::NullSink, &mut diags).is_none());
        assert!(diags.has_errors());
        assert!(!pipeline.day_passed(today), "the failed render counted");

        let mut options = BuildOptions::new(root);
        options.render.today = Some(today);
        let mut pinned = Pipeline::new(options);
        pinned.apply(Changes::Everything);
        pinned.render(&render::NullSink, &mut Diagnostics::new());
        assert!(!pinned.day_passed(tomorrow));
    }

    #[test]
    fn many_sources_read_on_threads_of_their_own_come_back_in_order_each_parsed() {
        let dir = tempfile::tempdir().unwrap();
        let stories = dir.path().join(CONTENT_DIR).join("stories");
        std::fs::create_dir_all(&stories).unwrap();
        let n = MANY_FILES + 44;
        let files: Vec<PathBuf> = (0..n)
            .map(|i| {
                let name = format!("s{:04}.md", (i * 7919) % n);
                let text = format!(
                    "---\ntitle: \"Story {name}\"\ndate: 2024-01-02\nauthor: \"A. B.\"\ndepartment: it\n---\nBody {name}.\n"
                );
                std::fs::write(stories.join(&name), text).unwrap();
                PathBuf::from("stories").join(name)
            })
            .collect();
        let config =
            SiteConfig::parse("title: T\ndepartments:\n  - { id: it, name: IT }\n").unwrap();
        let parsed: Vec<(PathBuf, Loaded)> =
            parse_all(dir.path(), files.clone(), &config).collect();
        let order: Vec<&PathBuf> = parsed.iter().map(|(p, _)| p).collect();
        assert_eq!(
            order,
            files.iter().collect::<Vec<_>>(),
            "in the order given"
        );
        for (path, loaded) in &parsed {
            let entry = loaded
                .entry
                .as_ref()
                .unwrap_or_else(|| panic!("{path:?}: {:?}", loaded.diags));
            let stem = path.file_stem().unwrap().to_str().unwrap();
            assert_eq!(entry.title(), format!("Story {stem}.md"));
        }
    }
}
