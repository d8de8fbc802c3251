//! The driver: the core's async loop over this crate's IO and the runtime's timer.

use crate::io::Transport;
use crate::runtime;
use atlas_admin_core::{ApiResponse, Error, Now, Observer, Operation, Session, TransportError, TransportErrorKind};
use atlas_admin_core::{Outgoing, driver};
use std::time::{Instant, SystemTime};

/// Both clocks, read now.
pub(crate) fn now() -> Now {
    Now::new(Instant::now(), SystemTime::now())
}

/// Runs one call of `op` to its end with the core's async driver. Each exchange is bounded by
/// the transport's timeout and by what is left of the call's deadline, if the policy sets one.
///
/// Cancel-safe: dropping this future drops the [`Call`](atlas_admin_core::Call), which hands
/// back a token fetch or Digest probe it leads so another call takes over at once.
pub(crate) async fn drive<O: Operation>(
    session: &Session,
    transport: &Transport,
    observer: Option<&Observer>,
    op: &O,
) -> Result<ApiResponse<O::Output>, Error> {
    driver::run(session, op, now, |out| send(transport, out), runtime::sleep, observer).await
}

/// Moves one request: bounded by the transport's exchange limit and by `out.time_left`.
pub(crate) async fn send(transport: &Transport, out: Outgoing) -> Result<http::Response<Vec<u8>>, TransportError> {
    // With no runtime there is no timer for the deadline: the IO layer refuses the request
    // with `NoRuntime` before anything is sent, as it does without a deadline.
    let (Some(left), Some(rt)) = (out.time_left, runtime::current()) else {
        return transport.send(out.request).await;
    };
    runtime::timeout(rt, left, transport.send(out.request)).await.unwrap_or_else(|| {
        Err(TransportError::new(
            TransportErrorKind::Timeout,
            format!("timed out: the call's deadline ran out ({left:?} left)"),
        ))
    })
}
