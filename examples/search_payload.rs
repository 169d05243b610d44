//! What a reader downloads for a first query on a built site:
//!
//!     cargo run --release --example search_payload -- public "refund delay" ["snow driver" …]
//!
//! Prints, per query, the index files the browser loads (manifest, term
//! shards, the documents of the first page of results, facets) and their
//! total size, plus `assets/search.js` and the engine it loads on the first
//! query (`assets/search-engine.js`).

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((dir, queries)) = args.split_first() else {
        eprintln!("usage: search_payload OUTPUT_DIR QUERY...");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    // The scripts a first query loads: search.js and the engine.
    let script: u64 = ["assets/search.js", "assets/search-engine.js"]
        .iter()
        .map(|f| std::fs::metadata(dir.join(f)).map_or(0, |m| m.len()))
        .sum();
    let total: u64 = walkdir::WalkDir::new(dir.join("search"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum();
    println!(
        "index: {:.1} MB in search/; assets/search.js + search-engine.js {:.1} kB",
        total as f64 / 1e6,
        script as f64 / 1e3
    );
    for q in queries {
        for (label, facets) in [
            ("dropdown (8 results)", false),
            ("search page (10 results + facets)", true),
        ] {
            let limit = if facets { 10 } else { 8 };
            match campfire::search::first_query_files(dir, q, limit, facets) {
                Ok((files, hits)) => {
                    let bytes: u64 = files.iter().map(|(_, size)| *size as u64).sum();
                    println!(
                        "{q:?} {label}: {hits} hits, {} files, {:.1} kB ({:.1} kB with the scripts)",
                        files.len(),
                        bytes as f64 / 1e3,
                        (bytes + script) as f64 / 1e3
                    );
                    if std::env::var_os("FILES").is_some() {
                        for (f, size) in &files {
                            println!("    {f} {:.1} kB", *size as f64 / 1e3);
                        }
                    }
                }
                Err(e) => println!("{q:?}: {e}"),
            }
        }
    }
}
