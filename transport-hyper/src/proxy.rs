//! HTTPS through an HTTP proxy: a `CONNECT` tunnel, chosen per destination.
//!
//! Only `https` destinations are proxied (Atlas is `https`); TLS runs end to end through the
//! tunnel, so the proxy sees the host name and nothing else. Plain `http` destinations, which
//! only make sense for loopback test servers, always connect directly. The proxy itself is
//! reached over plain `http://` (optionally with `user:password@`, sent as
//! `Proxy-Authorization: Basic`); TLS to the proxy and SOCKS are not supported.

use atlas_admin_core::transport::{BuildError, ProxySetting};
use http::Uri;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
#[cfg(feature = "tokio")]
pub(crate) use tunnel::ProxyConnector;

/// The matcher deciding which destinations go through which proxy (`None`: direct). From the
/// environment: `HTTPS_PROXY` / `https_proxy`, else `ALL_PROXY` / `all_proxy`, minus `NO_PROXY`.
pub(crate) fn matcher(setting: &ProxySetting) -> Result<Option<Matcher>, BuildError> {
    match setting {
        ProxySetting::Direct => Ok(None),
        ProxySetting::FromEnv => Ok(env_has_proxy().then(Matcher::from_env)),
        ProxySetting::Url(url) => {
            check_url(url.expose())?;
            Ok(Some(Matcher::builder().https(url.expose()).build()))
        }
    }
}

/// Whether the environment names a proxy for `https` destinations.
fn env_has_proxy() -> bool {
    ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

/// An `http://[user:password@]host[:port]` URL; errors never echo it.
fn check_url(url: &str) -> Result<(), BuildError> {
    let uri: Uri = url.trim().parse().map_err(|_| BuildError::InvalidProxy("not a URL".to_owned()))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some(other) => {
            return Err(BuildError::InvalidProxy(format!("scheme {other}:// is not supported; use an http:// proxy")));
        }
        None => return Err(BuildError::InvalidProxy("must start with http://".to_owned())),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(BuildError::InvalidProxy("has no host".to_owned()));
    }
    Ok(())
}

/// The proxy `dst` goes through: `None` (direct) for plain `http` and for what `matcher`
/// does not intercept.
pub(crate) fn route(matcher: Option<&Matcher>, dst: &Uri) -> Option<Intercept> {
    if dst.scheme_str() != Some("https") {
        return None;
    }
    matcher?.intercept(dst)
}

/// Refuses a proxy this crate cannot tunnel through (anything but `http://`), naming its scheme.
pub(crate) fn check_scheme(intercept: &Intercept) -> Result<(), String> {
    match intercept.uri().scheme_str() {
        Some("http") => Ok(()),
        other => Err(format!("proxy scheme {}:// is not supported; use an http:// proxy", other.unwrap_or("none"))),
    }
}

/// The `CONNECT` tunnel as a hyper-util connector, on Tokio.
#[cfg(feature = "tokio")]
mod tunnel {
    use super::{check_scheme, route};
    use http::Uri;
    use hyper::rt::{Read, Write};
    use hyper_util::client::legacy::connect::proxy::Tunnel;
    use hyper_util::client::proxy::matcher::Matcher;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};
    use tower_service::Service;

    type BoxError = Box<dyn std::error::Error + Send + Sync>;

    /// A connector that tunnels `https` destinations through the proxy the matcher picks and
    /// connects everything else directly, with `direct` in both cases.
    #[derive(Clone)]
    pub(crate) struct ProxyConnector<C> {
        direct: C,
        matcher: Option<Arc<Matcher>>,
    }

    impl<C> ProxyConnector<C> {
        pub(crate) fn new(direct: C, matcher: Option<Arc<Matcher>>) -> Self {
            ProxyConnector { direct, matcher }
        }
    }

    impl<C> Service<Uri> for ProxyConnector<C>
    where
        C: Service<Uri> + Clone + Send + 'static,
        C::Response: Read + Write + Unpin + Send + 'static,
        C::Error: Into<BoxError>,
        C::Future: Send + 'static,
    {
        type Response = C::Response;
        type Error = BoxError;
        type Future = Pin<Box<dyn Future<Output = Result<C::Response, BoxError>> + Send>>;

        fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
            self.direct.poll_ready(cx).map_err(Into::into)
        }

        fn call(&mut self, dst: Uri) -> Self::Future {
            let Some(intercept) = route(self.matcher.as_deref(), &dst) else {
                let connecting = self.direct.call(dst);
                return Box::pin(async move { connecting.await.map_err(Into::into) });
            };
            if let Err(refused) = check_scheme(&intercept) {
                return Box::pin(async move { Err(refused.into()) });
            }
            let mut tunnel = Tunnel::new(intercept.uri().clone(), self.direct.clone());
            if let Some(auth) = intercept.basic_auth() {
                tunnel = tunnel.with_auth(auth.clone());
            }
            Box::pin(async move {
                std::future::poll_fn(|cx| tunnel.poll_ready(cx)).await?;
                Ok(tunnel.call(dst).await?)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_are_checked_without_echo() {
        assert!(check_url("http://proxy.example.com:3128").is_ok());
        assert!(check_url("http://user:pass@proxy:3128").is_ok());
        for bad in ["", "proxy:3128", "socks5://user:secret-pw@p:1", "https://user:secret-pw@p:1", "http://"] {
            let err = check_url(bad).unwrap_err();
            assert!(matches!(err, BuildError::InvalidProxy(_)), "{bad}");
            assert!(!format!("{err} {err:?}").contains("secret-pw"), "{err}");
        }
    }

    #[test]
    fn only_https_destinations_are_tunnelled() {
        let url = atlas_admin_core::Secret::new("http://u:p@proxy.example.com:3128");
        let matcher = matcher(&ProxySetting::Url(url)).unwrap();
        let https: Uri = "https://cloud.mongodb.com/api".parse().unwrap();
        let http: Uri = "http://127.0.0.1:8080/api".parse().unwrap();
        let intercept = route(matcher.as_ref(), &https).unwrap();
        assert_eq!(intercept.uri().host(), Some("proxy.example.com"));
        assert!(intercept.basic_auth().is_some());
        assert!(check_scheme(&intercept).is_ok());
        assert!(route(matcher.as_ref(), &http).is_none());
        assert!(route(None, &https).is_none());
    }
}
