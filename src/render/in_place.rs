//! Turning a typed template context into Tera's `serde_json::Value` over
//! the `Value` of the last page made from the same template, reusing its
//! strings, arrays and map entries.
//!
//! Tera only takes `Value`s. Building a fresh one for every page, and
//! dropping the last, was about 12% of a build's CPU: every string and
//! every map key a new allocation. Consecutive pages of one template have
//! nearly the same shape, so writing over the last one allocates almost
//! nothing. [`assign`] leaves exactly what `serde_json::to_value` would
//! have made (the unit tests hold it to that).

use std::hash::BuildHasher;

use serde::ser::{self, Serialize};
use serde_json::value::Serializer as Fresh;
use serde_json::{Error, Map, Value};

use super::template_reads::Reads;

/// Makes `slot` equal to `serde_json::to_value(value)`, reusing what it
/// holds.
pub fn assign<T: Serialize + ?Sized>(slot: &mut Value, value: &T) -> Result<(), Error> {
    Whole.write(slot, value)
}

/// [`assign`] of only what `reads` says is read: the fields (and map
/// entries) it does not name are left out, at any depth.
pub fn assign_reading<T: Serialize + ?Sized>(
    slot: &mut Value,
    value: &T,
    reads: &Reads,
) -> Result<(), Error> {
    reads.write(slot, value)
}

/// How much of a value is written: all of it ([`Whole`]), or what a
/// template reads of it (`&Reads`). A type rather than a value, so that
/// writing a whole value (most of them: everything below a field that is
/// read whole) asks nothing per field.
trait Projection: Copy {
    /// Whether every field is written.
    const WHOLE: bool;
    /// What is written of the field (or map entry) `key`, if anything
    /// (see `Reads::field_kept`).
    fn field(self, key: &str, first: bool) -> Option<Self>;
    /// What is written of each item of an array.
    fn items(self) -> Self;
    /// Makes `slot` hold what is written of `value`, reusing what it holds.
    fn write<T: Serialize + ?Sized>(self, slot: &mut Value, value: &T) -> Result<(), Error>;
    /// What is written of `value` where nothing was.
    fn fresh<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error>;
}

#[derive(Clone, Copy)]
struct Whole;

impl Projection for Whole {
    const WHOLE: bool = true;
    fn field(self, _key: &str, _first: bool) -> Option<Whole> {
        Some(Whole)
    }
    fn items(self) -> Whole {
        Whole
    }
    fn write<T: Serialize + ?Sized>(self, slot: &mut Value, value: &T) -> Result<(), Error> {
        if let Fit::Stale = value.serialize(InPlace { slot, reads: Whole })? {
            // An object kept keys the value no longer has (another variant
            // of an enum, say): made afresh, which is what `to_value` does
            // anyway.
            *slot = serde_json::to_value(value)?;
        }
        Ok(())
    }
    fn fresh<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        serde_json::to_value(value)
    }
}

/// Never all: [`Projection::write`] of all of it writes it [`Whole`].
impl Projection for &Reads {
    const WHOLE: bool = false;
    fn field(self, key: &str, first: bool) -> Option<Self> {
        self.field_kept(key, first)
    }
    fn items(self) -> Self {
        Reads::items(self)
    }
    fn write<T: Serialize + ?Sized>(self, slot: &mut Value, value: &T) -> Result<(), Error> {
        if self.is_all() {
            return Whole.write(slot, value);
        }
        if let Fit::Stale = value.serialize(InPlace { slot, reads: self })? {
            *slot = self.fresh(value)?;
        }
        Ok(())
    }
    fn fresh<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        if self.is_all() {
            return Whole.fresh(value);
        }
        let mut slot = Value::Null;
        // Nothing was there to be left over.
        let _ = value.serialize(InPlace {
            slot: &mut slot,
            reads: self,
        })?;
        Ok(slot)
    }
}

/// Whether a value written over an old one left nothing of it behind.
#[must_use]
enum Fit {
    Exact,
    /// An object still holds keys that were not written this time.
    Stale,
}

struct InPlace<'a, P> {
    slot: &'a mut Value,
    reads: P,
}

impl<'a, P: Projection> InPlace<'a, P> {
    fn set(self, value: Value) -> Result<Fit, Error> {
        *self.slot = value;
        Ok(Fit::Exact)
    }

