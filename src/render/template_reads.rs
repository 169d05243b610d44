//! What a template can read of its page's data, found by reading the
//! template: a page's context then carries only that (see
//! `in_place::assign_reading`).
//!
//! A story page's context held its related stories and the terms it uses
//! as whole cards (some fifty strings each, with their tags, touchpoints
//! and cover), where the default theme shows a title, a link and a
//! department of each. Leaving out what no template reads took a 10,000
//! story build from 17.07 to 16.63 G instructions (−2.6%). Themes are the
//! site's own, so which fields a page needs is not written down anywhere
//! but in its templates.
//!
//! The answer must hold for every render, so every doubt reads more:
//! - names are bound flow-insensitively: a name means, everywhere in its
//!   scope (a template's code, or one macro's body), the union of all it is
//!   ever bound to (`set`, `for`, a macro's argument at any call), and the
//!   walk repeats until that stops growing (a value bound late in the text
//!   may be read earlier, in a loop or another block);
//! - a value used as a whole (printed, filtered, tested, compared,
//!   iterated as a map) is read whole, with everything under it; one whose
//!   truth or length is taken keeps its items (an array) or a field (an
//!   object), so that it is empty only when it was;
//! - a macro call binds the arguments of every macro of that name in any
//!   template, and the context's `page` is visible in macros too (Tera
//!   looks a name up in the user's context after the macro's frame);
//! - anything not understood (`__tera_context`, an unbounded chain of
//!   aliases) reads the whole page.
//!
//! `CAMPFIRE_WHOLE_CONTEXTS=1` turns this off (for comparing the two).

use std::collections::{BTreeSet, HashMap};

use tera::Tera;
use tera::ast::{Expr, ExprVal, LogicOperator, MacroCall, MacroDefinition, Node};

/// The context variable whose reads are tracked.
const PAGE: &str = "page";

/// What is read of a value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Reads {
    /// All of it.
    #[default]
    All,
    /// Only some of it.
    Parts(Parts),
}

/// The fields read of a value (by name), what is read of its items (when
/// it is an array that a template iterates), and whether its truth is
/// tested: an object then keeps a field even if none is read, since one
/// with no field left is false (an array's truth is its length, which it
/// keeps).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Parts {
    /// In the order first read: a handful, found by a scan (a story
    /// page's context is written some 300 fields at a time).
    fields: Vec<(Box<str>, Reads)>,
    items: Option<Box<Reads>>,
    truth: bool,
}

impl Parts {
    fn field(&self, key: &str) -> Option<&Reads> {
        self.fields
            .iter()
            .find(|(k, _)| k.len() == key.len() && **k == *key)
            .map(|(_, reads)| reads)
    }
}

static ALL: Reads = Reads::All;
static NOTHING: Reads = Reads::Parts(Parts {
    fields: Vec::new(),
    items: None,
    truth: false,
});

/// How a value is read.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Use {
    /// It must be there (it is named, and a missing name is an error).
    Exists,
    /// Its truth or its length.
    Truth,
    /// All of it.
    Whole,
}

impl Reads {
    fn none() -> Reads {
        Reads::Parts(Parts::default())
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Reads::All)
    }

    /// What is read of the field (or map entry) `key`; `None` when nothing
    /// is and it can be left out. `first`: no field of the object was kept
    /// yet, and an object whose truth is tested keeps one (if it has any),
    /// so that it is empty, and false, only when it was.
    pub fn field_kept(&self, key: &str, first: bool) -> Option<&Reads> {
        match self {
            Reads::All => Some(&ALL),
            Reads::Parts(p) => match p.field(key) {
                Some(reads) => Some(reads),
                None if first && p.truth => Some(&NOTHING),
                None => None,
            },
        }
    }

    /// What is read of each item, when the value is an array. An array
    /// read by index (`page.items.0`), or not iterated, is read whole.
    pub fn items(&self) -> &Reads {
        match self {
            Reads::Parts(Parts {
                fields,
                items: Some(items),
                ..
            }) if fields.is_empty() => items,
            _ => &ALL,
        }
    }

    /// Marks `path` as read as `how`.
    fn mark(&mut self, path: &[Step], how: Use) {
        let Reads::Parts(parts) = self else {
            return;
        };
        match path.split_first() {
            None => match how {
                Use::Exists => {}
                Use::Truth => parts.truth = true,
                Use::Whole => *self = Reads::All,
            },
            Some((Step::Field(name), rest)) => {
                let at = match parts.fields.iter().position(|(k, _)| **k == **name) {
                    Some(at) => at,
                    None => {
                        parts.fields.push((name.as_str().into(), Reads::none()));
                        parts.fields.len() - 1
                    }
                };
                parts.fields[at].1.mark(rest, how)
            }
            Some((Step::Item, rest)) => parts
                .items
                .get_or_insert_with(|| Box::new(Reads::none()))
                .mark(rest, how),
        }
    }
}

