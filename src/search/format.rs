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
    // Room for a few escapes (quotes, backslashes) without growing.
    js_json_file(key, payload, payload.len() + payload.len() / 32 + 2)
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
}
