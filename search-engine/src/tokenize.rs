//! Tokenising and folding, shared by the index builder (campfire's
//! `src/search`, which adds English stemming) and the query engine, in the
//! terminal and, compiled to WebAssembly, in the browser: one set of rules.
//!
//! Rules:
//! - a *word* is a maximal run of letters, digits and combining marks
//!   (`\p{Alphabetic}`, `\p{N}`, `\p{M}`); an apostrophe (`'` or `’`) between
//!   two such characters joins them and is then dropped (`customer's` →
//!   `customers`);
//! - a word is *folded*: lower-cased (`str::to_lowercase`), decomposed (NFD)
//!   and stripped of combining marks (`satisfação` → `satisfacao`); if the
//!   folded word still holds characters that are neither letters nor digits
//!   it is split there;
//! - pieces longer than [`MAX_TOKEN_CHARS`] characters are dropped (hashes,
//!   URLs, base64: never worth indexing);
//! - English documents drop [`STOP_WORDS`] and are stemmed at build time
//!   (by campfire, not here: the index ships each surface form's term).

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::fold_table::{FOLDS, LONGER_FOLDS, MARKS};

/// Longer pieces are not indexed.
pub const MAX_TOKEN_CHARS: usize = 40;

/// English stop words: dropped from English documents at build time and from
/// queries (unless the query has nothing else).
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has",
    "have", "he", "her", "his", "i", "if", "in", "into", "is", "its", "of", "on", "or", "our",
    "she", "so", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "to", "was", "we", "were", "what", "when", "which", "who", "will", "with", "would", "you",
    "your",
];

pub fn is_stop_word(token: &str) -> bool {
    STOP_WORDS.binary_search(&token).is_ok()
}

#[inline]
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}

#[inline]
fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Folds one string: lower case, NFD, combining marks removed.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Is `c` a combining mark (General_Category M)?
pub fn is_combining_mark(c: char) -> bool {
    let v = c as u32;
    v >= 0x300
        && MARKS
            .binary_search_by(|&(a, b)| {
                if b < v {
                    core::cmp::Ordering::Less
                } else if a > v {
                    core::cmp::Ordering::Greater
                } else {
                    core::cmp::Ordering::Equal
                }
            })
            .is_ok()
}

/// Appends `c` canonically decomposed, without combining marks (the
/// tables are generated from unicode-normalization, see
/// `examples/fold_table.rs`).
fn fold_char(c: char, out: &mut String) {
    const S_BASE: u32 = 0xAC00;
    const S_COUNT: u32 = 11172;
    const T_COUNT: u32 = 28;
    const N_COUNT: u32 = 588;
    let v = c as u32;
    if c.is_ascii() {
        out.push(c);
    } else if (S_BASE..S_BASE + S_COUNT).contains(&v) {
        // Hangul syllables decompose by rule into their jamo.
        let i = v - S_BASE;
        let jamo = [
            Some(0x1100 + i / N_COUNT),
            Some(0x1161 + (i % N_COUNT) / T_COUNT),
            (!i.is_multiple_of(T_COUNT)).then_some(0x11A7 + i % T_COUNT),
        ];
        out.extend(jamo.into_iter().flatten().filter_map(char::from_u32));
    } else if is_combining_mark(c) {
    } else {
        match FOLDS.binary_search_by_key(&v, |e| e.0) {
            Ok(i) => out.extend(char::from_u32(FOLDS[i].1).filter(|&f| f != '\0')),
            Err(_) => match LONGER_FOLDS.binary_search_by_key(&v, |e| e.0) {
                Ok(i) => out.push_str(LONGER_FOLDS[i].1),
                Err(_) => out.push(c),
            },
        }
    }
}

/// A raw word of the original text: its byte range there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
}

