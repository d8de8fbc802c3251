//! [`ClientBuilder`]: the core's builder, connected by [`Hyper`]: the pooled hyper clients with
//! rustls, on Tokio and/or async-io.

use crate::client::Client;
use crate::io::Transport;
use crate::runtime::Pool;
use crate::{proxy, tls};
use atlas_admin_core::Session;
use atlas_admin_core::transport::{BuildError, ClientSettings, Connect, ShownSettings};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::time::{Duration, SystemTime};

/// Default time an idle pooled connection is kept: 90 s.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Builds a [`Client`]: the core's [`ClientBuilder`](crate::core::transport::ClientBuilder) over
/// the [`Hyper`] transport. Setters never fail; the first invalid setting is reported by
/// [`build`](crate::core::transport::ClientBuilder::build).
///
/// Building needs no runtime. Calls run inside a Tokio runtime with IO and time enabled, or,
/// with the `smol` feature, anywhere else on async-io (without it, a call outside Tokio fails
/// with [`NoRuntime`](crate::TransportErrorKind::NoRuntime)).
/// Idle pooled connections are kept [`DEFAULT_POOL_IDLE_TIMEOUT`] unless
/// [`pool_idle_timeout`](crate::core::transport::ClientBuilder::pool_idle_timeout) says otherwise,
/// with no limit per host unless
/// [`pool_max_idle_per_host`](crate::core::transport::ClientBuilder::pool_max_idle_per_host) sets one.
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
pub type ClientBuilder = atlas_admin_core::transport::ClientBuilder<Hyper>;

/// The hyper transport, as the type parameter of [`ClientBuilder`]: pooled HTTP/1.1 clients
/// with rustls, a `CONNECT` proxy tunnel for `https`, and runtime-enforced timeouts, one per
/// runtime compiled in. A marker: it has no values.
#[derive(Debug)]
pub enum Hyper {}

impl Connect for Hyper {
    type Client = Client;

    fn connect(s: ClientSettings) -> Result<Client, BuildError> {
        let session = Session::new(s.config.clone(), s.credentials.clone(), s.seed.unwrap_or_else(os_seed))?;
        let tls = tls::config(s.ca_pem.as_deref())?;
        let proxy = proxy::matcher(&s.proxy)?.map(std::sync::Arc::new);
        let pool = Pool {
            idle_timeout: s.pool.idle_timeout.unwrap_or(DEFAULT_POOL_IDLE_TIMEOUT),
            max_idle_per_host: s.pool.max_idle_per_host.unwrap_or(usize::MAX),
        };
        let shown = ShownSettings::new(&s, proxy.is_some(), pool.idle_timeout);
        let transport = Transport {
            #[cfg(feature = "tokio")]
            tokio: crate::tokio_client::http_client(tls.clone(), proxy.clone(), s.connect_timeout, pool),
            #[cfg(feature = "smol")]
            smol: crate::smol_client::HttpClient::new(tls, proxy, s.connect_timeout, pool),
            timeout: s.timeout,
            max_body: s.max_response_bytes,
        };
        Ok(Client::from_parts(session, transport, shown, s.observer))
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
