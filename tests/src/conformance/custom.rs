//! Conformance scenarios for operations described at run time (`ops::Custom`): against the
//! fake Atlas they give what the typed operations give, with the same Digest, OAuth, retries
//! and typed errors; against the canned server a download comes back as the bytes sent.

use super::{Driver, digest_client, group, invite, oauth_credentials, ok, spec, test_retry};
use crate::canned::{Server, challenge, response};
use crate::fake::{FakeAtlas, Fault};
use atlas_admin_core::ops::{CreateGroupInvite, Custom, GetOrgUser, ListGroupInvites, ResponseFormat};
use atlas_admin_core::transport::ClientBuilder;
use atlas_admin_core::{
    ApiVersion, Credentials, GroupInvitation, OrgRole, OrgUser, OrgUserRequest, OrgUserRolesRequest, ProjectRole,
};
use http::Method;
use serde_json::Value;

/// `listGroupInvites` described at run time.
fn list_invites(group: &str) -> Custom {
    Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}/invites", ApiVersion::V2023_01_01)
        .and_then(|op| op.path_param("groupId", group))
        .and_then(|op| op.named("listGroupInvites"))
        .expect("a valid description")
}

/// `createOrgUser` described at run time, with the typed request's body.
fn create_org_user(org: &str, username: &str) -> Custom {
    let body = OrgUserRequest::new(username, OrgUserRolesRequest::new([OrgRole::OrgMember]).expect("roles"))
        .expect("a valid request");
    Custom::new(Method::POST, "/api/atlas/v2/orgs/{orgId}/users", ApiVersion::V2025_02_19)
        .and_then(|op| op.path_param("orgId", org))
        .and_then(|op| op.json(&body))
        .and_then(|op| op.success(&[201]))
        .expect("a valid description")
}

/// `method` on one project invitation, described at run time.
fn invitation(method: Method, group: &str, id: &str) -> Custom {
    Custom::new(method, "/api/atlas/v2/groups/{groupId}/invites/{invitationId}", ApiVersion::V2023_01_01)
        .and_then(|op| op.path_param("groupId", group))
        .and_then(|op| op.path_param("invitationId", id))
        .expect("a valid description")
}

/// A described list and create answer what the typed ones answer; a missing resource is the
/// typed 404, named after the call; envelope and 204 work; Digest costs one challenge for all.
pub fn custom_operation_equals_typed<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let (g, org) = (group(&fake), fake.config().org_id.clone());
    ok(
        "seed",
        c.execute(&CreateGroupInvite::new(&g, invite("ada@example.com", &[ProjectRole::GroupReadOnly])).unwrap()),
    );

    let typed = ok("typed list", c.execute(&ListGroupInvites::new(&g).unwrap()));
    let described = c.execute(&list_invites(g.as_str())).expect("described list");
    assert_eq!(described.meta.status.as_u16(), 200);
    assert!(described.meta.sunset.is_some(), "the deprecation headers reach the metadata");
    let decoded: Vec<GroupInvitation> = serde_json::from_value(described.value.clone()).expect("the typed shape");
    assert_eq!(decoded, typed);
    assert_eq!(typed.len(), 1);

    let created = c.execute(&create_org_user(&org, "grace@example.com")).expect("described create");
    assert_eq!(created.meta.status.as_u16(), 201);
    let user: OrgUser = serde_json::from_value(created.value).expect("an org user");
    let id = user.user_id().expect("an id");
    assert_eq!(ok("typed get", c.execute(&GetOrgUser::new(&org, &id).unwrap())), user);

    // A missing invitation: the typed 404, named as the call was.
    let missing = invitation(Method::GET, g.as_str(), "0123456789abcdef01234567").named("getGroupInvite").unwrap();
    let err = c.execute(&missing).unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let api = err.api_error().expect("an Atlas error");
    assert_eq!((api.error_code(), api.operation), ("RESOURCE_NOT_FOUND", "getGroupInvite"));
    // Enveloped, the same value; the invitation's delete answers 204, an empty output.
    let id = typed[0].id.clone().expect("an invitation id");
    let get = invitation(Method::GET, g.as_str(), id.as_str());
    let plain = c.execute(&get).expect("get");
    let wrapped = c.execute(&get.clone().envelope(true)).expect("enveloped get");
    assert!(wrapped.meta.enveloped);
    assert_eq!(wrapped.value, plain.value);
    let deleted = c.execute(&invitation(Method::DELETE, g.as_str(), id.as_str())).expect("delete");
    assert_eq!((deleted.meta.status.as_u16(), deleted.value), (204, Value::Null));

    let n = fake.counters();
    assert_eq!(n.challenges, 1, "one Digest challenge, then every call signed preemptively");
    assert_eq!(n.api_requests, 10, "nine calls, one challenge");
    assert_eq!(n.by_operation.get("listGroupInvites"), Some(&2));
    assert_eq!(n.by_operation.get("createOrgUser"), Some(&1));
}

