//! Text a one-off build of a big site holds for a while without reading
//! it: each body's HTML from its render until its pages are written, then
//! its search text until the index is made. At 100,000 stories those are
//! 445 and 340 MB, most of what the build holds at its peak. LZ4, each
//! body on its own, kept them in 69% and 77% of that (307 and 264 MB);
//! against a [`Dictionary`] of 16 of the site's bodies, in about a
//! quarter to a third, at some 500 MB/s a core, giving them back at about
//! 1 GB/s. A smaller site holds them as they are: there the time counts
//! more than the memory.

/// Bytes of Markdown bodies above which a one-off build packs what it
/// holds of them (the 10,000-story benchmark has 35 MB, 100,000 stories
/// 350 MB).
pub const PACK_ABOVE: usize = 160 << 20;

/// [`PACK_ABOVE`], or `CAMPFIRE_PACK_ABOVE` (bytes) where it is set: with
/// 0 a small site's build packs too, which is how the profile-guided
/// release build (`scripts/build-release.sh`) trains the packing on a
/// corpus it can build in a second, and how a test checks that packing
/// writes the same bytes. A value that is not a number of bytes is said
/// once on stderr (a build asks more than once) and the built-in
/// threshold used.
pub fn pack_above() -> usize {
    static ABOVE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *ABOVE.get_or_init(|| {
        let value = std::env::var("CAMPFIRE_PACK_ABOVE").ok();
        pack_above_from(value.as_deref()).unwrap_or_else(|warning| {
            eprintln!("{warning}");
            PACK_ABOVE
        })
    })
}

/// [`pack_above`] for the variable's value, or the warning for one that is
/// not a number of bytes.
fn pack_above_from(value: Option<&str>) -> Result<usize, String> {
    let Some(value) = value else {
        return Ok(PACK_ABOVE);
    };
    value.trim().parse().map_err(|_| {
        format!(
            "warning: CAMPFIRE_PACK_ABOVE={value:?} is not a number of bytes; \
             packing a site above {PACK_ABOVE} bytes of Markdown, as without it"
        )
    })
}

/// Text the strings of one kind (bodies' HTML, their search text) are
/// packed against: LZ4 refers back into it as into text it has just seen,
/// so the words, tags and phrases bodies share are not spelled out again in
/// each (a body of a few kB alone has little to refer back to). Made from
/// a few samples of the text it packs; shared by every string packed with
/// it, which keeps a pointer to it.
///
/// On the 100,000-story benchmark (generated text, very repetitive) a
/// body's HTML packs to 69% of its size alone and to about a quarter
/// against 48 kB of other bodies; real writing repeats itself less, and
/// gains less.
///
/// It is held with the hash table LZ4 starts each string from
/// (`vendor/lz4_flex/PATCHES.md`): made once, where `compress_with_dict`
/// made it again for every string, about a quarter of their packing's
/// time.
#[derive(Debug, Clone)]
pub struct Dictionary(std::sync::Arc<lz4_flex::block::PreparedDict>);

/// No bytes: strings packed alone.
impl Default for Dictionary {
    fn default() -> Self {
        Dictionary(std::sync::Arc::new(lz4_flex::block::PreparedDict::new(&[])))
    }
}

/// The same bytes (the table is made of them).
impl PartialEq for Dictionary {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Dictionary {
    /// At most this long: a string starts from the dictionary's prepared
    /// table when the two fit in LZ4's 16-bit positions (64 kB), so
    /// strings up to 16 kB do; a longer one hashes the dictionary first.
    /// On the benchmark's bodies (prepared tables, 20,000 story pages'
    /// HTML): 16 kB packed to 30.5% at 440 MB/s, 32 kB to 24% at 505 MB/s,
    /// 48 kB to 22% at 570 MB/s (more of it is found in the dictionary).
    pub const MAX: usize = 48 << 10;

