//! Reading front matter into the typed structs of `entry.rs`, keeping every
//! problem of a file.
//!
//! serde stops at the first error, but champions must see all of a file's
//! mistakes at once. So a mapping is first deserialized whole (the common,
//! fast case); only when that fails is it diagnosed key by key: unknown keys,
//! then each known key on its own, then the required keys that are absent.
//! Everything the diagnosis knows (key names, which are required, how values
//! are checked) comes from the struct itself.

use std::path::Path;

use serde::Serialize;
use serde::de::{DeserializeOwned, Deserializer, Visitor};
use serde_yaml::{Mapping, Value};

use super::frontmatter::locate;
use crate::diagnostics::{Diagnostics, did_you_mean};

/// Stands for the key's name in the messages of [`de`]: a `deserialize_with`
/// function does not know which field it is reading.
const KEY: &str = "{key}";
/// The key's bare name, for examples inside a message (`tags: [a, b]`).
const NAME: &str = "{name}";

/// Where a front matter mapping came from, for messages.
pub(super) struct Origin<'a> {
    pub source: &'a Path,
    pub yaml: &'a str,
    pub yaml_line: usize,
    /// "story", "term"…, for hints.
    pub what: &'a str,
    /// Keys every kind accepts, read apart; only for "did you mean".
    pub shared: &'a [&'a str],
}

/// The item a list's problem names (`metric 2: …`, `step 3 must …`).
fn item_number(message: &str) -> Option<usize> {
    ["metric ", "step "].into_iter().find_map(|word| {
        let at = message.find(word)? + word.len();
        let digits: String = message[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok().filter(|&n| n > 0)
    })
}

/// The key of a map a problem names (`the lens of "it" is empty`).
fn map_key_named(message: &str) -> Option<&str> {
    let rest = &message[message.find("the lens of \"")? + "the lens of \"".len()..];
    rest.split_once('"').map(|(key, _)| key)
}

/// Where `sub:` is, in the map under the top-level `key:` (a block of
/// indented lines, or `{ … }` on the key's own line): its line (0-based)
/// and column (0-based).
fn map_key(yaml: &str, key: &str, sub: &str) -> Option<(usize, usize)> {
    let is_sub = |text: &str| {
        text.strip_prefix(sub)
            .is_some_and(|r| r.trim_start().starts_with(':'))
    };
    let mut lines = yaml.lines().enumerate();
    let (at, first) = lines.find(|(_, l)| {
        l.strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with(':'))
    })?;
    // Inline: `lenses: { it: "", logistics: Vans }`.
    let inline = first.match_indices([' ', '{', ',']).find_map(|(i, _)| {
        let after = &first[i + 1..];
        let text = after.trim_start();
        is_sub(text).then(|| first.len() - text.len())
    });
    if inline.is_some() {
        return inline.map(|c| (at, c));
    }
    for (i, line) in lines {
        let text = line.trim_start();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if text.len() == line.len() {
            return None; // the next top-level key
        }
        if is_sub(text) {
            return Some((i, line.len() - text.len()));
        }
    }
    None
}

/// Where the `n`th item (1-based) of the block list under the top-level
/// `key:` starts: its line (0-based, in `yaml`) and the column after its
/// `- `. `None` for a list written inline (`key: [a, b]`).
fn list_item(yaml: &str, key: &str, n: usize) -> Option<(usize, usize)> {
    let mut lines = yaml.lines().enumerate();
    lines.find(|(_, l)| {
        l.strip_prefix(key)
            .and_then(|r| r.trim_start().strip_prefix(':'))
            .is_some_and(|r| r.trim().is_empty() || r.trim_start().starts_with('#'))
    })?;
    let mut item_indent = None;
    let mut count = 0;
    for (i, line) in lines {
        let content = line.trim_start();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        let is_item = content == "-" || content.starts_with("- ");
        match item_indent {
            None if is_item => item_indent = Some(indent),
            // The next key: the list is over.
            None => return None,
            Some(at) if indent < at || (indent == at && !is_item) => return None,
            Some(_) => {}
        }
        if is_item && Some(indent) == item_indent {
            count += 1;
            if count == n {
                let after = content[1..].len() - content[1..].trim_start().len();
                return Some((i, indent + 1 + after));
            }
        }
    }
    None
}

