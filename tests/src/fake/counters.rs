//! [`Counters`]: what the fake has seen, for tests to assert on.

use std::collections::BTreeMap;

/// A snapshot of what the server has seen since start (or the last
/// [`reset_counters`](super::FakeAtlas::reset_counters)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Every HTTP request received.
    pub requests: u64,
    /// Requests to `/api/atlas/v2/...`.
    pub api_requests: u64,
    /// operationId (`updateGroupInvites`, `listOrgInvites`, …) → count, for API requests that
    /// passed authentication and matched an operation.
    pub by_operation: BTreeMap<String, u64>,
    /// 401 responses carrying a Digest challenge (stale ones included).
    pub challenges: u64,
    /// 401 responses with `stale=true`.
    pub stale_challenges: u64,
    /// Digest requests refused because their (nonce, nc) pair was already used.
    pub replays_rejected: u64,
    /// Requests refused for wrong credentials (bad Digest response or user, unknown or
    /// expired bearer token).
    pub auth_failures: u64,
    /// `POST /api/oauth/token` requests (rate-limited ones included).
    pub token_requests: u64,
    /// Token requests answered 429.
    pub token_rate_limited: u64,
    /// Successful `POST /api/oauth/revoke` requests.
    pub revocations: u64,
}

impl Counters {
    /// The counters as JSON (served at `GET /__fake/counters` for scripts and other languages).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "requests": self.requests,
            "api_requests": self.api_requests,
            "by_operation": self.by_operation,
            "challenges": self.challenges,
            "stale_challenges": self.stale_challenges,
            "replays_rejected": self.replays_rejected,
            "auth_failures": self.auth_failures,
            "token_requests": self.token_requests,
            "token_rate_limited": self.token_rate_limited,
            "revocations": self.revocations,
        })
    }
}
