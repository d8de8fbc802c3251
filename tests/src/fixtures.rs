//! Recorded Atlas responses and example bodies, embedded in the crate (no file is read at run
//! time, so they work from crates.io as from this repository).
//!
//! - `responses/<name>.http`: raw HTTP/1.1 responses (status line, headers, body), as Atlas sent
//!   them or as its documentation shows them, loaded with a real parser (httparse) into
//!   `http::Response<Vec<u8>>` as a transport hands them to the core: [`load`], [`response`],
//!   [`raw`], [`names`].
//! - `seed/<file>`: the documentation page's example bodies, byte for byte: [`seed`].
//! - `spec/<name>-openapi-extract.json`: verbatim extracts of Atlas's OpenAPI description (the
//!   invitations and the Cloud Users API): [`file()`].
//! - `golden/`: Digest `Authorization` headers computed independently (Python `hashlib`): [`file()`].
//!
//! ```
//! use atlas_admin_testing::fixtures;
//!
//! let challenge = fixtures::response("digest_401_challenge");
//! assert_eq!(challenge.status(), 401);
//! assert!(fixtures::names().contains(&"list_group_invites_200"));
//! ```
//!
//! In the repository the response files are written by `tests/fixtures/regen.py`.

/// Why a fixture could not be loaded.
#[derive(Debug)]
#[non_exhaustive]
pub enum FixtureError {
    /// No embedded fixture has this name (see [`names`]).
    Missing(String),
    /// The bytes are not an HTTP/1.1 response head.
    Parse(String),
}

impl std::fmt::Display for FixtureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixtureError::Missing(name) => write!(f, "no fixture named {name}"),
            FixtureError::Parse(e) => write!(f, "not an HTTP response: {e}"),
        }
    }
}

impl std::error::Error for FixtureError {}

/// A parsed fixture: the response and whether its body was shorter than `Content-Length`.
#[derive(Debug)]
pub struct Recorded {
    /// The response as a transport would deliver it (headers and all received body bytes).
    pub response: http::Response<Vec<u8>>,
    /// `Content-Length` announced more bytes than arrived (a truncated body).
    pub truncated: bool,
}

/// `(path under tests/fixtures, bytes)` for each listed file, in the order listed.
macro_rules! embed {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_bytes!(concat!("../fixtures/", $path)) as &[u8])),*]
    };
}

/// Every embedded file, sorted by path. An explicit list rather than a build script, so the core's
/// tests can compile this module in too (`core/tests/support`); `tests/tests/fixtures.rs` checks
/// that it names exactly the files in `fixtures/{golden,responses,seed,spec}/`.
static FILES: &[(&str, &[u8])] = embed![
    "golden/authorization_nc1.txt",
    "golden/authorization_nc2.txt",
    "golden/cnonce_1.txt",
    "responses/cloud_users_create_org_user_201.http",
    "responses/cloud_users_list_group_users_200.http",
    "responses/cloud_users_list_org_users_200.http",
    "responses/cloud_users_list_org_users_200_next_link.http",
    "responses/cloud_users_list_team_users_200.http",
    "responses/cloud_users_list_team_users_200_legacy_2023.http",
    "responses/create_group_invite_200.http",
    "responses/create_org_invite_200.http",
    "responses/delete_group_invite_204.http",
    "responses/delete_org_invite_204.http",
    "responses/digest_401_auth_int_only.http",
    "responses/digest_401_basic_only.http",
    "responses/digest_401_challenge.http",
    "responses/digest_401_missing_nonce.http",
    "responses/digest_401_sha512_256.http",
    "responses/digest_401_stale.http",
    "responses/envelope_delete_group_invite_204.http",
    "responses/envelope_error_404.http",
    "responses/envelope_error_429.http",
    "responses/envelope_list_group_invites_200.http",
    "responses/envelope_update_group_invites_200.http",
    "responses/error_400_bad_request_detail.http",
    "responses/error_400_invitations_rate_limited.http",
    "responses/error_404_update_unknown_username.http",
    "responses/error_406_invalid_version.http",
    "responses/error_409_conflict.http",
    "responses/error_410_version_gone.http",
    "responses/error_429_rate_limited.http",
    "responses/error_429_retry_after_10_hours.http",
    "responses/error_429_retry_after_date.http",
    "responses/error_503_retry_after.http",
    "responses/get_group_invite_200.http",
    "responses/get_org_invite_200.http",
    "responses/id_off_pattern_200.http",
    "responses/list_group_invites_200.http",
    "responses/list_group_invites_200_empty.http",
    "responses/list_org_invites_200.http",
    "responses/malformed_empty_200.http",
    "responses/malformed_error_not_json_500.http",
    "responses/malformed_html_200_login_page.http",
    "responses/malformed_html_502.http",
    "responses/malformed_truncated_json_200.http",
    "responses/malformed_wrong_shape_200.http",
    "responses/oauth_token_200.http",
    "responses/oauth_token_200_no_access_token.http",
    "responses/oauth_token_401.http",
    "responses/oauth_token_429.http",
    "responses/redirect_302.http",
    "responses/seed_error_400.http",
    "responses/seed_error_401.http",
    "responses/seed_error_403.http",
    "responses/seed_error_404.http",
    "responses/seed_error_500.http",
    "responses/update_group_invite_by_id_200.http",
    "responses/update_group_invites_200_seed.http",
    "responses/update_org_invite_by_id_200.http",
    "responses/update_org_invites_200.http",
    "seed/error-400.json",
    "seed/error-401.json",
    "seed/error-403.json",
    "seed/error-404.json",
    "seed/error-500.json",
    "seed/request-body.json",
    "seed/response-200.json",
    "spec/cloud-users-openapi-extract.json",
    "spec/invitations-openapi-extract.json",
];

