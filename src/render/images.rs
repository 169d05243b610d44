//! Responsive images: every JPEG or PNG under `content/` wider than a
//! phone gets smaller copies (`photo-480w.jpg`, `photo-960w.jpg`…) written
//! beside it, and pages show it with `srcset`, its width and height (no
//! layout shift) and `loading="lazy"`.
//!
//! Resizing is slow next to the rest of a build, so each copy is made once
//! and kept in `ROOT/.campfire-cache/images/`, named by a hash of the
//! original's bytes and the width: later builds (and every save while
//! serving) copy it from there. The cache is never inside `content/` and
//! may be deleted at any time.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use rayon::prelude::*;

use crate::load::CONTENT_DIR;
use crate::paths;

/// The widths of the smaller copies (only those below the original's).
pub const WIDTHS: [u32; 3] = [480, 960, 1440];
/// Where resized copies are kept between builds, under the site root.
pub const CACHE_DIR: &str = ".campfire-cache/images";
/// How wide an image is shown at most (the reading column), for `sizes`.
const SHOWN_WIDTH: &str = "(max-width: 48rem) 100vw, 48rem";

/// Width and height in pixels.
pub type Size = (u32, u32);

/// Whether a file is an image Campfire resizes.
pub fn is_raster(path: &Path) -> bool {
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
}

fn is_svg(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("svg"))
}

/// What in an SVG asset (a content file) would run script: through `<img>`
/// an SVG is inert, but its own address, opened in a tab, runs what it
/// holds with the site's origin (a stored cross-site script on the
/// intranet's host). `None` for any other file, or an SVG without script.
pub fn svg_script(path: &Path) -> Option<&'static str> {
    if !is_svg(path) {
        return None;
    }
    inspect(path)?.script
}

/// A `<script>` element, an event handler attribute (`onload=`), or a
/// `javascript:` URL, in any case.
fn script_in_svg(bytes: &[u8]) -> Option<&'static str> {
    let text = bytes.to_ascii_lowercase();
    let has = |needle: &[u8]| memchr::memmem::find(&text, needle).is_some();
    if has(b"<script") {
        return Some("a <script> element");
    }
    if has(b"javascript:") {
        return Some("a javascript: URL");
    }
    // ` on<letters>=` inside a tag, with spaces allowed before the `=`:
    // an attribute.
    let handler = memchr::memmem::find_iter(&text, b"on").any(|at| {
        let in_tag = memchr::memrchr(b'<', &text[..at]) > memchr::memrchr(b'>', &text[..at]);
        if !in_tag {
            return false;
        }
        let before = at.checked_sub(1).map(|i| text[i]);
        if !before.is_some_and(|b| b.is_ascii_whitespace() || b == b'/' || b == b'"' || b == b'\'')
        {
            return false;
        }
        let rest = &text[at + 2..];
        let letters = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        letters > 0
            && rest[letters..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b'=')
    });
    handler.then_some("an event handler attribute (on…=)")
}

/// What is known of one file, kept while its length and time stay the same.
#[derive(Clone, Copy)]
struct Known {
    len: u64,
    modified: Option<SystemTime>,
    size: Option<Size>,
    hash: u64,
    /// For an SVG, what in it would run script (see [`svg_script`]).
    script: Option<&'static str>,
}

fn known() -> &'static Mutex<HashMap<PathBuf, Known>> {
    static KNOWN: OnceLock<Mutex<HashMap<PathBuf, Known>>> = OnceLock::new();
    KNOWN.get_or_init(Default::default)
}

