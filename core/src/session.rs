//! The shared, thread-safe auth state of one client: the cached Digest challenge with its
//! nonce count, the OAuth token, and the entropy for cnonces and jitter.

use crate::call::Call;
use crate::config::Config;
use crate::credentials::Credentials;
use crate::digest::{Challenge, Ha1, ResponseInput};
use crate::entropy::Entropy;
use crate::error::{Error, InvalidInput};
use crate::oauth::{self, TokenCache, TokenResponse, TokenStep};
use crate::operation::{Base, Operation, Prepared};
use crate::secret::Secret;
use http::HeaderValue;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

/// A cached Digest challenge with what the session's credentials make of it (HA1), shared
/// by every request signed with it.
#[derive(Debug)]
pub(crate) struct DigestKey {
    pub(crate) challenge: Challenge,
    ha1: Ha1,
    /// A request signed with this nonce got past authentication: a later 401 with the same
    /// nonce is then more likely an nc the server took out of order than wrong keys.
    pub(crate) proven: std::sync::atomic::AtomicBool,
}

/// The cached Digest challenge and the next nonce count to use with it.
#[derive(Debug)]
struct DigestCache {
    key: Arc<DigestKey>,
    next_nc: u32,
}

/// The unsigned request that fetches the first challenge: one call sends it, the others wait
/// for its nonce instead of each paying a 401 of their own.
#[derive(Debug, Default)]
struct Probe {
    /// The lease of the call probing now, and since when.
    lease: Option<(u64, SystemTime)>,
    next_id: u64,
    /// A probe was answered 2xx without a challenge: the server does not ask, so calls go
    /// unsigned without waiting for one another.
    unchallenged: bool,
}

/// How long a probe may be in flight before another call takes over (its holder vanished).
/// (Longer than the default exchange timeout, so a slow probe is not duplicated; a call that
/// is dropped releases its lease at once.)
const PROBE_TIMEOUT: Duration = Duration::from_secs(90);
/// How often a call waiting for the probe's challenge looks again.
const PROBE_POLL: Duration = Duration::from_millis(5);

/// What a Digest call does next.
#[derive(Debug)]
pub(crate) enum DigestStep {
    /// Send with this `Authorization`, answering this challenge.
    Signed(HeaderValue, Arc<DigestKey>),
    /// Send unsigned to fetch a challenge.
    Probe,
    /// Another call is fetching the challenge; ask again after this long.
    Wait(Duration),
}

#[derive(Debug)]
struct Shared {
    digest: Option<DigestCache>,
    probe: Probe,
    token: TokenCache,
    entropy: Entropy,
}

/// One client's configuration, credentials and auth state. `Send + Sync`: share it (behind an
/// `Arc`) between all threads and tasks of a client, so that after the first Digest challenge
/// every call is signed preemptively (nc+1) and one OAuth token serves every call.
///
/// ```
/// use atlas_admin_core::{Config, Credentials, Session};
/// let config = Config::default().with_base_url("http://127.0.0.1:8080").unwrap();
/// let session = Session::new(config, Credentials::api_key("pub", "priv").unwrap(), 42).unwrap();
/// // Credentials never travel over plain http to a non-loopback host:
/// let remote = Config::default().with_base_url("http://atlas.example.com").unwrap();
/// assert!(Session::new(remote, Credentials::api_key("pub", "priv").unwrap(), 42).is_err());
/// ```
#[derive(Debug)]
pub struct Session {
    config: Config,
    credentials: Credentials,
    /// What every request shares, parsed once (`None`: requests take the slow path, which
    /// reports the problem when a call is built).
    base: Option<Base>,
    shared: Mutex<Shared>,
}

