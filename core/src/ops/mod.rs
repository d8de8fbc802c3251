//! Every operation, one type each, named after the spec's operationIds: the hand-written table
//! below, and a type generated from the spec for every other one (see "Every other operation").
//! Run any of them with a transport's `client.execute(&op)`.
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
//! | [`ListOrgUsers`] | `mongoDbCloudUsers` | `GET /api/atlas/v2/orgs/{orgId}/users` (paginated) | yes |
//! | [`CreateOrgUser`] | `mongoDbCloudUsers` | `POST /api/atlas/v2/orgs/{orgId}/users` | yes |
//! | [`GetOrgUser`] | `mongoDbCloudUsers` | `GET /api/atlas/v2/orgs/{orgId}/users/{userId}` | yes |
//! | [`UpdateOrgUser`] | `mongoDbCloudUsers` | `PATCH /api/atlas/v2/orgs/{orgId}/users/{userId}` | yes |
//! | [`RemoveOrgUser`] | `mongoDbCloudUsers` | `DELETE /api/atlas/v2/orgs/{orgId}/users/{userId}` | yes |
//! | [`AddOrgUserRole`] | `mongoDbCloudUsers` | `POST /api/atlas/v2/orgs/{orgId}/users/{userId}:addRole` | yes |
//! | [`RemoveOrgUserRole`] | `mongoDbCloudUsers` | `POST /api/atlas/v2/orgs/{orgId}/users/{userId}:removeRole` | yes |
//! | [`ListGroupUsers`] | `mongoDbCloudUsers` | `GET /api/atlas/v2/groups/{groupId}/users` (paginated) | yes |
//! | [`AddGroupUsers`] | `mongoDbCloudUsers` | `POST /api/atlas/v2/groups/{groupId}/users` | yes |
//! | [`GetGroupUser`] | `mongoDbCloudUsers` | `GET /api/atlas/v2/groups/{groupId}/users/{userId}` | yes |
//! | [`RemoveGroupUser`] | `mongoDbCloudUsers` | `DELETE /api/atlas/v2/groups/{groupId}/users/{userId}` | yes |
//! | [`AddGroupUserRole`] | `mongoDbCloudUsers` | `POST /api/atlas/v2/groups/{groupId}/users/{userId}:addRole` | yes |
//! | [`RemoveGroupUserRole`] | `mongoDbCloudUsers` | `POST /api/atlas/v2/groups/{groupId}/users/{userId}:removeRole` | yes |
//! | [`ListOrgTeamUsers`] | `mongoDbCloudUsers` | `GET /api/atlas/v2/orgs/{orgId}/teams/{teamId}/users` (paginated) | yes |
//! | [`AddOrgTeamUser`] | `mongoDbCloudUsers` | `POST /api/atlas/v2/orgs/{orgId}/teams/{teamId}:addUser` | yes |
//! | [`RemoveOrgTeamUser`] | `mongoDbCloudUsers` | `POST /api/atlas/v2/orgs/{orgId}/teams/{teamId}:removeUser` | yes |
//!
//! (A unit test keeps this list equal to [`ALL`].)
//!
//! # Every other operation: generated
//!
//! Each of the spec's other operations has a generated type, named after its operationId in
//! UpperCamel (`listGroupClusters` is `ListGroupClusters`) and compiled with its tag's Cargo
//! feature (`clusters`; a preview-only one also needs `preview`). The SDK and Atlas CLI short
//! names are type aliases where no other name takes them (`ListClusters`). [`GENERATED`] lists
//! their [`Endpoint`]s: with [`ALL`], every [`crate::catalog`] entry has exactly one typed
//! operation. They are written to `ops/gen/` by `cargo run -p atlas-admin-codegen` from the
//! verbatim spec (one module per tag, holding the tag's catalog entries too), never by hand.
//!
//! A generated type wraps a [`Custom`] made from its catalog entry ([`Custom::for_endpoint`]):
//! it is checked and sent exactly as `catalog::call(name)` is, by one validation path and one
//! request builder. It has
//! - `new` with the path parameters (and the required query ones), each checked by the entry's
//!   kind or pattern before anything is sent: an invalid one is an [`InvalidInput`] naming it;
//! - one setter per optional query or header parameter, typed by its kind (`bool`, integers
//!   checked against the spec's range, text checked against the enum's values, the pattern or
//!   the date format, an iterator for a repeated one), replacing what it held;
//! - `body(&value)` where the operation takes one (checked as required or not before sending);
//! - `api_version(v)`, refusing a version the entry does not list (by default the entry's
//!   [default](Endpoint::default_version)); `envelope` and `pretty` only where the spec lists them.
//!
//! Request bodies and JSON answers are the spec's models ([`crate::schemas`]; a
//! [`serde_json::Value`] where the spec names no schema); a list answers a [`Page`] of its
//! items and is [`Paginated`] (`client.all(op)`, `client.pages(op)` and the async streams walk
//! it); a download answers its bytes (`Vec<u8>`), an empty success `()`. A POST is not retried
//! once it may have reached Atlas.
//!
//! ```
//! use atlas_admin_core::{Config, Page, unsigned_request, ops::ListGroupClusters, paginate::Paginator};
//! use atlas_admin_core::schemas::ClusterDescription20240805;
//! let op = ListGroupClusters::new("32b6e34b3d91647abb20e7b8")?.items_per_page(2)?;
//! let req = unsigned_request(&Config::default(), &op)?;
//! assert_eq!(req.uri().path_and_query().unwrap(), "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters?itemsPerPage=2");
//! assert_eq!(req.headers()["accept"], "application/vnd.atlas.2024-08-05+json");
//! // Checked by the spec's rules before anything is sent, naming the parameter or option.
//! assert_eq!(ListGroupClusters::new("not-an-id").unwrap_err().field(), "groupId");
//! assert_eq!(op.clone().items_per_page(501).unwrap_err().field(), "itemsPerPage");
//! assert_eq!(op.clone().api_version(atlas_admin_core::ApiVersion::new("2025-03-12")?).unwrap_err().field(), "api_version");
//!
//! // A client walks it with `client.all(op)`; the same walk, sans IO:
//! let mut pages = Paginator::new(op);
//! let first = pages.next_op().unwrap()?;
//! let page: Page<ClusterDescription20240805> = serde_json::from_str(r#"{"results":[{"name":"Cluster0"},{"name":"Cluster1"}],"links":[{"rel":"next","href":"https://x/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters?itemsPerPage=2&pageNum=2"}]}"#)?;
//! pages.handle(&page);
//! let second = pages.next_op().unwrap()?;
//! let req = unsigned_request(&Config::default(), &second)?;
//! assert_eq!(req.uri().query(), Some("itemsPerPage=2&pageNum=2"));
//! assert_eq!(page.results[1].name.as_deref(), Some("Cluster1"));
//! # let _ = first;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Described at run time
//!
//! An endpoint the table does not type (newer than the vendored spec, or an older API version
//! whose schema differs) is described at run time with [`Custom`]: method, path, query, JSON
//! body and API version, validated before sending, run by the same `client.execute(&op)`.
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
//! yet (today: `Email`, `Id`, `Bool`, `PageSize`, `PageNum`, `Statuses`) needs one more `@query`
//! and `@arg` arm in `ops/table.rs`. A paginated list says `paginated: Item;` in its row, which
//! gives it a [`Paginated`] impl and `Endpoint::paginated`.
//!
//! # The Cloud Users API
//!
//! The 16 `mongoDbCloudUsers` operations default to API version `2025-02-19`; the list and
//! remove operations that also exist in `2023-01-01` (sunset 2027-07-01) stay reachable with
//! `.api_version(ApiVersion::V2023_01_01)`. Create and add answer 201; custom methods keep
//! their literal `:` (`/users/{userId}:addRole`); `orgMembershipStatuses` is sent as repeated
//! keys. The deprecated `orgMembershipStatus` (singular) filter is not offered.
//! The filters `2023-01-01` lacks say `since V2025_02_19` in their rows
//! ([`Param::since`](crate::Param::since)): sent with the older version they would be ignored
//! (a `username` lookup would answer with every user), so such a call is refused before sending.
//!
//! ```
//! use atlas_admin_core::{OrgMembershipStatus, ops::ListOrgUsers};
//! let op = ListOrgUsers::new("4888442a3354817a7320eb61").unwrap()
//!     .org_membership_statuses([OrgMembershipStatus::Pending, OrgMembershipStatus::Active]).unwrap()
//!     .items_per_page(500).unwrap();
//! assert_eq!(op.page_size(), Some(500));
//! assert!(ListOrgUsers::new("4888442a3354817a7320eb61").unwrap().items_per_page(501).is_err());
//! assert!(ListOrgUsers::new("4888442a3354817a7320eb61").unwrap().page_num(0).is_err());
//! ```

