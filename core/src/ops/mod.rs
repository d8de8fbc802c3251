//! Every operation, declared once in one table; one type each, named after the spec's
//! operationIds. Run any of them with a transport's `client.execute(&op)`.
//!
//! | type | tag | method and path | `pretty` |
//! |---|---|---|---|
//! | [`ListGroupInvites`] | `projects` | `GET /api/atlas/v2/groups/{groupId}/invites` | yes |
//! | [`CreateGroupInvite`] | `projects` | `POST /api/atlas/v2/groups/{groupId}/invites` | yes |
//! | [`UpdateGroupInvites`] | `projects` | `PATCH /api/atlas/v2/groups/{groupId}/invites` (by username) | yes |
//! | [`GetGroupInvite`] | `projects` | `GET /api/atlas/v2/groups/{groupId}/invites/{invitationId}` | yes |
//! | [`UpdateGroupInviteById`] | `projects` | `PATCH /api/atlas/v2/groups/{groupId}/invites/{invitationId}` | no |
//! | [`DeleteGroupInvite`] | `projects` | `DELETE /api/atlas/v2/groups/{groupId}/invites/{invitationId}` | no |
//! | [`ListOrgInvites`] | `organizations` | `GET /api/atlas/v2/orgs/{orgId}/invites` | yes |
//! | [`CreateOrgInvite`] | `organizations` | `POST /api/atlas/v2/orgs/{orgId}/invites` | yes |
//! | [`UpdateOrgInvites`] | `organizations` | `PATCH /api/atlas/v2/orgs/{orgId}/invites` (by username) | yes |
//! | [`GetOrgInvite`] | `organizations` | `GET /api/atlas/v2/orgs/{orgId}/invites/{invitationId}` | no |
//! | [`UpdateOrgInviteById`] | `organizations` | `PATCH /api/atlas/v2/orgs/{orgId}/invites/{invitationId}` | yes |
//! | [`DeleteOrgInvite`] | `organizations` | `DELETE /api/atlas/v2/orgs/{orgId}/invites/{invitationId}` | yes |
//!
//! (A unit test keeps this list equal to [`ALL`].)
//!
//! # One table
//!
//! Each row of the `endpoints!` table below yields the type, its validating constructor, its
//! query setters, its path, query and body, its output type, the call options it takes and its
//! [`Endpoint`] metadata (operationId, CLI tag, method, path template, API versions, `envelope`
//! and `pretty`, idempotency, success status, parameters and their kinds). The registry
//! ([`ALL`], [`visit`], [`FromArgs`]) is what the `atlas-api` example, the fake Atlas's router and
//! the spec-conformance test iterate.
//!
//! The table is a declarative `macro_rules!` rather than code generated from the OpenAPI spec
//! at build time: a row stays readable and reviewable next to its doc, the build needs no
//! script and no access to files outside the crate, and the spec test
//! (`core/tests/spec_conformance.rs`) checks every row against the verbatim spec instead.
//!
//! An option an endpoint does not take is not there to call: `pretty` exists only where the
//! spec lists it.
//!
//! ```compile_fail
//! use atlas_admin_core::ops::GetOrgInvite;
//! // getOrgInvite has no `pretty` parameter in the spec: no such method.
//! let op = GetOrgInvite::new("4888442a3354817a7320eb61", "6a7900ff11bb22cc33dd44ef").unwrap().pretty(true);
//! ```
//!
//! ```
//! use atlas_admin_core::ops::GetGroupInvite;
//! let op = GetGroupInvite::new("32b6e34b3d91647abb20e7b8", "6a7900ff11bb22cc33dd44ef").unwrap().pretty(true);
//! ```
//!
//! # Adding an endpoint
//!
//! One row here (plus its request and response models in `models/`, and the fake Atlas's
//! behaviour in `tests/src/fake/`). A query parameter of a kind the table has no setter for
//! yet (only `Email` today) needs one more `@query` arm in `ops/table.rs`.

mod table;

use crate::error::InvalidInput;
use crate::models::{
    GroupInvitation, GroupInvitationRequest, GroupInvitationUpdateRequest, OrganizationInvitation,
    OrganizationInvitationRequest, OrganizationInvitationUpdateRequest,
};
use crate::operation::{CallOptions, Endpoint, Operation, Param, ParamKind, PathParam};
use crate::validate::{ApiVersion, GroupId, IntoId, InvitationId, OrgId, check_email};
use http::Method;
use serde::de::DeserializeOwned;

