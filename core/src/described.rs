//! [`Described`]: a request described at run time (method, path, query, JSON body, name,
//! idempotency, success statuses, response format), validated piece by piece as it is given,
//! before anything is sent. It is what [`crate::ops::Custom`] holds and what the call sends
//! instead of an [`Endpoint`](crate::Endpoint) row.

use crate::error::InvalidInput;
use crate::validate::{MAX_TEXT_LEN, check_text};
use http::{HeaderName, HeaderValue, Method, header};
use std::fmt::{self, Write as _};

/// The prefix every described path starts with: the Administration API v2 (`/api/oauth`
/// and anything outside the API are not reachable this way).
pub(crate) const API_PREFIX: &str = "/api/atlas/v2/";

/// The largest request body a described operation sends, in bytes: the same bound as the
/// default response body cap ([`DEFAULT_MAX_RESPONSE_BYTES`](crate::transport::DEFAULT_MAX_RESPONSE_BYTES)).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The suffix of the `Accept` media type (`application/vnd.atlas.<version>+<suffix>`): what
/// the answer is. Downloads (logs, usage reports) answer `+gzip` or `+csv`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// `+json`: a JSON document (the default).
    #[default]
    Json,
    /// `+gzip`: a gzip file (e.g. `getHostLogs`).
    Gzip,
    /// `+csv`: a CSV file (e.g. usage and invoice exports).
    Csv,
}

impl ResponseFormat {
    /// The media type suffix, without the `+`.
    pub fn suffix(self) -> &'static str {
        match self {
            ResponseFormat::Json => "json",
            ResponseFormat::Gzip => "gzip",
            ResponseFormat::Csv => "csv",
        }
    }

    /// `media_type` (which ends in `+json`) with this suffix instead.
    pub(crate) fn media_type(self, json_media_type: &str) -> String {
        let stem = json_media_type.strip_suffix("+json").unwrap_or(json_media_type);
        format!("{stem}+{}", self.suffix())
    }
}

/// A request described at run time, validated as it is built; see [`crate::ops::Custom`],
/// which is how it is made and sent.
///
/// Its `Debug` shows the body's length, never the body (it may hold a password, e.g. a
/// database user's).
#[derive(Clone, PartialEq, Eq)]
pub struct Described {
    /// The given name, else the name of the family of described operations it belongs to.
    name: &'static str,
    /// Whether `name` was given.
    named: bool,
    method: Method,
    /// The path as sent: the template with the values given so far, percent-encoded.
    path: String,
    /// Placeholders of the template not given a value yet.
    unfilled: Vec<String>,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    idempotent: bool,
    success: Vec<u16>,
    format: ResponseFormat,
    /// Request headers besides the ones every call sends (a spec's header parameters).
    headers: Vec<(HeaderName, HeaderValue)>,
    /// Whether the request carries credentials (the one unauthenticated operation does not).
    auth: bool,
}

impl fmt::Debug for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Described")
            .field("name", &self.name)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("idempotent", &self.idempotent)
            .field("success", &self.success)
            .field("format", &self.format)
            // Names only: a header value may be a secret.
            .field("headers", &self.headers.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())
            .field("auth", &self.auth)
            .finish()
    }
}

impl Described {
    /// Validates `method` and the path template (see [`crate::ops::Custom::new`]).
    pub(crate) fn new(name: &'static str, method: Method, template: &str) -> Result<Described, InvalidInput> {
        check_method(&method)?;
        let unfilled = check_template(template)?;
        // Repeating a request has the same effect as sending it once for every method but
        // POST (as the typed rows say for their PATCHes); a POST may be marked so.
        let idempotent = method != Method::POST;
        Ok(Described {
            name,
            named: false,
            method,
            path: template.to_owned(),
            unfilled,
            query: Vec::new(),
            body: None,
            idempotent,
            success: Vec::new(),
            format: ResponseFormat::Json,
            headers: Vec::new(),
            auth: true,
        })
    }

