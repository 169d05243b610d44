//! Markdown → HTML, as a rewrite of pulldown-cmark events: heading anchors,
//! links between `.md` files turned into page URLs, and glossary terms
//! auto-linked. It returns what it found (links, anchors, mentions, plain
//! text) so later steps can check links and build back-links and search.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use pulldown_cmark_escape::{escape_href, escape_html};

use super::autolink::Glossary;
use crate::diagnostics::Diagnostic;

/// Where the entry being rendered lives and how to reach everything else.
pub struct MarkdownContext<'a> {
    /// Root-relative source file, e.g. `content/stories/snow.md`.
    pub source: &'a Path,
    /// Line of the file where the body starts.
    pub first_line: usize,
    /// Relative prefix from this page to the site root, e.g. `../../`.
    pub root: &'a str,
    /// Resolves a root-relative `.md` path to a site-relative page URL.
    pub resolve_page: &'a (dyn Fn(&Path) -> Option<String> + Sync),
    /// Resolves a root-relative asset path to its site-relative output path.
    pub resolve_asset: &'a (dyn Fn(&Path) -> Option<String> + Sync),
    /// `None` when this entry does not auto-link.
    pub glossary: Option<&'a Glossary>,
    /// Makes tooltip ids unique when several entries share a page (print view).
    pub id_prefix: &'a str,
}

/// A link to another entry's page, kept to check its `#anchor` once every
/// page's headings are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    /// Root-relative path of the target `.md` file.
    pub target: PathBuf,
    pub anchor: String,
    pub line: usize,
    pub col: usize,
}

#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub html: String,
    /// Plain text of the whole body, for search and summaries.
    pub text: String,
    pub first_paragraph: String,
    pub anchors: HashSet<String>,
    pub links: Vec<PageLink>,
    /// Indices into the glossary of the terms this body mentions or links to.
    pub mentions: Vec<usize>,
    /// Broken links and the like; warnings in `build`, errors in `check`.
    pub problems: Vec<Diagnostic>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

