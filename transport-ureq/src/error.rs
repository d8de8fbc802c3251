//! Why a [`Client`](crate::Client) could not be built.
//!
//! Calls fail with the core's [`Error`](atlas_admin_core::Error); building a client fails with
//! [`BuildError`]. No variant carries a secret: private keys and client secrets are never
//! echoed, only the names of the settings or environment variables.

use atlas_admin_core::InvalidInput;

/// A client could not be built from the given settings or environment.
///
/// ```
/// use atlas_admin_ureq::{BuildError, ClientBuilder, env::EnvError};
/// let env = |name: &str| (name == "MONGODB_ATLAS_PUBLIC_API_KEY").then(|| "abcdefgh".to_owned());
/// let err = ClientBuilder::from_env_lookup(env).unwrap_err();
/// assert!(matches!(
///     err,
///     BuildError::Env(EnvError::IncompletePair {
///         set: "MONGODB_ATLAS_PUBLIC_API_KEY",
///         missing: "MONGODB_ATLAS_PRIVATE_API_KEY"
///     })
/// ));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A setting was refused: base URL, User-Agent, credentials, or credentials over plain
    /// `http` to a host that is not loopback.
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// The environment holds no usable credentials (a half-set pair, none, or non-Unicode).
    #[error(transparent)]
    Env(#[from] atlas_admin_core::env::EnvError),
    /// The custom CA bundle holds no usable certificate.
    #[error("invalid CA certificate bundle: {0}")]
    InvalidCa(String),
    /// The proxy URL could not be used.
    #[error("invalid proxy URL: {0}")]
    InvalidProxy(String),
}
