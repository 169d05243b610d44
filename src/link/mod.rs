//! Link: resolve the references between entries and site.yaml into a [`Site`].
//!
//! After this stage every department, touchpoint, value, related term,
//! translation and training-path step is known to exist, so rendering never
//! has to ask "what if it is missing".

use std::collections::BTreeMap;

// Rebuilt on every save while serving: a fast hasher for the lookups.
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{CONTENT_DIR, Content, Entry, Kind, KnownIds, LeftOut, Meta, Why};
use crate::paths;

pub mod moves;
pub mod tags;

pub use moves::Move;

/// Index of an entry in [`Site::entries`].
pub type EntryId = usize;

/// A training path's use of an entry: shown as "step 3 of 7 in <path>".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathStep {
    pub path: EntryId,
    /// 0-based.
    pub index: usize,
}

/// The content, cross-referenced and checked.
#[derive(Debug, Clone)]
pub struct Site {
    /// Shared with the pipeline, which keeps it between rebuilds.
    pub config: Arc<SiteConfig>,
    /// Stories newest first, then everything else by title. Shared with
    /// the pipeline's loaded sources: re-linking copies no entry.
    pub entries: Vec<Arc<Entry>>,
    /// Non-Markdown files under `content/`, relative to it.
    pub assets: Vec<PathBuf>,
    /// Lookups by slug, source and entry, made once per link and shared
    /// by every site relinked from this one (see `with_new_bodies`).
    index: Arc<Index>,
    /// Each source's last git commit date (`content/…` → date), when the
    /// site is a git repository: freshness on `/coverage/`.
    pub git_dates: Arc<std::collections::HashMap<PathBuf, chrono::NaiveDate>>,
    /// A fingerprint of `git_dates`, for what caches pages built from them.
    pub git_dates_key: u64,
}

#[derive(Debug, Default)]
struct Index {
    by_slug: HashMap<(Kind, String, String), EntryId>,
    by_source: HashMap<PathBuf, EntryId>,
    /// Term slug → translations (other languages), in site.yaml order.
    translations: HashMap<String, Vec<EntryId>>,
    /// Entry → the training-path steps that point at it.
    steps: HashMap<EntryId, Vec<PathStep>>,
    /// Each entry's page URL, worked out once (pages ask for them constantly).
    urls: Vec<String>,
    /// Entry id → its position in the list `link_shared` was given.
    input_order: Vec<usize>,
    /// Old addresses of renamed or moved entries (`moved_from:`).
    moves: Vec<Move>,
    /// Each old file of `moves` → its move, for links to it.
    moved_sources: HashMap<PathBuf, usize>,
    /// The files the build left out (drafts, files with errors), when
    /// linking was told them.
    left_out: LeftOut,
}

impl Site {
    pub fn get(&self, kind: Kind, slug: &str, lang: &str) -> Option<EntryId> {
        self.index
            .by_slug
            .get(&(kind, slug.to_string(), lang.to_string()))
            .copied()
    }

    /// Entry whose file is at `path`, relative to the site root (`content/…/x.md`).
    pub fn by_source(&self, path: &Path) -> Option<EntryId> {
        self.index.by_source.get(path).copied()
    }

