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
