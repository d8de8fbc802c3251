//! Values of a parameter's kind: a valid example (to fill a path template, in tests and tools)
//! and a fresh id for a resource the generic behaviour creates.

use super::random;
use atlas_admin_core::{ParamKind, Pattern};

/// A valid value of `kind` (always the same one): what a test puts in a path placeholder or
/// query parameter to reach an operation. Passes [`ParamKind::check`].
///
/// ```
/// use atlas_admin_core::ParamKind;
/// use atlas_admin_testing::fake::example_value;
/// assert_eq!(example_value(&ParamKind::Id), "5f1e2d3c4b5a69788796a5b4");
/// assert!(ParamKind::Id.check("groupId", &example_value(&ParamKind::Id)).is_ok());
/// ```
pub fn example_value(kind: &ParamKind) -> String {
    const HEX: &str = "5f1e2d3c4b5a69788796a5b45f1e2d3c4b5a69788796a5b45f1e2d3c4b5a6978";
    match *kind {
        ParamKind::Id => HEX[..24].to_owned(),
        ParamKind::Email => "ada@example.com".to_owned(),
        ParamKind::Bool => "true".to_owned(),
        ParamKind::PageSize | ParamKind::PageNum => "1".to_owned(),
        ParamKind::Statuses => "ACTIVE".to_owned(),
        ParamKind::Pattern(p) => match p {
            Pattern::Hex24MixedCase | Pattern::HexDigits => HEX[..24].to_owned(),
            Pattern::Hex20 => HEX[..20].to_owned(),
            Pattern::Hex64 => HEX.to_owned(),
            Pattern::Uuid => "5f1e2d3c-4b5a-4978-8796-a5b45f1e2d3c".to_owned(),
            Pattern::Vpce | Pattern::VpceOrAzurePrivateEndpoint => "vpce-0123456789abcdef0".to_owned(),
            Pattern::ServiceAccountId => format!("mdb_sa_id_{}", &HEX[..24]),
            Pattern::LowercaseEmail => "ada@example.com".to_owned(),
            Pattern::IpCidrOrSecurityGroup | Pattern::IpOrCidr | Pattern::IpAddress => "10.0.0.1".to_owned(),
            Pattern::HostPort => "cluster0-shard-00-00.example.net:27017".to_owned(),
            Pattern::Host => "cluster0-shard-00-00.example.net".to_owned(),
            _ => "example1".to_owned(),
        },
        ParamKind::Int { min, max, .. } => min.unwrap_or(1).min(max.unwrap_or(i64::MAX)).to_string(),
        ParamKind::Text { min_len, max_len } => {
            let len = min_len.unwrap_or(1).max(1).min(max_len.unwrap_or(u32::MAX).max(1));
            "example1".chars().cycle().take(usize::try_from(len).unwrap_or(8)).collect()
        }
        ParamKind::Date => "2026-01-01".to_owned(),
        ParamKind::DateTime => "2026-01-01T00:00:00Z".to_owned(),
        ParamKind::Enum(values) => values.first().map_or_else(String::new, |v| (*v).to_owned()),
        ParamKind::Repeated { item, .. } => example_value(item),
        _ => "example1".to_owned(),
    }
}

/// A fresh id for a resource keyed by a parameter of `kind`, shaped as the kind's pattern
/// says (24 lowercase hex for ids); `None` for a kind that is not an id (the resource is
/// keyed by a name its body gives).
pub(crate) fn fresh_id(kind: &ParamKind) -> Option<String> {
    let hex = |n: usize| random::object_id().chars().chain(random::object_id().chars()).cycle().take(n).collect();
    Some(match *kind {
        ParamKind::Id => random::object_id(),
        ParamKind::Pattern(Pattern::Hex24MixedCase | Pattern::HexDigits) => random::object_id(),
        ParamKind::Pattern(Pattern::Hex20) => hex(20),
        ParamKind::Pattern(Pattern::Hex64) => hex(64),
        ParamKind::Pattern(Pattern::Uuid) => {
            let h: String = hex(32);
            format!("{}-{}-4{}-8{}-{}", &h[..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
        }
        ParamKind::Pattern(Pattern::ServiceAccountId) => format!("mdb_sa_id_{}", random::object_id()),
        ParamKind::Pattern(Pattern::Vpce) => format!("vpce-{}", hex(17)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use atlas_admin_core::{IntFormat, catalog};

    #[test]
    fn examples_and_fresh_ids_pass_their_checks() {
        for p in catalog::all().flat_map(|e| e.params.iter()) {
            assert!(p.kind.check(p.name, &example_value(&p.kind)).is_ok(), "{p:?}");
            if let Some(id) = fresh_id(&p.kind) {
                assert!(p.kind.check(p.name, &id).is_ok(), "{p:?} {id}");
            }
        }
        for kind in Pattern::ALL.iter().map(|p| ParamKind::Pattern(*p)).chain([
            ParamKind::Int { format: IntFormat::Int32, min: Some(5), max: Some(9) },
            ParamKind::Text { min_len: Some(3), max_len: Some(3) },
        ]) {
            assert!(kind.check("x", &example_value(&kind)).is_ok(), "{kind:?}");
            if let Some(id) = fresh_id(&kind) {
                assert!(kind.check("x", &id).is_ok(), "{kind:?} {id}");
            }
        }
        assert_eq!(fresh_id(&ParamKind::Pattern(Pattern::Name)), None);
        assert_ne!(fresh_id(&ParamKind::Id), fresh_id(&ParamKind::Id));
    }
}
