//! What a call hands a transport ([`Outgoing`]: a request and what it is for) and what an
//! exchange observer sees of it ([`Exchange`]: the request line, purpose and outcome, without
//! secrets). The core's drivers report every exchange; transports and examples need not
//! re-derive what a request was for.

use crate::error::{Error, TransportError, TransportErrorKind};
use crate::meta::ResponseMeta;
use crate::timestamp::HttpDate;
use http::{Method, StatusCode, Uri, header};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The answer a transport's `send` gives.
pub type SendResult = Result<http::Response<Vec<u8>>, TransportError>;

/// A callback that sees every HTTP exchange of a client.
pub type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// What a request handed out by a [`Call`](crate::Call) is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Purpose {
    /// The operation's request, attempt `attempt` (1 = first; a re-sign after a 401 keeps the
    /// number of the attempt it repeats).
    Api {
        /// Which attempt.
        attempt: u32,
    },
    /// The operation's request sent unsigned to fetch the first Digest challenge (a 2xx answer
    /// is the operation's result: the server does not challenge).
    DigestProbe {
        /// Which attempt.
        attempt: u32,
    },
    /// An OAuth token request (`POST /api/oauth/token`).
    TokenFetch {
        /// Which token request of this call.
        attempt: u32,
    },
    /// A token revocation (`POST /api/oauth/revoke`).
    Revoke,
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Purpose::Api { attempt } => write!(f, "attempt {attempt}"),
            Purpose::DigestProbe { attempt } => write!(f, "Digest challenge, attempt {attempt}"),
            Purpose::TokenFetch { attempt } => write!(f, "token fetch {attempt}"),
            Purpose::Revoke => f.write_str("token revocation"),
        }
    }
}

/// A request to send, what it is for, and which operation it serves.
///
/// Its `Debug` shows the request line, purpose and body length, never header values or the
/// body (a token request's body holds the client secret's grant, a revocation's the token).
#[non_exhaustive]
pub struct Outgoing {
    /// The request. Its `Authorization` header value is marked sensitive.
    pub request: http::Request<Vec<u8>>,
    /// What it is for.
    pub purpose: Purpose,
    /// The operationId it serves (`updateGroupInvites`, ...; `revokeToken` for a revocation).
    pub operation: &'static str,
    /// The time left before the call's deadline, if the policy sets one: a transport should
    /// bound this exchange by it as well as by its own exchange timeout.
    pub time_left: Option<Duration>,
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("method", self.request.method())
            .field("uri", self.request.uri())
            .field("body_len", &self.request.body().len())
            .field("purpose", &self.purpose)
            .field("operation", &self.operation)
            .field("time_left", &self.time_left)
            .finish_non_exhaustive()
    }
}

impl Outgoing {
    pub(crate) fn new(request: http::Request<Vec<u8>>, purpose: Purpose, operation: &'static str) -> Self {
        Outgoing { request, purpose, operation, time_left: None }
    }

    /// Notes what an observer may see of this request (never header values or the body).
    pub fn start(&self) -> ExchangeStart {
        let mut start = Exchange::start(&self.request);
        start.purpose = Some(self.purpose);
        start.operation = Some(self.operation);
        start
    }
}

/// One HTTP exchange: the request line, the authentication scheme used, and the outcome.
///
/// It never holds header values or bodies, so it is safe to log: the `Authorization` header
/// appears only as its scheme (`Digest`, `Bearer`, `Basic`), and bodies only as lengths.
///
/// ```
/// use atlas_admin_core::{Exchange, ExchangeOutcome};
/// fn log(exchange: &Exchange) {
///     // e.g. "PATCH https://cloud.mongodb.com/api/atlas/v2/groups/…/invites [Digest] -> 200 OK (85 ms)"
///     eprintln!("{exchange}");
///     if let ExchangeOutcome::Failed { kind, .. } = &exchange.outcome {
///         eprintln!("  transport failure: {kind:?}");
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exchange {
    /// The request method.
    pub method: Method,
    /// The request URI (no credentials are ever part of it).
    pub uri: Uri,
    /// The scheme of the `Authorization` header, if one was sent (`Digest`, `Bearer`, `Basic`).
    pub auth_scheme: Option<String>,
    /// Length of the request body in bytes.
    pub request_body_len: usize,
    /// What came back.
    pub outcome: ExchangeOutcome,
    /// From handing the request to the HTTP library to having the whole response (or failure).
    pub elapsed: Duration,
    /// What the request was for (`None` when a transport reported it without the core).
    pub purpose: Option<Purpose>,
    /// The operationId it served, if known.
    pub operation: Option<&'static str>,
}

