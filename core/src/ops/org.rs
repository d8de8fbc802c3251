//! Organization invitation operations (`/api/atlas/v2/orgs/{orgId}/invites`).

use super::json_body;
use crate::error::InvalidInput;
use crate::models::{OrganizationInvitation, OrganizationInvitationRequest, OrganizationInvitationUpdateRequest};
use crate::operation::{CallOptions, Endpoint, Operation, call_options};
use crate::validate::{IntoId, InvitationId, OrgId, check_email};
use http::Method;

/// `listOrgInvites`: pending invitations of an organization, optionally filtered by username.
///
/// ```
/// use atlas_admin_core::ops::ListOrgInvites;
/// let op = ListOrgInvites::new("32b6e34b3d91647abb20e7b8").unwrap().username("a+b@example.com").unwrap();
/// assert_eq!(op.username_filter(), Some("a+b@example.com"));
/// ```
#[derive(Clone, Debug)]
pub struct ListOrgInvites {
    org_id: OrgId,
    username: Option<String>,
    options: CallOptions,
}

impl ListOrgInvites {
    /// All pending invitations of the organization.
    pub fn new(org_id: impl IntoId<OrgId>) -> Result<Self, InvalidInput> {
        Ok(ListOrgInvites { org_id: org_id.into_id()?, username: None, options: CallOptions::default() })
    }

    /// Only the invitation of this e-mail (`?username=`).
    pub fn username(mut self, username: impl Into<String>) -> Result<Self, InvalidInput> {
        let username = username.into();
        check_email("username", &username)?;
        self.username = Some(username);
        Ok(self)
    }

    /// The username filter, if set.
    pub fn username_filter(&self) -> Option<&str> {
        self.username.as_deref()
    }
}
call_options!(ListOrgInvites);

impl Operation for ListOrgInvites {
    type Output = Vec<OrganizationInvitation>;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "listOrgInvites",
        method: Method::GET,
        path: "/api/atlas/v2/orgs/{orgId}/invites",
        success: 200,
        pretty: true,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("orgId", self.org_id.as_str())]
    }
    fn query(&self) -> Vec<(&'static str, &str)> {
        self.username.as_deref().map(|u| ("username", u)).into_iter().collect()
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `createOrgInvite`: invites a user to an organization (Atlas answers 200, not 201).
#[derive(Clone, Debug)]
pub struct CreateOrgInvite {
    org_id: OrgId,
    body: OrganizationInvitationRequest,
    options: CallOptions,
}

impl CreateOrgInvite {
    /// Invites `body.username` with `body.roles`.
    pub fn new(org_id: impl IntoId<OrgId>, body: OrganizationInvitationRequest) -> Result<Self, InvalidInput> {
        Ok(CreateOrgInvite { org_id: org_id.into_id()?, body, options: CallOptions::default() })
    }
}
call_options!(CreateOrgInvite);

impl Operation for CreateOrgInvite {
    type Output = OrganizationInvitation;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "createOrgInvite",
        method: Method::POST,
        path: "/api/atlas/v2/orgs/{orgId}/invites",
        success: 200,
        pretty: true,
        idempotent: false,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("orgId", self.org_id.as_str())]
    }
    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
        json_body(&self.body)
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `updateOrgInvites`: changes the pending invitation of `body.username` (roles, teams,
/// projects).
///
/// ```
/// use atlas_admin_core::{OrganizationInvitationRequest, OrgRole, ops::UpdateOrgInvites};
/// let body = OrganizationInvitationRequest::new("hello@example.com", [OrgRole::OrgMember]).unwrap();
/// let op = UpdateOrgInvites::new("4888442a3354817a7320eb61", body).unwrap();
/// assert!(UpdateOrgInvites::new("not-an-id", op.body().clone()).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct UpdateOrgInvites {
    org_id: OrgId,
    body: OrganizationInvitationRequest,
    options: CallOptions,
}

impl UpdateOrgInvites {
    /// Updates `body.username`'s pending invitation.
    pub fn new(org_id: impl IntoId<OrgId>, body: OrganizationInvitationRequest) -> Result<Self, InvalidInput> {
        Ok(UpdateOrgInvites { org_id: org_id.into_id()?, body, options: CallOptions::default() })
    }

