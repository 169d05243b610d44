/// Campfire patch: the arguments of a call or macro, by name, Fx-hashed
/// (looked up at every call; the names are the template's own).
pub type Args<V> = rustc_hash::FxHashMap<String, V>;
use std::fmt;

/// Whether to remove the whitespace of a `{% %}` tag
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct WS {
    /// `true` if the tag is `{%-`
    pub left: bool,
    /// `true` if the tag is `-%}`
    pub right: bool,
}

/// All math operators
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum MathOperator {
    /// +
    Add,
    /// -
    Sub,
    /// *
    Mul,
    /// /
    Div,
    /// %
    Modulo,
}

impl fmt::Display for MathOperator {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}",
            match *self {
                MathOperator::Add => "+",
                MathOperator::Sub => "-",
                MathOperator::Mul => "*",
                MathOperator::Div => "/",
                MathOperator::Modulo => "%",
            }
        )
    }
}

/// All logic operators
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum LogicOperator {
    /// >
    Gt,
    /// >=
    Gte,
    /// <
    Lt,
    /// <=
    Lte,
    /// ==
    Eq,
    /// !=
    NotEq,
    /// and
    And,
    /// or
    Or,
}

impl fmt::Display for LogicOperator {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}",
            match *self {
                LogicOperator::Gt => ">",
                LogicOperator::Gte => ">=",
                LogicOperator::Lt => "<",
                LogicOperator::Lte => "<=",
                LogicOperator::Eq => "==",
                LogicOperator::NotEq => "!=",
                LogicOperator::And => "and",
                LogicOperator::Or => "or",
            }
        )
    }
}

/// A function call, can be a filter or a global function
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionCall {
    /// The name of the function
    pub name: String,
    /// The args of the function: key -> value
    pub args: Args<Expr>,
}

/// A mathematical expression
#[derive(Clone, Debug, PartialEq)]
pub struct MathExpr {
    /// The left hand side of the expression
    pub lhs: Box<Expr>,
    /// The right hand side of the expression
    pub rhs: Box<Expr>,
    /// The operator used
    pub operator: MathOperator,
}

/// A logical expression
#[derive(Clone, Debug, PartialEq)]
pub struct LogicExpr {
    /// The left hand side of the expression
    pub lhs: Box<Expr>,
    /// The right hand side of the expression
    pub rhs: Box<Expr>,
    /// The operator used
    pub operator: LogicOperator,
}

/// Can only be a combination of string + ident or ident + ident
#[derive(Clone, Debug, PartialEq)]
pub struct StringConcat {
    /// All the values we're concatening into a string
    pub values: Vec<ExprVal>,
}

impl StringConcat {
    pub(crate) fn to_template_string(&self) -> String {
        let mut res = Vec::new();
        for value in &self.values {
            match value {
                ExprVal::String(ref s) => res.push(format!("'{}'", s)),
                ExprVal::Ident(ref s) => res.push(s.to_string()),
                _ => res.push("unknown".to_string()),
            }
        }

        res.join(" ~ ")
    }
}

/// Something that checks whether the left side is contained in the right side
#[derive(Clone, Debug, PartialEq)]
pub struct In {
    /// The needle, a string or a basic expression/literal
    pub lhs: Box<Expr>,
    /// The haystack, can be a string, an array or an ident only currently
    pub rhs: Box<Expr>,
    /// Is it using `not` as in `b` not in `...`?
    pub negated: bool,
}

/// Campfire patch: a variable's name (`page.title`, `x.href`, `items`), with
/// its path split at its dots once, when the template is parsed. A lookup
/// scanned and split the name on every evaluation (for `[`, for quotes and
/// escapes, at its first dot, then at every dot), some ten thousand times a
/// page. It reads as the name (`Deref<Target = str>`, `Display`); a name
/// that is not plain (brackets, quotes, escapes, empty segments, Tera's
/// `__tera_context`) keeps no split and is looked up as before.
#[derive(Clone, PartialEq)]
pub struct Ident {
    name: String,
    /// Where the first segment ends (`page` of `page.title`), and the byte
    /// ranges of the others; `None` when the name is not plain.
    split: Option<(usize, Box<[(u32, u32)]>)>,
}

impl Ident {
    /// The name as written in the template.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The first segment and the others, for a plain name.
    pub(crate) fn plain(&self) -> Option<(&str, Segments<'_>)> {
        self.split.as_ref().map(|(head, tail)| {
            (&self.name[..*head], Segments { name: &self.name, ranges: tail.iter() })
        })
    }

