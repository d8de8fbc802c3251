//! The migration helper through the async client against the fake Atlas: a pending project
//! invitation is replaced, an expired one skipped, and a re-run (in a spawned task, so the
//! future is `Send`) changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use atlas_admin_hyper::Client;
use atlas_admin_hyper::core::GroupId;
use atlas_admin_hyper::core::migrate::{Action, Options, Scope};
use atlas_admin_testing::fake::FakeAtlas;
use std::time::Duration;

#[tokio::test]
async fn async_migrate_replaces_then_changes_nothing() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let t = fake.now();
    fake.seed_invitation(false, "ada@example.com", &["GROUP_READ_ONLY"], t);
    fake.seed_invitation(false, "old@example.com", &["GROUP_READ_ONLY"], t - Duration::from_secs(31 * 86_400));
    let client = Client::builder()
        .base_url(&fake.base_url())
        .api_key(c.public_key.clone(), c.private_key.clone())
        .build()
        .unwrap();
    let scope = Scope::Group(GroupId::new(c.group_id.clone()).unwrap());

    let plan = client.migration_plan(&scope, Options::default()).await.unwrap();
    assert_eq!(plan.changes(), 1, "ada: one invitee, two calls");
    let first = client.migrate(&scope, Options::default()).await.unwrap();
    let actions: Vec<Action> = first.users.iter().map(|u| u.action).collect();
    assert_eq!(actions, [Action::Replace, Action::Skip]);
    assert_eq!(fake.counters().by_operation.get("addGroupUsers"), Some(&1));

    let again = tokio::spawn({
        let (client, scope) = (client.clone(), scope.clone());
        async move { client.migrate(&scope, Options::default()).await }
    });
    let again = again.await.unwrap().unwrap();
    assert_eq!((again.changes, again.summary.as_str()), (0, "nothing to change"));
    assert_eq!(fake.counters().by_operation.get("addGroupUsers"), Some(&1), "no second invitation");
    assert_eq!(fake.counters().by_operation.get("deleteGroupInvite"), Some(&1));
}
