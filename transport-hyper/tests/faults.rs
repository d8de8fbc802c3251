//! Transport failures are classified so the core retries only when it is safe.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use atlas_admin_hyper::ops::{CreateGroupInvite, GetGroupInvite, ListGroupInvites};
use atlas_admin_hyper::{Error, GroupInvitationRequest, ProjectRole, RetryPolicy, TransportErrorKind};
use common::*;
use std::net::TcpListener;
use std::time::{Duration, Instant};

fn transport_kind(error: &Error) -> Option<TransportErrorKind> {
    match error {
        Error::Transport(t) => Some(t.kind),
        Error::RetriesExhausted { last, .. } => transport_kind(last),
        _ => None,
    }
}

fn get_op() -> GetGroupInvite {
    GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap()
}

fn create_op() -> CreateGroupInvite {
    let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    CreateGroupInvite::new(GROUP_ID, body).unwrap()
}

/// A port nothing listens on: bind, read the port, drop the listener.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn connection_refused_is_connect_and_retried_boundedly() {
    let attempts = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counter = attempts.clone();
    let client = builder(&format!("http://127.0.0.1:{}", closed_port()))
        .on_exchange(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        })
        .build()
        .unwrap();
    let started = Instant::now();
    // Nothing was sent, so even a non-idempotent create is retried.
    let err = client.create_group_invite(&create_op()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    match &err {
        Error::RetriesExhausted { attempts, last, .. } => {
            assert_eq!(*attempts, 4, "the default policy's max_attempts");
            assert!(matches!(&**last, Error::Transport(t) if t.kind == TransportErrorKind::Connect), "{last:?}");
        }
        other => panic!("expected retries exhausted, got {other:?}"),
    }
    assert_eq!(transport_kind(&err), Some(TransportErrorKind::Connect));
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 4);

    // Without retries the bare transport error comes back.
    let client = builder(&format!("http://127.0.0.1:{}", closed_port())).retry(RetryPolicy::none()).build().unwrap();
    let err = client.get_group_invite(&get_op()).await.unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Connect), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn body_over_the_cap_is_body_too_large_with_content_length() {
    let big = format!("[{}]", vec![invitation_json("ada@example.com"); 20].join(","));
    assert!(big.len() > 2048);
    let server = Server::start(vec![ok_json(&big)]);
    let client = builder(&server.base_url()).credentials(atlas_admin_hyper::Credentials::None).max_response_bytes(2048);
    let err = client.build().unwrap().list_group_invites(&ListGroupInvites::new(GROUP_ID).unwrap()).await.unwrap_err();
    assert_eq!(transport_kind(&err), Some(TransportErrorKind::BodyTooLarge), "{err:?}");
    assert!(matches!(err, Error::Transport(_)), "not retried: {err:?}");
    assert_eq!(server.finish().len(), 1);
}

#[tokio::test]
async fn chunked_body_over_the_cap_is_body_too_large() {
    // No Content-Length: the cap is enforced while reading.
    let mut raw =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..4 {
        raw.extend_from_slice(format!("400\r\n{}\r\n", " ".repeat(0x400)).as_bytes());
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let server = Server::start(vec![Reply::Raw(raw)]);
    let client = builder(&server.base_url())
        .credentials(atlas_admin_hyper::Credentials::None)
        .max_response_bytes(3000)
        .build()
        .unwrap();
    let err = client.list_group_invites(&ListGroupInvites::new(GROUP_ID).unwrap()).await.unwrap_err();
    assert_eq!(transport_kind(&err), Some(TransportErrorKind::BodyTooLarge), "{err:?}");
    assert_eq!(server.finish().len(), 1);
}

/// Headers promise 500 bytes; the server sends 10 and closes.
fn truncated() -> Reply {
    Reply::Raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.atlas.2023-01-01+json\r\nContent-Length: 500\r\n\r\n{\"id\":\"6a"
            .to_vec(),
    )
}

#[tokio::test]
async fn close_mid_response_is_io_and_a_create_is_not_retried() {
    let server = Server::start(vec![truncated(), truncated()]);
    let client = builder(&server.base_url()).credentials(atlas_admin_hyper::Credentials::None).build().unwrap();
    let err = client.create_group_invite(&create_op()).await.unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Io), "{err:?}");
    let requests = server.finish();
    assert_eq!(requests.len(), 1, "a create that may have been applied is never sent twice");
    assert_eq!(requests[0].method, "POST");
}

