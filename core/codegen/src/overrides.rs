//! `overrides.toml`: what the spec cannot say, keyed by operationId, each entry with its `why`.

use serde::Deserialize;
use std::collections::BTreeMap;

/// One operation's overrides.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Override {
    /// Why the spec alone does not do (required, reviewed).
    pub(crate) why: String,
    /// The summary to use instead of the spec's.
    pub(crate) summary: Option<String>,
    /// Whether repeating the request is safe, instead of the method's default (POST: no).
    pub(crate) idempotent: Option<bool>,
    /// Parameter name -> the oldest API version that honours it.
    #[serde(default)]
    pub(crate) since: BTreeMap<String, String>,
    /// Parameter name -> a kind the spec does not state (only `Id`: 24 lowercase hex).
    #[serde(default)]
    pub(crate) kind: BTreeMap<String, String>,
}

/// Every override, by operationId.
pub(crate) type Overrides = BTreeMap<String, Override>;

/// Parses `overrides.toml`; every entry must say why.
pub(crate) fn parse(text: &str) -> Result<Overrides, String> {
    let all: Overrides = toml::from_str(text).map_err(|e| format!("overrides.toml: {e}"))?;
    if let Some((id, _)) = all.iter().find(|(_, o)| o.why.trim().is_empty()) {
        return Err(format!("overrides.toml: [{id}] has an empty `why`"));
    }
    Ok(all)
}
