//! The typed content entries, parsed from front matter.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::frontmatter::locate;
use super::schema::de;
use crate::diagnostics::Diagnostic;

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
}

/// Text of an entry's file that a one-off build frees once nothing reads
/// it. The Markdown body is freed once rendered, unless a page renders it
/// again (see `render::bodies::render_bodies`): the sources of 100,000
/// stories are some 350 MB. The raw front matter is freed once linked.
#[derive(Debug, Default)]
pub struct Body(std::sync::RwLock<Option<String>>);

impl Body {
    pub fn new(text: String) -> Body {
        Body(std::sync::RwLock::new(Some(text)))
    }

    /// Reads the body.
    ///
    /// # Panics
    /// After [`Body::release`]: a page that renders a body again must keep it.
    pub fn with<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        let text = self.0.read().unwrap_or_else(|e| e.into_inner());
        f(text
            .as_deref()
            .expect("an entry's body is read after it was released"))
    }

    /// Reads the text, if it was not released.
    pub fn try_with<R>(&self, f: impl FnOnce(&str) -> R) -> Option<R> {
        let text = self.0.read().unwrap_or_else(|e| e.into_inner());
        text.as_deref().map(f)
    }

    /// Frees the text: nothing will render this body again.
    pub fn release(&self) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl Clone for Body {
    fn clone(&self) -> Body {
        Body(std::sync::RwLock::new(
            self.0.read().unwrap_or_else(|e| e.into_inner()).clone(),
        ))
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
    pub body: Body,
    /// Line of the file where `body` starts, for messages about the Markdown.
    pub body_line: usize,
    pub draft: bool,
    /// `autolink: false` keeps glossary links out of this entry.
    pub autolink: bool,
    /// `updated:` from the front matter.
    pub updated: Option<NaiveDate>,
    /// `discuss:` questions, shown on the last slide of the present view.
    pub discuss: Vec<String>,
    /// `moved_from:` the files this entry was once, as written (`snow.md`,
    /// relative to this file): their old addresses lead here (see
    /// `link::moves`).
    pub moved_from: Vec<String>,
    pub meta: Meta,
    /// The raw front matter, kept to point at values in later messages (a
    /// one-off build frees it once linked: rendering reports nothing at a
    /// front matter value, and it is 60 MB at 100,000 stories).
    pub front_matter: Body,
    pub front_matter_line: usize,
    /// Hash of the whole file's text, computed once when it is parsed:
    /// rebuilds compare it instead of hashing every body again.
    pub text_hash: u64,
    /// Hash of the front matter's text alone: what lists show of an entry
    /// beyond its card comes from there, never from the body.
    pub front_matter_hash: u64,
}

impl Entry {
    /// The source's path as its bytes, for hashing it into a key: `Path`'s
    /// own hash walks its components, which showed in every save's keys
    /// and in the recorded answers (a common term's "mentioned in" names
    /// thousands of entries).
    pub fn source_bytes(&self) -> &std::ffi::OsStr {
        self.source.as_os_str()
    }

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

    /// [`Entry::summary`], shared with the entry where it can be (cards
    /// show it too: a hundred thousand stories' summaries are some 20 MB).
    pub fn shared_summary(&self) -> Option<Arc<str>> {
        match &self.meta {
            Meta::Story(s) => s.summary.clone(),
            Meta::Term(t) => t.short.as_deref().map(Arc::from),
            Meta::Case(c) => c.summary.clone(),
            Meta::Path(p) => p.summary.clone(),
            Meta::Page(p) => p.summary.clone(),
        }
    }

    pub fn touchpoints(&self) -> &[String] {
        match &self.meta {
            Meta::Story(s) => &s.touchpoints,
            Meta::Case(c) => &c.touchpoints,
            _ => &[],
        }
    }

    /// The departments an entry is for: a story's own, a case's or a path's list.
    pub fn departments(&self) -> &[String] {
        match &self.meta {
            Meta::Story(s) => std::slice::from_ref(&s.department),
            Meta::Case(c) => &c.departments,
            Meta::Path(p) => &p.departments,
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
    /// After the front matter was freed, its first line.
    pub fn locate(&self, key: &str, needle: Option<&str>) -> (usize, usize) {
        self.front_matter
            .try_with(|yaml| locate(yaml, self.front_matter_line, key, needle))
            .unwrap_or((self.front_matter_line, 1))
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

// The front matter schema: one serde struct per content type. Field names are
// the YAML keys; a field without `default` is required (see
// `schema::required_fields`); `de::*` turn each value into its type with the
// error messages champions see. `Default` and `Serialize` let the schema be
// probed for its required keys instead of listing them a second time.

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Story {
    #[serde(deserialize_with = "de::text")]
    pub title: String,
    #[serde(deserialize_with = "de::date")]
    pub date: NaiveDate,
    #[serde(deserialize_with = "de::text")]
    pub author: String,
    #[serde(deserialize_with = "de::text")]
    pub department: String,
    #[serde(default, deserialize_with = "de::list")]
    pub touchpoints: Vec<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub values: Vec<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub customer: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub outcome: Option<String>,
    #[serde(default, deserialize_with = "de::opt_shared_text")]
    pub summary: Option<Arc<str>>,
    #[serde(default, deserialize_with = "de::flag")]
    pub featured: bool,
    /// Who was recognised, if not (only) the author: person ids or names
    /// of teams and colleagues.
    #[serde(default, deserialize_with = "de::list")]
    pub recognized: Vec<String>,
    /// A photo shown on the story's card and page, relative to the story's
    /// file (`cover: snow.jpg`).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub cover: Option<String>,
}

impl Entry {
    /// A story's cover image, root-relative (`content/stories/snow.jpg`).
    pub fn cover(&self) -> Option<PathBuf> {
        let Meta::Story(s) = &self.meta else {
            return None;
        };
        let cover = s.cover.as_deref()?;
        let dir = self.source.parent().unwrap_or(std::path::Path::new(""));
        Some(crate::render::markdown::normalize(&dir.join(cover)))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    #[serde(deserialize_with = "de::text")]
    pub term: String,
    #[serde(default, deserialize_with = "de::list")]
    pub aliases: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub short: Option<String>,
    /// Department id → what the term means there.
    #[serde(default, deserialize_with = "de::text_map")]
    pub lenses: BTreeMap<String, String>,
    #[serde(default, deserialize_with = "de::list")]
    pub related: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    #[serde(deserialize_with = "de::text")]
    pub title: String,
    #[serde(deserialize_with = "de::date")]
    pub date: NaiveDate,
    #[serde(deserialize_with = "de::text")]
    pub organization: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub industry: Option<String>,
    /// Departments this case is for (ids from site.yaml): listed on their pages.
    #[serde(default, deserialize_with = "de::list")]
    pub departments: Vec<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub touchpoints: Vec<String>,
    #[serde(default, deserialize_with = "de::list")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_shared_text")]
    pub summary: Option<Arc<str>>,
    #[serde(default, deserialize_with = "de::metrics")]
    pub metrics: Vec<Metric>,
}

/// `before` and `after` are always finite (`.nan` and `.inf` are refused at
/// load) but may be as large as `f64::MAX`: arithmetic on them must not
/// overflow (use [`Metric::delta`] for the change; scale before dividing).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub name: String,
    #[serde(deserialize_with = "de::finite")]
    pub before: f64,
    #[serde(deserialize_with = "de::finite")]
    pub after: f64,
    #[serde(default)]
    pub unit: Option<String>,
    pub better: Better,
}

impl Metric {
    /// `after - before`, always finite: two values near `f64::MAX` of
    /// opposite signs would otherwise subtract to infinity.
    pub fn delta(&self) -> f64 {
        (self.after - self.before).clamp(-f64::MAX, f64::MAX)
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingPath {
    #[serde(deserialize_with = "de::text")]
    pub title: String,
    #[serde(deserialize_with = "de::steps")]
    pub steps: Vec<Step>,
    /// Departments this path is for (ids from site.yaml): listed on their pages.
    #[serde(default, deserialize_with = "de::list")]
    pub departments: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub audience: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub duration: Option<String>,
    #[serde(default, deserialize_with = "de::opt_shared_text")]
    pub summary: Option<Arc<str>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub kind: Kind,
    pub slug: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(deserialize_with = "de::text")]
    pub title: String,
    #[serde(default, deserialize_with = "de::int")]
    pub weight: i64,
    /// In the main menu: only pages that ask (`menu: true`).
    #[serde(default, deserialize_with = "de::flag")]
    pub menu: bool,
    #[serde(default, deserialize_with = "de::opt_shared_text")]
    pub summary: Option<Arc<str>>,
}

/// Keys every content type accepts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Common {
    #[serde(default, deserialize_with = "de::flag")]
    pub draft: bool,
    /// `autolink: false` keeps glossary links out of this entry.
    #[serde(default = "de::yes", deserialize_with = "de::flag")]
    pub autolink: bool,
    /// When the entry was last revised (freshness on `/coverage/`).
    #[serde(default, deserialize_with = "de::opt_date")]
    pub updated: Option<NaiveDate>,
    /// Questions for the room: the last slide of the entry's present view.
    #[serde(default, deserialize_with = "de::list")]
    pub discuss: Vec<String>,
    /// Files this entry was before it was renamed or moved (`snow.md`):
    /// bookmarks and links to their pages are sent on here.
    #[serde(default, deserialize_with = "de::list")]
    pub moved_from: Vec<String>,
}

#[cfg(test)]
mod body_tests {
    use super::Body;

    #[test]
    fn a_freed_front_matter_still_places_messages_at_its_first_line() {
        let config = crate::config::SiteConfig::parse("title: T\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("content/stories/s.md");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(
            &file,
            "---\ntitle: S\ndate: 2026-01-01\nauthor: A\ndepartment: it\n---\nText.\n",
        )
        .unwrap();
        let e = crate::load::parse_file(dir.path(), std::path::Path::new("stories/s.md"), &config)
            .entry
            .unwrap();
        assert_eq!(e.locate("author", None), (4, 9));
        e.front_matter.release();
        assert_eq!(e.front_matter.try_with(str::len), None);
        assert_eq!(e.locate("author", None), (e.front_matter_line, 1));
    }

    #[test]
    fn a_released_body_is_gone_and_a_copy_keeps_its_own() {
        let body = Body::new("# Snow\n".to_string());
        let copy = body.clone();
        assert_eq!(body.with(str::len), 7);
        body.release();
        assert!(std::panic::catch_unwind(|| body.with(|_| ())).is_err());
        assert_eq!(copy.with(str::to_string), "# Snow\n");
    }
}
