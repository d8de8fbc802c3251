//! Operations described at run time (`ops::Custom`): the requests they make, the input they
//! refuse before sending, how their answers are read, and that the call machine treats them
//! as it treats typed operations (Digest, retries by idempotency, names in errors).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use atlas_admin_core::ops::{Custom, ListOrgUsers, MAX_BODY_BYTES, ResponseFormat};
use atlas_admin_core::{
    ApiResponse, ApiVersion, Config, Credentials, Error, HttpDate, Now, Operation, OrgMembershipStatus, RetryPolicy,
    Session, Step, TransportError, TransportErrorKind, parse_response, unsigned_request,
};
use http::Method;
use std::time::{Duration, SystemTime};
mod support;
use support::{clock, render};

const GROUP: &str = "6a7900aa11bb22cc33dd44ee";
const ORG: &str = "4888442a3354817a7320eb61";
const V2024: &str = "2024-08-05";

fn v(date: &str) -> ApiVersion {
    ApiVersion::new(date).unwrap()
}

fn t0() -> Now {
    clock::at(HttpDate::parse("Sat, 28 Nov 2026 12:00:00 GMT").unwrap().system_time())
}

fn request<O: Operation>(op: &O) -> String {
    render(&unsigned_request(&Config::default().with_user_agent("ua").unwrap(), op).unwrap())
}

#[test]
fn a_get_with_path_values_and_query_is_sent_as_described() {
    let op = Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/restoreJobs", v(V2024))
        .unwrap()
        .path_param("clusterName", "Cluster 0/a?b#c%")
        .unwrap()
        .path_param("groupId", GROUP)
        .unwrap()
        .query("batchSize", "5")
        .unwrap()
        .query("status", "a b&c=d")
        .unwrap()
        .query("status", "é")
        .unwrap()
        .envelope(true)
        .pretty(true);
    assert_eq!(
        request(&op),
        format!(
            "GET https://cloud.mongodb.com/api/atlas/v2/groups/{GROUP}/clusters/Cluster%200%2Fa%3Fb%23c%25/restoreJobs\
             ?batchSize=5&status=a+b%26c%3Dd&status=%C3%A9&envelope=true&pretty=true\n\
             accept: application/vnd.atlas.2024-08-05+json\nuser-agent: ua\n\n"
        )
    );
}

