//! What the search index is built from: one document per entry page.

use std::sync::Arc;

use crate::link::Site;
use crate::load::{Kind, Meta};
use crate::search::{DocKind, SearchDoc};

use super::markdown::Rendered;
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

/// Search documents whose bodies are not assembled yet: the entries' text
/// stays shared with the render until [`PendingDocs::into_docs`], which
/// `serve` calls on its background indexing thread.
/// What `serve`'s search thread needs to make the documents itself, off
/// the reload's path: the linked site and every entry's rendered body.
pub struct SearchInput {
    pub site: Arc<Site>,
    pub rendered: Vec<Arc<Rendered>>,
}

impl SearchInput {
    pub fn into_docs(self) -> Vec<SearchDoc> {
        search_docs(&self.site, &self.rendered).into_docs()
    }
}

pub struct PendingDocs {
    docs: Vec<(SearchDoc, String, Arc<Rendered>, String)>,
}

impl PendingDocs {
    pub fn into_docs(self) -> Vec<SearchDoc> {
        self.docs
            .into_iter()
            .map(|(mut doc, before, rendered, after)| {
                // A body nothing else holds any more (a one-off build) gives
                // up its text instead of being copied.
                let text = match Arc::try_unwrap(rendered) {
                    Ok(owned) => owned.text,
                    Err(shared) => shared.text.clone(),
                };
                let mut body = if before.is_empty() {
                    text
                } else {
                    let mut b = String::with_capacity(before.len() + text.len() + after.len() + 1);
                    b.push_str(&before);
                    b.push('\n');
                    b.push_str(&text);
                    b
                };
                body.push_str(&after);
                doc.body = body;
                doc
            })
            .collect()
    }
}

pub fn search_docs(site: &Site, rendered: &[Arc<Rendered>]) -> PendingDocs {
    let config = &site.config;
    let docs = site
        .entries
        .iter()
        .enumerate()
        .map(|(id, e)| {
            let mut keywords: Vec<String> = e.tags().to_vec();
            let mut facets: Vec<(String, String)> = Vec::new();
            // Text before and after the entry's own text.
            let mut before = String::new();
            let mut body = String::new();
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
                        before = short.clone();
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
            let doc = SearchDoc {
                url: site.url(id).to_string(),
                kind: doc_kind(e.kind),
                title: e.title().to_string(),
                language: e.lang.clone(),
                keywords,
                body: String::new(),
                facets,
            };
            (doc, before, rendered[id].clone(), body)
        })
        .collect();
    PendingDocs { docs }
}
