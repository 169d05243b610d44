//! Builds the sharded index (see the module docs of `search` for the format).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;

use rayon::prelude::*;

use campfire_search::byte_scan;

use super::format::{
    DIGITS, FORMAT_VERSION, Manifest, NOT_TOGETHER, TermPostings, VocabShard, base_key,
    encode_doc_fields, encode_phrase_shard, encode_term_shard, encode_vocab, gaps, js_file,
    js_json_file, key_file_name, push_varint,
};
use super::tokenize::{
    Piece, english_stemmer, is_english, is_joiner, is_stop_word, pieces, stem_english,
};
use super::{DocKind, SearchDoc};

/// BM25 parameters.
pub(crate) const K1: f64 = 1.2;
pub(crate) const B: f64 = 0.75;
/// A title or keyword occurrence counts as this many body occurrences
/// (BM25F) …
const FIELD_TF: u32 = 3;
/// … and a term found in the title or keywords earns this flat bonus on top
/// of its saturated BM25 term weight (so title hits rank clearly higher).
const FIELD_BONUS: f64 = 1.0;
/// Term weights are stored as integers 1..=31: `round(w * WEIGHT_SCALE)`.
const WEIGHT_SCALE: f64 = 9.0;
/// IDFs are stored as integers: `round(idf * IDF_SCALE)`.
const IDF_SCALE: f64 = 100.0;
/// A term shard above this size (bytes of JSON) is split by one more
/// character, and a prefix group at least a quarter of it gets its own file.
/// 8 KiB rather than 12: on 10,000 stories a first query loads less of the
/// words it does not need ("refund delay" 13.0 -> 7.5 kB of shards), for a
/// longer manifest (1,389 keys instead of 815, front-coded to 4.3 kB).
pub(crate) const SHARD_TARGET_BYTES: usize = 8 * 1024;
/// Longest shard key.
const MAX_KEY_CHARS: usize = 12;
/// Body text kept for snippets (characters).
pub(crate) const MAX_TEXT_CHARS: usize = 2000;
/// Phrases are merged across groups in `2^PHRASE_PART_BITS` parts, side
/// by side.
const PHRASE_PART_BITS: u32 = 4;
const PHRASE_PARTS: usize = 1 << PHRASE_PART_BITS;

/// The part of [`PHRASE_PARTS`] a phrase (a pair of term ranks) is merged
/// in: the top bits of a multiplicative hash.
fn phrase_part(pair: u64) -> usize {
    (pair.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PHRASE_PART_BITS)) as usize
}

/// Documents per `d/<n>.js` file are chosen so that a file holds about this.
const CHUNK_TARGET_BYTES: usize = 2500;
const MAX_DOCS_PER_CHUNK: usize = 64;

/// The order of the facet dimensions in `facets.js` (others follow,
/// alphabetically, before `language`).
const DIM_ORDER: &[&str] = &["type", "department", "touchpoint", "value"];

/// Fast, deterministic hashing for the builder's maps (no untrusted keys
/// to defend against here).
type FxMap<K, V> = rustc_hash::FxHashMap<K, V>;

/// In a document's token sequence: a block or field boundary.
const BREAK: u32 = u32::MAX;

/// In a document's token sequence: this bit marks a compound token
/// (counted, never part of a phrase). Local token ids stay below it.
const COMPOUND: u32 = 1 << 31;

/// One analysed document: its length and every (non-stop-word) token it
/// counts, in order, parts and compounds, with [`BREAK`]s. Its term counts
/// are summed from this sequence when weighted (step 3) and its phrases
/// read from it (parts only): holding the counts as well, a list of
/// (token, body tf, field tf) per document, took twice the memory of the
/// sequence, and was most of what the index held at its peak (0.83 GB at
/// 100,000 stories).
struct DocTokens {
    len: u32,
    /// Tokens in the title and keywords.
    field_len: u32,
    /// Where the body starts in `seq` (a byte offset): tokens before are
    /// the title's and the keywords'.
    body_from: u32,
    /// The sequence, each token a varint (see [`encode_seq`]): most local
    /// ids are small, so a token takes one or two bytes where a `u32` took
    /// four (the sequences were 190 MB at 100,000 stories, and set the
    /// index's peak while they were made).
    seq: Box<[u8]>,
}

impl DocTokens {
    /// Each counted token of the sequence (local id), with whether it is
    /// in the title or keywords.
    fn counted(&self) -> impl Iterator<Item = (u32, bool)> + '_ {
        decode_seq(&self.seq)
            .filter(|&(_, t)| t != BREAK)
            .map(|(at, t)| (t & !COMPOUND, at < self.body_from as usize))
    }

    /// The sequence's tokens as [`analyse_group`] made them.
    fn tokens(&self) -> impl Iterator<Item = u32> + '_ {
        decode_seq(&self.seq).map(|(_, t)| t)
    }
}

/// Appends `seq` to `out`, each token a LEB128 varint ([`push_leb128`]):
/// a [`BREAK`] as 0, a token as its local id times two, plus one when it
/// is a compound, plus one (at most `u32::MAX`: ids stay below
/// [`COMPOUND`], and a compound of the last id would be `BREAK`).
fn encode_seq(out: &mut Vec<u8>, seq: &[u32]) {
    for &t in seq {
        let v = if t == BREAK {
            0
        } else {
            ((t & !COMPOUND) << 1 | u32::from(t & COMPOUND != 0)) + 1
        };
        push_leb128(out, v);
    }
}

/// The tokens of a sequence [`encode_seq`] made, each with the byte
/// offset it starts at.
fn decode_seq(bytes: &[u8]) -> impl Iterator<Item = (usize, u32)> + '_ {
    leb128_values_at(bytes).map(|(at, v)| {
        let t = match v {
            0 => BREAK,
            v => (v - 1) >> 1 | if (v - 1) & 1 == 1 { COMPOUND } else { 0 },
        };
        (at, t)
    })
}

/// The pairs of adjacent part tokens of a sequence (compounds are passed
/// over, a [`BREAK`] ends a run), in order.
fn adjacent_parts(seq: impl IntoIterator<Item = u32>, mut f: impl FnMut(u32, u32)) {
    let mut previous = BREAK;
    for t in seq {
        if t != BREAK && t & COMPOUND != 0 {
            continue;
        }
        if previous != BREAK && t != BREAK {
            f(previous, t);
        }
        previous = t;
    }
}

/// The tokens of a group of documents, interned locally (no string is
/// allocated for a token more than once per group). The tokens are owned,
/// so the documents' bodies can be freed as soon as they are analysed.
struct Group {
    /// Distinct (token, english) of the group, by local id.
    tokens: Vec<(Box<str>, bool)>,
    docs: Vec<DocTokens>,
}

/// Analyses `docs`, taking their bodies (freed here), each handed first
/// to `read` with its document (which makes the document files from it):
/// a big site's body is held packed (see `crate::packed`), and unpacked
/// only here, once.
fn analyse_group(docs: &mut [SearchDoc], mut read: impl FnMut(&SearchDoc, &str)) -> Group {
    let mut ids = TokenIds::default();
    let mut stop: Vec<bool> = Vec::new();
    let mut out = Vec::with_capacity(docs.len());
    // Grown once for the group: each document keeps an exact copy of its
    // sequence, encoded (grown by doubling, they were a third larger than
    // needed).
    let mut seq: Vec<u32> = Vec::with_capacity(512);
    let mut encoded: Vec<u8> = Vec::with_capacity(1024);
    for doc in docs {
        let body = std::mem::take(&mut doc.body).into_string();
        let doc = &*doc;
        read(doc, &body);
        let english = is_english(&doc.language);
        seq.clear();
        let mut len = 0u32;
        let mut field_len = 0u32;
        let mut add = |seq: &mut Vec<u32>, text: &str, field: bool| {
            if seq.last().is_some_and(|&l| l != BREAK) {
                seq.push(BREAK);
            }
            pieces(text, |p| {
                let (t, part) = match p {
                    Piece::Part(t) => (t, true),
                    Piece::Compound(t, _) => (Cow::Owned(t), false),
                    Piece::Break => {
                        if seq.last().is_some_and(|&l| l != BREAK) {
                            seq.push(BREAK);
                        }
                        return;
                    }
                };
                let id = ids.id(t, english, |t| {
                    stop.push(english && is_stop_word(t));
                });
                if stop[id as usize] {
                    return;
                }
                seq.push(if part { id } else { id | COMPOUND });
                len += 1;
                field_len += u32::from(field);
            });
        };
        add(&mut seq, &doc.title, true);
        for k in &doc.keywords {
            add(&mut seq, k, true);
        }
        let body_starts = seq.len();
        add(&mut seq, &body, false);
        encoded.clear();
        encode_seq(&mut encoded, &seq[..body_starts]);
        let body_from = encoded.len() as u32;
        encode_seq(&mut encoded, &seq[body_starts..]);
        out.push(DocTokens {
            len,
            field_len,
            body_from,
            seq: encoded.as_slice().into(),
        });
    }
    Group {
        tokens: ids.into_tokens(),
        docs: out,
    }
}

/// A group's distinct (token, english) pairs, numbered from 0 in the order
/// first seen. Most tokens are words of at most 8 bytes: those are keyed by
/// their bytes as one integer (a multiply to hash, one comparison to find),
/// the rest by their text; analysing a 10k site looks up some 7 million
/// tokens. Each distinct token is owned once, by its map; the maps become
/// the list of tokens at the end.
#[derive(Default)]
struct TokenIds {
    /// By english: tokens of 1 to 8 bytes, as [`short_key`].
    short: [FxMap<u64, u32>; 2],
    /// By english: longer tokens.
    long: [FxMap<Box<str>, u32>; 2],
    distinct: u32,
}

/// A token of 1 to 8 bytes as an integer: its bytes, little-endian, then
/// zeros. One-to-one, as a token holds no NUL byte (letters, digits and
/// joiners).
fn short_key(token: &[u8]) -> u64 {
    debug_assert!((1..=8).contains(&token.len()) && !token.contains(&0));
    // Its first and last four (or two) bytes, each read at once, put at
    // their places: where they overlap they are the same bytes, so OR
    // leaves them as they are (a byte at a time, this was a loop per
    // token of the site's millions).
    let n = token.len();
    let four = |at: usize| u64::from(u32::from_le_bytes(token[at..at + 4].try_into().expect("4")));
    let two = |at: usize| u64::from(u16::from_le_bytes(token[at..at + 2].try_into().expect("2")));
    match n {
        4.. => four(0) | four(n - 4) << (8 * (n - 4)),
        2.. => two(0) | two(n - 2) << (8 * (n - 2)),
        _ => u64::from(token[0]),
    }
}

