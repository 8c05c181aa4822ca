//! The top-level members of an event's `data`, parsed in one pass.
//!
//! The known fields land in fixed slots and only the unknown ones go into a map, so the
//! common event builds no map, allocates no key and is never searched by name. Duplicate
//! keys keep the last value, as `serde_json`'s own map does, so the result is the one the
//! map-based reading gave.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The fields of SPEC §1, in the order of their slots.
pub(super) const KNOWN_FIELDS: [&str; 13] = [
    "id",
    "zone_id",
    "event_type",
    "request_id",
    "decision",
    "policy_set_id",
    "policy_set_version_id",
    "manifest_sha",
    "evaluation_status",
    "determining_policies_json",
    "diagnostics_json",
    "metadata_json",
    "occurred_at",
];

/// The slot of a known field, found at compile time (`slot("zone_id")`).
pub(super) const fn slot(name: &str) -> usize {
    let mut i = 0;
    while i < KNOWN_FIELDS.len() {
        if eq(KNOWN_FIELDS[i].as_bytes(), name.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("not a known field")
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// An event object's members: the known fields by slot, the rest by name.
#[derive(Default)]
pub(super) struct Members {
    known: [Option<Value>; 13],
    /// Members that are not event fields, as sent.
    pub(super) extra: Map<String, Value>,
}

impl Members {
    /// Parses `text` as a JSON object. `Ok(None)`: valid JSON, but not an object.
    pub(super) fn parse(text: &str) -> Result<Option<Members>, serde_json::Error> {
        let starts_object = text.trim_start_matches([' ', '\t', '\n', '\r']).starts_with('{');
        if !starts_object {
            // Anything else is read as any JSON would be, for the same error as before.
            return serde_json::from_str::<Value>(text).map(|_| None);
        }
        serde_json::from_str::<Members>(text).map(Some)
    }

    /// Takes the value of the known field in `slot` out (`None` when absent).
    pub(super) fn take(&mut self, slot: usize) -> Option<Value> {
        self.known[slot].take()
    }

    /// The known string field in `slot`, taken out, required and at most `max` characters.
    pub(super) fn required(&mut self, slot: usize, max: usize) -> Result<String, crate::Reason> {
        super::field::required_str(self.take(slot), KNOWN_FIELDS[slot], max)
    }

    /// The known string field in `slot`, taken out, at most `max` characters when present.
    pub(super) fn optional(&mut self, slot: usize, max: usize) -> Result<Option<String>, crate::Reason> {
        super::field::optional_str(self.take(slot), KNOWN_FIELDS[slot], max)
    }

    /// Every member as one map, for the rare checks that need them all by name.
    pub(super) fn to_map(&self) -> Map<String, Value> {
        let mut all = self.extra.clone();
        for (k, v) in KNOWN_FIELDS.iter().zip(&self.known) {
            if let Some(v) = v {
                all.insert((*k).to_owned(), v.clone());
            }
        }
        all
    }
}

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(MembersVisitor)
    }
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
        let mut members = Members::default();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value: Value = map.next_value()?;
            match key {
                Key::Known(slot) => members.known[slot] = Some(value),
                Key::Other(name) => {
                    members.extra.insert(name, value);
                }
            }
        }
        Ok(members)
    }
}

enum Key {
    Known(usize),
    Other(String),
}

/// Reads a key without allocating when it names a known field.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match KNOWN_FIELDS.iter().position(|k| *k == key) {
            Some(slot) => Key::Known(slot),
            None => Key::Other(key.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_fields_go_to_slots_the_rest_to_the_map_and_the_last_duplicate_wins() {
        let mut m = Members::parse(r#" {"id":"a","x":1,"id":"b","zone_id":null,"z\u0021":[]}"#).unwrap().unwrap();
        assert_eq!(m.take(slot("id")), Some(Value::String("b".into())));
        assert_eq!(m.take(slot("id")), None);
        assert_eq!(m.take(slot("zone_id")), Some(Value::Null));
        assert_eq!(m.extra.keys().collect::<Vec<_>>(), ["x", "z!"]);
    }

    #[test]
    fn non_objects_and_bad_json_read_as_a_map_reading_would() {
        assert!(Members::parse("[1]").unwrap().is_none());
        assert!(Members::parse(" 3").unwrap().is_none());
        for bad in ["{", "{\"a\":1}x", "nope", "{\"a\" 1}"] {
            let ours = Members::parse(bad).err().map(|e| e.to_string());
            let theirs = serde_json::from_str::<Value>(bad).err().map(|e| e.to_string());
            assert_eq!(ours, theirs, "{bad}");
        }
    }

    #[test]
    fn to_map_holds_every_member() {
        let m = Members::parse(r#"{"id":"a","x":1}"#).unwrap().unwrap();
        assert_eq!(Value::Object(m.to_map()), serde_json::json!({"id":"a","x":1}));
    }
}
