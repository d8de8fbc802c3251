//! The fake's data clock: what "now" is for invitation and user timestamps and for expiry.
//!
//! Tests move it ([`FakeAtlas::set_clock`](super::FakeAtlas::set_clock),
//! [`FakeAtlas::advance`](super::FakeAtlas::advance)) to reach states such as an expired
//! invitation without waiting. Authentication (nonce and token lifetimes, rate-limit windows)
//! keeps the monotonic clock, so moving this one never breaks a client's session.

use std::time::{Duration, SystemTime};

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

    /// Moves time forward by `d` (a frozen clock stays frozen).
    pub(crate) fn advance(&mut self, d: Duration) {
        *self = match *self {
            Clock::Real => Clock::Ahead(d),
            Clock::Ahead(a) => Clock::Ahead(a.saturating_add(d)),
            Clock::Fixed(t) => Clock::Fixed(t.checked_add(d).unwrap_or(t)),
        };
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
        r.advance(Duration::from_secs(3600));
        assert!(r.now() > SystemTime::now() + Duration::from_secs(3500));
    }
}
