//! Property tests of the core: parsers never panic, well-formed input always parses the same,
//! models round-trip through JSON, the Digest state machine is bounded, any mix of faults under
//! any retry policy (uncapped ones included) ends in a bounded number of steps, validators are exact.
//!
//! Each property runs a few hundred cases (`CASES`); the whole file takes a few seconds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use atlas_admin_core::digest::{Algorithm, Challenge, Qop, parse_authorization};
use atlas_admin_core::ops::{DeleteGroupInvite, ListGroupInvites, UpdateGroupInvites};
use atlas_admin_core::{
    Config, Credentials, Error, GroupId, GroupInvitation, GroupInvitationRequest, GroupInvitationUpdateRequest,
    GroupRoleAssignment, InvitationId, Now, OrgId, OrgRole, OrganizationInvitation, OrganizationInvitationRequest,
    OrganizationInvitationUpdateRequest, ProjectRole, RetryPolicy, Session, Step, TeamId, format_rfc3339,
    parse_response,
};
use http::{HeaderMap, HeaderValue, StatusCode};
use proptest::prelude::*;
use proptest::sample::subsequence;
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const CASES: u32 = 512;
const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const INVITATION: &str = "5f8d0a1b2c3d4e5f6a7b8c9d";
const SEED_BODY: &[u8] = include_bytes!("../../tests/fixtures/seed/response-200.json");

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_867_200) // Sat, 28 Nov 2026 12:00:00 GMT
}

/// The call machine's clock: [`now`] on the wall, one fixed monotonic instant.
fn clock() -> Now {
    static START: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);
    Now::new(*START, now())
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() }
}

