//! Everything that ties this crate to Tokio, in one place.
//!
//! The driver needs three things from an async runtime: a way to **sleep** (when the core
//! says [`Step::Wait`](atlas_admin_core::Step::Wait)), a way to put a **time limit** on a
//! future (hyper has no timeouts of its own), and, for hyper-util's pooled client, a
//! **connector, executor and timer** (TCP sockets, a task spawner for connection tasks, and
//! the pool's idle timer). To drive the core from another runtime, replace this module: the
//! rest of the crate (the driver loop, the body cap, the error mapping, and the proxy tunnel
//! and TLS layers, which wrap any connector) only calls [`present`], [`sleep`], [`timeout`]
//! and [`http_client`].
//!
//! Outside a Tokio runtime nothing here panics: [`present`] lets the transport refuse an
//! exchange with [`NoRuntime`](atlas_admin_core::TransportErrorKind::NoRuntime), and [`sleep`]
//! falls back to a timer thread. (A runtime built without its IO or time driver still panics
//! inside Tokio: Tokio offers no way to ask whether they are enabled.)

use crate::proxy::ProxyConnector;
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
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Whether a Tokio runtime is running on this thread (hyper-util's pool, the connector and
/// the time limits need one).
pub(crate) fn present() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

/// Sleeps for `duration` (a retry or token wait the core asked for). Outside a Tokio runtime
/// (a call that waits for another call's auth before its first exchange fails) it sleeps on
/// a helper thread instead of panicking.
pub(crate) async fn sleep(duration: Duration) {
    if present() {
        tokio::time::sleep(duration).await;
    } else {
        ThreadSleep::start(duration).await;
    }
}

/// Whether the helper thread is done sleeping, and the task to wake when it is.
type Alarm = Arc<Mutex<(bool, Option<Waker>)>>;

/// A runtime-free sleep: a thread sleeps, then wakes the task.
struct ThreadSleep(Option<Alarm>);

impl ThreadSleep {
    fn start(duration: Duration) -> ThreadSleep {
        let shared: Alarm = Arc::new(Mutex::new((false, None)));
        let theirs = shared.clone();
        let spawned = std::thread::Builder::new().name("atlas-admin-sleep".into()).spawn(move || {
            std::thread::sleep(duration);
            let mut state = theirs.lock().unwrap_or_else(PoisonError::into_inner);
            state.0 = true;
            if let Some(waker) = state.1.take() {
                waker.wake();
            }
        });
        // No thread to be had: do not wait at all rather than forever.
        ThreadSleep(spawned.ok().map(|_| shared))
    }
}

impl Future for ThreadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(shared) = &self.0 else { return Poll::Ready(()) };
        let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
        if state.0 {
            return Poll::Ready(());
        }
        state.1 = Some(cx.waker().clone());
        Poll::Pending
    }
}

/// Runs `future` for at most `limit`: `None` if the time ran out (the future is dropped,
/// which closes its connection).
pub(crate) async fn timeout<F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    tokio::time::timeout(limit, future).await.ok()
}

/// The pooled HTTP/1.1 client over TCP (Tokio) and TLS (rustls).
pub(crate) type HttpClient = Client<Connector, Full<Bytes>>;

/// DNS + TCP (+ proxy tunnel) + TLS, the whole of it under the connect timeout.
pub(crate) type Connector = ConnectTimeout<HttpsConnector<ProxyConnector<HttpConnector>>>;

/// Connection pool settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pool {
    pub(crate) idle_timeout: Duration,
    pub(crate) max_idle_per_host: usize,
}

/// hyper-util's pooled legacy client: keep-alive connections shared by every call of one
/// [`Client`](crate::Client), plain `http` or `https` (rustls with `tls`, through a `CONNECT`
/// tunnel where `proxy` says so), HTTP/1.1 only. It never follows redirects and adds no
/// headers but `Host` (and `Content-Length`).
pub(crate) fn http_client(
    tls: rustls::ClientConfig,
    proxy: Option<Matcher>,
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

/// The connect timeout ran out.
#[derive(Debug, thiserror::Error)]
#[error("connect timed out after {0:?}")]
pub(crate) struct ConnectTimedOut(pub(crate) Duration);

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_testing::transport_suite::block_on;
    use std::time::Instant;

    #[test]
    fn sleep_outside_a_runtime_waits_without_panicking() {
        assert!(!present());
        let started = Instant::now();
        block_on(sleep(Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[tokio::test]
    async fn inside_a_runtime_tokio_sleeps() {
        assert!(present());
        let started = Instant::now();
        sleep(Duration::from_millis(10)).await;
        assert!(started.elapsed() >= Duration::from_millis(10));
    }
}
