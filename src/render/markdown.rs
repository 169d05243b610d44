//! Markdown → HTML, as a rewrite of pulldown-cmark events: heading anchors,
//! links between `.md` files turned into page URLs, and glossary terms
//! auto-linked. It returns what it found (links, anchors, mentions, plain
//! text) so later steps can check links and build back-links and search.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{
    BrokenLink, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd,
};
use pulldown_cmark_escape::{escape_href, escape_html};

use super::autolink::Glossary;
use crate::diagnostics::Diagnostic;
use crate::load::Why;
use crate::paths::relative_to;

/// What a `.md` link's file is to the build: a page, or a file left out.
/// (A file that is not there at all is no answer: `None`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageTarget {
    /// The page the link leads to.
    Page {
        /// Its URL, relative to the site root (`stories/snow/`).
        url: String,
        /// When the file linked to is gone and an entry says it moved
        /// from there (`moved_from:`): that entry's file. The link leads
        /// to its page, with a warning to link to the file itself.
        moved_to: Option<PathBuf>,
    },
    /// The file is there but the build left it out, so it has no page:
    /// a draft, or a file with errors (reported at its own lines).
    LeftOut(Why),
    /// No such file, but this entry's file has the name in other
    /// capitals (the message names it: a Mac or Windows finds it by the
    /// name written, the web server does not).
    NamedOtherwise(PathBuf),
}

impl PageTarget {
    pub fn page(url: impl Into<String>) -> PageTarget {
        PageTarget::Page {
            url: url.into(),
            moved_to: None,
        }
    }
}

/// What the lookup of a file linked from a body found.
#[derive(Debug, Clone, PartialEq)]
pub enum AssetLookup {
    /// Its site-relative output path.
    Found(String),
    /// No such file; `named_otherwise` is the file whose name differs
    /// from it only in capitals, if there is one (the message names it).
    Missing { named_otherwise: Option<PathBuf> },
}

/// Where the entry being rendered lives and how to reach everything else.
#[derive(Clone, Copy)]
pub struct MarkdownContext<'a> {
    /// Root-relative source file, e.g. `content/stories/snow.md`.
    pub source: &'a Path,
    /// Line of the file where the body starts.
    pub first_line: usize,
    /// Relative prefix from this page to the site root, e.g. `../../`.
    pub root: &'a str,
    /// Resolves a root-relative `.md` path to the page it leads to.
    pub resolve_page: &'a (dyn Fn(&Path) -> Option<PageTarget> + Sync),
    /// Resolves a root-relative asset path to its site-relative output path.
    pub resolve_asset: &'a (dyn Fn(&Path) -> AssetLookup + Sync),
    /// A JPEG's or PNG's size in pixels, by root-relative path: its `<img>`
    /// gets `width`, `height`, `srcset` (see `images`) and lazy loading.
    pub image_size: &'a (dyn Fn(&Path) -> Option<(u32, u32)> + Sync),
    /// `None` when this entry does not auto-link.
    pub glossary: Option<&'a Glossary>,
    /// Makes tooltip ids unique when several entries share a page (print view).
    pub id_prefix: &'a str,
    /// Each auto-linked term's opening tags and tooltip as short marks
    /// ([`LINK_MARK`] or [`TIP_MARK`], the term's glossary index,
    /// [`TIP_END`]) for [`expand_marks`] to write out when the page is
    /// written: a one-off build holds every body's HTML at once, and these
    /// (the same for every mention of a term) were a third of it.
    pub compact_tips: bool,
}

/// Starts a compact tooltip (see [`MarkdownContext::compact_tips`]): a
/// Unicode noncharacter (reserved for uses like this one).
pub const TIP_MARK: char = '\u{FDD1}';
/// Starts a compact link to a term, up to its link text.
pub const LINK_MARK: char = '\u{FDD3}';
/// Ends a mark's glossary index.
pub const TIP_END: char = '\u{FDD2}';

/// What the marks of a compact body stand for on the page showing it:
/// each term's tooltip (by glossary index), the terms, and the page's
/// way to the site root (the body was rendered for that page).
pub struct Marks<'m> {
    pub tips: &'m [String],
    pub terms: &'m [super::autolink::LinkTerm],
    pub root: &'m str,
}

/// An auto-linked term's opening tags, up to its link text. Written piece
/// by piece (escaping is per character, so escaping the pieces is escaping
/// the whole): a one-off build writes this for every link on every page.
fn link_open(out: &mut String, term: &super::autolink::LinkTerm, root: &str, id_prefix: &str) {
    out.push_str("<span class=\"term-ref\"><a class=\"term-link\" href=\"");
    let _ = escape_href(&mut *out, root);
    let _ = escape_href(&mut *out, &term.url);
    out.push_str("index.html\"");
    if term.short.is_some() {
        // Slugs come from file names, which may hold quotes.
        out.push_str(" aria-describedby=\"tip-");
        let _ = escape_html(&mut *out, id_prefix);
        let _ = escape_html(&mut *out, &term.slug);
        out.push('"');
    }
    out.push('>');
}

/// A glossary term's tooltip as auto-linking writes it.
pub fn tip_html(out: &mut String, term: &super::autolink::LinkTerm, short: &str, id_prefix: &str) {
    // Slugs come from file names, which may hold quotes.
    let mut tip_id = String::new();
    let _ = escape_html(&mut tip_id, &format!("tip-{id_prefix}{}", term.slug));
    out.push_str(&format!(
        "<span class=\"term-tip\" role=\"tooltip\" id=\"{tip_id}\">"
    ));
    let _ = escape_html(&mut *out, short);
    out.push_str("</span>");
}

