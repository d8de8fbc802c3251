//! Quickstart: the Cloud Users lifecycle that replaces the deprecated invitations, with the
//! blocking client.
//!
//! ```text
//! cargo run -p atlas-admin-ureq --example quickstart-users
//! ```
//!
//! With no `MONGODB_ATLAS_*` credentials set it starts a fake Atlas in this process on
//! 127.0.0.1 and runs six calls with the fake's API key (HTTP Digest): create an org user
//! (201, PENDING), add them to a project (201, the same user id), add a project role, remove
//! one, remove the user from the organization (204), and read them again (a typed 404,
//! handled). To run it against Atlas, set credentials, `MONGODB_ATLAS_ORG_ID`,
//! `MONGODB_ATLAS_GROUP_ID` (a project of that organization), `MONGODB_ATLAS_INVITE_USERNAME`
//! (Atlas e-mails it an invitation; step 5 removes the user) and optionally
//! `MONGODB_ATLAS_BASE_URL`. Exit status: 0 success, 1 an unexpected error, 2 a settings error.

use atlas_admin_testing::quickstart::{self, Failure, Quickstart};
use atlas_admin_testing::stdio;
use atlas_admin_ureq::core::{GroupRoleChange, GroupUserRequest, OrgUserRequest, OrgUserRolesRequest};
use atlas_admin_ureq::ops::{
    AddGroupUserRole, AddGroupUsers, CreateOrgUser, GetOrgUser, RemoveGroupUserRole, RemoveOrgUser,
};
use atlas_admin_ureq::{OrgRole, ProjectRole, Ureq};
use std::process::ExitCode;

fn main() -> ExitCode {
    quickstart::exit(run())
}

fn run() -> Result<(), Failure> {
    let (mut q, builder) = Quickstart::start_users::<Ureq>("atlas-admin-ureq, blocking")?;
    let client = builder.build()?;
    let (org, group, user) = (q.org()?, q.group_id.clone(), q.username.clone());

    q.step("createOrgUser", &format!("invite {user} to the organization as ORG_MEMBER"));
    let body = OrgUserRequest::new(&user, OrgUserRolesRequest::new([OrgRole::OrgMember])?)?;
    let created = q.show_user("created", client.execute(&CreateOrgUser::new(&org, body)?)?);
    let id = Quickstart::user_id_of(&created)?;

    q.step("addGroupUsers", "add the user to the project as GROUP_READ_ONLY");
    let body = GroupUserRequest::new(&user, [ProjectRole::GroupReadOnly])?;
    let added = q.show_user("added", client.execute(&AddGroupUsers::new(&group, body)?)?);
    if added.user_id().as_ref() != Some(&id) {
        return Err(Failure::Unexpected(format!("addGroupUsers answered another user: {:?}", added.id)));
    }

    q.step("addGroupUserRole", "grant GROUP_DATA_ACCESS_READ_ONLY too (one role per :addRole)");
    let role = GroupRoleChange::new(ProjectRole::GroupDataAccessReadOnly)?;
    q.show_user("role added", client.execute(&AddGroupUserRole::new(&group, &id, role)?)?);

    q.step("removeGroupUserRole", "take GROUP_READ_ONLY away");
    let role = GroupRoleChange::new(ProjectRole::GroupReadOnly)?;
    q.show_user("role removed", client.execute(&RemoveGroupUserRole::new(&group, &id, role)?)?);

    q.step("removeOrgUser", &format!("remove user {id} from the organization (and its projects)"));
    q.show_deleted(client.execute(&RemoveOrgUser::new(&org, &id)?)?);

    q.step("getOrgUser", "read the removed user again: expect a typed 404");
    q.expect_not_found(client.execute(&GetOrgUser::new(&org, &id)?))?;

    q.summary();
    if client.revoke_token()? {
        stdio::out("Revoked the service account's token.\n");
    }
    Ok(())
}