    pub fn ids(&self, kind: Kind) -> impl Iterator<Item = EntryId> + '_ {
        (0..self.entries.len()).filter(move |&i| self.entries[i].kind == kind)
    }

    /// Entries of a kind in the default language.
    pub fn originals(&self, kind: Kind) -> impl Iterator<Item = EntryId> + '_ {
        self.ids(kind)
            .filter(|&i| self.entries[i].lang == self.config.language)
    }

    /// The other-language versions of a term (empty for anything else).
    pub fn translations(&self, slug: &str) -> &[EntryId] {
        self.index.translations.get(slug).map_or(&[], Vec::as_slice)
    }

    pub fn path_steps(&self, id: EntryId) -> &[PathStep] {
        self.index.steps.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The entry's page, relative to the site root, always ending in `/`.
    pub fn url(&self, id: EntryId) -> &str {
        &self.index.urls[id]
    }

    /// The old addresses that lead to entries' pages (`moved_from:`).
    pub fn moves(&self) -> &[Move] {
        &self.index.moves
    }

    /// Why the file at `path` (relative to the site root) was left out of
    /// the build (a draft, or a file with errors), if it was.
    pub fn left_out(&self, path: &Path) -> Option<Why> {
        self.index.left_out.file(path)
    }

    /// Everything the build left out (see [`Site::left_out`]).
    pub fn left_out_all(&self) -> &LeftOut {
        &self.index.left_out
    }

    /// The entry that says it moved from the file at `path` (relative to
    /// the site root), if any.
    pub fn moved_from(&self, path: &Path) -> Option<EntryId> {
        self.index
            .moved_sources
            .get(path)
            .map(|&m| self.index.moves[m].to)
    }

    /// The index while linking makes it (not shared yet).
    fn index_mut(&mut self) -> &mut Index {
        Arc::get_mut(&mut self.index).expect("the index is shared only once linked")
    }

    /// The same site with new versions of its entries whose front matter
    /// and file names are unchanged (only bodies differ): linking reads
    /// nothing else, so nothing needs linking again. `input` is in the
    /// order `link_shared` was given last time.
    pub fn with_new_bodies(&self, input: &[Arc<Entry>]) -> Site {
        let mut site = self.clone();
        site.entries = self
            .index
            .input_order
            .iter()
            .map(|&i| input[i].clone())
            .collect();
        site
    }

    /// Every entry id, in the order the entries were given to `link_shared`
    /// (the order they were loaded in).
    pub fn ids_in_input_order(&self) -> Vec<EntryId> {
        if self.index.input_order.len() != self.entries.len() {
            return (0..self.entries.len()).collect();
        }
        let mut ids = vec![0; self.entries.len()];
        for (id, &position) in self.index.input_order.iter().enumerate() {
            ids[position] = id;
        }
        ids
    }

    /// A fingerprint of what the lookups above answer: which entry is
    /// where, with what kind, slug and language, and the translations and
    /// path steps linked from them. Equal fingerprints, equal answers.
    /// (What was left out is not in it: only bodies' links ask, and their
    /// records are keyed on it: see `render::bodies::Answers`.)
    pub fn structure_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        for (id, e) in self.entries.iter().enumerate() {
            (e.source_bytes(), e.kind, &e.slug, &e.lang).hash(&mut h);
            for step in self.path_steps(id) {
                (step.path, step.index).hash(&mut h);
            }
            if e.kind == Kind::Term {
                self.translations(&e.slug).hash(&mut h);
            }
        }
        h.finish()
    }
}

/// Checks references and builds the [`Site`]. Problems go to `diags`; the
/// site is returned regardless so `check` can go on to find more.
pub fn link(config: SiteConfig, content: Content, diags: &mut Diagnostics) -> Site {
    let entries = content.entries.into_iter().map(Arc::new).collect();
    link_with_left_out(
        Arc::new(config),
        entries,
        content.assets,
        Some(&content.left_out),
        diags,
    )
}

/// [`link`] over entries and a configuration the caller keeps, not told
/// which entries were left out (see [`link_with_left_out`]).
pub fn link_shared(
    config: Arc<SiteConfig>,
    input: Vec<Arc<Entry>>,
    assets: Vec<PathBuf>,
    diags: &mut Diagnostics,
) -> Site {
    link_with_left_out(config, input, assets, None, diags)
}

