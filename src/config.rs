//! `site.yaml`: the site's title and the vocabularies front matter refers to.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;
use crate::load::frontmatter;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Absolute URL of the published site; only the feed and sitemap need it.
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub departments: Vec<Department>,
    #[serde(default)]
    pub journey: Vec<Stage>,
    #[serde(default)]
    pub values: Vec<String>,
    /// How many stories the Atom feed carries.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// Cards per page of a list (stories, cases, a department's entries…);
    /// compact lists (the glossary index, "mentioned in", taxonomy
    /// indexes) show [`COMPACT_FACTOR`] times as many.
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// The site's tags, written as they should be shown (`[Winter storms,
    /// Callbacks]`). When given, a story's tag must be one of them (matched
    /// by its address, so `winter-storms` is `Winter storms`).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// The listed tags by their address (`winter-storms` → `Winter storms`).
    #[serde(skip)]
    pub tag_names: BTreeMap<String, String>,
    /// Overrides of the theme's UI strings, per language: `strings: { pt: { mentioned_in: "…" } }`.
    #[serde(default)]
    pub strings: BTreeMap<String, BTreeMap<String, String>>,
    /// The people stories are by (a story's `author` may be one's id).
    #[serde(default)]
    pub people: Vec<Person>,
    /// How `/coverage/` and `campfire report` judge the site.
    #[serde(default)]
    pub coverage: CoverageConfig,
    /// Names of departments, touchpoints, values and journey stages per
    /// language, by id (a stage by its name): `names: { pt: { logistics: Logística } }`.
    /// An id that two kinds share is named for one kind as `<kind>.<id>`
    /// (`touchpoint.billing: Fatura`, see [`Named`]).
    #[serde(default)]
    pub names: BTreeMap<String, BTreeMap<String, String>>,
}

/// Someone whose stories the site tells: `/people/<id>/`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    /// A department id from `departments`.
    #[serde(default)]
    pub department: Option<String>,
    /// An image under `content/`, e.g. `people/marta.jpg`.
    #[serde(default)]
    pub photo: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CoverageConfig {
    /// An entry not updated for this many days is listed as stale.
    #[serde(default = "default_stale_after_days")]
    pub stale_after_days: u32,
}

impl Default for CoverageConfig {
    fn default() -> Self {
        CoverageConfig {
            stale_after_days: default_stale_after_days(),
        }
    }
}

fn default_stale_after_days() -> u32 {
    365
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub stage: String,
    #[serde(default)]
    pub touchpoints: Vec<Touchpoint>,
}

/// A touchpoint of the journey: an id (`delivery`), or an id with its
/// service-blueprint rows (`{ id: delivery, customer: …, backstage: […],
/// systems: […], visible: … }`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields, remote = "Self")]
pub struct Touchpoint {
    pub id: String,
    /// What the customer does here.
    #[serde(default)]
    pub customer: Option<String>,
    /// The departments (ids) behind it, out of the customer's sight.
    #[serde(default)]
    pub backstage: Vec<String>,
    /// The systems and processes that support it.
    #[serde(default)]
    pub systems: Vec<String>,
    /// What the customer can see of the back end (tracking, status pages).
    #[serde(default)]
    pub visible: Option<String>,
}

impl<'de> Deserialize<'de> for Touchpoint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = Touchpoint;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a touchpoint id, or `{ id: …, customer: …, backstage: [...], systems: [...], visible: … }`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Touchpoint, E> {
                Ok(Touchpoint {
                    id: v.to_string(),
                    ..Touchpoint::default()
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Touchpoint, A::Error> {
                Touchpoint::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_any(Either)
    }
}

impl Serialize for Touchpoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Touchpoint::serialize(self, s)
    }
}

impl Touchpoint {
    /// Whether any blueprint row is filled in.
    pub fn has_blueprint(&self) -> bool {
        self.customer.is_some()
            || !self.backstage.is_empty()
            || !self.systems.is_empty()
            || self.visible.is_some()
    }
}

fn default_language() -> String {
    "en".into()
}

fn default_feed_limit() -> usize {
    20
}

fn default_page_size() -> usize {
    50
}

/// A compact list (one line per item) holds this many page sizes per page.
pub const COMPACT_FACTOR: usize = 6;

pub use crate::paths::CONFIG_FILE;

