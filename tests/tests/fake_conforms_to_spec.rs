//! The fake's answers keep the spec: every operation of the catalog (feature `fake-full`), in
//! every version it has, sent through the core (`catalog::call`) and the blocking client, with
//! requests built from the spec itself (the vendored `core/codegen/spec/atlas-admin-v2.yaml`,
//! read here with a YAML parser: nothing of the generator's output is taken as truth):
//!
//! - **valid**: every parameter set to a valid value of its kind (the demo project,
//!   organization and team where it names one), the body made from the request schema of the
//!   version (the spec's example where it keeps the schema, else its required fields);
//! - **invalid**: that body without one required field, with an enum field set to a value
//!   outside its enum, and the request with an unknown project or organization id.
//!
//! Every answer's status must be one the spec documents for the operation, and its body must
//! validate against the spec's schema for that status and version (success bodies with the
//! versioned content type, errors as `ApiError`). An invalid request must be refused (no 2xx),
//! a bad body with 400 `VALIDATION_ERROR`; a valid request must succeed (2xx). Where the fake
//! answers otherwise, [`REFUSED_VALID`] and [`BAD_BODY_NOT_400`] name the operation and the
//! reason ([`WHY`]), and an entry that excuses nothing fails the test; a path item the test
//! cannot seed fails it too unless [`UNSEEDABLE`] names the operation.
//! Where real Atlas departs from the spec (`/work/shared/atlas-facts.md` §5 and §7), the fake
//! follows Atlas: [`EXCEPTIONS`] lists each such departure with its source, and the test counts
//! how many answers each one excused.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, clippy::print_stderr, clippy::indexing_slicing)]

#[path = "../src/spec.rs"]
mod spec_yaml;
mod support;

use atlas_admin_core::{ApiVersion, Endpoint, Error, SuccessBody, catalog};
use atlas_admin_testing::fake::schema::{Direction, Schemas, Violation, untype_scalar_unions};
use atlas_admin_testing::fake::{FakeAtlas, FakeConfig, SeedError};
use atlas_admin_ureq::Client;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;
use support::{client, gone, seed_example_cluster, spec_status_for};

/// Path parameters whose value the spec leaves free but whose answer's field of that name it
/// constrains (an id of 24 hex characters, a database user's `databaseName`): (the parameter,
/// a piece of the path it must be in, the value the requests give it). A value the fake was
/// sent is answered as sent, so the requests send one the answer may carry.
const PARAM_VALUES: &[(&str, &str, &str)] = &[
    ("databaseName", "/databaseUsers/", "admin"),
    ("reportId", "", "5f1e2d3c4b5a69788796a5b4"),
    ("metricIntegrationId", "", "5f1e2d3c4b5a69788796a5b4"),
    ("simulationId", "", "5f1e2d3c4b5a69788796a5b4"),
];

/// The value the requests give parameter `name` of `e` ([`PARAM_VALUES`], else `support::value`).
fn value(e: &Endpoint, name: &str, config: &FakeConfig) -> String {
    let fixed = PARAM_VALUES.iter().find(|(n, within, _)| *n == name && e.path.contains(within));
    fixed.map_or_else(|| support::value(e, name, config), |(_, _, v)| (*v).to_owned())
}

/// An id of the right shape that names no project or organization.
const UNKNOWN_ID: &str = "0a0b0c0d0e0f101112131415";

/// Where the fake follows real Atlas rather than the spec, and why.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "atlas-statuses",
        "a success status real Atlas answers where the spec documents another (fake::ATLAS_STATUSES: createGroup \
         201, deleteGroup 202; atlas-facts.md §7, recorded live answers); the body is judged as the spec's",
    ),
    (
        "error-parameters-are-scalars",
        "ApiError.parameters holds the values substituted into `detail` (strings, numbers), where the spec \
         declares objects: atlas-facts.md §5 (the documented 429 body, \
         \"parameters\":[\"api/atlas/v2/orgs\",55,10,5,60])",
    ),
    (
        "bad-request-undocumented",
        "400 VALIDATION_ERROR for a body that breaks the request schema (invalid cases only), on the few operations whose \
         responses do not list 400 (createUser, createOrgApiKey, createGroupCloudProviderAccess…): the spec \
         documents components.responses.badRequest on the others, and Atlas answers statuses the spec does not \
         list (atlas-facts.md §7); assumed: Atlas checks every body the same way",
    ),
    ("refused-valid", "a valid request the fake refuses, listed per operation in REFUSED_VALID with its reason (WHY)"),
    (
        "bad-body-not-400",
        "a bad body the fake does not answer 400, listed per operation in BAD_BODY_NOT_400 with its reason (WHY)",
    ),
    (
        "scalar-unions",
        "`type: object` over oneOf branches that are all strings (17 schemas: cluster and endpoint `regionName`, \
         event and alert `eventTypeName`…) is dropped before validating: no value keeps such a schema, and Atlas \
         sends strings there (its examples: \"regionName\": \"US_EAST_1\"; atlas-facts.md §7: real bodies break \
         the spec); the fake does the same (fake::schema::untype_scalar_unions)",
    ),
    (
        "version-gone",
        "410 VERSION_GONE for a version past its sunset, on operations whose responses do not list 410: \
         atlas-facts.md §5 (the spec's components.responses.gone)",
    ),
];