pub fn render(body: &str, cx: &MarkdownContext) -> Rendered {
    let mut out = Rendered::default();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(body.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let position = |offset: usize| {
        let line = line_starts.partition_point(|&s| s <= offset);
        (cx.first_line + line - 1, offset - line_starts[line - 1] + 1)
    };

    let events: Vec<(Event, std::ops::Range<usize>)> =
        merge_text(Parser::new_ext(body, options()).into_offset_iter());
    let mut rewritten: Vec<Event> = Vec::with_capacity(events.len() + 16);
    let mut linked_terms: HashSet<usize> = HashSet::new();
    // Depth counters: auto-linking never happens inside these.
    let (mut in_link, mut in_code, mut in_heading, mut in_image) = (0usize, 0usize, false, 0usize);
    let mut heading: Option<(usize, String)> = None; // (index in `rewritten` of Start, text)
    let mut paragraph_depth = 0usize;
    let mut first_paragraph_done = false;

    for (event, range) in events {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading = Some((rewritten.len(), String::new()));
                rewritten.push(event);
            }
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                if let Some((start, text)) = heading.take() {
                    let id = finish_heading(&mut rewritten, start, &text, &mut out.anchors);
                    if level > HeadingLevel::H1 {
                        rewritten.push(Event::InlineHtml(CowStr::from(format!(
                            "<a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a>"
                        ))));
                    }
                    out.text.push_str(&text);
                    out.text.push('\n');
                }
                rewritten.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                in_link += 1;
                let dest = rewrite_url(&dest_url, range.start, false, cx, &position, &mut out);
                rewritten.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                in_link = in_link.saturating_sub(1);
                rewritten.push(event);
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                in_image += 1;
                let dest = rewrite_url(&dest_url, range.start, true, cx, &position, &mut out);
                rewritten.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                in_image = in_image.saturating_sub(1);
                rewritten.push(event);
            }
            Event::Start(Tag::CodeBlock(_)) => {
                in_code += 1;
                rewritten.push(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = in_code.saturating_sub(1);
                rewritten.push(event);
            }
            Event::Start(Tag::Paragraph) => {
                paragraph_depth += 1;
                rewritten.push(event);
            }
            Event::End(TagEnd::Paragraph) => {
                paragraph_depth = paragraph_depth.saturating_sub(1);
                if !first_paragraph_done && !out.first_paragraph.trim().is_empty() {
                    first_paragraph_done = true;
                }
                out.text.push('\n');
                rewritten.push(event);
            }
            Event::Text(text) => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&text);
                }
                if !in_heading {
                    out.text.push_str(&text);
                    if paragraph_depth > 0 && !first_paragraph_done {
                        out.first_paragraph.push_str(&text);
                    }
                }
                let may_link = in_link == 0 && in_code == 0 && in_image == 0 && !in_heading;
                match cx.glossary.filter(|_| may_link) {
                    Some(g) => autolink(
                        &text,
                        g,
                        cx.root,
                        cx.id_prefix,
                        &mut linked_terms,
                        &mut rewritten,
                    ),
                    None => rewritten.push(Event::Text(text)),
                }
            }
            Event::Code(code) => {
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&code);
                }
                out.text.push_str(&code);
                if paragraph_depth > 0 && !first_paragraph_done {
                    out.first_paragraph.push_str(&code);
                }
                rewritten.push(Event::Code(code));
            }
            Event::SoftBreak | Event::HardBreak => {
                out.text.push(' ');
                if paragraph_depth > 0 && !first_paragraph_done {
                    out.first_paragraph.push(' ');
                }
                rewritten.push(event);
            }
            Event::End(TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_)) => {
                out.text.push('\n');
                rewritten.push(event);
            }
            other => rewritten.push(other),
        }
    }
    // Explicit links to term pages count as mentions too (for back-links).
    if let Some(g) = cx.glossary {
        for link in &out.links {
            if let Some(url) = (cx.resolve_page)(&link.target)
                && let Some(i) = g.terms.iter().position(|t| t.url == url)
            {
                linked_terms.insert(i);
            }
        }
    }
    let mut mentions: Vec<usize> = linked_terms.into_iter().collect();
    mentions.sort_unstable();
    out.mentions = mentions;
    out.html.reserve(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out.html, rewritten.into_iter());
    out
}

/// pulldown-cmark splits text at entities and smart punctuation; terms may
/// span such splits, so glue adjacent text back together.
fn merge_text<'a>(
    iter: impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
) -> Vec<(Event<'a>, std::ops::Range<usize>)> {
    let mut out: Vec<(Event<'a>, std::ops::Range<usize>)> = Vec::new();
    for (event, range) in iter {
        if let (Event::Text(next), Some((Event::Text(prev), prev_range))) = (&event, out.last_mut())
        {
            let mut joined = prev.to_string();
            joined.push_str(next);
            *prev = CowStr::from(joined);
            prev_range.end = range.end;
            continue;
        }
        out.push((event, range));
    }
    out
}

/// Gives the heading at `rewritten[start]` an id (its own `{#id}` if set).
fn finish_heading(
    rewritten: &mut [Event],
    start: usize,
    text: &str,
    anchors: &mut HashSet<String>,
) -> String {
    let Event::Start(Tag::Heading { id, .. }) = &mut rewritten[start] else {
        return String::new();
    };
    let base = match id {
        Some(explicit) => explicit.to_string(),
        None => anchor_id(text),
    };
    let mut unique = base.clone();
    let mut n = 1;
    while anchors.contains(&unique) {
        unique = format!("{base}-{n}");
        n += 1;
    }
    anchors.insert(unique.clone());
    *id = Some(CowStr::from(unique.clone()));
    unique
}

/// GitHub-style anchor: lowercase words joined by hyphens, punctuation dropped.
pub fn anchor_id(text: &str) -> String {
    let mut id = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            id.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            id.push('-');
        }
    }
    if id.is_empty() { "section".into() } else { id }
}

