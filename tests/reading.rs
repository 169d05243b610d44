//! The reading experience: department pages through their lens, every UI
//! string translated (and `check` naming what is not), names of
//! vocabularies per language, the glossary's fallback to the default
//! language, and path navigation that stays in the page's language.

mod common;

use common::*;

fn write(root: &std::path::Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Text between `from` and the next `to` after it.
fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("{from:?} not in page"));
    let rest = &text[start..];
    &rest[..rest.find(to).unwrap_or(rest.len())]
}

#[test]
fn department_page_reads_every_term_through_its_lens() {
    let site = site_copy("basic");
    let public = build(site.path());
    let page = read(public.join("departments/logistics/index.html"));
    // The lens first: the department's own text, not the general definition.
    let lenses = between(&page, "class=\"glossary-list lens-list\"", "</dl>");
    assert!(
        lenses.contains("<dt><a href=\"../../glossary/nps/index.html\">Net Promoter Score</a></dt><dd>Drivers see it after each drop.</dd>"),
        "{lenses}"
    );
    assert!(
        !lenses.contains("How likely customers"),
        "no general text among lenses"
    );
    // Every other term too, with its general definition, marked as such.
    let general = between(&page, "lens-general", "</dl>");
    assert!(
        general.contains("<dt><a href=\"../../glossary/touchpoint/index.html\">Touchpoint</a></dt><dd><span class=\"badge badge-general\">General definition</span> Any moment where a customer meets us.</dd>"),
        "{general}"
    );
    assert!(general.contains("Satisfação"), "{general}");
    assert!(page.contains("No Logistics lens yet"));
    // Its stories, its case and its path (declared with `departments:`).
    let stories = between(&page, "id=\"stories-h\"", "</section>");
    assert!(stories.contains("The snowed-in delivery"), "{stories}");
    assert!(
        !stories.contains("billing"),
        "only this department's stories"
    );
    assert!(between(&page, "id=\"cases-h\"", "</section>").contains("Delivery window pilot"));
    assert!(between(&page, "id=\"paths-h\"", "</section>").contains("Foundations"));
    // The same counts on the page and on the index.
    let counts = between(&page, "<p class=\"muted department-counts\">", " · <a href");
    let stories_n = std::fs::read_dir(site.path().join("content/stories"))
        .unwrap()
        .filter(|e| {
            let text = std::fs::read_to_string(e.as_ref().unwrap().path()).unwrap_or_default();
            text.contains("department: logistics") && !text.contains("draft: true")
        })
        .count();
    assert!(
        counts.contains(&format!(
            "{stories_n} stories · 1 case · 1 training path · 1 of 3 terms with a lens"
        )),
        "{counts}"
    );
    let index = read(public.join("departments/index.html"));
    let item = between(
        &index,
        "<a href=\"../departments/logistics/index.html\">Logistics</a>",
        "</li>",
    );
    assert!(
        item.contains(&counts["<p class=\"muted department-counts\">".len()..]),
        "{item} vs {counts}"
    );
    // A department with nothing yet still shows the whole vocabulary.
    let billing = read(public.join("departments/billing/index.html"));
    assert!(billing.contains("0 cases · 0 training paths · 0 of 3 terms with a lens"));
    assert_eq!(billing.matches("badge-general").count(), 3);
}

#[test]
fn departments_of_cases_and_paths_are_checked() {
    let site = site_copy("basic");
    let case = site.path().join("content/cases/window-pilot.md");
    let text = read(&case).replace("departments: [logistics]", "departments: [logistcs]");
    std::fs::write(&case, text).unwrap();
    let o = campfire_in(site.path(), &["check"]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("content/cases/window-pilot.md:5:")
            && err.contains("unknown department \"logistcs\"")
            && err.contains("did you mean \"logistics\""),
        "{err}"
    );
}

