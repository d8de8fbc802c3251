//! Service accounts: one token fetch serves the calls, and `revoke_token` revokes it.

use super::{Builder, Transport, canned_client};
use crate::canned::*;
use atlas_admin_core::Error;
use atlas_admin_core::ops::{DeleteOrgInvite, ListOrgInvites};

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.test-access-token";

fn token_reply() -> Reply {
    response(
        "200 OK",
        &[("Content-Type", "application/json")],
        format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":3600}}"#).as_bytes(),
    )
}

fn no_content() -> Reply {
    response("204 No Content", &[("Content-Type", "application/vnd.atlas.2023-01-01+json;charset=utf-8")], b"")
}

fn client<T: Transport>(server: &Server) -> T::Client {
    Builder::<T>::new()
        .base_url(&server.base_url())
        .service_account("mdb_sa_id_test", "mdb_sa_sk_client-secret")
        .retry(fast_retry())
        .no_proxy()
        .build()
        .unwrap()
}

/// One token fetch (Basic auth, client credentials) serves two calls as `Bearer`; revoking
/// it posts to `/api/oauth/revoke` once, then there is nothing left to revoke.
pub fn one_token_serves_calls_and_is_revoked<T: Transport>() {
    let org_list = format!(
        r#"[{{"createdAt":"2026-08-10T03:04:53Z","expiresAt":"2026-09-09T03:04:53Z","id":"{INVITATION_ID}","inviterUsername":"mdb_sa_id_test","orgId":"{ORG_ID}","orgName":"acme","roles":["ORG_MEMBER"],"groupRoleAssignments":[],"teamIds":[],"username":"ada@example.com"}}]"#
    );
    let server = Server::start(vec![token_reply(), ok_json(&org_list), no_content(), response("200 OK", &[], b"")]);
    let client = client::<T>(&server);

    let list = T::execute(&client, &ListOrgInvites::new(ORG_ID).unwrap()).unwrap();
    assert_eq!(list.value.len(), 1);
    assert_eq!(list.meta.exchanges, 2, "token fetch + call");
    let deleted = T::execute(&client, &DeleteOrgInvite::new(ORG_ID, INVITATION_ID).unwrap()).unwrap();
    assert_eq!(deleted.meta.exchanges, 1, "the cached token is reused");
    assert!(T::revoke_token(&client).unwrap(), "a token was revoked");
    assert!(!T::revoke_token(&client).unwrap(), "and forgotten");

    let requests = server.finish();
    assert_eq!(requests.len(), 4, "{requests:#?}");
    assert_eq!((requests[0].method.as_str(), requests[0].target.as_str()), ("POST", "/api/oauth/token"));
    assert!(requests[0].header("authorization").unwrap().starts_with("Basic "));
    assert_eq!(requests[0].body, b"grant_type=client_credentials");
    assert_eq!(requests[1].target, format!("/api/atlas/v2/orgs/{ORG_ID}/invites"));
    assert_eq!(requests[1].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(requests[2].method, "DELETE");
    assert_eq!(requests[2].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!((requests[3].method.as_str(), requests[3].target.as_str()), ("POST", "/api/oauth/revoke"));
    let revoke = String::from_utf8(requests[3].body.clone()).unwrap();
    assert!(revoke.contains("token_type_hint=access_token"), "{revoke}");
}

/// A refused revocation is the answer's error, and is not retried.
pub fn revoke_refusal_is_an_error<T: Transport>() {
    let server = Server::start(vec![token_reply(), ok_json("[]"), response("429 Too Many Requests", &[], b"")]);
    let client = client::<T>(&server);
    T::execute(&client, &ListOrgInvites::new(ORG_ID).unwrap()).unwrap();
    let err = T::revoke_token(&client).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429), "{err:?}");
    assert!(!matches!(err, Error::Transport(_)));
    assert_eq!(server.finish().len(), 3, "a revocation is not retried");
}

/// An API-key client has no token: revoking is a no-op that sends nothing.
pub fn api_key_clients_have_nothing_to_revoke<T: Transport>() {
    let client = canned_client::<T>("http://127.0.0.1:9", |b| b);
    assert!(!T::revoke_token(&client).unwrap());
}
