//! The command line: parses arguments, calls the library, prints results.
//! Exit status: 0 success, 1 content errors, 2 usage errors.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::{self, BuildOptions};
use crate::diagnostics::Diagnostics;
use crate::scaffold;
use crate::serve;

#[derive(Parser, Debug)]
#[command(
    name = "campfire",
    version,
    about = "Turns customer-experience stories, vocabulary, cases and training paths into a fast, searchable website"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the site into the output directory.
    Build {
        /// Site root (where site.yaml is).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output directory [default: ROOT/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// Include entries marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Skip glossary auto-linking (to measure its cost).
        #[arg(long, hide = true)]
        no_autolink: bool,
    },
    /// Build, serve over HTTP, and rebuild and reload the browser on every save.
    Serve {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; use 0.0.0.0 to let the room connect
        /// [default: 127.0.0.1, or 0.0.0.0 with --room].
        #[arg(long)]
        bind: Option<std::net::IpAddr>,
        #[arg(long)]
        drafts: bool,
        /// Open the site in the default browser (with --room, as the presenter).
        #[arg(long)]
        open: bool,
        /// Lead a workshop room: prints a room URL and QR code; attendees
        /// who open it follow the presenter's slides live.
        #[arg(long)]
        room: bool,
    },
    /// Check the content and report every problem; writes nothing.
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Check entries marked `draft: true` too (they are skipped
        /// otherwise: a draft may be unfinished).
        #[arg(long)]
        drafts: bool,
    },
    /// Where stories are missing: department × journey stage, glossary
    /// lenses and translations, freshness, stories per quarter (the data
    /// of the site's /coverage/ page).
    Report {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// text for people, json for scripts and dashboards.
        #[arg(long, value_enum, default_value = "text")]
        format: crate::coverage::Format,
        #[arg(long)]
        drafts: bool,
    },
    /// Search the built site from the terminal, with the browser's ranking.
    Search {
        /// Words to look for; the last one may be a prefix.
        query: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Output directory to search [default: ROOT/public].
        #[arg(long)]
        output: Option<PathBuf>,
        /// How many results to show (at least 1: with 0 it said "No
        /// results" for a query that had some).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
        limit: u16,
    },
    /// Create a new entry with a front matter skeleton.
    New {
        /// story, term, case, path or page.
        kind: scaffold::NewKind,
        /// The entry's title; its file name is derived from it.
        title: String,
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Create a new site with a few sample entries.
    Init {
        /// Directory to create (must be empty or missing).
        dir: PathBuf,
    },
}