/// The token [`short_key`] was made of.
fn short_token(key: u64) -> Box<str> {
    let bytes = key.to_le_bytes();
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(8);
    std::str::from_utf8(&bytes[..len])
        .expect("made of a token's bytes")
        .into()
}

impl TokenIds {
    /// The id of `token`, numbering it (and calling `new` with it) if it is
    /// new.
    #[inline]
    fn id(&mut self, token: Cow<str>, english: bool, new: impl FnOnce(&str)) -> u32 {
        let next = self.distinct;
        if (1..=8).contains(&token.len()) {
            let key = short_key(token.as_bytes());
            if let Some(&id) = self.short[english as usize].get(&key) {
                return id;
            }
            self.numbered(&token, new);
            self.short[english as usize].insert(key, next);
            return next;
        }
        if let Some(&id) = self.long[english as usize].get(token.as_ref()) {
            return id;
        }
        self.numbered(&token, new);
        // An owned token (folded) is moved in, not copied.
        self.long[english as usize].insert(token.into(), next);
        next
    }

    /// Counts a new token.
    fn numbered(&mut self, token: &str, new: impl FnOnce(&str)) {
        assert!(
            self.distinct < COMPOUND,
            "too many distinct tokens in a group"
        );
        self.distinct += 1;
        new(token);
    }

    /// Every token by its id, with whether it is English.
    fn into_tokens(self) -> Vec<(Box<str>, bool)> {
        let mut tokens: Vec<(Box<str>, bool)> = vec![Default::default(); self.distinct as usize];
        for (english, map) in self.short.into_iter().enumerate() {
            for (key, id) in map {
                tokens[id as usize] = (short_token(key), english == 1);
            }
        }
        for (english, map) in self.long.into_iter().enumerate() {
            for (token, id) in map {
                tokens[id as usize] = (token, english == 1);
            }
        }
        tokens
    }
}

/// The integer weight (1..=31) of a term in a document whose title and
/// keywords hold `field_len` tokens.
fn weight(body_tf: u32, field_tf: u32, dl: u32, avgdl: f64, field_len: u32) -> u32 {
    let tf = (body_tf + FIELD_TF * field_tf) as f64;
    let norm = K1 * (1.0 - B + B * dl as f64 / avgdl);
    let mut w = tf * (K1 + 1.0) / (tf + norm);
    if field_tf > 0 {
        // The larger the share of a short title the term is, the more: a
        // page titled just "Onboarding" is the known item for "onboarding".
        w += FIELD_BONUS * (1.0 + field_tf as f64 / field_len.max(1) as f64);
    }
    (w * WEIGHT_SCALE).round().clamp(1.0, 31.0) as u32
}

/// The integer IDF of a term found in `df` of `n` documents.
fn idf(df: usize, n: usize) -> u64 {
    let (df, n) = (df as f64, n as f64);
    let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
    ((idf * IDF_SCALE).round() as u64).max(1)
}

/// Appends document `d`'s fields to a document file's payload, with
/// `text` for what its file keeps of the body (`stored_text`).
fn encode_doc(payload: &mut String, d: &SearchDoc, text: &str) {
    encode_doc_fields(
        payload,
        [
            &d.url,
            &d.title,
            d.kind.as_str(),
            &d.language,
            text,
            &d.group,
        ],
    );
}

/// Collapses whitespace and keeps at most `MAX_TEXT_CHARS` characters,
/// cutting at a space.
fn stored_text(body: &str) -> String {
    stored_text_and_whether_cut(body).0
}

/// The byte length of [`stored_text`]`(body)`.
pub fn stored_len(body: &str) -> usize {
    stored_text(body).len()
}

/// [`stored_text`], and whether it left out words of `body` (stopped at
/// the cap).
fn stored_text_and_whether_cut(body: &str) -> (String, bool) {
    let mut out = String::with_capacity(body.len().min(MAX_TEXT_CHARS * 2));
    let mut chars = 0;
    let mut rest = body;
    while let Some((run, n, after)) = next_run(rest) {
        // A run is words already joined by single spaces: copied whole
        // while it surely fits (this errs on the side of the word by
        // word path below, which is the definition).
        let separator = usize::from(!out.is_empty());
        if chars + separator + n < MAX_TEXT_CHARS {
            if separator == 1 {
                out.push(' ');
            }
            out.push_str(run);
            chars += separator + n;
            rest = after;
            continue;
        }
        let mut words = run;
        while let Some((word, n, after)) = next_word(words) {
            if chars + n + 1 > MAX_TEXT_CHARS {
                if chars == 0 {
                    out.extend(word.chars().take(MAX_TEXT_CHARS));
                }
                return (out, true);
            }
            if !out.is_empty() {
                out.push(' ');
                chars += 1;
            }
            out.push_str(word);
            chars += n;
            words = after;
        }
        rest = after;
    }
    (out, false)
}

/// The byte length of `stored_text(t)` for every `t` that begins with
/// `text`, whatever follows, when that is one length: when `stored_text`
/// stops at its cap before `text`'s last word (which what follows could
/// lengthen). A big site's build finds it before it packs a body's search
/// text, so that the index sizes its files without unpacking them.
pub fn stored_len_whatever_follows(text: &str) -> Option<usize> {
    // Up to where the last word starts: the words before it are words of
    // any longer text too, and come first in it.
    let end = text.trim_end();
    let head = &text[..end
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8())];
    // When the stored text is cut, `stored_text` stopped at a word of
    // `head`: what follows cannot change it. (Asking `stored_text` rather
    // than counting `head`'s words: that count was 2.5% of a 100,000-story
    // build's CPU.)
    let (stored, cut) = stored_text_and_whether_cut(head);
    cut.then_some(stored.len())
}

/// Like [`next_word`], but runs on over single ASCII spaces followed by
/// more of a word: the first run of words that `stored_text` would join
/// with single spaces, as it stands in `text`. Most text is such runs
/// from one line break to the next, scanned a byte at a time in a tight
/// loop and copied whole rather than word by word.
fn next_run(text: &str) -> Option<(&str, usize, &str)> {
    let (first, first_chars, after) = next_word(text)?;
    let bytes = text.as_bytes();
    let mut end = text.len() - after.len();
    let start = end - first.len();
    // The run's characters are its bytes after `first`, less those that
    // continue a character (counted as they are met, not in a second pass).
    let mut continuing = 0;
    loop {
        // 16 bytes at a time over what surely continues the run: ASCII
        // bytes that are not spaces, and single spaces before one.
        while let Some(chunk) = bytes.get(end..end + 16) {
            let chunk = chunk.try_into().expect("16 bytes");
            let word =
                !(byte_scan::any_of(chunk, ASCII_SPACES) | byte_scan::non_ascii(chunk)) & 0xFFFF;
            let joining = byte_scan::any_of(chunk, [b' ']) & word >> 1;
            let len = (!(word | joining) | 1 << 16).trailing_zeros();
            end += len as usize;
            if len < 16 {
                break;
            }
        }
        while end < bytes.len() && IN_WORD[bytes[end] as usize] {
            end += 1;
        }
        if end == bytes.len() {
            break;
        }
        let b = bytes[end];
        if b == b' ' {
            match bytes.get(end + 1) {
                Some(&next) if next < 0x80 && !is_ascii_space(next) => end += 2,
                _ => break,
            }
        } else if b >= 0x80 {
            let c = text[end..].chars().next().expect("a character starts here");
            if c.is_whitespace() {
                break;
            }
            end += c.len_utf8();
            continuing += c.len_utf8() - 1;
        } else {
            break;
        }
    }
    let chars = first_chars + (end - start - first.len()) - continuing;
    Some((&text[start..end], chars, &text[end..]))
}

/// The ASCII bytes that are not spaces: a run of them is part of a word
/// (one table load a byte in `next_run`'s loop, not two comparisons).
static IN_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x80 {
        table[b] = !is_ascii_space(b as u8);
        b += 1;
    }
    table
};

/// The ASCII bytes `str::split_whitespace` splits at.
const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// [`is_ascii_space`]'s bytes.
const ASCII_SPACES: [u8; 6] = [b'\t', b'\n', 0x0B, 0x0C, b'\r', b' '];

/// The first word of `text` as `str::split_whitespace` sees it, its length
/// in characters, and the text after it. Runs of ASCII bytes (nearly all
/// text) are scanned in tight loops; a character is decoded only where a
/// byte is not ASCII.
fn next_word(text: &str) -> Option<(&str, usize, &str)> {
    let bytes = text.as_bytes();
    let ascii_space = is_ascii_space;
    // The character at `i` (not ASCII) and whether it is a space.
    let wide_char_at = |i: usize| {
        let c = text[i..].chars().next().expect("a character starts here");
        (c.len_utf8(), c.is_whitespace())
    };
    let mut start = 0;
    loop {
        start += bytes[start..]
            .iter()
            .position(|&b| !ascii_space(b))
            .unwrap_or(bytes.len() - start);
        if start == bytes.len() {
            return None;
        }
        if bytes[start] < 0x80 {
            break;
        }
        match wide_char_at(start) {
            (len, true) => start += len,
            (_, false) => break,
        }
    }
    let mut end = start;
    let mut chars = 0;
    loop {
        let run = bytes[end..]
            .iter()
            .position(|&b| !IN_WORD[b as usize])
            .unwrap_or(bytes.len() - end);
        end += run;
        chars += run;
        if end == bytes.len() || bytes[end] < 0x80 {
            break;
        }
        match wide_char_at(end) {
            (_, true) => break,
            (len, false) => {
                end += len;
                chars += 1;
            }
        }
    }
    Some((&text[start..end], chars, &text[end..]))
}

/// An entry of a term shard: a term with its postings, or a surface form
/// and the term it is indexed under.
enum Entry {
    Term(u32, TermPostings),
    Form(u32),
}

