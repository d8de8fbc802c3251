//! [`FakeState`]: the resources the generic behaviour keeps, by concrete path: collections of
//! items (`/api/atlas/v2/groups/<id>/clusters` → the clusters, in creation order, by key) and
//! documents (a singleton such as `/api/atlas/v2/groups/<id>/auditLog`). Items with a
//! lifecycle (`stateName`) pass from `CREATING` (or `UPDATING`) to `IDLE`, and from `DELETING`
//! to gone, after the settle time on the fake's clock.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, SystemTime};

/// Where an item is in its lifecycle, since when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Creating,
    Updating,
    Deleting,
    /// Settled whatever the settle time (seeded or recorded `IDLE`).
    Idle,
}

/// Whether a phase begun at `since` has settled at `now`: never if `since + settle` is past
/// what the clock can represent (a hostile settle time never settles, never panics).
fn settled(since: SystemTime, settle: Duration, now: SystemTime) -> bool {
    since.checked_add(settle).is_some_and(|end| end <= now)
}

#[derive(Clone, Debug)]
struct Item {
    key: String,
    body: Map<String, Value>,
    /// `Some` for items with a `stateName`.
    phase: Option<(Phase, SystemTime)>,
}

#[derive(Debug, Default)]
struct Collection {
    next: u64,
    by_seq: BTreeMap<u64, Item>,
    by_key: HashMap<String, u64>,
    /// The items `DELETING`, by when they began to: settling looks at those due only, not at
    /// every item (seeding a long list stays linear).
    deleting: BTreeSet<(SystemTime, u64)>,
}

impl Collection {
    /// Puts `item` at `seq` (replacing what was there), keeping the index of deletions.
    fn put(&mut self, seq: u64, item: Item) {
        let deleting = match item.phase {
            Some((Phase::Deleting, since)) => Some((since, seq)),
            _ => None,
        };
        if let Some(Item { phase: Some((Phase::Deleting, since)), .. }) = self.by_seq.insert(seq, item) {
            self.deleting.remove(&(since, seq));
        }
        self.deleting.extend(deleting);
    }

    /// Takes the item at `seq` out, keeping the index of deletions.
    fn take(&mut self, seq: u64) -> Option<Item> {
        let item = self.by_seq.remove(&seq)?;
        self.by_key.remove(&item.key);
        if let Some((Phase::Deleting, since)) = item.phase {
            self.deleting.remove(&(since, seq));
        }
        Some(item)
    }
}

/// The generic behaviour's resources, as a user's behaviour
/// ([`FakeAtlas::on`](super::FakeAtlas::on)) sees and changes them. Paths are concrete, as
/// requested (`/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters`), without a query.
#[derive(Debug)]
pub struct FakeState {
    collections: BTreeMap<String, Collection>,
    documents: BTreeMap<String, Value>,
    settle: Duration,
    now: SystemTime,
    /// How many items settling looked at (to prove it linear).
    #[cfg(test)]
    scanned: usize,
}

impl Default for FakeState {
    fn default() -> Self {
        FakeState {
            collections: BTreeMap::new(),
            documents: BTreeMap::new(),
            settle: Duration::from_secs(60),
            now: SystemTime::UNIX_EPOCH,
            #[cfg(test)]
            scanned: 0,
        }
    }
}

/// `collection/key`.
fn join(collection: &str, key: &str) -> String {
    format!("{collection}/{key}")
}

impl FakeState {
    /// Sets the settle time and "now" (the fake's clock) before a request or a hook runs.
    pub(crate) fn at(&mut self, now: SystemTime, settle: Duration) {
        self.now = now;
        self.settle = settle;
    }

    /// The fake's clock, as this request or hook sees it.
    pub fn now(&self) -> SystemTime {
        self.now
    }

    /// Removes the items whose deletion has settled from `collection` (and the collection,
    /// once empty, so memory returns to where it was).
    fn settle_collection(&mut self, collection: &str) {
        let (now, settle) = (self.now, self.settle);
        let Some(c) = self.collections.get_mut(collection) else { return };
        let mut removed = Vec::new();
        while let Some(&(since, seq)) = c.deleting.first() {
            #[cfg(test)]
            {
                self.scanned += 1;
            }
            if !settled(since, settle, now) {
                break;
            }
            if let Some(item) = c.take(seq) {
                removed.push(join(collection, &item.key));
            }
        }
        if c.by_seq.is_empty() {
            self.collections.remove(collection);
        }
        for path in removed {
            self.drop_below(&path);
        }
    }

