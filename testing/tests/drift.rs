//! The fake learns from cassettes: the drift check replays a cassette against the fake and
//! reports where it answers differently; seeding puts a cassette's objects into the fake.

use atlas_admin_testing::cassette::drift::{self, DriftKind};
use atlas_admin_testing::cassette::{Body, Cassette};
use atlas_admin_testing::fake::FakeAtlas;
use serde_json::Value;
use std::path::PathBuf;

fn committed(name: &str) -> Cassette {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("cassettes").join(name);
    Cassette::load(&path).unwrap()
}

const COMMITTED: [&str; 2] = ["invitation_lifecycle_api_key.json", "invitation_lifecycle_service_account.json"];

#[test]
fn the_committed_cassettes_show_no_drift() {
    for name in COMMITTED {
        let cassette = committed(name);
        let fake = FakeAtlas::start();
        let report = drift::check(&cassette, &fake);
        assert!(report.is_clean(), "{name}:\n{report}");
        let api = cassette.interactions.iter().filter(|i| matches!(i.purpose, atlas_admin_core::Purpose::Api { .. }));
        assert_eq!(report.compared, api.count(), "{name}: every operation attempt is compared");
        assert_eq!(report.compared + report.skipped, cassette.interactions.len());
        assert!(report.skipped >= 1, "{name}: the auth exchange is skipped");
        assert!(report.to_string().starts_with("no drift: 7 interactions compared"), "{report}");
    }
}
