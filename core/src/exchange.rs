//! What a call hands a transport ([`Outgoing`]: a request and what it is for) and what an
//! exchange observer sees of it ([`Exchange`]: the request line, purpose and outcome, without
//! secrets). The core's drivers report every exchange; transports and examples need not
//! re-derive what a request was for.

use crate::error::{TransportError, TransportErrorKind};
use http::{Method, StatusCode, Uri, header};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

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
#[derive(Debug)]
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

#[cfg(test)]
mod tests {
    use super::*;

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
