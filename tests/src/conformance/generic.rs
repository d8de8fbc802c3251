//! Conformance scenarios for the fake's generic behaviour (every catalog operation without a
//! hand-written one), driven through each transport with operations described at run time
//! from the catalog's entries (`ops::Custom`): a cluster's lifecycle on the fake's clock, a
//! database user keyed by name, versions, a custom method, a user's own behaviour, parents.

use super::{Driver, digest_client};
use crate::fake::{FakeAtlas, FakeConfig, FakeReply, example_value};
use atlas_admin_core::ops::{Custom, ResponseFormat};
use atlas_admin_core::{ApiResponse, ApiVersion, Endpoint, Error, ParamIn, catalog};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

/// The catalog's entry `name` (the build enables every tag: feature `fake-full`).
pub(super) fn entry(name: &str) -> &'static Endpoint {
    catalog::find(name).unwrap_or_else(|| panic!("{name} is in the catalog (feature fake-full)"))
}

/// `endpoint` described at run time, in `version`, with path parameters `params`.
fn described(endpoint: &'static Endpoint, version: ApiVersion, params: &[(&str, &str)]) -> Custom {
    let mut op = Custom::new(endpoint.method.clone(), endpoint.path, version)
        .and_then(|op| op.named(endpoint.operation_id))
        .expect("a valid description");
    for (name, value) in params {
        op = op.path_param(name, value).expect("a valid path parameter");
    }
    op
}

/// Operation `name` in its default version.
fn call(name: &str, params: &[(&str, &str)]) -> Custom {
    let e = entry(name);
    described(e, e.default_version(), params)
}

/// The answer, or a panic naming `what`.
pub(super) fn answer(what: &str, r: Result<ApiResponse<Value>, Error>) -> ApiResponse<Value> {
    r.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// The Atlas error's (status, errorCode), or a panic.
pub(super) fn refused(what: &str, r: Result<ApiResponse<Value>, Error>) -> (u16, String) {
    match r {
        Ok(ok) => panic!("{what}: answered {} {}", ok.meta.status, ok.value),
        Err(e) => {
            let api = e.api_error().unwrap_or_else(|| panic!("{what}: not an Atlas error: {e}"));
            (api.status.as_u16(), api.error_code().to_owned())
        }
    }
}

/// A fake with its clock frozen and a 10-minute settle time.
pub(super) fn frozen_fake() -> FakeAtlas {
    let config = FakeConfig { settle_time: Duration::from_secs(600), ..FakeConfig::default() };
    let fake = FakeAtlas::start_with(config).expect("fake Atlas starts on loopback");
    fake.set_clock(SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000));
    fake
}

