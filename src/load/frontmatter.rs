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
    let mut found_key = None;
    for (i, l) in yaml.lines().enumerate() {
        if found_key.is_none() {
            let rest = l
                .strip_prefix(key)
                .and_then(|r| r.trim_start().strip_prefix(':'));
            if let Some(rest) = rest
                && l.starts_with(key)
            {
                let value_col = l.len() - rest.len() + (rest.len() - rest.trim_start().len());
                match needle {
                    None => return (yaml_line + i, value_col + 1),
                    Some(n) => {
                        found_key = Some(i);
                        if let Some(c) = find_token(l, n, value_col) {
                            return (yaml_line + i, c + 1);
                        }
                    }
                }
            }
        } else if let Some(n) = needle {
            if !l.starts_with([' ', '\t', '-']) && !l.is_empty() {
                break; // next top-level key: stop looking
            }
            if let Some(c) = find_token(l, n, 0) {
                return (yaml_line + i, c + 1);
            }
        }
    }
    match found_key {
        Some(i) => (yaml_line + i, 1),
        None => (yaml_line.saturating_sub(1).max(1), 1),
    }
}

fn find_token(line: &str, needle: &str, from: usize) -> Option<usize> {
    let hay = line.get(from..)?;
    hay.find(needle).map(|c| c + from)
}

#[cfg(test)]
mod tests {
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
}