/// Copies `text` into `out`, handing each mark (a mark character, the text
/// up to [`TIP_END`]) to `write` instead; where `write` declines (returns
/// false) or no [`TIP_END`] follows, the mark character is copied as it is.
fn replace_marks(
    text: &str,
    out: &mut String,
    mut write: impl FnMut(&mut String, char, &str) -> bool,
) {
    let mut rest = text;
    while let Some((at, mark)) = find_mark(rest) {
        out.push_str(&rest[..at]);
        let after = &rest[at + mark.len_utf8()..];
        match find_end(after) {
            Some(end) if write(out, mark, &after[..end]) => {
                rest = &after[end + TIP_END.len_utf8()..]
            }
            _ => {
                out.push(mark);
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

fn has_marks(text: &str) -> bool {
    find_mark(text).is_some()
}

/// The marks as UTF-8: three bytes each, all starting 0xEF.
const fn utf8(c: char) -> [u8; 3] {
    let mut bytes = [0; 4];
    c.encode_utf8(&mut bytes);
    [bytes[0], bytes[1], bytes[2]]
}
const TIP: [u8; 3] = utf8(TIP_MARK);
const LINK: [u8; 3] = utf8(LINK_MARK);
const END: [u8; 3] = utf8(TIP_END);
const _: () =
    assert!(TIP_MARK.len_utf8() == 3 && LINK_MARK.len_utf8() == 3 && TIP_END.len_utf8() == 3);
const _: () = assert!(TIP[0] == 0xEF && LINK[0] == 0xEF && END[0] == 0xEF);

/// How many [`LINK_MARK`]s, [`TIP_MARK`]s and [`TIP_END`]s `text` holds,
/// found in one byte search (see [`find_mark`]).
fn mark_counts(text: &str) -> (usize, usize, usize) {
    let bytes = text.as_bytes();
    let (mut links, mut tips, mut ends) = (0, 0, 0);
    for at in memchr::memchr_iter(0xEF, bytes) {
        match bytes.get(at..at + 3) {
            Some(found) if found == LINK => links += 1,
            Some(found) if found == TIP => tips += 1,
            Some(found) if found == END => ends += 1,
            _ => {}
        }
    }
    (links, tips, ends)
}

/// Where the first [`TIP_END`] in `text` is (`str::find` sets up a
/// search per call, and there is one per mark: a few digits away).
fn find_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(0xEF, bytes).find(|&at| bytes.get(at..at + 3) == Some(&END[..]))
}

/// Where the first [`TIP_MARK`] or [`LINK_MARK`] in `text` is, and which.
/// Both are three bytes starting 0xEF, which starts only the rare
/// characters U+F000 to U+FFFF: a byte search
/// for it skips the text many bytes at a time, where a search for a set
/// of chars decodes every character (this runs over every page's body).
fn find_mark(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = memchr::memchr(0xEF, &bytes[from..]) {
        let at = from + found;
        match bytes.get(at..at + 3) {
            Some(found) if found == TIP => return Some((at, TIP_MARK)),
            Some(found) if found == LINK => return Some((at, LINK_MARK)),
            _ => from = at + 1,
        }
    }
    None
}

/// `html` with every mark of a compact link or tooltip written out (see
/// [`MarkdownContext::compact_tips`]).
pub fn expand_marks<'h>(html: &'h str, marks: &Marks) -> std::borrow::Cow<'h, str> {
    if marks.tips.is_empty() || !has_marks(html) {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() * 2);
    replace_marks(html, &mut out, |out, mark, number| {
        let Some(i) = number
            .parse::<usize>()
            .ok()
            .filter(|&i| i < marks.tips.len() && i < marks.terms.len())
        else {
            return false;
        };
        if mark == TIP_MARK {
            out.push_str(&marks.tips[i]);
        } else {
            link_open(out, &marks.terms[i], marks.root, "");
        }
        true
    });
    std::borrow::Cow::Owned(out)
}

/// `text` (the search text of a compact body's HTML) without its marks:
/// what is left is the text of the HTML written out (search leaves
/// tooltips out, and a link's tags hold no text).
pub fn strip_marks(text: String) -> String {
    if !has_marks(&text) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    replace_marks(&text, &mut out, |_, _, number| {
        number.bytes().all(|b| b.is_ascii_digit())
    });
    out
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
    /// Words of the body's text (reading time, whether a table of contents
    /// is worth showing), counted as it renders: the text itself is not
    /// kept, as it would be a second copy of every body.
    pub words: usize,
    /// The search text of `html`: empty while the HTML is kept; made by a
    /// one-off build with the HTML, for its index beside the pages, or
    /// (a big site's, packed until the index reads it) when it frees the
    /// HTML (see `render::render_site`).
    pub text: crate::packed::Packed,
    /// With `text` packed: how much of it the search index's file of the
    /// document keeps, when that was known before packing (see
    /// `search::stored_len_whatever_follows`).
    pub text_stored_len: Option<usize>,
    pub first_paragraph: String,
    pub anchors: HashSet<String>,
    /// Section headings (levels 2 and 3), in order, for a table of contents.
    pub headings: Vec<Heading>,
    pub links: Vec<PageLink>,
    /// Indices into the glossary of the terms this body mentions or links to.
    pub mentions: Vec<usize>,
    /// Broken links and the like; warnings in `build`, errors in `check`.
    pub problems: Vec<Diagnostic>,
    /// Where each top-level block starts in `html`, in order: the present
    /// view cuts the body into slides at these (see `render::pages::present`).
    pub blocks: Vec<Block>,
    /// Whether its terms are marks (see [`MarkdownContext::compact_tips`]):
    /// then `html` holds of each term only its glossary index and whether
    /// it has a tooltip, not its address or its tooltip's text.
    pub compact: bool,
}

/// A top-level block of a rendered body: its kind and where its HTML starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Block {
    /// Byte offset in `Rendered::html` (possibly at the newline before it).
    pub start: usize,
    pub kind: BlockKind,
    /// Whether the block is exactly one element of the page's body: no
    /// HTML of the author's in it (which may open or close any number of
    /// elements) and no wrapper around it. The present view shows such a
    /// block by pointing at it in the page instead of copying it.
    pub single_element: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// `#`…`######`, by level.
    Heading(u8),
    Paragraph,
    BlockQuote,
    /// `---`: a thematic break.
    Rule,
    /// Lists, tables, code, HTML, footnote definitions.
    Other,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// A section heading: its level (2 or 3), its id and its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

pub fn render(body: &str, cx: &MarkdownContext) -> Rendered {
    let mut out = Rendered::default();
    let mut words = Words::default();
    // Only a problem needs a line number: lines are found on the first.
    let line_starts = std::cell::OnceCell::new();
    let position = |offset: usize| {
        let line_starts: &Vec<usize> = line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', body.as_bytes()).map(|i| i + 1))
                .collect()
        });
        let line = line_starts.partition_point(|&s| s <= offset);
        (cx.first_line + line - 1, offset - line_starts[line - 1] + 1)
    };

    // `[text][ref]` and `[text][]` with no `[ref]: address` in the body
    // are shown as text: where each starts. (A shortcut, `[text]`, is
    // mostly prose: "[sic]", "[1]".)
    let undefined_refs = std::cell::RefCell::new(Vec::new());
    let note_undefined = |link: BrokenLink<'_>| {
        if matches!(link.link_type, LinkType::Reference | LinkType::Collapsed) {
            undefined_refs.borrow_mut().push(link.span.clone());
        }
        None
    };
    let events: Vec<(Event, std::ops::Range<usize>)> = merge_text(
        Parser::new_with_broken_link_callback(body, options(), Some(note_undefined))
            .into_offset_iter(),
    );
    let mut undefined_refs = undefined_refs.into_inner();
    undefined_refs.dedup_by_key(|span| span.start);
    for span in undefined_refs {
        let written = &body[span.clone()];
        // The label: `ref` of `[text][ref]`, `text` of `[text][]`.
        let label = match written.rfind('[') {
            Some(at) if at > 0 => &written[at + 1..],
            _ => &written[1..],
        };
        let label = label.split(']').next().unwrap_or_default();
        let (line, col) = position(span.start);
        out.problems.push(Diagnostic::warning(
            cx.source,
            line,
            col,
            format!(
                "link \"{}\" is shown as text: no line \"[{label}]: address\" in this file defines [{label}]; add one, or write the address in the link: [text](address)",
                shorten(written, 60)
            ),
        ));
    }
    // The entry a wiki-style `[[name]]` means, as a link from here: the
    // file named so (or by its slug) beside this one, else in a content
    // type's folder.
    let wiki_target = |name: &str| -> Option<String> {
        let here = cx.source.parent().unwrap_or(Path::new(""));
        let content = Path::new(crate::paths::CONTENT_DIR);
        let files = [format!("{name}.md"), format!("{}.md", slug::slugify(name))];
        let folders = std::iter::once(here.to_path_buf()).chain(
            crate::load::Kind::ALL
                .iter()
                .map(|k| content.join(k.folder())),
        );
        for folder in folders {
            for file in &files {
                let candidate = folder.join(file);
                if let Some(PageTarget::Page { .. }) = (cx.resolve_page)(&candidate) {
                    return Some(relative_to(cx.source, &candidate));
                }
            }
        }
        None
    };
    let mut rewritten: Vec<Event> = Vec::with_capacity(events.len() + 16);
    let mut linked_terms: HashSet<usize> = HashSet::new();
    // Compact links and tooltips written (see `MarkdownContext::compact_tips`).
    let mut compacted = (0usize, 0usize);
    // Depth counters: auto-linking never happens inside these.
    let (mut in_link, mut in_code, mut in_heading, mut in_image) = (0usize, 0usize, false, 0usize);
    let mut heading: Option<(usize, String)> = None; // (index in `rewritten` of Start, text)
    let mut paragraph_depth = 0usize;
    let mut first_paragraph_done = false;
    let mut heading_ids = HeadingIds::default();
    let mut image: Option<LocalImage> = None;
    // The lines of the HTML block being read (one event each), so a tag
    // that spans lines is checked whole: (length, offset in the body).
    let mut html_text = String::new();
    // Where the current HTML block's events start in `rewritten`.
    let mut block_start = 0;
    let mut html_block: Vec<(usize, usize)> = Vec::new();
    // Nesting depth of the blocks and inline tags open, and the top-level
    // blocks found: (index in `rewritten` of their first event, kind).
    let mut depth = 0usize;
    let mut top_level: Vec<(usize, BlockKind, bool)> = Vec::new();

    for (event, range) in events {
        if depth == 0 {
            let kind = match &event {
                Event::Start(Tag::Heading { level, .. }) => Some(BlockKind::Heading(*level as u8)),
                Event::Start(Tag::Paragraph) => Some(BlockKind::Paragraph),
                Event::Start(Tag::BlockQuote(_)) => Some(BlockKind::BlockQuote),
                Event::Rule => Some(BlockKind::Rule),
                Event::Start(_) => Some(BlockKind::Other),
                _ => None,
            };
            if let Some(kind) = kind {
                top_level.push((rewritten.len(), kind, true));
            }
        }
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading = Some((rewritten.len(), String::new()));
                rewritten.push(event);
            }
            Event::End(TagEnd::Heading(level)) => {
                in_heading = false;
                if let Some((start, text)) = heading.take() {
                    let id = finish_heading(
                        &mut rewritten,
                        start,
                        &text,
                        &mut out.anchors,
                        &mut heading_ids,
                        cx.id_prefix,
                    );
                    if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
                        out.headings.push(Heading {
                            level: level as u8,
                            id: id.clone(),
                            text: text.clone(),
                        });
                    }
                    if level > HeadingLevel::H1 {
                        // An explicit `{#id}` may hold any character but
                        // whitespace, quotes included: escaped, or it could
                        // close the attribute and add an event handler.
                        let mut anchor = String::from("<a class=\"anchor\" href=\"#");
                        let _ = escape_href(&mut anchor, &id);
                        anchor.push_str("\" aria-hidden=\"true\" tabindex=\"-1\">#</a>");
                        rewritten.push(Event::InlineHtml(CowStr::from(anchor)));
                    }
                    words.add(&text);
                    words.gap();
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
                // A local photo of known size: written out whole at its end.
                if in_image == 1 {
                    image = local_image(&dest_url, cx).map(|size| LocalImage {
                        start: rewritten.len(),
                        src: dest.to_string(),
                        title: title.to_string(),
                        size,
                    });
                }
                rewritten.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url: dest,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                in_image = in_image.saturating_sub(1);
                match image.take().filter(|_| in_image == 0) {
                    Some(img) => {
                        let alt: String = rewritten[img.start + 1..]
                            .iter()
                            .filter_map(|e| match e {
                                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                                _ => None,
                            })
                            .collect();
                        rewritten.truncate(img.start);
                        let out_path = img.src.strip_prefix(cx.root).unwrap_or(&img.src);
                        let mut html = format!(
                            "<img {} alt=\"{}\"",
                            super::images::img_attributes(cx.root, out_path, img.size),
                            super::theme::escape_html(&alt)
                        );
                        if !img.title.is_empty() {
                            html.push_str(&format!(
                                " title=\"{}\"",
                                super::theme::escape_html(&img.title)
                            ));
                        }
                        html.push('>');
                        rewritten.push(Event::InlineHtml(CowStr::from(html)));
                    }
                    None => rewritten.push(event),
                }
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
                words.gap();
                rewritten.push(event);
            }
            Event::Text(text) => {
                if in_code == 0 {
                    // A run that opens a paragraph's line may be a heading
                    // missing its space.
                    let before = body[..range.start].trim_end_matches([' ', '\t']);
                    let opens_line = !in_heading
                        && paragraph_depth > 0
                        && (before.is_empty() || before.ends_with('\n'));
                    for (at, message) in
                        literal_links(&body[range.clone()], opens_line, &wiki_target)
                    {
                        let (line, col) = position(range.start + at);
                        out.problems
                            .push(Diagnostic::warning(cx.source, line, col, message));
                    }
                }
                if let Some((_, h)) = heading.as_mut() {
                    h.push_str(&text);
                }
                if !in_heading {
                    words.add(&text);
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
                        cx.compact_tips.then_some(&mut compacted),
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
                words.add(&code);
                if paragraph_depth > 0 && !first_paragraph_done {
                    out.first_paragraph.push_str(&code);
                }
                rewritten.push(Event::Code(code));
            }
            Event::SoftBreak | Event::HardBreak => {
                words.gap();
                if paragraph_depth > 0 && !first_paragraph_done {
                    out.first_paragraph.push(' ');
                }
                rewritten.push(event);
            }
            Event::End(TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_)) => {
                words.gap();
                rewritten.push(event);
            }
            Event::Html(ref html) => {
                mark_own_html(&mut top_level);
                if html_block.is_empty() {
                    block_start = rewritten.len();
                }
                html_block.push((html.len(), range.start));
                html_text.push_str(html);
                rewritten.push(event);
            }
            Event::End(TagEnd::HtmlBlock) => {
                // A tag may span lines (events): the block's URLs are
                // rewritten in the whole block at once.
                if let Some(html) =
                    rewrite_raw_html(&html_text, &html_block, cx, &position, &mut out)
                {
                    rewritten.truncate(block_start);
                    rewritten.push(Event::Html(CowStr::from(html)));
                }
                html_text.clear();
                html_block.clear();
                rewritten.push(event);
            }
            Event::InlineHtml(ref html) => {
                mark_own_html(&mut top_level);
                let pieces = [(html.len(), range.start)];
                match rewrite_raw_html(html, &pieces, cx, &position, &mut out) {
                    Some(html) => rewritten.push(Event::InlineHtml(CowStr::from(html))),
                    None => rewritten.push(event),
                }
            }
            other => rewritten.push(other),
        }
    }
    if let Some(html) = rewrite_raw_html(&html_text, &html_block, cx, &position, &mut out) {
        rewritten.truncate(block_start);
        rewritten.push(Event::Html(CowStr::from(html)));
    }
    // Explicit links to term pages count as mentions too (for back-links).
    if let Some(g) = cx.glossary {
        for link in &out.links {
            if let Some(PageTarget::Page { url, .. }) = (cx.resolve_page)(&link.target)
                && let Some(i) = g.term_by_url(&url)
            {
                linked_terms.insert(i);
            }
        }
    }
    let mut mentions: Vec<usize> = linked_terms.into_iter().collect();
    mentions.sort_unstable();
    out.mentions = mentions;
    out.html.reserve(body.len() * 3 / 2);
    // The writer reports how much it wrote, so each top-level block's
    // offset is known as its first event is handed over.
    let (rewritten, moved, wrapped) = wrap_trainer_sections(rewritten);
    // Trainer sections add wrapper events: block starts move with them.
    let top_level: Vec<(usize, BlockKind, bool)> = top_level
        .into_iter()
        .map(|(at, kind, single)| {
            (
                moved.get(at).copied().unwrap_or(at),
                kind,
                single && !wrapped,
            )
        })
        .collect();
    let written = std::cell::Cell::new(0usize);
    let mut next = top_level.iter().peekable();
    let mut blocks = Vec::with_capacity(top_level.len());
    let events = rewritten.into_iter().enumerate().map(|(i, event)| {
        while let Some(&&(at, kind, single_element)) = next.peek() {
            if at > i {
                break;
            }
            blocks.push(Block {
                start: written.get(),
                kind,
                single_element,
            });
            next.next();
        }
        event
    });
    let writer = Tracked {
        out: &mut out.html,
        written: &written,
    };
    let _ = pulldown_cmark::html::write_html_fmt(writer, events);
    out.blocks = blocks;
    out.words = words.count;
    // Bodies are kept for the whole build (and while serving): without
    // this, the growth slack of 10,000 bodies is some 40 MB.
    out.html = exact(out.html);
    out.first_paragraph = exact(out.first_paragraph);
    // A mark that the text itself holds would be taken for a tooltip.
    if cx.compact_tips {
        let (links, tips) = compacted;
        if mark_counts(&out.html) != (links, tips, links + tips) {
            let plain = MarkdownContext {
                compact_tips: false,
                ..*cx
            };
            return render(body, &plain);
        }
        out.compact = true;
    }
    out
}

