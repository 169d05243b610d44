//! What lists show about an entry, and the base of its own page's data: a
//! typed template context. It serializes to the same fields the templates
//! have always seen (`e.title`, `e.href`, …). A card is made once per
//! change of what it shows and shared (`Arc`) by every page that shows it,
//! and by the next render while serving.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use serde::{Serialize, Serializer};

use super::{tag_slug, truncate_words};
use crate::link::{EntryId, Site};
use crate::load::{Kind, Meta};
use crate::paths::{self, Taxonomy};
use crate::render::bodies::Bodies;
use crate::render::theme::Theme;

/// A link to a vocabulary item (department, touchpoint, value, tag).
#[derive(Debug, Serialize, Hash)]
pub struct Named {
    pub id: String,
    pub name: String,
    pub href: String,
}

impl Named {
    fn new(taxonomy: Taxonomy, id: String, name: String) -> Self {
        Named {
            href: paths::page_file(&paths::taxonomy_item_url(taxonomy, &id)),
            id,
            name,
        }
    }
}

/// A [`Named`] shared by every card that shows it: a hundred thousand
/// stories name a few dozen departments, touchpoints, values and tags.
/// Serialized and hashed as the `Named` it points to.
#[derive(Debug, Clone, Hash)]
pub struct Shared(Arc<Named>);

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// The vocabulary links of one render's cards, each made once (cards are
/// made in parallel, hence the lock; a lookup allocates nothing).
#[derive(Default)]
pub(crate) struct Vocabulary {
    /// By a hash of (taxonomy, what the front matter says, language): the
    /// items with that hash, each with its taxonomy, text and language.
    named: Mutex<rustc_hash::FxHashMap<u64, Vec<VocabularyItem>>>,
    /// Texts many cards repeat (languages, dates, authors), each held once.
    texts: Mutex<rustc_hash::FxHashSet<Arc<str>>>,
    /// People as cards name them, by what the front matter says.
    people: Mutex<rustc_hash::FxHashMap<String, Arc<Who>>>,
}

/// A vocabulary link with its taxonomy, what the front matter says and
/// the language it is made for.
type VocabularyItem = (u8, String, String, Shared);

impl Vocabulary {
    /// The link for `written` (an id, or a tag as written) of `taxonomy`
    /// in `lang`, made by `make` the first time.
    fn get(
        &self,
        taxonomy: Taxonomy,
        written: &str,
        lang: &str,
        make: impl FnOnce() -> Named,
    ) -> Shared {
        let t = taxonomy as u8;
        let mut h = rustc_hash::FxHasher::default();
        (t, written, lang).hash(&mut h);
        let key = h.finish();
        let found = |items: &Vec<VocabularyItem>| {
            items
                .iter()
                .find(|(tt, w, l, _)| *tt == t && w == written && l == lang)
                .map(|(_, _, _, n)| n.clone())
        };
        if let Some(n) = self
            .named
            .lock()
            .expect("vocabulary")
            .get(&key)
            .and_then(found)
        {
            return n;
        }
        let made = Shared(Arc::new(make()));
        let mut named = self.named.lock().expect("vocabulary");
        let items = named.entry(key).or_default();
        if let Some(n) = found(items) {
            return n;
        }
        items.push((t, written.to_string(), lang.to_string(), made.clone()));
        made
    }

    /// `text`, shared with every card that shows the same (a hundred
    /// thousand stories have a few languages, a few thousand dates and
    /// authors).
    fn text(&self, text: &str) -> Arc<str> {
        let mut texts = self.texts.lock().expect("vocabulary texts");
        if let Some(t) = texts.get(text) {
            return t.clone();
        }
        let t: Arc<str> = text.into();
        texts.insert(t.clone());
        t
    }

    /// The person `text` names (see [`Who::new`]), shared likewise.
    fn who(&self, site: &Site, text: &str) -> Arc<Who> {
        if let Some(w) = self.people.lock().expect("vocabulary people").get(text) {
            return w.clone();
        }
        let who = Arc::new(Who::new(site, text));
        self.people
            .lock()
            .expect("vocabulary people")
            .entry(text.to_string())
            .or_insert(who)
            .clone()
    }
}

