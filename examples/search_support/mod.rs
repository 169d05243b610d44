//! Shared by the search examples: writes index files and a minimal static
//! site around them (the real pipeline replaces all this with `campfire
//! build`).

use std::path::Path;

use campfire::search::SearchDoc;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The relative prefix from a page at `url` (`stories/x/`) to the root.
pub fn root_of(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Writes `files` under `out`, the assets, the search page, a home page and,
/// if `pages`, one page per document.
pub fn write_site(out: &Path, docs: &[SearchDoc], files: &[(String, Vec<u8>)], pages: bool) {
    let _ = std::fs::remove_dir_all(out);
    for (p, b) in files {
        write(&out.join(p), b);
    }
    for asset in ["search.js", "search-engine.js", "search.css"] {
        let src = Path::new(ROOT).join("layouts/assets").join(asset);
        let mut bytes = std::fs::read(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        if asset == "search.js" {
            // As `campfire build` ships it.
            bytes = campfire::search::SEARCH_JS_MINIFIED.to_vec();
        }
        write(&out.join("assets").join(asset), &bytes);
    }
    let read = |p: &str| {
        std::fs::read_to_string(Path::new(ROOT).join(p)).unwrap_or_else(|e| panic!("{p}: {e}"))
    };
    let mut tera = tera::Tera::default();
    tera.add_raw_templates(vec![
        ("base.html", read("tests/fixtures/search-site/base.html")),
        ("page.html", read("tests/fixtures/search-site/page.html")),
        ("search.html", read("layouts/search.html")),
    ])
    .expect("templates parse");
    // The theme's English strings, as a build of an English site passes them.
    let strings: serde_json::Value =
        serde_yaml::from_str(&read("layouts/strings.yaml")).expect("strings.yaml parses");
    // The search page's names of the filters, as a build of an English
    // site with a Portuguese translation makes them.
    let config = campfire::config::SiteConfig::parse(
        "title: Search fixture\nlanguage: en\nlanguages: [pt]\n",
    )
    .expect("site.yaml parses");
    let facet_names = campfire::render::search_docs::facet_names(&config, "en");
    let render = |name: &str, url: &str, title: &str, body: &str| -> Vec<u8> {
        let mut ctx = tera::Context::new();
        ctx.insert("page", &serde_json::json!({ "facet_names": facet_names }));
        ctx.insert("t", &strings["en"]);
        ctx.insert(
            "search_strings",
            &campfire::render::theme::search_strings(&strings["en"]),
        );
        ctx.insert("root", &root_of(url));
        ctx.insert("title", title);
        ctx.insert("body", body);
        tera.render(name, &ctx)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"))
            .into_bytes()
    };
    write(
        &out.join("search/index.html"),
        &render("search.html", "search/", "Search", ""),
    );
    write(
        &out.join("index.html"),
        &render(
            "page.html",
            "",
            "Home",
            "The home page of the search fixture.",
        ),
    );
    if pages {
        for d in docs {
            write(
                &out.join(&d.url).join("index.html"),
                &render("page.html", &d.url, &d.title, &d.body.text()),
            );
        }
    }
}
