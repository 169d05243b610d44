//! Pages that list entries: home, stories, glossary indexes, cases, paths,
//! print views, the journey map and the taxonomy pages.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::card::Card;
use super::departments::{DepartmentCounts, LensItem, Shown};
use super::{CardVariant, Job, Jobs, Pages, initial, language_name, sort_key, tag_slug};
use crate::config::Named;
use crate::link::EntryId;
use crate::load::{Kind, Meta};
use crate::paths::{self, Taxonomy};

/// The data of a list page: typed, borrowing from the site. Cards in long
/// lists stand in as placeholders (`*_html`), so this stays small, and its
/// hash is the page's key between renders.
#[derive(Serialize, Hash)]
#[serde(untagged)]
pub(super) enum ListPage<'p, 'a> {
    Home {
        title: &'a str,
        featured_count: usize,
        featured_html: String,
        latest_html: String,
        spotlight: Option<&'p Card>,
        journey: Vec<Stage<'a>>,
        counts: Counts,
        paths: Vec<&'p Card>,
    },
    Stories {
        title: &'static str,
        stories_html: String,
        count: usize,
        filters: Shared<[Filter<'a>; 4]>,
        /// Whether the filters hide cards here (the list is on one page)
        /// rather than open a facet's own page.
        filter_in_place: bool,
        pager: Pager,
    },
    Glossary {
        title: &'static str,
        /// The letters with items on this page.
        letters: Vec<Letter<'a>>,
        /// Every letter of the index, linked to the page where it starts.
        az: Shared<Vec<LetterLink>>,
        count: usize,
        /// Terms shown in the default language for want of a translation.
        untranslated: usize,
        default_language: String,
        languages: Shared<Vec<LanguageLink<'a>>>,
        pager: Pager,
    },
    Cases {
        title: &'static str,
        cases_html: String,
        pager: Pager,
    },
    Paths {
        title: &'static str,
        paths: Vec<&'p Card>,
    },
    PathPrint {
        #[serde(flatten)]
        card: &'p Card,
        path_steps: Vec<PrintStep<'p, 'a>>,
        path_href: String,
        html: String,
    },
    Journey {
        title: &'static str,
        stages: Vec<Stage<'a>>,
    },
    Taxonomy {
        taxonomy: &'static str,
        items: Vec<TaxonomyLink>,
        pager: Pager,
    },
    TaxonomyItem {
        taxonomy: &'static str,
        id: String,
        title: String,
        count: usize,
        entries_html: String,
        pager: Pager,
    },
    /// A department: every term through its lens, its stories, cases and
    /// paths. Stories and vocabulary page in step; cases and paths are on
    /// the first page.
    Department {
        taxonomy: &'static str,
        id: &'a str,
        title: String,
        counts: DepartmentCounts,
        /// What this page of it shows.
        shown: Shown,
        stories_html: String,
        cases_html: String,
        paths_html: String,
        lenses: Vec<LensItem<'a>>,
        general: Vec<LensItem<'a>>,
        /// The department's own feed.
        feed_href: String,
        pager: Pager,
        /// Departments: the touchpoints they are backstage for (`programme`).
        backstage: Vec<super::programme::Backstage>,
    },
    /// A term's "mentioned in" list after its first page (which is on the
    /// term's own page).
    Mentions {
        term: &'a str,
        term_href: String,
        count: usize,
        mentioned_in_html: String,
        pager: Pager,
    },
    /// Pages with nothing but a title (404).
    Titled { title: &'static str },
    /// A language's search page: what `search.js` shows the index's
    /// facet values as (see `search_docs::facet_names`).
    Search {
        title: &'static str,
        facet_names: String,
    },
    /// People, recognition walls, coverage, the blueprint (`programme`).
    Programme(super::programme::ProgrammePage<'p, 'a>),
}

/// Data every page of a list shows alike (the stories' filters), made once.
pub(super) struct Shared<T>(std::sync::Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<T: std::hash::Hash> std::hash::Hash for Shared<T> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.hash(h);
    }
}

/// Where a page of a paginated list sits among its siblings. Hrefs are
/// relative to the site root (templates put `root` before them).
#[derive(Serialize, Hash, Debug, PartialEq)]
pub(super) struct Pager {
    /// This page, from 1, and how many there are.
    number: usize,
    total: usize,
    /// Items in the whole list, and the first and last shown here (from 1).
    count: usize,
    first: usize,
    last: usize,
    previous: Option<String>,
    next: Option<String>,
    /// The first, the last and the pages around this one; `None` stands
    /// for a gap ("…").
    links: Vec<Option<PageLink>>,
}

#[derive(Serialize, Hash, Debug, PartialEq)]
pub(super) struct PageLink {
    number: usize,
    href: String,
    current: bool,
}

/// A to Z, then the other initials that occur, in order.
fn az_letters<'l>(used: impl Iterator<Item = &'l str>) -> Vec<String> {
    let mut out: Vec<String> = ('A'..='Z').map(|c| c.to_string()).collect();
    for l in used {
        if !out.iter().any(|o| o == l) {
            out.push(l.to_string());
        }
    }
    out
}

