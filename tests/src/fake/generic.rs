//! The generic behaviour: every operation of the catalog without a hand-written one, driven by
//! its [`Endpoint`] and the shape of its path ([`Shapes`]), on JSON.
//!
//! - Path parameters are checked with [`Param::check`](atlas_admin_core::Param::check)
//!   (400 `INVALID_ATTRIBUTE` naming the parameter).
//! - **Parents**: an item lives under its parent; where the parent's collection is one the
//!   fake creates items in (projects, organizations, clusters, teams…), a missing parent is a
//!   404 `RESOURCE_NOT_FOUND` (a cluster of an unknown project). The demo project,
//!   organization and team exist from the start.
//! - **Collections**: POST creates an item (PUT on an item path creates or updates it). Its key
//!   is a fresh id of the shape the key parameter's pattern gives (24 hex for ids; also set as
//!   the body's `id`), or, for a name, the body field named after the parameter (`clusterName`
//!   → `clusterName` or `name`; `username`, `databaseName`, `roleName`; an access list's
//!   `entryValue` → `cidrBlock`, `ipAddress` or `awsSecurityGroup`); an id the body names by
//!   the key parameter's name (a project's `teamId`) is the key rather than a fresh one; the
//!   path's `groupId`/`orgId` are set in the body if absent. A taken name is 409. GET reads
//!   (404 once gone), PATCH merges (RFC 7396), DELETE removes. Lists are Atlas's pages where
//!   the endpoint is paginated, bare arrays where not. A POST of an array (access list
//!   entries, a project's teams) creates each item or merges it into the one with its key,
//!   and answers the collection's page. `…/byName/{name}` reads the item of the collection
//!   above whose `name` it is.
//! - **Keys in paths**: a key's value is compared decoded (`%24external` is `$external`); a
//!   CIDR block's `/` is written `%2F` in the value, as the spec's access list patterns say
//!   (`10.0.0.0%2F8`, sent by the core as `10.0.0.0%252F8`, names `10.0.0.0/8`).
//! - **Lifecycles**: an item whose body has a `stateName`, or one of a `…clusters` or
//!   `serverless` collection, reads `CREATING` (after PATCH/PUT `UPDATING`) until
//!   [`FakeConfig::settle_time`](super::FakeConfig::settle_time) has passed on the fake's
//!   clock, then `IDLE`; deleted, it reads `DELETING` for the settle time, then is gone.
//! - **Documents** (a path that is neither an item nor a collection, e.g. settings): GET reads
//!   what PUT/PATCH wrote (before, the spec's required fields), DELETE forgets it.
//! - **Actions** (`:verb` custom methods, downloads, POSTs to a document path: test
//!   failovers, restarts…): answered with the documented success status and a JSON body built
//!   from the spec (below) that starts from the request's fields the answer's schema also has,
//!   no body (an empty answer) or a few bytes of the download's media type (`+gzip`: an empty
//!   gzip stream; `+csv`: empty). They are counted in [`Counters::by_operation`](super::Counters)
//!   like every call.
//! - **Spec-conformant bodies** ([`spec`](super::spec), the generated `spec.json`): a JSON request
//!   body is checked against the operation's request schema for the version (400
//!   `VALIDATION_ERROR` naming each bad field, nested: `actions[0].resources[0].cluster`); every
//!   JSON success body is made to keep the schema of its status and version (the fields set
//!   kept, required ones filled: ids of the spec's pattern, dates from the fake's clock, the
//!   spec's examples, defaults and enum values), and a new item is stored so completed; the
//!   success status is the one the spec gives the version, or the one real Atlas was recorded
//!   answering where they differ (a new project 201, a deleted one 202: atlas-facts.md §7).
//!
//! Assumptions about live Atlas (unverified, chosen to be plausible):
//! - deleting an item that has children is refused: 409
//!   `CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS` for a project with clusters (the code Atlas's
//!   docs list for that case), 409 [`HAS_CHILD_RESOURCES`] for anything else;
//! - a second item with a taken name is 409 `DUPLICATE_CLUSTER_NAME` for clusters,
//!   409 [`ALREADY_EXISTS`] for anything else;
//! - a create body without the name the item is keyed by is 400 `VALIDATION_ERROR` naming it;
//! - PUT on an existing item merges like PATCH (the request's fields win);
//! - posting an access list entry or a project's team that exists updates it (no 409), and
//!   the answer is the whole collection's first page.

