//! The conformance suite every transport must pass, written once, run against the fake Atlas.
//!
//! A scenario drives a [`Driver`] (connect with the core's real [`ClientBuilder`] over the
//! transport, execute one operation, blocking). A transport gets one from its
//! [`Transport`](crate::transport_suite::Transport)
//! impl through [`Connected`](crate::transport_suite::Connected), and instantiates every
//! scenario as a `#[test]` with [`conformance_suite!`](crate::conformance_suite!):
//!
//! ```ignore
//! use atlas_admin_testing::transport_suite::Connected;
//! struct Ureq; // impl atlas_admin_testing::transport_suite::Transport for Ureq { … }
//! atlas_admin_testing::conformance_suite!(Connected<Ureq>);
//! ```

use crate::fake::{FakeAtlas, FakeConfig, Fault, SeedUser};
use atlas_admin_core::ops::*;
use atlas_admin_core::transport::{ClientBuilder, Connect};
use atlas_admin_core::{
    ApiResponse, Credentials, Error, ErrorCode, GroupId, GroupInvitationRequest, GroupInvitationUpdateRequest,
    GroupRoleAssignment, GroupRoleChange, GroupUserRequest, OrgMembershipStatus, OrgRole, OrgRoleChange,
    OrgUserRequest, OrgUserRolesRequest, OrgUserUpdateRequest, OrganizationInvitationRequest,
    OrganizationInvitationUpdateRequest, ProjectRole, RetryPolicy, TeamMember, TransportErrorKind,
};
use std::time::{Duration, Instant, SystemTime};

mod custom;
mod every_tag;
mod generic;
mod lifecycles;
mod tags;
pub use custom::{
    custom_download_is_the_bytes, custom_operation_equals_typed, custom_operation_over_oauth,
    custom_post_retried_only_when_idempotent,
};
pub use every_tag::lifecycle_every_tag;
pub use generic::{generic_cluster_lifecycle, generic_operations, generic_versions_and_downloads};
pub use lifecycles::{
    lifecycle_access_list, lifecycle_alert_configs, lifecycle_api_keys, lifecycle_custom_db_roles,
    lifecycle_database_users, lifecycle_teams,
};
pub use tags::every_tag_end_to_end;

/// A transport under test: blocking from the scenario's point of view.
pub trait Driver: Sized + Send + Sync {
    /// The transport, as the type parameter of the core's [`ClientBuilder`].
    type Connect: Connect;
    /// Builds a client with `builder`, which holds the scenario's settings.
    fn connect(builder: ClientBuilder<Self::Connect>) -> Self;
    /// Runs one operation to completion.
    fn execute<O: atlas_admin_core::Operation + Send + Sync>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O::Output: Send;
}

/// Retries fast enough for tests, generous enough to succeed.
pub fn test_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_base_delay(Duration::from_millis(5))
        .with_max_delay(Duration::from_secs(3))
        .with_max_total_wait(Duration::from_secs(10))
}

/// The settings of a scenario's client of `fake`: `credentials`, [`test_retry`], a 5 s
/// exchange timeout, a 4 MiB body cap.
fn spec<T: Connect>(fake: &FakeAtlas, credentials: Credentials) -> ClientBuilder<T> {
    ClientBuilder::new()
        .base_url(&fake.base_url())
        .credentials(credentials)
        .retry(test_retry())
        .timeout(Duration::from_secs(5))
        .max_response_bytes(4 << 20)
}

/// Digest credentials of `fake`.
pub fn digest_credentials(fake: &FakeAtlas) -> Credentials {
    let c = fake.config();
    Credentials::api_key(c.public_key.clone(), c.private_key.clone()).expect("demo key is valid")
}

/// Service-account credentials of `fake`.
pub fn oauth_credentials(fake: &FakeAtlas) -> Credentials {
    let c = fake.config();
    Credentials::service_account(c.client_id.clone(), c.client_secret.clone()).expect("demo client is valid")
}

