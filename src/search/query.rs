//! `campfire search` and the other Rust callers of the query engine. The
//! engine itself (parsing a query, candidates, typo tolerance, phrases,
//! scoring, snippets) is the `campfire_search` crate (`search-engine/`),
//! which the browser runs too, compiled to WebAssembly
//! (`layouts/assets/search-engine.js`): one implementation of ranking. Here
//! it reads the files of a built site from disk (or from memory).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use campfire_search::query::{self as engine, Engine, Fetch, Store};

use super::format::{file_of, parse_js};
use super::{DocKind, Hit, SearchError, SearchResults};

/// Reads index files from `search/` under an output directory.
pub(crate) struct FsStore {
    dir: PathBuf,
    /// Files read so far and their sizes (what a browser would download).
    pub(crate) loaded: Vec<(String, usize)>,
    /// The error behind the last [`engine::Error::Store`].
    error: Option<SearchError>,
}

impl FsStore {
    pub(crate) fn new(output_dir: &Path) -> FsStore {
        FsStore {
            dir: output_dir.join("search"),
            loaded: Vec::new(),
            error: None,
        }
    }

    /// The bytes of the file of payload key `rel`, if there is one.
    pub(crate) fn bytes(&mut self, rel: &str) -> Result<Option<(String, Vec<u8>)>, SearchError> {
        let path = self.dir.join(format!("{}.js", file_of(rel)));
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SearchError::Io(path, e)),
        };
        self.loaded.push((rel.to_string(), bytes.len()));
        Ok(Some((path.display().to_string(), bytes)))
    }
}

/// A file's payload, checked to be the one asked for.
fn payload(rel: &str, name: &str, bytes: &[u8]) -> Result<String, SearchError> {
    let (key, value) = parse_js(name, bytes)?;
    if key != rel {
        return Err(SearchError::Format(
            name.to_string(),
            format!("holds {key:?}, expected {rel:?}"),
        ));
    }
    Ok(value)
}

impl Store for FsStore {
    fn fetch(&mut self, rel: &str) -> Result<Fetch, engine::Error> {
        let got = self.bytes(rel).and_then(|b| {
            b.map(|(name, bytes)| payload(rel, &name, &bytes))
                .transpose()
        });
        match got {
            Ok(Some(p)) => Ok(Fetch::Data(p)),
            Ok(None) => Ok(Fetch::Absent),
            Err(e) => {
                self.error = Some(e);
                Err(engine::Error::Store)
            }
        }
    }
}

/// Index files in memory (as [`build_index`](super::build_index) returns
/// them).
struct MemStore<'a> {
    files: HashMap<&'a str, &'a [u8]>,
    error: Option<SearchError>,
}

impl Store for MemStore<'_> {
    fn fetch(&mut self, rel: &str) -> Result<Fetch, engine::Error> {
        let name = format!("search/{}.js", file_of(rel));
        match self.files.get(name.as_str()) {
            None => Ok(Fetch::Absent),
            Some(bytes) => match payload(rel, &name, bytes) {
                Ok(p) => Ok(Fetch::Data(p)),
                Err(e) => {
                    self.error = Some(e);
                    Err(engine::Error::Store)
                }
            },
        }
    }
}

/// An engine error as a [`SearchError`] (`error`: the store's, if any).
fn search_error(e: engine::Error, error: Option<SearchError>, dir: &Path) -> SearchError {
    match e {
        engine::Error::NoIndex => SearchError::NoIndex(dir.to_path_buf()),
        engine::Error::Format(rel, why) => {
            SearchError::Format(format!("search/{}.js", file_of(&rel)), why)
        }
        engine::Error::Store => {
            error.unwrap_or_else(|| SearchError::Format("search/".into(), "unreadable".into()))
        }
        // Every file is at hand: nothing is ever pending here.
        engine::Error::Pending(files) => SearchError::Format(files.join(", "), "missing".into()),
    }
}

