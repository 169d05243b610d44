//! Errors and warnings about a site's content, collected across a whole run
//! so a champion sees every mistake at once, each naming its file and line.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located as precisely as we know it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, e.g. `content/stories/snow.md`.
    pub path: PathBuf,
    /// 1-based; 0 when unknown.
    pub line: usize,
    /// 1-based; 0 when unknown.
    pub col: usize,
    /// What is wrong and what to do about it.
    pub message: String,
}

/// How every failed output write begins: `lines` counts them by cause.
const CANNOT_WRITE: &str = "cannot write: ";

impl Diagnostic {
    /// An output file that could not be written; `error` names the path
    /// written to and the system's reason.
    pub fn cannot_write(path: impl Into<PathBuf>, error: impl fmt::Display) -> Self {
        Diagnostic::error(path, 0, 0, format!("{CANNOT_WRITE}{error}"))
    }

    pub fn error(
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line,
            col,
            message: message.into(),
        }
    }

    pub fn warning(
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, col, message)
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A problem with no file (e.g. the output folder, named in the
        // message itself) prints just its message.
        if self.path.as_os_str().is_empty() {
            return f.write_str(&self.message);
        }
        // Forward slashes on every platform, so messages are stable in tests and docs.
        write!(f, "{}", self.path.to_string_lossy().replace('\\', "/"))?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        if self.severity == Severity::Warning {
            write!(f, ": warning")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// All problems of one run, each once: the same problem found twice (the
/// same bad value checked once per list item, say) is one line and counts
/// as one, so the "N errors" summary matches the lines printed.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// What `items` holds, for de-duplicating in constant time per push.
    seen: HashSet<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        if !self.seen.contains(&d) {
            self.seen.insert(d.clone());
            self.items.push(d);
        }
    }

    pub fn error(
        &mut self,
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) {
        self.push(Diagnostic::error(path, line, col, message));
    }

    pub fn warning(
        &mut self,
        path: impl Into<PathBuf>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) {
        self.push(Diagnostic::warning(path, line, col, message));
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Turns every warning into an error: `check` is strict where `build` is lenient.
    pub fn promote_warnings(&mut self) {
        let items = std::mem::take(&mut self.items);
        self.seen.clear();
        for mut d in items {
            d.severity = Severity::Error;
            self.push(d);
        }
    }

    /// Sorted by file, then position, so output is stable across parallel runs.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| {
            (&a.path, a.line, a.col, &a.message, a.severity)
                .cmp(&(&b.path, b.line, b.col, &b.message, b.severity))
        });
        v
    }

    /// One diagnostic per line (see `lines`).
    pub fn render(&self) -> String {
        lines(&self.sorted())
    }

    /// For the person editing: errors before warnings, and among each the
    /// files in `first` (the ones just saved) before the others. Otherwise
    /// a YAML mistake can sit sixth among a dozen broken-link warnings.
    pub fn render_for(&self, first: &[&Path]) -> String {
        let mut items = self.sorted();
        items.sort_by_key(|d| (!d.is_error(), !first.contains(&d.path.as_path())));
        lines(&items)
    }
}

/// One line per diagnostic, except that one cause of failed writes (a full
/// disk, a folder that became read-only) is shown for its first few files,
/// then counted: otherwise a full disk under a 100,000-page site prints
/// 100,000 lines and hides every other message.
fn lines(items: &[&Diagnostic]) -> String {
    const SHOWN: usize = 3;
    let mut per_cause: HashMap<&str, usize> = HashMap::new();
    let mut out = String::new();
    for d in items {
        if let Some(cause) = write_failure_cause(d) {
            let seen = per_cause.entry(cause).or_default();
            *seen += 1;
            if *seen > SHOWN {
                continue;
            }
        }
        out.push_str(&d.to_string());
        out.push('\n');
    }
    let mut more: Vec<(&str, usize)> = per_cause.into_iter().filter(|&(_, n)| n > SHOWN).collect();
    more.sort_unstable();
    for (cause, n) in more {
        out.push_str(&format!(
            "… and {} more files could not be written: {cause}\n",
            n - SHOWN
        ));
    }
    out
}