/// One page of a list: its URL, its items and its place among the pages.
pub(super) struct ListSlice<T> {
    pub url: String,
    pub items: Vec<T>,
    pub pager: Pager,
}

/// Cuts `items` into pages of `size` for the list whose first page is at
/// `url` (see [`paths::list_page_url`]). An empty list still has its first
/// page.
pub(super) fn paginate<T>(url: &str, items: Vec<T>, size: usize) -> Vec<ListSlice<T>> {
    let size = size.max(1);
    let count = items.len();
    let total = count.div_ceil(size).max(1);
    let mut rest = items.into_iter();
    (1..=total)
        .map(|number| {
            let items: Vec<T> = rest.by_ref().take(size).collect();
            ListSlice {
                url: paths::list_page_url(url, number),
                pager: Pager::new(url, number, total, count, size),
                items,
            }
        })
        .collect()
}

/// One "mentioned in" line: the kind's badge and a link to the entry.
pub(super) fn backlink_html(
    out: &mut String,
    root: &str,
    kind: Kind,
    label: &str,
    url: &str,
    title: &str,
) {
    // Written piece by piece, escaped straight into `out`: a term's page
    // lists every entry that mentions it.
    let escaped = |out: &mut String, text: &str| {
        let _ = pulldown_cmark_escape::escape_html(out, text);
    };
    out.push_str("<li><span class=\"badge badge-");
    out.push_str(kind.name());
    out.push_str("\">");
    escaped(out, label);
    out.push_str("</span> <a href=\"");
    out.push_str(root);
    paths::push_page_file(out, url);
    out.push_str("\">");
    escaped(out, title);
    out.push_str("</a></li>");
}

impl Pager {
    /// Page `number` of `total` of a list of `count` items, `size` a page.
    pub(super) fn new(url: &str, number: usize, total: usize, count: usize, size: usize) -> Pager {
        let href = |n: usize| paths::page_file(&paths::list_page_url(url, n));
        let first = ((number - 1) * size + 1).min(count + 1);
        let last = (number * size).min(count);
        // The first, the last and two either side of this one.
        let mut shown: Vec<usize> = [1, total]
            .into_iter()
            .chain(number.saturating_sub(2).max(1)..=(number + 2).min(total))
            .collect();
        shown.sort_unstable();
        shown.dedup();
        let mut links = Vec::with_capacity(shown.len() + 2);
        let mut last_shown = 0;
        for n in shown {
            if n > last_shown + 1 {
                links.push(None);
            }
            links.push(Some(PageLink {
                number: n,
                href: href(n),
                current: n == number,
            }));
            last_shown = n;
        }
        Pager {
            number,
            total,
            count,
            first: if first > last { 0 } else { first },
            last,
            previous: (number > 1).then(|| href(number - 1)),
            next: (number < total).then(|| href(number + 1)),
            links,
        }
    }
}

#[derive(Serialize, Hash)]
pub(super) struct Counts {
    stories: usize,
    terms: usize,
    cases: usize,
    paths: usize,
}

#[derive(Serialize, Hash)]
pub(super) struct Filter<'a> {
    key: &'static str,
    items: Vec<FacetItem<'a>>,
}

#[derive(Serialize, Hash)]
pub(super) struct FacetItem<'a> {
    id: Cow<'a, str>,
    name: Cow<'a, str>,
    count: usize,
    /// The item's own list page (a paginated list filters by going there).
    href: String,
}

