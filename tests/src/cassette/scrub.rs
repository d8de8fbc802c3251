//! Scrubbing: which response headers a cassette keeps, which values are replaced by stable
//! placeholders, and the secrets whose appearance makes the recorder refuse to save.

use super::format::{Body, RecordedRequest};
use atlas_admin_core::Credentials;
use atlas_admin_core::is_secret_field;
use atlas_admin_core::oauth::basic_credentials;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::Value;
use std::collections::HashSet;

/// Placeholder of the API key's public key (Atlas echoes it as `inviterUsername`).
pub(crate) const PUBLIC_KEY: &str = "PUBLIC-KEY";
/// Placeholder of a service account's client id.
pub(crate) const CLIENT_ID: &str = "mdb_sa_id_CLIENT-ID";
/// Placeholder of the recorded server's host (and port).
pub(crate) const HOST: &str = "atlas-host.invalid";

/// Whether a response header is written to a cassette (`name` in any case).
///
/// An allow-list, so a header nobody thought of (`Set-Cookie`, `X-Envoy-*`, `X-Java-*`, `Date`)
/// is dropped: kept are `Deprecation`, `Sunset`, `RateLimit-*`, `Retry-After`, `X-Error-Code`,
/// `WWW-Authenticate`, `Location` and `Content-Type` (the core reads the last to tell JSON
/// from a proxy's HTML page).
pub fn kept_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "deprecation" | "sunset" | "retry-after" | "x-error-code" | "www-authenticate" | "location" | "content-type"
    ) || name.starts_with("ratelimit-")
}

/// The real credentials and identifying values of a recording: what is replaced by
/// placeholders, and what must never appear in a saved cassette.
///
/// The `Debug` form names the kinds of values held, never a value.
#[derive(Clone, Default)]
pub struct Secrets {
    /// (label, value): never written, even in base64.
    pub(crate) secrets: Vec<(&'static str, String)>,
    /// (value, placeholder), applied to every string of the cassette.
    pub(crate) replacements: Vec<(String, String)>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let labels: Vec<&str> = self.secrets.iter().map(|(l, _)| *l).collect();
        f.debug_struct("Secrets")
            .field("guarded", &labels)
            .field("placeholders", &self.replacements.iter().map(|(_, p)| p).collect::<Vec<_>>())
            .finish()
    }
}

impl Secrets {
    /// What `credentials` make secret ([`Secrets::api_key`], [`Secrets::service_account`], a
    /// hand-given bearer token guarded; none for no credentials).
    pub fn of(credentials: &Credentials) -> Secrets {
        match credentials {
            Credentials::ApiKey { public_key, private_key } => Secrets::api_key(public_key, private_key.expose()),
            Credentials::ServiceAccount { client_id, client_secret } => {
                Secrets::service_account(client_id, client_secret.expose())
            }
            Credentials::BearerToken(token) => Secrets::default().secret("a bearer token", token.expose()),
            _ => Secrets::default(),
        }
    }

    /// An API key: the public key becomes `PUBLIC-KEY`; the private key is guarded.
    pub fn api_key(public_key: &str, private_key: &str) -> Secrets {
        Secrets::default()
            .secret("private key", private_key)
            .replace(public_key, PUBLIC_KEY)
            .secret("public key", public_key)
    }

    /// A service account: the client id becomes a placeholder; the secret, and the Basic
    /// credentials built from both exactly as the core sends them
    /// ([`basic_credentials`](atlas_admin_core::oauth::basic_credentials)), are guarded.
    pub fn service_account(client_id: &str, client_secret: &str) -> Secrets {
        let basic = basic_credentials(client_id, client_secret);
        Secrets::default()
            .secret("client secret", client_secret)
            .secret("Basic credentials", &basic)
            .replace(client_id, CLIENT_ID)
    }

    /// Replaces the server's host (`127.0.0.1:41234` or `cloud.mongodb.com`) everywhere (links
    /// in bodies included) with `atlas-host.invalid`.
    pub fn host(self, host: &str) -> Secrets {
        self.replace(host, HOST)
    }

