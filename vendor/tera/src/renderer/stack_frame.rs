use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use crate::context::{dotted_pointer, segments_pointer};
use crate::parser::ast::Segments;
use crate::renderer::for_loop::ForLoop;
use crate::template::Template;

pub type Val<'a> = Cow<'a, Value>;
/// Campfire patch: Fx-hashed (keys are a template's own names; SipHash's
/// resistance to chosen keys buys nothing here, and it was a share of every
/// macro call and lookup).
pub type FrameContext<'a> = rustc_hash::FxHashMap<&'a str, Val<'a>>;

/// Campfire patch: a variable's name split at its first dot (`page` and
/// `title` of `page.title`), once per lookup.
pub struct Path<'k> {
    pub key: &'k str,
    pub head: &'k str,
    /// After the first dot; `None` without one.
    pub tail: Option<&'k str>,
}

impl<'k> Path<'k> {
    pub fn new(key: &'k str) -> Path<'k> {
        // A byte loop: names are short, and `str::find` sets up a searcher.
        match key.bytes().position(|b| b == b'.') {
            Some(dot) => Path { key, head: &key[..dot], tail: Some(&key[dot + 1..]) },
            None => Path { key, head: key, tail: None },
        }
    }
}

/// Gets a value within a value by pointer, keeping lifetime
#[inline]
pub fn value_by_pointer<'a>(pointer: &str, val: &Val<'a>) -> Option<Val<'a>> {
    match *val {
        Cow::Borrowed(r) => dotted_pointer(r, pointer).map(Cow::Borrowed),
        Cow::Owned(ref r) => dotted_pointer(r, pointer).map(|found| Cow::Owned(found.clone())),
    }
}

/// Campfire patch: [`value_by_pointer`] of a plain path's segments (split
/// at parse time, see `crate::parser::ast::Ident`).
#[inline]
pub fn value_by_segments<'a>(segments: Segments<'_>, val: &Val<'a>) -> Option<Val<'a>> {
    match *val {
        Cow::Borrowed(r) => segments_pointer(r, segments).map(Cow::Borrowed),
        Cow::Owned(ref r) => segments_pointer(r, segments).map(|found| Cow::Owned(found.clone())),
    }
}

/// Enumerates the types of stack frames
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FrameType {
    /// Original frame
    Origin,
    /// New frame for macro call
    Macro,
    /// New frame for for loop
    ForLoop,
    /// Include template
    Include,
}

/// Entry in the stack frame
#[derive(Debug)]
pub struct StackFrame<'a> {
    /// Type of stack frame
    pub kind: FrameType,
    /// Frame name for context/debugging
    pub name: &'a str,
    /// Assigned value (via {% set ... %}, {% for ... %}, {% namespace::macro(a=a, b=b) %})
    ///
    /// - {% set ... %} adds to current frame_context
    /// - {% for ... %} builds frame_context before iteration
    /// - {% namespace::macro(a=a, b=b)} builds frame_context before invocation
    context: FrameContext<'a>,
    /// Active template for frame
    pub active_template: &'a Template,
    /// `ForLoop` if frame is for a for loop
    pub for_loop: Option<ForLoop<'a>>,
    /// Macro namespace if MacroFrame
    pub macro_namespace: Option<&'a str>,
}

impl<'a> StackFrame<'a> {
    pub fn new(kind: FrameType, name: &'a str, tpl: &'a Template) -> Self {
        StackFrame {
            kind,
            name,
            context: FrameContext::default(),
            active_template: tpl,
            for_loop: None,
            macro_namespace: None,
        }
    }

    pub fn new_for_loop(name: &'a str, tpl: &'a Template, for_loop: ForLoop<'a>) -> Self {
        StackFrame {
            kind: FrameType::ForLoop,
            name,
            context: FrameContext::default(),
            active_template: tpl,
            for_loop: Some(for_loop),
            macro_namespace: None,
        }
    }

    pub fn new_macro(
        name: &'a str,
        tpl: &'a Template,
        macro_namespace: &'a str,
        context: FrameContext<'a>,
    ) -> Self {
        StackFrame {
            kind: FrameType::Macro,
            name,
            context,
            active_template: tpl,
            for_loop: None,
            macro_namespace: Some(macro_namespace),
        }
    }

    pub fn new_include(name: &'a str, tpl: &'a Template) -> Self {
        StackFrame {
            kind: FrameType::Include,
            name,
            context: FrameContext::default(),
            active_template: tpl,
            for_loop: None,
            macro_namespace: None,
        }
    }

