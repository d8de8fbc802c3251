//! Why a [`Client`](crate::Client) could not be built.
//!
//! Calls fail with the core's [`Error`](atlas_admin_core::Error); building a client fails with
//! [`BuildError`]. No variant carries a secret: private keys and client secrets are never
//! echoed, only the names of the settings or environment variables.

use atlas_admin_core::InvalidInput;

/// A client could not be built from the given settings or environment.
///
/// ```
/// use atlas_admin_hyper::{BuildError, ClientBuilder};
/// let env = |name: &str| (name == "MONGODB_ATLAS_PUBLIC_API_KEY").then(|| "abcdefgh".to_owned());
/// let err = ClientBuilder::from_env_lookup(env).unwrap_err();
/// assert!(matches!(
///     err,
///     BuildError::IncompleteEnvPair { set: "MONGODB_ATLAS_PUBLIC_API_KEY", missing: "MONGODB_ATLAS_PRIVATE_API_KEY" }
/// ));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting was refused: base URL, User-Agent, credentials, or credentials over plain
    /// `http` to a host that is not loopback.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// One variable of a credential pair is set and its partner is not.
    #[error("{missing} is not set but {set} is: set both or neither")]
    IncompleteEnvPair {
        /// The variable that is set.
        set: &'static str,
        /// The variable that is missing (or empty).
        missing: &'static str,
    },
    /// Both an API key pair and a service account are set in the environment.
    #[error(
        "both an API key (MONGODB_ATLAS_PUBLIC_API_KEY/MONGODB_ATLAS_PRIVATE_API_KEY) and a service account \
         (MONGODB_ATLAS_CLIENT_ID/MONGODB_ATLAS_CLIENT_SECRET) are set: unset one pair"
    )]
    AmbiguousEnvCredentials,
    /// The environment holds no credentials.
    #[error(
        "no Atlas credentials in the environment: set MONGODB_ATLAS_PUBLIC_API_KEY and \
         MONGODB_ATLAS_PRIVATE_API_KEY, or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET"
    )]
    NoEnvCredentials,
    /// An environment variable is not valid Unicode.
    #[error("{var} is not valid Unicode")]
    EnvNotUnicode {
        /// The variable.
        var: &'static str,
    },
    /// The custom CA bundle holds no usable certificate.
    #[error("invalid CA certificate bundle: {0}")]
    InvalidCa(String),
    /// The proxy URL could not be used (the message never echoes it: it may hold a password).
    #[error("invalid proxy URL: {0}")]
    InvalidProxy(String),
    /// The TLS configuration could not be built.
    #[error("cannot configure TLS: {0}")]
    Tls(String),
}
