//! Which async runtime a call runs on, and sleeping and time limits on it.
//!
//! The driver needs three things from a runtime: a way to **sleep** (when the core says
//! [`Step::Wait`](atlas_admin_core::Step::Wait)), a way to put a **time limit** on a future
//! (hyper has no timeouts of its own), and sockets for the connection pool (in
//! `tokio_client.rs` and `smol_client.rs`). Two runtime families are built in, each behind its
//! Cargo feature:
//!
//! - [`Rt::Tokio`] (feature `tokio`, the default): chosen when the call runs inside a Tokio
//!   runtime.
//! - [`Rt::AsyncIo`] (feature `smol`): smol's async-io reactor and timer, which drive
//!   themselves (on the calling thread under `async_io::block_on`, else on async-io's own
//!   thread), so it works under any executor: smol, async-std, `futures::executor`... It is
//!   chosen whenever the call does not run inside a Tokio runtime (or the `tokio` feature is
//!   off), and never creates or needs a Tokio runtime.
//!
//! With neither available (only `tokio`, polled outside a Tokio runtime) [`current`] is `None`
//! and the transport refuses the exchange with
//! [`NoRuntime`](atlas_admin_core::TransportErrorKind::NoRuntime), and [`sleep`] falls back to
//! a timer thread: nothing here panics. (A Tokio runtime built without its IO or time driver
//! still panics inside Tokio: Tokio offers no way to ask whether they are enabled.)

use std::future::Future;
use std::time::Duration;

#[cfg(not(any(feature = "tokio", feature = "smol")))]
compile_error!("atlas-admin-hyper needs a runtime: enable its `tokio` feature (the default) or `smol`, or both");

/// The runtime a call's IO and timers use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rt {
    /// Tokio's sockets and timer (the call runs inside a Tokio runtime).
    #[cfg(feature = "tokio")]
    Tokio,
    /// async-io's sockets and timer (smol, async-std, any executor).
    #[cfg(feature = "smol")]
    AsyncIo,
}

/// The runtime for a call polled on this thread now: Tokio inside a Tokio runtime, else
/// async-io if compiled in; `None` if there is none.
pub(crate) fn current() -> Option<Rt> {
    pick(in_tokio())
}

/// Tokio when `in_tokio` and compiled in, else async-io when compiled in.
fn pick(in_tokio: bool) -> Option<Rt> {
    #[cfg(feature = "tokio")]
    if in_tokio {
        return Some(Rt::Tokio);
    }
    let _ = in_tokio;
    #[cfg(feature = "smol")]
    return Some(Rt::AsyncIo);
    #[cfg(not(feature = "smol"))]
    None
}

/// Whether a Tokio runtime is running on this thread.
fn in_tokio() -> bool {
    #[cfg(feature = "tokio")]
    return tokio::runtime::Handle::try_current().is_ok();
    #[cfg(not(feature = "tokio"))]
    false
}

/// Sleeps for `duration` (a retry or token wait the core asked for), on the [`current`]
/// runtime's timer, else on a helper thread (a call that waits for another call's auth
/// before its first exchange fails with no runtime, rather than panicking).
pub(crate) async fn sleep(duration: Duration) {
    match current() {
        #[cfg(feature = "tokio")]
        Some(Rt::Tokio) => tokio::time::sleep(duration).await,
        #[cfg(feature = "smol")]
        Some(Rt::AsyncIo) => {
            async_io::Timer::after(duration).await;
        }
        #[allow(unreachable_patterns)]
        _ => thread_sleep::ThreadSleep::start(duration).await,
    }
}

/// Runs `future` for at most `limit` on `rt`'s timer: `None` if the time ran out (the future
/// is dropped, which closes its connection).
pub(crate) async fn timeout<F: Future>(rt: Rt, limit: Duration, future: F) -> Option<F::Output> {
    match rt {
        #[cfg(feature = "tokio")]
        Rt::Tokio => tokio::time::timeout(limit, future).await.ok(),
        #[cfg(feature = "smol")]
        Rt::AsyncIo => {
            let mut future = std::pin::pin!(future);
            let mut timer = async_io::Timer::after(limit);
            std::future::poll_fn(|cx| {
                if let std::task::Poll::Ready(output) = future.as_mut().poll(cx) {
                    return std::task::Poll::Ready(Some(output));
                }
                std::pin::Pin::new(&mut timer).poll(cx).map(|_| None)
            })
            .await
        }
    }
}

/// Connection pool settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pool {
    pub(crate) idle_timeout: Duration,
    pub(crate) max_idle_per_host: usize,
}

/// The connect timeout ran out.
#[derive(Debug, thiserror::Error)]
#[error("connect timed out after {0:?}")]
pub(crate) struct ConnectTimedOut(pub(crate) Duration);

/// A runtime-free sleep for a call polled outside any runtime this crate can use.
mod thread_sleep {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex, PoisonError};
    use std::task::{Context, Poll, Waker};
    use std::time::Duration;

    /// Whether the helper thread is done sleeping, and the task to wake when it is.
    type Alarm = Arc<Mutex<(bool, Option<Waker>)>>;

    /// A thread sleeps, then wakes the task.
    pub(super) struct ThreadSleep(Option<Alarm>);

    impl ThreadSleep {
        pub(super) fn start(duration: Duration) -> ThreadSleep {
            let shared: Alarm = Arc::new(Mutex::new((false, None)));
            let theirs = shared.clone();
            let spawned = std::thread::Builder::new().name("atlas-admin-sleep".into()).spawn(move || {
                std::thread::sleep(duration);
                let mut state = theirs.lock().unwrap_or_else(PoisonError::into_inner);
                state.0 = true;
                if let Some(waker) = state.1.take() {
                    waker.wake();
                }
            });
            // No thread to be had: do not wait at all rather than forever.
            ThreadSleep(spawned.ok().map(|_| shared))
        }
    }

    impl Future for ThreadSleep {
        type Output = ();

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let Some(shared) = &self.0 else { return Poll::Ready(()) };
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            if state.0 {
                return Poll::Ready(());
            }
            state.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_testing::transport_suite::block_on;
    use std::time::Instant;

    #[test]
    fn sleep_outside_a_runtime_waits_without_panicking() {
        assert!(!in_tokio());
        let started = Instant::now();
        block_on(sleep(Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
        let started = Instant::now();
        block_on(thread_sleep::ThreadSleep::start(Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[cfg(feature = "tokio")]
    #[tokio::test]
    async fn inside_a_tokio_runtime_tokio_is_chosen_and_sleeps() {
        assert_eq!(current(), Some(Rt::Tokio));
        let started = Instant::now();
        sleep(Duration::from_millis(10)).await;
        assert!(started.elapsed() >= Duration::from_millis(10));
    }

    #[cfg(feature = "smol")]
    #[test]
    fn outside_a_tokio_runtime_async_io_is_chosen_and_times_out() {
        assert_eq!(current(), Some(Rt::AsyncIo));
        assert_eq!(pick(false), Some(Rt::AsyncIo));
        let never = std::future::pending::<()>();
        assert_eq!(block_on(timeout(Rt::AsyncIo, Duration::from_millis(20), never)), None);
        assert_eq!(block_on(timeout(Rt::AsyncIo, Duration::from_secs(5), async { 7 })), Some(7));
    }
}
