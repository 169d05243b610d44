//! Photos: smaller copies with `srcset`, width and height, lazy loading, a
//! story's cover on its card; each copy made once and cached by content.

mod common;

use std::path::Path;

use common::*;

pub fn photo(path: &Path, width: u32, height: u32) {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    img.save(path).unwrap();
}

fn story_with_photos(root: &Path) {
    photo(&root.join("content/stories/big.jpg"), 1200, 800);
    photo(&root.join("content/stories/small.png"), 300, 200);
    std::fs::write(
        root.join("content/stories/photos.md"),
        "---\ntitle: Photos\ndate: 2026-09-01\nauthor: A\ndepartment: it\ncover: big.jpg\n---\nFirst.\n\n![The big one & more](big.jpg)\n\n![](small.png)\n",
    )
    .unwrap();
}

#[test]
fn photos_get_smaller_copies_sizes_and_lazy_loading() {
    let site = site_copy("basic");
    let root = site.path();
    story_with_photos(root);
    let public = build(root);
    for w in [480, 960] {
        let copy = image::image_dimensions(public.join(format!("stories/big-{w}w.jpg"))).unwrap();
        assert_eq!(copy, (w, w * 2 / 3), "{w}");
    }
    assert!(
        !public.join("stories/big-1440w.jpg").exists(),
        "never larger than the original"
    );
    assert!(!public.join("stories/small-480w.png").exists());
    let page = read(public.join("stories/photos/index.html"));
    assert!(page.contains("<img src=\"../../stories/big.jpg\" srcset=\"../../stories/big-480w.jpg 480w, ../../stories/big-960w.jpg 960w, ../../stories/big.jpg 1200w\" sizes=\"(max-width: 48rem) 100vw, 48rem\" width=\"1200\" height=\"800\" loading=\"lazy\" decoding=\"async\" alt=\"The big one &amp; more\">"), "{page}");
    assert!(page.contains("<img src=\"../../stories/small.png\" width=\"300\" height=\"200\" loading=\"lazy\" decoding=\"async\" alt=\"\">"));
    // The cover: at the top of the story (not lazy) and on its card.
    assert!(page.contains("<img class=\"entry-cover\" src=\"../../stories/big.jpg\" srcset=\"../../stories/big-480w.jpg 480w,"));
    let list = read(public.join("stories/index.html"));
    assert!(
        list.contains("<img class=\"card-cover\" src=\"../stories/big.jpg\""),
        "{list}"
    );
    assert!(list.contains("width=\"1200\" height=\"800\" loading=\"lazy\""));

    // Made once: the next build copies them from the cache, untouched.
    let cache = root.join(".campfire-cache/images");
    let cached: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(cached.len(), 2, "{cached:?}");
    let times: Vec<_> = cached
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().modified().unwrap())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    build(root);
    let again: Vec<_> = cached
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().modified().unwrap())
        .collect();
    assert_eq!(times, again);
    assert!(
        !root.join("content").join(".campfire-cache").exists(),
        "never inside content/"
    );

    // A new photo under the same name: new copies, new sizes.
    photo(&root.join("content/stories/big.jpg"), 1000, 1000);
    let public = build(root);
    assert_eq!(
        image::image_dimensions(public.join("stories/big-480w.jpg")).unwrap(),
        (480, 480)
    );
    assert!(
        read(public.join("stories/photos/index.html")).contains("width=\"1000\" height=\"1000\"")
    );
}

/// One photo beside two entries (the same bytes twice): its copies are
/// made once into the cache, side by side, and both get them, with no
/// warning, on the first build as on the next.
#[test]
fn the_same_photo_in_two_folders_gets_its_copies_in_both() {
    let site = site_copy("basic");
    let root = site.path();
    story_with_photos(root);
    std::fs::create_dir_all(root.join("content/pages")).unwrap();
    std::fs::copy(
        root.join("content/stories/big.jpg"),
        root.join("content/pages/big.jpg"),
    )
    .unwrap();
    std::fs::write(
        root.join("content/pages/photo.md"),
        "---\ntitle: Photo\n---\n![The same](big.jpg)\n",
    )
    .unwrap();
    for round in ["first build", "second build"] {
        let out = tempfile::tempdir().unwrap();
        let public = out.path().join("public");
        let o = campfire_in(root, &["build", "--output", public.to_str().unwrap()]);
        let err = stderr(&o);
        assert!(o.status.success(), "{round}: {err}");
        assert!(!err.contains("warning"), "{round}: {err}");
        for copy in [
            "stories/big-480w.jpg",
            "stories/big-960w.jpg",
            "big-480w.jpg",
            "big-960w.jpg",
        ] {
            assert!(public.join(copy).is_file(), "{round}: {copy}");
        }
    }
}

#[test]
fn a_missing_cover_is_an_error_at_its_line() {
    let site = site_copy("basic");
    let root = site.path();
    std::fs::write(
        root.join("content/stories/nocover.md"),
        "---\ntitle: No cover\ndate: 2026-09-01\nauthor: A\ndepartment: it\ncover: nowhere.jpg\n---\nText.\n",
    )
    .unwrap();
    let o = campfire_in(root, &["build"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o)
            .contains("content/stories/nocover.md:6:8: cover image \"nowhere.jpg\" not found"),
        "{}",
        stderr(&o)
    );
}