/// `s` in an allocation of its own length. `shrink_to_fit` is not enough:
/// mimalloc shrinks a block in place while the new size is at least half
/// of it, so a body's HTML that outgrew its first guess would keep up to
/// twice its length (some 600 MB over 100,000 bodies).
pub fn exact(s: String) -> String {
    if s.capacity() == s.len() {
        s
    } else {
        s.as_str().to_owned()
    }
}

/// Counts words in text handed over piece by piece, as if the pieces were
/// one string: a word ends at whitespace or at a `gap` (a block boundary).
/// Counted at ASCII spaces: an estimate is all reading time and "long
/// page" need, and it is ten times faster than `split_whitespace`.
#[derive(Default)]
struct Words {
    count: usize,
    in_word: bool,
}

/// The bytes a word ends at.
const SPACES: [u8; 4] = [b' ', b'\n', b'\t', b'\r'];

fn is_space(b: u8) -> bool {
    SPACES.contains(&b)
}

impl Words {
    fn add(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return;
        };
        // A word starts at each non-space after a space: 16 bytes at a
        // time, as bit masks (this was 1.6% of a build's instructions a
        // byte at a time). `after_space` is whether the byte before the
        // next one is a space (none is before the first).
        let mut starts = 0;
        let mut after_space = 0;
        let mut chunks = bytes.chunks_exact(16);
        for chunk in &mut chunks {
            let spaces =
                campfire_search::byte_scan::any_of(chunk.try_into().expect("16 bytes"), SPACES);
            starts += ((spaces << 1 | after_space) & !spaces & 0xFFFF).count_ones();
            after_space = spaces >> 15;
        }
        for &b in chunks.remainder() {
            let space = u32::from(is_space(b));
            starts += after_space & (space ^ 1);
            after_space = space;
        }
        self.count += starts as usize + usize::from(!self.in_word && !is_space(first));
        self.in_word = !is_space(last);
    }

    fn gap(&mut self) {
        self.in_word = false;
    }
}

/// A `String` that tells how long it is after every write.
struct Tracked<'s> {
    out: &'s mut String,
    written: &'s std::cell::Cell<usize>,
}

impl std::fmt::Write for Tracked<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.out.push_str(s);
        self.written.set(self.out.len());
        Ok(())
    }
}

