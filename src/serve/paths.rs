//! Maps a request target onto a file inside the output directory, refusing
//! anything that could escape it.
//!
//! The output directory is canonicalized on every call (the build swaps a
//! fresh directory into place), and so is the candidate file: the resolved
//! file must lie under the canonical output, which also catches symlinks that
//! point outside it.

use std::fs;
use std::path::{Path, PathBuf};

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A regular file (canonical path) inside the output.
    File(PathBuf),
    /// A directory requested without its trailing slash: redirect here.
    Redirect(String),
    NotFound,
    /// Traversal, encoded separators, NUL, or a symlink leading out.
    Forbidden,
    /// Not a path we can decode.
    BadRequest,
}

/// Splits a request target into its path and its query (fragment dropped).
pub(crate) fn split_target(target: &str) -> (&str, Option<&str>) {
    let target = target.split('#').next().unwrap_or("");
    match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    }
}

/// Resolves `target` (the raw request target, e.g. `/stories/x/?q=1`).
pub(crate) fn resolve(output: &Path, target: &str) -> Resolved {
    let (path, query) = split_target(strip_origin(target));
    let segments = match decode_segments(path) {
        Ok(segments) => segments,
        Err(refusal) => return refusal,
    };
    let Ok(root) = fs::canonicalize(output) else {
        return Resolved::NotFound; // no output yet (e.g. the first build failed)
    };
    let mut candidate = root.clone();
    candidate.extend(&segments);
    let found = match inside(&root, &candidate) {
        Ok(found) => found,
        Err(refusal) => return refusal,
    };
    let Ok(meta) = fs::metadata(&found) else {
        return Resolved::NotFound;
    };
    let trailing_slash = path.ends_with('/');
    if meta.is_dir() {
        if !trailing_slash {
            return Resolved::Redirect(redirect_location(&segments, query));
        }
        return match inside(&root, &found.join("index.html")) {
            Ok(index) if index.is_file() => Resolved::File(index),
            Ok(_) => Resolved::NotFound,
            Err(refusal) => refusal,
        };
    }
    if meta.is_file() && !trailing_slash {
        Resolved::File(found)
    } else {
        Resolved::NotFound // `/page.html/`, FIFOs, sockets, devices
    }
}

/// Canonicalizes `candidate` and checks that it stays under `root`.
fn inside(root: &Path, candidate: &Path) -> Result<PathBuf, Resolved> {
    match fs::canonicalize(candidate) {
        Ok(found) if found.starts_with(root) => Ok(found),
        Ok(_) => Err(Resolved::Forbidden),
        Err(_) => Err(Resolved::NotFound),
    }
}

/// `http://host/x` (absolute-form request target) → `/x`.
fn strip_origin(target: &str) -> &str {
    for scheme in ["http://", "https://"] {
        if let Some(rest) = target.strip_prefix(scheme) {
            return rest.find('/').map_or("/", |i| &rest[i..]);
        }
    }
    target
}

/// Splits the path on `/` and percent-decodes each segment. Empty segments
/// (`//`) are dropped, so no segment is ever an absolute path.
fn decode_segments(path: &str) -> Result<Vec<String>, Resolved> {
    if !path.starts_with('/') {
        return Err(Resolved::BadRequest);
    }
    if path.contains('\\') {
        return Err(Resolved::Forbidden);
    }
    let mut segments = Vec::new();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let bytes = crate::paths::percent_decode(raw).ok_or(Resolved::BadRequest)?;
        let segment = String::from_utf8(bytes).map_err(|_| Resolved::BadRequest)?;
        if segment == "." || segment == ".." || segment.contains(['/', '\\', '\0']) {
            return Err(Resolved::Forbidden);
        }
        if cfg!(windows) && segment.contains(':') {
            return Err(Resolved::Forbidden); // drive letters, alternate data streams
        }
        segments.push(segment);
    }
    Ok(segments)
}

