//! The fake's schema knowledge: `spec.json`, written by the generator (`cargo run -p
//! atlas-admin-codegen`) from the vendored spec and embedded here, parsed once on first use.
//! Per operation it holds the request body's schema and the success bodies' schemas by status
//! and version; [`request_problems`] checks a request body against it and [`conform`] makes a
//! success body keep it (the fields set kept, required ones filled: ids of the spec's pattern,
//! dates from the fake's clock, the spec's examples and defaults, enum values).

use super::incoming::Request;
use super::random;
use super::schema::{Direction, HEX24, Schemas, Violation, untype_scalar_unions};
use atlas_admin_core::{ApiVersion, format_rfc3339};
use serde_json::Value;
use std::sync::OnceLock;

/// The generated extract (about 770 KB; see the generator's `fake_spec` module).
const SPEC_JSON: &str = include_str!("spec.json");

/// The extract, parsed once (`null` if it were unreadable: then nothing is checked or filled),
/// following Atlas where the spec's schema cannot be kept ([`untype_scalar_unions`]).
fn data() -> &'static Value {
    static DATA: OnceLock<Value> = OnceLock::new();
    DATA.get_or_init(|| {
        let mut doc = serde_json::from_str(SPEC_JSON).unwrap_or(Value::Null);
        untype_scalar_unions(&mut doc);
        doc
    })
}

fn operation(operation_id: &str) -> Option<&'static Value> {
    data().get("operations")?.get(operation_id)
}

/// The schema of the success body of `operation_id` in `version` (of the first status that has
/// one in that version).
fn success_schema(operation_id: &str, version: ApiVersion) -> Option<&'static Value> {
    let responses = operation(operation_id)?.get("responses")?.as_object()?;
    responses.values().find_map(|by_version| by_version.get(version.as_str()))
}

/// The request body's schema of `operation_id` in `version`.
fn request_schema(operation_id: &str, version: ApiVersion) -> Option<&'static Value> {
    operation(operation_id)?.get("request")?.get(version.as_str())
}

/// The schema of the `status` body of `operation_id` in `version`.
fn response_schema(operation_id: &str, status: u16, version: ApiVersion) -> Option<&'static Value> {
    operation(operation_id)?.get("responses")?.get(status.to_string())?.get(version.as_str())
}

/// Success statuses real Atlas answers where the spec documents another, which the fake
/// follows (the body keeps the documented status's schema): (operation, Atlas's status, the
/// spec's status, source). The one list the fake and the tests read.
pub const ATLAS_STATUSES: &[(&str, u16, u16, &str)] = &[
    ("createGroup", 201, 200, "atlas-facts.md §7: recorded live answers, `createGroup` answers 201"),
    ("deleteGroup", 202, 204, "atlas-facts.md §7: recorded live answers, `deleteGroup` 202"),
];

/// The status real Atlas answers for a success of `operation_id`, where it differs from the
/// spec's ([`ATLAS_STATUSES`]).
pub(crate) fn observed_status(operation_id: &str) -> Option<u16> {
    ATLAS_STATUSES.iter().find(|(op, ..)| *op == operation_id).map(|&(_, s, ..)| s)
}

/// The success status of `version` of the operation: `documented` (the catalog's) where the spec
/// gives it a body in that version, else the first 2xx that has one (`createGroupClusterSearchDeployment`
/// answers 200 in 2023-01-01, 201 in 2024-05-30).
pub(crate) fn success_status(operation_id: &str, version: ApiVersion, documented: u16) -> u16 {
    let Some(responses) = operation(operation_id).and_then(|o| o.get("responses")).and_then(Value::as_object) else {
        return documented;
    };
    let has = |status: &str| responses.get(status).is_some_and(|r| r.get(version.as_str()).is_some());
    if responses.is_empty() || has(&documented.to_string()) {
        return documented;
    }
    responses.keys().find(|s| has(s)).and_then(|s| s.parse().ok()).unwrap_or(documented)
}

/// The fields of a JSON object request `body` that the operation's success body in `version`
/// also has (as its schema or one of its `allOf` parts names them): what an action answers
/// back before its required fields are filled. `None` if there are none.
pub(crate) fn echoed(operation_id: &str, version: ApiVersion, body: &[u8]) -> Option<Value> {
    let Ok(Value::Object(sent)) = serde_json::from_slice::<Value>(body) else { return None };
    let schema = success_schema(operation_id, version)?;
    let schemas = Schemas::new(data());
    let kept: serde_json::Map<String, Value> =
        sent.into_iter().filter(|(k, _)| schemas.property(schema, k, 0).is_some()).collect();
    (!kept.is_empty()).then_some(Value::Object(kept))
}

