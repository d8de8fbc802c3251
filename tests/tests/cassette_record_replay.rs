//! Cassettes end to end: the invitation lifecycle recorded against the fake Atlas with
//! recognisable secrets (API key and service account), saved scrubbed, and replayed through
//! `Execute` after the fake is dropped; a 429 replayed on the virtual clock; a hand-edited
//! cassette; a miss with its diff; the secret guard.

use atlas_admin_core::ApiVersion;
use atlas_admin_core::driver::SendResult;
use atlas_admin_core::ops::Custom;
use atlas_admin_core::ops::{
    CreateGroupInvite, DeleteGroupInvite, GetGroupInvite, ListGroupInvites, UpdateGroupInviteById, UpdateGroupInvites,
};
use atlas_admin_core::{
    Config, Error, Execute, GroupInvitationRequest, GroupInvitationUpdateRequest, Outgoing, ProjectRole, Purpose,
    Session,
};
use atlas_admin_testing::cassette::{
    Auth, Cassette, CassetteClient, Mode, Player, REDACTED, Recorder, Recording, SaveError, loopback_send,
};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, FakeReply, Fault};
use http::Method;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::{Duration, Instant, UNIX_EPOCH};

const USER: &str = "cassette.user@example.com";

/// A fake accepting the recognisable credentials.
fn fake() -> FakeAtlas {
    FakeAtlas::start_with(FakeConfig { serve_past_sunset: true, ..FakeConfig::recognisable() }).unwrap()
}

/// How a recording moves its requests: any send function of the core's driver.
type SendFn = Box<dyn FnMut(Outgoing) -> SendResult + Send>;

/// A recording client of `auth` against `fake`, recording into a fresh recorder.
fn recording(fake: &FakeAtlas, auth: Auth) -> Recording<SendFn> {
    recording_via(fake, auth, Box::new(loopback_send))
}

/// The same, moving requests with `send` (e.g. the real ureq client's IO).
fn recording_via(fake: &FakeAtlas, auth: Auth, send: SendFn) -> Recording<SendFn> {
    let (session, recorder) = fake.recording_parts(auth, Config::default()).unwrap();
    // Recording against the fake needs no real waiting: its faults are counted, not timed.
    Recording::new(session, recorder, send).virtual_time()
}

/// The user's code under test: the quickstart's invitation lifecycle over any client. One
/// line per call: operation, status, exchanges, attempts, and what came back.
fn lifecycle<E: Execute>(atlas: &E, group: &str) -> Result<Vec<String>, Error> {
    lifecycle_upto(atlas, group, usize::MAX)
}

/// The first `steps` calls of the lifecycle (create, list, update...).
fn lifecycle_upto<E: Execute>(atlas: &E, group: &str, steps: usize) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut line = |op: &str, meta: &atlas_admin_core::ResponseMeta, what: String| {
        out.push(format!("{op} {} exchanges={} attempts={} {what}", meta.status, meta.exchanges, meta.attempts));
        out.len() >= steps
    };
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly])?;
    let created = atlas.execute(&CreateGroupInvite::new(group, body)?)?;
    let id = created.value.id.clone().map(|i| i.to_string()).unwrap_or_default();
    if line("create", &created.meta, format!("{id} {:?} {:?}", created.value.username, created.value.roles)) {
        return Ok(out);
    }
    let listed = atlas.execute(&ListGroupInvites::new(group)?.username(USER)?)?;
    if line("list", &listed.meta, format!("{}", listed.value.len())) {
        return Ok(out);
    }
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupBackupManager])?;
    let updated = atlas.execute(&UpdateGroupInvites::new(group, body)?)?;
    line("update", &updated.meta, format!("{:?}", updated.value.roles));
    let roles = GroupInvitationUpdateRequest::new([ProjectRole::GroupClusterManager, ProjectRole::GroupReadOnly])?;
    let by_id = atlas.execute(&UpdateGroupInviteById::new(group, &id, roles)?)?;
    line("update_by_id", &by_id.meta, format!("{:?}", by_id.value.roles));
    let got = atlas.execute(&GetGroupInvite::new(group, &id)?)?;
    line("get", &got.meta, format!("{:?} {:?}", got.value.roles, got.value.created_at));
    let deleted = atlas.execute(&DeleteGroupInvite::new(group, &id)?)?;
    line("delete", &deleted.meta, String::new());
    let gone = atlas.execute(&GetGroupInvite::new(group, &id)?).map(|_| ()).unwrap_err();
    out.push(format!("get after delete: not found {}", gone.is_not_found()));
    Ok(out)
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cassette-{name}-{}.json", std::process::id()))
}

/// The cassettes committed under tests/cassettes/ (what `ATLAS_CASSETTE_RECORD=1` refreshes).
const COMMITTED: [&str; 2] = ["invitation_lifecycle_api_key.json", "invitation_lifecycle_service_account.json"];

fn committed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cassettes").join(name)
}

/// Every form of the recognisable secrets a cassette must never hold.
fn forbidden() -> Vec<String> {
    let mut all = FakeConfig::recognisable().forbidden_in_cassettes();
    let defaults = FakeConfig::default();
    all.extend([defaults.private_key, defaults.client_secret]);
    all
}

fn record_and_replay(auth: Auth, file: &str) {
    record_and_replay_via(auth, file, |_| Box::new(loopback_send));
}

