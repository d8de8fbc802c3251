//! The migration helper (`atlas_admin_core::migrate`) through the real blocking client
//! against the fake Atlas, seeded with pending, expired and accepted invitations: the plan,
//! apply, a re-run that changes nothing (by the fake's counters), no delete before the
//! replacement exists (a fault on the create), and no second invitation.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_core::migrate::{self, Action, Options, Report, Scope};
use atlas_admin_core::ops::{AddGroupUsers, ListGroupInvites, ListOrgInvites};
use atlas_admin_core::{ApiResponse, Blocking, Execute};
use atlas_admin_core::{Error, GroupId, GroupUserRequest, Operation, OrgId, ProjectRole};
use atlas_admin_testing::fake::{FakeAtlas, Fault};
use atlas_admin_ureq::Client;
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 60 * 60);

fn client(fake: &FakeAtlas) -> Client {
    let c = fake.config();
    Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build().unwrap()
}

/// The client, with a 503 injected just before the create of one username (a create is not
/// retried after a 503), and a 403 just before the `:addRole` of one role.
struct Runner<'a> {
    client: Client,
    fake: &'a FakeAtlas,
    fail_create_of: Option<&'static str>,
    refuse_role: Option<&'static str>,
}

impl Execute for Runner<'_> {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        let id = O::ENDPOINT.operation_id;
        if let Some(who) = self.fail_create_of {
            let body = op.body().unwrap().unwrap_or_default();
            if matches!(id, "addGroupUsers" | "createOrgUser") && String::from_utf8_lossy(&body).contains(who) {
                self.fake.inject(Fault::ServiceUnavailable { retry_after_secs: None }, 1);
            }
        }
        if let Some(role) = self.refuse_role {
            let body = op.body().unwrap().unwrap_or_default();
            if id == "addGroupUserRole" && String::from_utf8_lossy(&body).contains(role) {
                self.fake.inject(Fault::Forbidden, 1);
            }
        }
        self.client.execute(op)
    }
}

/// POST and DELETE requests the fake saw, by operationId.
fn writes(fake: &FakeAtlas) -> Vec<(String, u64)> {
    let writes = ["addGroupUsers", "createOrgUser", "deleteGroupInvite", "deleteOrgInvite", "addGroupUserRole"];
    fake.counters().by_operation.into_iter().filter(|(k, _)| writes.contains(&k.as_str())).collect()
}

fn action(report: &Report, username: &str) -> Action {
    report.users.iter().find(|u| u.username == username).unwrap_or_else(|| panic!("no {username}")).action
}

fn group_invitees(client: &Client, group: &str) -> Vec<String> {
    let list = client.execute(&ListGroupInvites::new(group).unwrap()).unwrap().value;
    list.into_iter().filter_map(|i| i.username).collect()
}

