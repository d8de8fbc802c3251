//! [`Player`]: a replay client. It runs the core's driver (auth state machine, retries,
//! decoding) with a send function answering from a cassette and a sleep that advances a
//! virtual clock at once. No socket is opened and no credential is needed.

use super::format::{Auth, Cassette, FormatError, Interaction, PurposeKind, RecordedRequest};
use super::scrub::{CLIENT_ID, PUBLIC_KEY, Secrets};
use atlas_admin_core::driver::{SendResult, revoke_blocking, run_blocking};
use atlas_admin_core::{ApiResponse, Config, Credentials, Error, Execute, ExecuteAsync, Now, Operation, Outgoing};
use atlas_admin_core::{InvalidInput, Purpose, Sanitized, Session, TransportError, TransportErrorKind};
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Replays a cassette through [`Execute`] (and [`ExecuteAsync`], whose futures are ready when
/// made).
///
/// Matching: what the request is for (an operation attempt, a Digest probe, a token fetch, a
/// revocation), method, path, sorted query, API version and body (JSON by meaning); among
/// equal requests the recorded order is kept. Each interaction answers once. The Digest
/// challenge or token exchange recorded is replayed too, with dummy credentials of the
/// recorded kind, so the core's auth runs as it did (the `Authorization` header is not
/// matched, the purpose is: an unsigned probe never takes the answer recorded for a signed
/// request, so a replay that authenticates differently, or costs another number of exchanges,
/// misses). One leniency: a Digest probe that finds no recorded probe of its own request takes
/// the first unused recorded probe that was challenged (401), whatever its path: the
/// challenge does not depend on the path, and which call probes first may differ from the
/// recording (code that makes its calls concurrently, or in another order than recorded).
///
/// Calls are replayed one at a time (concurrent calls queue on a lock for the whole call), as
/// the blocking [`Recording`](super::Recording) records them: no call ever waits for another
/// call's Digest probe or token fetch, so the virtual clock moves only by the recorded
/// `Retry-After` and backoff waits. A miss fails
/// the call with a transport error of kind `Refused` (never retried) whose message is the
/// [`Miss`]; [`Player::misses`] keeps it typed. A recorded transport failure replays as the
/// same [`TransportError`] kind.
///
/// [`Player::assert_done`] fails on interactions never used, unless
/// [`Player::allow_unused`] says a partial replay is intended.
pub struct Player {
    session: Session,
    state: Mutex<State>,
    /// Held for the whole of a call: calls are replayed one at a time.
    call: Mutex<()>,
    allow_unused: bool,
    /// The recording's by-value replacements (see [`Player::scrub`]).
    scrub: Secrets,
}

struct State {
    interactions: Vec<Interaction>,
    used: Vec<bool>,
    now: Now,
    waits: Vec<Duration>,
    misses: Vec<Miss>,
    answered: usize,
}

impl fmt::Debug for Player {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Player")
            .field("interactions", &state.interactions.len())
            .field("answered", &state.answered)
            .field("allow_unused", &self.allow_unused)
            .finish_non_exhaustive()
    }
}