/// A described POST is not re-sent after a 503 (it may have been applied) unless marked
/// idempotent; refused before acting (429), it is retried either way.
pub fn custom_post_retried_only_when_idempotent<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c: D = digest_client(&fake);
    let org = fake.config().org_id.clone();
    ok("warm up", c.execute(&list_invites(group(&fake).as_str())));
    fake.reset_counters();
    fake.inject(Fault::ServiceUnavailable { retry_after_secs: None }, 1);
    let err = c.execute(&create_org_user(&org, "once@example.com")).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503), "{err}");
    assert_eq!(fake.counters().by_operation.get("createOrgUser"), Some(&1), "sent once");

    fake.reset_counters();
    fake.inject(Fault::ServiceUnavailable { retry_after_secs: None }, 1);
    let marked = create_org_user(&org, "twice@example.com").idempotent(true);
    let created = c.execute(&marked).expect("retried after the 503");
    assert_eq!((created.meta.status.as_u16(), created.meta.attempts), (201, 2));
    assert_eq!(fake.counters().by_operation.get("createOrgUser"), Some(&2));

    fake.reset_counters();
    fake.inject(Fault::TooManyRequests { retry_after_secs: 0 }, 1);
    c.execute(&create_org_user(&org, "limited@example.com")).expect("retried after the 429");
    assert_eq!(fake.counters().by_operation.get("createOrgUser"), Some(&2));
}

/// A service account: described calls share the one token.
pub fn custom_operation_over_oauth<D: Driver>() {
    let fake = FakeAtlas::start_day_independent();
    let c = D::connect(spec(&fake, oauth_credentials(&fake)));
    let op = list_invites(group(&fake).as_str());
    for _ in 0..3 {
        ok("list", c.execute(&op));
    }
    let n = fake.counters();
    assert_eq!((n.token_requests, n.api_requests), (1, 3));
}

/// A download: `Accept` asks for `+gzip`, the call is signed as any other, and the answer is
/// the bytes as sent (no decoding, no decompression).
pub fn custom_download_is_the_bytes<D: Driver>() {
    let gz: &[u8] = &[0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0xff, 0xfe];
    let server = Server::start(vec![
        challenge(),
        response("200 OK", &[("Content-Type", "application/vnd.atlas.2023-01-01+gzip")], gz),
    ]);
    let c = D::connect(
        ClientBuilder::new()
            .base_url(&server.base_url())
            .credentials(Credentials::api_key("pubkey", "private").unwrap())
            .retry(test_retry()),
    );
    let op = Custom::new(
        Method::GET,
        "/api/atlas/v2/groups/{groupId}/clusters/{hostName}/logs/mongodb.gz",
        ApiVersion::V2023_01_01,
    )
    .and_then(|op| op.path_param("groupId", "32b6e34b3d91647abb20e7b8"))
    .and_then(|op| op.path_param("hostName", "host-00.example.net"))
    .and_then(|op| op.query("startDate", "1700000000"))
    .unwrap()
    .download(ResponseFormat::Gzip);
    let got = c.execute(&op).expect("the download");
    assert_eq!(got.value, gz);
    let requests = server.finish();
    assert_eq!(requests.len(), 2);
    let signed = &requests[1];
    assert_eq!(
        signed.target,
        "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/host-00.example.net/logs/mongodb.gz?startDate=1700000000"
    );
    assert_eq!(signed.header("accept"), Some("application/vnd.atlas.2023-01-01+gzip"));
    assert!(signed.header("authorization").is_some_and(|a| a.starts_with("Digest ")));
}