/// A string and its term-shard entry, sorted by string.
struct Keyed {
    key: String,
    entry: Entry,
}

fn entry_size(e: &Keyed, terms: &[&str]) -> usize {
    e.key.len()
        + 4
        + match &e.entry {
            Entry::Term(_, p) => p.2.len() + 16,
            Entry::Form(t) => terms[*t as usize].len() + 3,
        }
}

/// Phrase shards above this size (bytes of JSON) are split (see
/// [`super::format::PhraseShard`]).
const PHRASE_TARGET_BYTES: usize = 16 * 1024;

/// Writes `entries` (phrase, postings; sorted, all starting with `prefix`)
/// as payload `key`, splitting off big groups that share a longer prefix
/// into `q/<prefix>` files of their own.
fn phrase_files(
    key: String,
    prefix: &str,
    entries: &[(String, String)],
    out: &mut Vec<(String, Vec<u8>)>,
) {
    let size =
        |es: &[(String, String)]| es.iter().map(|e| e.0.len() + e.1.len() + 6).sum::<usize>();
    // What stays in this file, and the prefixes split off.
    let mut here: Vec<&(String, String)> = Vec::new();
    let mut splits: Vec<String> = Vec::new();
    if size(entries) <= PHRASE_TARGET_BYTES || entries.len() == 1 || prefix.len() >= 80 {
        here.extend(entries);
    } else {
        let mut i = 0;
        while i < entries.len() {
            let next = entries[i].0[prefix.len()..].chars().next();
            let mut j = i + 1;
            while j < entries.len() && entries[j].0[prefix.len()..].chars().next() == next {
                j += 1;
            }
            match next {
                Some(c) if size(&entries[i..j]) >= PHRASE_TARGET_BYTES / 4 => {
                    let mut longer = prefix.to_string();
                    longer.push(c);
                    phrase_files(format!("q/{longer}"), &longer, &entries[i..j], out);
                    splits.push(longer);
                }
                _ => here.extend(&entries[i..j]),
            }
            i = j;
        }
    }
    let dir = &key[..2];
    out.push((
        format!("search/{dir}{}.js", key_file_name(&key[2..])),
        js_file(
            &key,
            &encode_phrase_shard(
                &splits,
                here.iter().map(|(phrase, g)| {
                    let (a, b) = phrase.split_once(' ').unwrap_or((phrase, ""));
                    (a, b, g.as_str())
                }),
            ),
        ),
    ));
}

/// Builds the index files (paths relative to the output directory).
/// Deterministic: the same documents, in any order, give the same bytes.
pub fn build_index(docs: &[SearchDoc]) -> Vec<(String, Vec<u8>)> {
    build_index_owned(docs.to_vec())
}

/// [`build_index`] of documents it may consume (freeing their bodies as it
/// goes). The files come in path order, the manifest last.
pub fn build_index_owned(docs: Vec<SearchDoc>) -> Vec<(String, Vec<u8>)> {
    collected(|emit| build_index_into(docs, emit))
}

/// The files that `build` gives to `emit`, in path order, the manifest
/// last (it names a hash of all the others).
fn collected(build: impl FnOnce(&Emit)) -> Vec<(String, Vec<u8>)> {
    let files = std::sync::Mutex::new(Vec::new());
    build(&|path, bytes| files.lock().expect("index files").push((path, bytes)));
    let mut files = files.into_inner().expect("index files");
    files.sort_unstable_by(|a, b| (a.0 == MANIFEST, &a.0).cmp(&(b.0 == MANIFEST, &b.0)));
    files
}

const MANIFEST: &str = "search/manifest.js";

/// Where the index files go as each is made (from several threads).
pub type Emit<'e> = dyn Fn(String, Vec<u8>) + Sync + 'e;

/// [`build_index`] with term shards of about `shard_target` bytes (tests
/// check that the shard size changes which files a query loads, never its
/// results).
#[cfg(test)]
pub(crate) fn build_index_sharded(
    docs: &[SearchDoc],
    shard_target: usize,
) -> Vec<(String, Vec<u8>)> {
    collected(|emit| build_sharded(docs.to_vec(), shard_target, emit, &|| {}))
}

/// A file's part of the manifest's hash: FxHash of its bytes and path,
/// which reads eight bytes a step (the index's 60 MB of files at 10,000
/// stories, hashed on the way out; FNV-1a, a byte a step, was a loop of
/// its own in the profile).
fn file_hash(path: &str, bytes: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.write(path.as_bytes());
    h.finish()
}

/// Builds the index from `docs`, handing each file to `emit` as soon as it
/// is made, so that a big site's index is never all in memory at once:
/// the document files first (then the bodies are only needed until each
/// is analysed), the term, phrase and vocabulary shards, the facets and
/// the manifest last.
pub fn build_index_into(docs: Vec<SearchDoc>, emit: &Emit) {
    build_sharded(docs, SHARD_TARGET_BYTES, emit, &|| {})
}

/// [`build_index_into`], calling `freed` where it has just freed much
/// (the bodies once analysed, their weights once inverted, their token
/// sequences once read for phrases): a one-off
/// build gives the memory back to the system there (see
/// `render::give_back_memory`), so that what the next steps allocate anew
/// is not added on top of it.
pub fn build_index_freeing(docs: Vec<SearchDoc>, emit: &Emit, freed: &dyn Fn()) {
    build_sharded(docs, SHARD_TARGET_BYTES, emit, freed)
}

