//! The query engine over built index files. `layouts/assets/search.js` runs
//! the very same steps (the browser cannot run this Rust), but it has no
//! stemmer: English stemming happens once, at build time, and the index
//! ships each surface form's term (`refunded` → `refund`), so a query only
//! looks words up. The browser test "Rust and the browser" checks that both
//! rank every query identically.
//!
//! 1. The query is cut into folded tokens ([`pieces`]): words, and
//!    compounds (`4.5.0`, `on-call`), which stay one word. Text in double
//!    quotes is also a phrase. Duplicates and (unless nothing else is left)
//!    stop words are dropped; at most [`MAX_WORDS`] remain. The last word is
//!    a prefix if the query does not end with a space, punctuation or a
//!    quote and it has at least [`MIN_PREFIX_CHARS`] characters.
//! 2. Each word's candidate terms: *exact* ones, the word itself and the
//!    term its surface form is indexed under; and for the prefix word up to
//!    [`MAX_EXPANSIONS`] other terms, the most frequent first, that start
//!    with it or that a surface form starting with it is indexed under
//!    (`onboardin` → `onboarding` → `onboard`), from the word's shard and,
//!    when there are at most [`MAX_PREFIX_SHARDS`] of them, the shards split
//!    off below it. A compound with no candidate is replaced by its parts.
//! 3. A document's score for a word is its best candidate's `idf * weight`,
//!    times [`EXACT`] for an exact term; every other candidate (expansions,
//!    typo corrections) counts with one shared idf, the lowest of the word's
//!    candidates', so a rare completion never outweighs the word itself.
//!    Documents that match every word (and every phrase) rank by the sum of
//!    their word scores; when none does, documents that match any word rank
//!    by (words matched, sum). Ties go to the lower doc id.
//! 4. Phrases: each two neighbouring phrase words must occur next to each
//!    other (two-term phrase postings, `p/<key>`).
//! 5. Typos: when fewer than [`TYPO_MIN_RESULTS`] documents match, each
//!    word of at least [`TYPO_MIN_CHARS`] letters (one more for the prefix
//!    word) found in fewer documents than that is compared with the
//!    vocabulary of its first two letters (and of those two swapped): words
//!    within [`max_edits`] edits (a swap of neighbours is one), or sharing
//!    all but the word's last three letters, at least five (another ending of the same
//!    word), become candidates, at most [`MAX_CORRECTIONS`], fewest edits
//!    then most frequent first.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::format::{
    FORMAT_VERSION, Manifest, PhraseShard, StoredDoc, TermPostings, TermShard, VocabShard, parse_js,
};
use super::index::{DIGITS, base_key, key_file_name};
use super::tokenize::{Piece, is_stop_word, is_word_char, pieces, word_tokens, words};
use super::{Hit, SearchError};

pub(crate) const MAX_WORDS: usize = 10;
pub(crate) const MIN_PREFIX_CHARS: usize = 2;
pub(crate) const MAX_EXPANSIONS: usize = 32;
pub(crate) const MAX_PREFIX_SHARDS: usize = 6;
/// The multiplier of an exact term (others count once).
pub(crate) const EXACT: u64 = 4;
pub(crate) const TYPO_MIN_RESULTS: usize = 3;
pub(crate) const TYPO_MIN_CHARS: usize = 4;
pub(crate) const MAX_CORRECTIONS: usize = 8;
/// Divides the integer score into something BM25-sized for display.
const SCORE_SCALE: f64 = 1800.0;
const SNIPPET_CHARS: usize = 200;
const SNIPPET_LEAD: usize = 40;

/// Edits allowed for a typo in a word of `chars` characters.
pub(crate) fn max_edits(chars: usize) -> usize {
    if chars >= 8 { 2 } else { 1 }
}

/// Where index files come from.
pub(crate) trait Store {
    /// `search/<file>.js` for payload key `rel`, with a name for errors;
    /// `None` if there is no such file.
    fn bytes(&mut self, rel: &str) -> Result<Option<(String, Vec<u8>)>, SearchError>;

    fn load<T: DeserializeOwned>(&mut self, rel: &str) -> Result<Option<T>, SearchError> {
        let Some((name, bytes)) = self.bytes(rel)? else {
            return Ok(None);
        };
        let (key, value) = parse_js::<T>(&name, &bytes)?;
        if key != rel {
            return Err(SearchError::Format(
                name,
                format!("holds {key:?}, expected {rel:?}"),
            ));
        }
        Ok(Some(value))
    }
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
    fn bytes(&mut self, rel: &str) -> Result<Option<(String, Vec<u8>)>, SearchError> {
        let path = self.dir.join(format!("{}.js", file_of(rel)));
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SearchError::Io(path, e)),
        };
        self.loaded.push((rel.to_string(), bytes.len()));
        Ok(Some((path.display().to_string(), bytes)))
    }
}

