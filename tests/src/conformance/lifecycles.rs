//! A CRUD lifecycle per tag against the fake's generic behaviour, through each transport, with
//! calls built from the catalog (`catalog::call` and `.param`): create two items, read one,
//! update it, list them across pages (`itemsPerPage=1`), delete it, then 404 on read and on
//! a second delete. One scenario per tag where such a lifecycle applies: database users (a
//! two-part key, an `$external` user whose name is percent-encoded in the path), the project IP
//! access list (a body that is an array, keys from `ipAddress`/`cidrBlock`), custom database
//! roles, teams (an organization's, found by name, and a project's, keyed by the team's id
//! from the body), alert configurations (PUT and PATCH) and programmatic API keys.

use super::generic::{answer, entry, frozen_fake, refused};
use super::{Driver, digest_client};
use crate::fake::{FakeAtlas, drop_unanswered, observed_status};
use atlas_admin_core::catalog;
use atlas_admin_core::ops::Custom;
use serde_json::{Value, json};

/// Operation `name` of the catalog with parameters `params`, checked by the core.
fn op(name: &str, params: &[(&str, String)]) -> Custom {
    let mut op = catalog::call(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    for (n, v) in params {
        op = op.param(n, v).unwrap_or_else(|e| panic!("{name} {n}={v}: {e}"));
    }
    op
}

/// `op` with a JSON body.
fn with(op: Custom, body: &Value) -> Custom {
    op.json(body).expect("a JSON body")
}

/// How the key parameters of a created item follow from the body sent and the answer.
pub(super) type KeyOf = Box<dyn Fn(&Value, &Value) -> Vec<(&'static str, String)>>;

/// One tag's lifecycle: its operations, the parameters naming the collection's parent, two
/// create bodies, how an item's key parameters follow from what was sent and answered, and an
/// update with the field it changes.
pub(super) struct Crud {
    pub(super) list: &'static str,
    pub(super) create: &'static str,
    pub(super) get: &'static str,
    /// The update, if the collection has one, and whether it is sent to the collection (a POST
    /// that updates an existing item) rather than to the item.
    pub(super) update: Option<(&'static str, bool)>,
    pub(super) delete: &'static str,
    pub(super) parent: Vec<(&'static str, String)>,
    pub(super) bodies: [Value; 2],
    /// The key parameters of the item created by `sent`, answered `answered`.
    pub(super) key: KeyOf,
    pub(super) change: Value,
    pub(super) changed: (&'static str, Value),
}

/// The items of a list answer: a page's `results`, or a bare array.
fn items(list: &Value) -> Vec<Value> {
    list.get("results").unwrap_or(list).as_array().cloned().unwrap_or_default()
}

/// Whether a page has a `next` link.
fn has_next(page: &Value) -> bool {
    page["links"].as_array().is_some_and(|l| l.iter().any(|l| l["rel"] == "next"))
}

/// Runs `crud` through `c`; the key parameters of the item left (the second).
pub(super) fn lifecycle<D: Driver>(c: &D, crud: &Crud) -> Vec<(&'static str, String)> {
    let (list, create, get, delete) = (entry(crud.list), entry(crud.create), entry(crud.get), entry(crud.delete));
    let with_key = |key: &[(&'static str, String)]| crud.parent.iter().chain(key).cloned().collect::<Vec<_>>();
    let everything = |c: &D| {
        let mut all = op(crud.list, &crud.parent);
        if list.param("itemsPerPage").is_some() {
            all = all.param("itemsPerPage", "500").unwrap();
        }
        items(&answer("list", c.execute(&all)).value)
    };
    let before = everything(c).len();

    // Create two.
    let mut keys = Vec::new();
    for body in &crud.bodies {
        let created = answer(crud.create, c.execute(&with(op(crud.create, &crud.parent), body)));
        // Where Atlas answers another status than the spec's (a new project: 201), the fake does.
        let status = observed_status(crud.create).unwrap_or(create.success);
        assert_eq!(created.meta.status.as_u16(), status, "{}: {}", crud.create, created.value);
        let sent = body.as_array().and_then(|a| a.first()).unwrap_or(body);
        keys.push(with_key(&(crud.key)(sent, &created.value)));
    }
    let sent = |i: usize| crud.bodies[i].as_array().and_then(|a| a.first()).unwrap_or(&crud.bodies[i]).clone();

    // Read: what was sent reads back (but what the read never answers: a password).
    let read = answer(crud.get, c.execute(&op(crud.get, &keys[0])));
    assert_eq!(read.meta.status.as_u16(), get.success);
    let mut expected = sent(0);
    drop_unanswered(crud.get, get.default_version(), &mut expected);
    for (field, value) in expected.as_object().expect("an object") {
        assert!(reads_back(value, &read.value[field]), "{}: {field} reads back: {}", crud.get, read.value);
    }

    // Update.
    if let Some((update, on_collection)) = crud.update {
        let target = if on_collection { &crud.parent } else { &keys[0] };
        let updated = answer(update, c.execute(&with(op(update, target), &crud.change)));
        assert_eq!(updated.meta.status.as_u16(), entry(update).success);
        let read = answer(crud.get, c.execute(&op(crud.get, &keys[0]))).value;
        assert_eq!(read[crud.changed.0], crud.changed.1, "{update}: {read}");
    }

    // List across pages, one item a page, or the whole bare array.
    let total = before + 2;
    if list.paginated {
        let page = |n: usize| {
            let p = op(crud.list, &crud.parent).param("itemsPerPage", "1").unwrap();
            answer("page", c.execute(&p.param("pageNum", n.to_string()).unwrap())).value
        };
        let (first, last) = (page(total - 1), page(total));
        assert_eq!(first["totalCount"].as_u64(), Some(total as u64), "{}: {first}", crud.list);
        assert_eq!((items(&first).len(), items(&last).len()), (1, 1), "{first} {last}");
        assert!(has_next(&first) && !has_next(&last), "{first} {last}");
        assert_eq!(items(&last)[0], answer("get", c.execute(&op(crud.get, &keys[1]))).value);
        assert!(items(&page(total + 1)).is_empty());
    } else {
        assert_eq!(everything(c).len(), total, "{}", crud.list);
    }

    // Delete, then 404 on read and on a second delete.
    let deleted = answer(crud.delete, c.execute(&op(crud.delete, &keys[0])));
    assert_eq!(deleted.meta.status.as_u16(), observed_status(crud.delete).unwrap_or(delete.success));
    for name in [crud.get, crud.delete] {
        let gone = refused(name, c.execute(&op(name, &keys[0])));
        assert_eq!(gone, (404, "RESOURCE_NOT_FOUND".to_owned()), "{name} after the delete");
    }
    let left = everything(c);
    assert_eq!(left.len(), before + 1, "{}", crud.list);
    keys.swap_remove(1)
}

/// The demo project's id as the `groupId` parameter.
fn group(fake: &FakeAtlas) -> Vec<(&'static str, String)> {
    vec![("groupId", fake.config().group_id.clone())]
}

/// The demo organization's id as the `orgId` parameter.
fn org(fake: &FakeAtlas) -> Vec<(&'static str, String)> {
    vec![("orgId", fake.config().org_id.clone())]
}

/// `field` of `v` as a string.
fn text(v: &Value, field: &str) -> String {
    v[field].as_str().unwrap_or_else(|| panic!("{field} in {v}")).to_owned()
}

/// Database users, keyed by `{databaseName}/{username}` from the body; an `$external` user
/// with `=` and `,` in its name (sent percent-encoded) reads, updates and deletes like others.
pub fn lifecycle_database_users<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let role = |r: &str| json!([{"databaseName": "admin", "roleName": r}]);
    let crud = Crud {
        list: "listGroupDatabaseUsers",
        create: "createGroupDatabaseUser",
        get: "getGroupDatabaseUser",
        update: Some(("updateGroupDatabaseUser", false)),
        delete: "deleteGroupDatabaseUser",
        parent: group(&fake),
        bodies: [
            json!({"databaseName": "$external", "username": "CN=ada,OU=eng,O=example", "x509Type": "CUSTOMER", "roles": role("read")}),
            json!({"databaseName": "admin", "username": "grace", "roles": role("readWrite")}),
        ],
        key: Box::new(|sent: &Value, _: &Value| {
            vec![("databaseName", text(sent, "databaseName")), ("username", text(sent, "username"))]
        }),
        change: json!({"roles": role("readWriteAnyDatabase")}),
        changed: ("roles", role("readWriteAnyDatabase")),
    };
    lifecycle(&c, &crud);
    let users = fake.resources(&format!("/api/atlas/v2/groups/{}/databaseUsers", fake.config().group_id));
    assert_eq!(users.iter().map(|u| u["username"].as_str()).collect::<Vec<_>>(), [Some("grace")]);
}

/// IP access list entries: created by a POST of an array (answered with the list's page),
/// keyed by the `ipAddress` or `cidrBlock` they carry (a CIDR block's `/` written `%2F` in the
/// path, as the spec's pattern has it); posting an entry that exists updates it.
pub fn lifecycle_access_list<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let crud = Crud {
        list: "listGroupAccessListEntries",
        create: "createGroupAccessListEntry",
        get: "getGroupAccessListEntry",
        update: Some(("createGroupAccessListEntry", true)),
        delete: "deleteGroupAccessListEntry",
        parent: group(&fake),
        bodies: [
            json!([{"cidrBlock": "10.1.0.0/16", "comment": "vpn"}]),
            json!([{"ipAddress": "192.0.2.7", "comment": "office"}]),
        ],
        key: Box::new(|sent: &Value, _: &Value| {
            let value = sent["cidrBlock"].as_str().or(sent["ipAddress"].as_str()).unwrap_or_default();
            vec![("entryValue", value.replace('/', "%2F"))]
        }),
        change: json!([{"cidrBlock": "10.1.0.0/16", "comment": "vpn, renamed"}]),
        changed: ("comment", json!("vpn, renamed")),
    };
    let left = lifecycle(&c, &crud);
    assert_eq!(left, [group(&fake), vec![("entryValue", "192.0.2.7".to_owned())]].concat());
    let created = answer("create", c.execute(&with(op(crud.create, &crud.parent), &crud.bodies[0])));
    let page = created.value;
    assert_eq!((page["totalCount"].as_u64(), items(&page).len()), (Some(2), 2), "the list's page: {page}");
    // An array with one bad entry stores none of them.
    let mixed = json!([{"ipAddress": "198.51.100.1"}, {"comment": "no address"}]);
    let bad = refused("an entry without its address", c.execute(&with(op(crud.create, &crud.parent), &mixed)));
    assert_eq!(bad, (400, "VALIDATION_ERROR".to_owned()));
    let entries = fake.resources(&format!("/api/atlas/v2/groups/{}/accessList", fake.config().group_id));
    assert_eq!(entries.len(), 2, "nothing of the refused array is stored: {entries:?}");
}

/// Custom database roles, keyed by `roleName` from the body; their list is a bare array.
pub fn lifecycle_custom_db_roles<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let find =
        |db: &str| json!([{"action": "FIND", "resources": [{"db": db, "collection": "orders", "cluster": false}]}]);
    let crud = Crud {
        list: "listGroupCustomDbRoleRoles",
        create: "createGroupCustomDbRoleRole",
        get: "getGroupCustomDbRoleRole",
        update: Some(("updateGroupCustomDbRoleRole", false)),
        delete: "deleteGroupCustomDbRoleRole",
        parent: group(&fake),
        bodies: [
            json!({"roleName": "orderReader", "actions": find("shop")}),
            json!({"roleName": "auditor", "actions": find("audit")}),
        ],
        key: Box::new(|sent: &Value, _: &Value| vec![("roleName", text(sent, "roleName"))]),
        change: json!({"actions": find("archive")}),
        changed: ("actions", find("archive")),
    };
    lifecycle(&c, &crud);
}

/// An organization's teams (keyed by a fresh id; found by name too), then a project's teams
/// (added by a POST of an array, keyed by the `teamId` the body names).
pub fn lifecycle_teams<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let crud = Crud {
        list: "listOrgTeams",
        create: "createOrgTeam",
        get: "getOrgTeam",
        update: Some(("renameOrgTeam", false)),
        delete: "deleteOrgTeam",
        parent: org(&fake),
        bodies: [
            json!({"name": "platform", "usernames": ["ada@example.com"]}),
            json!({"name": "data", "usernames": ["grace@example.com"]}),
        ],
        key: Box::new(|_: &Value, answered: &Value| vec![("teamId", text(answered, "id"))]),
        change: json!({"name": "platform-eng"}),
        changed: ("name", json!("platform-eng")),
    };
    let left = lifecycle(&c, &crud);
    let team = left.iter().find(|(n, _)| *n == "teamId").map(|(_, v)| v.clone()).expect("a team id");
    let by_name = op("getOrgTeamByName", &[org(&fake), vec![("teamName", "data".to_owned())]].concat());
    assert_eq!(answer("by name", c.execute(&by_name)).value["id"], json!(team));
    let unknown = op("getOrgTeamByName", &[org(&fake), vec![("teamName", "platform-eng".to_owned())]].concat());
    assert_eq!(refused("a deleted team by name", c.execute(&unknown)).0, 404);

    let roles = |r: &str| json!([r]);
    let demo = fake.config().team_id.clone();
    let crud = Crud {
        list: "listGroupTeams",
        create: "addGroupTeams",
        get: "getGroupTeam",
        update: Some(("updateGroupTeam", false)),
        delete: "removeGroupTeam",
        parent: group(&fake),
        bodies: [
            json!([{"teamId": team, "roleNames": roles("GROUP_READ_ONLY")}]),
            json!([{"teamId": demo, "roleNames": roles("GROUP_OWNER")}]),
        ],
        key: Box::new(|sent: &Value, _: &Value| vec![("teamId", text(sent, "teamId"))]),
        change: json!({"roleNames": roles("GROUP_DATA_ACCESS_ADMIN")}),
        changed: ("roleNames", roles("GROUP_DATA_ACCESS_ADMIN")),
    };
    lifecycle(&c, &crud);
}

/// Alert configurations: keyed by a fresh id; replaced by PUT, then toggled by PATCH.
pub fn lifecycle_alert_configs<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let notify = json!([{"typeName": "GROUP", "intervalMin": 5, "delayMin": 0, "roles": ["GROUP_OWNER"]}]);
    let config =
        |event: &str, enabled: bool| json!({"eventTypeName": event, "enabled": enabled, "notifications": notify});
    let crud = Crud {
        list: "listGroupAlertConfigs",
        create: "createGroupAlertConfig",
        get: "getGroupAlertConfig",
        update: Some(("updateGroupAlertConfig", false)),
        delete: "deleteGroupAlertConfig",
        parent: group(&fake),
        bodies: [config("NO_PRIMARY", true), config("CLUSTER_MONGOS_IS_MISSING", true)],
        key: Box::new(|_: &Value, answered: &Value| vec![("alertConfigId", text(answered, "id"))]),
        change: config("PRIMARY_ELECTED", true),
        changed: ("eventTypeName", json!("PRIMARY_ELECTED")),
    };
    let left = lifecycle(&c, &crud);
    let toggled = answer("toggle", c.execute(&with(op("toggleGroupAlertConfig", &left), &json!({"enabled": false}))));
    assert_eq!(
        (toggled.value["enabled"].as_bool(), toggled.value["eventTypeName"].as_str()),
        (Some(false), Some("CLUSTER_MONGOS_IS_MISSING"))
    );
}

/// An organization's programmatic API keys: keyed by a fresh id, described by PATCH.
pub fn lifecycle_api_keys<D: Driver>() {
    let fake = frozen_fake();
    let c: D = digest_client(&fake);
    let crud = Crud {
        list: "listOrgApiKeys",
        create: "createOrgApiKey",
        get: "getOrgApiKey",
        update: Some(("updateOrgApiKey", false)),
        delete: "deleteOrgApiKey",
        parent: org(&fake),
        bodies: [
            json!({"desc": "deploy pipeline", "roles": ["ORG_MEMBER"]}),
            json!({"desc": "backups", "roles": ["ORG_READ_ONLY"]}),
        ],
        key: Box::new(|_: &Value, answered: &Value| vec![("apiUserId", text(answered, "id"))]),
        change: json!({"desc": "deploy pipeline (prod)"}),
        changed: ("desc", json!("deploy pipeline (prod)")),
    };
    lifecycle(&c, &crud);
}

/// Whether `read` is what was `sent`: equal, or a role name sent read back as the role
/// assignment the spec answers (`"ORG_MEMBER"` as `{"roleName": "ORG_MEMBER", …}`).
fn reads_back(sent: &Value, read: &Value) -> bool {
    match (sent, read) {
        (Value::Array(s), Value::Array(r)) => s.len() == r.len() && s.iter().zip(r).all(|(s, r)| reads_back(s, r)),
        (Value::String(s), Value::Object(r)) => r.get("roleName").and_then(Value::as_str) == Some(s.as_str()),
        _ => sent == read,
    }
}
