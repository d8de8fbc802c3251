//! [`FakeAtlas`]: the loopback server, its thread and runtime, and the state it shares with
//! the test that owns it.

use super::clock::Clock;
use super::config::FakeConfig;
use super::counters::Counters;
use super::digest::NonceTable;
use super::faults::{Fault, FaultQueue};
use super::hooks::{FakeReply, FakeRequest, Hook};
use super::oauth::TokenStore;
use super::ratelimit::Budgets;
use super::resources::FakeState;
use super::routes::Scope;
use super::seeding::SeedError;
use super::service;
use super::state::Store;
use super::users::SeedUser;
use atlas_admin_core::OrgMembershipStatus;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};
use tokio::sync::Notify;

/// Everything mutable, behind one lock (held briefly, never across an await).
pub(crate) struct Inner {
    pub(crate) counters: Counters,
    pub(crate) nonces: NonceTable,
    pub(crate) tokens: TokenStore,
    pub(crate) faults: FaultQueue,
    pub(crate) store: Store,
    pub(crate) budgets: Budgets,
    /// "Now" for stored data (invitations, users, expiry).
    pub(crate) clock: Clock,
    /// Users' behaviours by operationId ([`FakeAtlas::on`]).
    pub(crate) hooks: HashMap<&'static str, Hook>,
}

/// What the server tasks and the [`FakeAtlas`] handle share.
pub(crate) struct Shared {
    pub(crate) config: FakeConfig,
    inner: Mutex<Inner>,
}

impl Shared {
    /// The state; a panic elsewhere does not poison the fake for later requests.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A fake MongoDB Atlas Administration API on `127.0.0.1`, serving the 12 invitation
/// endpoints and the 16 Cloud Users endpoints with hand-written behaviours and every other
/// operation of the catalog with the generic one (see [the module](super)), with Atlas's
/// authentication (Digest and OAuth), headers, errors and quirks; test hooks move its clock,
/// seed users, invitations and resources, and replace an operation's behaviour.
///
/// It runs on its own thread with its own Tokio runtime, so plain synchronous tests can use
/// it; dropping it stops the server and closes its connections.
///
/// ```no_run
/// use atlas_admin_testing::fake::{FakeAtlas, Fault};
/// let fake = FakeAtlas::start();
/// let url = format!("{}/api/atlas/v2/groups/{}/invites", fake.base_url(), fake.config().group_id);
/// fake.inject(Fault::TooManyRequests { retry_after_secs: 1 }, 1);
/// // … drive a client against `url` …
/// assert_eq!(fake.counters().by_operation.get("listGroupInvites"), None);
/// ```
///
/// Users in any state, and time moved on:
///
/// ```
/// use atlas_admin_core::OrgMembershipStatus;
/// use atlas_admin_testing::fake::{FakeAtlas, SeedUser};
/// use std::time::Duration;
/// let fake = FakeAtlas::start();
/// fake.seed_org_user(SeedUser::new("ada@example.com", OrgMembershipStatus::Pending))?;
/// fake.seed_users(1234, OrgMembershipStatus::Active, true)?;
/// fake.advance(Duration::from_secs(31 * 86_400));
/// assert_eq!(fake.org_users()[0]["orgMembershipStatus"], "INVITATION_EXPIRED");
/// assert_eq!(fake.org_users().len(), 1235);
/// # Ok::<(), atlas_admin_testing::fake::SeedError>(())
/// ```
pub struct FakeAtlas {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Arc<Notify>,
    thread: Option<JoinHandle<()>>,
}

impl FakeAtlas {
    /// Starts a server with [`FakeConfig::default`] on an ephemeral port.
    ///
    /// # Panics
    /// If binding a loopback port or starting its thread fails.
    pub fn start() -> FakeAtlas {
        FakeAtlas::started(FakeConfig::default())
    }

    /// As [`start`](Self::start), serving versions past their sunset
    /// ([`FakeConfig::serve_past_sunset`]): for a suite that calls deprecated versions and must
    /// pass whatever the day it runs (this repository's own suites use it).
    ///
    /// # Panics
    /// If binding a loopback port or starting its thread fails.
    pub fn start_day_independent() -> FakeAtlas {
        FakeAtlas::started(FakeConfig { serve_past_sunset: true, ..FakeConfig::default() })
    }

