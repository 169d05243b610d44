//! `campfire new` and `campfire init`: skeletons a champion fills in.

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::load::{CONTENT_DIR, Kind};

/// Starts the text the author must replace.
pub const PLACEHOLDER: &str = "TODO";

/// Every placeholder the skeletons below contain, exactly. Loading refuses
/// these outside drafts; it does not refuse "TODO" in general, which authors
/// use for their own notes (a test keeps this list and the skeletons in step).
pub const PLACEHOLDERS: &[&str] = &[
    "TODO your name, your role",
    "TODO who the customer was, in a few words",
    "TODO what changed for them, in one sentence",
    "TODO: tell the story in your own words.",
    "TODO one line shown in tooltips",
    "TODO what it means to this department",
    "TODO: the full definition, how we use it, an example.",
    "TODO team or region",
    "TODO one or two sentences",
    "TODO metric",
    "TODO: what was happening before.",
    "TODO who this path is for",
    "TODO what people will be able to do afterwards",
    "TODO replace with the first story, term or case",
    "TODO: what participants read first (it is on their handout).",
    "TODO: notes for the trainer.",
    "TODO: write the page.",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewKind {
    Story,
    Term,
    Case,
    Path,
    Page,
}

impl From<NewKind> for Kind {
    fn from(k: NewKind) -> Kind {
        match k {
            NewKind::Story => Kind::Story,
            NewKind::Term => Kind::Term,
            NewKind::Case => Kind::Case,
            NewKind::Path => Kind::Path,
            NewKind::Page => Kind::Page,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("{0} already exists; choose another title or edit that file")]
    Exists(PathBuf),
    #[error("{0} is not empty; `campfire init` only creates new sites (choose a new directory)")]
    NotEmpty(PathBuf),
    #[error(
        "{0} is a file (or a link to nothing), not a folder; `campfire init` creates a new site folder (choose another name)"
    )]
    NotAFolder(PathBuf),
    #[error(
        "a page named \"{0}\" would take the address /{0}/, which Campfire uses itself; choose another title"
    )]
    Reserved(String),
    #[error(
        "{0} is a symbolic link to a place outside the site folder, which the build skips: an entry written there would never be published (copy the folder into the site instead)"
    )]
    OutsideSite(PathBuf),
    #[error("the title \"{0}\" has no letters or digits to make a file name from")]
    EmptySlug(String),
    #[error("{}", .0.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"))]
    Config(Vec<crate::diagnostics::Diagnostic>),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Writes a new entry and returns its path. Never overwrites.
