//! One operation of every spec tag, end to end through the transport: the fake answers it with
//! the spec's example response (a user's behaviour, [`FakeAtlas::on`]), and the decoded JSON
//! equals that example. The operations and their examples come from the vendored spec read by
//! [`crate::spec`], not from the catalog or the fake.

use super::generic::answer;
use super::{Driver, before_every_sunset, digest_client};
use crate::fake::{FakeAtlas, FakeReply, example_value};
use crate::spec::{self, Side, deref, split_media};
use atlas_admin_core::catalog;
use serde_json::Value;
use std::collections::BTreeMap;

/// The operation picked for one tag, with the answer the fake gives.
#[derive(Debug)]
struct Pick {
    tag: String,
    operation_id: &'static str,
    status: u16,
    /// The spec's example of the success body (`None`: the spec gives it none).
    example: Option<Value>,
    /// Whether the example is the media type's own (else assembled from the schema's examples).
    verbatim: bool,
    /// A request body, where the operation needs one.
    body: Option<Value>,
}

/// The newest version of the operation that is not `preview` (or `preview`), from its answers.
fn default_version(op: &Value) -> String {
    let mut versions: Vec<String> = Vec::new();
    for (code, response) in op["responses"].as_object().into_iter().flatten() {
        if code.starts_with('2') {
            for mt in deref(response)["content"].as_object().into_iter().flatten().map(|(mt, _)| mt) {
                versions.push(split_media(mt).0);
            }
        }
    }
    versions.sort();
    versions.iter().rev().find(|v| *v != "preview").or(versions.last()).cloned().unwrap_or_default()
}

/// The lowest success status of `version` and its JSON example, if the answer has a JSON body:
/// (status, example, whether verbatim).
fn success(op: &Value, version: &str) -> Option<(u16, Option<Value>, bool)> {
    let media_type = format!("application/vnd.atlas.{version}+json");
    let mut codes: Vec<(&String, &Value)> =
        op["responses"].as_object()?.iter().filter(|(code, _)| code.starts_with('2')).collect();
    codes.sort_by_key(|(code, _)| code.as_str());
    let (code, response) = codes.first()?;
    let status = code.parse().ok()?;
    let media = &deref(response)["content"][&media_type];
    if let Some(example) = media.get("example") {
        return Some((status, Some(example.clone()), true));
    }
    if let Some(first) = media["examples"].as_object().and_then(|e| e.values().next()) {
        return Some((status, Some(deref(first)["value"].clone()), true));
    }
    Some((status, media.get("schema").and_then(|s| spec::assemble(s, Side::Response)), false))
}

/// One operation a tag: the first GET answering JSON in a version that is not only `preview`
/// (one with a verbatim example first), else the tag's first operation.
fn picks() -> Vec<Pick> {
    let mut by_tag: BTreeMap<String, Vec<(&str, &Value)>> = BTreeMap::new();
    for (method, _, op) in spec::operations() {
        let tag = op["tags"][0].as_str().expect("a tag").to_owned();
        by_tag.entry(tag).or_default().push((if method == "GET" { "GET" } else { "other" }, op));
    }
    let mut picks = Vec::new();
    for (tag, ops) in by_tag {
        let rank = |(method, op): &(&str, &Value)| {
            let version = default_version(op);
            let answer = success(op, &version);
            let json = answer.as_ref().is_some_and(|(_, example, _)| example.is_some());
            let verbatim = answer.is_some_and(|(_, _, v)| v);
            (*method != "GET" || !json || version == "preview", !verbatim)
        };
        let (_, op) = *ops.iter().min_by_key(|o| rank(o)).expect("a tag has operations");
        let id = op["operationId"].as_str().expect("an operationId");
        let version = default_version(op);
        let (status, example, verbatim) = success(op, &version).expect("a success answer");
        let operation_id = catalog::find(id).unwrap_or_else(|| panic!("{id} is in the catalog")).operation_id;
        let body = op.get("requestBody").map(deref).and_then(|b| {
            let schema = &b["content"][format!("application/vnd.atlas.{version}+json")]["schema"];
            spec::assemble(schema, Side::Request)
        });
        picks.push(Pick { tag, operation_id, status, example, verbatim, body });
    }
    picks
}

/// For each of the spec's 58 tags, one operation (a GET answering JSON where the tag has one)
/// is built with `catalog::call` (its required parameters set), sent through the transport to
/// the fake, which answers the spec's example (the media type's own, else assembled from the
/// schema's property examples); the decoded JSON equals it, with the spec's success status.
pub fn every_tag_end_to_end<D: Driver>() {
    let fake = FakeAtlas::start();
    // Before every sunset date of the spec (the earliest is 2025-01-01): the fake answers a
    // version past its sunset 410, as Atlas does, whatever the behaviour.
    fake.set_clock(before_every_sunset());
    let client: D = digest_client(&fake);
    let picks = picks();
    assert_eq!(picks.len(), 58, "one operation per tag");
    for pick in &picks {
        let (status, example) = (pick.status, pick.example.clone());
        fake.on(pick.operation_id, move |_, _| match &example {
            Some(body) => FakeReply::json(status, body.clone()),
            None => FakeReply::empty(status),
        })
        .expect("the operation is in the fake's catalog");
        let entry = catalog::find(pick.operation_id).expect("in the catalog");
        let mut op = catalog::call(pick.operation_id).expect("a catalog call");
        for param in entry.params.iter().filter(|p| p.required) {
            op = op.param(param.name, example_value(&param.kind)).expect("a valid value");
        }
        if let Some(body) = pick.body.as_ref().filter(|_| entry.body) {
            op = op.json(body).expect("a JSON body");
        }
        let what = format!("{} ({})", pick.operation_id, pick.tag);
        let r = answer(&what, client.execute(&op));
        assert_eq!(r.meta.status.as_u16(), pick.status, "{what}");
        assert_eq!(
            r.value,
            pick.example.clone().unwrap_or(Value::Null),
            "{what}: the decoded answer is the spec's example"
        );
    }
    let counters = fake.counters();
    for pick in &picks {
        assert_eq!(
            counters.by_operation.get(pick.operation_id),
            Some(&1),
            "{} reached the fake once",
            pick.operation_id
        );
    }
    let gets = picks.iter().filter(|p| catalog::find(p.operation_id).is_some_and(|e| e.method == "GET")).count();
    let verbatim = picks.iter().filter(|p| p.verbatim).count();
    println!(
        "{} tags end to end: {gets} GETs; examples: {verbatim} the media type's own, {} assembled from the schema, {} without a body",
        picks.len(),
        picks.iter().filter(|p| !p.verbatim && p.example.is_some()).count(),
        picks.iter().filter(|p| p.example.is_none()).count(),
    );
}
