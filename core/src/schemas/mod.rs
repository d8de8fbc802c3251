//! Typed models of every schema the Atlas Admin API v2 spec reaches from an operation's
//! request body or success response, generated from the vendored spec
//! (`cargo run -p atlas-admin-codegen`, files under `schemas/gen/`, never edited by hand).
//!
//! Each model is compiled only when a tag feature whose operations reach it is enabled (the
//! default build compiles none). The rules, from the spec to Rust:
//!
//! - required fields are plain, optional ones `Option<T>` (left out of a body when `None`),
//!   `nullable` ones [`Nullable<T>`] (left out, `null`, or set); a struct is
//!   `#[non_exhaustive]` with `pub` fields and a `new` taking its required fields (fields
//!   whose spec allows one value only are filled in);
//! - unknown fields of a response are ignored;
//! - `int64` and unformatted integers are `i64`, read exactly (never through a float), `int32`
//!   is `i32`, `number` is `f64`; a text field named in [`SECRET_FIELDS`] (passwords,
//!   secrets, tokens, API and integration keys) is a [`Secret`] (hidden from `Debug`), and the
//!   `Debug` of raw JSON (`Other(Value)`, `serde_json::Value` fields) masks the values of
//!   such keys at any depth; dates stay text, as sent;
//! - every enum is open: an unknown value decodes to `Other(String)` and encodes unchanged;
//! - a union with a discriminator is an enum with one variant per mapped value, chosen by the
//!   discriminator; a union whose members the spec tells apart only by the values of one
//!   enum property is chosen by that property (a value several members list: by the body's
//!   fields, as below); other unions try only the members declaring the most of the body's
//!   fields, in order (and, where `overrides.toml` says so under `[union.…]`, whose listed
//!   values the body does not contradict), so no member drops a field another declares. All
//!   of them keep a body they cannot place as `Other(serde_json::Value)`;
//! - `additionalProperties` is a `BTreeMap<String, T>`; a field that would make a type
//!   contain itself is boxed;
//! - identical shapes are emitted once; the other names are type aliases of it;
//! - where the hand-written models are richer (typed roles, the Cloud Users models, lenient
//!   invitations), the generated code uses them (`core/codegen/overrides.toml`, `[schema.…]`).
//!
//! Models implement `serde::Serialize` and `serde::Deserialize` (for `serde_json::from_slice`
//! and the like) through [`Json`], a small decoder to and from `serde_json::Value`: the same
//! models with `#[derive(Serialize, Deserialize)]` on their structs took 18% longer to
//! compile with every tag (measured; see the codegen crate's `schemas.rs`), and the derive
//! cannot say "open enum", "absent, null or set" or "keep the JSON of an unknown member".
//! The generated functions (`Debug` included) are `#[inline]`: compiled to machine code only
//! where they are called, so enabling a tag costs little more than type-checking its models.
//!
//! [`Secret`]: crate::Secret
//! [`SECRET_FIELDS`]: crate::SECRET_FIELDS

mod json;
#[allow(dead_code)] // (the generated models' Debug uses it; none is compiled without a tag feature)
mod masked;
mod nullable;

pub use json::{DecodeError, Json};
#[allow(unused_imports)]
pub(crate) use json::{
    best_fit, nullable, object, optional, put, put_nullable, put_opt, required, round_trip, tag_of, to_value,
    via_serde, with_tag,
};
#[allow(unused_imports)]
pub(crate) use masked::Masked;
pub use nullable::Nullable;

/// `Serialize` and `Deserialize` of a model through its [`Json`] implementation.
#[allow(unused_macros)] // (no model is compiled without a tag feature)
macro_rules! serde_via_json {
    ($($t:ty),* $(,)?) => {$(
        impl serde::Serialize for $t {
            #[inline]
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                serde::Serialize::serialize(&$crate::schemas::Json::to_json(self), s)
            }
        }
        impl<'de> serde::Deserialize<'de> for $t {
            #[inline]
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                $crate::schemas::Json::from_json(value).map_err(serde::de::Error::custom)
            }
        }
    )*};
}

/// [`Json`] of a hand-written model (`crate::models`) through its serde implementation.
macro_rules! json_via_serde {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::schemas::Json for $t {
            #[inline]
            fn from_json(value: serde_json::Value) -> Result<Self, $crate::schemas::DecodeError> {
                $crate::schemas::via_serde(value)
            }
            #[inline]
            fn to_json(&self) -> serde_json::Value {
                $crate::schemas::to_value(self)
            }
        }
    )*};
}

#[path = "gen/mod.rs"]
mod generated;
#[allow(unused_imports, unreachable_pub)] // (empty without a tag feature)
pub use generated::*;