fn autolink<'a>(
    text: &CowStr<'a>,
    glossary: &Glossary,
    root: &str,
    id_prefix: &str,
    linked: &mut HashSet<usize>,
    out: &mut Vec<Event<'a>>,
) {
    let mut last = 0;
    for m in glossary.find(text) {
        if !linked.insert(m.term) {
            continue;
        }
        if m.start > last {
            out.push(Event::Text(CowStr::from(text[last..m.start].to_string())));
        }
        let term = &glossary.terms[m.term];
        let mut html = String::with_capacity(160);
        html.push_str("<span class=\"term-ref\"><a class=\"term-link\" href=\"");
        let _ = escape_href(&mut html, &format!("{root}{}index.html", term.url));
        html.push('"');
        let tip_id = format!("tip-{id_prefix}{}", term.slug);
        if term.short.is_some() {
            html.push_str(&format!(" aria-describedby=\"{tip_id}\""));
        }
        html.push('>');
        let _ = escape_html(&mut html, &text[m.start..m.end]);
        html.push_str("</a>");
        if let Some(short) = &term.short {
            html.push_str(&format!(
                "<span class=\"term-tip\" role=\"tooltip\" id=\"{tip_id}\">"
            ));
            let _ = escape_html(&mut html, short);
            html.push_str("</span>");
        }
        html.push_str("</span>");
        out.push(Event::InlineHtml(CowStr::from(html)));
        last = m.end;
    }
    if last == 0 {
        out.push(Event::Text(text.clone()));
    } else if last < text.len() {
        out.push(Event::Text(CowStr::from(text[last..].to_string())));
    }
}

fn is_external(url: &str) -> bool {
    url.starts_with("//")
        || url.starts_with('/')
        || url.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
}

