//! Where are our stories missing? The data behind `/coverage/` and
//! `campfire report`, worked out once from the linked [`Site`] so the page
//! and the terminal can never disagree.
//!
//! - a department × journey-stage matrix of stories (a story counts in
//!   every stage its touchpoints belong to, and under "no stage" when it
//!   has none), with a row of case studies, which have no department;
//! - per department, the glossary terms without its lens; per language,
//!   the terms without a translation;
//! - freshness: entries not updated for `coverage.stale_after_days`, by
//!   their `updated:` date, else their file's last git commit;
//! - champions: per department, stories per quarter.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Named;
use crate::link::{EntryId, Site};
use crate::load::{Kind, Meta};

/// The day freshness and the champions' quarters count up to: today, or
/// the day of `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) where it is
/// set, as reproducible builds expect: the same sources built on two days
/// then give the same bytes, the coverage page's date included.
pub fn today() -> NaiveDate {
    static PINNED: OnceLock<Option<NaiveDate>> = OnceLock::new();
    let pinned = PINNED.get_or_init(|| {
        let value = std::env::var("SOURCE_DATE_EPOCH").ok()?;
        let day = epoch_day(&value);
        if day.is_none() && !value.trim().is_empty() {
            eprintln!(
                "warning: SOURCE_DATE_EPOCH={value:?} is not a number of seconds since 1970: \
                 coverage counts up to today's date instead"
            );
        }
        day
    });
    pinned.unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// The UTC day of a `SOURCE_DATE_EPOCH` value.
fn epoch_day(value: &str) -> Option<NaiveDate> {
    let seconds: i64 = value.trim().parse().ok()?;
    chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.date_naive())
}

/// How many quarters the champions table shows.
pub const QUARTERS: usize = 8;

/// A column of the matrix: a journey stage (or "no stage").
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Hash)]
pub struct Column {
    /// URL segment, from the stage's name (`none` for "no stage").
    pub slug: String,
    pub name: String,
}

/// One row of the matrix: a department's stories, or the case studies.
#[derive(Debug, Clone)]
pub struct Row {
    /// Department id; `None` for the case studies' row.
    pub department: Option<String>,
    pub name: String,
    /// Per column (stages, then "no stage"): the entries, site order
    /// (newest first).
    pub cells: Vec<Vec<EntryId>>,
    /// Distinct entries in the row (a story may sit in several stages).
    pub total: usize,
}

#[derive(Debug, Clone)]
pub struct LensGap {
    pub department: String,
    pub name: String,
    /// Default-language terms without this department's lens.
    pub missing: Vec<EntryId>,
}

#[derive(Debug, Clone)]
pub struct TranslationGap {
    pub language: String,
    pub translated: usize,
    /// Default-language terms with no translation into this language.
    pub missing: Vec<EntryId>,
}

/// Where an entry's last-updated date came from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DateSource {
    FrontMatter,
    Git,
}

#[derive(Debug, Clone)]
pub struct Stale {
    pub id: EntryId,
    pub updated: NaiveDate,
    pub source: DateSource,
    pub days: i64,
}

#[derive(Debug, Clone)]
pub struct ChampionRow {
    pub department: String,
    pub name: String,
    /// Stories per quarter, oldest quarter first (see [`Coverage::quarters`]).
    pub per_quarter: Vec<usize>,
    /// Stories dated before the first quarter shown.
    pub earlier: usize,
    pub total: usize,
}

#[derive(Debug, Clone)]
pub struct Coverage {
    pub today: NaiveDate,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// The case studies, per column.
    pub cases: Row,
    /// Default-language terms (what lens and translation gaps are out of).
    pub terms: usize,
    pub lenses: Vec<LensGap>,
    pub translations: Vec<TranslationGap>,
    pub stale_after_days: u32,
    /// Oldest first.
    pub stale: Vec<Stale>,
    /// Entries with neither an `updated:` date nor a git commit.
    pub undated: Vec<EntryId>,
    /// Entries checked for freshness.
    pub dated: usize,
    /// `2026-Q1`…, oldest first.
    pub quarters: Vec<String>,
    pub champions: Vec<ChampionRow>,
}

