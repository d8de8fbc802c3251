//! Every operation's static description agrees with the verbatim OpenAPI extract.

use atlas_admin_core::Operation;
use atlas_admin_core::ops::*;
use serde_json::Value;

fn spec() -> Value {
    let path = atlas_admin_tests::fixtures::dir().join("spec/invitations-openapi-extract.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Resolves `{"$ref": "#/components/parameters/x"}` to the parameter's name.
fn param_names(spec: &Value, op: &Value) -> Vec<String> {
    op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| match p.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let key = r.rsplit('/').next().unwrap();
                spec["components"]["parameters"][key]["name"].as_str().unwrap().to_owned()
            }
            None => p["name"].as_str().unwrap().to_owned(),
        })
        .collect()
}

fn check<O: Operation>(spec: &Value, has_body: bool) -> String {
    let e = O::ENDPOINT;
    let op = &spec["paths"][e.path][e.method.as_str().to_ascii_lowercase()];
    assert!(op.is_object(), "{} {} missing from the spec", e.method, e.path);
    assert_eq!(op["operationId"], e.operation_id);
    assert_eq!(op["deprecated"], true, "{}", e.operation_id);
    let params = param_names(spec, op);
    assert_eq!(params.contains(&"pretty".to_owned()), e.pretty, "{}: pretty", e.operation_id);
    assert!(params.contains(&"envelope".to_owned()), "{}", e.operation_id);
    let responses = op["responses"].as_object().unwrap();
    assert!(responses.contains_key(&e.success.to_string()), "{}: {}", e.operation_id, e.success);
    assert_eq!(op.get("requestBody").is_some(), has_body, "{}", e.operation_id);
    if let Some(content) = responses[&e.success.to_string()].get("content") {
        assert!(content.get("application/vnd.atlas.2023-01-01+json").is_some(), "{}", e.operation_id);
    }
    // Idempotency follows the method: only POST (create) is not.
    assert_eq!(e.idempotent, e.method != http::Method::POST, "{}", e.operation_id);
    e.operation_id.to_owned()
}

#[test]
fn all_twelve_endpoints_match_the_spec() {
    let s = spec();
    let ids = [
        check::<ListGroupInvites>(&s, false),
        check::<CreateGroupInvite>(&s, true),
        check::<UpdateGroupInvites>(&s, true),
        check::<GetGroupInvite>(&s, false),
        check::<UpdateGroupInviteById>(&s, true),
        check::<DeleteGroupInvite>(&s, false),
        check::<ListOrgInvites>(&s, false),
        check::<CreateOrgInvite>(&s, true),
        check::<UpdateOrgInvites>(&s, true),
        check::<GetOrgInvite>(&s, false),
        check::<UpdateOrgInviteById>(&s, true),
        check::<DeleteOrgInvite>(&s, false),
    ];
    // And nothing in the spec's invitation paths is left unmodelled.
    let mut in_spec: Vec<String> = s["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|methods| methods.as_object().unwrap().values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str).map(str::to_owned))
        .collect();
    in_spec.sort();
    let mut ours = ids.to_vec();
    ours.sort();
    assert_eq!(ours, in_spec);
}

#[test]
fn list_operations_take_the_username_filter() {
    let s = spec();
    for e in [ListGroupInvites::ENDPOINT, ListOrgInvites::ENDPOINT] {
        let params = param_names(&s, &s["paths"][e.path]["get"]);
        assert!(params.contains(&"username".to_owned()), "{}", e.operation_id);
    }
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