/// How an exchange ended.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExchangeOutcome {
    /// A response arrived and its body was read in full.
    Response {
        /// The HTTP status.
        status: StatusCode,
        /// Length of the response body in bytes.
        body_len: usize,
    },
    /// The transport failed; the call state machine decides whether to retry.
    Failed {
        /// Where it failed.
        kind: TransportErrorKind,
        /// What happened.
        message: String,
    },
}

/// The request side of an exchange, taken before the request is handed over.
#[derive(Clone, Debug)]
pub struct ExchangeStart {
    method: Method,
    uri: Uri,
    auth_scheme: Option<String>,
    request_body_len: usize,
    purpose: Option<Purpose>,
    operation: Option<&'static str>,
}

impl Exchange {
    /// Notes what the observer may see of `request` (never header values or the body).
    pub fn start(request: &http::Request<Vec<u8>>) -> ExchangeStart {
        let auth_scheme = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_whitespace().next())
            .map(str::to_owned);
        ExchangeStart {
            method: request.method().clone(),
            uri: request.uri().clone(),
            auth_scheme,
            request_body_len: request.body().len(),
            purpose: None,
            operation: None,
        }
    }

    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.outcome {
            ExchangeOutcome::Response { status, .. } => Some(*status),
            ExchangeOutcome::Failed { .. } => None,
        }
    }
}

impl ExchangeStart {
    /// The finished exchange, from what the transport got.
    pub fn finish(self, result: &Result<http::Response<Vec<u8>>, TransportError>, elapsed: Duration) -> Exchange {
        let outcome = match result {
            Ok(response) => ExchangeOutcome::Response { status: response.status(), body_len: response.body().len() },
            Err(e) => ExchangeOutcome::Failed { kind: e.kind, message: e.message.clone() },
        };
        Exchange {
            method: self.method,
            uri: self.uri,
            auth_scheme: self.auth_scheme,
            request_body_len: self.request_body_len,
            outcome,
            elapsed,
            purpose: self.purpose,
            operation: self.operation,
        }
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.uri)?;
        if let Some(scheme) = &self.auth_scheme {
            write!(f, " [{scheme}]")?;
        }
        if let Some(purpose) = &self.purpose {
            write!(f, " ({purpose})")?;
        }
        match &self.outcome {
            ExchangeOutcome::Response { status, .. } => write!(f, " -> {status}")?,
            ExchangeOutcome::Failed { kind, message } => {
                write!(f, " -> failed ({kind:?}): {}", crate::sanitize::Sanitized(message))?
            }
        }
        write!(f, " ({} ms)", self.elapsed.as_millis())
    }
}

/// An answer from a deprecated endpoint or API version: it carried `Sunset` (the date after
/// which Atlas answers 410) or `Deprecation`, or the spec gives the version called a sunset
/// date (`x-sunset`) or marks the operation `deprecated` (some without a date yet).
/// A client reports it once per operation; see [`SunsetWarnings`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SunsetWarning {
    /// The operationId that answered.
    pub operation: &'static str,
    /// The `Deprecation` header, if sent.
    pub deprecation: Option<HttpDate>,
    /// The `Sunset` header, or else the spec's date ([`ResponseMeta::spec_sunset`]); `None`
    /// for an operation deprecated without a date (neither the answer nor the spec gives one).
    pub sunset: Option<HttpDate>,
    /// Whether the warning is the spec's: the answer carried no `Sunset` header.
    pub from_spec: bool,
}

impl fmt::Display for SunsetWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is deprecated", self.operation)?;
        if let Some(since) = &self.deprecation {
            write!(f, " since {since}")?;
        }
        match (&self.sunset, self.from_spec) {
            (Some(sunset), from_spec) => {
                write!(f, "; its sunset is {sunset} (then Atlas answers 410")?;
                f.write_str(if from_spec { "; the API spec's date for this version)" } else { ")" })
            }
            (None, true) => f.write_str(" (the API spec says so; no sunset date yet)"),
            (None, false) => f.write_str(" (no sunset date yet)"),
        }
    }
}

/// A callback for [`SunsetWarning`]s.
pub type SunsetHook = Arc<dyn Fn(&SunsetWarning) + Send + Sync>;

