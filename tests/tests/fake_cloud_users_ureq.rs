//! The fake Atlas's Cloud Users API through the real blocking client
//! (`atlas_admin_ureq::Client::execute`, Digest auth): the replacement lifecycle, typed
//! errors, and a full walk over pages with the core's paginator, counted by the fake.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_core::ops::{
    AddGroupUserRole, AddGroupUsers, AddOrgTeamUser, CreateOrgUser, GetGroupUser, GetOrgUser, ListGroupUsers,
    ListOrgUsers, RemoveGroupUser, RemoveGroupUserRole, RemoveOrgUser, RemoveOrgUserRole,
};
use atlas_admin_core::paginate::Paginator;
use atlas_admin_core::{
    Error, ErrorCode, GroupRoleChange, GroupUserRequest, OrgMembershipStatus, OrgRole, OrgRoleChange, OrgUserRequest,
    OrgUserRolesRequest, ProjectRole, TeamMember,
};
use atlas_admin_tests::fake::{FakeAtlas, MembershipStatus, SeedUser};
use atlas_admin_ureq::Client;
use std::collections::HashSet;

fn client(fake: &FakeAtlas) -> Client {
    let c = fake.config();
    Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build().unwrap()
}

fn api_code(e: &Error) -> ErrorCode {
    e.code().unwrap_or_else(|| panic!("not an Atlas error: {e:?}"))
}

#[test]
fn replacement_lifecycle_create_add_role_remove_role_remove() {
    let fake = FakeAtlas::start();
    let client = client(&fake);
    let c = fake.config().clone();
    let body = OrgUserRequest::new("ada@example.com", OrgUserRolesRequest::new([OrgRole::OrgMember]).unwrap()).unwrap();
    let created = client.execute(&CreateOrgUser::new(&c.org_id, body.clone()).unwrap()).unwrap();
    assert_eq!(created.meta.status, 201);
    assert_eq!(created.value.status, OrgMembershipStatus::Pending);
    assert!(created.value.invitation().unwrap().invitation_expires_at.is_some());
    let user_id = created.value.user_id().unwrap();

    let dup = client.execute(&CreateOrgUser::new(&c.org_id, body).unwrap()).unwrap_err();
    assert!(dup.is_conflict(), "{dup:?}");
    assert_eq!(api_code(&dup), ErrorCode::UserAlreadyExists);

    let add = GroupUserRequest::new("ada@example.com", [ProjectRole::GroupReadOnly]).unwrap();
    let added = client.execute(&AddGroupUsers::new(&c.group_id, add).unwrap()).unwrap();
    assert_eq!(added.meta.status, 201);
    assert_eq!(added.value.user_id(), Some(user_id.clone()), "the same user, now in the project");

    let role = GroupRoleChange::new(ProjectRole::GroupDataAccessReadOnly).unwrap();
    let with_two = client.execute(&AddGroupUserRole::new(&c.group_id, user_id.clone(), role).unwrap()).unwrap();
    assert_eq!(with_two.value.roles, [ProjectRole::GroupReadOnly, ProjectRole::GroupDataAccessReadOnly]);
    let old = GroupRoleChange::new(ProjectRole::GroupReadOnly).unwrap();
    let with_one = client.execute(&RemoveGroupUserRole::new(&c.group_id, user_id.clone(), old).unwrap()).unwrap();
    assert_eq!(with_one.value.roles, [ProjectRole::GroupDataAccessReadOnly]);
    let last = GroupRoleChange::new(ProjectRole::GroupDataAccessReadOnly).unwrap();
    let refused = client.execute(&RemoveGroupUserRole::new(&c.group_id, user_id.clone(), last).unwrap()).unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(api_code(&refused), ErrorCode::Other("CANNOT_REMOVE_LAST_ROLE".into()));
    let last_org = OrgRoleChange::new(OrgRole::OrgMember).unwrap();
    let refused = client.execute(&RemoveOrgUserRole::new(&c.org_id, user_id.clone(), last_org).unwrap()).unwrap_err();
    assert_eq!(api_code(&refused), ErrorCode::Other("CANNOT_REMOVE_LAST_ROLE".into()));

    let gone = client.execute(&RemoveGroupUser::new(&c.group_id, user_id.clone()).unwrap()).unwrap();
    assert_eq!(gone.meta.status, 204);
    let err = client.execute(&GetGroupUser::new(&c.group_id, user_id.clone()).unwrap()).unwrap_err();
    assert_eq!(api_code(&err), ErrorCode::ResourceNotFound);
    client.execute(&RemoveOrgUser::new(&c.org_id, user_id.clone()).unwrap()).unwrap();
    let err = client.execute(&GetOrgUser::new(&c.org_id, user_id).unwrap()).unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    let counters = fake.counters();
    assert_eq!(counters.challenges, 1, "one Digest challenge, then preemptive signing");
    for (op, n) in [("createOrgUser", 2), ("addGroupUsers", 1), ("addGroupUserRole", 1), ("removeGroupUserRole", 2)] {
        assert_eq!(counters.by_operation[op], n, "{op}");
    }
}

#[test]
fn add_to_team_needs_a_member_and_expiry_follows_the_fake_clock() {
    let fake = FakeAtlas::start();
    let client = client(&fake);
    let c = fake.config().clone();
    let id = fake.seed_org_user(SeedUser::new("late@example.com", MembershipStatus::Pending));
    fake.advance(std::time::Duration::from_secs(31 * 86_400));
    let got = client.execute(&GetOrgUser::new(&c.org_id, id.as_str()).unwrap()).unwrap();
    assert_eq!(got.value.status, OrgMembershipStatus::InvitationExpired);
    let add = AddOrgTeamUser::new(&c.org_id, &c.team_id, TeamMember::new(id.as_str()).unwrap()).unwrap();
    let err = client.execute(&add).unwrap_err();
    assert_eq!(api_code(&err), ErrorCode::UserNotInOrg);
}

/// The figure: 1,234 users, `itemsPerPage=500`: exactly 3 list requests (+1
/// challenge), every user exactly once, with `includeCount` true and false.
#[test]
fn paginator_walks_1234_users_in_3_requests() {
    let fake = FakeAtlas::start();
    fake.seed_users(1234, MembershipStatus::Active, true);
    for count in [true, false] {
        let client = client(&fake);
        fake.reset_counters();
        let mut seen = HashSet::new();
        let mut pages = Paginator::new(
            ListOrgUsers::new(&fake.config().org_id).unwrap().items_per_page(500).unwrap().include_count(count),
        );
        while let Some(op) = pages.next_op() {
            let page = client.execute(&op.unwrap()).unwrap().value;
            assert_eq!(page.total_count, count.then_some(1234));
            pages.handle(&page);
            for user in page.results {
                assert!(seen.insert(user.username.unwrap()), "a user twice");
            }
        }
        assert_eq!(seen.len(), 1234);
        let c = fake.counters();
        assert_eq!((c.by_operation["listOrgUsers"], c.challenges), (3, 1), "includeCount={count}");
    }
    let client = client(&fake);
    fake.reset_counters();
    let mut n = 0;
    let mut pages = Paginator::new(ListGroupUsers::new(&fake.config().group_id).unwrap().items_per_page(500).unwrap());
    while let Some(op) = pages.next_op() {
        let page = client.execute(&op.unwrap()).unwrap().value;
        pages.handle(&page);
        n += page.results.len();
    }
    assert_eq!((n, fake.counters().by_operation["listGroupUsers"]), (1234, 3));
}
