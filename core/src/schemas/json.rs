//! The one decoding and encoding path of the generated models: a model is read from and
//! written to a `serde_json::Value` by small generated functions calling the helpers here,
//! instead of `#[derive(Serialize, Deserialize)]` on every type (measured much cheaper to
//! compile; see `schemas/mod.rs`).
//!
//! Decoding never panics and does linear work: every value is moved out of its parent once.
//! Errors name the field path and the JSON type expected, never a value sent by the server.

use crate::Secret;
use crate::sanitize::Sanitized;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A body that does not decode into a model: where, and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    at: String,
    what: String,
}

impl DecodeError {
    /// An error at the value being decoded (the path is added as it goes up).
    pub fn new(what: impl Into<String>) -> Self {
        DecodeError { at: String::new(), what: what.into() }
    }

    /// The same error, one level down (`key` inside the object or list being decoded).
    #[must_use]
    pub fn at(mut self, key: &str) -> Self {
        self.at = if self.at.is_empty() {
            key.to_owned()
        } else if self.at.starts_with('[') {
            format!("{key}{}", self.at)
        } else {
            format!("{key}.{}", self.at)
        };
        self
    }

    /// The path of the field that did not decode (`replicationSpecs[].zoneName`), empty for
    /// the whole body.
    pub fn path(&self) -> &str {
        &self.at
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            write!(f, "{}", Sanitized(&self.what))
        } else {
            write!(f, "at `{}`: {}", Sanitized(&self.at), Sanitized(&self.what))
        }
    }
}

impl std::error::Error for DecodeError {}

/// A type the generated models are made of: decoded from, and encoded to, JSON.
pub trait Json: Sized {
    /// Decodes a value; unknown object fields are ignored.
    fn from_json(value: Value) -> Result<Self, DecodeError>;
    /// Encodes the value; absent optional fields are left out.
    fn to_json(&self) -> Value;
    /// What a required field of this type is when the server sends `null`: `None` (an
    /// error) but for lists and maps, which are empty (Atlas sends `null` for some lists the
    /// spec requires, atlas-facts §7; a whole page must not fail on one).
    fn from_null() -> Option<Self> {
        None
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn expected(what: &str, v: &Value) -> DecodeError {
    DecodeError::new(format!("expected {what}, found {}", kind(v)))
}

impl Json for String {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(expected("a string", &other)),
        }
    }
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Json for Secret {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        String::from_json(value).map(Secret::new)
    }
    fn to_json(&self) -> Value {
        Value::String(self.expose().to_owned())
    }
}

impl Json for bool {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        value.as_bool().ok_or_else(|| expected("a boolean", &value))
    }
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

/// The largest integer an `f64` holds exactly (2^53).
const EXACT_F64: f64 = 9_007_199_254_740_992.0;

impl Json for i64 {
    /// An integer as sent (never through a float); a float only when it is a whole number
    /// below 2^53 (`3.0`).
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        if let Some(i) = value.as_i64() {
            return Ok(i);
        }
        match value.as_f64() {
            #[allow(clippy::cast_possible_truncation)]
            Some(f) if value.is_f64() && f.fract() == 0.0 && f.abs() < EXACT_F64 => Ok(f as i64),
            _ if value.is_u64() => {
                Err(DecodeError::new("expected a 64-bit integer, found a whole number above its largest"))
            }
            _ => Err(expected("a 64-bit integer", &value)),
        }
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl Json for i32 {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        let wide = i64::from_json(value).map_err(|_| DecodeError::new("expected a 32-bit integer"))?;
        i32::try_from(wide).map_err(|_| DecodeError::new("expected a 32-bit integer, found a larger one"))
    }
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl Json for f64 {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        value.as_f64().ok_or_else(|| expected("a number", &value))
    }
    /// A non-finite number (which JSON cannot hold) is `null`.
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl Json for Value {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        Ok(value)
    }
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl<T: Json> Json for Box<T> {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        T::from_json(value).map(Box::new)
    }
    fn to_json(&self) -> Value {
        T::to_json(self)
    }
    fn from_null() -> Option<Self> {
        T::from_null().map(Box::new)
    }
}

impl<T: Json> Json for Vec<T> {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Array(items) => items.into_iter().map(|v| T::from_json(v).map_err(|e| e.at("[]"))).collect(),
            other => Err(expected("a list", &other)),
        }
    }
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(T::to_json).collect())
    }
    fn from_null() -> Option<Self> {
        Some(Vec::new())
    }
}

impl<T: Json> Json for BTreeMap<String, T> {
    fn from_json(value: Value) -> Result<Self, DecodeError> {
        match value {
            Value::Object(map) => map
                .into_iter()
                .map(|(k, v)| match T::from_json(v) {
                    Ok(t) => Ok((k, t)),
                    Err(e) => Err(e.at("{}")),
                })
                .collect(),
            other => Err(expected("an object", &other)),
        }
    }
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
    fn from_null() -> Option<Self> {
        Some(BTreeMap::new())
    }
}

