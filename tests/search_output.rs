//! The search index as the rest of Campfire uses it: built by
//! `build_index`, written to an output directory, queried by
//! `search_output` (what `campfire search` runs).

use std::path::Path;

use campfire::search::{
    DocKind, SearchDoc, SearchError, build_index, first_query_files, print_hits, search_built,
    search_output,
};

fn doc(url: &str, kind: DocKind, language: &str, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        url: url.into(),
        kind,
        title: title.into(),
        language: language.into(),
        keywords: vec![],
        body: body.into(),
        facets: vec![("department", "it".into())],
        group: String::new(),
    }
}

fn write(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (p, b) in files {
        let path = dir.join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b).unwrap();
    }
}

/// A corpus big enough for shards to split: `n` stories drawing words from
/// a fixed vocabulary.
fn corpus(n: usize) -> Vec<SearchDoc> {
    let vocab: Vec<String> = (0..3000).map(|i| format!("w{}x{}", i % 37, i)).collect();
    (0..n)
        .map(|i| {
            let words: Vec<&str> = (0..120)
                .map(|k| vocab[(i * 7919 + k * k * 31) % vocab.len()].as_str())
                .collect();
            let mut d = doc(
                &format!("stories/s{i}/"),
                DocKind::Story,
                if i % 10 == 0 { "pt" } else { "en" },
                &format!("Story {i} about {}", words[0]),
                &format!(
                    "{} refund{}",
                    words.join(" "),
                    if i % 3 == 0 { " delay" } else { "" }
                ),
            );
            d.facets
                .push(("touchpoint", ["web", "phone", "store"][i % 3].into()));
            d
        })
        .collect()
}

#[test]
fn search_output_reads_what_build_index_wrote() {
    let docs = vec![
        doc(
            "stories/refund/",
            DocKind::Story,
            "en",
            "The refund that took three weeks",
            "Refunds were delayed by a manual approval.",
        ),
        doc(
            "glossary/nps/",
            DocKind::Term,
            "en",
            "Net Promoter Score",
            "Promoters minus detractors.",
        ),
        doc(
            "pt/glossary/satisfacao/",
            DocKind::Term,
            "pt",
            "Satisfação do cliente",
            "A satisfação mede…",
        ),
    ];
    let files = build_index(&docs);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files);

    let hits = search_output(dir.path(), "refund delay", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].url, "stories/refund/");
    assert_eq!(hits[0].kind, DocKind::Story);
    assert!(hits[0].score > 0.0);
    assert!(hits[0].snippet.contains("delayed"), "{}", hits[0].snippet);

    let hits = search_output(dir.path(), "satisfacao", 10).unwrap();
    assert_eq!(hits[0].url, "pt/glossary/satisfacao/");

    let printed = print_hits(&search_output(dir.path(), "nps promoter", 10).unwrap());
    assert!(printed.contains("Net Promoter Score [Term]"), "{printed}");
    assert!(printed.contains("glossary/nps/"), "{printed}");

    // The limit is honoured, and the in-memory search agrees.
    let all = search_output(dir.path(), "the", 10).unwrap();
    assert_eq!(search_built(&files, "the", 10).unwrap(), all);
}

#[test]
fn errors_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let err = search_output(dir.path(), "x", 5).unwrap_err();
    assert!(matches!(err, SearchError::NoIndex(_)));
    assert!(err.to_string().contains("campfire build"), "{err}");

    std::fs::create_dir_all(dir.path().join("search")).unwrap();
    std::fs::write(dir.path().join("search/manifest.js"), "garbage").unwrap();
    let err = search_output(dir.path(), "x", 5).unwrap_err();
    assert!(matches!(err, SearchError::Format(..)), "{err}");
    assert!(err.to_string().contains("rebuild"), "{err}");
}

#[test]
fn output_is_deterministic_whatever_the_thread_count_and_input_order() {
    let docs = corpus(600);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| build_index(&docs));
    let mut shuffled = docs.clone();
    shuffled.reverse();
    shuffled.swap(3, 400);
    let many = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap()
        .install(|| build_index(&shuffled));
    assert!(one == many, "same documents must give the same bytes");
}

#[test]
fn a_query_reads_only_a_few_files() {
    let docs = corpus(3000);
    let files = build_index(&docs);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &files);
    let total: usize = files.iter().map(|f| f.1.len()).sum();
    let term_shards = files
        .iter()
        .filter(|f| f.0.starts_with("search/t/"))
        .count();
    assert!(term_shards > 20, "{term_shards} term shards");

    let (loaded, results) = first_query_files(dir.path(), "refund delay", 10, true).unwrap();
    assert_eq!(results, 1000, "every third story has both words");
    let bytes: usize = loaded.iter().map(|l| l.1).sum();
    let names: Vec<&str> = loaded.iter().map(|l| l.0.as_str()).collect();
    assert!(
        names.contains(&"manifest") && names.contains(&"facets"),
        "{names:?}"
    );
    let chunks = names.iter().filter(|n| n.starts_with("d/")).count();
    assert!((1..=10).contains(&chunks), "{names:?}");
    assert!(
        bytes * 10 < total,
        "a query read {bytes} of {total} bytes: {names:?}"
    );
}

