//! The fake learns from cassettes: the drift check replays a cassette against the fake and
//! reports where it answers differently; seeding puts a cassette's objects into the fake.

use atlas_admin_core::ops::{
    GetGroupInvite, GetGroupUser, GetOrgUser, ListGroupInvites, ListGroupUsers, ListOrgInvites, ListOrgUsers,
};
use atlas_admin_core::{Config, Error, Execute, OrgMembershipStatus, Purpose};
use atlas_admin_testing::cassette::{Auth, Body, Cassette};
use atlas_admin_testing::fake::drift::{self, DriftKind};
use atlas_admin_testing::fake::{FakeAtlas, SeedAction, SeedUser};
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
        let fake = FakeAtlas::start_day_independent();
        let report = drift::check(&cassette, &fake);
        assert!(report.is_clean(), "{name}:\n{report}");
        let api = cassette.interactions.iter().filter(|i| matches!(i.purpose, Purpose::Api { .. }));
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
        .position(|i| i.operation == operation && matches!(i.purpose, Purpose::Api { .. }))
        .unwrap()
}

#[test]
fn an_edited_cassette_shows_exactly_its_edits() {
    let mut cassette = committed(COMMITTED[0]);
    // A status changed, a field removed (so the fake's is extra), a field's value changed, a
    // field added (so the fake's answer lacks it), a kept header's value changed.
    let get = attempt_of(&cassette, "getGroupInvite");
    cassette.interactions[get].response.as_mut().unwrap().status = 201;
    let list = attempt_of(&cassette, "listGroupInvites");
    let Body::Json(Value::Array(items)) = &mut cassette.interactions[list].response.as_mut().unwrap().body else {
        panic!()
    };
    let Value::Object(first) = &mut items[0] else { panic!() };
    assert!(first.remove("groupName").is_some());
    first.insert("username".into(), "someone.else@example.com".into());
    first.insert("teamIds".into(), Value::Array(Vec::new()));
    let update = attempt_of(&cassette, "updateGroupInvites");
    cassette.interactions[update]
        .response
        .as_mut()
        .unwrap()
        .headers
        .insert("sunset".into(), "Fri, 1 Jan 2027 00:00:00 GMT".into());

    let fake = FakeAtlas::start_day_independent();
    let report = drift::check(&cassette, &fake);
    let expected = vec![
        (list, DriftKind::ExtraField { path: "body[0].groupName".into() }),
        (
            list,
            DriftKind::FieldValue {
                path: "body[0].username".into(),
                recorded: "\"someone.else@example.com\"".into(),
                fake: "\"cassette.user@example.com\"".into(),
            },
        ),
        (list, DriftKind::MissingField { path: "body[0].teamIds".into() }),
        (
            update,
            DriftKind::Header {
                name: "sunset".into(),
                recorded: Some("Fri, 1 Jan 2027 00:00:00 GMT".into()),
                fake: Some("Thu, 1 Jul 2027 00:00:00 GMT".into()),
            },
        ),
        (get, DriftKind::Status { recorded: 201, fake: 200 }),
    ];
    let mut found: Vec<(usize, DriftKind)> =
        report.differences.iter().map(|d| (d.interaction, d.kind.clone())).collect();
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

/// Ids of the objects the reads name.
struct Ids {
    ada: String,
    carol_invitation: String,
}

/// The reads recorded: every list, and gets by id.
fn reads<E: Execute>(atlas: &E, group: &str, org: &str, ids: &Ids) -> Result<(), Error> {
    atlas.execute(&ListOrgUsers::new(org)?)?;
    atlas.execute(&ListGroupUsers::new(group)?)?;
    atlas.execute(&ListGroupInvites::new(group)?)?;
    atlas.execute(&ListOrgInvites::new(org)?)?;
    atlas.execute(&GetOrgUser::new(org, ids.ada.as_str())?)?;
    atlas.execute(&GetGroupUser::new(group, ids.ada.as_str())?)?;
    atlas.execute(&GetGroupInvite::new(group, ids.carol_invitation.as_str())?)?;
    Ok(())
}

/// The API answers of a cassette: (operation, status, body).
fn answers(c: &Cassette) -> Vec<(String, u16, Body)> {
    c.interactions
        .iter()
        .filter(|i| matches!(i.purpose, Purpose::Api { .. }))
        .map(|i| (i.operation.clone(), i.response.as_ref().unwrap().status, i.response.as_ref().unwrap().body.clone()))
        .collect()
}

#[test]
fn a_seeded_fake_answers_the_recorded_reads_with_the_recorded_objects() {
    // Fake A in a state made with its hooks; its reads recorded.
    let a = FakeAtlas::start_day_independent();
    let (group, org, team) = (a.config().group_id.clone(), a.config().org_id.clone(), a.config().team_id.clone());
    let ada = a
        .seed_org_user(
            SeedUser::new("ada@example.com", OrgMembershipStatus::Active)
                .org_roles(["ORG_OWNER"])
                .group_roles(&group, ["GROUP_OWNER", "GROUP_READ_ONLY"])
                .team(&team),
        )
        .unwrap();
    a.seed_org_user(SeedUser::new("bob@example.com", OrgMembershipStatus::Pending)).unwrap();
    let created = a.now() - std::time::Duration::from_secs(86_400);
    let carol_invitation = a.seed_invitation(false, "carol@example.com", &["GROUP_READ_ONLY"], created);
    a.seed_invitation(true, "dave@example.com", &["ORG_BILLING_ADMIN"], created);
    let ids = Ids { ada, carol_invitation };
    let client = a.recording(Auth::ApiKey, Config::default()).unwrap();
    reads(&client, &group, &org, &ids).unwrap();
    let recorded = client.recorder().cassette().unwrap();
    drop(a);

    // Fake B knows nothing until seeded from the cassette.
    let b = FakeAtlas::start_day_independent();
    assert!(b.org_users().is_empty());
    let report = b.seed_from(&recorded);
    println!("{report}");
    let applied: Vec<&SeedAction> = report.applied().map(|e| &e.action).collect();
    assert!(applied.contains(&&SeedAction::OrgUser(ids.ada.clone())), "{report}");
    assert!(applied.contains(&&SeedAction::GroupUser(ids.ada.clone())), "{report}");
    assert!(applied.contains(&&SeedAction::ProjectInvitation(ids.carol_invitation.clone())), "{report}");
    assert_eq!(applied.iter().filter(|a| matches!(a, SeedAction::OrgInvitation(_))).count(), 1, "{report}");
    // The Digest challenge (401) is reported as ignored, not seeded.
    assert!(report.ignored().any(|e| e.to_string().contains("status 401, not a success")), "{report}");
    assert_eq!(b.org_users().len(), 3, "ada, bob and dave's pending mirror user");

    // The same reads against B answer the same objects: ids, usernames, roles, times.
    let client = b.recording(Auth::ApiKey, Config::default()).unwrap();
    reads(&client, &group, &org, &ids).unwrap();
    let replayed = client.recorder().cassette().unwrap();
    assert_eq!(answers(&replayed), answers(&recorded));
    // And the drift check, which compares ids only by consistency, agrees.
    let c = FakeAtlas::start_day_independent();
    c.seed_from(&recorded);
    let report = drift::check(&recorded, &c);
    assert!(report.is_clean(), "{report}");
    // An unseeded fake drifts: its lists are empty, its gets answer 404.
    let report = drift::check(&recorded, &FakeAtlas::start_day_independent());
    assert!(
        report.at(answer_index(&recorded, "getOrgUser")).contains(&&DriftKind::Status { recorded: 200, fake: 404 })
    );
    assert!(report.differences.iter().any(|d| d.kind == DriftKind::MissingField { path: "body.results[0]".into() }));
}

fn answer_index(c: &Cassette, operation: &str) -> usize {
    attempt_of(c, operation)
}

#[test]
fn seeding_follows_the_cassette_to_its_end_and_reports_what_it_cannot_read() {
    let cassette = committed(COMMITTED[0]);
    let get = attempt_of(&cassette, "getGroupInvite");
    let Body::Json(recorded) = &cassette.interactions[get].response.as_ref().unwrap().body else { panic!() };
    let id = recorded["id"].as_str().unwrap().to_owned();

    // The whole cassette ends with the invitation deleted: the fake has none.
    let fake = FakeAtlas::start_day_independent();
    let report = fake.seed_from(&cassette);
    assert!(report.applied().any(|e| e.action == SeedAction::Removed("project invitation", id.clone())), "{report}");
    let client = fake.recording(Auth::ApiKey, Config::default()).unwrap();
    let group = fake.config().group_id.clone();
    assert!(client.execute(&ListGroupInvites::new(&group).unwrap()).unwrap().value.is_empty());
    assert!(client.execute(&GetGroupInvite::new(&group, id.as_str()).unwrap()).unwrap_err().is_not_found());

    // Up to the recorded GET: the fake answers that GET with the recorded object.
    let mut before_delete = cassette.clone();
    before_delete.interactions.truncate(get + 1);
    let fake = FakeAtlas::start_day_independent();
    fake.seed_from(&before_delete);
    let client = fake.recording(Auth::ApiKey, Config::default()).unwrap();
    client.execute(&GetGroupInvite::new(&group, id.as_str()).unwrap()).unwrap();
    let answered = client.recorder().cassette().unwrap();
    let last = answered.interactions.last().unwrap();
    assert_eq!(last.response.as_ref().unwrap().body, Body::Json(recorded.clone()));

    // An answer of an unexpected shape is reported, not a panic, and seeds nothing.
    let mut odd = before_delete.clone();
    let list = attempt_of(&odd, "listGroupInvites");
    odd.interactions[list].response.as_mut().unwrap().body = Body::Json(serde_json::json!({"results": "not a list"}));
    odd.interactions.truncate(list + 1);
    let fake = FakeAtlas::start_day_independent();
    let report = fake.seed_from(&odd);
    let lines: Vec<String> = report.ignored().map(ToString::to_string).collect();
    assert!(
        lines.iter().any(|l| l.starts_with(&format!("#{list} listGroupInvites: ignored: the answer does not decode"))),
        "{report}"
    );
    // The create before it still seeded the invitation.
    assert_eq!(report.applied().count(), 1, "{report}");
}

#[test]
fn a_recorded_retry_drifts_unless_the_fault_is_injected_again() {
    use atlas_admin_testing::fake::Fault;
    let fake = FakeAtlas::start_day_independent();
    let group = fake.config().group_id.clone();
    fake.inject(Fault::TooManyRequests { retry_after_secs: 2 }, 1);
    let client = fake.recording(Auth::ApiKey, Config::default()).unwrap();
    client.execute(&ListGroupInvites::new(&group).unwrap()).unwrap();
    let cassette = client.recorder().cassette().unwrap();
    let statuses: Vec<u16> = cassette
        .interactions
        .iter()
        .filter(|i| matches!(i.purpose, Purpose::Api { .. }))
        .map(|i| i.response.as_ref().unwrap().status)
        .collect();
    assert_eq!(statuses, [429, 200], "the retry is recorded");
    drop(fake);

    // A fresh fake answers the first attempt at once: that is drift.
    let report = drift::check(&cassette, &FakeAtlas::start_day_independent());
    let first = attempt_of(&cassette, "listGroupInvites");
    assert_eq!(report.at(first), [&DriftKind::Status { recorded: 429, fake: 200 }], "{report}");
    assert_eq!(report.differences.len(), 1, "{report}");
    // With the same fault injected, each replayed attempt takes its answer: no drift.
    let fake = FakeAtlas::start_day_independent();
    fake.inject(Fault::TooManyRequests { retry_after_secs: 2 }, 1);
    let report = drift::check(&cassette, &fake);
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.compared, 2);
}