    fn started(config: FakeConfig) -> FakeAtlas {
        match FakeAtlas::start_with(config) {
            Ok(fake) => fake,
            Err(e) => panic!("fake Atlas: cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Starts a server with `config`, listening on `127.0.0.1:config.port` (0 = ephemeral).
    pub fn start_with(mut config: FakeConfig) -> std::io::Result<FakeAtlas> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        config.port = addr.port();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let inner = Inner {
            counters: Counters::default(),
            nonces: NonceTable::new(config.nonce_lifetime),
            tokens: TokenStore::default(),
            faults: FaultQueue::default(),
            store: Store::default(),
            budgets: Budgets::default(),
            clock: Clock::default(),
            hooks: HashMap::new(),
        };
        let mut inner = inner;
        inner.store.users.teams.insert(config.team_id.clone());
        seed_demo(&mut inner.store.generic, &config);
        let shared = Arc::new(Shared { config, inner: Mutex::new(inner) });
        let shutdown = Arc::new(Notify::new());
        let thread = std::thread::Builder::new().name(format!("fake-atlas-{}", addr.port())).spawn({
            let shared = Arc::clone(&shared);
            let shutdown = Arc::clone(&shutdown);
            move || runtime.block_on(accept_loop(listener, shared, shutdown))
        })?;
        Ok(FakeAtlas { shared, addr, shutdown, thread: Some(thread) })
    }

    /// `http://127.0.0.1:PORT`, the base URL to give a client (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration in force; `port` is the port actually bound.
    pub fn config(&self) -> &FakeConfig {
        &self.shared.config
    }

    /// A snapshot of the counters.
    pub fn counters(&self) -> Counters {
        self.shared.lock().counters.clone()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        self.shared.lock().counters = Counters::default();
    }

    /// Queues `fault` for the next `times` API requests that pass authentication, routing and
    /// the version check. Faults are applied in the order injected (FIFO).
    pub fn inject(&self, fault: Fault, times: u32) {
        self.shared.lock().faults.push(fault, times, None);
    }

    /// Queues `fault` for the next `times` requests to `operation` (an operationId, such as
    /// `addGroupUsers`); requests to other operations pass it by. In the same FIFO as
    /// [`inject`](Self::inject).
    pub fn inject_on(&self, operation: &str, fault: Fault, times: u32) {
        self.shared.lock().faults.push(fault, times, Some(operation));
    }

    /// Makes every nonce issued so far stale: a correctly signed request using one gets 401
    /// with `stale=true` and a new nonce.
    pub fn expire_nonces(&self) {
        self.shared.lock().nonces.expire_all();
    }

    /// Invalidates every bearer token issued so far: using one gets 401.
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.expire_all();
    }

    /// The fake's clock: "now" for invitation and user timestamps and for expiry.
    pub fn now(&self) -> SystemTime {
        self.shared.lock().clock.now()
    }

    /// Freezes the fake's clock at `t` (authentication keeps real time). Versions retire on
    /// it: past a version's sunset the version answers 410 `VERSION_GONE` (unless
    /// [`FakeConfig::serve_past_sunset`](super::FakeConfig::serve_past_sunset)); a suite that
    /// calls deprecated versions sets it before their sunsets to pass whatever the day.
    pub fn set_clock(&self, t: SystemTime) {
        self.shared.lock().clock = Clock::Fixed(t);
    }

    /// Moves the fake's clock forward (the wall clock, or the instant set): e.g. 31 days turns
    /// PENDING users into `INVITATION_EXPIRED`, and moving past a version's sunset retires it
    /// (410 `VERSION_GONE`, unless
    /// [`FakeConfig::serve_past_sunset`](super::FakeConfig::serve_past_sunset)). A step past
    /// 9999-12-31T23:59:59Z leaves the clock where it was.
    pub fn advance(&self, d: Duration) {
        let _moved = self.shared.lock().clock.advance(d);
    }

    /// Puts an org user in any of the four known states into the fake; its user id, or
    /// [`SeedError::UnknownStatus`](super::SeedError::UnknownStatus) for another status.
    pub fn seed_org_user(&self, user: SeedUser) -> Result<String, SeedError> {
        super::seeding::known_status(&user.status)?;
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        Ok(inner.store.users.seed(user, &self.shared.config.public_key, now))
    }

    /// Seeds `n` users `user{i}@example.com` (i from 0) in `status` with org role
    /// `ORG_MEMBER` and, if `in_project`, `GROUP_READ_ONLY` in the demo project: one pass, for
    /// pagination tests (20,000 take well under a second). A status other than the four
    /// known ones is [`SeedError::UnknownStatus`](super::SeedError::UnknownStatus), and
    /// nothing is seeded.
    pub fn seed_users(&self, n: usize, status: OrgMembershipStatus, in_project: bool) -> Result<(), SeedError> {
        self.seed_users_with_statuses(n, &[status], in_project)
    }

    /// Like [`seed_users`](Self::seed_users), with the statuses taken in turn: user `i` is in
    /// `statuses[i % statuses.len()]` (`[Pending, Active]` seeds user0 PENDING, user1 ACTIVE,
    /// user2 PENDING...), so a mix is the same on every run. Nothing is seeded when `statuses`
    /// is empty; one that is not of the four known statuses is an error and nothing is seeded.
    pub fn seed_users_with_statuses(
        &self,
        n: usize,
        statuses: &[OrgMembershipStatus],
        in_project: bool,
    ) -> Result<(), SeedError> {
        statuses.iter().try_for_each(super::seeding::known_status)?;
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        let group = &self.shared.config.group_id;
        for (i, status) in statuses.iter().cycle().take(n).enumerate() {
            let mut seed = SeedUser::new(format!("user{i}@example.com"), status.clone());
            if in_project {
                seed = seed.group_roles(group, ["GROUP_READ_ONLY"]);
            }
            inner.store.users.seed(seed, &self.shared.config.public_key, now);
        }
        Ok(())
    }

    /// Seeds a pending invitation through the deprecated endpoints' state, created at
    /// `created` (use a time 31 days back for an expired one). `org` picks the organization
    /// (then a PENDING org user with another id mirrors it) or the project (invisible to the
    /// Cloud Users endpoints). Its invitation id.
    pub fn seed_invitation(&self, org: bool, username: &str, roles: &[&str], created: SystemTime) -> String {
        let scope = if org { Scope::Org } else { Scope::Project };
        let roles = roles.iter().map(|r| (*r).to_owned()).collect();
        self.shared.lock().store.seed_invitation(scope, username, roles, &self.shared.config.public_key, created)
    }

    /// `username` accepts its pending invitations (project and org): Atlas deletes them and
    /// the user becomes ACTIVE, with the invited project roles. Its user id, or `None` if it
    /// had neither an invitation nor a user.
    pub fn accept_invitation(&self, username: &str) -> Option<String> {
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        inner.store.accept_invitation(username, &self.shared.config.group_id, now)
    }

    /// Puts the objects of `cassette`'s answers (invitations, users, their roles) in the
    /// fake under their recorded ids, so it answers the recorded reads with them; what was
    /// seeded and ignored is reported (the rules: [`SeedReport`](super::SeedReport)).
    pub fn seed_from(&self, cassette: &crate::cassette::Cassette) -> super::SeedReport {
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        super::seed::seed(&mut inner.store, &self.shared.config, cassette, now)
    }

    /// Adds a team to the demo organization; its id.
    pub fn add_team(&self) -> String {
        let id = super::random::object_id();
        let mut inner = self.shared.lock();
        inner.store.users.teams.insert(id.clone());
        let teams = format!("/api/atlas/v2/orgs/{}/teams", self.shared.config.org_id);
        inner.store.generic.insert(&teams, &id, object(json!({"id": id, "name": format!("team-{id}")})), false);
        id
    }

    /// Answers `operation` (an operationId or alias of the catalog) with `behaviour` instead of
    /// the fake's own (hand-written or generic), from now on: a closure over the request and
    /// the generic behaviour's state. It runs with the fake locked: it must not call the fake.
    /// Errors if this build's catalog has no such operation.
    ///
    /// ```
    /// use atlas_admin_testing::fake::{FakeAtlas, FakeReply};
    /// let fake = FakeAtlas::start();
    /// fake.on("listGroupInvites", |req, _state| {
    ///     FakeReply::error(503, "SERVICE_UNAVAILABLE", &format!("{} is down", req.operation_id))
    /// })
    /// .unwrap();
    /// assert!(fake.on("noSuchOperation", |_, _| FakeReply::empty(204)).is_err());
    /// ```
    pub fn on(
        &self,
        operation: &str,
        behaviour: impl Fn(&FakeRequest, &mut FakeState) -> FakeReply + Send + Sync + 'static,
    ) -> Result<(), String> {
        let endpoint = atlas_admin_core::catalog::find(operation)
            .ok_or_else(|| format!("{operation:?} is not an operation of this build's catalog"))?;
        self.shared.lock().hooks.insert(endpoint.operation_id, Arc::new(behaviour));
        Ok(())
    }

    /// Runs `f` on the generic behaviour's state, on the fake's clock: to seed, inspect or
    /// change resources in ways [`seed_resource`](Self::seed_resource) and
    /// [`resources`](Self::resources) do not.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut FakeState) -> R) -> R {
        let mut inner = self.shared.lock();
        let now = inner.clock.now();
        inner.store.generic.at(now, self.shared.config.settle_time);
        f(&mut inner.store.generic)
    }

