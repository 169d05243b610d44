//! Splitting a Markdown file into its YAML front matter and its body.

/// A file split at its `---` fences. Line numbers are 1-based and refer to the
/// original file, so messages can point into it.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences; empty when the file has none.
    pub yaml: &'a str,
    /// Line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// Line of the first body line.
    pub body_line: usize,
    pub has_front_matter: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Unterminated;

/// Accepts a UTF-8 BOM, CRLF line endings, empty front matter and files
/// without any (then everything is body).
pub fn split(source: &str) -> Result<Split<'_>, Unterminated> {
    let text = source.strip_prefix('\u{feff}').unwrap_or(source);
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Ok(Split {
            yaml: "",
            yaml_line: 1,
            body: text,
            body_line: 1,
            has_front_matter: false,
        });
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut offset = yaml_start;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let l = text[offset..end].trim_end();
        if l == "---" || l == "..." {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
                has_front_matter: true,
            });
        }
        offset = end + 1;
        line += 1;
    }
    Err(Unterminated)
}

/// Where a key's value (or an item inside it) sits in the front matter:
/// serde tells us *what* is wrong with a value but not *where* it is.
/// Returns (line, column), 1-based, relative to the file.
pub fn locate(yaml: &str, yaml_line: usize, key: &str, needle: Option<&str>) -> (usize, usize) {
    // `needle` as a whole value or item first (`owner` after `ownership`),
    // then anywhere (a word inside a longer text).
    needle
        .and_then(|n| {
            locate_needle(yaml, key, n, Match::Whole)
                .or_else(|| locate_needle(yaml, key, n, Match::Anywhere))
        })
        .map(|(i, c)| (yaml_line + i, c + 1))
        .unwrap_or_else(|| match key_line(yaml, key) {
            Some((i, value_col)) if needle.is_none() => (yaml_line + i, value_col + 1),
            Some((i, _)) => (yaml_line + i, 1),
            None => (yaml_line.saturating_sub(1).max(1), 1),
        })
}

/// The first top-level `key:` line (0-based) and its value's column (0-based).
fn key_line(yaml: &str, key: &str) -> Option<(usize, usize)> {
    yaml.lines().enumerate().find_map(|(i, l)| {
        let rest = l
            .strip_prefix(key)
            .and_then(|r| r.trim_start().strip_prefix(':'))?;
        Some((i, l.len() - rest.trim_start().len()))
    })
}

#[derive(Clone, Copy)]
enum Match {
    /// Between the line's start, a space, a bracket, a comma or a quote on
    /// either side.
    Whole,
    Anywhere,
}

/// (line, column), 0-based, of `needle` in the value of `key`: on its line
/// or on the indented lines below it.
fn locate_needle(yaml: &str, key: &str, needle: &str, how: Match) -> Option<(usize, usize)> {
    let (first, value_col) = key_line(yaml, key)?;
    for (i, l) in yaml.lines().enumerate().skip(first) {
        let from = if i == first { value_col } else { 0 };
        if i > first && !l.starts_with([' ', '\t', '-']) && !l.is_empty() {
            break; // next top-level key: stop looking
        }
        if let Some(c) = find_token(l, needle, from, how) {
            return Some((i, c));
        }
    }
    None
}

/// Where `needle` stands in `line` from byte `from` (see [`Match`]): `owner`
/// in `[ownership, owner]` is the second item, not the start of the first.
fn find_token(line: &str, needle: &str, from: usize, how: Match) -> Option<usize> {
    let hay = line.get(from..)?;
    if needle.is_empty() {
        return None;
    }
    let opens = |c: char| matches!(c, ' ' | '\t' | '[' | ',' | '"' | '\'' | '{');
    let closes = |c: char| matches!(c, ' ' | '\t' | ']' | ',' | '"' | '\'' | '#' | '}' | '\r');
    let whole = |c: usize| {
        hay[..c].chars().next_back().is_none_or(opens)
            && hay[c + needle.len()..].chars().next().is_none_or(closes)
    };
    let mut at = hay.match_indices(needle).map(|(c, _)| c);
    match how {
        Match::Whole => at.find(|&c| whole(c)),
        Match::Anywhere => at.next(),
    }
    .map(|c| c + from)
}

/// The key named by a YAML "duplicate key" error, if `message` is one.
/// The parser reports these at the start of the mapping, not at the duplicate.
pub fn duplicate_key_in(message: &str) -> Option<String> {
    // Nested errors carry a path first: `departments[0]: duplicate field `id``.
    if let Some(i) = message.find("duplicate entry with key ") {
        let rest = &message[i + "duplicate entry with key ".len()..];
        let key = rest.split(" at line ").next().unwrap_or(rest);
        return Some(key.trim_matches('"').to_string());
    }
    let i = message.find("duplicate field `")?;
    let rest = &message[i + "duplicate field `".len()..];
    rest.split('`').next().map(str::to_string)
}