/// Records the lifecycle moving requests with `send(fake)`, checks the cassette holds no
/// secret, and replays it with no server.
fn record_and_replay_via(auth: Auth, file: &str, send: impl FnOnce(&FakeAtlas) -> SendFn) {
    let fake = fake();
    let group = fake.config().group_id.clone();
    let client = recording_via(&fake, auth, send(&fake));
    let recorded = lifecycle(&client, &group).unwrap();
    let requests = fake.counters().requests;
    let path = tmp(file);
    let cassette = client.recorder().save(&path).unwrap();
    assert_eq!(u64::try_from(cassette.interactions.len()).unwrap(), requests, "every exchange is kept");
    // Set ATLAS_CASSETTE_RECORD=1 to refresh the committed cassettes (only those: a file of
    // another name would be left untracked in the package's directory).
    if std::env::var_os("ATLAS_CASSETTE_RECORD").is_some() && COMMITTED.contains(&file) {
        client.recorder().save(committed(file)).unwrap();
    }
    drop(fake); // nothing listens any more: replay opens no socket.

    let text = std::fs::read_to_string(&path).unwrap();
    for secret in forbidden() {
        assert!(!text.contains(&secret), "the cassette holds {secret}");
    }
    assert!(!text.contains("127.0.0.1"), "the host is scrubbed");
    if auth == Auth::ApiKey {
        assert!(text.contains("\"inviterUsername\": \"PUBLIC-KEY\""), "the public key becomes a placeholder");
        assert!(text.contains("www-authenticate"), "the Digest challenge is kept");
    } else {
        assert!(text.contains("\"access_token\": \"TOKEN-1\""), "the token becomes a placeholder");
    }

    let player = Player::load(&path).unwrap();
    let replayed = lifecycle(&player, &group).unwrap();
    assert_eq!(replayed, recorded, "same results and exchange counts on replay");
    player.assert_done();
    assert_eq!(player.answered(), cassette.interactions.len());
    std::fs::remove_file(path).unwrap();
}

#[test]
fn api_key_lifecycle_records_without_secrets_and_replays_with_no_server() {
    record_and_replay(Auth::ApiKey, "invitation_lifecycle_api_key.json");
}

/// Recording through the real blocking client's IO (`Client::send`: its pool, timeouts and
/// body cap) gives the same cassette semantics; the client holds no credentials of its own.
#[test]
fn a_lifecycle_recorded_through_the_ureq_client_replays_the_same() {
    record_and_replay_via(Auth::ApiKey, "ureq-io.json", |fake| {
        let client = atlas_admin_ureq::Client::builder().base_url(&fake.base_url()).build().unwrap();
        Box::new(move |out| client.send(out))
    });
}

#[test]
fn service_account_lifecycle_records_without_secrets_and_replays_with_no_server() {
    record_and_replay(Auth::ServiceAccount, "invitation_lifecycle_service_account.json");
}

#[test]
fn a_429_is_replayed_with_its_wait_on_the_virtual_clock() {
    let fake = fake();
    let group = fake.config().group_id.clone();
    let client = recording(&fake, Auth::ApiKey);
    let list = ListGroupInvites::new(&group).unwrap();
    client.execute(&list).unwrap();
    fake.inject(Fault::TooManyRequests { retry_after_secs: 7 }, 1);
    let recorded = client.execute(&list).unwrap();
    assert_eq!(recorded.meta.attempts, 2);
    assert_eq!(recorded.meta.waited, Duration::from_secs(7));
    let path = tmp("429");
    let cassette = client.recorder().save(&path).unwrap();
    drop(fake);
    let rate_limited = cassette.interactions.iter().filter_map(|i| i.ok()).find(|r| r.status == 429).unwrap();
    assert_eq!(rate_limited.headers.get("retry-after").map(String::as_str), Some("7"));

    let started = Instant::now();
    let player = Player::load(&path).unwrap();
    player.execute(&list).unwrap();
    let replayed = player.execute(&list).unwrap();
    assert_eq!((replayed.meta.attempts, replayed.meta.exchanges), (recorded.meta.attempts, recorded.meta.exchanges));
    let waits = player.waits();
    assert_eq!(waits.len(), 1, "one wait, not {}", waits.len());
    assert_eq!(waits, vec![Duration::from_secs(7)]);
    assert_eq!(player.recorded_waits(), player.waits());
    assert_eq!(player.now(), UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 7));
    assert!(started.elapsed() < Duration::from_secs(7), "no real sleeping");
    player.assert_done();
    std::fs::remove_file(path).unwrap();
}