fn build_sharded(docs: Vec<SearchDoc>, shard_target: usize, emit: &Emit, freed: &dyn Fn()) {
    // Document ids: sorted by kind, language, facets, url, so that facet
    // values form long runs and the result does not depend on input order.
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let sorted_facets: Vec<Vec<&super::Facet>> = docs
        .par_iter()
        .map(|d| {
            let mut f: Vec<_> = d.facets.iter().collect();
            f.sort();
            f
        })
        .collect();
    order.par_sort_by(|&a, &b| {
        let (da, db) = (&docs[a], &docs[b]);
        (da.kind, &da.language, &sorted_facets[a], &da.url, &da.title)
            .cmp(&(db.kind, &db.language, &sorted_facets[b], &db.url, &db.title))
            // Only then the texts (unpacked if need be: two documents
            // with one address are rare).
            .then_with(|| da.body.text().cmp(&db.body.text()))
    });
    drop(sorted_facets);
    let mut slots: Vec<Option<SearchDoc>> = docs.into_iter().map(Some).collect();
    let mut docs: Vec<SearchDoc> = order
        .iter()
        .map(|&i| slots[i].take().expect("each document once"))
        .collect();
    drop(slots);
    let n = docs.len();
    let timings = std::env::var_os("CAMPFIRE_TIMINGS").is_some();
    let mut t = std::time::Instant::now();
    let mut cpu = crate::render::cpu_time();
    let mut lap = |what: &str| {
        if timings {
            let now = crate::render::cpu_time();
            eprintln!(
                "timings: search index step {what}: {:?} (cpu {:?}) {}",
                t.elapsed(),
                now - cpu,
                crate::render::peak_memory()
            );
            t = std::time::Instant::now();
            cpu = now;
        }
    };

    // 0. The documents' sizes, which set how many go in a file, from the
    //    text each file keeps: made here and kept for step 1 (made once).
    //    A big site's body is held packed (see `crate::packed`): its
    //    document's size was mostly found before it was packed
    //    (`DocBody::stored_len`), so that it is unpacked only once, in
    //    step 1, which makes its text then.
    let (mut stored, sizes): (Vec<Option<String>>, Vec<usize>) = docs
        .par_iter()
        .map(|d| {
            let (stored, len) = match d.body.stored_len() {
                Some(len) => (None, len),
                None => {
                    let text = stored_text(&d.body.text());
                    let len = text.len();
                    (Some(text), len)
                }
            };
            (
                stored,
                d.url.len() + d.title.len() + len + d.group.len() + 28,
            )
        })
        .unzip();
    let doc_bytes: usize = sizes.iter().sum();
    let per_chunk = match doc_bytes.checked_div(n) {
        None => 1,
        Some(avg) => (CHUNK_TARGET_BYTES / avg.max(1)).clamp(1, MAX_DOCS_PER_CHUNK),
    };

    lap("0");
    // 1. Each group of documents, in parallel: the document files (the
    //    text kept for snippets), handed on as they are made, and the
    //    tokens, from one reading of each body (freed once analysed).
    //    A group holds whole files.
    let group_size = n
        .div_ceil(rayon::current_num_threads() * 4)
        .max(64)
        .next_multiple_of(per_chunk);
    let (mut groups, doc_hashes): (Vec<Group>, Vec<Vec<u64>>) = docs
        .par_chunks_mut(group_size)
        .zip(stored.par_chunks_mut(group_size))
        .enumerate()
        .map(|(g, (group, stored))| {
            let (first, last) = (g * group_size, g * group_size + group.len());
            let mut hashes = Vec::with_capacity((last - first).div_ceil(per_chunk));
            let mut payload = String::new();
            let mut at = first;
            let mut stored = stored.iter_mut();
            let tokens = analyse_group(group, |d, body| {
                let text = stored
                    .next()
                    .and_then(Option::take)
                    .unwrap_or_else(|| stored_text(body));
                encode_doc(&mut payload, d, &text);
                at += 1;
                if at % per_chunk == 0 || at == last {
                    let c = (at - 1) / per_chunk;
                    let (path, bytes) = (
                        format!("search/d/{c}.js"),
                        js_file(&format!("d/{c}"), &payload),
                    );
                    hashes.push(file_hash(&path, &bytes));
                    emit(path, bytes);
                    payload.clear();
                }
            });
            (tokens, hashes)
        })
        .unzip();
    let doc_hashes: Vec<u64> = doc_hashes.into_iter().flatten().collect();
    drop(stored);

    // The analysed documents, out of the groups, whose tokens are
    // borrowed from here on.
    let group_docs: Vec<Vec<DocTokens>> = groups
        .iter_mut()
        .map(|g| std::mem::take(&mut g.docs))
        .collect();
    let groups = groups;

    freed();
    lap("1");
    // 2. Global terms: each distinct (token, english) once, stemmed once.
    let mut raw_ids: FxMap<(&str, bool), u32> = FxMap::default();
    let mut raws: Vec<(&str, bool)> = Vec::new();
    let translate_raw: Vec<Vec<u32>> = groups
        .iter()
        .map(|g| {
            g.tokens
                .iter()
                .map(|(t, en)| {
                    *raw_ids.entry((t.as_ref(), *en)).or_insert_with(|| {
                        raws.push((t.as_ref(), *en));
                        raws.len() as u32 - 1
                    })
                })
                .collect()
        })
        .collect();
    let stems: Vec<Cow<str>> = raws
        .par_iter()
        .map_init(english_stemmer, |stemmer, &(t, en)| {
            if en {
                Cow::Owned(stem_english(stemmer, t).into_owned())
            } else {
                Cow::Borrowed(t)
            }
        })
        .collect();
    let mut term_ids: FxMap<&str, u32> = FxMap::default();
    let mut terms: Vec<&str> = Vec::new();
    let raw_to_term: Vec<u32> = stems
        .iter()
        .map(|s| {
            *term_ids.entry(s.as_ref()).or_insert_with(|| {
                terms.push(s.as_ref());
                terms.len() as u32 - 1
            })
        })
        .collect();

    // Each term's rank in string order: phrases sorted by (rank, rank) are
    // sorted as the strings "a b" (a space sorts before any token byte).
    let mut by_string: Vec<u32> = (0..terms.len() as u32).collect();
    by_string.par_sort_unstable_by_key(|&t| terms[t as usize]);
    let mut rank = vec![0u32; terms.len()];
    for (r, &t) in by_string.iter().enumerate() {
        rank[t as usize] = r as u32;
    }

    lap("2");
    // 3. Per document (term, weight), merged where two tokens share a
    //    stem.
    let mut lens: Vec<u32> = Vec::with_capacity(n);
    let mut field_lens: Vec<u32> = Vec::with_capacity(n);
    for g in &group_docs {
        lens.extend(g.iter().map(|d| d.len));
        field_lens.extend(g.iter().map(|d| d.field_len));
    }
    let total_len: u64 = lens.iter().map(|&l| l as u64).sum();
    let avgdl = if n == 0 {
        1.0
    } else {
        (total_len as f64 / n as f64).max(1.0)
    };
    let mut first_doc = 0usize;
    let group_first_doc: Vec<usize> = group_docs
        .iter()
        .map(|g| {
            first_doc += g.len();
            first_doc - g.len()
        })
        .collect();
    // The counts of a document's tokens are summed per term in a table of
    // all terms (one per thread), so no list is sorted to merge them; the
    // terms are weighted in the order they first occur.
    // In the same pass, two-term phrases → documents, in document order so
    // that each list is sorted; a document's repeats of a phrase end up
    // next to each other, so it is pushed once. Each document's token
    // sequence is freed as soon as both are read from it: weighted first
    // and phrases read later, the sequences (190 MB at 100,000 stories)
    // were held while the weights were inverted, the index's peak.
    // Each group's phrases come in `PHRASE_PARTS` maps by a hash of the
    // phrase, so that the groups are merged part by part side by side
    // (merged in one map, a million phrases were a serial step).
    let weighed: Vec<(GroupWeights, Vec<FxMap<u64, PhraseDocs>>)> = group_docs
        .into_par_iter()
        .zip(&translate_raw)
        .zip(&group_first_doc)
        .map_init(
            || vec![(0u32, 0u32); terms.len()],
            |sums, ((g, tr), &first)| {
                let rank_of: Vec<u64> = tr
                    .iter()
                    .map(|&raw| rank[raw_to_term[raw as usize] as usize] as u64)
                    .collect();
                let mut parts: Vec<FxMap<u64, PhraseDocs>> =
                    (0..PHRASE_PARTS).map(|_| FxMap::default()).collect();
                let mut out = GroupWeights::with_docs(g.len(), terms.len());
                let mut touched: Vec<u32> = Vec::new();
                for (i, d) in g.into_iter().enumerate() {
                    let doc = first + i;
                    for (id, field) in d.counted() {
                        let term = raw_to_term[tr[id as usize] as usize];
                        let sum = &mut sums[term as usize];
                        if *sum == (0, 0) {
                            touched.push(term);
                        }
                        if field {
                            sum.1 += 1;
                        } else {
                            sum.0 += 1;
                        }
                    }
                    for term in touched.drain(..) {
                        let (body, field) = std::mem::take(&mut sums[term as usize]);
                        let w = weight(body, field, lens[doc], avgdl, field_lens[doc]);
                        out.push(term, w as u8);
                    }
                    out.end_doc();
                    adjacent_parts(d.tokens(), |a, b| {
                        let pair = (rank_of[a as usize] << 32) | rank_of[b as usize];
                        parts[phrase_part(pair)]
                            .entry(pair)
                            .or_default()
                            .push(doc as u32);
                    });
                }
                out.shrink();
                (out, parts)
            },
        )
        .collect();
    let mut weighted = Vec::with_capacity(weighed.len());
    let mut group_phrases = Vec::with_capacity(weighed.len());
    for (w, p) in weighed {
        weighted.push(w);
        group_phrases.push(p);
    }
    // The token sequences are freed: given back before the merged maps
    // and the postings grow.
    freed();
    lap("3");
    // Part by part, each part's groups merged in group order: each list
    // stays in document order.
    let mut by_part: Vec<Vec<FxMap<u64, PhraseDocs>>> = (0..PHRASE_PARTS)
        .map(|_| Vec::with_capacity(group_phrases.len()))
        .collect();
    for group in group_phrases {
        for (part, map) in group.into_iter().enumerate() {
            by_part[part].push(map);
        }
    }
    let mut phrase_pairs: Vec<(u64, PhraseDocs)> = by_part
        .into_par_iter()
        .flat_map_iter(|groups| {
            let mut merged: FxMap<u64, PhraseDocs> = FxMap::default();
            for group in groups {
                for (pair, docs) in group {
                    match merged.entry(pair) {
                        std::collections::hash_map::Entry::Occupied(mut e) => {
                            e.get_mut().append(docs)
                        }
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert(docs);
                        }
                    }
                }
            }
            merged
        })
        .collect();
    lap("4");
    // Invert: postings of each term, in doc id order (each group's
    // weights freed as soon as they are placed).
    let postings = Inverted::new(terms.len(), weighted, freed);
    freed();
    phrase_pairs.par_sort_unstable_by_key(|p| p.0);

    let mut keyed: Vec<Keyed> = (0..terms.len())
        .into_par_iter()
        .map(|t| {
            let (list, weights) = postings.of(t as u32);
            let mut p = String::with_capacity(list.len() * 3);
            let mut prev: i64 = -1;
            for (&id, &w) in list.iter().zip(weights) {
                push_varint(&mut p, (id as i64 - prev - 1) as u64);
                prev = id as i64;
                p.push(DIGITS[w as usize] as char);
            }
            Keyed {
                key: terms[t].to_string(),
                entry: Entry::Term(
                    t as u32,
                    TermPostings(idf(list.len(), n), list.len() as u64, p),
                ),
            }
        })
        .collect();
    lap("5");
    // Surface forms indexed under another term, and the vocabulary.
    let mut vocab: Vec<(&str, u64)> = Vec::new();
    for (r, &(t, en)) in raws.iter().enumerate() {
        let term = raw_to_term[r];
        let df = postings.df(term);
        if df == 0 || (en && is_stop_word(t)) {
            continue;
        }
        if terms[term as usize] != t {
            keyed.push(Keyed {
                key: t.to_string(),
                entry: Entry::Form(term),
            });
        }
        if !t.contains(is_joiner) {
            vocab.push((t, df as u64));
        }
    }
    keyed.par_sort_unstable_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then_with(|| matches!(a.entry, Entry::Form(_)).cmp(&matches!(b.entry, Entry::Form(_))))
    });
    keyed.dedup_by(|later, first| {
        later.key == first.key
            && matches!(later.entry, Entry::Form(_)) == matches!(first.entry, Entry::Form(_))
    });

    lap("6");
    // Term shards.
    let mut shards: Vec<(String, Vec<usize>)> = Vec::new();
    let mut i = 0;
    while i < keyed.len() {
        let key = base_key(&keyed[i].key);
        let mut j = i + 1;
        while j < keyed.len() && base_key(&keyed[j].key) == key {
            j += 1;
        }
        let range = (i, j, shard_target);
        split_shard(key.to_string(), &keyed, range, &terms, &mut shards);
        i = j;
    }
    shards.sort_by(|a, b| a.0.cmp(&b.0));
    let mut shard_of_term = vec![0u32; terms.len()];
    for (s, (_, members)) in shards.iter().enumerate() {
        for &m in members {
            if let Entry::Term(t, _) = keyed[m].entry {
                shard_of_term[t as usize] = s as u32;
            }
        }
    }
    // Each shard's payload: its terms, then its forms, in string order.
    let term_hashes: Vec<u64> = shards
        .par_iter()
        .map(|(key, members)| {
            let entries = || members.iter().map(|&m| &keyed[m]);
            let payload = encode_term_shard(
                entries().filter_map(|e| match &e.entry {
                    Entry::Term(_, p) => Some((e.key.as_str(), p)),
                    Entry::Form(_) => None,
                }),
                entries().filter_map(|e| match &e.entry {
                    Entry::Form(t) => Some((e.key.as_str(), terms[*t as usize])),
                    Entry::Term(..) => None,
                }),
            );
            let path = format!("search/t/{}.js", key_file_name(key));
            let bytes = js_file(&format!("t/{key}"), &payload);
            let hash = file_hash(&path, &bytes);
            emit(path, bytes);
            hash
        })
        .collect();
    drop(keyed);

    lap("7");
    // Phrase shards: one per term shard, holding the phrases whose first
    // term is there, in string order, written straight from the sorted
    // pairs (no map of a million phrases in memory).
    // A frequent phrase whose two terms mostly stand together is written
    // as its exceptions instead (see `NOT_TOGETHER`): the documents with
    // both terms apart.
    let postings_of = |t: u32| postings.of(t).0;
    // Frequent terms' documents as bitsets too, for `both_apart` to look
    // up a document in one step (see `TermDocs`).
    let bitsets: Vec<Option<Vec<u64>>> = (0..terms.len() as u32)
        .into_par_iter()
        .map(|t| TermDocs::bitset(postings_of(t), n))
        .collect();
    let docs_of = |t: u32| TermDocs {
        postings: postings_of(t),
        bits: bitsets[t as usize].as_deref(),
    };
    // Each phrase with its shard, its text and its list (the text made
    // here, side by side, rather than in the serial loop below).
    let phrase_lists: Vec<(u32, (String, String))> = phrase_pairs
        .into_par_iter()
        .map(|(pair, docs)| {
            let (ta, tb) = (
                by_string[(pair >> 32) as usize],
                by_string[pair as u32 as usize],
            );
            let list = {
                let together = gaps(docs.iter());
                // The exceptions are written when shorter, marker included.
                let limit = together.len().saturating_sub(NOT_TOGETHER.len());
                match (docs.len() >= MIN_NOT_TOGETHER)
                    .then(|| {
                        let docs: Vec<u32> = docs.iter().collect();
                        both_apart(docs_of(ta), docs_of(tb), &docs, limit)
                    })
                    .flatten()
                {
                    Some(apart) => {
                        let mut not_together = String::from(NOT_TOGETHER);
                        not_together.push_str(&gaps(apart.into_iter()));
                        if not_together.len() < together.len() {
                            not_together
                        } else {
                            together
                        }
                    }
                    None => together,
                }
            };
            let (a, b) = (terms[ta as usize], terms[tb as usize]);
            let mut text = String::with_capacity(a.len() + 1 + b.len());
            text.push_str(a);
            text.push(' ');
            text.push_str(b);
            (shard_of_term[ta as usize], (text, list))
        })
        .collect();
    let mut phrases: Vec<Vec<(String, String)>> = vec![Vec::new(); shards.len()];
    for (shard, phrase) in phrase_lists {
        phrases[shard as usize].push(phrase);
    }
    let phrase_hashes: Vec<Vec<u64>> = shards
        .par_iter()
        .zip(&phrases)
        .map(|((key, _), p)| {
            let mut out = Vec::new();
            phrase_files(format!("p/{key}"), key, p, &mut out);
            out.into_iter()
                .map(|(path, bytes)| {
                    let hash = file_hash(&path, &bytes);
                    emit(path, bytes);
                    hash
                })
                .collect()
        })
        .collect();
    drop(phrases);

    lap("8");
    // Vocabulary files, one per base key of the term shards.
    let mut by_base: BTreeMap<&str, VocabShard> = shards
        .iter()
        .map(|(k, _)| (base_key(k), VocabShard::new()))
        .collect();
    for (w, d) in vocab {
        if let Some(v) = by_base.get_mut(base_key(w)) {
            v.push((w.to_string(), d));
        }
    }
    let vocab_hashes: Vec<u64> = by_base
        .into_par_iter()
        .map(|(base, mut v)| {
            v.sort();
            v.dedup_by(|a, b| a.0 == b.0);
            let path = format!("search/v/{}.js", key_file_name(base));
            let bytes = js_file(&format!("v/{base}"), &encode_vocab(&v));
            let hash = file_hash(&path, &bytes);
            emit(path, bytes);
            hash
        })
        .collect();

    lap("9");
    let facets_path = "search/facets.js".to_string();
    let doc_refs: Vec<&SearchDoc> = docs.iter().collect();
    let facets = js_json_file("facets", &facets_json(&doc_refs), 0);
    let facets_hash = file_hash(&facets_path, &facets);
    emit(facets_path, facets);

    // A hash of everything else, in the order term, phrase, vocabulary,
    // document and facet files: the browser asks for `t/re.js?v=HASH`, so
    // a cached file from an older build is never mixed with a newer
    // manifest.
    let hash = term_hashes
        .iter()
        .chain(phrase_hashes.iter().flatten())
        .chain(&vocab_hashes)
        .chain(&doc_hashes)
        .chain([&facets_hash])
        .fold(rustc_hash::FxHasher::default(), |mut h, x| {
            h.write_u64(*x);
            h
        })
        .finish();
    let manifest = Manifest {
        v: FORMAT_VERSION,
        h: format!("{hash:016x}"),
        n,
        c: per_chunk,
        keys: shards.into_iter().map(|(k, _)| k).collect(),
    };
    emit(
        MANIFEST.to_string(),
        js_file("manifest", &manifest.encode()),
    );
}

