//! Project invitation operations (`/api/atlas/v2/groups/{groupId}/invites`).

use super::json_body;
use crate::error::InvalidInput;
use crate::models::{GroupInvitation, GroupInvitationRequest, GroupInvitationUpdateRequest};
use crate::operation::{CallOptions, Endpoint, Operation, call_options};
use crate::validate::{GroupId, IntoId, InvitationId, check_email};
use http::Method;

/// `listGroupInvites`: pending invitations of a project, optionally filtered by username.
///
/// ```
/// use atlas_admin_core::ops::ListGroupInvites;
/// let op = ListGroupInvites::new("32b6e34b3d91647abb20e7b8").unwrap().username("a+b@example.com").unwrap();
/// assert_eq!(op.username_filter(), Some("a+b@example.com"));
/// ```
#[derive(Clone, Debug)]
pub struct ListGroupInvites {
    group_id: GroupId,
    username: Option<String>,
    options: CallOptions,
}

impl ListGroupInvites {
    /// All pending invitations of the project.
    pub fn new(group_id: impl IntoId<GroupId>) -> Result<Self, InvalidInput> {
        Ok(ListGroupInvites { group_id: group_id.into_id()?, username: None, options: CallOptions::default() })
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
call_options!(ListGroupInvites);

impl Operation for ListGroupInvites {
    type Output = Vec<GroupInvitation>;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "listGroupInvites",
        method: Method::GET,
        path: "/api/atlas/v2/groups/{groupId}/invites",
        success: 200,
        pretty: true,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("groupId", self.group_id.as_str())]
    }
    fn query(&self) -> Vec<(&'static str, &str)> {
        self.username.as_deref().map(|u| ("username", u)).into_iter().collect()
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `createGroupInvite`: invites a user to a project (Atlas answers 200, not 201).
#[derive(Clone, Debug)]
pub struct CreateGroupInvite {
    group_id: GroupId,
    body: GroupInvitationRequest,
    options: CallOptions,
}

impl CreateGroupInvite {
    /// Invites `body.username` with `body.roles`.
    pub fn new(group_id: impl IntoId<GroupId>, body: GroupInvitationRequest) -> Result<Self, InvalidInput> {
        Ok(CreateGroupInvite { group_id: group_id.into_id()?, body, options: CallOptions::default() })
    }
}
call_options!(CreateGroupInvite);

impl Operation for CreateGroupInvite {
    type Output = GroupInvitation;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "createGroupInvite",
        method: Method::POST,
        path: "/api/atlas/v2/groups/{groupId}/invites",
        success: 200,
        pretty: true,
        idempotent: false,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("groupId", self.group_id.as_str())]
    }
    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
        json_body(&self.body)
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `updateGroupInvites` (the seed operation): changes the roles of the pending invitation of
/// `body.username`. Deprecated by Atlas; live until its `Sunset`.
///
/// ```
/// use atlas_admin_core::{GroupInvitationRequest, ProjectRole, ops::UpdateGroupInvites};
/// let body = GroupInvitationRequest::new("hello@example.com", [ProjectRole::GroupBackupManager]).unwrap();
/// let op = UpdateGroupInvites::new("32b6e34b3d91647abb20e7b8", body).unwrap();
/// assert!(UpdateGroupInvites::new("not-an-id", op.body().clone()).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct UpdateGroupInvites {
    group_id: GroupId,
    body: GroupInvitationRequest,
    options: CallOptions,
}

impl UpdateGroupInvites {
    /// Sets the roles of `body.username`'s pending invitation to `body.roles`.
    pub fn new(group_id: impl IntoId<GroupId>, body: GroupInvitationRequest) -> Result<Self, InvalidInput> {
        Ok(UpdateGroupInvites { group_id: group_id.into_id()?, body, options: CallOptions::default() })
    }

    /// The request body.
    pub fn body(&self) -> &GroupInvitationRequest {
        &self.body
    }
}
call_options!(UpdateGroupInvites);