/// A client of `fake` with Digest credentials.
pub fn digest_client<D: Driver>(fake: &FakeAtlas) -> D {
    D::connect(spec(fake, digest_credentials(fake)))
}

fn group(fake: &FakeAtlas) -> GroupId {
    GroupId::new(fake.config().group_id.clone()).expect("demo group id is valid")
}

fn invite(user: &str, roles: &[ProjectRole]) -> GroupInvitationRequest {
    GroupInvitationRequest::new(user, roles.iter().cloned()).expect("valid invitation")
}

fn ok<T>(what: &str, r: Result<ApiResponse<T>, Error>) -> T {
    match r {
        Ok(v) => v.value,
        Err(e) => panic!("{what}: {e}"),
    }
}

/// create → list → update by username (the seed) → update by id → get → delete → get (404).
pub fn project_lifecycle<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let g = group(&fake);
    let user = "first.last+atlas@example.com";
    let created =
        ok("create", c.execute(&CreateGroupInvite::new(&g, invite(user, &[ProjectRole::GroupReadOnly])).unwrap()));
    let id = created.id.clone().expect("created invitation has an id");
    assert_eq!(created.username.as_deref(), Some(user));
    let (made, expires) = (created.created_at.unwrap(), created.expires_at.unwrap());
    assert_eq!(expires.unix_seconds().unwrap() - made.unix_seconds().unwrap(), 30 * 86_400);
    assert_eq!(expires.has_passed(SystemTime::now()), Some(false));

    let listed = ok("list", c.execute(&ListGroupInvites::new(&g).unwrap().username(user).unwrap()));
    assert_eq!(listed.iter().map(|i| i.id.clone()).collect::<Vec<_>>(), vec![Some(id.clone())]);

    let seed = UpdateGroupInvites::new(&g, invite(user, &[ProjectRole::GroupBackupManager])).unwrap();
    let updated = c.execute(&seed).expect("updateGroupInvites");
    assert_eq!(updated.value.roles, vec![ProjectRole::GroupBackupManager]);
    assert!(updated.meta.sunset.is_some() && updated.meta.deprecation.is_some());

    let by_id = UpdateGroupInviteById::new(
        &g,
        &id,
        GroupInvitationUpdateRequest::new([ProjectRole::GroupClusterManager, ProjectRole::GroupReadOnly]).unwrap(),
    )
    .unwrap();
    assert_eq!(ok("update by id", c.execute(&by_id)).roles.len(), 2);
    let got = ok("get", c.execute(&GetGroupInvite::new(&g, &id).unwrap()));
    assert_eq!(got.roles, vec![ProjectRole::GroupClusterManager, ProjectRole::GroupReadOnly]);
    let deleted = c.execute(&DeleteGroupInvite::new(&g, &id).unwrap()).expect("delete");
    assert_eq!(deleted.meta.status, 204);
    let gone = c.execute(&GetGroupInvite::new(&g, &id).unwrap()).unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(gone.error_code(), Some("RESOURCE_NOT_FOUND"));
    // Updating a username with no pending invitation is a typed 404 too.
    let missing =
        c.execute(&UpdateGroupInvites::new(&g, invite("nobody@example.com", &[ProjectRole::GroupOwner])).unwrap());
    assert!(missing.unwrap_err().is_not_found());
}

