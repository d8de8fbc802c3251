//! The call state machine: one operation, driven by a transport.
//!
//! ```text
//! let mut call = session.begin(&op);
//! loop {
//!     match call.next(now()) {
//!         Step::Send(out) => match transport.send(out.request) {
//!             Ok(response) => call.handle_response(response, now()),
//!             Err(e) => call.handle_transport_error(e, now()),
//!         },
//!         Step::Wait(d) => sleep(d),
//!         Step::Done(result) => return result,
//!     }
//! }
//! ```
//!
//! (The core's [`driver`](crate::driver) runs this loop for any runtime.)
//!
//! A call is always in one [`Phase`]: ready to send, backing off, waiting for another call's
//! Digest probe or token fetch, with one request in flight, or finished. What the next API
//! request carries is a [`Plan`]; the OAuth token fetch, the Digest challenge (at most one
//! re-sign per attempt: a second 401 is an authentication error, never a loop) and retries
//! (bounded by the [`RetryPolicy`](crate::RetryPolicy)) are transitions between phases.

use crate::auth::oauth::{self, TokenStep};
use crate::auth::{DigestKey, DigestStep, SharedFailure, ToSign, bearer, probe_failure_is_shared};
use crate::credentials::Credentials;
use crate::digest::Challenge;
use crate::error::{AuthError, AuthFailure, Error, TransportError, TransportErrorKind};
use crate::exchange::{Outgoing, Purpose};
use crate::meta::ResponseMeta;
use crate::now::Now;
use crate::operation::{Operation, Prepared, prepare};
use crate::response::{self, ApiResponse};
use crate::retry::{status_is_retryable, transport_is_retryable};
use crate::secret::Secret;
use crate::session::Session;
use http::StatusCode;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the transport must do next.
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// Send this request, then feed back the response or the transport error.
    Send(Outgoing),
    /// Sleep this long, then call `next` again.
    Wait(Duration),
    /// The call is over.
    Done(Result<ApiResponse<T>, Error>),
}

/// How often a call waiting for another call's Digest probe or token fetch looks again.
const POLL: Duration = Duration::from_millis(5);

impl Session {
    /// Starts a call of `op`; drive it with [`Call::next`] and [`Call::handle_response`], or
    /// hand it to a [`driver`](crate::driver).
    pub fn begin<O: Operation>(&self, op: &O) -> Call<'_, O> {
        Call::new(self, op)
    }
}

/// What the next API request carries.
#[derive(Debug, Default)]
struct Plan {
    /// It re-sends the last request after a 401 (the attempt's one re-authentication).
    reauth: bool,
    /// A token this call just fetched (with its generation): used as is, whatever its lifetime.
    token: Option<(Secret, u64)>,
}

/// What another call is fetching for this one.
#[derive(Clone, Copy, Debug)]
enum Awaited {
    Probe(u64),
    Token(u64),
}

/// How the API request in flight was authenticated, to judge its answer.
#[derive(Debug)]
enum SentAuth {
    None,
    /// Unsigned, to fetch the first challenge: this call leads probe `id`.
    Probe(u64),
    /// Signed with this cached challenge.
    Digest(Arc<DigestKey>),
    Bearer(u64),
    FixedBearer,
}

/// The request in flight.
#[derive(Debug)]
enum InFlight {
    Api {
        auth: SentAuth,
        reauth: bool,
    },
    /// This call leads token fetch `id`.
    Token {
        id: u64,
        reauth: bool,
    },
}

/// Where a call is.
#[derive(Debug)]
enum Phase<T> {
    Ready(Plan),
    Backoff {
        until: Instant,
        plan: Plan,
    },
    Waiting {
        on: Awaited,
        since: Instant,
        plan: Plan,
    },
    InFlight(InFlight),
    Finished(Result<ApiResponse<T>, Error>),
    /// The result was handed out.
    Over,
}

/// What a call has spent so far.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    /// HTTP requests handed out.
    exchanges: u32,
    /// API attempts (a re-sign after a 401 is not a new one; a failed probe awaited is one).
    attempts: u32,
    /// Token fetches (a failed fetch awaited is one).
    token_attempts: u32,
    /// Time spent backing off and waiting for other calls.
    waited: Duration,
    /// When the call took its first step: the deadline counts from here.
    started: Option<Instant>,
}

