//! Faults only the async transport has its own code for (the shared ones, the oversized
//! response head among them, run in tests/conformance.rs): a TLS handshake that never
//! finishes, and a body that stalls under the exchange timeout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::{Client, ClientBuilder, Error, RetryPolicy, TransportErrorKind};
use atlas_admin_testing::canned::*;
use atlas_admin_testing::transport_suite::faults::{create_op, get_op};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// A client of `base_url` with no credentials, no retries and no proxy.
fn direct(base_url: &str) -> ClientBuilder {
    Client::builder().base_url(base_url).retry(RetryPolicy::none()).no_proxy()
}

#[tokio::test]
async fn tls_handshake_that_never_finishes_hits_the_connect_timeout() {
    // The kernel completes the TCP handshake from the backlog; nobody ever answers the
    // ClientHello. The connect timeout covers TLS too, and running out proves nothing was sent.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let client = direct(&url)
        .api_key(PUBLIC_KEY, PRIVATE_KEY)
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.execute(&create_op()).await.unwrap_err();
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
    let client = direct(&url).timeout(Duration::from_millis(300)).build().unwrap();
    let started = Instant::now();
    let err = client.execute(&get_op()).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(&err, Error::Transport(t) if t.kind == TransportErrorKind::Timeout), "{err:?}");
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(3), "{took:?}");
    server.abort();
}
