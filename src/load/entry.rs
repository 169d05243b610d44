//! The typed content entries, parsed from front matter.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_yaml::{Mapping, Value};

use super::frontmatter::locate;
use crate::diagnostics::{Diagnostic, Diagnostics};

/// The content types, one per folder under `content/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Story,
    Term,
    Case,
    Path,
    Page,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Story, Kind::Term, Kind::Case, Kind::Path, Kind::Page];

    /// Folder under `content/`, which is also the URL section.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Story => "stories",
            Kind::Term => "glossary",
            Kind::Case => "cases",
            Kind::Path => "paths",
            Kind::Page => "pages",
        }
    }

    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    /// The key a training-path step uses for this kind (`story: slug`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Story => "story",
            Kind::Term => "term",
            Kind::Case => "case",
            Kind::Path => "path",
            Kind::Page => "page",
        }
    }

    /// Front matter keys this kind accepts, beyond `draft` and `autolink`.
    fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Story => &[
                "title",
                "date",
                "author",
                "department",
                "touchpoints",
                "values",
                "tags",
                "customer",
                "outcome",
                "summary",
                "featured",
            ],
            Kind::Term => &["term", "aliases", "short", "lenses", "related"],
            Kind::Case => &[
                "title",
                "date",
                "organization",
                "industry",
                "touchpoints",
                "tags",
                "summary",
                "metrics",
            ],
            Kind::Path => &["title", "steps", "audience", "duration", "summary"],
            Kind::Page => &["title", "weight", "menu", "summary"],
        }
    }

    pub(super) fn required(self) -> &'static [&'static str] {
        match self {
            Kind::Story => &["title", "date", "author", "department"],
            Kind::Term => &["term"],
            Kind::Case => &["title", "date", "organization"],
            Kind::Path => &["title", "steps"],
            Kind::Page => &["title"],
        }
    }
}

/// One Markdown file under `content/`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: Kind,
    /// File name without extension (and without the language suffix);
    /// for pages, the path under `pages/`, e.g. `guides/workshop`.
    pub slug: String,
    /// Language of the text; only glossary translations differ from the site's.
    pub lang: String,
    /// Relative to the site root, e.g. `content/stories/snow.md`.
    pub source: PathBuf,
    pub body: String,
    /// Line of the file where `body` starts, for messages about the Markdown.
    pub body_line: usize,
    pub draft: bool,
    /// `autolink: false` keeps glossary links out of this entry.
    pub autolink: bool,
    pub meta: Meta,
    /// The raw front matter, kept to point at values in later messages.
    pub front_matter: String,
    pub front_matter_line: usize,
    /// Hash of the whole file's text, computed once when it is parsed:
    /// rebuilds compare it instead of hashing every body again.
    pub text_hash: u64,
}

impl Entry {
    pub fn title(&self) -> &str {
        match &self.meta {
            Meta::Story(s) => &s.title,
            Meta::Term(t) => &t.term,
            Meta::Case(c) => &c.title,
            Meta::Path(p) => &p.title,
            Meta::Page(p) => &p.title,
        }
    }

    pub fn date(&self) -> Option<NaiveDate> {
        match &self.meta {
            Meta::Story(s) => Some(s.date),
            Meta::Case(c) => Some(c.date),
            _ => None,
        }
    }

    /// An explicit `summary`, when front matter has one.
    pub fn summary(&self) -> Option<&str> {
        match &self.meta {
            Meta::Story(s) => s.summary.as_deref(),
            Meta::Term(t) => t.short.as_deref(),
            Meta::Case(c) => c.summary.as_deref(),
            Meta::Path(p) => p.summary.as_deref(),
            Meta::Page(p) => p.summary.as_deref(),
        }
    }

    pub fn touchpoints(&self) -> &[String] {
        match &self.meta {
            Meta::Story(s) => &s.touchpoints,
            Meta::Case(c) => &c.touchpoints,
            _ => &[],
        }
    }

    pub fn tags(&self) -> &[String] {
        match &self.meta {
            Meta::Story(s) => &s.tags,
            Meta::Case(c) => &c.tags,
            _ => &[],
        }
    }

