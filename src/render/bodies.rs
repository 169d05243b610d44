//! Phase one of rendering: every entry's Markdown, in parallel, then the
//! checks that need all of them (anchors) and the back-links they imply.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::autolink::{Glossary, LinkTerm};
use super::cache::{self, RenderCache};
use super::markdown::{self, AssetLookup, MarkdownContext, PageTarget, Rendered};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::{EntryId, Site};
use crate::load::{CONTENT_DIR, Kind, Meta};
use crate::packed::{self, Dictionary, Packed};
use crate::paths::differs_only_in_capitals;

/// Rendered bodies, indexed like [`Site::entries`].
pub struct Bodies {
    pub rendered: Vec<Arc<Rendered>>,
    /// Per entry: a hash of what a page shows of its body (its HTML and
    /// the links and tooltips its marks stand for).
    pub keys: Vec<u64>,
    pub assets: HashSet<PathBuf>,
    /// Pixel sizes of the JPEG and PNG assets (see `images`).
    pub images: Arc<HashMap<PathBuf, super::images::Size>>,
    pub autolink: bool,
    pub glossary: Glossary,
    /// A hash of the glossary's names, in order.
    pub glossary_names: u64,
    /// Term entry → entries that mention it, in site order.
    pub mentioned_in: FxHashMap<EntryId, Vec<EntryId>>,
    /// Glossary index → term entry.
    pub glossary_terms: Vec<EntryId>,
    /// What every body's lookups were answered from this time (see
    /// [`Answers`]), for the next render.
    pub answers: Answers,
    /// A one-off build's (`keep` false) HTML of every body, held apart
    /// from `rendered` (whose `html` is then empty): only the entry's own
    /// pages show it, and once they are written only its search text is
    /// kept (see [`Bodies::take_page_part`]). Empty while serving.
    held: Vec<std::sync::Mutex<Held>>,
    /// What `held`'s search texts are packed against, when they are
    /// packed (a big site's: see [`packed`]).
    pack: Option<Dictionary>,
    /// With `held`: each glossary term's tooltip, by glossary index, for
    /// the marks that stand for them in the HTML (see
    /// `MarkdownContext::compact_tips`).
    pub tips: Vec<String>,
}

/// Whether a render holds its bodies packed: a one-off render (`keep`
/// false) of a site whose bodies' Markdown is more than `above` bytes (see
/// [`packed::pack_above`]). A build sets its allocator by it too.
pub fn packs(site: &Site, keep: bool, above: usize) -> bool {
    !keep
        && site
            .entries
            .iter()
            .map(|e| e.body.try_with(str::len).unwrap_or(0))
            .sum::<usize>()
            > above
}

/// Bodies a big site's dictionaries are made from (see [`Dictionary`]).
const DICTIONARY_SAMPLES: usize = 16;

/// What only an entry's own page (with its slides) shows of its body.
#[derive(Debug, Default)]
pub struct PagePart {
    pub html: String,
    pub blocks: Vec<markdown::Block>,
    pub headings: Vec<markdown::Heading>,
}

#[derive(Debug)]
enum Held {
    /// Not shown yet: the [`PagePart`], its HTML packed.
    Part {
        html: Packed,
        blocks: Vec<markdown::Block>,
        headings: Vec<markdown::Heading>,
    },
    /// Being shown by the entry's pages.
    Shown,
    /// Shown: the search text of its HTML is all that is left, with how
    /// much of it the index's file of the document keeps when packed (see
    /// `Rendered::text_stored_len`).
    Text(Packed, Option<usize>),
}

impl Held {
    fn part(part: PagePart, pack: Option<&Dictionary>) -> Held {
        Held::Part {
            html: Packed::new(part.html, pack),
            blocks: part.blocks,
            headings: part.headings,
        }
    }
}

/// `v` in an allocation of its own length (see `markdown::exact`): a
/// one-off build holds every body's blocks and headings until its pages
/// are written.
fn exact_vec<T: Clone>(v: Vec<T>) -> Vec<T> {
    if v.capacity() == v.len() {
        v
    } else {
        v.as_slice().to_vec()
    }
}

/// The search text of a body's HTML (the index reads the text of the
/// HTML, raw HTML included).
fn search_text(html: &str) -> String {
    markdown::exact(super::search_docs::search_text(html))
}

/// The search text of `html`, packed when the bodies are (against `pack`),
/// with how much of it the index's file of the document keeps when that
/// is known without unpacking it (see `Rendered::text_stored_len`).
fn held_search_text(html: &str, pack: Option<&Dictionary>) -> (Packed, Option<usize>) {
    let text = search_text(html);
    let stored_len = pack.and_then(|_| crate::search::stored_len_whatever_follows(&text));
    (Packed::new(text, pack), stored_len)
}

impl Bodies {
    /// With a one-off build, entry `id`'s HTML for its own pages to show:
    /// hand it back to [`Bodies::shown`] once they are written. `None`
    /// while serving (the body keeps its HTML) or when already taken.
    pub fn take_page_part(&self, id: EntryId) -> Option<PagePart> {
        let mut slot = self.held.get(id)?.lock().expect("held bodies");
        match std::mem::replace(&mut *slot, Held::Shown) {
            Held::Part {
                html,
                blocks,
                headings,
            } => {
                // Unpacked outside the lock (the lock is this entry's only).
                drop(slot);
                Some(PagePart {
                    html: html.unpack(),
                    blocks,
                    headings,
                })
            }
            other => {
                *slot = other;
                None
            }
        }
    }

