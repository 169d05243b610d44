//! Load: walk `content/`, split front matter, parse typed entries.
//!
//! Everything found wrong is collected, never thrown: one run reports every
//! problem of every file.

mod entry;
mod flat_yaml;
pub mod frontmatter;
mod ignore;
mod schema;
mod vocabulary;

pub use ignore::{is_ignored, is_ignored_path};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};
use walkdir::WalkDir;

use entry::Common;
pub use entry::{
    Better, Body, Case, Entry, Kind, Meta, Metric, Page, Step, Story, Term, TrainingPath,
};
use schema::{Origin, read, read_with_partial, required_fields};
pub use vocabulary::KnownIds;

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostic, Diagnostics, relative};

pub use crate::paths::CONTENT_DIR;

/// Everything under `content/`, parsed.
#[derive(Debug, Default)]
pub struct Content {
    pub entries: Vec<Entry>,
    /// Non-Markdown files (images, PDFs…), relative to `content/`; copied beside their pages.
    pub assets: Vec<PathBuf>,
    /// The entries left out: drafts, and files with errors.
    pub left_out: LeftOut,
}

/// The entries a build leaves out, by kind and slug, with their source and
/// why: drafts (`draft: true`) and files with errors. A reference to one
/// is then reported as such (publish the draft, fix the file, or remove
/// the reference), not as naming nothing. Equal sets hash alike, so a
/// cache of linking can key on them.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct LeftOut {
    /// By kind and slug: what a step or related term may name.
    named: std::collections::BTreeMap<(Kind, String), (PathBuf, Why)>,
    /// Every file left out (`content/…`), translations too: what a
    /// Markdown link may lead to.
    files: std::collections::BTreeMap<PathBuf, Why>,
}

/// Why an entry is left out of the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Why {
    /// It says `draft: true` (and the build is not `--drafts`).
    Draft,
    /// Reading it found errors, reported at the file.
    Errors,
}

impl LeftOut {
    /// Records the draft at `rel` (relative to `content/`).
    pub fn insert_draft(&mut self, rel: &Path) {
        self.insert(rel, Why::Draft);
    }

    /// Records the file at `rel` (relative to `content/`) that has errors.
    pub fn insert_failed(&mut self, rel: &Path) {
        self.insert(rel, Why::Errors);
    }

    /// When a term and its translation are both left out, the term's file
    /// is the one named.
    fn insert(&mut self, rel: &Path, why: Why) {
        let source = Path::new(CONTENT_DIR).join(rel);
        self.files.insert(source.clone(), why);
        if let Ok((kind, slug, lang)) = classify(rel) {
            if lang.is_none() {
                self.named.insert((kind, slug), (source, why));
            } else {
                self.named.entry((kind, slug)).or_insert((source, why));
            }
        }
    }

    /// The source (`content/…`) of the left-out `kind` with `slug`, and why.
    pub fn get(&self, kind: Kind, slug: &str) -> Option<(&Path, Why)> {
        self.named
            .get(&(kind, slug.to_string()))
            .map(|(source, why)| (source.as_path(), *why))
    }

    /// Why the file at `source` (`content/…/x.md`) was left out, if it was.
    pub fn file(&self, source: &Path) -> Option<Why> {
        self.files.get(source).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// What [`scan`] found under `content/`.
#[derive(Debug, Default)]
pub struct Scan {
    /// Markdown files, relative to `content/`.
    pub markdown: Vec<PathBuf>,
    /// Other files (assets), relative to `content/`.
    pub assets: Vec<PathBuf>,
    /// Every symbolic link met, followed or skipped (see [`Link`]).
    pub links: Vec<Link>,
    pub diags: Diagnostics,
}

/// A symbolic link under `content/` as [`scan`] met it. `serve` keeps
/// them: a save that touches a link, what one leads to or what one led to
/// reads the whole content again, by this same scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Where the link is: absolute, under `content/` (perhaps reached
    /// through another link).
    pub path: PathBuf,
    /// Where it leads: canonical when it leads somewhere, else the target
    /// it names, from the link's folder (what would make it lead somewhere).
    pub target: PathBuf,
    /// Whether what it leads to was read: it is inside the site folder,
    /// outside the output, and not a folder holding the link.
    pub followed: bool,
}

/// Lists `content/`: Markdown files and other files (assets), relative to
/// it, and the symbolic links met. `output` is the output folder, which is
/// never read as content, even through a link.
pub fn scan(root: &Path, output: &Path) -> Scan {
    let content_dir = root.join(CONTENT_DIR);
    let mut found = Scan::default();
    if !content_dir.is_dir() {
        found.diags.warning(
            CONTENT_DIR,
            0,
            0,
            "no content/ folder: the site will be empty (`campfire new story \"Title\"` adds a story)",
        );
        return found;
    }
    // Symbolic links are followed when what they point at is inside the site
    // root (a shared folder of images, an entry kept elsewhere in the site),
    // and skipped with a warning otherwise: a build must not publish files
    // from elsewhere on the machine because a link happened to point there.
    // Nor the output, wherever a link leads into it: read as content, it
    // would be published inside itself, one level deeper each build.
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let canonical_output = canonical_or_planned(output);
    let mut skipped = Vec::new();
    let mut skipped_output = Vec::new();
    let links = &mut found.links;
    let walker = WalkDir::new(&content_dir)
        .follow_links(true)
        // By name, as `sort_by_file_name` sorts, but comparing whole paths:
        // siblings share their parent's path, so the order is the same, and
        // a comparison is one `memcmp` where `file_name` parses both paths
        // (sorting 10,000 stories cost 100 M instructions that way, before
        // anything else could start).
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            if is_ignored(e.file_name().to_string_lossy().as_ref()) {
                return false;
            }
            let path = e.path();
            if e.path_is_symlink() {
                let target = link_target(path);
                let into_output = target.starts_with(&canonical_output);
                let followed = !into_output && target.starts_with(&canonical_root);
                links.push(Link {
                    path: path.to_path_buf(),
                    target,
                    followed,
                });
                if into_output {
                    skipped_output.push(path.to_path_buf());
                } else if !followed {
                    skipped.push(path.to_path_buf());
                }
                return followed;
            }
            // A folder reached through a link (one to the folder that
            // holds the output, say) may be the output itself. Only those
            // are looked up: links are rare, folders under them few.
            let through_link = || {
                links
                    .iter()
                    .any(|l| l.followed && path.starts_with(&l.path))
            };
            if e.file_type().is_dir()
                && through_link()
                && canonical_or_planned(path).starts_with(&canonical_output)
            {
                skipped_output.push(path.to_path_buf());
                return false;
            }
            true
        });
    let mut loops_and_dangling = Vec::new();
    for item in walker {
        match item {
            Ok(e) if e.file_type().is_file() => {
                let rel = e
                    .path()
                    .strip_prefix(&content_dir)
                    .unwrap_or(e.path())
                    .to_path_buf();
                if is_markdown(&rel) {
                    found.markdown.push(rel);
                } else {
                    found.assets.push(rel);
                }
            }
            Ok(e) if e.depth() > 0 && e.file_type().is_dir() && is_markdown(e.path()) => {
                found.diags.warning(
                    relative(root, e.path()),
                    0,
                    0,
                    "a folder named like a Markdown file: it is not an entry (its files are read as usual); rename it if you meant a file",
                );
            }
            Ok(_) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| CONTENT_DIR.into());
                let is_link = e
                    .path()
                    .and_then(|p| p.symlink_metadata().ok())
                    .is_some_and(|m| m.file_type().is_symlink());
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                if is_ignored(&name) {
                    // Editors' lock files are often dangling links (Emacs `.#x.md`).
                    continue;
                }
                if is_link && let Some(link) = e.path() {
                    loops_and_dangling.push(Link {
                        path: link.to_path_buf(),
                        target: link_target(link),
                        followed: false,
                    });
                }
                if e.loop_ancestor().is_some() {
                    found.diags.warning(
                        path,
                        0,
                        0,
                        "symbolic link to a folder that contains it: skipped",
                    );
                } else if is_link {
                    found.diags.warning(
                        path,
                        0,
                        0,
                        "symbolic link to nothing (its target is missing): skipped",
                    );
                } else {
                    found.diags.error(path, 0, 0, format!("cannot read: {e}"));
                }
            }
        }
    }
    found.links.extend(loops_and_dangling);
    for link in skipped {
        found.diags.warning(
            relative(root, &link),
            0,
            0,
            "symbolic link to a place outside the site folder: skipped (copy the file into the site instead)",
        );
    }
    for link in skipped_output {
        found.diags.warning(
            relative(root, &link),
            0,
            0,
            format!(
                "symbolic link into the output folder ({}): skipped (what a build writes is never read as content)",
                relative(&canonical_root, &canonical_output).display()
            ),
        );
    }
    found
}