/// Why a request made from the spec is not answered as the spec alone says it would be (the
/// reasons [`REFUSED_VALID`] and [`BAD_BODY_NOT_400`] name).
const WHY: &[(&str, &str)] = &[
    (
        "unseeded",
        "the path names an item this test does not create first (a Cloud User or an invitation, made only \
         through their own hand-written API; an item the generic seeding cannot key from the path: search \
         indexes by name, processes, MCP configurations, stream processors): 404, Atlas's answer for an \
         unknown item, which comes before the body is looked at",
    ),
    (
        "key-field",
        "the fake keys the new item by a body field (a cluster's `name`, a stream workspace's `tenantName`) or \
         needs one (an invitation's `username`) that the spec does not mark required, so the body made from \
         the spec's required fields lacks it: 400 naming the field (generic.rs assumption: a create body \
         without the name its item is keyed by is 400)",
    ),
    (
        "children",
        "deleting a project, organization or cluster that earlier requests of this test filled with items: \
         409, as Atlas refuses (CANNOT_CLOSE_GROUP_ACTIVE_ATLAS_CLUSTERS; generic.rs assumption for the rest)",
    ),
    (
        "role-pattern",
        "the hand-written Cloud Users behaviour takes only project roles `GROUP_…` (Atlas's roles), where the \
         spec's example role string is free text",
    ),
    (
        "not-a-member",
        "a user added to a team must be a member of the organization (Atlas: USER_NOT_IN_ORG); the id made from \
         the spec names no user",
    ),
];

/// Operations whose path names an item the fake keeps under another key than the path's
/// parameters give (search indexes kept by database, collection and name; serverless instances
/// and database users keyed by body fields the path does not carry; secrets of an MCP
/// configuration the fake cannot create): [`seed_path`] cannot seed it, and its requests are
/// answered as for an unknown item (reason `unseeded` in [`WHY`]).
const UNSEEDABLE: &[&str] = &[
    "authorizeGroupCloudProviderAccessRole",
    "createGroupDatabaseUserCert",
    "createGroupServerlessBackupRestoreJob",
    "deleteGroupClusterFtsIndex",
    "deleteGroupClusterSearchIndex",
    "deleteGroupMcpConfigSecret",
    "deleteOrgMcpConfigSecret",
    "downloadGroupClusterLog",
    "getGroupCloudProviderAccess",
    "getGroupClusterFtsIndex",
    "getGroupClusterSearchIndex",
    "getGroupMcpConfigSecret",
    "getGroupServerlessBackupRestoreJob",
    "getGroupServerlessBackupSnapshot",
    "getGroupServerlessPerformanceAdvisorAutoIndexing",
    "getOrgMcpConfigSecret",
    "listGroupDatabaseUserCerts",
    "listGroupServerlessBackupRestoreJobs",
    "listGroupServerlessBackupSnapshots",
    "setGroupServerlessPerformanceAdvisorAutoIndexing",
    "updateGroupClusterFtsIndex",
    "updateGroupClusterSearchIndex",
];

