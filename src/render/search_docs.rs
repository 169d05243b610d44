//! What the search index is built from: one document per entry page.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock, Mutex};

use rayon::prelude::*;

use crate::config::Named;
use crate::link::Site;
use crate::load::{Kind, Meta};
use crate::render::markdown::push_decoded;
use crate::search::{DocBody, DocKind, Facet, SearchDoc, TextMaker};
use rustc_hash::FxHashMap;

use super::markdown::Rendered;

fn doc_kind(kind: Kind) -> DocKind {
    match kind {
        Kind::Story => DocKind::Story,
        Kind::Term => DocKind::Term,
        Kind::Case => DocKind::Case,
        Kind::Path => DocKind::Path,
        Kind::Page => DocKind::Page,
    }
}

/// What `serve`'s search thread needs to make the documents itself, off
/// the reload's path: the linked site and every entry's rendered body.
pub struct SearchInput {
    pub site: Arc<Site>,
    pub rendered: Vec<Arc<Rendered>>,
}

impl SearchInput {
    /// The documents, each text made when the index reads it.
    pub fn into_docs(self) -> Vec<SearchDoc> {
        search_docs(&self.site, &self.rendered).into_docs_made_when_read()
    }
}

/// Search documents whose bodies are not assembled yet: the entries' text
/// stays shared with the render until [`PendingDocs::into_docs`] (or
/// [`PendingDocs::into_docs_made_when_read`]).
pub struct PendingDocs {
    docs: Vec<(SearchDoc, String, Arc<Rendered>, String)>,
}

impl PendingDocs {
    /// The documents, each holding its text.
    pub fn into_docs(self) -> Vec<SearchDoc> {
        self.docs
            .into_par_iter()
            .map(|(doc, before, rendered, after)| with_text(doc, before, rendered, after))
            .collect()
    }

    /// The documents, those whose entry's HTML is held (`serve`'s) with
    /// their text made only when the index reads it (see
    /// [`DocBody::Deferred`]): `serve`'s index after a save, on its
    /// background thread, then holds a group's texts at a time. Each text
    /// is made twice, here for the length its file keeps, then by the
    /// index.
    pub fn into_docs_made_when_read(self) -> Vec<SearchDoc> {
        self.docs
            .into_par_iter()
            .map(|(mut doc, before, rendered, after)| {
                if rendered.html.is_empty() {
                    return with_text(doc, before, rendered, after);
                }
                let make = move || text_of_html(&before, &rendered.html, &after);
                let stored_len = crate::search::stored_len(&make());
                doc.body = DocBody::Deferred {
                    text: TextMaker(Arc::new(make)),
                    stored_len,
                };
                doc
            })
            .collect()
    }
}

/// `doc` with its text: the text of the rendered HTML, not the Markdown
/// events' text (raw HTML, tables, details…, is text too, and block
/// boundaries are word boundaries), between `before` and `after`.
fn with_text(
    mut doc: SearchDoc,
    mut before: String,
    rendered: Arc<Rendered>,
    after: String,
) -> SearchDoc {
    if !rendered.html.is_empty() {
        doc.body = text_of_html(&before, &rendered.html, &after).into();
        return doc;
    }
    // A one-off build has made the text already and freed the HTML (see
    // `render`). A body nothing else holds any more gives up its text
    // instead of being copied.
    let (text, stored_len) = match Arc::try_unwrap(rendered) {
        Ok(owned) => (owned.text, owned.text_stored_len),
        Err(shared) => (shared.text.clone(), shared.text_stored_len),
    };
    if text.is_packed() {
        // Left packed: the index unpacks one at a time. What its file
        // keeps is known when the text comes first (whatever follows it).
        let stored_len = stored_len.filter(|_| before.is_empty());
        if !before.is_empty() {
            before.push('\n');
        }
        doc.body = DocBody::Packed {
            before,
            text,
            after,
            stored_len,
        };
        return doc;
    }
    doc.body = join_text(&before, text.unpack(), &after).into();
    doc
}

/// A document's text from its entry's HTML and what goes before and after.
fn text_of_html(before: &str, html: &str, after: &str) -> String {
    join_text(before, search_text(html), after)
}

/// `before`, a newline, `text`, then `after`; without `before`, `text`
/// grown by exactly `after` (doubling would keep up to twice every
/// document's text until the index is made).
fn join_text(before: &str, mut text: String, after: &str) -> String {
    if before.is_empty() {
        text.reserve_exact(after.len());
        text.push_str(after);
        return text;
    }
    let mut whole = String::with_capacity(before.len() + text.len() + after.len() + 1);
    whole.push_str(before);
    whole.push('\n');
    whole.push_str(&text);
    whole.push_str(after);
    whole
}

