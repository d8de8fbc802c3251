//! The [`Operation`] trait: what one endpoint is, and how a request for it is built.
//!
//! An operation value knows its endpoint (method, path template, operationId, whether it
//! takes `pretty`, whether it is idempotent), its path parameters, its query, its body and
//! how to decode its output. Adding an endpoint is one struct and one `impl Operation`.

use crate::config::Config;
use crate::error::{Error, InvalidInput};
use crate::validate::ApiVersion;
use http::{HeaderValue, Method, header};
use serde::de::DeserializeOwned;

/// The static description of an endpoint, as in the OpenAPI spec.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    /// The spec's `operationId`, e.g. `updateGroupInvites`.
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template with `{name}` placeholders, e.g. `/api/atlas/v2/groups/{groupId}/invites`.
    pub path: &'static str,
    /// The status Atlas documents for success (200, or 204 for deletes). Any 2xx is accepted.
    pub success: u16,
    /// Whether the spec lists the `pretty` query parameter.
    pub pretty: bool,
    /// Whether repeating the request has the same effect as sending it once.
    pub idempotent: bool,
}

/// Per-call options: the `envelope` and `pretty` query flags and the API version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallOptions {
    /// `envelope=true`: Atlas wraps the answer as `{"status": …, "content": …}` with HTTP 200.
    pub envelope: bool,
    /// `pretty=true`: pretty-printed JSON.
    pub pretty: bool,
    /// Overrides the client's API version for this call.
    pub api_version: Option<ApiVersion>,
}

/// One Atlas endpoint with its arguments.
pub trait Operation {
    /// What a successful call returns.
    type Output: DeserializeOwned + std::fmt::Debug;

    /// The endpoint.
    const ENDPOINT: Endpoint;

    /// Values for the path template's placeholders, by name.
    fn path_params(&self) -> Vec<(&'static str, &str)>;

    /// Operation-specific query parameters (besides `envelope` and `pretty`).
    fn query(&self) -> Vec<(&'static str, &str)> {
        Vec::new()
    }

    /// The JSON request body, if the endpoint takes one.
    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
        Ok(None)
    }

    /// This call's options.
    fn options(&self) -> &CallOptions;

    /// Decodes a success body (the `content` of an envelope).
    fn decode(body: &[u8]) -> Result<Self::Output, serde_json::Error> {
        serde_json::from_slice(body)
    }
}

/// A request ready to sign and send: everything but `Authorization`.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub(crate) method: Method,
    /// Full URI (base URL + path + query).
    pub(crate) uri: http::Uri,
    /// Path and query as sent, which Digest signs.
    pub(crate) target: String,
    pub(crate) accept: HeaderValue,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) envelope: bool,
    pub(crate) user_agent: HeaderValue,
}

/// Fills `{name}` placeholders. Values are validated ids, which need no escaping.
fn fill(template: &str, params: &[(&'static str, &str)]) -> Result<String, InvalidInput> {
    let mut out = String::with_capacity(template.len() + 48);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (head, tail) = rest.split_at(open);
        out.push_str(head);
        let close =
            tail.find('}').ok_or_else(|| InvalidInput::new("path", format!("unclosed placeholder in {template}")))?;
        let name = tail.get(1..close).unwrap_or_default();
        let value = params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .ok_or_else(|| InvalidInput::new(name.to_owned(), "no value for this path parameter"))?;
        out.push_str(value);
        rest = tail.get(close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    Ok(out)
}

/// Builds the unsigned request for `op` under `config`.
pub(crate) fn prepare<O: Operation>(config: &Config, op: &O) -> Result<Prepared, Error> {
    let endpoint = &O::ENDPOINT;
    let options = op.options();
    if options.pretty && !endpoint.pretty {
        return Err(InvalidInput::new(
            "pretty",
            format!("{} does not take the pretty parameter", endpoint.operation_id),
        )
        .into());
    }
    let path = fill(endpoint.path, &op.path_params())?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (name, value) in op.query() {
        query.append_pair(name, value);
    }
    if options.envelope {
        query.append_pair("envelope", "true");
    }
    if options.pretty {
        query.append_pair("pretty", "true");
    }
    let query = query.finish();
    // The base URL may carry a path prefix (a proxy mount); Digest signs what is sent.
    let prefix = config.path_prefix();
    let target = if query.is_empty() { format!("{prefix}{path}") } else { format!("{prefix}{path}?{query}") };
    let uri_text = format!("{}{target}", config.origin());
    let uri: http::Uri =
        uri_text.parse().map_err(|_| InvalidInput::with_value("uri", "cannot form a valid URI", &uri_text))?;
    let version = options.api_version.unwrap_or(config.api_version());
    let accept = HeaderValue::from_str(&version.media_type())
        .map_err(|_| InvalidInput::new("version", "not a valid header value"))?;
    let user_agent = HeaderValue::from_str(config.user_agent())
        .map_err(|_| InvalidInput::new("user_agent", "not a valid header value"))?;
    let body = op.body().map_err(|e| InvalidInput::new("body", format!("cannot serialize: {e}")))?;
    Ok(Prepared { method: endpoint.method.clone(), uri, target, accept, body, envelope: options.envelope, user_agent })
}

impl Prepared {
    /// The request with an optional `Authorization` header.
    pub(crate) fn to_request(&self, authorization: Option<HeaderValue>) -> Result<http::Request<Vec<u8>>, Error> {
        let mut builder = http::Request::builder()
            .method(self.method.clone())
            .uri(self.uri.clone())
            .header(header::ACCEPT, self.accept.clone())
            .header(header::USER_AGENT, self.user_agent.clone());
        if self.body.is_some() {
            builder = builder.header(header::CONTENT_TYPE, self.accept.clone());
        }
        if let Some(auth) = authorization {
            builder = builder.header(header::AUTHORIZATION, auth);
        }
        builder.body(self.body.clone().unwrap_or_default()).map_err(|_| Error::Usage("request could not be assembled"))
    }
}

/// Adds `.envelope()`, `.pretty()` and `.api_version()` to an operation type.
macro_rules! call_options {
    ($t:ty) => {
        impl $t {
            /// Asks Atlas to wrap the answer in `{"status", "content"}` (`envelope=true`);
            /// the result is unwrapped and equal to the plain one.
            pub fn envelope(mut self, on: bool) -> Self {
                self.options.envelope = on;
                self
            }

            /// Asks for pretty-printed JSON (`pretty=true`). Building the request fails for
            /// operations whose spec has no `pretty` parameter.
            pub fn pretty(mut self, on: bool) -> Self {
                self.options.pretty = on;
                self
            }

            /// Overrides the API version for this call.
            pub fn api_version(mut self, version: $crate::ApiVersion) -> Self {
                self.options.api_version = Some(version);
                self
            }
        }
    };
}
pub(crate) use call_options;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_placeholders() {
        assert_eq!(
            fill("/g/{groupId}/i/{invitationId}", &[("groupId", "a"), ("invitationId", "b")]).unwrap(),
            "/g/a/i/b"
        );
        assert_eq!(fill("/g/{groupId}", &[]).unwrap_err().field(), "groupId");
        assert!(fill("/g/{groupId", &[("groupId", "a")]).is_err());
    }
}
