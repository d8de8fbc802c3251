//! Scrubbing: which response headers a cassette keeps, which values are replaced by stable
//! placeholders, and the secrets whose appearance makes the recorder refuse to save.

use atlas_admin_core::Credentials;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;

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
    /// credentials built from both, are guarded.
    pub fn service_account(client_id: &str, client_secret: &str) -> Secrets {
        let basic = STANDARD.encode(format!("{client_id}:{client_secret}"));
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
    pub fn replace(mut self, value: &str, placeholder: &str) -> Secrets {
        if !value.is_empty() {
            self.replacements.push((value.to_owned(), placeholder.to_owned()));
            // Longest first, so a value containing another is replaced whole.
            self.replacements.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        }
        self
    }

    /// Guards `value`: a cassette containing it (or its base64 form) is never saved.
    pub fn secret(mut self, label: &'static str, value: &str) -> Secrets {
        if !value.is_empty() {
            self.secrets.push((label, value.to_owned()));
        }
        self
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

    /// Applies the replacements to every string and key of a JSON value.
    pub(crate) fn scrub_json(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.scrub_str(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.scrub_json(x)).collect()),
            Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (self.scrub_str(k), self.scrub_json(x))).collect()),
            other => other.clone(),
        }
    }

    /// The label of the first guarded secret found in `text`, as is or base64-encoded.
    pub(crate) fn find_in(&self, text: &str) -> Option<&'static str> {
        self.secrets.iter().find_map(|(label, value)| {
            let forms = [value.clone(), STANDARD.encode(value), URL_SAFE_NO_PAD.encode(value)];
            forms.iter().any(|f| text.contains(f.as_str())).then_some(*label)
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
    fn secrets_are_found_also_in_base64_and_never_debugged() {
        let s = Secrets::api_key("pubkey1", "very-private-0001");
        assert_eq!(s.find_in("x very-private-0001 y"), Some("private key"));
        assert_eq!(s.find_in(&STANDARD.encode("very-private-0001")), Some("private key"));
        assert_eq!(s.find_in("nothing here"), None);
        assert!(!format!("{s:?}").contains("very-private"));
        assert_eq!(s.scrub_str("by pubkey1"), "by PUBLIC-KEY");
        assert_eq!(digest_response("Digest username=\"u\", response=\"abc123\", nc=1"), Some("abc123"));
    }
}