/// One call of operation `O`, driven by a transport (the core's [`driver`](crate::driver)s
/// run this loop for any runtime):
///
/// ```text
/// let mut call = session.begin(&op);
/// loop {
///     match call.next(now()) {
///         Step::Send(out) => match transport.send(out.request) {
///             Ok(response) => call.handle_response(response, now()),
///             Err(e) => call.handle_transport_error(e, now()),
///         },
///         Step::Wait(d) => sleep(d),
///         Step::Done(result) => return result,
///     }
/// }
/// ```
///
/// A call is always in one phase: ready to send, backing off until an instant, waiting for
/// another call's Digest probe or token fetch (whose failure it learns at once and counts as
/// its own failed attempt), with one request in flight, or finished. Each request says what
/// it is for ([`Outgoing::purpose`]).
///
/// Dropping a call mid-flight is safe: a token fetch or Digest probe it was leading is
/// released so another call takes over at once.
#[derive(Debug)]
pub struct Call<'s, O: Operation> {
    session: &'s Session,
    prepared: Option<Prepared>,
    phase: Phase<O::Output>,
    tally: Tally,
    /// A retry followed an answer that does not prove the request was not applied.
    maybe_applied: bool,
    /// The operation's name ([`Operation::operation_id`]).
    operation: &'static str,
    /// Whether it may be retried once it may have reached Atlas ([`Operation::is_idempotent`]).
    idempotent: bool,
    /// The session hold this call set (its backoff after a 429 or 503), released when it ends.
    hold: Option<Instant>,
    _op: PhantomData<fn() -> O>,
}

impl<'s, O: Operation> Call<'s, O> {
    pub(crate) fn new(session: &'s Session, op: &O) -> Self {
        let (prepared, phase) = match prepare(session.config(), session.base(), op) {
            Ok(p) => (Some(p), Phase::Ready(Plan::default())),
            Err(e) => (None, Phase::Finished(Err(e))),
        };
        Call {
            session,
            prepared,
            phase,
            tally: Tally::default(),
            maybe_applied: false,
            operation: op.operation_id(),
            idempotent: op.is_idempotent(),
            hold: None,
            _op: PhantomData,
        }
    }

    /// HTTP requests handed out so far.
    pub fn exchanges(&self) -> u32 {
        self.tally.exchanges
    }

