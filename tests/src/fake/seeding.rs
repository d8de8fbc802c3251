//! Seeding from Rust: resources of any collection from any `Serialize` value
//! ([`FakeAtlas::seed_resource`](super::FakeAtlas::seed_resource)), read back as any
//! `DeserializeOwned` type ([`FakeAtlas::resources_as`](super::FakeAtlas::resources_as)), and
//! [`SeedError`], why seeding or reading back failed.

use super::drift::type_name;
use super::generic;
use super::resources::FakeState;
use atlas_admin_core::{OrgMembershipStatus, Sanitized};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::fmt;

/// Why the fake could not be seeded as asked, or its state not read back as a type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SeedError {
    /// The value does not serialize to a JSON object (what it is instead, or the serializer's
    /// message).
    NotAnObject(String),
    /// The path is no collection of this build's catalog (a collection is an item path
    /// without its key: `/api/atlas/v2/groups/<id>/clusters`).
    UnknownCollection(String),
    /// A parameter of the path that its spec pattern refuses (`groupId` not 24 hex digits).
    InvalidPath {
        /// The parameter's name.
        param: String,
        /// Why.
        reason: String,
    },
    /// The item the collection lives under does not exist (a cluster of an unknown project):
    /// seed the parent first.
    MissingParent {
        /// The parent's key parameters (`groupId`, `clusterName`).
        parent: String,
        /// Its key in the path.
        key: String,
    },
    /// The body lacks the field the item is keyed by, or its value is refused.
    InvalidBody {
        /// The field.
        field: String,
        /// Why.
        reason: String,
    },
    /// An item with this key is in the collection already (a POST of it would be a 409):
    /// nothing is replaced.
    Exists {
        /// The collection (concrete path).
        collection: String,
        /// The item's key.
        key: String,
    },
    /// A user status the fake cannot compute from its state: one of the four known ones
    /// (`PENDING`, `ACTIVE`, `INVITATION_EXPIRED`, `INVITATION_REJECTED`) is needed.
    UnknownStatus(String),
    /// A stored resource does not decode as the type asked for.
    Decode {
        /// Where it is stored (collection path).
        collection: String,
        /// The decoder's message.
        reason: String,
    },
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            SeedError::NotAnObject(what) => format!("the value must serialize to a JSON object: {what}"),
            SeedError::UnknownCollection(path) => format!("{path} is not a collection of this build's catalog"),
            SeedError::InvalidPath { param, reason } => format!("path parameter {param}: {reason}"),
            SeedError::MissingParent { parent, key } => {
                format!("no resource with {parent} {key} exists: seed it first")
            }
            SeedError::InvalidBody { field, reason } => format!("body field {field}: {reason}"),
            SeedError::Exists { collection, key } => format!("{collection} holds an item {key} already"),
            SeedError::UnknownStatus(status) => format!(
                "a seeded user's status must be PENDING, ACTIVE, INVITATION_EXPIRED or INVITATION_REJECTED, not {status}"
            ),
            SeedError::Decode { collection, reason } => format!("a resource of {collection} does not decode: {reason}"),
        };
        // Paths and values come from the caller or a command line: never raw control characters.
        write!(f, "{}", Sanitized(&text))
    }
}

impl std::error::Error for SeedError {}

/// `status` if the fake can seed a user in it.
pub(crate) fn known_status(status: &OrgMembershipStatus) -> Result<(), SeedError> {
    match OrgMembershipStatus::KNOWN.contains(status) {
        true => Ok(()),
        false => Err(SeedError::UnknownStatus(status.to_string())),
    }
}

/// `value` as a JSON object.
pub(crate) fn object_of(value: &impl Serialize) -> Result<Map<String, Value>, SeedError> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(SeedError::NotAnObject(format!("a JSON {}", type_name(&other)))),
        Err(e) => Err(SeedError::NotAnObject(e.to_string())),
    }
}

/// Puts `body` in the collection at concrete path `collection`, keyed as a POST would key it,
/// after checking the path (a collection of the catalog, parameters its patterns take, parents
/// that exist) and that no item has that key (as a POST would: [`SeedError::Exists`]). An item
/// with a lifecycle is in the `stateName` the body gives (`IDLE`: settled), else `CREATING`.
/// Its key.
pub(crate) fn seed_resource(
    state: &mut FakeState,
    collection: &str,
    mut body: Map<String, Value>,
) -> Result<String, SeedError> {
    let collection = collection.trim_end_matches('/');
    let e =
        generic::collection_endpoint(collection).ok_or_else(|| SeedError::UnknownCollection(collection.to_owned()))?;
    let (path, missing) = generic::checked_collection(state, e, collection)
        .map_err(|(param, reason)| SeedError::InvalidPath { param, reason })?;
    if let Some((parent, key)) = missing {
        return Err(SeedError::MissingParent { parent, key });
    }
    let key = generic::new_key(e.path, &mut body).map_err(|o| {
        let first = o.body.as_ref().map(|b| b["badRequestDetail"]["fields"][0].clone()).unwrap_or_default();
        let text = |k: &str| first[k].as_str().unwrap_or_default().to_owned();
        SeedError::InvalidBody { field: text("field"), reason: text("description") }
    })?;
    if state.exists_at(&path, &key) {
        return Err(SeedError::Exists { collection: path, key });
    }
    generic::fill_parents(e.path, collection, &mut body);
    let lifecycle = generic::has_lifecycle(&path, &body);
    match body.contains_key("stateName") {
        true => state.restore(&path, &key, body, lifecycle),
        false => {
            state.insert(&path, &key, body, lifecycle);
        }
    }
    Ok(key)
}

/// The items of `collection` decoded as `T`.
pub(crate) fn decode_all<T: DeserializeOwned>(collection: &str, items: Vec<Value>) -> Result<Vec<T>, SeedError> {
    items
        .into_iter()
        .map(|item| {
            serde_json::from_value(item)
                .map_err(|e| SeedError::Decode { collection: collection.to_owned(), reason: e.to_string() })
        })
        .collect()
}
