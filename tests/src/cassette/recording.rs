//! [`Recording`]: a client that records, over a core [`Session`], a send function and a
//! [`Recorder`]; blocking ([`Execute`]) with a plain send function, async ([`ExecuteAsync`])
//! with one returning a future. In new-episodes mode it first answers from a cassette.
//! Calls are recorded one at a time.

use super::format::{Cassette, FormatError, RecordedRequest};
use super::player::Player;
use super::recorder::Recorder;
use atlas_admin_core::driver::{SendResult, revoke_blocking, run, run_blocking};
use atlas_admin_core::{ApiResponse, Error, Execute, ExecuteAsync, Now, Operation, Outgoing, Purpose, Session};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// A caller-given async sleep (the runtime's timer), boxed.
type AsyncSleep = Box<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// A client that records: a core [`Session`], a send function (a real transport's, such as
/// `atlas_admin_ureq::Client::send` or `atlas_admin_hyper::Client::send`, or
/// [`loopback_send`](super::loopback_send)) and a [`Recorder`].
///
/// It is an [`Execute`] when `send` returns a [`SendResult`], and an [`ExecuteAsync`] when
/// `send` returns a future of one (the future must own what it needs, e.g. a cloned client).
///
/// Waits either really pass ([`Recording::new`] sleeps the thread, [`Recording::new_async`]
/// awaits the caller's sleep), or pass on a virtual clock that runs ahead of the real one by
/// every wait so far ([`Recording::virtual_time`]: for recording against the fake, whose
/// faults are counted, not timed).
///
/// Calls are recorded one at a time, blocking and async alike (concurrent calls wait for the
/// whole call, in no set order): none waits for another call's Digest probe or token fetch, so the recorded
/// waits are only the `Retry-After` and backoff waits a [`Player`] replays, and each call's
/// waits precede its own exchanges. An async call dropped before it ends (a timeout around
/// it) records nothing of the exchange it had in flight and forgets the waits it noted since
/// its last recorded exchange; the exchanges it completed stay recorded. (The server may have
/// acted on the dropped request: a replay of the same code, whose answers come at once, is not
/// cancelled there and misses it.)
pub struct Recording<S> {
    session: Session,
    recorder: Recorder,
    send: Mutex<S>,
    /// `None`: the real clock; `Some(clock)`: a virtual clock that moves only by waits.
    clock: Option<Mutex<Now>>,
    /// How async calls really wait; without it they sleep the thread.
    sleep: Option<AsyncSleep>,
    /// New episodes: answers what the prior cassette holds before anything is sent.
    replay: Option<Box<Player>>,
    /// Held for the whole of an async call (a blocking call holds `send`): one call at a time.
    calls: futures_util::lock::Mutex<()>,
}

impl<S> fmt::Debug for Recording<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording")
            .field("recorder", &self.recorder)
            .field("virtual_time", &self.clock.is_some())
            .field("new_episodes", &self.replay.is_some())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S> Recording<S> {
    /// Records the calls `session` makes through `send`; waits sleep the thread (for blocking
    /// code; async code wants [`Recording::new_async`]).
    pub fn new(session: Session, recorder: Recorder, send: S) -> Self {
        Recording {
            session,
            recorder,
            send: Mutex::new(send),
            clock: None,
            sleep: None,
            replay: None,
            calls: futures_util::lock::Mutex::new(()),
        }
    }

    /// Records the calls `session` makes through the async `send`; waits await `sleep` (the
    /// runtime's timer, e.g. `tokio::time::sleep`).
    pub fn new_async<W>(
        session: Session,
        recorder: Recorder,
        send: S,
        sleep: impl Fn(Duration) -> W + Send + Sync + 'static,
    ) -> Self
    where
        W: Future<Output = ()> + Send + 'static,
    {
        let sleep: AsyncSleep = Box::new(move |d| Box::pin(sleep(d)));
        Recording { sleep: Some(sleep), ..Recording::new(session, recorder, send) }
    }

    /// Waits pass at once on a virtual clock that starts now and moves only by waits, so the
    /// recorded waits are exactly what the core asked (the server must not depend on real time
    /// passing: right for the fake, whose faults are counted, not timed).
    pub fn virtual_time(mut self) -> Self {
        self.clock = Some(Mutex::new(Now::new(Instant::now(), SystemTime::now())));
        self
    }

    /// New episodes: a request `cassette` has an unused answer for is answered from it (and
    /// not recorded again; as in [`Player`], an answer recorded for another purpose, such as a
    /// signed request's for a Digest probe, does not count, and a probe takes only a recorded
    /// probe of its own request); anything else is sent and recorded. The saved cassette holds
    /// `cassette`'s interactions, then the new ones; a recorded Digest challenge that a live
    /// probe superseded (the session signs with the live one from then on) is left out, since
    /// no replay of the run would ask for it (a replayed probe takes any recorded challenge).
    ///
    /// Auth against a real server: a replayed Digest challenge leaves the session signing
    /// with the recorded nonce. A server that no longer takes it (stale or unknown) answers
    /// 401 with a fresh challenge and the core re-signs once, so the first new request costs
    /// one extra exchange, recorded as it happened (one that still takes it just answers). A
    /// replayed token exchange leaves the session holding the `TOKEN-n` placeholder: the
    /// server answers its first new request 401, the core drops the token, fetches a real one
    /// (saved as a `TOKEN-m` numbered after the cassette's) and re-sends once. Either way the
    /// saved cassette replays the same steps. A replayed answer is the recorded one: a request
    /// that the cassette holds is not sent, even if the server's state has changed since.
    ///
    /// Fails when `cassette` was recorded with another kind of credentials.
    pub fn new_episodes(mut self, cassette: Cassette) -> Result<Self, FormatError> {
        if cassette.auth != self.recorder.auth() {
            return Err(FormatError::new(format!(
                "the cassette was recorded with {:?} credentials, this recording uses {:?}",
                cassette.auth,
                self.recorder.auth()
            )));
        }
        self.recorder.continue_from(&cassette);
        let player = Player::new(cassette).map_err(|e| FormatError::new(format!("cannot replay it: {e}")))?;
        // The live requests are matched as the recorder will save them: scrubbed by value.
        let secrets = self.recorder.secrets().clone();
        self.replay = Some(Box::new(player.scrub(|_| secrets)));
        Ok(self)
    }

    /// The recorder (to save the cassette).
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Both clocks: the virtual one, or the system's.
    fn now(&self) -> Now {
        self.clock.as_ref().map_or_else(|| Now::new(Instant::now(), SystemTime::now()), |c| *lock(c))
    }

    /// Moves the virtual clock by `wait`; `false` when waits really pass.
    fn advance(&self, wait: Duration) -> bool {
        let Some(clock) = &self.clock else { return false };
        let mut clock = lock(clock);
        *clock = clock.advance(wait);
        true
    }

    /// New episodes: the prior cassette's answer to `out`, if it has an unused one.
    fn replayed(&self, out: &Outgoing) -> Option<SendResult> {
        let player = self.replay.as_ref()?;
        let answer = player.lookup(out.purpose, &RecordedRequest::of(&out.request), false)?;
        self.recorder.skip_waits();
        Some(answer)
    }

    /// New episodes: a live probe answered with a challenge supersedes the prior cassette's
    /// first unused challenge (only then: a probe that failed or was dropped replaced nothing).
    fn sent_live(&self, purpose: Purpose, result: &SendResult) {
        let Some(player) = self.replay.as_ref() else { return };
        let challenged = result.as_ref().is_ok_and(|r| {
            r.status() == http::StatusCode::UNAUTHORIZED && r.headers().contains_key(http::header::WWW_AUTHENTICATE)
        });
        if matches!(purpose, Purpose::DigestProbe { .. }) && challenged {
            for stale in player.supersede_challenge() {
                self.recorder.drop_prior(stale);
            }
        }
    }
}