/// RFC 9110 quoted-string.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `s` with each ASCII letter's case picked by the bits of `mask`.
fn recase(s: &str, mask: u64) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| if (mask >> (i % 64)) & 1 == 1 { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Challenge parsing

/// Header-ish noise: the pieces a challenge is made of, in any order, plus arbitrary text.
fn header_noise() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("Digest".to_owned()),
        Just("Basic".to_owned()),
        Just("realm".to_owned()),
        Just("nonce".to_owned()),
        Just("qop".to_owned()),
        Just("algorithm".to_owned()),
        Just("stale".to_owned()),
        Just("opaque".to_owned()),
        Just("auth".to_owned()),
        Just("MD5-sess".to_owned()),
        Just("=".to_owned()),
        Just("==".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        "[ -~]{0,8}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|parts| parts.concat())
}

/// A well-formed Atlas-like challenge: the header and the realm and nonce it carries.
#[derive(Debug, Clone)]
struct WellFormed {
    header: String,
    realm: String,
    nonce: String,
    algorithm: Option<Algorithm>,
    stale: bool,
}

fn well_formed_challenge() -> impl Strategy<Value = WellFormed> {
    let realm = "[ -~]{0,30}";
    let nonce = prop_oneof!["[A-Za-z0-9+/=._-]{1,40}", "[ -~]{1,40}"];
    let qop = prop_oneof![
        Just("auth"),
        Just("auth,auth-int"),
        Just("auth-int, auth"),
        Just(" auth , auth-int "),
        Just("AUTH")
    ];
    let algorithm = prop_oneof![Just(None), Just(Some(Algorithm::Md5)), Just(Some(Algorithm::Md5Sess))];
    let unknown = prop::collection::vec(
        ("x-[a-z]{1,8}", prop_oneof!["[A-Za-z0-9]{1,10}".prop_map(|v| v), "[ -~]{0,12}".prop_map(|v| quote(&v))]),
        0..4,
    );
    let spacing = prop::collection::vec(prop_oneof![Just(""), Just(" "), Just("  "), Just("\t")], 4);
    let prefix = prop_oneof![Just(""), Just("Basic realm=\"x\", "), Just("Negotiate abc==, "), Just(", ")];
    (
        realm,
        nonce,
        qop,
        algorithm,
        any::<bool>(),
        unknown,
        any::<bool>(),
        any::<u64>(),
        spacing,
        prefix,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(
            |(
                realm,
                nonce,
                qop,
                algorithm,
                stale,
                unknown,
                bare_nonce,
                mask,
                spacing,
                prefix,
                domain,
                extra_commas,
            )| {
                let bare_ok = bare_nonce
                    && nonce.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=._-".contains(&b))
                    && !nonce.starts_with('='); // `nonce==…` reads as a token68, not a parameter
                let mut directives: Vec<(String, String)> = vec![
                    ("realm".into(), quote(&realm)),
                    ("nonce".into(), if bare_ok { nonce.clone() } else { quote(&nonce) }),
                    ("qop".into(), quote(qop)),
                    ("stale".into(), if stale { "TRUE".into() } else { "false".into() }),
                ];
                if let Some(a) = algorithm {
                    directives.push(("algorithm".into(), a.as_str().to_owned()));
                }
                if domain {
                    directives.push(("domain".into(), "\"\"".into()));
                }
                directives.extend(unknown);
                (
                    Just(directives).prop_shuffle(),
                    Just((realm, nonce, algorithm, stale, mask, spacing, prefix, extra_commas)),
                )
            },
        )
        .prop_map(|(directives, (realm, nonce, algorithm, stale, mask, spacing, prefix, extra_commas))| {
            let (sp_eq, sp_comma, sp_scheme, sp_lead) = (spacing[0], spacing[1], spacing[2], spacing[3]);
            let separator = if extra_commas { format!("{sp_comma},,{sp_comma}") } else { format!(",{sp_comma}") };
            let body: Vec<String> = directives
                .iter()
                .enumerate()
                .map(|(i, (name, value))| {
                    format!("{}{sp_eq}={sp_eq}{value}", recase(name, mask.rotate_left(i as u32 * 7)))
                })
                .collect();
            let header = format!("{sp_lead}{prefix}{} {sp_scheme}{}", recase("Digest", mask), body.join(&separator));
            WellFormed { header, realm, nonce, algorithm, stale }
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn challenge_parse_never_panics_on_strings(s in any::<String>()) {
        let _ = Challenge::parse(&s);
        let _ = parse_authorization(&s);
    }

    #[test]
    fn challenge_parse_never_panics_on_header_noise(s in header_noise()) {
        if let Ok(c) = Challenge::parse(&s) {
            prop_assert!(!c.nonce.is_empty());
        }
        let _ = parse_authorization(&s);
    }

    #[test]
    fn challenge_from_headers_never_panics_on_bytes(values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..120), 0..4)) {
        let mut headers = HeaderMap::new();
        for v in &values {
            if let Ok(value) = HeaderValue::from_bytes(v) {
                headers.append(http::header::WWW_AUTHENTICATE, value);
            }
        }
        let any_header = !headers.is_empty();
        match Challenge::from_headers(&headers) {
            Ok(None) => prop_assert!(!any_header),
            Ok(Some(c)) => prop_assert!(!c.nonce.is_empty()),
            Err(_) => prop_assert!(any_header),
        }
    }

    #[test]
    fn well_formed_challenges_always_parse_the_same(w in well_formed_challenge()) {
        let c = Challenge::parse(&w.header).map_err(|e| TestCaseError::fail(format!("{:?}: {e}", w.header)))?;
        prop_assert_eq!(&c.realm, &w.realm, "{:?}", w.header);
        prop_assert_eq!(&c.nonce, &w.nonce, "{:?}", w.header);
        prop_assert_eq!(c.qop, Qop::Auth);
        prop_assert_eq!(c.algorithm, w.algorithm.unwrap_or(Algorithm::Md5));
        prop_assert_eq!(c.stale, w.stale);
        let mut headers = HeaderMap::new();
        headers.append(http::header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"x\""));
        headers.append(http::header::WWW_AUTHENTICATE, HeaderValue::from_str(&w.header).unwrap());
        prop_assert_eq!(Challenge::from_headers(&headers).unwrap(), Some(c));
    }
}

// ---------------------------------------------------------------------------------------------
// Response parsing

/// A header value: Atlas-like or arbitrary visible ASCII (what `HeaderValue` accepts as text).
fn header_value(realistic: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![prop::sample::select(realistic).prop_map(str::to_owned), "[!-~][ -~]{0,40}"])
}

