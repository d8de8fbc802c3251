//! Every recorded response fixture, parsed for its operation, mapped to the right typed result.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use atlas_admin_core::ops::*;
use atlas_admin_core::{
    Error, ErrorCode, GroupInvitationRequest, GroupInvitationUpdateRequest, HttpDate, OrgRole,
    OrganizationInvitationRequest, OrganizationInvitationUpdateRequest, ProjectRole, parse_response,
};
mod support;
use std::time::{Duration, SystemTime};
use support::fixtures;

const GROUP: &str = "6a7900aa11bb22cc33dd44ee";
const ORG: &str = "4888442a3354817a7320eb61";
const INV: &str = "6a7900ff11bb22cc33dd44ef";

fn now() -> SystemTime {
    HttpDate::parse("Sat, 28 Nov 2026 12:00:00 GMT").unwrap().system_time()
}

fn seed_update() -> UpdateGroupInvites {
    let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
    UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", body).unwrap()
}

fn api_err<T: std::fmt::Debug>(r: Result<T, Error>) -> atlas_admin_core::ApiError {
    match r {
        Err(Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn decode_err<T: std::fmt::Debug>(r: Result<T, Error>) -> atlas_admin_core::DecodeError {
    match r {
        Err(Error::Decode(e)) => *e,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn every_fixture_parses_with_httparse() {
    let names = fixtures::names();
    assert!(names.len() >= 50, "{} fixtures", names.len());
    for name in names {
        let rec = fixtures::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(rec.truncated, name.contains("truncated"), "{name}");
    }
}

#[test]
fn seed_200_decodes_with_links_and_dates() {
    let r = parse_response(&seed_update(), fixtures::response("update_group_invites_200_seed"), now()).unwrap();
    let inv = r.value;
    assert_eq!(inv.id.unwrap().as_str(), "32b6e34b3d91647abb20e7b8");
    assert_eq!(inv.group_name.as_deref(), Some("string"));
    assert_eq!(inv.roles, vec![ProjectRole::GroupBackupManager]);
    assert_eq!(inv.username.as_deref(), Some("hello@example.com"));
    assert_eq!(inv.links.len(), 1);
    assert_eq!(inv.links[0].rel.as_deref(), Some("self"));
    let created = inv.created_at.unwrap();
    assert_eq!(created.as_str(), "2025-05-04T09:42:00Z");
    assert_eq!(created.has_passed(now()), Some(true));
    // Headers: the deprecation notice, sunset, and rate limits.
    assert_eq!(r.meta.deprecation.unwrap().to_string(), "Wed, 04 Oct 2023 00:00:00 GMT");
    assert_eq!(r.meta.sunset.unwrap().to_string(), "Thu, 01 Jul 2027 00:00:00 GMT");
    assert!(!r.meta.is_past_sunset(now()));
    assert_eq!((r.meta.rate_limit_limit, r.meta.rate_limit_remaining), (Some(1200), Some(1199)));
    assert_eq!(r.meta.status, 200);
    assert!(!r.meta.enveloped);
}

#[test]
fn seed_error_examples_map_to_api_errors() {
    for (status, code, detail_part) in [
        (400, "VALIDATION_ERROR", "No provider AWS exists."),
        (401, "NOT_ORG_GROUP_CREATOR", "(This is just an example"),
        (403, "CANNOT_CHANGE_GROUP_NAME", "(This is just an example"),
        (404, "RESOURCE_NOT_FOUND", "Cannot find resource AWS"),
        (500, "UNEXPECTED_ERROR", "(This is just an example"),
    ] {
        let r = parse_response(&seed_update(), fixtures::response(&format!("seed_error_{status}")), now());
        let e = api_err(r);
        assert_eq!(e.status, status);
        assert_eq!(e.error_code(), code);
        assert_eq!(e.body.error, status);
        assert!(e.detail().unwrap().contains(detail_part), "{status}");
        assert_eq!(e.meta.error_code.as_deref(), Some(code), "X-Error-Code header");
        assert_eq!(e.operation, "updateGroupInvites");
        let err = Error::Api(Box::new(e));
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.error_code(), Some(code));
        assert_eq!(err.is_not_found(), status == 404);
        assert!(!err.is_retryable(), "{status}");
        assert!(err.to_string().starts_with(&format!("updateGroupInvites: HTTP {status} {code}")));
    }
}

#[test]
fn every_operation_success_fixture_decodes() {
    let list = ListGroupInvites::new(GROUP).unwrap();
    let r = parse_response(&list, fixtures::response("list_group_invites_200"), now()).unwrap();
    assert_eq!(r.value.len(), 2);
    assert_eq!(r.value[0].inviter_username.as_deref(), Some("nmtxqlkl"), "an API key, not an e-mail");
    assert!(r.value[0].links.is_empty());
    assert_eq!(r.value[1].roles[1], ProjectRole::Other("GROUP_FUTURE_ROLE".into()));
    let (c, e) = (r.value[0].created_at.clone().unwrap(), r.value[0].expires_at.clone().unwrap());
    assert_eq!(e.unix_seconds().unwrap() - c.unix_seconds().unwrap(), 30 * 86_400);
    assert!(parse_response(&list, fixtures::response("list_group_invites_200_empty"), now()).unwrap().value.is_empty());

    let body = GroupInvitationRequest::new("test-738@mongodb.com", [ProjectRole::GroupReadOnly]).unwrap();
    let create = CreateGroupInvite::new(GROUP, body).unwrap();
    let inv = parse_response(&create, fixtures::response("create_group_invite_200"), now()).unwrap().value;
    assert_eq!(inv.group_id.unwrap().as_str(), GROUP);

    let get = GetGroupInvite::new(GROUP, INV).unwrap();
    assert_eq!(
        parse_response(&get, fixtures::response("get_group_invite_200"), now()).unwrap().value.id.unwrap().as_str(),
        INV
    );

    let by_id = UpdateGroupInviteById::new(
        GROUP,
        INV,
        GroupInvitationUpdateRequest::new([ProjectRole::GroupClusterManager, ProjectRole::GroupReadOnly]).unwrap(),
    )
    .unwrap();
    let inv = parse_response(&by_id, fixtures::response("update_group_invite_by_id_200"), now()).unwrap().value;
    assert_eq!(inv.roles, vec![ProjectRole::GroupClusterManager, ProjectRole::GroupReadOnly]);

    let del = DeleteGroupInvite::new(GROUP, INV).unwrap();
    let r = parse_response(&del, fixtures::response("delete_group_invite_204"), now()).unwrap();
    assert_eq!(r.meta.status, 204);

    let list = ListOrgInvites::new(ORG).unwrap();
    let r = parse_response(&list, fixtures::response("list_org_invites_200"), now()).unwrap();
    assert_eq!(r.meta.rate_limit_limit, Some(500));
    assert_eq!(r.meta.deprecation.unwrap().to_string(), "Wed, 19 Feb 2025 00:00:00 GMT");
    assert_eq!(r.value[1].roles, vec![OrgRole::OrgReadOnly, OrgRole::Other("ORG_FUTURE".into())]);
    assert_eq!(r.value[1].group_role_assignments[0].group_role, Some(ProjectRole::GroupReadOnly));
    assert_eq!(r.value[0].org_name.as_deref(), Some("atlas-cli-e2e"));
    assert!(r.value[0].team_ids.is_empty() && r.value[0].group_role_assignments.is_empty());

    let body = OrganizationInvitationRequest::new("test-1@mongodb.com", [OrgRole::OrgMember]).unwrap();
    let create = CreateOrgInvite::new(ORG, body.clone()).unwrap();
    let inv = parse_response(&create, fixtures::response("create_org_invite_200"), now()).unwrap().value;
    assert_eq!(inv.group_role_assignments.len(), 2, "one entry per (project, role)");
    let update = UpdateOrgInvites::new(ORG, body).unwrap();
    let inv = parse_response(&update, fixtures::response("update_org_invites_200"), now()).unwrap().value;
    assert_eq!(inv.roles, vec![OrgRole::OrgBillingAdmin]);
    let get = GetOrgInvite::new(ORG, INV).unwrap();
    assert_eq!(
        parse_response(&get, fixtures::response("get_org_invite_200"), now()).unwrap().value.org_id.unwrap().as_str(),
        ORG
    );
    let by_id =
        UpdateOrgInviteById::new(ORG, INV, OrganizationInvitationUpdateRequest::new([OrgRole::OrgMember]).unwrap())
            .unwrap();
    let inv = parse_response(&by_id, fixtures::response("update_org_invite_by_id_200"), now()).unwrap().value;
    assert_eq!(inv.team_ids, vec!["6a7900aa11bb22cc33dd4500".to_owned()]);
    let del = DeleteOrgInvite::new(ORG, INV).unwrap();
    assert_eq!(parse_response(&del, fixtures::response("delete_org_invite_204"), now()).unwrap().meta.status, 204);
}

#[test]
fn documented_errors_are_typed() {
    let op = seed_update();
    let e = api_err(parse_response(&op, fixtures::response("error_400_bad_request_detail"), now()));
    let fields = &e.body.bad_request_detail.as_ref().unwrap().fields;
    assert_eq!(fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["roles", "username"]);
    assert!(e.to_string().contains("roles: must not be empty"));

    let r = parse_response(&op, fixtures::response("error_400_invitations_rate_limited"), now());
    let err = r.unwrap_err();
    assert!(err.is_rate_limited() && err.is_retryable());
    assert_eq!(err.status().unwrap(), 400);

    let e = api_err(parse_response(&op, fixtures::response("error_406_invalid_version"), now()));
    assert_eq!((e.status.as_u16(), e.error_code()), (406, "INVALID_VERSION_DATE"));
    let err = parse_response(&op, fixtures::response("error_409_conflict"), now()).unwrap_err();
    assert!(err.is_conflict() && !err.is_retryable());
    assert_eq!(err.code(), Some(ErrorCode::InvitationAlreadyExists), "the fake answers the same code");
    assert_eq!(err.api_error().map(|e| e.meta.error_code.as_deref()), Some(Some("INVITATION_ALREADY_EXISTS")));
    let e = api_err(parse_response(&op, fixtures::response("error_410_version_gone"), now()));
    assert_eq!(e.error_code(), "VERSION_GONE");

    let err = parse_response(&op, fixtures::response("error_429_rate_limited"), now()).unwrap_err();
    assert!(err.is_rate_limited() && err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(55)));
    let params = &err.api_error().unwrap().body.parameters;
    assert_eq!(params[0], serde_json::json!("api/atlas/v2/orgs"));
    assert_eq!(params[1], serde_json::json!(55));
    let err = parse_response(&op, fixtures::response("error_429_retry_after_date"), now()).unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)), "HTTP-date relative to now");
    let err = parse_response(&op, fixtures::response("error_503_retry_after"), now()).unwrap_err();
    assert_eq!((err.status().unwrap().as_u16(), err.retry_after()), (503, Some(Duration::from_secs(2))));

    let e = api_err(parse_response(&op, fixtures::response("error_404_update_unknown_username"), now()));
    assert!(Error::Api(Box::new(e)).is_not_found());
}

