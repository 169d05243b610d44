//! Programme views: people and the recognition walls of values, coverage
//! (where stories are missing) and the service blueprint.
//!
//! All of them are list pages: their typed data (cards stand in as
//! placeholders named by hash) is the page's key between renders, so
//! `serve` re-renders one exactly when something it shows changed.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::card::Card;
use super::lists::{ListPage, Pager, paginate};
use super::{Job, Jobs, Pages, initial};
use crate::config::Named;
use crate::config::Person;
use crate::coverage::{Coverage, DateSource, NO_STAGE};
use crate::link::EntryId;
use crate::load::{Kind, Meta};
use crate::paths::{self, Taxonomy};

#[derive(Serialize, Hash)]
#[serde(untagged)]
pub(super) enum ProgrammePage<'p, 'a> {
    People {
        title: &'static str,
        programme: &'static str,
        count: usize,
        groups: Vec<PeopleGroup<'a>>,
    },
    Person {
        programme: &'static str,
        title: &'a str,
        person: PersonSummary<'a>,
        department: Option<Link<'a>>,
        values: Vec<Counted>,
        stories_count: usize,
        stories_html: String,
        recognized_count: usize,
        recognized_html: String,
    },
    Wall {
        programme: &'static str,
        id: &'a str,
        title: String,
        count: usize,
        people: usize,
        departments: Vec<Counted>,
        items: Vec<WallItem<'p>>,
        /// A wall shows `page_size` stories at a time.
        pager: Pager,
    },
    Coverage(Box<CoveragePage<'a>>),
    CoverageCell {
        programme: &'static str,
        title: String,
        row: String,
        row_href: Option<String>,
        stage: String,
        no_stage: bool,
        is_cases: bool,
        count: usize,
        entries_html: String,
        /// A cell lists `page_size` entries at a time.
        pager: Pager,
    },
    Blueprint {
        programme: &'static str,
        title: &'static str,
        stages: Vec<BlueprintStage<'a>>,
        has_blueprint: bool,
    },
}

#[derive(Serialize, Hash)]
pub(super) struct Link<'a> {
    name: Cow<'a, str>,
    href: String,
}

/// A named link with a number (a value and how many stories show it).
#[derive(Serialize, Hash)]
pub(super) struct Counted {
    name: String,
    href: Option<String>,
    count: usize,
}

#[derive(Serialize, Hash)]
pub(super) struct PeopleGroup<'a> {
    department: Option<Link<'a>>,
    people: Vec<PersonSummary<'a>>,
}

#[derive(Serialize, Hash)]
pub(super) struct PersonSummary<'a> {
    id: &'a str,
    name: &'a str,
    role: Option<&'a str>,
    department: Option<String>,
    href: String,
    /// Relative to the site root.
    photo: Option<String>,
    initials: String,
    stories: usize,
    recognized: usize,
}

/// A card on a recognition wall: serialized as the card's fields and
/// two more (see `Card::serialize_fields`; `#[serde(flatten)]` went
/// through a map, every key serialized and compared).
#[derive(Hash)]
pub(super) struct WallItem<'p> {
    card: &'p Card,
    /// The author's photo, when they have one.
    photo: Option<String>,
    initials: String,
}

impl Serialize for WallItem<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("WallItem", self.card.field_count() + 2)?;
        self.card.serialize_fields(&mut st)?;
        st.serialize_field("photo", &self.photo)?;
        st.serialize_field("initials", &self.initials)?;
        st.end()
    }
}

#[derive(Serialize, Hash)]
pub(super) struct CoveragePage<'a> {
    programme: &'static str,
    title: &'static str,
    today: String,
    columns: Vec<ColumnHead>,
    rows: Vec<MatrixRow>,
    cases: MatrixRow,
    empty_cells: usize,
    terms: usize,
    lenses: Vec<Gap<'a>>,
    translations: Vec<Gap<'a>>,
    stale_after_days: u32,
    /// The oldest [`LIST_LIMIT`] of `stale_count`.
    stale: Vec<StaleItem<'a>>,
    stale_count: usize,
    stale_more: usize,
    undated: usize,
    dated: usize,
    quarters: Vec<String>,
    champions: Vec<ChampionRow>,
}