    /// Entry `id`'s pages are written: its HTML is freed, keeping the
    /// search text made from it.
    pub fn shown(&self, id: EntryId, part: PagePart) {
        if self.text_made() {
            drop(part);
            return;
        }
        let (text, stored_len) = held_search_text(&part.html, self.pack.as_ref());
        drop(part);
        *self.held[id].lock().expect("held bodies") = Held::Text(text, stored_len);
    }

    /// Whether every body's search text is in `rendered` already, before
    /// its pages are written: a one-off build that does not pack makes it
    /// with the HTML, so its search index can be made beside the pages
    /// (a build that packs makes it as each entry's pages are written,
    /// with the HTML unpacked once: see [`Bodies::shown`]). Serve keeps
    /// the HTML itself.
    pub fn text_made(&self) -> bool {
        self.holds_html_apart() && self.pack.is_none()
    }

    /// Whether a one-off build packs what it holds of the bodies (a big
    /// site's: see [`packed`]); the pages pack what they hold alike.
    pub fn packs(&self) -> bool {
        self.pack.is_some()
    }

    /// These bodies as a big site's one-off build holds them, in what it
    /// packs (for tests of what the pages pack alike).
    #[cfg(test)]
    pub(crate) fn packing(mut self) -> Bodies {
        self.pack = Some(Dictionary::default());
        self
    }

    /// Whether a one-off build holds the bodies' HTML apart (see `held`).
    pub fn holds_html_apart(&self) -> bool {
        !self.held.is_empty()
    }

    /// With [`Bodies::text_made`]: every body's search text, taken for the
    /// index (the pages never read it), each alone in a [`Rendered`] as
    /// the index's documents read them.
    pub fn take_search_texts(&mut self) -> Vec<Arc<Rendered>> {
        self.rendered
            .par_iter_mut()
            .map(|r| {
                let r = Arc::make_mut(r);
                Arc::new(Rendered {
                    text: std::mem::take(&mut r.text),
                    text_stored_len: r.text_stored_len.take(),
                    ..Default::default()
                })
            })
            .collect()
    }

    /// After the pages of a one-off build: every body keeps its search
    /// text, first paragraph (the feeds) and word count only.
    pub fn keep_search_text(&mut self) {
        let text_made = self.text_made();
        let held = std::mem::take(&mut self.held);
        if held.is_empty() {
            return;
        }
        self.rendered
            .par_iter_mut()
            .zip(held)
            .for_each(|(r, slot)| {
                // Still packed, if it was: the index unpacks one at a time.
                let (text, text_stored_len) = match slot.into_inner().expect("held bodies") {
                    // Made with the HTML (empty when the index took it).
                    _ if text_made => (std::mem::take(&mut Arc::make_mut(r).text), None),
                    Held::Text(text, stored_len) => (text, stored_len),
                    // Pages that were never shown (a template error).
                    Held::Part { html, .. } => held_search_text(&html.unpack(), self.pack.as_ref()),
                    Held::Shown => (Packed::default(), None),
                };
                let kept = |r: &mut Rendered| Rendered {
                    text,
                    text_stored_len,
                    first_paragraph: std::mem::take(&mut r.first_paragraph),
                    words: r.words,
                    ..Default::default()
                };
                match Arc::get_mut(r) {
                    Some(owned) => *owned = kept(owned),
                    None => *r = Arc::new(kept(&mut (**r).clone())),
                }
            });
    }
}

/// Fingerprints of everything a body's render can look up outside its own
/// text, taken once per render. When one is the same as last time, every
/// answer of that kind is too, and no body's record needs asking again:
/// a save that changes one body then checks ten thousand records in a few
/// comparisons each.
#[derive(Debug, Clone, Default, PartialEq, Hash)]
pub struct Answers {
    /// Every entry's source and address, the files left out (a link to
    /// one says why it has no page), and the site's assets.
    addresses: u64,
    /// Each glossary term's address and tooltip, by glossary index.
    terms: Vec<u64>,
}

impl Answers {
    fn of(
        site: &Site,
        assets: &HashSet<PathBuf>,
        images: &HashMap<PathBuf, super::images::Size>,
        terms: Vec<u64>,
    ) -> Answers {
        let addresses = cache::key(|h| {
            for (id, e) in site.entries.iter().enumerate() {
                (e.source_bytes(), site.url(id)).hash(h);
            }
            site.left_out_all().hash(h);
            let mut assets: Vec<&PathBuf> = assets.iter().collect();
            assets.sort_unstable();
            assets.hash(h);
            super::images::sizes_key(images, h);
        });
        Answers { addresses, terms }
    }
}

pub use crate::paths::{asset_output_path, root_prefix};