/// A cover photo as cards and pages show it: the file (relative to the
/// site root), its size when known, and its smaller copies.
#[derive(Debug, Serialize, Hash)]
pub struct Cover {
    pub src: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Every copy (see `images`) with its width, the original last; empty
    /// when there is only the original.
    pub srcset: Vec<Variant>,
}

#[derive(Debug, Serialize, Hash)]
pub struct Variant {
    pub src: String,
    pub width: u32,
}

/// Serialized as one struct with the fields of its [`CardExtra`] beside
/// its own (see its `Serialize`).
#[derive(Debug, Hash)]
pub struct Card {
    pub kind: Kind,
    pub slug: String,
    pub lang: Arc<str>,
    pub title: String,
    pub href: String,
    /// The front matter's own (shared with the entry), or the body's.
    pub summary: Arc<str>,
    pub date: Option<Arc<str>>,
    pub date_iso: Option<Arc<str>>,
    pub touchpoints: Vec<Shared>,
    pub tags: Vec<Shared>,
    pub cover: Option<Cover>,
    pub extra: CardExtra,
}

/// The card's fields, then its extra's, in one struct: what
/// `#[serde(flatten)]` made of it, without the map that flattening goes
/// through (a story page serializes a dozen cards, and flattening made
/// every key a string serialized and compared: 4.6% of a build).
impl Serialize for Card {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Card", self.field_count())?;
        self.serialize_fields(&mut st)?;
        st.end()
    }
}

impl Card {
    /// How many fields [`Card::serialize_fields`] writes.
    pub(super) fn field_count(&self) -> usize {
        11 + self.extra.field_count()
    }

    /// Writes the card's fields into `st`: its own struct's, or those of a
    /// struct that shows the card's fields beside its own (`WallItem`).
    pub(super) fn serialize_fields<S: serde::ser::SerializeStruct>(
        &self,
        st: &mut S,
    ) -> Result<(), S::Error> {
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("slug", &self.slug)?;
        st.serialize_field("lang", &self.lang)?;
        st.serialize_field("title", &self.title)?;
        st.serialize_field("href", &self.href)?;
        st.serialize_field("summary", &self.summary)?;
        st.serialize_field("date", &self.date)?;
        st.serialize_field("date_iso", &self.date_iso)?;
        st.serialize_field("touchpoints", &self.touchpoints)?;
        st.serialize_field("tags", &self.tags)?;
        st.serialize_field("cover", &self.cover)?;
        self.extra.serialize_fields(st)
    }
}

/// Someone named on a story: a person of site.yaml (with a page), or free
/// text (a team, colleagues).
#[derive(Debug, Serialize, Hash)]
pub struct Who {
    pub name: String,
    /// Their page, when they are one of site.yaml's `people`.
    pub href: Option<String>,
    pub role: Option<String>,
}

impl Who {
    pub(super) fn new(site: &Site, text: &str) -> Who {
        match site.config.person(text) {
            Some(p) => Who {
                name: p.name.clone(),
                href: Some(paths::page_file(&paths::person_url(&p.id))),
                role: p.role.clone(),
            },
            None => Who {
                name: text.to_string(),
                href: None,
                role: None,
            },
        }
    }
}

/// The fields only some kinds have, serialized beside the card's own
/// (see [`CardExtra::serialize_fields`]).
#[derive(Debug, Hash)]
pub enum CardExtra {
    Story {
        department: Shared,
        values: Vec<Shared>,
        featured: bool,
        /// The author as written (an id or a name).
        author: Arc<str>,
        /// The author's name and page.
        by: Arc<Who>,
        recognized: Vec<Arc<Who>>,
    },
    Term {
        aliases: Vec<String>,
    },
    Path {
        step_count: usize,
        audience: Option<String>,
        duration: Option<String>,
    },
    Case {
        organization: String,
    },
    Page {},
}

