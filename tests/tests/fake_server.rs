//! The fake Atlas, driven by real clients over loopback: `curl` (Digest, Basic, Bearer,
//! hand-signed Digest headers) and Python `requests` (`HTTPDigestAuth`).
//!
//! If `curl` or `python3` is not installed, the tests that need it print why and return.

use atlas_admin_core::Timestamp;
use atlas_admin_core::digest::{Challenge, ResponseInput, authorization};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, Fault};
use serde_json::{Value, json};
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const ACCEPT: &str = "Accept: application/vnd.atlas.2023-01-01+json";
const CONTENT_TYPE: &str = "Content-Type: application/vnd.atlas.2023-01-01+json";

// ---------------------------------------------------------------------------------------------
// A tiny curl-based client
// ---------------------------------------------------------------------------------------------

/// Whether `program --version` runs; prints a skip reason if not. Under CI (`CI` set) a
/// missing tool is a failure, not a skip: `.ci/run` installs what these tests need.
fn have(program: &str) -> bool {
    let ok = Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok();
    if !ok {
        assert!(
            !atlas_admin_testing::cassette::Mode::in_ci(),
            "`{program}` is missing in CI; .ci/run should have installed it"
        );
        eprintln!("SKIPPED: `{program}` is not installed, so this test cannot drive the fake with it");
    }
    ok
}

/// What curl got back: its exit code and the final response.
#[derive(Debug)]
struct Reply {
    exit: i32,
    status: u16,
    /// Headers of the final response (lowercase names).
    headers: Vec<(String, String)>,
    body: String,
    stderr: String,
    /// Status codes of every response in the exchange (a Digest exchange has a 401 first).
    statuses: Vec<u16>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }

    fn challenge(&self) -> Challenge {
        Challenge::parse(self.header("www-authenticate").expect("a WWW-Authenticate header"))
            .expect("a Digest challenge")
    }
}

static BODY_FILES: AtomicU64 = AtomicU64::new(0);

/// Runs curl with `args`; headers go to stdout, the final body to a temporary file.
fn curl(args: &[&str]) -> Reply {
    let n = BODY_FILES.fetch_add(1, Ordering::Relaxed);
    let body_file = std::env::temp_dir().join(format!("fake-atlas-test-{}-{n}.body", std::process::id()));
    let out = Command::new("curl")
        .args(["-sS", "-g", "--noproxy", "*", "--max-time", "10", "-D", "-", "-o"])
        .arg(&body_file)
        .args(args)
        .output()
        .expect("curl runs");
    let body = std::fs::read_to_string(&body_file).unwrap_or_default();
    let _ = std::fs::remove_file(&body_file);
    let dump = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut statuses = Vec::new();
    let mut headers = Vec::new();
    for line in dump.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(rest) = line.strip_prefix("HTTP/") {
            statuses.push(rest.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0));
            headers.clear();
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    Reply {
        exit: out.status.code().unwrap_or(-1),
        status: statuses.last().copied().unwrap_or(0),
        headers,
        body,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        statuses,
    }
}

fn project_url(fake: &FakeAtlas) -> String {
    format!("{}/api/atlas/v2/groups/{}/invites", fake.base_url(), fake.config().group_id)
}

fn org_url(fake: &FakeAtlas) -> String {
    format!("{}/api/atlas/v2/orgs/{}/invites", fake.base_url(), fake.config().org_id)
}

/// curl with Digest auth and the versioned Accept header.
fn digest(fake: &FakeAtlas, method: &str, url: &str, body: Option<&Value>) -> Reply {
    let user = format!("{}:{}", fake.config().public_key, fake.config().private_key);
    let mut args = vec!["--digest", "-u", &user, "-H", ACCEPT, "-X", method];
    let body = body.map(Value::to_string);
    if let Some(b) = &body {
        args.extend(["-H", CONTENT_TYPE, "--data-binary", b]);
    }
    args.push(url);
    curl(&args)
}

/// Sends a hand-made `Authorization` header for `uri` (path and query) signed for `challenge`.
fn signed(fake: &FakeAtlas, challenge: &Challenge, uri: &str, nc: u32, password: &str) -> Reply {
    let header = authorization(
        challenge,
        &ResponseInput {
            username: &fake.config().public_key,
            password,
            method: "GET",
            uri,
            nc,
            cnonce: "0a4f113b6c5d",
        },
    );
    curl(&["-H", &format!("Authorization: {header}"), "-H", ACCEPT, &format!("{}{uri}", fake.base_url())])
}

/// A fresh challenge from an unauthenticated request.
fn fresh_challenge(fake: &FakeAtlas) -> Challenge {
    let r = curl(&["-H", ACCEPT, &project_url(fake)]);
    assert_eq!(r.status, 401, "{r:?}");
    r.challenge()
}

fn token(fake: &FakeAtlas) -> String {
    let r = token_request(fake, &fake.config().client_secret);
    assert_eq!(r.status, 200, "{r:?}");
    r.json()["access_token"].as_str().expect("access_token").to_owned()
}

fn token_request(fake: &FakeAtlas, secret: &str) -> Reply {
    let user = format!("{}:{secret}", fake.config().client_id);
    let url = format!("{}/api/oauth/token", fake.base_url());
    curl(&["-u", &user, "-H", "Accept: application/json", "-d", "grant_type=client_credentials", &url])
}

/// curl with a bearer token.
fn bearer(token: &str, method: &str, url: &str, accept: Option<&str>, body: Option<&Value>) -> Reply {
    let auth = format!("Authorization: Bearer {token}");
    let mut args = vec!["-H", &auth, "-X", method];
    if let Some(a) = accept {
        args.extend(["-H", a]);
    }
    let body = body.map(Value::to_string);
    if let Some(b) = &body {
        args.extend(["-H", CONTENT_TYPE, "--data-binary", b]);
    }
    args.push(url);
    curl(&args)
}

fn invite(username: &str) -> Value {
    json!({"roles": ["GROUP_READ_ONLY"], "username": username})
}

// ---------------------------------------------------------------------------------------------
// 1. curl --digest
// ---------------------------------------------------------------------------------------------

