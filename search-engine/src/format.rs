//! The payloads of the index files: what campfire's index builder writes
//! (with the encoders here) and the engine reads (with the parsers here), in
//! the terminal and in the browser alike.
//!
//! Every file is `window.campfireSearch.add("KEY","PAYLOAD");` — the payload
//! a JSON string, so that a `<script>` tag can load it from `file://` and
//! the browser hands the decoded string to the engine as it is. Payloads are
//! plain text with separators that never occur in what they separate (terms
//! hold letters, digits and `.-_/`; postings hold [`DIGITS`]):
//!
//! - `manifest`: `VERSION HASH DOCS PER_CHUNK KEY KEY …` (space-separated;
//!   keys are the term shard keys, sorted, front-coded: a key that starts
//!   with the first n characters of the one before (1 ≤ n ≤ 26) is written
//!   as the letter `A`+n−1 and the rest, `ba bac` as `ba Bc`; folded terms
//!   never hold ASCII capitals, and a first query downloads the manifest);
//! - `t/<key>`: `TERM DATA TERM DATA …|FORM TERM FORM TERM …` — each term
//!   with its data (varint idf, varint document frequency, then postings:
//!   per document the varint gap from the previous id and one weight
//!   digit), then each surface form indexed under another term (its stem);
//! - `p/<key>` and `q/<prefix>`: `SPLIT,SPLIT…|:FIRST SECOND GAPS SECOND
//!   GAPS :FIRST …` — two-term phrases grouped by first term, each with its
//!   documents as varint gaps, or, when that is shorter, [`NOT_TOGETHER`]
//!   then the documents that hold both terms apart (the phrase is in every
//!   other document holding both); the phrases starting with a listed split
//!   prefix (of the string `FIRST SECOND`) are in `q/<prefix>` instead;
//! - `v/<base>`: `WORD DF WORD DF …` (df a varint): the vocabulary starting
//!   with `<base>`, for typo tolerance;
//! - `d/<n>`: six lines a document: url, title, kind, language, text,
//!   group.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Format version, checked by readers. 5: terms fold `ß` as `ss` (an index
/// of version 4 holds `straße`, which a query for it no longer asks for).
pub const FORMAT_VERSION: u64 = 5;

/// Starts a phrase's list of the documents with both terms apart.
pub const NOT_TOGETHER: &str = "!";

/// The digits of varints and weights.
pub const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

const DIGIT_VALUES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 64 {
        t[DIGITS[i] as usize] = i as u8;
        i += 1;
    }
    t
};

#[inline]
pub fn digit(b: u8) -> u8 {
    DIGIT_VALUES[(b & 127) as usize]
}

/// Appends `v` as a varint: 5 bits a digit, most significant first, 32 added
/// to every digit but the last.
pub fn push_varint(out: &mut String, v: u64) {
    // Most values are one digit (gaps between documents); the others are
    // spelled from the end into a buffer and appended at once (the index
    // builder writes tens of millions of them).
    if v < 32 {
        out.push(DIGITS[v as usize] as char);
        return;
    }
    let mut digits = [0u8; 13];
    let mut start = digits.len();
    let mut v = v;
    let mut continues = 0;
    while v > 0 || start == digits.len() {
        start -= 1;
        digits[start] = DIGITS[((v & 31) as u8 + continues) as usize];
        continues = 32;
        v >>= 5;
    }
    // Pushed as characters: they are ASCII (no UTF-8 check of the buffer).
    out.reserve(digits.len() - start);
    out.extend(digits[start..].iter().map(|&d| d as char));
}

/// Reads a varint at `*i`, moving `*i` past it (0 at the end of `b`).
pub fn read_varint(b: &[u8], i: &mut usize) -> u64 {
    let mut v: u64 = 0;
    while *i < b.len() {
        let d = digit(b[*i]);
        *i += 1;
        v = v.wrapping_mul(32).wrapping_add((d & 31) as u64);
        if d < 32 {
            break;
        }
    }
    v
}

/// Decodes postings into (doc id, weight) pairs; with `weights` false, a
/// string of gaps alone (phrase postings), weight 0.
pub fn decode_postings(s: &str, weights: bool, mut f: impl FnMut(u32, u64)) {
    let b = s.as_bytes();
    let mut i = 0;
    let mut prev: i64 = -1;
    while i < b.len() {
        let id = prev + 1 + read_varint(b, &mut i) as i64;
        prev = id;
        let mut w = 0;
        if weights && i < b.len() {
            w = digit(b[i]) as u64;
            i += 1;
        }
        f(id as u32, w);
    }
}