    /// An item as it reads now: its stored JSON with its `stateName`.
    fn render(&self, item: &Item) -> Value {
        let mut body = item.body.clone();
        if let Some((phase, since)) = item.phase {
            let state = match (phase, settled(since, self.settle, self.now)) {
                (Phase::Idle, _) | (Phase::Creating | Phase::Updating, true) => "IDLE",
                (Phase::Creating, false) => "CREATING",
                (Phase::Updating, false) => "UPDATING",
                (Phase::Deleting, _) => "DELETING",
            };
            body.insert("stateName".to_owned(), Value::String(state.to_owned()));
        }
        Value::Object(body)
    }

    /// The items of `collection`, in creation order, as they read now.
    pub fn resources(&mut self, collection: &str) -> Vec<Value> {
        let collection = collection.trim_end_matches('/');
        self.settle_collection(collection);
        self.collections.get(collection).map_or_else(Vec::new, |c| c.by_seq.values().map(|i| self.render(i)).collect())
    }

    /// How many items `collection` holds now.
    pub fn count(&mut self, collection: &str) -> usize {
        self.settle_collection(collection);
        self.collections.get(collection).map_or(0, |c| c.by_seq.len())
    }

    /// Calls `visit` on the items of `collection` from the `skip`-th on, in creation order,
    /// until it returns `false` (pages read no further than they need).
    pub(crate) fn walk(&mut self, collection: &str, skip: usize, mut visit: impl FnMut(Value) -> bool) {
        self.settle_collection(collection);
        if let Some(c) = self.collections.get(collection) {
            for item in c.by_seq.values().skip(skip) {
                if !visit(self.render(item)) {
                    break;
                }
            }
        }
    }

    /// The item `key` of `collection`, as it reads now.
    pub fn resource(&mut self, collection: &str, key: &str) -> Option<Value> {
        self.settle_collection(collection);
        let c = self.collections.get(collection)?;
        c.by_key.get(key).and_then(|s| c.by_seq.get(s)).map(|i| self.render(i))
    }

    /// Whether item `path` (`collection/key`, the key possibly several segments) exists now.
    pub(crate) fn exists_at(&mut self, collection: &str, key: &str) -> bool {
        self.resource(collection, key).is_some()
    }

    /// Stores a new item `key` of `collection` (replacing one with that key); `lifecycle`
    /// starts it `CREATING`. Its JSON as it reads now.
    pub fn insert(&mut self, collection: &str, key: &str, body: Map<String, Value>, lifecycle: bool) -> Value {
        self.settle_collection(collection);
        let phase = lifecycle.then_some((Phase::Creating, self.now));
        let c = self.collections.entry(collection.to_owned()).or_default();
        if let Some(old) = c.by_key.get(key).copied() {
            c.take(old);
        }
        let seq = c.next;
        c.next += 1;
        c.by_key.insert(key.to_owned(), seq);
        let item = Item { key: key.to_owned(), body, phase };
        let out = self.render(&item);
        if let Some(c) = self.collections.get_mut(collection) {
            c.put(seq, item);
        }
        out
    }

    /// Puts item `key` of `collection` as a recording answered it (cassette seeding): in place
    /// of the item with that key (keeping its position) or last. An item with a lifecycle is
    /// in the phase its recorded `stateName` says, from now (`IDLE` or none: settled).
    pub(crate) fn restore(&mut self, collection: &str, key: &str, body: Map<String, Value>, lifecycle: bool) {
        self.settle_collection(collection);
        let now = self.now;
        let phase = match body.get("stateName").and_then(Value::as_str) {
            Some("CREATING") => Some((Phase::Creating, now)),
            Some("UPDATING") => Some((Phase::Updating, now)),
            Some("DELETING") => Some((Phase::Deleting, now)),
            _ if lifecycle => Some((Phase::Idle, now)),
            _ => None,
        };
        let c = self.collections.entry(collection.to_owned()).or_default();
        let item = Item { key: key.to_owned(), body, phase };
        match c.by_key.get(key) {
            Some(&seq) => c.put(seq, item),
            None => {
                let seq = c.next;
                c.next += 1;
                c.by_key.insert(key.to_owned(), seq);
                c.put(seq, item);
            }
        }
    }

