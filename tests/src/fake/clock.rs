//! The fake's data clock: what "now" is for invitation and user timestamps and for expiry.
//!
//! Tests move it ([`FakeAtlas::set_clock`](super::FakeAtlas::set_clock),
//! [`FakeAtlas::advance`](super::FakeAtlas::advance)) to reach states such as an expired
//! invitation without waiting. Authentication (nonce and token lifetimes, rate-limit windows)
//! keeps the monotonic clock, so moving this one never breaks a client's session.

use std::time::{Duration, SystemTime};

/// The latest instant the fake's clock reaches: 9999-12-31T23:59:59Z, the last an RFC 3339
/// time (what the fake answers) can write.
const LATEST_SECS: u64 = 253_402_300_799;

/// Wall clock plus an offset, or a frozen instant.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) enum Clock {
    /// `SystemTime::now() + offset`.
    #[default]
    Real,
    /// The wall clock moved forward by this much.
    Ahead(Duration),
    /// Frozen at this instant until set or advanced again.
    Fixed(SystemTime),
}

impl Clock {
    pub(crate) fn now(&self) -> SystemTime {
        match *self {
            Clock::Real => SystemTime::now(),
            Clock::Ahead(d) => SystemTime::now().checked_add(d).unwrap_or_else(SystemTime::now),
            Clock::Fixed(t) => t,
        }
    }

    /// Moves time forward by `d` (a frozen clock stays frozen); `false`, and the clock left
    /// where it was, if that is past 9999-12-31T23:59:59Z (no saturating: a saturated offset
    /// would stop the clock from moving again).
    pub(crate) fn advance(&mut self, d: Duration) -> bool {
        let latest = SystemTime::UNIX_EPOCH + Duration::from_secs(LATEST_SECS);
        let moved = match *self {
            Clock::Real => Some(Clock::Ahead(d)),
            Clock::Ahead(a) => a.checked_add(d).map(Clock::Ahead),
            Clock::Fixed(t) => t.checked_add(d).map(Clock::Fixed),
        };
        let within = |c: &Clock| match *c {
            Clock::Ahead(a) => SystemTime::now().checked_add(a).is_some_and(|t| t <= latest),
            Clock::Fixed(t) => t <= latest,
            Clock::Real => true,
        };
        match moved.filter(within) {
            Some(c) => {
                *self = c;
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn fixed_and_advanced() {
        let t = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut c = Clock::Fixed(t);
        c.advance(Duration::from_secs(5));
        assert_eq!(c.now(), t + Duration::from_secs(5));
        let mut r = Clock::Real;
        assert!(r.advance(Duration::from_secs(3600)));
        assert!(r.now() > SystemTime::now() + Duration::from_secs(3500));
    }

    /// Review finding 3: a step past what the clock can write is refused and leaves it where
    /// it was, so a later small step still moves it.
    #[test]
    fn a_huge_step_is_refused() {
        for mut c in [Clock::Real, Clock::Fixed(UNIX_EPOCH + Duration::from_secs(1_800_000_000))] {
            assert!(!c.advance(Duration::from_secs(u64::MAX)));
            assert!(!c.advance(Duration::MAX));
            let before = c.now();
            assert!(c.advance(Duration::from_secs(86_400)));
            assert!(c.now() >= before + Duration::from_secs(86_000), "{c:?}");
        }
    }
}
