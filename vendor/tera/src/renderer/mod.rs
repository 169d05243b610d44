mod square_brackets;
#[cfg(test)]
mod tests;

mod call_stack;
mod for_loop;
mod macros;
mod processor;
mod stack_frame;

use std::io::Write;

use self::processor::Processor;
use crate::errors::Result;
use crate::template::Template;
use crate::tera::Tera;
use crate::Context;

/// Given a `Tera` and reference to `Template` and a `Context`, renders text
#[derive(Debug)]
pub struct Renderer<'a> {
    /// Template to render
    template: &'a Template,
    /// Houses other templates, filters, global functions, etc
    tera: &'a Tera,
    /// Read-only context to be bound to template˝
    context: &'a Context,
    /// If set rendering should be escaped
    should_escape: bool,
}

impl<'a> Renderer<'a> {
    /// Create a new `Renderer`
    #[inline]
    pub fn new(template: &'a Template, tera: &'a Tera, context: &'a Context) -> Renderer<'a> {
        let should_escape = tera.autoescape_suffixes.iter().any(|ext| {
            // We prefer a `path` if set, otherwise use the `name`
            if let Some(ref p) = template.path {
                return p.ends_with(ext);
            }
            template.name.ends_with(ext)
        });

        Renderer { template, tera, context, should_escape }
    }

    /// Combines the context with the Template to generate the end result
    pub fn render(&self) -> Result<String> {
        // Campfire patch: sized like the template's last render (with room
        // for a longer page), not grown from 2,000 bytes by doubling: a
        // 14 kB page was copied three times over as it grew.
        let last = self.template.last_len.get();
        let mut output = Vec::with_capacity(if last == 0 { 2000 } else { last + last / 4 });
        self.render_to(&mut output)?;
        self.template.last_len.set(output.len());
        // Campfire patch: the page is not validated as UTF-8 again (a
        // whole pass over every page). Everything the processor writes
        // is the bytes of a `str`: template text, and values rendered by
        // `ValueRender` (`write_all` of a `str`, or `write!`). Debug builds
        // (the tests) still check.
        debug_assert!(std::str::from_utf8(&output).is_ok());
        // SAFETY: see above; every write is of whole `str`s.
        Ok(unsafe { String::from_utf8_unchecked(output) })
    }

    /// Combines the context with the Template to write the end result to output
    pub fn render_to(&self, mut output: impl Write) -> Result<()> {
        let mut processor =
            Processor::new(self.template, self.tera, self.context, self.should_escape);

        processor.render(&mut output)
    }
}