#[test]
fn project_invitations_move_once_and_a_rerun_changes_nothing() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let t = fake.now();
    fake.seed_invitation(false, "ada@example.com", &["GROUP_READ_ONLY"], t);
    fake.seed_invitation(false, "bob@example.com", &["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"], t);
    fake.seed_invitation(false, "old@example.com", &["GROUP_READ_ONLY"], t - 31 * DAY);
    fake.seed_invitation(false, "cat@example.com", &["GROUP_READ_ONLY"], t);
    fake.accept_invitation("cat@example.com").unwrap();
    fake.seed_invitation(false, "dan@example.com", &["GROUP_READ_ONLY"], t);
    let mut runner = Runner { client: client(&fake), fake: &fake, fail_create_of: None, refuse_role: None };
    // dan already has a Cloud Users replacement (project invitations stay invisible to it).
    let body = GroupUserRequest::new("dan@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    let dan = runner.client.execute(&AddGroupUsers::new(&c.group_id, body).unwrap()).unwrap().value.id.unwrap();
    fake.reset_counters();
    let scope = Scope::Group(GroupId::new(c.group_id.clone()).unwrap());

    let plan = migrate::blocking(migrate::plan(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    let actions: Vec<(&str, Action, Vec<&str>)> = plan
        .entries
        .iter()
        .map(|e| (e.username.as_str(), e.action, e.calls.iter().map(|c| c.operation_id).collect()))
        .collect();
    assert_eq!(
        actions,
        [
            ("ada@example.com", Action::Replace, vec!["addGroupUsers", "deleteGroupInvite"]),
            ("bob@example.com", Action::Replace, vec!["addGroupUsers", "deleteGroupInvite"]),
            ("old@example.com", Action::Skip, vec![]),
            ("dan@example.com", Action::AlreadyPresent, vec!["deleteGroupInvite"]),
        ],
        "the accepted invitation (cat) is gone, so not planned"
    );
    let bob = &plan.entries[1].calls[0];
    assert_eq!(bob.request, format!("POST /api/atlas/v2/groups/{}/users", c.group_id));
    assert_eq!(
        bob.body.as_ref().unwrap()["roles"],
        serde_json::json!(["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"])
    );
    assert_eq!(plan.entries[3].existing_user.as_ref().unwrap().id.as_deref(), Some(dan.as_str()));
    assert_eq!(plan.changes(), 3, "ada, bob and dan: invitees, not calls");
    assert!(writes(&fake).is_empty(), "plan is read-only: {:?}", writes(&fake));

    // First run: bob's create fails, so his invitation must stay.
    runner.fail_create_of = Some("bob@example.com");
    let first = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    assert_eq!(action(&first, "ada@example.com"), Action::Replace);
    assert_eq!(action(&first, "bob@example.com"), Action::Fail);
    assert_eq!(action(&first, "old@example.com"), Action::Skip);
    assert_eq!(action(&first, "dan@example.com"), Action::AlreadyPresent);
    let bob = first.users.iter().find(|u| u.username == "bob@example.com").unwrap();
    assert!(bob.reason.as_deref().unwrap().contains("addGroupUsers failed"), "{bob:?}");
    assert!(bob.done.is_empty());
    assert_eq!((first.changes, first.failed()), (2, 1), "ada and dan changed");
    assert_eq!(group_invitees(&runner.client, &c.group_id), ["bob@example.com", "old@example.com"]);
    assert_eq!(
        writes(&fake),
        [("addGroupUsers".to_owned(), 2), ("deleteGroupInvite".to_owned(), 2)],
        "ada's and bob's creates (bob's refused), ada's and dan's deletes; none for dan's create"
    );

    // Second run: only bob is left to do.
    runner.fail_create_of = None;
    fake.reset_counters();
    let second = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    assert_eq!(action(&second, "bob@example.com"), Action::Replace);
    assert_eq!((second.users.len(), second.changes, second.failed()), (2, 1, 0));
    assert_eq!(second.summary, "1 invitee changed, no failures");
    assert_eq!(writes(&fake), [("addGroupUsers".to_owned(), 1), ("deleteGroupInvite".to_owned(), 1)]);

    // Third run: nothing to change, and not one POST or DELETE.
    fake.reset_counters();
    let third = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    assert_eq!((third.changes, third.summary.as_str()), (0, "nothing to change"));
    assert_eq!(action(&third, "old@example.com"), Action::Skip);
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
    assert_eq!(group_invitees(&runner.client, &c.group_id), ["old@example.com"]);

    // No double invitation: one user per invitee, with the invited roles.
    let users = fake.org_users();
    for who in ["ada@example.com", "bob@example.com", "dan@example.com", "cat@example.com"] {
        assert_eq!(users.iter().filter(|u| u["username"] == who).count(), 1, "{who}");
    }
    assert!(!users.iter().any(|u| u["username"] == "old@example.com"), "expired: not re-invited");
    let bob = users.iter().find(|u| u["username"] == "bob@example.com").unwrap();
    assert_eq!(bob["orgMembershipStatus"], "PENDING");
    let roles = &bob["roles"]["groupRoleAssignments"][0]["groupRoles"];
    assert_eq!(roles, &serde_json::json!(["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]));
}

/// Issue 14: a project user who exists but lacks invited roles must not lose them when the
/// invitation is deleted. The plan says `add_roles` (each missing role by `:addRole`, then the
/// delete); a refused `:addRole` keeps the invitation and fails the invitee; the re-run adds
/// what is still missing and only then deletes; a third run changes nothing.
#[test]
fn a_user_lacking_invited_roles_gets_them_before_the_invitation_is_deleted() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let invited = ["GROUP_READ_ONLY", "GROUP_DATA_ACCESS_READ_ONLY", "GROUP_CLUSTER_MANAGER"];
    fake.seed_invitation(false, "eve@example.com", &invited, fake.now());
    let mut runner = Runner { client: client(&fake), fake: &fake, fail_create_of: None, refuse_role: None };
    let body = GroupUserRequest::new("eve@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    runner.client.execute(&AddGroupUsers::new(&c.group_id, body).unwrap()).unwrap();
    fake.reset_counters();
    let scope = Scope::Group(GroupId::new(c.group_id.clone()).unwrap());
    let eve_roles = || {
        let users = fake.org_users();
        let eve = users.iter().find(|u| u["username"] == "eve@example.com").unwrap();
        let mut roles: Vec<String> = eve["roles"]["groupRoleAssignments"][0]["groupRoles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect();
        roles.sort();
        roles
    };

    let plan = migrate::blocking(migrate::plan(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    let entry = &plan.entries[0];
    assert_eq!(entry.action, Action::AddRoles, "{entry:?}");
    let calls: Vec<&str> = entry.calls.iter().map(|c| c.operation_id).collect();
    assert_eq!(calls, ["addGroupUserRole", "addGroupUserRole", "deleteGroupInvite"]);
    assert_eq!(plan.changes(), 1);

    // The second :addRole is refused (403): the invitation stays, eve keeps what she got.
    runner.refuse_role = Some("GROUP_CLUSTER_MANAGER");
    let first = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    assert_eq!(action(&first, "eve@example.com"), Action::Fail);
    assert!(first.users[0].reason.as_deref().unwrap().ends_with("the invitation is kept"), "{first:?}");
    assert_eq!(group_invitees(&runner.client, &c.group_id), ["eve@example.com"]);
    assert_eq!(eve_roles(), ["GROUP_DATA_ACCESS_READ_ONLY", "GROUP_READ_ONLY"]);
    assert_eq!(writes(&fake), [("addGroupUserRole".to_owned(), 2)], "no delete");

    // The re-run adds the one role still missing, then deletes the invitation.
    runner.refuse_role = None;
    fake.reset_counters();
    let second = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    assert_eq!((action(&second, "eve@example.com"), second.failed()), (Action::AddRoles, 0));
    assert_eq!(writes(&fake), [("addGroupUserRole".to_owned(), 1), ("deleteGroupInvite".to_owned(), 1)]);
    assert!(group_invitees(&runner.client, &c.group_id).is_empty());
    let mut want = invited.map(str::to_owned).to_vec();
    want.sort();
    assert_eq!(eve_roles(), want, "every invited role is held");

    fake.reset_counters();
    let third = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    assert_eq!((third.changes, third.summary.as_str()), (0, "nothing to change"));
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
}

#[test]
fn org_invitations_are_already_users_and_expired_ones_are_reinvited_only_when_asked() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let t = fake.now();
    let eve_invitation = fake.seed_invitation(true, "eve@example.com", &["ORG_READ_ONLY"], t);
    fake.seed_invitation(true, "fay@example.com", &["ORG_MEMBER"], t - 31 * DAY);
    fake.seed_invitation(true, "gus@example.com", &["ORG_MEMBER"], t);
    fake.accept_invitation("gus@example.com").unwrap();
    let mut runner = Runner { client: client(&fake), fake: &fake, fail_create_of: None, refuse_role: None };
    let scope = Scope::Org(OrgId::new(c.org_id.clone()).unwrap());

    let plan = migrate::blocking(migrate::plan(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    let actions: Vec<(&str, Action)> = plan.entries.iter().map(|e| (e.username.as_str(), e.action)).collect();
    assert_eq!(actions, [("eve@example.com", Action::AlreadyPresent), ("fay@example.com", Action::Skip)]);
    let eve = plan.entries[0].existing_user.as_ref().unwrap();
    assert_eq!(eve.status, "PENDING");
    assert_ne!(eve.id.as_deref(), Some(eve_invitation.as_str()), "a user id, not the invitation id");
    assert_eq!(plan.changes(), 0);

    let report = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, Options::default(), fake.now())).unwrap();
    assert_eq!((report.changes, report.summary.as_str()), (0, "nothing to change"));
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));

    // Re-inviting fay: the first create fails, her invitation stays; the next run replaces it.
    let reinvite = Options::default().reinvite_expired(true);
    runner.fail_create_of = Some("fay@example.com");
    let failed = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, reinvite, fake.now())).unwrap();
    assert_eq!((action(&failed, "fay@example.com"), failed.changes), (Action::Fail, 0));
    let invitees = |client: &Client| -> Vec<String> {
        let list = client.execute(&ListOrgInvites::new(&c.org_id).unwrap()).unwrap().value;
        list.into_iter().filter_map(|i| i.username).collect()
    };
    assert_eq!(invitees(&runner.client), ["eve@example.com", "fay@example.com"]);
    runner.fail_create_of = None;
    fake.reset_counters();
    let replaced = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, reinvite, fake.now())).unwrap();
    assert_eq!((action(&replaced, "fay@example.com"), replaced.changes), (Action::Replace, 1));
    assert_eq!(action(&replaced, "eve@example.com"), Action::AlreadyPresent);
    assert_eq!(writes(&fake), [("createOrgUser".to_owned(), 1)]);
    fake.reset_counters();
    let again = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, reinvite, fake.now())).unwrap();
    assert_eq!(again.changes, 0);
    assert!(writes(&fake).is_empty(), "{:?}", writes(&fake));
    assert!(invitees(&runner.client).contains(&"eve@example.com".to_owned()), "org invitations are never deleted");
    let fay: Vec<_> = fake.org_users().into_iter().filter(|u| u["username"] == "fay@example.com").collect();
    assert_eq!(fay.len(), 1);
    assert_eq!(fay[0]["orgMembershipStatus"], "PENDING");
}

