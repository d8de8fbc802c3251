//! The async twin of the README's example: one function written against `ExecuteAsync`,
//! spawned on Tokio (its future is `Send`), tested with the ready double and with the fake
//! Atlas through the real async client.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_core::ops::{GetOrgUser, ListOrgUsers, RemoveOrgUser};
use atlas_admin_core::{Error, ExecuteAsync, OrgMembershipStatus, OrgUser, Page};
use atlas_admin_hyper::Client;
use atlas_admin_testing::doubles::Scripted;
use atlas_admin_testing::fake::{FakeAtlas, SeedUser};

/// The user's code: removes the organization user with this e-mail; `false` if there is none.
async fn remove_by_email<E: ExecuteAsync>(atlas: &E, org: &str, email: &str) -> Result<bool, Error> {
    let page = atlas.execute(&ListOrgUsers::new(org)?.username(email)?).await?.value;
    let Some(id) = page.results.first().and_then(|u| u.user_id()) else {
        return Ok(false);
    };
    atlas.execute(&RemoveOrgUser::new(org, id)?).await?;
    Ok(true)
}

/// Runs `remove_by_email` on a spawned task: compiles only if its future is `Send`.
async fn spawned<E: ExecuteAsync + Clone + Send + Sync + 'static>(atlas: &E, org: &str, email: &str) -> bool {
    let (atlas, org, email) = (atlas.clone(), org.to_owned(), email.to_owned());
    tokio::spawn(async move { remove_by_email(&atlas, &org, &email).await.unwrap() }).await.unwrap()
}

#[tokio::test]
async fn with_the_ready_double() {
    let (org, user) = ("a0123456789abcdef012345a", "5f8d0a1b2c3d4e5f6a7b8c9d");
    let atlas = Scripted::new();
    atlas
        .ok::<ListOrgUsers>(Page::new(vec![OrgUser::active("ada@example.com").with_id(user)]))
        .ok::<RemoveOrgUser>(())
        .ok::<ListOrgUsers>(Page::new(vec![]));
    assert!(spawned(&atlas, org, "ada@example.com").await);
    assert!(!spawned(&atlas, org, "ada@example.com").await);
    let ops: Vec<_> = atlas.calls().iter().map(|c| c.operation_id).collect();
    assert_eq!(ops, ["listOrgUsers", "removeOrgUser", "listOrgUsers"]);
    assert_eq!(atlas.calls_to::<RemoveOrgUser>()[0].param("userId"), Some(user));
    atlas.assert_done();
}

#[tokio::test]
async fn with_the_fake_atlas() {
    let fake = FakeAtlas::start();
    let c = fake.config().clone();
    let client = Client::builder().base_url(&fake.base_url()).api_key(c.public_key, c.private_key).build().unwrap();
    let id = fake.seed_org_user(SeedUser::new("ada@example.com", OrgMembershipStatus::Active)).unwrap();

    assert!(spawned(&client, &c.org_id, "ada@example.com").await);
    assert!(!spawned(&client, &c.org_id, "ada@example.com").await);
    let gone = client.execute(&GetOrgUser::new(&c.org_id, id.as_str()).unwrap()).await.unwrap_err();
    assert!(gone.is_not_found());
}

/// The models a double's answers are built from are at this crate's root like their siblings
/// (this compiles only while they are; the core's `reexports` test checks the prelude has all).
#[test]
fn a_double_answer_from_the_root_paths() {
    use atlas_admin_hyper::{GroupRoles, Invitation, Link, OrgUserRoles, Profile};
    let roles = OrgUserRoles::default();
    let user = OrgUser::pending("ada@example.com").with_roles(roles.clone()).with_invitation(Invitation::default());
    assert_eq!((user.roles, user.status), (roles, OrgMembershipStatus::Pending));
    let _ = (GroupRoles::default(), Profile::default(), Link::new("self", "https://cloud.mongodb.com"));
}
