//! Every generated typed operation (`atlas_admin_core::ops`, one per catalog operation the
//! hand-written table does not type) builds the request the verbatim spec describes.
//!
//! `typed/cases.rs` (written by the generator) calls each type's constructor and every setter
//! with values taken here from the spec (the parameter's `example`, else one its schema
//! allows), and a body (the spec's example, else one with every required property its schema
//! asks for) where the operation takes one. The request is then compared with the spec alone:
//! method, path, query, headers, the body (every declared field given is sent), `Accept`
//! (the default version's media type, `+gzip`/`+csv` for a download) and `Content-Type`.
//! Each path parameter given an invalid value is refused naming it, and `.api_version()` with
//! a version the spec does not list for the operation is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

#[path = "typed/cases.rs"]
mod cases;
#[path = "../../tests/src/spec.rs"]
mod spec;

use atlas_admin_core::{ApiVersion, Config, InvalidInput, Operation, ops, unsigned_request};
use serde_json::Value;
use spec::{deref, operations, split_media};
use std::collections::{BTreeMap, BTreeSet};

/// The values a case gives an operation's parameters: each from the spec, or an override.
pub struct Values {
    id: &'static str,
    op: &'static Value,
    overrides: BTreeMap<String, String>,
    /// The body [`Values::body`] gave.
    body_given: std::cell::RefCell<Option<Value>>,
}

/// Bodies for the schemas whose hand-written models check more than the spec says (a role
/// name's shape, a username required): (schema, a body they take).
const OUR_MODELS: &[(&str, &str)] =
    &[("GroupInvitationRequest", r#"{"username":"ada@example.com","roles":["GROUP_READ_ONLY"]}"#)];

/// A sample of a spec `pattern` that has no example (the spec's own text as the key).
fn pattern_sample(pattern: &str) -> Option<&'static str> {
    Some(match pattern {
        "^([a-f0-9]{24})$" | "^[a-fA-F0-9]{24}$" | "[0-9a-f]+" => "32b6e34b3d91647abb20e7b8",
        "^[a-zA-Z0-9][a-zA-Z0-9-]*$" => "cluster0",
        "^([a-fA-F0-9]{64})$" => "5f1e2d3c4b5a69788796a5b45f1e2d3c4b5a69788796a5b45f1e2d3c4b5a6978",
        "^vpce-[0-9a-f]{17}$" => "vpce-0123456789abcdef0",
        p if p.starts_with("^vpce-[0-9a-f]{17}|") => "vpce-0123456789abcdef0",
        p if p.contains("(\\:[0-9]{4,5})$") => "cluster0-shard-00-00.example.net:27017",
        p if p.starts_with("^([0-9]{1,3}\\.){3}") || p.starts_with("^((25[0-5]") => "10.0.0.1",
        p if p.contains('@') => "ada@example.com",
        _ => return None,
    })
}

/// Parameters whose spec `example` is prose rather than a value: (name, a value it describes).
const PROSE_EXAMPLES: &[(&str, &str)] = &[("entryValue", "192.0.2.0%2F24")];

/// A value the spec allows for a parameter of `schema` (an example from `param` first).
fn sample(name: &str, param: &Value, schema: &Value) -> String {
    if let Some((_, value)) = PROSE_EXAMPLES.iter().find(|(n, _)| *n == name) {
        return (*value).to_owned();
    }
    let schema = deref(schema);
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.first().map(|i| i.to_string().trim_matches('"').to_owned()).unwrap(),
        // A whole number the YAML wrote as a float (`1636481348.0`) is that integer.
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) && !n.is_i64() => {
            format!("{}", n.as_f64().unwrap() as i64)
        }
        other => other.to_string(),
    };
    if let Some(example) = param.get("example").or(schema.get("example")) {
        return text(example);
    }
    if let Some(values) = schema["enum"].as_array() {
        return text(&values[0]);
    }
    if let Some(parts) = schema["oneOf"].as_array() {
        return sample(name, &Value::Null, &parts[0]);
    }
    if schema["type"] == "array" {
        return sample(name, &Value::Null, &schema["items"]);
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("boolean"), _) => return "true".to_owned(),
        (Some("integer"), _) => {
            let min = schema["minimum"].as_i64().unwrap_or(1);
            return min.min(schema["maximum"].as_i64().unwrap_or(i64::MAX)).to_string();
        }
        (_, Some("date")) => return "2026-01-01".to_owned(),
        (_, Some("date-time")) => return "2026-01-01T00:00:00Z".to_owned(),
        (_, Some("email")) => return "ada@example.com".to_owned(),
        _ => {}
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        return pattern_sample(pattern).unwrap_or_else(|| panic!("{name}: no sample for pattern {pattern}")).to_owned();
    }
    let min = schema["minLength"].as_u64().unwrap_or(1).max(1);
    "example1".chars().cycle().take(usize::try_from(min).unwrap().max(8)).collect()
}

