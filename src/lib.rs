//! Campfire turns a company's customer-experience knowledge into a fast,
//! searchable static website.
//!
//! A build flows one way: [`load`] (files → typed entries) → [`link`]
//! (references resolved into a [`link::Site`]) → [`render`] (Markdown and
//! templates → pages) → [`write`] (staged output, then swapped into place).
//! [`build`] drives the stages; [`serve`] drives them incrementally and
//! `check` runs them without writing.

pub mod build;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod incremental;
pub mod link;
pub mod load;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod search_worker;
pub mod serve;
pub mod write;