#[test]
fn curl_digest_lists_with_one_challenge_and_wrong_password_is_refused() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let r = digest(&fake, "GET", &project_url(&fake), None);
    assert_eq!((r.exit, r.status), (0, 200), "{r:?}");
    assert_eq!(r.statuses, [401, 200]);
    assert_eq!(r.json(), json!([]));
    assert_eq!(r.header("content-type"), Some("application/vnd.atlas.2023-01-01+json;charset=utf-8"));
    let c = fake.counters();
    assert_eq!(c.challenges, 1);
    assert_eq!(c.requests, 2);
    assert_eq!(c.api_requests, 2);
    assert_eq!(c.by_operation.get("listGroupInvites"), Some(&1));
    assert_eq!(c.auth_failures, 0);

    let user = format!("{}:not-the-password", fake.config().public_key);
    let r = curl(&["--digest", "-u", &user, "-H", ACCEPT, &project_url(&fake)]);
    assert_eq!(r.status, 401, "{r:?}");
    assert_eq!(
        r.json(),
        json!({"error": 401, "reason": "Unauthorized", "detail": "You are not authorized for this resource.",
               "errorCode": "UNEXPECTED_ERROR"})
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    let ch = r.challenge();
    assert_eq!(ch.realm, "MMS Public API");
    assert_eq!(ch.nonce.len(), 32);
    assert!(!ch.stale);
    let www = r.header("www-authenticate").unwrap();
    assert!(www.contains(r#"domain="""#) && www.contains("algorithm=MD5") && www.contains(r#"qop="auth""#), "{www}");
    let c = fake.counters();
    assert_eq!(c.auth_failures, 1);
    assert_eq!(c.challenges, 3);
    assert_eq!(c.by_operation.get("listGroupInvites"), Some(&1), "a refused request is not an operation");
}

// ---------------------------------------------------------------------------------------------
// 2. Python requests with HTTPDigestAuth
// ---------------------------------------------------------------------------------------------

const PYTHON_CLIENT: &str = r#"
import json, sys
import requests
from requests.auth import HTTPDigestAuth
base, group, user, password = sys.argv[1:5]
s = requests.Session()
s.trust_env = False  # loopback only, whatever proxy the environment names
s.auth = HTTPDigestAuth(user, password)
h = {"Accept": "application/vnd.atlas.2023-01-01+json", "Content-Type": "application/vnd.atlas.2023-01-01+json"}
url = f"{base}/api/atlas/v2/groups/{group}/invites"
out = {}
r = s.post(url, headers=h, data=json.dumps({"roles": ["GROUP_OWNER"], "username": "py+1@example.com"}))
out["create"] = [r.status_code, r.json()]
r = s.get(url, headers=h, params={"username": "py+1@example.com"})
out["list"] = [r.status_code, r.json()]
r = s.delete(f"{url}/{out['create'][1]['id']}", headers=h)
out["delete"] = [r.status_code, r.text, r.headers.get("Content-Type")]
r = s.get(url, headers=h)
out["after"] = [r.status_code, r.json()]
print(json.dumps(out))
"#;

#[test]
fn python_requests_digest_create_list_delete() {
    if !have("python3") {
        return;
    }
    // No installing from here (tests reach only loopback): `.ci/run` installs `requests`.
    let importable = Command::new("python3").args(["-c", "import requests"]).status().is_ok_and(|s| s.success());
    if !importable {
        assert!(
            !atlas_admin_testing::cassette::Mode::in_ci(),
            "python3 has no `requests` in CI; .ci/run should have installed it"
        );
        eprintln!("SKIPPED: python3 has no `requests` module (pip install requests)");
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config();
    let out = Command::new("python3")
        .args(["-c", PYTHON_CLIENT, &fake.base_url(), &c.group_id, &c.public_key, &c.private_key])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("python printed JSON");

    assert_eq!(v["create"][0], 200, "create answers 200, not 201: {v}");
    let created = &v["create"][1];
    assert_eq!(created["username"], "py+1@example.com");
    assert_eq!(created["roles"], json!(["GROUP_OWNER"]));
    assert_eq!(created["inviterUsername"], json!(c.public_key));
    assert_eq!(created["groupId"], json!(c.group_id));
    assert!(created.get("links").is_none());
    assert_eq!(v["list"], json!([200, [created]]), "the username filter survives %2B encoding");
    assert_eq!(v["delete"], json!([204, "", "application/vnd.atlas.2023-01-01+json;charset=utf-8"]));
    assert_eq!(v["after"], json!([200, []]));

    let counters = fake.counters();
    // requests reuses the nonce with nc=2,3,… after the first challenge: one challenge in all.
    assert_eq!(counters.challenges, 1, "{counters:?}");
    assert_eq!(counters.replays_rejected, 0);
    assert_eq!(counters.requests, 5);
    for op in ["createGroupInvite", "deleteGroupInvite"] {
        assert_eq!(counters.by_operation.get(op), Some(&1), "{op}");
    }
    assert_eq!(counters.by_operation.get("listGroupInvites"), Some(&2));
}

// ---------------------------------------------------------------------------------------------
// 3. OAuth
// ---------------------------------------------------------------------------------------------

#[test]
fn oauth_token_bearer_revoke_and_expiry() {
    if !have("curl") {
        return;
    }
    let fake =
        FakeAtlas::start_with(FakeConfig { token_expires_in: 1234, serve_past_sunset: true, ..FakeConfig::default() })
            .unwrap();
    let r = token_request(&fake, &fake.config().client_secret);
    assert_eq!(r.status, 200, "{r:?}");
    let t = r.json();
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 1234);
    let tok = t["access_token"].as_str().unwrap().to_owned();

    let r = bearer(&tok, "POST", &project_url(&fake), Some(ACCEPT), Some(&invite("sa@example.com")));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["inviterUsername"], json!(fake.config().client_id), "a service account is the inviter");
    let r = bearer(&tok, "GET", &project_url(&fake), Some(ACCEPT), None);
    assert_eq!((r.status, r.json().as_array().map(Vec::len)), (200, Some(1)));

    let user = format!("{}:{}", fake.config().client_id, fake.config().client_secret);
    let revoke = format!("{}/api/oauth/revoke", fake.base_url());
    let form = format!("token={tok}&token_type_hint=access_token");
    let r = curl(&["-u", &user, "-d", &form, &revoke]);
    assert_eq!(r.status, 200, "{r:?}");
    let r = bearer(&tok, "GET", &project_url(&fake), Some(ACCEPT), None);
    assert_eq!(r.status, 401, "a revoked token is refused: {r:?}");
    assert_eq!(r.json()["errorCode"], "UNEXPECTED_ERROR");

    let tok = token(&fake);
    assert_eq!(bearer(&tok, "GET", &project_url(&fake), Some(ACCEPT), None).status, 200);
    fake.expire_tokens();
    assert_eq!(bearer(&tok, "GET", &project_url(&fake), Some(ACCEPT), None).status, 401);

    let r = token_request(&fake, "wrong-secret");
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
    let r = curl(&["-u", "someone:else", "-d", &form, &revoke]);
    assert_eq!(r.status, 401);

    let c = fake.counters();
    assert_eq!((c.token_requests, c.revocations, c.auth_failures), (3, 1, 2), "{c:?}");
    assert_eq!(c.by_operation.get("createGroupInvite"), Some(&1));
    assert_eq!(c.by_operation.get("listGroupInvites"), Some(&2));
}

#[test]
fn oauth_token_rate_limit_answers_429_with_retry_after() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_with(FakeConfig { token_rate_limit_per_minute: 3, ..FakeConfig::default() }).unwrap();
    for i in 0..3 {
        let r = token_request(&fake, &fake.config().client_secret);
        assert_eq!(r.status, 200, "request {i}: {r:?}");
    }
    let r = token_request(&fake, &fake.config().client_secret);
    assert_eq!(r.status, 429, "{r:?}");
    let retry: u64 = r.header("retry-after").expect("Retry-After").parse().expect("integer seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(r.json()["errorCode"], "RATE_LIMITED");
    let c = fake.counters();
    assert_eq!((c.token_requests, c.token_rate_limited), (4, 1));
}

// ---------------------------------------------------------------------------------------------
// 4. and 5. Stale nonces and replays, with hand-signed headers
// ---------------------------------------------------------------------------------------------

#[test]
fn expired_nonce_gets_stale_true_and_wrong_password_does_not() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let uri = format!("/api/atlas/v2/groups/{}/invites?pretty=true", fake.config().group_id);
    let ch = fresh_challenge(&fake);
    let pw = fake.config().private_key.clone();
    assert_eq!(signed(&fake, &ch, &uri, 1, &pw).status, 200);

    fake.expire_nonces();
    let r = signed(&fake, &ch, &uri, 2, "wrong");
    assert_eq!(r.status, 401);
    assert!(!r.challenge().stale, "a wrong password is never stale");
    let r = signed(&fake, &ch, &uri, 2, &pw);
    assert_eq!(r.status, 401, "{r:?}");
    let renewed = r.challenge();
    assert!(renewed.stale);
    assert!(r.header("www-authenticate").unwrap().ends_with("stale=true"));
    assert_ne!(renewed.nonce, ch.nonce);
    assert_eq!(signed(&fake, &renewed, &uri, 1, &pw).status, 200, "the new nonce works");

    let c = fake.counters();
    assert_eq!((c.challenges, c.stale_challenges, c.auth_failures), (3, 1, 1), "{c:?}");
}