/// Finds the raw words of `text` (byte ranges into it), apostrophes included.
pub fn words(text: &str) -> impl Iterator<Item = Word> + '_ {
    let bytes = text.as_bytes();
    let mut pos = 0;
    core::iter::from_fn(move || {
        // Skip to the start of a word.
        let mut start = None;
        while pos < bytes.len() {
            let b = bytes[pos];
            if b < 0x80 {
                if b.is_ascii_alphanumeric() {
                    start = Some(pos);
                    break;
                }
                pos += 1;
            } else {
                let c = text[pos..].chars().next().unwrap();
                if is_word_char(c) {
                    start = Some(pos);
                    break;
                }
                pos += c.len_utf8();
            }
        }
        let start = start?;
        // Extend it.
        let mut end = pos;
        let mut prev_word = false;
        while pos < bytes.len() {
            let b = bytes[pos];
            if b.is_ascii_alphanumeric() {
                // Fast path: the bulk of any text.
                pos += 1;
                while pos < bytes.len() && bytes[pos].is_ascii_alphanumeric() {
                    pos += 1;
                }
                end = pos;
                prev_word = true;
                continue;
            }
            let (c, len) = if b < 0x80 {
                (b as char, 1)
            } else {
                let c = text[pos..].chars().next().unwrap();
                (c, c.len_utf8())
            };
            if is_word_char(c) {
                pos += len;
                end = pos;
                prev_word = true;
            } else if prev_word && is_apostrophe(c) {
                // Joins only if a word character follows.
                let next = text[pos + len..].chars().next();
                if next.is_some_and(is_word_char) {
                    pos += len;
                    prev_word = false;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        pos = end.max(pos);
        Some(Word { start, end })
    })
}

/// Calls `f` with each folded token of one raw word.
pub fn word_tokens(raw: &str, mut f: impl FnMut(&str)) {
    if raw.is_ascii() {
        let has_apostrophe = raw.contains('\'');
        if !has_apostrophe && !raw.bytes().any(|b| b.is_ascii_uppercase()) {
            if raw.len() <= MAX_TOKEN_CHARS {
                f(raw);
            }
            return;
        }
        let folded: String = raw
            .bytes()
            .filter(|&b| b != b'\'')
            .map(|b| b.to_ascii_lowercase() as char)
            .collect();
        if folded.len() <= MAX_TOKEN_CHARS {
            f(&folded);
        }
        return;
    }
    let without: String = raw.chars().filter(|&c| !is_apostrophe(c)).collect();
    let folded = fold(&without);
    for piece in folded.split(|c: char| !c.is_alphanumeric()) {
        if !piece.is_empty() && piece.chars().count() <= MAX_TOKEN_CHARS {
            f(piece);
        }
    }
}

/// [`word_tokens`], borrowing the token from `raw` where folding changes
/// nothing (the common case).
pub fn word_tokens_cow<'a>(raw: &'a str, mut f: impl FnMut(Cow<'a, str>)) {
    if raw.len() <= MAX_TOKEN_CHARS
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        f(Cow::Borrowed(raw));
        return;
    }
    word_tokens(raw, |t| f(Cow::Owned(t.to_string())));
}

/// Joins two words into a compound (`4.5.0`, `on-call`, `snake_case`,
/// `24/7`) when it stands alone between them.
#[inline]
pub fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '-' | '_' | '/' | '\u{2010}' | '\u{2011}')
}

/// What [`pieces`] reports, in text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    /// A folded token of one word.
    Part(Cow<'a, str>),
    /// Words joined by single [`is_joiner`] characters, folded, joiners kept
    /// (U+2010 and U+2011 as `-`); reported after its parts, with the number
    /// of [`Piece::Part`]s it is made of.
    Compound(String, usize),
    /// A block boundary (a newline between two words): phrases stop here.
    Break,
}

/// The folded form of a compound's raw text, if it is one worth a token.
fn compound_token(raw: &str) -> Option<String> {
    let folded = fold(raw);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        match c {
            '\'' | '\u{2019}' => {}
            '\u{2010}' | '\u{2011}' => out.push('-'),
            c if c.is_alphanumeric() || is_joiner(c) => out.push(c),
            _ => return None,
        }
    }
    (out.chars().count() <= MAX_TOKEN_CHARS).then_some(out)
}

/// Calls `f` with every [`Piece`] of `text`.
pub fn pieces<'a>(text: &'a str, mut f: impl FnMut(Piece<'a>)) {
    let mut prev_end = 0;
    let mut chain_start = 0;
    let mut chain_words = 0;
    let mut chain_parts = 0;
    let flush =
        |start: usize, end: usize, words: usize, parts: usize, f: &mut dyn FnMut(Piece<'a>)| {
            if words >= 2
                && let Some(c) = compound_token(&text[start..end])
            {
                f(Piece::Compound(c, parts));
            }
        };
    for w in words(text) {
        let gap = &text[prev_end..w.start];
        let mut gap_chars = gap.chars();
        let joined = chain_words > 0
            && gap_chars.next().is_some_and(is_joiner)
            && gap_chars.next().is_none();
        if !joined {
            flush(chain_start, prev_end, chain_words, chain_parts, &mut f);
            if chain_words > 0 && gap.contains('\n') {
                f(Piece::Break);
            }
            chain_start = w.start;
            chain_words = 0;
            chain_parts = 0;
        }
        chain_words += 1;
        word_tokens_cow(&text[w.start..w.end], |t| {
            chain_parts += 1;
            f(Piece::Part(t))
        });
        prev_end = w.end;
    }
    flush(chain_start, prev_end, chain_words, chain_parts, &mut f);
}