fn response_body() -> impl Strategy<Value = Vec<u8>> {
    let status = prop_oneof![Just(200u16), Just(204), Just(404), Just(429), 0u16..1200];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        Just(SEED_BODY.to_vec()),
        Just(b"[]".to_vec()),
        Just(format!("[{}]", String::from_utf8_lossy(SEED_BODY)).into_bytes()),
        Just(
            br#"{"error":404,"errorCode":"RESOURCE_NOT_FOUND","detail":"x","reason":"Not Found","parameters":[]}"#
                .to_vec()
        ),
        (status.clone(), prop::collection::vec(any::<u8>(), 0..40)).prop_map(|(s, junk)| {
            format!(r#"{{"status":{s},"content":{}}}"#, String::from_utf8_lossy(&junk)).into_bytes()
        }),
        (
            status,
            prop_oneof![
                Just(String::from_utf8_lossy(SEED_BODY).into_owned()),
                Just("[]".to_owned()),
                Just(r#"{"error":429,"errorCode":"RATE_LIMITED"}"#.to_owned()),
                Just("null".to_owned()),
            ]
        )
            .prop_map(|(s, content)| format!(r#"{{"status":{s},"content":{content}}}"#).into_bytes()),
    ]
}

#[derive(Debug, Clone)]
struct AnyResponse {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl AnyResponse {
    fn build(&self) -> http::Response<Vec<u8>> {
        let mut b = http::Response::builder().status(self.status);
        for (name, value) in &self.headers {
            b = b.header(*name, value.as_str());
        }
        b.body(self.body.clone()).unwrap()
    }
}

fn any_response() -> impl Strategy<Value = AnyResponse> {
    (
        100u16..=599,
        header_value(&["application/json", "application/vnd.atlas.2023-01-01+json;charset=utf-8", "text/html"]),
        header_value(&["0", "10", "36000", "Wed, 4 Oct 2023 00:00:00 GMT", "Sat, 28 Nov 2026 12:00:10 GMT", "-1"]),
        header_value(&["Wed, 4 Oct 2023 00:00:00 GMT", "Wed, 04 Oct 2023 00:00:00 GMT"]),
        header_value(&["Thu, 1 Jul 2027 00:00:00 GMT", "Thu, 32 Jul 2027 00:00:00 GMT"]),
        header_value(&["1200", "18446744073709551616", "-5"]),
        header_value(&["1199", "0"]),
        header_value(&["RATE_LIMITED", "INVITATIONS_RATE_LIMITED_IP"]),
        response_body(),
    )
        .prop_map(|(status, ct, ra, dep, sunset, limit, remaining, code, body)| {
            let headers = [
                ("content-type", ct),
                ("retry-after", ra),
                ("deprecation", dep),
                ("sunset", sunset),
                ("ratelimit-limit", limit),
                ("ratelimit-remaining", remaining),
                ("x-error-code", code),
            ]
            .into_iter()
            .filter_map(|(n, v)| v.map(|v| (n, v)))
            .collect();
            AnyResponse { status, headers, body }
        })
}

fn check_parse<O: atlas_admin_core::Operation>(op: &O, envelope: bool, r: &AnyResponse) -> Result<(), TestCaseError> {
    let status = StatusCode::from_u16(r.status).unwrap();
    match parse_response(op, r.build(), now()) {
        Ok(ok) => {
            prop_assert_eq!(ok.meta.http_status, status);
            prop_assert!(ok.meta.status.is_success());
            if !envelope {
                prop_assert!(status.is_success());
                prop_assert_eq!(ok.meta.status, status);
            }
        }
        Err(e) => {
            let got = e.status();
            prop_assert!(got.is_some(), "error without a status: {:?}", e);
            // The status is the HTTP one, unless an envelope, or an Atlas error body under a
            // 2xx (whose `error` field then gives it), says otherwise.
            let rewritten =
                status.is_success() && (envelope || matches!(&e, Error::Api(a) if a.body.error == a.status.as_u16()));
            if !rewritten {
                prop_assert_eq!(got, Some(status), "{:?}", e);
            }
            prop_assert!(matches!(e, Error::Api(_) | Error::Decode(_)), "{:?}", e);
            let _ = e.to_string();
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_response_never_panics_and_errors_carry_the_status(r in any_response()) {
        let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
        for envelope in [false, true] {
            check_parse(&UpdateGroupInvites::new(GROUP, body.clone()).unwrap().envelope(envelope), envelope, &r)?;
            check_parse(&ListGroupInvites::new(GROUP).unwrap().envelope(envelope), envelope, &r)?;
            check_parse(&DeleteGroupInvite::new(GROUP, INVITATION).unwrap().envelope(envelope), envelope, &r)?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Models

fn hex_id() -> impl Strategy<Value = String> {
    "[a-f0-9]{24}"
}

fn timestamp() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..4_102_444_800).prop_map(|s| format_rfc3339(UNIX_EPOCH + Duration::from_secs(s))),
        (0u64..4_102_444_800, 0u32..1000).prop_map(|(s, ms)| {
            format_rfc3339(UNIX_EPOCH + Duration::from_secs(s)).replace('Z', &format!(".{ms:03}Z"))
        }),
        Just("2025-05-04T09:42:00+02:00".to_owned()),
        "[ -~]{0,20}", // kept as text
    ]
}

fn project_role_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(ProjectRole::KNOWN).prop_map(|r| r.as_str().to_owned()),
        "GROUP_[A-Z0-9_]{1,16}",
        "[A-Za-z_]{1,12}",
    ]
}

fn org_role_text() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(OrgRole::KNOWN).prop_map(|r| r.as_str().to_owned()), "ORG_[A-Z_]{1,16}"]
}

/// Inserts `value` under `key` when it is `Some`.
fn put(map: &mut serde_json::Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

fn links() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(
        prop::collection::vec(
            (prop::option::of("[ -~]{0,20}"), prop::option::of("[a-z]{1,8}"))
                .prop_map(|(href, rel)| json!({"href": href, "rel": rel})),
            0..3,
        )
        .prop_map(Value::Array),
    )
}

fn group_invitation_json() -> impl Strategy<Value = Value> {
    (
        (prop::option::of(timestamp()), prop::option::of(timestamp())),
        (prop::option::of(hex_id()), prop::option::of(any::<String>()), hex_id().prop_map(Some)),
        (
            prop::option::of(any::<String>()),
            links(),
            prop::option::of(prop::collection::vec(project_role_text(), 0..4)),
        ),
        any::<String>().prop_map(Some), // id and username identify an invitation: always sent
    )
        .prop_map(|((created, expires), (group_id, group_name, id), (inviter, links, roles), username)| {
            let mut m = serde_json::Map::new();
            put(&mut m, "createdAt", created.map(Value::from));
            put(&mut m, "expiresAt", expires.map(Value::from));
            put(&mut m, "groupId", group_id.map(Value::from));
            put(&mut m, "groupName", group_name.map(Value::from));
            put(&mut m, "id", id.map(Value::from));
            put(&mut m, "inviterUsername", inviter.map(Value::from));
            put(&mut m, "links", links);
            put(&mut m, "roles", roles.map(Value::from));
            put(&mut m, "username", username.map(Value::from));
            Value::Object(m)
        })
}

fn org_invitation_json() -> impl Strategy<Value = Value> {
    let group_role = (prop::option::of(hex_id()), prop::option::of(project_role_text())).prop_map(|(g, r)| {
        let mut m = serde_json::Map::new();
        put(&mut m, "groupId", g.map(Value::from));
        put(&mut m, "groupRole", r.map(Value::from));
        Value::Object(m)
    });
    (
        (prop::option::of(timestamp()), prop::option::of(timestamp())),
        (prop::option::of(prop::collection::vec(group_role, 0..3)), hex_id().prop_map(Some)),
        (prop::option::of(any::<String>()), links(), prop::option::of(hex_id()), prop::option::of(any::<String>())),
        (
            prop::option::of(prop::collection::vec(org_role_text(), 0..4)),
            prop::option::of(prop::collection::vec(hex_id(), 0..3)),
            any::<String>().prop_map(Some),
        ),
    )
        .prop_map(
            |((created, expires), (assignments, id), (inviter, links, org_id, org_name), (roles, teams, username))| {
                let mut m = serde_json::Map::new();
                put(&mut m, "createdAt", created.map(Value::from));
                put(&mut m, "expiresAt", expires.map(Value::from));
                put(&mut m, "groupRoleAssignments", assignments.map(Value::Array));
                put(&mut m, "id", id.map(Value::from));
                put(&mut m, "inviterUsername", inviter.map(Value::from));
                put(&mut m, "links", links);
                put(&mut m, "orgId", org_id.map(Value::from));
                put(&mut m, "orgName", org_name.map(Value::from));
                put(&mut m, "roles", roles.map(Value::from));
                put(&mut m, "teamIds", teams.map(Value::from));
                put(&mut m, "username", username.map(Value::from));
                Value::Object(m)
            },
        )
}

/// An e-mail address the validator accepts.
fn email() -> impl Strategy<Value = String> {
    (
        "[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\\.[a-zA-Z0-9_]{1,10}){0,2}",
        "[a-z0-9]{1,20}(-[a-z0-9]{1,10})?(\\.[a-z]{2,10}){1,3}",
    )
        .prop_map(|(local, domain)| format!("{local}@{domain}"))
}

fn project_roles() -> impl Strategy<Value = Vec<ProjectRole>> {
    prop_oneof![
        subsequence(ProjectRole::KNOWN.to_vec(), 1..=5).prop_shuffle(),
        prop::collection::btree_set("GROUP_[A-Z0-9_]{1,16}", 1..4)
            .prop_map(|set| set.into_iter().map(|s| ProjectRole::parse(&s)).collect()),
    ]
}

fn org_roles() -> impl Strategy<Value = Vec<OrgRole>> {
    subsequence(OrgRole::KNOWN.to_vec(), 1..=OrgRole::KNOWN.len()).prop_shuffle()
}

fn role_texts<'a>(roles: impl IntoIterator<Item = &'a str>) -> Value {
    Value::from(roles.into_iter().collect::<Vec<_>>())
}

/// `v` decodes to a model that survives a JSON round trip, and every field sent comes back as
/// sent (absent `roles` reads as empty, empty `links` is omitted).
fn round_trip<T>(v: &Value) -> Result<(), TestCaseError>
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    let decoded: T = serde_json::from_value(v.clone()).unwrap();
    let text = serde_json::to_string(&decoded).unwrap();
    let again: T = serde_json::from_str(&text).unwrap();
    prop_assert_eq!(&again, &decoded);
    let back: Value = serde_json::from_str(&text).unwrap();
    for (key, value) in v.as_object().unwrap() {
        if key == "links" && value.as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        prop_assert_eq!(back.get(key), Some(value), "{}", key);
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn group_invitations_round_trip(v in group_invitation_json()) {
        round_trip::<GroupInvitation>(&v)?;
    }

    #[test]
    fn organization_invitations_round_trip(v in org_invitation_json()) {
        round_trip::<OrganizationInvitation>(&v)?;
    }

    #[test]
    fn project_request_bodies_serialize_their_fields(username in email(), roles in project_roles()) {
        let body = GroupInvitationRequest::new(username.clone(), roles.clone()).unwrap();
        let json: Value = serde_json::to_value(&body).unwrap();
        prop_assert_eq!(&json["username"], &Value::from(username.as_str()));
        prop_assert_eq!(&json["roles"], &role_texts(roles.iter().map(ProjectRole::as_str)));
        prop_assert_eq!(json.as_object().unwrap().len(), 2);
        let decoded: Vec<ProjectRole> = serde_json::from_value(json["roles"].clone()).unwrap();
        prop_assert_eq!(&decoded, &roles);
        // Deserializing validates again and gives back the same body.
        let back: GroupInvitationRequest = serde_json::from_str(&serde_json::to_string(&body).unwrap()).unwrap();
        prop_assert_eq!(&back, &body);

        let update = GroupInvitationUpdateRequest::new(roles.clone()).unwrap();
        let json: Value = serde_json::to_value(&update).unwrap();
        prop_assert_eq!(json, json!({ "roles": role_texts(roles.iter().map(ProjectRole::as_str)) }));
        let back: GroupInvitationUpdateRequest =
            serde_json::from_str(&serde_json::to_string(&update).unwrap()).unwrap();
        prop_assert_eq!(&back, &update);
    }

    #[test]
    fn org_request_bodies_serialize_their_fields(
        username in email(),
        roles in org_roles(),
        teams in prop::collection::btree_set(hex_id(), 0..3),
        projects in prop::collection::btree_map(hex_id(), project_roles(), 0..3),
    ) {
        let teams: Vec<TeamId> = teams.into_iter().map(|t| TeamId::new(t).unwrap()).collect();
        let assignments: Vec<GroupRoleAssignment> = projects
            .iter()
            .map(|(g, r)| GroupRoleAssignment::new(GroupId::new(g.as_str()).unwrap(), r.clone()).unwrap())
            .collect();
        let expected_assignments: Vec<Value> = projects
            .iter()
            .map(|(g, r)| json!({ "groupId": g, "roles": role_texts(r.iter().map(ProjectRole::as_str)) }))
            .collect();
        let mut expected = json!({
            "roles": role_texts(roles.iter().map(OrgRole::as_str)),
            "username": username,
        });
        if !teams.is_empty() {
            expected["teamIds"] = Value::from(teams.iter().map(TeamId::as_str).collect::<Vec<_>>());
        }
        if !assignments.is_empty() {
            expected["groupRoleAssignments"] = Value::Array(expected_assignments);
        }
        let body = OrganizationInvitationRequest::new(username.clone(), roles.clone())
            .unwrap()
            .with_team_ids(teams.clone())
            .unwrap()
            .with_group_role_assignments(assignments.clone())
            .unwrap();
        let json = serde_json::to_value(&body).unwrap();
        prop_assert_eq!(&json, &expected);
        let decoded: Vec<OrgRole> = serde_json::from_value(json["roles"].clone()).unwrap();
        prop_assert_eq!(&decoded, &roles);
        let back: OrganizationInvitationRequest = serde_json::from_value(json).unwrap();
        prop_assert_eq!(&back, &body);

        let update = OrganizationInvitationUpdateRequest::new(roles)
            .unwrap()
            .with_team_ids(teams)
            .unwrap()
            .with_group_role_assignments(assignments)
            .unwrap();
        expected.as_object_mut().unwrap().remove("username");
        prop_assert_eq!(serde_json::to_value(&update).unwrap(), expected);
        let back: OrganizationInvitationUpdateRequest =
            serde_json::from_str(&serde_json::to_string(&update).unwrap()).unwrap();
        prop_assert_eq!(&back, &update);
    }
}

// ---------------------------------------------------------------------------------------------
// The Digest state machine

#[derive(Debug, Clone, Copy)]
enum Answer {
    FreshNonce,
    /// `stale=true`, with a new nonce (`true`) or the one last sent (`false`).
    Stale(bool),
    SameNonce,
    NoChallenge,
    UnsupportedAlgorithm,
    Ok,
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        Just(Answer::FreshNonce),
        any::<bool>().prop_map(Answer::Stale),
        Just(Answer::SameNonce),
        Just(Answer::NoChallenge),
        Just(Answer::UnsupportedAlgorithm),
        Just(Answer::Ok),
    ]
}