#[test]
fn nonce_lifetime_zero_makes_every_nonce_stale() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_with(FakeConfig { nonce_lifetime: Duration::ZERO, ..FakeConfig::default() }).unwrap();
    let uri = format!("/api/atlas/v2/orgs/{}/invites", fake.config().org_id);
    let ch = fresh_challenge(&fake);
    let r = signed(&fake, &ch, &uri, 1, &fake.config().private_key);
    assert_eq!(r.status, 401);
    assert!(r.challenge().stale);
    assert_eq!(fake.counters().stale_challenges, 1);
}

#[test]
fn replayed_nonce_count_is_rejected_but_out_of_order_counts_are_fine() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let uri = format!("/api/atlas/v2/groups/{}/invites", fake.config().group_id);
    let pw = fake.config().private_key.clone();
    let ch = fresh_challenge(&fake);
    assert_eq!(signed(&fake, &ch, &uri, 1, &pw).status, 200);
    let r = signed(&fake, &ch, &uri, 1, &pw);
    assert_eq!(r.status, 401, "replay: {r:?}");
    assert!(!r.challenge().stale);
    assert_eq!(signed(&fake, &ch, &uri, 5, &pw).status, 200);
    assert_eq!(signed(&fake, &ch, &uri, 3, &pw).status, 200, "out of order but unused");
    assert_eq!(signed(&fake, &ch, &uri, 5, &pw).status, 401);
    // The uri must be the request-target: a header signed for another path is refused.
    let other = format!("/api/atlas/v2/orgs/{}/invites", fake.config().org_id);
    let header = authorization(
        &ch,
        &ResponseInput {
            username: &fake.config().public_key,
            password: &pw,
            method: "GET",
            uri: &other,
            nc: 9,
            cnonce: "x",
        },
    );
    let r = curl(&["-H", &format!("Authorization: {header}"), "-H", ACCEPT, &format!("{}{uri}", fake.base_url())]);
    assert_eq!(r.status, 401);
    let c = fake.counters();
    assert_eq!((c.replays_rejected, c.auth_failures), (2, 1), "{c:?}");
    assert_eq!(c.by_operation.get("listGroupInvites"), Some(&3));
}

// ---------------------------------------------------------------------------------------------
// 6. Atlas behaviour: versions, envelope, errors, bodies, headers
// ---------------------------------------------------------------------------------------------