/// Reads (or remembers) a file's size in pixels and a hash of its bytes.
fn inspect(path: &Path) -> Option<Known> {
    let meta = std::fs::metadata(path).ok()?;
    let (len, modified) = (meta.len(), meta.modified().ok());
    if let Some(k) = known().lock().ok()?.get(path)
        && k.len == len
        && k.modified == modified
    {
        return Some(*k);
    }
    let bytes = std::fs::read(path).ok()?;
    let size = image::ImageReader::new(std::io::Cursor::new(&bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok());
    let k = Known {
        len,
        modified,
        size,
        hash: rustc_hash::FxBuildHasher.hash_one(&bytes),
        script: if is_svg(path) {
            script_in_svg(&bytes)
        } else {
            None
        },
    };
    known().lock().ok()?.insert(path.to_path_buf(), k);
    Some(k)
}

/// The pixel sizes of the site's JPEG and PNG assets, by root-relative path
/// (`content/stories/photo.jpg`). A file that cannot be read as an image
/// is left out (it is still copied as it is).
pub fn sizes(root: &Path, assets: &[PathBuf]) -> HashMap<PathBuf, Size> {
    assets
        .par_iter()
        .filter(|a| is_raster(a))
        .filter_map(|a| {
            let size = inspect(&root.join(CONTENT_DIR).join(a))?.size?;
            Some((Path::new(CONTENT_DIR).join(a), size))
        })
        .collect()
}

/// `stories/photo.jpg` at 480 px: `stories/photo-480w.jpg`.
pub fn variant_path(out_path: &str, width: u32) -> String {
    match out_path.rsplit_once('.') {
        Some((stem, ext)) if !stem.ends_with('/') => format!("{stem}-{width}w.{ext}"),
        _ => format!("{out_path}-{width}w"),
    }
}

/// The smaller widths made of an image this size.
pub fn widths(size: Size) -> impl Iterator<Item = u32> {
    WIDTHS.into_iter().filter(move |&w| w < size.0)
}

/// The attributes of an `<img>` showing `out_path` (relative to the site
/// root) from a page whose root prefix is `root`: `src`, `srcset` and
/// `sizes` when smaller copies exist, `width`, `height`, lazy loading.
/// Escaped for a double-quoted attribute.
pub fn img_attributes(root: &str, out_path: &str, size: Size) -> String {
    use crate::render::theme::escape_html;
    let src = escape_html(&format!("{root}{out_path}"));
    let mut out = format!("src=\"{src}\"");
    let smaller: Vec<u32> = widths(size).collect();
    if !smaller.is_empty() {
        let mut set: Vec<String> = smaller
            .iter()
            .map(|&w| {
                format!(
                    "{} {w}w",
                    escape_html(&format!("{root}{}", variant_path(out_path, w)))
                )
            })
            .collect();
        set.push(format!("{src} {}w", size.0));
        out.push_str(&format!(
            " srcset=\"{}\" sizes=\"{SHOWN_WIDTH}\"",
            set.join(", ")
        ));
    }
    out.push_str(&format!(
        " width=\"{}\" height=\"{}\" loading=\"lazy\" decoding=\"async\"",
        size.0, size.1
    ));
    out
}

/// Smaller copies as (output path, file in the cache), and the images that
/// could not be copied as (source, why).
pub type Variants = (Vec<(String, PathBuf)>, Vec<(PathBuf, String)>);

/// The smaller copies of every image in `sizes`, as (output path, file in
/// the cache), making the ones the cache lacks. Problems (an image that
/// cannot be decoded, a cache that cannot be written) are returned as
/// (source, message); that image is then shown at its own size only.
pub fn variants(root: &Path, sizes: &HashMap<PathBuf, Size>) -> Variants {
    let cache = root.join(CACHE_DIR);
    let jobs: Vec<(&PathBuf, u32)> = sizes
        .iter()
        .flat_map(|(src, &size)| widths(size).map(move |w| (src, w)))
        .collect();
    let results: Vec<Result<(String, PathBuf), (PathBuf, String)>> = jobs
        .into_par_iter()
        .map(|(src, width)| {
            let file = root.join(src);
            let k = inspect(&file).ok_or_else(|| (src.clone(), "cannot read it".to_string()))?;
            let ext = src
                .extension()
                .and_then(|x| x.to_str())
                .unwrap_or("img")
                .to_ascii_lowercase();
            let cached = cache.join(format!("{:016x}-{width}.{ext}", k.hash));
            if !cached.is_file() {
                resize(&file, &cached, width).map_err(|e| (src.clone(), e))?;
            }
            let rel = src.strip_prefix(CONTENT_DIR).unwrap_or(src);
            Ok((variant_path(&paths::asset_output_path(rel), width), cached))
        })
        .collect();
    let mut made = Vec::new();
    let mut problems = Vec::new();
    for r in results {
        match r {
            Ok(v) => made.push(v),
            Err(p) => problems.push(p),
        }
    }
    made.sort();
    (made, problems)
}

/// Writes `src` scaled to `width` (height in proportion) to `to`, through
/// a temporary file so a half-written copy is never taken for a whole one.
fn resize(src: &Path, to: &Path, width: u32) -> Result<(), String> {
    let img = image::open(src).map_err(|e| format!("cannot read the image: {e}"))?;
    let height = ((img.height() as u64 * width as u64) / img.width().max(1) as u64).max(1) as u32;
    let small = img.resize_exact(width, height, image::imageops::FilterType::Lanczos3);
    let dir = to.parent().ok_or("no cache folder")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // One temporary file per call: two images with the same bytes (one
    // photo beside two stories) share their copies' names, and are made
    // side by side; with one name, the first rename took the second's file.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = to.with_extension(format!("tmp{}-{call}", std::process::id()));
    let format = image::ImageFormat::from_path(src).map_err(|e| e.to_string())?;
    let saved = match format {
        // JPEG copies at quality 82: a fraction of the size, no visible loss.
        image::ImageFormat::Jpeg => std::fs::File::create(&tmp)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                let mut w = std::io::BufWriter::new(f);
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut w, 82)
                    .encode_image(&small.to_rgb8())
                    .map_err(|e| e.to_string())
            }),
        _ => small
            .save_with_format(&tmp, format)
            .map_err(|e| e.to_string()),
    };
    saved
        .and_then(|()| std::fs::rename(&tmp, to).map_err(|e| e.to_string()))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write a resized copy to {}: {e}", to.display())
        })
}