/// The (term, weight) lists of a group of consecutive documents, flat:
/// document `i`'s terms, as LEB128, are `terms[ends[i - 1].0..ends[i].0]`
/// and its weights `weights[ends[i - 1].1..ends[i].1]`. Terms are
/// numbered about in the order first seen, so the frequent ones, most of
/// the pairs, take a byte or two where a `u32` took four: at 100,000
/// stories the index inverts 28 million pairs, and while the postings
/// are made whole these lists are still held (its peak).
#[derive(Debug, Default, PartialEq)]
struct GroupWeights {
    terms: Vec<u8>,
    weights: Vec<u8>,
    ends: Vec<(usize, usize)>,
    /// In how many of the group's documents each term is (counted as
    /// they come: the terms are not read twice to invert them).
    df: Vec<u32>,
}

impl GroupWeights {
    fn with_docs(docs: usize, terms: usize) -> Self {
        GroupWeights {
            ends: Vec::with_capacity(docs),
            df: vec![0; terms],
            ..Default::default()
        }
    }

    /// Adds a pair to the document being made.
    fn push(&mut self, term: u32, weight: u8) {
        push_leb128(&mut self.terms, term);
        self.weights.push(weight);
        self.df[term as usize] += 1;
    }

    /// Ends the document being made.
    fn end_doc(&mut self) {
        self.ends.push((self.terms.len(), self.weights.len()));
    }

    /// Gives back what growing left spare (copied: an allocator may keep
    /// a block that shrinks in place whole).
    fn shrink(&mut self) {
        if self.terms.capacity() > self.terms.len() {
            self.terms = self.terms.as_slice().to_vec();
        }
        if self.weights.capacity() > self.weights.len() {
            self.weights = self.weights.as_slice().to_vec();
        }
    }

    /// Each document's (term, weight) pairs.
    fn docs(&self) -> impl Iterator<Item = impl Iterator<Item = (u32, u8)> + '_> {
        let starts = std::iter::once((0, 0)).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|((a, wa), &(b, wb))| {
            leb128_values(&self.terms[a..b]).zip(self.weights[wa..wb].iter().copied())
        })
    }
}

/// One phrase's documents, ascending, as LEB128 gaps (the first counted
/// from 0). At 100,000 stories there are some 39 million (phrase,
/// document) pairs: as a `Vec<u32>` a phrase, with what growing left
/// spare, they were 217 MB at the index's peak; most gaps take a byte.
#[derive(Debug, Default, PartialEq)]
struct PhraseDocs {
    /// The last document pushed (when `count` is not 0).
    last: u32,
    count: u32,
    gaps: Vec<u8>,
}

impl PhraseDocs {
    /// Adds `doc`, which is not below the last one (a repeat is left out).
    fn push(&mut self, doc: u32) {
        if self.count > 0 {
            if doc == self.last {
                return;
            }
            push_leb128(&mut self.gaps, doc - self.last);
        } else {
            push_leb128(&mut self.gaps, doc);
        }
        self.last = doc;
        self.count += 1;
    }

    /// Appends `later`, whose documents all come after this one's.
    fn append(&mut self, later: PhraseDocs) {
        if later.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = later;
            return;
        }
        let (first, used) = read_leb128(&later.gaps);
        push_leb128(&mut self.gaps, first - self.last);
        self.gaps.extend_from_slice(&later.gaps[used..]);
        self.last = later.last;
        self.count += later.count;
    }

    fn len(&self) -> usize {
        self.count as usize
    }

    /// The documents, ascending.
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut at = 0;
        let mut doc = 0u32;
        std::iter::from_fn(move || {
            if at >= self.gaps.len() {
                return None;
            }
            let (gap, used) = read_leb128(&self.gaps[at..]);
            at += used;
            doc += gap;
            Some(doc)
        })
    }
}

fn push_leb128(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A value and the bytes it took.
fn read_leb128(bytes: &[u8]) -> (u32, usize) {
    let mut v = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        v |= u32::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return (v, i + 1);
        }
    }
    unreachable!("a value written by push_leb128 ends")
}

/// The values [`push_leb128`] wrote into `bytes`, in order.
fn leb128_values(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    leb128_values_at(bytes).map(|(_, v)| v)
}

/// [`leb128_values`], each with the byte offset it starts at.
fn leb128_values_at(bytes: &[u8]) -> impl Iterator<Item = (usize, u32)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        let (v, used) = read_leb128(&bytes[at..]);
        at += used;
        Some((start, v))
    })
}

/// Every term's postings, flat: term `t`'s documents (ascending) are
/// `docs[start[t]..start[t + 1]]`, their weights beside them in `weights`.
#[derive(Debug, PartialEq)]
struct Inverted {
    start: Vec<usize>,
    docs: Vec<u32>,
    weights: Vec<u8>,
}

impl Inverted {
    /// Inverts the groups' lists (documents numbered from 0 across the
    /// groups, in order), freeing each group once its pairs are placed
    /// (and calling `freed`): the lists and the postings are not both held
    /// whole, nor both resident (the postings' pages are touched as they
    /// fill, while the lists' would stay until the allocator purges them).
    fn new(terms: usize, groups: Vec<GroupWeights>, freed: &dyn Fn()) -> Inverted {
        let mut df = vec![0usize; terms];
        for g in &groups {
            for (sum, &n) in df.iter_mut().zip(&g.df) {
                *sum += n as usize;
            }
        }
        let mut start = Vec::with_capacity(terms + 1);
        let mut acc = 0usize;
        for &c in &df {
            start.push(acc);
            acc += c;
        }
        start.push(acc);
        // `df` becomes the next free slot of each term.
        df.copy_from_slice(&start[..terms]);
        let mut fill = df;
        let mut docs = vec![0u32; acc];
        let mut weights = vec![0u8; acc];
        let mut id = 0u32;
        for g in groups {
            for pairs in g.docs() {
                for (t, w) in pairs {
                    let slot = &mut fill[t as usize];
                    docs[*slot] = id;
                    weights[*slot] = w;
                    *slot += 1;
                }
                id += 1;
            }
            drop(g);
            freed();
        }
        Inverted {
            start,
            docs,
            weights,
        }
    }