impl CardExtra {
    fn field_count(&self) -> usize {
        match self {
            CardExtra::Story { .. } => 6,
            CardExtra::Term { .. } | CardExtra::Case { .. } => 1,
            CardExtra::Path { .. } => 3,
            CardExtra::Page {} => 0,
        }
    }

    /// Writes the fields into the card's struct.
    fn serialize_fields<S: serde::ser::SerializeStruct>(&self, st: &mut S) -> Result<(), S::Error> {
        match self {
            CardExtra::Story {
                department,
                values,
                featured,
                author,
                by,
                recognized,
            } => {
                st.serialize_field("department", department)?;
                st.serialize_field("values", values)?;
                st.serialize_field("featured", featured)?;
                st.serialize_field("author", author)?;
                st.serialize_field("by", by)?;
                st.serialize_field("recognized", recognized)
            }
            CardExtra::Term { aliases } => st.serialize_field("aliases", aliases),
            CardExtra::Path {
                step_count,
                audience,
                duration,
            } => {
                st.serialize_field("step_count", step_count)?;
                st.serialize_field("audience", audience)?;
                st.serialize_field("duration", duration)
            }
            CardExtra::Case { organization } => st.serialize_field("organization", organization),
            CardExtra::Page {} => Ok(()),
        }
    }
}