/// [`link_shared`], told which entries were left out (drafts, files with
/// errors): a step or related term naming one says so and what to do
/// (publish the draft, fix the file, or remove the reference), and one
/// naming nothing says that. Not told (`None`), a missing step only says
/// that it may be a draft.
pub fn link_with_left_out(
    config: Arc<SiteConfig>,
    input: Vec<Arc<Entry>>,
    assets: Vec<PathBuf>,
    left_out: Option<&LeftOut>,
    diags: &mut Diagnostics,
) -> Site {
    let mut input_order: Vec<usize> = (0..input.len()).collect();
    input_order.sort_by_cached_key(|&i| {
        let e = &input[i];
        (
            e.kind,
            std::cmp::Reverse(e.date()),
            e.title().to_lowercase(),
            e.slug.clone(),
            e.lang.clone(),
        )
    });
    let entries: Vec<Arc<Entry>> = input_order.iter().map(|&i| input[i].clone()).collect();
    let mut by_slug = HashMap::default();
    let mut by_source = HashMap::default();
    for (id, e) in entries.iter().enumerate() {
        by_slug.insert((e.kind, e.slug.clone(), e.lang.clone()), id);
        by_source.insert(e.source.clone(), id);
    }
    let urls = entries
        .iter()
        .map(|e| paths::entry_url(e.kind, &e.slug, &e.lang, &config.language))
        .collect();
    let mut site = Site {
        config,
        entries,
        assets,
        index: Arc::new(Index {
            urls,
            by_slug,
            by_source,
            translations: HashMap::default(),
            steps: HashMap::default(),
            input_order,
            moves: Vec::new(),
            moved_sources: HashMap::default(),
            left_out: left_out.cloned().unwrap_or_default(),
        }),
        git_dates: Arc::default(),
        git_dates_key: 0,
    };
    check_vocabularies(&site, diags);
    tags::check(&site, diags);
    link_terms(&mut site, left_out, diags);
    link_paths(&mut site, left_out, diags);
    check_pages(&site, diags);
    let moves = moves::link_moves(&site, diags);
    let index = site.index_mut();
    index.moved_sources = moves
        .iter()
        .enumerate()
        .filter_map(|(i, m)| Some((m.source.clone()?, i)))
        .collect();
    index.moves = moves;
    site
}

fn check_vocabularies(site: &Site, diags: &mut Diagnostics) {
    let known = KnownIds::of(&site.config);
    // A set: with a cover and a photo per story, a list searched per cover
    // grew with stories times files.
    let assets: std::collections::HashSet<&Path> =
        site.assets.iter().map(PathBuf::as_path).collect();
    for e in &site.entries {
        known.check(e, false, diags);
        if let (Some(cover), Meta::Story(s)) = (e.cover(), &e.meta) {
            let written = s.cover.as_deref().unwrap_or_default();
            let known = cover
                .strip_prefix(CONTENT_DIR)
                .is_ok_and(|rel| assets.contains(rel));
            if !known {
                let rel = cover.strip_prefix(CONTENT_DIR).unwrap_or(&cover);
                let hint = match paths::differs_only_in_capitals(rel, &site.assets) {
                    Some(twin) => {
                        let twin = Path::new(CONTENT_DIR).join(twin);
                        format!(
                            "; {}",
                            crate::render::markdown::other_capitals_hint(&e.source, &twin)
                        )
                    }
                    None => " (the path is relative to this story's file)".to_string(),
                };
                diags.push(e.error_at(
                    "cover",
                    Some(written),
                    format!(
                        "cover image \"{written}\" not found: {} does not exist{hint}",
                        cover.display()
                    ),
                ));
            } else if !crate::render::images::is_raster(&cover)
                && !cover.extension().is_some_and(|x| {
                    x.eq_ignore_ascii_case("svg")
                        || x.eq_ignore_ascii_case("webp")
                        || x.eq_ignore_ascii_case("gif")
                })
            {
                diags.push(e.error_at(
                    "cover",
                    Some(written),
                    format!("cover image \"{written}\" is not an image: use a .jpg, .png, .webp, .gif or .svg file"),
                ));
            }
        }
        for tag in e.tags() {
            if slug::slugify(tag).is_empty() {
                diags.push(e.error_at(
                    "tags",
                    Some(tag),
                    format!("tag \"{tag}\" has no letters or digits"),
                ));
            }
        }
    }
}

