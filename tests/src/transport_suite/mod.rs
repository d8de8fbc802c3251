//! The transport-level scenarios every transport must pass, written once: what goes over a
//! real socket (Digest signing and `nc` sequencing, the headers sent), how failures are
//! classified (refused, over the body cap, closed mid-response, redirects, timeouts, 404s),
//! OAuth token sharing and revocation, TLS with a custom or unknown CA, and the settings a
//! builder refuses or must not show. They run against the [canned server](crate::canned), not
//! the fake Atlas (that is the [conformance suite](crate::conformance)).
//!
//! A transport implements [`Transport`] in its test crate and instantiates every scenario as a
//! `#[test]` with [`transport_suite!`](crate::transport_suite!), next to the conformance suite
//! (which any [`Transport`] runs through [`Connected`]):
//!
//! ```ignore
//! use atlas_admin_tests::transport_suite::{Connected, Outcome, SharedOp, Transport};
//! struct Ureq;
//! impl Transport for Ureq {
//!     const NAME: &'static str = "ureq";
//!     atlas_admin_tests::transport_by_name!(atlas_admin_ureq);
//!     fn execute<O: Operation>(client: &Client, op: &O) -> Outcome<O> {
//!         client.execute(op)
//!     }
//!     // revoke_token, execute_on_clones
//! }
//! atlas_admin_tests::conformance_suite!(Connected<Ureq>);
//! atlas_admin_tests::transport_suite!(Ureq);
//! ```
//!
//! Builders are reached only through their public setters, by name
//! ([`transport_by_name!`](crate::transport_by_name!) expands in the transport's test crate),
//! so the scenarios do not care how a builder is implemented.

pub mod digest;
pub mod faults;
pub mod oauth;
pub mod settings;
pub mod tls;

use crate::canned::{PRIVATE_KEY, PUBLIC_KEY, fast_retry};
use crate::conformance::{ClientSpec, Driver};
use atlas_admin_core::env::EnvError;
use atlas_admin_core::{
    ApiResponse, Config, Credentials, Error, InvalidInput, Observer, Operation, RetryPolicy, Session,
};
use std::fmt;
use std::time::Duration;

/// One builder setter, applied in order by [`Transport::set`] (so "the first error wins" can
/// be tested). Each variant is the builder method of the same name.
pub enum Setting {
    /// `base_url(url)`.
    BaseUrl(String),
    /// `user_agent(agent)`.
    UserAgent(String),
    /// `credentials(credentials)`.
    Credentials(Credentials),
    /// `api_key(public_key, private_key)` (checked at build).
    ApiKey(String, String),
    /// `service_account(client_id, client_secret)` (checked at build).
    ServiceAccount(String, String),
    /// `retry(policy)`.
    Retry(RetryPolicy),
    /// `connect_timeout(limit)`.
    ConnectTimeout(Duration),
    /// `timeout(limit)`.
    Timeout(Duration),
    /// `max_response_bytes(cap)`.
    MaxResponseBytes(u64),
    /// `ca_pem(bundle)`.
    CaPem(Vec<u8>),
    /// `proxy(url)`.
    Proxy(String),
    /// `no_proxy()`.
    NoProxy,
    /// `on_exchange(observer)`.
    OnExchange(Observer),
    /// `seed(seed)`.
    Seed(u64),
}

/// What a transport's `BuildError` is, for scenarios that check the variant.
#[derive(Debug)]
pub enum BuildErrorKind<'a> {
    /// `BuildError::InvalidInput`.
    InvalidInput(&'a InvalidInput),
    /// `BuildError::Env`.
    Env(&'a EnvError),
    /// `BuildError::InvalidCa`.
    InvalidCa,
    /// `BuildError::InvalidProxy`.
    InvalidProxy,
    /// Any other variant.
    Other,
}

/// What a built client reports about itself.
pub struct ClientFacts<'a> {
    /// `config()`.
    pub config: &'a Config,
    /// `session()`.
    pub session: &'a Session,
    /// `connect_timeout()`.
    pub connect_timeout: Duration,
    /// `timeout()`.
    pub timeout: Duration,
    /// `max_response_bytes()`.
    pub max_response_bytes: u64,
}

