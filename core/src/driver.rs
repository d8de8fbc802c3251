//! Drivers: the loop that runs a [`Call`] to its end, for any runtime.
//!
//! A transport brings three functions, the oauth2-rs way: `now` (read both clocks), `send`
//! (move one request and read the whole response) and `sleep`. The driver asks the call what
//! to do, does it, feeds back the outcome with the time, and reports every exchange to the
//! observer with what it was for. [`run_blocking`] takes plain functions; [`run`] takes
//! functions returning futures, with no runtime dependency (Tokio, smol, async-std, or an
//! executor of your own).
//!
//! With the `tracing` feature, every exchange and every wait is also a `tracing` event (target
//! `atlas_admin`, level DEBUG): operation, method, path, status or failure, purpose, attempt,
//! elapsed time, wait; never a header value, a body or a query string.
//!
//! Termination is the core's promise: re-authentication is tried at most once per attempt
//! and retries are bounded by the session's [`RetryPolicy`](crate::RetryPolicy).

use crate::call::{Call, Step};
use crate::error::Error;
use crate::exchange::{Exchange, ExchangeStart, Observer, Outgoing};
use crate::now::Now;
use crate::operation::Operation;
use crate::response::ApiResponse;
use crate::session::Session;
use std::future::Future;
use std::time::Duration;

pub use crate::exchange::SendResult;

/// Runs one call of `op` on the current thread.
///
/// `now` reads the system's monotonic and wall clocks in production (a virtual clock in
/// tests); `send` maps failures to [`TransportError`](crate::TransportError)s of the right kind (that decides what
/// may be retried); `sleep` blocks the thread.
pub fn run_blocking<O: Operation>(
    session: &Session,
    op: &O,
    mut now: impl FnMut() -> Now,
    mut send: impl FnMut(Outgoing) -> SendResult,
    mut sleep: impl FnMut(Duration),
    observer: Option<&Observer>,
) -> Result<ApiResponse<O::Output>, Error> {
    let mut call = session.begin(op);
    loop {
        match call.next(now()) {
            Step::Send(out) => {
                let (start, sent_at) = (observe(&out, observer), now());
                let result = send(out);
                feed(&mut call, result, sent_at, now(), start, observer);
            }
            Step::Wait(delay) => {
                trace_wait(call.operation_id(), delay);
                sleep(delay);
            }
            Step::Done(result) => return result,
        }
    }
}

/// Runs one call of `op` asynchronously, on any executor: `send` and `sleep` return futures.
///
/// Cancel-safe: the session's lock is only taken inside the core's synchronous methods, never
/// across an `.await`, and dropping this future drops the [`Call`], which hands back a token
/// fetch or Digest probe it leads so another call takes over at once. The future is `Send`
/// when `send`, `sleep` and their futures are.
pub async fn run<O, S, SF, W, WF>(
    session: &Session,
    op: &O,
    mut now: impl FnMut() -> Now,
    mut send: S,
    mut sleep: W,
    observer: Option<&Observer>,
) -> Result<ApiResponse<O::Output>, Error>
where
    O: Operation,
    S: FnMut(Outgoing) -> SF,
    SF: Future<Output = SendResult>,
    W: FnMut(Duration) -> WF,
    WF: Future<Output = ()>,
{
    let mut call = session.begin(op);
    loop {
        match call.next(now()) {
            Step::Send(out) => {
                let (start, sent_at) = (observe(&out, observer), now());
                let result = send(out).await;
                feed(&mut call, result, sent_at, now(), start, observer);
            }
            Step::Wait(delay) => {
                trace_wait(call.operation_id(), delay);
                sleep(delay).await;
            }
            Step::Done(result) => return result,
        }
    }
}

/// Revokes the session's OAuth token over `send` (what the clients' `revoke_token` does):
/// `false` when there is no token to revoke (API-key credentials, or no call made yet). One
/// exchange, not retried, reported like any other; a failed revocation puts the token back
/// (see [`Session::finish_revoke`]).
pub fn revoke_blocking(
    session: &Session,
    mut now: impl FnMut() -> Now,
    send: impl FnOnce(Outgoing) -> SendResult,
    observer: Option<&Observer>,
) -> Result<bool, Error> {
    let Some((out, revocation)) = session.revoke_request()? else {
        return Ok(false);
    };
    let (start, sent_at) = (observe(&out, observer), now());
    let result = send(out);
    let at = now();
    report(start, &result, sent_at, at, observer);
    session.finish_revoke(revocation, result, at)?;
    Ok(true)
}

