//! Moving one request over hyper, and mapping what goes wrong to [`TransportErrorKind`]s.
//!
//! The kind decides whether the core may retry a non-idempotent operation, so the mapping
//! errs on the side of "may have been sent" ([`TransportErrorKind::Io`]) whenever hyper's
//! error does not prove that nothing left the machine: only a failure to connect (DNS, TCP,
//! TLS handshake, connect timeout) is [`TransportErrorKind::Connect`].

use crate::runtime::{self, Rt};
use atlas_admin_core::{TransportError, TransportErrorKind};
use bytes::Bytes;
use http::header;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use std::error::Error as StdError;
use std::time::Duration;

/// The pooled hyper client of each runtime compiled in, plus the exchange limit and the
/// response size cap. Each call uses the client of the runtime it runs on.
#[derive(Clone)]
pub(crate) struct Transport {
    /// hyper-util's pooled client on Tokio.
    #[cfg(feature = "tokio")]
    pub(crate) tokio: crate::tokio_client::HttpClient,
    /// The pooled client on async-io.
    #[cfg(feature = "smol")]
    pub(crate) smol: crate::smol_client::HttpClient,
    pub(crate) timeout: Duration,
    pub(crate) max_body: u64,
}

impl Transport {
    /// One exchange under the time limit: connecting (or reusing a pooled connection),
    /// sending, and reading the whole response head and body, capped at `max_body` bytes.
    pub(crate) async fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        if !matches!(request.uri().scheme_str(), Some("http" | "https")) || request.uri().authority().is_none() {
            return Err(TransportError::new(TransportErrorKind::Refused, "the request URI is not absolute http(s)"));
        }
        let Some(rt) = runtime::current() else {
            return Err(TransportError::new(
                TransportErrorKind::NoRuntime,
                "no Tokio runtime on this thread: atlas-admin-hyper calls must run inside one (with IO and time \
                 enabled), or enable the crate's `smol` feature to run on any other executor",
            ));
        };
        let limit = self.timeout;
        match runtime::timeout(rt, limit, self.round_trip(rt, request)).await {
            Some(result) => result,
            None => Err(TransportError::new(
                TransportErrorKind::Timeout,
                format!("timed out: no complete response within {limit:?}"),
            )),
        }
    }

    async fn round_trip(
        &self,
        rt: Rt,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let request = request.map(|body| Full::new(Bytes::from(body)));
        match rt {
            #[cfg(feature = "tokio")]
            Rt::Tokio => {
                let response = self.tokio.request(request).await.map_err(request_error)?;
                read_body(response, self.max_body).await
            }
            #[cfg(feature = "smol")]
            Rt::AsyncIo => self.smol.request(request, self.max_body).await,
        }
    }
}

/// The whole body of `response`, refused past `max` bytes (at once if `Content-Length` says so).
pub(crate) async fn read_body(
    response: http::Response<hyper::body::Incoming>,
    max: u64,
) -> Result<http::Response<Vec<u8>>, TransportError> {
    let (parts, body) = response.into_parts();
    if let Some(declared) = content_length(&parts.headers).filter(|&n| n > max) {
        return Err(too_large(max, &format!("Content-Length is {declared}")));
    }
    let limited = Limited::new(body, usize::try_from(max).unwrap_or(usize::MAX));
    let body = limited.collect().await.map_err(|e| body_error(e, max))?.to_bytes();
    Ok(http::Response::from_parts(parts, Vec::from(body)))
}

