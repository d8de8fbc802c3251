//! The call state machine: one operation, driven by a transport.
//!
//! ```text
//! let mut call = session.begin(&op);
//! loop {
//!     match call.next(now()) {
//!         Step::Send(request) => match transport.send(request) {
//!             Ok(response) => call.handle_response(response, now()),
//!             Err(e) => call.handle_transport_error(e, now()),
//!         },
//!         Step::Wait(d) => sleep(d),
//!         Step::Done(result) => return result,
//!     }
//! }
//! ```
//!
//! The machine interleaves the OAuth token fetch, the Digest challenge (at most one re-sign
//! per call: a second 401 is an authentication error, never a loop) and retries (bounded by
//! the [`RetryPolicy`](crate::RetryPolicy)).

use crate::credentials::Credentials;
use crate::digest::Challenge;
use crate::error::{AuthError, AuthFailure, Error, TransportError};
use crate::oauth::{self, TokenStep};
use crate::operation::{Operation, Prepared, prepare};
use crate::response::{self, ApiResponse};
use crate::retry::{status_is_retryable, transport_is_retryable};
use crate::session::{DigestKey, DigestStep, Session};
use http::{HeaderValue, StatusCode};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What the transport must do next.
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// Send this request, then feed back the response or the transport error.
    Send(http::Request<Vec<u8>>),
    /// Sleep this long, then call `next` again.
    Wait(Duration),
    /// The call is over.
    Done(Result<ApiResponse<T>, Error>),
}

/// How the last API request was authenticated, to judge a 401.
#[derive(Debug)]
enum SentAuth {
    None,
    /// Signed with this cached challenge.
    Digest {
        key: Arc<DigestKey>,
    },
    Bearer {
        generation: u64,
    },
    FixedBearer,
}

#[derive(Debug)]
enum State<T> {
    Ready,
    AwaitingApi(SentAuth),
    AwaitingToken,
    Finished(Result<ApiResponse<T>, Error>),
    Over,
}

/// The verdict on a failure.
enum Verdict {
    Retry(Duration),
    GiveUp { retryable: bool },
}

/// One call of operation `O`, driven by a transport:
///
/// ```text
/// let mut call = session.begin(&op);
/// loop {
///     match call.next(now()) {
///         Step::Send(request) => match transport.send(request) {
///             Ok(response) => call.handle_response(response, now()),
///             Err(e) => call.handle_transport_error(e, now()),
///         },
///         Step::Wait(d) => sleep(d),
///         Step::Done(result) => return result,
///     }
/// }
/// ```
///
/// Dropping a call mid-flight is safe: a token fetch or Digest probe it was leading is
/// released so another call takes over.
#[derive(Debug)]
pub struct Call<'s, O: Operation> {
    session: &'s Session,
    prepared: Option<Prepared>,
    state: State<O::Output>,
    exchanges: u32,
    /// API requests sent, not counting a Digest re-sign or a retry after a refused token.
    attempts: u32,
    /// Token requests sent.
    token_attempts: u32,
    waited: Duration,
    resume_at: Option<SystemTime>,
    /// The one re-authentication a call gets has been used.
    auth_retried: bool,
    /// The next API request re-sends the last one after a 401; it is not a new attempt.
    resend: bool,
    lease: Option<u64>,
    /// The Digest probe lease this call holds (it is fetching the first challenge).
    probe: Option<u64>,
    /// A retry followed an answer that does not prove the request was not applied.
    uncertain: bool,
    /// A token this call just fetched (and its generation): used for its next request.
    fetched: Option<(crate::secret::Secret, u64)>,
    waiting_on: Option<u64>,
    _op: PhantomData<fn() -> O>,
}

impl<'s, O: Operation> Call<'s, O> {
    pub(crate) fn new(session: &'s Session, op: &O) -> Self {
        let (prepared, state) = match prepare(session.config(), session.base(), op) {
            Ok(p) => (Some(p), State::Ready),
            Err(e) => (None, State::Finished(Err(e))),
        };
        Call {
            session,
            prepared,
            state,
            exchanges: 0,
            attempts: 0,
            token_attempts: 0,
            waited: Duration::ZERO,
            resume_at: None,
            auth_retried: false,
            resend: false,
            lease: None,
            probe: None,
            fetched: None,
            uncertain: false,
            waiting_on: None,
            _op: PhantomData,
        }
    }

    /// HTTP requests handed out so far.
    pub fn exchanges(&self) -> u32 {
        self.exchanges
    }

    /// Whether the operation may be retried after a failure in flight (it is idempotent).
    pub fn is_idempotent(&self) -> bool {
        O::ENDPOINT.idempotent
    }

