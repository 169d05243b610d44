//! The page of one entry. Its data is a typed context that borrows from
//! the site, assembled through a [`Reader`] so that everything the page
//! shows is recorded as a dependency (see `reads`).

use std::borrow::Cow;

use serde::Serialize;

use super::card::Card;
use super::language_name;
use super::lists::{Pager, backlink_html};
use super::reads::Reader;
use crate::config::Named;
use crate::link::EntryId;
use crate::load::{Kind, Meta, Term};
use crate::paths;
use crate::render::chart;
use crate::render::markdown::Heading;

/// "Step 3 of 7 in <path>", with the neighbours.
#[derive(Serialize)]
pub(super) struct PathNav<'a> {
    /// The path's slug: the box shows only when the page was opened with `?path=<slug>`.
    path_slug: &'a str,
    path_title: &'a str,
    path_href: String,
    number: usize,
    total: usize,
    previous: Option<Neighbour<'a>>,
    next: Option<Neighbour<'a>>,
}

/// An ancestor of a nested page: linked when it is a page itself.
#[derive(Serialize)]
pub(super) struct Crumb<'a> {
    title: Cow<'a, str>,
    href: Option<String>,
}

/// A table of contents is worth its space from this many sections…
const TOC_MIN_HEADINGS: usize = 3;
/// …in a body of at least this many words.
const TOC_MIN_WORDS: usize = 400;

#[derive(Serialize)]
struct Neighbour<'a> {
    title: &'a str,
    href: String,
}

/// Serialized as one struct: its own fields, its card's and its extra's
/// (see its `Serialize`).
pub(super) struct EntryPage<'p, 'a> {
    card: &'p Card,
    html: std::borrow::Cow<'p, str>,
    steps: Vec<PathNav<'a>>,
    /// A long page's sections (empty for a short one).
    toc: &'p [Heading],
    /// A nested free page's ancestors (`guides/room` → Guides).
    breadcrumbs: Vec<Crumb<'a>>,
    /// The page opened as slides, for the "Present" link.
    present_href: Option<String>,
    /// The entry's slides, shown instead of the page at `present_href`.
    deck: Option<super::present::Deck<'p, 'a>>,
    extra: PageExtra<'p, 'a>,
}

/// What `#[serde(flatten)]` of the card and the extra made of the page,
/// without the map flattening goes through (every key serialized and
/// compared, on every page).
impl Serialize for EntryPage<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let fields = 6 + self.card.field_count() + self.extra.field_count();
        let mut st = s.serialize_struct("EntryPage", fields)?;
        st.serialize_field("html", &self.html)?;
        st.serialize_field("steps", &self.steps)?;
        st.serialize_field("toc", &self.toc)?;
        st.serialize_field("breadcrumbs", &self.breadcrumbs)?;
        st.serialize_field("present_href", &self.present_href)?;
        st.serialize_field("deck", &self.deck)?;
        self.card.serialize_fields(&mut st)?;
        self.extra.serialize_fields(&mut st)?;
        st.end()
    }
}

impl PageExtra<'_, '_> {
    fn field_count(&self) -> usize {
        match self {
            PageExtra::Story { .. } => 7,
            PageExtra::Term(_) => 9,
            PageExtra::Case { .. } => 4,
            PageExtra::Path { .. } => 2,
            PageExtra::Page {} => 0,
        }
    }

    /// Writes the fields into the page's struct, as its derived
    /// (untagged) serialization would show them flattened (a test
    /// holds the two to the same fields).
    fn serialize_fields<S: serde::ser::SerializeStruct>(&self, st: &mut S) -> Result<(), S::Error> {
        match self {
            PageExtra::Story {
                customer,
                outcome,
                mentions,
                reading_minutes,
                related,
                newer,
                older,
            } => {
                st.serialize_field("customer", customer)?;
                st.serialize_field("outcome", outcome)?;
                st.serialize_field("mentions", mentions)?;
                st.serialize_field("reading_minutes", reading_minutes)?;
                st.serialize_field("related", related)?;
                st.serialize_field("newer", newer)?;
                st.serialize_field("older", older)
            }
            PageExtra::Term(t) => {
                st.serialize_field("term", &t.term)?;
                st.serialize_field("short", &t.short)?;
                st.serialize_field("lenses", &t.lenses)?;
                st.serialize_field("related", &t.related)?;
                st.serialize_field("translations", &t.translations)?;
                st.serialize_field("mentioned_in_html", &t.mentioned_in_html)?;
                st.serialize_field("mentioned_in_count", &t.mentioned_in_count)?;
                st.serialize_field("mentioned_in_pager", &t.mentioned_in_pager)?;
                st.serialize_field("glossary_href", &t.glossary_href)
            }
            PageExtra::Case {
                industry,
                chart,
                metrics,
                mentions,
            } => {
                st.serialize_field("industry", industry)?;
                st.serialize_field("chart", chart)?;
                st.serialize_field("metrics", metrics)?;
                st.serialize_field("mentions", mentions)
            }
            PageExtra::Path {
                path_steps,
                print_href,
            } => {
                st.serialize_field("path_steps", path_steps)?;
                st.serialize_field("print_href", print_href)
            }
            PageExtra::Page {} => Ok(()),
        }
    }
}

