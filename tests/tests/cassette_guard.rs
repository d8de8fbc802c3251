//! The recorder's secret guard and its record side under hostile or mistaken input: secrets in
//! every encoded form the cassette could hold them (form-urlencoded, the core's Basic
//! credentials, base64 at any offset, JSON-escaped, cut by a replacement), a hostile prior
//! cassette, misspelt modes and auth, the bounds of `loopback_send`, and scrubbing ids and
//! e-mails by value with a cassette that still replays.

use atlas_admin_core::driver::{SendResult, run_blocking};
use atlas_admin_core::ops::{CreateGroupInvite, GetGroupInvite, ListGroupInvites};
use atlas_admin_core::{
    Config, Credentials, Execute, GroupInvitationRequest, Now, Outgoing, ProjectRole, Purpose, Session,
    TransportErrorKind,
};
use atlas_admin_testing::cassette::{Auth, Cassette, Mode, Player, Recorder, Recording, SaveError, loopback_send};
use atlas_admin_testing::fake::FakeAtlas;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use std::io::{Read, Write};
use std::time::{Duration, Instant, SystemTime};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";

fn now() -> Now {
    Now::new(Instant::now(), SystemTime::now())
}

fn json(status: u16, body: &str) -> SendResult {
    Ok(http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.as_bytes().to_vec())
        .unwrap())
}

/// A scripted server: the token endpoint hands out `token`, everything else answers `[]`.
fn server(token: &'static str) -> impl FnMut(Outgoing) -> SendResult {
    move |out: Outgoing| match out.purpose {
        Purpose::TokenFetch { .. } => {
            json(200, &format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#))
        }
        Purpose::Revoke => Ok(http::Response::builder().status(200).body(Vec::new()).unwrap()),
        _ => json(200, "[]"),
    }
}

/// Records one invitation whose e-mail is `email`, answered by `answer`, with no credentials
/// sent but `private_key` known to the recorder (and `scrub` applied), and returns what
/// saving the cassette gives.
fn record_invite(
    private_key: &str,
    email: &str,
    scrub: impl FnOnce(atlas_admin_testing::cassette::Secrets) -> atlas_admin_testing::cassette::Secrets,
    answer: impl FnMut(Outgoing) -> SendResult,
) -> Result<Cassette, SaveError> {
    let credentials = Credentials::api_key("pubk1234", private_key).unwrap();
    let recorder = Recorder::for_credentials(&credentials).scrub(scrub);
    let session = Session::new(Config::default(), Credentials::None, 1).unwrap();
    let body = GroupInvitationRequest::new(email, [ProjectRole::GroupReadOnly]).unwrap();
    let mut send = recorder.wrap_send(answer);
    let _ = run_blocking(&session, &CreateGroupInvite::new(GROUP, body).unwrap(), now, &mut send, |_| {}, None);
    drop(send);
    recorder.cassette()
}

fn refused(result: Result<Cassette, SaveError>) -> &'static str {
    match result {
        Err(SaveError::Secret { what, .. }) => what,
        other => panic!("the guard let a secret through: {other:?}"),
    }
}

#[test]
fn a_token_percent_encoded_in_the_revoke_body_becomes_its_placeholder() {
    const TOKEN: &str = "ab/cd+ef=gh~ij";
    let credentials = Credentials::service_account("mdb_sa_id_x", "mdb_sa_sk_secret").unwrap();
    let recorder = Recorder::for_credentials(&credentials);
    let session = Session::new(Config::default(), credentials, 1).unwrap();
    let mut send = recorder.wrap_send(server(TOKEN));
    run_blocking(&session, &ListGroupInvites::new(GROUP).unwrap(), now, &mut send, |_| {}, None).unwrap();
    let (out, revocation) = session.revoke_request().unwrap().expect("a token to revoke");
    let result = send(out);
    session.finish_revoke(revocation, result, now()).unwrap();
    drop(send);
    let text = recorder.cassette().unwrap().to_json_string();
    let encoded: String = form_urlencoded::byte_serialize(TOKEN.as_bytes()).collect();
    assert!(!text.contains(&encoded) && !text.contains(TOKEN), "{text}");
    assert!(text.contains("token=TOKEN-1&token_type_hint=access_token"), "{text}");
}