    /// The request body.
    pub fn body(&self) -> &OrganizationInvitationRequest {
        &self.body
    }
}
call_options!(UpdateOrgInvites);

impl Operation for UpdateOrgInvites {
    type Output = OrganizationInvitation;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "updateOrgInvites",
        method: Method::PATCH,
        path: "/api/atlas/v2/orgs/{orgId}/invites",
        success: 200,
        pretty: true,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("orgId", self.org_id.as_str())]
    }
    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
        json_body(&self.body)
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `getOrgInvite`: one organization invitation by id.
#[derive(Clone, Debug)]
pub struct GetOrgInvite {
    org_id: OrgId,
    invitation_id: InvitationId,
    options: CallOptions,
}

impl GetOrgInvite {
    /// The invitation `invitation_id` of the organization.
    pub fn new(org_id: impl IntoId<OrgId>, invitation_id: impl IntoId<InvitationId>) -> Result<Self, InvalidInput> {
        Ok(GetOrgInvite {
            org_id: org_id.into_id()?,
            invitation_id: invitation_id.into_id()?,
            options: CallOptions::default(),
        })
    }
}
call_options!(GetOrgInvite);

impl Operation for GetOrgInvite {
    type Output = OrganizationInvitation;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "getOrgInvite",
        method: Method::GET,
        path: "/api/atlas/v2/orgs/{orgId}/invites/{invitationId}",
        success: 200,
        pretty: false,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("orgId", self.org_id.as_str()), ("invitationId", self.invitation_id.as_str())]
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `updateOrgInviteById`: new roles, teams and projects for one invitation.
#[derive(Clone, Debug)]
pub struct UpdateOrgInviteById {
    org_id: OrgId,
    invitation_id: InvitationId,
    body: OrganizationInvitationUpdateRequest,
    options: CallOptions,
}

impl UpdateOrgInviteById {
    /// Replaces roles, teams and projects of invitation `invitation_id`.
    pub fn new(
        org_id: impl IntoId<OrgId>,
        invitation_id: impl IntoId<InvitationId>,
        body: OrganizationInvitationUpdateRequest,
    ) -> Result<Self, InvalidInput> {
        Ok(UpdateOrgInviteById {
            org_id: org_id.into_id()?,
            invitation_id: invitation_id.into_id()?,
            body,
            options: CallOptions::default(),
        })
    }
}
call_options!(UpdateOrgInviteById);

impl Operation for UpdateOrgInviteById {
    type Output = OrganizationInvitation;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "updateOrgInviteById",
        method: Method::PATCH,
        path: "/api/atlas/v2/orgs/{orgId}/invites/{invitationId}",
        success: 200,
        pretty: true,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("orgId", self.org_id.as_str()), ("invitationId", self.invitation_id.as_str())]
    }
    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
        json_body(&self.body)
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `deleteOrgInvite`: cancels one pending organization invitation (204, no body).
#[derive(Clone, Debug)]
pub struct DeleteOrgInvite {
    org_id: OrgId,
    invitation_id: InvitationId,
    options: CallOptions,
}

impl DeleteOrgInvite {
    /// Cancels invitation `invitation_id`.
    pub fn new(org_id: impl IntoId<OrgId>, invitation_id: impl IntoId<InvitationId>) -> Result<Self, InvalidInput> {
        Ok(DeleteOrgInvite {
            org_id: org_id.into_id()?,
            invitation_id: invitation_id.into_id()?,
            options: CallOptions::default(),
        })
    }
}
call_options!(DeleteOrgInvite);

impl Operation for DeleteOrgInvite {
    type Output = ();
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "deleteOrgInvite",
        method: Method::DELETE,
        path: "/api/atlas/v2/orgs/{orgId}/invites/{invitationId}",
        success: 204,
        pretty: true,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("orgId", self.org_id.as_str()), ("invitationId", self.invitation_id.as_str())]
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
    fn decode(_body: &[u8]) -> Result<(), serde_json::Error> {
        Ok(())
    }
}
