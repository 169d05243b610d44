//! Finding glossary terms in text: one automaton over every term and alias,
//! so a thousand terms cost about as much as one.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// A term as the auto-linker needs it.
#[derive(Debug, Clone)]
pub struct LinkTerm {
    pub slug: String,
    /// Site-relative page URL, e.g. `glossary/nps/`.
    pub url: String,
    pub short: Option<String>,
}

/// Every name (term and aliases) of every term, compiled once per build
/// (cloning shares the compiled automaton).
#[derive(Clone)]
pub struct Glossary {
    automaton: Option<AhoCorasick>,
    /// Pattern index → term index.
    owners: Vec<usize>,
    pub terms: Vec<LinkTerm>,
    /// Page URL → term index: every explicit link in every body is looked
    /// up here, and a scan of all terms per link made big sites quadratic.
    by_url: std::collections::HashMap<String, usize>,
}

/// A term mention in a piece of text: byte range and term index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub term: usize,
}

impl Glossary {
    /// `terms` pairs each term with its names; names are matched case-insensitively.
    pub fn new(terms: Vec<(LinkTerm, Vec<String>)>) -> Glossary {
        let mut patterns = Vec::new();
        let mut owners = Vec::new();
        let mut out = Vec::with_capacity(terms.len());
        for (i, (term, names)) in terms.into_iter().enumerate() {
            for name in names {
                let folded = name.trim().to_lowercase();
                if !folded.is_empty() {
                    patterns.push(folded);
                    owners.push(i);
                }
            }
            out.push(term);
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    // Every body's text is searched with every name, byte
                    // by byte (an overlapping search, so no prefilter
                    // skips ahead): a DFA takes a third of the instructions
                    // of the default NFA per byte. It takes longer to
                    // compile, but the matcher is compiled once per build,
                    // and while serving only when a term's names change.
                    .kind(Some(AhoCorasickKind::DFA))
                    // Lets ASCII text be searched as it is, without a lowercased copy.
                    .ascii_case_insensitive(true)
                    .build(&patterns)
                    .expect("glossary automaton"),
            )
        };
        let mut by_url = std::collections::HashMap::with_capacity(out.len());
        for (i, t) in out.iter().enumerate() {
            // The first term with a URL wins, as the linear scan did.
            by_url.entry(t.url.clone()).or_insert(i);
        }
        Glossary {
            automaton,
            owners,
            terms: out,
            by_url,
        }
    }

    /// The index of the term whose page is at `url`.
    /// The same names (and compiled matcher, shared, not rebuilt) with
    /// these terms' addresses and tooltips: `terms` must list the same
    /// terms in the same order as when the glossary was made.
    pub fn with_terms(&self, terms: Vec<LinkTerm>) -> Glossary {
        let mut by_url = std::collections::HashMap::with_capacity(terms.len());
        for (i, t) in terms.iter().enumerate() {
            by_url.entry(t.url.clone()).or_insert(i);
        }
        Glossary {
            automaton: self.automaton.clone(),
            owners: self.owners.clone(),
            terms,
            by_url,
        }
    }

    pub fn term_by_url(&self, url: &str) -> Option<usize> {
        self.by_url.get(url).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.automaton.is_none()
    }

    /// Whole-word mentions, leftmost first and longest first where they
    /// overlap ("Net Promoter Score" wins over "score").
    pub fn find(&self, text: &str) -> Vec<Mention> {
        if self.automaton.is_none() {
            return Vec::new();
        }
        self.find_folded(text, Folded::of(text))
    }

    /// [`Glossary::find`] in `folded`, which is `text` lowercased.
    fn find_folded(&self, text: &str, folded: Folded) -> Vec<Mention> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let mut candidates: Vec<Mention> = ac
            .find_overlapping_iter(folded.text.as_ref())
            .filter_map(|m| {
                let (start, end) = (folded.original(m.start()), folded.original(m.end()));
                is_whole_word(text, start, end).then_some(Mention {
                    start,
                    end,
                    term: self.owners[m.pattern().as_usize()],
                })
            })
            .collect();
        candidates.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        let mut picked: Vec<Mention> = Vec::new();
        for m in candidates {
            if picked.last().is_none_or(|p| m.start >= p.end) {
                picked.push(m);
            }
        }
        picked
    }
}

fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Lowercased text that remembers where each of its bytes came from, because
/// lowercasing can change a character's length in UTF-8.
struct Folded<'a> {
    text: std::borrow::Cow<'a, str>,
    /// Empty when lowercasing kept every offset (the common, ASCII case).
    map: Vec<usize>,
}

