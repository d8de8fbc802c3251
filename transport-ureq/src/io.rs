//! Moving one request over ureq, and mapping what goes wrong to [`TransportErrorKind`]s.
//!
//! The kind decides whether the core may retry a non-idempotent operation, so the mapping
//! errs on the side of "may have been sent" ([`TransportErrorKind::Io`]) whenever ureq's
//! error does not prove that nothing left the machine.

use atlas_admin_core::{TransportError, TransportErrorKind};
use http::Method;
use std::io;
use std::time::Duration;
use ureq::{Agent, Body, Timeout};

/// A configured ureq agent plus the response size cap and the per-exchange timeout.
#[derive(Clone)]
pub(crate) struct Transport {
    pub(crate) agent: Agent,
    pub(crate) max_body: u64,
    /// The whole-exchange timeout the agent was built with.
    pub(crate) timeout: Duration,
}

impl Transport {
    /// Sends one request and reads the whole response, body capped at `max_body` bytes, within
    /// the exchange timeout or `time_left` of the call's deadline, whichever is shorter.
    pub(crate) fn send(
        &self,
        request: http::Request<Vec<u8>>,
        time_left: Option<Duration>,
    ) -> Result<http::Response<Vec<u8>>, TransportError> {
        let request = match time_left.filter(|left| *left < self.timeout) {
            Some(left) => self.agent.configure_request(request).timeout_global(Some(left)).build(),
            None => request,
        };
        // An empty body on GET/DELETE goes out without `Content-Length: 0`, as the core meant.
        let sent = if request.body().is_empty() && !takes_body(request.method()) {
            self.agent.run(request.map(|_| ()))
        } else {
            self.agent.run(request)
        };
        let (parts, body) = sent.map_err(|e| transport_error(e, Phase::Exchange))?.into_parts();
        let body = read_body(body, self.max_body)?;
        Ok(http::Response::from_parts(parts, body))
    }
}

fn takes_body(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS)
}

/// Reads the body, refusing more than `max` bytes (after any content decoding).
fn read_body(body: Body, max: u64) -> Result<Vec<u8>, TransportError> {
    if let Some(declared) = body.content_length().filter(|&n| n > max) {
        return Err(too_large(max, &format!("Content-Length is {declared}")));
    }
    body.into_with_config().limit(max).read_to_vec().map_err(|e| transport_error(e, Phase::Body { max }))
}

fn too_large(max: u64, what: &str) -> TransportError {
    TransportError::new(TransportErrorKind::BodyTooLarge, format!("response body over the {max}-byte cap ({what})"))
}

/// Where in the exchange an error happened.
#[derive(Clone, Copy)]
enum Phase {
    /// Connecting, sending, or receiving the response head.
    Exchange,
    /// Reading the response body (the request was certainly sent).
    Body { max: u64 },
}

/// Maps a ureq error to the core's transport error, keeping it as the source.
fn transport_error(error: ureq::Error, phase: Phase) -> TransportError {
    use TransportErrorKind as K;
    let kind = match (&error, phase) {
        (ureq::Error::BodyExceedsLimit(_), Phase::Body { max }) => return too_large(max, "read past the cap"),
        (_, Phase::Body { .. }) if !matches!(error, ureq::Error::Timeout(_)) => K::Io,
        // Nothing was sent: no address, no connection, no TLS session, no proxy tunnel.
        (
            ureq::Error::HostNotFound
            | ureq::Error::ConnectionFailed
            | ureq::Error::ConnectProxyFailed(_)
            | ureq::Error::Tls(_)
            | ureq::Error::Pem(_)
            | ureq::Error::Rustls(_)
            | ureq::Error::TlsRequired
            | ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect),
            _,
        ) => K::Connect,
        (ureq::Error::Timeout(_), _) => K::Timeout,
        (ureq::Error::Io(e), _) => io_kind(e),
        // The response head is over the byte limit, or has more headers than ureq parses
        // (`ureq_proto::Error::HttpParseTooManyHeaders`, not re-exported by ureq).
        (ureq::Error::LargeResponseHeader(..), _) => K::HeadersTooLarge,
        (ureq::Error::Protocol(e), _) if e.to_string().contains("too many headers") => K::HeadersTooLarge,
        // The request was (perhaps) sent and the answer was not HTTP we can read.
        (ureq::Error::Protocol(_) | ureq::Error::Decompress(..) | ureq::Error::BodyStalled, _) => K::Io,
        // Refused before anything was sent: the request itself cannot go out.
        (
            ureq::Error::Http(_)
            | ureq::Error::BadUri(_)
            | ureq::Error::RequireHttpsOnly(_)
            | ureq::Error::InvalidProxyUrl
            | ureq::Error::BodyExceedsLimit(_),
            _,
        ) => K::Refused,
        _ => K::Other,
    };
    let message = match kind {
        K::Connect => format!("could not connect: {error}"),
        K::Timeout => format!("timed out: {error}"),
        K::HeadersTooLarge => format!("response head over the transport's limits: {error}"),
        _ => error.to_string(),
    };
    TransportError::new(kind, message).with_source(error)
}

