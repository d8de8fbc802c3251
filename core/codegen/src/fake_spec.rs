//! The fake Atlas's schema knowledge (`tests/src/fake/spec.json`): per operation, the request
//! body's schema and the success bodies' schemas by status and version, with the component
//! schemas they reach, stripped to what validating and filling a body needs (no descriptions,
//! titles, docs or `x-` extensions). The testing crate is published without the vendored spec,
//! so it embeds this file instead.
//!
//! Layout (one operation or component per line, sorted, so a spec update diffs line by line):
//! `{"operations": {opId: {"request": {version: schema}, "responses": {status: {version:
//! schema}}}}, "components": {"schemas": {name: schema}}}`; a version is the date of the
//! content type (`2023-01-01`) or `preview`.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The schema keywords kept.
const KEEP: &[&str] = &[
    "$ref",
    "additionalProperties",
    "allOf",
    "anyOf",
    "default",
    "discriminator",
    "enum",
    "example",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "format",
    "items",
    "maxItems",
    "maxLength",
    "maximum",
    "minItems",
    "minLength",
    "minimum",
    "nullable",
    "oneOf",
    "pattern",
    "properties",
    "readOnly",
    "required",
    "type",
    "writeOnly",
];

/// The methods whose operations are described.
const METHODS: &[&str] = &["get", "put", "post", "patch", "delete"];

const SCHEMAS: &str = "#/components/schemas/";

/// The version a content type names: `application/vnd.atlas.2023-01-01+json` → `2023-01-01`.
fn version(content_type: &str) -> Option<&str> {
    let rest = content_type.strip_prefix("application/vnd.atlas.")?;
    rest.strip_suffix("+json")
}

/// `schema` with only the [`KEEP`] keywords (property maps kept whole, their schemas stripped).
fn strip(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter().filter(|(k, _)| KEEP.contains(&k.as_str())) {
                let v = match (k.as_str(), v) {
                    ("properties", Value::Object(props)) => {
                        Value::Object(props.iter().map(|(n, s)| (n.clone(), strip(s))).collect())
                    }
                    ("example" | "default" | "enum" | "required" | "discriminator", v) => v.clone(),
                    (_, v) => strip(v),
                };
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
        other => other.clone(),
    }
}

/// The component schemas `schema` names: `$ref`s and discriminator mappings.
fn refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.extend(r.strip_prefix(SCHEMAS).map(str::to_owned)),
                    ("discriminator", d) => {
                        let targets = d.get("mapping").and_then(Value::as_object).into_iter().flatten();
                        out.extend(targets.filter_map(|(_, t)| t.as_str()?.strip_prefix(SCHEMAS).map(str::to_owned)));
                    }
                    ("example" | "default" | "enum", _) => {}
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The schemas of `content` by version (JSON content types only).
fn by_version(content: Option<&Value>) -> BTreeMap<String, Value> {
    let entries = content.and_then(Value::as_object).into_iter().flatten();
    entries.filter_map(|(ct, media)| Some((version(ct)?.to_owned(), strip(media.get("schema")?)))).collect()
}

/// The text of `tests/src/fake/spec.json` for the spec (as JSON).
pub(crate) fn file(spec: &Value) -> Result<String, String> {
    let paths = spec.get("paths").and_then(Value::as_object).ok_or("the spec has no paths")?;
    let components = spec.pointer("/components/schemas").and_then(Value::as_object).ok_or("no component schemas")?;
    let mut operations: BTreeMap<String, Value> = BTreeMap::new();
    let mut wanted = Vec::new();
    for item in paths.values() {
        for method in METHODS {
            let Some(op) = item.get(*method) else { continue };
            let id = op.get("operationId").and_then(Value::as_str).ok_or("an operation has no operationId")?;
            let request = by_version(op.pointer("/requestBody/content"));
            let mut responses = Map::new();
            let statuses = op.get("responses").and_then(Value::as_object).into_iter().flatten();
            for (status, response) in statuses.filter(|(s, _)| s.starts_with('2')) {
                let schemas = by_version(response.get("content"));
                if !schemas.is_empty() {
                    responses.insert(status.clone(), Value::Object(schemas.into_iter().collect()));
                }
            }
            let entry =
                serde_json::json!({"request": Value::Object(request.into_iter().collect()), "responses": responses});
            refs(&entry, &mut wanted);
            operations.insert(id.to_owned(), entry);
        }
    }
    // Every component reached, transitively.
    let mut reached: BTreeMap<String, Value> = BTreeMap::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some(name) = wanted.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let schema = components.get(&name).ok_or_else(|| format!("$ref to a missing schema {name}"))?;
        let stripped = strip(schema);
        refs(&stripped, &mut wanted);
        reached.insert(name, stripped);
    }
    let line = |(k, v): (&String, &Value)| -> Result<String, String> {
        let key = serde_json::to_string(k).map_err(|e| e.to_string())?;
        Ok(format!("{key}:{}", serde_json::to_string(v).map_err(|e| e.to_string())?))
    };
    let ops: Vec<String> = operations.iter().map(line).collect::<Result<_, _>>()?;
    let schemas: Vec<String> = reached.iter().map(line).collect::<Result<_, _>>()?;
    Ok(format!(
        "{{\"operations\":{{\n{}\n}},\n\"components\":{{\"schemas\":{{\n{}\n}}}}}}\n",
        ops.join(",\n"),
        schemas.join(",\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_what_validation_needs_and_the_components_reached() {
        let spec = json!({
            "paths": {"/a": {"post": {
                "operationId": "createA",
                "requestBody": {"content": {"application/vnd.atlas.2023-01-01+json": {"schema": {"$ref": "#/components/schemas/A"}}}},
                "responses": {
                    "201": {"content": {"application/vnd.atlas.preview+json": {"schema": {"type": "object", "description": "gone"}}}},
                    "400": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}}
                }
            }}},
            "components": {"schemas": {
                "A": {"type": "object", "title": "t", "properties": {"b": {"$ref": "#/components/schemas/B", "description": "d"}}},
                "B": {"type": "string", "enum": ["X"], "x-xgen": 1},
                "Err": {"type": "object"},
                "Unused": {"type": "string"}
            }}
        });
        let text = file(&spec).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["operations"]["createA"]["request"]["2023-01-01"], json!({"$ref": "#/components/schemas/A"}));
        assert_eq!(v["operations"]["createA"]["responses"], json!({"201": {"preview": {"type": "object"}}}));
        assert_eq!(
            v["components"]["schemas"]["A"],
            json!({"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}})
        );
        assert_eq!(v["components"]["schemas"]["B"], json!({"type": "string", "enum": ["X"]}));
        let names: Vec<&String> = v["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["A", "B"], "only what operations reach: no error bodies, nothing unused");
        assert_eq!(text.lines().count(), 7, "one line per operation and per schema");
    }
}