    /// Term `t`'s documents and weights.
    fn of(&self, t: u32) -> (&[u32], &[u8]) {
        let range = self.start[t as usize]..self.start[t as usize + 1];
        (&self.docs[range.clone()], &self.weights[range])
    }

    /// In how many documents term `t` is.
    fn df(&self, t: u32) -> usize {
        self.start[t as usize + 1] - self.start[t as usize]
    }
}

/// Phrases in fewer documents are always written as the documents they are
/// in (their exceptions would rarely be shorter).
const MIN_NOT_TOGETHER: usize = 16;

/// A term's documents as [`both_apart`] reads them: its postings (sorted
/// by document) and, for a frequent term, a bitset of the same documents.
#[derive(Clone, Copy)]
struct TermDocs<'a> {
    postings: &'a [u32],
    bits: Option<&'a [u64]>,
}

impl TermDocs<'_> {
    /// The bitset of a term's documents (of `n`) when it is at most twice
    /// the size of its document ids: the term is in at least one document
    /// in 64.
    fn bitset(postings: &[u32], n: usize) -> Option<Vec<u64>> {
        if postings.len() < (n / 64).max(MIN_NOT_TOGETHER) {
            return None;
        }
        let mut bits = vec![0u64; n.div_ceil(64)];
        for &d in postings {
            bits[d as usize / 64] |= 1 << (d % 64);
        }
        Some(bits)
    }
}

/// The documents (sorted) holding both `a` and `b` but not in `together`
/// (sorted, all in both); `None` as soon as there are `limit` of them.
///
/// The caller only wants the list when it encodes shorter than `together`,
/// and every id takes at least one character: the limit stops the common
/// case (two frequent words, mostly apart) after a few steps. The shorter
/// list is walked and each of its documents looked up in the longer one:
/// in its bitset if it has one, else by galloping through its postings, so
/// a rare word next to a common one costs the rare word's length.
fn both_apart(a: TermDocs, b: TermDocs, together: &[u32], limit: usize) -> Option<Vec<u32>> {
    let (short, long) = if a.postings.len() <= b.postings.len() {
        (a, b)
    } else {
        (b, a)
    };
    let mut together = together.iter().peekable();
    let mut out = Vec::new();
    let mut rest = long.postings;
    for &x in short.postings {
        let in_long = match long.bits {
            Some(bits) => bits[x as usize / 64] & (1 << (x % 64)) != 0,
            None => {
                // The first of `long` at or after `x`: a bound found by
                // doubling, then a binary search below it.
                let mut bound = 1;
                while bound < rest.len() && rest[bound - 1] < x {
                    bound *= 2;
                }
                let at = rest[..bound.min(rest.len())].partition_point(|&p| p < x);
                rest = &rest[at..];
                match rest.first() {
                    None => break,
                    Some(&y) => y == x,
                }
            }
        };
        if !in_long {
            continue;
        }
        while together.next_if(|&&y| y < x).is_some() {}
        if together.peek() != Some(&&x) {
            if out.len() + 1 >= limit {
                return None;
            }
            out.push(x);
        }
    }
    Some(out)
}

/// Puts `keyed[from..to]` (all starting with `key`, sorted) into shard
/// `key`, splitting off big groups that share one more character into
/// shards of their own; small groups stay in the shard of `key`.
fn split_shard(
    key: String,
    keyed: &[Keyed],
    (from, to, target): (usize, usize, usize),
    terms: &[&str],
    out: &mut Vec<(String, Vec<usize>)>,
) {
    let size: usize = keyed[from..to].iter().map(|e| entry_size(e, terms)).sum();
    if size <= target || key.chars().count() >= MAX_KEY_CHARS || to - from == 1 {
        out.push((key, (from..to).collect()));
        return;
    }
    let min_own = target / 4;
    let mut rest: Vec<usize> = Vec::new();
    let mut i = from;
    while i < to {
        // Sorted strings with the same next character are contiguous.
        let next = keyed[i].key[key.len()..].chars().next();
        let mut j = i + 1;
        while j < to && keyed[j].key[key.len()..].chars().next() == next {
            j += 1;
        }
        let group_size: usize = keyed[i..j].iter().map(|e| entry_size(e, terms)).sum();
        match next {
            Some(c) if group_size >= min_own => {
                let mut k = key.clone();
                k.push(c);
                split_shard(k, keyed, (i, j, target), terms, out);
            }
            _ => rest.extend(i..j),
        }
        i = j;
    }
    if !rest.is_empty() {
        out.push((key, rest));
    }
}