    /// Whether `name` is split: only characters that Tera's dotted pointer
    /// reads as plain (no quotes, brackets, backslashes, `~` escapes), no
    /// empty segment, and not the variable that dumps the context.
    fn split(name: &str) -> Option<(usize, Box<[(u32, u32)]>)> {
        if name.is_empty()
            || name == "__tera_context"
            || name.len() > u32::MAX as usize
            || name.bytes().any(|b| matches!(b, b'"' | b'\'' | b'\\' | b'[' | b']' | b'~'))
        {
            return None;
        }
        let mut ranges = Vec::new();
        let mut start = 0;
        for segment in name.split('.') {
            if segment.is_empty() {
                return None;
            }
            ranges.push((start as u32, (start + segment.len()) as u32));
            start += segment.len() + 1;
        }
        let head = ranges[0].1 as usize;
        Some((head, ranges[1..].into()))
    }
}

/// Campfire patch: the segments after the first of a plain [`Ident`].
#[derive(Clone)]
pub(crate) struct Segments<'i> {
    name: &'i str,
    ranges: std::slice::Iter<'i, (u32, u32)>,
}

impl<'i> Segments<'i> {
    /// Whether there is no segment after the first.
    pub(crate) fn is_empty(&self) -> bool {
        self.ranges.len() == 0
    }

    /// The rest of the name after the first dot, as one string (`""` when
    /// there is none).
    pub(crate) fn joined(&self) -> &'i str {
        match (self.ranges.as_slice().first(), self.ranges.as_slice().last()) {
            (Some(first), Some(last)) => &self.name[first.0 as usize..last.1 as usize],
            _ => "",
        }
    }
}

impl<'i> Iterator for Segments<'i> {
    type Item = &'i str;

    fn next(&mut self) -> Option<&'i str> {
        self.ranges.next().map(|&(start, end)| &self.name[start as usize..end as usize])
    }
}

impl From<String> for Ident {
    fn from(name: String) -> Ident {
        let split = Ident::split(&name);
        Ident { name, split }
    }
}

impl From<&str> for Ident {
    fn from(name: &str) -> Ident {
        Ident::from(name.to_string())
    }
}

impl std::ops::Deref for Ident {
    type Target = str;

    fn deref(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(&self.name, f)
    }
}

/// As the name's `String` was.
impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(&self.name, f)
    }
}

/// An expression is the node found in variable block, kwargs and conditions.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum ExprVal {
    String(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Campfire patch: an [`Ident`], a `String` before (see its doc).
    Ident(Ident),
    Math(MathExpr),
    Logic(LogicExpr),
    Test(Test),
    MacroCall(MacroCall),
    FunctionCall(FunctionCall),
    // A vec of Expr, not ExprVal since filters are allowed
    // on values inside arrays
    Array(Vec<Expr>),
    StringConcat(StringConcat),
    In(In),
}

/// An expression is a value that can be negated and followed by
/// optional filters
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// The expression we are evaluating
    pub val: ExprVal,
    /// Is it using `not`?
    pub negated: bool,
    /// List of filters used on that value
    pub filters: Vec<FunctionCall>,
}

impl Expr {
    /// Create a new basic Expr
    pub fn new(val: ExprVal) -> Expr {
        Expr { val, negated: false, filters: vec![] }
    }

    /// Create a new negated Expr
    pub fn new_negated(val: ExprVal) -> Expr {
        Expr { val, negated: true, filters: vec![] }
    }

    /// Create a new basic Expr with some filters
    pub fn with_filters(val: ExprVal, filters: Vec<FunctionCall>) -> Expr {
        Expr { val, filters, negated: false }
    }

    /// Check if the expr has a default filter as first filter
    pub fn has_default_filter(&self) -> bool {
        if self.filters.is_empty() {
            return false;
        }

        self.filters[0].name == "default"
    }

    /// Check if the last filter is `safe`
    pub fn is_marked_safe(&self) -> bool {
        if self.filters.is_empty() {
            return false;
        }

        self.filters[self.filters.len() - 1].name == "safe"
    }
}

/// A test node `if my_var is odd`
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// Which variable is evaluated
    pub ident: String,
    /// Is it using `not`?
    pub negated: bool,
    /// Name of the test
    pub name: String,
    /// Any optional arg given to the test
    pub args: Vec<Expr>,
}

/// A filter section node `{{ filter name(param="value") }} content {{ endfilter }}`
#[derive(Clone, Debug, PartialEq)]
pub struct FilterSection {
    /// The filter call itsel
    pub filter: FunctionCall,
    /// The filter body
    pub body: Vec<Node>,
}

/// Set a variable in the context `{% set val = "hey" %}`
#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    /// The name for that value in the context
    pub key: String,
    /// The value to assign
    pub value: Expr,
    /// Whether we want to set the variable globally or locally
    /// global_set is only useful in loops
    pub global: bool,
}

