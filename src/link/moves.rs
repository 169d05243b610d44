//! `moved_from:`: the files an entry was before it was renamed or moved.
//! Each old file's address keeps working (a bookmark, a link in a chat or
//! an email): a small page there sends the reader on to the entry (see
//! `render::moved`). Written as links are, as the old file's path relative
//! to the entry's file (`moved_from: snow.md`), so the address is worked
//! out by the rules that made it (`load::classify`, `paths::entry_url`).
//!
//! An address of another system (an old intranet, a wiki, the tool the
//! site replaced) is written as its URL path from the site's root,
//! starting with `/` (`moved_from: /cx/nps.html`, `/kb/refunds/`): the
//! page is written where that address is answered (see
//! `paths::old_address_file`), unless something of the site's own is
//! there, or could be.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::link::{EntryId, Site};
use crate::load::{CONTENT_DIR, Kind};
use crate::paths;

/// An old address that leads to an entry's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The old file, relative to the site root (`content/stories/snow.md`);
    /// `None` for an address of another system (`/cx/nps.html`).
    pub source: Option<PathBuf>,
    /// The file written at the old address, relative to the output
    /// (`stories/snow/index.html`, `cx/nps.html`, `kb/refunds/index.html`).
    pub file: String,
    pub to: EntryId,
}

/// Every entry's old addresses, checked: each old file names a Markdown
/// file under `content/` that is not an entry now, whose address is not
/// Campfire's own; each address of another system is a path the output
/// can hold where nothing of the site's is; and no two entries claim one.
/// A glossary term's translations move with it: a term once `nps.md` had
/// its Portuguese page at `pt/glossary/nps/`, which now leads to the
/// translation's new page.
pub(super) fn link_moves(site: &Site, diags: &mut Diagnostics) -> Vec<Move> {
    let mut moves: Vec<Move> = Vec::new();
    // Most sites move nothing: no set of every page is made for them.
    if site.entries.iter().all(|e| e.moved_from.is_empty()) {
        return moves;
    }
    // Every entry's page, so that a site moving thousands of files (a
    // migration) does not compare each old address with every page.
    let pages: HashMap<&str, EntryId> = (0..site.entries.len())
        .map(|id| (site.url(id), id))
        .collect();
    // What the output holds besides, made once an address of another
    // system asks.
    let mut taken: Option<Taken> = None;
    // Each old address's file, in lowercase (macOS and Windows do not
    // tell `KB/` from `kb/`) → its move.
    let mut claimed: HashMap<String, usize> = HashMap::new();
    // The folders those files are in, lowercase → the move that made it.
    let mut folders: HashMap<String, usize> = HashMap::new();
    for (id, e) in site.entries.iter().enumerate() {
        for written in &e.moved_from {
            let old = if written.starts_with('/') || written.contains("://") {
                let taken = taken.get_or_insert_with(|| Taken::of(site));
                address_file(site, &pages, taken, id, written).map(|file| (None, file))
            } else {
                old_url(site, &pages, id, written)
                    .map(|(source, from)| (Some(source), paths::page_file(&from)))
            };
            let problem = match old {
                Ok((source, file)) => match claim(site, &moves, &claimed, &folders, id, &file) {
                    Ok(true) => {
                        let i = moves.len();
                        claimed.insert(file.to_lowercase(), i);
                        for folder in ancestors(&file) {
                            folders.entry(folder.to_lowercase()).or_insert(i);
                        }
                        moves.push(Move {
                            source,
                            file,
                            to: id,
                        });
                        continue;
                    }
                    Ok(false) => continue,
                    Err(problem) => problem,
                },
                Err(problem) => problem,
            };
            diags.push(e.error_at(
                "moved_from",
                Some(written),
                format!("moved_from \"{written}\": {problem}"),
            ));
        }
    }
    // A term's translations, where the original moved from an old file
    // (and where the translation does not say where it came from itself).
    let originals: Vec<Move> = moves
        .iter()
        .filter(|m| {
            let e = &site.entries[m.to];
            m.source.is_some() && e.kind == Kind::Term && e.lang == site.config.language
        })
        .cloned()
        .collect();
    for m in originals {
        let Some(old_slug) = m
            .file
            .strip_prefix(Kind::Term.folder())
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_suffix(&paths::page_file("/")))
        else {
            continue;
        };
        for &t in site.translations(&site.entries[m.to].slug) {
            let lang = &site.entries[t].lang;
            let from = paths::entry_url(Kind::Term, old_slug, lang, &site.config.language);
            let file = paths::page_file(&from);
            if claimed.contains_key(&file) || pages.contains_key(from.as_str()) {
                continue;
            }
            claimed.insert(file.clone(), moves.len());
            let source = m
                .source
                .as_ref()
                .map(|s| s.with_file_name(format!("{old_slug}.{lang}.md")));
            moves.push(Move {
                source,
                file,
                to: t,
            });
        }
    }
    moves
}

/// The folders `file` is in, the deepest last (`kb/refunds/index.html` →
/// `kb`, `kb/refunds`).
fn ancestors(file: &str) -> impl Iterator<Item = &str> {
    file.match_indices('/').map(move |(i, _)| &file[..i])
}

