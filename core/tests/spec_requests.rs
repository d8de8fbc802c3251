//! For every operation of the verbatim spec, a request built through `catalog::call` from the
//! spec's own parameter examples and request-body examples has the method, path (values
//! substituted and percent-encoded), query, header parameters, `Accept`, `Content-Type` and body
//! the spec says. Everything expected is derived here from the spec (read with the tests' own
//! YAML parser, `support/spec.rs`), never from the catalog or the generator.
//!
//! The values: a parameter's `example` (the parameter's or its schema's), else its `default`,
//! else its first `enum` value, else a value valid for its type, format or pattern (a table
//! below, one sample per pattern the spec uses). An array parameter is sent as repeated keys,
//! with two values where the spec allows two. The body: each of the default version's media
//! type `examples`, its `example`, or one assembled from the schema (each property's own
//! example, default, first enum value or a typed sample; `readOnly` properties left out).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

use atlas_admin_core::{Config, Operation, catalog, unsigned_request};
use serde_json::Value;
use std::collections::BTreeSet;

#[path = "../../tests/src/spec.rs"]
mod spec;
use spec::{Side, assemble, deref, enum_values, operations, split_media};

/// A value for each `pattern` the spec's parameters use without an example.
const PATTERN_SAMPLES: &[(&str, &str)] = &[
    ("^([a-f0-9]{24})$", "32b6e34b3d91647abb20e7b8"),
    ("^[a-fA-F0-9]{24}$", "5e4bc367c6b0f41bb9bbb178"),
    ("^([a-fA-F0-9]{64})$", "4f2d0b6b5a4e4c9b8a7d6e5f4c3b2a1908f7e6d5c4b3a2918f7e6d5c4b3a2910"),
    ("^[a-zA-Z0-9][a-zA-Z0-9-]*$", "Cluster0-east"),
    ("[0-9a-f]+", "0a1b2c"),
    ("^vpce-[0-9a-f]{17}$", "vpce-0123456789abcdef0"),
];

/// A value for a pattern this test has no exact entry for, by what the pattern describes.
fn pattern_sample(pattern: &str) -> Option<&'static str> {
    if let Some((_, v)) = PATTERN_SAMPLES.iter().find(|(p, _)| *p == pattern) {
        return Some(v);
    }
    if pattern.starts_with("^vpce-") && pattern.contains("Microsoft") {
        // vpce-… or an Azure private endpoint path whose `/` the spec writes `%2F`.
        return Some(
            "%2Fsubscriptions%2F01234567-89ab-cdef-0123-456789abcdef%2FresourceGroups%2Frg-1%2Fproviders%2FMicrosoft.Network%2FprivateEndpoints%2Fpe-1",
        );
    }
    if pattern.contains("@(?:") {
        return Some("ada@example.com");
    }
    if pattern.contains(r"(\:[0-9]{4,5})$") {
        return Some("shard0.example.net:27017");
    }
    if pattern.contains("25[0-5]") || pattern.starts_with(r"^([0-9]{1,3}\.){3}") {
        return Some("192.168.10.20");
    }
    None
}

/// A scalar example as the text sent (an integral float, as the spec writes some integers'
/// examples, `1.636481348e+09`, as the integer it is).
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0 && f.abs() < 9e15) && n.is_f64() => {
            format!("{}", n.as_f64().unwrap() as i64)
        }
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        other => panic!("not a scalar: {other}"),
    }
}

/// Parameters whose kind the spec does not state, given in `core/codegen/overrides.toml`:
/// (operationId, parameter, a value of that kind).
const KIND_OVERRIDES: &[(&str, &str, &str)] = &[("deleteOrgInvite", "invitationId", "6a7900ff11bb22cc33dd44ef")];

/// The values an example worded as alternatives gives (`IPv4: 192.0.2.0%2F24 or IPv6: …`), or
/// `None` for a plain example.
fn alternatives(example: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = example.split(" or ").collect();
    let values: Option<Vec<String>> =
        parts.iter().map(|p| p.split_once(": ").map(|(_, v)| v.trim().to_owned())).collect();
    values.filter(|_| parts.len() > 1)
}

