//! Settings from environment variables, with the names the Atlas CLI and SDKs use.
//!
//! [`read`] takes a lookup function (a map, in tests); `ClientBuilder::from_env` passes one over
//! the process environment, the only place the core reads it.

use crate::credentials::Credentials;
use crate::error::InvalidInput;

/// API key public key (the Digest username).
pub const PUBLIC_API_KEY: &str = "MONGODB_ATLAS_PUBLIC_API_KEY";
/// API key private key (the Digest password).
pub const PRIVATE_API_KEY: &str = "MONGODB_ATLAS_PRIVATE_API_KEY";
/// Service account client id.
pub const CLIENT_ID: &str = "MONGODB_ATLAS_CLIENT_ID";
/// Service account client secret.
pub const CLIENT_SECRET: &str = "MONGODB_ATLAS_CLIENT_SECRET";
/// Base URL; default `https://cloud.mongodb.com`.
pub const BASE_URL: &str = "MONGODB_ATLAS_BASE_URL";

/// The longest value [`read`] accepts for any of these variables: 4 KiB, far above a key,
/// secret or base URL. A longer one is [`EnvError::TooLong`] (not kept, not shown).
pub const MAX_VALUE_BYTES: usize = 4 << 10;

/// What the environment says.
#[derive(Debug)]
#[non_exhaustive]
pub struct EnvSettings {
    /// `MONGODB_ATLAS_BASE_URL`, if set.
    pub base_url: Option<String>,
    /// The credentials (an API key pair wins over a service account, as in the Atlas CLI).
    pub credentials: Credentials,
}

/// Why the environment gives no usable settings. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvError {
    /// A credential was set but refused (e.g. a private key with spaces; the value is not shown).
    #[error(transparent)]
    InvalidInput(#[from] InvalidInput),
    /// One variable of a credential pair is set and its partner is not.
    #[error("{missing} is not set but {set} is: set both or neither")]
    IncompletePair {
        /// The variable that is set.
        set: &'static str,
        /// The variable that is missing (or empty).
        missing: &'static str,
    },
    /// Neither credential pair is set.
    #[error(
        "no Atlas credentials in the environment: set MONGODB_ATLAS_PUBLIC_API_KEY and \
         MONGODB_ATLAS_PRIVATE_API_KEY, or MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET"
    )]
    NoCredentials,
    /// A variable is not valid Unicode.
    #[error("{var} is not valid Unicode")]
    NotUnicode {
        /// The variable.
        var: &'static str,
    },
    /// A variable's value is longer than [`MAX_VALUE_BYTES`] (the value is not shown).
    #[error("{var} is longer than the cap of {max} bytes")]
    TooLong {
        /// The variable.
        var: &'static str,
        /// The cap, [`MAX_VALUE_BYTES`].
        max: usize,
    },
}