/// The same lifecycle for an organization, with teams and project assignments.
pub fn org_lifecycle<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let org = fake.config().org_id.clone();
    let assignment = GroupRoleAssignment::new(group(&fake), [ProjectRole::GroupReadOnly]).unwrap();
    let body = OrganizationInvitationRequest::new("org.user@example.com", [OrgRole::OrgMember])
        .unwrap()
        .with_group_role_assignments([assignment])
        .unwrap();
    let created = ok("create", c.execute(&CreateOrgInvite::new(&org, body).unwrap()));
    let id = created.id.clone().expect("id");
    assert_eq!(created.group_role_assignments.len(), 1);
    assert_eq!(created.group_role_assignments[0].group_role, Some(ProjectRole::GroupReadOnly));
    assert_eq!(ok("list", c.execute(&ListOrgInvites::new(&org).unwrap())).len(), 1);
    let body = OrganizationInvitationRequest::new("org.user@example.com", [OrgRole::OrgBillingAdmin]).unwrap();
    assert_eq!(
        ok("update", c.execute(&UpdateOrgInvites::new(&org, body).unwrap())).roles,
        vec![OrgRole::OrgBillingAdmin]
    );
    let upd = OrganizationInvitationUpdateRequest::new([OrgRole::OrgReadOnly]).unwrap();
    assert_eq!(
        ok("by id", c.execute(&UpdateOrgInviteById::new(&org, &id, upd).unwrap())).roles,
        vec![OrgRole::OrgReadOnly]
    );
    assert_eq!(ok("get", c.execute(&GetOrgInvite::new(&org, &id).unwrap())).id, Some(id.clone()));
    c.execute(&DeleteOrgInvite::new(&org, &id).unwrap()).expect("delete");
    assert!(c.execute(&GetOrgInvite::new(&org, &id).unwrap()).unwrap_err().is_not_found());
}

