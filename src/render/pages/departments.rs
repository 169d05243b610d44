//! Department pages: the vocabulary through that department's lens, and
//! the stories, cases and paths that are its own. What a department
//! "has" is decided once here (`DepartmentItems`), so its page and the
//! `/departments/` index always count the same things.

use serde::Serialize;

use super::lists::{ListPage, TaxonomyLink};
use super::{Job, Pages, sort_key};
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
    pub(super) fn department_jobs(&self) -> Vec<Job<'_, 'a>> {
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
        let mut jobs = Vec::with_capacity(c.departments.len() + 1);
        jobs.push(Job {
            url: paths::taxonomy_url(Taxonomy::Departments),
            template: "taxonomy.html",
            lang: default.clone(),
            page: ListPage::Taxonomy {
                taxonomy: Taxonomy::Departments.segment(),
                items: c
                    .departments
                    .iter()
                    .zip(&counts)
                    .map(|(d, n)| TaxonomyLink {
                        id: d.id.clone(),
                        name: c.name_in(&d.id, &default),
                        // Linked from the index itself: `it/index.html`.
                        href: format!("{}/index.html", d.id),
                        count: n.entries,
                        department: Some(*n),
                    })
                    .collect(),
            },
        });
        for ((d, it), n) in c.departments.iter().zip(items).zip(counts) {
            let url = paths::taxonomy_item_url(Taxonomy::Departments, &d.id);
            let root = paths::root_prefix(&url);
            let lens = |t: EntryId| -> LensItem<'a> {
                let Meta::Term(term) = &site.entries[t].meta else {
                    unreachable!("terms only")
                };
                let own = term.lenses.get(&d.id);
                LensItem {
                    term: &term.term,
                    href: format!("{root}{}", paths::page_file(site.url(t))),
                    text: own.or(term.short.as_ref()).map(String::as_str),
                    general: own.is_none(),
                }
            };
            // Lenses first, then the terms this department has no lens for yet.
            let (with, without): (Vec<LensItem>, Vec<LensItem>) =
                terms.iter().map(|&t| lens(t)).partition(|l| !l.general);
            jobs.push(Job {
                template: "department.html",
                lang: default.clone(),
                page: ListPage::Department {
                    taxonomy: Taxonomy::Departments.segment(),
                    id: &d.id,
                    title: c.name_in(&d.id, &default),
                    counts: n,
                    stories_html: self.cards_html(it.stories, &url),
                    cases_html: self.cards_html(it.cases, &url),
                    paths_html: self.cards_html(it.paths, &url),
                    lenses: with,
                    general: without,
                },
                url,
            });
        }
        jobs
    }
}