    /// Changes item `key` of `collection` with `change` (an item with a lifecycle goes
    /// `UPDATING`); its JSON after, or `None` if there is no such item.
    pub fn update(
        &mut self,
        collection: &str,
        key: &str,
        change: impl FnOnce(&mut Map<String, Value>),
    ) -> Option<Value> {
        self.settle_collection(collection);
        let now = self.now;
        let c = self.collections.get_mut(collection)?;
        let seq = *c.by_key.get(key)?;
        let item = c.by_seq.get_mut(&seq)?;
        change(&mut item.body);
        item.body.remove("stateName");
        if let Some((phase, _)) = item.phase {
            if phase != Phase::Deleting {
                item.phase = Some((Phase::Updating, now));
            }
        }
        let item = item.clone();
        Some(self.render(&item))
    }

    /// Deletes item `key` of `collection`: one with a lifecycle goes `DELETING` and is gone
    /// after the settle time, others (and everything below them) go at once. Whether it
    /// existed.
    pub fn remove(&mut self, collection: &str, key: &str) -> bool {
        self.settle_collection(collection);
        let now = self.now;
        let Some(c) = self.collections.get_mut(collection) else { return false };
        let Some(&seq) = c.by_key.get(key) else { return false };
        let lifecycle = c.by_seq.get(&seq).is_some_and(|i| i.phase.is_some());
        if lifecycle && self.settle > Duration::ZERO {
            if let Some(mut item) = c.by_seq.get(&seq).cloned() {
                item.phase = Some((Phase::Deleting, now));
                c.put(seq, item);
            }
            return true;
        }
        c.take(seq);
        if c.by_seq.is_empty() {
            self.collections.remove(collection);
        }
        self.drop_below(&join(collection, key));
        true
    }

    /// Whether anything lives below item path `path` (a non-empty collection under it).
    pub(crate) fn has_children(&mut self, path: &str) -> Option<String> {
        let prefix = format!("{path}/");
        let below: Vec<String> = self
            .collections
            .range(prefix.clone()..)
            .map(|(k, _)| k.clone())
            .take_while(|k| k.starts_with(&prefix))
            .collect();
        below.into_iter().find(|c| self.count(c) > 0)
    }

    /// Forgets every collection and document below item path `path`.
    fn drop_below(&mut self, path: &str) {
        let prefix = format!("{path}/");
        self.collections.retain(|k, _| !k.starts_with(&prefix));
        self.documents.retain(|k, _| !k.starts_with(&prefix));
    }

    /// The document at `path`, if one was written.
    pub fn document(&self, path: &str) -> Option<&Value> {
        self.documents.get(path)
    }

    /// Writes the document at `path`.
    pub fn set_document(&mut self, path: &str, value: Value) {
        self.documents.insert(path.to_owned(), value);
    }

    /// Removes the document at `path`; whether there was one.
    pub fn remove_document(&mut self, path: &str) -> bool {
        self.documents.remove(path).is_some()
    }

    /// Whether nothing is stored (for memory checks).
    pub fn is_empty(&self) -> bool {
        self.collections.is_empty() && self.documents.is_empty()
    }
}