#[test]
fn accept_version_is_required_after_authentication() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let tok = token(&fake);
    let expected = json!({"detail": "Invalid accept header or version date.", "error": 406,
                          "errorCode": "INVALID_VERSION_DATE", "parameters": [], "reason": "Not Acceptable"});
    for accept in [None, Some("Accept: application/vnd.atlas.2024-08-05+json"), Some("Accept: application/json")] {
        let r = bearer(&tok, "GET", &project_url(&fake), accept, None);
        assert_eq!(r.status, 406, "{accept:?}: {r:?}");
        assert_eq!(r.json(), expected);
        assert_eq!(r.header("x-error-code"), Some("INVALID_VERSION_DATE"));
    }
    let r = bearer(
        &tok,
        "GET",
        &project_url(&fake),
        Some("Accept: application/json, application/vnd.atlas.2023-01-01+json"),
        None,
    );
    assert_eq!(r.status, 200, "one acceptable media range is enough");
    // Without credentials the answer is 401, not 406: authentication comes first.
    assert_eq!(curl(&[&project_url(&fake)]).status, 401);
}

#[test]
fn project_invitations_like_atlas() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let tok = token(&fake);
    let url = project_url(&fake);
    let call = |method: &str, url: &str, body: Option<&Value>| bearer(&tok, method, url, Some(ACCEPT), body);

    let r = call("POST", &url, Some(&invite("someone@example.com")));
    assert_eq!(r.status, 200);
    for (name, value) in [
        ("deprecation", "Wed, 4 Oct 2023 00:00:00 GMT"),
        ("sunset", "Thu, 1 Jul 2027 00:00:00 GMT"),
        ("ratelimit-limit", "1200"),
    ] {
        assert_eq!(r.header(name), Some(value), "{name}");
    }
    let remaining: u32 = r.header("ratelimit-remaining").unwrap().parse().unwrap();
    let inv = r.json();
    let keys: Vec<&str> = inv.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["createdAt", "expiresAt", "groupId", "groupName", "id", "inviterUsername", "roles", "username"]);
    let created = Timestamp::parse(inv["createdAt"].as_str().unwrap());
    let expires = Timestamp::parse(inv["expiresAt"].as_str().unwrap());
    assert_eq!(expires.unix_seconds().unwrap() - created.unix_seconds().unwrap(), 30 * 86_400);
    assert!(inv["createdAt"].as_str().unwrap().ends_with('Z') && inv["createdAt"].as_str().unwrap().len() == 20);
    let id = inv["id"].as_str().unwrap().to_owned();
    assert!(id.len() == 24 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));

    let r = call("POST", &url, Some(&invite("SOMEONE@example.com")));
    assert_eq!((r.status, r.json()["errorCode"].as_str()), (409, Some("INVITATION_ALREADY_EXISTS")));

    // Update by username (PATCH on the collection) and by id.
    let r = call("PATCH", &url, Some(&json!({"roles": ["GROUP_OWNER"], "username": "someone@example.com"})));
    assert_eq!((r.status, &r.json()["roles"]), (200, &json!(["GROUP_OWNER"])));
    let r = call("PATCH", &url, Some(&json!({"roles": ["GROUP_OWNER"], "username": "nobody@example.com"})));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["errorCode"], "RESOURCE_NOT_FOUND");
    assert_eq!(r.header("x-error-code"), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    let item = format!("{url}/{id}");
    let r = call("PATCH", &item, Some(&json!({"roles": ["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"]})));
    assert_eq!((r.status, &r.json()["roles"]), (200, &json!(["GROUP_CLUSTER_MANAGER", "GROUP_READ_ONLY"])));
    let r = call("GET", &item, None);
    assert_eq!((r.status, &r.json()["id"]), (200, &json!(id)));
    let r2: u32 = r.header("ratelimit-remaining").unwrap().parse().unwrap();
    assert!(r2 < remaining, "Ratelimit-Remaining counts down: {r2} vs {remaining}");

    // Envelope and pretty.
    let r = call("GET", &format!("{url}?envelope=true&pretty=true"), None);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("\n  "), "pretty-printed: {}", r.body);
    assert_eq!(r.json()["status"], 200);
    assert_eq!(r.json()["content"][0]["id"], json!(id));
    let r = call(
        "PATCH",
        &format!("{url}?envelope=true"),
        Some(&json!({"roles": ["GROUP_OWNER"], "username": "x@example.com"})),
    );
    assert_eq!(r.status, 200, "enveloped errors answer 200");
    assert_eq!(r.json()["status"], 404);
    assert_eq!(r.json()["content"]["errorCode"], "RESOURCE_NOT_FOUND");

    // Validation.
    for (body, field) in [
        (json!({"roles": ["GROUP_OWNER"], "username": "not-an-email"}), "username"),
        (json!({"username": "a@example.com"}), "roles"),
        (json!({"roles": ["ORG_OWNER"], "username": "a@example.com"}), "roles[0]"),
    ] {
        let r = call("POST", &url, Some(&body));
        assert_eq!(r.status, 400, "{body}");
        let e = r.json();
        assert_eq!(e["errorCode"], "VALIDATION_ERROR");
        assert_eq!(e["badRequestDetail"]["fields"][0]["field"], field, "{e}");
    }
    let r =
        curl(&["-H", &format!("Authorization: Bearer {tok}"), "-H", ACCEPT, "-H", CONTENT_TYPE, "-d", "{nope", &url]);
    assert_eq!((r.status, r.json()["errorCode"].as_str()), (400, Some("VALIDATION_ERROR")));

    // Ids.
    let bad = format!("{}/api/atlas/v2/groups/ABCDEF/invites", fake.base_url());
    let r = call("GET", &bad, None);
    assert_eq!((r.status, r.json()["errorCode"].as_str()), (400, Some("INVALID_ATTRIBUTE")));
    let other = format!("{}/api/atlas/v2/groups/{}/invites", fake.base_url(), "0123456789abcdef01234567");
    assert_eq!(call("GET", &other, None).status, 404);
    assert_eq!(call("GET", &format!("{url}/0123456789abcdef01234567"), None).status, 404);
    assert_eq!(call("GET", &format!("{url}/XYZ"), None).status, 400);
    let r = call("PUT", &url, Some(&invite("a@example.com")));
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, POST, PATCH")));
    let r = call("GET", &format!("{}/api/atlas/v2/noSuchResource", fake.base_url()), None);
    assert_eq!((r.status, r.json()["errorCode"].as_str()), (404, Some("RESOURCE_NOT_FOUND")));

    // Delete: 204 with no body, then gone; enveloped delete of a missing one.
    let r = call("DELETE", &item, None);
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    assert_eq!(r.header("content-type"), Some("application/vnd.atlas.2023-01-01+json;charset=utf-8"));
    let r = call("DELETE", &format!("{item}?envelope=true"), None);
    assert_eq!((r.status, r.json()["status"].as_u64()), (200, Some(404)));
    let r = call("POST", &format!("{url}?envelope=true"), Some(&invite("again@example.com")));
    let again = r.json()["content"]["id"].as_str().unwrap().to_owned();
    let r = call("DELETE", &format!("{url}/{again}?envelope=true"), None);
    assert_eq!((r.status, r.json()), (200, json!({"status": 204})));

    let c = fake.counters();
    assert_eq!(c.by_operation.get("deleteGroupInvite"), Some(&3));
    assert_eq!(c.by_operation.get("updateGroupInviteById"), Some(&1));
    assert_eq!(c.by_operation.get("updateGroupInvites"), Some(&3));
}

