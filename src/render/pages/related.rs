//! What a story page suggests next: its neighbours in the stories list
//! (previous and next, by date) and "related stories", those sharing the
//! most glossary terms, touchpoints and values with it.
//!
//! Both are asked through the page's [`Reader`](super::reads::Reader), so a
//! page is re-rendered when its answer changes.

use rustc_hash::FxHashMap as HashMap;

use crate::link::EntryId;
use crate::load::{Kind, Meta};

use super::Pages;

/// How many related stories a page shows.
pub const RELATED: usize = 3;
/// How many stories sharing one feature are weighed (the newest): a value
/// shared by thousands of stories says little, and scanning them all for
/// each of ten thousand pages would be slow.
const CANDIDATES_PER_FEATURE: usize = 40;
/// How many of a story's glossary terms are weighed (the rarest).
const TERMS_WEIGHED: usize = 6;

/// Stories by what they share: a term they mention, a touchpoint, a value.
/// Keys borrow from the site and each list holds only the candidates
/// weighed: a save while serving that re-renders one story page makes
/// the index anew, on that page's path to the browser.
#[derive(Default)]
pub(super) struct RelatedIndex<'a> {
    by_touchpoint: HashMap<&'a str, Vec<EntryId>>,
    by_value: HashMap<&'a str, Vec<EntryId>>,
    /// Per entry, whether it is a story: asked of some 500 candidates a
    /// page, where reading each entry's kind was a cache miss each.
    is_story: Vec<bool>,
}

impl<'a> RelatedIndex<'a> {
    pub(super) fn new(pages: &Pages<'a>) -> RelatedIndex<'a> {
        let mut index = RelatedIndex {
            is_story: pages
                .site
                .entries
                .iter()
                .map(|e| e.kind == Kind::Story)
                .collect(),
            ..RelatedIndex::default()
        };
        let site: &'a crate::link::Site = pages.site;
        let add = |map: &mut HashMap<&'a str, Vec<EntryId>>, key: &'a str, id| {
            let ids = map.entry(key).or_default();
            if ids.len() < CANDIDATES_PER_FEATURE {
                ids.push(id);
            }
        };
        for id in site.ids(Kind::Story) {
            let Meta::Story(s) = &site.entries[id].meta else {
                continue;
            };
            for t in &s.touchpoints {
                add(&mut index.by_touchpoint, t, id);
            }
            for v in &s.values {
                add(&mut index.by_value, v, id);
            }
        }
        index
    }
}

impl Pages<'_> {
    /// The story before and after this one in the stories list (newer,
    /// older): its neighbours in the site's order.
    pub(super) fn neighbours(&self, id: EntryId) -> (Option<EntryId>, Option<EntryId>) {
        let site = self.site;
        let is_story = |i: EntryId| site.entries.get(i).is_some_and(|e| e.kind == Kind::Story);
        if !is_story(id) {
            return (None, None);
        }
        (
            id.checked_sub(1).filter(|&i| is_story(i)),
            Some(id + 1).filter(|&i| is_story(i)),
        )
    }

    /// The stories sharing the most with this one: each glossary term both
    /// mention (of its six rarest) and each touchpoint counts 2, each value
    /// 1; ties go to the newer story. Only stories sharing at least 2 points.
    pub(super) fn related_stories(&self, id: EntryId) -> Vec<EntryId> {
        let site = self.site;
        let Meta::Story(s) = &site.entries[id].meta else {
            return Vec::new();
        };
        let index = self.related_index.get_or_init(|| RelatedIndex::new(self));
        // The rarest terms it mentions say the most about it.
        let mut terms: Vec<&[EntryId]> = self.bodies.rendered[id]
            .mentions
            .iter()
            .filter_map(|&m| self.bodies.mentioned_in.get(&self.bodies.glossary_terms[m]))
            .map(Vec::as_slice)
            .collect();
        terms.sort_unstable_by_key(|ids| (ids.len(), ids.first().copied()));
        terms.dedup();
        // Points per story, in a table as long as the site kept per thread
        // (ten thousand pages each weigh up to a few thousand candidates: a
        // hash map per page was most of a build's time).
        thread_local! {
            static SCORES: std::cell::RefCell<(Vec<u32>, Vec<EntryId>)> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        let mut ranked: Vec<(u32, EntryId)> = SCORES.with(|cell| {
            let (scores, touched) = &mut *cell.borrow_mut();
            scores.resize(scores.len().max(site.entries.len()), 0);
            let mut add = |ids: &[EntryId], points: u32| {
                for &other in ids.iter().take(CANDIDATES_PER_FEATURE) {
                    if other != id && index.is_story[other] {
                        if scores[other] == 0 {
                            touched.push(other);
                        }
                        scores[other] += points;
                    }
                }
            };
            for ids in terms.into_iter().take(TERMS_WEIGHED) {
                add(ids, 2);
            }
            for t in &s.touchpoints {
                add(
                    index
                        .by_touchpoint
                        .get(t.as_str())
                        .map_or(&[], Vec::as_slice),
                    2,
                );
            }
            for v in &s.values {
                add(index.by_value.get(v.as_str()).map_or(&[], Vec::as_slice), 1);
            }
            let ranked = touched
                .iter()
                .filter(|&&other| scores[other] >= 2)
                .map(|&other| (scores[other], other))
                .collect();
            for other in touched.drain(..) {
                scores[other] = 0;
            }
            ranked
        });
        // Most points first, then the newer (a smaller id): a total order,
        // so picking the first few, then sorting only them, gives the same.
        let order = |a: &(u32, EntryId), b: &(u32, EntryId)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if ranked.len() > RELATED {
            ranked.select_nth_unstable_by(RELATED, order);
            ranked.truncate(RELATED);
        }
        ranked.sort_unstable_by(order);
        ranked
            .into_iter()
            .take(RELATED)
            .map(|(_, other)| other)
            .collect()
    }
}
