//! OAuth 2.0 client credentials for service accounts: `POST /api/oauth/token`,
//! `POST /api/oauth/revoke`, the issued bearer tokens and the token endpoint's rate limit.

use super::body::FakeBody;
use super::config::FakeConfig;
use super::counters::Counters;
use super::random;
use super::reply::{self, json_response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::{AUTHORIZATION, CACHE_CONTROL, HeaderValue, RETRY_AFTER};
use http::{HeaderMap, Response, StatusCode};
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// At most this many live tokens; expired ones are dropped first, then the oldest.
const MAX_TOKENS: usize = 10_000;
const WINDOW: Duration = Duration::from_secs(60);

/// Issued tokens and the token endpoint's rolling window.
#[derive(Default)]
pub(crate) struct TokenStore {
    /// token → expiry.
    tokens: HashMap<String, Instant>,
    order: VecDeque<String>,
    /// Instants of the token requests in the last minute that were not rate limited.
    window: VecDeque<Instant>,
}

impl TokenStore {
    /// Whether `token` was issued here, is unexpired and not revoked.
    pub(crate) fn is_valid(&self, token: &str, now: Instant) -> bool {
        self.tokens.get(token).is_some_and(|&expiry| now < expiry)
    }

    /// Forgets every token (they answer 401 from now on).
    pub(crate) fn expire_all(&mut self) {
        self.tokens.clear();
        self.order.clear();
    }

    fn issue(&mut self, lifetime: Duration, now: Instant) -> String {
        self.tokens.retain(|_, expiry| now < *expiry);
        let tokens = &self.tokens;
        self.order.retain(|t| tokens.contains_key(t));
        while self.order.len() >= MAX_TOKENS {
            if let Some(old) = self.order.pop_front() {
                self.tokens.remove(&old);
            }
        }
        let token = random::token();
        self.tokens.insert(token.clone(), now + lifetime);
        self.order.push_back(token.clone());
        token
    }

    /// `Some(retry_after)` if this request exceeds `limit` per rolling minute; otherwise
    /// records it.
    fn rate_limit(&mut self, limit: u32, now: Instant) -> Option<Duration> {
        if limit == 0 {
            return None;
        }
        while self.window.front().is_some_and(|&t| now.saturating_duration_since(t) >= WINDOW) {
            self.window.pop_front();
        }
        if self.window.len() >= limit as usize {
            let oldest = self.window.front().copied().unwrap_or(now);
            return Some(WINDOW.saturating_sub(now.saturating_duration_since(oldest)));
        }
        self.window.push_back(now);
        None
    }
}

/// Whether the `Authorization: Basic` header names this client. Both the raw and the
/// form-urlencoded forms of id and secret are accepted (the Go SDK and the core encode them).
fn basic_ok(headers: &HeaderMap, config: &FakeConfig) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((scheme, b64)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = STANDARD.decode(b64.trim()) else {
        return false;
    };
    let Ok(pair) = String::from_utf8(decoded) else {
        return false;
    };
    let Some((id, secret)) = pair.split_once(':') else {
        return false;
    };
    let unescape = |s: &str| -> String {
        form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
    };
    let matches = |given: &str, want: &str| given == want || unescape(given) == want;
    matches(id, &config.client_id) && matches(secret, &config.client_secret)
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response<FakeBody> {
    let mut r =
        json_response(status, &json!({"error": error, "error_description": description}), false, "application/json");
    r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// `POST /api/oauth/token`.
pub(crate) fn token(
    store: &mut TokenStore,
    counters: &mut Counters,
    config: &FakeConfig,
    headers: &HeaderMap,
    body: &[u8],
    now: Instant,
) -> Response<FakeBody> {
    counters.token_requests += 1;
    if let Some(wait) = store.rate_limit(config.token_rate_limit_per_minute, now) {
        counters.token_rate_limited += 1;
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let secs = secs.max(1);
        let detail = format!(
            "Rate limit exceeded for api/oauth/token. Please retry after {secs} seconds. Request capacity: {}.",
            config.token_rate_limit_per_minute
        );
        let mut r = reply::plain_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", &detail);
        r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
        return r;
    }
    if !basic_ok(headers, config) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client credentials.");
    }
    let params = form(body);
    match params.iter().find(|(k, _)| k == "grant_type").map(|(_, v)| v.as_str()) {
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Only client_credentials is supported.",
            );
        }
        None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing grant_type."),
    }
    let token = store.issue(Duration::from_secs(config.token_expires_in), now);
    let body = json!({"access_token": token, "token_type": "Bearer", "expires_in": config.token_expires_in});
    let mut r = json_response(StatusCode::OK, &body, false, "application/json");
    r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `POST /api/oauth/revoke`: 200 (empty body) whether or not the token was known (RFC 7009).
pub(crate) fn revoke(
    store: &mut TokenStore,
    counters: &mut Counters,
    config: &FakeConfig,
    headers: &HeaderMap,
    body: &[u8],
) -> Response<FakeBody> {
    if !basic_ok(headers, config) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Invalid client credentials.");
    }
    let params = form(body);
    let Some(token) = params.iter().find(|(k, _)| k == "token").map(|(_, v)| v.as_str()) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing token.");
    };
    store.tokens.remove(token);
    counters.revocations += 1;
    let mut r = Response::new(FakeBody::empty());
    r.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, pass: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", STANDARD.encode(format!("{user}:{pass}")));
        h.insert(AUTHORIZATION, HeaderValue::from_str(&v).unwrap());
        h
    }

    #[test]
    fn basic_auth_accepts_raw_and_encoded_forms() {
        let config = FakeConfig { client_secret: "s3cr+t:x y".into(), ..FakeConfig::default() };
        assert!(basic_ok(&basic(&config.client_id, "s3cr+t:x y"), &config));
        assert!(basic_ok(&basic(&config.client_id, "s3cr%2Bt%3Ax+y"), &config));
        assert!(!basic_ok(&basic(&config.client_id, "wrong"), &config));
        assert!(!basic_ok(&HeaderMap::new(), &config));
    }

    #[test]
    fn rolling_window() {
        let mut s = TokenStore::default();
        let t0 = Instant::now();
        assert_eq!(s.rate_limit(2, t0), None);
        assert_eq!(s.rate_limit(2, t0 + Duration::from_secs(10)), None);
        assert_eq!(s.rate_limit(2, t0 + Duration::from_secs(20)), Some(Duration::from_secs(40)));
        assert_eq!(s.rate_limit(2, t0 + Duration::from_secs(60)), None);
        assert_eq!(s.rate_limit(0, t0), None);
    }
}
