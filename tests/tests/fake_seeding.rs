//! Seeding the fake from Rust: any `Serialize` value into any collection of the catalog, read
//! back as any `DeserializeOwned` type, every refusal a typed [`SeedError`] that stores nothing.

use atlas_admin_core::OrgMembershipStatus;
use atlas_admin_testing::fake::{FakeAtlas, SeedError, SeedUser};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A user's own model of a database user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DbUser {
    database_name: String,
    username: String,
    roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Role {
    database_name: String,
    role_name: String,
}

fn groups(fake: &FakeAtlas) -> String {
    format!("/api/atlas/v2/groups/{}", fake.config().group_id)
}

#[test]
fn a_typed_value_is_seeded_and_read_back_typed() {
    let fake = FakeAtlas::start();
    let users = format!("{}/databaseUsers", groups(&fake));
    let ada = DbUser {
        database_name: "admin".into(),
        username: "ada".into(),
        roles: vec![Role { database_name: "admin".into(), role_name: "read".into() }],
    };
    assert_eq!(fake.seed_resource(&users, &ada).unwrap(), "admin/ada", "keyed as a POST keys it");
    let read: Vec<DbUser> = fake.resources_as(&users).unwrap();
    assert_eq!(read, [ada]);
    // The raw JSON carries what the fake adds (the project), the typed view ignores it.
    assert_eq!(fake.resources(&users)[0]["groupId"], json!(fake.config().group_id));
    // A type the stored JSON does not fit is a typed error naming the collection.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        password: String,
    }
    let err = fake.resources_as::<Wrong>(&users).unwrap_err();
    assert!(matches!(&err, SeedError::Decode { collection, .. } if *collection == users), "{err:?}");
    assert!(err.to_string().contains("password"), "{err}");
}

#[test]
fn children_are_seeded_under_seeded_parents_of_any_collection() {
    let fake = FakeAtlas::start();
    let clusters = format!("{}/clusters", groups(&fake));
    assert_eq!(fake.seed_resource(&clusters, json!({"name": "c0"})).unwrap(), "c0");
    // A collection below the cluster (its backup schedule's snapshots, keyed by a fresh id).
    let snapshots = format!("{clusters}/c0/backup/snapshots");
    let id = fake.seed_resource(&snapshots, json!({"description": "nightly"})).unwrap();
    assert_eq!(id.len(), 24, "a fresh id: {id}");
    assert_eq!(fake.resources(&snapshots)[0]["id"], json!(id));
    // A new project, then a cluster in it.
    let project = fake.seed_resource("/api/atlas/v2/groups", json!({"name": "second", "orgId": fake.config().org_id}));
    let project = project.unwrap();
    let theirs = format!("/api/atlas/v2/groups/{project}/clusters");
    assert_eq!(fake.seed_resource(&theirs, json!({"name": "c1"})).unwrap(), "c1");
}

#[test]
fn every_refusal_is_typed_and_stores_nothing() {
    let fake = FakeAtlas::start();
    let g = groups(&fake);
    let clusters = format!("{g}/clusters");
    type Expected = fn(&SeedError) -> bool;
    let cases: Vec<(String, serde_json::Value, Expected)> = vec![
        (clusters.clone(), json!(["c0"]), |e| matches!(e, SeedError::NotAnObject(what) if what.contains("array"))),
        (clusters.clone(), json!("c0"), |e| matches!(e, SeedError::NotAnObject(_))),
        ("/api/atlas/v2/nothing/here".into(), json!({}), |e| matches!(e, SeedError::UnknownCollection(_))),
        (format!("{g}/clusters/c0"), json!({}), |e| matches!(e, SeedError::UnknownCollection(_))),
        (
            "/api/atlas/v2/groups/not-an-id/clusters".into(),
            json!({"name": "c0"}),
            |e| matches!(e, SeedError::InvalidPath { param, .. } if param == "groupId"),
        ),
        (
            "/api/atlas/v2/groups/aaaaaaaaaaaaaaaaaaaaaaaa/clusters".into(),
            json!({"name": "c0"}),
            |e| matches!(e, SeedError::MissingParent { parent, key } if parent == "groupId" && key == "aaaaaaaaaaaaaaaaaaaaaaaa"),
        ),
        (
            format!("{clusters}/nope/backup/snapshots"),
            json!({}),
            |e| matches!(e, SeedError::MissingParent { parent, key } if parent == "clusterName" && key == "nope"),
        ),
        (
            format!("{g}/databaseUsers"),
            json!({"databaseName": "admin"}),
            |e| matches!(e, SeedError::InvalidBody { field, .. } if field == "username"),
        ),
    ];
    for (path, body, expected) in cases {
        let err = fake.seed_resource(&path, &body).unwrap_err();
        assert!(expected(&err), "{path} {body}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
    assert!(fake.resources(&clusters).is_empty());
    assert!(fake.resources(&format!("{g}/databaseUsers")).is_empty());
    // Control characters in a path are escaped in the message.
    let err = fake.seed_resource("/api/atlas/v2/\u{1b}[31m", json!({})).unwrap_err();
    assert!(!err.to_string().contains('\u{1b}'), "{err}");
}

/// Review finding 8: a seed is keyed as a POST is: a second item with the same key is refused
/// (it silently replaced the first), and a `stateName` the body gives is kept (it was
/// overwritten with `CREATING`).
#[test]
fn a_seed_is_keyed_like_a_post_and_keeps_its_state() {
    let fake = FakeAtlas::start();
    let clusters = format!("{}/clusters", groups(&fake));
    assert_eq!(fake.seed_resource(&clusters, json!({"name": "c0", "stateName": "IDLE", "x": 1})).unwrap(), "c0");
    let again = fake.seed_resource(&clusters, json!({"name": "c0", "x": 2})).unwrap_err();
    assert_eq!(again, SeedError::Exists { collection: clusters.clone(), key: "c0".to_owned() });
    assert!(again.to_string().contains("c0"), "{again}");
    let read = fake.resources(&clusters);
    assert_eq!(read.len(), 1);
    assert_eq!((read[0]["x"].clone(), read[0]["stateName"].clone()), (json!(1), json!("IDLE")), "{read:?}");
    fake.seed_resource(&clusters, json!({"name": "c1"})).unwrap();
    assert_eq!(fake.resources(&clusters)[1]["stateName"], "CREATING", "no state given: a new cluster");
}

/// Seeding a user in a status the fake cannot compute (`Other`) panicked; it is a typed error
/// and nothing is seeded.
#[test]
fn an_unknown_user_status_is_a_typed_error_not_a_panic() {
    let fake = FakeAtlas::start();
    let other = OrgMembershipStatus::Other("SUSPENDED".into());
    let err = fake.seed_users(3, other.clone(), true).unwrap_err();
    assert_eq!(err, SeedError::UnknownStatus("SUSPENDED".into()));
    let mixed = [OrgMembershipStatus::Active, other.clone()];
    assert!(matches!(fake.seed_users_with_statuses(4, &mixed, false), Err(SeedError::UnknownStatus(_))));
    assert!(matches!(fake.seed_org_user(SeedUser::new("x@example.com", other)), Err(SeedError::UnknownStatus(_))));
    assert!(fake.org_users().is_empty(), "nothing seeded: {:?}", fake.org_users());
    fake.seed_users(2, OrgMembershipStatus::Pending, false).unwrap();
    assert_eq!(fake.org_users().len(), 2);
}
