use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{to_value, Value};

use crate::context::{dotted_pointer, segments_pointer};
use crate::errors::{Error, Result};
use crate::parser::ast::Segments;
use crate::renderer::for_loop::{ForLoop, ForLoopState};
use crate::renderer::stack_frame::{FrameContext, FrameType, Path, StackFrame, Val};
use crate::template::Template;
use crate::Context;

/// Contains the user data and allows no mutation
#[derive(Debug)]
pub struct UserContext<'a> {
    /// Read-only context
    inner: &'a Context,
}

impl<'a> UserContext<'a> {
    /// Create an immutable user context to be used in the call stack
    pub fn new(context: &'a Context) -> Self {
        UserContext { inner: context }
    }

    pub fn find_value(&self, key: &str) -> Option<&'a Value> {
        self.inner.get(key)
    }

    pub fn find_value_by_dotted_pointer(&self, pointer: &str) -> Option<&'a Value> {
        // Campfire patch: no copies of the first segment unless it has an
        // escape (`~0`, `~1`) to undo; the same lookup otherwise.
        let first = pointer.split('.').next().unwrap();
        let root = if first.contains('~') {
            std::borrow::Cow::Owned(first.replace("~1", "/").replace("~0", "~"))
        } else {
            std::borrow::Cow::Borrowed(first)
        };
        let rest = &pointer[root.len() + 1..];
        self.inner.get(root.as_ref()).and_then(|val| dotted_pointer(val, rest))
    }
}

/// Contains the stack of frames
#[derive(Debug)]
pub struct CallStack<'a> {
    /// The stack of frames
    stack: Vec<StackFrame<'a>>,
    /// User supplied context for the render
    context: UserContext<'a>,
}

