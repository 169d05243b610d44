//! Pages that list entries: home, stories, glossary indexes, cases, paths,
//! print views, the journey map and the taxonomy pages.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::card::Card;
use super::departments::{DepartmentCounts, LensItem};
use super::{Job, Pages, initial, language_name, sort_key, tag_slug};
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
        filters: [Filter<'a>; 4],
    },
    Glossary {
        title: &'static str,
        letters: Vec<Letter<'a>>,
        count: usize,
        /// Terms shown in the default language for want of a translation.
        untranslated: usize,
        default_language: String,
        languages: Vec<LanguageLink<'a>>,
    },
    Cases {
        title: &'static str,
        cases_html: String,
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
    },
    TaxonomyItem {
        taxonomy: &'static str,
        id: String,
        title: String,
        count: usize,
        entries_html: String,
    },
    /// A department: every term through its lens, its stories, cases and paths.
    Department {
        taxonomy: &'static str,
        id: &'a str,
        title: String,
        counts: DepartmentCounts,
        stories_html: String,
        cases_html: String,
        paths_html: String,
        lenses: Vec<LensItem<'a>>,
        general: Vec<LensItem<'a>>,
    },
    /// Pages with nothing but a title (search, 404).
    Titled { title: &'static str },
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
}

#[derive(Serialize, Hash)]
pub(super) struct Letter<'a> {
    letter: String,
    items: Vec<LetterItem<'a>>,
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

    pub(super) fn section_jobs(&self) -> Vec<Job<'_, 'a>> {
        let site = self.site;
        let default = site.config.language.clone();
        let stories: Vec<EntryId> = site.ids(Kind::Story).collect();
        let mut jobs = Vec::new();

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
            counts: BTreeMap<&'s str, usize>,
            name: impl Fn(&'s str) -> Cow<'s, str>,
        ) -> Vec<FacetItem<'s>> {
            counts
                .into_iter()
                .map(|(id, count)| FacetItem {
                    id: Cow::Borrowed(id),
                    name: name(id),
                    count,
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
                id: Cow::Owned(id.to_string()),
                name: Cow::Borrowed(name),
                count,
            })
            .collect();
        let name = |id: &'a str| Cow::Owned(site.config.name_in(id, &default));
        let (departments, touchpoints, values) = (
            facet(departments, name),
            facet(touchpoints, name),
            facet(values, name),
        );
        jobs.push(Job {
            url: paths::section_url(Kind::Story, &default, &default),
            template: "stories.html",
            lang: default.clone(),
            page: ListPage::Stories {
                title: "Stories",
                stories_html: self.cards_html(stories.iter().copied(), "stories/"),
                count: stories.len(),
                filters: [
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
                ],
            },
        });

        // Glossary index, per language: every term, in that language where
        // it is translated and in the default language (marked) where not.
        for lang in site.config.all_languages() {
            let url = paths::section_url(Kind::Term, lang, &default);
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
            jobs.push(Job {
                template: "glossary.html",
                lang: lang.to_string(),
                page: ListPage::Glossary {
                    title: "Glossary",
                    letters: self.glossary_letters(&terms, &url),
                    count: terms.len(),
                    untranslated,
                    default_language: language_name(&default),
                    languages: site
                        .config
                        .all_languages()
                        .into_iter()
                        .map(|l| LanguageLink {
                            lang: l,
                            name: language_name(l),
                            href: paths::page_file(&paths::section_url(Kind::Term, l, &default)),
                            current: l == lang,
                        })
                        .collect(),
                },
                url,
            });
        }

        jobs.push(Job {
            url: paths::section_url(Kind::Case, &default, &default),
            template: "cases.html",
            lang: default.clone(),
            page: ListPage::Cases {
                title: "Case studies",
                cases_html: self.cards_html(site.ids(Kind::Case), "cases/"),
            },
        });
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
                crate::render::bodies::render_entry(
                    site,
                    &b.glossary,
                    &b.assets,
                    b.autolink,
                    target,
                    &url,
                    prefix,
                )
                .html
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
                                        name: site.config.name_in(&d.id, &default),
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
        if self.theme.has_template("search.html") {
            jobs.push(Job {
                url: paths::SEARCH.into(),
                template: "search.html",
                lang: default,
                page: ListPage::Titled { title: "Search" },
            });
        }
        jobs
    }

    /// The A–Z of `terms` as listed on the glossary page at `url`.
    pub(super) fn glossary_letters(&self, terms: &[EntryId], url: &str) -> Vec<Letter<'a>> {
        let site = self.site;
        let root = paths::root_prefix(url);
        let mut items: Vec<(&str, LetterItem)> = Vec::new();
        for &i in terms {
            let e = &site.entries[i];
            let Meta::Term(t) = &e.meta else {
                continue;
            };
            let term_url = site.url(i);
            // Linked from the glossary page itself (`nps/index.html`) when
            // the term lives under it, else from the root.
            let href = match term_url.strip_prefix(url) {
                Some(rest) => paths::page_file(rest),
                None => format!("{root}{}", paths::page_file(term_url)),
            };
            let own_language = term_url.starts_with(url);
            items.push((
                &t.term,
                LetterItem::Term {
                    name: &t.term,
                    href: href.clone(),
                    short: t.short.as_deref(),
                    lang: (!own_language).then_some(e.lang.as_str()),
                },
            ));
            for a in &t.aliases {
                items.push((
                    a,
                    LetterItem::Alias {
                        name: a,
                        href: href.clone(),
                        alias_of: &t.term,
                        lang: (!own_language).then_some(e.lang.as_str()),
                    },
                ));
            }
        }
        items.sort_by_cached_key(|(name, _)| sort_key(name));
        let mut letters: BTreeMap<String, Vec<LetterItem>> = BTreeMap::new();
        for (name, item) in items {
            letters.entry(initial(name)).or_default().push(item);
        }
        let mut out: Vec<Letter> = ('A'..='Z')
            .map(|c| {
                let letter = c.to_string();
                let items = letters.remove(&letter).unwrap_or_default();
                Letter { letter, items }
            })
            .collect();
        // Digits, symbols and letters outside A–Z come last.
        for (letter, items) in letters {
            out.push(Letter { letter, items });
        }
        out
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
                    .map(|t| {
                        let (stories, cases) = counts.get(t.as_str()).copied().unwrap_or_default();
                        TouchpointCount {
                            id: t,
                            name: site.config.name_in(t, &site.config.language),
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
                    stage: site.config.name_in(&stage.stage, &site.config.language),
                    touchpoints,
                }
            })
            .collect()
    }

    pub(super) fn taxonomy_jobs(&self) -> Vec<Job<'_, 'a>> {
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
                by_tag
                    .entry(tag_slug(tag))
                    .or_insert_with(|| (tag.clone(), Vec::new()))
                    .1
                    .push(id);
            }
        }
        let mut jobs = self.department_jobs();
        let taxonomy = |taxonomy: Taxonomy,
                        items: Vec<(String, String, Vec<EntryId>)>,
                        jobs: &mut Vec<Job>| {
            let key = taxonomy.segment();
            // Items are linked from the taxonomy's own page: `it/index.html`.
            let index = items
                .iter()
                .map(|(id, name, entries)| TaxonomyLink {
                    id: id.clone(),
                    name: name.clone(),
                    href: format!("{id}/index.html"),
                    count: entries.len(),
                    department: None,
                })
                .collect();
            jobs.push(Job {
                url: paths::taxonomy_url(taxonomy),
                template: "taxonomy.html",
                lang: default.clone(),
                page: ListPage::Taxonomy {
                    taxonomy: key,
                    items: index,
                },
            });
            for (id, name, entries) in items {
                let url = paths::taxonomy_item_url(taxonomy, &id);
                jobs.push(Job {
                    template: "taxonomy_item.html",
                    lang: default.clone(),
                    page: ListPage::TaxonomyItem {
                        taxonomy: key,
                        count: entries.len(),
                        entries_html: self.cards_html(entries, &url),
                        id,
                        title: name,
                    },
                    url,
                });
            }
        };
        let touchpoints = c
            .touchpoints()
            .map(|t| {
                (
                    t.to_string(),
                    c.name_in(t, &default),
                    by_touchpoint.get(t).cloned().unwrap_or_default(),
                )
            })
            .collect();
        taxonomy(Taxonomy::Touchpoints, touchpoints, &mut jobs);
        let values = c
            .values
            .iter()
            .map(|v| {
                (
                    v.clone(),
                    c.name_in(v, &default),
                    by_value.get(v.as_str()).cloned().unwrap_or_default(),
                )
            })
            .collect();
        taxonomy(Taxonomy::Values, values, &mut jobs);
        let tags = by_tag
            .into_iter()
            .map(|(id, (name, entries))| (id, name, entries))
            .collect();
        taxonomy(Taxonomy::Tags, tags, &mut jobs);
        jobs
    }
}
