//! The shared auth state of one session: the cached Digest challenge with its nonce count,
//! the OAuth token, and how concurrent calls share one Digest probe or one token fetch.
//!
//! A probe or a token fetch is a [`Flight`]: one call leads it, the others wait for its
//! outcome and all learn it at once (a numbered generation), so a failure is never re-tried
//! serially by each waiter in turn: each waiter counts it as its own failed attempt and goes
//! through its own retry policy.

pub mod oauth;

use crate::digest::{Challenge, Ha1, ResponseInput};
use crate::entropy::Entropy;
use crate::error::{ApiError, AuthError, ChallengeError, DecodeError, Error, TransportError, TransportErrorKind};
use crate::now::within;
use crate::secret::Secret;
use http::HeaderValue;
use oauth::TokenCache;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a probe may be in flight before another call takes over (its holder vanished
/// without being dropped). Longer than the default exchange timeout; a dropped call releases
/// its lease at once.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(90);

/// A failure of a shared request, as every call that waited on it sees it.
#[derive(Clone, Debug)]
pub(crate) enum SharedFailure {
    Api(Box<ApiError>),
    Decode(Box<DecodeError>),
    Auth(AuthError),
    Challenge(ChallengeError),
    Transport(TransportErrorKind, String),
}

impl SharedFailure {
    /// What waiters learn of `error` (a transport error's source stays with the leader).
    pub(crate) fn of(error: &Error) -> Option<SharedFailure> {
        Some(match error {
            Error::Api(a) => SharedFailure::Api(a.clone()),
            Error::Decode(d) => SharedFailure::Decode(d.clone()),
            Error::Authentication(a) => SharedFailure::Auth(a.clone()),
            Error::UnsupportedChallenge(c) => SharedFailure::Challenge(c.clone()),
            Error::Transport(t) => SharedFailure::Transport(t.kind, t.message.clone()),
            _ => return None,
        })
    }

    /// The waiter's own copy of the failure. A probe's failure is the answer to the leader's
    /// request, named after the leader's operation: with `operation`, the waiter gets it under
    /// its own (a waiter of `updateGroupInvites` is not told `createGroupInvite: HTTP 403`).
    pub(crate) fn to_error(&self, operation: Option<&'static str>) -> Error {
        match self {
            SharedFailure::Api(a) => {
                let mut a = a.clone();
                a.operation = operation.unwrap_or(a.operation);
                Error::Api(a)
            }
            SharedFailure::Decode(d) => {
                let mut d = d.clone();
                d.operation = operation.unwrap_or(d.operation);
                Error::Decode(d)
            }
            SharedFailure::Auth(a) => Error::Authentication(a.clone()),
            SharedFailure::Challenge(c) => Error::UnsupportedChallenge(c.clone()),
            SharedFailure::Transport(kind, message) => Error::Transport(TransportError::new(*kind, message.clone())),
        }
    }
}

/// Whether the failed answer to an unsigned Digest probe is every waiting call's answer too,
/// so they all fail with it at once instead of each probing in turn: one that may pass later
/// (429, 502-504, a transport failure: each waiter then backs off under its own policy), or
/// one that says nothing about the probe's own request (a 403 such as an IP access list, a
/// 407, any 5xx), whether Atlas wrote the body or a proxy did (e.g. its HTML page). Other
/// answers are the leader's alone, and each waiter sends its own request: a 404 of the
/// leader's resource, a 409, a proxy's 413 or 414 about the leader's body or URI, and a 3xx
/// (a redirect may be about the leader's path; the server did not ask for credentials).
pub(crate) fn probe_failure_is_shared(error: &Error) -> bool {
    let not_about_the_request =
        |status: http::StatusCode| matches!(status.as_u16(), 403 | 407) || status.is_server_error();
    error.is_retryable()
        || match error {
            Error::Api(a) => not_about_the_request(a.status),
            Error::Decode(d) => not_about_the_request(d.status),
            _ => false,
        }
}

/// One request that concurrent calls share (a Digest probe or a token fetch): at most one
/// in the air, numbered by generation.
#[derive(Debug, Default)]
pub(crate) struct Flight {
    /// The generation in the air and when it took off.
    airborne: Option<(u64, Instant)>,
    last: u64,
    /// The latest generation that failed, with what its waiters learn.
    failed: Option<(u64, SharedFailure)>,
}

/// Whether a call leads a flight or waits for one.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Board {
    Lead(u64),
    Wait(u64),
}

/// What became of an awaited flight.
#[derive(Debug)]
pub(crate) enum Outcome {
    Pending,
    Failed(SharedFailure),
    /// Landed without a shared failure (succeeded, or its leader gave up quietly).
    Landed,
}