/// A recorded stale nonce (and an expired token): the 401 answered to an operation attempt,
/// then the same attempt re-signed. Checked against the very fake that recorded it, the 401 is
/// an auth exchange (skipped and counted), not drift.
#[test]
fn a_recorded_stale_nonce_or_expired_token_is_not_drift() {
    for auth in [Auth::ApiKey, Auth::ServiceAccount] {
        let fake = FakeAtlas::start_day_independent();
        let group = fake.config().group_id.clone();
        let client = fake.recording(auth, Config::default()).unwrap();
        let list = ListGroupInvites::new(&group).unwrap();
        client.execute(&list).unwrap();
        match auth {
            Auth::ApiKey => fake.expire_nonces(),
            _ => fake.expire_tokens(),
        }
        assert!(client.execute(&list).unwrap().meta.exchanges >= 2, "{auth:?}: the refusal is recorded");
        let cassette = client.recorder().cassette().unwrap();
        let refused = cassette
            .interactions
            .iter()
            .position(|i| matches!(i.purpose, Purpose::Api { .. }) && i.ok().unwrap().status == 401)
            .unwrap();
        let report = drift::check(&cassette, &fake);
        assert!(report.is_clean(), "{auth:?}:\n{report}");
        assert_eq!(report.compared, 2, "{auth:?}: the two lists, each once: {report}");
        assert_eq!(report.compared + report.skipped, cassette.interactions.len(), "{auth:?}: the 401 #{refused} too");
    }
}