/// Numbers written with a comma inside `{ … }` (`{ before: 1,5 }`), which
/// YAML splits at the comma into `before: 1` and a key `5` (the same key
/// twice, for `{ before: 1,5, after: 2,5 }`): each one's line and column
/// (1-based, within `yaml`, at the number), key, and text as written.
pub fn comma_numbers(yaml: &str) -> Vec<(usize, usize, String, String)> {
    let mut found = Vec::new();
    for (i, line) in yaml.lines().enumerate() {
        let mut depth = 0usize;
        let mut quote = None;
        let mut field_start = 0;
        for (at, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if at == 0 || line[..at].ends_with(' ') => break,
                (None, '{') => {
                    depth += 1;
                    field_start = at + 1;
                }
                (None, '}') => depth = depth.saturating_sub(1),
                (None, ',') => field_start = at + 1,
                (None, ':') if depth > 0 => {
                    let key = line[field_start..at].trim();
                    let value = &line[at + 1..];
                    let text = value.trim_start();
                    let number: String = text
                        .char_indices()
                        .take_while(|&(j, c)| {
                            c.is_ascii_digit() || ",.".contains(c) || (j == 0 && c == '-')
                        })
                        .map(|(_, c)| c)
                        .collect();
                    let number = number.trim_end_matches([',', '.']);
                    let after_comma = number.split_once(',').map(|(a, b)| (a, b.chars().next()));
                    if !key.is_empty()
                        && let Some((whole, Some(next))) = after_comma
                        && whole
                            .trim_start_matches('-')
                            .chars()
                            .all(|c| c.is_ascii_digit())
                        && !whole.trim_start_matches('-').is_empty()
                        && next.is_ascii_digit()
                    {
                        let col = at + 1 + (value.len() - text.len());
                        found.push((i + 1, col + 1, key.to_string(), number.to_string()));
                    }
                }
                _ => {}
            }
        }
    }
    found
}

/// Like [`duplicate_key_position`], searching from `from_line` (1-based, where
/// the parser says the mapping starts) and returning a position in `yaml`.
pub fn duplicate_key_after(yaml: &str, key: &str, from_line: usize) -> Option<(usize, usize)> {
    let skip = from_line.saturating_sub(1);
    let start: usize = yaml.split_inclusive('\n').take(skip).map(str::len).sum();
    duplicate_key_position(&yaml[start..], key).map(|(l, c)| (l + skip, c))
}

/// (line, column), 1-based within `yaml`, and the bracket of the `[` or
/// `{` still open at the end of line `upto` (1-based; the whole text when
/// past its end): where the parser's "did not find expected ',' or ']'"
/// began, which it reports only where it gave up (often the line after).
/// Brackets inside quotes and after a `#` comment do not count.
pub fn unclosed_bracket(yaml: &str, upto: usize) -> Option<(usize, usize, char)> {
    let mut open: Vec<(usize, usize, char)> = Vec::new();
    for (i, line) in yaml.lines().take(upto.max(1)).enumerate() {
        let mut quote: Option<char> = None;
        for (col, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if col == 0 || line[..col].ends_with([' ', '\t']) => break,
                (None, '[' | '{') => open.push((i + 1, line[..col].chars().count() + 1, c)),
                // A closer of the other kind: the bracket on top was
                // left open (`[{ a: 1 ]`).
                (None, ']' | '}') => {
                    let opener = if c == ']' { '[' } else { '{' };
                    match open.last() {
                        Some(&(_, _, o)) if o == opener => {
                            open.pop();
                        }
                        Some(&top) => return Some(top),
                        None => {}
                    }
                }
                _ => {}
            }
        }
    }
    open.pop()
}

/// (line, column), 1-based within `yaml`, of the second use of `key` in one
/// mapping: same indentation, with no line between them that closes the
/// mapping (less indented, or a new `- ` list item at the key's column).
pub fn duplicate_key_position(yaml: &str, key: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut seen: Vec<(usize, usize)> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for col in key_columns(line, key) {
            for &(first_line, first_col) in &seen {
                if first_col != col && first_line != i {
                    continue;
                }
                let same_mapping = if first_line == i {
                    // A flow mapping: `{ id: a, id: b }`, unless closed between.
                    !line[first_col..col].contains('}')
                } else {
                    !starts_item_at(line, col)
                        && lines[first_line + 1..i].iter().all(|l| {
                            let indent = l.len() - l.trim_start().len();
                            l.trim().is_empty()
                                || l.trim_start().starts_with('#')
                                || (indent >= col && !starts_item_at(l, col))
                        })
                };
                if same_mapping {
                    return Some((i + 1, col + 1));
                }
            }
            seen.push((i, col));
        }
    }
    None
}

