//! Every operation's version retires at its sunset on the fake's clock, whatever its kind, the
//! hand-written ones too: the invitation endpoints and the 2023-01-01 variants of the Cloud
//! Users lists answer 410 `VERSION_GONE` from 2027-07-01, and their current versions go on
//! answering. `FakeConfig::serve_past_sunset` serves every version whatever the day.

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

/// A version whose sunset has passed on the wall clock (the spec has several) is gone on a
/// fake started with nothing set, as on Atlas; moving the clock or setting it before the sunset
/// decides, and `serve_past_sunset` serves it (with its past `Sunset`).
#[cfg(feature = "fake-full")]
#[test]
fn versions_retire_on_the_wall_clock_unless_served_past_their_sunset() {
    use atlas_admin_core::ops::Custom;
    use atlas_admin_testing::fake::FakeConfig;
    use std::time::SystemTime;
    let now = SystemTime::now();
    // A list whose only version's sunset (2026-01-22) has passed on the wall clock.
    let e = atlas_admin_core::catalog::find("listGroupPrivateEndpointServerlessInstanceEndpoint").unwrap();
    let version = e.default_version();
    let sunset = e.sunset_date(version).expect("a sunset date").system_time();
    assert!(sunset < now, "{sunset:?}");
    let call = |fake: &FakeAtlas| {
        let op = Custom::new(e.method.clone(), e.path, version).unwrap().named(e.operation_id).unwrap();
        let op = op.path_param("groupId", &fake.config().group_id).unwrap();
        client(fake).execute(&op.path_param("instanceName", "serverless0").unwrap())
    };
    let fake = FakeAtlas::start();
    let expected = (410, "VERSION_GONE".to_owned());
    assert_eq!(gone(call(&fake)), expected, "past its sunset on the wall clock");
    fake.advance(Duration::from_secs(86_400));
    assert_eq!(gone(call(&fake)), expected, "the wall clock moved forward");
    fake.set_clock(sunset - Duration::from_secs(1));
    let served = call(&fake).unwrap_or_else(|err| panic!("{} {version}: {err}", e.operation_id));
    assert!(served.meta.sunset.is_some_and(|s| s.system_time() == sunset), "its Sunset: {:?}", served.meta);
    fake.advance(Duration::from_secs(1));
    assert_eq!(gone(call(&fake)), expected, "advanced onto its sunset");

    let lenient = FakeAtlas::start_with(FakeConfig { serve_past_sunset: true, ..FakeConfig::default() }).unwrap();
    let served = call(&lenient).unwrap_or_else(|err| panic!("served past its sunset: {err}"));
    assert_eq!(served.meta.status.as_u16(), 200);
    assert!(served.meta.sunset.is_some_and(|s| s.system_time() < now), "a past Sunset: {:?}", served.meta);
}