const UNAUTHORIZED_BODY: &[u8] = br#"{"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource.","errorCode":"UNEXPECTED_ERROR"}"#;

fn unauthorized(challenge: Option<String>) -> http::Response<Vec<u8>> {
    let mut b = http::Response::builder().status(401).header("content-type", "application/json");
    if let Some(c) = challenge {
        b = b.header("www-authenticate", c);
    }
    b.body(UNAUTHORIZED_BODY.to_vec()).unwrap()
}

fn atlas_challenge(nonce: &str, stale: bool, algorithm: &str) -> String {
    format!(
        r#"Digest realm="MMS Public API", domain="", nonce="{nonce}", algorithm={algorithm}, qop="auth", stale={stale}"#
    )
}

fn digest_session() -> Session {
    let config = Config::default().with_retry(RetryPolicy::none());
    Session::new(config, Credentials::api_key("pub", "priv-key").unwrap(), 7).unwrap()
}

/// The nonce a request was signed with, if it was signed.
fn sent_nonce(request: &http::Request<Vec<u8>>) -> Option<String> {
    let header = request.headers().get(http::header::AUTHORIZATION)?.to_str().ok()?;
    parse_authorization(header)?.get("nonce").cloned()
}

fn update_op() -> UpdateGroupInvites {
    let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
    UpdateGroupInvites::new(GROUP, body).unwrap()
}