pub fn new_entry(root: &Path, kind: NewKind, title: &str) -> Result<PathBuf, ScaffoldError> {
    let config = SiteConfig::load(root).map_err(ScaffoldError::Config)?;
    let slug = slug::slugify(title);
    if slug.is_empty() {
        return Err(ScaffoldError::EmptySlug(title.to_string()));
    }
    let kind: Kind = kind.into();
    // A free page cannot take an address Campfire uses itself: the build
    // would refuse the file `new` had just written.
    if kind == Kind::Page
        && (crate::paths::reserved_segments().any(|r| r == slug)
            || config.languages.contains(&slug))
    {
        return Err(ScaffoldError::Reserved(slug));
    }
    let path = root
        .join(CONTENT_DIR)
        .join(kind.folder())
        .join(format!("{slug}.md"));
    if path.exists() {
        return Err(ScaffoldError::Exists(path));
    }
    // A folder that links out of the site is skipped by the build: an
    // entry written there would never be published.
    let folder = root.join(CONTENT_DIR).join(kind.folder());
    if folder.exists() && !crate::load::within_root(root, &folder) {
        return Err(ScaffoldError::OutsideSite(folder));
    }
    let today = chrono::Local::now().format("%Y-%m-%d");
    let list = |items: Vec<&str>| items.join(", ");
    let department = config.departments.first().map_or("TODO", |d| d.id.as_str());
    let touchpoint = config.touchpoints().next().unwrap_or("TODO");
    let value = config.values.first().map_or("TODO", String::as_str);
    let t = quote(title);
    // With people in site.yaml, an author can be named by id.
    let people = match config.people.first() {
        Some(p) => format!("   # or your id from site.yaml's people, like {}", p.id),
        None => String::new(),
    };
    let text = match kind {
        Kind::Story => format!(
            "---\ntitle: {t}\ndate: {today}\nauthor: \"{PLACEHOLDER} your name, your role\"{people}\ndepartment: {department}   # one of: {}\ntouchpoints: [{touchpoint}]   # any of: {}\nvalues: [{value}]   # any of: {}\ntags: []\ncustomer: \"{PLACEHOLDER} who the customer was, in a few words\"\noutcome: \"{PLACEHOLDER} what changed for them, in one sentence\"\n---\n\n## What happened\n\n{PLACEHOLDER}: tell the story in your own words.\n\n## What we changed\n\n## What we learned\n",
            list(config.department_ids()),
            list(config.touchpoints().collect()),
            list(config.values.iter().map(String::as_str).collect()),
        ),
        Kind::Term => format!(
            "---\nterm: {t}\naliases: []\nshort: \"{PLACEHOLDER} one line shown in tooltips\"\nlenses:\n  {department}: \"{PLACEHOLDER} what it means to this department\"\nrelated: []\n---\n\n{PLACEHOLDER}: the full definition, how we use it, an example.\n"
        ),
        Kind::Case => format!(
            "---\ntitle: {t}\ndate: {today}\norganization: \"{PLACEHOLDER} team or region\"\nindustry: \"\"\ndepartments: []   # listed on these departments' pages; any of: {}\ntouchpoints: [{touchpoint}]\ntags: []\nsummary: \"{PLACEHOLDER} one or two sentences\"\nmetrics:\n  - {{ name: \"{PLACEHOLDER} metric\", before: 0, after: 0, unit: \"%\", better: higher }}\n---\n\n## Context\n\n{PLACEHOLDER}: what was happening before.\n\n## What we tried\n\n## Results\n",
            list(config.department_ids()),
        ),
        Kind::Path => format!(
            "---\ntitle: {t}\ndepartments: []   # listed on these departments' pages; any of: {}\naudience: \"{PLACEHOLDER} who this path is for\"\nduration: \"60 minutes\"\nsummary: \"{PLACEHOLDER} what people will be able to do afterwards\"\nsteps:\n  - page: {}\n    note: \"{PLACEHOLDER} replace with the first story, term or case\"\n---\n\n{PLACEHOLDER}: what participants read first (it is on their handout).\n\n## Running the session {{.trainer}}\n\n{PLACEHOLDER}: notes for the trainer.\n",
            list(config.department_ids()),
            first_page_slug(root).unwrap_or_else(|| "about".into())
        ),
        Kind::Page => format!(
            "---\ntitle: {t}\nweight: 10\nmenu: false # true lists it in the main menu\n---\n\n{PLACEHOLDER}: write the page.\n"
        ),
    };
    let parent = path.parent().unwrap_or(root);
    std::fs::create_dir_all(parent).map_err(|source| ScaffoldError::Io {
        path: parent.to_path_buf(),
        source,
    })?;
    // `create_new` makes "never overwrite" hold even against a race.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => ScaffoldError::Exists(path.clone()),
            _ => ScaffoldError::Io {
                path: path.clone(),
                source,
            },
        })?;
    Ok(path)
}

fn first_page_slug(root: &Path) -> Option<String> {
    let dir = root.join(CONTENT_DIR).join("pages");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".md")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    names.into_iter().next()
}