/// The operation's parameters (`$ref`s followed), by name.
fn params(op: &Value) -> Vec<&Value> {
    op["parameters"].as_array().map(|p| p.iter().map(deref).collect()).unwrap_or_default()
}

impl Values {
    fn valid(id: &'static str) -> Values {
        let op = operations()
            .into_iter()
            .find(|(_, _, op)| op["operationId"] == id)
            .unwrap_or_else(|| panic!("{id} is no operation of the spec"))
            .2;
        Values { id, op, overrides: BTreeMap::new(), body_given: Default::default() }
    }

    fn with(mut self, name: &str, value: &str) -> Values {
        self.overrides.insert(name.to_owned(), value.to_owned());
        self
    }

    fn param(&self, name: &str) -> &'static Value {
        params(self.op)
            .into_iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{}: the spec has no parameter {name}", self.id))
    }

    /// The value of parameter `name`, as text.
    pub fn text(&self, name: &str) -> String {
        if let Some(v) = self.overrides.get(name) {
            return v.clone();
        }
        let p = self.param(name);
        sample(name, p, &p["schema"])
    }

    pub fn bool(&self, name: &str) -> bool {
        self.text(name).parse().unwrap_or_else(|_| panic!("{}: {name} is not a bool", self.id))
    }

    pub fn u32(&self, name: &str) -> u32 {
        self.text(name).parse().unwrap_or_else(|_| panic!("{}: {name} is not a u32", self.id))
    }

    pub fn i32(&self, name: &str) -> i32 {
        self.text(name).parse().unwrap_or_else(|_| panic!("{}: {name} is not an i32", self.id))
    }

    pub fn i64(&self, name: &str) -> i64 {
        self.text(name).parse().unwrap_or_else(|_| panic!("{}: {name} is not an i64", self.id))
    }

    /// An array parameter's values (one).
    pub fn list(&self, name: &str) -> Vec<String> {
        vec![self.text(name)]
    }

    pub fn list_i64(&self, name: &str) -> Vec<i64> {
        vec![self.i64(name)]
    }

    pub fn list_i32(&self, name: &str) -> Vec<i32> {
        vec![self.i32(name)]
    }

    /// The request body: the first of [`Self::bodies`] its type takes (noted for the check).
    pub fn body<T: serde::de::DeserializeOwned>(&self) -> T {
        let mut errors = Vec::new();
        for body in self.bodies() {
            match serde_json::from_value(body.clone()) {
                Ok(t) => {
                    *self.body_given.borrow_mut() = Some(body);
                    return t;
                }
                Err(e) => errors.push(e.to_string()),
            }
        }
        panic!("{}: no body decodes: {errors:?}", self.id)
    }

    /// Bodies for the default version's media type: the spec's example if it has one, one with
    /// every required property, one with every property (hand-written models may ask for more
    /// than the spec requires).
    fn bodies(&self) -> Vec<Value> {
        let content = &deref(&self.op["requestBody"])["content"];
        let media = content.get(format!("application/vnd.atlas.{}+json", default_version(self.op)));
        let schema = media.and_then(|m| m.get("schema")).unwrap_or(&Value::Null);
        let mut all = sample_body(schema, 0);
        if let Value::Object(o) = &mut all {
            for (name, prop) in deref(schema)["properties"].as_object().into_iter().flatten() {
                o.entry(name.clone()).or_insert_with(|| match sample_body(prop, 1) {
                    Value::Array(a) if a.is_empty() => Value::Array(vec![sample_body(&deref(prop)["items"], 1)]),
                    other => other,
                });
            }
        }
        let mut bodies = vec![self.body_json(), all];
        let name = schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/"));
        if let Some((_, body)) = OUR_MODELS.iter().find(|(n, _)| Some(*n) == name) {
            bodies.push(serde_json::from_str(body).unwrap());
        }
        bodies
    }

    fn body_json(&self) -> Value {
        let content = &deref(&self.op["requestBody"])["content"];
        let media = content.get(format!("application/vnd.atlas.{}+json", default_version(self.op)));
        let example = media.and_then(|m| {
            m.get("example")
                .cloned()
                .or_else(|| m.get("examples")?.as_object()?.values().next().map(|e| deref(e)["value"].clone()))
        });
        let schema = media.and_then(|m| m.get("schema")).unwrap_or(&Value::Null);
        example.filter(|e| !e.is_null()).unwrap_or_else(|| sample_body(schema, 0))
    }
}