    /// The next step, given the current time.
    pub fn next(&mut self, now: SystemTime) -> Step<O::Output> {
        match std::mem::replace(&mut self.state, State::Over) {
            State::Ready => self.step(now),
            State::Finished(result) => Step::Done(result),
            State::Over => Step::Done(Err(Error::Usage("next() called after the call finished"))),
            State::AwaitingApi(_) | State::AwaitingToken => {
                self.release_lease(None);
                self.release_probe(false);
                Step::Done(Err(Error::Usage("next() called before the response to the last request was handled")))
            }
        }
    }

    /// Feeds the response to the last [`Step::Send`].
    pub fn handle_response(&mut self, response: http::Response<Vec<u8>>, now: SystemTime) {
        match std::mem::replace(&mut self.state, State::Over) {
            State::AwaitingApi(auth) => self.on_api_response(auth, response, now),
            State::AwaitingToken => self.on_token_response(response, now),
            _ => self.finish(Err(Error::Usage("handle_response() called with no request in flight"))),
        }
    }

    /// Reports that the last [`Step::Send`] failed in the transport.
    pub fn handle_transport_error(&mut self, error: TransportError, now: SystemTime) {
        let in_flight = std::mem::replace(&mut self.state, State::Over);
        if !matches!(in_flight, State::AwaitingApi(_) | State::AwaitingToken) {
            return self.finish(Err(Error::Usage("handle_transport_error() called with no request in flight")));
        }
        self.release_probe(false);
        let token = matches!(in_flight, State::AwaitingToken);
        // Token requests have no side effect worth protecting: always idempotent.
        let idempotent = token || O::ENDPOINT.idempotent;
        let error = Error::Transport(error);
        let retryable = match &error {
            Error::Transport(t) => transport_is_retryable(t.kind, idempotent),
            _ => false,
        };
        self.retry_or_finish(error, retryable, token, now);
    }

    fn step(&mut self, now: SystemTime) -> Step<O::Output> {
        if let Some(at) = self.resume_at {
            if let Ok(left) = at.duration_since(now) {
                if !left.is_zero() {
                    self.state = State::Ready;
                    return Step::Wait(left);
                }
            }
            self.resume_at = None;
        }
        let Some(prepared) = self.prepared.as_ref() else {
            return Step::Done(Err(Error::Usage("call has no request")));
        };
        // A token this call just fetched is used as is, whatever its lifetime: progress.
        let signed = if let Some((token, generation)) = self.fetched.take() {
            bearer(token.expose()).map(|h| (Some(h), SentAuth::Bearer { generation }))
        } else {
            match self.session.credentials() {
                Credentials::None => Ok((None, SentAuth::None)),
                Credentials::ApiKey { public_key, private_key } => {
                    match self.session.sign_digest(prepared, public_key, private_key, now, &mut self.probe) {
                        Ok(DigestStep::Signed(header, key)) => Ok((Some(header), SentAuth::Digest { key })),
                        Ok(DigestStep::Probe) => Ok((None, SentAuth::None)),
                        Ok(DigestStep::Wait(d)) => {
                            self.state = State::Ready;
                            return Step::Wait(d);
                        }
                        Err(e) => Err(e),
                    }
                }
                Credentials::BearerToken(token) => bearer(token.expose()).map(|h| (Some(h), SentAuth::FixedBearer)),
                Credentials::ServiceAccount { client_id, client_secret } => {
                    match self.session.acquire_token(now, self.lease, &mut self.waiting_on) {
                        TokenStep::Use(token, generation) => {
                            bearer(token.expose()).map(|h| (Some(h), SentAuth::Bearer { generation }))
                        }
                        TokenStep::Fetch(lease) => {
                            self.lease = Some(lease);
                            return match oauth::token_request(self.session.config(), client_id, client_secret) {
                                Ok(request) => {
                                    self.token_attempts += 1;
                                    self.send(request, State::AwaitingToken)
                                }
                                Err(e) => {
                                    self.release_lease(None);
                                    Step::Done(Err(e))
                                }
                            };
                        }
                        TokenStep::Wait(d) => {
                            self.state = State::Ready;
                            return Step::Wait(d);
                        }
                        TokenStep::Failed(e) => return Step::Done(Err(Error::Authentication(e))),
                    }
                }
            }
        };
        match signed.and_then(|(auth_header, sent)| Ok((prepared.to_request(auth_header)?, sent))) {
            Ok((request, sent)) => {
                if !std::mem::take(&mut self.resend) {
                    self.attempts += 1;
                }
                self.send(request, State::AwaitingApi(sent))
            }
            Err(e) => Step::Done(Err(e)),
        }
    }

    fn send(&mut self, request: http::Request<Vec<u8>>, awaiting: State<O::Output>) -> Step<O::Output> {
        self.exchanges += 1;
        self.state = awaiting;
        Step::Send(request)
    }

