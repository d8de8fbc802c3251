//! When to retry, and how long to wait first.
//!
//! The rules: 429 and the invitation limiter's 400 `INVITATIONS_RATE_LIMITED_IP` mean the
//! request was not applied, so any operation may be retried. 502/503/504 and failures after
//! sending are retried only for idempotent operations (a gateway's 503 does not prove the
//! application did nothing).
//! A connect failure (nothing sent) is always retryable. A wait follows `Retry-After` exactly;
//! without one it is capped exponential backoff with jitter from the session's seed. A server
//! that asks for longer than `max_delay` is not waited for: the error comes back at once.

use crate::entropy::Entropy;
use crate::error::{INVITATIONS_RATE_LIMITED_IP, TransportErrorKind};
use http::StatusCode;
use std::time::Duration;

/// Limits on retries. All waits happen in the transport, as the core asks.
///
/// ```
/// use atlas_admin_core::RetryPolicy;
/// use std::time::Duration;
/// let p = RetryPolicy::default().with_max_attempts(3).with_max_total_wait(Duration::from_secs(10));
/// assert_eq!(p.max_attempts, 3);
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Requests per operation, first included (auth round trips do not count). 1 = no retry.
    pub max_attempts: u32,
    /// First backoff step without `Retry-After`; doubles per retry.
    pub base_delay: Duration,
    /// The longest single wait; a longer `Retry-After` ends the call with the error.
    pub max_delay: Duration,
    /// The most time one call may spend waiting in all (between attempts, and for another
    /// call's Digest challenge or token).
    pub max_total_wait: Duration,
    /// An optional bound on the whole call, from its first step: exchanges, waits and retries
    /// together. No retry is scheduled past it, a wait for another call ends at it, and each
    /// request says how much of it is left ([`Outgoing::time_left`](crate::Outgoing)).
    pub deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            max_total_wait: Duration::from_secs(120),
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Sets `max_attempts` (at least 1).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets `base_delay`.
    pub fn with_base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// Sets `max_delay`.
    pub fn with_max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Sets `max_total_wait`.
    pub fn with_max_total_wait(mut self, d: Duration) -> Self {
        self.max_total_wait = d;
        self
    }

    /// Sets the whole-call `deadline`.
    pub fn with_deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }

    /// The wait before the next attempt, or `None` to stop. `attempts` counts requests sent so
    /// far for the operation, `waited` the time already spent waiting.
    pub(crate) fn delay(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        waited: Duration,
        entropy: &mut Entropy,
    ) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let wait = match retry_after {
            Some(asked) if asked > self.max_delay => return None,
            Some(asked) => asked,
            None => {
                let exp =
                    self.base_delay.saturating_mul(1u32 << attempts.saturating_sub(1).min(20)).min(self.max_delay);
                // "Equal jitter": half fixed, half random, so waits never collapse to zero.
                // (Through f64 seconds, saturating: an uncapped policy must not panic.)
                let random = Duration::try_from_secs_f64(exp.as_secs_f64() * (entropy.next_f64() / 2.0))
                    .unwrap_or(Duration::ZERO)
                    .min(exp / 2);
                (exp / 2).saturating_add(random)
            }
        };
        (waited.saturating_add(wait) <= self.max_total_wait).then_some(wait)
    }
}

/// Whether an HTTP answer may be retried.
pub(crate) fn status_is_retryable(status: StatusCode, error_code: Option<&str>, idempotent: bool) -> bool {
    match status.as_u16() {
        429 => true,
        400 => error_code == Some(INVITATIONS_RATE_LIMITED_IP),
        502..=504 => idempotent,
        _ => false,
    }
}

/// Whether a transport failure may be retried.
pub(crate) fn transport_is_retryable(kind: TransportErrorKind, idempotent: bool) -> bool {
    match kind {
        TransportErrorKind::Connect => true,
        TransportErrorKind::Timeout | TransportErrorKind::Io => idempotent,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let p = RetryPolicy::default()
            .with_max_attempts(10)
            .with_base_delay(Duration::from_secs(1))
            .with_max_delay(Duration::from_secs(8))
            .with_max_total_wait(Duration::from_secs(1000));
        let mut e = Entropy::new(1);
        for attempt in 1..10u32 {
            let d = p.delay(attempt, None, Duration::ZERO, &mut e).unwrap();
            let exp = Duration::from_secs(1 << (attempt - 1).min(3));
            assert!(d >= exp / 2 && d <= exp, "attempt {attempt}: {d:?} vs {exp:?}");
        }
        assert_eq!(p.delay(10, None, Duration::ZERO, &mut e), None);
    }

    #[test]
    fn retry_after_is_obeyed_exactly_or_refused_when_too_long() {
        let p = RetryPolicy::default();
        let mut e = Entropy::new(1);
        assert_eq!(p.delay(1, Some(Duration::from_secs(3)), Duration::ZERO, &mut e), Some(Duration::from_secs(3)));
        assert_eq!(p.delay(1, Some(Duration::from_secs(36_000)), Duration::ZERO, &mut e), None);
        assert_eq!(p.delay(1, Some(Duration::from_secs(30)), Duration::from_secs(100), &mut e), None);
        assert_eq!(RetryPolicy::none().delay(1, Some(Duration::ZERO), Duration::ZERO, &mut e), None);
    }

    #[test]
    fn what_is_retryable() {
        let s = |c| StatusCode::from_u16(c).unwrap();
        assert!(status_is_retryable(s(429), None, false));
        assert!(status_is_retryable(s(400), Some(INVITATIONS_RATE_LIMITED_IP), false));
        assert!(!status_is_retryable(s(400), Some("VALIDATION_ERROR"), true));
        assert!(status_is_retryable(s(503), None, true));
        assert!(!status_is_retryable(s(503), None, false));
        assert!(!status_is_retryable(s(503), None, false), "a create is not re-sent after a 503");
        assert!(!status_is_retryable(s(502), None, false));
        assert!(status_is_retryable(s(502), None, true));
        assert!(!status_is_retryable(s(500), None, true));
        assert!(!status_is_retryable(s(404), None, true));
        assert!(transport_is_retryable(TransportErrorKind::Connect, false));
        assert!(!transport_is_retryable(TransportErrorKind::Io, false));
        assert!(transport_is_retryable(TransportErrorKind::Io, true));
        assert!(!transport_is_retryable(TransportErrorKind::BodyTooLarge, true));
    }
}
