//! The fault and bad-input table: one row per case, each asserting the typed error and how many
//! requests went out (nothing sent twice, nothing sent at all for bad input).
//! Transport-level rows (closed connections, timeouts, size caps) are in the conformance suite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use atlas_admin_core::ops::*;
use atlas_admin_core::{
    AuthFailure, Config, Credentials, Error, GroupInvitationRequest, HttpDate, InvalidInput, Now, Operation, OrgRole,
    OrganizationInvitationRequest, OrganizationInvitationUpdateRequest, ProjectRole, RetryPolicy, Session, Step,
    TeamId,
};
mod support;
use std::time::Duration;
use support::{clock, fixtures};

const G: &str = "6a7900aa11bb22cc33dd44ee";
const I: &str = "6a7900ff11bb22cc33dd44ef";
const O: &str = "4888442a3354817a7320eb61";

fn now() -> Now {
    clock::at(HttpDate::parse("Sat, 28 Nov 2026 12:00:00 GMT").unwrap().system_time())
}

fn field_of(r: Result<impl std::fmt::Debug, InvalidInput>) -> String {
    r.expect_err("input must be refused").field().to_owned()
}

#[test]
fn bad_input_rows() {
    let roles = |r: &[&str]| r.iter().map(|s| ProjectRole::parse(s)).collect::<Vec<_>>();
    let rows: Vec<(&str, String, &str)> = vec![
        ("uppercase group id", field_of(GetGroupInvite::new("6A7900AA11BB22CC33DD44EE", I)), "groupId"),
        ("23-char group id", field_of(GetGroupInvite::new("6a7900aa11bb22cc33dd44e", I)), "groupId"),
        ("25-char group id", field_of(GetGroupInvite::new("6a7900aa11bb22cc33dd44eee", I)), "groupId"),
        ("non-hex invitation id", field_of(GetGroupInvite::new(G, "6a7900ff11bb22cc33dd44eg")), "invitationId"),
        ("path traversal id", field_of(DeleteGroupInvite::new(G, "../../../../admin/users/x")), "invitationId"),
        ("empty org id", field_of(ListOrgInvites::new("")), "orgId"),
        ("bad team id", field_of(TeamId::new("team-1")), "teamIds"),
        ("empty roles", field_of(GroupInvitationRequest::new("a@example.com", roles(&[]))), "roles"),
        (
            "duplicate roles",
            field_of(GroupInvitationRequest::new("a@example.com", roles(&["GROUP_OWNER", "GROUP_OWNER"]))),
            "roles[1]",
        ),
        ("lowercase role", field_of(GroupInvitationRequest::new("a@example.com", roles(&["group_owner"]))), "roles[0]"),
        (
            "org role on a project",
            field_of(GroupInvitationRequest::new("a@example.com", roles(&["ORG_OWNER"]))),
            "roles[0]",
        ),
        (
            "unknown org role",
            field_of(OrganizationInvitationUpdateRequest::new([OrgRole::parse("ORG_EMPEROR")])),
            "roles[0]",
        ),
        ("empty e-mail", field_of(GroupInvitationRequest::new("", roles(&["GROUP_OWNER"]))), "username"),
        ("no @", field_of(GroupInvitationRequest::new("plain", roles(&["GROUP_OWNER"]))), "username"),
        ("no domain dot", field_of(GroupInvitationRequest::new("a@localhost", roles(&["GROUP_OWNER"]))), "username"),
        (
            "space in e-mail",
            field_of(GroupInvitationRequest::new("a b@example.com", roles(&["GROUP_OWNER"]))),
            "username",
        ),
        (
            "org e-mail",
            field_of(OrganizationInvitationRequest::new("a@@example.com", [OrgRole::OrgMember])),
            "username",
        ),
        ("bad list filter", field_of(ListGroupInvites::new(G).unwrap().username("nope")), "username"),
        ("bad version", field_of(atlas_admin_core::ApiVersion::new("2023-1-1")), "version"),
        ("bad base URL", field_of(Config::default().with_base_url("ftp://x")), "base_url"),
        ("empty private key", field_of(Credentials::api_key("pub", "")), "private_key"),
        (
            "credentials over plain http to a remote host",
            field_of(Session::new(
                Config::default().with_base_url("http://atlas.example.com").unwrap(),
                Credentials::api_key("pub", "priv").unwrap(),
                0,
            )),
            "base_url",
        ),
    ];
    for (case, got, want) in rows {
        assert_eq!(got, want, "{case}");
    }
    // A value that asks its endpoint for what the spec lacks: no `.pretty()` on GetOrgInvite,
    // and from text it is refused before an operation exists.
    use atlas_admin_core::ops::{FromArgs, RawArgs};
    let args = RawArgs { params: &[("orgId", O), ("invitationId", I)], pretty: true, ..RawArgs::default() };
    assert_eq!(GetOrgInvite::from_args(&args).unwrap_err().field(), "pretty");
}

/// Feeds `answers` (fixture names) to a call of `op`; returns the result and requests sent.
fn drive<Op: Operation>(session: &Session, op: &Op, answers: &[&str]) -> (Result<(), Error>, usize) {
    let mut call = session.begin(op);
    let (mut sent, mut t, mut answers) = (0, now(), answers.iter());
    for _ in 0..50 {
        match call.next(t) {
            Step::Send(_) => {
                sent += 1;
                let name = answers.next().unwrap_or_else(|| panic!("no answer for request {sent}"));
                call.handle_response(fixtures::response(name), t);
            }
            Step::Wait(d) => t = t.advance(d),
            Step::Done(r) => return (r.map(|_| ()), sent),
        }
    }
    panic!("did not finish");
}

