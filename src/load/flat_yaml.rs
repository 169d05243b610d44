//! A short cut for the front matter nearly every file has: one `key: value`
//! a line, the values quoted strings, plain words, whole numbers, dates,
//! `true`/`false`, or `[a, b]` lists of plain words. Such YAML is read here
//! into the very `Mapping` the YAML parser would make; anything else (and
//! anything doubtful: comments, escapes, indentation, a repeated key, a
//! value YAML might read as a number or null) is left to the YAML parser,
//! which also words every error.
//!
//! Why: the YAML parser (libyaml) spent some 360 instructions per byte of
//! front matter, 7% of a 10,000-story build.

use serde_yaml::{Mapping, Value};

/// The mapping of `yaml`, or `None` when it is not of the flat kind read
/// here (the YAML parser must then read it).
pub fn read(yaml: &str) -> Option<Mapping> {
    let mut map = Mapping::new();
    for line in yaml.split('\n') {
        if line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once(':')?;
        if !is_key(key) {
            return None;
        }
        let value = match value.strip_prefix(' ') {
            Some(value) => self::value(value)?,
            None if value.is_empty() => Value::Null,
            None => return None,
        };
        if map.insert(Value::String(key.to_string()), value).is_some() {
            // A repeated key: the YAML parser's error names it.
            return None;
        }
    }
    Some(map)
}

