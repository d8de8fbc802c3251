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

/// A component schema modelled by a hand-written type instead of a generated one
/// (`[schema.<name>]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SchemaOverride {
    /// Why the hand-written type is better (required, reviewed).
    pub(crate) why: String,
    /// The type's path (`crate::models::GroupInvitation`).
    pub(crate) rust: String,
}

/// Every schema override, by component name.
pub(crate) type SchemaOverrides = BTreeMap<String, SchemaOverride>;

/// The `[schema.<name>]` entries of `overrides.toml`; each must say why.
pub(crate) fn parse_schemas(text: &str) -> Result<SchemaOverrides, String> {
    parse_section(text, "schema", |o: &SchemaOverride| &o.why)
}

/// A union whose members the spec tells apart only in words (`[union.<name>]`): for a member,
/// property -> the values a body of that member may hold (a body holding another is not tried
/// as it; a body without the property may be).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnionOverride {
    /// Why the spec alone does not do (required, reviewed).
    pub(crate) why: String,
    /// Member (the variant's name) -> property -> values.
    pub(crate) members: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// Every union override, by component name.
pub(crate) type UnionOverrides = BTreeMap<String, UnionOverride>;

/// The `[union.<name>]` entries of `overrides.toml`; each must say why.
pub(crate) fn parse_unions(text: &str) -> Result<UnionOverrides, String> {
    parse_section(text, "union", |o: &UnionOverride| &o.why)
}

/// The `[<section>.<name>]` entries of `overrides.toml`, by name; an entry whose `why` is empty
/// is refused.
fn parse_section<T: serde::de::DeserializeOwned>(
    text: &str,
    section: &str,
    why: fn(&T) -> &String,
) -> Result<BTreeMap<String, T>, String> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| format!("overrides.toml: {e}"))?;
    let Some(entries) = table.remove(section) else { return Ok(BTreeMap::new()) };
    let all: BTreeMap<String, T> = entries.try_into().map_err(|e| format!("overrides.toml: [{section}]: {e}"))?;
    if let Some((name, _)) = all.iter().find(|(_, o)| why(o).trim().is_empty()) {
        return Err(format!("overrides.toml: [{section}.{name}] has an empty `why`"));
    }
    Ok(all)
}

/// Parses `overrides.toml` (its operation entries; `[schema]` is `parse_schemas`'); every entry
/// must say why.
pub(crate) fn parse(text: &str) -> Result<Overrides, String> {
    let mut table: toml::Table = toml::from_str(text).map_err(|e| format!("overrides.toml: {e}"))?;
    table.remove("schema");
    table.remove("union");
    let all: Overrides = table.try_into().map_err(|e| format!("overrides.toml: {e}"))?;
    if let Some((id, _)) = all.iter().find(|(_, o)| o.why.trim().is_empty()) {
        return Err(format!("overrides.toml: [{id}] has an empty `why`"));
    }
    Ok(all)
}
