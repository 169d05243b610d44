use clap::Parser;

fn main() -> std::process::ExitCode {
    campfire::cli::run(campfire::cli::Cli::parse())
}
