//! Phase two of rendering: every page of the site, through the templates.
//!
//! Entry pages get typed contexts that borrow from the site, assembled
//! through a recording reader (`reads`), so a rebuild re-renders exactly
//! the pages whose recorded inputs changed. List pages are keyed by a hash
//! of their (small, placeholder-holding) data.

mod card;
mod departments;
pub mod entry;
mod lists;
pub mod present;
mod programme;
mod reads;
mod related;

pub use reads::PageRecord;

/// A card, what it was made from and a hash of it (see `Pages::new`).
#[derive(Clone)]
pub struct CardData {
    input: u64,
    hash: u64,
    card: Arc<Card>,
}

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::hash::Hash;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use memchr::memmem;
use rayon::prelude::*;
use serde_json::{Value, json};
use tera::Context;

use super::bodies::{self, Bodies};
use super::cache::{self, CardCache, EntryPages, PageKeys, RenderCache};
use super::template_reads::Reads;
use super::theme::{Specialized, Theme};
use super::{Contents, OutputFile, Sink};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::{EntryId, Site};
use crate::load::{Entry, Kind, Meta};
use crate::packed::{Dictionary, Packed};
use crate::paths;
use card::Card;

/// A page to render: where it goes, which template, and its own data.
struct Job<'p, 'a> {
    url: String,
    template: &'static str,
    lang: String,
    page: lists::ListPage<'p, 'a>,
}

/// Where list pages go as they are made: each is rendered and written at
/// once, so the data of twenty thousand list pages (at 100,000 stories)
/// is never all in memory.
pub(super) struct Jobs<'j, 'p, 'a> {
    emit: &'j mut dyn FnMut(Job<'p, 'a>),
}

impl<'p, 'a> Jobs<'_, 'p, 'a> {
    fn push(&mut self, job: Job<'p, 'a>) {
        (self.emit)(job);
    }
}

pub struct Pages<'a> {
    site: &'a Site,
    theme: &'a Theme,
    bodies: &'a Bodies,
    site_value: Value,
    cards: Vec<Arc<Card>>,
    /// The cards with what they were made from, for the next render.
    cards_data: Vec<CardData>,
    /// Each entry's card rendered once through `card.html` (see `card_html`),
    /// per [`CardVariant`]. Lists paste these instead of rendering every
    /// card again on every list that shows it.
    card_html: [Vec<OnceLock<Option<CardHtml>>>; 2],
    /// What `card_html` is packed against, when it is (see `card_dictionary`).
    card_dictionary: OnceLock<Dictionary>,
    /// Per entry: hash of its card and the theme, the card-cache key.
    card_keys: Vec<u64>,
    /// Hash of everything every page shares (site block, strings, theme).
    chrome_key: u64,
    /// Fingerprint of every lookup's answer (see `lookups_key`).
    lookups_key: u64,
    /// Stories by touchpoint and value, made when a page first asks.
    related_index: OnceLock<related::RelatedIndex<'a>>,
    /// Fingerprint of what list pages are made from (see `lists_key`).
    lists_key: u64,
    /// The date coverage counts up to (freshness, quarters).
    today: chrono::NaiveDate,
    previous: &'a RenderCache,
    /// Whether pages record what they read (only a render that will be
    /// followed by another, as in `serve`, needs the records).
    recording: bool,
    card_errors: Mutex<Vec<Diagnostic>>,
    /// What every page of a render that records nothing returns as its
    /// record (one, not one per page).
    unrecorded: Arc<PageRecord>,
    /// Card lists behind the placeholders of `cards_html`.
    lists: Mutex<FxHashMap<u64, CardList>>,
    /// UI strings per language, looked up once per build rather than per page.
    strings: FxHashMap<String, Value>,
    /// Per language, the template context every page starts from.
    chrome: FxHashMap<String, Context>,
    /// Per language and template, page contexts between renders: a render
    /// takes one, writes the page's own keys over the last page's, and
    /// puts it back, so the chrome is cloned once per thread rather than
    /// once per page (cloning and dropping it was some 4% of a build), and
    /// a page's data reuses the last one's of the same template (see
    /// `in_place`).
    contexts: FxHashMap<String, Mutex<FxHashMap<String, Vec<Context>>>>,
    /// Per language, the templates with its chrome written in.
    templates: FxHashMap<String, TemplatesCell>,
    /// Per language and depth below the root where many entry pages are
    /// (`stories/x/`: their slides too), the templates with also `root`
    /// and `lang` written in. Few, so looked through in order.
    templates_at: Vec<(LangDepth, TemplatesCell)>,
    /// Card contexts between renders, as `contexts` (a card written over
    /// the last one allocates almost nothing).
    card_contexts: Mutex<Vec<Context>>,
}

/// A language and a depth below the site root.
type LangDepth = (String, usize);

/// Templates specialised when a page first needs them.
type TemplatesCell = OnceLock<Arc<Specialized>>;

/// Sets `key` of `cx` to `value`, written over what `key` held (see
/// `in_place`): `Context::insert` would make the value afresh.
fn insert_in_place(cx: &mut Context, key: &str, value: &impl serde::Serialize) {
    insert_in_place_reading(cx, key, value, &Reads::All);
}

/// [`insert_in_place`] of only what `reads` says is read.
fn insert_in_place_reading(
    cx: &mut Context,
    key: &str,
    value: &impl serde::Serialize,
    reads: &Reads,
) {
    let mut data = cx.remove(key).unwrap_or_default();
    super::in_place::assign_reading(&mut data, value, reads).expect("template data serializes");
    let mut keyed = serde_json::Map::new();
    keyed.insert(key.to_string(), data);
    cx.extend(Context::from_value(Value::Object(keyed)).expect("an object"));
}

