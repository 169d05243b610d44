//! Every rule that turns a source into an output path or a URL, in one
//! place. Anything that names a file Campfire writes, or links to one, asks
//! here; the addresses a free page may not take are derived from the same
//! tables, so a new section can never collide with a page unnoticed.
//!
//! Vocabulary:
//! - a **URL** is a page's address relative to the site root, always ending
//!   in `/` (`stories/snow/`; the home page is `""`);
//! - its **file** is the URL plus `index.html`, relative to the output;
//! - an **href** written into a page is relative to that page (the root
//!   prefix `../../` then the file), so `public/` works from `file://`, a
//!   sub-path or any static host.

use std::path::{Component, Path, PathBuf};

use crate::load::Kind;

/// Sources: `ROOT/site.yaml`, `ROOT/content/`, `ROOT/layouts/`.
pub const CONFIG_FILE: &str = "site.yaml";
pub const CONTENT_DIR: &str = "content";
pub const LAYOUTS_DIR: &str = "layouts";
/// The default output folder under the root.
pub const OUTPUT_DIR: &str = "public";

/// The list pages that group entries by a site.yaml vocabulary or a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taxonomy {
    Departments,
    Touchpoints,
    Values,
    Tags,
}

impl Taxonomy {
    pub const ALL: [Taxonomy; 4] = [
        Taxonomy::Departments,
        Taxonomy::Touchpoints,
        Taxonomy::Values,
        Taxonomy::Tags,
    ];

    /// Its URL segment, also the key templates see (`page.taxonomy`).
    pub fn segment(self) -> &'static str {
        match self {
            Taxonomy::Departments => "departments",
            Taxonomy::Touchpoints => "touchpoints",
            Taxonomy::Values => "values",
            Taxonomy::Tags => "tags",
        }
    }
}

/// Single pages and folders Campfire writes at the top of the output.
pub const JOURNEY: &str = "journey/";
pub const SEARCH: &str = "search/";
/// Programme views: people, coverage and the service blueprint.
pub const PEOPLE: &str = "people/";
pub const COVERAGE: &str = "coverage/";
pub const BLUEPRINT: &str = "journey/blueprint/";
pub const ASSETS_DIR: &str = "assets";
pub const FEED: &str = "feed.xml";
pub const SITEMAP: &str = "sitemap.xml";
pub const NOT_FOUND: &str = "404.html";
/// Addresses `campfire serve` answers itself, never files of the output:
/// the room attendees join (`serve --room`) and the server's own endpoints
/// (live reload, the room's state). No page may take them, or it would be
/// hidden while serving.
pub const ROOM_PATH: &str = "/room/";
pub const SERVER_PATH: &str = "/__campfire/";
/// Marks a directory as Campfire's output (see `write`).
pub const OUTPUT_MARKER: &str = ".campfire";

/// First URL segments a free page may not take: every section, taxonomy
/// and top-level file above (language codes are checked separately).
pub fn reserved_segments() -> impl Iterator<Item = &'static str> {
    Kind::ALL
        .into_iter()
        .filter(|k| *k != Kind::Page)
        .map(Kind::folder)
        .chain(Taxonomy::ALL.into_iter().map(Taxonomy::segment))
        .chain([
            JOURNEY.trim_end_matches('/'),
            SEARCH.trim_end_matches('/'),
            PEOPLE.trim_end_matches('/'),
            COVERAGE.trim_end_matches('/'),
            ASSETS_DIR,
            FEED,
            SITEMAP,
            NOT_FOUND.trim_end_matches(".html"),
            "index",
            ROOM_PATH.trim_matches('/'),
            SERVER_PATH.trim_matches('/'),
        ])
}

/// Why a reserved first segment is Campfire's, for the error that names it.
pub fn reserved_because(segment: &str) -> &'static str {
    if segment == ROOM_PATH.trim_matches('/') {
        "`campfire serve --room` answers it with the room attendees join, which would hide the page"
    } else if segment == SERVER_PATH.trim_matches('/') {
        "`campfire serve` answers it itself (live reload), which would hide the page"
    } else {
        "Campfire writes its own pages there"
    }
}