/// What only some kinds' pages show (besides their card).
#[derive(Serialize)]
#[serde(untagged)]
enum PageExtra<'p, 'a> {
    Story {
        customer: Option<&'a str>,
        outcome: Option<&'a str>,
        mentions: Vec<&'p Card>,
        /// Minutes to read the body, at 200 words a minute (at least 1).
        reading_minutes: usize,
        related: Vec<&'p Card>,
        /// The stories beside this one in the list: newer, older.
        newer: Option<Neighbour<'a>>,
        older: Option<Neighbour<'a>>,
    },
    Term(Box<TermPage<'p, 'a>>),
    Case {
        industry: Option<&'a str>,
        chart: String,
        metrics: Vec<MetricRow<'a>>,
        mentions: Vec<&'p Card>,
    },
    Path {
        path_steps: Vec<StepItem<'p, 'a>>,
        print_href: String,
    },
    Page {},
}

#[derive(Serialize)]
struct TermPage<'p, 'a> {
    term: &'a str,
    short: Option<&'a str>,
    lenses: Vec<Lens<'a>>,
    related: Vec<&'p Card>,
    translations: Vec<Version<'a>>,
    mentioned_in_html: String,
    mentioned_in_count: usize,
    /// The first page of "mentioned in" is here, the rest at `page/2/`….
    mentioned_in_pager: Pager,
    glossary_href: String,
}

#[derive(Serialize)]
struct Lens<'a> {
    id: &'a str,
    name: String,
    text: &'a str,
}

#[derive(Serialize)]
struct Version<'a> {
    lang: &'a str,
    name: Cow<'static, str>,
    href: String,
    current: bool,
}

#[derive(Serialize, Hash)]
pub(super) struct MetricRow<'a> {
    name: &'a str,
    /// With their unit: "78%", "12 pts".
    before: String,
    after: String,
    verdict: chart::Verdict,
    verdict_word: String,
    description: String,
    /// "+14 points (+18% relative)".
    change: String,
}

/// A case's chart and the rows of its metrics table, in `lang`.
pub(super) fn case_metrics<'a>(
    metrics: &'a [crate::load::Metric],
    words: &chart::Words,
) -> (String, Vec<MetricRow<'a>>) {
    let rows = metrics
        .iter()
        .map(|m| {
            let unit = m.unit.as_deref().unwrap_or_default();
            MetricRow {
                name: &m.name,
                before: chart::with_unit(m.before, unit),
                after: chart::with_unit(m.after, unit),
                verdict: chart::verdict(m),
                verdict_word: chart::verdict_word(m, words).to_string(),
                description: chart::describe_in(m, words),
                change: chart::change_in(m, words),
            }
        })
        .collect();
    (chart::metrics_chart(metrics, words), rows)
}

#[derive(Serialize)]
pub(super) struct StepItem<'p, 'a> {
    number: usize,
    note: Option<&'a str>,
    item: &'p Card,
}