/// A call to a namespaced macro `macros::my_macro()`
#[derive(Clone, Debug, PartialEq)]
pub struct MacroCall {
    /// The namespace we're looking for that macro in
    pub namespace: String,
    /// The macro name
    pub name: String,
    /// The args for that macro: name -> value
    pub args: Args<Expr>,
}

/// A Macro definition
#[derive(Clone, Debug, PartialEq)]
pub struct MacroDefinition {
    /// The macro name
    pub name: String,
    /// The args for that macro: name -> optional default value
    pub args: Args<Option<Expr>>,
    /// The macro content
    pub body: Vec<Node>,
}

/// A block definition
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    /// The block name
    pub name: String,
    /// The block content
    pub body: Vec<Node>,
}

/// A forloop: can be over values or key/values
#[derive(Clone, Debug, PartialEq)]
pub struct Forloop {
    /// Name of the key in the loop (only when iterating on map-like objects)
    pub key: Option<String>,
    /// Name of the local variable for the value in the loop
    pub value: String,
    /// Expression being iterated on
    pub container: Expr,
    /// What's in the forloop itself
    pub body: Vec<Node>,
    /// The body to execute in case of an empty object
    pub empty_body: Option<Vec<Node>>,
}

/// An if/elif/else condition with their respective body
#[derive(Clone, Debug, PartialEq)]
pub struct If {
    /// First item if the if, all the ones after are elif
    pub conditions: Vec<(WS, Expr, Vec<Node>)>,
    /// The optional `else` block
    pub otherwise: Option<(WS, Vec<Node>)>,
}

/// All Tera nodes that can be encountered
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A call to `{{ super() }}` in a block
    Super,

    /// Some actual text
    Text(String),
    /// A `{{ }}` block
    VariableBlock(WS, Expr),
    /// A `{% macro hello() %}...{% endmacro %}`
    MacroDefinition(WS, MacroDefinition, WS),

    /// The `{% extends "blabla.html" %}` node, contains the template name
    Extends(WS, String),
    /// The `{% include "blabla.html" %}` node, contains the template name
    Include(WS, Vec<String>, bool),
    /// The `{% import "macros.html" as macros %}`
    ImportMacro(WS, String, String),
    /// The `{% set val = something %}` tag
    Set(WS, Set),

    /// The text between `{% raw %}` and `{% endraw %}`
    Raw(WS, String, WS),

    /// A filter section node `{{ filter name(param="value") }} content {{ endfilter }}`
    FilterSection(WS, FilterSection, WS),
    /// A `{% block name %}...{% endblock %}`
    Block(WS, Block, WS),
    /// A `{% for i in items %}...{% endfor %}`
    Forloop(WS, Forloop, WS),

    /// A if/elif/else block, WS for the if/elif/else is directly in the struct
    If(If, WS),

    /// The `{% break %}` tag
    Break(WS),
    /// The `{% continue %}` tag
    Continue(WS),

    /// The `{# #} `comment tag and its content
    Comment(WS, String),

    /// Campfire patch 15: a call of the `Tera`'s hook (`Tera::set_hook`)
    /// with this label; never parsed, only inserted into a parsed tree.
    Hook(String),
}

#[cfg(test)]
mod tests {
    use super::Ident;

    /// Campfire patch: a plain name is split at its dots; any other keeps
    /// no split, and every name reads as it was written.
    #[test]
    fn idents_are_split_when_plain() {
        let split = |name: &str| {
            let ident = Ident::from(name);
            assert_eq!(&*ident, name);
            assert_eq!(ident.to_string(), name);
            assert_eq!(format!("{:?}", ident), format!("{:?}", name));
            ident.plain().map(|(head, tail)| {
                let joined = tail.joined();
                let segments: Vec<String> = tail.map(str::to_string).collect();
                assert_eq!(joined, segments.join("."));
                (head.to_string(), segments)
            })
        };
        assert_eq!(split("root"), Some(("root".to_string(), Vec::<String>::new())));
        assert_eq!(split("page.title"), Some(("page".to_string(), vec!["title".to_string()])));
        assert_eq!(
            split("a.b.0.c"),
            Some(("a".to_string(), vec!["b".to_string(), "0".into(), "c".into()]))
        );
        for name in [
            "",
            "a..b",
            ".a",
            "a.",
            "a[0]",
            "a[b]",
            "a[\"b\"]",
            "a['b']",
            "a.\"b\"",
            "e~1f",
            "a\\.b",
            "__tera_context",
        ] {
            assert_eq!(split(name), None, "{name}");
        }
        assert_eq!(split("__tera_context.x").map(|(head, _)| head), Some("__tera_context".into()));
    }
}
