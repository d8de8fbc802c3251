//! Cassettes recorded through this crate's IO (`Client::send`) with the async `Recording`,
//! replayed with no server through `ExecuteAsync` and `Execute`, and compared with the same
//! flow recorded through the blocking ureq client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use atlas_admin_hyper::core::driver::{SendResult, run};
use atlas_admin_hyper::core::{Blocking, Execute, ExecuteAsync, Now, Outgoing, Purpose, ResponseMeta, Session};
use atlas_admin_hyper::ops::{
    CreateGroupInvite, DeleteGroupInvite, GetGroupInvite, ListGroupInvites, UpdateGroupInviteById, UpdateGroupInvites,
};
use atlas_admin_hyper::{
    Client, Config, Error, GroupInvitationRequest, GroupInvitationUpdateRequest, ProjectRole, TransportErrorKind,
};
use atlas_admin_testing::cassette::{Auth, Cassette, CassetteClient, Mode, Player, Recorder, Recording};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, Fault};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const USER: &str = "cassette.user@example.com";

fn fake() -> FakeAtlas {
    FakeAtlas::start_with(FakeConfig { serve_past_sunset: true, ..FakeConfig::recognisable() }).unwrap()
}

/// The async send function of a hyper client (it owns a clone, so the future owns it too).
type AsyncSend = Box<dyn FnMut(Outgoing) -> Pin<Box<dyn Future<Output = SendResult> + Send>> + Send>;
/// The blocking send function of a ureq client.
type BlockingSend = Box<dyn FnMut(Outgoing) -> SendResult + Send>;

fn session_and_recorder(fake: &FakeAtlas, auth: Auth) -> (Session, Recorder) {
    fake.recording_parts(auth, Config::default()).unwrap()
}

/// Moves requests with a credential-less hyper client: the recording's session signs them.
fn hyper_send(fake: &FakeAtlas) -> AsyncSend {
    let client = Client::builder().base_url(&fake.base_url()).build().unwrap();
    Box::new(move |out| {
        let client = client.clone();
        Box::pin(async move { client.send(out).await })
    })
}

/// An async recording through the hyper client, waiting with Tokio's timer.
fn hyper_recording(fake: &FakeAtlas, auth: Auth) -> Recording<AsyncSend> {
    let (session, recorder) = session_and_recorder(fake, auth);
    Recording::new_async(session, recorder, hyper_send(fake), tokio::time::sleep)
}

/// A blocking recording through the ureq client.
fn ureq_recording(fake: &FakeAtlas, auth: Auth) -> Recording<BlockingSend> {
    let (session, recorder) = session_and_recorder(fake, auth);
    let client = atlas_admin_ureq::Client::builder().base_url(&fake.base_url()).build().unwrap();
    Recording::new(session, recorder, Box::new(move |out| client.send(out)) as BlockingSend)
}

/// The user's async code under test: the invitation lifecycle, one line per call.
async fn lifecycle<A: ExecuteAsync>(atlas: &A, group: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut line = |op: &str, meta: &ResponseMeta, what: String| {
        out.push(format!("{op} {} exchanges={} attempts={} {what}", meta.status, meta.exchanges, meta.attempts));
    };
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly])?;
    let created = atlas.execute(&CreateGroupInvite::new(group, body)?).await?;
    let id = created.value.id.clone().map(|i| i.to_string()).unwrap_or_default();
    line("create", &created.meta, format!("{id} {:?}", created.value.roles));
    let listed = atlas.execute(&ListGroupInvites::new(group)?.username(USER)?).await?;
    line("list", &listed.meta, format!("{}", listed.value.len()));
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupBackupManager])?;
    let updated = atlas.execute(&UpdateGroupInvites::new(group, body)?).await?;
    line("update", &updated.meta, format!("{:?}", updated.value.roles));
    let roles = GroupInvitationUpdateRequest::new([ProjectRole::GroupClusterManager, ProjectRole::GroupReadOnly])?;
    let by_id = atlas.execute(&UpdateGroupInviteById::new(group, &id, roles)?).await?;
    line("update_by_id", &by_id.meta, format!("{:?}", by_id.value.roles));
    let got = atlas.execute(&GetGroupInvite::new(group, &id)?).await?;
    line("get", &got.meta, format!("{:?} {:?}", got.value.roles, got.value.created_at));
    let deleted = atlas.execute(&DeleteGroupInvite::new(group, &id)?).await?;
    line("delete", &deleted.meta, String::new());
    let gone = atlas.execute(&GetGroupInvite::new(group, &id)?).await.map(|_| ()).unwrap_err();
    out.push(format!("get after delete: not found {}", gone.is_not_found()));
    Ok(out)
}