/// Where the symbolic link at `path` leads: canonical if it leads
/// somewhere; else the target it names, from the link's folder, with `.`
/// and `..` worked out by name.
fn link_target(path: &Path) -> PathBuf {
    if let Ok(target) = path.canonicalize() {
        return target;
    }
    let folder = path.parent().map(canonical_or_planned).unwrap_or_default();
    let named = std::fs::read_link(path).unwrap_or_default();
    let mut target = PathBuf::new();
    for part in folder.join(named).components() {
        match part {
            std::path::Component::ParentDir => {
                target.pop();
            }
            std::path::Component::CurDir => {}
            other => target.push(other),
        }
    }
    target
}

/// `path` made canonical; if it does not exist (yet), its folder's
/// canonical path with its name.
fn canonical_or_planned(path: &Path) -> PathBuf {
    if let Ok(path) = path.canonicalize() {
        return path;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map_or_else(|_| path.to_path_buf(), |p| p.join(name)),
        _ => path.to_path_buf(),
    }
}

/// Whether `root` can be a site at all: a missing folder is a mistake in the
/// command (a usage error, exit status 2), not a content error.
pub fn check_root(root: &Path) -> Result<(), String> {
    match std::fs::metadata(root) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(format!(
            "{} is a file, not a site folder: --root takes the folder that holds site.yaml",
            root.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
            "the site folder {} does not exist: check --root (it takes the folder that holds site.yaml)",
            root.display()
        )),
        Err(e) => Err(format!(
            "cannot open the site folder {}: {e}",
            root.display()
        )),
    }
}

/// Whether `path` (after following any symbolic links) is inside `root`.
/// Loading skips links that lead out of the site; the watcher can use the
/// same rule for the events it receives.
pub fn within_root(root: &Path, path: &Path) -> bool {
    match root.canonicalize() {
        Ok(root) => within_canonical_root(&root, path),
        Err(_) => false,
    }
}

fn within_canonical_root(canonical_root: &Path, path: &Path) -> bool {
    path.canonicalize()
        .is_ok_and(|p| p.starts_with(canonical_root))
}

pub fn is_markdown(rel: &Path) -> bool {
    rel.extension().is_some_and(|x| x == "md")
}

/// One Markdown file as read: its entry, unless it has errors, and what
/// reading it found.
#[derive(Debug)]
pub struct Parsed {
    pub entry: Option<Entry>,
    pub diags: Diagnostics,
    /// Whether its front matter says `draft: true`, read even when the
    /// entry has errors: a draft left out of the build may be unfinished.
    pub draft: bool,
}

/// Parses one Markdown file, relative to `content/`.
pub fn parse_file(root: &Path, rel: &Path, config: &SiteConfig) -> Parsed {
    let source = Path::new(CONTENT_DIR).join(rel);
    let mut diags = Diagnostics::new();
    let failed = |diags| Parsed {
        entry: None,
        diags,
        draft: false,
    };
    let bytes = match std::fs::read(root.join(&source)) {
        Ok(b) => b,
        Err(e) => {
            diags.error(&source, 0, 0, format!("cannot read: {e}"));
            return failed(diags);
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let col =
                valid.len() - valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1) + 1;
            diags.error(
                &source,
                line,
                col,
                "this file is not valid UTF-8 text: re-save it with UTF-8 encoding (in most editors: \"Save with encoding\" → UTF-8)",
            );
            return failed(diags);
        }
    };
    let mut draft = false;
    let entry = parse_entry(&source, rel, &text, config, &mut diags, &mut draft);
    Parsed {
        entry,
        diags,
        draft,
    }
}

/// Which type and slug a path under `content/` stands for (and, for a
/// glossary translation, its language suffix).
pub(crate) fn classify(rel: &Path) -> Result<(Kind, String, Option<String>), String> {
    let mut parts = rel.iter().map(|p| p.to_string_lossy().into_owned());
    let folder = parts.next().unwrap_or_default();
    let Some(kind) = Kind::from_folder(&folder) else {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.folder()).collect();
        return Err(if rel.components().count() == 1 {
            format!(
                "entries live in a folder under content/ (one of: {}); move this file there",
                known.join(", ")
            )
        } else {
            format!(
                "unknown content folder \"{folder}\" (known: {})",
                known.join(", ")
            )
        });
    };
    let stem = rel
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let (stem, lang) = match stem.rsplit_once('.') {
        Some((base, lang)) if kind == Kind::Term => (base.to_string(), Some(lang.to_string())),
        _ => (stem, None),
    };
    let slug = if kind == Kind::Page {
        let under: PathBuf = rel.iter().skip(1).collect();
        let parent = under
            .parent()
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if parent.is_empty() {
            stem
        } else {
            format!("{parent}/{stem}")
        }
    } else {
        stem
    };
    // A name in another script is transliterated (ação → acao, 顧客 → gu-ke),
    // so champions can name files in their language; an ASCII name is used as
    // written, and must already be a clean address.
    let mut segments = Vec::new();
    for seg in slug.split('/') {
        if seg.is_ascii() {
            if !is_clean_slug(seg) {
                return Err(format!(
                    "the file name becomes the page's address, so it must be lowercase letters, digits and hyphens: rename it to \"{}.md\"",
                    slug::slugify(&slug)
                ));
            }
            segments.push(seg.to_string());
        } else {
            let ascii = slug::slugify(seg);
            if ascii.is_empty() {
                return Err(format!(
                    "the file name becomes the page's address, but \"{seg}\" has no letters or digits to make one from: rename it"
                ));
            }
            segments.push(ascii);
        }
    }
    let slug = segments.join("/");
    Ok((kind, slug, lang))
}

