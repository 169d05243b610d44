//! An entry's ids checked against site.yaml's lists: departments,
//! touchpoints, values and people. Linking checks every entry it links;
//! loading checks an entry that has errors of its own as far as it could
//! be read (see `schema::read_with_partial`), so that a champion sees every
//! error of the file at once, not the next one after each fix.

use crate::config::SiteConfig;
use crate::diagnostics::{Diagnostics, known_hint};

use super::{Entry, Meta, Story};

/// The ids site.yaml declares.
pub struct KnownIds<'a> {
    departments: Vec<&'a str>,
    touchpoints: Vec<&'a str>,
    values: Vec<&'a str>,
    people: Vec<&'a str>,
}

impl<'a> KnownIds<'a> {
    pub fn of(config: &'a SiteConfig) -> Self {
        KnownIds {
            departments: config.department_ids(),
            touchpoints: config.touchpoints().collect(),
            values: config.values.iter().map(String::as_str).collect(),
            people: config.people.iter().map(|p| p.id.as_str()).collect(),
        }
    }

    /// Reports each id of `e` that site.yaml does not declare. An empty
    /// id is left alone in an entry read `partly` (a value that could not
    /// be read is empty there, and already reported as what it is).
    pub fn check(&self, e: &Entry, partly: bool, diags: &mut Diagnostics) {
        let check = |key: &str,
                     ids: &[String],
                     known: &[&str],
                     what: &str,
                     diags: &mut Diagnostics| {
            for id in ids {
                if partly && id.is_empty() {
                    continue;
                }
                if !known.contains(&id.as_str()) {
                    diags.push(e.error_at(
                        key,
                        Some(id),
                        format!(
                            "unknown {what} \"{id}\" {} — declare it in site.yaml or fix the spelling",
                            known_hint(id, known)
                        ),
                    ));
                }
            }
        };
        let departments = &self.departments;
        match &e.meta {
            Meta::Story(s) => {
                let department = std::slice::from_ref(&s.department);
                check("department", department, departments, "department", diags);
                check(
                    "touchpoints",
                    &s.touchpoints,
                    &self.touchpoints,
                    "touchpoint",
                    diags,
                );
                check("values", &s.values, &self.values, "value", diags);
                self.check_people(e, s, diags);
            }
            Meta::Case(cs) => {
                check(
                    "touchpoints",
                    &cs.touchpoints,
                    &self.touchpoints,
                    "touchpoint",
                    diags,
                );
                check(
                    "departments",
                    &cs.departments,
                    departments,
                    "department",
                    diags,
                );
            }
            Meta::Path(p) => check(
                "departments",
                &p.departments,
                departments,
                "department",
                diags,
            ),
            Meta::Term(t) => {
                let lenses: Vec<String> = t.lenses.keys().cloned().collect();
                check("lenses", &lenses, departments, "department", diags);
            }
            Meta::Page(_) => {}
        }
    }

    /// `author` and `recognized` may name people by id; free text is fine
    /// too, but something that looks like an id and names nobody is likely
    /// a typo (a warning, so `check` catches it).
    fn check_people(&self, e: &Entry, s: &Story, diags: &mut Diagnostics) {
        let people = &self.people;
        if people.is_empty() {
            return;
        }
        let names = std::iter::once(("author", &s.author))
            .chain(s.recognized.iter().map(|r| ("recognized", r)));
        for (key, name) in names {
            if crate::config::is_id(name) && !people.contains(&name.as_str()) {
                let (line, col) = e.locate(key, Some(name));
                diags.warning(
                    &e.source,
                    line,
                    col,
                    format!(
                        "\"{name}\" looks like a person id, but no one in site.yaml's `people` has it {} — fix the id, add the person, or write the name in full",
                        known_hint(name, people)
                    ),
                );
            }
        }
    }
}
