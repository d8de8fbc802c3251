//! The `Sunset` warning on the async client: once per operation per client, through the hook.
#![allow(clippy::unwrap_used)]

use atlas_admin_hyper::Client;
use atlas_admin_hyper::core::ops::{ListGroupInvites, ListOrgUsers};
use atlas_admin_testing::fake::FakeAtlas;
use std::sync::{Arc, Mutex};

#[tokio::test]
async fn each_deprecated_operation_warns_once() {
    let fake = FakeAtlas::start();
    let c = fake.config().clone();
    let client =
        Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build();
    let client = client.unwrap();
    let seen: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let sink = Arc::clone(&seen);
    client.on_sunset(move |w| sink.lock().unwrap().push(w.operation));
    let list = ListGroupInvites::new(&c.group_id).unwrap();
    for _ in 0..3 {
        assert!(client.execute(&list).await.unwrap().meta.sunset.is_some());
    }
    client.execute(&ListOrgUsers::new(&c.org_id).unwrap()).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), ["listGroupInvites"]);
}
