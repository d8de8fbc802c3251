//! OAuth 2.0 client credentials for Atlas service accounts, IO-free.
//!
//! `POST {base}/api/oauth/token` with `Authorization: Basic base64(id:secret)` and
//! `grant_type=client_credentials` returns `{access_token, token_type, expires_in}` (3600 s).
//! The session caches the token, refreshes it ahead of expiry, and lets only one call fetch a
//! token at a time; the others keep using the old token or wait for that fetch's outcome.

use super::{Board, Flight, Outcome, SharedFailure};
use crate::config::Config;
use crate::error::{AuthError, AuthFailure, DecodeError, Error, InvalidInput};
use crate::meta::ResponseMeta;
use crate::now::within;
use crate::secret::Secret;
use base64::Engine as _;
use http::{HeaderValue, Method, StatusCode, header};
use serde::Deserialize;
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

/// Path of the token endpoint.
pub const TOKEN_PATH: &str = "/api/oauth/token";
/// Path of the revocation endpoint.
pub const REVOKE_PATH: &str = "/api/oauth/revoke";

/// A decoded token response. `Debug` hides the token.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: Secret,
    /// `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

#[derive(Deserialize)]
struct RawToken {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(rename = "errorCode")]
    error_code: Option<String>,
    detail: Option<String>,
}

/// The Basic credentials of the token endpoint, `base64(urlencode(id):urlencode(secret))`
/// (RFC 6749 §2.3.1, as the Go SDK does): the text after `Basic ` in the `Authorization`
/// header. Public so a recorder can guard exactly what is sent; it is a secret.
pub fn basic_credentials(client_id: &str, client_secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", enc(client_id), enc(client_secret)))
}

/// `Basic` [`basic_credentials`], marked sensitive.
fn basic_auth(client_id: &str, client_secret: &Secret) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(&format!("Basic {}", basic_credentials(client_id, client_secret.expose())))
        .map_err(|_| InvalidInput::new("client_id", "cannot be sent in a header"))?;
    v.set_sensitive(true);
    Ok(v)
}

fn form_post(
    config: &Config,
    path: &str,
    auth: HeaderValue,
    form: &[(&str, &str)],
) -> Result<http::Request<Vec<u8>>, Error> {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form {
        body.append_pair(k, v);
    }
    http::Request::builder()
        .method(Method::POST)
        .uri(format!("{}{}{path}", config.origin(), config.path_prefix()))
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::USER_AGENT, config.user_agent())
        .body(body.finish().into_bytes())
        .map_err(|_| Error::Usage("token request could not be assembled"))
}

/// The token request for a service account.
pub fn token_request(
    config: &Config,
    client_id: &str,
    client_secret: &Secret,
) -> Result<http::Request<Vec<u8>>, Error> {
    form_post(config, TOKEN_PATH, basic_auth(client_id, client_secret)?, &[("grant_type", "client_credentials")])
}

/// The revocation request for `token`.
pub fn revoke_request(
    config: &Config,
    client_id: &str,
    client_secret: &Secret,
    token: &Secret,
) -> Result<http::Request<Vec<u8>>, Error> {
    form_post(
        config,
        REVOKE_PATH,
        basic_auth(client_id, client_secret)?,
        &[("token", token.expose()), ("token_type_hint", "access_token")],
    )
}

/// Reads a token endpoint answer. Bodies are never echoed into errors (they may hold a token).
///
/// `now` resolves a `Retry-After` date on a 429 or 503.
pub fn parse_token_response(response: &http::Response<Vec<u8>>, now: SystemTime) -> Result<TokenResponse, Error> {
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let undecodable = |reason: &str| {
        let mut e = DecodeError::new("oauthToken", status, content_type.clone(), reason, b"");
        e.excerpt = "<token endpoint body not shown>".to_owned();
        e.body_len = response.body().len();
        e.meta = Some(ResponseMeta::from_headers(status, response.headers(), now));
        Error::Decode(Box::new(e))
    };
    if status == StatusCode::OK {
        let raw: RawToken = serde_json::from_slice(response.body()).map_err(|_| undecodable("not a token response"))?;
        let access_token = raw.access_token.filter(|t| !t.is_empty()).ok_or_else(|| undecodable("no access_token"))?;
        if access_token.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
            return Err(undecodable("access_token has characters that cannot be sent in a header"));
        }
        let token_type = raw.token_type.unwrap_or_else(|| "Bearer".to_owned());
        if !token_type.eq_ignore_ascii_case("bearer") {
            return Err(undecodable("token_type is not Bearer"));
        }
        let expires_in = raw.expires_in.unwrap_or(3600);
        if expires_in == 0 {
            return Err(undecodable("expires_in is 0: the token would be expired on arrival"));
        }
        return Ok(TokenResponse { access_token: Secret::new(access_token), token_type, expires_in });
    }
    if matches!(status.as_u16(), 400 | 401 | 403) {
        let body: Option<OAuthError> = serde_json::from_slice(response.body()).ok();
        let (code, detail) =
            body.map(|b| (b.error_code.or(b.error), b.error_description.or(b.detail))).unwrap_or_default();
        return Err(Error::Authentication(AuthError {
            kind: AuthFailure::ClientCredentialsRejected,
            status: Some(status),
            error_code: code,
            detail,
        }));
    }
    Err(undecodable("token endpoint answered with an error status"))
}