    /// A dictionary of up to [`Dictionary::MAX`] bytes: an equal share of
    /// each sample (cut at a character boundary, though LZ4 needs none).
    pub fn from_samples(samples: &[String]) -> Dictionary {
        let share = Dictionary::MAX / samples.len().max(1);
        let mut bytes = Vec::with_capacity(Dictionary::MAX);
        for sample in samples {
            let mut end = share.min(sample.len());
            while !sample.is_char_boundary(end) {
                end -= 1;
            }
            bytes.extend_from_slice(&sample.as_bytes()[..end]);
        }
        Dictionary(std::sync::Arc::new(lz4_flex::block::PreparedDict::new(
            &bytes,
        )))
    }

    fn bytes(&self) -> &[u8] {
        self.0.data()
    }
}

/// A string held as it is or LZ4-compressed.
#[derive(Debug, Clone, PartialEq)]
pub enum Packed {
    Plain(String),
    Lz4 {
        /// The compressed bytes, in an allocation of their length.
        bytes: Box<[u8]>,
        /// The string's length.
        len: usize,
        /// What it was packed against.
        dict: Dictionary,
    },
}

impl Default for Packed {
    fn default() -> Self {
        Packed::Plain(String::new())
    }
}

impl Packed {
    /// `text`, compressed against `dict` when there is one (and
    /// compressing saves something).
    pub fn new(text: String, dict: Option<&Dictionary>) -> Packed {
        let Some(dict) = dict else {
            return Packed::Plain(text);
        };
        if text.is_empty() {
            return Packed::Plain(text);
        }
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with_borrow_mut(|scratch| {
            scratch.resize(lz4_flex::block::get_maximum_output_size(text.len()), 0);
            let n = lz4_flex::block::compress_into_with_prepared_dict(
                text.as_bytes(),
                scratch,
                &dict.0,
            )
            .expect("the buffer holds the most LZ4 can make");
            if n >= text.len() {
                return Packed::Plain(text);
            }
            // Copied into an allocation of its length: a compressed
            // vector shrunk in place would keep its whole block.
            Packed::Lz4 {
                bytes: Box::from(&scratch[..n]),
                len: text.len(),
                dict: dict.clone(),
            }
        })
    }