/// pulldown-cmark splits text at entities and smart punctuation; terms may
/// span such splits, so glue adjacent text back together. The run being
/// glued is kept in one growing `String`: re-copying it at every split was
/// quadratic (a 1 MB line of `&amp;` took 11 s, 2 MB 42 s).
fn merge_text<'a>(
    iter: impl Iterator<Item = (Event<'a>, std::ops::Range<usize>)>,
) -> Vec<(Event<'a>, std::ops::Range<usize>)> {
    let mut out: Vec<(Event<'a>, std::ops::Range<usize>)> = Vec::new();
    // The text run being glued, once it has more than one piece.
    let mut run: Option<(String, std::ops::Range<usize>)> = None;
    let flush = |run: &mut Option<(String, std::ops::Range<usize>)>,
                 out: &mut Vec<(Event<'a>, std::ops::Range<usize>)>| {
        if let Some((text, range)) = run.take() {
            out.push((Event::Text(CowStr::from(text)), range));
        }
    };
    for (event, range) in iter {
        match event {
            Event::Text(next) => {
                if let Some((text, r)) = run.as_mut() {
                    text.push_str(&next);
                    r.end = range.end;
                } else if let Some((Event::Text(_), _)) = out.last() {
                    let Some((Event::Text(prev), prev_range)) = out.pop() else {
                        unreachable!("checked above")
                    };
                    let mut text = String::with_capacity(prev.len() + next.len());
                    text.push_str(&prev);
                    text.push_str(&next);
                    run = Some((text, prev_range.start..range.end));
                } else {
                    out.push((Event::Text(next), range));
                }
            }
            other => {
                flush(&mut run, &mut out);
                out.push((other, range));
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The ids the default theme gives elements of an entry's page around its
/// body (base.html and the entry layouts).
const THEME_IDS: &[&str] = &[
    "deck",
    "deck-template",
    "def-h",
    "lens-choice",
    "lenses-h",
    "main",
    "mentioned-h",
    "metrics-h",
    "related-h",
    "related-stories-h",
    "site-search",
    "trainer-notes",
];

/// Heading ids given so far, with the next suffix to try for each base id:
/// de-duplicating by probing `x-1`, `x-2`… from 1 every time was quadratic
/// (20,000 identical headings took 19–26 s).
#[derive(Default)]
struct HeadingIds {
    next_suffix: HashMap<String, usize>,
}

impl HeadingIds {
    /// `base` itself if unused, else the first free `base-N`. Each base's
    /// counter only moves forward, so all probing together is linear in the
    /// number of headings.
    fn unique(&mut self, base: String, anchors: &mut HashSet<String>) -> String {
        let mut unique = base.clone();
        if anchors.contains(&unique) {
            let n = self.next_suffix.entry(base.clone()).or_insert(1);
            loop {
                unique = format!("{base}-{n}");
                *n += 1;
                if !anchors.contains(&unique) {
                    break;
                }
            }
        }
        anchors.insert(unique.clone());
        unique
    }
}

/// Gives the heading at `rewritten[start]` an id (its own `{#id}` if set).
fn finish_heading(
    rewritten: &mut [Event],
    start: usize,
    text: &str,
    anchors: &mut HashSet<String>,
    ids: &mut HeadingIds,
    id_prefix: &str,
) -> String {
    let Event::Start(Tag::Heading { id, .. }) = &mut rewritten[start] else {
        return String::new();
    };
    let base = match id {
        Some(explicit) => explicit.to_string(),
        // A heading "Main" or "Site search" must not take an id of the
        // page around the body, or the skip link and the search box's
        // label would point at it: it gets "main-1", as a second "Main"
        // would.
        None => {
            let base = anchor_id(text);
            if THEME_IDS.contains(&base.as_str()) && !anchors.contains(&base) {
                anchors.insert(base.clone());
            }
            base
        }
    };
    // The prefix keeps ids unique where several bodies share a page (the
    // print view); the anchors checked by links stay the body's own.
    let unique = format!("{id_prefix}{}", ids.unique(base, anchors));
    *id = Some(CowStr::from(unique.clone()));
    unique
}

/// Sections whose heading is marked `{.trainer}` (`## Running the session
/// {.trainer}`) are wrapped in `<div class="trainer-only">` up to the next
/// heading of the same or a higher level: the theme shows them on the
/// path's page and leaves them out of the participants' handout. Only
/// headings outside lists and quotes open a section, so the wrapper always
/// closes where it opened.
/// Also returns where each event went (its new index), so positions
/// recorded in the old list can follow, and whether it wrapped any.
fn wrap_trainer_sections(events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<usize>, bool) {
    let marked = |e: &Event| matches!(e, Event::Start(Tag::Heading { classes, .. }) if classes.iter().any(|c| &**c == "trainer"));
    if !events.iter().any(marked) {
        let moved = (0..=events.len()).collect();
        return (events, moved, false);
    }
    const OPEN: &str = "<div class=\"trainer-only\">\n";
    const CLOSE: &str = "</div>\n";
    let mut out = Vec::with_capacity(events.len() + 4);
    let mut moved = Vec::with_capacity(events.len() + 1);
    let mut depth = 0usize;
    let mut open: Option<HeadingLevel> = None;
    for e in events {
        match &e {
            Event::Start(
                Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::FootnoteDefinition(_)
                | Tag::Table(_)
                | Tag::HtmlBlock,
            ) => depth += 1,
            Event::End(
                TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Item
                | TagEnd::FootnoteDefinition
                | TagEnd::Table
                | TagEnd::HtmlBlock,
            ) => depth = depth.saturating_sub(1),
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                if open.is_some_and(|l| *level <= l) {
                    out.push(Event::Html(CowStr::from(CLOSE)));
                    open = None;
                }
                if open.is_none() && marked(&e) {
                    out.push(Event::Html(CowStr::from(OPEN)));
                    open = Some(*level);
                }
            }
            _ => {}
        }
        moved.push(out.len());
        out.push(e);
    }
    moved.push(out.len());
    if open.is_some() {
        out.push(Event::Html(CowStr::from(CLOSE)));
    }
    (out, moved, true)
}

/// The top-level block being read holds HTML of the author's.
fn mark_own_html(top_level: &mut [(usize, BlockKind, bool)]) {
    if let Some(block) = top_level.last_mut() {
        block.2 = false;
    }
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
    mut compact: Option<&mut (usize, usize)>,
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
        let mark = |html: &mut String, mark: char| {
            html.push(mark);
            html.push_str(&m.term.to_string());
            html.push(TIP_END);
        };
        match compact.as_deref_mut() {
            Some((links, _)) => {
                *links += 1;
                mark(&mut html, LINK_MARK);
            }
            None => link_open(&mut html, term, root, id_prefix),
        }
        let _ = escape_html(&mut html, &text[m.start..m.end]);
        html.push_str("</a>");
        if let Some(short) = &term.short {
            match compact.as_deref_mut() {
                Some((_, tips)) => {
                    *tips += 1;
                    mark(&mut html, TIP_MARK);
                }
                None => tip_html(&mut html, term, short, id_prefix),
            }
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

/// Link syntax that Markdown shows as text, found in the source of a run
/// of text: where each starts, and what to tell its writer. A champion's
/// usual slips: a file name with a space (`![Van](snowed in van.jpg)`), a
/// space between `]` and `(`, a wiki-style `[[link]]`, and, when `src`
/// opens a line of a paragraph, a heading without its space (`##Notes`).
fn literal_links(
    src: &str,
    opens_line: bool,
    wiki_target: &dyn Fn(&str) -> Option<String>,
) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    // `##Heading` (`#Heading` is as likely a hashtag).
    let hashes = src.bytes().take_while(|&b| b == b'#').count();
    if opens_line
        && (2..=6).contains(&hashes)
        && src[hashes..].starts_with(|c: char| !c.is_whitespace() && c != '#')
    {
        let line = src.lines().next().unwrap_or_default();
        let (marks, title) = line.split_at(hashes);
        found.push((
            0,
            format!(
                "\"{}\" is shown as text, not as a heading: put a space after the #s (\"{marks} {}\")",
                shorten(line, 60),
                shorten(title, 60)
            ),
        ));
    }
    if !src.contains('[') {
        return found;
    }
    let escaped = |at: usize| at > 0 && src.as_bytes()[at - 1] == b'\\';
    // Where a search from `from` stops: the line's end, or `REACH` bytes
    // on, so that hostile text (a line of a million `]`) stays linear.
    const REACH: usize = 400;
    let line_end = |from: usize| {
        let mut end = (from + REACH).min(src.len());
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        src[from..end].find('\n').map_or(end, |e| from + e)
    };
    let mut from = 0;
    while let Some(at) = src[from..].find("[[").map(|i| from + i) {
        let end = line_end(at);
        match src[at + 2..end].find("]]") {
            Some(close)
                if close > 0
                    && !escaped(at)
                    && !src[at + 2..at + 2 + close].contains(['[', ']']) =>
            {
                let name = &src[at + 2..at + 2 + close];
                let write = match wiki_target(name.trim()) {
                    Some(file) => format!("write [{name}]({file})"),
                    None => format!(
                        "write [{name}](file.md), with the path of the file relative to this one"
                    ),
                };
                found.push((
                    at,
                    format!(
                        "\"[[{name}]]\" is shown as text: Markdown has no [[…]] links; {write}"
                    ),
                ));
                from = at + 2 + close + 2;
            }
            _ => from = at + 2,
        }
    }
    // A footnote's mark is text only when nothing defines it.
    for (at, _) in src.match_indices("[^") {
        let end = line_end(at);
        let Some(close) = src[at + 2..end].find(']').map(|c| at + 2 + c) else {
            continue;
        };
        let label = &src[at + 2..close];
        if escaped(at) || label.is_empty() || label.contains(char::is_whitespace) {
            continue;
        }
        found.push((
            at,
            format!(
                "footnote \"[^{label}]\" is shown as text: no line \"[^{label}]: …\" in this file says what it notes; add one (at the end of the file)"
            ),
        ));
    }
    for (at, _) in src.match_indices(']') {
        let (spaced, open_at) = match &src.as_bytes()[at + 1..] {
            [b'(', ..] => (false, at + 2),
            [b' ', b'(', ..] => (true, at + 3),
            _ => continue,
        };
        // The `[` that opens the text, on the same line (and in reach).
        let mut line_start = at.saturating_sub(REACH);
        while !src.is_char_boundary(line_start) {
            line_start += 1;
        }
        let line_start = src[line_start..at]
            .rfind('\n')
            .map_or(line_start, |n| line_start + n + 1);
        let Some(open) = src[line_start..at].rfind('[').map(|o| line_start + o) else {
            continue;
        };
        if escaped(open) || src[open..].starts_with("[[") || src[open..].starts_with("[^") {
            continue;
        }
        let end = line_end(open_at);
        let Some(close) = src[open_at..end].find(')').map(|c| open_at + c) else {
            continue;
        };
        let address = src[open_at..close].trim();
        let image = open > 0 && src.as_bytes()[open - 1] == b'!';
        let (start, what) = match image {
            true => (open - 1, "image"),
            false => (open, "link"),
        };
        let written = shorten(&src[start..=close], 60);
        if spaced {
            // `[sic] (sometimes)` is prose: only an address is a slip.
            if address.is_empty()
                || address.contains(char::is_whitespace)
                || !address.contains(['.', '/', ':'])
            {
                continue;
            }
            found.push((
                start,
                format!(
                    "{what} \"{written}\" is shown as text: a space between ] and ( breaks it; remove the space"
                ),
            ));
        } else if address.contains(char::is_whitespace) {
            found.push((
                start,
                format!(
                    "{what} \"{written}\" is shown as text: its address holds a space; write it as <{address}>, or with %20 for each space"
                ),
            ));
        }
    }
    found.sort_by_key(|&(at, _)| at);
    found
}

/// The section of the site a root-relative `url` (`/stories/x/`) leads
/// into, if it is one of Campfire's own (`stories`, `glossary`, `tags`…):
/// a link within the site written as the host's path, which only works
/// when the site sits at a host's root. Other root paths may be another
/// application on the same host, and are left alone.
fn campfire_section_from_root(url: &str) -> Option<&'static str> {
    let path = url.strip_prefix('/').filter(|p| !p.starts_with('/'))?;
    let first = path.split(['/', '?', '#']).next().unwrap_or_default();
    crate::paths::reserved_segments().find(|s| !s.is_empty() && *s == first)
}

/// Whether `url` is an address on this computer (`http://127.0.0.1:1111/…`,
/// `localhost`): one copied from `campfire serve`'s tab, which works only
/// here, while it runs.
fn is_local_preview(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return false;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    let ip = host.parse::<std::net::IpAddr>();
    host.eq_ignore_ascii_case("localhost")
        || ip.is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

/// Rewrites a relative link or image source to the URL of what it points at.
/// A local JPEG or PNG being read (see `images`): where its events start,
/// its rewritten address, title and size.
struct LocalImage {
    start: usize,
    src: String,
    title: String,
    size: (u32, u32),
}

/// The size of the local image `dest` names, if it is one of known size.
fn local_image(dest: &str, cx: &MarkdownContext) -> Option<(u32, u32)> {
    if dest.is_empty() || is_external(dest) || dest.contains(['#', '?']) || dest.contains(':') {
        return None;
    }
    let target = normalize(
        &cx.source
            .parent()
            .unwrap_or(Path::new(""))
            .join(percent_decode(dest).as_ref() as &str),
    );
    (cx.image_size)(&target)
}

fn rewrite_url<'a>(
    dest: &CowStr<'a>,
    offset: usize,
    image: bool,
    cx: &MarkdownContext,
    position: &dyn Fn(usize) -> (usize, usize),
    out: &mut Rendered,
) -> CowStr<'a> {
    if let Some(scheme) = unsafe_scheme(dest, image) {
        let (line, col) = position(offset);
        out.problems.push(Diagnostic::warning(
            cx.source,
            line,
            col,
            format!(
                "unsafe {} \"{}\" removed: {scheme}: URLs can run code in a reader's browser; link to a page or an https:// address instead",
                if image { "image" } else { "link" },
                shorten(dest, 60)
            ),
        ));
        // Links keep working as links to the page itself; images show
        // their alt text.
        return CowStr::Borrowed(if image { "" } else { "#" });
    }
    // Addresses that work only where they were written.
    let only_here = if is_local_preview(dest) {
        Some("leads to a preview on this computer, which no reader can open".to_string())
    } else {
        campfire_section_from_root(dest).map(|section| {
            format!(
                "starts at the site's root (/{section}/…), so it breaks when the site is opened from its folder or published under a sub-path"
            )
        })
    };
    if let Some(why) = only_here {
        let (line, col) = position(offset);
        out.problems.push(Diagnostic::warning(
            cx.source,
            line,
            col,
            format!(
                "{} \"{}\" {why}: link to the file instead, relative to this one (e.g. ../stories/other-story.md)",
                if image { "image" } else { "link" },
                shorten(dest, 60)
            ),
        ));
    }
    if dest.is_empty() || is_external(dest) {
        return dest.clone();
    }
    let (path_part, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (dest.as_ref(), None),
    };
    // A query (`photo.jpg?v=2`, a cache-buster) is no part of the file's
    // name: the file is looked up without it, and the link keeps it.
    let (path_part, query) = match path_part.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (path_part, String::new()),
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
            Some(PageTarget::Page { url, moved_to }) => {
                let anchor = anchor.unwrap_or_default();
                // A link to a file that was renamed leads to its page and
                // is checked against it (its anchor too), with a warning.
                let target = match moved_to {
                    Some(now) => {
                        let hash = if anchor.is_empty() { "" } else { "#" };
                        problem(format!(
                            "link \"{dest}\": {} was renamed to {} (its moved_from says so): the link leads there, but write \"{}{query}{hash}{anchor}\" so that it keeps working",
                            target.display(),
                            now.display(),
                            relative_to(cx.source, &now),
                        ));
                        now
                    }
                    None => target.clone(),
                };
                out.links.push(PageLink {
                    target,
                    anchor: anchor.to_string(),
                    line,
                    col,
                });
                let suffix = if anchor.is_empty() {
                    String::new()
                } else {
                    format!("#{anchor}")
                };
                CowStr::from(format!("{}{url}index.html{query}{suffix}", cx.root))
            }
            Some(PageTarget::LeftOut(why)) => {
                problem(left_out_link(dest, &target, why));
                dest.clone()
            }
            Some(PageTarget::NamedOtherwise(twin)) => {
                problem(format!(
                    "broken link \"{dest}\": {} does not exist; {}",
                    target.display(),
                    other_capitals_hint(cx.source, &twin)
                ));
                dest.clone()
            }
            None => {
                problem(format!(
                    "broken link \"{dest}\": {} does not exist; fix the path, relative to this file",
                    target.display()
                ));
                dest.clone()
            }
        };
    }
    match (cx.resolve_asset)(&target) {
        AssetLookup::Found(out_path) => {
            let suffix = anchor.map(|a| format!("#{a}")).unwrap_or_default();
            CowStr::from(format!("{}{out_path}{query}{suffix}", cx.root))
        }
        AssetLookup::Missing {
            named_otherwise: twin,
        } => {
            // `[x](other-story)`: an entry is linked by its file's name.
            let entry = target.with_extension("md");
            let hint = match (twin, target.extension()) {
                (Some(twin), _) => other_capitals_hint(cx.source, &twin),
                (None, None)
                    if !image
                        && matches!((cx.resolve_page)(&entry), Some(PageTarget::Page { .. })) =>
                {
                    format!(
                        "did you mean \"{}\"? (an entry is linked by its file's name)",
                        relative_to(cx.source, &entry)
                    )
                }
                (None, _) => "fix the path, relative to this file".to_string(),
            };
            problem(format!(
                "broken {} \"{dest}\": {} does not exist; {hint}",
                if image { "image" } else { "link" },
                target.display()
            ));
            dest.clone()
        }
    }
}

/// What a link from `source` says of `twin`, the file it names in other
/// capitals: which name to write.
pub fn other_capitals_hint(source: &Path, twin: &Path) -> String {
    format!(
        "{} has the name with other capitals: write \"{}\" (a Mac or Windows ignores the difference, the web server does not)",
        twin.display(),
        relative_to(source, twin)
    )
}

/// What a link to a file the build left out says: why the file has no
/// page, and what makes the link work.
fn left_out_link(dest: &str, target: &Path, why: Why) -> String {
    let target = target.display();
    match why {
        Why::Draft => format!(
            "broken link \"{dest}\": {target} is a draft (`draft: true`), so it has no page; publish it with `draft: false` or remove the link"
        ),
        Why::Errors => format!(
            "broken link \"{dest}\": {target} has errors, reported at its own lines, so it has no page; the link will work once they are fixed"
        ),
    }
}

/// The scheme of `url` if a browser would run it as code: `javascript:`,
/// `vbscript:`, or `data:` (except `data:image/…` as an image source, which
/// a browser only decodes as a picture). It reads the URL the way a
/// browser's URL parser does: leading spaces and control characters are
/// dropped, tabs and newlines are ignored anywhere, the scheme is
/// case-insensitive. Entities (`&#106;avascript:`) are already decoded by
/// the Markdown parser (and by [`decode_entities`] for raw HTML); a
/// percent-encoded scheme is no scheme at all to a browser.
fn unsafe_scheme(url: &str, image: bool) -> Option<&'static str> {
    let mut scheme = String::new();
    let mut rest = String::new();
    let mut in_scheme = true;
    for c in url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
    {
        if in_scheme {
            if c == ':' {
                in_scheme = false;
            } else if c.is_ascii_alphanumeric() || "+-.".contains(c) {
                scheme.push(c.to_ascii_lowercase());
                if scheme.len() > 10 {
                    return None;
                }
            } else {
                return None;
            }
        } else {
            rest.push(c.to_ascii_lowercase());
            if rest.len() >= 6 {
                break;
            }
        }
    }
    if in_scheme {
        return None;
    }
    match scheme.as_str() {
        "javascript" => Some("javascript"),
        "vbscript" => Some("vbscript"),
        "data" if !(image && rest.starts_with("image/")) => Some("data"),
        _ => None,
    }
}

