//! A CRUD lifecycle for every tag of the catalog that has one, found and driven by the catalog
//! alone: for each tag, the shallowest collection of the generic behaviour whose items are
//! created by a POST on it, read and deleted on their own path and listed on it (updated by
//! PATCH or PUT where the tag has one) runs the shared lifecycle of [`lifecycle`] (create two,
//! read, update, list across pages with `itemsPerPage=1`, delete, then 404), with bodies and
//! keys made from the path parameters' spec patterns and parents seeded first. Every tag is
//! reported: covered, or why no lifecycle applies.

use super::generic::entry;
use super::lifecycles::{Crud, lifecycle};
use super::{Driver, digest_client};
use crate::fake::routes::is_handwritten;
use crate::fake::shapes::{Shape, Shapes, placeholder_name, runs};
use crate::fake::{FakeAtlas, FakeConfig, example_value, field_example, fresh_id, request_example};
use atlas_admin_core::{Endpoint, ParamIn, ParamKind, SuccessBody, catalog};
use http::Method;
use serde_json::{Map, Value, json};
use std::time::{Duration, SystemTime};

/// The fake's clock during the lifecycles (2026-09-21), so the outcome does not depend on the
/// day the suite runs.
fn clock() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000)
}

/// One tag's lifecycle, as found in the catalog.
struct Found {
    list: &'static Endpoint,
    create: &'static Endpoint,
    get: &'static Endpoint,
    update: Option<&'static Endpoint>,
    delete: &'static Endpoint,
    /// The collection's template.
    collection: String,
}

/// The operation of the catalog with `method` on `path` that the generic behaviour serves.
fn find(method: &Method, path: &str) -> Option<&'static Endpoint> {
    catalog::all().find(|e| e.method == *method && e.path == path && !is_handwritten(e.operation_id))
}

/// The required parameters of `e` that are neither in its path nor given by a lifecycle.
fn needs(e: &Endpoint) -> Option<&'static str> {
    e.params.iter().find(|p| p.required && p.location != ParamIn::Path).map(|p| p.name)
}

/// The lifecycle of the collection deleted by `delete` (an item path), or why there is none.
fn crud_of(delete: &'static Endpoint) -> Result<Found, String> {
    let shapes = Shapes::get();
    if is_handwritten(delete.operation_id) {
        return Err(format!("{} is hand-written: its lifecycle is a scenario of its own", delete.operation_id));
    }
    let Shape::Item { start } = shapes.shape(delete.path) else { return Err("no item is deleted".to_owned()) };
    let segments: Vec<&str> = delete.path.split('/').collect();
    let collection = segments[..start].join("/");
    let missing = |what: &str| format!("{collection}: no {what}");
    let create = find(&Method::POST, &collection).ok_or_else(|| missing("create (POST on the collection)"))?;
    let list = find(&Method::GET, &collection).ok_or_else(|| missing("list"))?;
    let get = find(&Method::GET, delete.path).ok_or_else(|| missing("read of an item"))?;
    // An update that needs more than the item's path and a body is left out.
    let update = find(&Method::PATCH, delete.path)
        .or_else(|| find(&Method::PUT, delete.path))
        .filter(|u| u.body && needs(u).is_none());
    if !create.body {
        return Err(format!("{}: the create takes no body", create.operation_id));
    }
    for e in [create, list, get, delete] {
        if let Some(p) = needs(e) {
            return Err(format!("{} needs the query parameter {p}", e.operation_id));
        }
        let version = e.default_version();
        if e.sunset_date(version).is_some_and(|at| at.system_time() <= clock()) {
            return Err(format!("{} {version} is past its sunset on the suite's clock", e.operation_id));
        }
    }
    let keys = shapes.keys(&collection);
    let named: Vec<&str> = segments[start..].iter().map(|s| placeholder_name(s)).collect();
    if !keys.iter().map(|(n, _)| *n).eq(named.iter().copied()) {
        let first: Vec<&str> = keys.iter().map(|(n, _)| *n).collect();
        return Err(format!(
            "{collection}: items named by {} on one path, {} on another",
            first.join("/"),
            named.join("/")
        ));
    }
    if create.output == SuccessBody::Empty && keys.iter().any(|(_, k)| fresh_id(k).is_some()) {
        return Err(format!("{} answers no body: the new item's id is unknown", create.operation_id));
    }
    Ok(Found { list, create, get, update, delete, collection })
}

/// Another value than `first` that `kind` takes, for a second item.
fn second(name: &str, kind: &ParamKind, first: &str) -> Option<String> {
    let candidates = match kind {
        ParamKind::Enum(values) => values.iter().map(|v| (*v).to_owned()).collect(),
        _ => {
            // The last character changed keeps a length and a hex pattern.
            let mut last = first.chars().collect::<Vec<_>>();
            if let Some(c) = last.last_mut() {
                *c = if *c == 'a' { 'b' } else { 'a' };
            }
            let last: String = last.into_iter().collect();
            vec![first.replacen('1', "2", 1), format!("{first}2"), format!("b{first}"), last]
        }
    };
    candidates.into_iter().find(|v| v != first && kind.check(name, v).is_ok())
}

