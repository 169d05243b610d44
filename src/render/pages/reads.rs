//! Dependencies recorded as an entry's page is assembled.
//!
//! An entry page's data is built through a [`Reader`], the only way it can
//! see the site: every entry it shows and every question it asks (which
//! entry has this slug, which paths include this entry, which entries
//! mention this term) is written down with a fingerprint of the answer.
//! The next render reuses the page while every recorded answer is the same,
//! so no key has to mirror by hand what a page reads.

use std::cell::RefCell;
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::Arc;

use super::Pages;
use super::card::Card;
use crate::config::SiteConfig;
use crate::link::{EntryId, PathStep};
use crate::load::{Entry, Kind};
use crate::render::bodies::PagePart;
use crate::render::cache;
use crate::render::markdown::{Block, Heading, Rendered};

/// A question a page asked the site, in terms that survive a re-link
/// (entry ids do not: they are positions in a sorted list).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Lookup {
    /// The entry of this kind, slug and language.
    Entry(Kind, String, String),
    /// A term's translations.
    Translations(String),
    /// The training-path steps that show this entry.
    PathSteps(PathBuf),
    /// The entries whose bodies mention this term.
    MentionedIn(PathBuf),
    /// The stories before and after this one.
    Neighbours(PathBuf),
    /// The stories most like this one.
    Related(PathBuf),
}

/// How much of an entry a page showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Part {
    /// Its card: title, address, summary, the front matter lists show.
    Card,
    /// Everything: its front matter and its body.
    Whole,
}

/// What one page read, with a fingerprint of each answer.
#[derive(Debug, Clone, Default)]
pub struct PageRecord {
    /// Everything shared by every page: site.yaml, the theme, menus.
    chrome: u64,
    /// Entry (its id then, a hint: ids move when entries come or go), its
    /// source, its address then, the part read and its fingerprint.
    entries: Vec<(EntryId, PathBuf, usize, Part, u64)>,
    lookups: Vec<(Lookup, u64)>,
}

/// The site as an entry page may see it; records every read.
pub(super) struct Reader<'p, 'a> {
    pages: &'p Pages<'a>,
    /// The HTML of the page's own entry, when a one-off build holds it
    /// apart from the bodies (see `Bodies::take_page_part`).
    own: Option<(EntryId, &'p PagePart)>,
    record: RefCell<PageRecord>,
}

/// What a page reads of a body.
pub(super) struct BodyView<'p> {
    pub html: &'p str,
    pub blocks: &'p [Block],
    pub headings: &'p [Heading],
    pub words: usize,
    pub mentions: &'p [usize],
    /// What marks in `html` stand for (see `markdown::expand_marks`).
    tips: &'p [String],
    terms: &'p [crate::render::autolink::LinkTerm],
    root: String,
}

impl BodyView<'_> {
    pub fn marks(&self) -> crate::render::markdown::Marks<'_> {
        crate::render::markdown::Marks {
            tips: self.tips,
            terms: self.terms,
            root: &self.root,
        }
    }
}

impl<'p, 'a> Reader<'p, 'a> {
    pub(super) fn new(pages: &'p Pages<'a>, own: Option<(EntryId, &'p PagePart)>) -> Self {
        Reader {
            pages,
            own,
            record: RefCell::new(PageRecord {
                chrome: pages.chrome_key,
                ..PageRecord::default()
            }),
        }
    }

    pub(super) fn finish(self) -> PageRecord {
        let mut record = self.record.into_inner();
        record.entries.sort();
        record.entries.dedup();
        record
    }

    fn read(&self, id: EntryId, part: Part) {
        if !self.pages.recording {
            return;
        }
        let fingerprint = self.pages.fingerprint(id, part);
        let entry = &self.pages.site.entries[id];
        let address = Arc::as_ptr(entry) as usize;
        self.record.borrow_mut().entries.push((
            id,
            entry.source.clone(),
            address,
            part,
            fingerprint,
        ));
    }

    /// Records a lookup and a fingerprint of its answer (made only when
    /// recording).
    fn asked(&self, lookup: impl FnOnce() -> (Lookup, u64)) {
        if self.pages.recording {
            self.record.borrow_mut().lookups.push(lookup());
        }
    }

    /// Front matter, body and all.
    pub(super) fn entry(&self, id: EntryId) -> &'a Entry {
        self.read(id, Part::Whole);
        &self.pages.site.entries[id]
    }