/// Whether entry `id` may have its old address's page at `file`: `true`
/// if so, `false` if it named that address already, or why not.
fn claim(
    site: &Site,
    moves: &[Move],
    claimed: &HashMap<String, usize>,
    folders: &HashMap<String, usize>,
    id: EntryId,
    file: &str,
) -> Result<bool, String> {
    let lower = file.to_lowercase();
    let whose = |m: usize| site.entries[moves[m].to].source.display().to_string();
    if let Some(&first) = claimed.get(&lower) {
        let m = &moves[first];
        if m.file != file {
            let who = if m.to == id {
                "this entry".to_string()
            } else {
                whose(first)
            };
            return Err(format!(
                "{who} has an old address at {}, which differs only in capitals: macOS and Windows take them for one file, so keep one",
                m.file
            ));
        }
        if m.to != id {
            return Err(format!(
                "{} says it moved from there too; an old address can lead to one page only: remove it from one of them",
                whose(first)
            ));
        }
        return Ok(false);
    }
    if let Some(folder) = ancestors(file).find(|f| claimed.contains_key(&f.to_lowercase())) {
        let first = claimed[&folder.to_lowercase()];
        return Err(format!(
            "{}'s old address has its page at {folder}, a file, so nothing can be written inside it: remove one of them",
            whose(first)
        ));
    }
    if let Some(&first) = folders.get(&lower) {
        return Err(format!(
            "{}'s old address has its page inside {file} ({}), so that is a folder and no page can be written as it: remove one of them",
            whose(first),
            moves[first].file
        ));
    }
    Ok(true)
}

/// What the output holds besides old addresses' pages, lowercase (see
/// `claimed` in [`link_moves`]): the files `content/` copies, and the
/// folders of those and of the entries' pages.
struct Taken {
    /// Output path → the file under `content/` copied there.
    assets: HashMap<String, PathBuf>,
    /// Every folder a page or a copied file is in.
    folders: HashSet<String>,
}

impl Taken {
    fn of(site: &Site) -> Taken {
        let mut folders = HashSet::new();
        let mut assets = HashMap::new();
        for id in 0..site.entries.len() {
            let url = site.url(id);
            folders.extend(ancestors(url).map(str::to_lowercase));
        }
        for a in &site.assets {
            let out = paths::asset_output_path(a);
            folders.extend(ancestors(&out).map(str::to_lowercase));
            assets.insert(out.to_lowercase(), Path::new(CONTENT_DIR).join(a));
        }
        Taken { assets, folders }
    }
}

/// The file the page at `written`, an address of another system
/// (`/cx/nps.html`), goes to, or why there can be none.
fn address_file(
    site: &Site,
    pages: &HashMap<&str, EntryId>,
    taken: &Taken,
    id: EntryId,
    written: &str,
) -> Result<String, String> {
    if let Some((_, rest)) = written.split_once("://") {
        let path = rest.find('/').map_or("/", |i| &rest[i..]);
        return Err(format!(
            "an address with its host: write its path only, from the site's root, e.g. \"{path}\" (the site answers for its own host)"
        ));
    }
    if written.starts_with("//") {
        return Err(
            "an address starts with one /, then its path from the site's root, e.g. \"/kb/refunds/\""
                .to_string(),
        );
    }
    if let Some((path, _)) = written.split_once('#') {
        return Err(format!(
            "the part after # never reaches the host, which answers for the page: write \"{path}\" (a bookmark's #heading is kept when the reader is sent on)"
        ));
    }
    if let Some((path, _)) = written.split_once('?') {
        return Err(format!(
            "a static site answers every ?… of an address with the same page: write \"{path}\" (the reader's ?… is kept when they are sent on)"
        ));
    }
    let base = paths::base_path(site.config.base_url.as_deref());
    if base != "/" && written.starts_with(&base) {
        return Err(format!(
            "addresses are from the site's root, and the site is published at {base} (base_url): this one would be {}{}; write \"/{}\"",
            base.trim_end_matches('/'),
            written,
            &written[base.len()..]
        ));
    }
    let file = paths::old_address_file(written)?;
    let lower = file.to_lowercase();
    let first = lower.split('/').next().unwrap_or_default();
    let stem = first
        .strip_suffix(".html")
        .or_else(|| first.strip_suffix(".htm"))
        .unwrap_or(first);
    if let Some(reserved) = paths::reserved_segments().find(|r| *r == first || *r == stem) {
        let instead = if Kind::from_folder(reserved).is_some() {
            ": if it was the page of a file under content/, name that file instead, relative to this one (moved_from: old-name.md)"
        } else {
            ": remove it"
        };
        return Err(format!(
            "/{reserved} is Campfire's own ({}){instead}",
            paths::reserved_because(reserved)
        ));
    }
    if let Some(lang) = site
        .config
        .languages
        .iter()
        .find(|l| l.to_lowercase() == stem)
    {
        return Err(format!(
            "/{lang}/ is where Campfire writes the site's pages in \"{lang}\": remove it"
        ));
    }
    if let Some(url) = lower.strip_suffix(&paths::page_file(""))
        && let Some(&page) = pages.get(url)
    {
        return Err(if page == id {
            "that is this entry's own address: remove it".to_string()
        } else {
            format!(
                "that is the address of {}'s page: an old address never takes a page's place; remove it",
                site.entries[page].source.display()
            )
        });
    }
    if let Some(asset) = taken.assets.get(&lower) {
        return Err(format!(
            "{} is copied there: an old address never takes a file's place; remove it (or move that file)",
            asset.display()
        ));
    }
    if let Some((folder, asset)) = ancestors(&lower).find_map(|f| Some(f).zip(taken.assets.get(f)))
    {
        return Err(format!(
            "{} is copied to {folder}, a file, so nothing can be written inside it: remove it (or move that file)",
            asset.display()
        ));
    }
    if taken.folders.contains(&lower) {
        return Err(format!(
            "the site has pages or files inside {file}, so that is a folder and no page can be written as it: remove it"
        ));
    }
    Ok(file)
}

/// The file `written` (relative to entry `id`'s file), relative to the
/// site root, and the address it had.
fn old_url(
    site: &Site,
    pages: &HashMap<&str, EntryId>,
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
    if pages.contains_key(from.as_str()) {
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