/// Remembers which operations have warned about their `Sunset`, so each warns once: a client
/// holds one (shared by its clones; no global state). Each first warning goes to the hook, if
/// one is set, and with the `tracing` feature to a WARN event on target `atlas_admin`.
///
/// ```
/// use atlas_admin_core::{ResponseMeta, SunsetWarnings};
/// use http::{HeaderMap, StatusCode};
/// let mut headers = HeaderMap::new();
/// headers.insert("sunset", "Thu, 01 Jul 2027 00:00:00 GMT".parse().unwrap());
/// let meta = ResponseMeta::from_headers(StatusCode::OK, &headers, std::time::SystemTime::UNIX_EPOCH);
/// let warnings = SunsetWarnings::default();
/// let first = warnings.check("listGroupInvites", &meta).unwrap();
/// assert!(first.to_string().starts_with("listGroupInvites is deprecated; its sunset is Thu, 01 Jul 2027"));
/// assert_eq!(warnings.check("listGroupInvites", &meta), None); // once per operation
/// assert!(warnings.check("listOrgInvites", &meta).is_some());
/// ```
#[derive(Default)]
pub struct SunsetWarnings {
    warned: Mutex<Vec<&'static str>>,
    hook: Mutex<Option<SunsetHook>>,
}

impl fmt::Debug for SunsetWarnings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let warned = self.warned.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("SunsetWarnings").field("warned", &*warned).finish_non_exhaustive()
    }
}

impl SunsetWarnings {
    /// Sends every first warning to `hook` (replacing an earlier hook).
    pub fn set_hook(&self, hook: SunsetHook) {
        *self.hook.lock().unwrap_or_else(PoisonError::into_inner) = Some(hook);
    }

    /// The warning if the call was deprecated and `operation` has not warned yet; it also goes
    /// to the hook and to `tracing`. Deprecated means: `meta` carries `Sunset` or `Deprecation`,
    /// or the spec gives the version called a sunset date ([`ResponseMeta::spec_sunset`]) or
    /// marks the operation deprecated ([`ResponseMeta::spec_deprecated`]).
    ///
    /// The rule: a deprecated call warns whatever the date, before it (time to move to a newer
    /// version or operation) and after it (Atlas may answer 410 at any call); Atlas's `Sunset`
    /// header, when sent, wins over the vendored spec's date (it is newer). No clock is read.
    pub fn check(&self, operation: &'static str, meta: &ResponseMeta) -> Option<SunsetWarning> {
        let (sunset, from_spec) = match (meta.sunset, meta.spec_sunset) {
            (Some(header), _) => (Some(header), false),
            (None, Some(spec)) => (Some(spec), true),
            (None, None) if meta.spec_deprecated => (None, true),
            (None, None) if meta.deprecation.is_some() => (None, false),
            (None, None) => return None,
        };
        {
            let mut warned = self.warned.lock().unwrap_or_else(PoisonError::into_inner);
            if warned.contains(&operation) {
                return None;
            }
            warned.push(operation);
        }
        let warning = SunsetWarning { operation, deprecation: meta.deprecation, sunset, from_spec };
        #[cfg(feature = "tracing")]
        tracing::warn!(target: "atlas_admin", operation, sunset = warning.sunset.as_ref().map(tracing::field::display), "{warning}");
        // The hook runs outside the lock, so it may call the client again.
        let hook = self.hook.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(hook) = hook {
            hook(&warning);
        }
        Some(warning)
    }

    /// [`check`](Self::check) for a call's result: a success, or an Atlas error (which carries
    /// the same headers).
    pub fn check_result<T>(&self, operation: &'static str, result: &Result<crate::ApiResponse<T>, Error>) {
        let meta = match result {
            Ok(response) => Some(&response.meta),
            Err(e) => e.api_error().map(|a| &a.meta),
        };
        if let Some(meta) = meta {
            self.check(operation, meta);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sunset_warns_once_per_operation_through_the_hook() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let mut headers = http::HeaderMap::new();
        headers.insert("deprecation", "Sun, 01 Dec 2024 00:00:00 GMT".parse().unwrap());
        headers.insert("sunset", "Thu, 01 Jul 2027 00:00:00 GMT".parse().unwrap());
        let deprecated = ResponseMeta::from_headers(StatusCode::OK, &headers, std::time::SystemTime::UNIX_EPOCH);
        let current =
            ResponseMeta::from_headers(StatusCode::OK, &http::HeaderMap::new(), std::time::SystemTime::UNIX_EPOCH);
        let warnings = SunsetWarnings::default();
        let seen = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&seen);
        warnings.set_hook(Arc::new(move |w: &SunsetWarning| {
            assert_eq!(w.operation, "getGroupInvite");
            counter.fetch_add(1, Ordering::Relaxed);
        }));
        assert_eq!(warnings.check("getGroupUser", &current), None, "no Sunset, no warning");
        let first = warnings.check("getGroupInvite", &deprecated).unwrap();
        assert_eq!(
            first.to_string(),
            "getGroupInvite is deprecated since Sun, 01 Dec 2024 00:00:00 GMT; \
             its sunset is Thu, 01 Jul 2027 00:00:00 GMT (then Atlas answers 410)"
        );
        assert_eq!(warnings.check("getGroupInvite", &deprecated), None);
        assert_eq!(seen.load(Ordering::Relaxed), 1);
        assert!(format!("{warnings:?}").contains("getGroupInvite"));
    }