/// An entry's card. The summary is the front matter's, or the body's
/// first paragraph cut at 40 words.
pub(crate) fn card(
    site: &Site,
    bodies: &Bodies,
    theme: &Theme,
    vocabulary: &Vocabulary,
    id: EntryId,
) -> Card {
    let e = &site.entries[id];
    let vocabulary_item = |taxonomy: Taxonomy, item: &String| {
        vocabulary.get(taxonomy, item, &e.lang, || {
            let kind =
                crate::config::Named::of(taxonomy).expect("a department, touchpoint or value");
            Named::new(
                taxonomy,
                item.clone(),
                site.config.name_of(kind, item, &e.lang),
            )
        })
    };
    let summary = match e.shared_summary() {
        Some(s) => s,
        None => truncate_words(&bodies.rendered[id].first_paragraph, 40).into(),
    };
    let extra = match &e.meta {
        Meta::Story(s) => CardExtra::Story {
            department: vocabulary_item(Taxonomy::Departments, &s.department),
            values: s
                .values
                .iter()
                .map(|v| vocabulary_item(Taxonomy::Values, v))
                .collect(),
            featured: s.featured,
            author: vocabulary.text(&s.author),
            by: vocabulary.who(site, &s.author),
            recognized: s
                .recognized
                .iter()
                .map(|r| vocabulary.who(site, r))
                .collect(),
        },
        Meta::Term(t) => CardExtra::Term {
            aliases: t.aliases.clone(),
        },
        Meta::Path(p) => CardExtra::Path {
            step_count: p.steps.len(),
            audience: p.audience.clone(),
            duration: p.duration.clone(),
        },
        Meta::Case(c) => CardExtra::Case {
            organization: c.organization.clone(),
        },
        Meta::Page(_) => CardExtra::Page {},
    };
    let cover = e.cover().map(|path| {
        let src =
            paths::asset_output_path(path.strip_prefix(crate::load::CONTENT_DIR).unwrap_or(&path));
        let size = bodies.images.get(&path).copied();
        Cover {
            srcset: size
                .filter(|s| crate::render::images::widths(*s).next().is_some())
                .map(|s| {
                    crate::render::images::widths(s)
                        .map(|width| Variant {
                            src: crate::render::images::variant_path(&src, width),
                            width,
                        })
                        .chain(std::iter::once(Variant {
                            src: src.clone(),
                            width: s.0,
                        }))
                        .collect()
                })
                .unwrap_or_default(),
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            src,
        }
    });
    Card {
        kind: e.kind,
        cover,
        slug: e.slug.clone(),
        lang: vocabulary.text(&e.lang),
        title: e.title().to_string(),
        href: paths::page_file(site.url(id)),
        summary,
        // In the site's language, as lists show it (templates format
        // `date_iso` for the page's own language with `long_date`).
        date: e
            .date()
            .map(|d| vocabulary.text(&theme.long_date(d, &site.config.language))),
        date_iso: e.date().map(|d| vocabulary.text(&d.to_string())),
        touchpoints: e
            .touchpoints()
            .iter()
            .map(|t| vocabulary_item(Taxonomy::Touchpoints, t))
            .collect(),
        // A tag's link depends on how it is written only.
        tags: e
            .tags()
            .iter()
            .map(|t| {
                vocabulary.get(Taxonomy::Tags, t, "", || {
                    let slug = tag_slug(t);
                    let name = site.config.tag_name(&slug, t).to_string();
                    Named::new(Taxonomy::Tags, slug, name)
                })
            })
            .collect(),
        extra,
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// A story's card with every field set.
    pub(in crate::render::pages) fn a_story_card() -> Card {
        let extra = extras().into_iter().next().expect("a story's extra");
        card_with(extra)
    }

    fn card_with(extra: CardExtra) -> Card {
        let named = || {
            Shared(Arc::new(Named {
                id: "billing".into(),
                name: "Billing".into(),
                href: "departments/billing/index.html".into(),
            }))
        };
        Card {
            kind: Kind::Story,
            slug: "s".into(),
            lang: "en".into(),
            title: "T".into(),
            href: "stories/s/index.html".into(),
            summary: "S".into(),
            date: None,
            date_iso: Some("2024-01-02".into()),
            touchpoints: vec![named()],
            tags: Vec::new(),
            cover: None,
            extra,
        }
    }

    /// One extra of each kind.
    fn extras() -> [CardExtra; 5] {
        let named = || {
            Shared(Arc::new(Named {
                id: "care".into(),
                name: "Care".into(),
                href: "values/care/index.html".into(),
            }))
        };
        let who = || Who {
            name: "Ana".into(),
            href: None,
            role: Some("Lead".into()),
        };
        [
            CardExtra::Story {
                department: named(),
                values: vec![named()],
                featured: true,
                author: "ana".into(),
                by: who().into(),
                recognized: vec![who().into()],
            },
            CardExtra::Term {
                aliases: vec!["NPS".into()],
            },
            CardExtra::Path {
                step_count: 3,
                audience: None,
                duration: Some("1 h".into()),
            },
            CardExtra::Case {
                organization: "Acme".into(),
            },
            CardExtra::Page {},
        ]
    }

    /// The names of a card's fields as `{:#?}` lists them: its own (but
    /// `extra`), and its extra's.
    fn debug_fields(card: &Card) -> BTreeSet<String> {
        let field = |line: &str, indent: usize| {
            let rest = line.strip_prefix(&" ".repeat(indent))?;
            let (name, _) = rest.split_once(": ")?;
            (!name.starts_with(' ') && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                .then(|| name.to_string())
        };
        let mut out = BTreeSet::new();
        let mut in_extra = false;
        for line in format!("{card:#?}").lines() {
            if line.starts_with("    extra: ") {
                in_extra = true;
            } else if in_extra && field(line, 4).is_some() {
                in_extra = false;
            }
            if let Some(name) = field(line, if in_extra { 8 } else { 4 }) {
                out.insert(name);
            }
        }
        out
    }

    #[test]
    fn a_card_s_template_data_has_every_field_of_the_card_and_its_extra() {
        for extra in extras() {
            let count = extra.field_count();
            let card = card_with(extra);
            let value = serde_json::to_value(&card).unwrap();
            let keys: BTreeSet<String> = value.as_object().unwrap().keys().cloned().collect();
            let mut expected = debug_fields(&card);
            expected.remove("extra");
            assert_eq!(keys, expected, "{card:#?}");
            assert_eq!(keys.len(), 11 + count, "the struct's length");
        }
    }
}