    /// # Panics
    /// When a one-off build holds the bodies' HTML apart and `id` is not
    /// the page's own entry: a page that shows another entry's body
    /// renders it again ([`Reader::body_at`]).
    pub(super) fn body(&self, id: EntryId) -> BodyView<'p> {
        self.read(id, Part::Whole);
        let r: &'p Rendered = &self.pages.bodies.rendered[id];
        let (html, blocks, headings) = match self.own {
            Some((own, part)) if own == id => {
                (part.html.as_str(), &part.blocks[..], &part.headings[..])
            }
            _ => {
                assert!(
                    !self.pages.bodies.holds_html_apart(),
                    "a page read the HTML of a body that is not its own entry's"
                );
                (r.html.as_str(), &r.blocks[..], &r.headings[..])
            }
        };
        BodyView {
            html,
            blocks,
            headings,
            words: r.words,
            mentions: &r.mentions,
            tips: &self.pages.bodies.tips,
            terms: &self.pages.bodies.glossary.terms,
            // The body was rendered for its own page, which is where it
            // is shown (its slides are part of the page).
            root: crate::paths::root_prefix(self.pages.site.url(id)),
        }
    }

    /// The body rendered again as seen from the page at `page_url`, with
    /// tooltip ids prefixed (a page that shows several bodies). It depends
    /// on exactly what the body's own render does, so it is recorded as a
    /// read of the whole entry.
    pub(super) fn body_at(&self, id: EntryId, page_url: &str, id_prefix: &str) -> Rendered {
        self.read(id, Part::Whole);
        let b = self.pages.bodies;
        crate::render::bodies::render_entry(self.pages.site, b, id, page_url, id_prefix)
    }

    pub(super) fn card(&self, id: EntryId) -> &'p Card {
        self.read(id, Part::Card);
        &self.pages.cards[id]
    }

    /// Title, kind and address: all part of the card.
    pub(super) fn title(&self, id: EntryId) -> &'a str {
        self.read(id, Part::Card);
        self.pages.site.entries[id].title()
    }

    pub(super) fn kind(&self, id: EntryId) -> Kind {
        self.read(id, Part::Card);
        self.pages.site.entries[id].kind
    }

    pub(super) fn url(&self, id: EntryId) -> &'a str {
        self.read(id, Part::Card);
        self.pages.site.url(id)
    }

    pub(super) fn get(&self, kind: Kind, slug: &str, lang: &str) -> Option<EntryId> {
        let answer = self.pages.site.get(kind, slug, lang);
        self.asked(|| {
            (
                Lookup::Entry(kind, slug.to_string(), lang.to_string()),
                self.pages.answer_hash(answer.as_slice()),
            )
        });
        answer
    }

    pub(super) fn translations(&self, slug: &str) -> &'a [EntryId] {
        let answer = self.pages.site.translations(slug);
        self.asked(|| {
            (
                Lookup::Translations(slug.to_string()),
                self.pages.answer_hash(answer),
            )
        });
        answer
    }

    pub(super) fn path_steps(&self, id: EntryId) -> &'a [PathStep] {
        let answer = self.pages.site.path_steps(id);
        self.asked(|| {
            let source = self.pages.site.entries[id].source.clone();
            (Lookup::PathSteps(source), self.pages.steps_hash(answer))
        });
        answer
    }

    pub(super) fn mentioned_in(&self, term: EntryId) -> &'p [EntryId] {
        let answer = self.pages.mentioned_in(term);
        self.asked(|| {
            let source = self.pages.site.entries[term].source.clone();
            (Lookup::MentionedIn(source), self.pages.answer_hash(answer))
        });
        answer
    }

    /// The newer and the older story beside this one in the stories list.
    pub(super) fn neighbours(&self, id: EntryId) -> (Option<EntryId>, Option<EntryId>) {
        let answer = self.pages.neighbours(id);
        self.asked(|| {
            let source = self.pages.site.entries[id].source.clone();
            (
                Lookup::Neighbours(source),
                self.pages.neighbours_hash(answer),
            )
        });
        answer
    }

    /// The stories sharing the most with this one (see `related`).
    pub(super) fn related(&self, id: EntryId) -> Vec<EntryId> {
        let answer = self.pages.related_stories(id);
        self.asked(|| {
            let source = self.pages.site.entries[id].source.clone();
            (Lookup::Related(source), self.pages.answer_hash(&answer))
        });
        answer
    }

    /// The glossary entry a body's mention (glossary index) stands for.
    pub(super) fn mentioned_term(&self, mention: usize) -> EntryId {
        // The mapping follows the glossary's names, which every body that
        // mentions a term already depends on.
        self.pages.bodies.glossary_terms[mention]
    }

    /// site.yaml, the UI strings and the theme are the chrome every page
    /// depends on (recorded as one fingerprint when the reader is made).
    pub(super) fn config(&self) -> &'a SiteConfig {
        &self.pages.site.config
    }

    pub(super) fn chart_words(&self, lang: &str) -> crate::render::chart::Words {
        self.pages.chart_words(lang)
    }

    pub(super) fn kind_label(&self, kind: Kind, lang: &str) -> String {
        self.pages.kind_label(kind, lang)
    }
}

