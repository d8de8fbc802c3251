//! Every operation of the catalog (all tags, preview ones included: feature `fake-full`)
//! against the fake Atlas, through the real blocking client. Each request is built by the
//! core from the operation's catalog entry (`catalog::call`), every parameter the entry lists
//! for the version set with `.param(...)` to a valid value of its kind (the demo project,
//! organization and team where it names one), `{}` where a body is required, in every
//! version the operation has: so the core's own checks (parameter kinds, required
//! parameters, versions, bodies, downloads) pass for all of them before anything is sent.
//! Each answer's status must be one the catalog documents for the operation's success (or the
//! one real Atlas answers instead: `fake::ATLAS_STATUSES`), or an
//! Atlas error (`ApiError` body with an `errorCode`) of 400, 404 or 409 (the catalog does not
//! carry the spec's error statuses yet), or 410 `VERSION_GONE` for a version past its sunset
//! on the fake's clock.
//!
//! The core's refusals are exercised too, with nothing sent: every parameter refuses a value
//! with a control character, every operation refuses a parameter it does not list, and every
//! operation with a required parameter or body refuses a call without it.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

mod support;

use atlas_admin_core::ops::Custom;
use atlas_admin_core::{ApiVersion, Endpoint, Error, SuccessBody, catalog};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig};
use std::collections::BTreeMap;
use std::time::Instant;
use support::{client, gone, seed_example_cluster, spec_status_for, value};

/// The request for `e` in `version`, built by the core from the catalog entry: every
/// parameter the version takes, set by its spec name.
fn request(e: &'static Endpoint, version: ApiVersion, config: &FakeConfig) -> Custom {
    let op_id = e.operation_id;
    let mut op = catalog::call(op_id).unwrap_or_else(|err| panic!("{op_id}: {err}")).api_version(version);
    for p in e.params.iter().filter(|p| p.exists_in(version)) {
        op = op.param(p.name, value(e, p.name, config)).unwrap_or_else(|err| panic!("{op_id} {}: {err}", p.name));
    }
    if e.body_required {
        op = op.json(&serde_json::json!({})).unwrap();
    }
    op
}

#[test]
fn every_catalog_operation_answers_a_documented_status() {
    let fake = FakeAtlas::start();
    let client = client(&fake);
    let config = fake.config().clone();
    let now = fake.now();
    seed_example_cluster(&fake);
    let started = Instant::now();
    let (mut operations, mut requests, mut params) = (0usize, 0usize, 0usize);
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for e in catalog::all() {
        operations += 1;
        for &version in e.versions {
            let op = request(e, version, &config);
            params += e.params.iter().filter(|p| p.exists_in(version)).count();
            requests += 1;
            let answered = match e.output {
                SuccessBody::Bytes { .. } => {
                    client.execute(&op.into_download().unwrap()).map(|r| r.meta.status.as_u16())
                }
                _ => client.execute(&op).map(|r| r.meta.status.as_u16()),
            };
            let status = match answered {
                Ok(s) if e.statuses.contains(&s) || s == e.success || spec_status_for(e.operation_id, s).is_some() => s,
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
        "every operation: {operations} operations, {requests} requests ({params} parameters set), {} failures, \
         statuses {by_status:?}, {:?}",
        failures.len(),
        started.elapsed()
    );
    assert!(operations >= 540, "the whole catalog: {operations}");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(fake.counters().by_operation.len(), operations, "every operation reached its behaviour");
    assert!(catalog::all().any(|e| e.path == "/api/atlas/v2"), "the root path (getSystemStatus) is among them");
}

/// The core refuses, before sending anything, what no catalog operation takes: a parameter
/// value with a control character, a parameter the operation does not list, a call without a
/// required parameter or body.
#[test]
fn every_catalog_operation_refuses_bad_input_before_sending() {
    let fake = FakeAtlas::start();
    let client = client(&fake);
    let config = fake.config().clone();
    let (mut refused, mut operations) = (0usize, 0usize);
    for e in catalog::all() {
        operations += 1;
        let op_id = e.operation_id;
        let call = || catalog::call(op_id).unwrap();
        for p in e.params {
            let err = call().param(p.name, "bad\u{1}value").err();
            assert_eq!(err.as_ref().map(|e| e.field()), Some(p.name), "{op_id} {}: {err:?}", p.name);
            refused += 1;
        }
        assert!(call().param("notAParameterOfAnyOperation", "x").is_err(), "{op_id}");
        refused += 1;
        let version = e.default_version();
        for missing in e.params.iter().filter(|p| p.required) {
            let mut op = call().api_version(version);
            for p in e.params.iter().filter(|p| p.required && p.name != missing.name) {
                op = op.param(p.name, value(e, p.name, &config)).unwrap();
            }
            if e.body_required {
                op = op.json(&serde_json::json!({})).unwrap();
            }
            let err = match e.output {
                SuccessBody::Bytes { .. } => client.execute(&op.into_download().unwrap()).map(drop).unwrap_err(),
                _ => client.execute(&op).map(drop).unwrap_err(),
            };
            assert!(matches!(&err, Error::InvalidInput(_)), "{op_id} without {}: {err}", missing.name);
            refused += 1;
        }
        if e.body_required {
            let mut op = call().api_version(version);
            for p in e.params.iter().filter(|p| p.required) {
                op = op.param(p.name, value(e, p.name, &config)).unwrap();
            }
            let err = match e.output {
                SuccessBody::Bytes { .. } => client.execute(&op.into_download().unwrap()).map(drop).unwrap_err(),
                _ => client.execute(&op).map(drop).unwrap_err(),
            };
            assert!(matches!(&err, Error::InvalidInput(i) if i.field() == "body"), "{op_id} without its body: {err}");
            refused += 1;
        }
    }
    eprintln!("bad input: {operations} operations, {refused} refusals, none sent");
    assert!(operations >= 540);
    assert_eq!(fake.counters().api_requests, 0, "nothing reached the fake");
}