/// The glossary of the site's terms. Compiling the matcher over a thousand
/// names takes tens of milliseconds, so `previous` (a glossary of the same
/// names, from the last render) lends its matcher; the terms' addresses and
/// tooltips are always taken afresh.
pub fn build_glossary(site: &Site, previous: Option<&Glossary>) -> (Glossary, Vec<EntryId>) {
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
    let glossary = match previous {
        Some(same_names) => same_names.with_terms(terms.into_iter().map(|(t, _)| t).collect()),
        None => Glossary::new(terms),
    };
    (glossary, ids)
}

/// Renders one entry's Markdown as seen from the page at `page_url` (its
/// own page, or a page that embeds it, like a path's print view).
pub fn render_entry(
    site: &Site,
    bodies: &Bodies,
    id: EntryId,
    page_url: &str,
    id_prefix: &str,
) -> Rendered {
    let cx = BodyContext {
        site,
        glossary: &bodies.glossary,
        names: 0,
        assets: &bodies.assets,
        images: &bodies.images,
        autolink: bodies.autolink,
        term_hashes: Vec::new(),
        compact_term_hashes: Vec::new(),
        compact_tips: false,
        records: false,
    };
    cx.render(id, page_url, id_prefix, &|_| {}, &|_| {})
}

pub fn content_assets(site: &Site) -> HashSet<PathBuf> {
    site.assets
        .iter()
        .map(|a| Path::new(CONTENT_DIR).join(a))
        .collect()
}

/// The entries whose Markdown a page renders again (a training path's
/// print view and slides embed the path and its steps): a one-off build
/// frees every other entry's Markdown as soon as its body is rendered.
fn rendered_again(site: &Site) -> Vec<bool> {
    let mut again = vec![false; site.entries.len()];
    let default = &site.config.language;
    for (id, e) in site.entries.iter().enumerate() {
        if let Meta::Path(p) = &e.meta {
            again[id] = true;
            for step in &p.steps {
                if let Some(target) = site.get(step.kind, &step.slug, default) {
                    again[target] = true;
                }
            }
        }
    }
    again
}

/// What a body's render read outside its own text, recorded as it read
/// it: the next render reuses the body while every answer is the same.
#[derive(Debug, Clone)]
pub struct BodyRecord {
    text_hash: u64,
    url: String,
    /// The glossary's names in order (any new or renamed name can create a
    /// match anywhere), when this entry auto-links.
    glossary_names: Option<u64>,
    /// `.md` links and assets, and what they resolved to.
    pages: Vec<(PathBuf, Option<PageTarget>)>,
    assets: Vec<(PathBuf, Option<String>)>,
    /// Terms linked, by glossary index, and what the body read of each:
    /// the term's address and tooltip, or in a compact body only whether
    /// it has a tooltip (see [`BodyContext::term_read`]).
    mentions: Vec<(usize, u64)>,
    /// Whether the body was rendered compact (`Rendered::compact`).
    compact: bool,
}

/// A rendered body with what its render read, and a hash of its HTML:
/// pages that show the body depend on that, not on how it was made.
#[derive(Clone)]
pub struct CachedBody {
    /// Shared: reusing a body clones this once per save. `None` in a
    /// one-off build, which has no next render to reuse the body (the
    /// records of 100,000 stories were 50 MB at the bodies' peak).
    pub(super) record: Option<Arc<BodyRecord>>,
    pub(super) rendered: Arc<Rendered>,
    pub(super) html_hash: u64,
}

fn term_hash(term: &LinkTerm) -> u64 {
    cache::key(|h| (&term.slug, &term.url, &term.short).hash(h))
}

/// What a compact body shows of a term: its mark says only whether the
/// term has a tooltip. A new tooltip text leaves such a body as it was
/// (the pages showing it are made again: see `BodyContext::shown_hash`).
fn compact_term_hash(term: &LinkTerm) -> u64 {
    cache::key(|h| (&term.slug, term.short.is_some()).hash(h))
}

fn glossary_names(site: &Site) -> u64 {
    cache::key(|h| {
        for id in site.originals(Kind::Term) {
            let e = &site.entries[id];
            if let Meta::Term(t) = &e.meta {
                (&e.slug, &t.term, &t.aliases).hash(h);
            }
        }
    })
}

/// What a body's render may look up outside its own text. The same
/// functions answer when a body is rendered and when its record is checked.
struct BodyContext<'a> {
    site: &'a Site,
    glossary: &'a Glossary,
    /// A hash of the glossary's names (see [`glossary_names`]).
    names: u64,
    assets: &'a HashSet<PathBuf>,
    images: &'a HashMap<PathBuf, super::images::Size>,
    autolink: bool,
    /// Each glossary term's address and tooltip, hashed once per render.
    term_hashes: Vec<u64>,
    /// What a compact body reads of each term (see [`compact_term_hash`]).
    compact_term_hashes: Vec<u64>,
    /// Tooltips as marks (see `MarkdownContext::compact_tips`).
    compact_tips: bool,
    /// Whether bodies are rendered for a next render to reuse (with a
    /// record of what each read).
    records: bool,
}

/// Which kinds of answers are the same as in the previous render.
#[derive(Clone, Copy)]
struct Unchanged {
    addresses: bool,
    terms: bool,
}