#[test]
fn envelope_bodies_unwrap_to_the_plain_results() {
    let plain = parse_response(&seed_update(), fixtures::response("update_group_invites_200_seed"), now()).unwrap();
    let op = seed_update().envelope(true);
    let env = parse_response(&op, fixtures::response("envelope_update_group_invites_200"), now()).unwrap();
    assert_eq!(env.value, plain.value);
    assert!(env.meta.enveloped);

    let list = ListGroupInvites::new(GROUP).unwrap().envelope(true);
    assert_eq!(
        parse_response(&list, fixtures::response("envelope_list_group_invites_200"), now()).unwrap().value.len(),
        1
    );

    let del = DeleteGroupInvite::new(GROUP, INV).unwrap().envelope(true);
    let r = parse_response(&del, fixtures::response("envelope_delete_group_invite_204"), now()).unwrap();
    assert_eq!((r.meta.status.as_u16(), r.meta.http_status.as_u16()), (204, 200));

    let e = api_err(parse_response(&op, fixtures::response("envelope_error_404"), now()));
    assert_eq!((e.status.as_u16(), e.meta.http_status.as_u16()), (404, 200));
    assert_eq!(e.error_code(), "RESOURCE_NOT_FOUND");
    let err = parse_response(&op, fixtures::response("envelope_error_429"), now()).unwrap_err();
    assert!(err.is_rate_limited());

    // An envelope whose status is not a number is not guessed at.
    let odd = http::Response::builder()
        .status(200)
        .body(br#"{"status":"404","content":{"error":404,"errorCode":"RESOURCE_NOT_FOUND"}}"#.to_vec())
        .unwrap();
    assert!(matches!(parse_response(&op, odd, now()), Err(Error::Decode(d)) if d.reason.contains("envelope")));
}

#[test]
fn an_atlas_error_body_under_a_2xx_is_still_an_error() {
    let body = br#"{"error":500,"errorCode":"UNEXPECTED_ERROR","detail":"boom","reason":"Internal Server Error"}"#;
    let resp = http::Response::builder().status(200).body(body.to_vec()).unwrap();
    let e = api_err(parse_response(&seed_update(), resp, now()));
    assert_eq!((e.status.as_u16(), e.meta.http_status.as_u16(), e.error_code()), (500, 200, "UNEXPECTED_ERROR"));
    // A real invitation that merely mentions the word is untouched.
    let inv = br#"{"id":"32b6e34b3d91647abb20e7b8","username":"errorCode@example.com","roles":[]}"#;
    let resp = http::Response::builder().status(200).body(inv.to_vec()).unwrap();
    assert!(parse_response(&seed_update(), resp, now()).is_ok());
}

#[test]
fn malformed_responses_are_decode_errors_that_keep_evidence() {
    let op = seed_update();
    let d = decode_err(parse_response(&op, fixtures::response("malformed_html_502"), now()));
    assert_eq!(d.status, 502);
    assert_eq!(d.content_type.as_deref(), Some("text/html"));
    assert!(d.excerpt.contains("502 Bad Gateway"));
    assert!(Error::Decode(Box::new(d)).is_retryable());

    let d = decode_err(parse_response(&op, fixtures::response("malformed_html_200_login_page"), now()));
    assert_eq!(d.status, 200);
    assert!(d.excerpt.starts_with("<!DOCTYPE html>"));

    let rec = fixtures::load("malformed_truncated_json_200").unwrap();
    assert!(rec.truncated);
    let d = decode_err(parse_response(&op, rec.response, now()));
    assert!(d.reason.contains("EOF"), "{}", d.reason);
    assert!(d.excerpt.starts_with("{\"createdAt\""));

    let d = decode_err(parse_response(&op, fixtures::response("malformed_empty_200"), now()));
    assert_eq!(d.body_len, 0);
    let d = decode_err(parse_response(&op, fixtures::response("malformed_wrong_shape_200"), now()));
    assert!(d.reason.contains("unexpected body"));
    let lenient = parse_response(&op, fixtures::response("id_off_pattern_200"), now()).unwrap();
    assert_eq!(lenient.value.id.map(|i| i.as_str().to_owned()).as_deref(), Some("NOT-HEX"));
    let d = decode_err(parse_response(&op, fixtures::response("malformed_error_not_json_500"), now()));
    assert_eq!(d.status, 500);
    assert!(d.excerpt.contains("upstream connect error"));
    let d = decode_err(parse_response(&op, fixtures::response("redirect_302"), now()));
    assert_eq!(d.status, 302);
    assert!(d.meta.is_some());
}

#[test]
fn excerpt_is_bounded_for_huge_bodies() {
    let body = vec![b'x'; 1 << 20];
    let resp = http::Response::builder().status(502).body(body).unwrap();
    let d = decode_err(parse_response(&seed_update(), resp, now()));
    assert_eq!(d.excerpt.len(), atlas_admin_core::EXCERPT_BYTES);
    assert_eq!(d.body_len, 1 << 20);
    let non_utf8 = http::Response::builder().status(500).body(vec![0xff, 0xfe, 0x00, 0x41]).unwrap();
    let d = decode_err(parse_response(&seed_update(), non_utf8, now()));
    assert!(d.excerpt.ends_with('A'));
}

fn json_response(status: u16, body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

/// Atlas sends `null` for lists and objects it has nothing in: each decodes as empty or absent.
#[test]
fn null_lists_and_objects_decode_as_empty() {
    let op = GetGroupInvite::new(GROUP, INV).unwrap();
    let body = r#"{"id":"6a7900ff11bb22cc33dd44ef","username":"a@example.com","roles":null,"links":null,
        "groupId":null,"groupName":null,"createdAt":null,"expiresAt":null,"inviterUsername":null}"#;
    let inv = parse_response(&op, json_response(200, body), now()).unwrap().value;
    assert!(inv.roles.is_empty() && inv.links.is_empty() && inv.group_id.is_none() && inv.created_at.is_none());

    let op = GetOrgInvite::new(ORG, INV).unwrap();
    let body = r#"{"id":"6a7900ff11bb22cc33dd44ef","username":"a@example.com","roles":null,"teamIds":null,
        "groupRoleAssignments":null,"links":null,"orgId":null,"orgName":null}"#;
    let inv = parse_response(&op, json_response(200, body), now()).unwrap().value;
    assert!(inv.roles.is_empty() && inv.team_ids.is_empty() && inv.group_role_assignments.is_empty());

    let body = r#"{"error":400,"errorCode":"VALIDATION_ERROR","detail":null,"reason":null,"parameters":null,
        "badRequestDetail":{"fields":[{"field":"roles","description":null},{"field":null,"description":"bad"}]}}"#;
    let e = api_err(parse_response(&op, json_response(400, body), now()));
    assert_eq!(e.code(), ErrorCode::ValidationError);
    assert!(e.body.parameters.is_empty());
    let fields = &e.body.bad_request_detail.as_ref().unwrap().fields;
    assert_eq!((fields[0].field.as_str(), fields[1].description.as_str()), ("roles", "bad"));
    let body = r#"{"error":400,"errorCode":"VALIDATION_ERROR","badRequestDetail":{"fields":null}}"#;
    let e = api_err(parse_response(&op, json_response(400, body), now()));
    assert!(e.body.bad_request_detail.unwrap().fields.is_empty());
    let body = r#"{"error":400,"errorCode":"VALIDATION_ERROR","badRequestDetail":null}"#;
    assert!(api_err(parse_response(&op, json_response(400, body), now())).body.bad_request_detail.is_none());
}

