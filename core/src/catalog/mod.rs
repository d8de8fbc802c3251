//! The catalog: the [`Endpoint`] of every operation of the Atlas Admin API v2, generated from the
//! verbatim spec (`core/codegen/spec/atlas-admin-v2.yaml`) by `cargo run -p atlas-admin-codegen`.
//!
//! Each spec tag is a Cargo feature (the tag lower-cased, other characters as `-`:
//! `clusters`, `cloud-backups`, `mongodb-cloud-users`); `full` enables every tag and `preview`
//! adds the operations whose only version is `preview` and the preview versions of the others.
//! With no tag enabled (the default) the catalog holds the 28 typed operations of
//! [`crate::ops`] and nothing generated is compiled.
//!
//! An entry says everything the spec says of an operation that a client needs: method, path,
//! parameters with their kinds ([`ParamKind::check`](crate::ParamKind::check) validates a value),
//! versions and their sunset dates, success statuses and body kind, roles, docs link. Operation
//! names are the spec's operationIds; the SDK and Atlas CLI short names are aliases.
//!
//! ```
//! use atlas_admin_core::catalog;
//! let e = catalog::find("listOrgUsers").unwrap();
//! assert_eq!(e.path, "/api/atlas/v2/orgs/{orgId}/users");
//! assert!(e.paginated);
//! // The SDK's name finds the same entry.
//! assert_eq!(catalog::find("addOrgRole").map(|e| e.operation_id), Some("addOrgUserRole"));
//! ```
//!
//! What the spec cannot say comes from `core/codegen/overrides.toml` (each entry with its why);
//! `core/tests/spec_catalog.rs` checks every entry against the verbatim spec.

#[path = "gen/mod.rs"]
mod generated;

use crate::operation::Endpoint;

/// One spec tag of the catalog.
#[derive(Debug)]
#[non_exhaustive]
pub struct Tag {
    /// As the spec spells it (`Cloud Backups`).
    pub name: &'static str,
    /// Its Cargo feature (`cloud-backups`).
    pub feature: &'static str,
    /// As the Atlas CLI spells it (`cloudBackups`): [`Endpoint::tag`].
    pub cli: &'static str,
    /// How many operations the spec gives it (preview-only ones included).
    pub operations: usize,
    /// Whether its feature is enabled in this build.
    pub enabled: bool,
    /// Its generated entries (empty unless enabled; preview-only ones only with `preview`).
    pub endpoints: &'static [Endpoint],
}

/// Every spec tag, sorted by feature name, enabled or not.
pub fn tags() -> &'static [Tag] {
    generated::TAGS
}

/// Every operation of the build: the generated entries of the enabled tags, then the typed
/// operations of [`crate::ops`] whose tag is not enabled (whose entries are equal).
pub fn all() -> impl Iterator<Item = &'static Endpoint> {
    let generated = generated::TAGS.iter().flat_map(|t| t.endpoints.iter());
    let typed =
        crate::ops::ALL.iter().copied().filter(|e| !generated::TAGS.iter().any(|t| t.enabled && t.cli == e.tag));
    generated.chain(typed)
}

/// The operation called `name` (operationId or alias), if this build has it.
pub fn find(name: &str) -> Option<&'static Endpoint> {
    all().find(|e| e.is_named(name))
}

/// The operation called `name` (operationId or alias) as a [`Custom`](crate::ops::Custom)
/// whose parameters are set by their spec names and checked by its entry (see
/// [`Custom::for_endpoint`](crate::ops::Custom::for_endpoint)); an operation this build does
/// not have (its tag's feature off, or a preview-only one without `preview`) is refused.
pub fn call(name: &str) -> Result<crate::ops::Custom, crate::InvalidInput> {
    match find(name) {
        Some(entry) => crate::ops::Custom::for_endpoint(entry),
        None => Err(crate::InvalidInput::with_value(
            "operation",
            "is no operation of this build (is its tag's feature enabled?)",
            name,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_typed_operation_is_found_and_names_are_unique() {
        for e in crate::ops::ALL {
            assert_eq!(find(e.operation_id).map(|f| f.operation_id), Some(e.operation_id));
        }
        let mut names: Vec<&str> =
            all().flat_map(|e| std::iter::once(e.operation_id).chain(e.aliases.iter().copied())).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "an operationId or alias is used twice");
        assert_eq!(find("nope"), None);
    }

    #[test]
    fn tags_are_distinct_and_a_disabled_tag_has_no_entries() {
        for (i, t) in tags().iter().enumerate() {
            assert!(tags().iter().skip(i + 1).all(|o| o.feature != t.feature && o.cli != t.cli && o.name != t.name));
            assert!(t.enabled || t.endpoints.is_empty(), "{}", t.feature);
            assert!(t.endpoints.len() <= t.operations && t.operations > 0, "{}", t.feature);
        }
    }
}