    fn object(self) -> Object<'a, P> {
        if !self.slot.is_object() {
            *self.slot = Value::Object(Map::new());
        }
        let Value::Object(map) = self.slot else {
            unreachable!("made an object above")
        };
        Object {
            map,
            written: 0,
            key: String::new(),
            map_keys: Vec::new(),
            reads: self.reads,
        }
    }

    fn array(self, len: Option<usize>) -> Array<'a, P> {
        if !self.slot.is_array() {
            *self.slot = Value::Array(Vec::with_capacity(len.unwrap_or(0)));
        }
        let Value::Array(items) = self.slot else {
            unreachable!("made an array above")
        };
        Array {
            items,
            written: 0,
            reads: self.reads.items(),
        }
    }
}

/// Numbers as `serde_json::to_value` makes them (`Value::from`: a float
/// that is not finite becomes null).
macro_rules! scalars {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, v: $ty) -> Result<Fit, Error> {
            self.set(Value::from(v))
        })*
    };
}

impl<'a, P: Projection> ser::Serializer for InPlace<'a, P> {
    type Ok = Fit;
    type Error = Error;
    type SerializeSeq = Array<'a, P>;
    type SerializeTuple = Array<'a, P>;
    type SerializeTupleStruct = Array<'a, P>;
    type SerializeTupleVariant = Afresh<'a, <Fresh as ser::Serializer>::SerializeTupleVariant>;
    type SerializeMap = Object<'a, P>;
    type SerializeStruct = Fields<'a, P>;
    type SerializeStructVariant = Afresh<'a, <Fresh as ser::Serializer>::SerializeStructVariant>;

    fn serialize_bool(self, v: bool) -> Result<Fit, Error> {
        self.set(Value::Bool(v))
    }
    scalars! {
        serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
        serialize_f32(f32), serialize_f64(f64),
    }
    fn serialize_i128(self, v: i128) -> Result<Fit, Error> {
        self.set(ser::Serializer::serialize_i128(Fresh, v)?)
    }
    fn serialize_u128(self, v: u128) -> Result<Fit, Error> {
        self.set(ser::Serializer::serialize_u128(Fresh, v)?)
    }
    fn serialize_char(self, v: char) -> Result<Fit, Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<Fit, Error> {
        match self.slot {
            Value::String(s) => {
                s.clear();
                s.push_str(v);
                Ok(Fit::Exact)
            }
            _ => self.set(Value::String(v.to_owned())),
        }
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Fit, Error> {
        self.set(ser::Serializer::serialize_bytes(Fresh, v)?)
    }
    fn serialize_none(self) -> Result<Fit, Error> {
        self.set(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Fit, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Fit, Error> {
        self.set(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Fit, Error> {
        self.set(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Fit, Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Fit, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Fit, Error> {
        self.set(ser::Serializer::serialize_newtype_variant(
            Fresh, name, index, variant, value,
        )?)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Array<'a, P>, Error> {
        Ok(self.array(len))
    }
    fn serialize_tuple(self, len: usize) -> Result<Array<'a, P>, Error> {
        Ok(self.array(Some(len)))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Array<'a, P>, Error> {
        Ok(self.array(Some(len)))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Ok(Afresh {
            slot: self.slot,
            fresh: ser::Serializer::serialize_tuple_variant(Fresh, name, index, variant, len)?,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a, P>, Error> {
        Ok(self.object())
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Fields<'a, P>, Error> {
        // As many keys as fields written the last time: all of them, or
        // as many as were read (which are the same for the same template).
        let as_many = (MANY_FIELDS..=MAX_SLOTS).contains(&len)
            && matches!(&*self.slot, Value::Object(map)
                if map.len() == len || (!P::WHOLE && !map.is_empty()));
        if !as_many {
            return Ok(Fields::Keyed(self.object()));
        }
        let Value::Object(map) = self.slot else {
            unreachable!("an object, as checked above")
        };
        Ok(Fields::Slots(Slots::new(map, name, self.reads)))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Ok(Afresh {
            slot: self.slot,
            fresh: ser::Serializer::serialize_struct_variant(Fresh, name, index, variant, len)?,
        })
    }
}

/// An array written over: its first items in place, then new ones pushed,
/// then what is left of the old one cut off.
struct Array<'a, P> {
    items: &'a mut Vec<Value>,
    written: usize,
    /// What is written of each item.
    reads: P,
}

impl<P: Projection> Array<'_, P> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match self.items.get_mut(self.written) {
            Some(slot) => self.reads.write(slot, value)?,
            None => self.items.push(self.reads.fresh(value)?),
        }
        self.written += 1;
        Ok(())
    }

    fn finish(self) -> Result<Fit, Error> {
        self.items.truncate(self.written);
        Ok(Fit::Exact)
    }
}

/// `SerializeSeq`, `SerializeTuple` and `SerializeTupleStruct` alike: an
/// array, item by item.
macro_rules! array_serializer {
    ($($trait:ident::$method:ident),*) => {
        $(impl<P: Projection> ser::$trait for Array<'_, P> {
            type Ok = Fit;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<Fit, Error> {
                self.finish()
            }
        })*
    };
}

array_serializer!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field
);

/// An object written over, key by key. Keys it keeps but that were not
/// written make it [`Fit::Stale`].
struct Object<'a, P> {
    map: &'a mut Map<String, Value>,
    /// Keys written so far (each once: a struct's fields, a map's keys).
    written: usize,
    /// The key of the entry being written (a map's), reused.
    key: String,
    /// A map's keys (hashed) as written: unlike a struct's fields, they
    /// may repeat, and a repeat would hide a key left from the last value.
    map_keys: Vec<u64>,
    /// What is written of it: entries not read are left out.
    reads: P,
}

impl<P: Projection> Object<'_, P> {
    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let Some(reads) = self.reads.field(key, self.written == 0) else {
            return Ok(());
        };
        match self.map.get_mut(key) {
            Some(slot) => reads.write(slot, value)?,
            None => {
                self.map.insert(key.to_owned(), reads.fresh(value)?);
            }
        }
        self.written += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<Fit, Error> {
        // More keys than written: some are left from the last value.
        if self.map.len() != self.written {
            return Ok(Fit::Stale);
        }
        // As many, but one written twice: one may be left (or a hash
        // collision: made afresh all the same, which is only slower).
        self.map_keys.sort_unstable();
        Ok(if self.map_keys.windows(2).any(|w| w[0] == w[1]) {
            Fit::Stale
        } else {
            Fit::Exact
        })
    }
}

/// A struct written over an object: by key, or, when the object has as
/// many keys as the struct has fields (the struct written over the last
/// value of its type, mostly), through [`Slots`].
enum Fields<'a, P> {
    Keyed(Object<'a, P>),
    Slots(Slots<'a, P>),
}

impl<P: Projection> ser::SerializeStruct for Fields<'_, P> {
    type Ok = Fit;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        match self {
            Fields::Keyed(object) => object.entry(key, value),
            Fields::Slots(slots) => slots.field(key, value),
        }
    }
    fn end(self) -> Result<Fit, Error> {
        match self {
            Fields::Keyed(object) => object.finish(),
            Fields::Slots(slots) => Ok(slots.finish()),
        }
    }
}