/// Deserializes `map` into `T`, reporting every problem to `diags`. Unknown
/// keys are warnings (`check` promotes them) and are otherwise ignored.
/// Returns `None` when an error was reported.
pub(super) fn read<T>(map: Mapping, origin: &Origin, diags: &mut Diagnostics) -> Option<T>
where
    T: DeserializeOwned + Default + Serialize,
{
    read_with_partial(map, origin, diags, &mut None)
}

/// [`read`], and when it fails, the value as far as it could be read into
/// `partial`: each key whose value read alone, the rest their defaults
/// (so that the entry's ids can still be checked: every error of a file
/// at once). `None` there too when the defaults themselves do not read.
pub(super) fn read_with_partial<T>(
    map: Mapping,
    origin: &Origin,
    diags: &mut Diagnostics,
    partial: &mut Option<T>,
) -> Option<T>
where
    T: DeserializeOwned + Default + Serialize,
{
    let value = Value::Mapping(map);
    if let Ok(t) = T::deserialize(&value) {
        return Some(t);
    }
    let Value::Mapping(mut map) = value else {
        unreachable!("built as a mapping above")
    };
    let fields = field_names::<T>();
    let mut failed = false;
    map.retain(|key, _| {
        let name = key_name(key);
        if fields.contains(&name.as_str()) {
            return true;
        }
        let (line, col) = locate(origin.yaml, origin.yaml_line, &name, None);
        let known = || fields.iter().chain(origin.shared).copied();
        let hint = match did_you_mean(&name, known()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "a {} accepts: {}",
                origin.what,
                known().collect::<Vec<_>>().join(", ")
            ),
        };
        diags.warning(
            origin.source,
            line,
            col.saturating_sub(name.len() + 2).max(1),
            format!("unknown key `{name}` ({hint})"),
        );
        false
    });
    // Each key alone: the only possible errors are its value's, or the
    // "missing field" of the keys left out on purpose.
    // The keys whose values read alone: what a partial value is made of.
    let mut read_alone = Mapping::new();
    for (key, value) in &map {
        let name = key_name(key);
        let mut one = Mapping::new();
        one.insert(key.clone(), value.clone());
        let problem = T::deserialize(&Value::Mapping(one))
            .err()
            .map(|e| e.to_string())
            .filter(|message| !is_missing_field(message));
        if let Some(message) = problem {
            // A list's items each report their own problem, one a line.
            for message in message.lines() {
                let (line, col) = item_number(message)
                    .and_then(|n| list_item(origin.yaml, &name, n))
                    .or_else(|| map_key_named(message).and_then(|k| map_key(origin.yaml, &name, k)))
                    .map(|(i, c)| (origin.yaml_line + i, c + 1))
                    .unwrap_or_else(|| locate(origin.yaml, origin.yaml_line, &name, None));
                let message = if message.contains(KEY) || message.contains(NAME) {
                    message
                        .replace(KEY, &format!("`{name}`"))
                        .replace(NAME, &name)
                } else {
                    format!("invalid `{name}`: {message}")
                };
                diags.error(origin.source, line, col, message);
            }
            failed = true;
        } else {
            read_alone.insert(key.clone(), value.clone());
        }
    }
    for key in required_fields::<T>() {
        if !map.contains_key(key) {
            let example = match key {
                "date" => format!("date: {}", chrono::Local::now().format("%Y-%m-%d")),
                "department" => "department: <an id from site.yaml>".to_string(),
                "steps" => "steps: [{ story: some-story-slug }]".to_string(),
                k => format!("{k}: ..."),
            };
            diags.error(
                origin.source,
                origin.yaml_line.saturating_sub(1).max(1),
                1,
                format!(
                    "missing required field `{key}` in this {} (add `{example}` to the front matter)",
                    origin.what
                ),
            );
            failed = true;
        }
    }
    if failed {
        *partial = read_over_defaults(read_alone);
        return None;
    }
    match T::deserialize(&Value::Mapping(map)) {
        Ok(t) => Some(t),
        Err(e) => {
            // Every key passed alone; report rather than lose what is left.
            diags.error(
                origin.source,
                origin.yaml_line,
                1,
                format!("invalid front matter: {e}"),
            );
            None
        }
    }
}