    /// Finds a value in the stack frame.
    /// Looks first in `frame_context`, then compares to for_loop key_name and value_name.
    ///
    /// Campfire patch: the key comes split at its first dot, once per
    /// lookup by the caller, rather than split again in every frame asked
    /// and twice in each (a page makes some ten thousand lookups).
    pub fn find_path(&self, path: &Path<'_>) -> Option<Val<'a>> {
        self.find_path_in_frame(path).or_else(|| self.find_path_in_for_loop(path))
    }

    /// Finds a value in `frame_context`.
    fn find_path_in_frame(&self, path: &Path<'_>) -> Option<Val<'a>> {
        match path.tail {
            Some(tail) => {
                if let Some(found_value) =
                    self.context.get(path.head).map(|v| value_by_pointer(tail, v))
                {
                    return found_value;
                }
            }
            None => {
                if let Some(found) = self.context.get(path.key) {
                    return Some(found.clone());
                }
            }
        }

        None
    }
    /// Finds a value in the `for_loop` if there is one
    fn find_path_in_for_loop(&self, path: &Path<'_>) -> Option<Val<'a>> {
        let key = path.key;
        if let Some(ref for_loop) = self.for_loop {
            // 1st case: the variable is the key of a KeyValue for loop
            if for_loop.is_key(key) {
                return Some(Cow::Owned(Value::String(for_loop.get_current_key())));
            }

            let (real_key, tail) = (path.head, path.tail.unwrap_or(""));

            // 2nd case: one of Tera loop built-in variable
            if real_key == "loop" {
                match tail {
                    "index" => {
                        return Some(Cow::Owned(Value::Number((for_loop.current + 1).into())));
                    }
                    "index0" => {
                        return Some(Cow::Owned(Value::Number(for_loop.current.into())));
                    }
                    "first" => {
                        return Some(Cow::Owned(Value::Bool(for_loop.current == 0)));
                    }
                    "last" => {
                        return Some(Cow::Owned(Value::Bool(
                            for_loop.current == for_loop.len() - 1,
                        )));
                    }
                    _ => return None,
                };
            }

            // Last case: the variable is/starts with the value name of the for loop
            // The `set` case will have been taken into account before

            // Exact match to the loop value and no tail
            if key == for_loop.value_name {
                return Some(for_loop.get_current_value());
            }

            if real_key == for_loop.value_name && !tail.is_empty() {
                return value_by_pointer(tail, &for_loop.get_current_value());
            }
        }

        None
    }

    /// Campfire patch: [`StackFrame::find_path`] of a plain name split at
    /// parse time (`head`, then the other segments): the same answer, in
    /// the same order (the frame's variables, the loop's key, `loop.*`,
    /// the loop's value), without splitting or scanning the name.
    pub fn find_plain(&self, head: &str, tail: &Segments<'_>) -> Option<Val<'a>> {
        if !self.context.is_empty() {
            if tail.is_empty() {
                if let Some(found) = self.context.get(head) {
                    return Some(found.clone());
                }
            } else if let Some(v) = self.context.get(head) {
                if let found @ Some(_) = value_by_segments(tail.clone(), v) {
                    return found;
                }
            }
        }
        let for_loop = self.for_loop.as_ref()?;
        // The key of a key-value loop: the whole name.
        if tail.is_empty() && for_loop.is_key(head) {
            return Some(Cow::Owned(Value::String(for_loop.get_current_key())));
        }
        if head == "loop" {
            return match tail.joined() {
                "index" => Some(Cow::Owned(Value::Number((for_loop.current + 1).into()))),
                "index0" => Some(Cow::Owned(Value::Number(for_loop.current.into()))),
                "first" => Some(Cow::Owned(Value::Bool(for_loop.current == 0))),
                "last" => Some(Cow::Owned(Value::Bool(for_loop.current == for_loop.len() - 1))),
                _ => None,
            };
        }
        if head == for_loop.value_name {
            let value = for_loop.get_current_value();
            return if tail.is_empty() {
                Some(value)
            } else {
                value_by_segments(tail.clone(), &value)
            };
        }
        None
    }

    /// Insert a value in the context
    pub fn insert(&mut self, key: &'a str, value: Val<'a>) {
        self.context.insert(key, value);
    }

    /// Context is cleared on each loop
    pub fn clear_context(&mut self) {
        if self.for_loop.is_some() {
            self.context.clear();
        }
    }

    pub fn context_owned(&self) -> HashMap<String, Value> {
        let mut context = HashMap::new();

        for (key, val) in &self.context {
            context.insert((*key).to_string(), val.clone().into_owned());
        }

        context
    }
}
