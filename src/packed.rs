//! Text a one-off build of a big site holds for a while without reading
//! it: each body's HTML from its render until its pages are written, then
//! its search text until the index is made. At 100,000 stories those are
//! 420 and 340 MB, most of what the build holds at its peak; LZ4 keeps
//! them in about 60% of that (each body on its own), compressing at some
//! 500 MB/s a core and giving them back at several GB/s. A smaller site
//! holds them as they are: there the time counts more than the memory.

/// Bytes of Markdown bodies above which a one-off build packs what it
/// holds of them (the 10,000-story benchmark has 35 MB, 100,000 stories
/// 350 MB).
pub const PACK_ABOVE: usize = 160 << 20;

/// A string held as it is or LZ4-compressed.
#[derive(Debug, Clone, PartialEq)]
pub enum Packed {
    Plain(String),
    Lz4 {
        /// The compressed bytes, in an allocation of their length.
        bytes: Box<[u8]>,
        /// The string's length.
        len: usize,
    },
}

impl Default for Packed {
    fn default() -> Self {
        Packed::Plain(String::new())
    }
}

impl Packed {
    /// `text`, compressed when `pack` (and compressing saves something).
    pub fn new(text: String, pack: bool) -> Packed {
        if !pack || text.is_empty() {
            return Packed::Plain(text);
        }
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with_borrow_mut(|scratch| {
            scratch.resize(lz4_flex::block::get_maximum_output_size(text.len()), 0);
            let n = lz4_flex::block::compress_into(text.as_bytes(), scratch)
                .expect("the buffer holds the most LZ4 can make");
            if n >= text.len() {
                return Packed::Plain(text);
            }
            // Copied into an allocation of its length: a compressed
            // vector shrunk in place would keep its whole block.
            Packed::Lz4 {
                bytes: Box::from(&scratch[..n]),
                len: text.len(),
            }
        })
    }

    /// Whether the string is held compressed.
    pub fn is_packed(&self) -> bool {
        matches!(self, Packed::Lz4 { .. })
    }

    /// The string, borrowed when it is held as it is.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Packed::Plain(text) => std::borrow::Cow::Borrowed(text),
            Packed::Lz4 { bytes, len } => {
                let raw = lz4_flex::block::decompress(bytes, *len)
                    .expect("text compressed by this build decompresses");
                std::borrow::Cow::Owned(
                    String::from_utf8(raw).expect("text compressed by this build is UTF-8"),
                )
            }
        }
    }

    /// The string back.
    pub fn unpack(self) -> String {
        match self {
            Packed::Plain(text) => text,
            packed => packed.text().into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_text_comes_back_the_same() {
        let html = "<p>The customer asked for one thing: a name and a number to call \
                    if it happened again. Ação, 日本語, emoji 🔥.</p>\n"
            .repeat(20);
        let packed = Packed::new(html.clone(), true);
        match &packed {
            Packed::Lz4 { bytes, len } => {
                assert_eq!(*len, html.len());
                assert!(bytes.len() < html.len() / 2, "{} bytes", bytes.len());
            }
            Packed::Plain(_) => panic!("repetitive text compresses"),
        }
        assert_eq!(packed.unpack(), html);
    }

    #[test]
    fn text_is_kept_as_it_is_unless_packing_saves_something() {
        let html = "<p>Short.</p>".to_string();
        assert!(matches!(Packed::new(html.clone(), false), Packed::Plain(t) if t == html));
        // Incompressible: kept plain rather than grown.
        let noise: String = (0..64u32)
            .map(|i| char::from_u32(0x4E00 + i * 37 % 20000).unwrap())
            .collect();
        assert!(matches!(Packed::new(noise.clone(), true), Packed::Plain(t) if t == noise));
        assert_eq!(Packed::new(String::new(), true).unpack(), "");
        assert_eq!(Packed::default().unpack(), "");
    }
}