/// The Cloud Users API, every one of its 16 operations: create org user (201) -> get -> list by
/// username -> update -> add and remove an org role -> add to a project (201) -> get, list, add
/// and remove a project role -> team add, list, remove -> remove from the project (204) -> remove
/// from the org (204) -> get (404); the conflicts and the last-role refusal are typed.
pub fn cloud_users_lifecycle<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let (org, g, team) = (fake.config().org_id.clone(), group(&fake), fake.config().team_id.clone());
    let user = "ada@example.com";
    let body = OrgUserRequest::new(user, OrgUserRolesRequest::new([OrgRole::OrgMember]).unwrap()).unwrap();
    let created = c.execute(&CreateOrgUser::new(&org, body.clone()).unwrap()).expect("createOrgUser");
    assert_eq!((created.meta.status.as_u16(), created.value.status.clone()), (201, OrgMembershipStatus::Pending));
    let id = created.value.user_id().expect("a user id");
    let dup = c.execute(&CreateOrgUser::new(&org, body).unwrap()).unwrap_err();
    assert!(dup.is_conflict() && dup.code() == Some(ErrorCode::UserAlreadyExists), "{dup:?}");
    assert_eq!(ok("getOrgUser", c.execute(&GetOrgUser::new(&org, &id).unwrap())).username.as_deref(), Some(user));
    let listed = ok("listOrgUsers", c.execute(&ListOrgUsers::new(&org).unwrap().username(user).unwrap()));
    assert_eq!(listed.results.iter().map(|u| u.user_id()).collect::<Vec<_>>(), [Some(id.clone())]);
    let roles = OrgUserRolesRequest::new([OrgRole::OrgMember, OrgRole::OrgBillingReadOnly]).unwrap();
    let update = OrgUserUpdateRequest::new().with_roles(roles);
    let updated = ok("updateOrgUser", c.execute(&UpdateOrgUser::new(&org, &id, update).unwrap()));
    assert_eq!(updated.roles.org_roles, [OrgRole::OrgMember, OrgRole::OrgBillingReadOnly]);
    let change = OrgRoleChange::new(OrgRole::OrgGroupCreator).unwrap();
    let added = ok("addOrgUserRole", c.execute(&AddOrgUserRole::new(&org, &id, change.clone()).unwrap()));
    assert!(added.roles.org_roles.contains(&OrgRole::OrgGroupCreator));
    let removed = ok("removeOrgUserRole", c.execute(&RemoveOrgUserRole::new(&org, &id, change).unwrap()));
    assert!(!removed.roles.org_roles.contains(&OrgRole::OrgGroupCreator));

    let add = GroupUserRequest::new(user, [ProjectRole::GroupReadOnly]).unwrap();
    let in_project = c.execute(&AddGroupUsers::new(&g, add).unwrap()).expect("addGroupUsers");
    assert_eq!((in_project.meta.status.as_u16(), in_project.value.user_id()), (201, Some(id.clone())));
    assert_eq!(ok("getGroupUser", c.execute(&GetGroupUser::new(&g, &id).unwrap())).roles, [ProjectRole::GroupReadOnly]);
    let page = ok("listGroupUsers", c.execute(&ListGroupUsers::new(&g).unwrap()));
    assert!(page.results.iter().any(|u| u.user_id() == Some(id.clone())));
    let role = GroupRoleChange::new(ProjectRole::GroupDataAccessReadOnly).unwrap();
    let two = ok("addGroupUserRole", c.execute(&AddGroupUserRole::new(&g, &id, role).unwrap()));
    assert_eq!(two.roles, [ProjectRole::GroupReadOnly, ProjectRole::GroupDataAccessReadOnly]);
    let old = GroupRoleChange::new(ProjectRole::GroupReadOnly).unwrap();
    let one = ok("removeGroupUserRole", c.execute(&RemoveGroupUserRole::new(&g, &id, old).unwrap()));
    assert_eq!(one.roles, [ProjectRole::GroupDataAccessReadOnly]);
    let last = GroupRoleChange::new(ProjectRole::GroupDataAccessReadOnly).unwrap();
    let refused = c.execute(&RemoveGroupUserRole::new(&g, &id, last).unwrap()).unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400), "the last role stays: {refused:?}");

    let member = fake.seed_org_user(SeedUser::new("grace@example.com", OrgMembershipStatus::Active)).unwrap();
    let joined = ok(
        "addOrgTeamUser",
        c.execute(&AddOrgTeamUser::new(&org, &team, TeamMember::new(member.as_str()).unwrap()).unwrap()),
    );
    assert!(joined.team_ids.contains(&team), "{joined:?}");
    let team_page = ok("listOrgTeamUsers", c.execute(&ListOrgTeamUsers::new(&org, &team).unwrap()));
    assert_eq!(
        team_page.results.iter().filter_map(|u| u.username.as_deref()).collect::<Vec<_>>(),
        ["grace@example.com"]
    );
    let left = ok(
        "removeOrgTeamUser",
        c.execute(&RemoveOrgTeamUser::new(&org, &team, TeamMember::new(member.as_str()).unwrap()).unwrap()),
    );
    assert!(!left.team_ids.contains(&team));

    let gone = c.execute(&RemoveGroupUser::new(&g, &id).unwrap()).expect("removeGroupUser");
    assert_eq!(gone.meta.status.as_u16(), 204);
    let gone = c.execute(&RemoveOrgUser::new(&org, &id).unwrap()).expect("removeOrgUser");
    assert_eq!(gone.meta.status.as_u16(), 204);
    let missing = c.execute(&GetOrgUser::new(&org, &id).unwrap()).unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    let n = fake.counters();
    assert_eq!(n.challenges, 1, "one Digest challenge, then every call signed preemptively");
    let used = n
        .by_operation
        .keys()
        .filter(|op| atlas_admin_core::ops::find(op).is_some_and(|e| e.tag == "mongoDbCloudUsers"))
        .count();
    assert_eq!(used, 16, "every Cloud Users operation ran: {:?}", n.by_operation);
}

/// N Digest calls cost N+1 HTTP requests: one challenge, then preemptive signing.
pub fn digest_one_round_trip_per_call<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let op = ListGroupInvites::new(group(&fake)).unwrap();
    for _ in 0..10 {
        ok("list", c.execute(&op));
    }
    let n = fake.counters();
    assert_eq!((n.api_requests, n.challenges, n.replays_rejected), (11, 1, 0));
}