/// The kind of a socket error, judged by what it says about the connection.
fn io_kind(e: &io::Error) -> TransportErrorKind {
    use io::ErrorKind as E;
    match e.kind() {
        E::ConnectionRefused | E::HostUnreachable | E::NetworkUnreachable | E::NetworkDown | E::AddrNotAvailable => {
            TransportErrorKind::Connect
        }
        E::TimedOut | E::WouldBlock => TransportErrorKind::Timeout,
        _ if is_handshake_failure(e) => TransportErrorKind::Connect,
        _ => TransportErrorKind::Io,
    }
}

/// Whether `e` is a rustls error that only a TLS handshake produces (certificate refused,
/// no common protocol, a handshake alert). ureq completes the handshake before it writes the
/// request, so these prove nothing was sent. Errors that can also occur on an established
/// session (bad records, decryption failures) are left as [`TransportErrorKind::Io`].
fn is_handshake_failure(e: &io::Error) -> bool {
    use rustls::AlertDescription as A;
    let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) else {
        return false;
    };
    match tls {
        rustls::Error::InvalidCertificate(_)
        | rustls::Error::NoCertificatesPresented
        | rustls::Error::UnsupportedNameType
        | rustls::Error::InvalidCertRevocationList(_)
        | rustls::Error::PeerIncompatible(_)
        | rustls::Error::InappropriateHandshakeMessage { .. }
        | rustls::Error::InvalidEncryptedClientHello(_)
        | rustls::Error::NoApplicationProtocol
        | rustls::Error::HandshakeNotComplete => true,
        rustls::Error::AlertReceived(alert) => matches!(
            alert,
            A::HandshakeFailure
                | A::BadCertificate
                | A::UnsupportedCertificate
                | A::CertificateRevoked
                | A::CertificateExpired
                | A::CertificateUnknown
                | A::UnknownCA
                | A::ProtocolVersion
                | A::InsufficientSecurity
                | A::UnrecognisedName
                | A::MissingExtension
                | A::UnsupportedExtension
                | A::CertificateRequired
                | A::NoApplicationProtocol
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_errors_map_by_what_they_prove() {
        let kind = |k| io_kind(&io::Error::from(k));
        assert_eq!(kind(io::ErrorKind::ConnectionRefused), TransportErrorKind::Connect);
        assert_eq!(kind(io::ErrorKind::NetworkUnreachable), TransportErrorKind::Connect);
        assert_eq!(kind(io::ErrorKind::TimedOut), TransportErrorKind::Timeout);
        assert_eq!(kind(io::ErrorKind::ConnectionReset), TransportErrorKind::Io);
        assert_eq!(kind(io::ErrorKind::UnexpectedEof), TransportErrorKind::Io);
        assert_eq!(kind(io::ErrorKind::BrokenPipe), TransportErrorKind::Io);
    }

    #[test]
    fn tls_errors_split_handshake_from_session() {
        let wrap = |e: rustls::Error| io::Error::new(io::ErrorKind::InvalidData, e);
        let cert = wrap(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer));
        assert_eq!(io_kind(&cert), TransportErrorKind::Connect);
        let alert = wrap(rustls::Error::AlertReceived(rustls::AlertDescription::HandshakeFailure));
        assert_eq!(io_kind(&alert), TransportErrorKind::Connect);
        assert_eq!(io_kind(&wrap(rustls::Error::DecryptError)), TransportErrorKind::Io);
    }

    #[test]
    fn ureq_errors_map_to_kinds() {
        let kind = |e, phase| transport_error(e, phase).kind;
        let body = Phase::Body { max: 10 };
        assert_eq!(kind(ureq::Error::HostNotFound, Phase::Exchange), TransportErrorKind::Connect);
        assert_eq!(kind(ureq::Error::Timeout(Timeout::Connect), Phase::Exchange), TransportErrorKind::Connect);
        assert_eq!(kind(ureq::Error::Timeout(Timeout::Global), Phase::Exchange), TransportErrorKind::Timeout);
        assert_eq!(kind(ureq::Error::Timeout(Timeout::Global), body), TransportErrorKind::Timeout);
        assert_eq!(kind(ureq::Error::BodyExceedsLimit(10), body), TransportErrorKind::BodyTooLarge);
        let head = ureq::Error::LargeResponseHeader(70_000, 65_536);
        assert_eq!(kind(head, Phase::Exchange), TransportErrorKind::HeadersTooLarge);
        assert_eq!(kind(ureq::Error::BadUri("x".into()), Phase::Exchange), TransportErrorKind::Refused);
        let reset = ureq::Error::Io(io::ErrorKind::ConnectionReset.into());
        assert_eq!(kind(reset, body), TransportErrorKind::Io);
        // While reading the body nothing can be "not sent" any more.
        let refused = ureq::Error::Io(io::ErrorKind::ConnectionRefused.into());
        assert_eq!(kind(refused, body), TransportErrorKind::Io);
    }
}