/// Valid requests the fake refuses: (operation, status, reason in [`WHY`]).
const REFUSED_VALID: &[(&str, u16, &str)] = &[
    ("deleteGroup", 409, "children"),
    ("deleteGroupCluster", 409, "children"),
    ("deleteOrg", 409, "children"),
    ("createFederationSettingIdentityProvider", 400, "key-field"),
    ("createGroupAccessListEntry", 400, "key-field"),
    ("createGroupCloudProviderAccess", 400, "key-field"),
    ("createGroupCluster", 400, "key-field"),
    ("createGroupClusterOverloadSimulation", 400, "key-field"),
    ("createGroupDataFederation", 400, "key-field"),
    ("createGroupInvite", 400, "key-field"),
    ("createGroupLogIntegration", 400, "key-field"),
    ("createGroupMetricIntegration", 400, "key-field"),
    ("createGroupPrivateEndpointEndpointServiceEndpoint", 400, "key-field"),
    ("createGroupServiceAccountAccessList", 400, "key-field"),
    ("createGroupServiceAccountSecret", 400, "key-field"),
    ("createGroupStreamConnection", 400, "key-field"),
    ("createGroupStreamConnectionFailoverConnection", 400, "key-field"),
    ("createGroupStreamPrivateLinkConnection", 400, "key-field"),
    ("createGroupStreamProcessor", 400, "key-field"),
    ("createGroupStreamWorkspace", 400, "key-field"),
    ("createOrgApiKeyAccessListEntry", 400, "key-field"),
    ("createOrgBillingCostExplorerUsageProcess", 400, "key-field"),
    ("createOrgInvite", 400, "key-field"),
    ("createOrgInvoiceReport", 400, "key-field"),
    ("createOrgServiceAccountAccessList", 400, "key-field"),
    ("createOrgServiceAccountSecret", 400, "key-field"),
    ("updateGroupInviteById", 400, "key-field"),
    ("updateGroupInvites", 400, "key-field"),
    ("updateOrgInviteById", 400, "key-field"),
    ("updateOrgInvites", 400, "key-field"),
    ("addOrgTeamUser", 400, "not-a-member"),
    ("addGroupUsers", 400, "role-pattern"),
    ("addGroupUserRole", 404, "unseeded"),
    ("addOrgUserRole", 404, "unseeded"),
    ("authorizeGroupCloudProviderAccessRole", 404, "unseeded"),
    ("createGroupMcpConfigSecret", 404, "unseeded"),
    ("createOrgMcpConfigSecret", 404, "unseeded"),
    ("deleteFederationSetting", 404, "unseeded"),
    ("deleteGroupClusterBackupSnapshotShardedCluster", 404, "unseeded"),
    ("deleteGroupClusterFtsIndex", 404, "unseeded"),
    ("deleteGroupClusterSearchIndex", 404, "unseeded"),
    ("deleteGroupClusterSearchIndexByName", 404, "unseeded"),
    ("deleteGroupInvite", 404, "unseeded"),
    ("deleteGroupMcpConfigSecret", 404, "unseeded"),
    ("deleteOrgInvite", 404, "unseeded"),
    ("deleteOrgMcpConfigSecret", 404, "unseeded"),
    ("getGroupByName", 404, "unseeded"),
    ("getGroupCloudProviderAccess", 404, "unseeded"),
    ("getGroupClusterBackupSnapshotShardedCluster", 404, "unseeded"),
    ("getGroupClusterFtsIndex", 404, "unseeded"),
    ("getGroupClusterSearchIndex", 404, "unseeded"),
    ("getGroupClusterSearchIndexByName", 404, "unseeded"),
    ("getGroupDbAccessHistoryCluster", 404, "unseeded"),
    ("getGroupDbAccessHistoryProcess", 404, "unseeded"),
    ("getGroupInvite", 404, "unseeded"),
    ("getGroupMcpConfigSecret", 404, "unseeded"),
    ("getGroupProcessDatabase", 404, "unseeded"),
    ("getGroupProcessDisk", 404, "unseeded"),
    ("getGroupSampleDatasetLoad", 404, "unseeded"),
    ("getGroupUser", 404, "unseeded"),
    ("getOrgInvite", 404, "unseeded"),
    ("getOrgMcpConfigSecret", 404, "unseeded"),
    ("getOrgTeamByName", 404, "unseeded"),
    ("getOrgUser", 404, "unseeded"),
    ("getUserByName", 404, "unseeded"),
    ("listGroupMcpConfigSecrets", 404, "unseeded"),
    ("listOrgMcpConfigSecrets", 404, "unseeded"),
    ("removeGroupUser", 404, "unseeded"),
    ("removeGroupUserRole", 404, "unseeded"),
    ("removeOrgTeamUser", 404, "unseeded"),
    ("removeOrgUser", 404, "unseeded"),
    ("removeOrgUserRole", 404, "unseeded"),
    ("startGroupStreamProcessor", 404, "unseeded"),
    ("startGroupStreamProcessorWith", 404, "unseeded"),
    ("stopGroupStreamProcessor", 404, "unseeded"),
    ("updateGroupClusterFtsIndex", 404, "unseeded"),
    ("updateGroupClusterSearchIndex", 404, "unseeded"),
    ("updateGroupClusterSearchIndexByName", 404, "unseeded"),
    ("updateOrgUser", 404, "unseeded"),
];

