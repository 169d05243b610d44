//! What a render can reuse from the previous one while serving: Markdown
//! bodies, list cards and whole pages, each keyed by a hash of everything it
//! was made from. A full build starts from an empty cache.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustc_hash::{FxHashMap, FxHasher};

use crate::link::{EntryId, Site};
use crate::load::Entry;

use super::bodies::CachedBody;
use super::theme::Specialized;

// Fx-hashed: each save of a 10k site looks up every page's path in these
// (SipHash was a tenth of the save's render).
/// Card key → card HTML, with the root placeholder (see `pages::paste_card`).
pub type CardCache = FxHashMap<u64, Arc<String>>;
/// List page output path → hash of its data.
pub type PageKeys = FxHashMap<String, u64>;
/// Entry page output path → what its render read.
pub type EntryPages = FxHashMap<String, Arc<super::pages::PageRecord>>;

#[derive(Default)]
pub struct RenderCache {
    /// Each entry's rendered body, with what its render read.
    pub(super) bodies: PerEntry<CachedBody>,
    pub(super) cards: CardCache,
    /// Each entry's card (while serving).
    pub(super) cards_data: PerEntry<super::pages::CardData>,
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
    /// The templates specialised for the pages' chrome.
    pub(super) templates: SpecializedTemplates,
}

/// Templates specialised for a chrome (see `pages::Pages::specialized`),
/// by language and depth, with the chrome's key.
#[derive(Default)]
pub struct SpecializedTemplates {
    chrome_key: u64,
    made: FxHashMap<(String, Option<usize>), Arc<Specialized>>,
}

impl SpecializedTemplates {
    pub fn new(
        chrome_key: u64,
        made: FxHashMap<(String, Option<usize>), Arc<Specialized>>,
    ) -> Self {
        SpecializedTemplates { chrome_key, made }
    }

    /// The templates made for `at` with the chrome of `chrome_key`.
    pub fn get(&self, chrome_key: u64, at: &(String, Option<usize>)) -> Option<Arc<Specialized>> {
        (self.chrome_key == chrome_key)
            .then(|| self.made.get(at).cloned())
            .flatten()
    }
}

/// Something kept for each entry of the last render, in that render's
/// order. Found by the entry's id now and its source: while the order is
/// the same (as after a save that changes only bodies), the id finds it at
/// once; otherwise an index by source is made, once.
pub struct PerEntry<T> {
    items: Vec<(Arc<Entry>, T)>,
    by_source: OnceLock<FxHashMap<PathBuf, usize>>,
}

impl<T> Default for PerEntry<T> {
    fn default() -> Self {
        PerEntry {
            items: Vec::new(),
            by_source: OnceLock::new(),
        }
    }
}

impl<T> PerEntry<T> {
    /// `items[id]` belongs to `site.entries[id]`.
    pub fn new(site: &Site, items: Vec<T>) -> Self {
        PerEntry {
            items: site.entries.iter().cloned().zip(items).collect(),
            by_source: OnceLock::new(),
        }
    }

    pub fn get(&self, id: EntryId, source: &Path) -> Option<&T> {
        match self.items.get(id) {
            // Same bytes, same file (Path's == compares component by component).
            Some((e, item)) if e.source.as_os_str() == source.as_os_str() => Some(item),
            _ => {
                let index = self.by_source.get_or_init(|| {
                    self.items
                        .iter()
                        .enumerate()
                        .map(|(i, (e, _))| (e.source.clone(), i))
                        .collect()
                });
                index.get(source).map(|&i| &self.items[i].1)
            }
        }
    }
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