/// `""` for the default language, else `pt/`.
pub fn lang_prefix(lang: &str, default: &str) -> String {
    if lang == default {
        String::new()
    } else {
        format!("{lang}/")
    }
}

/// An entry's page: `stories/snow/`, `pt/glossary/nps/`; free pages sit at
/// the top (`about/`, `guides/room/`).
pub fn entry_url(kind: Kind, slug: &str, lang: &str, default: &str) -> String {
    match kind {
        Kind::Page => format!("{slug}/"),
        kind => format!("{}{}/{slug}/", lang_prefix(lang, default), kind.folder()),
    }
}

/// The list page of a kind: `stories/`, `pt/glossary/`.
pub fn section_url(kind: Kind, lang: &str, default: &str) -> String {
    format!("{}{}/", lang_prefix(lang, default), kind.folder())
}

/// A language's search page: `search/`, `pt/search/`.
pub fn search_url(lang: &str, default: &str) -> String {
    format!("{}{SEARCH}", lang_prefix(lang, default))
}

pub fn taxonomy_url(taxonomy: Taxonomy) -> String {
    format!("{}/", taxonomy.segment())
}

/// `departments/it/`; `id` must already be a URL segment (a tag's slug).
pub fn taxonomy_item_url(taxonomy: Taxonomy, id: &str) -> String {
    format!("{}/{id}/", taxonomy.segment())
}

/// A person's page: `people/marta/`.
pub fn person_url(id: &str) -> String {
    format!("{PEOPLE}{id}/")
}

/// The entries of one cell of the coverage matrix: a department's stories
/// at a stage (`coverage/departments/it/receive/`), or the case studies
/// at a stage (`coverage/cases/receive/`).
pub fn coverage_cell_url(department: Option<&str>, stage: &str) -> String {
    match department {
        Some(d) => format!("{COVERAGE}departments/{d}/{stage}/"),
        None => format!("{COVERAGE}cases/{stage}/"),
    }
}

/// The folder that holds a paginated list's later pages (`stories/page/2/`).
pub const PAGE_SEGMENT: &str = "page";

/// Page `n` (from 1) of a list whose first page is at `url`: the first is
/// the list's own address, later ones `url` + `page/n/` (`stories/page/2/`,
/// `departments/it/page/3/`, a term's "mentioned in": `glossary/nps/page/2/`).
pub fn list_page_url(url: &str, n: usize) -> String {
    if n <= 1 {
        url.to_string()
    } else {
        format!("{url}{PAGE_SEGMENT}/{n}/")
    }
}

/// A department's Atom feed: `departments/it/feed.xml`.
pub fn department_feed(id: &str) -> String {
    format!("{}{FEED}", taxonomy_item_url(Taxonomy::Departments, id))
}

/// A training path's printable handout.
pub fn print_url(path_url: &str) -> String {
    format!("{path_url}print/")
}

/// An entry's page opened as its slides: `stories/snow/index.html?present`
/// (`#3` for the third). The slides are part of the page (see
/// `render::pages::present`): no file of their own, and the body's links
/// and images resolve as they do on the page. Works from `file://` and
/// any static host.
pub fn present_url(entry_url: &str) -> String {
    format!("{}?{PRESENT_QUERY}", page_file(entry_url))
}

/// The query that opens a page as its slides (see [`present_url`]).
pub const PRESENT_QUERY: &str = "present";

/// Whether an entry kind has a present view (every kind but free pages).
pub fn presentable(kind: Kind) -> bool {
    kind != Kind::Page
}

