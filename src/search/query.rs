//! The query engine over built index files: the same algorithm as
//! `layouts/assets/search.js` (keep the two in step), so `campfire search`
//! and the browser rank identically.
//!
//! 1. The query is cut into folded tokens; duplicates and (unless nothing
//!    else is left) stop words are dropped; at most [`MAX_WORDS`] remain. The
//!    last one is a prefix if the query does not end with a space or
//!    punctuation and it has at least [`MIN_PREFIX_CHARS`] characters.
//! 2. Each word's candidate terms: the word itself and its English stem
//!    (exact, weight x2), and for the prefix word up to [`MAX_EXPANSIONS`]
//!    other terms starting with it (weight x1), the most frequent first,
//!    taken from the word's shard and, when there are at most
//!    [`MAX_PREFIX_SHARDS`] of them, the shards split off below it.
//! 3. A word's score in a document is the best `idf * weight * (2|1)` over
//!    its candidates. Documents that match every word rank by the sum of
//!    their word scores; when no document matches every word, documents that
//!    match any rank by (words matched, sum). Ties go to the lower doc id.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::index::{DIGITS, FORMAT_VERSION, base_key, key_file_name};
use super::tokenize::{
    english_stemmer, is_stop_word, is_word_char, stem_english, word_tokens, words,
};
use super::{DocKind, Hit, SearchError};

pub(crate) const MAX_WORDS: usize = 10;
pub(crate) const MIN_PREFIX_CHARS: usize = 2;
pub(crate) const MAX_EXPANSIONS: usize = 32;
pub(crate) const MAX_PREFIX_SHARDS: usize = 6;
/// Divides the integer score into something BM25-sized for display.
const SCORE_SCALE: f64 = 1800.0;
const SNIPPET_CHARS: usize = 200;
const SNIPPET_LEAD: usize = 40;

/// Where index files come from.
pub(crate) trait Store {
    /// `search/<rel>.js`, parsed; `None` if there is no such file.
    fn load(&mut self, rel: &str) -> Result<Option<Value>, SearchError>;
}

/// Reads `window.campfireSearch.add("key",JSON);` back.
pub(crate) fn parse_js(name: &str, bytes: &[u8]) -> Result<(String, Value), SearchError> {
    let err = |m: &str| SearchError::Format(name.to_string(), m.to_string());
    let text = std::str::from_utf8(bytes).map_err(|_| err("not UTF-8"))?;
    let rest = text
        .strip_prefix("window.campfireSearch.add(")
        .ok_or_else(|| err("unexpected start"))?;
    let rest = rest
        .trim_end()
        .strip_suffix(");")
        .ok_or_else(|| err("unexpected end"))?;
    let comma = rest.find(',').ok_or_else(|| err("no payload"))?;
    let key: String = serde_json::from_str(&rest[..comma]).map_err(|e| err(&e.to_string()))?;
    let value: Value = serde_json::from_str(&rest[comma + 1..]).map_err(|e| err(&e.to_string()))?;
    Ok((key, value))
}

pub(crate) struct FsStore {
    dir: PathBuf,
    /// Files read so far and their sizes (what a browser would download).
    pub(crate) loaded: Vec<(String, usize)>,
}

impl FsStore {
    pub(crate) fn new(output_dir: &Path) -> FsStore {
        FsStore {
            dir: output_dir.join("search"),
            loaded: Vec::new(),
        }
    }
}

impl Store for FsStore {
    fn load(&mut self, rel: &str) -> Result<Option<Value>, SearchError> {
        let path = self.dir.join(format!("{}.js", file_of(rel)));
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SearchError::Io(path, e)),
        };
        self.loaded.push((rel.to_string(), bytes.len()));
        let (key, value) = parse_js(&path.display().to_string(), &bytes)?;
        if key != rel {
            return Err(SearchError::Format(
                path.display().to_string(),
                format!("holds {key:?}, expected {rel:?}"),
            ));
        }
        Ok(Some(value))
    }
}

struct MemStore<'a> {
    files: HashMap<&'a str, &'a [u8]>,
}

