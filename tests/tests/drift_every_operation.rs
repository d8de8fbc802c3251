//! Cassette seeding and the drift check for every operation of the catalog, not only the
//! hand-written ones: a cassette recorded against the fake through `catalog::call` for
//! operations of several tags (clusters, database users, teams, alert configurations, the IP
//! access list, project settings) seeds a fresh fake that then answers its reads the same, and
//! the drift check replays it cleanly, or reports exactly a field edited in a generic answer.

use atlas_admin_core::Outgoing;
use atlas_admin_core::driver::SendResult;
use atlas_admin_core::ops::Custom;
use atlas_admin_core::{Config, Error, Execute, Purpose, catalog};
use atlas_admin_testing::cassette::{Auth, Body, Cassette, Recording, loopback_send};
use atlas_admin_testing::fake::drift::{self, DriftKind};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, SeedAction};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

/// The recording's time, pinned on every fake of a test: lifecycles read the same.
const AT: Duration = Duration::from_secs(1_790_000_000);

fn fake() -> FakeAtlas {
    let config = FakeConfig { settle_time: Duration::from_secs(600), ..FakeConfig::recognisable() };
    let fake = FakeAtlas::start_with(config).unwrap();
    fake.set_clock(SystemTime::UNIX_EPOCH + AT);
    fake
}

fn op(name: &str, params: &[(&str, &str)]) -> Custom {
    let mut op = catalog::call(name).unwrap();
    for (n, v) in params {
        op = op.param(n, v).unwrap();
    }
    op
}

type SendFn = fn(Outgoing) -> SendResult;

/// The user's code: creates, reads, changes and deletes resources of six tags, and one action.
fn calls<E: Execute>(atlas: &E, group: &str, org: &str) -> Result<(), Error> {
    let g = [("groupId", group)];
    let cluster = json!({"name": "c0", "clusterType": "REPLICASET"});
    atlas.execute(&op("createGroupCluster", &g).json(&cluster)?)?;
    atlas.execute(&op("getGroupCluster", &[g[0], ("clusterName", "c0")]))?;
    atlas.execute(&op("listGroupClusters", &g))?;
    atlas.execute(&op("restartGroupClusterPrimaries", &[g[0], ("clusterName", "c0")]))?;
    for name in ["ada", "grace"] {
        let user = json!({"databaseName": "admin", "username": name, "roles": [{"databaseName": "admin", "roleName": "read"}]});
        atlas.execute(&op("createGroupDatabaseUser", &g).json(&user)?)?;
    }
    let ada = [g[0], ("databaseName", "admin"), ("username", "ada")];
    atlas.execute(
        &op("updateGroupDatabaseUser", &ada)
            .json(&json!({"roles": [{"databaseName": "admin", "roleName": "readWrite"}]}))?,
    )?;
    atlas.execute(&op("getGroupDatabaseUser", &ada))?;
    atlas.execute(&op("deleteGroupDatabaseUser", &[g[0], ("databaseName", "admin"), ("username", "grace")]))?;
    atlas.execute(&op("listGroupDatabaseUsers", &g))?;
    let team = atlas.execute(
        &op("createOrgTeam", &[("orgId", org)]).json(&json!({"name": "platform", "usernames": ["ada@example.com"]}))?,
    )?;
    let team_id = team.value["id"].as_str().unwrap_or_default().to_owned();
    atlas.execute(&op("getOrgTeam", &[("orgId", org), ("teamId", &team_id)]))?;
    atlas.execute(&op("getOrgTeamByName", &[("orgId", org), ("teamName", "platform")]))?;
    let notify = json!([{"typeName": "GROUP", "intervalMin": 5, "delayMin": 0, "roles": ["GROUP_OWNER"]}]);
    atlas.execute(
        &op("createGroupAlertConfig", &g)
            .json(&json!({"eventTypeName": "NO_PRIMARY", "enabled": true, "notifications": notify}))?,
    )?;
    atlas.execute(&op("listGroupAlertConfigs", &g))?;
    atlas.execute(
        &op("createGroupAccessListEntry", &g).json(&json!([{"cidrBlock": "10.1.0.0/16", "comment": "vpn"}]))?,
    )?;
    atlas.execute(&op("getGroupAccessListEntry", &[g[0], ("entryValue", "10.1.0.0%2F16")]))?;
    atlas.execute(&op("updateGroupSettings", &g).json(&json!({"isDataExplorerEnabled": false}))?)?;
    atlas.execute(&op("getGroupSettings", &g))?;
    Ok(())
}

/// The cassette of [`calls`] against `fake`.
fn recorded(fake: &FakeAtlas) -> Cassette {
    let (session, recorder) = fake.recording_parts(Auth::ApiKey, Config::default()).unwrap();
    let client = Recording::new(session, recorder, loopback_send as SendFn).virtual_time();
    calls(&client, &fake.config().group_id, &fake.config().org_id).unwrap();
    client.recorder().cassette().unwrap()
}

/// Only the successful reads of `cassette` (its GET attempts).
fn reads(cassette: &Cassette) -> Cassette {
    let mut reads = cassette.clone();
    reads.interactions.retain(|i| matches!(i.purpose, Purpose::Api { .. }) && i.request.method == "GET");
    reads
}