/// JSON text with every object's keys in reverse order.
fn reversed(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let fields: Vec<String> =
                m.iter().rev().map(|(k, x)| format!("{}: {}", Value::from(k.as_str()), reversed(x))).collect();
            format!("{{{}}}", fields.join(", "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(reversed).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

#[test]
fn a_hand_edited_cassette_still_replays_and_a_miss_shows_a_diff() {
    let path = committed("invitation_lifecycle_api_key.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let edited = reversed(&doc)
        .replace("\"www-authenticate\"", "\"WWW-Authenticate\"")
        .replace("\"content-type\"", "\"Content-Type\"");
    assert!(edited.contains("WWW-Authenticate") && !edited.starts_with("{\"version\": 1, \"auth\""));
    let cassette = Cassette::from_json_str(&edited).unwrap();
    assert_eq!(cassette, Cassette::load(&path).unwrap(), "key order and header case do not matter");
    let group = FakeConfig::default().group_id;
    let player = Player::new(cassette.clone()).unwrap();
    let lines = lifecycle(&player, &group).unwrap();
    assert_eq!(lines.last().map(String::as_str), Some("get after delete: not found true"));
    player.assert_done();

    // A body that differs from the recording: the error names the nearest request and the field.
    let player = Player::new(cassette).unwrap();
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupOwner]).unwrap();
    let err = player.execute(&CreateGroupInvite::new(&group, body).unwrap()).unwrap_err().to_string();
    let miss = player.misses().remove(0);
    assert_eq!(miss.diff, vec!["body.roles[0]: \"GROUP_OWNER\" != recorded \"GROUP_READ_ONLY\"".to_owned()]);
    assert!(err.contains("nearest is interaction") && err.contains("body.roles[0]"), "{err}");
    println!("{miss}");
}

#[test]
fn the_guard_refuses_a_cassette_with_a_secret_in_a_body() {
    let fake = fake();
    let group = fake.config().group_id.clone();
    let client = recording(&fake, Auth::ApiKey);
    let private_key = FakeConfig::recognisable().private_key;
    let leaky = format!("{private_key}@example.com");
    let body = GroupInvitationRequest::new(&leaky, [ProjectRole::GroupReadOnly]).unwrap();
    client.execute(&CreateGroupInvite::new(&group, body).unwrap()).unwrap();
    let path = tmp("leaky");
    let refused = client.recorder().save(&path).unwrap_err();
    assert!(matches!(refused, SaveError::Secret { what: "private key", .. }), "{refused:?}");
    assert!(!refused.to_string().contains(&private_key));
    assert!(!path.exists(), "nothing is written");
}

/// Secrets the user's own calls carry (a database user's password, an LDAP bind password)
/// or Atlas answers with (a new API key's private key) are not the client's credentials:
/// they are redacted by field name, in requests and responses, and the replay still answers.
#[test]
fn secret_fields_of_any_operation_are_redacted_and_the_replay_still_answers() {
    const PASSWORD: &str = "db-user-password-9f1c";
    const BIND: &str = "ldap-bind-password-77e2";
    const NEW_PRIVATE_KEY: &str = "3c5f1e2a-new-private-key-0b9d";
    fn calls<E: Execute>(atlas: &E, group: &str, org: &str) -> Result<Vec<Value>, Error> {
        let user = Custom::new(Method::POST, "/api/atlas/v2/groups/{groupId}/databaseUsers", ApiVersion::V2023_01_01)?
            .path_param("groupId", group)?
            .json(&json!({"databaseName": "admin", "username": "app", "password": PASSWORD,
                "ldap": {"bindPassword": BIND}, "roles": [{"roleName": "readWrite", "databaseName": "app"}]}))?;
        let key = Custom::new(Method::POST, "/api/atlas/v2/orgs/{orgId}/apiKeys", ApiVersion::V2023_01_01)?
            .path_param("orgId", org)?
            .json(&json!({"desc": "ci", "roles": ["ORG_MEMBER"]}))?;
        Ok(vec![atlas.execute(&user)?.value, atlas.execute(&key)?.value])
    }
    let fake = fake();
    fake.on("createOrgApiKey", |_, _| {
        FakeReply::json(
            200,
            json!({"id": "6f1d0a1b2c3d4e5f6a7b8c9d", "desc": "ci", "publicKey": "abcdefgh",
            "privateKey": NEW_PRIVATE_KEY, "roles": [{"roleName": "ORG_MEMBER"}]}),
        )
    })
    .unwrap();
    let (group, org) = (fake.config().group_id.clone(), fake.config().org_id.clone());
    let client = recording(&fake, Auth::ApiKey);
    let recorded = calls(&client, &group, &org).unwrap();
    assert_eq!(recorded[1]["privateKey"], NEW_PRIVATE_KEY, "the recording hands the caller the real answer");
    let path = tmp("secret-fields");
    client.recorder().save(&path).unwrap();
    drop(fake);

    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [PASSWORD, BIND, NEW_PRIVATE_KEY] {
        assert!(!text.contains(secret), "the cassette holds {secret}");
    }
    assert!(text.contains(REDACTED), "{text}");
    let player = Player::load(&path).unwrap();
    let replayed = calls(&player, &group, &org).unwrap();
    assert_eq!(replayed[1]["privateKey"], REDACTED, "the replay answers, with the placeholder");
    assert_eq!(replayed[1]["publicKey"], "abcdefgh");
    player.assert_done();
    std::fs::remove_file(path).unwrap();
}

#[test]
fn no_committed_cassette_holds_a_secret() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cassettes");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        names.push(path.file_name().unwrap().to_string_lossy().into_owned());
        let text = std::fs::read_to_string(&path).unwrap();
        for secret in forbidden() {
            assert!(!text.contains(&secret), "{} holds {secret}", path.display());
        }
        Cassette::from_json_str(&text).unwrap();
    }
    names.sort();
    assert_eq!(names, COMMITTED.map(str::to_owned).to_vec(), "the committed cassettes, and no other file");
}

#[test]
fn stale_nonce_503_and_404_are_recorded_and_replayed_alike() {
    let fake = fake();
    let group = fake.config().group_id.clone();
    let client = recording(&fake, Auth::ApiKey);
    let list = ListGroupInvites::new(&group).unwrap();
    let missing = GetGroupInvite::new(&group, "5f8d0a1b2c3d4e5f6a7b8c9d").unwrap();
    // Each scenario: (what the caller saw, exchanges, attempts, waited).
    let seen = |r: Result<atlas_admin_core::ApiResponse<Vec<atlas_admin_core::GroupInvitation>>, Error>| {
        let r = r.unwrap();
        (r.meta.status.as_u16(), r.meta.exchanges, r.meta.attempts, r.meta.waited)
    };
    let mut recorded = vec![seen(client.execute(&list))];
    fake.expire_nonces();
    recorded.push(seen(client.execute(&list)));
    fake.inject(Fault::ServiceUnavailable { retry_after_secs: Some(2) }, 1);
    recorded.push(seen(client.execute(&list)));
    let not_found = client.execute(&missing).unwrap_err();
    assert!(not_found.is_not_found());
    let path = tmp("faults");
    let cassette = client.recorder().save(&path).unwrap();
    drop(fake);
    assert!(
        cassette
            .interactions
            .iter()
            .filter_map(|i| i.ok())
            .any(|r| r.headers.get("www-authenticate").is_some_and(|c| c.contains("stale=true")))
    );
    assert_eq!(recorded[1].1, 2, "the stale nonce costs one more exchange");
    assert_eq!(recorded[2].3, Duration::from_secs(2), "the 503 asked a 2 s wait");

    let player = Player::load(&path).unwrap();
    let replayed = vec![seen(player.execute(&list)), seen(player.execute(&list)), seen(player.execute(&list))];
    assert_eq!(replayed, recorded);
    let again = player.execute(&missing).unwrap_err();
    assert_eq!((again.is_not_found(), again.error_code()), (true, not_found.error_code()));
    assert_eq!(player.waits(), vec![Duration::from_secs(2)]);
    assert_eq!(player.recorded_waits(), player.waits());
    player.assert_done();
    std::fs::remove_file(path).unwrap();
}

