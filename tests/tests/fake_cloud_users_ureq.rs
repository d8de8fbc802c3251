//! The fake Atlas's Cloud Users API through the real blocking client
//! (`atlas_admin_ureq::Client::execute`, Digest auth): expiry on the fake's clock, a typed
//! error, and a full walk over pages with the core's paginator, counted by the fake. (The
//! replacement lifecycle over all 16 operations is the conformance suite's, for both transports.)
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_core::ops::{AddOrgTeamUser, GetOrgUser, ListGroupUsers, ListOrgUsers};
use atlas_admin_core::paginate::Paginator;
use atlas_admin_core::{Error, ErrorCode, OrgMembershipStatus, TeamMember};
use atlas_admin_testing::fake::{FakeAtlas, SeedUser};
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
fn add_to_team_needs_a_member_and_expiry_follows_the_fake_clock() {
    let fake = FakeAtlas::start();
    let client = client(&fake);
    let c = fake.config().clone();
    let id = fake.seed_org_user(SeedUser::new("late@example.com", OrgMembershipStatus::Pending)).unwrap();
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
    fake.seed_users(1234, OrgMembershipStatus::Active, true).unwrap();
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