/// A cached token.
#[derive(Clone, Debug)]
struct CachedToken {
    value: Secret,
    /// From here on one call refreshes it (the others keep using it).
    refresh_at: Instant,
    /// From here on it is not sent (it could expire in flight).
    use_until: Instant,
    generation: u64,
    /// Its revocation failed and it went back into use: the user wants it revoked, so a newer
    /// token displacing it sets it aside for a later revocation instead of forgetting it.
    put_back: bool,
}

/// What a call should do about its bearer token.
#[derive(Debug)]
pub(crate) enum TokenStep {
    /// Use this token (its generation identifies it if it is later refused).
    Use(Secret, u64),
    /// Fetch a new token, leading fetch `id` until it stores or releases it.
    Fetch(u64),
    /// Another call's fetch `id` is in flight.
    Wait(u64),
    /// The fetch this call waited for failed.
    Failed(SharedFailure),
}

/// How long a fetch may be in flight before another call takes over (a holder that vanished
/// without being dropped). Longer than the default exchange timeout.
const LEASE_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a token refused right after its fetch is taken as "fine, but not allowed".
const REFUSAL_MEMORY: Duration = Duration::from_secs(60);
/// The longest token lifetime believed (Atlas issues 3600 s).
const MAX_LIFETIME_SECS: u64 = 86_400;
/// A token is not used in its last seconds, so it cannot expire in flight.
const HARD_SKEW: Duration = Duration::from_secs(5);
/// How many tokens out of use the session remembers for revocation; beyond it the oldest
/// (the nearest to expiry) is left to expire. Each is a distinct token the session fetched.
const MAX_UNREVOKED: usize = 8;

/// The session's token state: one token, at most one fetch in flight. All times monotonic.
#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    token: Option<CachedToken>,
    fetch: Flight,
    /// A token generation refused right after it was fetched, and when.
    refused_fresh: Option<(u64, Instant)>,
    /// Tokens out of use and not known to be revoked, oldest first (at most
    /// [`MAX_UNREVOKED`]): each taken out for a revocation whose answer has not come (or
    /// never will: its request was dropped), or displaced by a newer token while still valid
    /// at Atlas. Keyed by generation, so overlapping revocations each end their own token.
    revoking: Vec<CachedToken>,
}

impl TokenCache {
    /// Decides what a call does. `awaiting` is the fetch the call has been waiting for.
    pub(crate) fn acquire(&mut self, now: Instant, awaiting: Option<u64>) -> TokenStep {
        let usable = |t: &Option<CachedToken>, until: fn(&CachedToken) -> Instant| {
            t.as_ref().filter(|t| now < until(t)).map(|t| TokenStep::Use(t.value.clone(), t.generation))
        };
        if let Some(step) = usable(&self.token, |t| t.refresh_at) {
            return step;
        }
        if let Some(id) = awaiting {
            match self.fetch.outcome(id, now, LEASE_TIMEOUT) {
                // Due for refresh, another call is on it; this one still fits in the old token.
                Outcome::Pending => return usable(&self.token, |t| t.use_until).unwrap_or(TokenStep::Wait(id)),
                Outcome::Failed(f) => return TokenStep::Failed(f),
                Outcome::Landed => {}
            }
        }
        match self.fetch.board(now, LEASE_TIMEOUT) {
            Board::Lead(id) => TokenStep::Fetch(id),
            Board::Wait(id) => usable(&self.token, |t| t.use_until).unwrap_or(TokenStep::Wait(id)),
        }
    }

