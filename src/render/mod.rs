//! Render: Markdown bodies (phase one, [`bodies`]), then every page through
//! the templates (phase two, [`pages`]), the feed, the sitemap and the
//! static files. Everything stays in memory; [`crate::write`] puts it on disk.

pub mod autolink;
pub mod bodies;
pub mod chart;
mod feeds;
pub mod markdown;
pub mod pages;
pub mod theme;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::link::Site;
use crate::load::CONTENT_DIR;
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

#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Glossary auto-linking (on unless benchmarking its cost).
    pub autolink: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { autolink: true }
    }
}

/// Renders the whole site in memory.
pub fn render_site(
    root: &Path,
    site: &Site,
    theme: &Theme,
    options: RenderOptions,
    diags: &mut Diagnostics,
) -> Vec<OutputFile> {
    let t = std::time::Instant::now();
    let bodies = bodies::render_bodies(site, options.autolink, diags);
    let t_bodies = t.elapsed();
    let pages = pages::Pages::new(site, theme, &bodies);
    let mut files = pages.render_all(diags);
    if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
        eprintln!(
            "timings: markdown {t_bodies:?}, pages {:?}",
            t.elapsed() - t_bodies
        );
    }
    let summaries: Vec<String> = (0..site.entries.len())
        .map(|i| {
            site.entries[i]
                .summary()
                .map(str::to_string)
                .unwrap_or_else(|| pages::truncate_words(&bodies.rendered[i].first_paragraph, 40))
        })
        .collect();
    files.push(feeds::atom(site, &summaries));
    files.push(feeds::sitemap(&files, site));
    for (path, source) in &theme.assets {
        files.push(OutputFile {
            path: path.clone(),
            contents: match source {
                AssetSource::Embedded(bytes) => Contents::Static(bytes),
                AssetSource::File(p) => Contents::Copy(p.clone()),
            },
        });
    }
    for asset in &site.assets {
        files.push(OutputFile {
            path: bodies::asset_output_path(asset),
            contents: Contents::Copy(root.join(CONTENT_DIR).join(asset)),
        });
    }
    files
}
