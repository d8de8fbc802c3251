//! The `Sunset` warning on the async client: once per operation per client, through the hook.
#![allow(clippy::unwrap_used)]

use atlas_admin_hyper::Client;
use atlas_admin_hyper::core::ops::{ListGroupInvites, ListOrgUsers};
use atlas_admin_testing::fake::FakeAtlas;
use std::sync::{Arc, Mutex};

/// A client of `fake` and the operations its Sunset hook was called for, in order.
fn watched(fake: &FakeAtlas) -> (Client, Arc<Mutex<Vec<&'static str>>>) {
    let c = fake.config();
    let client =
        Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build();
    let client = client.unwrap();
    let seen: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let sink = Arc::clone(&seen);
    client.on_sunset(move |w| sink.lock().unwrap().push(w.operation));
    (client, seen)
}

#[tokio::test]
async fn each_deprecated_operation_warns_once() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let (client, seen) = watched(&fake);
    let list = ListGroupInvites::new(&c.group_id).unwrap();
    for _ in 0..3 {
        assert!(client.execute(&list).await.unwrap().meta.sunset.is_some());
    }
    client.execute(&ListOrgUsers::new(&c.org_id).unwrap()).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), ["listGroupInvites"]);
}

/// A described operation warns under its name, once.
#[tokio::test]
async fn a_described_operation_warns_under_its_name() {
    use atlas_admin_hyper::core::ops::Custom;
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let (client, seen) = watched(&fake);
    let list = Custom::new(
        http::Method::GET,
        "/api/atlas/v2/groups/{groupId}/invites",
        atlas_admin_hyper::ApiVersion::V2023_01_01,
    )
    .unwrap()
    .path_param("groupId", &c.group_id)
    .unwrap()
    .named("listInvitesRaw")
    .unwrap();
    for _ in 0..2 {
        assert!(client.execute(&list).await.unwrap().meta.sunset.is_some());
    }
    assert_eq!(*seen.lock().unwrap(), ["listInvitesRaw"]);
}