#[test]
fn translated_pages_use_translated_strings_and_names() {
    let site = site_copy("basic");
    let config = site.path().join("site.yaml");
    let text = read(&config)
        + "names:\n  pt:\n    logistics: Logística\n    Receive: Receber\n    delivery: Entrega\n";
    std::fs::write(&config, text).unwrap();
    let o = campfire_in(site.path(), &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let public = build(site.path());
    let pt = read(public.join("pt/glossary/nps/index.html"));
    // Chrome, menu and footer in Portuguese.
    for s in [
        "aria-label=\"Menu principal\"",
        ">Ir para o conteúdo</a>",
        ">Histórias</a>",
        "Feito com Campfire",
        ">Departamentos</a>",
        "placeholder=\"Pesquisar histórias, termos, casos…\"",
    ] {
        assert!(pt.contains(s), "{s} missing");
    }
    for english in [
        ">Stories<",
        "Made with Campfire",
        "aria-label=\"Main",
        ">Skip to content<",
    ] {
        assert!(
            !pt.contains(english),
            "English {english} on a Portuguese page"
        );
    }
    // The department's name in the lens table is translated.
    assert!(
        pt.contains(">Logística</a></th><td>Os motoristas veem após cada entrega.</td>"),
        "{pt}"
    );
    // An unknown id under `names` is an error at its line.
    let bad = read(&config).replace("    delivery: Entrega\n", "    delivry: Entrega\n");
    let line = bad.lines().position(|l| l.contains("delivry")).unwrap() + 1;
    std::fs::write(&config, bad).unwrap();
    let o = campfire_in(site.path(), &["check"]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains(&format!("site.yaml:{line}:5: `names.pt.delivry`")),
        "{err}"
    );
}

#[test]
fn check_names_ui_strings_missing_per_language() {
    // The default theme is complete in pt and es: nothing to report.
    let site = site_copy("basic");
    let o = campfire_in(site.path(), &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("UI strings"), "{}", stderr(&o));

    // A site's own strings.yaml missing keys for pt, and a language with none at all.
    let config = site.path().join("site.yaml");
    std::fs::write(
        &config,
        read(&config).replace("languages: [pt]", "languages: [pt, fr]"),
    )
    .unwrap();
    write(
        site.path(),
        "layouts/strings.yaml",
        "en:\n  campfire_new_key: Our new label\npt:\n  stories: Relatos\n",
    );
    let o = campfire_in(site.path(), &["check"]);
    assert!(!o.status.success(), "check fails on warnings");
    let err = stderr(&o);
    assert!(
        err.contains("layouts/strings.yaml:3:1: 1 of ")
            && err.contains("UI strings have no \"pt\" text and show in English: campfire_new_key"),
        "{err}"
    );
    // fr has no strings anywhere: the message points at where the site declares it.
    assert!(
        err.contains("site.yaml:4:")
            && err.contains("UI strings have no \"fr\" text and show in English: ")
            && err.contains("under `fr:`"),
        "{err}"
    );
    // build still succeeds, showing English where a string is missing.
    let public = build(site.path());
    let pt = read(public.join("pt/glossary/index.html"));
    assert!(
        pt.contains(">Relatos</a>"),
        "the site's own override is used"
    );
}

#[test]
fn glossary_in_another_language_lists_every_term() {
    let site = site_copy("basic");
    let public = build(site.path());
    let pt = read(public.join("pt/glossary/index.html"));
    // The translated term, in Portuguese, linked beside the index.
    assert!(
        pt.contains("<a href=\"../../pt/glossary/nps/index.html\">Net Promoter Score</a></dt><dd>A probabilidade")
    );
    // Untranslated terms are listed too, in English, marked and linked to the English page.
    assert!(
        pt.contains("<div class=\"untranslated\" lang=\"en\"><dt><a href=\"../../glossary/touchpoint/index.html\" hreflang=\"en\">Touchpoint</a></dt><dd><span class=\"badge badge-untranslated\" lang=\"pt\">Ainda não traduzido</span> Any moment where a customer meets us.</dd></div>"),
        "{pt}"
    );
    assert!(pt.contains("Satisfação"));
    assert!(
        pt.contains(
            "Os termos ainda não traduzidos aparecem no idioma principal do site (English)"
        )
    );
    // And the reader can switch language.
    assert!(
        pt.contains("href=\"../../glossary/index.html\" hreflang=\"en\" lang=\"en\">English</a>")
    );
}

#[test]
fn path_navigation_stays_in_the_page_language() {
    let site = site_copy("basic");
    write(
        site.path(),
        "content/glossary/touchpoint.pt.md",
        "---\nterm: Ponto de contato\nshort: Qualquer momento em que um cliente nos encontra.\n---\n\nQualquer ponto de contato.\n",
    );
    write(
        site.path(),
        "content/paths/vocabulary.md",
        "---\ntitle: Vocabulary\nsteps:\n  - term: nps\n  - term: touchpoint\n  - term: satisfacao\n---\n\nTwo terms.\n",
    );
    let public = build(site.path());
    let pt = read(public.join("pt/glossary/nps/index.html"));
    let nav = between(&pt, "data-path=\"vocabulary\"", "</nav>");
    // The next step exists in Portuguese: the link stays in Portuguese.
    assert!(
        nav.contains(
            "rel=\"next\" href=\"../../../pt/glossary/touchpoint/index.html?path=vocabulary\""
        ),
        "{nav}"
    );
    let pt_touchpoint = read(public.join("pt/glossary/touchpoint/index.html"));
    let nav = between(&pt_touchpoint, "data-path=\"vocabulary\"", "</nav>");
    assert!(
        nav.contains("rel=\"prev\" href=\"../../../pt/glossary/nps/index.html?path=vocabulary\""),
        "{nav}"
    );
    // Where there is no translation, the default language's page.
    assert!(
        nav.contains(
            "rel=\"next\" href=\"../../../glossary/satisfacao/index.html?path=vocabulary\""
        ),
        "{nav}"
    );
    assert!(nav.contains("Próximo"), "{nav}");
}

const ENGLISH_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The text a reader sees: tags and their attributes left out (an
/// `href` may hold any word).
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn dates_are_written_in_the_sites_language() {
    // A site written in Portuguese: every page is in Portuguese, and so is
    // every date (stories are in the site's language; terms have none).
    let site = site_copy("basic");
    let yaml = read(site.path().join("site.yaml")).replace(
        "language: en\nlanguages: [pt]",
        "language: pt\nlanguages: [en]",
    );
    assert!(yaml.contains("language: pt"));
    std::fs::write(site.path().join("site.yaml"), &yaml).unwrap();
    std::fs::rename(
        site.path().join("content/glossary/nps.pt.md"),
        site.path().join("content/glossary/nps.en.md"),
    )
    .unwrap();
    let story = read(site.path().join("content/stories/snowed-in.md"))
        .replace("date: 2026-01-10", "date: 2026-03-12");
    write(site.path(), "content/stories/snowed-in.md", &story);
    let public = build(site.path());
    for page in [
        "stories/snowed-in/index.html",
        "stories/index.html",
        "index.html",
        "departments/logistics/index.html",
        "people/ana-lima/index.html",
        "coverage/index.html",
    ] {
        let html = read(public.join(page));
        let text = visible_text(&html);
        for m in ENGLISH_MONTHS {
            assert!(!text.contains(m), "{page} shows {m}");
        }
        if page != "coverage/index.html" {
            assert!(html.contains("12 de março de 2026"), "{page}");
            // The machine-readable form stays ISO 8601.
            assert!(html.contains("<time datetime=\"2026-03-12\">"), "{page}");
        }
    }
    assert!(
        read(public.join("feed.xml")).contains("<updated>2026-03-12T00:00:00Z</updated>"),
        "feeds keep RFC 3339"
    );

    // The words and the pattern are UI strings a site may restyle.
    std::fs::write(
        site.path().join("site.yaml"),
        format!("{yaml}strings:\n  pt:\n    date_long: \"{{day}}/{{month}}/{{year}}\"\n    month_3: \"mar.\"\n"),
    )
    .unwrap();
    let public = build(site.path());
    assert!(
        read(public.join("stories/snowed-in/index.html"))
            .contains("<time datetime=\"2026-03-12\">12/mar./2026</time>")
    );
}

/// Programme views (department backstage line, blueprint, recognition
/// wall) name touchpoints, stages and values as site.yaml's `names:` does
/// for the site's language, like every other page, not from their ids.
#[test]
fn programme_views_use_the_names_of_the_sites_language() {
    let site = site_copy("basic");
    let yaml = read(site.path().join("site.yaml")).replace(
        "language: en\nlanguages: [pt]",
        "language: pt\nlanguages: [en]",
    );
    std::fs::write(
        site.path().join("site.yaml"),
        format!("{yaml}names:\n  pt:\n    delivery: Entrega em casa\n    Receive: Receber\n    empathy: Empatia\n    logistics: Logística\n"),
    )
    .unwrap();
    std::fs::rename(
        site.path().join("content/glossary/nps.pt.md"),
        site.path().join("content/glossary/nps.en.md"),
    )
    .unwrap();
    let public = build(site.path());
    let department = read(public.join("departments/logistics/index.html"));
    assert!(
        department.contains(">Entrega em casa</a>"),
        "{}",
        between(&department, "department-counts", "</section>")
    );
    let blueprint = read(public.join("journey/blueprint/index.html"));
    assert!(blueprint.contains("Entrega em casa"), "touchpoint");
    assert!(blueprint.contains("Receber"), "stage");
    assert!(
        !blueprint.contains(">Delivery<"),
        "no name made from the id"
    );
    // Coverage cells are titled in the site's language, like their heading.
    let mut cells = 0;
    for (path, bytes) in snapshot(&public.join("coverage")) {
        let html = String::from_utf8_lossy(&bytes);
        let title = between(&html, "<title>", "</title>");
        assert!(
            !title.contains("Case studies") && !title.contains("No stage"),
            "{}: {title}",
            path.display()
        );
        cells += usize::from(title.starts_with("<title>Estudos de caso · "));
    }
    assert!(cells > 0, "the fixture has case cells");
    // The department's feed: its name and language as readers see them.
    let feed = read(public.join("departments/logistics/feed.xml"));
    assert!(feed.contains("xml:lang=\"pt\""), "{feed}");
    assert!(
        feed.contains("<title>Fixture Stories · Logística</title>"),
        "{feed}"
    );
    let wall = read(public.join("values/empathy/index.html"));
    assert!(
        between(&wall, "<h1>", "</h1>").contains("Empatia"),
        "{}",
        between(&wall, "<h1>", "</h1>")
    );
}

/// Slides speak the language of their entry: a translated term's lens
/// slides name departments as that language does, and a case's metric
/// slides say "pontos … melhor" on a Portuguese site.
#[test]
fn present_views_are_in_their_entrys_language() {
    let site = site_copy("basic");
    let yaml = read(site.path().join("site.yaml"));
    std::fs::write(
        site.path().join("site.yaml"),
        format!("{yaml}names:\n  pt:\n    logistics: Logística\n"),
    )
    .unwrap();
    let public = build(site.path());
    let page = read(public.join("pt/glossary/nps/index.html"));
    // The slides it holds (see `render::pages::present`).
    let slides = between(&page, "<template id=\"deck-template\"", "</template>");
    assert!(slides.contains("Logística"), "lens slide and chooser");
    assert!(!visible_text(slides).contains("Logistics"));

    let yaml = yaml.replace(
        "language: en\nlanguages: [pt]",
        "language: pt\nlanguages: [en]",
    );
    std::fs::write(site.path().join("site.yaml"), yaml).unwrap();
    std::fs::rename(
        site.path().join("content/glossary/nps.pt.md"),
        site.path().join("content/glossary/nps.en.md"),
    )
    .unwrap();
    let public = build(site.path());
    let page = read(public.join("cases/window-pilot/index.html"));
    // The slides it holds (see `render::pages::present`).
    let slides = between(&page, "<template id=\"deck-template\"", "</template>");
    assert!(
        slides.contains("−4.3 pontos (−58% relativo), melhor"),
        "{}",
        between(slides, "metric-change", "</p>")
    );
    assert!(!slides.contains("points"));
}

/// A department and a touchpoint (and a value) that share the id
/// `billing` are each shown by their own name wherever they appear: their
/// pages, a story's links, the stories list's filters, the journey and the
/// blueprint, in the site's language and on a translated term's lenses
/// (a lookup by id alone gave the touchpoint the department's name).
#[test]
fn a_shared_id_shows_each_kinds_own_name() {
    let site = site_copy("basic");
    let yaml = read(site.path().join("site.yaml"))
        .replace(
            "{ id: billing, name: Billing }",
            "{ id: billing, name: Accounts }",
        )
        .replace("touchpoints: [website]", "touchpoints: [website, billing]")
        .replace(
            "values: [empathy, ownership]",
            "values: [empathy, ownership, billing]",
        )
        + "names:\n  pt:\n    department.billing: Faturação\n    touchpoint.billing: Fatura\n    value.billing: Cobrança certa\n    logistics: Logística\n    Discover: Descobrir\n";
    write(site.path(), "site.yaml", &yaml);
    let story = read(site.path().join("content/stories/billing-fix.md")).replace(
        "touchpoints: [website]",
        "touchpoints: [website, billing]\nvalues: [billing]",
    );
    write(site.path(), "content/stories/billing-fix.md", &story);
    let nps = read(site.path().join("content/glossary/nps.pt.md")).replace(
        "  logistics: \"Os motoristas veem após cada entrega.\"",
        "  logistics: \"Os motoristas veem após cada entrega.\"\n  billing: \"A equipa lê as faturas.\"",
    );
    write(site.path(), "content/glossary/nps.pt.md", &nps);

    // (department, touchpoint, value) as each page should show them.
    // A link's text (up to its `</a>`) is `name`, or holds it in an element.
    let shows = |link: &str, name: &str| {
        link.ends_with(&format!(">{name}")) || link.contains(&format!(">{name}<"))
    };
    let check = |public: &std::path::Path, (d, t, v): (&str, &str, &str)| {
        let h1 = |rel: &str| {
            let page = read(public.join(rel));
            between(&page, "<h1", "</h1>").to_string()
        };
        assert!(
            h1("departments/billing/index.html").contains(d),
            "department page"
        );
        let touchpoint = h1("touchpoints/billing/index.html");
        assert!(
            touchpoint.contains(t) && !touchpoint.contains(d),
            "touchpoint page: {touchpoint}"
        );
        assert!(h1("values/billing/index.html").contains(v), "value wall");
        let story = read(public.join("stories/billing-fix/index.html"));
        for (href, name) in [
            ("departments/billing/index.html", d),
            ("touchpoints/billing/index.html", t),
            ("values/billing/index.html", v),
        ] {
            let link = between(&story, &format!("{href}\""), "</a>");
            assert!(
                link.ends_with(&format!(">{name}")),
                "story's link to {href}: {link}"
            );
        }
        let journey = read(public.join("journey/index.html"));
        let link = between(&journey, "touchpoints/billing/index.html\"", "</a>");
        assert!(shows(link, t), "journey: {link}");
        let blueprint = read(public.join("journey/blueprint/index.html"));
        let link = between(&blueprint, "touchpoints/billing/index.html\"", "</a>");
        assert!(shows(link, t), "blueprint: {link}");
        let stories = read(public.join("stories/index.html"));
        for name in [d, t, v] {
            assert!(
                stories.contains(&format!(">{name}")),
                "stories' filters name {name}"
            );
        }
    };
    let o = campfire_in(site.path(), &["check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let public = build(site.path());
    check(&public, ("Accounts", "Billing", "Billing"));
    let term = read(public.join("pt/glossary/nps/index.html"));
    assert!(term.contains(">Faturação</a></th>"), "the pt term's lens");

    // The same site in Portuguese, English its other language.
    write(
        site.path(),
        "site.yaml",
        &yaml.replace(
            "language: en\nlanguages: [pt]",
            "language: pt\nlanguages: [en]",
        ),
    );
    std::fs::rename(
        site.path().join("content/glossary/nps.pt.md"),
        site.path().join("content/glossary/nps.en.md"),
    )
    .unwrap();
    let public = build(site.path());
    check(&public, ("Faturação", "Fatura", "Cobrança certa"));
    // People and coverage name departments and stages as `names:` does
    // for the site's language too (they showed site.yaml's `name` and
    // `stage`), and so do the search's filters.
    let people = read(public.join("people/index.html"));
    assert!(people.contains(">Logística</a>"), "people's groups");
    let person = read(public.join("people/ana-lima/index.html"));
    assert!(person.contains(">Logística</a>"), "a person's department");
    let coverage = read(public.join("coverage/index.html"));
    assert!(coverage.contains(">Faturação</a></th>"), "coverage row");
    assert!(coverage.contains("Descobrir"), "coverage column");
    assert!(!coverage.contains("Discover"), "coverage column");
    let search: String = snapshot(&public.join("search"))
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    for name in ["Faturação", "Fatura", "Cobrança certa"] {
        assert!(search.contains(name), "search filters name {name}");
    }
}
