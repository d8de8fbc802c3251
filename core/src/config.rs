//! Client configuration: base URL, API version, User-Agent, retry and token policy.

use crate::error::InvalidInput;
use crate::retry::RetryPolicy;
use crate::validate::ApiVersion;
use std::time::Duration;

/// The public Atlas endpoint.
pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";

/// Where and how to call Atlas. Cheap to clone; every setter validates.
///
/// ```
/// use atlas_admin_core::{ApiVersion, Config};
/// let config = Config::default()
///     .with_base_url("http://127.0.0.1:8080/").unwrap()
///     .with_api_version(ApiVersion::new("2024-08-05").unwrap());
/// assert_eq!(config.base_url(), "http://127.0.0.1:8080");
/// assert!(config.is_loopback());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    base_url: String,
    prefix_len: usize,
    loopback: bool,
    https: bool,
    /// Set by the user; otherwise each endpoint's default version is sent.
    api_version: Option<ApiVersion>,
    user_agent: String,
    retry: RetryPolicy,
    token_refresh_margin: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            base_url: DEFAULT_BASE_URL.to_owned(),
            prefix_len: 0,
            loopback: false,
            https: true,
            api_version: None,
            user_agent: default_user_agent(),
            retry: RetryPolicy::default(),
            token_refresh_margin: Duration::from_secs(60),
        }
    }
}

/// `atlas-admin/<version> (<os>; <arch>)`.
pub fn default_user_agent() -> String {
    format!("atlas-admin/{} ({}; {})", env!("CARGO_PKG_VERSION"), std::env::consts::OS, std::env::consts::ARCH)
}

impl Config {
    /// Sets the base URL: `http` or `https`, a host, an optional port, no query or fragment.
    /// A trailing slash is dropped; a path prefix is kept (for proxies that mount Atlas).
    pub fn with_base_url(mut self, url: &str) -> Result<Self, InvalidInput> {
        // A URL with user info may carry a password: then it is not echoed.
        let bad = |why: &str| {
            if url.contains('@') {
                InvalidInput::new("base_url", why)
            } else {
                InvalidInput::with_value("base_url", why, url)
            }
        };
        let trimmed = url.trim();
        // Only visible ASCII: `http` lets some other bytes through, which would not survive a
        // second round through this function unchanged (found by the `base_url` fuzz target).
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(bad("must be visible ASCII (percent-encode anything else)"));
        }
        let uri: http::Uri = trimmed.parse().map_err(|_| bad("is not a URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(bad("must start with http:// or https://")),
        };
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad("must not contain credentials (user:password@)"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(bad("must not have a query or fragment"));
        }
        let host = authority.host().trim_start_matches('[').trim_end_matches(']');
        self.loopback =
            host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
        self.https = https;
        let path = uri.path().trim_end_matches('/');
        self.base_url = format!("{}://{}{}", if https { "https" } else { "http" }, authority, path);
        self.prefix_len = path.len();
        Ok(self)
    }

    /// Sets the API version of every call (`Accept` and body `Content-Type`); by default each
    /// endpoint gets its own ([`Endpoint::default_version`](crate::Endpoint::default_version):
    /// `2023-01-01` for the invitations). A call of an operation that does not list this
    /// version is refused before anything is sent (Atlas would answer 406).
    pub fn with_api_version(mut self, version: ApiVersion) -> Self {
        self.api_version = Some(version);
        self
    }

    /// Sets the User-Agent; it must be visible ASCII.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Result<Self, InvalidInput> {
        let ua = user_agent.into();
        if ua.is_empty() || !ua.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(InvalidInput::with_value("user_agent", "must be non-empty visible ASCII", &ua));
        }
        self.user_agent = ua;
        Ok(self)
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long before expiry an OAuth token is refreshed (default 60 s).
    pub fn with_token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Scheme and authority (`https://cloud.mongodb.com`), without any path prefix.
    pub(crate) fn origin(&self) -> &str {
        let cut = self.base_url.len().saturating_sub(self.prefix_len);
        self.base_url.get(..cut).unwrap_or(&self.base_url)
    }

    /// The base URL's path prefix (usually empty).
    pub(crate) fn path_prefix(&self) -> &str {
        let cut = self.base_url.len().saturating_sub(self.prefix_len);
        self.base_url.get(cut..).unwrap_or("")
    }

    /// Whether the host is loopback (`localhost`, `127.0.0.0/8`, `::1`).
    pub fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The API version set for every call, or `2023-01-01` (the invitations' version) if none
    /// is; see [`Config::api_version_override`].
    pub fn api_version(&self) -> ApiVersion {
        self.api_version.unwrap_or_default()
    }

    /// The API version set with [`Config::with_api_version`], if any.
    pub fn api_version_override(&self) -> Option<ApiVersion> {
        self.api_version
    }

    /// The User-Agent.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The token refresh margin.
    pub fn token_refresh_margin(&self) -> Duration {
        self.token_refresh_margin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        let c = Config::default();
        assert_eq!(c.base_url(), "https://cloud.mongodb.com");
        assert!(c.is_https() && !c.is_loopback());
        for (url, base, loopback) in [
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080", true),
            ("http://localhost:1/", "http://localhost:1", true),
            ("http://[::1]:9000", "http://[::1]:9000", true),
            ("http://127.8.9.10", "http://127.8.9.10", true),
            ("https://proxy.example.com/atlas/", "https://proxy.example.com/atlas", false),
            ("http://10.0.0.1", "http://10.0.0.1", false),
        ] {
            let c = Config::default().with_base_url(url).unwrap();
            assert_eq!(c.base_url(), base);
            assert_eq!(format!("{}{}", c.origin(), c.path_prefix()), base);
            assert_eq!(c.is_loopback(), loopback, "{url}");
        }
        for bad in ["", "cloud.mongodb.com", "ftp://x", "https://", "https://a/?q=1", "https://u:p@host", "http://a b"]
        {
            let e = Config::default().with_base_url(bad).unwrap_err();
            assert_eq!(e.field(), "base_url", "{bad}");
        }
    }

    /// The fuzz target's finding: a control character in the path was kept once and trimmed on
    /// a second pass; anything but visible ASCII is now refused.
    #[test]
    fn base_url_outside_visible_ascii_is_refused() {
        for bad in ["http://h/p\u{85}/", "http://h/caf\u{e9}", "http://h/a\u{1b}[31m", "http://h/\tx"] {
            let e = Config::default().with_base_url(bad).unwrap_err();
            assert_eq!(e.field(), "base_url", "{bad:?}");
        }
    }

    #[test]
    fn user_agent_default_shape_and_validation() {
        let ua = default_user_agent();
        assert!(ua.starts_with(&format!("atlas-admin/{} (", env!("CARGO_PKG_VERSION"))));
        assert!(ua.ends_with(&format!("{}; {})", std::env::consts::OS, std::env::consts::ARCH)));
        assert!(Config::default().with_user_agent("bad\nua").is_err());
    }
}
