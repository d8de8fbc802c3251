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

/// The index of the first operation attempt of `operation`.
fn attempt_of(cassette: &Cassette, operation: &str) -> usize {
    cassette
        .interactions
        .iter()
        .position(|i| i.operation == operation && matches!(i.purpose, atlas_admin_core::Purpose::Api { .. }))
        .unwrap()
}

#[test]
fn an_edited_cassette_shows_exactly_its_edits() {
    let mut cassette = committed(COMMITTED[0]);
    // A status changed, a field removed (so the fake's is extra), a field's value changed, a
    // field added (so the fake's answer lacks it), a kept header's value changed.
    let get = attempt_of(&cassette, "getGroupInvite");
    cassette.interactions[get].response.status = 201;
    let list = attempt_of(&cassette, "listGroupInvites");
    let Body::Json(Value::Array(items)) = &mut cassette.interactions[list].response.body else { panic!() };
    let Value::Object(first) = &mut items[0] else { panic!() };
    assert!(first.remove("groupName").is_some());
    first.insert("username".into(), "someone.else@example.com".into());
    first.insert("teamIds".into(), Value::Array(Vec::new()));
    let update = attempt_of(&cassette, "updateGroupInvites");
    cassette.interactions[update].response.headers.insert("sunset".into(), "Fri, 1 Jan 2027 00:00:00 GMT".into());

    let fake = FakeAtlas::start();
    let report = drift::check(&cassette, &fake);
    let expected = vec![
        (list, DriftKind::ExtraField { path: "body[0].groupName".into() }),
        (list, DriftKind::FieldValue {
            path: "body[0].username".into(),
            recorded: "\"someone.else@example.com\"".into(),
            fake: "\"cassette.user@example.com\"".into(),
        }),
        (list, DriftKind::MissingField { path: "body[0].teamIds".into() }),
        (update, DriftKind::Header {
            name: "sunset".into(),
            recorded: Some("Fri, 1 Jan 2027 00:00:00 GMT".into()),
            fake: Some("Thu, 1 Jul 2027 00:00:00 GMT".into()),
        }),
        (get, DriftKind::Status { recorded: 201, fake: 200 }),
    ];
    let mut found: Vec<(usize, DriftKind)> = report.differences.iter().map(|d| (d.interaction, d.kind.clone())).collect();
    let mut expected_sorted = expected.clone();
    found.sort_by_key(|(i, k)| (*i, format!("{k:?}")));
    expected_sorted.sort_by_key(|(i, k)| (*i, format!("{k:?}")));
    assert_eq!(found, expected_sorted, "{report}");
    // Readable: a summary line, then one line per difference naming the interaction.
    let text = report.to_string();
    println!("{text}");
    assert_eq!(text.lines().count(), 1 + expected.len(), "{text}");
    assert!(text.contains(&format!("#{get} getGroupInvite: status: recorded 201, fake 200")), "{text}");
    assert!(text.contains("header sunset: recorded Fri, 1 Jan 2027 00:00:00 GMT, fake Thu, 1 Jul 2027"), "{text}");
}
