//! Values built by hand for a test double are ones Atlas could send: each decodes back, through
//! the real response parser, to the same value; errors built by hand read like parsed ones.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_core::ops::{GetGroupUser, GetOrgUser, ListOrgUsers};
use atlas_admin_core::{
    ApiError, Error, ErrorCode, GroupRoles, GroupUser, HttpDate, Invitation, Operation, OrgMembershipStatus, OrgRole,
    OrgUser, OrgUserRoles, Page, ProjectRole, ResponseMeta, Timestamp, parse_response,
};
use http::StatusCode;
use std::time::{Duration, SystemTime};

const ORG: &str = "a0123456789abcdef012345a";
const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const USER: &str = "5f8d0a1b2c3d4e5f6a7b8c9d";

/// `value` sent as Atlas would (JSON, 200) and parsed for `op`.
fn round_trip<O: Operation>(op: &O, value: &O::Output) -> O::Output
where
    O::Output: serde::Serialize,
{
    let body = serde_json::to_vec(value).unwrap();
    let resp = http::Response::builder().status(200).header("content-type", "application/json").body(body).unwrap();
    parse_response(op, resp, SystemTime::UNIX_EPOCH).unwrap().value
}

#[test]
fn hand_built_users_and_pages_decode_to_themselves() {
    let mut roles = OrgUserRoles::default();
    roles.org_roles = vec![OrgRole::OrgMember];
    let mut group = GroupRoles::default();
    group.group_id = Some(GROUP.into());
    group.group_roles = vec![ProjectRole::GroupReadOnly];
    roles.group_role_assignments = vec![group];
    let mut invitation = Invitation::default();
    invitation.invitation_created_at = Some(Timestamp::parse("2026-08-10T03:04:53Z"));
    invitation.inviter_username = Some("admin@example.com".into());
    let pending = OrgUser::pending("bob@example.com")
        .with_id(USER)
        .with_roles(roles)
        .with_team_ids(["b0123456789abcdef012345b"])
        .with_invitation(invitation);
    assert_eq!(round_trip(&GetOrgUser::new(ORG, USER).unwrap(), &pending), pending);

    let active = GroupUser::active("ada@example.com").with_id(USER).with_roles(vec![ProjectRole::GroupOwner]);
    assert_eq!(active.status, OrgMembershipStatus::Active);
    assert_eq!(round_trip(&GetGroupUser::new(GROUP, USER).unwrap(), &active), active);

    let page = Page::new(vec![pending.clone(), OrgUser::active("c@example.com").with_id(USER)])
        .with_link("next", "https://cloud.mongodb.com/api/atlas/v2/orgs/a0123456789abcdef012345a/users?pageNum=2")
        .with_total_count(3);
    assert_eq!(round_trip(&ListOrgUsers::new(ORG).unwrap(), &page), page);
    assert!(Page::<OrgUser>::default().next().is_none());
}

#[test]
fn a_hand_built_error_matches_the_parsed_one() {
    let body = br#"{"detail":"No user with ID 5f8d0a1b2c3d4e5f6a7b8c9d exists.","error":404,"errorCode":"RESOURCE_NOT_FOUND","parameters":[],"reason":"Not Found"}"#;
    let resp = http::Response::builder().status(404).header("x-error-code", "RESOURCE_NOT_FOUND").body(body.to_vec());
    let parsed = parse_response(&GetOrgUser::new(ORG, USER).unwrap(), resp.unwrap(), SystemTime::UNIX_EPOCH);
    let parsed = parsed.unwrap_err().api_error().cloned().unwrap();
    let built = ApiError::new(StatusCode::NOT_FOUND, ErrorCode::ResourceNotFound)
        .with_detail("No user with ID 5f8d0a1b2c3d4e5f6a7b8c9d exists.")
        .with_operation("getOrgUser");
    assert_eq!(built.body, parsed.body);
    assert_eq!((built.status, built.operation), (parsed.status, parsed.operation));
    assert_eq!(built.meta.error_code, parsed.meta.error_code);
    assert_eq!(built.to_string(), parsed.to_string());

    let invalid: Error = ApiError::new(StatusCode::BAD_REQUEST, "VALIDATION_ERROR")
        .with_field_violation("username", "must be an e-mail")
        .with_field_violation("roles", "must not be empty")
        .into();
    assert_eq!(invalid.code(), Some(ErrorCode::ValidationError));
    assert!(invalid.to_string().ends_with("; username: must be an e-mail; roles: must not be empty"), "{invalid}");
}

#[test]
fn metadata_setters_set_what_the_predicates_read() {
    let sunset = HttpDate::parse("Thu, 1 Jul 2027 00:00:00 GMT").unwrap();
    let meta = ResponseMeta::default()
        .with_status(StatusCode::GONE)
        .with_sunset(sunset)
        .with_deprecation(HttpDate::parse("Wed, 4 Oct 2023 00:00:00 GMT").unwrap())
        .with_exchanges(3, 2, Duration::from_millis(250))
        .with_content_type("application/json")
        .enveloped();
    assert_eq!((meta.status, meta.http_status, meta.enveloped), (StatusCode::GONE, StatusCode::OK, true));
    assert_eq!((meta.exchanges, meta.attempts, meta.waited), (3, 2, Duration::from_millis(250)));
    assert!(meta.is_past_sunset(sunset.system_time()) && !meta.is_past_sunset(SystemTime::UNIX_EPOCH));
    assert_eq!(meta.deprecation.map(|d| d.unix_seconds()), Some(1_696_377_600));
    let gone: Error = ApiError::new(StatusCode::GONE, ErrorCode::VersionGone).with_meta(meta).into();
    assert_eq!(gone.status(), Some(StatusCode::GONE));
    assert_eq!(gone.api_error().map(|e| e.meta.exchanges), Some(3));
}
