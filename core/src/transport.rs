//! Transport plumbing, apart from the protocol at the crate root: [`ClientBuilder`] (every
//! setting of a client, shared by all transports, validated once in [`ClientBuilder::build`]),
//! the [`Connect`] trait a transport implements, and the settings it receives (timeouts,
//! [`PoolSettings`], [`ProxySetting`], response limits).
//!
//! The builder is plain data. Its settings ([`ClientSettings`]) go to a transport's
//! [`Connect`] implementation, which does the transport-specific work (HTTP agent or
//! connector, TLS roots, proxy) and returns that transport's client. Each transport names
//! its builder as an alias, e.g. `atlas_admin_ureq::ClientBuilder = ClientBuilder<Ureq>`.

use crate::config::Config;
use crate::credentials::Credentials;
use crate::env::{self, EnvError};
use crate::error::InvalidInput;
use crate::exchange::{Exchange, Observer};
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::validate::ApiVersion;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// Default limit for establishing a connection (DNS, TCP, proxy tunnel, TLS handshake).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit for one whole HTTP exchange, response body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
/// Largest response head (status line and headers) every transport reads: 64 KiB. A larger
/// one fails with [`HeadersTooLarge`](crate::TransportErrorKind::HeadersTooLarge).
pub const MAX_RESPONSE_HEAD_BYTES: usize = 64 * 1024;
/// Most response headers every transport reads: 128 (ureq's fixed limit, which hyper is set
/// to match). More fail with [`HeadersTooLarge`](crate::TransportErrorKind::HeadersTooLarge).
pub const MAX_RESPONSE_HEADERS: usize = 128;

/// A client could not be built from the given settings or environment.
///
/// No variant carries a secret: private keys, client secrets and proxy passwords are never
/// echoed, only the names of the settings or environment variables.
///
/// ```
/// use atlas_admin_core::transport::{BuildError, ClientBuilder, ClientSettings, Connect};
/// use atlas_admin_core::env::EnvError;
/// # struct Loopback;
/// # impl Connect for Loopback {
/// #     type Client = ClientSettings;
/// #     fn connect(settings: ClientSettings) -> Result<ClientSettings, BuildError> { Ok(settings) }
/// # }
/// let env = |name: &str| (name == "MONGODB_ATLAS_PUBLIC_API_KEY").then(|| "abcdefgh".to_owned());
/// let err = ClientBuilder::<Loopback>::from_env_lookup(env).unwrap_err();
/// assert!(matches!(
///     err,
///     BuildError::Env(EnvError::IncompletePair {
///         set: "MONGODB_ATLAS_PUBLIC_API_KEY",
///         missing: "MONGODB_ATLAS_PRIVATE_API_KEY"
///     })
/// ));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting was refused: base URL, User-Agent, credentials, or credentials over plain
    /// `http` to a host that is not loopback.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// The environment holds no usable credentials (a half-set pair, none, or non-Unicode).
    #[error(transparent)]
    Env(#[from] EnvError),
    /// The custom CA bundle holds no usable certificate.
    #[error("invalid CA certificate bundle: {0}")]
    InvalidCa(String),
    /// The proxy URL could not be used (the message never echoes it: it may hold a password).
    #[error("invalid proxy URL: {0}")]
    InvalidProxy(String),
    /// The TLS configuration could not be built.
    #[error("cannot configure TLS: {0}")]
    Tls(String),
}

/// Where the HTTP proxy comes from. It is used for `https` base URLs only (a plain-`http`
/// base URL connects directly); which proxy schemes work is the transport's to say.
#[derive(Clone, Debug, Default)]
pub enum ProxySetting {
    /// The proxy variables of the environment (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`...),
    /// as the transport reads them.
    #[default]
    FromEnv,
    /// No proxy, whatever the environment says.
    Direct,
    /// This proxy URL (it may hold credentials, so it is never shown).
    Url(Secret),
}

impl ProxySetting {
    /// How the setting is shown in `Debug` output: `from environment`, `none` or `configured`
    /// (never the URL, which may hold a password). A transport that found no proxy in use
    /// shows `none` instead.
    pub fn label(&self) -> &'static str {
        match self {
            ProxySetting::FromEnv => "from environment",
            ProxySetting::Direct => "none",
            ProxySetting::Url(_) => "configured",
        }
    }
}