fn content_length(headers: &http::HeaderMap) -> Option<u64> {
    headers.get(header::CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

fn too_large(max: u64, what: &str) -> TransportError {
    TransportError::new(TransportErrorKind::BodyTooLarge, format!("response body over the {max}-byte cap ({what})"))
}

/// Maps a failure to get a response head from hyper-util's client.
#[cfg(feature = "tokio")]
fn request_error(error: hyper_util::client::legacy::Error) -> TransportError {
    // A connector failure (DNS, TCP, TLS handshake, connect timeout): nothing was sent.
    let kind = if error.is_connect() { TransportErrorKind::Connect } else { hyper_kind(&error) };
    message_for(kind, error)
}

/// Maps a failure of hyper's own (on a connection this crate drives), `otherwise` when it
/// says nothing more precise.
#[cfg(feature = "smol")]
pub(crate) fn hyper_error(error: hyper::Error, otherwise: TransportErrorKind) -> TransportError {
    let kind = match hyper_kind(&error) {
        TransportErrorKind::Io => otherwise,
        kind => kind,
    };
    message_for(kind, error)
}

/// What a hyper error in `error`'s source chain says: a response head over the limits, a
/// timeout, or else [`Io`](TransportErrorKind::Io) (closed, reset or garbled after the request
/// was perhaps written).
fn hyper_kind(error: &(dyn StdError + 'static)) -> TransportErrorKind {
    match find::<hyper::Error>(error) {
        // The head is over the byte limit or has too many headers. `is_parse_too_large()`
        // exists only with hyper's `server` feature, which a client should not compile;
        // hyper's message for that parse error is "message head is too large".
        Some(e) if e.is_parse() && e.to_string().contains("too large") => TransportErrorKind::HeadersTooLarge,
        Some(e) if e.is_timeout() => TransportErrorKind::Timeout,
        _ => TransportErrorKind::Io,
    }
}

/// The transport error of `kind` for `error`, its message saying what failed.
fn message_for<E: StdError + Send + Sync + 'static>(kind: TransportErrorKind, error: E) -> TransportError {
    let message = match kind {
        TransportErrorKind::Connect => format!("could not connect: {}", chain(&error)),
        TransportErrorKind::HeadersTooLarge => format!("response head over the transport's limits: {}", chain(&error)),
        _ => chain(&error),
    };
    TransportError::new(kind, message).with_source(error)
}

/// Maps a failure while reading the response body (the request was certainly sent).
fn body_error(error: Box<dyn StdError + Send + Sync>, max: u64) -> TransportError {
    if error.downcast_ref::<LengthLimitError>().is_some() {
        return too_large(max, "read past the cap");
    }
    let mut e = TransportError::new(TransportErrorKind::Io, format!("reading the response body: {}", chain(&*error)));
    e.source = Some(error);
    e
}

/// The first error of type `E` in the source chain of `error` (itself included).
fn find<'a, E: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        next = e.source();
    }
    None
}

/// `error` and its sources, `: `-separated, without repeats (hyper-util's own message is
/// only "client error (Connect)"; the cause, e.g. a refused certificate, is further down).
pub(crate) fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(e) = next {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn chain_and_find_walk_sources() {
        let e = Outer(std::io::Error::new(std::io::ErrorKind::InvalidData, "invalid peer certificate: UnknownIssuer"));
        assert_eq!(chain(&e), "outer: invalid peer certificate: UnknownIssuer");
        assert!(find::<std::io::Error>(&e).is_some());
        assert!(find::<std::fmt::Error>(&e).is_none());
    }

    #[tokio::test]
    async fn body_errors_split_cap_from_io() {
        let body = Limited::new(Full::new(Bytes::from_static(&[b' '; 20])), 10);
        let over = body.collect().await.unwrap_err();
        assert_eq!(body_error(over, 10).kind, TransportErrorKind::BodyTooLarge);
        let reset: Box<dyn StdError + Send + Sync> =
            Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert_eq!(body_error(reset, 10).kind, TransportErrorKind::Io);
    }

    #[test]
    fn declared_length_is_read() {
        let mut h = http::HeaderMap::new();
        assert_eq!(content_length(&h), None);
        h.insert(header::CONTENT_LENGTH, http::HeaderValue::from_static(" 42"));
        assert_eq!(content_length(&h), Some(42));
    }
}