/// A line up to its attempts (ids and dates differ between two servers).
fn shape(line: &str) -> String {
    line.split_inclusive(' ').take_while(|w| !w.starts_with("attempts=")).collect::<String>()
        + line.split(" attempts=").nth(1).map_or("", |rest| &rest[..1])
}

/// Each exchange's purpose, method, path shape and status (or failure).
fn steps(cassette: &Cassette) -> Vec<String> {
    cassette
        .interactions
        .iter()
        .map(|i| {
            let outcome = i.ok().map_or_else(|| "error".to_owned(), |r| r.status.to_string());
            format!("{:?} {} {} {outcome}", i.purpose, i.request.method, i.request.path.len())
        })
        .collect()
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cassette-async-{name}-{}.json", std::process::id()))
}

/// Records the lifecycle through hyper (async) and through ureq (blocking), then replays the
/// hyper cassette with no server through `ExecuteAsync` and through `Execute`.
fn record_both_and_replay(auth: Auth) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake_async = fake();
    let group = fake_async.config().group_id.clone();
    let recording = hyper_recording(&fake_async, auth);
    let recorded = rt.block_on(lifecycle(&recording, &group)).unwrap();
    let requests = fake_async.counters().requests;
    let path = tmp(&format!("{auth:?}"));
    let cassette = recording.recorder().save(&path).unwrap();
    assert_eq!(u64::try_from(cassette.interactions.len()).unwrap(), requests, "every exchange is kept");
    drop(fake_async); // nothing listens any more: replay opens no socket.

    let fake_blocking = fake();
    let blocking = ureq_recording(&fake_blocking, auth);
    let recorded_blocking = rt.block_on(lifecycle(&Blocking(&blocking), &group)).unwrap();
    let cassette_blocking = blocking.recorder().cassette().unwrap();
    drop(fake_blocking);
    assert_eq!(
        recorded.iter().map(|l| shape(l)).collect::<Vec<_>>(),
        recorded_blocking.iter().map(|l| shape(l)).collect::<Vec<_>>(),
        "the same statuses and exchange counts through either transport"
    );
    assert_eq!(steps(&cassette), steps(&cassette_blocking), "the same exchanges recorded");

    let text = std::fs::read_to_string(&path).unwrap();
    for secret in FakeConfig::recognisable().forbidden_in_cassettes() {
        assert!(!text.contains(&secret), "the cassette holds {secret}");
    }

    let player = Player::load(&path).unwrap();
    assert_eq!(rt.block_on(lifecycle(&player, &group)).unwrap(), recorded, "replayed through ExecuteAsync");
    player.assert_done();
    // Through Execute: Blocking adapts the player's blocking face back to the async code.
    let player = Player::load(&path).unwrap();
    let through_execute = Blocking(AsExecute(&player));
    assert_eq!(rt.block_on(lifecycle(&through_execute, &group)).unwrap(), recorded, "replayed through Execute");
    player.assert_done();
    assert_eq!(player.answered(), cassette.interactions.len());
    std::fs::remove_file(path).unwrap();
}

/// Only the player's `Execute` face (so `Blocking` cannot pick its `ExecuteAsync`).
struct AsExecute<'a>(&'a Player);

impl Execute for AsExecute<'_> {
    fn execute<O>(&self, op: &O) -> Result<atlas_admin_hyper::ApiResponse<O::Output>, Error>
    where
        O: atlas_admin_hyper::core::Operation,
        O::Output: Send + 'static,
    {
        Execute::execute(self.0, op)
    }
}

#[test]
fn an_api_key_lifecycle_recorded_through_hyper_replays_like_the_ureq_recording() {
    record_both_and_replay(Auth::ApiKey);
}

#[test]
fn a_service_account_lifecycle_recorded_through_hyper_replays_like_the_ureq_recording() {
    record_both_and_replay(Auth::ServiceAccount);
}

