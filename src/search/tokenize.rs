//! Tokenising and folding live in the search engine crate
//! (`search-engine/`, shared with the browser); English stemming, needed
//! only at build time, is here.

use std::borrow::Cow;

use rust_stemmers::{Algorithm, Stemmer};

pub use campfire_search::tokenize::*;

/// Stems one folded token with the English Snowball stemmer if it is made of
/// `a`–`z` alone; returns it unchanged otherwise.
pub fn stem_english<'a>(stemmer: &Stemmer, token: &'a str) -> Cow<'a, str> {
    if !token.is_empty() && token.bytes().all(|b| b.is_ascii_lowercase()) {
        stemmer.stem(token)
    } else {
        Cow::Borrowed(token)
    }
}

pub fn english_stemmer() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

/// Is this the language code of an English document (`en`, `en-GB`…)?
pub fn is_english(language: &str) -> bool {
    let l = language.as_bytes();
    l.len() >= 2
        && l[..2].eq_ignore_ascii_case(b"en")
        && (l.len() == 2 || l[2] == b'-' || l[2] == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_english_ascii_words_only() {
        let s = english_stemmer();
        assert_eq!(stem_english(&s, "refunds"), "refund");
        assert_eq!(stem_english(&s, "delayed"), "delay");
        assert_eq!(stem_english(&s, "delivering"), "deliv");
        assert_eq!(stem_english(&s, "happiness"), "happi");
        assert_eq!(stem_english(&s, "satisfacao"), "satisfacao");
        assert_eq!(stem_english(&s, "covid19"), "covid19");
        assert_eq!(stem_english(&s, "привет"), "привет");
    }

    #[test]
    fn english_language_codes() {
        assert!(is_english("en"));
        assert!(is_english("en-GB"));
        assert!(!is_english("es"));
        assert!(!is_english("eng"));
    }
}