    /// (line, column) of a front matter value, for messages.
    pub fn locate(&self, key: &str, needle: Option<&str>) -> (usize, usize) {
        locate(&self.front_matter, self.front_matter_line, key, needle)
    }

    pub fn error_at(
        &self,
        key: &str,
        needle: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, col) = self.locate(key, needle);
        Diagnostic::error(&self.source, line, col, message)
    }
}

#[derive(Debug, Clone)]
pub enum Meta {
    Story(Story),
    Term(Term),
    Case(Case),
    Path(TrainingPath),
    Page(Page),
}

#[derive(Debug, Clone, Serialize)]
pub struct Story {
    pub title: String,
    pub date: NaiveDate,
    pub author: String,
    pub department: String,
    pub touchpoints: Vec<String>,
    pub values: Vec<String>,
    pub tags: Vec<String>,
    pub customer: Option<String>,
    pub outcome: Option<String>,
    pub summary: Option<String>,
    pub featured: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub term: String,
    pub aliases: Vec<String>,
    pub short: Option<String>,
    /// Department id → what the term means there.
    pub lenses: BTreeMap<String, String>,
    pub related: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Case {
    pub title: String,
    pub date: NaiveDate,
    pub organization: String,
    pub industry: Option<String>,
    pub touchpoints: Vec<String>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub name: String,
    pub before: f64,
    pub after: f64,
    #[serde(default)]
    pub unit: Option<String>,
    pub better: Better,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainingPath {
    pub title: String,
    pub steps: Vec<Step>,
    pub audience: Option<String>,
    pub duration: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub kind: Kind,
    pub slug: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub title: String,
    pub weight: i64,
    pub menu: bool,
    pub summary: Option<String>,
}

/// Reads typed fields out of a front matter mapping, recording every problem
/// with its position instead of stopping at the first.
pub(super) struct Fields<'a> {
    map: Mapping,
    yaml: &'a str,
    yaml_line: usize,
    source: &'a PathBuf,
    pub diags: Diagnostics,
}

impl<'a> Fields<'a> {
    pub fn new(map: Mapping, yaml: &'a str, yaml_line: usize, source: &'a PathBuf) -> Self {
        Fields {
            map,
            yaml,
            yaml_line,
            source,
            diags: Diagnostics::new(),
        }
    }

    fn err(&mut self, key: &str, message: String) {
        let (line, col) = locate(self.yaml, self.yaml_line, key, None);
        self.diags.error(self.source, line, col, message);
    }

    fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// Reports keys this kind does not know; `check` treats them as errors.
    pub fn unknown_keys(&mut self, kind: Kind) {
        let known: Vec<&str> = kind
            .keys()
            .iter()
            .copied()
            .chain(["draft", "autolink"])
            .collect();
        for key in self.map.keys() {
            let name = match key {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            };
            if !known.contains(&name.as_str()) {
                let (line, col) = locate(self.yaml, self.yaml_line, &name, None);
                let hint = match crate::diagnostics::did_you_mean(&name, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("a {} accepts: {}", kind.name(), known.join(", ")),
                };
                self.diags.warning(
                    self.source,
                    line,
                    col.saturating_sub(name.len() + 2).max(1),
                    format!("unknown key `{name}` ({hint})"),
                );
            }
        }
    }

    pub fn required_missing(&mut self, kind: Kind) {
        for key in kind.required() {
            if !matches!(self.map.get(*key), Some(v) if !v.is_null()) {
                let example = match *key {
                    "date" => format!("date: {}", chrono::Local::now().format("%Y-%m-%d")),
                    "department" => "department: <an id from site.yaml>".to_string(),
                    "steps" => "steps: [{ story: some-story-slug }]".to_string(),
                    k => format!("{k}: ..."),
                };
                self.diags.error(
                    self.source,
                    self.yaml_line.saturating_sub(1).max(1),
                    1,
                    format!("missing required field `{key}` in this {} (add `{example}` to the front matter)", kind.name()),
                );
            }
        }
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.take(key)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => {
                self.err(key, format!("`{key}` must be text (put it in quotes)"));
                None
            }
        }
    }