fn is_clean_slug(seg: &str) -> bool {
    !seg.is_empty()
        && seg
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn parse_entry(
    source: &Path,
    rel: &Path,
    text: &str,
    config: &SiteConfig,
    diags: &mut Diagnostics,
    marked_draft: &mut bool,
) -> Option<Entry> {
    let source = source.to_path_buf();
    let (kind, slug, lang) = match classify(rel) {
        Ok(c) => c,
        Err(message) => {
            diags.error(&source, 0, 0, message);
            return None;
        }
    };
    // An unknown language is reported at once but the file is read on: a
    // draft's problems stop nothing, and whether it is one is in its front
    // matter.
    let mut unknown_language = false;
    let lang = match lang {
        None => config.language.clone(),
        Some(l) if config.languages.contains(&l) => l,
        Some(l) if l == config.language => {
            diags.error(
                &source,
                0,
                0,
                format!(
                    "\".{l}\" is the site's own language: the original has no suffix, so rename this file to {slug}.md (or, if {slug}.md exists too, merge the two)"
                ),
            );
            unknown_language = true;
            l
        }
        Some(l) => {
            let known = config
                .languages
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>();
            diags.error(
                &source,
                0,
                0,
                format!(
                    "unknown language suffix \".{l}\": translations are named term.LANG.md with LANG listed under `languages` in site.yaml {}",
                    crate::diagnostics::known_hint(&l, &known)
                ),
            );
            unknown_language = true;
            l
        }
    };
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(_) => {
            diags.error(&source, 1, 1, "front matter starts with `---` but has no closing `---` line: add one after the last YAML line");
            return None;
        }
    };
    let map = if split.yaml.trim().is_empty() {
        Mapping::new()
    } else {
        // The usual flat front matter without the YAML parser (see
        // `flat_yaml`); the parser reads the rest, and words any error.
        let flat = flat_yaml::read(split.yaml).map(Value::Mapping).map(Ok);
        // `<<: *shared` merges the keys of an anchored mapping, as YAML
        // tools read it (the parser alone keeps `<<` as a key).
        let parsed = || {
            serde_yaml::from_str::<Value>(split.yaml).and_then(|mut v| v.apply_merge().map(|()| v))
        };
        match flat.unwrap_or_else(parsed) {
            Ok(Value::Mapping(m)) => m,
            Ok(_) => {
                diags.error(
                    &source,
                    split.yaml_line,
                    1,
                    "front matter must be `key: value` lines",
                );
                return None;
            }
            Err(e) => {
                let (line, col) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                let message = e.to_string();
                // serde_yaml appends its own position; ours points into the file.
                let message = message.split(" at line ").next().unwrap_or(&message);
                let split_numbers = frontmatter::comma_numbers(split.yaml);
                // `{ before: 1,5, after: 2,5 }` is read with a key `5` twice.
                if frontmatter::duplicate_key_in(message)
                    .is_some_and(|k| k.bytes().all(|b| b.is_ascii_digit()))
                    && !split_numbers.is_empty()
                {
                    for (line, col, key, written) in split_numbers {
                        diags.error(
                            &source,
                            split.yaml_line + line - 1,
                            col,
                            schema::de::split_number(&key, &written),
                        );
                    }
                    return None;
                }
                if let Some(key) = frontmatter::duplicate_key_in(message) {
                    let (line, col) =
                        frontmatter::duplicate_key_after(split.yaml, &key, line).unwrap_or((1, 1));
                    diags.error(
                        &source,
                        split.yaml_line + line - 1,
                        col,
                        format!("`{key}` is given twice in the front matter: keep one of them"),
                    );
                    return None;
                }
                // A list or mapping not closed on its line: the parser
                // says so where it gave up, often the next key's line.
                if message.starts_with("did not find expected ',' or")
                    && let Some((line, col, bracket)) =
                        frontmatter::unclosed_bracket(split.yaml, line)
                {
                    let (what, close) = match bracket {
                        '[' => ("list", ']'),
                        _ => ("mapping", '}'),
                    };
                    diags.error(
                        &source,
                        split.yaml_line + line - 1,
                        col,
                        format!(
                            "broken front matter: this {what} opened with `{bracket}` is not closed: end it with `{close}` (`tags: [a, b]`; a value holding a comma, a colon or a bracket goes in quotes)"
                        ),
                    );
                    return None;
                }
                // A tab before the text of the line: the parser's words
                // ("found character that cannot start any token") do not say so.
                let tabbed = split
                    .yaml
                    .lines()
                    .nth(line.saturating_sub(1))
                    .is_some_and(|l| {
                        l.trim_start_matches([' ', '\t']).len() < l.trim_start_matches(' ').len()
                    });
                let hint = if tabbed {
                    "this line is indented with a tab: YAML needs spaces"
                } else {
                    "check quotes, colons and indentation; text containing `: ` needs quotes"
                };
                diags.error(
                    &source,
                    split.yaml_line + line.saturating_sub(1),
                    col,
                    format!("broken front matter: {message} ({hint})"),
                );
                return None;
            }
        }
    };
    if !split.has_front_matter {
        diags.error(
            &source,
            1,
            1,
            format!(
                "no front matter: start the file with `---`, the {} fields ({}), and `---` (`campfire new {} \"Title\"` writes a skeleton)",
                kind.name(),
                required_keys(kind).join(", "),
                kind.name()
            ),
        );
        return None;
    }
    let origin = Origin {
        source: &source,
        yaml: split.yaml,
        yaml_line: split.yaml_line,
        what: kind.name(),
        shared: schema::field_names::<Common>(),
    };
    let mut entry_diags = Diagnostics::new();
    // `key:` with nothing after it means "not given", as it reads.
    let mut map: Mapping = map.into_iter().filter(|(_, v)| !v.is_null()).collect();
    read_comma_lists(&mut map, &origin, &mut entry_diags);
    let mut common = Mapping::new();
    for &key in origin.shared {
        if let Some((k, v)) = map.remove_entry(key) {
            common.insert(k, v);
        }
    }
    let common: Common = read(common, &origin, &mut entry_diags).unwrap_or_default();
    let (draft, autolink, updated) = (common.draft, common.autolink, common.updated);
    *marked_draft = draft;
    let discuss = common.discuss;
    let moved_from = common.moved_from;
    let d = &mut entry_diags;
    // What could be read of an entry with errors, to check its ids too.
    let mut partly: Option<Meta> = None;
    fn meta_of<T: serde::de::DeserializeOwned + Default + serde::Serialize>(
        map: Mapping,
        origin: &Origin,
        d: &mut Diagnostics,
        partly: &mut Option<Meta>,
        wrap: fn(T) -> Meta,
    ) -> Option<Meta> {
        let mut partial = None;
        let meta = read_with_partial(map, origin, d, &mut partial).map(wrap);
        *partly = partial.map(wrap);
        meta
    }
    let meta = match kind {
        Kind::Story => meta_of(map, &origin, d, &mut partly, Meta::Story),
        Kind::Term => meta_of(map, &origin, d, &mut partly, Meta::Term),
        Kind::Case => meta_of(map, &origin, d, &mut partly, Meta::Case),
        Kind::Path => meta_of(map, &origin, d, &mut partly, Meta::Path),
        Kind::Page => meta_of(map, &origin, d, &mut partly, Meta::Page),
    };
    let meta = meta.map(|mut meta| {
        let tags = match &mut meta {
            Meta::Story(s) => Some(&mut s.tags),
            Meta::Case(c) => Some(&mut c.tags),
            _ => None,
        };
        if let Some(tags) = tags {
            keep_each_tag_once(tags, &origin, &mut entry_diags);
        }
        let mut once = |key, list: &mut Vec<String>| {
            keep_each_once(key, list, &origin, &mut entry_diags);
        };
        match &mut meta {
            Meta::Story(s) => {
                once("touchpoints", &mut s.touchpoints);
                once("values", &mut s.values);
            }
            Meta::Case(c) => {
                once("touchpoints", &mut c.touchpoints);
                once("departments", &mut c.departments);
            }
            Meta::Path(p) => once("departments", &mut p.departments),
            Meta::Term(t) => {
                once("related", &mut t.related);
                once("aliases", &mut t.aliases);
                drop_self_references(t, &slug, &origin, &mut entry_diags);
            }
            Meta::Page(_) => {}
        }
        meta
    });
    if !draft {
        report_placeholders(&source, &split, &mut entry_diags);
    }
    let failed = entry_diags.has_errors() || unknown_language;
    let entry = |meta| Entry {
        kind,
        slug,
        lang,
        source,
        body: Body::new(split.body.to_string()),
        body_line: split.body_line,
        draft,
        autolink,
        updated,
        discuss,
        moved_from,
        meta,
        front_matter: Body::new(split.yaml.to_string()),
        front_matter_line: split.yaml_line,
        text_hash: hash_text(text),
        front_matter_hash: hash_text(split.yaml),
    };
    if !failed {
        diags.extend(entry_diags);
        return meta.map(entry);
    }
    // Left out, but its ids are checked against site.yaml now, as linking
    // would check them: every error of the file at once. (A draft's
    // problems stop nothing: they are reported as they are.)
    if let Some(meta) = meta.or(partly) {
        KnownIds::of(config).check(&entry(meta), true, &mut entry_diags);
    }
    diags.extend(entry_diags);
    None
}