#[test]
fn bodies_and_downloads_carry_their_media_types() {
    let body = serde_json::json!({"roles": ["ORG_MEMBER"], "username": "ada@example.com"});
    let post = Custom::new(Method::POST, "/api/atlas/v2/orgs/{orgId}/users", v("2025-02-19"))
        .unwrap()
        .path_param("orgId", ORG)
        .unwrap()
        .json(&body)
        .unwrap();
    let vnd = "application/vnd.atlas.2025-02-19+json";
    assert_eq!(
        request(&post),
        format!(
            "POST https://cloud.mongodb.com/api/atlas/v2/orgs/{ORG}/users\naccept: {vnd}\ncontent-type: {vnd}\n\
             user-agent: ua\n\n{{\"roles\":[\"ORG_MEMBER\"],\"username\":\"ada@example.com\"}}"
        )
    );
    // Text given as the body is sent as it is.
    let patch = Custom::new(Method::PATCH, "/api/atlas/v2/groups/{groupId}", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", GROUP)
        .unwrap()
        .json_bytes(r#"{ "name" : "renamed" }"#)
        .unwrap();
    assert!(request(&patch).ends_with("\n\n{ \"name\" : \"renamed\" }"), "{}", request(&patch));
    // A download asks for its suffix; a body sent with it stays JSON.
    let csv = Custom::new(Method::POST, "/api/atlas/v2/orgs/{orgId}/billing/costExplorer/usage", v(V2024))
        .unwrap()
        .path_param("orgId", ORG)
        .unwrap()
        .json_bytes("{}")
        .unwrap()
        .download(ResponseFormat::Csv);
    let sent = request(&csv);
    assert!(sent.contains("\naccept: application/vnd.atlas.2024-08-05+csv\n"), "{sent}");
    assert!(sent.contains("\ncontent-type: application/vnd.atlas.2024-08-05+json\n"), "{sent}");
    for (format, suffix) in [(ResponseFormat::Gzip, "gzip"), (ResponseFormat::Json, "json")] {
        let get = Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}/x.gz", ApiVersion::V2023_01_01)
            .unwrap()
            .path_param("groupId", GROUP)
            .unwrap()
            .download(format);
        assert!(request(&get).contains(&format!("\naccept: application/vnd.atlas.2023-01-01+{suffix}\n")));
    }
    // Behind a proxy mount, the prefix goes first, as for typed operations.
    let config = Config::default().with_base_url("https://proxy.example.com/atlas/").unwrap();
    let delete = Custom::new(Method::DELETE, "/api/atlas/v2/groups/{groupId}", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", GROUP)
        .unwrap();
    let sent = unsigned_request(&config, &delete).unwrap();
    assert_eq!(sent.uri().to_string(), format!("https://proxy.example.com/atlas/api/atlas/v2/groups/{GROUP}"));
    assert_eq!(sent.method(), Method::DELETE);
}

/// Described like the typed operation, the request is the same, byte for byte.
#[test]
fn a_described_list_sends_what_the_typed_one_sends() {
    let typed = ListOrgUsers::new(ORG)
        .unwrap()
        .org_membership_statuses([OrgMembershipStatus::Pending, OrgMembershipStatus::Active])
        .unwrap()
        .items_per_page(50)
        .unwrap()
        .pretty(true);
    let custom = Custom::new(Method::GET, "/api/atlas/v2/orgs/{orgId}/users", ApiVersion::V2025_02_19)
        .unwrap()
        .path_param("orgId", ORG)
        .unwrap()
        .query("itemsPerPage", "50")
        .unwrap()
        .query("orgMembershipStatuses", "PENDING")
        .unwrap()
        .query("orgMembershipStatuses", "ACTIVE")
        .unwrap()
        .pretty(true);
    assert_eq!(request(&custom), request(&typed));
    // The version is the call's: a client-wide override does not replace it.
    let config = Config::default().with_api_version(ApiVersion::V2023_01_01);
    let sent = unsigned_request(&config, &custom).unwrap();
    assert_eq!(sent.headers()["accept"], "application/vnd.atlas.2025-02-19+json");
    let older = custom.clone().api_version(ApiVersion::V2023_01_01);
    assert_eq!(unsigned_request(&config, &older).unwrap().headers()["accept"], "application/vnd.atlas.2023-01-01+json");
}

#[test]
fn bad_descriptions_are_refused_naming_the_field() {
    let base = || Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}", ApiVersion::V2023_01_01).unwrap();
    let field_reason = |e: atlas_admin_core::InvalidInput| (e.field().to_owned(), e.reason().to_owned());
    let new = |method: Method, path: &str| {
        field_reason(Custom::new(method, path, ApiVersion::V2023_01_01).map(drop).unwrap_err())
    };
    assert_eq!(new(Method::HEAD, "/api/atlas/v2/groups").0, "method");
    assert_eq!(new(Method::from_bytes(b"get").unwrap(), "/api/atlas/v2/groups").0, "method");
    for (path, reason) in [
        ("/api/oauth/token", "must start with /api/atlas/v2/"),
        ("api/atlas/v2/groups", "must start with /api/atlas/v2/"),
        ("/api/atlas/v2/groups?envelope=true", "has a query: add it with .query(name, value)"),
        ("/api/atlas/v2/groups#top", "has a fragment (#)"),
        ("/api/atlas/v2/groups/a b", "contains a space or a control character"),
        ("/api/atlas/v2/groups/a\u{1b}[31m", "contains a space or a control character"),
        ("/api/atlas/v2/groups/../orgs", "has an empty, `.` or `..` segment"),
        ("/api/atlas/v2/groups//clusters", "has an empty, `.` or `..` segment"),
        ("/api/atlas/v2/groups/{groupId", "has an unclosed {placeholder}"),
        ("/api/atlas/v2/groups/%4", "has a % that is not a %XX escape"),
    ] {
        assert_eq!(new(Method::GET, path), ("path".to_owned(), reason.to_owned()), "{path}");
    }
    assert_eq!(new(Method::GET, "/api/atlas/v2/{a}/{a}").0, "path.a");
    // Path values: only placeholders the template has, once each; never `.`, `..` or empty.
    for (name, value, field) in [
        ("orgId", GROUP, "path.orgId"),
        ("groupId", "..", "path.groupId"),
        ("groupId", "", "path.groupId"),
        ("groupId", "a\nb", "path.groupId"),
    ] {
        assert_eq!(base().path_param(name, value).unwrap_err().field(), field, "{name}={value:?}");
    }
    let e = base().path_param("a\u{1b}[31m", GROUP).unwrap_err();
    assert_eq!(
        (e.field(), e.value()),
        ("path", Some("a\u{1b}[31m")),
        "a name that is no placeholder's is not the field"
    );
    assert!(!e.to_string().contains('\u{1b}'), "printed escaped: {e}");
    let filled = base().path_param("groupId", GROUP).unwrap();
    assert_eq!(filled.path_param("groupId", GROUP).unwrap_err().field(), "path.groupId", "given twice");
    // An unfilled placeholder is refused when the request is built: nothing is sent.
    let e = unsigned_request(&Config::default(), &base()).unwrap_err();
    assert!(matches!(&e, Error::InvalidInput(i) if i.field() == "path.groupId"), "{e}");
    // Query: a name, no control characters, and the flags through their own methods.
    assert_eq!(base().query("", "x").unwrap_err().field(), "query");
    assert_eq!(base().query("envelope", "true").unwrap_err().field(), "query.envelope");
    assert_eq!(base().query("pretty", "true").unwrap_err().field(), "query.pretty");
    assert_eq!(base().query("name", "a\u{7}").unwrap_err().field(), "query.name");
    assert_eq!(base().query("a\rb", "x").unwrap_err().field(), "query");
    // Body: one JSON document, bounded.
    let e = base().json_bytes("{\"a\":").unwrap_err();
    assert!(e.field() == "body" && e.reason().starts_with("not JSON"), "{e}");
    assert_eq!(base().json_bytes("{} {}").unwrap_err().field(), "body");
    let big = format!("\"{}\"", "x".repeat(MAX_BODY_BYTES));
    let e = base().json_bytes(big).unwrap_err();
    assert!(e.field() == "body" && e.reason().contains("bytes"), "{e}");
    // Success statuses within 200..=299; a name that prints safely.
    assert_eq!(base().success(&[200, 304]).unwrap_err().field(), "success");
    assert_eq!(base().success(&[]).unwrap_err().field(), "success");
    assert_eq!(base().success(&[201, 200, 201]).unwrap().described_success(), [200, 201]);
    assert_eq!(base().named("get\u{1b}Cluster").unwrap_err().field(), "name");
    assert_eq!(base().named("").unwrap_err().field(), "name");
    // The version is a date (ApiVersion validates it).
    assert_eq!(ApiVersion::new("2024-13-01").unwrap_err().field(), "version");
}

/// The success statuses declared, through the trait.
trait DescribedSuccess {
    fn described_success(&self) -> Vec<u16>;
}

impl<O: Operation> DescribedSuccess for O {
    fn described_success(&self) -> Vec<u16> {
        self.described().unwrap().success().to_vec()
    }
}

fn answer(status: u16, body: &[u8]) -> http::Response<Vec<u8>> {
    http::Response::builder().status(status).header("content-type", "application/json").body(body.to_vec()).unwrap()
}

#[test]
fn debug_shows_the_bodys_length_never_the_body() {
    let op = Custom::new(Method::POST, "/api/atlas/v2/groups/{groupId}/databaseUsers", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", GROUP)
        .unwrap()
        .json(&serde_json::json!({"username": "app", "password": "hunter2-SECRET"}))
        .unwrap();
    let len = op.described().unwrap().body().unwrap().len();
    let shown = format!("{op:?}");
    assert!(!shown.contains("SECRET") && !shown.contains("104, 117"), "{shown}");
    assert!(shown.contains(&format!("body_len: Some({len})")) && shown.contains("databaseUsers"), "{shown}");
}

#[test]
fn answers_are_json_values_bytes_or_typed_errors() {
    let get = Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", GROUP)
        .unwrap()
        .named("getProject")
        .unwrap();
    let at = SystemTime::UNIX_EPOCH;
    let ok = parse_response(&get, answer(200, br#"{"id":"x","n":12345678901234567}"#), at).unwrap();
    assert_eq!(ok.value, serde_json::json!({"id": "x", "n": 12_345_678_901_234_567_u64}));
    // 204 (or any empty 2xx) is Null; an undeclared 2xx is a success, as for typed operations.
    let empty = parse_response(&get, answer(204, b""), at).unwrap();
    assert_eq!((empty.value, empty.meta.status.as_u16()), (serde_json::Value::Null, 204));
    let declared = get.clone().success(&[200]).unwrap();
    assert_eq!(parse_response(&declared, answer(202, b"{}"), at).unwrap().meta.status.as_u16(), 202);
    // An Atlas error is the same typed error as a typed operation's, named after the call.
    let e = parse_response(
        &get,
        answer(404, br#"{"error":404,"errorCode":"GROUP_NOT_FOUND","detail":"No group","reason":"Not Found"}"#),
        at,
    )
    .unwrap_err();
    let api = e.api_error().unwrap();
    assert_eq!((api.status.as_u16(), api.error_code(), api.operation), (404, "GROUP_NOT_FOUND", "getProject"));
    assert!(e.is_not_found());
    // Enveloped: the real status comes from inside.
    let enveloped = get.clone().envelope(true);
    let env = parse_response(&enveloped, answer(200, br#"{"status":201,"content":{"id":"x"}}"#), at).unwrap();
    assert_eq!((env.value, env.meta.status.as_u16()), (serde_json::json!({"id": "x"}), 201));
    let env_err = br#"{"status":404,"content":{"error":404,"errorCode":"GROUP_NOT_FOUND"}}"#;
    assert_eq!(parse_response(&enveloped, answer(200, env_err), at).unwrap_err().status().unwrap().as_u16(), 404);
    // A body that is not JSON is a decode error, not a panic or a guess.
    let e = parse_response(&get, answer(200, b"<html>"), at).unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e}");
    // A download is the bytes as they came; unnamed, it is a `customDownload`.
    let unnamed = Custom::new(Method::GET, "/api/atlas/v2/x", ApiVersion::V2023_01_01).unwrap();
    assert_eq!(unnamed.operation_id(), "custom");
    assert_eq!(unnamed.download(ResponseFormat::Csv).operation_id(), "customDownload");
    let gz = get.download(ResponseFormat::Gzip);
    assert_eq!(gz.operation_id(), "getProject", "a given name is kept");
    let bytes = [0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00];
    let ok: ApiResponse<Vec<u8>> = parse_response(&gz, answer(200, &bytes), at).unwrap();
    assert_eq!(ok.value, bytes);
}

/// A call's result and the requests it sent.
type Driven<T> = (Result<ApiResponse<T>, Error>, Vec<http::Request<Vec<u8>>>);

/// Drives a call against scripted answers; returns the result and the requests sent.
fn drive<O: Operation>(
    session: &Session,
    op: &O,
    mut answers: Vec<Result<http::Response<Vec<u8>>, TransportErrorKind>>,
) -> Driven<O::Output> {
    answers.reverse();
    let mut call = session.begin(op);
    let (mut now, mut sent) = (t0(), Vec::new());
    for _ in 0..50 {
        match call.next(now) {
            Step::Send(out) => {
                assert_eq!(out.operation, op.operation_id());
                sent.push(out.request);
                match answers.pop().expect("a scripted answer") {
                    Ok(response) => call.handle_response(response, now),
                    Err(kind) => call.handle_transport_error(TransportError::new(kind, "scripted"), now),
                }
            }
            Step::Wait(d) => now += d,
            Step::Done(result) => return (result, sent),
        }
    }
    panic!("the call did not end");
}

fn unavailable() -> Result<http::Response<Vec<u8>>, TransportErrorKind> {
    Ok(answer(503, br#"{"error":503,"errorCode":"SERVICE_UNAVAILABLE"}"#))
}

#[test]
fn a_post_is_retried_only_when_marked_idempotent() {
    let retry = RetryPolicy::default().with_base_delay(Duration::from_millis(1));
    let session = Session::new(Config::default().with_retry(retry), Credentials::None, 7).unwrap();
    let post = Custom::new(Method::POST, "/api/atlas/v2/groups/{groupId}/things", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", GROUP)
        .unwrap()
        .json_bytes("{}")
        .unwrap();
    assert!(!post.is_idempotent());
    for failure in [unavailable(), Err(TransportErrorKind::Io), Err(TransportErrorKind::Timeout)] {
        let (result, sent) = drive(&session, &post, vec![failure, Ok(answer(201, b"{}"))]);
        assert!(result.is_err());
        assert_eq!(sent.len(), 1, "a POST that may have reached Atlas is not re-sent");
    }
    // Refused before it was applied: retried whatever the method.
    let (result, sent) = drive(&session, &post, vec![Err(TransportErrorKind::Connect), Ok(answer(201, b"{}"))]);
    assert_eq!((result.unwrap().meta.status.as_u16(), sent.len()), (201, 2));
    let marked = post.idempotent(true);
    assert!(marked.is_idempotent());
    let (result, sent) = drive(&session, &marked, vec![unavailable(), Ok(answer(201, br#"{"id":"x"}"#))]);
    assert_eq!(result.unwrap().value, serde_json::json!({"id": "x"}));
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body(), sent[1].body());
    // Other methods are idempotent unless marked otherwise.
    let put = Custom::new(Method::PUT, "/api/atlas/v2/groups/{groupId}", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", GROUP)
        .unwrap();
    assert!(put.is_idempotent() && !put.clone().idempotent(false).is_idempotent());
    let (_, sent) = drive(&session, &put.idempotent(false), vec![unavailable()]);
    assert_eq!(sent.len(), 1);
}

#[test]
fn digest_signs_the_described_request_and_reuses_the_challenge() {
    let session = Session::new(Config::default(), Credentials::api_key("pub", "SECRET").unwrap(), 7).unwrap();
    let get = Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}/clusters", v(V2024))
        .unwrap()
        .path_param("groupId", GROUP)
        .unwrap()
        .query("itemsPerPage", "5")
        .unwrap()
        .named("listGroupClusters")
        .unwrap();
    let challenge = http::Response::builder()
        .status(401)
        .header("www-authenticate", r#"Digest realm="MMS Public API", qop="auth", nonce="abc", algorithm=MD5"#)
        .body(Vec::new())
        .unwrap();
    let (result, sent) = drive(&session, &get, vec![Ok(challenge), Ok(answer(200, b"{\"results\":[]}"))]);
    assert!(result.is_ok());
    assert_eq!(sent.len(), 2, "probe, then the signed request");
    let auth = sent[1].headers()["authorization"].to_str().unwrap().to_owned();
    let signed = atlas_admin_core::digest::parse_authorization(&auth).unwrap();
    assert_eq!(signed["uri"], format!("/api/atlas/v2/groups/{GROUP}/clusters?itemsPerPage=5"));
    // Once challenged, one round trip per call.
    let (result, sent) = drive(&session, &get, vec![Ok(answer(200, b"{}"))]);
    assert_eq!((result.unwrap().meta.exchanges, sent.len()), (1, 1));
    assert!(sent[0].headers()["authorization"].to_str().unwrap().contains("nc=00000002"));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn config() -> ProptestConfig {
        ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() }
    }

    proptest! {
        #![proptest_config(config())]

        /// Any text after the prefix is refused with a typed error or makes a request whose
        /// path is the text (nothing is added, removed or re-encoded); never a panic.
        #[test]
        fn any_path_is_refused_or_sent_as_given(rest in r"[ -~\t\n\u{e9}\u{1b}]{0,40}") {
            let path = format!("/api/atlas/v2/{rest}");
            match Custom::new(Method::GET, &path, ApiVersion::V2023_01_01) {
                Err(e) => prop_assert!(e.field().starts_with("path"), "{e}"),
                Ok(op) if rest.contains('{') => {
                    // Placeholders left unfilled: refused when the request is built.
                    prop_assert!(matches!(unsigned_request(&Config::default(), &op), Err(Error::InvalidInput(_))));
                }
                Ok(op) => {
                    let sent = unsigned_request(&Config::default(), &op).unwrap();
                    prop_assert_eq!(sent.uri().path(), path.as_str());
                    prop_assert_eq!(sent.uri().query(), None);
                }
            }
        }

        /// Any value fills its placeholder as one segment that decodes back to the value, or is
        /// refused (empty, `.`, `..`, a control character).
        #[test]
        fn any_value_is_one_segment_that_decodes_back(value in r"[ -~\n\u{e9}\u{1f600}]{0,30}") {
            let op = Custom::new(Method::GET, "/api/atlas/v2/groups/{groupId}/clusters", ApiVersion::V2023_01_01)
                .unwrap()
                .path_param("groupId", &value);
            match op {
                Err(e) => {
                    prop_assert_eq!(e.field(), "path.groupId");
                    prop_assert!(value.is_empty() || value == "." || value == ".." || value.contains('\n'));
                }
                Ok(op) => {
                    let sent = unsigned_request(&Config::default(), &op).unwrap();
                    let segments: Vec<&str> = sent.uri().path().split('/').collect();
                    // "", api, atlas, v2, groups, the value, clusters.
                    prop_assert_eq!(segments.len(), 7, "{}", sent.uri());
                    prop_assert_eq!(segments[6], "clusters");
                    let decoded: Vec<(String, String)> = form_urlencoded::parse(format!("v={}", segments[5]).as_bytes())
                        .map(|(k, v)| (k.into_owned(), v.into_owned()))
                        .collect();
                    prop_assert_eq!(&decoded[0].1, &value);
                    prop_assert!(sent.uri().query().is_none());
                }
            }
        }
    }
}

/// Catalog operations as `Custom` (`catalog::call`): the request each makes is the one the spec
/// describes (the expected method, path, query, headers and media types below are read from
/// the vendored spec, not from the catalog), and bad input is refused naming the parameter.
mod catalog_calls {
    use super::*;
    use atlas_admin_core::catalog;
    use atlas_admin_core::paginate::Paginated;

    fn call(name: &str) -> Custom {
        catalog::call(name).unwrap()
    }

    #[test]
    fn each_param_kind_builds_the_request_the_spec_describes() {
        // Path: Id and Pattern(Name); query: Bool, Int64, IpAddress pattern, Int32 in 0..=20000.
        let op = call("getGroupDbAccessHistoryCluster")
            .param("groupId", GROUP)
            .unwrap()
            .param("clusterName", "Cluster0")
            .unwrap()
            .param("authResult", "true")
            .unwrap()
            .param("end", "1700000000000")
            .unwrap()
            .param("ipAddress", "10.0.0.1")
            .unwrap()
            .param("nLogs", "20000")
            .unwrap();
        let sent = request(&op);
        assert!(sent.starts_with(&format!(
            "GET https://cloud.mongodb.com/api/atlas/v2/groups/{GROUP}/dbAccessHistory/clusters/Cluster0?authResult=true&end=1700000000000&ipAddress=10.0.0.1&nLogs=20000\n"
        )), "{sent}");
        assert!(sent.contains("accept: application/vnd.atlas.2023-01-01+json"), "{sent}");
        for (name, bad) in [("nLogs", "20001"), ("authResult", "yes"), ("ipAddress", "not an ip"), ("end", "1.5")] {
            let e = call("getGroupDbAccessHistoryCluster").param(name, bad).unwrap_err();
            assert_eq!(e.field(), name, "{name}={bad}: {e}");
        }
        assert_eq!(call("getGroupDbAccessHistoryCluster").param("groupId", "nope").unwrap_err().field(), "groupId");

        // Repeated enum (repeated keys), DateTime; default version 2025-03-12.
        let op = call("getGroupActivityFeed")
            .param("groupId", GROUP)
            .unwrap()
            .param("eventType", "CLUSTER_CREATED")
            .unwrap()
            .param("eventType", "CLUSTER_DELETED")
            .unwrap()
            .param("minDate", "2024-01-31T12:00:00Z")
            .unwrap();
        let sent = request(&op);
        assert!(sent.contains("?eventType=CLUSTER_CREATED&eventType=CLUSTER_DELETED&minDate=2024-01-31T12%3A00%3A00Z"));
        assert!(sent.contains("accept: application/vnd.atlas.2025-03-12+json"), "{sent}");
        assert_eq!(call("getGroupActivityFeed").param("eventType", "NOT_AN_EVENT").unwrap_err().field(), "eventType");
        assert_eq!(call("getGroupActivityFeed").param("minDate", "yesterday").unwrap_err().field(), "minDate");
        // A scalar parameter given twice is refused before sending.
        let twice = call("getGroupActivityFeed").param("groupId", GROUP).unwrap();
        let twice = twice.param("minDate", "2024-01-31T12:00:00Z").unwrap().param("minDate", "2024-02-01T00:00:00Z");
        let e = unsigned_request(&Config::default(), &twice.unwrap()).unwrap_err();
        assert!(e.to_string().contains("minDate"), "{e}");

        // Email and Statuses (repeated keys), newer than 2023-01-01.
        let op = call("listOrgUsers")
            .param("orgId", ORG)
            .unwrap()
            .param("username", "a+b@example.com")
            .unwrap()
            .param("orgMembershipStatuses", "ACTIVE")
            .unwrap()
            .param("orgMembershipStatuses", "PENDING")
            .unwrap();
        let sent = request(&op);
        assert!(sent.contains(&format!(
            "/orgs/{ORG}/users?username=a%2Bb%40example.com&orgMembershipStatuses=ACTIVE&orgMembershipStatuses=PENDING"
        )));
        assert!(sent.contains("accept: application/vnd.atlas.2025-02-19+json"), "{sent}");
        let old = unsigned_request(&Config::default(), &op.api_version(ApiVersion::V2023_01_01)).unwrap_err();
        assert!(old.to_string().contains("username"), "{old}");
        assert_eq!(call("listOrgUsers").param("username", "not-mail").unwrap_err().field(), "username");

        // Date and a single enum.
        let op = call("listOrgInvoices")
            .param("orgId", ORG)
            .unwrap()
            .param("fromDate", "2024-01-31")
            .unwrap()
            .param("sortBy", "END_DATE")
            .unwrap();
        assert!(request(&op).starts_with(&format!(
            "GET https://cloud.mongodb.com/api/atlas/v2/orgs/{ORG}/invoices?fromDate=2024-01-31&sortBy=END_DATE\n"
        )));
        assert_eq!(call("listOrgInvoices").param("fromDate", "2024-1-31").unwrap_err().field(), "fromDate");
        assert_eq!(call("listOrgInvoices").param("sortBy", "NAME").unwrap_err().field(), "sortBy");
    }

    /// A path value is given as meant and encoded exactly once: a CIDR block with its `/` raw or
    /// as `%2F` is one `%2F` on the wire (Atlas decodes it to the block), an IAM ARN and an LDAP
    /// DN with a space are sent encoded once, not refused.
    #[test]
    fn path_values_are_encoded_exactly_once() {
        let path = |op: Custom| unsigned_request(&Config::default(), &op).unwrap().uri().path().to_owned();
        for entry in ["10.0.0.0/16", "10.0.0.0%2F16", "10.0.0.0%2f16"] {
            let op = call("deleteGroupAccessListEntry").param("groupId", GROUP).unwrap();
            let op = op.param("entryValue", entry).unwrap();
            assert_eq!(path(op), format!("/api/atlas/v2/groups/{GROUP}/accessList/10.0.0.0%2F16"), "{entry}");
        }
        for (op, param) in [("getGroupAccessListStatus", "entryValue"), ("deleteGroupAccessListEntry", "entryValue")] {
            let e = call(op).param(param, "10.0.0.0%252F16").unwrap_err();
            assert_eq!(e.field(), param, "an escape escaped twice is refused: {e}");
        }
        let key = "4888442a3354817a7320eb62";
        let op = call("deleteOrgApiKeyAccessListEntry").param("orgId", ORG).unwrap().param("apiUserId", key).unwrap();
        let op = op.param("ipAddress", "192.168.0.0/24").unwrap();
        assert_eq!(path(op), format!("/api/atlas/v2/orgs/{ORG}/apiKeys/{key}/accessList/192.168.0.0%2F24"));
        let azure = "/subscriptions/123e4567-e89b-12d3-a456-426614174000/resourceGroups/g/providers/Microsoft.Network/privateEndpoints/pe";
        let encoded = azure.replace('/', "%2F");
        for given in [azure, encoded.as_str()] {
            let op = call("getGroupPrivateEndpointEndpointServiceEndpoint")
                .param("groupId", GROUP)
                .unwrap()
                .param("cloudProvider", "AZURE")
                .unwrap()
                .param("endpointServiceId", ORG)
                .unwrap()
                .param("endpointId", given)
                .unwrap();
            assert!(path(op).ends_with(&format!("/endpoint/{encoded}")), "{given}");
        }
        for (username, sent) in [
            ("arn:aws:iam::123456789012:user/x", "arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Fx"),
            ("CN=Jane Doe,OU=x", "CN%3DJane%20Doe%2COU%3Dx"),
            ("50%2F", "50%252F"),
        ] {
            let op = call("getGroupDatabaseUser").param("groupId", GROUP).unwrap();
            let op = op.param("databaseName", "$external").unwrap().param("username", username).unwrap();
            assert_eq!(
                path(op),
                format!("/api/atlas/v2/groups/{GROUP}/databaseUsers/%24external/{sent}"),
                "{username}"
            );
        }
    }

    #[test]
    fn headers_are_sent_as_headers_and_checked() {
        let op = call("listGroupClusters")
            .param("groupId", GROUP)
            .unwrap()
            .param("Use-Effective-Instance-Fields", "true")
            .unwrap()
            .param("itemsPerPage", "2")
            .unwrap();
        let req = unsigned_request(&Config::default(), &op).unwrap();
        assert_eq!(
            req.uri().path_and_query().unwrap().as_str(),
            format!("/api/atlas/v2/groups/{GROUP}/clusters?itemsPerPage=2")
        );
        assert_eq!(req.headers()["use-effective-instance-fields"], "true");
        assert_eq!(req.headers()["accept"], "application/vnd.atlas.2024-08-05+json");
        let e = call("listGroupClusters").param("Use-Effective-Instance-Fields", "maybe").unwrap_err();
        assert_eq!(e.field(), "Use-Effective-Instance-Fields");
        // Not a query parameter, and not a header of another operation.
        assert!(call("listGroupClusters").query("Use-Effective-Instance-Fields", "true").is_err());
        assert!(call("listOrgUsers").header("Use-Effective-Instance-Fields", "true").is_err());
        // A plain Custom may add a header, but none the call sets itself, and no bad value.
        let plain = Custom::new(Method::GET, "/api/atlas/v2/groups", ApiVersion::V2023_01_01).unwrap();
        let req = unsigned_request(&Config::default(), &plain.clone().header("X-Thing", "1").unwrap()).unwrap();
        assert_eq!(req.headers()["x-thing"], "1");
        for (name, value) in [("Authorization", "x"), ("accept", "x"), ("bad name", "x"), ("X-Thing", "a\nb")] {
            assert!(plain.clone().header(name, value).unwrap_err().field().starts_with("header"), "{name}");
        }
    }

    #[test]
    fn unknown_and_missing_parameters_versions_envelope_pretty_and_bodies_are_refused() {
        assert_eq!(call("listOrgUsers").param("itemsPerPag", "5").unwrap_err().field(), "itemsPerPag");
        assert_eq!(call("listOrgUsers").param("itemsPerPage", "501").unwrap_err().field(), "itemsPerPage");
        assert_eq!(catalog::call("noSuchOperation").unwrap_err().field(), "operation");
        // A required path parameter.
        let e = unsigned_request(&Config::default(), &call("listOrgUsers")).unwrap_err();
        assert!(e.to_string().contains("orgId"), "{e}");
        // Versions: only those listed (the default is the newest stable one).
        let op = call("listGroupClusters").param("groupId", GROUP).unwrap();
        let e = unsigned_request(&Config::default(), &op.clone().api_version(ApiVersion::V2025_02_19)).unwrap_err();
        assert!(e.to_string().contains("api_version"), "{e}");
        let older = unsigned_request(&Config::default(), &op.clone().api_version(ApiVersion::V2023_02_01)).unwrap();
        assert_eq!(older.headers()["accept"], "application/vnd.atlas.2023-02-01+json");
        // envelope and pretty only where the spec lists them.
        assert!(unsigned_request(&Config::default(), &op.clone().envelope(true).pretty(true)).is_ok());
        let feed = call("getGroupActivityFeed").param("groupId", GROUP).unwrap();
        assert!(
            unsigned_request(&Config::default(), &feed.clone().envelope(true))
                .unwrap_err()
                .to_string()
                .contains("envelope")
        );
        assert!(unsigned_request(&Config::default(), &feed.pretty(true)).is_ok());
        // A body only where one is taken, and where it is required.
        let e = unsigned_request(&Config::default(), &op.json_bytes("{}").unwrap()).unwrap_err();
        assert!(e.to_string().contains("body"), "{e}");
        let create = call("createGroupCluster").param("groupId", GROUP).unwrap();
        assert!(!create.is_idempotent(), "a POST is not retried");
        let e = unsigned_request(&Config::default(), &create).unwrap_err();
        assert!(e.to_string().contains("body"), "{e}");
        let req = unsigned_request(&Config::default(), &create.json_bytes(r#"{"name":"c"}"#).unwrap()).unwrap();
        assert_eq!(
            (req.method(), req.headers()["content-type"].to_str().unwrap()),
            (&Method::POST, "application/vnd.atlas.2024-10-23+json")
        );
        // The spec's root is a path too.
        let root = unsigned_request(&Config::default(), &call("getSystemStatus")).unwrap();
        assert_eq!(root.uri().path(), "/api/atlas/v2");
    }

    #[test]
    fn downloads_take_the_entrys_media_type() {
        let csv = call("getOrgInvoiceCsv").param("orgId", ORG).unwrap().param("invoiceId", "abc123").unwrap();
        let e = unsigned_request(&Config::default(), &csv).unwrap_err();
        assert!(e.to_string().contains("into_download"), "{e}");
        let csv = csv.into_download().unwrap();
        let req = unsigned_request(&Config::default(), &csv).unwrap();
        assert_eq!(req.uri().path(), format!("/api/atlas/v2/orgs/{ORG}/invoices/abc123/csv"));
        assert_eq!(req.headers()["accept"], "application/vnd.atlas.2023-01-01+csv");
        assert_eq!(call("listOrgUsers").into_download().unwrap_err().field(), "format");
        let wrong = call("getOrgInvoiceCsv").download(ResponseFormat::Gzip);
        let wrong = wrong.path_param("orgId", ORG).unwrap().path_param("invoiceId", "abc123").unwrap();
        assert!(unsigned_request(&Config::default(), &wrong).is_err());
    }

    #[test]
    fn the_unauthenticated_operation_goes_without_credentials() {
        let op = call("listControlPlaneIpAddresses");
        for credentials in [Credentials::api_key("pub", "SECRET").unwrap(), Credentials::bearer_token("tok").unwrap()] {
            let session = Session::new(Config::default(), credentials, 7).unwrap();
            let (result, sent) = drive(&session, &op, vec![Ok(answer(200, br#"{"inbound":{}}"#))]);
            assert_eq!(result.unwrap().value, serde_json::json!({"inbound": {}}));
            assert_eq!(sent.len(), 1, "no Digest probe");
            assert!(sent[0].headers().get("authorization").is_none());
            assert_eq!(sent[0].uri().path(), "/api/atlas/v2/unauth/controlPlaneIPAddresses");
            // A 401 with a challenge is Atlas's answer, not a prompt to sign.
            let challenge = http::Response::builder()
                .status(401)
                .header("www-authenticate", r#"Digest realm="MMS Public API", qop="auth", nonce="abc", algorithm=MD5"#)
                .body(br#"{"error":401,"errorCode":"UNAUTHORIZED"}"#.to_vec())
                .unwrap();
            let (result, sent) = drive(&session, &op, vec![Ok(challenge)]);
            assert!(matches!(result, Err(Error::Api(_))), "{result:?}");
            assert_eq!(sent.len(), 1);
        }
        // Every other operation is signed.
        let session = Session::new(Config::default(), Credentials::bearer_token("tok").unwrap(), 7).unwrap();
        let (_, sent) = drive(&session, &call("getSystemStatus"), vec![Ok(answer(200, b"{}"))]);
        assert!(sent[0].headers().get("authorization").is_some());
    }

    #[test]
    fn a_catalog_list_pages_like_a_typed_one() {
        let list = call("listOrgUsers").param("orgId", ORG).unwrap().param("itemsPerPage", "2").unwrap();
        let pages = list.clone().paginated().unwrap();
        assert_eq!((pages.current_page(), pages.requested_page_size()), (1, Some(2)));
        let third = pages.at_page(3);
        assert_eq!(third.current_page(), 3);
        let req = unsigned_request(&Config::default(), &third.at_page(4)).unwrap();
        assert_eq!(req.uri().query(), Some("itemsPerPage=2&pageNum=4"));
        let session = Session::new(Config::default(), Credentials::None, 7).unwrap();
        let (result, _) = drive(&session, &pages, vec![Ok(answer(200, br#"{"results":[{"id":"a"}],"totalCount":1}"#))]);
        assert_eq!(result.unwrap().value.results, [serde_json::json!({"id": "a"})]);
        assert_eq!(call("getSystemStatus").paginated().unwrap_err().field(), "pages");
    }
}
