//! [`Client`]: one shared session and one ureq agent, behind an `Arc`.

use crate::builder::ClientBuilder;
use crate::driver::{drive, now};
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

/// A blocking Atlas Administration API client.
///
/// Cheap to clone (an `Arc` inside) and `Send + Sync`: every clone and thread shares one
/// [`Session`], so after the first Digest challenge each call is signed preemptively (one
/// round trip, nc+1), and one OAuth token serves all calls until it nears expiry. Connections
/// are pooled by the shared ureq agent.
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

    /// The ureq agent's configuration (pool limits and the like), for tests.
    #[cfg(test)]
    pub(crate) fn agent_config(&self) -> &ureq::config::Config {
        self.inner.transport.agent.config()
    }

    /// Runs any operation: auth, retries and decoding follow the core's call state machine.
    ///
    /// Every endpoint is one type in [`ops`](crate::ops) (its module doc lists them all, with
    /// method, path and options), e.g. `client.execute(&op)?` with
    /// `op = ops::UpdateGroupInvites::new(group_id, body)?`; the result is
    /// `ApiResponse<O::Output>`: the decoded body and its metadata.
    pub fn execute<O: Operation>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error> {
        let result = drive(&self.inner.session, &self.inner.transport, self.inner.observer.as_ref(), op);
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
    /// ```
    /// # let client = atlas_admin_ureq::Client::builder().build().unwrap();
    /// client.on_sunset(|warning| eprintln!("warning: {warning}"));
    /// ```
    pub fn on_sunset(&self, hook: impl Fn(&SunsetWarning) + Send + Sync + 'static) {
        self.inner.sunset.set_hook(Arc::new(hook));
    }

    /// Moves one request the core prepared over this client's connection pool, bounded by the
    /// exchange timeout and the request's `time_left`, as the client's own driver does, but
    /// with no auth, retries or observer of its own: the send function for a custom driver
    /// (`atlas_admin_core::driver::run_blocking`) or a cassette recorder, so what is recorded
    /// is what this client's IO really exchanged.
    pub fn send(&self, out: Outgoing) -> Result<http::Response<Vec<u8>>, TransportError> {
        self.inner.transport.send(out.request, out.time_left)
    }

    /// Revokes the cached OAuth token of a service account (`POST /api/oauth/revoke`) and
    /// forgets it; the next call fetches a new one. Returns `false` when there was no token
    /// to revoke (API-key credentials, or no call made yet). Not retried: if it fails (a
    /// transport error or a refusal), the token is kept (it is still valid at Atlas), calls
    /// go on using it, and `revoke_token` can be called again.
    pub fn revoke_token(&self) -> Result<bool, Error> {
        let send = |out: Outgoing| self.inner.transport.send(out.request, out.time_left);
        driver::revoke_blocking(&self.inner.session, now, send, self.inner.observer.as_ref())
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.settings.fmt_client(&self.inner.session, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_core::ops::ListOrgInvites;
    use atlas_admin_testing::canned::{Server, fast_retry, ok_json, response};

    const ORG: &str = "4888442a3354817a7320eb61";
    const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.kept-token";

    /// A refused revocation keeps the token (still valid at Atlas): the next call uses it
    /// without a new fetch, and `revoke_token` revokes that same token when called again.
    #[test]
    fn a_refused_revocation_keeps_the_token_and_can_be_retried() {
        let token = format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":3600}}"#);
        let server = Server::start(vec![
            response("200 OK", &[("Content-Type", "application/json")], token.as_bytes()),
            ok_json("[]"),
            response("503 Service Unavailable", &[], b""),
            ok_json("[]"),
            response("200 OK", &[], b""),
        ]);
        let config = Config::default().with_base_url(&server.base_url()).unwrap().with_retry(fast_retry());
        let credentials = Credentials::service_account("mdb_sa_id_test", "mdb_sa_sk_secret").unwrap();
        let client = ClientBuilder::new().config(config).credentials(credentials).no_proxy().build().unwrap();
        let list = ListOrgInvites::new(ORG).unwrap();
        client.execute(&list).unwrap();
        assert_eq!(client.revoke_token().unwrap_err().status().map(|s| s.as_u16()), Some(503));
        assert_eq!(client.execute(&list).unwrap().meta.exchanges, 1, "the kept token, no new fetch");
        assert!(client.revoke_token().unwrap(), "revoked on the second try");
        assert!(!client.revoke_token().unwrap(), "then forgotten");
        let requests = server.finish();
        let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
        let invites = format!("/api/atlas/v2/orgs/{ORG}/invites");
        assert_eq!(targets, ["/api/oauth/token", &invites, "/api/oauth/revoke", &invites, "/api/oauth/revoke"]);
        assert_eq!(requests[3].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(requests[2].body, requests[4].body, "the same token, revoked again");
    }
}