#[test]
fn the_player_is_also_an_async_client() {
    use atlas_admin_core::ExecuteAsync;
    /// Async user code: how many invitations `user` has.
    async fn invitations<A: ExecuteAsync>(atlas: &A, group: &str, user: Option<&str>) -> Result<usize, Error> {
        let op = match user {
            Some(user) => ListGroupInvites::new(group)?.username(user)?,
            None => ListGroupInvites::new(group)?,
        };
        Ok(atlas.execute(&op).await?.value.len())
    }
    let cassette = Cassette::load(committed("invitation_lifecycle_api_key.json")).unwrap();
    let group = FakeConfig::default().group_id;
    let player = Player::new(cassette).unwrap();
    let create =
        CreateGroupInvite::new(&group, GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly]).unwrap());
    Execute::execute(&player, &create.unwrap()).unwrap();
    assert_eq!(futures_executor::block_on(invitations(&player, &group, Some(USER))).unwrap(), 1);
    // The recorded list was filtered by username: an unfiltered list is a miss, named as such.
    let miss = futures_executor::block_on(invitations(&player, &group, None)).unwrap_err();
    assert!(miss.to_string().contains("query: [] != recorded [(\"username\""), "{miss}");
    assert_eq!(player.answered(), 3, "the Digest probe, the signed create and the list");
}

/// Concurrent FIRST calls on a fresh player (threads): calls replay one at a time, so none
/// waits on another's Digest probe (no 5 ms polls on the virtual clock), none misses, and each
/// gets its own answer.
#[test]
fn concurrent_first_calls_replay_without_waits_or_misses() {
    let cassette = Cassette::load(committed("invitation_lifecycle_api_key.json")).unwrap();
    let group = FakeConfig::default().group_id;
    for round in 0..50 {
        let player = Player::new(cassette.clone()).unwrap().allow_unused();
        let (created, listed) = std::thread::scope(|s| {
            let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly]).unwrap();
            let create = s.spawn(|| player.execute(&CreateGroupInvite::new(&group, body).unwrap()));
            let list = s.spawn(|| player.execute(&ListGroupInvites::new(&group).unwrap().username(USER).unwrap()));
            (create.join().unwrap(), list.join().unwrap())
        });
        assert!(player.misses().is_empty(), "round {round}: {:?}", player.misses());
        assert_eq!(player.waits(), player.recorded_waits(), "round {round}: no wait but the recorded ones");
        assert!(player.waits().is_empty(), "round {round}");
        assert_eq!(created.unwrap().value.username.as_deref(), Some(USER));
        // The list was recorded after the create; asked first, it still gets its own answer.
        assert_eq!(listed.unwrap().value.len(), 1, "round {round}");
        assert_eq!(player.answered(), 3, "round {round}: the probe, the create and the list");
    }
}

/// Replay matches the purpose: the first call of a fresh API-key session is an unsigned
/// Digest probe, which takes the recorded probe (a 401), never the 200 recorded for a signed
/// request; so the replayed list costs the exchanges it would really cost.
#[test]
fn an_unsigned_probe_never_takes_a_signed_answer() {
    let cassette = Cassette::load(committed("invitation_lifecycle_api_key.json")).unwrap();
    let probe = cassette.interactions.iter().position(|i| matches!(i.purpose, Purpose::DigestProbe { .. })).unwrap();
    assert_eq!(cassette.interactions[probe].operation, "createGroupInvite", "the recording's first call probed");
    let group = FakeConfig::default().group_id;
    let player = Player::new(cassette.clone()).unwrap().allow_unused();
    // The list first (recorded second): its probe takes the create's recorded challenge.
    let listed = player.execute(&ListGroupInvites::new(&group).unwrap().username(USER).unwrap()).unwrap();
    assert_eq!((listed.meta.exchanges, listed.value.len()), (2, 1), "the probe, then the signed list");
    assert!(player.misses().is_empty());
    assert!(!player.unused().iter().any(|u| u.starts_with(&format!("{probe}:"))), "the probe was used");

    // A cassette without the probe: the unsigned request misses, and says why.
    let mut unprobed = cassette;
    unprobed.interactions.remove(probe);
    let player = Player::new(unprobed).unwrap().allow_unused();
    let err = player.execute(&ListGroupInvites::new(&group).unwrap().username(USER).unwrap()).unwrap_err();
    let miss = player.misses().remove(0);
    assert_eq!(miss.diff, vec!["purpose: digest_probe != recorded api".to_owned()], "{err}");
}

/// Record modes: `once` records a missing cassette and replays it on the next run; `replay`
/// (forced when `CI` is set) never records; `record` always does.
#[test]
fn modes_record_once_then_replay_and_ci_never_records() {
    use atlas_admin_testing::cassette::{CassetteClient, Mode};
    assert_eq!(Mode::pick(true, Some("record")), Ok(Mode::Replay), "CI forces replay");
    assert_eq!((Mode::pick(false, None), Mode::pick(false, Some("record"))), (Ok(Mode::Once), Ok(Mode::Record)));
    let path = tmp("modes");
    let _ = std::fs::remove_file(&path);
    assert!(CassetteClient::<SendFn>::open(&path, Mode::Replay, || unreachable!("replay never records")).is_err());

    let fake = fake();
    let group = fake.config().group_id.clone();
    let first = CassetteClient::open(&path, Mode::Once, || recording(&fake, Auth::ApiKey)).unwrap();
    assert!(first.is_recording(), "no cassette yet: once records");
    let recorded = lifecycle(&first, &group).unwrap();
    first.finish().unwrap();
    drop(fake);

    let second = CassetteClient::<SendFn>::open(&path, Mode::Once, || unreachable!("the cassette exists")).unwrap();
    assert!(!second.is_recording());
    assert_eq!(lifecycle(&second, &group).unwrap(), recorded);
    second.finish().unwrap();
    std::fs::remove_file(path).unwrap();
}