/// How many alternatives the parameter's example words (1 for a plain one).
fn choices(p: &Value) -> usize {
    let example = p.get("example").or_else(|| deref(&p["schema"]).get("example"));
    example.and_then(Value::as_str).and_then(alternatives).map_or(1, |a| a.len())
}

/// The values to send for one parameter (more than one only for an array); of an example worded
/// as alternatives, the `choice`th.
fn param_values(id: &str, p: &Value, choice: usize) -> Vec<String> {
    let name = p["name"].as_str().unwrap();
    if let Some((_, _, value)) = KIND_OVERRIDES.iter().find(|(o, n, _)| *o == id && *n == name) {
        return vec![(*value).to_owned()];
    }
    let schema = deref(&p["schema"]);
    let example = p.get("example").or_else(|| schema.get("example"));
    if schema["type"] == "array" {
        if let Some(Value::Array(items)) = example {
            return items.iter().map(text).collect();
        }
        if let Some(one) = example {
            return vec![text(one)];
        }
        let items = deref(&schema["items"]);
        let max = schema["maxItems"].as_u64().unwrap_or(u64::MAX);
        if items.get("enum").is_some() || items.get("oneOf").is_some() {
            let values = enum_values(items);
            return values.into_iter().take(if max >= 2 { 2 } else { 1 }).collect();
        }
        return vec![scalar_sample(id, p["name"].as_str().unwrap(), items)];
    }
    match example {
        Some(Value::String(worded)) if alternatives(worded).is_some() => {
            let alternatives = alternatives(worded).unwrap();
            vec![alternatives[choice.min(alternatives.len() - 1)].clone()]
        }
        Some(v) => vec![text(v)],
        None => vec![scalar_sample(id, p["name"].as_str().unwrap(), schema)],
    }
}

/// A value valid for a scalar schema without an example.
fn scalar_sample(id: &str, name: &str, schema: &Value) -> String {
    let schema = deref(schema);
    if let Some(v) = schema.get("example").or_else(|| schema.get("default")) {
        return text(v);
    }
    if schema.get("enum").is_some() || schema.get("oneOf").is_some() {
        return enum_values(schema).swap_remove(0);
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("boolean"), _) => "true".to_owned(),
        (Some("integer"), _) => {
            let min = schema["minimum"].as_i64();
            let max = schema["maximum"].as_i64();
            let v = min.unwrap_or(3).max(3);
            max.map_or(v, |max| v.min(max)).to_string()
        }
        (Some("string"), Some("date-time")) => "2024-05-06T07:08:09Z".to_owned(),
        (Some("string"), Some("date")) => "2024-05-06".to_owned(),
        (Some("string"), Some("email")) => "ada@example.com".to_owned(),
        (Some("string"), _) => match schema["pattern"].as_str() {
            Some(pattern) => pattern_sample(pattern)
                .unwrap_or_else(|| panic!("{id}: {name}: add a sample for the pattern {pattern}"))
                .to_owned(),
            // Text: a space, a slash and a colon show the path encoding.
            None => "name with space/and:colon".to_owned(),
        },
        other => panic!("{id}: {name}: no sample for {other:?}"),
    }
}

/// The request bodies to send: (label, JSON) for each example of the version's media type.
fn bodies(op: &Value, version: &str) -> Vec<(String, Value)> {
    let Some(body) = op.get("requestBody").map(deref) else { return Vec::new() };
    let media = &body["content"][format!("application/vnd.atlas.{version}+json")];
    assert!(media.is_object(), "{}: no request body for version {version}", op["operationId"]);
    if let Some(examples) = media["examples"].as_object() {
        return examples.iter().map(|(name, e)| (format!("example {name}"), deref(e)["value"].clone())).collect();
    }
    if let Some(example) = media.get("example") {
        return vec![("example".to_owned(), example.clone())];
    }
    let assembled = assemble(&media["schema"], Side::Request)
        .unwrap_or_else(|| panic!("{}: cannot assemble a body from {}", op["operationId"], media["schema"]));
    vec![("assembled".to_owned(), assembled)]
}