/// Stands for the path to the site root in a card rendered once for every
/// depth: a Unicode noncharacter (reserved for uses like this one).
const ROOT_PLACEHOLDER: &str = "\u{FDD0}";

/// Whether any text in `value` holds the [`ROOT_PLACEHOLDER`] (a card that
/// does cannot be rendered once and pasted). Walked rather than written
/// out as JSON: this runs once per card.
fn has_root_placeholder(value: &Value) -> bool {
    match value {
        Value::String(s) => holds(&ROOT_PLACEHOLDER_FINDER, s),
        Value::Array(items) => items.iter().any(has_root_placeholder),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| holds(&ROOT_PLACEHOLDER_FINDER, k) || has_root_placeholder(v)),
        _ => false,
    }
}

/// The cards of a list, the depth of the page showing it, and which of
/// their renderings it shows.
type CardList = (Arc<[EntryId]>, usize, CardVariant);

/// Which of its two renderings a list shows of a card. `card.html` is
/// told by `filterable`: only a list that filters its cards in place
/// (the stories list on one page: see `stories.html`) reads their facets
/// (`data-department`, `data-tag` …), so only its cards carry them. In
/// every other list they were written for nothing: 3.5% of a
/// 10,000-story site's output, in every list page.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) enum CardVariant {
    Plain = 0,
    Filterable = 1,
}

/// A card's HTML with where [`ROOT_PLACEHOLDER`] is in it, found once
/// rather than on every paste.
struct CardHtml {
    html: CardText,
    /// Byte offsets of the placeholders, in order.
    roots: Vec<usize>,
}

/// A card's HTML as a render holds it: shared with the next render (while
/// serving), or packed by a one-off build of a big site, which holds every
/// card from the first list that shows it to the end of the lists (a
/// hundred thousand stories' cards are 72 MB as they are).
enum CardText {
    Shared(Arc<String>),
    Packed(Packed),
}

impl CardHtml {
    fn new(html: Arc<String>) -> CardHtml {
        CardHtml {
            roots: CardHtml::roots_in(&html),
            html: CardText::Shared(html),
        }
    }

    /// `html`, packed against `dictionary`.
    fn packed(html: String, dictionary: &Dictionary) -> CardHtml {
        CardHtml {
            roots: CardHtml::roots_in(&html),
            html: CardText::Packed(Packed::new(html, Some(dictionary))),
        }
    }

    fn roots_in(html: &str) -> Vec<usize> {
        ROOT_PLACEHOLDER_FINDER.find_iter(html.as_bytes()).collect()
    }

    fn len(&self) -> usize {
        match &self.html {
            CardText::Shared(html) => html.len(),
            CardText::Packed(packed) => packed.len(),
        }
    }

    fn text(&self) -> Cow<'_, str> {
        match &self.html {
            CardText::Shared(html) => Cow::Borrowed(html.as_str()),
            CardText::Packed(packed) => packed.text(),
        }
    }
}

/// Cards a big site's card dictionary is made from (see [`Dictionary`]).
const CARD_DICTIONARY_SAMPLES: usize = 16;

/// Stands in for a list of cards in page data until the page is rendered.
const LIST_MARKER: &str = "<!--campfire-cards:";

/// Searchers for the markers, made once: every page and every card's text
/// is searched for them, and a SIMD substring search is several times
/// faster than `str::contains` (which also sets a searcher up per call).
static LIST_MARKER_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(LIST_MARKER));
static ROOT_PLACEHOLDER_FINDER: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(ROOT_PLACEHOLDER));

/// Whether `text` holds what `finder` looks for.
fn holds(finder: &memmem::Finder<'_>, text: &str) -> bool {
    finder.find(text.as_bytes()).is_some()
}

pub use crate::config::humanize;

/// A language named in itself (`pt` → Português), as the pages and the
/// search results name it.
pub(crate) fn language_name(code: &str) -> String {
    match code {
        "en" => "English",
        "pt" => "Português",
        "pt-br" => "Português (Brasil)",
        "es" => "Español",
        "fr" => "Français",
        "de" => "Deutsch",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "pl" => "Polski",
        "ja" => "日本語",
        "zh" => "中文",
        _ => code,
    }
    .to_string()
}

/// Up to `words` words, with an ellipsis when cut.
pub fn truncate_words(text: &str, words: usize) -> String {
    let mut out: Vec<&str> = text.split_whitespace().take(words + 1).collect();
    if out.len() > words {
        out.truncate(words);
        format!("{}…", out.join(" ").trim_end_matches(['.', ',', ';', ':']))
    } else {
        out.join(" ")
    }
}