use super::incoming::Request;
use super::paging::Paging;
use super::reply::Outcome;
use super::resources::{FakeState, merge};
use super::routes::Route;
use super::shapes::{Shape, Shapes, is_placeholder, placeholder_name, runs};
use super::spec;
use super::values::fresh_id;
use atlas_admin_core::{Endpoint, ParamIn, ParamKind, Pattern, SuccessBody, catalog};
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

/// 409 for deleting an item that has items below it (an assumption: Atlas's code per
/// resource is unknown besides projects with clusters).
pub const HAS_CHILD_RESOURCES: &str = "HAS_CHILD_RESOURCES";
/// 409 for creating an item whose name is taken (an assumption, besides clusters).
pub const ALREADY_EXISTS: &str = "ALREADY_EXISTS";
/// The smallest gzip stream (of nothing): what a `+gzip` download answers.
const EMPTY_GZIP: [u8; 20] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/// `%XX` decoded (invalid escapes kept as they are).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `value` percent-encoded as the core encodes a path value (everything but RFC 3986
/// unreserved characters): the form an item's key is kept in, so `$external` and `%24external`
/// name one item, and `collection/key` is the item's path.
fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether values of `kind` write a CIDR block's `/` as `%2F` (the spec's access list
/// patterns: the value `10.0.0.0%2F8` names the block `10.0.0.0/8`).
fn slash_as_2f(kind: &ParamKind) -> bool {
    matches!(kind, ParamKind::Pattern(Pattern::IpCidrOrSecurityGroup | Pattern::IpOrCidr))
}

/// The value a path segment gives a parameter of `kind`: decoded, and a CIDR block's `%2F`
/// read as `/`.
fn path_value(segment: &str, kind: &ParamKind) -> String {
    let value = percent_decode(segment);
    match slash_as_2f(kind) {
        true => value.replace("%2F", "/").replace("%2f", "/"),
        false => value,
    }
}

/// The request's path with every placeholder's value in the form keys are kept in
/// ([`encode_segment`] of its [`path_value`]).
pub(crate) fn canonical_path(template: &[&str], concrete: &[&str], e: &Endpoint) -> Vec<String> {
    template
        .iter()
        .zip(concrete)
        .map(|(t, c)| match is_placeholder(t) {
            true => {
                let kind = e.param(placeholder_name(t)).map_or(ParamKind::Id, |p| p.kind);
                encode_segment(&path_value(c, &kind))
            }
            false => (*c).to_owned(),
        })
        .collect()
}

/// 400 `INVALID_ATTRIBUTE` for a path parameter its kind refuses.
fn invalid_path_param(name: &str, reason: &str) -> Outcome {
    Outcome::error(
        StatusCode::BAD_REQUEST,
        "INVALID_ATTRIBUTE",
        format!("Invalid attribute {name} specified: {reason}"),
        vec![json!(name)],
    )
}

/// Whether items of a collection have a lifecycle: by their body or their collection's name.
pub(crate) fn has_lifecycle(collection: &str, body: &Map<String, Value>) -> bool {
    let last = collection.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    body.contains_key("stateName") || last.ends_with("clusters") || last == "serverless"
}

/// Body fields that carry the key of items keyed by a parameter of another name: an access
/// list entry is named by its address, block or security group.
const KEY_ALIASES: &[(&str, &[&str])] = &[("entryValue", &["cidrBlock", "ipAddress", "awsSecurityGroup"])];

