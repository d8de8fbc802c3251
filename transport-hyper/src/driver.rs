//! The driver loop: the core decides, the transport sends, sleeps and reads.

use crate::io::Transport;
use crate::runtime;
use atlas_admin_core::{ApiResponse, Error, Operation, Session, Step};
use std::time::SystemTime;

/// Runs one call of `op` to its end. Termination is the core's promise: auth is re-tried at
/// most once and retries are bounded by the session's [`RetryPolicy`](atlas_admin_core::RetryPolicy).
///
/// Cancel-safe: the session's lock is only taken inside the core's synchronous methods, never
/// across an `.await`, and dropping this future drops the [`Call`](atlas_admin_core::Call),
/// which hands back a token-fetch lease it holds so another call takes over at once.
pub(crate) async fn drive<O: Operation>(
    session: &Session,
    transport: &Transport,
    op: &O,
) -> Result<ApiResponse<O::Output>, Error> {
    let mut call = session.begin(op);
    loop {
        match call.next(SystemTime::now()) {
            Step::Send(request) => match transport.send(request).await {
                Ok(response) => call.handle_response(response, SystemTime::now()),
                Err(error) => call.handle_transport_error(error, SystemTime::now()),
            },
            Step::Wait(delay) => runtime::sleep(delay).await,
            Step::Done(result) => return result,
        }
    }
}