/// A character YAML does not take as it is in a scalar: a control
/// character (a tab is fine inside quotes only), a line or paragraph
/// separator (read as a line break), a byte-order mark, a noncharacter
/// outside its printable set.
fn doubtful(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

fn is_key(key: &str) -> bool {
    key.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn value(text: &str) -> Option<Value> {
    if let Some(quoted) = text.strip_prefix('"') {
        let inner = quoted.strip_suffix('"')?;
        // Escapes, and characters YAML refuses or folds, are the parser's.
        if inner.chars().any(|c| c == '"' || c == '\\' || doubtful(c)) {
            return None;
        }
        return Some(Value::String(inner.to_string()));
    }
    if let Some(list) = text.strip_prefix('[') {
        let inner = list.strip_suffix(']')?;
        if inner.is_empty() {
            return Some(Value::Sequence(Vec::new()));
        }
        return inner
            .split(", ")
            .map(|item| {
                // Items are words (ids, tags): nothing a flow list treats
                // specially.
                if item.contains([',', '[', ']', '{', '}']) {
                    return None;
                }
                plain(item)
            })
            .collect::<Option<Vec<Value>>>()
            .map(Value::Sequence);
    }
    plain(text)
}

/// A plain (unquoted) scalar, typed as YAML types it; `None` for anything
/// that needs the parser to say what it is.
fn plain(text: &str) -> Option<Value> {
    let first = text.chars().next()?;
    if text.ends_with([' ', '\t'])
        || text.contains(['#', ':', '\t', '\\', '"', '\''])
        || text.chars().any(doubtful)
        || "-?,[]{}&*!|>%@`~".contains(first)
        || first.is_whitespace()
    {
        return None;
    }
    match text {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if first.is_ascii_digit() || first == '+' || first == '.' {
        let bytes = text.as_bytes();
        let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
        // An ISO date stays a string.
        if bytes.len() == 10
            && digits(0..4)
            && bytes[4] == b'-'
            && digits(5..7)
            && bytes[7] == b'-'
            && digits(8..10)
        {
            return Some(Value::String(text.to_string()));
        }
        // A whole number without a leading zero (which could be octal).
        if (first != '0' || text.len() == 1) && text.len() <= 18 && digits(0..bytes.len()) {
            return text.parse::<u64>().ok().map(|n| Value::Number(n.into()));
        }
        return None;
    }
    // Words YAML reads as something other than text.
    if matches!(
        text,
        "null" | "Null" | "NULL" | "True" | "TRUE" | "False" | "FALSE"
    ) || text.starts_with('.')
    {
        return None;
    }
    Some(Value::String(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The short cut either reads what the YAML parser reads or declines.
    fn agrees(yaml: &str) -> bool {
        let parsed: Result<Value, _> = serde_yaml::from_str(yaml);
        match read(yaml) {
            Some(map) => {
                let parsed = parsed.unwrap_or_else(|e| panic!("{yaml:?}: read, but YAML says {e}"));
                let expected = if yaml.trim().is_empty() {
                    Value::Mapping(Mapping::new())
                } else {
                    parsed
                };
                assert_eq!(Value::Mapping(map), expected, "{yaml:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn typical_front_matter_is_read_as_the_parser_reads_it() {
        let yaml = "title: \"One phone call that saved a 14-year customer\"\n\
                    date: 2021-09-28\nauthor: \"Inês Murphy, Installation Lead\"\n\
                    department: field-service\ntouchpoints: [installation, renewal]\n\
                    values: [going-beyond]\ntags: []\nfeatured: false\n\
                    weight: 12\ncustomer:\nsummary: Plain text, with a comma.\n";
        assert!(agrees(yaml));
    }

    #[test]
    fn every_doubtful_value_is_left_to_the_parser_or_read_alike() {
        let values = [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "n",
            "null",
            "Null",
            "NULL",
            "~",
            "true",
            "True",
            "TRUE",
            "false",
            "FALSE",
            "0",
            "7",
            "07",
            "0o7",
            "0x1F",
            "1e3",
            "1.5",
            ".5",
            "-1",
            "+1",
            "1_000",
            "12:30",
            "2021-09-28",
            "2021-09-28T10:00:00Z",
            "2021-9-28",
            "123456789012345678",
            "1234567890123456789012",
            ".inf",
            "-.inf",
            ".nan",
            "a: b",
            "a #b",
            "a#b",
            "'single'",
            "'it''s'",
            "\"esc\\n\"",
            "\"tab\there\"",
            "\"\"",
            "\"a \"b\"\"",
            "[a, b]",
            "[a,b]",
            "[ a ]",
            "[a, [b]]",
            "[\"a\", b]",
            "[1, 2]",
            "[true, x]",
            "[]",
            "[a, ]",
            "{a: b}",
            "- a",
            "&anchor a",
            "*alias",
            "!tag a",
            "|",
            ">",
            "%x",
            "@x",
            "`x`",
            "x ",
            " x",
            "é",
            "Évora",
            "a\\b",
            "?",
            "-",
            "a-b",
            "a - b",
            "a,b",
            "https://x.y/z",
            "x]",
            "x}",
            "40 words",
            "a\u{1}b",
            "a\u{85}b",
            "a\u{2028}b",
            "\"a\u{2028}b\"",
            "a\u{feff}b",
            "\"a\u{7f}\"",
            "a\u{a0}b",
            "\u{a0}a",
        ];
        let mut read_here = 0;
        for v in values {
            for yaml in [
                format!("k: {v}\n"),
                format!("k: {v}"),
                format!("a: 1\nk: {v}\nz: x\n"),
            ] {
                read_here += usize::from(agrees(&yaml));
            }
        }
        assert!(
            read_here > 40,
            "the short cut reads the common values ({read_here})"
        );
    }

    #[test]
    fn unusual_shapes_are_left_to_the_parser() {
        for yaml in [
            "a: 1\na: 2\n",
            "# comment\na: 1\n",
            "a: 1 # comment\n",
            "a:\n  - x\n",
            "a:\n  b: c\n",
            "  a: 1\n",
            "a:  two spaces\n",
            "a:x\n",
            "A: 1\n",
            "a-b: 1\n",
            "a: 1\r\n",
            "a: |\n  text\n",
            "a: \"multi\n  line\"\n",
            "just text\n",
        ] {
            assert!(read(yaml).is_none(), "{yaml:?}");
        }
        assert!(agrees(""));
        assert!(agrees("\n\n"));
    }
}
