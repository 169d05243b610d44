//! The theme: Tera templates, static assets and UI strings. Defaults are
//! compiled into the binary from the repository's `layouts/`; a site's own
//! `layouts/` replaces any of them file by file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use tera::{Context, Tera};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;

static DEFAULT_LAYOUTS: Dir = include_dir!("$CARGO_MANIFEST_DIR/layouts");

pub use crate::paths::LAYOUTS_DIR;
const STRINGS_FILE: &str = "strings.yaml";

/// Where a static asset's bytes come from.
#[derive(Debug, Clone)]
pub enum AssetSource {
    Embedded(&'static [u8]),
    File(PathBuf),
}

/// UI strings of one language: key → text.
pub type Strings = BTreeMap<String, String>;

pub struct Theme {
    tera: Tera,
    /// Changes whenever any template or string does; part of every cache key.
    pub fingerprint: u64,
    /// Output path under the site root (e.g. `assets/campfire.css`) → bytes.
    pub assets: BTreeMap<String, AssetSource>,
    strings: BTreeMap<String, tera::Value>,
}

impl Theme {
    pub fn load(root: &Path, config: &SiteConfig) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
        let mut assets = BTreeMap::new();
        let mut strings_sources: Vec<(String, PathBuf)> = Vec::new();
        let mut problems = Vec::new();

        for file in embedded_files(&DEFAULT_LAYOUTS) {
            let name = file.path().to_string_lossy().replace('\\', "/");
            let origin = Path::new(LAYOUTS_DIR).join(file.path());
            let source = AssetSource::Embedded(file.contents());
            classify(
                &name,
                file.contents(),
                origin,
                source,
                &mut templates,
                &mut assets,
                &mut strings_sources,
                &mut problems,
            );
        }
        let site_layouts = root.join(LAYOUTS_DIR);
        if site_layouts.is_dir() {
            for item in walkdir::WalkDir::new(&site_layouts).sort_by_file_name() {
                let Ok(item) = item else { continue };
                if !item.file_type().is_file()
                    || crate::load::is_ignored(&item.file_name().to_string_lossy())
                {
                    continue;
                }
                let rel = item
                    .path()
                    .strip_prefix(&site_layouts)
                    .unwrap_or(item.path());
                let name = rel.to_string_lossy().replace('\\', "/");
                let origin = Path::new(LAYOUTS_DIR).join(rel);
                match std::fs::read(item.path()) {
                    Ok(bytes) => classify(
                        &name,
                        &bytes,
                        origin,
                        AssetSource::File(item.path().to_path_buf()),
                        &mut templates,
                        &mut assets,
                        &mut strings_sources,
                        &mut problems,
                    ),
                    Err(e) => {
                        problems.push(Diagnostic::error(origin, 0, 0, format!("cannot read: {e}")))
                    }
                }
            }
        }

        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        let raw: Vec<(String, String)> = templates
            .iter()
            .map(|(n, (t, _))| (n.clone(), t.clone()))
            .collect();
        if let Err(e) = tera.add_raw_templates(raw) {
            problems.push(template_error(&e, &templates));
        }
        let strings = merge_strings(&strings_sources, config, &mut problems);
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::hash::DefaultHasher::new();
            for (name, (text, _)) in &templates {
                (name, text).hash(&mut h);
            }
            for (lang, table) in &strings {
                lang.hash(&mut h);
                table.to_string().hash(&mut h);
            }
            h.finish()
        };
        if problems.is_empty() {
            Ok(Theme {
                tera,
                fingerprint,
                assets,
                strings,
            })
        } else {
            Err(problems)
        }
    }

    pub fn render(&self, template: &str, cx: &Context) -> Result<String, Diagnostic> {
        self.tera.render(template, cx).map_err(|e| {
            let mut message = format!("template {template}: ");
            let mut source: Option<&dyn std::error::Error> = Some(&e);
            let mut parts = Vec::new();
            while let Some(s) = source {
                parts.push(s.to_string());
                source = s.source();
            }
            message.push_str(&parts.join(": "));
            message.push_str(" (fix the template, or delete it from layouts/ to use the default)");
            Diagnostic::error(Path::new(LAYOUTS_DIR).join(template), 0, 0, message)
        })
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    /// UI strings for a language, falling back to English key by key.
    pub fn strings(&self, lang: &str) -> tera::Value {
        self.strings
            .get(lang)
            .or_else(|| self.strings.get("en"))
            .cloned()
            .unwrap_or_default()
    }
}