/// A model's fields, out of its JSON object.
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn object(value: Value) -> Result<Map<String, Value>, DecodeError> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(expected("an object", &other)),
    }
}

/// A required field: absent is an error, and `null` too but for a list or a map (empty; see
/// [`Json::from_null`]).
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn required<T: Json>(map: &mut Map<String, Value>, key: &str) -> Result<T, DecodeError> {
    match map.remove(key) {
        None => Err(DecodeError::new("required, but absent").at(key)),
        Some(Value::Null) => T::from_null().ok_or_else(|| DecodeError::new("required, but null").at(key)),
        Some(v) => T::from_json(v).map_err(|e| e.at(key)),
    }
}

/// An optional field: absent or `null` is `None`.
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn optional<T: Json>(map: &mut Map<String, Value>, key: &str) -> Result<Option<T>, DecodeError> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => T::from_json(v).map(Some).map_err(|e| e.at(key)),
    }
}

/// A `nullable` field: absent, `null` and a value are told apart.
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn nullable<T: Json>(map: &mut Map<String, Value>, key: &str) -> Result<super::Nullable<T>, DecodeError> {
    use super::Nullable;
    match map.remove(key) {
        None => Ok(Nullable::Absent),
        Some(Value::Null) => Ok(Nullable::Null),
        Some(v) => T::from_json(v).map(Nullable::Value).map_err(|e| e.at(key)),
    }
}

/// Writes a required field.
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn put<T: Json>(map: &mut Map<String, Value>, key: &str, value: &T) {
    map.insert(key.to_owned(), value.to_json());
}

/// Writes an optional field when it is set.
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn put_opt<T: Json>(map: &mut Map<String, Value>, key: &str, value: &Option<T>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v.to_json());
    }
}

/// Writes a `nullable` field: nothing when absent, `null`, or the value.
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn put_nullable<T: Json>(map: &mut Map<String, Value>, key: &str, value: &super::Nullable<T>) {
    use super::Nullable;
    match value {
        Nullable::Absent => {}
        Nullable::Null => {
            map.insert(key.to_owned(), Value::Null);
        }
        Nullable::Value(v) => {
            map.insert(key.to_owned(), v.to_json());
        }
    }
}

/// The text of an object's `key` field, if it is text (a union's tag).
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn tag_of(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// `value` with its `key` field set to `tag` (a tagged union's variant, encoded).
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn with_tag(mut value: Value, key: &str, tag: &str) -> Value {
    if let Value::Object(map) = &mut value {
        map.insert(key.to_owned(), Value::String(tag.to_owned()));
    }
    value
}

/// The members of a union to try, in order: among `candidates` (indices into `fields`, each
/// member's declared field names), those whose `hints` (key, values) the body does not
/// contradict, then only those that declare the most of the body's fields, in the order of
/// `candidates`. A member declaring fewer of the body's fields is never tried: decoding as it would
/// drop fields another member keeps (the union's `Other` keeps the body instead).
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn best_fit(
    value: &Value,
    fields: &[&[&str]],
    hints: &[&[(&str, &[&str])]],
    candidates: &[usize],
) -> Vec<usize> {
    let Value::Object(map) = value else { return candidates.to_vec() };
    let agrees = |i: usize| {
        hints.get(i).is_none_or(|hs| {
            hs.iter().all(|(k, vs)| map.get(*k).and_then(Value::as_str).is_none_or(|v| vs.contains(&v)))
        })
    };
    let score = |i: usize| fields.get(i).map_or(0, |names| map.keys().filter(|k| names.contains(&k.as_str())).count());
    let scored: Vec<(usize, usize)> = candidates.iter().filter(|&&i| agrees(i)).map(|&i| (i, score(i))).collect();
    let best = scored.iter().map(|&(_, s)| s).max().unwrap_or(0);
    scored.into_iter().filter(|&(_, s)| s == best).map(|(i, _)| i).collect()
}

/// A hand-written model (`crate::models`) through its serde implementation. The error says
/// what was expected, never the value sent (serde's message quotes it: `invalid type: string
/// "…", expected …`); a missing field is named (a name of the model, not of the body).
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn via_serde<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, DecodeError> {
    serde_json::from_value(value).map_err(|e| DecodeError::new(without_value(&e.to_string())))
}

/// serde's message without the value it quotes: its `expected …` part, or `missing field …`.
fn without_value(message: &str) -> String {
    if message.starts_with("missing field `") {
        return message.to_owned();
    }
    match message.rfind(", expected ") {
        Some(at) => message[at + 2..].to_owned(),
        None => "does not have the shape the model expects".to_owned(),
    }
}

/// A hand-written model (`crate::models`) encoded through its serde implementation (`null` if
/// it cannot be, which none of them does).
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Decodes `value` as `T` and encodes it back (the example registry's one function).
#[allow(dead_code)] // (the generated models of some tags use it, no tag all)
pub(crate) fn round_trip<T: Json>(value: Value) -> Result<Value, DecodeError> {
    T::from_json(value).map(|t| t.to_json())
}
