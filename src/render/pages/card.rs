//! What lists show about an entry, and the base of its own page's data: a
//! typed template context that borrows from the site. It serializes to the
//! same fields the templates have always seen (`e.title`, `e.href`, …).

use std::borrow::Cow;

use serde::Serialize;

use super::{humanize, long_date, tag_slug, truncate_words};
use crate::link::{EntryId, Site};
use crate::load::{Kind, Meta};
use crate::paths::{self, Taxonomy};
use crate::render::bodies::Bodies;

/// A link to a vocabulary item (department, touchpoint, value, tag).
#[derive(Debug, Serialize, Hash)]
pub(crate) struct Named<'a> {
    pub id: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub href: String,
}

impl<'a> Named<'a> {
    fn new(taxonomy: Taxonomy, id: Cow<'a, str>, name: Cow<'a, str>) -> Self {
        Named {
            href: paths::page_file(&paths::taxonomy_item_url(taxonomy, &id)),
            id,
            name,
        }
    }
}

#[derive(Debug, Serialize, Hash)]
pub(crate) struct Card<'a> {
    pub kind: Kind,
    pub slug: &'a str,
    pub lang: &'a str,
    pub title: &'a str,
    pub href: String,
    pub summary: Cow<'a, str>,
    pub date: Option<String>,
    pub date_iso: Option<String>,
    pub touchpoints: Vec<Named<'a>>,
    pub tags: Vec<Named<'a>>,
    #[serde(flatten)]
    pub extra: CardExtra<'a>,
}

/// The fields only some kinds have.
#[derive(Debug, Serialize, Hash)]
#[serde(untagged)]
pub(crate) enum CardExtra<'a> {
    Story {
        department: Named<'a>,
        values: Vec<Named<'a>>,
        featured: bool,
        author: &'a str,
    },
    Term {
        aliases: &'a [String],
    },
    Path {
        step_count: usize,
        audience: Option<&'a str>,
        duration: Option<&'a str>,
    },
    Case {
        organization: &'a str,
    },
    Page {},
}

/// An entry's card. The summary is the front matter's, or the body's
/// first paragraph cut at 40 words.
pub(crate) fn card<'a>(site: &'a Site, bodies: &'a Bodies, id: EntryId) -> Card<'a> {
    let e = &site.entries[id];
    let summary = match e.summary() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(truncate_words(&bodies.rendered[id].first_paragraph, 40)),
    };
    let extra = match &e.meta {
        Meta::Story(s) => CardExtra::Story {
            department: Named::new(
                Taxonomy::Departments,
                Cow::Borrowed(&s.department),
                Cow::Borrowed(
                    site.config
                        .department(&s.department)
                        .map_or(s.department.as_str(), |d| d.name.as_str()),
                ),
            ),
            values: s
                .values
                .iter()
                .map(|v| Named::new(Taxonomy::Values, Cow::Borrowed(v), Cow::Owned(humanize(v))))
                .collect(),
            featured: s.featured,
            author: &s.author,
        },
        Meta::Term(t) => CardExtra::Term {
            aliases: &t.aliases,
        },
        Meta::Path(p) => CardExtra::Path {
            step_count: p.steps.len(),
            audience: p.audience.as_deref(),
            duration: p.duration.as_deref(),
        },
        Meta::Case(c) => CardExtra::Case {
            organization: &c.organization,
        },
        Meta::Page(_) => CardExtra::Page {},
    };
    Card {
        kind: e.kind,
        slug: &e.slug,
        lang: &e.lang,
        title: e.title(),
        href: paths::page_file(site.url(id)),
        summary,
        date: e.date().map(long_date),
        date_iso: e.date().map(|d| d.to_string()),
        touchpoints: e
            .touchpoints()
            .iter()
            .map(|t| {
                Named::new(
                    Taxonomy::Touchpoints,
                    Cow::Borrowed(t),
                    Cow::Owned(humanize(t)),
                )
            })
            .collect(),
        tags: e
            .tags()
            .iter()
            .map(|t| Named::new(Taxonomy::Tags, Cow::Owned(tag_slug(t)), Cow::Borrowed(t)))
            .collect(),
        extra,
    }
}
