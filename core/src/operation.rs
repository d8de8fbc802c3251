//! The [`Operation`] trait: what one endpoint is, and how a request for it is built.
//!
//! An operation value knows its endpoint (the static [`Endpoint`] row of the table in
//! [`crate::ops`]), its path parameters, its query, its body and how to decode its output.
//! Operations are declared once, in that table; nothing here lists them.

use crate::config::Config;
use crate::described::{Described, ResponseFormat};
use crate::error::{Error, InvalidInput};
use crate::pattern::Pattern;
use crate::timestamp::HttpDate;
use crate::validate::{ApiVersion, GroupId, InvitationId, OrgId, TeamId, UserId};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderValue, Method, header};
use serde::de::DeserializeOwned;
use std::borrow::Cow;

/// The static description of an endpoint, as in the OpenAPI spec: one row of the typed table in
/// [`crate::ops`] (listed in [`crate::ops::ALL`]), or one entry of the [`crate::catalog`] generated
/// from the spec for every operation (the two agree where both have an operation).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    /// The spec's `operationId`, e.g. `updateGroupInvites`.
    pub operation_id: &'static str,
    /// Other names the SDKs and the Atlas CLI accept (`x-xgen-operation-id-override`).
    pub aliases: &'static [&'static str],
    /// The tag as the Atlas CLI spells it (`atlas api <tag> <operationId>`), e.g. `projects`.
    pub tag: &'static str,
    /// One line: what the endpoint does.
    pub summary: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template with `{name}` placeholders, e.g. `/api/atlas/v2/groups/{groupId}/invites`.
    pub path: &'static str,
    /// Path, query and header parameters (besides `envelope` and `pretty`), path ones first,
    /// in template order. Deprecated parameters are not offered.
    pub params: &'static [Param],
    /// Whether the request has a JSON body (one media type per version, as the answer's).
    pub body: bool,
    /// The API versions the endpoint exists in, oldest first (`preview` last); the default is
    /// the newest that is not `preview` ([`Endpoint::default_version`]).
    pub versions: &'static [ApiVersion],
    /// The status Atlas documents for success with the default version (200, or 204 for
    /// deletes; the lowest if it lists two). Any 2xx is accepted.
    pub success: u16,
    /// Whether the spec lists the `envelope` query parameter.
    pub envelope: bool,
    /// Whether the spec lists the `pretty` query parameter.
    pub pretty: bool,
    /// Whether repeating the request has the same effect as sending it once.
    pub idempotent: bool,
    /// Whether the answer is one page of a list (`{links, results, totalCount}`, walked by
    /// [`crate::paginate`]).
    pub paginated: bool,
    /// Every success status the spec lists, ascending (five operations list two, e.g. 200 and
    /// 201, possibly one per version).
    pub statuses: &'static [u16],
    /// What a success answer holds.
    pub output: SuccessBody,
    /// Whether the request body must be sent (two operations take an optional one); `false`
    /// without [`body`](Self::body).
    pub body_required: bool,
    /// The versions that have a sunset date (`x-sunset`: after it Atlas answers
    /// `410 Gone`), oldest first.
    pub sunsets: &'static [Sunset],
    /// Whether the spec marks the operation `deprecated`.
    pub deprecated: bool,
    /// The `x-xgen-preview` details of its `preview` version, if it has one.
    pub preview: Option<Preview>,
    /// The Atlas roles that may call it (`x-rolesRequirements`), as the spec words them.
    pub roles: &'static [&'static str],
    /// The operation's page in the Atlas documentation (`x-xgen-docs-url`).
    pub docs_url: &'static str,
    /// Whether the request is authenticated (one operation, with `security: []`, is not).
    pub auth: bool,
}

/// What a success answer of an [`Endpoint`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SuccessBody {
    /// Nothing (204, or a 200/202 the spec gives no schema).
    Empty,
    /// JSON (`application/vnd.atlas.<version>+json`).
    Json,
    /// Bytes, a download: `application/vnd.atlas.<version>+<suffix>` (`gzip` or `csv`).
    Bytes {
        /// The media type's suffix.
        suffix: &'static str,
    },
    /// JSON by default, or the same resource as bytes (`+<suffix>`) when asked for.
    JsonOrBytes {
        /// The media type's suffix of the bytes.
        suffix: &'static str,
    },
}