/// Rewrites a relative link or image source to the URL of what it points at.
fn rewrite_url<'a>(
    dest: &CowStr<'a>,
    offset: usize,
    image: bool,
    cx: &MarkdownContext,
    position: &dyn Fn(usize) -> (usize, usize),
    out: &mut Rendered,
) -> CowStr<'a> {
    if dest.is_empty() || is_external(dest) {
        return dest.clone();
    }
    let (path_part, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (dest.as_ref(), None),
    };
    let (line, col) = position(offset);
    if path_part.is_empty() {
        // `#section` on this page: checked against our own headings later.
        out.links.push(PageLink {
            target: cx.source.to_path_buf(),
            anchor: anchor.unwrap_or_default().to_string(),
            line,
            col,
        });
        return dest.clone();
    }
    let decoded = percent_decode(path_part);
    let target = normalize(&cx.source.parent().unwrap_or(Path::new("")).join(&decoded));
    let mut problem = |message: String| {
        out.problems
            .push(Diagnostic::warning(cx.source, line, col, message))
    };
    if !image && target.extension().is_some_and(|x| x == "md") {
        return match (cx.resolve_page)(&target) {
            Some(url) => {
                let anchor = anchor.unwrap_or_default();
                out.links.push(PageLink {
                    target: target.clone(),
                    anchor: anchor.to_string(),
                    line,
                    col,
                });
                let suffix = if anchor.is_empty() {
                    String::new()
                } else {
                    format!("#{anchor}")
                };
                CowStr::from(format!("{}{url}index.html{suffix}", cx.root))
            }
            None => {
                problem(format!(
                    "broken link \"{dest}\": {} does not exist (or is a draft); fix the path, relative to this file",
                    target.display()
                ));
                dest.clone()
            }
        };
    }
    match (cx.resolve_asset)(&target) {
        Some(out_path) => {
            let suffix = anchor.map(|a| format!("#{a}")).unwrap_or_default();
            CowStr::from(format!("{}{out_path}{suffix}", cx.root))
        }
        None => {
            problem(format!(
                "broken {} \"{dest}\": {} does not exist; fix the path, relative to this file",
                if image { "image" } else { "link" },
                target.display()
            ));
            dest.clone()
        }
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::autolink::LinkTerm;
    use super::*;

    fn glossary() -> Glossary {
        Glossary::new(vec![
            (
                LinkTerm {
                    slug: "nps".into(),
                    url: "glossary/nps/".into(),
                    short: Some("How likely <customers> recommend us".into()),
                },
                vec!["Net Promoter Score".into(), "NPS".into()],
            ),
            (
                LinkTerm {
                    slug: "score".into(),
                    url: "glossary/score/".into(),
                    short: None,
                },
                vec!["score".into()],
            ),
        ])
    }

    fn resolve_page(p: &Path) -> Option<String> {
        match p.to_str()? {
            "content/stories/other.md" => Some("stories/other/".into()),
            "content/glossary/nps.md" => Some("glossary/nps/".into()),
            _ => None,
        }
    }

    fn resolve_asset(p: &Path) -> Option<String> {
        (p == Path::new("content/stories/snow.png")).then(|| "stories/snow.png".to_string())
    }

    fn md(body: &str) -> Rendered {
        let g = glossary();
        let cx = MarkdownContext {
            source: Path::new("content/stories/snow.md"),
            first_line: 10,
            root: "../../",
            resolve_page: &resolve_page,
            resolve_asset: &resolve_asset,
            glossary: Some(&g),
            id_prefix: "",
        };
        render(body, &cx)
    }

    #[test]
    fn first_mention_only_with_tooltip_escaped() {
        let r = md("Our NPS rose. NPS is great.\n");
        assert_eq!(r.html.matches("term-link").count(), 1, "{}", r.html);
        assert!(
            r.html.contains("href=\"../../glossary/nps/index.html\""),
            "{}",
            r.html
        );
        assert!(r.html.contains(
            "role=\"tooltip\" id=\"tip-nps\">How likely &lt;customers&gt; recommend us</span>"
        ));
        assert_eq!(r.mentions, vec![0]);
    }

    #[test]
    fn never_inside_code_links_headings_or_html() {
        let r = md(
            "# NPS heading\n\n`NPS` and [NPS here](https://x.org) and <b>NPS</b>\n\n```\nNPS\n```\n",
        );
        // Only the raw-HTML-wrapped text is plain Markdown text; inline HTML tags themselves are untouched.
        assert_eq!(r.html.matches("term-link").count(), 1, "{}", r.html);
        assert!(
            r.html.contains("<b><span class=\"term-ref\">"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<code>NPS</code>"));
        assert!(
            r.html.contains("<h1 id=\"nps-heading\">NPS heading</h1>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn sentence_start_and_overlap() {
        let r = md("Net promoter score matters. The score too.\n");
        assert!(r.html.contains(">Net promoter score</a>"), "{}", r.html);
        assert!(
            r.html.contains("glossary/score/index.html\">score</a>"),
            "{}",
            r.html
        );
        assert_eq!(r.mentions, vec![0, 1]);
    }

    #[test]
    fn md_links_become_page_urls_and_broken_ones_are_reported() {
        let r = md(
            "See [other](other.md#what-we-learned), [term](../glossary/nps.md) and [gone](gone.md).\n\n![snow](snow.png)\n",
        );
        assert!(
            r.html
                .contains("href=\"../../stories/other/index.html#what-we-learned\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("src=\"../../stories/snow.png\""),
            "{}",
            r.html
        );
        assert_eq!(r.links.len(), 2);
        assert_eq!(r.links[0].anchor, "what-we-learned");
        assert_eq!(r.problems.len(), 1);
        assert_eq!(
            r.problems[0].to_string(),
            "content/stories/snow.md:10:71: warning: broken link \"gone.md\": content/stories/gone.md does not exist (or is a draft); fix the path, relative to this file"
        );
        // The explicit link to the NPS page counts as a mention.
        assert_eq!(r.mentions, vec![0]);
    }

    #[test]
    fn headings_get_unique_anchors_and_text_is_collected() {
        let r = md("## What we learned\n\nFirst *para*.\n\n## What we learned\n\nSecond.\n");
        assert!(r.anchors.contains("what-we-learned") && r.anchors.contains("what-we-learned-1"));
        assert_eq!(r.first_paragraph, "First para.");
        assert!(r.text.contains("Second."));
    }

    #[test]
    fn decoding_and_normalizing() {
        assert_eq!(percent_decode("a%20b.md"), "a b.md");
        assert_eq!(
            normalize(Path::new("content/stories/../glossary/nps.md")),
            Path::new("content/glossary/nps.md")
        );
        assert!(is_external("https://x") && is_external("mailto:a@b") && !is_external("other.md"));
    }
}