/// Whether `path` (site-relative, no leading slash) names a page that a
/// deck may be part of: the room may only send its followers to one of
/// these.
pub fn is_deck_page(path: &str) -> bool {
    path.strip_suffix(PAGE_FILE)
        .is_some_and(|dir| dir.ends_with('/'))
        && !path.contains("//")
        && !path.contains('\\')
        && !path.split('/').any(|s| s == ".." || s == ".")
        && !path.contains(':')
        && !path.starts_with('/')
}

/// The file a page URL is written to, relative to the output.
pub fn page_file(url: &str) -> String {
    // Not `format!`: made for every link of every page.
    let mut file = String::with_capacity(url.len() + PAGE_FILE.len());
    push_page_file(&mut file, url);
    file
}

/// [`page_file`], written at the end of `out`.
pub fn push_page_file(out: &mut String, url: &str) {
    out.push_str(url);
    out.push_str(PAGE_FILE);
}

const PAGE_FILE: &str = "index.html";

/// How many folders below the root a page is.
pub fn depth(url: &str) -> usize {
    url.matches('/').count()
}

/// The relative prefix from a page back to the site root.
pub fn root_prefix(url: &str) -> String {
    root_at_depth(depth(url))
}

/// The relative prefix back to the site root from `depth` folders below it.
pub fn root_at_depth(depth: usize) -> String {
    "../".repeat(depth)
}

/// Decodes the `%XX` escapes of a URL path (`a%20b` → `a b`): the one
/// implementation, for the paths `serve` is asked for, links to files
/// and old addresses (`moved_from: /kb/caf%C3%A9/`). `None` when an escape
/// is malformed (`%zz`, a `%` at the end): the crate passes those through
/// as written, and a path that contains one was not made by a browser, so
/// it is refused (or, for a link, taken as written) rather than guessed at.
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    well_formed.then(|| percent_encoding::percent_decode_str(s).collect())
}

/// Where the page at an address of another system is written
/// (`moved_from: /cx/nps.html`): the address is a URL path from the site's
/// root; one ending in `.html` or `.htm` is that file (`cx/nps.html`),
/// anything else a folder with its `index.html` (`/kb/refunds` and
/// `/kb/refunds/` → `kb/refunds/index.html`), which static hosts answer
/// for both spellings. An old `/kb/faq.aspx` is a folder too: written as
/// a file of that name a host would send it as a download (or run it).
///
/// Segments are percent-decoded; anything that could leave the output or
/// cannot be a file name on every system is refused, saying why and how
/// to write it.
pub fn old_address_file(address: &str) -> Result<String, String> {
    let Some(path) = address.strip_prefix('/') else {
        return Err("an address starts with /".to_string());
    };
    let folder = path.is_empty() || path.ends_with('/');
    let path = path.strip_suffix('/').unwrap_or(path);
    if path.is_empty() {
        return Err(
            "/ is the site's home page: name an address of one old page, e.g. /kb/refunds/"
                .to_string(),
        );
    }
    let mut segments = Vec::new();
    for raw in path.split('/') {
        segments.push(old_address_segment(raw)?);
    }
    let last = segments.last().expect("a segment at least");
    let lower = last.to_ascii_lowercase();
    let mut file = segments.join("/");
    if folder || !(lower.ends_with(".html") || lower.ends_with(".htm")) {
        file.push('/');
        push_page_file(&mut file, "");
    }
    Ok(file)
}

