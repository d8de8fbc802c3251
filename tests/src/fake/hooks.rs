//! A user's own behaviour for one operation ([`FakeAtlas::on`](super::FakeAtlas::on)): a
//! closure over the request ([`FakeRequest`]) and the generic behaviour's state
//! ([`FakeState`]) that answers ([`FakeReply`]) instead of the fake's behaviour.

use super::reply::Outcome;
use super::resources::FakeState;
use atlas_admin_core::ApiVersion;
use http::{Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use std::time::SystemTime;

/// An API request as a user's behaviour sees it: authenticated, routed, version-checked.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FakeRequest {
    /// The operation's operationId.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path, as requested (no query).
    pub path: String,
    /// The path template's placeholders, by name, as requested.
    pub params: Vec<(&'static str, String)>,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The body as JSON (`None` without a body or if it is not JSON).
    pub body: Option<Value>,
    /// The negotiated API version.
    pub version: ApiVersion,
    /// The fake's clock.
    pub now: SystemTime,
}

impl FakeRequest {
    /// The value of placeholder `name`, if the template has it.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

/// What a user's behaviour answers: a status and a JSON body (or none). Success bodies get the
/// negotiated versioned `Content-Type`, errors `application/json` and `X-Error-Code`; the
/// rate-limit headers and `envelope`/`pretty` apply as to every answer.
#[derive(Debug)]
pub struct FakeReply(pub(crate) Outcome);

impl FakeReply {
    /// `status` with `body`.
    pub fn json(status: u16, body: Value) -> FakeReply {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut out = Outcome::ok(body);
        out.status = status;
        FakeReply(out)
    }

    /// `status` with no body (a 204, a 202 without one).
    pub fn empty(status: u16) -> FakeReply {
        let mut out = Outcome::no_content();
        out.status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        FakeReply(out)
    }

    /// An Atlas error (`ApiError` shape: `detail`, `error`, `errorCode`, `parameters`,
    /// `reason`).
    pub fn error(status: u16, error_code: &str, detail: &str) -> FakeReply {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        FakeReply(Outcome::error(status, error_code, detail, Vec::new()))
    }
}

/// A user's behaviour for one operation.
pub(crate) type Hook = Arc<dyn Fn(&FakeRequest, &mut FakeState) -> FakeReply + Send + Sync>;