/// The date after which one API version of an [`Endpoint`] is gone (`x-sunset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Sunset {
    /// The version.
    pub version: ApiVersion,
    /// `YYYY-MM-DD`.
    pub date: &'static str,
}

impl Sunset {
    /// `version` is gone after `date` (`YYYY-MM-DD`).
    pub const fn new(version: ApiVersion, date: &'static str) -> Sunset {
        Sunset { version, date }
    }
}

/// What the spec says of a `preview` version (`x-xgen-preview`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Preview {
    /// The preview feature's name (e.g. `standby-links`), if the spec gives one.
    pub name: Option<&'static str>,
    /// Whether the preview is public, if the spec says.
    pub public: Option<bool>,
}

impl Preview {
    /// A preview with its `x-xgen-preview` name and public flag.
    pub const fn new(name: Option<&'static str>, public: Option<bool>) -> Preview {
        Preview { name, public }
    }
}

impl Endpoint {
    /// The version sent unless the client or the call sets one: the newest the endpoint has
    /// that is not `preview` (`preview` for a preview-only operation).
    pub fn default_version(&self) -> ApiVersion {
        let stable = self.versions.iter().rev().find(|v| !v.is_preview());
        stable.or(self.versions.last()).copied().unwrap_or_default()
    }

    /// Whether `preview` is its only version.
    pub fn is_preview_only(&self) -> bool {
        self.versions.iter().all(ApiVersion::is_preview) && !self.versions.is_empty()
    }

    /// Refuses a `version` the endpoint does not list (Atlas answers `406 INVALID_VERSION_DATE`
    /// to it), naming the versions it has; checked before anything is sent.
    pub fn check_version(&self, version: ApiVersion) -> Result<(), InvalidInput> {
        if self.versions.contains(&version) {
            return Ok(());
        }
        let listed: Vec<&str> = self.versions.iter().map(ApiVersion::as_str).collect();
        let why = format!("{} exists in API versions {}", self.operation_id, listed.join(", "));
        Err(InvalidInput::with_value("api_version", why, version.as_str()))
    }

    /// The sunset date of `version`, if it has one.
    pub fn sunset(&self, version: ApiVersion) -> Option<&'static str> {
        self.sunsets.iter().find(|s| s.version == version).map(|s| s.date)
    }

    /// The sunset instant of `version` (its `x-sunset` date at 00:00:00 GMT), if it has one:
    /// the one reading of the spec's date, for the clients' warnings and the fake's 410.
    ///
    /// ```
    /// use atlas_admin_core::{ApiVersion, catalog};
    /// let invites = catalog::find("listGroupInvites").unwrap();
    /// let sunset = invites.sunset_date(ApiVersion::V2023_01_01).unwrap();
    /// assert_eq!(sunset.to_string(), "Thu, 01 Jul 2027 00:00:00 GMT");
    /// ```
    pub fn sunset_date(&self, version: ApiVersion) -> Option<HttpDate> {
        self.sunset(version).and_then(HttpDate::from_date)
    }

    /// Whether `name` is the operationId or one of its aliases.
    pub fn is_named(&self, name: &str) -> bool {
        self.operation_id == name || self.aliases.contains(&name)
    }

    /// The parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The row standing for every operation described at run time ([`crate::ops::Custom`]),
    /// named `operation_id`: each value says its own method, path, query, body and
    /// idempotency through [`Operation::described`]; the row itself sends nothing.
    pub(crate) const fn described(operation_id: &'static str) -> Endpoint {
        Endpoint {
            operation_id,
            aliases: &[],
            tag: "custom",
            summary: "An operation described at run time",
            method: Method::GET,
            path: "/api/atlas/v2/{path}",
            params: &[],
            body: true,
            versions: &[],
            success: 200,
            envelope: true,
            pretty: true,
            idempotent: false,
            paginated: false,
            statuses: &[],
            output: SuccessBody::Json,
            body_required: false,
            sunsets: &[],
            deprecated: false,
            preview: None,
            roles: &[],
            docs_url: "",
            auth: true,
        }
    }
}