/// [`revoke_blocking`] with a `send` returning a future, on any executor.
pub async fn revoke<SF: Future<Output = SendResult>>(
    session: &Session,
    mut now: impl FnMut() -> Now,
    send: impl FnOnce(Outgoing) -> SF,
    observer: Option<&Observer>,
) -> Result<bool, Error> {
    let Some((out, revocation)) = session.revoke_request()? else {
        return Ok(false);
    };
    let (start, sent_at) = (observe(&out, observer), now());
    let result = send(out).await;
    let at = now();
    report(start, &result, sent_at, at, observer);
    session.finish_revoke(revocation, result, at)?;
    Ok(true)
}

/// What an observer (or `tracing`) will see of `out`, if anyone looks.
fn observe(out: &Outgoing, observer: Option<&Observer>) -> Option<ExchangeStart> {
    (observer.is_some() || tracing_on()).then(|| out.start())
}

/// Whether a `tracing` subscriber wants the exchange events.
#[cfg(feature = "tracing")]
fn tracing_on() -> bool {
    tracing::enabled!(target: "atlas_admin", tracing::Level::DEBUG)
}

#[cfg(not(feature = "tracing"))]
fn tracing_on() -> bool {
    false
}

/// Reports the exchange, then hands its outcome to the call.
fn feed<O: Operation>(
    call: &mut Call<'_, O>,
    result: SendResult,
    sent_at: Now,
    now: Now,
    start: Option<ExchangeStart>,
    observer: Option<&Observer>,
) {
    report(start, &result, sent_at, now, observer);
    match result {
        Ok(response) => call.handle_response(response, now),
        Err(error) => call.handle_transport_error(error, now),
    }
}

/// Reports an exchange that `start`ed (if anyone looks) to `tracing` and the observer.
fn report(start: Option<ExchangeStart>, result: &SendResult, sent_at: Now, now: Now, observer: Option<&Observer>) {
    if let Some(start) = start {
        let exchange = start.finish(result, now.instant.saturating_duration_since(sent_at.instant));
        trace_exchange(&exchange);
        if let Some(observer) = observer {
            observer(&exchange);
        }
    }
}

/// One exchange as a `tracing` event (no header values, body or query string).
#[cfg(feature = "tracing")]
fn trace_exchange(e: &Exchange) {
    use crate::exchange::{ExchangeOutcome, Purpose};
    let attempt = match e.purpose {
        Some(Purpose::Api { attempt } | Purpose::DigestProbe { attempt } | Purpose::TokenFetch { attempt }) => attempt,
        _ => 0,
    };
    let purpose = e.purpose.map(|p| match p {
        Purpose::Api { .. } => "api",
        Purpose::DigestProbe { .. } => "digest_probe",
        Purpose::TokenFetch { .. } => "token_fetch",
        _ => "revoke",
    });
    let elapsed_ms = u64::try_from(e.elapsed.as_millis()).unwrap_or(u64::MAX);
    match &e.outcome {
        ExchangeOutcome::Response { status, .. } => tracing::debug!(
            target: "atlas_admin",
            operation = e.operation.unwrap_or_default(),
            method = e.method.as_str(),
            path = e.uri.path(),
            status = status.as_u16(),
            purpose = purpose.unwrap_or_default(),
            attempt,
            elapsed_ms,
            "exchange"
        ),
        ExchangeOutcome::Failed { kind, .. } => tracing::debug!(
            target: "atlas_admin",
            operation = e.operation.unwrap_or_default(),
            method = e.method.as_str(),
            path = e.uri.path(),
            failed = ?kind,
            purpose = purpose.unwrap_or_default(),
            attempt,
            elapsed_ms,
            "exchange"
        ),
    }
}

#[cfg(not(feature = "tracing"))]
fn trace_exchange(_: &Exchange) {}

/// A wait the call asked for, as a `tracing` event.
#[cfg(feature = "tracing")]
fn trace_wait(operation: &'static str, wait: Duration) {
    let wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
    tracing::debug!(target: "atlas_admin", operation, wait_ms, "wait");
}

#[cfg(not(feature = "tracing"))]
fn trace_wait(_: &'static str, _: Duration) {}