/// Bad bodies the fake does not answer 400 `VALIDATION_ERROR`: (operation, status, reason in
/// [`WHY`]).
const BAD_BODY_NOT_400: &[(&str, u16, &str)] = &[
    ("addGroupUserRole", 404, "unseeded"),
    ("addOrgUserRole", 404, "unseeded"),
    ("createGroupMcpConfigSecret", 404, "unseeded"),
    ("createOrgMcpConfigSecret", 404, "unseeded"),
    ("removeGroupUserRole", 404, "unseeded"),
    ("removeOrgUserRole", 404, "unseeded"),
];

/// The spec as JSON (the tests' one YAML reader of the vendored spec, `tests/src/spec.rs`).
fn spec() -> Value {
    spec_yaml::spec().clone()
}

/// Follows a `$ref` to `#/components/responses/…` (or any local one).
fn deref<'s>(spec: &'s Value, v: &'s Value) -> &'s Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(r.trim_start_matches('#')).unwrap_or(&Value::Null),
        None => v,
    }
}

/// One request to send.
struct Case {
    what: &'static str,
    body: Option<Value>,
    /// A parameter's value replaced (`groupId` → an unknown id).
    replace: Option<(&'static str, &'static str)>,
    /// Whether the fake must refuse it.
    invalid: bool,
}

/// What came back.
struct Answer {
    status: u16,
    content_type: Option<String>,
    /// The JSON body (a success), or the `ApiError` body (an error); `None` for bytes.
    body: Option<Value>,
}

fn send(client: &Client, e: &'static Endpoint, version: ApiVersion, case: &Case, config: &FakeConfig) -> Answer {
    let op_id = e.operation_id;
    let mut op = catalog::call(op_id).unwrap().api_version(version);
    for p in e.params.iter().filter(|p| p.exists_in(version)) {
        let v = match case.replace {
            Some((name, v)) if name == p.name => v.to_owned(),
            _ => value(e, p.name, config),
        };
        op = op.param(p.name, v).unwrap_or_else(|err| panic!("{op_id} {}: {err}", p.name));
    }
    match &case.body {
        Some(body) => op = op.json(body).unwrap(),
        None if e.body_required => op = op.json(&json!({})).unwrap(),
        None => {}
    }
    let answered = match e.output {
        SuccessBody::Bytes { .. } => client.execute(&op.into_download().unwrap()).map(|r| (r.meta, None)),
        _ => client.execute(&op).map(|r| (r.meta, Some(r.value))),
    };
    match answered {
        Ok((meta, body)) => Answer { status: meta.status.as_u16(), content_type: meta.content_type, body },
        Err(Error::Api(api)) => Answer {
            status: api.status.as_u16(),
            content_type: api.meta.content_type.clone(),
            body: Some(serde_json::to_value(&api.body).unwrap()),
        },
        Err(err) => panic!("{op_id} {version} ({}): {err}", case.what),
    }
}

