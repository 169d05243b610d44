//! A few JSON writers for what the engine hands to the browser (no
//! serde_json in the WebAssembly build).

use crate::format::format_u64;
use crate::query::Hit;
use alloc::string::String;
use alloc::vec::Vec;

/// Appends `s` as a JSON string.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u");
                let v = c as u32;
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((v >> shift) & 15) as usize] as char);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub fn push_u64(out: &mut String, v: u64) {
    out.push_str(&format_u64(v));
}

/// `["a","b"]`
pub fn push_strs<'a>(out: &mut String, items: impl Iterator<Item = &'a str>) {
    out.push('[');
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_str(out, s);
    }
    out.push(']');
}

/// `text` cut at the byte ranges `marks`: `["plain","marked","plain",…]`
/// (even places plain, odd places highlighted).
pub fn push_marked(out: &mut String, text: &str, marks: &[(usize, usize)]) {
    let mut parts: Vec<&str> = Vec::with_capacity(marks.len() * 2 + 1);
    let mut at = 0;
    for &(s, e) in marks {
        parts.push(&text[at..s]);
        parts.push(&text[s..e]);
        at = e;
    }
    parts.push(&text[at..]);
    push_strs(out, parts.into_iter());
}

/// One hit as the browser shows it.
pub fn push_hit(out: &mut String, h: &Hit) {
    out.push_str("{\"id\":");
    push_u64(out, h.id as u64);
    for (k, v) in [
        ("url", &h.url),
        ("kind", &h.kind),
        ("title", &h.title),
        ("language", &h.language),
        ("group", &h.group),
        ("snippet", &h.snippet),
    ] {
        out.push_str(",\"");
        out.push_str(k);
        out.push_str("\":");
        push_str(out, v);
    }
    out.push_str(",\"titleMarked\":");
    push_marked(out, &h.title, &h.title_marks);
    out.push_str(",\"snippetMarked\":");
    push_marked(out, &h.snippet, &h.snippet_marks);
    out.push_str(",\"score\":");
    push_u64(out, h.score);
    out.push_str(",\"translation\":");
    out.push_str(if h.translation { "true" } else { "false" });
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_marks() {
        let mut s = String::new();
        push_str(&mut s, "a\"b\\c\n\u{1}\u{2028}é");
        assert_eq!(s, r#""a\"b\\c\n\u0001\u2028é""#);
        let mut s = String::new();
        push_marked(&mut s, "the refund came", &[(4, 10)]);
        assert_eq!(s, r#"["the ","refund"," came"]"#);
    }
}
