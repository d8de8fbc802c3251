//! The shared suites of atlas-admin-testing over the async client on smol (feature `smol`): the
//! conformance suite against the fake Atlas and the transport scenarios against the canned
//! server, as tests/conformance.rs runs them on Tokio. Every call runs under `smol::block_on`
//! (clones on smol's executor) on threads with no Tokio runtime, and every poll of the call's
//! future checks that there is none: the client needs none and enters none. (The fake Atlas and
//! the canned server are other programs' stand-ins: they keep their own runtime threads.)
#![allow(clippy::expect_used, clippy::panic)]

use atlas_admin_hyper::core::Operation;
use atlas_admin_hyper::{Client, Error};
use atlas_admin_testing::transport_suite::{Connected, Outcome, SharedOp, Transport};
use std::future::Future;
use std::pin::pin;

/// Polls `call` to completion, asserting before it starts and at every poll that no Tokio
/// runtime is reachable from the polling thread.
async fn without_tokio<F: Future>(call: F) -> F::Output {
    let mut call = pin!(call);
    std::future::poll_fn(|cx| {
        assert!(tokio::runtime::Handle::try_current().is_err(), "a Tokio runtime is entered while polling the call");
        call.as_mut().poll(cx)
    })
    .await
}

/// Runs `call` on this thread with smol's `block_on`.
fn on_smol<F: Future>(call: F) -> F::Output {
    assert!(tokio::runtime::Handle::try_current().is_err(), "the test thread has no Tokio runtime");
    let output = smol::block_on(without_tokio(call));
    assert!(tokio::runtime::Handle::try_current().is_err(), "the call left no Tokio runtime entered");
    output
}

struct Smol;

impl Transport for Smol {
    const NAME: &'static str = "hyper-smol";
    atlas_admin_testing::transport_by_name!(atlas_admin_hyper);

    fn execute<O: Operation>(client: &Client, op: &O) -> Outcome<O> {
        on_smol(client.execute(op))
    }

    fn revoke_token(client: &Client) -> Result<bool, Error> {
        on_smol(client.revoke_token())
    }

    fn execute_on_clones<O: SharedOp>(client: &Client, op: &O, n: usize) -> Vec<Outcome<O>> {
        on_smol(async {
            let tasks: Vec<_> = (0..n)
                .map(|_| {
                    let (client, op) = (client.clone(), op.clone());
                    smol::spawn(without_tokio(async move { client.execute(&op).await }))
                })
                .collect();
            let mut results = Vec::with_capacity(n);
            for task in tasks {
                results.push(task.await);
            }
            results
        })
    }
}

// README: begin on smol
/// How many invitations a project has pending, from smol (or async-std, or any executor: with
/// the `smol` feature calls outside a Tokio runtime run on async-io and need no Tokio runtime).
fn pending_invitations(client: &atlas_admin_hyper::Client, group_id: &str) -> Result<usize, Error> {
    let op = atlas_admin_hyper::ops::ListGroupInvites::new(group_id)?;
    let invitations = smol::block_on(client.execute(&op))?;
    Ok(invitations.value.len())
}
// README: end

#[test]
fn the_readme_example_runs_on_smol() {
    let fake = atlas_admin_testing::fake::FakeAtlas::start_day_independent();
    let client = atlas_admin_testing::conformance::digest_client::<Connected<Smol>>(&fake).0;
    assert!(tokio::runtime::Handle::try_current().is_err());
    assert_eq!(pending_invitations(&client, fake.config().group_id.as_str()).expect("a list"), 0);
    let counters = fake.counters();
    assert_eq!((counters.requests, counters.challenges), (2, 1), "a Digest challenge, then the list");
}

atlas_admin_testing::conformance_suite!(Connected<Smol>);
atlas_admin_testing::transport_suite!(Smol);

