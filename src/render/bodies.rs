//! Phase one of rendering: every entry's Markdown, in parallel, then the
//! checks that need all of them (anchors) and the back-links they imply.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::autolink::{Glossary, LinkTerm};
use super::cache::{self, RenderCache};
use super::markdown::{self, MarkdownContext, Rendered};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::{EntryId, Site};
use crate::load::{CONTENT_DIR, Kind, Meta};

/// Rendered bodies, indexed like [`Site::entries`].
pub struct Bodies {
    pub rendered: Vec<Arc<Rendered>>,
    /// Per entry: the key its body was rendered under (its inputs' hash).
    pub keys: Vec<u64>,
    pub assets: HashSet<PathBuf>,
    pub autolink: bool,
    pub glossary: Glossary,
    /// Term entry → entries that mention it, in site order.
    pub mentioned_in: HashMap<EntryId, Vec<EntryId>>,
    /// Glossary index → term entry.
    pub glossary_terms: Vec<EntryId>,
}

pub use crate::paths::{asset_output_path, root_prefix};

pub fn build_glossary(site: &Site) -> (Glossary, Vec<EntryId>) {
    let mut terms = Vec::new();
    let mut ids = Vec::new();
    for id in site.originals(Kind::Term) {
        let e = &site.entries[id];
        let Meta::Term(t) = &e.meta else { continue };
        let names: Vec<String> = std::iter::once(t.term.clone())
            .chain(t.aliases.iter().cloned())
            .collect();
        terms.push((
            LinkTerm {
                slug: e.slug.clone(),
                url: site.url(id).to_string(),
                short: t.short.clone(),
            },
            names,
        ));
        ids.push(id);
    }
    (Glossary::new(terms), ids)
}

/// Renders one entry's Markdown as seen from the page at `page_url` (its
/// own page, or a page that embeds it, like a path's print view).
pub fn render_entry(
    site: &Site,
    glossary: &Glossary,
    assets: &HashSet<PathBuf>,
    autolink: bool,
    id: EntryId,
    page_url: &str,
    id_prefix: &str,
) -> Rendered {
    let e = &site.entries[id];
    let resolve_page = |p: &Path| site.by_source(p).map(|id| site.url(id).to_string());
    let resolve_asset = |p: &Path| {
        assets
            .contains(p)
            .then(|| asset_output_path(p.strip_prefix(CONTENT_DIR).unwrap_or(p)))
    };
    let root = root_prefix(page_url);
    let links_terms =
        autolink && e.autolink && e.kind != Kind::Term && e.lang == site.config.language;
    let cx = MarkdownContext {
        source: &e.source,
        first_line: e.body_line,
        root: &root,
        resolve_page: &resolve_page,
        resolve_asset: &resolve_asset,
        glossary: links_terms.then_some(glossary),
        id_prefix,
    };
    markdown::render(&e.body, &cx)
}

pub fn content_assets(site: &Site) -> HashSet<PathBuf> {
    site.assets
        .iter()
        .map(|a| Path::new(CONTENT_DIR).join(a))
        .collect()
}

/// Everything outside an entry that its rendered body depends on: the
/// glossary (auto-links) and where every entry and asset lives (links).
fn context_key(site: &Site, autolink: bool) -> u64 {
    cache::key(|h| {
        autolink.hash(h);
        for (id, e) in site.entries.iter().enumerate() {
            e.source.hash(h);
            site.url(id).hash(h);
            if let Meta::Term(t) = &e.meta {
                (&t.term, &t.aliases, &t.short, &e.lang).hash(h);
            }
        }
        site.assets.hash(h);
    })
}

/// Renders every body, reusing the previous render of entries whose text
/// and context did not change. Returns the bodies and the cache entries.
pub fn render_bodies(
    site: &Site,
    autolink: bool,
    previous: &RenderCache,
    diags: &mut Diagnostics,
) -> (Bodies, HashMap<PathBuf, (u64, Arc<Rendered>)>) {
    let (glossary, glossary_terms) = build_glossary(site);
    let assets = content_assets(site);
    let context = context_key(site, autolink);
    let keyed: Vec<(u64, Arc<Rendered>)> = (0..site.entries.len())
        .into_par_iter()
        .map(|id| {
            let e = &site.entries[id];
            let key = cache::key(|h| {
                context.hash(h);
                (&e.source, e.text_hash, e.autolink, &e.lang).hash(h);
            });
            match previous.bodies.get(&e.source) {
                Some((k, r)) if *k == key => (key, r.clone()),
                _ => (
                    key,
                    Arc::new(render_entry(
                        site,
                        &glossary,
                        &assets,
                        autolink,
                        id,
                        site.url(id),
                        "",
                    )),
                ),
            }
        })
        .collect();
    let cache_entries = keyed
        .iter()
        .enumerate()
        .map(|(id, (k, r))| (site.entries[id].source.clone(), (*k, r.clone())))
        .collect();
    let (keys, rendered): (Vec<u64>, Vec<Arc<Rendered>>) = keyed.into_iter().unzip();

    let mut mentioned_in: HashMap<EntryId, Vec<EntryId>> = HashMap::new();
    for (id, r) in rendered.iter().enumerate() {
        for p in &r.problems {
            diags.push(p.clone());
        }
        for link in &r.links {
            if link.anchor.is_empty() {
                continue;
            }
            let Some(target) = site.by_source(&link.target) else {
                continue;
            };
            if !rendered[target].anchors.contains(&link.anchor) {
                let mut known: Vec<&str> = rendered[target]
                    .anchors
                    .iter()
                    .map(String::as_str)
                    .collect();
                known.sort_unstable();
                let hint = crate::diagnostics::did_you_mean(&link.anchor, known.iter().copied())
                    .map(|s| format!("did you mean \"#{s}\"?"))
                    .unwrap_or_else(|| {
                        format!(
                            "headings there: {}",
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        )
                    });
                diags.push(Diagnostic::warning(
                    &site.entries[id].source,
                    link.line,
                    link.col,
                    format!(
                        "broken link: {} has no heading \"#{}\" ({hint})",
                        link.target.display(),
                        link.anchor
                    ),
                ));
            }
        }
        for &m in &r.mentions {
            let term = glossary_terms[m];
            if term != id {
                mentioned_in.entry(term).or_default().push(id);
            }
        }
    }
    (
        Bodies {
            rendered,
            keys,
            assets,
            autolink,
            glossary,
            mentioned_in,
            glossary_terms,
        },
        cache_entries,
    )
}