/// An expired nonce costs exactly one extra request.
pub fn digest_stale_nonce<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let op = ListGroupInvites::new(group(&fake)).unwrap();
    ok("warm up", c.execute(&op));
    fake.expire_nonces();
    fake.reset_counters();
    let r = c.execute(&op).expect("call after the nonce expired");
    let n = fake.counters();
    assert_eq!((n.api_requests, n.stale_challenges, r.meta.exchanges), (2, 1, 2));
}

/// A wrong private key: exactly 2 requests and an authentication error.
pub fn digest_wrong_password<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let creds = Credentials::api_key(fake.config().public_key.clone(), "wrong-private-key").unwrap();
    let c = D::connect(spec(&fake, creds));
    let err = c.execute(&ListGroupInvites::new(group(&fake)).unwrap()).unwrap_err();
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");
    assert_eq!(fake.counters().api_requests, 2);
}

/// Bad credentials are told by [`Error::is_unauthorized`], whatever the body's `errorCode`
/// (Atlas's Digest refusal says `UNEXPECTED_ERROR`). A wrong public key and a wrong private key
/// end the same way (Atlas answers both with the same challenge again); a 404 is not one.
pub fn wrong_credentials_are_unauthorized<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let (public, private) = (fake.config().public_key.clone(), fake.config().private_key.clone());
    let op = ListGroupInvites::new(group(&fake)).unwrap();
    let refused = |creds: Credentials| D::connect(spec(&fake, creds)).execute(&op).unwrap_err();
    let wrong_public = refused(Credentials::api_key("wrong-public-key", private).unwrap());
    let wrong_private = refused(Credentials::api_key(public, "wrong-private-key").unwrap());
    let wrong_secret = refused(Credentials::service_account(fake.config().client_id.clone(), "wrong-secret").unwrap());
    for err in [&wrong_public, &wrong_private, &wrong_secret] {
        assert!(matches!(err, Error::Authentication(_)), "{err:?}");
        assert!(err.is_unauthorized(), "{err:?}");
        assert!(!err.is_forbidden() && !err.is_not_found(), "{err:?}");
    }
    assert_eq!(wrong_public.error_code(), Some("UNEXPECTED_ERROR"), "what the challenge body says");
    assert_eq!(wrong_public.to_string(), wrong_private.to_string(), "Atlas does not say which key is wrong");
    let c: D = digest_client(&fake);
    let missing = c.execute(&GetGroupInvite::new(group(&fake), "5f8d0a1b2c3d4e5f6a7b8c9d").unwrap()).unwrap_err();
    assert!(missing.is_not_found() && !missing.is_unauthorized(), "{missing:?}");
}

/// A service account: many calls, one token; a refused token is replaced once.
pub fn oauth_one_token<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c = D::connect(spec(&fake, oauth_credentials(&fake)));
    let op = ListGroupInvites::new(group(&fake)).unwrap();
    for _ in 0..10 {
        ok("list", c.execute(&op));
    }
    assert_eq!(fake.counters().token_requests, 1);
    fake.expire_tokens();
    ok("after expiry", c.execute(&op));
    let n = fake.counters();
    assert_eq!((n.token_requests, n.api_requests), (2, 12));
}

/// Wrong client secret: an authentication error after one token request.
pub fn oauth_wrong_secret<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let creds = Credentials::service_account(fake.config().client_id.clone(), "wrong-secret").unwrap();
    let c = D::connect(spec(&fake, creds));
    let err = c.execute(&ListGroupInvites::new(group(&fake)).unwrap()).unwrap_err();
    assert!(matches!(err, Error::Authentication(_)), "{err:?}");
    let n = fake.counters();
    assert_eq!((n.token_requests, n.api_requests), (1, 0));
}