/// One segment of an old address, decoded, or why it cannot be a name.
fn old_address_segment(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err("it has two / in a row: write one".to_string());
    }
    let bytes = percent_decode(raw).ok_or_else(|| {
        format!("\"{raw}\" has a % that is not an escape like %20: write a % itself as %25")
    })?;
    let segment = String::from_utf8(bytes)
        .map_err(|_| format!("\"{raw}\" decodes to bytes that are not UTF-8 text"))?;
    if segment == "." || segment == ".." {
        return Err(format!(
            "\"{raw}\" steps out of its folder, and an old address must stay inside the site: write the address as the browser showed it, without . or .. segments"
        ));
    }
    if let Some(c) = segment.chars().find(|&c| {
        c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
    }) {
        let shown = if c.is_control() {
            format!("U+{:04X}", c as u32)
        } else {
            format!("\"{c}\"")
        };
        return Err(format!(
            "\"{segment}\" has {shown}, which a file name cannot have (on every system the site may be built on): no page can be written there"
        ));
    }
    if segment.starts_with('.') {
        return Err(format!(
            "\"{segment}\" is a hidden file's name (it starts with .), which hosts do not serve"
        ));
    }
    if segment.ends_with(['.', ' ']) {
        return Err(format!(
            "\"{segment}\" ends in a dot or a space, which Windows drops from a file name"
        ));
    }
    let stem = segment
        .split('.')
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        return Err(format!(
            "\"{segment}\" is a device's name on Windows, which no file may take"
        ));
    }
    if segment.len() > 255 {
        return Err(format!(
            "\"{}…\" is longer than a file name may be (255 bytes)",
            segment.chars().take(20).collect::<String>()
        ));
    }
    Ok(segment)
}

/// The href from the file `from` (relative to the output) to the page at
/// `to`: relative, so it works from `file://`, a sub-path or any host.
pub fn href_from_file(from: &str, to: &str) -> String {
    let mut href = root_prefix(from);
    push_page_file(&mut href, to);
    href
}

/// Where an asset under `content/` is written: beside the pages of its
/// folder (free pages live at the top, so `pages/` is dropped).
pub fn asset_output_path(rel: &Path) -> String {
    let s = rel.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("pages/") {
        Some(rest) => rest.to_string(),
        None => s,
    }
}

/// How a file at `from` links to `to` (both relative to the site root):
/// `snow.md`, `../glossary/nps.md`.
pub fn relative_to(from: &Path, to: &Path) -> String {
    let dir: Vec<Component> = from
        .parent()
        .map_or(Vec::new(), |d| d.components().collect());
    let to: Vec<Component> = to.components().collect();
    let shared = dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); dir.len() - shared];
    parts.extend(
        to[shared..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The file among `files` whose path differs from `wanted` only in the
/// case of ASCII letters (`photo.jpg` written, `Photo.JPG` on disk): a Mac
/// or Windows opens it by the path as written, so the link works in the
/// writer's preview and breaks on a Linux host. The first in order when
/// several do, so that the message is the same from build to build.
pub fn differs_only_in_capitals<'a>(
    wanted: &Path,
    files: impl IntoIterator<Item = &'a PathBuf>,
) -> Option<&'a Path> {
    let wanted = wanted.as_os_str().as_encoded_bytes();
    files
        .into_iter()
        .filter(|f| {
            let f = f.as_os_str().as_encoded_bytes();
            f != wanted && f.eq_ignore_ascii_case(wanted)
        })
        .min()
        .map(PathBuf::as_path)
}

/// A language's UI strings for the theme's scripts (`assets/strings-pt.js`,
/// see `theme::strings_script`): one small file each page of the language
/// loads, in place of the same kilobyte and a half in every page.
pub fn strings_script(lang: &str) -> String {
    format!("{ASSETS_DIR}/strings-{lang}.js")
}

/// The search index's data files (`search/…/x.js`); the search page itself
/// (`search/index.html`) is not one of them.
pub fn is_search_index_file(path: &str) -> bool {
    path.starts_with(SEARCH) && path.ends_with(".js")
}

/// The site's path on its host, from `base_url` (`https://x.org/cx` →
/// `/cx/`), for pages served at any depth such as 404.html.
pub fn base_path(base_url: Option<&str>) -> String {
    base_url
        .and_then(|u| u.split("://").nth(1))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_string()))
        .map(|p| if p.ends_with('/') { p } else { format!("{p}/") })
        .unwrap_or_else(|| "/".to_string())
}