/// A connection closed with no answer is recorded as a transport failure of kind `io`; on
/// replay the same failure reaches the core, which makes the same retry decision (the list is
/// idempotent: one backoff wait, then the recorded success).
#[test]
fn a_transport_failure_is_recorded_and_replays_the_same_retry() {
    use atlas_admin_core::TransportErrorKind;
    let fake = fake();
    let group = fake.config().group_id.clone();
    let client = recording(&fake, Auth::ApiKey);
    let list = ListGroupInvites::new(&group).unwrap();
    client.execute(&list).unwrap();
    fake.inject(Fault::CloseConnection, 1);
    let recorded = client.execute(&list).unwrap();
    assert_eq!((recorded.meta.attempts, recorded.meta.exchanges), (2, 2), "the reset cost one retry");
    let path = tmp("reset");
    let cassette = client.recorder().save(&path).unwrap();
    drop(fake);
    let failed: Vec<_> = cassette.interactions.iter().filter_map(|i| i.response.as_ref().err()).collect();
    assert_eq!(failed.len(), 1, "{cassette:?}");
    assert_eq!(failed[0].kind, TransportErrorKind::Io);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"error\": {") && text.contains("\"kind\": \"io\""), "{text}");
    assert!(!text.contains("127.0.0.1"));
    let recorded_wait = cassette.interactions.iter().flat_map(|i| i.waits_before.clone()).collect::<Vec<_>>();
    assert_eq!(recorded_wait.len(), 1, "one backoff before the retry");

    let player = Player::load(&path).unwrap();
    player.execute(&list).unwrap();
    let replayed = player.execute(&list).unwrap();
    assert_eq!((replayed.meta.attempts, replayed.meta.exchanges), (2, 2));
    assert_eq!(replayed.value.len(), recorded.value.len());
    // One backoff on the virtual clock (its jitter comes from the session's seed, which the
    // player does not share with the recording).
    let waits = player.waits();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert!(waits[0] > Duration::ZERO && player.now() == UNIX_EPOCH + Duration::from_secs(1_767_225_600) + waits[0]);
    player.assert_done();
    std::fs::remove_file(path).unwrap();
}

/// A failure written by hand (`"error"` instead of `"response"`) replays as its kind: a
/// timeout on a create (not idempotent) is not retried and reaches the caller as a timeout.
#[test]
fn a_recorded_timeout_replays_as_a_timeout_and_bad_kinds_are_refused() {
    use atlas_admin_core::TransportErrorKind;
    let group = FakeConfig::default().group_id;
    let text = format!(
        r#"{{"version": 1, "auth": "none", "interactions": [{{
            "operation": "createGroupInvite", "purpose": {{"kind": "api", "attempt": 1}},
            "request": {{"method": "POST", "path": "/api/atlas/v2/groups/{group}/invites", "query": [],
                         "api_version": "2023-01-01",
                         "body": {{"roles": ["GROUP_READ_ONLY"], "username": "{USER}"}}}},
            "error": {{"kind": "timeout", "message": "timed out: no complete response within 60s"}}}}]}}"#
    );
    let cassette = Cassette::from_json_str(&text).unwrap();
    let player = Player::new(cassette.clone()).unwrap();
    let body = GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly]).unwrap();
    let err = player.execute(&CreateGroupInvite::new(&group, body).unwrap()).map(|_| ()).unwrap_err();
    let transport = err.transport_error().expect("a transport error");
    assert_eq!((transport.kind, transport.attempts), (TransportErrorKind::Timeout, 1), "{err}");
    assert!(transport.message.contains("no complete response"));
    player.assert_done();
    assert_eq!(Cassette::from_json_str(&cassette.to_json_string()).unwrap(), cassette, "it round-trips");

    let unknown = text.replace("\"timeout\"", "\"gremlins\"");
    let refused = Cassette::from_json_str(&unknown).unwrap_err().to_string();
    assert!(refused.contains("interactions[0].error.kind: unknown transport failure \"gremlins\""), "{refused}");
    let both = text.replace("\"error\":", "\"response\": {\"status\": 200}, \"error\":");
    assert!(Cassette::from_json_str(&both).unwrap_err().to_string().contains("exactly one of response and error"));
}

/// Unused interactions fail the end-of-test check unless allowed; a miss fails it either way.
#[test]
fn unused_interactions_fail_unless_allowed() {
    use atlas_admin_testing::cassette::{CassetteClient, Mode};
    let path = committed("invitation_lifecycle_api_key.json");
    let group = FakeConfig::default().group_id;
    let done = |player: &Player| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| player.assert_done()));

    let strict = Player::load(&path).unwrap();
    lifecycle_upto(&strict, &group, 2).unwrap();
    let failure = done(&strict).unwrap_err();
    let message = failure.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("recorded interactions never used") && message.contains("allow_unused"), "{message}");

    let lenient = Player::load(&path).unwrap().allow_unused();
    lifecycle_upto(&lenient, &group, 2).unwrap();
    assert!(done(&lenient).is_ok(), "a partial replay is allowed");
    assert!(!lenient.unused().is_empty(), "the unused ones are still listed");
    lenient.execute(&GetGroupInvite::new(&group, "5f8d0a1b2c3d4e5f6a7b8c9d").unwrap()).map(|_| ()).unwrap_err();
    assert!(done(&lenient).is_err(), "a miss still fails");

    // The same switch on the mode-driven client.
    let client = CassetteClient::<SendFn>::open(&path, Mode::Replay, || unreachable!()).unwrap().allow_unused();
    lifecycle_upto(&client, &group, 1).unwrap();
    client.finish().unwrap();
    let client = CassetteClient::<SendFn>::open(&path, Mode::Replay, || unreachable!()).unwrap();
    lifecycle_upto(&client, &group, 1).unwrap();
    assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| client.finish())).is_err());
}

