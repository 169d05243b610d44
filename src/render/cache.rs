//! What a render can reuse from the previous one while serving: Markdown
//! bodies, list cards and whole pages, each keyed by a hash of everything it
//! was made from. A full build starts from an empty cache.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use rustc_hash::FxHasher;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// Fingerprint of what list pages were made from.
    pub(super) lists: u64,
    /// Fingerprint of what entry pages' lookups were answered from.
    pub(super) lookups: u64,
    /// What the bodies' lookups were answered from.
    pub(super) answers: super::bodies::Answers,
}

/// Hashes anything serializable by its JSON text (for data made once per
/// render, like site.yaml; per-page data derives `Hash` instead).
pub fn hash_serialized(h: &mut FxHasher, value: &impl serde::Serialize) {
    serde_json::to_vec(value).unwrap_or_default().hash(h);
}

/// A fast, non-cryptographic 64-bit hash of whatever `parts` feeds it;
/// enough to tell whether an input changed between two renders.
pub fn key(parts: impl FnOnce(&mut FxHasher)) -> u64 {
    let mut h = FxHasher::default();
    parts(&mut h);
    h.finish()
}