/// A value of `T` from `keys` (each known to read alone), its other fields
/// their defaults.
fn read_over_defaults<T>(keys: Mapping) -> Option<T>
where
    T: DeserializeOwned + Default + Serialize,
{
    let Ok(Value::Mapping(mut fields)) = serde_yaml::to_value(T::default()) else {
        return None;
    };
    fields.extend(keys);
    T::deserialize(&Value::Mapping(fields)).ok()
}

fn key_name(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn is_missing_field(message: &str) -> bool {
    message.starts_with("missing field `")
}

/// The keys `T` accepts, as serde's derive declares them.
pub(super) fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

/// A deserializer that only records the field list a struct asks for.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = serde::de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(serde::de::Error::custom("fields recorded"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// The keys `T` cannot do without: those whose absence from an otherwise
/// valid mapping makes serde report "missing field". The valid mapping is
/// `T::default()` serialized, with empty text filled in (required text must
/// not be blank) and empty values left out (optional ones may be absent).
pub(super) fn required_fields<T>() -> Vec<&'static str>
where
    T: DeserializeOwned + Default + Serialize,
{
    let Ok(Value::Mapping(sample)) = serde_yaml::to_value(T::default()) else {
        return Vec::new();
    };
    let sample: Mapping = sample
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| match v {
            Value::String(s) if s.is_empty() => (k, Value::String("x".into())),
            v => (k, v),
        })
        .collect();
    field_names::<T>()
        .iter()
        .copied()
        .filter(|name| {
            let mut probe = sample.clone();
            probe.remove(*name);
            matches!(T::deserialize(&Value::Mapping(probe)),
                Err(e) if e.to_string() == format!("missing field `{name}`"))
        })
        .collect()
}

