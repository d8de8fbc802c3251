//! [`FakeBody`]: the response body type, able to lie about its length for `TruncatedBody`.

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// How long a truncated body waits after its partial chunk before failing, so hyper flushes
/// that chunk to the socket before it aborts the connection.
const FLUSH_PAUSE: Duration = Duration::from_millis(20);

/// A whole body, or the first part of one followed by an error (hyper then closes the
/// connection, leaving the client short of the `Content-Length` it was promised).
pub(crate) enum FakeBody {
    Full(Option<Bytes>),
    Truncated { part: Option<Bytes>, pause: Option<Pin<Box<tokio::time::Sleep>>> },
}

impl FakeBody {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        let bytes = bytes.into();
        FakeBody::Full((!bytes.is_empty()).then_some(bytes))
    }

    pub(crate) fn empty() -> Self {
        FakeBody::Full(None)
    }

    /// A body that sends `part` and then breaks the connection.
    pub(crate) fn truncated(part: Bytes) -> Self {
        FakeBody::Truncated { part: Some(part), pause: None }
    }

    /// The bytes of a whole body (empty for a truncated one).
    pub(crate) fn bytes(&self) -> Bytes {
        match self {
            FakeBody::Full(b) => b.clone().unwrap_or_default(),
            FakeBody::Truncated { .. } => Bytes::new(),
        }
    }
}

impl Body for FakeBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            FakeBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            FakeBody::Truncated { part, pause } => {
                if let Some(p) = part.take() {
                    return Poll::Ready(Some(Ok(Frame::data(p))));
                }
                let sleep = pause.get_or_insert_with(|| Box::pin(tokio::time::sleep(FLUSH_PAUSE)));
                match sleep.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => Poll::Ready(Some(Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "fake-atlas: injected truncated body",
                    )))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, FakeBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            FakeBody::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            // Unknown: hyper then trusts the Content-Length header we set.
            FakeBody::Truncated { .. } => SizeHint::default(),
        }
    }
}