#[test]
fn the_basic_header_the_core_sends_is_refused_when_echoed() {
    // URL-special characters: the core sends base64(urlencode(id):urlencode(secret)).
    const SECRET: &str = "mdb_sa_sk_a+b/c=d";
    let credentials = Credentials::service_account("mdb_sa_id_x", SECRET).unwrap();
    let recorder = Recorder::for_credentials(&credentials);
    let session = Session::new(Config::default(), credentials, 1).unwrap();
    let mut echoed = String::new();
    let mut send = recorder.wrap_send(|out: Outgoing| {
        if matches!(out.purpose, Purpose::TokenFetch { .. }) {
            echoed = out.request.headers()["authorization"].to_str().unwrap().to_owned();
            // A proxy that echoes the credentials it refused.
            return json(401, &format!(r#"{{"error":"invalid_client","error_description":"refused {echoed}"}}"#));
        }
        json(200, "[]")
    });
    let _ = run_blocking(&session, &ListGroupInvites::new(GROUP).unwrap(), now, &mut send, |_| {}, None);
    drop(send);
    assert_eq!(
        echoed.strip_prefix("Basic ").unwrap(),
        atlas_admin_core::oauth::basic_credentials("mdb_sa_id_x", SECRET),
        "the one encoding is the one sent"
    );
    // The secret's own base64 at its offset inside the Basic run is found too; either label refuses.
    let what = refused(recorder.cassette());
    assert!(["Basic credentials", "client secret"].contains(&what), "{what}");
}

#[test]
fn base64_without_padding_or_inside_a_longer_run_is_refused() {
    let private_key = "k>>?~private";
    for prefix in ["", "a", "ab"] {
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let b64 = engine.encode(format!("{prefix}{private_key}!"));
            let result = record_invite(private_key, &format!("{b64}@example.com"), |s| s, |_| json(200, "{}"));
            assert_eq!(refused(result), "private key", "{prefix:?} {b64}");
        }
    }
}

#[test]
fn a_json_escaped_secret_is_refused() {
    let private_key = r#"pk"with\quote"#;
    let echo = serde_json::json!({ "echo": private_key }).to_string();
    let result = record_invite(private_key, "a@example.com", |s| s, |_| json(200, &echo));
    assert_eq!(refused(result), "private key");
}

#[test]
fn a_replacement_cutting_a_secret_does_not_hide_it() {
    let private_key = "0b6f1c2e-5a4d-4e3b-9c8d-7f6e5d4c3b2a";
    // The user scrubs a short value that happens to occur in the key.
    let result = record_invite(
        private_key,
        &format!("{private_key}@example.com"),
        |s| s.replace("4e3b", "N"),
        |_| json(200, "{}"),
    );
    assert_eq!(refused(result), "private key");
    // Without the secret in the exchange, the same replacement is applied.
    let saved = record_invite(private_key, "x-4e3b@example.com", |s| s.replace("4e3b", "N"), |_| json(200, "{}"));
    assert!(saved.unwrap().to_json_string().contains("x-N@example.com"));
}

#[test]
fn a_hostile_token_number_in_a_prior_cassette_is_ignored() {
    let prior = serde_json::json!({
        "version": 1, "auth": "service_account",
        "interactions": [{
            "operation": "x", "purpose": {"kind": "api", "attempt": 1}, "waits_before_ms": [],
            "request": {"method": "GET", "path": "/nothing", "query": []},
            "response": {"status": 200, "headers": {}, "body_text": "TOKEN-18446744073709551615 TOKEN-99999999999999999999999"}
        }]
    });
    let prior = Cassette::from_json_str(&prior.to_string()).unwrap();
    let credentials = Credentials::service_account("mdb_sa_id_x", "mdb_sa_sk_secret").unwrap();
    let session = Session::new(Config::default(), credentials.clone(), 1).unwrap();
    let recording = Recording::new(session, Recorder::for_credentials(&credentials), server("realtoken"))
        .new_episodes(prior)
        .unwrap();
    Execute::execute(&recording, &ListGroupInvites::new(GROUP).unwrap()).unwrap();
    let cassette = recording.recorder().cassette().expect("no overflow, no refusal");
    let token_response = cassette.interactions.iter().find(|i| matches!(i.purpose, Purpose::TokenFetch { .. }));
    let body = token_response.unwrap().response.as_ref().unwrap().body.clone();
    assert_eq!(
        body,
        atlas_admin_testing::cassette::Body::Json(
            serde_json::json!({"access_token": "TOKEN-1", "token_type": "Bearer", "expires_in": 3600})
        ),
        "numbered as if the prior cassette had no placeholder"
    );
}

#[test]
fn a_misspelt_mode_or_auth_is_an_error_not_a_default() {
    let error = Mode::pick(false, Some("replya")).unwrap_err();
    assert!(error.to_string().contains("\"replya\""), "{error}");
    assert!(Mode::pick(true, Some("recrod")).is_err(), "a typo is reported in CI too");
    // An environment value can be any length: the message shows its first 64 characters.
    let long = Mode::pick(false, Some(&"x".repeat(100_000))).unwrap_err().to_string();
    assert!(long.contains(&format!("\"{}\"", "x".repeat(64))) && long.len() < 300, "{}", long.len());
    assert_eq!(Mode::pick(false, Some("")), Ok(Mode::Once), "empty is unset");
    for (ci, set) in [(None, false), (Some(""), false), (Some("0"), false), (Some("FALSE"), false)] {
        assert_eq!(Mode::ci_is_set(ci), set, "{ci:?}");
    }
    for ci in ["true", "1", "yes", "github"] {
        assert!(Mode::ci_is_set(Some(ci)), "{ci}");
    }
    let text = |auth: &str| format!(r#"{{"version": 1, "auth": {auth}, "interactions": []}}"#);
    let error = Cassette::from_json_str(&text("\"apikey\"")).unwrap_err();
    assert!(error.to_string().contains("apikey"), "{error}");
    assert!(Cassette::from_json_str(&text("7")).is_err());
    assert!(Cassette::from_json_str(r#"{"version": 1, "interactions": []}"#).is_err());
    assert_eq!(Cassette::from_json_str(&text("\"none\"")).unwrap().auth, Auth::None);
}

/// A loopback server answering one connection with `answer` (after reading the request head),
/// then holding it open until the test ends.
fn one_shot(answer: Vec<u8>) -> (String, std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        let (mut tcp, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && tcp.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        let _ = tcp.write_all(&answer);
        // Held open (no EOF) until the test says so, at most 30 s.
        let _ = wait.recv_timeout(Duration::from_secs(30));
    });
    (addr, done, handle)
}

/// The request the core hands out for a list call to `addr`, with `deadline` as its time left.
fn outgoing(addr: &str, deadline: Option<Duration>) -> Outgoing {
    let mut retry = atlas_admin_core::RetryPolicy::default();
    if let Some(d) = deadline {
        retry = retry.with_deadline(d);
    }
    let config = Config::default().with_base_url(&format!("http://{addr}")).unwrap().with_retry(retry);
    let session = Session::new(config, Credentials::None, 1).unwrap();
    let mut taken = None;
    let mut send = |out: Outgoing| {
        taken.get_or_insert(out);
        Err(atlas_admin_core::TransportError::new(TransportErrorKind::Refused, "taken"))
    };
    let _ = run_blocking(&session, &ListGroupInvites::new(GROUP).unwrap(), now, &mut send, |_| {}, None);
    let out = taken.expect("the core hands out a request");
    assert_eq!(out.time_left.is_some(), deadline.is_some());
    out
}

#[test]
fn loopback_send_is_bounded_and_says_why_it_failed() {
    // Too many headers: a clear HeadersTooLarge, not a vague "incomplete head".
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..300 {
        many.extend(format!("x-h{i}: v\r\n").as_bytes());
    }
    many.extend(b"content-length: 0\r\n\r\n");
    let cases: Vec<(Vec<u8>, TransportErrorKind, &str)> = vec![
        (many, TransportErrorKind::HeadersTooLarge, "more than 256"),
        (b"HTTP/1.1 200 OK\r\nbad header\r\n\r\n".to_vec(), TransportErrorKind::Io, "malformed response head: "),
        (b"HTTP/1.1 200 OK\r\ncontent-length: 999999999999\r\n\r\n".to_vec(), TransportErrorKind::BodyTooLarge, "over"),
        // A head that never ends: the exchange's time runs out.
        (b"HTTP/1.1 200 OK\r\n".to_vec(), TransportErrorKind::Timeout, "time"),
    ];
    for (answer, kind, says) in cases {
        let (addr, done, handle) = one_shot(answer);
        let started = Instant::now();
        let error = loopback_send(outgoing(&addr, Some(Duration::from_millis(300)))).unwrap_err();
        assert_eq!((error.kind, error.to_string().contains(says)), (kind, true), "{error}");
        assert!(started.elapsed() < Duration::from_secs(10), "bounded by time_left");
        done.send(()).unwrap();
        handle.join().unwrap();
    }
    // A complete answer is read up to its Content-Length without waiting for the close.
    let (addr, done, handle) = one_shot(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n[]".to_vec());
    let response = loopback_send(outgoing(&addr, None)).unwrap();
    assert_eq!((response.status().as_u16(), response.body().as_slice()), (200, b"[]".as_slice()));
    done.send(()).unwrap();
    handle.join().unwrap();
}

#[test]
fn ids_and_emails_scrubbed_by_value_replay_with_the_real_values() {
    const EMAIL: &str = "real.person@example.com";
    let fake = FakeAtlas::start_day_independent();
    let group = fake.config().group_id.clone();
    let credentials = fake.credentials(Auth::ApiKey).unwrap();
    let host = fake.addr().to_string();
    let scrub = |s: atlas_admin_testing::cassette::Secrets| {
        s.host(&host).replace(&group, "GROUP-ID").replace(EMAIL, "user-1@example.invalid")
    };
    let recorder = Recorder::for_credentials(&credentials).scrub(scrub);
    let config = Config::default().with_base_url(&fake.base_url()).unwrap();
    let session = Session::new(config, credentials, 7).unwrap();
    let recording = Recording::new(session, recorder, loopback_send).virtual_time();
    let run = |execute: &mut dyn FnMut(u8) -> String| (0..3).map(execute).collect::<Vec<String>>();
    let body = || GroupInvitationRequest::new(EMAIL, [ProjectRole::GroupReadOnly]).unwrap();
    let mut invitation = String::new();
    let recorded = run(&mut |step| match step {
        0 => {
            let created = recording.execute(&CreateGroupInvite::new(&group, body()).unwrap()).unwrap();
            invitation = created.value.id.clone().unwrap().to_string();
            format!("{} {:?} {:?}", created.meta.exchanges, created.value.username, created.value.group_id)
        }
        1 => {
            let got = recording.execute(&GetGroupInvite::new(&group, &invitation).unwrap()).unwrap();
            format!("{} {:?} {:?}", got.meta.exchanges, got.value.username, got.value.group_id)
        }
        _ => {
            let listed = recording.execute(&ListGroupInvites::new(&group).unwrap().username(EMAIL).unwrap()).unwrap();
            format!("{} {:?}", listed.meta.exchanges, listed.value.iter().map(|i| &i.username).collect::<Vec<_>>())
        }
    });
    let cassette = recording.recorder().cassette().unwrap();
    drop(fake);
    let text = cassette.to_json_string();
    assert!(!text.contains(&group) && !text.contains(EMAIL), "{text}");
    assert!(text.contains("GROUP-ID") && text.contains("user-1@example.invalid"));
    assert!(recorded[0].contains(EMAIL) && recorded[0].contains(&group), "{recorded:?}");

    let player = Player::new(cassette).unwrap().scrub(scrub);
    let replayed = run(&mut |step| match step {
        0 => {
            let created = player.execute(&CreateGroupInvite::new(&group, body()).unwrap()).unwrap();
            format!("{} {:?} {:?}", created.meta.exchanges, created.value.username, created.value.group_id)
        }
        1 => {
            let got = player.execute(&GetGroupInvite::new(&group, &invitation).unwrap()).unwrap();
            format!("{} {:?} {:?}", got.meta.exchanges, got.value.username, got.value.group_id)
        }
        _ => {
            let listed = player.execute(&ListGroupInvites::new(&group).unwrap().username(EMAIL).unwrap()).unwrap();
            format!("{} {:?}", listed.meta.exchanges, listed.value.iter().map(|i| &i.username).collect::<Vec<_>>())
        }
    });
    assert_eq!(replayed, recorded);
    assert!(player.misses().is_empty());
    player.assert_done();
}