    /// Replaces `value` everywhere (paths, queries, header values, body strings and keys) with
    /// `placeholder`: ids, e-mails, names.
    ///
    /// Its form-urlencoded form (`a%40b.c` in a form body) is replaced by the placeholder's.
    /// Values that are also guarded (the public key, tokens) are replaced before the others, so
    /// a shorter value of yours cannot cut a guarded one into pieces the guard no longer sees.
    pub fn replace(mut self, value: &str, placeholder: &str) -> Secrets {
        if !value.is_empty() {
            self.replacements.push((value.to_owned(), placeholder.to_owned()));
            let (encoded, encoded_placeholder) = (form_encoded(value), form_encoded(placeholder));
            if encoded != value {
                self.replacements.push((encoded, encoded_placeholder));
            }
            self.sort();
        }
        self
    }

    /// Guarded values (and their encoded forms) first, then longest first (so a value
    /// containing another is replaced whole).
    fn sort(&mut self) {
        let guarded: HashSet<String> = self.secrets.iter().flat_map(|(_, v)| [v.clone(), form_encoded(v)]).collect();
        self.replacements.sort_by_key(|(v, _)| (!guarded.contains(v), std::cmp::Reverse(v.len())));
    }

    /// Guards `value`: a cassette containing it (as is, JSON-escaped, form-urlencoded, or in
    /// base64 at any offset) is never saved.
    pub fn secret(mut self, label: &'static str, value: &str) -> Secrets {
        if !value.is_empty() && !self.secrets.iter().any(|(_, v)| v == value) {
            self.secrets.push((label, value.to_owned()));
            self.sort();
        }
        self
    }

    /// Whether `value` is replaced by a placeholder (then the guard looks for it only after
    /// scrubbing; a guarded value nothing replaces is looked for before scrubbing too).
    pub(crate) fn is_replaced(&self, value: &str) -> bool {
        self.replacements.iter().any(|(v, _)| v == value)
    }

    /// The replacements undone: each placeholder back to its value (a player answering code
    /// that uses the real values).
    pub(crate) fn unscrub_str(&self, s: &str) -> String {
        let mut out = s.to_owned();
        // Longest placeholder first; one value per placeholder, the plain one (a value and its
        // form-urlencoded twin may share a placeholder); an empty placeholder deleted its value
        // for good: nothing to put back.
        let mut by_placeholder: Vec<&(String, String)> =
            self.replacements.iter().filter(|(_, p)| !p.is_empty()).collect();
        by_placeholder.sort_by_key(|(v, p)| (std::cmp::Reverse(p.len()), p.clone(), v.len()));
        by_placeholder.dedup_by(|later, kept| later.1 == kept.1);
        for (value, placeholder) in by_placeholder {
            if out.contains(placeholder.as_str()) {
                out = out.replace(placeholder.as_str(), value);
            }
        }
        out
    }

    /// A replayed response with the replacements undone in its header values and body.
    pub(crate) fn unscrub_response(&self, response: http::Response<Vec<u8>>) -> http::Response<Vec<u8>> {
        if self.replacements.is_empty() {
            return response;
        }
        let (mut head, bytes) = response.into_parts();
        for value in head.headers.values_mut() {
            if let Some(v) = value.to_str().ok().map(|v| self.unscrub_str(v)) {
                if let Ok(v) = http::HeaderValue::from_str(&v) {
                    *value = v;
                }
            }
        }
        let body = match Body::from_bytes(&bytes) {
            // Bytes that are not UTF-8 are handed on as recorded, not replaced lossily.
            Body::Empty | Body::Text(_) if std::str::from_utf8(&bytes).is_err() || bytes.is_empty() => {
                return http::Response::from_parts(head, bytes);
            }
            Body::Empty => return http::Response::from_parts(head, bytes),
            Body::Json(v) => Body::Json(map_strings(&v, &|s| self.unscrub_str(s))),
            Body::Text(t) => Body::Text(self.unscrub_str(&t)),
        };
        http::Response::from_parts(head, body.to_bytes())
    }

    /// The replacements applied to a body.
    pub(crate) fn scrub_body(&self, body: &Body) -> Body {
        match body {
            Body::Empty => Body::Empty,
            Body::Json(v) => Body::Json(self.scrub_json(v)),
            Body::Text(t) => Body::Text(self.scrub_str(t)),
        }
    }

