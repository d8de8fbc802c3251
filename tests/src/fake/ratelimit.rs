//! The headers Atlas puts on API responses: `Ratelimit-Limit` and a `Ratelimit-Remaining` that
//! counts down (and refills each minute) on all, `Deprecation` and `Sunset` on deprecated
//! versions (every invitation operation, the 2023-01-01 variants of the Cloud Users lists).

use super::body::FakeBody;
use super::routes::Scope;
use http::Response;
use http::header::{HeaderName, HeaderValue};
use std::time::{Duration, Instant};

const DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
const SUNSET: HeaderName = HeaderName::from_static("sunset");
const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const REFILL: Duration = Duration::from_secs(60);

/// Observed values per scope: (Deprecation, limit).
fn scope_facts(scope: Scope) -> (&'static str, u32) {
    match scope {
        Scope::Project => ("Wed, 4 Oct 2023 00:00:00 GMT", 1200),
        Scope::Org => ("Wed, 19 Feb 2025 00:00:00 GMT", 500),
    }
}

struct Budget {
    remaining: u32,
    since: Option<Instant>,
}

impl Budget {
    fn spend(&mut self, limit: u32, now: Instant) -> u32 {
        if self.since.is_none_or(|s| now.saturating_duration_since(s) >= REFILL) {
            self.remaining = limit;
            self.since = Some(now);
        }
        self.remaining = self.remaining.saturating_sub(1);
        self.remaining
    }
}

/// The per-scope request budgets behind `Ratelimit-Remaining`.
pub(crate) struct Budgets {
    project: Budget,
    org: Budget,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets { project: Budget { remaining: 0, since: None }, org: Budget { remaining: 0, since: None } }
    }
}

impl Budgets {
    /// Counts one request of `scope`; the remaining budget.
    pub(crate) fn spend(&mut self, scope: Scope, now: Instant) -> u32 {
        let limit = scope_facts(scope).1;
        match scope {
            Scope::Project => self.project.spend(limit, now),
            Scope::Org => self.org.spend(limit, now),
        }
    }
}

/// Adds the rate-limit headers of `scope` to `resp`, and the deprecation ones if `deprecated`.
pub(crate) fn add_headers(resp: &mut Response<FakeBody>, scope: Scope, remaining: u32, deprecated: bool) {
    let (deprecation, limit) = scope_facts(scope);
    let h = resp.headers_mut();
    if deprecated {
        h.insert(DEPRECATION, HeaderValue::from_static(deprecation));
        h.insert(SUNSET, HeaderValue::from_static("Thu, 1 Jul 2027 00:00:00 GMT"));
    }
    h.insert(RATELIMIT_LIMIT, HeaderValue::from(limit));
    h.insert(RATELIMIT_REMAINING, HeaderValue::from(remaining));
}

/// Adds `Deprecation` and `Sunset` with these values (the generic behaviour's, per endpoint
/// version).
pub(crate) fn add_sunset(resp: &mut Response<FakeBody>, deprecation: &str, sunset: &str) {
    let h = resp.headers_mut();
    if let (Ok(d), Ok(s)) = (HeaderValue::from_str(deprecation), HeaderValue::from_str(sunset)) {
        h.insert(DEPRECATION, d);
        h.insert(SUNSET, s);
    }
}
