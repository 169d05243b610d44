//! The theme: Tera templates, static assets and UI strings. Defaults are
//! compiled into the binary from the repository's `layouts/`; a site's own
//! `layouts/` replaces any of them file by file.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use include_dir::{Dir, include_dir};
use rayon::prelude::*;
use tera::ast::Node;
use tera::{Context, Template, Tera, Value};

use super::template_reads::{Reads, page_reads};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;

static DEFAULT_LAYOUTS: Dir = include_dir!("$CARGO_MANIFEST_DIR/layouts");

pub use crate::paths::LAYOUTS_DIR;
const STRINGS_FILE: &str = "strings.yaml";

/// Where a static asset's bytes come from.
#[derive(Debug, Clone)]
pub enum AssetSource {
    Embedded(&'static [u8]),
    File(PathBuf),
}

/// UI strings of one language: key → text.
pub type Strings = BTreeMap<String, String>;

pub struct Theme {
    tera: Tera,
    /// Changes whenever any template or string does; part of every cache key.
    pub fingerprint: u64,
    /// Output path under the site root (e.g. `assets/campfire.css`) → bytes.
    pub assets: BTreeMap<String, AssetSource>,
    strings: Arc<BTreeMap<String, tera::Value>>,
    /// Month names and date patterns per language (from the strings).
    dates: Arc<super::dates::Dates>,
    /// Templates whose last render ran out of budget, with when and the
    /// message: rendering them again for every page would cost the whole
    /// budget each time (see [`EXHAUSTED_FOR`]).
    exhausted: Mutex<HashMap<String, (Instant, String)>>,
    /// Steps one render may take (see [`STEP_BUDGET`]); lower in tests.
    step_budget: u64,
    /// Problems that do not stop a build (UI strings missing in a language).
    pub warnings: Vec<Diagnostic>,
    /// What each template can read of its page's data (see
    /// `template_reads`), found when a page first needs it.
    page_reads: HashMap<String, OnceLock<Reads>>,
}

/// Most loop iterations, macro calls and `range()` items that one render of
/// a page (its template with everything it extends, includes and calls)
/// may take. Tera has no budget of its own, so a `range(end=…)` in the
/// billions, loops nested over big ranges or a macro that calls itself
/// twice per level would otherwise hang the build. The default templates
/// take at most 130 steps on a page of the demo site (its glossary index of
/// 52 terms), so about 20,000 for a 10,000-term index. Running out takes
/// about 0.3 s of loop steps or 1.5 s of macro calls in a release build.
pub const STEP_BUDGET: u64 = 2_000_000;

/// How deep macro calls may nest. A macro that calls itself without end
/// used to overflow the stack and abort the process. Real recursive macros
/// (menus, trees) stay far below this.
pub const MAX_MACRO_DEPTH: usize = 64;

/// How much stack a render may use by the time it enters a macro. Each
/// level of a macro costs from about 14 KiB (a debug build, the simplest
/// macro) to several times that when the call sits inside loops and
/// conditions, and rendering threads have 2 MiB (rayon's default), so the
/// depth alone cannot keep a debug build safe: this is measured instead.
pub const MAX_STACK_USE: usize = 1024 * 1024;

/// After a template has run out of budget, further renders of it fail at
/// once with the same message for this long, so a build with a thousand
/// such pages reports one error in seconds instead of spending the budget
/// a thousand times. It expires so that `serve`, which keeps the theme
/// across content edits, tries again after the content changed.
pub const EXHAUSTED_FOR: Duration = Duration::from_secs(5);

impl Theme {
    pub fn load(root: &Path, config: &SiteConfig) -> Result<Theme, Vec<Diagnostic>> {
        let mut templates: BTreeMap<String, (String, PathBuf)> = BTreeMap::new();
        let mut assets = BTreeMap::new();
        let mut strings_sources: Vec<(String, PathBuf)> = Vec::new();
        let mut problems = Vec::new();

        for file in embedded_files(&DEFAULT_LAYOUTS) {
            let name = file.path().to_string_lossy().replace('\\', "/");
            let origin = Path::new(LAYOUTS_DIR).join(file.path());
            let source = AssetSource::Embedded(file.contents());
            classify(
                &name,
                file.contents(),
                origin,
                source,
                &mut templates,
                &mut assets,
                &mut strings_sources,
                &mut problems,
            );
        }
        let site_layouts = root.join(LAYOUTS_DIR);
        if site_layouts.is_dir() {
            for item in walkdir::WalkDir::new(&site_layouts).sort_by_file_name() {
                let Ok(item) = item else { continue };
                if !item.file_type().is_file()
                    || crate::load::is_ignored(&item.file_name().to_string_lossy())
                {
                    continue;
                }
                let rel = item
                    .path()
                    .strip_prefix(&site_layouts)
                    .unwrap_or(item.path());
                let name = rel.to_string_lossy().replace('\\', "/");
                let origin = Path::new(LAYOUTS_DIR).join(rel);
                match std::fs::read(item.path()) {
                    Ok(bytes) => classify(
                        &name,
                        &bytes,
                        origin,
                        AssetSource::File(item.path().to_path_buf()),
                        &mut templates,
                        &mut assets,
                        &mut strings_sources,
                        &mut problems,
                    ),
                    Err(e) => {
                        problems.push(Diagnostic::error(origin, 0, 0, format!("cannot read: {e}")))
                    }
                }
            }
        }

        let mut tera = compile(&templates, &mut problems);
        let mut warnings = Vec::new();
        // To point at where a language without strings is declared.
        let config_text =
            std::fs::read_to_string(root.join(crate::paths::CONFIG_FILE)).unwrap_or_default();
        let strings = Arc::new(merge_strings(
            &strings_sources,
            config,
            &config_text,
            &mut problems,
            &mut warnings,
        ));
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = std::hash::DefaultHasher::new();
            for (name, (text, _)) in &templates {
                (name, text).hash(&mut h);
            }
            for (lang, table) in strings.iter() {
                lang.hash(&mut h);
                table.to_string().hash(&mut h);
            }
            h.finish()
        };
        let dates = std::sync::Arc::new(super::dates::Dates::new(&strings));
        if let Some(tera) = &mut tera {
            let d = dates.clone();
            tera.register_filter("long_date", move |v: &Value, a: &HashMap<String, Value>| {
                d.filter(v, a)
            });
            let s = strings.clone();
            tera.register_function("plural", move |a: &HashMap<String, Value>| {
                // `lang` names the table without copying it: Tera copies
                // every argument of a call, and `t` has hundreds of strings.
                let lang = a.get("lang").and_then(Value::as_str);
                let table = a.get("t").or_else(|| lang.and_then(|l| strings_of(&s, l)));
                plural(a, table)
            });
        }
        if problems.is_empty() {
            let tera = tera.expect("no problems, so compiled");
            let page_reads = tera
                .get_template_names()
                .map(|name| (name.to_string(), OnceLock::new()))
                .collect();
            Ok(Theme {
                tera,
                page_reads,
                fingerprint,
                dates,
                assets,
                strings,
                exhausted: Mutex::default(),
                step_budget: STEP_BUDGET,
                warnings,
            })
        } else {
            Err(problems)
        }
    }