    /// The string's length in bytes.
    pub fn len(&self) -> usize {
        match self {
            Packed::Plain(text) => text.len(),
            Packed::Lz4 { len, .. } => *len,
        }
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the string is held compressed.
    pub fn is_packed(&self) -> bool {
        matches!(self, Packed::Lz4 { .. })
    }

    /// The string, borrowed when it is held as it is.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Packed::Plain(text) => std::borrow::Cow::Borrowed(text),
            Packed::Lz4 { bytes, len, dict } => {
                let raw = lz4_flex::block::decompress_with_dict(bytes, *len, dict.bytes())
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
        let packed = Packed::new(html.clone(), Some(&Dictionary::default()));
        match &packed {
            Packed::Lz4 { bytes, len, .. } => {
                assert_eq!(*len, html.len());
                assert!(bytes.len() < html.len() / 2, "{} bytes", bytes.len());
            }
            Packed::Plain(_) => panic!("repetitive text compresses"),
        }
        assert_eq!(packed.len(), html.len());
        assert_eq!(packed.unpack(), html);
    }

    #[test]
    fn the_threshold_comes_from_the_environment_or_a_warning_says_why_not() {
        assert_eq!(pack_above_from(None), Ok(PACK_ABOVE));
        assert_eq!(pack_above_from(Some("0")), Ok(0));
        assert_eq!(pack_above_from(Some(" 1048576\n")), Ok(1 << 20));
        for bad in ["", "160M", "-1", "lots"] {
            let warning = pack_above_from(Some(bad)).unwrap_err();
            assert!(
                warning.contains(&format!("CAMPFIRE_PACK_ABOVE={bad:?}"))
                    && warning.contains(&PACK_ABOVE.to_string()),
                "{warning}"
            );
        }
    }

    #[test]
    fn a_prepared_dictionary_packs_the_bytes_the_plain_one_does() {
        // The patched lz4_flex (vendor/lz4_flex/PATCHES.md) against the
        // function it stands in for: the same bytes for every input, short
        // or too long for the table's 16-bit positions, and for a
        // dictionary too short to use.
        let sample = "<p>The team lead wrote the refund policy down the same evening; \
                      Ação, 日本語.</p>\n"
            .repeat(300);
        for dict in [&sample[..16 << 10], &sample[..40], "ab", ""] {
            let prepared = lz4_flex::block::PreparedDict::new(dict.as_bytes());
            assert_eq!(prepared.data(), dict.as_bytes());
            for len in [0, 3, 40, 1000, 4000, 20_000, 60_000] {
                let input = sample.repeat(4);
                let input = &input.as_bytes()[..len];
                let most = lz4_flex::block::get_maximum_output_size(input.len());
                let (mut a, mut b) = (vec![0u8; most], vec![0u8; most]);
                let n = lz4_flex::block::compress_into_with_dict(input, &mut a, dict.as_bytes())
                    .unwrap();
                let m = lz4_flex::block::compress_into_with_prepared_dict(input, &mut b, &prepared)
                    .unwrap();
                assert_eq!(
                    a[..n],
                    b[..m],
                    "dictionary of {} bytes, input of {len}",
                    dict.len()
                );
                let back =
                    lz4_flex::block::decompress_with_dict(&b[..m], input.len(), dict.as_bytes())
                        .unwrap();
                assert_eq!(back, input);
            }
        }
    }

    #[test]
    fn a_dictionary_of_like_texts_packs_smaller_and_gives_back_the_same() {
        let body = |who: &str| {
            format!(
                "<p>{who} called about a refund the system would not accept, and the \
                 team lead wrote the policy down the same evening.</p>\n<ul>\n<li>The \
                 note field is now the first thing an agent sees.</li>\n</ul>\n"
            )
        };
        let samples: Vec<String> = ["Ana", "Ravi", "Giulia"].map(body).to_vec();
        let dict = Dictionary::from_samples(&samples);
        assert!(dict.bytes().len() <= Dictionary::MAX);
        let text = body("Dmitri, in Galway,");
        let alone = Packed::new(text.clone(), Some(&Dictionary::default()));
        let with = Packed::new(text.clone(), Some(&dict));
        let size = |p: &Packed| match p {
            Packed::Lz4 { bytes, .. } => bytes.len(),
            Packed::Plain(t) => t.len(),
        };
        assert!(with.is_packed());
        assert!(
            size(&with) * 2 < size(&alone),
            "{} vs {}",
            size(&with),
            size(&alone)
        );
        assert_eq!(with.text(), text);
        assert_eq!(with.clone().unpack(), text);
        // Samples longer than their share are cut at a character boundary.
        let long = vec!["é".repeat(Dictionary::MAX); 3];
        let cut = Dictionary::from_samples(&long);
        assert!(cut.bytes().len() <= Dictionary::MAX);
        assert!(std::str::from_utf8(cut.bytes()).is_ok());
    }

    #[test]
    fn text_is_kept_as_it_is_unless_packing_saves_something() {
        let html = "<p>Short.</p>".to_string();
        assert!(matches!(Packed::new(html.clone(), None), Packed::Plain(t) if t == html));
        // Incompressible: kept plain rather than grown.
        let noise: String = (0..64u32)
            .map(|i| char::from_u32(0x4E00 + i * 37 % 20000).unwrap())
            .collect();
        let none = Some(&Dictionary::default());
        assert!(matches!(Packed::new(noise.clone(), none), Packed::Plain(t) if t == noise));
        assert_eq!(Packed::new(String::new(), none).unpack(), "");
        assert_eq!(Packed::default().unpack(), "");
    }
}