impl<S: FnMut(Outgoing) -> SendResult> Recording<S> {
    /// Revokes the session's OAuth token as the real clients' `revoke_token` does, recording
    /// the exchange: `false` when there is no token to revoke (API key, or no call made yet).
    pub fn revoke_token(&self) -> Result<bool, Error> {
        let mut send = lock(&self.send);
        let mut live = self.recorder.wrap_send(&mut *send);
        let send = |out: Outgoing| self.replayed(&out).unwrap_or_else(|| live(out));
        revoke_blocking(&self.session, || self.now(), send, None)
    }
}

impl<S: FnMut(Outgoing) -> SendResult> Execute for Recording<S> {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        let mut send = lock(&self.send);
        let mut live = self.recorder.wrap_send(&mut *send);
        let send = |out: Outgoing| {
            if let Some(answer) = self.replayed(&out) {
                return answer;
            }
            let purpose = out.purpose;
            let result = live(out);
            self.sent_live(purpose, &result);
            result
        };
        let sleep = |d: Duration| {
            if !self.advance(d) {
                std::thread::sleep(d);
            }
        };
        run_blocking(&self.session, op, || self.now(), send, self.recorder.wrap_sleep(sleep), None)
    }
}

impl<S, F> ExecuteAsync for Recording<S>
where
    S: FnMut(Outgoing) -> F + Send,
    F: Future<Output = SendResult> + Send,
{
    fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
    where
        O: Operation + Sync,
        O::Output: Send + 'static,
    {
        let send = move |out: Outgoing| {
            // The send function is locked only to make the future, never across an `.await`.
            let purpose = out.purpose;
            let step = match self.replayed(&out) {
                Some(answer) => Err(answer),
                None => Ok((self.recorder.begin(&out), (lock(&self.send))(out))),
            };
            async move {
                match step {
                    Err(answer) => answer,
                    Ok((pending, exchange)) => {
                        let result = exchange.await;
                        self.recorder.finish(pending, &result);
                        self.sent_live(purpose, &result);
                        result
                    }
                }
            }
        };
        let sleep = move |d: Duration| -> Pin<Box<dyn Future<Output = ()> + Send>> {
            self.recorder.note_wait(d);
            if self.advance(d) {
                return Box::pin(std::future::ready(()));
            }
            match &self.sleep {
                Some(sleep) => sleep(d),
                None => {
                    std::thread::sleep(d);
                    Box::pin(std::future::ready(()))
                }
            }
        };
        async move {
            let _call = self.calls.lock().await;
            let mut cancelled = Cancelled(Some(&self.recorder));
            let result = run(&self.session, op, move || self.now(), send, sleep, None).await;
            cancelled.0 = None;
            result
        }
    }
}

/// Armed while an async call runs: if the call is dropped first, the waits it noted since its
/// last recorded exchange are forgotten (its exchange in flight, never finished, is not
/// recorded), so they do not attach to the next call's first exchange.
struct Cancelled<'a>(Option<&'a Recorder>);

impl Drop for Cancelled<'_> {
    fn drop(&mut self) {
        if let Some(recorder) = self.0 {
            recorder.skip_waits();
        }
    }
}
