//! Finding glossary terms in text: every name of every term, keyed by its
//! first word, so that the text is read once, a word at a time, and a
//! thousand terms cost about as much as one.
//!
//! (An Aho-Corasick automaton over every name did the same a byte at a
//! time; with the 11,000 terms of the 100,000-story benchmark it no longer
//! fit the caches, and took 17 times as long as with 1,100.)

use std::sync::Arc;

use rustc_hash::FxHashMap;

/// A term as the auto-linker needs it.
#[derive(Debug, Clone)]
pub struct LinkTerm {
    pub slug: String,
    /// Site-relative page URL, e.g. `glossary/nps/`.
    pub url: String,
    pub short: Option<String>,
}

/// Every name (term and aliases) of every term, compiled once per build
/// (cloning shares the compiled names).
#[derive(Clone)]
pub struct Glossary {
    names: Option<Arc<Names>>,
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

/// The names, lowercased, by their first word: what a whole-word mention
/// must begin with.
struct Names {
    /// First words of up to [`SHORT`] bytes, as [`WordKey::prefix`] → the
    /// index of their group.
    short: FxHashMap<u64, u32>,
    /// Longer first words → the index of their group.
    long: FxHashMap<Box<str>, u32>,
    /// A bit per [`WordKey::bit`] of every first word: most words of a
    /// text begin no name, and are passed over on one look at this (8 kB:
    /// it stays in the cache).
    maybe: Box<[u64]>,
    groups: Vec<Group>,
    /// Whether some name begins with a character that is not alphanumeric
    /// (then every such character of the text is looked up too).
    punctuation_first: bool,
}

/// The names of one first word (hundreds, in a big glossary: "customer
/// effort score", "customer journey", …).
#[derive(Default)]
struct Group {
    /// (name, term index), in byte order, each name once (the first term
    /// listed with it: it wins where both would).
    names: Vec<(Box<str>, usize)>,
    longest: usize,
}

impl Group {
    /// The names `text` begins with, longest first, as long as `accept`
    /// refuses them: the one it accepts.
    fn longest_prefix_of<T>(
        &self,
        text: &[u8],
        mut accept: impl FnMut(&str, usize) -> Option<T>,
    ) -> Option<T> {
        let mut text = &text[..text.len().min(self.longest)];
        let mut names = &self.names[..];
        loop {
            // The last name not after `text`. Any name `text` begins with
            // comes at or before it and, sorting between the two, is also
            // a beginning of the part they share: so either `text` begins
            // with this name, or the names left to try are those of that
            // shared part.
            let at = names.partition_point(|(n, _)| n.as_bytes() <= text);
            let (name, term) = names.get(at.checked_sub(1)?)?;
            names = &names[..at - 1];
            let common = name.bytes().zip(text).take_while(|(a, b)| a == *b).count();
            if common == name.len() {
                if let Some(found) = accept(name, *term) {
                    return Some(found);
                }
                // Shorter names, then.
                text = &text[..common.saturating_sub(1)];
            } else {
                text = &text[..common];
            }
        }
    }
}

/// Words of at most this many bytes are keyed by their bytes as an integer.
const SHORT: usize = 7;
const MAYBE_BITS: u32 = 16;

/// A word (lowercased in ASCII) as the maps of [`Names`] key it.
struct WordKey {
    /// Its first 7 bytes, little-endian, and its length in the top byte.
    prefix: u64,
    len: usize,
}

impl WordKey {
    fn of(word: &[u8]) -> WordKey {
        let mut prefix = (word.len().min(255) as u64) << 56;
        for (i, b) in word.iter().take(SHORT).enumerate() {
            prefix |= u64::from(b.to_ascii_lowercase()) << (8 * i);
        }
        WordKey {
            prefix,
            len: word.len(),
        }
    }

    fn bit(&self) -> usize {
        (self.prefix.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - MAYBE_BITS)) as usize
    }
}

impl Names {
    fn new(mut names: Vec<(String, usize)>) -> Option<Names> {
        if names.is_empty() {
            return None;
        }
        // By name, then in the order listed (a stable sort).
        names.sort_by(|a, b| a.0.cmp(&b.0));
        names.dedup_by(|later, first| later.0 == first.0);
        let mut out = Names {
            short: FxHashMap::default(),
            long: FxHashMap::default(),
            maybe: vec![0; 1 << (MAYBE_BITS - 6)].into_boxed_slice(),
            groups: Vec::new(),
            punctuation_first: false,
        };
        for (name, term) in names {
            let first = first_word(&name);
            out.punctuation_first |= !first.starts_with(char::is_alphanumeric);
            let key = WordKey::of(first.as_bytes());
            let next = out.groups.len() as u32;
            let group = *if key.len <= SHORT {
                out.short.entry(key.prefix).or_insert(next)
            } else {
                out.long.entry(Box::from(first)).or_insert(next)
            };
            if group == next {
                out.groups.push(Group::default());
            }
            out.maybe[key.bit() / 64] |= 1 << (key.bit() % 64);
            let group = &mut out.groups[group as usize];
            group.longest = group.longest.max(name.len());
            group.names.push((name.into_boxed_str(), term));
        }
        Some(out)
    }

