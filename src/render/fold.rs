//! Templates specialised for one language: `{{ t.skip }}` and
//! `{{ site.title }}` written in as text once per build, instead of being
//! looked up on every page (and, for the many pages at one depth, such as
//! stories, `{{ root }}` and `{{ lang }}` too).
//!
//! Every page in a language renders with the same `t` (its UI strings) and
//! `site` (the site block); a Tera lookup of `t.skip` splits and copies the
//! path and searches a table of hundreds of strings, and the default theme
//! makes some 80 of them per story page and its slides: a fifth of the
//! render. A specialised copy of the templates has those lookups replaced
//! by their values, so it renders the same bytes faster.
//!
//! Only what is certain to mean the context's value is replaced: a name
//! that any template binds itself (`set`, `for`) is left alone everywhere,
//! and in a macro's body (a macro sees only its arguments) only the
//! arguments that every call hands it as the context's own (`t=t`, see
//! `constant_arguments`) are. Values
//! replace lookups only where Tera treats a literal exactly like a looked-up
//! value (not in arithmetic or `<`/`>` comparisons, nor filtered values in
//! conditions), and only strings and booleans, never a missing key (which
//! stays an error).

use std::collections::BTreeSet;

use tera::ast::{Expr, ExprVal, FunctionCall, LogicOperator, Node};
use tera::{Context, Tera, Value};

/// The context variables that are the same for every page in a language
/// (`search_strings`, a kilobyte of JSON for templates that put it in an
/// attribute of every page, is escaped once here rather than on every
/// page), and those the same for every page at one depth in a language
/// (`root`, `lang`: some 40 lookups of a story page), folded when `cx` has
/// them.
const CONSTANT: [&str; 6] = [
    "t",
    "site",
    "search_strings",
    "strings_script",
    "root",
    "lang",
];

/// A copy of `tera` with the lookups of the [`CONSTANT`] names that `cx`
/// holds (`t.…`, `site.…`, `search_strings`, and `root` and `lang` where
/// given) replaced by their values. For templates rendered as HTML
/// (autoescaped) only: a value written in as text is escaped here.
pub fn specialize(tera: &Tera, cx: &Context, escape: fn(&str) -> String) -> Tera {
    let bound = bound_names(tera);
    let constants: Vec<(&str, &Value)> = CONSTANT
        .into_iter()
        .filter(|name| !bound.contains(*name))
        .filter_map(|name| cx.get(name).map(|v| (name, v)))
        .collect();
    let mut out = tera.clone();
    if constants.is_empty() {
        return out;
    }
    let in_macros = constant_arguments(tera, &constants);
    let folder = Folder { constants, escape };
    for t in out.templates.values_mut() {
        folder.nodes(&mut t.ast);
        for block in t.blocks.values_mut() {
            folder.nodes(&mut block.body);
        }
        for definitions in t.blocks_definitions.values_mut() {
            for (_, block) in definitions {
                folder.nodes(&mut block.body);
            }
        }
        for (name, definition) in t.macros.iter_mut() {
            if let Some(names) = in_macros.get(&(t.name.clone(), name.clone())) {
                let macro_folder = Folder {
                    constants: folder
                        .constants
                        .iter()
                        .filter(|(constant, _)| names.contains(constant))
                        .copied()
                        .collect(),
                    escape,
                };
                macro_folder.nodes(&mut definition.body);
            }
        }
    }
    out
}

