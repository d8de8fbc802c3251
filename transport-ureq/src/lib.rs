//! # atlas-admin-ureq
//!
//! A blocking client for the MongoDB Atlas Administration API v2, built on
//! [ureq 3](https://docs.rs/ureq/3) with rustls. It covers the project and organization
//! invitation endpoints (deprecated) and the Cloud Users API that replaces them
//! ([`ops`]), walks paginated lists ([`Client::pages`], [`Client::all`]), and moves pending
//! invitations to the Cloud Users API ([`Client::migration_plan`], [`Client::migrate`]; the
//! guide is [`migrating`]).
//!
//! All protocol decisions live in the sans-IO core, [`atlas_admin_core`] (re-exported as
//! [`core`]): building requests, HTTP Digest and OAuth service-account auth, retry advice
//! (`Retry-After`, backoff, idempotency), envelope unwrapping and decoding. This crate only
//! sends requests, sleeps when the core asks, reads responses under a size cap, and tells the
//! core how a transport failure happened.
//!
//! ## Example
//!
//! ```no_run
//! use atlas_admin_ureq::{Client, GroupInvitationRequest, ProjectRole};
//! use atlas_admin_ureq::ops::UpdateGroupInvites;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // MONGODB_ATLAS_PUBLIC_API_KEY + MONGODB_ATLAS_PRIVATE_API_KEY (Digest), or
//! // MONGODB_ATLAS_CLIENT_ID + MONGODB_ATLAS_CLIENT_SECRET (service account).
//! let client = Client::from_env()?;
//!
//! let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly])?;
//! let op = UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", body)?;
//! match client.execute(&op) {
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
//! connection pool and an [`Exchange`] observer:
//!
//! ```no_run
//! use atlas_admin_ureq::{Client, RetryPolicy};
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
//! A [`Client`] is cheap to clone and `Send + Sync`. All clones share one
//! [`Session`](crate::core::Session): one Digest challenge (then one round trip per
//! call), one OAuth token, one connection pool.
//!
//! ## Transport behaviour
//!
//! - HTTP error statuses are answers, not transport errors: the core turns them into
//!   [`Error::Api`] (with `errorCode`, `detail`...) or [`Error::Decode`].
//! - Redirects are never followed: a 3xx reaches the core as an undecodable answer.
//! - Timeouts: connect (default 10 s) and one whole exchange (default 60 s).
//! - Response bodies over the cap (default 4 MiB) fail with
//!   [`TransportErrorKind::BodyTooLarge`].
//! - TLS: rustls with Mozilla's roots, or exactly the CAs of [`ClientBuilder::ca_pem`].
//! - Proxy: `ALL_PROXY` / `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` unless
//!   [`ClientBuilder::proxy`] or [`ClientBuilder::no_proxy`] says otherwise.
//! - The `User-Agent` and `Accept` headers are the core's; ureq adds none of its own.
//! - Failures are classified so the core retries only when it is safe:
//!   [`Connect`](TransportErrorKind::Connect) (refused, DNS, TLS handshake, connect timeout:
//!   nothing was sent), [`Timeout`](TransportErrorKind::Timeout),
//!   [`Io`](TransportErrorKind::Io) (reset or closed after sending, truncated or malformed
//!   response), [`BodyTooLarge`](TransportErrorKind::BodyTooLarge),
//!   [`HeadersTooLarge`](TransportErrorKind::HeadersTooLarge) (a response head over 64 KiB or
//!   128 headers; never retried),
//!   [`Refused`](TransportErrorKind::Refused) (the request could not be sent at all).
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
mod tls;

pub use atlas_admin_core as core;
pub use atlas_admin_core::prelude::*;
pub use builder::{ClientBuilder, Ureq};
pub use client::Client;
pub use pages::{Items, Pages};

/// The guide from the invitations to the Cloud Users API (`MIGRATING.md`); its snippets are
/// compiled as doctests.
#[doc = include_str!("../MIGRATING.md")]
pub mod migrating {}
