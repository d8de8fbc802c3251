//! `Debug` of the raw JSON a model keeps (`Other(Value)`, `serde_json::Value` fields) with the
//! value of every secret-named key ([`crate::SECRET_FIELDS`]) masked, at any depth: an
//! unknown integration's `apiKey` never reaches a log through `{:?}`.

use crate::is_secret_field;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// What a secret-named key's string or number value shows in `Debug`.
const MASK: &str = "***";

/// A value whose `Debug` masks the secrets of the JSON it holds.
pub(crate) trait DebugMasked {
    /// Writes `self` as `Debug` would, with every secret-named key's value masked.
    fn fmt_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;

    /// Whether, under a secret-named key, `self` is the secret (text or a number; an object or
    /// list under such a key is shown, its own secrets masked).
    fn is_secret_value(&self) -> bool {
        false
    }
}

/// A map's entries, the value of each secret-named key masked.
fn entries<'a, T: DebugMasked + 'a>(
    f: &mut fmt::Formatter<'_>,
    items: impl Iterator<Item = (&'a String, &'a T)>,
) -> fmt::Result {
    let mut m = f.debug_map();
    for (k, v) in items {
        if is_secret_field(k) && v.is_secret_value() {
            m.entry(k, &Hidden);
        } else {
            m.entry(k, &Masked(v));
        }
    }
    m.finish()
}

/// `Debug` through [`DebugMasked`] (what the generated `Debug` implementations print raw JSON
/// with).
pub(crate) struct Masked<'a, T: ?Sized>(pub(crate) &'a T);

impl<T: DebugMasked + ?Sized> fmt::Debug for Masked<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt_masked(f)
    }
}

/// A secret's place in `Debug`.
struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl DebugMasked for Value {
    fn fmt_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Object(map) => entries(f, map.iter()),
            Value::Array(items) => f.debug_list().entries(items.iter().map(Masked)).finish(),
            other => fmt::Debug::fmt(other, f),
        }
    }

    fn is_secret_value(&self) -> bool {
        self.is_string() || self.is_number()
    }
}

impl<T: DebugMasked> DebugMasked for Option<T> {
    fn fmt_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Some(v) => f.debug_tuple("Some").field(&Masked(v)).finish(),
            None => f.write_str("None"),
        }
    }
}

impl<T: DebugMasked> DebugMasked for super::Nullable<T> {
    fn fmt_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::Nullable;
        match self {
            Nullable::Absent => f.write_str("Absent"),
            Nullable::Null => f.write_str("Null"),
            Nullable::Value(v) => f.debug_tuple("Value").field(&Masked(v)).finish(),
        }
    }
}

impl<T: DebugMasked> DebugMasked for Vec<T> {
    fn fmt_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(Masked)).finish()
    }
}

impl<T: DebugMasked> DebugMasked for BTreeMap<String, T> {
    fn fmt_masked(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        entries(f, self.iter())
    }
}