struct MemStore<'a> {
    files: HashMap<&'a str, &'a [u8]>,
}

impl Store for MemStore<'_> {
    fn bytes(&mut self, rel: &str) -> Result<Option<(String, Vec<u8>)>, SearchError> {
        let name = format!("search/{}.js", file_of(rel));
        Ok(self.files.get(name.as_str()).map(|b| (name, b.to_vec())))
    }
}

/// The file (relative to `search/`, without `.js`) of a payload key.
fn file_of(rel: &str) -> String {
    for dir in ["t/", "p/", "q/", "v/"] {
        if let Some(key) = rel.strip_prefix(dir) {
            return format!("{dir}{}", key_file_name(key));
        }
    }
    rel.to_string()
}

/// One query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryWord {
    pub word: String,
    pub prefix: bool,
    /// A compound's parts (stop words left out); empty for a plain word.
    pub parts: Vec<String>,
}

/// A parsed query: its words, and its phrases (each the folded tokens, stop
/// words left out, of one quoted part of at least two of them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Query {
    pub words: Vec<QueryWord>,
    pub phrases: Vec<Vec<String>>,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}')
}

/// Cuts a query into words and phrases (see the module docs).
pub(crate) fn parse_query(query: &str) -> Query {
    // (token, compound parts) in order.
    let mut toks: Vec<(String, Vec<String>)> = Vec::new();
    let mut phrases = Vec::new();
    for (i, segment) in query.split(is_quote).enumerate() {
        let from = toks.len();
        pieces(segment, |p| match p {
            Piece::Part(t) => toks.push((t.into_owned(), Vec::new())),
            Piece::Compound(c, k) => {
                let parts = toks
                    .drain(toks.len() - k..)
                    .map(|(t, _)| t)
                    .filter(|t| !is_stop_word(t))
                    .collect();
                toks.push((c, parts));
            }
            Piece::Break => {}
        });
        if i % 2 == 1 {
            let phrase: Vec<String> = toks[from..]
                .iter()
                .flat_map(|(t, parts)| {
                    if parts.is_empty() {
                        vec![t.clone()]
                    } else {
                        parts.clone()
                    }
                })
                .filter(|t| !is_stop_word(t))
                .collect();
            if phrase.len() >= 2 {
                phrases.push(phrase);
            }
        }
    }
    let open_end = query.chars().last().is_some_and(is_word_char);
    let last = toks.last().map(|t| t.0.clone());
    let mut seen = HashSet::new();
    let mut list: Vec<(String, Vec<String>)> = toks
        .into_iter()
        .filter(|t| seen.insert(t.0.clone()))
        .collect();
    let prefix_word = if open_end && list.last().map(|t| &t.0) == last.as_ref() {
        last
    } else {
        None
    };
    if list.iter().any(|w| !is_stop_word(&w.0)) {
        list.retain(|w| !is_stop_word(&w.0));
    }
    list.truncate(MAX_WORDS);
    let n = list.len();
    let words = list
        .into_iter()
        .enumerate()
        .map(|(i, (word, parts))| QueryWord {
            prefix: i + 1 == n
                && prefix_word.as_deref() == Some(word.as_str())
                && word.chars().count() >= MIN_PREFIX_CHARS,
            word,
            parts,
        })
        .collect();
    Query { words, phrases }
}

/// Decodes a postings string into (doc id, weight) pairs; with `weights`
/// false, a string of gaps alone (phrase postings), weight 0.
fn decode_postings(s: &str, weights: bool, mut f: impl FnMut(u32, u64)) {
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
        let mut w = 0;
        if weights {
            w = digit(b[i]) as u64;
            i += 1;
        }
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

/// Optimal string alignment distance (a swap of neighbours is one edit),
/// or `max + 1` when it is more than `max`.
pub(crate) fn edit_distance(a: &[char], b: &[char], max: usize) -> usize {
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m].min(max + 1)
}

/// Ranked result: doc id, integer score, words matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ranked {
    pub id: u32,
    pub score: u64,
    pub matched: u32,
}

