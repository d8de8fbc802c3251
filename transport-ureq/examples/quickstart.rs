//! Quickstart: the whole project invitation lifecycle with the blocking client.
//!
//! ```text
//! cargo run -p atlas-admin-ureq --example quickstart
//! ```
//!
//! With no `MONGODB_ATLAS_*` credentials set it starts a fake Atlas in this process on
//! 127.0.0.1 (nothing leaves the machine) and runs seven calls with the fake's API key (HTTP
//! Digest): create, list by username, update by username (the seed call), update by id, get,
//! delete, and get again (a typed 404, handled). Each step prints its HTTP exchanges; a summary
//! compares calls with HTTP requests. To run it against Atlas, set credentials
//! (`MONGODB_ATLAS_PUBLIC_API_KEY` + `_PRIVATE_API_KEY`, or `MONGODB_ATLAS_CLIENT_ID` +
//! `_CLIENT_SECRET`), `MONGODB_ATLAS_GROUP_ID`, `MONGODB_ATLAS_INVITE_USERNAME` (Atlas e-mails
//! it; step 6 cancels the invitation) and optionally `MONGODB_ATLAS_BASE_URL`.
//!
//! Choosing the target and printing live in `atlas_admin_testing::quickstart`, shared with the
//! async quickstart. Exit status: 0 success, 1 an unexpected error, 2 a settings error.

use atlas_admin_testing::quickstart::{self, Failure, Quickstart};
use atlas_admin_testing::stdio;
use atlas_admin_ureq::ops::{
    CreateGroupInvite, DeleteGroupInvite, GetGroupInvite, ListGroupInvites, UpdateGroupInviteById, UpdateGroupInvites,
};
use atlas_admin_ureq::{GroupInvitationRequest, GroupInvitationUpdateRequest, ProjectRole, Ureq};
use std::process::ExitCode;

fn main() -> ExitCode {
    quickstart::exit(run())
}

fn run() -> Result<(), Failure> {
    let (mut q, builder) = Quickstart::start::<Ureq>("atlas-admin-ureq, blocking")?;
    let client = builder.build()?;
    let (group, user) = (q.group_id.clone(), q.username.clone());

    q.step("createGroupInvite", &format!("invite {user} to the project as GROUP_READ_ONLY"));
    let body = GroupInvitationRequest::new(&user, [ProjectRole::GroupReadOnly])?;
    let created = q.show("created", client.execute(&CreateGroupInvite::new(&group, body)?)?);
    let id = Quickstart::id_of(&created)?;

    q.step("listGroupInvites", &format!("list the project's pending invitations for username={user}"));
    q.show_list(client.execute(&ListGroupInvites::new(&group)?.username(&user)?)?);

    q.step("updateGroupInvites", "set the roles to GROUP_BACKUP_MANAGER, choosing the invitation by username");
    let body = GroupInvitationRequest::new(&user, [ProjectRole::GroupBackupManager])?;
    q.show("updated", client.execute(&UpdateGroupInvites::new(&group, body)?)?);

    q.step("updateGroupInviteById", "set the roles to GROUP_CLUSTER_MANAGER + GROUP_READ_ONLY, by invitation id");
    let roles = GroupInvitationUpdateRequest::new([ProjectRole::GroupClusterManager, ProjectRole::GroupReadOnly])?;
    q.show("updated", client.execute(&UpdateGroupInviteById::new(&group, &id, roles)?)?);

    q.step("getGroupInvite", &format!("read invitation {id} back"));
    q.show("got", client.execute(&GetGroupInvite::new(&group, &id)?)?);

    q.step("deleteGroupInvite", &format!("cancel invitation {id}"));
    q.show_deleted(client.execute(&DeleteGroupInvite::new(&group, &id)?)?);

    q.step("getGroupInvite", "read the deleted invitation again: expect a typed 404");
    q.expect_not_found(client.execute(&GetGroupInvite::new(&group, &id)?))?;

    q.summary();
    // A service account's token outlives this program unless it is revoked.
    if client.revoke_token()? {
        stdio::out("Revoked the service account's token.\n");
    }
    Ok(())
}