// Tag names are matched by `match`, not looked up in a list: the
// compiler compares each by its length and then as one or two integers
// (a list's `contains` called `memcmp` for each name of the same length,
// 1% of a build's instructions).

/// Block-level elements: their start and end are word boundaries (a
/// newline in the text, which also ends a phrase).
fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "br"
            | "caption"
            | "dd"
            | "details"
            | "dialog"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "option"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
    )
}

/// Elements without content or end tag.
fn is_void(tag: &str) -> bool {
    matches!(
        tag,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose content is not text a reader sees as the page's own.
fn is_skipped(tag: &str) -> bool {
    matches!(
        tag,
        "script" | "style" | "template" | "svg" | "math" | "noscript"
    )
}

const ARIA_HIDDEN: &str = "aria-hidden=\"true\"";
static ARIA_HIDDEN_FINDER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(ARIA_HIDDEN));
static TERM_TIP: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("term-tip"));

/// The search text of a body's HTML: its [`html_text`], without the
/// marks that stand for glossary tooltips (see
/// `markdown::MarkdownContext::compact_tips`: another entry's text).
pub fn search_text(html: &str) -> String {
    crate::render::markdown::strip_marks(html_text(html))
}

/// The searchable plain text of a body's HTML: the text of every element,
/// raw HTML included, character references decoded, a newline at every
/// block boundary, and without the glossary tooltips that auto-linking
/// inserts (`<span class="term-tip">`: another entry's text) or what is
/// hidden from screen readers (`aria-hidden="true"`: heading anchors' `#`).
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let b = html.as_bytes();
    let mut i = 0;
    let mut text_from = 0;
    // Inside `<pre>` a newline ends a line of code; elsewhere one in the
    // text is a soft line break of the Markdown, within a paragraph.
    let mut pre_depth = 0usize;
    while let Some(lt) = memchr::memchr(b'<', &b[i..]) {
        i += lt;
        let Some(tag) = parse_tag(html, i) else {
            i += 1;
            continue;
        };
        push_text(&mut out, &html[text_from..i], pre_depth > 0);
        i = tag.end;
        // Tags are written in lower case nearly always: no copy then.
        let name: Cow<str> = if tag.name.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(tag.name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(tag.name)
        };
        let name = name.as_ref();
        if name == "pre" && !tag.self_closing {
            pre_depth = if tag.closing {
                pre_depth.saturating_sub(1)
            } else {
                pre_depth + 1
            };
        }
        // The attributes are searched only where they matter, and with
        // finders made once (a `str::contains` sets one up each time).
        let has =
            |finder: &memchr::memmem::Finder, attrs: &str| finder.find(attrs.as_bytes()).is_some();
        if tag.closing {
            if is_block(name) {
                out.push('\n');
            }
        } else if (is_skipped(name) && !tag.self_closing)
            || (name == "span" && has(&TERM_TIP, tag.attrs))
            || (tag.attrs.len() >= ARIA_HIDDEN.len()
                && !tag.self_closing
                && has(&ARIA_HIDDEN_FINDER, tag.attrs)
                && !is_void(name))
        {
            i = skip_element(html, i, name);
        } else if is_block(name) {
            out.push('\n');
        } else if name == "img"
            && let Some(alt) = attr(tag.attrs, "alt")
        {
            out.push(' ');
            push_decoded(&mut out, alt);
            out.push(' ');
        }
        text_from = i;
    }
    push_text(&mut out, &html[text_from..], pre_depth > 0);
    out
}

/// `text` decoded onto `out`, its newlines made spaces unless `in_pre`: a
/// newline in `out` is a block boundary, where phrases stop (a Markdown
/// paragraph wrapped over lines is one block).
fn push_text(out: &mut String, text: &str, in_pre: bool) {
    let start = out.len();
    push_decoded(out, text);
    if !in_pre && memchr::memchr(b'\n', &out.as_bytes()[start..]).is_some() {
        let joined = out[start..].replace('\n', " ");
        out.truncate(start);
        out.push_str(&joined);
    }
}

struct Tag<'a> {
    name: &'a str,
    attrs: &'a str,
    closing: bool,
    self_closing: bool,
    /// Byte just after the `>` (or after the comment).
    end: usize,
}