impl Store for MemStore<'_> {
    fn load(&mut self, rel: &str) -> Result<Option<Value>, SearchError> {
        let name = format!("search/{}.js", file_of(rel));
        match self.files.get(name.as_str()) {
            None => Ok(None),
            Some(bytes) => Ok(Some(parse_js(&name, bytes)?.1)),
        }
    }
}

/// The file (relative to `search/`, without `.js`) of a payload key.
fn file_of(rel: &str) -> String {
    match rel.strip_prefix("t/") {
        Some(key) => format!("t/{}", key_file_name(key)),
        None => rel.to_string(),
    }
}

struct TermInfo {
    idf: u64,
    df: u64,
    postings: String,
}

/// A document as stored in `d/<n>.js`.
pub(crate) struct StoredDoc {
    pub url: String,
    pub title: String,
    pub kind: DocKind,
    #[allow(dead_code)]
    pub language: String,
    pub text: String,
}

/// One query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryWord {
    pub word: String,
    pub stem: String,
    pub prefix: bool,
}

/// Cuts a query into words (see the module docs).
pub(crate) fn parse_query(query: &str) -> Vec<QueryWord> {
    let mut toks: Vec<String> = Vec::new();
    for w in words(query) {
        word_tokens(&query[w.start..w.end], |t| toks.push(t.to_string()));
    }
    let open_end = query.chars().last().is_some_and(is_word_char);
    let last = toks.last().cloned();
    let mut seen = HashSet::new();
    let mut list: Vec<String> = toks
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect();
    let prefix_word = if open_end && list.last() == last.as_ref() {
        last
    } else {
        None
    };
    if list.iter().any(|w| !is_stop_word(w)) {
        list.retain(|w| !is_stop_word(w));
    }
    list.truncate(MAX_WORDS);
    let stemmer = english_stemmer();
    let n = list.len();
    list.into_iter()
        .enumerate()
        .map(|(i, word)| {
            let prefix = i + 1 == n
                && prefix_word.as_deref() == Some(word.as_str())
                && word.chars().count() >= MIN_PREFIX_CHARS;
            QueryWord {
                stem: stem_english(&stemmer, &word).into_owned(),
                word,
                prefix,
            }
        })
        .collect()
}

/// Decodes a postings string into (doc id, weight) pairs.
fn decode_postings(s: &str, mut f: impl FnMut(u32, u64)) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut prev: i64 = -1;
    while i < b.len() {
        let mut gap: i64 = 0;
        loop {
            let d = digit(b[i]);
            i += 1;
            gap = gap * 32 + (d & 31) as i64;
            if d < 32 {
                break;
            }
        }
        let id = prev + 1 + gap;
        prev = id;
        let w = digit(b[i]) as u64;
        i += 1;
        f(id as u32, w);
    }
}

const DIGIT_VALUES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 64 {
        t[DIGITS[i] as usize] = i as u8;
        i += 1;
    }
    t
};

fn digit(b: u8) -> u8 {
    DIGIT_VALUES[(b & 127) as usize]
}

/// Ranked result: doc id, integer score, words matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ranked {
    pub id: u32,
    pub score: u64,
    pub matched: u32,
}

pub(crate) struct Engine<S: Store> {
    pub(crate) store: S,
    n: usize,
    per_chunk: usize,
    keys: HashSet<String>,
    sorted_keys: Vec<String>,
    shards: HashMap<String, Option<HashMap<String, TermInfo>>>,
    chunks: HashMap<usize, Vec<StoredDoc>>,
}

fn format_err(what: &str) -> SearchError {
    SearchError::Format("search/manifest.js".into(), what.into())
}

