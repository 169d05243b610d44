//! The query engine over built index files: the one implementation of
//! ranking, run by `campfire search` and, compiled to WebAssembly, by the
//! browser (`layouts/assets/search-engine.js`). English stemming happens
//! once, at build time, and the index ships each surface form's term
//! (`refunded` → `refund`), so a query only looks words up.
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
//!    off below it. A compound with no candidate is replaced by its parts,
//!    unless it is a number ([`is_number`]: `4.5.2` is no `4`, `5` and `2`,
//!    which would find `4.5.0`), which then matches nothing.
//! 3. A document's score for a word is its best candidate's `idf * weight`,
//!    times [`EXACT`] for an exact term; every other candidate (expansions,
//!    typo corrections) counts with one shared idf, the lowest of the word's
//!    candidates', so a rare completion never outweighs the word itself.
//!    Documents that match every word (and every phrase) rank by (words
//!    matched as typed, sum of their word scores); when none does,
//!    documents that match any word rank by (words matched, words matched
//!    as typed, sum). Ties go to the lower doc id. A word is matched as
//!    typed when an exact term matched it: as the weights of one word in
//!    two documents differ by up to 31 times (a title or keyword against
//!    one mention in a long body), no multiplier would keep the word as
//!    typed above a mere completion or correction (`callsign` in a title
//!    for `calls`); among documents that match as many words as typed,
//!    the score decides.
//! 4. Phrases: each two neighbouring phrase words must occur next to each
//!    other (two-term phrase postings, `p/<key>`).
//! 5. Typos: when fewer than [`TYPO_MIN_RESULTS`] documents match, each
//!    word of at least [`TYPO_MIN_CHARS`] letters (one more for the prefix
//!    word) found in fewer documents than that is compared with the
//!    vocabulary of its first two letters (and of those two swapped): words
//!    within [`max_edits`] edits (a swap of neighbours is one), or sharing
//!    all but the word's last three letters, at least five (another ending
//!    of the same word), become candidates, at most [`MAX_CORRECTIONS`],
//!    fewest edits then most frequent first.
//!
//! Files come from a [`Store`]. In the terminal every file is at hand; in
//! the browser they arrive by `<script>` tags, so a store may answer
//! [`Fetch::Pending`]: the engine goes on as if the file were empty, and
//! the call ends with [`Error::Pending`] listing every file it asked for;
//! once they are added the same call is made again (each round asks only for
//! files not seen before, so this ends).

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::format::{
    FormatError, Manifest, NOT_TOGETHER, PhraseShard, StoredDoc, TermPostings, TermShard, VecMap,
    VocabShard, base_key, decode_postings, parse_docs, parse_vocab, sort_by,
};
use crate::tokenize::{Piece, is_joiner, is_stop_word, is_word_char, pieces, word_tokens, words};

pub const MAX_WORDS: usize = 10;
pub const MIN_PREFIX_CHARS: usize = 2;
pub const MAX_EXPANSIONS: usize = 32;
/// Nine shards of 8 KiB (`SHARD_TARGET_BYTES` in campfire's index builder):
/// the 72 KiB that six of 12 KiB were before shards got smaller.
pub const MAX_PREFIX_SHARDS: usize = 9;
/// The multiplier of an exact term (others count once), within documents
/// that match as many words as typed (see the module docs, step 3).
pub const EXACT: u64 = 4;
pub const TYPO_MIN_RESULTS: usize = 3;
pub const TYPO_MIN_CHARS: usize = 4;
pub const MAX_CORRECTIONS: usize = 8;
/// Divides the integer score into something BM25-sized for display.
pub const SCORE_SCALE: f64 = 1800.0;
const SNIPPET_CHARS: usize = 200;
const SNIPPET_LEAD: usize = 40;

/// Edits allowed for a typo in a word of `chars` characters.
pub fn max_edits(chars: usize) -> usize {
    if chars >= 8 { 2 } else { 1 }
}

/// What a [`Store`] has for a payload key.
pub enum Fetch {
    /// The payload (the decoded string of the file).
    Data(String),
    /// There is no such file.
    Absent,
    /// Not loaded yet (the browser loads it and asks again).
    Pending,
}