/// Drives one call against `answers`; returns the requests sent, the answers fed, and the result.
fn drive(session: &Session, answers: &[Answer], fresh: &mut u32) -> (usize, Vec<Answer>, bool) {
    let op = update_op();
    let mut call = session.begin(&op);
    let mut answers = answers.iter();
    let (mut sends, mut fed) = (0, Vec::new());
    for _ in 0..20 {
        match call.next(clock()) {
            Step::Send(out) => {
                sends += 1;
                let last = sent_nonce(&out.request).unwrap_or_else(|| "n0".to_owned());
                let Some(&a) = answers.next() else { panic!("the call asked for request {sends}") };
                let mut new_nonce = || {
                    *fresh += 1;
                    format!("fresh-{fresh}")
                };
                let response = match a {
                    Answer::FreshNonce => unauthorized(Some(atlas_challenge(&new_nonce(), false, "MD5"))),
                    Answer::Stale(true) => unauthorized(Some(atlas_challenge(&new_nonce(), true, "MD5"))),
                    Answer::Stale(false) => unauthorized(Some(atlas_challenge(&last, true, "MD5"))),
                    Answer::SameNonce => unauthorized(Some(atlas_challenge(&last, false, "MD5"))),
                    Answer::NoChallenge => unauthorized(None),
                    Answer::UnsupportedAlgorithm => {
                        unauthorized(Some(atlas_challenge(&new_nonce(), false, "SHA-512-256")))
                    }
                    Answer::Ok => http::Response::builder()
                        .status(200)
                        .header("content-type", "application/vnd.atlas.2023-01-01+json;charset=utf-8")
                        .body(SEED_BODY.to_vec())
                        .unwrap(),
                };
                fed.push(a);
                call.handle_response(response, clock());
            }
            Step::Wait(d) => panic!("asked to wait {d:?} with retries off"),
            Step::Done(result) => return (sends, fed, result.is_ok()),
        }
    }
    panic!("the call did not finish");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..config() })]

    #[test]
    fn digest_never_sends_more_than_two_requests_per_call(
        primed in any::<bool>(),
        calls in prop::collection::vec(prop::collection::vec(answer(), 3..7), 1..4),
    ) {
        let session = digest_session();
        let mut fresh = 0;
        if primed {
            let (_, _, ok) = drive(&session, &[Answer::FreshNonce, Answer::Ok, Answer::Ok], &mut fresh);
            prop_assert!(ok);
        }
        // Several calls in a row on one session: the cached challenge carries over between them.
        for answers in &calls {
            let (sends, fed, ok) = drive(&session, answers, &mut fresh);
            prop_assert!((1..=2).contains(&sends), "{} requests for {:?}", sends, fed);
            let got_200 = fed.iter().any(|a| matches!(a, Answer::Ok));
            prop_assert_eq!(ok, got_200, "result {} after {:?}", ok, fed);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Validators

/// `^[a-f0-9]{24}$`, without a regex.
fn is_hex_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn id_candidates() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        hex_id(),
        "[a-fA-F0-9]{23,25}",
        "[0-9a-g]{24}",
        "[ -~]{24}",
        (hex_id(), 0usize..24, any::<char>()).prop_map(|(id, i, c)| {
            let mut chars: Vec<char> = id.chars().collect();
            chars[i] = c;
            chars.into_iter().collect()
        }),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn ids_accept_exactly_24_lowercase_hex(s in id_candidates()) {
        let expected = is_hex_id(&s);
        prop_assert_eq!(GroupId::new(s.as_str()).is_ok(), expected, "{:?}", s);
        prop_assert_eq!(OrgId::new(s.as_str()).is_ok(), expected);
        prop_assert_eq!(InvitationId::new(s.as_str()).is_ok(), expected);
        prop_assert_eq!(TeamId::new(s.as_str()).is_ok(), expected);
        if let Ok(id) = GroupId::new(s.as_str()) {
            prop_assert_eq!(id.as_str(), s.as_str());
        }
        let json = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(serde_json::from_str::<GroupId>(&json).is_ok(), expected);
    }

    #[test]
    fn email_check_never_panics_on_unicode(
        s in prop_oneof![
            any::<String>(),
            "\\PC{0,70}@\\PC{0,70}",
            "\\PC{0,10}@\\PC{0,10}\\.\\PC{0,10}",
            "[a-z.]{0,70}@[a-z0-9.-]{0,70}",
            email(),
        ]
    ) {
        match GroupInvitationRequest::new(s.clone(), [ProjectRole::GroupOwner]) {
            Ok(body) => {
                prop_assert_eq!(body.username(), s.as_str());
                prop_assert_eq!(s.matches('@').count(), 1);
                prop_assert!(!s.chars().any(|c| c.is_whitespace() || c.is_control()), "{:?}", s);
                prop_assert!(s.chars().count() <= 254);
            }
            Err(e) => prop_assert_eq!(e.field(), "username"),
        }
        let list = ListGroupInvites::new(GROUP).unwrap().username(s.clone());
        prop_assert_eq!(list.is_ok(), OrganizationInvitationRequest::new(s, [OrgRole::OrgMember]).is_ok());
    }

    #[test]
    fn valid_emails_are_accepted(s in email()) {
        prop_assert!(GroupInvitationRequest::new(s.clone(), [ProjectRole::GroupOwner]).is_ok(), "{:?}", s);
    }
}

// ---------------------------------------------------------------------------------------------
// Mixed fault sequences under any retry policy

/// One answer a server (or the transport, or the clock) may give.
#[derive(Debug, Clone)]
enum Fault {
    /// 429 with this `Retry-After` (seconds; `u64::MAX` included).
    TooMany(u64),
    /// 503 without `Retry-After`.
    Unavailable,
    /// The transport failed.
    Transport(atlas_admin_core::TransportErrorKind),
    /// A token endpoint answer with this lifetime.
    Token(u64),
    /// The token endpoint refuses the client secret.
    TokenRefused,
    /// A Digest challenge (fresh nonce) or, for bearer calls, a refusal.
    Challenge,
    /// The seed's 200.
    Ok,
    /// The wall clock jumps by this many seconds (either way) before the next answer.
    ClockStep(i64),
}

fn fault() -> impl Strategy<Value = Fault> {
    use atlas_admin_core::TransportErrorKind as K;
    prop_oneof![
        prop_oneof![Just(0u64), Just(1), Just(55), Just(86_400 * 365), Just(u64::MAX)].prop_map(Fault::TooMany),
        Just(Fault::Unavailable),
        prop_oneof![Just(K::Connect), Just(K::Timeout), Just(K::Io), Just(K::BodyTooLarge)].prop_map(Fault::Transport),
        prop_oneof![Just(1u64), Just(3600), Just(u64::MAX)].prop_map(Fault::Token),
        Just(Fault::TokenRefused),
        Just(Fault::Challenge),
        Just(Fault::Ok),
        prop_oneof![Just(-3600i64), Just(86_400), Just(i64::MIN / 2)].prop_map(Fault::ClockStep),
    ]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::from_millis(1)),
        Just(Duration::from_secs(60)),
        Just(Duration::MAX),
    ]
}

