//! A short cut for the front matter nearly every file has: one `key: value`
//! a line, the values quoted strings, plain words, whole numbers, dates,
//! `true`/`false`, or `[a, b]` lists of plain words or quoted strings; and,
//! under a key with no value of its own, the two shapes the entry types
//! nest: a mapping indented by two spaces (a term's `lenses`) or a list of
//! such mappings (a case's `metrics`, a path's `steps`). Such YAML is read
//! here into the very `Mapping` the YAML parser would make; anything else
//! (and anything doubtful: comments, escapes, other indentation, a repeated
//! key, a value YAML might read as a number or null) is left to the YAML
//! parser, which also words every error.
//!
//! Why: the YAML parser (libyaml) spent some 360 instructions per byte of
//! front matter, 7% of a 10,000-story build (and, for the nested shapes,
//! still 1.4% once stories were read here).

use std::iter::Peekable;

use serde_yaml::{Mapping, Value};

/// The mapping of `yaml`, or `None` when it is not of the flat kind read
/// here (the YAML parser must then read it).
pub fn read(yaml: &str) -> Option<Mapping> {
    let mut map = Mapping::new();
    let mut lines = yaml.split('\n').filter(|l| !l.is_empty()).peekable();
    while let Some(line) = lines.next() {
        let (key, value) = line.split_once(':')?;
        if !is_key(key) {
            return None;
        }
        let value = match value.strip_prefix(' ') {
            Some(value) => self::value(value)?,
            // Under a key with no value: what is indented below it.
            None if value.is_empty() => match lines.peek() {
                Some(next) if next.starts_with("  - ") => items(&mut lines)?,
                Some(next) if next.starts_with(' ') => nested(&mut lines)?,
                _ => Value::Null,
            },
            None => return None,
        };
        if map.insert(Value::String(key.to_string()), value).is_some() {
            // A repeated key: the YAML parser's error names it.
            return None;
        }
    }
    Some(map)
}

/// The `  key: value` lines that follow (a mapping indented by two).
fn nested<'a>(lines: &mut Peekable<impl Iterator<Item = &'a str>>) -> Option<Value> {
    let mut map = Mapping::new();
    while let Some(line) = lines.next_if(|l| l.starts_with(' ')) {
        entry(&mut map, line.strip_prefix("  ")?)?;
    }
    Some(Value::Mapping(map))
}

/// The `  - key: value` items that follow, each item's further keys on
/// lines indented by four (a list of mappings).
fn items<'a>(lines: &mut Peekable<impl Iterator<Item = &'a str>>) -> Option<Value> {
    let mut items: Vec<Mapping> = Vec::new();
    while let Some(line) = lines.next_if(|l| l.starts_with(' ')) {
        match line.strip_prefix("  - ") {
            Some(first) => {
                let mut item = Mapping::new();
                entry(&mut item, first)?;
                items.push(item);
            }
            None => entry(items.last_mut()?, line.strip_prefix("    ")?)?,
        }
    }
    Some(Value::Sequence(
        items.into_iter().map(Value::Mapping).collect(),
    ))
}