impl<S: Store> Engine<S> {
    pub(crate) fn open(mut store: S, output_dir: &Path) -> Result<Self, SearchError> {
        let m = store
            .load("manifest")?
            .ok_or_else(|| SearchError::NoIndex(output_dir.to_path_buf()))?;
        if m["v"].as_u64() != Some(FORMAT_VERSION) {
            return Err(format_err("written by another version"));
        }
        let n = m["n"].as_u64().ok_or_else(|| format_err("no n"))? as usize;
        let per_chunk = m["c"].as_u64().ok_or_else(|| format_err("no c"))?.max(1) as usize;
        let sorted_keys: Vec<String> = m["keys"]
            .as_array()
            .ok_or_else(|| format_err("no keys"))?
            .iter()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect();
        Ok(Engine {
            store,
            n,
            per_chunk,
            keys: sorted_keys.iter().cloned().collect(),
            sorted_keys,
            shards: HashMap::new(),
            chunks: HashMap::new(),
        })
    }

    /// The shard that holds `term`, if any.
    fn shard_for(&self, term: &str) -> Option<String> {
        let min = base_key(term).len();
        let mut ends: Vec<usize> = term.char_indices().map(|(i, _)| i).skip(1).collect();
        ends.push(term.len());
        ends.into_iter()
            .rev()
            .filter(|&e| e >= min)
            .map(|e| &term[..e])
            .find(|k| self.keys.contains(*k))
            .map(str::to_string)
    }

    fn load_shard(&mut self, key: &str) -> Result<(), SearchError> {
        if self.shards.contains_key(key) {
            return Ok(());
        }
        let rel = format!("t/{key}");
        let shard = match self.store.load(&rel)? {
            None => None,
            Some(Value::Object(map)) => {
                let mut terms = HashMap::with_capacity(map.len());
                for (t, v) in map {
                    let (Some(idf), Some(df), Some(p)) =
                        (v[0].as_u64(), v[1].as_u64(), v[2].as_str())
                    else {
                        return Err(SearchError::Format(rel, format!("bad entry for {t:?}")));
                    };
                    terms.insert(
                        t,
                        TermInfo {
                            idf,
                            df,
                            postings: p.to_string(),
                        },
                    );
                }
                Some(terms)
            }
            Some(_) => return Err(SearchError::Format(rel, "not an object".into())),
        };
        self.shards.insert(key.to_string(), shard);
        Ok(())
    }

    /// Candidate terms of a word: (term, multiplier).
    fn candidates(&mut self, w: &QueryWord) -> Result<Vec<(String, u64)>, SearchError> {
        let mut exact = vec![w.word.clone()];
        if w.stem != w.word {
            exact.push(w.stem.clone());
        }
        let mut shard_keys: Vec<String> = exact.iter().filter_map(|t| self.shard_for(t)).collect();
        let mut prefix_keys: Vec<String> = Vec::new();
        if w.prefix {
            prefix_keys.extend(self.shard_for(&w.word));
            let children: Vec<String> = self
                .sorted_keys
                .iter()
                .filter(|k| k.len() > w.word.len() && k.starts_with(&w.word))
                .cloned()
                .collect();
            if children.len() <= MAX_PREFIX_SHARDS {
                prefix_keys.extend(children);
            }
            shard_keys.extend(prefix_keys.iter().cloned());
        }
        for k in &shard_keys {
            self.load_shard(k)?;
        }
        let mut out: Vec<(String, u64)> = Vec::new();
        for t in &exact {
            if let Some(k) = self.shard_for(t)
                && let Some(Some(shard)) = self.shards.get(&k)
                && shard.contains_key(t)
            {
                out.push((t.clone(), 2));
            }
        }
        if w.prefix {
            let mut exp: Vec<(&str, u64)> = Vec::new();
            let mut seen = HashSet::new();
            for k in &prefix_keys {
                if !seen.insert(k) {
                    continue;
                }
                if let Some(Some(shard)) = self.shards.get(k) {
                    for (t, info) in shard {
                        if t.starts_with(&w.word) && !exact.contains(t) {
                            exp.push((t, info.df));
                        }
                    }
                }
            }
            exp.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            exp.truncate(MAX_EXPANSIONS);
            out.extend(exp.into_iter().map(|(t, _)| (t.to_string(), 1)));
        }
        Ok(out)
    }