/// Review finding: the invitee's status in Atlas decides, not the local clock. An org
/// invitation whose user Atlas already shows as INVITATION_EXPIRED is not re-invited without
/// `reinvite_expired`, even when the local clock (here 40 days slow) thinks it is still valid.
#[test]
fn atlas_says_expired_even_when_the_local_clock_does_not() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    fake.seed_invitation(true, "late@example.com", &["ORG_MEMBER"], fake.now() - 31 * DAY);
    let runner = Runner { client: client(&fake), fake: &fake, fail_create_of: None, refuse_role: None };
    let scope = Scope::Org(atlas_admin_core::OrgId::new(c.org_id.clone()).unwrap());
    let slow_clock = fake.now() - 40 * DAY;
    let plan = migrate::blocking(migrate::plan(&Blocking(&runner), &scope, Options::default(), slow_clock)).unwrap();
    let entry = plan.entries.iter().find(|e| e.username == "late@example.com").unwrap();
    assert_eq!((entry.action, entry.expired), (Action::Skip, true), "{entry:?}");
    fake.reset_counters();
    let report = migrate::blocking(migrate::apply(&Blocking(&runner), &scope, Options::default(), slow_clock)).unwrap();
    assert_eq!(report.changes, 0);
    assert!(writes(&fake).is_empty(), "nobody re-invited: {:?}", writes(&fake));
    let reinvite = Options::default().reinvite_expired(true);
    let plan = migrate::blocking(migrate::plan(&Blocking(&runner), &scope, reinvite, slow_clock)).unwrap();
    let entry = plan.entries.iter().find(|e| e.username == "late@example.com").unwrap();
    assert_eq!(entry.action, Action::Replace, "{entry:?}");
}