    /// The names beginning with `word` (ASCII letters in any case).
    fn beginning_with(&self, word: &str, lowered: &mut String) -> Option<&Group> {
        let key = WordKey::of(word.as_bytes());
        if self.maybe[key.bit() / 64] & (1 << (key.bit() % 64)) == 0 {
            return None;
        }
        let group = if key.len <= SHORT {
            self.short.get(&key.prefix)
        } else {
            lowered.clear();
            lowered.push_str(word);
            lowered.make_ascii_lowercase();
            self.long.get(lowered.as_str())
        };
        group.map(|&g| &self.groups[g as usize])
    }
}

/// The alphanumeric run `text` begins with, or its first character when
/// that is not alphanumeric: a whole-word mention of a name begins with
/// the name's own first word (were the text's run longer or shorter, the
/// name would end, or go on, inside a word).
fn first_word(text: &str) -> &str {
    let mut chars = text.char_indices();
    match chars.next() {
        None => "",
        Some((_, c)) if !c.is_alphanumeric() => &text[..c.len_utf8()],
        Some(_) => {
            let end = chars
                .find(|&(_, c)| !c.is_alphanumeric())
                .map_or(text.len(), |(i, _)| i);
            &text[..end]
        }
    }
}

impl Glossary {
    /// `terms` pairs each term with its names; names are matched case-insensitively.
    pub fn new(terms: Vec<(LinkTerm, Vec<String>)>) -> Glossary {
        let mut names = Vec::new();
        let mut out = Vec::with_capacity(terms.len());
        for (i, (term, term_names)) in terms.into_iter().enumerate() {
            for name in term_names {
                let folded = name.trim().to_lowercase();
                if !folded.is_empty() {
                    names.push((folded, i));
                }
            }
            out.push(term);
        }
        let mut by_url = std::collections::HashMap::with_capacity(out.len());
        for (i, t) in out.iter().enumerate() {
            // The first term with a URL wins, as the linear scan did.
            by_url.entry(t.url.clone()).or_insert(i);
        }
        Glossary {
            names: Names::new(names).map(Arc::new),
            terms: out,
            by_url,
        }
    }

    /// The same names (compiled, shared, not rebuilt) with these terms'
    /// addresses and tooltips: `terms` must list the same terms in the
    /// same order as when the glossary was made.
    pub fn with_terms(&self, terms: Vec<LinkTerm>) -> Glossary {
        let mut by_url = std::collections::HashMap::with_capacity(terms.len());
        for (i, t) in terms.iter().enumerate() {
            by_url.entry(t.url.clone()).or_insert(i);
        }
        Glossary {
            names: self.names.clone(),
            terms,
            by_url,
        }
    }

    /// The index of the term whose page is at `url`.
    pub fn term_by_url(&self, url: &str) -> Option<usize> {
        self.by_url.get(url).copied()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_none()
    }

    /// Whole-word mentions, leftmost first and longest first where they
    /// overlap ("Net Promoter Score" wins over "score").
    pub fn find(&self, text: &str) -> Vec<Mention> {
        if self.names.is_none() {
            return Vec::new();
        }
        self.find_folded(text, Folded::of(text))
    }

    /// [`Glossary::find`] in `folded`, which is `text` lowercased (but for
    /// ASCII letters, which are compared without regard to case).
    fn find_folded(&self, text: &str, folded: Folded) -> Vec<Mention> {
        let Some(names) = &self.names else {
            return Vec::new();
        };
        let bytes = folded.text.as_bytes();
        let mut found = Vec::new();
        // A long word, its ASCII letters lowercased, and the text where a
        // name may begin, likewise (both kept between words).
        let mut lowered = String::new();
        let mut window = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let rest = &folded.text[at..];
            // The word here (or the one character, if not alphanumeric):
            // ASCII a byte at a time, the rest a character at a time.
            let b = bytes[at];
            let (word, starts_word) = if b.is_ascii_alphanumeric() {
                let run = rest.bytes().position(|b| !b.is_ascii_alphanumeric());
                match run {
                    Some(end) if bytes[at + end] >= 0x80 => (first_word(rest), true),
                    Some(end) => (&rest[..end], true),
                    None => (rest, true),
                }
            } else if b < 0x80 {
                (&rest[..1], false)
            } else {
                let word = first_word(rest);
                (word, word.starts_with(char::is_alphanumeric))
            };
            // Only a character after one that is not alphanumeric can begin
            // a mention (checked in the text itself below, once a name
            // begins here).
            let group = (starts_word || names.punctuation_first)
                .then(|| names.beginning_with(word, &mut lowered))
                .flatten();
            if let Some(group) = group {
                // The text as the names are: lowercased.
                window.clear();
                window.extend_from_slice(&bytes[at..bytes.len().min(at + group.longest)]);
                window.make_ascii_lowercase();
                let mention = group.longest_prefix_of(&window, |name, term| {
                    let m = Mention {
                        start: folded.original(at),
                        end: folded.original(at + name.len()),
                        term,
                    };
                    is_whole_word(text, m.start, m.end).then_some((m, name.len()))
                });
                if let Some((m, len)) = mention {
                    at += len;
                    found.push(m);
                    continue;
                }
            }
            // On past the word, or the character.
            at += word.len();
        }
        found
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
    /// `text` as the names may be looked up in it: as it is when lowercasing
    /// would change only ASCII letters (compared without regard to case),
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
    fn which_text_is_searched_as_it_is() {
        assert!(lowercase_changes_only_ascii("It’s “fine” — Mostly"));
        assert!(!lowercase_changes_only_ascii("a SATISFAÇÃO"));
        assert!(!lowercase_changes_only_ascii("ΣΎΝΟΛΟ"));
        assert!(!lowercase_changes_only_ascii("ǅ"));
        assert!(!lowercase_changes_only_ascii("İ"));
    }