/// A cluster from create to 404: 201 `CREATING`, `IDLE` once the settle time has passed on the
/// fake's clock, a list of two walked one per page, PATCH merging (`UPDATING`), DELETE 202
/// (`DELETING`), then 404 with Atlas's error; a duplicate name is 409.
pub fn generic_cluster_lifecycle<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let g = fake.config().group_id.clone();
    let group = [("groupId", g.as_str())];
    let one = |name: &'static str| [("groupId", g.clone()), ("clusterName", name.to_owned())];
    let item = |op: &str, name: &'static str| {
        let p = one(name);
        call(op, &[(p[0].0, p[0].1.as_str()), (p[1].0, p[1].1.as_str())])
    };
    let body = json!({"name": "alpha", "clusterType": "REPLICASET", "diskSizeGB": 10});
    let created = answer("create", c.execute(&call("createGroupCluster", &group).json(&body).unwrap()));
    assert_eq!(created.meta.status.as_u16(), 201);
    assert_eq!(
        (created.value["name"].as_str(), created.value["stateName"].as_str()),
        (Some("alpha"), Some("CREATING"))
    );
    assert_eq!(created.value["groupId"], json!(g), "the path's project is in the body");

    let read = answer("get", c.execute(&item("getGroupCluster", "alpha")));
    assert_eq!((read.meta.status.as_u16(), read.value["stateName"].as_str()), (200, Some("CREATING")));
    assert!(
        read.meta.content_type.as_deref().unwrap_or_default().starts_with("application/vnd.atlas."),
        "{:?}",
        read.meta
    );
    fake.advance(Duration::from_secs(600));
    let read = answer("get", c.execute(&item("getGroupCluster", "alpha")));
    assert_eq!(read.value["stateName"], "IDLE");

    let dup = c.execute(&call("createGroupCluster", &group).json(&body).unwrap());
    assert_eq!(refused("duplicate", dup), (409, "DUPLICATE_CLUSTER_NAME".to_owned()));
    let beta = json!({"name": "beta", "clusterType": "SHARDED"});
    answer("create beta", c.execute(&call("createGroupCluster", &group).json(&beta).unwrap()));

    // Two clusters, one per page: Atlas's page shape, a `next` link, then the last page.
    let page =
        |n: &str| call("listGroupClusters", &group).query("itemsPerPage", "1").unwrap().query("pageNum", n).unwrap();
    let first = answer("page 1", c.execute(&page("1"))).value;
    assert_eq!((first["totalCount"].as_u64(), first["results"][0]["name"].as_str()), (Some(2), Some("alpha")));
    assert!(first["links"].as_array().unwrap().iter().any(|l| l["rel"] == "next"), "{first}");
    let second = answer("page 2", c.execute(&page("2"))).value;
    assert_eq!(second["results"].as_array().map(|r| r.len()), Some(1));
    assert_eq!(second["results"][0]["name"], "beta");
    assert!(!second["links"].as_array().unwrap().iter().any(|l| l["rel"] == "next"), "{second}");

    let patched =
        answer("patch", c.execute(&item("updateGroupCluster", "alpha").json(&json!({"diskSizeGB": 20})).unwrap()));
    assert_eq!(
        (patched.value["diskSizeGB"].as_u64(), patched.value["clusterType"].as_str()),
        (Some(20), Some("REPLICASET"))
    );
    assert_eq!(patched.value["stateName"], "UPDATING");

    // A project with clusters cannot be deleted.
    let project = refused("delete project", c.execute(&call("deleteGroup", &group)));
    assert_eq!(project, (409, "CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS".to_owned()));

    let deleted = answer("delete", c.execute(&item("deleteGroupCluster", "alpha")));
    assert_eq!((deleted.meta.status.as_u16(), deleted.value.clone()), (202, Value::Null));
    assert_eq!(answer("get", c.execute(&item("getGroupCluster", "alpha"))).value["stateName"], "DELETING");
    fake.advance(Duration::from_secs(600));
    let gone = c.execute(&item("getGroupCluster", "alpha")).unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    assert_eq!(gone.api_error().map(|a| a.error_code()), Some("RESOURCE_NOT_FOUND"));
    let left: Vec<Value> = fake.resources(&format!("/api/atlas/v2/groups/{g}/clusters"));
    assert_eq!(left.iter().map(|c| c["name"].as_str()).collect::<Vec<_>>(), [Some("beta")]);
    assert_eq!(fake.counters().by_operation.get("getGroupCluster"), Some(&4));
}