/// A transport under test. The builder half is usually [`transport_by_name!`](crate::transport_by_name!);
/// the calls are blocking from the scenario's point of view (an async transport blocks on its
/// runtime).
pub trait Transport: Sized + 'static {
    /// A short name (`"ureq"`), shown in the User-Agent of the scenarios.
    const NAME: &'static str;
    /// The client.
    type Client: Clone + fmt::Debug + Send + Sync + 'static;
    /// The client builder.
    type Builder: fmt::Debug;
    /// Why a client could not be built.
    type BuildError: std::error::Error + 'static;

    /// `Client::builder()`.
    fn builder() -> Self::Builder;
    /// Applies one setter.
    fn set(builder: Self::Builder, setting: Setting) -> Self::Builder;
    /// `ClientBuilder::from_env_lookup(lookup)`.
    fn from_env_lookup(lookup: &mut dyn FnMut(&str) -> Option<String>) -> Result<Self::Builder, Self::BuildError>;
    /// `builder.build()`.
    fn build(builder: Self::Builder) -> Result<Self::Client, Self::BuildError>;
    /// `Client::new(config, credentials)`.
    fn new(config: Config, credentials: Credentials) -> Result<Self::Client, Self::BuildError>;
    /// Which variant `error` is.
    fn build_error_kind(error: &Self::BuildError) -> BuildErrorKind<'_>;
    /// The client's accessors.
    fn facts(client: &Self::Client) -> ClientFacts<'_>;

    /// Runs one operation to completion.
    fn execute<O: Operation>(client: &Self::Client, op: &O) -> Outcome<O>;
    /// `client.revoke_token()`.
    fn revoke_token(client: &Self::Client) -> Result<bool, Error>;
    /// Runs `op` once on each of `n` clones of `client` at the same time, each on its own
    /// thread (blocking) or task (async), and returns the results.
    fn execute_on_clones<O: SharedOp>(client: &Self::Client, op: &O, n: usize) -> Vec<Outcome<O>>;
}

/// What running the operation `O` gives.
pub type Outcome<O> = Result<ApiResponse<<O as Operation>::Output>, Error>;

/// An operation that can be sent to other threads or tasks, with its output.
pub trait SharedOp: Operation<Output: Send + 'static> + Clone + Send + Sync + 'static {}

impl<O: Operation<Output: Send + 'static> + Clone + Send + Sync + 'static> SharedOp for O {}

/// A builder with `settings` applied in order.
pub fn configure<T: Transport>(settings: impl IntoIterator<Item = Setting>) -> T::Builder {
    settings.into_iter().fold(T::builder(), T::set)
}

/// Builds a client with `settings` applied in order.
pub fn try_build<T: Transport>(settings: impl IntoIterator<Item = Setting>) -> Result<T::Client, T::BuildError> {
    T::build(configure::<T>(settings))
}

/// The settings of a client of the canned server at `base_url`: API key
/// ([`PUBLIC_KEY`], [`PRIVATE_KEY`]), fast retries, no proxy, seed 7.
pub fn canned_settings(base_url: &str) -> Vec<Setting> {
    vec![
        Setting::BaseUrl(base_url.to_owned()),
        Setting::ApiKey(PUBLIC_KEY.to_owned(), PRIVATE_KEY.to_owned()),
        Setting::Retry(fast_retry()),
        Setting::NoProxy,
        Setting::Seed(7),
    ]
}

/// A client of the canned server at `base_url` ([`canned_settings`]), then `more` settings.
pub fn canned_client<T: Transport>(base_url: &str, more: impl IntoIterator<Item = Setting>) -> T::Client {
    try_build::<T>(canned_settings(base_url).into_iter().chain(more)).expect("a client of the canned server")
}

/// Any [`Transport`] as a conformance [`Driver`]: the [`ClientSpec`] goes through the builder.
pub struct Connected<T: Transport>(pub T::Client);

impl<T: Transport> Driver for Connected<T> {
    fn connect(spec: ClientSpec) -> Self {
        let ClientSpec { base_url, credentials, retry, timeout, max_response_bytes } = spec;
        let client = try_build::<T>([
            Setting::BaseUrl(base_url),
            Setting::Credentials(credentials),
            Setting::Retry(retry),
            Setting::Timeout(timeout),
            Setting::MaxResponseBytes(max_response_bytes),
        ]);
        Connected(client.expect("the spec builds a client"))
    }

    fn execute<O: Operation + Send + Sync>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O::Output: Send,
    {
        T::execute(&self.0, op)
    }
}