fn link_terms(site: &mut Site, left_out: Option<&LeftOut>, diags: &mut Diagnostics) {
    let default = site.config.language.clone();
    let mut translations: HashMap<String, Vec<EntryId>> = HashMap::default();
    for id in site.ids(Kind::Term).collect::<Vec<_>>() {
        let e = &site.entries[id];
        let Meta::Term(t) = &e.meta else { continue };
        if e.lang != default {
            if site.get(Kind::Term, &e.slug, &default).is_none() {
                diags.error(
                    &e.source,
                    0,
                    0,
                    format!(
                        "translation without an original: add {CONTENT_DIR}/glossary/{}.md (in {default}) or rename this file",
                        e.slug
                    ),
                );
            } else {
                translations.entry(e.slug.clone()).or_default().push(id);
            }
        }
        for related in &t.related {
            if site.get(Kind::Term, related, &default).is_some() {
                continue;
            }
            if let Some(left) = left_out_named(left_out, Kind::Term, related) {
                diags.push(e.error_at(
                    "related",
                    Some(related),
                    format!(
                        "related term \"{related}\" {}, so it has no page to link to: {}, or remove it from `related`",
                        left.describe(related),
                        left.fix()
                    ),
                ));
            } else {
                let hint = closest_slug(site, Kind::Term, related)
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                diags.push(e.error_at(
                    "related",
                    Some(related),
                    format!("related term \"{related}\" does not exist in content/glossary/{hint}"),
                ));
            }
        }
    }
    let order = site
        .config
        .all_languages()
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    for ids in translations.values_mut() {
        ids.sort_by_key(|&i| order.iter().position(|l| *l == site.entries[i].lang));
    }
    report_aliases(site, diags);
    report_future_dates(site, crate::coverage::today(), diags);
    site.index_mut().translations = translations;
}

/// A date after `today` is most often a typo (2062 for 2026): it would put
/// the story first in every list for decades, and the champions table,
/// which counts up to the newest story, would show the quarters up to it.
fn report_future_dates(site: &Site, today: chrono::NaiveDate, diags: &mut Diagnostics) {
    for e in &site.entries {
        let dates = [("date", e.date()), ("updated", e.updated)];
        for (key, date) in dates {
            let Some(date) = date.filter(|d| *d > today) else {
                continue;
            };
            let written = date.format("%Y-%m-%d").to_string();
            let (line, col) = e.locate(key, Some(&written));
            diags.push(Diagnostic::warning(
                &e.source,
                line,
                col,
                format!(
                    "`{key}: {written}` is after today ({today}): a typo? Lists put it first and the champions table counts up to it"
                ),
            ));
        }
    }
}

/// Two terms claiming the same name would make auto-linking ambiguous.
fn report_aliases(site: &Site, diags: &mut Diagnostics) {
    let mut names: BTreeMap<(String, String), EntryId> = BTreeMap::new();
    for id in site.ids(Kind::Term) {
        let e = &site.entries[id];
        let Meta::Term(t) = &e.meta else { continue };
        for name in std::iter::once(&t.term).chain(&t.aliases) {
            let field = if name == &t.term { "term" } else { "aliases" };
            // A name with no letter or digit would link nothing or every
            // full stop in every text ("." is a whole word).
            if !name.chars().any(char::is_alphanumeric) {
                diags.push(e.error_at(
                    field,
                    Some(name.as_str()).filter(|n| !n.is_empty()),
                    format!(
                        "{} \"{name}\" has no letter or digit: auto-linking would match {}; {}",
                        if field == "term" {
                            "the term"
                        } else {
                            "the alias"
                        },
                        if name.trim().is_empty() {
                            "nothing"
                        } else {
                            "punctuation in every text"
                        },
                        if field == "term" {
                            "give the term its name"
                        } else {
                            "remove it from the list"
                        }
                    ),
                ));
                continue;
            }
            let key = (e.lang.clone(), name.to_lowercase());
            if let Some(&other) = names.get(&key) {
                if other != id {
                    diags.push(e.error_at(
                        field,
                        Some(name),
                        format!(
                            "\"{name}\" is already a name of {} ({}): each term and alias must be unique",
                            site.entries[other].slug,
                            site.entries[other].source.display()
                        ),
                    ));
                }
            } else {
                names.insert(key, id);
            }
        }
    }
}