/// An absolute URL under `base_url` when it is set; otherwise the path
/// relative to the site root (feed readers resolve it against the feed,
/// which is at the root), the root itself being `./`.
pub fn absolute(base_url: Option<&str>, path: &str) -> String {
    match base_url {
        Some(base) => format!("{}/{path}", base.trim_end_matches('/')),
        None if path.is_empty() => "./".to_string(),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_files_and_prefixes() {
        assert_eq!(entry_url(Kind::Story, "snow", "en", "en"), "stories/snow/");
        assert_eq!(entry_url(Kind::Term, "nps", "pt", "en"), "pt/glossary/nps/");
        assert_eq!(
            entry_url(Kind::Page, "guides/room", "en", "en"),
            "guides/room/"
        );
        assert_eq!(section_url(Kind::Term, "pt", "en"), "pt/glossary/");
        assert_eq!(search_url("en", "en"), "search/");
        assert_eq!(search_url("pt", "en"), "pt/search/");
        assert_eq!(taxonomy_item_url(Taxonomy::Tags, "x"), "tags/x/");
        assert_eq!(person_url("marta"), "people/marta/");
        assert_eq!(list_page_url("values/empathy/", 1), "values/empathy/");
        assert_eq!(
            list_page_url("values/empathy/", 3),
            "values/empathy/page/3/"
        );
        assert_eq!(
            coverage_cell_url(Some("it"), "receive"),
            "coverage/departments/it/receive/"
        );
        assert_eq!(coverage_cell_url(None, "none"), "coverage/cases/none/");
        assert_eq!(page_file(""), "index.html");
        assert_eq!(list_page_url("stories/", 1), "stories/");
        assert_eq!(list_page_url("stories/", 2), "stories/page/2/");
        assert_eq!(list_page_url("", 3), "page/3/");
        assert_eq!(
            list_page_url("departments/it/", 12),
            "departments/it/page/12/"
        );
        assert_eq!(root_prefix(""), "");
        assert_eq!(root_prefix("stories/snow/"), "../../");
        assert_eq!(root_prefix("pt/glossary/nps/"), "../../../");
        assert_eq!(
            asset_output_path(Path::new("pages/guides/room.png")),
            "guides/room.png"
        );
        assert_eq!(
            asset_output_path(Path::new("stories/snow.jpg")),
            "stories/snow.jpg"
        );
        assert_eq!(
            present_url("stories/snow/"),
            "stories/snow/index.html?present"
        );
        assert!(is_deck_page("pt/glossary/nps/index.html"));
        for bad in [
            "index.html",
            "/x/index.html",
            "../x/index.html",
            "x/./index.html",
            "x//index.html",
            "https://x/index.html",
            "x\\index.html",
            "x/notindex.html",
            "x/present.html",
            "x/index.html?",
        ] {
            assert!(!is_deck_page(bad), "{bad}");
        }
        assert!(is_search_index_file("search/t/ab.js"));
        assert!(!is_search_index_file("search/index.html"));
        assert_eq!(base_path(Some("https://x.org/cx")), "/cx/");
        assert_eq!(base_path(None), "/");
        assert_eq!(absolute(None, ""), "./");
        assert_eq!(absolute(None, "feed.xml"), "feed.xml");
        assert_eq!(
            absolute(Some("https://x.org/cx/"), "stories/a/"),
            "https://x.org/cx/stories/a/"
        );
        assert_eq!(absolute(Some("https://x.org"), ""), "https://x.org/");
    }

    #[test]
    fn percent_decoding_refuses_malformed_escapes() {
        assert_eq!(percent_decode("a%20b").unwrap(), b"a b");
        assert_eq!(percent_decode("caf%C3%A9").unwrap(), "café".as_bytes());
        assert_eq!(
            percent_decode("a+b").unwrap(),
            b"a+b",
            "+ is no space in a path"
        );
        for bad in ["%zz", "a%2", "%", "%%41"] {
            assert_eq!(percent_decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn old_addresses_are_files_or_folders_of_the_output() {
        for (address, file) in [
            ("/cx/nps.html", "cx/nps.html"),
            ("/cx/NPS.HTM", "cx/NPS.HTM"),
            ("/nps.html", "nps.html"),
            ("/kb/refunds/", "kb/refunds/index.html"),
            ("/kb/refunds", "kb/refunds/index.html"),
            ("/kb/v1.2/", "kb/v1.2/index.html"),
            ("/kb/faq.aspx", "kb/faq.aspx/index.html"),
            ("/kb/old.html/", "kb/old.html/index.html"),
            ("/kb/caf%C3%A9%20menu", "kb/café menu/index.html"),
            ("/kb/café menu.html", "kb/café menu.html"),
            ("/kb/a&b's.html", "kb/a&b's.html"),
        ] {
            assert_eq!(old_address_file(address).as_deref(), Ok(file), "{address}");
        }
        for (address, why) in [
            ("kb/x/", "starts with /"),
            ("/", "home page"),
            ("/kb//x/", "two / in a row"),
            ("/kb/../x.html", "steps out"),
            ("/kb/%2e%2E/x/", "steps out"),
            ("/kb/./x/", "steps out"),
            ("/kb/a%2Fb/", "\"/\""),
            ("/kb/a%5Cb/", "\"\\\""),
            ("/kb/a:b.html", "\":\""),
            ("/kb/a%00b/", "U+0000"),
            ("/kb/a\tb/", "U+0009"),
            ("/kb/%zz/", "%25"),
            ("/kb/%FF/", "not UTF-8"),
            ("/.campfire", "hidden"),
            ("/kb/x./", "dot or a space"),
            ("/kb/con.html", "device"),
            ("/kb/LPT1/", "device"),
        ] {
            let err = old_address_file(address).unwrap_err();
            assert!(err.contains(why), "{address}: {err}");
        }
        assert!(old_address_file(&format!("/{}/", "a".repeat(256))).is_err());
        assert!(
            old_address_file("/kb/console/").is_ok(),
            "only the device names"
        );
        assert_eq!(
            href_from_file("cx/nps.html", "glossary/nps/"),
            "../glossary/nps/index.html"
        );
        assert_eq!(href_from_file("nps.html", "about/"), "about/index.html");
        assert_eq!(
            href_from_file("kb/refunds/index.html", "stories/a/"),
            "../../stories/a/index.html"
        );
    }

    #[test]
    fn every_generated_section_is_reserved() {
        let reserved: Vec<&str> = reserved_segments().collect();
        for must in [
            "stories",
            "glossary",
            "cases",
            "paths",
            "departments",
            "touchpoints",
            "values",
            "tags",
            "journey",
            "search",
            "people",
            "coverage",
            "assets",
            "404",
            "feed.xml",
            "sitemap.xml",
            "room",
            "__campfire",
        ] {
            assert!(reserved.contains(&must), "{must}");
        }
        assert!(!reserved.contains(&"pages"), "free pages live at the top");
    }

    #[test]
    fn a_file_named_with_other_capitals_is_found_and_no_other() {
        let files: Vec<PathBuf> = [
            "content/stories/Photo.JPG",
            "content/stories/photo.jpg.bak",
            "content/Stories/photo.png",
            "content/stories/PHOTO.jpg",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let twin = |p: &str| differs_only_in_capitals(Path::new(p), &files);
        // Of two, the first in order ("P" < "p" as bytes, "PHOTO" < "Photo").
        assert_eq!(
            twin("content/stories/photo.jpg"),
            Some(Path::new("content/stories/PHOTO.jpg"))
        );
        // The folder's capitals count too.
        assert_eq!(
            twin("content/stories/photo.png"),
            Some(Path::new("content/Stories/photo.png"))
        );
        // The file itself is no twin, and neither is a longer name.
        assert_eq!(
            twin("content/stories/PHOTO.jpg"),
            Some(Path::new("content/stories/Photo.JPG"))
        );
        assert_eq!(twin("content/stories/photo.gif"), None);
    }
}