#[test]
fn a_cassette_of_generic_operations_seeds_a_fresh_fake_that_answers_its_reads_the_same() {
    let a = fake();
    let cassette = recorded(&a);
    let b = fake();
    let report = b.seed_from(&cassette);
    let g = format!("/api/atlas/v2/groups/{}", a.config().group_id);
    let seeded: Vec<String> = report
        .applied()
        .filter_map(|e| match &e.action {
            SeedAction::Resource(p) | SeedAction::Document(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    for expected in [format!("{g}/clusters/c0"), format!("{g}/databaseUsers/admin/ada"), format!("{g}/settings")] {
        assert!(seeded.contains(&expected), "{expected} in:\n{report}");
    }
    assert!(
        report.applied().any(|e| e.action == SeedAction::Removed("resource", format!("{g}/databaseUsers/admin/grace"))),
        "{report}"
    );
    let action = report.entries.iter().find(|e| e.operation == "restartGroupClusterPrimaries").unwrap();
    assert!(matches!(&action.action, SeedAction::Ignored(why) if why.contains("action")), "{action}");

    // The fresh fake holds what the first one holds.
    let org = format!("/api/atlas/v2/orgs/{}", a.config().org_id);
    for collection in [
        format!("{g}/clusters"),
        format!("{g}/databaseUsers"),
        format!("{g}/alertConfigs"),
        format!("{g}/accessList"),
        format!("{org}/teams"),
    ] {
        assert_eq!(b.resources(&collection), a.resources(&collection), "{collection}");
    }
    assert_eq!(b.resources(&format!("{g}/clusters"))[0]["stateName"], "CREATING", "as recorded");
    assert_eq!(b.resources(&format!("{g}/databaseUsers")).len(), 1, "the deleted user is gone");

    // Its answers to every recorded read are the recorded ones: no id to learn, no drift.
    let reads = reads(&cassette);
    assert!(reads.interactions.len() >= 9, "{}", reads.interactions.len());
    let check = drift::check(&reads, &b);
    assert!(check.is_clean(), "{check}");
    assert_eq!(check.compared, reads.interactions.len());
    // Unseeded, the same reads are 404s: the seeding is what answers them.
    let unseeded = drift::check(&reads, &fake());
    assert!(
        unseeded.differences.iter().any(|d| matches!(d.kind, DriftKind::Status { recorded: 200, fake: 404 })),
        "{unseeded}"
    );
}

#[test]
fn the_drift_check_replays_generic_operations_and_reports_a_changed_field() {
    let cassette = recorded(&fake());
    let clean = drift::check(&cassette, &fake());
    assert!(clean.is_clean(), "{clean}");
    let api = cassette.interactions.iter().filter(|i| matches!(i.purpose, Purpose::Api { .. })).count();
    assert_eq!(clean.compared, api);

    let mut edited = cassette.clone();
    let at = |c: &Cassette, name: &str| {
        c.interactions.iter().position(|i| i.operation == name && matches!(i.purpose, Purpose::Api { .. })).unwrap()
    };
    let (get, settings) = (at(&edited, "getGroupCluster"), at(&edited, "getGroupSettings"));
    let Body::Json(Value::Object(cluster)) = &mut edited.interactions[get].response.as_mut().unwrap().body else {
        panic!("a JSON cluster")
    };
    cluster.insert("clusterType".into(), json!("SHARDED"));
    let Body::Json(Value::Object(doc)) = &mut edited.interactions[settings].response.as_mut().unwrap().body else {
        panic!("a JSON document")
    };
    doc.insert("isSchemaAdvisorEnabled".into(), json!(true));
    let report = drift::check(&edited, &fake());
    let found: Vec<(usize, DriftKind)> = report.differences.iter().map(|d| (d.interaction, d.kind.clone())).collect();
    assert_eq!(
        found,
        [
            (
                get,
                DriftKind::FieldValue {
                    path: "body.clusterType".into(),
                    recorded: "\"SHARDED\"".into(),
                    fake: "\"REPLICASET\"".into()
                }
            ),
            (settings, DriftKind::MissingField { path: "body.isSchemaAdvisorEnabled".into() }),
        ],
        "{report}"
    );
}

/// Review finding 9: a cassette recorded against another project and organization (as one
/// from real Atlas is) seeds a default fake: the recorded ids stand for the fake's own, as in
/// the drift check, which then replays its reads cleanly. It seeded nothing generic before.
#[test]
fn a_cassette_of_another_project_seeds_the_fakes_own() {
    let config = FakeConfig {
        settle_time: Duration::from_secs(600),
        group_id: "a".repeat(24),
        org_id: "b".repeat(24),
        ..FakeConfig::recognisable()
    };
    let elsewhere = FakeAtlas::start_with(config).unwrap();
    elsewhere.set_clock(SystemTime::UNIX_EPOCH + AT);
    let cassette = recorded(&elsewhere);
    let b = fake();
    assert_ne!(b.config().group_id, elsewhere.config().group_id);
    let report = b.seed_from(&cassette);
    let (theirs, ours) = (elsewhere.config(), b.config());
    for collection in ["clusters", "databaseUsers", "alertConfigs", "accessList"] {
        let recorded = elsewhere.resources(&format!("/api/atlas/v2/groups/{}/{collection}", theirs.group_id));
        let seeded = b.resources(&format!("/api/atlas/v2/groups/{}/{collection}", ours.group_id));
        assert!(!seeded.is_empty(), "{collection}:\n{report}");
        assert_eq!(seeded.len(), recorded.len(), "{collection}");
        let text = serde_json::to_string(&seeded).unwrap();
        assert!(!text.contains(&theirs.group_id), "the recorded project is the fake's: {text}");
    }
    let teams = b.resources(&format!("/api/atlas/v2/orgs/{}/teams", ours.org_id));
    assert_eq!(teams.len(), elsewhere.resources(&format!("/api/atlas/v2/orgs/{}/teams", theirs.org_id)).len());
    let check = drift::check(&reads(&cassette), &b);
    assert!(check.is_clean(), "{check}");
}