/// The builder half of a [`Transport`] impl for a transport crate `$krate` that exports
/// `Client`, `ClientBuilder` and `BuildError`, calling the public methods by name. Use it
/// inside the `impl Transport` block.
#[macro_export]
macro_rules! transport_by_name {
    ($krate:ident) => {
        type Client = $krate::Client;
        type Builder = $krate::ClientBuilder;
        type BuildError = $krate::BuildError;

        fn builder() -> Self::Builder {
            <$krate::Client>::builder()
        }

        fn set(builder: Self::Builder, setting: $crate::transport_suite::Setting) -> Self::Builder {
            use $crate::transport_suite::Setting as S;
            match setting {
                S::BaseUrl(url) => builder.base_url(&url),
                S::UserAgent(agent) => builder.user_agent(agent),
                S::Credentials(credentials) => builder.credentials(credentials),
                S::ApiKey(public_key, private_key) => builder.api_key(public_key, private_key),
                S::ServiceAccount(id, secret) => builder.service_account(id, secret),
                S::Retry(policy) => builder.retry(policy),
                S::ConnectTimeout(limit) => builder.connect_timeout(limit),
                S::Timeout(limit) => builder.timeout(limit),
                S::MaxResponseBytes(cap) => builder.max_response_bytes(cap),
                S::CaPem(pem) => builder.ca_pem(pem),
                S::Proxy(url) => builder.proxy(&url),
                S::NoProxy => builder.no_proxy(),
                S::OnExchange(observer) => builder.on_exchange(move |e| observer(e)),
                S::Seed(seed) => builder.seed(seed),
            }
        }

        fn from_env_lookup(lookup: &mut dyn FnMut(&str) -> Option<String>) -> Result<Self::Builder, Self::BuildError> {
            <$krate::ClientBuilder>::from_env_lookup(lookup)
        }

        fn build(builder: Self::Builder) -> Result<Self::Client, Self::BuildError> {
            builder.build()
        }

        fn new(
            config: $crate::transport_suite::reexport::Config,
            credentials: $crate::transport_suite::reexport::Credentials,
        ) -> Result<Self::Client, Self::BuildError> {
            <$krate::Client>::new(config, credentials)
        }

        fn build_error_kind(error: &Self::BuildError) -> $crate::transport_suite::BuildErrorKind<'_> {
            use $crate::transport_suite::BuildErrorKind as K;
            use $krate::BuildError as E;
            match error {
                E::InvalidInput(e) => K::InvalidInput(e),
                E::Env(e) => K::Env(e),
                E::InvalidCa(_) => K::InvalidCa,
                E::InvalidProxy(_) => K::InvalidProxy,
                _ => K::Other,
            }
        }

        fn facts(client: &Self::Client) -> $crate::transport_suite::ClientFacts<'_> {
            $crate::transport_suite::ClientFacts {
                config: client.config(),
                session: client.session(),
                connect_timeout: client.connect_timeout(),
                timeout: client.timeout(),
                max_response_bytes: client.max_response_bytes(),
            }
        }
    };
}

/// Core types the [`transport_by_name!`](crate::transport_by_name!) expansion names, so a
/// transport's test crate needs no direct dependency on the core.
#[doc(hidden)]
pub mod reexport {
    pub use atlas_admin_core::{Config, Credentials};
}

/// One `#[test]` per transport scenario for the [`Transport`] `$transport`, in one module per
/// topic (`digest::…`, `faults::…`, `oauth::…`, `tls::…`, `settings::…`).
#[macro_export]
macro_rules! transport_suite {
    ($transport:ty) => {
        $crate::transport_suite!(@topic $transport; digest:
            challenge_then_preemptive_nc_increments, clones_share_the_digest_session,
            observer_sees_every_exchange_but_no_secret);
        $crate::transport_suite!(@topic $transport; faults:
            connection_refused_is_connect_and_retried_boundedly,
            body_over_the_cap_is_body_too_large_with_content_length, chunked_body_over_the_cap_is_body_too_large,
            oversized_response_head_is_headers_too_large, thousands_of_headers_are_headers_too_large_and_not_retried,
            close_mid_response_is_io_and_a_create_is_not_retried, close_mid_response_on_an_idempotent_get_is_retried,
            close_before_any_response_is_io, redirect_is_not_followed, slow_server_hits_the_exchange_timeout,
            http_errors_are_answers_not_transport_errors, plain_http_never_goes_through_a_proxy);
        $crate::transport_suite!(@topic $transport; oauth:
            one_token_serves_calls_and_is_revoked, revoke_refusal_is_an_error, api_key_clients_have_nothing_to_revoke);
        $crate::transport_suite!(@topic $transport; tls:
            custom_ca_is_trusted, unknown_ca_fails_the_handshake_as_connect);
        $crate::transport_suite!(@topic $transport; settings:
            from_env_with_only_a_public_key_names_the_missing_variable, from_env_other_half_set_pairs_and_conflicts,
            from_env_builds_with_base_url_and_default, credentials_over_plain_http_to_a_remote_host_are_refused,
            invalid_settings_surface_at_build, debug_never_shows_a_secret, defaults_and_clone_are_cheap);
    };
    (@topic $transport:ty; $topic:ident: $($name:ident),* $(,)?) => {
        mod $topic {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $name() {
                    $crate::transport_suite::$topic::$name::<$transport>();
                }
            )*
        }
    };
}