    pub fn render(&self, template: &str, cx: &Context) -> Result<String, Diagnostic> {
        self.render_with(&self.tera, template, cx)
    }

    /// The templates specialised for pages whose `t` and `site` are those
    /// of `cx` (see `fold`): they render such pages to the same bytes as
    /// [`Theme::render`], faster. `CAMPFIRE_PLAIN_TEMPLATES=1` turns this
    /// off (for comparing the two).
    pub fn specialize(&self, cx: &Context) -> Specialized {
        if std::env::var_os("CAMPFIRE_PLAIN_TEMPLATES").is_some() {
            return Specialized(None);
        }
        Specialized(Some(super::fold::specialize(&self.tera, cx, escape_html)))
    }

    /// Renders `template` with `templates`, made by [`Theme::specialize`]
    /// for a context like `cx`.
    pub fn render_specialized(
        &self,
        templates: &Specialized,
        template: &str,
        cx: &Context,
    ) -> Result<String, Diagnostic> {
        match &templates.0 {
            // Values were written in escaped: for escaped templates only.
            Some(tera) if template.ends_with(".html") => self.render_with(tera, template, cx),
            _ => self.render(template, cx),
        }
    }

    fn render_with(&self, tera: &Tera, template: &str, cx: &Context) -> Result<String, Diagnostic> {
        let origin = Path::new(LAYOUTS_DIR).join(template);
        if let Some((when, message)) = self.exhausted.lock().expect("exhausted").get(template)
            && when.elapsed() < EXHAUSTED_FOR
        {
            return Err(Diagnostic::error(origin, 0, 0, message.clone()));
        }
        let result = {
            let _budget = BudgetGuard::start(self.step_budget);
            tera.render(template, cx)
                .map_err(|e| (e, BudgetGuard::tripped()))
        };
        result.map_err(|(e, tripped)| {
            if let Some(reason) = tripped {
                let message = format!(
                    "template {template}{}: {reason}",
                    page_of(cx)
                        .map(|p| format!(", page {p}"))
                        .unwrap_or_default()
                );
                // Pages render in parallel: when another thread's render of
                // this template ran out first, repeat its message, so the
                // build reports the problem once.
                let mut exhausted = self.exhausted.lock().expect("exhausted");
                let entry = exhausted
                    .entry(template.to_string())
                    .and_modify(|(when, first)| {
                        if when.elapsed() >= EXHAUSTED_FOR {
                            (*when, *first) = (Instant::now(), message.clone());
                        }
                    })
                    .or_insert_with(|| (Instant::now(), message));
                return Diagnostic::error(origin, 0, 0, entry.1.clone());
            }
            let mut message = format!("template {template}: ");
            let mut source: Option<&dyn std::error::Error> = Some(&e);
            let mut parts = Vec::new();
            while let Some(s) = source {
                parts.push(s.to_string());
                source = s.source();
            }
            message.push_str(&parts.join(": "));
            message.push_str(" (fix the template, or delete it from layouts/ to use the default)");
            Diagnostic::error(origin, 0, 0, message)
        })
    }

    /// Lowers the step budget (tests: a budget's worth of steps is slow in
    /// a debug build).
    #[doc(hidden)]
    pub fn set_step_budget(&mut self, steps: u64) {
        self.step_budget = steps;
    }

    /// An asset's text (`assets/campfire.css`), from the site's layouts or
    /// the defaults.
    pub fn asset_text(&self, path: &str) -> Option<String> {
        match self.assets.get(path)? {
            AssetSource::Embedded(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
            AssetSource::File(p) => std::fs::read_to_string(p).ok(),
        }
    }

    /// What rendering `template` can read of the context's `page`.
    pub fn page_reads(&self, template: &str) -> &Reads {
        match self.page_reads.get(template) {
            Some(reads) => reads.get_or_init(|| page_reads(&self.tera, template)),
            None => &Reads::All,
        }
    }

    pub fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    /// `d` as readers of `lang` write it ("12 de março de 2026").
    pub fn long_date(&self, d: chrono::NaiveDate, lang: &str) -> String {
        self.dates.long(d, lang)
    }

    /// UI strings for a language, falling back to English key by key.
    pub fn strings(&self, lang: &str) -> tera::Value {
        strings_of(&self.strings, lang).cloned().unwrap_or_default()
    }
}

/// The templates specialised for the pages of one language (see
/// [`Theme::specialize`]).
pub struct Specialized(Option<Tera>);

/// The UI strings the search box's script needs on every page (in
/// [`strings_script`], and as `search_strings` for templates that hand
/// them over in `data-search-strings`).
pub const SEARCH_STRINGS: [&str; 17] = [
    "search_results_label",
    "search_unavailable",
    "search_unavailable_short",
    "search_none",
    "search_none_hint",
    "search_some_words",
    "search_similar",
    "search_see_all_one",
    "search_see_all_other",
    "search_open_page",
    "search_count_one",
    "search_count_other",
    "kind_story",
    "kind_term",
    "kind_case",
    "kind_path",
    "kind_page",
];

/// The UI strings the slides' script (`present.js`) needs on every page
/// with slides: its controls, made in the browser.
pub const DECK_STRINGS: [&str; 16] = [
    "following",
    "looking_around",
    "unfollow",
    "rejoin",
    "no_notes",
    "end_of_deck",
    "slide",
    "notes",
    "elapsed",
    "next_slide",
    "previous_slide",
    "leave",
    "overview",
    "fullscreen",
    "presenter_view",
    "keys_help",
];

/// A language's script of UI strings (`paths::strings_script`):
/// `window.campfireStrings={…};`, the [`SEARCH_STRINGS`] and
/// [`DECK_STRINGS`] of `t`, and `language_names`: each of the site's
/// `languages` by its name (`{"pt":"Português"}`, as the pages name them;
/// search results in another language say which). The theme's pages load it before `search.js`
/// and `present.js`: written into every page instead (as attributes), the
/// same strings were a tenth of a story page's bytes. A script, not JSON
/// fetched at run time, so that it loads from `file://`.
pub fn strings_script(t: &Value, languages: &[(&str, String)]) -> Vec<u8> {
    let mut strings: serde_json::Map<String, Value> = SEARCH_STRINGS
        .into_iter()
        .chain(DECK_STRINGS)
        .map(|key| (key.to_string(), Value::from(ui_string(t, key))))
        .collect();
    let names: serde_json::Map<String, Value> = languages
        .iter()
        .map(|(code, name)| (code.to_string(), Value::from(name.as_str())))
        .collect();
    strings.insert("language_names".into(), names.into());
    let mut out = b"window.campfireStrings=".to_vec();
    serde_json::to_writer(&mut out, &strings).expect("strings serialise");
    out.extend_from_slice(b";\n");
    out
}

/// The string `key` of a language's UI strings `t`, or the key itself
/// where the table lacks it (as the templates show a missing string).
fn ui_string<'t>(t: &'t Value, key: &'t str) -> &'t str {
    t.get(key).and_then(Value::as_str).unwrap_or(key)
}

/// [`SEARCH_STRINGS`] from a language's UI strings `t`, as a JSON object
/// (`{"search_none":"No results",…}`): the template variable
/// `search_strings`, made once per language. Spelling the same object out
/// in `base.html` (a loop over the keys, each through `json_encode`) was
/// a fifth of the render of a story page.
pub fn search_strings(t: &Value) -> String {
    let mut json = String::from("{");
    for (i, key) in SEARCH_STRINGS.into_iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        let text = ui_string(t, key);
        json.push_str(&Value::from(key).to_string());
        json.push(':');
        json.push_str(&Value::from(text).to_string());
    }
    json.push('}');
    json
}

