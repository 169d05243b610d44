// A build allocates millions of short-lived strings and template values on
// every core; see README, "Dependencies".
#[cfg(not(any(feature = "alloc-stats", feature = "system-alloc")))]
#[global_allocator]
static GLOBAL: campfire::allocator::Mimalloc = campfire::allocator::Mimalloc;
#[cfg(feature = "alloc-stats")]
#[global_allocator]
static GLOBAL: campfire::alloc_stats::Counting = campfire::alloc_stats::Counting;

use clap::Parser;

fn main() -> std::process::ExitCode {
    campfire::cli::run(campfire::cli::Cli::parse())
}