fn link_paths(site: &mut Site, left_out: Option<&LeftOut>, diags: &mut Diagnostics) {
    let mut steps: HashMap<EntryId, Vec<PathStep>> = HashMap::default();
    let default = site.config.language.clone();
    for id in site.ids(Kind::Path).collect::<Vec<_>>() {
        let e = &site.entries[id];
        let Meta::Path(p) = &e.meta else { continue };
        if p.steps.is_empty() {
            diags.push(Diagnostic::warning(
                &e.source,
                e.locate("steps", None).0,
                e.locate("steps", None).1,
                "this path has no steps: list its items, like `- story: some-story-slug` (or mark it `draft: true` until it has some)",
            ));
        }
        for (index, step) in p.steps.iter().enumerate() {
            let same = |s: &&crate::load::Step| s.kind == step.kind && s.slug == step.slug;
            if let Some(first) = p.steps[..index].iter().position(|s| same(&s)) {
                let nth = p.steps[..index].iter().filter(same).count();
                let (line, col) = e
                    .front_matter
                    .try_with(|yaml| {
                        crate::load::frontmatter::value_position(
                            yaml,
                            step.kind.name(),
                            &step.slug,
                            nth,
                        )
                    })
                    .flatten()
                    .map_or_else(
                        || e.locate("steps", Some(&step.slug)),
                        |(l, c)| (e.front_matter_line + l - 1, c),
                    );
                diags.push(Diagnostic::warning(
                    &e.source,
                    line,
                    col,
                    format!(
                        "step {} is step {} again ({} \"{}\"): its page shows two places in this path, and its next and previous links go both ways; remove one, or link back to it in a note",
                        index + 1,
                        first + 1,
                        step.kind.name(),
                        step.slug
                    ),
                ));
            }
            match site.get(step.kind, &step.slug, &default) {
                Some(target) => steps
                    .entry(target)
                    .or_default()
                    .push(PathStep { path: id, index }),
                None => {
                    let message = match left_out_named(left_out, step.kind, &step.slug) {
                        Some(left) => format!(
                            "step {}: {} \"{}\" {}, so it is left out of the site and this step would lead nowhere: {}, or remove the step",
                            index + 1,
                            step.kind.name(),
                            step.slug,
                            left.describe(&step.slug),
                            left.fix()
                        ),
                        None => {
                            let hint = closest_slug(site, step.kind, &step.slug);
                            let hint = match (left_out, hint) {
                                (Some(_), Some(s)) => format!(" (did you mean \"{s}\"?)"),
                                (Some(_), None) => String::new(),
                                (None, Some(s)) => {
                                    format!(" (it may be a draft; did you mean \"{s}\"?)")
                                }
                                (None, None) => " (it may be a draft)".to_string(),
                            };
                            format!(
                                "step {}: no {} \"{}\" in content/{}/{hint}",
                                index + 1,
                                step.kind.name(),
                                step.slug,
                                step.kind.folder()
                            )
                        }
                    };
                    diags.push(e.error_at("steps", Some(&step.slug), message));
                }
            }
        }
    }
    site.index_mut().steps = steps;
}

/// A left-out entry that `written` names: by its slug, or by what the
/// slug is made from (`NPS` → `nps`).
struct LeftOutNamed<'a> {
    source: &'a Path,
    why: Why,
    slug: String,
}

impl LeftOutNamed<'_> {
    /// `is a draft (content/…/x.md says `draft: true`)` or `has errors
    /// (…)`, with the slug to write when `written` is not it.
    fn describe(&self, written: &str) -> String {
        let slug = if self.slug == written {
            String::new()
        } else {
            format!("; its slug is \"{}\"", self.slug)
        };
        let source = self.source.display();
        match self.why {
            Why::Draft => format!("is a draft ({source} says `draft: true`{slug})"),
            Why::Errors => format!("has errors ({source}, reported there{slug})"),
        }
    }

    fn fix(&self) -> &'static str {
        match self.why {
            Why::Draft => "publish it (remove `draft: true`)",
            Why::Errors => "fix them",
        }
    }
}