/// One path or query parameter of an [`Endpoint`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// The name in the spec (`groupId`, `username`).
    pub name: &'static str,
    /// Path or query.
    pub location: ParamIn,
    /// What values it takes.
    pub kind: ParamKind,
    /// Path parameters are required; query ones are optional.
    pub required: bool,
    /// The oldest API version that honours it, if older versions of the endpoint lack it (the
    /// spec's "Not supported in deprecated versions"): an older version would silently ignore
    /// it (a `username` filter would answer with every user), so [`Operation`]s refuse it there.
    pub since: Option<ApiVersion>,
}

impl Param {
    /// A required path parameter.
    pub const fn path(name: &'static str, kind: ParamKind) -> Param {
        Param { name, location: ParamIn::Path, kind, required: true, since: None }
    }

    /// An optional query parameter.
    pub const fn query(name: &'static str, kind: ParamKind) -> Param {
        Param { name, location: ParamIn::Query, kind, required: false, since: None }
    }

    /// An optional request header.
    pub const fn header(name: &'static str, kind: ParamKind) -> Param {
        Param { name, location: ParamIn::Header, kind, required: false, since: None }
    }

    /// The same parameter, required.
    pub const fn required(self) -> Param {
        Param { required: true, ..self }
    }

    /// The same parameter, honoured only from API version `version` on.
    pub const fn since(self, version: ApiVersion) -> Param {
        Param { since: Some(version), ..self }
    }

    /// Whether API version `version` honours it.
    pub fn exists_in(&self, version: ApiVersion) -> bool {
        self.since.is_none_or(|since| version >= since)
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamIn {
    /// A `{name}` placeholder of the path.
    Path,
    /// A query parameter.
    Query,
    /// A request header.
    Header,
}

/// The kind of values a parameter takes (what the constructors validate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParamKind {
    /// 24 lowercase hexadecimal characters (`^([a-f0-9]{24})$`).
    Id,
    /// An e-mail address.
    Email,
    /// `true` or `false`.
    Bool,
    /// `itemsPerPage`: an integer from 1 to 500.
    PageSize,
    /// `pageNum`: an integer of at least 1.
    PageNum,
    /// `orgMembershipStatuses`: `PENDING`, `ACTIVE`, `INVITATION_EXPIRED` or
    /// `INVITATION_REJECTED`, repeatable (one `key=value` pair per status).
    Statuses,
    /// Text matching one of the spec's patterns.
    Pattern(Pattern),
    /// An integer (`format` int32, int64 or none), within optional bounds.
    Int {
        /// The spec's `format`.
        format: IntFormat,
        /// The spec's `minimum`.
        min: Option<i64>,
        /// The spec's `maximum`.
        max: Option<i64>,
    },
    /// Text, with optional length bounds in characters (always at most
    /// [`MAX_TEXT_LEN`](crate::MAX_TEXT_LEN) bytes, without control characters).
    Text {
        /// The spec's `minLength`.
        min_len: Option<u32>,
        /// The spec's `maxLength`.
        max_len: Option<u32>,
    },
    /// A calendar date, `YYYY-MM-DD` (`format: date`).
    Date,
    /// An RFC 3339 date and time (`format: date-time`).
    DateTime,
    /// One of these values (the spec's `enum`, or the union of a `oneOf` of enums).
    Enum(&'static [&'static str]),
    /// Any number of values of one kind, sent as repeated keys (`style: form`, exploded).
    Repeated {
        /// The kind of each value.
        item: &'static ParamKind,
        /// The spec's `minItems`.
        min_items: Option<u32>,
        /// The spec's `maxItems`.
        max_items: Option<u32>,
        /// The spec's `uniqueItems`.
        unique: bool,
    },
}

/// The `format` of an integer parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IntFormat {
    /// No format: any 64-bit integer.
    Any,
    /// `int32`.
    Int32,
    /// `int64`.
    Int64,
}

impl ParamKind {
    /// Whether the parameter may be given several times (sent as repeated keys).
    pub fn repeatable(self) -> bool {
        matches!(self, ParamKind::Statuses | ParamKind::Repeated { .. })
    }
}

/// A type that fills a path parameter, with the [`ParamKind`] it validates.
pub trait PathParam: AsRef<str> {
    /// What values it takes.
    const KIND: ParamKind;
}

impl PathParam for GroupId {
    const KIND: ParamKind = ParamKind::Id;
}
impl PathParam for OrgId {
    const KIND: ParamKind = ParamKind::Id;
}
impl PathParam for InvitationId {
    const KIND: ParamKind = ParamKind::Id;
}
impl PathParam for TeamId {
    const KIND: ParamKind = ParamKind::Id;
}
impl PathParam for UserId {
    const KIND: ParamKind = ParamKind::Id;
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