/// The one HTML escape for text put into pages, feeds and server
/// messages (pulldown-cmark's, which Markdown bodies use too). Tera's
/// default also escapes `/`, which bloats every relative URL
/// (`..&#x2F;..&#x2F;`); `& < > " '` are all that HTML text and
/// quoted attributes need.
pub fn escape_html(input: &str) -> String {
    // Most of what templates escape is short and has nothing to escape
    // (names, addresses, titles): a plain scan and one copy then (none at
    // all for a template's values: see `needs_escape`).
    let Some(first) = first_to_escape(input) else {
        return input.to_string();
    };
    let mut out = String::with_capacity(input.len() + 8);
    out.push_str(&input[..first]);
    let _ = pulldown_cmark_escape::escape_html(&mut out, &input[first..]);
    out
}

/// Where the first character [`escape_html`] changes is, if any (every
/// value a template writes is looked through).
fn first_to_escape(input: &str) -> Option<usize> {
    campfire_search::byte_scan::position_of_any(input.as_bytes(), [b'&', b'<', b'>', b'"', b'\''])
}

/// Whether [`escape_html`] changes `input`: templates write a value it
/// would not change as it is (Tera patch 17), without the copy.
pub fn needs_escape(input: &str) -> bool {
    first_to_escape(input).is_some()
}

/// The page a render is for, to name it in messages: pages have a `url`,
/// cards the `url` of their entry.
fn page_of(cx: &Context) -> Option<String> {
    let url = cx
        .get("url")
        .or_else(|| cx.get("e").and_then(|e| e.get("url")))?;
    url.as_str().map(|u| {
        if u.is_empty() {
            "/".into()
        } else {
            u.to_string()
        }
    })
}

/// Parses every template, checks that none reaches itself through
/// `extends`, `include` or `import`, and puts the render budget into them.
/// `None` when there were problems (added to `problems`).
fn compile(
    templates: &BTreeMap<String, (String, PathBuf)>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    tera.set_escape_check(needs_escape);
    let before = problems.len();
    // Parsed side by side (parsing is most of a theme's load, on the way
    // to every build's first page), then taken in order.
    let parsed: Vec<_> = templates
        .par_iter()
        .map(|(name, (text, _))| match too_deep(text) {
            Some(deep) => Err(deep),
            None => Ok(Template::new(name, None, text)),
        })
        .collect();
    for ((name, (_, origin)), parsed) in templates.iter().zip(parsed) {
        match parsed {
            Err((line, col, what)) => problems.push(Diagnostic::error(
                origin,
                line,
                col,
                format!(
                    "template error: {what} nest more than {MAX_TEMPLATE_NESTING} levels deep here, which would overflow the template parser's stack: flatten them (fix the template, or delete it from layouts/ to use the default)"
                ),
            )),
            Ok(Ok(mut t)) => {
                instrument(&mut t);
                tera.templates.insert(name.clone(), t);
            }
            Ok(Err(e)) => problems.push(template_error(
                &tera::Error::chain(format!("Failed to parse '{name}'"), e),
                templates,
            )),
        }
    }
    if problems.len() > before {
        return None;
    }
    // Before Tera builds its inheritance chains: it follows `extends`
    // recursively and only notices a cycle that comes back to where it
    // started, so a → b → c → b overflowed the stack.
    problems.extend(cycles(&tera, templates));
    if problems.len() > before {
        return None;
    }
    if let Err(e) = tera
        .build_inheritance_chains()
        .and_then(|()| tera.check_macro_files())
    {
        problems.push(template_error(&e, templates));
        return None;
    }
    register_budget(&mut tera);
    Some(tera)
}

/// How deep brackets in one tag, or block tags (`if`, `for`, `block`,
/// `macro`, `filter`) inside each other, may nest. Tera's parser recurses
/// once per level (and its renderer once per block level): 3,000 nested
/// parentheses overflowed an 8 MiB stack and aborted the process. No real
/// template comes near this.
pub const MAX_TEMPLATE_NESTING: usize = 64;

/// Where `text` first nests deeper than [`MAX_TEMPLATE_NESTING`]: line,
/// column and what nests. A scan of the tags only, before parsing.
fn too_deep(text: &str) -> Option<(usize, usize, &'static str)> {
    let bytes = text.as_bytes();
    let position = |i: usize| {
        let line = text[..i].matches('\n').count() + 1;
        let col = text[..i].rfind('\n').map_or(i, |n| i - n - 1) + 1;
        (line, col)
    };
    let mut blocks = 0usize;
    let mut i = 0;
    while let Some(open) = text[i..].find('{') {
        let start = i + open;
        i = start + 1;
        let close = match bytes.get(start + 1) {
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            Some(b'#') => {
                i = text[start..]
                    .find("#}")
                    .map_or(text.len(), |e| start + e + 2);
                continue;
            }
            _ => continue,
        };
        // Brackets inside the tag, outside string literals.
        let mut depth = 0usize;
        let mut quote: Option<u8> = None;
        let mut j = start + 2;
        while j < bytes.len() {
            let b = bytes[j];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) => {}
                // Bytes, not `text[j..]`: `j` may be inside a multi-byte character.
                None if bytes[j..].starts_with(close.as_bytes()) => break,
                None => match b {
                    b'"' | b'\'' | b'`' => quote = Some(b),
                    b'(' | b'[' | b'{' => {
                        depth += 1;
                        if depth > MAX_TEMPLATE_NESTING {
                            let (line, col) = position(j);
                            return Some((line, col, "brackets"));
                        }
                    }
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            j += 1;
        }
        if close == "%}" {
            let tag = text[start + 2..j.min(text.len())]
                .trim_start_matches('-')
                .trim_start();
            let word = tag
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .next();
            match word.unwrap_or_default() {
                "if" | "for" | "block" | "macro" | "filter" => {
                    blocks += 1;
                    if blocks > MAX_TEMPLATE_NESTING {
                        let (line, col) = position(start);
                        return Some((line, col, "block tags"));
                    }
                }
                "raw" => {
                    // Literal text up to `endraw`: not tags.
                    j = text[j..].find("endraw").map_or(text.len(), |e| j + e);
                }
                w if w.starts_with("end") => blocks = blocks.saturating_sub(1),
                _ => {}
            }
        }
        i = (j + 2).min(text.len()).max(start + 1);
    }
    None
}

