//! The present view of an entry or a training path: slides derived from
//! what the entry already says, never written twice.
//!
//! - a title slide (title, author, department, values; a case's
//!   organization; a term's short definition; a path's audience);
//! - the body cut at its top-level `##` headings and `---` rules: each
//!   part is a slide whose text is its first blockquote (the customer's
//!   words, shown big) or else its first paragraph, the rest its speaker
//!   notes;
//! - a case's metrics, one before → after slide each, with its chart;
//! - a term's lenses, one slide per department;
//! - the entry's `discuss:` questions on a last slide;
//! - a training path: its own slides, then per step a section slide and
//!   that step's slides.
//!
//! The deck is part of the entry's page, not a file of its own: the page
//! holds it in a `<template>`, and `present.js` shows it instead of the
//! page when the page is opened with `?present` (`stories/x/index.html?
//! present#3`). A slide cut from the page's own body points at the body's
//! blocks (by their place among the body's top-level elements) rather
//! than copying them, so a deck costs a page a few hundred bytes and a
//! site no file at all; a body with HTML of the author's (which may open
//! or close any number of elements) is copied instead, as are a path's
//! steps (other entries' bodies). Its data is read through the page's
//! [`Reader`], so `serve` re-renders the page when something the deck
//! shows changed.

use serde::Serialize;

use super::card::Card;
use super::reads::Reader;
use crate::config::Named;
use crate::link::EntryId;
use crate::load::{Meta, Metric};
use crate::render::chart;
use crate::render::markdown::{Block, BlockKind};

/// The slides of an entry's page (see the module's doc).
#[derive(Serialize)]
pub(super) struct Deck<'p, 'a> {
    slides: Vec<Slide<'p, 'a>>,
    /// A term's departments with a lens, for the trainer to pick one.
    lenses: Vec<LensChoice<'a>>,
    /// With slides that point into the page's body: how many top-level
    /// elements the body has, for `present.js` to check before it points.
    blocks: Option<usize>,
}

#[derive(Serialize)]
struct LensChoice<'a> {
    id: &'a str,
    name: String,
}

/// One slide; `layout` names its kind for the template.
#[derive(Serialize)]
#[serde(tag = "layout", rename_all = "lowercase")]
enum Slide<'p, 'a> {
    /// The entry's own card is the page's (`page.title`, `page.by`, …):
    /// not serialized a second time here.
    Title {
        lede: Option<&'a str>,
        industry: Option<&'a str>,
    },
    /// A part of a body, copied.
    Text(BodySlide),
    /// A part of the page's own body, by its blocks' places in it.
    Part(Part),
    Metric {
        name: &'a str,
        before: String,
        after: String,
        unit: &'a str,
        change: String,
        verdict: chart::Verdict,
        chart: String,
    },
    Lens {
        dept_id: &'a str,
        dept: String,
        term: &'a str,
        text: &'a str,
    },
    Section {
        number: usize,
        total: usize,
        card: &'p Card,
        note: Option<&'a str>,
    },
    Discuss {
        items: &'a [String],
    },
}

/// A slide cut from a Markdown body, copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodySlide {
    /// The `##` heading's HTML (without its anchor), if the part has one.
    pub title: Option<String>,
    /// What the room sees: the first blockquote, or the first paragraph.
    pub html: String,
    /// What only the presenter sees: everything else in the part.
    pub notes: String,
    /// The slide text is a blockquote (shown big).
    pub quote: bool,
}

/// A slide cut from a Markdown body, as the indices of its blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Part {
    /// The `##` heading, if the part has one.
    pub title: Option<usize>,
    /// What the room sees: the first blockquote, or the first paragraph.
    pub text: Option<usize>,
    /// What only the presenter sees: everything else in the part.
    pub notes: Vec<usize>,
    /// The slide text is a blockquote (shown big).
    pub quote: bool,
}