/// Connection pool settings; `None` leaves the transport's default.
///
/// | setting | `atlas-admin-hyper` | `atlas-admin-ureq` |
/// |---|---|---|
/// | `idle_timeout` | `pool_idle_timeout`, default 90 s | `max_idle_age`, default 15 s |
/// | `max_idle_per_host` | `pool_max_idle_per_host`, default no limit | `max_idle_connections_per_host`, default 3 |
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolSettings {
    /// How long an idle keep-alive connection stays in the pool.
    pub idle_timeout: Option<Duration>,
    /// At most this many idle connections are kept per host; 0 disables pooling.
    pub max_idle_per_host: Option<usize>,
}

/// Every setting of a client, as a [`ClientBuilder`] hands them to [`Connect::connect`].
///
/// Plain data: the base URL and credentials were checked by their setters, but the CA bundle
/// and the proxy URL are only parsed by the transport. `Debug` never shows a secret, the
/// proxy URL or the CA bundle.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientSettings {
    /// Base URL, API version, User-Agent, retry policy, token refresh margin.
    pub config: Config,
    /// The credentials.
    pub credentials: Credentials,
    /// Limit for establishing a connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Duration,
    /// Limit for one whole HTTP exchange (default [`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
    /// Cap on a response body in bytes (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub max_response_bytes: u64,
    /// A PEM bundle whose CAs are trusted instead of the public web roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Where the proxy comes from.
    pub proxy: ProxySetting,
    /// Connection pool settings.
    pub pool: PoolSettings,
    /// Called after every HTTP exchange.
    pub observer: Option<Observer>,
    /// A constant seed for Digest cnonces and retry jitter; `None`: the transport draws one
    /// from OS randomness.
    pub seed: Option<u64>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            config: Config::default(),
            credentials: Credentials::None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            ca_pem: None,
            proxy: ProxySetting::FromEnv,
            pool: PoolSettings::default(),
            observer: None,
            seed: None,
        }
    }
}

impl ClientSettings {
    /// The fields `Debug` shows, in order, for the settings and for the builder.
    fn debug_fields<'d, 'a, 'b>(&self, d: &'d mut fmt::DebugStruct<'a, 'b>) -> &'d mut fmt::DebugStruct<'a, 'b> {
        d.field("config", &self.config)
            .field("credentials", &self.credentials)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("custom_ca", &self.ca_pem.is_some())
            .field("proxy", &self.proxy.label())
            .field("pool", &self.pool)
            .field("observer", &self.observer.is_some())
    }
}

impl fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.debug_fields(&mut f.debug_struct("ClientSettings")).finish_non_exhaustive()
    }
}

/// What a built client shows of its transport settings: its accessors and its `Debug`, the
/// same for every transport. It holds no secret (the proxy only as a label).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShownSettings {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Limit for one whole HTTP exchange.
    pub timeout: Duration,
    /// Response body cap in bytes.
    pub max_response_bytes: u64,
    /// Whether a custom CA bundle replaces the web roots.
    pub custom_ca: bool,
    /// The proxy in use, as [`ProxySetting::label`] shows it, or `none`.
    pub proxy: &'static str,
    /// How long idle pooled connections are kept (the transport's resolved value).
    pub pool_idle_timeout: Duration,
    /// Whether an exchange observer is set.
    pub observer: bool,
}

impl ShownSettings {
    /// What a client built from `settings` shows: `proxy_in_use` says whether the transport
    /// found a proxy to use, `pool_idle_timeout` is its resolved idle timeout.
    pub fn new(settings: &ClientSettings, proxy_in_use: bool, pool_idle_timeout: Duration) -> Self {
        ShownSettings {
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            max_response_bytes: settings.max_response_bytes,
            custom_ca: settings.ca_pem.is_some(),
            proxy: if proxy_in_use { settings.proxy.label() } else { "none" },
            pool_idle_timeout,
            observer: settings.observer.is_some(),
        }
    }

    /// Writes a client's `Debug`: its configuration, the kind of credentials, these settings.
    pub fn fmt_client(&self, session: &crate::Session, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = session.config();
        f.debug_struct("Client")
            .field("base_url", &config.base_url())
            .field("api_version", &config.api_version())
            .field("user_agent", &config.user_agent())
            .field("retry", config.retry())
            .field("credentials", &session.credentials().kind())
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("custom_ca", &self.custom_ca)
            .field("proxy", &self.proxy)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("observer", &self.observer)
            .finish()
    }
}