/// A tag written twice in one entry, in one spelling or two with one
/// address (`[Café, cafe]`), is kept once, as first written, with a
/// warning: kept twice, the entry showed two chips for one page, and the
/// tag's page listed it twice and counted it twice.
fn keep_each_tag_once(tags: &mut Vec<String>, origin: &Origin, diags: &mut Diagnostics) {
    // Most entries have one tag or none: nothing to compare, no address to make.
    if tags.len() < 2 {
        return;
    }
    let mut seen: Vec<(String, String)> = Vec::new();
    tags.retain(|tag| {
        let address = slug::slugify(tag);
        if address.is_empty() {
            return true; // an error of its own, when linked
        }
        match seen.iter().find(|(a, _)| *a == address) {
            Some((_, first)) => {
                let (line, col) =
                    frontmatter::locate(origin.yaml, origin.yaml_line, "tags", Some(tag));
                let same = if first == tag {
                    format!("tag \"{tag}\" is written twice")
                } else {
                    format!("tag \"{tag}\" is \"{first}\" again (both are /tags/{address}/)")
                };
                diags.warning(
                    origin.source,
                    line,
                    col,
                    format!("{same}: the entry is listed once; remove it"),
                );
                false
            }
            None => {
                seen.push((address, tag.clone()));
                true
            }
        }
    });
}

/// A list written as one line of text (`tags: winter, snow`) was one item,
/// "winter, snow": a tag nobody meant, or an unknown touchpoint. It is
/// read as the list it means, with a warning saying how to write it.
fn read_comma_lists(map: &mut Mapping, origin: &Origin, diags: &mut Diagnostics) {
    const LISTS: [&str; 7] = [
        "tags",
        "touchpoints",
        "values",
        "departments",
        "related",
        "aliases",
        "recognized",
    ];
    for key in LISTS {
        let Some(Value::String(text)) = map.get(key) else {
            continue;
        };
        let items: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .collect();
        if items.len() < 2 {
            continue;
        }
        let (line, col) = frontmatter::locate(origin.yaml, origin.yaml_line, key, None);
        diags.warning(
            origin.source,
            line,
            col,
            format!(
                "`{key}: {text}` is one line of text, read as a list of {}; write it as a list: `{key}: [{}]`",
                items.len(),
                items.join(", ")
            ),
        );
        let list = items
            .into_iter()
            .map(|item| Value::String(item.to_string()));
        map.insert(
            Value::String(key.to_string()),
            Value::Sequence(list.collect()),
        );
    }
}

/// An id (a touchpoint, value, department, related term) or an alias
/// written twice in one list is kept once, with a warning at the second:
/// kept twice, the entry was listed and counted twice on the touchpoint's,
/// value's or department's page, and a term showed one chip twice.
fn keep_each_once(key: &str, list: &mut Vec<String>, origin: &Origin, diags: &mut Diagnostics) {
    if list.len() < 2 {
        return;
    }
    let mut seen: Vec<String> = Vec::new();
    list.retain(|item| {
        let again = seen.iter().filter(|s| *s == item).count();
        seen.push(item.clone());
        if again == 0 {
            return true;
        }
        let (line, col) = frontmatter::item_position(origin.yaml, key, item, again).map_or_else(
            || frontmatter::locate(origin.yaml, origin.yaml_line, key, Some(item)),
            |(l, c)| (origin.yaml_line + l - 1, c),
        );
        diags.warning(
            origin.source,
            line,
            col,
            format!("\"{item}\" is written twice in `{key}`: it is kept once; remove it"),
        );
        false
    });
}

/// A term related to itself linked its page to itself; an alias that is
/// the term's own name again (in any case) showed it under "Also called".
/// Both are dropped with a warning.
fn drop_self_references(t: &mut Term, slug: &str, origin: &Origin, diags: &mut Diagnostics) {
    if t.related.iter().any(|r| r == slug) {
        let (line, col) = frontmatter::locate(origin.yaml, origin.yaml_line, "related", Some(slug));
        diags.warning(
            origin.source,
            line,
            col,
            format!("the term \"{slug}\" is related to itself: remove it from `related` (list other terms)"),
        );
        t.related.retain(|r| r != slug);
    }
    let name = t.term.to_lowercase();
    let mut kept: Vec<String> = Vec::new();
    t.aliases.retain(|alias| {
        let folded = alias.to_lowercase();
        if folded != name && !kept.contains(&folded) {
            kept.push(folded);
            return true;
        }
        let (line, col) =
            frontmatter::locate(origin.yaml, origin.yaml_line, "aliases", Some(alias));
        diags.warning(
            origin.source,
            line,
            col,
            format!(
                "the alias \"{alias}\" is {} again: remove it from `aliases`",
                if folded == name {
                    "the term's name"
                } else {
                    "an earlier alias"
                }
            ),
        );
        false
    });
}

fn hash_text(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    text.hash(&mut h);
    h.finish()
}

/// The keys a kind cannot do without, for hints.
fn required_keys(kind: Kind) -> Vec<&'static str> {
    match kind {
        Kind::Story => required_fields::<Story>(),
        Kind::Term => required_fields::<Term>(),
        Kind::Case => required_fields::<Case>(),
        Kind::Path => required_fields::<TrainingPath>(),
        Kind::Page => required_fields::<Page>(),
    }
}