    fn on_api_response(&mut self, auth: SentAuth, response: http::Response<Vec<u8>>, now: SystemTime) {
        let operation = O::ENDPOINT.operation_id;
        if response.status() == StatusCode::UNAUTHORIZED {
            self.on_unauthorized(auth, &response, now);
            // After any challenge is stored, so the calls waiting on this probe can sign.
            return self.release_probe(false);
        }
        self.release_probe(response.status().is_success());
        // Past authentication: the call's one re-authentication is available again, and the
        // nonce that signed this request is known to work.
        self.auth_retried = false;
        if let SentAuth::Digest { key } = &auth {
            key.proven.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        let envelope = self.prepared.as_ref().is_some_and(|p| p.envelope);
        match response::parse::<O>(operation, envelope, &response, now) {
            Ok(ok) => self.finish(Ok(ok)),
            // A delete retried after it may already have been applied finds nothing left: done.
            Err(Error::Api(gone))
                if self.uncertain
                    && O::ENDPOINT.method == http::Method::DELETE
                    && gone.status == StatusCode::NOT_FOUND =>
            {
                match O::decode(b"") {
                    Ok(value) => self.finish(Ok(ApiResponse { value, meta: gone.meta })),
                    Err(_) => self.finish(Err(Error::Api(gone))),
                }
            }
            Err(e) => {
                let retryable = match &e {
                    Error::Api(a) => status_is_retryable(a.status, Some(a.error_code()), O::ENDPOINT.idempotent),
                    Error::Decode(d) => status_is_retryable(
                        d.status,
                        d.meta.as_ref().and_then(|m| m.error_code.as_deref()),
                        O::ENDPOINT.idempotent,
                    ),
                    _ => false,
                };
                self.retry_or_finish(e, retryable, false, now);
            }
        }
    }

    fn on_unauthorized(&mut self, auth: SentAuth, response: &http::Response<Vec<u8>>, now: SystemTime) {
        let refusal = |kind: AuthFailure| {
            let body: Option<crate::error::ApiErrorBody> = serde_json::from_slice(response.body()).ok();
            Error::Authentication(AuthError {
                kind,
                status: Some(response.status()),
                error_code: body.as_ref().map(|b| b.error_code.clone()),
                detail: body.and_then(|b| b.detail),
            })
        };
        let first_refusal = !self.auth_retried;
        match (self.session.credentials(), auth) {
            (Credentials::ApiKey { public_key, private_key }, auth) => {
                match Challenge::from_headers(response.headers()) {
                    Err(e) => self.finish(Err(Error::UnsupportedChallenge(e))),
                    // A 401 without a challenge is an answer about permissions, not credentials.
                    Ok(None) => self.finish(Err(response::error_from_body(
                        O::ENDPOINT.operation_id,
                        crate::meta::ResponseMeta::from_headers(response.status(), response.headers(), now),
                        response.body(),
                    ))),
                    Ok(Some(challenge)) => {
                        let (signed_with, proven) = match &auth {
                            SentAuth::Digest { key } => (
                                Some(key.challenge.nonce.as_str()),
                                key.proven.load(std::sync::atomic::Ordering::Relaxed),
                            ),
                            _ => (None, false),
                        };
                        // A new nonce, a stale one, or one that already worked (then the server
                        // may have taken this nc out of order): worth one fresh signature.
                        let fresh = challenge.stale || proven || signed_with != Some(challenge.nonce.as_str());
                        self.session.store_challenge(challenge, public_key, private_key);
                        if fresh && first_refusal {
                            self.auth_retried = true;
                            self.resend = true;
                            self.state = State::Ready;
                        } else {
                            self.finish(Err(refusal(AuthFailure::DigestRejected)));
                        }
                    }
                }
            }
            (Credentials::ServiceAccount { .. }, SentAuth::Bearer { generation }) => {
                if self.session.token_refused_recently(generation, now) {
                    // This token was refused right after its fetch: the 401 is about permissions.
                    self.finish(Err(api_or(
                        O::ENDPOINT.operation_id,
                        response,
                        now,
                        refusal(AuthFailure::TokenRejected),
                    )));
                } else if first_refusal {
                    self.session.invalidate_token(generation);
                    self.auth_retried = true;
                    self.resend = true;
                    self.state = State::Ready;
                } else {
                    // Refused again with a fresh token: Atlas says no to this call, not to the token.
                    self.session.mark_token_refused(generation, now);
                    self.finish(Err(api_or(
                        O::ENDPOINT.operation_id,
                        response,
                        now,
                        refusal(AuthFailure::TokenRejected),
                    )));
                }
            }
            (Credentials::ServiceAccount { .. } | Credentials::BearerToken(_), _) => {
                self.finish(Err(refusal(AuthFailure::TokenRejected)));
            }
            (_, _) => self.finish(Err(refusal(AuthFailure::NoCredentials))),
        }
    }

    fn on_token_response(&mut self, response: http::Response<Vec<u8>>, now: SystemTime) {
        let Some(lease) = self.lease else {
            return self.finish(Err(Error::Usage("token response without a token request")));
        };
        match oauth::parse_token_response(&response, now) {
            Ok(token) => {
                let token = self.session.store_token(lease, token, now);
                self.fetched = Some((token, lease));
                self.lease = None;
                self.state = State::Ready;
            }
            Err(e) => {
                let retryable = e.status().is_some_and(|s| status_is_retryable(s, None, true));
                self.retry_or_finish(e, retryable, true, now);
            }
        }
    }

    /// Schedules a retry if the failure and the policy allow it; otherwise ends the call.
    /// `token` says whether the failed request was a token request.
    fn retry_or_finish(&mut self, error: Error, retryable: bool, token: bool, now: SystemTime) {
        let attempts = if token { self.token_attempts } else { self.attempts };
        let verdict = if retryable {
            match self.session.retry_delay(attempts, error.retry_after(), self.waited) {
                Some(d) => Verdict::Retry(d),
                None => Verdict::GiveUp { retryable: true },
            }
        } else {
            Verdict::GiveUp { retryable: false }
        };
        match verdict {
            Verdict::Retry(d) => {
                self.waited += d;
                let resume = now.checked_add(d).unwrap_or(now);
                self.resume_at = Some(resume);
                if let (true, Some(lease)) = (token, self.lease) {
                    self.session.extend_token_lease(lease, resume);
                }
                // Retrying after an answer that does not prove the request was not applied.
                let not_applied = error.is_rate_limited()
                    || error.transport_error().is_some_and(|t| t.kind == crate::error::TransportErrorKind::Connect);
                self.uncertain |= !token && !not_applied;
                self.state = State::Ready;
            }
            Verdict::GiveUp { retryable } => {
                // Calls waiting on this token fetch end with its failure too.
                let failure = match &error {
                    Error::Authentication(a) => Some(a.clone()),
                    other if token => Some(AuthError {
                        kind: AuthFailure::TokenUnavailable,
                        status: other.status(),
                        error_code: other.error_code().map(str::to_owned),
                        detail: Some(other.to_string()),
                    }),
                    _ => None,
                };
                self.release_lease(failure);
                let error = if retryable && attempts > 1 {
                    Error::RetriesExhausted { attempts, waited: self.waited, last: Box::new(error) }
                } else {
                    error
                };
                self.finish(Err(error));
            }
        }
    }

    fn finish(&mut self, mut result: Result<ApiResponse<O::Output>, Error>) {
        let exchanges = self.exchanges;
        match &mut result {
            Ok(ok) => ok.meta.exchanges = exchanges,
            Err(e) => set_exchanges(e, exchanges),
        }
        self.state = State::Finished(result);
    }

    /// Ends this call's Digest probe lease, if it holds one.
    fn release_probe(&mut self, unchallenged: bool) {
        if let Some(id) = self.probe.take() {
            self.session.release_probe(id, unchallenged);
        }
    }

    fn release_lease(&mut self, failure: Option<AuthError>) {
        if let Some(lease) = self.lease.take() {
            self.session.release_token_lease(lease, failure);
        }
    }
}

impl<O: Operation> Drop for Call<'_, O> {
    fn drop(&mut self) {
        self.release_lease(None);
        self.release_probe(false);
    }
}

/// The Atlas error a 401 carries, or `otherwise` when its body is not one.
fn api_or(operation: &'static str, response: &http::Response<Vec<u8>>, now: SystemTime, otherwise: Error) -> Error {
    match serde_json::from_slice::<crate::error::ApiErrorBody>(response.body()) {
        Ok(_) => response::error_from_body(
            operation,
            crate::meta::ResponseMeta::from_headers(response.status(), response.headers(), now),
            response.body(),
        ),
        Err(_) => otherwise,
    }
}

fn set_exchanges(error: &mut Error, exchanges: u32) {
    match error {
        Error::Api(a) => a.meta.exchanges = exchanges,
        Error::Decode(d) => {
            if let Some(m) = d.meta.as_mut() {
                m.exchanges = exchanges;
            }
        }
        Error::RetriesExhausted { last, .. } => set_exchanges(last, exchanges),
        _ => {}
    }
}

fn bearer(token: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| Error::Usage("token cannot be sent in a header"))?;
    value.set_sensitive(true);
    Ok(value)
}