impl<'a> Pages<'a> {
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        bodies: &'a Bodies,
        previous: &'a RenderCache,
        config_key: u64,
        recording: bool,
        today: chrono::NaiveDate,
    ) -> Pages<'a> {
        // A card is made from the entry's file, its address, its body (the
        // first paragraph) and site.yaml (department names): while serving,
        // the last render's card is reused while those are the same.
        let vocabulary = card::Vocabulary::default();
        let made: Vec<CardData> = (0..site.entries.len())
            .into_par_iter()
            .map(|id| {
                let e = &site.entries[id];
                let input = cache::key(|h| {
                    (e.text_hash, site.url(id), bodies.keys[id], config_key).hash(h);
                    // The date's words come from the UI strings.
                    theme.fingerprint.hash(h);
                    // A replaced cover photo changes its size on the card.
                    e.cover().map(|c| bodies.images.get(&c).copied()).hash(h);
                });
                if recording
                    && let Some(previous) = previous.cards_data.get(id, &e.source)
                    && previous.input == input
                {
                    return previous.clone();
                }
                let card = card::card(site, bodies, theme, &vocabulary, id);
                CardData {
                    input,
                    hash: cache::key(|h| card.hash(h)),
                    card: Arc::new(card),
                }
            })
            .collect();
        // A card's HTML depends on its data and the theme only.
        let card_keys: Vec<u64> = made
            .iter()
            .map(|d| cache::key(|h| (theme.fingerprint, d.hash).hash(h)))
            .collect();
        let cards_data: Vec<CardData> = if recording { made.clone() } else { Vec::new() };
        let cards: Vec<Arc<Card>> = made.into_iter().map(|d| d.card).collect();
        let c = &site.config;
        let mut menu: Vec<&Entry> = site
            .originals(Kind::Page)
            .map(|i| &*site.entries[i])
            .filter(|e| matches!(&e.meta, Meta::Page(p) if p.menu))
            .collect();
        menu.sort_by_key(|e| match &e.meta {
            Meta::Page(p) => (p.weight, p.title.to_lowercase()),
            _ => (0, String::new()),
        });
        let site_value = json!({
            "title": c.title,
            // With a trailing slash, for absolute addresses (`og:url`).
            "base_url": c.base_url.as_deref().map(|u| format!("{}/", u.trim_end_matches('/'))),
            "description": c.description,
            "language": c.language,
            "languages": c.all_languages().iter().map(|l| json!({"code": l, "name": language_name(l)})).collect::<Vec<_>>(),
            "menu": menu.iter().map(|e| json!({"title": e.title(), "href": paths::page_file(&paths::entry_url(Kind::Page, &e.slug, &c.language, &c.language))})).collect::<Vec<_>>(),
            "has": {
                "glossary": site.ids(Kind::Term).next().is_some(),
                "cases": site.ids(Kind::Case).next().is_some(),
                "paths": site.ids(Kind::Path).next().is_some(),
                "journey": !c.journey.is_empty(),
                "people": !c.people.is_empty(),
                "search": theme.has_template("search.html"),
            },
        });
        let chrome_key = cache::key(|h| {
            theme.fingerprint.hash(h);
            cache::hash_serialized(h, &site_value);
            // Department names and the journey show on entry pages.
            config_key.hash(h);
        });
        let mut pages = Pages {
            site,
            theme,
            bodies,
            site_value,
            card_keys,
            chrome_key,
            lookups_key: 0,
            lists_key: 0,
            today,
            related_index: OnceLock::new(),
            previous,
            recording,
            card_html: [(); 2].map(|_| (0..cards.len()).map(|_| OnceLock::new()).collect()),
            card_dictionary: OnceLock::new(),
            cards,
            cards_data,
            card_errors: Mutex::new(Vec::new()),
            unrecorded: Arc::default(),
            lists: Mutex::new(FxHashMap::default()),
            strings: site
                .config
                .all_languages()
                .into_iter()
                .map(|l| (l.to_string(), theme.strings(l)))
                .collect(),
            chrome: FxHashMap::default(),
            contexts: FxHashMap::default(),
            templates: FxHashMap::default(),
            templates_at: Vec::new(),
            card_contexts: Mutex::default(),
        };
        // Every page's template sees the site block and its language's
        // strings: converted to template values once per language here,
        // then cloned per page (converting them per page was some 7% of a
        // build's CPU).
        pages.chrome = pages
            .strings
            .iter()
            .map(|(lang, t)| {
                let mut cx = Context::new();
                cx.insert("site", &pages.site_value);
                cx.insert("t", t);
                cx.insert("search_strings", &super::theme::search_strings(t));
                cx.insert("strings_script", &crate::paths::strings_script(lang));
                // The menu's glossary is the one in the page's language:
                // every language listed has one when the site has terms.
                cx.insert(
                    "glossary_home",
                    &paths::page_file(&paths::section_url(Kind::Term, lang, &site.config.language)),
                );
                // The search box searches from the page's language's
                // search page, which names the filters in it.
                cx.insert(
                    "search_home",
                    &paths::page_file(&paths::search_url(lang, &site.config.language)),
                );
                (lang.clone(), cx)
            })
            .collect();
        pages.contexts = pages
            .chrome
            .keys()
            .map(|lang| (lang.clone(), Mutex::default()))
            .collect();
        // Specialised when a page first needs them (a save re-renders a
        // few pages, in one language and at one depth), or taken from the
        // last render while the chrome is the same: a specialisation takes
        // about a millisecond.
        pages.templates = pages
            .chrome
            .keys()
            .map(|lang| (lang.clone(), OnceLock::new()))
            .collect();
        pages.templates_at = pages
            .depths_of_many()
            .into_iter()
            .map(|at| (at, OnceLock::new()))
            .collect();
        if recording {
            pages.lookups_key = Pages::lookups_key(site, bodies);
            pages.lists_key = pages.lists_key();
        }
        pages
    }

    /// A fingerprint of everything list pages are made from: the chrome,
    /// the site's structure and who mentions which term, every entry's
    /// front matter and card, the glossary and the addresses bodies link
    /// to, and the whole text of training paths and of their steps (print
    /// views embed those bodies). No list shows any other body, so a save
    /// that changes only such a body leaves every list page as it was.
    fn lists_key(&self) -> u64 {
        let site = self.site;
        cache::key(|h| {
            (self.chrome_key, self.lookups_key).hash(h);
            (&self.bodies.answers, self.bodies.glossary_names).hash(h);
            // Coverage: freshness and quarters are counted up to today,
            // with the commit dates read from git.
            (self.today, site.git_dates_key).hash(h);
            for (id, e) in site.entries.iter().enumerate() {
                (e.front_matter_hash, self.card_keys[id]).hash(h);
            }
            for id in site.ids(Kind::Path) {
                site.entries[id].text_hash.hash(h);
                if let Meta::Path(p) = &site.entries[id].meta {
                    for step in &p.steps {
                        let target = site.get(step.kind, &step.slug, &site.config.language);
                        target.map(|t| site.entries[t].text_hash).hash(h);
                    }
                }
            }
        })
    }

    /// The list pages' fingerprint this time, for the next render.
    pub fn lists(&self) -> u64 {
        self.lists_key
    }

    /// One entry's card, rendered once for every list that shows it, with
    /// [`ROOT_PLACEHOLDER`] where the page's path to the site root goes
    /// (links are relative, so that part differs by depth: see `paste_card`).
    /// `None` when the card's own text holds the placeholder (a Unicode
    /// noncharacter, so never in real text): it is then rendered per depth.
    fn card_html(&self, id: EntryId, variant: CardVariant) -> Option<&CardHtml> {
        let render = || {
            if let Some(html) = self.previous.cards.get(&self.card_key(id, variant)) {
                return Some(CardHtml::new(html.clone()));
            }
            let dictionary = self.card_dictionary();
            self.with_card_context(id, ROOT_PLACEHOLDER, variant, |cx| {
                if cx.get("e").is_some_and(has_root_placeholder) {
                    return None;
                }
                let html = self.theme.render("card.html", cx).unwrap_or_else(|d| {
                    self.card_errors.lock().expect("card errors").push(d);
                    String::new()
                });
                Some(match dictionary {
                    Some(dictionary) => CardHtml::packed(html, dictionary),
                    // Kept for the whole render: in an allocation of its
                    // length (Tera's buffer starts at 2,000 bytes, a card
                    // is some 700).
                    None => CardHtml::new(Arc::new(crate::render::markdown::exact(html))),
                })
            })
        };
        self.card_html[variant as usize][id]
            .get_or_init(render)
            .as_ref()
    }

    /// What a card's rendering is cached under between renders: its
    /// card's key, told apart by variant.
    fn card_key(&self, id: EntryId, variant: CardVariant) -> u64 {
        match variant {
            CardVariant::Plain => self.card_keys[id],
            CardVariant::Filterable => cache::key(|h| (self.card_keys[id], variant).hash(h)),
        }
    }

    /// What a one-off build of a big site packs its cards against (`None`
    /// unless the bodies are packed): made from a few cards spread over
    /// the site, the first time a card is made.
    fn card_dictionary(&self) -> Option<&Dictionary> {
        if !self.bodies.packs() {
            return None;
        }
        self.card_dictionary
            .get_or_init(|| {
                let n = self.cards.len();
                let samples: Vec<String> = (0..n)
                    .step_by(n.div_ceil(CARD_DICTIONARY_SAMPLES).max(1))
                    .filter_map(|id| {
                        self.with_card_context(id, ROOT_PLACEHOLDER, CardVariant::Plain, |cx| {
                            self.theme.render("card.html", cx).ok()
                        })
                    })
                    .collect();
                Dictionary::from_samples(&samples)
            })
            .into()
    }

    /// Runs `render` with what `card.html` sees: the card, the way to the
    /// root, whether it is `filterable` (its [`CardVariant`]), and (cards
    /// being shared by pages of every language) the default language,
    /// which labels and dates it: the language of every list page. The
    /// context is the last card's, written over.
    fn with_card_context<R>(
        &self,
        id: EntryId,
        root: &str,
        variant: CardVariant,
        render: impl FnOnce(&Context) -> R,
    ) -> R {
        let taken = self.card_contexts.lock().expect("card contexts").pop();
        let mut cx = taken.unwrap_or_default();
        insert_in_place(&mut cx, "e", &*self.cards[id]);
        cx.insert("root", root);
        cx.insert("filterable", &(variant == CardVariant::Filterable));
        let default = &self.site.config.language;
        cx.insert("lang", default);
        cx.insert(
            "label",
            &self.kind_label(self.site.entries[id].kind, default),
        );
        let result = render(&cx);
        self.card_contexts.lock().expect("card contexts").push(cx);
        result
    }

    /// Pastes a card as seen from a page whose path to the site root is
    /// `root` (`../` once per folder below it).
    fn paste_card(&self, out: &mut String, id: EntryId, root: &str, variant: CardVariant) {
        let Some(card) = self.card_html(id, variant) else {
            let html =
                self.with_card_context(id, root, variant, |cx| self.theme.render("card.html", cx));
            match html {
                Ok(html) => out.push_str(&html),
                Err(d) => self.card_errors.lock().expect("card errors").push(d),
            }
            return;
        };
        let html = card.text();
        let mut from = 0;
        for &at in &card.roots {
            out.push_str(&html[from..at]);
            out.push_str(root);
            from = at + ROOT_PLACEHOLDER.len();
        }
        out.push_str(&html[from..]);
    }

    /// A list of cards, as a placeholder that names its content by hash:
    /// page data stays small and cheap to compare, and the list is pasted
    /// in (see `expand_lists`) only when the page is actually rendered.
    fn cards_html(&self, ids: impl IntoIterator<Item = EntryId>, url: &str) -> String {
        self.card_list_html(ids, url, CardVariant::Plain)
    }

    /// [`Pages::cards_html`], showing the cards' `variant`.
    fn card_list_html(
        &self,
        ids: impl IntoIterator<Item = EntryId>,
        url: &str,
        variant: CardVariant,
    ) -> String {
        let depth = url.matches('/').count();
        let ids: Arc<[EntryId]> = ids.into_iter().collect();
        let key = cache::key(|h| {
            (depth, variant).hash(h);
            for &id in ids.iter() {
                self.card_keys[id].hash(h);
            }
        });
        self.lists
            .lock()
            .expect("lists")
            .insert(key, (ids, depth, variant));
        format!("{LIST_MARKER}{key:016x}-->")
    }

    /// Replaces list placeholders in rendered HTML with the cards they stand for.
    fn expand_lists(&self, html: String) -> String {
        if !holds(&LIST_MARKER_FINDER, &html) {
            return html;
        }
        let mut out = String::with_capacity(html.len() * 2);
        let mut rest = html.as_str();
        while let Some(start) = LIST_MARKER_FINDER.find(rest.as_bytes()) {
            out.push_str(&rest[..start]);
            let after = &rest[start + LIST_MARKER.len()..];
            let key = after
                .get(..16)
                .and_then(|k| u64::from_str_radix(k, 16).ok());
            // Cards render outside the lock: pages expand in parallel.
            let list = key.and_then(|k| self.lists.lock().expect("lists").get(&k).cloned());
            match list {
                Some((ids, depth, variant)) => {
                    let root = paths::root_at_depth(depth);
                    // The cards are most of a list page: room for them at
                    // once, rather than growing the page as they come.
                    let cards: usize = ids
                        .iter()
                        .filter_map(|&id| self.card_html(id, variant))
                        .map(|card| card.len() + card.roots.len() * root.len())
                        .sum();
                    out.reserve(cards + rest.len());
                    for &id in ids.iter() {
                        self.paste_card(&mut out, id, &root, variant);
                    }
                    rest = &after[16 + "-->".len()..];
                }
                None => {
                    out.push_str(LIST_MARKER);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The template context every page in `lang` starts from.
    fn chrome(&self, lang: &str) -> &Context {
        self.chrome
            .get(lang)
            .unwrap_or(&self.chrome[&self.site.config.language])
    }

    /// The languages and depths of at least `MANY_AT_DEPTH` entries,
    /// whose pages get templates of their own (a specialisation takes
    /// about a millisecond; it saves about a microsecond a page).
    fn depths_of_many(&self) -> Vec<(String, usize)> {
        const MANY_AT_DEPTH: usize = 200;
        let mut counts: FxHashMap<(&str, usize), usize> = FxHashMap::default();
        for (id, e) in self.site.entries.iter().enumerate() {
            *counts
                .entry((e.lang.as_str(), paths::depth(self.site.url(id))))
                .or_default() += 1;
        }
        counts
            .into_iter()
            .filter(|&((lang, _), n)| n >= MANY_AT_DEPTH && self.chrome.contains_key(lang))
            .map(|((lang, depth), _)| (lang.to_string(), depth))
            .collect()
    }

    /// The templates specialised for `lang`'s chrome (and, with a depth,
    /// for pages at that depth), made once per render at most.
    fn specialized<'s>(
        &'s self,
        lang: &str,
        depth: Option<usize>,
        cell: &'s TemplatesCell,
    ) -> &'s Specialized {
        cell.get_or_init(|| {
            let at = (lang.to_string(), depth);
            if let Some(made) = self.previous.templates.get(self.chrome_key, &at) {
                return made;
            }
            let mut cx = self.chrome[lang].clone();
            if let Some(depth) = depth {
                cx.insert("root", &paths::root_at_depth(depth));
                cx.insert("lang", lang);
            }
            Arc::new(self.theme.specialize(&cx))
        })
    }

    /// The specialised templates this render made or reused, for the next.
    pub fn specialized_made(&self) -> cache::SpecializedTemplates {
        let languages = self
            .templates
            .iter()
            .filter_map(|(lang, cell)| Some(((lang.clone(), None), cell.get()?.clone())));
        let depths = self
            .templates_at
            .iter()
            .filter_map(|((lang, depth), cell)| {
                Some(((lang.clone(), Some(*depth)), cell.get()?.clone()))
            });
        cache::SpecializedTemplates::new(self.chrome_key, languages.chain(depths).collect())
    }

    /// Runs `render` with a context made of `lang`'s chrome and whatever
    /// the last page in `lang` set. The context is reused by the next page,
    /// so every render must set the same keys (`render_to`): one set by a
    /// page and not by the next would leak into it.
    fn with_context<R>(
        &self,
        lang: &str,
        depth: usize,
        template: &str,
        render: impl FnOnce(&mut Context, &super::theme::Specialized) -> R,
    ) -> R {
        let at_depth = self
            .templates_at
            .iter()
            .find(|((l, d), _)| *d == depth && l == lang)
            .map(|((l, d), cell)| self.specialized(l, Some(*d), cell));
        let lang = if self.chrome.contains_key(lang) {
            lang
        } else {
            &self.site.config.language
        };
        let templates =
            at_depth.unwrap_or_else(|| self.specialized(lang, None, &self.templates[lang]));
        let pool = &self.contexts[lang];
        let taken = pool
            .lock()
            .expect("contexts")
            .get_mut(template)
            .and_then(Vec::pop);
        let mut cx = taken.unwrap_or_else(|| self.chrome[lang].clone());
        let result = render(&mut cx, templates);
        let mut pool = pool.lock().expect("contexts");
        match pool.get_mut(template) {
            Some(contexts) => contexts.push(cx),
            None => {
                pool.insert(template.to_string(), vec![cx]);
            }
        }
        result
    }

    fn strings(&self, lang: &str) -> &Value {
        self.strings
            .get(lang)
            .unwrap_or(&self.strings[&self.site.config.language])
    }

    fn kind_label(&self, kind: Kind, lang: &str) -> String {
        let t = self.strings(lang);
        t.get(format!("kind_{}", kind.name()))
            .and_then(Value::as_str)
            .unwrap_or(kind.name())
            .to_string()
    }

    /// The words of charts and metric tables in a language.
    fn chart_words(&self, lang: &str) -> crate::render::chart::Words {
        let t = self.strings(lang);
        let english = crate::render::chart::Words::default();
        let get = |k: &str, d: String| t.get(k).and_then(Value::as_str).map_or(d, str::to_string);
        crate::render::chart::Words {
            before: get("before", english.before),
            after: get("after", english.after),
            better: get("better", english.better),
            worse: get("worse", english.worse),
            unchanged: get("unchanged", english.unchanged),
            points: get("points", english.points),
            point_one: get("point_one", english.point_one),
            relative: get("relative", english.relative),
        }
    }

    /// The lookups' fingerprint this time, for the next render.
    pub fn lookups(&self) -> u64 {
        self.lookups_key
    }

    /// The cards made this time, for the next render to reuse.
    pub fn cards_data(&mut self) -> cache::PerEntry<CardData> {
        cache::PerEntry::new(self.site, std::mem::take(&mut self.cards_data))
    }

    /// The cards rendered this time, for the next render to reuse.
    fn card_cache(&self) -> CardCache {
        let mut out = CardCache::default();
        if !self.recording {
            return out;
        }
        for variant in [CardVariant::Plain, CardVariant::Filterable] {
            for (id, cell) in self.card_html[variant as usize].iter().enumerate() {
                // Only a one-off build packs its cards.
                if let Some(Some(CardHtml {
                    html: CardText::Shared(html),
                    ..
                })) = cell.get()
                {
                    out.insert(self.card_key(id, variant), html.clone());
                }
            }
        }
        out
    }

    /// Renders every page into `sink`, in parallel, skipping pages whose
    /// inputs match the previous render. Returns the paths and the cache for
    /// the next render. Template errors are collected, each reported once.
    pub fn render_all(
        &self,
        sink: &dyn Sink,
        diags: &mut Diagnostics,
    ) -> (Vec<String>, PageKeys, EntryPages, CardCache) {
        let t = std::time::Instant::now();
        // While what lists are made from is unchanged, every list page is
        // kept as the last render made it, without building its data.
        let lists_unchanged = self.recording
            && self.previous.lists == self.lists_key
            && !self.previous.pages.is_empty();
        // The list pages' data is built on one thread while the others
        // render entry pages (building it alone left a core idle).
        let list_pages = || {
            let t = std::time::Instant::now();
            let mut results = Vec::new();
            if !lists_unchanged {
                let mut emit = |job: Job| results.push(self.list_page(sink, &job));
                let mut jobs = Jobs { emit: &mut emit };
                self.section_jobs(&mut jobs);
                self.taxonomy_jobs(&mut jobs);
                let coverage = crate::coverage::Coverage::new(self.site, self.today);
                self.programme_jobs(&coverage, &mut jobs);
            }
            (results, t.elapsed())
        };
        let entries = self.site.entries.len();
        let write_error = |path: &str, e: String| Diagnostic::cannot_write(path, e);
        // Entry pages are built inside the parallel loop: building them is
        // half the work, and each is dropped as soon as it is written.
        // In the order the bodies were rendered (see `render_bodies`): a
        // one-off build frees each body's HTML here, and bodies freed at
        // about the same time then free whole blocks of memory.
        let order = self.site.ids_in_input_order();
        let entry_pages = || -> Vec<Result<(String, Arc<PageRecord>), Diagnostic>> {
            let mut made: Vec<(EntryId, _)> = order
                .par_iter()
                .map(|&id| {
                    let e = &self.site.entries[id];
                    let url = self.site.url(id);
                    // A one-off build's HTML of this body: only its page
                    // shows it (with its slides), and it is freed once the
                    // page is written.
                    let own = self.bodies.take_page_part(id);
                    let own_ref = own.as_ref().map(|part| (id, part));
                    let page = self.recorded(sink, paths::page_file(url), own_ref, |reader| {
                        let (template, page) = entry::entry_page(reader, id);
                        self.render(template, url, &e.lang, &page)
                    });
                    if let Some(part) = own {
                        self.bodies.shown(id, part);
                    }
                    (id, page)
                })
                .collect();
            // Back in the site's order.
            made.sort_unstable_by_key(|(id, _)| *id);
            made.into_iter().map(|(_, page)| page).collect()
        };
        // List pages are built and rendered on one thread while the others
        // render entry pages (building their data alone left a core idle).
        let ((list_results, t_lists), entry_results) = rayon::join(list_pages, entry_pages);
        let kept_lists = lists_unchanged.then(|| {
            self.previous.pages.iter().map(|(path, &key)| {
                sink.keep(path)
                    .map(|()| (path.clone(), key))
                    .map_err(|e| write_error(path, e))
            })
        });
        let list_results: Vec<_> = list_results
            .into_iter()
            .chain(kept_lists.into_iter().flatten())
            .collect();
        if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
            eprintln!(
                "timings: list pages {t_lists:?} (beside entry pages), pages {:?}",
                t.elapsed()
            );
        }
        // What the next render reuses: only a render that records keeps
        // it (a one-off build would make it to throw it away).
        let mut page_keys = PageKeys::default();
        let mut entry_pages = EntryPages::default();
        if self.recording {
            page_keys.reserve(list_results.len());
            entry_pages.reserve(entry_results.len());
        }
        let mut paths = Vec::with_capacity(entries + list_results.len() + 1);
        let mut errors = Vec::new();
        for r in entry_results {
            match r {
                Ok((path, record)) => {
                    if self.recording {
                        entry_pages.insert(path.clone(), record);
                    }
                    paths.push(path);
                }
                Err(d) => errors.push(d),
            }
        }
        for r in list_results {
            match r {
                Ok((path, key)) => {
                    if self.recording {
                        page_keys.insert(path.clone(), key);
                    }
                    paths.push(path);
                }
                Err(d) => errors.push(d),
            }
        }
        match self.not_found().and_then(|f| {
            let path = f.path.clone();
            sink.put(f)
                .map(|()| path.clone())
                .map_err(|e| write_error(&path, e))
        }) {
            Ok(path) => paths.push(path),
            Err(d) => errors.push(d),
        }
        errors.extend(self.card_errors.lock().expect("card errors").drain(..));
        // The same template error would otherwise repeat for every page.
        let mut reported = std::collections::HashSet::new();
        for d in errors {
            if reported.insert(d.message.clone()) {
                diags.push(d);
            }
        }
        (paths, page_keys, entry_pages, self.card_cache())
    }

    /// A list page: its data is small (cards stand in as placeholders), so
    /// it is built every time and its hash is the page's key; the page is
    /// kept while the key is the one the previous render wrote.
    fn list_page(&self, sink: &dyn Sink, job: &Job) -> Result<(String, u64), Diagnostic> {
        // Only a render followed by another (serve) compares keys.
        let key = if self.recording {
            cache::key(|h| {
                self.chrome_key.hash(h);
                (job.template, &job.url, &job.lang).hash(h);
                job.page.hash(h);
            })
        } else {
            0
        };
        let path = paths::page_file(&job.url);
        let written = if self.recording && self.previous.pages.get(&path) == Some(&key) {
            sink.keep(&path)
        } else {
            sink.put(self.render(job.template, &job.url, &job.lang, &job.page)?)
        };
        written.map_err(|e| Diagnostic::cannot_write(&path, e))?;
        Ok((path, key))
    }

    /// A page assembled through a recording [`reads::Reader`]: kept as the
    /// previous render left it while everything it read is unchanged.
    fn recorded(
        &self,
        sink: &dyn Sink,
        path: String,
        own: Option<(EntryId, &bodies::PagePart)>,
        render: impl FnOnce(&reads::Reader) -> Result<OutputFile, Diagnostic>,
    ) -> Result<(String, Arc<PageRecord>), Diagnostic> {
        let write_error = |e: String| Diagnostic::cannot_write(&path, e);
        if let Some(record) = self.previous.entry_pages.get(&path)
            && self.still_holds(record)
        {
            sink.keep(&path).map_err(write_error)?;
            return Ok((path, record.clone()));
        }
        let reader = reads::Reader::new(self, own);
        let file = render(&reader)?;
        // Only a render followed by another (serve) uses the records.
        let record = if self.recording {
            Arc::new(reader.finish())
        } else {
            self.unrecorded.clone()
        };
        sink.put(file).map_err(write_error)?;
        Ok((path, record))
    }

    /// Renders a page's template with its data and the shared chrome.
    fn render(
        &self,
        template: &str,
        url: &str,
        lang: &str,
        page: &impl serde::Serialize,
    ) -> Result<OutputFile, Diagnostic> {
        self.render_to(template, url, paths::page_file(url), lang, page)
    }

    /// Like `render`, into `path` (a file beside the page at `url`).
    fn render_to(
        &self,
        template: &str,
        url: &str,
        path: String,
        lang: &str,
        page: &impl serde::Serialize,
    ) -> Result<OutputFile, Diagnostic> {
        let html = self.with_context(lang, paths::depth(url), template, |cx, templates| {
            // The same keys for every page, written over the last page's.
            cx.insert("root", &paths::root_prefix(url));
            cx.insert("url", url);
            cx.insert("lang", lang);
            // Only what the template can read of it.
            insert_in_place_reading(cx, "page", page, self.theme.page_reads(template));
            self.theme.render_specialized(templates, template, cx)
        })?;
        let html = self.expand_lists(html);
        Ok(OutputFile {
            path,
            contents: Contents::Bytes(html.into_bytes()),
        })
    }

    fn not_found(&self) -> Result<OutputFile, Diagnostic> {
        // 404.html is served at any depth, so its links are absolute from
        // the site's path (`base_url`'s, else the host's root). Without
        // `base_url` the site may live under a sub-path nobody told us
        // about: the styles are then put into the page, so it looks right
        // wherever it is served.
        let base_url = self.site.config.base_url.as_deref();
        let root = paths::base_path(base_url);
        let mut cx = self.chrome(&self.site.config.language).clone();
        cx.insert("root", &root);
        if base_url.is_none() {
            let css: String = ["assets/campfire.css", "assets/search.css"]
                .into_iter()
                .filter_map(|a| self.theme.asset_text(a))
                .collect::<Vec<_>>()
                .join("\n");
            // Inside <style>, only a closing tag could end it early.
            cx.insert("inline_css", &css.replace("</", "<\\/"));
        }
        cx.insert("url", paths::NOT_FOUND);
        cx.insert("lang", &self.site.config.language);
        cx.insert(
            "page",
            &lists::ListPage::Titled {
                title: "Page not found",
            },
        );
        let html = self.theme.render("404.html", &cx)?;
        Ok(OutputFile {
            path: paths::NOT_FOUND.into(),
            contents: Contents::Bytes(html.into_bytes()),
        })
    }
}