/// Whether `line` begins a new list item whose content starts at `col`
/// (`- key:` with the key at `col`).
fn starts_item_at(line: &str, col: usize) -> bool {
    let before = line.get(..col).unwrap_or("");
    before.trim_end().ends_with('-') && before.trim_start().starts_with('-')
}

/// 0-based columns where `key` is used as a mapping key in `line`.
fn key_columns(line: &str, key: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = line.get(from..).and_then(|h| h.find(key)).map(|i| i + from) {
        from = i + key.len();
        let before = line[..i].trim_end();
        let starts =
            before.is_empty() || before.ends_with(['{', ',', '-']) || before.ends_with("? ");
        let after = line[i + key.len()..].trim_start();
        if starts && after.starts_with(':') {
            out.push(i);
        }
    }
    out
}

/// (line, column), 1-based within `text`, of the `nth` (0-based) time `key:`
/// has exactly `value` as its value (quoted or not): for messages about ids.
pub fn value_position(text: &str, key: &str, value: &str, nth: usize) -> Option<(usize, usize)> {
    let mut count = 0;
    for (i, line) in text.lines().enumerate() {
        for col in key_columns(line, key) {
            let after = &line[col + key.len()..];
            let after = after.trim_start().strip_prefix(':').unwrap_or(after);
            let trimmed = after.trim_start();
            let quoted = trimmed.strip_prefix(['"', '\'']).unwrap_or(trimmed);
            let start = line.len() - quoted.len();
            if token_at(line, start, value) {
                if count == nth {
                    return Some((i + 1, start + 1));
                }
                count += 1;
            }
        }
    }
    None
}

/// (line, column), 1-based within `text`, of the `nth` (0-based) time
/// `value` appears as an item in a list under `key` (flow `[a, b]` or block
/// `- a`), wherever that key occurs.
pub fn item_position(text: &str, key: &str, value: &str, nth: usize) -> Option<(usize, usize)> {
    let mut count = 0;
    // Indentation of the `key:` line whose list we are in.
    let mut inside: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let mut search_from = 0;
        if let Some(k) = inside {
            let item_at_key = indent == k && line.trim_start().starts_with("- ");
            if !line.trim().is_empty() && indent <= k && !item_at_key {
                inside = None;
            }
        }
        if let Some(col) = key_columns(line, key).first() {
            inside = Some(indent);
            search_from = col + key.len();
        } else if inside.is_none() {
            continue;
        }
        let mut from = search_from;
        while let Some(c) = line
            .get(from..)
            .and_then(|h| h.find(value))
            .map(|c| c + from)
        {
            from = c + value.len().max(1);
            if token_at(line, c, value) {
                if count == nth {
                    return Some((i + 1, c + 1));
                }
                count += 1;
            }
        }
    }
    None
}