/// For each macro (by its template and name), the arguments that are one
/// of `constants` wherever it is called: every call names it as itself
/// (`t=t`, `root=root`). A macro sees only its arguments, so in its body
/// those mean the constant and fold as it does (`{{ t.contents }}` in the
/// table of contents, `{{ root }}` before every chip's address: some 20
/// lookups a story page).
///
/// Left alone: a macro called from another macro's body (where `t` is
/// that macro's argument), or anywhere by a namespace this cannot follow
/// (one a template does not import itself: then every macro of that name),
/// and an argument some call leaves to its default or gives anything else.
fn constant_arguments<'c>(
    tera: &Tera,
    constants: &[(&'c str, &'c Value)],
) -> std::collections::HashMap<(String, String), Vec<&'c str>> {
    use std::collections::HashMap;

    /// What the calls of one macro pass, as the constants each names as
    /// itself; `None` once some call rules the macro out.
    type Calls<'c> = HashMap<(String, String), Option<Vec<&'c str>>>;

    struct Walk<'t, 'c> {
        template: &'t tera::Template,
        constants: &'t [(&'c str, &'c Value)],
        calls: Calls<'c>,
        unresolved: BTreeSet<String>,
    }

    impl<'c> Walk<'_, 'c> {
        fn call(&mut self, call: &tera::ast::MacroCall, in_macro: bool) {
            let file = if call.namespace == "self" {
                Some(self.template.name.clone())
            } else {
                self.template
                    .imported_macro_files
                    .iter()
                    .find(|(_, namespace)| *namespace == call.namespace)
                    .map(|(file, _)| file.clone())
            };
            let Some(file) = file else {
                self.unresolved.insert(call.name.clone());
                return;
            };
            let passed: Vec<&'c str> = self
                .constants
                .iter()
                .map(|(name, _)| *name)
                .filter(|name| {
                    call.args.get(*name).is_some_and(|arg| {
                        !arg.negated
                            && arg.filters.is_empty()
                            && matches!(&arg.val, ExprVal::Ident(ident) if **ident == **name)
                    })
                })
                .collect();
            let entry = self.calls.entry((file, call.name.clone()));
            let seen = entry.or_insert_with(|| Some(passed.clone()));
            match seen {
                Some(names) if !in_macro => names.retain(|n| passed.contains(n)),
                _ => *seen = None,
            }
            for arg in call.args.values() {
                self.expr(arg, in_macro);
            }
        }

        fn expr(&mut self, e: &Expr, in_macro: bool) {
            for filter in &e.filters {
                for arg in filter.args.values() {
                    self.expr(arg, in_macro);
                }
            }
            self.val(&e.val, in_macro);
        }

        fn val(&mut self, v: &ExprVal, in_macro: bool) {
            match v {
                ExprVal::MacroCall(call) => self.call(call, in_macro),
                ExprVal::StringConcat(c) => {
                    for value in &c.values {
                        self.val(value, in_macro);
                    }
                }
                ExprVal::FunctionCall(f) => {
                    for arg in f.args.values() {
                        self.expr(arg, in_macro);
                    }
                }
                ExprVal::Logic(l) => {
                    self.expr(&l.lhs, in_macro);
                    self.expr(&l.rhs, in_macro);
                }
                ExprVal::Math(m) => {
                    self.expr(&m.lhs, in_macro);
                    self.expr(&m.rhs, in_macro);
                }
                ExprVal::In(i) => {
                    self.expr(&i.lhs, in_macro);
                    self.expr(&i.rhs, in_macro);
                }
                ExprVal::Test(t) => {
                    for arg in &t.args {
                        self.expr(arg, in_macro);
                    }
                }
                ExprVal::Array(items) => {
                    for item in items {
                        self.expr(item, in_macro);
                    }
                }
                _ => {}
            }
        }

        fn nodes(&mut self, nodes: &[Node], in_macro: bool) {
            for node in nodes {
                match node {
                    Node::VariableBlock(_, e) => self.expr(e, in_macro),
                    Node::Set(_, s) => self.expr(&s.value, in_macro),
                    Node::If(i, _) => {
                        for (_, condition, body) in &i.conditions {
                            self.expr(condition, in_macro);
                            self.nodes(body, in_macro);
                        }
                        if let Some((_, body)) = &i.otherwise {
                            self.nodes(body, in_macro);
                        }
                    }
                    Node::Forloop(_, f, _) => {
                        self.expr(&f.container, in_macro);
                        self.nodes(&f.body, in_macro);
                        self.nodes(f.empty_body.as_deref().unwrap_or_default(), in_macro);
                    }
                    Node::Block(_, b, _) => self.nodes(&b.body, in_macro),
                    Node::FilterSection(_, f, _) => {
                        for arg in f.filter.args.values() {
                            self.expr(arg, in_macro);
                        }
                        self.nodes(&f.body, in_macro);
                    }
                    Node::MacroDefinition(_, m, _) => self.nodes(&m.body, true),
                    _ => {}
                }
            }
        }
    }

    let mut templates = tera.templates.values();
    let Some(first) = templates.next() else {
        return HashMap::new();
    };
    let mut walk = Walk {
        template: first,
        constants,
        calls: Calls::new(),
        unresolved: BTreeSet::new(),
    };
    for template in std::iter::once(first).chain(templates) {
        walk.template = template;
        walk.nodes(&template.ast, false);
        for block in template.blocks.values() {
            walk.nodes(&block.body, false);
        }
        for definition in template.macros.values() {
            walk.nodes(&definition.body, true);
        }
    }
    let Walk {
        calls, unresolved, ..
    } = walk;
    calls
        .into_iter()
        .filter(|((_, name), _)| !unresolved.contains(name))
        .filter_map(|(key, names)| {
            let names = names?;
            // Only what the macro takes as an argument: any other name
            // in its body is not the context's.
            let definition = tera.templates.get(&key.0)?.macros.get(&key.1)?;
            let names: Vec<&str> = names
                .into_iter()
                .filter(|n| definition.args.contains_key(*n))
                .collect();
            (!names.is_empty()).then_some((key, names))
        })
        .collect()
}