/// One step from `page` to a value in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Step {
    Field(String),
    /// Any item of an array (a loop's variable).
    Item,
}

type Path = Vec<Step>;

/// Where a name is looked up: the code of the templates (blocks, includes,
/// loops alike), or the body of one macro (by template and name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Scope<'t> {
    Templates,
    Macro(&'t str, &'t str),
}

/// Longer paths than this come from an alias of itself (`set x = x.next`
/// in a loop): the page is then read whole.
const MAX_PATH: usize = 24;
/// Walks until the bindings stop growing; more than this, and the page is
/// read whole.
const MAX_PASSES: usize = 32;
/// More meanings for one name than this come from names bound to each
/// other in loops (`set a = b.x`, `set b = a.y`), which can double them
/// with every pass: the page is then read whole.
const MAX_MEANINGS: usize = 64;
/// Includes within includes.
const MAX_DEPTH: usize = 32;

/// Every macro of a name, with the template that defines it.
type Definitions<'t> = HashMap<&'t str, Vec<(&'t str, &'t MacroDefinition)>>;

/// What rendering `template` with `tera` can read of the context's `page`.
pub fn page_reads(tera: &Tera, template: &str) -> Reads {
    if std::env::var_os("CAMPFIRE_WHOLE_CONTEXTS").is_some() {
        return Reads::All;
    }
    let Some(t) = tera.templates.get(template) else {
        return Reads::All;
    };
    let mut definitions: Definitions = HashMap::new();
    for (tpl, t) in &tera.templates {
        for (name, m) in &t.macros {
            definitions
                .entry(name.as_str())
                .or_default()
                .push((tpl.as_str(), m));
        }
    }
    template_reads(tera, &definitions, t)
}

fn template_reads<'t>(
    tera: &'t Tera,
    definitions: &'t Definitions<'t>,
    t: &'t tera::Template,
) -> Reads {
    let mut walk = Walk {
        tera,
        definitions,
        bindings: HashMap::new(),
        reads: Reads::none(),
        macros: BTreeSet::new(),
        whole: false,
    };
    for _ in 0..MAX_PASSES {
        let before = (walk.bindings.clone(), walk.reads.clone());
        walk.pass(t);
        if walk.whole {
            // Given up on.
            return Reads::All;
        }
        if (&walk.bindings, &walk.reads) == (&before.0, &before.1) {
            return walk.reads;
        }
    }
    Reads::All
}

struct Walk<'t> {
    tera: &'t Tera,
    /// Each name's meanings within `page` (names bound only to other
    /// values have none).
    bindings: HashMap<(Scope<'t>, &'t str), BTreeSet<Path>>,
    reads: Reads,
    /// The macros that may be called (by template and name).
    macros: BTreeSet<(&'t str, &'t str)>,
    /// Every macro of a name, with its template.
    definitions: &'t Definitions<'t>,
    /// Whether the page is read whole, whatever else.
    whole: bool,
}

impl<'t> Walk<'t> {
    fn pass(&mut self, t: &'t tera::Template) {
        // A template's code and its parents': every block definition, in
        // every template of the chain (a child's block may not be the one
        // rendered, which only reads more).
        self.nodes(Scope::Templates, &t.ast, 0);
        for parent in &t.parents {
            if let Some(p) = self.tera.templates.get(parent) {
                self.nodes(Scope::Templates, &p.ast, 0);
            }
        }
        let mut done = BTreeSet::new();
        while let Some(&(tpl, name)) = self.macros.difference(&done).next() {
            done.insert((tpl, name));
            if let Some(m) = self
                .tera
                .templates
                .get(tpl)
                .and_then(|t| t.macros.get(name))
            {
                self.nodes(Scope::Macro(tpl, name), &m.body, 0);
            }
        }
    }

    fn nodes(&mut self, scope: Scope<'t>, nodes: &'t [Node], depth: usize) {
        for node in nodes {
            if self.whole {
                return;
            }
            self.node(scope, node, depth);
        }
    }

