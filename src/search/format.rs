//! The index files as written to disk: each is
//! `window.campfireSearch.add("KEY",PAYLOAD);` so that a `<script>` tag can
//! load it from `file://`. PAYLOAD is a JSON string whose text is in the
//! engine's format (`campfire_search::format`), except for `facets`, a
//! JSON object that only the /search/ page's filters read.

use serde::Serialize;

use super::SearchError;

pub(crate) use campfire_search::format::*;

/// `window.campfireSearch.add("key","PAYLOAD");\n`, the payload a JSON
/// string.
pub(crate) fn js_file(key: &str, payload: &str) -> Vec<u8> {
    const START: &[u8] = b"window.campfireSearch.add(";
    const END: &[u8] = b");\n";
    // Room for a few escapes (quotes, backslashes) without growing.
    let room = payload.len() + payload.len() / 32 + 2;
    let mut out = Vec::with_capacity(START.len() + key.len() + 3 + room + END.len());
    out.extend_from_slice(START);
    serde_json::to_writer(&mut out, key).expect("a string serialises");
    out.push(b',');
    out.push(b'"');
    push_json_escaped(&mut out, payload);
    out.push(b'"');
    out.extend_from_slice(END);
    out
}

/// Appends `text` escaped as the inside of a JSON string, byte for byte
/// as `serde_json` writes it (the tests hold it to that). The index's
/// payloads are some 30 MB at 10,000 stories, and `serde_json` looks at
/// each byte in turn: about 1.3% of a build. Here eight bytes are looked
/// at at once, and the runs between escapes copied whole.
fn push_json_escaped(out: &mut Vec<u8>, text: &str) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    /// The high bit of each byte of `w` that is zero (exact for the
    /// lowest such byte; a byte above it may be flagged by the borrow).
    fn zero_bytes(w: u64) -> u64 {
        w.wrapping_sub(ONES) & !w & HIGHS
    }
    /// Bytes of `w` that need escaping: `"`, `\` and controls below
    /// 0x20 (below 0x80 only, so no byte of a multi-byte character).
    fn escapes(w: u64) -> u64 {
        (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
            | zero_bytes(w ^ (ONES * u64::from(b'"')))
            | zero_bytes(w ^ (ONES * u64::from(b'\\')))
    }
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // The next byte to escape: eight at a time, then one by one.
        let next = loop {
            if let Some(chunk) = bytes.get(i..i + 8) {
                let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
                let found = escapes(w);
                if found == 0 {
                    i += 8;
                    continue;
                }
                break Some(i + found.trailing_zeros() as usize / 8);
            }
            break bytes[i..]
                .iter()
                .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
                .map(|at| i + at);
        };
        let Some(at) = next else { break };
        out.extend_from_slice(&bytes[copied..at]);
        let b = bytes[at];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        i = at + 1;
        copied = i;
    }
    out.extend_from_slice(&bytes[copied..]);
}

/// `window.campfireSearch.add("key",JSON);\n`, the JSON written straight
/// into the file's bytes (about `json_len` of them).
pub(crate) fn js_json_file(
    key: &str,
    value: &(impl Serialize + ?Sized),
    json_len: usize,
) -> Vec<u8> {
    const START: &[u8] = b"window.campfireSearch.add(";
    const END: &[u8] = b");\n";
    let mut out = Vec::with_capacity(START.len() + key.len() + 3 + json_len + END.len());
    out.extend_from_slice(START);
    serde_json::to_writer(&mut out, key).expect("a string serialises");
    out.push(b',');
    serde_json::to_writer(&mut out, value).expect("index data serialises");
    out.extend_from_slice(END);
    out
}

/// Reads a [`js_file`] whose payload is a string back: its key and payload.
pub(crate) fn parse_js(name: &str, bytes: &[u8]) -> Result<(String, String), SearchError> {
    let err = |m: &str| SearchError::Format(name.to_string(), m.to_string());
    let text = std::str::from_utf8(bytes).map_err(|_| err("not UTF-8"))?;
    let rest = text
        .strip_prefix("window.campfireSearch.add(")
        .ok_or_else(|| err("unexpected start"))?;
    let rest = rest
        .trim_end()
        .strip_suffix(");")
        .ok_or_else(|| err("unexpected end"))?;
    let mut keys = serde_json::Deserializer::from_str(rest).into_iter::<String>();
    let key = match keys.next() {
        Some(Ok(k)) => k,
        Some(Err(e)) => return Err(err(&e.to_string())),
        None => return Err(err("no key")),
    };
    let payload = rest[keys.byte_offset()..]
        .trim_start()
        .strip_prefix(',')
        .ok_or_else(|| err("no payload"))?;
    let value: String = serde_json::from_str(payload).map_err(|e| err(&e.to_string()))?;
    Ok((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip() {
        let p = TermPostings(120, 3, "0A1B".into());
        let payload = encode_term_shard(
            [("refund", &p)].into_iter(),
            [("refunded", "refund")].into_iter(),
        );
        let bytes = js_file("t/re", &payload);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(
            text,
            "window.campfireSearch.add(\"t/re\",\"refund ZO30A1B|refunded refund\");\n"
        );
        let (key, back) = parse_js("x", &bytes).unwrap();
        assert_eq!(key, "t/re");
        assert_eq!(TermShard::parse(&back).unwrap().t.get("refund"), Some(&p));
        let doc = StoredDoc {
            url: "a/".into(),
            title: "A, \"quoted\" </script>".into(),
            kind: "term".into(),
            language: "pt".into(),
            text: "text\\".into(),
            group: "term:nps".into(),
        };
        let mut payload = String::new();
        encode_doc(&mut payload, &doc);
        let (_, back) = parse_js("x", &js_file("d/0", &payload)).unwrap();
        assert_eq!(parse_docs(&back).unwrap(), [doc]);
        assert!(parse_js("x", b"alert(1)").is_err());
    }

    #[test]
    fn payloads_are_escaped_as_serde_json_escapes_them() {
        // Every byte that needs escaping, at every place in and around an
        // eight-byte step, among ASCII and multi-byte characters.
        let mut texts: Vec<String> = Vec::new();
        let specials: Vec<char> = (0u8..0x20)
            .map(char::from)
            .chain([
                '"', '\\', '\u{7f}', 'é', '€', '😀', ' ', '!', '#', '[', ']', '~',
            ])
            .collect();
        for &c in &specials {
            for before in 0..18 {
                for after in [0, 1, 7, 8, 9] {
                    texts.push(format!("{}{c}{}", "a".repeat(before), "b".repeat(after)));
                }
            }
        }
        // A pseudo-random mix, every special among plain letters.
        let mut rng = crate::testing::Rng::new();
        for _ in 0..2000 {
            let len = (rng.next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| {
                    let seed = rng.next();
                    if seed.is_multiple_of(3) {
                        specials[(seed >> 8) as usize % specials.len()]
                    } else {
                        char::from(b'a' + (seed >> 8) as u8 % 26)
                    }
                })
                .collect();
            texts.push(text);
        }
        for text in &texts {
            assert_eq!(
                String::from_utf8(js_file("k", text)).unwrap(),
                String::from_utf8(js_json_file("k", text, 0)).unwrap(),
                "{text:?}"
            );
        }
    }
}
