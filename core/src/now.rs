//! The time input of the core: a monotonic instant schedules waits and timeouts, the wall
//! clock only reads dates (an HTTP-date `Retry-After`, `Sunset`, metadata).

use std::time::{Duration, Instant, SystemTime};

/// "Now", as the transport (or a virtual clock in tests) reads it.
///
/// Waits, token lifetimes and lease timeouts are measured on `instant`, so a wall clock
/// stepped back or forward does not stretch or skip them; `wall` resolves dates only.
///
/// A transport reads both of the system's clocks when it calls in; a test's
/// virtual clock starts at any instant and moves with [`Now::advance`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// Monotonic time: schedules every wait.
    pub instant: Instant,
    /// Wall-clock time: resolves dates.
    pub wall: SystemTime,
}

impl Now {
    /// A reading of both clocks.
    pub fn new(instant: Instant, wall: SystemTime) -> Self {
        Now { instant, wall }
    }

    /// Both clocks moved on by `d` (a virtual clock's tick). A step past the end of either
    /// clock's range leaves that clock where it is.
    #[must_use]
    pub fn advance(self, d: Duration) -> Self {
        Now {
            instant: self.instant.checked_add(d).unwrap_or(self.instant),
            wall: self.wall.checked_add(d).unwrap_or(self.wall),
        }
    }
}

/// Whether `now` is less than `limit` after `since` (or before it); never overflows.
pub(crate) fn within(now: Instant, since: Instant, limit: Duration) -> bool {
    now.checked_duration_since(since).is_none_or(|elapsed| elapsed < limit)
}

/// `now + d` is [`Now::advance`]: both clocks move on (a virtual clock's tick).
impl std::ops::Add<Duration> for Now {
    type Output = Now;

    fn add(self, d: Duration) -> Now {
        self.advance(d)
    }
}

impl std::ops::AddAssign<Duration> for Now {
    fn add_assign(&mut self, d: Duration) {
        *self = self.advance(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_both_clocks_and_saturates_instead_of_panicking() {
        let t0 = Now::new(Instant::now(), SystemTime::UNIX_EPOCH);
        let t1 = t0 + Duration::from_secs(2);
        assert_eq!((t1.instant - t0.instant, t1.wall), (Duration::from_secs(2), t0.wall + Duration::from_secs(2)));
        let far = t0.advance(Duration::MAX);
        assert_eq!(far, t0, "a step past the end of both clocks leaves them where they were");
        assert!(within(t0.instant, t1.instant, Duration::ZERO), "a time before `since` is within");
        assert!(!within(t1.instant, t0.instant, Duration::from_secs(2)));
    }
}
