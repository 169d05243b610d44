//! The search fixture site for the browser tests (tests/browser/), and a few
//! helpers they use to compare the browser with Rust:
//!
//!     cargo run --example search_fixture -- build OUT_DIR   # index + pages
//!     cargo run --example search_fixture -- rank OUT_DIR QUERY...   # JSON
//!     cargo run --example search_fixture -- stem  < words   # word<TAB>stem
//!     cargo run --example search_fixture -- tokens < lines  # JSON per line
//!
//! When the real pipeline lands, `build` becomes `campfire build` of a
//! fixture site; the rest stays.

use std::io::BufRead;
use std::path::Path;

use campfire::search::{DocKind, SearchDoc, build_index, search_output};

#[path = "search_support/mod.rs"]
mod support;

fn doc(
    url: &str,
    kind: DocKind,
    language: &str,
    title: &str,
    keywords: &[&str],
    body: &str,
    facets: &[(&'static str, &str)],
) -> SearchDoc {
    SearchDoc {
        url: url.into(),
        kind,
        title: title.into(),
        language: language.into(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        body: body.into(),
        facets: facets.iter().map(|&(a, b)| (a, b.into())).collect(),
        group: String::new(),
    }
}

pub const XSS_TITLE: &str = "<img src=x onerror=alert(1)>";

fn fixture_docs() -> Vec<SearchDoc> {
    use DocKind::*;
    let mut docs = vec![
        doc(
            "stories/snowed-in-delivery/",
            Story,
            "en",
            "Snowed-in delivery",
            &["winter", "groceries"],
            "When the storm closed the road to the village, our driver left the van and carried \
             the groceries the last kilometre on foot. The customer, an elderly woman who had \
             been snowed in for three days, had ordered bread, milk and her heart medicine. \
             We learned that a delivery promise matters most when the weather is at its worst.",
            &[
                ("department", "logistics"),
                ("touchpoint", "delivery"),
                ("value", "going-beyond"),
            ],
        ),
        doc(
            "stories/refund-three-weeks/",
            Story,
            "en",
            "The refund that took three weeks",
            &["refunds", "billing"],
            "A customer returned a broken kettle and waited three weeks for the refund. Every \
             call to the contact centre ended with another promise. The delay was caused by a \
             manual approval step nobody owned. We removed the step and refunds now arrive in \
             two days.",
            &[
                ("department", "finance"),
                ("touchpoint", "billing"),
                ("value", "ownership"),
            ],
        ),
        doc(
            "stories/refunds-without-waiting/",
            Story,
            "en",
            "Refunds without waiting",
            &["refunds", "automation"],
            "The IT team automated refund approvals for small amounts, so customers no longer \
             wait for a refund that was never in doubt. Delayed refunds used to be the top \
             reason for complaints.",
            &[
                ("department", "it"),
                ("touchpoint", "website"),
                ("value", "empathy"),
            ],
        ),
        doc(
            "stories/business-cycles/",
            Story,
            "en",
            "Learning our customers' business cycles",
            &["collections"],
            "The collections team noticed that farmers paid late every spring and early every \
             autumn. Instead of reminders in April we now agree payment plans that follow the \
             harvest. Payment delays fell by half.",
            &[
                ("department", "collections"),
                ("touchpoint", "invoice"),
                ("value", "empathy"),
            ],
        ),
        doc(
            "stories/html-title/",
            Story,
            "en",
            XSS_TITLE,
            &[],
            "A story whose title looks like HTML, to prove that search results show titles as \
             text. If you see an alert, the search inserted HTML.",
            &[("department", "it"), ("touchpoint", "website")],
        ),
        doc(
            "stories/late-installation/",
            Story,
            "en",
            "A delayed installation and a happy customer",
            &["installation"],
            "The technician was delayed by four hours. She called the customer every hour, \
             explained the delay and brought the spare part that the old boiler needed. The \
             customer wrote to thank us.",
            &[
                ("department", "logistics"),
                ("touchpoint", "installation"),
                ("value", "ownership"),
            ],
        ),
        doc(
            "stories/first-call/",
            Story,
            "en",
            "Solving it on the first call",
            &["fcr"],
            "Our support agents may now issue a replacement or a refund on the first call \
             without a supervisor. First contact resolution rose from 61% to 78%.",
            &[
                ("department", "support"),
                ("touchpoint", "phone"),
                ("value", "ownership"),
            ],
        ),
        doc(
            "stories/retraso-entrega/",
            Story,
            "es",
            "Retraso en la entrega",
            &["entrega"],
            "El pedido llegó con retraso, pero el conductor llamó al cliente para avisar. La \
             satisfacción del cliente subió.",
            &[
                ("department", "logistics"),
                ("touchpoint", "delivery"),
                ("value", "empathy"),
            ],
        ),
        doc(
            "glossary/nps/",
            Term,
            "en",
            "Net Promoter Score",
            &["NPS", "Net Promoter Score", "promoter score"],
            "A measure of loyalty: the share of promoters minus the share of detractors among \
             customers who answer how likely they are to recommend us.",
            &[("department", "it"), ("department", "support")],
        ),
        doc(
            "pt/glossary/satisfacao/",
            Term,
            "pt",
            "Satisfação do cliente",
            &["satisfação", "CSAT"],
            "A satisfação do cliente mede quanto o cliente ficou contente com um atendimento, \
             uma entrega ou um produto.",
            &[("department", "support")],
        ),
        doc(
            "glossary/csat/",
            Term,
            "en",
            "Customer satisfaction",
            &["CSAT", "satisfaction"],
            "How satisfied a customer says they are with one interaction, usually on a scale \
             from one to five. In Portuguese: satisfacao do cliente.",
            &[("department", "support")],
        ),
        doc(
            "glossary/touchpoint/",
            Term,
            "en",
            "Touchpoint",
            &["touchpoint", "touch point"],
            "Any moment where a customer meets the company: the website, an invoice, a \
             delivery, a phone call.",
            &[("department", "it"), ("department", "logistics")],
        ),
        doc(
            "glossary/fcr/",
            Term,
            "en",
            "First contact resolution",
            &["FCR", "first-call resolution"],
            "The share of requests solved in the first contact, without a call back or a \
             transfer.",
            &[("department", "support")],
        ),
        doc(
            "cases/refund-time/",
            Case,
            "en",
            "Cutting refund time from 21 days to 2",
            &["refunds"],
            "Before: refunds waited for a manual approval and took 21 days on average; \
             complaints about refund delays were a third of all complaints. After: automatic \
             approval below 200 euros, 2 days on average.",
            &[("touchpoint", "billing")],
        ),
        doc(
            "paths/listening/",
            Path,
            "en",
            "Onboarding: listening to customers",
            &["onboarding"],
            "Start with the snowed-in delivery story, then read what a touchpoint is, then the \
             refund case study.",
            &[],
        ),
        doc(
            "pages/about/",
            Page,
            "en",
            "About this site",
            &[],
            "Stories, terms and cases written by staff about the experience of our customers.",
            &[],
        ),
    ];
    // Search v2: compounds, phrases, typos, translations grouped.
    docs.push(doc(
        "stories/on-call-upgrade/",
        Story,
        "en",
        "The on-call rota after the 4.5.0 upgrade",
        &[],
        "Every code review now includes the on-call engineer.\nReview code before the night \
         shift. Reimbursement of travel costs is automatic.",
        &[("department", "it"), ("touchpoint", "website")],
    ));
    let mut nps_pt = doc(
        "pt/glossary/nps/",
        Term,
        "pt",
        "Net Promoter Score",
        &[],
        "O NPS é uma medida de lealdade: a parcela de promotores menos a de detratores.",
        &[("department", "support")],
    );
    nps_pt.group = "term:nps".into();
    docs.push(nps_pt);
    for d in docs.iter_mut() {
        if d.url == "glossary/nps/" {
            d.group = "term:nps".into();
        }
    }
    // Filler stories, so that facets have something to count.
    let depts = ["it", "logistics", "support", "finance"];
    let tps = ["delivery", "website", "phone", "billing"];
    for i in 0..12 {
        docs.push(doc(
            &format!("stories/weekly-{i}/"),
            Story,
            "en",
            &format!("Weekly customer review {i}"),
            &[],
            &format!(
                "In week {i} the team reviewed customer feedback about {} and agreed one change.",
                tps[i % 4]
            ),
            &[
                ("department", depts[i % 4]),
                ("touchpoint", tps[(i / 2) % 4]),
            ],
        ));
    }
    docs
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("build") if args.len() == 2 => {
            let out = Path::new(&args[1]);
            let docs = fixture_docs();
            let files = build_index(&docs);
            support::write_site(out, &docs, &files, true);
            println!("{}", out.display());
        }
        Some("rank") if args.len() >= 2 => {
            let out = Path::new(&args[1]);
            let mut result = serde_json::Map::new();
            for q in &args[2..] {
                let hits = search_output(out, q, 50).unwrap_or_else(|e| panic!("{e}"));
                result.insert(q.clone(), serde_json::to_value(&hits).unwrap());
            }
            println!("{}", serde_json::Value::Object(result));
        }
        Some("tokens") => {
            for line in std::io::stdin().lock().lines() {
                let line = line.unwrap();
                println!(
                    "{}",
                    serde_json::to_string(&campfire::search::tokens(&line)).unwrap()
                );
            }
        }
        _ => {
            eprintln!(
                "usage: search_fixture build OUT | rank OUT QUERY... | stem < words | tokens < lines"
            );
            std::process::exit(2);
        }
    }
}
