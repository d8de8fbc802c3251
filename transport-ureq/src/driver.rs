//! The driver loop: the core decides, the transport sends, sleeps and reads.

use crate::io::Transport;
use atlas_admin_core::{ApiResponse, Error, Operation, Session, Step};
use std::time::SystemTime;

/// Runs one call of `op` to its end. Termination is the core's promise: auth is re-tried at
/// most once and retries are bounded by the session's [`RetryPolicy`](atlas_admin_core::RetryPolicy).
pub(crate) fn drive<O: Operation>(
    session: &Session,
    transport: &Transport,
    op: &O,
) -> Result<ApiResponse<O::Output>, Error> {
    let mut call = session.begin(op);
    loop {
        match call.next(SystemTime::now()) {
            Step::Send(request) => match transport.send(request) {
                Ok(response) => call.handle_response(response, SystemTime::now()),
                Err(error) => call.handle_transport_error(error, SystemTime::now()),
            },
            Step::Wait(delay) => std::thread::sleep(delay),
            Step::Done(result) => return result,
        }
    }
}