/// A transport: turns [`ClientSettings`] into a client.
///
/// Implementations do only the transport-specific work: draw a seed from OS randomness when
/// [`ClientSettings::seed`] is `None`, create the [`Session`](crate::Session), parse the CA
/// bundle, resolve the proxy, and set up the HTTP agent or connector. They report problems
/// as [`BuildError`]s that never echo a secret or a proxy URL.
pub trait Connect {
    /// The client this transport builds.
    type Client;

    /// Builds a client from valid settings (the builder has already reported its own errors).
    fn connect(settings: ClientSettings) -> Result<Self::Client, BuildError>;
}

/// Builds a client of transport `T`. Setters never fail; the first invalid setting is
/// reported by [`build`](ClientBuilder::build).
///
/// Each transport names it `ClientBuilder` (`atlas_admin_ureq::ClientBuilder`,
/// `atlas_admin_hyper::ClientBuilder`) and hands one out from `Client::builder()`. Here with
/// a stand-in transport whose "client" is the settings themselves:
///
/// ```
/// use atlas_admin_core::RetryPolicy;
/// use atlas_admin_core::transport::{BuildError, ClientBuilder, ClientSettings, Connect};
/// use std::time::Duration;
///
/// struct Loopback;
/// impl Connect for Loopback {
///     type Client = ClientSettings;
///     fn connect(settings: ClientSettings) -> Result<ClientSettings, BuildError> {
///         Ok(settings)
///     }
/// }
///
/// let settings = ClientBuilder::<Loopback>::new()
///     .api_key("abcdefgh", "00000000-0000-0000-0000-000000000000")
///     .user_agent("my-tool/1.2")
///     .retry(RetryPolicy::default().with_max_attempts(3))
///     .timeout(Duration::from_secs(30))
///     .build()?;
/// assert_eq!(settings.config.user_agent(), "my-tool/1.2");
/// assert_eq!(settings.timeout, Duration::from_secs(30));
///
/// // The first bad setting wins; later ones are not even looked at.
/// let err = ClientBuilder::<Loopback>::new().base_url("ftp://x").user_agent("bad\nua").build().unwrap_err();
/// assert!(matches!(err, BuildError::InvalidInput(e) if e.field() == "base_url"));
/// # Ok::<(), BuildError>(())
/// ```
#[must_use]
pub struct ClientBuilder<T: Connect> {
    settings: ClientSettings,
    error: Option<BuildError>,
    transport: PhantomData<fn() -> T>,
}

impl<T: Connect> Default for ClientBuilder<T> {
    fn default() -> Self {
        ClientBuilder { settings: ClientSettings::default(), error: None, transport: PhantomData }
    }
}

