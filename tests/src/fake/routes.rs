//! Matching `/api/atlas/v2/…` paths and methods to the 12 invitation operations.

use http::Method;

/// The prefix of every Atlas Admin API v2 path.
pub(crate) const API_PREFIX: &str = "/api/atlas/v2";

/// Project (`/groups/{groupId}/invites`) or organization (`/orgs/{orgId}/invites`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    Project,
    Org,
}

/// What an invitation path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) scope: Scope,
    /// The `groupId` or `orgId` segment, unchecked.
    pub(crate) parent: String,
    /// The `invitationId` segment, unchecked; `None` for the collection.
    pub(crate) invitation: Option<String>,
}

/// One of the six operations of a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    List,
    Create,
    UpdateByUsername,
    Get,
    UpdateById,
    Delete,
}

impl Route {
    /// Matches a request path (without query); `None` if it is no invitation path.
    pub(crate) fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix(API_PREFIX)?.strip_prefix('/')?;
        let segments: Vec<&str> = rest.split('/').collect();
        let (scope, parent, invitation) = match segments.as_slice() {
            [kind, parent, "invites"] => (*kind, *parent, None),
            [kind, parent, "invites", id] => (*kind, *parent, Some(*id)),
            _ => return None,
        };
        let scope = match scope {
            "groups" => Scope::Project,
            "orgs" => Scope::Org,
            _ => return None,
        };
        if parent.is_empty() || invitation.is_some_and(str::is_empty) {
            return None;
        }
        Some(Route { scope, parent: parent.to_owned(), invitation: invitation.map(str::to_owned) })
    }

    /// The operation for `method`, or the `Allow` list when the method is not supported.
    pub(crate) fn operation(&self, method: &Method) -> Result<Op, &'static str> {
        match (&self.invitation, method.as_str()) {
            (None, "GET") => Ok(Op::List),
            (None, "POST") => Ok(Op::Create),
            (None, "PATCH") => Ok(Op::UpdateByUsername),
            (None, _) => Err("GET, POST, PATCH"),
            (Some(_), "GET") => Ok(Op::Get),
            (Some(_), "PATCH") => Ok(Op::UpdateById),
            (Some(_), "DELETE") => Ok(Op::Delete),
            (Some(_), _) => Err("GET, PATCH, DELETE"),
        }
    }
}

/// The spec's operationId (as the core names its operations).
pub(crate) fn operation_id(scope: Scope, op: Op) -> &'static str {
    match (scope, op) {
        (Scope::Project, Op::List) => "listGroupInvites",
        (Scope::Project, Op::Create) => "createGroupInvite",
        (Scope::Project, Op::UpdateByUsername) => "updateGroupInvites",
        (Scope::Project, Op::Get) => "getGroupInvite",
        (Scope::Project, Op::UpdateById) => "updateGroupInviteById",
        (Scope::Project, Op::Delete) => "deleteGroupInvite",
        (Scope::Org, Op::List) => "listOrgInvites",
        (Scope::Org, Op::Create) => "createOrgInvite",
        (Scope::Org, Op::UpdateByUsername) => "updateOrgInvites",
        (Scope::Org, Op::Get) => "getOrgInvite",
        (Scope::Org, Op::UpdateById) => "updateOrgInviteById",
        (Scope::Org, Op::Delete) => "deleteOrgInvite",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let r = Route::parse("/api/atlas/v2/groups/abc/invites").unwrap();
        assert_eq!((r.scope, r.parent.as_str(), r.invitation), (Scope::Project, "abc", None));
        let r = Route::parse("/api/atlas/v2/orgs/o/invites/i").unwrap();
        assert_eq!((r.scope, r.invitation.as_deref()), (Scope::Org, Some("i")));
        assert_eq!(r.operation(&Method::DELETE), Ok(Op::Delete));
        assert_eq!(r.operation(&Method::POST), Err("GET, PATCH, DELETE"));
        for bad in [
            "/api/atlas/v2/groups/abc/invites/",
            "/api/atlas/v2/groups//invites",
            "/api/atlas/v2/teams/abc/invites",
            "/api/atlas/v2/groups/abc/invites/i/x",
            "/api/atlas/v2",
            "/api/atlas/v2x/groups/abc/invites",
        ] {
            assert_eq!(Route::parse(bad), None, "{bad}");
        }
    }
}
