//! Golden tests: complete requests (method, URI, every header, body) for a fixed clock and
//! seed, including a full Digest exchange and an OAuth token fetch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use atlas_admin_core::ops::*;
use atlas_admin_core::{
    ApiVersion, Config, Credentials, GroupId, GroupInvitationRequest, GroupInvitationUpdateRequest,
    GroupRoleAssignment, HttpDate, Now, Operation, OrgRole, OrganizationInvitationRequest,
    OrganizationInvitationUpdateRequest, ProjectRole, Session, Step, TeamId,
};
mod support;
use support::{clock, fixtures, render};

const GROUP: &str = "6a7900aa11bb22cc33dd44ee";
const ORG: &str = "4888442a3354817a7320eb61";
const INV: &str = "6a7900ff11bb22cc33dd44ef";
const UA: &str = "atlas-admin/golden (linux; x86_64)";
const VND: &str = "application/vnd.atlas.2023-01-01+json";

fn now() -> Now {
    clock::at(HttpDate::parse("Sat, 28 Nov 2026 12:00:00 GMT").unwrap().system_time())
}

fn config() -> Config {
    Config::default().with_user_agent(UA).unwrap()
}

fn session(credentials: Credentials) -> Session {
    Session::new(config(), credentials, 42).unwrap()
}

fn first_request<O: Operation>(session: &Session, op: &O) -> String {
    match session.begin(op).next(now()) {
        Step::Send(r) => render(&r.request),
        other => panic!("expected a request, got {other:?}"),
    }
}

fn expect_send<T: std::fmt::Debug>(step: Step<T>) -> http::Request<Vec<u8>> {
    match step {
        Step::Send(r) => r.request,
        other => panic!("expected Send, got {other:?}"),
    }
}

fn seed_body() -> GroupInvitationRequest {
    GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap()
}