/// Reads the settings through `lookup`; an empty value counts as unset, a value longer than
/// [`MAX_VALUE_BYTES`] is [`EnvError::TooLong`].
///
/// With both pairs complete, the API key is used (the Atlas CLI's precedence): so the exports
/// `fake-atlas` prints work as they are. A half-set pair is always an error.
///
/// ```
/// use atlas_admin_core::{Credentials, env};
/// let vars = [(env::PUBLIC_API_KEY, "pub"), (env::PRIVATE_API_KEY, "priv")];
/// let s = env::read(|name| Ok(vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))).unwrap();
/// assert!(matches!(s.credentials, Credentials::ApiKey { .. }));
/// let half = env::read(|name| Ok((name == env::CLIENT_ID).then(|| "id".to_owned())));
/// assert!(matches!(half, Err(env::EnvError::IncompletePair { set: env::CLIENT_ID, .. })));
/// ```
pub fn read(mut lookup: impl FnMut(&'static str) -> Result<Option<String>, EnvError>) -> Result<EnvSettings, EnvError> {
    let mut get = |var| match lookup(var)?.filter(|s| !s.is_empty()) {
        Some(value) if value.len() > MAX_VALUE_BYTES => Err(EnvError::TooLong { var, max: MAX_VALUE_BYTES }),
        value => Ok(value),
    };
    let api_key = pair(get(PUBLIC_API_KEY)?, get(PRIVATE_API_KEY)?, PUBLIC_API_KEY, PRIVATE_API_KEY)?;
    let service = pair(get(CLIENT_ID)?, get(CLIENT_SECRET)?, CLIENT_ID, CLIENT_SECRET)?;
    let credentials = match (api_key, service) {
        (Some((public, private)), _) => Credentials::api_key(public, private)?,
        (None, Some((id, secret))) => Credentials::service_account(id, secret)?,
        (None, None) => return Err(EnvError::NoCredentials),
    };
    Ok(EnvSettings { base_url: get(BASE_URL)?, credentials })
}

/// Both or neither of a pair.
fn pair(
    first: Option<String>,
    second: Option<String>,
    first_name: &'static str,
    second_name: &'static str,
) -> Result<Option<(String, String)>, EnvError> {
    match (first, second) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(EnvError::IncompletePair { set: first_name, missing: second_name }),
        (None, Some(_)) => Err(EnvError::IncompletePair { set: second_name, missing: first_name }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&'static str, &str)]) -> Result<EnvSettings, EnvError> {
        read(|name| Ok(vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())))
    }

    /// Issue 14: every variable has a cap; past it a typed error naming the variable (never
    /// the value), whichever variable it is.
    #[test]
    fn a_value_over_the_cap_is_refused_naming_the_variable() {
        let long = "k".repeat(MAX_VALUE_BYTES + 1);
        let fits = "k".repeat(MAX_VALUE_BYTES);
        for var in [PUBLIC_API_KEY, PRIVATE_API_KEY, CLIENT_ID, CLIENT_SECRET, BASE_URL] {
            let mut vars =
                vec![(PUBLIC_API_KEY, "pub"), (PRIVATE_API_KEY, "priv"), (CLIENT_ID, "id"), (CLIENT_SECRET, "s")];
            vars.retain(|(n, _)| *n != var);
            vars.push((var, &long));
            let err = env(&vars).unwrap_err();
            assert!(matches!(err, EnvError::TooLong { var: v, max: MAX_VALUE_BYTES } if v == var), "{var}: {err:?}");
            let shown = err.to_string();
            assert!(shown.contains(var) && shown.contains(&MAX_VALUE_BYTES.to_string()) && !shown.contains(&long));
        }
        assert!(env(&[(PUBLIC_API_KEY, "pub"), (PRIVATE_API_KEY, &fits)]).is_ok());
    }

    #[test]
    fn pairs_and_precedence() {
        let s = env(&[(PUBLIC_API_KEY, "pub"), (PRIVATE_API_KEY, "priv")]).unwrap();
        assert!(matches!(s.credentials, Credentials::ApiKey { .. }));
        assert_eq!(s.base_url, None);
        let s = env(&[(CLIENT_ID, "id"), (CLIENT_SECRET, "secret"), (BASE_URL, "http://127.0.0.1:1")]).unwrap();
        assert!(matches!(s.credentials, Credentials::ServiceAccount { .. }));
        assert_eq!(s.base_url.as_deref(), Some("http://127.0.0.1:1"));
        assert!(matches!(
            env(&[(CLIENT_SECRET, "secret")]),
            Err(EnvError::IncompletePair { set: CLIENT_SECRET, missing: CLIENT_ID })
        ));
        assert!(matches!(
            env(&[(PUBLIC_API_KEY, "pub"), (PRIVATE_API_KEY, "")]),
            Err(EnvError::IncompletePair { set: PUBLIC_API_KEY, missing: PRIVATE_API_KEY })
        ));
        assert!(matches!(env(&[]), Err(EnvError::NoCredentials)));
        let all = [(PUBLIC_API_KEY, "p"), (PRIVATE_API_KEY, "q"), (CLIENT_ID, "i"), (CLIENT_SECRET, "s")];
        assert!(matches!(env(&all).unwrap().credentials, Credentials::ApiKey { .. }), "API key wins");
        let half = [(PUBLIC_API_KEY, "p"), (PRIVATE_API_KEY, "q"), (CLIENT_ID, "i")];
        assert!(matches!(env(&half), Err(EnvError::IncompletePair { set: CLIENT_ID, .. })));
    }

    #[test]
    fn bad_private_key_is_not_echoed() {
        let err = env(&[(PUBLIC_API_KEY, "pub"), (PRIVATE_API_KEY, "has space-secret")]).unwrap_err();
        assert!(matches!(&err, EnvError::InvalidInput(e) if e.field() == "private_key"));
        assert!(!format!("{err} {err:?}").contains("space-secret"));
    }
}