/// 429 with `Retry-After` is obeyed (the wait is at least what was asked), then success.
pub fn retry_after_obeyed<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let op = ListGroupInvites::new(group(&fake)).unwrap();
    ok("warm up", c.execute(&op));
    fake.reset_counters();
    fake.inject(Fault::TooManyRequests { retry_after_secs: 1 }, 1);
    let start = Instant::now();
    let r = c.execute(&op).expect("succeeds after waiting");
    assert!(start.elapsed() >= Duration::from_secs(1), "waited {:?}", start.elapsed());
    assert_eq!((fake.counters().api_requests, r.meta.exchanges), (2, 2));
}

/// A `Retry-After` longer than the policy's cap: the error at once, no wait, no retry.
pub fn retry_after_beyond_cap<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let op = ListGroupInvites::new(group(&fake)).unwrap();
    ok("warm up", c.execute(&op));
    fake.reset_counters();
    fake.inject(Fault::TooManyRequests { retry_after_secs: 36_000 }, 1);
    let start = Instant::now();
    let err = c.execute(&op).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(30));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(36_000)));
    assert_eq!(fake.counters().api_requests, 1);
}

/// 503, the invite limiter and an HTML 502 are retried for idempotent operations.
pub fn transient_errors_retried_when_safe<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let op = ListGroupInvites::new(group(&fake)).unwrap();
    ok("warm up", c.execute(&op));
    for fault in [
        Fault::ServiceUnavailable { retry_after_secs: None },
        Fault::InvitationsRateLimited,
        Fault::HtmlBadGateway,
        Fault::TruncatedBody,
        Fault::CloseConnection,
    ] {
        fake.reset_counters();
        fake.inject(fault.clone(), 1);
        ok(&format!("{fault:?}"), c.execute(&op));
        assert_eq!(fake.counters().api_requests, 2, "{fault:?}");
    }
}

/// A create is never sent twice when the server may have applied it; nothing is lost.
pub fn create_not_duplicated<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let g = group(&fake);
    ok("warm up", c.execute(&ListGroupInvites::new(&g).unwrap()));
    type Expected = fn(&Error) -> bool;
    let cases: [(Fault, Expected); 5] = [
        (Fault::HtmlBadGateway, |e| matches!(e, Error::Decode(d) if d.status == 502)),
        (Fault::ServiceUnavailable { retry_after_secs: None }, |e| e.status().is_some_and(|s| s == 503)),
        (Fault::ServiceUnavailable { retry_after_secs: Some(0) }, |e| e.status().is_some_and(|s| s == 503)),
        (Fault::TruncatedBody, |e| matches!(e, Error::Transport(t) if t.kind == TransportErrorKind::Io)),
        (Fault::CloseConnection, |e| matches!(e, Error::Transport(t) if t.kind == TransportErrorKind::Io)),
    ];
    for (i, (fault, expected)) in cases.into_iter().enumerate() {
        fake.reset_counters();
        fake.inject(fault.clone(), 1);
        let user = format!("create{i}@example.com");
        let err =
            c.execute(&CreateGroupInvite::new(&g, invite(&user, &[ProjectRole::GroupOwner])).unwrap()).unwrap_err();
        assert!(expected(&err), "{fault:?}: {err:?}");
        assert_eq!(fake.counters().by_operation.get("createGroupInvite"), Some(&1), "{fault:?}: sent once");
    }
    // The refused-before-acting answers are retried even for a create.
    for (i, fault) in
        [Fault::TooManyRequests { retry_after_secs: 0 }, Fault::InvitationsRateLimited].into_iter().enumerate()
    {
        fake.reset_counters();
        fake.inject(fault.clone(), 1);
        let user = format!("retried-{i}@example.com");
        ok(
            "create after refusal",
            c.execute(&CreateGroupInvite::new(&g, invite(&user, &[ProjectRole::GroupOwner])).unwrap()),
        );
        assert_eq!(fake.counters().by_operation.get("createGroupInvite"), Some(&2), "{fault:?}");
    }
    // A timeout (the server may still act) is not retried for a create either, with the default
    // retry policy.
    let impatient = D::connect(spec(&fake, digest_credentials(&fake)).timeout(Duration::from_millis(300)));
    fake.reset_counters();
    fake.inject(Fault::Slow(Duration::from_millis(900)), 1);
    let create = CreateGroupInvite::new(&g, invite("slow@example.com", &[ProjectRole::GroupOwner])).unwrap();
    let err = impatient.execute(&create).unwrap_err();
    assert!(matches!(err.transport_error(), Some(t) if t.kind == TransportErrorKind::Timeout), "{err:?}");
    assert_eq!(fake.counters().by_operation.get("createGroupInvite"), Some(&1), "not re-sent after a timeout");
}

