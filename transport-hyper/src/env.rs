//! Settings from environment variables (the names the Atlas CLI and SDKs use).

use crate::error::BuildError;
use atlas_admin_core::Credentials;

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

/// What the environment says.
#[derive(Debug)]
pub(crate) struct EnvSettings {
    pub(crate) base_url: Option<String>,
    pub(crate) credentials: Credentials,
}

/// Reads the process environment. An empty variable counts as unset.
pub(crate) fn from_process() -> Result<EnvSettings, BuildError> {
    read(|var| match std::env::var(var) {
        Ok(value) => Ok(Some(value)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(BuildError::EnvNotUnicode { var }),
    })
}

/// Reads settings through `lookup`. An empty value counts as unset.
pub(crate) fn read(
    mut lookup: impl FnMut(&'static str) -> Result<Option<String>, BuildError>,
) -> Result<EnvSettings, BuildError> {
    let mut get = |var| lookup(var).map(|v| v.filter(|s| !s.is_empty()));
    let api_key = pair(get(PUBLIC_API_KEY)?, get(PRIVATE_API_KEY)?, PUBLIC_API_KEY, PRIVATE_API_KEY)?;
    let service = pair(get(CLIENT_ID)?, get(CLIENT_SECRET)?, CLIENT_ID, CLIENT_SECRET)?;
    let credentials = match (api_key, service) {
        (Some(_), Some(_)) => return Err(BuildError::AmbiguousEnvCredentials),
        (Some((public, private)), None) => Credentials::api_key(public, private)?,
        (None, Some((id, secret))) => Credentials::service_account(id, secret)?,
        (None, None) => return Err(BuildError::NoEnvCredentials),
    };
    Ok(EnvSettings { base_url: get(BASE_URL)?, credentials })
}

/// Both or neither of a pair.
fn pair(
    first: Option<String>,
    second: Option<String>,
    first_name: &'static str,
    second_name: &'static str,
) -> Result<Option<(String, String)>, BuildError> {
    match (first, second) {
        (Some(a), Some(b)) => Ok(Some((a, b))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(BuildError::IncompleteEnvPair { set: first_name, missing: second_name }),
        (None, Some(_)) => Err(BuildError::IncompleteEnvPair { set: second_name, missing: first_name }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&'static str, &str)]) -> Result<EnvSettings, BuildError> {
        read(|name| Ok(vars.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned())))
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
            Err(BuildError::IncompleteEnvPair { set: CLIENT_SECRET, missing: CLIENT_ID })
        ));
        assert!(matches!(
            env(&[(PUBLIC_API_KEY, "pub"), (PRIVATE_API_KEY, "")]),
            Err(BuildError::IncompleteEnvPair { set: PUBLIC_API_KEY, missing: PRIVATE_API_KEY })
        ));
        assert!(matches!(env(&[]), Err(BuildError::NoEnvCredentials)));
        let all = [(PUBLIC_API_KEY, "p"), (PRIVATE_API_KEY, "q"), (CLIENT_ID, "i"), (CLIENT_SECRET, "s")];
        assert!(matches!(env(&all), Err(BuildError::AmbiguousEnvCredentials)));
    }

    #[test]
    fn bad_private_key_is_not_echoed() {
        let err = env(&[(PUBLIC_API_KEY, "pub"), (PRIVATE_API_KEY, "has space-secret")]).unwrap_err();
        assert!(matches!(&err, BuildError::InvalidInput(e) if e.field() == "private_key"));
        assert!(!format!("{err} {err:?}").contains("space-secret"));
    }
}