    fn term(&self, t: &str) -> Option<&TermInfo> {
        let k = self.shard_for(t)?;
        self.shards.get(&k)?.as_ref()?.get(t)
    }

    /// Every matching document, best first, and whether all words matched.
    pub(crate) fn rank(&mut self, words: &[QueryWord]) -> Result<(Vec<Ranked>, bool), SearchError> {
        if words.is_empty() {
            return Ok((Vec::new(), true));
        }
        let mut total = vec![0u64; self.n];
        let mut matched = vec![0u32; self.n];
        let mut best = vec![0u64; self.n];
        let mut touched: Vec<u32> = Vec::new();
        for w in words {
            let cands = self.candidates(w)?;
            touched.clear();
            for (t, mult) in &cands {
                let Some(info) = self.term(t) else { continue };
                let idf = info.idf;
                decode_postings(&info.postings, |id, weight| {
                    let s = idf * weight * mult;
                    let b = &mut best[id as usize];
                    if *b == 0 {
                        touched.push(id);
                    }
                    if s > *b {
                        *b = s;
                    }
                });
            }
            for &id in &touched {
                let i = id as usize;
                total[i] += best[i];
                matched[i] += 1;
                best[i] = 0;
            }
        }
        let all = words.len() as u32;
        let mut out: Vec<Ranked> = (0..self.n)
            .filter(|&i| matched[i] == all)
            .map(|i| Ranked {
                id: i as u32,
                score: total[i],
                matched: matched[i],
            })
            .collect();
        let every = !out.is_empty() || all == 1;
        if out.is_empty() {
            out = (0..self.n)
                .filter(|&i| matched[i] > 0)
                .map(|i| Ranked {
                    id: i as u32,
                    score: total[i],
                    matched: matched[i],
                })
                .collect();
        }
        out.sort_by(|a, b| {
            b.matched
                .cmp(&a.matched)
                .then(b.score.cmp(&a.score))
                .then(a.id.cmp(&b.id))
        });
        Ok((out, every))
    }

    pub(crate) fn doc(&mut self, id: u32) -> Result<&StoredDoc, SearchError> {
        let c = id as usize / self.per_chunk;
        if !self.chunks.contains_key(&c) {
            let rel = format!("d/{c}");
            let bad = |m: &str| SearchError::Format(rel.clone(), m.to_string());
            let v = self.store.load(&rel)?.ok_or_else(|| bad("missing"))?;
            let arr = v.as_array().ok_or_else(|| bad("not an array"))?;
            let mut docs = Vec::with_capacity(arr.len());
            for d in arr {
                let s = |i: usize| d[i].as_str().unwrap_or_default().to_string();
                docs.push(StoredDoc {
                    url: s(0),
                    title: s(1),
                    kind: DocKind::from_id(d[2].as_str().unwrap_or_default())
                        .ok_or_else(|| bad("unknown kind"))?,
                    language: s(3),
                    text: s(4),
                });
            }
            self.chunks.insert(c, docs);
        }
        self.chunks[&c]
            .get(id as usize % self.per_chunk)
            .ok_or_else(|| SearchError::Format(format!("d/{c}"), "short chunk".into()))
    }

    pub(crate) fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let words = parse_query(query);
        let (ranked, _) = self.rank(&words)?;
        let stemmer = english_stemmer();
        let mut hits = Vec::new();
        for r in ranked.into_iter().take(limit) {
            let d = self.doc(r.id)?;
            hits.push(Hit {
                url: d.url.clone(),
                kind: d.kind,
                title: d.title.clone(),
                snippet: snippet(&d.text, &words, &stemmer).0,
                score: r.score as f64 / SCORE_SCALE,
            });
        }
        Ok(hits)
    }
}

/// Does this folded token of a text match a query word (for highlighting)?
fn token_matches(t: &str, words: &[QueryWord], stemmer: &rust_stemmers::Stemmer) -> bool {
    let st = stem_english(stemmer, t);
    words.iter().any(|w| {
        t == w.word || (w.prefix && t.starts_with(&w.word)) || st == w.word || st == w.stem
    })
}