/// The async recording awaits the caller's sleep for a `Retry-After` (Tokio's, noting what it
/// was asked: one real second), records the wait, and a connection reset is recorded as an
/// `io` failure; the replay asks the same waits on its virtual clock, at once.
#[tokio::test]
async fn async_waits_use_the_callers_sleep_and_failures_replay() {
    let fake = fake();
    let group = fake.config().group_id.clone();
    let (session, recorder) = session_and_recorder(&fake, Auth::ApiKey);
    let asked = Arc::new(Mutex::new(Vec::new()));
    let noted = Arc::clone(&asked);
    let sleep = move |d: Duration| {
        noted.lock().unwrap().push(d);
        tokio::time::sleep(d)
    };
    let recording = Recording::new_async(session, recorder, hyper_send(&fake), sleep);
    let list = ListGroupInvites::new(&group).unwrap();
    fake.inject(Fault::ServiceUnavailable { retry_after_secs: Some(1) }, 1);
    let started = Instant::now();
    let first = ExecuteAsync::execute(&recording, &list).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "the wait really passed");
    // On the real clock the core asks what is left of the second once the 503 is in.
    let asked: Vec<Duration> = asked.lock().unwrap().clone();
    let total: Duration = asked.iter().sum();
    assert!(
        total > Duration::from_millis(500) && total <= Duration::from_secs(1),
        "through the caller's sleep: {asked:?}"
    );
    assert_eq!(first.meta.waited, Duration::from_secs(1));
    fake.inject(Fault::CloseConnection, 1);
    let second = ExecuteAsync::execute(&recording, &list).await.unwrap();
    assert_eq!(second.meta.attempts, 2, "the reset cost one retry");
    let cassette = recording.recorder().cassette().unwrap();
    drop(fake);
    let replay_started = Instant::now();
    let failed: Vec<_> = cassette.interactions.iter().filter_map(|i| i.response.as_ref().err()).collect();
    assert_eq!(failed.iter().map(|e| e.kind).collect::<Vec<_>>(), vec![TransportErrorKind::Io]);

    let player = Player::new(cassette).unwrap();
    let replayed = ExecuteAsync::execute(&player, &list).await.unwrap();
    assert_eq!(replayed.meta.exchanges, first.meta.exchanges);
    assert_eq!(replayed.meta.waited, Duration::from_secs(1), "the Retry-After, whole, on the virtual clock");
    let replayed = ExecuteAsync::execute(&player, &list).await.unwrap();
    assert_eq!((replayed.meta.attempts, replayed.meta.exchanges), (second.meta.attempts, second.meta.exchanges));
    assert_eq!(player.waits().len(), 2, "Retry-After, then the backoff: {:?}", player.waits());
    assert_eq!(player.waits()[0], Duration::from_secs(1));
    assert_eq!(player.recorded_waits().len(), asked.len() + 1, "every wait was recorded");
    assert!(replay_started.elapsed() < Duration::from_secs(1), "the replay's waits passed on its virtual clock");
    player.assert_done();
}

/// `CassetteClient` over the async send: `once` records through hyper, then replays.
#[tokio::test]
async fn the_cassette_client_records_once_then_replays_for_async_code() {
    let path = tmp("once");
    let _ = std::fs::remove_file(&path);
    let fake = fake();
    let group = fake.config().group_id.clone();
    let first = CassetteClient::open(&path, Mode::Once, || hyper_recording(&fake, Auth::ServiceAccount)).unwrap();
    assert!(first.is_recording());
    let recorded = lifecycle(&first, &group).await.unwrap();
    first.finish().unwrap();
    drop(fake);
    let second = CassetteClient::<AsyncSend>::open(&path, Mode::Once, || unreachable!("it exists")).unwrap();
    assert!(!second.is_recording());
    assert_eq!(lifecycle(&second, &group).await.unwrap(), recorded);
    second.finish().unwrap();
    std::fs::remove_file(path).unwrap();
}

/// `Client::send` bounds the exchange by the request's `time_left` (the call's deadline), as
/// the client's own driver does: a slow answer fails as a timeout naming the deadline.
#[tokio::test]
async fn send_is_bounded_by_the_time_left() {
    let fake = fake();
    fake.inject(Fault::Slow(Duration::from_secs(5)), 1);
    let client = Client::builder().base_url(&fake.base_url()).build().unwrap();
    let config = Config::default().with_base_url(&fake.base_url()).unwrap();
    let session = Session::new(config, fake.credentials(Auth::ApiKey).unwrap(), 1).unwrap();
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly]).unwrap();
    let create = CreateGroupInvite::new(fake.config().group_id.clone(), body).unwrap();
    // The Digest probe first, normally; then the signed create (not retried after a timeout),
    // slow, under a 100 ms deadline.
    let now = || Now::new(Instant::now(), SystemTime::now());
    let send = |mut out: Outgoing| {
        if matches!(out.purpose, Purpose::Api { .. }) {
            out.time_left = Some(Duration::from_millis(100));
        }
        client.send(out)
    };
    let started = Instant::now();
    let err = run(&session, &create, now, send, tokio::time::sleep, None).await.map(|_| ()).unwrap_err();
    let transport = err.transport_error().expect("a transport error");
    assert_eq!(transport.kind, TransportErrorKind::Timeout, "{err}");
    assert!(transport.message.contains("deadline"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5), "not waiting for the slow answer");
}

