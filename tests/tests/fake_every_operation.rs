//! Every operation of the catalog (all tags, preview ones included: feature `fake-full`)
//! against the fake Atlas, through the real blocking client: a request built from the
//! endpoint (path parameters filled with valid values of their kinds, the demo project,
//! organization and team where the path names them, `{}` where a body is required), in every
//! version the operation has. Each answer's status must be one the catalog documents for the
//! operation's success, or an Atlas error (`ApiError` body with an `errorCode`) of 400, 404 or
//! 409 (the catalog does not carry the spec's error statuses yet), or 410 `VERSION_GONE` for
//! a version past its sunset on the fake's clock.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

use atlas_admin_core::ops::{Custom, ResponseFormat};
use atlas_admin_core::{ApiVersion, Endpoint, ParamIn, SuccessBody, Timestamp, catalog};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, example_value};
use atlas_admin_ureq::Client;
use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

fn client(fake: &FakeAtlas) -> Client {
    let c = fake.config();
    Client::builder().base_url(&fake.base_url()).api_key(c.public_key.clone(), c.private_key.clone()).build().unwrap()
}

/// The request for `e` in `version`; `None` if `ops::Custom` cannot describe it (the root
/// path `/api/atlas/v2` of `getSystemStatus`: Custom wants a path below it).
fn request(e: &'static Endpoint, version: ApiVersion, config: &FakeConfig) -> Option<Custom> {
    let mut op = Custom::new(e.method.clone(), e.path, version).and_then(|op| op.named(e.operation_id)).ok()?;
    for p in e.params.iter().filter(|p| p.location == ParamIn::Path) {
        let value = match p.name {
            "groupId" => config.group_id.clone(),
            "orgId" => config.org_id.clone(),
            "teamId" => config.team_id.clone(),
            _ => example_value(&p.kind),
        };
        op = op.path_param(p.name, value).unwrap_or_else(|err| panic!("{}: {err}", e.operation_id));
    }
    if e.body_required {
        op = op.json(&serde_json::json!({})).unwrap();
    }
    Some(op)
}

/// Whether `version` of `e` is past its sunset at `now`.
fn gone(e: &Endpoint, version: ApiVersion, now: SystemTime) -> bool {
    e.sunset(version)
        .and_then(|d| Timestamp::parse(format!("{d}T00:00:00Z")).system_time())
        .is_some_and(|sunset| now >= sunset)
}

#[test]
fn every_catalog_operation_answers_a_documented_status() {
    let fake = FakeAtlas::start();
    let client = client(&fake);
    let config = fake.config().clone();
    let now = fake.now();
    // A cluster by the name the requests use, so the operations below clusters reach it.
    let name = catalog::find("getGroupCluster").and_then(|e| e.param("clusterName")).map(|p| example_value(&p.kind));
    let clusters = format!("/api/atlas/v2/groups/{}/clusters", config.group_id);
    fake.seed_resource(&clusters, serde_json::json!({"name": name})).unwrap();
    let started = Instant::now();
    let (mut operations, mut requests) = (0usize, 0usize);
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let (mut failures, mut skipped) = (Vec::new(), Vec::new());
    for e in catalog::all() {
        operations += 1;
        for &version in e.versions {
            let Some(op) = request(e, version, &config) else {
                skipped.push(e.operation_id);
                continue;
            };
            requests += 1;
            let answered = match e.output {
                SuccessBody::Bytes { suffix } => {
                    let format = if suffix == "gzip" { ResponseFormat::Gzip } else { ResponseFormat::Csv };
                    client.execute(&op.download(format)).map(|r| r.meta.status.as_u16())
                }
                _ => client.execute(&op).map(|r| r.meta.status.as_u16()),
            };
            let status = match answered {
                Ok(s) if e.statuses.contains(&s) || s == e.success => s,
                Ok(s) => {
                    failures.push(format!("{} {version}: {s} is not among {:?}", e.operation_id, e.statuses));
                    s
                }
                Err(err) => match err.api_error() {
                    Some(api) if !api.error_code().is_empty() => {
                        let s = api.status.as_u16();
                        let allowed = matches!(s, 400 | 404 | 409) || (s == 410 && gone(e, version, now));
                        if !allowed {
                            failures.push(format!("{} {version}: {s} {}", e.operation_id, api.error_code()));
                        }
                        s
                    }
                    _ => {
                        failures.push(format!("{} {version}: {err}", e.operation_id));
                        0
                    }
                },
            };
            *by_status.entry(status).or_default() += 1;
        }
    }
    eprintln!(
        "every operation: {operations} operations, {requests} requests, {} failures, statuses {by_status:?}, \
         skipped {skipped:?}, {:?}",
        failures.len(),
        started.elapsed()
    );
    assert!(operations >= 540, "the whole catalog: {operations}");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(skipped, ["getSystemStatus"], "only the root path is out of Custom's reach");
    assert_eq!(fake.counters().by_operation.len(), operations - 1, "every operation reached its behaviour");
}
