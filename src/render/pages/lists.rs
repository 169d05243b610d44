//! Pages that list entries: home, stories, glossary indexes, cases, paths,
//! print views, the journey map and the taxonomy pages.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use super::{Job, Pages, humanize, initial, language_name, sort_key, tag_slug};
use crate::link::EntryId;
use crate::load::{Kind, Meta};
use crate::paths::{self, Taxonomy};

impl Pages<'_> {
    pub(super) fn section_jobs(&self) -> Vec<Job> {
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
            page: json!({
                "title": site.config.title,
                "featured_count": featured.len(),
                "featured_html": self.cards_html(featured, ""),
                "latest_html": self.cards_html(stories.iter().copied().take(6), ""),
                "spotlight": spotlight.map(|t| self.card_value(t)),
                "journey": self.journey(),
                "counts": {
                    "stories": stories.len(),
                    "terms": site.originals(Kind::Term).count(),
                    "cases": site.ids(Kind::Case).count(),
                    "paths": site.ids(Kind::Path).count(),
                },
                "paths": self.cards(site.ids(Kind::Path)),
            }),
        });

        // Stories with client-side filters: counted by id first, named once
        // per distinct id (ten thousand stories share a few dozen).
        fn facet<'s>(
            counts: BTreeMap<&'s str, usize>,
            name: impl Fn(&'s str) -> String,
        ) -> Vec<Value> {
            counts
                .into_iter()
                .map(|(id, count)| json!({"id": id, "name": name(id), "count": count}))
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
        let tag_items: Vec<Value> = tag_counts
            .into_iter()
            .map(|(id, (name, count))| json!({"id": id, "name": name, "count": count}))
            .collect();
        let department_name = |id: &str| {
            site.config
                .department(id)
                .map_or(id.to_string(), |d| d.name.clone())
        };
        let (departments, touchpoints, values) = (
            facet(departments, department_name),
            facet(touchpoints, humanize),
            facet(values, humanize),
        );
        jobs.push(Job {
            url: paths::section_url(Kind::Story, &default, &default),
            template: "stories.html",
            lang: default.clone(),
            page: json!({
                "title": "Stories",
                "stories_html": self.cards_html(stories.iter().copied(), "stories/"),
                "count": stories.len(),
                "filters": [
                    {"key": "department", "items": departments},
                    {"key": "touchpoint", "items": touchpoints},
                    {"key": "value", "items": values},
                    {"key": "tag", "items": tag_items},
                ],
            }),
        });

        // Glossary index, per language.
        for lang in site.config.all_languages() {
            let terms: Vec<EntryId> = site
                .ids(Kind::Term)
                .filter(|&i| site.entries[i].lang == lang)
                .collect();
            if terms.is_empty() && lang != default {
                continue;
            }
            jobs.push(Job {
                url: paths::section_url(Kind::Term, lang, &default),
                template: "glossary.html",
                lang: lang.to_string(),
                page: json!({"title": "Glossary", "letters": self.glossary_letters(&terms), "count": terms.len(),
                    "languages": site.config.all_languages().iter().filter(|l| **l == default || site.ids(Kind::Term).any(|i| site.entries[i].lang == **l))
                        .map(|l| json!({"lang": l, "name": language_name(l), "href": paths::page_file(&paths::section_url(Kind::Term, l, &default)), "current": *l == lang})).collect::<Vec<_>>()}),
            });
        }

        jobs.push(Job {
            url: paths::section_url(Kind::Case, &default, &default),
            template: "cases.html",
            lang: default.clone(),
            page: json!({"title": "Case studies", "cases_html": self.cards_html(site.ids(Kind::Case), "cases/")}),
        });
        jobs.push(Job {
            url: paths::section_url(Kind::Path, &default, &default),
            template: "paths.html",
            lang: default.clone(),
            page: json!({"title": "Training paths", "paths": self.cards(site.ids(Kind::Path))}),
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
            let steps: Vec<Value> = p
                .steps
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let target = site.get(s.kind, &s.slug, &default)?;
                    // Re-rendered for this page's depth, with tooltip ids unique to the step.
                    let html = embed(target, &format!("s{}-", i + 1));
                    Some(json!({"number": i + 1, "note": s.note, "item": self.card_value(target), "html": html}))
                })
                .collect();
            let mut page = self.card_value(id);
            page["path_steps"] = json!(steps);
            page["path_href"] = json!(paths::page_file(site.url(id)));
            page["html"] = json!(embed(id, "intro-"));
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
            page: json!({"title": "Customer journey", "stages": self.journey()}),
        });
        if self.theme.has_template("search.html") {
            jobs.push(Job {
                url: paths::SEARCH.into(),
                template: "search.html",
                lang: default,
                page: json!({"title": "Search"}),
            });
        }
        jobs
    }

    pub(super) fn glossary_letters(&self, terms: &[EntryId]) -> Vec<Value> {
        let site = self.site;
        let mut items: Vec<(String, Value)> = Vec::new();
        for &i in terms {
            let Meta::Term(t) = &site.entries[i].meta else {
                continue;
            };
            let href = format!("{}/index.html", site.entries[i].slug);
            items.push((
                t.term.clone(),
                json!({"name": t.term, "href": href, "short": t.short}),
            ));
            for a in &t.aliases {
                items.push((
                    a.clone(),
                    json!({"name": a, "href": href, "alias_of": t.term}),
                ));
            }
        }
        items.sort_by_cached_key(|(name, _)| sort_key(name));
        let mut letters: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (name, item) in items {
            letters.entry(initial(&name)).or_default().push(item);
        }
        let mut out: Vec<Value> = ('A'..='Z')
            .map(|c| {
                let key = c.to_string();
                let items = letters.remove(&key).unwrap_or_default();
                json!({"letter": key, "items": items})
            })
            .collect();
        // Digits, symbols and letters outside A–Z come last.
        for (letter, items) in letters {
            out.push(json!({"letter": letter, "items": items}));
        }
        out
    }

    /// Stages in order, each touchpoint with its story and case counts.
    pub(super) fn journey(&self) -> Vec<Value> {
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
                let touchpoints: Vec<Value> = stage
                    .touchpoints
                    .iter()
                    .map(|t| {
                        let (stories, cases) = counts.get(t.as_str()).copied().unwrap_or_default();
                        json!({"id": t, "name": humanize(t), "href": paths::page_file(&paths::taxonomy_item_url(Taxonomy::Touchpoints, t)), "stories": stories, "cases": cases})
                    })
                    .collect();
                json!({"number": n + 1, "stage": stage.stage, "touchpoints": touchpoints})
            })
            .collect()
    }

    pub(super) fn taxonomy_jobs(&self) -> Vec<Job> {
        let site = self.site;
        let c = &site.config;
        let default = c.language.clone();
        let mut by_department: BTreeMap<&str, Vec<EntryId>> = BTreeMap::new();
        let mut lens_terms: BTreeMap<&str, Vec<EntryId>> = BTreeMap::new();
        let mut by_touchpoint: BTreeMap<&str, Vec<EntryId>> = BTreeMap::new();
        let mut by_value: BTreeMap<&str, Vec<EntryId>> = BTreeMap::new();
        let mut by_tag: BTreeMap<String, (String, Vec<EntryId>)> = BTreeMap::new();
        for (id, e) in site.entries.iter().enumerate() {
            match &e.meta {
                Meta::Story(s) => {
                    by_department.entry(&s.department).or_default().push(id);
                    for v in &s.values {
                        by_value.entry(v).or_default().push(id);
                    }
                }
                Meta::Term(t) if e.lang == default => {
                    for d in t.lenses.keys() {
                        lens_terms.entry(d).or_default().push(id);
                    }
                }
                _ => {}
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
        let mut jobs = Vec::new();
        let taxonomy = |taxonomy: Taxonomy,
                        items: Vec<(String, String, Vec<EntryId>, Vec<EntryId>)>,
                        jobs: &mut Vec<Job>| {
            let key = taxonomy.segment();
            // Items are linked from the taxonomy's own page: `it/index.html`.
            let index: Vec<Value> = items
                .iter()
                .map(|(id, name, entries, terms)| json!({"id": id, "name": name, "href": format!("{id}/index.html"), "count": entries.len() + terms.len()}))
                .collect();
            jobs.push(Job {
                url: paths::taxonomy_url(taxonomy),
                template: "taxonomy.html",
                lang: default.clone(),
                page: json!({"taxonomy": key, "items": index}),
            });
            for (id, name, entries, terms) in items {
                let url = paths::taxonomy_item_url(taxonomy, &id);
                jobs.push(Job {
                    template: "taxonomy_item.html",
                    lang: default.clone(),
                    page: json!({"taxonomy": key, "id": id, "title": name, "count": entries.len(),
                        "entries_html": self.cards_html(entries, &url),
                        "terms_count": terms.len(), "terms_html": self.cards_html(terms, &url)}),
                    url,
                });
            }
        };
        let departments = c
            .departments
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    d.name.clone(),
                    by_department
                        .get(d.id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    lens_terms.get(d.id.as_str()).cloned().unwrap_or_default(),
                )
            })
            .collect();
        taxonomy(Taxonomy::Departments, departments, &mut jobs);
        let touchpoints = c
            .touchpoints()
            .map(|t| {
                (
                    t.to_string(),
                    humanize(t),
                    by_touchpoint.get(t).cloned().unwrap_or_default(),
                    Vec::new(),
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
                    humanize(v),
                    by_value.get(v.as_str()).cloned().unwrap_or_default(),
                    Vec::new(),
                )
            })
            .collect();
        taxonomy(Taxonomy::Values, values, &mut jobs);
        let tags = by_tag
            .into_iter()
            .map(|(id, (name, entries))| (id, name, entries, Vec::new()))
            .collect();
        taxonomy(Taxonomy::Tags, tags, &mut jobs);
        jobs
    }
}
