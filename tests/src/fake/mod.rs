//! A loopback fake of the MongoDB Atlas Administration API v2: every operation of the
//! core's catalog (feature `fake-full`, on by default: all 540), the deprecated invitation
//! endpoints and the Cloud Users API that replaces them with hand-written behaviours.
//!
//! [`FakeAtlas`] serves, on `127.0.0.1` with hyper, the 12 project and organization invitation
//! operations and the 16 Cloud Users operations with hand-written behaviours, behaving like
//! Atlas where the facts are known (`atlas-facts.md`,
//! `cloud-users.md` in the project's shared notes), and every other operation with a **generic behaviour**
//! driven by the operation's catalog entry (the `generic` module: resources from the path's
//! structure, ids or names as keys, parents, JSON merge, Atlas's pages, lifecycles such as a
//! cluster's `CREATING` → `IDLE` on the fake's clock, actions answered with their documented
//! status; its assumptions about Atlas are listed there). A test can answer one operation its
//! own way ([`FakeAtlas::on`]), seed resources of any collection from any `Serialize` value
//! ([`FakeAtlas::seed_resource`]; why not: [`SeedError`]) and read them back
//! ([`FakeAtlas::resources`], typed with [`FakeAtlas::resources_as`], [`FakeAtlas::with_state`]).
//!
//! A cluster's lifecycle, in milliseconds of wall time:
//!
//! ```
//! use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
//! use serde_json::json;
//! use std::time::Duration;
//! let fake = FakeAtlas::start_with(FakeConfig { settle_time: Duration::from_secs(600), ..FakeConfig::default() })?;
//! let clusters = format!("/api/atlas/v2/groups/{}/clusters", fake.config().group_id);
//! fake.seed_resource(&clusters, json!({"name": "c0", "clusterType": "REPLICASET"}))?;
//! assert_eq!(fake.resources(&clusters)[0]["stateName"], "CREATING");
//! fake.advance(Duration::from_secs(600));
//! assert_eq!(fake.resources(&clusters)[0]["stateName"], "IDLE");
//! fake.with_state(|s| s.remove(&clusters, "c0"));
//! assert_eq!(fake.resources(&clusters)[0]["stateName"], "DELETING");
//! fake.advance(Duration::from_secs(600));
//! assert!(fake.resources(&clusters).is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - **Digest** (realm `MMS Public API`, MD5, qop `auth`): 401 with a fresh 32-character
//!   base64 nonce and Atlas's JSON body; nonces expire (`stale=true`), (nonce, nc) pairs
//!   cannot be replayed, nc may arrive out of order. A nonce may be reused with a new nc, so
//!   a client that signs preemptively needs one round trip per call.
//! - **OAuth** service accounts: `POST /api/oauth/token` (Basic auth, rate limited per rolling
//!   minute) and `POST /api/oauth/revoke`; `Authorization: Bearer` on API calls.
//! - **Versioning**: `Accept: application/vnd.atlas.<date>+json` (`+gzip`/`+csv` for a
//!   download) naming one of the endpoint's versions (2023-01-01 for invitations, 2025-02-19
//!   for Cloud Users, 2023-01-01 too where the spec keeps it) or 406 `INVALID_VERSION_DATE`
//!   (checked after authentication, as Atlas does); success bodies carry the negotiated media
//!   type. A version past its sunset date is 410 `VERSION_GONE`, for every operation (the
//!   invitation endpoints' 2023-01-01 from 2027-07-01), on the fake's clock whatever it is (the
//!   wall clock, moved with [`FakeAtlas::advance`], or set with [`FakeAtlas::set_clock`]), as
//!   Atlas answers; [`FakeConfig::serve_past_sunset`] serves them on instead, for a suite that
//!   must not depend on the day it runs (or set the clock before the sunsets it relies on). For the generic behaviour a version
//!   with a sunset date carries `Sunset` and `Deprecation` until it retires (assumed: the day
//!   its successor version appeared).
//! - **Cloud Users** (`users` module docs): PENDING users on create (201), 409 or replacement,
//!   statuses computed on the fake's clock, `{links, results, totalCount}` pages with absolute
//!   `next` links; deprecated org invitations show as PENDING users (another id), deprecated
//!   project invitations stay invisible to `/groups/{groupId}/users`.
//! - **Test hooks**: [`FakeAtlas::set_clock`], [`FakeAtlas::advance`],
//!   [`FakeAtlas::seed_org_user`], [`FakeAtlas::seed_users`], [`FakeAtlas::seed_invitation`],
//!   [`FakeAtlas::accept_invitation`], [`FakeAtlas::add_team`]; [`FakeAtlas::seed_from`] puts a
//!   cassette's objects in it, of every operation (what is seeded and ignored: [`SeedReport`]);
//!   over HTTP, [`CLOCK_PATH`] reads and moves the clock and [`COUNTERS_PATH`] serves the counters.
//! - **Invitation bodies and headers**: create answers 200, delete 204 with no body, lists are
//!   bare arrays, no `links`, `expiresAt` = `createdAt` + 30 days, `inviterUsername` is the
//!   public key or client id. `Ratelimit-*` on every API response, `Deprecation` and `Sunset`
//!   on deprecated versions, `X-Error-Code` on errors; `envelope=true` and `pretty=true`
//!   honoured.
//! - **Faults** to inject ([`Fault`]) and **counters** to assert on ([`Counters`]).
//! - **Request bodies** up to [`MAX_REQUEST_BODY_BYTES`](crate::bounded::MAX_REQUEST_BODY_BYTES)
//!   (1 MiB); a larger one is 413 `PAYLOAD_TOO_LARGE`, read no further than the cap.
//!
//! Choices where Atlas's behaviour is unknown (documented so tests do not over-trust them):
//! a second pending invitation for the same username answers 409 `INVITATION_ALREADY_EXISTS`;
//! a correctly signed request for a nonce the fake never issued (or forgot) is answered
//! `stale=true`; request body `Content-Type` is not checked; unknown body fields are ignored;
//! an update leaves `teamIds`/`groupRoleAssignments` unchanged when the body omits them;
//! 405 uses errorCode `METHOD_NOT_ALLOWED`; an enveloped error is
//! `{"status": <code>, "content": <error body>}`; faults and 401s are never enveloped; a
//! deprecated org invitation for someone already PENDING or ACTIVE through the Cloud Users API
//! is 409 `USER_ALREADY_EXISTS`; the Cloud Users choices are listed in the `users` module.

