//! Content types by file extension, from `mime_guess` (the table most Rust
//! servers share) rather than a hand-kept list.

use std::borrow::Cow;
use std::path::Path;

pub(crate) fn is_html(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}

/// The `Content-Type` for `path`. Text types say UTF-8 (what the build
/// writes), so a browser never guesses Latin-1 for a glossary in Portuguese.
pub(crate) fn content_type(path: &Path) -> Cow<'static, str> {
    let ty = mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream");
    if ty.starts_with("text/") || ty == "application/javascript" {
        Cow::Owned(format!("{ty}; charset=utf-8"))
    } else {
        Cow::Borrowed(ty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_types() {
        for (name, ty) in [
            ("a.HTML", "text/html; charset=utf-8"),
            ("a.css", "text/css; charset=utf-8"),
            ("a.js", "text/javascript; charset=utf-8"),
            ("feed.xml", "text/xml; charset=utf-8"),
            ("a.svg", "image/svg+xml"),
            ("a.woff2", "font/woff2"),
            ("a.pdf", "application/pdf"),
            ("clip.mp4", "video/mp4"),
            ("noext", "application/octet-stream"),
        ] {
            assert_eq!(content_type(Path::new(name)), ty, "{name}");
        }
        assert!(is_html(Path::new("x/index.htm")));
        assert!(!is_html(Path::new("x/index.html.bak")));
    }
}