/// The one HTML escape for text put into pages, feeds and server
/// messages (pulldown-cmark's, which Markdown bodies use too). Tera's
/// default also escapes `/`, which bloats every relative URL
/// (`..&#x2F;..&#x2F;`); `& < > "` are all that HTML text and
/// double-quoted attributes need.
pub fn escape_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len() + 8);
    let _ = pulldown_cmark_escape::escape_html(&mut out, input);
    out
}

fn embedded_files(dir: &'static Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut out: Vec<&include_dir::File> = dir.files().collect();
    for d in dir.dirs() {
        out.extend(embedded_files(d));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn classify(
    name: &str,
    bytes: &[u8],
    origin: PathBuf,
    source: AssetSource,
    templates: &mut BTreeMap<String, (String, PathBuf)>,
    assets: &mut BTreeMap<String, AssetSource>,
    strings: &mut Vec<(String, PathBuf)>,
    problems: &mut Vec<Diagnostic>,
) {
    let text = || match std::str::from_utf8(bytes) {
        Ok(t) => Some(t.to_string()),
        Err(_) => None,
    };
    if name.ends_with(".html") && !name.starts_with("assets/") {
        match text() {
            Some(t) => {
                templates.insert(name.to_string(), (t, origin));
            }
            None => problems.push(Diagnostic::error(
                origin,
                0,
                0,
                "template is not valid UTF-8: re-save it as UTF-8",
            )),
        }
    } else if name == STRINGS_FILE {
        match text() {
            Some(t) => strings.push((t, origin)),
            None => problems.push(Diagnostic::error(
                origin,
                0,
                0,
                "not valid UTF-8: re-save it as UTF-8",
            )),
        }
    } else if name.starts_with("assets/") {
        assets.insert(name.to_string(), source);
    }
}

fn template_error(e: &tera::Error, templates: &BTreeMap<String, (String, PathBuf)>) -> Diagnostic {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    let full = parts.join("\n");
    // Tera names the template in quotes and the position as `--> line:col`.
    let name = full.split('\'').nth(1).unwrap_or_default().to_string();
    let (line, col) = full
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let pos = rest.split_whitespace().next()?;
            let (l, c) = pos.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let path = templates
        .get(&name)
        .map(|(_, origin)| origin.clone())
        .unwrap_or_else(|| PathBuf::from(LAYOUTS_DIR).join(&name));
    let summary: Vec<&str> = full
        .lines()
        .map(|l| l.trim().trim_start_matches("= "))
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("-->")
                && !l.starts_with('|')
                && !l.starts_with(char::is_numeric)
        })
        .collect();
    Diagnostic::error(
        path,
        line,
        col,
        format!(
            "template error: {} (fix the template, or delete it from layouts/ to use the default)",
            summary.join(": ")
        ),
    )
}

fn merge_strings(
    sources: &[(String, PathBuf)],
    config: &SiteConfig,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, tera::Value> {
    let mut merged: BTreeMap<String, Strings> = BTreeMap::new();
    for (text, origin) in sources {
        match serde_yaml::from_str::<BTreeMap<String, Strings>>(text) {
            Ok(table) => {
                for (lang, strings) in table {
                    merged.entry(lang).or_default().extend(strings);
                }
            }
            Err(e) => {
                let (line, col) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                problems.push(Diagnostic::error(
                    origin,
                    line,
                    col,
                    format!("invalid UI strings: {e}"),
                ));
            }
        }
    }
    for (lang, strings) in &config.strings {
        merged
            .entry(lang.clone())
            .or_default()
            .extend(strings.clone());
    }
    let english = merged.get("en").cloned().unwrap_or_default();
    merged
        .into_iter()
        .map(|(lang, strings)| {
            let mut full = english.clone();
            full.extend(strings);
            (lang, serde_json::to_value(full).unwrap_or_default())
        })
        .collect()
}
