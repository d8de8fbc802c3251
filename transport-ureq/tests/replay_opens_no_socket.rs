//! A replay opens no socket, counted: a session recorded from the fake Atlas through the real
//! blocking client's IO (`Client::send`), then, with the fake stopped, replayed by a `Player`
//! through `Execute` and through `ExecuteAsync`, with the same results and exchange counts.
//!
//! The proof: a never-served listener ([`Tripwire`]) holds the very address the session was
//! recorded against (which is also the replaying client's base URL) and counts 0 connections,
//! and this process holds as many sockets after the replays as before (`/proc/self/fd`, on
//! Linux). Both instruments are shown to see a real connection at the end. One test in its own
//! binary, so no other test opens sockets meanwhile.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_testing::cassette::{Auth, Cassette, Player, Recorder, Recording};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
use atlas_admin_testing::sockets::{Tripwire, open_sockets};
use atlas_admin_ureq::core::migrate::blocking;
use atlas_admin_ureq::core::{Config, ExecuteAsync, Session};
use atlas_admin_ureq::ops::{CreateGroupInvite, DeleteGroupInvite, GetGroupInvite, ListGroupInvites, ListOrgUsers};
use atlas_admin_ureq::{Client, Error, Execute, GroupInvitationRequest, OrgMembershipStatus, ProjectRole};
use std::net::TcpStream;

const PRIVATE_KEY: &str = "RECOGNISABLE-private-key-0042";
const PUBLIC_KEY: &str = "recogpub";

/// What a session did: one line per call (operation, outcome, exchanges), never the values a
/// cassette scrubs (the inviter is the public key).
fn line<T>(op: &str, result: &Result<atlas_admin_ureq::ApiResponse<T>, Error>, what: impl Fn(&T) -> String) -> String {
    match result {
        Ok(r) => format!("{op}: ok {} in {} exchanges", what(&r.value), r.meta.exchanges),
        Err(e) => format!("{op}: {}", e.api_error().map_or_else(|| e.to_string(), |a| format!("error {}", a.status))),
    }
}

/// The user's code, blocking: create, list, get, delete, get (404), list org users.
fn session<E: Execute>(atlas: &E, group: &str, org: &str) -> Result<Vec<String>, Error> {
    let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly])?;
    let created = atlas.execute(&CreateGroupInvite::new(group, body)?);
    let mut lines = vec![line("create", &created, |i| format!("{:?} {:?}", i.username, i.roles))];
    let id = created?.value.id.expect("an id");
    lines.push(line("list", &atlas.execute(&ListGroupInvites::new(group)?), |l| format!("{} invites", l.len())));
    lines.push(line("get", &atlas.execute(&GetGroupInvite::new(group, &id)?), |i| format!("{:?}", i.id)));
    lines.push(line("delete", &atlas.execute(&DeleteGroupInvite::new(group, &id)?), |()| String::new()));
    lines.push(line("get again", &atlas.execute(&GetGroupInvite::new(group, &id)?), |i| format!("{:?}", i.id)));
    let users = atlas.execute(&ListOrgUsers::new(org)?.items_per_page(5)?);
    lines.push(line("users", &users, |p| format!("{} of {:?}", p.results.len(), p.total_count)));
    Ok(lines)
}

/// The same code, async.
async fn session_async<E: ExecuteAsync>(atlas: &E, group: &str, org: &str) -> Result<Vec<String>, Error> {
    let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly])?;
    let created = atlas.execute(&CreateGroupInvite::new(group, body)?).await;
    let mut lines = vec![line("create", &created, |i| format!("{:?} {:?}", i.username, i.roles))];
    let id = created?.value.id.expect("an id");
    let listed = atlas.execute(&ListGroupInvites::new(group)?).await;
    lines.push(line("list", &listed, |l| format!("{} invites", l.len())));
    let got = atlas.execute(&GetGroupInvite::new(group, &id)?).await;
    lines.push(line("get", &got, |i| format!("{:?}", i.id)));
    let deleted = atlas.execute(&DeleteGroupInvite::new(group, &id)?).await;
    lines.push(line("delete", &deleted, |()| String::new()));
    let again = atlas.execute(&GetGroupInvite::new(group, &id)?).await;
    lines.push(line("get again", &again, |i| format!("{:?}", i.id)));
    let users = atlas.execute(&ListOrgUsers::new(org)?.items_per_page(5)?).await;
    lines.push(line("users", &users, |p| format!("{} of {:?}", p.results.len(), p.total_count)));
    Ok(lines)
}

#[test]
fn a_replay_through_execute_and_execute_async_opens_no_socket() {
    // Record, through the real client's IO.
    let config = FakeConfig {
        public_key: PUBLIC_KEY.into(),
        private_key: PRIVATE_KEY.into(),
        serve_past_sunset: true,
        ..FakeConfig::default()
    };
    let fake = FakeAtlas::start_with(config).expect("fake");
    fake.seed_users(7, OrgMembershipStatus::Active, false).unwrap();
    let (recorded_at, c) = (fake.addr(), fake.config().clone());
    let client = Client::builder().base_url(&fake.base_url()).api_key(PUBLIC_KEY, PRIVATE_KEY).build().unwrap();
    let credentials = fake.credentials(Auth::ApiKey).unwrap();
    let recorder = Recorder::for_credentials(&credentials).scrub(|s| s.host(&recorded_at.to_string()));
    let session_state = Session::new(client.config().clone(), credentials, 7).unwrap();
    let recording = Recording::new(session_state, recorder, move |out| client.send(out));
    let recorded = session(&recording, &c.group_id, &c.org_id).unwrap();
    assert_eq!(recorded.len(), 6, "{recorded:#?}");
    assert_eq!(recorded[4], "get again: error 404 Not Found");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("replay_opens_no_socket.json");
    recording.recorder().save(&path).unwrap();
    let exchanges = recording.recorder().len();
    assert_eq!(exchanges, 7, "one Digest challenge, then one exchange per call");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains(PRIVATE_KEY) && !text.contains(PUBLIC_KEY), "no secret in the cassette");
    // Stop everything that held a socket: the fake (its thread joins) and the client's pool.
    drop(recording);
    drop(fake);

    // Replay, with a tripwire at the recorded address, which is also the players' base URL.
    let tripwire = Tripwire::bind_at(recorded_at).expect("the stopped fake's port");
    let config = Config::default().with_base_url(&tripwire.url()).unwrap();
    let before = open_sockets();
    let player = Player::with_config(Cassette::load(&path).unwrap(), config.clone()).unwrap();
    let replayed = session(&player, &c.group_id, &c.org_id).unwrap();
    assert_eq!(replayed, recorded, "same results and exchange counts through Execute");
    assert_eq!(player.answered(), exchanges);
    player.assert_done();
    let async_player = Player::with_config(Cassette::load(&path).unwrap(), config).unwrap();
    let replayed = blocking(session_async(&async_player, &c.group_id, &c.org_id)).unwrap();
    assert_eq!(replayed, recorded, "same results and exchange counts through ExecuteAsync");
    async_player.assert_done();
    let after = open_sockets();
    assert_eq!(tripwire.connections(), 0, "a replay connected to the recorded address");
    assert_eq!(after, before, "a replay left a socket open");

    // The instruments do see a connection.
    let probe = TcpStream::connect(tripwire.addr()).unwrap();
    if let Some(after) = after {
        assert_eq!(open_sockets(), Some(after + 1));
    }
    assert_eq!(tripwire.connections(), 1);
    drop(probe);
}