    /// The replacements applied to a body, the values of secret fields kept.
    pub(crate) fn scrub_body_by_value(&self, body: &Body) -> Body {
        match body {
            Body::Json(v) => Body::Json(map_strings(v, &|s| self.scrub_str(s))),
            other => self.scrub_body(other),
        }
    }

    /// The replacements applied to a request's path, query and body (the API version is kept).
    pub(crate) fn scrub_request(&self, r: &RecordedRequest) -> RecordedRequest {
        let mut query: Vec<(String, String)> =
            r.query.iter().map(|(k, v)| (self.scrub_str(k), self.scrub_str(v))).collect();
        query.sort();
        RecordedRequest {
            method: r.method.clone(),
            path: self.scrub_str(&r.path),
            query,
            api_version: r.api_version.clone(),
            body: self.scrub_body(&r.body),
        }
    }

    /// Applies the replacements to one string.
    pub(crate) fn scrub_str(&self, s: &str) -> String {
        let mut out = s.to_owned();
        for (value, placeholder) in &self.replacements {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), placeholder);
            }
        }
        out
    }

    /// Applies the replacements to every string and key of a JSON value, then replaces the
    /// value of every secret field ([`SECRET_FIELDS`]) at any depth with [`REDACTED`].
    pub(crate) fn scrub_json(&self, v: &Value) -> Value {
        redact_secret_fields(&map_strings(v, &|s| self.scrub_str(s)))
    }

    /// The guard of these secrets: every form of each computed once.
    #[cfg(test)]
    pub(crate) fn guard(&self) -> Guard {
        Guard::new(self.secrets.iter().map(|(l, v)| (*l, v.as_str())), HashSet::new())
    }
}

/// What a secret field's value becomes in a cassette.
pub const REDACTED: &str = "REDACTED";

/// JSON keys (compared without regard to case) whose string or number values are secrets,
/// in request and response bodies alike: the values are replaced with [`REDACTED`] (the
/// player scrubs a live request the same way before matching it, so a replay matches
/// whatever secret it sends; a replayed response holds the placeholder). The one list of
/// `atlas_admin_core`, which the generated models hide from `Debug` too.
///
/// Besides what that list leaves out, the OAuth token response's `access_token`,
/// `refresh_token` and `id_token` are numbered `TOKEN-n` by value (the recorder), so the
/// revoke request that sends one back still matches.
pub use atlas_admin_core::SECRET_FIELDS;

