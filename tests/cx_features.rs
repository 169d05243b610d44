//! The CX-specific parts of a site: glossary, translations, auto-linking,
//! case-study charts, training paths and the journey map.

mod common;

use common::*;

#[test]
fn glossary_index_lists_terms_and_aliases_by_letter() {
    let site = site_copy("basic");
    let public = build(site.path());
    let index = read(public.join("glossary/index.html"));
    assert!(index.contains("<h2 id=\"letter-N\">N</h2>"));
    assert!(index.contains("<a href=\"../glossary/nps/index.html\">Net Promoter Score</a>"));
    // The alias has its own entry, pointing at its term.
    assert!(index.contains("<div class=\"alias\"><dt><a href=\"../glossary/nps/index.html\">NPS</a></dt><dd>→ Net Promoter Score</dd></div>"));
    // Accented initials file under their base letter; empty letters are not links.
    assert!(index.contains("<h2 id=\"letter-S\">S</h2>") && index.contains("Satisfação"));
    assert!(index.contains("<span aria-disabled=\"true\">Q</span>"));
}

#[test]
fn term_page_has_lenses_related_translations_and_backlinks() {
    let site = site_copy("basic");
    let public = build(site.path());
    let nps = read(public.join("glossary/nps/index.html"));
    assert!(nps.contains("<h1>Net Promoter Score</h1>"));
    assert!(
        nps.contains("How likely customers are to &lt;recommend&gt; us."),
        "short is escaped"
    );
    // Lenses in site.yaml order, departments without a lens absent.
    let logistics = nps
        .find(">Logistics</a></th><td>Drivers see it after each drop.</td>")
        .expect("logistics lens");
    let it = nps
        .find(">IT</a></th><td>A number in the survey system.</td>")
        .expect("it lens");
    assert!(logistics < it);
    assert!(!nps.contains(">Billing</a></th>"));
    assert!(
        nps.contains("href=\"../../glossary/touchpoint/index.html\">Touchpoint</a>"),
        "related term linked"
    );
    assert!(
        nps.contains("href=\"../../pt/glossary/nps/index.html\" hreflang=\"pt\""),
        "language switcher"
    );
    // Back-links: stories that auto-link or explicitly link the term, the path, not the opted-out story.
    assert!(nps.contains("stories/snowed-in/index.html\">The snowed-in delivery</a>"));
    assert!(nps.contains("stories/billing-fix/index.html\">The &lt;billing&gt; fix"));
    assert!(
        !nps.contains("auto-linking disabled"),
        "autolink: false entries do not mention"
    );
    assert!(
        nps.contains("Step 1 of 4"),
        "path step navigation on the term"
    );
}

#[test]
fn translations_have_their_own_pages_and_strings() {
    let site = site_copy("basic");
    let public = build(site.path());
    let pt = read(public.join("pt/glossary/nps/index.html"));
    assert!(pt.contains("<html lang=\"pt\">"));
    assert!(pt.contains("A probabilidade de os clientes nos recomendarem."));
    assert!(pt.contains("Mencionado em"), "UI strings are translated");
    assert!(pt.contains("O que significa para cada departamento"));
    assert!(
        pt.contains("href=\"../../../glossary/nps/index.html\" hreflang=\"en\""),
        "switch back to English"
    );
    assert!(pt.contains("aria-current=\"page\">Português</a>"));
    // The menu's glossary, marked as the current section, is the one in
    // the page's language, as on an English page it is the English one.
    assert!(
        pt.contains("<a href=\"../../../pt/glossary/index.html\" aria-current=\"page\">"),
        "the menu links to the Portuguese glossary"
    );
    let en = read(public.join("glossary/nps/index.html"));
    assert!(en.contains("<a href=\"../../glossary/index.html\" aria-current=\"page\">"));
    let pt_index = read(public.join("pt/glossary/index.html"));
    assert!(pt_index.contains("Índice de recomendação"));
    assert!(
        pt_index.contains("<h2 id=\"letter-I\">I</h2>"),
        "Í files under I"
    );
}

