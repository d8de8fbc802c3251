//! The cassette's data model and its JSON form (see the module docs for a sample).

use atlas_admin_core::{Credentials, Purpose, Sanitized, TransportError, TransportErrorKind};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

/// The format version this crate writes and reads.
pub const VERSION: u64 = 1;

/// How the recorded session authenticated; replay signs with dummy credentials of that kind so
/// the core's auth state machine runs as it did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// API key (HTTP Digest): the cassette holds the 401 challenges.
    ApiKey,
    /// Service account (OAuth client credentials): the cassette holds the token exchanges.
    ServiceAccount,
    /// No credentials (or a bearer token given by hand).
    None,
}

impl Auth {
    /// The kind of `credentials` (a hand-given bearer token is [`Auth::None`]: nothing to replay).
    pub fn of(credentials: &Credentials) -> Auth {
        match credentials {
            Credentials::ApiKey { .. } => Auth::ApiKey,
            Credentials::ServiceAccount { .. } => Auth::ServiceAccount,
            _ => Auth::None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Auth::ApiKey => "api_key",
            Auth::ServiceAccount => "service_account",
            Auth::None => "none",
        }
    }
}

/// A request or response body: JSON kept as JSON (compared by meaning), anything else as text.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// No body.
    Empty,
    /// A JSON document.
    Json(Value),
    /// Any other body, as text (bytes that are not UTF-8 are replaced, lossily).
    Text(String),
}

impl Body {
    /// Reads bytes: empty, JSON if they parse as JSON, else text.
    pub fn from_bytes(bytes: &[u8]) -> Body {
        if bytes.is_empty() {
            return Body::Empty;
        }
        match serde_json::from_slice(bytes) {
            Ok(v) => Body::Json(v),
            Err(_) => Body::Text(String::from_utf8_lossy(bytes).into_owned()),
        }
    }

    /// The bytes to hand back on replay (JSON compact).
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Body::Empty => Vec::new(),
            Body::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            Body::Text(s) => s.clone().into_bytes(),
        }
    }

    fn write(&self, into: &mut Map<String, Value>) {
        match self {
            Body::Empty => {}
            Body::Json(v) => {
                into.insert("body".into(), v.clone());
            }
            Body::Text(s) => {
                into.insert("body_text".into(), Value::String(s.clone()));
            }
        }
    }

    fn read(from: &Map<String, Value>) -> Body {
        match (from.get("body"), from.get("body_text")) {
            (Some(v), _) => Body::Json(v.clone()),
            (None, Some(Value::String(s))) => Body::Text(s.clone()),
            _ => Body::Empty,
        }
    }
}

/// What was sent, in the terms replay matches on.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    /// `GET`, `POST`...
    pub method: String,
    /// The path, without host or query.
    pub path: String,
    /// The query pairs, sorted (Atlas reorders them in `next` links).
    pub query: Vec<(String, String)>,
    /// The API version named in `Accept` (`2023-01-01`), if any.
    pub api_version: Option<String>,
    /// The body.
    pub body: Body,
}

impl RecordedRequest {
    /// The matching key of a request the core hands out (its headers other than `Accept` are
    /// not part of it: `Authorization` differs on every replay).
    pub fn of(request: &http::Request<Vec<u8>>) -> RecordedRequest {
        let mut query: Vec<(String, String)> =
            form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        query.sort();
        let api_version = request
            .headers()
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .and_then(|accept| accept.split(',').find_map(api_version_of))
            .map(str::to_owned);
        RecordedRequest {
            method: request.method().as_str().to_owned(),
            path: request.uri().path().to_owned(),
            query,
            api_version,
            body: Body::from_bytes(request.body()),
        }
    }

    /// Field-by-field differences from `other` (`field: this != other`), empty when they match.
    pub fn diff(&self, other: &RecordedRequest) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{name}: {a} != recorded {b}"));
            }
        };
        field("method", self.method.clone(), other.method.clone());
        field("path", self.path.clone(), other.path.clone());
        field("query", format!("{:?}", self.query), format!("{:?}", other.query));
        field("api_version", format!("{:?}", self.api_version), format!("{:?}", other.api_version));
        if self.body != other.body {
            match (&self.body, &other.body) {
                (Body::Json(a), Body::Json(b)) => json_diff("body", a, b, &mut out),
                (a, b) => out.push(format!("body: {a:?} != recorded {b:?}")),
            }
        }
        out
    }

    fn to_json(&self) -> Value {
        let query: Vec<Value> = self.query.iter().map(|(k, v)| json!([k, v])).collect();
        let mut m = Map::new();
        m.insert("method".into(), json!(self.method));
        m.insert("path".into(), json!(self.path));
        m.insert("query".into(), Value::Array(query));
        if let Some(v) = &self.api_version {
            m.insert("api_version".into(), json!(v));
        }
        self.body.write(&mut m);
        Value::Object(m)
    }

    fn from_json(v: &Value, at: &str) -> Result<RecordedRequest, FormatError> {
        let m = object(v, at)?;
        let mut query = Vec::new();
        for pair in m.get("query").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
            match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(k), Value::String(v)]) => query.push((k.clone(), v.clone())),
                _ => return Err(FormatError::new(format!("{at}.query: each pair is [name, value]"))),
            }
        }
        query.sort();
        Ok(RecordedRequest {
            method: string(m, "method", at)?.to_ascii_uppercase(),
            path: string(m, "path", at)?,
            query,
            api_version: m.get("api_version").and_then(Value::as_str).map(str::to_owned),
            body: Body::read(m),
        })
    }
}