/// The cause of a [`Diagnostic::cannot_write`] ("cannot write: PATH: CAUSE").
fn write_failure_cause(d: &Diagnostic) -> Option<&str> {
    let rest = d.message.strip_prefix(CANNOT_WRITE)?;
    rest.rsplit(": ").next()
}

/// Suggests the closest known id, for "did you mean" hints.
pub fn did_you_mean<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(word, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// `(known: a, b, c; did you mean "b"?)`, the hint appended to an unknown-id message.
pub fn known_hint(word: &str, known: &[&str]) -> String {
    let mut hint = if known.is_empty() {
        "(none are declared in site.yaml".to_string()
    } else {
        format!("(known: {}", known.join(", "))
    };
    if let Some(s) = did_you_mean(word, known.iter().copied()) {
        hint.push_str(&format!("; did you mean \"{s}\"?"));
    }
    hint.push(')');
    hint
}

/// Path relative to the site root, for messages.
pub fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_the_edited_file_come_first() {
        let mut d = Diagnostics::new();
        d.warning("content/a.md", 1, 0, "broken link");
        d.error("content/b.md", 2, 0, "unknown department");
        d.warning("content/z.md", 3, 0, "broken link");
        d.error("content/z.md", 1, 0, "bad YAML");
        let text = d.render_for(&[Path::new("content/z.md")]);
        let order: Vec<&str> = text.lines().collect();
        assert_eq!(
            order,
            [
                "content/z.md:1: bad YAML",
                "content/b.md:2: unknown department",
                "content/z.md:3: warning: broken link",
                "content/a.md:1: warning: broken link",
            ]
        );
    }

    #[test]
    fn display_names_file_line_and_column() {
        let d = Diagnostic::error("content/stories/snow.md", 4, 12, "unknown department");
        assert_eq!(
            d.to_string(),
            "content/stories/snow.md:4:12: unknown department"
        );
        let w = Diagnostic::warning("site.yaml", 0, 0, "odd");
        assert_eq!(w.to_string(), "site.yaml: warning: odd");
    }

    #[test]
    fn suggests_close_ids() {
        let known = ["it", "logistics", "compliance"];
        assert_eq!(did_you_mean("logsitics", known), Some("logistics"));
        assert_eq!(did_you_mean("marketing", known), None);
        assert_eq!(
            known_hint("logsitics", &known),
            "(known: it, logistics, compliance; did you mean \"logistics\"?)"
        );
    }

    #[test]
    fn the_count_matches_the_lines_printed() {
        let mut d = Diagnostics::new();
        for _ in 0..1000 {
            d.error(
                "content/glossary/x.md",
                3,
                10,
                "every item of `aliases` must be text",
            );
        }
        d.warning("content/glossary/x.md", 4, 1, "unknown key `x`");
        let mut other = Diagnostics::new();
        other.error(
            "content/glossary/x.md",
            3,
            10,
            "every item of `aliases` must be text",
        );
        other.error("site.yaml", 2, 1, "bad");
        d.extend(other);
        assert_eq!(d.error_count(), 2);
        assert_eq!(d.warning_count(), 1);
        assert_eq!(d.render().lines().count(), 3);
        // `check` turns the warning into an error: still one line each.
        d.warning("content/glossary/x.md", 4, 1, "unknown key `x`");
        d.error("content/glossary/x.md", 4, 1, "unknown key `x`");
        d.promote_warnings();
        assert_eq!(d.error_count(), 3);
        assert_eq!(d.render().lines().count(), 3);
    }

    #[test]
    fn many_files_failing_for_one_cause_are_counted_not_listed() {
        let mut d = Diagnostics::new();
        for i in 0..1000 {
            d.push(Diagnostic::cannot_write(
                format!("search/d/{i}.js"),
                format!("/out/.staging/search/d/{i}.js: No space left on device (os error 28)"),
            ));
        }
        d.error("content/stories/a.md", 3, 1, "unknown department `x`");
        let text = d.render();
        assert_eq!(text.lines().count(), 3 + 1 + 1, "{text}");
        assert!(text.contains("content/stories/a.md:3:1: unknown department"));
        assert!(text.ends_with(
            "… and 997 more files could not be written: No space left on device (os error 28)\n"
        ));
        assert_eq!(d.error_count(), 1001);
    }
}