impl Pages<'_> {
    fn fingerprint(&self, id: EntryId, part: Part) -> u64 {
        match part {
            Part::Card => self.card_keys[id],
            Part::Whole => cache::key(|h| {
                (self.card_keys[id], self.site.entries[id].text_hash).hash(h);
                self.bodies.keys[id].hash(h);
            }),
        }
    }

    fn answer_hash(&self, ids: &[EntryId]) -> u64 {
        cache::key(|h| {
            for &id in ids {
                self.site.entries[id].source_bytes().hash(h);
            }
        })
    }

    fn neighbours_hash(&self, (newer, older): (Option<EntryId>, Option<EntryId>)) -> u64 {
        cache::key(|h| {
            newer.map(|i| self.site.entries[i].source_bytes()).hash(h);
            older.map(|i| self.site.entries[i].source_bytes()).hash(h);
        })
    }

    fn steps_hash(&self, steps: &[PathStep]) -> u64 {
        cache::key(|h| {
            for step in steps {
                (self.site.entries[step.path].source_bytes(), step.index).hash(h);
            }
        })
    }

    fn mentioned_in(&self, term: EntryId) -> &[EntryId] {
        self.bodies
            .mentioned_in
            .get(&term)
            .map_or(&[][..], Vec::as_slice)
    }

    /// A fingerprint of every lookup's answer: the site's structure and
    /// which entries mention which term. While it is the same as last time,
    /// no recorded lookup needs asking again.
    pub(super) fn lookups_key(
        site: &crate::link::Site,
        bodies: &crate::render::bodies::Bodies,
    ) -> u64 {
        cache::key(|h| {
            site.structure_key().hash(h);
            let mut mentioned: Vec<(&EntryId, &Vec<EntryId>)> =
                bodies.mentioned_in.iter().collect();
            mentioned.sort_unstable();
            mentioned.hash(h);
            // What related stories are chosen by besides mentions.
            for e in &site.entries {
                if let crate::load::Meta::Story(s) = &e.meta {
                    (&s.touchpoints, &s.values).hash(h);
                }
            }
        })
    }

    /// Whether a page recorded by an earlier render would come out the
    /// same now: every entry it read and every answer it got unchanged.
    pub(super) fn still_holds(&self, record: &PageRecord) -> bool {
        let site = self.site;
        record.chrome == self.chrome_key
            && record
                .entries
                .iter()
                .all(|(hint, source, address, part, fingerprint)| {
                    // The entry read then, unchanged since (a save re-reads
                    // only what it touched), is found by its address alone;
                    // else the same bytes, the same file (Path's own ==
                    // walks components, slow over ten thousand records).
                    // Should another entry stand at that address and id,
                    // its fingerprint tells.
                    let id = match site.entries.get(*hint) {
                        Some(e)
                            if Arc::as_ptr(e) as usize == *address
                                || e.source_bytes() == source.as_os_str() =>
                        {
                            Some(*hint)
                        }
                        _ => site.by_source(source),
                    };
                    id.is_some_and(|id| self.fingerprint(id, *part) == *fingerprint)
                })
            && (self.lookups_key == self.previous.lookups
                || record.lookups.iter().all(|(lookup, answer)| {
                    let now = match lookup {
                        Lookup::Entry(kind, slug, lang) => {
                            self.answer_hash(site.get(*kind, slug, lang).as_slice())
                        }
                        Lookup::Translations(slug) => self.answer_hash(site.translations(slug)),
                        Lookup::PathSteps(source) => match site.by_source(source) {
                            Some(id) => self.steps_hash(site.path_steps(id)),
                            None => return false,
                        },
                        Lookup::MentionedIn(source) => match site.by_source(source) {
                            Some(id) => self.answer_hash(self.mentioned_in(id)),
                            None => return false,
                        },
                        Lookup::Neighbours(source) => match site.by_source(source) {
                            Some(id) => self.neighbours_hash(self.neighbours(id)),
                            None => return false,
                        },
                        Lookup::Related(source) => match site.by_source(source) {
                            Some(id) => self.answer_hash(&self.related_stories(id)),
                            None => return false,
                        },
                    };
                    now == *answer
                }))
    }
}
