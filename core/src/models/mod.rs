//! Request and response bodies of the invitation and Cloud Users endpoints, as in the
//! OpenAPI spec.
//!
//! Responses decode leniently (every field optional, unknown fields ignored, `links` usually
//! absent, `inviterUsername` may be an API public key). Requests are built only through
//! validating constructors.

mod org;
mod page;
mod project;
mod roles;
mod users;

pub use org::{
    GroupRole, GroupRoleAssignment, OrganizationInvitation, OrganizationInvitationRequest,
    OrganizationInvitationUpdateRequest,
};
pub use page::Page;
pub use project::{GroupInvitation, GroupInvitationRequest, GroupInvitationUpdateRequest};
pub use roles::{OrgRole, ProjectRole};
pub(crate) use roles::{check_org_roles, check_project_roles};
pub use users::{
    CloudUser, GroupRoleChange, GroupRoles, GroupRolesRequest, GroupUser, GroupUserRequest, Invitation, Membership,
    OrgMembershipStatus, OrgRoleChange, OrgUser, OrgUserRequest, OrgUserRoles, OrgUserRolesRequest,
    OrgUserUpdateRequest, Profile, TeamMember,
};

use serde::{Deserialize, Serialize};

/// A hypermedia link (`{href, rel}`); real invitation bodies omit them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Link {
    /// Target URL.
    #[serde(default)]
    pub href: Option<String>,
    /// Relation, e.g. `self`.
    #[serde(default)]
    pub rel: Option<String>,
}

/// Deserializes a list that may be `null` as empty (lenient decoding of responses).
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Fails on the first duplicate (by `key`), naming `field[i]`. Linear (a set of the keys seen).
pub(crate) fn check_unique<'a, T, K: Eq + std::hash::Hash>(
    field: &str,
    items: &'a [T],
    key: impl Fn(&'a T) -> K,
    show: impl Fn(&T) -> String,
) -> Result<(), crate::InvalidInput> {
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if !seen.insert(key(item)) {
            return Err(crate::InvalidInput::with_value(
                format!("{field}[{i}]"),
                "duplicate (values must be unique)",
                &show(item),
            ));
        }
    }
    Ok(())
}