/// Structs of fewer fields are written by key: a search of a few keys
/// costs less than listing the object's entries.
const MANY_FIELDS: usize = 8;
/// Which entries were written is a bit each.
const MAX_SLOTS: usize = 64;

thread_local! {
    /// Per struct (name and field count), the place of each field's key
    /// among the object's keys in order, as last found: a struct's fields
    /// come in the same order each time, and its object's keys are sorted,
    /// so the places repeat, and a field's key is checked at its place
    /// rather than searched for (a story page's struct and cards are some
    /// 300 fields, each a search of up to 40 keys).
    static PLACES: std::cell::RefCell<rustc_hash::FxHashMap<(usize, usize), [u8; MAX_SLOTS]>> =
        std::cell::RefCell::default();
}

/// A struct written over an object of as many keys: the object's entries
/// listed once, in key order, and each field written into the entry of its
/// key, found at its place of the last time (see `PLACES`) or by a binary
/// search. A field whose key the object lacks, or two fields of one key,
/// leave it [`Fit::Stale`] (made afresh by [`assign`]).
struct Slots<'a, P> {
    entries: Vec<(&'a str, &'a mut Value)>,
    shape: (usize, usize),
    places: [u8; MAX_SLOTS],
    /// Whether a place was found by searching (to be kept for next time).
    learned: bool,
    /// What is written of the struct: fields not read are left out.
    reads: P,
    /// Fields written so far.
    fields: usize,
    /// Entries written so far, a bit each.
    written: u64,
    stale: bool,
}