impl fmt::Display for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A cassette file is input: its text is printed escaped, never raw on a terminal.
        write!(f, "{} {}", Sanitized(&self.method), Sanitized(&self.path))?;
        for (i, (k, v)) in self.query.iter().enumerate() {
            write!(f, "{}{}={}", if i == 0 { '?' } else { '&' }, Sanitized(k), Sanitized(v))?;
        }
        if let Some(v) = &self.api_version {
            write!(f, " (API {})", Sanitized(v))?;
        }
        Ok(())
    }
}

/// `2023-01-01` from `application/vnd.atlas.2023-01-01+json`.
fn api_version_of(media_type: &str) -> Option<&str> {
    let rest = media_type.trim().strip_prefix("application/vnd.atlas.")?;
    Some(rest.split('+').next().unwrap_or(rest))
}

/// Differences between two JSON values, by path (`body.roles[1]`).
fn json_diff(at: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => json_diff(&format!("{at}.{k}"), p, q, out),
                    (Some(p), None) => out.push(format!("{at}.{k}: {p} != recorded (absent)")),
                    (None, Some(q)) => out.push(format!("{at}.{k}: (absent) != recorded {q}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                json_diff(&format!("{at}[{i}]"), p, q, out);
            }
        }
        _ if a != b => out.push(format!("{at}: {a} != recorded {b}")),
        _ => {}
    }
}

/// What came back: status, the kept headers (names lower-case) and the body.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedResponse {
    /// The status code.
    pub status: u16,
    /// Kept headers by lower-case name (repeated ones joined with `, `).
    pub headers: BTreeMap<String, String>,
    /// The body.
    pub body: Body,
}

impl RecordedResponse {
    /// The response to hand the core on replay.
    pub fn to_http(&self) -> Result<http::Response<Vec<u8>>, String> {
        let mut b = http::Response::builder().status(self.status);
        for (name, value) in &self.headers {
            b = b.header(name.as_str(), value.as_str());
        }
        b.body(self.body.to_bytes()).map_err(|e| e.to_string())
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("status".into(), json!(self.status));
        let headers: Map<String, Value> = self.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        m.insert("headers".into(), Value::Object(headers));
        self.body.write(&mut m);
        Value::Object(m)
    }

    fn from_json(v: &Value, at: &str) -> Result<RecordedResponse, FormatError> {
        let m = object(v, at)?;
        let status = m
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .ok_or_else(|| FormatError::new(format!("{at}.status: a number is required")))?;
        let mut headers = BTreeMap::new();
        if let Some(Value::Object(h)) = m.get("headers") {
            for (k, v) in h {
                let v = v.as_str().ok_or_else(|| FormatError::new(format!("{at}.headers.{k}: a string")))?;
                headers.insert(k.to_ascii_lowercase(), v.to_owned());
            }
        }
        Ok(RecordedResponse { status, headers, body: Body::read(m) })
    }
}

/// A transport failure in place of a response: its kind (which decides the core's retry) and
/// its message, scrubbed. Written as `"error": {"kind": "io", "message": "..."}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedError {
    /// How the exchange failed.
    pub kind: TransportErrorKind,
    /// What the transport said.
    pub message: String,
}

/// Each kind's name in a cassette.
const KINDS: [(TransportErrorKind, &str); 8] = [
    (TransportErrorKind::Connect, "connect"),
    (TransportErrorKind::Timeout, "timeout"),
    (TransportErrorKind::Io, "io"),
    (TransportErrorKind::BodyTooLarge, "body_too_large"),
    (TransportErrorKind::HeadersTooLarge, "headers_too_large"),
    (TransportErrorKind::Refused, "refused"),
    (TransportErrorKind::NoRuntime, "no_runtime"),
    (TransportErrorKind::Other, "other"),
];

