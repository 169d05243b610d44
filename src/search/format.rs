//! The index files, as serde types: what [`build_index`](super::build_index)
//! writes and the query engine (Rust here, `search.js` in the browser)
//! reads. Every file is `window.campfireSearch.add(KEY, JSON);` (see
//! [`js_file`] and [`parse_js`]) so that a `<script>` tag can load it from
//! `file://`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{DocKind, SearchError};

/// Format version, checked by readers.
pub(crate) const FORMAT_VERSION: u64 = 2;

/// `search/manifest.js` (key `manifest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// [`FORMAT_VERSION`].
    pub v: u64,
    /// A hash of every other file (the browser loads them as `…js?v=HASH`).
    pub h: String,
    /// Number of documents.
    pub n: usize,
    /// Documents per `d/<n>.js` chunk.
    pub c: usize,
    /// Term shard keys, sorted. Each has a term shard `t/<key>` and a phrase
    /// shard `p/<key>`; each distinct first one or two characters of a key
    /// has a vocabulary file `v/<base>`.
    pub keys: Vec<String>,
}

/// `search/t/<key>.js` (key `t/<key>`): the terms whose longest shard-key
/// prefix is `<key>`, and the English surface forms there that index under
/// another term (their stem).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct TermShard {
    /// Term → postings.
    pub t: BTreeMap<String, TermPostings>,
    /// Surface form → the term it is indexed under (`refunded` → `refund`).
    pub f: BTreeMap<String, String>,
}

/// `[idf, df, postings]`: postings are, for each document, the gap from the
/// previous document id as a varint then one digit of weight (see the
/// module docs of `search`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TermPostings(pub u64, pub u64, pub String);

/// `search/p/<key>.js` (key `p/<key>`): two-term phrases (`"code review"`
/// → `code review`, of indexed terms, stop words left out) whose first term
/// lives in term shard `<key>`, each with the documents it occurs in
/// (varint gaps only). A big one is split: the phrases starting with a
/// longer prefix listed in `s` are in `search/q/<prefix>.js` (key
/// `q/<prefix>`), itself a phrase shard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct PhraseShard {
    /// Phrase → postings.
    pub p: BTreeMap<String, String>,
    /// Prefixes split off into files of their own.
    pub s: Vec<String>,
}

/// `search/v/<base>.js` (key `v/<base>`): the vocabulary (surface words, no
/// compounds) starting with `<base>` (one or two characters), sorted, each
/// with the document frequency of its term: for typo tolerance.
pub(crate) type VocabShard = Vec<(String, u64)>;

/// One document of `search/d/<n>.js` (key `d/<n>`, a JSON array of them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredDoc(
    /// url
    pub String,
    /// title
    pub String,
    pub DocKind,
    /// language
    pub String,
    /// text (for snippets)
    pub String,
    /// group: the same entry in other languages shares it ("" if none)
    pub String,
);

impl StoredDoc {
    pub fn url(&self) -> &str {
        &self.0
    }
    pub fn title(&self) -> &str {
        &self.1
    }
    pub fn kind(&self) -> DocKind {
        self.2
    }
    pub fn language(&self) -> &str {
        &self.3
    }
    pub fn text(&self) -> &str {
        &self.4
    }
    pub fn group(&self) -> &str {
        &self.5
    }
}

/// `window.campfireSearch.add("key",JSON);\n`
pub(crate) fn js_file(key: &str, value: &impl Serialize) -> Vec<u8> {
    let json = serde_json::to_string(value).expect("index data serialises");
    let mut s = String::with_capacity(json.len() + key.len() + 40);
    s.push_str("window.campfireSearch.add(");
    s.push_str(&serde_json::to_string(key).expect("a string serialises"));
    s.push(',');
    s.push_str(&json);
    s.push_str(");\n");
    s.into_bytes()
}

/// Reads a [`js_file`] back: its key and payload.
pub(crate) fn parse_js<T: DeserializeOwned>(
    name: &str,
    bytes: &[u8],
) -> Result<(String, T), SearchError> {
    let err = |m: &str| SearchError::Format(name.to_string(), m.to_string());
    let text = std::str::from_utf8(bytes).map_err(|_| err("not UTF-8"))?;
    let rest = text
        .strip_prefix("window.campfireSearch.add(")
        .ok_or_else(|| err("unexpected start"))?;
    let rest = rest
        .trim_end()
        .strip_suffix(");")
        .ok_or_else(|| err("unexpected end"))?;
    let mut keys = serde_json::Deserializer::from_str(rest).into_iter::<String>();
    let key = match keys.next() {
        Some(Ok(k)) => k,
        Some(Err(e)) => return Err(err(&e.to_string())),
        None => return Err(err("no key")),
    };
    let payload = rest[keys.byte_offset()..]
        .trim_start()
        .strip_prefix(',')
        .ok_or_else(|| err("no payload"))?;
    let value: T = serde_json::from_str(payload).map_err(|e| err(&e.to_string()))?;
    Ok((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip() {
        let mut shard = TermShard::default();
        shard
            .t
            .insert("refund".into(), TermPostings(120, 3, "0A1B".into()));
        shard.f.insert("refunded".into(), "refund".into());
        let bytes = js_file("t/re", &shard);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text,
            "window.campfireSearch.add(\"t/re\",{\"t\":{\"refund\":[120,3,\"0A1B\"]},\"f\":{\"refunded\":\"refund\"}});\n"
        );
        let (key, back): (String, TermShard) = parse_js("x", &bytes).unwrap();
        assert_eq!((key.as_str(), back), ("t/re", shard));
        let doc = StoredDoc(
            "a/".into(),
            "A, \"quoted\"".into(),
            DocKind::Term,
            "pt".into(),
            "text".into(),
            "term:nps".into(),
        );
        let (_, back): (String, Vec<StoredDoc>) =
            parse_js("x", &js_file("d/0", &vec![doc.clone()])).unwrap();
        assert_eq!(back, [doc]);
        assert!(parse_js::<TermShard>("x", b"alert(1)").is_err());
    }
}
