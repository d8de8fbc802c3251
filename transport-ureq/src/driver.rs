//! The driver: the core's blocking loop over this crate's IO.

use crate::io::Transport;
use atlas_admin_core::{ApiResponse, Error, Now, Observer, Operation, Session, driver};
use std::time::{Instant, SystemTime};

/// Both clocks, read now.
pub(crate) fn now() -> Now {
    Now::new(Instant::now(), SystemTime::now())
}

/// Runs one call of `op` to its end with the core's blocking driver: ureq sends, the thread
/// sleeps, the observer sees every exchange with what it was for.
pub(crate) fn drive<O: Operation>(
    session: &Session,
    transport: &Transport,
    observer: Option<&Observer>,
    op: &O,
) -> Result<ApiResponse<O::Output>, Error> {
    driver::run_blocking(
        session,
        op,
        now,
        |out| transport.send(out.request, out.time_left),
        std::thread::sleep,
        observer,
    )
}