fn left_out_named<'a>(
    left_out: Option<&'a LeftOut>,
    kind: Kind,
    written: &str,
) -> Option<LeftOutNamed<'a>> {
    let left_out = left_out.filter(|d| !d.is_empty())?;
    [written.to_string(), slug::slugify(written)]
        .into_iter()
        .find_map(|slug| {
            left_out
                .get(kind, &slug)
                .map(|(source, why)| LeftOutNamed { source, why, slug })
        })
}

/// The slug a champion most likely meant by `written`, which names no
/// entry of `kind`: the slug it makes (`NPS` → `nps`), a term whose name
/// or alias it is (`Net Promoter` → `nps`), or a slug spelt alike.
fn closest_slug(site: &Site, kind: Kind, written: &str) -> Option<String> {
    let default = &site.config.language;
    let made = slug::slugify(written);
    if site.get(kind, &made, default).is_some() {
        return Some(made);
    }
    let originals = || site.originals(kind).map(|i| &site.entries[i]);
    let named = originals().find(|e| match &e.meta {
        Meta::Term(t) => std::iter::once(&t.term)
            .chain(&t.aliases)
            .any(|name| name.to_lowercase() == written.trim().to_lowercase()),
        _ => false,
    });
    if let Some(e) = named {
        return Some(e.slug.clone());
    }
    crate::diagnostics::did_you_mean(&made, originals().map(|e| e.slug.as_str()))
        .map(str::to_string)
}