#[test]
fn org_invitations_flatten_assignments_and_keep_empty_lists() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let tok = token(&fake);
    let url = org_url(&fake);
    let call = |method: &str, url: &str, body: Option<&Value>| bearer(&tok, method, url, Some(ACCEPT), body);
    let g = fake.config().group_id.clone();

    let r = call("POST", &url, Some(&json!({"roles": ["ORG_MEMBER"], "username": "plain@example.com"})));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        (r.header("deprecation"), r.header("ratelimit-limit")),
        (Some("Wed, 19 Feb 2025 00:00:00 GMT"), Some("500"))
    );
    let plain = r.json();
    assert_eq!((&plain["groupRoleAssignments"], &plain["teamIds"]), (&json!([]), &json!([])));
    assert_eq!(plain["orgId"], json!(fake.config().org_id));
    assert_eq!(plain["orgName"], json!(fake.config().org_name));
    assert!(plain.get("links").is_none());

    let body = json!({"roles": ["ORG_MEMBER"], "username": "full@example.com", "teamIds": ["aaaaaaaaaaaaaaaaaaaaaaaa"],
                      "groupRoleAssignments": [{"groupId": g, "roles": ["GROUP_OWNER", "GROUP_READ_ONLY"]}]});
    let r = call("POST", &url, Some(&body));
    assert_eq!(r.status, 200);
    let full = r.json();
    assert_eq!(
        full["groupRoleAssignments"],
        json!([{"groupId": g, "groupRole": "GROUP_OWNER"}, {"groupId": g, "groupRole": "GROUP_READ_ONLY"}])
    );
    assert_eq!(full["teamIds"], json!(["aaaaaaaaaaaaaaaaaaaaaaaa"]));

    let r = call("POST", &url, Some(&json!({"roles": ["ORG_EMPEROR"], "username": "x@example.com"})));
    assert_eq!((r.status, &r.json()["badRequestDetail"]["fields"][0]["field"]), (400, &json!("roles[0]")));

    let r = call("GET", &format!("{url}?username=full%40example.com"), None);
    assert_eq!(r.json(), json!([full.clone()]));
    let r = call(
        "PATCH",
        &format!("{url}/{}", full["id"].as_str().unwrap()),
        Some(&json!({"roles": ["ORG_BILLING_ADMIN"], "teamIds": []})),
    );
    assert_eq!(r.status, 200);
    let updated = r.json();
    assert_eq!((&updated["roles"], &updated["teamIds"]), (&json!(["ORG_BILLING_ADMIN"]), &json!([])));
    assert_eq!(updated["groupRoleAssignments"], full["groupRoleAssignments"], "omitted fields are kept");
    let r = call("PATCH", &url, Some(&json!({"roles": ["ORG_OWNER"], "username": "plain@example.com"})));
    assert_eq!((r.status, &r.json()["roles"]), (200, &json!(["ORG_OWNER"])));
    let other = format!("{}/api/atlas/v2/orgs/0123456789abcdef01234567/invites", fake.base_url());
    assert_eq!(call("GET", &other, None).status, 404);
    assert_eq!(call("DELETE", &format!("{url}/{}", plain["id"].as_str().unwrap()), None).status, 204);
    assert_eq!(call("GET", &url, None).json().as_array().map(Vec::len), Some(1));
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

#[test]
fn faults_are_observable_in_fifo_order() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let tok = token(&fake);
    let url = project_url(&fake);
    let get = || bearer(&tok, "GET", &url, Some(ACCEPT), None);

    fake.inject(Fault::TooManyRequests { retry_after_secs: 7 }, 1);
    fake.inject(Fault::ServiceUnavailable { retry_after_secs: Some(3) }, 1);
    fake.inject(Fault::ServiceUnavailable { retry_after_secs: None }, 1);
    fake.inject(Fault::InvitationsRateLimited, 2);
    fake.inject(Fault::HtmlBadGateway, 1);

    let r = get();
    assert_eq!((r.status, r.header("retry-after")), (429, Some("7")));
    assert_eq!(r.json()["errorCode"], "RATE_LIMITED");
    assert_eq!(r.header("x-error-code"), Some("RATE_LIMITED"));
    let r = get();
    assert_eq!((r.status, r.header("retry-after")), (503, Some("3")));
    let r = get();
    assert_eq!((r.status, r.header("retry-after")), (503, None));
    for _ in 0..2 {
        let r = get();
        assert_eq!((r.status, r.json()["errorCode"].as_str()), (400, Some("INVITATIONS_RATE_LIMITED_IP")));
    }
    let r = get();
    assert_eq!((r.status, r.header("content-type")), (502, Some("text/html")));
    assert!(r.body.contains("<html>") && r.body.contains("502 Bad Gateway"));
    let r = get();
    assert_eq!((r.status, r.json()), (200, json!([])), "the queue is empty again");

    // Faults apply only after authentication: a 401 does not consume one.
    fake.inject(Fault::HtmlBadGateway, 1);
    assert_eq!(curl(&["-H", ACCEPT, &url]).status, 401);
    assert_eq!(get().status, 502);
}

