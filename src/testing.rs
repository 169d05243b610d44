//! What unit tests share.

/// A xorshift generator from a fixed seed: tests of random input make the
/// same input on every run, so that a failure can be found again.
pub struct Rng(u64);

impl Rng {
    pub fn new() -> Rng {
        Rng(0x2545_f491_4f6c_dd1d)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `len` of `pieces`, each picked at random, one after the other.
    pub fn text(&mut self, pieces: &[&str], len: usize) -> String {
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(pieces[(self.next() % pieces.len() as u64) as usize]);
        }
        text
    }
}

/// The site that `files` (paths under `content/`, and their text) make
/// with the site.yaml `config`, loaded and linked as a build does, and the
/// problems found on the way.
pub fn linked_site(
    config: &str,
    files: &[(&str, &str)],
) -> (crate::link::Site, crate::diagnostics::Diagnostics) {
    let config = crate::config::SiteConfig::parse(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut content = crate::load::Content::default();
    let mut diags = crate::diagnostics::Diagnostics::new();
    for (rel, text) in files {
        let path = dir.path().join(crate::load::CONTENT_DIR).join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let rel = std::path::Path::new(rel);
        let parsed = crate::load::parse_file(dir.path(), rel, &config);
        // Left out as a build leaves drafts out, its problems with it.
        if parsed.draft {
            content.left_out.insert_draft(rel);
            continue;
        }
        diags.extend(parsed.diags);
        match parsed.entry {
            Some(entry) => content.entries.push(entry),
            None => content.left_out.insert_failed(rel),
        }
    }
    let site = crate::link::link(config, content, &mut diags);
    (site, diags)
}