/// The parameters naming the collection's parent in `fake`: the demo project, organization
/// and team, a seeded parent item where the parent lives in a collection the fake creates
/// items in, an example value elsewhere.
fn parents(fake: &FakeAtlas, template: &'static str) -> Result<Vec<(&'static str, String)>, String> {
    let shapes = Shapes::get();
    let config = fake.config();
    let segments: Vec<&'static str> = template.split('/').collect();
    let mut params: Vec<(&'static str, String)> = Vec::new();
    for (start, end) in runs(&segments) {
        let parent = segments[..start].join("/");
        let names: Vec<&'static str> = segments[start..end].iter().map(|s| placeholder_name(s)).collect();
        let concrete = |params: &[(&str, String)]| {
            segments[..start]
                .iter()
                .map(|s| params.iter().find(|(n, _)| *n == placeholder_name(s)).map_or(*s, |(_, v)| v.as_str()))
                .collect::<Vec<_>>()
                .join("/")
        };
        let keyed = shapes.keys(&parent).iter().map(|(n, _)| *n).eq(names.iter().copied());
        match names.as_slice() {
            ["groupId"] => params.push(("groupId", config.group_id.clone())),
            ["orgId"] => params.push(("orgId", config.org_id.clone())),
            ["teamId"] if parent.ends_with("/teams") => params.push(("teamId", config.team_id.clone())),
            _ if keyed && shapes.is_creatable(&parent) => {
                let mut body = Map::new();
                for (name, kind) in shapes.keys(&parent) {
                    if fresh_id(kind).is_none() {
                        body.insert((*name).to_owned(), json!(example_value(kind)));
                    }
                }
                let key = fake.seed_resource(&concrete(&params), Value::Object(body)).map_err(|e| e.to_string())?;
                let values = key.split('/').map(crate::fake::percent_decode);
                params.extend(names.iter().copied().zip(values));
            }
            _ => {
                let kind = |n: &str| catalog::all().find_map(|e| e.param(n)).map_or(ParamKind::Id, |p| p.kind);
                params.extend(names.iter().map(|n| (*n, example_value(&kind(n)))));
            }
        }
    }
    Ok(params)
}

/// The key fields of one item: name, value, and whether the body must carry it (a name; not an
/// id the fake mints, though a body may name one: a project's team).
type Given<'k> = [(&'k str, String, bool)];

/// A body of `e` made from its request schema in its default version, the key fields `given`
/// set (where the schema takes them, and those the body must carry) and a `description`: the
/// fake refuses a body its schema refuses, as Atlas does.
fn body_of(e: &Endpoint, given: &Given<'_>, description: &str) -> Result<Value, String> {
    let fill = |name: &str, _: &Value| given.iter().find(|(n, ..)| *n == name).map(|(_, v, _)| json!(v));
    let mut body = request_example(e.operation_id, e.default_version(), &fill)
        .ok_or_else(|| format!("{}: the spec gives no request body", e.operation_id))?;
    let item = match &mut body {
        Value::Array(items) => items.first_mut(),
        other => Some(other),
    };
    let Some(Value::Object(fields)) = item else {
        return Err(format!("{}: the request body is no object", e.operation_id));
    };
    for (name, value, _) in given.iter().filter(|(.., carried)| *carried) {
        fields.entry(*name).or_insert_with(|| json!(value));
    }
    fields.insert("description".to_owned(), json!(description));
    Ok(body)
}