/// RFC 7396 JSON merge patch: `patch`'s members replace `target`'s, `null` removes one,
/// objects merge recursively.
pub(crate) fn merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        match v {
            Value::Null => {
                target.remove(k);
            }
            Value::Object(p) => match target.get_mut(k) {
                Some(Value::Object(t)) => merge(t, p),
                _ => {
                    let mut fresh = Map::new();
                    merge(&mut fresh, p);
                    target.insert(k.clone(), Value::Object(fresh));
                }
            },
            other => {
                target.insert(k.clone(), other.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn lifecycle_on_the_clock() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut s = FakeState::default();
        s.at(t, Duration::from_secs(10));
        let c = "/api/atlas/v2/groups/g/clusters";
        assert_eq!(s.insert(c, "a", obj(json!({"name": "a"})), true)["stateName"], "CREATING");
        s.insert(c, "child-owner", obj(json!({})), false);
        s.insert(&format!("{c}/a/snapshots"), "s1", obj(json!({})), false);
        s.at(t + Duration::from_secs(10), Duration::from_secs(10));
        assert_eq!(s.resource(c, "a").unwrap()["stateName"], "IDLE");
        assert_eq!(s.update(c, "a", |b| merge(b, &obj(json!({"x": {"y": 1}})))).unwrap()["stateName"], "UPDATING");
        assert!(s.remove(c, "a"));
        assert_eq!(s.resource(c, "a").unwrap()["stateName"], "DELETING");
        assert_eq!(s.resource(c, "a").unwrap()["x"], json!({"y": 1}));
        s.at(t + Duration::from_secs(20), Duration::from_secs(10));
        assert_eq!(s.resource(c, "a"), None);
        assert_eq!(s.has_children(&format!("{c}/a")), None, "what was below went with it");
        assert!(s.remove(c, "child-owner") && !s.remove(c, "child-owner"));
        assert!(s.is_empty(), "memory returns to where it was");
    }

    #[test]
    fn restored_items_keep_their_place_and_their_recorded_state() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut s = FakeState::default();
        s.at(t, Duration::from_secs(10));
        let c = "/api/atlas/v2/groups/g/clusters";
        s.insert(c, "a", obj(json!({"name": "a"})), true);
        s.insert(c, "b", obj(json!({"name": "b"})), false);
        s.restore(c, "a", obj(json!({"name": "a2", "stateName": "IDLE"})), true);
        s.restore(c, "d", obj(json!({"name": "d", "stateName": "DELETING"})), true);
        let read: Vec<(Value, Value)> =
            s.resources(c).into_iter().map(|i| (i["name"].clone(), i["stateName"].clone())).collect();
        let expected = [("a2", json!("IDLE")), ("b", Value::Null), ("d", json!("DELETING"))];
        assert_eq!(read, expected.map(|(n, st)| (json!(n), st)));
        s.at(t + Duration::from_secs(10), Duration::from_secs(10));
        assert_eq!(s.resource(c, "d"), None, "a recorded deletion settles like any other");
    }

    /// Seeding a long list settles in linear work: each restore looks at the deletions due,
    /// not at every item (it was quadratic: 20,000 items looked at 200 million times).
    #[test]
    fn restoring_many_items_is_linear() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut s = FakeState::default();
        s.at(t, Duration::from_secs(10));
        let c = "/api/atlas/v2/groups/g/clusters";
        let n = 20_000;
        for i in 0..n {
            let state = if i % 2 == 0 { "DELETING" } else { "IDLE" };
            s.restore(c, &format!("c{i}"), obj(json!({"name": i, "stateName": state})), true);
        }
        assert_eq!(s.count(c), n);
        assert!(s.scanned <= 2 * n, "{} items looked at for {n}", s.scanned);
        s.at(t + Duration::from_secs(10), Duration::from_secs(10));
        assert_eq!(s.count(c), n / 2, "the deletions settled");
        assert!(s.scanned <= 4 * n, "{} items looked at for {n}", s.scanned);
    }

    /// A settle time past what the clock can hold never settles, and nothing panics.
    #[test]
    fn a_huge_settle_time_never_settles() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut s = FakeState::default();
        s.at(t, Duration::MAX);
        let c = "/api/atlas/v2/groups/g/clusters";
        assert_eq!(s.insert(c, "a", obj(json!({"name": "a"})), true)["stateName"], "CREATING");
        s.restore(c, "b", obj(json!({"name": "b", "stateName": "IDLE"})), true);
        assert_eq!(s.resource(c, "b").unwrap()["stateName"], "IDLE", "a recorded IDLE stays so");
        assert!(s.remove(c, "a"));
        s.at(t + Duration::from_secs(1 << 40), Duration::MAX);
        assert_eq!(s.resource(c, "a").unwrap()["stateName"], "DELETING");
        assert_eq!(s.update(c, "b", |_| {}).unwrap()["stateName"], "UPDATING");
    }

    #[test]
    fn merge_patch() {
        let mut t = obj(json!({"a": 1, "b": {"c": 2, "d": 3}, "e": [1]}));
        merge(&mut t, &obj(json!({"a": null, "b": {"c": null, "f": 4}, "e": [2], "g": {"h": null}})));
        assert_eq!(Value::Object(t), json!({"b": {"d": 3, "f": 4}, "e": [2], "g": {}}));
    }
}