/// Ids Atlas sends outside the spec's pattern decode as sent; they are checked again if sent back.
#[test]
fn response_ids_off_the_pattern_decode_leniently() {
    let op = ListOrgInvites::new(ORG).unwrap();
    let body = r#"[{"id":"ID-1","username":"a@example.com","orgId":"4888442A3354817A7320EB61",
        "groupRoleAssignments":[{"groupId":"../x","groupRole":"GROUP_OWNER"}]}]"#;
    let list = parse_response(&op, json_response(200, body), now()).unwrap().value;
    let inv = &list[0];
    assert_eq!(inv.id.as_ref().map(|i| i.as_str()), Some("ID-1"));
    assert_eq!(inv.org_id.as_ref().map(|i| i.as_str()), Some("4888442A3354817A7320EB61"));
    let group = inv.group_role_assignments[0].group_id.clone().unwrap();
    assert_eq!(group.as_str(), "../x");

    let e = GetOrgInvite::new(ORG, inv.id.as_ref().unwrap()).unwrap_err();
    assert_eq!(e.field(), "invitationId");
    assert!(GetOrgInvite::new(inv.org_id.clone().unwrap(), INV).is_err());
    let e = atlas_admin_core::GroupRoleAssignment::new(group, [ProjectRole::GroupOwner]).unwrap_err();
    assert_eq!(e.field(), "groupId");

    let op = GetGroupInvite::new(GROUP, INV).unwrap();
    let body = r#"{"id":"6a7900ff11bb22cc33dd44ef","username":"a@example.com","groupId":"not-hex"}"#;
    let inv = parse_response(&op, json_response(200, body), now()).unwrap().value;
    assert_eq!(inv.group_id.unwrap().as_str(), "not-hex");
}