impl BodySlide {
    /// The slide with the links and tooltips that marks in its HTML stand
    /// for written out (see `markdown::expand_marks`): a body is cut where
    /// its HTML has marks.
    fn with_marks(self, marks: &crate::render::markdown::Marks) -> BodySlide {
        let expand = |s: String| match crate::render::markdown::expand_marks(&s, marks) {
            std::borrow::Cow::Borrowed(_) => s,
            std::borrow::Cow::Owned(expanded) => expanded,
        };
        BodySlide {
            title: self.title.map(expand),
            html: expand(self.html),
            notes: expand(self.notes),
            quote: self.quote,
        }
    }
}

/// The HTML of block `i` of a rendered body.
fn piece<'h>(html: &'h str, blocks: &[Block], i: usize) -> &'h str {
    let end = blocks.get(i + 1).map_or(html.len(), |b| b.start);
    html.get(blocks[i].start..end).unwrap_or("").trim()
}

/// Cuts a rendered body into slides (see the module's doc).
pub fn cut(html: &str, blocks: &[Block]) -> Vec<Part> {
    // Parts: (title block, content blocks).
    let mut parts: Vec<(Option<usize>, Vec<usize>)> = vec![(None, Vec::new())];
    for (i, block) in blocks.iter().enumerate() {
        match block.kind {
            BlockKind::Heading(level) if level <= 2 => parts.push((Some(i), Vec::new())),
            BlockKind::Rule => parts.push((None, Vec::new())),
            _ => {
                if let Some(part) = parts.last_mut() {
                    part.1.push(i);
                }
            }
        }
    }
    let mut slides = Vec::new();
    for (title, content) in parts {
        if title.is_none() && content.iter().all(|&i| piece(html, blocks, i).is_empty()) {
            continue;
        }
        // The customer's words first; else the first paragraph; else
        // whatever comes first (a list, an image, a table).
        let first = |kind: BlockKind| content.iter().copied().find(|&i| blocks[i].kind == kind);
        let text = first(BlockKind::BlockQuote)
            .or_else(|| first(BlockKind::Paragraph))
            .or_else(|| content.first().copied());
        slides.push(Part {
            title,
            text,
            notes: content.into_iter().filter(|&i| Some(i) != text).collect(),
            quote: text.is_some_and(|i| blocks[i].kind == BlockKind::BlockQuote),
        });
    }
    slides
}

/// Cuts a rendered body into slides and copies their HTML.
pub fn body_slides(html: &str, blocks: &[Block]) -> Vec<BodySlide> {
    cut(html, blocks)
        .into_iter()
        .map(|part| {
            let mut notes = String::new();
            for &i in &part.notes {
                if !notes.is_empty() {
                    notes.push('\n');
                }
                notes.push_str(piece(html, blocks, i));
            }
            BodySlide {
                title: part.title.map(|i| heading_inner(piece(html, blocks, i))),
                html: part
                    .text
                    .map(|i| piece(html, blocks, i).to_string())
                    .unwrap_or_default(),
                notes,
                quote: part.quote,
            }
        })
        .collect()
}

/// `<h2 id="x">Title<a class="anchor" …>#</a></h2>` → `Title`.
fn heading_inner(html: &str) -> String {
    let inner = html
        .find('>')
        .map_or(html, |open| &html[open + 1..])
        .trim_end();
    let inner = inner.rfind("</h").map_or(inner, |close| &inner[..close]);
    let inner = match inner.rfind("<a class=\"anchor\"") {
        Some(anchor) if inner.ends_with("</a>") => &inner[..anchor],
        _ => inner,
    };
    inner.trim().to_string()
}

/// The slides of the page's own body: pointing into it when each of its
/// blocks is one element there, else copied. With the count of blocks
/// pointed into.
fn own_body_slides<'p, 'a>(r: &Reader<'p, 'a>, id: EntryId) -> (Vec<Slide<'p, 'a>>, Option<usize>) {
    let body = r.body(id);
    if body.blocks.iter().all(|b| b.single_element) {
        let slides = cut(body.html, body.blocks)
            .into_iter()
            .map(Slide::Part)
            .collect();
        (slides, Some(body.blocks.len()))
    } else {
        let marks = body.marks();
        let slides = body_slides(body.html, body.blocks)
            .into_iter()
            .map(|s| Slide::Text(s.with_marks(&marks)))
            .collect();
        (slides, None)
    }
}