impl<T: Connect> ClientBuilder<T> {
    /// Defaults: `https://cloud.mongodb.com`, API version 2023-01-01, no credentials, the
    /// default [`RetryPolicy`], connect timeout 10 s, exchange timeout 60 s, 4 MiB body cap,
    /// Mozilla's web roots, proxy from the environment, the transport's pool defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts from the environment: credentials from `MONGODB_ATLAS_PUBLIC_API_KEY` +
    /// `MONGODB_ATLAS_PRIVATE_API_KEY` (Digest) or `MONGODB_ATLAS_CLIENT_ID` +
    /// `MONGODB_ATLAS_CLIENT_SECRET` (service account), and `MONGODB_ATLAS_BASE_URL` if set.
    /// Empty variables count as unset; a half-set pair is an error, and with both pairs set
    /// the API key is used (the Atlas CLI's precedence).
    ///
    /// This is the one place the core reads the process environment.
    pub fn from_env() -> Result<Self, BuildError> {
        let settings = env::read(|var| match std::env::var(var) {
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(EnvError::NotUnicode { var }),
        })?;
        Ok(Self::new().env_settings(settings))
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

    fn try_config(mut self, f: impl FnOnce(Config) -> Result<Config, InvalidInput>) -> Self {
        match f(self.settings.config.clone()) {
            Ok(config) => {
                self.settings.config = config;
                self
            }
            Err(e) => self.fail(e),
        }
    }

    /// Replaces the whole core configuration (base URL, version, User-Agent, retry policy).
    pub fn config(mut self, config: Config) -> Self {
        self.settings.config = config;
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
        self.settings.credentials = credentials;
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
    /// (default 10 s). Running out is a [`Connect`](crate::TransportErrorKind::Connect)
    /// failure: nothing was sent, so the core may retry any operation.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// Limit for one whole HTTP exchange, from connecting (or taking a pooled connection) to
    /// the last byte of the response body (default 60 s). Each retry gets its own; the retry
    /// policy bounds the waits between them. Running out is a
    /// [`Timeout`](crate::TransportErrorKind::Timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// Cap on a response body in bytes, after any content decoding (default 4 MiB). A larger
    /// body (declared by `Content-Length` or found while reading) fails the call with
    /// [`BodyTooLarge`](crate::TransportErrorKind::BodyTooLarge).
    pub fn max_response_bytes(mut self, max: u64) -> Self {
        self.settings.max_response_bytes = max;
        self
    }

    /// Trusts exactly the CA certificates of this PEM bundle instead of the public web roots
    /// (for a TLS-intercepting proxy, a private Atlas endpoint or a test server). The bundle
    /// is checked by [`build`](Self::build).
    pub fn ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.settings.ca_pem = Some(pem.into());
        self
    }

    /// Uses this proxy (`http://host:port`, `http://user:pass@host:port`...) instead of the
    /// one from the environment. Which requests go through it is the transport's to say: see
    /// its crate documentation. The URL is checked by [`build`](Self::build) and never shown.
    pub fn proxy(mut self, url: &str) -> Self {
        self.settings.proxy = ProxySetting::Url(Secret::new(url));
        self
    }

    /// Connects directly, ignoring `HTTPS_PROXY` and friends.
    pub fn no_proxy(mut self) -> Self {
        self.settings.proxy = ProxySetting::Direct;
        self
    }

    /// How long an idle keep-alive connection stays in the pool (default: the transport's;
    /// 90 s with hyper, 15 s with ureq).
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pool.idle_timeout = Some(timeout);
        self
    }

    /// At most this many idle connections are kept per host (default: the transport's; no
    /// limit with hyper, 3 with ureq). Idle ones are closed after
    /// [`pool_idle_timeout`](Self::pool_idle_timeout). 0 disables pooling.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.settings.pool.max_idle_per_host = Some(max);
        self
    }

    /// Calls `observer` after every HTTP exchange (API calls, Digest challenges, token
    /// fetches, retries) with the method, URI, auth scheme, status or failure, and time taken.
    /// It never sees header values or bodies. It runs on the thread or task driving the call:
    /// keep it short and non-blocking. With an async transport, an exchange cut short by
    /// dropping the call's future is not reported.
    pub fn on_exchange(mut self, observer: impl Fn(&Exchange) + Send + Sync + 'static) -> Self {
        self.settings.observer = Some(Arc::new(observer));
        self
    }

    /// Seeds Digest cnonces and retry jitter with a constant, making every request
    /// reproducible byte for byte. For tests only (a constant seed makes cnonces predictable),
    /// so it needs the `test-util` feature: by default the seed is fresh OS randomness.
    #[cfg(any(test, feature = "test-util"))]
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = Some(seed);
        self
    }

    /// Validates the settings and builds the client with [`Connect::connect`]. No connection
    /// is opened, and no async runtime is needed.
    ///
    /// Fails on the first invalid setting, on a bad CA bundle or proxy URL, and when
    /// credentials would go over plain `http` to a host that is not loopback.
    ///
    /// A plain-`http` base URL (only loopback may carry credentials) always connects
    /// directly: requests and their credentials never cross a proxy unencrypted.
    pub fn build(self) -> Result<T::Client, BuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let mut settings = self.settings;
        if !settings.config.is_https() {
            settings.proxy = ProxySetting::Direct;
        }
        T::connect(settings)
    }
}