/// `{"dims":[{"id":"type","values":[…],"sets":[[0],[1,2],…],"rle":true,
/// "docs":"…"}…]}`: for each dimension, the distinct value sets, and for
/// each document (in id order) the index of its set, as varints, run-length
/// encoded (set, run length) when that is shorter.
fn facets_json(docs: &[&SearchDoc]) -> serde_json::Value {
    let mut dims: Vec<String> = vec!["type".to_string()];
    for d in docs {
        for &(dim, _) in &d.facets {
            if dim != "type" && dim != "language" && !dims.iter().any(|d| d == dim) {
                dims.push(dim.to_string());
            }
        }
    }
    dims.sort_by_key(|d| {
        (
            DIM_ORDER
                .iter()
                .position(|x| x == d)
                .unwrap_or(DIM_ORDER.len()),
            d.clone(),
        )
    });
    dims.push("language".to_string());

    let mut out_dims = Vec::new();
    for dim in &dims {
        let per_doc: Vec<Vec<&str>> = docs
            .iter()
            .map(|d| {
                let mut v: Vec<&str> = match dim.as_str() {
                    "type" => vec![d.kind.as_str()],
                    "language" => vec![d.language.as_str()],
                    _ => d
                        .facets
                        .iter()
                        .filter(|(k, _)| k == dim)
                        .map(|(_, v)| &**v)
                        .collect(),
                };
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let mut values: Vec<&str> = per_doc.iter().flatten().copied().collect();
        values.sort_unstable();
        values.dedup();
        if dim == "type" {
            values.sort_by_key(|v| DocKind::from_id(v));
        }
        let index: HashMap<&str, usize> = values.iter().enumerate().map(|(i, v)| (*v, i)).collect();
        let mut sets: Vec<Vec<usize>> = Vec::new();
        let mut set_ids: HashMap<Vec<usize>, usize> = HashMap::new();
        let ids: Vec<u64> = per_doc
            .iter()
            .map(|vs| {
                let mut set: Vec<usize> = vs.iter().map(|v| index[v]).collect();
                set.sort_unstable();
                let next = sets.len();
                *set_ids.entry(set.clone()).or_insert_with(|| {
                    sets.push(set);
                    next
                }) as u64
            })
            .collect();
        let mut plain = String::new();
        for &id in &ids {
            push_varint(&mut plain, id);
        }
        let mut rle = String::new();
        let mut i = 0;
        while i < ids.len() {
            let mut j = i + 1;
            while j < ids.len() && ids[j] == ids[i] {
                j += 1;
            }
            push_varint(&mut rle, ids[i]);
            push_varint(&mut rle, (j - i) as u64);
            i = j;
        }
        let use_rle = rle.len() < plain.len();
        out_dims.push(serde_json::json!({
            "id": dim,
            "values": values,
            "sets": sets,
            "rle": use_rle,
            "docs": if use_rle { rle } else { plain },
        }));
    }
    serde_json::json!({ "dims": out_dims })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_spaces_are_the_bytes_is_ascii_space_says_are() {
        let listed: Vec<u8> = (0..=255u8).filter(|&b| is_ascii_space(b)).collect();
        let mut spaces = ASCII_SPACES.to_vec();
        spaces.sort_unstable();
        assert_eq!(listed, spaces);
    }

    #[test]
    fn a_short_key_is_the_tokens_bytes_little_endian() {
        let token = b"abcdefgh";
        for n in 1..=8 {
            let by_byte = token[..n]
                .iter()
                .enumerate()
                .fold(0u64, |key, (i, &b)| key | u64::from(b) << (8 * i));
            assert_eq!(short_key(&token[..n]), by_byte, "{n} bytes");
            assert_eq!(
                &*short_token(by_byte),
                std::str::from_utf8(&token[..n]).unwrap()
            );
        }
    }

    #[test]
    fn token_ids_number_tokens_in_the_order_first_seen_per_language() {
        let mut ids = TokenIds::default();
        let mut new = Vec::new();
        let words = [
            ("refund", true),
            ("a", true),
            ("12345678", true),
            ("123456789", true),
            ("refund", false),
            ("satisfação", false),
            ("refund", true),
            ("on-call", true),
            ("123456789", true),
            ("a", true),
        ];
        let got: Vec<u32> = words
            .iter()
            .map(|&(w, en)| ids.id(Cow::Borrowed(w), en, |t| new.push(t.to_string())))
            .collect();
        // Short (at most 8 bytes) and long tokens share one numbering; the
        // same text in another language is another token.
        assert_eq!(got, [0, 1, 2, 3, 4, 5, 0, 6, 3, 1]);
        let distinct: Vec<(String, bool)> = [0, 1, 2, 3, 4, 5, 7]
            .iter()
            .map(|&i| (words[i].0.to_string(), words[i].1))
            .collect();
        let named: Vec<&str> = distinct.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(new, named);
        let tokens: Vec<(String, bool)> = ids
            .into_tokens()
            .into_iter()
            .map(|(t, en)| (t.into(), en))
            .collect();
        assert_eq!(tokens, distinct);
    }

    #[test]
    fn phrase_documents_come_back_in_order_across_groups() {
        // Gaps of one byte and of several, repeats left out.
        let first = [0u32, 3, 3, 130, 20_000, 20_001];
        let second = [20_001u32, 2_000_000, u32::MAX - 1];
        let mut a = PhraseDocs::default();
        first.iter().for_each(|&d| a.push(d));
        assert_eq!(a.len(), 5);
        let mut b = PhraseDocs::default();
        b.push(second[0] + 1);
        b.push(second[1]);
        b.push(second[2]);
        a.append(b);
        a.append(PhraseDocs::default());
        let expected = [
            0u32,
            3,
            130,
            20_000,
            20_001,
            20_002,
            2_000_000,
            u32::MAX - 1,
        ];
        assert_eq!(a.iter().collect::<Vec<_>>(), expected);
        assert_eq!(a.len(), expected.len());
        assert_eq!(a.last, u32::MAX - 1);
        // Appended to an empty list, a list is itself.
        let mut empty = PhraseDocs::default();
        let mut c = PhraseDocs::default();
        c.push(7);
        empty.append(c);
        assert_eq!(empty.iter().collect::<Vec<_>>(), [7]);
    }

    #[test]
    fn a_document_s_sequence_gives_its_counts_and_its_phrases() {
        let mut d = doc(
            "u",
            "Refund delay",
            "The refund came late.\nLate refund, e-mail sent.",
            "x",
        );
        d.keywords = vec!["e-mail".into()];
        let mut docs = vec![d];
        let group = analyse_group(&mut docs, |_, _| {});
        let d = &group.docs[0];
        let token = |id: u32| group.tokens[id as usize].0.as_ref();
        let counted: Vec<(&str, bool)> = d.counted().map(|(id, f)| (token(id), f)).collect();
        // Stop words ("the") are not counted; the compound "e-mail" is,
        // once for each "e-mail", beside its parts.
        assert_eq!(
            counted,
            [
                ("refund", true),
                ("delay", true),
                ("e", true),
                ("mail", true),
                ("e-mail", true),
                ("refund", false),
                ("came", false),
                ("late", false),
                ("late", false),
                ("refund", false),
                ("e", false),
                ("mail", false),
                ("e-mail", false),
                ("sent", false),
            ]
        );
        assert_eq!((d.len, d.field_len), (14, 5));
        let mut pairs = Vec::new();
        adjacent_parts(d.tokens(), |a, b| {
            pairs.push(format!("{} {}", token(a), token(b)))
        });
        // Never across a field or a line; the compound is passed over.
        assert_eq!(
            pairs,
            [
                "refund delay",
                "e mail",
                "refund came",
                "came late",
                "late refund",
                "refund e",
                "e mail",
                "mail sent",
            ]
        );
    }

    fn doc(url: &str, title: &str, body: &str, facet: &str) -> SearchDoc {
        SearchDoc {
            url: url.to_string(),
            kind: DocKind::Story,
            title: title.to_string(),
            language: "en".to_string(),
            keywords: vec!["refund".to_string()],
            body: body.into(),
            facets: vec![("department", facet.into())],
            group: String::new(),
        }
    }

    #[test]
    fn emitted_files_are_the_whole_index_and_the_manifest_names_their_hash() {
        let docs: Vec<SearchDoc> = (0..300)
            .map(|i| {
                doc(
                    &format!("stories/s{i}/"),
                    &format!("Story {i}"),
                    &format!(
                        "The refund of order {i} was delayed.\nWe called back {}.",
                        i % 7
                    ),
                    ["Billing", "Support"][i % 2],
                )
            })
            .collect();
        let emitted = std::sync::Mutex::new(Vec::new());
        build_index_into(docs.clone(), &|path, bytes| {
            emitted.lock().unwrap().push((path, bytes));
        });
        let mut emitted = emitted.into_inner().unwrap();
        // The manifest comes last: it names a hash of every other file.
        assert_eq!(emitted.last().unwrap().0, MANIFEST);
        let term_shards = emitted[..emitted.len() - 1]
            .iter()
            .filter(|(p, _)| p.starts_with("search/t/"))
            .count();
        assert!(term_shards > 0, "term shards emitted");
        emitted.sort();
        let mut whole = build_index(&docs);
        whole.sort();
        assert_eq!(emitted, whole);
        assert!(whole.iter().any(|(p, _)| p == "search/d/0.js"));
        assert!(whole.iter().any(|(p, _)| p == "search/facets.js"));
    }

    #[test]
    fn document_files_hold_each_document_once_in_order_across_the_groups() {
        // Short bodies: several documents a file, and files that end where
        // the groups of the analysis do, and one part-filled at the end.
        let docs: Vec<SearchDoc> = (0..301)
            .map(|i| {
                doc(
                    &format!("stories/s{i:03}/"),
                    &format!("Story {i}"),
                    &format!("Refund {i}.\n  Called   back."),
                    "Billing",
                )
            })
            .collect();
        let files = build_index(&docs);
        let manifest = &files.last().unwrap().1;
        let manifest = std::str::from_utf8(manifest).unwrap();
        // Its fields: format, hash, documents, documents a file…
        let per_chunk: usize = manifest
            .split('"')
            .nth(3)
            .and_then(|fields| fields.split(' ').nth(3))
            .and_then(|c| c.parse().ok())
            .expect("the manifest says how many documents a file holds");
        assert!(per_chunk > 1, "{per_chunk}");
        assert_ne!(docs.len() % per_chunk, 0, "the last file is part-filled");
        let group = docs
            .len()
            .div_ceil(rayon::current_num_threads() * 4)
            .max(64);
        assert!(group < docs.len(), "more than one group");
        // Made the plain way: document after document (sorted by url
        // here), `per_chunk` a file.
        let chunks: Vec<&[SearchDoc]> = docs.chunks(per_chunk).collect();
        for (c, chunk) in chunks.iter().enumerate() {
            let mut payload = String::new();
            for d in *chunk {
                encode_doc(&mut payload, d, &stored_text(&d.body.text()));
            }
            let path = format!("search/d/{c}.js");
            let made = files.iter().find(|(p, _)| *p == path).expect("each file");
            assert_eq!(made.1, js_file(&format!("d/{c}"), &payload), "{path}");
        }
        let made = files
            .iter()
            .filter(|(p, _)| p.starts_with("search/d/"))
            .count();
        assert_eq!(made, chunks.len());
    }

    #[test]
    fn a_text_s_stored_length_is_known_whatever_follows_once_it_reaches_the_cap() {
        // Words of one to a dozen characters (some not ASCII), one to three
        // spaces, tabs or line breaks apart (some not ASCII), from a
        // simple generator.
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let mut known = 0;
        for round in 0..300 {
            let target = [10, 1900, 2000, 2400, 2600, 2800, 4000][round % 7];
            let mut text = String::new();
            while text.chars().count() < target {
                for _ in 0..1 + next(12) {
                    text.push(['a', 'é', 'z', '日', 'q'][next(5) as usize]);
                }
                for _ in 0..1 + next(3) {
                    text.push([' ', ' ', '\n', '\t', '\u{a0}', '\u{3000}'][next(6) as usize]);
                }
            }
            if next(2) == 0 {
                text.truncate(text.trim_end().len());
            }
            let Some(len) = stored_len_whatever_follows(&text) else {
                // Unknown only when the text's words up to its last fit.
                let head = text.trim_end();
                let last = head.split_whitespace().last().unwrap_or("");
                let before = &head[..head.len() - last.len()];
                assert_eq!(
                    stored_text(before),
                    before.split_whitespace().collect::<Vec<_>>().join(" ")
                );
                continue;
            };
            known += 1;
            for after in ["", "x", "xyz more words", " y", "\nz", "\u{3000}w"] {
                let whole = format!("{text}{after}");
                assert_eq!(stored_text(&whole).len(), len, "{round} {after:?}");
            }
        }
        assert!(known > 80, "{known}");
        assert_eq!(stored_len_whatever_follows("a few words"), None);
        assert_eq!(stored_len_whatever_follows(""), None);
        let long = "word ".repeat(1000);
        assert_eq!(
            stored_len_whatever_follows(&long),
            Some(stored_text(&long).len())
        );
    }

    #[test]
    fn token_sequences_come_back_as_they_were_encoded() {
        let seq = [
            0,
            1,
            BREAK,
            63,
            64,
            COMPOUND,
            COMPOUND | 5,
            8191,
            8192,
            BREAK,
            BREAK,
            COMPOUND - 1,
            COMPOUND | (COMPOUND - 2),
        ];
        let mut bytes = Vec::new();
        encode_seq(&mut bytes, &seq[..3]);
        let split = bytes.len();
        encode_seq(&mut bytes, &seq[3..]);
        let decoded: Vec<(usize, u32)> = decode_seq(&bytes).collect();
        assert_eq!(decoded.iter().map(|&(_, t)| t).collect::<Vec<_>>(), seq);
        // The offsets say where each token starts: the fourth at the split.
        assert_eq!(decoded[3].0, split);
        assert!(decoded.windows(2).all(|w| w[0].0 < w[1].0));
        // Small ids take a byte: a break, ids below 63 and their compounds.
        assert_eq!(&bytes[..3], [1, 3, 0]);
        assert_eq!(
            bytes.len(),
            3 + 1 + 2 + 1 + 1 + 2 + 3 + 1 + 1 + 5 + 5,
            "{bytes:?}"
        );
    }

    #[test]
    fn packed_bodies_with_or_without_their_stored_length_index_as_plain_ones() {
        let dict = crate::packed::Dictionary::default();
        let text = |i: usize| {
            format!("The refund of order {i} was delayed and called back. ").repeat(1 + i % 60)
        };
        let plain: Vec<SearchDoc> = (0..200)
            .map(|i| {
                let before = if i % 3 == 0 { "A short line.\n" } else { "" };
                let body = format!("{before}{}\nThe customer, outcome.", text(i));
                doc(
                    &format!("stories/s{i:03}/"),
                    &format!("Story {i}"),
                    &body,
                    "Billing",
                )
            })
            .collect();
        let packed: Vec<SearchDoc> = (0..200)
            .map(|i| {
                let body = text(i);
                let before = if i % 3 == 0 { "A short line.\n" } else { "" };
                let mut d = plain[i].clone();
                d.body = crate::search::DocBody::Packed {
                    before: before.to_string(),
                    stored_len: stored_len_whatever_follows(&body).filter(|_| before.is_empty()),
                    text: crate::packed::Packed::new(body, Some(&dict)),
                    after: "\nThe customer, outcome.".to_string(),
                };
                d
            })
            .collect();
        assert!(packed.iter().any(|d| d.body.stored_len().is_some()));
        assert!(packed.iter().any(|d| d.body.stored_len().is_none()));
        assert_eq!(build_index(&packed), build_index(&plain));
    }

    #[test]
    fn documents_with_both_terms_apart() {
        let postings = |ids: &[u32]| ids.to_vec();
        // Every case is checked with the longer list as postings alone
        // (galloping) and with its bitset (looked up), which must agree.
        let n = 20_001;
        let both_ways = |a: &[u32], b: &[u32], together: &[u32], limit: usize| {
            fn docs<'a>(postings: &'a [u32], bits: Option<&'a [u64]>) -> TermDocs<'a> {
                TermDocs { postings, bits }
            }
            let (bits_a, bits_b) = (bitset_of(a, n), bitset_of(b, n));
            let galloped = both_apart(docs(a, None), docs(b, None), together, limit);
            let looked_up = both_apart(
                docs(a, Some(&bits_a)),
                docs(b, Some(&bits_b)),
                together,
                limit,
            );
            assert_eq!(galloped, looked_up, "{a:?} {b:?} {together:?} {limit}");
            galloped
        };
        let a = postings(&[1, 2, 3, 5, 8, 9]);
        let b = postings(&[2, 3, 4, 8, 9, 10]);
        let all = usize::MAX;
        assert_eq!(both_ways(&a, &b, &[3, 9], all), Some(vec![2, 8]));
        assert_eq!(
            both_ways(&b, &a, &[3, 9], all),
            Some(vec![2, 8]),
            "either order"
        );
        // A short list against a long one, ids far apart and at both ends.
        let long = postings(&(0..10_000).collect::<Vec<_>>());
        let short = postings(&[0, 17, 4_096, 9_998, 9_999]);
        let apart = both_ways(&short, &long, &[17, 9_998], all);
        assert_eq!(apart, Some(vec![0, 4_096, 9_999]));
        let apart = both_ways(&long, &short, &[], all);
        assert_eq!(apart, Some(vec![0, 17, 4_096, 9_998, 9_999]));
        let past_the_end = postings(&[5, 20_000]);
        assert_eq!(both_ways(&past_the_end, &long, &[], all), Some(vec![5]));
        // Stopped at the limit: three apart would be too many, two are not.
        assert_eq!(both_ways(&short, &long, &[17, 9_998], 3), None);
        assert_eq!(
            both_ways(&short, &long, &[17, 9_998], 4),
            Some(vec![0, 4_096, 9_999])
        );
        // None apart: never too many, whatever the limit.
        assert_eq!(both_ways(&a, &a, &[1, 2, 3, 5, 8, 9], 0), Some(vec![]));
    }

    /// A bitset of any postings (`TermDocs::bitset` makes them only for
    /// frequent terms).
    fn bitset_of(postings: &[u32], n: usize) -> Vec<u64> {
        let mut bits = vec![0u64; n.div_ceil(64)];
        for &d in postings {
            bits[d as usize / 64] |= 1 << (d % 64);
        }
        bits
    }

    #[test]
    fn only_frequent_terms_have_bitsets() {
        let postings = |ids: std::ops::Range<u32>| ids.collect::<Vec<_>>();
        let n = 64 * 100;
        // In one document in 64 or more: a bitset, at most twice the ids.
        let frequent = postings(0..100);
        let bits = TermDocs::bitset(&frequent, n).unwrap();
        assert_eq!(bits, bitset_of(&frequent, n));
        assert!(bits.len() * 8 <= 2 * std::mem::size_of_val(&frequent[..]));
        assert_eq!(TermDocs::bitset(&postings(0..99), n), None);
        // On a small site, no bitset below the phrases' own threshold.
        assert_eq!(TermDocs::bitset(&postings(0..15), 100), None);
        assert!(TermDocs::bitset(&postings(0..16), 100).is_some());
    }

    #[test]
    fn inverted_lists_are_each_terms_documents_in_order() {
        // Documents 0..5 in two groups: (term, weight) pairs per document.
        let lists: [&[(u32, u8)]; 5] = [
            &[(2, 7), (0, 1)],
            &[],
            &[(0, 3)],
            &[(200, 9), (0, 4), (2, 2), (70_000, 1)],
            &[(2, 5)],
        ];
        let group = |docs: &[&[(u32, u8)]]| {
            let mut g = GroupWeights::with_docs(docs.len(), 70_002);
            for d in docs {
                for &(t, w) in *d {
                    g.push(t, w);
                }
                g.end_doc();
            }
            g.shrink();
            assert_eq!(g.terms.capacity(), g.terms.len());
            assert_eq!(g.weights.capacity(), g.weights.len());
            let back: Vec<Vec<(u32, u8)>> = g.docs().map(|pairs| pairs.collect()).collect();
            assert_eq!(back, docs.iter().map(|d| d.to_vec()).collect::<Vec<_>>());
            g
        };
        // Term ids of one, two and three bytes as LEB128.
        let inverted = Inverted::new(70_002, vec![group(&lists[..3]), group(&lists[3..])], &|| {});
        assert_eq!(inverted.of(0), (&[0, 2, 3][..], &[1, 3, 4][..]));
        assert_eq!(inverted.of(200), (&[3][..], &[9][..]));
        assert_eq!(inverted.of(2), (&[0, 3, 4][..], &[7, 2, 5][..]));
        assert_eq!(inverted.of(70_000), (&[3][..], &[1][..]));
        assert_eq!(inverted.of(1), (&[][..], &[][..]));
        assert_eq!(
            [0, 1, 2, 200, 70_000, 70_001].map(|t| inverted.df(t)),
            [3, 0, 3, 1, 1, 0]
        );
        let empty = Inverted::new(2, Vec::new(), &|| {});
        assert_eq!((empty.df(0), empty.df(1)), (0, 0));
    }

    #[test]
    fn keys_and_file_names() {
        assert_eq!(base_key("refund"), "re");
        assert_eq!(base_key("a"), "a");
        assert_eq!(base_key("çã"), "çã");
        assert_eq!(key_file_name("re"), "re");
        assert_eq!(key_file_name("жи"), "_436__438_");
    }

    #[test]
    fn weights_favour_fields_and_short_docs() {
        let avg = 100.0;
        assert!(weight(0, 1, 100, avg, 3) > weight(1, 0, 100, avg, 3));
        assert!(weight(1, 0, 50, avg, 3) > weight(1, 0, 200, avg, 3));
        assert!(weight(5, 0, 100, avg, 3) > weight(1, 0, 100, avg, 3));
        assert!(
            weight(0, 1, 100, avg, 1) > weight(0, 1, 100, avg, 4),
            "the whole title counts more than a quarter of it"
        );
        assert!((1..=31).contains(&weight(1000, 1000, 1, avg, 1000)));
        assert!(idf(1, 1000) > idf(500, 1000));
        assert!(idf(1000, 1000) >= 1);
    }

    #[test]
    fn stored_text_is_split_whitespace_joined_and_capped() {
        // The definition, a character at a time.
        fn by_chars(body: &str) -> String {
            let mut out = String::new();
            let mut chars = 0;
            for part in body.split_whitespace() {
                let n = part.chars().count();
                if chars + n + 1 > MAX_TEXT_CHARS {
                    if chars == 0 {
                        out.extend(part.chars().take(MAX_TEXT_CHARS));
                    }
                    break;
                }
                if !out.is_empty() {
                    out.push(' ');
                    chars += 1;
                }
                out.push_str(part);
                chars += n;
            }
            out
        }
        // Pieces that exercise every path: ASCII and Unicode spaces
        // (no-break, ideographic, line separator, NEL), multi-byte letters,
        // control characters that are not spaces.
        let pieces = [
            "a",
            "word",
            " ",
            "\t",
            "\n",
            "\r\n",
            "\u{0B}",
            "\u{0C}",
            "\u{A0}",
            "\u{3000}",
            "\u{2028}",
            "\u{85}",
            "ç",
            "日本",
            "é",
            "\u{1}",
            "x\u{200B}y",
            "🙂",
        ];
        let mut rng = crate::testing::Rng::new();
        for len in [0, 1, 2, 5, 40, 400, 3000] {
            for _ in 0..20 {
                let body = rng.text(&pieces, len);
                assert_eq!(stored_text(&body), by_chars(&body), "{body:?}");
            }
        }
        // Mostly words and single spaces: long runs, which are scanned 16
        // bytes at a time, ended by each kind of byte at every place.
        let words = ["word ", "a ", "xyzzy ", "to "];
        let breaks = ["\u{A0}", "é", "\n", " ", "\t", "x"];
        for _ in 0..2_000 {
            let mut body = String::new();
            for _ in 0..(rng.next() % 60) {
                let seed = rng.next();
                body.push_str(if seed.is_multiple_of(5) {
                    breaks[(seed / 5 % breaks.len() as u64) as usize]
                } else {
                    words[(seed / 5 % words.len() as u64) as usize]
                });
            }
            assert_eq!(stored_text(&body), by_chars(&body), "{body:?}");
        }
        // One word longer than the limit, of multi-byte characters.
        let long = "ç".repeat(MAX_TEXT_CHARS + 5);
        assert_eq!(stored_text(&long), by_chars(&long));
        assert_eq!(stored_text(&long).chars().count(), MAX_TEXT_CHARS);
    }

    #[test]
    fn a_file_hash_changes_with_any_byte_and_with_the_path() {
        let bytes: Vec<u8> = (0..=255).cycle().take(1000).collect();
        let h = file_hash("search/d/1.js", &bytes);
        assert_eq!(h, file_hash("search/d/1.js", &bytes.clone()));
        assert_ne!(h, file_hash("search/d/2.js", &bytes));
        for at in [0, 7, 8, 500, 999] {
            let mut changed = bytes.clone();
            changed[at] ^= 1;
            assert_ne!(h, file_hash("search/d/1.js", &changed), "byte {at}");
        }
        // The same bytes split differently between path and text.
        assert_ne!(file_hash("ab", b"c"), file_hash("a", b"bc"));
    }

    #[test]
    fn stored_text_is_collapsed_and_capped() {
        assert_eq!(stored_text("  a \n\n b  "), "a b");
        let long = "word ".repeat(2000);
        let t = stored_text(&long);
        assert!(t.chars().count() <= MAX_TEXT_CHARS);
        assert!(t.ends_with("word"));
    }
}
