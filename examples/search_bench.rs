//! Measures the search index on a synthetic big site: 10,000 stories of
//! about 4 KB, 1,000 glossary terms (300 of them Portuguese), 500 cases.
//!
//!     cargo run --release --example search_bench [-- OUT_DIR [STORIES]]
//!
//! Prints the build time, the index size, what a first query downloads and
//! how long the Rust ranking takes. With OUT_DIR, the index is left there
//! (with `search/index.html` and the assets) for `tests/browser/bench-search.mjs`.

use std::path::PathBuf;
use std::time::Instant;

use campfire::search::{DocKind, SearchDoc, build_index, first_query_files, search_output};

#[path = "search_support/mod.rs"]
mod support;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545F4914F6CDD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Real words first (so they are the frequent ones), then invented ones.
const CORE: &str = "customer customers team order orders call calls week day time service \
    delivery store staff manager support problem issue help helped change changed process \
    first contact resolution journey touchpoint experience feedback survey score promoter \
    detractor complaint complaints account payment payments invoice bill billing refund \
    refunds refunded delay delays delayed late shipment driver route snow weather warehouse \
    stock product products price prices return returns replacement phone email chat agent \
    agents queue wait waiting hours morning evening family business owner owners season \
    cycle cycles collections debt plan plans schedule policy rule rules exception trust \
    listen listened learned learning lesson story stories outcome result results metric \
    metrics satisfaction loyalty churn retention renewal contract install installation \
    technician visit visits appointment booking cancel cancelled cancellation fee fees \
    credit discount offer voucher apology apologised escalation escalated supervisor \
    compliance audit risk data system systems outage incident ticket tickets backlog \
    dashboard report reports weekly monthly quarter goal goals improve improved improvement \
    empathy ownership kindness patience clarity simple simpler faster slower better worse \
    neighbour elderly mother father daughter son friend shop town city village road winter \
    summer holiday christmas birthday wedding medicine food groceries bread milk heating";

fn vocabulary(rng: &mut Rng, invented: usize) -> Vec<String> {
    let core: Vec<String> = CORE.split_whitespace().map(str::to_string).collect();
    let mut v: Vec<String> = Vec::new();
    let onsets = [
        "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "cl",
        "dr", "gr", "pl", "st", "tr", "sh", "ch",
    ];
    let nuclei = ["a", "e", "i", "o", "u", "ai", "ea", "ou", "io"];
    let codas = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ck", "ng"];
    let mut seen: std::collections::HashSet<String> = Default::default();
    while v.len() < invented {
        let syl = 1 + rng.below(3);
        let mut w = String::new();
        for _ in 0..syl {
            w.push_str(onsets[rng.below(onsets.len())]);
            w.push_str(nuclei[rng.below(nuclei.len())]);
        }
        w.push_str(codas[rng.below(codas.len())]);
        if !core.contains(&w) && seen.insert(w.clone()) {
            v.push(w);
        }
    }
    // Real words spread over the frequent ranks: "customer" is among the
    // most frequent words, "refund" at rank ~500 is in a few % of stories.
    for (i, w) in core.into_iter().enumerate() {
        v.insert((10 + i * 12).min(v.len()), w);
    }
    v
}

