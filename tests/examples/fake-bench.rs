//! A benchmark of the fake Atlas's generic behaviour (not a test: it measures, and checks only
//! what must hold whatever the machine): `CALLS` mixed calls over Digest through the blocking
//! client against an in-process fake, on four collections (clusters keyed by name, database
//! users by two names, alert configurations and organization teams by fresh ids), in two
//! rounds of `CALLS / 2`: every item created, read, listed a page at a time, patched, then
//! deleted. Prints calls per second
//! and the process's resident memory (`VmRSS` of `/proc/self/status`, Linux only: the fake
//! runs in this process) before, at the peak (every item stored) and after every item is
//! deleted; then runs the same round again, so memory that does not return after the first
//! round shows as growth after the second. Exits non-zero if an item is left behind.
//!
//!     cargo run --release -p atlas-admin-testing --example fake-bench [CALLS]   (default 10000)
//!
//! CI runs it with a few hundred calls in the dev profile, so it cannot rot.

use atlas_admin_core::ops::Custom;
use atlas_admin_core::{Execute, catalog};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::{Duration, Instant};

type Failure = Box<dyn std::error::Error>;

/// Each item takes five calls: create, get, a page of its list, patch, delete.
const CALLS_PER_ITEM: usize = 5;

/// The process's resident memory in KiB, where `/proc` tells it.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn show(kib: Option<u64>) -> String {
    kib.map_or_else(|| "n/a".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

/// Operation `name` with parameters `params`, checked by the core.
fn op(name: &str, params: &[(&str, &str)]) -> Result<Custom, Failure> {
    let mut op = catalog::call(name)?;
    for (n, v) in params {
        op = op.param(n, v)?;
    }
    Ok(op)
}

/// One collection of the mix: its operations, its parent parameter, a body for item `i` and
/// the key parameters of a created item.
struct Kind {
    list: &'static str,
    create: &'static str,
    get: &'static str,
    patch: &'static str,
    delete: &'static str,
    parent: (&'static str, String),
    body: fn(usize) -> Value,
    key: fn(&Value) -> Vec<(&'static str, String)>,
    patch_body: Value,
}

/// A description of a few hundred bytes, so items weigh what real ones do (cut where the
/// spec's `maxLength` says: the fake refuses longer values).
fn prose(i: usize) -> String {
    format!("item {i}: ").repeat(40)
}

fn kinds(fake: &FakeAtlas) -> Vec<Kind> {
    let (g, o) = (fake.config().group_id.clone(), fake.config().org_id.clone());
    vec![
        Kind {
            list: "listGroupClusters",
            create: "createGroupCluster",
            get: "getGroupCluster",
            patch: "updateGroupCluster",
            delete: "deleteGroupCluster",
            parent: ("groupId", g.clone()),
            body: |i| json!({"name": format!("bench{i}"), "clusterType": "REPLICASET", "tags": [{"key": "note", "value": prose(i)[..255]}]}),
            key: |v| vec![("clusterName", v["name"].as_str().unwrap_or_default().to_owned())],
            patch_body: json!({"diskSizeGB": 20}),
        },
        Kind {
            list: "listGroupDatabaseUsers",
            create: "createGroupDatabaseUser",
            get: "getGroupDatabaseUser",
            patch: "updateGroupDatabaseUser",
            delete: "deleteGroupDatabaseUser",
            parent: ("groupId", g.clone()),
            body: |i| json!({"databaseName": "admin", "username": format!("user{i}"), "description": prose(i)[..100], "roles": [{"databaseName": "admin", "roleName": "read"}]}),
            key: |v| {
                let f = |f: &str| v[f].as_str().unwrap_or_default().to_owned();
                vec![("databaseName", f("databaseName")), ("username", f("username"))]
            },
            patch_body: json!({"roles": [{"databaseName": "admin", "roleName": "readWrite"}]}),
        },
        Kind {
            list: "listGroupAlertConfigs",
            create: "createGroupAlertConfig",
            get: "getGroupAlertConfig",
            patch: "toggleGroupAlertConfig",
            delete: "deleteGroupAlertConfig",
            parent: ("groupId", g),
            body: |i| json!({"eventTypeName": "NO_PRIMARY", "enabled": true, "notifications": [{"typeName": "EMAIL", "emailAddress": format!("ops{i}@example.com"), "intervalMin": 5}], "note": prose(i)}),
            key: |v| vec![("alertConfigId", v["id"].as_str().unwrap_or_default().to_owned())],
            patch_body: json!({"enabled": false}),
        },
        Kind {
            list: "listOrgTeams",
            create: "createOrgTeam",
            get: "getOrgTeam",
            patch: "renameOrgTeam",
            delete: "deleteOrgTeam",
            parent: ("orgId", o),
            body: |i| json!({"name": format!("team{i}"), "usernames": [format!("member{i}@example.com")], "note": prose(i)}),
            key: |v| vec![("teamId", v["id"].as_str().unwrap_or_default().to_owned())],
            patch_body: json!({"name": "renamed"}),
        },
    ]
}

/// What one round measured.
struct Round {
    calls: usize,
    took: Duration,
    /// The resident memory at the peak (every item stored).
    peak: Option<u64>,
    /// What `stored` said at the peak: items and their JSON bytes.
    held: (usize, usize),
}

/// Runs one round of `items` items spread over `kinds`.
fn round<E: Execute>(
    atlas: &E,
    kinds: &[Kind],
    items: usize,
    stored: &dyn Fn() -> (usize, usize),
) -> Result<Round, Failure> {
    let started = Instant::now();
    let mut calls = 0;
    let mut keys: Vec<(usize, Vec<(&'static str, String)>)> = Vec::with_capacity(items);
    for i in 0..items {
        let k = &kinds[i % kinds.len()];
        let parent = [(k.parent.0, k.parent.1.as_str())];
        let created = atlas.execute(&op(k.create, &parent)?.json(&(k.body)(i))?)?.value;
        calls += 1;
        keys.push((i % kinds.len(), [vec![(k.parent.0, k.parent.1.clone())], (k.key)(&created)].concat()));
    }
    let peak = rss_kib();
    let held = stored();
    for (kind, key) in &keys {
        let params: Vec<(&str, &str)> = key.iter().map(|(n, v)| (*n, v.as_str())).collect();
        atlas.execute(&op(kinds[*kind].get, &params)?)?;
        calls += 1;
    }
    for (i, (kind, _)) in keys.iter().enumerate() {
        let k = &kinds[*kind];
        let page = (i / kinds.len() / 20 + 1).to_string();
        let list = op(k.list, &[(k.parent.0, k.parent.1.as_str()), ("itemsPerPage", "20"), ("pageNum", &page)])?;
        atlas.execute(&list)?;
        calls += 1;
    }
    for (kind, key) in &keys {
        let k = &kinds[*kind];
        let params: Vec<(&str, &str)> = key.iter().map(|(n, v)| (*n, v.as_str())).collect();
        atlas.execute(&op(k.patch, &params)?.json(&k.patch_body)?)?;
        calls += 1;
    }
    for (kind, key) in &keys {
        let params: Vec<(&str, &str)> = key.iter().map(|(n, v)| (*n, v.as_str())).collect();
        atlas.execute(&op(kinds[*kind].delete, &params)?)?;
        calls += 1;
    }
    Ok(Round { calls, took: started.elapsed(), peak, held })
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            atlas_admin_testing::stdio::err(&format!("fake-bench: {e}"));
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool, Failure> {
    let calls: usize = match std::env::args().nth(1) {
        Some(n) => n.parse().map_err(|_| format!("CALLS must be a number, not {n:?}"))?,
        None => 10_000,
    };
    // Two rounds of `calls / 2` calls.
    let items = (calls / 2 / CALLS_PER_ITEM).max(4);
    // Deletions settle at once, so "after" is after every item is gone.
    let fake = FakeAtlas::start_with(FakeConfig { settle_time: Duration::ZERO, ..FakeConfig::default() })?;
    let c = fake.config().clone();
    let client = atlas_admin_ureq::Client::builder()
        .base_url(&fake.base_url())
        .api_key(c.public_key.clone(), c.private_key.clone())
        .build()?;
    let kinds = kinds(&fake);
    let collections: Vec<String> = kinds
        .iter()
        .map(|k| {
            let scope = if k.parent.0 == "groupId" { "groups" } else { "orgs" };
            let last = catalog::find(k.list).map_or("", |e| e.path.rsplit('/').next().unwrap_or_default());
            format!("/api/atlas/v2/{scope}/{}/{last}", k.parent.1)
        })
        .collect();
    // What the fake stores in the four collections: items and their JSON bytes.
    let stored = || {
        let items: Vec<Value> = collections.iter().flat_map(|c| fake.resources(c)).collect();
        (items.len(), items.iter().map(|i| i.to_string().len()).sum::<usize>())
    };
    let baseline = stored(); // the demo team

    let before = rss_kib();
    let Round { calls: n1, took: t1, peak: peak1, held } = round(&client, &kinds, items, &stored)?;
    let after1 = rss_kib();
    let left1 = stored();
    let Round { calls: n2, took: t2, peak: peak2, .. } = round(&client, &kinds, items, &stored)?;
    let after2 = rss_kib();
    let left2 = stored();
    let counters = fake.counters();

    let total = n1 + n2;
    let secs = (t1 + t2).as_secs_f64();
    let mut report = format!(
        "fake-bench: {total} calls over Digest through atlas-admin-ureq: two rounds of {items} items on {} collections\n",
        kinds.len()
    );
    report += &format!(
        "  {:.0} calls/s ({secs:.1} s); {} HTTP requests ({:.3} per call, {} challenges)\n",
        total as f64 / secs,
        counters.requests,
        counters.requests as f64 / total as f64,
        counters.challenges
    );
    report += &format!(
        "  stored: {} items ({} KiB of JSON) at the peak, {} items ({} bytes) after the deletes (the demo team)\n",
        held.0,
        held.1 / 1024,
        left1.0,
        left1.1
    );
    report += &format!("  memory (VmRSS): before {}\n", show(before));
    report +=
        &format!("    round 1: peak {} ({items} items stored), after deleting them {}\n", show(peak1), show(after1));
    report += &format!("    round 2: peak {}, after deleting them {}\n", show(peak2), show(after2));
    if let (Some(b), Some(p), Some(a1), Some(a2)) = (before, peak1, after1, after2) {
        let signed = |x: u64, y: u64| i128::from(x) - i128::from(y);
        report += &format!(
            "  growth over before: {} KiB at the peak, {} KiB after round 1; round 2 added {} KiB\n",
            signed(p, b),
            signed(a1, b),
            signed(a2, a1)
        );
    }
    atlas_admin_testing::stdio::out(&report);
    let all_gone = left1 == baseline && left2 == baseline;
    if !all_gone {
        atlas_admin_testing::stdio::err(&format!(
            "fake-bench: items left behind: {left1:?}, {left2:?} (of {baseline:?})"
        ));
    }
    Ok(all_gone && total == 2 * items * CALLS_PER_ITEM)
}