/// The tag (or comment, as an unnamed tag) starting at `at` (a `<`), if
/// this is one; a `<` that starts none is text.
fn parse_tag(html: &str, at: usize) -> Option<Tag<'_>> {
    let rest = &html[at..];
    if let Some(body) = rest.strip_prefix("<!--") {
        let end = body.find("-->").map_or(html.len(), |e| at + 4 + e + 3);
        return Some(Tag {
            name: "",
            attrs: "",
            closing: true,
            self_closing: true,
            end,
        });
    }
    let b = rest.as_bytes();
    let (closing, name_start) = if b.get(1) == Some(&b'/') {
        (true, 2)
    } else {
        (false, 1)
    };
    if !b
        .get(name_start)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'!')
    {
        return None;
    }
    let name_end = b[name_start..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'-' || c == b'!'))
        .map_or(rest.len(), |e| name_start + e);
    // The end of the tag: the first `>` outside quotes (all three ASCII,
    // so bytes are searched, never inside a character).
    let mut quote = None;
    let mut from = name_end;
    let end = loop {
        let k = from + memchr::memchr3(b'>', b'"', b'\'', &b[from..])?;
        match (quote, b[k]) {
            (None, b'>') => break k,
            (None, q) if q != b'>' => quote = Some(q),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        from = k + 1;
    };
    let attrs = &rest[name_end..end];
    Some(Tag {
        name: &rest[name_start..name_end],
        attrs,
        closing,
        self_closing: attrs.ends_with('/'),
        end: at + end + 1,
    })
}

/// Skips an element's content (nested elements of the same name counted)
/// and its end tag; returns the byte after it.
fn skip_element(html: &str, mut i: usize, name: &str) -> usize {
    let mut depth = 1;
    while let Some(off) = html[i..].find('<') {
        let at = i + off;
        match parse_tag(html, at) {
            Some(t) if t.name.eq_ignore_ascii_case(name) => {
                if t.closing {
                    depth -= 1;
                } else if !t.self_closing {
                    depth += 1;
                }
                i = t.end;
                if depth == 0 {
                    return i;
                }
            }
            Some(t) => i = t.end,
            None => i = at + 1,
        }
    }
    html.len()
}

/// The value of attribute `name` in a tag's attribute text.
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(pos) = rest.find(name) {
        let before_ok = pos == 0 || rest.as_bytes()[pos - 1].is_ascii_whitespace();
        let after = rest[pos + name.len()..].trim_start();
        if before_ok && let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start();
            return match v.chars().next() {
                Some(q @ ('"' | '\'')) => v[1..].split(q).next(),
                _ => v.split(|c: char| c.is_whitespace() || c == '>').next(),
            };
        }
        rest = &rest[pos + name.len()..];
    }
    None
}

/// The facets of the index named in site.yaml (`names:` translates
/// them), each under its kind's word: `department`, `touchpoint`, `value`.
const NAMED_FACETS: [Named; 3] = [Named::Department, Named::Touchpoint, Named::Value];

/// The name in `lang` of every value of the [`NAMED_FACETS`], as the
/// `lang` search page hands them to `search.js` (`page.facet_names`, its
/// `data-facet-names`): a JSON object, `{"department":{"it":"TI",…},
/// "touchpoint":{…},"value":{…},"language":{"pt":"Português",…}}`, each
/// name made by [`SiteConfig::name_of`](crate::config::SiteConfig::name_of)
/// (a language's by `pages::language_name`) as every other page makes it. The index holds the values' ids only, so one index serves
/// every language and names nothing twice.
pub fn facet_names(config: &crate::config::SiteConfig, lang: &str) -> String {
    let mut dims: serde_json::Map<String, serde_json::Value> = NAMED_FACETS
        .into_iter()
        .map(|kind| {
            let names: serde_json::Map<String, serde_json::Value> = config
                .ids_of(kind)
                .map(|id| (id.to_string(), config.name_of(kind, id, lang).into()))
                .collect();
            (kind.word().to_string(), names.into())
        })
        .collect();
    let languages: serde_json::Map<String, serde_json::Value> = config
        .all_languages()
        .into_iter()
        .map(|code| (code.to_string(), super::pages::language_name(code).into()))
        .collect();
    dims.insert("language".into(), languages.into());
    serde_json::Value::Object(dims).to_string()
}

