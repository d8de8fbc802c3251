//! [`ClientBuilder`]: every setting of a client, validated once in [`ClientBuilder::build`].

use crate::client::{Client, Settings};
use crate::error::BuildError;
use crate::io::Transport;
use crate::proxy::ProxySetting;
use crate::runtime::{self, Pool};
use crate::tls;
use atlas_admin_core::env;
use atlas_admin_core::{ApiVersion, Config, Credentials, RetryPolicy, Secret, Session};
use atlas_admin_core::{Exchange, Observer};
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Default limit for establishing a connection (DNS, TCP, proxy tunnel, TLS handshake).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one whole HTTP exchange, response body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
/// Default time an idle pooled connection is kept: 90 s.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Builds a [`Client`]. Setters never fail; the first invalid setting is reported by
/// [`build`](ClientBuilder::build).
///
/// Building needs no runtime; calls must run inside a Tokio runtime with IO and time enabled.
///
/// ```
/// use atlas_admin_hyper::{Client, RetryPolicy};
/// use std::time::Duration;
///
/// let client = Client::builder()
///     .api_key("abcdefgh", "00000000-0000-0000-0000-000000000000")
///     .user_agent("my-tool/1.2")
///     .retry(RetryPolicy::default().with_max_attempts(3))
///     .connect_timeout(Duration::from_secs(5))
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(client.config().user_agent(), "my-tool/1.2");
/// # Ok::<(), atlas_admin_hyper::BuildError>(())
/// ```
#[must_use]
pub struct ClientBuilder {
    config: Config,
    credentials: Credentials,
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: u64,
    ca_pem: Option<Vec<u8>>,
    proxy: ProxySetting,
    pool: Pool,
    observer: Option<Observer>,
    seed: Option<u64>,
    error: Option<BuildError>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            config: Config::default(),
            credentials: Credentials::None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            ca_pem: None,
            proxy: ProxySetting::FromEnv,
            pool: Pool { idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT, max_idle_per_host: usize::MAX },
            observer: None,
            seed: None,
            error: None,
        }
    }
}

impl ClientBuilder {
    /// Defaults: `https://cloud.mongodb.com`, API version 2023-01-01, no credentials, the
    /// default [`RetryPolicy`], connect timeout 10 s, exchange timeout 60 s, 4 MiB body cap,
    /// Mozilla's web roots, proxy from the environment, idle pooled connections kept 90 s.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts from the environment: credentials from `MONGODB_ATLAS_PUBLIC_API_KEY` +
    /// `MONGODB_ATLAS_PRIVATE_API_KEY` (Digest) or `MONGODB_ATLAS_CLIENT_ID` +
    /// `MONGODB_ATLAS_CLIENT_SECRET` (service account), and `MONGODB_ATLAS_BASE_URL` if set.
    /// Empty variables count as unset; a half-set pair is an error, and with both pairs set
    /// the API key is used (the Atlas CLI's precedence).
    pub fn from_env() -> Result<Self, BuildError> {
        Ok(Self::new().env_settings(read_process_env()?))
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for tests, or
    /// settings kept elsewhere).
    pub fn from_env_lookup(mut lookup: impl FnMut(&str) -> Option<String>) -> Result<Self, BuildError> {
        Ok(Self::new().env_settings(env::read(|var| Ok(lookup(var)))?))
    }

    fn env_settings(self, settings: env::EnvSettings) -> Self {
        let builder = self.credentials(settings.credentials);
        match settings.base_url {
            Some(url) => builder.base_url(&url),
            None => builder,
        }
    }

    fn fail(mut self, error: impl Into<BuildError>) -> Self {
        self.error.get_or_insert(error.into());
        self
    }

    fn try_config(self, f: impl FnOnce(Config) -> Result<Config, atlas_admin_core::InvalidInput>) -> Self {
        match f(self.config.clone()) {
            Ok(config) => ClientBuilder { config, ..self },
            Err(e) => self.fail(e),
        }
    }

    /// Replaces the whole core configuration (base URL, version, User-Agent, retry policy).
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The base URL, e.g. `https://cloud.mongodb.com` or a loopback fake.
    pub fn base_url(self, url: &str) -> Self {
        self.try_config(|c| c.with_base_url(url))
    }

    /// The default API version of every call (default `2023-01-01`).
    pub fn api_version(self, version: ApiVersion) -> Self {
        self.try_config(|c| Ok(c.with_api_version(version)))
    }

    /// The `User-Agent` of every request (default `atlas-admin/<version> (<os>; <arch>)`).
    pub fn user_agent(self, user_agent: impl Into<String>) -> Self {
        self.try_config(|c| c.with_user_agent(user_agent))
    }

    /// The retry policy (429, rate limits, 5xx, connect failures; see the core's rules).
    pub fn retry(self, retry: RetryPolicy) -> Self {
        self.try_config(|c| Ok(c.with_retry(retry)))
    }

    /// How long before expiry an OAuth token is refreshed (default 60 s).
    pub fn token_refresh_margin(self, margin: Duration) -> Self {
        self.try_config(|c| Ok(c.with_token_refresh_margin(margin)))
    }

    /// The credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// A programmatic API key (HTTP Digest).
    pub fn api_key(self, public_key: impl Into<String>, private_key: impl Into<Secret>) -> Self {
        match Credentials::api_key(public_key, private_key) {
            Ok(c) => self.credentials(c),
            Err(e) => self.fail(e),
        }
    }

    /// A service account (OAuth 2.0 client credentials; one token shared by all clones).
    pub fn service_account(self, client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        match Credentials::service_account(client_id, client_secret) {
            Ok(c) => self.credentials(c),
            Err(e) => self.fail(e),
        }
    }

    /// Limit for establishing a connection: DNS, TCP, the proxy tunnel and the TLS handshake
    /// together (default 10 s). Running out is a [`Connect`](atlas_admin_core::TransportErrorKind::Connect)
    /// failure: nothing was sent, so the core may retry any operation.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Limit for one whole HTTP exchange, from connecting (or taking a pooled connection) to
    /// the last byte of the response body (default 60 s). Each retry gets its own; the retry
    /// policy bounds the waits between them. Running out is a
    /// [`Timeout`](atlas_admin_core::TransportErrorKind::Timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Cap on a response body in bytes (default 4 MiB). A larger body (declared by
    /// `Content-Length` or found while reading) fails the call with
    /// [`BodyTooLarge`](atlas_admin_core::TransportErrorKind::BodyTooLarge).
    pub fn max_response_bytes(mut self, max: u64) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// Trusts exactly the CA certificates of this PEM bundle instead of the public web roots
    /// (for a TLS-intercepting proxy, a private Atlas endpoint or a test server). The bundle
    /// is checked by [`build`](Self::build).
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_pem = Some(pem.into());
        self
    }

