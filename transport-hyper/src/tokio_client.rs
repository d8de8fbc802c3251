//! The client on Tokio (feature `tokio`): hyper-util's pooled legacy client over Tokio's
//! sockets, executor and timer, with rustls through hyper-rustls.

use crate::proxy::ProxyConnector;
use crate::runtime::{ConnectTimedOut, Pool};
use atlas_admin_core::transport::{MAX_RESPONSE_HEAD_BYTES, MAX_RESPONSE_HEADERS};
use bytes::Bytes;
use http::Uri;
use http_body_util::Full;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The pooled HTTP/1.1 client over Tokio's TCP and rustls.
pub(crate) type HttpClient = Client<Connector, Full<Bytes>>;

/// DNS + TCP (+ proxy tunnel) + TLS, the whole of it under the connect timeout.
pub(crate) type Connector = ConnectTimeout<HttpsConnector<ProxyConnector<HttpConnector>>>;

/// hyper-util's pooled legacy client: keep-alive connections shared by every call of one
/// [`Client`](crate::Client), plain `http` or `https` (rustls with `tls`, through a `CONNECT`
/// tunnel where `proxy` says so), HTTP/1.1 only. It never follows redirects and adds no
/// headers but `Host` (and `Content-Length`).
pub(crate) fn http_client(
    tls: rustls::ClientConfig,
    proxy: Option<Arc<Matcher>>,
    connect_timeout: Duration,
    pool: Pool,
) -> HttpClient {
    let mut tcp = HttpConnector::new();
    // The TLS layer on top decides about the scheme; `https` URIs must reach it.
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    let https = HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .wrap_connector(ProxyConnector::new(tcp, proxy));
    Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(pool.idle_timeout)
        .pool_max_idle_per_host(pool.max_idle_per_host)
        // The same response-head limits as every transport (ureq's 128 headers, 64 KiB).
        .http1_max_headers(MAX_RESPONSE_HEADERS)
        .http1_max_buf_size(MAX_RESPONSE_HEAD_BYTES)
        .build(ConnectTimeout { inner: https, limit: connect_timeout })
}

/// A connector that gives up after `limit`: name resolution, TCP connect, proxy tunnel and
/// TLS handshake together (hyper-util's own `set_connect_timeout` covers only the TCP part).
/// Running out is a connect error, so the core knows nothing was sent.
#[derive(Clone, Debug)]
pub(crate) struct ConnectTimeout<C> {
    inner: C,
    limit: Duration,
}

impl<C> Service<Uri> for ConnectTimeout<C>
where
    C: Service<Uri>,
    C::Response: Send + 'static,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.inner.call(dst);
        let limit = self.limit;
        Box::pin(async move {
            match tokio::time::timeout(limit, connecting).await {
                Ok(connected) => connected.map_err(Into::into),
                Err(_) => Err(Box::new(ConnectTimedOut(limit)) as BoxError),
            }
        })
    }
}