/// A tag's URL segment. Tags repeat across thousands of entries, and
/// slugifying (transliteration included) is not free, so results are kept.
fn tag_slug(tag: &str) -> String {
    thread_local! {
        static SLUGS: std::cell::RefCell<FxHashMap<String, String>> =
            std::cell::RefCell::new(FxHashMap::default());
    }
    SLUGS.with(|cache| {
        if let Some(s) = cache.borrow().get(tag) {
            return s.clone();
        }
        let s = slug::slugify(tag);
        cache.borrow_mut().insert(tag.to_string(), s.clone());
        s
    })
}

/// Case- and accent-insensitive sort key ("Ética" sorts with "E").
fn sort_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn initial(name: &str) -> String {
    match sort_key(name).chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
        Some(c) if c.is_alphabetic() => c.to_uppercase().to_string(),
        _ => "#".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(humanize("mobile-app"), "Mobile app");
        assert_eq!(truncate_words("one two three", 2), "one two…");
        assert_eq!(truncate_words("one two", 2), "one two");
        assert_eq!(initial("Ética"), "E");
        assert_eq!(initial("24/7"), "#");
        assert_eq!(sort_key("Ação"), "acao");
    }

    /// Stories written into a site folder: `text(i)` is story `i`'s file.
    struct Stories {
        dir: tempfile::TempDir,
        names: Vec<String>,
    }

    impl Stories {
        fn write(count: usize, text: impl Fn(usize) -> String) -> Stories {
            let dir = tempfile::tempdir().unwrap();
            let names = (0..count)
                .map(|i| {
                    let rel = format!("stories/s-{i}.md");
                    let path = dir.path().join(crate::load::CONTENT_DIR).join(&rel);
                    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                    std::fs::write(&path, text(i)).unwrap();
                    rel
                })
                .collect();
            Stories { dir, names }
        }

        fn config() -> crate::config::SiteConfig {
            crate::config::SiteConfig::parse("title: T\ndepartments:\n  - { id: it, name: IT }\n")
                .unwrap()
        }

        /// A fresh site of the stories (a one-off build's bodies free
        /// their Markdown: one site per render).
        fn site(&self) -> Site {
            let mut content = crate::load::Content::default();
            for rel in &self.names {
                content.entries.extend(
                    crate::load::parse_file(
                        self.dir.path(),
                        std::path::Path::new(rel),
                        &Stories::config(),
                    )
                    .entry,
                );
            }
            crate::link::link(Stories::config(), content, &mut Diagnostics::new())
        }

        fn theme(&self) -> Theme {
            Theme::load(self.dir.path(), &Stories::config()).unwrap()
        }
    }

    /// A one-off render's bodies of `site`.
    fn one_off_bodies(site: &Site, previous: &RenderCache) -> Bodies {
        bodies::render_bodies(
            site,
            Arc::default(),
            true,
            previous,
            false,
            &mut Diagnostics::new(),
        )
        .0
    }

    #[test]
    fn a_big_site_s_cards_are_held_packed_and_pasted_the_same() {
        let stories = Stories::write(40, |i| {
            format!(
                "---\ntitle: Snow <{i}>\ndate: 2026-01-{:02}\nauthor: A\ndepartment: it\n\
                 tags: [winter, vans]\n---\nThe vans could not reach customer {i} & the rest.\n",
                i % 28 + 1
            )
        });
        let theme = stories.theme();
        let previous = RenderCache::default();
        let (site, other) = (stories.site(), stories.site());
        let plain = one_off_bodies(&site, &previous);
        let packing = one_off_bodies(&other, &previous).packing();
        let today = crate::coverage::today();
        let as_is = Pages::new(&site, &theme, &plain, &previous, 0, false, today);
        let packed = Pages::new(&other, &theme, &packing, &previous, 0, false, today);
        assert!(as_is.card_dictionary().is_none());
        for id in site.ids(Kind::Story) {
            for (root, variant) in [
                ("", CardVariant::Plain),
                ("../", CardVariant::Filterable),
                ("../../../", CardVariant::Plain),
            ] {
                let (mut expected, mut got) = (String::new(), String::new());
                as_is.paste_card(&mut expected, id, root, variant);
                packed.paste_card(&mut got, id, root, variant);
                assert!(expected.contains("&lt;"), "{expected}");
                assert!(
                    expected.contains(&format!("\"{root}stories/")),
                    "{expected}"
                );
                assert_eq!(got, expected);
                let card = packed.card_html(id, variant).unwrap();
                assert!(matches!(&card.html, CardText::Packed(p) if p.is_packed()));
                assert_eq!(card.len(), as_is.card_html(id, variant).unwrap().len());
            }
        }
        assert!(packed.card_dictionary().is_some());
    }

    #[test]
    fn cards_share_what_many_show_and_the_front_matter_s_summary() {
        use crate::load::Meta;
        let stories = Stories::write(3, |i| {
            format!(
                "---\ntitle: S {i}\ndate: 2026-01-02\nauthor: Ana\ndepartment: it\n\
                 recognized: [Ana]\nsummary: Summary {i}.\n---\nBody {i}.\n"
            )
        });
        let (site, theme) = (stories.site(), stories.theme());
        let previous = RenderCache::default();
        let bodies = one_off_bodies(&site, &previous);
        let pages = Pages::new(
            &site,
            &theme,
            &bodies,
            &previous,
            0,
            false,
            crate::coverage::today(),
        );
        let ids: Vec<EntryId> = site.ids(Kind::Story).collect();
        assert_eq!(ids.len(), 3);
        let story = |id: EntryId| match &site.entries[id].meta {
            Meta::Story(s) => s,
            _ => unreachable!(),
        };
        for &id in &ids {
            let card = &pages.cards[id];
            let own = story(id).summary.as_ref().unwrap();
            assert!(Arc::ptr_eq(&card.summary, own), "{card:?}");
            assert_eq!(
                &*card.summary,
                format!("Summary {}.", &story(id).title[2..])
            );
        }
        let (a, b) = (&pages.cards[ids[0]], &pages.cards[ids[1]]);
        assert!(Arc::ptr_eq(&a.lang, &b.lang));
        assert!(Arc::ptr_eq(
            a.date.as_ref().unwrap(),
            b.date.as_ref().unwrap()
        ));
        assert!(Arc::ptr_eq(
            a.date_iso.as_ref().unwrap(),
            b.date_iso.as_ref().unwrap()
        ));
        let people = |c: &Card| match &c.extra {
            card::CardExtra::Story { by, recognized, .. } => (by.clone(), recognized[0].clone()),
            _ => unreachable!(),
        };
        let ((by_a, rec_a), (by_b, _)) = (people(a), people(b));
        assert!(Arc::ptr_eq(&by_a, &by_b) && Arc::ptr_eq(&by_a, &rec_a));
        assert_eq!(by_a.name, "Ana");
    }
}