/// Zipf sampler over ranks 0..n (s = 1.05), by inverse CDF.
struct Zipf {
    cdf: Vec<f64>,
}
impl Zipf {
    fn new(n: usize) -> Zipf {
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for r in 1..=n {
            acc += 1.0 / (r as f64).powf(1.05);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf { cdf }
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

const STOPS: [&str; 12] = [
    "the", "and", "a", "to", "of", "we", "was", "in", "for", "that", "with", "on",
];

fn text(rng: &mut Rng, vocab: &[String], zipf: &Zipf, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 64);
    let mut sentence = 0;
    while s.len() < bytes {
        let w: &str = if rng.below(3) == 0 {
            STOPS[rng.below(STOPS.len())]
        } else {
            &vocab[zipf.sample(rng)]
        };
        if sentence == 0 {
            let mut c = w.chars();
            let first = c.next().unwrap().to_ascii_uppercase();
            s.push(first);
            s.push_str(c.as_str());
        } else {
            s.push_str(w);
        }
        sentence += 1;
        if sentence > 8 && rng.below(6) == 0 {
            s.push_str(". ");
            sentence = 0;
            if rng.below(5) == 0 {
                s.push('\n');
            }
        } else {
            s.push(' ');
        }
    }
    s
}

pub fn corpus(stories: usize) -> Vec<SearchDoc> {
    let mut rng = Rng(0x5eed_cafe_f00d);
    let vocab = vocabulary(&mut rng, 40_000);
    let zipf = Zipf::new(vocab.len());
    let departments = [
        "it",
        "logistics",
        "compliance",
        "collections",
        "sales",
        "support",
        "finance",
        "stores",
    ];
    let touchpoints = [
        "website",
        "store",
        "app",
        "phone",
        "delivery",
        "installation",
        "invoice",
        "email",
        "chat",
        "returns",
        "billing",
        "field-visit",
    ];
    let values = ["ownership", "empathy", "going-beyond", "clarity", "speed"];
    let mut docs = Vec::new();
    for i in 0..stories {
        let title = format!(
            "{} {} {}",
            vocab[zipf.sample(&mut rng)],
            vocab[zipf.sample(&mut rng)],
            vocab[rng.below(2000)]
        );
        let mut facets = vec![(
            "department",
            departments[rng.below(departments.len())].into(),
        )];
        for _ in 0..1 + rng.below(3) {
            facets.push((
                "touchpoint",
                touchpoints[rng.below(touchpoints.len())].into(),
            ));
        }
        for _ in 0..1 + rng.below(2) {
            facets.push(("value", values[rng.below(values.len())].into()));
        }
        docs.push(SearchDoc {
            url: format!("stories/story-{i}/"),
            kind: DocKind::Story,
            title,
            language: "en".into(),
            keywords: vec![vocab[rng.below(400)].clone(), vocab[rng.below(400)].clone()],
            body: text(&mut rng, &vocab, &zipf, 3900).into(),
            facets,
            group: String::new(),
        });
    }
    for i in 0..1000 {
        let pt = i >= 700;
        let name = vocab[rng.below(3000)].clone();
        docs.push(SearchDoc {
            url: if pt {
                format!("pt/glossary/term-{i}/")
            } else {
                format!("glossary/term-{i}/")
            },
            kind: DocKind::Term,
            title: name.clone(),
            language: if pt { "pt" } else { "en" }.into(),
            keywords: vec![name, vocab[rng.below(3000)].clone()],
            body: (text(&mut rng, &vocab, &zipf, 700)
                + if pt { " satisfação do cliente" } else { "" })
            .into(),
            facets: vec![(
                "department",
                departments[rng.below(departments.len())].into(),
            )],
            group: String::new(),
        });
    }
    for i in 0..500 {
        docs.push(SearchDoc {
            url: format!("cases/case-{i}/"),
            kind: DocKind::Case,
            title: format!("Case {}", vocab[zipf.sample(&mut rng)]),
            language: "en".into(),
            keywords: vec![],
            body: text(&mut rng, &vocab, &zipf, 6000).into(),
            facets: vec![(
                "touchpoint",
                touchpoints[rng.below(touchpoints.len())].into(),
            )],
            group: String::new(),
        });
    }
    docs
}

fn kb(b: usize) -> String {
    format!("{:.1} kB", b as f64 / 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let keep = args.first().map(PathBuf::from);
    let stories: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let docs = corpus(stories);
    let body_bytes: usize = docs.iter().map(|d| d.body.text().len()).sum();
    println!(
        "corpus: {} docs ({} stories), {:.1} MB of body text",
        docs.len(),
        stories,
        body_bytes as f64 / 1e6
    );

    let mut times = Vec::new();
    let mut files = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        files = build_index(&docs);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let total: usize = files.iter().map(|f| f.1.len()).sum();
    let count = |pre: &str| files.iter().filter(|f| f.0.starts_with(pre)).count();
    let bytes = |pre: &str| -> usize {
        files
            .iter()
            .filter(|f| f.0.starts_with(pre))
            .map(|f| f.1.len())
            .sum()
    };
    let max_shard = files
        .iter()
        .filter(|f| f.0.starts_with("search/t/"))
        .map(|f| f.1.len())
        .max()
        .unwrap_or(0);
    println!(
        "build_index: median {:.0} ms (runs: {:?} ms) on {} threads",
        times[1],
        times.iter().map(|t| t.round()).collect::<Vec<_>>(),
        rayon::current_num_threads()
    );
    println!(
        "index: {} files, {} total; term shards {} files {} (largest {}); doc chunks {} files {}; manifest {}; facets {}",
        files.len(),
        kb(total),
        count("search/t/"),
        kb(bytes("search/t/")),
        kb(max_shard),
        count("search/d/"),
        kb(bytes("search/d/")),
        kb(bytes("search/manifest.js")),
        kb(bytes("search/facets.js")),
    );

    let dir = match &keep {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join("campfire-search-bench"),
    };
    // The index plus the search page and assets (no entry pages).
    support::write_site(&dir, &docs, &files, false);
    // As shipped (minified), the copy write_site made.
    // search.js and the engine it loads on the first query.
    let js_len: usize = ["assets/search.js", "assets/search-engine.js"]
        .iter()
        .map(|f| std::fs::metadata(dir.join(f)).map_or(0, |m| m.len() as usize))
        .sum();

    for q in ["refund delay", "customer", "satisfação", "snow driver late"] {
        for (label, limit, facets) in [
            ("dropdown (8 results)", 8, false),
            // The facets load once the first results are shown.
            ("/search/ page (10 results; facets after)", 10, false),
            ("/search/ page, then the facets", 10, true),
        ] {
            let (loaded, n) = first_query_files(&dir, q, limit, facets).unwrap();
            let sum: usize = loaded.iter().map(|l| l.1).sum();
            println!(
                "first query {q:?} on {label}: {} in {} files ({n} results){}",
                kb(sum),
                loaded.len(),
                if js_len > 0 {
                    format!(
                        "; + search.js and search-engine.js {} = {}",
                        kb(js_len),
                        kb(sum + js_len)
                    )
                } else {
                    String::new()
                }
            );
            if q == "refund delay" && facets {
                let mut by: Vec<String> = loaded
                    .iter()
                    .map(|(f, b)| format!("{f} {}", kb(*b)))
                    .collect();
                by.sort();
                println!("  files: {}", by.join(", "));
            }
        }
    }

    // As you type: every keystroke of "refund delay" runs a dropdown query.
    {
        let typed = "refund delay";
        let mut all: std::collections::BTreeMap<String, usize> = Default::default();
        for end in 1..=typed.len() {
            let (loaded, _) = first_query_files(&dir, &typed[..end], 8, false).unwrap();
            for (f, b) in loaded {
                all.insert(f, b);
            }
        }
        println!(
            "typing {typed:?} key by key (dropdown): {} in {} distinct files",
            kb(all.values().sum()),
            all.len()
        );
    }

    // Rust ranking time (index files already on disk; includes reading them).
    for q in [
        "refund delay",
        "customer service",
        "refu",
        "snow driver late",
    ] {
        let t = Instant::now();
        let runs = 20;
        let mut n = 0;
        for _ in 0..runs {
            n = search_output(&dir, q, 10).unwrap().len();
        }
        println!(
            "search_output({q:?}): {:.2} ms per query incl. reading files ({n} hits)",
            t.elapsed().as_secs_f64() * 1000.0 / runs as f64
        );
    }
    if keep.is_some() {
        println!("index left in {}", dir.display());
    }
}