/// A JSON value `schema` allows, with every required property (the spec's example where a
/// schema gives one; the first member of a union, its discriminator set).
fn sample_body(schema: &Value, depth: usize) -> Value {
    let schema = deref(schema);
    if depth > 16 {
        return Value::Null;
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(values) = schema["enum"].as_array() {
        return values[0].clone();
    }
    if let Some(parts) = schema["allOf"].as_array() {
        let mut out = serde_json::Map::new();
        for part in parts {
            match sample_body(part, depth + 1) {
                Value::Object(o) => out.extend(o),
                // (An `allOf` of one enum or scalar is that value.)
                other => return other,
            }
        }
        add_required(schema, &mut out, depth);
        return Value::Object(out);
    }
    if let Some(members) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        if let Some((key, target)) = schema["discriminator"]["mapping"].as_object().and_then(|m| m.iter().next()) {
            let mut out = sample_body(&serde_json::json!({"$ref": target}), depth + 1);
            if let (Some(o), Some(prop)) = (out.as_object_mut(), schema["discriminator"]["propertyName"].as_str()) {
                o.insert(prop.to_owned(), Value::String(key.clone()));
            }
            return out;
        }
        return sample_body(&members[0], depth + 1);
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("boolean"), _) => Value::Bool(true),
        (Some("integer"), _) => Value::from(schema["minimum"].as_i64().unwrap_or(1)),
        (Some("number"), _) => Value::from(1.5),
        (Some("array"), _) => {
            let n = schema["minItems"].as_u64().unwrap_or(0);
            Value::Array((0..n).map(|_| sample_body(&schema["items"], depth + 1)).collect())
        }
        (Some("string"), Some("date-time")) => Value::from("2026-01-01T00:00:00Z"),
        (Some("string"), Some("date")) => Value::from("2026-01-01"),
        (Some("string"), Some("email")) => Value::from("ada@example.com"),
        (Some("string"), _) => match schema["pattern"].as_str().and_then(pattern_sample) {
            Some(v) => Value::from(v),
            None => Value::from("example1"),
        },
        _ => {
            let mut out = serde_json::Map::new();
            add_required(schema, &mut out, depth);
            Value::Object(out)
        }
    }
}

/// Adds a sample of each required property of an object schema `out` lacks.
fn add_required(schema: &Value, out: &mut serde_json::Map<String, Value>, depth: usize) {
    for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !out.contains_key(name) {
            let prop = &schema["properties"][name];
            out.insert(name.to_owned(), sample_body(prop, depth + 1));
        }
    }
}

/// The schema of property `name` of an object `schema` declares (in its `allOf` parts, union
/// members or `additionalProperties` too), if it declares one.
fn property<'a>(schema: &'a Value, name: &str, depth: usize) -> Option<&'a Value> {
    let schema = deref(schema);
    if depth > 16 {
        return None;
    }
    if let Some(p) = schema["properties"].get(name) {
        return Some(p);
    }
    let parts = ["allOf", "oneOf", "anyOf"].into_iter().filter_map(|k| schema[k].as_array()).flatten();
    if let Some(p) = parts.into_iter().find_map(|part| property(part, name, depth + 1)) {
        return Some(p);
    }
    match &schema["additionalProperties"] {
        Value::Object(_) => Some(&schema["additionalProperties"]),
        Value::Bool(true) => Some(&Value::Null),
        _ => None,
    }
}

/// Whether every field of `given` that `schema` declares is in `sent` with the same value
/// (objects compared field by field, recursively; a model may add fields the spec fixes, and
/// drops what its schema does not declare).
fn keeps(given: &Value, sent: &Value, schema: &Value) -> bool {
    match (given, sent) {
        (Value::Object(g), Value::Object(s)) => g.iter().all(|(k, v)| match property(schema, k, 0) {
            Some(p) => s.get(k).is_some_and(|sv| keeps(v, sv, p)),
            None => true,
        }),
        (Value::Array(g), Value::Array(s)) => {
            let items = &deref(schema)["items"];
            g.len() == s.len() && g.iter().zip(s).all(|(a, b)| keeps(a, b, items))
        }
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Object(_) | Value::Array(_), _) if schema.is_null() => true,
        _ => given == sent,
    }
}

