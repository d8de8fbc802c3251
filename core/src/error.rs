//! Typed, matchable errors. No variant carries a credential.
//!
//! Following h11, errors split into "you misused the API" ([`Error::InvalidInput`],
//! [`Error::Usage`]) and "the peer said no or sent garbage" (everything else).

use crate::meta::ResponseMeta;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

/// Any failure of an Atlas call.
///
/// ```
/// use atlas_admin_core::{Error, GroupId};
/// let err: Error = GroupId::new("XYZ").unwrap_err().into();
/// assert!(matches!(&err, Error::InvalidInput(e) if e.field() == "groupId"));
/// assert_eq!(err.status(), None);
/// assert!(!err.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Input rejected before any request was built.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// Atlas answered with an error body (`errorCode`, `detail`, ...).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Credentials were refused (a second Digest 401, a rejected token or client secret).
    #[error(transparent)]
    Authentication(AuthError),
    /// A response that could not be understood: HTML from a proxy, truncated JSON, wrong shape.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// A `WWW-Authenticate` challenge this client cannot answer or cannot read.
    #[error(transparent)]
    UnsupportedChallenge(ChallengeError),
    /// The transport could not complete the exchange (connect, timeout, I/O, size cap).
    #[error(transparent)]
    Transport(TransportError),
    /// The call state machine was driven out of order (a bug in the transport, not in input).
    #[error("call state machine misuse: {0}")]
    Usage(&'static str),
}

impl Error {
    /// The HTTP status Atlas answered with (the enveloped status where `envelope=true`).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Authentication(e) => e.status,
            Error::Decode(e) => Some(e.status),
            _ => None,
        }
    }

    /// Atlas's `errorCode` (e.g. `RESOURCE_NOT_FOUND`), from the body or `X-Error-Code`.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api(e) => Some(e.error_code()),
            Error::Decode(e) => e.meta.as_ref().and_then(|m| m.error_code.as_deref()),
            Error::Authentication(e) => e.error_code.as_deref(),
            _ => None,
        }
    }

    /// The API error, if Atlas answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The transport failure, if the call ended in one.
    pub fn transport_error(&self) -> Option<&TransportError> {
        match self {
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }

    /// 404: the project, organization or invitation does not exist (or is not visible).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Rate limited: 429, or the invitation limiter's 400 `INVITATIONS_RATE_LIMITED_IP`.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS) || self.error_code() == Some(INVITATIONS_RATE_LIMITED_IP)
    }

    /// Whether the same call may succeed later: rate limits, 502/503/504, connect failures and
    /// timeouts. Does not say whether a retry is safe for non-idempotent operations; the call
    /// state machine decides that itself.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => {
                matches!(e.status.as_u16(), 429 | 502 | 503 | 504) || e.error_code() == INVITATIONS_RATE_LIMITED_IP
            }
            Error::Decode(e) => {
                matches!(e.status.as_u16(), 429 | 502 | 503 | 504)
                    || self.error_code() == Some(INVITATIONS_RATE_LIMITED_IP)
            }
            Error::Transport(e) => {
                matches!(e.kind, TransportErrorKind::Connect | TransportErrorKind::Timeout | TransportErrorKind::Io)
            }
            _ => false,
        }
    }

    /// The delay the server asked for (`Retry-After`), if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(e) => e.meta.retry_after,
            Error::Decode(e) => e.meta.as_ref().and_then(|m| m.retry_after),
            _ => None,
        }
    }
}

/// The invitation limiter's error code (answered with 400, not 429).
pub const INVITATIONS_RATE_LIMITED_IP: &str = "INVITATIONS_RATE_LIMITED_IP";

/// Input that breaks a rule of the API, named by its field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}{}", value.as_ref().map(|v| format!(" (got {v:?})")).unwrap_or_default())]
pub struct InvalidInput {
    field: String,
    reason: String,
    value: Option<String>,
}

impl InvalidInput {
    /// An error for `field`, without echoing the value (use for credentials).
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        InvalidInput { field: field.into(), reason: reason.into(), value: None }
    }

    /// An error for `field` that shows the offending value (truncated to 64 characters).
    pub fn with_value(field: impl Into<String>, reason: impl Into<String>, value: &str) -> Self {
        InvalidInput { field: field.into(), reason: reason.into(), value: Some(value.chars().take(64).collect()) }
    }

    /// The field, as named in the API (`groupId`, `roles`, `username`, `roles[1]`...).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Why the value was refused.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The refused value (absent for credentials).
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }
}

/// The `ApiError` body Atlas sends with error statuses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// HTTP status code, repeated in the body.
    pub error: u16,
    /// Machine-readable code, e.g. `RESOURCE_NOT_FOUND`.
    pub error_code: String,
    /// Human-readable explanation.
    #[serde(default)]
    pub detail: Option<String>,
    /// HTTP reason phrase, e.g. `Not Found`.
    #[serde(default)]
    pub reason: Option<String>,
    /// Values substituted into `detail` (scalars in practice: `["api/atlas/v2/orgs",55,10,5,60]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<serde_json::Value>,
    /// Field-level validation failures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bad_request_detail: Option<BadRequestDetail>,
}