/// `v` with the string and number values of its secret fields, at any depth, replaced with
/// [`REDACTED`].
fn redact_secret_fields(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(a.iter().map(redact_secret_fields).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let secret = is_secret_field(k) && matches!(x, Value::String(_) | Value::Number(_));
                    (k.clone(), if secret { Value::String(REDACTED.to_owned()) } else { redact_secret_fields(x) })
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `f` applied to every string and key of a JSON value.
fn map_strings(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(f(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (f(k), map_strings(x, f))).collect()),
        other => other.clone(),
    }
}

/// `value` as `application/x-www-form-urlencoded` writes it (the core's token and revoke bodies).
fn form_encoded(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The shortest base64 run worth looking for: shorter ones match by chance.
const MIN_BASE64_RUN: usize = 6;

/// The forms of a secret a cassette's JSON text could hold it in: as is, JSON-escaped,
/// form-urlencoded, and in standard or URL-safe base64 (padded or not) at each of the three
/// byte offsets it can start at inside a longer base64 run, trimmed to the characters that
/// depend on the secret alone.
fn forms(value: &str) -> Vec<String> {
    let mut forms = vec![value.to_owned()];
    let escaped = serde_json::to_string(value).unwrap_or_default();
    forms.push(escaped.get(1..escaped.len().saturating_sub(1)).unwrap_or_default().to_owned());
    forms.push(form_encoded(value));
    for plain in [value.to_owned(), form_encoded(value)] {
        for offset in 0..3usize {
            let mut bytes = vec![0u8; offset];
            bytes.extend_from_slice(plain.as_bytes());
            // Characters [first, last) hold only the secret's bits (6 bits a character).
            let first = (offset * 8).div_ceil(6);
            let last = bytes.len() * 8 / 6;
            for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                let encoded = engine.encode(&bytes);
                if let Some(stable) = encoded.get(first..last).filter(|s| s.len() >= MIN_BASE64_RUN) {
                    forms.push(stable.to_owned());
                }
            }
        }
    }
    forms.sort();
    forms.dedup();
    forms.retain(|f| !f.is_empty());
    forms
}

/// Looks for guarded values in a cassette's text: each secret's forms, computed once, and
/// Digest `response=` values by lookup (a hex run of their length is looked up in a set, so
/// thousands of them cost one pass over the text, not one search each).
pub(crate) struct Guard {
    forms: Vec<(&'static str, Vec<String>)>,
    digests: HashSet<String>,
    digest_lengths: Vec<usize>,
}

impl Guard {
    /// A guard of `secrets` (label, value) and of the lowercase hex `digests`.
    pub(crate) fn new<'a>(
        secrets: impl IntoIterator<Item = (&'static str, &'a str)>,
        digests: HashSet<String>,
    ) -> Guard {
        let forms = secrets.into_iter().map(|(label, value)| (label, forms(value))).collect();
        let mut digest_lengths: Vec<usize> = digests.iter().map(String::len).collect();
        digest_lengths.sort_unstable();
        digest_lengths.dedup();
        Guard { forms, digests, digest_lengths }
    }

    /// The label of the first guarded value found in `text`.
    pub(crate) fn find_in(&self, text: &str) -> Option<&'static str> {
        if let Some(label) = self
            .forms
            .iter()
            .find_map(|(label, forms)| forms.iter().any(|f| text.contains(f.as_str())).then_some(*label))
        {
            return Some(label);
        }
        self.find_digest(text).then_some("a Digest response=")
    }

    /// Whether a run of hex digits in `text` holds a recorded Digest `response=`.
    fn find_digest(&self, text: &str) -> bool {
        if self.digests.is_empty() {
            return false;
        }
        let lower = text.to_ascii_lowercase();
        lower.split(|c: char| !c.is_ascii_hexdigit()).any(|run| {
            self.digest_lengths.iter().any(|&n| {
                run.len() >= n
                    && (0..=run.len() - n).any(|i| run.get(i..i + n).is_some_and(|w| self.digests.contains(w)))
            })
        })
    }
}