impl<'a, P: Projection> Slots<'a, P> {
    fn new(map: &'a mut Map<String, Value>, name: &'static str, reads: P) -> Slots<'a, P> {
        let shape = (name.as_ptr() as usize, map.len());
        let places = PLACES.with(|p| p.borrow().get(&shape).copied());
        Slots {
            entries: map.iter_mut().map(|(k, v)| (k.as_str(), v)).collect(),
            shape,
            places: places.unwrap_or([u8::MAX; MAX_SLOTS]),
            learned: places.is_none(),
            reads,
            fields: 0,
            written: 0,
            stale: false,
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let Some(reads) = self.reads.field(key, self.fields == 0) else {
            return Ok(());
        };
        let field = self.fields;
        self.fields += 1;
        // Made afresh at the end anyway.
        if self.stale || field >= MAX_SLOTS {
            self.stale = true;
            return Ok(());
        }
        let guess = usize::from(self.places[field]);
        let at = match self.entries.get(guess) {
            Some((k, _)) if *k == key => guess,
            _ => match self.entries.binary_search_by(|(k, _)| (*k).cmp(key)) {
                Ok(at) => {
                    self.places[field] = at as u8;
                    self.learned = true;
                    at
                }
                Err(_) => {
                    self.stale = true;
                    return Ok(());
                }
            },
        };
        if self.written & (1 << at) != 0 {
            self.stale = true;
            return Ok(());
        }
        self.written |= 1 << at;
        reads.write(self.entries[at].1, value)
    }

    fn finish(self) -> Fit {
        if self.learned {
            PLACES.with(|p| p.borrow_mut().insert(self.shape, self.places));
        }
        // As many fields as entries, each written once: all of them.
        if self.stale || self.fields != self.entries.len() {
            Fit::Stale
        } else {
            Fit::Exact
        }
    }
}

impl<P: Projection> ser::SerializeMap for Object<'_, P> {
    type Ok = Fit;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key.clear();
        if key.serialize(KeyText(&mut self.key)).is_err() {
            self.key = json_key(key)?;
        }
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.map_keys
            .push(rustc_hash::FxBuildHasher.hash_one(&self.key));
        // Taken for the call and put back, so its buffer serves the next key.
        let key = std::mem::take(&mut self.key);
        let written = self.entry(&key, value);
        self.key = key;
        written
    }
    fn end(self) -> Result<Fit, Error> {
        self.finish()
    }
}

/// A map key that is not a string, as serde_json writes it (numbers as
/// their digits, …): through a map of one entry.
fn json_key<K: Serialize + ?Sized>(key: &K) -> Result<String, Error> {
    struct OneEntry<'k, K: ?Sized>(&'k K);
    impl<K: Serialize + ?Sized> Serialize for OneEntry<'_, K> {
        fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(1))?;
            map.serialize_entry(self.0, &())?;
            map.end()
        }
    }
    match serde_json::to_value(OneEntry(key))? {
        Value::Object(map) => Ok(map.into_iter().next().map(|(k, _)| k).unwrap_or_default()),
        _ => unreachable!("a map serializes as an object"),
    }
}

/// Copies a key that is a string (the keys of flattened structs) into a
/// reused buffer; any other key fails, for [`json_key`] to write.
struct KeyText<'b>(&'b mut String);

/// The error of [`KeyText`] for a key that is not a string.
#[derive(Debug)]
struct NotText;

impl std::fmt::Display for NotText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a string key")
    }
}

impl std::error::Error for NotText {}

impl ser::Error for NotText {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        NotText
    }
}

macro_rules! not_text {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), NotText> { Err(NotText) })*
    };
}