type Check = fn(&Error) -> bool;

/// One row: case, session, whether the operation is the (non-idempotent) create, the recorded
/// answers, the expected error, and the requests that must have been sent.
type Row<'a> = (&'a str, Session, bool, Vec<&'a str>, Check, usize);

#[test]
fn fault_rows() {
    let primed = || {
        let s = Session::new(
            Config::default().with_retry(RetryPolicy::default().with_max_attempts(2)),
            Credentials::api_key("pub", "priv").unwrap(),
            1,
        )
        .unwrap();
        let (r, _) = drive(&s, &ListGroupInvites::new(G).unwrap(), &["digest_401_challenge", "list_group_invites_200"]);
        r.unwrap();
        s
    };
    let oauth = || Session::new(Config::default(), Credentials::service_account("id", "secret").unwrap(), 1).unwrap();
    let body = GroupInvitationRequest::new("a@example.com", [ProjectRole::GroupOwner]).unwrap();
    let create = CreateGroupInvite::new(G, body.clone()).unwrap();
    let update = UpdateGroupInvites::new(G, body).unwrap();

    let rows: Vec<Row> = vec![
        (
            "truncated JSON",
            primed(),
            false,
            vec!["malformed_truncated_json_200"],
            |e| matches!(e, Error::Decode(d) if d.status == 200),
            1,
        ),
        (
            "HTML 200 login page",
            primed(),
            false,
            vec!["malformed_html_200_login_page"],
            |e| matches!(e, Error::Decode(d) if d.content_type.as_deref().is_some_and(|c| c.starts_with("text/html"))),
            1,
        ),
        (
            "HTML 502 on create: not re-sent",
            primed(),
            true,
            vec!["malformed_html_502"],
            |e| matches!(e, Error::Decode(d) if d.status == 502),
            1,
        ),
        (
            "HTML 502 twice on update: bounded",
            primed(),
            false,
            vec!["malformed_html_502", "malformed_html_502"],
            |e| matches!(e, Error::Decode(d) if d.meta.as_ref().is_some_and(|m| m.attempts == 2)),
            2,
        ),
        (
            "empty 200 body",
            primed(),
            false,
            vec!["malformed_empty_200"],
            |e| matches!(e, Error::Decode(d) if d.body_len == 0),
            1,
        ),
        ("wrong JSON shape", primed(), false, vec!["malformed_wrong_shape_200"], |e| matches!(e, Error::Decode(_)), 1),
        (
            "non-JSON 500",
            primed(),
            false,
            vec!["malformed_error_not_json_500"],
            |e| matches!(e, Error::Decode(d) if d.status == 500),
            1,
        ),
        (
            "302 redirect not followed",
            primed(),
            false,
            vec!["redirect_302"],
            |e| e.status().is_some_and(|s| s == 302),
            1,
        ),
        (
            "Basic-only challenge",
            primed(),
            false,
            vec!["digest_401_basic_only"],
            |e| matches!(e, Error::UnsupportedChallenge(_)),
            1,
        ),
        (
            "algorithm=SHA-512-256",
            primed(),
            false,
            vec!["digest_401_sha512_256"],
            |e| matches!(e, Error::UnsupportedChallenge(c) if c.reason.contains("SHA-512-256")),
            1,
        ),
        (
            "qop=auth-int only",
            primed(),
            false,
            vec!["digest_401_auth_int_only"],
            |e| matches!(e, Error::UnsupportedChallenge(c) if c.reason.contains("auth-int")),
            1,
        ),
        (
            "challenge without nonce",
            primed(),
            false,
            vec!["digest_401_missing_nonce"],
            |e| matches!(e, Error::UnsupportedChallenge(c) if c.reason.contains("nonce")),
            1,
        ),
        (
            "401 without WWW-Authenticate",
            primed(),
            false,
            vec!["seed_error_401"],
            |e| e.error_code() == Some("NOT_ORG_GROUP_CREATOR"),
            1,
        ),
        (
            "stale twice",
            primed(),
            false,
            vec!["digest_401_stale", "digest_401_stale"],
            |e| matches!(e, Error::Authentication(a) if a.kind == AuthFailure::DigestRejected),
            2,
        ),
        (
            "token without access_token",
            oauth(),
            false,
            vec!["oauth_token_200_no_access_token"],
            |e| matches!(e, Error::Decode(d) if d.operation == "oauthToken"),
            1,
        ),
        (
            "client secret refused",
            oauth(),
            false,
            vec!["oauth_token_401"],
            |e| matches!(e, Error::Authentication(a) if a.kind == AuthFailure::ClientCredentialsRejected),
            1,
        ),
        (
            "Retry-After 10 hours: not waited",
            primed(),
            false,
            vec!["error_429_retry_after_10_hours"],
            |e| e.retry_after() == Some(Duration::from_secs(36_000)),
            1,
        ),
        (
            "version gone",
            primed(),
            false,
            vec!["error_410_version_gone"],
            |e| e.error_code() == Some("VERSION_GONE"),
            1,
        ),
        (
            "version refused",
            primed(),
            false,
            vec!["error_406_invalid_version"],
            |e| e.error_code() == Some("INVALID_VERSION_DATE"),
            1,
        ),
    ];
    for (case, session, is_create, answers, expected, sends) in rows {
        let (result, sent) =
            if is_create { drive(&session, &create, &answers) } else { drive(&session, &update, &answers) };
        let err = result.expect_err(case);
        assert!(expected(&err), "{case}: {err:?}");
        assert_eq!(sent, sends, "{case}: requests sent");
        assert!(!err.to_string().is_empty(), "{case}");
    }
}