    /// Stores a fetched token and ends fetch `id`. It is refreshed `margin` before expiry and
    /// not sent in its last seconds; both shrink for short-lived tokens (at most a quarter and
    /// a tenth of the lifetime), so a token is never refreshed on every call.
    pub(crate) fn store(&mut self, id: u64, token: TokenResponse, now: Instant, margin: Duration) -> Secret {
        // A lifetime beyond a day is not believed (and cannot overflow the clock).
        let lifetime = Duration::from_secs(token.expires_in.min(MAX_LIFETIME_SECS));
        let expires_at = now.checked_add(lifetime).unwrap_or(now);
        let before_expiry = |d: Duration| expires_at.checked_sub(d).unwrap_or(now);
        let value = token.access_token;
        if let Some(displaced) = self.token.take().filter(|t| t.put_back && t.generation != id) {
            self.set_aside(displaced);
        }
        self.token = Some(CachedToken {
            value: value.clone(),
            refresh_at: before_expiry(margin.min(lifetime / 4)),
            use_until: before_expiry(HARD_SKEW.min(lifetime / 10)),
            generation: id,
            put_back: false,
        });
        self.fetch.land(id, None);
        value
    }

    /// Ends fetch `id` without a token; with `failure`, calls waiting on it fail too.
    pub(crate) fn release(&mut self, id: u64, failure: Option<SharedFailure>) {
        self.fetch.land(id, failure);
    }

    /// Whether `generation` was refused fresh within [`REFUSAL_MEMORY`] of `now`.
    pub(crate) fn refused_recently(&self, generation: u64, now: Instant) -> bool {
        self.refused_fresh.is_some_and(|(g, at)| g == generation && within(now, at, REFUSAL_MEMORY))
    }

    /// Remembers that `generation` was refused right after its fetch.
    pub(crate) fn mark_refused(&mut self, generation: u64, now: Instant) {
        self.refused_fresh = Some((generation, now));
    }

    /// Forgets the token of `generation` (Atlas refused it).
    pub(crate) fn invalidate(&mut self, generation: u64) {
        if self.token.as_ref().is_some_and(|t| t.generation == generation) {
            self.token = None;
        }
    }

    /// Takes the current token out for revocation, with its generation: calls no longer use
    /// it (they fetch a new one) while it is being revoked. With no token cached, the newest
    /// token out of use and not known revoked (a revocation that never ended, or still in
    /// flight) is tried again: revoking a token twice is harmless (RFC 7009 answers 200).
    pub(crate) fn begin_revocation(&mut self) -> Option<(Secret, u64)> {
        if let Some(token) = self.token.take() {
            self.set_aside(token);
        }
        self.revoking.last().map(|t| (t.value.clone(), t.generation))
    }

    /// Ends the revocation of token `generation`. Revoked, the token is gone. Not revoked (a
    /// transport error or a refusal), it is still valid at Atlas: it goes back into use, so
    /// calls keep working and the revocation can be retried, unless a newer token was fetched
    /// meanwhile (the newer one stays in use, the older one stays set aside, and a later
    /// revocation with no token in use tries it again). Another revocation's token is never
    /// touched, and a revocation that already ended changes nothing.
    pub(crate) fn end_revocation(&mut self, generation: u64, revoked: bool) {
        let Some(at) = self.revoking.iter().position(|t| t.generation == generation) else {
            // Ended already (a retry of it answered first). If it was put back, a later
            // success still takes it out of use.
            if revoked && self.token.as_ref().is_some_and(|t| t.generation == generation) {
                self.token = None;
            }
            return;
        };
        let token = self.revoking.remove(at);
        if revoked {
            return;
        }
        match self.token.take() {
            Some(current) if current.generation > generation => {
                self.token = Some(current);
                self.set_aside(token);
            }
            current => {
                if let Some(older) = current {
                    self.set_aside(older);
                }
                self.token = Some(CachedToken { put_back: true, ..token });
            }
        }
    }