/// new-episodes: a cassette of the first two calls, then the whole lifecycle in new-episodes
/// mode against the same server (its nonces expired, as a real server's would): the two calls
/// replay, the rest is sent and recorded (the replayed nonce or placeholder token costs one
/// extra exchange on the first new call), and the saved cassette replays the whole flow with
/// no server and holds no secret.
fn new_episodes_complete_a_partial_cassette(auth: Auth, name: &str) -> Vec<String> {
    use atlas_admin_testing::cassette::{CassetteClient, Mode};
    assert_eq!(Mode::parse("new-episodes"), Some(Mode::NewEpisodes));
    assert_eq!(Mode::pick(false, Some("new-episodes")), Ok(Mode::NewEpisodes));
    assert_eq!(Mode::pick(true, Some("new-episodes")), Ok(Mode::Replay), "CI still forces replay");
    let fake = fake();
    let group = fake.config().group_id.clone();
    let path = tmp(name);
    let _ = std::fs::remove_file(&path);
    let first = CassetteClient::open(&path, Mode::Record, || recording(&fake, auth)).unwrap();
    let part = lifecycle_upto(&first, &group, 2).unwrap();
    first.finish().unwrap();
    let prior = Cassette::load(&path).unwrap();
    fake.expire_nonces();
    let requests_before = fake.counters().requests;

    let episodes = CassetteClient::open(&path, Mode::NewEpisodes, || recording(&fake, auth)).unwrap();
    assert!(episodes.is_recording());
    let whole = lifecycle(&episodes, &group).unwrap();
    assert_eq!(whole[..2], part[..], "the first two calls replay as recorded");
    let CassetteClient::Recording(recording, _) = &episodes else { unreachable!() };
    let sent = fake.counters().requests - requests_before;
    assert_eq!(u64::try_from(recording.recorder().len()).unwrap(), sent, "only what was sent is new");
    episodes.finish().unwrap();
    drop(fake);

    let saved = Cassette::load(&path).unwrap();
    assert_eq!(saved.interactions[..prior.interactions.len()], prior.interactions[..], "the old ones come first");
    assert_eq!(saved.interactions.len(), prior.interactions.len() + usize::try_from(sent).unwrap());
    let text = std::fs::read_to_string(&path).unwrap();
    for secret in forbidden() {
        assert!(!text.contains(&secret), "the cassette holds {secret}");
    }
    assert!(!text.contains("127.0.0.1"));

    let replay = CassetteClient::<SendFn>::open(&path, Mode::Replay, || unreachable!("replay")).unwrap();
    assert_eq!(lifecycle(&replay, &group).unwrap(), whole, "the whole flow replays from one cassette");
    replay.finish().unwrap();
    std::fs::remove_file(path).unwrap();
    whole
}

#[test]
fn new_episodes_with_an_api_key_re_signs_once_on_the_replayed_nonce() {
    let whole = new_episodes_complete_a_partial_cassette(Auth::ApiKey, "episodes-api-key");
    assert!(whole[2].starts_with("update 200 OK exchanges=2 attempts=1"), "the stale nonce: {}", whole[2]);
    assert!(whole[3].contains("exchanges=1"), "then signed at once: {}", whole[3]);
}

#[test]
fn new_episodes_with_a_service_account_fetches_a_real_token_once() {
    let whole = new_episodes_complete_a_partial_cassette(Auth::ServiceAccount, "episodes-service-account");
    // The placeholder token is refused (401), a real one fetched, the call re-sent.
    assert!(whole[2].starts_with("update 200 OK exchanges=3 attempts=1"), "{}", whole[2]);
    assert!(whole[3].contains("exchanges=1"), "{}", whole[3]);
}

/// new-episodes with ids scrubbed by value: the live requests are matched as the recorder
/// saves them (the group id as its placeholder), so the recorded part replays; the saved
/// cassette never holds the real id and replays the whole flow with the same replacements.
#[test]
fn new_episodes_match_requests_scrubbed_by_value() {
    use atlas_admin_testing::cassette::{CassetteClient, Mode, Secrets};
    let fake = fake();
    let group = fake.config().group_id.clone();
    let host = fake.addr().to_string();
    let scrub = |s: Secrets| s.host(&host).replace(&group, "GROUP-ID");
    let scrubbed = || {
        let credentials = fake.credentials(Auth::ApiKey).unwrap();
        let config = Config::default().with_base_url(&fake.base_url()).unwrap();
        let recorder = Recorder::for_credentials(&credentials).scrub(scrub);
        Recording::new(Session::new(config, credentials, 7).unwrap(), recorder, Box::new(loopback_send) as SendFn)
            .virtual_time()
    };
    let path = tmp("episodes-scrubbed");
    let _ = std::fs::remove_file(&path);
    let first = CassetteClient::open(&path, Mode::Record, scrubbed).unwrap();
    let part = lifecycle_upto(&first, &group, 2).unwrap();
    first.finish().unwrap();
    let requests_before = fake.counters().requests;
    let episodes = CassetteClient::open(&path, Mode::NewEpisodes, scrubbed).unwrap();
    let whole = lifecycle(&episodes, &group).unwrap();
    assert_eq!(whole[..2], part[..], "the recorded part replays");
    let CassetteClient::Recording(recording, _) = &episodes else { unreachable!() };
    let sent = fake.counters().requests - requests_before;
    assert_eq!(u64::try_from(recording.recorder().len()).unwrap(), sent, "only the rest was sent");
    episodes.finish().unwrap();
    drop(fake);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(&group) && text.contains("GROUP-ID"));
    let player = Player::load(&path).unwrap().scrub(|s| s.replace(&group, "GROUP-ID"));
    assert_eq!(lifecycle(&player, &group).unwrap(), whole);
    player.assert_done();
    // The same through the mode-driven client.
    let replay = CassetteClient::<SendFn>::open(&path, Mode::Replay, || unreachable!()).unwrap();
    let replay = replay.scrub(|s| s.replace(&group, "GROUP-ID"));
    assert_eq!(lifecycle(&replay, &group).unwrap(), whole);
    replay.finish().unwrap();
    std::fs::remove_file(path).unwrap();
}

/// A fresh fake, a fresh cassette path, and the two calls the new-episodes tests make.
struct Episodes {
    fake: Option<FakeAtlas>,
    group: String,
    path: PathBuf,
}

impl Episodes {
    fn new(name: &str) -> Episodes {
        let fake = fake();
        let group = fake.config().group_id.clone();
        let path = tmp(name);
        let _ = std::fs::remove_file(&path);
        Episodes { fake: Some(fake), group, path }
    }

