//! The Atom feed and the sitemap: XML written directly, every text escaped.

use std::fmt::Write;

use super::{Contents, OutputFile};
use crate::config::Named;
use crate::link::Site;
use crate::load::Kind;
use crate::paths;

/// `s` escaped, without the characters XML 1.0 forbids even as
/// references (C0 controls but tab and line breaks, U+FFFE, U+FFFF): a
/// title such as YAML's `"a \v b"` holds one, and a single one makes the
/// whole feed unreadable to a feed reader.
fn esc(out: &mut String, s: &str) {
    let allowed = |c: char| !matches!(c, '\0'..='\x08' | '\x0B' | '\x0C' | '\x0E'..='\x1F' | '\u{FFFE}' | '\u{FFFF}');
    if s.chars().all(allowed) {
        out.push_str(&super::theme::escape_html(s));
    } else {
        let kept: String = s.chars().filter(|&c| allowed(c)).collect();
        out.push_str(&super::theme::escape_html(&kept));
    }
}

/// Absolute when `base_url` is set; otherwise relative to the feed's own
/// address (in folder `from`), which feed readers resolve it against.
fn link(site: &Site, from: &str, path: &str) -> String {
    match site.config.base_url.as_deref() {
        Some(_) => paths::absolute(site.config.base_url.as_deref(), path),
        None => paths::absolute(None, &format!("{}{path}", paths::root_prefix(from))),
    }
}

/// The latest stories; `summary` gives an entry's summary text.
pub fn atom(site: &Site, summary: &dyn Fn(usize) -> String) -> OutputFile {
    let stories = site.ids(Kind::Story).take(site.config.feed_limit).collect();
    feed(site, summary, stories, None)
}

/// One feed per department: the latest stories of its people.
pub fn department_feeds(site: &Site, summary: &dyn Fn(usize) -> String) -> Vec<OutputFile> {
    site.config
        .departments
        .iter()
        .map(|d| {
            let stories = site
                .ids(Kind::Story)
                .filter(|&i| {
                    matches!(&site.entries[i].meta, crate::load::Meta::Story(s) if s.department == d.id)
                })
                .take(site.config.feed_limit)
                .collect();
            feed(site, summary, stories, Some(d))
        })
        .collect()
}

fn feed(
    site: &Site,
    summary: &dyn Fn(usize) -> String,
    stories: Vec<usize>,
    department: Option<&crate::config::Department>,
) -> OutputFile {
    let (path, home) = match department {
        Some(d) => (
            paths::department_feed(&d.id),
            paths::taxonomy_item_url(paths::Taxonomy::Departments, &d.id),
        ),
        None => (paths::FEED.to_string(), String::new()),
    };
    let updated = stories
        .iter()
        .filter_map(|&i| site.entries[i].date())
        .max()
        .unwrap_or_default();
    let mut x = String::with_capacity(1024 + 512 * stories.len());
    // Feed readers show the feed's language and title: the site's.
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"");
    esc(&mut x, &site.config.language);
    x.push_str("\">\n  <title>");
    esc(&mut x, &site.config.title);
    if let Some(d) = department {
        x.push_str(" · ");
        esc(
            &mut x,
            &site
                .config
                .name_of(Named::Department, &d.id, &site.config.language),
        );
    }
    x.push_str("</title>\n");
    if !site.config.description.is_empty() {
        x.push_str("  <subtitle>");
        esc(&mut x, &site.config.description);
        x.push_str("</subtitle>\n");
    }
    let _ = writeln!(
        x,
        "  <id>urn:campfire:{}{}</id>",
        slug::slugify(&site.config.title),
        department
            .map(|d| format!(":department:{}", d.id))
            .unwrap_or_default()
    );
    let _ = writeln!(x, "  <updated>{updated}T00:00:00Z</updated>");
    x.push_str("  <link rel=\"self\" href=\"");
    esc(&mut x, &link(site, &home, &path));
    x.push_str("\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"");
    esc(&mut x, &link(site, &home, &home));
    x.push_str("\"/>\n  <generator>Campfire</generator>\n");
    for &i in &stories {
        let e = &site.entries[i];
        let crate::load::Meta::Story(s) = &e.meta else {
            continue;
        };
        x.push_str("  <entry>\n    <title>");
        esc(&mut x, &s.title);
        let _ = write!(
            x,
            "</title>\n    <id>urn:campfire:story:{}</id>\n    <link href=\"",
            e.slug
        );
        esc(&mut x, &link(site, &home, &paths::page_file(site.url(i))));
        let _ = write!(
            x,
            "\"/>\n    <updated>{}T00:00:00Z</updated>\n    <author><name>",
            s.date
        );
        // An author given by person id is named in full.
        esc(
            &mut x,
            site.config.person(&s.author).map_or(&s.author, |p| &p.name),
        );
        x.push_str("</name></author>\n    <summary>");
        esc(&mut x, &summary(i));
        x.push_str("</summary>\n  </entry>\n");
    }
    x.push_str("</feed>\n");
    OutputFile {
        path,
        contents: Contents::Bytes(x.into_bytes()),
    }
}

pub fn sitemap(pages: &[String], site: &Site) -> OutputFile {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut paths: Vec<&str> = pages
        .iter()
        .map(String::as_str)
        .filter(|p| p.ends_with("index.html") && !p.contains("/print/"))
        .collect();
    paths.sort_unstable();
    for p in paths {
        x.push_str("  <url><loc>");
        esc(&mut x, &link(site, "", p.trim_end_matches("index.html")));
        x.push_str("</loc></url>\n");
    }
    x.push_str("</urlset>\n");
    OutputFile {
        path: paths::SITEMAP.into(),
        contents: Contents::Bytes(x.into_bytes()),
    }
}
