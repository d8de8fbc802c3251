//! A test kit for code that calls the MongoDB Atlas Administration API v2 through
//! `atlas-admin-ureq` (blocking) or `atlas-admin-hyper` (async): test your own code with no Atlas
//! account, no credentials and, except for the fake, no socket. Add it as a dev-dependency:
//!
//! ```toml
//! [dev-dependencies]
//! atlas-admin-testing = "0.1"
//! ```
//!
//! | module | what it gives you | network |
//! |---|---|---|
//! | [`doubles`] | [`Scripted`](doubles::Scripted): a hand-scripted [`Execute`]/[`ExecuteAsync`] double that records every call | none |
//! | [`cassette`] | record real exchanges once (secrets scrubbed, the recorder refuses to save one), replay them with no network | none on replay |
//! | [`fake`] (feature `fake`, default) | [`FakeAtlas`](fake::FakeAtlas): a loopback HTTP fake of Atlas serving every operation of the API (Digest, OAuth, faults; invitations and Cloud Users hand-written, the rest by a generic behaviour: resources from the path's structure, Atlas's pages, clusters `CREATING` → `IDLE` after a [settle time](fake::FakeConfig::settle_time) on the fake's clock); your own behaviour for an operation ([`on`](fake::FakeAtlas::on)), seeding ([`seed_resource`](fake::FakeAtlas::seed_resource)) and inspection ([`resources`](fake::FakeAtlas::resources)) | `127.0.0.1` only |
//! | [`fixtures`] | recorded Atlas responses and documented bodies, embedded in the crate, as `http::Response` | none |
//! | [`files`] | [`write_atomically`](files::write_atomically): a file replaced whole or not at all (temporary file, sync, rename), as cassettes are saved | none |
//! | [`clock`] | a virtual clock ([`Now`](atlas_admin_core::Now)) for driving the core's call machine step by step | none |
//! | [`bounded`] | reading input with a size cap (at most N bytes from a reader or file, a typed error past it) and the caps of the programs' inputs | none |
//! | [`stdio`] | printing that drops its output on a closed stdout or stderr instead of panicking (the binaries and examples use it) | none |
//!
//! Write the code under test against the [`Execute`] trait (or [`ExecuteAsync`]), which the real
//! clients, [`Scripted`](doubles::Scripted) and the cassette [`Player`](cassette::Player) all
//! implement; a test then picks the double that fits.
//!
//! # Testing your own code
//!
//! One function, tested three ways. The code under test adds a user to an organization unless
//! Atlas already has them, and is generic over [`Execute`]:
//!
//! ```
//! use atlas_admin_core::ops::{CreateOrgUser, ListOrgUsers};
//! use atlas_admin_core::{ApiResponse, Error, ErrorCode, Execute, Operation, OrgRole, OrgUserRequest, OrgUserRolesRequest};
//! use atlas_admin_testing::cassette::{Auth, Player};
//! use atlas_admin_testing::fake::FakeAtlas;
//!
//! /// Adds `email` to `org` as a member unless it is already there; whether it added.
//! fn add_once<E: Execute>(atlas: &E, org: &str, email: &str) -> Result<bool, Error> {
//!     let found = atlas.execute(&ListOrgUsers::new(org)?.username(email)?)?.value;
//!     if !found.results.is_empty() {
//!         return Ok(false);
//!     }
//!     let roles = OrgUserRolesRequest::new([OrgRole::OrgMember])?;
//!     atlas.execute(&CreateOrgUser::new(org, OrgUserRequest::new(email, roles)?)?)?;
//!     Ok(true)
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // 1. The fake Atlas, through the real blocking client: Digest, state and Atlas's answers.
//! let fake = FakeAtlas::start();
//! let (c, org) = (fake.config().clone(), fake.config().org_id.clone());
//! let client = atlas_admin_ureq::Client::builder()
//!     .base_url(&fake.base_url())
//!     .api_key(c.public_key, c.private_key)
//!     .build()?;
//! assert!(add_once(&client, &org, "ada@example.com")?);
//! assert!(!add_once(&client, &org, "ada@example.com")?); // the second time she is found
//!
//! // 2. A cassette: recorded once (here against a fresh fake; against Atlas, wrap the real
//! //    client's `send` in a `Recording`), then replayed with no server, socket or credentials.
//! let path = std::env::temp_dir().join(format!("add_once-{}.json", std::process::id()));
//! let fake = FakeAtlas::start();
//! let recording = fake.recording(Auth::ApiKey, atlas_admin_core::Config::default())?;
//! assert!(add_once(&recording, &org, "ada@example.com")?);
//! assert!(!add_once(&recording, &org, "ada@example.com")?);
//! recording.recorder().save(&path)?; // scrubbed; refused if a secret is left in it
//! drop(fake);
//! let player = Player::load(&path)?;
//! assert!(add_once(&player, &org, "ada@example.com")?);
//! assert!(!add_once(&player, &org, "ada@example.com")?);
//! player.assert_done(); // every recorded exchange was asked for, nothing else
//! # std::fs::remove_file(&path)?;
//!
//! // 3. A double by hand: one method; answers decoded from JSON, errors from a status and code.
//! struct Forbidden;
//! impl Execute for Forbidden {
//!     fn execute<O>(&self, _op: &O) -> Result<ApiResponse<O::Output>, Error>
//!     where
//!         O: Operation,
//!         O::Output: Send + 'static,
//!     {
//!         Err(Error::api(http::StatusCode::FORBIDDEN, ErrorCode::IpAddressNotOnAccessList))
//!     }
//! }
//! let refused = add_once(&Forbidden, &org, "ada@example.com").unwrap_err();
//! assert!(refused.is_forbidden());
//! # Ok(())
//! # }
//! ```
//!
//! In a test suite, [`cassette::CassetteClient::open`] with [`cassette::Mode::from_env`] does
//! the record-once step: it records when the file is missing and replays otherwise, and always
//! replays when `CI` is set. A double that answers with values rather than errors is
//! [`Scripted`](doubles::Scripted) below, or `atlas_admin_core::parse_response(op, response,
//! now)` on a recorded `http::Response`.
//!
//! ## A hand-scripted double
//!
//! Answers per operation, in order; an unscripted call panics, so a test never passes on an
//! answer nobody wrote:
//!
//! ```
//! use atlas_admin_core::ops::GetOrgUser;
//! use atlas_admin_core::{Error, Execute, OrgUser};
//! use atlas_admin_testing::doubles::Scripted;
//!
//! let atlas = Scripted::new();
//! atlas.ok::<GetOrgUser>(OrgUser::active("ada@example.com"));
//! let user = Execute::execute(&atlas, &GetOrgUser::new("a0123456789abcdef012345a", "5f8d0a1b2c3d4e5f6a7b8c9d")?)?;
//! assert_eq!(user.value.username.as_deref(), Some("ada@example.com"));
//! atlas.assert_done();
//! # Ok::<(), Error>(())
//! ```
//!
//! ## A cassette
//!
//! A cassette is recorded once (from the fake or from live Atlas, see [`cassette`]) and replayed
//! by a [`Player`](cassette::Player): requests are matched by meaning, the Digest challenges and
//! token exchanges replay too, and waits pass on a virtual clock. This one ships with the crate
//! (in your tests, the path is your own cassette's):
//!
//! ```
//! use atlas_admin_core::ops::CreateGroupInvite;
//! use atlas_admin_core::{Execute, GroupInvitationRequest, ProjectRole};
//! use atlas_admin_testing::cassette::Player;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let player = Player::load(concat!(env!("CARGO_MANIFEST_DIR"), "/cassettes/invitation_lifecycle_api_key.json"))?;
//! let body = GroupInvitationRequest::new("cassette.user@example.com", [ProjectRole::GroupReadOnly])?;
//! let created = player.execute(&CreateGroupInvite::new("32b6e34b3d91647abb20e7b8", body)?)?;
//! assert_eq!(created.meta.status, 200);
//! assert_eq!(created.meta.exchanges, 2); // the Digest challenge, then the signed request
//! // A test replaying the whole recording ends with `player.assert_done()`.
//! # Ok(())
//! # }
//! ```
//!
//! ## The fake Atlas
//!
//! A real HTTP server on `127.0.0.1`, so the real client runs end to end (authentication,
//! retries, pagination); [`Fault`](fake::Fault)s inject what is hard to get from Atlas:
//!
//! ```
//! use atlas_admin_core::ops::ListGroupInvites;
//! use atlas_admin_testing::fake::FakeAtlas;
//! use atlas_admin_ureq::{Client, Execute};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeAtlas::start();
//! let c = fake.config().clone();
//! let client = Client::builder().base_url(&fake.base_url()).api_key(c.public_key, c.private_key).build()?;
//! let invites = client.execute(&ListGroupInvites::new(&c.group_id)?)?;
//! assert!(invites.value.is_empty());
//! assert_eq!(fake.counters().requests, 2); // Digest: the challenge, then the signed request
//! # Ok(())
//! # }
//! ```
//!
//! ### A cluster's lifecycle on the fake's clock
//!
//! The fake serves every operation of the API (a generic behaviour where none is hand-written,
//! see [`fake`]), and a cluster takes time to become ready: `CREATING` until the fake's
//! [`settle_time`](fake::FakeConfig::settle_time) has passed on *its* clock, then `IDLE`. So
//! code that waits for a cluster is tested without waiting: the test hands it a pause that
//! advances the fake's clock instead of sleeping, and the whole lifecycle (create, wait until
//! `IDLE`, list, delete, 404) runs in milliseconds of wall time:
//!
//! ```
//! use atlas_admin_core::{Execute, catalog};
//! use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
//! use serde_json::{Value, json};
//! use std::time::Duration;
//!
//! type Failure = Box<dyn std::error::Error>;
//!
//! /// The code under test: creates cluster `name` in project `group` and polls it every 30 s
//! /// (`pause`: a sleep in production) until it is `IDLE`, for at most an hour.
//! fn create_and_wait<E: Execute>(atlas: &E, group: &str, name: &str, mut pause: impl FnMut(Duration)) -> Result<Value, Failure> {
//!     let body = json!({"name": name, "clusterType": "REPLICASET"});
//!     atlas.execute(&catalog::call("createGroupCluster")?.param("groupId", group)?.json(&body)?)?;
//!     for _ in 0..120 {
//!         let get = catalog::call("getGroupCluster")?.param("groupId", group)?.param("clusterName", name)?;
//!         let cluster = atlas.execute(&get)?.value;
//!         if cluster["stateName"] == "IDLE" {
//!             return Ok(cluster);
//!         }
//!         pause(Duration::from_secs(30));
//!     }
//!     Err(format!("{name} is not IDLE after an hour").into())
//! }
//!
//! # fn main() -> Result<(), Failure> {
//! let fake = FakeAtlas::start_with(FakeConfig { settle_time: Duration::from_secs(10 * 60), ..FakeConfig::default() })?;
//! let c = fake.config().clone();
//! let client = atlas_admin_ureq::Client::builder()
//!     .base_url(&fake.base_url())
//!     .api_key(c.public_key, c.private_key)
//!     .build()?;
//! let g = c.group_id.as_str();
//!
//! // Create and wait: the pauses move the fake's clock, nobody sleeps.
//! let mut pauses = 0;
//! let cluster = create_and_wait(&client, g, "Cluster0", |d| {
//!     pauses += 1;
//!     fake.advance(d);
//! })?;
//! assert_eq!((cluster["name"].as_str(), cluster["stateName"].as_str()), (Some("Cluster0"), Some("IDLE")));
//! assert_eq!(pauses, 20); // ten minutes of 30 s pauses, on the fake's clock
//!
//! // List (walked page by page, one cluster a page).
//! let list = catalog::call("listGroupClusters")?.param("groupId", g)?.param("itemsPerPage", "1")?.paginated()?;
//! let names: Vec<Value> = client.all(list).map(|c| c.map(|c| c["name"].clone())).collect::<Result<_, _>>()?;
//! assert_eq!(names, [json!("Cluster0")]);
//!
//! // Delete: 202, `DELETING` for the settle time, then gone: 404 with Atlas's error.
//! let item = |op: &str| catalog::call(op)?.param("groupId", g)?.param("clusterName", "Cluster0");
//! assert_eq!(client.execute(&item("deleteGroupCluster")?)?.meta.status, 202);
//! assert_eq!(client.execute(&item("getGroupCluster")?)?.value["stateName"], "DELETING");
//! fake.advance(Duration::from_secs(10 * 60));
//! let gone = client.execute(&item("getGroupCluster")?).unwrap_err();
//! assert!(gone.is_not_found());
//! assert_eq!(gone.error_code(), Some("RESOURCE_NOT_FOUND"));
//! assert_eq!(fake.counters().by_operation["getGroupCluster"], 23); // 21 polls, 2 after the delete
//! # Ok(())
//! # }
//! ```
//!
//! `cargo install atlas-admin-testing` also installs the `fake-atlas` binary, which serves the
//! same fake for tests in other languages or by hand.
//!
//! ## Recorded responses
//!
//! For code that handles a response itself, or to drive the core's call machine directly:
//!
//! ```
//! use atlas_admin_testing::fixtures;
//!
//! let throttled = fixtures::response("error_429_rate_limited");
//! assert_eq!(throttled.status(), 429);
//! ```
//!
//! # Features
//!
//! - `fake` (on by default): the loopback fake Atlas (module [`fake`] and the
//!   `fake-atlas` binary), a hyper server on a Tokio runtime of its own. Without it
//!   (`default-features = false`) the crate builds no async stack: doubles, cassettes (which
//!   record and replay async calls on any runtime), recorded responses and the virtual clock
//!   are all there, which is what the tests of code on the blocking client usually need.
//! - `suites` (off; implies `fake`): the repository's own cross-transport suites (`conformance`,
//!   `transport_suite`), the canned-response server they drive (`canned`, with TLS), the
//!   vendored spec they read from the checkout (`spec`) and the quickstart examples' scaffolding
//!   (`quickstart`). The transports' tests enable it; it is not
//!   a stable API for users.
//!
//! [`Execute`]: atlas_admin_core::Execute
//! [`ExecuteAsync`]: atlas_admin_core::ExecuteAsync
pub mod bounded;
#[cfg(feature = "suites")]
pub mod canned;
pub mod cassette;
pub mod clock;
#[cfg(feature = "suites")]
pub mod conformance;
pub mod doubles;
#[cfg(feature = "fake")]
pub mod fake;
pub mod files;
pub mod fixtures;
#[cfg(feature = "suites")]
pub mod pages_ahead;
#[cfg(feature = "suites")]
pub mod quickstart;
pub mod sockets;
#[cfg(feature = "suites")]
pub mod spec;
pub mod stdio;
#[cfg(feature = "suites")]
pub mod transport_suite;