    /// The running fake.
    fn fake(&self) -> &FakeAtlas {
        self.fake.as_ref().expect("the fake is running")
    }

    /// Stops the fake: what follows replays with no server.
    fn stop(&mut self) {
        self.fake = None;
    }

    fn create(&self) -> CreateGroupInvite {
        CreateGroupInvite::new(&self.group, GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly]).unwrap())
            .unwrap()
    }

    fn list(&self) -> atlas_admin_core::ops::ListGroupInvites {
        atlas_admin_core::ops::ListGroupInvites::new(&self.group).unwrap().username(USER).unwrap()
    }

    /// Runs `calls` against a client opened on the cassette in `mode`, recording through `send`.
    fn run(&self, mode: Mode, send: SendFn, calls: impl FnOnce(&CassetteClient<SendFn>, &Self)) {
        let client = CassetteClient::open(&self.path, mode, || recording_via(self.fake(), Auth::ApiKey, send)).unwrap();
        calls(&client, self);
        client.finish().unwrap();
    }
}

/// new-episodes where the first new call sends its own Digest probe: the prior cassette's
/// challenge it supersedes is not saved, so the same calls, in either order, replay the saved
/// cassette with nothing left unused.
#[test]
fn a_cassette_completed_by_new_episodes_replays_the_same_calls_fully() {
    let mut e = Episodes::new("episodes-first-call-new");
    e.run(Mode::Record, Box::new(loopback_send), |c, e| drop(c.execute(&e.create()).unwrap()));
    e.run(Mode::NewEpisodes, Box::new(loopback_send), |c, e| {
        c.execute(&e.list()).unwrap();
        c.execute(&e.create()).unwrap();
    });
    e.stop();
    for list_first in [true, false] {
        let player = Player::load(&e.path).unwrap();
        if list_first {
            player.execute(&e.list()).unwrap();
        }
        player.execute(&e.create()).unwrap();
        if !list_first {
            player.execute(&e.list()).unwrap();
        }
        player.assert_done();
    }
    std::fs::remove_file(&e.path).unwrap();
}

/// A token revocation (the quickstart's last step with a service account) is recorded with
/// the token scrubbed and replayed: the replaying session revokes the token it replayed,
/// through `Player` and `CassetteClient` alike; with an API key there is nothing to revoke.
#[test]
fn a_token_revocation_is_recorded_and_replayed() {
    let fake = fake();
    let group = fake.config().group_id.clone();
    let path = tmp("revocation");
    let client = recording(&fake, Auth::ServiceAccount);
    let recorded = lifecycle_upto(&client, &group, 1).unwrap();
    assert!(client.revoke_token().unwrap(), "a token to revoke");
    assert!(!client.revoke_token().unwrap(), "nothing left to revoke");
    client.recorder().save(&path).unwrap();
    assert_eq!(fake.counters().requests, 3, "token, create, revoke, and nothing more");
    assert!(!recording(&fake, Auth::ApiKey).revoke_token().unwrap(), "an API key has no token");
    drop(fake);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"kind\": \"revoke\"") && text.contains("token=TOKEN-1"), "{text}");
    for secret in forbidden() {
        assert!(!text.contains(&secret), "the cassette holds {secret}");
    }
    let player = Player::load(&path).unwrap();
    assert_eq!(lifecycle_upto(&player, &group, 1).unwrap(), recorded);
    assert!(player.revoke_token().unwrap());
    assert!(!player.revoke_token().unwrap());
    player.assert_done();
    let replay = CassetteClient::<SendFn>::open(&path, Mode::Replay, || unreachable!()).unwrap();
    lifecycle_upto(&replay, &group, 1).unwrap();
    assert!(replay.revoke_token().unwrap());
    replay.finish().unwrap();
    std::fs::remove_file(path).unwrap();
}

#[test]
fn new_episodes_refuses_a_cassette_of_other_credentials() {
    let fake = fake();
    let cassette = Cassette::load(committed("invitation_lifecycle_api_key.json")).unwrap();
    let refused = recording(&fake, Auth::ServiceAccount).new_episodes(cassette).unwrap_err();
    assert!(refused.to_string().contains("recorded with ApiKey credentials"), "{refused}");
}