#[derive(Serialize, Hash)]
pub(super) struct ColumnHead {
    slug: String,
    name: String,
    no_stage: bool,
}

#[derive(Serialize, Hash)]
pub(super) struct MatrixRow {
    name: String,
    href: Option<String>,
    cells: Vec<Cell>,
    total: usize,
}

#[derive(Serialize, Hash)]
pub(super) struct Cell {
    count: usize,
    href: Option<String>,
    /// An empty cell of a real stage (not "no stage"): highlighted.
    gap: bool,
}

#[derive(Serialize, Hash)]
pub(super) struct Gap<'a> {
    name: String,
    href: Option<String>,
    count: usize,
    done: usize,
    /// The first [`LIST_LIMIT`] of them (`campfire report` has all).
    terms: Vec<Link<'a>>,
    more: usize,
}

/// How many items the coverage page lists under one heading; the count
/// is always the whole, and `campfire report` lists every item.
pub const LIST_LIMIT: usize = 100;

#[derive(Serialize, Hash)]
pub(super) struct StaleItem<'a> {
    title: &'a str,
    href: String,
    kind: Kind,
    updated: String,
    from_git: bool,
    days: i64,
}

#[derive(Serialize, Hash)]
pub(super) struct ChampionRow {
    name: String,
    href: String,
    earlier: usize,
    per_quarter: Vec<usize>,
    total: usize,
}

#[derive(Serialize, Hash)]
pub(super) struct BlueprintStage<'a> {
    number: usize,
    name: String,
    touchpoints: Vec<BlueprintTouchpoint<'a>>,
}

#[derive(Serialize, Hash)]
pub(super) struct BlueprintTouchpoint<'a> {
    id: &'a str,
    name: String,
    href: String,
    stories: usize,
    cases: usize,
    customer: Option<&'a str>,
    visible: Option<&'a str>,
    backstage: Vec<Counted>,
    systems: Vec<&'a str>,
}

/// A touchpoint a department works behind, for its page ("you are
/// backstage for Delivery and Installation").
#[derive(Serialize, Hash)]
pub(super) struct Backstage {
    name: String,
    href: String,
}

/// "Marta Kowalski" → "MK".
fn initials(name: &str) -> String {
    // "Ben Hollis, Business Sales Advisor": the name is before the comma.
    let name = name.split(',').next().unwrap_or(name);
    let mut out: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().find(|c| c.is_alphanumeric()))
        .flat_map(char::to_uppercase)
        .collect();
    if out.chars().count() > 2 {
        let first = out.chars().next().unwrap_or_default();
        let last = out.chars().last().unwrap_or_default();
        out = format!("{first}{last}");
    }
    if out.is_empty() {
        out = initial(name);
    }
    out
}

/// Who a story names: its author and the people it recognises (ids).
struct Credits<'a> {
    authored: HashMap<&'a str, Vec<EntryId>>,
    recognized: HashMap<&'a str, Vec<EntryId>>,
}

