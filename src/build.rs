//! `campfire build` and `check`: a fresh [`Pipeline`] into a staging
//! directory, or into nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostics::Diagnostics;
use crate::link::Site;
use crate::load::Kind;
use crate::pipeline::{Changes, Pipeline};
use crate::render::{self, RenderOptions};
use crate::write;

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub drafts: bool,
    pub render: RenderOptions,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        BuildOptions {
            output: root.join(crate::paths::OUTPUT_DIR),
            root,
            drafts: false,
            render: RenderOptions::default(),
        }
    }
}

/// What a successful build did, for the one-line summary.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub entries: BTreeMap<Kind, usize>,
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    /// Warnings (never errors: those fail the build).
    pub diagnostics: Diagnostics,
}

impl BuildReport {
    pub fn summary(&self) -> String {
        let kinds: Vec<String> = [
            (Kind::Story, "stories"),
            (Kind::Term, "terms"),
            (Kind::Case, "cases"),
            (Kind::Path, "paths"),
            (Kind::Page, "pages"),
        ]
        .iter()
        .map(|(k, name)| format!("{} {name}", self.entries.get(k).copied().unwrap_or(0)))
        .collect();
        format!(
            "{} → {} pages ({} files) in {:.2} s{}",
            kinds.join(", "),
            self.pages,
            self.files,
            self.elapsed.as_secs_f64(),
            match self.diagnostics.warning_count() {
                0 => String::new(),
                n => format!(", {n} warning{}", if n == 1 { "" } else { "s" }),
            }
        )
    }
}

/// A full build: a fresh pipeline renders into a staging directory as it
/// goes, which replaces the output only if there were no errors.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    build_then(options, drop)
}

/// [`build`] for a process that ends as soon as it is done (`campfire
/// build`): the site's memory goes back with the process instead of being
/// freed piece by piece, which took one thread about 20 ms at 10,000
/// stories, with nothing left to run beside it.
pub fn build_before_exit(options: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    build_then(options, std::mem::forget)
}

/// A build that hands its pipeline to `release` once nothing needs it.
fn build_then(
    options: &BuildOptions,
    release: impl FnOnce(Pipeline),
) -> Result<BuildReport, Diagnostics> {
    let start = Instant::now();
    let mut diags = Diagnostics::new();
    let staging = match write::Staging::begin(&options.output) {
        Ok(s) => s,
        Err(e) => {
            // The message names the output already.
            diags.error("", 0, 0, e.to_string());
            return Err(diags);
        }
    };
    let mut one_off = options.clone();
    one_off.render.reuse = false;
    let mut pipeline = Pipeline::new(one_off);
    pipeline.apply(Changes::Everything);
    let rendered = pipeline.render(&staging, &mut diags);
    let Some(rendered) = rendered.filter(|_| !diags.has_errors()) else {
        return Err(diags);
    };
    let rendered_at = start.elapsed();
    let root = pipeline.options().root.clone();
    // Nothing else needs the site.
    release(pipeline);
    if let Err(e) = staging.commit() {
        diags.error("", 0, 0, e.to_string());
        return Err(diags);
    }
    // The output in place uses exactly these copies: the others can go.
    render::images::prune(&root, &rendered.image_cache);
    if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
        eprintln!(
            "timings: load+render+write {rendered_at:?}, swap {:?}, peak memory {}",
            start.elapsed() - rendered_at,
            render::peak_memory()
        );
    }
    Ok(BuildReport {
        entries: rendered.entries,
        pages: rendered
            .paths
            .iter()
            .filter(|p| p.ends_with(".html"))
            .count(),
        files: rendered.paths.len(),
        elapsed: start.elapsed(),
        diagnostics: diags,
    })
}

/// `campfire check`: the same pipeline into a sink that discards. Every
/// problem, warnings included, counts as an error; plus the translation
/// report (not errors).
pub fn check(root: &Path, drafts: bool) -> (Diagnostics, String) {
    let mut diags = Diagnostics::new();
    let mut options = BuildOptions::new(root);
    options.drafts = drafts;
    options.render.reuse = false;
    let mut pipeline = Pipeline::new(options);
    pipeline.apply(Changes::Everything);
    let report = match pipeline.render(&render::NullSink, &mut diags) {
        Some(_) => pipeline
            .site()
            .map(|site| {
                let mut report = String::new();
                let translations = translation_report(site);
                if !translations.is_empty() {
                    report.push_str(&format!("Translations:\n{translations}\n"));
                }
                report.push_str(&publishing_notes(site));
                report
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    diags.promote_warnings();
    (diags, report)
}

/// What the published site lacks that `check` can tell, without failing
/// it: a feed whose links are relative, no sitemap, a 404 page that
/// cannot know its sub-path, all for want of `base_url`.
pub fn publishing_notes(site: &Site) -> String {
    if site.config.base_url.is_some() || site.ids(Kind::Story).next().is_none() {
        return String::new();
    }
    format!(
        "{}: warning: no `base_url`: {} links to stories by relative addresses (some feed readers cannot follow them), no {} is written (sitemaps need absolute URLs) and {} links from the host's root; add `base_url: https://…` (the published site's address) to site.yaml\n",
        crate::paths::CONFIG_FILE,
        crate::paths::FEED,
        crate::paths::SITEMAP,
        crate::paths::NOT_FOUND
    )
}

/// Per language, the terms still lacking a translation.
pub fn translation_report(site: &Site) -> String {
    let mut out = String::new();
    let originals: Vec<&str> = site
        .originals(Kind::Term)
        .map(|i| site.entries[i].slug.as_str())
        .collect();
    if originals.is_empty() {
        return out;
    }
    for lang in &site.config.languages {
        let missing: Vec<&str> = originals
            .iter()
            .copied()
            .filter(|slug| site.get(Kind::Term, slug, lang).is_none())
            .collect();
        if missing.is_empty() {
            out.push_str(&format!(
                "{lang}: all {} terms translated\n",
                originals.len()
            ));
        } else {
            out.push_str(&format!(
                "{lang}: {} of {} terms translated; missing: {}\n",
                originals.len() - missing.len(),
                originals.len(),
                missing.join(", ")
            ));
        }
    }
    out
}