#[test]
fn autolinks_first_mentions_only_outside_code_links_and_headings() {
    let site = site_copy("basic");
    let public = build(site.path());
    let story = read(public.join("stories/snowed-in/index.html"));
    let body = &story[story.find("<div class=\"prose\">").unwrap()..];
    let body = &body[..body.find("</div>").unwrap()];
    // "Net Promoter Score" (longest match, before its alias NPS) links once, with its tooltip.
    assert_eq!(body.matches("class=\"term-link\"").count(), 1, "{body}");
    assert!(body.contains("aria-describedby=\"tip-nps\">Net Promoter Score</a><span class=\"term-tip\" role=\"tooltip\" id=\"tip-nps\">How likely customers are to &lt;recommend&gt; us.</span>"), "{body}");
    assert!(body.contains("<code>NPS</code>"), "never inside code");
    assert!(
        body.contains("<a href=\"../../glossary/nps/index.html\">NPS</a>"),
        "explicit links are left alone"
    );
    assert!(
        body.contains("id=\"what-we-learned\">What we learned"),
        "headings are not linked"
    );

    let billing = read(public.join("stories/billing-fix/index.html"));
    // Sentence start, non-ASCII term, and a second term in the same entry.
    assert!(
        billing.contains(
            "glossary/satisfacao/index.html\" aria-describedby=\"tip-satisfacao\">Satisfação</a>"
        ),
        "{billing}"
    );
    assert!(billing.contains(">net promoter score</a>"));

    let opted_out = read(public.join("stories/snowed-in-van/index.html"));
    assert!(!opted_out.contains("term-link"), "autolink: false");

    // Case studies are auto-linked too.
    let case = read(public.join("cases/window-pilot/index.html"));
    assert!(case.contains("aria-describedby=\"tip-touchpoint\">touchpoint</a>"));
}

#[test]
fn case_study_chart_is_inline_svg_with_text_equivalent() {
    let site = site_copy("basic");
    let public = build(site.path());
    let case = read(public.join("cases/window-pilot/index.html"));
    assert!(case.contains("<div class=\"metrics-chart\" role=\"img\" aria-label=\"Missed deliveries: 7.4% → 3.1% (−4.3 points (−58% relative), better). Handle time: 5 min → 6 min (+1 min, worse).\">"), "{case}");
    assert!(case.contains("<svg class=\"chart-bars\" aria-hidden=\"true\">"));
    assert!(case.contains("<li class=\"chart-metric worse\">"));
    // A percentage changes in points; other units are spaced.
    assert!(
        case.contains(
            "<span class=\"verdict verdict-better\">−4.3 points (−58% relative), better</span>"
        ),
        "{case}"
    );
    assert!(
        case.contains("<td data-label=\"Before\">5 min</td>"),
        "{case}"
    );
    // The chart is drawn with no JavaScript: the only scripts are the
    // theme's deferred files and one line that hides a page opened as its
    // slides (`?present`) until they are shown.
    let inline: Vec<&str> = case
        .split("<script>")
        .skip(1)
        .map(|s| &s[..s.find("</script>").unwrap()])
        .collect();
    assert_eq!(inline.len(), 1, "{inline:?}");
    assert!(inline[0].contains("\"presenting\""), "{}", inline[0]);
    assert_eq!(
        case.matches("<script").count(),
        case.matches("<script src=").count() + 1
    );
}

