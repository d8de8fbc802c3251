//! What a response says besides its body: deprecation, sunset, rate limits, error code.

use crate::timestamp::HttpDate;
use http::header::{AsHeaderName, CONTENT_TYPE, HeaderName, RETRY_AFTER};
use http::{HeaderMap, StatusCode};
use std::time::{Duration, SystemTime};

// Looked up by prebuilt names: a `&str` name is parsed again on every lookup.
const DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
const SUNSET: HeaderName = HeaderName::from_static("sunset");
const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const X_ERROR_CODE: HeaderName = HeaderName::from_static("x-error-code");

/// Response metadata, attached to every result and every API error.
///
/// Atlas marks the invitation endpoints deprecated: `deprecation` and `sunset` tell when, so
/// callers can warn before the endpoints go away (410 `VERSION_GONE`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// The status of the result: the HTTP status, or the `status` inside an `envelope=true` body.
    pub status: StatusCode,
    /// The status line's code (200 for every enveloped answer).
    pub http_status: StatusCode,
    /// Whether the body was an `envelope=true` wrapper that was unwrapped.
    pub enveloped: bool,
    /// `Deprecation` header.
    pub deprecation: Option<HttpDate>,
    /// `Sunset` header: after this date the endpoint answers 410.
    pub sunset: Option<HttpDate>,
    /// The sunset date the vendored spec gives the API version the call was sent with
    /// (`x-sunset`, at 00:00:00 GMT; [`Endpoint::sunsets`](crate::Endpoint::sunsets)), whether
    /// or not Atlas sent a `Sunset` header; `None` for a version without one, and for a
    /// described operation not made from the catalog. Set by the clients, not read from the
    /// answer.
    pub spec_sunset: Option<HttpDate>,
    /// Whether the vendored spec marks the operation called `deprecated`
    /// ([`Endpoint::deprecated`](crate::Endpoint::deprecated)), with or without a sunset date;
    /// `false` for a described operation not made from the catalog. Set by the clients.
    pub spec_deprecated: bool,
    /// `RateLimit-Limit` header.
    pub rate_limit_limit: Option<u64>,
    /// `RateLimit-Remaining` header.
    pub rate_limit_remaining: Option<u64>,
    /// `Retry-After` header, as a delay from the time the response was handled.
    pub retry_after: Option<Duration>,
    /// `X-Error-Code` header.
    pub error_code: Option<String>,
    /// `Content-Type` header.
    pub content_type: Option<String>,
    /// HTTP requests this call sent in all, including auth challenges, token fetches and retries.
    pub exchanges: u32,
    /// API requests this call sent, retries included (auth round trips not counted).
    pub attempts: u32,
    /// Time this call spent waiting between attempts (and for other calls' auth).
    pub waited: Duration,
}

impl ResponseMeta {
    /// Reads the metadata headers of one response. `now` resolves an HTTP-date `Retry-After`.
    pub fn from_headers(status: StatusCode, headers: &HeaderMap, now: SystemTime) -> Self {
        ResponseMeta {
            status,
            http_status: status,
            enveloped: false,
            deprecation: header_str(headers, &DEPRECATION).and_then(HttpDate::parse),
            sunset: header_str(headers, &SUNSET).and_then(HttpDate::parse),
            spec_sunset: None,
            spec_deprecated: false,
            rate_limit_limit: header_u64(headers, &RATELIMIT_LIMIT),
            rate_limit_remaining: header_u64(headers, &RATELIMIT_REMAINING),
            retry_after: header_str(headers, &RETRY_AFTER).and_then(|v| parse_retry_after(v, now)),
            error_code: header_str(headers, &X_ERROR_CODE).map(str::to_owned),
            content_type: header_str(headers, &CONTENT_TYPE).map(str::to_owned),
            exchanges: 0,
            attempts: 0,
            waited: Duration::ZERO,
        }
    }

    /// Whether `now` is at or past the `Sunset` date.
    pub fn is_past_sunset(&self, now: SystemTime) -> bool {
        self.sunset.is_some_and(|s| s.system_time() <= now)
    }
}

/// A plain answer to a call that took one round trip: 200 OK, one exchange, one attempt, no
/// header set. The starting point of a test double's metadata; the `with_*` setters change it.
///
/// ```
/// use atlas_admin_core::{HttpDate, ResponseMeta};
/// use std::time::Duration;
/// let sunset = HttpDate::parse("Thu, 1 Jul 2027 00:00:00 GMT").unwrap();
/// let meta = ResponseMeta::default().with_sunset(sunset).with_rate_limit(100, 0).with_retry_after(Duration::from_secs(5));
/// assert_eq!((meta.status.as_u16(), meta.rate_limit_remaining, meta.exchanges), (200, Some(0), 1));
/// assert!(meta.is_past_sunset(sunset.system_time()));
/// ```
impl Default for ResponseMeta {
    fn default() -> Self {
        ResponseMeta {
            exchanges: 1,
            attempts: 1,
            ..ResponseMeta::from_headers(StatusCode::OK, &HeaderMap::new(), SystemTime::UNIX_EPOCH)
        }
    }
}