impl ser::Serializer for KeyText<'_> {
    type Ok = ();
    type Error = NotText;
    type SerializeSeq = ser::Impossible<(), NotText>;
    type SerializeTuple = ser::Impossible<(), NotText>;
    type SerializeTupleStruct = ser::Impossible<(), NotText>;
    type SerializeTupleVariant = ser::Impossible<(), NotText>;
    type SerializeMap = ser::Impossible<(), NotText>;
    type SerializeStruct = ser::Impossible<(), NotText>;
    type SerializeStructVariant = ser::Impossible<(), NotText>;

    fn serialize_str(self, v: &str) -> Result<(), NotText> {
        self.0.push_str(v);
        Ok(())
    }
    not_text! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
        serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
        serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
        serialize_bytes(&[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(&'static str); serialize_unit_variant(&'static str, u32, &'static str);
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), NotText> {
        Err(NotText)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotText> {
        Err(NotText)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NotText> {
        Err(NotText)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotText> {
        Err(NotText)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotText> {
        Err(NotText)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotText> {
        Err(NotText)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotText> {
        Err(NotText)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotText> {
        Err(NotText)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotText> {
        Err(NotText)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotText> {
        Err(NotText)
    }
}

/// An enum variant with fields, made afresh by serde_json (none of the
/// site's contexts has one; this keeps them exact if one appears).
struct Afresh<'a, S> {
    slot: &'a mut Value,
    fresh: S,
}

impl<S: ser::SerializeTupleVariant<Ok = Value, Error = Error>> ser::SerializeTupleVariant
    for Afresh<'_, S>
{
    type Ok = Fit;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.fresh.serialize_field(value)
    }
    fn end(self) -> Result<Fit, Error> {
        *self.slot = self.fresh.end()?;
        Ok(Fit::Exact)
    }
}

impl<S: ser::SerializeStructVariant<Ok = Value, Error = Error>> ser::SerializeStructVariant
    for Afresh<'_, S>
{
    type Ok = Fit;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.fresh.serialize_field(key, value)
    }
    fn end(self) -> Result<Fit, Error> {
        *self.slot = self.fresh.end()?;
        Ok(Fit::Exact)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::{Value, json};

    use super::assign;

    #[derive(Serialize)]
    struct Named {
        id: String,
        name: String,
    }

    #[derive(Serialize)]
    #[serde(untagged)]
    enum Extra {
        Story {
            department: Named,
            values: Vec<Named>,
            featured: bool,
        },
        Term {
            aliases: Vec<String>,
        },
        Nothing {},
    }

    #[derive(Serialize)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Story,
        Term,
    }

    #[derive(Serialize)]
    enum Shape {
        Point(f64, f64),
        Circle { radius: f64 },
        Named(String),
    }

    #[derive(Serialize)]
    struct Page {
        kind: Kind,
        title: String,
        date: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cover: Option<String>,
        count: usize,
        ratio: f64,
        tags: Vec<Named>,
        #[serde(flatten)]
        extra: Extra,
        by_year: BTreeMap<u32, String>,
        shape: Option<Shape>,
        pair: (i8, char),
    }

    fn named(id: &str) -> Named {
        Named {
            id: id.into(),
            name: id.to_uppercase(),
        }
    }

    fn pages() -> Vec<Page> {
        vec![
            Page {
                kind: Kind::Story,
                title: "A long first title".into(),
                date: Some("2024-01-02".into()),
                cover: Some("a.jpg".into()),
                count: 3,
                ratio: 0.5,
                tags: vec![named("a"), named("b"), named("c")],
                extra: Extra::Story {
                    department: named("it"),
                    values: vec![named("care")],
                    featured: true,
                },
                by_year: [(2024, "x".into())].into(),
                shape: Some(Shape::Point(1.0, 2.0)),
                pair: (-1, 'é'),
            },
            // Fewer tags, no cover (a key left out), another variant.
            Page {
                kind: Kind::Term,
                title: "B".into(),
                date: None,
                cover: None,
                count: 0,
                ratio: f64::NAN,
                tags: vec![named("z")],
                extra: Extra::Term {
                    aliases: vec!["x".into(), "y".into()],
                },
                by_year: BTreeMap::new(),
                shape: Some(Shape::Circle { radius: 2.5 }),
                pair: (7, 'q'),
            },
            Page {
                kind: Kind::Story,
                title: "C".into(),
                date: Some("2025-05-05".into()),
                cover: Some("c.jpg".into()),
                count: usize::MAX,
                ratio: -3.25,
                tags: vec![named("a"), named("b"), named("c"), named("d")],
                extra: Extra::Nothing {},
                by_year: [(1999, "old".into()), (2001, "new".into())].into(),
                shape: Some(Shape::Named("n".into())),
                pair: (0, ' '),
            },
            Page {
                kind: Kind::Story,
                title: String::new(),
                date: None,
                cover: None,
                count: 1,
                ratio: 1.0,
                tags: Vec::new(),
                extra: Extra::Story {
                    department: named("ops"),
                    values: Vec::new(),
                    featured: false,
                },
                by_year: BTreeMap::new(),
                shape: None,
                pair: (1, '1'),
            },
        ]
    }

    #[test]
    fn writing_over_any_earlier_value_gives_what_to_value_gives() {
        let pages = pages();
        // Every order of two, and all in a row: each starts from another shape.
        for first in &pages {
            for second in &pages {
                let mut slot = serde_json::to_value(first).unwrap();
                assign(&mut slot, second).unwrap();
                assert_eq!(slot, serde_json::to_value(second).unwrap());
            }
        }
        let mut slot = json!(["not", "an", "object"]);
        for page in pages.iter().chain(pages.iter().rev()) {
            assign(&mut slot, page).unwrap();
            assert_eq!(slot, serde_json::to_value(page).unwrap());
        }
    }

    /// A struct of the given fields, in the given order, under one name
    /// whatever its fields (as a hand-written `Serialize` whose fields
    /// depend on a variant, like a card's).
    struct Wide(Vec<(&'static str, Value)>);

    impl Serialize for Wide {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut st = s.serialize_struct("Wide", self.0.len())?;
            for (key, value) in &self.0 {
                st.serialize_field(key, value)?;
            }
            st.end()
        }
    }

    #[test]
    fn structs_of_many_fields_written_over_any_object_give_what_to_value_gives() {
        const KEYS: [&str; 12] = [
            "kind",
            "slug",
            "lang",
            "title",
            "href",
            "summary",
            "date",
            "tags",
            "cover",
            "aliases",
            "organization",
            "z",
        ];
        let fields = |keys: &[&'static str], n: i64| -> Wide {
            Wide(
                keys.iter()
                    .enumerate()
                    .map(|(i, k)| (*k, json!({"v": n + i as i64, "list": [n, i]})))
                    .collect(),
            )
        };
        let mut shapes = vec![
            // The same fields, other values.
            fields(&KEYS[..10], 1),
            fields(&KEYS[..10], 2),
            // As many fields, one key another (a card of another kind).
            fields(&[&KEYS[..9], &KEYS[10..11]].concat(), 3),
            // The same fields in another order.
            fields(&KEYS[..10].iter().rev().copied().collect::<Vec<_>>(), 4),
            // One key twice, as many fields as the object has keys.
            fields(&[&KEYS[..9], &KEYS[..1]].concat(), 5),
            // Fewer and more fields, and more than a bit each can count.
            fields(&KEYS[..8], 6),
            fields(&KEYS, 7),
        ];
        let many: Vec<&'static str> = (0..70)
            .map(|i| &*Box::leak(format!("k{i:02}").into_boxed_str()))
            .collect();
        shapes.push(fields(&many, 8));
        shapes.push(fields(&many, 9));
        let fresh = |w: &Wide| serde_json::to_value(w).unwrap();
        for first in &shapes {
            for second in &shapes {
                let mut slot = fresh(first);
                assign(&mut slot, second).unwrap();
                assert_eq!(slot, fresh(second));
                // Inside a list, as a page's cards.
                let mut list = json!([fresh(first), fresh(second)]);
                assign(&mut list, &[second, first]).unwrap();
                assert_eq!(list, json!([fresh(second), fresh(first)]));
            }
        }
        let mut slot = Value::Null;
        for w in shapes
            .iter()
            .chain(shapes.iter().rev())
            .chain(shapes.iter())
        {
            assign(&mut slot, w).unwrap();
            assert_eq!(slot, fresh(w));
        }
    }

    #[test]
    fn scalars_and_arrays_replace_whatever_was_there() {
        let mut slot = json!({"a": 1});
        assign(&mut slot, "text").unwrap();
        assert_eq!(slot, json!("text"));
        assign(&mut slot, &[1, 2, 3]).unwrap();
        assert_eq!(slot, json!([1, 2, 3]));
        assign(&mut slot, &[4]).unwrap();
        assert_eq!(slot, json!([4]));
        assign(&mut slot, &Option::<u8>::None).unwrap();
        assert_eq!(slot, Value::Null);
        // A key written twice, over an object of as many keys.
        struct Twice;
        impl Serialize for Twice {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(None)?;
                map.serialize_entry("a", &1)?;
                map.serialize_entry("a", &2)?;
                map.end()
            }
        }
        let mut slot = json!({"a": 0, "b": 0});
        assign(&mut slot, &Twice).unwrap();
        assert_eq!(slot, json!({"a": 2}));
        let keyed: BTreeMap<bool, u8> = [(true, 1)].into();
        assign(&mut slot, &keyed).unwrap();
        assert_eq!(slot, serde_json::to_value(&keyed).unwrap());
    }
}