impl Flight {
    /// Joins the flight in the air, or leads a new one if none is (or its holder vanished).
    pub(crate) fn board(&mut self, now: Instant, timeout: Duration) -> Board {
        if let Some((id, since)) = self.airborne {
            if within(now, since, timeout) {
                return Board::Wait(id);
            }
        }
        self.last += 1;
        self.airborne = Some((self.last, now));
        Board::Lead(self.last)
    }

    /// What became of generation `id`.
    pub(crate) fn outcome(&self, id: u64, now: Instant, timeout: Duration) -> Outcome {
        if let Some((airborne, since)) = self.airborne {
            if airborne == id && within(now, since, timeout) {
                return Outcome::Pending;
            }
        }
        match &self.failed {
            Some((failed, failure)) if *failed >= id => Outcome::Failed(failure.clone()),
            _ => Outcome::Landed,
        }
    }

    /// Ends generation `id`; with `failure`, every call waiting on it fails with it.
    pub(crate) fn land(&mut self, id: u64, failure: Option<SharedFailure>) {
        if self.airborne.is_some_and(|(a, _)| a == id) {
            self.airborne = None;
        }
        // A late failure of an overtaken, older generation never replaces a newer one's.
        if let Some(f) = failure.filter(|_| self.failed.as_ref().is_none_or(|(newest, _)| id >= *newest)) {
            self.failed = Some((id, f));
        }
    }

    /// Whether a flight is in the air.
    #[cfg(test)]
    pub(crate) fn is_airborne(&self) -> bool {
        self.airborne.is_some()
    }
}

/// A cached Digest challenge with what the session's credentials make of it (HA1), shared
/// by every request signed with it.
#[derive(Debug)]
pub(crate) struct DigestKey {
    pub(crate) challenge: Challenge,
    ha1: Ha1,
    /// A request signed with this nonce got past authentication: a later 401 with the same
    /// nonce is then more likely an nc the server took out of order than wrong keys.
    proven: AtomicBool,
}

impl DigestKey {
    pub(crate) fn mark_proven(&self) {
        self.proven.store(true, Ordering::Relaxed);
    }

    pub(crate) fn is_proven(&self) -> bool {
        self.proven.load(Ordering::Relaxed)
    }
}

/// The cached Digest challenge and the next nonce count to use with it.
#[derive(Debug)]
struct DigestCache {
    key: Arc<DigestKey>,
    next_nc: u32,
}

/// What a Digest call does next.
#[derive(Debug)]
pub(crate) enum DigestStep {
    /// Send with this `Authorization`, answering this challenge.
    Signed(HeaderValue, Arc<DigestKey>),
    /// The server does not challenge: send unsigned.
    Unsigned,
    /// Send unsigned to fetch the first challenge, leading probe `id`.
    Probe(u64),
    /// Another call's probe `id` is in flight.
    Wait(u64),
    /// The awaited probe failed.
    Failed(SharedFailure),
}

/// What a request to sign looks like.
pub(crate) struct ToSign<'a> {
    pub(crate) method: &'a str,
    pub(crate) uri: &'a str,
    pub(crate) public_key: &'a str,
    pub(crate) private_key: &'a Secret,
}

/// The mutable auth state of a session (behind its lock).
#[derive(Debug)]
pub(crate) struct AuthState {
    digest: Option<DigestCache>,
    probe: Flight,
    /// A probe was answered 2xx without a challenge: the server does not ask, so calls go
    /// unsigned without waiting for one another.
    unchallenged: bool,
    pub(crate) token: TokenCache,
    pub(crate) entropy: Entropy,
}

impl AuthState {
    pub(crate) fn new(seed: u64) -> Self {
        AuthState {
            digest: None,
            probe: Flight::default(),
            unchallenged: false,
            token: TokenCache::default(),
            entropy: Entropy::new(seed),
        }
    }

    /// Signs with the cached challenge (taking the next nc), or says how to get one:
    /// lead a probe, or wait for the one `awaiting` (or another in the air).
    pub(crate) fn digest_step(
        &mut self,
        now: Instant,
        awaiting: Option<u64>,
    ) -> Result<(Arc<DigestKey>, u32, [u8; 32]), DigestStep> {
        if self.digest.as_ref().is_some_and(|c| c.next_nc == u32::MAX) {
            self.digest = None; // nc exhausted: start over with a fresh challenge
        }
        if let Some(cache) = self.digest.as_mut() {
            let nc = cache.next_nc;
            cache.next_nc += 1;
            return Ok((Arc::clone(&cache.key), nc, self.entropy.cnonce()));
        }
        if self.unchallenged {
            return Err(DigestStep::Unsigned);
        }
        if let Some(id) = awaiting {
            match self.probe.outcome(id, now, PROBE_TIMEOUT) {
                Outcome::Pending => return Err(DigestStep::Wait(id)),
                Outcome::Failed(f) => return Err(DigestStep::Failed(f)),
                Outcome::Landed => {}
            }
        }
        Err(match self.probe.board(now, PROBE_TIMEOUT) {
            Board::Lead(id) => DigestStep::Probe(id),
            Board::Wait(id) => DigestStep::Wait(id),
        })
    }

