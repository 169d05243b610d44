//! The page at a renamed entry's old address (`moved_from:`, see
//! `link::moves`): it sends the reader on to the entry's page at once,
//! keeping the part after `#` (a heading) and after `?` (`?present`).
//!
//! Not a template: there is nothing to read on it. A browser without
//! scripts follows the refresh (which drops the `#…`); a search engine
//! follows the canonical link and does not list the old address.

use super::theme::escape_html;
use crate::link::{Move, Site};
use crate::paths;

use super::{Contents, OutputFile};

/// The page for `m`, in the language of the entry it leads to.
pub fn moved_page(site: &Site, strings: &tera::Value, m: &Move) -> OutputFile {
    let entry = &site.entries[m.to];
    let to = site.url(m.to);
    // Always the entry's own page, relative: nothing written in
    // `moved_from:` or asked for in the address ends up in it.
    let href = paths::href_from_file(&m.file, to);
    let canonical = match site.config.base_url.as_deref() {
        Some(base) => paths::absolute(Some(base), &paths::page_file(to)),
        None => href.clone(),
    };
    let moved_to = strings
        .get("moved_to")
        .and_then(tera::Value::as_str)
        .unwrap_or("This page has moved to");
    let title = escape_html(entry.title());
    // In a script: JSON, with `<` escaped so that no text can end the
    // script or open a comment in it.
    let href_js = serde_json::to_string(&href)
        .expect("a string")
        .replace('<', "\\u003c");
    let html = format!(
        r#"<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {site_title}</title>
<meta name="robots" content="noindex">
<link rel="canonical" href="{canonical}">
<meta http-equiv="refresh" content="0; url={href}">
<script>location.replace({href_js} + location.search + location.hash)</script>
</head>
<body>
<main>
<h1>{moved_to} <a href="{href}">{title}</a></h1>
</main>
</body>
</html>
"#,
        lang = escape_html(&entry.lang),
        site_title = escape_html(&site.config.title),
        canonical = escape_html(&canonical),
        href = escape_html(&href),
        moved_to = escape_html(moved_to),
    );
    OutputFile {
        path: m.file.clone(),
        contents: Contents::Bytes(html.into_bytes()),
    }
}