impl SiteConfig {
    /// Reads and checks `ROOT/site.yaml`.
    pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        // Said apart from "no site.yaml here": the fix is in the command, not the site.
        crate::load::check_root(root)
            .map_err(|message| vec![Diagnostic::error(root, 0, 0, message)])?;
        let path = root.join(CONFIG_FILE);
        let bytes = std::fs::read(&path).map_err(|e| {
            vec![Diagnostic::error(
                CONFIG_FILE,
                0,
                0,
                format!(
                    "cannot read the site configuration: {e} (is {} a Campfire site? `campfire init DIR` creates one)",
                    root.display()
                ),
            )]
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            vec![Diagnostic::error(
                CONFIG_FILE,
                0,
                0,
                format!(
                    "not valid UTF-8 (byte {}): save the file as UTF-8",
                    e.utf8_error().valid_up_to()
                ),
            )]
        })?;
        let config = Self::parse(&text)?;
        // A photo that is not there would show as a broken image.
        let missing: Vec<Diagnostic> = config
            .people
            .iter()
            .filter_map(|p| Some((p, p.photo.as_ref()?)))
            .filter(|(_, photo)| !root.join(crate::paths::CONTENT_DIR).join(photo).is_file())
            .map(|(p, photo)| {
                let (line, col) =
                    frontmatter::value_position(&text, "photo", photo, 0).unwrap_or((0, 0));
                Diagnostic::error(
                    CONFIG_FILE,
                    line,
                    col,
                    format!(
                        "photo of \"{}\" not found: put the image at content/{photo} or fix the path",
                        p.id
                    ),
                )
            })
            .collect();
        if missing.is_empty() {
            Ok(config)
        } else {
            Err(missing)
        }
    }

    pub fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        let text = text.trim_start_matches('\u{feff}');
        let config: SiteConfig = serde_yaml::from_str(text).map_err(|e| {
            let (mut line, mut col) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            let mut message = format!("invalid configuration: {e}");
            let plain = e.to_string();
            let plain = plain.split(" at line ").next().unwrap_or(&plain);
            // The parser reports a repeated key where its mapping starts.
            if let Some(key) = frontmatter::duplicate_key_in(plain) {
                (line, col) =
                    frontmatter::duplicate_key_after(text, &key, line).unwrap_or((line, col));
                message = format!("`{key}` is given twice: keep one of them");
            }
            vec![Diagnostic::error(CONFIG_FILE, line, col, message)]
        })?;
        let mut config = config;
        config.tag_names = config
            .tags
            .iter()
            .flatten()
            .map(|t| (slug::slugify(t), t.clone()))
            .collect();
        let problems = config.validate(text);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn validate(&self, text: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut err = |at: Option<(usize, usize)>, message: String| {
            let (line, col) = at.unwrap_or((0, 0));
            problems.push(Diagnostic::error(CONFIG_FILE, line, col, message));
        };
        if self.title.trim().is_empty() {
            err(
                value_or_key(text, "title"),
                "`title` is empty: give the site a name".into(),
            );
        }
        if let Some(url) = &self.base_url
            && !is_http_url(url)
        {
            err(
                value_or_key(text, "base_url"),
                format!(
                    "`base_url: {url}` is not a web address: write the published site's absolute URL, like `base_url: https://stories.example.com/` (or remove the line: only the feed and sitemap use it)"
                ),
            );
        }
        if self.page_size == 0 {
            err(
                value_or_key(text, "page_size"),
                "`page_size: 0` would put nothing on a page: give the number of cards per list page, like `page_size: 50`".into(),
            );
        }
        // Each id is located at its own occurrence: the nth time it is seen
        // in the list is the nth time it is written in the file.
        let mut seen = Seen::default();
        for d in &self.departments {
            let at = frontmatter::value_position(text, "id", &d.id, seen.count(&d.id));
            if !is_id(&d.id) {
                err(
                    at,
                    format!(
                        "department id \"{}\" must be lowercase letters, digits and hyphens",
                        d.id
                    ),
                );
            }
            if seen.again(&d.id) {
                err(at, format!("department \"{}\" is declared twice", d.id));
            }
            if d.name.trim().is_empty() {
                err(
                    at,
                    format!(
                        "department \"{}\" has an empty `name`: write how pages should show it",
                        d.id
                    ),
                );
            }
        }
        // Stages are told apart by name: `names:` and the coverage pages'
        // addresses use it, and a nameless stage is an empty column.
        let mut seen = Seen::default();
        let mut addresses = std::collections::HashMap::new();
        for s in &self.journey {
            let at = frontmatter::value_position(text, "stage", &s.stage, seen.count(&s.stage));
            seen.again(&s.stage);
            if s.stage.trim().is_empty() {
                err(
                    at,
                    "a journey stage has no name: write it after `stage:`".into(),
                );
            } else if let Some(first) = addresses.insert(slug::slugify(&s.stage), &s.stage) {
                let again = if *first == s.stage {
                    String::new()
                } else {
                    format!(" (as \"{first}\")")
                };
                err(
                    at,
                    format!(
                        "stage \"{}\" appears twice in the journey{again}: stages are told apart by name, so rename one or put their touchpoints under one stage",
                        s.stage
                    ),
                );
            }
        }
        let mut seen = Seen::default();
        for t in self.touchpoints() {
            let at = frontmatter::item_position(text, "touchpoints", t, seen.count(t));
            if !is_id(t) {
                err(
                    at,
                    format!("touchpoint id \"{t}\" must be lowercase letters, digits and hyphens"),
                );
            }
            if seen.again(t) {
                err(
                    at,
                    format!(
                        "touchpoint \"{t}\" appears twice in the journey (each belongs to one stage)"
                    ),
                );
            }
        }
        // Blueprint rows: the departments behind a touchpoint must exist.
        let departments = self.department_ids();
        let mut seen = Seen::default();
        for t in self.journey.iter().flat_map(|s| &s.touchpoints) {
            for d in &t.backstage {
                let at = frontmatter::item_position(text, "backstage", d, seen.count(d));
                seen.again(d);
                if !departments.contains(&d.as_str()) {
                    err(
                        at,
                        format!(
                            "unknown department \"{d}\" in the backstage of touchpoint \"{}\" {} — declare it under `departments` or fix the spelling",
                            t.id,
                            crate::diagnostics::known_hint(d, &departments)
                        ),
                    );
                }
            }
        }
        let mut seen = Seen::default();
        for p in &self.people {
            let at = frontmatter::value_position(text, "id", &p.id, seen.count(&p.id));
            if !is_id(&p.id) {
                err(
                    at,
                    format!(
                        "person id \"{}\" must be lowercase letters, digits and hyphens (stories name it as `author: {}`)",
                        p.id,
                        slug::slugify(&p.id)
                    ),
                );
            }
            if seen.again(&p.id) {
                err(
                    at,
                    format!("person \"{}\" is declared twice in `people`", p.id),
                );
            }
            if p.name.trim().is_empty() {
                err(
                    at,
                    format!(
                        "person \"{}\" has an empty `name`: write their name as pages should show it",
                        p.id
                    ),
                );
            }
            if let Some(d) = &p.department
                && !departments.contains(&d.as_str())
            {
                let at = frontmatter::value_position(text, "department", d, 0);
                err(
                    at,
                    format!(
                        "unknown department \"{d}\" for person \"{}\" {} — declare it under `departments` or fix the spelling",
                        p.id,
                        crate::diagnostics::known_hint(d, &departments)
                    ),
                );
            }
            if let Some(photo) = &p.photo
                && !is_relative_file(photo)
            {
                let at = frontmatter::value_position(text, "photo", photo, 0);
                err(
                    at,
                    format!(
                        "photo \"{photo}\" of \"{}\" must be a file under content/, written relative to it, like `photo: people/{}.jpg`",
                        p.id, p.id
                    ),
                );
            } else if let Some(photo) = &p.photo {
                let image = ["jpg", "jpeg", "png", "webp", "gif", "svg", "avif"]
                    .iter()
                    .any(|x| {
                        std::path::Path::new(photo)
                            .extension()
                            .is_some_and(|e| e.eq_ignore_ascii_case(x))
                    });
                if !image {
                    err(
                        frontmatter::value_position(text, "photo", photo, 0),
                        format!(
                            "photo \"{photo}\" of \"{}\" is not an image: use a .jpg, .png, .webp, .gif or .svg file",
                            p.id
                        ),
                    );
                }
            }
        }
        let mut seen = Seen::default();
        for v in &self.values {
            let at = frontmatter::item_position(text, "values", v, seen.count(v));
            if !is_id(v) {
                err(
                    at,
                    format!("value id \"{v}\" must be lowercase letters, digits and hyphens"),
                );
            }
            if seen.again(v) {
                err(at, format!("value \"{v}\" is listed twice in `values`"));
            }
        }
        let mut seen = Seen::default();
        for t in self.tags.iter().flatten() {
            let at = frontmatter::item_position(text, "tags", t, seen.count(t));
            let slug = slug::slugify(t);
            if slug.is_empty() {
                err(at, format!("tag \"{t}\" has no letters or digits"));
            } else if self
                .tags
                .iter()
                .flatten()
                .take_while(|o| !std::ptr::eq(*o, t))
                .any(|o| slug::slugify(o) == slug)
            {
                err(
                    at,
                    format!(
                        "tag \"{t}\" is listed twice in `tags` (tags that differ only in case or punctuation are one tag)"
                    ),
                );
            }
            seen.again(t);
        }
        let mut seen = Seen::default();
        for l in &self.languages {
            let at = frontmatter::item_position(text, "languages", l, seen.count(l));
            if seen.again(l) {
                err(
                    at,
                    format!("language \"{l}\" is listed twice in `languages`"),
                );
            } else if l == &self.language {
                err(
                    at,
                    format!(
                        "\"{l}\" is the default language; list only the other languages in `languages`"
                    ),
                );
            } else if !(2..=8).contains(&l.len())
                || !l.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            {
                err(
                    at,
                    format!("language \"{l}\" should be a code like \"pt\" or \"pt-br\""),
                );
            }
        }
        let languages = self.all_languages();
        for (lang, names) in &self.names {
            if !languages.contains(&lang.as_str()) {
                err(
                    frontmatter::item_position(text, "names", lang, 0)
                        .or_else(|| value_or_key(text, "names")),
                    format!(
                        "`names` has a language \"{lang}\" the site does not declare: add it to `languages` or fix the code (known: {})",
                        languages.join(", ")
                    ),
                );
            }
            for key in names.keys() {
                let at =
                    || names_key_position(text, lang, key).or_else(|| value_or_key(text, "names"));
                if let Some((kind, id)) = Named::qualified(key) {
                    if !self.declares(kind, id) {
                        let known: Vec<&str> = self.ids_of(kind).collect();
                        err(
                            at(),
                            format!(
                                "`names.{lang}.{key}`: \"{id}\" is not a {} of this site {}",
                                kind.word(),
                                crate::diagnostics::known_hint(id, &known)
                            ),
                        );
                    }
                    continue;
                }
                match self.kinds_of(key).as_slice() {
                    [] => err(
                        at(),
                        format!(
                            "`names.{lang}.{key}`: \"{key}\" is not a department, touchpoint, value or stage of this site: use one of their ids (a stage by its name)"
                        ),
                    ),
                    [_] => {}
                    kinds => {
                        let words: Vec<&str> = kinds.iter().map(|k| k.word()).collect();
                        let each: Vec<String> =
                            words.iter().map(|w| format!("`{w}.{key}: …`")).collect();
                        err(
                            at(),
                            format!(
                                "`names.{lang}.{key}`: \"{key}\" is both a {}, so this one name would show for each: name them apart as {} (the same name twice if it is meant for both)",
                                words.join(" and a "),
                                each.join(" and ")
                            ),
                        );
                    }
                }
            }
        }
        problems
    }

    pub fn touchpoints(&self) -> impl Iterator<Item = &str> {
        self.journey
            .iter()
            .flat_map(|s| s.touchpoints.iter().map(|t| t.id.as_str()))
    }

    pub fn touchpoint(&self, id: &str) -> Option<&Touchpoint> {
        self.journey
            .iter()
            .flat_map(|s| &s.touchpoints)
            .find(|t| t.id == id)
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    /// How a tag is shown: as site.yaml's `tags` lists it, else as written.
    pub fn tag_name<'t>(&'t self, slug: &str, written: &'t str) -> &'t str {
        self.tag_names.get(slug).map_or(written, String::as_str)
    }

    /// Items per page of a compact list (see `page_size`).
    pub fn compact_page_size(&self) -> usize {
        self.page_size.saturating_mul(COMPACT_FACTOR)
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    /// The name in `lang` of the `kind` with `id` (a stage: its name): its
    /// translation under `names` (`<kind>.<id>`, else `<id>`), else its
    /// name in the default language (`names` there, a department's `name`,
    /// a stage's `stage`), else the id made readable ("mobile-app" →
    /// "Mobile app"). Only a department takes a department's `name`.
    pub fn name_of(&self, kind: Named, id: &str, lang: &str) -> String {
        let named = |l: &str| {
            let names = self.names.get(l)?;
            names
                .get(&format!("{}.{id}", kind.word()))
                .or_else(|| names.get(id))
        };
        if let Some(n) = named(lang).or_else(|| named(&self.language)) {
            return n.clone();
        }
        match self.department(id) {
            Some(d) if kind == Named::Department => d.name.clone(),
            _ => humanize(id),
        }
    }

    /// The ids of `kind` (stages by name).
    pub fn ids_of(&self, kind: Named) -> Box<dyn Iterator<Item = &str> + '_> {
        match kind {
            Named::Department => Box::new(self.departments.iter().map(|d| d.id.as_str())),
            Named::Touchpoint => Box::new(self.touchpoints()),
            Named::Value => Box::new(self.values.iter().map(String::as_str)),
            Named::Stage => Box::new(self.journey.iter().map(|s| s.stage.as_str())),
        }
    }

    fn declares(&self, kind: Named, id: &str) -> bool {
        self.ids_of(kind).any(|i| i == id)
    }

    /// The kinds that have `id`, in [`Named::ALL`] order.
    fn kinds_of(&self, id: &str) -> Vec<Named> {
        Named::ALL
            .into_iter()
            .filter(|&k| self.declares(k, id))
            .collect()
    }

    pub fn department_ids(&self) -> Vec<&str> {
        self.departments.iter().map(|d| d.id.as_str()).collect()
    }

    /// The default language first, then the others.
    pub fn all_languages(&self) -> Vec<&str> {
        std::iter::once(self.language.as_str())
            .chain(self.languages.iter().map(String::as_str))
            .collect()
    }
}

