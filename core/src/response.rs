//! Reading an Atlas answer: envelope unwrapping, success decoding, error mapping.
//!
//! [`parse_response`] needs no session, so code that records Atlas responses can test its own
//! handling from the recorded bytes alone.

use crate::error::{ApiError, ApiErrorBody, DecodeError, Error};
use crate::meta::ResponseMeta;
use crate::operation::Operation;
use http::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::time::SystemTime;

/// A successful result with the response's metadata.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The decoded body.
    pub value: T,
    /// Headers and exchange count.
    pub meta: ResponseMeta,
}

impl<T> ApiResponse<T> {
    /// A 200 answer carrying `value`, with [`ResponseMeta::default`] (for test doubles).
    ///
    /// ```
    /// use atlas_admin_core::{ApiResponse, ResponseMeta};
    /// let resp = ApiResponse::new(7);
    /// assert_eq!((resp.value, resp.meta.status.as_u16(), resp.meta.exchanges), (7, 200, 1));
    /// let gone = ApiResponse::with_meta((), ResponseMeta::default().with_status(http::StatusCode::NO_CONTENT));
    /// assert_eq!(gone.meta.status.as_u16(), 204);
    /// ```
    pub fn new(value: T) -> Self {
        ApiResponse { value, meta: ResponseMeta::default() }
    }

    /// `value` with the given metadata (a sunset date, rate limits, an exchange count...).
    pub fn with_meta(value: T, meta: ResponseMeta) -> Self {
        ApiResponse { value, meta }
    }

    /// The decoded body, dropping the metadata.
    pub fn into_value(self) -> T {
        self.value
    }
}

/// `{"status": <code>, "content": <body>}`, the `envelope=true` wrapper.
#[derive(Deserialize)]
struct Envelope<'a> {
    status: u16,
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
}

/// Parses one response to `op` (no retries, no auth handling; a 401 is an API error here).
///
/// ```
/// use atlas_admin_core::{parse_response, ops::DeleteGroupInvite};
/// use std::time::SystemTime;
/// let op = DeleteGroupInvite::new("32b6e34b3d91647abb20e7b8", "5f8d0a1b2c3d4e5f6a7b8c9d").unwrap();
/// let resp = http::Response::builder().status(204).body(Vec::new()).unwrap();
/// assert!(parse_response(&op, resp, SystemTime::UNIX_EPOCH).is_ok());
///
/// let html = http::Response::builder()
///     .status(502)
///     .header("content-type", "text/html")
///     .body(b"<html><body>Bad Gateway</body></html>".to_vec())
///     .unwrap();
/// let err = parse_response(&op, html, SystemTime::UNIX_EPOCH).unwrap_err();
/// assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
/// ```
pub fn parse_response<O: Operation>(
    op: &O,
    response: http::Response<Vec<u8>>,
    now: SystemTime,
) -> Result<ApiResponse<O::Output>, Error> {
    parse::<O>(op.operation_id(), op.options().envelope, &response, now)
}

/// The shared parser: what [`parse_response`] and the call state machine both use.
pub(crate) fn parse<O: Operation>(
    operation: &'static str,
    envelope: bool,
    response: &http::Response<Vec<u8>>,
    now: SystemTime,
) -> Result<ApiResponse<O::Output>, Error> {
    let mut meta = ResponseMeta::from_headers(response.status(), response.headers(), now);
    let raw = response.body().as_slice();
    let mut body = raw;
    if envelope && response.status().is_success() {
        match serde_json::from_slice::<Envelope<'_>>(raw) {
            Ok(env) => {
                let status = StatusCode::from_u16(env.status).map_err(|_| {
                    decode_error(operation, &meta, format!("envelope status {} is not an HTTP status", env.status), raw)
                })?;
                meta.status = status;
                meta.enveloped = true;
                body = env.content.map(|c| c.get().as_bytes()).unwrap_or_default();
            }
            // An envelope that is not one (a `"status":"404"` string, say) is not guessed at.
            Err(e) if mentions(raw, b"\"status\"") && mentions(raw, b"\"content\"") => {
                return Err(decode_error(operation, &meta, format!("malformed envelope: {e}"), raw));
            }
            Err(_) => {}
        }
    }
    // Lenient models decode any object; an Atlas error body under a 2xx is still an error.
    if meta.status.is_success() && mentions(body, b"\"errorCode\"") {
        let error_status = |e: &ApiErrorBody| StatusCode::from_u16(e.error).ok().filter(|s| s.as_u16() >= 400);
        if let Some((status, err)) =
            serde_json::from_slice::<ApiErrorBody>(body).ok().and_then(|e| error_status(&e).map(|s| (s, e)))
        {
            meta.status = status;
            return Err(Error::Api(Box::new(ApiError { status, body: err, meta, operation })));
        }
    }
    if meta.status.is_success() {
        return match O::decode(body) {
            Ok(value) => Ok(ApiResponse { value, meta }),
            Err(e) => Err(decode_error(operation, &meta, format!("unexpected body: {e}"), body)),
        };
    }
    Err(error_from_body(operation, meta, body))
}

/// Whether `needle` occurs in `haystack` (a cheap pre-check before a second parse).
fn mentions(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// An error status: an [`ApiError`] when the body is Atlas's error JSON, else a decode error
/// (an HTML page from a proxy, a truncated body).
pub(crate) fn error_from_body(operation: &'static str, meta: ResponseMeta, body: &[u8]) -> Error {
    match serde_json::from_slice::<ApiErrorBody>(body) {
        Ok(body) => Error::Api(Box::new(ApiError { status: meta.status, body, meta, operation })),
        Err(e) => {
            let why = if body.is_empty() { "empty body".to_owned() } else { format!("not an Atlas error body ({e})") };
            decode_error(operation, &meta, why, body)
        }
    }
}

fn decode_error(operation: &'static str, meta: &ResponseMeta, reason: String, body: &[u8]) -> Error {
    let mut e = DecodeError::new(operation, meta.status, meta.content_type.clone(), reason, body);
    e.meta = Some(meta.clone());
    Error::Decode(Box::new(e))
}