    /// A description of a catalog entry: as [`new`](Self::new), but the spec's own root
    /// (`/api/atlas/v2`, `getSystemStatus`) is a path too.
    pub(crate) fn of_spec(name: &'static str, method: Method, template: &str) -> Result<Described, InvalidInput> {
        let root = API_PREFIX.trim_end_matches('/');
        if template != root {
            return Described::new(name, method, template);
        }
        // The root has no segment to check: described as any one-segment path, then set.
        let mut described = Described::new(name, method, "/api/atlas/v2/root")?;
        described.path = root.to_owned();
        Ok(described)
    }

    /// The name of the call in errors, exchanges, logs and Sunset warnings.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path as sent (values percent-encoded); placeholders not given yet still show as
    /// `{name}`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query pairs, in order, unencoded.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// The JSON body, if any.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Whether a request that may have reached Atlas is retried after a gateway error or a
    /// lost connection.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The success statuses declared (empty: none declared). Any 2xx is a success either way.
    pub fn success(&self) -> &[u16] {
        &self.success
    }

    /// What the answer is.
    pub fn format(&self) -> ResponseFormat {
        self.format
    }

    /// The request headers it adds, in order.
    pub fn headers(&self) -> &[(HeaderName, HeaderValue)] {
        &self.headers
    }

    /// Whether the request carries credentials (`false` only for an operation the spec says
    /// takes none: then no Digest probe and no token either).
    pub fn is_authenticated(&self) -> bool {
        self.auth
    }

    pub(crate) fn set_authenticated(&mut self, auth: bool) {
        self.auth = auth;
    }

    /// Appends a request header: a valid name that is none of those the call itself sets
    /// (`Authorization`, `Accept`, `Content-Type`, `User-Agent`, `Host`, `Content-Length`,
    /// `Transfer-Encoding`, `Connection`), and a value without control characters.
    pub(crate) fn push_header(&mut self, name: &str, value: &str) -> Result<(), InvalidInput> {
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| InvalidInput::with_value("header", "is not a valid header name", name))?;
        let reserved = [
            header::AUTHORIZATION,
            header::ACCEPT,
            header::CONTENT_TYPE,
            header::USER_AGENT,
            header::HOST,
            header::CONTENT_LENGTH,
            header::TRANSFER_ENCODING,
            header::CONNECTION,
        ];
        let field = format!("header.{parsed}");
        if reserved.contains(&parsed) {
            return Err(InvalidInput::new(field, "is set by the call itself"));
        }
        check_text(&field, value)?;
        let value =
            HeaderValue::from_str(value).map_err(|_| InvalidInput::new(field, "is not a valid header value"))?;
        self.headers.push((parsed, value));
        Ok(())
    }

    /// Sets the query parameter `name` to `value` alone (a page number), without checks: the
    /// caller's value is a number it made.
    pub(crate) fn replace_query(&mut self, name: &str, value: String) {
        self.query.retain(|(n, _)| n != name);
        self.query.push((name.to_owned(), value));
    }

    /// Removes every value of the query parameter or header `name` (a setter replacing them).
    pub(crate) fn remove_param(&mut self, name: &str, header: bool) {
        match header {
            true => self.headers.retain(|(n, _)| !n.as_str().eq_ignore_ascii_case(name)),
            false => self.query.retain(|(n, _)| n != name),
        }
    }

    pub(crate) fn set_name(&mut self, name: &'static str) -> Result<(), InvalidInput> {
        let ok = (1..=64).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if !ok {
            return Err(InvalidInput::with_value("name", "must be 1 to 64 of A-Z a-z 0-9 _ - .", name));
        }
        self.name = name;
        self.named = true;
        Ok(())
    }

    /// Moves an unnamed description to another family of described operations (a download).
    pub(crate) fn set_family(&mut self, family: &'static str) {
        if !self.named {
            self.name = family;
        }
    }

    /// Fills the placeholder `{name}` with `value` (as meant, decoded), percent-encoded once into
    /// one segment.
    pub(crate) fn fill(&mut self, name: &str, value: &str) -> Result<(), InvalidInput> {
        let Some(at) = self.unfilled.iter().position(|n| n == name) else {
            // (The name goes into the field only if it could be a placeholder's: it is printed.)
            let why = "no such placeholder left to fill in the path template";
            return Err(match is_placeholder_name(name) {
                true => InvalidInput::new(format!("path.{name}"), why),
                false => InvalidInput::with_value("path", why, name),
            });
        };
        check_path_value(&format!("path.{name}"), value)?;
        self.path = self.path.replacen(&format!("{{{name}}}"), &encode_segment(value), 1);
        self.unfilled.remove(at);
        Ok(())
    }

    /// Appends a query pair (repeatable: each call adds one `name=value`).
    pub(crate) fn push_query(&mut self, name: &str, value: &str) -> Result<(), InvalidInput> {
        let field = format!("query.{name}");
        if name.is_empty() {
            return Err(InvalidInput::new("query", "a query parameter needs a name"));
        }
        if matches!(name, "envelope" | "pretty") {
            return Err(InvalidInput::new(field, "set it with .envelope(true) or .pretty(true)"));
        }
        check_text("query", name)?;
        check_text(&field, value)?;
        self.query.push((name.to_owned(), value.to_owned()));
        Ok(())
    }

    /// Sets the JSON body: `bytes` must be one JSON document of at most [`MAX_BODY_BYTES`].
    pub(crate) fn set_body(&mut self, bytes: Vec<u8>) -> Result<(), InvalidInput> {
        if bytes.len() > MAX_BODY_BYTES {
            let reason = format!("is {} bytes; the most sent is {MAX_BODY_BYTES}", bytes.len());
            return Err(InvalidInput::new("body", reason));
        }
        serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
            .map_err(|e| InvalidInput::new("body", format!("not JSON: {e}")))?;
        self.body = Some(bytes);
        Ok(())
    }

    pub(crate) fn set_idempotent(&mut self, idempotent: bool) {
        self.idempotent = idempotent;
    }

    /// Declares the success statuses: each within 200..=299, at least one.
    pub(crate) fn set_success(&mut self, statuses: &[u16]) -> Result<(), InvalidInput> {
        if statuses.is_empty() {
            return Err(InvalidInput::new("success", "declare at least one status"));
        }
        if let Some(bad) = statuses.iter().find(|s| !(200..=299).contains(*s)) {
            return Err(InvalidInput::with_value("success", "must be within 200..=299", &bad.to_string()));
        }
        let mut success = statuses.to_vec();
        success.sort_unstable();
        success.dedup();
        self.success = success;
        Ok(())
    }

    pub(crate) fn set_format(&mut self, format: ResponseFormat) {
        self.format = format;
    }

    /// Refuses to send while a placeholder has no value.
    pub(crate) fn check_complete(&self) -> Result<(), InvalidInput> {
        match self.unfilled.first() {
            Some(name) => Err(InvalidInput::new(format!("path.{name}"), "no value for this path parameter")),
            None => Ok(()),
        }
    }
}