/// Names a template binds itself, anywhere: those of `set`, of loop
/// variables, and the arguments of macros that include templates (an
/// included template sees the macro's arguments).
fn bound_names(tera: &Tera) -> BTreeSet<String> {
    fn walk(nodes: &[Node], out: &mut BTreeSet<String>) -> bool {
        let mut includes = false;
        for node in nodes {
            match node {
                Node::Set(_, s) => {
                    out.insert(s.key.clone());
                }
                Node::Include(..) => includes = true,
                Node::Forloop(_, f, _) => {
                    out.insert(f.value.clone());
                    out.extend(f.key.clone());
                    includes |= walk(&f.body, out);
                    includes |= walk(f.empty_body.as_deref().unwrap_or_default(), out);
                }
                Node::If(i, _) => {
                    for (_, _, body) in &i.conditions {
                        includes |= walk(body, out);
                    }
                    if let Some((_, body)) = &i.otherwise {
                        includes |= walk(body, out);
                    }
                }
                Node::Block(_, b, _) => includes |= walk(&b.body, out),
                Node::FilterSection(_, f, _) => includes |= walk(&f.body, out),
                Node::MacroDefinition(_, m, _) if walk(&m.body, out) => {
                    out.extend(m.args.keys().cloned());
                }
                _ => {}
            }
        }
        includes
    }
    let mut out = BTreeSet::new();
    for t in tera.templates.values() {
        walk(&t.ast, &mut out);
        for m in t.macros.values() {
            if walk(&m.body, &mut out) {
                out.extend(m.args.keys().cloned());
            }
        }
        for block in t.blocks.values() {
            walk(&block.body, &mut out);
        }
    }
    out
}

struct Folder<'c> {
    constants: Vec<(&'c str, &'c Value)>,
    escape: fn(&str) -> String,
}

