//! HTTPS through an HTTP proxy's `CONNECT` tunnel (hyper only: ureq tunnels inside ureq), to
//! the canned server of atlas-admin-testing over TLS with the test CA, with the client on Tokio
//! and on smol (the proxy runs on its own Tokio runtime's thread).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::ops::{CreateGroupInvite, GetGroupInvite};
use atlas_admin_hyper::{
    ClientBuilder, Credentials, Error, GroupInvitationRequest, ProjectRole, RetryPolicy, TransportErrorKind,
};
use atlas_admin_testing::canned::*;
use atlas_admin_testing::fixtures::tls::CA_PEM;
use std::sync::Arc;

/// A client of the canned server at `base_url`, as in the shared transport scenarios.
fn builder(base_url: &str) -> ClientBuilder {
    atlas_admin_hyper::Client::builder()
        .base_url(base_url)
        .api_key(PUBLIC_KEY, PRIVATE_KEY)
        .retry(fast_retry())
        .no_proxy()
        .seed(7)
}

/// An HTTP proxy on loopback that answers `CONNECT` with `status` and, on 200, relays bytes to
/// the requested host:port. Records every request head it receives.
struct ConnectProxy {
    addr: std::net::SocketAddr,
    heads: Arc<std::sync::Mutex<Vec<String>>>,
    /// Runs the proxy on its own thread; dropping it stops the proxy.
    _runtime: tokio::runtime::Runtime,
}

impl ConnectProxy {
    fn start(status: &'static str) -> ConnectProxy {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let heads: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let record = heads.clone();
        runtime.spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let record = record.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                        if inbound.read(&mut byte).await.unwrap_or(0) == 0 {
                            return;
                        }
                        head.push(byte[0]);
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    record.lock().unwrap().push(head.clone());
                    if !status.starts_with("200") {
                        let reply = format!(
                            "HTTP/1.1 {status}\r\nProxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 0\r\n\r\n"
                        );
                        let _ = inbound.write_all(reply.as_bytes()).await;
                        return;
                    }
                    let target = head.split_whitespace().nth(1).unwrap().to_owned();
                    let mut outbound = tokio::net::TcpStream::connect(target).await.unwrap();
                    inbound.write_all(format!("HTTP/1.1 {status}\r\n\r\n").as_bytes()).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                });
            }
        });
        ConnectProxy { addr, heads, _runtime: runtime }
    }

    fn url(&self) -> String {
        format!("http://proxy-user:proxy-pass@{}", self.addr)
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// The runtime the client under test runs on.
#[derive(Clone, Copy)]
enum On {
    Tokio,
    Smol,
}

impl On {
    fn run<F: std::future::Future>(self, call: F) -> F::Output {
        match self {
            On::Tokio => tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(call),
            On::Smol => smol::block_on(call),
        }
    }
}

/// One `#[test]` per runtime for each scenario.
macro_rules! on_each_runtime {
    ($($scenario:ident),*) => {
        mod tokio_client {
            $(#[test] fn $scenario() { super::$scenario(super::On::Tokio) })*
        }
        mod smol_client {
            $(#[test] fn $scenario() { super::$scenario(super::On::Smol) })*
        }
    };
}

on_each_runtime!(
    https_goes_through_the_proxy_in_a_connect_tunnel,
    a_proxy_refusing_the_tunnel_is_connect_and_nothing_is_sent,
    plain_http_base_urls_connect_directly
);

fn https_goes_through_the_proxy_in_a_connect_tunnel(on: On) {
    let server = Server::start_with(vec![ok_json(&invitation_json("ada@example.com"))], Tls::new());
    let proxy = ConnectProxy::start("200 Connection established");
    let client = builder(&server.https_url()).ca_pem(CA_PEM).proxy(&proxy.url()).build().unwrap();
    let ok = on.run(client.execute(&GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap())).unwrap();
    assert_eq!(ok.value.username.as_deref(), Some("ada@example.com"));
    let port = server.addr.port();
    let requests = server.finish();
    assert_eq!(requests.len(), 1, "TLS end to end through the tunnel");
    assert_eq!(requests[0].target, format!("/api/atlas/v2/groups/{GROUP_ID}/invites/{INVITATION_ID}"));
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(heads[0].starts_with(&format!("CONNECT 127.0.0.1:{port} HTTP/1.1\r\n")), "{heads:?}");
    // base64("proxy-user:proxy-pass")
    assert!(heads[0].contains("Proxy-Authorization: Basic cHJveHktdXNlcjpwcm94eS1wYXNz\r\n"), "{heads:?}");
}

fn a_proxy_refusing_the_tunnel_is_connect_and_nothing_is_sent(on: On) {
    let server = Server::start_with(vec![ok_json("{}")], Tls::new());
    let proxy = ConnectProxy::start("407 Proxy Authentication Required");
    let client = builder(&server.https_url())
        .ca_pem(CA_PEM)
        .proxy(&proxy.url())
        .credentials(Credentials::None)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    let err = on.run(client.execute(&CreateGroupInvite::new(GROUP_ID, body).unwrap())).unwrap_err();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Connect), "{err:?}");
    assert!(err.to_string().contains("proxy authorization required"), "{err}");
    assert!(!format!("{err} {err:?}").contains("proxy-pass"), "{err:?}");
    assert_eq!(proxy.heads().len(), 1);
    assert_eq!(server.finish().len(), 0, "nothing reached the server");
}

fn plain_http_base_urls_connect_directly(on: On) {
    let server = Server::start(vec![ok_json(&invitation_json("ada@example.com"))]);
    let proxy = ConnectProxy::start("200 Connection established");
    let client = builder(&server.base_url()).proxy(&proxy.url()).build().unwrap();
    on.run(client.execute(&GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap())).unwrap();
    assert_eq!(server.finish().len(), 1);
    assert!(proxy.heads().is_empty());
}
