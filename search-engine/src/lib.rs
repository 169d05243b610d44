//! Campfire's search engine: how text is cut into tokens, the payloads of
//! the index files, and the ranking of a query over them. One
//! implementation, used by `campfire build` (tokens, payload encoders),
//! `campfire search`, and the browser, where this crate runs compiled to
//! WebAssembly (see `wasm.rs` and `scripts/build-search-engine.sh`).

#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod byte_scan;
mod fold_table;
pub mod format;
pub mod json;
pub mod query;
pub mod tokenize;

#[cfg(target_arch = "wasm32")]
mod wasm;