/// `badRequestDetail`: which fields failed validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BadRequestDetail {
    /// One entry per invalid field.
    #[serde(default)]
    pub fields: Vec<FieldViolation>,
}

/// One invalid field in a `badRequestDetail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldViolation {
    /// What is wrong.
    pub description: String,
    /// The field's path.
    pub field: String,
}

/// Atlas refused the request and said why.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The effective status (from the envelope where `envelope=true`).
    pub status: StatusCode,
    /// The decoded error body.
    pub body: ApiErrorBody,
    /// Response metadata (headers, exchanges).
    pub meta: ResponseMeta,
    /// The operation that failed (`updateGroupInvites`...).
    pub operation: &'static str,
}

impl ApiError {
    /// `errorCode`.
    pub fn error_code(&self) -> &str {
        &self.body.error_code
    }

    /// `detail`.
    pub fn detail(&self) -> Option<&str> {
        self.body.detail.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {} {}", self.operation, self.status.as_u16(), self.body.error_code)?;
        if let Some(d) = &self.body.detail {
            write!(f, ": {d}")?;
        }
        if let Some(b) = &self.body.bad_request_detail {
            for v in &b.fields {
                write!(f, "; {}: {}", v.field, v.description)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A response whose body could not be decoded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{operation}: cannot decode HTTP {} response{}: {reason}; body starts {excerpt:?}",
    status.as_u16(),
    content_type.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation (or `oauthToken`).
    pub operation: &'static str,
    /// The effective status.
    pub status: StatusCode,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Why decoding failed.
    pub reason: String,
    /// The first bytes of the body (at most 512, lossily UTF-8).
    pub excerpt: String,
    /// The body's full length in bytes.
    pub body_len: usize,
    /// Response metadata, where the response was an API response.
    pub meta: Option<ResponseMeta>,
}

/// How many bytes of an undecodable body are kept.
pub const EXCERPT_BYTES: usize = 512;

impl DecodeError {
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        content_type: Option<String>,
        reason: impl Into<String>,
        body: &[u8],
    ) -> Self {
        let cut = body.get(..EXCERPT_BYTES).unwrap_or(body);
        DecodeError {
            operation,
            status,
            content_type,
            reason: reason.into(),
            excerpt: String::from_utf8_lossy(cut).into_owned(),
            body_len: body.len(),
            meta: None,
        }
    }
}

/// What was refused when authentication failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The API key pair was refused after a fresh Digest challenge.
    DigestRejected,
    /// The token endpoint refused the service account's client id or secret.
    ClientCredentialsRejected,
    /// A bearer token was refused even after a refresh (or, for a fixed token, at once).
    TokenRejected,
    /// Atlas asked for authentication but the session has no credentials.
    NoCredentials,
    /// No token could be obtained: the token endpoint kept failing (not a refusal of the
    /// client secret). Calls waiting on that fetch end with this too.
    TokenUnavailable,
}

/// Credentials were refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("authentication failed ({kind:?}){}{}",
    status.map(|s| format!(": HTTP {}", s.as_u16())).unwrap_or_default(),
    detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
#[non_exhaustive]
pub struct AuthError {
    /// Which credential was refused.
    pub kind: AuthFailure,
    /// The status of the refusing response.
    pub status: Option<StatusCode>,
    /// `errorCode` of the refusal, if the body had one.
    pub error_code: Option<String>,
    /// `detail` (or OAuth `error_description`) of the refusal, if any.
    pub detail: Option<String>,
}

/// A `WWW-Authenticate` challenge that cannot be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unsupported authentication challenge: {reason}{}",
    header.as_ref().map(|h| format!(" (header {h:?})")).unwrap_or_default())]
#[non_exhaustive]
pub struct ChallengeError {
    /// What is missing or unsupported.
    pub reason: String,
    /// The header as received (first 256 characters), if there was one.
    pub header: Option<String>,
}

impl ChallengeError {
    pub(crate) fn new(reason: impl Into<String>, header: Option<&str>) -> Self {
        ChallengeError { reason: reason.into(), header: header.map(|h| h.chars().take(256).collect()) }
    }
}

/// Where a transport failure happened, which decides whether a retry is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection: the request was certainly not sent (DNS, refused, TLS handshake).
    Connect,
    /// The time limit ran out; the server may have acted on the request.
    Timeout,
    /// The connection failed after the request was (perhaps) sent: reset, closed mid-response.
    Io,
    /// The response body was larger than the configured cap.
    BodyTooLarge,
    /// The request was refused by the transport before sending (bad URL, policy).
    Refused,
    /// Anything else.
    Other,
}

/// The transport failed to complete an exchange.
#[derive(Debug, thiserror::Error)]
#[error("transport error ({kind:?}): {message}")]
#[non_exhaustive]
pub struct TransportError {
    /// Where it failed.
    pub kind: TransportErrorKind,
    /// What happened.
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    /// API requests the call sent in all, retries included (set when the call ends).
    pub attempts: u32,
    /// Time the call spent waiting between attempts (set when the call ends).
    pub waited: Duration,
}

impl TransportError {
    /// A transport failure with a message.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError { kind, message: message.into(), source: None, attempts: 0, waited: Duration::ZERO }
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }
}
