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
//! The page sits beside the entry's page (`stories/x/present.html`), so
//! the body's relative links and images work as written. Its data is read
//! through a [`Reader`], like the entry page's, so `serve` re-renders it
//! exactly when something it shows changed.

use serde::Serialize;

use super::card::Card;
use super::reads::Reader;
use crate::link::EntryId;
use crate::load::{Meta, Metric};
use crate::render::chart;
use crate::render::markdown::{Block, BlockKind};

/// The template of the present view.
pub(super) const TEMPLATE: &str = "present.html";

/// Serialized as one struct: its own fields and its card's (see its
/// `Serialize`).
pub(super) struct PresentPage<'p, 'a> {
    card: &'p Card,
    /// The entry's page, beside this one (where `Esc` leaves to).
    entry_href: &'static str,
    slides: Vec<Slide<'p, 'a>>,
    /// A term's departments with a lens, for the trainer to pick one.
    lenses: Vec<LensChoice<'a>>,
}

/// What `#[serde(flatten)]` of the card made of the page, without the map
/// flattening goes through (every key serialized as a value and compared,
/// on every one of a site's slide decks), as `EntryPage` does.
impl Serialize for PresentPage<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("PresentPage", 3 + self.card.field_count())?;
        self.card.serialize_fields(&mut st)?;
        st.serialize_field("entry_href", &self.entry_href)?;
        st.serialize_field("slides", &self.slides)?;
        st.serialize_field("lenses", &self.lenses)?;
        st.end()
    }
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
    Title {
        card: &'p Card,
        lede: Option<&'a str>,
        industry: Option<&'a str>,
    },
    Text(BodySlide),
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

/// A slide cut from a Markdown body.
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

/// Cuts a rendered body into slides (see the module's doc).
pub fn body_slides(html: &str, blocks: &[Block]) -> Vec<BodySlide> {
    let piece = |i: usize| {
        let end = blocks.get(i + 1).map_or(html.len(), |b| b.start);
        html.get(blocks[i].start..end).unwrap_or("").trim()
    };
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
        if title.is_none() && content.iter().all(|&i| piece(i).is_empty()) {
            continue;
        }
        // The customer's words first; else the first paragraph; else
        // whatever comes first (a list, an image, a table).
        let first = |kind: BlockKind| content.iter().copied().find(|&i| blocks[i].kind == kind);
        let text = first(BlockKind::BlockQuote)
            .or_else(|| first(BlockKind::Paragraph))
            .or_else(|| content.first().copied());
        let mut notes = String::new();
        for &i in content.iter().filter(|&&i| Some(i) != text) {
            if !notes.is_empty() {
                notes.push('\n');
            }
            notes.push_str(piece(i));
        }
        slides.push(BodySlide {
            title: title.map(|i| heading_inner(piece(i))),
            html: text.map(|i| piece(i).to_string()).unwrap_or_default(),
            notes,
            quote: text.is_some_and(|i| blocks[i].kind == BlockKind::BlockQuote),
        });
    }
    slides
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

/// The present view of entry `id`.
pub(super) fn present_page<'p, 'a>(r: &Reader<'p, 'a>, id: EntryId) -> PresentPage<'p, 'a> {
    let e = r.entry(id);
    let card = r.card(id);
    let mut slides = vec![title_slide(r, id)];
    let mut lenses = Vec::new();
    match &e.meta {
        Meta::Path(p) => {
            let body = r.body(id);
            slides.extend(
                body_slides(body.html, body.blocks)
                    .into_iter()
                    .map(|s| Slide::Text(s.with_marks(&body.marks()))),
            );
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
        _ => {
            let body = r.body(id);
            slides.extend(
                body_slides(body.html, body.blocks)
                    .into_iter()
                    .map(|s| Slide::Text(s.with_marks(&body.marks()))),
            );
            slides.extend(own_slides(r, id, &mut lenses));
        }
    }
    if !e.discuss.is_empty() {
        slides.push(Slide::Discuss { items: &e.discuss });
    }
    // Metric charts name their description by id: one id per slide.
    let mut charts = 0;
    for slide in &mut slides {
        if let Slide::Metric { chart, .. } = slide {
            charts += 1;
            *chart = chart.replace("\"metrics-desc\"", &format!("\"metrics-desc-{charts}\""));
        }
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
            name: r.config().name_in(&d.id, &r.entry(id).lang),
        })
        .collect();
    PresentPage {
        card,
        entry_href: "index.html",
        slides,
        lenses,
    }
}

fn title_slide<'p, 'a>(r: &Reader<'p, 'a>, id: EntryId) -> Slide<'p, 'a> {
    let e = r.entry(id);
    Slide::Title {
        card: r.card(id),
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
                    let name = r.config().name_in(&d.id, &e.lang);
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
        let none = |_: &Path| None;
        let cx = MarkdownContext {
            source: Path::new("content/stories/x.md"),
            first_line: 1,
            root: "../../",
            resolve_page: &none,
            resolve_asset: &none,
            image_size: &|_| None,
            glossary: None,
            id_prefix: "",
            compact_tips: false,
        };
        let r = render(md, &cx);
        body_slides(&r.html, &r.blocks)
    }

    /// `PresentPage` as `#[serde(flatten)]` of its card showed it.
    #[derive(Serialize)]
    struct Flattened<'p, 'a> {
        #[serde(flatten)]
        card: &'p Card,
        entry_href: &'static str,
        slides: &'p [Slide<'p, 'a>],
        lenses: &'p [LensChoice<'a>],
    }

    #[test]
    fn a_deck_s_fields_are_those_a_flattened_card_gave_it() {
        let card = crate::render::pages::card::tests::a_story_card();
        let page = PresentPage {
            card: &card,
            entry_href: "index.html",
            slides: vec![
                Slide::Title {
                    card: &card,
                    lede: Some("Lede"),
                    industry: None,
                },
                Slide::Discuss { items: &[] },
            ],
            lenses: vec![LensChoice {
                id: "care",
                name: "Care".into(),
            }],
        };
        let flattened = Flattened {
            card: &card,
            entry_href: page.entry_href,
            slides: &page.slides,
            lenses: &page.lenses,
        };
        let written = serde_json::to_value(&page).unwrap();
        assert_eq!(written, serde_json::to_value(&flattened).unwrap());
        assert_eq!(
            written.as_object().unwrap().len(),
            3 + card.field_count(),
            "{written}"
        );
        assert_eq!(written["slides"][0]["layout"], "title");
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
