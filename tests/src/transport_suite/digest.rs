//! Digest over a real socket: one challenge, then preemptive signing shared by all clones.

use super::{Transport, canned_client};
use crate::canned::*;
use atlas_admin_core::digest::{Challenge, ResponseInput, parse_authorization, response};
use atlas_admin_core::ops::{GetGroupInvite, UpdateGroupInvites};
use atlas_admin_core::{Exchange, GroupInvitationRequest, ProjectRole, Purpose};
use std::sync::{Arc, Mutex};

/// Checks that `auth` is a correct Digest answer for `method` `uri` with `nc`.
fn assert_signed(auth: &str, method: &str, uri: &str, nc: u32) {
    assert!(auth.starts_with("Digest "), "{auth}");
    let p = parse_authorization(auth).unwrap();
    assert_eq!(p["username"], PUBLIC_KEY);
    assert_eq!(p["realm"], "MMS Public API");
    assert_eq!(p["nonce"], "669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed");
    assert_eq!(p["uri"], uri);
    assert_eq!(p["qop"], "auth");
    assert_eq!(p["nc"], format!("{nc:08x}"));
    let challenge = Challenge::parse(CHALLENGE).unwrap();
    let expected = response(
        &challenge,
        &ResponseInput { username: PUBLIC_KEY, password: PRIVATE_KEY, method, uri, nc, cnonce: &p["cnonce"] },
    );
    assert_eq!(p["response"], expected, "Digest response hash");
}

/// The first call is challenged, then signed with `nc=1`; the next is signed at once with
/// `nc=2`. The core's headers go out as built, and nothing is added.
pub fn challenge_then_preemptive_nc_increments<T: Transport>() {
    let server = Server::start(vec![
        challenge(),
        ok_json(&invitation_json("ada@example.com")),
        ok_json(&invitation_json("ada@example.com")),
    ]);
    let user_agent = format!("atlas-admin-testing/1 ({})", T::NAME);
    let client = canned_client::<T>(&server.base_url(), |b| b.user_agent(user_agent.clone()));
    let body = GroupInvitationRequest::new("ada@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    let op = UpdateGroupInvites::new(GROUP_ID, body).unwrap();

    let first = T::execute(&client, &op).unwrap();
    assert_eq!(first.value.username.as_deref(), Some("ada@example.com"));
    assert_eq!(first.meta.exchanges, 2, "challenge + signed request");
    assert_eq!(first.meta.rate_limit_limit, Some(1200));
    assert!(first.meta.sunset.is_some() && first.meta.deprecation.is_some());

    let second = T::execute(&client, &op).unwrap();
    assert_eq!(second.meta.exchanges, 1, "preemptively signed: one round trip");

    let requests = server.finish();
    assert_eq!(requests.len(), 3, "{requests:#?}");
    let path = format!("/api/atlas/v2/groups/{GROUP_ID}/invites");
    for r in &requests {
        assert_eq!(r.method, "PATCH");
        assert_eq!(r.target, path);
        // The core's headers go out as built: the transport adds no User-Agent, Accept or Accept-Encoding.
        assert_eq!(r.header("user-agent"), Some(user_agent.as_str()));
        assert_eq!(r.header("accept"), Some("application/vnd.atlas.2023-01-01+json"));
        assert_eq!(r.header("content-type"), Some("application/vnd.atlas.2023-01-01+json"));
        assert_eq!(r.header("accept-encoding"), None);
        assert_eq!(r.body, br#"{"roles":["GROUP_READ_ONLY"],"username":"ada@example.com"}"#);
    }
    assert_eq!(requests[0].header("authorization"), None, "first request is unsigned");
    assert_signed(requests[1].header("authorization").unwrap(), "PATCH", &path, 1);
    assert_signed(requests[2].header("authorization").unwrap(), "PATCH", &path, 2);
}

/// Clones on other threads (or tasks) sign preemptively from the one session, each `nc` used once.
pub fn clones_share_the_digest_session<T: Transport>() {
    let server = Server::start(vec![
        challenge(),
        ok_json(&invitation_json("ada@example.com")),
        ok_json(&invitation_json("ada@example.com")),
        ok_json(&invitation_json("ada@example.com")),
    ]);
    let client = canned_client::<T>(&server.base_url(), |b| b);
    let op = GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap();
    T::execute(&client, &op).unwrap();
    for result in T::execute_on_clones(&client, &op, 2) {
        assert_eq!(result.unwrap().meta.exchanges, 1, "a clone signs preemptively");
    }
    let requests = server.finish();
    assert_eq!(requests.len(), 4);
    let path = format!("/api/atlas/v2/groups/{GROUP_ID}/invites/{INVITATION_ID}");
    let mut ncs: Vec<String> = requests[1..]
        .iter()
        .map(|r| {
            let auth = r.header("authorization").unwrap();
            let nc = parse_authorization(auth).unwrap()["nc"].clone();
            assert_signed(auth, "GET", &path, u32::from_str_radix(&nc, 16).unwrap());
            nc
        })
        .collect();
    ncs.sort();
    assert_eq!(ncs, ["00000001", "00000002", "00000003"], "every nc used once");
    // A GET has no body, and goes out without Content-Length or Transfer-Encoding.
    for r in &requests {
        assert_eq!(r.method, "GET");
        assert!(r.header("content-length").is_none() && r.header("transfer-encoding").is_none(), "{r:?}");
    }
}

/// The observer sees the challenge and the signed call, and never a secret.
pub fn observer_sees_every_exchange_but_no_secret<T: Transport>() {
    let server = Server::start(vec![challenge(), ok_json(&invitation_json("ada@example.com"))]);
    let seen: Arc<Mutex<Vec<Exchange>>> = Arc::default();
    let sink = seen.clone();
    let client = canned_client::<T>(&server.base_url(), |b| {
        b.on_exchange(move |e: &Exchange| sink.lock().unwrap().push(e.clone()))
    });
    T::execute(&client, &GetGroupInvite::new(GROUP_ID, INVITATION_ID).unwrap()).unwrap();
    server.finish();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].status().map(|s| s.as_u16()), Some(401));
    assert_eq!(seen[0].auth_scheme, None);
    assert_eq!(seen[1].status().map(|s| s.as_u16()), Some(200));
    assert_eq!(seen[1].auth_scheme.as_deref(), Some("Digest"));
    assert_eq!(seen[1].method, "GET");
    assert!(seen[1].uri.to_string().ends_with(&format!("/invites/{INVITATION_ID}")));
    for e in seen.iter() {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(PRIVATE_KEY) && !shown.contains("response=") && !shown.contains("cnonce"), "{shown}");
    }
    assert!(seen[1].to_string().contains("[Digest] (attempt 1) -> 200 OK"), "{}", seen[1]);
    // The core says what each request was for; nobody guesses it from the status or URL.
    let purposes: Vec<_> = seen.iter().map(|e| (e.purpose, e.operation)).collect();
    assert_eq!(
        purposes,
        [
            (Some(Purpose::DigestProbe { attempt: 1 }), Some("getGroupInvite")),
            (Some(Purpose::Api { attempt: 1 }), Some("getGroupInvite"))
        ]
    );
}