/// The body fields that may name an item keyed by parameter `name`.
fn name_fields(name: &str) -> Vec<String> {
    let mut out = vec![name.to_owned()];
    let aliases = KEY_ALIASES.iter().filter(|(n, _)| *n == name).flat_map(|(_, a)| a.iter());
    out.extend(aliases.map(|a| (*a).to_owned()));
    if let Some(stem) = name.strip_suffix("Name") {
        if !stem.is_empty() {
            out.push("name".to_owned());
        }
    }
    if !out.iter().any(|f| f == "name") {
        out.push("name".to_owned());
    }
    out
}

/// The key of a new item of `collection` (template) from `body`, completing `body` with it.
pub(crate) fn new_key(collection: &str, body: &mut Map<String, Value>) -> Result<String, Outcome> {
    key_of(collection, body, true)
}

/// The key of an item of `collection` (template) that Atlas answered with `body` (a recorded
/// answer): as [`new_key`], with the body's `id` where a fresh id would be minted; `body`
/// unchanged.
pub(crate) fn answered_key(collection: &str, body: &Map<String, Value>) -> Result<String, Outcome> {
    key_of(collection, &mut body.clone(), false)
}

/// [`new_key`] (`mint`: fresh ids set in `body`) or [`answered_key`] (ids read from `body`).
fn key_of(collection: &str, body: &mut Map<String, Value>, mint: bool) -> Result<String, Outcome> {
    let answered_id = |body: &Map<String, Value>, kind: &ParamKind| {
        let id = body.get("id").and_then(Value::as_str).filter(|v| kind.check("id", v).is_ok());
        id.map(str::to_owned).ok_or_else(|| Outcome::validation(vec![("id".to_owned(), "is required".to_owned())]))
    };
    let mut parts = Vec::new();
    for &(name, kind) in Shapes::get().keys(collection) {
        // An id the body names (a project's `teamId`: a reference to an existing team) is the
        // key; otherwise a fresh one.
        let named = body.get(name).and_then(Value::as_str).filter(|v| kind.check(name, v).is_ok());
        if let (None, Some(id)) = (named, fresh_id(&kind)) {
            let id = if mint { id } else { answered_id(body, &kind)? };
            body.insert("id".to_owned(), Value::String(id.clone()));
            parts.push(id);
            continue;
        }
        let fields = name_fields(name);
        let found = fields.iter().find_map(|f| body.get(f).and_then(Value::as_str).map(|v| (f.clone(), v.to_owned())));
        let Some((field, value)) = found else {
            return Err(Outcome::validation(vec![(name.to_owned(), "is required".to_owned())]));
        };
        let checked = if slash_as_2f(&kind) { value.replace('/', "%2F") } else { value.clone() };
        if let Err(e) = kind.check(&field, &checked) {
            return Err(Outcome::validation(vec![(field, e.reason().to_owned())]));
        }
        parts.push(encode_segment(&value));
    }
    if parts.is_empty() {
        let id = if mint { super::random::object_id() } else { answered_id(body, &ParamKind::Id)? };
        body.insert("id".to_owned(), Value::String(id.clone()));
        parts.push(id);
    }
    Ok(parts.join("/"))
}

/// The request's body as JSON objects: one (`{}` when empty), or those of an array where
/// `array` allows one (a POST that creates several items).
fn objects(body: &[u8], array: bool) -> Result<(Vec<Map<String, Value>>, bool), Outcome> {
    let not_object = || Outcome::validation(vec![("body".to_owned(), "must be a JSON object".to_owned())]);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok((vec![Map::new()], false));
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok((vec![map], false)),
        Ok(Value::Array(items)) if array && !items.is_empty() => {
            let maps = items.into_iter().map(|v| match v {
                Value::Object(m) => Ok(m),
                _ => Err(not_object()),
            });
            Ok((maps.collect::<Result<_, _>>()?, true))
        }
        Ok(_) => Err(not_object()),
        Err(e) => Err(Outcome::validation(vec![("body".to_owned(), format!("is not valid JSON: {e}"))])),
    }
}