/// A slow server beyond the timeout is a typed timeout, not a hang.
pub fn slow_server_times_out<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c = D::connect(
        spec(&fake, digest_credentials(&fake)).timeout(Duration::from_millis(300)).retry(RetryPolicy::none()),
    );
    let op = ListGroupInvites::new(group(&fake)).unwrap();
    ok("warm up", c.execute(&op));
    fake.inject(Fault::Slow(Duration::from_secs(3)), 1);
    let start = Instant::now();
    let err = c.execute(&op).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Timeout), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(3));
}

/// `envelope=true` results equal plain ones, errors included.
pub fn envelope_equals_plain<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let g = group(&fake);
    let created = ok(
        "create",
        c.execute(&CreateGroupInvite::new(&g, invite("env@example.com", &[ProjectRole::GroupOwner])).unwrap()),
    );
    let id = created.id.unwrap();
    let plain = ok("plain", c.execute(&GetGroupInvite::new(&g, &id).unwrap()));
    let wrapped = c.execute(&GetGroupInvite::new(&g, &id).unwrap().envelope(true)).expect("enveloped");
    assert!(wrapped.meta.enveloped);
    assert_eq!(wrapped.value, plain);
    let list_plain = ok("list", c.execute(&ListGroupInvites::new(&g).unwrap()));
    let list_wrapped = ok("list env", c.execute(&ListGroupInvites::new(&g).unwrap().envelope(true)));
    assert_eq!(list_plain, list_wrapped);
    c.execute(&DeleteGroupInvite::new(&g, &id).unwrap().envelope(true)).expect("enveloped delete");
    let err = c.execute(&GetGroupInvite::new(&g, &id).unwrap().envelope(true)).unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

/// Invalid input fails before anything reaches the server.
pub fn invalid_input_sends_nothing<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    assert!(GetGroupInvite::new("6A7900FF11BB22CC33DD44EF", "6a7900ff11bb22cc33dd44ef").is_err());
    assert!(GroupInvitationRequest::new("not-an-email", [ProjectRole::GroupOwner]).is_err());
    let op = GetOrgInvite::new(fake.config().org_id.clone(), "6a7900ff11bb22cc33dd44ef").unwrap();
    let mut options = atlas_admin_core::CallOptions::default();
    options.pretty = true;
    assert!(matches!(c.execute(&PrettyWhereNone(op, options)), Err(Error::InvalidInput(e)) if e.field() == "pretty"));
    assert_eq!(fake.counters().requests, 0);
}

/// A hand-written operation that asks `getOrgInvite` for `pretty`, which its spec lacks (the
/// table's types have no `.pretty()` there): the core refuses it before sending.
struct PrettyWhereNone(GetOrgInvite, atlas_admin_core::CallOptions);

impl atlas_admin_core::Operation for PrettyWhereNone {
    type Output = <GetOrgInvite as atlas_admin_core::Operation>::Output;
    const ENDPOINT: atlas_admin_core::Endpoint = GetOrgInvite::ENDPOINT;
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        self.0.path_params()
    }
    fn options(&self) -> &atlas_admin_core::CallOptions {
        &self.1
    }
}