/// All folded tokens of `text`, compounds included, in the order of
/// [`pieces`] (no stop-word removal, no stemming).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    pieces(text, |p| match p {
        Piece::Part(t) => out.push(t.into_owned()),
        Piece::Compound(t, _) => out.push(t),
        Piece::Break => {}
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, STOP_WORDS);
        assert!(is_stop_word("the"));
        assert!(
            !is_stop_word("it"),
            "\"it\" is a department, not a stop word"
        );
    }

    #[test]
    fn fold_matches_unicode_normalization() {
        use unicode_normalization::UnicodeNormalization;
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let s = c.to_string();
            let want: String = s
                .to_lowercase()
                .nfd()
                .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
                .collect();
            assert_eq!(fold(&s), want, "{c:?} U+{:04X}", c as u32);
            assert_eq!(
                is_combining_mark(c),
                unicode_normalization::char::is_combining_mark(c),
                "{c:?}"
            );
        }
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Satisfação"), "satisfacao");
        assert_eq!(fold("ÉLAN"), "elan");
        assert_eq!(fold("Ñandú"), "nandu");
        assert_eq!(fold("plain"), "plain");
    }

    #[test]
    fn tokenises_unicode_words() {
        assert_eq!(
            tokens("Satisfação do cliente: 95%! NPS-score e-mail"),
            [
                "satisfacao",
                "do",
                "cliente",
                "95",
                "nps",
                "score",
                "nps-score",
                "e",
                "mail",
                "e-mail"
            ]
        );
        assert_eq!(tokens("Привет, мир"), ["привет", "мир"]);
        assert_eq!(tokens("日本語"), ["日本語"]);
        assert_eq!(tokens("  "), Vec::<String>::new());
    }

    #[test]
    fn decomposed_input_folds_like_composed() {
        // "ç" and "ã" written as base letter + combining mark.
        let decomposed = "satisfac\u{0327}a\u{0303}o";
        assert_eq!(tokens(decomposed), ["satisfacao"]);
    }

    #[test]
    fn apostrophes_join_words() {
        assert_eq!(
            tokens("the customer's order"),
            ["the", "customers", "order"]
        );
        assert_eq!(tokens("don’t"), ["dont"]);
        assert_eq!(tokens("'quoted' words'"), ["quoted", "words"]);
    }

    #[test]
    fn word_ranges_point_into_the_text() {
        let text = "Olá, snow-day!";
        let ws: Vec<&str> = words(text).map(|w| &text[w.start..w.end]).collect();
        assert_eq!(ws, ["Olá", "snow", "day"]);
    }

    #[test]
    fn compounds_are_tokens_as_well_as_their_parts() {
        assert_eq!(tokens("v4.5.0"), ["v4", "5", "0", "v4.5.0"]);
        assert_eq!(
            tokens("On\u{2011}call 24/7."),
            ["on", "call", "on-call", "24", "7", "24/7"]
        );
        assert_eq!(
            tokens("ISO_9001 end. Next"),
            ["iso", "9001", "iso_9001", "end", "next"]
        );
        // Two joiners, or a space, break the chain.
        assert_eq!(tokens("a--b c. d"), ["a", "b", "c", "d"]);
        let mut seen = Vec::new();
        pieces("one\ntwo-three", |p| seen.push(p));
        assert_eq!(
            seen,
            [
                Piece::Part("one".into()),
                Piece::Break,
                Piece::Part("two".into()),
                Piece::Part("three".into()),
                Piece::Compound("two-three".into(), 2),
            ]
        );
    }

    #[test]
    fn drops_overlong_tokens() {
        let long = "a".repeat(MAX_TOKEN_CHARS + 1);
        assert_eq!(tokens(&format!("ok {long} fine")), ["ok", "fine"]);
    }
}