/// The request's body as a JSON object (`{}` when empty).
fn object(body: &[u8]) -> Result<Map<String, Value>, Outcome> {
    Ok(objects(body, false)?.0.pop().unwrap_or_default())
}

/// The request's path parameters by name, decoded.
fn path_params(req: &Request<'_>) -> Vec<(&'static str, String)> {
    let params = super::routes::match_template(req.endpoint.path, req.path).unwrap_or_default();
    params.into_iter().map(|(n, v)| (n, percent_decode(&v))).collect()
}

/// The documented success answer of the request's endpoint with `value`.
fn respond(req: &Request<'_>, value: Option<Value>) -> Outcome {
    let e = req.endpoint;
    let documented = spec::success_status(e.operation_id, req.version, e.success);
    let observed = spec::observed_status(e.operation_id).unwrap_or(documented);
    let status = StatusCode::from_u16(observed).unwrap_or(StatusCode::OK);
    let bytes = |suffix: &str| {
        let content = if suffix == "gzip" { EMPTY_GZIP.to_vec() } else { Vec::new() };
        Outcome::bytes(status, content, format!("application/vnd.atlas.{}+{suffix}", req.version.as_str()))
    };
    match e.output {
        SuccessBody::Empty => Outcome::with_status(status, None),
        SuccessBody::Bytes { suffix } => bytes(suffix),
        SuccessBody::JsonOrBytes { suffix } if req.bytes => bytes(suffix),
        _ if status == StatusCode::NO_CONTENT => Outcome::with_status(status, None),
        _ => {
            let mut value = value.unwrap_or_else(|| json!({}));
            spec::conform(req, documented, &path_params(req), &mut value);
            Outcome::with_status(status, Some(value))
        }
    }
}

/// 400 `VALIDATION_ERROR` for a JSON body that breaks the operation's request schema (a
/// missing required field, a wrong type, a value outside its enum or range), naming each field;
/// for no body where the spec requires one, and for a body that is not JSON. A body too large to
/// check to its end within the validator's budget is taken, past what was checked (Atlas takes
/// large bodies: a search index of many fields).
/// A required field named after a path parameter may be left out (assumed: Atlas takes it from
/// the path, as the fake does).
fn check_body(req: &Request<'_>) -> Result<(), Outcome> {
    let e = req.endpoint;
    let refused = |reason: &str| Outcome::validation(vec![("body".to_owned(), reason.to_owned())]);
    if !matches!(e.method, Method::POST | Method::PUT | Method::PATCH) {
        return Ok(());
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return if e.body_required { Err(refused("is required")) } else { Ok(()) };
    }
    let Ok(body) = serde_json::from_slice::<Value>(req.body) else { return Err(refused("is not valid JSON")) };
    let mut problems = spec::request_problems(e.operation_id, req.version, e.method == Method::PATCH, &body);
    // A field the path gives (`groupId` of a database user) is taken from the path.
    let in_path = |field: &str| e.params.iter().any(|p| p.location == ParamIn::Path && p.name == field);
    problems.retain(|v| !(v.reason == "is required" && in_path(&v.field)));
    if problems.is_empty() {
        return Ok(());
    }
    let named = |field: String| if field.is_empty() { "body".to_owned() } else { field };
    Err(Outcome::validation(problems.into_iter().map(|v| (named(v.field), v.reason)).collect()))
}