/// Setters for test doubles: each returns the changed metadata.
impl ResponseMeta {
    /// Sets the status, both the effective one and the status line's (see [`Self::enveloped`]).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self.http_status = status;
        self
    }

    /// Marks the answer as an `envelope=true` one: the status line says 200, `status` stays.
    pub fn enveloped(mut self) -> Self {
        self.enveloped = true;
        self.http_status = StatusCode::OK;
        self
    }

    /// Sets the `Deprecation` date.
    pub fn with_deprecation(mut self, date: HttpDate) -> Self {
        self.deprecation = Some(date);
        self
    }

    /// Sets the `Sunset` date.
    pub fn with_sunset(mut self, date: HttpDate) -> Self {
        self.sunset = Some(date);
        self
    }

    /// Sets the spec's sunset date of the version called ([`Self::spec_sunset`]).
    pub fn with_spec_sunset(mut self, date: HttpDate) -> Self {
        self.spec_sunset = Some(date);
        self
    }

    /// Marks the operation called deprecated by the spec ([`Self::spec_deprecated`]).
    pub fn with_spec_deprecated(mut self) -> Self {
        self.spec_deprecated = true;
        self
    }

    /// Sets `RateLimit-Limit` and `RateLimit-Remaining`.
    pub fn with_rate_limit(mut self, limit: u64, remaining: u64) -> Self {
        self.rate_limit_limit = Some(limit);
        self.rate_limit_remaining = Some(remaining);
        self
    }

    /// Sets the `Retry-After` delay.
    pub fn with_retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        self
    }

    /// Sets `X-Error-Code`.
    pub fn with_error_code(mut self, code: impl Into<String>) -> Self {
        self.error_code = Some(code.into());
        self
    }

    /// Sets `Content-Type`.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets how many HTTP exchanges and API attempts the call took, and how long it waited.
    pub fn with_exchanges(mut self, exchanges: u32, attempts: u32, waited: Duration) -> Self {
        self.exchanges = exchanges;
        self.attempts = attempts;
        self.waited = waited;
        self
    }
}

/// The first value of a header, if it is visible ASCII.
pub(crate) fn header_str(headers: &HeaderMap, name: impl AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

fn header_u64(headers: &HeaderMap, name: impl AsHeaderName) -> Option<u64> {
    header_str(headers, name).and_then(|v| v.parse().ok())
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). A date in the past means
/// no wait.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = HttpDate::parse(value)?.system_time();
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;
    use std::time::UNIX_EPOCH;

    #[test]
    fn reads_atlas_headers() {
        let mut h = HeaderMap::new();
        h.insert("Deprecation", HeaderValue::from_static("Wed, 4 Oct 2023 00:00:00 GMT"));
        h.insert("Sunset", HeaderValue::from_static("Thu, 1 Jul 2027 00:00:00 GMT"));
        h.insert("Ratelimit-Limit", HeaderValue::from_static("1200"));
        h.insert("Ratelimit-Remaining", HeaderValue::from_static("1199"));
        h.insert("X-Error-Code", HeaderValue::from_static("RESOURCE_NOT_FOUND"));
        let m = ResponseMeta::from_headers(StatusCode::OK, &h, UNIX_EPOCH);
        assert_eq!(m.deprecation.unwrap().unix_seconds(), 1_696_377_600);
        assert_eq!(m.sunset.unwrap().unix_seconds(), 1_814_400_000);
        assert_eq!(m.rate_limit_limit, Some(1200));
        assert_eq!(m.rate_limit_remaining, Some(1199));
        assert_eq!(m.error_code.as_deref(), Some("RESOURCE_NOT_FOUND"));
        assert!(!m.is_past_sunset(UNIX_EPOCH));
        assert!(m.is_past_sunset(UNIX_EPOCH + Duration::from_secs(1_814_400_000)));
    }

    #[test]
    fn retry_after_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(1_696_377_600);
        assert_eq!(parse_retry_after("55", now), Some(Duration::from_secs(55)));
        assert_eq!(parse_retry_after("Wed, 4 Oct 2023 00:01:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Wed, 4 Oct 2000 00:01:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