/// Whether `value` sits at `start` in `line` as a whole word of an id.
fn token_at(line: &str, start: usize, value: &str) -> bool {
    let is_id = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    line.get(start..).is_some_and(|r| r.starts_with(value))
        && !line[..start].chars().next_back().is_some_and(is_id)
        && !line[start + value.len()..]
            .chars()
            .next()
            .is_some_and(is_id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bracket_left_open_is_found_where_it_was_opened() {
        let yaml = "title: \"[Draft] x\"\ntags: [billing, refunds\nauthor: A\n";
        assert_eq!(super::unclosed_bracket(yaml, 3), Some((2, 7, '[')));
        assert_eq!(super::unclosed_bracket(yaml, 1), None, "in quotes");
        let nested = "metrics: [{ name: NPS, before: 1 ]\n";
        assert_eq!(super::unclosed_bracket(nested, 1), Some((1, 11, '{')));
        let closed = "tags: [a, b] # [not code\nx: {a: 1}\n";
        assert_eq!(super::unclosed_bracket(closed, 9), None);
        let wide = "title: Ação\nvalues: {a: [1, 2]\n";
        assert_eq!(super::unclosed_bracket(wide, 2), Some((2, 9, '{')));
    }

    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("---\ntitle: A\n---\nHello\n").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Hello\n");
        assert_eq!(s.body_line, 4);
        assert!(s.has_front_matter);
    }

    #[test]
    fn handles_crlf_and_bom() {
        let s = split("\u{feff}---\r\ntitle: A\r\n---\r\nHello\r\n").unwrap();
        assert_eq!(s.yaml, "title: A\r\n");
        assert_eq!(s.body, "Hello\r\n");
    }

    #[test]
    fn empty_and_missing_front_matter() {
        let s = split("---\n---\nBody").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body, "Body");
        assert_eq!(s.body_line, 3);
        let s = split("# Just markdown\n").unwrap();
        assert!(!s.has_front_matter);
        assert_eq!(s.body, "# Just markdown\n");
        assert_eq!(split("---\ntitle: x\n"), Err(Unterminated));
        let s = split("---\ntitle: x\n---").unwrap();
        assert_eq!(s.body, "");
    }

    #[test]
    fn locates_values_and_list_items() {
        let yaml = "title: Snow\ndepartment: logsitics\ntouchpoints:\n  - website\n  - delivry\ntags: [a, b]\n";
        assert_eq!(locate(yaml, 2, "department", Some("logsitics")), (3, 13));
        assert_eq!(locate(yaml, 2, "touchpoints", Some("delivry")), (6, 5));
        assert_eq!(locate(yaml, 2, "tags", Some("b")), (7, 11));
        assert_eq!(locate(yaml, 2, "title", None), (2, 8));
    }

    #[test]
    fn locates_an_item_that_is_part_of_an_earlier_one() {
        let yaml = "values: [ownership, owner]\ntags: [\"../x\", \"..\", \".\", \"/\"]\ntouchpoints:\n  - website\n  - web\n";
        assert_eq!(locate(yaml, 2, "values", Some("owner")), (2, 21));
        assert_eq!(locate(yaml, 2, "values", Some("ownership")), (2, 10));
        assert_eq!(locate(yaml, 2, "tags", Some("../x")), (3, 9));
        assert_eq!(locate(yaml, 2, "tags", Some("..")), (3, 17));
        assert_eq!(locate(yaml, 2, "tags", Some(".")), (3, 23));
        assert_eq!(locate(yaml, 2, "tags", Some("/")), (3, 28));
        assert_eq!(locate(yaml, 2, "touchpoints", Some("web")), (6, 5));
        assert_eq!(
            locate("tags: [x-owner, owner]\n", 2, "tags", Some("owner")),
            (2, 17)
        );
        // A word inside a longer value is still found.
        assert_eq!(
            locate("title: Snowed in\n", 2, "title", Some("owe")),
            (2, 10)
        );
    }

    #[test]
    fn numbers_with_a_comma_inside_braces_are_found() {
        let yaml = "title: 1,5\nmetrics:\n  - { name: \"a: 1,5\", before: 1,5, after: -2,25 } # x: 3,5\n  - {before: 7,5,after: 1}\n  - { name: A, before: 7, after: 1.5 }\n";
        let found: Vec<_> = comma_numbers(yaml)
            .into_iter()
            .map(|(l, c, k, n)| format!("{l}:{c} {k} {n}"))
            .collect();
        assert_eq!(
            found,
            ["3:31 before 1,5", "3:43 after -2,25", "4:14 before 7,5"]
        );
    }

    #[test]
    fn duplicate_keys_are_found_where_they_repeat() {
        let yaml = "title: A\ndate: 2026-01-01\ntitle: B\n";
        assert_eq!(duplicate_key_position(yaml, "title"), Some((3, 1)));
        let yaml =
            "departments:\n  - id: it\n    name: IT\n  - id: ops\n    name: Ops\n    id: x\n";
        assert_eq!(duplicate_key_position(yaml, "id"), Some((6, 5)));
        assert_eq!(duplicate_key_position(yaml, "name"), None);
        let yaml = "departments:\n  - { id: it, name: IT, id: x }\n  - { id: ops, name: Ops }\n";
        assert_eq!(duplicate_key_position(yaml, "id"), Some((2, 25)));
        assert_eq!(
            duplicate_key_in("duplicate entry with key \"title\""),
            Some("title".into())
        );
        assert_eq!(
            duplicate_key_in("departments[0]: duplicate field `id` at line 3 column 5"),
            Some("id".into())
        );
        let yaml = "a:\n  - x: 1\n    y: 2\n  - x: 1\n    x: 2\n";
        assert_eq!(duplicate_key_after(yaml, "x", 4), Some((5, 5)));
    }

    #[test]
    fn ids_are_found_as_whole_values() {
        let text = "title: Fit\ndepartments:\n  - { id: it, name: IT }\n  - { id: \"it\", name: Other }\nvalues: [it-care, it]\n";
        assert_eq!(value_position(text, "id", "it", 0), Some((3, 11)));
        assert_eq!(value_position(text, "id", "it", 1), Some((4, 12)));
        assert_eq!(item_position(text, "values", "it", 0), Some((5, 19)));
        let text = "languages:\n  - pt\n  - es\n  - pt\nvalues:\n- pt\n";
        assert_eq!(item_position(text, "languages", "pt", 1), Some((4, 5)));
        assert_eq!(item_position(text, "values", "pt", 0), Some((6, 3)));
        assert_eq!(item_position(text, "values", "pt", 1), None);
    }
}
