//! How a session proves who it is: API key pair (Digest), service account (OAuth), or a
//! ready bearer token.

use crate::error::InvalidInput;
use crate::secret::Secret;

/// Credentials of a session. `Debug` never shows a secret.
///
/// ```
/// use atlas_admin_core::Credentials;
/// let c = Credentials::api_key("pubkey", "private-uuid").unwrap();
/// assert!(!format!("{c:?}").contains("private-uuid"));
/// assert!(Credentials::api_key("", "x").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// No credentials: requests go out unsigned (a 401 becomes an authentication error).
    None,
    /// A programmatic API key: public key (Digest username) and private key (password).
    ApiKey {
        /// Public key.
        public_key: String,
        /// Private key.
        private_key: Secret,
    },
    /// A service account: OAuth 2.0 client credentials.
    ServiceAccount {
        /// Client id.
        client_id: String,
        /// Client secret.
        client_secret: Secret,
    },
    /// A bearer token obtained elsewhere (not refreshed).
    BearerToken(Secret),
}

/// Non-empty visible ASCII without spaces: what can go into a header as-is.
fn check_sendable(field: &str, value: &str, echo: bool) -> Result<(), InvalidInput> {
    if !value.is_empty() && value.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Ok(());
    }
    let why = "must be non-empty printable ASCII without spaces";
    Err(if echo { InvalidInput::with_value(field, why, value) } else { InvalidInput::new(field, why) })
}

impl Credentials {
    /// An API key pair.
    pub fn api_key(public_key: impl Into<String>, private_key: impl Into<Secret>) -> Result<Self, InvalidInput> {
        let public_key = public_key.into();
        let private_key = private_key.into();
        check_sendable("public_key", &public_key, true)?;
        check_sendable("private_key", private_key.expose(), false)?;
        Ok(Credentials::ApiKey { public_key, private_key })
    }

    /// A service account's client id and secret.
    pub fn service_account(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Result<Self, InvalidInput> {
        let client_id = client_id.into();
        let client_secret = client_secret.into();
        check_sendable("client_id", &client_id, true)?;
        check_sendable("client_secret", client_secret.expose(), false)?;
        Ok(Credentials::ServiceAccount { client_id, client_secret })
    }

    /// A ready bearer token.
    pub fn bearer_token(token: impl Into<Secret>) -> Result<Self, InvalidInput> {
        let token = token.into();
        check_sendable("token", token.expose(), false)?;
        Ok(Credentials::BearerToken(token))
    }

    /// Which kind of credential this is, for display (never the credential itself).
    pub fn kind(&self) -> &'static str {
        match self {
            Credentials::None => "none",
            Credentials::ApiKey { .. } => "API key (Digest)",
            Credentials::ServiceAccount { .. } => "service account (OAuth)",
            Credentials::BearerToken(_) => "bearer token",
        }
    }

    /// Whether any credential is set.
    pub fn is_some(&self) -> bool {
        !matches!(self, Credentials::None)
    }
}
