//! # atlas-admin-hyper
//!
//! An async client for the MongoDB Atlas Administration API v2, built on
//! [hyper 1](https://docs.rs/hyper/1) and rustls, on Tokio (feature `tokio`, the default) or on
//! smol's async-io (feature `smol`, for smol, async-std or any executor).
//! It covers the project and organization invitation endpoints (deprecated) and the Cloud
//! Users API that replaces them ([`ops`]), streams paginated lists ([`Client::pages`],
//! [`Client::all`]), and moves pending invitations to the Cloud Users API
//! ([`Client::migration_plan`], [`Client::migrate`]; the guide is `atlas_admin_ureq::migrating`,
//! whose operations this client takes too).
//!
//! All protocol decisions live in the sans-IO core, [`atlas_admin_core`] (re-exported as
//! [`core`]): building requests, HTTP Digest and OAuth service-account auth, retry advice
//! (`Retry-After`, backoff, idempotency), envelope unwrapping and decoding. This crate only
//! sends requests, sleeps when the core asks, reads responses under a size cap and a time
//! limit, and tells the core how a transport failure happened. It offers the same surface as
//! the blocking `atlas-admin-ureq` crate, with `async` methods.
//!
//! ## Example
//!
//! ```no_run
//! use atlas_admin_hyper::{Client, GroupInvitationRequest, ProjectRole};
//! use atlas_admin_hyper::ops::UpdateGroupInvites;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY (Digest), or
//! // MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET (service account).
//! let client = Client::from_env()?;
//!
//! let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly])?;
//! let op = UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", body)?;
//! match client.execute(&op).await {
//!     Ok(response) => {
//!         println!("invitation {:?} now has roles {:?}", response.value.id, response.value.roles);
//!         if let Some(sunset) = &response.meta.sunset {
//!             println!("this endpoint goes away at {}", sunset.unix_seconds());
//!         }
//!     }
//!     Err(e) if e.is_not_found() => println!("no pending invitation for that user"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## Building a client
//!
//! [`Client::builder`] sets the base URL, API version, User-Agent, [`RetryPolicy`],
//! credentials, timeouts, the response size cap, a custom CA bundle, the proxy, the
//! connection pool and an [`Exchange`] observer. Building needs no runtime; a call polled inside
//! a Tokio runtime runs on Tokio, any other on async-io if the `smol` feature is on (else it
//! fails with [`TransportErrorKind::NoRuntime`] before sending anything; it does not panic).
//!
//! ```no_run
//! use atlas_admin_hyper::{Client, RetryPolicy};
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder()
//!     .service_account("mdb_sa_id_1234", "mdb_sa_sk_secret")
//!     .retry(RetryPolicy::default().with_max_attempts(3))
//!     .timeout(Duration::from_secs(30))
//!     .on_exchange(|exchange| eprintln!("{exchange}")) // method, URI, status, time; no secrets
//!     .build()?;
//! # let _ = client;
//! # Ok(())
//! # }
//! ```
//!
//! A [`Client`] is cheap to clone and `Send + Sync`, and its futures are `Send`: spawn as
//! many tasks as you like. All clones share one [`Session`](crate::core::Session): one
//! Digest challenge (then one round trip per call), one OAuth token (fetched once however
//! many tasks need it), one connection pool.
//!
//! ## Cancellation
//!
//! Dropping a call's future mid-flight (`tokio::time::timeout`, `select!`, an aborted task)
//! is safe: no lock is held across an `.await`, the connection in use is closed, and a token
//! fetch the call was leading is handed to the next call that needs a token.
//!
//! ## Transport behaviour
//!
//! - HTTP error statuses are answers, not transport errors: the core turns them into
//!   [`Error::Api`] (with `errorCode`, `detail`...) or [`Error::Decode`].
//! - Redirects are never followed (hyper does not): a 3xx reaches the core as an
//!   undecodable answer.
//! - Timeouts come from the runtime (Tokio's or async-io's timer), since hyper has none:
//!   connect (DNS + TCP + proxy tunnel + TLS, default 10 s) and one whole exchange including
//!   the response body (default 60 s).
//! - Response bodies over the cap (default 4 MiB) fail with
//!   [`TransportErrorKind::BodyTooLarge`].
//! - TLS: rustls with Mozilla's roots, or exactly the CAs of [`ClientBuilder::ca_pem`]; the
//!   process-default `CryptoProvider` if the application installed one (e.g. aws-lc-rs for
//!   post-quantum key exchange), else ring (as ureq does). Never installs a process default.
//!   HTTP/1.1 with keep-alive pooling.
//! - Proxy: `https` requests go through an HTTP proxy in a `CONNECT` tunnel (TLS end to end)
//!   from `HTTPS_PROXY` / `ALL_PROXY` (and `NO_PROXY`), unless [`ClientBuilder::proxy`] or
//!   [`ClientBuilder::no_proxy`] says otherwise. Only `http://` proxies (with optional
//!   `user:password@`, sent as `Proxy-Authorization: Basic`); plain `http` base URLs
//!   (loopback test servers) always connect directly. A proxy that refuses the tunnel is a
//!   [`Connect`](TransportErrorKind::Connect) failure.
//! - The `User-Agent` and `Accept` headers are the core's; hyper adds only `Host` and
//!   `Content-Length`.
//! - Failures are classified so the core retries only when it is safe:
//!   [`Connect`](TransportErrorKind::Connect) (DNS, refused, proxy tunnel, TLS handshake,
//!   connect timeout: nothing was sent), [`Timeout`](TransportErrorKind::Timeout) (the exchange limit),
//!   [`Io`](TransportErrorKind::Io) (reset or closed after sending, truncated or malformed
//!   response), [`BodyTooLarge`](TransportErrorKind::BodyTooLarge),
//!   [`HeadersTooLarge`](TransportErrorKind::HeadersTooLarge) (a response head over 64 KiB or
//!   128 headers, the same limits as ureq; never retried),
//!   [`Refused`](TransportErrorKind::Refused) (the request could not be sent at all).
//!
//! ## Runtimes
//!
//! - Feature `tokio` (default): hyper-util's pooled client over Tokio's sockets, executor and
//!   timer; rustls through hyper-rustls.
//! - Feature `smol`: hyper's HTTP/1.1 connections over async-io's sockets and timer, rustls
//!   through futures-rustls, and a keep-alive pool whose connections are driven by the calls
//!   using them (no executor needed). Without `tokio` the crate needs no Tokio runtime, IO or
//!   timer at all (hyper itself still uses tokio's `sync` channels).
//!
//! With both, each call picks by where it runs: inside a Tokio runtime, Tokio (pooled
//! connections stay with the runtime that opened them, so use one client per Tokio runtime);
//! anywhere else, async-io. On a runtime of neither family, run the blocking
//! `atlas-admin-ureq` client on that runtime's blocking pool, or drive the core's
//! [`driver::run`](atlas_admin_core::driver::run) with a send function of your own: the
//! README's "Another async runtime" shows both.
//!
//! No `Debug` or `Display` output of this crate shows a private key, client secret, token or
//! `Authorization` header value.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod builder;
mod client;
mod driver;
mod io;
mod migrate;
mod pages;
mod proxy;
mod runtime;
#[cfg(feature = "smol")]
mod smol_client;
mod tls;
#[cfg(feature = "tokio")]
mod tokio_client;

pub use atlas_admin_core as core;
pub use atlas_admin_core::prelude::*;
pub use builder::{ClientBuilder, DEFAULT_POOL_IDLE_TIMEOUT, Hyper};
pub use client::Client;
pub use pages::{ItemStream, PageStream, StreamOp};