/// Postings of doc ids only: varint gaps.
pub fn gaps(ids: impl Iterator<Item = u32>) -> String {
    // At least a digit a document: grown once or twice, not from nothing.
    let mut s = String::with_capacity(ids.size_hint().0);
    let mut prev: i64 = -1;
    for id in ids {
        push_varint(&mut s, (id as i64 - prev - 1) as u64);
        prev = id as i64;
    }
    s
}

/// The first one or two characters of a term: its shard key before splits.
pub fn base_key(term: &str) -> &str {
    match term.char_indices().nth(2) {
        Some((i, _)) => &term[..i],
        None => term,
    }
}

/// The file name (without `.js`) of a shard key: `a`–`z` and `0`–`9` as
/// they are, any other character as `_<hex code point>_`.
pub fn key_file_name(key: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(key.len());
    for c in key.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            s.push(c);
        } else {
            s.push('_');
            let v = c as u32;
            let mut started = false;
            for shift in (0..8).rev() {
                let d = (v >> (shift * 4)) & 15;
                if d != 0 || started || shift == 0 {
                    started = true;
                    s.push(HEX[d as usize] as char);
                }
            }
            s.push('_');
        }
    }
    s
}

/// The file (relative to `search/`, without `.js`) of a payload key.
pub fn file_of(rel: &str) -> String {
    for dir in ["t/", "p/", "q/", "v/"] {
        if let Some(key) = rel.strip_prefix(dir) {
            let mut s = String::from(dir);
            s.push_str(&key_file_name(key));
            return s;
        }
    }
    rel.to_string()
}

/// A map kept as a sorted vector: little code in the WebAssembly build
/// (no B-tree), and payloads arrive sorted, so building one is a push each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VecMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap(Vec::new())
    }
}

impl<K: Ord, V> VecMap<K, V> {
    fn find<Q: Ord + ?Sized>(&self, k: &Q) -> Result<usize, usize>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.0.binary_search_by(|e| e.0.borrow().cmp(k))
    }

    pub fn get<Q: Ord + ?Sized>(&self, k: &Q) -> Option<&V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.find(k).ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, k: &Q) -> bool
    where
        K: core::borrow::Borrow<Q>,
    {
        self.find(k).is_ok()
    }

    /// Inserts or replaces.
    pub fn insert(&mut self, k: K, v: V) {
        if self.0.last().is_some_and(|l| l.0 < k) {
            self.0.push((k, v));
            return;
        }
        match self.find(&k) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (k, v)),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|e| &e.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|e| (&e.0, &e.1))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Sorts `v` by `cmp`, stably, through one sort of indices with a dynamic
/// comparison (one copy of the sorting code in the WebAssembly build).
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_indices(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut items: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| items[i as usize].take()));
}

fn sorted_indices(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..n as u32).collect();
    idx.sort_unstable_by(|&a, &b| cmp(a as usize, b as usize).then(a.cmp(&b)));
    idx
}

/// Why a payload could not be read.
pub type FormatError = &'static str;

/// The most leading characters a manifest key shares with the one before
/// that its front coding writes (`A`..=`Z`).
const MAX_SHARED_KEY_CHARS: usize = 26;

/// `manifest`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    /// [`FORMAT_VERSION`].
    pub v: u64,
    /// A hash of every other file (the browser loads them as `…js?v=HASH`).
    pub h: String,
    /// Number of documents.
    pub n: usize,
    /// Documents per `d/<n>` chunk.
    pub c: usize,
    /// Term shard keys, sorted.
    pub keys: Vec<String>,
}

impl Manifest {
    pub fn encode(&self) -> String {
        let mut s = format_u64(self.v);
        for part in [
            self.h.clone(),
            format_u64(self.n as u64),
            format_u64(self.c as u64),
        ]
        .iter()
        {
            s.push(' ');
            s.push_str(part);
        }
        let mut prev = "";
        for key in &self.keys {
            let shared = prev
                .chars()
                .zip(key.chars())
                .take_while(|(a, b)| a == b)
                .take(MAX_SHARED_KEY_CHARS)
                .count();
            debug_assert!(!key.starts_with(|c: char| c.is_ascii_uppercase()), "{key}");
            s.push(' ');
            let rest = match key.char_indices().nth(shared) {
                Some((at, _)) => &key[at..],
                None => "",
            };
            if shared > 0 {
                s.push((b'A' + shared as u8 - 1) as char);
            }
            s.push_str(rest);
            prev = key;
        }
        s
    }

