//! Recorded raw HTTP/1.1 responses (`testing/fixtures/responses/*.http`), loaded with a real
//! parser (httparse) into `http::Response<Vec<u8>>`, as a transport would hand them to the core.
//!
//! The files are written by `testing/fixtures/regen.py`; the seed page's example bodies are kept
//! byte for byte in `testing/fixtures/seed/`.

use std::path::PathBuf;

/// Why a fixture could not be loaded.
#[derive(Debug)]
pub enum FixtureError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The bytes are not an HTTP/1.1 response head.
    Parse(String),
}

impl std::fmt::Display for FixtureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixtureError::Io(e) => write!(f, "cannot read fixture: {e}"),
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

/// The folder holding the fixtures.
pub fn dir() -> PathBuf {
    // Also compiled into the core's tests (core/tests/support): the path works from both crates.
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testing/fixtures"))
}

/// The raw bytes of `responses/<name>.http`.
pub fn raw(name: &str) -> Result<Vec<u8>, FixtureError> {
    std::fs::read(dir().join("responses").join(format!("{name}.http"))).map_err(FixtureError::Io)
}

/// The names of every response fixture, sorted.
pub fn names() -> Result<Vec<String>, FixtureError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir().join("responses")).map_err(FixtureError::Io)? {
        let path = entry.map_err(FixtureError::Io)?.path();
        if path.extension().is_some_and(|e| e == "http") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                out.push(stem.to_owned());
            }
        }
    }
    out.sort();
    Ok(out)
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
    parse(&raw(name)?)
}

/// Loads `responses/<name>.http` and returns just the response; panics with the fixture name
/// if it is missing or malformed (test helper).
pub fn response(name: &str) -> http::Response<Vec<u8>> {
    match load(name) {
        Ok(r) => r.response,
        Err(e) => panic!("fixture {name}: {e}"),
    }
}

/// The bytes of a seed example body (`seed/<file>`), e.g. `request-body.json`.
pub fn seed(file: &str) -> Vec<u8> {
    match std::fs::read(dir().join("seed").join(file)) {
        Ok(b) => b,
        Err(e) => panic!("seed {file}: {e}"),
    }
}

/// Test-only TLS material (`testing/fixtures/tls/`, see its README): a CA and a server
/// certificate it signed for `127.0.0.1` and `localhost`, served by
/// [`canned::Tls`](crate::canned::Tls). Never use it outside tests.
pub mod tls {
    /// The test CA certificate (PEM): what a client passes to `ca_pem` to trust the server.
    pub const CA_PEM: &[u8] = include_bytes!("../fixtures/tls/test-ca.pem");
    /// The server certificate (PEM), signed by [`CA_PEM`].
    pub const SERVER_CERT_PEM: &[u8] = include_bytes!("../fixtures/tls/localhost.pem");
    /// The server's PKCS#8 private key (PEM).
    pub const SERVER_KEY_PEM: &[u8] = include_bytes!("../fixtures/tls/localhost.key");
}