impl<T: Connect> fmt::Debug for ClientBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.settings
            .debug_fields(&mut f.debug_struct("ClientBuilder"))
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transport whose client is the settings it was given.
    struct Echo;

    impl Connect for Echo {
        type Client = ClientSettings;
        fn connect(settings: ClientSettings) -> Result<ClientSettings, BuildError> {
            Ok(settings)
        }
    }

    type Builder = ClientBuilder<Echo>;

    #[test]
    fn defaults() {
        let s = Builder::new().build().unwrap();
        assert_eq!(s.config, Config::default());
        assert_eq!(s.credentials, Credentials::None);
        assert_eq!((s.connect_timeout, s.timeout), (DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT));
        assert_eq!(s.max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES);
        assert!(s.ca_pem.is_none() && s.observer.is_none() && s.seed.is_none());
        assert!(matches!(s.proxy, ProxySetting::FromEnv));
        assert_eq!(s.pool, PoolSettings::default());
    }

    #[test]
    fn setters_reach_the_settings() {
        let s = Builder::new()
            .base_url("https://127.0.0.1:9")
            .api_version(ApiVersion::new("2024-08-05").unwrap())
            .token_refresh_margin(Duration::from_secs(5))
            .service_account("mdb_sa_id", "secret")
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(2))
            .max_response_bytes(3)
            .ca_pem("pem")
            .proxy("http://u:p@proxy:1")
            .pool_idle_timeout(Duration::from_secs(4))
            .pool_max_idle_per_host(5)
            .on_exchange(|_| {})
            .seed(6)
            .build()
            .unwrap();
        assert_eq!(s.config.base_url(), "https://127.0.0.1:9");
        assert_eq!(s.config.token_refresh_margin(), Duration::from_secs(5));
        assert!(matches!(s.credentials, Credentials::ServiceAccount { .. }));
        assert_eq!(
            (s.connect_timeout, s.timeout, s.max_response_bytes),
            (Duration::from_secs(1), Duration::from_secs(2), 3)
        );
        assert_eq!(s.ca_pem.as_deref(), Some(&b"pem"[..]));
        assert!(matches!(&s.proxy, ProxySetting::Url(url) if url.expose() == "http://u:p@proxy:1"));
        assert_eq!(s.pool, PoolSettings { idle_timeout: Some(Duration::from_secs(4)), max_idle_per_host: Some(5) });
        assert!(s.observer.is_some());
        assert_eq!(s.seed, Some(6));
        assert!(matches!(Builder::new().proxy("x").no_proxy().build().unwrap().proxy, ProxySetting::Direct));
        let plain = Builder::new().base_url("http://127.0.0.1:9").proxy("http://proxy:1").build().unwrap();
        assert!(matches!(plain.proxy, ProxySetting::Direct), "plain http never goes through a proxy");
    }

    #[test]
    fn the_first_bad_setting_is_reported() {
        let err = Builder::new().user_agent("bad\nua").api_key("", "x").base_url("ftp://x").build().unwrap_err();
        assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "user_agent"), "{err:?}");
        let err = Builder::new().api_key("abcdefgh", "has space-secret").build().unwrap_err();
        assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "private_key"));
        assert!(!format!("{err} {err:?}").contains("space-secret"));
    }

    #[test]
    fn env_lookup() {
        let vars = [(env::CLIENT_ID, "id"), (env::CLIENT_SECRET, "secret"), (env::BASE_URL, "http://localhost:1/")];
        let s = Builder::from_env_lookup(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
            .unwrap()
            .build()
            .unwrap();
        assert!(matches!(s.credentials, Credentials::ServiceAccount { .. }));
        assert_eq!(s.config.base_url(), "http://localhost:1");
        let bad_url = [(env::PUBLIC_API_KEY, "p"), (env::PRIVATE_API_KEY, "q"), (env::BASE_URL, "nope")];
        let builder =
            Builder::from_env_lookup(|name| bad_url.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()));
        let err = builder.unwrap().build().unwrap_err();
        assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "base_url"));
        assert!(matches!(Builder::from_env_lookup(|_| None), Err(BuildError::Env(EnvError::NoCredentials))));
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let builder =
            Builder::new().api_key("abcdefgh", "private-key").proxy("http://u:proxy-password@p:1").ca_pem("PEM");
        let shown = format!("{builder:?}");
        assert!(shown.starts_with("ClientBuilder {"), "{shown}");
        assert!(shown.contains(r#"proxy: "configured""#) && shown.contains("custom_ca: true"), "{shown}");
        let settings = builder.build().unwrap();
        for shown in [shown, format!("{settings:?}"), format!("{settings:#?}")] {
            assert!(!shown.contains("private-key") && !shown.contains("proxy-password") && !shown.contains("PEM"));
        }
        let err = BuildError::InvalidProxy("not a URL".to_owned());
        assert_eq!(err.to_string(), "invalid proxy URL: not a URL");
        assert_eq!(ProxySetting::Direct.label(), "none");
        assert_eq!(ProxySetting::FromEnv.label(), "from environment");
    }
}