    pub fn parse(p: &str) -> Result<Manifest, FormatError> {
        let mut it = p.split(' ');
        let mut num = || parse_u64(it.next().unwrap_or("")).ok_or("bad manifest");
        let v = num()?;
        if v != FORMAT_VERSION {
            return Err("written by another version");
        }
        let mut it = p.split(' ').skip(1);
        let h = it.next().ok_or("bad manifest")?.to_string();
        let n = parse_u64(it.next().unwrap_or("")).ok_or("bad manifest")? as usize;
        let c = parse_u64(it.next().unwrap_or("")).ok_or("bad manifest")? as usize;
        let mut keys: Vec<String> = Vec::new();
        for k in it.filter(|k| !k.is_empty()) {
            let key = match k.as_bytes()[0] {
                c @ b'A'..=b'Z' => {
                    let shared = usize::from(c - b'A') + 1;
                    let prev = keys.last().map_or("", String::as_str);
                    let end = match prev.char_indices().nth(shared) {
                        Some((at, _)) => at,
                        None if prev.chars().count() == shared => prev.len(),
                        None => return Err("bad manifest"),
                    };
                    let mut key = prev[..end].to_string();
                    key.push_str(&k[1..]);
                    key
                }
                _ => k.to_string(),
            };
            keys.push(key);
        }
        Ok(Manifest { v, h, n, c, keys })
    }
}

/// A term's entry in its shard: `(idf, df, postings)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermPostings(pub u64, pub u64, pub String);

/// `t/<key>`: terms with their postings, and the surface forms there that
/// are indexed under another term (`refunded` → `refund`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermShard {
    pub t: VecMap<String, TermPostings>,
    pub f: VecMap<String, String>,
}

/// Appends a term shard's payload from sorted `terms` and sorted `forms`.
pub fn encode_term_shard<'a>(
    terms: impl Iterator<Item = (&'a str, &'a TermPostings)>,
    forms: impl Iterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut s = String::new();
    for (i, (t, p)) in terms.enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(t);
        s.push(' ');
        push_varint(&mut s, p.0);
        push_varint(&mut s, p.1);
        s.push_str(&p.2);
    }
    s.push('|');
    for (i, (f, t)) in forms.enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(f);
        s.push(' ');
        s.push_str(t);
    }
    s
}

impl TermShard {
    pub fn parse(p: &str) -> Result<TermShard, FormatError> {
        let (terms, forms) = p.split_once('|').ok_or("no forms")?;
        let mut shard = TermShard::default();
        let mut it = terms.split(' ').filter(|x| !x.is_empty());
        while let Some(t) = it.next() {
            let data = it.next().ok_or("a term without data")?.as_bytes();
            let mut i = 0;
            let idf = read_varint(data, &mut i);
            let df = read_varint(data, &mut i);
            let postings = core::str::from_utf8(&data[i..]).map_err(|_| "bad postings")?;
            shard
                .t
                .insert(t.to_string(), TermPostings(idf, df, postings.to_string()));
        }
        let mut it = forms.split(' ').filter(|x| !x.is_empty());
        while let Some(f) = it.next() {
            let t = it.next().ok_or("a form without its term")?;
            shard.f.insert(f.to_string(), t.to_string());
        }
        Ok(shard)
    }
}

/// `p/<key>`, `q/<prefix>`: phrase (`"first second"`) → gaps, and the split
/// prefixes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhraseShard {
    pub p: VecMap<String, String>,
    pub s: Vec<String>,
}

/// A phrase shard's payload from its split prefixes and its (first, second,
/// gaps) entries, sorted by phrase.
pub fn encode_phrase_shard<'a>(
    splits: &[String],
    entries: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> String {
    let mut s = splits.join(",");
    s.push('|');
    let mut first: Option<&str> = None;
    let mut any = false;
    for (a, b, g) in entries {
        if any {
            s.push(' ');
        }
        any = true;
        if first != Some(a) {
            s.push(':');
            s.push_str(a);
            s.push(' ');
            first = Some(a);
        }
        s.push_str(b);
        s.push(' ');
        s.push_str(g);
    }
    s
}

