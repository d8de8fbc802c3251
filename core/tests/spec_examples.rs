//! Every `example` of the verbatim spec that belongs to a modelled schema decodes into its
//! model (`atlas_admin_core::schemas`), and re-encodes with none of the fields the schema
//! declares lost and no value changed. The spec is read here with a YAML parser of its own;
//! which schemas are reachable is computed here from the spec's `$ref`s, not taken from the
//! generator. Request-side and response-side examples are held to the same check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

use atlas_admin_core::schemas;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[path = "../../tests/src/spec.rs"]
mod spec;

const OVERRIDES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/codegen/overrides.toml");

/// Examples that do not hold for a stated reason: (where, reason).
const EXCEPTIONS: &[(&str, &str)] = &[];

fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Every `$ref` inside `v` (any depth).
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

/// The JSON media types (pointer of the schema, media object) of every operation's request
/// body and success responses.
fn media(spec: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let base = format!("/paths/{}/{method}", token(path));
            let mut containers = vec![format!("{base}/requestBody")];
            for code in op["responses"].as_object().unwrap().keys().filter(|c| c.starts_with('2')) {
                containers.push(format!("{base}/responses/{code}"));
            }
            for mut c in containers {
                let Some(node) = spec.pointer(&c) else { continue };
                if let Some(r) = node.get("$ref").and_then(Value::as_str) {
                    c = r[1..].to_owned();
                }
                let Some(content) = spec.pointer(&format!("{c}/content")).and_then(Value::as_object) else { continue };
                for (mt, m) in content {
                    if mt.ends_with("json") && m.get("schema").is_some() {
                        out.push((format!("{c}/content/{}/schema", token(mt)), m.clone()));
                    }
                }
            }
        }
    }
    out
}