/// Text left from `campfire new` skeletons: fine in a draft, an error once
/// the entry is published (it would show "TODO your name" to every reader).
/// Only the skeletons' own phrases count: an author's `<!-- TODO -->` is theirs.
fn report_placeholders(source: &Path, split: &frontmatter::Split, diags: &mut Diagnostics) {
    let marker = crate::scaffold::PLACEHOLDER;
    // Nearly every file has none: one fast search of each part first.
    let holds_marker = |text: &str| memchr::memmem::find(text.as_bytes(), marker.as_bytes());
    if holds_marker(split.yaml).is_none() && holds_marker(split.body).is_none() {
        return;
    }
    let yaml = split
        .yaml
        .lines()
        .enumerate()
        .map(|(i, l)| (split.yaml_line + i, l, false));
    let mut in_code = false;
    let body = split.body.lines().enumerate().map(|(i, l)| {
        if l.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        (split.body_line + i, l, in_code)
    });
    for (line_no, line, in_code) in yaml.chain(body) {
        if in_code || !line.contains(marker) {
            continue;
        }
        for phrase in crate::scaffold::PLACEHOLDERS {
            if let Some(col) = line.find(phrase) {
                diags.error(
                    source,
                    line_no,
                    col + 1,
                    format!(
                        "placeholder left from `campfire new`: replace \"{phrase}\" with your text (or keep `draft: true` while writing)"
                    ),
                );
            }
        }
    }
}