/// Every success media type of the operation: (version, suffix).
fn success_media(op: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (code, response) in op["responses"].as_object().unwrap() {
        if code.starts_with('2') {
            for mt in deref(response)["content"].as_object().unwrap().keys() {
                out.push(split_media(mt));
            }
        }
    }
    out
}

/// The newest version that is not `preview` (`preview` for a preview-only operation).
fn default_version(op: &Value) -> String {
    let versions: BTreeSet<String> = success_media(op).into_iter().map(|(v, _)| v).collect();
    versions.iter().rev().find(|v| *v != "preview").or(versions.iter().last()).unwrap().clone()
}

/// Percent-decodes a path (as meant, so `%2F` and `/` in a value compare equal).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Runs the generated cases and counts them.
pub struct Harness {
    checked: BTreeSet<&'static str>,
    /// Every API version the spec names.
    all_versions: BTreeSet<String>,
}

impl Harness {
    /// Builds `id`'s operation with `build` from the spec's values and compares its request
    /// with the spec; then the refusals (bad path values, an unlisted version via `version`).
    pub fn check<O: Operation>(
        &mut self,
        id: &'static str,
        build: impl Fn(&Values) -> Result<O, InvalidInput>,
        version: impl Fn(O, ApiVersion) -> Result<O, InvalidInput>,
    ) {
        assert!(self.checked.insert(id), "{id} checked twice");
        let values = Values::valid(id);
        let built = build(&values).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(O::ENDPOINT.operation_id, id);
        let req = unsigned_request(&Config::default(), &built).unwrap_or_else(|e| panic!("{id}: {e}"));
        let (method, path, op) = operations().into_iter().find(|(_, _, op)| op["operationId"] == id).unwrap();
        assert_eq!(req.method().as_str(), method, "{id}: method");

        // The path: the spec's template, each placeholder the value given (as meant).
        let mut expected_path = path.to_owned();
        let spec_params = params(op);
        for p in spec_params.iter().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().unwrap();
            expected_path = expected_path.replace(&format!("{{{name}}}"), &decode(&values.text(name)));
        }
        assert_eq!(decode(req.uri().path()), expected_path, "{id}: path");

