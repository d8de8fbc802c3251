//! Every operation's static description agrees with the verbatim OpenAPI extracts: the
//! invitations (all deprecated) and the Cloud Users API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod support;

use atlas_admin_core::ops;
use atlas_admin_core::{Endpoint, OrgMembershipStatus, ParamIn, ParamKind};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("spec/{name}-openapi-extract.json");
    serde_json::from_slice(support::fixtures::file(&path).unwrap()).unwrap()
}

fn spec() -> Value {
    load("invitations")
}

fn cloud_users() -> Value {
    load("cloud-users")
}

/// The extract that has this endpoint: invitations, or Cloud Users.
fn extract_of<'a>(extracts: &'a [(Value, bool)], e: &Endpoint) -> &'a (Value, bool) {
    extracts
        .iter()
        .find(|(s, _)| s["paths"][e.path][e.method.as_str().to_ascii_lowercase()].is_object())
        .unwrap_or_else(|| panic!("{} {} is in neither extract", e.method, e.path))
}

/// The parameter objects of `op`, `$ref`s resolved.
fn params<'a>(spec: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| match p.get("$ref").and_then(Value::as_str) {
            Some(r) => &spec["components"]["parameters"][r.rsplit('/').next().unwrap()],
            None => p,
        })
        .collect()
}

/// A spec tag as the Atlas CLI spells it: `Projects` -> `projects`, `MongoDB Cloud Users` ->
/// `mongoDbCloudUsers` (words split at spaces and lower-to-upper changes, lowerCamelCase).
fn cli_tag(tag: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for part in tag.split_whitespace() {
        let mut word = String::new();
        let mut prev_lower = false;
        for c in part.chars() {
            if c.is_uppercase() && prev_lower {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = c.is_lowercase();
            word.push(c);
        }
        words.push(word);
    }
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            match (i, chars.next()) {
                (0, _) => lower.clone(),
                (_, Some(first)) => first.to_uppercase().chain(chars).collect(),
                (_, None) => String::new(),
            }
        })
        .collect()
}