#[derive(Serialize, Hash)]
pub(super) struct Letter<'a> {
    letter: String,
    items: Vec<LetterItem<'a>>,
}

/// A letter of the A–Z bar: where its first item is, if any.
#[derive(Serialize, Hash)]
pub(super) struct LetterLink {
    letter: String,
    /// Relative to the site root, with the letter's anchor.
    href: Option<String>,
}

#[derive(Serialize, Hash)]
#[serde(untagged)]
pub(super) enum LetterItem<'a> {
    Term {
        name: &'a str,
        href: String,
        short: Option<&'a str>,
        /// Set when the term is shown in another language than the page's.
        lang: Option<&'a str>,
    },
    Alias {
        name: &'a str,
        href: String,
        alias_of: &'a str,
        lang: Option<&'a str>,
    },
}

#[derive(Serialize, Hash)]
pub(super) struct LanguageLink<'a> {
    lang: &'a str,
    name: String,
    href: String,
    current: bool,
}

#[derive(Serialize, Hash)]
pub(super) struct PrintStep<'p, 'a> {
    number: usize,
    note: Option<&'a str>,
    item: &'p Card,
    html: String,
    /// A term step keeps its short definition and its lenses.
    short: Option<&'a str>,
    lenses: Vec<PrintLens<'a>>,
    /// A case step keeps its chart and metrics table.
    chart: Option<String>,
    metrics: Vec<super::entry::MetricRow<'a>>,
}

#[derive(Serialize, Hash)]
pub(super) struct PrintLens<'a> {
    id: &'a str,
    name: String,
    text: &'a str,
}

#[derive(Serialize, Hash)]
pub(super) struct Stage<'a> {
    number: usize,
    stage: String,
    touchpoints: Vec<TouchpointCount<'a>>,
}

#[derive(Serialize, Hash)]
pub(super) struct TouchpointCount<'a> {
    id: &'a str,
    name: String,
    href: String,
    stories: usize,
    cases: usize,
}

#[derive(Serialize, Hash)]
pub(super) struct TaxonomyLink {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) href: String,
    pub(super) count: usize,
    /// A department's counts by kind (its page shows the same).
    pub(super) department: Option<DepartmentCounts>,
}

impl<'a> Pages<'a> {
    fn card_refs(&self, ids: impl IntoIterator<Item = EntryId>) -> Vec<&Card> {
        ids.into_iter().map(|i| &*self.cards[i]).collect()
    }

    pub(super) fn section_jobs<'p>(&'p self, jobs: &mut Jobs<'_, 'p, 'a>) {
        let site = self.site;
        let default = site.config.language.clone();
        let stories: Vec<EntryId> = site.ids(Kind::Story).collect();

        // Home.
        let featured: Vec<EntryId> = stories
            .iter()
            .copied()
            .filter(|&i| matches!(&site.entries[i].meta, Meta::Story(s) if s.featured))
            .take(6)
            .collect();
        let spotlight = self.bodies.glossary_terms.iter().copied().max_by_key(|t| {
            (
                self.bodies.mentioned_in.get(t).map_or(0, Vec::len),
                std::cmp::Reverse(site.entries[*t].title().to_lowercase()),
            )
        });
        jobs.push(Job {
            url: String::new(),
            template: "index.html",
            lang: default.clone(),
            page: ListPage::Home {
                title: &site.config.title,
                featured_count: featured.len(),
                featured_html: self.cards_html(featured, ""),
                latest_html: self.cards_html(stories.iter().copied().take(6), ""),
                spotlight: spotlight.map(|t| &*self.cards[t]),
                journey: self.journey(),
                counts: Counts {
                    stories: stories.len(),
                    terms: site.originals(Kind::Term).count(),
                    cases: site.ids(Kind::Case).count(),
                    paths: site.ids(Kind::Path).count(),
                },
                paths: self.card_refs(site.ids(Kind::Path)),
            },
        });