/// The cases of `e` in `version`: valid, then the invalid ones its request schema allows.
fn cases(spec: &Value, op: &Value, e: &Endpoint, version: ApiVersion, config: &FakeConfig) -> Vec<Case> {
    let schemas = Schemas::new(spec);
    let ct = version.media_type();
    let request = op.pointer("/requestBody/content").and_then(|c| c.get(&ct)).and_then(|m| m.get("schema"));
    let in_path = |name: &str| e.path.contains(&format!("{{{name}}}"));
    let fill = |name: &str, _: &Value| match name {
        "groupId" => Some(json!(config.group_id)),
        "orgId" => Some(json!(config.org_id)),
        _ => None,
    };
    let mut body = request.map(|s| schemas.example(s, Direction::Request, &fill));
    if let (Some(Value::Array(items)), Some(item)) = (&mut body, request.and_then(|s| schemas.resolve(s).get("items")))
    {
        // A body that is a list (access list entries, a project's teams) carries one item.
        if items.is_empty() {
            items.push(schemas.example(item, Direction::Request, &fill));
        }
    }
    let mut out = vec![Case { what: "valid", body: body.clone(), replace: None, invalid: false }];
    if let (Some(schema), Some(Value::Object(fields))) = (request, &body) {
        let resolved = schemas.resolve(schema);
        let props = resolved.get("properties").and_then(Value::as_object);
        let required = resolved.get("required").and_then(Value::as_array).into_iter().flatten();
        let writable = |name: &str| {
            let p = props.and_then(|p| p.get(name)).map(|p| schemas.resolve(p));
            !p.is_some_and(|p| p.get("readOnly") == Some(&Value::Bool(true)))
        };
        let missing =
            required.filter_map(Value::as_str).find(|n| writable(n) && !in_path(n) && fields.contains_key(*n));
        if let (Some(name), false) = (missing, e.method == http::Method::PATCH) {
            let mut without = fields.clone();
            without.remove(name);
            out.push(Case {
                what: "missing required field",
                body: Some(Value::Object(without)),
                replace: None,
                invalid: true,
            });
        }
        let enum_field = fields.keys().find(|n| {
            props.and_then(|p| p.get(n.as_str())).map(|p| schemas.resolve(p)).is_some_and(|p| p.get("enum").is_some())
        });
        if let Some(name) = enum_field {
            let mut bad: Map<String, Value> = fields.clone();
            bad.insert(name.clone(), json!("NOT_A_VALUE_OF_THE_ENUM"));
            out.push(Case {
                what: "value outside the enum",
                body: Some(Value::Object(bad)),
                replace: None,
                invalid: true,
            });
        }
    }
    // A path below a project or an organization (the fake keeps both): unknown, it is a 404.
    for (parent, prefix) in [("groupId", "/api/atlas/v2/groups/{groupId}"), ("orgId", "/api/atlas/v2/orgs/{orgId}")] {
        if e.path.starts_with(prefix) {
            out.push(Case {
                what: "unknown id",
                body: body.clone(),
                replace: Some((parent, UNKNOWN_ID)),
                invalid: true,
            });
        }
    }
    out
}