/// The location of a directory with a trailing slash, rebuilt from the
/// decoded segments (never echoing the raw target, so `//evil.example`
/// cannot become a protocol-relative redirect).
fn redirect_location(segments: &[String], query: Option<&str>) -> String {
    let mut location = String::new();
    for segment in segments {
        location.push('/');
        location.push_str(&percent_encode(segment));
    }
    location.push('/');
    if let Some(query) = query {
        location.push('?');
        location.push_str(&percent_encode_query(query));
    }
    location
}

/// Characters escaped in a path segment: everything but RFC 3986 `pchar`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// A query is kept as sent, escaping only what is not printable ASCII (the
/// crate always escapes non-ASCII bytes).
const QUERY: &AsciiSet = &CONTROLS.add(b' ').add(b'#');

/// Encodes a path segment (RFC 3986 `pchar` stays as is).
fn percent_encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

fn percent_encode_query(query: &str) -> String {
    utf8_percent_encode(query, QUERY).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(out.join("stories/x")).unwrap();
        fs::write(out.join("index.html"), "home").unwrap();
        fs::write(out.join("stories/x/index.html"), "x").unwrap();
        fs::write(out.join("a b.txt"), "space").unwrap();
        fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        dir
    }

    fn file(res: Resolved) -> String {
        match res {
            Resolved::File(p) => p.file_name().unwrap().to_string_lossy().into_owned(),
            other => panic!("expected a file, got {other:?}"),
        }
    }

    #[test]
    fn resolves_files_and_directory_indexes() {
        let dir = site();
        let out = dir.path().join("out");
        assert_eq!(file(resolve(&out, "/")), "index.html");
        assert_eq!(file(resolve(&out, "/stories/x/")), "index.html");
        assert_eq!(
            file(resolve(&out, "/stories/x/index.html?v=1#top")),
            "index.html"
        );
        assert_eq!(file(resolve(&out, "/a%20b.txt")), "a b.txt");
        assert_eq!(
            file(resolve(&out, "http://localhost:1111/a%20b.txt")),
            "a b.txt"
        );
        assert_eq!(resolve(&out, "/missing"), Resolved::NotFound);
        assert_eq!(resolve(&out, "/index.html/"), Resolved::NotFound);
    }

    #[test]
    fn redirects_directories_to_their_slash_form() {
        let dir = site();
        let out = dir.path().join("out");
        assert_eq!(
            resolve(&out, "/stories?q=a b"),
            Resolved::Redirect("/stories/?q=a%20b".into())
        );
        assert_eq!(
            resolve(&out, "//stories/x"),
            Resolved::Redirect("/stories/x/".into())
        );
    }

    #[test]
    fn refuses_traversal() {
        let dir = site();
        let out = dir.path().join("out");
        for target in [
            "/../secret.txt",
            "/stories/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E/%2e%2e/etc/passwd",
            "/..%2fsecret.txt",
            "/..%2Fsecret.txt",
            "/..\\secret.txt",
            "/%5c..%5csecret.txt",
            "/index.html%00.txt",
            "/./index.html",
        ] {
            assert_eq!(resolve(&out, target), Resolved::Forbidden, "{target}");
        }
        assert_eq!(resolve(&out, "secret.txt"), Resolved::BadRequest);
        assert_eq!(resolve(&out, "/%zz"), Resolved::BadRequest);
        assert_eq!(resolve(&out, "/%ff"), Resolved::BadRequest);
        // `//` segments are dropped: never an absolute path on the disk.
        assert_eq!(resolve(&out, "//etc/passwd"), Resolved::NotFound);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_leading_out() {
        let dir = site();
        let out = dir.path().join("out");
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), out.join("leak.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), out.join("up")).unwrap();
        std::os::unix::fs::symlink(out.join("index.html"), out.join("alias.html")).unwrap();
        assert_eq!(resolve(&out, "/leak.txt"), Resolved::Forbidden);
        assert_eq!(resolve(&out, "/up/secret.txt"), Resolved::Forbidden);
        assert_eq!(resolve(&out, "/up/"), Resolved::Forbidden);
        assert_eq!(file(resolve(&out, "/alias.html")), "index.html");
    }

    #[test]
    fn missing_output_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(resolve(&dir.path().join("nope"), "/"), Resolved::NotFound);
    }
}
