//! Every operation's version retires at its sunset on a clock the test set, the hand-written
//! ones too: the invitation endpoints and the 2023-01-01 variants of the Cloud Users lists
//! answer 410 `VERSION_GONE` from 2027-07-01, and their current versions go on answering. On
//! the wall clock every version is served (a suite's outcome does not depend on the day it
//! runs), unless `FakeConfig::retire_on_wall_clock` is set.

use atlas_admin_core::ops::{ListGroupInvites, ListOrgInvites, ListOrgUsers};
use atlas_admin_core::{ApiVersion, Error, Timestamp};
use atlas_admin_testing::fake::FakeAtlas;
use atlas_admin_ureq::Client;
use std::time::Duration;

fn client(fake: &FakeAtlas) -> Client {
    let c = fake.config();
    Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build().unwrap()
}

fn gone(r: Result<impl std::fmt::Debug, Error>) -> (u16, String) {
    let e = r.expect_err("refused");
    let api = e.api_error().unwrap_or_else(|| panic!("not an Atlas error: {e}"));
    (api.status.as_u16(), api.error_code().to_owned())
}

#[test]
fn hand_written_operations_answer_410_past_their_sunset_on_the_fake_clock() {
    let fake = FakeAtlas::start();
    let atlas = client(&fake);
    let (g, o) = (fake.config().group_id.clone(), fake.config().org_id.clone());
    let sunset = Timestamp::parse("2027-07-01T00:00:00Z").system_time().unwrap();
    fake.set_clock(sunset - Duration::from_secs(1));
    let before = atlas.execute(&ListGroupInvites::new(&g).unwrap()).unwrap();
    assert_eq!(before.meta.status.as_u16(), 200);
    assert!(before.meta.sunset.is_some(), "the observed Sunset header: {:?}", before.meta);
    let legacy = ListOrgUsers::new(&o).unwrap().api_version(ApiVersion::V2023_01_01);
    assert_eq!(atlas.execute(&legacy).unwrap().meta.status.as_u16(), 200);

    fake.advance(Duration::from_secs(1));
    let expected = (410, "VERSION_GONE".to_owned());
    assert_eq!(gone(atlas.execute(&ListGroupInvites::new(&g).unwrap())), expected);
    assert_eq!(gone(atlas.execute(&ListOrgInvites::new(&o).unwrap())), expected);
    assert_eq!(gone(atlas.execute(&legacy)), expected);
    // The current version of the same operation is served.
    let current = atlas.execute(&ListOrgUsers::new(&o).unwrap()).unwrap();
    assert_eq!(current.meta.status.as_u16(), 200);
    assert_eq!(fake.counters().by_operation.get("listGroupInvites"), Some(&2), "routed, then refused");
}

/// A version whose sunset has passed on the wall clock (the spec has several)
/// is served on the wall clock, even moved forward, with its `Sunset` header; it is gone once
/// the test sets the clock, or on the wall clock with `retire_on_wall_clock`.
#[cfg(feature = "fake-full")]
#[test]
fn on_the_wall_clock_versions_retire_only_when_configured_to() {
    use atlas_admin_core::ops::Custom;
    use atlas_admin_testing::fake::FakeConfig;
    use std::time::SystemTime;
    let now = SystemTime::now();
    // A list whose only version's sunset (2026-01-22) has passed on the wall clock.
    let e = atlas_admin_core::catalog::find("listGroupPrivateEndpointServerlessInstanceEndpoint").unwrap();
    let version = e.default_version();
    let sunset = e.sunset(version).and_then(|d| Timestamp::parse(format!("{d}T00:00:00Z")).system_time());
    assert!(sunset.is_some_and(|t| t < now), "{sunset:?}");
    let call = |fake: &FakeAtlas| {
        let op = Custom::new(e.method.clone(), e.path, version).unwrap().named(e.operation_id).unwrap();
        let op = op.path_param("groupId", &fake.config().group_id).unwrap();
        client(fake).execute(&op.path_param("instanceName", "serverless0").unwrap())
    };
    let fake = FakeAtlas::start();
    let served = call(&fake).unwrap_or_else(|err| panic!("{} {version}: {err}", e.operation_id));
    assert!(served.meta.sunset.is_some_and(|s| s.system_time() < now), "a past Sunset: {:?}", served.meta);
    fake.advance(Duration::from_secs(86_400));
    assert!(call(&fake).is_ok(), "a moved wall clock is still the wall clock");
    fake.set_clock(now);
    assert_eq!(gone(call(&fake)), (410, "VERSION_GONE".to_owned()), "a clock the test set");

    let strict = FakeAtlas::start_with(FakeConfig { retire_on_wall_clock: true, ..FakeConfig::default() }).unwrap();
    assert_eq!(gone(call(&strict)), (410, "VERSION_GONE".to_owned()), "configured to retire on the wall clock");
}