impl Folder<'_> {
    /// The literal for the value at `path` (`t.skip`), when it is a
    /// constant string or boolean.
    fn literal(&self, path: &str) -> Option<ExprVal> {
        let mut segments = path.split('.');
        let root = segments.next()?;
        let mut value = self.constants.iter().find(|(name, _)| *name == root)?.1;
        for segment in segments {
            if segment.is_empty()
                || !segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return None;
            }
            value = value.as_object()?.get(segment)?;
        }
        match value {
            Value::String(s) => Some(ExprVal::String(s.clone())),
            Value::Bool(b) => Some(ExprVal::Bool(*b)),
            _ => None,
        }
    }

    fn nodes(&self, nodes: &mut Vec<Node>) {
        for node in nodes.iter_mut() {
            match node {
                Node::VariableBlock(_, e) => {
                    self.expr(e, false);
                    if let (ExprVal::String(s), false, true) =
                        (&e.val, e.negated, e.filters.is_empty())
                    {
                        *node = Node::Text((self.escape)(s));
                    }
                }
                Node::If(i, _) => {
                    for (_, condition, body) in &mut i.conditions {
                        self.expr(condition, true);
                        self.nodes(body);
                    }
                    if let Some((_, body)) = &mut i.otherwise {
                        self.nodes(body);
                    }
                }
                Node::Forloop(_, f, _) => {
                    self.expr(&mut f.container, false);
                    self.nodes(&mut f.body);
                    if let Some(body) = &mut f.empty_body {
                        self.nodes(body);
                    }
                }
                Node::Block(_, b, _) => self.nodes(&mut b.body),
                Node::FilterSection(_, f, _) => {
                    self.call(&mut f.filter);
                    self.nodes(&mut f.body);
                }
                Node::Set(_, s) => self.expr(&mut s.value, false),
                // A macro sees its arguments before the context.
                _ => {}
            }
        }
        // Texts side by side (a value folded between two) as one: one
        // node fewer to walk per fold on every render.
        nodes.dedup_by(|next, before| match (before, next) {
            (Node::Text(before), Node::Text(next)) => {
                before.push_str(next);
                true
            }
            _ => false,
        });
    }

    fn args(&self, args: &mut tera::ast::Args<Expr>) {
        for arg in args.values_mut() {
            self.expr(arg, false);
        }
    }

    fn call(&self, call: &mut FunctionCall) {
        self.args(&mut call.args);
    }

    /// Folds `e`; `condition` when Tera takes it as a truth value (an `if`,
    /// either side of `and`/`or`), where it ignores the filters of a
    /// literal, so a filtered lookup is left as it is.
    fn expr(&self, e: &mut Expr, condition: bool) {
        for filter in &mut e.filters {
            self.call(filter);
        }
        match &mut e.val {
            ExprVal::Ident(path) => {
                if (!condition || e.filters.is_empty())
                    && let Some(literal) = self.literal(path)
                {
                    e.val = literal;
                }
            }
            ExprVal::Logic(l) => match l.operator {
                LogicOperator::And | LogicOperator::Or => {
                    self.expr(&mut l.lhs, true);
                    self.expr(&mut l.rhs, true);
                }
                LogicOperator::Eq | LogicOperator::NotEq => {
                    self.expr(&mut l.lhs, false);
                    self.expr(&mut l.rhs, false);
                }
                // Compared as numbers: a literal fails differently.
                _ => {}
            },
            ExprVal::Test(t) => {
                for arg in &mut t.args {
                    self.expr(arg, false);
                }
            }
            ExprVal::MacroCall(m) => self.args(&mut m.args),
            ExprVal::FunctionCall(f) => self.call(f),
            ExprVal::Array(items) => {
                for item in items {
                    self.expr(item, false);
                }
            }
            ExprVal::StringConcat(c) => {
                for value in &mut c.values {
                    if let ExprVal::Ident(path) = value
                        && let Some(literal @ ExprVal::String(_)) = self.literal(path)
                    {
                        *value = literal;
                    }
                }
            }
            ExprVal::In(i) => {
                self.expr(&mut i.lhs, false);
                self.expr(&mut i.rhs, false);
            }
            // Numbers (arithmetic operands stay lookups), literals.
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(crate::render::theme::escape_html);
        tera.set_escape_check(crate::render::theme::needs_escape);
        tera.add_raw_templates(templates.to_vec()).unwrap();
        tera
    }

    fn context() -> Context {
        let mut cx = Context::new();
        cx.insert(
            "t",
            &json!({"a": "A & <b>", "empty": "", "n": 3, "upper": "x", "list": ["p"]}),
        );
        cx.insert(
            "site",
            &json!({"title": "Site \"1\"", "has": {"yes": true, "no": false}, "base_url": null}),
        );
        cx.insert("page", &json!({"title": "P"}));
        cx.insert("search_strings", "{\"k\":\"v & 'w'\"}");
        cx.insert("root", "../../");
        cx.insert("lang", "pt");
        cx
    }

    /// Renders every template with and without specialising: the same
    /// text, or both an error.
    fn same(templates: &[(&str, &str)]) -> Tera {
        let tera = tera(templates);
        let cx = context();
        let special = specialize(&tera, &cx, crate::render::theme::escape_html);
        for (name, _) in templates {
            let plain = tera.render(name, &cx).map_err(|e| format!("{e:?}"));
            let fast = special.render(name, &cx).map_err(|e| format!("{e:?}"));
            match (&plain, &fast) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{name}"),
                (Err(_), Err(_)) => {}
                _ => panic!("{name}: {plain:?} vs {fast:?}"),
            }
        }
        special
    }

    fn texts(tera: &Tera, name: &str) -> usize {
        tera.templates[name]
            .ast
            .iter()
            .filter(|n| matches!(n, Node::Text(_)))
            .count()
    }

    /// Tera patch 19: a macro called alone (or with `safe`) writes into the
    /// page; its output is the same as when it was made into a string
    /// first, which a filter, a `set` or a test still do.
    #[test]
    fn a_macro_s_output_is_written_as_it_is_wherever_it_is_called() {
        let tera = tera(&[
            (
                "m.html",
                "{% macro greet(who) %}<b>{{ who }}</b>{% endmacro greet %}\
                 {% macro outer(x) %}[{{ self::greet(who=x) }}]{% endmacro outer %}",
            ),
            (
                "t.html",
                "{% import \"m.html\" as m %}{{ m::greet(who=\"A & B\") }}|\
                 {{ m::greet(who=\"x\") | safe }}|{{ m::greet(who=\"y\") | upper }}|\
                 {{ m::outer(x=\"<z>\") }}|{% set s = m::greet(who=\"s\") %}{{ s }}|\
                 {% if m::greet(who=\"q\") %}yes{% endif %}|{% for i in [1, 2] %}{{ m::greet(who=i) }}{% endfor %}",
            ),
        ]);
        assert_eq!(
            tera.render("t.html", &Context::new()).unwrap(),
            "<b>A &amp; B</b>|<b>x</b>|&lt;B&gt;Y&lt;/B&gt;|[<b>&lt;z&gt;</b>]|&lt;b&gt;s&lt;/b&gt;|yes|<b>1</b><b>2</b>"
        );
    }

    #[test]
    fn constants_render_the_same_bytes() {
        let special = same(&[
            (
                "plain.html",
                "{{ t.a }}|{{ site.title }}|{{ t.a | upper }}|{{ t.a | safe }}|{{ page.title }}",
            ),
            (
                "cond.html",
                "{% if site.has.yes %}y{% endif %}{% if not site.has.no %}n{% endif %}{% if t.empty %}e{% else %}E{% endif %}{% if t.a and site.has.yes or site.has.no %}ao{% endif %}{% if t.a == \"A & <b>\" %}eq{% endif %}{% if t.a != page.title %}ne{% endif %}{% if t.empty | length %}L{% endif %}{% if t.a | replace(from=\"A & <b>\", to=\"\") %}R{% endif %}",
            ),
            (
                "concat.html",
                "{{ t.a ~ \"-\" ~ site.title }}{{ \"x\" ~ t.n }}",
            ),
            (
                "in.html",
                "{% if \"A\" in t.a %}in{% endif %}{% if t.upper in t.list %}l{% endif %}",
            ),
            ("math.html", "{{ t.n + 1 }}{% if t.n > 2 %}gt{% endif %}"),
            (
                "args.html",
                "{{ t.a | replace(from=\"A\", to=t.upper) }}{{ site.base_url | default(value=site.title) }}",
            ),
            ("missing.html", "{{ t.nope }}"),
            (
                "missing_if.html",
                "{% if t.nope %}x{% else %}no{% endif %}{% if site.has.nope %}x{% endif %}",
            ),
            (
                "macro.html",
                "{% macro m(t) %}{{ t.a }}{% endmacro m %}{{ self::m(t=page) }}|{{ self::m(t=t) }}",
            ),
            (
                "base.html",
                "<title>{% block title %}{{ site.title }}{% endblock title %}</title>{% block body %}{% endblock body %}",
            ),
            (
                "child.html",
                "{% extends \"base.html\" %}{% block body %}{{ t.a }}{{ super() }}{% endblock body %}",
            ),
            (
                "loop.html",
                "{% for x in [1, 2] %}{{ t.a }}{{ loop.index }}{% endfor %}",
            ),
            (
                "root.html",
                "<p data-s='{{ search_strings }}'>{% if search_strings %}y{% endif %}{{ search_strings | length }}</p>",
            ),
            ("object.html", "{{ site }}"),
            (
                "depth.html",
                "{% macro link(root, to) %}<a href=\"{{ root }}{{ to }}\">{% endmacro link %}<html lang=\"{{ lang }}\"><a href=\"{{ root }}index.html\">{{ self::link(root=root, to=\"x/\") }}{% for x in [1] %}{{ root }}{{ x }}{% endfor %}{{ t.a | replace(from=\"A\", to=lang) }}",
            ),
        ]);
        // The plain lookups became text, merged with the texts around
        // them: `{{ t.a }}|{{ site.title }}|` is one text, then two
        // filtered values and `page.title` with a text between each.
        assert_eq!(texts(&special, "plain.html"), 3);
        // A constant that is a string itself, too (escaped once, here):
        // one text up to the `if`, and the closing tag.
        assert_eq!(texts(&special, "root.html"), 2);
        assert_eq!(texts(&special, "object.html"), 0);
        // `root` and `lang`, where the context has them: after the macro's
        // definition, one text up to the macro call.
        let depth = &special.templates["depth.html"].ast;
        assert!(
            matches!(&depth[1..3], [Node::Text(t), Node::VariableBlock(..)] if t == "<html lang=\"pt\"><a href=\"../../index.html\">"),
            "{depth:?}"
        );
    }

    /// The texts in the body of macro `name` of template `file`.
    fn macro_texts(tera: &Tera, file: &str, name: &str) -> usize {
        tera.templates[file].macros[name]
            .body
            .iter()
            .filter(|n| matches!(n, Node::Text(_)))
            .count()
    }

    #[test]
    fn macro_arguments_every_call_names_as_themselves_fold_in_the_macro() {
        let macros = "{% macro all(t, root, x) %}{{ t.a }}|{{ root }}|{{ x }}{% endmacro all %}\
            {% macro some(t, root) %}{{ t.a }}|{{ root }}{% endmacro some %}\
            {% macro nested(t) %}{{ t.a }}{% endmacro nested %}\
            {% macro outer(t) %}{{ self::nested(t=t) }}{% endmacro outer %}\
            {% macro defaulted(t, root=\"r/\") %}{{ t.a }}|{{ root }}{% endmacro defaulted %}\
            {% macro bare(x) %}{{ t.a }}{% endmacro bare %}";
        let special = same(&[
            ("m.html", macros),
            (
                "one.html",
                "{% import \"m.html\" as m %}{{ m::all(t=t, root=root, x=1) }}{{ m::some(t=t, root=root) }}{{ m::outer(t=t) }}{{ m::defaulted(t=t) }}",
            ),
            (
                "three.html",
                "{% import \"m.html\" as m %}{{ m::bare(x=1) }}",
            ),
            (
                "two.html",
                "{% import \"m.html\" as m %}{% for p in [1] %}{{ m::all(t=t, root=root, x=2) }}{% endfor %}{{ m::some(t=page, root=root) }}{{ m::defaulted(t=t, root=root) }}",
            ),
        ]);
        let one = special.render("one.html", &context()).unwrap();
        assert!(one.contains("|../../|1"), "{one}");
        // `all`: both fold, into one text up to `x`.
        assert!(matches!(
            &special.templates["m.html"].macros["all"].body[..],
            [Node::Text(t), Node::VariableBlock(..)] if t == "A &amp; &lt;b&gt;|../../|"
        ));
        // `some`: `t` is `page` in one call; `root` folds.
        assert_eq!(macro_texts(&special, "m.html", "some"), 1);
        assert!(matches!(
            special.templates["m.html"].macros["some"].body[0],
            Node::VariableBlock(..)
        ));
        // Called from a macro: left alone, as is a default and a name that
        // is no argument (an error either way).
        assert_eq!(macro_texts(&special, "m.html", "nested"), 0);
        assert!(matches!(
            special.templates["m.html"].macros["defaulted"].body[..],
            [Node::Text(_), Node::VariableBlock(..)]
        ));
        assert_eq!(macro_texts(&special, "m.html", "bare"), 0);
    }

    #[test]
    fn names_a_template_binds_are_left_alone() {
        for binding in [
            "{% set t = page %}",
            "{% set_global site = page %}",
            "{% for t in [page] %}{% endfor %}",
            "{% for k, site in page %}{% endfor %}",
        ] {
            let special = same(&[
                ("a.html", "{{ t.a }}{{ site.title }}"),
                ("b.html", &format!("{binding}{{{{ t.a }}}}")),
            ]);
            let folded = texts(&special, "a.html");
            assert!(folded <= 1, "{binding}: {folded}");
        }
        // An included template sees the loop variable and a macro's argument.
        same(&[
            ("inc.html", "{{ t.title }}"),
            (
                "loop.html",
                "{% for t in [page] %}{% include \"inc.html\" %}{% endfor %}",
            ),
            (
                "macro.html",
                "{% macro m(t) %}{% include \"inc.html\" %}{% endmacro m %}{{ self::m(t=page) }}",
            ),
        ]);
    }
}
