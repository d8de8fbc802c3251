//! Service accounts: one token fetch serves the calls, and `revoke_token` revokes it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use atlas_admin_hyper::ops::{DeleteOrgInvite, ListOrgInvites};
use atlas_admin_hyper::{Client, Error};
use common::*;

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

fn client(server: &Server) -> Client {
    Client::builder()
        .base_url(&server.base_url())
        .service_account("mdb_sa_id_test", "mdb_sa_sk_client-secret")
        .retry(fast_retry())
        .no_proxy()
        .build()
        .unwrap()
}

#[tokio::test]
async fn one_token_serves_calls_and_is_revoked() {
    let org_list = format!(
        r#"[{{"createdAt":"2026-08-10T03:04:53Z","expiresAt":"2026-09-09T03:04:53Z","id":"{INVITATION_ID}","inviterUsername":"mdb_sa_id_test","orgId":"{ORG_ID}","orgName":"acme","roles":["ORG_MEMBER"],"groupRoleAssignments":[],"teamIds":[],"username":"ada@example.com"}}]"#
    );
    let server = Server::start(vec![token_reply(), ok_json(&org_list), no_content(), response("200 OK", &[], b"")]);
    let client = client(&server);

    let list = client.list_org_invites(&ListOrgInvites::new(ORG_ID).unwrap()).await.unwrap();
    assert_eq!(list.value.len(), 1);
    assert_eq!(list.meta.exchanges, 2, "token fetch + call");
    let deleted = client.delete_org_invite(&DeleteOrgInvite::new(ORG_ID, INVITATION_ID).unwrap()).await.unwrap();
    assert_eq!(deleted.meta.exchanges, 1, "the cached token is reused");
    assert!(client.revoke_token().await.unwrap(), "a token was revoked");
    assert!(!client.revoke_token().await.unwrap(), "and forgotten");

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

#[tokio::test]
async fn revoke_refusal_is_an_error() {
    let server = Server::start(vec![token_reply(), ok_json("[]"), response("429 Too Many Requests", &[], b"")]);
    let client = client(&server);
    client.list_org_invites(&ListOrgInvites::new(ORG_ID).unwrap()).await.unwrap();
    let err = client.revoke_token().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429), "{err:?}");
    assert!(!matches!(err, Error::Transport(_)));
    assert_eq!(server.finish().len(), 3, "a revocation is not retried");
}

#[tokio::test]
async fn api_key_clients_have_nothing_to_revoke() {
    let client = builder("http://127.0.0.1:9").build().unwrap();
    assert!(!client.revoke_token().await.unwrap());
}
