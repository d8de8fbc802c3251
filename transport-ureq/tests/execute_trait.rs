//! The README's "Testing your own code" example: one function written against the `Execute`
//! trait, tested with the ready double (`Scripted`) and with the fake Atlas through the real
//! blocking client. (Cassette replay, the third way, comes with the recorder.)
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_testing::doubles::Scripted;
use atlas_admin_testing::fake::{FakeAtlas, SeedUser};
use atlas_admin_ureq::ops::GetOrgUser;
use atlas_admin_ureq::{Client, OrgMembershipStatus, OrgUser, Page};
use atlas_admin_ureq::{
    Error, ErrorCode, Execute, StatusCode,
    ops::{ListOrgUsers, RemoveOrgUser},
};

/// The user's code: removes the organization user with this e-mail; `false` if there is none.
fn remove_by_email<E: Execute>(atlas: &E, org: &str, email: &str) -> Result<bool, Error> {
    let page = atlas.execute(&ListOrgUsers::new(org)?.username(email)?)?.value;
    let Some(id) = page.results.first().and_then(|u| u.user_id()) else { return Ok(false) };
    atlas.execute(&RemoveOrgUser::new(org, id)?)?;
    Ok(true)
}

const ORG_ID: &str = "a0123456789abcdef012345a";
const USER_ID: &str = "5f8d0a1b2c3d4e5f6a7b8c9d";

#[test]
fn with_the_ready_double() {
    let atlas = Scripted::new();
    atlas
        .ok::<ListOrgUsers>(Page::new(vec![OrgUser::active("ada@example.com").with_id(USER_ID)]))
        .ok::<RemoveOrgUser>(())
        .ok::<ListOrgUsers>(Page::new(vec![]));
    assert!(remove_by_email(&atlas, ORG_ID, "ada@example.com").unwrap());
    assert!(!remove_by_email(&atlas, ORG_ID, "nobody@example.com").unwrap());
    let calls = atlas.calls();
    let ops: Vec<_> = calls.iter().map(|c| c.operation_id).collect();
    assert_eq!(ops, ["listOrgUsers", "removeOrgUser", "listOrgUsers"]);
    assert_eq!(calls[0].query_param("username"), Some("ada@example.com"));
    assert_eq!(calls[1].param("userId"), Some(USER_ID));
    atlas.assert_done();
}

#[test]
fn with_a_double_that_fails() {
    let atlas = Scripted::new();
    atlas.on::<ListOrgUsers>(|_| Err(Error::api(StatusCode::FORBIDDEN, ErrorCode::IpAddressNotOnAccessList)));
    let err = remove_by_email(&atlas, ORG_ID, "ada@example.com").unwrap_err();
    assert!(err.is_forbidden());
    assert!(atlas.calls_to::<RemoveOrgUser>().is_empty());
}

#[test]
fn with_the_fake_atlas() {
    let fake = FakeAtlas::start();
    let c = fake.config().clone();
    let client = Client::builder().base_url(&fake.base_url()).api_key(c.public_key, c.private_key).build().unwrap();
    let id = fake.seed_org_user(SeedUser::new("ada@example.com", OrgMembershipStatus::Active)).unwrap();

    assert!(remove_by_email(&client, &c.org_id, "ada@example.com").unwrap());
    assert!(!remove_by_email(&client, &c.org_id, "ada@example.com").unwrap());
    let gone = client.execute(&GetOrgUser::new(&c.org_id, id.as_str()).unwrap()).unwrap_err();
    assert!(gone.is_not_found());
    // The same function runs over a shared pointer to the client.
    assert!(!remove_by_email(&std::sync::Arc::new(client), &c.org_id, "ada@example.com").unwrap());
}

/// The models a double's answers are built from are at this crate's root like their siblings
/// (this compiles only while they are; the core's `reexports` test checks the prelude has all).
#[test]
fn a_double_answer_from_the_root_paths() {
    use atlas_admin_ureq::{GroupRoles, Invitation, Link, OrgUserRoles, Profile};
    let roles = OrgUserRoles::default();
    let user = OrgUser::pending("ada@example.com").with_roles(roles.clone()).with_invitation(Invitation::default());
    assert_eq!((user.roles, user.status), (roles, OrgMembershipStatus::Pending));
    let _ = (GroupRoles::default(), Profile::default(), Link::new("self", "https://cloud.mongodb.com"));
}
