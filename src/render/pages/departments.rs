//! Department pages: the vocabulary through that department's lens, and
//! the stories, cases and paths that are its own. What a department
//! "has" is decided once here (`DepartmentItems`), so its page and the
//! `/departments/` index always count the same things.

use serde::Serialize;

use super::lists::{ListPage, Pager, TaxonomyLink, paginate};
use super::{Job, Jobs, Pages, sort_key};
use crate::config::Named;
use crate::link::EntryId;
use crate::load::{Kind, Meta};
use crate::paths::{self, Taxonomy};

/// What a department's page shows, counted the same way everywhere.
#[derive(Serialize, Hash, Default, Clone, Copy)]
pub(super) struct DepartmentCounts {
    /// Stories, cases and paths together: the department's entries.
    entries: usize,
    stories: usize,
    cases: usize,
    paths: usize,
    /// Terms with this department's own lens.
    lenses: usize,
    /// Every term of the glossary (each shown, by lens or by its general definition).
    terms: usize,
}

/// How many of each kind this page of a department shows.
#[derive(Serialize, Hash)]
pub(super) struct Shown {
    pub(super) stories: usize,
    pub(super) cases: usize,
    pub(super) paths: usize,
}

/// One term as a department reads it.
#[derive(Serialize, Hash)]
pub(super) struct LensItem<'a> {
    term: &'a str,
    href: String,
    /// The department's lens, or (when `general`) the term's general definition.
    text: Option<&'a str>,
    general: bool,
}

struct DepartmentItems {
    stories: Vec<EntryId>,
    cases: Vec<EntryId>,
    paths: Vec<EntryId>,
}

impl<'a> Pages<'a> {
    /// `/departments/` and one page per department in site.yaml.
    pub(super) fn department_jobs<'p>(&'p self, jobs: &mut Jobs<'_, 'p, 'a>) {
        let site = self.site;
        let c = &site.config;
        let default = c.language.clone();
        // The terms, in glossary order: a department page shows all of them.
        let mut terms: Vec<EntryId> = site.originals(Kind::Term).collect();
        terms.sort_by_cached_key(|&i| sort_key(site.entries[i].title()));
        let mut items: Vec<DepartmentItems> = c
            .departments
            .iter()
            .map(|_| DepartmentItems {
                stories: Vec::new(),
                cases: Vec::new(),
                paths: Vec::new(),
            })
            .collect();
        let index_of = |id: &str| c.departments.iter().position(|d| d.id == id);
        for (id, e) in site.entries.iter().enumerate() {
            if e.lang != default {
                continue;
            }
            for d in e.departments() {
                let Some(n) = index_of(d) else { continue };
                match e.kind {
                    Kind::Story => items[n].stories.push(id),
                    Kind::Case => items[n].cases.push(id),
                    Kind::Path => items[n].paths.push(id),
                    _ => {}
                }
            }
        }
        let counts: Vec<DepartmentCounts> = c
            .departments
            .iter()
            .zip(&items)
            .map(|(d, it)| DepartmentCounts {
                entries: it.stories.len() + it.cases.len() + it.paths.len(),
                stories: it.stories.len(),
                cases: it.cases.len(),
                paths: it.paths.len(),
                lenses: terms
                    .iter()
                    .filter(|&&t| {
                        matches!(&site.entries[t].meta, Meta::Term(term) if term.lenses.contains_key(&d.id))
                    })
                    .count(),
                terms: terms.len(),
            })
            .collect();
        let index: Vec<TaxonomyLink> = c
            .departments
            .iter()
            .zip(&counts)
            .map(|(d, n)| TaxonomyLink {
                id: d.id.clone(),
                name: c.name_of(Named::Department, &d.id, &default),
                href: paths::page_file(&paths::taxonomy_item_url(Taxonomy::Departments, &d.id)),
                count: n.entries,
                department: Some(*n),
            })
            .collect();
        let index_url = paths::taxonomy_url(Taxonomy::Departments);
        for slice in paginate(&index_url, index, c.compact_page_size()) {
            jobs.push(Job {
                template: "taxonomy.html",
                lang: default.clone(),
                page: ListPage::Taxonomy {
                    taxonomy: Taxonomy::Departments.segment(),
                    items: slice.items,
                    pager: slice.pager,
                },
                url: slice.url,
            });
        }
        for ((d, it), n) in c.departments.iter().zip(items).zip(counts) {
            let url = paths::taxonomy_item_url(Taxonomy::Departments, &d.id);
            let lens = |t: EntryId| -> LensItem<'a> {
                let Meta::Term(term) = &site.entries[t].meta else {
                    unreachable!("terms only")
                };
                let own = term.lenses.get(&d.id);
                LensItem {
                    term: &term.term,
                    href: paths::page_file(site.url(t)),
                    text: own.or(term.short.as_ref()).map(String::as_str),
                    general: own.is_none(),
                }
            };
            // Lenses first, then the terms this department has no lens for
            // yet. Stories and vocabulary page in step (page n shows the
            // n-th slice of each); cases and paths are few, on page 1.
            let mut vocabulary: Vec<LensItem> = terms.iter().map(|&t| lens(t)).collect();
            vocabulary.sort_by_key(|l| l.general);
            let (size, compact) = (c.page_size.max(1), c.compact_page_size().max(1));
            let total = it
                .stories
                .len()
                .div_ceil(size)
                .max(vocabulary.len().div_ceil(compact))
                .max(1);
            let mut stories = it.stories.chunks(size);
            let mut vocabulary = vocabulary.into_iter();
            for number in 1..=total {
                let page_url = paths::list_page_url(&url, number);
                let (lenses, general): (Vec<LensItem>, Vec<LensItem>) =
                    vocabulary.by_ref().take(compact).partition(|l| !l.general);
                let first = number == 1;
                let story_slice = stories.next().unwrap_or_default();
                jobs.push(Job {
                    template: "department.html",
                    lang: default.clone(),
                    page: ListPage::Department {
                        taxonomy: Taxonomy::Departments.segment(),
                        id: &d.id,
                        title: c.name_of(Named::Department, &d.id, &default),
                        counts: n,
                        shown: Shown {
                            stories: story_slice.len(),
                            cases: if first { it.cases.len() } else { 0 },
                            paths: if first { it.paths.len() } else { 0 },
                        },
                        stories_html: self.cards_html(story_slice.iter().copied(), &page_url),
                        cases_html: self
                            .cards_html(it.cases.iter().copied().filter(|_| first), &page_url),
                        paths_html: self
                            .cards_html(it.paths.iter().copied().filter(|_| first), &page_url),
                        lenses,
                        general,
                        feed_href: paths::department_feed(&d.id),
                        pager: Pager::new(&url, number, total, it.stories.len(), size),
                        backstage: self.backstage_for(&d.id),
                    },
                    url: page_url,
                });
            }
        }
    }
}
