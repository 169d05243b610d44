//! `moved_from:`: the files an entry was before it was renamed or moved.
//! Each old file's address keeps working (a bookmark, a link in a chat or
//! an email): a small page there sends the reader on to the entry (see
//! `render::moved`). Written as links are, as the old file's path relative
//! to the entry's file (`moved_from: snow.md`), so the address is worked
//! out by the rules that made it (`load::classify`, `paths::entry_url`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::link::{EntryId, Site};
use crate::load::{CONTENT_DIR, Kind};
use crate::paths;

/// An old address that leads to an entry's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The old file, relative to the site root (`content/stories/snow.md`).
    pub source: PathBuf,
    /// The old page's URL (`stories/snow/`).
    pub from: String,
    pub to: EntryId,
}

/// Every entry's old addresses, checked: each names a Markdown file under
/// `content/` that is not an entry now, whose address is not Campfire's
/// own, and that no other entry claims. A glossary term's translations
/// move with it: a term once `nps.md` had its Portuguese page at
/// `pt/glossary/nps/`, which now leads to the translation's new page.
pub(super) fn link_moves(site: &Site, diags: &mut Diagnostics) -> Vec<Move> {
    let mut moves: Vec<Move> = Vec::new();
    // Most sites move nothing: no set of every page is made for them.
    if site.entries.iter().all(|e| e.moved_from.is_empty()) {
        return moves;
    }
    // Every entry's page, so that a site moving thousands of files (a
    // migration) does not compare each old address with every page.
    let pages: HashSet<&str> = (0..site.entries.len()).map(|id| site.url(id)).collect();
    // Old URL → the entry that claimed it first.
    let mut claimed: HashMap<String, EntryId> = HashMap::new();
    for (id, e) in site.entries.iter().enumerate() {
        for written in &e.moved_from {
            let (source, from) = match old_url(site, &pages, id, written) {
                Ok(old) => old,
                Err(problem) => {
                    diags.push(e.error_at(
                        "moved_from",
                        Some(written),
                        format!("moved_from \"{written}\": {problem}"),
                    ));
                    continue;
                }
            };
            if let Some(&first) = claimed.get(&from) {
                if first != id {
                    diags.push(e.error_at(
                        "moved_from",
                        Some(written),
                        format!(
                            "moved_from \"{written}\": {} says it moved from there too; an old address can lead to one page only: remove it from one of them",
                            site.entries[first].source.display()
                        ),
                    ));
                }
                continue;
            }
            claimed.insert(from.clone(), id);
            moves.push(Move {
                source,
                from,
                to: id,
            });
        }
    }
    // A term's translations, where the original moved (and where the
    // translation does not say where it came from itself).
    let originals: Vec<Move> = moves
        .iter()
        .filter(|m| {
            let e = &site.entries[m.to];
            e.kind == Kind::Term && e.lang == site.config.language
        })
        .cloned()
        .collect();
    for m in originals {
        let Some(old_slug) = m
            .from
            .strip_prefix(Kind::Term.folder())
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_suffix('/'))
        else {
            continue;
        };
        for &t in site.translations(&site.entries[m.to].slug) {
            let lang = &site.entries[t].lang;
            let from = paths::entry_url(Kind::Term, old_slug, lang, &site.config.language);
            if claimed.contains_key(&from) || pages.contains(from.as_str()) {
                continue;
            }
            claimed.insert(from.clone(), t);
            moves.push(Move {
                source: m.source.with_file_name(format!("{old_slug}.{lang}.md")),
                from,
                to: t,
            });
        }
    }
    moves
}

/// The file `written` (relative to entry `id`'s file), relative to the
/// site root, and the address it had.
fn old_url(
    site: &Site,
    pages: &HashSet<&str>,
    id: EntryId,
    written: &str,
) -> Result<(PathBuf, String), String> {
    let e = &site.entries[id];
    if !written.ends_with(".md") {
        return Err(format!(
            "name the old file as it was, relative to this file, e.g. \"{}.md\"",
            written
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or("old-name")
        ));
    }
    let dir = e.source.parent().unwrap_or(Path::new(""));
    let old = crate::render::markdown::normalize(&dir.join(written));
    let Ok(rel) = old.strip_prefix(CONTENT_DIR) else {
        return Err(format!(
            "{} is outside content/: name a file that was under content/, relative to this file",
            old.display()
        ));
    };
    if old == e.source {
        return Err("that is this file itself: remove the line".to_string());
    }
    // Left out (a draft, a file with errors) it is still there too: its
    // page would come back when it is published or fixed.
    if site.by_source(&old).is_some() || site.left_out(&old).is_some() {
        return Err(format!(
            "{} is still there: delete it (or rename it back and remove this line): moved_from is for a file that no longer exists",
            old.display()
        ));
    }
    let (kind, slug, lang) = crate::load::classify(rel)
        .map_err(|why| format!("{} could not have been a page: {why}", old.display()))?;
    let lang = lang.unwrap_or_else(|| site.config.language.clone());
    let from = paths::entry_url(kind, &slug, &lang, &site.config.language);
    if from == site.url(id) {
        return Err("that is this entry's own address: remove the line".to_string());
    }
    if pages.contains(from.as_str()) {
        return Err(format!(
            "another entry has that address now ({from}): remove the line"
        ));
    }
    let first = from.split('/').next().unwrap_or_default();
    if kind == Kind::Page
        && (paths::reserved_segments().any(|r| r == first)
            || site.config.languages.iter().any(|l| l == first))
    {
        return Err(format!(
            "the address /{from} is Campfire's own, so no page was ever there: remove the line"
        ));
    }
    Ok((old, from))
}