fn to_hit(h: engine::Hit) -> Hit {
    Hit {
        kind: DocKind::from_id(&h.kind).unwrap_or(DocKind::Page),
        url: h.url,
        title: h.title,
        language: h.language,
        group: h.group,
        snippet: h.snippet,
        score: h.score as f64 / engine::SCORE_SCALE,
    }
}

/// Ranks a query over an already built output directory, as the browser
/// does.
pub fn search_output(
    output_dir: &Path,
    query: &str,
    limit: usize,
) -> Result<Vec<Hit>, SearchError> {
    search_results(output_dir, query, limit).map(|r| r.hits)
}

/// [`search_output`] with what the engine tells the browser about the
/// results besides them (the notes the search page shows).
pub fn search_results(
    output_dir: &Path,
    query: &str,
    limit: usize,
) -> Result<SearchResults, SearchError> {
    let mut e =
        Engine::open(FsStore::new(output_dir)).map_err(|e| search_error(e, None, output_dir))?;
    match e.search(query, limit) {
        Ok((r, hits)) => Ok(SearchResults {
            hits: hits.into_iter().map(to_hit).collect(),
            every: r.every,
            corrections: r.corrections,
        }),
        Err(err) => Err(search_error(err, e.store.error.take(), output_dir)),
    }
}

/// The same over files returned by [`build_index`](super::build_index), in
/// memory (for tests and tools).
pub fn search_built(
    files: &[(String, Vec<u8>)],
    query: &str,
    limit: usize,
) -> Result<Vec<Hit>, SearchError> {
    let store = MemStore {
        files: files
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect(),
        error: None,
    };
    let dir = Path::new("(memory)");
    let mut e = Engine::open(store).map_err(|e| search_error(e, None, dir))?;
    match e.search(query, limit) {
        Ok((_, hits)) => Ok(hits.into_iter().map(to_hit).collect()),
        Err(err) => Err(search_error(err, e.store.error.take(), dir)),
    }
}