/// The deck of entry `id`'s page.
pub(super) fn deck<'p, 'a>(r: &Reader<'p, 'a>, id: EntryId) -> Deck<'p, 'a> {
    let e = r.entry(id);
    let mut slides = vec![title_slide(r, id)];
    let mut lenses = Vec::new();
    let (own, blocks) = own_body_slides(r, id);
    slides.extend(own);
    match &e.meta {
        Meta::Path(p) => {
            let default = &r.config().language;
            let url = r.url(id);
            let total = p.steps.len();
            for (i, step) in p.steps.iter().enumerate() {
                let Some(target) = r.get(step.kind, &step.slug, default) else {
                    continue;
                };
                slides.push(Slide::Section {
                    number: i + 1,
                    total,
                    card: r.card(target),
                    note: step.note.as_deref(),
                });
                // Re-rendered for this page, with ids unique to the step.
                let body = r.body_at(target, url, &format!("s{}-", i + 1));
                slides.extend(
                    body_slides(&body.html, &body.blocks)
                        .into_iter()
                        .map(Slide::Text),
                );
                slides.extend(own_slides(r, target, &mut lenses));
                let step_entry = r.entry(target);
                if !step_entry.discuss.is_empty() {
                    slides.push(Slide::Discuss {
                        items: &step_entry.discuss,
                    });
                }
            }
        }
        _ => slides.extend(own_slides(r, id, &mut lenses)),
    }
    if !e.discuss.is_empty() {
        slides.push(Slide::Discuss { items: &e.discuss });
    }
    // Each department once, in site.yaml's order.
    let shown: std::collections::HashSet<&str> = lenses.iter().map(|l| l.id).collect();
    let lenses = r
        .config()
        .departments
        .iter()
        .filter(|d| shown.contains(d.id.as_str()))
        .map(|d| LensChoice {
            id: &d.id,
            name: r
                .config()
                .name_of(Named::Department, &d.id, &r.entry(id).lang),
        })
        .collect();
    Deck {
        slides,
        lenses,
        blocks,
    }
}

fn title_slide<'p, 'a>(r: &Reader<'p, 'a>, id: EntryId) -> Slide<'p, 'a> {
    let e = r.entry(id);
    Slide::Title {
        lede: e.summary(),
        industry: match &e.meta {
            Meta::Case(c) => c.industry.as_deref(),
            _ => None,
        },
    }
}

/// What only some kinds show after their body: a case's metrics, a term's
/// lenses.
fn own_slides<'p, 'a>(
    r: &Reader<'p, 'a>,
    id: EntryId,
    lenses: &mut Vec<LensChoice<'a>>,
) -> Vec<Slide<'p, 'a>> {
    let e = r.entry(id);
    let mut slides = Vec::new();
    match &e.meta {
        Meta::Case(c) => {
            let words = r.chart_words(&e.lang);
            slides.extend(c.metrics.iter().map(|m| metric_slide(m, &words)));
        }
        Meta::Term(t) => {
            for d in &r.config().departments {
                if let Some(text) = t.lenses.get(&d.id) {
                    // Department names as the term's language has them.
                    let name = r.config().name_of(Named::Department, &d.id, &e.lang);
                    lenses.push(LensChoice {
                        id: &d.id,
                        name: name.clone(),
                    });
                    slides.push(Slide::Lens {
                        dept_id: &d.id,
                        dept: name,
                        term: &t.term,
                        text,
                    });
                }
            }
        }
        _ => {}
    }
    slides
}