fn check_pages(site: &Site, diags: &mut Diagnostics) {
    for id in site.ids(Kind::Page) {
        let e = &site.entries[id];
        let first = e.slug.split('/').next().unwrap_or_default();
        if paths::reserved_segments().any(|r| r == first)
            || site.config.languages.iter().any(|l| l == first)
        {
            diags.error(
                &e.source,
                0,
                0,
                format!(
                    "the page address \"/{first}/\" is used by Campfire itself ({}); rename the file or its folder",
                    if site.config.languages.iter().any(|l| l == first) {
                        "a language's pages live there"
                    } else {
                        paths::reserved_because(first)
                    }
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> (Site, Diagnostics) {
        crate::testing::linked_site(
            "title: T\nlanguages: [pt]\ndepartments:\n  - { id: it, name: IT }\n  - { id: logistics, name: Logistics }\njourney:\n  - stage: Receive\n    touchpoints: [delivery]\nvalues: [empathy]\n",
            files,
        )
    }

    const STORY: &str = "---\ntitle: S\ndate: 2026-01-01\nauthor: A\ndepartment: logsitics\ntouchpoints: [delivery, web]\n---\n";

    #[test]
    fn unknown_ids_get_suggestions_with_positions() {
        let (_, d) = site(&[("stories/s.md", STORY)]);
        let text = d.render();
        assert!(
            text.contains("content/stories/s.md:5:13: unknown department \"logsitics\" (known: it, logistics; did you mean \"logistics\"?)"),
            "{text}"
        );
        assert!(
            text.contains("content/stories/s.md:6:25: unknown touchpoint \"web\""),
            "{text}"
        );
    }

    #[test]
    fn translations_need_an_original() {
        let (s, d) = site(&[
            ("glossary/nps.md", "---\nterm: NPS\n---\n"),
            ("glossary/nps.pt.md", "---\nterm: NPS\n---\n"),
            ("glossary/churn.pt.md", "---\nterm: Evasão\n---\n"),
        ]);
        assert!(
            d.render()
                .contains("content/glossary/churn.pt.md: translation without an original"),
            "{}",
            d.render()
        );
        assert_eq!(s.translations("nps").len(), 1);
        assert_eq!(s.url(s.translations("nps")[0]), "pt/glossary/nps/");
    }

    /// A term named as it is written (`NPS`, an alias) where its slug is
    /// meant: the hint names the slug.
    #[test]
    fn a_term_named_by_its_name_or_alias_is_pointed_to_its_slug() {
        let (_, d) = site(&[
            (
                "glossary/net-promoter-score.md",
                "---\nterm: Net Promoter Score\naliases: [NPS]\n---\n",
            ),
            (
                "glossary/churn.md",
                "---\nterm: Churn\nrelated: [Net Promoter Score]\n---\n",
            ),
            (
                "paths/p.md",
                "---\ntitle: P\nsteps:\n  - term: NPS\n  - term: Churn\n---\n",
            ),
        ]);
        let text = d.render();
        assert!(
            text.contains("related term \"Net Promoter Score\" does not exist in content/glossary/ (did you mean \"net-promoter-score\"?)"),
            "{text}"
        );
        assert!(
            text.contains("step 1: no term \"NPS\" in content/glossary/ (did you mean \"net-promoter-score\"?)"),
            "{text}"
        );
        assert!(
            text.contains(
                "step 2: no term \"Churn\" in content/glossary/ (did you mean \"churn\"?)"
            ),
            "{text}"
        );
    }

    /// A step or related term naming a draft says so, with the draft's
    /// file and what to do, and guesses at no other slug; a step naming
    /// nothing keeps its hint.
    #[test]
    fn a_step_or_related_term_naming_a_draft_says_it_is_a_draft() {
        let draft = "---\nterm: Churn\ndraft: true\n---\n";
        let (s, d) = site(&[
            ("glossary/churn.md", draft),
            ("glossary/churn-rate.md", "---\nterm: Churn rate\n---\n"),
            ("glossary/nps.md", "---\nterm: NPS\nrelated: [churn]\n---\n"),
            (
                "paths/p.md",
                "---\ntitle: P\nsteps:\n  - term: churn\n  - term: Churn\n  - term: churns\n---\n",
            ),
        ]);
        let text = d.render();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines.contains(&"content/paths/p.md:4:11: step 1: term \"churn\" is a draft (content/glossary/churn.md says `draft: true`), so it is left out of the site and this step would lead nowhere: publish it (remove `draft: true`), or remove the step"),
            "{text}"
        );
        assert!(
            text.contains("step 2: term \"Churn\" is a draft (content/glossary/churn.md says `draft: true`; its slug is \"churn\"), so it is left out"),
            "{text}"
        );
        assert!(
            text.contains("step 3: no term \"churns\" in content/glossary/ (did you mean"),
            "{text}"
        );
        assert!(
            text.contains("content/glossary/nps.md:3:11: related term \"churn\" is a draft (content/glossary/churn.md says `draft: true`), so it has no page to link to: publish it (remove `draft: true`), or remove it from `related`"),
            "{text}"
        );
        assert_eq!(text.matches("did you mean").count(), 1, "{text}");
        assert_eq!(d.error_count(), 4, "{text}");

        // Linked without being told the drafts, a step only may name one.
        let mut unknown = Diagnostics::new();
        link_shared(s.config.clone(), s.entries.clone(), vec![], &mut unknown);
        let text = unknown.render();
        assert!(
            text.contains("step 1: no term \"churn\" in content/glossary/ (it may be a draft; did you mean \"churn-rate\"?)"),
            "{text}"
        );
    }

    /// A step naming an entry left out for its errors says so (the errors
    /// are reported at that file), not that there is no such entry.
    #[test]
    fn a_step_naming_an_entry_with_errors_says_it_has_errors() {
        let (_, d) = site(&[
            ("cases/pilot.md", "---\ntitle: Pilot\n---\n"),
            (
                "paths/p.md",
                "---\ntitle: P\nsteps:\n  - case: pilot\n---\n",
            ),
        ]);
        let text = d.render();
        assert!(
            text.contains("content/paths/p.md:4:11: step 1: case \"pilot\" has errors (content/cases/pilot.md, reported there), so it is left out of the site and this step would lead nowhere: fix them, or remove the step"),
            "{text}"
        );
        assert!(
            text.contains("content/cases/pilot.md:1:1: missing required field"),
            "{text}"
        );
    }

    #[test]
    fn path_steps_resolve_and_missing_ones_are_reported() {
        let (s, d) = site(&[
            ("glossary/nps.md", "---\nterm: NPS\nrelated: [chrun]\n---\n"),
            (
                "paths/p.md",
                "---\ntitle: P\nsteps:\n  - term: nps\n  - story: nowhere\n---\n",
            ),
        ]);
        let text = d.render();
        assert!(text.contains("step 2: no story \"nowhere\""), "{text}");
        assert!(
            text.contains("related term \"chrun\" does not exist"),
            "{text}"
        );
        let nps = s.get(Kind::Term, "nps", "en").unwrap();
        assert_eq!(
            s.path_steps(nps),
            &[PathStep {
                path: s.get(Kind::Path, "p", "en").unwrap(),
                index: 0
            }]
        );
    }

    #[test]
    fn an_empty_path_and_a_step_given_twice_are_warnings() {
        let (_, d) = site(&[
            ("glossary/nps.md", "---\nterm: NPS\n---\n"),
            ("paths/e.md", "---\ntitle: E\nsteps: []\n---\n"),
            (
                "paths/p.md",
                "---\ntitle: P\nsteps:\n  - term: nps\n  - term: nps\n---\n",
            ),
        ]);
        let text = d.render();
        assert!(
            text.contains("content/paths/e.md:3:8: warning: this path has no steps"),
            "{text}"
        );
        assert!(
            text.contains(
                "content/paths/p.md:5:11: warning: step 2 is step 1 again (term \"nps\")"
            ),
            "{text}"
        );
        assert_eq!(d.error_count(), 0, "{text}");
    }

    #[test]
    fn duplicate_aliases_and_reserved_pages() {
        let (_, d) = site(&[
            ("glossary/a.md", "---\nterm: Alpha\naliases: [AB]\n---\n"),
            ("glossary/b.md", "---\nterm: Beta\naliases: [ab]\n---\n"),
            ("pages/search.md", "---\ntitle: Search\n---\n"),
        ]);
        let text = d.render();
        assert!(text.contains("\"ab\" is already a name of a"), "{text}");
        assert!(
            text.contains("\"/search/\" is used by Campfire itself"),
            "{text}"
        );
    }

    #[test]
    fn a_date_after_today_is_a_warning_where_it_stands() {
        let story = |date: &str, extra: &str| {
            format!("---\ntitle: S\ndate: {date}\nauthor: A\ndepartment: it\n{extra}---\n")
        };
        let (site, _) = site(&[
            ("stories/typo.md", &story("2062-01-22", "")),
            (
                "stories/fine.md",
                &story("2026-01-22", "updated: 2031-02-03\n"),
            ),
        ]);
        let mut d = Diagnostics::new();
        report_future_dates(
            &site,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            &mut d,
        );
        let text = d.render();
        assert!(
            text.contains("content/stories/typo.md:3:7: warning: `date: 2062-01-22` is after today (2026-12-07): a typo?"),
            "{text}"
        );
        assert!(
            text.contains(
                "content/stories/fine.md:6:10: warning: `updated: 2031-02-03` is after today"
            ),
            "{text}"
        );
        assert_eq!(text.matches("warning").count(), 2, "{text}");
        assert_eq!(d.error_count(), 0);
    }

    #[test]
    fn a_name_without_letters_or_digits_is_refused_where_it_stands() {
        let (_, d) = site(&[
            (
                "glossary/a.md",
                "---\nterm: Alpha\naliases: [\"\", \"…\", \"A-1\"]\n---\n",
            ),
            ("glossary/b.md", "---\nterm: \".\"\n---\n"),
        ]);
        let text = d.render();
        assert!(
            text.contains(
                "content/glossary/a.md:3:10: the alias \"\" has no letter or digit: \
                 auto-linking would match nothing; remove it from the list"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "content/glossary/a.md:3:16: the alias \"…\" has no letter or digit: \
                 auto-linking would match punctuation in every text"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "content/glossary/b.md:2:8: the term \".\" has no letter or digit: \
                 auto-linking would match punctuation in every text; give the term its name"
            ),
            "{text}"
        );
        assert!(
            !text.contains("A-1"),
            "a name with a letter is fine: {text}"
        );
        assert_eq!(d.error_count(), 3, "{text}");
    }
}