/// A new item's body completed as the operation's success body (ids, creation dates, required
/// fields), so what is stored reads back the same.
fn completed(req: &Request<'_>, body: Map<String, Value>) -> Map<String, Value> {
    let mut value = Value::Object(body);
    let e = req.endpoint;
    let status = spec::success_status(e.operation_id, req.version, e.success);
    spec::conform(req, status, &path_params(req), &mut value);
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `body` (what a PATCH or PUT merges) without what the operation never answers (a
/// password): the fake keeps nothing Atlas would not show.
fn unanswered_dropped(req: &Request<'_>, body: Map<String, Value>) -> Map<String, Value> {
    let mut value = Value::Object(body);
    spec::drop_unanswered(req.endpoint.operation_id, req.version, &mut value);
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Runs the generic behaviour of `req.endpoint` on `state`.
pub(crate) fn handle(state: &mut FakeState, route: &Route, req: &Request<'_>) -> Outcome {
    match run(state, route, req) {
        Ok(o) | Err(o) => o,
    }
}

fn run(state: &mut FakeState, route: &Route, req: &Request<'_>) -> Result<Outcome, Outcome> {
    let e: &Endpoint = req.endpoint;
    for p in e.params.iter().filter(|p| p.location == ParamIn::Path) {
        let value = percent_decode(route.param(p.name));
        p.check(&value).map_err(|err| invalid_path_param(p.name, err.reason()))?;
    }
    let shapes = Shapes::get();
    let template: Vec<&str> = e.path.split('/').collect();
    let raw: Vec<&str> = req.path.split('/').collect();
    if template.len() != raw.len() {
        return Err(Outcome::not_found(format!("Cannot find resource {}.", req.path)));
    }
    let canonical = canonical_path(&template, &raw, e);
    let concrete: Vec<&str> = canonical.iter().map(String::as_str).collect();
    let shape = shapes.shape(e.path);
    // Every parent must exist (the last run is the item itself for an item path).
    let item = match shape {
        Shape::Item { start } => Some(start),
        _ => None,
    };
    if let Some((what, key)) = missing_parent(state, &template, &concrete, item) {
        return Err(Outcome::not_found(format!("No resource with {what} {key} exists.")));
    }
    // `…/{groupId}:migrate`: a custom method of an item, which must exist too.
    if let Some((last, verb_of)) = template.split_last().and_then(|(l, rest)| Some((l.split_once(':')?.0, rest))) {
        let collection = verb_of.join("/");
        let name = placeholder_name(last);
        let keyed = shapes.keys(&collection).iter().map(|(n, _)| *n).eq([name]);
        if is_placeholder(last) && keyed && shapes.is_creatable(&collection) {
            let kind = e.param(name).map_or(ParamKind::Id, |p| p.kind);
            let key = encode_segment(&path_value(route.param(name), &kind));
            if !state.exists_at(&concrete[..verb_of.len()].join("/"), &key) {
                return Err(Outcome::not_found(format!("No resource with {name} {key} exists.")));
            }
        }
    }
    check_body(req)?;
    let path = &canonical.join("/");
    Ok(match (shape, &e.method) {
        // `…/teams/byName/{teamName}`: the item of the collection above with that `name`.
        (Shape::Item { start }, &Method::GET) if start > 1 && template[start - 1] == "byName" => {
            let (coll, name) = (concrete[..start - 1].join("/"), percent_decode(concrete[start]));
            let found = state.resources(&coll).into_iter().find(|item| item["name"].as_str() == Some(name.as_str()));
            respond(req, Some(found.ok_or_else(|| Outcome::not_found(format!("No resource named {name} exists.")))?))
        }
        (Shape::Item { start }, m) => {
            let (coll, key) = (concrete[..start].join("/"), concrete[start..].join("/"));
            let not_found = || Outcome::not_found(format!("Cannot find resource {path}."));
            match *m {
                Method::GET => respond(req, Some(state.resource(&coll, &key).ok_or_else(not_found)?)),
                Method::PATCH => {
                    let patch = unanswered_dropped(req, object(req.body)?);
                    respond(req, Some(state.update(&coll, &key, |b| merge(b, &patch)).ok_or_else(not_found)?))
                }
                Method::PUT => {
                    let mut body = unanswered_dropped(req, object(req.body)?);
                    match state.update(&coll, &key, |b| merge(b, &body)) {
                        Some(v) => respond(req, Some(v)),
                        None => {
                            fill_parents(e.path, req.path, &mut body);
                            for (seg, value) in template[start..].iter().zip(&raw[start..]) {
                                let name = placeholder_name(seg);
                                let field = if fresh_id(&e.param(name).map_or(ParamKind::Id, |p| p.kind)).is_some() {
                                    "id".to_owned()
                                } else {
                                    name.to_owned()
                                };
                                let kind = e.param(name).map_or(ParamKind::Id, |p| p.kind);
                                body.entry(field).or_insert_with(|| Value::String(path_value(value, &kind)));
                            }
                            let body = completed(req, body);
                            let lifecycle = has_lifecycle(&coll, &body);
                            respond(req, Some(state.insert(&coll, &key, body, lifecycle)))
                        }
                    }
                }
                Method::DELETE => {
                    let item = format!("{coll}/{key}");
                    if let Some(child) = state.has_children(&item) {
                        return Err(refuse_delete(&item, &child));
                    }
                    if !state.remove(&coll, &key) {
                        return Err(not_found());
                    }
                    respond(req, None)
                }
                _ => respond(req, spec::echoed(req.endpoint.operation_id, req.version, req.body)),
            }
        }
        (Shape::Collection, &Method::POST) => {
            let (bodies, array) = objects(req.body, true)?;
            if array {
                return upsert(state, req, path, bodies);
            }
            let mut body = bodies.into_iter().next().unwrap_or_default();
            let key = new_key(&template.join("/"), &mut body)?;
            if state.exists_at(path, &key) {
                let code = if path.ends_with("/clusters") { "DUPLICATE_CLUSTER_NAME" } else { ALREADY_EXISTS };
                return Err(Outcome::error(
                    StatusCode::CONFLICT,
                    code,
                    format!("A resource named {key} already exists."),
                    vec![json!(key)],
                ));
            }
            fill_parents(e.path, req.path, &mut body);
            let body = completed(req, body);
            let lifecycle = has_lifecycle(path, &body);
            respond(req, Some(state.insert(path, &key, body, lifecycle)))
        }
        (Shape::Collection | Shape::Document, &Method::GET) if e.paginated => page(state, req, path)?,
        (Shape::Collection, &Method::GET) => respond(req, Some(Value::Array(state.resources(path)))),
        // A document is completed when first read or written and kept so: it reads the same
        // (its filled ids and dates included) until written or deleted.
        (Shape::Document, &Method::GET) => {
            let doc = match state.document(path) {
                Some(doc) => doc.clone(),
                None => {
                    let doc = Value::Object(completed(req, Map::new()));
                    state.set_document(path, doc.clone());
                    doc
                }
            };
            respond(req, Some(doc))
        }
        (Shape::Document | Shape::Collection, &Method::PUT | &Method::PATCH) => {
            let patch = unanswered_dropped(req, object(req.body)?);
            let mut doc = match state.document(path) {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            merge(&mut doc, &patch);
            let doc = completed(req, doc);
            state.set_document(path, Value::Object(doc.clone()));
            respond(req, Some(Value::Object(doc)))
        }
        (Shape::Document, &Method::DELETE) => {
            state.remove_document(path);
            respond(req, None)
        }
        _ => respond(req, spec::echoed(req.endpoint.operation_id, req.version, req.body)),
    })
}

/// A name and a text about it: a parent's key placeholders and its key, or a parameter and
/// why its value is refused.
pub(crate) type Named = (String, String);

/// The first parent of `concrete` (a path of `template`, keys in canonical form) that does not
/// exist: its key placeholders' names and its key. Only parents in a collection the fake
/// creates items in are checked; the run starting at segment `item` (an item path's own key)
/// is not a parent.
pub(crate) fn missing_parent(
    state: &mut FakeState,
    template: &[&str],
    concrete: &[&str],
    item: Option<usize>,
) -> Option<Named> {
    let shapes = Shapes::get();
    for (start, end) in runs(template) {
        if item == Some(start) {
            break;
        }
        let collection = template[..start].join("/");
        // Only a placeholder naming the collection's key is its item (`/clusters/{hostName}/logs`
        // names a host, not a cluster).
        let names: Vec<&str> = template[start..end].iter().map(|s| placeholder_name(s)).collect();
        let keyed = shapes.keys(&collection).iter().map(|(n, _)| *n).eq(names.iter().copied());
        if keyed && shapes.is_creatable(&collection) {
            let (coll, key) = (concrete[..start].join("/"), concrete[start..end].join("/"));
            if !state.exists_at(&coll, &key) {
                return Some((names.join("/"), key));
            }
        }
    }
    None
}

/// A POST of an array to the collection at `path` (access list entries, a project's teams):
/// each item created, or merged into the one with its key; all checked before any is stored.
/// Answered with the collection's page, as Atlas answers these.
fn upsert(
    state: &mut FakeState,
    req: &Request<'_>,
    path: &str,
    bodies: Vec<Map<String, Value>>,
) -> Result<Outcome, Outcome> {
    let e = req.endpoint;
    let mut keyed = Vec::with_capacity(bodies.len());
    for mut body in bodies {
        let key = new_key(e.path, &mut body)?;
        fill_parents(e.path, req.path, &mut body);
        keyed.push((key, body));
    }
    for (key, body) in keyed {
        if state.update(path, &key, |b| merge(b, &body)).is_none() {
            let lifecycle = has_lifecycle(path, &body);
            state.insert(path, &key, body, lifecycle);
        }
    }
    page(state, req, path)
}

/// The page of the collection at `path` the request's query asks for.
fn page(state: &mut FakeState, req: &Request<'_>, path: &str) -> Result<Outcome, Outcome> {
    let paging = Paging::parse(req.query, req.endpoint.param("includeCount").is_some())?;
    let total = state.count(path);
    let mut results = Vec::new();
    state.walk(path, paging.skip(), |item| {
        results.push(item);
        results.len() < paging.items_per_page
    });
    let more = paging.skip().saturating_add(results.len()) < total;
    Ok(respond(req, Some(paging.body(req, results, total, more))))
}

/// The endpoint whose template is the collection at concrete path `collection`, if the catalog
/// has one.
pub(crate) fn collection_endpoint(collection: &str) -> Option<&'static Endpoint> {
    let shapes = Shapes::get();
    catalog::all()
        .filter(|e| shapes.shape(e.path) == Shape::Collection)
        .find(|e| super::routes::match_template(e.path, collection).is_some())
}

/// The parameter of `e` (path of a collection) that refuses its value in `collection`, and
/// why; else `collection` with its keys in canonical form and the first missing parent, if any.
pub(crate) fn checked_collection(
    state: &mut FakeState,
    e: &'static Endpoint,
    collection: &str,
) -> Result<(String, Option<Named>), Named> {
    let template: Vec<&str> = e.path.split('/').collect();
    let raw: Vec<&str> = collection.split('/').collect();
    for (seg, value) in template.iter().zip(&raw) {
        if let Some(p) = is_placeholder(seg).then(|| e.param(placeholder_name(seg))).flatten() {
            p.check(&percent_decode(value)).map_err(|err| (p.name.to_owned(), err.reason().to_owned()))?;
        }
    }
    let canonical = canonical_path(&template, &raw, e);
    let concrete: Vec<&str> = canonical.iter().map(String::as_str).collect();
    let missing = missing_parent(state, &template, &concrete, None);
    Ok((canonical.join("/"), missing))
}

/// Sets the path's `groupId`/`orgId` in a new item's body, if absent.
pub(crate) fn fill_parents(template: &str, concrete: &str, body: &mut Map<String, Value>) {
    for (seg, value) in template.split('/').zip(concrete.split('/')) {
        if is_placeholder(seg) {
            let name = placeholder_name(seg);
            if matches!(name, "groupId" | "orgId") {
                body.entry(name.to_owned()).or_insert_with(|| Value::String((*value).to_owned()));
            }
        }
    }
}

/// 409 for deleting `item` while `child` (a collection below it) has items.
fn refuse_delete(item: &str, child: &str) -> Outcome {
    let project = item.strip_prefix("/api/atlas/v2/groups/").is_some_and(|rest| !rest.contains('/'));
    let code = if project && child.ends_with("/clusters") {
        "CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS"
    } else {
        HAS_CHILD_RESOURCES
    };
    Outcome::error(
        StatusCode::CONFLICT,
        code,
        format!("Cannot delete {item}: {child} still holds resources."),
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_and_name_fields() {
        assert_eq!(percent_decode("10.0.0.0%2F8"), "10.0.0.0/8");
        assert_eq!(percent_decode("a%zz%2"), "a%zz%2");
        assert_eq!(name_fields("clusterName"), ["clusterName", "name"]);
        assert_eq!(name_fields("username"), ["username", "name"]);
        assert_eq!(name_fields("entryValue"), ["entryValue", "cidrBlock", "ipAddress", "awsSecurityGroup", "name"]);
    }

    #[test]
    fn keys_in_paths() {
        assert_eq!(encode_segment("$external"), "%24external");
        assert_eq!(encode_segment("CN=a,O=b é"), "CN%3Da%2CO%3Db%20%C3%A9");
        assert_eq!(encode_segment("Cluster0-x_y.z~"), "Cluster0-x_y.z~");
        let cidr = ParamKind::Pattern(Pattern::IpCidrOrSecurityGroup);
        for sent in ["10.0.0.0%252F8", "10.0.0.0%2F8", "10.0.0.0%2f8"] {
            assert_eq!(path_value(sent, &cidr), "10.0.0.0/8", "{sent}");
        }
        let text = ParamKind::Text { min_len: None, max_len: None };
        assert_eq!(path_value("a%252Fb", &text), "a%2Fb", "decoded once, elsewhere");
        assert_eq!(path_value("%24external", &text), "$external");
    }

    /// Review finding 7: no body where the spec requires one, and a body that is not JSON, are
    /// 400 `VALIDATION_ERROR` (a create, a `:verb` action), not an item of invented values.
    #[cfg(feature = "fake-full")]
    #[test]
    fn a_required_body_must_be_sent_and_be_json() {
        let config = super::super::FakeConfig::default();
        let check = |operation: &str, path: &str, body: &[u8]| {
            let endpoint = catalog::find(operation).unwrap_or_else(|| panic!("{operation}"));
            let req = Request {
                config: &config,
                principal: "p",
                now: std::time::SystemTime::UNIX_EPOCH,
                query: &[],
                path,
                version: endpoint.versions[0],
                body,
                endpoint,
                bytes: false,
            };
            check_body(&req).err().map(|o| (o.status.as_u16(), o.error_code))
        };
        let refused = Some((400, Some("VALIDATION_ERROR".to_owned())));
        let alerts = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/alertConfigs";
        for body in [&b""[..], b" \n", b"{\"enabled\": tru", b"{} {}"] {
            assert_eq!(check("createGroupAlertConfig", alerts, body), refused, "{body:?}");
        }
        let pin = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/c1:pinFeatureCompatibilityVersion";
        assert_eq!(check("pinFeatureCompatibilityVersion", pin, b"{oops"), refused);
        assert_eq!(check("pinFeatureCompatibilityVersion", pin, b""), None, "its body is optional");
    }
}
