//! Every public model is reachable from the same places as its siblings: the crate root and
//! the prelude (which both transports re-export at their root).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeSet;

/// The names between the braces of the `pub use` that starts at `start` in `text`.
fn braced_names(text: &str, start: &str) -> BTreeSet<String> {
    let from = text.find(start).unwrap_or_else(|| panic!("`{start}` not found"));
    let rest = &text[from..];
    let open = rest.find('{').expect("an opening brace");
    let close = rest.find('}').expect("a closing brace");
    rest[open + 1..close].split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned).collect()
}

/// The public model names of `core/src/models/mod.rs`: its public re-exports and its own types.
fn model_names() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/models/mod.rs")).unwrap();
    let mut names = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("\npub use ") {
        let stmt = &rest[at + 1..];
        let end = stmt.find(';').expect("a `;`");
        let body = &stmt[..end];
        let list = match (body.find('{'), body.find('}')) {
            (Some(open), Some(close)) => &body[open + 1..close],
            _ => body.rsplit("::").next().unwrap(),
        };
        names.extend(list.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned));
        rest = &stmt[end..];
    }
    for line in text.lines() {
        for kind in ["pub struct ", "pub enum ", "pub type "] {
            if let Some(name) = line.strip_prefix(kind) {
                names.insert(name.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap().to_owned());
            }
        }
    }
    names
}

#[test]
fn every_model_is_at_the_root_and_in_the_prelude() {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let models = model_names();
    assert!(models.contains("OrgUser") && models.contains("Link"), "parsed {models:?}");
    let root = braced_names(&lib, "pub use models::{");
    let prelude_at = lib.find("pub mod prelude {").expect("the prelude");
    let prelude_end = prelude_at + lib[prelude_at..].find("\n}\n").expect("the prelude's end");
    let prelude = &lib[prelude_at..prelude_end];
    let words: BTreeSet<&str> = prelude.split(|c: char| !c.is_alphanumeric() && c != '_').collect();
    let missing_root: Vec<&String> = models.iter().filter(|m| !root.contains(*m)).collect();
    let missing_prelude: Vec<&String> = models.iter().filter(|m| !words.contains(m.as_str())).collect();
    assert!(missing_root.is_empty(), "models not re-exported at the crate root: {missing_root:?}");
    assert!(missing_prelude.is_empty(), "models not in the prelude: {missing_prelude:?}");
}

/// Compiles only while the paths exist: a user's `OrgUser::with_roles` needs `OrgUserRoles`.
#[test]
fn the_prelude_paths_build_an_org_user() {
    use atlas_admin_core::prelude::{GroupRoles, Invitation, Link, OrgUser, OrgUserRoles, Profile};
    let mut roles = OrgUserRoles::default();
    roles.org_roles.push(atlas_admin_core::prelude::OrgRole::OrgMember);
    roles.group_role_assignments.push(GroupRoles::default());
    let user = OrgUser::pending("ada@example.com").with_roles(roles.clone()).with_invitation(Invitation::default());
    assert_eq!(user.roles, roles);
    let active = OrgUser::active("bob@example.com").with_profile(Profile::default());
    assert!(active.profile().is_some());
    assert_eq!(Link::new("self", "https://example.com").rel.as_deref(), Some("self"));
}
