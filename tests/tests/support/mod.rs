//! What the tests that drive the fake through the blocking client share: the client, the
//! value each parameter is given, whether a version is past its sunset.
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

use atlas_admin_core::{ApiVersion, Endpoint};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, example_value};
use atlas_admin_ureq::Client;
use std::time::SystemTime;

/// A blocking client of `fake`, with its API key.
pub fn client(fake: &FakeAtlas) -> Client {
    let c = fake.config();
    Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build().unwrap()
}

/// The value the requests give parameter `name` of `e`: the demo project, organization or
/// team, else a valid example of its kind.
pub fn value(e: &Endpoint, name: &str, config: &FakeConfig) -> String {
    match name {
        "groupId" => config.group_id.clone(),
        "orgId" => config.org_id.clone(),
        "teamId" => config.team_id.clone(),
        _ => example_value(&e.param(name).expect("a listed parameter").kind),
    }
}

/// Whether `version` of `e` is past its sunset at `now`.
pub fn gone(e: &Endpoint, version: ApiVersion, now: SystemTime) -> bool {
    e.sunset_date(version).is_some_and(|sunset| now >= sunset.system_time())
}

/// Seeds a cluster in the demo project by the name the requests give `clusterName`, so the
/// operations below clusters reach it; that name.
pub fn seed_example_cluster(fake: &FakeAtlas) -> String {
    let kind = atlas_admin_core::catalog::find("getGroupCluster").and_then(|e| e.param("clusterName")).map(|p| p.kind);
    let name = example_value(&kind.expect("getGroupCluster has a clusterName"));
    let clusters = format!("/api/atlas/v2/groups/{}/clusters", fake.config().group_id);
    fake.seed_resource(&clusters, serde_json::json!({ "name": name })).unwrap();
    name
}

/// The spec's status in place of the one real Atlas answers (`fake::ATLAS_STATUSES`), if
/// `status` of `operation` is one.
pub fn spec_status_for(operation: &str, status: u16) -> Option<u16> {
    atlas_admin_testing::fake::ATLAS_STATUSES
        .iter()
        .find(|(op, s, _, _)| *op == operation && *s == status)
        .map(|&(_, _, spec, _)| spec)
}