#[test]
fn truncated_body_and_closed_connection_break_the_client() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let tok = token(&fake);
    let url = project_url(&fake);
    assert_eq!(bearer(&tok, "POST", &url, Some(ACCEPT), Some(&invite("t@example.com"))).status, 200);

    fake.inject(Fault::TruncatedBody, 1);
    let r = bearer(&tok, "GET", &url, Some(ACCEPT), None);
    assert_eq!(r.exit, 18, "curl: partial file: {r:?}");
    assert!(r.stderr.contains("(18)"), "{}", r.stderr);
    assert_eq!(r.status, 200);
    let promised: usize = r.header("content-length").unwrap().parse().unwrap();
    assert!(r.body.len() < promised, "{} bytes of {promised}", r.body.len());
    assert!(!r.body.is_empty(), "part of the body was sent");

    fake.inject(Fault::CloseConnection, 1);
    let r = bearer(&tok, "GET", &url, Some(ACCEPT), None);
    assert_eq!(r.exit, 52, "curl: empty reply: {r:?}");
    assert!(r.stderr.contains("Empty reply"), "{}", r.stderr);
    assert!(r.statuses.is_empty());

    // A closed connection does not apply the operation; the server keeps serving.
    fake.inject(Fault::CloseConnection, 1);
    let r = bearer(&tok, "POST", &url, Some(ACCEPT), Some(&invite("closed@example.com")));
    assert_eq!(r.exit, 52, "{r:?}");
    let r = bearer(&tok, "GET", &url, Some(ACCEPT), None);
    assert_eq!((r.exit, r.json().as_array().map(Vec::len)), (0, Some(1)));
    assert_eq!(fake.counters().by_operation.get("createGroupInvite"), Some(&2), "counted, though not applied");
}

#[test]
fn slow_fault_delays_at_least_its_duration() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let tok = token(&fake);
    let delay = Duration::from_millis(400);
    fake.inject(Fault::Slow(delay), 1);
    let started = Instant::now();
    let r = bearer(&tok, "GET", &project_url(&fake), Some(ACCEPT), None);
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    assert_eq!((r.status, r.json()), (200, json!([])));
}

#[test]
fn counters_reset_and_drop_stops_the_server() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    assert_eq!(curl(&[&format!("{}/nothing-here", fake.base_url())]).status, 404);
    let c = fake.counters();
    assert_eq!((c.requests, c.api_requests), (1, 0));
    fake.reset_counters();
    assert_eq!(fake.counters(), Default::default());
    let addr = fake.addr();
    assert_eq!(fake.base_url(), format!("http://127.0.0.1:{}", addr.port()));
    assert_eq!(fake.config().port, addr.port());
    // Dropping joins the server thread (so its runtime and sockets are gone). Probing the port
    // afterwards would race with parallel tests that reuse freed ephemeral ports.
    drop(fake);
}

#[test]
fn oversized_body_is_refused_with_413() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    let tok = token(&fake);
    let n = BODY_FILES.fetch_add(1, Ordering::Relaxed);
    let big = std::env::temp_dir().join(format!("fake-atlas-test-{}-{n}.big", std::process::id()));
    let over = usize::try_from(atlas_admin_testing::bounded::MAX_REQUEST_BODY_BYTES).unwrap() + 1;
    std::fs::write(&big, vec![b' '; over]).unwrap();
    let data = format!("@{}", big.display());
    let auth = format!("Authorization: Bearer {tok}");
    let r = curl(&["-H", &auth, "-H", ACCEPT, "-H", CONTENT_TYPE, "--data-binary", &data, &project_url(&fake)]);
    let _ = std::fs::remove_file(&big);
    assert_eq!(r.status, 413, "{r:?}");
    assert_eq!(fake.counters().by_operation.get("createGroupInvite"), None);
}

// ---------------------------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------------------------

/// Kills the child on every exit path.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `fake-atlas` binary started with `args`, and the eight `NAME=value` lines it printed.
fn start_binary(args: &[&str]) -> (Child, Vec<String>) {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_fake-atlas"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts"),
    );
    let stdout = child.0.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(stdout).lines().take(8).map(Result::unwrap).collect();
    (child, lines)
}

#[test]
fn binary_prints_exportable_settings_and_serves() {
    if !have("curl") {
        return;
    }
    let (_child, lines) = start_binary(&[
        "--port",
        "0",
        "--public-key",
        "binkey",
        "--private-key",
        "bin secret",
        "--seed-users",
        "3",
        "--serve-past-sunset",
    ]);
    let names: Vec<&str> = lines.iter().map(|l| l.split_once('=').unwrap().0).collect();
    assert_eq!(
        names,
        [
            "MONGODB_ATLAS_BASE_URL",
            "MONGODB_ATLAS_PUBLIC_API_KEY",
            "MONGODB_ATLAS_PRIVATE_API_KEY",
            "MONGODB_ATLAS_CLIENT_ID",
            "MONGODB_ATLAS_CLIENT_SECRET",
            "MONGODB_ATLAS_GROUP_ID",
            "MONGODB_ATLAS_ORG_ID",
            "MONGODB_ATLAS_TEAM_ID"
        ]
    );
    let value = |i: usize| lines[i].split_once('=').unwrap().1.to_owned();
    let base = value(0);
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"), "{base}");
    assert_eq!(value(1), "binkey");
    assert_eq!(value(2), "'bin secret'", "shell-quoted");
    let url = format!("{base}/api/atlas/v2/groups/{}/invites", value(5));
    let r = curl(&["--digest", "-u", "binkey:bin secret", "-H", ACCEPT, &url]);
    assert_eq!((r.status, r.body.as_str()), (200, "[]"), "{r:?}");
    let users = format!("{base}/api/atlas/v2/orgs/{}/users?itemsPerPage=2", value(6));
    let accept = "Accept: application/vnd.atlas.2025-02-19+json";
    let r = curl(&["--digest", "-u", "binkey:bin secret", "-H", accept, &users]);
    assert_eq!(r.status, 200, "{r:?}");
    let page = r.json();
    assert_eq!((page["totalCount"].clone(), page["results"].as_array().unwrap().len()), (json!(3), 2), "{page}");
    assert_eq!(page["results"][0]["username"], "user0@example.com");
    assert!(page["links"][1]["href"].as_str().unwrap().starts_with(&base), "an absolute next link: {page}");
}