/// The spec's versions of an operation's success answers, and each one's non-JSON suffix.
fn versions(op: &Value) -> (Vec<String>, Option<String>) {
    let mut versions = BTreeSet::new();
    let mut suffix = None;
    for (code, response) in op["responses"].as_object().unwrap() {
        if !code.starts_with('2') {
            continue;
        }
        for mt in deref(response)["content"].as_object().unwrap().keys() {
            let (version, s) = split_media(mt);
            if s != "json" {
                suffix = Some(s);
            }
            versions.insert(version);
        }
    }
    (versions.into_iter().collect(), suffix)
}

/// RFC 3986: everything but unreserved characters percent-encoded (so a value is one segment).
fn encode_segment(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the request must be.
#[derive(Clone)]
struct Expected {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    accept: String,
    body: Option<Value>,
}

/// Checks one built request against what the spec says; `Err` says what differs.
fn compare(request: &http::Request<Vec<u8>>, want: &Expected) -> Result<(), String> {
    let got_method = request.method().as_str();
    if got_method != want.method {
        return Err(format!("method {got_method}, want {}", want.method));
    }
    if request.uri().path() != want.path {
        return Err(format!("path {}, want {}", request.uri().path(), want.path));
    }
    let query: Vec<(String, String)> = form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if query != want.query {
        return Err(format!("query {query:?}, want {:?}", want.query));
    }
    for (name, value) in &want.headers {
        let got: Vec<&str> = request.headers().get_all(name.as_str()).iter().map(|v| v.to_str().unwrap()).collect();
        if got != [value.as_str()] {
            return Err(format!("header {name}: {got:?}, want {value}"));
        }
    }
    let header = |name: &str| request.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
    if header("accept").as_deref() != Some(want.accept.as_str()) {
        return Err(format!("accept {:?}, want {}", header("accept"), want.accept));
    }
    let json_type = want.accept.rsplit_once('+').map(|(v, _)| format!("{v}+json")).unwrap();
    match &want.body {
        None if request.body().is_empty() && header("content-type").is_none() => Ok(()),
        None => Err(format!("a body or Content-Type where the spec has none: {:?}", header("content-type"))),
        Some(body) => {
            if header("content-type").as_deref() != Some(json_type.as_str()) {
                return Err(format!("content-type {:?}, want {json_type}", header("content-type")));
            }
            let sent: Value = serde_json::from_slice(request.body()).map_err(|e| format!("body not JSON: {e}"))?;
            if &sent != body { Err(format!("body {sent}, want {body}")) } else { Ok(()) }
        }
    }
}

fn request<O: Operation>(op: &O) -> Result<http::Request<Vec<u8>>, String> {
    unsigned_request(&Config::default(), op).map_err(|e| format!("refused: {e}"))
}

/// Builds and checks every request of one operation; `Err` is the first difference.
fn check_operation(method: &str, path: &str, op: &Value) -> Result<usize, String> {
    let params: Vec<&Value> = op["parameters"].as_array().map(|p| p.iter().map(deref).collect()).unwrap_or_default();
    let choices = params.iter().map(|p| choices(p)).max().unwrap_or(1);
    let mut requests = 0;
    for choice in 0..choices {
        requests += check_choice(method, path, op, choice).map_err(|e| match choices {
            1 => e,
            _ => format!("alternative {choice}: {e}"),
        })?;
    }
    Ok(requests)
}

/// [`check_operation`] with the `choice`th alternative of the examples worded as several.
fn check_choice(method: &str, path: &str, op: &Value, choice: usize) -> Result<usize, String> {
    let id = op["operationId"].as_str().unwrap();
    let (versions, suffix) = versions(op);
    let default = versions.iter().rev().find(|v| *v != "preview").or(versions.last()).unwrap().clone();
    let params: Vec<&Value> = op["parameters"].as_array().map(|p| p.iter().map(deref).collect()).unwrap_or_default();
    let listed = |n: &str| params.iter().any(|p| p["name"] == n && p["in"] == "query");

    let mut call = catalog::call(id).map_err(|e| e.to_string())?;
    let mut want = Expected {
        method: method.to_owned(),
        path: path.to_owned(),
        query: Vec::new(),
        headers: Vec::new(),
        accept: format!("application/vnd.atlas.{default}+json"),
        body: None,
    };
    for p in &params {
        let name = p["name"].as_str().unwrap();
        if (p["in"] == "query" && (name == "envelope" || name == "pretty")) || p["deprecated"] == true {
            continue;
        }
        let values = param_values(id, p, choice);
        for value in &values {
            call = call.param(name, value).map_err(|e| format!("{name}={value:?} refused: {e}"))?;
        }
        match p["in"].as_str().unwrap() {
            "path" => {
                // A value the spec's pattern writes with `%2F` is meant as `/`, encoded once.
                let pattern = deref(&p["schema"])["pattern"].as_str().unwrap_or_default();
                let meant = match pattern.contains("%2[fF]") {
                    true => values[0].replace("%2F", "/").replace("%2f", "/"),
                    false => values[0].clone(),
                };
                want.path = want.path.replace(&format!("{{{name}}}"), &encode_segment(&meant));
            }
            "query" => want.query.extend(values.iter().map(|v| (name.to_owned(), v.clone()))),
            "header" => want.headers.push((name.to_ascii_lowercase(), values[0].clone())),
            other => panic!("{id}: {name} in {other}"),
        }
    }
    for (flag, on) in [("envelope", listed("envelope")), ("pretty", listed("pretty"))] {
        if on {
            want.query.push((flag.to_owned(), "true".to_owned()));
        }
    }
    call = call.envelope(listed("envelope")).pretty(listed("pretty"));

    // A download only (`+gzip`, `+csv`): its bytes; JSON or bytes: both.
    let json_answer = op["responses"].as_object().unwrap().iter().any(|(code, r)| {
        code.starts_with('2')
            && deref(r)["content"]
                .as_object()
                .unwrap()
                .iter()
                .any(|(mt, m)| mt.ends_with("+json") && m.get("schema").is_some())
    });
    let bodies = bodies(op, &default);
    let mut requests = 0;
    let with_bodies: Vec<(String, Option<Value>)> = if bodies.is_empty() {
        vec![("no body".to_owned(), None)]
    } else {
        bodies.into_iter().map(|(label, b)| (label, Some(b))).collect()
    };
    for (label, body) in with_bodies {
        let mut call = call.clone();
        if let Some(body) = &body {
            call = call.json(body).map_err(|e| format!("{label}: {e}"))?;
        }
        let want = Expected { body, ..want.clone() };
        if json_answer || suffix.is_none() {
            compare(&request(&call)?, &want).map_err(|e| format!("{label}: {e}"))?;
            requests += 1;
        }
        if let Some(suffix) = &suffix {
            let download = call.into_download().map_err(|e| format!("{label}: download: {e}"))?;
            let accept = format!("application/vnd.atlas.{default}+{suffix}");
            compare(&request(&download)?, &Expected { accept, ..want.clone() })
                .map_err(|e| format!("{label}: download: {e}"))?;
            requests += 1;
        }
    }
    Ok(requests)
}

/// Operations whose request cannot be what the spec says, each with why: none today. (A new one
/// must be listed here with its reason, so it is seen in review.)
const EXCEPTIONS: &[(&str, &str)] = &[];

#[test]
fn every_operation_builds_the_request_the_spec_says() {
    assert!(catalog::tags().iter().all(|t| t.enabled), "the tests build the catalog with every tag (`full`)");
    let operations = operations();
    let (mut passed, mut requests) = (0, 0);
    let mut failures: Vec<(String, String)> = Vec::new();
    for (method, path, op) in &operations {
        let id = op["operationId"].as_str().unwrap();
        match check_operation(method, path, op) {
            Ok(n) => {
                passed += 1;
                requests += n;
            }
            Err(why) => failures.push((id.to_owned(), why)),
        }
    }
    println!("{passed} of {} operations build the request the spec says ({requests} requests)", operations.len());
    for (id, why) in &failures {
        println!("  exception: {id}: {why}");
    }
    let failed: Vec<&str> = failures.iter().map(|(id, _)| id.as_str()).collect();
    let known: Vec<&str> = EXCEPTIONS.iter().map(|(id, _)| *id).collect();
    assert_eq!(failed, known, "operations whose request differs from the spec (see above)");
    assert_eq!(operations.len(), 540);
}