        // The query and headers: every parameter the spec offers (not deprecated), as given.
        let offered =
            |p: &&&Value| p["deprecated"] != true && !matches!(p["name"].as_str(), Some("envelope" | "pretty"));
        let mut expected_query: Vec<(String, String)> = spec_params
            .iter()
            .filter(|p| p["in"] == "query")
            .filter(offered)
            .map(|p| (p["name"].as_str().unwrap().to_owned(), values.text(p["name"].as_str().unwrap())))
            .collect();
        expected_query.sort();
        let mut query: Vec<(String, String)> =
            form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes()).into_owned().collect();
        query.sort();
        assert_eq!(query, expected_query, "{id}: query");
        for p in spec_params.iter().filter(|p| p["in"] == "header").filter(offered) {
            let name = p["name"].as_str().unwrap();
            assert_eq!(req.headers()[name], values.text(name).as_str(), "{id}: header {name}");
        }

        // Accept: the default version's media type; a download's suffix if it answers only bytes.
        let default = default_version(op);
        let media = success_media(op);
        let suffixes: BTreeSet<&str> = media.iter().filter(|(v, _)| *v == default).map(|(_, s)| s.as_str()).collect();
        let suffix = if suffixes.contains("json") || suffixes.is_empty() { "json" } else { suffixes.first().unwrap() };
        assert_eq!(
            req.headers()["accept"],
            format!("application/vnd.atlas.{default}+{suffix}").as_str(),
            "{id}: Accept"
        );

        // The body and its Content-Type, as the spec's requestBody lists it.
        match op.get("requestBody") {
            Some(body) => {
                let ct = format!("application/vnd.atlas.{default}+json");
                assert!(deref(body)["content"].get(&ct).is_some(), "{id}: the spec lists no {ct} body");
                assert_eq!(req.headers()["content-type"], ct.as_str(), "{id}: Content-Type");
                let sent: Value = serde_json::from_slice(req.body()).unwrap();
                let given = values.body_given.borrow().clone().unwrap();
                let schema = &deref(body)["content"][&ct]["schema"];
                assert!(keeps(&given, &sent, schema), "{id}: body: given {given}, sent {sent}");
            }
            None => assert!(req.body().is_empty(), "{id}: no body"),
        }

        // Each path parameter refuses a bad value, naming it, before anything is sent.
        for p in spec_params.iter().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().unwrap();
            let mut bad = vec![".."];
            if deref(&p["schema"])["pattern"].as_str().is_some_and(|pat| pat.contains("{24}")) {
                bad.push("zzzzzzzzzzzzzzzzzzzzzzzz");
            }
            for value in bad {
                let e = build(&Values::valid(id).with(name, value))
                    .err()
                    .unwrap_or_else(|| panic!("{id}: {name}={value} accepted"));
                assert_eq!(e.field(), name, "{id}: {name}={value}: {e}");
            }
        }

        // `.api_version()`: the default accepted, a version the operation lacks refused.
        let listed: BTreeSet<String> = media.into_iter().map(|(v, _)| v).collect();
        assert!(version(build(&values).unwrap(), ApiVersion::new(&default).unwrap()).is_ok(), "{id}: {default}");
        let missing = self.all_versions.iter().find(|v| !listed.contains(*v));
        if let Some(missing) = missing {
            let e = version(build(&values).unwrap(), ApiVersion::new(missing).unwrap()).err();
            assert_eq!(e.map(|e| e.field().to_owned()).as_deref(), Some("api_version"), "{id}: {missing} accepted");
        }

        // A listed version is taken (per call and client-wide) only where the spec gives it the
        // default's request and answer schemas: the type's body and output are the default's.
        let schemas_of = |v: &str| -> Vec<Option<&Value>> {
            let media = format!("application/vnd.atlas.{v}+json");
            let schema = |r: &'static Value| deref(r)["content"].get(&media).and_then(|m| m.get("schema"));
            let mut out = vec![op.get("requestBody").and_then(schema)];
            let responses = op["responses"].as_object().unwrap();
            out.extend(responses.iter().filter(|(c, _)| c.starts_with('2')).map(|(_, r)| schema(r)));
            out
        };
        for v in &listed {
            let same = schemas_of(v) == schemas_of(&default);
            let api = ApiVersion::new(v).unwrap();
            let per_call = version(build(&values).unwrap(), api);
            assert_eq!(per_call.is_ok(), same, "{id}: .api_version({v}) accepted iff its schemas are the default's");
            let client = unsigned_request(&Config::default().with_api_version(api), &build(&values).unwrap());
            assert_eq!(client.is_ok(), same, "{id}: a client-wide {v} accepted iff its schemas are the default's");
            if !same {
                assert_eq!(per_call.err().unwrap().field(), "api_version", "{id}: {v}");
                let e = client.err().unwrap().to_string();
                assert!(e.contains(&format!("catalog::call(\"{id}\")")), "{id}: {v}: {e}");
            }
        }

        // What it answers: each default-version success example the spec gives (or an empty body where the
        // status has no schema) decodes into its output.
        for (code, response) in op["responses"].as_object().unwrap().iter().filter(|(c, _)| c.starts_with('2')) {
            let content = &deref(response)["content"];
            let json = content.get(format!("application/vnd.atlas.{default}+json"));
            let bytes = content.as_object().unwrap().iter().any(|(mt, _)| split_media(mt).0 == default);
            match json.and_then(|m| m.get("schema").map(|s| (m, s))) {
                Some((media, _)) => {
                    let named = media["examples"].as_object().into_iter().flat_map(|e| e.values());
                    for example in media.get("example").into_iter().chain(named.filter_map(|e| e.get("value"))) {
                        let body = serde_json::to_vec(&example).unwrap();
                        O::decode(&body).unwrap_or_else(|e| panic!("{id}: {code} example {example}: {e}"));
                    }
                }
                None if json.is_some() || !bytes => {
                    O::decode(b"").unwrap_or_else(|e| panic!("{id}: {code} has no schema, an empty body: {e}"));
                }
                None => {}
            }
        }
    }
}

#[test]
fn every_generated_operation_builds_the_request_the_spec_describes() {
    let all_versions = operations().iter().flat_map(|(_, _, op)| success_media(op)).map(|(v, _)| v).collect();
    let mut h = Harness { checked: BTreeSet::new(), all_versions };
    cases::run(&mut h);
    // Every operation of the spec without a hand-written row, and no other, was checked.
    let expected: BTreeSet<&str> = operations()
        .iter()
        .map(|(_, _, op)| op["operationId"].as_str().unwrap())
        .filter(|id| !ops::ALL.iter().any(|e| e.operation_id == *id))
        .collect();
    assert_eq!(h.checked, expected);
    let generated: BTreeSet<&str> = ops::GENERATED.iter().map(|e| e.operation_id).collect();
    assert_eq!(generated, expected, "the registry lists every generated type");
}
