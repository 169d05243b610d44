//! Phase two of rendering: every page of the site, through the templates.
//!
//! Contexts are kept small and built from plain JSON values computed once
//! per build (entry cards, the site block), so a page costs little more
//! than its own Markdown.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use serde_json::{Value, json};
use tera::Context;

use super::bodies::{Bodies, root_prefix};
use super::cache::{self, CardCache, CardValues, PageKeys, RenderCache};
use super::chart;
use super::theme::Theme;
use super::{Contents, OutputFile, Sink};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::{EntryId, Site};
use crate::load::{Entry, Kind, Meta};

/// A page to render: where it goes, which template, and its own data.
#[derive(Clone)]
struct Job {
    url: String,
    template: &'static str,
    lang: String,
    page: Value,
}

pub struct Pages<'a> {
    site: &'a Site,
    theme: &'a Theme,
    bodies: &'a Bodies,
    site_value: Value,
    cards: Vec<Arc<Value>>,
    card_values: CardValues,
    /// Each entry's card rendered through `card.html`, per page depth (links
    /// are relative, so a card differs by depth). Lists paste these instead
    /// of rendering every card again on every list that shows it.
    card_html: Vec<[OnceLock<Arc<String>>; CACHED_DEPTHS]>,
    /// Per entry: hash of its card and the theme, the card-cache key.
    card_keys: Vec<u64>,
    /// Hash of everything every page shares (site block, strings, theme).
    chrome_key: u64,
    previous: &'a RenderCache,
    card_errors: Mutex<Vec<Diagnostic>>,
    /// Card lists behind the placeholders of `cards_html`.
    lists: Mutex<HashMap<u64, (Vec<EntryId>, usize)>>,
    /// UI strings per language, looked up once per build rather than per page.
    strings: HashMap<String, Value>,
}

const CACHED_DEPTHS: usize = 4;

/// Stands in for a list of cards in page data until the page is rendered.
const LIST_MARKER: &str = "<!--campfire-cards:";

/// "mobile-app" → "Mobile app".
pub fn humanize(id: &str) -> String {
    let mut s = id.replace(['-', '_'], " ");
    if let Some(first) = s.get(..1) {
        let upper = first.to_uppercase();
        s.replace_range(..1, &upper);
    }
    s
}

fn language_name(code: &str) -> String {
    match code {
        "en" => "English",
        "pt" => "Português",
        "pt-br" => "Português (Brasil)",
        "es" => "Español",
        "fr" => "Français",
        "de" => "Deutsch",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "pl" => "Polski",
        "ja" => "日本語",
        "zh" => "中文",
        _ => code,
    }
    .to_string()
}

/// Up to `words` words, with an ellipsis when cut.
pub fn truncate_words(text: &str, words: usize) -> String {
    let mut out: Vec<&str> = text.split_whitespace().take(words + 1).collect();
    if out.len() > words {
        out.truncate(words);
        format!("{}…", out.join(" ").trim_end_matches(['.', ',', ';', ':']))
    } else {
        out.join(" ")
    }
}