/// Why a query failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// There is no manifest.
    NoIndex,
    /// Files to load before asking again (see the module docs).
    Pending(Vec<String>),
    /// A file is not what this version writes: (payload key, why).
    Format(String, String),
    /// The store failed (it keeps the details).
    Store,
}

/// Where index files come from, by payload key (`manifest`, `t/re`, `d/3`).
pub trait Store {
    fn fetch(&mut self, rel: &str) -> Result<Fetch, Error>;
}

/// One query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    pub word: String,
    pub prefix: bool,
    /// A compound's parts (stop words left out); empty for a plain word.
    pub parts: Vec<String>,
}

/// A parsed query: its words, and its phrases (each the folded tokens, stop
/// words left out, of one quoted part of at least two of them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub words: Vec<QueryWord>,
    pub phrases: Vec<Vec<String>>,
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201c}' | '\u{201d}' | '\u{201e}')
}

/// Cuts a query into words and phrases (see the module docs).
pub fn parse_query(query: &str) -> Query {
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
    let mut list: Vec<(String, Vec<String>)> = Vec::new();
    for t in toks {
        if !list.iter().any(|l| l.0 == t.0) {
            list.push(t);
        }
    }
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

/// Optimal string alignment distance (a swap of neighbours is one edit),
/// or `max + 1` when it is more than `max`.
pub fn edit_distance(a: &[char], b: &[char], max: usize) -> usize {
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
        core::mem::swap(&mut prev2, &mut prev);
        core::mem::swap(&mut prev, &mut cur);
    }
    prev[m].min(max + 1)
}

/// Ranked result: doc id, integer score, words matched (of them, matched
/// as typed: by an exact term).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    pub id: u32,
    pub score: u64,
    pub matched: u32,
    pub exact: u32,
}

/// A word's candidate terms.
#[derive(Debug, Clone, Default)]
struct Cands {
    exact: Vec<String>,
    /// Expansions and corrections (one shared idf).
    other: Vec<String>,
}

/// The outcome of [`Engine::rank`].
#[derive(Debug, Clone, Default)]
pub struct Ranking {
    pub ranked: Vec<Ranked>,
    /// The words as searched (compounds without candidates replaced).
    pub words: Vec<QueryWord>,
    /// Every term that matched some word: for highlighting.
    /// (Sorted.)
    pub terms: Vec<String>,
    /// Typo corrections used (surface words), each of them adding a term
    /// the word had no candidate for (what "Including similar words"
    /// lists).
    pub corrections: Vec<String>,
    /// Do the results hold every word (false: results with some of them)?
    pub every: bool,
    /// What snippets and titles highlight.
    pub highlight: Highlight,
}

/// One result, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: u32,
    pub url: String,
    pub kind: String,
    pub title: String,
    pub language: String,
    pub group: String,
    /// Byte ranges of the highlighted words in `title`.
    pub title_marks: Vec<(usize, usize)>,
    /// Plain text around the best match (no HTML, no markup).
    pub snippet: String,
    /// Byte ranges of the highlighted words in `snippet`.
    pub snippet_marks: Vec<(usize, usize)>,
    /// Integer score (divide by [`SCORE_SCALE`] to show).
    pub score: u64,
    /// The same entry as the previous hit, in another language.
    pub translation: bool,
}

pub struct Engine<S: Store> {
    pub store: S,
    pub manifest: Manifest,
    per_chunk: usize,
    /// The manifest's keys, sorted.
    keys: Vec<String>,
    shards: VecMap<String, TermShard>,
    phrases: VecMap<String, PhraseShard>,
    vocab: VecMap<String, VocabShard>,
    chunks: VecMap<usize, Vec<StoredDoc>>,
    /// Term shards this query has used (highlighting reads their forms).
    used: Vec<String>,
    /// Files asked for and not there yet.
    pending: Vec<String>,
}

fn bad(rel: &str, why: FormatError) -> Error {
    Error::Format(rel.to_string(), why.to_string())
}

