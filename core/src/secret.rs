//! A string that never shows itself in `Debug` or `Display`.

use std::fmt;

/// A credential (private API key, client secret, access token).
///
/// Its `Debug` output is `Secret(***)`, and it has no `Display`, so it cannot leak through
/// logging or error messages by accident. Read it with [`Secret::expose`] where it is needed.
///
/// ```
/// use atlas_admin_core::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "Secret(***)");
/// assert_eq!(s.expose(), "hunter2");
/// let from_env = String::from("from-env");
/// assert_eq!(Secret::from(&from_env).expose(), "from-env");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself. Only call this where the value must be sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl From<&String> for Secret {
    fn from(value: &String) -> Self {
        Secret(value.clone())
    }
}

/// JSON keys (compared without regard to case) whose string or number values are secrets: the
/// one list the generated models (such a string field is a [`Secret`]), their `Debug` of raw
/// JSON (the value masked at any depth) and the cassette scrubber (the value replaced) use.
///
/// Chosen from the spec's property names: `password` (database users, LDAP's
/// `bindPassword`, Kafka's `sslKeyPassword`), `privateKey` (a new API key),
/// `secret` (a new service account secret, an embedding API key, an Azure Key Vault secret),
/// `clientSecret`, `sharedSecret`, `webhookSecret`, `secretAccessKey`, `sslKey`,
/// `serviceAccountKey` (a Google Cloud key as a JSON string), `destinationOrgPrivateApiKey`
/// (a live migration's key), and the third-party integration keys and tokens (`apiKey`,
/// `apiToken`, `serviceKey`, `routingKey`, `licenseKey`, `readToken`, `writeToken`,
/// `hecToken`, `notificationToken`, `victorOpsApiKey`, `victorOpsRoutingKey`,
/// `opsGenieApiKey`, `datadogApiKey`, `linkToken`), and the usual `accessToken` and
/// `refreshToken`.
///
/// Left out on purpose: an object or array under such a key is not a secret itself but is
/// searched (`apiKey` is also an object holding a key's description and its `privateKey`;
/// `secrets` lists a service account's secrets); `token` is the spec's Cost Explorer query
/// id, which a later path holds; `key`, `keys` and `publicKey` name no secret.
pub const SECRET_FIELDS: &[&str] = &[
    "password",
    "bindPassword",
    "sslKeyPassword",
    "privateKey",
    "secret",
    "clientSecret",
    "sharedSecret",
    "webhookSecret",
    "secretAccessKey",
    "sslKey",
    "serviceAccountKey",
    "destinationOrgPrivateApiKey",
    "apiKey",
    "apiToken",
    "serviceKey",
    "routingKey",
    "licenseKey",
    "readToken",
    "writeToken",
    "hecToken",
    "notificationToken",
    "victorOpsApiKey",
    "victorOpsRoutingKey",
    "opsGenieApiKey",
    "datadogApiKey",
    "linkToken",
    "accessToken",
    "refreshToken",
];

/// Whether `key` names a secret field ([`SECRET_FIELDS`], in any case).
///
/// ```
/// assert!(atlas_admin_core::is_secret_field("LicenseKey"));
/// assert!(!atlas_admin_core::is_secret_field("publicKey"));
/// ```
pub fn is_secret_field(key: &str) -> bool {
    SECRET_FIELDS.iter().any(|k| k.eq_ignore_ascii_case(key))
}