/// A stage's URL segment: its name slugified, made unique.
fn stage_slugs(site: &Site) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, stage) in site.config.journey.iter().enumerate() {
        let mut slug = slug::slugify(&stage.stage);
        if slug.is_empty() || slug == NO_STAGE {
            slug = format!("stage-{}", i + 1);
        }
        let base = slug.clone();
        let mut n = 2;
        while out.contains(&slug) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        out.push(slug);
    }
    out
}

/// The column of stories and cases without a touchpoint.
pub const NO_STAGE: &str = "none";

/// "2026-Q1".
fn quarter_of(d: NaiveDate) -> (i32, u32) {
    (d.year(), d.month0() / 3 + 1)
}

fn quarter_label((y, q): (i32, u32)) -> String {
    format!("{y}-Q{q}")
}

fn previous_quarter((y, q): (i32, u32)) -> (i32, u32) {
    if q == 1 { (y - 1, 4) } else { (y, q - 1) }
}

impl Coverage {
    pub fn new(site: &Site, today: NaiveDate) -> Coverage {
        let c = &site.config;
        let slugs = stage_slugs(site);
        let mut columns: Vec<Column> = c
            .journey
            .iter()
            .zip(&slugs)
            .map(|(s, slug)| Column {
                slug: slug.clone(),
                name: c.name_of(Named::Stage, &s.stage, &c.language),
            })
            .collect();
        columns.push(Column {
            slug: NO_STAGE.into(),
            name: "No stage".into(),
        });
        let stage_of: HashMap<&str, usize> = c
            .journey
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.touchpoints.iter().map(move |t| (t.id.as_str(), i)))
            .collect();
        let none = columns.len() - 1;
        let stages_of = |id: EntryId| -> Vec<usize> {
            let mut out: Vec<usize> = site.entries[id]
                .touchpoints()
                .iter()
                .filter_map(|t| stage_of.get(t.as_str()).copied())
                .collect();
            out.sort_unstable();
            out.dedup();
            if out.is_empty() {
                out.push(none);
            }
            out
        };
        let mut rows: Vec<Row> = c
            .departments
            .iter()
            .map(|d| Row {
                department: Some(d.id.clone()),
                name: c.name_of(Named::Department, &d.id, &c.language),
                cells: vec![Vec::new(); columns.len()],
                total: 0,
            })
            .collect();
        let row_of: HashMap<&str, usize> = c
            .departments
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id.as_str(), i))
            .collect();
        let mut cases = Row {
            department: None,
            name: "Case studies".into(),
            cells: vec![Vec::new(); columns.len()],
            total: 0,
        };
        for id in site.ids(Kind::Story) {
            let Meta::Story(s) = &site.entries[id].meta else {
                continue;
            };
            let Some(&r) = row_of.get(s.department.as_str()) else {
                continue;
            };
            rows[r].total += 1;
            for col in stages_of(id) {
                rows[r].cells[col].push(id);
            }
        }
        for id in site.ids(Kind::Case) {
            cases.total += 1;
            for col in stages_of(id) {
                cases.cells[col].push(id);
            }
        }

        // Glossary gaps, over the default language's terms.
        let originals: Vec<EntryId> = {
            let mut v: Vec<EntryId> = site.originals(Kind::Term).collect();
            v.sort_by_cached_key(|&i| site.entries[i].title().to_lowercase());
            v
        };
        let lenses = c
            .departments
            .iter()
            .map(|d| LensGap {
                department: d.id.clone(),
                name: c.name_of(Named::Department, &d.id, &c.language),
                missing: originals
                    .iter()
                    .copied()
                    .filter(|&i| {
                        matches!(&site.entries[i].meta, Meta::Term(t) if !t.lenses.contains_key(&d.id))
                    })
                    .collect(),
            })
            .collect();
        let translations = c
            .languages
            .iter()
            .map(|lang| {
                let missing: Vec<EntryId> = originals
                    .iter()
                    .copied()
                    .filter(|&i| site.get(Kind::Term, &site.entries[i].slug, lang).is_none())
                    .collect();
                TranslationGap {
                    language: lang.clone(),
                    translated: originals.len() - missing.len(),
                    missing,
                }
            })
            .collect();

        // Freshness.
        let limit = i64::from(c.coverage.stale_after_days);
        let mut stale = Vec::new();
        let mut undated = Vec::new();
        let mut dated = 0;
        for (id, e) in site.entries.iter().enumerate() {
            let found = e
                .updated
                .map(|d| (d, DateSource::FrontMatter))
                .or_else(|| site.git_dates.get(&e.source).map(|d| (*d, DateSource::Git)));
            match found {
                Some((updated, source)) => {
                    dated += 1;
                    let days = (today - updated).num_days();
                    if days > limit {
                        stale.push(Stale {
                            id,
                            updated,
                            source,
                            days,
                        });
                    }
                }
                None => undated.push(id),
            }
        }
        stale.sort_by_key(|s| (s.updated, s.id));

        // Champions: stories per quarter, the last QUARTERS up to now (or
        // to the newest story, if one is dated later).
        let latest = site
            .ids(Kind::Story)
            .filter_map(|i| site.entries[i].date())
            .max()
            .map_or(today, |d| d.max(today));
        let mut q = quarter_of(latest);
        let mut quarters = vec![q];
        while quarters.len() < QUARTERS {
            q = previous_quarter(q);
            quarters.push(q);
        }
        quarters.reverse();
        let champions = c
            .departments
            .iter()
            .map(|d| {
                let mut per_quarter = vec![0; quarters.len()];
                let mut earlier = 0;
                let mut total = 0;
                for id in site.ids(Kind::Story) {
                    let e = &site.entries[id];
                    let Meta::Story(s) = &e.meta else { continue };
                    if s.department != d.id {
                        continue;
                    }
                    total += 1;
                    match quarters.iter().position(|q| *q == quarter_of(s.date)) {
                        Some(i) => per_quarter[i] += 1,
                        None => earlier += 1,
                    }
                }
                ChampionRow {
                    department: d.id.clone(),
                    name: c.name_of(Named::Department, &d.id, &c.language),
                    per_quarter,
                    earlier,
                    total,
                }
            })
            .collect();

        Coverage {
            today,
            columns,
            rows,
            cases,
            terms: originals.len(),
            lenses,
            translations,
            stale_after_days: c.coverage.stale_after_days,
            stale,
            undated,
            dated,
            quarters: quarters.into_iter().map(quarter_label).collect(),
            champions,
        }
    }

    /// Cells of the matrix without any entry, as (department's row, stage).
    pub fn empty_cells(&self) -> Vec<(&Row, &Column)> {
        let mut out = Vec::new();
        for row in &self.rows {
            for (col, cell) in self.columns.iter().zip(&row.cells) {
                if cell.is_empty() && col.slug != NO_STAGE {
                    out.push((row, col));
                }
            }
        }
        out
    }

    /// The report as JSON (`campfire report --format json`).
    pub fn to_json(&self, site: &Site) -> Value {
        let entry = |id: EntryId| {
            let e = &site.entries[id];
            json!({
                "kind": e.kind.name(),
                "slug": e.slug,
                "lang": e.lang,
                "title": e.title(),
                "url": site.url(id),
                "source": e.source.to_string_lossy().replace('\\', "/"),
            })
        };
        let entries = |ids: &[EntryId]| ids.iter().map(|&i| entry(i)).collect::<Vec<_>>();
        let row = |r: &Row| {
            json!({
                "department": r.department,
                "name": r.name,
                "total": r.total,
                "cells": self.columns.iter().zip(&r.cells).map(|(col, cell)| json!({
                    "stage": col.slug,
                    "count": cell.len(),
                    "entries": entries(cell),
                })).collect::<Vec<_>>(),
            })
        };
        json!({
            "today": self.today.to_string(),
            "matrix": {
                "stages": self.columns,
                "departments": self.rows.iter().map(row).collect::<Vec<_>>(),
                "cases": row(&self.cases),
                // Ids under the keys that hold ids everywhere else in
                // the report, names beside them.
                "empty_cells": self.empty_cells().iter().map(|(row, col)| json!({
                    "department": row.department,
                    "name": row.name,
                    "stage": col.slug,
                    "stage_name": col.name,
                })).collect::<Vec<_>>(),
            },
            "glossary": {
                "terms": self.terms,
                "lenses_missing": self.lenses.iter().map(|g| json!({
                    "department": g.department,
                    "name": g.name,
                    "count": g.missing.len(),
                    "terms": entries(&g.missing),
                })).collect::<Vec<_>>(),
                "translations_missing": self.translations.iter().map(|g| json!({
                    "language": g.language,
                    "translated": g.translated,
                    "count": g.missing.len(),
                    "terms": entries(&g.missing),
                })).collect::<Vec<_>>(),
            },
            "freshness": {
                "stale_after_days": self.stale_after_days,
                "dated": self.dated,
                "stale": self.stale.iter().map(|s| {
                    let mut v = entry(s.id);
                    v["updated"] = json!(s.updated.to_string());
                    v["updated_from"] = json!(s.source);
                    v["days"] = json!(s.days);
                    v
                }).collect::<Vec<_>>(),
                "undated": entries(&self.undated),
            },
            "champions": {
                "quarters": self.quarters,
                "departments": self.champions.iter().map(|c| json!({
                    "department": c.department,
                    "name": c.name,
                    "per_quarter": c.per_quarter,
                    "earlier": c.earlier,
                    "total": c.total,
                })).collect::<Vec<_>>(),
            },
        })
    }

    /// The report as text for a terminal (`campfire report`).
    pub fn to_text(&self, site: &Site) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        // Entries are named by slug (their file's name), listed in its order.
        let slugs = |ids: &[EntryId]| {
            let mut slugs: Vec<&str> = ids.iter().map(|&i| site.entries[i].slug.as_str()).collect();
            slugs.sort_unstable();
            slugs.join(", ")
        };
        let _ = writeln!(
            out,
            "Coverage of {} (as of {})\n",
            site.config.title, self.today
        );
        let _ = writeln!(out, "Stories per department and journey stage:");
        let name_width = self
            .rows
            .iter()
            .map(|r| r.name.chars().count())
            .chain([self.cases.name.chars().count(), 10])
            .max()
            .unwrap_or(10);
        let widths: Vec<usize> = self
            .columns
            .iter()
            .map(|c| c.name.chars().count().max(3))
            .collect();
        let _ = write!(out, "  {:name_width$}", "");
        for (c, w) in self.columns.iter().zip(&widths) {
            let _ = write!(out, "  {:>w$}", c.name);
        }
        let _ = writeln!(out, "  {:>5}", "total");
        for r in self.rows.iter().chain(std::iter::once(&self.cases)) {
            let _ = write!(out, "  {:name_width$}", r.name);
            for (cell, w) in r.cells.iter().zip(&widths) {
                let shown = if cell.is_empty() {
                    "-".to_string()
                } else {
                    cell.len().to_string()
                };
                let _ = write!(out, "  {shown:>w$}");
            }
            let _ = writeln!(out, "  {:>5}", r.total);
        }
        let empty = self.empty_cells();
        if self.rows.is_empty() {
            let _ = writeln!(out, "No departments in site.yaml: nothing to cover.");
        } else if empty.is_empty() {
            let _ = writeln!(out, "Every department has a story at every stage.");
        } else {
            let _ = writeln!(out, "{} empty cells (-): no story yet.", empty.len());
        }

        let terms = |n: usize| format!("{n} {}", if n == 1 { "term" } else { "terms" });
        let _ = writeln!(
            out,
            "\nGlossary lenses missing, per department (of {}):",
            terms(self.terms)
        );
        for g in &self.lenses {
            if g.missing.is_empty() {
                let _ = writeln!(out, "  {}: every term has a lens", g.name);
            } else {
                let _ = writeln!(
                    out,
                    "  {}: {} without a lens: {}",
                    g.name,
                    g.missing.len(),
                    slugs(&g.missing)
                );
            }
        }
        let _ = writeln!(out, "\nTranslations missing:");
        if self.translations.is_empty() {
            let _ = writeln!(out, "  (no other languages in site.yaml)");
        }
        for g in &self.translations {
            if g.missing.is_empty() {
                let _ = writeln!(
                    out,
                    "  {}: all {} translated",
                    g.language,
                    terms(self.terms)
                );
            } else {
                let _ = writeln!(
                    out,
                    "  {}: {} of {} translated; missing: {}",
                    g.language,
                    g.translated,
                    self.terms,
                    slugs(&g.missing)
                );
            }
        }

        let _ = writeln!(
            out,
            "\nFreshness (stale after {} days):",
            self.stale_after_days
        );
        let _ = writeln!(
            out,
            "  {} entries dated, {} stale, {} with no date (add `updated:` or keep the site in git)",
            self.dated,
            self.stale.len(),
            self.undated.len()
        );
        for s in &self.stale {
            let e = &site.entries[s.id];
            let _ = writeln!(
                out,
                "  {}  {} days  {} ({})",
                s.updated,
                s.days,
                e.source.display(),
                match s.source {
                    DateSource::FrontMatter => "updated:",
                    DateSource::Git => "git",
                }
            );
        }

        let _ = writeln!(out, "\nChampions: stories per quarter:");
        let _ = write!(out, "  {:name_width$}  {:>7}", "", "earlier");
        for q in &self.quarters {
            let _ = write!(out, "  {q:>7}");
        }
        let _ = writeln!(out, "  {:>5}", "total");
        for c in &self.champions {
            let _ = write!(out, "  {:name_width$}  {:>7}", c.name, c.earlier);
            for n in &c.per_quarter {
                let _ = write!(out, "  {n:>7}");
            }
            let _ = writeln!(out, "  {:>5}", c.total);
        }
        out
    }
}