/// On virtual time an async recording passes a 30 s `Retry-After` at once and records it whole.
#[tokio::test]
async fn async_recording_on_virtual_time_records_the_whole_wait_at_once() {
    let fake = fake();
    let recording = hyper_recording(&fake, Auth::ApiKey).virtual_time();
    let list = ListGroupInvites::new(fake.config().group_id.clone()).unwrap();
    fake.inject(Fault::TooManyRequests { retry_after_secs: 30 }, 1);
    let started = Instant::now();
    let listed = ExecuteAsync::execute(&recording, &list).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(30), "no real waiting");
    assert_eq!((listed.meta.attempts, listed.meta.waited), (2, Duration::from_secs(30)));
    let cassette = recording.recorder().cassette().unwrap();
    let waits: Vec<Duration> = cassette.interactions.iter().flat_map(|i| i.waits_before.clone()).collect();
    assert_eq!(waits, vec![Duration::from_secs(30)]);
}

/// An async call dropped mid-exchange (`tokio::time::timeout` around it, after a 503 and its
/// `Retry-After`): nothing of the exchange in flight is recorded, and its wait does not attach
/// to the next call's exchange.
#[tokio::test]
async fn a_cancelled_async_call_leaves_no_pending_exchange_or_stray_wait() {
    use atlas_admin_hyper::Credentials;
    let group = FakeConfig::default().group_id;
    let credentials = Credentials::bearer_token("a-hand-given-token").unwrap();
    let recorder = Recorder::for_credentials(&credentials);
    let session = Session::new(Config::default(), credentials, 7).unwrap();
    // A scripted server: a 503 asking 2 s, then an answer that never comes, then `[]`.
    let mut sent = 0;
    let send: AsyncSend = Box::new(move |_out: Outgoing| {
        sent += 1;
        let n = sent;
        Box::pin(async move {
            let reply = |status: u16, body: &str| {
                let b = http::Response::builder().status(status).header("content-type", "application/json");
                Ok(b.header("retry-after", "2").body(body.as_bytes().to_vec()).unwrap())
            };
            match n {
                1 => reply(503, r#"{"error":503,"errorCode":"SERVICE_UNAVAILABLE"}"#),
                2 => std::future::pending().await,
                _ => reply(200, "[]"),
            }
        })
    });
    let recording = Recording::new_async(session, recorder, send, tokio::time::sleep).virtual_time();
    let list = ListGroupInvites::new(&group).unwrap();
    let cancelled = tokio::time::timeout(Duration::from_millis(200), ExecuteAsync::execute(&recording, &list)).await;
    assert!(cancelled.is_err(), "the retry never answers: the call is dropped");
    assert_eq!(recording.recorder().len(), 1, "only the 503 was recorded");
    ExecuteAsync::execute(&recording, &list).await.unwrap();
    let cassette = recording.recorder().cassette().unwrap();
    let lines: Vec<(u16, Vec<Duration>)> =
        cassette.interactions.iter().map(|i| (i.ok().unwrap().status, i.waits_before.clone())).collect();
    assert_eq!(lines, vec![(503, vec![]), (200, vec![])], "the dropped call's 2 s wait is not the list's");
}

/// Concurrent first calls of an async recording (API key, virtual time): recorded one at a
/// time, so no call polls for another's Digest probe and no such wait is recorded; the
/// cassette replays with the same waits (none).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_async_first_calls_record_no_polling_waits() {
    let fake = fake();
    let group = fake.config().group_id.clone();
    let (session, recorder) = session_and_recorder(&fake, Auth::ApiKey);
    let recording = Recording::new_async(session, recorder, hyper_send(&fake), tokio::time::sleep).virtual_time();
    let list = ListGroupInvites::new(&group).unwrap();
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly]).unwrap();
    let create = CreateGroupInvite::new(&group, body).unwrap();
    let (created, listed) =
        tokio::join!(ExecuteAsync::execute(&recording, &create), ExecuteAsync::execute(&recording, &list));
    let (created, listed) = (created.unwrap(), listed.unwrap());
    assert_eq!((created.meta.waited, listed.meta.waited), (Duration::ZERO, Duration::ZERO));
    let cassette = recording.recorder().cassette().unwrap();
    drop(fake);
    let waits: Vec<Duration> = cassette.interactions.iter().flat_map(|i| i.waits_before.clone()).collect();
    assert!(waits.is_empty(), "{waits:?}");
    assert_eq!(cassette.interactions.len(), 3, "one probe, then the two signed calls");
    let player = Player::new(cassette).unwrap();
    let again = tokio::join!(ExecuteAsync::execute(&player, &create), ExecuteAsync::execute(&player, &list));
    assert!(again.0.is_ok() && again.1.is_ok());
    assert_eq!(player.waits(), player.recorded_waits());
    player.assert_done();
}
