//! What a render can reuse from the previous one while serving: Markdown
//! bodies, list cards and whole pages, each keyed by a hash of everything it
//! was made from. A full build starts from an empty cache.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::markdown::Rendered;

/// (card key, page depth) → card HTML.
pub type CardCache = HashMap<(u64, usize), Arc<String>>;
/// Output path → key of the inputs its page was rendered from.
pub type PageKeys = HashMap<String, u64>;

#[derive(Default)]
pub struct RenderCache {
    /// Source path → (input key, rendered body).
    pub(super) bodies: HashMap<PathBuf, (u64, Arc<Rendered>)>,
    pub(super) cards: CardCache,
    pub(super) pages: PageKeys,
}

struct HashWriter<'a>(&'a mut DefaultHasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Hashes a JSON value without building its text.
pub fn hash_value(hasher: &mut DefaultHasher, v: &Value) {
    let _ = serde_json::to_writer(HashWriter(hasher), v);
}

pub fn key(parts: impl FnOnce(&mut DefaultHasher)) -> u64 {
    let mut h = DefaultHasher::new();
    parts(&mut h);
    h.finish()
}

pub fn hash_str(h: &mut DefaultHasher, s: &str) {
    s.hash(h);
}