impl RecordedError {
    /// The failure as recorded.
    pub fn of(error: &TransportError) -> RecordedError {
        RecordedError { kind: error.kind, message: error.message.clone() }
    }

    /// The same failure, to hand the core on replay.
    pub fn to_transport_error(&self) -> TransportError {
        TransportError::new(self.kind, self.message.clone())
    }

    fn to_json(&self) -> Value {
        let kind = KINDS.iter().find(|(k, _)| *k == self.kind).map_or("other", |(_, name)| name);
        json!({"kind": kind, "message": self.message})
    }

    fn from_json(v: &Value, at: &str) -> Result<RecordedError, FormatError> {
        let m = object(v, at)?;
        let name = string(m, "kind", at)?;
        let kind = KINDS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| *k)
            .ok_or_else(|| FormatError::new(format!("{at}.kind: unknown transport failure {name:?}")))?;
        Ok(RecordedError { kind, message: m.get("message").and_then(Value::as_str).unwrap_or_default().to_owned() })
    }
}

/// One exchange: what it was for, the waits the core asked just before it, the request and
/// the response (or the transport failure).
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// The operationId it served.
    pub operation: String,
    /// What the request was for (operation attempt, Digest probe, token fetch, revocation).
    pub purpose: Purpose,
    /// Waits (`Retry-After`, backoff) the core asked for since the previous exchange.
    pub waits_before: Vec<Duration>,
    /// The request, scrubbed.
    pub request: RecordedRequest,
    /// The response, scrubbed; or how the transport failed (replayed as the same
    /// [`TransportError`] kind, so the core's retry decision replays too).
    pub response: Result<RecordedResponse, RecordedError>,
}

impl Interaction {
    /// The recorded response, unless the exchange failed in transport.
    pub fn ok(&self) -> Option<&RecordedResponse> {
        self.response.as_ref().ok()
    }

    /// What to hand the core on replay: the response, or the transport failure.
    pub fn replay(&self) -> Result<http::Response<Vec<u8>>, TransportError> {
        match &self.response {
            Ok(r) => r
                .to_http()
                .map_err(|e| TransportError::new(TransportErrorKind::Other, format!("bad recorded response: {e}"))),
            Err(e) => Err(e.to_transport_error()),
        }
    }
}

/// What an exchange is for, without its attempt number: what replay matches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PurposeKind {
    Api,
    DigestProbe,
    TokenFetch,
    Revoke,
}

impl PurposeKind {
    pub(crate) fn of(purpose: Purpose) -> PurposeKind {
        match purpose {
            Purpose::Api { .. } => PurposeKind::Api,
            Purpose::DigestProbe { .. } => PurposeKind::DigestProbe,
            Purpose::TokenFetch { .. } => PurposeKind::TokenFetch,
            _ => PurposeKind::Revoke,
        }
    }

    /// Every kind, for reading a name back.
    const ALL: [PurposeKind; 4] =
        [PurposeKind::Api, PurposeKind::DigestProbe, PurposeKind::TokenFetch, PurposeKind::Revoke];

    /// Its name in a cassette.
    pub(crate) fn name(self) -> &'static str {
        match self {
            PurposeKind::Api => "api",
            PurposeKind::DigestProbe => "digest_probe",
            PurposeKind::TokenFetch => "token_fetch",
            PurposeKind::Revoke => "revoke",
        }
    }
}

fn purpose_json(p: Purpose) -> Value {
    let kind = PurposeKind::of(p).name();
    match p {
        Purpose::Api { attempt } | Purpose::DigestProbe { attempt } | Purpose::TokenFetch { attempt } => {
            json!({"kind": kind, "attempt": attempt})
        }
        _ => json!({ "kind": kind }),
    }
}

fn purpose_of(v: Option<&Value>, at: &str) -> Result<Purpose, FormatError> {
    let attempt =
        v.and_then(|v| v.get("attempt")).and_then(Value::as_u64).and_then(|a| u32::try_from(a).ok()).unwrap_or(1);
    let name = v.and_then(|v| v.get("kind")).and_then(Value::as_str);
    match PurposeKind::ALL.into_iter().find(|k| Some(k.name()) == name) {
        Some(PurposeKind::Api) => Ok(Purpose::Api { attempt }),
        Some(PurposeKind::DigestProbe) => Ok(Purpose::DigestProbe { attempt }),
        Some(PurposeKind::TokenFetch) => Ok(Purpose::TokenFetch { attempt }),
        Some(PurposeKind::Revoke) => Ok(Purpose::Revoke),
        None => Err(FormatError::new(format!("{at}.purpose.kind: unknown {name:?}"))),
    }
}

