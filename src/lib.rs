//! Campfire turns a company's customer-experience knowledge into a fast,
//! searchable static website.
//!
//! A build flows one way: [`load`] (files → typed entries) → [`link`]
//! (references resolved into a [`link::Site`]) → [`render`] (Markdown and
//! templates → pages) → [`write`] (staged output, then swapped into place).
//! One [`pipeline::Pipeline`] carries the stages: [`build`] runs it fresh
//! (and `check` into a sink that discards), [`serve`] keeps it warm and
//! writes only what changed. [`paths`] owns every path and URL rule.

pub mod alloc_stats;
pub mod allocator;
pub mod build;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod diagnostics;
pub mod link;
pub mod load;
pub mod packed;
pub mod paths;
pub mod pipeline;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
#[cfg(test)]
pub(crate) mod testing;
pub mod write;