/// A snippet of `text` around its best cluster of hits, with the byte
/// ranges of the hits in the snippet.
pub(crate) fn snippet(
    text: &str,
    words: &[QueryWord],
    stemmer: &rust_stemmers::Stemmer,
) -> (String, Vec<(usize, usize)>) {
    let all: Vec<(usize, usize)> = super::tokenize::words(text)
        .map(|w| (w.start, w.end))
        .collect();
    let hits: Vec<(usize, usize)> = all
        .iter()
        .copied()
        .filter(|&(s, e)| {
            let mut m = false;
            word_tokens(&text[s..e], |t| m = m || token_matches(t, words, stemmer));
            m
        })
        .collect();
    // Best window: most hits within SNIPPET_CHARS of a hit, earliest wins.
    let mut start = 0;
    if !hits.is_empty() {
        let mut best = (0, 0);
        for (i, &(s, _)) in hits.iter().enumerate() {
            let count = hits[i..]
                .iter()
                .take_while(|&&(s2, _)| s2 < s + SNIPPET_CHARS - SNIPPET_LEAD)
                .count();
            if count > best.1 {
                best = (i, count);
            }
        }
        let first = hits[best.0].0;
        // Start at the first word beginning at most SNIPPET_LEAD before it.
        start = all
            .iter()
            .map(|w| w.0)
            .find(|&s| s + SNIPPET_LEAD >= first)
            .unwrap_or(first);
    }
    // End at the last word ending within SNIPPET_CHARS.
    let limit = start + SNIPPET_CHARS;
    let end = if text.len() <= limit {
        text.len()
    } else {
        all.iter()
            .filter(|w| w.0 >= start && w.1 <= limit)
            .map(|w| w.1)
            .next_back()
            .unwrap_or(limit)
    };
    let mut end = end.max(start);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::new();
    let lead = if start > 0 { "…" } else { "" };
    out.push_str(lead);
    out.push_str(&text[start..end]);
    let ranges = hits
        .iter()
        .filter(|h| h.0 >= start && h.1 <= end)
        .map(|h| (h.0 - start + lead.len(), h.1 - start + lead.len()))
        .collect();
    // Anything after the snippet's last word (other than punctuation
    // directly attached) is elided.
    if end < text.len() {
        out.push('…');
    }
    (out, ranges)
}

/// Runs the browser's ranking over an already built output directory.
pub fn search_output(
    output_dir: &Path,
    query: &str,
    limit: usize,
) -> Result<Vec<Hit>, SearchError> {
    let mut engine = Engine::open(FsStore::new(output_dir), output_dir)?;
    engine.search(query, limit)
}

/// The same over files returned by [`build_index`](super::build_index), in
/// memory (for tests and tools).
pub fn search_built(
    files: &[(String, Vec<u8>)],
    query: &str,
    limit: usize,
) -> Result<Vec<Hit>, SearchError> {
    let store = MemStore {
        files: files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect(),
    };
    let mut engine = Engine::open(store, Path::new("(memory)"))?;
    engine.search(query, limit)
}