#[test]
fn training_path_pages_and_printable_handout() {
    let site = site_copy("basic");
    let public = build(site.path());
    let page = read(public.join("paths/foundations/index.html"));
    let path = &page[page.find("<ol class=\"steps\">").expect("steps list")..];
    let steps: Vec<usize> = [
        "glossary/nps/",
        "stories/snowed-in/",
        "cases/window-pilot/",
        "about/",
    ]
    .iter()
    .map(|u| {
        path.find(&format!("href=\"../../{u}index.html?path=foundations\""))
            .unwrap_or_else(|| panic!("{u} step"))
    })
    .collect();
    assert!(steps.windows(2).all(|w| w[0] < w[1]), "steps in order");
    assert!(path.contains("<p class=\"step-note\">Start with the number.</p>"));
    assert!(page.contains("href=\"../../paths/foundations/print/index.html\""));

    // Steps are linked with the path's name, so their page can show where the reader is.
    assert!(path.contains("href=\"../../stories/snowed-in/index.html?path=foundations\""));

    let story = read(public.join("stories/snowed-in/index.html"));
    // The path context is there, compact, and hidden unless the reader came from the path.
    assert!(story.contains("<nav class=\"path-nav\" data-path=\"foundations\" aria-label=\"Training path: Foundations\" hidden>"), "{story}");
    assert!(
        story.contains(
            "Step 2 of 4 · <a href=\"../../paths/foundations/index.html\">Foundations</a>"
        )
    );
    assert!(story.contains(
        "rel=\"prev\" href=\"../../glossary/nps/index.html?path=foundations\"><span aria-hidden=\"true\">←</span> <span class=\"path-dir\">Previous</span><span class=\"visually-hidden\">: Net Promoter Score</span></a>"
    ), "{story}");
    assert!(
        story.contains(
            "rel=\"next\" href=\"../../cases/window-pilot/index.html?path=foundations\">"
        )
    );

    let print = read(public.join("paths/foundations/print/index.html"));
    assert!(print.contains("class=\"print-view\""));
    assert_eq!(print.matches("<section class=\"print-step").count(), 4);
    assert!(
        print.contains("The road was closed, so we walked the last mile."),
        "step content is included"
    );
    assert!(
        print.contains("id=\"tip-s2-nps\""),
        "tooltip ids stay unique on the combined page"
    );
    // A term step keeps its definition and its lenses; a case step its chart and metrics.
    let term_step =
        &print[print.find("print-step-term").unwrap()..print.find("print-step-story").unwrap()];
    assert!(
        term_step.contains("How likely customers are to &lt;recommend&gt; us."),
        "{term_step}"
    );
    assert!(
        term_step
            .contains("<th scope=\"row\">Logistics</th><td>Drivers see it after each drop.</td>"),
        "{term_step}"
    );
    let case_step = &print[print.find("print-step-case").unwrap()..];
    assert!(
        case_step.contains("class=\"metrics-chart\"")
            && case_step.contains("class=\"metrics-table\"")
    );
    // Trainer-only sections are marked, and the handout's CSS leaves them out.
    assert!(
        print.contains(
            "<div class=\"trainer-only\">\n<h2 id=\"intro-running-the-session\" class=\"trainer\">"
        ),
        "{print}"
    );
    let trainer = &print[print.find("trainer-only").unwrap()..];
    assert!(trainer.find("Ten minutes per step").unwrap() < trainer.find("</div>").unwrap());
    assert!(trainer.find("</div>").unwrap() < trainer.find("Take-aways").unwrap());
    // Heading ids are unique on the combined page.
    let mut ids: Vec<&str> = print
        .split(" id=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "duplicate ids: {print}");
    assert!(print.contains(">Print this handout (or save as PDF)</button>"));
    let css = read(public.join("assets/campfire.css"));
    assert!(
        css.contains("@page { size: auto;")
            && css.contains(".print-view .trainer-only { display: none; }")
    );
}

#[test]
fn journey_map_counts_stories_and_cases_per_touchpoint() {
    let site = site_copy("basic");
    let public = build(site.path());
    let journey = read(public.join("journey/index.html"));
    let discover = journey.find("Discover").unwrap();
    let receive = journey.find("Receive").unwrap();
    assert!(discover < receive, "stages in site.yaml order");
    assert!(journey.contains("href=\"../touchpoints/delivery/index.html\"><span class=\"tp-name\">Delivery</span> <span class=\"tp-counts\">2 stories, 1 case</span>"), "{journey}");
    // An empty touchpoint invites a story, and its page says how to write one.
    assert!(journey.contains(
        "<li class=\"tp-empty\"><a href=\"../touchpoints/installation/index.html\"><span class=\"tp-name\">Installation</span> <span class=\"tp-counts\">No story yet — write the first</span>"
    ), "{journey}");
    let empty = read(public.join("touchpoints/installation/index.html"));
    assert!(
        empty.contains("No story yet — write the first")
            && empty.contains("<code>touchpoints: [installation]</code>"),
        "{empty}"
    );
    // On /journey/ the stages are h2 under the h1 (no skipped level); on the home page, h3 under h2.
    assert!(
        journey.contains(
            "<h2><span class=\"stage-number\" aria-hidden=\"true\">1</span> Discover</h2>"
        )
    );
    let home = read(public.join("index.html"));
    assert!(
        home.contains(
            "<h3><span class=\"stage-number\" aria-hidden=\"true\">1</span> Discover</h3>"
        )
    );
    let tp = read(public.join("touchpoints/delivery/index.html"));
    assert!(tp.contains("Delivery window pilot") && tp.contains("The snowed-in delivery"));
}