/// A request body of `operation_id` in `version` made from its schema ([`Schemas::example`]:
/// `fill` asked first for each named string field), valid for [`request_problems`] (a list with one item); `None` where
/// the spec gives the operation no request body.
#[cfg(feature = "suites")]
pub(crate) fn request_example(operation_id: &str, version: ApiVersion, fill: super::schema::Fill<'_>) -> Option<Value> {
    let schema = request_schema(operation_id, version)?;
    let schemas = Schemas::new(data());
    let mut body = schemas.example(schema, Direction::Request, fill);
    if let (Value::Array(items), Some(item)) = (&mut body, schemas.resolve(schema).get("items")) {
        // A body that is a list (access list entries, a project's teams) carries one item.
        if items.is_empty() {
            items.push(schemas.example(item, Direction::Request, fill));
        }
    }
    Some(body)
}

/// An example of field `name` of the success body of `operation_id` in `version` (its schema's
/// example, default or a value built from it), if that body's schema describes the field.
#[cfg(feature = "suites")]
pub(crate) fn field_example(operation_id: &str, version: ApiVersion, name: &str) -> Option<Value> {
    let schema = success_schema(operation_id, version)?;
    let schemas = Schemas::new(data());
    let field = schemas.property(schema, name, 0)?;
    Some(schemas.example(field, Direction::Response, &|_, _| None))
}

/// Where a JSON request body breaks the operation's request schema. A PATCH merges, so the
/// fields it leaves out are not missing (its other fields are checked all the same).
pub(crate) fn request_problems(operation_id: &str, version: ApiVersion, patch: bool, body: &Value) -> Vec<Violation> {
    let Some(schema) = request_schema(operation_id, version) else { return Vec::new() };
    let mut found = Schemas::new(data()).validate(schema, body, Direction::Request);
    if patch {
        found.retain(|v| v.reason != "is required");
    }
    found
}

/// `body` made to keep the schema of the request's operation's `status` body in its version,
/// if the spec gives one: fields that keep it kept, required ones added (the value of the path
/// parameter of that name in `path`, decoded, a fresh id where the spec's pattern is a 24-hex id, the request's
/// time for a date-time, else the spec's example, default or first enum value), a value of the
/// wrong type, outside its enum, range or pattern replaced; `writeOnly` fields dropped.
pub(crate) fn conform(req: &Request<'_>, status: u16, path: &[(&str, String)], body: &mut Value) {
    let (e, version, now) = (req.endpoint, req.version, req.now);
    let Some(schema) = response_schema(e.operation_id, status, version) else { return };
    let fill = |name: &str, s: &Value| -> Option<Value> {
        if let Some((_, v)) = path.iter().find(|(n, _)| *n == name) {
            return Some(Value::String(v.clone()));
        }
        match (s.get("pattern").and_then(Value::as_str), s.get("format").and_then(Value::as_str)) {
            (Some(HEX24), _) => Some(Value::String(random::object_id())),
            (None, Some("date-time")) => Some(Value::String(format_rfc3339(now))),
            _ => None,
        }
    };
    let schemas = Schemas::new(data());
    schemas.conform(schema, body, Direction::Response, &fill);
    // Atlas never answers a `writeOnly` field (a database user's password).
    schemas.drop_write_only(schema, body);
}

/// `body` without the fields the success body of `operation_id` in `version` marks
/// `writeOnly`: what Atlas never answers (a database user's password), so neither kept from
/// what a PATCH or PUT merges nor expected back. (A request schema's `writeOnly` says less: a
/// team's new `name` is answered.)
pub(crate) fn drop_unanswered(operation_id: &str, version: ApiVersion, body: &mut Value) {
    if let Some(schema) = success_schema(operation_id, version) {
        Schemas::new(data()).drop_write_only(schema, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extract_parses_and_names_operations() {
        assert!(data().pointer("/components/schemas").is_some_and(Value::is_object), "spec.json parses");
        assert!(operation("getSystemStatus").is_some());
    }

    #[cfg(feature = "fake-full")]
    #[test]
    fn the_success_status_follows_the_version() {
        let op = "createGroupClusterSearchDeployment";
        assert_eq!(success_status(op, ApiVersion::V2023_01_01, 201), 200);
        assert_eq!(success_status(op, ApiVersion::V2024_05_30, 201), 201);
        assert_eq!(success_status("deleteGroup", ApiVersion::V2023_01_01, 204), 204, "no body: the catalog's");
    }
}