/// The `deserialize_with` functions of the schema. Their messages name the
/// key as [`KEY`]; `read` puts the real name in.
pub mod de {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer};
    use serde_yaml::Value;

    use super::{KEY, NAME};
    use crate::load::entry::{Kind, Metric, Step};

    pub fn yes() -> bool {
        true
    }

    /// Text as written; numbers and booleans are taken as their text
    /// (`customer: 2024` is "2024").
    fn as_text(v: Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Why `v` (not text) is not text, and what to write. A list (`department:
    /// [it, billing]`) in quotes would be taken as one odd name: the fix is
    /// one value.
    fn not_text(v: &Value) -> String {
        match v {
            Value::Sequence(items) => {
                let first = items.first().and_then(|i| as_text(i.clone()));
                let example = first.map_or_else(String::new, |f| format!(" (`{NAME}: {f}`)"));
                format!(
                    "{KEY} takes one value, not a list: keep one{example}, or put the text in quotes if its brackets are part of it"
                )
            }
            _ => format!("{KEY} must be text (put it in quotes)"),
        }
    }

    /// Required text: present and not blank (`title: ""` says nothing).
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        let v = Value::deserialize(d)?;
        let text = as_text(v.clone()).ok_or_else(|| D::Error::custom(not_text(&v)))?;
        if text.trim().is_empty() {
            return Err(D::Error::custom(format!(
                "{KEY} is empty: it is required, so write something between the quotes"
            )));
        }
        Ok(text)
    }

    pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => as_text(v.clone())
                .map(Some)
                .ok_or_else(|| D::Error::custom(not_text(&v))),
        }
    }

    /// [`opt_text`], held to be shared (see `Entry::shared_summary`).
    pub fn opt_shared_text<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<std::sync::Arc<str>>, D::Error> {
        Ok(opt_text(d)?.map(Into::into))
    }

    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(b),
            _ => Err(D::Error::custom(format!("{KEY} must be true or false"))),
        }
    }

    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or(0)),
            _ => Err(D::Error::custom(format!("{KEY} must be a whole number"))),
        }
    }

    /// A list of text; a single string is accepted as a one-item list.
    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Vec::new()),
            Value::String(s) => Ok(vec![s]),
            Value::Sequence(items) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(D::Error::custom(format!(
                        "every item of {KEY} must be text"
                    ))),
                })
                .collect(),
            _ => Err(D::Error::custom(format!(
                "{KEY} must be a list, like `{NAME}: [a, b]`"
            ))),
        }
    }

    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let v = Value::deserialize(d)?;
        let text = as_text(v.clone()).unwrap_or_else(|| {
            serde_yaml::to_string(&v)
                .unwrap_or_default()
                .trim()
                .to_string()
        });
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            D::Error::custom(format!(
                "`{NAME}: {text}` is not a date: write it as YYYY-MM-DD, e.g. 2026-03-14"
            ))
        })
    }

    pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let v = Value::deserialize(d)?;
        if v.is_null() {
            return Ok(None);
        }
        date(v)
            .map(Some)
            .map_err(|e| D::Error::custom(e.to_string()))
    }

    pub fn text_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(BTreeMap::new()),
            Value::Mapping(m) => m
                .into_iter()
                .map(|(k, v)| match (k, v) {
                    (Value::String(k), Value::String(v)) if v.trim().is_empty() => {
                        Err(D::Error::custom(format!(
                            "{KEY}: the lens of \"{k}\" is empty: write what the term means there, or remove the line"
                        )))
                    }
                    (Value::String(k), Value::String(v)) => Ok((k, v)),
                    _ => Err(D::Error::custom(format!(
                        "{KEY} must map department ids to text"
                    ))),
                })
                .collect(),
            _ => Err(D::Error::custom(format!(
                "{KEY} must be a map, like `{NAME}: {{ it: \"…\" }}`"
            ))),
        }
    }

    /// Metric values: `.nan` and `.inf` are numbers to YAML but not to a chart.
    pub fn finite<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        let x = f64::deserialize(d)?;
        if x.is_finite() {
            Ok(x)
        } else {
            Err(D::Error::custom(format!(
                "{x} is not a measurement: write a plain number"
            )))
        }
    }

    pub fn metrics<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Metric>, D::Error> {
        let v = Value::deserialize(d)?;
        if v.is_null() {
            return Ok(Vec::new());
        }
        let Value::Sequence(items) = v else {
            return Err(D::Error::custom(format!(
                "invalid {KEY}: expected a list (each metric is {{ name, before, after, unit?, better: higher|lower }})"
            )));
        };
        let metrics = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                // A number written as text: "1.5" in quotes, or 1,5 with a comma.
                let hint = ["before", "after"]
                    .into_iter()
                    .find_map(|k| match item.get(k) {
                        Some(Value::String(v)) if v.trim().contains(',') => {
                            comma_number(k, v.trim()).map(|fix| format!("; {fix}"))
                        }
                        Some(Value::String(v)) if v.trim().parse::<f64>().is_ok() => {
                            Some(format!("; write `{k}: {}`, a number without quotes, with a point for decimals", v.trim()))
                        }
                        _ => None,
                    })
                    .unwrap_or_default();
                let split = split_at_comma(&item);
                let metric = if split.is_empty() {
                    Metric::deserialize(item).map_err(|e| e.to_string())
                } else {
                    Err(split.join("\n"))
                };
                let metric = metric.and_then(|m| match m.name.trim() {
                    "" => Err("`name` is empty: say what was measured".to_string()),
                    _ => Ok(m),
                });
                metric.map_err(|e| {
                    e.lines()
                        .map(|e| format!(
                            "invalid {KEY}, metric {}: {e}{hint} (each metric is {{ name, before, after, unit?, better: higher|lower }})",
                            i + 1
                        ))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
            })
            .collect::<Vec<_>>();
        every_item(metrics).map_err(D::Error::custom)
    }

    /// How to write `key: written`, a number with commas (`1,5`, `1,240`,
    /// `1,500,000`) that YAML cannot read as one: with a decimal point, or
    /// without the separators of thousands. `None` if it is no such number.
    fn comma_number(key: &str, written: &str) -> Option<String> {
        let (sign, digits) = match written.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", written),
        };
        let groups: Vec<&str> = digits.split(',').collect();
        let (last, whole) = groups.split_last()?;
        let is_digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
        let last_is_number = last
            .split_once('.')
            .map_or(is_digits(last), |(a, b)| is_digits(a) && is_digits(b));
        if whole.is_empty() || !whole.iter().all(|g| is_digits(g)) || !last_is_number {
            return None;
        }
        let plain = format!("{sign}{}", groups.concat());
        let thousands = groups[1..]
            .iter()
            .all(|g| g.split('.').next().is_some_and(|w| w.len() == 3));
        Some(
            if groups.len() == 2 && !last.contains('.') && last.len() == 3 {
                format!(
                    "write `{key}: {plain}` if the comma separates thousands, or `{key}: {sign}{}.{last}` if it is a decimal comma (a number without quotes, with a point for decimals)",
                    whole[0]
                )
            } else if groups.len() == 2 && !last.contains('.') {
                format!(
                    "write `{key}: {sign}{}.{last}`, a number without quotes, with a point for decimals",
                    whole[0]
                )
            } else if thousands {
                format!(
                    "write `{key}: {plain}`, a number without quotes or separators of thousands"
                )
            } else {
                format!("write `{key}:` as a plain number, with a point for decimals and no commas")
            },
        )
    }

    /// What is wrong with `key: written` (a number with commas, `1,5`)
    /// inside `{ … }`, and what to write.
    pub(in crate::load) fn split_number(key: &str, written: &str) -> String {
        let mut groups = written.split(',');
        let first = groups.next().unwrap_or_default();
        let field = groups.next().unwrap_or_default();
        let fix = comma_number(key, written).unwrap_or_else(|| {
            format!("write `{key}:` as a plain number, with a point for decimals")
        });
        format!(
            "a comma ends a field inside `{{ … }}`, so `{key}: {written}` reads as `{key}: {first}` and a field `{field}`: {fix}"
        )
    }

    /// A field of a metric written `{ before: 1,5 }` (or `{ name: Calls
    /// per 1,000 deliveries }`): inside `{ … }` a comma ends the field, and
    /// YAML reads `before: 1` and a key `5` with no value. What to write,
    /// for each field so split.
    fn split_at_comma(item: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        let Value::Mapping(map) = item else {
            return problems;
        };
        let known = ["name", "before", "after", "unit", "better"];
        let mut entries = map.iter().peekable();
        while let Some((key, value)) = entries.next() {
            let Value::String(key) = key else { continue };
            let mut rest = Vec::new();
            while let Some((next, Value::Null)) = entries.peek() {
                let text = match next {
                    Value::String(t) if !known.contains(&t.as_str()) => t.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => break,
                };
                rest.push(text);
                entries.next();
            }
            if rest.is_empty() {
                continue;
            }
            problems.push(match value {
                Value::Number(n) => split_number(key, &format!("{n},{}", rest.join(","))),
                _ => format!(
                    "a comma ends a field inside `{{ … }}`, so `{key}` stops at its comma and `{}` reads as a field of its own: put text with a comma in quotes, like `{key}: \"…, …\"`",
                    rest[0]
                ),
            });
        }
        problems
    }

    /// The items, or every item's problem, one a line (`read` reports each
    /// at its item's line): a champion fixes them all in one go.
    fn every_item<T>(items: Vec<Result<T, String>>) -> Result<Vec<T>, String> {
        let mut ok = Vec::with_capacity(items.len());
        let mut problems = Vec::new();
        for item in items {
            match item {
                Ok(t) => ok.push(t),
                Err(e) => problems.push(e),
            }
        }
        if problems.is_empty() {
            Ok(ok)
        } else {
            Err(problems.join("\n"))
        }
    }

    pub fn steps<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Step>, D::Error> {
        let Value::Sequence(items) = Value::deserialize(d)? else {
            return Err(D::Error::custom(format!(
                "{KEY} must be a list of `- story: slug` (or term/case/page) items"
            )));
        };
        let mut steps = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let n = i + 1;
            let Value::Mapping(m) = item else {
                steps.push(Err(format!(
                    "step {n} must be like `- story: slug` with an optional `note:`"
                )));
                continue;
            };
            let mut target = None;
            let mut note = None;
            let mut problem = None;
            for (k, v) in m {
                let k = match k {
                    Value::String(k) => k,
                    k => serde_yaml::to_string(&k)
                        .unwrap_or_default()
                        .trim()
                        .to_string(),
                };
                let Value::String(v) = v else {
                    problem.get_or_insert(format!("`{k}` must be text (put it in quotes)"));
                    continue;
                };
                match k.as_str() {
                    "note" => note = Some(v),
                    "story" | "term" | "case" | "page" if target.is_none() => {
                        let kind = Kind::ALL
                            .into_iter()
                            .find(|kind| kind.name() == k)
                            .unwrap_or(Kind::Page);
                        target = Some((kind, v));
                    }
                    "story" | "term" | "case" | "page" => {
                        problem.get_or_insert(format!(
                            "`{k}` is a second item: give each its own step"
                        ));
                    }
                    "path" => {
                        problem.get_or_insert(
                            "a path cannot be a step of another path: list its steps here instead"
                                .into(),
                        );
                    }
                    _ => {
                        let hint = crate::diagnostics::did_you_mean(
                            &k,
                            ["story", "term", "case", "page", "note"],
                        )
                        .map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"));
                        problem.get_or_insert(format!("unknown key `{k}`{hint}"));
                    }
                }
            }
            steps.push(match (target, problem) {
                (Some((kind, slug)), None) => Ok(Step { kind, slug, note }),
                (_, problem) => Err(format!(
                    "step {n}: {}; each step names exactly one of `story`, `term`, `case` or `page`, plus an optional `note`",
                    problem.as_deref().unwrap_or("it names no item")
                )),
            });
        }
        every_item(steps).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::entry::{Case, Metric, Page, Story, Term, TrainingPath};

    #[test]
    fn keys_and_required_keys_come_from_the_structs() {
        assert_eq!(
            field_names::<Term>(),
            ["term", "aliases", "short", "lenses", "related"]
        );
        assert_eq!(
            required_fields::<Story>(),
            ["title", "date", "author", "department"]
        );
        assert_eq!(required_fields::<Term>(), ["term"]);
        assert_eq!(required_fields::<Case>(), ["title", "date", "organization"]);
        assert_eq!(required_fields::<TrainingPath>(), ["title", "steps"]);
        assert_eq!(required_fields::<Page>(), ["title"]);
    }

    #[test]
    fn discuss_is_a_list_of_questions_any_entry_may_have() {
        use crate::load::entry::Common;
        assert_eq!(
            field_names::<Common>(),
            ["draft", "autolink", "updated", "discuss", "moved_from"]
        );
        let ok: Common = serde_yaml::from_str("discuss: [Why?, What next?]").unwrap();
        assert_eq!(ok.discuss, ["Why?", "What next?"]);
        let one: Common = serde_yaml::from_str("discuss: Why?").unwrap();
        assert_eq!(one.discuss, ["Why?"]);
        let bad = serde_yaml::from_str::<Common>("discuss: {a: 1}").unwrap_err();
        assert!(bad.to_string().contains("must be a list"), "{bad}");
    }

    #[test]
    fn updated_is_an_optional_date_any_entry_may_have() {
        use crate::load::entry::Common;
        let ok: Common = serde_yaml::from_str("updated: 2026-03-01").unwrap();
        assert_eq!(ok.updated.unwrap().to_string(), "2026-03-01");
        assert!(
            serde_yaml::from_str::<Common>("draft: false")
                .unwrap()
                .updated
                .is_none()
        );
        let bad = serde_yaml::from_str::<Common>("updated: March").unwrap_err();
        assert!(bad.to_string().contains("is not a date"), "{bad}");
    }

    fn metrics(yaml: &str) -> Result<Vec<Metric>, String> {
        let v: Value = serde_yaml::from_str(yaml).unwrap();
        de::metrics(&v).map_err(|e| e.to_string())
    }

    #[test]
    fn metric_values_must_be_finite() {
        for bad in [".nan", ".inf", "-.inf", ".NaN"] {
            let e = metrics(&format!(
                "- {{ name: A, before: 1, after: 2, better: higher }}\n- {{ name: B, before: {bad}, after: 2, better: higher }}\n"
            ))
            .unwrap_err();
            assert!(
                e.contains("metric 2") && e.contains("is not a measurement"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn a_metric_needs_a_name_and_numbers_not_text() {
        let e = metrics("- { name: \" \", before: 1, after: 2, better: lower }\n").unwrap_err();
        assert!(e.contains("metric 1: `name` is empty"), "{e}");
        let e = metrics("- { name: A, before: 1, after: 2, better: lower }\n- { name: B, before: \"1.5\", after: 2, better: lower }\n").unwrap_err();
        assert!(e.contains("metric 2: invalid type: string \"1.5\", expected f64; write `before: 1.5`, a number without quotes"), "{e}");
        let e = metrics("- name: A\n  before: 7\n  after: 3,5\n  better: lower\n").unwrap_err();
        assert!(
            e.contains("write `after: 3.5`, a number without quotes, with a point for decimals"),
            "{e}"
        );
    }

    /// `{ before: 1,5 }`: YAML reads `before: 1` and a key `5`, which serde
    /// called "invalid type: integer `5`, expected field identifier".
    #[test]
    fn a_number_with_a_comma_inside_braces_says_to_write_a_point() {
        let only = |yaml: &str| {
            let e = metrics(yaml).unwrap_err();
            assert!(
                !e.contains("identifier") && !e.contains("unknown field"),
                "{e}"
            );
            e
        };
        let e = only("- { name: NPS, before: 1,5, after: 3, better: higher }\n");
        assert!(
            e.contains("metric 1: a comma ends a field inside `{ … }`, so `before: 1,5` reads as `before: 1` and a field `5`: write `before: 1.5`, a number without quotes, with a point for decimals"),
            "{e}"
        );
        let e = only("[{ name: NPS, before: 1,5, after: -3,05, better: higher }]");
        assert!(e.contains("write `after: -3.05`,"), "{e}");
        assert_eq!(e.lines().count(), 2, "both fields, each on its line: {e}");
        assert!(
            e.lines()
                .all(|l| l.starts_with("invalid {key}, metric 1: ")),
            "{e}"
        );
        let e = only("- { name: Closed, before: 1,240, after: 7, better: lower }");
        assert!(
            e.contains("write `before: 1240` if the comma separates thousands, or `before: 1.240` if it is a decimal comma"),
            "{e}"
        );
        let e = only("- { name: Revenue, before: 1,500,000, after: 2, better: higher }");
        assert!(e.contains("so `before: 1,500,000` reads as `before: 1` and a field `500`: write `before: 1500000`, a number without quotes or separators of thousands"), "{e}");
        let e = only("- { name: Calls per 1,000 deliveries, before: 9, after: 7, better: lower }");
        assert!(
            e.contains("so `name` stops at its comma and `000 deliveries` reads as a field of its own: put text with a comma in quotes"),
            "{e}"
        );
        // Written as text in a block, a comma of thousands is not taken for
        // a decimal comma either.
        let e = metrics("- name: A\n  before: 1,240\n  after: 3\n  better: lower\n").unwrap_err();
        assert!(
            e.contains("write `before: 1240` if the comma separates thousands"),
            "{e}"
        );
        let e = metrics("- name: A\n  before: \"1,500,000\"\n  after: 3\n  better: lower\n")
            .unwrap_err();
        assert!(
            e.contains("write `before: 1500000`, a number without quotes or separators"),
            "{e}"
        );
    }

    /// `department: [it, billing]` was told to "put it in quotes", which
    /// makes one department named "[it, billing]".
    #[test]
    fn a_list_where_one_value_goes_says_to_keep_one() {
        let e = serde_yaml::from_str::<crate::load::Story>(
            "title: T\ndate: 2026-01-01\nauthor: A\ndepartment: [it, billing]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("{key} takes one value, not a list: keep one (`{name}: it`), or put the text in quotes if its brackets are part of it"),
            "{e}"
        );
        let e = serde_yaml::from_str::<crate::load::Story>(
            "title: T\ndate: 2026-01-01\nauthor: A\ndepartment: it\ncustomer: { a: b }\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("{key} must be text (put it in quotes)"), "{e}");
    }

    #[test]
    fn a_bad_step_is_named_with_what_is_wrong() {
        let steps = |yaml: &str| {
            let v: Value = serde_yaml::from_str(yaml).unwrap();
            de::steps(&v).map_err(|e| e.to_string())
        };
        let e = steps("- term: nps\n- path: onboarding\n").unwrap_err();
        assert!(
            e.contains("step 2: a path cannot be a step of another path"),
            "{e}"
        );
        let e = steps("- term: nps\n  notes: Read it twice\n").unwrap_err();
        assert!(
            e.contains("step 1: unknown key `notes` (did you mean `note`?)"),
            "{e}"
        );
        let e = steps("- term: nps\n  note: 5\n").unwrap_err();
        assert!(e.contains("step 1: `note` must be text"), "{e}");
        let e = steps("- term: nps\n- note: Discuss\n").unwrap_err();
        assert!(e.contains("step 2: it names no item"), "{e}");
        assert_eq!(steps("- term: nps\n  note: Read\n").unwrap()[0].slug, "nps");
    }

    #[test]
    fn an_empty_lens_is_an_error() {
        let v: Value = serde_yaml::from_str("it: \"\"\nlogistics: Vans\n").unwrap();
        let e = de::text_map(&v).unwrap_err().to_string();
        assert!(e.contains("the lens of \"it\" is empty"), "{e}");
    }

    #[test]
    fn huge_metric_values_load_finite() {
        let m = metrics(
            "- { name: A, before: 1e308, after: -1.7976931348623157e308, better: lower }\n",
        )
        .unwrap();
        assert_eq!(m[0].before, 1e308);
        assert!(
            m.iter()
                .all(|m| m.before.is_finite() && m.after.is_finite())
        );
        // Values just past f64::MAX parse as infinity, and are refused like it.
        assert!(metrics("- { name: A, before: 1e309, after: 1, better: lower }\n").is_err());
    }
}