/// Runs the lifecycle of `found` against a fresh fake through a `D`.
fn run<D: Driver>(found: &Found) -> Result<(), String> {
    let config = FakeConfig { settle_time: Duration::ZERO, ..FakeConfig::default() };
    let fake = FakeAtlas::start_with(config).map_err(|e| e.to_string())?;
    fake.set_clock(clock());
    let c: D = digest_client(&fake);
    let parent = parents(&fake, found.create.path)?;
    let keys: Vec<(&'static str, ParamKind)> = Shapes::get().keys(&found.collection).to_vec();
    let mut given: [Vec<(&str, String, bool)>; 2] = [Vec::new(), Vec::new()];
    for (name, kind) in &keys {
        // The read's example where the kind takes it (an id of the length the schema asks).
        let read = field_example(found.get.operation_id, found.get.default_version(), name);
        let read = read.as_ref().and_then(Value::as_str).filter(|v| kind.check(name, v).is_ok());
        let first = read.map_or_else(|| example_value(kind), str::to_owned);
        let other = second(name, kind, &first).ok_or_else(|| format!("{name} takes one example value only"))?;
        let carried = fresh_id(kind).is_none();
        given[0].push((name, first, carried));
        given[1].push((name, other, carried));
    }
    let bodies = [body_of(found.create, &given[0], "item 0")?, body_of(found.create, &given[1], "item 1")?];
    let change = match found.update {
        Some(u) => body_of(u, &given[0], "changed")?,
        None => Value::Null,
    };
    let key = move |sent: &Value, answered: &Value| {
        keys.iter()
            .map(|(name, kind)| {
                // The fake's rule: a value the body names, else the id it minted.
                let named = sent[*name].as_str().is_some_and(|v| kind.check(name, v).is_ok());
                let from = if named || fresh_id(kind).is_none() { &sent[*name] } else { &answered["id"] };
                (*name, from.as_str().unwrap_or_default().replace('/', "%2F"))
            })
            .collect()
    };
    let crud = Crud {
        list: found.list.operation_id,
        create: found.create.operation_id,
        get: found.get.operation_id,
        update: found.update.map(|u| (u.operation_id, false)),
        delete: found.delete.operation_id,
        parent,
        bodies,
        key: Box::new(key),
        change,
        changed: ("description", json!("changed")),
    };
    lifecycle(&c, &crud);
    Ok(())
}

/// Every tag: its lifecycle (the first collection of the tag, shallowest first, that has
/// one), or why none applies.
fn survey() -> Vec<(&'static str, Result<Found, String>)> {
    let mut out = Vec::new();
    for tag in catalog::tags().iter().filter(|t| t.enabled) {
        let mut deletes: Vec<&'static Endpoint> =
            catalog::all().filter(|e| e.tag == tag.cli && e.method == Method::DELETE).collect();
        deletes.sort_by_key(|e| (e.path.split('/').count(), e.path));
        let found = if catalog::all().filter(|e| e.tag == tag.cli).all(|e| is_handwritten(e.operation_id)) {
            Err("hand-written behaviours, with lifecycles of their own".to_owned())
        } else if deletes.is_empty() {
            Err("no operation deletes anything".to_owned())
        } else {
            let tried: Vec<Result<Found, String>> = deletes.iter().map(|d| crud_of(d)).collect();
            let first_ok = tried.iter().position(Result::is_ok);
            let mut tried = tried.into_iter();
            match first_ok {
                Some(at) => tried.nth(at).unwrap_or_else(|| Err("unreachable".to_owned())),
                None => {
                    let mut why: Vec<String> = tried.filter_map(Result::err).collect();
                    why.dedup();
                    Err(why.join("; "))
                }
            }
        };
        out.push((tag.name, found));
    }
    out
}

/// The tags whose lifecycle runs, in the catalog's order: a tag that stops being covered (or
/// starts to be) is a change to this list.
const COVERED: [&str; 26] = [
    "AI Model API Keys",
    "Alert Configurations",
    "Cloud Backups",
    "Clusters",
    "Custom Database Roles",
    "Data Federation",
    "Database Users",
    "Encryption at Rest using Customer Key Management",
    "Federated Authentication",
    "Flex Clusters",
    "Metric Integrations",
    "Network Peering",
    "Online Archive",
    "Organizations",
    "Overload Protection Simulation",
    "Programmatic API Keys",
    "Project IP Access List",
    "Projects",
    "Push-Based Log Export",
    "Remote MCP Configurations",
    "Resource Policies",
    "Sandbox",
    "Service Accounts",
    "Standby Links",
    "Streams",
    "Teams",
];

/// A CRUD lifecycle per tag, for every tag where one applies (see the module docs); the tags
/// covered and those without one, with why, are printed.
pub fn lifecycle_every_tag<D: Driver>() {
    let survey = survey();
    let mut covered = Vec::new();
    let mut covered_tags = Vec::new();
    let mut without = Vec::new();
    let mut failed = Vec::new();
    for (tag, found) in &survey {
        match found {
            // One tag's failure (a panic of the shared lifecycle) is reported with the others'.
            Ok(f) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run::<D>(f))) {
                Ok(Ok(())) => {
                    covered.push(format!("{tag}: {}", f.collection));
                    covered_tags.push(*tag);
                }
                Ok(Err(why)) => failed.push(format!("{tag}: {why}")),
                Err(panic) => {
                    let why = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()));
                    failed.push(format!("{tag}: {}: {}", f.collection, why.unwrap_or_default()));
                }
            },
            Err(why) => without.push(format!("{tag}: {why}")),
        }
    }
    eprintln!(
        "lifecycle per tag: {} of {} tags covered\n  {}\nwithout one ({}):\n  {}",
        covered.len(),
        survey.len(),
        covered.join("\n  "),
        without.len(),
        without.join("\n  ")
    );
    assert!(failed.is_empty(), "lifecycles that could not run:\n{}", failed.join("\n"));
    assert_eq!(covered.len() + without.len(), survey.len());
    assert_eq!(covered_tags, COVERED, "the tags with a lifecycle");
    // The catalog's own operations are what was driven (no hand-written shortcut).
    for (_, found) in &survey {
        if let Ok(f) = found {
            assert!(!is_handwritten(f.create.operation_id) && entry(f.create.operation_id).method == Method::POST);
        }
    }
}