    /// Sends every `https` request through this HTTP proxy (`http://host:port`,
    /// `http://user:pass@host:port`) in a `CONNECT` tunnel, instead of the proxy from the
    /// environment. Plain `http` base URLs (loopback test servers) always connect directly.
    pub fn proxy(mut self, url: &str) -> Self {
        self.proxy = ProxySetting::Url(Secret::new(url));
        self
    }

    /// Connects directly, ignoring `HTTPS_PROXY` and friends.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Direct;
        self
    }

    /// How long an idle keep-alive connection stays in the pool (default 90 s).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool.idle_timeout = timeout;
        self
    }

    /// At most this many idle connections are kept per host (default: no limit; idle ones
    /// are closed after [`pool_idle_timeout`](Self::pool_idle_timeout)). 0 disables pooling.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool.max_idle_per_host = max;
        self
    }

    /// Calls `observer` after every HTTP exchange (API calls, Digest challenges, token
    /// fetches, retries) with the method, URI, auth scheme, status or failure, and time taken.
    /// It never sees header values or bodies. It runs on the task driving the call: keep it
    /// short and non-blocking. An exchange cut short by dropping the call's future is not
    /// reported.
    pub fn on_exchange(mut self, observer: impl Fn(&Exchange) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Seeds Digest cnonces and retry jitter with a constant, making every request
    /// reproducible byte for byte. For tests only: by default the seed is fresh OS randomness.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Validates the settings and builds the client. Needs no runtime.
    ///
    /// Fails on the first invalid setting, on a bad CA bundle or proxy URL, and when
    /// credentials would go over plain `http` to a host that is not loopback.
    pub fn build(self) -> Result<Client, BuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let session = Session::new(self.config, self.credentials, self.seed.unwrap_or_else(os_seed))?;
        let tls = tls::config(self.ca_pem.as_deref())?;
        let proxy = self.proxy.matcher()?;
        let settings = Settings {
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
            custom_ca: self.ca_pem.is_some(),
            proxy: if proxy.is_some() { self.proxy.label() } else { "none" },
            pool_idle_timeout: self.pool.idle_timeout,
            observer: self.observer.is_some(),
        };
        let transport = Transport {
            client: runtime::http_client(tls, proxy, self.connect_timeout, self.pool),
            timeout: self.timeout,
            max_body: self.max_response_bytes,
            observer: self.observer,
        };
        Ok(Client::from_parts(session, transport, settings))
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("custom_ca", &self.ca_pem.is_some())
            .field("proxy", &self.proxy.label())
            .field("pool", &self.pool)
            .field("observer", &self.observer.is_some())
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

/// A fresh seed from OS randomness without another dependency: `RandomState` keys come from
/// the OS (once per thread, then incremented), mixed with the time and thread and process ids.
fn os_seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    SystemTime::now().hash(&mut hasher);
    std::thread::current().id().hash(&mut hasher);
    std::process::id().hash(&mut hasher);
    hasher.finish()
}

/// Reads the process environment for [`env::read`].
fn read_process_env() -> Result<env::EnvSettings, env::EnvError> {
    env::read(|var| match std::env::var(var) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(env::EnvError::NotUnicode { var }),
    })
}