/// The API versions of the media types in a `content` object.
fn versions(content: &Value) -> Vec<String> {
    let mut v: Vec<String> = content
        .as_object()
        .map(|c| {
            c.keys()
                .filter_map(|k| k.strip_prefix("application/vnd.atlas.")?.strip_suffix("+json").map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// `deprecated`: whether the operation is deprecated in its extract (the invitations are).
fn check(spec: &Value, deprecated: bool, e: &Endpoint) {
    let id = e.operation_id;
    let op = &spec["paths"][e.path][e.method.as_str().to_ascii_lowercase()];
    assert!(op.is_object(), "{} {} missing from the spec", e.method, e.path);
    assert_eq!(op["operationId"], id);
    assert_eq!(op["deprecated"] == true, deprecated, "{id}");
    // The CLI tag and the SDK's alias.
    assert_eq!(e.tag, cli_tag(op["tags"][0].as_str().unwrap()), "{id}: tag");
    let alias: Vec<&str> = op.get("x-xgen-operation-id-override").and_then(Value::as_str).into_iter().collect();
    assert_eq!(e.aliases, alias.as_slice(), "{id}: aliases");
    // Parameters: envelope and pretty as flags, the others by name, place, kind and requiredness.
    let params = params(spec, op);
    let named = |n: &str| params.iter().any(|p| p["name"] == n);
    assert_eq!(named("pretty"), e.pretty, "{id}: pretty");
    assert_eq!(named("envelope"), e.envelope, "{id}: envelope");
    // Deprecated parameters (`orgMembershipStatus`, replaced by `orgMembershipStatuses`) are
    // deliberately not offered.
    let mut theirs: Vec<(String, ParamIn, bool)> = params
        .iter()
        .filter(|p| p["name"] != "pretty" && p["name"] != "envelope" && p["deprecated"] != true)
        .map(|p| {
            let place = if p["in"] == "path" { ParamIn::Path } else { ParamIn::Query };
            (p["name"].as_str().unwrap().to_owned(), place, p["required"] == true)
        })
        .collect();
    let mut ours: Vec<(String, ParamIn, bool)> =
        e.params.iter().map(|p| (p.name.to_owned(), p.location, p.required)).collect();
    theirs.sort_by(|a, b| a.0.cmp(&b.0));
    ours.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(ours, theirs, "{id}: parameters");
    for p in e.params {
        let theirs = params.iter().find(|q| q["name"] == p.name).unwrap();
        // "Not supported in deprecated versions": the parameter exists only in the endpoint's
        // current (newest) version, and the table says so.
        let only_current =
            theirs["description"].as_str().unwrap_or_default().contains("Not supported in deprecated versions");
        assert_eq!(p.since, only_current.then(|| e.default_version()), "{id}: since of {}", p.name);
        let schema = &theirs["schema"];
        match p.kind {
            // deleteOrgInvite's invitationId has no pattern in the spec; ids are checked alike.
            ParamKind::Id => {
                assert!(schema["pattern"] == "^([a-f0-9]{24})$" || schema.get("pattern").is_none(), "{id}: {}", p.name)
            }
            ParamKind::Email => assert_eq!(schema["format"], "email", "{id}: {}", p.name),
            ParamKind::Bool => assert_eq!(schema["type"], "boolean", "{id}: {}", p.name),
            ParamKind::PageSize => {
                assert_eq!(
                    (&schema["type"], &schema["minimum"], &schema["maximum"]),
                    (&"integer".into(), &1.into(), &500.into()),
                    "{id}"
                )
            }
            ParamKind::PageNum => {
                assert_eq!((&schema["type"], &schema["minimum"]), (&"integer".into(), &1.into()), "{id}");
                assert!(schema.get("maximum").is_none(), "{id}");
            }
            ParamKind::Statuses => {
                assert_eq!(schema["type"], "array", "{id}");
                let known: Vec<&str> = OrgMembershipStatus::KNOWN.iter().map(OrgMembershipStatus::as_str).collect();
                assert_eq!(schema["items"]["enum"], serde_json::json!(known), "{id}");
                assert_eq!(schema["maxItems"], known.len(), "{id}");
            }
            other => panic!("{id}: {} has a kind this test does not know: {other:?}", p.name),
        }
    }
    // Success status, body, versions.
    let responses = op["responses"].as_object().unwrap();
    let success = &responses[&e.success.to_string()];
    assert!(success.is_object(), "{id}: {}", e.success);
    assert_eq!(op.get("requestBody").is_some(), e.body, "{id}: body");
    let ours: Vec<String> = e.versions.iter().map(|v| v.as_str().to_owned()).collect();
    assert_eq!(versions(&success["content"]), ours, "{id}: versions of the {} answer", e.success);
    if e.body {
        assert_eq!(versions(&op["requestBody"]["content"]), ours, "{id}: versions of the request body");
    }
    assert_eq!(e.default_version().as_str(), ours.last().unwrap(), "{id}");
    // Idempotency follows the method: only POST (create) is not.
    assert_eq!(e.idempotent, e.method != http::Method::POST, "{id}");
}

/// The operationIds of an extract's paths that the table must model: every one in the
/// invitations extract; the current (not deprecated) `MongoDB Cloud Users` ones in the other.
fn modelled(spec: &Value, only_current_cloud_users: bool) -> Vec<&str> {
    let mut ids: Vec<&str> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|methods| methods.as_object().unwrap().values())
        .filter(|op| !only_current_cloud_users || (op["deprecated"] != true && op["tags"][0] == "MongoDB Cloud Users"))
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_table_entry_matches_the_spec_and_the_spec_has_no_other() {
    let extracts = [(spec(), true), (cloud_users(), false)];
    for e in ops::ALL {
        let (s, deprecated) = extract_of(&extracts, e);
        check(s, *deprecated, e);
    }
    // And nothing in either extract's paths is left unmodelled.
    let mut in_spec = modelled(&extracts[0].0, false);
    in_spec.extend(modelled(&extracts[1].0, true));
    in_spec.sort();
    let mut ours: Vec<&str> = ops::ALL.iter().map(|e| e.operation_id).collect();
    ours.sort();
    assert_eq!(ours, in_spec);
    assert_eq!(ops::ALL.iter().filter(|e| e.tag == "mongoDbCloudUsers").count(), 16);
}

/// Every Cloud Users operation defaults to 2025-02-19; the paginated ones answer `Page`s.
#[test]
fn cloud_users_default_to_2025_02_19_and_paginated_lists_take_page_parameters() {
    let s = cloud_users();
    for e in ops::ALL.iter().filter(|e| e.tag == "mongoDbCloudUsers") {
        assert_eq!(e.default_version(), atlas_admin_core::ApiVersion::V2025_02_19, "{}", e.operation_id);
        let op = &s["paths"][e.path][e.method.as_str().to_ascii_lowercase()];
        let schema = op["responses"][e.success.to_string()]["content"]["application/vnd.atlas.2025-02-19+json"]
            ["schema"]["$ref"]
            .as_str()
            .unwrap_or_default();
        let paginated = schema.contains("Paginated");
        assert_eq!(paginated, e.paginated, "{}", e.operation_id);
        assert_eq!(paginated, e.param("pageNum").is_some(), "{}", e.operation_id);
        assert_eq!(paginated, e.param("itemsPerPage").is_some(), "{}", e.operation_id);
        if e.method == http::Method::POST && e.path.ends_with("/users") {
            assert_eq!(e.success, 201, "{}", e.operation_id);
        }
    }
}

#[test]
fn cli_tags_are_spelled_as_the_atlas_cli_does() {
    assert_eq!(cli_tag("Projects"), "projects");
    assert_eq!(cli_tag("Organizations"), "organizations");
    assert_eq!(cli_tag("MongoDB Cloud Users"), "mongoDbCloudUsers");
}

#[test]
fn org_role_enum_matches_the_spec() {
    let s = spec();
    let spec_roles: Vec<&str> =
        s["components"]["schemas"]["OrganizationInvitationRequest"]["properties"]["roles"]["items"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
    let ours: Vec<&str> = atlas_admin_core::OrgRole::KNOWN.iter().map(|r| r.as_str()).collect();
    assert_eq!(ours, spec_roles);
}

#[test]
fn project_roles_match_the_last_published_enum() {
    let s = spec();
    let hist = &s["history"]["project_role_enum_last_seen"];
    let text = hist.to_string();
    for role in atlas_admin_core::ProjectRole::KNOWN {
        assert!(text.contains(role.as_str()), "{role} not in the spec history");
    }
}
