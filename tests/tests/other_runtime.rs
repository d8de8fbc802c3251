//! The core's async driver on another executor: the `futures` crate's (no Tokio in this code),
//! against the fake Atlas. `send_over_tcp` is a test-only illustration of the driver's `send`
//! contract: a blocking socket inside async code, with no TLS, timeouts or body cap, is not a
//! transport to ship (the README's "Another async runtime" says what to use instead).

use atlas_admin_core::ops::ListGroupInvites;
use atlas_admin_core::{Config, Credentials, Now, Outgoing, Purpose, Session, driver};
use atlas_admin_core::{TransportError, TransportErrorKind};
use atlas_admin_testing::fake::FakeAtlas;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

/// One HTTP/1.1 exchange on a new connection (test only: a real transport adds TLS, pooling,
/// timeouts and a body cap, and uses its runtime's non-blocking socket).
async fn send_over_tcp(out: Outgoing) -> Result<http::Response<Vec<u8>>, TransportError> {
    let fail = |kind| move |e: std::io::Error| TransportError::new(kind, e.to_string());
    let (head, body) = out.request.into_parts();
    let host = head.uri.authority().map_or("", |a| a.as_str());
    let mut tcp = TcpStream::connect(host).map_err(fail(TransportErrorKind::Connect))?;
    let target = head.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut text = format!("{} {target} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n", head.method);
    for (name, value) in &head.headers {
        text += &format!("{name}: {}\r\n", value.to_str().unwrap_or_default());
    }
    text += &format!("content-length: {}\r\n\r\n", body.len());
    let mut raw = Vec::new();
    tcp.write_all(text.as_bytes()).and_then(|()| tcp.write_all(&body)).map_err(fail(TransportErrorKind::Io))?;
    tcp.read_to_end(&mut raw).map_err(fail(TransportErrorKind::Io))?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut headers);
    let bad = |e: String| TransportError::new(TransportErrorKind::Io, e);
    let Ok(httparse::Status::Complete(len)) = parsed.parse(&raw) else { return Err(bad("bad response".into())) };
    let mut response = http::Response::builder().status(parsed.code.unwrap_or(500));
    for h in parsed.headers.iter() {
        response = response.header(h.name, h.value);
    }
    response.body(raw.split_off(len)).map_err(|e| bad(e.to_string()))
}

fn now() -> Now {
    Now::new(Instant::now(), SystemTime::now())
}

#[test]
fn the_async_driver_runs_on_the_futures_executor_over_a_plain_socket() {
    let fake = FakeAtlas::start_day_independent();
    let config = Config::default().with_base_url(&fake.base_url()).unwrap();
    let keys = Credentials::api_key(fake.config().public_key.clone(), fake.config().private_key.clone()).unwrap();
    let session = Session::new(config, keys, 7).unwrap();
    let op = ListGroupInvites::new(fake.config().group_id.as_str()).unwrap();
    let seen: Arc<Mutex<Vec<Purpose>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let observer: atlas_admin_core::Observer =
        Arc::new(move |e: &atlas_admin_core::Exchange| sink.lock().unwrap().extend(e.purpose));
    for _ in 0..3 {
        let sleep = |d| async move { std::thread::sleep(d) };
        let call = driver::run(&session, &op, now, send_over_tcp, sleep, Some(&observer));
        let listed = futures_executor::block_on(call).unwrap();
        assert_eq!(listed.meta.status, 200);
    }
    // Three Digest calls, four requests: one challenge, then preemptive signing.
    let counters = fake.counters();
    assert_eq!((counters.requests, counters.challenges), (4, 1));
    let purposes = seen.lock().unwrap().clone();
    assert_eq!(purposes.first(), Some(&Purpose::DigestProbe { attempt: 1 }));
    assert_eq!(purposes.len(), 4);
}