/// A database user is keyed by its `databaseName` and `username` from the body; seeded ones
/// read back; the wrong version is 406; a cluster of an unknown project is 404; a `:verb`
/// custom method answers its documented status and is counted; a user's behaviour wins over
/// the generic one.
pub fn generic_operations<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let g = fake.config().group_id.clone();
    let group = [("groupId", g.as_str())];

    let user = json!({"databaseName": "admin", "username": "ada", "roles": [{"databaseName": "admin", "roleName": "readWrite"}]});
    let created = answer("create user", c.execute(&call("createGroupDatabaseUser", &group).json(&user).unwrap()));
    assert_eq!((created.meta.status.as_u16(), created.value["username"].as_str()), (201, Some("ada")));
    let read =
        c.execute(&call("getGroupDatabaseUser", &[("groupId", &g), ("databaseName", "admin"), ("username", "ada")]));
    assert_eq!(answer("get user", read).value["roles"], user["roles"]);
    let nameless = c.execute(&call("createGroupDatabaseUser", &group).json(&json!({"databaseName": "admin"})).unwrap());
    assert_eq!(refused("no username", nameless), (400, "VALIDATION_ERROR".to_owned()));
    let users = format!("/api/atlas/v2/groups/{g}/databaseUsers");
    let key = fake.seed_resource(&users, json!({"databaseName": "admin", "username": "grace"})).expect("seeded");
    assert_eq!(key, "admin/grace");
    let listed = answer("list users", c.execute(&call("listGroupDatabaseUsers", &group))).value;
    assert_eq!(listed["totalCount"], 2, "{listed}");

    // A version the operation lacks.
    let old = described(entry("listGroupClusters"), ApiVersion::new("2022-01-01").unwrap(), &group);
    assert_eq!(refused("old version", c.execute(&old)), (406, "INVALID_VERSION_DATE".to_owned()));

    // A child of a project that does not exist.
    let unknown = [("groupId", "0123456789abcdef01234567")];
    let orphan = call("createGroupCluster", &unknown).json(&json!({"name": "x"})).unwrap();
    assert_eq!(refused("orphan", c.execute(&orphan)).0, 404);
    let bad = c.execute(&call("listGroupClusters", &[("groupId", "not-hex")]));
    assert_eq!(refused("bad id", bad), (400, "INVALID_ATTRIBUTE".to_owned()));

    // A custom method: its documented status, counted.
    answer("cluster", c.execute(&call("createGroupCluster", &group).json(&json!({"name": "alpha"})).unwrap()));
    let pin =
        catalog::all().find(|e| e.path.ends_with("/clusters/{clusterName}:pinFeatureCompatibilityVersion")).unwrap();
    let pinned = c.execute(&described(pin, pin.default_version(), &[("groupId", &g), ("clusterName", "alpha")]));
    assert_eq!(answer("pin", pinned).meta.status.as_u16(), pin.success);
    assert_eq!(fake.counters().by_operation.get(pin.operation_id), Some(&1));

    // A user's behaviour wins over the generic one, and sees the state.
    fake.on("getGroupCluster", |req, state| {
        let collection = req.path.rsplit_once('/').map_or("", |(c, _)| c).to_owned();
        FakeReply::json(
            200,
            json!({"name": req.param("clusterName"), "hooked": true, "siblings": state.resources(&collection).len()}),
        )
    })
    .expect("a catalog operation");
    let hooked =
        answer("hooked", c.execute(&call("getGroupCluster", &[("groupId", &g), ("clusterName", "zeta")]))).value;
    assert_eq!(hooked, json!({"name": "zeta", "hooked": true, "siblings": 1}));
}

/// A version with a sunset date carries `Sunset` before it and is 410 `VERSION_GONE` after it,
/// on the fake's clock; a download answers bytes of its media type.
pub fn generic_versions_and_downloads<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let g = fake.config().group_id.clone();
    let group = [("groupId", g.as_str())];
    let list = entry("listGroupClusters");
    let sunset = list.sunsets.first().expect("listGroupClusters has a version with a sunset");
    let at = list.sunset_date(sunset.version).expect("a date").system_time();
    assert!(fake.now() < at, "the fake's clock starts before the sunset");
    let old = described(list, sunset.version, &group);
    let before = answer("before the sunset", c.execute(&old));
    assert_eq!(before.meta.sunset.as_ref().map(|s| s.system_time()), Some(at), "{:?}", before.meta);
    let current = answer("current version", c.execute(&call("listGroupClusters", &group)));
    assert!(list.sunset(list.default_version()).is_some() || current.meta.sunset.is_none());
    fake.set_clock(at);
    assert_eq!(refused("after the sunset", c.execute(&old)), (410, "VERSION_GONE".to_owned()));

    // A download: a gzip stream, its versioned media type.
    let logs = catalog::all().find(|e| e.path.ends_with("/logs/{logName}.gz")).expect("the host log download");
    let mut op = Custom::new(logs.method.clone(), logs.path, logs.default_version()).unwrap();
    for p in logs.params.iter().filter(|p| p.location == ParamIn::Path) {
        let value = if p.name == "groupId" { g.clone() } else { example_value(&p.kind) };
        op = op.path_param(p.name, value).unwrap();
    }
    let got = c.execute(&op.download(ResponseFormat::Gzip)).expect("the download");
    assert_eq!(got.value.get(..2), Some(&[0x1f_u8, 0x8b][..]), "gzip magic");
    let media = format!("application/vnd.atlas.{}+gzip", logs.default_version().as_str());
    assert_eq!(got.meta.content_type.as_deref(), Some(media.as_str()));
}
