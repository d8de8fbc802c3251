//! Settings only the async client has (the shared settings scenarios run in
//! tests/conformance.rs): proxies a `CONNECT` tunnel cannot use, `Send` call futures, calls
//! outside a Tokio runtime (on async-io), and the connection pool.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::{BuildError, Client, TransportErrorKind};
use atlas_admin_testing::canned::{Server, invitation_json, ok_json};
use atlas_admin_testing::transport_suite::block_on;
use atlas_admin_testing::transport_suite::faults::get_op;
use std::time::Duration;

const PRIVATE: &str = "b7f3e1d2-very-private-key";

#[test]
fn proxies_a_tunnel_cannot_use_are_refused_without_their_password() {
    // Beyond the `ftp://` proxy every transport refuses: an `https` proxy, and no scheme.
    for proxy in ["https://user:proxy-password@proxy:1", "proxy-password"] {
        let err = Client::builder().proxy(proxy).build().unwrap_err();
        assert!(matches!(err, BuildError::InvalidProxy(_)), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("proxy-password"));
    }
}

#[test]
fn call_futures_are_send_and_clients_build_outside_a_runtime() {
    use atlas_admin_hyper::ops::{CreateGroupInvite, ListOrgInvites};
    fn assert_send<T: Send>(_: &T) {}
    // No runtime here: building needs none, and an unpolled future does no IO.
    let client = Client::builder().api_key("abcdefgh", PRIVATE).build().unwrap();
    let list = ListOrgInvites::new("4888442a3354817a7320eb61").unwrap();
    assert_send(&client.execute(&list));
    assert_send(&client.execute(&list));
    let body =
        atlas_admin_hyper::GroupInvitationRequest::new("a@example.com", [atlas_admin_hyper::ProjectRole::GroupOwner]);
    let create = CreateGroupInvite::new("32b6e34b3d91647abb20e7b8", body.unwrap()).unwrap();
    assert_send(&client.execute(&create));
    assert_send(&client.revoke_token());
}

#[test]
fn pool_settings_show_in_debug() {
    let client = Client::builder().pool_idle_timeout(Duration::from_secs(5)).pool_max_idle_per_host(2).build().unwrap();
    let shown = format!("{client:?}");
    assert!(shown.contains("pool_idle_timeout: 5s"), "{shown}");
}

/// Outside a Tokio runtime, on an executor that is neither Tokio nor smol (a bare `block_on` on
/// a plain thread), calls run on async-io (this crate's tests enable the `smol` feature): with
/// and without a whole-call deadline, whose timer is async-io's too. (Built with the `tokio`
/// feature alone, the same calls fail with a typed `NoRuntime` before sending anything.)
#[test]
fn a_call_outside_a_tokio_runtime_runs_on_async_io_on_any_executor() {
    for deadline in [None, Some(Duration::from_secs(5))] {
        let server = Server::start(vec![ok_json(&invitation_json("ada@example.com"))]);
        let mut retry = atlas_admin_hyper::RetryPolicy::default();
        if let Some(deadline) = deadline {
            retry = retry.with_deadline(deadline);
        }
        let client = Client::builder().base_url(&server.base_url()).no_proxy().retry(retry).build().unwrap();
        let (got, revoked) = std::thread::spawn(move || {
            assert!(tokio::runtime::Handle::try_current().is_err());
            (block_on(client.execute(&get_op())), block_on(client.revoke_token()))
        })
        .join()
        .expect("no panic");
        assert_eq!(got.unwrap().meta.status, 200, "deadline {deadline:?}");
        assert!(matches!(revoked, Ok(false)), "nothing to revoke with no credentials: {revoked:?}");
        assert_eq!(server.finish().len(), 1);
    }
}

#[test]
fn a_call_waiting_for_another_calls_probe_outside_a_runtime_does_not_panic() {
    use std::io::Read as _;
    use std::sync::mpsc;
    // A server that takes the first call's Digest probe and never answers it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (probed, probe_arrived) = mpsc::channel();
    let (finished, test_done) = mpsc::channel::<()>();
    let server = std::thread::spawn(move || {
        let (mut socket, _) = listener.accept().unwrap();
        let _ = socket.read(&mut [0u8; 4096]);
        probed.send(()).unwrap();
        let _ = test_done.recv_timeout(Duration::from_secs(10));
    });
    let limit = Duration::from_secs(1);
    let client = Client::builder()
        .base_url(&url)
        .api_key("abcdefgh", PRIVATE)
        .retry(atlas_admin_hyper::RetryPolicy::none())
        .timeout(limit)
        .no_proxy()
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let leader = runtime.spawn({
        let client = client.clone();
        async move { client.execute(&get_op()).await }
    });
    probe_arrived.recv_timeout(Duration::from_secs(5)).expect("the first call probes");
    // The second call waits for that probe (sleeping without Tokio), then times out on the
    // server that never answers (a build without the `smol` feature cannot send: `NoRuntime`).
    let started = std::time::Instant::now();
    let err = std::thread::spawn(move || block_on(client.execute(&get_op())))
        .join()
        .expect("no panic while waiting outside a runtime")
        .unwrap_err();
    assert!(started.elapsed() >= limit / 2, "it waited for the probe: {:?}", started.elapsed());
    let kind = err.transport_error().map(|t| t.kind);
    assert!(matches!(kind, Some(TransportErrorKind::NoRuntime | TransportErrorKind::Timeout)), "{err:?}");
    let leader = runtime.block_on(leader).unwrap().unwrap_err();
    assert!(matches!(leader.transport_error(), Some(t) if t.kind == TransportErrorKind::Timeout), "{leader:?}");
    finished.send(()).unwrap();
    server.join().unwrap();
}