/// The template and data of an entry's page.
pub(super) fn entry_page<'p, 'a>(
    r: &Reader<'p, 'a>,
    id: EntryId,
) -> (&'static str, EntryPage<'p, 'a>) {
    let e = r.entry(id);
    let body = r.body(id);
    let (template, extra) = match &e.meta {
        Meta::Story(s) => (
            "story.html",
            PageExtra::Story {
                customer: s.customer.as_deref(),
                outcome: s.outcome.as_deref(),
                mentions: mentions(r, id),
                reading_minutes: reading_minutes(body.words),
                related: r.related(id).into_iter().map(|i| r.card(i)).collect(),
                newer: r.neighbours(id).0.map(|i| neighbour(r, i)),
                older: r.neighbours(id).1.map(|i| neighbour(r, i)),
            },
        ),
        Meta::Term(t) => ("term.html", PageExtra::Term(Box::new(term_page(r, id, t)))),
        Meta::Case(c) => {
            let (chart, metrics) = case_metrics(&c.metrics, &r.chart_words(&e.lang));
            (
                "case.html",
                PageExtra::Case {
                    industry: c.industry.as_deref(),
                    chart,
                    metrics,
                    mentions: mentions(r, id),
                },
            )
        }
        Meta::Path(p) => {
            let default = &r.config().language;
            let path_steps = p
                .steps
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let target = r.get(s.kind, &s.slug, default)?;
                    Some(StepItem {
                        number: i + 1,
                        note: s.note.as_deref(),
                        item: r.card(target),
                    })
                })
                .collect();
            (
                "path.html",
                PageExtra::Path {
                    path_steps,
                    print_href: paths::page_file(&paths::print_url(r.url(id))),
                },
            )
        }
        Meta::Page(_) => ("page.html", PageExtra::Page {}),
    };
    let long = body.headings.len() >= TOC_MIN_HEADINGS && body.words >= TOC_MIN_WORDS;
    let page = EntryPage {
        card: r.card(id),
        html: crate::render::markdown::expand_marks(body.html, &body.marks()),
        steps: path_nav(r, id),
        toc: if long { body.headings } else { &[] },
        breadcrumbs: breadcrumbs(r, id),
        present_href: paths::presentable(e.kind).then(|| paths::present_url(r.url(id))),
        deck: paths::presentable(e.kind).then(|| super::present::deck(r, id)),
        extra,
    };
    (template, page)
}

/// The folders above a nested free page, each linked when a page of its
/// own (`pages/guides.md` for `pages/guides/room.md`), else named after it.
fn breadcrumbs<'a>(r: &Reader<'_, 'a>, id: EntryId) -> Vec<Crumb<'a>> {
    let e = r.entry(id);
    if e.kind != Kind::Page {
        return Vec::new();
    }
    let default = &r.config().language;
    let mut crumbs = Vec::new();
    let mut prefix = String::new();
    let segments: Vec<&str> = e.slug.split('/').collect();
    for segment in &segments[..segments.len() - 1] {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(segment);
        crumbs.push(match r.get(Kind::Page, &prefix, default) {
            Some(parent) => Crumb {
                title: Cow::Borrowed(r.title(parent)),
                href: Some(paths::page_file(r.url(parent))),
            },
            None => Crumb {
                title: Cow::Owned(super::humanize(segment)),
                href: None,
            },
        });
    }
    crumbs
}

/// Reading speed for [`reading_minutes`].
const WORDS_PER_MINUTE: usize = 200;

/// Minutes to read `words` words, rounded up, at least 1.
pub(super) fn reading_minutes(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE).max(1)
}

fn neighbour<'a>(r: &Reader<'_, 'a>, id: EntryId) -> Neighbour<'a> {
    Neighbour {
        title: r.title(id),
        href: paths::page_file(r.url(id)),
    }
}

/// The cards of the terms a body mentions.
fn mentions<'p, 'a>(r: &Reader<'p, 'a>, id: EntryId) -> Vec<&'p Card> {
    r.body(id)
        .mentions
        .iter()
        .map(|&m| r.card(r.mentioned_term(m)))
        .collect()
}

/// "Step 3 of 7 in <path>", with previous and next, for every path using
/// this entry (or, for a translation, its original).
fn path_nav<'a>(r: &Reader<'_, 'a>, id: EntryId) -> Vec<PathNav<'a>> {
    let e = r.entry(id);
    let default = &r.config().language;
    let original = if e.lang == *default {
        Some(id)
    } else {
        r.get(e.kind, &e.slug, default)
    };
    let Some(original) = original else {
        return Vec::new();
    };
    r.path_steps(original)
        .iter()
        .filter_map(|step| {
            let Meta::Path(p) = &r.entry(step.path).meta else {
                return None;
            };
            // Neighbours in the page's own language where they exist.
            let neighbour = |i: usize| {
                let s = p.steps.get(i)?;
                let target = r
                    .get(s.kind, &s.slug, &e.lang)
                    .or_else(|| r.get(s.kind, &s.slug, default))?;
                Some(Neighbour {
                    title: r.title(target),
                    href: paths::page_file(r.url(target)),
                })
            };
            Some(PathNav {
                path_slug: &r.entry(step.path).slug,
                path_title: &p.title,
                path_href: paths::page_file(r.url(step.path)),
                number: step.index + 1,
                total: p.steps.len(),
                previous: step.index.checked_sub(1).and_then(neighbour),
                next: neighbour(step.index + 1),
            })
        })
        .collect()
}