mod catalog_call;
mod custom;
mod table;
mod typed;

/// The catalog entries of every operation and the typed operations generated from the spec (`ops/gen/`).
#[path = "gen/mod.rs"]
pub(crate) mod generated;
pub use generated::*;

pub use crate::described::{Described, MAX_BODY_BYTES, ResponseFormat};
pub use custom::{Custom, CustomOutput};

use crate::error::InvalidInput;
use crate::models::{
    GroupInvitation, GroupInvitationRequest, GroupInvitationUpdateRequest, GroupRoleChange, GroupUser,
    GroupUserRequest, OrgMembershipStatus, OrgRoleChange, OrgUser, OrgUserRequest, OrgUserUpdateRequest,
    OrganizationInvitation, OrganizationInvitationRequest, OrganizationInvitationUpdateRequest, Page, TeamMember,
    check_unique,
};
use crate::operation::{CallOptions, Endpoint, Operation, Param, ParamKind, PathParam, SuccessBody, Sunset};
use crate::paginate::Paginated;
use crate::validate::{ApiVersion, GroupId, IntoId, InvitationId, OrgId, TeamId, UserId, check_email};
use http::Method;
use serde::de::DeserializeOwned;

/// An operation that can be built from text (path and query parameters by their spec names,
/// a JSON body), for generic front ends such as a command line. Every table row has it.
///
/// The output is also `Send + 'static` (as every operation's is), so a front end can run the
/// operation through any [`Execute`](crate::Execute): a real client, a double or a replay.
pub trait FromArgs: Operation<Output: serde::Serialize + Send + 'static> + Sized {
    /// Validates everything, as the typed constructors do; nothing is sent.
    fn from_args(args: &RawArgs<'_>) -> Result<Self, InvalidInput>;
}

