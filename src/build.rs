//! Drives the stages: load → link → render → write. `build`, `check` and
//! `serve` all go through here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::link::{self, Site};
use crate::load::{self, Kind};
use crate::render::{self, RenderOptions, Sink, theme::Theme};
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
            output: root.join("public"),
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

/// Everything a render needs, after load and link.
pub struct Prepared {
    pub site: Site,
    pub theme: Theme,
}

/// Load and link. Returns `None` only when nothing can be rendered at all.
pub fn prepare(root: &Path, drafts: bool, diags: &mut Diagnostics) -> Option<Prepared> {
    let config = match SiteConfig::load(root) {
        Ok(c) => c,
        Err(problems) => {
            for p in problems {
                diags.push(p);
            }
            return None;
        }
    };
    let theme = match Theme::load(root, &config) {
        Ok(t) => Some(t),
        Err(problems) => {
            for p in problems {
                diags.push(p);
            }
            None
        }
    };
    let (content, d) = load::load_content(root, &config, drafts);
    diags.extend(d);
    let site = link::link(config, content, diags);
    theme.map(|theme| Prepared { site, theme })
}

/// Load, link and render into `sink`. Returns the site and the output
/// paths, or `None` when nothing could be rendered at all.
pub fn render(
    options: &BuildOptions,
    sink: &dyn Sink,
    diags: &mut Diagnostics,
) -> Option<(Site, Vec<String>)> {
    let prepared = prepare(&options.root, options.drafts, diags)?;
    let paths = render::render_site(
        &options.root,
        &prepared.site,
        &prepared.theme,
        options.render,
        &render::RenderCache::default(),
        sink,
        diags,
    )
    .paths;
    check_unique_paths(&paths, diags);
    Some((prepared.site, paths))
}

fn check_unique_paths(paths: &[String], diags: &mut Diagnostics) {
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        if !seen.insert(p.as_str()) {
            diags.error(
                load::CONTENT_DIR,
                0,
                0,
                format!("two things would be written to {p}: rename one of the entries or assets"),
            );
        }
    }
}

/// A full build: pages are written into a staging directory as they are
/// rendered, which replaces the output only if there were no errors.
pub fn build(options: &BuildOptions) -> Result<BuildReport, Diagnostics> {
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
    let rendered = render(options, &staging, &mut diags);
    let Some((site, paths)) = rendered.filter(|_| !diags.has_errors()) else {
        return Err(diags);
    };
    let rendered_at = start.elapsed();
    if let Err(e) = staging.commit() {
        diags.error(&options.output, 0, 0, e.to_string());
        return Err(diags);
    }
    if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
        eprintln!(
            "timings: load+render+write {rendered_at:?}, swap {:?}, peak memory {}",
            start.elapsed() - rendered_at,
            render::peak_memory()
        );
    }
    let mut entries = BTreeMap::new();
    for e in &site.entries {
        *entries.entry(e.kind).or_insert(0) += 1;
    }
    Ok(BuildReport {
        entries,
        pages: paths.iter().filter(|p| p.ends_with(".html")).count(),
        files: paths.len(),
        elapsed: start.elapsed(),
        diagnostics: diags,
    })
}

/// `campfire check`: every problem, warnings included, as errors; plus the
/// translation report (not errors).
pub fn check(root: &Path) -> (Diagnostics, String) {
    let mut diags = Diagnostics::new();
    let options = BuildOptions::new(root);
    let report = match render(&options, &render::NullSink, &mut diags) {
        Some((site, _)) => translation_report(&site),
        None => String::new(),
    };
    diags.promote_warnings();
    (diags, report)
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