/// What `names:` names: the vocabularies of site.yaml. Their ids may
/// coincide (a department and a touchpoint both `billing`, at
/// `/departments/billing/` and `/touchpoints/billing/`); `names:` then
/// tells them apart as `department.billing` and `touchpoint.billing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Department,
    Touchpoint,
    Value,
    Stage,
}

impl Named {
    pub const ALL: [Named; 4] = [
        Named::Department,
        Named::Touchpoint,
        Named::Value,
        Named::Stage,
    ];

    /// The prefix of its keys in `names:` and its word in messages.
    pub fn word(self) -> &'static str {
        match self {
            Named::Department => "department",
            Named::Touchpoint => "touchpoint",
            Named::Value => "value",
            Named::Stage => "stage",
        }
    }

    /// The kind a taxonomy's items are (tags are not named in `names:`).
    pub fn of(taxonomy: crate::paths::Taxonomy) -> Option<Named> {
        use crate::paths::Taxonomy;
        match taxonomy {
            Taxonomy::Departments => Some(Named::Department),
            Taxonomy::Touchpoints => Some(Named::Touchpoint),
            Taxonomy::Values => Some(Named::Value),
            Taxonomy::Tags => None,
        }
    }

    /// `touchpoint.billing` → (touchpoint, `billing`).
    fn qualified(key: &str) -> Option<(Named, &str)> {
        let (word, id) = key.split_once('.')?;
        let kind = Named::ALL.into_iter().find(|k| k.word() == word)?;
        Some((kind, id))
    }
}

