//! Tag hygiene: tags are free text, so the same idea drifts into several
//! spellings (`callback`, `callbacks`; `empowerment`, `agent-empowerment`).
//! Each tag is compared with the others by its address; a tag close to a
//! more used one (or, with a controlled list in site.yaml, any tag not on
//! it) is a warning naming the closest existing tag.

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::link::Site;

/// Above this many distinct tags, only the cheap checks (plural, one tag
/// inside another) run: the pairwise edit distance would slow every save.
const EDIT_DISTANCE_LIMIT: usize = 2000;

/// Whether two tag addresses (slugs) are near-duplicates: a plural of the
/// other, one a hyphenated part of the other (`empowerment`,
/// `agent-empowerment`), or one or two letters apart in a long word.
pub fn near_duplicate(a: &str, b: &str, edit_distance: bool) -> bool {
    if a == b {
        return false;
    }
    let singular = |s: &str| -> String {
        s.strip_suffix("ies")
            .map(|x| format!("{x}y"))
            .or_else(|| {
                s.strip_suffix("es")
                    .filter(|x| x.ends_with(['s', 'x', 'h']))
                    .map(str::to_string)
            })
            .or_else(|| {
                s.strip_suffix('s')
                    .filter(|x| x.len() >= 3 && !x.ends_with('s'))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| s.to_string())
    };
    let words = |s: &str| s.split('-').map(singular).collect::<Vec<_>>().join("-");
    let (wa, wb) = (words(a), words(b));
    if wa == wb {
        return true;
    }
    // `agent-empowerment` is a kind of `empowerment`; `billing-error` is
    // not a kind of `billing`.
    let part_of =
        |short: &str, long: &str| short.len() >= 4 && long.ends_with(&format!("-{short}"));
    if part_of(&wa, &wb) || part_of(&wb, &wa) {
        return true;
    }
    edit_distance && {
        let shorter = wa.len().min(wb.len());
        let d = strsim::levenshtein(&wa, &wb);
        (shorter >= 5 && d <= 1) || (shorter >= 9 && d <= 2)
    }
}

/// Warns on every use of a tag that is not on site.yaml's list, or that
/// nearly duplicates a more used one; each names the tag to use instead.
pub fn check(site: &Site, diags: &mut Diagnostics) {
    // slug → (uses, first spelling).
    let mut used: BTreeMap<String, (usize, &str)> = BTreeMap::new();
    for e in &site.entries {
        for t in e.tags() {
            used.entry(slug::slugify(t)).or_insert((0, t)).0 += 1;
        }
    }
    if used.is_empty() {
        return;
    }
    let listed = &site.config.tag_names;
    // The tag each questionable one should be, by slug.
    let mut instead: BTreeMap<&str, String> = BTreeMap::new();
    if site.config.tags.is_some() {
        for slug in used.keys() {
            if listed.contains_key(slug) {
                continue;
            }
            let close = listed
                .iter()
                .find(|(l, _)| near_duplicate(slug, l, true))
                .map(|(_, name)| name.as_str())
                .or_else(|| {
                    crate::diagnostics::did_you_mean(slug, listed.values().map(String::as_str))
                });
            instead.insert(
                slug,
                match close {
                    Some(name) => format!(
                        "is not in site.yaml's `tags`: did you mean \"{name}\"? (or add it to `tags:` in site.yaml)"
                    ),
                    None => "is not in site.yaml's `tags`: use one of them, or add it to `tags:` in site.yaml".to_string(),
                },
            );
        }
    } else {
        let edit_distance = used.len() <= EDIT_DISTANCE_LIMIT;
        let slugs: Vec<(&String, &(usize, &str))> = used.iter().collect();
        for (i, (a, (na, _))) in slugs.iter().enumerate() {
            for (b, (nb, spelled)) in &slugs[i + 1..] {
                if !near_duplicate(a, b, edit_distance) {
                    continue;
                }
                // The rarer spelling is the one to change (on a tie, the later).
                let (rare, common, name, uses) = if na > nb {
                    (b.as_str(), a.as_str(), used[a.as_str()].1, *na)
                } else {
                    (a.as_str(), b.as_str(), *spelled, *nb)
                };
                let _ = common;
                instead.entry(rare).or_insert_with(|| {
                    format!(
                        "is close to the tag \"{name}\" (on {uses} entr{}): use one spelling, or list the site's tags under `tags:` in site.yaml",
                        if uses == 1 { "y" } else { "ies" }
                    )
                });
            }
        }
    }
    if instead.is_empty() {
        return;
    }
    for e in &site.entries {
        for t in e.tags() {
            if let Some(why) = instead.get(slug::slugify(t).as_str()) {
                let (line, col) = e.locate("tags", Some(t));
                diags.push(Diagnostic::warning(
                    &e.source,
                    line,
                    col,
                    format!("tag \"{t}\" {why}"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::near_duplicate;

    #[test]
    fn near_duplicates() {
        for (a, b) in [
            ("callback", "callbacks"),
            ("empowerment", "agent-empowerment"),
            ("escalation", "escalations"),
            ("policy", "policies"),
            ("delivery-window", "delivery-windows"),
            ("first-invoice", "first-invoices"),
            ("accessibility", "accesibility"),
            ("boxes", "box"),
        ] {
            assert!(near_duplicate(a, b, true), "{a} ~ {b}");
            assert!(near_duplicate(b, a, true), "{b} ~ {a}");
        }
        for (a, b) in [
            ("sms", "chat"),
            ("billing", "billing-error"),
            ("delivery-slots", "delivery-windows"),
            ("refunds", "returns"),
            ("bus", "bu"),
        ] {
            assert!(!near_duplicate(a, b, true), "{a} !~ {b}");
        }
    }
}