impl<'a> Pages<'a> {
    fn credits(&self) -> Credits<'a> {
        let site = self.site;
        let mut authored: HashMap<&str, Vec<EntryId>> = HashMap::new();
        let mut recognized: HashMap<&str, Vec<EntryId>> = HashMap::new();
        for id in site.ids(Kind::Story) {
            let Meta::Story(s) = &site.entries[id].meta else {
                continue;
            };
            if let Some(p) = site.config.person(&s.author) {
                authored.entry(&p.id).or_default().push(id);
            }
            let mut seen = BTreeSet::new();
            for r in &s.recognized {
                if let Some(p) = site.config.person(r)
                    && seen.insert(&p.id)
                {
                    recognized.entry(&p.id).or_default().push(id);
                }
            }
        }
        Credits {
            authored,
            recognized,
        }
    }

    /// A person's photo as avatars show it (96 px at most): its smallest
    /// copy when it has copies (see `images`), not the original, which
    /// may be a phone's 4,000-pixel photo, on a page of fifty of them.
    fn avatar(&self, photo: &str) -> String {
        let src = paths::asset_output_path(std::path::Path::new(photo));
        let size = self
            .bodies
            .images
            .get(&std::path::Path::new(crate::load::CONTENT_DIR).join(photo));
        match size.and_then(|&s| crate::render::images::widths(s).next()) {
            Some(width) => crate::render::images::variant_path(&src, width),
            None => src,
        }
    }

    fn person_summary(&self, p: &'a Person, credits: &Credits) -> PersonSummary<'a> {
        let c = &self.site.config;
        PersonSummary {
            id: &p.id,
            name: &p.name,
            role: p.role.as_deref(),
            department: p
                .department
                .as_deref()
                .and_then(|d| c.department(d))
                .map(|d| c.name_of(Named::Department, &d.id, &c.language)),
            href: paths::page_file(&paths::person_url(&p.id)),
            photo: p.photo.as_deref().map(|f| self.avatar(f)),
            initials: initials(&p.name),
            stories: credits.authored.get(p.id.as_str()).map_or(0, Vec::len),
            recognized: credits.recognized.get(p.id.as_str()).map_or(0, Vec::len),
        }
    }

    pub(super) fn backstage_for(&self, department: &str) -> Vec<Backstage> {
        self.site
            .config
            .journey
            .iter()
            .flat_map(|s| &s.touchpoints)
            .filter(|t| t.backstage.iter().any(|d| d == department))
            .map(|t| Backstage {
                name: self.site.config.name_of(
                    Named::Touchpoint,
                    &t.id,
                    &self.site.config.language,
                ),
                href: format!(
                    "{}#stage-{}",
                    paths::page_file(paths::BLUEPRINT),
                    self.stage_number(&t.id)
                ),
            })
            .collect()
    }

    fn stage_number(&self, touchpoint: &str) -> usize {
        self.site
            .config
            .journey
            .iter()
            .position(|s| s.touchpoints.iter().any(|t| t.id == touchpoint))
            .map_or(0, |i| i + 1)
    }

    pub(super) fn programme_jobs<'p>(&'p self, coverage: &Coverage, jobs: &mut Jobs<'_, 'p, 'a>) {
        self.people_jobs(jobs);
        self.wall_jobs(jobs);
        self.coverage_jobs(coverage, jobs);
        if !self.site.config.journey.is_empty() {
            jobs.push(Job {
                url: paths::BLUEPRINT.into(),
                template: "blueprint.html",
                lang: self.site.config.language.clone(),
                page: ListPage::Programme(ProgrammePage::Blueprint {
                    programme: "blueprint",
                    title: "Service blueprint",
                    has_blueprint: self
                        .site
                        .config
                        .journey
                        .iter()
                        .flat_map(|s| &s.touchpoints)
                        .any(|t| t.has_blueprint()),
                    stages: self.blueprint(coverage),
                }),
            });
        }
    }

    fn people_jobs<'p>(&'p self, jobs: &mut Jobs<'_, 'p, 'a>) {
        let site = self.site;
        let c = &site.config;
        if c.people.is_empty() {
            return;
        }
        let default = &c.language;
        let credits = self.credits();
        // The index, grouped by department in site.yaml's order, then
        // those without one.
        let mut groups: Vec<PeopleGroup> = c
            .departments
            .iter()
            .map(|d| PeopleGroup {
                department: Some(Link {
                    name: Cow::Owned(c.name_of(Named::Department, &d.id, &c.language)),
                    href: paths::page_file(&paths::taxonomy_item_url(Taxonomy::Departments, &d.id)),
                }),
                people: c
                    .people
                    .iter()
                    .filter(|p| p.department.as_deref() == Some(d.id.as_str()))
                    .map(|p| self.person_summary(p, &credits))
                    .collect(),
            })
            .collect();
        groups.push(PeopleGroup {
            department: None,
            people: c
                .people
                .iter()
                .filter(|p| {
                    p.department
                        .as_deref()
                        .is_none_or(|d| c.department(d).is_none())
                })
                .map(|p| self.person_summary(p, &credits))
                .collect(),
        });
        groups.retain(|g| !g.people.is_empty());
        for g in &mut groups {
            g.people.sort_by_cached_key(|p| super::sort_key(p.name));
        }
        jobs.push(Job {
            url: paths::PEOPLE.into(),
            template: "people.html",
            lang: default.clone(),
            page: ListPage::Programme(ProgrammePage::People {
                title: "People",
                programme: "people",
                count: c.people.len(),
                groups,
            }),
        });
        for p in &c.people {
            let url = paths::person_url(&p.id);
            let authored = credits
                .authored
                .get(p.id.as_str())
                .cloned()
                .unwrap_or_default();
            let recognized = credits
                .recognized
                .get(p.id.as_str())
                .cloned()
                .unwrap_or_default();
            // The values of every story that credits them, most shown first.
            let mut values: BTreeMap<&str, usize> = BTreeMap::new();
            let credited: BTreeSet<EntryId> = authored.iter().chain(&recognized).copied().collect();
            for &id in &credited {
                if let Meta::Story(s) = &site.entries[id].meta {
                    for v in &s.values {
                        *values.entry(v).or_default() += 1;
                    }
                }
            }
            let mut values: Vec<Counted> = values
                .into_iter()
                .map(|(v, count)| Counted {
                    name: site.config.name_of(Named::Value, v, &site.config.language),
                    href: Some(paths::page_file(&paths::taxonomy_item_url(
                        Taxonomy::Values,
                        v,
                    ))),
                    count,
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
            let department = p
                .department
                .as_deref()
                .and_then(|d| c.department(d))
                .map(|d| Link {
                    name: Cow::Owned(c.name_of(Named::Department, &d.id, &c.language)),
                    href: paths::page_file(&paths::taxonomy_item_url(Taxonomy::Departments, &d.id)),
                });
            jobs.push(Job {
                template: "person.html",
                lang: default.clone(),
                page: ListPage::Programme(ProgrammePage::Person {
                    programme: "person",
                    title: &p.name,
                    person: self.person_summary(p, &credits),
                    department,
                    values,
                    stories_count: authored.len(),
                    stories_html: self.cards_html(authored, &url),
                    recognized_count: recognized.len(),
                    recognized_html: self.cards_html(recognized, &url),
                }),
                url,
            });
        }
    }

    /// `/values/<v>/`: the stories that show a value, newest first, as a
    /// wall of who did what (the taxonomy's index stays in `lists`).
    fn wall_jobs<'p>(&'p self, jobs: &mut Jobs<'_, 'p, 'a>) {
        let site = self.site;
        let c = &site.config;
        let mut by_value: HashMap<&str, Vec<EntryId>> = HashMap::new();
        for id in site.ids(Kind::Story) {
            if let Meta::Story(s) = &site.entries[id].meta {
                for v in &s.values {
                    by_value.entry(v).or_default().push(id);
                }
            }
        }
        for v in &c.values {
            let ids = by_value.remove(v.as_str()).unwrap_or_default();
            let mut people = BTreeSet::new();
            let mut departments: BTreeMap<&str, usize> = BTreeMap::new();
            for &id in &ids {
                if let Meta::Story(s) = &site.entries[id].meta {
                    people.insert(
                        c.person(&s.author)
                            .map_or(s.author.as_str(), |p| p.id.as_str()),
                    );
                    *departments.entry(&s.department).or_default() += 1;
                }
            }
            let departments: Vec<Counted> = c
                .departments
                .iter()
                .filter_map(|d| {
                    departments.get(d.id.as_str()).map(|&count| Counted {
                        name: d.name.clone(),
                        href: Some(paths::page_file(&paths::taxonomy_item_url(
                            Taxonomy::Departments,
                            &d.id,
                        ))),
                        count,
                    })
                })
                .collect();
            let base = paths::taxonomy_item_url(Taxonomy::Values, v);
            let count = ids.len();
            for slice in paginate(&base, ids, c.page_size) {
                let items = slice
                    .items
                    .iter()
                    .map(|&id| {
                        let author = match &site.entries[id].meta {
                            Meta::Story(s) => s.author.as_str(),
                            _ => "",
                        };
                        let person = c.person(author);
                        WallItem {
                            card: &self.cards[id],
                            photo: person
                                .and_then(|p| p.photo.as_deref())
                                .map(|f| self.avatar(f)),
                            initials: initials(person.map_or(author, |p| &p.name)),
                        }
                    })
                    .collect();
                jobs.push(Job {
                    url: slice.url,
                    template: "wall.html",
                    lang: c.language.clone(),
                    page: ListPage::Programme(ProgrammePage::Wall {
                        programme: "wall",
                        id: v,
                        title: c.name_of(Named::Value, v, &c.language),
                        count,
                        people: people.len(),
                        departments: departments
                            .iter()
                            .map(|d| Counted {
                                name: d.name.clone(),
                                href: d.href.clone(),
                                count: d.count,
                            })
                            .collect(),
                        items,
                        pager: slice.pager,
                    }),
                });
            }
        }
    }

    fn coverage_jobs<'p>(&'p self, cov: &Coverage, jobs: &mut Jobs<'_, 'p, 'a>) {
        let site = self.site;
        let c = &site.config;
        let default = &c.language;
        let link = |id: EntryId| Link {
            name: Cow::Borrowed(site.entries[id].title()),
            href: paths::page_file(site.url(id)),
        };
        let columns: Vec<ColumnHead> = cov
            .columns
            .iter()
            .map(|col| ColumnHead {
                slug: col.slug.clone(),
                name: col.name.clone(),
                no_stage: col.slug == NO_STAGE,
            })
            .collect();
        let row = |r: &crate::coverage::Row| {
            let department = r.department.as_deref();
            MatrixRow {
                name: r.name.clone(),
                href: department
                    .map(|d| paths::page_file(&paths::taxonomy_item_url(Taxonomy::Departments, d))),
                cells: cov
                    .columns
                    .iter()
                    .zip(&r.cells)
                    .map(|(col, cell)| Cell {
                        count: cell.len(),
                        href: (!cell.is_empty()).then(|| {
                            paths::page_file(&paths::coverage_cell_url(department, &col.slug))
                        }),
                        gap: cell.is_empty() && col.slug != NO_STAGE,
                    })
                    .collect(),
                total: r.total,
            }
        };
        // A heading's count is the whole; its list, the first LIST_LIMIT.
        let gap = |name: String, href: Option<String>, missing: &[EntryId], done: usize| Gap {
            name,
            href,
            count: missing.len(),
            done,
            terms: missing.iter().take(LIST_LIMIT).map(|&i| link(i)).collect(),
            more: missing.len().saturating_sub(LIST_LIMIT),
        };
        let page = CoveragePage {
            programme: "coverage",
            title: "Coverage",
            today: self.theme.long_date(cov.today, &site.config.language),
            rows: cov.rows.iter().map(row).collect(),
            cases: row(&cov.cases),
            columns,
            empty_cells: cov.empty_cells().len(),
            terms: cov.terms,
            lenses: cov
                .lenses
                .iter()
                .map(|g| {
                    let href = paths::page_file(&paths::taxonomy_item_url(
                        Taxonomy::Departments,
                        &g.department,
                    ));
                    gap(
                        g.name.clone(),
                        Some(href),
                        &g.missing,
                        cov.terms - g.missing.len(),
                    )
                })
                .collect(),
            translations: cov
                .translations
                .iter()
                .map(|g| {
                    gap(
                        super::language_name(&g.language),
                        None,
                        &g.missing,
                        g.translated,
                    )
                })
                .collect(),
            stale_after_days: cov.stale_after_days,
            stale_more: cov.stale.len().saturating_sub(LIST_LIMIT),
            stale_count: cov.stale.len(),
            stale: cov
                .stale
                .iter()
                .take(LIST_LIMIT)
                .map(|s| StaleItem {
                    title: site.entries[s.id].title(),
                    href: paths::page_file(site.url(s.id)),
                    kind: site.entries[s.id].kind,
                    updated: self.theme.long_date(s.updated, &site.config.language),
                    from_git: s.source == DateSource::Git,
                    days: s.days,
                })
                .collect(),
            undated: cov.undated.len(),
            dated: cov.dated,
            quarters: cov.quarters.clone(),
            champions: cov
                .champions
                .iter()
                .map(|ch| ChampionRow {
                    name: ch.name.clone(),
                    href: paths::page_file(&paths::taxonomy_item_url(
                        Taxonomy::Departments,
                        &ch.department,
                    )),
                    earlier: ch.earlier,
                    per_quarter: ch.per_quarter.clone(),
                    total: ch.total,
                })
                .collect(),
        };
        jobs.push(Job {
            url: paths::COVERAGE.into(),
            template: "coverage.html",
            lang: default.clone(),
            page: ListPage::Programme(ProgrammePage::Coverage(Box::new(page))),
        });
        // One page per non-empty cell, listing exactly what the cell counts.
        for r in cov.rows.iter().chain(std::iter::once(&cov.cases)) {
            for (col, cell) in cov.columns.iter().zip(&r.cells) {
                if cell.is_empty() {
                    continue;
                }
                let department = r.department.as_deref();
                let base = paths::coverage_cell_url(department, &col.slug);
                for slice in paginate(&base, cell.clone(), c.page_size) {
                    let url = slice.url;
                    jobs.push(Job {
                        template: "coverage_cell.html",
                        lang: default.clone(),
                        page: ListPage::Programme(ProgrammePage::CoverageCell {
                            programme: "coverage-cell",
                            title: format!("{} · {}", r.name, col.name),
                            row: r.name.clone(),
                            row_href: department.map(|d| {
                                paths::page_file(&paths::taxonomy_item_url(
                                    Taxonomy::Departments,
                                    d,
                                ))
                            }),
                            stage: col.name.clone(),
                            no_stage: col.slug == NO_STAGE,
                            is_cases: department.is_none(),
                            count: cell.len(),
                            entries_html: self.cards_html(slice.items, &url),
                            pager: slice.pager,
                        }),
                        url,
                    });
                }
            }
        }
    }

    /// Stages as columns; for each touchpoint its blueprint rows.
    fn blueprint(&self, cov: &Coverage) -> Vec<BlueprintStage<'a>> {
        let site = self.site;
        let c = &site.config;
        let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
        for e in &site.entries {
            for t in e.touchpoints() {
                let n = counts.entry(t.as_str()).or_default();
                match e.kind {
                    Kind::Story => n.0 += 1,
                    Kind::Case => n.1 += 1,
                    _ => {}
                }
            }
        }
        c.journey
            .iter()
            .enumerate()
            .map(|(i, stage)| BlueprintStage {
                number: i + 1,
                name: c.name_of(Named::Stage, &stage.stage, &c.language),
                touchpoints: stage
                    .touchpoints
                    .iter()
                    .map(|t| {
                        let (stories, cases) =
                            counts.get(t.id.as_str()).copied().unwrap_or_default();
                        BlueprintTouchpoint {
                            id: &t.id,
                            name: c.name_of(Named::Touchpoint, &t.id, &c.language),
                            href: paths::page_file(&paths::taxonomy_item_url(
                                Taxonomy::Touchpoints,
                                &t.id,
                            )),
                            stories,
                            cases,
                            customer: t.customer.as_deref(),
                            visible: t.visible.as_deref(),
                            backstage: t
                                .backstage
                                .iter()
                                .map(|d| {
                                    // The department's stories at this
                                    // stage: the coverage cell.
                                    let row = cov
                                        .rows
                                        .iter()
                                        .find(|r| r.department.as_deref() == Some(d.as_str()));
                                    let count = row.map_or(0, |r| r.cells[i].len());
                                    Counted {
                                        name: c
                                            .department(d)
                                            .map_or_else(|| d.clone(), |d| d.name.clone()),
                                        href: (count > 0).then(|| {
                                            paths::page_file(&paths::coverage_cell_url(
                                                Some(d),
                                                &cov.columns[i].slug,
                                            ))
                                        }),
                                        count,
                                    }
                                })
                                .collect(),
                            systems: t.systems.iter().map(String::as_str).collect(),
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wall_item_is_its_card_with_a_photo_and_initials() {
        let card = super::super::card::tests::a_story_card();
        let item = WallItem {
            card: &card,
            photo: Some("people/ana.jpg".into()),
            initials: "AM".into(),
        };
        let mut expected = serde_json::to_value(&card).unwrap();
        let fields = expected.as_object_mut().unwrap();
        fields.insert("photo".into(), "people/ana.jpg".into());
        fields.insert("initials".into(), "AM".into());
        assert_eq!(serde_json::to_value(&item).unwrap(), expected);
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Marta Kowalski"), "MK");
        assert_eq!(initials("Ana Maria da Silva"), "AS");
        assert_eq!(initials("Zé"), "Z");
        assert_eq!(initials("The night shift"), "TS");
        assert_eq!(initials("Ben Hollis, Business Sales Advisor"), "BH");
    }
}
