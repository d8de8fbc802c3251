//! Injected faults: the [`Fault`] kinds, their FIFO queue, and the responses they produce.

use super::body::FakeBody;
use super::reply::{Outcome, X_ERROR_CODE};
use atlas_admin_core::INVITATIONS_RATE_LIMITED_IP;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use http::{Response, StatusCode};
use std::collections::VecDeque;
use std::time::Duration;

/// Something going wrong on purpose, injected with [`FakeAtlas::inject`](super::FakeAtlas::inject).
///
/// A fault applies to an API request (`/api/atlas/v2/…`) that passed authentication, matched an
/// operation and carried a valid `Accept` version; it replaces (or delays, or breaks) the
/// normal answer. Faults are never wrapped by `envelope=true`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// 429 `RATE_LIMITED` with `Retry-After` and Atlas's JSON error body.
    TooManyRequests {
        /// The `Retry-After` value, in seconds.
        retry_after_secs: u64,
    },
    /// 503 `SERVICE_UNAVAILABLE`, with `Retry-After` if given.
    ServiceUnavailable {
        /// The `Retry-After` value, in seconds, if any.
        retry_after_secs: Option<u64>,
    },
    /// 400 `INVITATIONS_RATE_LIMITED_IP`, Atlas's invitation limiter.
    InvitationsRateLimited,
    /// 502 with an HTML body, as a proxy in front of Atlas would send.
    HtmlBadGateway,
    /// The normal answer (the operation is applied), but its body is cut in half after a
    /// `Content-Length` promising all of it, then the connection is closed. A body-less
    /// answer (204) becomes a 200 with a cut `{}`.
    TruncatedBody,
    /// The connection is closed without any response (the operation is not applied).
    CloseConnection,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// 403 with Atlas's JSON error body (the operation is not applied): an API key without
    /// the role the operation needs. The `errorCode` is a stand-in (`FORBIDDEN`).
    Forbidden,
}

/// Faults waiting to be applied, oldest first, each with its remaining count and the
/// operation it waits for (`None`: any).
#[derive(Default)]
pub(crate) struct FaultQueue {
    queue: VecDeque<(Fault, u32, Option<String>)>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, fault: Fault, times: u32, operation: Option<&str>) {
        if times > 0 {
            self.queue.push_back((fault, times, operation.map(str::to_owned)));
        }
    }

    /// The oldest fault for a request to `operation` (its operationId), consuming one of its uses.
    pub(crate) fn take(&mut self, operation: &str) -> Option<Fault> {
        let at = self.queue.iter().position(|(_, _, only)| only.as_deref().is_none_or(|o| o == operation))?;
        let (fault, left, _) = self.queue.get_mut(at)?;
        let fault = fault.clone();
        *left -= 1;
        if *left == 0 {
            self.queue.remove(at);
        }
        Some(fault)
    }
}

/// What the request handler must do for a fault.
pub(crate) enum Action {
    /// Answer with this instead of the operation's result.
    Replace(Outcome),
    /// Answer with this raw (non-Atlas) response.
    Raw(Response<FakeBody>),
    /// Run the operation, then truncate the body.
    Truncate,
    /// Drop the connection.
    Close,
    /// Sleep, then run the operation.
    Delay(Duration),
}

pub(crate) fn action(fault: Fault) -> Action {
    match fault {
        Fault::TooManyRequests { retry_after_secs } => {
            let detail = format!("Rate limit exceeded. Please retry after {retry_after_secs} seconds.");
            Action::Replace(
                Outcome::error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED", detail, Vec::new())
                    .with_header(RETRY_AFTER, HeaderValue::from(retry_after_secs)),
            )
        }
        Fault::ServiceUnavailable { retry_after_secs } => {
            let mut o = Outcome::error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "The service is temporarily unavailable.",
                Vec::new(),
            );
            if let Some(secs) = retry_after_secs {
                o = o.with_header(RETRY_AFTER, HeaderValue::from(secs));
            }
            Action::Replace(o)
        }
        Fault::InvitationsRateLimited => Action::Replace(Outcome::error(
            StatusCode::BAD_REQUEST,
            INVITATIONS_RATE_LIMITED_IP,
            "Too many invitations have been sent from this IP address. Please try again later.",
            Vec::new(),
        )),
        Fault::HtmlBadGateway => {
            let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
                        <center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
            let mut r = Response::new(FakeBody::full(html));
            *r.status_mut() = StatusCode::BAD_GATEWAY;
            r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
            Action::Raw(r)
        }
        Fault::Forbidden => Action::Replace(Outcome::error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "The API key lacks a role this operation needs (an injected fault).",
            Vec::new(),
        )),
        Fault::TruncatedBody => Action::Truncate,
        Fault::CloseConnection => Action::Close,
        Fault::Slow(d) => Action::Delay(d),
    }
}

/// Turns a rendered response into one that promises its whole body but sends half.
pub(crate) fn truncate(resp: Response<FakeBody>) -> Response<FakeBody> {
    let (mut parts, body) = resp.into_parts();
    let mut bytes = body.bytes();
    if bytes.is_empty() {
        bytes = bytes::Bytes::from_static(b"{}");
        parts.status = StatusCode::OK;
        parts.headers.remove(X_ERROR_CODE);
    }
    parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let part = bytes.slice(..bytes.len() / 2);
    Response::from_parts(parts, FakeBody::truncated(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_with_counts() {
        let mut q = FaultQueue::default();
        q.push(Fault::HtmlBadGateway, 2, None);
        q.push(Fault::CloseConnection, 0, None);
        q.push(Fault::InvitationsRateLimited, 1, None);
        assert_eq!(q.take("x"), Some(Fault::HtmlBadGateway));
        assert_eq!(q.take("x"), Some(Fault::HtmlBadGateway));
        assert_eq!(q.take("x"), Some(Fault::InvitationsRateLimited));
        assert_eq!(q.take("x"), None);
    }

    /// A fault for one operation waits for it; other requests pass it by.
    #[test]
    fn a_fault_for_one_operation_waits_for_it() {
        let mut q = FaultQueue::default();
        q.push(Fault::Forbidden, 1, Some("addGroupUsers"));
        q.push(Fault::HtmlBadGateway, 1, None);
        assert_eq!(q.take("listGroupInvites"), Some(Fault::HtmlBadGateway));
        assert_eq!(q.take("listGroupUsers"), None);
        assert_eq!(q.take("addGroupUsers"), Some(Fault::Forbidden));
        assert_eq!(q.take("addGroupUsers"), None);
    }
}