pub fn run(cli: Cli) -> ExitCode {
    turn_off_transparent_huge_pages();
    // Ctrl-C must not leave a half-written copy of the site beside the
    // output: remove this process's staging directories on the way out.
    let _ = ctrlc::set_handler(|| {
        crate::write::remove_own_staging();
        std::process::exit(130);
    });
    match cli.command {
        Command::Build {
            root,
            output,
            drafts,
            no_autolink,
        } => {
            if let Err(message) = crate::load::check_root(&root) {
                return usage_error(&message);
            }
            let mut options = BuildOptions::new(&root);
            if let Some(o) = output {
                options.output = o;
            }
            options.drafts = drafts;
            options.render.autolink = !no_autolink;
            if let Err(e) = crate::write::check_output_location(&root, &options.output) {
                return usage_error(&e.to_string());
            }
            match build::build_before_exit(&options) {
                Ok(report) => {
                    eprint!("{}", report.diagnostics.render());
                    println!("{}", report.summary());
                    ExitCode::SUCCESS
                }
                Err(diags) => fail(
                    &diags,
                    "build failed; the previous output was left untouched",
                ),
            }
        }
        Command::Serve {
            root,
            port,
            bind,
            drafts,
            open,
            room,
        } => {
            if let Err(message) = crate::load::check_root(&root) {
                return usage_error(&message);
            }
            let mut options = BuildOptions::new(&root);
            options.drafts = drafts;
            if let Err(e) = crate::write::check_output_location(&root, &options.output) {
                return usage_error(&e.to_string());
            }
            // A long-running server keeps what it needs between saves; the
            // rest goes back to the system as soon as it is freed (from
            // when its first site is complete: see `LiveSite`).
            crate::serve::prepare_memory_for_serving();
            let serve_options = serve::ServeOptions {
                root: root.clone(),
                output: options.output.clone(),
                port,
                bind: bind.unwrap_or(if room {
                    std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)
                } else {
                    std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
                }),
                open,
                room,
            };
            match serve::Server::start(serve_options, serve::LiveSite::new(options)) {
                Ok(server) => {
                    server.wait();
                    ExitCode::SUCCESS
                }
                Err(e) => usage_error(&e.to_string()),
            }
        }
        Command::Check { root, drafts } => {
            if let Err(message) = crate::load::check_root(&root) {
                return usage_error(&message);
            }
            let (diags, report) = build::check(&root, drafts);
            print!("{report}");
            if diags.has_errors() {
                fail(&diags, "check failed")
            } else {
                println!("check passed: no problems found");
                ExitCode::SUCCESS
            }
        }
        Command::Report {
            root,
            format,
            drafts,
        } => {
            if let Err(message) = crate::load::check_root(&root) {
                return usage_error(&message);
            }
            match crate::coverage::report(&root, drafts, format) {
                Ok((report, warnings)) => {
                    eprint!("{}", warnings.render());
                    print!("{report}");
                    ExitCode::SUCCESS
                }
                Err(diags) => fail(&diags, "report failed"),
            }
        }
        Command::Search {
            query,
            root,
            output,
            limit,
        } => {
            let output = output.unwrap_or_else(|| BuildOptions::new(&root).output);
            match crate::search::search_results(&output, &query, usize::from(limit)) {
                Ok(results) => {
                    print!("{}", crate::search::print_results(&results));
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Command::New { kind, title, root } => match scaffold::new_entry(&root, kind, &title) {
            Ok(path) => {
                println!("{}", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => usage_error(&e.to_string()),
        },
        Command::Init { dir } => match scaffold::init(&dir) {
            Ok(()) => {
                println!(
                    "created a new site in {}\n  cd {} && campfire serve",
                    dir.display(),
                    shell_path(&dir)
                );
                ExitCode::SUCCESS
            }
            Err(e) => usage_error(&e.to_string()),
        },
    }
}

fn shell_path(p: &Path) -> String {
    p.display().to_string()
}

fn fail(diags: &Diagnostics, what: &str) -> ExitCode {
    eprint!("{}", diags.render());
    eprintln!(
        "{what}: {} error{}{}",
        diags.error_count(),
        if diags.error_count() == 1 { "" } else { "s" },
        match diags.warning_count() {
            0 => String::new(),
            n => format!(", {n} warning{}", if n == 1 { "" } else { "s" }),
        }
    );
    ExitCode::from(1)
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// Transparent huge pages off for this process (Linux), whatever the
/// command. The allocator asks for them on its arenas (`madvise`), and the
/// kernel then faults in and zeroes whole 2 MiB pages of which a build
/// touches a little: on the 10k corpus a cold build ran about 0.3 s less
/// kernel CPU without them and peaked at 165 MB instead of 204 MB. For
/// `serve` they were worse still: khugepaged filled the sparsely used arena
/// into whole pages while the server sat idle (+1 MB/s, 340 -> 500 MB
/// within minutes of a few saves), undoing what was given back.
fn turn_off_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process; it reads
    // and writes no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod process_tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn transparent_huge_pages_are_turned_off() {
        // SAFETY: reads this process's flag.
        let before = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        super::turn_off_transparent_huge_pages();
        // SAFETY: as above.
        let after = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!((before, after), (0, 1));
    }
}
