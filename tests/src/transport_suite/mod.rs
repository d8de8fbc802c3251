//! The transport-level scenarios every transport must pass, written once: what goes over a
//! real socket (Digest signing and `nc` sequencing, the headers sent), how failures are
//! classified (refused, over the body cap, closed mid-response, redirects, timeouts, 404s),
//! OAuth token sharing and revocation, TLS with a custom or unknown CA, and the settings a
//! builder refuses or must not show. They run against the [canned server](crate::canned), not
//! the fake Atlas (that is the [conformance suite](crate::conformance)).
//!
//! A transport implements [`Transport`] in its test crate (its [`Connect`] type, and how to
//! run calls on its client) and instantiates every scenario as a `#[test]` with
//! [`transport_suite!`](crate::transport_suite!), next to the conformance suite (which any
//! [`Transport`] runs through [`Connected`]):
//!
//! ```ignore
//! use atlas_admin_testing::transport_suite::{Connected, Outcome, SharedOp, Transport};
//! struct Ureq;
//! impl Transport for Ureq {
//!     const NAME: &'static str = "ureq";
//!     atlas_admin_testing::transport_by_name!(atlas_admin_ureq);
//!     fn execute<O: Operation>(client: &Client, op: &O) -> Outcome<O> {
//!         client.execute(op)
//!     }
//!     // revoke_token, execute_on_clones
//! }
//! atlas_admin_testing::conformance_suite!(Connected<Ureq>);
//! atlas_admin_testing::transport_suite!(Ureq);
//! ```
//!
//! Clients are built with the real, generic [`ClientBuilder`] of the core over the
//! transport's [`Connect`] type ([`Builder<T>`]), so the scenarios exercise exactly the
//! builder users call, and a new setting needs no test plumbing.

pub mod digest;
pub mod faults;
pub mod oauth;
pub mod settings;
pub mod sunset;
pub mod tls;

use crate::canned::{PRIVATE_KEY, PUBLIC_KEY, fast_retry};
use crate::conformance::Driver;
/// What [`Transport::on_sunset`] hands the client (re-exported for [`transport_by_name!`](crate::transport_by_name!)).
pub use atlas_admin_core::SunsetHook;
use atlas_admin_core::transport::{ClientBuilder, Connect};
use atlas_admin_core::{ApiResponse, Config, Error, Operation, Session};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

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

/// A transport under test: its [`Connect`] type (what the core's builder builds with) and how
/// to run calls on its client, which are blocking from the scenario's point of view (an async
/// transport blocks on its runtime). The first half is usually
/// [`transport_by_name!`](crate::transport_by_name!).
pub trait Transport: Sized + 'static {
    /// A short name (`"ureq"`), shown in the User-Agent of the scenarios.
    const NAME: &'static str;
    /// The transport, as the type parameter of the core's [`ClientBuilder`].
    type Connect: Connect<Client = Self::Client>;
    /// The client it builds.
    type Client: Clone + fmt::Debug + Send + Sync + 'static;

    /// The client's accessors.
    fn facts(client: &Self::Client) -> ClientFacts<'_>;
    /// Runs one operation to completion.
    fn execute<O: Operation>(client: &Self::Client, op: &O) -> Outcome<O>;
    /// `client.revoke_token()`.
    fn revoke_token(client: &Self::Client) -> Result<bool, Error>;
    /// Runs `op` once on each of `n` clones of `client` at the same time, each on its own
    /// thread (blocking) or task (async), and returns the results.
    fn execute_on_clones<O: SharedOp>(client: &Self::Client, op: &O, n: usize) -> Vec<Outcome<O>>;
    /// `client.on_sunset(hook)`.
    fn on_sunset(client: &Self::Client, hook: SunsetHook);
}

/// The builder of transport `T`: the core's [`ClientBuilder`] (what `T`'s `Client::builder()` returns).
pub type Builder<T> = ClientBuilder<<T as Transport>::Connect>;

