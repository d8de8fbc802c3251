//! What an exchange observer sees: one HTTP request and its outcome, without secrets.

use atlas_admin_core::TransportErrorKind;
use http::{Method, StatusCode, Uri};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A callback that sees every HTTP exchange of a client (see
/// [`ClientBuilder::on_exchange`](crate::ClientBuilder::on_exchange)).
pub type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

/// One HTTP exchange: the request line, the authentication scheme used, and the outcome.
///
/// It never holds header values or bodies, so it is safe to log: the `Authorization` header
/// appears only as its scheme (`Digest`, `Bearer`, `Basic`), and bodies only as lengths.
///
/// ```
/// # use atlas_admin_hyper::{Exchange, ExchangeOutcome};
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
    /// From handing the request to hyper to having the whole response body (or the failure).
    pub elapsed: Duration,
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

impl Exchange {
    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match &self.outcome {
            ExchangeOutcome::Response { status, .. } => Some(*status),
            ExchangeOutcome::Failed { .. } => None,
        }
    }
}

impl fmt::Display for Exchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.uri)?;
        if let Some(scheme) = &self.auth_scheme {
            write!(f, " [{scheme}]")?;
        }
        match &self.outcome {
            ExchangeOutcome::Response { status, .. } => write!(f, " -> {status}")?,
            ExchangeOutcome::Failed { kind, message } => write!(f, " -> failed ({kind:?}): {message}")?,
        }
        write!(f, " ({} ms)", self.elapsed.as_millis())
    }
}
