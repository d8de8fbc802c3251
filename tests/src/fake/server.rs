//! [`FakeAtlas`]: the loopback server, its thread and runtime, and the state it shares with
//! the test that owns it.

use super::config::FakeConfig;
use super::counters::Counters;
use super::digest::NonceTable;
use super::faults::{Fault, FaultQueue};
use super::oauth::TokenStore;
use super::ratelimit::Budgets;
use super::service;
use super::state::Store;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::Notify;

/// Everything mutable, behind one lock (held briefly, never across an await).
pub(crate) struct Inner {
    pub(crate) counters: Counters,
    pub(crate) nonces: NonceTable,
    pub(crate) tokens: TokenStore,
    pub(crate) faults: FaultQueue,
    pub(crate) store: Store,
    pub(crate) budgets: Budgets,
}

/// What the server tasks and the [`FakeAtlas`] handle share.
pub(crate) struct Shared {
    pub(crate) config: FakeConfig,
    inner: Mutex<Inner>,
}

impl Shared {
    /// The state; a panic elsewhere does not poison the fake for later requests.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A fake MongoDB Atlas Administration API on `127.0.0.1`, serving the 12 invitation
/// endpoints with Atlas's authentication (Digest and OAuth), headers, errors and quirks.
///
/// It runs on its own thread with its own Tokio runtime, so plain synchronous tests can use
/// it; dropping it stops the server and closes its connections.
///
/// ```no_run
/// use atlas_admin_tests::fake::{FakeAtlas, Fault};
/// let fake = FakeAtlas::start();
/// let url = format!("{}/api/atlas/v2/groups/{}/invites", fake.base_url(), fake.config().group_id);
/// fake.inject(Fault::TooManyRequests { retry_after_secs: 1 }, 1);
/// // … drive a client against `url` …
/// assert_eq!(fake.counters().by_operation.get("listGroupInvites"), None);
/// ```
pub struct FakeAtlas {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Arc<Notify>,
    thread: Option<JoinHandle<()>>,
}

impl FakeAtlas {
    /// Starts a server with [`FakeConfig::default`] on an ephemeral port.
    ///
    /// # Panics
    /// If binding a loopback port or starting its thread fails.
    pub fn start() -> FakeAtlas {
        match FakeAtlas::start_with(FakeConfig::default()) {
            Ok(fake) => fake,
            Err(e) => panic!("fake Atlas: cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Starts a server with `config`, listening on `127.0.0.1:config.port` (0 = ephemeral).
    pub fn start_with(mut config: FakeConfig) -> std::io::Result<FakeAtlas> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        config.port = addr.port();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let inner = Inner {
            counters: Counters::default(),
            nonces: NonceTable::new(config.nonce_lifetime),
            tokens: TokenStore::default(),
            faults: FaultQueue::default(),
            store: Store::default(),
            budgets: Budgets::default(),
        };
        let shared = Arc::new(Shared { config, inner: Mutex::new(inner) });
        let shutdown = Arc::new(Notify::new());
        let thread = std::thread::Builder::new().name(format!("fake-atlas-{}", addr.port())).spawn({
            let shared = Arc::clone(&shared);
            let shutdown = Arc::clone(&shutdown);
            move || runtime.block_on(accept_loop(listener, shared, shutdown))
        })?;
        Ok(FakeAtlas { shared, addr, shutdown, thread: Some(thread) })
    }

    /// `http://127.0.0.1:PORT`, the base URL to give a client (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration in force; `port` is the port actually bound.
    pub fn config(&self) -> &FakeConfig {
        &self.shared.config
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.shared.lock().counters.clone()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        self.shared.lock().counters = Counters::default();
    }

    /// Queues `fault` for the next `times` API requests that pass authentication, routing and
    /// the version check. Faults are applied in the order injected (FIFO).
    pub fn inject(&self, fault: Fault, times: u32) {
        self.shared.lock().faults.push(fault, times);
    }

    /// Makes every nonce issued so far stale: a correctly signed request using one gets 401
    /// with `stale=true` and a new nonce.
    pub fn expire_nonces(&self) {
        self.shared.lock().nonces.expire_all();
    }

    /// Invalidates every bearer token issued so far: using one gets 401.
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.expire_all();
    }
}

impl Drop for FakeAtlas {
    fn drop(&mut self) {
        self.shutdown.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for FakeAtlas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeAtlas").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// Accepts connections until `shutdown`; returning drops the runtime, which cancels every
/// connection task and so closes their sockets.
async fn accept_loop(listener: std::net::TcpListener, shared: Arc<Shared>, shutdown: Arc<Notify>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("fake Atlas: cannot register the listener: {e}");
            return;
        }
    };
    loop {
        let accepted = tokio::select! {
            () = shutdown.notified() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                tokio::spawn(serve_connection(stream, Arc::clone(&shared)));
            }
            // Out of file descriptors or similar: back off briefly instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Serves one connection with hyper until the client closes it or a `CloseConnection` fault
/// aborts it (dropping the connection future closes the socket without a response).
async fn serve_connection(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let abort = Arc::new(Notify::new());
    let service = service_fn({
        let abort = Arc::clone(&abort);
        move |req| {
            let shared = Arc::clone(&shared);
            let abort = Arc::clone(&abort);
            async move { Ok::<_, Infallible>(service::handle(shared, abort, req).await) }
        }
    });
    let mut builder = http1::Builder::new();
    // Atlas (through its proxies) sends `Www-Authenticate`, `Ratelimit-Limit`, …
    builder.title_case_headers(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        () = abort.notified() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<FakeAtlas>();
    }
}