/// What [`visit`] hands a typed operation to.
pub trait Visitor: Sized {
    /// What the visit returns.
    type Output;
    /// Called with the operation type that was looked up.
    fn visit<O: FromArgs>(self) -> Self::Output;
    /// Called instead of [`visit`](Self::visit) for a paginated list, so a front end can walk
    /// every page (`--all-pages`); by default the same as `visit`.
    fn visit_paginated<O: FromArgs + Paginated<Item: serde::Serialize>>(self) -> Self::Output {
        self.visit::<O>()
    }
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
        for (i, (name, _)) in self.params.iter().enumerate() {
            let repeatable = endpoint.param(name).is_some_and(|p| p.kind.repeatable());
            if !repeatable && self.params.iter().skip(i + 1).any(|(other, _)| other == name) {
                return Err(InvalidInput::new(*name, "given more than once"));
            }
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

    /// Every value of a repeatable parameter, in order.
    fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.params.iter().filter(move |(n, _)| *n == name).map(|(_, v)| *v)
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

/// Reads `true` / `false`.
fn parse_bool(field: &str, value: &str) -> Result<bool, InvalidInput> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(InvalidInput::with_value(field, "must be true or false", value)),
    }
}

/// Reads a non-negative integer (the setter checks its range).
fn parse_u32(field: &str, value: &str) -> Result<u32, InvalidInput> {
    value.parse().map_err(|_| InvalidInput::with_value(field, "must be a whole number", value))
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Project Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Projects/operation/listGroupInvites";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Project Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Projects/operation/createGroupInvite";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Project Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Projects/operation/updateGroupInvites";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Project Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Projects/operation/getGroupInvite";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Project Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Projects/operation/updateGroupInviteById";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Project Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Projects/operation/deleteGroupInvite";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Organizations/operation/listOrgInvites";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Organizations/operation/createOrgInvite";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Organizations/operation/updateOrgInvites";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Organizations/operation/getOrgInvite";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Organizations/operation/updateOrgInviteById";
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
        deprecated: true;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Organizations/operation/deleteOrgInvite";
    }

    /// Paginated (see [`crate::paginate`]). With `2023-01-01` Atlas lists only ACTIVE users.
    ListOrgUsers {
        operation_id: "listOrgUsers";
        tag: "mongoDbCloudUsers";
        summary: "pending and active users of an organization, one page";
        request: GET "/api/atlas/v2/orgs/{orgId}/users";
        path: { org_id: OrgId = "orgId" };
        query: {
            include_count: Bool = "includeCount" => includes_count,
            items_per_page: PageSize = "itemsPerPage" => page_size,
            page_num: PageNum = "pageNum" => page,
            username: Email = "username" => username_filter since V2025_02_19,
            org_membership_statuses: Statuses = "orgMembershipStatuses" => status_filter since V2025_02_19,
        };
        output: Page<OrgUser>;
        paginated: OrgUser;
        versions: [V2023_01_01, V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
        deprecated: false;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Member"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/listOrgUsers";
    }

    /// Answers 201; 409 if a PENDING or ACTIVE user has that username (an expired or rejected
    /// one is replaced). Not idempotent: never retried once the request may have reached Atlas.
    CreateOrgUser {
        operation_id: "createOrgUser";
        tag: "mongoDbCloudUsers";
        summary: "invites a user to an organization (a PENDING user; Atlas answers 201)";
        request: POST "/api/atlas/v2/orgs/{orgId}/users";
        path: { org_id: OrgId = "orgId" };
        query: {};
        body: OrgUserRequest;
        output: OrgUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 201;
        deprecated: false;
        sunset: [];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/createOrgUser";
    }

    GetOrgUser {
        operation_id: "getOrgUser";
        tag: "mongoDbCloudUsers";
        summary: "one user of an organization by user id";
        request: GET "/api/atlas/v2/orgs/{orgId}/users/{userId}";
        path: { org_id: OrgId = "orgId", user_id: UserId = "userId" };
        query: { org_membership_statuses: Statuses = "orgMembershipStatuses" => status_filter since V2025_02_19 };
        output: OrgUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Organization Member"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/getOrgUser";
    }

    /// The body's fields are three-state: absent (unchanged), empty (reset) or set.
    UpdateOrgUser {
        operation_id: "updateOrgUser";
        tag: "mongoDbCloudUsers";
        summary: "updates the roles and teams of one organization user";
        request: PATCH "/api/atlas/v2/orgs/{orgId}/users/{userId}";
        path: { org_id: OrgId = "orgId", user_id: UserId = "userId" };
        query: {};
        body: OrgUserUpdateRequest;
        output: OrgUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/updateOrgUser";
    }

    /// With `2025-02-19` removes pending and active users; `2023-01-01` only active ones.
    RemoveOrgUser {
        operation_id: "removeOrgUser";
        tag: "mongoDbCloudUsers";
        summary: "removes one user from an organization (204, no body)";
        request: DELETE "/api/atlas/v2/orgs/{orgId}/users/{userId}";
        path: { org_id: OrgId = "orgId", user_id: UserId = "userId" };
        query: {};
        output: ();
        versions: [V2023_01_01, V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 204;
        deprecated: false;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/removeOrgUser";
    }

    /// One role per call. The SDK calls it `addOrgRole`.
    #[doc(alias = "addOrgRole")]
    AddOrgUserRole {
        operation_id: "addOrgUserRole", alias: "addOrgRole";
        tag: "mongoDbCloudUsers";
        summary: "adds one organization role to a user";
        request: POST "/api/atlas/v2/orgs/{orgId}/users/{userId}:addRole";
        path: { org_id: OrgId = "orgId", user_id: UserId = "userId" };
        query: {};
        body: OrgRoleChange;
        output: OrgUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/addOrgUserRole";
    }

    /// One role per call. The SDK calls it `removeOrgRole`.
    #[doc(alias = "removeOrgRole")]
    RemoveOrgUserRole {
        operation_id: "removeOrgUserRole", alias: "removeOrgRole";
        tag: "mongoDbCloudUsers";
        summary: "removes one organization role from a user";
        request: POST "/api/atlas/v2/orgs/{orgId}/users/{userId}:removeRole";
        path: { org_id: OrgId = "orgId", user_id: UserId = "userId" };
        query: {};
        body: OrgRoleChange;
        output: OrgUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/removeOrgUserRole";
    }

    /// Paginated. Users invited through the deprecated project invitation endpoint do not
    /// appear here (documented by Atlas).
    ListGroupUsers {
        operation_id: "listGroupUsers";
        tag: "mongoDbCloudUsers";
        summary: "users of a project, one page";
        request: GET "/api/atlas/v2/groups/{groupId}/users";
        path: { group_id: GroupId = "groupId" };
        query: {
            include_count: Bool = "includeCount" => includes_count,
            items_per_page: PageSize = "itemsPerPage" => page_size,
            page_num: PageNum = "pageNum" => page,
            flatten_teams: Bool = "flattenTeams" => flattens_teams,
            include_org_users: Bool = "includeOrgUsers" => includes_org_users,
            org_membership_statuses: Statuses = "orgMembershipStatuses" => status_filter since V2025_02_19,
            username: Email = "username" => username_filter since V2025_02_19,
        };
        output: Page<GroupUser>;
        paginated: GroupUser;
        versions: [V2023_01_01, V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
        deprecated: false;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Project Read Only"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/listGroupUsers";
    }

    /// Answers 201; also invites the user to the organization when needed. Requires Project
    /// Access Manager (the invitations needed Project Owner). Not idempotent.
    AddGroupUsers {
        operation_id: "addGroupUsers";
        tag: "mongoDbCloudUsers";
        summary: "adds a user to a project (Atlas answers 201)";
        request: POST "/api/atlas/v2/groups/{groupId}/users";
        path: { group_id: GroupId = "groupId" };
        query: {};
        body: GroupUserRequest;
        output: GroupUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 201;
        deprecated: false;
        sunset: [];
        roles: ["Project Access Manager"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/addGroupUsers";
    }

    GetGroupUser {
        operation_id: "getGroupUser";
        tag: "mongoDbCloudUsers";
        summary: "one user of a project by user id";
        request: GET "/api/atlas/v2/groups/{groupId}/users/{userId}";
        path: { group_id: GroupId = "groupId", user_id: UserId = "userId" };
        query: { org_membership_statuses: Statuses = "orgMembershipStatuses" => status_filter since V2025_02_19 };
        output: GroupUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Project Read Only"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/getGroupUser";
    }

    RemoveGroupUser {
        operation_id: "removeGroupUser";
        tag: "mongoDbCloudUsers";
        summary: "removes one user from a project (204, no body)";
        request: DELETE "/api/atlas/v2/groups/{groupId}/users/{userId}";
        path: { group_id: GroupId = "groupId", user_id: UserId = "userId" };
        query: {};
        output: ();
        versions: [V2023_01_01, V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 204;
        deprecated: false;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Project Access Manager"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/removeGroupUser";
    }

    /// One role per call; add before remove.
    AddGroupUserRole {
        operation_id: "addGroupUserRole";
        tag: "mongoDbCloudUsers";
        summary: "adds one project role to a user";
        request: POST "/api/atlas/v2/groups/{groupId}/users/{userId}:addRole";
        path: { group_id: GroupId = "groupId", user_id: UserId = "userId" };
        query: {};
        body: GroupRoleChange;
        output: GroupUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Project Access Manager"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/addGroupUserRole";
    }

    RemoveGroupUserRole {
        operation_id: "removeGroupUserRole";
        tag: "mongoDbCloudUsers";
        summary: "removes one project role from a user";
        request: POST "/api/atlas/v2/groups/{groupId}/users/{userId}:removeRole";
        path: { group_id: GroupId = "groupId", user_id: UserId = "userId" };
        query: {};
        body: GroupRoleChange;
        output: GroupUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Project Access Manager"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/removeGroupUserRole";
    }

    /// Paginated (no `includeCount`). The SDK calls it `listTeamUsers`.
    #[doc(alias = "listTeamUsers")]
    ListOrgTeamUsers {
        operation_id: "listOrgTeamUsers", alias: "listTeamUsers";
        tag: "mongoDbCloudUsers";
        summary: "users of a team, one page";
        request: GET "/api/atlas/v2/orgs/{orgId}/teams/{teamId}/users";
        path: { org_id: OrgId = "orgId", team_id: TeamId = "teamId" };
        query: {
            items_per_page: PageSize = "itemsPerPage" => page_size,
            page_num: PageNum = "pageNum" => page,
            username: Email = "username" => username_filter since V2025_02_19,
            org_membership_statuses: Statuses = "orgMembershipStatuses" => status_filter since V2025_02_19,
            user_id: Id = "userId" => user_id_filter since V2025_02_19,
        };
        output: Page<OrgUser>;
        paginated: OrgUser;
        versions: [V2023_01_01, V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: true;
        success: 200;
        deprecated: false;
        sunset: [V2023_01_01 = "2027-07-01"];
        roles: ["Organization Member"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/listOrgTeamUsers";
    }

    AddOrgTeamUser {
        operation_id: "addOrgTeamUser";
        tag: "mongoDbCloudUsers";
        summary: "adds one organization user to a team";
        request: POST "/api/atlas/v2/orgs/{orgId}/teams/{teamId}:addUser";
        path: { org_id: OrgId = "orgId", team_id: TeamId = "teamId" };
        query: {};
        body: TeamMember;
        output: OrgUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/addOrgTeamUser";
    }

    RemoveOrgTeamUser {
        operation_id: "removeOrgTeamUser";
        tag: "mongoDbCloudUsers";
        summary: "removes one user from a team";
        request: POST "/api/atlas/v2/orgs/{orgId}/teams/{teamId}:removeUser";
        path: { org_id: OrgId = "orgId", team_id: TeamId = "teamId" };
        query: {};
        body: TeamMember;
        output: OrgUser;
        versions: [V2025_02_19];
        envelope: true;
        pretty: true;
        idempotent: false;
        success: 200;
        deprecated: false;
        sunset: [];
        roles: ["Organization Owner"];
        docs: "https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/MongoDB-Cloud-Users/operation/removeOrgTeamUser";
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

    #[test]
    fn paginated_lists_are_visited_as_such() {
        struct Paged;
        impl Visitor for Paged {
            type Output = (&'static str, bool);
            fn visit<O: FromArgs>(self) -> Self::Output {
                (O::ENDPOINT.operation_id, false)
            }
            fn visit_paginated<O: FromArgs + Paginated<Item: serde::Serialize>>(self) -> Self::Output {
                (O::ENDPOINT.operation_id, true)
            }
        }
        let paged: Vec<&str> = ALL
            .iter()
            .filter(|e| visit(e.operation_id, Paged).is_some_and(|(_, p)| p))
            .map(|e| e.operation_id)
            .collect();
        assert_eq!(paged, ["listOrgUsers", "listGroupUsers", "listOrgTeamUsers"]);
        assert!(ALL.iter().all(|e| e.paginated == paged.contains(&e.operation_id)));
        assert_eq!(visit("listTeamUsers", Paged), Some(("listOrgTeamUsers", true)));
    }
}