type Recorder<'r, T = String> = &'r (dyn Fn((PathBuf, Option<T>)) + Sync);

impl BodyContext<'_> {
    /// A `.md` link's target page: the entry at `p`, or the one that
    /// says it moved from there; else why the build left `p` out, if it
    /// did, or the entry whose file has its name in other capitals.
    fn resolve_page(&self, p: &Path) -> Option<PageTarget> {
        if let Some(id) = self.site.by_source(p) {
            return Some(PageTarget::page(self.site.url(id)));
        }
        if let Some(id) = self.site.moved_from(p) {
            return Some(PageTarget::Page {
                url: self.site.url(id).to_string(),
                moved_to: Some(self.site.entries[id].source.clone()),
            });
        }
        if let Some(why) = self.site.left_out(p) {
            return Some(PageTarget::LeftOut(why));
        }
        let sources = self.site.entries.iter().map(|e| &e.source);
        differs_only_in_capitals(p, sources).map(|twin| PageTarget::NamedOtherwise(twin.into()))
    }

    /// An asset's output path; for a missing one, the file whose name
    /// differs from it only in capitals (looked for only then: a miss is a
    /// warning, rare).
    fn resolve_asset(&self, p: &Path) -> AssetLookup {
        if self.assets.contains(p) {
            AssetLookup::Found(asset_output_path(p.strip_prefix(CONTENT_DIR).unwrap_or(p)))
        } else {
            AssetLookup::Missing {
                named_otherwise: differs_only_in_capitals(p, self.assets).map(Path::to_path_buf),
            }
        }
    }

    /// What a body's render depends on in looking `p` up: its output path
    /// and an image's size in pixels (a replaced photo changes its
    /// `width`), or for a missing file the one its message names.
    fn asset_answer(&self, p: &Path) -> Option<String> {
        self.answer_of(p, &self.resolve_asset(p))
    }

    /// [`Self::asset_answer`] from the lookup of `p` already made.
    fn answer_of(&self, p: &Path, lookup: &AssetLookup) -> Option<String> {
        match lookup {
            AssetLookup::Found(out) => Some(match self.images.get(p) {
                Some((w, h)) => format!("{out} {w}x{h}"),
                None => out.clone(),
            }),
            AssetLookup::Missing {
                named_otherwise: Some(twin),
            } => Some(format!("missing, named {}", twin.display())),
            AssetLookup::Missing {
                named_otherwise: None,
            } => None,
        }
    }

    /// What a body rendered compact (or not) read of glossary term `m`.
    fn term_read(&self, m: usize, compact: bool) -> Option<u64> {
        match compact {
            true => self.compact_term_hashes.get(m).copied(),
            false => self.term_hashes.get(m).copied(),
        }
    }

    fn links_terms(&self, id: EntryId) -> bool {
        let e = &self.site.entries[id];
        self.autolink && e.autolink && e.kind != Kind::Term && e.lang == self.site.config.language
    }

    /// Renders an entry's body as seen from `page_url`, telling the
    /// recorders every page and asset it looked up.
    fn render(
        &self,
        id: EntryId,
        page_url: &str,
        id_prefix: &str,
        page_read: Recorder<PageTarget>,
        asset_read: Recorder,
    ) -> Rendered {
        let e = &self.site.entries[id];
        let resolve_page = |p: &Path| {
            let answer = self.resolve_page(p);
            page_read((p.to_path_buf(), answer.clone()));
            answer
        };
        let resolve_asset = |p: &Path| {
            let lookup = self.resolve_asset(p);
            asset_read((p.to_path_buf(), self.answer_of(p, &lookup)));
            lookup
        };
        let image_size = |p: &Path| self.images.get(p).copied();
        let root = root_prefix(page_url);
        let cx = MarkdownContext {
            source: &e.source,
            first_line: e.body_line,
            root: &root,
            resolve_page: &resolve_page,
            resolve_asset: &resolve_asset,
            image_size: &image_size,
            glossary: self.links_terms(id).then_some(self.glossary),
            id_prefix,
            compact_tips: self.compact_tips,
        };
        e.body.with(|body| markdown::render(body, &cx))
    }

    /// Renders an entry's body on its own page, recording what it read
    /// when a next render will ask (`records`).
    fn render_recorded(&self, id: EntryId) -> CachedBody {
        let e = &self.site.entries[id];
        let url = self.site.url(id);
        if !self.records {
            let rendered = self.render(id, url, "", &|_| {}, &|_| {});
            return CachedBody {
                html_hash: self.html_hash(&rendered),
                record: None,
                rendered: Arc::new(rendered),
            };
        }
        let pages = std::sync::Mutex::new(Vec::new());
        let assets = std::sync::Mutex::new(Vec::new());
        let rendered = self.render(
            id,
            url,
            "",
            &|read| pages.lock().expect("page reads").push(read),
            &|read| assets.lock().expect("asset reads").push(read),
        );
        let record = BodyRecord {
            text_hash: e.text_hash,
            url: url.to_string(),
            glossary_names: self.links_terms(id).then_some(self.names),
            pages: pages.into_inner().expect("page reads"),
            assets: assets.into_inner().expect("asset reads"),
            mentions: rendered
                .mentions
                .iter()
                .map(|&m| {
                    (
                        m,
                        self.term_read(m, rendered.compact)
                            .expect("a glossary index"),
                    )
                })
                .collect(),
            compact: rendered.compact,
        };
        CachedBody {
            html_hash: self.html_hash(&rendered),
            record: Some(Arc::new(record)),
            rendered: Arc::new(rendered),
        }
    }

    /// A hash of the body's HTML, kept with it while it is reused.
    fn html_hash(&self, rendered: &Rendered) -> u64 {
        cache::key(|h| rendered.html.hash(h))
    }

    /// What a page showing the body shows of it: its HTML, and the terms
    /// its marks stand for (a mark holds a term's glossary index, written
    /// out as the term's link and tooltip when the page is: see
    /// `MarkdownContext::compact_tips`), so that a page is made again when
    /// a tooltip it shows changes though the body's HTML did not. Made
    /// afresh each render: a body is reused across a new tooltip text.
    fn shown_hash(&self, body: &CachedBody) -> u64 {
        cache::key(|h| {
            body.html_hash.hash(h);
            for &m in &body.rendered.mentions {
                (m, self.term_hashes[m]).hash(h);
            }
        })
    }

    /// Whether every answer a body's render got is still the same. Kinds
    /// of answers that `unchanged` vouches for are not asked again.
    fn still_valid(&self, record: &BodyRecord, id: EntryId, unchanged: Unchanged) -> bool {
        record.text_hash == self.site.entries[id].text_hash
            && record.url == self.site.url(id)
            && record.glossary_names == self.links_terms(id).then_some(self.names)
            && (unchanged.addresses
                || record
                    .pages
                    .iter()
                    .all(|(p, answer)| self.resolve_page(p) == *answer)
                    && record
                        .assets
                        .iter()
                        .all(|(p, answer)| self.asset_answer(p) == *answer))
            && (unchanged.terms
                || record
                    .mentions
                    .iter()
                    .all(|&(m, hash)| self.term_read(m, record.compact) == Some(hash)))
    }
}