fn metric_slide<'p, 'a>(m: &'a Metric, words: &chart::Words) -> Slide<'p, 'a> {
    Slide::Metric {
        name: &m.name,
        before: chart::format_number(m.before),
        after: chart::format_number(m.after),
        unit: m.unit.as_deref().unwrap_or_default(),
        change: chart::describe_change_in(m, words),
        verdict: chart::verdict(m),
        chart: chart::metrics_chart(std::slice::from_ref(m), words),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::markdown::{MarkdownContext, render};
    use std::path::Path;

    fn slides(md: &str) -> Vec<BodySlide> {
        let r = rendered(md);
        body_slides(&r.html, &r.blocks)
    }

    fn rendered(md: &str) -> crate::render::markdown::Rendered {
        let cx = MarkdownContext {
            source: Path::new("content/stories/x.md"),
            first_line: 1,
            root: "../../",
            resolve_page: &|_| None,
            resolve_asset: &|_| crate::render::markdown::AssetLookup::Missing {
                named_otherwise: None,
            },
            image_size: &|_| None,
            glossary: None,
            id_prefix: "",
            compact_tips: false,
        };
        render(md, &cx)
    }

    /// The name of the element `html` is, if it is exactly one: it opens
    /// with a tag and closes that tag at its end, and no other tag of
    /// that name opens before the last closes (nesting aside).
    fn one_element(html: &str) -> Option<&str> {
        let name_end = html[1..].find(|c: char| !c.is_ascii_alphanumeric())? + 1;
        let name = &html[1..name_end];
        if !html.starts_with('<') || name.is_empty() {
            return None;
        }
        if name == "hr" {
            return (!html[name_end..].contains('<')).then_some(name);
        }
        let close = format!("</{name}>");
        let open = format!("<{name}");
        // Depth of this name's tags: never back to 0 before the end.
        let mut depth = 0i32;
        let mut at = 0;
        while at < html.len() {
            if html[at..].starts_with(&close) {
                depth -= 1;
                at += close.len();
                if depth == 0 && at != html.len() {
                    return None;
                }
            } else if html[at..].starts_with(&open) {
                depth += 1;
                at += open.len();
            } else {
                at += html[at..].chars().next().map_or(1, char::len_utf8);
            }
        }
        (depth == 0).then_some(name)
    }

    /// The page's slides point at its body's blocks by their place among
    /// its top-level elements: each block a present view points at must
    /// be one element, whatever Markdown made it.
    #[test]
    fn a_body_s_blocks_are_one_element_each_unless_the_author_wrote_html() {
        let md = "Intro with *em*, `code` and a [link](https://x.org).\n\n\
                  ## A heading {#custom}\n\n> A quote\n> on two lines.\n\n\
                  - one\n- two\n  - nested\n\n1. first\n2. second\n\n\
                  - [ ] a task\n\n```rust\nfn main() {}\n```\n\n    indented code\n\n\
                  | a | b |\n|---|---|\n| 1 | 2 |\n\n![an image](pic.png)\n\n\
                  A note.[^1]\n\n[^1]: The footnote.\n\n---\n\n### Small heading\n\n\
                  Text ~~struck~~ with \"quotes\".\n";
        let r = rendered(md);
        assert!(r.blocks.len() >= 14, "{:?}", r.blocks);
        for (i, block) in r.blocks.iter().enumerate() {
            let html = piece(&r.html, &r.blocks, i);
            assert!(block.single_element, "{i}: {html}");
            assert!(
                one_element(html).is_some(),
                "block {i} is not one element: {html}"
            );
        }
        for own in [
            "Text.\n\n<div class=\"box\">\n\nInside.\n\n</div>\n\nAfter.\n",
            "A <span>raw</span> tag.\n",
            "- an <b>item</b>\n",
            "## Notes {.trainer}\n\nFor the trainer.\n\n## Next\n\nText.\n",
        ] {
            let r = rendered(own);
            assert!(
                r.blocks.iter().any(|b| !b.single_element),
                "{own}: {:?}",
                r.blocks
            );
        }
        assert_eq!(one_element("<p>a</p><p>b</p>"), None);
        assert_eq!(one_element("<p>a</p>"), Some("p"));
    }

    #[test]
    fn a_cut_s_blocks_are_those_the_copied_slides_hold() {
        let md = "Intro.\n\n## One\n\n> Said.\n\nNote a.\n\n- b\n\n---\n\nLast.\n";
        let r = rendered(md);
        let parts = cut(&r.html, &r.blocks);
        let copies = body_slides(&r.html, &r.blocks);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[1].title, Some(1));
        assert_eq!(parts[1].text, Some(2));
        assert_eq!(parts[1].notes, vec![3, 4]);
        for (part, copy) in parts.iter().zip(&copies) {
            assert_eq!(part.quote, copy.quote);
            let text = part.text.map_or("", |i| piece(&r.html, &r.blocks, i));
            assert_eq!(text, copy.html);
            let notes: Vec<&str> = part
                .notes
                .iter()
                .map(|&i| piece(&r.html, &r.blocks, i))
                .collect();
            assert_eq!(notes.join("\n"), copy.notes);
        }
    }

    #[test]
    fn each_section_is_a_slide_with_its_first_paragraph_as_text() {
        let s = slides(
            "Intro line.\n\nMore intro.\n\n## What *happened*\n\nThe van stopped.\n\n- one\n- two\n\nLater.\n\n## Empty\n",
        );
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].title, None);
        assert_eq!(s[0].html, "<p>Intro line.</p>");
        assert_eq!(s[0].notes, "<p>More intro.</p>");
        assert_eq!(s[1].title.as_deref(), Some("What <em>happened</em>"));
        assert_eq!(s[1].html, "<p>The van stopped.</p>");
        assert_eq!(
            s[1].notes,
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>Later.</p>"
        );
        assert!(!s[1].quote);
        assert_eq!(s[2].title.as_deref(), Some("Empty"));
        assert_eq!((s[2].html.as_str(), s[2].notes.as_str()), ("", ""));
    }

    #[test]
    fn a_blockquote_is_the_slide_text_and_shown_big() {
        let s = slides(
            "## The customer\n\n> It was the best delivery ever.\n\nShe wrote it on Monday.\n",
        );
        assert_eq!(s.len(), 1);
        assert!(s[0].quote);
        assert!(s[0].html.starts_with("<blockquote>"), "{}", s[0].html);
        assert_eq!(s[0].notes, "<p>She wrote it on Monday.</p>");
        // A quote further down is still the slide's text.
        let s = slides("## Then\n\nShe called.\n\n> I had to sit down.\n\nWe fixed it.\n");
        assert!(s[0].quote);
        assert_eq!(s[0].notes, "<p>She called.</p>\n<p>We fixed it.</p>");
        // Alone between rules: a quote slide without a title.
        let s = slides("First.\n\n---\n\n> Words.\n\n---\n\nLast.\n");
        assert_eq!(s.len(), 3);
        assert!(s[1].quote && s[1].title.is_none() && s[1].notes.is_empty());
    }

    #[test]
    fn a_rule_forces_a_break_and_nested_headings_do_not() {
        let s = slides(
            "## One\n\nA.\n\n---\n\nB.\n\n### Detail\n\nC.\n\n> ## Quoted heading\n\n- ## listed\n",
        );
        assert_eq!(s.len(), 2, "{s:#?}");
        assert_eq!(s[0].title.as_deref(), Some("One"));
        assert_eq!(s[1].title, None);
        assert!(s[1].html.contains("Quoted heading"), "{}", s[1].html);
        assert!(s[1].notes.starts_with("<p>B.</p>"), "{}", s[1].notes);
        assert!(s[1].notes.contains("<h3"), "{}", s[1].notes);
        assert!(s[1].notes.contains("listed"));
    }

    #[test]
    fn a_part_without_paragraphs_shows_its_first_block() {
        let s = slides("## Steps\n\n1. Call\n2. Listen\n\n```\ncode\n```\n");
        assert!(s[0].html.starts_with("<ol>"), "{}", s[0].html);
        assert!(s[0].notes.starts_with("<pre>"), "{}", s[0].notes);
        assert!(slides("").is_empty());
        assert!(slides("---\n\n---\n").is_empty());
    }

    #[test]
    fn heading_titles_lose_their_anchor() {
        assert_eq!(
            heading_inner(
                "<h2 id=\"a\">A &amp; B<a class=\"anchor\" href=\"#a\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h2>"
            ),
            "A &amp; B"
        );
    }
}