/// A cassette recorded against another project: its project id is paired with the fake's
/// before anything is sent, so its requests reach the fake's project and compare clean.
#[test]
fn a_cassette_of_another_project_is_checked_against_the_fakes() {
    let fake = FakeAtlas::start_day_independent();
    let ours = fake.config().group_id.clone();
    let theirs = "aaaaaaaaaaaaaaaaaaaaaaaa";
    let text = committed(COMMITTED[0]).to_json_string();
    assert!(text.contains(&ours));
    let cassette = Cassette::from_json_str(&text.replace(&ours, theirs)).unwrap();
    let report = drift::check(&cassette, &fake);
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.compared, 7, "{report}");
    // A field naming the project reads back as the recorded id: a project that changes is
    // still a difference.
    let mut moved = cassette.clone();
    let list = attempt_of(&moved, "listGroupInvites");
    let Body::Json(Value::Array(items)) = &mut moved.interactions[list].response.as_mut().unwrap().body else {
        panic!()
    };
    items[0]["groupId"] = Value::from("bbbbbbbbbbbbbbbbbbbbbbbb");
    let report = drift::check(&moved, &FakeAtlas::start_day_independent());
    assert_eq!(report.differences.len(), 1, "{report}");
    assert!(matches!(&report.differences[0].kind, DriftKind::FieldValue { path, .. } if path == "body[0].groupId"));
}

/// A cassette whose project id was scrubbed by value (`GROUP-ID`, not an id's shape) is still
/// checked against the fake's project.
#[test]
fn a_cassette_scrubbed_by_value_is_checked_against_the_fakes_project() {
    let fake = FakeAtlas::start_day_independent();
    let ours = fake.config().group_id.clone();
    let text = committed(COMMITTED[0]).to_json_string();
    let cassette = Cassette::from_json_str(&text.replace(&ours, "GROUP-ID")).unwrap();
    let report = drift::check(&cassette, &fake);
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.compared, 7);
}

/// A project id scrubbed to a placeholder that also occurs inside other request text
/// (`GROUP` in the role `GROUP_READ_ONLY`) is rewritten only where it is the id.
#[test]
fn a_scrubbed_project_id_is_rewritten_only_where_it_is_the_id() {
    let fake = FakeAtlas::start_day_independent();
    let ours = fake.config().group_id.clone();
    let text = committed(COMMITTED[0]).to_json_string();
    let cassette = Cassette::from_json_str(&text.replace(&ours, "GROUP")).unwrap();
    let report = drift::check(&cassette, &fake);
    assert!(report.is_clean(), "{report}");
}