#[test]
fn seed_request_body_is_the_documented_example() {
    let op = UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", seed_body()).unwrap();
    let request = expect_send(session(Credentials::None).begin(&op).next(now()));
    let documented: serde_json::Value = serde_json::from_slice(fixtures::seed("request-body.json")).unwrap();
    assert_eq!(request.body(), br#"{"roles":["GROUP_BACKUP_MANAGER"],"username":"hello@example.com"}"#);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(request.body()).unwrap(), documented);
}

#[test]
fn all_twelve_operations_build_exact_requests() {
    let s = session(Credentials::None);
    let get = |uri: &str| format!("GET https://cloud.mongodb.com{uri}\naccept: {VND}\nuser-agent: {UA}\n\n");
    let with_body = |method: &str, uri: &str, body: &str| {
        format!(
            "{method} https://cloud.mongodb.com{uri}\naccept: {VND}\ncontent-type: {VND}\nuser-agent: {UA}\n\n{body}"
        )
    };
    let g = format!("/api/atlas/v2/groups/{GROUP}/invites");
    let o = format!("/api/atlas/v2/orgs/{ORG}/invites");
    let team = TeamId::new("6a7900aa11bb22cc33dd4500").unwrap();
    let assignment =
        GroupRoleAssignment::new(GroupId::new(GROUP).unwrap(), [ProjectRole::GroupReadOnly, ProjectRole::GroupOwner])
            .unwrap();
    let org_body = OrganizationInvitationRequest::new("a+b@example.com", [OrgRole::OrgMember])
        .unwrap()
        .with_team_ids([team.clone()])
        .unwrap()
        .with_group_role_assignments([assignment.clone()])
        .unwrap();
    let org_update =
        OrganizationInvitationUpdateRequest::new([OrgRole::OrgReadOnly, OrgRole::OrgBillingAdmin]).unwrap();

    let cases: Vec<(String, String)> = vec![
        (first_request(&s, &ListGroupInvites::new(GROUP).unwrap()), get(&g)),
        (
            first_request(&s, &ListGroupInvites::new(GROUP).unwrap().username("a+b@example.com").unwrap()),
            get(&format!("{g}?username=a%2Bb%40example.com")),
        ),
        (
            first_request(&s, &CreateGroupInvite::new(GROUP, seed_body()).unwrap()),
            with_body("POST", &g, r#"{"roles":["GROUP_BACKUP_MANAGER"],"username":"hello@example.com"}"#),
        ),
        (
            first_request(&s, &UpdateGroupInvites::new(GROUP, seed_body()).unwrap()),
            with_body("PATCH", &g, r#"{"roles":["GROUP_BACKUP_MANAGER"],"username":"hello@example.com"}"#),
        ),
        (first_request(&s, &GetGroupInvite::new(GROUP, INV).unwrap()), get(&format!("{g}/{INV}"))),
        (
            first_request(
                &s,
                &UpdateGroupInviteById::new(
                    GROUP,
                    INV,
                    GroupInvitationUpdateRequest::new([ProjectRole::parse("GROUP_NEW_ROLE")]).unwrap(),
                )
                .unwrap(),
            ),
            with_body("PATCH", &format!("{g}/{INV}"), r#"{"roles":["GROUP_NEW_ROLE"]}"#),
        ),
        (
            first_request(&s, &DeleteGroupInvite::new(GROUP, INV).unwrap()),
            get(&format!("{g}/{INV}")).replacen("GET", "DELETE", 1),
        ),
        (first_request(&s, &ListOrgInvites::new(ORG).unwrap()), get(&o)),
        (
            first_request(&s, &CreateOrgInvite::new(ORG, org_body.clone()).unwrap()),
            with_body(
                "POST",
                &o,
                r#"{"groupRoleAssignments":[{"groupId":"6a7900aa11bb22cc33dd44ee","roles":["GROUP_READ_ONLY","GROUP_OWNER"]}],"roles":["ORG_MEMBER"],"teamIds":["6a7900aa11bb22cc33dd4500"],"username":"a+b@example.com"}"#,
            ),
        ),
        (
            first_request(&s, &UpdateOrgInvites::new(ORG, org_body).unwrap()),
            with_body(
                "PATCH",
                &o,
                r#"{"groupRoleAssignments":[{"groupId":"6a7900aa11bb22cc33dd44ee","roles":["GROUP_READ_ONLY","GROUP_OWNER"]}],"roles":["ORG_MEMBER"],"teamIds":["6a7900aa11bb22cc33dd4500"],"username":"a+b@example.com"}"#,
            ),
        ),
        (first_request(&s, &GetOrgInvite::new(ORG, INV).unwrap()), get(&format!("{o}/{INV}"))),
        (
            first_request(&s, &UpdateOrgInviteById::new(ORG, INV, org_update).unwrap()),
            with_body("PATCH", &format!("{o}/{INV}"), r#"{"roles":["ORG_READ_ONLY","ORG_BILLING_ADMIN"]}"#),
        ),
        (
            first_request(&s, &DeleteOrgInvite::new(ORG, INV).unwrap()),
            get(&format!("{o}/{INV}")).replacen("GET", "DELETE", 1),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

#[test]
fn envelope_pretty_and_version_overrides() {
    use atlas_admin_core::OrgRoleChange;
    const USER: &str = "5e4bc367c6b0f41bb9bbb178";
    let s = session(Credentials::None);
    let op = AddOrgUserRole::new(ORG, USER, OrgRoleChange::new(OrgRole::OrgMember).unwrap())
        .unwrap()
        .envelope(true)
        .pretty(true)
        .api_version(ApiVersion::V2025_02_19);
    let r = expect_send(s.begin(&op).next(now()));
    assert_eq!(
        r.uri().path_and_query().unwrap(),
        &*format!("/api/atlas/v2/orgs/{ORG}/users/{USER}:addRole?envelope=true&pretty=true")
    );
    assert_eq!(r.headers()["accept"], "application/vnd.atlas.2025-02-19+json");
    assert_eq!(r.headers()["content-type"], "application/vnd.atlas.2025-02-19+json");

    // Per client: the operations that list the version get it.
    let cfg = config().with_api_version(ApiVersion::V2023_01_01);
    let s2 = Session::new(cfg, Credentials::None, 1).unwrap();
    let r = expect_send(s2.begin(&ListOrgUsers::new(ORG).unwrap()).next(now()));
    assert_eq!(r.headers()["accept"], "application/vnd.atlas.2023-01-01+json");

    // `pretty` where the spec has none: GetOrgInvite has no `.pretty()` (a compile_fail doctest
    // in `ops` proves it), and from text it is refused before anything is sent.
    let args = RawArgs { params: &[("orgId", ORG), ("invitationId", INV)], pretty: true, ..RawArgs::default() };
    let e = GetOrgInvite::from_args(&args).unwrap_err();
    assert_eq!(e.field(), "pretty");
    assert!(e.reason().contains("getOrgInvite"));
}

#[test]
fn base_url_with_path_prefix_is_kept_and_signed() {
    let cfg = config().with_base_url("https://proxy.example.com/atlas/").unwrap();
    let s = Session::new(cfg, Credentials::None, 1).unwrap();
    let r = expect_send(s.begin(&ListGroupInvites::new(GROUP).unwrap()).next(now()));
    assert_eq!(r.uri().to_string(), format!("https://proxy.example.com/atlas/api/atlas/v2/groups/{GROUP}/invites"));
}

/// Expected values computed independently (tests/fixtures/golden_digest.py: Python hashlib
/// and a Python SplitMix64 over seed 42).
const CNONCE_1: &str = include_str!("../../tests/fixtures/golden/cnonce_1.txt");
const AUTH_1: &str = include_str!("../../tests/fixtures/golden/authorization_nc1.txt");
const AUTH_2: &str = include_str!("../../tests/fixtures/golden/authorization_nc2.txt");

#[test]
fn full_digest_exchange_then_preemptive_nc2() {
    let s = session(Credentials::api_key("mdb-public", "private-key-uuid").unwrap());
    let op = UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", seed_body()).unwrap();

    // Call 1: unsigned probe → 401 challenge → signed retry (nc=00000001) → 200.
    let mut call = s.begin(&op);
    let probe = expect_send(call.next(now()));
    assert!(probe.headers().get("authorization").is_none());
    call.handle_response(fixtures::response("digest_401_challenge"), now());
    let signed = expect_send(call.next(now()));
    let auth = signed.headers()["authorization"].to_str().unwrap();
    assert!(signed.headers()["authorization"].is_sensitive());
    assert!(auth.contains(CNONCE_1.trim()));
    assert_eq!(auth, AUTH_1.trim());
    assert_eq!(signed.body(), probe.body(), "the same body is re-sent");
    call.handle_response(fixtures::response("update_group_invites_200_seed"), now());
    let Step::Done(Ok(done)) = call.next(now()) else { panic!("call 1 did not succeed") };
    assert_eq!(done.meta.exchanges, 2);

    // Call 2: signed preemptively with nc=00000002: one round trip.
    let mut call = s.begin(&op);
    let signed = expect_send(call.next(now()));
    assert_eq!(signed.headers()["authorization"].to_str().unwrap(), AUTH_2.trim());
    call.handle_response(fixtures::response("update_group_invites_200_seed"), now());
    let Step::Done(Ok(done)) = call.next(now()) else { panic!("call 2 did not succeed") };
    assert_eq!(done.meta.exchanges, 1);
}

#[test]
fn oauth_token_fetch_then_bearer() {
    let s = session(Credentials::service_account("mdb_sa_id_1234", "mdb_sa_sk_secret").unwrap());
    let mut call = s.begin(&ListGroupInvites::new(GROUP).unwrap());
    let token = expect_send(call.next(now()));
    assert_eq!(
        render(&token),
        format!(
            "POST https://cloud.mongodb.com/api/oauth/token\naccept: application/json\nauthorization: Basic bWRiX3NhX2lkXzEyMzQ6bWRiX3NhX3NrX3NlY3JldA==\ncontent-type: application/x-www-form-urlencoded\nuser-agent: {UA}\n\ngrant_type=client_credentials"
        )
    );
    call.handle_response(fixtures::response("oauth_token_200"), now());
    let api = expect_send(call.next(now()));
    assert_eq!(api.headers()["authorization"], "Bearer eyJhbGciOiJSUzI1NiJ9.fixture-token.sig");
    call.handle_response(fixtures::response("list_group_invites_200"), now());
    let Step::Done(Ok(done)) = call.next(now()) else { panic!() };
    assert_eq!((done.value.len(), done.meta.exchanges), (2, 2));

    // The next call reuses the token: no token request.
    let mut call = s.begin(&GetGroupInvite::new(GROUP, INV).unwrap());
    let api = expect_send(call.next(now()));
    assert_eq!(api.uri().path(), format!("/api/atlas/v2/groups/{GROUP}/invites/{INV}"));
    assert!(api.headers()["authorization"].to_str().unwrap().starts_with("Bearer "));

    // Revocation forgets the token.
    let (revoke, revocation) = s.revoke_request().unwrap().unwrap();
    assert_eq!(revoke.purpose, atlas_admin_core::Purpose::Revoke);
    let revoke = revoke.request;
    assert_eq!(revoke.uri(), "https://cloud.mongodb.com/api/oauth/revoke");
    assert_eq!(revoke.body(), b"token=eyJhbGciOiJSUzI1NiJ9.fixture-token.sig&token_type_hint=access_token");
    let ok = http::Response::builder().status(200).body(Vec::new()).unwrap();
    s.finish_revoke(revocation, Ok(ok), now()).unwrap();
    assert!(s.revoke_request().unwrap().is_none());
}

#[test]
fn default_user_agent_has_the_documented_shape() {
    let s = Session::new(Config::default(), Credentials::None, 0).unwrap();
    let r = expect_send(s.begin(&ListGroupInvites::new(GROUP).unwrap()).next(now()));
    let ua = r.headers()["user-agent"].to_str().unwrap();
    assert_eq!(
        ua,
        format!("atlas-admin/{} ({}; {})", env!("CARGO_PKG_VERSION"), std::env::consts::OS, std::env::consts::ARCH)
    );
}

/// The 16 Cloud Users operations: method, URI (literal `:` of custom methods, repeated
/// `orgMembershipStatuses` keys, encoded e-mails), the 2025-02-19 media type, exact bodies.
#[test]
fn all_sixteen_cloud_users_operations_build_exact_requests() {
    use atlas_admin_core::{
        GroupRoleChange, GroupRolesRequest, GroupUserRequest, OrgMembershipStatus, OrgRoleChange, OrgUserRequest,
        OrgUserRolesRequest, OrgUserUpdateRequest, TeamMember,
    };
    const USER: &str = "5e4bc367c6b0f41bb9bbb178";
    const TEAM: &str = "6a79404ec0eb9e7a1771aa1d";
    const V25: &str = "application/vnd.atlas.2025-02-19+json";
    let s = session(Credentials::None);
    let get = |uri: &str| format!("GET https://cloud.mongodb.com{uri}\naccept: {V25}\nuser-agent: {UA}\n\n");
    let delete = |uri: &str| get(uri).replacen("GET", "DELETE", 1);
    let with_body = |method: &str, uri: &str, body: &str| {
        format!(
            "{method} https://cloud.mongodb.com{uri}\naccept: {V25}\ncontent-type: {V25}\nuser-agent: {UA}\n\n{body}"
        )
    };
    let o = format!("/api/atlas/v2/orgs/{ORG}/users");
    let g = format!("/api/atlas/v2/groups/{GROUP}/users");
    let t = format!("/api/atlas/v2/orgs/{ORG}/teams/{TEAM}");
    let roles = OrgUserRolesRequest::new([OrgRole::OrgMember])
        .unwrap()
        .with_group_role_assignments([GroupRolesRequest::new(GROUP, [ProjectRole::GroupReadOnly]).unwrap()])
        .unwrap();
    let create = OrgUserRequest::new("a+b@example.com", roles.clone())
        .unwrap()
        .with_team_ids([TeamId::new(TEAM).unwrap()])
        .unwrap();
    let statuses = [OrgMembershipStatus::Pending, OrgMembershipStatus::InvitationExpired];
    let org_role = || OrgRoleChange::new(OrgRole::OrgBillingAdmin).unwrap();
    let group_role = || GroupRoleChange::new(ProjectRole::GroupDataAccessReadOnly).unwrap();
    let member = || TeamMember::new(USER).unwrap();

    let cases: Vec<(&str, String, String)> = vec![
        (
            "listOrgUsers",
            first_request(
                &s,
                &ListOrgUsers::new(ORG)
                    .unwrap()
                    .include_count(false)
                    .items_per_page(500)
                    .unwrap()
                    .page_num(2)
                    .unwrap()
                    .username("a+b@example.com")
                    .unwrap()
                    .org_membership_statuses(statuses.clone())
                    .unwrap(),
            ),
            get(&format!(
                "{o}?includeCount=false&itemsPerPage=500&pageNum=2&username=a%2Bb%40example.com&orgMembershipStatuses=PENDING&orgMembershipStatuses=INVITATION_EXPIRED"
            )),
        ),
        (
            "createOrgUser",
            first_request(&s, &CreateOrgUser::new(ORG, create).unwrap()),
            with_body(
                "POST",
                &o,
                r#"{"roles":{"groupRoleAssignments":[{"groupId":"6a7900aa11bb22cc33dd44ee","groupRoles":["GROUP_READ_ONLY"]}],"orgRoles":["ORG_MEMBER"]},"teamIds":["6a79404ec0eb9e7a1771aa1d"],"username":"a+b@example.com"}"#,
            ),
        ),
        (
            "getOrgUser",
            first_request(
                &s,
                &GetOrgUser::new(ORG, USER).unwrap().org_membership_statuses([OrgMembershipStatus::Active]).unwrap(),
            ),
            get(&format!("{o}/{USER}?orgMembershipStatuses=ACTIVE")),
        ),
        (
            "updateOrgUser",
            first_request(
                &s,
                &UpdateOrgUser::new(ORG, USER, OrgUserUpdateRequest::new().with_team_ids([]).unwrap()).unwrap(),
            ),
            with_body("PATCH", &format!("{o}/{USER}"), r#"{"teamIds":[]}"#),
        ),
        ("removeOrgUser", first_request(&s, &RemoveOrgUser::new(ORG, USER).unwrap()), delete(&format!("{o}/{USER}"))),
        (
            "addOrgUserRole",
            first_request(&s, &AddOrgUserRole::new(ORG, USER, org_role()).unwrap()),
            with_body("POST", &format!("{o}/{USER}:addRole"), r#"{"orgRole":"ORG_BILLING_ADMIN"}"#),
        ),
        (
            "removeOrgUserRole",
            first_request(&s, &RemoveOrgUserRole::new(ORG, USER, org_role()).unwrap()),
            with_body("POST", &format!("{o}/{USER}:removeRole"), r#"{"orgRole":"ORG_BILLING_ADMIN"}"#),
        ),
        (
            "listGroupUsers",
            first_request(
                &s,
                &ListGroupUsers::new(GROUP)
                    .unwrap()
                    .flatten_teams(true)
                    .include_org_users(true)
                    .org_membership_statuses([OrgMembershipStatus::Active])
                    .unwrap(),
            ),
            get(&format!("{g}?flattenTeams=true&includeOrgUsers=true&orgMembershipStatuses=ACTIVE")),
        ),
        (
            "addGroupUsers",
            first_request(
                &s,
                &AddGroupUsers::new(
                    GROUP,
                    GroupUserRequest::new("ada@example.com", [ProjectRole::GroupReadOnly, ProjectRole::GroupOwner])
                        .unwrap(),
                )
                .unwrap(),
            ),
            with_body("POST", &g, r#"{"roles":["GROUP_READ_ONLY","GROUP_OWNER"],"username":"ada@example.com"}"#),
        ),
        ("getGroupUser", first_request(&s, &GetGroupUser::new(GROUP, USER).unwrap()), get(&format!("{g}/{USER}"))),
        (
            "removeGroupUser",
            first_request(&s, &RemoveGroupUser::new(GROUP, USER).unwrap()),
            delete(&format!("{g}/{USER}")),
        ),
        (
            "addGroupUserRole",
            first_request(&s, &AddGroupUserRole::new(GROUP, USER, group_role()).unwrap()),
            with_body("POST", &format!("{g}/{USER}:addRole"), r#"{"groupRole":"GROUP_DATA_ACCESS_READ_ONLY"}"#),
        ),
        (
            "removeGroupUserRole",
            first_request(&s, &RemoveGroupUserRole::new(GROUP, USER, group_role()).unwrap()),
            with_body("POST", &format!("{g}/{USER}:removeRole"), r#"{"groupRole":"GROUP_DATA_ACCESS_READ_ONLY"}"#),
        ),
        (
            "listOrgTeamUsers",
            first_request(
                &s,
                &ListOrgTeamUsers::new(ORG, TEAM).unwrap().user_id(USER).unwrap().items_per_page(1).unwrap(),
            ),
            get(&format!("{t}/users?itemsPerPage=1&userId={USER}")),
        ),
        (
            "addOrgTeamUser",
            first_request(&s, &AddOrgTeamUser::new(ORG, TEAM, member()).unwrap()),
            with_body("POST", &format!("{t}:addUser"), &format!(r#"{{"id":"{USER}"}}"#)),
        ),
        (
            "removeOrgTeamUser",
            first_request(&s, &RemoveOrgTeamUser::new(ORG, TEAM, member()).unwrap()),
            with_body("POST", &format!("{t}:removeUser"), &format!(r#"{{"id":"{USER}"}}"#)),
        ),
    ];
    for (id, got, want) in &cases {
        assert_eq!(got, want, "{id}");
    }
    let mut covered: Vec<&str> = cases.iter().map(|(id, _, _)| *id).collect();
    let mut table: Vec<&str> = ALL.iter().filter(|e| e.tag == "mongoDbCloudUsers").map(|e| e.operation_id).collect();
    covered.sort();
    table.sort();
    assert_eq!(covered, table);

    // The 2023-01-01 variant stays reachable by an explicit version.
    let old = ListOrgUsers::new(ORG).unwrap().api_version(ApiVersion::V2023_01_01);
    assert_eq!(
        first_request(&s, &old),
        format!("GET https://cloud.mongodb.com{o}\naccept: {VND}\nuser-agent: {UA}\n\n")
    );
}

/// Invalid input never becomes a request: ids, e-mails, page bounds, statuses, roles.
#[test]
fn cloud_users_input_is_validated_before_sending() {
    use atlas_admin_core::{OrgMembershipStatus, OrgRoleChange, OrgUserRolesRequest};
    assert_eq!(GetOrgUser::new(ORG, "5E4BC367C6B0F41BB9BBB178").unwrap_err().field(), "userId");
    let list = || ListOrgUsers::new(ORG).unwrap();
    assert_eq!(list().items_per_page(0).unwrap_err().field(), "itemsPerPage");
    assert_eq!(list().items_per_page(501).unwrap_err().field(), "itemsPerPage");
    assert!(list().items_per_page(1).is_ok() && list().items_per_page(500).is_ok());
    assert_eq!(list().page_num(0).unwrap_err().field(), "pageNum");
    assert_eq!(list().username("nope").unwrap_err().field(), "username");
    let dup = [OrgMembershipStatus::Active, OrgMembershipStatus::Active];
    assert_eq!(list().org_membership_statuses(dup).unwrap_err().field(), "orgMembershipStatuses[1]");
    let future = [OrgMembershipStatus::parse("SUSPENDED")];
    assert_eq!(list().org_membership_statuses(future).unwrap_err().field(), "orgMembershipStatuses[0]");
    assert_eq!(OrgUserRolesRequest::new([]).unwrap_err().field(), "roles.orgRoles");
    assert_eq!(OrgRoleChange::new(OrgRole::parse("ORG_EMPEROR")).unwrap_err().field(), "orgRole");
    // From text: repeated statuses are accepted, a repeated page number is not.
    let args = RawArgs {
        params: &[("orgId", ORG), ("orgMembershipStatuses", "PENDING"), ("orgMembershipStatuses", "ACTIVE")],
        ..RawArgs::default()
    };
    let op = ListOrgUsers::from_args(&args).unwrap();
    assert_eq!(op.status_filter(), [OrgMembershipStatus::Pending, OrgMembershipStatus::Active]);
    let args = RawArgs { params: &[("orgId", ORG), ("pageNum", "1"), ("pageNum", "2")], ..RawArgs::default() };
    assert_eq!(ListOrgUsers::from_args(&args).unwrap_err().field(), "pageNum");
    for (name, value) in [("includeCount", "yes"), ("itemsPerPage", "-1"), ("itemsPerPage", "1000")] {
        let args = RawArgs { params: &[("orgId", ORG), (name, value)], ..RawArgs::default() };
        assert_eq!(ListOrgUsers::from_args(&args).unwrap_err().field(), name, "{name}={value}");
    }
}

/// Review finding: with API version 2023-01-01 Atlas ignores the Cloud Users lists' filters and
/// answers with every user, so a `username` lookup would act on the wrong user: refused locally.
#[test]
fn filters_newer_than_the_chosen_version_are_refused() {
    use atlas_admin_core::{ApiVersion, Config, Session, Step};
    let session = Session::new(Config::default(), atlas_admin_core::Credentials::None, 1).unwrap();
    let old = ListOrgUsers::new("6a7900aa11bb22cc33dd44ee")
        .unwrap()
        .username("ada@example.com")
        .unwrap()
        .api_version(ApiVersion::V2023_01_01);
    let Step::Done(Err(e)) = session.begin(&old).next(clock::at(std::time::SystemTime::UNIX_EPOCH)) else {
        panic!("nothing is sent")
    };
    assert!(matches!(&e, atlas_admin_core::Error::InvalidInput(i) if i.field() == "username"), "{e:?}");
    // Without the filter the old version is fine; with the default version the filter is too.
    let plain = ListOrgUsers::new("6a7900aa11bb22cc33dd44ee").unwrap().api_version(ApiVersion::V2023_01_01);
    assert!(matches!(session.begin(&plain).next(clock::at(std::time::SystemTime::UNIX_EPOCH)), Step::Send(_)));
    let new = ListOrgUsers::new("6a7900aa11bb22cc33dd44ee").unwrap().username("ada@example.com").unwrap();
    assert!(matches!(session.begin(&new).next(clock::at(std::time::SystemTime::UNIX_EPOCH)), Step::Send(_)));
}

/// A typed row takes only the API versions it lists, set per call or per client: another
/// (to which Atlas answers 406) is a typed error naming the versions, before anything is sent.
#[test]
fn a_version_the_row_does_not_list_is_refused_before_sending() {
    const USER: &str = "5e4bc367c6b0f41bb9bbb178";
    fn refused<T: std::fmt::Debug>(step: Step<T>, listed: &str) {
        let Step::Done(Err(atlas_admin_core::Error::InvalidInput(e))) = step else {
            panic!("nothing may be sent: {step:?}")
        };
        assert_eq!(e.field(), "api_version");
        assert!(e.reason().contains(listed), "{e}");
    }
    let s = session(Credentials::None);
    // The invitations exist only in 2023-01-01.
    let op = UpdateGroupInvites::new(GROUP, seed_body()).unwrap().api_version(ApiVersion::new("2024-08-05").unwrap());
    refused(s.begin(&op).next(now()), "updateGroupInvites exists in API versions 2023-01-01");
    // getOrgUser only in 2025-02-19; listOrgUsers in both.
    let op = GetOrgUser::new(ORG, USER).unwrap().api_version(ApiVersion::V2023_01_01);
    refused(s.begin(&op).next(now()), "2025-02-19");
    let both = ListOrgUsers::new(ORG).unwrap();
    for v in [ApiVersion::V2023_01_01, ApiVersion::V2025_02_19] {
        assert!(matches!(s.begin(&both.clone().api_version(v)).next(now()), Step::Send(_)), "{v}");
    }
    // Per client: a version the operation lacks is refused; the call's own version wins.
    let s2 = Session::new(config().with_api_version(ApiVersion::V2025_02_19), Credentials::None, 1).unwrap();
    refused(s2.begin(&GetGroupInvite::new(GROUP, INV).unwrap()).next(now()), "2023-01-01");
    let own = GetGroupInvite::new(GROUP, INV).unwrap().api_version(ApiVersion::V2023_01_01);
    assert!(matches!(s2.begin(&own).next(now()), Step::Send(_)));
    // Every row: each listed version is sent, an unlisted one refused.
    let unlisted = ApiVersion::new("2024-08-05").unwrap();
    for row in ALL {
        assert!(!row.versions.contains(&unlisted), "{}", row.operation_id);
        for v in row.versions {
            assert!(row.check_version(*v).is_ok(), "{}", row.operation_id);
        }
        assert_eq!(row.check_version(unlisted).unwrap_err().field(), "api_version", "{}", row.operation_id);
    }
}