    /// The request this value describes at run time, for an operation the table does not type
    /// ([`crate::ops::Custom`]): the call sends it instead of one built from
    /// [`Self::ENDPOINT`], [`Self::path_params`] and [`Self::query`]. `None`, the default, for
    /// every typed operation.
    fn described(&self) -> Option<&Described> {
        None
    }

    /// The catalog entry a described operation was made from ([`crate::ops::Custom::for_endpoint`]):
    /// its default version is the call's default. `None` for every other operation.
    fn catalog_entry(&self) -> Option<&'static Endpoint> {
        None
    }

    /// Checks what can only be checked once the API version is known, before anything is
    /// sent (a catalog operation: the version is one its entry lists, required parameters,
    /// `envelope`/`pretty`, the body). Nothing, the default, for typed operations.
    fn check_before_sending(&self, version: ApiVersion) -> Result<(), InvalidInput> {
        let _ = version;
        Ok(())
    }

    /// The name of this call in errors, exchanges, logs and Sunset warnings: the endpoint's
    /// operationId, or the name a described operation was given. (Not meant to be overridden.)
    fn operation_id(&self) -> &'static str {
        self.described().map_or(Self::ENDPOINT.operation_id, Described::name)
    }

    /// Whether repeating the request has the same effect as sending it once (then it is
    /// retried after a gateway error or a connection lost after sending): the endpoint's
    /// flag, or what a described operation says. (Not meant to be overridden.)
    fn is_idempotent(&self) -> bool {
        self.described().map_or(Self::ENDPOINT.idempotent, Described::is_idempotent)
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
    /// The JSON media type of the version (what `Accept` is, but for downloads).
    pub(crate) content_type: HeaderValue,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) envelope: bool,
    pub(crate) user_agent: HeaderValue,
    /// Headers a described operation adds (a spec's header parameters).
    pub(crate) headers: Vec<(header::HeaderName, HeaderValue)>,
    /// Whether credentials go with it (`false`: no Digest probe, no token, no `Authorization`).
    pub(crate) auth: bool,
    /// The sunset date the endpoint's row or catalog entry gives the version sent
    /// ([`ResponseMeta::spec_sunset`](crate::ResponseMeta::spec_sunset)).
    pub(crate) spec_sunset: Option<HttpDate>,
    /// Whether the row marks the operation deprecated
    /// ([`ResponseMeta::spec_deprecated`](crate::ResponseMeta::spec_deprecated)).
    pub(crate) spec_deprecated: bool,
}

/// The media type of the default API version, as a header without allocating.
const DEFAULT_MEDIA_TYPE: HeaderValue = HeaderValue::from_static("application/vnd.atlas.2023-01-01+json");

/// URIs longer than this do not parse (`http`'s limit); such targets take the slow path, which
/// reports them.
const MAX_URI_LEN: usize = u16::MAX as usize - 1;

/// What every request of a session shares, parsed once per session rather than per request:
/// the base URL's scheme and authority, and the User-Agent header.
#[derive(Clone, Debug)]
pub(crate) struct Base {
    scheme: Scheme,
    authority: Authority,
    origin_len: usize,
    user_agent: HeaderValue,
}

impl Base {
    /// `None` if the configuration does not parse here; then each call takes the slow path
    /// (which reports the problem as it always did).
    pub(crate) fn new(config: &Config) -> Option<Base> {
        let origin: http::Uri = config.origin().parse().ok()?;
        let parts = origin.into_parts();
        Some(Base {
            scheme: parts.scheme?,
            authority: parts.authority?,
            origin_len: config.origin().len(),
            user_agent: HeaderValue::from_str(config.user_agent()).ok()?,
        })
    }