/// "mobile-app" → "Mobile app": an id shown where no name was given.
pub fn humanize(id: &str) -> String {
    let mut s = id.replace(['-', '_'], " ");
    if let Some(first) = s.get(..1) {
        let upper = first.to_uppercase();
        s.replace_range(..1, &upper);
    }
    s
}

/// Ids in site.yaml become URL segments, so keep them plain.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
}

/// Counts the ids seen so far, to locate each occurrence and spot repeats.
#[derive(Default)]
struct Seen<'a>(std::collections::HashMap<&'a str, usize>);

impl<'a> Seen<'a> {
    /// How many times `id` was seen before.
    fn count(&self, id: &str) -> usize {
        self.0.get(id).copied().unwrap_or(0)
    }

    /// Records `id`; true if it was seen before.
    fn again(&mut self, id: &'a str) -> bool {
        let n = self.0.entry(id).or_insert(0);
        *n += 1;
        *n > 1
    }
}

/// A path under `content/`: relative, forward slashes, no `..`.
fn is_relative_file(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains(':')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// Position of a top-level key's value, or of the key when the value is empty.
fn value_or_key(text: &str, key: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?.trim_start().strip_prefix(':')?;
        let value_col = line.len() - rest.trim_start().len();
        Some((
            i + 1,
            if rest.trim().is_empty() {
                1
            } else {
                value_col + 1
            },
        ))
    })
}

