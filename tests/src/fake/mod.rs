//! A loopback fake of the MongoDB Atlas Administration API v2 invitation endpoints.
//!
//! [`FakeAtlas`] serves the 12 project and organization invitation operations on
//! `127.0.0.1` with hyper, behaving like Atlas where the facts are known
//! (`/work/shared/atlas-facts.md`):
//!
//! - **Digest** (realm `MMS Public API`, MD5, qop `auth`): 401 with a fresh 32-character
//!   base64 nonce and Atlas's JSON body; nonces expire (`stale=true`), (nonce, nc) pairs
//!   cannot be replayed, nc may arrive out of order. A nonce may be reused with a new nc, so
//!   a client that signs preemptively needs one round trip per call.
//! - **OAuth** service accounts: `POST /api/oauth/token` (Basic auth, rate limited per rolling
//!   minute) and `POST /api/oauth/revoke`; `Authorization: Bearer` on API calls.
//! - **Versioning**: `Accept: application/vnd.atlas.2023-01-01+json` or 406
//!   `INVALID_VERSION_DATE` (checked after authentication, as Atlas does).
//! - **Bodies and headers**: create answers 200, delete 204 with no body, lists are bare
//!   arrays, no `links`, `expiresAt` = `createdAt` + 30 days, `inviterUsername` is the public
//!   key or client id; `Deprecation`, `Sunset`, `Ratelimit-*` on invitation responses,
//!   `X-Error-Code` on errors; `envelope=true` and `pretty=true` honoured.
//! - **Faults** to inject ([`Fault`]) and **counters** to assert on ([`Counters`]).
//!
//! Choices where Atlas's behaviour is unknown (documented so tests do not over-trust them):
//! a second pending invitation for the same username answers 409 `INVITATION_ALREADY_EXISTS`;
//! a correctly signed request for a nonce the fake never issued (or forgot) is answered
//! `stale=true`; request body `Content-Type` is not checked; unknown body fields are ignored;
//! an update leaves `teamIds`/`groupRoleAssignments` unchanged when the body omits them;
//! 405 uses errorCode `METHOD_NOT_ALLOWED`; an enveloped error is
//! `{"status": <code>, "content": <error body>}`; faults and 401s are never enveloped.

mod body;
mod clock;
mod config;
mod counters;
mod digest;
mod faults;
mod oauth;
mod random;
mod ratelimit;
mod reply;
mod requests;
mod routes;
mod server;
mod service;
mod state;
mod users;

pub use config::FakeConfig;
pub use counters::Counters;
pub use faults::Fault;
pub use server::FakeAtlas;
pub use service::COUNTERS_PATH;
pub use users::{
    CANNOT_REMOVE_LAST_ROLE, INVALID_QUERY_PARAMETER, MembershipStatus, SeedUser, USER_ALREADY_HAS_ROLE,
    USER_ALREADY_IN_GROUP, USER_ALREADY_IN_ORG,
};