impl Interaction {
    fn to_json(&self) -> Value {
        let waits: Vec<Value> =
            self.waits_before.iter().map(|d| json!(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))).collect();
        let (key, outcome) = match &self.response {
            Ok(r) => ("response", r.to_json()),
            Err(e) => ("error", e.to_json()),
        };
        let mut v = json!({
            "operation": self.operation,
            "purpose": purpose_json(self.purpose),
            "waits_before_ms": waits,
            "request": self.request.to_json(),
        });
        if let Value::Object(m) = &mut v {
            m.insert(key.into(), outcome);
        }
        v
    }

    fn from_json(v: &Value, at: &str) -> Result<Interaction, FormatError> {
        let m = object(v, at)?;
        let waits_before = m
            .get("waits_before_ms")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|w| w.as_u64().map(Duration::from_millis))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| FormatError::new(format!("{at}.waits_before_ms: milliseconds as numbers")))?;
        let request = m.get("request").ok_or_else(|| FormatError::new(format!("{at}.request is missing")))?;
        let response = match (m.get("response"), m.get("error")) {
            (Some(r), None) => Ok(RecordedResponse::from_json(r, &format!("{at}.response"))?),
            (None, Some(e)) => Err(RecordedError::from_json(e, &format!("{at}.error"))?),
            _ => return Err(FormatError::new(format!("{at}: exactly one of response and error is required"))),
        };
        Ok(Interaction {
            operation: m.get("operation").and_then(Value::as_str).unwrap_or_default().to_owned(),
            purpose: purpose_of(m.get("purpose"), at)?,
            waits_before,
            request: RecordedRequest::from_json(request, &format!("{at}.request"))?,
            response,
        })
    }
}

/// A whole cassette: format version, how the session authenticated, the exchanges in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Cassette {
    /// How the recorded session authenticated.
    pub auth: Auth,
    /// The exchanges, in the order they happened.
    pub interactions: Vec<Interaction>,
}

impl Cassette {
    /// The pretty JSON text (sorted keys, two-space indent, a final newline).
    pub fn to_json_string(&self) -> String {
        let interactions: Vec<Value> = self.interactions.iter().map(Interaction::to_json).collect();
        let doc = json!({
            "version": VERSION,
            "auth": self.auth.as_str(),
            "interactions": interactions,
        });
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a cassette's JSON text (key order and header-name case do not matter).
    pub fn from_json_str(text: &str) -> Result<Cassette, FormatError> {
        let doc: Value = serde_json::from_str(text).map_err(|e| FormatError::new(format!("not JSON: {e}")))?;
        let m = object(&doc, "cassette")?;
        match m.get("version").and_then(Value::as_u64) {
            Some(VERSION) => {}
            other => return Err(FormatError::new(format!("version {other:?}: this crate reads version {VERSION}"))),
        }
        // A misspelt auth would replay with the wrong credentials' state machine: refused.
        let auth = match m.get("auth").and_then(Value::as_str) {
            Some("api_key") => Auth::ApiKey,
            Some("service_account") => Auth::ServiceAccount,
            Some("none") => Auth::None,
            Some(other) => {
                return Err(FormatError::new(format!(
                    "auth \"{}\": expected \"api_key\", \"service_account\" or \"none\"",
                    Sanitized(other)
                )));
            }
            None => {
                return Err(FormatError::new(
                    "auth: missing (\"api_key\", \"service_account\" or \"none\")".to_owned(),
                ));
            }
        };
        let interactions = m
            .get("interactions")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, v)| Interaction::from_json(v, &format!("interactions[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Cassette { auth, interactions })
    }

    /// Reads a cassette file, of at most
    /// [`MAX_CASSETTE_BYTES`](crate::bounded::MAX_CASSETTE_BYTES) (a larger one is refused
    /// after reading one byte past the cap).
    pub fn load(path: impl AsRef<Path>) -> Result<Cassette, FormatError> {
        let path = path.as_ref();
        let text = crate::bounded::read_file_text(path, crate::bounded::MAX_CASSETTE_BYTES)
            .map_err(|e| FormatError::new(format!("{}: {e}", path.display())))?;
        Cassette::from_json_str(&text)
    }
}

fn object<'a>(v: &'a Value, at: &str) -> Result<&'a Map<String, Value>, FormatError> {
    v.as_object().ok_or_else(|| FormatError::new(format!("{at}: an object is required")))
}

fn string(m: &Map<String, Value>, key: &str, at: &str) -> Result<String, FormatError> {
    m.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| FormatError::new(format!("{at}.{key}: a string is required")))
}

/// A cassette that cannot be read: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    message: String,
}

impl FormatError {
    pub(crate) fn new(message: String) -> Self {
        FormatError { message }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad cassette: {}", Sanitized(&self.message))
    }
}

impl std::error::Error for FormatError {}