    /// Puts a resource in the collection at `collection` (a concrete path such as
    /// `/api/atlas/v2/groups/<id>/clusters`, any collection of the catalog), keyed as a POST
    /// would key it (a fresh id, or the name in `body`), starting its lifecycle if it has one.
    /// `body` is any value that serializes to a JSON object: `json!({...})`, a model of the
    /// core, a struct of yours. Its key; or why not ([`SeedError`](super::SeedError): not an
    /// object, not a collection, a path parameter its pattern refuses, a parent that does not
    /// exist, a body without the field the item is keyed by). Nothing is stored on an error.
    ///
    /// ```
    /// use atlas_admin_testing::fake::{FakeAtlas, SeedError};
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// #[serde(rename_all = "camelCase")]
    /// struct Cluster { name: String, cluster_type: String }
    /// let fake = FakeAtlas::start();
    /// let clusters = format!("/api/atlas/v2/groups/{}/clusters", fake.config().group_id);
    /// let c0 = Cluster { name: "c0".into(), cluster_type: "REPLICASET".into() };
    /// assert_eq!(fake.seed_resource(&clusters, &c0)?, "c0");
    /// let read: Vec<Cluster> = fake.resources_as(&clusters)?;
    /// assert_eq!(read[0].cluster_type, "REPLICASET");
    /// // A cluster of a project that does not exist.
    /// let orphan = fake.seed_resource("/api/atlas/v2/groups/aaaaaaaaaaaaaaaaaaaaaaaa/clusters", &c0);
    /// assert!(matches!(orphan, Err(SeedError::MissingParent { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seed_resource(&self, collection: &str, body: impl Serialize) -> Result<String, SeedError> {
        let body = super::seeding::object_of(&body)?;
        self.with_state(|s| super::seeding::seed_resource(s, collection, body))
    }