/// Any policy, uncapped ones included.
fn policy() -> impl Strategy<Value = RetryPolicy> {
    (
        prop_oneof![Just(1u32), Just(4), Just(u32::MAX)],
        duration(),
        duration(),
        duration(),
        prop_oneof![Just(None), Just(Some(Duration::from_secs(5))), Just(Some(Duration::MAX))],
    )
        .prop_map(|(attempts, base, max_delay, total, deadline)| {
            let p = RetryPolicy::default()
                .with_max_attempts(attempts)
                .with_base_delay(base)
                .with_max_delay(max_delay)
                .with_max_total_wait(total);
            match deadline {
                Some(d) => p.with_deadline(d),
                None => p,
            }
        })
}

fn json_response(status: u16, extra: &[(&str, String)], body: &[u8]) -> http::Response<Vec<u8>> {
    let mut b = http::Response::builder().status(status).header("content-type", "application/json");
    for (name, value) in extra {
        b = b.header(*name, value.as_str());
    }
    b.body(body.to_vec()).unwrap()
}

fn fault_response(f: &Fault, fresh: &mut u32) -> Option<http::Response<Vec<u8>>> {
    const BUSY: &[u8] = br#"{"error":429,"errorCode":"RATE_LIMITED","reason":"Too Many Requests"}"#;
    Some(match f {
        Fault::TooMany(secs) => json_response(429, &[("retry-after", secs.to_string())], BUSY),
        Fault::Unavailable => json_response(503, &[], br#"{"error":503,"errorCode":"UNEXPECTED_ERROR"}"#),
        Fault::Token(secs) => json_response(
            200,
            &[],
            format!(r#"{{"access_token":"tok{fresh}","token_type":"Bearer","expires_in":{secs}}}"#).as_bytes(),
        ),
        Fault::TokenRefused => json_response(401, &[], br#"{"error":"invalid_client"}"#),
        Fault::Challenge => {
            *fresh += 1;
            unauthorized(Some(atlas_challenge(&format!("n{fresh}"), false, "MD5")))
        }
        Fault::Ok => json_response(200, &[], SEED_BODY),
        Fault::Transport(_) | Fault::ClockStep(_) => return None,
    })
}

/// Drives one call through `faults` (then a final 404); returns the steps it took.
fn drive_faults(session: &Session, faults: &[Fault]) -> Result<usize, TestCaseError> {
    let op = update_op();
    let mut call = session.begin(&op);
    let mut faults = faults.iter();
    let mut now = clock();
    let mut fresh = 0;
    let limit = 4 * (faults.len() + 4);
    for steps in 1..=limit {
        match call.next(now) {
            Step::Send(_) => loop {
                match faults.next() {
                    Some(Fault::ClockStep(secs)) => {
                        let step = Duration::from_secs(secs.unsigned_abs());
                        let wall = if *secs < 0 { now.wall.checked_sub(step) } else { now.wall.checked_add(step) };
                        now = Now::new(now.instant, wall.unwrap_or(now.wall));
                    }
                    Some(Fault::Transport(kind)) => {
                        call.handle_transport_error(atlas_admin_core::TransportError::new(*kind, "fault"), now);
                        break;
                    }
                    Some(f) => {
                        let response = fault_response(f, &mut fresh).unwrap();
                        call.handle_response(response, now);
                        break;
                    }
                    None => {
                        call.handle_response(json_response(404, &[], br#"{"error":404,"errorCode":"NOT_FOUND"}"#), now);
                        break;
                    }
                }
            },
            Step::Wait(d) => now = now.advance(d),
            Step::Done(_) => return Ok(steps),
        }
    }
    Err(TestCaseError::fail(format!("no end within {limit} steps")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..config() })]

    #[test]
    fn mixed_faults_under_any_policy_end_in_bounded_steps_without_panicking(
        policy in policy(),
        credentials in 0..3u8,
        faults in prop::collection::vec(fault(), 0..24),
    ) {
        let credentials = match credentials {
            0 => Credentials::None,
            1 => Credentials::api_key("pub", "priv-key").unwrap(),
            _ => Credentials::service_account("client", "secret").unwrap(),
        };
        let session = Session::new(Config::default().with_retry(policy), credentials, 7).unwrap();
        // Twice on one session: the shared state left by the first call must not wedge the next.
        drive_faults(&session, &faults)?;
        drive_faults(&session, &faults)?;
    }
}