/// A camera names its photos `IMG_0042.JPG`; a champion writes
/// `img_0042.jpg`, which a Mac finds and the web server does not.
#[test]
fn an_image_named_with_other_capitals_says_which_name_to_write() {
    let site = site_copy("basic");
    let root = site.path();
    let build = |root: &Path| campfire_in(root, &["build"]);
    assert_eq!(
        build(root).status.code(),
        Some(0),
        "{}",
        stderr(&build(root))
    );
    let before = std::fs::read_to_string(root.join("public/index.html")).unwrap();
    photo(&root.join("content/stories/Snow_Day.PNG"), 30, 20);
    std::fs::write(
        root.join("content/stories/capitals.md"),
        "---\ntitle: Capitals\ndate: 2026-09-01\nauthor: A\ndepartment: it\ncover: snow_day.png\n---\n![Snow](snow_day.png)\n",
    )
    .unwrap();
    let o = build(root);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let advice = "has the name with other capitals: write \"Snow_Day.PNG\" (a Mac or Windows ignores the difference, the web server does not)";
    assert!(
        err.contains(&format!("content/stories/capitals.md:6:8: cover image \"snow_day.png\" not found: content/stories/snow_day.png does not exist; content/stories/Snow_Day.PNG {advice}")),
        "{err}"
    );
    assert!(
        err.contains(&format!("content/stories/capitals.md:8:1: warning: broken image \"snow_day.png\": content/stories/snow_day.png does not exist; content/stories/Snow_Day.PNG {advice}")),
        "{err}"
    );
    // The failed build left the last good site as it was.
    assert_eq!(
        std::fs::read_to_string(root.join("public/index.html")).unwrap(),
        before
    );
}

fn cache_names(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(".campfire-cache/images"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The copies a build no longer uses leave the cache; what the site uses
/// stays, and nothing Campfire did not make is touched. While serving,
/// only a full build prunes: a save never does.
#[test]
fn a_full_build_prunes_copies_no_image_uses_and_nothing_else() {
    let site = site_copy("basic");
    let root = site.path();
    story_with_photos(root);
    build(root);
    let first = cache_names(root);
    assert_eq!(first.len(), 2, "480 and 960 of big.jpg: {first:?}");
    // Someone else's files in the cache folder, some named almost like copies.
    let cache = root.join(".campfire-cache/images");
    let foreign = [
        "notes.txt",
        "0123456789abcdef-480.jpg.bak",
        "0123456789ABCDEF-480.jpg",
    ];
    for f in foreign {
        std::fs::write(cache.join(f), "mine").unwrap();
    }
    std::fs::create_dir(cache.join("0123456789abcdef-960.jpg")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        root.join("content/stories/big.jpg"),
        cache.join("fedcba9876543210-480.jpg"),
    )
    .unwrap();

    // A new photo under the same name: its copies replace the old ones.
    photo(&root.join("content/stories/big.jpg"), 1000, 1000);
    build(root);
    let second = cache_names(root);
    for old in &first {
        assert!(!second.contains(old), "{old} left behind: {second:?}");
    }
    for f in foreign {
        assert_eq!(read(cache.join(f)), "mine", "{f}");
    }
    assert!(cache.join("0123456789abcdef-960.jpg").is_dir());
    #[cfg(unix)]
    assert!(
        cache
            .join("fedcba9876543210-480.jpg")
            .symlink_metadata()
            .is_ok(),
        "a link is not a copy Campfire made"
    );
    // While serving: a save that drops the photo keeps its copies (it may
    // come back a second later); the next full build removes them.
    let current: Vec<String> = second
        .iter()
        .filter(|n| !first.contains(n) && !foreign.contains(&n.as_str()))
        .filter(|n| !n.starts_with("0123456789abcdef") && !n.starts_with("fedcba"))
        .cloned()
        .collect();
    assert_eq!(current.len(), 2, "the new photo's 480 and 960: {second:?}");
    let mut session = campfire::serve::LiveSite::new(campfire::build::BuildOptions::new(root));
    use campfire::serve::Rebuild;
    session.build_all().expect("first build");
    let story = root.join("content/stories/photos.md");
    std::fs::write(
        &story,
        "---\ntitle: Photos\ndate: 2026-09-01\nauthor: A\ndepartment: it\n---\nNo photos now.\n",
    )
    .unwrap();
    std::fs::remove_file(root.join("content/stories/big.jpg")).unwrap();
    session
        .rebuild(&[story, root.join("content/stories/big.jpg")])
        .expect("a save");
    for c in &current {
        assert!(cache.join(c).exists(), "a save pruned {c}");
    }
    session.build_all().expect("a full build");
    for c in &current {
        assert!(!cache.join(c).exists(), "{c} outlived its photo");
    }
    for f in foreign {
        assert_eq!(read(cache.join(f)), "mine", "{f}");
    }
}

/// A cache folder that is a link (a cache shared by several sites) is
/// never pruned.
#[cfg(unix)]
#[test]
fn a_linked_cache_is_never_pruned() {
    let site = site_copy("basic");
    let root = site.path();
    let shared = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(shared.path().join("images")).unwrap();
    let other_sites_copy = shared.path().join("images/0123456789abcdef-480.jpg");
    std::fs::write(&other_sites_copy, "another site's").unwrap();
    std::os::unix::fs::symlink(shared.path(), root.join(".campfire-cache")).unwrap();
    story_with_photos(root);
    build(root);
    assert_eq!(read(&other_sites_copy), "another site's");
    assert_eq!(
        std::fs::read_dir(shared.path().join("images"))
            .unwrap()
            .count(),
        3
    );
}
