//! Every mistake a champion can make gets a message naming the file and
//! line and saying what to do, and a failed build leaves `public/` exactly
//! as it was.

mod common;

use std::path::Path;

use common::*;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn broken_front_matter_yaml() {
    fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/broken.md",
                "---\ntitle: Snow: what we learned\nauthor: X\n---\nBody\n",
            )
        },
        &[
            "content/stories/broken.md:2:",
            "broken front matter",
            "check quotes, colons and indentation",
        ],
    );
}

#[test]
fn unterminated_front_matter() {
    fails_cleanly(
        |root| write(root, "content/stories/open.md", "---\ntitle: A\n"),
        &[
            "content/stories/open.md:1:1: front matter starts with `---` but has no closing `---` line",
        ],
    );
}

#[test]
fn missing_required_field() {
    fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/no-author.md",
                "---\ntitle: A\ndate: 2026-01-01\ndepartment: it\n---\nBody\n",
            )
        },
        &[
            "content/stories/no-author.md:1:1: missing required field `author` in this story (add `author: ...`",
        ],
    );
}

#[test]
fn unknown_department_with_suggestion() {
    fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/typo.md",
                "---\ntitle: A\ndate: 2026-01-01\nauthor: X\ndepartment: logsitics\n---\nBody\n",
            )
        },
        &[
            "content/stories/typo.md:5:13: unknown department \"logsitics\" (known: logistics, it, billing; did you mean \"logistics\"?)",
        ],
    );
}

#[test]
fn all_errors_are_reported_together() {
    let err = fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/a.md",
                "---\ntitle: A\ndate: 2026-01-01\nauthor: X\ndepartment: nope\n---\n",
            );
            write(
                root,
                "content/stories/b.md",
                "---\ntitle: B\ndate: 2026-13-01\nauthor: X\ndepartment: it\n---\n",
            );
            write(
                root,
                "content/cases/c.md",
                "---\ntitle: C\ndate: 2026-01-01\norganization: O\ntouchpoints: [nowhere]\n---\n",
            );
        },
        &[
            "content/stories/a.md:5:13: unknown department \"nope\"",
            "content/stories/b.md:3:7: `date: 2026-13-01` is not a date",
            "content/cases/c.md:5:15: unknown touchpoint \"nowhere\"",
        ],
    );
    assert!(err.contains("3 errors"), "{err}");
}

#[test]
fn invalid_utf8_names_the_file() {
    fails_cleanly(
        |root| {
            std::fs::write(
                root.join("content/stories/latin1.md"),
                b"---\ntitle: Caf\xe9\n---\n",
            )
            .unwrap()
        },
        &[
            "content/stories/latin1.md:2:11: this file is not valid UTF-8 text: re-save it with UTF-8 encoding",
        ],
    );
}

#[test]
fn duplicate_slug_names_both_files() {
    fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("content/stories/2025")).unwrap();
            write(
                root,
                "content/stories/2025/billing-fix.md",
                "---\ntitle: Again\ndate: 2025-01-01\nauthor: X\ndepartment: it\n---\n",
            )
        },
        &[
            "duplicate story slug \"billing-fix\"",
            "content/stories/2025/billing-fix.md",
            "content/stories/billing-fix.md",
        ],
    );
}

#[test]
fn template_syntax_error_names_template_and_line() {
    fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("layouts")).unwrap();
            write(
                root,
                "layouts/story.html",
                "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title </h1>\n{% endblock content %}\n",
            );
        },
        &["layouts/story.html:3:", "template error"],
    );
}

#[test]
fn template_render_error_names_template() {
    fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("layouts")).unwrap();
            write(
                root,
                "layouts/page.html",
                "{% extends \"base.html\" %}\n{% block content %}{{ page.nonexistent.field }}{% endblock content %}\n",
            );
        },
        &["layouts/page.html: template page.html:", "nonexistent"],
    );
}

#[test]
fn missing_layout_is_reported() {
    fails_cleanly(
        |root| {
            std::fs::create_dir_all(root.join("layouts")).unwrap();
            write(
                root,
                "layouts/story.html",
                "{% extends \"wrapper.html\" %}\n",
            );
        },
        &["wrapper.html", "template error"],
    );
}

#[test]
fn broken_site_yaml() {
    fails_cleanly(
        |root| {
            write(
                root,
                "site.yaml",
                "title: T\ndepartments:\n  - { id: it, name: IT\n",
            )
        },
        &["site.yaml:", "invalid configuration"],
    );
}

