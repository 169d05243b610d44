//! What the search index is built from: one document per entry page.

use crate::link::Site;
use crate::load::{Kind, Meta};
use crate::search::{DocKind, SearchDoc};

use super::bodies::Bodies;
use super::pages::humanize;

fn doc_kind(kind: Kind) -> DocKind {
    match kind {
        Kind::Story => DocKind::Story,
        Kind::Term => DocKind::Term,
        Kind::Case => DocKind::Case,
        Kind::Path => DocKind::Path,
        Kind::Page => DocKind::Page,
    }
}

pub fn search_docs(site: &Site, bodies: &Bodies) -> Vec<SearchDoc> {
    let config = &site.config;
    site.entries
        .iter()
        .enumerate()
        .map(|(id, e)| {
            let mut keywords: Vec<String> = e.tags().to_vec();
            let mut facets: Vec<(String, String)> = Vec::new();
            let mut body = bodies.rendered[id].text.clone();
            for t in e.touchpoints() {
                facets.push(("touchpoint".into(), humanize(t)));
            }
            match &e.meta {
                Meta::Story(s) => {
                    let dept = config
                        .department(&s.department)
                        .map_or(s.department.clone(), |d| d.name.clone());
                    facets.push(("department".into(), dept));
                    facets.extend(s.values.iter().map(|v| ("value".into(), humanize(v))));
                    for extra in [&s.customer, &s.outcome, &s.summary].into_iter().flatten() {
                        body.push('\n');
                        body.push_str(extra);
                    }
                }
                Meta::Term(t) => {
                    keywords.extend(t.aliases.iter().cloned());
                    if let Some(short) = &t.short {
                        body = format!("{short}\n{body}");
                    }
                    for (dept, lens) in &t.lenses {
                        if let Some(d) = config.department(dept) {
                            facets.push(("department".into(), d.name.clone()));
                        }
                        body.push('\n');
                        body.push_str(lens);
                    }
                }
                Meta::Case(c) => {
                    body = format!(
                        "{}\n{}\n{body}",
                        c.organization,
                        c.summary.as_deref().unwrap_or_default()
                    );
                    for m in &c.metrics {
                        body.push('\n');
                        body.push_str(&m.name);
                    }
                }
                Meta::Path(p) => {
                    for s in &p.steps {
                        if let Some(note) = &s.note {
                            body.push('\n');
                            body.push_str(note);
                        }
                    }
                }
                Meta::Page(_) => {}
            }
            SearchDoc {
                url: site.url(id),
                kind: doc_kind(e.kind),
                title: e.title().to_string(),
                language: e.lang.clone(),
                keywords,
                body,
                facets,
            }
        })
        .collect()
}