/// A refused connection is a typed connect error after bounded retries.
pub fn connection_refused<D: Driver>() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let c = D::connect(
        ClientBuilder::new()
            .base_url(&format!("http://127.0.0.1:{port}"))
            .retry(test_retry().with_max_attempts(3))
            .timeout(Duration::from_secs(2)),
    );
    let err = c.execute(&ListGroupInvites::new("6a7900aa11bb22cc33dd44ee").unwrap()).unwrap_err();
    match err {
        Error::Transport(t) => {
            assert_eq!(t.kind, TransportErrorKind::Connect);
            assert_eq!(t.attempts, 3, "the error after retries carries the attempts");
        }
        other => panic!("{other:?}"),
    }
}

/// A response over the size cap is a typed error, not retried, and nothing is half-decoded.
pub fn body_over_cap<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let g = group(&fake);
    let roomy: D = digest_client(&fake);
    for i in 0..5 {
        let user = format!("cap{i}@example.com");
        ok("create", roomy.execute(&CreateGroupInvite::new(&g, invite(&user, &[ProjectRole::GroupOwner])).unwrap()));
    }
    let tight = D::connect(spec(&fake, digest_credentials(&fake)).max_response_bytes(256));
    let small = tight.execute(&GetGroupInvite::new(&g, "6a7900ff11bb22cc33dd44ef").unwrap());
    assert!(small.unwrap_err().is_not_found(), "small answers still fit");
    fake.reset_counters();
    let err = tight.execute(&ListGroupInvites::new(&g).unwrap()).unwrap_err();
    assert!(matches!(err.transport_error(), Some(t) if t.kind == TransportErrorKind::BodyTooLarge), "{err:?}");
    assert_eq!(fake.counters().by_operation.get("listGroupInvites"), Some(&1), "not retried");
}

/// Builds a fake with a custom config (re-exported for transport-specific tests).
/// The day before the earliest sunset date of any operation's version in the catalog (the
/// spec's: 2025-01-01 today, so 2024-12-31): on it every version of the catalog is served, so
/// a suite whose fake's clock is set there passes whatever the day it runs.
pub fn before_every_sunset() -> SystemTime {
    let earliest = atlas_admin_core::catalog::all()
        .flat_map(|e| e.sunsets.iter().filter_map(|s| e.sunset_date(s.version)))
        .min()
        .expect("the catalog has versions with a sunset date");
    earliest.system_time() - Duration::from_secs(86_400)
}

/// A fake with `config`, serving versions past their sunset (the suites call the deprecated
/// invitation endpoints and must pass whatever the day they run).
pub fn start_fake(config: FakeConfig) -> FakeAtlas {
    FakeAtlas::start_with(FakeConfig { serve_past_sunset: true, ..config }).expect("fake Atlas starts on loopback")
}

/// One `#[test]` per conformance scenario for driver type `$driver`.
#[macro_export]
macro_rules! conformance_suite {
    ($driver:ty) => {
        $crate::conformance_suite!(@tests $driver;
            project_lifecycle, org_lifecycle, cloud_users_lifecycle, digest_one_round_trip_per_call, digest_stale_nonce,
            digest_wrong_password, wrong_credentials_are_unauthorized, oauth_one_token, oauth_wrong_secret, retry_after_obeyed, retry_after_beyond_cap,
            transient_errors_retried_when_safe, create_not_duplicated, slow_server_times_out, envelope_equals_plain,
            invalid_input_sends_nothing, connection_refused, body_over_cap, custom_operation_equals_typed,
            custom_post_retried_only_when_idempotent, custom_operation_over_oauth, custom_download_is_the_bytes,
            generic_cluster_lifecycle, generic_operations, generic_versions_and_downloads, lifecycle_database_users,
            lifecycle_access_list, lifecycle_custom_db_roles, lifecycle_teams, lifecycle_alert_configs, lifecycle_api_keys,
            every_tag_end_to_end, lifecycle_every_tag);
    };
    (@tests $driver:ty; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                $crate::conformance::$name::<$driver>();
            }
        )*
    };
}