/// `--seed-statuses` takes the statuses in turn, so the mix is the same on every run.
#[test]
fn binary_seeds_users_in_the_statuses_asked_for() {
    if !have("curl") {
        return;
    }
    let args = ["--port", "0", "--public-key", "k", "--private-key", "s", "--seed-users", "5"];
    let (_child, lines) =
        start_binary(&[&args[..], &["--seed-statuses", "PENDING,INVITATION_EXPIRED,ACTIVE"]].concat());
    let value = |i: usize| lines[i].split_once('=').unwrap().1.to_owned();
    let all = "orgMembershipStatuses=PENDING,ACTIVE,INVITATION_EXPIRED,INVITATION_REJECTED";
    let users = format!("{}/api/atlas/v2/orgs/{}/users?{all}&itemsPerPage=10", value(0), value(6));
    let r = curl(&["--digest", "-u", "k:s", "-H", "Accept: application/vnd.atlas.2025-02-19+json", &users]);
    assert_eq!(r.status, 200, "{r:?}");
    let page = r.json();
    let mut seen: Vec<(String, String)> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["username"].as_str().unwrap().to_owned(), u["orgMembershipStatus"].as_str().unwrap().to_owned()))
        .collect();
    seen.sort();
    let expected = ["PENDING", "INVITATION_EXPIRED", "ACTIVE", "PENDING", "INVITATION_EXPIRED"];
    let expected: Vec<(String, String)> =
        expected.iter().enumerate().map(|(i, s)| (format!("user{i}@example.com"), (*s).to_owned())).collect();
    assert_eq!(seen, expected, "{page}");
}

#[test]
fn counters_are_served_as_json_without_counting_themselves() {
    if !have("curl") {
        return;
    }
    let fake = FakeAtlas::start_day_independent();
    assert_eq!(curl(&[&format!("{}/nothing-here", fake.base_url())]).status, 404);
    let url = format!("{}{}", fake.base_url(), atlas_admin_testing::fake::COUNTERS_PATH);
    let first = curl(&[&url]);
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["requests"], json!(1));
    assert_eq!(curl(&[&url]).json(), fake.counters().to_json());
    assert_eq!(fake.counters().requests, 1);
}

