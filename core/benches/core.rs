//! Benchmarks of the core's hot path: `cargo bench -p atlas-admin-core --bench core`.
//!
//! - `core/update_group_invites/build_sign_parse`: validate input, build and Digest-sign the
//!   request through the call state machine (challenge already cached, so each iteration is
//!   signed preemptively with the next nc), then feed the seed's 200 response and take `Done`.
//! - `core/serde_json_parse_only`: only `serde_json::from_slice::<GroupInvitation>` of the same
//!   body, the floor the whole call is compared with.
//! - `core/digest_sign`: one `digest::authorization` for the Atlas challenge.
//! - `core/challenge_parse`: `Challenge::parse` of the Atlas `WWW-Authenticate` header.
//! - `core/challenge_parse_400kb`: the Atlas challenge followed by ~41,000 unknown directives
//!   (400 KB): must stay linear (it was quadratic: 1.7 s).
//! - `core/request_body_100k_roles`: deserializing (and so validating) a `GroupInvitationRequest`
//!   body with 100,000 distinct roles: must stay linear (it was quadratic: 21 s).
//! - `core/legacy_user_roles_100k`: decoding a 2023-01-01 org user whose `roles` list has
//!   100,000 entries for distinct projects: must stay linear (a search per entry was quadratic).
//!
//! The response fed back is built in the untimed setup of each iteration (`iter_batched`):
//! it stands for the bytes a transport hands over, not for work the core does.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use atlas_admin_core::digest::{self, Challenge, ResponseInput};
use atlas_admin_core::ops::UpdateGroupInvites;
use atlas_admin_core::{Config, Credentials, GroupInvitation, GroupInvitationRequest, Now, ProjectRole, Session, Step};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::LazyLock;
use std::time::{Duration, Instant, SystemTime};

const ATLAS_CHALLENGE: &str = r#"Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false"#;
const GROUP: &str = "32b6e34b3d91647abb20e7b8";
/// The seed page's 200 example body (tests/fixtures/seed/response-200.json), byte for byte.
const BODY: &[u8] = include_bytes!("../../tests/fixtures/seed/response-200.json");

/// A fixed clock: Sat, 28 Nov 2026 12:00:00 GMT, at one monotonic instant.
fn now() -> Now {
    static START: LazyLock<Instant> = LazyLock::new(Instant::now);
    Now::new(*START, SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_867_200))
}

fn op() -> UpdateGroupInvites {
    let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
    UpdateGroupInvites::new(GROUP, body).unwrap()
}

fn challenge_401() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(401)
        .header("Content-Type", "application/json")
        .header("Www-Authenticate", ATLAS_CHALLENGE)
        .body(
            br#"{"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource.","errorCode":"UNEXPECTED_ERROR"}"#
                .to_vec(),
        )
        .unwrap()
}

fn seed_200() -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .header("Content-Type", "application/vnd.atlas.2023-01-01+json;charset=utf-8")
        .header("Deprecation", "Wed, 4 Oct 2023 00:00:00 GMT")
        .header("Sunset", "Thu, 1 Jul 2027 00:00:00 GMT")
        .header("Ratelimit-Limit", "1200")
        .header("Ratelimit-Remaining", "1199")
        .body(BODY.to_vec())
        .unwrap()
}

/// A Digest session that has already seen the Atlas challenge: every call after this is
/// signed preemptively (one request, nc+1).
fn primed_session() -> Session {
    let session = Session::new(Config::default(), Credentials::api_key("pub", "priv-key").unwrap(), 7).unwrap();
    {
        let mut call = session.begin(&op());
        let Step::Send(_) = call.next(now()) else { panic!("expected a request") };
        call.handle_response(challenge_401(), now());
        let Step::Send(signed) = call.next(now()) else { panic!("expected a signed request") };
        assert!(signed.request.headers().contains_key("authorization"));
    }
    session
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("core");

    let session = primed_session();
    group.bench_function("update_group_invites/build_sign_parse", |b| {
        b.iter_batched(
            seed_200,
            |response| {
                let body =
                    GroupInvitationRequest::new(black_box("hello@example.com"), [ProjectRole::GroupBackupManager])
                        .unwrap();
                let op = UpdateGroupInvites::new(black_box(GROUP), body).unwrap();
                let mut call = session.begin(&op);
                let Step::Send(request) = call.next(now()) else { panic!("expected a request") };
                black_box(&request);
                call.handle_response(response, now());
                match call.next(now()) {
                    Step::Done(Ok(done)) => done.value,
                    other => panic!("expected a result, got {other:?}"),
                }
            },
            BatchSize::SmallInput,
        )
    });

    group.bench_function("serde_json_parse_only", |b| {
        b.iter(|| serde_json::from_slice::<GroupInvitation>(black_box(BODY)).unwrap())
    });

    let challenge = Challenge::parse(ATLAS_CHALLENGE).unwrap();
    group.bench_function("digest_sign", |b| {
        b.iter(|| {
            digest::authorization(
                black_box(&challenge),
                &ResponseInput {
                    username: "pub",
                    password: "priv-key",
                    method: "PATCH",
                    uri: "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/invites",
                    nc: black_box(1),
                    cnonce: "0a4f113b0a4f113b0a4f113b0a4f113b",
                },
            )
        })
    });

    group.bench_function("challenge_parse", |b| b.iter(|| Challenge::parse(black_box(ATLAS_CHALLENGE)).unwrap()));

    let big_challenge = large_challenge();
    group.bench_function("challenge_parse_400kb", |b| b.iter(|| Challenge::parse(black_box(&big_challenge)).unwrap()));

    let roles_body = many_roles_body();
    group.bench_function("request_body_100k_roles", |b| {
        b.iter(|| serde_json::from_slice::<GroupInvitationRequest>(black_box(&roles_body)).unwrap())
    });

    let legacy = legacy_roles_body();
    group.bench_function("legacy_user_roles_100k", |b| {
        b.iter(|| serde_json::from_slice::<atlas_admin_core::OrgUser>(black_box(&legacy)).unwrap())
    });

    group.finish();
}

/// A 2023-01-01 org user with 100,000 role entries, each for another project.
fn legacy_roles_body() -> Vec<u8> {
    let entries: Vec<String> =
        (0..100_000).map(|i| format!(r#"{{"groupId":"g{i}","roleName":"GROUP_READ_ONLY"}}"#)).collect();
    format!(r#"{{"id":"{:024x}","username":"a@example.com","roles":[{}]}}"#, 1, entries.join(",")).into_bytes()
}

/// The Atlas challenge plus unknown directives up to 400 KB.
fn large_challenge() -> String {
    let mut h = String::from(ATLAS_CHALLENGE);
    let mut i = 0;
    while h.len() < 400_000 {
        h.push_str(&format!(", x{i}=1"));
        i += 1;
    }
    h
}

/// A request body with 100,000 distinct project roles.
fn many_roles_body() -> Vec<u8> {
    let roles: Vec<String> = (0..100_000).map(|i| format!("\"GROUP_R{i}\"")).collect();
    format!(r#"{{"roles":[{}],"username":"hello@example.com"}}"#, roles.join(",")).into_bytes()
}

criterion_group!(core, benches);
criterion_main!(core);