fn term_page<'p, 'a>(r: &Reader<'p, 'a>, id: EntryId, t: &'a Term) -> TermPage<'p, 'a> {
    let config = r.config();
    let e = r.entry(id);
    let default = &config.language;
    let original = r.get(Kind::Term, &e.slug, default).unwrap_or(id);
    let lenses = config
        .departments
        .iter()
        .filter_map(|d| {
            t.lenses.get(&d.id).map(|text| Lens {
                id: &d.id,
                name: config.name_of(Named::Department, &d.id, &e.lang),
                text,
            })
        })
        .collect();
    let related = t
        .related
        .iter()
        .filter_map(|slug| {
            r.get(Kind::Term, slug, &e.lang)
                .or_else(|| r.get(Kind::Term, slug, default))
        })
        .map(|id| r.card(id))
        .collect();
    let versions: Vec<Version> = std::iter::once(original)
        .chain(r.translations(&e.slug).iter().copied())
        .map(|v| {
            let lang = &r.entry(v).lang;
            Version {
                lang,
                name: Cow::Owned(language_name(lang)),
                href: paths::page_file(r.url(v)),
                current: v == id,
            }
        })
        .collect();
    let mentioned = r.mentioned_in(original);
    let size = config.compact_page_size();
    let root = paths::root_prefix(r.url(id));
    let mut backlinks = String::with_capacity(mentioned.len().min(size) * 120);
    // Compact "mentioned in" links: a common term can have thousands, so
    // only the first page is here (the rest: `paths::list_page_url`).
    for &m in mentioned.iter().take(size) {
        let kind = r.kind(m);
        backlink_html(
            &mut backlinks,
            &root,
            kind,
            &r.kind_label(kind, &e.lang),
            r.url(m),
            r.title(m),
        );
    }
    let pages = mentioned.len().div_ceil(size).max(1);
    TermPage {
        term: &t.term,
        short: t.short.as_deref(),
        lenses,
        related,
        translations: if versions.len() > 1 {
            versions
        } else {
            Vec::new()
        },
        mentioned_in_html: backlinks,
        mentioned_in_count: mentioned.len(),
        mentioned_in_pager: Pager::new(r.url(id), 1, pages, mentioned.len(), size),
        glossary_href: paths::page_file(&paths::section_url(Kind::Term, &e.lang, default)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page's extra through `serialize_fields`, as one struct.
    struct Fields<'x, 'p, 'a>(&'x PageExtra<'p, 'a>);

    impl Serialize for Fields<'_, '_, '_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut st = s.serialize_struct("Fields", self.0.field_count())?;
            self.0.serialize_fields(&mut st)?;
            st.end()
        }
    }

    #[test]
    fn a_page_s_extra_fields_are_those_its_derived_serialization_flattens() {
        let card = super::super::card::tests::a_story_card();
        let extras = [
            PageExtra::Story {
                customer: Some("A shop"),
                outcome: None,
                mentions: vec![&card],
                reading_minutes: 3,
                related: vec![&card, &card],
                newer: Some(Neighbour {
                    title: "N",
                    href: "n/".into(),
                }),
                older: None,
            },
            PageExtra::Term(Box::new(TermPage {
                term: "NPS",
                short: Some("Net promoter score"),
                lenses: vec![Lens {
                    id: "care",
                    name: "Care".into(),
                    text: "How care sees it",
                }],
                related: vec![&card],
                translations: vec![Version {
                    lang: "pt",
                    name: Cow::Borrowed("Português"),
                    href: "pt/".into(),
                    current: false,
                }],
                mentioned_in_html: "<li>x</li>".into(),
                mentioned_in_count: 1,
                mentioned_in_pager: super::super::lists::Pager::new("glossary/nps/", 1, 1, 1, 20),
                glossary_href: "glossary/index.html".into(),
            })),
            PageExtra::Case {
                industry: Some("Retail"),
                chart: "<svg></svg>".into(),
                metrics: Vec::new(),
                mentions: vec![&card],
            },
            PageExtra::Path {
                path_steps: vec![StepItem {
                    number: 1,
                    note: Some("Start here"),
                    item: &card,
                }],
                print_href: "paths/p/print/index.html".into(),
            },
            PageExtra::Page {},
        ];
        for extra in &extras {
            let derived = serde_json::to_value(extra).unwrap();
            let written = serde_json::to_value(Fields(extra)).unwrap();
            assert_eq!(written, derived);
            assert_eq!(
                written.as_object().unwrap().len(),
                extra.field_count(),
                "{written}"
            );
        }
    }

    #[test]
    fn reading_time() {
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(200), 1);
        assert_eq!(reading_minutes(201), 2);
    }
}