/// Renders every body, reusing the previous render of an entry while what
/// its render read is unchanged. Returns the bodies and, with `keep`, the
/// cache entries for the next render.
pub fn render_bodies(
    site: &Site,
    images: Arc<HashMap<PathBuf, super::images::Size>>,
    autolink: bool,
    previous: &RenderCache,
    keep: bool,
    diags: &mut Diagnostics,
) -> (Bodies, cache::PerEntry<CachedBody>) {
    let input = (site, images, autolink, previous, keep);
    render_bodies_packing_above(input, packed::pack_above(), diags)
}

type BodiesInput<'a> = (
    &'a Site,
    Arc<HashMap<PathBuf, super::images::Size>>,
    bool,
    &'a RenderCache,
    bool,
);

/// [`render_bodies`], a one-off build packing what it holds of the bodies
/// when their Markdown is more than `pack_above` bytes.
fn render_bodies_packing_above(
    (site, images, autolink, previous, keep): BodiesInput,
    pack_above: usize,
    diags: &mut Diagnostics,
) -> (Bodies, cache::PerEntry<CachedBody>) {
    let names = glossary_names(site);
    let reusable = previous
        .glossary
        .as_ref()
        .filter(|(n, _)| *n == names)
        .map(|(_, g)| g);
    let (glossary, glossary_terms) = build_glossary(site, reusable);
    let assets = content_assets(site);
    let term_hashes: Vec<u64> = glossary.terms.iter().map(term_hash).collect();
    let answers = Answers::of(site, &assets, &images, term_hashes.clone());
    let unchanged = Unchanged {
        addresses: answers.addresses == previous.answers.addresses,
        terms: answers.terms == previous.answers.terms,
    };
    let cx = BodyContext {
        site,
        glossary: &glossary,
        names,
        assets: &assets,
        images: &images,
        autolink,
        term_hashes,
        compact_term_hashes: glossary.terms.iter().map(compact_term_hash).collect(),
        // Tooltips as marks, written out by the pages: a body holds each
        // mention of a term in a few bytes, not the term's link and
        // tooltip (a third of a body's HTML, held by a build while its
        // pages are written and by `serve` while it runs).
        compact_tips: true,
        records: keep,
    };
    // Without `keep` (a one-off build), each source that no page renders
    // again is freed as soon as its body is: some 350 MB at 100,000 stories.
    let again = if keep {
        Vec::new()
    } else {
        rendered_again(site)
    };
    // In the order the sources were loaded: each source freed is then
    // next to others freed at about the same time, so the allocator can
    // reuse their memory for the HTML at once (in the site's order, the
    // sources of 100,000 stories and their HTML were both held at the peak).
    let order = site.ids_in_input_order();
    // A one-off build holds each body's HTML apart as soon as it is
    // rendered (see `held`), packed when the bodies are many: packed at
    // once, the HTML of all of them is never held in full (a big site's
    // Markdown is about five sixths of its HTML).
    let pack = packs(site, keep, pack_above);
    // Packed against dictionaries made from a few bodies spread over the
    // site (rendered twice: a few out of a hundred thousand).
    let dictionaries = pack.then(|| {
        let samples: Vec<String> = order
            .iter()
            .step_by(order.len().div_ceil(DICTIONARY_SAMPLES).max(1))
            .collect::<Vec<_>>()
            .par_iter()
            .map(|&&id| cx.render(id, site.url(id), "", &|_| {}, &|_| {}).html)
            .collect();
        let texts: Vec<String> = samples.iter().map(|html| search_text(html)).collect();
        (
            Dictionary::from_samples(&samples),
            Dictionary::from_samples(&texts),
        )
    });
    let (html_dictionary, text_dictionary) = dictionaries.unzip();
    let made: Vec<(CachedBody, Option<Held>)> = order
        .par_iter()
        .map(|&id| {
            let body = match previous.bodies.get(id, &site.entries[id].source) {
                Some(c)
                    if c.record
                        .as_ref()
                        .is_some_and(|r| cx.still_valid(r, id, unchanged)) =>
                {
                    c.clone()
                }
                _ => cx.render_recorded(id),
            };
            if keep {
                return (body, None);
            }
            if !again[id] {
                site.entries[id].body.release();
            }
            let mut body = body;
            let r = Arc::make_mut(&mut body.rendered);
            if html_dictionary.is_none() {
                // Not packed: its search text at once, so that the index
                // can be made beside the pages (see `Bodies::text_made`).
                r.text = Packed::new(search_text(&r.html), None);
            }
            let part = PagePart {
                html: std::mem::take(&mut r.html),
                blocks: exact_vec(std::mem::take(&mut r.blocks)),
                headings: exact_vec(std::mem::take(&mut r.headings)),
            };
            (body, Some(Held::part(part, html_dictionary.as_ref())))
        })
        .collect();
    let mut slots: Vec<Option<(CachedBody, Option<Held>)>> =
        (0..made.len()).map(|_| None).collect();
    for (&id, made) in order.iter().zip(made) {
        slots[id] = Some(made);
    }
    let (cached, held): (Vec<CachedBody>, Vec<Option<Held>>) = slots
        .into_iter()
        .map(|b| b.expect("every entry rendered once"))
        .unzip();
    let rendered: Vec<Arc<Rendered>> = cached.iter().map(|c| c.rendered.clone()).collect();
    let keys: Vec<u64> = cached.iter().map(|c| cx.shown_hash(c)).collect();
    let cache_entries = if keep {
        cache::PerEntry::new(site, cached)
    } else {
        drop(cached);
        cache::PerEntry::default()
    };

    // Fx-hashed: made again on every save, from every mention.
    let mut mentioned_in: FxHashMap<EntryId, Vec<EntryId>> = FxHashMap::default();
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
    let mut rendered = rendered;
    let tips = glossary
        .terms
        .iter()
        .map(|term| {
            let mut tip = String::new();
            if let Some(short) = &term.short {
                markdown::tip_html(&mut tip, term, short, "");
            }
            tip
        })
        .collect();
    if !keep {
        // Links, anchors and problems were for the checks above only.
        rendered.par_iter_mut().enumerate().for_each(|(id, r)| {
            let r = Arc::make_mut(r);
            r.links = Vec::new();
            r.anchors = HashSet::new();
            r.problems = Vec::new();
            // Cards and feeds show the first paragraph only in place of a
            // summary.
            if site.entries[id].summary().is_some() {
                r.first_paragraph = String::new();
            }
        });
    }
    let held = held
        .into_iter()
        .flatten()
        .map(std::sync::Mutex::new)
        .collect();
    (
        Bodies {
            rendered,
            keys,
            assets,
            images: images.clone(),
            autolink,
            glossary,
            glossary_names: names,
            mentioned_in,
            glossary_terms,
            answers,
            held,
            pack: text_dictionary,
            tips,
        },
        cache_entries,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Site {
        crate::testing::linked_site("title: T\ndepartments:\n  - { id: it, name: IT }\n", files).0
    }

    const TERM: &str = "---\nterm: NPS\nshort: How <likely> they recommend us\n---\nA score.\n";
    const STORY: &str = "---\ntitle: Snow\ndate: 2026-01-01\nauthor: A\ndepartment: it\n---\nOur NPS rose.\n\n## Then\n\nMore.\n";

    fn bodies(site: &Site, keep: bool) -> Bodies {
        let mut diags = Diagnostics::new();
        let (bodies, _) = render_bodies(
            site,
            Arc::default(),
            true,
            &RenderCache::default(),
            keep,
            &mut diags,
        );
        bodies
    }

    #[test]
    fn a_one_off_build_hands_each_body_to_its_pages_once_then_keeps_its_text() {
        let files = [("glossary/nps.md", TERM), ("stories/snow.md", STORY)];
        let site = site(&files);
        let story = site.get(Kind::Story, "snow", "en").unwrap();
        let served = bodies(&site, true);
        assert!(!served.holds_html_apart());
        assert!(served.take_page_part(story).is_none());
        // Served bodies hold tooltips as marks too, written out by pages.
        assert!(!served.rendered[story].html.contains("term-tip"));
        let served_marks = markdown::Marks {
            tips: &served.tips,
            terms: &served.glossary.terms,
            root: "../../",
        };
        let served_page_html = markdown::expand_marks(&served.rendered[story].html, &served_marks);
        assert!(served_page_html.contains("term-tip"), "{served_page_html}");

        let site = self::site(&files);
        let mut one_off = bodies(&site, false);
        assert!(one_off.holds_html_apart());
        assert!(one_off.rendered[story].html.is_empty(), "held apart");
        let part = one_off.take_page_part(story).expect("the story's HTML");
        assert!(one_off.take_page_part(story).is_none(), "handed out once");
        // The tooltip is a mark that the page writes out in full.
        assert!(!part.html.contains("term-tip"), "{}", part.html);
        assert_eq!(
            markdown::expand_marks(
                &part.html,
                &markdown::Marks {
                    tips: &one_off.tips,
                    terms: &one_off.glossary.terms,
                    root: "../../",
                }
            ),
            served_page_html
        );
        assert_eq!(part.headings, served.rendered[story].headings);
        one_off.shown(story, part);
        assert!(one_off.take_page_part(story).is_none(), "freed");
        one_off.keep_search_text();
        assert!(!one_off.holds_html_apart());
        let search_text = super::super::search_docs::search_text;
        let text = search_text(&served.rendered[story].html);
        assert_eq!(one_off.rendered[story].text.text(), text);
        assert!(
            !text.contains("likely"),
            "tooltips are not searched: {text}"
        );
        // An entry whose pages were never written keeps its text too.
        let term = site.get(Kind::Term, "nps", "en").unwrap();
        assert_eq!(
            one_off.rendered[term].text.text(),
            search_text(&served.rendered[term].html)
        );
    }

    #[test]
    fn a_one_off_build_that_does_not_pack_has_every_search_text_before_its_pages() {
        let files = [("glossary/nps.md", TERM), ("stories/snow.md", STORY)];
        let site = site(&files);
        let story = site.get(Kind::Story, "snow", "en").unwrap();
        let served = bodies(&site, true);
        assert!(!served.text_made(), "serve keeps the HTML itself");
        let search_text = super::super::search_docs::search_text;

        let site = self::site(&files);
        let mut one_off = bodies(&site, false);
        assert!(one_off.text_made());
        let texts = one_off.take_search_texts();
        for (id, text) in texts.iter().enumerate() {
            assert_eq!(
                text.text.text(),
                search_text(&served.rendered[id].html),
                "{id}"
            );
            assert!(text.html.is_empty() && one_off.rendered[id].text.is_empty());
        }
        // Its pages then only free the HTML: no text is made again.
        let part = one_off.take_page_part(story).unwrap();
        one_off.shown(story, part);
        assert!(matches!(&*one_off.held[story].lock().unwrap(), Held::Shown));
        one_off.keep_search_text();
        assert!(one_off.rendered[story].text.is_empty());

        // A build that packs makes each text as its pages are written.
        let site = self::site(&files);
        let input = (&site, Arc::default(), true, &RenderCache::default(), false);
        let (packed, _) = render_bodies_packing_above(input, 0, &mut Diagnostics::new());
        assert!(!packed.text_made());
        assert!(packed.rendered[story].text.is_empty());
    }

    #[test]
    fn a_big_site_s_bodies_are_packed_against_dictionaries_of_its_own_bodies() {
        let story = |i: usize| {
            format!(
                "---\ntitle: Snow {i}\ndate: 2026-01-01\nauthor: A\ndepartment: it\n---\n\
                 Our NPS rose when the snow came in week {i} and the vans could not reach \
                 the customers.\n\n- The note field is now the first thing an agent sees.\n{}",
                // One long enough for the search index's cap.
                "Then the vans came back, one street at a time.\n".repeat(if i == 7 {
                    60
                } else {
                    0
                })
            )
        };
        let names: Vec<String> = (0..40).map(|i| format!("stories/snow-{i}.md")).collect();
        let texts: Vec<String> = (0..40).map(story).collect();
        let mut files: Vec<(&str, &str)> = vec![("glossary/nps.md", TERM)];
        files.extend(
            names
                .iter()
                .zip(&texts)
                .map(|(n, t)| (n.as_str(), t.as_str())),
        );
        let plain = bodies(&site(&files), false);
        assert!(plain.pack.is_none());
        let site = site(&files);
        let input = (&site, Arc::default(), true, &RenderCache::default(), false);
        let (mut packed, _) = render_bodies_packing_above(input, 0, &mut Diagnostics::new());
        assert!(packed.pack.is_some());
        let mut plain = plain;
        for id in 0..site.entries.len() {
            let held = |b: &Bodies| match &*b.held[id].lock().unwrap() {
                Held::Part { html, .. } => html.clone(),
                _ => panic!("not shown yet"),
            };
            // Short bodies pack only thanks to the dictionary.
            if site.entries[id].kind == Kind::Story {
                assert!(held(&packed).is_packed(), "{id}");
            }
            let part = packed.take_page_part(id).unwrap();
            let expected = plain.take_page_part(id).unwrap();
            assert_eq!(part.html, expected.html);
            packed.shown(id, part);
            plain.shown(id, expected);
        }
        packed.keep_search_text();
        plain.keep_search_text();
        for id in site.ids(Kind::Story) {
            assert!(packed.rendered[id].text.is_packed(), "{id}");
            let text = plain.rendered[id].text.text();
            assert_eq!(packed.rendered[id].text.text(), text);
            // What the index keeps of it, known without unpacking it when
            // it reaches the cap (only packed texts need it).
            let stored_len = crate::search::stored_len_whatever_follows(&text);
            assert_eq!(packed.rendered[id].text_stored_len, stored_len, "{id}");
            assert_eq!(stored_len.is_some(), site.entries[id].slug == "snow-7");
            assert_eq!(plain.rendered[id].text_stored_len, None);
        }
    }

    /// A story of some 2,400 characters: longer than the text a search
    /// index file keeps of it (`MAX_TEXT_CHARS`).
    fn long_story() -> String {
        format!(
            "---\ntitle: Snow\ndate: 2026-01-01\nauthor: A\ndepartment: it\n---\n{}",
            "Our NPS rose when the snow came and the vans could not reach the customers.\n\n"
                .repeat(30)
        )
    }

    #[test]
    fn a_big_site_s_one_off_build_holds_bodies_packed_and_gives_back_the_same() {
        let long = long_story();
        let files = [
            ("glossary/nps.md", TERM),
            ("stories/snow.md", long.as_str()),
        ];
        let site = site(&files);
        let story = site.get(Kind::Story, "snow", "en").unwrap();
        let plain = bodies(&site, false);
        let expected = plain.take_page_part(story).unwrap();
        // The same bodies as a big site holds them (see `PACK_ABOVE`).
        let site = self::site(&files);
        let mut packed = bodies(&site, false);
        let dictionary = Dictionary::from_samples(std::slice::from_ref(&expected.html));
        packed.pack = Some(dictionary.clone());
        for slot in &packed.held {
            let mut slot = slot.lock().unwrap();
            if let Held::Part { html, .. } = &mut *slot {
                *html = Packed::new(std::mem::take(html).unpack(), Some(&dictionary));
            }
        }
        assert!(matches!(
            &*packed.held[story].lock().unwrap(),
            Held::Part { html, .. } if html.is_packed()
        ));
        let part = packed.take_page_part(story).unwrap();
        assert_eq!(part.html, expected.html);
        assert_eq!(part.blocks, expected.blocks);
        packed.shown(story, part);
        assert!(matches!(
            &*packed.held[story].lock().unwrap(),
            Held::Text(text, _) if text.is_packed()
        ));
        packed.keep_search_text();
        // Left packed for the index, which unpacks one at a time.
        assert!(packed.rendered[story].text.is_packed());
        assert_eq!(
            packed.rendered[story].text.text(),
            search_text(&expected.html)
        );
        let docs = super::super::search_docs::search_docs(&site, &packed.rendered).into_docs();
        let doc = docs.iter().find(|d| d.url == site.url(story)).unwrap();
        assert!(matches!(doc.body, crate::search::DocBody::Packed { .. }));
        // The same document as from bodies held as they are.
        let mut plain = plain;
        plain.shown(story, expected);
        plain.keep_search_text();
        let plain_docs = super::super::search_docs::search_docs(&site, &plain.rendered).into_docs();
        assert!(matches!(
            plain_docs[story].body,
            crate::search::DocBody::Plain(_)
        ));
        assert_eq!(doc.body.text(), plain_docs[story].body.text());
        assert!(doc.body.text().contains("Our NPS rose"));
    }

    /// `serve`'s index after a save makes each document's text when it
    /// reads it, from the HTML the server keeps: the same documents, the
    /// same index, and each file's share of the text known up front.
    #[test]
    fn serve_s_documents_made_when_read_are_the_documents_made_at_once() {
        use crate::search::{DocBody, build_index_owned, stored_len};
        // Long enough for the text each file keeps to be cut.
        let long = long_story();
        let files = [
            // With a `short`, written before its body's text.
            ("glossary/nps.md", TERM),
            ("stories/snow.md", long.as_str()),
            ("stories/then.md", STORY),
        ];
        let site = site(&files);
        let kept = bodies(&site, true);
        let search_docs = super::super::search_docs::search_docs;
        let at_once = search_docs(&site, &kept.rendered).into_docs();
        let when_read = search_docs(&site, &kept.rendered).into_docs_made_when_read();
        assert_eq!(when_read.len(), 3);
        for (made, deferred) in at_once.iter().zip(&when_read) {
            assert!(matches!(made.body, DocBody::Plain(_)));
            let DocBody::Deferred {
                stored_len: len, ..
            } = deferred.body
            else {
                panic!("{}: made at once", deferred.url);
            };
            assert_eq!(deferred, made);
            assert_eq!(len, stored_len(&made.body.text()), "{}", made.url);
        }
        let snow = at_once.iter().find(|d| d.url.contains("snow")).unwrap();
        assert!(stored_len(&snow.body.text()) < snow.body.text().len());
        assert_eq!(build_index_owned(when_read), build_index_owned(at_once));
    }
}