#[test]
fn unknown_language_and_orphan_translation() {
    fails_cleanly(
        |root| {
            write(root, "content/glossary/nps.fr.md", "---\nterm: NPS\n---\n");
            write(
                root,
                "content/glossary/churn.pt.md",
                "---\nterm: Evasão\n---\n",
            );
        },
        &[
            "content/glossary/nps.fr.md: unknown language suffix \".fr\"",
            "content/glossary/churn.pt.md: translation without an original: add content/glossary/churn.md",
        ],
    );
}

#[test]
fn unknown_keys_warn_in_build_and_fail_in_check() {
    let site = site_copy("basic");
    write(
        site.path(),
        "content/stories/extra.md",
        "---\ntitle: A\ndate: 2026-01-01\nauthor: X\ndepartment: it\nauthro: Y\n---\nBody\n",
    );
    let o = campfire_in(site.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "content/stories/extra.md:6:1: warning: unknown key `authro` (did you mean `author`?)"
        ),
        "{}",
        stderr(&o)
    );
    let o = campfire_in(site.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("content/stories/extra.md:6:1: unknown key `authro`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn broken_md_links_warn_in_build_and_fail_in_check() {
    let site = site_copy("basic");
    write(
        site.path(),
        "content/pages/links.md",
        "---\ntitle: Links\n---\n\nSee [gone](../stories/gone.md) and [anchor](../stories/snowed-in.md#nope).\n",
    );
    let o = campfire_in(site.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = campfire_in(site.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("content/pages/links.md:5:5: broken link \"../stories/gone.md\""),
        "{err}"
    );
    assert!(
        err.contains("content/pages/links.md:5:36: broken link: content/stories/snowed-in.md has no heading \"#nope\""),
        "{err}"
    );
}

/// Link syntax that Markdown shows as text (a file name with a space, a
/// wiki link, a reference or footnote defined nowhere, a space before the
/// address, an entry named without `.md`), a heading missing its space
/// and a link to the local preview are each a warning at its line and
/// column saying what to write, and fails `check`; the build still
/// publishes the page.
#[test]
fn link_slips_that_markdown_shows_as_text_are_named_with_the_fix() {
    let site = site_copy("basic");
    std::fs::copy(
        site.path().join("content/stories/van.svg"),
        site.path().join("content/stories/van in snow.svg"),
    )
    .unwrap();
    write(
        site.path(),
        "content/pages/slips.md",
        concat!(
            "---\ntitle: Slips\n---\n\n",
            "![Van](../stories/van in snow.svg)\n\n",
            "See [[Snowed In]], [the fix] (../stories/billing-fix.md), [NPS][nps-ref] and [the van](../stories/snowed-in-van).\n\n",
            "Footnote[^1].\n\n##Lessons\n\n[Preview](http://127.0.0.1:1111/stories/snowed-in/index.html)\n",
        ),
    );
    let o = campfire_in(site.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(site.path().join("public/slips/index.html").exists());
    let o = campfire_in(site.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for expected in [
        "content/pages/slips.md:5:1: image \"![Van](../stories/van in snow.svg)\" is shown as text: its address holds a space; write it as <../stories/van in snow.svg>, or with %20 for each space",
        "content/pages/slips.md:7:5: \"[[Snowed In]]\" is shown as text: Markdown has no [[…]] links; write [Snowed In](../stories/snowed-in.md)",
        "content/pages/slips.md:7:20: link \"[the fix] (../stories/billing-fix.md)\" is shown as text: a space between ] and ( breaks it; remove the space",
        "content/pages/slips.md:7:59: link \"[NPS][nps-ref]\" is shown as text: no line \"[nps-ref]: address\" in this file defines [nps-ref]",
        "content/pages/slips.md:7:78: broken link \"../stories/snowed-in-van\": content/stories/snowed-in-van does not exist; did you mean \"../stories/snowed-in-van.md\"?",
        "content/pages/slips.md:9:9: footnote \"[^1]\" is shown as text: no line \"[^1]: …\" in this file says what it notes",
        "content/pages/slips.md:11:1: \"##Lessons\" is shown as text, not as a heading: put a space after the #s (\"## Lessons\")",
        "content/pages/slips.md:13:1: link \"http://127.0.0.1:1111/stories/snowed-in/index.html\" leads to a preview on this computer, which no reader can open",
    ] {
        assert!(err.contains(expected), "{expected}\n---\n{err}");
    }
}

#[test]
fn usage_errors_exit_with_2() {
    let o = campfire(&["build", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    let o = campfire(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `serve --room` answers `/room/` (and the server `/__campfire/`) itself:
/// a page there would be hidden while serving, so it is refused with the
/// reason, for every build.
#[test]
fn a_page_at_the_rooms_address_is_refused() {
    fails_cleanly(
        |root| {
            write(
                root,
                "content/pages/room.md",
                "---\ntitle: Meeting rooms\n---\nBook one.\n",
            )
        },
        &[
            "content/pages/room.md",
            "\"/room/\" is used by Campfire itself",
            "campfire serve --room",
            "rename the file",
        ],
    );
    fails_cleanly(
        |root| {
            write(
                root,
                "content/pages/__campfire/notes.md",
                "---\ntitle: Notes\n---\nHi.\n",
            )
        },
        &["\"/__campfire/\" is used by Campfire itself", "live reload"],
    );
}

/// A UI string site.yaml overrides must be one the theme has: a typo
/// changed nothing, silently, and a new key counted as a string every
/// other language lacked, blamed on the theme's strings.yaml.
#[test]
fn an_unknown_ui_string_in_site_yaml_is_named_with_the_closest_one() {
    let site = site_copy("basic");
    let config = site.path().join("site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let text =
        format!("{text}strings:\n  pt:\n    glosary: Glossário\n  en:\n    glossary_typo: X\n");
    std::fs::write(&config, &text).unwrap();
    let line_of = |key: &str| text.lines().position(|l| l.contains(key)).unwrap() + 1;
    let o = campfire_in(site.path(), &["check"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "check fails on warnings: {err}");
    assert!(
        err.contains(&format!(
            "site.yaml:{}:5: `strings: {{ pt: {{ glosary: … }} }}`: the theme has no UI string `glosary` (did you mean `glossary`?), so it changes nothing",
            line_of("glosary:")
        )),
        "{err}"
    );
    assert!(err.contains("no UI string `glossary_typo`"), "{err}");
    assert!(!err.contains("UI strings have no"), "{err}");
    // The build goes on, with the theme's own strings.
    let public = build(site.path());
    assert!(read(public.join("pt/glossary/index.html")).contains("Glossário"));
}

/// A number with a decimal comma inside `{ … }` is split there by YAML
/// (`before: 7` and a key `4`, or a key `5` twice): the message says so at
/// the file and line, and to write a decimal point.
#[test]
fn a_decimal_comma_inside_braces_says_to_write_a_point() {
    fails_cleanly(
        |root| {
            let case = root.join("content/cases/window-pilot.md");
            let text = std::fs::read_to_string(&case).unwrap();
            let text = text.replace("before: 7.4, after: 3.1", "before: 7,4, after: 3,1");
            std::fs::write(&case, text).unwrap();
            write(
                root,
                "content/cases/nps.md",
                "---\ntitle: N\ndate: 2026-01-01\norganization: O\nmetrics: [{ name: NPS, before: 1,5, after: 3,5, better: higher }]\n---\n",
            );
        },
        &[
            "content/cases/window-pilot.md:9:5: invalid `metrics`, metric 1: a comma ends a field inside `{ … }`, so `before: 7,4` reads as `before: 7` and a field `4`: write `before: 7.4`, a number without quotes, with a point for decimals",
            "content/cases/window-pilot.md:9:5: invalid `metrics`, metric 1: a comma ends a field inside `{ … }`, so `after: 3,1` reads as `after: 3` and a field `1`: write `after: 3.1`",
            "content/cases/nps.md:5:32: a comma ends a field inside `{ … }`, so `before: 1,5` reads as `before: 1` and a field `5`: write `before: 1.5`, a number without quotes, with a point for decimals",
            "content/cases/nps.md:5:44: a comma ends a field inside `{ … }`, so `after: 3,5` reads as `after: 3` and a field `5`: write `after: 3.5`",
        ],
    );
}

/// A list where one value goes is told to keep one, not to be quoted (a
/// quoted `[it, billing]` is one department of that name).
#[test]
fn a_list_where_one_department_goes_says_to_keep_one() {
    fails_cleanly(
        |root| {
            write(
                root,
                "content/stories/two.md",
                "---\ntitle: A\ndate: 2026-01-01\nauthor: X\ndepartment: [it, billing]\n---\nBody\n",
            )
        },
        &[
            "content/stories/two.md:5:13: `department` takes one value, not a list: keep one (`department: it`), or put the text in quotes if its brackets are part of it",
        ],
    );
}

/// A list left open (`tags: [billing, refunds` with no `]`) is named where
/// it was opened: the parser gives up a line later, at the next key or the
/// closing `---`, in its own words.
#[test]
fn a_list_left_open_is_named_where_it_was_opened() {
    fails_cleanly(
        |root| {
            let story = root.join("content/stories/billing-fix.md");
            let text = std::fs::read_to_string(&story).unwrap();
            std::fs::write(
                &story,
                text.replace("tags: [billing]", "tags: [billing, refunds"),
            )
            .unwrap();
        },
        &[
            "content/stories/billing-fix.md:7:7: broken front matter: this list opened with `[` is not closed: end it with `]`",
        ],
    );
}
