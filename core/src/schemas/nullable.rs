//! A field that can be left out, sent as `null`, or set.

/// A `nullable` field of the spec: [`Nullable::Absent`] leaves it out of the body (the
/// server keeps what it has), [`Nullable::Null`] sends `null` (the server clears it),
/// [`Nullable::Value`] sends the value. Decoding tells the three apart the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// Not in the body.
    #[default]
    Absent,
    /// `null` in the body.
    Null,
    /// The value.
    Value(T),
}

impl<T> Nullable<T> {
    /// The value, if one is set.
    pub fn value(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// Whether the field is left out.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}