impl<S: Store> Engine<S> {
    pub fn open(mut store: S) -> Result<Self, Error> {
        let m = match store.fetch("manifest")? {
            Fetch::Data(p) => Manifest::parse(&p).map_err(|e| bad("manifest", e))?,
            Fetch::Absent => return Err(Error::NoIndex),
            Fetch::Pending => return Err(Error::Pending(vec!["manifest".to_string()])),
        };
        Ok(Engine {
            store,
            per_chunk: m.c.max(1),
            keys: {
                let mut k = m.keys.clone();
                k.sort_unstable();
                k
            },
            manifest: m,
            shards: VecMap::default(),
            phrases: VecMap::default(),
            vocab: VecMap::default(),
            chunks: VecMap::default(),
            used: Vec::new(),
            pending: Vec::new(),
        })
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.manifest.n
    }

    pub fn is_empty(&self) -> bool {
        self.manifest.n == 0
    }

    /// A payload, parsed; `None` while pending (not cached then).
    fn get<T: Default>(
        &mut self,
        rel: &str,
        parse: impl FnOnce(&str) -> Result<T, FormatError>,
    ) -> Result<Option<T>, Error> {
        match self.store.fetch(rel)? {
            Fetch::Data(p) => parse(&p).map(Some).map_err(|e| bad(rel, e)),
            Fetch::Absent => Ok(Some(T::default())),
            Fetch::Pending => {
                if !self.pending.iter().any(|p| p == rel) {
                    self.pending.push(rel.to_string());
                }
                Ok(None)
            }
        }
    }

    fn end_round(&mut self) -> Result<(), Error> {
        if self.pending.is_empty() {
            Ok(())
        } else {
            Err(Error::Pending(core::mem::take(&mut self.pending)))
        }
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
            .find(|k| self.keys.binary_search_by(|x| x.as_str().cmp(k)).is_ok())
            .map(str::to_string)
    }

    fn load_shard(&mut self, key: &str) -> Result<(), Error> {
        if !self.used.iter().any(|u| u == key) {
            self.used.push(key.to_string());
        }
        if !self.shards.contains_key(key) {
            let mut rel = String::from("t/");
            rel.push_str(key);
            if let Some(shard) = self.get(&rel, TermShard::parse)? {
                self.shards.insert(key.to_string(), shard);
            }
        }
        Ok(())
    }