    /// `origin + target` as a URI, equal to parsing that text, without re-parsing the origin.
    /// `None` where the text might parse differently; the caller then parses it whole.
    fn uri(&self, target: &str) -> Option<http::Uri> {
        if !target.starts_with('/') || self.origin_len + target.len() > MAX_URI_LEN {
            return None;
        }
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(PathAndQuery::try_from(target.to_owned()).ok()?);
        http::Uri::from_parts(parts).ok()
    }
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

/// Builds the unsigned request for `op` under `config` (`base`: the same, pre-parsed): from
/// its endpoint row, or from what it describes ([`Operation::described`]).
pub(crate) fn prepare<O: Operation>(config: &Config, base: Option<&Base>, op: &O) -> Result<Prepared, Error> {
    let endpoint = &O::ENDPOINT;
    let options = op.options();
    let described = op.described();
    let row = op.catalog_entry().unwrap_or(endpoint);
    let default = row.default_version();
    let version = options.api_version.or(config.api_version_override()).unwrap_or(default);
    op.check_before_sending(version)?;
    let mut query = form_urlencoded::Serializer::new(String::new());
    let (method, path, format) = match described {
        Some(described) => {
            described.check_complete()?;
            for (name, value) in described.query() {
                query.append_pair(name, value);
            }
            (described.method().clone(), Cow::Borrowed(described.path()), described.format())
        }
        None => {
            // A typed row takes only the versions it lists (the call's or the client's).
            endpoint.check_version(version)?;
            if options.pretty && !endpoint.pretty {
                return Err(InvalidInput::new(
                    "pretty",
                    format!("{} does not take the pretty parameter", endpoint.operation_id),
                )
                .into());
            }
            let path = fill(endpoint.path, &op.path_params())?;
            let params = op.query();
            // A filter an older version lacks would be ignored there (answering with everyone), so
            // sending one there is refused; which parameters and since when is the table's data.
            let missing = |name: &str| endpoint.param(name).is_some_and(|p| !p.exists_in(version));
            if let Some((name, _)) = params.iter().find(|(name, _)| missing(name)) {
                return Err(InvalidInput::new(
                    *name,
                    format!("is not supported by {} in API version {version}", endpoint.operation_id),
                )
                .into());
            }
            for (name, value) in params {
                query.append_pair(name, value);
            }
            (endpoint.method.clone(), Cow::Owned(path), ResponseFormat::Json)
        }
    };
    if options.envelope {
        query.append_pair("envelope", "true");
    }
    if options.pretty {
        query.append_pair("pretty", "true");
    }
    let query = query.finish();
    // The base URL may carry a path prefix (a proxy mount); Digest signs what is sent.
    let prefix = config.path_prefix();
    let target = match (prefix.is_empty(), query.is_empty()) {
        (true, true) => path.into_owned(),
        (false, true) => format!("{prefix}{path}"),
        (_, false) => format!("{prefix}{path}?{query}"),
    };
    let uri = match base.and_then(|b| b.uri(&target)) {
        Some(uri) => uri,
        None => {
            let uri_text = format!("{}{target}", config.origin());
            uri_text.parse().map_err(|_| InvalidInput::with_value("uri", "cannot form a valid URI", &uri_text))?
        }
    };
    // The call's, else the client's, else the endpoint's own default (from the table).
    let header =
        |text: &str| HeaderValue::from_str(text).map_err(|_| InvalidInput::new("version", "not a valid header value"));
    let json = if version == ApiVersion::V2023_01_01 { DEFAULT_MEDIA_TYPE } else { header(&version.media_type())? };
    let accept = match format {
        ResponseFormat::Json => json.clone(),
        download => header(&download.media_type(&version.media_type()))?,
    };
    let user_agent = match base {
        Some(b) => b.user_agent.clone(),
        None => HeaderValue::from_str(config.user_agent())
            .map_err(|_| InvalidInput::new("user_agent", "not a valid header value"))?,
    };
    let body = match described {
        Some(described) => described.body().map(<[u8]>::to_vec),
        None => op.body().map_err(|e| InvalidInput::new("body", format!("cannot serialize: {e}")))?,
    };
    let (headers, auth) = match described {
        Some(described) => (described.headers().to_vec(), described.is_authenticated()),
        None => (Vec::new(), endpoint.auth),
    };
    Ok(Prepared {
        method,
        uri,
        target,
        accept,
        content_type: json,
        body,
        envelope: options.envelope,
        user_agent,
        headers,
        auth,
        spec_sunset: row.sunset_date(version),
        spec_deprecated: row.deprecated,
    })
}

impl Prepared {
    /// The request with an optional `Authorization` header.
    /// (Assembled in place: the builder's fallible conversions have nothing to check here.)
    pub(crate) fn to_request(&self, authorization: Option<HeaderValue>) -> Result<http::Request<Vec<u8>>, Error> {
        let mut request = http::Request::new(self.body.clone().unwrap_or_default());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        let mut append = |name: header::HeaderName, value: HeaderValue| {
            headers.try_append(name, value).map(drop).map_err(|_| Error::Usage("request could not be assembled"))
        };
        append(header::ACCEPT, self.accept.clone())?;
        append(header::USER_AGENT, self.user_agent.clone())?;
        if self.body.is_some() {
            append(header::CONTENT_TYPE, self.content_type.clone())?;
        }
        for (name, value) in &self.headers {
            append(name.clone(), value.clone())?;
        }
        if let Some(auth) = authorization {
            append(header::AUTHORIZATION, auth)?;
        }
        Ok(request)
    }
}

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

