//! Transport failures are classified so the core retries only when it is safe.

use super::{Transport, canned_client};
use crate::canned::*;
use atlas_admin_core::ops::{CreateGroupInvite, GetGroupInvite, ListGroupInvites};
use atlas_admin_core::{Credentials, Error, GroupInvitationRequest, ProjectRole, RetryPolicy, TransportErrorKind};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The transport error kind of `error` (also after retries: the final error is itself).
pub fn transport_kind(error: &Error) -> Option<TransportErrorKind> {
    error.transport_error().map(|t| t.kind)
}

/// `GET` of [`INVITATION_ID`]: idempotent.
pub fn get_op() -> GetGroupInvite {
    GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap()
}

/// A create: not idempotent.
pub fn create_op() -> CreateGroupInvite {
    let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    CreateGroupInvite::new(GROUP_ID, body).unwrap()
}

/// A port nothing listens on: bind, read the port, drop the listener.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A refused connection is `Connect`, retried (even a create: nothing was sent) up to the
/// policy's limit; without retries the bare transport error comes back.
pub fn connection_refused_is_connect_and_retried_boundedly<T: Transport>() {
    let attempts = Arc::new(AtomicU32::new(0));
    let counter = attempts.clone();
    let client = canned_client::<T>(&format!("http://127.0.0.1:{}", closed_port()), |b| {
        b.on_exchange(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
    });
    let started = Instant::now();
    // Nothing was sent, so even a non-idempotent create is retried.
    let err = T::execute(&client, &create_op()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind, TransportErrorKind::Connect, "{t:?}");
            assert_eq!(t.attempts, 4, "the default policy's max_attempts");
            assert!(t.waited > Duration::ZERO, "it waited between attempts");
        }
        other => panic!("expected the transport error itself, got {other:?}"),
    }
    assert_eq!(transport_kind(&err), Some(TransportErrorKind::Connect));
    assert_eq!(attempts.load(Ordering::SeqCst), 4);

    // Without retries the bare transport error comes back.
    let url = format!("http://127.0.0.1:{}", closed_port());
    let client = canned_client::<T>(&url, |b| b.retry(RetryPolicy::none()));
    let err = T::execute(&client, &get_op()).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Connect), "{err:?}");
    assert!(err.is_retryable());
}

/// A body longer than the cap (known from `Content-Length`) is `BodyTooLarge`, not retried.
pub fn body_over_the_cap_is_body_too_large_with_content_length<T: Transport>() {
    let big = format!("[{}]", vec![invitation_json("ada@example.com"); 20].join(","));
    assert!(big.len() > 2048);
    let server = Server::start(vec![ok_json(&big)]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None).max_response_bytes(2048));
    let err = T::execute(&client, &ListGroupInvites::new(GROUP_ID).unwrap()).unwrap_err();
    assert_eq!(transport_kind(&err), Some(TransportErrorKind::BodyTooLarge), "{err:?}");
    assert!(matches!(err, Error::Transport(_)), "not retried: {err:?}");
    assert_eq!(server.finish().len(), 1);
}

/// A chunked body (no `Content-Length`) is capped while it is read.
pub fn chunked_body_over_the_cap_is_body_too_large<T: Transport>() {
    // No Content-Length: the cap is enforced while reading.
    let mut raw =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    for _ in 0..4 {
        raw.extend_from_slice(format!("400\r\n{}\r\n", " ".repeat(0x400)).as_bytes());
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let server = Server::start(vec![Reply::Raw(raw)]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None).max_response_bytes(3000));
    let err = T::execute(&client, &ListGroupInvites::new(GROUP_ID).unwrap()).unwrap_err();
    assert_eq!(transport_kind(&err), Some(TransportErrorKind::BodyTooLarge), "{err:?}");
    assert_eq!(server.finish().len(), 1);
}

/// A 200 whose head carries `count` extra headers (`X-Pad-<n>: <n>`), then an empty list.
fn many_headers(count: usize) -> Reply {
    let mut head = String::from("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
    for n in 0..count {
        head.push_str(&format!("X-Pad-{n}: {n}\r\n"));
    }
    head.push_str("Content-Length: 2\r\nConnection: close\r\n\r\n[]");
    Reply::Raw(head.into_bytes())
}

/// A response head larger than the transport accepts (one 600 KB header) is `HeadersTooLarge`,
/// not `BodyTooLarge` (the body cap is not what was exceeded), and it is not retried, even
/// for an idempotent `GET`: the same server would send the same head again.
pub fn oversized_response_head_is_headers_too_large<T: Transport>() {
    let huge = "x".repeat(600 * 1024);
    let reply = || response("200 OK", &[("Content-Type", "application/json"), ("X-Padding", &huge)], b"[]");
    let server = Server::start(vec![reply(), reply()]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None));
    let err = T::execute(&client, &ListGroupInvites::new(GROUP_ID).unwrap()).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::HeadersTooLarge), "{err:?}");
    assert!(!err.is_retryable(), "{err:?}");
    assert_eq!(server.finish().len(), 1, "not retried");
}

/// 5,000 response headers: every transport gives the same verdict, `HeadersTooLarge`, and
/// neither a `GET` nor a create is sent again.
pub fn thousands_of_headers_are_headers_too_large_and_not_retried<T: Transport>() {
    let server = Server::start(vec![many_headers(5000), many_headers(5000)]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None));
    let err = T::execute(&client, &get_op()).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::HeadersTooLarge), "{err:?}");
    assert_eq!(server.finish().len(), 1, "a GET is not retried");

    let server = Server::start(vec![many_headers(5000), many_headers(5000)]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None));
    let err = T::execute(&client, &create_op()).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::HeadersTooLarge), "{err:?}");
    assert_eq!(server.finish().len(), 1, "a create is not retried");

    // A head within the limits every transport shares (here 123 headers) is an ordinary answer.
    let server = Server::start(vec![many_headers(120)]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None));
    let ok = T::execute(&client, &ListGroupInvites::new(GROUP_ID).unwrap()).expect("123 headers are fine");
    assert!(ok.value.is_empty());
    assert_eq!(server.finish().len(), 1);
}