/// A keep-alive server on loopback, until dropped: each connection gets up to `answers`
/// answers (an invitation, with `Content-Length`), then is closed (said on `closed`).
///
/// Its thread blocks in `accept`; dropping the server raises `stop` and connects once to wake it.
struct KeepAliveServer {
    url: String,
    addr: std::net::SocketAddr,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    closed: std::sync::mpsc::Receiver<()>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl KeepAliveServer {
    fn start(answers: usize) -> KeepAliveServer {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let url = format!("http://{addr}");
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (closed, closed_rx) = std::sync::mpsc::channel();
        let (counter, stopped) = (accepted.clone(), stop.clone());
        std::thread::spawn(move || {
            for socket in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(socket) = socket else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                let closed = closed.clone();
                std::thread::spawn(move || {
                    Self::serve(socket, answers);
                    let _ = closed.send(());
                });
            }
        });
        KeepAliveServer { url, addr, accepted, closed: closed_rx, stop }
    }

    /// Answers up to `answers` requests on `socket` (until the client closes it or 5 s pass).
    fn serve(mut socket: std::net::TcpStream, answers: usize) {
        use std::io::{Read as _, Write as _};
        socket.set_nonblocking(false).expect("blocking");
        socket.set_read_timeout(Some(std::time::Duration::from_secs(5))).expect("timeout");
        let body = atlas_admin_testing::canned::invitation_json("ada@example.com");
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.atlas.2023-01-01+json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        for _ in 0..answers {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                if socket.read(&mut byte).unwrap_or(0) == 0 {
                    return;
                }
                head.extend_from_slice(&byte);
            }
            if socket.write_all(reply.as_bytes()).is_err() {
                return;
            }
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for KeepAliveServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        // Wakes the blocked `accept`, which then sees `stop`.
        let _ = std::net::TcpStream::connect(self.addr);
    }
}

/// Connections are reused on smol as on Tokio: three calls, one connection; and a pooled
/// connection the server closed while it was idle is replaced, not used.
#[test]
fn keep_alive_connections_are_reused_and_closed_ones_replaced() {
    use atlas_admin_testing::transport_suite::faults::get_op;
    let server = KeepAliveServer::start(3);
    let client = Client::builder().base_url(&server.url).no_proxy().build().expect("a client");
    for _ in 0..3 {
        assert_eq!(on_smol(client.execute(&get_op())).expect("an answer").meta.status, 200);
    }
    assert_eq!(server.accepted(), 1, "three calls on one keep-alive connection");
    server.closed.recv_timeout(std::time::Duration::from_secs(5)).expect("the server closed the idle connection");
    assert_eq!(on_smol(client.execute(&get_op())).expect("an answer on a new connection").meta.status, 200);
    assert_eq!(server.accepted(), 2);
}

/// The pool settings hold on smol: with no idle connection kept per host, each call connects.
#[test]
fn pool_max_idle_per_host_zero_keeps_no_connection() {
    use atlas_admin_testing::transport_suite::faults::get_op;
    let server = KeepAliveServer::start(3);
    let client =
        Client::builder().base_url(&server.url).no_proxy().pool_max_idle_per_host(0).build().expect("a client");
    for _ in 0..3 {
        assert_eq!(on_smol(client.execute(&get_op())).expect("an answer").meta.status, 200);
    }
    assert_eq!(server.accepted(), 3, "one connection per call");
}

/// The connect timeout covers the TLS handshake on smol too: a server that accepts TCP and never
/// answers the ClientHello fails the call as `Connect` (nothing was sent) within the limit.
#[test]
fn a_tls_handshake_that_never_finishes_hits_the_connect_timeout() {
    use atlas_admin_hyper::TransportErrorKind;
    use atlas_admin_testing::transport_suite::faults::create_op;
    use std::time::Duration;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("https://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let client = Client::builder()
        .base_url(&url)
        .api_key("pubkey", "8e4f2a6c-secret-private-key")
        .retry(atlas_admin_hyper::RetryPolicy::none())
        .no_proxy()
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(5))
        .build()
        .expect("a client");
    let err = on_smol(client.execute(&create_op())).expect_err("no handshake");
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Connect), "{err:?}");
    assert!(err.to_string().contains("connect timed out"), "{err}");
    drop(listener);
}