    /// Whether the operation may be retried after a failure in flight (it is idempotent).
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The operation's name (its operationId, or the name a described operation was given).
    pub fn operation_id(&self) -> &'static str {
        self.operation
    }

    /// The next step, given the current time.
    pub fn next(&mut self, now: Now) -> Step<O::Output> {
        self.tally.started.get_or_insert(now.instant);
        match std::mem::replace(&mut self.phase, Phase::Over) {
            Phase::Ready(plan) => self.ready(plan, now),
            Phase::Backoff { until, plan } => match until.checked_duration_since(now.instant) {
                Some(left) if !left.is_zero() => {
                    self.phase = Phase::Backoff { until, plan };
                    Step::Wait(left)
                }
                _ => self.ready(plan, now),
            },
            Phase::Waiting { on, since, plan } => self.dispatch(plan, now, Some((on, since))),
            Phase::Finished(result) => Step::Done(result),
            Phase::Over => Step::Done(Err(Error::Usage("next() called after the call finished"))),
            Phase::InFlight(flight) => {
                self.abandon(flight);
                Step::Done(Err(Error::Usage("next() called before the response to the last request was handled")))
            }
        }
    }

    /// Feeds the response to the last [`Step::Send`].
    pub fn handle_response(&mut self, response: http::Response<Vec<u8>>, now: Now) {
        match std::mem::replace(&mut self.phase, Phase::Over) {
            Phase::InFlight(InFlight::Api { auth, reauth }) => self.on_api_response(auth, reauth, response, now),
            Phase::InFlight(InFlight::Token { id, reauth }) => self.on_token_response(id, reauth, response, now),
            _ => self.finish(Err(Error::Usage("handle_response() called with no request in flight"))),
        }
    }

    /// Reports that the last [`Step::Send`] failed in the transport.
    pub fn handle_transport_error(&mut self, error: TransportError, now: Now) {
        let flight = match std::mem::replace(&mut self.phase, Phase::Over) {
            Phase::InFlight(flight) => flight,
            _ => return self.finish(Err(Error::Usage("handle_transport_error() called with no request in flight"))),
        };
        let error = Error::Transport(error);
        let shared = SharedFailure::of(&error);
        match flight {
            InFlight::Token { id, reauth } => {
                // Token requests have no side effect worth protecting: always idempotent.
                self.session.lock().token.release(id, shared);
                let retryable = transport_is_retryable(kind_of(&error), true);
                self.retry_or_finish(error, retryable, Kind::Token, now, Plan { reauth, token: None });
            }
            InFlight::Api { auth, .. } => {
                if let SentAuth::Probe(id) = auth {
                    self.session.land_probe(id, false, shared);
                }
                let retryable = transport_is_retryable(kind_of(&error), self.idempotent);
                // A retry is a new attempt even when the failed request was a re-sign after a
                // 401: it counts against `max_attempts` and gets a fresh 401 budget.
                self.retry_or_finish(error, retryable, Kind::Api, now, Plan::default());
            }
        }
    }

    /// Sends for `plan`, unless the session is held (a call got a 429 or 503 and backs off):
    /// then it waits for the hold first (counted as waited; never past the deadline).
    fn ready(&mut self, plan: Plan, now: Now) -> Step<O::Output> {
        let by_deadline = self.deadline().map(|d| d.saturating_duration_since(now.instant));
        let held = self.session.held(now.instant).map(|h| by_deadline.map_or(h, |d| h.min(d)));
        match held.and_then(|left| Some((left, now.instant.checked_add(left)?))) {
            Some((left, until)) if !left.is_zero() => {
                self.tally.waited = self.tally.waited.saturating_add(left);
                self.phase = Phase::Backoff { until, plan };
                Step::Wait(left)
            }
            _ => self.dispatch(plan, now, None),
        }
    }

    /// Decides the next request for `plan`, or waits for another call's probe or fetch.
    fn dispatch(&mut self, plan: Plan, now: Now, awaiting: Option<(Awaited, Instant)>) -> Step<O::Output> {
        let Some(prepared) = self.prepared.as_ref() else {
            return Step::Done(Err(Error::Usage("call has no request")));
        };
        let Plan { reauth, token } = plan;
        let credentials = if prepared.auth { self.session.credentials() } else { &Credentials::None };
        let (header, auth) = match (credentials, token) {
            // A token this call just fetched is used as is, whatever its lifetime: progress.
            (_, Some((token, generation))) => match bearer(token.expose()) {
                Ok(h) => (Some(h), SentAuth::Bearer(generation)),
                Err(e) => return self.done(Err(e)),
            },
            (Credentials::None, None) => (None, SentAuth::None),
            (Credentials::BearerToken(token), None) => match bearer(token.expose()) {
                Ok(h) => (Some(h), SentAuth::FixedBearer),
                Err(e) => return self.done(Err(e)),
            },
            (Credentials::ApiKey { public_key, private_key }, None) => {
                let awaited = match awaiting {
                    Some((Awaited::Probe(id), _)) => Some(id),
                    _ => None,
                };
                let to_sign =
                    ToSign { method: prepared.method.as_str(), uri: &prepared.target, public_key, private_key };
                match self.session.sign_digest(&to_sign, now.instant, awaited) {
                    Ok(DigestStep::Signed(h, key)) => (Some(h), SentAuth::Digest(key)),
                    Ok(DigestStep::Unsigned) => (None, SentAuth::None),
                    Ok(DigestStep::Probe(id)) => (None, SentAuth::Probe(id)),
                    Ok(DigestStep::Wait(id)) => return self.wait(Awaited::Probe(id), awaiting, now, Plan::default()),
                    Ok(DigestStep::Failed(f)) => return self.awaited_failed(f, Kind::Api, awaiting, now),
                    Err(e) => return self.done(Err(e)),
                }
            }
            (Credentials::ServiceAccount { client_id, client_secret }, None) => {
                let awaited = match awaiting {
                    Some((Awaited::Token(id), _)) => Some(id),
                    _ => None,
                };
                let step = self.session.lock().token.acquire(now.instant, awaited);
                match step {
                    TokenStep::Use(token, generation) => match bearer(token.expose()) {
                        Ok(h) => (Some(h), SentAuth::Bearer(generation)),
                        Err(e) => return self.done(Err(e)),
                    },
                    TokenStep::Fetch(id) => {
                        self.end_wait(awaiting, now);
                        return match oauth::token_request(self.session.config(), client_id, client_secret) {
                            Ok(request) => {
                                self.tally.token_attempts = self.tally.token_attempts.saturating_add(1);
                                let purpose = Purpose::TokenFetch { attempt: self.tally.token_attempts };
                                self.send(request, purpose, InFlight::Token { id, reauth }, now)
                            }
                            Err(e) => {
                                self.session.lock().token.release(id, None);
                                self.done(Err(e))
                            }
                        };
                    }
                    TokenStep::Wait(id) => {
                        return self.wait(Awaited::Token(id), awaiting, now, Plan { reauth, token: None });
                    }
                    TokenStep::Failed(f) => return self.awaited_failed(f, Kind::Token, awaiting, now),
                }
            }
        };
        let request = prepared.to_request(header);
        self.end_wait(awaiting, now);
        let request = match request {
            Ok(r) => r,
            Err(e) => {
                if let SentAuth::Probe(id) = auth {
                    self.session.land_probe(id, false, None);
                }
                return self.done(Err(e));
            }
        };
        if !reauth {
            self.tally.attempts = self.tally.attempts.saturating_add(1);
        }
        let attempt = self.tally.attempts;
        let purpose = match auth {
            SentAuth::Probe(_) => Purpose::DigestProbe { attempt },
            _ => Purpose::Api { attempt },
        };
        self.send(request, purpose, InFlight::Api { auth, reauth }, now)
    }

    fn send(
        &mut self,
        request: http::Request<Vec<u8>>,
        purpose: Purpose,
        flight: InFlight,
        now: Now,
    ) -> Step<O::Output> {
        if self.deadline().is_some_and(|d| now.instant >= d) {
            // Nothing goes out past the deadline (a request with no time left could still
            // reach the server); a probe or token fetch this call leads is handed back.
            match flight {
                InFlight::Api { auth: SentAuth::Probe(id), .. } => self.session.land_probe(id, false, None),
                InFlight::Token { id, .. } => self.session.lock().token.release(id, None),
                InFlight::Api { .. } => {}
            }
            let timeout = TransportError::new(TransportErrorKind::Timeout, "the call's deadline passed before sending");
            return self.done(Err(Error::Transport(timeout)));
        }
        self.tally.exchanges = self.tally.exchanges.saturating_add(1);
        self.phase = Phase::InFlight(flight);
        let mut out = Outgoing::new(request, purpose, self.operation);
        out.time_left = self.deadline().map(|d| d.saturating_duration_since(now.instant));
        Step::Send(out)
    }

    /// Ends the call now with `result`.
    fn done(&mut self, result: Result<ApiResponse<O::Output>, Error>) -> Step<O::Output> {
        self.finish(result);
        self.next_finished()
    }

    fn next_finished(&mut self) -> Step<O::Output> {
        match std::mem::replace(&mut self.phase, Phase::Over) {
            Phase::Finished(result) => Step::Done(result),
            other => {
                self.phase = other;
                Step::Done(Err(Error::Usage("call not finished")))
            }
        }
    }

    /// The call's deadline, if the policy sets one.
    fn deadline(&self) -> Option<Instant> {
        let limit = self.session.config().retry().deadline?;
        self.tally.started.and_then(|s| s.checked_add(limit))
    }

    /// Waits for another call's probe or fetch `on`, within the call's wait budget.
    fn wait(&mut self, on: Awaited, awaiting: Option<(Awaited, Instant)>, now: Now, plan: Plan) -> Step<O::Output> {
        let since = awaiting.map_or(now.instant, |(_, since)| since);
        let so_far = now.instant.saturating_duration_since(since);
        let budget = self.session.config().retry().max_total_wait.saturating_sub(self.tally.waited);
        let by_deadline = self.deadline().map(|d| d.saturating_duration_since(now.instant));
        let left = by_deadline.map_or(budget.saturating_sub(so_far), |d| d.min(budget.saturating_sub(so_far)));
        if left.is_zero() {
            self.tally.waited = self.tally.waited.saturating_add(so_far);
            let what = match on {
                Awaited::Probe(_) => "the Digest challenge",
                Awaited::Token(_) => "the OAuth token",
            };
            let error = TransportError::new(
                TransportErrorKind::Timeout,
                format!("gave up after waiting {so_far:?} for {what} another call is fetching"),
            );
            return self.done(Err(Error::Transport(error)));
        }
        self.phase = Phase::Waiting { on, since, plan };
        Step::Wait(POLL.min(left))
    }

    /// Counts the time waited for another call, once that wait is over.
    fn end_wait(&mut self, awaiting: Option<(Awaited, Instant)>, now: Now) {
        if let Some((_, since)) = awaiting {
            self.tally.waited = self.tally.waited.saturating_add(now.instant.saturating_duration_since(since));
        }
    }

    /// The probe or fetch this call waited for failed: that is this call's own failed
    /// attempt, judged by its own retry policy (it sent nothing, so a retry is always safe).
    fn awaited_failed(
        &mut self,
        failure: SharedFailure,
        kind: Kind,
        awaiting: Option<(Awaited, Instant)>,
        now: Now,
    ) -> Step<O::Output> {
        self.end_wait(awaiting, now);
        match kind {
            Kind::Api => self.tally.attempts = self.tally.attempts.saturating_add(1),
            Kind::Token => self.tally.token_attempts = self.tally.token_attempts.saturating_add(1),
        }
        // A probe's failure is named after this call's operation; a token fetch's keeps the
        // token endpoint's name, as its leader reports it.
        let error = failure.to_error(matches!(kind, Kind::Api).then_some(self.operation));
        let retryable = error.is_retryable();
        self.retry_or_finish_sent(error, retryable, kind, now, Plan::default(), false);
        self.next(now)
    }

    fn on_api_response(&mut self, auth: SentAuth, reauth: bool, response: http::Response<Vec<u8>>, now: Now) {
        let operation = self.operation;
        if response.status() == StatusCode::UNAUTHORIZED {
            let probe = match &auth {
                SentAuth::Probe(id) => Some(*id),
                _ => None,
            };
            self.on_unauthorized(auth, reauth, &response, now);
            // After any challenge is stored, so the calls waiting on this probe can sign; if
            // none came, they learn why (and judge it by their own policies).
            if let Some(id) = probe {
                let failure = match &self.phase {
                    Phase::Finished(Err(e)) => SharedFailure::of(e),
                    _ => None,
                };
                self.session.land_probe(id, false, failure);
            }
            return;
        }
        if let SentAuth::Digest(key) = &auth {
            // The nonce that signed this request is known to work.
            key.mark_proven();
        }
        let envelope = self.prepared.as_ref().is_some_and(|p| p.envelope);
        let result = response::parse::<O>(operation, envelope, &response, now.wall);
        if let SentAuth::Probe(id) = auth {
            let failure = match &result {
                Err(e) if probe_failure_is_shared(e) => SharedFailure::of(e),
                _ => None,
            };
            self.session.land_probe(id, response.status().is_success(), failure);
        }
        match result {
            Ok(ok) => self.finish(Ok(ok)),
            // A delete retried after it may already have been applied finds nothing left: done.
            Err(Error::Api(gone))
                if self.maybe_applied
                    && self.prepared.as_ref().is_some_and(|p| p.method == http::Method::DELETE)
                    && gone.status == StatusCode::NOT_FOUND =>
            {
                match O::decode(b"") {
                    Ok(value) => self.finish(Ok(ApiResponse { value, meta: gone.meta })),
                    Err(_) => self.finish(Err(Error::Api(gone))),
                }
            }
            Err(e) => {
                let retryable = match &e {
                    Error::Api(a) => status_is_retryable(a.status, Some(a.error_code()), self.idempotent),
                    Error::Decode(d) => status_is_retryable(
                        d.status,
                        d.meta.as_ref().and_then(|m| m.error_code.as_deref()),
                        self.idempotent,
                    ),
                    _ => false,
                };
                // Past authentication: the next attempt has its own re-authentication.
                self.retry_or_finish(e, retryable, Kind::Api, now, Plan::default());
            }
        }
    }

    fn on_unauthorized(&mut self, auth: SentAuth, reauth: bool, response: &http::Response<Vec<u8>>, now: Now) {
        let refusal = |kind: AuthFailure| {
            let body: Option<crate::error::ApiErrorBody> = serde_json::from_slice(response.body()).ok();
            Error::Authentication(AuthError {
                kind,
                status: Some(response.status()),
                error_code: body.as_ref().map(|b| b.error_code.clone()),
                detail: body.and_then(|b| b.detail),
            })
        };
        let resend = Plan { reauth: true, token: None };
        if self.prepared.as_ref().is_some_and(|p| !p.auth) {
            // Sent without credentials on purpose (the spec says it takes none): no challenge
            // is answered; the 401 is Atlas's answer.
            let meta = ResponseMeta::from_headers(response.status(), response.headers(), now.wall);
            return self.finish(Err(response::error_from_body(self.operation, meta, response.body())));
        }
        match (self.session.credentials(), auth) {
            (Credentials::ApiKey { public_key, private_key }, auth) => {
                match Challenge::from_headers(response.headers()) {
                    Err(e) => self.finish(Err(Error::UnsupportedChallenge(e))),
                    // A 401 without a challenge is an answer about permissions, not credentials.
                    Ok(None) => self.finish(Err(response::error_from_body(
                        self.operation,
                        ResponseMeta::from_headers(response.status(), response.headers(), now.wall),
                        response.body(),
                    ))),
                    Ok(Some(challenge)) => {
                        let (signed_with, proven) = match &auth {
                            SentAuth::Digest(key) => (Some(key.challenge.nonce.as_str()), key.is_proven()),
                            _ => (None, false),
                        };
                        // A new nonce, a stale one, or one that already worked (then the server
                        // may have taken this nc out of order): worth one fresh signature.
                        let fresh = challenge.stale || proven || signed_with != Some(challenge.nonce.as_str());
                        self.session.store_challenge(challenge, public_key, private_key);
                        if fresh && !reauth {
                            self.phase = Phase::Ready(resend);
                        } else {
                            self.finish(Err(refusal(AuthFailure::DigestRejected)));
                        }
                    }
                }
            }
            (Credentials::ServiceAccount { .. }, SentAuth::Bearer(generation)) => {
                let refused_recently = self.session.lock().token.refused_recently(generation, now.instant);
                if refused_recently {
                    // This token was refused right after its fetch: the 401 is about permissions.
                    self.finish(Err(api_or(self.operation, response, now, refusal(AuthFailure::TokenRejected))));
                } else if !reauth {
                    self.session.lock().token.invalidate(generation);
                    self.phase = Phase::Ready(resend);
                } else {
                    // Refused again with a fresh token: Atlas says no to this call, not to the token.
                    self.session.lock().token.mark_refused(generation, now.instant);
                    self.finish(Err(api_or(self.operation, response, now, refusal(AuthFailure::TokenRejected))));
                }
            }
            (Credentials::ServiceAccount { .. } | Credentials::BearerToken(_), _) => {
                self.finish(Err(refusal(AuthFailure::TokenRejected)));
            }
            (_, _) => self.finish(Err(refusal(AuthFailure::NoCredentials))),
        }
    }

    fn on_token_response(&mut self, id: u64, reauth: bool, response: http::Response<Vec<u8>>, now: Now) {
        match oauth::parse_token_response(&response, now.wall) {
            Ok(token) => {
                let margin = self.session.config().token_refresh_margin();
                let secret = self.session.lock().token.store(id, token, now.instant, margin);
                self.phase = Phase::Ready(Plan { reauth, token: Some((secret, id)) });
            }
            Err(e) => {
                // Every call waiting on this fetch learns its outcome now.
                self.session.lock().token.release(id, SharedFailure::of(&e));
                let retryable = e.status().is_some_and(|s| status_is_retryable(s, None, true));
                self.retry_or_finish(e, retryable, Kind::Token, now, Plan { reauth, token: None });
            }
        }
    }

    /// Schedules a retry if the failure, the policy and the deadline allow it; otherwise ends
    /// the call with the error itself (carrying the attempts and the time waited).
    fn retry_or_finish(&mut self, error: Error, retryable: bool, kind: Kind, now: Now, plan: Plan) {
        self.retry_or_finish_sent(error, retryable, kind, now, plan, true);
    }

    /// [`Call::retry_or_finish`]; `sent`: this call sent the request that failed (a call that
    /// only waited for another call's probe sent nothing, so nothing of its own was applied).
    fn retry_or_finish_sent(&mut self, error: Error, retryable: bool, kind: Kind, now: Now, plan: Plan, sent: bool) {
        let attempts = match kind {
            Kind::Api => self.tally.attempts,
            Kind::Token => self.tally.token_attempts,
        };
        let resume = retryable
            .then(|| self.session.retry_delay(attempts, error.retry_after(), self.tally.waited))
            .flatten()
            // An impossible wait (past the end of the clock or the deadline) ends the call.
            .and_then(|d| Some((d, now.instant.checked_add(d)?)))
            .filter(|(_, until)| self.deadline().is_none_or(|deadline| *until <= deadline));
        match resume {
            Some((d, until)) => {
                self.tally.waited = self.tally.waited.saturating_add(d);
                // Retrying after an answer that does not prove the request was not applied.
                let not_applied = error.is_rate_limited()
                    || error.transport_error().is_some_and(|t| t.kind == TransportErrorKind::Connect);
                self.maybe_applied |= sent && matches!(kind, Kind::Api) && !not_applied;
                // The server asked to slow down: every call of the session waits as long.
                if error.is_rate_limited() || error.status() == Some(StatusCode::SERVICE_UNAVAILABLE) {
                    self.session.hold_until(until);
                    if let Some(previous) = self.hold.replace(until) {
                        self.session.release_hold(previous);
                    }
                }
                self.phase = Phase::Backoff { until, plan };
            }
            None => self.finish_counting(Err(error), attempts),
        }
    }

    fn finish(&mut self, result: Result<ApiResponse<O::Output>, Error>) {
        self.finish_counting(result, self.tally.attempts);
    }

    /// Ends the call, stamping the exchanges, `attempts` (of the request that failed: API
    /// requests, or token fetches) and the time waited on the result or error.
    fn finish_counting(&mut self, mut result: Result<ApiResponse<O::Output>, Error>, attempts: u32) {
        self.release_hold();
        let Tally { exchanges, waited, .. } = self.tally;
        let spec_sunset = self.prepared.as_ref().and_then(|p| p.spec_sunset);
        let spec_deprecated = self.prepared.as_ref().is_some_and(|p| p.spec_deprecated);
        let stamp = |meta: &mut ResponseMeta| {
            meta.exchanges = exchanges;
            meta.attempts = attempts;
            meta.waited = waited;
            meta.spec_sunset = spec_sunset;
            meta.spec_deprecated = spec_deprecated;
        };
        match &mut result {
            Ok(ok) => stamp(&mut ok.meta),
            Err(Error::Api(a)) => stamp(&mut a.meta),
            Err(Error::Decode(d)) => {
                if let Some(m) = d.meta.as_mut() {
                    stamp(m);
                }
            }
            Err(Error::Transport(t)) => {
                t.attempts = attempts;
                t.waited = waited;
            }
            Err(_) => {}
        }
        self.phase = Phase::Finished(result);
    }

    /// Ends the session hold this call set, if it still stands.
    fn release_hold(&mut self) {
        if let Some(until) = self.hold.take() {
            self.session.release_hold(until);
        }
    }

    /// Releases what a request in flight leads, so another call takes over at once.
    fn abandon(&mut self, flight: InFlight) {
        match flight {
            InFlight::Token { id, .. } => self.session.lock().token.release(id, None),
            InFlight::Api { auth: SentAuth::Probe(id), .. } => self.session.land_probe(id, false, None),
            InFlight::Api { .. } => {}
        }
    }
}

impl<O: Operation> Drop for Call<'_, O> {
    fn drop(&mut self) {
        self.release_hold();
        if let Phase::InFlight(flight) = std::mem::replace(&mut self.phase, Phase::Over) {
            self.abandon(flight);
        }
    }
}

/// Which budget a failed request counts against.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Api,
    Token,
}

fn kind_of(error: &Error) -> TransportErrorKind {
    error.transport_error().map_or(TransportErrorKind::Other, |t| t.kind)
}

/// The Atlas error a 401 carries, or `otherwise` when its body is not one.
fn api_or(operation: &'static str, response: &http::Response<Vec<u8>>, now: Now, otherwise: Error) -> Error {
    match serde_json::from_slice::<crate::error::ApiErrorBody>(response.body()) {
        Ok(_) => response::error_from_body(
            operation,
            ResponseMeta::from_headers(response.status(), response.headers(), now.wall),
            response.body(),
        ),
        Err(_) => otherwise,
    }
}