/// Headers promise 500 bytes; the server sends 10 and closes.
fn truncated() -> Reply {
    Reply::Raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.atlas.2023-01-01+json\r\nContent-Length: 500\r\n\r\n{\"id\":\"6a"
            .to_vec(),
    )
}

/// A close mid-response is `Io`, and a create that may have been applied is not sent again.
pub fn close_mid_response_is_io_and_a_create_is_not_retried<T: Transport>() {
    let server = Server::start(vec![truncated(), truncated()]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None));
    let err = T::execute(&client, &create_op()).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Io), "{err:?}");
    let requests = server.finish();
    assert_eq!(requests.len(), 1, "a create that may have been applied is never sent twice");
    assert_eq!(requests[0].method, "POST");
}

/// A close mid-response on a `GET` is retried.
pub fn close_mid_response_on_an_idempotent_get_is_retried<T: Transport>() {
    let server = Server::start(vec![truncated(), ok_json(&invitation_json("ada@example.com"))]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None));
    let ok = T::execute(&client, &get_op()).unwrap();
    assert_eq!(ok.meta.exchanges, 2);
    assert_eq!(server.finish().len(), 2);
}

/// A close before any response byte is `Io`: the request was sent.
pub fn close_before_any_response_is_io<T: Transport>() {
    // The server reads the request and closes without a byte: the request was sent.
    let server = Server::start(vec![Reply::Raw(Vec::new())]);
    let client =
        canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None).retry(RetryPolicy::none()));
    let err = T::execute(&client, &create_op()).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Io), "{err:?}");
    assert_eq!(server.finish().len(), 1);
}

/// A 302 is an answer: its `Location` is not visited.
pub fn redirect_is_not_followed<T: Transport>() {
    let elsewhere = Server::start(vec![ok_json(&invitation_json("ada@example.com"))]);
    let server = Server::start(vec![response(
        "302 Found",
        &[("Location", &format!("{}/api/atlas/v2/groups/{GROUP_ID}/invites/{INVITATION_ID}", elsewhere.base_url()))],
        b"",
    )]);
    let client = canned_client::<T>(&server.base_url(), |b| b);
    let err = T::execute(&client, &get_op()).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302), "{err:?}");
    assert!(matches!(err, Error::Decode(_) | Error::Api(_)), "{err:?}");
    assert_eq!(server.finish().len(), 1);
    assert_eq!(elsewhere.finish().len(), 0, "the Location was not visited");
}

/// A server that never answers hits the exchange timeout, on time.
pub fn slow_server_hits_the_exchange_timeout<T: Transport>() {
    let server = Server::start(vec![Reply::Hang]);
    let client = canned_client::<T>(&server.base_url(), |b| {
        b.credentials(Credentials::None).retry(RetryPolicy::none()).timeout(Duration::from_millis(300))
    });
    let started = Instant::now();
    let err = T::execute(&client, &get_op()).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Timeout), "{err:?}");
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(3), "{took:?}");
    assert_eq!(server.finish().len(), 1);
}

/// The whole-call deadline bounds the exchange in flight too: a 300 ms deadline ends a call
/// to a silent server on time although the exchange timeout is 10 s.
pub fn the_call_deadline_bounds_the_exchange_in_flight<T: Transport>() {
    let server = Server::start(vec![Reply::Hang]);
    let client = canned_client::<T>(&server.base_url(), |b| {
        b.credentials(Credentials::None)
            .retry(RetryPolicy::default().with_deadline(Duration::from_millis(300)))
            .timeout(Duration::from_secs(10))
    });
    let started = Instant::now();
    let err = T::execute(&client, &get_op()).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Timeout), "{err:?}");
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(3), "{took:?}");
    assert_eq!(server.finish().len(), 1, "no retry past the deadline");
}

/// A 404 is a typed API error, not a transport error.
pub fn http_errors_are_answers_not_transport_errors<T: Transport>() {
    let body = r#"{"detail":"Invitation 6a79c2d4e8f01b3a5c7d9e1f not found.","error":404,"errorCode":"RESOURCE_NOT_FOUND","parameters":[],"reason":"Not Found"}"#;
    let server = Server::start(vec![response(
        "404 Not Found",
        &[("Content-Type", "application/json"), ("X-Error-Code", "RESOURCE_NOT_FOUND")],
        body.as_bytes(),
    )]);
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None));
    let err = T::execute(&client, &get_op()).unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.error_code(), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(server.finish().len(), 1);
}

/// A plain-`http` (loopback) base URL never goes through a proxy, so credentials never cross
/// one unencrypted: here the configured proxy is a dead port, and the call still succeeds.
pub fn plain_http_never_goes_through_a_proxy<T: Transport>() {
    let server = Server::start(vec![ok_json(&invitation_json("ada@example.com"))]);
    let dead_proxy = format!("http://127.0.0.1:{}", closed_port());
    let client = canned_client::<T>(&server.base_url(), |b| b.credentials(Credentials::None).proxy(&dead_proxy));
    T::execute(&client, &get_op()).expect("direct, not through the dead proxy");
    assert_eq!(server.finish().len(), 1);
}