    /// Keeps `token` out of use until it is revoked (oldest first; once, at most
    /// [`MAX_UNREVOKED`]).
    fn set_aside(&mut self, token: CachedToken) {
        self.revoking.retain(|t| t.generation != token.generation);
        let at = self.revoking.partition_point(|t| t.generation < token.generation);
        self.revoking.insert(at, token);
        if self.revoking.len() > MAX_UNREVOKED {
            self.revoking.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn tok(v: &str, secs: u64) -> TokenResponse {
        TokenResponse { access_token: Secret::new(v), token_type: "Bearer".into(), expires_in: secs }
    }

    #[test]
    fn one_fetch_others_wait_then_share() {
        let t0 = Instant::now();
        let margin = Duration::from_secs(60);
        let mut c = TokenCache::default();
        let TokenStep::Fetch(id) = c.acquire(t0, None) else { panic!() };
        let TokenStep::Wait(w) = c.acquire(t0, None) else { panic!() };
        assert_eq!(w, id);
        let _ = c.store(id, tok("A", 3600), t0, margin);
        match c.acquire(t0, Some(w)) {
            TokenStep::Use(s, g) => assert_eq!((s.expose(), g), ("A", id)),
            other => panic!("{other:?}"),
        }
        // Inside the margin: one call refreshes, the others keep the old token.
        let late = t0 + Duration::from_secs(3600 - 30);
        let TokenStep::Fetch(id2) = c.acquire(late, None) else { panic!() };
        assert!(matches!(c.acquire(late, None), TokenStep::Use(_, g) if g == id));
        // Past the hard skew, others wait.
        let later = t0 + Duration::from_secs(3599);
        assert!(matches!(c.acquire(later, None), TokenStep::Wait(w) if w == id2));
        let _ = c.store(id2, tok("B", 3600), later, margin);
        assert!(matches!(c.acquire(later, Some(id2)), TokenStep::Use(s, _) if s.expose() == "B"));
    }

    #[test]
    fn short_lived_tokens_are_reused_not_refreshed_on_every_call() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut c = TokenCache::default();
        let TokenStep::Fetch(id) = c.acquire(t0, None) else { panic!() };
        // 2 s lifetime, 60 s configured margin: refresh at 1.5 s, stop sending at 1.8 s.
        let _ = c.store(id, tok("short", 2), t0, Duration::from_secs(60));
        assert!(matches!(c.acquire(ms(100), None), TokenStep::Use(..)));
        assert!(matches!(c.acquire(ms(1400), None), TokenStep::Use(..)));
        assert!(matches!(c.acquire(ms(1600), None), TokenStep::Fetch(_)));
        assert!(matches!(c.acquire(ms(1700), None), TokenStep::Use(..)), "old token while refreshing");
        assert!(matches!(c.acquire(ms(1900), None), TokenStep::Wait(_)));
    }

    #[test]
    fn refused_fetch_fails_its_waiters_and_abandoned_lease_expires() {
        let t0 = Instant::now();
        let mut c = TokenCache::default();
        let TokenStep::Fetch(id) = c.acquire(t0, None) else { panic!() };
        let TokenStep::Wait(w) = c.acquire(t0, None) else { panic!() };
        let err =
            AuthError { kind: AuthFailure::ClientCredentialsRejected, status: None, error_code: None, detail: None };
        c.release(id, Some(SharedFailure::Auth(err.clone())));
        assert!(matches!(c.acquire(t0, Some(w)), TokenStep::Failed(SharedFailure::Auth(e)) if e == err));
        // A fresh caller (not waiting on that fetch) tries again.
        let TokenStep::Fetch(id2) = c.acquire(t0, None) else { panic!() };
        assert_ne!(id, id2);
        // The holder vanished: after the lease timeout someone else takes over.
        let t1 = t0 + LEASE_TIMEOUT;
        assert!(matches!(c.acquire(t1, None), TokenStep::Fetch(i) if i != id2));
    }

    #[test]
    fn tokens_set_aside_for_revocation_are_bounded_and_the_newest_is_retried_first() {
        let t0 = Instant::now();
        let mut c = TokenCache::default();
        let mut generations = Vec::new();
        for i in 0..MAX_UNREVOKED + 3 {
            let TokenStep::Fetch(id) = c.acquire(t0, None) else { panic!() };
            let _ = c.store(id, tok(&format!("T{i}"), 3600), t0, Duration::from_secs(60));
            // Taken out for revocation, its answer never comes.
            let (value, generation) = c.begin_revocation().unwrap();
            assert_eq!((value.expose(), generation), (format!("T{i}").as_str(), id));
            generations.push(generation);
        }
        assert_eq!(c.revoking.len(), MAX_UNREVOKED, "the oldest are left to expire");
        let kept: Vec<u64> = c.revoking.iter().map(|t| t.generation).collect();
        assert_eq!(kept, generations[3..]);
        // Revoking the newest reveals the next newest; an unknown generation changes nothing.
        let newest = *generations.last().unwrap();
        c.end_revocation(newest, true);
        c.end_revocation(generations[0], false);
        assert!(c.token.is_none(), "a forgotten token is not put back");
        assert_eq!(c.begin_revocation().map(|(_, g)| g), Some(generations[generations.len() - 2]));
    }

    #[test]
    fn a_put_back_token_displaced_while_a_retry_of_its_revocation_is_in_flight() {
        let t0 = Instant::now();
        let m = Duration::from_secs(60);
        let mut c = TokenCache::default();
        let TokenStep::Fetch(a) = c.acquire(t0, None) else { panic!() };
        let _ = c.store(a, tok("A", 3600), t0, m);
        assert_eq!(c.begin_revocation().map(|(_, g)| g), Some(a)); // #1
        let TokenStep::Fetch(b) = c.acquire(t0, None) else { panic!() };
        assert_eq!(c.begin_revocation().map(|(_, g)| g), Some(a)); // #2, a retry of A
        c.end_revocation(a, false); // #1 failed: A back in use
        let _ = c.store(b, tok("B", 3600), t0, m); // B displaces A: A set aside
        c.end_revocation(a, true); // #2 revoked A
        assert!(c.revoking.is_empty(), "A is not kept for another revocation");
        assert!(matches!(c.acquire(t0, None), TokenStep::Use(s, g) if s.expose() == "B" && g == b));
        // The other order: #2 fails after B displaced A: A stays set aside once.
        let mut c = TokenCache::default();
        let TokenStep::Fetch(a) = c.acquire(t0, None) else { panic!() };
        let _ = c.store(a, tok("A", 3600), t0, m);
        let _ = c.begin_revocation();
        let TokenStep::Fetch(b) = c.acquire(t0, None) else { panic!() };
        let _ = c.begin_revocation();
        c.end_revocation(a, false);
        let _ = c.store(b, tok("B", 3600), t0, m);
        c.end_revocation(a, false);
        assert_eq!(c.revoking.iter().map(|t| t.generation).collect::<Vec<_>>(), [a]);
        assert!(matches!(c.acquire(t0, None), TokenStep::Use(s, _) if s.expose() == "B"));
    }

    #[test]
    fn token_response_parsing_never_echoes_bodies() {
        let resp =
            |status: u16, body: &str| http::Response::builder().status(status).body(body.as_bytes().to_vec()).unwrap();
        let ok = parse_token_response(
            &resp(200, r#"{"access_token":"tkn","token_type":"Bearer","expires_in":3600}"#),
            UNIX_EPOCH,
        )
        .unwrap();
        assert_eq!(ok.access_token.expose(), "tkn");
        assert!(!format!("{ok:?}").contains("tkn"));
        let e = parse_token_response(&resp(200, r#"{"acces_token":"SECRET-TKN","expires_in":3600}"#), UNIX_EPOCH)
            .unwrap_err();
        assert!(!format!("{e} {e:?}").contains("SECRET-TKN"));
        assert!(matches!(e, Error::Decode(_)));
        let e = parse_token_response(
            &resp(401, r#"{"error":"invalid_client","error_description":"bad secret"}"#),
            UNIX_EPOCH,
        )
        .unwrap_err();
        match e {
            Error::Authentication(a) => {
                assert_eq!(a.kind, AuthFailure::ClientCredentialsRejected);
                assert_eq!(a.error_code.as_deref(), Some("invalid_client"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_token_response(&resp(429, "{}"), UNIX_EPOCH), Err(Error::Decode(d)) if d.status == 429));
        let zero = parse_token_response(&resp(200, r#"{"access_token":"t","expires_in":0}"#), UNIX_EPOCH);
        assert!(matches!(zero, Err(Error::Decode(d)) if d.reason.contains("expires_in")));
        let huge = parse_token_response(
            &resp(200, &format!(r#"{{"access_token":"t","expires_in":{}}}"#, u64::MAX)),
            UNIX_EPOCH,
        );
        let mut c = TokenCache::default();
        let t0 = Instant::now();
        let TokenStep::Fetch(id) = c.acquire(t0, None) else { panic!() };
        let _ = c.store(id, huge.unwrap(), t0, Duration::from_secs(60));
        assert!(matches!(c.acquire(t0 + Duration::from_secs(3600), None), TokenStep::Use(..)));
    }
}