    /// The resources of the collection at `collection` (a concrete path), in creation order,
    /// as a GET would read them now.
    pub fn resources(&self, collection: &str) -> Vec<Value> {
        self.with_state(|s| s.resources(collection.trim_end_matches('/')))
    }

    /// The resources of the collection at `collection`, as [`resources`](Self::resources)
    /// reads them, decoded as `T` (a model of the core, a struct of yours); a
    /// [`SeedError::Decode`](super::SeedError::Decode) if one does not decode.
    pub fn resources_as<T: DeserializeOwned>(&self, collection: &str) -> Result<Vec<T>, SeedError> {
        super::seeding::decode_all(collection, self.resources(collection))
    }

    /// The users as `listOrgUsers` would answer them, every status, in creation order (for
    /// assertions without HTTP).
    pub fn org_users(&self) -> Vec<serde_json::Value> {
        let inner = self.shared.lock();
        let now = inner.clock.now();
        inner.store.users.all().map(|u| u.org_json(now)).collect()
    }
}

impl Drop for FakeAtlas {
    fn drop(&mut self) {
        self.shutdown.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for FakeAtlas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeAtlas").field("addr", &self.addr).finish_non_exhaustive()
    }
}

/// Accepts connections until `shutdown`; returning drops the runtime, which cancels every
/// connection task and so closes their sockets.
async fn accept_loop(listener: std::net::TcpListener, shared: Arc<Shared>, shutdown: Arc<Notify>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("fake Atlas: cannot register the listener: {e}");
            return;
        }
    };
    loop {
        let accepted = tokio::select! {
            () = shutdown.notified() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                tokio::spawn(serve_connection(stream, Arc::clone(&shared)));
            }
            // Out of file descriptors or similar: back off briefly instead of spinning.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// Serves one connection with hyper until the client closes it or a `CloseConnection` fault
/// aborts it (dropping the connection future closes the socket without a response).
async fn serve_connection(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let abort = Arc::new(Notify::new());
    let service = service_fn({
        let abort = Arc::clone(&abort);
        move |req| {
            let shared = Arc::clone(&shared);
            let abort = Arc::clone(&abort);
            async move { Ok::<_, Infallible>(service::handle(shared, abort, req).await) }
        }
    });
    let mut builder = http1::Builder::new();
    // Atlas (through its proxies) sends `Www-Authenticate`, `Ratelimit-Limit`, …
    builder.title_case_headers(true);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        () = abort.notified() => {}
    }
}

/// `value`'s members (none if it is not an object).
fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The demo project, organization and team, as the generic behaviour's parents.
fn seed_demo(state: &mut FakeState, config: &FakeConfig) {
    let (g, o, t) = (&config.group_id, &config.org_id, &config.team_id);
    state.insert("/api/atlas/v2/groups", g, object(json!({"id": g, "name": config.group_name, "orgId": o})), false);
    state.insert("/api/atlas/v2/orgs", o, object(json!({"id": o, "name": config.org_name})), false);
    state.insert(
        &format!("/api/atlas/v2/orgs/{o}/teams"),
        t,
        object(json!({"id": t, "name": "fake-atlas-team"})),
        false,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<FakeAtlas>();
    }
}