    fn node(&mut self, scope: Scope<'t>, node: &'t Node, depth: usize) {
        match node {
            Node::VariableBlock(_, e) => self.value(scope, e),
            Node::Set(_, set) => {
                let meanings = self.alias(scope, &set.value);
                // `set_global` in a macro sets the macro's frame's
                // outermost name: the same scope here.
                self.bind(scope, &set.key, meanings);
            }
            Node::FilterSection(_, f, _) => {
                for arg in f.filter.args.values() {
                    self.value(scope, arg);
                }
                self.nodes(scope, &f.body, depth);
            }
            Node::Block(_, b, _) => self.nodes(scope, &b.body, depth),
            Node::Forloop(_, f, _) => {
                match &f.key {
                    // Key and value of a map: read whole.
                    Some(_) => self.value(scope, &f.container),
                    None => {
                        let items = self.alias(scope, &f.container).into_iter().map(|mut p| {
                            p.push(Step::Item);
                            p
                        });
                        let items: BTreeSet<Path> = items.collect();
                        for p in &items {
                            self.mark(p, Use::Exists);
                        }
                        self.bind(scope, &f.value, items);
                    }
                }
                self.nodes(scope, &f.body, depth);
                if let Some(body) = &f.empty_body {
                    self.nodes(scope, body, depth);
                }
            }
            Node::If(i, _) => {
                for (_, condition, body) in &i.conditions {
                    self.truth(scope, condition);
                    self.nodes(scope, body, depth);
                }
                if let Some((_, body)) = &i.otherwise {
                    self.nodes(scope, body, depth);
                }
            }
            // Rendered in the frames of where it is included.
            Node::Include(_, names, _) => {
                if depth >= MAX_DEPTH {
                    self.whole = true;
                    return;
                }
                for name in names {
                    if let Some(t) = self.tera.templates.get(name) {
                        self.nodes(scope, &t.ast, depth + 1);
                    }
                }
            }
            // Walked where they are called; a parent's block is walked
            // with its template.
            Node::MacroDefinition(..)
            | Node::Super
            | Node::Text(_)
            | Node::Extends(..)
            | Node::ImportMacro(..)
            | Node::Raw(..)
            | Node::Break(_)
            | Node::Continue(_)
            | Node::Comment(..)
            | Node::Hook(_) => {}
        }
    }

    /// `e` used as a value: everything it names is read whole.
    fn value(&mut self, scope: Scope<'t>, e: &'t Expr) {
        if e.negated {
            return self.truth(scope, e);
        }
        self.evaluated(scope, e);
    }

    /// `e` evaluated, its filters with their arguments, whatever is then
    /// made of it.
    fn evaluated(&mut self, scope: Scope<'t>, e: &'t Expr) {
        self.expr_val(scope, &e.val);
        for filter in &e.filters {
            for arg in filter.args.values() {
                self.value(scope, arg);
            }
        }
    }

    fn expr_val(&mut self, scope: Scope<'t>, val: &'t ExprVal) {
        match val {
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => {}
            ExprVal::Ident(ident) => self.name_read(scope, ident.as_str(), Use::Whole),
            ExprVal::Math(m) => {
                self.value(scope, &m.lhs);
                self.value(scope, &m.rhs);
            }
            ExprVal::Logic(l) => {
                self.value(scope, &l.lhs);
                self.value(scope, &l.rhs);
            }
            ExprVal::In(i) => {
                self.value(scope, &i.lhs);
                self.value(scope, &i.rhs);
            }
            ExprVal::Test(test) => {
                self.name_read(scope, &test.ident, Use::Whole);
                for arg in &test.args {
                    self.value(scope, arg);
                }
            }
            ExprVal::MacroCall(call) => self.macro_call(scope, call),
            ExprVal::FunctionCall(f) => {
                for arg in f.args.values() {
                    self.value(scope, arg);
                }
            }
            ExprVal::Array(items) => {
                for item in items {
                    self.value(scope, item);
                }
            }
            ExprVal::StringConcat(concat) => {
                for v in &concat.values {
                    self.expr_val(scope, v);
                }
            }
        }
    }

    /// `e`'s truth tested (a condition, `not e`, either side of `and` and
    /// `or`), or its length taken (`e | length`): a name's value is read
    /// as far as that needs.
    fn truth(&mut self, scope: Scope<'t>, e: &'t Expr) {
        let length_only = match e.filters.as_slice() {
            [] => true,
            [f] => f.name == "length" && f.args.is_empty(),
            _ => false,
        };
        match &e.val {
            ExprVal::Ident(ident) if length_only => {
                self.name_read(scope, ident.as_str(), Use::Truth)
            }
            ExprVal::Logic(l)
                if e.filters.is_empty()
                    && matches!(l.operator, LogicOperator::And | LogicOperator::Or) =>
            {
                self.truth(scope, &l.lhs);
                self.truth(scope, &l.rhs);
            }
            // `is defined`: whether it is there.
            ExprVal::Test(test)
                if e.filters.is_empty()
                    && matches!(test.name.as_str(), "defined" | "undefined")
                    && test.args.is_empty() =>
            {
                self.name_read(scope, &test.ident, Use::Exists)
            }
            // Evaluated as a value, then its truth taken.
            _ => self.evaluated(scope, e),
        }
    }

