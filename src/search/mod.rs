//! Full-text search: a sharded index built at build time into
//! `search/` under the output directory, read by the query engine (the
//! `campfire_search` crate in `search-engine/`) both for `campfire search`
//! ([`search_output`]) and in the browser, where `assets/search.js` runs the
//! same engine compiled to WebAssembly (`assets/search-engine.js`; no
//! server, works from `file://`).
//!
//! # Files written by [`build_index`]
//!
//! Every file is a script that hands its payload to the browser with
//! `window.campfireSearch.add(KEY, PAYLOAD);` so that it can be loaded by a
//! `<script>` tag (no `fetch()`, which `file://` forbids). The payloads are
//! described in `campfire_search::format`:
//!
//! - `search/manifest.js`: format version, a hash of all the other files
//!   (the browser loads them as `…js?v=HASH`, so no cached file of an older
//!   build is mixed with a newer manifest), document count, docs per chunk,
//!   the sorted term-shard keys (front-coded);
//! - `search/t/<key>.js`: a term shard: every term whose longest shard-key
//!   prefix is `<key>`, with its idf, document frequency and postings, and
//!   the surface forms there indexed under another term (their stem);
//! - `search/p/<key>.js` (and `q/…`, split off big ones): two-term phrases
//!   whose first term is in term shard `<key>`;
//! - `search/v/<base>.js`: the vocabulary, for typo tolerance;
//! - `search/d/<n>.js`: documents `n*c .. n*c+c-1` (url, title, kind,
//!   language, text for snippets, translation group);
//! - `search/facets.js` (`"facets"`, a JSON object): facet values of every
//!   document, run-length encoded (needed only on the search pages). The
//!   values are ids (`logistics`), the same for every language: each
//!   language's search page (`search/`, `pt/search/`) names them itself
//!   (`render::search_docs::facet_names`).
//!
//! Postings are base-64 digits: for each document, the gap from the
//! previous document id as a varint then one digit (< 32) of quantised
//! BM25 weight. A term's score in a document is `idf * weight` (both
//! integers), so ranking is exact integer arithmetic (ties go to the lower
//! document id).

//!
//! # Wiring it into the build
//!
//! 1. After rendering, collect one [`SearchDoc`] per page (drafts excluded
//!    unless `--drafts`), call [`build_index`] and write each returned
//!    `(path, bytes)` under the output directory.
//! 2. Ship `layouts/assets/search.js`, `search-engine.js` and `search.css`
//!    as `assets/…` (they expect `<body data-root="…">` and
//!    `form.site-search` from base.html).
//! 3. Render `layouts/search.html` to `search/index.html` (root `../`),
//!    and to `pt/search/index.html` for each other language.
//! 4. `campfire search "query"`: [`search_results`] then [`print_results`]
//!    (the hits, and the notes the search page shows about them).

mod format;
mod index;
mod query;
mod tokenize;

use std::borrow::Cow;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use index::{
    Emit, build_index, build_index_freeing, build_index_into, build_index_owned, stored_len,
    stored_len_whatever_follows,
};
pub use query::{first_query_files, search_built, search_output, search_results};
pub use tokenize::{fold, tokens};

/// The kind of a searchable entry. Serialised in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocKind {
    Story,
    Term,
    Case,
    Path,
    Page,
}

impl DocKind {
    pub const ALL: [DocKind; 5] = [
        DocKind::Story,
        DocKind::Term,
        DocKind::Case,
        DocKind::Path,
        DocKind::Page,
    ];

    /// The lower-case id (`story`, `term`, …), as in the index and facets.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Story => "story",
            DocKind::Term => "term",
            DocKind::Case => "case",
            DocKind::Path => "path",
            DocKind::Page => "page",
        }
    }

    /// What a reader sees on the result's badge.
    pub fn label(self) -> &'static str {
        match self {
            DocKind::Story => "Story",
            DocKind::Term => "Term",
            DocKind::Case => "Case study",
            DocKind::Path => "Training path",
            DocKind::Page => "Page",
        }
    }

    pub fn from_id(id: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == id)
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A facet of a document: its dimension and its value. A site's
/// documents share a few dozen values (at 100,000 stories, held once each
/// they were some 50 MB of the index's peak, made a string each).
pub type Facet = (&'static str, std::sync::Arc<str>);

/// One searchable entry, produced by the render stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    /// Relative to the site root, ends with '/': `stories/snowed-in/`.
    pub url: String,
    pub kind: DocKind,
    pub title: String,
    /// `en`, `pt`, `es`… English documents are stemmed.
    pub language: String,
    /// Weighted like the title: term name and aliases, tags.
    pub keywords: Vec<String>,
    /// Plain text (no HTML) of the entry.
    pub body: DocBody,
    /// (`department`, `it`), (`touchpoint`, `delivery`), (`value`,
    /// `empathy`)…; the `type` and `language` facets are derived.
    pub facets: Vec<Facet>,
    /// The same entry in other languages has the same group (`term:nps`);
    /// empty if it has no translations. Results of one group are shown
    /// together, each labelled with its language.
    pub group: String,
}