/// The methods the Administration API uses.
fn check_method(method: &Method) -> Result<(), InvalidInput> {
    match *method {
        Method::GET | Method::POST | Method::PUT | Method::PATCH | Method::DELETE => Ok(()),
        _ => Err(InvalidInput::with_value("method", "must be GET, POST, PUT, PATCH or DELETE", method.as_str())),
    }
}

/// A path value as meant (decoded: it is percent-encoded once, into one segment): not empty,
/// `.` or `..` (which would change the path), and text ([`check_text`]).
pub(crate) fn check_path_value(field: &str, value: &str) -> Result<(), InvalidInput> {
    if value.is_empty() || value == "." || value == ".." {
        return Err(InvalidInput::with_value(field, "a path value cannot be empty, `.` or `..`", value));
    }
    check_text(field, value)
}

/// Validates a path template; returns its placeholder names in order.
///
/// `/api/atlas/v2/` then segments of RFC 3986 path characters (`%XX` escapes well formed),
/// none empty, `.` or `..` (nor their escapes); `{name}` placeholders of ASCII letters, digits
/// and `_`, each name once. No query, fragment, space, control or non-ASCII character.
fn check_template(template: &str) -> Result<Vec<String>, InvalidInput> {
    let bad = |reason: &str| InvalidInput::with_value("path", reason, template);
    if template.len() > MAX_TEXT_LEN {
        return Err(InvalidInput::new("path", format!("is longer than {MAX_TEXT_LEN} bytes")));
    }
    let Some(rest) = template.strip_prefix(API_PREFIX) else {
        return Err(bad("must start with /api/atlas/v2/"));
    };
    if let Some(c) = template.chars().find(|c| matches!(c, '?' | '#')) {
        let why = if c == '?' { "has a query: add it with .query(name, value)" } else { "has a fragment (#)" };
        return Err(bad(why));
    }
    if template.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("contains a space or a control character"));
    }
    if !template.is_ascii() {
        return Err(bad("contains a character that is not ASCII: give it as a value to .path_param"));
    }
    let mut names: Vec<String> = Vec::new();
    for segment in rest.split('/') {
        let decoded_dots = segment.replace("%2e", ".").replace("%2E", ".");
        if segment.is_empty() || decoded_dots == "." || decoded_dots == ".." {
            return Err(bad("has an empty, `.` or `..` segment"));
        }
        let mut chars = segment.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' => {
                    let tail = segment.get(at + 1..).unwrap_or_default();
                    let close = tail.find('}').ok_or_else(|| bad("has an unclosed {placeholder}"))?;
                    let name = tail.get(..close).unwrap_or_default();
                    if !is_placeholder_name(name) {
                        return Err(bad("a {placeholder} name must be ASCII letters, digits and _"));
                    }
                    if names.iter().any(|n| n == name) {
                        return Err(InvalidInput::with_value(
                            format!("path.{name}"),
                            "appears twice in the template",
                            template,
                        ));
                    }
                    names.push(name.to_owned());
                    // Skip the name and the closing brace.
                    for _ in 0..=close {
                        chars.next();
                    }
                }
                '}' => return Err(bad("has a } without its {")),
                '%' => {
                    let hex = segment.get(at + 1..at + 3).unwrap_or_default();
                    if hex.len() != 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return Err(bad("has a % that is not a %XX escape"));
                    }
                }
                c if is_unreserved(c) || "!$&'()*+,;=:@".contains(c) => {}
                _ => return Err(bad("has a character a path cannot carry unescaped")),
            }
        }
    }
    Ok(names)
}