    /// A call binds the arguments of every macro of its name (which one
    /// Tera picks depends on imports and on the block being rendered).
    /// Arguments left out take their defaults, which Tera evaluates where
    /// the call is.
    fn macro_call(&mut self, scope: Scope<'t>, call: &'t MacroCall) {
        let definitions: &'t [_] = self
            .definitions
            .get(call.name.as_str())
            .map_or(&[], Vec::as_slice);
        for &(tpl, m) in definitions {
            self.macros.insert((tpl, call.name.as_str()));
            let into = Scope::Macro(tpl, call.name.as_str());
            for (param, default) in &m.args {
                let given = call.args.get(param).or(default.as_ref());
                if let Some(e) = given {
                    let meanings = self.alias(scope, e);
                    self.bind(into, param, meanings);
                }
            }
        }
        // An argument no macro takes is still evaluated.
        for (param, e) in &call.args {
            if !definitions.iter().any(|(_, m)| m.args.contains_key(param)) {
                self.value(scope, e);
            }
        }
    }

    /// The meanings within `page` of `e` when it is a plain name (which
    /// must then exist); otherwise `e` is a value, read whole, and means
    /// nothing within `page`.
    fn alias(&mut self, scope: Scope<'t>, e: &'t Expr) -> BTreeSet<Path> {
        let plain = match &e.val {
            ExprVal::Ident(ident) if !e.negated && e.filters.is_empty() => plain(ident.as_str()),
            _ => None,
        };
        let Some((head, tail)) = plain else {
            self.value(scope, e);
            return BTreeSet::new();
        };
        let meanings = self.meanings(scope, head, &tail);
        for p in &meanings {
            self.mark(p, Use::Exists);
        }
        meanings
    }

    /// `name` (`page.title`, `x.href`, `t[k]`) read as `how`.
    fn name_read(&mut self, scope: Scope<'t>, name: &'t str, how: Use) {
        if name == "__tera_context" {
            self.whole = true;
            return;
        }
        match plain(name) {
            Some((head, tail)) => {
                for p in self.meanings(scope, head, &tail) {
                    self.mark(&p, how);
                }
            }
            // Brackets or quotes (`t[k]`, `page["a b"]`): every name in it
            // is read whole, from its first segment.
            None => {
                for word in words_outside_quotes(name) {
                    let head = word.split('.').next().unwrap_or_default();
                    for p in self.meanings(scope, head, &[]) {
                        self.mark(&p, Use::Whole);
                    }
                }
            }
        }
    }

    /// What `head.tail…` may stand for within `page`.
    fn meanings(&mut self, scope: Scope<'t>, head: &'t str, tail: &[&str]) -> BTreeSet<Path> {
        let mut bases: Vec<Path> = self
            .bindings
            .get(&(scope, head))
            .map(|paths| paths.iter().cloned().collect())
            .unwrap_or_default();
        // Found in the context when no frame holds it.
        if head == PAGE {
            bases.push(Vec::new());
        }
        let mut out = BTreeSet::new();
        for mut base in bases {
            base.extend(tail.iter().map(|s| Step::Field((*s).to_string())));
            if base.len() > MAX_PATH {
                self.whole = true;
                continue;
            }
            out.insert(base);
        }
        out
    }

    fn bind(&mut self, scope: Scope<'t>, name: &'t str, meanings: BTreeSet<Path>) {
        if meanings.is_empty() {
            return;
        }
        let bound = self.bindings.entry((scope, name)).or_default();
        bound.extend(meanings);
        if bound.len() > MAX_MEANINGS {
            self.whole = true;
        }
    }

    fn mark(&mut self, path: &[Step], how: Use) {
        self.reads.mark(path, how);
    }
}

/// A name's first segment and the others, when it is only names and dots.
fn plain(name: &str) -> Option<(&str, Vec<&str>)> {
    let is_word =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let mut segments = name.split('.');
    let head = segments.next().filter(|h| is_word(h))?;
    let tail: Vec<&str> = segments.collect();
    tail.iter().all(|s| is_word(s)).then_some((head, tail))
}

