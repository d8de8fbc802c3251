//! The `Sunset` warning: once per operation per client (clones included), through the hook,
//! for successes and Atlas errors; none for an endpoint that is not deprecated.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use atlas_admin_testing::fake::FakeAtlas;
use atlas_admin_ureq::Client;
use atlas_admin_ureq::core::ops::{GetGroupInvite, GetOrgUser, ListGroupInvites, ListOrgInvites, ListOrgUsers};
use atlas_admin_ureq::{ApiVersion, SunsetWarning};
use std::sync::{Arc, Mutex};

fn new_client(fake: &FakeAtlas) -> Client {
    let c = fake.config();
    Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build().unwrap()
}

#[test]
fn each_deprecated_operation_warns_once_per_client() {
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let client = new_client(&fake);
    let seen: Arc<Mutex<Vec<SunsetWarning>>> = Arc::default();
    let sink = Arc::clone(&seen);
    client.on_sunset(move |w| sink.lock().unwrap().push(w.clone()));

    let list = ListGroupInvites::new(&c.group_id).unwrap();
    for _ in 0..3 {
        let r = client.execute(&list).unwrap();
        assert!(r.meta.sunset.is_some(), "the fake marks invitations deprecated");
    }
    client.clone().execute(&list).unwrap(); // a clone shares the memory
    // An Atlas error from another deprecated operation warns too (its headers carry Sunset).
    let missing = GetGroupInvite::new(&c.group_id, "0123456789abcdef01234567").unwrap();
    assert!(client.execute(&missing).unwrap_err().is_not_found());
    client.execute(&ListOrgInvites::new(&c.org_id).unwrap()).unwrap();
    // The Cloud Users API at its default version is not deprecated: no warning.
    client.execute(&ListOrgUsers::new(&c.org_id).unwrap()).unwrap();
    let _ = client.execute(&GetOrgUser::new(&c.org_id, "0123456789abcdef01234567").unwrap());
    // Its 2023-01-01 variant is.
    let old = ListOrgUsers::new(&c.org_id).unwrap().api_version(ApiVersion::V2023_01_01);
    client.execute(&old).unwrap();
    client.execute(&old).unwrap();

    let seen = seen.lock().unwrap();
    let ops: Vec<&str> = seen.iter().map(|w| w.operation).collect();
    assert_eq!(ops, ["listGroupInvites", "getGroupInvite", "listOrgInvites", "listOrgUsers"]);
    assert!(seen[0].to_string().contains("listGroupInvites is deprecated"), "{}", seen[0]);
    assert!(seen[0].sunset.is_some_and(|s| s.to_string().contains("2027")), "{}", seen[0]);

    // A new client starts afresh.
    let other = new_client(&fake);
    let again: Arc<Mutex<u32>> = Arc::default();
    let count = Arc::clone(&again);
    other.on_sunset(move |_| *count.lock().unwrap() += 1);
    other.execute(&list).unwrap();
    other.execute(&list).unwrap();
    assert_eq!(*again.lock().unwrap(), 1);
}

/// A described operation warns under its name (once per name), and every exchange event
/// names it; unnamed, it is `custom`.
#[test]
fn a_described_operation_warns_under_its_name() {
    use atlas_admin_ureq::core::ops::Custom;
    let fake = FakeAtlas::start_day_independent();
    let c = fake.config().clone();
    let exchanges: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let seen_exchanges = Arc::clone(&exchanges);
    let client = Client::builder()
        .base_url(&fake.base_url())
        .api_key(c.public_key.clone(), c.private_key.clone())
        .on_exchange(move |e| seen_exchanges.lock().unwrap().push(e.operation.unwrap_or_default()))
        .build()
        .unwrap();
    let seen: Arc<Mutex<Vec<&'static str>>> = Arc::default();
    let sink = Arc::clone(&seen);
    client.on_sunset(move |w| sink.lock().unwrap().push(w.operation));
    let list = Custom::new(http::Method::GET, "/api/atlas/v2/groups/{groupId}/invites", ApiVersion::V2023_01_01)
        .unwrap()
        .path_param("groupId", &c.group_id)
        .unwrap();
    let named = list.clone().named("listInvitesRaw").unwrap();
    for op in [&named, &named, &list, &list] {
        assert!(client.execute(op).unwrap().meta.sunset.is_some());
    }
    assert_eq!(*seen.lock().unwrap(), ["listInvitesRaw", "custom"]);
    let exchanges = exchanges.lock().unwrap();
    assert_eq!(*exchanges, ["listInvitesRaw", "listInvitesRaw", "listInvitesRaw", "custom", "custom"]);
}