/// The files a browser loads for `query` on the /search/ page (manifest,
/// term shards, the documents of the first `limit` results, and facets if
/// `with_facets`), with their sizes, plus the number of results.
pub fn first_query_files(
    output_dir: &Path,
    query: &str,
    limit: usize,
    with_facets: bool,
) -> Result<(Vec<(String, usize)>, usize), SearchError> {
    let mut engine = Engine::open(FsStore::new(output_dir), output_dir)?;
    let words = parse_query(query);
    let (ranked, _) = engine.rank(&words)?;
    for r in ranked.iter().take(limit) {
        engine.doc(r.id)?;
    }
    if with_facets {
        engine.store.load("facets")?;
    }
    Ok((engine.store.loaded.clone(), ranked.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{SearchDoc, build_index};

    fn doc(url: &str, kind: DocKind, lang: &str, title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            url: url.into(),
            kind,
            title: title.into(),
            language: lang.into(),
            keywords: vec![],
            body: body.into(),
            facets: vec![],
        }
    }

    fn story(url: &str, title: &str, body: &str) -> SearchDoc {
        doc(url, DocKind::Story, "en", title, body)
    }

    fn urls(files: &[(String, Vec<u8>)], q: &str) -> Vec<String> {
        search_built(files, q, 100)
            .unwrap()
            .into_iter()
            .map(|h| h.url)
            .collect()
    }

    const FILLER: &str =
        "The team met every morning to look at the queue and talk about customers.";

    #[test]
    fn parses_queries() {
        let q = parse_query("The Refunds delay");
        assert_eq!(
            q,
            [
                QueryWord {
                    word: "refunds".into(),
                    stem: "refund".into(),
                    prefix: false
                },
                QueryWord {
                    word: "delay".into(),
                    stem: "delay".into(),
                    prefix: true
                },
            ]
        );
        assert!(!parse_query("refund ").last().unwrap().prefix);
        assert!(
            !parse_query("r").last().unwrap().prefix,
            "one character is no prefix"
        );
        assert_eq!(parse_query("the").len(), 1, "only stop words: keep them");
        assert_eq!(parse_query("refund refund").len(), 1);
        assert!(parse_query("  ").is_empty());
    }

    #[test]
    fn bm25_prefers_more_occurrences_and_shorter_documents() {
        let files = build_index(&[
            story("a/", "A", &format!("refund {FILLER} {FILLER} {FILLER}")),
            story("b/", "B", &format!("refund refund refund {FILLER}")),
            story("c/", "C", &format!("refund {FILLER}")),
            story("d/", "D", FILLER),
        ]);
        assert_eq!(urls(&files, "refund "), ["b/", "c/", "a/"]);
    }

    #[test]
    fn title_and_keyword_hits_rank_first() {
        let mut term = doc("t/", DocKind::Term, "en", "Net Promoter Score", FILLER);
        term.keywords = vec!["NPS".into(), "promoter score".into()];
        let files = build_index(&[
            story("body/", "Body", &format!("refund refund nps {FILLER}")),
            story("title/", "The refund", &format!("{FILLER} nps")),
            term,
        ]);
        assert_eq!(urls(&files, "refund ")[0], "title/");
        assert_eq!(urls(&files, "nps ")[0], "t/");
    }

    #[test]
    fn stems_english_on_both_sides() {
        let files = build_index(&[
            story("a/", "A", "Customers were refunded after the delays."),
            story("b/", "B", FILLER),
        ]);
        assert_eq!(urls(&files, "refund delay"), ["a/"]);
        assert_eq!(urls(&files, "refunding delayed "), ["a/"]);
        assert_eq!(urls(&files, "customer"), ["a/", "b/"]);
    }

    #[test]
    fn last_word_is_a_prefix() {
        let files = build_index(&[
            story("a/", "A", &format!("A refund came. {FILLER}")),
            story("b/", "B", &format!("They refused. {FILLER}")),
            story("c/", "C", &format!("Reflection. {FILLER}")),
        ]);
        let mut got = urls(&files, "refu");
        got.sort();
        assert_eq!(got, ["a/", "b/"]);
        assert!(
            urls(&files, "refu ").is_empty(),
            "a finished word is no prefix"
        );
        // An exact match beats a prefix match.
        let files = build_index(&[
            story("long/", "A", &format!("refunds, refunds. {FILLER}")),
            story("exact/", "B", &format!("a ref. {FILLER}")),
        ]);
        assert_eq!(urls(&files, "ref"), ["exact/", "long/"]);
    }

    #[test]
    fn all_words_first_then_falls_back_to_any() {
        let files = build_index(&[
            story("both/", "A", &format!("refund delay {FILLER}")),
            story("refund/", "B", &format!("refund refund refund {FILLER}")),
            story("delay/", "C", &format!("delay {FILLER}")),
        ]);
        assert_eq!(urls(&files, "refund delay "), ["both/"]);
        let files = build_index(&[
            story("refund/", "B", &format!("refund {FILLER}")),
            story("snow/", "C", &format!("snow snow {FILLER}")),
        ]);
        let got = urls(&files, "refund snow blizzard ");
        assert_eq!(got.len(), 2, "{got:?}");
    }

    #[test]
    fn folds_diacritics_both_ways() {
        let files = build_index(&[
            doc(
                "pt/a/",
                DocKind::Term,
                "pt",
                "Satisfação do cliente",
                "Medimos a satisfação.",
            ),
            doc(
                "pt/b/",
                DocKind::Term,
                "pt",
                "Outro",
                "Sem acento: satisfacao.",
            ),
            story("en/", "Other", FILLER),
        ]);
        let mut a = urls(&files, "satisfação");
        a.sort();
        let mut b = urls(&files, "SATISFACAO ");
        b.sort();
        assert_eq!(a, ["pt/a/", "pt/b/"]);
        assert_eq!(a, b);
    }

    #[test]
    fn stop_words_are_ignored() {
        let files = build_index(&[
            story("a/", "A", &format!("refund {FILLER}")),
            story("b/", "B", FILLER),
        ]);
        assert_eq!(urls(&files, "the refund "), urls(&files, "refund "));
    }

    #[test]
    fn ties_go_to_the_lower_doc_id_and_input_order_does_not_matter() {
        let docs = vec![
            story("b/", "Same", "refund"),
            story("a/", "Same", "refund"),
            doc("t/", DocKind::Term, "en", "Same", "refund"),
        ];
        let files = build_index(&docs);
        let mut rev = docs.clone();
        rev.reverse();
        assert_eq!(files, build_index(&rev), "same docs, same bytes");
        assert_eq!(urls(&files, "refund "), ["a/", "b/", "t/"]);
    }

    #[test]
    fn big_prefixes_split_into_shards_and_stay_findable() {
        // Many distinct "re…" terms make the "re" shard split.
        let words: Vec<String> = (0..4000)
            .map(|i| format!("re{}x{i}", ["a", "b", "c", "f"][i % 4]))
            .collect();
        let docs: Vec<SearchDoc> = words
            .chunks(40)
            .enumerate()
            .map(|(i, w)| story(&format!("s{i}/"), "T", &w.join(" ")))
            .collect();
        let files = build_index(&docs);
        let shards = files
            .iter()
            .filter(|(p, _)| p.starts_with("search/t/re"))
            .count();
        assert!(shards > 2, "{shards} shards");
        for w in ["reax0", "rebx1", "recx2", "refx3999"] {
            assert_eq!(urls(&files, &format!("{w} ")).len(), 1, "{w}");
        }
        // Prefix over split shards.
        assert!(!urls(&files, "refx39").is_empty());
    }

    #[test]
    fn snippets_centre_on_hits() {
        let text = format!(
            "{} The refund was late. {}",
            FILLER.repeat(5),
            FILLER.repeat(5)
        );
        let words = parse_query("refund ");
        let (s, ranges) = snippet(&text, &words, &english_stemmer());
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(ranges.len(), 1);
        assert_eq!(&s[ranges[0].0..ranges[0].1], "refund");
        let (s, ranges) = snippet("Short text.", &parse_query("none "), &english_stemmer());
        assert_eq!(s, "Short text.");
        assert!(ranges.is_empty());
    }

    #[test]
    fn titles_are_kept_verbatim() {
        let xss = "<img src=x onerror=alert(1)>";
        let files = build_index(&[story("x/", xss, "onerror story")]);
        let hits = search_built(&files, "onerror", 5).unwrap();
        assert_eq!(hits[0].title, xss);
    }

    #[test]
    fn empty_index_and_query() {
        let files = build_index(&[]);
        assert!(search_built(&files, "anything", 10).unwrap().is_empty());
        let files = build_index(&[story("a/", "A", "x")]);
        assert!(search_built(&files, "", 10).unwrap().is_empty());
        assert!(matches!(
            search_output(Path::new("/nonexistent"), "x", 1),
            Err(SearchError::NoIndex(_))
        ));
    }
}
