//! Every entry of the generated catalog agrees with the verbatim spec
//! (`core/codegen/spec/atlas-admin-v2.yaml`), read here with a YAML parser of its own: nothing of
//! the generator's code or output is taken as truth. The 28 typed operations' rows equal their
//! catalog entries, field by field.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

use atlas_admin_core::{
    ApiVersion, Endpoint, IntFormat, OrgMembershipStatus, ParamIn, ParamKind, SuccessBody, catalog, ops,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

mod spec_yaml;
use spec_yaml::{deref, operations, split_media};

/// The tag as the Atlas CLI spells it (`MongoDB Cloud Users` -> `mongoDbCloudUsers`,
/// `X.509 Authentication` -> `x509Authentication`, `AWS Clusters DNS` -> `awsClustersDns`).
fn cli_tag(tag: &str) -> String {
    let mut out = String::new();
    let mut first_word = true;
    for part in tag.split_whitespace() {
        let cleaned: Vec<char> = part.chars().filter(char::is_ascii_alphanumeric).collect();
        // Split before an upper-case letter that follows a lower-case one (MongoDB -> Mongo DB).
        let mut start = 0;
        for i in 0..=cleaned.len() {
            let boundary =
                i == cleaned.len() || (i > 0 && cleaned[i].is_ascii_uppercase() && cleaned[i - 1].is_ascii_lowercase());
            if boundary && i > start {
                let word: String = cleaned[start..i].iter().collect::<String>().to_lowercase();
                if first_word {
                    out.push_str(&word);
                    first_word = false;
                } else {
                    out.push_str(&word[..1].to_uppercase());
                    out.push_str(&word[1..]);
                }
                start = i;
            }
        }
    }
    out
}

/// The Cargo feature of a spec tag.
fn feature(tag: &str) -> String {
    tag.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// Whether a schema (allOf merged, `$ref`s followed) has these properties.
fn has_property(schema: &Value, name: &str) -> bool {
    let schema = deref(schema);
    schema["properties"].get(name).is_some()
        || schema["allOf"].as_array().is_some_and(|parts| parts.iter().any(|p| has_property(p, name)))
}

/// The values of an enum schema, or of a `oneOf` of enums (union, first seen first).
fn enum_values(schema: &Value) -> Vec<String> {
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

/// Uses of a parameter whose kind the spec does not state, given in overrides.toml:
/// (operationId, parameter, kind).
const KIND_OVERRIDES: &[(&str, &str, ParamKind)] = &[("deleteOrgInvite", "invitationId", ParamKind::Id)];

/// `kind` is what `schema` says, and the most specific kind that says it.
fn check_kind(id: &str, name: &str, kind: &ParamKind, schema: &Value) {
    let ctx = format!("{id}: {name}: {kind:?} vs {schema}");
    let ty = schema["type"].as_str();
    let num = |k: &str| schema.get(k).and_then(Value::as_i64);
    let unum = |k: &str| schema.get(k).and_then(Value::as_u64).map(|n| u32::try_from(n).unwrap());
    match *kind {
        ParamKind::Id => {
            let overridden = KIND_OVERRIDES.iter().any(|(o, p, k)| *o == id && *p == name && k == kind);
            assert!(
                schema["pattern"] == "^([a-f0-9]{24})$" || (overridden && schema.get("pattern").is_none()),
                "{ctx}"
            );
        }
        ParamKind::Email => assert_eq!((ty, schema["format"].as_str()), (Some("string"), Some("email")), "{ctx}"),
        ParamKind::Bool => assert_eq!(ty, Some("boolean"), "{ctx}"),
        ParamKind::PageSize => {
            assert_eq!(
                (name, ty, num("minimum"), num("maximum")),
                ("itemsPerPage", Some("integer"), Some(1), Some(500))
            );
            assert!(schema.get("format").is_none(), "{ctx}");
        }
        ParamKind::PageNum => {
            assert_eq!(
                (name, ty, num("minimum"), num("maximum")),
                ("pageNum", Some("integer"), Some(1), None),
                "{ctx}"
            );
        }
        ParamKind::Statuses => {
            let known: Vec<&str> = OrgMembershipStatus::KNOWN.iter().map(OrgMembershipStatus::as_str).collect();
            assert_eq!((name, ty), ("orgMembershipStatuses", Some("array")), "{ctx}");
            assert_eq!(schema["items"]["enum"], serde_json::json!(known), "{ctx}");
            assert_eq!(schema["maxItems"], known.len(), "{ctx}");
        }
        ParamKind::Pattern(p) => {
            assert_eq!((ty, schema["pattern"].as_str()), (Some("string"), Some(p.regex())), "{ctx}");
        }
        ParamKind::Int { format, min, max } => {
            assert_eq!(ty, Some("integer"), "{ctx}");
            let theirs = match schema["format"].as_str() {
                None => IntFormat::Any,
                Some("int32") => IntFormat::Int32,
                Some("int64") => IntFormat::Int64,
                Some(other) => panic!("{ctx}: format {other}"),
            };
            assert_eq!((format, min, max), (theirs, num("minimum"), num("maximum")), "{ctx}");
            let page_shaped = matches!((name, theirs, min, max), ("itemsPerPage", IntFormat::Any, Some(1), Some(500)))
                || matches!((name, theirs, min, max), ("pageNum", IntFormat::Any, Some(1), None));
            assert!(!page_shaped, "{ctx}: is a page parameter");
        }
        ParamKind::Text { min_len, max_len } => {
            assert_eq!(ty, Some("string"), "{ctx}");
            assert!(["pattern", "enum", "format"].iter().all(|k| schema.get(k).is_none()), "{ctx}");
            assert_eq!((min_len, max_len), (unum("minLength"), unum("maxLength")), "{ctx}");
        }
        ParamKind::Date => assert_eq!((ty, schema["format"].as_str()), (Some("string"), Some("date")), "{ctx}"),
        ParamKind::DateTime => {
            assert_eq!((ty, schema["format"].as_str()), (Some("string"), Some("date-time")), "{ctx}")
        }
        ParamKind::Enum(values) => assert_eq!(values, enum_values(schema), "{ctx}"),
        ParamKind::Repeated { item, min_items, max_items, unique } => {
            assert_eq!(ty, Some("array"), "{ctx}");
            assert_eq!(
                (min_items, max_items, unique),
                (unum("minItems"), unum("maxItems"), schema["uniqueItems"] == true)
            );
            assert!(!matches!(item, ParamKind::Repeated { .. }), "{ctx}");
            check_kind(id, name, item, &schema["items"]);
            assert!(name != "orgMembershipStatuses", "{ctx}: is Statuses");
        }
        ref other => panic!("{ctx}: a kind this test does not know: {other:?}"),
    }
}

/// What the spec says of one operation, checked against its catalog entry.
fn check(e: &Endpoint, method: &str, path: &str, op: &Value) -> bool {
    let id = e.operation_id;
    assert_eq!((e.method.as_str(), e.path), (method, path), "{id}");
    let tags = op["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 1, "{id}");
    assert_eq!(e.tag, cli_tag(tags[0].as_str().unwrap()), "{id}: tag");
    let typed = ops::ALL.iter().any(|t| t.operation_id == id);
    // A typed row words its own summary (overrides.toml); the equality test covers those.
    if !typed {
        assert_eq!(e.summary, op["summary"], "{id}: summary");
    }
    let alias: Vec<&str> =
        op.get("x-xgen-operation-id-override").and_then(Value::as_str).filter(|a| *a != id).into_iter().collect();
    assert_eq!(e.aliases, alias.as_slice(), "{id}: aliases");
    assert_eq!(e.deprecated, op["deprecated"] == true, "{id}: deprecated");
    assert_eq!(e.auth, op.get("security") != Some(&serde_json::json!([])), "{id}: auth");
    let roles: Vec<&str> = op["x-rolesRequirements"]
        .as_array()
        .map(|r| r.iter().map(|r| r.as_str().unwrap()).collect())
        .unwrap_or_default();
    assert_eq!(e.roles, roles.as_slice(), "{id}: roles");
    assert_eq!(e.docs_url, op["x-xgen-docs-url"], "{id}: docs url");
    assert_eq!(e.idempotent, method != "POST", "{id}: idempotent");

    // Success answers.
    let mut versions = BTreeSet::new();
    let mut statuses = Vec::new();
    let mut sunsets = BTreeMap::new();
    let mut preview = None;
    let (mut json_body, mut byte_suffixes, mut page_body) = (false, BTreeSet::new(), false);
    let mut status_versions: Vec<(u16, String)> = Vec::new();
    let mut note = |version: &str, media: &Value| {
        if let Some(date) = media.get("x-sunset") {
            sunsets.insert(version.to_owned(), date.as_str().unwrap().to_owned());
        }
        if let Some(p) = media.get("x-xgen-preview") {
            preview =
                Some((p.get("name").and_then(Value::as_str).map(str::to_owned), p.get("public").map(|v| v == "true")));
        }
    };
    for (code, response) in op["responses"].as_object().unwrap() {
        if !code.starts_with('2') {
            continue;
        }
        statuses.push(code.parse::<u16>().unwrap());
        for (mt, media) in deref(response)["content"].as_object().unwrap() {
            let (version, suffix) = split_media(mt);
            let schema = media.get("schema");
            match (suffix.as_str(), schema) {
                ("json", Some(s)) => {
                    json_body = true;
                    page_body |= has_property(s, "results") && has_property(s, "totalCount");
                }
                ("json", None) => {}
                (other, Some(_)) => {
                    byte_suffixes.insert(other.to_owned());
                }
                (other, None) => panic!("{id}: {other} without schema"),
            }
            note(&version, media);
            status_versions.push((code.parse().unwrap(), version.clone()));
            versions.insert(version);
        }
    }
    statuses.sort_unstable();
    assert_eq!(e.statuses, statuses.as_slice(), "{id}: statuses");
    let ours: Vec<&str> = e.versions.iter().map(ApiVersion::as_str).collect();
    let theirs: Vec<&str> = versions.iter().map(String::as_str).collect();
    assert_eq!(ours, theirs, "{id}: versions, oldest first, preview last");
    let default = theirs.iter().rev().find(|v| **v != "preview").or(theirs.last()).unwrap();
    assert_eq!(e.default_version().as_str(), *default, "{id}: default version");
    let success = status_versions.iter().filter(|(_, v)| v == default).map(|(s, _)| *s).min().unwrap();
    assert_eq!(e.success, success, "{id}: success status of the default version");
    let suffix = byte_suffixes.iter().next().map(String::as_str);
    assert!(byte_suffixes.len() <= 1, "{id}");
    let ok = match e.output {
        SuccessBody::Empty => !json_body && suffix.is_none(),
        SuccessBody::Json => json_body && suffix.is_none(),
        SuccessBody::Bytes { suffix: ours } => !json_body && suffix == Some(ours),
        SuccessBody::JsonOrBytes { suffix: ours } => json_body && suffix == Some(ours),
        other => panic!("{id}: {other:?}"),
    };
    assert!(ok, "{id}: success body {:?} vs json {json_body}, bytes {suffix:?}", e.output);

    // The request body: its versions are the answer's.
    match op.get("requestBody").map(deref) {
        None => assert!(!e.body && !e.body_required, "{id}: body"),
        Some(body) => {
            assert!(e.body, "{id}: body");
            assert_eq!(e.body_required, body["required"] == true, "{id}: body required");
            let mut body_versions = BTreeSet::new();
            for (mt, media) in body["content"].as_object().unwrap() {
                let (version, suffix) = split_media(mt);
                assert_eq!(suffix, "json", "{id}");
                note(&version, media);
                body_versions.insert(version);
            }
            assert_eq!(body_versions, versions, "{id}: request body versions");
        }
    }
    let ours: Vec<(&str, &str)> = e.sunsets.iter().map(|s| (s.version.as_str(), s.date)).collect();
    let theirs: Vec<(&str, &str)> = sunsets.iter().map(|(v, d)| (v.as_str(), d.as_str())).collect();
    assert_eq!(ours, theirs, "{id}: sunsets");
    for (v, d) in &sunsets {
        assert_eq!(e.sunset(ApiVersion::new(v).unwrap()), Some(d.as_str()), "{id}");
    }
    let ours = e.preview.map(|p| (p.name.map(str::to_owned), p.public));
    assert_eq!(ours, preview, "{id}: preview");
    assert_eq!(e.is_preview_only(), theirs_only_preview(&versions), "{id}");

    // Parameters: envelope and pretty as flags, deprecated ones left out, path ones first in
    // template order, then query and header ones in the spec's order.
    let params: Vec<&Value> = op["parameters"].as_array().map(|p| p.iter().map(deref).collect()).unwrap_or_default();
    let named = |n: &str| params.iter().any(|p| p["name"] == n && p["in"] == "query");
    assert_eq!((e.envelope, e.pretty), (named("envelope"), named("pretty")), "{id}: envelope, pretty");
    let offered: Vec<&&Value> = params
        .iter()
        .filter(|p| !(p["in"] == "query" && (p["name"] == "envelope" || p["name"] == "pretty")))
        .filter(|p| p["deprecated"] != true)
        .collect();
    let template: Vec<&str> = path.split('{').skip(1).map(|s| s.split('}').next().unwrap()).collect();
    let mut expected: Vec<&&Value> = template
        .iter()
        .map(|t| *offered.iter().find(|p| p["in"] == "path" && p["name"] == *t).unwrap_or_else(|| panic!("{id}: {t}")))
        .collect();
    expected.extend(offered.iter().filter(|p| p["in"] != "path"));
    assert_eq!(expected.len(), offered.len(), "{id}: a path parameter not in the template");
    assert_eq!(e.params.len(), expected.len(), "{id}: parameters");
    for (ours, theirs) in e.params.iter().zip(&expected) {
        let name = theirs["name"].as_str().unwrap();
        let location = match theirs["in"].as_str().unwrap() {
            "path" => ParamIn::Path,
            "query" => ParamIn::Query,
            "header" => ParamIn::Header,
            other => panic!("{id}: {other}"),
        };
        assert_eq!((ours.name, ours.location), (name, location), "{id}: parameter order");
        assert_eq!(ours.required, location == ParamIn::Path || theirs["required"] == true, "{id}: {name} required");
        let only_current =
            theirs["description"].as_str().unwrap_or_default().contains("Not supported in deprecated versions");
        assert_eq!(ours.since, only_current.then(|| e.default_version()), "{id}: since of {name}");
        check_kind(id, name, &ours.kind, deref(&theirs["schema"]));
    }
    let paginated = page_body && e.param("pageNum").is_some() && e.param("itemsPerPage").is_some();
    assert_eq!(e.paginated, paginated, "{id}: paginated");
    paginated
}

fn theirs_only_preview(versions: &BTreeSet<String>) -> bool {
    !versions.is_empty() && versions.iter().all(|v| v == "preview")
}

#[test]
fn every_operation_of_the_spec_has_one_catalog_entry_that_agrees_with_it() {
    assert!(catalog::tags().iter().all(|t| t.enabled), "the tests build the catalog with every tag (`full`)");
    let entries: Vec<&Endpoint> = catalog::all().collect();
    let mut by_id: BTreeMap<&str, &Endpoint> = BTreeMap::new();
    for e in &entries {
        assert!(by_id.insert(e.operation_id, e).is_none(), "{} is in the catalog twice", e.operation_id);
    }
    let operations = operations();
    let mut paginated = 0;
    let mut spec_ids = BTreeSet::new();
    for (method, path, op) in &operations {
        let id = op["operationId"].as_str().unwrap();
        spec_ids.insert(id);
        let e = by_id.get(id).unwrap_or_else(|| panic!("{id} is not in the catalog"));
        paginated += usize::from(check(e, method, path, op));
    }
    let ours: BTreeSet<&str> = by_id.keys().copied().collect();
    assert_eq!(ours, spec_ids, "the catalog has exactly the spec's operations");
    let tags: BTreeSet<&str> = operations.iter().map(|(_, _, op)| op["tags"][0].as_str().unwrap()).collect();
    println!("{} operations, {paginated} paginated, {} tags", operations.len(), tags.len());
    assert_eq!((operations.len(), paginated, tags.len()), (540, 94, 58));
}

#[test]
fn each_tag_feature_names_exactly_one_spec_tag_and_every_manifest_lists_them() {
    let spec_tags: BTreeSet<String> =
        operations().iter().map(|(_, _, op)| op["tags"][0].as_str().unwrap().to_owned()).collect();
    let tags = catalog::tags();
    assert_eq!(tags.len(), spec_tags.len());
    for t in tags {
        let matching: Vec<&String> = spec_tags.iter().filter(|s| feature(s) == t.feature).collect();
        assert_eq!(matching, [t.name], "{}", t.feature);
        assert_eq!(t.cli, cli_tag(t.name));
        let count = operations().iter().filter(|(_, _, op)| op["tags"][0] == t.name).count();
        assert_eq!((t.operations, t.endpoints.len()), (count, count), "{}", t.feature);
        assert!(t.endpoints.iter().all(|e| e.tag == t.cli), "{}", t.feature);
    }
    // The manifests: the core defines each feature; the transports forward each to the core.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    for (manifest, forward) in
        [("core/Cargo.toml", false), ("transport-ureq/Cargo.toml", true), ("transport-hyper/Cargo.toml", true)]
    {
        let text = std::fs::read_to_string(format!("{root}/{manifest}")).unwrap();
        for name in tags.iter().map(|t| t.feature).chain(["full", "preview"]) {
            let value = if forward { format!("[\"atlas-admin-core/{name}\"]") } else { "[".to_owned() };
            assert!(
                text.lines().any(|l| l.starts_with(&format!("{name} = {value}"))),
                "{manifest} lacks the feature {name}"
            );
        }
        if !forward {
            let full = text.lines().find(|l| l.starts_with("full = ")).unwrap();
            let listed: BTreeSet<String> = full.split('"').skip(1).step_by(2).map(str::to_owned).collect();
            let features: BTreeSet<String> = spec_tags.iter().map(|t| feature(t)).collect();
            assert_eq!(listed, features, "full enables every tag");
        }
    }
}

/// The 28 typed rows and their generated entries are equal, field by field.
#[test]
fn typed_rows_equal_their_generated_entries() {
    let generated: Vec<&Endpoint> = catalog::tags().iter().flat_map(|t| t.endpoints.iter()).collect();
    assert_eq!(ops::ALL.len(), 28);
    for row in ops::ALL {
        let entry = generated.iter().find(|e| e.operation_id == row.operation_id).unwrap();
        assert_eq!(*entry, *row, "{}", row.operation_id);
    }
}
