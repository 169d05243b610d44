//! The page of one entry: its data, and the key of everything it shows.

use std::hash::Hash;

use serde_json::{Value, json};

use super::{Job, Pages, lang_prefix, language_name};
use crate::link::EntryId;
use crate::load::{Kind, Meta};
use crate::render::cache;
use crate::render::chart;

impl Pages<'_> {
    /// Everything an entry's page is made of, hashed: its front matter and
    /// body, and the cards of every other entry it shows (path steps,
    /// mentioned and related terms, translations, back-links). Must cover
    /// all that `entry_job` reads; the incremental tests compare with full builds.
    pub(super) fn entry_key(&self, id: EntryId) -> u64 {
        let site = self.site;
        let e = &site.entries[id];
        cache::key(|h| {
            self.chrome_key.hash(h);
            (&e.source, e.text_hash, &e.lang, e.kind).hash(h);
            self.bodies.keys[id].hash(h);
            self.card_keys[id].hash(h);
            let dep = |h: &mut rustc_hash::FxHasher, d: EntryId| {
                (d, self.card_keys[d], site.entries[d].text_hash).hash(h);
            };
            for &m in &self.bodies.rendered[id].mentions {
                dep(h, self.bodies.glossary_terms[m]);
            }
            let original = site.get(e.kind, &e.slug, &site.config.language);
            if let Some(o) = original {
                for step in site.path_steps(o) {
                    dep(h, step.path);
                    if let Meta::Path(p) = &site.entries[step.path].meta {
                        for s in p.steps.iter().skip(step.index.saturating_sub(1)).take(3) {
                            if let Some(t) = site.get(s.kind, &s.slug, &site.config.language) {
                                dep(h, t);
                            }
                        }
                    }
                }
            }
            match &e.meta {
                Meta::Term(t) => {
                    let o = original.unwrap_or(id);
                    dep(h, o);
                    for &v in site.translations(&e.slug) {
                        dep(h, v);
                    }
                    for r in &t.related {
                        for lang in [&e.lang, &site.config.language] {
                            if let Some(r) = site.get(Kind::Term, r, lang) {
                                dep(h, r);
                            }
                        }
                    }
                    for &m in self
                        .bodies
                        .mentioned_in
                        .get(&o)
                        .map_or(&[][..], Vec::as_slice)
                    {
                        dep(h, m);
                    }
                }
                Meta::Path(p) => {
                    for s in &p.steps {
                        if let Some(t) = site.get(s.kind, &s.slug, &site.config.language) {
                            dep(h, t);
                        }
                    }
                }
                _ => {}
            }
        })
    }

    pub(super) fn entry_job(&self, id: EntryId) -> Job {
        let site = self.site;
        let e = &site.entries[id];
        let body = &self.bodies.rendered[id];
        let mut page = (*self.cards[id]).clone();
        let obj = page.as_object_mut().expect("card is an object");
        obj.insert("html".into(), json!(body.html));
        obj.insert("steps".into(), json!(self.path_nav(id)));
        let template = match &e.meta {
            Meta::Story(s) => {
                obj.insert("author".into(), json!(s.author));
                obj.insert("customer".into(), json!(s.customer));
                obj.insert("outcome".into(), json!(s.outcome));
                obj.insert("mentions".into(), json!(self.mentions(id)));
                "story.html"
            }
            Meta::Term(t) => {
                self.term_page(id, t, obj);
                "term.html"
            }
            Meta::Case(c) => {
                let labels = self.labels(&e.lang);
                obj.insert("organization".into(), json!(c.organization));
                obj.insert("industry".into(), json!(c.industry));
                obj.insert(
                    "chart".into(),
                    json!(chart::metrics_svg(&c.metrics, (&labels.0, &labels.1))),
                );
                obj.insert(
                    "metrics".into(),
                    json!(
                        c.metrics
                            .iter()
                            .map(|m| json!({
                                    "name": m.name,
                                    "before": chart::format_number(m.before),
                                    "after": chart::format_number(m.after),
                                    "unit": m.unit.clone().unwrap_or_default(),
                                    "verdict": chart::verdict(m),
                                    "description": chart::describe(m),
                            "change": chart::describe_change(m),
                                }))
                            .collect::<Vec<_>>()
                    ),
                );
                obj.insert("mentions".into(), json!(self.mentions(id)));
                "case.html"
            }
            Meta::Path(p) => {
                let steps: Vec<Value> = p
                    .steps
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| {
                        let target = site.get(s.kind, &s.slug, &site.config.language)?;
                        Some(json!({"number": i + 1, "note": s.note, "item": *self.cards[target]}))
                    })
                    .collect();
                obj.insert("path_steps".into(), json!(steps));
                obj.insert("audience".into(), json!(p.audience));
                obj.insert("duration".into(), json!(p.duration));
                obj.insert(
                    "print_href".into(),
                    json!(format!("{}print/index.html", site.url(id))),
                );
                "path.html"
            }
            Meta::Page(_) => "page.html",
        };
        Job {
            url: site.url(id).to_string(),
            template,
            lang: e.lang.clone(),
            page,
        }
    }

    pub(super) fn labels(&self, lang: &str) -> (String, String) {
        let t = self.strings(lang);
        let get = |k: &str, d: &str| t.get(k).and_then(Value::as_str).unwrap_or(d).to_string();
        (get("before", "Before"), get("after", "After"))
    }

    pub(super) fn mentions(&self, id: EntryId) -> Vec<Value> {
        let r = &self.bodies.rendered[id];
        r.mentions
            .iter()
            .map(|&m| (*self.cards[self.bodies.glossary_terms[m]]).clone())
            .collect()
    }

    /// "Step 3 of 7 in <path>", with previous and next, for every path using this entry.
    pub(super) fn path_nav(&self, id: EntryId) -> Vec<Value> {
        let site = self.site;
        let e = &site.entries[id];
        let original = if e.lang == site.config.language {
            Some(id)
        } else {
            site.get(e.kind, &e.slug, &site.config.language)
        };
        let Some(original) = original else {
            return Vec::new();
        };
        site.path_steps(original)
            .iter()
            .filter_map(|step| {
                let Meta::Path(p) = &site.entries[step.path].meta else { return None };
                let neighbour = |i: usize| {
                    let s = p.steps.get(i)?;
                    let target = site.get(s.kind, &s.slug, &site.config.language)?;
                    Some(json!({"title": site.entries[target].title(), "href": format!("{}index.html", site.url(target))}))
                };
                Some(json!({
                    "path_title": p.title,
                    "path_href": format!("{}index.html", site.url(step.path)),
                    "number": step.index + 1,
                    "total": p.steps.len(),
                    "previous": step.index.checked_sub(1).and_then(neighbour),
                    "next": neighbour(step.index + 1),
                }))
            })
            .collect()
    }

    pub(super) fn term_page(
        &self,
        id: EntryId,
        t: &crate::load::Term,
        obj: &mut serde_json::Map<String, Value>,
    ) {
        let site = self.site;
        let e = &site.entries[id];
        let default = &site.config.language;
        let original = site.get(Kind::Term, &e.slug, default).unwrap_or(id);
        let lenses: Vec<Value> = site
            .config
            .departments
            .iter()
            .filter_map(|d| {
                t.lenses
                    .get(&d.id)
                    .map(|text| json!({"id": d.id, "name": d.name, "text": text}))
            })
            .collect();
        let related: Vec<Value> = t
            .related
            .iter()
            .filter_map(|slug| {
                site.get(Kind::Term, slug, &e.lang)
                    .or_else(|| site.get(Kind::Term, slug, default))
            })
            .map(|r| (*self.cards[r]).clone())
            .collect();
        let versions: Vec<Value> = std::iter::once(original)
            .chain(site.translations(&e.slug).iter().copied())
            .map(|v| {
                let lang = &site.entries[v].lang;
                json!({"lang": lang, "name": language_name(lang), "href": format!("{}index.html", site.url(v)), "current": v == id})
            })
            .collect();
        let mentioned: Vec<EntryId> = self
            .bodies
            .mentioned_in
            .get(&original)
            .cloned()
            .unwrap_or_default();
        obj.insert("term".into(), json!(t.term));
        obj.insert("short".into(), json!(t.short));
        obj.insert("aliases".into(), json!(t.aliases));
        obj.insert("lenses".into(), json!(lenses));
        obj.insert("related".into(), json!(related));
        obj.insert(
            "translations".into(),
            json!(if versions.len() > 1 {
                versions
            } else {
                Vec::new()
            }),
        );
        obj.insert(
            "mentioned_in_html".into(),
            json!(self.backlinks_html(&mentioned, site.url(id))),
        );
        obj.insert("mentioned_in_count".into(), json!(mentioned.len()));
        obj.insert(
            "glossary_href".into(),
            json!(format!(
                "{}glossary/index.html",
                lang_prefix(&e.lang, default)
            )),
        );
    }
}