/// A cassette is input: its text (paths, queries, operation names, header names, bodies) is
/// printed escaped in a miss, the unused list and a format error, never as raw control
/// characters on a terminal.
#[test]
fn cassette_text_is_printed_escaped() {
    let hostile = r#"{"version": 1, "auth": "none", "interactions": [{
        "operation": "list\u001b[2J", "purpose": {"kind": "api", "attempt": 1}, "waits_before_ms": [],
        "request": {"method": "GET", "path": "/api/atlas/v2/groups/\u001b]0;owned\u0007", "query": [["a\u009b", "\r\n"]],
                    "body": {"x": "\u009b31m\u202e"}},
        "response": {"status": 200, "headers": {}}}]}"#;
    let player = Player::new(Cassette::from_json_str(hostile).unwrap()).unwrap();
    let op = CreateGroupInvite::new(
        "32b6e34b3d91647abb20e7b8",
        GroupInvitationRequest::new("a@example.com", [ProjectRole::GroupReadOnly]).unwrap(),
    )
    .unwrap();
    let err = player.execute(&op).unwrap_err().to_string();
    let shown = [err, player.misses()[0].to_string(), player.unused().join("\n")];
    for text in &shown {
        assert!(!text.chars().any(|c| c.is_control() && c != '\n' || c == '\u{202e}'), "raw control: {text:?}");
    }
    assert!(shown[1].contains(r"\u{1b}]0;owned\u{7}") && shown[2].contains(r"list\u{1b}[2J"), "{shown:?}");
    let bad = Cassette::from_json_str(&hostile.replace(r#""headers": {}"#, r#""headers": {"x\u001b[1m": 5}"#));
    let message = bad.unwrap_err().to_string();
    assert!(message.contains(r"x\u{1b}[1m") && !message.contains('\u{1b}'), "{message}");
}

/// new-episodes: a live probe that brings no challenge (the server is unreachable) supersedes
/// nothing: the prior cassette keeps its challenge and the earlier run still replays.
#[test]
fn a_live_probe_without_a_challenge_supersedes_nothing() {
    use atlas_admin_core::{TransportError, TransportErrorKind};
    let mut e = Episodes::new("episodes-probe-fails");
    e.run(Mode::Record, Box::new(loopback_send), |c, e| drop(c.execute(&e.create()).unwrap()));
    let down: SendFn = Box::new(|out: Outgoing| match out.purpose {
        Purpose::DigestProbe { .. } => Err(TransportError::new(TransportErrorKind::Refused, "down")),
        _ => loopback_send(out),
    });
    e.run(Mode::NewEpisodes, down, |c, e| assert!(c.execute(&e.list()).is_err()));
    e.stop();
    let text = std::fs::read_to_string(&e.path).unwrap();
    let player = Player::load(&e.path).unwrap().allow_unused();
    let r = player.execute(&e.create());
    std::fs::remove_file(&e.path).unwrap();
    assert!(r.is_ok(), "the first run no longer replays: {r:?}\n{text}");
}

/// Async new-episodes, a call dropped while its live probe is in flight (a timeout around
/// it): nothing of it is recorded and the prior cassette keeps its challenge, so the earlier
/// run still replays.
#[test]
fn an_async_call_dropped_during_its_live_probe_supersedes_nothing() {
    use atlas_admin_core::ExecuteAsync;
    use atlas_admin_core::ops::ListGroupInvites;
    use std::future::Future;
    use std::pin::Pin;
    let fake = fake();
    let group = fake.config().group_id.clone();
    let path = tmp("episodes-async-dropped");
    let _ = std::fs::remove_file(&path);
    let body = || GroupInvitationRequest::new(USER, [ProjectRole::GroupReadOnly]).unwrap();
    let create = || CreateGroupInvite::new(&group, body()).unwrap();
    let first = recording(&fake, Auth::ApiKey);
    first.execute(&create()).unwrap();
    first.recorder().save(&path).unwrap();
    type Fut = Pin<Box<dyn Future<Output = SendResult> + Send>>;
    let send = |out: Outgoing| -> Fut {
        match out.purpose {
            Purpose::DigestProbe { .. } => Box::pin(std::future::pending()),
            _ => Box::pin(std::future::ready(loopback_send(out))),
        }
    };
    let (session, recorder) = fake.recording_parts(Auth::ApiKey, Config::default()).unwrap();
    let episodes = Recording::new_async(session, recorder, send, |_| std::future::ready(()))
        .virtual_time()
        .new_episodes(Cassette::load(&path).unwrap())
        .unwrap();
    let list = ListGroupInvites::new(&group).unwrap();
    {
        let mut call = std::pin::pin!(ExecuteAsync::execute(&episodes, &list));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(call.as_mut().poll(&mut cx).is_pending(), "the probe is in flight");
    } // dropped: a timeout around it
    episodes.recorder().save(&path).unwrap();
    drop(fake);
    let text = std::fs::read_to_string(&path).unwrap();
    let player = Player::load(&path).unwrap();
    let r = Execute::execute(&player, &create());
    std::fs::remove_file(&path).unwrap();
    assert!(r.is_ok(), "the first run no longer replays: {r:?}\n{text}");
    player.assert_done();
}

/// The prior cassette's probe was retried (its first attempt failed in transit): a live
/// challenge supersedes the recorded challenge with its failed attempt, so the same calls
/// replay with the new call first and nothing is left unused.
#[test]
fn a_superseded_challenge_takes_its_failed_attempts_with_it() {
    use atlas_admin_core::{TransportError, TransportErrorKind};
    let mut e = Episodes::new("episodes-probe-chain");
    let mut failed_once = false;
    let flaky: SendFn = Box::new(move |out: Outgoing| match out.purpose {
        Purpose::DigestProbe { .. } if !std::mem::replace(&mut failed_once, true) => {
            Err(TransportError::new(TransportErrorKind::Connect, "refused once"))
        }
        _ => loopback_send(out),
    });
    e.run(Mode::Record, flaky, |c, e| drop(c.execute(&e.list()).unwrap()));
    e.run(Mode::NewEpisodes, Box::new(loopback_send), |c, e| {
        c.execute(&e.create()).unwrap();
        c.execute(&e.list()).unwrap();
    });
    e.stop();
    let player = Player::load(&e.path).unwrap();
    Execute::execute(&player, &e.create()).unwrap();
    Execute::execute(&player, &e.list()).unwrap();
    let unused = player.unused();
    std::fs::remove_file(&e.path).unwrap();
    assert!(unused.is_empty(), "{unused:?}");
}

/// Issue 14: a cassette file is read with a cap (`MAX_CASSETTE_BYTES`): one past it is refused
/// with an error naming the file and the cap, by the player and by `new-episodes` alike,
/// without reading the rest (`/dev/zero` fails as fast).
#[test]
fn a_cassette_over_the_cap_is_refused_naming_the_cap() {
    use atlas_admin_testing::bounded::MAX_CASSETTE_BYTES;
    let path = tmp("over-the-cap");
    // Sparse: no disk is used for the zeros.
    std::fs::File::create(&path).unwrap().set_len(MAX_CASSETTE_BYTES + 1).unwrap();
    let cap = format!("larger than the cap of {MAX_CASSETTE_BYTES} bytes");
    let played = Player::load(&path).map(|_| ()).unwrap_err().to_string();
    assert!(played.contains(&cap) && played.contains(&path.display().to_string()), "{played}");
    let fake = fake();
    let grown = CassetteClient::open(&path, Mode::NewEpisodes, || recording(&fake, Auth::ApiKey)).map(|_| ());
    let grown = grown.unwrap_err().to_string();
    assert!(grown.contains(&cap), "{grown}");
    std::fs::remove_file(&path).unwrap();
    #[cfg(unix)]
    {
        let endless = Cassette::load("/dev/zero").map(|_| ()).unwrap_err().to_string();
        assert!(endless.contains(&cap), "{endless}");
    }
}
