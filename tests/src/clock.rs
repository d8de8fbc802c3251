//! A virtual clock for driving the core's call machine in tests: every wall-clock date maps to
//! one monotonic instant (a fixed base plus the date's offset from 2026-01-01), so moving the
//! date moves both clocks together; a test that steps only one of them builds [`Now`] itself.

use atlas_admin_core::Now;
use std::sync::LazyLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// 2026-01-01T00:00:00Z: dates before it share the base instant.
const ORIGIN: Duration = Duration::from_secs(1_767_225_600);

/// The monotonic instant that stands for 2026-01-01T00:00:00Z.
pub fn base() -> Instant {
    static BASE: LazyLock<Instant> = LazyLock::new(Instant::now);
    *BASE
}

/// Both clocks at the wall-clock date `wall`.
pub fn at(wall: SystemTime) -> Now {
    let offset = wall.duration_since(UNIX_EPOCH + ORIGIN).unwrap_or(Duration::ZERO);
    Now::new(base() + offset, wall)
}