impl Folded<'_> {
    /// `text` as the automaton may search it: as it is when lowercasing
    /// would change only ASCII letters (the automaton ignores their case),
    /// which is most text, typographic quotes and dashes included.
    fn of(text: &str) -> Folded<'_> {
        if lowercase_changes_only_ascii(text) {
            Folded {
                text: std::borrow::Cow::Borrowed(text),
                map: Vec::new(),
            }
        } else {
            Folded::new(text)
        }
    }

    fn new(text: &str) -> Folded<'static> {
        let lower = text.to_lowercase();
        if lower.len() == text.len() && lower.is_char_boundary(0) && same_boundaries(text, &lower) {
            return Folded {
                text: std::borrow::Cow::Owned(lower),
                map: Vec::new(),
            };
        }
        let mut folded = String::with_capacity(text.len());
        let mut map = Vec::with_capacity(text.len() + 1);
        for (i, c) in text.char_indices() {
            for l in c.to_lowercase() {
                for _ in 0..l.len_utf8() {
                    map.push(i);
                }
                folded.push(l);
            }
        }
        map.push(text.len());
        Folded {
            text: std::borrow::Cow::Owned(folded),
            map,
        }
    }

    fn original(&self, i: usize) -> usize {
        if self.map.is_empty() { i } else { self.map[i] }
    }
}

/// Whether every character of `text` beyond ASCII lowercases to itself
/// (then `text.to_lowercase()` differs from `text` only in ASCII letters:
/// even the one character whose lowercase depends on its neighbours, 'Σ',
/// does not lowercase to itself alone).
fn lowercase_changes_only_ascii(text: &str) -> bool {
    let mut rest = text;
    // Every text a body shows is looked through: 16 bytes at a time.
    while let Some(at) = campfire_search::byte_scan::first_non_ascii(rest.as_bytes()) {
        let c = rest[at..].chars().next().expect("a character starts here");
        let mut lower = c.to_lowercase();
        if lower.next() != Some(c) || lower.next().is_some() {
            return false;
        }
        rest = &rest[at + c.len_utf8()..];
    }
    true
}

fn same_boundaries(a: &str, b: &str) -> bool {
    a.char_indices()
        .map(|(i, c)| (i, c.len_utf8()))
        .eq(b.char_indices().map(|(i, c)| (i, c.len_utf8())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glossary(terms: &[(&str, &[&str])]) -> Glossary {
        Glossary::new(
            terms
                .iter()
                .map(|(slug, names)| {
                    (
                        LinkTerm {
                            slug: slug.to_string(),
                            url: format!("glossary/{slug}/"),
                            short: None,
                        },
                        names.iter().map(|n| n.to_string()).collect(),
                    )
                })
                .collect(),
        )
    }

    fn found<'a>(g: &Glossary, text: &'a str) -> Vec<&'a str> {
        g.find(text).iter().map(|m| &text[m.start..m.end]).collect()
    }

    #[test]
    fn longest_match_wins_and_words_are_whole() {
        let g = glossary(&[
            ("nps", &["Net Promoter Score", "NPS"]),
            ("score", &["score"]),
        ]);
        assert_eq!(
            found(&g, "Our net promoter score rose; the score fell."),
            vec!["net promoter score", "score"]
        );
        assert_eq!(
            found(&g, "NPSX and scores are not mentions"),
            Vec::<&str>::new()
        );
        assert_eq!(found(&g, "NPS."), vec!["NPS"]);
    }

    #[test]
    fn text_searched_as_it_is_finds_what_its_lowercase_copy_finds() {
        let g = glossary(&[
            ("nps", &["Net Promoter Score", "NPS"]),
            ("score", &["score"]),
            ("satisfacao", &["satisfação"]),
            ("sigma", &["σύνολο"]),
            ("i", &["istanbul"]),
            ("quote", &["it’s"]),
        ]);
        let pieces = [
            "net",
            "promoter",
            "score",
            "NPS",
            "Score",
            "satisfação",
            "SATISFAÇÃO",
            "ΣΎΝΟΛΟ",
            "σύνολο",
            "İstanbul",
            "istanbul",
            "it’s",
            "It’s",
            "“",
            "”",
            "—",
            " ",
            " ",
            ".",
            "x",
            "é",
            "É",
            "ǅ",
            "ß",
            "ẞ",
            "日本",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in [1, 2, 3, 6, 12, 40] {
            for _ in 0..300 {
                let mut text = String::new();
                for _ in 0..len {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
                }
                assert_eq!(
                    g.find(&text),
                    g.find_folded(&text, Folded::new(&text)),
                    "{text:?}"
                );
            }
        }
        assert!(lowercase_changes_only_ascii("It’s “fine” — Mostly"));
        assert!(!lowercase_changes_only_ascii("a SATISFAÇÃO"));
        assert!(!lowercase_changes_only_ascii("ΣΎΝΟΛΟ"));
        assert!(!lowercase_changes_only_ascii("ǅ"));
        assert!(!lowercase_changes_only_ascii("İ"));
    }

    #[test]
    fn non_ascii_terms_and_case_changes_of_length() {
        let g = glossary(&[("satisfacao", &["satisfação"]), ("i", &["istanbul"])]);
        assert_eq!(found(&g, "A SATISFAÇÃO do cliente"), vec!["SATISFAÇÃO"]);
        // 'İ' lowercases to two characters; offsets must still point into the original.
        assert_eq!(found(&g, "İstanbul? no: istanbul"), vec!["istanbul"]);
    }
}