    /// Without a `Sunset` header the spec's date of the version called warns; a header wins.
    #[test]
    fn the_specs_sunset_date_warns_when_the_answer_has_no_header() {
        let spec = HttpDate::from_date("2026-01-22").unwrap();
        let header = HttpDate::parse("Thu, 01 Jul 2027 00:00:00 GMT").unwrap();
        let warnings = SunsetWarnings::default();
        let only_spec = ResponseMeta::default().with_spec_sunset(spec);
        let w = warnings.check("listGroupClusters", &only_spec).unwrap();
        assert_eq!((w.sunset, w.from_spec), (Some(spec), true));
        assert_eq!(
            w.to_string(),
            "listGroupClusters is deprecated; its sunset is Thu, 22 Jan 2026 00:00:00 GMT \
             (then Atlas answers 410; the API spec's date for this version)"
        );
        let both = ResponseMeta::default().with_spec_sunset(spec).with_sunset(header);
        let w = warnings.check("getGroupCluster", &both).unwrap();
        assert_eq!((w.sunset, w.from_spec), (Some(header), false));
        assert!(w.to_string().ends_with("(then Atlas answers 410)"), "{w}");
        assert_eq!(warnings.check("listOrgUsers", &ResponseMeta::default()), None, "no date, no warning");
    }

    /// An operation the spec marks deprecated without a sunset date (or an answer with only
    /// `Deprecation`) warns once, with no date.
    #[test]
    fn a_deprecated_operation_without_a_date_warns() {
        let warnings = SunsetWarnings::default();
        let deprecated = ResponseMeta::default().with_spec_deprecated();
        let w = warnings.check("listGroupClusterBackupCheckpoints", &deprecated).unwrap();
        assert_eq!((w.sunset, w.from_spec), (None, true));
        assert_eq!(
            w.to_string(),
            "listGroupClusterBackupCheckpoints is deprecated (the API spec says so; no sunset date yet)"
        );
        assert_eq!(warnings.check("listGroupClusterBackupCheckpoints", &deprecated), None, "once");
        let since = HttpDate::from_date("2025-03-01").unwrap();
        let header_only = ResponseMeta::default().with_deprecation(since);
        let w = warnings.check("getGroupCluster", &header_only).unwrap();
        assert_eq!((w.deprecation, w.sunset, w.from_spec), (Some(since), None, false));
        assert!(w.to_string().ends_with("since Sat, 01 Mar 2025 00:00:00 GMT (no sunset date yet)"), "{w}");
    }

    #[test]
    fn shows_the_scheme_never_the_credentials() {
        let request = http::Request::builder()
            .method("PATCH")
            .uri("https://cloud.mongodb.com/api/atlas/v2/groups/x/invites")
            .header("authorization", r#"Digest username="pub", response="SECRET-HASH""#)
            .body(b"{}".to_vec())
            .unwrap();
        let ok = http::Response::builder().status(200).body(b"[]".to_vec()).unwrap();
        let e = Exchange::start(&request).finish(&Ok(ok), Duration::from_millis(85));
        assert_eq!(
            e.to_string(),
            "PATCH https://cloud.mongodb.com/api/atlas/v2/groups/x/invites [Digest] -> 200 OK (85 ms)"
        );
        assert!(!format!("{e:?}").contains("SECRET-HASH"));
        assert_eq!((e.status(), e.request_body_len), (Some(StatusCode::OK), 2));
        let failed = Exchange::start(&request)
            .finish(&Err(TransportError::new(TransportErrorKind::Io, "reset")), Duration::ZERO);
        assert_eq!(failed.status(), None);
        assert!(failed.to_string().ends_with("-> failed (Io): reset (0 ms)"));
    }
}