/// A word's candidate terms.
#[derive(Debug, Clone, Default)]
struct Cands {
    exact: Vec<String>,
    /// Expansions and corrections (one shared idf).
    other: Vec<String>,
}

/// The outcome of [`Engine::rank`].
pub(crate) struct Ranking {
    pub ranked: Vec<Ranked>,
    /// The words as searched (compounds without candidates replaced).
    pub words: Vec<QueryWord>,
    /// Every term that matched some word: for highlighting.
    pub terms: BTreeSet<String>,
    /// Typo corrections used (surface words).
    pub corrections: Vec<String>,
}

pub(crate) struct Engine<S: Store> {
    pub(crate) store: S,
    n: usize,
    per_chunk: usize,
    keys: HashSet<String>,
    sorted_keys: Vec<String>,
    shards: HashMap<String, TermShard>,
    phrases: HashMap<String, PhraseShard>,
    vocab: HashMap<String, VocabShard>,
    chunks: HashMap<usize, Vec<StoredDoc>>,
    /// Term shards this query has used (highlighting reads their forms).
    used: BTreeSet<String>,
}

fn format_err(what: &str) -> SearchError {
    SearchError::Format("search/manifest.js".into(), what.into())
}

impl<S: Store> Engine<S> {
    pub(crate) fn open(mut store: S, output_dir: &Path) -> Result<Self, SearchError> {
        let m: Manifest = store
            .load("manifest")
            .map_err(|e| match e {
                SearchError::Format(..) => format_err("written by another version"),
                e => e,
            })?
            .ok_or_else(|| SearchError::NoIndex(output_dir.to_path_buf()))?;
        if m.v != FORMAT_VERSION {
            return Err(format_err("written by another version"));
        }
        Ok(Engine {
            store,
            n: m.n,
            per_chunk: m.c.max(1),
            keys: m.keys.iter().cloned().collect(),
            sorted_keys: m.keys,
            shards: HashMap::new(),
            phrases: HashMap::new(),
            vocab: HashMap::new(),
            chunks: HashMap::new(),
            used: BTreeSet::new(),
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
        self.used.insert(key.to_string());
        if !self.shards.contains_key(key) {
            let shard = self.store.load(&format!("t/{key}"))?.unwrap_or_default();
            self.shards.insert(key.to_string(), shard);
        }
        Ok(())
    }

    /// The shards `s` and its shard's term would be in, loaded.
    fn load_for(&mut self, s: &str) -> Result<(), SearchError> {
        if let Some(k) = self.shard_for(s) {
            self.load_shard(&k)?;
        }
        Ok(())
    }

    fn term(&self, t: &str) -> Option<&TermPostings> {
        let k = self.shard_for(t)?;
        self.shards.get(&k)?.t.get(t)
    }

    /// The terms a surface word is indexed under: itself and its form's
    /// term (shards of `word` must be loaded; loads the term's shard).
    fn exact_terms(&mut self, word: &str) -> Result<Vec<String>, SearchError> {
        let mut out = Vec::new();
        let Some(k) = self.shard_for(word) else {
            return Ok(out);
        };
        let shard = &self.shards[&k];
        if shard.t.contains_key(word) {
            out.push(word.to_string());
        }
        if let Some(t) = shard.f.get(word).cloned() {
            self.load_for(&t)?;
            if self.term(&t).is_some() && !out.contains(&t) {
                out.push(t);
            }
        }
        Ok(out)
    }

    /// The candidates of a word (see the module docs, step 2).
    fn candidates(&mut self, w: &QueryWord) -> Result<Cands, SearchError> {
        self.load_for(&w.word)?;
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
            prefix_keys.dedup();
            for k in &prefix_keys {
                self.load_shard(k)?;
            }
        }
        let exact = self.exact_terms(&w.word)?;
        let mut other = Vec::new();
        if w.prefix {
            let mut exp: Vec<String> = Vec::new();
            for k in &prefix_keys {
                let shard = &self.shards[k];
                exp.extend(shard.t.keys().filter(|t| t.starts_with(&w.word)).cloned());
                exp.extend(
                    shard
                        .f
                        .iter()
                        .filter(|(f, _)| f.starts_with(&w.word))
                        .map(|(_, t)| t.clone()),
                );
            }
            exp.sort();
            exp.dedup();
            exp.retain(|t| !exact.contains(t));
            for t in &exp {
                self.load_for(t)?;
            }
            let mut exp: Vec<(String, u64)> = exp
                .into_iter()
                .filter_map(|t| self.term(&t).map(|p| p.1).map(|df| (t, df)))
                .collect();
            exp.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            exp.truncate(MAX_EXPANSIONS);
            other = exp.into_iter().map(|e| e.0).collect();
        }
        Ok(Cands { exact, other })
    }

    fn df_of(&self, c: &Cands) -> u64 {
        c.exact
            .iter()
            .chain(&c.other)
            .filter_map(|t| self.term(t))
            .map(|p| p.1)
            .sum()
    }

    /// Typo corrections of a word: surface words of the vocabulary within
    /// [`max_edits`], fewest edits then most frequent first.
    fn corrections(&mut self, w: &QueryWord) -> Result<Vec<String>, SearchError> {
        let chars: Vec<char> = w.word.chars().collect();
        let min = TYPO_MIN_CHARS + usize::from(w.prefix);
        if chars.len() < min || !chars.iter().all(|c| c.is_alphabetic()) {
            return Ok(Vec::new());
        }
        // Another ending of the same word (`delayed` for `delays`, which a
        // query-side stemmer would have found) counts as one edit.
        let stem_chars = (chars.len() - 3).max(TYPO_MIN_CHARS + 1);
        let max = max_edits(chars.len());
        let mut bases = vec![chars[..2].iter().collect::<String>()];
        let swapped: String = [chars[1], chars[0]].iter().collect();
        if swapped != bases[0] {
            bases.push(swapped);
        }
        let mut found: Vec<(usize, u64, String)> = Vec::new();
        for base in bases {
            if !self.sorted_keys.iter().any(|k| base_key(k) == base) {
                continue;
            }
            if !self.vocab.contains_key(&base) {
                let v = self.store.load(&format!("v/{base}"))?.unwrap_or_default();
                self.vocab.insert(base.clone(), v);
            }
            for (word, df) in &self.vocab[&base] {
                if *word == w.word {
                    continue;
                }
                let wc: Vec<char> = word.chars().collect();
                let mut d = edit_distance(&chars, &wc, max);
                if w.prefix && wc.len() > chars.len() {
                    d = d.min(edit_distance(&chars, &wc[..chars.len()], max));
                }
                if d > 1
                    && stem_chars < chars.len()
                    && wc.len() >= stem_chars
                    && wc.len().abs_diff(chars.len()) <= 3
                    && wc[..stem_chars] == chars[..stem_chars]
                {
                    d = 1;
                }
                if d <= max {
                    found.push((d, *df, word.clone()));
                }
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        found.truncate(MAX_CORRECTIONS);
        Ok(found.into_iter().map(|f| f.2).collect())
    }

    /// The postings of phrase `a b` (terms), following split files.
    fn phrase_postings(&mut self, a: &str, b: &str) -> Result<Option<String>, SearchError> {
        let Some(k) = self.shard_for(a) else {
            return Ok(None);
        };
        let phrase = format!("{a} {b}");
        let mut rel = format!("p/{k}");
        loop {
            if !self.phrases.contains_key(&rel) {
                let p = self.store.load(&rel)?.unwrap_or_default();
                self.phrases.insert(rel.clone(), p);
            }
            let shard = &self.phrases[&rel];
            if let Some(p) = shard.p.get(&phrase) {
                return Ok(Some(p.clone()));
            }
            match shard
                .s
                .iter()
                .filter(|s| phrase.starts_with(s.as_str()))
                .max_by_key(|s| s.len())
            {
                Some(s) => rel = format!("q/{s}"),
                None => return Ok(None),
            }
        }
    }

    /// The documents with the phrase's neighbouring words next to each
    /// other; `None` if the phrase cannot be looked up (no such terms).
    fn phrase_docs(&mut self, phrase: &[String]) -> Result<Vec<bool>, SearchError> {
        let mut ok = vec![true; self.n];
        for pair in phrase.windows(2) {
            let mut alts = Vec::new();
            for w in pair {
                self.load_for(w)?;
                let mut terms = self.exact_terms(w)?;
                if terms.is_empty() {
                    // Another form of the word (`reviews` for `review`).
                    let qw = QueryWord {
                        word: w.clone(),
                        prefix: false,
                        parts: Vec::new(),
                    };
                    for fix in self.corrections(&qw)? {
                        self.load_for(&fix)?;
                        terms.extend(self.exact_terms(&fix)?);
                    }
                }
                alts.push(terms);
            }
            let mut here = vec![false; self.n];
            for a in &alts[0] {
                for b in &alts[1] {
                    if let Some(p) = self.phrase_postings(a, b)? {
                        decode_postings(&p, false, |id, _| here[id as usize] = true);
                    }
                }
            }
            for (o, h) in ok.iter_mut().zip(here) {
                *o = *o && h;
            }
        }
        Ok(ok)
    }

    /// Every matching document, best first (see the module docs).
    pub(crate) fn rank(&mut self, query: &Query) -> Result<Ranking, SearchError> {
        self.used.clear();
        let mut words: Vec<QueryWord> = Vec::new();
        let mut cands: Vec<Cands> = Vec::new();
        for w in &query.words {
            let c = self.candidates(w)?;
            if c.exact.is_empty() && c.other.is_empty() && !w.parts.is_empty() {
                // A compound the index does not know: its parts.
                let n = w.parts.len();
                for (i, p) in w.parts.iter().enumerate() {
                    if words.iter().any(|x| x.word == *p) {
                        continue;
                    }
                    let pw = QueryWord {
                        word: p.clone(),
                        prefix: w.prefix && i + 1 == n && p.chars().count() >= MIN_PREFIX_CHARS,
                        parts: Vec::new(),
                    };
                    cands.push(self.candidates(&pw)?);
                    words.push(pw);
                }
            } else {
                words.push(w.clone());
                cands.push(c);
            }
        }
        let phrase_ok = if query.phrases.is_empty() {
            None
        } else {
            let mut ok = vec![true; self.n];
            for p in &query.phrases {
                for (o, h) in ok.iter_mut().zip(self.phrase_docs(p)?) {
                    *o = *o && h;
                }
            }
            Some(ok)
        };
        let mut ranked = self.score(&cands, phrase_ok.as_deref());
        let mut corrections = Vec::new();
        let all_matched = |r: &[Ranked]| {
            r.iter()
                .filter(|r| r.matched as usize == cands.len())
                .count()
        };
        if all_matched(&ranked) < TYPO_MIN_RESULTS {
            let mut changed = false;
            for (w, c) in words.iter().zip(cands.iter_mut()) {
                if self.df_of(c) >= TYPO_MIN_RESULTS as u64 {
                    continue;
                }
                for fix in self.corrections(w)? {
                    self.load_for(&fix)?;
                    for t in self.exact_terms(&fix)? {
                        if !c.exact.contains(&t) && !c.other.contains(&t) {
                            c.other.push(t);
                            changed = true;
                        }
                    }
                    corrections.push(fix);
                }
            }
            if changed {
                ranked = self.score(&cands, phrase_ok.as_deref());
            }
        }
        let terms = cands
            .iter()
            .flat_map(|c| c.exact.iter().chain(&c.other).cloned())
            .collect();
        Ok(Ranking {
            ranked,
            words,
            terms,
            corrections,
        })
    }

    fn score(&self, cands: &[Cands], phrase_ok: Option<&[bool]>) -> Vec<Ranked> {
        if cands.is_empty() {
            return Vec::new();
        }
        let mut total = vec![0u64; self.n];
        let mut matched = vec![0u32; self.n];
        let mut best = vec![0u64; self.n];
        let mut touched: Vec<u32> = Vec::new();
        for c in cands {
            touched.clear();
            let shared = c
                .exact
                .iter()
                .chain(&c.other)
                .filter_map(|t| self.term(t))
                .map(|p| p.0)
                .min()
                .unwrap_or(0);
            let list = c
                .exact
                .iter()
                .map(|t| (t, true))
                .chain(c.other.iter().map(|t| (t, false)));
            for (t, exact) in list {
                let Some(info) = self.term(t) else { continue };
                let (idf, mult) = if exact { (info.0, EXACT) } else { (shared, 1) };
                decode_postings(&info.2, true, |id, weight| {
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
        let all = cands.len() as u32;
        let ok = |i: usize| phrase_ok.is_none_or(|p| p[i]);
        let mut out: Vec<Ranked> = (0..self.n)
            .filter(|&i| matched[i] == all && ok(i))
            .map(|i| Ranked {
                id: i as u32,
                score: total[i],
                matched: matched[i],
            })
            .collect();
        if out.is_empty() && phrase_ok.is_none() {
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
        out
    }

    pub(crate) fn doc(&mut self, id: u32) -> Result<&StoredDoc, SearchError> {
        let c = id as usize / self.per_chunk;
        if !self.chunks.contains_key(&c) {
            let rel = format!("d/{c}");
            let docs: Vec<StoredDoc> = self
                .store
                .load(&rel)?
                .ok_or_else(|| SearchError::Format(rel.clone(), "missing".into()))?;
            self.chunks.insert(c, docs);
        }
        self.chunks[&c]
            .get(id as usize % self.per_chunk)
            .ok_or_else(|| SearchError::Format(format!("d/{c}"), "short chunk".into()))
    }

    /// What highlighting matches: see [`Highlight`].
    fn highlight(&self, r: &Ranking) -> Highlight {
        let mut forms = HashMap::new();
        for k in &self.used {
            if let Some(s) = self.shards.get(k) {
                for (f, t) in &s.f {
                    if r.terms.contains(t) {
                        forms.insert(f.clone(), ());
                    }
                }
            }
        }
        let mut words: Vec<String> = r.terms.iter().cloned().collect();
        words.extend(forms.into_keys());
        for w in &r.words {
            words.push(w.word.clone());
            words.extend(w.parts.iter().cloned());
        }
        words.extend(r.corrections.iter().cloned());
        words.sort();
        words.dedup();
        Highlight {
            words: words.into_iter().collect(),
            prefixes: r
                .words
                .iter()
                .filter(|w| w.prefix)
                .map(|w| w.word.clone())
                .collect(),
        }
    }

    pub(crate) fn search(&mut self, query: &str, limit: usize) -> Result<Vec<Hit>, SearchError> {
        let q = parse_query(query);
        let r = self.rank(&q)?;
        let hl = self.highlight(&r);
        let mut hits = Vec::new();
        for x in r.ranked.iter().take(limit) {
            let d = self.doc(x.id)?;
            hits.push(Hit {
                url: d.url().to_string(),
                kind: d.kind(),
                title: d.title().to_string(),
                language: d.language().to_string(),
                group: d.group().to_string(),
                snippet: snippet(d.text(), &hl).0,
                score: x.score as f64 / SCORE_SCALE,
            });
        }
        Ok(group_hits(hits))
    }
}

/// Keeps the ranking but moves each result of a group (the same entry in
/// another language) up to just after the group's best result.
pub(crate) fn group_hits(hits: Vec<Hit>) -> Vec<Hit> {
    let mut out: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        let at = if h.group.is_empty() {
            None
        } else {
            out.iter().rposition(|o| o.group == h.group)
        };
        match at {
            Some(i) => out.insert(i + 1, h),
            None => out.push(h),
        }
    }
    out
}

/// What a snippet highlights: a folded token found in `words`, or starting
/// with one of `prefixes`.
pub(crate) struct Highlight {
    pub words: HashSet<String>,
    pub prefixes: Vec<String>,
}

impl Highlight {
    fn matches(&self, t: &str) -> bool {
        self.words.contains(t) || self.prefixes.iter().any(|p| t.starts_with(p.as_str()))
    }
}

/// A snippet of `text` around its best cluster of hits, with the byte
/// ranges of the hits in the snippet.
pub(crate) fn snippet(text: &str, hl: &Highlight) -> (String, Vec<(usize, usize)>) {
    let all: Vec<(usize, usize)> = words(text).map(|w| (w.start, w.end)).collect();
    let hits: Vec<(usize, usize)> = all
        .iter()
        .copied()
        .filter(|&(s, e)| {
            let mut m = false;
            word_tokens(&text[s..e], |t| m = m || hl.matches(t));
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
    let r = engine.rank(&parse_query(query))?;
    for x in r.ranked.iter().take(limit) {
        engine.doc(x.id)?;
    }
    if with_facets {
        engine.store.bytes("facets")?;
    }
    Ok((engine.store.loaded.clone(), r.ranked.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{DocKind, SearchDoc, build_index};

    fn doc(url: &str, kind: DocKind, lang: &str, title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            url: url.into(),
            kind,
            title: title.into(),
            language: lang.into(),
            keywords: vec![],
            body: body.into(),
            facets: vec![],
            group: String::new(),
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

    fn w(word: &str, prefix: bool) -> QueryWord {
        QueryWord {
            word: word.into(),
            prefix,
            parts: vec![],
        }
    }

    #[test]
    fn parses_queries() {
        let q = parse_query("The Refunds delay");
        assert_eq!(q.words, [w("refunds", false), w("delay", true)]);
        assert!(!parse_query("refund ").words.last().unwrap().prefix);
        assert!(
            !parse_query("r").words.last().unwrap().prefix,
            "one character is no prefix"
        );
        assert_eq!(
            parse_query("the").words.len(),
            1,
            "only stop words: keep them"
        );
        assert_eq!(parse_query("refund refund").words.len(), 1);
        assert!(parse_query("  ").words.is_empty());
    }

    #[test]
    fn parses_phrases_and_compounds() {
        let q = parse_query("\"the code review\" on-call v4.5");
        assert_eq!(q.phrases, [vec!["code".to_string(), "review".to_string()]]);
        let words: Vec<&str> = q.words.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(words, ["code", "review", "on-call", "v4.5"]);
        assert_eq!(q.words[2].parts, ["call"]);
        assert!(q.words[3].prefix);
        assert!(!parse_query("\"code review\"").words[1].prefix);
        assert!(
            parse_query("\"one\" two").phrases.is_empty(),
            "a one-word phrase is a word"
        );
    }

    #[test]
    fn edit_distances() {
        let d = |a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            edit_distance(&a, &b, 2)
        };
        assert_eq!(d("onbaording", "onboarding"), 1);
        assert_eq!(d("compnesation", "compensation"), 1);
        assert_eq!(d("custmer", "customer"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("same", "same"), 0);
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
    fn the_exact_word_beats_rare_completions() {
        // Issue 12, bug 1: the last word is a prefix; a rare junk completion
        // (`sourcegraphasynchronous`, a glued list) used to score with its
        // own, much higher idf and beat the word itself.
        let mut docs: Vec<SearchDoc> = (0..8)
            .map(|i| {
                story(
                    &format!("exact{i}/"),
                    "Tools",
                    &format!("We use sourcegraph. {FILLER}"),
                )
            })
            .collect();
        docs.push(story(
            "junk/",
            "Junk",
            &format!("Sourcegraphasynchronous. {FILLER}"),
        ));
        let files = build_index(&docs);
        let got = urls(&files, "sourcegraph");
        assert_eq!(got.len(), 9, "{got:?}");
        assert_eq!(got.last().unwrap(), "junk/", "{got:?}");
        // "use" (exact, common) against "usertesting" (a rare completion).
        let files = build_index(&[
            story("a/", "A", &format!("The tools we use. {FILLER}")),
            story("b/", "B", &format!("The tools we use, daily. {FILLER}")),
            story("c/", "Usertesting", &format!("Some tools. {FILLER}")),
        ]);
        assert_eq!(urls(&files, "the tools we use")[2], "c/");
    }

    #[test]
    fn a_prefix_longer_than_the_stem_still_matches() {
        // Issue 12, bug 2: `onboarding` is indexed as `onboard`; the prefix
        // `onboardin` starts neither, but starts the surface form.
        let files = build_index(&[
            story("a/", "A", &format!("Onboarding new hires. {FILLER}")),
            story("b/", "B", &format!("Reimbursement of travel. {FILLER}")),
            story("c/", "C", FILLER),
        ]);
        for q in ["onboar", "onboardin", "onboarding", "onboarding "] {
            assert_eq!(urls(&files, q), ["a/"], "{q}");
        }
        assert_eq!(urls(&files, "reimburseme"), ["b/"]);
    }

    #[test]
    fn phrases_in_quotes() {
        let files = build_index(&[
            story(
                "phrase/",
                "A",
                &format!("Every code review counts. {FILLER}"),
            ),
            story(
                "apart/",
                "B",
                &format!("The code is ready; review it. {FILLER}"),
            ),
            story("block/", "C", &format!("code\nreview {FILLER}")),
        ]);
        let mut both = urls(&files, "code review ");
        both.sort();
        assert_eq!(both, ["apart/", "block/", "phrase/"]);
        assert_eq!(urls(&files, "\"code review\""), ["phrase/"]);
        assert_eq!(
            urls(&files, "\"code reviews\""),
            ["phrase/"],
            "forms of the words"
        );
        assert!(urls(&files, "\"review code\"").is_empty());
    }

    #[test]
    fn big_phrase_shards_split_and_stay_findable() {
        let docs: Vec<SearchDoc> = (0..3000)
            .map(|i| story(&format!("s{i}/"), "T", &format!("alpha w{i}x beta")))
            .collect();
        let files = build_index(&docs);
        let split = files
            .iter()
            .filter(|(p, _)| p.starts_with("search/q/"))
            .count();
        assert!(split > 0, "no split phrase files");
        for i in [0, 1234, 2999] {
            assert_eq!(
                urls(&files, &format!("\"alpha w{i}x\"")),
                [format!("s{i}/")]
            );
            assert_eq!(urls(&files, &format!("\"w{i}x beta\"")), [format!("s{i}/")]);
        }
        assert!(urls(&files, "\"beta alpha\"").is_empty());
    }

    #[test]
    fn versions_codes_and_hyphenated_words_are_words() {
        let files = build_index(&[
            story("v450/", "A", &format!("Upgrade to 4.5.0 now. {FILLER}")),
            story(
                "v4/",
                "B",
                &format!("Version 4, patch 5, build 0. {FILLER}"),
            ),
            story("oncall/", "C", &format!("The on-call rota. {FILLER}")),
            story("call/", "D", &format!("Call us. {FILLER}")),
        ]);
        assert_eq!(urls(&files, "4.5.0 "), ["v450/"]);
        assert_eq!(urls(&files, "4.5"), ["v450/"], "a prefix of a version");
        assert_eq!(urls(&files, "on-call "), ["oncall/"]);
        let mut parts = urls(&files, "call ");
        parts.sort();
        assert_eq!(parts, ["call/", "oncall/"], "parts are words too");
        // A compound the index does not know falls back to its parts.
        assert_eq!(urls(&files, "rota-call "), ["oncall/"]);
    }

    #[test]
    fn typos_find_their_words_when_little_else_matches() {
        let files = build_index(&[
            story(
                "a/",
                "Onboarding",
                &format!("Compensation for the customer. {FILLER}"),
            ),
            story("b/", "B", FILLER),
        ]);
        for q in ["onbaording", "compnesation", "onbaording compnesation"] {
            assert_eq!(urls(&files, q), ["a/"], "{q}");
        }
        // `customers` is in every document (the filler), `customer` in a/.
        assert_eq!(urls(&files, "custmer ")[0], "a/");
        // Not when the word itself is found.
        let files = build_index(&[
            story("a/", "A", &format!("A customer. {FILLER}")),
            story("b/", "B", &format!("A costumer. {FILLER}")),
            story("c/", "C", &format!("A costumer again. {FILLER}")),
            story("d/", "D", &format!("The costumer. {FILLER}")),
        ]);
        assert_eq!(urls(&files, "costumer ").len(), 3);
    }

    #[test]
    fn snippets_highlight_forms_of_the_matched_words() {
        let files = build_index(&[story("a/", "A", "They refunded it after many delays.")]);
        let hit = &search_built(&files, "refund delay ", 1).unwrap()[0];
        assert_eq!(hit.snippet, "They refunded it after many delays.");
        let files = build_index(&[story("a/", "A", "They refunded it after many delays.")]);
        let q = parse_query("refund delay ");
        let store = MemStore {
            files: files
                .iter()
                .map(|(p, b)| (p.as_str(), b.as_slice()))
                .collect(),
        };
        let mut e = Engine::open(store, Path::new("x")).unwrap();
        let r = e.rank(&q).unwrap();
        let hl = e.highlight(&r);
        let (s, ranges) = snippet("They refunded it after many delays.", &hl);
        let marked: Vec<&str> = ranges.iter().map(|r| &s[r.0..r.1]).collect();
        assert_eq!(marked, ["refunded", "delays"]);
    }

    #[test]
    fn translations_are_grouped_and_labelled() {
        let mut en = doc("glossary/nps/", DocKind::Term, "en", "NPS", "nps score");
        en.group = "term:nps".into();
        let mut pt = doc("pt/glossary/nps/", DocKind::Term, "pt", "NPS", "nps nota");
        pt.group = "term:nps".into();
        let other = story("stories/x/", "NPS NPS", "nps nps nps");
        let files = build_index(&[en, pt, other]);
        let hits = search_built(&files, "nps ", 10).unwrap();
        let got: Vec<(&str, &str)> = hits
            .iter()
            .map(|h| (h.url.as_str(), h.language.as_str()))
            .collect();
        let en_at = got.iter().position(|g| g.0 == "glossary/nps/").unwrap();
        assert_eq!(got[en_at + 1], ("pt/glossary/nps/", "pt"), "{got:?}");
        let printed = crate::search::print_hits(&hits);
        assert!(printed.contains("└ NPS [Term, pt]"), "{printed}");
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
        let hl = Highlight {
            words: ["refund".to_string()].into_iter().collect(),
            prefixes: vec![],
        };
        let (s, ranges) = snippet(&text, &hl);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(ranges.len(), 1);
        assert_eq!(&s[ranges[0].0..ranges[0].1], "refund");
        let (s, ranges) = snippet("Short text.", &hl);
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
