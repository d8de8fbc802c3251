//! The shared, thread-safe state of one client: configuration, credentials, and the auth
//! state (cached Digest challenge, OAuth token, entropy) behind one lock.

use crate::auth::oauth;
use crate::auth::{AuthState, DigestStep, SharedFailure, ToSign};
use crate::config::Config;
use crate::credentials::Credentials;
use crate::digest::{Challenge, Ha1};
use crate::error::{Error, InvalidInput};
use crate::exchange::{Outgoing, Purpose, SendResult};
use crate::now::Now;
use crate::operation::Base;
use crate::secret::Secret;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

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
    auth: Mutex<AuthState>,
    /// Until when every call waits before sending: a call got a 429 or 503 and backs off, so
    /// the others (pages fetched ahead, concurrent calls) slow down with it.
    hold: Mutex<Option<Instant>>,
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
            auth: Mutex::new(AuthState::new(seed)),
            hold: Mutex::new(None),
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

    /// A request revoking the cached OAuth token, with the [`Revocation`] it performs, or
    /// `None` if there is no service-account token. Calls stop using the token at once (the
    /// next one fetches a new token); hand the outcome and the `Revocation` to
    /// [`Session::finish_revoke`]: if the revocation failed, the token is put back (it is
    /// still valid at Atlas), so calls keep using it and the revocation can be retried.
    /// Revocations may overlap (a call fetched a new token meanwhile, which the next
    /// `revoke_request` takes): each ends only its own token. With no token in use, the
    /// newest token set aside and not known revoked (a revocation unanswered, or failed while
    /// a newer token was in use) is revoked again, so calling this until it returns `None`
    /// revokes every token the session still knows.
    pub fn revoke_request(&self) -> Result<Option<(Outgoing, Revocation)>, Error> {
        let Credentials::ServiceAccount { client_id, client_secret } = &self.credentials else {
            return Ok(None);
        };
        let Some((token, generation)) = self.lock().token.begin_revocation() else {
            return Ok(None);
        };
        let revocation = Revocation { generation };
        match oauth::revoke_request(&self.config, client_id, client_secret, &token) {
            Ok(request) => Ok(Some((Outgoing::new(request, Purpose::Revoke, "revokeToken"), revocation))),
            Err(e) => {
                self.lock().token.end_revocation(generation, false);
                Err(e)
            }
        }
    }

    /// Ends `revocation` with what sending its request (from [`Session::revoke_request`])
    /// gave: `Ok` for a 200; otherwise the error (the transport's, or the answer's), and the
    /// token is put back unless a newer one was fetched meanwhile.
    pub fn finish_revoke(&self, revocation: Revocation, result: SendResult, now: Now) -> Result<(), Error> {
        match result {
            Ok(response) => self.handle_revoke_response(revocation, &response, now),
            Err(e) => {
                self.lock().token.end_revocation(revocation.generation, false);
                Err(Error::Transport(e))
            }
        }
    }

    /// Ends `revocation` with its answer: 200 is success; any other status is the answer's
    /// error, and the token is put back as [`Session::finish_revoke`] does.
    pub fn handle_revoke_response(
        &self,
        revocation: Revocation,
        response: &http::Response<Vec<u8>>,
        now: Now,
    ) -> Result<(), Error> {
        let revoked = response.status() == http::StatusCode::OK;
        self.lock().token.end_revocation(revocation.generation, revoked);
        if revoked {
            return Ok(());
        }
        Err(crate::response::error_from_body(
            "revokeToken",
            crate::meta::ResponseMeta::from_headers(response.status(), response.headers(), now.wall),
            response.body(),
        ))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, AuthState> {
        // A panic elsewhere while holding the lock cannot leave this state inconsistent
        // (every update is a single assignment), so poisoning is ignored.
        self.auth.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Signs a request with the cached challenge (the next nc), or says how to get one.
    /// `awaiting` is the probe this call has been waiting for.
    pub(crate) fn sign_digest(
        &self,
        request: &ToSign<'_>,
        now: Instant,
        awaiting: Option<u64>,
    ) -> Result<DigestStep, Error> {
        // The hash is computed outside the lock.
        let step = self.lock().digest_step(now, awaiting);
        match step {
            Ok((key, nc, cnonce)) => {
                crate::auth::sign(&key, request, nc, &cnonce).map(|header| DigestStep::Signed(header, key))
            }
            Err(step) => Ok(step),
        }
    }

    /// Ends probe `id` (see [`AuthState::land_probe`]).
    pub(crate) fn land_probe(&self, id: u64, unchallenged: bool, failure: Option<SharedFailure>) {
        self.lock().land_probe(id, unchallenged, failure);
    }

    /// Caches a challenge, with HA1 for the session's credentials.
    pub(crate) fn store_challenge(&self, challenge: Challenge, public_key: &str, private_key: &Secret) {
        // Hashed before taking the lock (401s are rare; a wasted hash on a known nonce is cheap).
        let ha1 = Ha1::new(&challenge, public_key, private_key.expose());
        self.lock().store_challenge(challenge, ha1);
    }

    /// Holds every call of the session until `until` (a later hold wins).
    pub(crate) fn hold_until(&self, until: Instant) {
        let mut hold = self.hold.lock().unwrap_or_else(|p| p.into_inner());
        *hold = Some(hold.map_or(until, |h| h.max(until)));
    }

    /// Ends the hold set at `until`, unless a later one replaced it (the call that set it is
    /// over: its wait, which the hold mirrored, is too).
    pub(crate) fn release_hold(&self, until: Instant) {
        let mut hold = self.hold.lock().unwrap_or_else(|p| p.into_inner());
        if *hold == Some(until) {
            *hold = None;
        }
    }

    /// How long a call sending at `now` must still wait for the session's hold, if at all.
    pub(crate) fn held(&self, now: Instant) -> Option<Duration> {
        let hold = *self.hold.lock().unwrap_or_else(|p| p.into_inner());
        hold.and_then(|h| h.checked_duration_since(now)).filter(|d| !d.is_zero())
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

/// Which token a revocation from [`Session::revoke_request`] takes out: hand it back to
/// [`Session::finish_revoke`] with the outcome, so that overlapping revocations each end
/// their own token. It holds no secret.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "hand it to Session::finish_revoke with the outcome"]
pub struct Revocation {
    /// The revoked token's generation (its fetch's number within the session).
    generation: u64,
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