/// What running the operation `O` gives.
pub type Outcome<O> = Result<ApiResponse<<O as Operation>::Output>, Error>;

/// An operation that can be sent to other threads or tasks, with its output.
pub trait SharedOp: Operation<Output: Send + 'static> + Clone + Send + Sync + 'static {}

impl<O: Operation<Output: Send + 'static> + Clone + Send + Sync + 'static> SharedOp for O {}

/// The builder of a client of the canned server at `base_url`: API key ([`PUBLIC_KEY`],
/// [`PRIVATE_KEY`]), fast retries, no proxy, seed 7.
pub fn canned_builder<T: Transport>(base_url: &str) -> Builder<T> {
    Builder::<T>::new().base_url(base_url).api_key(PUBLIC_KEY, PRIVATE_KEY).retry(fast_retry()).no_proxy().seed(7)
}

/// A client of the canned server at `base_url` ([`canned_builder`]), with `more` settings.
pub fn canned_client<T: Transport>(base_url: &str, more: impl FnOnce(Builder<T>) -> Builder<T>) -> T::Client {
    more(canned_builder::<T>(base_url)).build().expect("a client of the canned server")
}

/// Any [`Transport`] as a conformance [`Driver`]: the scenario's builder builds its client.
pub struct Connected<T: Transport>(pub T::Client);

impl<T: Transport> Driver for Connected<T> {
    type Connect = T::Connect;

    fn connect(builder: Builder<T>) -> Self {
        Connected(builder.build().expect("the scenario's settings build a client"))
    }

    fn execute<O: Operation + Send + Sync>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O::Output: Send,
    {
        T::execute(&self.0, op)
    }
}

/// Polls `future` to completion on this thread with no async runtime: an executor that is
/// not Tokio, for showing what a transport does outside one.
pub fn block_on<F: Future>(future: F) -> F::Output {
    /// Unparks the polling thread.
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

/// The first half of a [`Transport`] impl for a transport crate `$krate` that exports
/// `Client` and its `ClientBuilder` alias: the [`Connect`] type behind that alias, the
/// client's accessors and its Sunset hook. Use it inside the `impl Transport` block.
#[macro_export]
macro_rules! transport_by_name {
    ($krate:ident) => {
        type Connect = <$krate::ClientBuilder as $crate::transport_suite::BuilderOf>::Connect;
        type Client = $krate::Client;

        fn facts(client: &Self::Client) -> $crate::transport_suite::ClientFacts<'_> {
            $crate::transport_suite::ClientFacts {
                config: client.config(),
                session: client.session(),
                connect_timeout: client.connect_timeout(),
                timeout: client.timeout(),
                max_response_bytes: client.max_response_bytes(),
            }
        }

        fn on_sunset(client: &Self::Client, hook: $crate::transport_suite::SunsetHook) {
            client.on_sunset(move |warning| hook(warning));
        }
    };
}

/// The transport `T` of a `ClientBuilder<T>`, so [`transport_by_name!`](crate::transport_by_name!)
/// can name a transport by its crate's builder alias.
pub trait BuilderOf {
    /// `T`.
    type Connect: Connect;
}

impl<T: Connect> BuilderOf for ClientBuilder<T> {
    type Connect = T;
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
            the_call_deadline_bounds_the_exchange_in_flight,
            http_errors_are_answers_not_transport_errors, plain_http_never_goes_through_a_proxy);
        $crate::transport_suite!(@topic $transport; oauth:
            one_token_serves_calls_and_is_revoked, revoke_refusal_is_an_error, api_key_clients_have_nothing_to_revoke);
        $crate::transport_suite!(@topic $transport; tls:
            custom_ca_is_trusted, unknown_ca_fails_the_handshake_as_connect);
        $crate::transport_suite!(@topic $transport; sunset:
            a_sunset_date_in_the_spec_warns_without_the_header, a_deprecated_operation_without_a_sunset_date_warns);
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
