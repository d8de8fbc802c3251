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
use support::{clock, fixtures};

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

/// The request a call sends first, rendered as text: `METHOD URI`, sorted headers, body.
fn render(request: &http::Request<Vec<u8>>) -> String {
    let mut headers: Vec<String> =
        request.headers().iter().map(|(k, v)| format!("{}: {}", k.as_str(), v.to_str().unwrap())).collect();
    headers.sort();
    format!(
        "{} {}\n{}\n\n{}",
        request.method(),
        request.uri(),
        headers.join("\n"),
        String::from_utf8(request.body().clone()).unwrap()
    )
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
    let documented: serde_json::Value = serde_json::from_slice(&fixtures::seed("request-body.json")).unwrap();
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
    let s = session(Credentials::None);
    let op = UpdateGroupInvites::new(GROUP, seed_body())
        .unwrap()
        .envelope(true)
        .pretty(true)
        .api_version(ApiVersion::new("2024-08-05").unwrap());
    let r = expect_send(s.begin(&op).next(now()));
    assert_eq!(
        r.uri().path_and_query().unwrap(),
        &*format!("/api/atlas/v2/groups/{GROUP}/invites?envelope=true&pretty=true")
    );
    assert_eq!(r.headers()["accept"], "application/vnd.atlas.2024-08-05+json");
    assert_eq!(r.headers()["content-type"], "application/vnd.atlas.2024-08-05+json");

    // Per client.
    let cfg = config().with_api_version(ApiVersion::new("2025-02-19").unwrap());
    let s2 = Session::new(cfg, Credentials::None, 1).unwrap();
    let r = expect_send(s2.begin(&GetGroupInvite::new(GROUP, INV).unwrap()).next(now()));
    assert_eq!(r.headers()["accept"], "application/vnd.atlas.2025-02-19+json");

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
    let revoke = s.revoke_request().unwrap().unwrap();
    assert_eq!(revoke.purpose, atlas_admin_core::Purpose::Revoke);
    let revoke = revoke.request;
    assert_eq!(revoke.uri(), "https://cloud.mongodb.com/api/oauth/revoke");
    assert_eq!(revoke.body(), b"token=eyJhbGciOiJSUzI1NiJ9.fixture-token.sig&token_type_hint=access_token");
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