/// An operation that can be built from text (path and query parameters by their spec names,
/// a JSON body), for generic front ends such as a command line. Every table row has it.
pub trait FromArgs: Operation<Output: serde::Serialize> + Sized {
    /// Validates everything, as the typed constructors do; nothing is sent.
    fn from_args(args: &RawArgs<'_>) -> Result<Self, InvalidInput>;
}

/// What [`visit`] hands a typed operation to.
pub trait Visitor {
    /// What the visit returns.
    type Output;
    /// Called with the operation type that was looked up.
    fn visit<O: FromArgs>(self) -> Self::Output;
}

/// Arguments as text for [`FromArgs::from_args`].
///
/// ```
/// use atlas_admin_core::ops::{FromArgs, RawArgs, UpdateGroupInvites};
/// let body = br#"{"username":"ada@example.com","roles":["GROUP_READ_ONLY"]}"#;
/// let args = RawArgs { params: &[("groupId", "32b6e34b3d91647abb20e7b8")], body: Some(body), ..RawArgs::default() };
/// let op = UpdateGroupInvites::from_args(&args).unwrap();
/// assert_eq!(op.body().username(), "ada@example.com");
/// let bad = RawArgs { params: &[("groupId", "nope")], ..args };
/// assert_eq!(UpdateGroupInvites::from_args(&bad).unwrap_err().field(), "groupId");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RawArgs<'a> {
    /// Path and query parameters by their spec names (`groupId`, `username`).
    pub params: &'a [(&'a str, &'a str)],
    /// The JSON request body.
    pub body: Option<&'a [u8]>,
    /// `envelope=true`.
    pub envelope: bool,
    /// `pretty=true` (refused where the endpoint lacks it).
    pub pretty: bool,
    /// The API version for this call.
    pub api_version: Option<ApiVersion>,
}

impl RawArgs<'_> {
    /// Refuses parameters, a body or options the endpoint does not take.
    fn check_names(&self, endpoint: &Endpoint) -> Result<(), InvalidInput> {
        let id = endpoint.operation_id;
        if let Some((name, _)) = self.params.iter().find(|(name, _)| endpoint.param(name).is_none()) {
            return Err(InvalidInput::new(*name, format!("{id} has no such parameter")));
        }
        if self.body.is_some() && !endpoint.body {
            return Err(InvalidInput::new("body", format!("{id} takes no request body")));
        }
        Ok(())
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    fn path(&self, name: &str) -> Result<&str, InvalidInput> {
        self.value(name).ok_or_else(|| InvalidInput::new(name, "required"))
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.value(name)
    }

    /// Deserializes the body into the endpoint's request type (whose `Deserialize` validates).
    fn body<T: DeserializeOwned>(&self) -> Result<T, InvalidInput> {
        let body = self.body.ok_or_else(|| InvalidInput::new("body", "required"))?;
        serde_json::from_slice(body).map_err(|e| match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                InvalidInput::new("body", format!("not JSON: {e}"))
            }
            _ => InvalidInput::new("body", e.to_string()),
        })
    }

    fn options(&self, endpoint: &Endpoint) -> Result<CallOptions, InvalidInput> {
        if self.envelope && !endpoint.envelope {
            return Err(InvalidInput::new("envelope", format!("{} does not take envelope", endpoint.operation_id)));
        }
        if self.pretty && !endpoint.pretty {
            return Err(InvalidInput::new("pretty", format!("{} does not take pretty", endpoint.operation_id)));
        }
        Ok(CallOptions { envelope: self.envelope, pretty: self.pretty, api_version: self.api_version })
    }
}

/// The endpoint called `name` (operationId or alias).
pub fn find(name: &str) -> Option<&'static Endpoint> {
    ALL.iter().copied().find(|e| e.is_named(name))
}