/// Every schema node under `ptr` (not through `$ref`) with its `example`.
fn schema_examples(spec: &Value, ptr: &str, out: &mut Vec<(String, Value)>) {
    let Some(s) = spec.pointer(ptr) else { return };
    if let Some(e) = s.get("example") {
        out.push((ptr.to_owned(), e.clone()));
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for k in props.keys() {
            schema_examples(spec, &format!("{ptr}/properties/{}", token(k)), out);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if s.get(key).is_some_and(Value::is_object) {
            schema_examples(spec, &format!("{ptr}/{key}"), out);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for i in 0..s.get(key).and_then(Value::as_array).map_or(0, Vec::len) {
            schema_examples(spec, &format!("{ptr}/{key}/{i}"), out);
        }
    }
}

/// Every property name a schema declares, through `$ref`, `allOf`/`oneOf`/`anyOf`, items
/// and properties (any depth).
fn declared(spec: &Value, v: &Value, seen: &mut BTreeSet<String>, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get("$ref") {
                if seen.insert(r.clone()) {
                    declared(spec, spec.pointer(&r[1..]).unwrap(), seen, out);
                }
                return;
            }
            if let Some(Value::Object(props)) = m.get("properties") {
                out.extend(props.keys().cloned());
            }
            for x in m.values() {
                declared(spec, x, seen, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| declared(spec, x, seen, out)),
        _ => {}
    }
}

/// Integers compared exactly (`2^53 + 1` is not `2^53`); a float against a number as `f64`.
fn same_number(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if !x.is_f64() && !y.is_f64() => {
            x.as_i64() == y.as_i64() && x.as_u64() == y.as_u64()
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => false,
    }
}

/// What re-encoding changed: a declared field left out, or a value changed.
fn lost(example: &Value, back: &Value, names: &BTreeSet<String>, at: &str, out: &mut Vec<String>) {
    match (example, back) {
        (Value::Object(e), Value::Object(b)) => {
            for (k, v) in e {
                match b.get(k) {
                    Some(w) => lost(v, w, names, &format!("{at}.{k}"), out),
                    None if v.is_null() => {}
                    None if names.contains(k) => out.push(format!("{at}.{k} lost")),
                    None => {}
                }
            }
        }
        (Value::Array(e), Value::Array(b)) if e.len() == b.len() => {
            for (i, (v, w)) in e.iter().zip(b).enumerate() {
                lost(v, w, names, &format!("{at}[{i}]"), out);
            }
        }
        (e, b) if e == b || same_number(e, b) => {}
        _ => out.push(format!("{at} changed")),
    }
}

#[test]
fn every_example_of_a_modelled_schema_decodes_and_keeps_its_fields() {
    let spec = spec::spec();
    let overridden: BTreeSet<String> = std::fs::read_to_string(OVERRIDES)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("[schema.")?.strip_suffix(']').map(str::to_owned))
        .collect();
    // Reachable components: every $ref from the operations' bodies, transitively (not into
    // the schemas a hand-written model stands for: what only they reach has no generated model).
    let media = media(spec);
    let mut stack = Vec::new();
    for (ptr, _) in &media {
        refs(spec.pointer(ptr).unwrap(), &mut stack);
    }
    let mut reachable = BTreeSet::new();
    while let Some(r) = stack.pop() {
        let Some(name) = r.strip_prefix("#/components/schemas/") else { continue };
        if !reachable.insert(name.to_owned()) || overridden.contains(name) {
            continue;
        }
        refs(&spec["components"]["schemas"][name], &mut stack);
    }

    // (schema pointer, example, where it was found)
    let mut examples: Vec<(String, Value, String)> = Vec::new();
    let mut inside_override = 0;
    for name in &reachable {
        let mut found = Vec::new();
        let ptr = format!("/components/schemas/{}", token(name));
        schema_examples(spec, &ptr, &mut found);
        for (p, e) in found {
            if overridden.contains(name) && p != ptr {
                // A property of a schema a hand-written model stands for has no model of its
                // own: the schema's examples (below) check the model.
                inside_override += 1;
                continue;
            }
            examples.push((p.clone(), e, p));
        }
    }
    for (ptr, m) in &media {
        if let Some(e) = m.get("example") {
            examples.push((ptr.clone(), e.clone(), format!("{ptr} (media example)")));
        }
        for (name, e) in m.get("examples").and_then(Value::as_object).into_iter().flatten() {
            if let Some(v) = e.get("value") {
                examples.push((ptr.clone(), v.clone(), format!("{ptr} (example {name})")));
            }
        }
        let mut found = Vec::new();
        schema_examples(spec, ptr, &mut found);
        examples.extend(found.into_iter().map(|(p, e)| (p.clone(), e, p)));
    }

    let exceptions: BTreeMap<&str, &str> = EXCEPTIONS.iter().copied().collect();
    let mut passed = 0;
    let mut excused = 0;
    let mut failures = Vec::new();
    for (ptr, example, whence) in &examples {
        let outcome = match schemas::round_trip_at(ptr, example.clone()) {
            None => Err("no model answers for this schema".to_owned()),
            Some(Err(e)) => Err(format!("does not decode: {e}")),
            Some(Ok(back)) => {
                let mut names = BTreeSet::new();
                declared(spec, spec.pointer(ptr).unwrap(), &mut BTreeSet::new(), &mut names);
                let mut diffs = Vec::new();
                lost(example, &back, &names, "", &mut diffs);
                if diffs.is_empty() { Ok(()) } else { Err(format!("re-encoded: {}", diffs.join(", "))) }
            }
        };
        match (outcome, exceptions.get(whence.as_str())) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => failures.push(format!("{whence}: listed as an exception but passes")),
            (Err(_), Some(_)) => excused += 1,
            (Err(e), None) => failures.push(format!("{whence}: {e}")),
        }
    }
    println!(
        "spec examples: {passed} of {} decode and re-encode losslessly; {excused} listed exceptions; \
         {inside_override} inside schemas a hand-written model stands for (checked through the schema's own)",
        examples.len()
    );
    assert!(failures.is_empty(), "{} example(s) fail:\n{}", failures.len(), failures.join("\n"));
    assert!(passed > 900, "only {passed} examples were checked: the collector lost some");
}

/// The comparison above sees a declared field dropped and a value changed, and lets an
/// undeclared one go.
#[test]
fn the_comparison_catches_a_lost_or_changed_field() {
    let names: BTreeSet<String> = ["a", "b"].map(str::to_owned).into();
    let mut out = Vec::new();
    let example = serde_json::json!({"a": {"b": 1}, "x": 2, "n": 1});
    lost(&example, &serde_json::json!({"a": {"b": 1}, "n": 1.0}), &names, "", &mut out);
    assert!(out.is_empty(), "{out:?}");
    lost(&example, &serde_json::json!({"a": {}, "n": 2}), &names, "", &mut out);
    assert_eq!(out, [".a.b lost", ".n changed"]);
    // Integers exactly: 2^53 + 1 read back as 2^53 (through a float) is a change.
    let mut out = Vec::new();
    let big = serde_json::json!({"n": 9_007_199_254_740_993_i64});
    lost(&big, &serde_json::json!({"n": 9_007_199_254_740_992_i64}), &names, "", &mut out);
    assert_eq!(out, [".n changed"]);
}