/// A 2xx body that is not the operation's output is a decode error, not an empty success.
#[test]
fn a_2xx_body_that_is_not_the_output_is_a_decode_error() {
    let get = GetGroupInvite::new(GROUP, INV).unwrap();
    let get_org = GetOrgInvite::new(ORG, INV).unwrap();
    let list = ListGroupInvites::new(GROUP).unwrap();
    for body in [
        "{}",
        r#"{"foo":1}"#,
        r#"{"error":200,"errorCode":"X"}"#,
        r#"{"id":"6a7900ff11bb22cc33dd44ef"}"#,
        r#"{"username":"a@example.com"}"#,
        r#"{"id":null,"username":"a@example.com"}"#,
        "null",
        "[]",
    ] {
        let e = decode_err(parse_response(&get, json_response(200, body), now()));
        assert_eq!((e.status.as_u16(), e.excerpt.as_str()), (200, body));
        decode_err(parse_response(&get_org, json_response(200, body), now()));
        if body != "[]" {
            decode_err(parse_response(&list, json_response(200, body), now()));
        }
    }
    decode_err(parse_response(&list, json_response(200, "[{}]"), now()));
    assert!(parse_response(&list, json_response(200, "[]"), now()).unwrap().value.is_empty());
    let one = r#"[{"id":"6a7900ff11bb22cc33dd44ef","username":"a@example.com"}]"#;
    assert_eq!(parse_response(&list, json_response(200, one), now()).unwrap().value.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// The Cloud Users API: bodies observed from live Atlas (fixtures written by
// tests/fixtures/regen_cloud_users.py from the extract) and the spec's error examples.

mod cloud_users {
    use super::*;
    use atlas_admin_core::paginate::Paginated as _;
    use atlas_admin_core::{Membership, OrgMembershipStatus};

    const LIVE_ORG: &str = "a0123456789abcdef012345a";
    const LIVE_GROUP: &str = "6a793feb2c88faeba59bd8f6";
    const LIVE_TEAM: &str = "6a79404ec0eb9e7a1771aa1d";

    fn extract() -> serde_json::Value {
        serde_json::from_slice(fixtures::file("spec/cloud-users-openapi-extract.json").unwrap()).unwrap()
    }

    #[test]
    fn observed_org_users_page_decodes_both_statuses() {
        let op = ListOrgUsers::new(LIVE_ORG).unwrap();
        let r = parse_response(&op, fixtures::response("cloud_users_list_org_users_200"), now()).unwrap();
        let page = r.value;
        assert_eq!((page.total_count, page.results.len(), page.next()), (Some(9), 2, None));
        let active = &page.results[0];
        assert_eq!(active.status, OrgMembershipStatus::Active);
        let Membership::Active(profile) = &active.membership else { panic!("{active:?}") };
        assert_eq!((profile.first_name.as_deref(), profile.mobile_number.as_deref()), (Some("Andrea"), None));
        assert_eq!(active.roles.org_roles, [OrgRole::OrgOwner]);
        assert_eq!(active.roles.group_role_assignments[0].group_roles, [ProjectRole::GroupOwner]);
        assert_eq!(active.roles.group_role_assignments[0].group_id.as_deref(), Some("b0123456789abcdef012345b"));
        let pending = &page.results[1];
        assert_eq!(pending.status, OrgMembershipStatus::Pending);
        let invitation = pending.invitation().unwrap();
        // The inviter is an API key's public key, not an e-mail: decoded as sent.
        assert_eq!(invitation.inviter_username.as_deref(), Some("nmtxqlkl"));
        assert_eq!(invitation.invitation_expires_at.as_ref().unwrap().as_str(), "2026-09-09T03:03:42Z");
        assert_eq!(pending.user_id().unwrap().as_str(), "6a793f8ec0eb9e7a17716c2e");
        assert_eq!((r.meta.rate_limit_limit, r.meta.rate_limit_remaining), (Some(500), Some(499)));
    }

    #[test]
    fn observed_group_users_have_roles_as_a_list() {
        let op = ListGroupUsers::new(LIVE_GROUP).unwrap();
        let page = parse_response(&op, fixtures::response("cloud_users_list_group_users_200"), now()).unwrap().value;
        assert_eq!(page.total_count, Some(1));
        assert_eq!(page.results[0].roles, [ProjectRole::GroupOwner]);
        assert_eq!(page.results[0].username.as_deref(), Some("colm.quinn@mongodb.com"));
        assert!(page.results[0].team_ids.is_empty());
    }

    #[test]
    fn observed_next_link_gives_the_next_page_with_the_other_parameters_kept() {
        let op = ListOrgUsers::new(LIVE_ORG).unwrap().items_per_page(1).unwrap();
        let page =
            parse_response(&op, fixtures::response("cloud_users_list_org_users_200_next_link"), now()).unwrap().value;
        assert_eq!(
            page.next(),
            Some(
                "http://localhost:8080/api/atlas/v2/orgs/a0123456789abcdef012345a/users?includeCount=true&itemsPerPage=1&pageNum=2"
            )
        );
        let mut pages = atlas_admin_core::paginate::Paginator::new(op);
        pages.next_op().unwrap().unwrap();
        pages.handle(&page);
        let next = pages.next_op().unwrap().unwrap();
        assert_eq!((next.current_page(), next.page_size()), (2, Some(1)));
    }

    #[test]
    fn observed_team_users_and_the_2023_01_01_shape_decode() {
        let op = ListOrgTeamUsers::new(LIVE_ORG, LIVE_TEAM).unwrap();
        let page = parse_response(&op, fixtures::response("cloud_users_list_team_users_200"), now()).unwrap().value;
        assert_eq!(page.results[0].team_ids, [LIVE_TEAM]);
        // The 2023-01-01 list shape (CloudAppUser: roles as {orgId|groupId, roleName}, no
        // status) still decodes, folded into the 2025-02-19 shape.
        let old = op.api_version(atlas_admin_core::ApiVersion::V2023_01_01);
        let r = parse_response(&old, fixtures::response("cloud_users_list_team_users_200_legacy_2023"), now()).unwrap();
        let user = &r.value.results[0];
        assert_eq!(user.roles.org_roles, [OrgRole::OrgOwner]);
        assert_eq!(user.roles.group_role_assignments[0].group_roles, [ProjectRole::GroupOwner]);
        assert!(matches!(user.membership, Membership::Unknown(..)));
        assert!(r.meta.sunset.is_some());
    }

    #[test]
    fn create_answers_201_with_a_pending_user() {
        let roles = atlas_admin_core::OrgUserRolesRequest::new([OrgRole::OrgReadOnly]).unwrap();
        let body = atlas_admin_core::OrgUserRequest::new("test-file-812@mongodb.com", roles).unwrap();
        let op = CreateOrgUser::new(LIVE_ORG, body).unwrap();
        let r = parse_response(&op, fixtures::response("cloud_users_create_org_user_201"), now()).unwrap();
        assert_eq!(r.meta.status, 201);
        assert_eq!(r.value.status, OrgMembershipStatus::Pending);
        assert_eq!(r.value.roles.org_roles, [OrgRole::OrgReadOnly]);
    }

    /// Every error example the spec documents for the Cloud Users operations maps to a typed
    /// API error with its status and code (the errors are shared components; each one any
    /// current Cloud Users operation names is decoded).
    #[test]
    fn spec_error_examples_map_to_api_errors() {
        let spec = extract();
        let roles = atlas_admin_core::OrgUserRolesRequest::new([OrgRole::OrgMember]).unwrap();
        let op =
            CreateOrgUser::new(ORG, atlas_admin_core::OrgUserRequest::new("a@example.com", roles).unwrap()).unwrap();
        let mut documented: Vec<(u16, String)> = spec["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|methods| methods.as_object().unwrap().values())
            .filter(|op| op["deprecated"] != true && op["tags"][0] == "MongoDB Cloud Users")
            .flat_map(|op| op["responses"].as_object().unwrap().iter())
            .filter(|(status, _)| !status.starts_with('2'))
            .map(|(status, r)| {
                (status.parse().unwrap(), r["$ref"].as_str().unwrap().rsplit('/').next().unwrap().to_owned())
            })
            .collect();
        documented.sort();
        documented.dedup();
        let mut seen = Vec::new();
        for (code, name) in documented {
            let example = &spec["components"]["responses"][&name]["content"]["application/json"]["example"];
            let response = http::Response::builder()
                .status(code)
                .header("content-type", "application/json")
                .body(serde_json::to_vec(example).unwrap())
                .unwrap();
            let e = api_err(parse_response(&op, response, now()));
            assert_eq!(e.status.as_u16(), code);
            assert_eq!(Some(e.error_code()), example["errorCode"].as_str(), "{name}");
            assert_eq!(e.is_conflict(), code == 409, "{name}");
            seen.push(code);
        }
        assert_eq!(seen, [400, 401, 403, 404, 409, 429, 500]);
        // The typed codes this client knows for the Cloud Users conflicts and membership.
        assert_eq!(ErrorCode::parse("USER_ALREADY_EXISTS"), ErrorCode::UserAlreadyExists);
        assert_eq!(ErrorCode::parse("USER_NOT_IN_ORG"), ErrorCode::UserNotInOrg);
    }
}
