//! Request and response bodies of the invitation and Cloud Users endpoints, as in the
//! OpenAPI spec.
//!
//! Responses decode leniently: unknown fields are ignored, `null` lists and objects are empty,
//! ids off the spec's pattern are kept as sent, `links` is usually absent and
//! `inviterUsername` may be an API public key. Only what identifies the output is required
//! (an invitation's `id` and `username`), so a body that is not one fails to decode instead
//! of passing as an empty success. Requests are built only through validating constructors.

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

impl Link {
    /// A link with relation `rel` to `href`.
    pub fn new(rel: impl Into<String>, href: impl Into<String>) -> Self {
        Link { href: Some(href.into()), rel: Some(rel.into()) }
    }
}

pub(crate) use crate::lenient::null_as_empty;

/// Deserializes an id from a response as sent, even if it breaks the spec's pattern
/// (`null` is absent).
pub(crate) fn lenient_id<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: crate::validate::ServerId,
{
    Ok(Option::<String>::deserialize(d)?.map(T::from_server))
}

/// Like [`lenient_id`], for the field that identifies the output: absent or `null` is an
/// error, so a body that is not this operation's output (`{}`) does not pass as one.
pub(crate) fn required_id<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: crate::validate::ServerId,
{
    String::deserialize(d).map(|s| Some(T::from_server(s)))
}

/// A required text field of a response (present and not `null`), kept as `Option` in the model.
pub(crate) fn required_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    String::deserialize(d).map(Some)
}

/// Fails on the first duplicate (by `key`), naming `field[i]`. Linear: short lists (what users
/// send) are scanned pair by pair without allocating, longer ones go through a set of keys.
pub(crate) fn check_unique<'a, T, K: Eq + std::hash::Hash>(
    field: &str,
    items: &'a [T],
    key: impl Fn(&'a T) -> K,
    show: impl Fn(&T) -> String,
) -> Result<(), crate::InvalidInput> {
    const SCAN_ITEMS: usize = 16;
    let duplicate = if items.len() <= SCAN_ITEMS {
        items.iter().enumerate().skip(1).find(|&(i, item)| items.iter().take(i).any(|e| key(e) == key(item)))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(items.len());
        items.iter().enumerate().find(|&(_, item)| !seen.insert(key(item)))
    };
    match duplicate {
        Some((i, item)) => Err(crate::InvalidInput::with_value(
            format!("{field}[{i}]"),
            "duplicate (values must be unique)",
            &show(item),
        )),
        None => Ok(()),
    }
}