#[tokio::test]
async fn close_mid_response_on_an_idempotent_get_is_retried() {
    let server = Server::start(vec![truncated(), ok_json(&invitation_json("ada@example.com"))]);
    let client = builder(&server.base_url()).credentials(atlas_admin_hyper::Credentials::None).build().unwrap();
    let ok = client.get_group_invite(&get_op()).await.unwrap();
    assert_eq!(ok.meta.exchanges, 2);
    assert_eq!(server.finish().len(), 2);
}

#[tokio::test]
async fn close_before_any_response_is_io() {
    // The server reads the request and closes without a byte: the request was sent.
    let server = Server::start(vec![Reply::Raw(Vec::new())]);
    let client = builder(&server.base_url())
        .credentials(atlas_admin_hyper::Credentials::None)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.create_group_invite(&create_op()).await.unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Io), "{err:?}");
    assert_eq!(server.finish().len(), 1);
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let elsewhere = Server::start(vec![ok_json(&invitation_json("ada@example.com"))]);
    let server = Server::start(vec![response(
        "302 Found",
        &[("Location", &format!("{}/api/atlas/v2/groups/{GROUP_ID}/invites/{INVITATION_ID}", elsewhere.base_url()))],
        b"",
    )]);
    let client = builder(&server.base_url()).build().unwrap();
    let err = client.get_group_invite(&get_op()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err:?}");
    assert!(matches!(err, Error::Decode(_) | Error::Api(_)), "{err:?}");
    assert_eq!(server.finish().len(), 1);
    assert_eq!(elsewhere.finish().len(), 0, "the Location was not visited");
}

#[tokio::test]
async fn slow_server_hits_the_exchange_timeout() {
    let server = Server::start(vec![Reply::Hang]);
    let client = builder(&server.base_url())
        .credentials(atlas_admin_hyper::Credentials::None)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get_group_invite(&get_op()).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Timeout), "{err:?}");
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(3), "{took:?}");
    assert_eq!(server.finish().len(), 1);
}

#[tokio::test]
async fn http_errors_are_answers_not_transport_errors() {
    let body = r#"{"detail":"Invitation 6a79c2d4e8f01b3a5c7d9e1f not found.","error":404,"errorCode":"RESOURCE_NOT_FOUND","parameters":[],"reason":"Not Found"}"#;
    let server = Server::start(vec![response(
        "404 Not Found",
        &[("Content-Type", "application/json"), ("X-Error-Code", "RESOURCE_NOT_FOUND")],
        body.as_bytes(),
    )]);
    let client = builder(&server.base_url()).credentials(atlas_admin_hyper::Credentials::None).build().unwrap();
    let err = client.get_group_invite(&get_op()).await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.error_code(), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(server.finish().len(), 1);
}

#[tokio::test]
async fn oversized_response_head_is_body_too_large() {
    let huge = "x".repeat(600 * 1024);
    let server = Server::start(vec![response("200 OK", &[("X-Padding", &huge)], b"[]")]);
    let client = builder(&server.base_url())
        .credentials(atlas_admin_hyper::Credentials::None)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.list_group_invites(&ListGroupInvites::new(GROUP_ID).unwrap()).await.unwrap_err();
    assert_eq!(transport_kind(&err), Some(TransportErrorKind::BodyTooLarge), "{err:?}");
    drop(server);
}

#[tokio::test]
async fn tls_handshake_that_never_finishes_hits_the_connect_timeout() {
    // The kernel completes the TCP handshake from the backlog; nobody ever answers the
    // ClientHello. The connect timeout covers TLS too, and running out proves nothing was sent.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let client = builder(&url)
        .retry(RetryPolicy::none())
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.create_group_invite(&create_op()).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Connect), "{err:?}");
    assert!(err.to_string().contains("connect timed out"), "{err}");
    assert!(took >= Duration::from_millis(150) && took < Duration::from_secs(3), "{took:?}");
    drop(listener);
}

#[tokio::test]
async fn a_body_that_stalls_hits_the_exchange_timeout() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    // The head and half the body arrive at once; the rest never does.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = socket.read(&mut buf).await.unwrap();
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.atlas.2023-01-01+json\r\nContent-Length: 500\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(b"{\"id\":\"6a").await.unwrap();
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let client = builder(&url)
        .credentials(atlas_admin_hyper::Credentials::None)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.get_group_invite(&get_op()).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Timeout), "{err:?}");
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(3), "{took:?}");
    server.abort();
}
