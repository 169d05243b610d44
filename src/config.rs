//! `site.yaml`: the site's title and the vocabularies front matter refers to.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostic;

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
    /// Overrides of the theme's UI strings, per language: `strings: { pt: { mentioned_in: "…" } }`.
    #[serde(default)]
    pub strings: BTreeMap<String, BTreeMap<String, String>>,
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
    pub touchpoints: Vec<String>,
}

fn default_language() -> String {
    "en".into()
}

fn default_feed_limit() -> usize {
    20
}

pub use crate::paths::CONFIG_FILE;

impl SiteConfig {
    /// Reads and checks `ROOT/site.yaml`.
    pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
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
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        let config: SiteConfig = serde_yaml::from_str(text.trim_start_matches('\u{feff}'))
            .map_err(|e| {
                let (line, col) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((0, 0));
                vec![Diagnostic::error(
                    CONFIG_FILE,
                    line,
                    col,
                    format!("invalid configuration: {e}"),
                )]
            })?;
        let problems = config.validate(text);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn validate(&self, text: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut err = |needle: &str, message: String| {
            let (line, col) = find_line(text, needle);
            problems.push(Diagnostic::error(CONFIG_FILE, line, col, message));
        };
        if self.title.trim().is_empty() {
            err("title", "`title` is empty: give the site a name".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &self.departments {
            if !is_id(&d.id) {
                err(
                    &d.id,
                    format!(
                        "department id \"{}\" must be lowercase letters, digits and hyphens",
                        d.id
                    ),
                );
            }
            if !seen.insert(d.id.as_str()) {
                err(&d.id, format!("department \"{}\" is declared twice", d.id));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in self.touchpoints() {
            if !is_id(t) {
                err(
                    t,
                    format!("touchpoint id \"{t}\" must be lowercase letters, digits and hyphens"),
                );
            }
            if !seen.insert(t) {
                err(
                    t,
                    format!("touchpoint \"{t}\" appears in more than one journey stage"),
                );
            }
        }
        for v in &self.values {
            if !is_id(v) {
                err(
                    v,
                    format!("value id \"{v}\" must be lowercase letters, digits and hyphens"),
                );
            }
        }
        for l in &self.languages {
            if l == &self.language {
                err(
                    l,
                    format!(
                        "\"{l}\" is the default language; list only the other languages in `languages`"
                    ),
                );
            } else if !(2..=8).contains(&l.len())
                || !l.chars().all(|c| c.is_ascii_lowercase() || c == '-')
            {
                err(
                    l,
                    format!("language \"{l}\" should be a code like \"pt\" or \"pt-br\""),
                );
            }
        }
        problems
    }

    pub fn touchpoints(&self) -> impl Iterator<Item = &str> {
        self.journey
            .iter()
            .flat_map(|s| s.touchpoints.iter().map(String::as_str))
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
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

/// Ids in site.yaml become URL segments, so keep them plain.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
}

/// Best-effort position of `needle` in `text`, for messages about values serde accepted.
fn find_line(text: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(col) = line.find(needle) {
            return (i + 1, col + 1);
        }
    }
    (0, 0)
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
}