impl PhraseShard {
    pub fn parse(p: &str) -> Result<PhraseShard, FormatError> {
        let (splits, entries) = p.split_once('|').ok_or("no phrases")?;
        let mut shard = PhraseShard {
            s: splits
                .split(',')
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect(),
            ..PhraseShard::default()
        };
        let mut first = "";
        let mut it = entries.split(' ').filter(|x| !x.is_empty());
        while let Some(tok) = it.next() {
            let second = match tok.strip_prefix(':') {
                Some(a) => {
                    first = a;
                    it.next().ok_or("a first word without phrases")?
                }
                None => tok,
            };
            let g = it.next().ok_or("a phrase without documents")?;
            let mut phrase = String::with_capacity(first.len() + second.len() + 1);
            phrase.push_str(first);
            phrase.push(' ');
            phrase.push_str(second);
            shard.p.insert(phrase, g.to_string());
        }
        Ok(shard)
    }
}

/// `v/<base>`: (surface word, document frequency of its term), sorted.
pub type VocabShard = Vec<(String, u64)>;

pub fn encode_vocab(v: &[(String, u64)]) -> String {
    let mut s = String::new();
    for (i, (w, df)) in v.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(w);
        s.push(' ');
        push_varint(&mut s, *df);
    }
    s
}

pub fn parse_vocab(p: &str) -> Result<VocabShard, FormatError> {
    let mut out = Vec::new();
    let mut it = p.split(' ').filter(|x| !x.is_empty());
    while let Some(w) = it.next() {
        let df = it.next().ok_or("a word without its frequency")?;
        out.push((w.to_string(), read_varint(df.as_bytes(), &mut 0)));
    }
    Ok(out)
}

/// One document of `d/<n>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredDoc {
    pub url: String,
    pub title: String,
    /// `story`, `term`, `case`, `path`, `page`.
    pub kind: String,
    pub language: String,
    /// Text for snippets (whitespace collapsed).
    pub text: String,
    /// The same entry in other languages shares it ("" if none).
    pub group: String,
}

/// Appends one document to a `d/<n>` payload (line breaks in its fields
/// become spaces).
pub fn encode_doc(out: &mut String, d: &StoredDoc) {
    encode_doc_fields(
        out,
        [&d.url, &d.title, &d.kind, &d.language, &d.text, &d.group],
    );
}

/// [`encode_doc`] of borrowed fields: url, title, kind, language, text,
/// group (the builder need not copy a document to store it).
pub fn encode_doc_fields(out: &mut String, fields: [&str; 6]) {
    for f in fields {
        if !out.is_empty() {
            out.push('\n');
        }
        // Copied in runs between line breaks (both ASCII, so a byte
        // search finds them, 16 bytes at a time), not a character at a time.
        let mut rest = f;
        while let Some(i) = crate::byte_scan::position_of_any(rest.as_bytes(), [b'\n', b'\r']) {
            out.push_str(&rest[..i]);
            out.push(' ');
            rest = &rest[i + 1..];
        }
        out.push_str(rest);
    }
}

pub fn parse_docs(p: &str) -> Result<Vec<StoredDoc>, FormatError> {
    if p.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<&str> = p.split('\n').collect();
    if !lines.len().is_multiple_of(6) {
        return Err("documents of the wrong length");
    }
    Ok(lines
        .chunks(6)
        .map(|l| StoredDoc {
            url: l[0].to_string(),
            title: l[1].to_string(),
            kind: l[2].to_string(),
            language: l[3].to_string(),
            text: l[4].to_string(),
            group: l[5].to_string(),
        })
        .collect())
}

/// Decimal digits of `v` (no `core::fmt`, which the WebAssembly build
/// would otherwise carry).
pub fn format_u64(mut v: u64) -> String {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf[i..].iter().map(|&b| b as char).collect()
}