/// A document's plain text: as it is, or, for a big site's one-off build,
/// the entry's text still packed (see `crate::packed`) with what goes
/// before and after it, or made only when the index reads it: so that the
/// index holds one document's text at a time rather than all of them (340
/// MB at 100,000 stories).
#[derive(Debug, Clone)]
pub enum DocBody {
    Plain(String),
    Packed {
        before: String,
        text: crate::packed::Packed,
        after: String,
        /// The byte length of the text the document's file keeps of it
        /// (`index::stored_text`), when it was found before packing (see
        /// [`stored_len_whatever_follows`]): the index then need
        /// not unpack it to size the files.
        stored_len: Option<usize>,
    },
    /// Made when it is read, from what is held anyway: `serve`'s index
    /// after a save is made from the rendered bodies the server keeps;
    /// every document's text (and the text each file keeps of it) made at
    /// once set the server's peak, some 15 MiB higher at 10,000 stories.
    Deferred {
        text: TextMaker,
        /// The byte length of the text the document's file keeps of it,
        /// found when the text was made first (see [`stored_len`]).
        stored_len: usize,
    },
}

/// Makes a [`DocBody::Deferred`]'s text, the same each time.
#[derive(Clone)]
pub struct TextMaker(pub std::sync::Arc<dyn Fn() -> String + Send + Sync>);

impl std::fmt::Debug for TextMaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextMaker")
    }
}

impl DocBody {
    /// The whole text (borrowed when it is held as it is).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            DocBody::Plain(text) => Cow::Borrowed(text),
            DocBody::Packed {
                before,
                text,
                after,
                ..
            } => {
                let text = text.text();
                let mut whole = String::with_capacity(before.len() + text.len() + after.len());
                whole.push_str(before);
                whole.push_str(&text);
                whole.push_str(after);
                Cow::Owned(whole)
            }
            DocBody::Deferred { text, .. } => Cow::Owned((text.0)()),
        }
    }

    /// The byte length of the text the document's file keeps, when it is
    /// known without the text (see `DocBody::Packed::stored_len`).
    pub fn stored_len(&self) -> Option<usize> {
        match self {
            DocBody::Plain(_) => None,
            DocBody::Packed { stored_len, .. } => *stored_len,
            DocBody::Deferred { stored_len, .. } => Some(*stored_len),
        }
    }

    pub fn into_string(self) -> String {
        match self {
            DocBody::Plain(text) => text,
            held => held.text().into_owned(),
        }
    }
}

impl Default for DocBody {
    fn default() -> Self {
        DocBody::Plain(String::new())
    }
}

impl From<String> for DocBody {
    fn from(text: String) -> Self {
        DocBody::Plain(text)
    }
}

impl From<&str> for DocBody {
    fn from(text: &str) -> Self {
        DocBody::Plain(text.to_string())
    }
}

/// The same text, however it is held.
impl PartialEq for DocBody {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl Eq for DocBody {}

/// One result of a query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub url: String,
    pub kind: DocKind,
    pub title: String,
    pub language: String,
    /// See [`SearchDoc::group`].
    pub group: String,
    /// Plain text around the best match (no HTML, no markup).
    pub snippet: String,
    pub score: f64,
}

/// The results of a query and what the search page says about them.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// The first results.
    pub hits: Vec<Hit>,
    /// Does the best result hold every word (false: no result does, these
    /// hold some of them)?
    pub every: bool,
    /// Similar words searched too (typo corrections), as the search page
    /// lists them.
    pub corrections: Vec<String>,
}