impl<'a> CallStack<'a> {
    /// Create the initial call stack
    pub fn new(context: &'a Context, template: &'a Template) -> CallStack<'a> {
        CallStack {
            stack: vec![StackFrame::new(FrameType::Origin, "ORIGIN", template)],
            context: UserContext::new(context),
        }
    }

    pub fn push_for_loop_frame(&mut self, name: &'a str, for_loop: ForLoop<'a>) {
        let tpl = self.stack.last().expect("Stack frame").active_template;
        self.stack.push(StackFrame::new_for_loop(name, tpl, for_loop));
    }

    pub fn push_macro_frame(
        &mut self,
        namespace: &'a str,
        name: &'a str,
        context: FrameContext<'a>,
        tpl: &'a Template,
    ) {
        self.stack.push(StackFrame::new_macro(name, tpl, namespace, context));
    }

    pub fn push_include_frame(&mut self, name: &'a str, tpl: &'a Template) {
        self.stack.push(StackFrame::new_include(name, tpl));
    }

    /// Returns mutable reference to global `StackFrame`
    /// i.e gets first stack outside current for loops
    pub fn global_frame_mut(&mut self) -> &mut StackFrame<'a> {
        if self.current_frame().kind == FrameType::ForLoop {
            for stack_frame in self.stack.iter_mut().rev() {
                // walk up the parent stacks until we meet the current template
                if stack_frame.kind != FrameType::ForLoop {
                    return stack_frame;
                }
            }
            unreachable!("Global frame not found when trying to break out of for loop");
        } else {
            // Macro, Origin, or Include
            self.current_frame_mut()
        }
    }

    /// Returns mutable reference to current `StackFrame`
    pub fn current_frame_mut(&mut self) -> &mut StackFrame<'a> {
        self.stack.last_mut().expect("No current frame exists")
    }

    /// Returns immutable reference to current `StackFrame`
    pub fn current_frame(&self) -> &StackFrame<'a> {
        self.stack.last().expect("No current frame exists")
    }

    /// Pop the last frame
    pub fn pop(&mut self) {
        self.stack.pop().expect("Mistakenly popped Origin frame");
    }

    pub fn lookup(&self, key: &str) -> Option<Val<'a>> {
        // Campfire patch: the key is split at its first dot once.
        let path = Path::new(key);
        for stack_frame in self.stack.iter().rev() {
            let found = stack_frame.find_path(&path);
            if found.is_some() {
                return found;
            }

            // If we looked in a macro or origin frame, no point continuing
            // Origin is the last one and macro frame don't have access to parent frames
            if stack_frame.kind == FrameType::Macro || stack_frame.kind == FrameType::Origin {
                break;
            }
        }

        // Not in stack frame, look in user supplied context
        if let Some(tail) = path.tail {
            if path.head.contains('~') {
                return self.context.find_value_by_dotted_pointer(key).map(Cow::Borrowed);
            }
            return self.context.find_value(path.head).and_then(|v| dotted_pointer(v, tail)).map(Cow::Borrowed);
        } else if let Some(value) = self.context.find_value(key) {
            return Some(Cow::Borrowed(value));
        }

        None
    }

    /// Campfire patch: [`CallStack::lookup`] of a plain name split when its
    /// template was parsed (`crate::parser::ast::Ident::plain`): the same
    /// frames asked in the same order, then the user's context, with no
    /// scan or split of the name per lookup.
    pub fn lookup_plain(&self, head: &str, tail: Segments<'_>) -> Option<Val<'a>> {
        for stack_frame in self.stack.iter().rev() {
            let found = stack_frame.find_plain(head, &tail);
            if found.is_some() {
                return found;
            }
            if stack_frame.kind == FrameType::Macro || stack_frame.kind == FrameType::Origin {
                break;
            }
        }
        let value = self.context.find_value(head)?;
        segments_pointer(value, tail).map(Cow::Borrowed)
    }

    /// Add an assignment value (via {% set ... %} and {% set_global ... %} )
    pub fn add_assignment(&mut self, key: &'a str, global: bool, value: Val<'a>) {
        if global {
            self.global_frame_mut().insert(key, value);
        } else {
            self.current_frame_mut().insert(key, value);
        }
    }

    /// Breaks current for loop
    pub fn break_for_loop(&mut self) -> Result<()> {
        match self.current_frame_mut().for_loop {
            Some(ref mut for_loop) => {
                for_loop.break_loop();
                Ok(())
            }
            None => Err(Error::msg("Attempted `break` while not in `for loop`")),
        }
    }

    /// Continues current for loop
    pub fn increment_for_loop(&mut self) -> Result<()> {
        let frame = self.current_frame_mut();
        frame.clear_context();
        match frame.for_loop {
            Some(ref mut for_loop) => {
                for_loop.increment();
                Ok(())
            }
            None => Err(Error::msg("Attempted `increment` while not in `for loop`")),
        }
    }

    /// Continues current for loop
    pub fn continue_for_loop(&mut self) -> Result<()> {
        match self.current_frame_mut().for_loop {
            Some(ref mut for_loop) => {
                for_loop.continue_loop();
                Ok(())
            }
            None => Err(Error::msg("Attempted `continue` while not in `for loop`")),
        }
    }

    /// True if should break body, applicable to `break` and `continue`
    pub fn should_break_body(&self) -> bool {
        match self.current_frame().for_loop {
            Some(ref for_loop) => {
                for_loop.state == ForLoopState::Break || for_loop.state == ForLoopState::Continue
            }
            None => false,
        }
    }

    /// True if should break loop, applicable to `break` only
    pub fn should_break_for_loop(&self) -> bool {
        match self.current_frame().for_loop {
            Some(ref for_loop) => for_loop.state == ForLoopState::Break,
            None => false,
        }
    }

    /// Grab the current frame template
    pub fn active_template(&self) -> &'a Template {
        self.current_frame().active_template
    }

    pub fn current_context_cloned(&self) -> Value {
        let mut context = HashMap::new();

        // Go back the stack in reverse to see what we have access to
        for frame in self.stack.iter().rev() {
            context.extend(frame.context_owned());
            if let Some(ref for_loop) = frame.for_loop {
                context.insert(
                    for_loop.value_name.to_string(),
                    for_loop.get_current_value().into_owned(),
                );
                if for_loop.is_key_value() {
                    context.insert(
                        for_loop.key_name.clone().unwrap(),
                        Value::String(for_loop.get_current_key()),
                    );
                }
            }
            // Macros don't have access to the user context, we're done
            if frame.kind == FrameType::Macro {
                return to_value(&context).unwrap();
            }
        }

        // If we are here we take the user context
        // and add the values found in the stack to it.
        // We do it this way as we can override global variable temporarily in forloops
        let mut new_ctx = self.context.inner.clone();
        for (key, val) in context {
            new_ctx.insert(key, &val)
        }
        new_ctx.into_json()
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use serde_json::{json, Value};

    use super::CallStack;
    use crate::parser::ast::Ident;
    use crate::renderer::for_loop::ForLoop;
    use crate::renderer::stack_frame::FrameContext;
    use crate::template::Template;
    use crate::Context;

    /// Campfire patch: a name split at parse time (`Ident::plain`) is looked
    /// up by `lookup_plain` to what `lookup` finds for its whole name; a
    /// name that is not plain keeps no split (and is looked up as before).
    /// Returns the answers, for the callers to check a few.
    fn same_answers<'a>(stack: &CallStack<'a>, names: &[&str]) -> Vec<(String, Option<Value>)> {
        let mut answers = vec![];
        for name in names {
            let ident = Ident::from(*name);
            let plain = !name.is_empty()
                && *name != "__tera_context"
                && !name.split('.').any(str::is_empty)
                && !name.contains(['"', '\'', '\\', '[', ']', '~']);
            assert_eq!(ident.plain().is_some(), plain, "{name}");
            let expected = stack.lookup(name);
            if let Some((head, tail)) = ident.plain() {
                assert_eq!(stack.lookup_plain(head, tail), expected, "{name}");
            }
            answers.push((name.to_string(), expected.map(Cow::into_owned)));
        }
        answers
    }

    fn answer(answers: &[(String, Option<Value>)], name: &str) -> Option<Value> {
        answers.iter().find(|(n, _)| n == name).unwrap().1.clone()
    }

    #[test]
    fn plain_lookups_find_what_whole_name_lookups_find() {
        let mut context = Context::new();
        context.insert(
            "page",
            &json!({"title": "T", "a.b": 1, "mentions": [{"href": "/a"}, {"href": "/b", "title": "B"}]}),
        );
        context.insert("root", "../");
        context.insert("x", "context x");
        context.insert("y", "context y");
        context.insert("list", &json!([10, 20, {"z": 3}]));
        context.insert("e/f", &json!({"g": "slash"}));
        context.insert("loop", &json!({"index": 99}));
        let template = Template::new("t", None, "").unwrap();
        let mentions = json!([{"href": "/a"}, {"href": "/b", "title": "B"}]);
        let object = json!({"one": {"deep": 1}, "two": {"deep": 2}});
        let macro_items = json!(["i"]);

        let names = [
            "page",
            "page.title",
            "page.missing",
            "page.mentions.1.href",
            "page.mentions.01.href",
            "page.mentions.+1.href",
            "page.mentions.2",
            "page.a.b",
            "page[\"title\"]",
            "page['title']",
            "page.\"a.b\"",
            "root",
            "x",
            "x.href",
            "x.title",
            "x.missing",
            "y",
            "y.z",
            "list.0",
            "list.2.z",
            "list.9",
            "loop",
            "loop.index",
            "loop.index0",
            "loop.first",
            "loop.last",
            "loop.other",
            "loop.index.x",
            "k",
            "k.x",
            "v",
            "v.deep",
            "items",
            "items.0",
            "label",
            "e~1f.g",
            "e~1f",
            "missing",
            "missing.a",
            "__tera_context",
        ];

        // The page: a `set` shadowing the context's `root`, then a loop
        // (with a `set` of its own), and a key-value loop inside it.
        let mut stack = CallStack::new(&context, &template);
        stack.add_assignment("root", false, Cow::Owned(json!("set root")));
        stack.push_for_loop_frame("x", ForLoop::from_array("x", Cow::Borrowed(&mentions)));
        stack.increment_for_loop().unwrap();
        stack.add_assignment("y", false, Cow::Owned(json!({"z": "loop y"})));
        stack.push_for_loop_frame("kv", ForLoop::from_object("k", "v", &object));
        let answers = same_answers(&stack, &names);
        assert_eq!(answer(&answers, "root"), Some(json!("set root")));
        assert_eq!(answer(&answers, "page.title"), Some(json!("T")));
        assert_eq!(answer(&answers, "x.href"), Some(json!("/b")));
        assert_eq!(answer(&answers, "y.z"), Some(json!("loop y")));
        assert_eq!(answer(&answers, "k"), Some(json!("one")));
        assert_eq!(answer(&answers, "v.deep"), Some(json!(1)));
        assert_eq!(answer(&answers, "loop.index"), Some(json!(1)));
        assert_eq!(answer(&answers, "loop.last"), Some(json!(false)));
        assert_eq!(answer(&answers, "list.2.z"), Some(json!(3)));
        // `loop` alone is not the loop's: the context's, as before.
        assert_eq!(answer(&answers, "loop"), Some(json!({"index": 99})));
        assert_eq!(answer(&answers, "page.\"a.b\""), Some(json!(1)));
        assert_eq!(answer(&answers, "e~1f.g"), Some(json!("slash")));

        // An owned loop value (as from a filter), stepped into.
        let mut stack = CallStack::new(&context, &template);
        stack.push_for_loop_frame("x", ForLoop::from_array("x", Cow::Owned(mentions.clone())));
        stack.increment_for_loop().unwrap();
        let answers = same_answers(&stack, &names);
        assert_eq!(answer(&answers, "x.title"), Some(json!("B")));
        assert_eq!(answer(&answers, "loop.last"), Some(json!(true)));

        // A macro, called where `y` was set: its arguments, and a loop
        // inside it.
        let mut stack = CallStack::new(&context, &template);
        stack.add_assignment("y", false, Cow::Owned(json!("set y")));
        let mut args = FrameContext::default();
        args.insert("items", Cow::Borrowed(&macro_items));
        args.insert("label", Cow::Owned(json!("a label")));
        args.insert("root", Cow::Owned(json!("macro root")));
        stack.push_macro_frame("macros", "card", args, &template);
        stack.push_for_loop_frame("x", ForLoop::from_array("x", Cow::Borrowed(&mentions)));
        let answers = same_answers(&stack, &names);
        assert_eq!(answer(&answers, "items.0"), Some(json!("i")));
        assert_eq!(answer(&answers, "label"), Some(json!("a label")));
        assert_eq!(answer(&answers, "root"), Some(json!("macro root")));
        assert_eq!(answer(&answers, "x.href"), Some(json!("/a")));
        // The frames below a macro's are not asked; the context is.
        assert_eq!(answer(&answers, "page.title"), Some(json!("T")));
        assert_eq!(answer(&answers, "y"), Some(json!("context y")));
    }
}