    pub fn required_string(&mut self, key: &str) -> String {
        self.string(key).unwrap_or_default()
    }

    pub fn bool(&mut self, key: &str, default: bool) -> bool {
        match self.take(key) {
            None => default,
            Some(Value::Bool(b)) => b,
            Some(_) => {
                self.err(key, format!("`{key}` must be true or false"));
                default
            }
        }
    }

    pub fn int(&mut self, key: &str) -> i64 {
        match self.take(key) {
            None => 0,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().unwrap_or(0),
            Some(_) => {
                self.err(key, format!("`{key}` must be a whole number"));
                0
            }
        }
    }

    /// A list of text; a single string is accepted as a one-item list.
    pub fn list(&mut self, key: &str) -> Vec<String> {
        match self.take(key) {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s],
            Some(Value::Sequence(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s),
                        Value::Number(n) => out.push(n.to_string()),
                        _ => self.err(key, format!("every item of `{key}` must be text")),
                    }
                }
                out
            }
            Some(_) => {
                self.err(key, format!("`{key}` must be a list, like `{key}: [a, b]`"));
                Vec::new()
            }
        }
    }

    pub fn date(&mut self, key: &str) -> NaiveDate {
        let fallback = NaiveDate::default();
        let Some(text) = self.string(key) else {
            return fallback;
        };
        match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            Ok(d) => d,
            Err(_) => {
                self.err(
                    key,
                    format!(
                        "`{key}: {text}` is not a date: write it as YYYY-MM-DD, e.g. 2026-03-14"
                    ),
                );
                fallback
            }
        }
    }

    pub fn string_map(&mut self, key: &str) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        match self.take(key) {
            None => {}
            Some(Value::Mapping(m)) => {
                for (k, v) in m {
                    match (k, v) {
                        (Value::String(k), Value::String(v)) => {
                            out.insert(k, v);
                        }
                        _ => self.err(key, format!("`{key}` must map department ids to text")),
                    }
                }
            }
            Some(_) => self.err(
                key,
                format!("`{key}` must be a map, like `{key}: {{ it: \"…\" }}`"),
            ),
        }
        out
    }

    pub fn metrics(&mut self) -> Vec<Metric> {
        let Some(v) = self.take("metrics") else {
            return Vec::new();
        };
        match serde_yaml::from_value::<Vec<Metric>>(v) {
            Ok(m) => m,
            Err(e) => {
                self.err(
                    "metrics",
                    format!(
                        "invalid `metrics`: {e} (each metric is {{ name, before, after, unit?, better: higher|lower }})"
                    ),
                );
                Vec::new()
            }
        }
    }

    pub fn steps(&mut self) -> Vec<Step> {
        let Some(v) = self.take("steps") else {
            return Vec::new();
        };
        let Value::Sequence(items) = v else {
            self.err(
                "steps",
                "`steps` must be a list of `- story: slug` (or term/case/page) items".into(),
            );
            return Vec::new();
        };
        let mut steps = Vec::new();
        for item in items {
            let Value::Mapping(m) = item else {
                self.err(
                    "steps",
                    "each step must be like `- story: slug` with an optional `note:`".into(),
                );
                continue;
            };
            let mut target = None;
            let mut note = None;
            let mut ok = true;
            for (k, v) in m {
                let (Value::String(k), Value::String(v)) = (k, v) else {
                    ok = false;
                    continue;
                };
                match k.as_str() {
                    "note" => note = Some(v),
                    "story" | "term" | "case" | "page" if target.is_none() => {
                        let kind = Kind::ALL
                            .into_iter()
                            .find(|kind| kind.name() == k)
                            .unwrap_or(Kind::Page);
                        target = Some((kind, v));
                    }
                    _ => ok = false,
                }
            }
            match target {
                Some((kind, slug)) if ok => steps.push(Step { kind, slug, note }),
                _ => self.err(
                    "steps",
                    "each step names exactly one of `story`, `term`, `case` or `page`, plus an optional `note`".into(),
                ),
            }
        }
        steps
    }
}

pub(super) fn required_keys(kind: Kind) -> &'static [&'static str] {
    kind.required()
}