/// Why a search over a built site failed.
#[derive(Debug)]
pub enum SearchError {
    /// There is no search index in that output directory.
    NoIndex(std::path::PathBuf),
    Io(std::path::PathBuf, std::io::Error),
    /// An index file is not what this version writes (rebuild the site).
    Format(String, String),
}

impl fmt::Display for SearchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SearchError::NoIndex(p) => write!(
                f,
                "{}: no search index here (run `campfire build` first)",
                p.display()
            ),
            SearchError::Io(p, e) => write!(f, "{}: {e}", p.display()),
            SearchError::Format(p, m) => write!(
                f,
                "{p}: unreadable search index file ({m}); rebuild the site"
            ),
        }
    }
}

impl std::error::Error for SearchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SearchError::Io(_, e) => Some(e),
            _ => None,
        }
    }
}

/// Terminal output for `campfire search "query"`.
pub fn print_hits(hits: &[Hit]) -> String {
    use std::fmt::Write;
    if hits.is_empty() {
        return "No results. Try fewer or different words.\n".to_string();
    }
    let mut out = String::new();
    let languages = hits.iter().any(|h| h.language != hits[0].language);
    for (i, h) in hits.iter().enumerate() {
        let label = if languages {
            format!("{}, {}", h.kind.label(), h.language)
        } else {
            h.kind.label().to_string()
        };
        let translation = i > 0 && !h.group.is_empty() && hits[i - 1].group == h.group;
        let _ = writeln!(
            out,
            "{:>2}. {}{} [{label}]",
            i + 1,
            if translation { "└ " } else { "" },
            h.title
        );
        let _ = writeln!(out, "    {}", h.url);
        if !h.snippet.is_empty() {
            let _ = writeln!(out, "    {}", h.snippet);
        }
    }
    out
}

/// Terminal output for `campfire search "query"` with the notes the search
/// page shows above the results (in English, as the rest of the terminal's
/// output): no result has every word, and which similar words were
/// searched (`search_some_words` and `search_similar` in
/// `layouts/strings.yaml`).
pub fn print_results(r: &SearchResults) -> String {
    let mut out = String::new();
    if !r.hits.is_empty() {
        if !r.every {
            out.push_str("No result has all the words; showing results with some of them.\n");
        }
        if !r.corrections.is_empty() {
            out.push_str("Including similar words: ");
            out.push_str(&r.corrections.join(", "));
            out.push('\n');
        }
    }
    out.push_str(&print_hits(&r.hits));
    out
}

/// `assets/search.js` as `campfire build` ships it: `layouts/assets/search.js`
/// minified by esbuild (`scripts/build-search-engine.sh` writes it, and its
/// `--check` fails if it is not the source's minified form), as a first
/// query downloads it.
pub const SEARCH_JS_MINIFIED: &[u8] = include_bytes!("search.min.js");

/// Convenience for [`search_output`]'s callers that hold a path.
pub fn has_index(output_dir: &Path) -> bool {
    output_dir.join("search").join("manifest.js").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_serialises_lowercase() {
        assert_eq!(serde_json::to_string(&DocKind::Case).unwrap(), "\"case\"");
        for k in DocKind::ALL {
            assert_eq!(DocKind::from_id(k.as_str()), Some(k));
        }
    }

    #[test]
    fn prints_hits() {
        let hits = vec![Hit {
            url: "stories/snow/".into(),
            kind: DocKind::Story,
            title: "Snowed in".into(),
            language: "en".into(),
            group: String::new(),
            snippet: "…the van could not…".into(),
            score: 1.5,
        }];
        let s = print_hits(&hits);
        assert!(s.contains(" 1. Snowed in [Story]"), "{s}");
        assert!(s.contains("stories/snow/"));
        assert!(print_hits(&[]).contains("No results"));
        let mut r = SearchResults {
            hits,
            every: true,
            corrections: vec![],
        };
        assert_eq!(print_results(&r), s);
        r.every = false;
        r.corrections = vec!["snowed".into(), "snow".into()];
        assert_eq!(
            print_results(&r),
            format!(
                "No result has all the words; showing results with some of them.\n\
                 Including similar words: snowed, snow\n{s}"
            )
        );
        r.hits.clear();
        assert_eq!(
            print_results(&r),
            print_hits(&[]),
            "no notes without results"
        );
    }
}