/// What one template refers to: (target, tag keyword) for each `extends`,
/// `include` and `import`, in no particular order.
fn references(t: &Template) -> Vec<(String, &'static str)> {
    fn walk(nodes: &[Node], out: &mut Vec<(String, &'static str)>) {
        for node in nodes {
            match node {
                Node::Extends(_, name) => out.push((name.clone(), "extends")),
                Node::Include(_, names, _) => {
                    out.extend(names.iter().map(|n| (n.clone(), "include")))
                }
                Node::ImportMacro(_, name, _) => out.push((name.clone(), "import")),
                Node::MacroDefinition(_, m, _) => walk(&m.body, out),
                Node::Block(_, b, _) => walk(&b.body, out),
                Node::Forloop(_, f, _) => {
                    walk(&f.body, out);
                    walk(f.empty_body.as_deref().unwrap_or_default(), out);
                }
                Node::If(i, _) => {
                    for (_, _, body) in &i.conditions {
                        walk(body, out);
                    }
                    if let Some((_, body)) = &i.otherwise {
                        walk(body, out);
                    }
                }
                Node::FilterSection(_, f, _) => walk(&f.body, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&t.ast, &mut out);
    out
}

/// Every cycle of `extends`/`include`/`import` between templates, once
/// each, as an error on the first template of the cycle (by name):
/// `layouts/a.html:3:1: template includes itself via a.html → b.html → a.html`.
fn cycles(tera: &Tera, templates: &BTreeMap<String, (String, PathBuf)>) -> Vec<Diagnostic> {
    let graph: BTreeMap<&str, Vec<(String, &'static str)>> = tera
        .templates
        .iter()
        .map(|(name, t)| {
            let mut refs = references(t);
            refs.retain(|(target, _)| tera.templates.contains_key(target));
            refs.sort();
            refs.dedup();
            (name.as_str(), refs)
        })
        .collect();
    // Iterative depth-first search (a template set can be deep too).
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    let mut state: HashMap<&str, State> = graph.keys().map(|k| (*k, State::New)).collect();
    let mut found: BTreeSet<Vec<String>> = BTreeSet::new();
    for &root in graph.keys() {
        if state[root] != State::New {
            continue;
        }
        // (template, index of the next reference to follow)
        let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
        state.insert(root, State::Open);
        while let Some((node, next)) = stack.last_mut() {
            let refs = &graph[*node];
            if *next == refs.len() {
                state.insert(*node, State::Done);
                stack.pop();
                continue;
            }
            let target = refs[*next].0.as_str();
            *next += 1;
            match state[target] {
                State::New => {
                    state.insert(target, State::Open);
                    stack.push((target, 0));
                }
                State::Open => {
                    let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        stack[from..].iter().map(|(n, _)| n.to_string()).collect();
                    // Start at the smallest name, so each cycle is reported once.
                    let min = (0..cycle.len()).min_by_key(|&i| &cycle[i]).unwrap_or(0);
                    cycle.rotate_left(min);
                    found.insert(cycle);
                }
                State::Done => {}
            }
        }
    }
    found
        .into_iter()
        .map(|cycle| {
            let first = &cycle[0];
            let second = cycle.get(1).unwrap_or(first);
            let (text, origin) = &templates[first];
            let keyword = graph[first.as_str()]
                .iter()
                .find(|(t, _)| t == second)
                .map_or("include", |(_, k)| *k);
            let (line, col) = tag_position(text, keyword, second);
            let mut chain = cycle.clone();
            chain.push(first.clone());
            Diagnostic::error(
                origin,
                line,
                col,
                format!(
                    "template includes itself via {}: rendering it would never end; remove one of these extends/include/import tags",
                    chain.join(" → ")
                ),
            )
        })
        .collect()
}

/// Line and column of the first `{% keyword "target" %}` tag in `text`, or
/// (0, 0); Tera's tree has no positions.
fn tag_position(text: &str, keyword: &str, target: &str) -> (usize, usize) {
    let mut from = 0;
    while let Some(open) = text[from..].find("{%") {
        let start = from + open;
        let end = text[start..].find("%}").map_or(text.len(), |e| start + e);
        let tag = text[start + 2..end].trim_start_matches('-').trim_start();
        if tag.starts_with(keyword) && tag.contains(target) {
            let line = text[..start].matches('\n').count() + 1;
            let col = text[..start].rfind('\n').map_or(start, |n| start - n - 1) + 1;
            return (line, col);
        }
        from = end;
    }
    (0, 0)
}

/// The labels of the budget's hooks (`Node::Hook`, calls of the render's
/// [`budget_hook`]; see [`instrument`]): a step of a loop in the template
/// that follows, a call of the macro that follows ("name in
/// template.html"), the end of a macro's call.
const STEP: &str = "step ";
const ENTER: &str = "enter ";
const LEAVE: &str = "leave";

/// Puts a budget step at the top of every loop body and a depth count
/// around every macro body. Tera renders macros and blocks from its own
/// tables (`macros`, `blocks`), not from the tree, so those are done too.
/// The hooks' labels say what they count ([`STEP`] and the template's
/// name, [`ENTER`] and the macro's).
fn instrument(t: &mut Template) {
    fn walk(nodes: &mut [Node], step: &str) {
        for node in nodes {
            match node {
                Node::Forloop(_, f, _) => {
                    walk(&mut f.body, step);
                    if let Some(body) = f.empty_body.as_mut() {
                        walk(body, step);
                    }
                    f.body.insert(0, Node::Hook(step.to_string()));
                }
                Node::Block(_, b, _) => walk(&mut b.body, step),
                Node::If(i, _) => {
                    for (_, _, body) in &mut i.conditions {
                        walk(body, step);
                    }
                    if let Some((_, body)) = &mut i.otherwise {
                        walk(body, step);
                    }
                }
                Node::FilterSection(_, f, _) => walk(&mut f.body, step),
                _ => {}
            }
        }
    }
    let name = t.name.clone();
    let step = format!("{STEP}{name}");
    walk(&mut t.ast, &step);
    for block in t.blocks.values_mut() {
        walk(&mut block.body, &step);
    }
    for (macro_name, m) in t.macros.iter_mut() {
        walk(&mut m.body, &step);
        m.body
            .insert(0, Node::Hook(format!("{ENTER}{macro_name} in {name}")));
        m.body.push(Node::Hook(LEAVE.to_string()));
    }
}

/// The budget of the render under way on this thread. Tera renders a
/// template on one thread without yielding, so a thread-local is exact.
struct Budget {
    /// Address of a local of [`BudgetGuard::start`]: the stack used since
    /// is its distance from one in a later call (stacks grow down on every
    /// platform Rust supports here, but the distance is taken either way).
    stack_base: usize,
    limit: u64,
    steps_left: u64,
    depth: usize,
    /// Why the render was stopped, once it was.
    tripped: Option<String>,
}

thread_local! {
    static BUDGET: RefCell<Option<Budget>> = const { RefCell::new(None) };
}

/// Sets up the budget for one render and restores the previous one (none,
/// unless renders nest) when dropped.
struct BudgetGuard(Option<Budget>);

impl BudgetGuard {
    fn start(steps: u64) -> BudgetGuard {
        BudgetGuard(BUDGET.with(|b| {
            b.replace(Some(Budget {
                stack_base: stack_address(),
                limit: steps,
                steps_left: steps,
                depth: 0,
                tripped: None,
            }))
        }))
    }

    fn tripped() -> Option<String> {
        BUDGET.with(|b| b.borrow().as_ref().and_then(|b| b.tripped.clone()))
    }
}

impl Drop for BudgetGuard {
    fn drop(&mut self) {
        BUDGET.with(|b| *b.borrow_mut() = self.0.take());
    }
}

/// Roughly where the stack pointer is: the address of a local.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Takes `n` steps from the budget; the error stops the render.
fn spend(n: u64, what: impl FnOnce() -> String) -> tera::Result<()> {
    BUDGET.with(|b| {
        let mut b = b.borrow_mut();
        let Some(budget) = b.as_mut() else {
            return Ok(());
        };
        if budget.steps_left < n {
            budget.steps_left = 0;
            let reason = format!(
                "{} exceeds the budget of {} loop iterations, macro calls and range() items one page may take: look for a loop over a huge or endless range, or a macro that calls itself more than once",
                what(),
                thousands(budget.limit)
            );
            budget.tripped = Some(reason.clone());
            return Err(tera::Error::msg(reason));
        }
        budget.steps_left -= n;
        Ok(())
    })
}

/// 2000000 → "2,000,000".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the hooks `instrument` put into the templates do: take a step
/// from the budget, or count a macro's call in and out. Also guards
/// `range()`.
fn register_budget(tera: &mut Tera) {
    tera.set_hook(Arc::new(budget_hook));
    register_range(tera);
}

fn budget_hook(label: &str) -> tera::Result<()> {
    if let Some(template) = label.strip_prefix(STEP) {
        spend(1, || format!("a loop in {template}"))
    } else if let Some(what) = label.strip_prefix(ENTER) {
        enter_macro(what)
    } else {
        BUDGET.with(|b| {
            if let Some(budget) = b.borrow_mut().as_mut() {
                budget.depth = budget.depth.saturating_sub(1);
            }
        });
        Ok(())
    }
}

/// A call of macro `what` ("name in template.html"): a step, and a level
/// deeper, within bounds.
fn enter_macro(what: &str) -> tera::Result<()> {
    spend(1, || format!("calls of macro {what}"))?;
    BUDGET.with(|b| {
            let mut b = b.borrow_mut();
            let Some(budget) = b.as_mut() else {
                return Ok(());
            };
            budget.depth += 1;
            let too_deep = if budget.depth > MAX_MACRO_DEPTH {
                Some(format!("more than {MAX_MACRO_DEPTH} levels deep"))
            } else if stack_address().abs_diff(budget.stack_base) > MAX_STACK_USE {
                Some(format!(
                    "{} levels deep, more than the renderer's stack allows",
                    budget.depth
                ))
            } else {
                None
            };
            if let Some(how) = too_deep {
                let reason = format!(
                    "macro {what} calls itself {how}: a macro that calls itself needs a condition that ends the recursion"
                );
                budget.tripped = Some(reason.clone());
                return Err(tera::Error::msg(reason));
            }
            Ok(())
        })
}

fn register_range(tera: &mut Tera) {
    // Tera's own `range` loops forever on `step_by=0` and allocates a
    // billion items for `end=1000000000` before any loop step could stop
    // it: check and charge the length first, then let it build the list.
    let builtin: Arc<dyn tera::Function> = tera
        .functions
        .get("range")
        .cloned()
        .expect("Tera has range()");
    tera.register_function("range", move |args: &HashMap<String, Value>| {
        let number = |key: &str, default: u64| match args.get(key) {
            None => Some(default),
            Some(v) => v.as_u64(),
        };
        if let (Some(start), Some(end), Some(step)) =
            (number("start", 0), number("end", 0), number("step_by", 1))
        {
            if step == 0 {
                return Err(tera::Error::msg(
                    "range() with step_by=0 never ends: give step_by a positive number",
                ));
            }
            let len = end.saturating_sub(start).div_ceil(step);
            spend(len, || format!("range() of {len} items"))?;
        }
        builtin.call(args)
    });
}

/// A language's UI strings (see [`Theme::strings`]).
fn strings_of<'s>(strings: &'s BTreeMap<String, Value>, lang: &str) -> Option<&'s Value> {
    strings.get(lang).or_else(|| strings.get("en"))
}

/// `plural(lang=lang, key="entries", n=3)`, or `plural(t=t, …)` with the
/// strings `table`: the UI string `entries_one` when `n` is 1, else
/// `entries_other` (falling back to `entries_one`, then the key), with
/// `{n}` replaced by the number: "1 entry", "3 entries".
fn plural(args: &HashMap<String, Value>, table: Option<&Value>) -> tera::Result<Value> {
    let n = args.get("n").and_then(Value::as_u64).ok_or_else(|| {
        tera::Error::msg(
            "plural() needs a whole number `n`, like plural(lang=lang, key=\"entries\", n=page.count)",
        )
    })?;
    let key = args.get("key").and_then(Value::as_str).unwrap_or_default();
    let get = |suffix: &str| {
        table
            .and_then(|t| t.get(format!("{key}_{suffix}")))
            .and_then(Value::as_str)
    };
    let text = if n == 1 {
        get("one").or_else(|| get("other"))
    } else {
        get("other").or_else(|| get("one"))
    }
    .unwrap_or(key);
    Ok(Value::String(text.replace("{n}", &n.to_string())))
}

fn embedded_files(dir: &'static Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut out: Vec<&include_dir::File> = dir.files().collect();
    for d in dir.dirs() {
        out.extend(embedded_files(d));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn classify(
    name: &str,
    bytes: &[u8],
    origin: PathBuf,
    source: AssetSource,
    templates: &mut BTreeMap<String, (String, PathBuf)>,
    assets: &mut BTreeMap<String, AssetSource>,
    strings: &mut Vec<(String, PathBuf)>,
    problems: &mut Vec<Diagnostic>,
) {
    let text = || match std::str::from_utf8(bytes) {
        Ok(t) => Some(t.to_string()),
        Err(_) => None,
    };
    if name.ends_with(".html") && !name.starts_with("assets/") {
        match text() {
            Some(t) => {
                templates.insert(name.to_string(), (t, origin));
            }
            None => problems.push(Diagnostic::error(
                origin,
                0,
                0,
                "template is not valid UTF-8: re-save it as UTF-8",
            )),
        }
    } else if name == STRINGS_FILE {
        match text() {
            Some(t) => strings.push((t, origin)),
            None => problems.push(Diagnostic::error(
                origin,
                0,
                0,
                "not valid UTF-8: re-save it as UTF-8",
            )),
        }
    } else if name.starts_with("assets/") {
        assets.insert(name.to_string(), source);
    }
}

fn template_error(e: &tera::Error, templates: &BTreeMap<String, (String, PathBuf)>) -> Diagnostic {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    let full = parts.join("\n");
    // Tera names the template in quotes and the position as `--> line:col`.
    let name = full.split('\'').nth(1).unwrap_or_default().to_string();
    let (line, col) = full
        .split("--> ")
        .nth(1)
        .and_then(|rest| {
            let pos = rest.split_whitespace().next()?;
            let (l, c) = pos.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        })
        .unwrap_or((0, 0));
    let path = templates
        .get(&name)
        .map(|(_, origin)| origin.clone())
        .unwrap_or_else(|| PathBuf::from(LAYOUTS_DIR).join(&name));
    let summary: Vec<&str> = full
        .lines()
        .map(|l| l.trim().trim_start_matches("= "))
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("-->")
                && !l.starts_with('|')
                && !l.starts_with(char::is_numeric)
        })
        .collect();
    Diagnostic::error(
        path,
        line,
        col,
        format!(
            "template error: {} (fix the template, or delete it from layouts/ to use the default)",
            summary.join(": ")
        ),
    )
}

fn merge_strings(
    sources: &[(String, PathBuf)],
    config: &SiteConfig,
    config_text: &str,
    problems: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> BTreeMap<String, tera::Value> {
    let mut merged: BTreeMap<String, Strings> = BTreeMap::new();
    // Where each language's table was last given: (file, line).
    let mut defined_at: BTreeMap<String, (PathBuf, usize)> = BTreeMap::new();
    for (text, origin) in sources {
        match serde_yaml::from_str::<BTreeMap<String, Strings>>(text) {
            Ok(table) => {
                for (lang, strings) in table {
                    let line = text
                        .lines()
                        .position(|l| {
                            l.strip_prefix(lang.as_str())
                                .is_some_and(|r| r.trim_start().starts_with(':'))
                        })
                        .map_or(0, |i| i + 1);
                    defined_at.insert(lang.clone(), (origin.clone(), line));
                    merged.entry(lang).or_default().extend(strings);
                }
            }
            Err(e) => {
                let (line, col) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                problems.push(Diagnostic::error(
                    origin,
                    line,
                    col,
                    format!("invalid UI strings: {e}"),
                ));
            }
        }
    }
    // site.yaml overrides strings the theme has: a key it does not have
    // (a typo) would change nothing, or count as a new string every other
    // language then lacks, blamed on the theme's file.
    let known: Vec<String> = merged
        .get("en")
        .map(|en| en.keys().cloned().collect())
        .unwrap_or_default();
    for (lang, strings) in &config.strings {
        let table = merged.entry(lang.clone()).or_default();
        for (key, text) in strings {
            if known.is_empty() || known.contains(key) {
                table.insert(key.clone(), text.clone());
                continue;
            }
            let (line, col) = config_text
                .lines()
                .enumerate()
                .find_map(|(i, l)| l.find(&format!("{key}:")).map(|c| (i + 1, c + 1)))
                .unwrap_or((0, 0));
            let hint = crate::diagnostics::did_you_mean(key, known.iter().map(String::as_str))
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            warnings.push(Diagnostic::warning(
                crate::paths::CONFIG_FILE,
                line,
                col,
                format!(
                    "`strings: {{ {lang}: {{ {key}: … }} }}`: the theme has no UI string `{key}`{hint}, so it changes nothing"
                ),
            ));
        }
    }
    let english = merged.get("en").cloned().unwrap_or_default();
    // Every language the site publishes should have every string; what is
    // missing shows in English, and `check` (which fails on warnings) says so.
    for lang in config.all_languages() {
        if lang == "en" {
            continue;
        }
        let given = merged.get(lang);
        let missing: Vec<&str> = english
            .keys()
            .filter(|k| !given.is_some_and(|g| g.contains_key(*k)))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let (path, (line, col)) = match defined_at.get(lang) {
            Some((path, line)) => (path.clone(), (*line, usize::from(*line > 0))),
            None => (
                PathBuf::from(crate::paths::CONFIG_FILE),
                crate::load::frontmatter::item_position(config_text, "languages", lang, 0)
                    .unwrap_or((0, 0)),
            ),
        };
        let shown: Vec<&str> = missing.iter().take(12).copied().collect();
        warnings.push(Diagnostic::warning(
            path,
            line,
            col,
            format!(
                "{} of {} UI strings have no \"{lang}\" text and show in English: {}{} (add them under `{lang}:` in layouts/strings.yaml, or under `strings: {{ {lang}: … }}` in site.yaml)",
                missing.len(),
                english.len(),
                shown.join(", "),
                if missing.len() > shown.len() { ", …" } else { "" }
            ),
        ));
    }
    merged
        .into_iter()
        .map(|(lang, strings)| {
            let mut full = english.clone();
            full.extend(strings);
            (lang, serde_json::to_value(full).unwrap_or_default())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_pulldown_cmarks_with_or_without_the_short_cut() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        for text in [
            "",
            "plain name",
            "it's",
            "a & b",
            "<b>\"x\"</b>",
            "é日",
            &every_ascii,
        ] {
            let mut expected = String::new();
            pulldown_cmark_escape::escape_html(&mut expected, text).unwrap();
            assert_eq!(escape_html(text), expected, "{text:?}");
            // Templates write what it would not change as it is.
            assert_eq!(needs_escape(text), expected != text, "{text:?}");
        }
    }

    #[test]
    fn the_first_character_to_escape_is_found_wherever_it_is() {
        // Each character escaping changes, and one it does not, at every
        // place across and past a 16-byte step.
        for c in ['&', '<', '>', '"', '\'', '/', 'é'] {
            for at in 0..40 {
                let text = format!("{}{c}{}", "x".repeat(at), "y<".repeat(3));
                let expected = text.find(['&', '<', '>', '"', '\'']);
                assert_eq!(first_to_escape(&text), expected, "{text:?}");
            }
        }
        assert_eq!(first_to_escape(&"z".repeat(37)), None);
    }

    #[test]
    fn default_strings_are_complete_in_every_language_they_have() {
        let file = DEFAULT_LAYOUTS
            .get_file(STRINGS_FILE)
            .expect("strings.yaml");
        let table: BTreeMap<String, Strings> =
            serde_yaml::from_slice(file.contents()).expect("valid strings");
        let english: BTreeSet<&String> = table["en"].keys().collect();
        for lang in ["pt", "es"] {
            let keys: BTreeSet<&String> = table[lang].keys().collect();
            assert_eq!(keys, english, "{lang} has exactly the English keys");
            for (k, v) in &table[lang] {
                assert!(!v.trim().is_empty(), "{lang}.{k} is empty");
            }
        }
        // Every `t.key` a default template uses is in the table.
        for f in DEFAULT_LAYOUTS.files() {
            let Some(text) = f.contents_utf8() else {
                continue;
            };
            if !f.path().to_string_lossy().ends_with(".html") {
                continue;
            }
            for (i, _) in text.match_indices("t.") {
                let before = text[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let key: String = text[i + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if key.is_empty() {
                    continue;
                }
                assert!(
                    table["en"].contains_key(&key),
                    "{} uses t.{key}, which strings.yaml lacks",
                    f.path().display()
                );
            }
            // The keys handed to search.js (`data-search-strings`), as a
            // list in the template or as `search_strings`.
            for (i, _) in text.match_indices("data-search-strings=") {
                let list = &text[i..];
                if list.starts_with("data-search-strings='{{ search_strings }}'") {
                    continue;
                }
                let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
                for key in list.split(',').map(|k| k.trim().trim_matches('"')) {
                    assert!(
                        table["en"].contains_key(key),
                        "{} hands search.js {key}, which strings.yaml lacks",
                        f.path().display()
                    );
                }
            }
        }
        for key in SEARCH_STRINGS {
            assert!(
                table["en"].contains_key(key),
                "search_strings hands search.js {key}, which strings.yaml lacks"
            );
        }
    }

    #[test]
    fn plural_by_language_is_plural_by_table() {
        let t = theme(&[(
            "p.html",
            "{% for n in [0, 1, 2] %}{{ plural(t=t, key=\"n_stories\", n=n) }}={{ plural(lang=lang, key=\"n_stories\", n=n) }};{% endfor %}{{ plural(lang=lang, key=\"nope\", n=1) }}",
        )])
        .unwrap();
        for (lang, one) in [("en", "1 story"), ("pt", "1 história"), ("xx", "1 story")] {
            let mut cx = Context::new();
            cx.insert("t", &t.strings(lang));
            cx.insert("lang", lang);
            let out = t.render("p.html", &cx).unwrap();
            let pairs: Vec<&str> = out.split(';').collect();
            for pair in &pairs[..3] {
                let (by_table, by_lang) = pair.split_once('=').unwrap();
                assert_eq!(by_table, by_lang, "{lang}: {out}");
            }
            assert_eq!(pairs[1].split_once('=').unwrap().0, one, "{out}");
            assert_eq!(pairs[3], "nope");
        }
    }

    #[test]
    fn search_strings_are_the_json_the_template_loop_made() {
        // What base.html spelled out before `search_strings`: the same
        // keys through `json_encode`, a missing string as its key.
        let t = theme(&[(
            "loop.html",
            &format!(
                "{{{{ \"{{\" }}}}{{% for k in {:?} %}}{{{{ k | json_encode() }}}}:{{{{ t[k] | default(value=k) | json_encode() }}}}{{% if not loop.last %}},{{% endif %}}{{% endfor %}}}}|{{{{ search_strings }}}}",
                SEARCH_STRINGS
            ),
        )])
        .unwrap();
        let mut strings = t.strings("en");
        let table = strings.as_object_mut().unwrap();
        table.insert("search_none".into(), "Nada \"aqui\" <b>&</b> ü\n".into());
        table.remove("kind_page");
        let mut cx = Context::new();
        cx.insert("search_strings", &search_strings(&strings));
        cx.insert("t", &strings);
        let out = t.render("loop.html", &cx).unwrap();
        let (looped, made) = out.split_once('|').unwrap();
        assert_eq!(looped, made);
        assert!(
            made.contains("&quot;kind_page&quot;:&quot;kind_page&quot;"),
            "{made}"
        );
        assert!(made.contains("Nada \\&quot;aqui"), "{made}");
    }

    #[test]
    fn the_strings_script_holds_every_key_the_scripts_read_escaped_as_json() {
        let t = theme(&[]).unwrap();
        let mut strings = t.strings("pt");
        let table = strings.as_object_mut().unwrap();
        table.insert("leave".into(), "Sair </script> \"já\"\n".into());
        table.remove("kind_page");
        let languages = [
            ("en", "English".to_string()),
            ("nl", "Nederlands".to_string()),
        ];
        let script = String::from_utf8(strings_script(&strings, &languages)).unwrap();
        let json = script
            .strip_prefix("window.campfireStrings=")
            .and_then(|s| s.strip_suffix(";\n"))
            .unwrap();
        let read: serde_json::Map<String, Value> = serde_json::from_str(json).unwrap();
        let keys: BTreeSet<&str> = read.keys().map(String::as_str).collect();
        let wanted: BTreeSet<&str> = SEARCH_STRINGS
            .into_iter()
            .chain(DECK_STRINGS)
            .chain(["language_names"])
            .collect();
        assert_eq!(keys, wanted);
        assert_eq!(
            read["language_names"],
            serde_json::json!({"en": "English", "nl": "Nederlands"})
        );
        assert_eq!(read["leave"], "Sair </script> \"já\"\n");
        assert_eq!(read["search_none"], "Nenhum resultado");
        // A string the table lacks is its key, as in the templates.
        assert_eq!(read["kind_page"], "kind_page");
        for key in DECK_STRINGS {
            assert!(
                t.strings("en").get(key).is_some(),
                "strings.yaml lacks {key}"
            );
        }
    }

    /// A theme from the defaults plus `layouts` (name, text) in a temp site.
    fn theme(layouts: &[(&str, &str)]) -> Result<Theme, Vec<String>> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in layouts {
            let path = dir.path().join(LAYOUTS_DIR).join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let config = SiteConfig::parse("title: T\n").unwrap();
        Theme::load(dir.path(), &config).map_err(|ps| ps.iter().map(|p| p.to_string()).collect())
    }

    fn render(t: &Theme, name: &str) -> Result<String, String> {
        let mut cx = Context::new();
        cx.insert("url", "stories/snow/");
        t.render(name, &cx).map_err(|d| d.to_string())
    }

    #[test]
    fn self_extension_and_include_cycles_are_errors_at_load() {
        let errors = theme(&[
            ("x.html", "{% extends \"x.html\" %}"),
            ("a.html", "<p>\n  {% include \"b.html\" %}"),
            ("b.html", "{% if true %}{% include \"a.html\" %}{% endif %}"),
            // Not a cycle back to c.html itself: Tera's own check missed it.
            ("c.html", "{% extends \"d.html\" %}"),
            ("d.html", "{% extends \"e.html\" %}"),
            ("e.html", "{% extends \"d.html\" %}"),
            (
                "m.html",
                "{% import \"m.html\" as m %}{% macro f() %}{% endmacro f %}",
            ),
        ])
        .err()
        .expect("cycles are errors");
        assert_eq!(
            errors,
            [
                "layouts/a.html:2:3: template includes itself via a.html → b.html → a.html: rendering it would never end; remove one of these extends/include/import tags",
                "layouts/d.html:1:1: template includes itself via d.html → e.html → d.html: rendering it would never end; remove one of these extends/include/import tags",
                "layouts/m.html:1:1: template includes itself via m.html → m.html: rendering it would never end; remove one of these extends/include/import tags",
                "layouts/x.html:1:1: template includes itself via x.html → x.html: rendering it would never end; remove one of these extends/include/import tags",
            ]
        );
    }

    #[test]
    fn default_theme_loads_and_shared_includes_are_not_cycles() {
        let t = theme(&[
            (
                "one.html",
                "{% include \"shared.html\" %}{% include \"shared.html\" %}",
            ),
            (
                "two.html",
                "{% extends \"one.html\" %}{% import \"macros.html\" as m %}",
            ),
            ("shared.html", "s"),
        ])
        .unwrap();
        assert_eq!(render(&t, "one.html").unwrap(), "ss");
    }

    #[test]
    fn endless_macro_recursion_is_stopped_with_a_message() {
        let t = theme(&[(
            "r.html",
            "{% macro down(n) %}{{ n }}{{ self::down(n=n+1) }}{% endmacro down %}{{ self::down(n=0) }}",
        )])
        .unwrap();
        // The test thread has a 2 MiB stack like the rendering threads:
        // this used to abort the whole process.
        let e = render(&t, "r.html").unwrap_err();
        assert_eq!(
            e,
            "layouts/r.html: template r.html, page stories/snow/: macro down in r.html calls itself more than 64 levels deep: a macro that calls itself needs a condition that ends the recursion"
        );
    }

    #[test]
    fn deep_recursion_inside_loops_stops_before_the_stack_runs_out() {
        // Each level sits in loops and conditions: several times the stack
        // of the plain macro above, so 64 levels would not fit in 2 MiB in
        // a debug build (this aborted before the stack check).
        let t = theme(&[(
            "r.html",
            "{% macro down(n) %}{% for a in [1] %}{% for b in [1] %}{% if a %}{% for c in [1] %}{% if b %}{% filter upper %}{{ self::down(n=n+1) }}{% endfilter %}{% endif %}{% endfor %}{% endif %}{% endfor %}{% endfor %}{% endmacro down %}{{ self::down(n=0) }}",
        )])
        .unwrap();
        let e = render(&t, "r.html").unwrap_err();
        assert!(
            e.starts_with("layouts/r.html: template r.html, page stories/snow/: macro down in r.html calls itself "),
            "{e}"
        );
    }

    #[test]
    fn bounded_recursion_still_works() {
        let t = theme(&[(
            "r.html",
            "{% macro down(n) %}{% if n > 0 %}{{ n }},{{ self::down(n=n-1) }}{% endif %}{% endmacro down %}{{ self::down(n=40) }}|{{ self::down(n=3) }}",
        )])
        .unwrap();
        let out = render(&t, "r.html").unwrap();
        assert!(
            out.starts_with("40,39,") && out.ends_with(",1,|3,2,1,"),
            "{out}"
        );
    }

    #[test]
    fn huge_and_endless_ranges_are_errors() {
        let t = theme(&[
            (
                "big.html",
                "{% for i in range(end=10000000000) %}{{ i }}{% endfor %}",
            ),
            (
                "zero.html",
                "{% for i in range(end=5, step_by=0) %}{{ i }}{% endfor %}",
            ),
            (
                "ok.html",
                "{% for i in range(start=2, end=11, step_by=3) %}{{ i }}{% endfor %}",
            ),
        ])
        .unwrap();
        assert_eq!(
            render(&t, "big.html").unwrap_err(),
            "layouts/big.html: template big.html, page stories/snow/: range() of 10000000000 items exceeds the budget of 2,000,000 loop iterations, macro calls and range() items one page may take: look for a loop over a huge or endless range, or a macro that calls itself more than once"
        );
        let zero = render(&t, "zero.html").unwrap_err();
        assert!(zero.contains("range() with step_by=0 never ends"), "{zero}");
        assert_eq!(render(&t, "ok.html").unwrap(), "258");
    }

    #[test]
    fn nested_loops_and_branching_recursion_run_out_of_budget() {
        let mut t = theme(&[
            (
                "loops.html",
                "{% for a in range(end=1000) %}{% for b in range(end=1000) %}{% endfor %}{% endfor %}",
            ),
            (
                "tree.html",
                "{% macro two(n) %}{% if n > 0 %}{{ self::two(n=n-1) }}{{ self::two(n=n-1) }}{% endif %}{% endmacro two %}{{ self::two(n=40) }}",
            ),
            ("list.html", "{% include \"loop.html\" %}"),
            ("loop.html", "{% for x in [1, 2, 3] %}{% for y in [1, 2, 3] %}{% endfor %}{% endfor %}"),
        ])
        .unwrap();
        // A budget's worth of steps takes seconds in a debug build.
        t.set_step_budget(5_000);
        let e = render(&t, "loops.html").unwrap_err();
        assert!(
            e.starts_with("layouts/loops.html: template loops.html, page stories/snow/: a loop in loops.html exceeds the budget of 5,000 "),
            "{e}"
        );
        let e = render(&t, "tree.html").unwrap_err();
        assert!(
            e.starts_with("layouts/tree.html: template tree.html, page stories/snow/: calls of macro two in tree.html exceeds the budget"),
            "{e}"
        );
        // 12 steps: well within it, and the budget is per render.
        for _ in 0..1000 {
            render(&t, "list.html").unwrap();
        }
        t.set_step_budget(11);
        let e = render(&t, "list.html").unwrap_err();
        assert!(
            e.contains(": a loop in loop.html exceeds the budget of 11 "),
            "{e}"
        );
        // Later renders of a template that ran out fail at once, same message.
        assert_eq!(render(&t, "list.html").unwrap_err(), e);
    }

    #[test]
    fn templates_nested_too_deep_are_errors_not_crashes() {
        let n = MAX_TEMPLATE_NESTING;
        let ok = theme(&[
            (
                "p.html",
                &format!("{{{{ {}1{} }}}}", "(".repeat(n), ")".repeat(n)),
            ),
            (
                "i.html",
                &format!("{}x{}", "{% if true %}".repeat(n), "{% endif %}".repeat(n)),
            ),
            (
                "s.html",
                "{{ \"((((\" }}{% raw %}{% if %}{% endraw %}{# {% for %} #}{{ \"ü😀\" }}",
            ),
        ])
        .unwrap();
        assert_eq!(render(&ok, "p.html").unwrap(), "1");
        assert_eq!(render(&ok, "i.html").unwrap(), "x");
        assert_eq!(render(&ok, "s.html").unwrap(), "(((({% if %}ü😀");
        // Found by tests/mutations.rs: a multi-byte character in a tag,
        // outside quotes, made the scan slice inside it and panic.
        assert_eq!(too_deep("{% endblü ock %}{{ 😀( }}"), None);
        // 100,000 levels aborted the process (stack overflow in the parser).
        let errors = theme(&[
            (
                "p.html",
                &format!(
                    "\n  {{{{ {}1{} }}}}",
                    "(".repeat(100_000),
                    ")".repeat(100_000)
                ),
            ),
            (
                "i.html",
                &format!(
                    "{}x{}",
                    "{% for a in b %}".repeat(n + 1),
                    "{% endfor %}".repeat(n + 1)
                ),
            ),
        ])
        .err()
        .unwrap();
        assert_eq!(
            errors,
            [
                format!(
                    "layouts/i.html:1:{}: template error: block tags nest more than 64 levels deep here, which would overflow the template parser's stack: flatten them (fix the template, or delete it from layouts/ to use the default)",
                    n * 16 + 1
                ),
                "layouts/p.html:2:70: template error: brackets nest more than 64 levels deep here, which would overflow the template parser's stack: flatten them (fix the template, or delete it from layouts/ to use the default)".to_string(),
            ]
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(2_000_000), "2,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
    }
}