pub fn search_docs<'s>(site: &'s Site, rendered: &[Arc<Rendered>]) -> PendingDocs {
    let config = &site.config;
    // Each facet value (an id of site.yaml, named on the search page: see
    // [`facet_names`]) made once, and shared by every document with it.
    let values: Mutex<FxHashMap<(&str, &'s str), Arc<str>>> = Mutex::default();
    let facet = |kind: Named, id: &'s str| -> Facet {
        let dim = kind.word();
        let mut values = values.lock().expect("facet values");
        let value = values.entry((dim, id)).or_insert_with(|| Arc::from(id));
        (dim, value.clone())
    };
    let docs = site
        .entries
        .par_iter()
        .enumerate()
        .map(|(id, e)| {
            let mut keywords: Vec<String> = e.tags().to_vec();
            let mut facets: Vec<Facet> = Vec::new();
            // Text before and after the entry's own text.
            let mut before = String::new();
            let mut body = String::new();
            for t in e.touchpoints() {
                facets.push(facet(Named::Touchpoint, t));
            }
            match &e.meta {
                Meta::Story(s) => {
                    facets.push(facet(Named::Department, &s.department));
                    facets.extend(s.values.iter().map(|v| facet(Named::Value, v)));
                    for extra in [
                        s.customer.as_deref(),
                        s.outcome.as_deref(),
                        s.summary.as_deref(),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        body.push('\n');
                        body.push_str(extra);
                    }
                }
                Meta::Term(t) => {
                    keywords.extend(t.aliases.iter().cloned());
                    if let Some(short) = &t.short {
                        before = short.clone();
                    }
                    for (dept, lens) in &t.lenses {
                        if config.department(dept).is_some() {
                            facets.push(facet(Named::Department, dept));
                        }
                        body.push('\n');
                        body.push_str(lens);
                    }
                }
                Meta::Case(c) => {
                    body = format!(
                        "{}\n{}\n{body}",
                        c.organization,
                        c.summary.as_deref().unwrap_or_default()
                    );
                    for m in &c.metrics {
                        body.push('\n');
                        body.push_str(&m.name);
                    }
                }
                Meta::Path(p) => {
                    for s in &p.steps {
                        if let Some(note) = &s.note {
                            body.push('\n');
                            body.push_str(note);
                        }
                    }
                }
                Meta::Page(_) => {}
            }
            let doc = SearchDoc {
                url: site.url(id).to_string(),
                kind: doc_kind(e.kind),
                title: e.title().to_string(),
                language: e.lang.clone(),
                keywords,
                body: Default::default(),
                facets,
                group: if e.kind == Kind::Term
                    && (e.lang != config.language || !site.translations(&e.slug).is_empty())
                {
                    format!("term:{}", e.slug)
                } else {
                    String::new()
                },
            };
            (doc, before, rendered[id].clone(), body)
        })
        .collect();
    PendingDocs { docs }
}

#[cfg(test)]
mod tests {
    use super::html_text;

    fn words(html: &str) -> Vec<String> {
        html_text(html)
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn raw_html_text_is_indexed() {
        let html = "<table><tr><td>Onboarding</td><td>buddy</td></tr></table>\n<p>A &amp; B &lt;x&gt; caf&eacute; &#233;t&#xE9;</p>";
        assert_eq!(
            words(html),
            [
                "Onboarding",
                "buddy",
                "A",
                "&",
                "B",
                "<x>",
                "caf&eacute;",
                "été"
            ]
        );
    }

    #[test]
    fn block_boundaries_are_word_boundaries() {
        // A nested tight list: the parent item's text ends where the child
        // list starts, with nothing between them in the HTML.
        let html = "<ul><li>Sourcegraph<ul><li>Asynchronous</li></ul></li></ul><p>One</p><p>Two<br>Three</p>";
        assert_eq!(
            words(html),
            ["Sourcegraph", "Asynchronous", "One", "Two", "Three"]
        );
        assert!(html_text("<li>a</li><li>b</li>").contains('\n'));
        // Inline elements are not boundaries.
        assert_eq!(words("<p>on<em>board</em>ing</p>"), ["onboarding"]);
    }

    #[test]
    fn a_paragraph_wrapped_over_lines_is_one_block_a_code_block_is_lines() {
        let html = "<p>Kiwi banana\nmango <em>pa\npaya</em>.</p>\n<pre><code>let a\nlet b\n</code></pre>\n<p>Last</p>";
        let text = html_text(html);
        assert!(text.contains("Kiwi banana mango pa paya.\n"), "{text:?}");
        assert!(text.contains("let a\nlet b\n"), "{text:?}");
        assert!(text.ends_with("\nLast\n"), "{text:?}");
    }

    #[test]
    fn skips_scripts_comments_and_term_tooltips() {
        let html = "<p>See <span class=\"term-ref\"><a href=\"x\">NPS</a><span class=\"term-tip\" role=\"tooltip\">Net <b>promoter</b> score</span></span> now<!-- hidden --></p><script>var x = '<p>';</script><style>p{}</style>";
        assert_eq!(words(html), ["See", "NPS", "now"]);
        assert_eq!(words("a < b and c<d"), ["a", "<", "b", "and", "c<d"]);
        assert_eq!(
            words("<img src=\"x.png\" alt=\"Team photo\">"),
            ["Team", "photo"]
        );
    }
}