/// The `response=` value of a Digest `Authorization` header.
pub(crate) fn digest_response(authorization: &str) -> Option<&str> {
    let rest = authorization.strip_prefix("Digest ")?;
    rest.split(',').find_map(|part| part.trim().strip_prefix("response=")).map(|v| v.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::{STANDARD, URL_SAFE};

    #[test]
    fn base64_inside_a_longer_run_is_found_at_every_offset() {
        let guard = Secrets::default().secret("k", "k>>?~secret").guard();
        for prefix in ["", "x", "xy", "xyz"] {
            for engine in [&STANDARD, &URL_SAFE, &STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                let text = engine.encode(format!("{prefix}k>>?~secret-and-more"));
                assert_eq!(guard.find_in(&text), Some("k"), "{prefix:?} {text}");
            }
        }
    }

    #[test]
    fn the_basic_credentials_guarded_are_the_ones_the_core_sends() {
        let s = Secrets::service_account("mdb_sa_id_x", "a+b/c=d");
        let basic = basic_credentials("mdb_sa_id_x", "a+b/c=d");
        assert!(s.secrets.iter().any(|(label, v)| *label == "Basic credentials" && *v == basic));
        assert_ne!(basic, STANDARD.encode("mdb_sa_id_x:a+b/c=d"), "URL-special characters are encoded first");
    }

    #[test]
    fn a_replayed_answer_gets_the_real_values_back_and_binary_stays_as_recorded() {
        let s = Secrets::default().replace("5f8d0a1b2c3d4e5f6a7b8c9d", "GROUP-ID");
        let response =
            |body: &[u8]| http::Response::builder().header("location", "/groups/GROUP-ID").body(body.to_vec());
        let json = s.unscrub_response(response(br#"{"groupId":"GROUP-ID"}"#).unwrap_or_default());
        assert_eq!(json.body().as_slice(), br#"{"groupId":"5f8d0a1b2c3d4e5f6a7b8c9d"}"#.as_slice());
        assert_eq!(json.headers()["location"], "/groups/5f8d0a1b2c3d4e5f6a7b8c9d");
        let binary = s.unscrub_response(response(b"\xffGROUP-ID").unwrap_or_default());
        assert_eq!(binary.body().as_slice(), b"\xffGROUP-ID".as_slice());
    }

    #[test]
    fn digest_responses_are_found_in_hex_runs() {
        let d = "0123456789abcdef0123456789abcdef".to_owned();
        let guard = Guard::new([], HashSet::from([d.clone()]));
        assert_eq!(guard.find_in(&format!("x{}y", d.to_uppercase())), Some("a Digest response="));
        assert_eq!(guard.find_in(&format!("ff{d}00")), Some("a Digest response="));
        assert_eq!(guard.find_in("0123456789abcdef0123456789abcdee"), None);
    }

    #[test]
    fn secret_fields_are_redacted_at_any_depth_and_objects_under_their_names_searched() {
        let s = Secrets::default();
        let body = serde_json::json!({
            "username": "ada",
            "PASSWORD": "hunter2",
            "ldap": {"bindPassword": "b1nd", "port": 636},
            "apiKey": {"desc": "k", "privateKey": "pk-1", "publicKey": "pub"},
            "notifications": [{"apiKey": "dd-key", "serviceKey": 12345}],
            "secrets": [{"secret": "mdb_sa_sk_1", "id": "s1"}],
            "token": "cost-explorer-query",
            "access_token": "TOKEN-1",
            "password2": null
        });
        let scrubbed = s.scrub_json(&body);
        let text = scrubbed.to_string();
        for secret in ["hunter2", "b1nd", "pk-1", "dd-key", "12345", "mdb_sa_sk_1"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(scrubbed["PASSWORD"], REDACTED);
        assert_eq!(scrubbed["apiKey"]["privateKey"], REDACTED);
        for (kept, value) in [("/username", "ada"), ("/apiKey/publicKey", "pub"), ("/secrets/0/id", "s1")] {
            assert_eq!(scrubbed.pointer(kept), Some(&Value::from(value)), "{kept}");
        }
        assert_eq!(scrubbed["ldap"]["port"], 636);
        assert_eq!(scrubbed["token"], "cost-explorer-query");
        assert_eq!(scrubbed["access_token"], "TOKEN-1");
    }

    #[test]
    fn headers_are_kept_by_allow_list_in_any_case() {
        for kept in ["Retry-After", "WWW-AUTHENTICATE", "ratelimit-remaining", "Deprecation", "X-Error-Code"] {
            assert!(kept_header(kept), "{kept}");
        }
        for dropped in ["Date", "X-Envoy-Upstream-Service-Time", "x-java-version", "Set-Cookie", "Authorization"] {
            assert!(!kept_header(dropped), "{dropped}");
        }
    }

    #[test]
    fn unscrubbing_puts_back_the_plain_value_and_leaves_deleted_ones_out() {
        let s = Secrets::default().replace("ada@example.com", "EMAIL");
        assert_eq!(s.unscrub_str(r#"{"username":"EMAIL"}"#), r#"{"username":"ada@example.com"}"#);
        let s = Secrets::default().host("127.0.0.1:41234");
        assert_eq!(s.unscrub_str("http://atlas-host.invalid/api"), "http://127.0.0.1:41234/api");
        let s = Secrets::default().replace("ada@example.com", "");
        assert_eq!(s.scrub_str("by ada@example.com"), "by ");
        assert_eq!(s.unscrub_str("ok"), "ok");
    }

    #[test]
    fn secrets_are_found_also_in_base64_and_never_debugged() {
        let s = Secrets::api_key("pubkey1", "very-private-0001");
        let guard = s.guard();
        assert_eq!(guard.find_in("x very-private-0001 y"), Some("private key"));
        assert_eq!(guard.find_in(&STANDARD.encode("very-private-0001")), Some("private key"));
        assert_eq!(guard.find_in("nothing here"), None);
        assert!(!format!("{s:?}").contains("very-private"));
        assert_eq!(s.scrub_str("by pubkey1"), "by PUBLIC-KEY");
        assert_eq!(digest_response("Digest username=\"u\", response=\"abc123\", nc=1"), Some("abc123"));
    }
}