impl<'a> Pages<'a> {
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        bodies: &'a Bodies,
        previous: &'a RenderCache,
    ) -> Pages<'a> {
        // A card is made of the entry's front matter, its body's first
        // paragraph and site.yaml's names: reuse it while those stay the same.
        let config_key = cache::key(|h| {
            cache::hash_value(h, &serde_json::to_value(&site.config).unwrap_or_default())
        });
        let built: Vec<(u64, Arc<Value>, u64)> = (0..site.entries.len())
            .into_par_iter()
            .map(|id| {
                let e = &site.entries[id];
                let input = cache::key(|h| {
                    (config_key, &e.source, e.text_hash, &e.lang, bodies.keys[id]).hash(h);
                });
                if let Some((k, value, key)) = previous.card_values.get(&e.source)
                    && *k == input
                {
                    return (input, value.clone(), *key);
                }
                let value = card(site, bodies, id);
                let key = cache::key(|h| cache::hash_value(h, &value));
                (input, Arc::new(value), key)
            })
            .collect();
        let card_values = built
            .iter()
            .enumerate()
            .map(|(id, (input, value, key))| {
                (
                    site.entries[id].source.clone(),
                    (*input, value.clone(), *key),
                )
            })
            .collect();
        let card_keys: Vec<u64> = built
            .iter()
            .map(|(_, _, key)| cache::key(|h| (theme.fingerprint, key).hash(h)))
            .collect();
        let cards: Vec<Arc<Value>> = built.into_iter().map(|(_, v, _)| v).collect();
        let c = &site.config;
        let mut menu: Vec<&Entry> = site
            .originals(Kind::Page)
            .map(|i| &site.entries[i])
            .filter(|e| matches!(&e.meta, Meta::Page(p) if p.menu))
            .collect();
        menu.sort_by_key(|e| match &e.meta {
            Meta::Page(p) => (p.weight, p.title.to_lowercase()),
            _ => (0, String::new()),
        });
        let site_value = json!({
            "title": c.title,
            "description": c.description,
            "language": c.language,
            "languages": c.all_languages().iter().map(|l| json!({"code": l, "name": language_name(l)})).collect::<Vec<_>>(),
            "menu": menu.iter().map(|e| json!({"title": e.title(), "href": format!("{}/index.html", e.slug)})).collect::<Vec<_>>(),
            "has": {
                "glossary": site.ids(Kind::Term).next().is_some(),
                "cases": site.ids(Kind::Case).next().is_some(),
                "paths": site.ids(Kind::Path).next().is_some(),
                "journey": !c.journey.is_empty(),
                "search": theme.has_template("search.html"),
            },
        });
        let chrome_key = cache::key(|h| {
            theme.fingerprint.hash(h);
            cache::hash_value(h, &site_value);
            // Department names and the journey show on entry pages.
            cache::hash_value(h, &serde_json::to_value(&site.config).unwrap_or_default());
        });
        Pages {
            site,
            theme,
            bodies,
            site_value,
            card_keys,
            card_values,
            chrome_key,
            previous,
            card_html: (0..cards.len()).map(|_| Default::default()).collect(),
            cards,
            card_errors: Mutex::new(Vec::new()),
            lists: Mutex::new(HashMap::new()),
            strings: site
                .config
                .all_languages()
                .into_iter()
                .map(|l| (l.to_string(), theme.strings(l)))
                .collect(),
        }
    }

    /// One entry's card as seen from a page `depth` folders below the root.
    fn card_html(&self, id: EntryId, depth: usize) -> Arc<String> {
        let render = || {
            if let Some(html) = self.previous.cards.get(&(self.card_keys[id], depth)) {
                return html.clone();
            }
            let mut cx = Context::new();
            cx.insert("e", &*self.cards[id]);
            cx.insert("root", &"../".repeat(depth));
            cx.insert("label", &self.kind_label(self.site.entries[id].kind));
            Arc::new(self.theme.render("card.html", &cx).unwrap_or_else(|d| {
                self.card_errors.lock().expect("card errors").push(d);
                String::new()
            }))
        };
        match self.card_html[id].get(depth) {
            Some(cell) => cell.get_or_init(render).clone(),
            None => render(),
        }
    }

    /// A list of cards, as a placeholder that names its content by hash:
    /// page data stays small and cheap to compare, and the list is pasted
    /// in (see `expand_lists`) only when the page is actually rendered.
    fn cards_html(&self, ids: impl IntoIterator<Item = EntryId>, url: &str) -> String {
        let depth = url.matches('/').count();
        let ids: Vec<EntryId> = ids.into_iter().collect();
        let key = cache::key(|h| {
            depth.hash(h);
            for &id in &ids {
                self.card_keys[id].hash(h);
            }
        });
        self.lists.lock().expect("lists").insert(key, (ids, depth));
        format!("{LIST_MARKER}{key:016x}-->")
    }

    /// Replaces list placeholders in rendered HTML with the cards they stand for.
    fn expand_lists(&self, html: String) -> String {
        if !html.contains(LIST_MARKER) {
            return html;
        }
        let lists = self.lists.lock().expect("lists");
        let mut out = String::with_capacity(html.len() * 2);
        let mut rest = html.as_str();
        while let Some(start) = rest.find(LIST_MARKER) {
            out.push_str(&rest[..start]);
            let after = &rest[start + LIST_MARKER.len()..];
            let key = after
                .get(..16)
                .and_then(|k| u64::from_str_radix(k, 16).ok());
            match key.and_then(|k| lists.get(&k)) {
                Some((ids, depth)) => {
                    for &id in ids {
                        out.push_str(&self.card_html(id, *depth));
                    }
                    rest = &after[16 + "-->".len()..];
                }
                None => {
                    out.push_str(LIST_MARKER);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn strings(&self, lang: &str) -> &Value {
        self.strings
            .get(lang)
            .unwrap_or(&self.strings[&self.site.config.language])
    }

    fn kind_label(&self, kind: Kind) -> String {
        let t = self.strings(&self.site.config.language);
        t.get(format!("kind_{}", kind.name()))
            .and_then(Value::as_str)
            .unwrap_or(kind.name())
            .to_string()
    }

    /// Compact "mentioned in" links; a common term can have thousands.
    fn backlinks_html(&self, ids: &[EntryId], url: &str) -> String {
        let root = root_prefix(url);
        let mut out = String::with_capacity(ids.len() * 120);
        for &id in ids {
            let e = &self.site.entries[id];
            out.push_str(&format!(
                "<li><span class=\"badge badge-{}\">{}</span> <a href=\"{root}{}index.html\">{}</a></li>",
                e.kind.name(),
                super::theme::escape_html(&self.kind_label(e.kind)),
                self.site.url(id),
                super::theme::escape_html(e.title())
            ));
        }
        out
    }

    /// The cards rendered this time, for the next render to reuse.
    fn card_cache(&self) -> CardCache {
        let mut out = HashMap::new();
        for (id, cells) in self.card_html.iter().enumerate() {
            for (depth, cell) in cells.iter().enumerate() {
                if let Some(html) = cell.get() {
                    out.insert((self.card_keys[id], depth), html.clone());
                }
            }
        }
        out
    }

    /// Renders the cards every list page will need, in parallel, up front.
    fn prewarm_cards(&self) {
        let listed: Vec<EntryId> = (0..self.site.entries.len())
            .filter(|&i| matches!(self.site.entries[i].kind, Kind::Story | Kind::Case))
            .collect();
        listed.par_iter().for_each(|&id| {
            for depth in [1, 2] {
                self.card_html(id, depth);
            }
        });
    }

    /// Renders every page into `sink`, in parallel, skipping pages whose
    /// inputs match the previous render. Returns the paths and the cache for
    /// the next render. Template errors are collected, each reported once.
    pub fn render_all(
        &self,
        sink: &dyn Sink,
        diags: &mut Diagnostics,
    ) -> (Vec<String>, PageKeys, CardCache, CardValues) {
        let t = std::time::Instant::now();
        self.prewarm_cards();
        let t_cards = t.elapsed();
        let mut shared = self.section_jobs();
        shared.extend(self.taxonomy_jobs());
        let t_shared = t.elapsed();
        let entries = self.site.entries.len();
        // Entry pages are built inside the parallel loop: building them is
        // half the work, and each is dropped as soon as it is written.
        let results: Vec<Result<(String, u64), Diagnostic>> = (0..entries + shared.len())
            .into_par_iter()
            .map(|i| {
                // An entry page's key comes from what it is made of, so an
                // unchanged page costs neither building nor hashing its data.
                let (path, key, job) = if i < entries {
                    let path = format!("{}index.html", self.site.url(i));
                    let key = self.entry_key(i);
                    let job =
                        (self.previous.pages.get(&path) != Some(&key)).then(|| self.entry_job(i));
                    (path, key, job.map(std::borrow::Cow::Owned))
                } else {
                    let job = &shared[i - entries];
                    let key = cache::key(|h| {
                        self.chrome_key.hash(h);
                        (job.template, &job.url, &job.lang).hash(h);
                        cache::hash_value(h, &job.page);
                    });
                    let path = format!("{}index.html", job.url);
                    (path, key, Some(std::borrow::Cow::Borrowed(job)))
                };
                let written = match job {
                    Some(job) if self.previous.pages.get(&path) != Some(&key) => {
                        sink.put(self.render(&job)?)
                    }
                    _ => sink.keep(&path),
                };
                written
                    .map_err(|e| Diagnostic::error(&path, 0, 0, format!("cannot write: {e}")))?;
                Ok((path, key))
            })
            .collect();
        if std::env::var_os("CAMPFIRE_TIMINGS").is_some() {
            eprintln!(
                "timings: cards {t_cards:?}, list jobs {:?}, pages {:?}",
                t_shared - t_cards,
                t.elapsed() - t_shared
            );
        }
        let mut page_keys = HashMap::with_capacity(results.len());
        let mut paths = Vec::with_capacity(results.len() + 1);
        let mut reported = std::collections::HashSet::new();
        let not_found = self.not_found().and_then(|f| {
            let path = f.path.clone();
            sink.put(f)
                .map(|()| path.clone())
                .map_err(|e| Diagnostic::error(&path, 0, 0, format!("cannot write: {e}")))
        });
        let card_errors: Vec<Diagnostic> = self
            .card_errors
            .lock()
            .expect("card errors")
            .drain(..)
            .collect();
        let results = results.into_iter().map(|r| {
            r.map(|(path, key)| {
                page_keys.insert(path.clone(), key);
                path
            })
        });
        for r in results
            .chain(std::iter::once(not_found))
            .chain(card_errors.into_iter().map(Err))
        {
            match r {
                Ok(p) => paths.push(p),
                // The same template error would otherwise repeat for every page.
                Err(d) => {
                    if reported.insert(d.message.clone()) {
                        diags.push(d);
                    }
                }
            }
        }
        (
            paths,
            page_keys,
            self.card_cache(),
            self.card_values.clone(),
        )
    }

    fn render(&self, job: &Job) -> Result<OutputFile, Diagnostic> {
        let mut cx = Context::new();
        cx.insert("root", &root_prefix(&job.url));
        cx.insert("url", &job.url);
        cx.insert("lang", &job.lang);
        cx.insert("site", &self.site_value);
        cx.insert("t", self.strings(&job.lang));
        cx.insert("page", &job.page);
        let html = self.expand_lists(self.theme.render(job.template, &cx)?);
        Ok(OutputFile {
            path: format!("{}index.html", job.url),
            contents: Contents::Bytes(html.into_bytes()),
        })
    }

    fn not_found(&self) -> Result<OutputFile, Diagnostic> {
        // 404.html is served at any depth, so its links are absolute from the site's path.
        let root = self
            .site
            .config
            .base_url
            .as_deref()
            .and_then(|u| u.split("://").nth(1))
            .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
            .map(|p| if p.ends_with('/') { p } else { format!("{p}/") })
            .unwrap_or_else(|| "/".to_string());
        let mut cx = Context::new();
        cx.insert("root", &root);
        cx.insert("url", "404.html");
        cx.insert("lang", &self.site.config.language);
        cx.insert("site", &self.site_value);
        cx.insert("t", self.strings(&self.site.config.language));
        cx.insert("page", &json!({"title": "Page not found"}));
        let html = self.theme.render("404.html", &cx)?;
        Ok(OutputFile {
            path: "404.html".into(),
            contents: Contents::Bytes(html.into_bytes()),
        })
    }

    fn cards(&self, ids: impl IntoIterator<Item = EntryId>) -> Vec<Value> {
        ids.into_iter().map(|i| (*self.cards[i]).clone()).collect()
    }

    /// Everything an entry's page is made of, hashed: its front matter and
    /// body, and the cards of every other entry it shows (path steps,
    /// mentioned and related terms, translations, back-links). Must cover
    /// all that `entry_job` reads; the incremental tests compare with full builds.
    fn entry_key(&self, id: EntryId) -> u64 {
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

    fn entry_job(&self, id: EntryId) -> Job {
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

    fn labels(&self, lang: &str) -> (String, String) {
        let t = self.strings(lang);
        let get = |k: &str, d: &str| t.get(k).and_then(Value::as_str).unwrap_or(d).to_string();
        (get("before", "Before"), get("after", "After"))
    }

    fn mentions(&self, id: EntryId) -> Vec<Value> {
        let r = &self.bodies.rendered[id];
        r.mentions
            .iter()
            .map(|&m| (*self.cards[self.bodies.glossary_terms[m]]).clone())
            .collect()
    }

    /// "Step 3 of 7 in <path>", with previous and next, for every path using this entry.
    fn path_nav(&self, id: EntryId) -> Vec<Value> {
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

    fn term_page(
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

    fn section_jobs(&self) -> Vec<Job> {
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
                "spotlight": spotlight.map(|t| (*self.cards[t]).clone()),
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

        // Stories with client-side filters.
        let facet = |values: Vec<(String, String)>| -> Vec<Value> {
            let mut counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
            for (id, name) in values {
                counts.entry(id).or_insert((name, 0)).1 += 1;
            }
            counts
                .into_iter()
                .map(|(id, (name, count))| json!({"id": id, "name": name, "count": count}))
                .collect()
        };
        let mut departments = Vec::new();
        let mut touchpoints = Vec::new();
        let mut values = Vec::new();
        let mut tags = Vec::new();
        for &i in &stories {
            if let Meta::Story(s) = &site.entries[i].meta {
                let name = site
                    .config
                    .department(&s.department)
                    .map_or(s.department.clone(), |d| d.name.clone());
                departments.push((s.department.clone(), name));
                touchpoints.extend(s.touchpoints.iter().map(|t| (t.clone(), humanize(t))));
                values.extend(s.values.iter().map(|v| (v.clone(), humanize(v))));
                tags.extend(s.tags.iter().map(|t| (tag_slug(t), t.clone())));
            }
        }
        jobs.push(Job {
            url: "stories/".into(),
            template: "stories.html",
            lang: default.clone(),
            page: json!({
                "title": "Stories",
                "stories_html": self.cards_html(stories.iter().copied(), "stories/"),
                "count": stories.len(),
                "filters": [
                    {"key": "department", "items": facet(departments)},
                    {"key": "touchpoint", "items": facet(touchpoints)},
                    {"key": "value", "items": facet(values)},
                    {"key": "tag", "items": facet(tags)},
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
                url: format!("{}glossary/", lang_prefix(lang, &default)),
                template: "glossary.html",
                lang: lang.to_string(),
                page: json!({"title": "Glossary", "letters": self.glossary_letters(&terms), "count": terms.len(),
                    "languages": site.config.all_languages().iter().filter(|l| **l == default || site.ids(Kind::Term).any(|i| site.entries[i].lang == **l))
                        .map(|l| json!({"lang": l, "name": language_name(l), "href": format!("{}glossary/index.html", lang_prefix(l, &default)), "current": *l == lang})).collect::<Vec<_>>()}),
            });
        }

        jobs.push(Job {
            url: "cases/".into(),
            template: "cases.html",
            lang: default.clone(),
            page: json!({"title": "Case studies", "cases_html": self.cards_html(site.ids(Kind::Case), "cases/")}),
        });
        jobs.push(Job {
            url: "paths/".into(),
            template: "paths.html",
            lang: default.clone(),
            page: json!({"title": "Training paths", "paths": self.cards(site.ids(Kind::Path))}),
        });
        for id in site.ids(Kind::Path) {
            let Meta::Path(p) = &site.entries[id].meta else {
                continue;
            };
            let url = format!("{}print/", site.url(id));
            let b = self.bodies;
            let embed = |target: EntryId, prefix: &str| {
                super::bodies::render_entry(
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
                    Some(json!({"number": i + 1, "note": s.note, "item": *self.cards[target], "html": html}))
                })
                .collect();
            let mut page = (*self.cards[id]).clone();
            page["path_steps"] = json!(steps);
            page["path_href"] = json!(format!("{}index.html", site.url(id)));
            page["html"] = json!(embed(id, "intro-"));
            jobs.push(Job {
                url,
                template: "path_print.html",
                lang: default.clone(),
                page,
            });
        }
        jobs.push(Job {
            url: "journey/".into(),
            template: "journey.html",
            lang: default.clone(),
            page: json!({"title": "Customer journey", "stages": self.journey()}),
        });
        if self.theme.has_template("search.html") {
            jobs.push(Job {
                url: "search/".into(),
                template: "search.html",
                lang: default,
                page: json!({"title": "Search"}),
            });
        }
        jobs
    }

    fn glossary_letters(&self, terms: &[EntryId]) -> Vec<Value> {
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
    fn journey(&self) -> Vec<Value> {
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
                        json!({"id": t, "name": humanize(t), "href": format!("touchpoints/{t}/index.html"), "stories": stories, "cases": cases})
                    })
                    .collect();
                json!({"number": n + 1, "stage": stage.stage, "touchpoints": touchpoints})
            })
            .collect()
    }

    fn taxonomy_jobs(&self) -> Vec<Job> {
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
        let taxonomy = |key: &str,
                        items: Vec<(String, String, Vec<EntryId>, Vec<EntryId>)>,
                        jobs: &mut Vec<Job>| {
            let index: Vec<Value> = items
                .iter()
                .map(|(id, name, entries, terms)| json!({"id": id, "name": name, "href": format!("{id}/index.html"), "count": entries.len() + terms.len()}))
                .collect();
            jobs.push(Job {
                url: format!("{key}/"),
                template: "taxonomy.html",
                lang: default.clone(),
                page: json!({"taxonomy": key, "items": index}),
            });
            for (id, name, entries, terms) in items {
                jobs.push(Job {
                    url: format!("{key}/{id}/"),
                    template: "taxonomy_item.html",
                    lang: default.clone(),
                    page: json!({"taxonomy": key, "id": id, "title": name, "count": entries.len(),
                        "entries_html": self.cards_html(entries, &format!("{key}/{id}/")),
                        "terms_count": terms.len(), "terms_html": self.cards_html(terms, &format!("{key}/{id}/"))}),
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
        taxonomy("departments", departments, &mut jobs);
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
        taxonomy("touchpoints", touchpoints, &mut jobs);
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
        taxonomy("values", values, &mut jobs);
        let tags = by_tag
            .into_iter()
            .map(|(id, (name, entries))| (id, name, entries, Vec::new()))
            .collect();
        taxonomy("tags", tags, &mut jobs);
        jobs
    }
}

/// A tag's URL segment. Tags repeat across thousands of entries, and
/// slugifying (transliteration included) is not free, so results are kept.
fn tag_slug(tag: &str) -> String {
    thread_local! {
        static SLUGS: std::cell::RefCell<HashMap<String, String>> = std::cell::RefCell::new(HashMap::new());
    }
    SLUGS.with(|cache| {
        if let Some(s) = cache.borrow().get(tag) {
            return s.clone();
        }
        let s = slug::slugify(tag);
        cache.borrow_mut().insert(tag.to_string(), s.clone());
        s
    })
}

fn lang_prefix(lang: &str, default: &str) -> String {
    if lang == default {
        String::new()
    } else {
        format!("{lang}/")
    }
}

/// Case- and accent-insensitive sort key ("Ética" sorts with "E").
fn sort_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

fn initial(name: &str) -> String {
    match sort_key(name).chars().next() {
        Some(c) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
        Some(c) if c.is_alphabetic() => c.to_uppercase().to_string(),
        _ => "#".into(),
    }
}

/// What lists show about an entry; also the base of its own page's context.
fn card(site: &Site, bodies: &Bodies, id: EntryId) -> Value {
    let e = &site.entries[id];
    let r = &bodies.rendered[id];
    let summary = e
        .summary()
        .map(str::to_string)
        .unwrap_or_else(|| truncate_words(&r.first_paragraph, 40));
    let named = |kind: &str, id: &str, name: String| json!({"id": id, "name": name, "href": format!("{kind}/{id}/index.html")});
    let mut card = json!({
        "kind": e.kind,
        "slug": e.slug,
        "lang": e.lang,
        "title": e.title(),
        "href": format!("{}index.html", site.url(id)),
        "summary": summary,
        "date": e.date().map(|d| d.format("%-d %B %Y").to_string()),
        "date_iso": e.date().map(|d| d.to_string()),
        "touchpoints": e.touchpoints().iter().map(|t| named("touchpoints", t, humanize(t))).collect::<Vec<_>>(),
        "tags": e.tags().iter().map(|t| named("tags", &tag_slug(t), t.clone())).collect::<Vec<_>>(),
    });
    if let Meta::Story(s) = &e.meta {
        let dept = site
            .config
            .department(&s.department)
            .map_or(s.department.clone(), |d| d.name.clone());
        card["department"] = named("departments", &s.department, dept);
        card["values"] = json!(
            s.values
                .iter()
                .map(|v| named("values", v, humanize(v)))
                .collect::<Vec<_>>()
        );
        card["featured"] = json!(s.featured);
        card["author"] = json!(s.author);
    }
    if let Meta::Term(t) = &e.meta {
        card["aliases"] = json!(t.aliases);
    }
    if let Meta::Path(p) = &e.meta {
        card["step_count"] = json!(p.steps.len());
        card["audience"] = json!(p.audience);
        card["duration"] = json!(p.duration);
    }
    if let Meta::Case(c) = &e.meta {
        card["organization"] = json!(c.organization);
    }
    card
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(humanize("mobile-app"), "Mobile app");
        assert_eq!(truncate_words("one two three", 2), "one two…");
        assert_eq!(truncate_words("one two", 2), "one two");
        assert_eq!(initial("Ética"), "E");
        assert_eq!(initial("24/7"), "#");
        assert_eq!(sort_key("Ação"), "acao");
    }
}
