//! [`ClientBuilder`]: the core's builder, connected by [`Ureq`]: a ureq agent with rustls.

use crate::client::Client;
use crate::io::Transport;
use crate::tls;
use atlas_admin_core::Session;
use atlas_admin_core::transport::{
    BuildError, ClientSettings, Connect, MAX_RESPONSE_HEAD_BYTES, ProxySetting, ShownSettings,
};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::SystemTime;
use ureq::config::AutoHeaderValue;
use ureq::{Agent, Proxy};

/// Builds a [`Client`]: the core's [`ClientBuilder`](crate::core::transport::ClientBuilder) over
/// the [`Ureq`] transport. Setters never fail; the first invalid setting is reported by
/// [`build`](crate::core::transport::ClientBuilder::build).
///
/// ```
/// use atlas_admin_ureq::{Client, RetryPolicy};
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
/// # Ok::<(), atlas_admin_ureq::BuildError>(())
/// ```
///
/// The pool settings map to ureq's: [`pool_idle_timeout`](crate::core::transport::ClientBuilder::pool_idle_timeout)
/// is `max_idle_age` (default 15 s) and
/// [`pool_max_idle_per_host`](crate::core::transport::ClientBuilder::pool_max_idle_per_host) is
/// `max_idle_connections_per_host` (default 3; ureq's overall cap of 10 idle connections is
/// raised to match when it is larger).
pub type ClientBuilder = atlas_admin_core::transport::ClientBuilder<Ureq>;

/// The ureq transport, as the type parameter of [`ClientBuilder`]: a ureq `Agent` with rustls,
/// no redirects, no headers of its own, connect and whole-exchange timeouts. A marker: it
/// has no values.
#[derive(Debug)]
pub enum Ureq {}

/// ureq's own cap on idle connections overall.
const UREQ_MAX_IDLE_CONNECTIONS: usize = 10;

impl Connect for Ureq {
    type Client = Client;

    fn connect(s: ClientSettings) -> Result<Client, BuildError> {
        let user_agent = s.config.user_agent().to_owned();
        let session = Session::new(s.config.clone(), s.credentials.clone(), s.seed.unwrap_or_else(os_seed))?;
        let proxy = match &s.proxy {
            // `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` (and `NO_PROXY`), as ureq reads them.
            ProxySetting::FromEnv => Proxy::try_from_env(),
            ProxySetting::Direct => None,
            // ureq's message does not echo the URL, which may hold a password.
            ProxySetting::Url(url) => {
                Some(Proxy::new(url.expose()).map_err(|e| BuildError::InvalidProxy(e.to_string()))?)
            }
        };
        let mut agent = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .https_only(false)
            // The core sets User-Agent and Accept on every request; ureq adds nothing of its
            // own (the agent-level User-Agent only shows on a proxy CONNECT).
            .user_agent(AutoHeaderValue::Provided(Arc::new(user_agent)))
            .accept(AutoHeaderValue::None)
            .accept_encoding(AutoHeaderValue::None)
            .timeout_connect(Some(s.connect_timeout))
            .timeout_global(Some(s.timeout))
            .max_response_header_size(MAX_RESPONSE_HEAD_BYTES)
            .tls_config(tls::config(s.ca_pem.as_deref())?)
            .proxy(proxy.clone());
        if let Some(age) = s.pool.idle_timeout {
            agent = agent.max_idle_age(age);
        }
        if let Some(max) = s.pool.max_idle_per_host {
            agent = agent.max_idle_connections_per_host(max).max_idle_connections(max.max(UREQ_MAX_IDLE_CONNECTIONS));
        }
        let agent = Agent::new_with_config(agent.build());
        let shown = ShownSettings::new(&s, proxy.is_some(), agent.config().max_idle_age());
        let transport = Transport { agent, max_body: s.max_response_bytes, timeout: s.timeout };
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn ureq_keeps_its_pool_defaults_unless_told() {
        let defaults = ureq::config::Config::default();
        assert_eq!(defaults.max_idle_connections(), UREQ_MAX_IDLE_CONNECTIONS);
        let client = ClientBuilder::new().build().unwrap();
        let config = client.agent_config();
        assert_eq!(config.max_idle_age(), defaults.max_idle_age());
        assert_eq!(config.max_idle_connections_per_host(), defaults.max_idle_connections_per_host());
        let client = ClientBuilder::new().pool_idle_timeout(Duration::from_secs(5)).pool_max_idle_per_host(20).build();
        let client = client.unwrap();
        let config = client.agent_config();
        assert_eq!(config.max_idle_age(), Duration::from_secs(5));
        assert_eq!((config.max_idle_connections_per_host(), config.max_idle_connections()), (20, 20));
        let client = ClientBuilder::new().pool_max_idle_per_host(0).build().unwrap();
        let config = client.agent_config();
        assert_eq!((config.max_idle_connections_per_host(), config.max_idle_connections()), (0, 10));
    }
}
