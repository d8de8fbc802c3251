//! The fake's schema knowledge: `spec.json`, written by the generator (`cargo run -p
//! atlas-admin-codegen`) from the vendored spec and embedded here, parsed once on first use.
//! Per operation it holds the request body's schema and the success bodies' schemas by status
//! and version; [`request_problems`] checks a request body against it and [`conform`] makes a
//! success body keep it (the fields set kept, required ones filled: ids of the spec's pattern,
//! dates from the fake's clock, the spec's examples and defaults, enum values).

use super::random;
use super::schema::{Direction, HEX24, Schemas, Violation};
use atlas_admin_core::{ApiVersion, format_rfc3339};
use serde_json::Value;
use std::sync::OnceLock;
use std::time::SystemTime;

/// The generated extract (about 770 KB; see the generator's `fake_spec` module).
const SPEC_JSON: &str = include_str!("spec.json");

/// The extract, parsed once (`null` if it were unreadable: then nothing is checked or filled).
fn data() -> &'static Value {
    static DATA: OnceLock<Value> = OnceLock::new();
    DATA.get_or_init(|| serde_json::from_str(SPEC_JSON).unwrap_or(Value::Null))
}

fn operation(operation_id: &str) -> Option<&'static Value> {
    data().get("operations")?.get(operation_id)
}

/// The request body's schema of `operation_id` in `version`.
fn request_schema(operation_id: &str, version: ApiVersion) -> Option<&'static Value> {
    operation(operation_id)?.get("request")?.get(version.as_str())
}

/// The schema of the `status` body of `operation_id` in `version`.
fn response_schema(operation_id: &str, status: u16, version: ApiVersion) -> Option<&'static Value> {
    operation(operation_id)?.get("responses")?.get(status.to_string())?.get(version.as_str())
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

/// `body` made to keep the schema of the operation's `status` body in `version`, if the spec
/// gives one: fields that keep it kept, required ones added (a fresh id where the spec's pattern
/// is a 24-hex id, `now` for a date-time, else the spec's example, default or first enum
/// value), a value of the wrong type or outside its enum replaced.
pub(crate) fn conform(operation_id: &str, status: u16, version: ApiVersion, now: SystemTime, body: &mut Value) {
    let Some(schema) = response_schema(operation_id, status, version) else { return };
    let fill = |_: &str, s: &Value| -> Option<Value> {
        match (s.get("pattern").and_then(Value::as_str), s.get("format").and_then(Value::as_str)) {
            (Some(HEX24), _) => Some(Value::String(random::object_id())),
            (None, Some("date-time")) => Some(Value::String(format_rfc3339(now))),
            _ => None,
        }
    };
    Schemas::new(data()).conform(schema, body, Direction::Response, &fill);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extract_parses_and_names_operations() {
        assert!(data().pointer("/components/schemas").is_some_and(Value::is_object), "spec.json parses");
        assert!(operation("getSystemStatus").is_some());
    }
}
