//! The call state machine against recorded responses: Digest, OAuth, retries, misuse, secrets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stderr,
    missing_docs
)]

use atlas_admin_core::ops::*;
use atlas_admin_core::{
    ApiResponse, AuthFailure, Call, Config, Credentials, Error, GroupInvitationRequest, HttpDate, Now, Operation,
    Outgoing, ProjectRole, Purpose, RetryPolicy, Revocation, Session, Step, TransportError, TransportErrorKind,
};
mod support;
use std::time::Duration;
use support::{clock, fixtures};

const GROUP: &str = "6a7900aa11bb22cc33dd44ee";
const INV: &str = "6a7900ff11bb22cc33dd44ef";

fn t0() -> Now {
    clock::at(HttpDate::parse("Sat, 28 Nov 2026 12:00:00 GMT").unwrap().system_time())
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

fn session_with(credentials: Credentials, retry: RetryPolicy) -> Session {
    Session::new(Config::default().with_retry(retry), credentials, 7).unwrap()
}

fn digest() -> Session {
    session_with(Credentials::api_key("pub", "SECRET-PRIVATE-KEY").unwrap(), RetryPolicy::default())
}

fn oauth() -> Session {
    session_with(Credentials::service_account("client", "SECRET-CLIENT-SECRET").unwrap(), RetryPolicy::default())
}

fn update() -> UpdateGroupInvites {
    let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
    UpdateGroupInvites::new(GROUP, body).unwrap()
}

fn create() -> CreateGroupInvite {
    let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
    CreateGroupInvite::new(GROUP, body).unwrap()
}

/// Drives `call` against a scripted server: each `Send` takes the next answer; `Wait`s advance
/// the clock. Returns the result, the requests sent, and the waits asked for.
struct Run<T> {
    result: Result<ApiResponse<T>, Error>,
    sent: Vec<http::Request<Vec<u8>>>,
    /// What each request was for, as the call said.
    purposes: Vec<Purpose>,
    waits: Vec<Duration>,
}

enum Answer {
    Fixture(&'static str),
    Transport(TransportErrorKind),
    Raw(http::Response<Vec<u8>>),
}
use Answer::{Fixture as F, Transport as T};

fn run<O: Operation>(call: &mut Call<'_, O>, answers: Vec<Answer>, start: Now) -> Run<O::Output> {
    run_with(call, answers, start, false)
}

/// Like `run`; with `fallback`, answers beyond the script are a non-retryable transport error.
fn run_with<O: Operation>(call: &mut Call<'_, O>, answers: Vec<Answer>, start: Now, fallback: bool) -> Run<O::Output> {
    let mut answers = answers.into_iter();
    let (mut sent, mut purposes, mut waits, mut now) = (Vec::new(), Vec::new(), Vec::new(), start);
    for _ in 0..100 {
        match call.next(now) {
            Step::Send(out) => {
                sent.push(out.request);
                purposes.push(out.purpose);
                match answers.next() {
                    Some(F(name)) => call.handle_response(fixtures::response(name), now),
                    Some(T(kind)) => call.handle_transport_error(TransportError::new(kind, "scripted"), now),
                    Some(Answer::Raw(response)) => call.handle_response(response, now),
                    None if fallback => {
                        call.handle_transport_error(TransportError::new(TransportErrorKind::Other, "end"), now)
                    }
                    None => panic!("no scripted answer for request {}", sent.len()),
                }
            }
            Step::Wait(d) => {
                waits.push(d);
                now += d;
            }
            Step::Done(result) => return Run { result, sent, purposes, waits },
        }
    }
    panic!("call did not finish within 100 steps");
}

fn auth_header(r: &http::Request<Vec<u8>>) -> String {
    r.headers().get("authorization").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

fn param(header: &str, name: &str) -> String {
    atlas_admin_core::digest::parse_authorization(header).unwrap()[name].clone()
}

/// A session that has already seen the Atlas challenge (nonce 669g…, next nc 2).
fn primed_digest() -> Session {
    let s = digest();
    let r = run(&mut s.begin(&update()), vec![F("digest_401_challenge"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    s
}

#[test]
fn digest_n_calls_cost_n_plus_one_requests() {
    let s = digest();
    let mut total = 0;
    for i in 0..5 {
        let answers = if i == 0 {
            vec![F("digest_401_challenge"), F("update_group_invites_200_seed")]
        } else {
            vec![F("update_group_invites_200_seed")]
        };
        let r = run(&mut s.begin(&update()), answers, t0());
        assert!(r.result.is_ok());
        let last = r.sent.last().unwrap();
        assert_eq!(param(&auth_header(last), "nc"), format!("{:08x}", i + 1));
        total += r.sent.len();
    }
    assert_eq!(total, 6);
}

#[test]
fn stale_nonce_costs_exactly_one_extra_request() {
    let s = primed_digest();
    let r = run(&mut s.begin(&update()), vec![F("digest_401_stale"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok(), "{:?}", r.result);
    assert_eq!(r.sent.len(), 2);
    let (old, new) = (auth_header(&r.sent[0]), auth_header(&r.sent[1]));
    assert_eq!(param(&old, "nonce"), "669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed");
    assert_eq!(param(&new, "nonce"), "Zz9nEwN0nce/2ndQ80Spv3k+Jc99ed12");
    assert_eq!(param(&new, "nc"), "00000001", "a new nonce restarts nc");
    // And the next call continues the new nonce preemptively.
    let r = run(&mut s.begin(&update()), vec![F("update_group_invites_200_seed")], t0());
    assert_eq!(param(&auth_header(&r.sent[0]), "nc"), "00000002");
}

#[test]
fn wrong_password_is_exactly_two_requests_then_an_authentication_error() {
    let s = digest();
    let r = run(&mut s.begin(&update()), vec![F("digest_401_challenge"), F("digest_401_challenge")], t0());
    assert_eq!(r.sent.len(), 2);
    match r.result {
        Err(Error::Authentication(a)) => {
            assert_eq!(a.kind, AuthFailure::DigestRejected);
            assert_eq!(a.status.unwrap(), 401);
            assert_eq!(a.error_code.as_deref(), Some("UNEXPECTED_ERROR"));
        }
        other => panic!("{other:?}"),
    }
    // With the challenge cached, a refused preemptive signature fails after one request.
    let r = run(&mut s.begin(&update()), vec![F("digest_401_challenge")], t0());
    assert_eq!(r.sent.len(), 1);
    assert!(matches!(r.result, Err(Error::Authentication(_))));
}

#[test]
fn no_sequence_of_401s_makes_more_than_two_requests() {
    for answers in [
        vec![F("digest_401_stale"), F("digest_401_stale"), F("digest_401_stale")],
        vec![F("digest_401_challenge"), F("digest_401_stale"), F("digest_401_challenge")],
        vec![F("digest_401_stale"), F("digest_401_challenge"), F("digest_401_stale")],
    ] {
        for s in [digest(), primed_digest()] {
            let r = run(
                &mut s.begin(&update()),
                answers
                    .iter()
                    .map(|a| match a {
                        F(n) => F(n),
                        T(k) => T(*k),
                        Answer::Raw(r) => Answer::Raw(r.clone()),
                    })
                    .collect(),
                t0(),
            );
            assert!(r.sent.len() <= 2, "{} requests", r.sent.len());
            assert!(matches!(r.result, Err(Error::Authentication(_))), "{:?}", r.result);
        }
    }
}

#[test]
fn unanswerable_challenges_are_typed_errors_after_one_request() {
    for (fixture, needle) in [
        ("digest_401_sha512_256", "SHA-512-256"),
        ("digest_401_auth_int_only", "auth-int"),
        ("digest_401_missing_nonce", "missing nonce"),
        ("digest_401_basic_only", "Basic"),
    ] {
        let r = run(&mut digest().begin(&update()), vec![F(fixture)], t0());
        assert_eq!(r.sent.len(), 1, "{fixture}");
        match r.result {
            Err(Error::UnsupportedChallenge(e)) => assert!(e.reason.contains(needle), "{fixture}: {}", e.reason),
            other => panic!("{fixture}: {other:?}"),
        }
    }
}

#[test]
fn a_401_without_a_challenge_is_the_api_error_it_carries() {
    let r = run(&mut primed_digest().begin(&update()), vec![F("seed_error_401")], t0());
    let err = r.result.unwrap_err();
    assert_eq!(err.error_code(), Some("NOT_ORG_GROUP_CREATOR"));
    assert_eq!(err.status().unwrap(), 401);
    assert!(matches!(err, Error::Api(_)));
}

#[test]
fn one_token_serves_concurrent_calls_and_refreshes_once() {
    let s = oauth();
    let (op_a, op_b) = (update(), ListGroupInvites::new(GROUP).unwrap());
    let mut a = s.begin(&op_a);
    let mut b = s.begin(&op_b);
    let Step::Send(Outgoing { request: token_req, .. }) = a.next(t0()) else { panic!() };
    assert_eq!(token_req.uri().path(), "/api/oauth/token");
    // B must not fetch a second token while A's fetch is in flight.
    assert!(matches!(b.next(t0()), Step::Wait(_)));
    a.handle_response(fixtures::response("oauth_token_200"), t0());
    let Step::Send(Outgoing { request: api_a, .. }) = a.next(t0()) else { panic!() };
    let Step::Send(Outgoing { request: api_b, .. }) = b.next(t0()) else { panic!() };
    assert_eq!(auth_header(&api_a), auth_header(&api_b));
    a.handle_response(fixtures::response("update_group_invites_200_seed"), t0());
    b.handle_response(fixtures::response("list_group_invites_200"), t0());
    assert!(matches!(a.next(t0()), Step::Done(Ok(_))));
    assert!(matches!(b.next(t0()), Step::Done(Ok(_))));

    // 59 minutes later (inside the 60 s margin): the next call refreshes first.
    let later = t0() + secs(3600 - 30);
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], later);
    assert_eq!(r.sent[0].uri().path(), "/api/oauth/token");
    assert!(r.result.is_ok());
}

#[test]
fn refused_client_secret_fails_waiters_without_more_token_requests() {
    let s = oauth();
    let (op_a, op_b) = (update(), update());
    let mut a = s.begin(&op_a);
    let mut b = s.begin(&op_b);
    let Step::Send(_) = a.next(t0()) else { panic!() };
    assert!(matches!(b.next(t0()), Step::Wait(_)));
    a.handle_response(fixtures::response("oauth_token_401"), t0());
    match a.next(t0()) {
        Step::Done(Err(Error::Authentication(e))) => {
            assert_eq!(e.kind, AuthFailure::ClientCredentialsRejected);
            assert_eq!(e.error_code.as_deref(), Some("invalid_client"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(b.next(t0()), Step::Done(Err(Error::Authentication(_)))));
}

#[test]
fn refused_token_is_refreshed_once_then_reported() {
    let s = oauth();
    let r = run(
        &mut s.begin(&update()),
        vec![F("oauth_token_200"), F("seed_error_401"), F("oauth_token_200"), F("update_group_invites_200_seed")],
        t0(),
    );
    assert!(r.result.is_ok(), "{:?}", r.result);
    assert_eq!(r.sent.iter().filter(|q| q.uri().path() == "/api/oauth/token").count(), 2);
    // Refused again right after a fresh token: that is Atlas's answer about this call (here the
    // seed's 401 NOT_ORG_GROUP_CREATOR), not about the token.
    let r = run(&mut s.begin(&update()), vec![F("seed_error_401"), F("oauth_token_200"), F("seed_error_401")], t0());
    assert_eq!(r.sent.len(), 3);
    let err = r.result.unwrap_err();
    assert!(matches!(&err, Error::Api(a) if a.status == 401), "{err:?}");
    assert_eq!(err.error_code(), Some("NOT_ORG_GROUP_CREATOR"));
    // For a minute that token's 401s are taken as such answers: no token fetch per refusal.
    let r = run(&mut s.begin(&update()), vec![F("seed_error_401")], t0() + secs(30));
    assert_eq!(r.sent.len(), 1);
    assert_eq!(r.result.unwrap_err().error_code(), Some("NOT_ORG_GROUP_CREATOR"));
    // Later, a 401 may again mean a revoked token: one refresh is tried.
    let r = run(
        &mut s.begin(&update()),
        vec![F("seed_error_401"), F("oauth_token_200"), F("update_group_invites_200_seed")],
        t0() + secs(120),
    );
    assert!(r.result.is_ok());
}

#[test]
fn token_endpoint_rate_limit_is_waited_out() {
    let r = run(
        &mut oauth().begin(&update()),
        vec![F("oauth_token_429"), F("oauth_token_200"), F("update_group_invites_200_seed")],
        t0(),
    );
    assert!(r.result.is_ok());
    assert_eq!(r.waits, vec![secs(6)]);
}

#[test]
fn a_token_response_without_access_token_is_a_decode_error() {
    let r = run(&mut oauth().begin(&update()), vec![F("oauth_token_200_no_access_token")], t0());
    assert!(matches!(r.result, Err(Error::Decode(d)) if d.reason.contains("access_token")));
}

#[test]
fn retry_after_is_obeyed_exactly_and_resumes_only_when_due() {
    let s = primed_digest();
    let op = update();
    let mut call = s.begin(&op);
    let Step::Send(_) = call.next(t0()) else { panic!() };
    call.handle_response(fixtures::response("error_429_rate_limited"), t0());
    assert!(matches!(call.next(t0()), Step::Wait(d) if d == secs(55)));
    // Woken early: still 45 s to go.
    assert!(matches!(call.next(t0() + secs(10)), Step::Wait(d) if d == secs(45)));
    let Step::Send(_) = call.next(t0() + secs(55)) else { panic!() };
    call.handle_response(fixtures::response("update_group_invites_200_seed"), t0() + secs(55));
    let Step::Done(Ok(done)) = call.next(t0() + secs(55)) else { panic!() };
    assert_eq!(done.meta.exchanges, 2);
}

/// Pages fetched ahead share one session: a 429 (or 503) on one call holds every call until
/// its `Retry-After` is over, calls started meanwhile included; then they go.
#[test]
fn a_429_on_one_call_holds_every_call_of_the_session() {
    for refusal in ["error_429_rate_limited", "error_503_retry_after"] {
        let s = primed_digest();
        let (op, other) = (update(), ListGroupInvites::new(GROUP).unwrap());
        let mut call = s.begin(&op);
        let mut sent_meanwhile = s.begin(&other);
        let Step::Send(_) = call.next(t0()) else { panic!() };
        let Step::Send(_) = sent_meanwhile.next(t0()) else { panic!("{refusal}: nothing held yet") };
        call.handle_response(fixtures::response(refusal), t0());
        let Step::Wait(asked) = call.next(t0()) else { panic!("{refusal}: the refused call backs off") };
        // A call starting 1 s later waits the rest of the hold, and counts it as waited.
        let mut later = s.begin(&other);
        assert!(matches!(later.next(t0() + secs(1)), Step::Wait(d) if d == asked - secs(1)), "{refusal}");
        assert!(matches!(later.next(t0() + secs(1)), Step::Wait(d) if d == asked - secs(1)), "{refusal}");
        let Step::Send(_) = later.next(t0() + asked) else { panic!("{refusal}: the hold is over") };
        later.handle_response(fixtures::response("list_group_invites_200"), t0() + asked);
        let Step::Done(Ok(done)) = later.next(t0() + asked) else { panic!("{refusal}") };
        assert_eq!((done.meta.waited, done.meta.exchanges), (asked - secs(1), 1), "{refusal}");
        // The call already in flight is not held back: its answer is read as it comes.
        sent_meanwhile.handle_response(fixtures::response("list_group_invites_200"), t0() + secs(1));
        assert!(matches!(sent_meanwhile.next(t0() + secs(1)), Step::Done(Ok(_))), "{refusal}");
    }
}

/// The hold lasts as long as the call that set it: once that call is over (dropped while
/// backing off, as a page fetched ahead is when the walk stops, or finished), a call starting
/// at the same instant is sent at once.
#[test]
fn a_hold_ends_with_the_call_that_set_it() {
    let s = primed_digest();
    let other = ListGroupInvites::new(GROUP).unwrap();
    let op = update();
    let mut refused = s.begin(&op);
    let Step::Send(_) = refused.next(t0()) else { panic!() };
    refused.handle_response(fixtures::response("error_429_rate_limited"), t0());
    let Step::Wait(_) = refused.next(t0()) else { panic!("the refused call backs off") };
    let mut held = s.begin(&other);
    assert!(matches!(held.next(t0()), Step::Wait(_)), "held while the refused call stands");
    drop(held);
    drop(refused);
    let mut after = s.begin(&other);
    assert!(matches!(after.next(t0()), Step::Send(_)), "the hold ended with the call that set it");
}

#[test]
fn retry_after_beyond_the_cap_returns_at_once() {
    let r = run(&mut primed_digest().begin(&update()), vec![F("error_429_retry_after_10_hours")], t0());
    assert_eq!(r.sent.len(), 1);
    assert!(r.waits.is_empty());
    let err = r.result.unwrap_err();
    assert_eq!(err.retry_after(), Some(secs(36_000)));
    assert!(err.is_rate_limited());
}

#[test]
fn non_idempotent_create_is_retried_only_when_the_server_cannot_have_applied_it() {
    let s = primed_digest();
    // Refused before acting: retried.
    for refusal in ["error_429_rate_limited", "error_400_invitations_rate_limited"] {
        let r = run(&mut s.begin(&create()), vec![F(refusal), F("create_group_invite_200")], t0());
        assert!(r.result.is_ok(), "{refusal}: {:?}", r.result);
        assert_eq!(r.sent.len(), 2, "{refusal}");
    }
    let r = run(&mut s.begin(&create()), vec![T(TransportErrorKind::Connect), F("create_group_invite_200")], t0());
    assert!(r.result.is_ok());
    // May have been applied (a gateway's 503 proves nothing either): not retried.
    for answer in
        [F("malformed_html_502"), F("error_503_retry_after"), T(TransportErrorKind::Io), T(TransportErrorKind::Timeout)]
    {
        let r = run(&mut s.begin(&create()), vec![answer], t0());
        assert_eq!(r.sent.len(), 1);
        assert!(r.result.is_err());
    }
    // The same failures are retried for an idempotent update.
    for answer in [F("malformed_html_502"), T(TransportErrorKind::Io), T(TransportErrorKind::Timeout)] {
        let r = run(&mut s.begin(&update()), vec![answer, F("update_group_invites_200_seed")], t0());
        assert!(r.result.is_ok());
        assert_eq!(r.sent.len(), 2);
        let base = RetryPolicy::default().base_delay;
        assert!(r.waits[0] >= base / 2 && r.waits[0] <= base, "{:?}", r.waits);
    }
}

#[test]
fn retries_are_bounded_and_report_exhaustion() {
    let s =
        session_with(Credentials::None, RetryPolicy::default().with_max_attempts(3).with_max_total_wait(secs(1000)));
    let r = run(&mut s.begin(&update()), (0..10).map(|_| F("error_503_retry_after")).collect(), t0());
    assert_eq!(r.sent.len(), 3);
    assert_eq!(r.waits, vec![secs(2), secs(2)]);
    match r.result {
        // The final error is itself (matchable as what it is), with the retries in its metadata.
        Err(Error::Api(last)) => {
            assert_eq!((last.meta.attempts, last.meta.waited, last.meta.exchanges), (3, secs(4), 3));
            assert_eq!(last.status, 503);
        }
        other => panic!("{other:?}"),
    }
    // The total wait budget stops earlier than the attempt limit.
    let s = session_with(Credentials::None, RetryPolicy::default().with_max_total_wait(secs(3)));
    let r = run(&mut s.begin(&update()), (0..10).map(|_| F("error_503_retry_after")).collect(), t0());
    assert_eq!(r.sent.len(), 2);
    // A non-retryable answer after a retry is returned as itself.
    let r = run(&mut s.begin(&update()), vec![F("error_503_retry_after"), F("seed_error_404")], t0());
    assert_eq!(r.sent.len(), 2);
    assert!(r.result.unwrap_err().is_not_found());
}

#[test]
fn an_enveloped_429_is_retried_like_a_plain_one() {
    let s = session_with(Credentials::None, RetryPolicy::default());
    let op = update().envelope(true);
    let r = run(&mut s.begin(&op), vec![F("envelope_error_429"), F("envelope_update_group_invites_200")], t0());
    assert!(r.result.is_ok());
    assert_eq!(r.sent.len(), 2);
    assert!(r.sent[1].uri().query().unwrap().contains("envelope=true"));
}

#[test]
fn misuse_is_reported_not_panicked() {
    let s = session_with(Credentials::None, RetryPolicy::none());
    let op = update();
    let mut call = s.begin(&op);
    let Step::Send(_) = call.next(t0()) else { panic!() };
    assert!(matches!(call.next(t0()), Step::Done(Err(Error::Usage(_)))));
    let mut call = s.begin(&op);
    call.handle_response(fixtures::response("update_group_invites_200_seed"), t0());
    assert!(matches!(call.next(t0()), Step::Done(Err(Error::Usage(_)))));
    let mut call = s.begin(&op);
    let Step::Send(_) = call.next(t0()) else { panic!() };
    call.handle_response(fixtures::response("update_group_invites_200_seed"), t0());
    assert!(matches!(call.next(t0()), Step::Done(Ok(_))));
    assert!(matches!(call.next(t0()), Step::Done(Err(Error::Usage(_)))));
}

#[test]
fn a_dropped_call_releases_its_token_fetch() {
    let s = oauth();
    let op = update();
    {
        let mut leader = s.begin(&op);
        let Step::Send(_) = leader.next(t0()) else { panic!() };
        // dropped mid-flight (a cancelled future)
    }
    let r = run(&mut s.begin(&op), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    assert_eq!(r.sent[0].uri().path(), "/api/oauth/token");
}

#[test]
fn secrets_never_appear_in_debug_or_display() {
    let secrets =
        ["SECRET-PRIVATE-KEY", "SECRET-CLIENT-SECRET", "eyJhbGciOiJSUzI1NiJ9.fixture-token.sig", "SECRET-BEARER"];
    let mut seen = Vec::new();
    let bearer = session_with(Credentials::bearer_token("SECRET-BEARER").unwrap(), RetryPolicy::none());
    for s in [digest(), primed_digest(), oauth(), bearer] {
        for answers in [
            vec![F("digest_401_challenge"), F("digest_401_challenge")],
            vec![F("oauth_token_200"), F("seed_error_401"), F("oauth_token_401")],
            vec![F("oauth_token_200_no_access_token")],
            vec![F("oauth_token_200"), F("malformed_html_502"), T(TransportErrorKind::Io)],
            vec![F("digest_401_sha512_256"), F("seed_error_500")],
            vec![F("oauth_token_200"), F("update_group_invites_200_seed")],
        ] {
            let op = update();
            let mut call = s.begin(&op);
            seen.push(format!("{call:?}"));
            let r = run_with(&mut call, answers, t0(), true);
            seen.push(format!("{call:?} {s:?} {:?}", r.sent));
            match &r.result {
                Ok(v) => seen.push(format!("{v:?}")),
                Err(e) => seen.push(format!("{e} | {e:?}")),
            }
        }
        seen.push(format!("{:?} {:?}", s, s.credentials()));
    }
    let all = seen.join("\n");
    assert!(all.contains("Secret(***)"), "credentials were rendered at all");
    for secret in secrets {
        assert!(!all.contains(secret), "{secret} leaked");
    }
}

#[test]
fn invalid_input_never_reaches_a_request() {
    let s = digest();
    assert!(GetGroupInvite::new(GROUP, "6A7900FF11BB22CC33DD44EF").is_err());
    assert!(GetGroupInvite::new("short", INV).is_err());
    assert!(GroupInvitationRequest::new("hello@example.com", []).is_err());
    // Asking an endpoint for an option it lacks: `.pretty()` does not exist on DeleteGroupInvite,
    // and from text it is refused before any operation (or request) exists.
    use atlas_admin_core::ops::{FromArgs, RawArgs};
    let args = RawArgs { params: &[("groupId", GROUP), ("invitationId", INV)], pretty: true, ..RawArgs::default() };
    assert_eq!(DeleteGroupInvite::from_args(&args).unwrap_err().field(), "pretty");
    let op = DeleteGroupInvite::from_args(&RawArgs { pretty: false, ..args }).unwrap();
    assert!(matches!(s.begin(&op).next(t0()), Step::Send(_)));
}

#[test]
fn cold_concurrent_digest_calls_share_one_probe() {
    let s = digest();
    let (op_a, op_b) = (update(), update());
    let mut a = s.begin(&op_a);
    let mut b = s.begin(&op_b);
    let Step::Send(Outgoing { request: probe, .. }) = a.next(t0()) else { panic!() };
    assert!(probe.headers().get("authorization").is_none());
    // B waits for A's challenge instead of sending a probe of its own.
    assert!(matches!(b.next(t0()), Step::Wait(d) if d < secs(1)));
    a.handle_response(fixtures::response("digest_401_challenge"), t0());
    let Step::Send(Outgoing { request: b_signed, .. }) = b.next(t0()) else { panic!("B signs with A's nonce") };
    let Step::Send(Outgoing { request: a_signed, .. }) = a.next(t0()) else { panic!() };
    let ncs = [param(&auth_header(&b_signed), "nc"), param(&auth_header(&a_signed), "nc")];
    assert_eq!(ncs, ["00000001", "00000002"]);
    for call in [&mut a, &mut b] {
        call.handle_response(fixtures::response("update_group_invites_200_seed"), t0());
    }
    assert!(matches!(a.next(t0()), Step::Done(Ok(_))));
    let Step::Done(Ok(done)) = b.next(t0()) else { panic!() };
    assert_eq!(done.meta.exchanges, 1, "three requests for two cold calls");
}

#[test]
fn a_probe_that_ends_without_a_challenge_lets_the_next_call_probe() {
    // The prober is dropped mid-flight: the waiter takes over at once.
    let s = digest();
    let (op_a, op_b) = (update(), update());
    let mut b = s.begin(&op_b);
    {
        let mut a = s.begin(&op_a);
        let Step::Send(_) = a.next(t0()) else { panic!() };
        assert!(matches!(b.next(t0()), Step::Wait(_)));
    }
    let r = run(&mut b, vec![F("digest_401_challenge"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    assert!(r.sent[0].headers().get("authorization").is_none(), "B probes itself");

    // The probe fails in the transport: released, the next call probes.
    let s = digest();
    let r = run(&mut s.begin(&create()), vec![T(TransportErrorKind::Io)], t0());
    assert!(r.result.is_err());
    let r = run(&mut s.begin(&update()), vec![F("digest_401_challenge"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());

    // A prober that vanished without a trace (no drop, no answer) is overtaken after a timeout.
    let s = digest();
    let (op_a, op_b) = (update(), update());
    let mut a = s.begin(&op_a);
    let Step::Send(_) = a.next(t0()) else { panic!() };
    let mut b = s.begin(&op_b);
    assert!(matches!(b.next(t0() + secs(60)), Step::Wait(_)), "a slow probe is not duplicated");
    assert!(matches!(b.next(t0() + secs(91)), Step::Send(_)), "stale probe lease is taken over");
}

#[test]
fn a_server_that_does_not_challenge_is_not_waited_for() {
    let s = digest();
    let (op_a, op_b) = (update(), update());
    let mut a = s.begin(&op_a);
    let Step::Send(_) = a.next(t0()) else { panic!() };
    a.handle_response(fixtures::response("update_group_invites_200_seed"), t0());
    assert!(matches!(a.next(t0()), Step::Done(Ok(_))));
    // No challenge came back: later calls go unsigned at once, concurrently.
    let mut b = s.begin(&op_b);
    let mut c = s.begin(&op_a);
    assert!(matches!(b.next(t0()), Step::Send(r) if r.request.headers().get("authorization").is_none()));
    assert!(matches!(c.next(t0()), Step::Send(_)));
}

#[test]
fn a_zero_lifetime_token_is_refused_not_refetched_forever() {
    let zero = http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(br#"{"access_token":"t","token_type":"Bearer","expires_in":0}"#.to_vec())
        .unwrap();
    let s = oauth();
    let op = update();
    let mut call = s.begin(&op);
    let Step::Send(_) = call.next(t0()) else { panic!() };
    call.handle_response(zero, t0());
    assert!(matches!(call.next(t0()), Step::Done(Err(Error::Decode(d))) if d.reason.contains("expires_in")));
}

#[test]
fn a_stale_nonce_after_a_retry_is_still_answered() {
    // Probe 401 (uses the re-authentication), signed 429, wait, then the nonce went stale:
    // the call re-signs once more instead of blaming the keys.
    let r = run(
        &mut digest().begin(&update()),
        vec![
            F("digest_401_challenge"),
            F("error_429_rate_limited"),
            F("digest_401_stale"),
            F("update_group_invites_200_seed"),
        ],
        t0(),
    );
    assert!(r.result.is_ok(), "{:?}", r.result);
    assert_eq!(r.sent.len(), 4);
}

#[test]
fn a_proven_nonce_refused_out_of_order_is_re_signed_once() {
    // The cached nonce already worked; a 401 with the same nonce (an nc the server took out of
    // order) earns one fresh signature with a higher nc, not a verdict on the keys.
    let s = primed_digest();
    let r = run(&mut s.begin(&update()), vec![F("digest_401_challenge"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok(), "{:?}", r.result);
    let ncs: Vec<String> = r.sent.iter().map(|q| param(&auth_header(q), "nc")).collect();
    assert_eq!(ncs, ["00000002", "00000003"]);
    // Keys revoked mid-session: still exactly two requests, then the verdict.
    let r = run(&mut s.begin(&update()), vec![F("digest_401_challenge"), F("digest_401_challenge")], t0());
    assert_eq!(r.sent.len(), 2);
    assert!(matches!(r.result, Err(Error::Authentication(_))));
}

#[test]
fn a_failing_token_endpoint_fails_its_waiters_at_once() {
    let s = session_with(
        Credentials::service_account("client", "SECRET-CLIENT-SECRET").unwrap(),
        RetryPolicy::default().with_max_attempts(2),
    );
    let (op_a, op_b) = (update(), update());
    let mut b = s.begin(&op_b);
    let r = {
        let mut a = s.begin(&op_a);
        let Step::Send(_) = a.next(t0()) else { panic!() };
        assert!(matches!(b.next(t0()), Step::Wait(d) if d < secs(1)));
        a.handle_response(fixtures::response("malformed_html_502"), t0());
        // B learns the outcome at once and counts it as its own failed fetch: it backs off
        // under its own policy (a jittered backoff, not a poll).
        let base = RetryPolicy::default().base_delay;
        assert!(matches!(b.next(t0()), Step::Wait(d) if d >= base / 2 && d <= base));
        run(&mut a, vec![F("malformed_html_502")], t0())
    };
    assert_eq!(r.sent.len(), 1, "one retry after the first 502");
    assert!(matches!(&r.result, Err(Error::Decode(d)) if d.status == 502));
    // B's second (and last) attempt is its own fetch; it ends with the failure itself.
    let r = run(&mut b, vec![F("malformed_html_502")], t0() + secs(1));
    assert_eq!(r.purposes, [Purpose::TokenFetch { attempt: 2 }]);
    match r.result {
        Err(Error::Decode(d)) => {
            assert_eq!(d.status, 502);
            assert_eq!(d.meta.as_ref().map(|m| m.attempts), Some(2), "the awaited failure counted as B's first");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_delete_retried_after_an_uncertain_failure_that_finds_nothing_succeeded() {
    let del = DeleteGroupInvite::new(GROUP, INV).unwrap();
    let r = run(&mut primed_digest().begin(&del), vec![T(TransportErrorKind::Timeout), F("seed_error_404")], t0());
    let ok = r.result.expect("the first attempt deleted it");
    assert_eq!(ok.meta.status, 404);
    // Without an uncertain first attempt, a 404 is a 404.
    let r = run(&mut primed_digest().begin(&del), vec![F("seed_error_404")], t0());
    assert!(r.result.unwrap_err().is_not_found());
    // After a 429 (certainly not applied), too.
    let r = run(&mut primed_digest().begin(&del), vec![F("error_429_rate_limited"), F("seed_error_404")], t0());
    assert!(r.result.unwrap_err().is_not_found());
}

/// A 429 asking for `retry_after` (raw header text).
fn too_many_requests(retry_after: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(429)
        .header("content-type", "application/json")
        .header("retry-after", retry_after)
        .body(br#"{"error":429,"errorCode":"RATE_LIMITED","reason":"Too Many Requests"}"#.to_vec())
        .unwrap()
}

#[test]
fn an_impossible_wait_under_an_uncapped_policy_ends_the_call_without_panicking() {
    // Regression: `max_delay`/`max_total_wait` = Duration::MAX and `Retry-After: u64::MAX`
    // panicked ("overflow when adding durations"); the call must end with the error itself.
    let uncapped = RetryPolicy::default()
        .with_max_attempts(u32::MAX)
        .with_max_delay(Duration::MAX)
        .with_max_total_wait(Duration::MAX);
    let s = session_with(Credentials::None, uncapped);
    let answers = (0..3).map(|_| Answer::Raw(too_many_requests("18446744073709551615"))).collect();
    let r = run_with(&mut s.begin(&update()), answers, t0(), true);
    assert_eq!(r.sent.len(), 1, "never retried at once");
    assert!(r.waits.is_empty());
    match r.result {
        Err(Error::Api(e)) => assert_eq!((e.status.as_u16(), e.meta.attempts), (429, 1)),
        other => panic!("{other:?}"),
    }
    // A huge but representable wait is waited (not skipped), and the next overflowing one ends it.
    let week = 7 * 24 * 3600;
    let answers =
        vec![Answer::Raw(too_many_requests(&week.to_string())), Answer::Raw(too_many_requests("18446744073709551615"))];
    let r = run_with(&mut s.begin(&update()), answers, t0(), true);
    assert_eq!((r.sent.len(), r.waits.clone()), (2, vec![secs(week)]));
    assert!(matches!(r.result, Err(Error::Api(e)) if e.meta.waited == secs(week)));
}

#[test]
fn waits_are_scheduled_on_the_monotonic_clock() {
    // Regression: a wall clock stepped back an hour after `Retry-After: 2` asked for 3602 s.
    let s = session_with(Credentials::None, RetryPolicy::default());
    let op = update();
    let mut call = s.begin(&op);
    let Step::Send(_) = call.next(t0()) else { panic!() };
    call.handle_response(too_many_requests("2"), t0());
    let stepped_back = Now::new(t0().instant, t0().wall - secs(3600));
    assert!(matches!(call.next(stepped_back), Step::Wait(d) if d == secs(2)), "the wall clock is not the schedule");
    // Stepped forward a day: still 1 s to go after 1 s of monotonic time.
    let stepped_forward = Now::new(t0().instant + secs(1), t0().wall + secs(86_400));
    assert!(matches!(call.next(stepped_forward), Step::Wait(d) if d == secs(1)));
    let Step::Send(_) = call.next(t0() + secs(2)) else { panic!("due after 2 s of monotonic time") };
}

/// One virtual-time run of `calls` concurrent calls of a list against a server that never
/// answers: every exchange fails with a timeout after `exchange_timeout` (or the call's
/// deadline, if sooner). Returns each call's end (from the start) and the requests sent.
fn silent_server(session: &Session, calls: usize, exchange_timeout: Duration) -> (Vec<Duration>, usize) {
    let op = ListGroupInvites::new(GROUP).unwrap();
    let start = t0();
    let mut machines: Vec<Call<'_, ListGroupInvites>> = (0..calls).map(|_| session.begin(&op)).collect();
    // (when the call acts next, whether a request it sent fails then)
    let mut due: Vec<Option<(Duration, bool)>> = vec![Some((Duration::ZERO, false)); calls];
    let (mut ended, mut requests) = (vec![Duration::ZERO; calls], 0);
    for _ in 0..100_000 {
        let Some((i, (at, in_flight))) =
            due.iter().enumerate().filter_map(|(i, d)| d.map(|d| (i, d))).min_by_key(|(_, (at, _))| *at)
        else {
            return (ended, requests);
        };
        let now = start + at;
        if in_flight {
            machines[i].handle_transport_error(TransportError::new(TransportErrorKind::Timeout, "silent"), now);
        }
        due[i] = match machines[i].next(now) {
            Step::Send(out) => {
                requests += 1;
                let limit = out.time_left.map_or(exchange_timeout, |left| left.min(exchange_timeout));
                Some((at + limit, true))
            }
            Step::Wait(d) => Some((at + d, false)),
            Step::Done(result) => {
                assert!(
                    matches!(&result, Err(Error::Transport(t)) if t.kind == TransportErrorKind::Timeout),
                    "{result:?}"
                );
                ended[i] = at;
                None
            }
        };
    }
    panic!("the calls did not finish");
}

#[test]
fn concurrent_cold_digest_calls_against_a_silent_server_each_end_within_their_own_budget() {
    // Regression: 10 cold Digest calls, 1 s exchange timeout, default retries: calls took 17-40 s
    // (40 requests, 1 s apart: each waiter re-probed serially). Now a failed probe fails all its
    // waiters at once; each counts it as its own attempt (4 attempts, ~3.5 s of backoff at most).
    let (ended, requests) = silent_server(&digest(), 10, secs(1));
    let slowest = ended.iter().max().copied().unwrap_or_default();
    eprintln!("silent server, 10 cold Digest calls: slowest call {slowest:?}, {requests} requests");
    assert!(slowest <= secs(8), "a call took {slowest:?}: {ended:?}");
    assert!(requests <= 12, "{requests} requests: waiters share each probe");
    // A deadline bounds the whole call: exchanges, waits and retries together.
    let s = session_with(
        Credentials::api_key("pub", "SECRET-PRIVATE-KEY").unwrap(),
        RetryPolicy::default().with_deadline(Duration::from_millis(2500)),
    );
    let (ended, _) = silent_server(&s, 10, secs(1));
    assert!(ended.iter().all(|e| *e <= Duration::from_millis(2500)), "{ended:?}");
}

#[test]
fn waiting_for_another_calls_probe_counts_against_max_total_wait() {
    let s = session_with(
        Credentials::api_key("pub", "SECRET-PRIVATE-KEY").unwrap(),
        RetryPolicy::default().with_max_total_wait(Duration::from_millis(100)),
    );
    let (op_a, op_b) = (update(), update());
    let mut a = s.begin(&op_a);
    let Step::Send(_) = a.next(t0()) else { panic!() };
    let mut b = s.begin(&op_b);
    let mut now = t0();
    let result = loop {
        match b.next(now) {
            Step::Wait(d) => now += d,
            Step::Done(result) => break result,
            Step::Send(_) => panic!("B must wait for A's probe"),
        }
    };
    assert_eq!(now.instant - t0().instant, Duration::from_millis(100), "B waits exactly its budget");
    assert!(
        matches!(result, Err(Error::Transport(t)) if t.kind == TransportErrorKind::Timeout && t.waited == Duration::from_millis(100))
    );
}

#[test]
fn every_request_says_what_it_is_for() {
    let r = run(
        &mut oauth().begin(&update()),
        vec![F("oauth_token_200"), F("error_429_rate_limited"), F("update_group_invites_200_seed")],
        t0(),
    );
    assert_eq!(
        r.purposes,
        [Purpose::TokenFetch { attempt: 1 }, Purpose::Api { attempt: 1 }, Purpose::Api { attempt: 2 }]
    );
    let r =
        run(&mut digest().begin(&update()), vec![F("digest_401_challenge"), F("update_group_invites_200_seed")], t0());
    assert_eq!(r.purposes, [Purpose::DigestProbe { attempt: 1 }, Purpose::Api { attempt: 1 }]);
}

/// Review finding: after a re-sign (stale nonce), transport failures were retried as "the same
/// attempt" forever (bounded only by the wait budget). Each retry is now an attempt.
#[test]
fn retries_after_a_resign_count_against_max_attempts() {
    let s = session_with(
        Credentials::api_key("pub", "SECRET-PRIVATE-KEY").unwrap(),
        RetryPolicy::default().with_max_attempts(3).with_max_total_wait(secs(100_000)),
    );
    let primed =
        run(&mut s.begin(&update()), vec![F("digest_401_challenge"), F("update_group_invites_200_seed")], t0());
    assert!(primed.result.is_ok());
    let mut answers = vec![F("digest_401_stale")];
    answers.extend((0..50).map(|_| T(TransportErrorKind::Connect)));
    let r = run(&mut s.begin(&update()), answers, t0());
    // The first attempt, its re-sign, then two retries: max_attempts 3.
    assert_eq!(r.sent.len(), 4, "{:?}", r.purposes);
    assert!(matches!(&r.result, Err(Error::Transport(t)) if t.kind == TransportErrorKind::Connect), "{:?}", r.result);
}

/// Review finding: a call that only waited for another call's failed probe sent nothing, so a
/// later 404 of its DELETE is a real 404, not "already deleted".
#[test]
fn a_delete_that_only_waited_for_a_failed_probe_reports_its_404() {
    let s = digest();
    let (get, delete) = (GetGroupInvite::new(GROUP, INV).unwrap(), DeleteGroupInvite::new(GROUP, INV).unwrap());
    let mut leader = s.begin(&get);
    let mut waiter = s.begin(&delete);
    let Step::Send(_) = leader.next(t0()) else { panic!("the leader probes") };
    assert!(matches!(waiter.next(t0()), Step::Wait(_)));
    leader.handle_transport_error(TransportError::new(TransportErrorKind::Timeout, "scripted"), t0());
    drop(leader);
    let r = run(&mut waiter, vec![F("digest_401_challenge"), F("seed_error_404")], t0() + secs(1));
    assert!(r.result.as_ref().is_err_and(|e| e.is_not_found()), "{:?}", r.result);
}

/// Review finding: a request was handed out with no time left before the deadline; nothing is
/// sent once the deadline has passed.
#[test]
fn nothing_is_sent_once_the_deadline_has_passed() {
    let s = session_with(Credentials::None, RetryPolicy::default().with_deadline(secs(2)));
    let op = update();
    let mut call = s.begin(&op);
    let Step::Send(_) = call.next(t0()) else { panic!() };
    // The answer (a retryable 503 with Retry-After: 2) arrives exactly at the deadline.
    call.handle_response(fixtures::response("error_503_retry_after"), t0() + secs(2));
    match call.next(t0() + secs(2)) {
        Step::Done(Err(e)) => assert_eq!(e.status().map(|s| s.as_u16()), Some(503), "{e:?}"),
        other => panic!("no second request past the deadline: {other:?}"),
    }
}

/// Review finding: `Outgoing`'s derived `Debug` printed the request body, and a revocation's
/// body is `token=<access token>`.
#[test]
fn a_revocation_request_never_shows_its_token_in_debug() {
    let s = oauth();
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    let (out, _) = s.revoke_request().unwrap().expect("a token to revoke");
    let body = String::from_utf8_lossy(out.request.body()).into_owned();
    assert!(body.contains("eyJhbGciOiJSUzI1NiJ9.fixture-token.sig"), "the body does carry the token: {body}");
    let shown = format!("{out:?}");
    assert!(shown.contains("Revoke") && shown.contains("body_len"), "{shown}");
    assert!(!shown.contains("fixture-token") && !shown.contains("SECRET-CLIENT-SECRET"), "{shown}");
}

/// The body of a revocation request: `token=<token>&…`.
fn revoked_token((out, _): &(Outgoing, Revocation)) -> String {
    let body = String::from_utf8_lossy(out.request.body()).into_owned();
    body.split('&').find_map(|kv| kv.strip_prefix("token=")).unwrap_or_default().to_owned()
}

/// The token of the `oauth_token_200` fixture.
const FIXTURE_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.fixture-token.sig";

fn status(code: u16) -> http::Response<Vec<u8>> {
    http::Response::builder().status(code).body(Vec::new()).unwrap()
}

/// A second token response (another value than the fixture's).
fn other_token() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(br#"{"access_token":"second-token","token_type":"Bearer","expires_in":3600}"#.to_vec())
        .unwrap()
}

/// Review finding: a failed revocation used to forget the token locally while it stayed valid
/// at Atlas, so it could not be revoked again. Now it is put back: calls keep using it (no new
/// fetch) and the revocation can be retried; only a 200 forgets it.
#[test]
fn a_failed_revocation_keeps_the_token_so_it_can_be_retried() {
    let s = oauth();
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    let mut revoking = s.revoke_request().unwrap().expect("a token to revoke");
    let first = revoked_token(&revoking);
    let failures = [
        Err(TransportError::new(TransportErrorKind::Io, "connection reset")),
        Ok(too_many_requests("1")),
        Ok(status(500)),
    ];
    for (i, failure) in failures.into_iter().enumerate() {
        let err = s.finish_revoke(revoking.1, failure, t0()).unwrap_err();
        assert!(err.is_retryable() || err.status().is_some(), "{err:?}");
        // Calls in the meantime use the kept token: no token fetch.
        let r = run(&mut s.begin(&update()), vec![F("update_group_invites_200_seed")], t0());
        assert_eq!(r.purposes, [Purpose::Api { attempt: 1 }], "failure {i}");
        assert!(auth_header(&r.sent[0]).ends_with(&first), "failure {i}");
        // And the same token can be revoked again.
        revoking = s.revoke_request().unwrap().unwrap();
        assert_eq!(revoked_token(&revoking), first, "failure {i}");
    }
    s.finish_revoke(revoking.1, Ok(status(200)), t0()).unwrap();
    assert!(s.revoke_request().unwrap().is_none(), "revoked: nothing left to revoke");
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert_eq!(r.purposes[0], Purpose::TokenFetch { attempt: 1 }, "the next call fetches a new token");
}

/// While a token is being revoked, calls stop using it and fetch a new one; if the revocation
/// then fails, the newer token stays in use; the old one is revoked again once the newer one
/// is (it is still valid at Atlas).
#[test]
fn calls_during_a_revocation_fetch_a_new_token_which_a_failed_revocation_does_not_replace() {
    let s = oauth();
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    let (_, old_revocation) = s.revoke_request().unwrap().unwrap();
    let r = run(&mut s.begin(&update()), vec![Answer::Raw(other_token()), F("update_group_invites_200_seed")], t0());
    assert_eq!(r.purposes[0], Purpose::TokenFetch { attempt: 1 });
    assert!(auth_header(&r.sent[1]).ends_with("second-token"));
    assert!(s.finish_revoke(old_revocation, Ok(status(503)), t0()).is_err());
    let r = run(&mut s.begin(&update()), vec![F("update_group_invites_200_seed")], t0());
    assert!(auth_header(&r.sent[0]).ends_with("second-token"));
    let next = s.revoke_request().unwrap().unwrap();
    assert_eq!(revoked_token(&next), "second-token");
    s.finish_revoke(next.1, Ok(status(200)), t0()).unwrap();
    let old = s.revoke_request().unwrap().expect("the old token, still valid at Atlas");
    assert_eq!(revoked_token(&old), FIXTURE_TOKEN);
    s.finish_revoke(old.1, Ok(status(200)), t0()).unwrap();
    assert!(s.revoke_request().unwrap().is_none(), "both revoked");
}

/// A revocation whose answer never came back (its request was dropped, e.g. a cancelled
/// future) is sent again by the next `revoke_request`.
#[test]
fn an_abandoned_revocation_is_sent_again() {
    let s = oauth();
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    let first = s.revoke_request().unwrap().unwrap();
    drop(first);
    let again = s.revoke_request().unwrap().expect("the unfinished revocation is retried");
    assert_eq!(revoked_token(&again), FIXTURE_TOKEN);
    s.finish_revoke(again.1, Ok(status(200)), t0()).unwrap();
    assert!(s.revoke_request().unwrap().is_none());
}

/// A session that has used token A (the fixture's) and handed it to a revocation, then made a
/// call that fetched token B (`second-token`) and handed B to a second revocation: two
/// revocations in the air at once, A's and B's.
fn two_overlapping_revocations() -> (Session, (Outgoing, Revocation), (Outgoing, Revocation)) {
    let s = oauth();
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    let a = s.revoke_request().unwrap().expect("A to revoke");
    let r = run(&mut s.begin(&update()), vec![Answer::Raw(other_token()), F("update_group_invites_200_seed")], t0());
    assert_eq!(r.purposes[0], Purpose::TokenFetch { attempt: 1 }, "A is out of use: B is fetched");
    let b = s.revoke_request().unwrap().expect("B to revoke");
    assert_eq!((revoked_token(&a).as_str(), revoked_token(&b).as_str()), (FIXTURE_TOKEN, "second-token"));
    (s, a, b)
}

/// Review finding: one revocation slot served overlapping revocations, so whichever answer
/// came first ended the newest. A revoked, then B's revocation failing lost B: still valid at
/// Atlas, yet `revoke_request` had nothing left to revoke. Each revocation now ends its own
/// token: B goes back into use and is revoked on the next try.
#[test]
fn overlapping_revocations_each_end_their_own_token_a_revoked_b_refused() {
    let (s, a, b) = two_overlapping_revocations();
    s.finish_revoke(a.1, Ok(status(200)), t0()).unwrap();
    assert!(s.finish_revoke(b.1, Ok(status(503)), t0()).is_err());
    let r = run(&mut s.begin(&update()), vec![F("update_group_invites_200_seed")], t0());
    assert_eq!(r.purposes, [Purpose::Api { attempt: 1 }], "B is back in use: no fetch");
    assert!(auth_header(&r.sent[0]).ends_with("second-token"));
    let again = s.revoke_request().unwrap().expect("B was lost");
    assert_eq!(revoked_token(&again), "second-token");
    s.finish_revoke(again.1, Ok(status(200)), t0()).unwrap();
    assert!(s.revoke_request().unwrap().is_none(), "A and B revoked: nothing left");
}

/// Review finding, the other order: A's revocation failing put B back into use (the slot held
/// B), and B's revocation then succeeded, so calls sent a revoked token. Now A (still valid)
/// goes back into use, B stays out, and the next revocation takes A.
#[test]
fn overlapping_revocations_each_end_their_own_token_a_refused_b_revoked() {
    let (s, a, b) = two_overlapping_revocations();
    assert!(s.finish_revoke(a.1, Err(TransportError::new(TransportErrorKind::Io, "reset")), t0()).is_err());
    s.finish_revoke(b.1, Ok(status(200)), t0()).unwrap();
    let r = run(&mut s.begin(&update()), vec![F("update_group_invites_200_seed")], t0());
    assert_eq!(r.purposes, [Purpose::Api { attempt: 1 }], "A is back in use: no fetch");
    assert!(auth_header(&r.sent[0]).ends_with(FIXTURE_TOKEN), "the revoked B is never sent again");
    let again = s.revoke_request().unwrap().expect("A was forgotten");
    assert_eq!(revoked_token(&again), FIXTURE_TOKEN);
    s.finish_revoke(again.1, Ok(status(200)), t0()).unwrap();
    assert!(s.revoke_request().unwrap().is_none());
}

/// Both overlapping revocations fail: the newer token B goes back into use, and A (also still
/// valid) is not forgotten: once B is revoked, the next revocation takes A. A revocation that
/// ends twice (an abandoned one retried, both answers arriving) changes nothing the second time.
#[test]
fn overlapping_revocations_that_both_fail_forget_neither_token() {
    let (s, a, b) = two_overlapping_revocations();
    assert!(s.finish_revoke(a.1, Ok(status(500)), t0()).is_err());
    assert!(s.finish_revoke(b.1, Ok(status(503)), t0()).is_err());
    let r = run(&mut s.begin(&update()), vec![F("update_group_invites_200_seed")], t0());
    assert!(auth_header(&r.sent[0]).ends_with("second-token"), "the newer token is in use");
    let b = s.revoke_request().unwrap().unwrap();
    assert_eq!(revoked_token(&b), "second-token");
    s.finish_revoke(b.1, Ok(status(200)), t0()).unwrap();
    let a = s.revoke_request().unwrap().expect("A, still valid at Atlas");
    assert_eq!(revoked_token(&a), FIXTURE_TOKEN);
    let a_again = s.revoke_request().unwrap().expect("A's answer has not come: sent again");
    assert_eq!(revoked_token(&a_again), FIXTURE_TOKEN);
    s.finish_revoke(a_again.1, Ok(status(200)), t0()).unwrap();
    assert!(s.finish_revoke(a.1, Ok(status(503)), t0()).is_err(), "the late failure is still reported");
    assert!(s.revoke_request().unwrap().is_none(), "the late failure puts nothing back");
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert_eq!(r.purposes[0], Purpose::TokenFetch { attempt: 1 }, "no revoked token is used");
}

fn access_list_403() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(403)
        .header("content-type", "application/json")
        .body(
            br#"{"error":403,"reason":"Forbidden","errorCode":"IP_ADDRESS_NOT_ON_ACCESS_LIST","detail":"IP address 203.0.113.9 is not allowed to access this resource."}"#
                .to_vec(),
        )
        .unwrap()
}

/// `n` cold calls start together on `session`; the first one's request (a Digest probe or a
/// token fetch) is answered with `answer`, every later request with a 200. Returns how many
/// requests went out in all and each call's result.
fn n_cold_calls_one_answer(
    session: &Session,
    n: usize,
    answer: http::Response<Vec<u8>>,
) -> (usize, Vec<Result<(), Error>>) {
    let ops: Vec<UpdateGroupInvites> = (0..n).map(|_| update()).collect();
    let mut calls: Vec<_> = ops.iter().map(|op| session.begin(op)).collect();
    let Step::Send(_) = calls[0].next(t0()) else { panic!("the first call leads") };
    for call in &mut calls[1..] {
        assert!(matches!(call.next(t0()), Step::Wait(d) if d < secs(1)), "the others wait for it");
    }
    calls[0].handle_response(answer, t0());
    let mut sent = 1;
    let mut results = Vec::new();
    for call in &mut calls {
        let run = run(call, (0..3).map(|_| F("update_group_invites_200_seed")).collect(), t0());
        sent += run.sent.len();
        results.push(run.result.map(drop));
    }
    (sent, results)
}

/// A probe answered with a non-retryable status that says nothing about the call itself (an
/// IP access list 403, a proxy's 500 page) fails every call waiting on it at once, with the
/// same typed error: one request for all of them, not one probe per waiter in turn.
#[test]
fn a_non_retryable_probe_failure_fails_every_waiter_with_one_request() {
    let cases = [(access_list_403(), 403), (fixtures::response("malformed_error_not_json_500"), 500)];
    for (answer, status) in cases {
        let (sent, results) = n_cold_calls_one_answer(&digest(), 4, answer);
        assert_eq!(sent, 1, "{status}: one request in all");
        for result in results {
            let e = result.unwrap_err();
            assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{e:?}");
            assert!(!e.is_retryable());
        }
    }
    let (_, results) = n_cold_calls_one_answer(&digest(), 3, access_list_403());
    assert!(
        results.iter().all(|r| matches!(r, Err(Error::Api(a)) if a.error_code() == "IP_ADDRESS_NOT_ON_ACCESS_LIST"))
    );
    // A proxy's HTML 502 is retryable: shared as well; with no retries left, all end at once.
    let once = session_with(
        Credentials::api_key("pub", "SECRET-PRIVATE-KEY").unwrap(),
        RetryPolicy::default().with_max_attempts(1),
    );
    let (sent, results) = n_cold_calls_one_answer(&once, 4, fixtures::response("malformed_html_502"));
    assert_eq!(sent, 1);
    assert!(results.iter().all(|r| matches!(r, Err(Error::Decode(d)) if d.status == 502)), "{results:?}");
}

/// An answer about the leader's own request (a 404 of its resource, from a server that did not
/// ask for credentials) is not the waiters' answer: each goes on with its own request.
#[test]
fn a_probe_answered_about_its_own_resource_does_not_fail_the_waiters() {
    let (sent, results) = n_cold_calls_one_answer(&digest(), 3, fixtures::response("seed_error_404"));
    assert!(results[0].as_ref().is_err_and(Error::is_not_found));
    // The next waiter probes for itself (answered 200: no challenge), the last goes unsigned.
    assert!(results[1..].iter().all(Result::is_ok), "{results:?}");
    assert_eq!(sent, 3, "the waiters sent their own requests");
}

/// The same for a token fetch: the request is the same for every call, so any failure of it
/// is every waiting call's (here an access-list 403 and a proxy's 500 page).
#[test]
fn a_non_retryable_token_fetch_failure_fails_every_waiter_with_one_request() {
    let cases = [(access_list_403(), 403), (fixtures::response("malformed_error_not_json_500"), 500)];
    for (answer, status) in cases {
        let (sent, results) = n_cold_calls_one_answer(&oauth(), 4, answer);
        assert_eq!(sent, 1, "{status}: one request in all");
        for result in results {
            assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(status));
        }
    }
}

/// The same on threads, through the blocking driver: `n` calls start at once, the server
/// answers the first request (the probe) with the access-list 403 only once every other call
/// is waiting for it, and counts the requests.
#[test]
fn concurrent_calls_on_threads_share_a_refused_probe() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    const N: usize = 6;
    let session = digest();
    let requests = AtomicUsize::new(0);
    let (waiting_tx, waiting_rx) = mpsc::channel::<()>();
    let waiting_rx = std::sync::Mutex::new(waiting_rx);
    let results: Vec<Result<(), Error>> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..N)
            .map(|_| {
                let (session, requests, waiting_rx, waiting_tx) =
                    (&session, &requests, &waiting_rx, waiting_tx.clone());
                scope.spawn(move || {
                    let op = update();
                    let send = |_out: Outgoing| {
                        if requests.fetch_add(1, Ordering::SeqCst) == 0 {
                            // Answer only once the other calls wait (bounded: at most 10 s).
                            let rx = waiting_rx.lock().unwrap();
                            for _ in 1..N {
                                if rx.recv_timeout(secs(10)).is_err() {
                                    break;
                                }
                            }
                        }
                        Ok(access_list_403())
                    };
                    let mut told = false;
                    let sleep = |_d: Duration| {
                        if !told {
                            told = true;
                            let _ = waiting_tx.send(());
                        }
                        std::thread::yield_now();
                    };
                    atlas_admin_core::driver::run_blocking(session, &op, t0, send, sleep, None).map(drop)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert_eq!(requests.load(Ordering::SeqCst), 1, "one probe for {N} calls");
    for result in results {
        assert!(
            matches!(result, Err(Error::Api(a)) if a.status == 403 && a.error_code() == "IP_ADDRESS_NOT_ON_ACCESS_LIST")
        );
    }
}

/// Review finding: a waiter that shares the leader's probe failure was told the leader's
/// operation (`createGroupInvite: HTTP 403`) although it called another one. Each call now
/// reports the shared failure under its own operation id, an Atlas 403 and a proxy's HTML 500
/// alike, and the leader keeps its own.
#[test]
fn a_shared_probe_failure_names_each_waiters_own_operation() {
    let proxy_500 = fixtures::response("malformed_error_not_json_500");
    for (answer, status) in [(access_list_403(), 403), (proxy_500, 500)] {
        let s = digest();
        let (c, u) = (create(), update());
        let mut leader = s.begin(&c);
        let mut waiter = s.begin(&u);
        let Step::Send(_) = leader.next(t0()) else { panic!("the first call leads") };
        assert!(matches!(waiter.next(t0()), Step::Wait(_)));
        leader.handle_response(answer, t0());
        let ours = run(&mut leader, vec![], t0()).result.unwrap_err();
        let theirs = run(&mut waiter, vec![], t0());
        assert!(theirs.sent.is_empty(), "{status}: the waiter shares the answer, sends nothing");
        let theirs = theirs.result.unwrap_err();
        for (e, operation) in [(&ours, "createGroupInvite"), (&theirs, "updateGroupInvites")] {
            assert_eq!(e.status().map(|s| s.as_u16()), Some(status), "{e:?}");
            match e {
                Error::Api(a) => assert_eq!(a.operation, operation, "{a}"),
                Error::Decode(d) => assert_eq!(d.operation, operation, "{d}"),
                other => panic!("{status}: {other:?}"),
            }
            assert!(e.to_string().starts_with(&format!("{operation}: ")), "{e}");
        }
    }
}

/// Review finding: any answer whose body was not Atlas's was shared with the waiters, so a
/// proxy's HTML 413 or 414 (about the leader's own body or URI size) failed every waiter
/// without it sending its own small request. Such answers are now shared like Atlas's own:
/// 403, 407 and 5xx only; a 413, a 414 and a redirect are the leader's alone.
#[test]
fn a_proxys_answer_about_the_leaders_own_request_is_not_the_waiters_answer() {
    let page = |status: u16, location: Option<&str>| {
        let mut b = http::Response::builder().status(status).header("content-type", "text/html");
        if let Some(l) = location {
            b = b.header("location", l);
        }
        b.body(format!("<html><head><title>{status}</title></head><body>nginx</body></html>").into_bytes()).unwrap()
    };
    for (status, location) in [(413, None), (414, None), (302, Some("https://sso.example.com/login"))] {
        let (sent, results) = n_cold_calls_one_answer(&digest(), 3, page(status, location));
        match &results[0] {
            Err(Error::Decode(d)) => assert_eq!(d.status, status, "{d}"),
            other => panic!("{status}: the leader gets its own answer: {other:?}"),
        }
        assert!(results[1..].iter().all(Result::is_ok), "{status}: {results:?}");
        assert_eq!(sent, 3, "{status}: each waiter sent its own request");
    }
}

/// A token whose revocation failed goes back into use; a token fetch that lands meanwhile
/// (started while it was out) displaces it, and it is set aside, not forgotten: revoking until
/// nothing is left still revokes it.
#[test]
fn a_token_put_back_while_a_fetch_is_in_flight_is_still_revoked_later() {
    let s = oauth();
    let r = run(&mut s.begin(&update()), vec![F("oauth_token_200"), F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    let a = s.revoke_request().unwrap().expect("A to revoke");
    let mut call = s.begin(&update());
    let Step::Send(out) = call.next(t0()) else { panic!("a token fetch") };
    assert_eq!(out.purpose, Purpose::TokenFetch { attempt: 1 });
    assert!(s.finish_revoke(a.1, Ok(status(503)), t0()).is_err(), "A goes back into use");
    call.handle_response(other_token(), t0());
    let r = run(&mut call, vec![F("update_group_invites_200_seed")], t0());
    assert!(r.result.is_ok());
    let mut revoked = Vec::new();
    for _ in 0..4 {
        let Some(next) = s.revoke_request().unwrap() else { break };
        revoked.push(revoked_token(&next));
        s.finish_revoke(next.1, Ok(status(200)), t0()).unwrap();
    }
    assert_eq!(revoked, ["second-token", FIXTURE_TOKEN], "A, still valid at Atlas, was lost");
}