/// At most `max` characters of `s`, for messages (a data: URL can be megabytes).
fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Attributes whose value a browser follows or loads as a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "xlink:href",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "srcset",
];

/// What Campfire acts on in a piece of raw HTML.
enum RawHtmlFinding {
    /// A `<script>` element or an `on…=` event handler (`what` says which),
    /// at byte `at`: published as written, and flagged.
    Script { at: usize, what: String },
    /// The value (its byte range, quotes excluded) of a URL attribute
    /// (`attr`, lower-cased) of a `tag` element starting at byte `at`.
    Url {
        at: usize,
        tag: String,
        attr: String,
        value: std::ops::Range<usize>,
    },
}

/// The `<script>` elements, event handlers and URL attributes of raw HTML,
/// in order. A tolerant scan, not a parser: it reads tags and attributes
/// the way a browser tokenises them, which is all a rewrite needs.
fn scan_raw_html(html: &str) -> Vec<RawHtmlFinding> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(lt) = html[i..].find('<') {
        let tag_start = i + lt;
        i = tag_start + 1;
        let name_len = html[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(html.len() - i);
        if name_len == 0 || !bytes[i].is_ascii_alphabetic() {
            continue;
        }
        let tag = html[i..i + name_len].to_ascii_lowercase();
        i += name_len;
        if tag == "script" {
            found.push(RawHtmlFinding::Script {
                at: tag_start,
                what: "a <script> element".to_string(),
            });
        }
        // Attributes up to the end of the tag.
        loop {
            let skip = html[i..]
                .find(|c: char| !(c.is_whitespace() || c == '/'))
                .unwrap_or(html.len() - i);
            i += skip;
            if i >= html.len() || bytes[i] == b'>' || bytes[i] == b'<' {
                break;
            }
            let attr_start = i;
            let len = html[i..]
                .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
                .unwrap_or(html.len() - i)
                .max(1);
            let name = html[i..i + len].to_ascii_lowercase();
            i += len;
            let ws = html[i..]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(html.len() - i);
            let mut value = None;
            if html[i + ws..].starts_with('=') {
                i += ws + 1;
                i += html[i..]
                    .find(|c: char| !c.is_whitespace())
                    .unwrap_or(html.len() - i);
                let (range, end) = match bytes.get(i) {
                    Some(&q @ (b'"' | b'\'')) => {
                        let close = html[i + 1..]
                            .find(q as char)
                            .map_or(html.len(), |e| i + 1 + e);
                        ((i + 1).min(close)..close, (close + 1).min(html.len()))
                    }
                    _ => {
                        let e = html[i..]
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .map_or(html.len(), |e| i + e);
                        (i..e, e)
                    }
                };
                value = Some(range);
                i = end;
            }
            if name.len() > 2 && name.starts_with("on") {
                found.push(RawHtmlFinding::Script {
                    at: attr_start,
                    what: format!("an event handler ({name}=)"),
                });
            } else if let Some(value) = value
                && URL_ATTRIBUTES.contains(&name.as_str())
            {
                found.push(RawHtmlFinding::Url {
                    at: attr_start,
                    tag: tag.clone(),
                    attr: name,
                    value,
                });
            }
        }
    }
    found
}

