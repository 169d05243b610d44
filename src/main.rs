// A build allocates millions of short-lived strings and template values on
// every core; see README, "Dependencies".
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> std::process::ExitCode {
    campfire::cli::run(campfire::cli::Cli::parse())
}