table::endpoints! {
    /// ```
    /// use atlas_admin_core::ops::ListGroupInvites;
    /// let op = ListGroupInvites::new("32b6e34b3d91647abb20e7b8").unwrap().username("a+b@example.com").unwrap();
    /// assert_eq!(op.username_filter(), Some("a+b@example.com"));
    /// ```
    ListGroupInvites {
        operation_id: "listGroupInvites";
        tag: "projects";
        summary: "pending invitations of a project, optionally only one username's";
        request: GET "/api/atlas/v2/groups/{groupId}/invites";
        path: { group_id: GroupId = "groupId" };
        query: { username: Email = "username" => username_filter };
        output: Vec<GroupInvitation>;
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
    }

    /// Not idempotent: never retried once the request may have reached Atlas.
    CreateGroupInvite {
        operation_id: "createGroupInvite";
        tag: "projects";
        summary: "invites a user to a project (Atlas answers 200, not 201)";
        request: POST "/api/atlas/v2/groups/{groupId}/invites";
        path: { group_id: GroupId = "groupId" };
        query: {};
        body: GroupInvitationRequest;
        output: GroupInvitation;
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 200;
    }

    /// The seed operation. Deprecated by Atlas; live until its `Sunset`.
    ///
    /// ```
    /// use atlas_admin_core::{GroupInvitationRequest, ProjectRole, ops::UpdateGroupInvites};
    /// let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
    /// let op = UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", body).unwrap();
    /// assert!(UpdateGroupInvites::new("not-an-id", op.body().clone()).is_err());
    /// ```
    UpdateGroupInvites {
        operation_id: "updateGroupInvites";
        tag: "projects";
        summary: "sets the roles of the pending project invitation of the username in the body";
        request: PATCH "/api/atlas/v2/groups/{groupId}/invites";
        path: { group_id: GroupId = "groupId" };
        query: {};
        body: GroupInvitationRequest;
        output: GroupInvitation;
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
    }

    GetGroupInvite {
        operation_id: "getGroupInvite";
        tag: "projects";
        summary: "one project invitation by id";
        request: GET "/api/atlas/v2/groups/{groupId}/invites/{invitationId}";
        path: { group_id: GroupId = "groupId", invitation_id: InvitationId = "invitationId" };
        query: {};
        output: GroupInvitation;
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
    }

    /// The SDKs and the Atlas CLI call it `updateInviteById`.
    #[doc(alias = "updateInviteById")]
    UpdateGroupInviteById {
        operation_id: "updateGroupInviteById", alias: "updateInviteById";
        tag: "projects";
        summary: "sets the roles of one project invitation";
        request: PATCH "/api/atlas/v2/groups/{groupId}/invites/{invitationId}";
        path: { group_id: GroupId = "groupId", invitation_id: InvitationId = "invitationId" };
        query: {};
        body: GroupInvitationUpdateRequest;
        output: GroupInvitation;
        versions: [V2023_01_01];
        envelope: true;
        pretty: false;
        idempotent: true;
        success: 200;
    }

    DeleteGroupInvite {
        operation_id: "deleteGroupInvite";
        tag: "projects";
        summary: "cancels one pending project invitation (204, no body)";
        request: DELETE "/api/atlas/v2/groups/{groupId}/invites/{invitationId}";
        path: { group_id: GroupId = "groupId", invitation_id: InvitationId = "invitationId" };
        query: {};
        output: ();
        versions: [V2023_01_01];
        envelope: true;
        pretty: false;
        idempotent: true;
        success: 204;
    }

    /// ```
    /// use atlas_admin_core::ops::ListOrgInvites;
    /// let op = ListOrgInvites::new("32b6e34b3d91647abb20e7b8").unwrap().username("a+b@example.com").unwrap();
    /// assert_eq!(op.username_filter(), Some("a+b@example.com"));
    /// ```
    ListOrgInvites {
        operation_id: "listOrgInvites";
        tag: "organizations";
        summary: "pending invitations of an organization, optionally only one username's";
        request: GET "/api/atlas/v2/orgs/{orgId}/invites";
        path: { org_id: OrgId = "orgId" };
        query: { username: Email = "username" => username_filter };
        output: Vec<OrganizationInvitation>;
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
    }

    /// Not idempotent: never retried once the request may have reached Atlas.
    CreateOrgInvite {
        operation_id: "createOrgInvite";
        tag: "organizations";
        summary: "invites a user to an organization (Atlas answers 200, not 201)";
        request: POST "/api/atlas/v2/orgs/{orgId}/invites";
        path: { org_id: OrgId = "orgId" };
        query: {};
        body: OrganizationInvitationRequest;
        output: OrganizationInvitation;
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 200;
    }

    /// ```
    /// use atlas_admin_core::{OrganizationInvitationRequest, OrgRole, ops::UpdateOrgInvites};
    /// let body = OrganizationInvitationRequest::new("hello@example.com", [OrgRole::OrgMember]).unwrap();
    /// let op = UpdateOrgInvites::new("4888442a3354817a7320eb61", body).unwrap();
    /// assert!(UpdateOrgInvites::new("not-an-id", op.body().clone()).is_err());
    /// ```
    UpdateOrgInvites {
        operation_id: "updateOrgInvites";
        tag: "organizations";
        summary: "updates the pending organization invitation of the username in the body (roles, teams, projects)";
        request: PATCH "/api/atlas/v2/orgs/{orgId}/invites";
        path: { org_id: OrgId = "orgId" };
        query: {};
        body: OrganizationInvitationRequest;
        output: OrganizationInvitation;
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
    }

    GetOrgInvite {
        operation_id: "getOrgInvite";
        tag: "organizations";
        summary: "one organization invitation by id";
        request: GET "/api/atlas/v2/orgs/{orgId}/invites/{invitationId}";
        path: { org_id: OrgId = "orgId", invitation_id: InvitationId = "invitationId" };
        query: {};
        output: OrganizationInvitation;
        versions: [V2023_01_01];
        envelope: true;
        pretty: false;
        idempotent: true;
        success: 200;
    }

    UpdateOrgInviteById {
        operation_id: "updateOrgInviteById";
        tag: "organizations";
        summary: "replaces roles, teams and projects of one organization invitation";
        request: PATCH "/api/atlas/v2/orgs/{orgId}/invites/{invitationId}";
        path: { org_id: OrgId = "orgId", invitation_id: InvitationId = "invitationId" };
        query: {};
        body: OrganizationInvitationUpdateRequest;
        output: OrganizationInvitation;
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
    }

    DeleteOrgInvite {
        operation_id: "deleteOrgInvite";
        tag: "organizations";
        summary: "cancels one pending organization invitation (204, no body)";
        request: DELETE "/api/atlas/v2/orgs/{orgId}/invites/{invitationId}";
        path: { org_id: OrgId = "orgId", invitation_id: InvitationId = "invitationId" };
        query: {};
        output: ();
        versions: [V2023_01_01];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 204;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_doc_lists_every_endpoint() {
        let doc: Vec<&str> = include_str!("mod.rs").lines().take_while(|l| l.starts_with("//!")).collect();
        let rows: Vec<&&str> = doc.iter().filter(|l| l.starts_with("//! | [`")).collect();
        assert_eq!(rows.len(), ALL.len());
        for (row, e) in rows.iter().zip(ALL) {
            let pretty = if e.pretty { "yes" } else { "no" };
            let cells = format!("| `{}` | `{} {}", e.tag, e.method, e.path);
            assert!(row.contains(&cells) && row.ends_with(&format!("| {pretty} |")), "{row} vs {e:?}");
        }
    }

    #[test]
    fn names_are_unique_and_found() {
        for (i, e) in ALL.iter().enumerate() {
            assert_eq!(find(e.operation_id), Some(*e));
            for alias in e.aliases {
                assert_eq!(find(alias), Some(*e));
            }
            assert!(ALL.iter().skip(i + 1).all(|o| !e.is_named(o.operation_id)), "{}", e.operation_id);
        }
        assert_eq!(find("nope"), None);
    }

    #[test]
    fn from_args_refuses_what_the_endpoint_does_not_take() {
        let g = ("groupId", "32b6e34b3d91647abb20e7b8");
        let ok = RawArgs { params: &[g, ("invitationId", "6a7900ff11bb22cc33dd44ef")], ..RawArgs::default() };
        assert!(GetGroupInvite::from_args(&ok).is_ok());
        let cases = [
            (RawArgs { pretty: true, ..ok }, "pretty"),
            (RawArgs { params: &[g], ..ok }, "invitationId"),
            (RawArgs { body: Some(b"{}"), ..ok }, "body"),
            (
                RawArgs { params: &[g, ("invitationId", "6a7900ff11bb22cc33dd44ef"), ("username", "a@b.co")], ..ok },
                "username",
            ),
        ];
        for (args, field) in cases {
            assert_eq!(DeleteGroupInvite::from_args(&args).unwrap_err().field(), field, "{args:?}");
        }
        let list = RawArgs { params: &[g, ("username", "not-an-email")], ..RawArgs::default() };
        assert_eq!(ListGroupInvites::from_args(&list).unwrap_err().field(), "username");
        let create = RawArgs { params: &[g], body: Some(b"not json"), ..RawArgs::default() };
        let e = CreateGroupInvite::from_args(&create).unwrap_err();
        assert!(e.field() == "body" && e.reason().starts_with("not JSON"), "{e}");
    }

    #[test]
    fn visit_reaches_the_typed_operation() {
        struct Id;
        impl Visitor for Id {
            type Output = &'static str;
            fn visit<O: FromArgs>(self) -> &'static str {
                O::ENDPOINT.operation_id
            }
        }
        for e in ALL {
            assert_eq!(visit(e.operation_id, Id), Some(e.operation_id));
        }
        assert_eq!(visit("updateInviteById", Id), Some("updateGroupInviteById"));
        assert_eq!(visit("nope", Id), None);
    }
}