/// Seeds the items the path of `e` names below the demo project or organization (a cluster, a
/// database user, an alert configuration…), keyed by the values the requests use, so that its
/// valid requests reach them rather than a 404. A path segment the fake keeps no collection
/// for is left alone, an item seeded already is kept; any other refusal is a failure.
fn seed_path(fake: &FakeAtlas, e: &Endpoint, config: &FakeConfig, failures: &mut Vec<String>) -> usize {
    let whole = |s: &str| s.starts_with('{') && s.ends_with('}') && s.matches('{').count() == 1;
    let segments: Vec<&str> = e.path.split('/').collect();
    let (mut at, mut seeded) = (0, 0);
    while at < segments.len() {
        if !whole(segments[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < segments.len() && whole(segments[at]) {
            at += 1;
        }
        let names: Vec<&str> = segments[start..at].iter().map(|s| s.trim_matches(|c| c == '{' || c == '}')).collect();
        if start < 5 {
            continue; // the project or organization itself: it exists
        }
        let collection: Vec<String> = segments[..start]
            .iter()
            .map(|s| match whole(s) {
                true => value(e, s.trim_matches(|c| c == '{' || c == '}'), config),
                false => (*s).to_owned(),
            })
            .collect();
        let body: Map<String, Value> = names.iter().map(|n| ((*n).to_owned(), json!(value(e, n, config)))).collect();
        match fake.seed_resource(&collection.join("/"), Value::Object(body)) {
            Ok(_) => seeded += 1,
            // Seeded for an earlier version or operation; a segment that is no collection.
            Err(SeedError::Exists { .. } | SeedError::UnknownCollection(_)) => {}
            Err(_) if UNSEEDABLE.contains(&e.operation_id) => {}
            Err(err) => failures.push(format!("{}: seeding {}: {err}", e.operation_id, collection.join("/"))),
        }
    }
    seeded
}

/// Whether the spec's operation object `op` lists `status` among its responses.
fn op_documents(op: &Value, status: u16) -> bool {
    op.get("responses").and_then(|r| r.get(status.to_string())).is_some()
}

/// Counts per exception.
type Excused = BTreeMap<&'static str, usize>;

/// The entries of [`REFUSED_VALID`] (`"valid"`) and [`BAD_BODY_NOT_400`] (`"bad"`) that excused an answer.
type Used = BTreeSet<(&'static str, &'static str, u16)>;

/// One operation in one version, as the spec describes it, at the fake's time.
struct Target<'s> {
    spec: &'s Value,
    /// The spec's operation object.
    op: &'s Value,
    e: &'static Endpoint,
    version: ApiVersion,
    now: SystemTime,
}

/// What is wrong with `answer` to `case` on `target` (`None`: nothing).
fn judge(target: &Target<'_>, case: &Case, answer: &Answer, excused: &mut Excused, used: &mut Used) -> Option<String> {
    let Target { spec, op, e, version, now } = *target;
    // Where Atlas answers another success status than the spec's, the body is the spec's.
    let as_spec = spec_status_for(e.operation_id, answer.status);
    if as_spec.is_some() {
        *excused.entry("atlas-statuses").or_default() += 1;
    }
    let status = as_spec.unwrap_or(answer.status).to_string();
    let documented = op.get("responses").and_then(|r| r.get(&status));
    let success = (200..300).contains(&answer.status);
    if case.invalid && success {
        return Some(format!("{status}: not refused"));
    }
    let code = answer.body.as_ref().and_then(|b| b.get("errorCode")).and_then(Value::as_str);
    let gone_now = answer.status == 410 && gone(e, version, now);
    // A valid request succeeds, unless its version is gone or a named exception says why not.
    if !case.invalid && !success && !gone_now {
        let Some(&(op, s, _)) = REFUSED_VALID.iter().find(|(op, s, _)| *op == e.operation_id && *s == answer.status)
        else {
            let body = answer.body.as_ref().map(truncated).unwrap_or_default();
            return Some(format!("{status}: a valid request refused: {body}"));
        };
        used.insert(("valid", op, s));
        *excused.entry("refused-valid").or_default() += 1;
        if !op_documents(target.op, answer.status) {
            return None; // the refusal is the exception; a status the spec does not list with it
        }
    }
    // A bad body is 400 VALIDATION_ERROR, unless its version is gone or a named exception says why not.
    let validated = answer.status == 400 && code == Some("VALIDATION_ERROR");
    if case.replace.is_none() && case.invalid && !validated && !gone_now {
        let Some(&(op, s, _)) = BAD_BODY_NOT_400.iter().find(|(op, s, _)| *op == e.operation_id && *s == answer.status)
        else {
            return Some(format!("{status} {code:?}: a bad body must be 400 VALIDATION_ERROR"));
        };
        used.insert(("bad", op, s));
        *excused.entry("bad-body-not-400").or_default() += 1;
    }
    let Some(response) = documented.map(|r| deref(spec, r)) else {
        if answer.status == 410 && gone(e, version, now) {
            *excused.entry("version-gone").or_default() += 1;
            return None;
        }
        if validated && case.invalid && case.body.is_some() {
            *excused.entry("bad-request-undocumented").or_default() += 1;
            return None;
        }
        let listed: Vec<&String> = op["responses"].as_object().map(|r| r.keys().collect()).unwrap_or_default();
        let body = answer.body.as_ref().map(truncated).unwrap_or_default();
        return Some(format!("{status} is not among the documented {listed:?}: {body}"));
    };
    let ct = if success {
        format!("{}+json", version.media_type().trim_end_matches("+json"))
    } else {
        "application/json".to_owned()
    };
    let content = response.get("content");
    let Some(body) = &answer.body else {
        // Bytes (a download): its content type must be one the spec gives.
        let got = answer.content_type.clone().unwrap_or_default();
        let listed = content.and_then(Value::as_object).is_some_and(|c| c.contains_key(&got));
        return (!listed).then(|| format!("{status}: content type {got:?} is not the spec's"));
    };
    // An error of the operation's own shape comes in the versioned type (createOrgResourcePolicy's 400).
    let versioned = version.media_type();
    let schema = content.and_then(|c| c.get(&ct).or_else(|| c.get(&versioned))).and_then(|m| m.get("schema"));
    let Some(schema) = schema else {
        return match body {
            Value::Null => None,
            _ => Some(format!("{status}: a body where the spec gives none for {ct}: {body}")),
        };
    };
    if success && answer.content_type.as_deref() != Some(&format!("{ct};charset=utf-8")) {
        return Some(format!("{status}: content type {:?}, not {ct}", answer.content_type));
    }
    let (mut violations, complete) = Schemas::new(spec).validate_checked(schema, body, Direction::Response);
    if !complete {
        return Some(format!("{status}: body too large to check: {}", truncated(body)));
    }
    if !success {
        let before = violations.len();
        violations.retain(|v| !(v.field.starts_with("parameters[") && v.reason == "must be of type object"));
        if violations.len() < before {
            *excused.entry("error-parameters-are-scalars").or_default() += 1;
        }
    }
    (!violations.is_empty()).then(|| {
        let shown: Vec<String> = violations.iter().take(4).map(Violation::to_string).collect();
        format!("{status} body breaks the spec: {}; body {}", shown.join("; "), truncated(body))
    })
}

fn truncated(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 { format!("{}…", &s[..s.char_indices().nth(300).map_or(s.len(), |(i, _)| i)]) } else { s }
}

#[test]
fn every_answer_of_the_fake_keeps_the_spec() {
    let mut spec = spec();
    let untyped = untype_scalar_unions(&mut spec);
    let fake = FakeAtlas::start();
    let client = client(&fake);
    let config = fake.config().clone();
    let now = fake.now();
    seed_example_cluster(&fake);
    let (mut operations, mut requests, mut invalid, mut seeded) = (0usize, 0usize, 0usize, 0usize);
    let (mut bad_bodies, mut validated, mut valid, mut succeeded) = (0usize, 0usize, 0usize, 0usize);
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut excused = Excused::new();
    let mut used = Used::new();
    let mut failures = Vec::new();
    for e in catalog::all() {
        let op = spec
            .pointer(&format!(
                "/paths/{}/{}",
                e.path.replace('~', "~0").replace('/', "~1"),
                e.method.as_str().to_ascii_lowercase()
            ))
            .unwrap_or_else(|| panic!("{}: no such operation in the spec", e.operation_id));
        operations += 1;
        for &version in e.versions {
            seeded += seed_path(&fake, e, &config, &mut failures);
            for case in cases(&spec, op, e, version, &config) {
                let answer = send(&client, e, version, &case, &config);
                requests += 1;
                invalid += usize::from(case.invalid);
                *by_status.entry(answer.status).or_default() += 1;
                valid += usize::from(!case.invalid);
                succeeded += usize::from(!case.invalid && (200..300).contains(&answer.status));
                if case.invalid && case.replace.is_none() && answer.status != 410 {
                    bad_bodies += 1;
                    validated += usize::from(answer.status == 400);
                }
                let target = Target { spec: &spec, op, e, version, now };
                if let Some(why) = judge(&target, &case, &answer, &mut excused, &mut used) {
                    failures.push(format!("{} {version} ({}): {why}", e.operation_id, case.what));
                }
            }
        }
    }
    excused.insert("scalar-unions", untyped);
    let listed = REFUSED_VALID.iter().map(|&(op, s, why)| ("valid", op, s, why));
    let listed: Vec<_> = listed.chain(BAD_BODY_NOT_400.iter().map(|&(op, s, why)| ("bad", op, s, why))).collect();
    let exceptions: usize = excused.values().sum();
    eprintln!(
        "fake keeps the spec: {operations} operations, {requests} requests ({invalid} invalid, {seeded} items \
         seeded first), {} failures, {exceptions} answers and schemas excused by {} exceptions {excused:?}; statuses {by_status:?}",
        failures.len(),
        EXCEPTIONS.len(),
    );
    for (name, source) in EXCEPTIONS {
        eprintln!("  exception {name}: {source}");
    }
    eprintln!(
        "  bad bodies (versions not gone): {bad_bodies}, {validated} answered 400 (the others by BAD_BODY_NOT_400); \
         valid requests: {valid}, {succeeded} answered 2xx (the others by REFUSED_VALID or gone)"
    );
    for (name, why) in WHY {
        let n = listed.iter().filter(|l| l.3 == *name).count();
        eprintln!("  reason {name} ({n} operations): {why}");
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    for (kind, op, s, why) in &listed {
        assert!(WHY.iter().any(|(n, _)| n == why), "{op}: reason {why} is not in WHY");
        assert!(used.contains(&(*kind, *op, *s)), "{op} {s} ({kind}) is listed but excused nothing: take it out");
    }
    assert!(operations >= 540, "the whole catalog: {operations}");
    assert!(excused.keys().all(|k| EXCEPTIONS.iter().any(|(n, _)| n == k)), "every excuse is a listed exception");
}