    /// Ends probe `id`: `unchallenged` if it was answered 2xx without a challenge; with
    /// `failure`, the calls waiting on it fail with it.
    pub(crate) fn land_probe(&mut self, id: u64, unchallenged: bool, failure: Option<SharedFailure>) {
        self.probe.land(id, failure);
        self.unchallenged |= unchallenged;
    }

    /// Caches a challenge with its HA1. A new nonce restarts nc at 1; the same nonce keeps counting.
    pub(crate) fn store_challenge(&mut self, challenge: Challenge, ha1: Ha1) {
        self.unchallenged = false;
        if self.digest.as_ref().is_some_and(|d| d.key.challenge.nonce == challenge.nonce) {
            return;
        }
        self.digest = Some(DigestCache {
            key: Arc::new(DigestKey { challenge, ha1, proven: AtomicBool::new(false) }),
            next_nc: 1,
        });
    }
}

/// The `Authorization` header answering `key` for `request` with nonce count `nc`.
pub(crate) fn sign(key: &DigestKey, request: &ToSign<'_>, nc: u32, cnonce: &[u8; 32]) -> Result<HeaderValue, Error> {
    let header = key.ha1.authorization(
        &key.challenge,
        &ResponseInput {
            username: request.public_key,
            password: request.private_key.expose(),
            method: request.method,
            uri: request.uri,
            nc,
            cnonce: std::str::from_utf8(cnonce).unwrap_or_default(),
        },
    );
    let mut value = HeaderValue::try_from(header).map_err(|_| {
        Error::UnsupportedChallenge(ChallengeError::new("the challenge cannot be answered in a header", None))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// `Bearer <token>`, marked sensitive.
pub(crate) fn bearer(token: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| Error::Usage("token cannot be sent in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_flight_is_learned_by_every_waiter_at_once() {
        let t0 = Instant::now();
        let mut f = Flight::default();
        let Board::Lead(id) = f.board(t0, PROBE_TIMEOUT) else { panic!("first call leads") };
        assert_eq!(f.board(t0, PROBE_TIMEOUT), Board::Wait(id));
        assert!(matches!(f.outcome(id, t0, PROBE_TIMEOUT), Outcome::Pending));
        f.land(id, Some(SharedFailure::Transport(TransportErrorKind::Timeout, "slow".into())));
        assert!(!f.is_airborne());
        for _ in 0..3 {
            assert!(matches!(f.outcome(id, t0, PROBE_TIMEOUT), Outcome::Failed(_)));
        }
        // The next flight is a new generation; its success does not undo the old failure.
        let Board::Lead(next) = f.board(t0, PROBE_TIMEOUT) else { panic!() };
        f.land(next, None);
        assert!(next > id && matches!(f.outcome(next, t0, PROBE_TIMEOUT), Outcome::Landed));
        // A leader that vanished is overtaken after the timeout.
        let Board::Lead(stuck) = f.board(t0, PROBE_TIMEOUT) else { panic!() };
        assert!(matches!(f.outcome(stuck, t0 + PROBE_TIMEOUT, PROBE_TIMEOUT), Outcome::Landed));
        assert!(matches!(f.board(t0 + PROBE_TIMEOUT, PROBE_TIMEOUT), Board::Lead(n) if n > stuck));
    }

    /// Review finding: the late failure of an overtaken leader must not replace the failure of
    /// the newer generation its waiters are waiting on.
    #[test]
    fn a_late_failure_of_an_older_flight_does_not_hide_a_newer_one() {
        let t0 = Instant::now();
        let mut f = Flight::default();
        let Board::Lead(old) = f.board(t0, PROBE_TIMEOUT) else { panic!() };
        let Board::Lead(new) = f.board(t0 + PROBE_TIMEOUT, PROBE_TIMEOUT) else { panic!("overtaken") };
        f.land(new, Some(SharedFailure::Transport(TransportErrorKind::Timeout, "new".into())));
        f.land(old, Some(SharedFailure::Transport(TransportErrorKind::Io, "old".into())));
        assert!(matches!(f.outcome(new, t0 + PROBE_TIMEOUT, PROBE_TIMEOUT), Outcome::Failed(_)));
    }
}
