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
//! and so are macro bodies (a macro sees its own arguments first). Values
//! replace lookups only where Tera treats a literal exactly like a looked-up
//! value (not in arithmetic or `<`/`>` comparisons, nor filtered values in
//! conditions), and only strings and booleans, never a missing key (which
//! stays an error).

use std::collections::BTreeSet;

use tera::ast::{Expr, ExprVal, FunctionCall, LogicOperator, Node};
use tera::{Context, Tera, Value};

/// The context variables that are the same for every page in a language
/// (`search_strings` is a kilobyte of JSON in an attribute of every page's
/// search box: escaped once here rather than on every page), and those the
/// same for every page at one depth in a language (`root`, `lang`: some 40
/// lookups of a story page), folded when `cx` has them.
const CONSTANT: [&str; 5] = ["t", "site", "search_strings", "root", "lang"];

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
    }
    out
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