const INIT_FILES: &[(&str, &str)] = &[
    (
        "site.yaml",
        "title: Customer Stories\ndescription: How we change our customers' experience.\n# Where the site will be published (the feed and sitemap need it):\n# base_url: https://stories.example.com/\nlanguage: en\nlanguages: [pt]\ndepartments:\n  - { id: customer-care, name: Customer Care }\n  - { id: logistics, name: Logistics }\n  - { id: it, name: IT }\njourney:\n  - stage: Discover\n    touchpoints: [website, store]\n  - stage: Receive\n    touchpoints: [delivery]\n  - stage: Use\n    touchpoints: [support-call]\nvalues: [ownership, empathy, going-beyond]\n",
    ),
    (
        "content/stories/first-delivery.md",
        "---\ntitle: The delivery that arrived before the storm\ndate: 2026-01-15\nauthor: \"Sam Rivera, Delivery Lead\"\ndepartment: logistics\ntouchpoints: [delivery]\nvalues: [ownership, going-beyond]\ntags: [weather]\nfeatured: true\n---\n\nA customer called at 7 a.m.: a storm was coming and her fridge order was due the next day. We moved her to the first slot of the morning run.\n\n## What we learned\n\nAsking one more question at the first touchpoint saved a second trip. See how [the support team](support-callback.md) made calls shorter too.\n",
    ),
    (
        "content/stories/support-callback.md",
        "---\ntitle: Calling back instead of keeping people on hold\ndate: 2026-02-03\nauthor: \"Priya Shah, Contact Centre\"\ndepartment: customer-care\ntouchpoints: [support-call]\nvalues: [empathy]\n---\n\nWe offered a callback when the queue was long. Customers stopped waiting, and our NPS rose.\n",
    ),
    (
        "content/glossary/touchpoint.md",
        "---\nterm: Touchpoint\naliases: []\nshort: Any moment where a customer meets the company.\nlenses:\n  it: \"Every screen, message or system event the customer sees.\"\n  logistics: \"The doorstep, the delivery text, the driver.\"\nrelated: [nps]\n---\n\nA touchpoint is any point of contact between a customer and us.\n",
    ),
    (
        "content/glossary/nps.md",
        "---\nterm: Net Promoter Score\naliases: [NPS]\nshort: How likely customers are to recommend us, from -100 to 100.\nlenses:\n  customer-care: \"The score after a call tells you how the call felt.\"\nrelated: [touchpoint]\n---\n\nThe share of promoters minus the share of detractors.\n",
    ),
    (
        "content/glossary/nps.pt.md",
        "---\nterm: Net Promoter Score\naliases: [NPS]\nshort: A probabilidade de os clientes nos recomendarem, de -100 a 100.\nrelated: [touchpoint]\n---\n\nA percentagem de promotores menos a de detratores.\n",
    ),
    (
        "content/cases/callback-pilot.md",
        "---\ntitle: Callback pilot\ndate: 2026-03-01\norganization: Contact Centre\ntouchpoints: [support-call]\nmetrics:\n  - { name: Abandoned calls, before: 12, after: 4, unit: \"%\", better: lower }\n  - { name: NPS, before: 21, after: 34, better: higher }\n---\n\nSix weeks of offering callbacks at peak times.\n",
    ),
    (
        "content/paths/welcome.md",
        "---\ntitle: Welcome to customer experience\naudience: New starters\nduration: 30 minutes\nsteps:\n  - term: touchpoint\n    note: Start with the vocabulary.\n  - story: first-delivery\n  - case: callback-pilot\n---\n\nRead each step, then discuss it with your team.\n",
    ),
    (
        "content/pages/about.md",
        "---\ntitle: About\nweight: 1\n---\n\nThis site collects our staff stories and the vocabulary we share. Write your own with `campfire new story \"Title\"`.\n",
    ),
];

/// Creates a new, working site in `dir`, which must be missing or empty.
pub fn init(dir: &Path) -> Result<(), ScaffoldError> {
    // A file, or a link to nothing, where the site should go: said as
    // such (creating site.yaml "inside" it failed with "File exists").
    if std::fs::symlink_metadata(dir).is_ok() && !dir.is_dir() {
        return Err(ScaffoldError::NotAFolder(dir.to_path_buf()));
    }
    if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    for (rel, text) in INIT_FILES {
        let path = dir.join(rel);
        let parent = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|source| ScaffoldError::Io { path, source })?;
    }
    std::fs::write(dir.join(".gitignore"), "/public\n/.campfire-cache\n").map_err(|source| {
        ScaffoldError::Io {
            path: dir.join(".gitignore"),
            source,
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every "TODO" a skeleton writes is one of [`PLACEHOLDERS`], so loading
    /// flags each of them and nothing else.
    #[test]
    fn placeholders_list_matches_the_skeletons() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        init(&root).unwrap();
        let config = SiteConfig::load(&root).unwrap();
        for kind in [
            NewKind::Story,
            NewKind::Term,
            NewKind::Case,
            NewKind::Path,
            NewKind::Page,
        ] {
            let path = new_entry(&root, kind, "A new one").unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            let todo_lines = text.lines().filter(|l| l.contains(PLACEHOLDER)).count();
            assert!(todo_lines > 0, "{text}");
            for line in text.lines().filter(|l| l.contains(PLACEHOLDER)) {
                assert!(
                    PLACEHOLDERS.iter().any(|p| line.contains(p)),
                    "not in PLACEHOLDERS: {line}"
                );
            }
            let rel = path.strip_prefix(root.join(CONTENT_DIR)).unwrap();
            let crate::load::Parsed { entry, diags, .. } =
                crate::load::parse_file(&root, rel, &config);
            assert!(entry.is_none());
            assert_eq!(diags.error_count(), todo_lines, "{}", diags.render());
        }
    }
}
