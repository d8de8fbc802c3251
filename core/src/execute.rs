//! The call surface as traits: [`Execute`] (blocking) and [`ExecuteAsync`], so code written
//! against a client can run against a test double or a replay client instead.
//!
//! Both transports' clients implement one of them (`atlas_admin_ureq::Client` the blocking
//! one, `atlas_admin_hyper::Client` the async one). Write your code generic over the trait and
//! hand it the real client in production and a double in tests:
//!
//! ```
//! use atlas_admin_core::{ApiResponse, Error, ErrorCode, Execute, Operation};
//! use http::StatusCode;
//! use atlas_admin_core::ops::GetGroupInvite;
//!
//! /// The user's code: the invited e-mail, or `None` when the invitation is gone.
//! fn invited<E: Execute>(atlas: &E, group: &str, id: &str) -> Result<Option<String>, Error> {
//!     match atlas.execute(&GetGroupInvite::new(group, id)?) {
//!         Ok(resp) => Ok(resp.value.username),
//!         Err(e) if e.is_not_found() => Ok(None),
//!         Err(e) => Err(e),
//!     }
//! }
//!
//! /// A hand-made double: every invitation is gone.
//! struct Gone;
//! impl Execute for Gone {
//!     fn execute<O>(&self, _op: &O) -> Result<ApiResponse<O::Output>, Error>
//!     where
//!         O: Operation,
//!         O::Output: Send + 'static,
//!     {
//!         Err(Error::api(StatusCode::NOT_FOUND, ErrorCode::ResourceNotFound))
//!     }
//! }
//! let invited = invited(&Gone, "32b6e34b3d91647abb20e7b8", "5f8d0a1b2c3d4e5f6a7b8c9d")?;
//! assert_eq!(invited, None);
//! # Ok::<(), Error>(())
//! ```

use crate::error::Error;
use crate::operation::Operation;
use crate::response::ApiResponse;
use std::future::Future;
use std::sync::Arc;

/// Runs one operation, blocking: auth, retries and decoding included.
///
/// The output must be `Send + 'static` (every operation's is: owned models) so a double can
/// keep typed answers in a thread-safe queue; code generic over operations adds that bound.
///
/// Implemented by `atlas_admin_ureq::Client`, by `&T`, `Box<T>` and `Arc<T>` of an
/// implementation, and by test doubles (`atlas_admin_testing::doubles::Scripted`).
pub trait Execute {
    /// Sends `op` and returns its decoded body with the response's metadata, or a typed error.
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static;
}

/// Runs one operation, async: the twin of [`Execute`]. The future is `Send`, so it can be
/// spawned on a multi-threaded runtime.
///
/// Implemented by `atlas_admin_hyper::Client`, by `&T`, `Box<T>` and `Arc<T>` of an
/// implementation, and by test doubles. A type implementing both traits needs the trait
/// named at a direct call (`ExecuteAsync::execute(&double, &op)`); generic code does not.
pub trait ExecuteAsync {
    /// Sends `op` and resolves to its decoded body with the response's metadata, or a typed error.
    fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
    where
        O: Operation + Sync,
        O::Output: Send + 'static;
}

/// Forwards [`Execute`] through a pointer type.
macro_rules! forward {
    ($($ptr:ty),*) => {$(
        impl<T: Execute + ?Sized> Execute for $ptr {
            fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
                T::execute(self, op)
            }
        }

        impl<T: ExecuteAsync + ?Sized> ExecuteAsync for $ptr {
            fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
            where
                O: Operation + Sync,
                O::Output: Send + 'static,
            {
                T::execute(self, op)
            }
        }
    )*};
}

forward!(&T, Box<T>, Arc<T>);

/// A blocking [`Execute`] as an [`ExecuteAsync`]: each call runs when its future is made, and
/// the future is ready at once. Lets async code written once (over [`ExecuteAsync`]) run on a
/// blocking client, polled once by any executor, without a runtime.
///
/// ```
/// use atlas_admin_core::{ApiResponse, Blocking, Error, Execute, ExecuteAsync, Operation};
/// use atlas_admin_core::ops::DeleteGroupInvite;
/// struct Done;
/// impl Execute for Done {
///     fn execute<O>(&self, _op: &O) -> Result<ApiResponse<O::Output>, Error>
///     where
///         O: Operation,
///         O::Output: Send + 'static,
///     {
///         Ok(ApiResponse::new(O::decode(b"null").map_err(|_| Error::Usage("not a 204"))?))
///     }
/// }
/// let op = DeleteGroupInvite::new("32b6e34b3d91647abb20e7b8", "5f8d0a1b2c3d4e5f6a7b8c9d")?;
/// let fut = std::pin::pin!(Blocking(Done).execute(&op));
/// let ready = fut.poll(&mut std::task::Context::from_waker(std::task::Waker::noop()));
/// assert!(matches!(ready, std::task::Poll::Ready(Ok(_))));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Blocking<T>(pub T);

impl<T: Execute> ExecuteAsync for Blocking<T> {
    fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
    where
        O: Operation + Sync,
        O::Output: Send + 'static,
    {
        std::future::ready(self.0.execute(op))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::DeleteGroupInvite;
    use crate::{ErrorCode, ResponseMeta};
    use http::StatusCode;

    /// Answers every call with a 204 whose metadata says one exchange.
    struct NoContent;

    impl Execute for NoContent {
        fn execute<O>(&self, _op: &O) -> Result<ApiResponse<O::Output>, Error>
        where
            O: Operation,
            O::Output: Send + 'static,
        {
            let value =
                O::decode(b"null").map_err(|_| Error::api(StatusCode::NOT_FOUND, ErrorCode::ResourceNotFound))?;
            Ok(ApiResponse::with_meta(value, ResponseMeta::default().with_status(StatusCode::NO_CONTENT)))
        }
    }

    impl ExecuteAsync for NoContent {
        fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
        where
            O: Operation + Sync,
            O::Output: Send + 'static,
        {
            std::future::ready(Execute::execute(self, op))
        }
    }

    fn status_of<E: Execute>(e: &E) -> Option<u16> {
        let op = DeleteGroupInvite::new("32b6e34b3d91647abb20e7b8", "5f8d0a1b2c3d4e5f6a7b8c9d").ok()?;
        e.execute(&op).ok().map(|r| r.meta.status.as_u16())
    }

    fn future_of<E: ExecuteAsync>(e: &E) -> Option<impl Future<Output = Result<ApiResponse<()>, Error>> + Send> {
        let op = DeleteGroupInvite::new("32b6e34b3d91647abb20e7b8", "5f8d0a1b2c3d4e5f6a7b8c9d").ok()?;
        // The future borrows `op`: resolve it here, then hand back a ready one.
        let mut fut = std::pin::pin!(e.execute(&op));
        let waker = std::task::Waker::noop();
        match fut.as_mut().poll(&mut std::task::Context::from_waker(waker)) {
            std::task::Poll::Ready(r) => Some(std::future::ready(r)),
            std::task::Poll::Pending => None,
        }
    }

    #[test]
    fn pointers_forward_both_traits() {
        assert_eq!(status_of(&NoContent), Some(204));
        assert_eq!(status_of(&&NoContent), Some(204));
        assert_eq!(status_of(&Box::new(NoContent)), Some(204));
        assert_eq!(status_of(&Arc::new(NoContent)), Some(204));
        assert!(future_of(&NoContent).is_some());
        assert!(future_of(&Arc::new(NoContent)).is_some());
        assert!(future_of(&&Box::new(NoContent)).is_some());
        assert!(future_of(&Blocking(&NoContent)).is_some());
    }
}
