//! The repository's vendored spec (`core/codegen/spec/atlas-admin-v2.yaml`) as JSON, read with
//! a YAML parser of the tests' own: what the spec tests (`core/tests/spec_*.rs`, which compile
//! this file in) and the conformance suite's per-tag scenario take as truth, never the
//! generator's code or output. Read at run time from the checkout: the spec is in no package.
#![allow(dead_code, unreachable_pub, clippy::panic, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use serde_json::{Map, Value, json};
use std::sync::OnceLock;

// (`core/` and `tests/` are both one level below the workspace root: this path holds for the
// core's tests, which compile this file in, and for this crate.)
const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/codegen/spec/atlas-admin-v2.yaml");

/// The spec as JSON, parsed once per process (panics outside a checkout: the spec is in the
/// repository, in no package).
pub fn spec() -> &'static Value {
    static SPEC_JSON: OnceLock<Value> = OnceLock::new();
    SPEC_JSON.get_or_init(|| {
        let text = std::fs::read_to_string(SPEC)
            .unwrap_or_else(|e| panic!("{SPEC}: {e} (the spec is in the repository, not in the package)"));
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).unwrap();
        json(&docs[0])
    })
}

fn json(y: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(r) => Value::from(r.parse::<f64>().unwrap()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(a) => Value::Array(a.iter().map(json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        other => panic!("key {other:?}"),
                    };
                    (key, json(v))
                })
                .collect(),
        ),
        other => panic!("unexpected YAML node {other:?}"),
    }
}

/// Follows a local `$ref`.
pub fn deref(v: &Value) -> &Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec().pointer(r.strip_prefix('#').unwrap()).unwrap_or_else(|| panic!("{r}")),
        None => v,
    }
}

/// Every operation of the spec: (method upper-case, path, operation object).
pub fn operations() -> Vec<(String, &'static str, &'static Value)> {
    let mut out = Vec::new();
    for (path, item) in spec()["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.as_str(), op));
        }
    }
    out
}

/// `application/vnd.atlas.<version>+<suffix>` -> (version, suffix).
pub fn split_media(mt: &str) -> (String, String) {
    let rest = mt.strip_prefix("application/vnd.atlas.").unwrap_or_else(|| panic!("{mt}"));
    let (v, s) = rest.split_once('+').unwrap();
    (v.to_owned(), s.to_owned())
}

/// The values of an enum schema, or of a `oneOf` of enums (union, first seen first).
pub fn enum_values(schema: &Value) -> Vec<String> {
    let schema = deref(schema);
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    }
    let mut out: Vec<String> = Vec::new();
    for part in schema["oneOf"].as_array().unwrap_or_else(|| panic!("not an enum: {schema}")) {
        for v in enum_values(part) {
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

/// Which side of an exchange a body is assembled for: a request leaves `readOnly` properties
/// out, a response `writeOnly` ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// A request body.
    Request,
    /// A response body.
    Response,
}

/// A body assembled from a schema: its example, default or first enum value, else each
/// property's (those `side` does not carry left out), an array of one item, a union's first
/// choice, a typed sample for a bare scalar. `None` only past a depth of 8 (recursive schemas).
pub fn assemble(schema: &Value, side: Side) -> Option<Value> {
    assemble_at(schema, side, 0)
}

fn assemble_at(schema: &Value, side: Side, depth: usize) -> Option<Value> {
    let schema = deref(schema);
    if let Some(v) = schema.get("example").or_else(|| schema.get("default")) {
        return Some(v.clone());
    }
    if let Some(v) = schema["enum"].as_array().and_then(|v| v.first()) {
        return Some(v.clone());
    }
    if depth > 8 {
        return None;
    }
    if let Some(parts) = schema["allOf"].as_array() {
        let mut out = Map::new();
        for part in parts {
            if let Some(Value::Object(fields)) = assemble_at(part, side, depth + 1) {
                out.extend(fields);
            }
        }
        if let Some(Value::Object(own)) = object(schema, side, depth) {
            out.extend(own);
        }
        return Some(Value::Object(out));
    }
    if let Some(first) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()).and_then(|c| c.first()) {
        return assemble_at(first, side, depth + 1);
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("array"), _) => Some(Value::Array(assemble_at(&schema["items"], side, depth + 1).into_iter().collect())),
        (Some("boolean"), _) => Some(json!(true)),
        (Some("integer"), _) => Some(json!(schema["minimum"].as_i64().unwrap_or(3).max(3))),
        (Some("number"), _) => Some(json!(2.5)),
        (Some("string"), Some("date-time")) => Some(json!("2024-05-06T07:08:09Z")),
        (Some("string"), Some("date")) => Some(json!("2024-05-06")),
        (Some("string"), Some("email")) => Some(json!("ada@example.com")),
        (Some("string"), _) => Some(json!("sample")),
        _ => object(schema, side, depth),
    }
}

/// The properties of an object schema, assembled (an object without any: `{}`).
fn object(schema: &Value, side: Side, depth: usize) -> Option<Value> {
    let Some(properties) = schema["properties"].as_object() else {
        return (schema["type"] == "object").then(|| json!({}));
    };
    let skipped = match side {
        Side::Request => "readOnly",
        Side::Response => "writeOnly",
    };
    let mut out = Map::new();
    for (name, property) in properties {
        if deref(property)[skipped] == true || property[skipped] == true {
            continue;
        }
        if let Some(v) = assemble_at(property, side, depth + 1) {
            out.insert(name.clone(), v);
        }
    }
    Some(Value::Object(out))
}