/// Output of `campfire report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// `campfire report`: the site through the same pipeline as `check` (into
/// a sink that discards), then its coverage as text or JSON. Content
/// errors come back as diagnostics, like `check`'s.
pub fn report(
    root: &Path,
    drafts: bool,
    format: Format,
) -> Result<(String, crate::diagnostics::Diagnostics), crate::diagnostics::Diagnostics> {
    use crate::pipeline::{Changes, Pipeline};
    let mut diags = crate::diagnostics::Diagnostics::new();
    let mut options = crate::build::BuildOptions::new(root);
    options.drafts = drafts;
    options.render.reuse = false;
    let mut pipeline = Pipeline::new(options);
    pipeline.apply(Changes::Everything);
    let rendered = pipeline.render(&crate::render::NullSink, &mut diags);
    let site = match (rendered, pipeline.site()) {
        (Some(_), Some(site)) if !diags.has_errors() => site,
        _ => return Err(diags),
    };
    let coverage = Coverage::new(site, today());
    let text = match format {
        Format::Text => coverage.to_text(site),
        Format::Json => {
            let mut json =
                serde_json::to_string_pretty(&coverage.to_json(site)).unwrap_or_default();
            json.push('\n');
            json
        }
    };
    Ok((text, diags))
}

/// Each file's last commit date (paths relative to `root`, like
/// `content/stories/x.md`), when `root` is inside a git repository; empty
/// otherwise (no git, not a repository, or nothing committed).
pub fn git_dates(root: &Path) -> HashMap<PathBuf, NaiveDate> {
    let mut out = HashMap::new();
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.quotePath=false",
            "log",
            "--format=\u{1}%cs",
            "--name-only",
            "--no-renames",
            "--relative",
            "--",
            crate::paths::CONTENT_DIR,
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output();
    let Ok(output) = output else {
        return out;
    };
    if !output.status.success() {
        return out;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut date = None;
    for line in text.lines() {
        if let Some(d) = line.strip_prefix('\u{1}') {
            date = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok();
        } else if !line.is_empty()
            && let Some(d) = date
        {
            // Newest commits come first: keep the first date seen.
            out.entry(PathBuf::from(line)).or_insert(d);
        }
    }
    out
}

/// A fingerprint of commit dates, the same whatever the map's order.
pub fn dates_key(dates: &HashMap<PathBuf, NaiveDate>) -> u64 {
    use std::hash::{Hash, Hasher};
    dates.iter().fold(dates.len() as u64, |acc, pair| {
        let mut h = rustc_hash::FxHasher::default();
        pair.hash(&mut h);
        acc.wrapping_add(h.finish())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_is_read_as_a_utc_day() {
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        assert_eq!(epoch_day("0"), d("1970-01-01"));
        // 2026-12-05 23:59:59 UTC, and a second later.
        assert_eq!(epoch_day("1796515199"), d("2026-12-05"));
        assert_eq!(epoch_day(" 1796515200\n"), d("2026-12-06"));
        assert_eq!(epoch_day("-86400"), d("1969-12-31"));
        for bad in ["", "soon", "1.5", "99999999999999999999"] {
            assert_eq!(epoch_day(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn quarters() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(quarter_label(quarter_of(d("2026-03-31"))), "2026-Q1");
        assert_eq!(quarter_label(quarter_of(d("2026-04-01"))), "2026-Q2");
        assert_eq!(previous_quarter((2026, 1)), (2025, 4));
    }
}