        // Stories with client-side filters: counted by id first, named once
        // per distinct id (ten thousand stories share a few dozen).
        fn facet<'s>(
            taxonomy: Taxonomy,
            counts: BTreeMap<&'s str, usize>,
            name: impl Fn(&'s str) -> Cow<'s, str>,
        ) -> Vec<FacetItem<'s>> {
            counts
                .into_iter()
                .map(|(id, count)| FacetItem {
                    id: Cow::Borrowed(id),
                    name: name(id),
                    count,
                    href: paths::page_file(&paths::taxonomy_item_url(taxonomy, id)),
                })
                .collect()
        }
        let mut departments: BTreeMap<&str, usize> = BTreeMap::new();
        let mut touchpoints: BTreeMap<&str, usize> = BTreeMap::new();
        let mut values: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &stories {
            if let Meta::Story(s) = &site.entries[i].meta {
                *departments.entry(&s.department).or_default() += 1;
                for t in &s.touchpoints {
                    *touchpoints.entry(t).or_default() += 1;
                }
                for v in &s.values {
                    *values.entry(v).or_default() += 1;
                }
            }
        }
        // Tags are counted by their slug (two spellings, one tag, named as
        // first seen); each distinct spelling is slugified once.
        let mut slugs: rustc_hash::FxHashMap<&str, String> = Default::default();
        for &i in &stories {
            for t in site.entries[i].tags() {
                slugs.entry(t).or_insert_with(|| tag_slug(t));
            }
        }
        let mut tag_counts: BTreeMap<&str, (&str, usize)> = BTreeMap::new();
        for &i in &stories {
            for t in site.entries[i].tags() {
                tag_counts.entry(&slugs[t.as_str()]).or_insert((t, 0)).1 += 1;
            }
        }
        let tag_items: Vec<FacetItem> = tag_counts
            .into_iter()
            .map(|(id, (name, count))| FacetItem {
                href: paths::page_file(&paths::taxonomy_item_url(Taxonomy::Tags, id)),
                name: Cow::Borrowed(site.config.tag_name(id, name)),
                id: Cow::Owned(id.to_string()),
                count,
            })
            .collect();
        let language = &default;
        let name =
            |kind: Named| move |id: &'a str| Cow::Owned(site.config.name_of(kind, id, language));
        let (departments, touchpoints, values) = (
            facet(Taxonomy::Departments, departments, name(Named::Department)),
            facet(Taxonomy::Touchpoints, touchpoints, name(Named::Touchpoint)),
            facet(Taxonomy::Values, values, name(Named::Value)),
        );
        // Every page of the list shares the filters (a few dozen items).
        let filters = Shared(std::sync::Arc::new([
            Filter {
                key: "department",
                items: departments,
            },
            Filter {
                key: "touchpoint",
                items: touchpoints,
            },
            Filter {
                key: "value",
                items: values,
            },
            Filter {
                key: "tag",
                items: tag_items,
            },
        ]));
        let size = site.config.page_size;
        let stories_url = paths::section_url(Kind::Story, &default, &default);
        for slice in paginate(&stories_url, stories.clone(), size) {
            // On one page the filters hide cards in place, reading the
            // cards' facets; across pages they open a facet's own page.
            let filter_in_place = slice.pager.total == 1;
            let variant = if filter_in_place {
                CardVariant::Filterable
            } else {
                CardVariant::Plain
            };
            jobs.push(Job {
                template: "stories.html",
                lang: default.clone(),
                page: ListPage::Stories {
                    title: "Stories",
                    stories_html: self.card_list_html(slice.items, &slice.url, variant),
                    count: stories.len(),
                    filters: filters.clone(),
                    filter_in_place,
                    pager: slice.pager,
                },
                url: slice.url,
            });
        }

        // Glossary index, per language: every term, in that language where
        // it is translated and in the default language (marked) where not.
        for lang in site.config.all_languages() {
            let terms: Vec<EntryId> = site
                .originals(Kind::Term)
                .map(|i| {
                    site.get(Kind::Term, &site.entries[i].slug, lang)
                        .unwrap_or(i)
                })
                .collect();
            if terms.is_empty() && lang != default {
                continue;
            }
            let untranslated = terms
                .iter()
                .filter(|&&i| site.entries[i].lang != lang)
                .count();
            let languages = Shared(std::sync::Arc::new(
                site.config
                    .all_languages()
                    .into_iter()
                    .map(|l| LanguageLink {
                        lang: l,
                        name: language_name(l),
                        href: paths::page_file(&paths::section_url(Kind::Term, l, &default)),
                        current: l == lang,
                    })
                    .collect(),
            ));
            let url = paths::section_url(Kind::Term, lang, &default);
            let slices = paginate(
                &url,
                self.glossary_items(&terms, lang),
                site.config.compact_page_size(),
            );
            // Each letter links to the page where its first item is.
            let mut starts: Vec<(String, String)> = Vec::new();
            for slice in &slices {
                for (letter, _) in &slice.items {
                    if starts.last().is_none_or(|(l, _)| l != letter) {
                        starts.push((letter.clone(), paths::page_file(&slice.url)));
                    }
                }
            }
            let az = Shared(std::sync::Arc::new(
                az_letters(starts.iter().map(|(l, _)| l.as_str()))
                    .into_iter()
                    .map(|letter| LetterLink {
                        href: starts
                            .iter()
                            .find(|(l, _)| *l == letter)
                            .map(|(_, page)| format!("{page}#letter-{letter}")),
                        letter,
                    })
                    .collect(),
            ));
            for slice in slices {
                let mut letters: Vec<Letter> = Vec::new();
                for (letter, item) in slice.items {
                    match letters.last_mut() {
                        Some(l) if l.letter == letter => l.items.push(item),
                        _ => letters.push(Letter {
                            letter,
                            items: vec![item],
                        }),
                    }
                }
                jobs.push(Job {
                    template: "glossary.html",
                    lang: lang.to_string(),
                    page: ListPage::Glossary {
                        title: "Glossary",
                        letters,
                        az: az.clone(),
                        count: terms.len(),
                        untranslated,
                        default_language: language_name(&default),
                        languages: languages.clone(),
                        pager: slice.pager,
                    },
                    url: slice.url,
                });
            }
        }

        // "Mentioned in" beyond what a term's page shows.
        let compact = site.config.compact_page_size();
        for term in site.ids(Kind::Term) {
            let e = &site.entries[term];
            let original = site.get(Kind::Term, &e.slug, &default).unwrap_or(term);
            let mentioned = self
                .bodies
                .mentioned_in
                .get(&original)
                .map_or(&[][..], Vec::as_slice);
            if mentioned.len() <= compact {
                continue;
            }
            let term_url = site.url(term);
            for slice in paginate(term_url, mentioned.to_vec(), compact)
                .into_iter()
                .skip(1)
            {
                let root = paths::root_prefix(&slice.url);
                let mut html = String::with_capacity(slice.items.len() * 120);
                for m in slice.items {
                    let kind = site.entries[m].kind;
                    backlink_html(
                        &mut html,
                        &root,
                        kind,
                        &self.kind_label(kind, &e.lang),
                        site.url(m),
                        site.entries[m].title(),
                    );
                }
                jobs.push(Job {
                    template: "mentions.html",
                    lang: e.lang.clone(),
                    page: ListPage::Mentions {
                        term: e.title(),
                        term_href: paths::page_file(term_url),
                        count: mentioned.len(),
                        mentioned_in_html: html,
                        pager: slice.pager,
                    },
                    url: slice.url,
                });
            }
        }

        let cases_url = paths::section_url(Kind::Case, &default, &default);
        for slice in paginate(&cases_url, site.ids(Kind::Case).collect(), size) {
            jobs.push(Job {
                template: "cases.html",
                lang: default.clone(),
                page: ListPage::Cases {
                    title: "Case studies",
                    cases_html: self.cards_html(slice.items, &slice.url),
                    pager: slice.pager,
                },
                url: slice.url,
            });
        }
        jobs.push(Job {
            url: paths::section_url(Kind::Path, &default, &default),
            template: "paths.html",
            lang: default.clone(),
            page: ListPage::Paths {
                title: "Training paths",
                paths: self.card_refs(site.ids(Kind::Path)),
            },
        });
        for id in site.ids(Kind::Path) {
            let Meta::Path(p) = &site.entries[id].meta else {
                continue;
            };
            let url = paths::print_url(site.url(id));
            let b = self.bodies;
            let embed = |target: EntryId, prefix: &str| {
                crate::render::bodies::render_entry(site, b, target, &url, prefix).html
            };
            let path_steps: Vec<PrintStep> = p
                .steps
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let target = site.get(s.kind, &s.slug, &default)?;
                    let mut step = PrintStep {
                        number: i + 1,
                        note: s.note.as_deref(),
                        item: &self.cards[target],
                        // Re-rendered for this page's depth, with tooltip and
                        // heading ids unique to the step.
                        html: embed(target, &format!("s{}-", i + 1)),
                        short: None,
                        lenses: Vec::new(),
                        chart: None,
                        metrics: Vec::new(),
                    };
                    match &site.entries[target].meta {
                        Meta::Term(t) => {
                            step.short = t.short.as_deref();
                            step.lenses = site
                                .config
                                .departments
                                .iter()
                                .filter_map(|d| {
                                    Some(PrintLens {
                                        id: &d.id,
                                        name: site.config.name_of(
                                            Named::Department,
                                            &d.id,
                                            &default,
                                        ),
                                        text: t.lenses.get(&d.id)?,
                                    })
                                })
                                .collect();
                        }
                        Meta::Case(c) if !c.metrics.is_empty() => {
                            let (chart, rows) =
                                super::entry::case_metrics(&c.metrics, &self.chart_words(&default));
                            step.chart = Some(chart);
                            step.metrics = rows;
                        }
                        _ => {}
                    }
                    Some(step)
                })
                .collect();
            let page = ListPage::PathPrint {
                card: &self.cards[id],
                path_steps,
                path_href: paths::page_file(site.url(id)),
                html: embed(id, "intro-"),
            };
            jobs.push(Job {
                url,
                template: "path_print.html",
                lang: default.clone(),
                page,
            });
        }
        jobs.push(Job {
            url: paths::JOURNEY.into(),
            template: "journey.html",
            lang: default.clone(),
            page: ListPage::Journey {
                title: "Customer journey",
                stages: self.journey(),
            },
        });
        // A search page per language (`search/`, `pt/search/`): the same
        // index, its filters named in the page's language.
        if self.theme.has_template("search.html") {
            for lang in site.config.all_languages() {
                jobs.push(Job {
                    url: paths::search_url(lang, &default),
                    template: "search.html",
                    lang: lang.to_string(),
                    page: ListPage::Search {
                        title: "Search",
                        facet_names: crate::render::search_docs::facet_names(&site.config, lang),
                    },
                });
            }
        }
    }

    /// Every term and alias of the `lang` glossary index in order, with
    /// its letter; a term in another language is marked with it.
    pub(super) fn glossary_items(
        &self,
        terms: &[EntryId],
        lang: &str,
    ) -> Vec<(String, LetterItem<'a>)> {
        let site = self.site;
        let mut items: Vec<(&str, LetterItem)> = Vec::new();
        for &i in terms {
            let e = &site.entries[i];
            let Meta::Term(t) = &e.meta else {
                continue;
            };
            let href = paths::page_file(site.url(i));
            let other = (e.lang != lang).then_some(e.lang.as_str());
            items.push((
                &t.term,
                LetterItem::Term {
                    name: &t.term,
                    href: href.clone(),
                    short: t.short.as_deref(),
                    lang: other,
                },
            ));
            for a in &t.aliases {
                items.push((
                    a,
                    LetterItem::Alias {
                        name: a,
                        href: href.clone(),
                        alias_of: &t.term,
                        lang: other,
                    },
                ));
            }
        }
        // A–Z first; digits, symbols and letters outside A–Z after.
        let mut keyed: Vec<((bool, String, String), LetterItem)> = items
            .into_iter()
            .map(|(name, item)| {
                let letter = initial(name);
                let outside = !(letter.len() == 1 && letter.as_bytes()[0].is_ascii_uppercase());
                ((outside, letter, sort_key(name)), item)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed
            .into_iter()
            .map(|((_, letter, _), item)| (letter, item))
            .collect()
    }

    /// Stages in order, each touchpoint with its story and case counts.
    pub(super) fn journey(&self) -> Vec<Stage<'a>> {
        let site = self.site;
        let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
        for e in &site.entries {
            for t in e.touchpoints() {
                let c = counts.entry(t.as_str()).or_default();
                match e.kind {
                    Kind::Story => c.0 += 1,
                    Kind::Case => c.1 += 1,
                    _ => {}
                }
            }
        }
        site.config
            .journey
            .iter()
            .enumerate()
            .map(|(n, stage)| {
                let touchpoints = stage
                    .touchpoints
                    .iter()
                    .map(|t| &t.id)
                    .map(|t| {
                        let (stories, cases) = counts.get(t.as_str()).copied().unwrap_or_default();
                        TouchpointCount {
                            id: t,
                            name: site
                                .config
                                .name_of(Named::Touchpoint, t, &site.config.language),
                            href: paths::page_file(&paths::taxonomy_item_url(
                                Taxonomy::Touchpoints,
                                t,
                            )),
                            stories,
                            cases,
                        }
                    })
                    .collect();
                Stage {
                    number: n + 1,
                    stage: site
                        .config
                        .name_of(Named::Stage, &stage.stage, &site.config.language),
                    touchpoints,
                }
            })
            .collect()
    }

    pub(super) fn taxonomy_jobs<'p>(&'p self, jobs: &mut Jobs<'_, 'p, 'a>) {
        let site = self.site;
        let c = &site.config;
        let default = c.language.clone();
        let mut by_touchpoint: BTreeMap<&str, Vec<EntryId>> = BTreeMap::new();
        let mut by_value: BTreeMap<&str, Vec<EntryId>> = BTreeMap::new();
        let mut by_tag: BTreeMap<String, (String, Vec<EntryId>)> = BTreeMap::new();
        for (id, e) in site.entries.iter().enumerate() {
            if let Meta::Story(s) = &e.meta {
                for v in &s.values {
                    by_value.entry(v).or_default().push(id);
                }
            }
            for t in e.touchpoints() {
                by_touchpoint.entry(t).or_default().push(id);
            }
            for tag in e.tags() {
                let slug = tag_slug(tag);
                let name = c.tag_name(&slug, tag).to_string();
                by_tag
                    .entry(slug)
                    .or_insert_with(|| (name, Vec::new()))
                    .1
                    .push(id);
            }
        }
        // Departments have pages of their own (`departments.rs`).
        self.department_jobs(jobs);
        let taxonomy = |taxonomy: Taxonomy,
                        items: Vec<(String, String, Vec<EntryId>)>,
                        jobs: &mut Jobs<'_, 'p, 'a>| {
            let key = taxonomy.segment();
            let index_url = paths::taxonomy_url(taxonomy);
            let index: Vec<TaxonomyLink> = items
                .iter()
                .map(|(id, name, entries)| TaxonomyLink {
                    id: id.clone(),
                    name: name.clone(),
                    href: paths::page_file(&paths::taxonomy_item_url(taxonomy, id)),
                    count: entries.len(),
                    department: None,
                })
                .collect();
            for slice in paginate(&index_url, index, c.compact_page_size()) {
                jobs.push(Job {
                    template: "taxonomy.html",
                    lang: default.clone(),
                    page: ListPage::Taxonomy {
                        taxonomy: key,
                        items: slice.items,
                        pager: slice.pager,
                    },
                    url: slice.url,
                });
            }
            // A value's own page is its recognition wall (`programme`).
            if taxonomy == Taxonomy::Values {
                return;
            }
            for (id, name, entries) in items {
                let url = paths::taxonomy_item_url(taxonomy, &id);
                let count = entries.len();
                for slice in paginate(&url, entries, c.page_size) {
                    jobs.push(Job {
                        template: "taxonomy_item.html",
                        lang: default.clone(),
                        page: ListPage::TaxonomyItem {
                            taxonomy: key,
                            count,
                            entries_html: self.cards_html(slice.items, &slice.url),
                            id: id.clone(),
                            title: name.clone(),
                            pager: slice.pager,
                        },
                        url: slice.url,
                    });
                }
            }
        };
        let touchpoints = c
            .touchpoints()
            .map(|t| {
                (
                    t.to_string(),
                    c.name_of(Named::Touchpoint, t, &default),
                    by_touchpoint.get(t).cloned().unwrap_or_default(),
                )
            })
            .collect();
        taxonomy(Taxonomy::Touchpoints, touchpoints, jobs);
        let values = c
            .values
            .iter()
            .map(|v| {
                (
                    v.clone(),
                    c.name_of(Named::Value, v, &default),
                    by_value.get(v.as_str()).cloned().unwrap_or_default(),
                )
            })
            .collect();
        taxonomy(Taxonomy::Values, values, jobs);
        let tags = by_tag
            .into_iter()
            .map(|(id, (name, entries))| (id, name, entries))
            .collect();
        taxonomy(Taxonomy::Tags, tags, jobs);
    }
}