    /// The definition, searched the slow way: at every character of the
    /// lowercased text, every name; whole words only; then leftmost,
    /// longest, and the first name listed among equals.
    fn found_slowly(terms: &[(&str, &[&str])], text: &str) -> Vec<Mention> {
        let folded = Folded::new(text);
        let mut candidates = Vec::new();
        for (i, _) in folded.text.char_indices() {
            for (term, (_, names)) in terms.iter().enumerate() {
                for name in names.iter().map(|n| n.trim().to_lowercase()) {
                    if !name.is_empty() && folded.text[i..].starts_with(&name) {
                        let (start, end) = (folded.original(i), folded.original(i + name.len()));
                        if is_whole_word(text, start, end) {
                            candidates.push(Mention { start, end, term });
                        }
                    }
                }
            }
        }
        candidates.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
        let mut picked: Vec<Mention> = Vec::new();
        for m in candidates {
            if picked.last().is_none_or(|p| m.start >= p.end) {
                picked.push(m);
            }
        }
        picked
    }

    #[test]
    fn finds_what_the_definition_finds_in_random_text() {
        let terms: &[(&str, &[&str])] = &[
            ("nps", &["Net Promoter Score", "NPS", "net promoter"]),
            ("score", &["score", "Score card"]),
            ("net", &["net"]),
            ("same", &["first call"]),
            ("again", &["First Call"]),
            ("hash", &["#nps", "(NPS)"]),
            ("email", &["e-mail"]),
            ("satisfacao", &["satisfação"]),
            ("sigma", &["σύνολο"]),
            ("i", &["istanbul"]),
            ("quote", &["it’s"]),
            ("jp", &["日本"]),
            // Many names of one first word, some the beginning of others.
            ("ces", &["customer effort score", "customer-effort"]),
            ("ce", &["Customer effort", "customer  journey"]),
            ("cj", &["customer journey", "customer", "customer e"]),
        ];
        let g = glossary(terms);
        let pieces = [
            "net",
            "promoter",
            "score",
            "NPS",
            "Score",
            "card",
            "first",
            "call",
            "Call",
            "#",
            "(",
            ")",
            "e",
            "-",
            "mail",
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
            " ",
            ".",
            "x",
            "é",
            "É",
            "ß",
            "ẞ",
            "ǅ",
            "日本",
            "2",
            "customer",
            "Customer",
            "effort",
            "journey",
            "e",
            "scores",
        ];
        let mut rng = crate::testing::Rng::new();
        for len in [1, 2, 3, 5, 8, 13, 40] {
            for _ in 0..400 {
                let text = rng.text(&pieces, len);
                let found = g.find(&text);
                assert_eq!(found, found_slowly(terms, &text), "{text:?}");
                // Text searched as it is finds what its lowercase copy finds.
                assert_eq!(found, g.find_folded(&text, Folded::new(&text)), "{text:?}");
            }
        }
        // Two terms of one name: the first listed is the one linked.
        assert_eq!(g.find("a first call")[0].term, 3);
        // A name may begin with punctuation, after a word's end.
        assert_eq!(
            found(&g, "(NPS) and #nps; x#nps is NPS only"),
            vec!["(NPS)", "#nps", "nps", "NPS"]
        );
    }

    #[test]
    fn non_ascii_terms_and_case_changes_of_length() {
        let g = glossary(&[("satisfacao", &["satisfação"]), ("i", &["istanbul"])]);
        assert_eq!(found(&g, "A SATISFAÇÃO do cliente"), vec!["SATISFAÇÃO"]);
        // 'İ' lowercases to two characters; offsets must still point into the original.
        assert_eq!(found(&g, "İstanbul? no: istanbul"), vec!["istanbul"]);
    }
}