impl Operation for UpdateGroupInvites {
    type Output = GroupInvitation;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "updateGroupInvites",
        method: Method::PATCH,
        path: "/api/atlas/v2/groups/{groupId}/invites",
        success: 200,
        pretty: true,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("groupId", self.group_id.as_str())]
    }
    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
        json_body(&self.body)
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `getGroupInvite`: one project invitation by id.
#[derive(Clone, Debug)]
pub struct GetGroupInvite {
    group_id: GroupId,
    invitation_id: InvitationId,
    options: CallOptions,
}

impl GetGroupInvite {
    /// The invitation `invitation_id` of the project.
    pub fn new(group_id: impl IntoId<GroupId>, invitation_id: impl IntoId<InvitationId>) -> Result<Self, InvalidInput> {
        Ok(GetGroupInvite {
            group_id: group_id.into_id()?,
            invitation_id: invitation_id.into_id()?,
            options: CallOptions::default(),
        })
    }
}
call_options!(GetGroupInvite);

impl Operation for GetGroupInvite {
    type Output = GroupInvitation;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "getGroupInvite",
        method: Method::GET,
        path: "/api/atlas/v2/groups/{groupId}/invites/{invitationId}",
        success: 200,
        pretty: true,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("groupId", self.group_id.as_str()), ("invitationId", self.invitation_id.as_str())]
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `updateGroupInviteById` (the SDK's `UpdateInviteById`): new roles for one invitation.
#[doc(alias = "updateInviteById")]
#[derive(Clone, Debug)]
pub struct UpdateGroupInviteById {
    group_id: GroupId,
    invitation_id: InvitationId,
    body: GroupInvitationUpdateRequest,
    options: CallOptions,
}

impl UpdateGroupInviteById {
    /// Sets the roles of invitation `invitation_id`.
    pub fn new(
        group_id: impl IntoId<GroupId>,
        invitation_id: impl IntoId<InvitationId>,
        body: GroupInvitationUpdateRequest,
    ) -> Result<Self, InvalidInput> {
        Ok(UpdateGroupInviteById {
            group_id: group_id.into_id()?,
            invitation_id: invitation_id.into_id()?,
            body,
            options: CallOptions::default(),
        })
    }
}
call_options!(UpdateGroupInviteById);

impl Operation for UpdateGroupInviteById {
    type Output = GroupInvitation;
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "updateGroupInviteById",
        method: Method::PATCH,
        path: "/api/atlas/v2/groups/{groupId}/invites/{invitationId}",
        success: 200,
        pretty: false,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("groupId", self.group_id.as_str()), ("invitationId", self.invitation_id.as_str())]
    }
    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
        json_body(&self.body)
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
}

/// `deleteGroupInvite`: cancels one pending project invitation (204, no body).
#[derive(Clone, Debug)]
pub struct DeleteGroupInvite {
    group_id: GroupId,
    invitation_id: InvitationId,
    options: CallOptions,
}

impl DeleteGroupInvite {
    /// Cancels invitation `invitation_id`.
    pub fn new(group_id: impl IntoId<GroupId>, invitation_id: impl IntoId<InvitationId>) -> Result<Self, InvalidInput> {
        Ok(DeleteGroupInvite {
            group_id: group_id.into_id()?,
            invitation_id: invitation_id.into_id()?,
            options: CallOptions::default(),
        })
    }
}
call_options!(DeleteGroupInvite);

impl Operation for DeleteGroupInvite {
    type Output = ();
    const ENDPOINT: Endpoint = Endpoint {
        operation_id: "deleteGroupInvite",
        method: Method::DELETE,
        path: "/api/atlas/v2/groups/{groupId}/invites/{invitationId}",
        success: 204,
        pretty: false,
        idempotent: true,
    };
    fn path_params(&self) -> Vec<(&'static str, &str)> {
        vec![("groupId", self.group_id.as_str()), ("invitationId", self.invitation_id.as_str())]
    }
    fn options(&self) -> &CallOptions {
        &self.options
    }
    fn decode(_body: &[u8]) -> Result<(), serde_json::Error> {
        Ok(())
    }
}