/// The files a browser loads for `query` on the /search/ page (manifest,
/// term shards, the documents of the first `limit` results, and facets if
/// `with_facets`), with their sizes, plus the number of results.
pub fn first_query_files(
    output_dir: &Path,
    query: &str,
    limit: usize,
    with_facets: bool,
) -> Result<(Vec<(String, usize)>, usize), SearchError> {
    let mut e =
        Engine::open(FsStore::new(output_dir)).map_err(|e| search_error(e, None, output_dir))?;
    let (r, _) = e
        .search(query, limit)
        .map_err(|err| search_error(err, None, output_dir))?;
    if with_facets {
        e.store.bytes("facets")?;
    }
    Ok((e.store.loaded.clone(), r.ranked.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{DocKind, SearchDoc, build_index};
    use campfire_search::query::{Highlight, QueryWord, edit_distance, parse_query, snippet};

    fn doc(url: &str, kind: DocKind, lang: &str, title: &str, body: &str) -> SearchDoc {
        SearchDoc {
            url: url.into(),
            kind,
            title: title.into(),
            language: lang.into(),
            keywords: vec![],
            body: body.into(),
            facets: vec![],
            group: String::new(),
        }
    }

    fn story(url: &str, title: &str, body: &str) -> SearchDoc {
        doc(url, DocKind::Story, "en", title, body)
    }

    fn urls(files: &[(String, Vec<u8>)], q: &str) -> Vec<String> {
        search_built(files, q, 100)
            .unwrap()
            .into_iter()
            .map(|h| h.url)
            .collect()
    }

    const FILLER: &str =
        "The team met every morning to look at the queue and talk about customers.";

    fn w(word: &str, prefix: bool) -> QueryWord {
        QueryWord {
            word: word.into(),
            prefix,
            parts: vec![],
        }
    }

    #[test]
    fn shard_size_changes_the_files_not_the_results_of_whole_words() {
        // 400 documents over a vocabulary of 600 invented words sharing
        // prefixes, indexed with 8 KiB shards and with 300-byte ones (which
        // split nearly every prefix down to the longest key).
        let mut seed = 7u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let syll = [
            "re", "fun", "del", "ay", "ca", "ll", "on", "boar", "ding", "sto", "ry",
        ];
        let words: Vec<String> = (0..600)
            .map(|_| (0..2 + next(3)).map(|_| syll[next(11) as usize]).collect())
            .collect();
        let docs: Vec<SearchDoc> = (0..400)
            .map(|i| {
                let mut text = |n: u64| -> String {
                    let k = (0..n).map(|_| words[next(600) as usize].as_str());
                    k.collect::<Vec<_>>().join(" ")
                };
                let title = text(3);
                story(&format!("stories/s{i}/"), &title, &text(60))
            })
            .collect();
        let big = crate::search::index::build_index_sharded(&docs, 8 * 1024);
        let small = crate::search::index::build_index_sharded(&docs, 300);
        let shards = |f: &[(String, Vec<u8>)]| f.iter().filter(|(p, _)| p.contains("/t/")).count();
        assert!(
            shards(&small) > 3 * shards(&big),
            "{} {}",
            shards(&small),
            shards(&big)
        );
        // Whole words (a trailing space: no prefix), pairs, a phrase and
        // typos. (A prefix is expanded from at most MAX_PREFIX_SHARDS shards
        // split off below its own, so how far a very short one reaches does
        // depend on the shard size.)
        let mut queries: Vec<String> = vec!["\"refund delay\" ".into(), "refundx delayy ".into()];
        for (i, w) in words.iter().take(40).enumerate() {
            queries.push(format!("{w} "));
            queries.push(format!("{w} {} ", words[i + 100]));
            queries.push(format!("\"{w} {}\"", words[i + 200]));
            queries.push(format!("{}x ", &w[..w.len() - 1]));
        }
        let mut found = 0;
        for q in &queries {
            let a = search_built(&big, q, 20).unwrap();
            let b = search_built(&small, q, 20).unwrap();
            found += usize::from(!a.is_empty());
            let key = |h: &Hit| (h.url.clone(), h.score.to_bits(), h.snippet.clone());
            assert_eq!(
                a.iter().map(key).collect::<Vec<_>>(),
                b.iter().map(key).collect::<Vec<_>>(),
                "{q}"
            );
        }
        assert!(found > queries.len() / 2, "{found} of {}", queries.len());
    }

    #[test]
    fn parses_queries() {
        let q = parse_query("The Refunds delay");
        assert_eq!(q.words, [w("refunds", false), w("delay", true)]);
        assert!(!parse_query("refund ").words.last().unwrap().prefix);
        assert!(
            !parse_query("r").words.last().unwrap().prefix,
            "one character is no prefix"
        );
        assert_eq!(
            parse_query("the").words.len(),
            1,
            "only stop words: keep them"
        );
        assert_eq!(parse_query("refund refund").words.len(), 1);
        assert!(parse_query("  ").words.is_empty());
    }

    #[test]
    fn parses_phrases_and_compounds() {
        let q = parse_query("\"the code review\" on-call v4.5");
        assert_eq!(q.phrases, [vec!["code".to_string(), "review".to_string()]]);
        let words: Vec<&str> = q.words.iter().map(|w| w.word.as_str()).collect();
        assert_eq!(words, ["code", "review", "on-call", "v4.5"]);
        assert_eq!(q.words[2].parts, ["call"]);
        assert!(q.words[3].prefix);
        assert!(!parse_query("\"code review\"").words[1].prefix);
        assert!(
            parse_query("\"one\" two").phrases.is_empty(),
            "a one-word phrase is a word"
        );
    }

    #[test]
    fn edit_distances() {
        let d = |a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            edit_distance(&a, &b, 2)
        };
        assert_eq!(d("onbaording", "onboarding"), 1);
        assert_eq!(d("compnesation", "compensation"), 1);
        assert_eq!(d("custmer", "customer"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("same", "same"), 0);
    }

    #[test]
    fn bm25_prefers_more_occurrences_and_shorter_documents() {
        let files = build_index(&[
            story("a/", "A", &format!("refund {FILLER} {FILLER} {FILLER}")),
            story("b/", "B", &format!("refund refund refund {FILLER}")),
            story("c/", "C", &format!("refund {FILLER}")),
            story("d/", "D", FILLER),
        ]);
        assert_eq!(urls(&files, "refund "), ["b/", "c/", "a/"]);
    }

    #[test]
    fn title_and_keyword_hits_rank_first() {
        let mut term = doc("t/", DocKind::Term, "en", "Net Promoter Score", FILLER);
        term.keywords = vec!["NPS".into(), "promoter score".into()];
        let files = build_index(&[
            story("body/", "Body", &format!("refund refund nps {FILLER}")),
            story("title/", "The refund", &format!("{FILLER} nps")),
            term,
        ]);
        assert_eq!(urls(&files, "refund ")[0], "title/");
        assert_eq!(urls(&files, "nps ")[0], "t/");
    }

    #[test]
    fn stems_english_on_both_sides() {
        let files = build_index(&[
            story("a/", "A", "Customers were refunded after the delays."),
            story("b/", "B", FILLER),
        ]);
        assert_eq!(urls(&files, "refund delay"), ["a/"]);
        assert_eq!(urls(&files, "refunding delayed "), ["a/"]);
        assert_eq!(urls(&files, "customer"), ["a/", "b/"]);
    }

    #[test]
    fn last_word_is_a_prefix() {
        let files = build_index(&[
            story("a/", "A", &format!("A refund came. {FILLER}")),
            story("b/", "B", &format!("They refused. {FILLER}")),
            story("c/", "C", &format!("Reflection. {FILLER}")),
        ]);
        let mut got = urls(&files, "refu");
        got.sort();
        assert_eq!(got, ["a/", "b/"]);
        assert!(
            urls(&files, "refu ").is_empty(),
            "a finished word is no prefix"
        );
        // An exact match beats a prefix match.
        let files = build_index(&[
            story("long/", "A", &format!("refunds, refunds. {FILLER}")),
            story("exact/", "B", &format!("a ref. {FILLER}")),
        ]);
        assert_eq!(urls(&files, "ref"), ["exact/", "long/"]);
    }

    #[test]
    fn the_exact_word_beats_rare_completions() {
        // Issue 12, bug 1: the last word is a prefix; a rare junk completion
        // (`sourcegraphasynchronous`, a glued list) used to score with its
        // own, much higher idf and beat the word itself.
        let mut docs: Vec<SearchDoc> = (0..8)
            .map(|i| {
                story(
                    &format!("exact{i}/"),
                    "Tools",
                    &format!("We use sourcegraph. {FILLER}"),
                )
            })
            .collect();
        docs.push(story(
            "junk/",
            "Junk",
            &format!("Sourcegraphasynchronous. {FILLER}"),
        ));
        let files = build_index(&docs);
        let got = urls(&files, "sourcegraph");
        assert_eq!(got.len(), 9, "{got:?}");
        assert_eq!(got.last().unwrap(), "junk/", "{got:?}");
        // "use" (exact, common) against "usertesting" (a rare completion).
        let files = build_index(&[
            story("a/", "A", &format!("The tools we use. {FILLER}")),
            story("b/", "B", &format!("The tools we use, daily. {FILLER}")),
            story("c/", "Usertesting", &format!("Some tools. {FILLER}")),
        ]);
        assert_eq!(urls(&files, "the tools we use")[2], "c/");
    }

    #[test]
    fn the_word_as_typed_outranks_its_completions_in_titles_and_keywords() {
        // `calls` typed (the last word: a prefix). A story that says
        // "calls" once, in a body three times the average length, against
        // a story and a glossary term that only have completions
        // (`callsign`, `callsheet`), in their titles and keywords: the
        // weight of a completion there (31) was more than EXACT (4) times
        // that of the word itself in a long body (7), so both came first.
        let mut term = doc(
            "term/",
            DocKind::Term,
            "en",
            "Callsheet",
            &format!("A list of who a van rings. {FILLER}"),
        );
        term.keywords = vec!["callsheets".into()];
        let mut docs = vec![
            story(
                "exact/",
                "Night shift",
                &format!("They answered calls from a van. {}", FILLER.repeat(3)),
            ),
            story(
                "title/",
                "Callsigns",
                &format!("Each van got a callsign. {FILLER}"),
            ),
            term,
        ];
        for i in 0..6 {
            docs.push(story(&format!("o{i}/"), "Other", &FILLER.repeat(1 + i % 3)));
        }
        let files = build_index(&docs);
        for q in ["calls", "van calls"] {
            let got = urls(&files, q);
            assert_eq!((got[0].as_str(), got.len()), ("exact/", 3), "{q}: {got:?}");
        }
        // Nothing typed is a word yet: the completion first (then, as it
        // is found in one document, other endings of `calls`).
        assert_eq!(urls(&files, "callsig")[0], "title/");
    }

    #[test]
    fn a_prefix_longer_than_the_stem_still_matches() {
        // Issue 12, bug 2: `onboarding` is indexed as `onboard`; the prefix
        // `onboardin` starts neither, but starts the surface form.
        let files = build_index(&[
            story("a/", "A", &format!("Onboarding new hires. {FILLER}")),
            story("b/", "B", &format!("Reimbursement of travel. {FILLER}")),
            story("c/", "C", FILLER),
        ]);
        for q in ["onboar", "onboardin", "onboarding", "onboarding "] {
            assert_eq!(urls(&files, q), ["a/"], "{q}");
        }
        assert_eq!(urls(&files, "reimburseme"), ["b/"]);
    }

    #[test]
    fn phrases_in_quotes() {
        let files = build_index(&[
            story(
                "phrase/",
                "A",
                &format!("Every code review counts. {FILLER}"),
            ),
            story(
                "apart/",
                "B",
                &format!("The code is ready; review it. {FILLER}"),
            ),
            story("block/", "C", &format!("code\nreview {FILLER}")),
        ]);
        let mut both = urls(&files, "code review ");
        both.sort();
        assert_eq!(both, ["apart/", "block/", "phrase/"]);
        assert_eq!(urls(&files, "\"code review\""), ["phrase/"]);
        assert_eq!(
            urls(&files, "\"code reviews\""),
            ["phrase/"],
            "forms of the words"
        );
        assert!(urls(&files, "\"review code\"").is_empty());
    }

    #[test]
    fn frequent_phrases_are_stored_as_their_exceptions() {
        // 40 documents with the phrase, 3 with both words apart, 5 with one.
        let mut docs: Vec<SearchDoc> = (0..40)
            .map(|i| {
                story(
                    &format!("t{i:02}/"),
                    "T",
                    &format!("a code review, {FILLER}"),
                )
            })
            .collect();
        for i in 0..3 {
            docs.push(story(
                &format!("apart{i}/"),
                "A",
                &format!("code ready; review it. {FILLER}"),
            ));
        }
        for i in 0..5 {
            docs.push(story(
                &format!("one{i}/"),
                "O",
                &format!("code only. {FILLER}"),
            ));
        }
        let files = build_index(&docs);
        let phrases = files
            .iter()
            .find(|(p, _)| p == "search/p/co.js")
            .map(|(_, b)| String::from_utf8_lossy(b).to_string())
            .unwrap();
        assert!(phrases.contains(" review !"), "{phrases}");
        let mut got = urls(&files, "\"code review\"");
        got.sort();
        let want: Vec<String> = (0..40).map(|i| format!("t{i:02}/")).collect();
        assert_eq!(got, want);
        assert_eq!(urls(&files, "code review ").len(), 43);
    }

    #[test]
    fn big_phrase_shards_split_and_stay_findable() {
        let docs: Vec<SearchDoc> = (0..3000)
            .map(|i| story(&format!("s{i}/"), "T", &format!("alpha w{i}x beta")))
            .collect();
        let files = build_index(&docs);
        let split = files
            .iter()
            .filter(|(p, _)| p.starts_with("search/q/"))
            .count();
        assert!(split > 0, "no split phrase files");
        for i in [0, 1234, 2999] {
            assert_eq!(
                urls(&files, &format!("\"alpha w{i}x\"")),
                [format!("s{i}/")]
            );
            assert_eq!(urls(&files, &format!("\"w{i}x beta\"")), [format!("s{i}/")]);
        }
        assert!(urls(&files, "\"beta alpha\"").is_empty());
    }

    #[test]
    fn versions_codes_and_hyphenated_words_are_words() {
        let files = build_index(&[
            story("v450/", "A", &format!("Upgrade to 4.5.0 now. {FILLER}")),
            story(
                "v4/",
                "B",
                &format!("Version 4, patch 5, build 0. {FILLER}"),
            ),
            story("oncall/", "C", &format!("The on-call rota. {FILLER}")),
            story("call/", "D", &format!("Call us. {FILLER}")),
        ]);
        assert_eq!(urls(&files, "4.5.0 "), ["v450/"]);
        assert_eq!(urls(&files, "4.5"), ["v450/"], "a prefix of a version");
        assert_eq!(urls(&files, "on-call "), ["oncall/"]);
        let mut parts = urls(&files, "call ");
        parts.sort();
        assert_eq!(parts, ["call/", "oncall/"], "parts are words too");
        // A compound the index does not know falls back to its parts.
        assert_eq!(urls(&files, "rota-call "), ["oncall/"]);
    }

    #[test]
    fn an_unknown_number_is_not_searched_as_its_parts() {
        // `4.5.2` is not in the index: its parts `4`, `5` and `2` found
        // 4.5.0 (and any text with those numbers), as if it were that
        // version. A number is one word: none, then.
        let files = build_index(&[
            story("v450/", "A", &format!("Upgrade to 4.5.0 now. {FILLER}")),
            story("parts/", "B", &format!("Step 4 of 5 took 2 days. {FILLER}")),
            story("date/", "C", &format!("Released 2024-05-01. {FILLER}")),
        ]);
        for q in ["4.5.2 ", "4.5.2", "2024-05-02 ", "4/5/2 "] {
            assert!(urls(&files, q).is_empty(), "{q}: {:?}", urls(&files, q));
        }
        // With other words, the others are searched (results with some of
        // the words).
        assert_eq!(urls(&files, "upgrade 4.5.2 "), ["v450/"]);
        // Known numbers, and their prefixes, are found as before.
        assert_eq!(urls(&files, "4.5.0 "), ["v450/"]);
        assert_eq!(urls(&files, "4.5"), ["v450/"]);
        assert_eq!(urls(&files, "2024-05-01 "), ["date/"]);
        // A compound with letters still falls back to its parts.
        assert_eq!(urls(&files, "upgrade-now "), ["v450/"]);
    }

    #[test]
    fn sharp_s_is_ss_in_documents_and_queries() {
        let files = build_index(&[
            doc(
                "de/a/",
                DocKind::Story,
                "de",
                "Hauptstraße",
                "Die Straße war gesperrt.",
            ),
            doc(
                "de/b/",
                DocKind::Story,
                "de",
                "Schweiz",
                "Die Strasse war frei.",
            ),
            story("en/", "Other", FILLER),
        ]);
        for q in ["strasse ", "Straße ", "STRASSE ", "STRAẞE ", "straß"] {
            let mut got = urls(&files, q);
            got.sort();
            assert_eq!(got, ["de/a/", "de/b/"], "{q}");
        }
        assert_eq!(urls(&files, "hauptstrasse "), ["de/a/"]);
        let hit = &search_built(&files, "strasse ", 1).unwrap()[0];
        assert_eq!(hit.snippet, "Die Straße war gesperrt.");
    }

    #[test]
    fn typos_find_their_words_when_little_else_matches() {
        let files = build_index(&[
            story(
                "a/",
                "Onboarding",
                &format!("Compensation for the customer. {FILLER}"),
            ),
            story("b/", "B", FILLER),
        ]);
        for q in ["onbaording", "compnesation", "onbaording compnesation"] {
            assert_eq!(urls(&files, q), ["a/"], "{q}");
        }
        // `customers` is in every document (the filler), `customer` in a/.
        assert_eq!(urls(&files, "custmer ")[0], "a/");
        // Not when the word itself is found.
        let files = build_index(&[
            story("a/", "A", &format!("A customer. {FILLER}")),
            story("b/", "B", &format!("A costumer. {FILLER}")),
            story("c/", "C", &format!("A costumer again. {FILLER}")),
            story("d/", "D", &format!("The costumer. {FILLER}")),
        ]);
        assert_eq!(urls(&files, "costumer ").len(), 3);
    }

    #[test]
    fn snippets_highlight_forms_of_the_matched_words() {
        let files = build_index(&[story("a/", "A", "They refunded it after many delays.")]);
        let hit = &search_built(&files, "refund delay ", 1).unwrap()[0];
        assert_eq!(hit.snippet, "They refunded it after many delays.");
        let files = build_index(&[story("a/", "A", "They refunded it after many delays.")]);
        let q = parse_query("refund delay ");
        let store = MemStore {
            files: files
                .iter()
                .map(|(p, b)| (p.as_str(), b.as_slice()))
                .collect(),
            error: None,
        };
        let mut e = Engine::open(store).unwrap();
        let r = e.rank(&q).unwrap();
        let (s, ranges) = snippet("They refunded it after many delays.", &r.highlight);
        let marked: Vec<&str> = ranges.iter().map(|r| &s[r.0..r.1]).collect();
        assert_eq!(marked, ["refunded", "delays"]);
    }

    #[test]
    fn translations_are_grouped_and_labelled() {
        let mut en = doc("glossary/nps/", DocKind::Term, "en", "NPS", "nps score");
        en.group = "term:nps".into();
        let mut pt = doc("pt/glossary/nps/", DocKind::Term, "pt", "NPS", "nps nota");
        pt.group = "term:nps".into();
        let other = story("stories/x/", "NPS NPS", "nps nps nps");
        let files = build_index(&[en, pt, other]);
        let hits = search_built(&files, "nps ", 10).unwrap();
        let got: Vec<(&str, &str)> = hits
            .iter()
            .map(|h| (h.url.as_str(), h.language.as_str()))
            .collect();
        let en_at = got.iter().position(|g| g.0 == "glossary/nps/").unwrap();
        assert_eq!(got[en_at + 1], ("pt/glossary/nps/", "pt"), "{got:?}");
        let printed = crate::search::print_hits(&hits);
        assert!(printed.contains("└ NPS [Term, pt]"), "{printed}");
    }

    #[test]
    fn all_words_first_then_falls_back_to_any() {
        let files = build_index(&[
            story("both/", "A", &format!("refund delay {FILLER}")),
            story("refund/", "B", &format!("refund refund refund {FILLER}")),
            story("delay/", "C", &format!("delay {FILLER}")),
        ]);
        assert_eq!(urls(&files, "refund delay "), ["both/"]);
        let files = build_index(&[
            story("refund/", "B", &format!("refund {FILLER}")),
            story("snow/", "C", &format!("snow snow {FILLER}")),
        ]);
        let got = urls(&files, "refund snow blizzard ");
        assert_eq!(got.len(), 2, "{got:?}");
    }

    #[test]
    fn folds_diacritics_both_ways() {
        let files = build_index(&[
            doc(
                "pt/a/",
                DocKind::Term,
                "pt",
                "Satisfação do cliente",
                "Medimos a satisfação.",
            ),
            doc(
                "pt/b/",
                DocKind::Term,
                "pt",
                "Outro",
                "Sem acento: satisfacao.",
            ),
            story("en/", "Other", FILLER),
        ]);
        let mut a = urls(&files, "satisfação");
        a.sort();
        let mut b = urls(&files, "SATISFACAO ");
        b.sort();
        assert_eq!(a, ["pt/a/", "pt/b/"]);
        assert_eq!(a, b);
    }

    #[test]
    fn stop_words_are_ignored() {
        let files = build_index(&[
            story("a/", "A", &format!("refund {FILLER}")),
            story("b/", "B", FILLER),
        ]);
        assert_eq!(urls(&files, "the refund "), urls(&files, "refund "));
    }

    #[test]
    fn ties_go_to_the_lower_doc_id_and_input_order_does_not_matter() {
        let docs = vec![
            story("b/", "Same", "refund"),
            story("a/", "Same", "refund"),
            doc("t/", DocKind::Term, "en", "Same", "refund"),
        ];
        let files = build_index(&docs);
        let mut rev = docs.clone();
        rev.reverse();
        assert_eq!(files, build_index(&rev), "same docs, same bytes");
        assert_eq!(urls(&files, "refund "), ["a/", "b/", "t/"]);
    }

    #[test]
    fn big_prefixes_split_into_shards_and_stay_findable() {
        // Many distinct "re…" terms make the "re" shard split.
        let words: Vec<String> = (0..4000)
            .map(|i| format!("re{}x{i}", ["a", "b", "c", "f"][i % 4]))
            .collect();
        let docs: Vec<SearchDoc> = words
            .chunks(40)
            .enumerate()
            .map(|(i, w)| story(&format!("s{i}/"), "T", &w.join(" ")))
            .collect();
        let files = build_index(&docs);
        let shards = files
            .iter()
            .filter(|(p, _)| p.starts_with("search/t/re"))
            .count();
        assert!(shards > 2, "{shards} shards");
        for w in ["reax0", "rebx1", "recx2", "refx3999"] {
            assert_eq!(urls(&files, &format!("{w} ")).len(), 1, "{w}");
        }
        // Prefix over split shards.
        assert!(!urls(&files, "refx39").is_empty());
    }

    #[test]
    fn snippets_centre_on_hits() {
        let text = format!(
            "{} The refund was late. {}",
            FILLER.repeat(5),
            FILLER.repeat(5)
        );
        let hl = Highlight {
            words: ["refund".to_string()].into_iter().collect(),
            prefixes: vec![],
        };
        let (s, ranges) = snippet(&text, &hl);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(ranges.len(), 1);
        assert_eq!(&s[ranges[0].0..ranges[0].1], "refund");
        let (s, ranges) = snippet("Short text.", &hl);
        assert_eq!(s, "Short text.");
        assert!(ranges.is_empty());
    }

    #[test]
    fn titles_are_kept_verbatim() {
        let xss = "<img src=x onerror=alert(1)>";
        let files = build_index(&[story("x/", xss, "onerror story")]);
        let hits = search_built(&files, "onerror", 5).unwrap();
        assert_eq!(hits[0].title, xss);
    }

    #[test]
    fn empty_index_and_query() {
        let files = build_index(&[]);
        assert!(search_built(&files, "anything", 10).unwrap().is_empty());
        let files = build_index(&[story("a/", "A", "x")]);
        assert!(search_built(&files, "", 10).unwrap().is_empty());
        assert!(matches!(
            search_output(Path::new("/nonexistent"), "x", 1),
            Err(SearchError::NoIndex(_))
        ));
    }
}