impl Session {
    /// A session. `seed` feeds every cnonce and jitter: pass fresh OS randomness in
    /// production, a constant in tests for reproducible bytes.
    pub fn new(config: Config, credentials: Credentials, seed: u64) -> Result<Self, InvalidInput> {
        if credentials.is_some() && !config.is_https() && !config.is_loopback() {
            return Err(InvalidInput::with_value(
                "base_url",
                "credentials are sent only over https (plain http only to loopback)",
                config.base_url(),
            ));
        }
        Ok(Session {
            base: Base::new(&config),
            config,
            credentials,
            shared: Mutex::new(Shared {
                digest: None,
                probe: Probe::default(),
                token: TokenCache::default(),
                entropy: Entropy::new(seed),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// What every request of this session shares, parsed once.
    pub(crate) fn base(&self) -> Option<&Base> {
        self.base.as_ref()
    }

    /// Starts a call of `op`; drive it with [`Call::next`] and [`Call::handle_response`].
    pub fn begin<O: Operation>(&self, op: &O) -> Call<'_, O> {
        Call::new(self, op)
    }

    /// A request revoking the cached OAuth token (which is forgotten), or `None` if there is
    /// no service-account token. Feed the answer to [`Session::handle_revoke_response`].
    pub fn revoke_request(&self) -> Result<Option<http::Request<Vec<u8>>>, Error> {
        let Credentials::ServiceAccount { client_id, client_secret } = &self.credentials else {
            return Ok(None);
        };
        let Some(token) = self.lock().token.take() else {
            return Ok(None);
        };
        oauth::revoke_request(&self.config, client_id, client_secret, &token).map(Some)
    }

    /// Checks a revocation answer: 200 is success.
    pub fn handle_revoke_response(&self, response: &http::Response<Vec<u8>>, now: SystemTime) -> Result<(), Error> {
        if response.status() == http::StatusCode::OK {
            return Ok(());
        }
        Err(crate::response::error_from_body(
            "revokeToken",
            crate::meta::ResponseMeta::from_headers(response.status(), response.headers(), now),
            response.body(),
        ))
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        // A panic elsewhere while holding the lock cannot leave this state inconsistent
        // (every update is a single assignment), so poisoning is ignored.
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs `prepared` with the cached challenge, taking the next nc. `None` if no challenge
    /// is cached yet. Returns the header and the challenge it answered.
    ///
    /// Without a cached challenge, one call at a time probes (`held` records its lease) and
    /// the others wait for the challenge it brings back.
    pub(crate) fn sign_digest(
        &self,
        prepared: &Prepared,
        public_key: &str,
        private_key: &Secret,
        now: SystemTime,
        held: &mut Option<u64>,
    ) -> Result<DigestStep, Error> {
        let (key, nc, cnonce) = {
            let mut shared = self.lock();
            let Shared { digest, probe, entropy, .. } = &mut *shared;
            if digest.as_ref().is_some_and(|c| c.next_nc == u32::MAX) {
                *digest = None; // nc exhausted: start over with a fresh challenge
            }
            let Some(cache) = digest.as_mut() else {
                let mine = held.is_some() && probe.lease.map(|(id, _)| id) == *held;
                let live = probe.lease.is_some_and(|(_, since)| within(now, since, PROBE_TIMEOUT));
                if mine || probe.unchallenged {
                    return Ok(DigestStep::Probe);
                }
                if live {
                    return Ok(DigestStep::Wait(PROBE_POLL));
                }
                probe.next_id += 1;
                probe.lease = Some((probe.next_id, now));
                *held = Some(probe.next_id);
                return Ok(DigestStep::Probe);
            };
            let nc = cache.next_nc;
            cache.next_nc += 1;
            (Arc::clone(&cache.key), nc, entropy.cnonce())
        };
        let header = key.ha1.authorization(
            &key.challenge,
            &ResponseInput {
                username: public_key,
                password: private_key.expose(),
                method: prepared.method.as_str(),
                uri: &prepared.target,
                nc,
                cnonce: std::str::from_utf8(&cnonce).unwrap_or_default(),
            },
        );
        let mut value = HeaderValue::try_from(header).map_err(|_| {
            Error::UnsupportedChallenge(crate::error::ChallengeError::new(
                "the challenge cannot be answered in a header",
                None,
            ))
        })?;
        value.set_sensitive(true);
        Ok(DigestStep::Signed(value, key))
    }

    /// Ends the probe lease `id`. `unchallenged`: the probe was answered 2xx without a
    /// challenge, so calls need not wait for one.
    pub(crate) fn release_probe(&self, id: u64, unchallenged: bool) {
        let mut shared = self.lock();
        if shared.probe.lease.is_some_and(|(lease, _)| lease == id) {
            shared.probe.lease = None;
        }
        shared.probe.unchallenged |= unchallenged;
    }

    /// Caches a challenge, with HA1 for the session's credentials (`public_key`,
    /// `private_key`). A new nonce restarts nc at 1; the same nonce keeps counting.
    pub(crate) fn store_challenge(&self, challenge: Challenge, public_key: &str, private_key: &Secret) {
        // Hashed before taking the lock (401s are rare; a wasted hash on a known nonce is cheap).
        let ha1 = Ha1::new(&challenge, public_key, private_key.expose());
        let mut shared = self.lock();
        shared.probe.unchallenged = false;
        if shared.digest.as_ref().is_some_and(|d| d.key.challenge.nonce == challenge.nonce) {
            return;
        }
        shared.digest = Some(DigestCache {
            key: Arc::new(DigestKey { challenge, ha1, proven: std::sync::atomic::AtomicBool::new(false) }),
            next_nc: 1,
        });
    }

    pub(crate) fn acquire_token(&self, now: SystemTime, held: Option<u64>, waiting_on: &mut Option<u64>) -> TokenStep {
        self.lock().token.acquire(now, held, waiting_on)
    }

    /// Stores a fetched token; returns it for the call that fetched it (which uses it once
    /// whatever its lifetime, so a call always makes progress).
    pub(crate) fn store_token(&self, lease: u64, token: TokenResponse, now: SystemTime) -> Secret {
        self.lock().token.store(lease, token, now, self.config.token_refresh_margin())
    }

    pub(crate) fn release_token_lease(&self, lease: u64, failure: Option<crate::error::AuthError>) {
        self.lock().token.release(lease, failure);
    }

    /// Whether token `generation` was refused although it was fresh, within the last minute:
    /// then a 401 is about permissions, not the token, and no new token is fetched.
    pub(crate) fn token_refused_recently(&self, generation: u64, now: SystemTime) -> bool {
        self.lock().token.refused_recently(generation, now)
    }

    /// Records that token `generation` was refused right after it was fetched.
    pub(crate) fn mark_token_refused(&self, generation: u64, now: SystemTime) {
        self.lock().token.mark_refused(generation, now);
    }

    /// Keeps lease `lease` alive until `until` (its holder waits to retry the fetch).
    pub(crate) fn extend_token_lease(&self, lease: u64, until: SystemTime) {
        self.lock().token.extend(lease, until);
    }

    pub(crate) fn invalidate_token(&self, generation: u64) {
        self.lock().token.invalidate(generation);
    }

    /// The retry wait for `attempts` so far, drawing jitter from the session's entropy.
    pub(crate) fn retry_delay(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        waited: Duration,
    ) -> Option<Duration> {
        self.config.retry().delay(attempts, retry_after, waited, &mut self.lock().entropy)
    }
}

/// Whether `now` is less than `limit` after `since` (or before `since`); never overflows.
pub(crate) fn within(now: SystemTime, since: SystemTime, limit: Duration) -> bool {
    now.duration_since(since).map_or(true, |elapsed| elapsed < limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_neither_keys_nor_the_seed_state() {
        let s = Session::new(Config::default(), Credentials::api_key("pub", "PRIVATE").unwrap(), 0x5eed).unwrap();
        let shown = format!("{s:?}");
        assert!(shown.contains("Entropy(..)") && !shown.contains("PRIVATE"));
        assert!(!shown.contains(&0x5eed_u64.to_string()));
    }

    #[test]
    fn session_is_send_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Session>();
    }
}