/// Every embedded file as `(path, bytes)`, sorted by path, e.g.
/// `("responses/digest_401_challenge.http", b"HTTP/1.1 401 ...")`.
pub fn files() -> &'static [(&'static str, &'static [u8])] {
    FILES
}

/// The bytes of the embedded file at `path` (relative to `tests/fixtures/`, e.g.
/// `"spec/cloud-users-openapi-extract.json"`), or `None`.
pub fn file(path: &str) -> Option<&'static [u8]> {
    let i = FILES.binary_search_by(|(p, _)| (*p).cmp(path)).ok()?;
    FILES.get(i).map(|(_, bytes)| *bytes)
}

/// The raw bytes of `responses/<name>.http`.
pub fn raw(name: &str) -> Result<&'static [u8], FixtureError> {
    file(&format!("responses/{name}.http")).ok_or_else(|| FixtureError::Missing(name.to_owned()))
}

/// The names of every response fixture (`responses/<name>.http`), sorted.
pub fn names() -> Vec<&'static str> {
    FILES.iter().filter_map(|(p, _)| p.strip_prefix("responses/")?.strip_suffix(".http")).collect()
}

/// Parses raw response bytes (status line, headers, body) with httparse.
pub fn parse(bytes: &[u8]) -> Result<Recorded, FixtureError> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut head = httparse::Response::new(&mut headers);
    let status = head.parse(bytes).map_err(|e| FixtureError::Parse(e.to_string()))?;
    let httparse::Status::Complete(head_len) = status else {
        return Err(FixtureError::Parse("incomplete response head".into()));
    };
    let code = head.code.ok_or_else(|| FixtureError::Parse("no status code".into()))?;
    let mut builder = http::Response::builder().status(code).version(http::Version::HTTP_11);
    let mut declared = None;
    for h in head.headers.iter() {
        if h.name.eq_ignore_ascii_case("content-length") {
            declared = std::str::from_utf8(h.value).ok().and_then(|v| v.trim().parse::<usize>().ok());
        }
        builder = builder.header(h.name, h.value);
    }
    let body = bytes.get(head_len..).unwrap_or_default().to_vec();
    let truncated = declared.is_some_and(|n| body.len() < n);
    let body = match declared {
        Some(n) if body.len() > n => body.get(..n).unwrap_or_default().to_vec(),
        _ => body,
    };
    let response = builder.body(body).map_err(|e| FixtureError::Parse(e.to_string()))?;
    Ok(Recorded { response, truncated })
}

/// Loads `responses/<name>.http`.
pub fn load(name: &str) -> Result<Recorded, FixtureError> {
    parse(raw(name)?)
}

/// Loads `responses/<name>.http` and returns just the response; panics with the fixture name
/// if it is missing or malformed (test helper).
pub fn response(name: &str) -> http::Response<Vec<u8>> {
    match load(name) {
        Ok(r) => r.response,
        Err(e) => panic!("fixture {name}: {e}"),
    }
}

/// The bytes of a seed example body (`seed/<name>`), e.g. `request-body.json`; panics with the
/// name if there is none (test helper).
pub fn seed(name: &str) -> &'static [u8] {
    match file(&format!("seed/{name}")) {
        Some(b) => b,
        None => panic!("no seed file named {name}"),
    }
}

/// Test-only TLS material (`tests/fixtures/tls/`, see its README): a CA and a server
/// certificate it signed for `127.0.0.1` and `localhost`, served by the canned server's `Tls`
/// (feature `suites`). Never use it outside tests.
pub mod tls {
    /// The test CA certificate (PEM): what a client passes to `ca_pem` to trust the server.
    pub const CA_PEM: &[u8] = include_bytes!("../fixtures/tls/test-ca.pem");
    /// The server certificate (PEM), signed by [`CA_PEM`].
    pub const SERVER_CERT_PEM: &[u8] = include_bytes!("../fixtures/tls/localhost.pem");
    /// The server's PKCS#8 private key (PEM).
    pub const SERVER_KEY_PEM: &[u8] = include_bytes!("../fixtures/tls/localhost.key");
}