pub fn report_duplicate_slugs<E: std::borrow::Borrow<Entry>>(
    entries: &[E],
    diags: &mut Diagnostics,
) {
    let mut seen: HashMap<(Kind, &str, &str), &Path> = HashMap::new();
    for e in entries {
        let e = e.borrow();
        if let Some(first) = seen.insert((e.kind, &e.slug, &e.lang), &e.source) {
            // Say why two different names made one address.
            let ascii = |p: &Path| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().is_ascii())
            };
            let why = if !ascii(first) || !ascii(&e.source) {
                " (file names in other scripts are transliterated)"
            } else if first.parent() != e.source.parent() {
                " (the address comes from the file name, whatever folder it is in)"
            } else {
                ""
            };
            diags.push(Diagnostic::error(
                &e.source,
                0,
                0,
                format!(
                    "duplicate {} slug \"{}\": {} has the same address{why}; rename one of them",
                    e.kind.name(),
                    e.slug,
                    first.display()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SiteConfig {
        SiteConfig::parse("title: T\nlanguages: [pt]\n").unwrap()
    }

    fn parse(rel: &str, text: &str) -> (Option<Entry>, Diagnostics) {
        let mut d = Diagnostics::new();
        let path = Path::new(CONTENT_DIR).join(rel);
        let e = parse_entry(&path, Path::new(rel), text, &config(), &mut d, &mut false);
        (e, d)
    }

    /// Left out both, a term and its translation are named by the term's
    /// file, whichever was recorded first.
    #[test]
    fn a_left_out_term_is_named_by_its_own_file() {
        for order in [
            ["glossary/nps.pt.md", "glossary/nps.md"],
            ["glossary/nps.md", "glossary/nps.pt.md"],
        ] {
            let mut left = LeftOut::default();
            left.insert_failed(Path::new(order[0]));
            left.insert_draft(Path::new(order[1]));
            let (source, _) = left.get(Kind::Term, "nps").unwrap();
            assert_eq!(source, Path::new("content/glossary/nps.md"), "{order:?}");
        }
    }

    /// Each bad metric or step is an error at its own item's line, all of
    /// them in one go; an inline list points at its key.
    #[test]
    fn every_bad_list_item_is_named_at_its_own_line() {
        let (e, d) = parse(
            "cases/c.md",
            "---\ntitle: C\ndate: 2025-01-01\norganization: O\nmetrics:\n  - { name: A, before: 1, after: 2, better: lower }\n  - { name: \"\", before: 1, after: 2, better: lower }\n  # a comment between items\n  - name: C\n    before: \"1.5\"\n    after: 2\n    better: higher\n---\n",
        );
        assert!(e.is_none());
        let text = d.render();
        assert!(
            text.contains("content/cases/c.md:7:5: invalid `metrics`, metric 2: `name` is empty"),
            "{text}"
        );
        assert!(
            text.contains("content/cases/c.md:9:5: invalid `metrics`, metric 3:"),
            "{text}"
        );
        let (_, d) = parse(
            "paths/p.md",
            "---\ntitle: P\nsteps:\n- term: nps\n- path: other\n- story: a\n  notes: x\n---\n",
        );
        let text = d.render();
        assert!(
            text.contains(
                "content/paths/p.md:5:3: invalid `steps`: step 2: a path cannot be a step"
            ),
            "{text}"
        );
        assert!(
            text.contains("content/paths/p.md:6:3: invalid `steps`: step 3: unknown key `notes`"),
            "{text}"
        );
        let (_, d) = parse(
            "paths/p.md",
            "---\ntitle: P\nsteps: [{ term: nps }, { path: other }]\n---\n",
        );
        let text = d.render();
        assert!(
            text.contains("content/paths/p.md:3:8: invalid `steps`: step 2"),
            "{text}"
        );
    }

    /// An empty lens is an error at its department's own line, in a block
    /// map or an inline one.
    #[test]
    fn an_empty_lens_is_named_at_its_line() {
        let (_, d) = parse(
            "glossary/nps.md",
            "---\nterm: NPS\nlenses:\n  logistics: Vans\n  it: \"\"\n---\n",
        );
        let text = d.render();
        assert!(
            text.contains("content/glossary/nps.md:5:3: `lenses`: the lens of \"it\" is empty"),
            "{text}"
        );
        let (_, d) = parse(
            "glossary/nps.md",
            "---\nterm: NPS\nlenses: { logistics: Vans, it: \"\" }\n---\n",
        );
        let text = d.render();
        assert!(
            text.contains("content/glossary/nps.md:3:28: `lenses`: the lens of \"it\" is empty"),
            "{text}"
        );
    }

    /// YAML merge keys merge, in a nested mapping and at the top.
    #[test]
    fn merge_keys_merge() {
        let (e, d) = parse(
            "cases/c.md",
            "---\ntitle: C\ndate: 2025-01-01\norganization: O\nmetrics:\n  - &lower { name: A, before: 2, after: 1, better: lower }\n  - { <<: *lower, name: B }\n---\n",
        );
        assert!(d.is_empty(), "{}", d.render());
        let Meta::Case(c) = e.unwrap().meta else {
            panic!("a case")
        };
        assert_eq!(c.metrics.len(), 2);
        assert_eq!(
            (c.metrics[1].name.as_str(), c.metrics[1].before),
            ("B", 2.0)
        );
        let (e, d) = parse(
            "stories/s.md",
            "---\nbase: &base { author: Ana, department: logistics }\n<<: *base\ntitle: S\ndate: 2026-01-05\n---\n",
        );
        // `base` itself is an unknown key (a warning); the merge is read.
        assert!(!d.has_errors(), "{}", d.render());
        assert_eq!(e.unwrap().title(), "S");
    }

    #[test]
    fn parses_a_story() {
        let (e, d) = parse(
            "stories/snow.md",
            "---\ntitle: Snow\ndate: 2026-01-05\nauthor: Ana\ndepartment: logistics\ntouchpoints: [delivery]\n---\nWe went.\n",
        );
        assert!(d.is_empty(), "{}", d.render());
        let e = e.unwrap();
        assert_eq!(e.slug, "snow");
        assert_eq!(e.body_line, 8);
        let Meta::Story(s) = e.meta else { panic!() };
        assert_eq!(s.department, "logistics");
        assert_eq!(s.date.to_string(), "2026-01-05");
    }

    #[test]
    fn missing_required_and_unknown_keys() {
        let (e, d) = parse(
            "stories/a.md",
            "---\ntitle: A\ndate: 2026-01-05\nauthr: X\ndepartment: it\n---\n",
        );
        assert!(e.is_none());
        let text = d.render();
        assert!(text.contains("missing required field `author`"), "{text}");
        assert!(
            text.contains(
                "content/stories/a.md:4:1: warning: unknown key `authr` (did you mean `author`?)"
            ),
            "{text}"
        );
    }

    #[test]
    fn bad_date_and_broken_yaml_point_at_the_line() {
        let (_, d) = parse(
            "stories/a.md",
            "---\ntitle: A\ndate: 14/03/2026\nauthor: X\ndepartment: it\n---\n",
        );
        assert!(
            d.render()
                .contains("content/stories/a.md:3:7: `date: 14/03/2026` is not a date"),
            "{}",
            d.render()
        );
        let (_, d) = parse(
            "stories/a.md",
            "---\ntitle: A\ntags: [a, b\nauthor: X\n---\n",
        );
        let text = d.render();
        assert!(
            text.starts_with("content/stories/a.md:3:7: broken front matter: this list opened with `[` is not closed"),
            "{text}"
        );
        let (_, d) = parse("stories/a.md", "---\ntitle: A\ntags: a: b\n---\n");
        let text = d.render();
        assert!(text.starts_with("content/stories/a.md:"), "{text}");
        assert!(text.contains("broken front matter"), "{text}");
    }

    #[test]
    fn translations_and_pages() {
        let (e, d) = parse("glossary/nps.pt.md", "---\nterm: NPS\n---\n");
        assert!(d.is_empty());
        let e = e.unwrap();
        assert_eq!((e.slug.as_str(), e.lang.as_str()), ("nps", "pt"));
        let (_, d) = parse("glossary/nps.xx.md", "---\nterm: NPS\n---\n");
        assert!(
            d.render().contains("unknown language suffix \".xx\""),
            "{}",
            d.render()
        );
        let (_, d) = parse("glossary/nps.en.md", "---\nterm: NPS\n---\n");
        assert!(
            d.render().contains("content/glossary/nps.en.md: \".en\" is the site's own language: the original has no suffix, so rename this file to nps.md"),
            "{}",
            d.render()
        );
        let (e, _) = parse("pages/guides/workshop.md", "---\ntitle: W\n---\n");
        assert_eq!(e.unwrap().slug, "guides/workshop");
    }

    #[test]
    fn bad_file_names_and_folders() {
        let (_, d) = parse("stories/My Story.md", "---\ntitle: A\n---\n");
        assert!(
            d.render().contains("rename it to \"my-story.md\""),
            "{}",
            d.render()
        );
        let (_, d) = parse("blog/x.md", "---\ntitle: A\n---\n");
        assert!(
            d.render().contains("unknown content folder \"blog\""),
            "{}",
            d.render()
        );
    }

    #[test]
    fn path_steps_and_metrics() {
        let (e, d) = parse(
            "paths/p.md",
            "---\ntitle: P\nsteps:\n  - story: snow\n    note: read\n  - term: nps\n---\n",
        );
        assert!(d.is_empty(), "{}", d.render());
        let Meta::Path(p) = e.unwrap().meta else {
            panic!()
        };
        assert_eq!(p.steps.len(), 2);
        assert_eq!(p.steps[1].kind, Kind::Term);
        let (_, d) = parse(
            "cases/c.md",
            "---\ntitle: C\ndate: 2026-01-01\norganization: O\nmetrics:\n  - { name: X, before: 1, after: 2, better: up }\n---\n",
        );
        assert!(d.render().contains("invalid `metrics`"), "{}", d.render());
    }

    #[test]
    fn every_problem_of_a_file_is_reported_together() {
        let (e, d) = parse(
            "stories/a.md",
            "---\ntitle: A\ndate: 2026-02-30\nfeatured: maybe\nauthr: X\ntags: { a: 1 }\ndepartment: it\n---\n",
        );
        assert!(e.is_none());
        let text = d.render();
        for expected in [
            "content/stories/a.md:3:7: `date: 2026-02-30` is not a date",
            "content/stories/a.md:4:11: `featured` must be true or false",
            "content/stories/a.md:5:1: warning: unknown key `authr` (did you mean `author`?)",
            "content/stories/a.md:6:7: `tags` must be a list, like `tags: [a, b]`",
            "content/stories/a.md:1:1: missing required field `author` in this story",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        assert_eq!(d.error_count(), 4, "{text}");
    }

    #[test]
    fn unknown_keys_alone_keep_the_entry() {
        let (_, d) = parse("pages/p.md", "---\ntitle: P\ndrafts: true\n---\n");
        assert!(
            d.render()
                .contains("unknown key `drafts` (did you mean `draft`?)"),
            "{}",
            d.render()
        );
        let (e, d) = parse("pages/p.md", "---\ntitle: P\nmenus: true\n---\n");
        assert_eq!(d.error_count(), 0, "{}", d.render());
        assert_eq!(d.warning_count(), 1);
        assert!(
            d.render().contains("did you mean `menu`?"),
            "{}",
            d.render()
        );
        let Meta::Page(p) = e.unwrap().meta else {
            panic!()
        };
        assert!(
            !p.menu,
            "the misspelt key is ignored, so the default (off the menu) holds"
        );
    }

    #[test]
    fn required_text_must_not_be_blank() {
        let (e, d) = parse(
            "stories/a.md",
            "---\ntitle: \"\"\ndate: 2026-01-05\nauthor: \"   \"\ndepartment: it\n---\n",
        );
        assert!(e.is_none());
        let text = d.render();
        assert!(
            text.contains("content/stories/a.md:2:8: `title` is empty"),
            "{text}"
        );
        assert!(
            text.contains("content/stories/a.md:4:9: `author` is empty"),
            "{text}"
        );
        let (e, d) = parse("glossary/x.md", "---\nterm: \"  \"\n---\n");
        assert!(e.is_none());
        assert!(
            d.render()
                .contains("content/glossary/x.md:2:7: `term` is empty"),
            "{}",
            d.render()
        );
        // Optional text may be empty.
        let (e, d) = parse("pages/p.md", "---\ntitle: P\nsummary: \"\"\n---\n");
        assert!(e.is_some(), "{}", d.render());
    }

    #[test]
    fn non_finite_metrics_name_file_and_line() {
        let (e, d) = parse(
            "cases/c.md",
            "---\ntitle: C\ndate: 2026-01-01\norganization: O\nmetrics:\n  - { name: Wait, before: .nan, after: -.inf, better: lower }\n---\n",
        );
        assert!(e.is_none());
        assert!(
            d.render().contains("content/cases/c.md:6:5:")
                && d.render().contains("NaN is not a measurement"),
            "{}",
            d.render()
        );
    }

    #[test]
    fn duplicate_key_points_at_the_second_one() {
        let (e, d) = parse(
            "stories/a.md",
            "---\ntitle: A\ndate: 2026-01-05\nauthor: X\ndepartment: it\ntitle: B\n---\n",
        );
        assert!(e.is_none());
        assert!(
            d.render()
                .contains("content/stories/a.md:6:1: `title` is given twice in the front matter"),
            "{}",
            d.render()
        );
    }

    #[test]
    fn scaffold_placeholders_are_errors_outside_drafts() {
        let text = "---\ntitle: P\n---\n\nTODO: write the page.\n\n<!-- TODO check the numbers -->\nTODO later\n";
        let (e, d) = parse("pages/p.md", text);
        assert!(e.is_none());
        assert_eq!(d.error_count(), 1, "{}", d.render());
        assert!(
            d.render().contains(
                "content/pages/p.md:5:1: placeholder left from `campfire new`: replace \"TODO: write the page.\""
            ),
            "{}",
            d.render()
        );
        let draft = text.replace("title: P\n", "title: P\ndraft: true\n");
        let (e, d) = parse("pages/p.md", &draft);
        assert!(e.is_some() && d.is_empty(), "{}", d.render());
    }

    #[test]
    fn non_ascii_file_names_are_transliterated() {
        for (name, slug) in [
            ("stories/ação.md", "acao"),
            ("stories/café.md", "cafe"),
            ("stories/顧客の声.md", "gu-ke-nosheng"),
            ("pages/guias/operação-inverno.md", "guias/operacao-inverno"),
        ] {
            let text = if name.starts_with("pages/") {
                "---\ntitle: A\n---\n"
            } else {
                "---\ntitle: A\ndate: 2026-01-05\nauthor: X\ndepartment: it\n---\n"
            };
            let (e, d) = parse(name, text);
            assert!(d.is_empty(), "{name}: {}", d.render());
            assert_eq!(e.unwrap().slug, slug, "{name}");
        }
        let (e, d) = parse("glossary/satisfação.pt.md", "---\nterm: Satisfação\n---\n");
        assert!(d.is_empty(), "{}", d.render());
        let e = e.unwrap();
        assert_eq!((e.slug.as_str(), e.lang.as_str()), ("satisfacao", "pt"));
        let (e, d) = parse("stories/«—».md", "---\ntitle: A\n---\n");
        assert!(e.is_none());
        assert!(
            d.render()
                .contains("content/stories/«—».md: the file name becomes the page's address, but \"«—»\" has no letters or digits"),
            "{}",
            d.render()
        );
    }

    #[test]
    fn transliterated_names_that_collide_name_both_files() {
        let text = "---\ntitle: A\ndate: 2026-01-05\nauthor: X\ndepartment: it\n---\n";
        let entries: Vec<Entry> = ["stories/cafe.md", "stories/café.md"]
            .iter()
            .map(|n| parse(n, text).0.unwrap())
            .collect();
        let mut d = Diagnostics::new();
        report_duplicate_slugs(&entries, &mut d);
        let text = d.render();
        assert_eq!(d.error_count(), 1, "{text}");
        assert!(
            text.contains("content/stories/café.md: duplicate story slug \"cafe\": content/stories/cafe.md has the same address (file names in other scripts are transliterated)"),
            "{text}"
        );
        // Two ASCII names in two folders: the folder is the reason, not
        // transliteration.
        let entries: Vec<Entry> = ["stories/cafe.md", "stories/sub/cafe.md"]
            .iter()
            .map(|n| parse(n, text_of_story()).0.unwrap())
            .collect();
        let mut d = Diagnostics::new();
        report_duplicate_slugs(&entries, &mut d);
        let text = d.render();
        assert!(
            text.contains("content/stories/sub/cafe.md: duplicate story slug \"cafe\": content/stories/cafe.md has the same address (the address comes from the file name, whatever folder it is in); rename one of them"),
            "{text}"
        );
        assert!(!text.contains("transliterated"), "{text}");
    }

    #[test]
    fn a_tag_written_twice_is_kept_once_as_first_written() {
        let text = "---\ntitle: A\ndate: 2026-01-05\nauthor: X\ndepartment: it\ntags: [Café, winter, cafe, \"CAFÉ\", winter]\n---\n";
        let (e, d) = parse("stories/a.md", text);
        assert_eq!(e.unwrap().tags(), ["Café", "winter"]);
        let text = d.render();
        assert!(
            text.contains("content/stories/a.md:6:23: warning: tag \"cafe\" is \"Café\" again (both are /tags/cafe/): the entry is listed once; remove it"),
            "{text}"
        );
        assert!(text.contains("tag \"CAFÉ\" is \"Café\" again"), "{text}");
        assert!(text.contains("tag \"winter\" is written twice"), "{text}");
        assert_eq!(d.error_count(), 0, "{text}");
    }

    #[test]
    fn a_list_written_as_one_line_of_text_is_read_as_the_list_with_a_warning() {
        let text = "---\ntitle: A\ndate: 2026-01-05\nauthor: X\ndepartment: it\ntouchpoints: repair, delivery,\nvalues: empathy\ntags: \"winter, snow\"\n---\n";
        let (e, d) = parse("stories/a.md", text);
        let Meta::Story(s) = e.unwrap().meta else {
            panic!("a story")
        };
        assert_eq!(s.touchpoints, ["repair", "delivery"]);
        assert_eq!(s.values, ["empathy"]);
        assert_eq!(s.tags, ["winter", "snow"]);
        let text = d.render();
        assert!(
            text.contains("content/stories/a.md:6:14: warning: `touchpoints: repair, delivery,` is one line of text, read as a list of 2; write it as a list: `touchpoints: [repair, delivery]`"),
            "{text}"
        );
        assert!(
            text.contains(
                "content/stories/a.md:8:7: warning: `tags: winter, snow` is one line of text"
            ),
            "{text}"
        );
        assert!(!text.contains("`values"), "{text}");
        assert_eq!(d.error_count(), 0, "{text}");
        let term = "---\nterm: Net Promoter Score\naliases: NPS, promoter score\n---\n";
        let (e, d) = parse("glossary/nps.md", term);
        let Meta::Term(t) = e.unwrap().meta else {
            panic!("a term")
        };
        assert_eq!(t.aliases, ["NPS", "promoter score"]);
        assert!(d.render().contains("`aliases: NPS, promoter score`"));
    }

    #[test]
    fn an_id_written_twice_in_a_list_is_kept_once_with_a_warning_at_the_second() {
        let text = "---\ntitle: A\ndate: 2026-01-05\nauthor: X\ndepartment: it\ntouchpoints: [repair, delivery, repair]\nvalues:\n  - empathy\n  - empathy\n---\n";
        let (e, d) = parse("stories/a.md", text);
        let Meta::Story(s) = e.unwrap().meta else {
            panic!("a story")
        };
        assert_eq!(s.touchpoints, ["repair", "delivery"]);
        assert_eq!(s.values, ["empathy"]);
        let text = d.render();
        assert!(
            text.contains("content/stories/a.md:6:33: warning: \"repair\" is written twice in `touchpoints`: it is kept once; remove it"),
            "{text}"
        );
        assert!(
            text.contains(
                "content/stories/a.md:9:5: warning: \"empathy\" is written twice in `values`"
            ),
            "{text}"
        );
        let case = "---\ntitle: C\ndate: 2026-01-05\norganization: O\ndepartments: [it, it]\n---\n";
        let (e, d) = parse("cases/c.md", case);
        let Meta::Case(c) = e.unwrap().meta else {
            panic!("a case")
        };
        assert_eq!(c.departments, ["it"]);
        assert!(
            d.render()
                .contains("\"it\" is written twice in `departments`"),
            "{}",
            d.render()
        );
        let term = "---\nterm: Zed\nrelated: [nps, nps]\n---\n";
        let (e, d) = parse("glossary/zed.md", term);
        let Meta::Term(t) = e.unwrap().meta else {
            panic!("a term")
        };
        assert_eq!(t.related, ["nps"]);
        assert_eq!(d.error_count(), 0, "{}", d.render());
    }

    #[test]
    fn a_term_related_to_itself_or_aliased_as_itself_is_warned_and_dropped() {
        let text = "---\nterm: Zed\naliases: [ZED, zeta, Zeta]\nrelated: [nps, zed]\n---\n";
        let (e, d) = parse("glossary/zed.md", text);
        let Meta::Term(t) = e.unwrap().meta else {
            panic!("a term")
        };
        assert_eq!(t.related, ["nps"]);
        assert_eq!(t.aliases, ["zeta"]);
        let text = d.render();
        assert!(
            text.contains(
                "content/glossary/zed.md:4:16: warning: the term \"zed\" is related to itself"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "content/glossary/zed.md:3:11: warning: the alias \"ZED\" is the term's name again"
            ),
            "{text}"
        );
        assert!(
            text.contains("the alias \"Zeta\" is an earlier alias again"),
            "{text}"
        );
        assert_eq!(d.error_count(), 0, "{text}");
    }

    #[test]
    fn a_list_left_open_is_named_where_it_was_opened() {
        let text = "---\ntitle: S\ndate: 2026-01-01\nauthor: A\ndepartment: it\ntags: [billing, refunds\n---\nBody.\n";
        let (e, d) = parse("stories/s.md", text);
        assert!(e.is_none());
        assert_eq!(
            d.render().lines().next().unwrap_or_default(),
            "content/stories/s.md:6:7: broken front matter: this list opened with `[` is not closed: end it with `]` (`tags: [a, b]`; a value holding a comma, a colon or a bracket goes in quotes)"
        );
        let text = "---\ntitle: C\ndate: 2026-01-01\norganization: O\nmetrics: [{ name: A, before: 1, after: 2, better: lower ]\n---\n";
        let (_, d) = parse("cases/c.md", text);
        assert!(
            d.render()
                .starts_with("content/cases/c.md:5:11: broken front matter: this mapping opened with `{` is not closed: end it with `}`"),
            "{}",
            d.render()
        );
    }

    #[test]
    fn a_tab_in_the_indentation_is_named() {
        let text = "---\ntitle: C\ndate: 2026-01-01\norganization: O\nmetrics:\n\t- { name: A, before: 1, after: 2, better: lower }\n---\n";
        let (e, d) = parse("cases/c.md", text);
        assert!(e.is_none());
        let text = d.render();
        assert!(
            text.contains("content/cases/c.md:6:1: broken front matter: "),
            "{text}"
        );
        assert!(
            text.contains("(this line is indented with a tab: YAML needs spaces)"),
            "{text}"
        );
    }

    fn text_of_story() -> &'static str {
        "---\ntitle: A\ndate: 2026-01-05\nauthor: X\ndepartment: it\n---\n"
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_inside_the_root_are_followed_and_others_skipped_with_a_warning() {
        use std::os::unix::fs::symlink;
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "---\ntitle: S\n---\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in [
            "content/stories",
            "content/pages",
            "shared/guides",
            "content/pages/odd.md",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("shared/story.md"), "x").unwrap();
        std::fs::write(root.join("shared/guides/g.md"), "x").unwrap();
        std::fs::write(root.join("content/pages/odd.md/inner.md"), "x").unwrap();
        let stories = root.join("content/stories");
        symlink(root.join("shared/story.md"), stories.join("linked.md")).unwrap();
        symlink("../../shared/guides", root.join("content/pages/guides")).unwrap();
        symlink(outside.path().join("secret.md"), stories.join("out.md")).unwrap();
        symlink(outside.path(), root.join("content/pages/elsewhere")).unwrap();
        symlink(stories.join("gone.md"), stories.join("dangling.md")).unwrap();
        symlink("nobody@host.1234", stories.join(".#draft.md")).unwrap();

        let found = scan(root, &root.join("public"));
        let d = &found.diags;
        let names: Vec<String> = found
            .markdown
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "pages/guides/g.md",
                "pages/odd.md/inner.md",
                "stories/linked.md"
            ]
        );
        let text = d.render();
        assert_eq!(d.error_count(), 0, "{text}");
        for expected in [
            "content/stories/out.md: warning: symbolic link to a place outside the site folder: skipped",
            "content/pages/elsewhere: warning: symbolic link to a place outside the site folder",
            "content/stories/dangling.md: warning: symbolic link to nothing",
            "content/pages/odd.md: warning: a folder named like a Markdown file",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        assert_eq!(d.warning_count(), 4, "{text}");
        assert!(within_root(root, &stories.join("linked.md")));
        assert!(!within_root(root, &stories.join("out.md")));
        assert!(!within_root(root, &stories.join("dangling.md")));
    }

    /// The output is never read as content: a link into it is skipped with
    /// a warning, and so is the output reached through a link to a folder
    /// holding it. Every link met is recorded, with where it leads.
    #[cfg(unix)]
    #[test]
    fn links_into_the_output_are_skipped_and_every_link_is_recorded() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let pages = root.join("content/pages");
        let output = root.join("build/public");
        std::fs::create_dir_all(&pages).unwrap();
        std::fs::create_dir_all(output.join("old")).unwrap();
        std::fs::write(pages.join("a.md"), "x").unwrap();
        std::fs::write(root.join("build/notes.md"), "x").unwrap();
        std::fs::write(output.join("old/index.md"), "x").unwrap();
        symlink("../../build/public", pages.join("pub")).unwrap();
        symlink("../../build", pages.join("build")).unwrap();
        symlink("a.md", pages.join("alias.md")).unwrap();
        symlink("../pages/./gone.md", pages.join("dangling.md")).unwrap();

        let found = scan(&root, &output);
        let text = found.diags.render();
        assert_eq!(
            found.markdown,
            ["pages/a.md", "pages/alias.md", "pages/build/notes.md"].map(PathBuf::from)
        );
        for expected in [
            "content/pages/pub: warning: symbolic link into the output folder (build/public): skipped (what a build writes is never read as content)",
            "content/pages/build/public: warning: symbolic link into the output folder (build/public): skipped",
            "content/pages/dangling.md: warning: symbolic link to nothing",
        ] {
            assert!(text.contains(expected), "{expected:?} not in:\n{text}");
        }
        assert_eq!(found.diags.warning_count(), 3, "{text}");
        let links: Vec<(String, PathBuf, bool)> = found
            .links
            .iter()
            .map(|l| {
                let at = l.path.strip_prefix(&pages).unwrap();
                (at.display().to_string(), l.target.clone(), l.followed)
            })
            .collect();
        assert_eq!(
            links,
            [
                ("alias.md".into(), pages.join("a.md"), true),
                ("build".into(), root.join("build"), true),
                ("pub".into(), output.clone(), false),
                ("dangling.md".into(), pages.join("gone.md"), false),
            ]
        );
    }
}