    #[test]
    fn uri_from_parsed_base_equals_parsing_the_whole_text() {
        for base in [
            "https://cloud.mongodb.com",
            "http://127.0.0.1:8080",
            "http://[::1]:9000",
            "https://proxy.example.com/atlas/",
        ] {
            let config = Config::default().with_base_url(base).unwrap();
            let b = Base::new(&config).unwrap();
            for target in
                ["/api/atlas/v2/groups/x/invites", "/a?username=a%2Bb%40example.com&envelope=true", "/a#frag", "/"]
            {
                let whole: http::Uri = format!("{}{target}", config.origin()).parse().unwrap();
                assert_eq!(b.uri(target), Some(whole), "{base} {target}");
            }
            assert_eq!(b.uri("no-leading-slash"), None);
            assert_eq!(b.uri(&format!("/{}", "a".repeat(MAX_URI_LEN))), None);
        }
    }

    /// A made-up list in two versions: `username` exists in both, `flattenTeams` only since
    /// 2025-02-19 (the reverse of the Cloud Users lists, which a global name list got wrong).
    struct Probe {
        query: Vec<(&'static str, &'static str)>,
        options: CallOptions,
    }

    impl Operation for Probe {
        type Output = ();
        const ENDPOINT: Endpoint = Endpoint {
            operation_id: "listThings",
            aliases: &[],
            tag: "things",
            summary: "a made-up list",
            method: Method::GET,
            path: "/api/atlas/v2/things",
            params: &[
                Param::query("username", ParamKind::Email),
                Param::query("flattenTeams", ParamKind::Bool).since(ApiVersion::V2025_02_19),
            ],
            body: false,
            versions: &[ApiVersion::V2023_01_01, ApiVersion::V2025_02_19],
            success: 200,
            envelope: false,
            pretty: false,
            idempotent: true,
            paginated: false,
            statuses: &[200],
            output: SuccessBody::Empty,
            body_required: false,
            sunsets: &[],
            deprecated: false,
            preview: None,
            roles: &[],
            docs_url: "",
            auth: true,
        };

        fn path_params(&self) -> Vec<(&'static str, &str)> {
            Vec::new()
        }

        fn query(&self) -> Vec<(&'static str, &str)> {
            self.query.clone()
        }

        fn options(&self) -> &CallOptions {
            &self.options
        }
    }

    #[test]
    fn which_filters_an_older_version_lacks_is_the_tables_data() {
        let config = Config::default();
        let old = CallOptions { api_version: Some(ApiVersion::V2023_01_01), ..CallOptions::default() };
        let op = |query, options: &CallOptions| Probe { query, options: options.clone() };
        // A parameter of every version is sent with the older one, whatever its name.
        let sent = prepare(&config, None, &op(vec![("username", "a@b.co")], &old)).unwrap();
        assert_eq!(sent.target, "/api/atlas/v2/things?username=a%40b.co");
        // One the table says is newer is refused there, with the usual message, and sent with
        // the version that has it.
        let refused = prepare(&config, None, &op(vec![("flattenTeams", "true")], &old)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            InvalidInput::new("flattenTeams", "is not supported by listThings in API version 2023-01-01").to_string()
        );
        assert!(prepare(&config, None, &op(vec![("flattenTeams", "true")], &CallOptions::default())).is_ok());
        let p = Probe::ENDPOINT.param("flattenTeams").unwrap();
        assert!(!p.exists_in(ApiVersion::V2023_01_01) && p.exists_in(ApiVersion::V2025_02_19));
    }
}