/// An ASCII letter, then ASCII letters, digits and `_`.
fn is_placeholder_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// RFC 3986 unreserved characters: sent as they are.
fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// Percent-encodes everything of `value` but unreserved characters, so a value stays one
/// path segment (a `/`, `?`, `#`, `%` or `:` in it is data, not structure).
fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if is_unreserved(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_checked() {
        let ok = check_template("/api/atlas/v2/orgs/{orgId}/users/{userId}:addRole").unwrap();
        assert_eq!(ok, ["orgId", "userId"]);
        assert!(check_template("/api/atlas/v2/groups/x%20y/clusters").is_ok());
        for bad in [
            "/api/oauth/token",
            "/api/atlas/v1.0/groups",
            "/api/atlas/v2",
            "/api/atlas/v2/",
            "/api/atlas/v2/groups//clusters",
            "/api/atlas/v2/groups/../orgs",
            "/api/atlas/v2/groups/%2E%2e/orgs",
            "/api/atlas/v2/groups/./x",
            "/api/atlas/v2/groups?pretty=true",
            "/api/atlas/v2/groups#x",
            "/api/atlas/v2/groups x",
            "/api/atlas/v2/groups\n",
            "/api/atlas/v2/gröups",
            "/api/atlas/v2/groups/{groupId",
            "/api/atlas/v2/groups/groupId}",
            "/api/atlas/v2/groups/{}",
            "/api/atlas/v2/groups/{1x}",
            "/api/atlas/v2/groups/{a}/x/{a}",
            "/api/atlas/v2/groups/%zz",
            "/api/atlas/v2/groups/a\"b",
            "/api/atlas/v2/groups/a\\b",
        ] {
            let e = check_template(bad).unwrap_err();
            assert!(e.field().starts_with("path"), "{bad}: {e}");
        }
    }

    #[test]
    fn values_are_one_encoded_segment() {
        assert_eq!(encode_segment("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_segment("Cluster0-x_y.z~"), "Cluster0-x_y.z~");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }
}