mod body;
mod clock;
mod config;
mod counters;
mod digest;
pub mod drift;
mod faults;
mod generic;
mod hooks;
mod incoming;
mod oauth;
mod paging;
mod random;
mod ratelimit;
mod recording;
mod reply;
mod requests;
mod resources;
pub(crate) mod routes;
pub mod schema;
mod seed;
mod seed_resources;
mod seeding;
mod server;
mod service;
pub(crate) mod shapes;
mod spec;
mod state;
mod users;
mod values;

pub use config::FakeConfig;
pub use counters::Counters;
pub use faults::Fault;
#[cfg(feature = "suites")]
pub(crate) use generic::percent_decode;
pub use generic::{ALREADY_EXISTS, HAS_CHILD_RESOURCES};
pub use hooks::{FakeReply, FakeRequest};
pub use paging::INVALID_QUERY_PARAMETER;
pub use recording::LoopbackSend;
pub use resources::FakeState;
pub use seed::{SeedAction, SeedEntry, SeedReport};
pub use seeding::SeedError;
pub use server::FakeAtlas;
pub use service::{CLOCK_PATH, COUNTERS_PATH};
pub use spec::ATLAS_STATUSES;
#[cfg(feature = "suites")]
pub(crate) use spec::{drop_unanswered, field_example, observed_status, request_example};
pub use users::{CANNOT_REMOVE_LAST_ROLE, SeedUser, USER_ALREADY_HAS_ROLE};
pub use values::example_value;
#[cfg(feature = "suites")]
pub(crate) use values::fresh_id;
