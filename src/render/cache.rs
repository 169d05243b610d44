//! What a render can reuse from the previous one while serving: Markdown
//! bodies, list cards and whole pages, each keyed by a hash of everything it
//! was made from. A full build starts from an empty cache.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::bodies::CachedBody;

/// (card key, page depth) → card HTML.
pub type CardCache = HashMap<(u64, usize), Arc<String>>;
/// List page output path → hash of its data.
pub type PageKeys = HashMap<String, u64>;
/// Entry page output path → what its render read.
pub type EntryPages = HashMap<String, Arc<super::pages::PageRecord>>;

#[derive(Default)]
pub struct RenderCache {
    /// Source path → rendered body, with what its render read.
    pub(super) bodies: HashMap<PathBuf, CachedBody>,
    pub(super) cards: CardCache,
    /// Source path → its card (while serving).
    pub(super) cards_data: HashMap<PathBuf, super::pages::CardData>,
    pub(super) pages: PageKeys,
    pub(super) entry_pages: EntryPages,
    /// The glossary's matcher, by a hash of its names.
    pub(super) glossary: Option<(u64, super::autolink::Glossary)>,
    /// Key of the search documents the index was last made from.
    pub(super) search: u64,
}

/// Hashes a JSON value by walking it: no text is built, nothing escaped.
pub fn hash_value(h: &mut FxHasher, v: &Value) {
    match v {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => h.write_u8(1 + u8::from(*b)),
        Value::Number(n) => {
            h.write_u8(3);
            n.as_f64().unwrap_or_default().to_bits().hash(h);
        }
        Value::String(s) => {
            h.write_u8(4);
            s.hash(h);
        }
        Value::Array(items) => {
            h.write_u8(5);
            h.write_usize(items.len());
            for item in items {
                hash_value(h, item);
            }
        }
        Value::Object(map) => {
            h.write_u8(6);
            h.write_usize(map.len());
            for (k, item) in map {
                k.hash(h);
                hash_value(h, item);
            }
        }
    }
}

/// A fast, non-cryptographic 64-bit hash of whatever `parts` feeds it;
/// enough to tell whether an input changed between two renders.
pub fn key(parts: impl FnOnce(&mut FxHasher)) -> u64 {
    let mut h = FxHasher::default();
    parts(&mut h);
    h.finish()
}