/// The dotted names in `text` outside quoted strings (`t[k]` → `t`, `k`).
fn words_outside_quotes(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote = None;
    let mut start = None;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' || c == '`' => {
                if let Some(s) = start.take() {
                    out.push(&text[s..i]);
                }
                quote = Some(c);
            }
            None if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                start.get_or_insert(i);
            }
            None => {
                if let Some(s) = start.take() {
                    out.push(&text[s..i]);
                }
            }
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out.retain(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::in_place::assign_reading;
    use serde_json::{Value, json};

    /// A page with something of every shape: objects (empty too), arrays
    /// of objects, strings, numbers, a map, a chain of objects.
    fn page() -> Value {
        json!({
            "title": "T", "to": "X", "key": "k2", "n": 3, "empty_text": "",
            "card": {"title": "C", "href": "c/", "summary": "S", "deep": {"a": 1, "b": 2}},
            "related": [
                {"title": "R1", "href": "r1/", "summary": "s1", "department": {"name": "D1", "id": "d1"}, "deep": {"x": "1"}},
                {"title": "R2", "href": "r2/", "summary": "s2", "department": null, "deep": {"x": "2"}}
            ],
            "none": [],
            "empty_obj": {},
            "obj": {"a": "A", "b": "B"},
            "map": {"k1": "v1", "k2": "v2"},
            "maybe": "here",
            "chain": {"v": 0, "next": {"v": 1, "next": {"v": 2, "next": {"v": 3}}}},
            "f": {"g": "gee", "h": "aitch"},
            "tags": ["x", "y"],
            "p": {"q": "pq"}, "c": {"d": "cd", "e": "ce"}
        })
    }

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut tera = Tera::default();
        tera.add_raw_templates(templates.iter().copied()).unwrap();
        tera
    }

    /// `page` as written for `reads`.
    fn projected(page: &Value, reads: &Reads) -> Value {
        let mut v = Value::Null;
        assign_reading(&mut v, page, reads).unwrap();
        v
    }

    fn render(tera: &Tera, page: &Value) -> Result<String, String> {
        let cx = tera::Context::from_value(json!({ "page": page, "lang": "en" })).unwrap();
        tera.render("main.html", &cx).map_err(|e| format!("{e:?}"))
    }

    /// Renders `main.html` with the whole page and with what it reads of
    /// it: the same text (or both an error). Returns what was written.
    fn same_with_reads(templates: &[(&str, &str)], page: &Value) -> Value {
        let tera = tera(templates);
        if let Err(e) = render(&tera, page) {
            panic!("{templates:?}: {e}");
        }
        same_with_reads_as(templates, page).0
    }

    /// [`same_with_reads`], and whether anything was left out.
    fn same_with_reads_as(templates: &[(&str, &str)], page: &Value) -> (Value, bool) {
        let tera = tera(templates);
        let reads = page_reads(&tera, "main.html");
        let written = projected(page, &reads);
        let whole = render(&tera, page);
        let part = render(&tera, &written);
        match (&whole, &part) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{templates:?}\nreads {reads:#?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{templates:?}: whole {whole:?}, read {part:?}\nreads {reads:#?}"),
        }
        let left_out = written != *page;
        (written, left_out)
    }

    fn main(text: &str) -> Value {
        same_with_reads(&[("main.html", text)], &page())
    }

    #[test]
    fn only_what_a_template_names_is_written() {
        let w = main(
            "{{ page.title }}{% for r in page.related %}{{ r.href }}{% if r.department %}{{ r.department.name }}{% endif %}{% endfor %}",
        );
        assert_eq!(
            w,
            json!({"title": "T", "related": [
                // A value whose truth is tested keeps its first field.
                {"href": "r1/", "department": {"id": "d1", "name": "D1"}},
                {"href": "r2/", "department": null}
            ]})
        );
        // Nothing named: an empty object, as the page is there.
        assert_eq!(main("plain text"), json!({}));
    }

    #[test]
    fn a_value_used_whole_is_written_whole() {
        let whole = page();
        for (text, field) in [
            ("{{ page.card | json_encode() }}", "card"),
            (
                "{{ page.related | length }}{% for r in page.related %}{{ r.title }}{% endfor %}",
                "",
            ),
            (
                "{% for k, v in page.obj %}{{ k }}={{ v }}{% endfor %}",
                "obj",
            ),
            ("{{ page.card.deep }}", ""),
            ("{% if page.card == page.card %}eq{% endif %}", "card"),
            ("{% if 'x' in page.tags %}in{% endif %}", "tags"),
            ("{{ page.card.title ~ page.f.g }}", ""),
            ("{{ 'X' | replace(from='X', to=page.card.summary) }}", ""),
            ("{% filter upper %}{{ page.f }}{% endfilter %}", "f"),
        ] {
            let w = main(text);
            if !field.is_empty() {
                assert_eq!(w[field], whole[field], "{text}");
            }
        }
        assert_eq!(main("{{ __tera_context }}"), whole);
        assert_eq!(
            main("{{ page.chain.next.v }}")["chain"],
            json!({"next": {"v": 1}})
        );
    }

    #[test]
    fn truth_and_length_keep_what_decides_them() {
        // An object tested keeps a field, so an empty one stays false and
        // a full one true; an array keeps its items.
        let w = main(
            "{% if page.empty_obj %}E{% endif %}{% if page.obj %}O{% endif %}{% if page.none %}N{% endif %}{% if page.related %}R{% endif %}{% if not page.empty_text %}T{% endif %}",
        );
        assert_eq!(w["empty_obj"], json!({}));
        assert_eq!(w["obj"].as_object().unwrap().len(), 1);
        assert_eq!(w["related"].as_array().unwrap().len(), 2);
        let w = main(
            "{% if page.related | length %}{{ page.related | length }}{% endif %}{% if page.maybe is defined %}d{% endif %}{% if page.nothing is undefined %}u{% endif %}",
        );
        assert_eq!(w["maybe"], json!("here"));
        main("{% if page.card and not page.empty_obj or page.none %}yes{% endif %}");
    }

    #[test]
    fn aliases_loops_and_assignments_are_followed() {
        for text in [
            "{% set c = page.card %}{{ c.title }}{% set d = c.deep %}{{ d.a }}",
            "{% for r in page.related %}{% set dept = r.department %}{% if dept %}{{ dept.name }}{% endif %}{% endfor %}",
            "{% for r in page.related %}{% for x in page.tags %}{{ x }}{{ r.deep.x }}{% endfor %}{% endfor %}",
            // A name bound late in the text, read earlier in a loop.
            "{% set prev = '' %}{% for r in page.related %}{% if prev %}{{ prev.summary }}{% endif %}{% set_global prev = r %}{% endfor %}",
            // A name rebound only sometimes.
            "{% for r in page.related %}{% if loop.first %}{% set r = page.card %}{% endif %}{{ r.summary }}{% endfor %}",
            // An alias of itself, unbounded: the page whole.
            "{% set x = page.chain %}{% for i in range(end=3) %}{% set_global x = x.next %}{% endfor %}{{ x.v }}",
            "{% for r in page.none %}{{ r.title }}{% else %}{{ page.f.h }}{% endfor %}",
            "{{ page.related.0.summary }}{{ page.related.1.deep.x }}",
            "{{ page['title'] }}{{ page.map[page.key] }}",
            "{% set k = 'k1' %}{{ page.map[k] }}",
        ] {
            main(text);
        }
    }

    #[test]
    fn macros_read_their_arguments_and_the_context() {
        let macros = "{% macro show(x, y, n=2) %}{{ x.title }}{{ y.d }}{{ page.p.q }}{{ self::inner(z=x.deep) }}{% endmacro show %}{% macro inner(z) %}{% if z.a is defined %}{{ z.a }}{% endif %}{% endmacro inner %}{% macro unused(u) %}{{ u.summary }}{% endmacro unused %}";
        let w = same_with_reads(
            &[
                ("macros.html", macros),
                (
                    "main.html",
                    "{% import 'macros.html' as m %}{{ m::show(x=page.card, y=page.c) }}{% for r in page.related %}{{ m::show(x=r, y=page.c) }}{% endfor %}",
                ),
            ],
            &page(),
        );
        assert_eq!(w["card"], json!({"title": "C", "deep": {"a": 1}}));
        // Read in the macro from the context, not from an argument.
        assert_eq!(w["p"], json!({"q": "pq"}));
        assert_eq!(w["c"], json!({"d": "cd"}));
        assert!(w.get("f").is_none(), "{w}");
    }

    #[test]
    fn includes_and_blocks_read_in_the_frames_they_are_rendered_in() {
        same_with_reads(
            &[
                ("item.html", "{{ r.summary }}"),
                (
                    "main.html",
                    "{% for r in page.related %}{% include 'item.html' %}{% endfor %}",
                ),
            ],
            &page(),
        );
        // A child's block rendered where its parent set a name.
        same_with_reads(
            &[
                (
                    "parent.html",
                    "{% set r = page.related.1 %}{% if page.n %}{% block item %}{{ r.title }}{% endblock item %}{% endif %}{% block other %}{{ page.p.q }}{% endblock other %}",
                ),
                (
                    "main.html",
                    "{% extends 'parent.html' %}{% block item %}{{ r.deep.x }}{% endblock item %}{% block other %}{{ super() }}{{ page.c.e }}{% endblock other %}",
                ),
            ],
            &page(),
        );
    }

    /// Random templates over the page, with aliases, loops, conditions,
    /// macros and includes: each renders the same with the whole page as
    /// with what it reads of it.
    #[test]
    fn random_templates_render_the_same_with_what_they_read() {
        let page = page();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15, false);
        let (mut rendered, mut failed, mut left_out) = (0, 0, 0);
        for _ in 0..400 {
            // Calls and includes from the page only (an include of itself
            // would never end).
            rng.1 = true;
            let main = format!(
                "{{% import 'macros.html' as m %}}{{% set a = page.card %}}{{% set b = page.related %}}{}",
                rng.statements(&page, &["page", "a", "b"], 3)
            );
            rng.1 = false;
            let macros = format!(
                "{{% macro f(x, y) %}}{}{{% endmacro f %}}{{% macro g(x, y) %}}{}{{{{ self::f(x=y, y=x) }}}}{{% endmacro g %}}",
                rng.statements(&page, &["page", "x", "y"], 2),
                rng.statements(&page, &["x", "y"], 1)
            );
            let include = rng.statements(&page, &["page", "a", "b"], 1);
            let templates = [
                ("macros.html", macros.as_str()),
                ("inc.html", include.as_str()),
                ("main.html", main.as_str()),
            ];
            let tera = tera(&templates);
            match render(&tera, &page) {
                Ok(_) => rendered += 1,
                Err(e) => {
                    failed += 1;
                    if std::env::var_os("SHOW").is_some() {
                        eprintln!("{main}\n{e}\n");
                    }
                }
            }
            let (written, some_left_out) = same_with_reads_as(&templates, &page);
            if some_left_out && render(&tera, &written).is_ok() {
                left_out += 1;
            }
        }
        // Enough of them render at all, with some of the page left out, for
        // the comparison to mean something.
        eprintln!("{rendered} rendered ({left_out} of them with less), {failed} failed");
        assert!(
            rendered >= 100 && left_out >= 50,
            "{rendered} rendered, {left_out} with less"
        );
    }

    /// A xorshift generator, and whether statements may call macros and
    /// include.
    struct Rng(u64, bool);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        /// A path from one of `names`, down the page's own shape most of
        /// the time (so that many lookups succeed).
        fn path(&mut self, page: &Value, names: &[&str]) -> String {
            // The page most of the time.
            let name = if self.below(3) == 0 {
                names[self.below(names.len())]
            } else {
                names[0]
            };
            let mut out = name.to_string();
            let mut at = if out == "page" || self.below(2) == 0 {
                page
            } else {
                &Value::Null
            };
            for _ in 0..self.below(4) {
                let next: Option<(String, &Value)> = match at {
                    Value::Object(m) if !m.is_empty() => {
                        let (k, v) = m.iter().nth(self.below(m.len())).unwrap();
                        Some((k.clone(), v))
                    }
                    Value::Array(items) if !items.is_empty() => {
                        let i = self.below(items.len());
                        Some((i.to_string(), &items[i]))
                    }
                    _ => None,
                };
                match next {
                    Some((k, v)) if self.below(16) != 0 => {
                        out.push('.');
                        out.push_str(&k);
                        at = v;
                    }
                    // Past the page's shape, now and then.
                    _ if self.below(3) != 0 => break,
                    _ => {
                        let any = [
                            "title", "deep", "x", "summary", "next", "v", "related", "card",
                        ];
                        out.push('.');
                        out.push_str(any[self.below(any.len())]);
                        at = &Value::Null;
                    }
                }
            }
            out
        }

        fn statements(&mut self, page: &Value, names: &[&str], depth: usize) -> String {
            (0..1 + self.below(3))
                .map(|_| self.statement(page, names, depth))
                .collect()
        }

        fn statement(&mut self, page: &Value, names: &[&str], depth: usize) -> String {
            let p = self.path(page, names);
            let q = self.path(page, names);
            let n = ["a", "b", "x", "y"][self.below(4)];
            let inner = |rng: &mut Rng| {
                if depth == 0 {
                    format!("{{{{ {} }}}}", rng.path(page, names))
                } else {
                    let mut names = names.to_vec();
                    names.push(n);
                    rng.statements(page, &names, depth - 1)
                }
            };
            let choices = if self.1 { 14 } else { 10 };
            match self.below(choices) {
                0 => format!("{{{{ {p} }}}}"),
                1 => format!("{{{{ {p} | length }}}}"),
                2 => format!("{{{{ {p} | json_encode() }}}}"),
                3 => format!(
                    "{{% if {p} %}}{}{{% else %}}{}{{% endif %}}",
                    inner(self),
                    inner(self)
                ),
                4 => format!("{{% if not {p} or {q} %}}{}{{% endif %}}", inner(self)),
                5 => format!("{{% if {p} is defined %}}{}{{% endif %}}", inner(self)),
                6 | 7 => {
                    let arrays = ["page.related", "page.tags", "page.none", "b", p.as_str()];
                    let p = arrays[self.below(arrays.len())];
                    format!("{{% for {n} in {p} %}}{}{{% endfor %}}", inner(self))
                }
                8 => format!("{{% set {n} = {p} %}}"),
                9 => format!("{{% if {p} | length > 1 %}}{}{{% endif %}}", inner(self)),
                10 => format!("{{{{ m::f(x={p}, y={q}) }}}}"),
                11 => format!("{{{{ m::g(x={p}, y={q}) }}}}"),
                12 => "{% include 'inc.html' %}".to_string(),
                _ => format!("{{% set_global {n} = {p} %}}"),
            }
        }
    }

    /// Pages written one over the other into one slot (as contexts are
    /// reused from page to page) end up as each written afresh.
    #[test]
    fn written_over_the_last_page_is_written_afresh() {
        let tera = tera(&[(
            "main.html",
            "{{ page.title }}{% if page.card %}{{ page.card.title }}{% endif %}{% for r in page.related %}{{ r.href }}{% if r.department %}{{ r.department.name }}{% endif %}{% endfor %}{{ page.obj.a }}",
        )]);
        let reads = page_reads(&tera, "main.html");
        assert!(!reads.is_all());
        let mut pages = vec![page()];
        let mut p = page();
        p["related"].as_array_mut().unwrap().pop();
        pages.push(p.clone());
        p["card"] = Value::Null;
        p["related"][0]["department"] = json!({"name": "Other", "extra": [1, 2]});
        pages.push(p.clone());
        p["obj"] = json!({"a": "only"});
        p["related"] =
            json!([{"href": "n/", "department": null}, {"href": "m/", "department": {}}]);
        pages.push(p.clone());
        p["related"] = json!([]);
        pages.push(p);
        pages.push(page());
        let mut slot = Value::Null;
        for (i, p) in pages.iter().enumerate() {
            assign_reading(&mut slot, p, &reads).unwrap();
            assert_eq!(slot, projected(p, &reads), "page {i}");
        }
    }

    /// The same for structs of many fields (written through their places,
    /// not by key), as page contexts are.
    #[test]
    fn structs_written_over_the_last_are_written_afresh() {
        #[derive(serde::Serialize, Clone)]
        struct Item {
            a: String,
            b: Option<String>,
            c: u32,
            d: Vec<String>,
            e: String,
            f: String,
            g: String,
            h: Option<Box<Item>>,
        }
        let item = |n: u32| Item {
            a: format!("a{n}"),
            b: n.is_multiple_of(2).then(|| format!("b{n}")),
            c: n,
            d: (0..n % 3).map(|i| i.to_string()).collect(),
            e: "e".into(),
            f: "f".into(),
            g: "g".into(),
            h: None,
        };
        let tera = tera(&[(
            "main.html",
            "{% for i in page %}{{ i.a }}{% if i.b %}{{ i.b }}{% endif %}{% if i.h %}{{ i.h.c }}{{ i.h.d | length }}{% endif %}{% endfor %}",
        )]);
        let reads = page_reads(&tera, "main.html");
        let mut slot = Value::Null;
        for n in 0..12u32 {
            let mut items: Vec<Item> = (0..n % 4).map(|k| item(n + k)).collect();
            if let Some(first) = items.first_mut() {
                first.h = (!n.is_multiple_of(3)).then(|| Box::new(item(n * 7)));
            }
            assign_reading(&mut slot, &items, &reads).unwrap();
            let whole = serde_json::to_value(&items).unwrap();
            assert_eq!(slot, projected(&whole, &reads), "round {n}");
            let cx = |v: &Value| tera::Context::from_value(json!({ "page": v })).unwrap();
            assert_eq!(
                tera.render("main.html", &cx(&slot)).unwrap(),
                tera.render("main.html", &cx(&whole)).unwrap()
            );
        }
    }
}