/// A request the cassette has no unused answer for, with the nearest recorded request.
#[derive(Clone, Debug, PartialEq)]
pub struct Miss {
    /// What the code sent.
    pub request: RecordedRequest,
    /// The index and request of the nearest recorded interaction (same method and path first,
    /// then fewest differing fields, unused ones first), if the cassette has any.
    pub nearest: Option<(usize, RecordedRequest)>,
    /// Field-by-field differences from the nearest (`path: ... != recorded ...`); empty when
    /// the nearest is identical but already used.
    pub diff: Vec<String>,
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no recorded interaction matches {}", self.request)?;
        match &self.nearest {
            None => write!(f, "; the cassette is empty"),
            Some((i, near)) if self.diff.is_empty() => {
                write!(f, "; interaction {i} ({near}) matches but was already used")
            }
            Some((i, near)) => {
                write!(f, "; nearest is interaction {i} ({near}):")?;
                for d in &self.diff {
                    write!(f, "\n  {}", Sanitized(d))?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Miss {}

/// 2026-01-01T00:00:00Z: where every replay's virtual wall clock starts.
const START: Duration = Duration::from_secs(1_767_225_600);

impl Player {
    /// A player of `cassette`, with the default configuration (base URL, API version).
    ///
    /// Fails only if the core rejects the player's dummy credentials (it does not today).
    pub fn new(cassette: Cassette) -> Result<Player, InvalidInput> {
        Player::with_config(cassette, Config::default())
    }

    /// A player of `cassette` with `config` (the recording client's API version, retry policy;
    /// its base URL does not matter: only paths are matched).
    pub fn with_config(cassette: Cassette, config: Config) -> Result<Player, InvalidInput> {
        let credentials = match cassette.auth {
            Auth::ApiKey => Credentials::api_key(PUBLIC_KEY, "replay-private-key"),
            Auth::ServiceAccount => Credentials::service_account(CLIENT_ID, "replay-client-secret"),
            Auth::None => Credentials::bearer_token("replay-token"),
        };
        let session = Session::new(config, credentials?, 0)?;
        let used = vec![false; cassette.interactions.len()];
        let now = Now::new(crate::clock::base(), UNIX_EPOCH + START);
        Ok(Player {
            session,
            state: Mutex::new(State {
                interactions: cassette.interactions,
                used,
                now,
                waits: Vec::new(),
                misses: Vec::new(),
                answered: 0,
            }),
            call: Mutex::new(()),
            allow_unused: false,
            scrub: Secrets::default(),
        })
    }

    /// A player of the cassette file at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Player, FormatError> {
        Player::new(Cassette::load(path)?).map_err(|e| FormatError::new(format!("cannot replay it: {e}")))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The waits the core asked for so far, in order (they passed on the virtual clock).
    pub fn waits(&self) -> Vec<Duration> {
        self.lock().waits.clone()
    }

    /// The waits the cassette recorded, in order (a replay asking the same proves the same
    /// retry decisions).
    pub fn recorded_waits(&self) -> Vec<Duration> {
        self.lock().interactions.iter().flat_map(|i| i.waits_before.iter().copied()).collect()
    }

    /// The virtual wall-clock time now (it starts at 2026-01-01T00:00:00Z and moves only by waits).
    pub fn now(&self) -> SystemTime {
        self.lock().now.wall
    }

    /// How many recorded interactions answered so far.
    pub fn answered(&self) -> usize {
        self.lock().answered
    }

    /// The requests that found no answer, in order.
    pub fn misses(&self) -> Vec<Miss> {
        self.lock().misses.clone()
    }

    /// The recorded interactions not used yet, as `index: request` lines.
    pub fn unused(&self) -> Vec<String> {
        let state = self.lock();
        state
            .interactions
            .iter()
            .zip(&state.used)
            .enumerate()
            .filter(|(_, (_, used))| !**used)
            .map(|(i, (x, _))| format!("{i}: {} ({})", x.request, Sanitized(&x.operation)))
            .collect()
    }

    /// Interactions left unused no longer fail [`Player::assert_done`] (misses still do): for
    /// a test that replays only part of a cassette on purpose.
    pub fn allow_unused(mut self) -> Player {
        self.allow_unused = true;
        self
    }

    /// Panics unless no request missed and every recorded interaction was used (the latter
    /// unless [`Player::allow_unused`]).
    pub fn assert_done(&self) {
        let (unused, misses) = (self.unused(), self.misses());
        assert!(misses.is_empty(), "requests the cassette had no answer for:\n{}", join(&misses));
        assert!(
            self.allow_unused || unused.is_empty(),
            "recorded interactions never used (allow them with Player::allow_unused):\n  {}",
            unused.join("\n  ")
        );
    }

    /// The by-value replacements the cassette was recorded with (the same closure as the
    /// [`Recorder::scrub`](super::Recorder::scrub) that made it): each request is scrubbed
    /// before it is matched and each answer unscrubbed (placeholder back to value), so the code
    /// under test keeps using the real ids and e-mails the file holds only as placeholders.
    pub fn scrub(mut self, with: impl FnOnce(Secrets) -> Secrets) -> Player {
        self.scrub = with(self.scrub);
        self
    }

    /// The recorded outcome for `request` sent for `purpose` (the first unused interaction of
    /// the same purpose kind and request, which is then used; for a Digest probe when
    /// `any_challenge`, else the first unused challenged probe), or `None`.
    ///
    /// New episodes pass `any_challenge = false`: a live session must not sign a request the
    /// cassette does not hold with a recorded nonce (a server may refuse a reused nonce
    /// outright, not as stale), so such a probe is sent and recorded.
    ///
    /// `request` is as sent: it is scrubbed with [`Player::scrub`]'s replacements before it is
    /// matched, and the answer unscrubbed.
    pub(crate) fn lookup(
        &self,
        purpose: Purpose,
        request: &RecordedRequest,
        any_challenge: bool,
    ) -> Option<SendResult> {
        let request = &self.scrub.scrub_request(request);
        let mut state = self.lock();
        let unused = |state: &State, fits: &dyn Fn(&Interaction) -> bool| {
            state.interactions.iter().zip(&state.used).position(|(x, used)| !used && fits(x))
        };
        let kind = PurposeKind::of(purpose);
        let i = unused(&state, &|x| PurposeKind::of(x.purpose) == kind && x.request == *request).or_else(|| {
            (any_challenge && kind == PurposeKind::DigestProbe).then(|| unused(&state, &is_challenge)).flatten()
        })?;
        let answer = state.interactions.get(i).map(|x| x.replay());
        if let Some(used) = state.used.get_mut(i) {
            *used = true;
        }
        state.answered += 1;
        let answer =
            answer.unwrap_or_else(|| Err(TransportError::new(TransportErrorKind::Other, "interaction vanished")));
        Some(answer.map(|response| self.scrub.unscrub_response(response)))
    }

    /// New episodes, when the live session got a challenge of its own: the first unused
    /// recorded challenge is stale (the session signs with the live one, so no replay of this
    /// run asks for it), and so are the failed attempts of the same probe just before it
    /// (retried into that challenge). They are marked used and their indexes returned, so they
    /// are not saved.
    pub(crate) fn supersede_challenge(&self) -> Vec<usize> {
        let mut state = self.lock();
        let Some(i) = state.interactions.iter().zip(&state.used).position(|(x, used)| !used && is_challenge(x)) else {
            return Vec::new();
        };
        let mut stale = vec![i];
        if let Some(challenge) = state.interactions.get(i) {
            let attempts = state.interactions.get(..i).unwrap_or_default().iter().zip(&state.used).enumerate().rev();
            for (j, (x, used)) in attempts {
                let retried = PurposeKind::of(x.purpose) == PurposeKind::DigestProbe && x.request == challenge.request;
                if *used || !retried || is_challenge(x) {
                    break;
                }
                stale.push(j);
            }
        }
        for &k in &stale {
            if let Some(used) = state.used.get_mut(k) {
                *used = true;
            }
        }
        stale
    }

    /// The answer to one request the core hands out.
    fn answer(&self, out: Outgoing) -> SendResult {
        let request = RecordedRequest::of(&out.request);
        if let Some(answer) = self.lookup(out.purpose, &request, true) {
            return answer;
        }
        let request = self.scrub.scrub_request(&request);
        let mut state = self.lock();
        let miss = nearest(&state, out.purpose, request);
        let message = miss.to_string();
        state.misses.push(miss);
        Err(TransportError::new(TransportErrorKind::Refused, message))
    }
}

/// A recorded Digest probe that was challenged (401).
fn is_challenge(x: &Interaction) -> bool {
    PurposeKind::of(x.purpose) == PurposeKind::DigestProbe && x.ok().is_some_and(|r| r.status == 401)
}

/// The nearest recorded request to `request` sent for `purpose`: same method and path first,
/// then fewest differing fields (another purpose is one), unused before used.
fn nearest(state: &State, purpose: Purpose, request: RecordedRequest) -> Miss {
    let kind = PurposeKind::of(purpose);
    let best = state
        .interactions
        .iter()
        .zip(&state.used)
        .enumerate()
        .map(|(i, (x, used))| {
            let mut diff = request.diff(&x.request);
            let recorded = PurposeKind::of(x.purpose);
            if recorded != kind {
                diff.insert(0, format!("purpose: {} != recorded {}", kind.name(), recorded.name()));
            }
            (diff, *used, i, &x.request)
        })
        .min_by_key(|(diff, used, i, near)| {
            let elsewhere = near.method != request.method || near.path != request.path;
            (elsewhere, diff.len(), *used, *i)
        });
    match best {
        Some((diff, _, i, near)) => Miss { nearest: Some((i, near.clone())), diff, request },
        None => Miss { request, nearest: None, diff: Vec::new() },
    }
}

fn join(misses: &[Miss]) -> String {
    misses.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl Player {
    /// Replays a token revocation (the real clients' `revoke_token`) from the cassette:
    /// `false` when the session holds no token to revoke.
    pub fn revoke_token(&self) -> Result<bool, Error> {
        let _call = self.call.lock().unwrap_or_else(PoisonError::into_inner);
        revoke_blocking(&self.session, || self.lock().now, |out| self.answer(out), None)
    }
}

impl Execute for Player {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        // One call at a time: see the type's docs.
        let _call = self.call.lock().unwrap_or_else(PoisonError::into_inner);
        let now = || self.lock().now;
        let sleep = |d: Duration| {
            let mut state = self.lock();
            state.now = state.now.advance(d);
            state.waits.push(d);
        };
        run_blocking(&self.session, op, now, |out| self.answer(out), sleep, None)
    }
}

impl ExecuteAsync for Player {
    fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
    where
        O: Operation + Sync,
        O::Output: Send + 'static,
    {
        std::future::ready(Execute::execute(self, op))
    }
}