pub fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u64;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn varints() {
        let mut s = String::new();
        for v in [0, 31, 32, 1023, 1024] {
            push_varint(&mut s, v);
        }
        // 0 | 31 | 32 = (1+32, 0) | 1023 = (31+32, 31) | 1024 = (1+32, 0+32, 0)
        assert_eq!(s, "0VX0_VXW0");
        let mut i = 0;
        let back: Vec<u64> = (0..5).map(|_| read_varint(s.as_bytes(), &mut i)).collect();
        assert_eq!(back, [0, 31, 32, 1023, 1024]);
        // Every length, up to the longest (13 digits).
        let values: Vec<u64> = (0..64)
            .map(|b| (1u64 << b) - 1)
            .chain([u64::MAX, 33])
            .collect();
        let mut s = String::new();
        for &v in &values {
            push_varint(&mut s, v);
        }
        let mut i = 0;
        let back: Vec<u64> = values
            .iter()
            .map(|_| read_varint(s.as_bytes(), &mut i))
            .collect();
        assert_eq!(back, values);
        assert_eq!(i, s.len());
    }

    #[test]
    fn payloads_round_trip() {
        let m = Manifest {
            v: FORMAT_VERSION,
            h: "00ff".into(),
            n: 12,
            c: 4,
            keys: vec!["a".into(), "re".into(), "ção".into()],
        };
        assert_eq!(Manifest::parse(&m.encode()), Ok(m.clone()));
        // Front-coded keys: shared leading characters (not bytes), digits
        // and a key that is all of the one before plus nothing more.
        let keys: Vec<String> = [
            "4.5",
            "4.50",
            "ba",
            "bac",
            "bacb",
            "bad",
            "be",
            "ção",
            "çãoz",
            "çb",
            "x",
            "abcdefghijklmnopqrstuvwxyz0",
            "abcdefghijklmnopqrstuvwxyz01",
        ]
        .iter()
        .map(|k| k.to_string())
        .collect();
        let m = Manifest { keys, ..m };
        let e = m.encode();
        assert!(
            e.ends_with(" 4.5 C0 ba Bc Cb Bd Ae ção Cz Ab x abcdefghijklmnopqrstuvwxyz0 Z01"),
            "{e}"
        );
        assert_eq!(Manifest::parse(&e), Ok(m));
        assert!(Manifest::parse("4 x 1 1 Ba").is_err());
        assert!(Manifest::parse("2 x 1 1").is_err());

        let p = TermPostings(120, 3, "0A1B".into());
        let s = encode_term_shard(
            [("refund", &p)].into_iter(),
            [("refunded", "refund")].into_iter(),
        );
        assert_eq!(s, "refund ZO30A1B|refunded refund");
        let shard = TermShard::parse(&s).unwrap();
        assert_eq!(shard.t.get("refund"), Some(&p));
        assert_eq!(shard.f.get("refunded").unwrap(), "refund");
        assert!(TermShard::parse("|").unwrap().t.is_empty());

        let s = encode_phrase_shard(
            &["code r".to_string()],
            [
                ("code", "base", "0"),
                ("code", "quality", "12"),
                ("cold", "call", "5"),
            ]
            .into_iter(),
        );
        assert_eq!(s, "code r|:code base 0 quality 12 :cold call 5");
        let ps = PhraseShard::parse(&s).unwrap();
        assert_eq!(ps.s, ["code r"]);
        assert_eq!(ps.p.get("code quality").unwrap(), "12");
        assert_eq!(ps.p.get("cold call").unwrap(), "5");
        assert_eq!(ps.p.len(), 3);

        let v = vec![("refund".to_string(), 40u64), ("refusal".to_string(), 2)];
        assert_eq!(parse_vocab(&encode_vocab(&v)).unwrap(), v);

        let d = StoredDoc {
            url: "a/".into(),
            title: "A\nB \"q\"".into(),
            kind: "term".into(),
            language: "pt".into(),
            text: "text".into(),
            group: String::new(),
        };
        let mut s = String::new();
        encode_doc(&mut s, &d);
        encode_doc(&mut s, &d);
        let back = parse_docs(&s).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].title, "A B \"q\"");
        assert_eq!(back[1].group, "");
    }

    #[test]
    fn stored_fields_have_every_line_break_as_a_space() {
        let mut s = String::new();
        encode_doc_fields(&mut s, ["a/", "\r\nçã\rx\n", "story", "pt", "é\n\nz", ""]);
        assert_eq!(s, "a/\n  çã x \nstory\npt\né  z\n");
        // As the character-at-a-time definition would have it.
        let by_char = |f: &str| -> String {
            f.chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
                .collect()
        };
        let fields = [
            "\n",
            "日本\r語",
            "a line longer than sixteen bytes\r\nand the next, as long\n",
            "",
            "\u{2028}\n",
            "end\r",
        ];
        let mut s = String::new();
        encode_doc_fields(&mut s, fields);
        let want: Vec<String> = fields.iter().map(|f| by_char(f)).collect();
        assert_eq!(s, want.join("\n"));
    }

    #[test]
    fn file_names() {
        assert_eq!(key_file_name("re"), "re");
        assert_eq!(key_file_name("ç."), "_e7__2e_");
        assert_eq!(file_of("t/ç"), "t/_e7_");
        assert_eq!(file_of("d/3"), "d/3");
        assert_eq!(format_u64(0), "0");
        assert_eq!(format_u64(1234567), "1234567");
        assert_eq!(parse_u64("1234567"), Some(1234567));
    }
}