/// Adds a nested `key: value` line (its indentation taken off) to `map`:
/// a word for a key, and a value on the line (an empty one would open a
/// level deeper).
fn entry(map: &mut Mapping, line: &str) -> Option<()> {
    let (key, value) = line.split_once(':')?;
    let key_is_word = key.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if !key_is_word {
        return None;
    }
    // Read as text by YAML too (not `true`, say).
    let key = match plain(key)? {
        Value::String(k) if k == key => Value::String(k),
        _ => return None,
    };
    let value = self::value(value.strip_prefix(' ')?)?;
    map.insert(key, value).is_none().then_some(())
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
        return self::quoted(quoted);
    }
    if let Some(list) = text.strip_prefix('[') {
        let inner = list.strip_suffix(']')?;
        if inner.is_empty() {
            return Some(Value::Sequence(Vec::new()));
        }
        return inner
            .split(", ")
            .map(|item| {
                // A quoted item that held ", " was cut in two here, and
                // neither half is a whole quoted string.
                if let Some(quoted) = item.strip_prefix('"') {
                    return self::quoted(quoted);
                }
                // Other items are words (ids, tags): nothing a flow list
                // treats specially.
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

/// A double-quoted string, its opening quote taken off.
fn quoted(text: &str) -> Option<Value> {
    let inner = text.strip_suffix('"')?;
    // Escapes, and characters YAML refuses or folds, are the parser's.
    if holds_any_but(inner, &PLAIN_IN_QUOTES) {
        return None;
    }
    Some(Value::String(inner.to_string()))
}

/// Whether `text` holds an ASCII byte `allowed` refuses or a [`doubtful`]
/// character. One pass over the bytes through the table, characters
/// decoded only beyond ASCII: titles and summaries are a file's longest
/// values, and `chars()` with each test was most of their reading.
fn holds_any_but(text: &str, allowed: &[bool; 256]) -> bool {
    let bytes = text.as_bytes();
    match bytes.iter().position(|&b| !allowed[b as usize]) {
        None => false,
        Some(at) => {
            bytes[at] < 0x80
                || text[at..]
                    .chars()
                    .any(|c| c.is_ascii() && !allowed[c as usize] || doubtful(c))
        }
    }
}

/// The ASCII bytes a plain value may hold anywhere: not a control
/// character (a tab included) or one of `# : \ " '`.
static PLAIN_SCALAR: [bool; 256] = printable_ascii_but(b"#:\\\"'", false);

/// The ASCII bytes a double-quoted value may hold as they are: not a
/// quote, a backslash or a control character other than a tab (the
/// bytes beyond ASCII are looked at as characters).
static PLAIN_IN_QUOTES: [bool; 256] = printable_ascii_but(b"\\\"", true);

/// A table of the printable ASCII bytes but `refused`, with a tab if
/// `tab`.
const fn printable_ascii_but(refused: &[u8], tab: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0x20;
    while b < 0x7F {
        table[b] = true;
        b += 1;
    }
    let mut i = 0;
    while i < refused.len() {
        table[refused[i] as usize] = false;
        i += 1;
    }
    table[b'\t' as usize] = tab;
    table
}

/// A plain (unquoted) scalar, typed as YAML types it; `None` for anything
/// that needs the parser to say what it is.
fn plain(text: &str) -> Option<Value> {
    let first = text.chars().next()?;
    if holds_any_but(text, &PLAIN_SCALAR)
        || text.ends_with(' ')
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
            "\"a\u{1}\"",
            "\"Évora \u{85}\"",
            "\"Évora \\\\ x\"",
            "\"Évora \\\" x\"",
            "\"São Paulo, 2021\"",
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
    fn nested_front_matter_is_read_as_the_parser_reads_it() {
        let term = "term: \"Abandonment rate\"\naliases: [\"abandoned calls\", \"drop-offs\", queue]\n\
                    short: \"Share of callers who hang up.\"\nlenses:\n  customer-care: \"Customer Care: the first answer.\"\n\
                    \n  billing: \"For Billing, invoices: read without a call.\"\n  it2: plain words\n\
                    related: [handoff, voice-of-the-customer]\n";
        let case = "title: \"Summit Networks: fewer complaints\"\ndate: 2022-09-27\nmetrics:\n\
                    \x20 - name: \"Net Promoter Score\"\n    before: 17\n    after: 25\n    unit: \"points\"\n    better: higher\n\
                    \x20 - name: \"Abandoned calls\"\n    before: 12\n    after: 8\n    unit: \"%\"\n    better: lower\n\
                    tags: [email]\n";
        let path = "title: \"New starter\"\nsteps:\n  - term: touchpoint\n    note: \"Read: the lens for your department.\"\n\
                    \x20 - story: story-05954\n  - case: case-00385\n    note: \"Which metric moved first?\"\n";
        for yaml in [term, case, path] {
            assert!(agrees(yaml), "{yaml}");
        }
    }

    #[test]
    fn any_mix_of_lines_is_read_as_the_parser_reads_it_or_left_to_it() {
        let lines = [
            "a: 1",
            "b: \"x, y\"",
            "c:",
            "d: [p, \"q r\"]",
            "e: [\"s, t\", u]",
            "  f: g",
            "  h: \"i: j\"",
            "   k: l",
            "  - m: n",
            "    o: 2",
            "      p: q",
            "  - r",
            "  s:",
            "  t: [u, v]",
            "  true: w",
            "  x-y: z",
            "  a: 1",
            "- z",
            "\tq: r",
            "",
            "  ",
            "f: [a,b]",
            "g: \"\"",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut read_here = 0;
        for _ in 0..4000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = 1 + (seed % 7) as usize;
            let mut yaml = String::new();
            let mut pick = seed;
            for _ in 0..n {
                pick = pick
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                yaml.push_str(lines[(pick >> 33) as usize % lines.len()]);
                yaml.push('\n');
            }
            read_here += usize::from(agrees(&yaml));
        }
        assert!(
            read_here > 200,
            "the short cut reads many mixes ({read_here})"
        );
    }

    #[test]
    fn unusual_shapes_are_left_to_the_parser() {
        for yaml in [
            "a: 1\na: 2\n",
            "# comment\na: 1\n",
            "a: 1 # comment\n",
            "a:\n  - x\n",
            "a:\n   b: c\n",
            "a:\n  b:\n    c: d\n",
            "a:\n  - b: c\n      d: e\n",
            "a:\n  b: c\n  b: d\n",
            "a:\n  B: c\n",
            "a:\n  true: c\n",
            "a:\n  b: c\n    more\n",
            "a:\n\tb: c\n",
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