/// Whether `name` is one of the copies [`variants`] writes into the cache
/// (`<16 hex digits>-<width>.<jpg|jpeg|png>`).
fn is_cached_copy(name: &str) -> bool {
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    let Some((hash, width)) = stem.split_once('-') else {
        return false;
    };
    matches!(ext, "jpg" | "jpeg" | "png")
        && hash.len() == 16
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && !width.is_empty()
        && width.len() <= 6
        && width.bytes().all(|b| b.is_ascii_digit())
}

/// After a full build: removes the copies in the image cache that no image
/// of the site uses any more (`keep`, the cache files of this build), so
/// the cache holds what the site needs rather than every photo it ever
/// had. Only regular files directly in `ROOT/.campfire-cache/images/` and
/// named as Campfire names its copies are ever removed; anything else there
/// stays, and nothing is removed when the cache (or `.campfire-cache`) is
/// a symbolic link, which may be a folder several sites share. Returns how
/// many copies were removed.
pub fn prune(root: &Path, keep: &[PathBuf]) -> usize {
    let cache = root.join(CACHE_DIR);
    let linked = |p: &Path| std::fs::symlink_metadata(p).map_or(true, |m| !m.file_type().is_dir());
    if linked(cache.parent().unwrap_or(&cache)) || linked(&cache) {
        return 0;
    }
    let keep: std::collections::HashSet<&std::ffi::OsStr> =
        keep.iter().filter_map(|p| p.file_name()).collect();
    let Ok(items) = std::fs::read_dir(&cache) else {
        return 0;
    };
    let mut removed = 0;
    for item in items.flatten() {
        let name = item.file_name();
        let Some(text) = name.to_str() else { continue };
        // `file_type` does not follow links: a link named like a copy stays.
        let regular = item.file_type().is_ok_and(|t| t.is_file());
        if regular
            && is_cached_copy(text)
            && !keep.contains(name.as_os_str())
            && std::fs::remove_file(item.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// A stable key of the sizes, for what depends on them.
pub fn sizes_key(sizes: &HashMap<PathBuf, Size>, h: &mut impl std::hash::Hasher) {
    let mut all: Vec<(&PathBuf, &Size)> = sizes.iter().collect();
    all.sort_unstable();
    all.hash(h);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_in_an_svg_is_found_in_any_case() {
        let svg = |body: &str| format!("<svg xmlns=\"http://www.w3.org/2000/svg\">{body}</svg>");
        assert_eq!(script_in_svg(svg("<circle r=\"4\"/>").as_bytes()), None);
        assert_eq!(
            script_in_svg(svg("<text>Questions on the onboarding = fine</text>").as_bytes()),
            None,
            "words starting with on, outside a tag's attributes"
        );
        assert_eq!(
            script_in_svg(svg("<SCRIPT>alert(1)</SCRIPT>").as_bytes()),
            Some("a <script> element")
        );
        assert_eq!(
            script_in_svg(svg("<a href=\"JavaScript:alert(1)\">x</a>").as_bytes()),
            Some("a javascript: URL")
        );
        assert_eq!(
            script_in_svg(svg("<rect onLoad = \"alert(1)\"/>").as_bytes()),
            Some("an event handler attribute (on…=)")
        );
        assert_eq!(
            script_in_svg(svg("<rect/onclick=alert(1)>").as_bytes()),
            Some("an event handler attribute (on…=)")
        );
    }

    #[test]
    fn variant_names_and_attributes() {
        assert_eq!(variant_path("stories/a.b.jpg", 480), "stories/a.b-480w.jpg");
        assert_eq!(widths((1000, 500)).collect::<Vec<_>>(), [480, 960]);
        assert_eq!(widths((400, 300)).count(), 0);
        let a = img_attributes("../../", "stories/p.jpg", (1000, 500));
        assert_eq!(
            a,
            "src=\"../../stories/p.jpg\" srcset=\"../../stories/p-480w.jpg 480w, ../../stories/p-960w.jpg 960w, ../../stories/p.jpg 1000w\" sizes=\"(max-width: 48rem) 100vw, 48rem\" width=\"1000\" height=\"500\" loading=\"lazy\" decoding=\"async\""
        );
        assert!(!img_attributes("", "s/small.png", (300, 200)).contains("srcset"));
        assert!(is_raster(Path::new("a/B.JPG")) && !is_raster(Path::new("a.svg")));
        assert!(is_cached_copy("0123456789abcdef-480.jpg"));
        assert!(is_cached_copy("0123456789abcdef-1440.png"));
        for foreign in [
            "0123456789abcdef-480.jpg.bak",
            "0123456789ABCDEF-480.jpg",
            "0123456789abcde-480.jpg",
            "0123456789abcdef-480.tmp123",
            "0123456789abcdef-.jpg",
            "0123456789abcdef-48x.jpg",
            "notes.txt",
            "photo-480w.jpg",
        ] {
            assert!(!is_cached_copy(foreign), "{foreign}");
        }
    }
}