/// Raw HTML with its URLs made to work from the page, as Markdown links
/// and images are: a relative `href`, `src`, `srcset` … naming a file or
/// an entry is rewritten to its published address (a missing one is a
/// warning, as a broken Markdown link is), and an unsafe URL
/// (`javascript:`, `vbscript:`, `data:` other than an image's) is replaced
/// by `#`. What can run script is published as written, and flagged.
/// `pieces` are the lengths and body offsets of the source pieces `html`
/// was joined from, to name the line of each warning. `None` when nothing
/// changed.
fn rewrite_raw_html(
    html: &str,
    pieces: &[(usize, usize)],
    cx: &MarkdownContext,
    position: &dyn Fn(usize) -> (usize, usize),
    out: &mut Rendered,
) -> Option<String> {
    if !html.contains('<') {
        return None;
    }
    let body_offset = |at: usize| {
        let mut start = 0;
        for &(len, source) in pieces {
            if at < start + len {
                return source + (at - start);
            }
            start += len;
        }
        pieces.first().map_or(0, |p| p.1)
    };
    let warn = |out: &mut Rendered, at: usize, message: String| {
        let (line, col) = position(body_offset(at));
        out.problems
            .push(Diagnostic::warning(cx.source, line, col, message));
    };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for finding in scan_raw_html(html) {
        let (at, tag, attr, value) = match finding {
            RawHtmlFinding::Script { at, what } => {
                warn(
                    out,
                    at,
                    format!(
                        "raw HTML with {what} is published as written (Campfire changes only the URLs in raw HTML): remove it, or ask whoever maintains the layouts"
                    ),
                );
                continue;
            }
            RawHtmlFinding::Url {
                at,
                tag,
                attr,
                value,
            } => (at, tag, attr, value),
        };
        let written = decode_entities(&html[value.clone()]);
        if let Some(scheme) = unsafe_scheme(&written, tag == "img") {
            warn(
                out,
                at,
                format!(
                    "raw HTML with a {scheme}: URL ({attr}=): the URL was replaced by \"#\"; link to a page or a file instead"
                ),
            );
            edits.push((value, "#".to_string()));
            continue;
        }
        let image = tag == "img" || attr == "poster" || attr == "srcset";
        // Each candidate of a srcset (`a.jpg 480w, b.jpg 960w`) is a URL.
        let whole = std::iter::once(0..written.len());
        let urls: Vec<std::ops::Range<usize>> = if attr == "srcset" {
            srcset_urls(&written)
        } else {
            whole.collect()
        };
        // The value again, escaped for an attribute: URLs as links are,
        // the srcset's descriptors as text.
        let mut escaped = String::with_capacity(written.len() + 16);
        let mut changed = false;
        let mut from = 0;
        for url in urls {
            let dest = &written[url.clone()];
            let _ = escape_html(&mut escaped, &written[from..url.start]);
            from = url.end;
            // `#id` may name an element of the raw HTML itself, which the
            // heading check cannot see: left as written.
            let new = if dest.starts_with('#') {
                CowStr::Borrowed(dest)
            } else {
                // Where in the body the URL is (exact when the value holds
                // no character references).
                let offset = body_offset(value.start + url.start.min(value.len()));
                rewrite_url(&CowStr::Borrowed(dest), offset, image, cx, position, out)
            };
            changed |= new.as_ref() != dest;
            let _ = escape_href(&mut escaped, &new);
        }
        let _ = escape_html(&mut escaped, &written[from..]);
        if changed {
            edits.push((value, escaped));
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut rewritten = String::with_capacity(html.len() + 32);
    let mut at = 0;
    for (range, with) in edits {
        rewritten.push_str(&html[at..range.start]);
        rewritten.push_str(&with);
        at = range.end;
    }
    rewritten.push_str(&html[at..]);
    Some(rewritten)
}

/// The byte ranges of the URLs of a `srcset` value: each comma-separated
/// candidate is a URL and an optional descriptor (`480w`, `2x`).
fn srcset_urls(srcset: &str) -> Vec<std::ops::Range<usize>> {
    let mut urls = Vec::new();
    let mut i = 0;
    while i < srcset.len() {
        let skip = srcset[i..]
            .find(|c: char| !(c.is_whitespace() || c == ','))
            .unwrap_or(srcset.len() - i);
        i += skip;
        if i >= srcset.len() {
            break;
        }
        let end = srcset[i..]
            .find(char::is_whitespace)
            .map_or(srcset.len(), |e| i + e);
        // A URL may end with the candidate's comma (`a.jpg,b.jpg 2x`).
        let url_end = if srcset[i..end].ends_with(',') {
            end - 1
        } else {
            end
        };
        urls.push(i..url_end);
        i = srcset[end..]
            .find(',')
            .map_or(srcset.len(), |c| end + c + 1);
        if url_end < end {
            i = end;
        }
    }
    urls
}

/// Character references as a browser decodes them in attribute values:
/// numeric ones, the named ones that can hide a scheme (`&colon;`, `&Tab;`,
/// `&NewLine;`) and the common ones. Others are left as written.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    push_decoded(&mut out, s);
    out
}

/// Appends `text` to `out` with character references decoded: numeric
/// ones and the named ones [`decode_entities`] knows; others are kept as
/// written. The one decoder of HTML text (link checks, search text).
pub(crate) fn push_decoded(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(amp) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let body_len = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .unwrap_or(rest.len() - 1);
        let body = &rest[1..1 + body_len];
        let decoded = match body.strip_prefix('#') {
            Some(num) => match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            }
            .and_then(char::from_u32),
            None => match body {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                // A word break, as readers and the search see it.
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "hellip" => Some('…'),
                "rsquo" => Some('’'),
                "lsquo" => Some('‘'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                "copy" => Some('©'),
                _ => match body.to_ascii_lowercase().as_str() {
                    "colon" => Some(':'),
                    "tab" => Some('\t'),
                    "newline" => Some('\n'),
                    _ => None,
                },
            },
        };
        match decoded {
            Some(c) if !body.is_empty() => {
                out.push(c);
                let mut used = 1 + body_len;
                if rest[used..].starts_with(';') {
                    used += 1;
                }
                rest = &rest[used..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
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

/// `a%20b.md` → `a b.md` (see `paths::percent_decode`); a malformed escape,
/// or bytes that do not decode to UTF-8, leave the text as it was.
fn percent_decode(s: &str) -> String {
    crate::paths::percent_decode(s)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::autolink::LinkTerm;
    use super::*;

    #[test]
    fn marks_are_counted_and_found_as_the_standard_searches_find_them() {
        let texts = [
            String::new(),
            format!("a{LINK_MARK}3{TIP_END}x{TIP_MARK}12{TIP_END}é\u{FDD0}\u{FFFD}"),
            format!("{TIP_END}{TIP_END}{LINK_MARK}\u{F000}{TIP_MARK}"),
            "plain text with ’curly’ quotes and \u{EFFF}".to_string(),
        ];
        for t in &texts {
            assert_eq!(
                mark_counts(t),
                (
                    t.matches(LINK_MARK).count(),
                    t.matches(TIP_MARK).count(),
                    t.matches(TIP_END).count()
                ),
                "{t:?}"
            );
            for start in (0..=t.len()).filter(|&i| t.is_char_boundary(i)) {
                assert_eq!(find_end(&t[start..]), t[start..].find(TIP_END), "{t:?}");
            }
        }
    }

    #[test]
    fn exact_copies_into_an_allocation_of_its_length() {
        let mut s = String::with_capacity(100);
        s.push_str("<p>Snow</p>");
        let e = exact(s);
        assert_eq!(e, "<p>Snow</p>");
        assert_eq!(e.capacity(), e.len());
    }

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

    fn resolve_page(p: &Path) -> Option<PageTarget> {
        match p.to_str()? {
            "content/stories/other.md" => Some(PageTarget::page("stories/other/")),
            "content/glossary/nps.md" => Some(PageTarget::page("glossary/nps/")),
            "content/stories/old-name.md" => Some(PageTarget::Page {
                url: "stories/other/".into(),
                moved_to: Some("content/stories/other.md".into()),
            }),
            "content/stories/unfinished.md" => Some(PageTarget::LeftOut(Why::Draft)),
            "content/stories/broken.md" => Some(PageTarget::LeftOut(Why::Errors)),
            "content/stories/Other.md" => Some(PageTarget::NamedOtherwise(
                "content/stories/other.md".into(),
            )),
            _ => None,
        }
    }

    fn resolve_asset(p: &Path) -> AssetLookup {
        let snow = Path::new("content/stories/snow.png");
        if p == snow {
            return AssetLookup::Found("stories/snow.png".to_string());
        }
        let named_otherwise = (p == Path::new("content/stories/Snow.PNG")).then(|| snow.into());
        AssetLookup::Missing { named_otherwise }
    }

    fn md(body: &str) -> Rendered {
        md_with(body, &glossary(), false)
    }

    fn md_compact(body: &str, g: &Glossary) -> Rendered {
        md_with(body, g, true)
    }

    fn md_with(body: &str, g: &Glossary, compact_tips: bool) -> Rendered {
        let cx = MarkdownContext {
            source: Path::new("content/stories/snow.md"),
            first_line: 10,
            root: "../../",
            resolve_page: &resolve_page,
            resolve_asset: &resolve_asset,
            image_size: &|_| None,
            glossary: Some(g),
            id_prefix: "",
            compact_tips,
        };
        render(body, &cx)
    }

    fn tips(g: &Glossary) -> Vec<String> {
        g.terms
            .iter()
            .map(|t| {
                let mut tip = String::new();
                if let Some(short) = &t.short {
                    tip_html(&mut tip, t, short, "");
                }
                tip
            })
            .collect()
    }

    #[test]
    fn compact_tooltips_expand_to_the_html_written_in_full() {
        let g = glossary();
        let body = "# Title\n\nOur NPS rose, and the score too.\n\n> NPS again, \
                    and [a link](other.md).\n\n- Net Promoter Score\n";
        let full = md(body);
        let compact = md_compact(body, &g);
        assert!(full.html.contains("term-tip"), "{}", full.html);
        assert!(!compact.html.contains("term-tip"), "{}", compact.html);
        assert!(compact.html.len() < full.html.len());
        let tips = tips(&g);
        let marks = Marks {
            tips: &tips,
            terms: &g.terms,
            root: "../../",
        };
        assert!(!compact.html.contains("term-link"), "{}", compact.html);
        assert_eq!(expand_marks(&compact.html, &marks), full.html);
        // The search text leaves tooltips out either way.
        let text = |html: &str| crate::render::search_docs::html_text(html);
        assert_eq!(strip_marks(text(&compact.html)), text(&full.html));
        assert_eq!(compact.mentions, full.mentions);
        assert_eq!(compact.words, full.words);
        assert_eq!(compact.first_paragraph, full.first_paragraph);
        // Blocks start at the same blocks, counted in the compact HTML.
        let kinds = |r: &Rendered| r.blocks.iter().map(|b| b.kind).collect::<Vec<_>>();
        assert_eq!(kinds(&compact), kinds(&full));
        for (i, b) in compact.blocks.iter().enumerate() {
            let end = compact
                .blocks
                .get(i + 1)
                .map_or(compact.html.len(), |n| n.start);
            let full_end = full.blocks.get(i + 1).map_or(full.html.len(), |n| n.start);
            assert_eq!(
                expand_marks(&compact.html[b.start..end], &marks),
                full.html[full.blocks[i].start..full_end]
            );
        }
    }

    #[test]
    fn a_body_holding_the_marks_itself_is_written_in_full() {
        let g = glossary();
        for body in [
            "Our NPS rose \u{FDD1}0\u{FDD2} here.\n",
            "Our NPS rose \u{FDD2} here.\n",
            "\u{FDD1}NPS\n",
            "Our \u{FDD3}NPS\n",
        ] {
            let compact = md_compact(body, &g);
            assert_eq!(compact.html, md(body).html, "{body:?}");
            assert!(compact.html.contains("term-tip"), "{}", compact.html);
        }
        // Marks that stand for nothing are left as they are.
        let tips = tips(&g);
        let marks = Marks {
            tips: &tips,
            terms: &g.terms,
            root: "",
        };
        assert_eq!(
            expand_marks("a\u{FDD1}x\u{FDD2}b", &marks),
            "a\u{FDD1}x\u{FDD2}b"
        );
        assert_eq!(
            expand_marks("a\u{FDD3}9\u{FDD2}b", &marks),
            "a\u{FDD3}9\u{FDD2}b"
        );
        assert_eq!(
            strip_marks("a\u{FDD1}x\u{FDD2}b".into()),
            "a\u{FDD1}x\u{FDD2}b"
        );
        assert_eq!(strip_marks("a\u{FDD1}12\u{FDD2}b".into()), "ab");
        assert_eq!(strip_marks("a\u{FDD3}1\u{FDD2}b".into()), "ab");
    }

    #[test]
    fn marks_are_found_among_other_characters_of_their_block() {
        // Neighbours sharing the marks' first byte (0xEF) or first two.
        let mut text = String::new();
        for c in [
            '\u{F000}', '\u{FDD0}', '\u{FDD2}', '\u{FF01}', '\u{FEFF}', 'é',
        ] {
            text.push(c);
        }
        assert_eq!(find_mark(&text), None);
        for mark in [TIP_MARK, LINK_MARK] {
            let with_mark = format!("{text}{mark}7{text}");
            assert_eq!(find_mark(&with_mark), Some((text.len(), mark)));
        }
        assert_eq!(find_mark("\u{FDD3}\u{FDD1}"), Some((0, LINK_MARK)));
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
            "content/stories/snow.md:10:71: warning: broken link \"gone.md\": content/stories/gone.md does not exist; fix the path, relative to this file"
        );
        // The explicit link to the NPS page counts as a mention.
        assert_eq!(r.mentions, vec![0]);
    }

    /// A link to a file with no page says which of three it is: not there
    /// (fix the path), a draft (publish it or remove the link), or a file
    /// with errors (reported at its lines; fixing them mends the link).
    #[test]
    fn a_broken_link_says_whether_the_file_is_missing_a_draft_or_has_errors() {
        let r = md("[a](gone.md)\n\n[b](unfinished.md)\n\n[c](broken.md#intro)\n");
        let problems: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            problems,
            [
                "content/stories/snow.md:10:1: warning: broken link \"gone.md\": content/stories/gone.md does not exist; fix the path, relative to this file",
                "content/stories/snow.md:12:1: warning: broken link \"unfinished.md\": content/stories/unfinished.md is a draft (`draft: true`), so it has no page; publish it with `draft: false` or remove the link",
                "content/stories/snow.md:14:1: warning: broken link \"broken.md#intro\": content/stories/broken.md has errors, reported at its own lines, so it has no page; the link will work once they are fixed",
            ]
        );
        assert!(r.links.is_empty(), "no page to check an anchor against");
        assert!(r.html.contains("href=\"unfinished.md\""), "{}", r.html);
    }

    /// A Mac or Windows finds `Snow.PNG` when the file is `snow.png`; the
    /// web server does not, so the preview works and the site breaks.
    #[test]
    fn a_file_named_with_other_capitals_is_named_in_the_warning() {
        let r = md(
            "![snow](Snow.PNG)\n\n<img src=\"Snow.PNG\" alt=\"snow\">\n\n![gone](Gone.png)\n\n[other](Other.md)\n",
        );
        let problems: Vec<String> = r.problems.iter().map(|p| p.to_string()).collect();
        let twin = "does not exist; content/stories/snow.png has the name with other capitals: write \"snow.png\" (a Mac or Windows ignores the difference, the web server does not)";
        assert_eq!(
            problems,
            [
                format!("content/stories/snow.md:10:1: warning: broken image \"Snow.PNG\": content/stories/Snow.PNG {twin}"),
                format!("content/stories/snow.md:12:11: warning: broken image \"Snow.PNG\": content/stories/Snow.PNG {twin}"),
                "content/stories/snow.md:14:1: warning: broken image \"Gone.png\": content/stories/Gone.png does not exist; fix the path, relative to this file".to_string(),
                "content/stories/snow.md:16:1: warning: broken link \"Other.md\": content/stories/Other.md does not exist; content/stories/other.md has the name with other capitals: write \"other.md\" (a Mac or Windows ignores the difference, the web server does not)".to_string(),
            ]
        );
        // Kept as written: the writer decides which name is right.
        assert!(r.html.contains("src=\"Snow.PNG\""), "{}", r.html);
        assert!(r.html.contains("href=\"Other.md\""), "{}", r.html);
    }

    #[test]
    fn a_link_to_a_renamed_file_leads_to_its_page_and_says_what_to_write() {
        let r = md("See [the old one](old-name.md#what-we-learned).\n");
        assert!(
            r.html
                .contains("href=\"../../stories/other/index.html#what-we-learned\""),
            "{}",
            r.html
        );
        assert_eq!(r.problems.len(), 1);
        assert_eq!(
            r.problems[0].to_string(),
            "content/stories/snow.md:10:5: warning: link \"old-name.md#what-we-learned\": content/stories/old-name.md was renamed to content/stories/other.md (its moved_from says so): the link leads there, but write \"other.md#what-we-learned\" so that it keeps working"
        );
        // The anchor is checked against the page it leads to.
        assert_eq!(r.links.len(), 1);
        assert_eq!(r.links[0].target, Path::new("content/stories/other.md"));
    }

    #[test]
    fn relative_links_between_files() {
        let at = |from: &str, to: &str| relative_to(Path::new(from), Path::new(to));
        assert_eq!(at("content/stories/a.md", "content/stories/b.md"), "b.md");
        assert_eq!(
            at("content/stories/a.md", "content/glossary/nps.md"),
            "../glossary/nps.md"
        );
        assert_eq!(
            at("content/pages/guides/a.md", "content/pages/b.md"),
            "../b.md"
        );
        assert_eq!(
            at("content/pages/a.md", "content/pages/guides/b.md"),
            "guides/b.md"
        );
    }

    #[test]
    fn a_query_is_kept_on_the_link_and_left_out_of_the_file_looked_up() {
        let r = md("![snow](snow.png?v=2) and [other](other.md?from=here#what-we-learned)\n");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(
            r.html.contains("src=\"../../stories/snow.png?v=2\""),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("href=\"../../stories/other/index.html?from=here#what-we-learned\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn trainer_sections_are_wrapped_up_to_the_next_heading_of_their_level() {
        let r = md(
            "Intro.\n\n## Running it {.trainer}\n\nPairs.\n\n### Timing\n\nTen minutes.\n\n## Goals\n\nLearn.\n\n- item\n\n  ## In a list {.trainer}\n\nAfter.\n\n## Questions {.trainer}\n\nWhy?\n",
        );
        let html = &r.html;
        let open = html.find("<div class=\"trainer-only\">").unwrap();
        let close = html.find("</div>").unwrap();
        assert!(open < html.find("Running it").unwrap(), "{html}");
        assert!(
            html.find("Ten minutes.").unwrap() < close,
            "the sub-heading stays inside: {html}"
        );
        assert!(close < html.find("Goals").unwrap(), "{html}");
        // A marked heading inside a list opens nothing (it could not close outside it).
        assert_eq!(
            html.matches("<div class=\"trainer-only\">").count(),
            2,
            "{html}"
        );
        assert_eq!(html.matches("</div>").count(), 2, "{html}");
        assert!(
            html.trim_end().ends_with("Why?</p>\n</div>"),
            "closed at the end: {html}"
        );
        // Without marks, nothing changes.
        assert!(!md("## Plain\n\nText.\n").html.contains("trainer-only"));
    }

    #[test]
    fn an_id_prefix_keeps_heading_ids_unique_across_bodies() {
        let g = glossary();
        let cx = MarkdownContext {
            source: Path::new("content/stories/snow.md"),
            first_line: 1,
            root: "../../",
            resolve_page: &resolve_page,
            resolve_asset: &resolve_asset,
            glossary: Some(&g),
            id_prefix: "s2-",
            image_size: &|_| None,
            compact_tips: false,
        };
        let r = render("## What we learned\n\nText.\n", &cx);
        assert!(
            r.html.contains("<h2 id=\"s2-what-we-learned\">"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("href=\"#s2-what-we-learned\""),
            "{}",
            r.html
        );
        // Links between pages check the body's own anchors.
        assert!(r.anchors.contains("what-we-learned"));
    }

    #[test]
    fn headings_get_unique_anchors_and_words_are_counted() {
        let r = md("## What we learned\n\nFirst *para*.\n\n## What we learned\n\nSecond.\n");
        assert!(r.anchors.contains("what-we-learned") && r.anchors.contains("what-we-learned-1"));
        assert_eq!(r.first_paragraph, "First para.");
        // Headings count; pieces of one word (`*para*.`) stay one word.
        assert_eq!(r.words, 3 + 2 + 3 + 1);
    }

    #[test]
    fn words_end_at_spaces_and_block_boundaries() {
        let r = md("ação é `fácil`\n\n- one\n- two\n\n| a | b |\n|---|---|\n| c | d |\n");
        assert_eq!(r.words, 3 + 2 + 4);
    }

    #[test]
    fn words_are_counted_across_the_pieces_of_a_text() {
        let text = "  one two\tthree\n\nfour  five six\r\nseven ";
        // Every way of cutting it in two or three pieces counts the same.
        for i in 0..=text.len() {
            for j in i..=text.len() {
                let mut w = Words::default();
                for piece in [&text[..i], &text[i..j], &text[j..]] {
                    w.add(piece);
                }
                assert_eq!(w.count, 7, "cut at {i} and {j}");
            }
        }
        let mut w = Words::default();
        w.add("word");
        w.gap();
        w.add("next");
        assert_eq!(w.count, 2, "a block boundary ends a word");
    }

    #[test]
    fn words_are_the_runs_between_spaces_across_16_byte_steps() {
        let alphabet = [" ", "\n", "\t", "\r", "a", "b", "é", "\u{a0}", "-"];
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for _ in 0..5_000 {
            let len = next(80);
            let text: String = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let runs = text
                .split([' ', '\n', '\t', '\r'])
                .filter(|run| !run.is_empty())
                .count();
            let mut w = Words::default();
            w.add(&text);
            assert_eq!(w.count, runs, "{text:?}");
        }
    }

    #[test]
    fn a_heading_never_takes_an_id_of_the_page_around_it() {
        let r = md("## Main\n\n## Site search\n\n## Main\n");
        assert!(r.html.contains("<h2 id=\"main-1\">Main"), "{}", r.html);
        assert!(
            r.html.contains("<h2 id=\"site-search-1\">Site search"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<h2 id=\"main-2\">Main"), "{}", r.html);
        assert!(!r.html.contains("id=\"site-search\""), "{}", r.html);
        assert!(!r.html.contains("id=\"main\""), "{}", r.html);
    }

    #[test]
    fn many_identical_headings_get_sequential_ids() {
        // 3,000 is enough to show the ids; the old probing made 100,000
        // take minutes (timings are in the report, not asserted here).
        let body = "## Same\n\n".repeat(3000);
        let r = md(&body);
        assert_eq!(r.anchors.len(), 3000);
        assert!(r.html.starts_with("<h2 id=\"same\">"), "{}", &r.html[..80]);
        for n in [1, 2, 1500, 2999] {
            assert!(
                r.html.contains(&format!("<h2 id=\"same-{n}\">")),
                "same-{n} missing"
            );
        }
        assert!(!r.anchors.contains("same-3000"));
    }

    #[test]
    fn heading_ids_skip_explicit_ones() {
        let r = md("# X\n\n# Other {#x-1}\n\n# X\n\n# X\n\n# X-1\n");
        let ids: Vec<&str> = r
            .html
            .match_indices("id=\"")
            .map(|(i, _)| {
                let rest = &r.html[i + 4..];
                &rest[..rest.find('"').unwrap()]
            })
            .collect();
        assert_eq!(ids, ["x", "x-1", "x-2", "x-3", "x-1-1"]);
    }

    #[test]
    fn text_split_at_entities_is_glued_once() {
        let r = md(&format!("NPS{}end\n", "&amp;".repeat(2000)));
        let merged = merge_text(Parser::new_ext("a &amp; b &lt; c", options()).into_offset_iter());
        assert_eq!(merged.len(), 3, "{merged:?}");
        assert!(matches!(&merged[1].0, Event::Text(t) if t.as_ref() == "a & b < c"));
        assert_eq!(merged[1].1, 0..16);
        assert!(r.html.contains(&"&amp;".repeat(2000)), "{}", r.html);
        assert_eq!(r.html.matches("term-link").count(), 1);
    }

    fn problems(r: &Rendered) -> Vec<String> {
        r.problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn script_urls_in_links_and_images_are_removed_with_a_warning() {
        let r = md(concat!(
            "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](&#106;avascript:alert(1))\n",
            "[d](&#9;java&#x0A;script:x) [e](vbscript:msgbox) [f](data:text/html;base64,PHNjcmlwdD4=)\n",
            "<javascript:alert(2)> [g][ref] ![h](data:text/html,x)\n\n",
            "[ref]: javascript:alert(3)\n",
        ));
        let lower = r.html.to_lowercase();
        for bad in ["=\"javascript", "=\"vbscript", "=\"data:", "=\"\tjava"] {
            assert!(!lower.contains(bad), "{bad} in {}", r.html);
        }
        assert_eq!(r.html.matches("href=\"#\"").count(), 8, "{}", r.html);
        assert!(r.html.contains("<img src=\"\" alt=\"h\""), "{}", r.html);
        let p = problems(&r);
        assert_eq!(p.len(), 9, "{p:#?}");
        assert_eq!(
            p[0],
            "content/stories/snow.md:10:1: warning: unsafe link \"javascript:alert(1)\" removed: javascript: URLs can run code in a reader's browser; link to a page or an https:// address instead"
        );
        assert!(p[4].starts_with("content/stories/snow.md:11:"), "{}", p[4]);
        assert!(p[4].contains("vbscript: URLs"), "{}", p[4]);
        assert!(
            p[8].contains("unsafe image \"data:text/html,x\""),
            "{}",
            p[8]
        );
    }

    #[test]
    fn safe_urls_are_kept() {
        let r = md(
            "[a](https://x.org/javascript:y) [b](mailto:a@b) [c](other.md) ![d](data:image/png;base64,iVBOR) [e](javascript-notes.md)\n",
        );
        assert!(
            r.html.contains("href=\"https://x.org/javascript:y\""),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("src=\"data:image/png;base64,iVBOR\""),
            "{}",
            r.html
        );
        let p = problems(&r);
        // Only the missing javascript-notes.md is a problem (a broken link).
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].contains("broken link \"javascript-notes.md\""),
            "{}",
            p[0]
        );
        // A data: URL is only safe as an image.
        assert!(unsafe_scheme("data:image/png;base64,x", true).is_none());
        assert_eq!(
            unsafe_scheme("data:image/png;base64,x", false),
            Some("data")
        );
        assert_eq!(
            unsafe_scheme(" \u{1}\tJAVA\rSCRIPT:x", false),
            Some("javascript")
        );
        assert_eq!(unsafe_scheme("java script:x", false), None);
        assert_eq!(unsafe_scheme("\u{a0}javascript:x", false), None);
    }

    #[test]
    fn raw_html_that_can_run_script_is_flagged_with_its_line() {
        let r = md(concat!(
            "Inline <a href=\"java&#x73;cript&colon;alert(1)\">x</a> and <b onclick=\"y()\">b</b>.\n\n",
            "<div>\n<img src=\"data:image/png,x\">\n<a\n  href='vbscript:x'>v</a>\n<script>alert(1)</script>\n</div>\n\n",
            "<p title=\"javascript:not a url\"><a href=\"https://x\">ok</a></p>\n",
        ));
        let p = problems(&r);
        assert_eq!(p.len(), 4, "{p:#?}");
        assert_eq!(
            p[0],
            "content/stories/snow.md:10:11: warning: raw HTML with a javascript: URL (href=): the URL was replaced by \"#\"; link to a page or a file instead"
        );
        assert!(
            p[1].contains(":10:") && p[1].contains("an event handler (onclick=)"),
            "{}",
            p[1]
        );
        assert!(
            p[2].contains(":15:") && p[2].contains("a vbscript: URL (href=)"),
            "{}",
            p[2]
        );
        assert!(
            p[3].contains(":16:") && p[3].contains("a <script> element"),
            "{}",
            p[3]
        );
        // Unsafe URLs are disabled, inline and in blocks (even across
        // lines); images keep data: URLs; the rest is published as written.
        assert!(!r.html.contains("java&#x73;cript"), "{}", r.html);
        assert!(r.html.contains("<a href=\"#\">x</a>"), "{}", r.html);
        assert!(r.html.contains("<a\n  href='#'>v</a>"), "{}", r.html);
        assert!(!r.html.contains("vbscript"), "{}", r.html);
        assert!(r.html.contains("<img src=\"data:image/png,x\">"));
        assert!(r.html.contains("<a href=\"https://x\">ok</a>"));
        assert!(r.html.contains("title=\"javascript:not a url\""));
        assert!(r.html.contains("<script>alert(1)</script>"));
    }

    #[test]
    fn raw_html_urls_lead_where_markdown_links_do() {
        let r = md(concat!(
            "See <a href=\"other.md#snow\">the other</a> and <img src='snow.png?v=2' alt=\"s\">.\n\n",
            "<figure>\n  <img src=\"gone.png\" alt=\"g\">\n",
            "  <picture><source srcset=\"snow.png 1x,snow.png 2x\"></picture>\n",
            "  <a href=\"#top\">top</a> <a href=\"https://x/a&amp;b\">x</a> <a href=\"/abs\">y</a>\n</figure>\n\n",
            "<p><a href=\"old-name.md\">old</a> <a href=\"snow.png\">a&amp;b</a></p>\n",
        ));
        // Files and entries named relative to the Markdown file are
        // rewritten to their published addresses, as in Markdown.
        assert!(
            r.html
                .contains("<a href=\"../../stories/other/index.html#snow\">the other</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<img src='../../stories/snow.png?v=2' alt=\"s\">"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("srcset=\"../../stories/snow.png 1x,../../stories/snow.png 2x\""),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<a href=\"../../stories/snow.png\">a&amp;b</a>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<a href=\"../../stories/other/index.html\">old</a>"),
            "{}",
            r.html
        );
        // Fragments, absolute paths and other sites are left as written.
        assert!(r.html.contains("<a href=\"#top\">top</a> <a href=\"https://x/a&amp;b\">x</a> <a href=\"/abs\">y</a>"), "{}", r.html);
        // A missing file is kept as written and reported at its line and
        // column, as a broken Markdown image is; a link to a renamed entry
        // says what to write.
        let p = problems(&r);
        assert_eq!(p.len(), 2, "{p:#?}");
        assert_eq!(
            p[0],
            "content/stories/snow.md:13:13: warning: broken image \"gone.png\": content/stories/gone.png does not exist; fix the path, relative to this file"
        );
        assert!(p[1].starts_with("content/stories/snow.md:18:13: warning: link \"old-name.md\": content/stories/old-name.md was renamed"), "{}", p[1]);
        // Its anchor is checked against the page's headings, as a
        // Markdown link's is.
        assert!(
            r.links
                .iter()
                .any(|l| l.target == Path::new("content/stories/other.md")
                    && l.anchor == "snow"
                    && l.line == 10
                    && l.col == 14),
            "{:?}",
            r.links
                .iter()
                .map(|l| (&l.target, &l.anchor, l.line, l.col))
                .collect::<Vec<_>>()
        );
        assert!(
            r.html.contains("<img src=\"gone.png\" alt=\"g\">"),
            "{}",
            r.html
        );
    }

    #[test]
    fn link_syntax_shown_as_text_is_a_warning_and_prose_is_not() {
        let r = md(concat!(
            "![Van](my van.png) and [a story](other story.md \"t\") and [[other]].\n\n",
            "[NPS][score-ref] and [NPS][] and [x] (other.md), footnote[^a].\n\n[^b]: defined.\n\n",
            "##What we learned\n",
        ));
        let p = problems(&r);
        assert_eq!(p.len(), 8, "{p:#?}");
        assert_eq!(
            p[7],
            "content/stories/snow.md:16:1: warning: \"##What we learned\" is shown as text, not as a heading: put a space after the #s (\"## What we learned\")"
        );
        assert!(p[0].starts_with("content/stories/snow.md:12:1: warning: link \"[NPS][score-ref]\" is shown as text: no line \"[score-ref]: address\""), "{}", p[0]);
        assert!(
            p[1].starts_with("content/stories/snow.md:12:22: warning: link \"[NPS]"),
            "{}",
            p[1]
        );
        assert!(p[1].contains("defines [NPS]"), "{}", p[1]);
        assert!(p[2].starts_with("content/stories/snow.md:10:1: warning: image \"![Van](my van.png)\" is shown as text: its address holds a space; write it as <my van.png>"), "{}", p[2]);
        assert!(p[3].starts_with("content/stories/snow.md:10:24: warning: link \"[a story](other story.md \"t\")\" is shown as text"), "{}", p[3]);
        assert_eq!(
            p[4],
            "content/stories/snow.md:10:58: warning: \"[[other]]\" is shown as text: Markdown has no [[…]] links; write [other](other.md)"
        );
        assert!(p[5].starts_with("content/stories/snow.md:12:34: warning: link \"[x] (other.md)\" is shown as text: a space between ] and ("), "{}", p[5]);
        assert!(
            p[6].starts_with(
                "content/stories/snow.md:12:58: warning: footnote \"[^a]\" is shown as text"
            ),
            "{}",
            p[6]
        );

        // Prose, code, escapes and working links are left alone.
        let r = md(concat!(
            "He said [sic] (twice), see [1] and \\[[not a link]] or `[[code]]` and [ok](<snow.png>).\n\n",
            "```\n![x](a b) [[y]] [z][w]\n```\n\n",
            "[a][b] and a footnote[^n].\n\n[b]: https://example.com\n[^n]: noted.\n\n",
            "#hashtag, and ## a heading\n\nText ##not at the start, `##code`\n",
        ));
        assert_eq!(problems(&r), Vec::<String>::new());
        // The first line of a body is a line too.
        let p = problems(&md("###Notes\n"));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(
            p[0].starts_with(
                "content/stories/snow.md:10:1: warning: \"###Notes\" is shown as text"
            ),
            "{}",
            p[0]
        );
    }

    #[test]
    fn a_link_from_the_sites_root_into_its_sections_is_a_warning() {
        assert_eq!(campfire_section_from_root("/stories/x/"), Some("stories"));
        assert_eq!(
            campfire_section_from_root("/glossary/nps/index.html#a"),
            Some("glossary")
        );
        assert_eq!(campfire_section_from_root("/tags"), Some("tags"));
        assert_eq!(campfire_section_from_root("/intranet/hr/"), None);
        assert_eq!(campfire_section_from_root("//stories.example.com/"), None);
        assert_eq!(campfire_section_from_root("stories/x/"), None);
        assert_eq!(campfire_section_from_root("/storiesx/"), None);
        let r = md("See [x](/stories/other/) and [hr](/intranet/hr/).\n");
        let p = problems(&r);
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(p[0].starts_with("content/stories/snow.md:10:5: warning: link \"/stories/other/\" starts at the site's root (/stories/…)"), "{}", p[0]);
        // The link is published as written.
        assert!(r.html.contains("href=\"/stories/other/\""), "{}", r.html);
    }

    #[test]
    fn a_link_to_the_local_preview_is_a_warning() {
        for url in [
            "http://127.0.0.1:1111/stories/x/index.html",
            "http://localhost:1111/",
            "HTTPS://LOCALHOST/x",
            "http://[::1]:8080/x",
            "http://0.0.0.0:1111",
            "http://user@127.0.1.1/",
        ] {
            assert!(is_local_preview(url), "{url}");
        }
        for url in [
            "https://example.com/",
            "http://127.example.com/",
            "http://localhost.example.com/",
            "mailto:localhost@example.com",
            "../stories/x.md",
            "/localhost/",
        ] {
            assert!(!is_local_preview(url), "{url}");
        }
        let r = md(
            "See [it](http://127.0.0.1:1111/stories/x/index.html) and [ok](https://example.com).\n",
        );
        let p = problems(&r);
        assert_eq!(p.len(), 1, "{p:#?}");
        assert!(p[0].starts_with("content/stories/snow.md:10:5: warning: link \"http://127.0.0.1:1111/stories/x/index.html\" leads to a preview on this computer, which no reader can open: link to the file instead"), "{}", p[0]);
    }

    #[test]
    fn srcset_candidates_are_read_as_a_browser_reads_them() {
        let urls = |s: &str| -> Vec<String> {
            srcset_urls(s)
                .into_iter()
                .map(|r| s[r].to_string())
                .collect()
        };
        assert_eq!(urls("a.jpg 480w, b.jpg 960w"), ["a.jpg", "b.jpg"]);
        assert_eq!(urls(" a.jpg, b.jpg 2x ,c.jpg"), ["a.jpg", "b.jpg", "c.jpg"]);
        assert_eq!(urls("a.jpg 1x,b.jpg 2x"), ["a.jpg", "b.jpg"]);
        // Commas inside a URL belong to it (the spec ends a URL at a space).
        assert_eq!(urls("a,b.jpg 1x"), ["a,b.jpg"]);
        assert!(urls(" , ").is_empty());
    }

    #[test]
    fn explicit_heading_ids_cannot_break_out_of_attributes() {
        let r = md("## X {#a\"onmouseover=\"alert(1)}\n\n## Y {#b'c}\n");
        assert!(
            r.html.contains(
                "<h2 id=\"a&quot;onmouseover=&quot;alert(1)\">X<a class=\"anchor\" href=\"#a%22onmouseover=%22alert(1)\""
            ),
            "{}",
            r.html
        );
        assert!(!r.html.contains("\"onmouseover"), "{}", r.html);
        assert!(r.html.contains("href=\"#b&#x27;c\""), "{}", r.html);
        assert!(r.anchors.contains("a\"onmouseover=\"alert(1)"));
    }

    #[test]
    fn decoding_and_normalizing() {
        assert_eq!(percent_decode("a%20b.md"), "a b.md");
        // A multi-byte character right after `%` is not an escape (this
        // once sliced through the character and panicked).
        assert_eq!(percent_decode("%aé.md"), "%aé.md");
        assert_eq!(percent_decode("caf%C3%A9.md"), "café.md");
        assert_eq!(
            normalize(Path::new("content/stories/../glossary/nps.md")),
            Path::new("content/glossary/nps.md")
        );
        assert!(is_external("https://x") && is_external("mailto:a@b") && !is_external("other.md"));
    }
}