/// Issue 14: `fake-atlas --help | true` panicked ("failed printing to stdout: Broken pipe",
/// exit status 101). Into a closed stdout (`--help`) or stderr (a usage error) it exits as it
/// would with its output read.
#[cfg(unix)]
#[test]
fn binary_exits_quietly_when_its_output_pipe_is_closed() {
    // A socket whose peer is closed before the binary starts: every write fails (EPIPE).
    let closed = || {
        let (reader, writer) = std::os::unix::net::UnixStream::pair().unwrap();
        drop(reader);
        Stdio::from(std::os::fd::OwnedFd::from(writer))
    };
    let run = |args: &[&str], stdout: Stdio, stderr: Stdio| {
        // Both end at once (help, usage error): no server is started.
        let out = Command::new(env!("CARGO_BIN_EXE_fake-atlas")).args(args).stdout(stdout).stderr(stderr).output();
        let out = out.expect("the binary runs");
        let text =
            format!("{args:?}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!text.contains("panicked"), "{text}");
        (out.status.code(), text)
    };
    let (code, text) = run(&["--help"], closed(), Stdio::piped());
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run(&["--bogus"], Stdio::piped(), closed());
    assert_eq!(code, Some(2), "{text}");
}

/// `fake-atlas --help` says what it serves, how to seed it and how its clock moves; each
/// claim is checked against the binary: any collection seeded from the command line (a
/// cluster, its snapshots as an array), a lifecycle moved on by the clock endpoint, a version
/// retired at its sunset on the fake's clock, a seeding error naming what is wrong.
#[cfg(feature = "fake-full")]
#[test]
fn binary_help_says_how_to_seed_and_what_it_serves_and_the_binary_does_it() {
    if !have("curl") {
        return;
    }
    let help = Command::new(env!("CARGO_BIN_EXE_fake-atlas")).arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let all = atlas_admin_core::catalog::all().count();
    for claim in [
        format!("What it serves: {all} operations"),
        "--seed-resource PATH=JSON".to_owned(),
        "--seed-cassette FILE".to_owned(),
        "--clock TIME".to_owned(),
        "POST /__fake/clock?advance=SECONDS".to_owned(),
        "then IDLE".to_owned(),
        "410 VERSION_GONE".to_owned(),
    ] {
        assert!(help.contains(&claim), "the help says {claim:?}:\n{help}");
    }

    let cluster = r#"/api/atlas/v2/groups/GROUP/clusters={"name":"c0","clusterType":"REPLICASET"}"#;
    let snapshots =
        r#"/api/atlas/v2/groups/GROUP/clusters/c0/backup/snapshots=[{"description":"a"},{"description":"b"}]"#;
    let args = ["--public-key", "k", "--private-key", "s", "--settle-secs", "60", "--clock", "2027-06-30T23:59:00Z"];
    let (_child, lines) =
        start_binary(&[&args[..], &["--seed-resource", cluster, "--seed-resource", snapshots]].concat());
    let value = |i: usize| lines[i].split_once('=').unwrap().1.to_owned();
    let (base, group) = (value(0), value(5));
    let accept = |op: &str| {
        let e = atlas_admin_core::catalog::find(op).unwrap();
        format!("Accept: {}", e.default_version().media_type())
    };
    let get = |op: &str, path: &str| curl(&["--digest", "-u", "k:s", "-H", &accept(op), &format!("{base}{path}")]);
    let clusters = format!("/api/atlas/v2/groups/{group}/clusters");
    let r = get("getGroupCluster", &format!("{clusters}/c0"));
    assert_eq!((r.status, r.json()["stateName"].clone()), (200, json!("CREATING")), "{r:?}");
    let r = get("listGroupClusterBackupSnapshots", &format!("{clusters}/c0/backup/snapshots"));
    assert_eq!((r.status, r.json()["totalCount"].clone()), (200, json!(2)), "{r:?}");
    let invites = format!("/api/atlas/v2/groups/{group}/invites");
    assert_eq!(get("listGroupInvites", &invites).status, 200, "before the sunset");

    // The clock: read, advanced past the settle time and the invitations' sunset.
    let clock = format!("{base}{}", atlas_admin_testing::fake::CLOCK_PATH);
    assert_eq!(curl(&[&clock]).json(), json!({"now": "2027-06-30T23:59:00Z"}));
    let moved = curl(&["-X", "POST", &format!("{clock}?advance=60")]);
    assert_eq!((moved.status, moved.json()), (200, json!({"now": "2027-07-01T00:00:00Z"})), "{moved:?}");
    assert_eq!(get("getGroupCluster", &format!("{clusters}/c0")).json()["stateName"], "IDLE");
    let gone = get("listGroupInvites", &invites);
    assert_eq!((gone.status, gone.json()["errorCode"].clone()), (410, json!("VERSION_GONE")), "{gone:?}");
    assert_eq!(curl(&["-X", "POST", &format!("{clock}?advance=soon")]).status, 400);
    let set = curl(&["-X", "POST", &format!("{clock}?set=2026-01-01T00:00:00Z")]);
    assert_eq!(set.json(), json!({"now": "2026-01-01T00:00:00Z"}));
    assert_eq!(get("listGroupInvites", &invites).status, 200, "the clock set back");
    // A step past what the clock can write is refused; the clock still moves afterwards.
    let huge = curl(&["-X", "POST", &format!("{clock}?advance={}", u64::MAX)]);
    assert_eq!((huge.status, huge.json()["errorCode"].clone()), (400, json!("INVALID_QUERY_PARAMETER")), "{huge:?}");
    let moved = curl(&["-X", "POST", &format!("{clock}?advance=60")]);
    assert_eq!(moved.json(), json!({"now": "2026-01-01T00:01:00Z"}));
}

/// A seeding error exits with status 2 and says what is wrong, in the binary's words.
#[cfg(feature = "fake-full")]
#[test]
fn binary_seeding_errors_name_the_flag_and_the_cause() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_fake-atlas")).args(args).output().expect("the binary runs");
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let orphan = r#"/api/atlas/v2/groups/aaaaaaaaaaaaaaaaaaaaaaaa/clusters={"name":"c0"}"#;
    for (args, says) in [
        (vec!["--seed-resource", orphan], "no resource with groupId aaaaaaaaaaaaaaaaaaaaaaaa exists: seed it first"),
        (vec!["--seed-resource", "/api/atlas/v2/nowhere={}"], "is not a collection of this build's catalog"),
        (
            vec!["--seed-resource", r#"/api/atlas/v2/groups/GROUP/databaseUsers={"databaseName":"admin"}"#],
            "body field username",
        ),
        (vec!["--seed-resource", "/api/atlas/v2/groups/GROUP/clusters=[1]"], "must serialize to a JSON object"),
        (vec!["--seed-cassette", "/nonexistent/cassette.json"], "--seed-cassette /nonexistent/cassette.json"),
        (vec!["--clock", "next week"], "--clock: \"next week\" is not an RFC 3339 time"),
        (
            vec![
                "--settle-secs",
                "18446744073709551615",
                "--seed-resource",
                r#"/api/atlas/v2/groups/GROUP/clusters={"name":"c0"}"#,
            ],
            "--settle-secs: 18446744073709551615 is more than the cap",
        ),
    ] {
        let (code, stderr) = run(&args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?} says {says:?}: {stderr}");
    }
}

/// `--seed-cassette` puts what a recorded cassette holds (here a cluster and a database user
/// created through `catalog::call`) in the binary's fake.
#[cfg(feature = "fake-full")]
#[test]
fn binary_seeds_a_cassette_of_any_operation() {
    use atlas_admin_core::{Config, Execute, catalog};
    use atlas_admin_testing::cassette::{Auth, Recording, loopback_send};
    if !have("curl") {
        return;
    }
    let recorded = FakeAtlas::start_with(FakeConfig::recognisable()).unwrap();
    let (session, recorder) = recorded.recording_parts(Auth::ApiKey, Config::default()).unwrap();
    let client = Recording::new(session, recorder, loopback_send).virtual_time();
    let g = recorded.config().group_id.clone();
    let create = |op: &str, body: Value| catalog::call(op).unwrap().param("groupId", &g).unwrap().json(&body).unwrap();
    client.execute(&create("createGroupCluster", json!({"name": "c7", "clusterType": "REPLICASET"}))).unwrap();
    client.execute(&create("createGroupDatabaseUser", json!({"databaseName": "admin", "username": "ada", "roles": [{"databaseName": "admin", "roleName": "read"}]}))).unwrap();
    let n = BODY_FILES.fetch_add(1, Ordering::Relaxed);
    let file = std::env::temp_dir().join(format!("fake-atlas-test-{}-{n}.cassette.json", std::process::id()));
    client.recorder().save(&file).unwrap();
    drop(recorded);

    let file_arg = file.to_string_lossy().into_owned();
    let (_child, lines) = start_binary(&["--public-key", "k", "--private-key", "s", "--seed-cassette", &file_arg]);
    let value = |i: usize| lines[i].split_once('=').unwrap().1.to_owned();
    assert_eq!(value(5), g, "the binary's demo project is the recording's");
    let user = catalog::find("getGroupDatabaseUser").unwrap().default_version().media_type();
    let url = format!("{}/api/atlas/v2/groups/{g}/databaseUsers/admin/ada", value(0));
    let r = curl(&["--digest", "-u", "k:s", "-H", &format!("Accept: {user}"), &url]);
    assert_eq!((r.status, r.json()["username"].clone()), (200, json!("ada")), "{r:?}");
    let cluster = catalog::find("getGroupCluster").unwrap().default_version().media_type();
    let url = format!("{}/api/atlas/v2/groups/{g}/clusters/c7", value(0));
    let r = curl(&["--digest", "-u", "k:s", "-H", &format!("Accept: {cluster}"), &url]);
    assert_eq!((r.status, r.json()["name"].clone()), (200, json!("c7")), "{r:?}");
    std::fs::remove_file(file).unwrap();
}