mod common;

/// A fixture site with a story whose text is in raw HTML, built with the
/// real pipeline; `campfire search` over its output.
fn built_site() -> tempfile::TempDir {
    let site = common::site_copy("basic");
    std::fs::write(
        site.path().join("content/stories/tools.md"),
        "---\ntitle: \"Tools we rely on\"\ndate: 2026-03-01\nauthor: \"Ana\"\ndepartment: billing\n---\n\n\
         Our stack:\n\n\
         - Sourcegraph\n  - Asynchronous reviews\n- Onboarding\n  - Onboarding buddy\n\n\
         <table>\n<tr><td>Reimbursement</td><td>Quarterly&nbsp;payouts</td></tr>\n</table>\n\n\
         <div><p>Zanzibar</p><p>Quokka</p></div>\n\n\
         A paragraph wrapped by its author: kiwi banana\nmango papaya.\n\n\
         The depot on the Hauptstraße, zu Fuß from the station, runs release \
         4.5.0 of the route planner.\n",
    )
    .unwrap();
    common::build(site.path());
    site
}

fn cli_search(root: &Path, q: &str) -> String {
    let o = common::campfire_in(root, &["search", q]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    common::stdout(&o)
}

#[test]
fn raw_html_in_markdown_is_searchable_and_blocks_are_word_boundaries() {
    let site = built_site();
    let root = site.path();
    // Issue 12, bug 3: the text of a raw HTML table was not indexed.
    for q in ["reimbursement", "quarterly payouts", "zanzibar quokka"] {
        let out = cli_search(root, q);
        assert!(out.contains("Tools we rely on"), "{q}: {out}");
    }
    // Bug 4: a nested list item's text was glued to its parent's
    // ("SourcegraphAsynchronous"), adjacent blocks too ("ZanzibarQuokka").
    for q in ["sourcegraph ", "asynchronous ", "\"onboarding buddy\""] {
        let out = cli_search(root, q);
        assert!(out.contains("Tools we rely on"), "{q}: {out}");
    }
    for glued in ["sourcegraphasynchronous ", "zanzibarquokka "] {
        assert!(cli_search(root, glued).contains("No results"), "{glued}");
    }
    // Only words in one block form a phrase; a paragraph wrapped over
    // lines is one block.
    assert!(cli_search(root, "\"zanzibar quokka\"").contains("No results"));
    let out = cli_search(root, "\"banana mango\"");
    assert!(out.contains("Tools we rely on"), "{out}");
}

#[test]
fn translations_are_labelled_with_their_language_and_grouped() {
    let site = built_site();
    let out = cli_search(site.path(), "net promoter score");
    // The numbered lines (not the urls and snippets under them).
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    let second = lines
        .iter()
        .position(|l| l.contains("└ Net Promoter Score"))
        .unwrap_or_else(|| panic!("{out}"));
    let pair = [lines[second - 1], lines[second]];
    assert!(pair.iter().any(|l| l.contains("[Term, pt]")), "{out}");
    assert!(pair.iter().any(|l| l.contains("[Term, en]")), "{out}");
}

/// The search page speaks the site's language: its heading, label, prompt
/// and fallback come from the strings table, not from English in the layout.
#[test]
fn the_search_page_is_in_the_sites_language() {
    let site = common::site_copy("basic");
    let config = site.path().join("site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replacen("language: en", "language: es", 1)).unwrap();
    let out = common::campfire_in(site.path(), &["build"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let page = common::read(site.path().join("public/search/index.html"));
    assert!(page.contains("La búsqueda necesita JavaScript"), "{page}");
    assert!(!page.contains("Type a word or two to search."), "{page}");
}

/// `campfire search` says what the search page says about its results: the
/// similar words it searched too, and that no result has every word.
#[test]
fn the_terminal_says_which_similar_words_it_searched() {
    let site = built_site();
    let root = site.path();
    let out = cli_search(root, "onbaording");
    assert!(
        out.starts_with("Including similar words: onboarding\n"),
        "{out}"
    );
    assert!(out.contains("Tools we rely on"), "{out}");
    // Not for the word itself, nor for what a prefix completes anyway.
    for q in ["onboarding", "onboarding ", "onboar"] {
        let out = cli_search(root, q);
        assert!(!out.contains("similar words"), "{q}: {out}");
        assert!(out.contains("Tools we rely on"), "{q}: {out}");
    }
    let out = cli_search(root, "quokka blizzard ");
    assert!(
        out.starts_with("No result has all the words; showing results with some of them.\n"),
        "{out}"
    );
    assert!(out.contains("Tools we rely on"), "{out}");
    assert_eq!(
        cli_search(root, "blizzard "),
        "No results. Try fewer or different words.\n"
    );
}

/// `ß` is `ss`, in the page and in the query (`fuss` is no typo of `fuß`:
/// two edits, and a word of four letters may have one).
#[test]
fn strasse_finds_strasse_with_a_sharp_s() {
    let site = built_site();
    for q in ["fuss ", "FUSS ", "Fuß ", "hauptstrasse", "HAUPTSTRAẞE "] {
        let out = cli_search(site.path(), q);
        assert!(out.contains("Tools we rely on"), "{q}: {out}");
    }
}

/// A version the site does not mention is not found through its numbers.
#[test]
fn an_unknown_version_is_not_found_as_its_numbers() {
    let site = built_site();
    let root = site.path();
    assert!(cli_search(root, "4.5.0 ").contains("Tools we rely on"));
    for q in ["4.5.2 ", "4.5.2", "4.5.02 "] {
        let out = cli_search(root, q);
        assert!(out.starts_with("No results"), "{q}: {out}");
    }
    // With other words, those are searched.
    let out = cli_search(root, "planner 4.5.2 ");
    assert!(out.contains("showing results with some of them"), "{out}");
    assert!(out.contains("Tools we rely on"), "{out}");
}

/// The `data-facet-names` a search page hands `search.js`: the names of
/// its filters, as `{"department":{"it":"IT",…},…}`.
fn facet_names(page: &str) -> serde_json::Value {
    let from = page
        .find("data-facet-names='")
        .unwrap_or_else(|| panic!("no data-facet-names: {page}"))
        + "data-facet-names='".len();
    let attr = &page[from..from + page[from..].find('\'').unwrap()];
    let json = attr
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {attr}"))
}

/// Each language has its search page (`search/`, `pt/search/`), whose
/// filters name departments, touchpoints and values as site.yaml's
/// `names:` does in that language, falling back to the default language
/// as every page does; the search box of a page in that language opens it.
/// The index holds the values' ids, once for every language, and a name
/// (untrusted, from site.yaml) is escaped in the page.
#[test]
fn each_languages_search_page_names_the_filters_in_its_language() {
    let site = common::site_copy("basic");
    let config = site.path().join("site.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap()
        + "names:\n  pt:\n    logistics: Logística\n    department.billing: Faturação\n    \
           touchpoint.delivery: Entrega\n    it: \"TI <b>&</b> 'dados'\"\n    value.ownership: Responsabilidade\n";
    std::fs::write(&config, yaml).unwrap();
    let public = common::build(site.path());

    let en_page = common::read(public.join("search/index.html"));
    let pt_page = common::read(public.join("pt/search/index.html"));
    assert!(pt_page.contains("<html lang=\"pt\""), "{pt_page}");
    assert!(
        pt_page.contains("<h1 id=\"search-heading\">Pesquisa</h1>"),
        "{pt_page}"
    );
    let (en, pt) = (facet_names(&en_page), facet_names(&pt_page));
    for (dim, id, en_name, pt_name) in [
        ("department", "logistics", "Logistics", "Logística"),
        ("department", "billing", "Billing", "Faturação"),
        ("department", "it", "IT", "TI <b>&</b> 'dados'"),
        ("touchpoint", "delivery", "Delivery", "Entrega"),
        // Not translated: the default language's name, as pages show it.
        ("touchpoint", "website", "Website", "Website"),
        ("value", "ownership", "Ownership", "Responsabilidade"),
        ("value", "empathy", "Empathy", "Empathy"),
        // A language is named in itself, on every page alike.
        ("language", "pt", "Português", "Português"),
        ("language", "en", "English", "English"),
    ] {
        assert_eq!(en[dim][id], en_name, "en {dim} {id}: {en}");
        assert_eq!(pt[dim][id], pt_name, "pt {dim} {id}: {pt}");
    }
    assert!(
        !pt_page.contains("<b>&</b>"),
        "a name is escaped in the page"
    );
    assert!(!en_page.contains("Logística"), "{en_page}");

    // Other pages' scripts name a result's language from the strings
    // script, made by the same function.
    for lang in ["en", "pt"] {
        let script = common::read(public.join(format!("assets/strings-{lang}.js")));
        assert!(
            script.contains(r#""language_names":{"en":"English","pt":"Português"}"#),
            "{script}"
        );
    }

    // The index holds ids, named by the page: no name in either language.
    let facets = common::read(public.join("search/facets.js"));
    assert!(facets.contains("\"logistics\""), "{facets}");
    for name in ["Logistics", "Logística", "Faturação", "Entrega"] {
        assert!(!facets.contains(name), "{name} in {facets}");
    }

    // A page's search box opens its language's search page.
    let action = |rel: &str| {
        let page = common::read(public.join(rel));
        let form = &page[page.find("<form class=\"site-search\"").unwrap()..];
        let at = form.find("action=\"").unwrap() + "action=\"".len();
        form[at..at + form[at..].find('"').unwrap()].to_string()
    };
    assert_eq!(
        action("pt/glossary/nps/index.html"),
        "../../../pt/search/index.html"
    );
    assert_eq!(action("glossary/nps/index.html"), "../../search/index.html");
    assert_eq!(action("pt/search/index.html"), "../../pt/search/index.html");
}