/// Line and column of `id:` inside `names:` → `lang:` (block style).
fn names_key_position(text: &str, lang: &str, id: &str) -> Option<(usize, usize)> {
    let mut in_names = false;
    let mut in_lang = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if indent == 0 && !trimmed.is_empty() {
            in_names = trimmed.starts_with("names:");
            in_lang = false;
            continue;
        }
        if !in_names {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix(lang)
            && rest.trim_start().starts_with(':')
        {
            in_lang = true;
            if let Some(col) = rest.find(&format!("{id}:")) {
                return Some((i + 1, indent + lang.len() + col + 1));
            }
            continue;
        }
        let key = trimmed.trim_start_matches(['"', '\'']);
        if in_lang
            && key.starts_with(id)
            && key[id.len()..]
                .trim_start_matches(['"', '\''])
                .starts_with(':')
        {
            return Some((i + 1, indent + 1));
        }
    }
    None
}

/// `base_url` ends up in feed and sitemap links: only an absolute web
/// address makes sense there (and `javascript:` or relative text must never).
fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty()
            && !url.chars().any(|c| c.is_whitespace() || c.is_control())
            && host
                .chars()
                .all(|c| c.is_alphanumeric() || ".-:[]@_%".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_example() {
        let c = SiteConfig::parse(
            "title: Customer Stories\nlanguage: en\nlanguages: [pt, es]\ndepartments:\n  - { id: it, name: IT }\njourney:\n  - stage: Discover\n    touchpoints: [website, store]\nvalues: [ownership]\n",
        )
        .unwrap();
        assert_eq!(c.title, "Customer Stories");
        assert_eq!(c.all_languages(), vec!["en", "pt", "es"]);
        assert_eq!(
            c.touchpoints().collect::<Vec<_>>(),
            vec!["website", "store"]
        );
        assert_eq!(c.feed_limit, 20);
        assert_eq!(c.page_size, 50);
        let e = SiteConfig::parse("title: T\npage_size: 0\n").unwrap_err();
        assert_eq!((e[0].line, e[0].col), (2, 12), "{}", e[0]);
        assert!(e[0].message.contains("page_size: 50"), "{}", e[0]);
    }

    #[test]
    fn only_title_is_required() {
        let c = SiteConfig::parse("title: T\n").unwrap();
        assert_eq!(c.language, "en");
        assert!(c.departments.is_empty());
        let e = SiteConfig::parse("language: en\n").unwrap_err();
        assert!(e[0].message.contains("missing field `title`"), "{}", e[0]);
    }

    #[test]
    fn bad_yaml_reports_line_and_column() {
        let e = SiteConfig::parse("title: T\ndepartments:\n  - { id: it, name: IT\n").unwrap_err();
        assert_eq!(e[0].path, Path::new("site.yaml"));
        assert!(e[0].line >= 3, "{}", e[0]);
    }

    #[test]
    fn unknown_keys_and_bad_ids_are_errors() {
        let e = SiteConfig::parse("title: T\ndepartmens: []\n").unwrap_err();
        assert!(
            e[0].message.contains("unknown field `departmens`"),
            "{}",
            e[0]
        );
        assert_eq!(e[0].line, 2);
        let e = SiteConfig::parse("title: T\ndepartments:\n  - { id: Big Team, name: X }\n")
            .unwrap_err();
        assert_eq!((e[0].line, e[0].col), (3, 11));
    }

    #[test]
    fn duplicate_keys_and_ids_point_at_the_repeat() {
        let e = SiteConfig::parse("title: T\nvalues: [a]\ntitle: U\n").unwrap_err();
        assert_eq!((e[0].line, e[0].col), (3, 1), "{}", e[0]);
        assert!(e[0].message.contains("`title` is given twice"), "{}", e[0]);
        let e = SiteConfig::parse(
            "title: Title\ndepartments:\n  - { id: it, name: IT }\n  - { id: ops, name: Ops }\n  - { id: it, name: Other }\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].col), (5, 11), "{}", e[0]);
        assert!(e[0].message.contains("\"it\" is declared twice"));
        let e = SiteConfig::parse("title: T\nvalues: [care, empathy, care]\n").unwrap_err();
        assert_eq!((e[0].line, e[0].col), (2, 25), "{}", e[0]);
        assert!(e[0].message.contains("listed twice"), "{}", e[0]);
        let e = SiteConfig::parse("title: T\nlanguages:\n  - pt\n  - pt\n").unwrap_err();
        assert_eq!((e[0].line, e[0].col), (4, 5), "{}", e[0]);
        assert!(e[0].message.contains("\"pt\" is listed twice"), "{}", e[0]);
        let e = SiteConfig::parse(
            "title: T\njourney:\n  - stage: A\n    touchpoints: [web, store]\n  - stage: B\n    touchpoints: [store]\n",
        )
        .unwrap_err();
        assert_eq!((e[0].line, e[0].col), (6, 19), "{}", e[0]);
        let e = SiteConfig::parse("title: T\ndepartments:\n  - { id: it, name: IT, id: x }\n")
            .unwrap_err();
        assert_eq!((e[0].line, e[0].col), (3, 25), "{}", e[0]);
    }

    #[test]
    fn stages_are_named_once_and_people_and_departments_have_names() {
        let e = SiteConfig::parse(
            "title: T\njourney:\n  - stage: Buy\n    touchpoints: [web]\n  - stage: buy\n    touchpoints: [store]\n  - stage: \"\"\n    touchpoints: [app]\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].line, e[0].col), (5, 12), "{}", e[0]);
        assert!(
            e[0].message.contains("stage \"buy\" appears twice"),
            "{}",
            e[0]
        );
        assert_eq!(e[1].line, 7, "{}", e[1]);
        assert!(e[1].message.contains("has no name"), "{}", e[1]);
        let e = SiteConfig::parse(
            "title: T\ndepartments:\n  - { id: it, name: \" \" }\npeople:\n  - { id: ann, name: \"\" }\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].line, e[0].col), (3, 11), "{}", e[0]);
        assert!(
            e[0].message
                .contains("department \"it\" has an empty `name`"),
            "{}",
            e[0]
        );
        assert_eq!((e[1].line, e[1].col), (5, 11), "{}", e[1]);
        assert!(
            e[1].message.contains("person \"ann\" has an empty `name`"),
            "{}",
            e[1]
        );
    }

    #[test]
    fn a_photo_must_be_an_image() {
        let e = SiteConfig::parse(
            "title: T\npeople:\n  - { id: ann, name: Ann, photo: people/ann.txt }\n",
        )
        .unwrap_err();
        assert_eq!((e[0].line, e[0].col), (3, 34), "{}", e[0]);
        assert!(
            e[0].message
                .contains("photo \"people/ann.txt\" of \"ann\" is not an image"),
            "{}",
            e[0]
        );
        assert!(
            SiteConfig::parse(
                "title: T\npeople:\n  - { id: ann, name: Ann, photo: people/Ann.JPG }\n"
            )
            .is_ok()
        );
    }

    #[test]
    fn touchpoints_are_ids_or_blueprint_mappings() {
        let c = SiteConfig::parse(
            "title: T\ndepartments:\n  - { id: it, name: IT }\njourney:\n  - stage: A\n    touchpoints:\n      - web\n      - id: app\n        customer: Opens the app\n        backstage: [it]\n        systems: [API, CRM]\n        visible: Status page\n",
        )
        .unwrap();
        assert_eq!(c.touchpoints().collect::<Vec<_>>(), ["web", "app"]);
        let app = c.touchpoint("app").unwrap();
        assert_eq!(app.customer.as_deref(), Some("Opens the app"));
        assert_eq!(app.backstage, ["it"]);
        assert_eq!(app.systems, ["API", "CRM"]);
        assert!(app.has_blueprint() && !c.touchpoint("web").unwrap().has_blueprint());
        // Serialized (for hashing) and read back, it is the same.
        let again: SiteConfig = serde_yaml::from_str(&serde_yaml::to_string(&c).unwrap()).unwrap();
        assert_eq!(again, c);
        // A typo in a blueprint key is an error at its line.
        let e = SiteConfig::parse(
            "title: T\njourney:\n  - stage: A\n    touchpoints:\n      - id: app\n        custmer: x\n",
        )
        .unwrap_err();
        assert!(e[0].message.contains("unknown field `custmer`"), "{}", e[0]);
        assert_eq!(e[0].line, 6, "{}", e[0]);
        let e = SiteConfig::parse(
            "title: T\ndepartments:\n  - { id: it, name: IT }\njourney:\n  - stage: A\n    touchpoints:\n      - { id: app, backstage: [it, ops] }\n",
        )
        .unwrap_err();
        assert_eq!((e[0].line, e[0].col), (7, 36), "{}", e[0]);
        assert!(
            e[0].message
                .contains("unknown department \"ops\" in the backstage of touchpoint \"app\"")
        );
    }

    #[test]
    fn people_are_checked() {
        let c = SiteConfig::parse(
            "title: T\ndepartments:\n  - { id: it, name: IT }\npeople:\n  - { id: ana, name: Ana Lima, role: Driver, department: it }\n  - { id: bo, name: Bo }\n",
        )
        .unwrap();
        assert_eq!(c.person("ana").unwrap().role.as_deref(), Some("Driver"));
        assert!(c.person("bo").unwrap().department.is_none());
        assert_eq!(c.coverage.stale_after_days, 365);
        let e = SiteConfig::parse(
            "title: T\npeople:\n  - { id: Ana Lima, name: Ana }\n  - { id: bo, name: Bo, photo: ../secret.png }\n  - { id: bo, name: Bo again }\n",
        )
        .unwrap_err();
        let text: Vec<String> = e.iter().map(|d| d.to_string()).collect();
        assert!(
            text[0].contains("site.yaml:3:11: person id \"Ana Lima\" must be lowercase")
                && text[0].contains("`author: ana-lima`"),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t
                    .contains("photo \"../secret.png\" of \"bo\" must be a file under content/")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("site.yaml:5:11: person \"bo\" is declared twice")),
            "{text:?}"
        );
        let c = SiteConfig::parse("title: T\ncoverage: { stale_after_days: 90 }\n").unwrap();
        assert_eq!(c.coverage.stale_after_days, 90);
    }

    #[test]
    fn names_translate_vocabularies_and_unknown_ids_are_errors() {
        let base = "title: T\nlanguages: [pt]\ndepartments:\n  - { id: logistics, name: Logistics }\njourney:\n  - stage: Receive\n    touchpoints: [delivery, mobile-app]\nvalues: [empathy]\n";
        let c = SiteConfig::parse(&format!(
            "{base}names:\n  pt:\n    logistics: Logística\n    Receive: Receber\n    empathy: Empatia\n"
        ))
        .unwrap();
        assert_eq!(c.name_of(Named::Department, "logistics", "pt"), "Logística");
        assert_eq!(c.name_of(Named::Department, "logistics", "en"), "Logistics");
        assert_eq!(c.name_of(Named::Stage, "Receive", "pt"), "Receber");
        assert_eq!(
            c.name_of(Named::Touchpoint, "mobile-app", "pt"),
            "Mobile app",
            "falls back to the id made readable"
        );
        assert_eq!(c.name_of(Named::Value, "empathy", "es"), "Empathy");
        let e =
            SiteConfig::parse(&format!("{base}names:\n  pt:\n    delivry: Entrega\n")).unwrap_err();
        assert_eq!((e[0].line, e[0].col), (11, 5), "{}", e[0]);
        assert!(e[0].message.contains("`names.pt.delivry`"), "{}", e[0]);
        let e = SiteConfig::parse(&format!("{base}names:\n  fr:\n    delivery: Livraison\n"))
            .unwrap_err();
        assert!(
            e[0].message
                .contains("language \"fr\" the site does not declare"),
            "{}",
            e[0]
        );
        assert_eq!(e[0].line, 10, "{}", e[0]);
    }

    /// A touchpoint and a department of one id are named apart in
    /// `names:` (`touchpoint.billing`); one name for both is an error at
    /// its line naming both kinds, and a touchpoint never takes the
    /// department's `name`.
    #[test]
    fn an_id_two_kinds_share_is_named_for_each_kind() {
        let base = "title: T\nlanguages: [pt]\ndepartments:\n  - { id: billing, name: Billing Team }\njourney:\n  - stage: Use\n    touchpoints: [billing, delivery]\nvalues: [delivery]\n";
        let e = SiteConfig::parse(&format!("{base}names:\n  pt:\n    billing: Faturação\n"))
            .unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            e[0].to_string(),
            "site.yaml:11:5: `names.pt.billing`: \"billing\" is both a department and a touchpoint, so this one name would show for each: name them apart as `department.billing: …` and `touchpoint.billing: …` (the same name twice if it is meant for both)"
        );
        let e = SiteConfig::parse(&format!("{base}names:\n  pt: {{ delivery: Entrega }}\n"))
            .unwrap_err();
        assert!(
            e[0].to_string().starts_with(
                "site.yaml:10:9: `names.pt.delivery`: \"delivery\" is both a touchpoint and a value"
            ),
            "{}",
            e[0]
        );
        let c = SiteConfig::parse(&format!(
            "{base}names:\n  pt:\n    department.billing: Faturação\n    touchpoint.billing: Fatura\n"
        ))
        .unwrap();
        assert_eq!(c.name_of(Named::Department, "billing", "pt"), "Faturação");
        assert_eq!(c.name_of(Named::Touchpoint, "billing", "pt"), "Fatura");
        assert_eq!(
            c.name_of(Named::Department, "billing", "en"),
            "Billing Team"
        );
        assert_eq!(
            c.name_of(Named::Touchpoint, "billing", "en"),
            "Billing",
            "not the department's name"
        );
        assert_eq!(c.name_of(Named::Value, "delivery", "pt"), "Delivery");
        let e = SiteConfig::parse(&format!(
            "{base}names:\n  pt:\n    touchpoint.biling: Fatura\n    stage.Use: Uso\n"
        ))
        .unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].to_string().starts_with("site.yaml:11:5: `names.pt.touchpoint.biling`: \"biling\" is not a touchpoint of this site (known: billing, delivery; did you mean \"billing\"?)"),
            "{}",
            e[0]
        );
    }

    #[test]
    fn base_url_must_be_an_absolute_web_address() {
        for bad in [
            "javascript:alert(1)//",
            "/stories/",
            "stories.example.com",
            "ftp://x.example.com/",
            "https://",
            "\"https://a b.com/\"",
        ] {
            let e = SiteConfig::parse(&format!("title: T\nbase_url: {bad}\n")).unwrap_err();
            assert_eq!((e[0].line, e[0].col), (2, 11), "{bad}: {}", e[0]);
            assert!(
                e[0].message.contains("like `base_url: https://"),
                "{}",
                e[0]
            );
        }
        for good in [
            "https://stories.example.com/",
            "http://intranet:8080/cx/",
            "HTTPS://Example.com",
        ] {
            let c = SiteConfig::parse(&format!("title: T\nbase_url: {good}\n")).unwrap();
            assert_eq!(c.base_url.as_deref(), Some(good));
        }
    }

    #[test]
    fn a_missing_root_is_not_a_missing_site_yaml() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere");
        let e = SiteConfig::load(&missing).unwrap_err();
        assert_eq!(e[0].path, missing);
        assert!(
            e[0].message.contains("the site folder") && e[0].message.contains("does not exist"),
            "{}",
            e[0]
        );
        let e = SiteConfig::load(dir.path()).unwrap_err();
        assert_eq!(e[0].path, Path::new("site.yaml"));
        assert!(e[0].message.contains("cannot read the site configuration"));
    }
}
