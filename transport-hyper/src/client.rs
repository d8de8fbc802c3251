//! [`Client`]: one shared session and one pooled hyper client, behind an `Arc`.

use crate::builder::ClientBuilder;
use crate::driver::{drive, now, send};
use crate::io::Transport;
use atlas_admin_core::driver;
use atlas_admin_core::transport::{BuildError, ShownSettings};
use atlas_admin_core::{
    ApiResponse, Config, Credentials, Error, Observer, Operation, Outgoing, Session, SunsetWarning, SunsetWarnings,
    TransportError,
};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// An async Atlas Administration API client.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: every clone and task shares one
/// [`Session`], so after the first Digest challenge each call is signed preemptively (one
/// round trip, nc+1), and one OAuth token serves all calls until it nears expiry (one fetch,
/// however many tasks need it). Keep-alive connections are pooled by the shared hyper client.
///
/// Calls run inside a Tokio runtime with IO and time enabled (pooled connections belong to the
/// runtime that opened them, so use one client per Tokio runtime), or, with the `smol`
/// feature, on async-io under any other executor.
///
/// Dropping a call's future (a `select!`, a `timeout`, an aborted task) cancels it cleanly:
/// its connection is closed, and a token fetch it was leading is handed to the next call.
///
/// Every call returns the decoded body with its [`ResponseMeta`](atlas_admin_core::ResponseMeta)
/// (`Deprecation`, `Sunset`, rate limits, exchange count), or a typed [`Error`].
/// `Debug` shows settings, never a secret.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    session: Session,
    transport: Transport,
    settings: ShownSettings,
    /// Sees every exchange, through the core's driver (which knows what each request is for).
    observer: Option<Observer>,
    /// Which operations have warned about their `Sunset` (once each, for all clones).
    sunset: SunsetWarnings,
}

impl Client {
    /// A client for `config` with `credentials` and default transport settings.
    ///
    /// Fails if credentials would go over plain `http` to a host that is not loopback.
    pub fn new(config: Config, credentials: Credentials) -> Result<Client, BuildError> {
        ClientBuilder::new().config(config).credentials(credentials).build()
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client from the environment; see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client, BuildError> {
        ClientBuilder::from_env()?.build()
    }

    /// The driver reports exchanges to `observer`, with their purpose; the IO layer reports none.
    pub(crate) fn from_parts(
        session: Session,
        transport: Transport,
        settings: ShownSettings,
        observer: Option<Observer>,
    ) -> Client {
        Client { inner: Arc::new(Inner { session, transport, settings, observer, sunset: SunsetWarnings::default() }) }
    }

    /// The configuration (base URL, API version, User-Agent, retry policy).
    pub fn config(&self) -> &Config {
        self.inner.session.config()
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.inner.settings.connect_timeout
    }

    /// The limit for one whole HTTP exchange.
    pub fn timeout(&self) -> Duration {
        self.inner.settings.timeout
    }

    /// The response body cap in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.inner.settings.max_response_bytes
    }

    /// The shared session (auth state), for driving calls by hand.
    pub fn session(&self) -> &Session {
        &self.inner.session
    }

    /// Runs any operation: auth, retries and decoding follow the core's call state machine.
    ///
    /// Every endpoint is one type in [`ops`](crate::ops) (its module doc lists them all, with
    /// method, path and options), e.g. `client.execute(&op).await?` with
    /// `op = ops::UpdateGroupInvites::new(group_id, body)?`; the result is
    /// `ApiResponse<O::Output>`: the decoded body and its metadata.
    ///
    /// The future is `Send` (spawnable) for every operation of this crate.
    pub async fn execute<O: Operation>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error> {
        let result = drive(&self.inner.session, &self.inner.transport, self.inner.observer.as_ref(), op).await;
        self.inner.sunset.check_result(op.operation_id(), &result);
        result
    }

    /// Calls `hook` the first time each operation answers with a `Sunset` header (a deprecated
    /// endpoint or API version; Atlas answers 410 after that date), or without one answers for
    /// an API version the spec gives a sunset date (`x-sunset`, whatever the date:
    /// [`SunsetWarning::from_spec`]) or an operation the spec marks deprecated (some have no
    /// date yet: [`SunsetWarning::sunset`] is `None`), for this client and its clones, replacing an earlier hook. Successes and Atlas errors count. With the `tracing`
    /// feature the same first warning is also a WARN event (target `atlas_admin`), hook or not.
    ///
    /// ```no_run
    /// # let client = atlas_admin_hyper::Client::builder().build().unwrap();
    /// client.on_sunset(|warning| eprintln!("warning: {warning}"));
    /// ```
    pub fn on_sunset(&self, hook: impl Fn(&SunsetWarning) + Send + Sync + 'static) {
        self.inner.sunset.set_hook(Arc::new(hook));
    }

    /// Moves one request the core prepared over this client's connection pool, bounded by the
    /// exchange timeout and the request's `time_left`, as the client's own driver does, but
    /// with no auth, retries or observer of its own: the send function for a custom driver
    /// (`atlas_admin_core::driver::run`) or a cassette recorder, so what is recorded is what
    /// this client's IO really exchanged. It runs where calls run (Tokio, or async-io with the
    /// `smol` feature; with neither it fails with `NoRuntime` before sending anything).
    pub async fn send(&self, out: Outgoing) -> Result<http::Response<Vec<u8>>, TransportError> {
        send(&self.inner.transport, out).await
    }

    /// Revokes the cached OAuth token of a service account (`POST /api/oauth/revoke`) and
    /// forgets it; the next call fetches a new one. Returns `false` when there was no token
    /// to revoke (API-key credentials, or no call made yet). Not retried: if it fails (a
    /// transport error or a refusal), the token is kept (it is still valid at Atlas), calls
    /// go on using it, and `revoke_token` can be called again.
    pub async fn revoke_token(&self) -> Result<bool, Error> {
        let send = |out: Outgoing| self.inner.transport.send(out.request);
        driver::revoke(&self.inner.session, now, send, self.inner.observer.as_ref()).await
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.settings.fmt_client(&self.inner.session, f)
    }
}