    /// The shard `s` would be in, loaded.
    fn load_for(&mut self, s: &str) -> Result<(), Error> {
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
    /// term (loads the shards needed).
    fn exact_terms(&mut self, word: &str) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        self.load_for(word)?;
        let Some(shard) = self.shard_for(word).and_then(|k| self.shards.get(&k)) else {
            return Ok(out);
        };
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
    fn candidates(&mut self, w: &QueryWord) -> Result<Cands, Error> {
        self.load_for(&w.word)?;
        let mut prefix_keys: Vec<String> = Vec::new();
        if w.prefix {
            prefix_keys.extend(self.shard_for(&w.word));
            let mut children: Vec<String> = self
                .keys
                .iter()
                .filter(|k| k.len() > w.word.len() && k.starts_with(&w.word))
                .cloned()
                .collect();
            sort_by(&mut children, |a, b| a.cmp(b));
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
                let Some(shard) = self.shards.get(k) else {
                    continue;
                };
                exp.extend(shard.t.keys().filter(|t| t.starts_with(&w.word)).cloned());
                exp.extend(
                    shard
                        .f
                        .iter()
                        .filter(|(f, _)| f.starts_with(&w.word))
                        .map(|(_, t)| t.clone()),
                );
            }
            sort_by(&mut exp, |a, b| a.cmp(b));
            exp.dedup();
            exp.retain(|t| !exact.contains(t));
            for t in &exp {
                self.load_for(t)?;
            }
            let mut exp: Vec<(String, u64)> = exp
                .into_iter()
                .filter_map(|t| self.term(&t).map(|p| p.1).map(|df| (t, df)))
                .collect();
            sort_by(&mut exp, |a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
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
    fn corrections(&mut self, w: &QueryWord) -> Result<Vec<String>, Error> {
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
            if !self.keys.iter().any(|k| base_key(k) == base) {
                continue;
            }
            if !self.vocab.contains_key(&base) {
                let mut rel = String::from("v/");
                rel.push_str(&base);
                match self.get(&rel, parse_vocab)? {
                    Some(v) => self.vocab.insert(base.clone(), v),
                    None => continue,
                };
            }
            let Some(vocab) = self.vocab.get(&base) else {
                continue;
            };
            for (word, df) in vocab {
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
        sort_by(&mut found, |a, b| {
            a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
        });
        found.truncate(MAX_CORRECTIONS);
        Ok(found.into_iter().map(|f| f.2).collect())
    }

    /// The postings of phrase `a b` (terms), following split files.
    fn phrase_postings(&mut self, a: &str, b: &str) -> Result<Option<String>, Error> {
        let Some(k) = self.shard_for(a) else {
            return Ok(None);
        };
        let mut phrase = String::from(a);
        phrase.push(' ');
        phrase.push_str(b);
        let mut rel = String::from("p/");
        rel.push_str(&k);
        loop {
            if !self.phrases.contains_key(&rel) {
                match self.get(&rel, PhraseShard::parse)? {
                    Some(p) => self.phrases.insert(rel.clone(), p),
                    None => return Ok(None),
                };
            }
            let Some(shard) = self.phrases.get(&rel) else {
                return Ok(None);
            };
            if let Some(p) = shard.p.get(&phrase) {
                return Ok(Some(p.clone()));
            }
            match shard
                .s
                .iter()
                .filter(|s| phrase.starts_with(s.as_str()))
                .max_by_key(|s| s.len())
            {
                Some(s) => {
                    rel = String::from("q/");
                    rel.push_str(s);
                }
                None => return Ok(None),
            }
        }
    }

    /// The documents with the phrase's neighbouring words next to each
    /// other.
    fn phrase_docs(&mut self, phrase: &[String]) -> Result<Vec<bool>, Error> {
        let n = self.len();
        let mut ok = vec![true; n];
        for pair in phrase.windows(2) {
            let mut alts = Vec::new();
            for w in pair {
                let mut terms = self.exact_terms(w)?;
                if terms.is_empty() {
                    // Another form of the word (`reviews` for `review`).
                    let qw = QueryWord {
                        word: w.clone(),
                        prefix: false,
                        parts: Vec::new(),
                    };
                    for fix in self.corrections(&qw)? {
                        terms.extend(self.exact_terms(&fix)?);
                    }
                }
                alts.push(terms);
            }
            let mut here = vec![false; n];
            for a in &alts[0] {
                for b in &alts[1] {
                    let Some(p) = self.phrase_postings(a, b)? else {
                        continue;
                    };
                    match p.strip_prefix(NOT_TOGETHER) {
                        None => decode_postings(&p, false, |id, _| {
                            if let Some(h) = here.get_mut(id as usize) {
                                *h = true;
                            }
                        }),
                        // Every document with both terms, but these.
                        Some(apart) => {
                            let mut both = vec![0u8; n];
                            for t in [a, b] {
                                if let Some(info) = self.term(t) {
                                    decode_postings(&info.2, true, |id, _| {
                                        if let Some(x) = both.get_mut(id as usize) {
                                            *x += 1;
                                        }
                                    });
                                }
                            }
                            decode_postings(apart, false, |id, _| {
                                if let Some(x) = both.get_mut(id as usize) {
                                    *x = 0;
                                }
                            });
                            for (h, x) in here.iter_mut().zip(both) {
                                *h = *h || x == 2;
                            }
                        }
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
    pub fn rank(&mut self, query: &Query) -> Result<Ranking, Error> {
        self.used.clear();
        self.pending.clear();
        let mut words: Vec<QueryWord> = Vec::new();
        let mut cands: Vec<Cands> = Vec::new();
        for w in &query.words {
            let before = self.pending.len();
            let c = self.candidates(w)?;
            // While its shard is on its way, a compound is no unknown one.
            let waiting = self.pending.len() > before;
            if c.exact.is_empty()
                && c.other.is_empty()
                && !w.parts.is_empty()
                && !waiting
                && !is_number(&w.word)
            {
                // A compound the index does not know: its parts (not a
                // number's: `4.5.2` is no `4`, `5` and `2`).
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
        // Each stage asks for its files at once; the next waits for them.
        self.end_round()?;
        let phrase_ok = if query.phrases.is_empty() {
            None
        } else {
            let mut ok = vec![true; self.len()];
            for p in &query.phrases {
                for (o, h) in ok.iter_mut().zip(self.phrase_docs(p)?) {
                    *o = *o && h;
                }
            }
            Some(ok)
        };
        self.end_round()?;
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
                    // Reported only if it adds a term: not a completion
                    // of a prefix (`onboarding` for `onboar`), nor another
                    // form of the word's own term (`call` for `calls`).
                    let mut adds = false;
                    for t in self.exact_terms(&fix)? {
                        if !c.exact.contains(&t) && !c.other.contains(&t) {
                            c.other.push(t);
                            adds = true;
                        }
                    }
                    if adds {
                        changed = true;
                        corrections.push(fix);
                    }
                }
            }
            if changed {
                ranked = self.score(&cands, phrase_ok.as_deref());
            }
        }
        self.end_round()?;
        let mut terms: Vec<String> = cands
            .iter()
            .flat_map(|c| c.exact.iter().chain(&c.other).cloned())
            .collect();
        sort_by(&mut terms, |a, b| a.cmp(b));
        terms.dedup();
        let every = ranked
            .first()
            .is_some_and(|r| r.matched as usize == cands.len());
        let highlight = self.highlight(&terms, &words, &corrections);
        Ok(Ranking {
            ranked,
            words,
            terms,
            corrections,
            every,
            highlight,
        })
    }

    fn score(&self, cands: &[Cands], phrase_ok: Option<&[bool]>) -> Vec<Ranked> {
        if cands.is_empty() {
            return Vec::new();
        }
        let n = self.len();
        let mut total = vec![0u64; n];
        let mut matched = vec![0u32; n];
        let mut exacts = vec![0u32; n];
        let mut best = vec![0u64; n];
        // Has the word an exact term in the document?
        let mut typed = vec![false; n];
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
                    let Some(b) = best.get_mut(id as usize) else {
                        return;
                    };
                    let s = idf * weight * mult;
                    if *b == 0 {
                        touched.push(id);
                    }
                    if s > *b {
                        *b = s;
                    }
                    typed[id as usize] |= exact;
                });
            }
            for &id in &touched {
                let i = id as usize;
                total[i] += best[i];
                matched[i] += 1;
                exacts[i] += u32::from(typed[i]);
                best[i] = 0;
                typed[i] = false;
            }
        }
        let all = cands.len() as u32;
        let ok = |i: usize| phrase_ok.is_none_or(|p| p[i]);
        let ranked = |i: usize| Ranked {
            id: i as u32,
            score: total[i],
            matched: matched[i],
            exact: exacts[i],
        };
        let mut out: Vec<Ranked> = (0..n)
            .filter(|&i| matched[i] == all && ok(i))
            .map(ranked)
            .collect();
        if out.is_empty() && phrase_ok.is_none() {
            out = (0..n).filter(|&i| matched[i] > 0).map(ranked).collect();
        }
        sort_by(&mut out, |a, b| {
            b.matched
                .cmp(&a.matched)
                .then(b.exact.cmp(&a.exact))
                .then(b.score.cmp(&a.score))
                .then(a.id.cmp(&b.id))
        });
        out
    }

    /// The chunk of document `id`, if loaded (`None` while pending).
    fn doc(&mut self, id: u32) -> Result<Option<&StoredDoc>, Error> {
        let c = id as usize / self.per_chunk;
        if !self.chunks.contains_key(&c) {
            let mut rel = String::from("d/");
            rel.push_str(&crate::format::format_u64(c as u64));
            match self.get(&rel, parse_docs)? {
                Some(docs) if !docs.is_empty() => self.chunks.insert(c, docs),
                Some(_) => return Err(bad(&rel, "missing")),
                None => return Ok(None),
            };
        }
        match self
            .chunks
            .get(&c)
            .and_then(|docs| docs.get(id as usize % self.per_chunk))
        {
            Some(d) => Ok(Some(d)),
            None => Err(Error::Format(format_rel("d/", c), "short chunk".into())),
        }
    }

    /// The documents of `ids` (ranked results of `r`), grouped (each result
    /// of a group moves up to just after the group's best), with snippets.
    pub fn hits(&mut self, r: &Ranking, ids: &[u32]) -> Result<Vec<Hit>, Error> {
        self.pending.clear();

        let mut hits: Vec<Hit> = Vec::with_capacity(ids.len());
        for &id in ids {
            let hl = &r.highlight;
            let Some(d) = self.doc(id)? else { continue };
            let (snippet, snippet_marks) = snippet(&d.text, hl);
            let title_marks = marks(&d.title, hl)
                .into_iter()
                .filter(|m| m.2)
                .map(|m| (m.0, m.1))
                .collect();
            hits.push(Hit {
                id,
                url: d.url.clone(),
                kind: d.kind.clone(),
                title: d.title.clone(),
                language: d.language.clone(),
                group: d.group.clone(),
                title_marks,
                snippet,
                snippet_marks,
                score: r.ranked.iter().find(|x| x.id == id).map_or(0, |x| x.score),
                translation: false,
            });
        }
        self.end_round()?;
        let mut out = group_hits(hits);
        for i in 1..out.len() {
            out[i].translation = !out[i].group.is_empty() && out[i - 1].group == out[i].group;
        }
        Ok(out)
    }

    /// What highlighting matches: see [`Highlight`].
    fn highlight(
        &self,
        terms: &[String],
        words: &[QueryWord],
        corrections: &[String],
    ) -> Highlight {
        let mut all: Vec<String> = terms.to_vec();
        for k in &self.used {
            if let Some(s) = self.shards.get(k) {
                for (f, t) in s.f.iter() {
                    if terms.binary_search(t).is_ok() {
                        all.push(f.clone());
                    }
                }
            }
        }
        for w in words {
            all.push(w.word.clone());
            all.extend(w.parts.iter().cloned());
        }
        all.extend(corrections.iter().cloned());
        sort_by(&mut all, |a, b| a.cmp(b));
        all.dedup();
        Highlight {
            words: all,
            prefixes: words
                .iter()
                .filter(|w| w.prefix)
                .map(|w| w.word.clone())
                .collect(),
        }
    }

    /// The query, parsed and ranked, and its first `limit` results.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<(Ranking, Vec<Hit>), Error> {
        let r = self.rank(&parse_query(query))?;
        let ids: Vec<u32> = r.ranked.iter().take(limit).map(|x| x.id).collect();
        let hits = self.hits(&r, &ids)?;
        Ok((r, hits))
    }
}

/// Is a (folded) compound a number, a version or a date: digits and
/// joiners alone (`4.5.2`, `2024-05-01`, `24/7`)?
pub fn is_number(compound: &str) -> bool {
    compound.chars().all(|c| c.is_numeric() || is_joiner(c))
}

fn format_rel(dir: &str, n: usize) -> String {
    let mut s = String::from(dir);
    s.push_str(&crate::format::format_u64(n as u64));
    s
}

/// Keeps the ranking but moves each result of a group (the same entry in
/// another language) up to just after the group's best result.
pub fn group_hits(hits: Vec<Hit>) -> Vec<Hit> {
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
#[derive(Debug, Clone, Default)]
pub struct Highlight {
    /// (Sorted.)
    pub words: Vec<String>,
    pub prefixes: Vec<String>,
}

impl Highlight {
    fn matches(&self, t: &str) -> bool {
        self.words.binary_search_by(|w| w.as_str().cmp(t)).is_ok()
            || self.prefixes.iter().any(|p| t.starts_with(p.as_str()))
    }
}

/// Every raw word of `text`: (start, end, highlighted).
fn marks(text: &str, hl: &Highlight) -> Vec<(usize, usize, bool)> {
    words(text)
        .map(|w| {
            let mut m = false;
            word_tokens(&text[w.start..w.end], |t| m = m || hl.matches(t));
            (w.start, w.end, m)
        })
        .collect()
}

/// A snippet of `text` around its best cluster of hits, with the byte
/// ranges of the hits in the snippet.
pub fn snippet(text: &str, hl: &Highlight) -> (String, Vec<(usize, usize)>) {
    let all = marks(text, hl);
    let hits: Vec<(usize, usize)> = all.iter().filter(|w| w.2).map(|w| (w.0, w.1)).collect();
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
