//! Dates as readers read them, in the page's language: "5 March 2026",
//! "5 de março de 2026". The words come from the UI strings (`month_1` …
//! `month_12` and the pattern `date_long`, with `{day}`, `{month}` and
//! `{year}`), so a site can translate or restyle them like any other
//! string. Machine forms (`<time datetime>`, feeds, the sitemap) stay
//! ISO 8601 and never go through here.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use tera::Value;

const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const ENGLISH_PATTERN: &str = "{day} {month} {year}";

/// One language's way of writing a date.
#[derive(Debug, Clone)]
pub struct DateWords {
    months: [String; 12],
    pattern: String,
}

impl Default for DateWords {
    fn default() -> Self {
        DateWords {
            months: ENGLISH_MONTHS.map(str::to_string),
            pattern: ENGLISH_PATTERN.to_string(),
        }
    }
}

impl DateWords {
    /// From one language's strings table; English for what it lacks.
    pub fn from_strings(t: &Value) -> DateWords {
        let get = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
        let english = DateWords::default();
        DateWords {
            months: std::array::from_fn(|i| {
                get(&format!("month_{}", i + 1)).unwrap_or_else(|| english.months[i].clone())
            }),
            pattern: get("date_long").unwrap_or(english.pattern),
        }
    }

    /// The pattern with `{day}`, `{month}` and `{year}` filled in, in one
    /// pass (dates are formatted some 200,000 times in a 10k build).
    pub fn format(&self, d: NaiveDate) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(self.pattern.len() + 16);
        let mut rest = self.pattern.as_str();
        while let Some(at) = rest.find('{') {
            out.push_str(&rest[..at]);
            let from = &rest[at..];
            rest = if let Some(after) = from.strip_prefix("{day}") {
                let _ = write!(out, "{}", d.day());
                after
            } else if let Some(after) = from.strip_prefix("{month}") {
                out.push_str(&self.months[d.month0() as usize]);
                after
            } else if let Some(after) = from.strip_prefix("{year}") {
                let _ = write!(out, "{}", d.year());
                after
            } else {
                out.push('{');
                &from[1..]
            };
        }
        out.push_str(rest);
        out
    }
}

/// Every language's date words.
#[derive(Debug, Clone, Default)]
pub struct Dates {
    by_lang: rustc_hash::FxHashMap<String, DateWords>,
}

impl Dates {
    pub fn new(strings: &BTreeMap<String, Value>) -> Dates {
        Dates {
            by_lang: strings
                .iter()
                .map(|(lang, t)| (lang.clone(), DateWords::from_strings(t)))
                .collect(),
        }
    }

    /// `d` in `lang` (English when the language has no strings at all).
    pub fn long(&self, d: NaiveDate, lang: &str) -> String {
        match self.by_lang.get(lang) {
            Some(w) => w.format(d),
            None => DateWords::default().format(d),
        }
    }

    /// The template filter: `{{ page.date_iso | long_date(lang=lang) }}`.
    /// A value that is not a `YYYY-MM-DD` date is shown as it is; no value
    /// (an entry without a date) shows nothing.
    pub fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let lang = args.get("lang").and_then(Value::as_str).unwrap_or("en");
        Ok(match value {
            Value::Null => Value::String(String::new()),
            Value::String(s) => Value::String(match s.get(..10).unwrap_or(s).parse() {
                Ok(d) => self.long(d, lang),
                Err(_) => s.clone(),
            }),
            other => other.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_fill_each_placeholder_wherever_and_however_often_it_appears() {
        let mut strings = BTreeMap::new();
        let mut xx = serde_json::Map::new();
        xx.insert("month_7".into(), "julho {year}".into());
        xx.insert(
            "date_long".into(),
            "{year}/{day}{day} {mon} {month}{ {} {year".into(),
        );
        strings.insert("xx".to_string(), Value::Object(xx));
        let d: NaiveDate = "2025-07-04".parse().unwrap();
        // A placeholder inside a filled-in word is not filled in again.
        assert_eq!(
            Dates::new(&strings).long(d, "xx"),
            "2025/44 {mon} julho {year}{ {} {year"
        );
    }

    #[test]
    fn english_matches_chrono_and_other_languages_use_their_strings() {
        let dates = Dates::default();
        for date in ["2026-03-05", "1999-12-31", "2024-02-29"] {
            let d: NaiveDate = date.parse().unwrap();
            assert_eq!(dates.long(d, "en"), d.format("%-d %B %Y").to_string());
        }
        let mut strings = BTreeMap::new();
        let mut pt = serde_json::Map::new();
        pt.insert("month_3".into(), "março".into());
        pt.insert("date_long".into(), "{day} de {month} de {year}".into());
        strings.insert("pt".to_string(), Value::Object(pt));
        let dates = Dates::new(&strings);
        let d: NaiveDate = "2026-03-12".parse().unwrap();
        assert_eq!(dates.long(d, "pt"), "12 de março de 2026");
        // A month the table lacks falls back to English, not to nothing.
        let may: NaiveDate = "2026-05-01".parse().unwrap();
        assert_eq!(dates.long(may, "pt"), "1 de May de 2026");
        let args = HashMap::from([("lang".to_string(), Value::from("pt"))]);
        assert_eq!(
            dates.filter(&Value::from("2026-03-12"), &args).unwrap(),
            Value::from("12 de março de 2026")
        );
        assert_eq!(dates.filter(&Value::Null, &args).unwrap(), Value::from(""));
        assert_eq!(
            dates.filter(&Value::from("soon"), &args).unwrap(),
            Value::from("soon")
        );
    }
}
