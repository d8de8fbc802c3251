//! The verbatim spec as JSON, read with a YAML parser of the tests' own (nothing of the
//! generator's code is taken as truth): shared by the spec tests.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing, dead_code)]

use serde_json::Value;
use std::sync::OnceLock;

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/codegen/spec/atlas-admin-v2.yaml");

/// The spec as JSON, parsed once per test binary.
pub(crate) fn spec() -> &'static Value {
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
pub(crate) fn deref(v: &Value) -> &Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec().pointer(r.strip_prefix('#').unwrap()).unwrap_or_else(|| panic!("{r}")),
        None => v,
    }
}

/// Every operation of the spec: (method upper-case, path, operation object).
pub(crate) fn operations() -> Vec<(String, &'static str, &'static Value)> {
    let mut out = Vec::new();
    for (path, item) in spec()["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.as_str(), op));
        }
    }
    out
}

/// `application/vnd.atlas.<version>+<suffix>` -> (version, suffix).
pub(crate) fn split_media(mt: &str) -> (String, String) {
    let rest = mt.strip_prefix("application/vnd.atlas.").unwrap_or_else(|| panic!("{mt}"));
    let (v, s) = rest.split_once('+').unwrap();
    (v.to_owned(), s.to_owned())
}
